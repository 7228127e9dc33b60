// A labelled text field that explains a bad value as the user types and keeps
// a submit button disabled while the value is invalid. One helper for every
// name field (folder, directory, rename).

import { h, uid } from './dom';

export interface Field {
  element: HTMLElement;
  input: HTMLInputElement;
  // Ties the field to the dialog's submit button; checks once right away.
  bind(submit: HTMLButtonElement): void;
}

export interface FieldOptions {
  label: string;
  value?: string;
  hint?: string;
  // Returns a sentence when the value is not acceptable, else null.
  validate: (value: string) => string | null;
  // Extra reason to keep submit disabled without an error (e.g. unchanged).
  blocked?: (value: string) => boolean;
}

export function validatedField(o: FieldOptions): Field {
  const id = uid('field');
  const input = h('input', { id, value: o.value ?? '', autocomplete: 'off', spellcheck: 'false', required: true });
  const error = h('p', { class: 'field-error', id: uid('err'), 'aria-live': 'polite' });
  const hint = o.hint ? h('p', { class: 'hint', id: uid('hint') }, o.hint) : null;
  input.setAttribute('aria-describedby', [error.id, hint?.id].filter(Boolean).join(' '));
  const element = h('div', { class: 'field' }, h('label', { for: id }, o.label), input, error, hint);
  return {
    element,
    input,
    bind(submit) {
      // An empty field starts without a scolding; typing shows the reason.
      const check = (typed: boolean) => {
        const msg = o.validate(input.value);
        const show = !!msg && (typed || input.value !== '');
        error.textContent = show ? msg : '';
        if (show) input.setAttribute('aria-invalid', 'true');
        else input.removeAttribute('aria-invalid');
        submit.disabled = !!msg || (o.blocked?.(input.value) ?? false);
      };
      input.addEventListener('input', () => check(true));
      check(false);
    },
  };
}
