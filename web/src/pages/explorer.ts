// The file explorer of one folder: breadcrumbs (kept in the URL), listing
// with paging, upload by button or drag-and-drop with per-file progress,
// download per file and per directory, mkdir, rename and delete; on a volume
// with snapshots, the way to this folder's snapshots (pages/snapshots.ts).

import { api, ApiError, upload, type Entry, type FilePath, type Folder } from '../api';
import type { AppContext } from '../app_context';
import { onChange } from '../events';
import { breadcrumbs, entryNameError, entryPath, formatBytes, joinPath, parentPath } from '../lib/paths';
import { formatRoute } from '../lib/route';
import { snapshotsUnavailable } from '../lib/snapshots';
import { knownVolumes } from '../lib/volume_cache';
import { h, replace } from '../ui/dom';
import { crumbNav, entryRow, entryTable, pagedListing, startDownload } from '../ui/file_list';
import { validatedField } from '../ui/field';
import { confirmDialog, errorMessage, formDialog } from '../ui/dialog';
import { attempt, notify, notifyError } from '../ui/notice';

interface PendingFile {
  file: File;
  path: string; // destination, relative to the folder root
}

// Reads dropped items, descending into dropped directories where the browser
// allows it (webkitGetAsEntry); falls back to the flat file list.
async function droppedFiles(dt: DataTransfer, dir: string): Promise<PendingFile[]> {
  const entries: FileSystemEntry[] = [];
  for (const item of Array.from(dt.items ?? [])) {
    if (item.kind !== 'file') continue;
    const e = item.webkitGetAsEntry?.();
    if (e) entries.push(e);
  }
  if (!entries.length || entries.every((e) => e.isFile)) {
    return Array.from(dt.files).map((file) => ({ file, path: joinPath(dir, file.name) }));
  }
  const out: PendingFile[] = [];
  const walk = async (e: FileSystemEntry, base: string): Promise<void> => {
    if (e.isFile) {
      const file = await new Promise<File>((res, rej) => (e as FileSystemFileEntry).file(res, rej));
      out.push({ file, path: joinPath(base, file.name) });
    } else if (e.isDirectory) {
      const reader = (e as FileSystemDirectoryEntry).createReader();
      const sub = joinPath(base, e.name);
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const c of batch) await walk(c, sub);
      }
    }
  };
  for (const e of entries) await walk(e, dir);
  return out;
}

// Folder info (permission, usage) per folder name. Usage can cost a tree
// walk on the server, so directory changes reuse it for a while and only
// changes made here refresh it.
const infoCache = new Map<string, { folder: Folder; at: number }>();

async function folderInfo(name: string, fresh = false): Promise<Folder> {
  const c = infoCache.get(name);
  if (!fresh && c && Date.now() - c.at < 30000) return c.folder;
  const f = await api.folder(name);
  infoCache.set(name, { folder: f, at: Date.now() });
  return f;
}

// "Snapshots": a link to the folder's snapshots, or a disabled button that
// says why there are none on this folder's volume.
function snapshotsAction(folder: Folder): HTMLElement {
  const slot = h('span', { class: 'snapshots-action' });
  knownVolumes().then((vols) => {
    const why = snapshotsUnavailable(folder.volume, vols);
    if (!why) {
      replace(slot, h('a', { class: 'button secondary', href: formatRoute({ page: 'snapshots', folder: folder.name }) }, 'Snapshots'));
      return;
    }
    const note = h('span', { class: 'hint', id: `snap-why-${folder.id}` }, why);
    replace(slot, h('button', { type: 'button', class: 'secondary', disabled: true, 'aria-describedby': note.id }, 'Snapshots'), ' ', note);
  });
  return slot;
}

