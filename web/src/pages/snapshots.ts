// The snapshots of one folder (SPEC §2 "Snapshots"): the list, Take snapshot
// (optional name), Delete and Restore all (both confirmed), a Browse link to
// each (pages/snapshot_browser.ts), and the schedule editor
// (pages/snapshot_schedule.ts). On a volume without snapshots it says so and
// offers nothing.

import { api, type Folder, type Snapshot } from '../api';
import type { AppContext } from '../app_context';
import { onChange } from '../events';
import { formatBytes } from '../lib/paths';
import { formatRoute } from '../lib/route';
import { newestFirst, snapshotNameError, snapshotSize, snapshotsUnavailable } from '../lib/snapshots';
import { knownVolumes } from '../lib/volume_cache';
import { formatTime, h, listTable, replace } from '../ui/dom';
import { confirmDialog, errorMessage, formDialog } from '../ui/dialog';
import { validatedField } from '../ui/field';
import { attempt, notify } from '../ui/notice';
import { renderScheduleEditor } from './snapshot_schedule';

export function renderSnapshots(main: HTMLElement, ctx: AppContext, folderName: string): () => void {
  const take = h('button', { type: 'button', class: 'primary', disabled: true }, 'Take snapshot');
  const lead = h('p', { class: 'lead' }, `Read-only copies of ${folderName} as it was when each was taken. ` +
    'Browse one to restore single files or directories, or restore the whole folder. Snapshots count against your storage quota.');
  const body = h('div', { class: 'table-wrap' }, h('p', { class: 'loading' }, 'Loading snapshots…'));
  const schedule = h('section', { class: 'snapshot-schedule', 'aria-labelledby': 'schedule-title' });
  replace(
    main,
    h('p', { class: 'back' }, h('a', { href: formatRoute({ page: 'explorer', folder: folderName, path: '' }) }, `← ${folderName}`)),
    h('div', { class: 'page-head' }, h('h1', {}, `Snapshots of ${folderName}`), take),
    lead,
    body,
    schedule,
  );

  let disposed = false;
  let supported = false;  // known once start() has asked the volume
  let last = '';

  function snapshotRow(s: Snapshot): HTMLTableRowElement {
    const browseHref = formatRoute({ page: 'snapshot', folder: folderName, snapshot: s.name, path: '' });
    const restore = h('button', { type: 'button', class: 'secondary' }, 'Restore all');
    restore.addEventListener('click', () => restoreAll(s, restore));
    const del = h('button', { type: 'button', class: 'danger-outline' }, 'Delete');
    del.addEventListener('click', () => remove(s));
    const size = snapshotSize(s);
    return h('tr', {},
      h('th', { scope: 'row' }, h('a', { href: browseHref }, s.name), s.scheduled ? h('span', { class: 'badge' }, 'scheduled') : null),
      h('td', { class: 'hide-narrow' }, formatTime(s.created_at)),
      h('td', { class: 'size' }, size === undefined ? '—' : formatBytes(size)),
      h('td', { class: 'actions' }, h('a', { class: 'button secondary', href: browseHref }, 'Browse'), restore, del));
  }

  function show(list: Snapshot[]): void {
    const key = JSON.stringify(list);
    if (key === last) return;
    last = key;
    if (!list.length) {
      replace(body, h('div', { class: 'empty-state' }, h('p', {}, 'No snapshots yet. Press Take snapshot to keep a copy of the folder as it is now.')));
      return;
    }
    replace(body, listTable(`Snapshots of ${folderName}`, [
      { label: 'Name' }, { label: 'Created', narrow: false }, { label: 'Size' }, { label: 'Actions' },
    ], newestFirst(list).map(snapshotRow)));
  }

  async function refresh(): Promise<void> {
    try {
      const list = await api.snapshots(folderName);
      if (!disposed) show(list);
    } catch (e) {
      if (disposed) return;
      last = '';
      replace(body, h('p', { class: 'form-error', role: 'alert' }, errorMessage(e)));
    }
  }

  function openTake(): void {
    const f = validatedField({
      label: 'Name',
      validate: snapshotNameError,
      hint: 'Optional. Letters, digits, ".", "_" and "-"; empty: the current UTC time, such as 20260131T120000Z.',
    });
    const d = formDialog({
      title: `Take a snapshot of ${folderName}`,
      submitLabel: 'Take snapshot',
      busyLabel: 'Taking…',
      content: f.element,
      onSubmit: async () => {
        const s = await api.createSnapshot(folderName, f.input.value || undefined);
        notify(`Snapshot ${s?.name ?? f.input.value} of ${folderName} taken.`);
        refresh();
      },
    });
    f.bind(d.submit);
    f.input.focus();
  }

  async function restoreAll(s: Snapshot, button: HTMLButtonElement): Promise<void> {
    const ok = await confirmDialog(`Restore ${folderName} from ${s.name}?`,
      `Every file in ${folderName} goes back to how it was in snapshot ${s.name}; changes made since are lost. ` +
      'This is refused while a session mounts the folder: end the session first.');
    if (!ok) return;
    button.disabled = true;
    await attempt(() => api.restoreSnapshot(folderName, s.name), `${folderName} restored from snapshot ${s.name}.`);
    button.disabled = false;
  }

  async function remove(s: Snapshot): Promise<void> {
    const ok = await confirmDialog(`Delete snapshot ${s.name}?`, `The snapshot is deleted for good; ${folderName} itself is not changed.`);
    if (!ok) return;
    await attempt(() => api.deleteSnapshot(folderName, s.name), `Snapshot ${s.name} deleted.`);
    refresh();
  }

  async function start(): Promise<void> {
    let folder: Folder;
    try {
      folder = await api.folder(folderName);
    } catch (e) {
      replace(body, h('p', { class: 'form-error', role: 'alert' }, errorMessage(e)));
      return;
    }
    const why = snapshotsUnavailable(folder.volume, await knownVolumes());
    if (disposed) return;
    if (why) {
      take.hidden = true;
      replace(body, h('div', { class: 'empty-state' }, h('p', {}, why),
        h('p', { class: 'hint' }, 'Clone the folder onto such a volume to keep snapshots of it.')));
      return;
    }
    supported = true;
    take.disabled = false;
    renderScheduleEditor(schedule, folder);
    refresh();
  }

  take.addEventListener('click', openTake);
  const off = onChange((kind) => {
    if (supported && (kind === 'folder' || kind === 'poll')) refresh();
  });
  start();
  void ctx;
  return () => {
    disposed = true;
    off();
  };
}
