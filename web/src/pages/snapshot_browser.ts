// One snapshot of a folder, browsed read-only: breadcrumbs (kept in the URL),
// listing with paging, Download per file and Restore per file or directory
// (it replaces the entry in the live folder). No upload, rename or delete:
// a snapshot never changes.

import { api, type Entry, type FilePath } from '../api';
import type { AppContext } from '../app_context';
import { breadcrumbs, entryPath, joinPath, parentPath } from '../lib/paths';
import { formatRoute } from '../lib/route';
import { snapshotMountName } from '../lib/snapshots';
import { h, replace } from '../ui/dom';
import { confirmDialog } from '../ui/dialog';
import { crumbNav, entryRow, entryTable, pagedListing, startDownload } from '../ui/file_list';
import { attempt } from '../ui/notice';

export function renderSnapshotBrowser(main: HTMLElement, ctx: AppContext, folder: string, snap: string, path: string): () => void {
  const at = (p: string) => formatRoute({ page: 'snapshot', folder, snapshot: snap, path: p });
  const title = snapshotMountName(folder, snap);
  const listWrap = h('div', { class: 'table-wrap' }, h('p', { class: 'loading' }, 'Loading…'));
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more');
  replace(
    main,
    h('p', { class: 'back' }, h('a', { href: formatRoute({ page: 'snapshots', folder }) }, `← Snapshots of ${folder}`)),
    h('div', { class: 'page-head' }, h('h1', {}, title, h('span', { class: 'badge' }, 'read-only snapshot')),
      h('a', { class: 'button secondary', href: formatRoute({ page: 'explorer', folder, path }) }, 'Open live folder')),
    crumbNav(breadcrumbs(title, path), at),
    h('p', { class: 'lead' }, `Snapshot ${snap} of ${folder}, read-only. Restore copies a file or directory back into ${folder}, replacing what is there now.`),
    h('section', { class: 'explorer', 'aria-label': `Files in snapshot ${snap} of ${folder}` }, listWrap, more),
  );

  let disposed = false;

  function showList(entries: Entry[]): void {
    if (!entries.length) {
      replace(listWrap, h('div', { class: 'empty-state' }, h('p', {}, path ? 'This directory is empty.' : 'This snapshot is empty.')));
      return;
    }
    const rows = entries.map((e) => {
      const p = entryPath(path, e);
      const dl = h('button', { type: 'button', class: 'secondary', hidden: e.type !== 'file' }, 'Download');
      dl.addEventListener('click', () => startDownload(api.snapshotContentUrl(folder, snap, p), e.name));
      const restore = h('button', { type: 'button', class: 'secondary', disabled: e.type === 'other' }, 'Restore');
      restore.addEventListener('click', () => restoreOne(e, p, restore));
      return entryRow(e, at(joinPath(path, e.name)), [dl, restore]);
    });
    replace(listWrap, entryTable(`Contents of ${path || title}`, rows));
  }

  async function restoreOne(e: Entry, p: FilePath, button: HTMLButtonElement): Promise<void> {
    const where = joinPath(path, e.name);
    const ok = await confirmDialog(`Restore ${e.name}?`,
      `${where} in ${folder} is replaced by its copy from snapshot ${snap}` +
      (e.type === 'dir' ? ', with everything in it.' : '.'));
    if (!ok) return;
    button.disabled = true;
    await attempt(() => api.restoreSnapshot(folder, snap, p), `${where} restored from snapshot ${snap}.`);
    button.disabled = false;
  }

  const load = pagedListing({
    wrap: listWrap,
    more,
    page: (after) => api.listSnapshot(folder, snap, path, after),
    show: showList,
    upHref: path ? at(parentPath(path)) : formatRoute({ page: 'snapshots', folder }),
    disposed: () => disposed,
  });
  load();
  void ctx;
  return () => {
    disposed = true;
  };
}
