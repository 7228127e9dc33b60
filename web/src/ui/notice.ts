// Page-level messages: successes are announced politely and fade; errors
// are announced as alerts and stay until dismissed.

import { h } from './dom';
import { errorMessage } from './dialog';

let region: HTMLElement | null = null;

function ensureRegion(): HTMLElement {
  if (!region || !region.isConnected) {
    region = h('div', { class: 'notices', 'aria-live': 'polite' });
    document.body.appendChild(region);
  }
  return region;
}

export function notify(message: string): void {
  const el = h('div', { class: 'notice info', role: 'status' }, message);
  ensureRegion().appendChild(el);
  setTimeout(() => el.remove(), 5000);
}

export function notifyError(e: unknown): void {
  const close = h('button', { type: 'button', class: 'icon', 'aria-label': 'Dismiss' }, '×');
  const el = h('div', { class: 'notice error', role: 'alert' }, h('span', {}, errorMessage(e)), close);
  close.addEventListener('click', () => el.remove());
  ensureRegion().appendChild(el);
  setTimeout(() => el.remove(), 15000);
}

// Runs a user action: announces `success` when it works, the server's
// sentence when it does not. Resolves whether it worked.
export async function attempt(action: () => Promise<unknown>, success: string): Promise<boolean> {
  try {
    await action();
    notify(success);
    return true;
  } catch (e) {
    notifyError(e);
    return false;
  }
}
