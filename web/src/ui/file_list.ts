// Pieces every file listing shows, in a live folder (pages/explorer.ts) and in
// a read-only snapshot (pages/snapshot_browser.ts): the breadcrumb trail, one
// entry's row, the "not found: go up" state, and starting a download.

import type { Entry } from '../api';
import type { Crumb } from '../lib/paths';
import { formatBytes } from '../lib/paths';
import { formatTime, h, icon, listTable } from './dom';

/** The breadcrumb trail; hidden at the root (the page heading names it). */
export function crumbNav(crumbs: Crumb[], hrefOf: (path: string) => string): HTMLElement {
  return h(
    'nav',
    { 'aria-label': 'Breadcrumb', class: 'crumbs', hidden: crumbs.length === 1 },
    h('ol', {}, crumbs.map((c, i) =>
      h('li', {}, i === crumbs.length - 1
        ? h('span', { 'aria-current': 'page' }, c.label)
        : h('a', { href: hrefOf(c.path) }, c.label)))),
  );
}

/** One entry's row: name (a link for a directory), size, modified, then `actions`. */
export function entryRow(e: Entry, dirHref: string, actions: HTMLElement[]): HTMLTableRowElement {
  const isDir = e.type === 'dir';
  return h(
    'tr',
    { 'data-type': e.type },
    h('th', { scope: 'row' }, h('span', { class: 'ficon' }, icon(e.type)),
      isDir ? h('a', { href: dirHref }, e.name) : h('span', {}, e.name),
      isDir ? h('span', { class: 'sr-only' }, ' (directory)') : null),
    h('td', { class: 'size' }, isDir ? '—' : formatBytes(e.size)),
    h('td', { class: 'hide-narrow' }, formatTime(e.mtime)),
    h('td', { class: 'actions' }, actions),
  );
}

/** The table of a directory's rows. */
export function entryTable(caption: string, rows: HTMLTableRowElement[]): HTMLTableElement {
  return listTable(caption, [
    { label: 'Name' }, { label: 'Size' }, { label: 'Modified', narrow: false }, { label: 'Actions' },
  ], rows, 'files');
}

/** What a listing shows when its directory is gone: the reason and a way up. */
export function notFoundState(message: string, upHref: string): HTMLElement {
  return h('div', { class: 'empty-state' }, h('p', { role: 'alert' }, message),
    h('p', {}, h('a', { href: upHref }, 'Go up')));
}

/** Makes the browser download `url` (same origin, cookie-authenticated) as `filename`. */
export function startDownload(url: string, filename: string): void {
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
}
