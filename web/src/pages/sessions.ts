// The Sessions page: the list of the user's sessions with their status and
// mounts, the START launcher, a terminal panel, one button per app (e.g.
// Jupyter, opened in a new tab) and delete.

import { api, ApiError, appOpenPath, type Session, type SessionApp } from '../api';
import type { AppContext } from '../app_context';
import { onChange } from '../events';
import { formatTime, h, listTable, replace } from '../ui/dom';
import { confirmDialog, errorMessage } from '../ui/dialog';
import { attempt, notify, notifyError } from '../ui/notice';
import { openLauncher } from './launcher';
import { openTerminal, type TerminalPanel } from './terminal';
import { snapshotMountName } from '../lib/snapshots';

const kStatusText: Record<string, string> = {
  pending: 'Pending',
  creating: 'Creating',
  running: 'Running',
  terminating: 'Terminating',
  terminated: 'Terminated',
  error: 'Error',
  lost: 'Lost',
};

export function renderSessions(main: HTMLElement, ctx: AppContext, terminalFor?: string): () => void {
  const start = h('button', { type: 'button', class: 'primary start' }, 'START');
  const body = h('div', { class: 'table-wrap' }, h('p', { class: 'loading' }, 'Loading sessions…'));
  const termSlot = h('div', { class: 'term-slot' });
  replace(
    main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Sessions'), start),
    h('p', { class: 'lead' }, 'A session is a container you work in. Files persist only in the storage folders you mount.'),
    body,
    termSlot,
  );

  let last = '';
  let unavailable = false;
  let term: TerminalPanel | null = null;
  // A session's apps come from its image and never change: asked once.
  const appsOf = new Map<string, SessionApp[]>();

  function appButton(s: Session, a: SessionApp): HTMLElement {
    const b = h('button', { type: 'button', class: 'secondary', title: `Open ${a.display_name} in a new tab` }, a.display_name);
    b.addEventListener('click', () => window.open(appOpenPath(s.name, a.name), '_blank', 'noopener'));
    return b;
  }

  // The app buttons of a running session, filled in once its apps are known.
  function appButtons(s: Session): HTMLElement {
    const slot = h('span', { class: 'app-buttons' });
    if (s.status !== 'running') return slot;
    const fill = (apps: SessionApp[]) => replace(slot, ...apps.map((a) => appButton(s, a)));
    const known = appsOf.get(s.id);
    if (known) {
      fill(known);
    } else {
      api.sessionApps(s.name).then((apps) => {
        appsOf.set(s.id, apps);
        fill(apps);
      }, () => { /* no apps offered: the row keeps its other actions */ });
    }
    return slot;
  }

  function showTable(list: Session[]): void {
    const key = JSON.stringify(list);
    if (key === last) return;
    last = key;
    if (!list.length) {
      replace(body, h('div', { class: 'empty-state' },
        h('p', {}, 'No sessions yet.'),
        h('p', { class: 'hint' }, 'Press START to launch a session with your storage folders mounted.')));
      return;
    }
    const rows = list.map((s) => {
      const live = s.status === 'running';
      const termBtn = h('button', { type: 'button', class: 'secondary', disabled: !live, title: live ? '' : 'The session is not running.' }, 'Terminal');
      termBtn.addEventListener('click', () => ctx.navigate({ page: 'sessions', terminal: s.name }));
      const del = h('button', { type: 'button', class: 'danger-outline', disabled: s.status === 'terminating' }, 'Delete');
      del.addEventListener('click', () => deleteSession(s, del));
      const mounts = (s.mounts ?? []).map((m) =>
        h('li', {}, h('code', {}, m.snapshot ? snapshotMountName(m.folder, m.snapshot) : m.folder), ' → ', h('code', {}, m.target), m.permission === 'ro' ? ' (read-only)' : '', m.automount ? ' · automount' : ''));
      return h(
        'tr',
        {},
        h('th', { scope: 'row' }, s.name),
        h('td', {}, h('span', { class: `badge st-${s.status}` }, kStatusText[s.status] ?? s.status),
          s.error ? h('div', { class: 'field-error' }, s.error) : null,
          s.status_reason === 'share_revoked'
            ? h('div', { class: 'hint' }, 'Ended: a folder it mounted is no longer shared with you.')
            : null,
          s.status === 'pending' && s.status_reason
            ? h('div', { class: 'hint' }, `Waiting for the cluster: ${s.status_reason}`)
            : null,
          s.status === 'lost'
            ? h('div', { class: 'hint' }, 'Its node or agent went away; your folders are safe. Delete it to clean up.')
            : null,
          s.node ? h('div', { class: 'hint' }, `on ${s.node}`) : null),
        h('td', { class: 'hide-narrow' }, s.image),
        h('td', { class: 'mounts-col' }, mounts.length ? h('ul', { class: 'mounts-cell' }, mounts) : h('span', { class: 'hint' }, 'none')),
        h('td', { class: 'hide-narrow' }, formatTime(s.created_at)),
        h('td', { class: 'actions' }, termBtn, appButtons(s), del),
      );
    });
    replace(
      body,
      listTable('Your sessions', [
        { label: 'Name' }, { label: 'Status' }, { label: 'Image', narrow: false },
        { label: 'Mounts' }, { label: 'Created', narrow: false }, { label: 'Actions' },
      ], rows),
    );
  }

  async function refresh(): Promise<void> {
    if (unavailable) return;
    try {
      const list = await api.sessions();
      // A session the server ended (e.g. share_revoked) stays listed until
      // its owner deletes it, so they can see why; others vanish once gone.
      showTable(list.filter((s) => s.status !== 'terminated' || s.status_reason));
    } catch (e) {
      if (e instanceof ApiError && e.noEndpoint) {
        unavailable = true;
        start.disabled = true;
        replace(body, h('div', { class: 'empty-state' }, h('p', {}, 'This server does not run sessions yet.'),
          h('p', { class: 'hint' }, 'Storage folders work already: see Data & Storage.')));
        return;
      }
      last = '';
      replace(body, h('p', { class: 'form-error', role: 'alert' }, errorMessage(e)));
    }
  }

  async function deleteSession(s: Session, btn: HTMLButtonElement): Promise<void> {
    const ok = await confirmDialog(
      `Delete session ${s.name}?`,
      'All its processes stop and everything outside the mounted storage folders is deleted. Files in mounted folders stay.',
    );
    if (!ok) return;
    btn.disabled = true;
    const done = await attempt(() => api.deleteSession(s.name), `Session ${s.name} deleted.`);
    btn.disabled = false;
    if (done && terminalFor === s.name) ctx.navigate({ page: 'sessions' });
    refresh();
  }

  start.addEventListener('click', async () => {
    start.disabled = true;
    try {
      await openLauncher((s) => {
        notify(`Session ${s.name} is ${s.status ?? 'starting'}.`);
        refresh();
      });
    } catch (e) {
      notifyError(e);
    } finally {
      if (!unavailable) start.disabled = false;
    }
  });

  if (terminalFor) {
    term = openTerminal(terminalFor, () => ctx.navigate({ page: 'sessions' }));
    termSlot.appendChild(term.element);
  }

  const off = onChange((kind) => {
    if (kind === 'session' || kind === 'poll') refresh();
  });
  refresh();
  return () => {
    off();
    term?.dispose();
  };
}
