// The Data & Storage page: folders (with usage), automount folders, trash,
// and the dialogs to create (on a chosen volume), rename, clone, share and
// delete folders.

import { api, type Folder } from '../api';
import type { AppContext } from '../app_context';
import { onChange } from '../events';
import type { StorageTab } from '../lib/route';
import { folderNameError, isAutomountName } from '../lib/names';
import { cloneFailure, cloneProgressOf, cloningBadge, type CloneProgress } from '../lib/clone_progress';
import { storageSummary } from '../lib/quota';
import { usageText as formatUsage, volumeChoice } from '../lib/volumes';
import { formatTime, h, listTable, replace } from '../ui/dom';
import { openShareDialog, renderInvitations } from './sharing';
import { validatedField, type Field } from '../ui/field';
import { confirmDialog, errorMessage, formDialog } from '../ui/dialog';
import { attempt, notify, notifyError } from '../ui/notice';

const kTabs: { tab: StorageTab; label: string }[] = [
  { tab: 'folders', label: 'Folders' },
  { tab: 'automount', label: 'Automount folders' },
  { tab: 'trash', label: 'Trash' },
];

function folderNameField(initial: string, hint: string): Field {
  return validatedField({ label: 'Name', value: initial, hint, validate: folderNameError });
}

// A "Volume" select, filled once GET /volumes answers and shown only when
// there are several volumes to choose from.
function volumeSelect(): { element: HTMLElement; value: () => string } {
  const select = h('select', { id: 'new-folder-volume' });
  const element = h('div', { class: 'field', hidden: true },
    h('label', { for: 'new-folder-volume' }, 'Volume'), select,
    h('p', { class: 'hint' }, 'Where the folder\'s data lives. Quotas on volumes with enforced quotas also stop writes from sessions.'));
  api.volumes().then((vols) => {
    const c = volumeChoice(vols);
    replace(select, ...c.options.map((o) => h('option', { value: o.value }, o.label)));
    select.value = c.initial;
    element.hidden = !c.show;
  }).catch(() => { /* no choice offered: the server's default volume */ });
  return { element, value: () => (element.hidden ? '' : select.value) };
}

export function openNewFolderDialog(ctx: AppContext, onCreated: (f: Folder) => void, initial = ''): void {
  const f = folderNameField(initial, 'Letters, digits, ".", "_" and "-". A name starting with a dot (such as .local) makes an automount folder: it is mounted into every new session.');
  const volume = volumeSelect();
  const d = formDialog({
    title: 'New folder',
    submitLabel: 'Create',
    busyLabel: 'Creating…',
    content: h('div', {}, f.element, volume.element),
    onSubmit: async () => {
      const folder = await api.createFolder(f.input.value, volume.value() || undefined);
      notify(isAutomountName(folder.name)
        ? `Automount folder ${folder.name} created; it will be mounted into every new session.`
        : `Folder ${folder.name} created.`);
      onCreated(folder);
      if (isAutomountName(folder.name)) ctx.navigate({ page: 'storage', tab: 'automount' });
    },
  });
  f.bind(d.submit);
  f.input.focus();
}

