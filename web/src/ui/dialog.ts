// Modal dialogs on the native <dialog> element: it traps focus, closes on
// Escape and is announced as a dialog. A form dialog shows the server's error
// sentence inside itself instead of closing.

import { ApiError } from '../api';
import { h, type Child } from './dom';

export interface FormDialog {
  dialog: HTMLDialogElement;
  form: HTMLFormElement;
  submit: HTMLButtonElement;
  setError(message: string | null): void;
  close(): void;
}

export interface FormDialogOptions {
  title: string;
  content: Child;
  submitLabel: string;
  // Runs on submit; the dialog closes when it resolves, shows the error when it throws.
  onSubmit: () => Promise<void> | void;
  busyLabel?: string;
  danger?: boolean;
  wide?: boolean;
  onClose?: () => void;
}

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

export function formDialog(o: FormDialogOptions): FormDialog {
  const errorBox = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: o.danger ? 'danger' : 'primary' }, o.submitLabel);
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const titleId = `dlg-title-${Math.random().toString(36).slice(2, 8)}`;
  const form = h(
    'form',
    { method: 'dialog', novalidate: true },
    h('h2', { id: titleId }, o.title),
    h('div', { class: 'dialog-body' }, o.content),
    errorBox,
    h('div', { class: 'dialog-actions' }, cancel, submit),
  );
  const dialog = h('dialog', { 'aria-labelledby': titleId, class: o.wide ? 'wide' : '' }, form);
  let busy = false;

  const api: FormDialog = {
    dialog,
    form,
    submit,
    setError(message) {
      errorBox.hidden = !message;
      errorBox.textContent = message ?? '';
    },
    close() {
      if (dialog.open) dialog.close();
    },
  };
  cancel.addEventListener('click', () => api.close());
  dialog.addEventListener('close', () => {
    dialog.remove();
    o.onClose?.();
  });
  dialog.addEventListener('cancel', (e) => {
    if (busy) e.preventDefault();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy || submit.disabled) return;
    busy = true;
    api.setError(null);
    const label = submit.textContent;
    if (o.busyLabel) submit.textContent = o.busyLabel;
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      await o.onSubmit();
      busy = false;
      api.close();
    } catch (err) {
      busy = false;
      api.setError(errorMessage(err));
    } finally {
      submit.textContent = label;
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  return api;
}

// Asks a yes/no question; resolves true when the user presses OK.
export function confirmDialog(title: string, message: Child, okLabel = 'OK', danger = true): Promise<boolean> {
  return new Promise((resolve) => {
    let ok = false;
    const d = formDialog({
      title,
      content: h('p', {}, message),
      submitLabel: okLabel,
      danger,
      onSubmit: () => {
        ok = true;
      },
      onClose: () => resolve(ok),
    });
    d.submit.focus();
  });
}

// Runs `action` for a button: disables it meanwhile and reports a failure.
export async function withBusy(button: HTMLButtonElement, action: () => Promise<void>): Promise<void> {
  button.disabled = true;
  try {
    await action();
  } finally {
    button.disabled = false;
  }
}
