// The hash router's grammar. Every view the user can reach has a URL:
//   #/sessions                       Sessions page
//   #/sessions/<session>/terminal    Sessions page with that session's terminal open
//   #/storage                        Data & Storage, folders tab
//   #/storage?tab=automount|trash    the other tabs
//   #/storage/<folder>/<path...>     the file explorer of <folder> at <path>
//   #/snapshots/<folder>             the snapshots of <folder> and its schedule
//   #/snapshots/<folder>/<snap>/<path...>  snapshot <snap> of <folder>, read-only, at <path>
//   #/account                        Account page (dotfiles, Python user base)
// Path components are percent-encoded one by one, so any file name survives.

import { splitPath } from './paths';

export type StorageTab = 'folders' | 'automount' | 'trash';

export type Route =
  | { page: 'sessions'; terminal?: string }
  | { page: 'storage'; tab: StorageTab }
  | { page: 'explorer'; folder: string; path: string }
  | { page: 'snapshots'; folder: string }
  | { page: 'snapshot'; folder: string; snapshot: string; path: string }
  | { page: 'account' };

const kTabs: StorageTab[] = ['folders', 'automount', 'trash'];

function decode(c: string): string {
  try {
    return decodeURIComponent(c);
  } catch {
    return c;
  }
}

export function parseRoute(hash: string): Route {
  let h = hash.startsWith('#') ? hash.slice(1) : hash;
  let query = '';
  const q = h.indexOf('?');
  if (q >= 0) {
    query = h.slice(q + 1);
    h = h.slice(0, q);
  }
  const parts = h.split('/').filter((p) => p !== '').map(decode);
  if (parts[0] === 'storage') {
    if (parts.length >= 2) {
      return { page: 'explorer', folder: parts[1], path: splitPath(parts.slice(2).join('/')).join('/') };
    }
    const tab = new URLSearchParams(query).get('tab') as StorageTab | null;
    return { page: 'storage', tab: tab && kTabs.includes(tab) ? tab : 'folders' };
  }
  if (parts[0] === 'snapshots' && parts.length >= 2) {
    if (parts.length === 2) return { page: 'snapshots', folder: parts[1] };
    return { page: 'snapshot', folder: parts[1], snapshot: parts[2], path: splitPath(parts.slice(3).join('/')).join('/') };
  }
  if (parts[0] === 'account') return { page: 'account' };
  if (parts[0] === 'sessions' && parts.length >= 3 && parts[2] === 'terminal') {
    return { page: 'sessions', terminal: parts[1] };
  }
  return { page: 'sessions' };
}

export function formatRoute(r: Route): string {
  switch (r.page) {
    case 'sessions':
      return r.terminal ? `#/sessions/${encodeURIComponent(r.terminal)}/terminal` : '#/sessions';
    case 'storage':
      return r.tab === 'folders' ? '#/storage' : `#/storage?tab=${r.tab}`;
    case 'explorer': {
      const comps = [r.folder, ...splitPath(r.path)].map(encodeURIComponent);
      return `#/storage/${comps.join('/')}`;
    }
    case 'snapshots':
      return `#/snapshots/${encodeURIComponent(r.folder)}`;
    case 'snapshot': {
      const comps = [r.folder, r.snapshot, ...splitPath(r.path)].map(encodeURIComponent);
      return `#/snapshots/${comps.join('/')}`;
    }
    case 'account':
      return '#/account';
  }
}
