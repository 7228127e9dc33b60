// Folder sharing (SPEC §4): the owner's Share dialog (invite, change,
// revoke) and the invitee's pending invitations (accept, reject).

import { api, ApiError, type Folder, type Share } from '../api';
import { h, replace, uid } from '../ui/dom';
import { formDialog } from '../ui/dialog';
import { attempt, notify, notifyError } from '../ui/notice';

const permText = (p: string) => (p === 'rw' ? 'read-write' : 'read-only');

export function openShareDialog(f: Folder): void {
  const uId = uid('share-user');
  const pId = uid('share-perm');
  const user = h('input', { id: uId, autocomplete: 'off', spellcheck: 'false', required: true });
  const perm = h('select', { id: pId }, h('option', { value: 'ro' }, 'read-only'), h('option', { value: 'rw' }, 'read-write'));
  const current = h('ul', { class: 'share-list', 'aria-label': `People with access to ${f.name}` }, h('li', { class: 'hint' }, 'Loading…'));

  async function loadShares(): Promise<void> {
    let shares: Share[];
    try {
      shares = await api.shares(f.name);
    } catch (e) {
      replace(current, h('li', { class: 'field-error' }, e instanceof Error ? e.message : String(e)));
      return;
    }
    if (!shares.length) {
      replace(current, h('li', { class: 'hint' }, 'Not shared with anyone yet.'));
      return;
    }
    replace(current, shares.map((s) => {
      const revoke = h('button', { type: 'button', class: 'link', 'aria-label': `Revoke ${s.user}` }, 'Revoke');
      revoke.addEventListener('click', async () => {
        await attempt(() => api.unshare(f.name, s.user), `${s.user} no longer has access to ${f.name}.`);
        loadShares();
      });
      return h('li', {}, h('strong', {}, s.user), ` · ${permText(s.permission)} · ${s.status === 'pending' ? 'invited' : s.status}`, ' ', revoke);
    }));
  }

  formDialog({
    title: `Share folder ${f.name}`,
    submitLabel: 'Share',
    content: [
      h('div', { class: 'grid2' },
        h('div', {}, h('label', { for: uId }, 'User'), user),
        h('div', {}, h('label', { for: pId }, 'Permission'), perm)),
      h('p', { class: 'hint' }, 'The user gets an invitation and sees the folder once they accept it. Sharing again changes the permission.'),
      h('h3', {}, 'Shared with'),
      current,
    ],
    onSubmit: async () => {
      const who = user.value.trim();
      if (!who) throw new Error('Enter the name of the user to invite.');
      await api.share(f.name, who, perm.value as 'ro' | 'rw');
      notify(`Invited ${who} to ${f.name} (${permText(perm.value)}).`);
    },
  });
  loadShares();
  user.focus();
}

// Fills `box` with the caller's pending invitations (nothing when there are
// none or the server has no sharing). `changed` runs after accept/reject.
export async function renderInvitations(box: HTMLElement, changed: () => void): Promise<void> {
  let list: Share[];
  try {
    list = (await api.invitations()).filter((s) => s.status === 'pending' || !s.status);
  } catch (e) {
    if (!(e instanceof ApiError && e.noEndpoint)) notifyError(e);
    list = [];
  }
  if (!list.length) {
    replace(box);
    return;
  }
  replace(
    box,
    h('section', { class: 'invitations', 'aria-labelledby': 'inv-title' },
      h('h2', { id: 'inv-title' }, 'Invitations'),
      h('ul', {}, list.map((s) => {
        const accept = h('button', { type: 'button', class: 'primary' }, 'Accept');
        const reject = h('button', { type: 'button', class: 'secondary' }, 'Reject');
        const act = async (ok: boolean) => {
          accept.disabled = reject.disabled = true;
          await attempt(
            () => (ok ? api.acceptInvitation(s.id) : api.rejectInvitation(s.id)),
            ok ? `You can now use ${s.folder}.` : `Invitation to ${s.folder} rejected.`,
          );
          changed();
        };
        accept.addEventListener('click', () => act(true));
        reject.addEventListener('click', () => act(false));
        return h('li', { 'aria-label': `Invitation to ${s.folder}` },
          h('span', {}, h('strong', {}, s.owner), ' shares ', h('strong', {}, s.folder), ` with you (${permText(s.permission)}).`),
          h('span', { class: 'inv-actions' }, accept, reject));
      }))),
  );
}