export function renderExplorer(main: HTMLElement, ctx: AppContext, folderName: string, path: string): () => void {
  const crumbs = crumbNav(breadcrumbs(folderName, path), (p) => formatRoute({ page: 'explorer', folder: folderName, path: p }));
  const head = h('div', { class: 'page-head' }, h('h1', {}, folderName));
  const uploadBtn = h('button', { type: 'button', class: 'primary' }, 'Upload');
  const fileInput = h('input', { type: 'file', multiple: true, hidden: true, 'aria-label': 'Files to upload' });
  const mkdirBtn = h('button', { type: 'button', class: 'secondary' }, 'New directory');
  const zipBtn = h('button', { type: 'button', class: 'secondary' }, 'Download as zip');
  const refreshBtn = h('button', { type: 'button', class: 'secondary' }, 'Refresh');
  const info = h('p', { class: 'lead' });
  const uploads = h('ul', { class: 'uploads', 'aria-label': 'Uploads' });
  const listWrap = h('div', { class: 'table-wrap' }, h('p', { class: 'loading' }, 'Loading…'));
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more');
  const dropHint = h('div', { class: 'drop-hint', 'aria-hidden': 'true' }, 'Drop files to upload them here');
  const zone = h(
    'section',
    { class: 'explorer', 'aria-label': `Files in ${folderName}` },
    h('div', { class: 'toolbar' }, uploadBtn, fileInput, mkdirBtn, zipBtn, refreshBtn),
    uploads,
    listWrap,
    more,
    dropHint,
  );
  replace(
    main,
    h('p', { class: 'back' }, h('a', { href: '#/storage' }, '← All folders')),
    head,
    crumbs,
    info,
    zone,
  );

  let folder: Folder | null = null;
  let disposed = false;
  const readOnly = () => folder?.permission === 'ro';

  function applyPermission(): void {
    const ro = readOnly();
    for (const b of [uploadBtn, mkdirBtn]) {
      b.disabled = ro;
      b.title = ro ? 'This folder is shared with you read-only.' : '';
    }
    const u = folder?.usage;  // files is null on volumes that count bytes only
    info.textContent = [
      folder?.permission === 'ro' ? 'Read-only.' : '',
      !u ? '' : u.files === null ? `${formatBytes(u.bytes)} used.`
        : `${formatBytes(u.bytes)} in ${u.files} file${u.files === 1 ? '' : 's'}.`,
      readOnly() ? '' : 'Drop files anywhere below to upload them here.',
    ].filter(Boolean).join(' ');
  }

  function entryHref(e: Entry): string {
    return formatRoute({ page: 'explorer', folder: folderName, path: joinPath(path, e.name) });
  }

  function showList(entries: Entry[]): void {
    if (!entries.length) {
      replace(listWrap, h('div', { class: 'empty-state' },
        h('p', {}, path ? 'This directory is empty.' : 'This folder is empty.'),
        readOnly() ? null : h('p', { class: 'hint' }, 'Upload files with the Upload button or drop them here.')));
      return;
    }
    const rows = entries.map((e) => {
      const isDir = e.type === 'dir';
      const dl = h('button', { type: 'button', class: 'secondary', disabled: e.type === 'other' || e.type === 'symlink' }, 'Download');
      dl.addEventListener('click', () => download(entryPath(path, e), isDir ? `${e.name}.zip` : e.name, dl));
      const rename = h('button', { type: 'button', class: 'secondary', disabled: readOnly() }, 'Rename');
      rename.addEventListener('click', () => openRename(e));
      const del = h('button', { type: 'button', class: 'danger-outline', disabled: readOnly() }, 'Delete');
      del.addEventListener('click', () => remove(e));
      return entryRow(e, entryHref(e), [dl, rename, del]);
    });
    replace(listWrap, entryTable(`Contents of ${path || folderName}`, rows));
  }

  // After a change: re-list and refresh the usage line.
  function changed(): void {
    load();
    folderInfo(folderName, true).then((f) => {
      if (disposed) return;
      folder = f;
      applyPermission();
    }, () => {});
  }

  const load = pagedListing({
    wrap: listWrap,
    more,
    page: async (after) => {
      if (!folder) {
        folder = await folderInfo(folderName);
        applyPermission();
        head.appendChild(snapshotsAction(folder));
      }
      return api.list(folderName, path, after);
    },
    show: showList,
    upHref: path ? formatRoute({ page: 'explorer', folder: folderName, path: parentPath(path) }) : '#/storage',
    disposed: () => disposed,
  });

  async function download(p: FilePath, filename: string, btn: HTMLButtonElement): Promise<void> {
    btn.disabled = true;
    try {
      let url: string;
      try {
        url = (await api.downloadLink(folderName, p)).url;
      } catch (e) {
        // A berthd without signed links still serves the file to the cookie.
        if (!(e instanceof ApiError && e.noEndpoint)) throw e;
        url = api.contentUrl(folderName, p);
      }
      startDownload(url, filename);
    } catch (e) {
      notifyError(e);
    } finally {
      btn.disabled = false;
    }
  }

  function uploadOne(p: PendingFile): Promise<void> {
    const bar = h('progress', { max: '1', value: '0', 'aria-label': `Uploading ${p.path}` });
    const pct = h('span', { class: 'pct' }, '0%');
    const state = h('span', { class: 'state' });
    const cancel = h('button', { type: 'button', class: 'link' }, 'Cancel');
    const item = h('li', { class: 'upload' }, h('span', { class: 'uname' }, p.path), bar, pct, state, cancel);
    uploads.appendChild(item);
    const run = async (overwrite: boolean): Promise<void> => {
      const handle = upload(folderName, p.path, p.file, overwrite, (f) => {
        bar.value = f;
        pct.textContent = `${Math.round(f * 100)}%`;
      });
      cancel.onclick = () => handle.abort();
      try {
        await handle.promise;
        state.textContent = 'Uploaded';
        item.classList.add('done');
        cancel.remove();
        setTimeout(() => item.remove(), 4000);
      } catch (e) {
        if (e instanceof ApiError && e.status === 409 && !overwrite) {
          const ok = await confirmDialog(`Replace ${p.path}?`, `${p.path} already exists in ${folderName}. Replace it with the uploaded file?`, 'OK', false);
          if (ok) return run(true);
        }
        state.textContent = errorMessage(e);
        state.setAttribute('role', 'alert');
        item.classList.add('failed');
        cancel.textContent = 'Dismiss';
        cancel.onclick = () => item.remove();
      }
    };
    return run(false);
  }

  async function uploadAll(files: PendingFile[]): Promise<void> {
    if (!files.length) return;
    // Directories that a dropped tree needs, parents first.
    const dirs = new Set<string>();
    for (const f of files) {
      for (let d = parentPath(f.path); d && d !== path; d = parentPath(d)) dirs.add(d);
    }
    for (const d of [...dirs].sort((a, b) => a.length - b.length)) {
      try {
        await api.mkdir(folderName, d);
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 409)) notifyError(e);
      }
    }
    // A few at a time: enough to fill the pipe, few enough to see progress.
    const queue = [...files];
    const workers = Array.from({ length: Math.min(3, queue.length) }, async () => {
      for (let f = queue.shift(); f; f = queue.shift()) await uploadOne(f);
    });
    await Promise.all(workers);
    if (!disposed) changed();
  }

  function openMkdir(): void {
    const f = validatedField({ label: 'Name', validate: (v) => entryNameError(v) });
    const d = formDialog({
      title: 'New directory',
      submitLabel: 'Create',
      content: f.element,
      onSubmit: async () => {
        await api.mkdir(folderName, joinPath(path, f.input.value));
        notify(`Directory ${f.input.value} created.`);
        changed();
      },
    });
    f.bind(d.submit);
    f.input.focus();
  }

  function openRename(e: Entry): void {
    const f = validatedField({
      label: 'New name',
      value: e.name,
      hint: 'Use a/b to move it into a directory of this folder.',
      validate: (v) => entryNameError(v, true),
      blocked: (v) => v === e.name,
    });
    const d = formDialog({
      title: `Rename ${e.name}`,
      submitLabel: 'Rename',
      content: f.element,
      onSubmit: async () => {
        await api.move(folderName, entryPath(path, e), joinPath(path, f.input.value));
        notify(`${e.name} renamed to ${f.input.value}.`);
        changed();
      },
    });
    f.bind(d.submit);
    f.input.select();
  }

  async function remove(e: Entry): Promise<void> {
    const isDir = e.type === 'dir';
    const ok = await confirmDialog(
      `Delete ${e.name}?`,
      isDir ? `The directory ${e.name} and everything in it will be deleted for good.` : `${e.name} will be deleted for good.`,
    );
    if (!ok) return;
    await attempt(() => api.remove(folderName, entryPath(path, e), isDir), `${e.name} deleted.`);
    changed();
  }

  uploadBtn.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    const files = Array.from(fileInput.files ?? []).map((file) => ({ file, path: joinPath(path, file.name) }));
    fileInput.value = '';
    uploadAll(files);
  });
  mkdirBtn.addEventListener('click', openMkdir);
  zipBtn.addEventListener('click', () => download(path, `${path ? path.split('/').pop() : folderName}.zip`, zipBtn));
  refreshBtn.addEventListener('click', () => changed());

  // Drag and drop: the counter copes with dragenter/dragleave pairs from children.
  let depth = 0;
  const hasFiles = (e: DragEvent) => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
  zone.addEventListener('dragenter', (e) => {
    if (!hasFiles(e) || readOnly()) return;
    e.preventDefault();
    depth++;
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragover', (e) => {
    if (!hasFiles(e) || readOnly()) return;
    e.preventDefault();
    e.dataTransfer!.dropEffect = 'copy';
  });
  zone.addEventListener('dragleave', () => {
    if (--depth <= 0) {
      depth = 0;
      zone.classList.remove('dragging');
    }
  });
  zone.addEventListener('drop', async (e) => {
    depth = 0;
    zone.classList.remove('dragging');
    if (!e.dataTransfer || readOnly()) return;
    e.preventDefault();
    try {
      uploadAll(await droppedFiles(e.dataTransfer, path));
    } catch (err) {
      notifyError(err);
    }
  });

  const off = onChange((kind, data) => {
    // Only a change to this folder re-lists; poll ticks would flicker.
    // The event's shape may grow; any mention of this folder's name counts.
    if (kind === 'folder' && (!data || JSON.stringify(data).includes(JSON.stringify(folderName)))) changed();
  });
  load();
  void ctx;
  return () => {
    disposed = true;
    off();
  };
}
