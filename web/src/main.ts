// Entry point: finds out who is signed in, then shows the login page or the
// app shell, and routes between pages on hash changes.

import '@xterm/xterm/css/xterm.css';
import './style.css';

import { api, ApiError, setCsrfToken, setUnauthorizedHandler, type Me } from './api';
import type { AppContext } from './app_context';
import { stopEvents } from './events';
import { formatRoute, parseRoute, type Route } from './lib/route';
import { renderLogin } from './pages/login';
import { renderSessions } from './pages/sessions';
import { renderStorage } from './pages/storage';
import { renderExplorer } from './pages/explorer';
import { renderAccount } from './pages/account';
import { renderSnapshots } from './pages/snapshots';
import { renderSnapshotBrowser } from './pages/snapshot_browser';
import { h, replace } from './ui/dom';
import { errorMessage } from './ui/dialog';
import { notifyError } from './ui/notice';

type Cleanup = (() => void) | void;

const root = document.getElementById('app')!;
let cleanup: Cleanup;
let me: Me | null = null;

function navigate(r: Route): void {
  const hash = formatRoute(r);
  if (location.hash === hash) render();
  else location.hash = hash;
}

function navLink(label: string, hash: string, active: boolean): HTMLAnchorElement {
  return h('a', { href: hash, 'aria-current': active ? 'page' : false }, label);
}

function render(): void {
  if (!me) return;
  // Keep keyboard focus across re-renders where the element has a stable id.
  const focusedId = document.activeElement?.id;
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  const route = parseRoute(location.hash);
  const onSessions = route.page === 'sessions';
  const onAccount = route.page === 'account';
  const main = h('main', { id: 'main', tabindex: '-1' });
  const logout = h('button', { type: 'button', class: 'link' }, 'Sign out');
  logout.addEventListener('click', async () => {
    try {
      await api.logout();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) return notifyError(e);
    }
    showLogin();
  });
  replace(
    root,
    h('a', { href: '#main', class: 'skip' }, 'Skip to content'),
    h(
      'header',
      { class: 'topbar' },
      h('a', { class: 'brand', href: '#/sessions', 'aria-label': 'Berth home' }, '⚓ Berth'),
      h('nav', { 'aria-label': 'Main' }, navLink('Sessions', '#/sessions', onSessions), navLink('Data & Storage', '#/storage', !onSessions && !onAccount),
        navLink('Account', '#/account', onAccount)),
      h('div', { class: 'who' }, h('span', { title: `role: ${me.role}` }, me.name), logout),
    ),
    main,
  );
  const ctx: AppContext = { me, navigate };
  if (route.page === 'sessions') cleanup = renderSessions(main, ctx, route.terminal);
  else if (route.page === 'storage') cleanup = renderStorage(main, ctx, route.tab);
  else if (route.page === 'account') cleanup = renderAccount(main, ctx);
  else if (route.page === 'snapshots') cleanup = renderSnapshots(main, ctx, route.folder);
  else if (route.page === 'snapshot') cleanup = renderSnapshotBrowser(main, ctx, route.folder, route.snapshot, route.path);
  else cleanup = renderExplorer(main, ctx, route.folder, route.path);
  const title = route.page === 'sessions' ? 'Sessions' : route.page === 'account' ? 'Account' : 'Data & Storage';
  document.title = `${title} · Berth`;
  const again = focusedId ? document.getElementById(focusedId) : null;
  if (again) again.focus();
}

function showLogin(message?: string): void {
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  me = null;
  stopEvents();
  document.title = 'Sign in · Berth';
  renderLogin(root, message, start);
}

async function start(): Promise<void> {
  try {
    me = await api.me();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return showLogin();
    replace(
      root,
      h('main', { class: 'fatal' }, h('h1', {}, 'Berth is not reachable'), h('p', { role: 'alert' }, errorMessage(e)),
        h('button', { type: 'button', class: 'primary', onclick: () => start() }, 'Try again')),
    );
    return;
  }
  setCsrfToken(me.csrf_token);
  render();
}

setUnauthorizedHandler(() => showLogin('Your sign-in has expired. Please sign in again.'));
window.addEventListener('hashchange', render);
start();
