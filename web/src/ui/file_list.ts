// Pieces every file listing shows, in a live folder (pages/explorer.ts) and in
// a read-only snapshot (pages/snapshot_browser.ts): the breadcrumb trail, one
// entry's row, loading a directory page by page, and starting a download.

import { ApiError, type Entry, type Listing } from '../api';
import type { Crumb } from '../lib/paths';
import { formatBytes } from '../lib/paths';
import { errorMessage } from './dialog';
import { formatTime, h, icon, listTable, replace } from './dom';

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

export interface PagedListingOptions {
  /** Where the rows, or the error, go. */
  wrap: HTMLElement;
  /** "Load more": shown while the server has more; clicking it appends the next page. */
  more: HTMLButtonElement;
  /** One page of the directory, after the entry named `after` (none: the first). */
  page: (after?: string) => Promise<Listing>;
  /** Draws all entries loaded so far into `wrap`. */
  show: (entries: Entry[]) => void;
  /** Where "Go up" leads when the directory is gone (404). */
  upHref: string;
  disposed: () => boolean;
}

/** Returns load(append): lists the directory again (or appends its next page). */
export function pagedListing(o: PagedListingOptions): (append?: boolean) => Promise<void> {
  let entries: Entry[] = [];
  let next: string | null | undefined = null;
  const load = async (append = false): Promise<void> => {
    try {
      const r = await o.page(append ? next ?? undefined : undefined);
      if (o.disposed()) return;
      entries = append ? [...entries, ...r.entries] : r.entries;
      next = r.next;
      o.show(entries);
      o.more.hidden = !entries.length || !next;
    } catch (e) {
      if (o.disposed()) return;
      replace(o.wrap, e instanceof ApiError && e.status === 404
        ? h('div', { class: 'empty-state' }, h('p', { role: 'alert' }, errorMessage(e)), h('p', {}, h('a', { href: o.upHref }, 'Go up')))
        : h('p', { class: 'form-error', role: 'alert' }, errorMessage(e)));
    }
  };
  o.more.addEventListener('click', () => load(true));
  return load;
}

/** Makes the browser download `url` (same origin, cookie-authenticated) as `filename`. */
export function startDownload(url: string, filename: string): void {
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
}