export function renderStorage(main: HTMLElement, ctx: AppContext, tab: StorageTab): () => void {
  const newFolder = h('button', { type: 'button', class: 'primary' }, 'New folder');
  const tabs = h(
    'div',
    { class: 'tabs', role: 'tablist', 'aria-label': 'Storage views' },
    kTabs.map((t) =>
      h('a', {
        role: 'tab',
        href: t.tab === 'folders' ? '#/storage' : `#/storage?tab=${t.tab}`,
        'aria-selected': t.tab === tab ? 'true' : 'false',
        'aria-controls': 'storage-panel',
        id: `tab-${t.tab}`,
      }, t.label),
    ),
  );
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern); Tab leaves.
  tabs.addEventListener('keydown', (e) => {
    const i = kTabs.findIndex((t) => t.tab === tab);
    const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!d) return;
    e.preventDefault();
    const nextTab = kTabs[(i + d + kTabs.length) % kTabs.length].tab;
    document.getElementById(`tab-${nextTab}`)?.focus(); // render() keeps focus on this id
    ctx.navigate({ page: 'storage', tab: nextTab });
  });
  for (const a of tabs.querySelectorAll('a')) a.tabIndex = a.getAttribute('aria-selected') === 'true' ? 0 : -1;
  const intro: Record<StorageTab, string> = {
    folders: 'Storage folders keep your files after sessions end. Mount them when you START a session.',
    automount: 'Folders whose name starts with a dot are mounted into every new session at /home/work/<name>: .local keeps pip install --user packages, .linuxbrew keeps Homebrew.',
    trash: 'Deleted folders stay here with their data until you purge them. Restore brings one back.',
  };
  const body = h('div', { class: 'table-wrap' }, h('p', { class: 'loading' }, 'Loading folders…'));
  const invitations = h('div', { class: 'inv-slot' });
  // The user's total over the folders they own, trash included (GET /me).
  const quotaLine = h('p', { class: 'storage-quota', 'aria-live': 'polite' });
  replace(
    main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Data & Storage'), tab !== 'trash' ? newFolder : null),
    quotaLine,
    tabs,
    h('section', { id: 'storage-panel', role: 'tabpanel', 'aria-labelledby': `tab-${tab}` },
      h('p', { class: 'lead' }, intro[tab]), tab === 'folders' ? invitations : null, body),
  );

  let last = '';
  const usage = new Map<string, Folder['usage']>();
  // Streamed clones under way, by folder id (their "cloning" events).
  const progress = new Map<string, CloneProgress>();
  const isMine = (f: Folder) => !f.owner || f.owner === ctx.me.name || f.owner === ctx.me.id;

  function folderActions(f: Folder): HTMLElement {
    if (tab === 'trash') {
      const restore = h('button', { type: 'button', class: 'secondary' }, 'Restore');
      restore.addEventListener('click', async () => {
        restore.disabled = true;
        await attempt(() => api.restoreFolder(f.id), `Folder ${f.name} restored.`);
        restore.disabled = false;
        refresh();
      });
      const purge = h('button', { type: 'button', class: 'danger-outline' }, 'Purge');
      purge.addEventListener('click', async () => {
        const ok = await confirmDialog(`Purge folder ${f.name}?`, 'Its files are deleted for good. This cannot be undone.');
        if (!ok) return;
        await attempt(() => api.deleteFolder(f.id, true), `Folder ${f.name} purged.`);
        refresh();
      });
      return h('td', { class: 'actions' }, restore, purge);
    }
    // A folder still being copied has nothing to act on until it is ready.
    if (f.status === 'cloning') return h('td', { class: 'actions' });
    const open = h('a', { class: 'button secondary', href: `#/storage/${encodeURIComponent(f.name)}` }, 'Open');
    const mine = isMine(f);
    const rename = h('button', { type: 'button', class: 'secondary' }, 'Rename');
    rename.addEventListener('click', () => openRename(f));
    const clone = h('button', { type: 'button', class: 'secondary' }, 'Clone');
    clone.addEventListener('click', () => openClone(f));
    const share = h('button', { type: 'button', class: 'secondary', hidden: isAutomountName(f.name) }, 'Share');
    share.addEventListener('click', () => openShareDialog(f));
    const del = h('button', { type: 'button', class: 'danger-outline' }, 'Delete');
    del.addEventListener('click', async () => {
      const ok = await confirmDialog(`Delete folder ${f.name}?`, 'It moves to the trash with its files; you can restore it from there.');
      if (!ok) return;
      await attempt(() => api.deleteFolder(f.name), `Folder ${f.name} moved to the trash.`);
      refresh();
    });
    if (!mine) {
      const leave = h('button', { type: 'button', class: 'danger-outline' }, 'Leave');
      leave.addEventListener('click', async () => {
        const ok = await confirmDialog(`Leave folder ${f.name}?`, `${f.owner} shared it with you; it disappears from your list and the files stay with ${f.owner}.`);
        if (!ok) return;
        await attempt(() => api.leave(f.name), `You left ${f.name}.`);
        refresh();
      });
      return h('td', { class: 'actions' }, open, clone, leave);
    }
    return h('td', { class: 'actions' }, open, rename, clone, share, del);
  }

  function usageText(f: Folder): string {
    const u = f.usage ?? usage.get(f.id);
    if (!u) return '…';
    return formatUsage(u);
  }

  function show(list: Folder[]): void {
    const key = JSON.stringify(list) + JSON.stringify([...usage]) + JSON.stringify([...progress]);
    if (key === last) return;
    last = key;
    if (!list.length) {
      const empty: Record<StorageTab, string> = {
        folders: 'No folders yet. Press New folder to create one, then mount it when you START a session.',
        automount: 'No automount folders. Create a folder named .local to keep pip install --user packages across sessions.',
        trash: 'The trash is empty.',
      };
      replace(body, h('div', { class: 'empty-state' }, h('p', {}, empty[tab])));
      return;
    }
    replace(
      body,
      listTable(kTabs.find((t) => t.tab === tab)!.label, [
        { label: 'Name' }, { label: 'Permission', narrow: false }, { label: 'Owner', narrow: false },
        { label: 'Usage' }, { label: 'Created', narrow: false }, { label: 'Actions' },
      ], list.map((f) => h('tr', {},
          h('th', { scope: 'row' }, tab === 'trash' || f.status === 'cloning' ? f.name : h('a', { href: `#/storage/${encodeURIComponent(f.name)}` }, f.name),
            f.status === 'cloning' ? h('span', { class: 'badge cloning', role: 'status' }, cloningBadge(progress.get(f.id))) : null,
            isAutomountName(f.name) && tab !== 'automount' ? h('span', { class: 'badge' }, 'automount') : null,
            f.permission === 'ro' ? h('span', { class: 'badge show-narrow' }, 'read-only') : null),
          h('td', { class: 'hide-narrow' }, f.permission === 'ro' ? 'read-only' : 'read-write'),
          h('td', { class: 'hide-narrow' }, f.owner ?? ''),
          h('td', { class: 'usage' }, tab === 'trash' || f.status === 'cloning' ? '—' : usageText(f)),
          h('td', { class: 'hide-narrow' }, formatTime(f.created_at)),
          folderActions(f)))),
    );
  }

  async function fillUsage(list: Folder[]): Promise<void> {
    const missing = list.filter((f) => f.status !== 'cloning' && !f.usage && !usage.has(f.id)).slice(0, 50);
    await Promise.all(missing.map(async (f) => {
      try {
        const full = await api.folder(f.id);
        if (full.usage) usage.set(f.id, full.usage);
      } catch {
        usage.set(f.id, undefined);
      }
    }));
  }

  let current: Folder[] = [];
  async function showQuota(): Promise<void> {
    try {
      const me = await api.me();
      const sum = storageSummary(me.used_bytes, me.quota_bytes);
      quotaLine.textContent = sum ? sum.text : '';
      quotaLine.classList.toggle('full', !!sum?.full);
      if (sum?.full) quotaLine.textContent += ' — over quota: uploads are refused until you delete or purge files.';
    } catch {
      quotaLine.textContent = '';
    }
  }

  async function refresh(withUsage = false): Promise<void> {
    void showQuota();
    try {
      const all = await api.folders(tab === 'trash');
      for (const id of [...progress.keys()]) {
        if (!all.some((f) => f.id === id && f.status === 'cloning')) progress.delete(id);
      }
      current = tab === 'trash' ? all : all.filter((f) => (tab === 'automount') === isAutomountName(f.name));
      show(current);
      if (tab !== 'trash') {
        if (withUsage) usage.clear();
        await fillUsage(current);
        show(current);
      }
    } catch (e) {
      last = '';
      replace(body, h('p', { class: 'form-error', role: 'alert' }, errorMessage(e)));
    }
  }

  function openRename(f: Folder): void {
    const field = validatedField({
      label: 'Name',
      value: f.name,
      validate: folderNameError,
      blocked: (v) => v === f.name,
    });
    const d = formDialog({
      title: `Rename folder ${f.name}`,
      submitLabel: 'Rename',
      content: field.element,
      onSubmit: async () => {
        await api.renameFolder(f.name, field.input.value);
        notify(`Folder ${f.name} renamed to ${field.input.value}.`);
        refresh();
      },
    });
    field.bind(d.submit);
    field.input.select();
  }

  function openClone(f: Folder): void {
    const field = validatedField({
      label: 'Name of the copy',
      value: `${f.name}-copy`,
      validate: folderNameError,
      hint: 'A new folder of yours with the same files (instant on volumes with instant clones).',
    });
    const d = formDialog({
      title: `Clone folder ${f.name}`,
      submitLabel: 'Clone',
      busyLabel: 'Cloning…',
      content: field.element,
      onSubmit: async () => {
        const c = await api.cloneFolder(f.name, field.input.value);
        notify(c.status === 'cloning'
          ? `Cloning folder ${f.name} as ${c.name}; it opens once the copy is done.`
          : `Folder ${f.name} cloned as ${c.name}.`);
        refresh(true);
      },
    });
    field.bind(d.submit);
    field.input.select();
  }

  newFolder.addEventListener('click', () => openNewFolderDialog(ctx, () => refresh(), tab === 'automount' ? '.' : ''));
  const off = onChange((kind, data) => {
    const step = kind === 'folder' ? cloneProgressOf(data) : null;
    if (step && current.some((f) => f.id === step.id)) {
      // Progress of a clone already listed: redraw its badge, fetch nothing.
      progress.set(step.id, step);
      show(current);
      return;
    }
    if (step) progress.set(step.id, step);
    const failed = kind === 'folder' ? cloneFailure(data) : null;
    if (failed) notifyError(new Error(failed));
    if (kind === 'folder' || kind === 'poll') refresh(kind === 'folder');
  });
  const refreshInvitations = () => renderInvitations(invitations, () => {
    refreshInvitations();
    refresh();
  });
  if (tab === 'folders') refreshInvitations();
  refresh(true);
  return off;
}
