// The START dialog: image, resources, a "Folders to mount" list with a
// target and ro/rw per row, and the automount folders that will be added.
// Mount targets are checked as the user types (lib/mounts.ts). A folder on a
// volume with snapshots may be mounted as one of its snapshots instead
// (read-only, default target /home/work/NAME@SNAP): one row per folder, so a
// session mounts the live folder or one snapshot of it, not both.

import { api, type CreateSession, type Folder, type Image, type ResourceGroup, type Session } from '../api';
import { automountTargets, checkMounts, type MountRequest } from '../lib/mounts';
import { isAutomountName, sessionNameError } from '../lib/names';
import { groupChoice } from '../lib/resource_groups';
import { newestFirst, snapshotMountName, snapshotsUnavailable } from '../lib/snapshots';
import { knownVolumes } from '../lib/volume_cache';
import { h, replace, uid } from '../ui/dom';
import { formDialog } from '../ui/dialog';

interface Row {
  folder: Folder;
  check: HTMLInputElement;
  target: HTMLInputElement;
  perm: HTMLSelectElement;
  /** Which snapshot to mount ('' the live folder); null on volumes without snapshots. */
  snap: HTMLSelectElement | null;
  error: HTMLElement;
  row: HTMLElement;
}

export async function openLauncher(onLaunched: (s: Session) => void): Promise<void> {
  const [folders, images, volumes, groups] = await Promise.all([
    api.folders(), api.images(), knownVolumes(),
    // An older server without the route: no select, as on one host.
    api.resourceGroups().catch((): ResourceGroup[] => []),
  ]);
  const ready = folders.filter((f) => f.status === 'ready' || !f.status);
  const mountable = ready.filter((f) => !isAutomountName(f.name));
  const autoFolders = ready.filter((f) => isAutomountName(f.name) && f.permission !== 'ro');

  const nameId = uid('sess-name');
  const name = h('input', { id: nameId, autocomplete: 'off', spellcheck: 'false', placeholder: 'generated when empty' });
  const nameError = h('p', { class: 'field-error', id: uid('err'), 'aria-live': 'polite' });
  name.setAttribute('aria-describedby', nameError.id);

  const imageId = uid('image');
  const image = h('select', { id: imageId }, images.map((i: Image, k) => h('option', { value: i.name, selected: k === 0 || i.default === true }, i.name)));
  const cpuId = uid('cpu');
  const cpu = h('input', { id: cpuId, type: 'number', min: '0.1', step: '0.1', inputmode: 'decimal', placeholder: 'no limit' });
  // Resource group (a Slurm partition): shown only when there is a choice.
  const groupsOffered = groupChoice(groups);
  const groupId = uid('group');
  const group = h('select', { id: groupId },
    groupsOffered.options.map((o) => h('option', { value: o.value, disabled: o.disabled, selected: o.value === groupsOffered.initial }, o.label)));
  const memId = uid('mem');
  const mem = h('input', { id: memId, type: 'number', min: '0.1', step: '0.1', inputmode: 'decimal', placeholder: 'no limit' });

  // Folders to mount.
  const rows: Row[] = mountable.map((f) => {
    const id = uid('mnt');
    const check = h('input', { type: 'checkbox', id, value: f.name });
    const target = h('input', {
      type: 'text',
      'aria-label': `Mount target for ${f.name}`,
      placeholder: `/home/work/${f.name}`,
      disabled: true,
      spellcheck: 'false',
      autocomplete: 'off',
    });
    const perm = h(
      'select',
      { 'aria-label': `Permission for ${f.name}`, disabled: true },
      h('option', { value: 'rw', disabled: f.permission === 'ro', selected: f.permission !== 'ro' }, 'read-write'),
      h('option', { value: 'ro', selected: f.permission === 'ro' }, 'read-only'),
    );
    const error = h('p', { class: 'field-error', id: uid('err'), 'aria-live': 'polite' });
    target.setAttribute('aria-describedby', error.id);
    const snap = snapshotsUnavailable(f.volume, volumes) ? null
      : h('select', { 'aria-label': `Snapshot of ${f.name}`, class: 'mount-snap', hidden: true },
        h('option', { value: '' }, 'live folder'));
    const row = h(
      'li',
      { class: 'mount-row' },
      h('label', { class: 'mount-name', for: id }, check, h('span', {}, f.name)),
      target,
      perm,
      snap,
      error,
    );
    row.querySelector('label')!.setAttribute('title', f.owner ? `owner: ${f.owner}` : '');
    return { folder: f, check, target, perm, snap, error, row };
  });

  const filter = h('input', { type: 'search', 'aria-label': 'Filter folders', placeholder: 'Filter folders' });
  const selectedCount = h('span', { class: 'hint', 'aria-live': 'polite' });
  const folderList = h('ul', { class: 'mount-list' }, rows.map((r) => r.row));
  const folderSet = h(
    'fieldset',
    { class: 'mounts' },
    h('legend', {}, 'Folders to mount'),
    rows.length > 6 ? filter : null,
    rows.length
      ? folderList
      : h('p', { class: 'empty' }, 'You have no storage folders yet. Create one on the Data & Storage page to keep files after the session ends.'),
    rows.length ? selectedCount : null,
  );

  // Automount folders.
  const automount = h('input', { type: 'checkbox', id: uid('auto'), checked: true });
  const autoList = h('ul', { class: 'auto-list', 'aria-label': 'Automount folders that will be added' });
  const autoBox = h(
    'section',
    { class: 'automount', 'aria-labelledby': 'auto-title' },
    h('h3', { id: 'auto-title' }, 'Automount folders'),
    h('label', { class: 'inline', for: automount.id }, automount, ' Mount my automount folders'),
    autoList,
  );

  const submitEl = { current: null as HTMLButtonElement | null };

  // The mount name (NAME@SNAP for a snapshot) stands for the folder in the
  // target checks: it is what the default target is made of.
  function mountRequests(): { rows: Row[]; reqs: MountRequest[] } {
    const sel = rows.filter((r) => r.check.checked);
    return {
      rows: sel,
      reqs: sel.map((r) => {
        const s = r.snap?.value;
        return s
          ? { folder: snapshotMountName(r.folder.name, s), target: r.target.value, permission: 'ro' }
          : { folder: r.folder.name, target: r.target.value, permission: r.perm.value as 'ro' | 'rw' };
      }),
    };
  }

  // Fills a row's snapshot select the first time the row is ticked.
  const asked = new Set<Row>();
  async function loadSnapshots(r: Row): Promise<void> {
    if (!r.snap || asked.has(r)) return;
    asked.add(r);
    try {
      const list = newestFirst(await api.snapshots(r.folder.name));
      r.snap.append(...list.map((s) => h('option', { value: s.name }, `snapshot ${s.name} (read-only)`)));
    } catch {
      asked.delete(r);  // offered again on the next tick; the live folder still mounts
    }
  }

  function update(): void {
    for (const r of rows) {
      const snapshot = r.snap?.value ?? '';
      r.target.disabled = !r.check.checked;
      r.perm.disabled = !r.check.checked || !!snapshot;
      if (snapshot) r.perm.value = 'ro';
      r.target.placeholder = `/home/work/${snapshot ? snapshotMountName(r.folder.name, snapshot) : r.folder.name}`;
      if (r.snap) r.snap.hidden = !r.check.checked;
      r.row.classList.toggle('selected', r.check.checked);
      r.error.textContent = '';
      r.target.removeAttribute('aria-invalid');
    }
    const autoNames = automount.checked ? autoFolders.map((f) => f.name) : [];
    const { rows: sel, reqs } = mountRequests();
    const checks = checkMounts(reqs, autoNames);
    let bad = false;
    checks.forEach((c, i) => {
      if (c.error) {
        bad = true;
        sel[i].error.textContent = c.error;
        sel[i].target.setAttribute('aria-invalid', 'true');
      }
    });
    const ne = sessionNameError(name.value);
    nameError.textContent = ne ?? '';
    if (ne) name.setAttribute('aria-invalid', 'true');
    else name.removeAttribute('aria-invalid');
    selectedCount.textContent = `${sel.length} of ${rows.length} selected`;

    if (!autoFolders.length) {
      replace(autoList, h('li', { class: 'empty' }, 'None. A folder whose name starts with a dot (such as .local) is mounted into every session.'));
    } else if (!automount.checked) {
      replace(autoList, h('li', { class: 'empty' }, 'Automount is off for this session.'));
    } else {
      replace(autoList, automountTargets(autoNames).map((a) => h('li', {}, h('code', {}, a.folder), ' → ', h('code', {}, a.target), ' (read-write)')));
    }
    if (submitEl.current) submitEl.current.disabled = bad || !!ne;
  }

  for (const r of rows) {
    r.check.addEventListener('change', () => {
      update();
      if (r.check.checked) {
        r.target.focus();
        void loadSnapshots(r);
      }
    });
    r.target.addEventListener('input', update);
    r.perm.addEventListener('change', update);
    r.snap?.addEventListener('change', update);
  }
  name.addEventListener('input', update);
  automount.addEventListener('change', update);
  filter.addEventListener('input', () => {
    const q = filter.value.toLowerCase();
    for (const r of rows) r.row.hidden = !!q && !r.folder.name.toLowerCase().includes(q) && !r.check.checked;
  });

  const d = formDialog({
    title: 'Start a session',
    wide: true,
    submitLabel: 'Launch',
    busyLabel: 'Launching…',
    content: [
      h('div', { class: 'grid2' },
        h('div', {}, h('label', { for: nameId }, 'Session name'), name, nameError),
        h('div', {}, h('label', { for: imageId }, 'Image'),
          images.length ? image : h('p', { class: 'field-error' }, 'No images are installed on this server.'))),
      h('div', { class: 'grid2' },
        h('div', {}, h('label', { for: cpuId }, 'CPU cores'), cpu),
        h('div', {}, h('label', { for: memId }, 'Memory (GiB)'), mem)),
      groupsOffered.show
        ? h('div', {}, h('label', { for: groupId }, 'Resource group'), group)
        : null,
      folderSet,
      autoBox,
      h('p', { class: 'hint' }, 'Only the mounted folders persist: everything else under /home/work is deleted with the session.'),
    ],
    onSubmit: async () => {
      const { rows: sel, reqs } = mountRequests();
      const body: CreateSession = {
        mounts: reqs.map((m, i) => {
          const snapshot = sel[i].snap?.value;
          return { folder: sel[i].folder.name, ...(snapshot ? { snapshot } : {}),
            ...(m.target.trim() ? { target: m.target.trim() } : {}), permission: m.permission };
        }),
        automount: automount.checked,
      };
      if (name.value) body.name = name.value;
      if (images.length) body.image = image.value;
      const resources: CreateSession['resources'] = {};
      if (cpu.value) resources.cpu = Number(cpu.value);
      if (mem.value) resources.memory = Math.round(Number(mem.value) * 1024 ** 3);
      if (Object.keys(resources).length) body.resources = resources;
      if (groupsOffered.show && group.value) body.resource_group = group.value;
      const s = await api.createSession(body);
      onLaunched(s);
    },
  });
  submitEl.current = d.submit;
  update();
  (rows[0]?.check ?? name).focus();
}
