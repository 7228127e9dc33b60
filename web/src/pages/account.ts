// The Account page (SPEC §7): the user's dotfiles (written into every new
// session's home: list, edit in a text area, delete) and where pip --user
// installs (python_user_base).

import { api, type Dotfile, type PythonUserBase } from '../api';
import type { AppContext } from '../app_context';
import { formatBytes } from '../lib/paths';
import { defaultDotfileMode, dotfileModeError, dotfilePathError, kMaxDotfileBytes } from '../lib/dotfiles';
import { formatTime, h, listTable, replace, uid } from '../ui/dom';
import { confirmDialog, errorMessage, formDialog, withBusy } from '../ui/dialog';
import { notify, notifyError } from '../ui/notice';

export function renderAccount(main: HTMLElement, ctx: AppContext): () => void {
  const list = h('div', { class: 'table-wrap' }, h('p', { class: 'loading' }, 'Loading dotfiles…'));
  const add = h('button', { type: 'button', class: 'primary' }, 'New dotfile');
  add.addEventListener('click', () => editDotfile(null));
  replace(
    main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Account'), h('span', { class: 'hint' }, ctx.me.name)),
    pythonSection(ctx),
    h('section', { 'aria-labelledby': 'dotfiles-h' },
      h('div', { class: 'page-head' }, h('h2', { id: 'dotfiles-h' }, 'Dotfiles'), add),
      h('p', { class: 'lead' }, 'Written into /home/work of every new session before it starts (.bashrc, .gitconfig, .ssh/authorized_keys, …). ' +
        'A dotfile under a mounted folder is skipped. At most 64 KiB a file, 1 MiB in all.'),
      list),
  );
  let live = true;

  async function load(): Promise<void> {
    try {
      const files = await api.dotfiles();
      if (live) showList(files);
    } catch (e) {
      if (live) replace(list, h('p', { class: 'field-error', role: 'alert' }, errorMessage(e)));
    }
  }

  function showList(files: Dotfile[]): void {
    if (!files.length) {
      replace(list, h('div', { class: 'empty-state' }, h('p', {}, 'No dotfiles yet.'),
        h('p', { class: 'hint' }, 'Press New dotfile to keep a .bashrc for your sessions.')));
      return;
    }
    const rows = files.map((f) => {
      const edit = h('button', { type: 'button', class: 'secondary', 'aria-label': `Edit ${f.path}` }, 'Edit');
      edit.addEventListener('click', () => editDotfile(f));
      const del = h('button', { type: 'button', class: 'danger-outline', 'aria-label': `Delete ${f.path}` }, 'Delete');
      del.addEventListener('click', () => deleteDotfile(f, del));
      return h('tr', {},
        h('th', { scope: 'row' }, h('code', {}, f.path)),
        h('td', {}, h('code', {}, f.mode)),
        h('td', { class: 'hide-narrow' }, formatBytes(f.size)),
        h('td', { class: 'hide-narrow' }, formatTime(f.updated_at)),
        h('td', { class: 'actions' }, edit, ' ', del));
    });
    replace(list, listTable('Your dotfiles', [{ label: 'Path' }, { label: 'Mode' },
      { label: 'Size', narrow: false }, { label: 'Updated', narrow: false }, { label: 'Actions' }], rows));
  }

  async function deleteDotfile(f: Dotfile, button: HTMLButtonElement): Promise<void> {
    const ok = await confirmDialog('Delete dotfile', ['Delete ', h('code', {}, f.path), '? New sessions will not get it.']);
    if (!ok) return;
    await withBusy(button, async () => {
      try {
        await api.deleteDotfile(f.path);
        notify(`Deleted ${f.path}`);
      } catch (e) {
        notifyError(e);
      }
      await load();
    });
  }

  async function editDotfile(f: Dotfile | null): Promise<void> {
    let content = '';
    if (f) {
      try {
        content = await api.dotfile(f.path);
      } catch (e) {
        return notifyError(e);
      }
    }
    const pathId = uid('dotpath'), modeId = uid('dotmode'), contentId = uid('dotcontent');
    const path = h('input', { id: pathId, value: f?.path ?? '', autocomplete: 'off', spellcheck: 'false', required: true, readonly: !!f,
      placeholder: '.bashrc' });
    const mode = h('input', { id: modeId, value: f?.mode ?? '0644', autocomplete: 'off', inputmode: 'numeric', size: 5 });
    const text = h('textarea', { id: contentId, rows: 14, spellcheck: 'false', class: 'code' });
    text.value = content;
    const problem = h('p', { class: 'field-error', 'aria-live': 'polite' });
    let modeTouched = !!f;
    mode.addEventListener('input', () => (modeTouched = true));
    const d = formDialog({
      title: f ? `Edit ${f.path}` : 'New dotfile',
      wide: true,
      submitLabel: 'Save',
      busyLabel: 'Saving…',
      content: [
        h('div', { class: 'field' }, h('label', { for: pathId }, 'Path'), path,
          h('p', { class: 'hint' }, 'Relative to /home/work, e.g. .bashrc or .ssh/authorized_keys.')),
        h('div', { class: 'field' }, h('label', { for: modeId }, 'Mode'), mode),
        h('div', { class: 'field' }, h('label', { for: contentId }, 'Content'), text),
        problem,
      ],
      onSubmit: async () => {
        await api.putDotfile(path.value, text.value, mode.value);
        notify(`Saved ${path.value}; new sessions get it`);
        await load();
      },
    });
    const check = () => {
      if (!modeTouched) mode.value = defaultDotfileMode(path.value);
      const size = new TextEncoder().encode(text.value).length;
      const msg = dotfilePathError(path.value) ?? dotfileModeError(mode.value) ??
        (size > kMaxDotfileBytes ? `The content is ${formatBytes(size)}; a dotfile holds at most 64 KiB.` : null);
      problem.textContent = path.value === '' && !f ? '' : (msg ?? '');
      d.submit.disabled = msg !== null;
    };
    for (const el of [path, mode, text]) el.addEventListener('input', check);
    check();
    (f ? text : path).focus();
  }

  load();
  return () => {
    live = false;
  };
}

function pythonSection(ctx: AppContext): HTMLElement {
  const id = uid('pyub');
  const select = h('select', { id },
    h('option', { value: 'shared' }, 'Shared: one ~/.local for every Python'),
    h('option', { value: 'per_version' }, 'Per version: ~/.local/py3.X for each Python'));
  select.value = ctx.me.python_user_base ?? 'shared';
  const status = h('span', { class: 'hint', 'aria-live': 'polite' });
  select.addEventListener('change', async () => {
    const want = select.value as PythonUserBase;
    select.disabled = true;
    try {
      const me = await api.updateMe({ python_user_base: want });
      ctx.me.python_user_base = me.python_user_base;
      status.textContent = 'Saved; new sessions use it.';
    } catch (e) {
      select.value = ctx.me.python_user_base ?? 'shared';
      notifyError(e);
    } finally {
      select.disabled = false;
    }
  });
  return h('section', { 'aria-labelledby': 'py-h' },
    h('h2', { id: 'py-h' }, 'Python packages'),
    h('div', { class: 'field' }, h('label', { for: id }, 'Python user base'), select, status,
      h('p', { class: 'hint' }, 'Where pip install --user puts packages. Per version keeps the packages and scripts of ' +
        'different Python versions (e.g. 3.11 and 3.13 images) apart: PYTHONUSERBASE=/home/work/.local/py3.X.')));
}
