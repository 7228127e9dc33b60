// The sign-in page: user name and password, or an API token. The token is
// sent only in an Authorization header, to mint a one-time code; the page
// then goes to /login?code=... (the kind of link berthd prints at start), so
// a token never appears in a URL or a log.

import { api } from '../api';
import { h, replace } from '../ui/dom';
import { errorMessage } from '../ui/dialog';

export function renderLogin(root: HTMLElement, message: string | undefined, onSignedIn: () => void): void {
  const user = h('input', { id: 'login-user', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: !message }, message ?? '');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'login-title' },
    h('h2', { id: 'login-title' }, 'Sign in'),
    h('label', { for: 'login-user' }, 'User name'),
    user,
    h('label', { for: 'login-password' }, 'Password'),
    password,
    error,
    submit,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!user.value || !password.value) {
      error.hidden = false;
      error.textContent = 'Enter your user name and password.';
      return;
    }
    submit.disabled = true;
    try {
      await api.login(user.value, password.value);
      onSignedIn();
    } catch (err) {
      error.hidden = false;
      error.textContent = errorMessage(err);
      password.select();
    } finally {
      submit.disabled = false;
    }
  });

  const token = h('input', { id: 'login-token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false' });
  const tokenError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const tokenForm = h(
    'form',
    { class: 'card', 'aria-labelledby': 'token-title' },
    h('h2', { id: 'token-title' }, 'Sign in with an API token'),
    h('p', { class: 'hint' }, 'Paste a token from ', h('code', {}, 'berth token create'), ' or the admin token file.'),
    h('label', { for: 'login-token' }, 'API token'),
    token,
    tokenError,
    h('button', { type: 'submit', class: 'secondary' }, 'Sign in with token'),
  );
  tokenForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const t = token.value.trim();
    if (!t) {
      tokenError.hidden = false;
      tokenError.textContent = 'Paste an API token first.';
      return;
    }
    const r = await fetch('/api/v1/auth/login-codes', { method: 'POST', headers: { Authorization: `Bearer ${t}` } });
    if (!r.ok) {
      tokenError.hidden = false;
      tokenError.textContent = r.status === 401 ? 'That API token is not valid.' : `Sign-in failed (HTTP ${r.status}).`;
      return;
    }
    const { code } = (await r.json()) as { code: string };
    location.href = `/login?code=${encodeURIComponent(code)}`;
  });

  replace(
    root,
    h(
      'main',
      { class: 'login' },
      h('h1', {}, '⚓ Berth'),
      h('p', { class: 'tagline' }, 'Compute sessions with persistent storage folders.'),
      h('div', { class: 'login-forms' }, form, tokenForm),
    ),
  );
  user.focus();
}
