// Live updates: the server's SSE stream (/api/v1/events, events `session`
// and `folder`), plus a poll tick for whatever the stream does not carry:
// every 2 s while the stream is down, every 15 s while it is up. Coming back
// to the tab ticks at once. Listeners get the kind; pages re-fetch what they
// show.

export type ChangeKind = 'session' | 'folder' | 'poll';
type Listener = (kind: ChangeKind, data: unknown) => void;

const kPollDownMs = 2000;
const kPollUpMs = 15000;
const kRetryMs = 60000;

const listeners = new Set<Listener>();
let source: EventSource | null = null;
let streamUp = false;
let pollTimer: number | undefined;
let retryTimer: number | undefined;
let started = false;

function emit(kind: ChangeKind, data: unknown): void {
  for (const l of listeners) l(kind, data);
}

function parse(e: MessageEvent): unknown {
  try {
    return JSON.parse(e.data);
  } catch {
    return e.data;
  }
}

function schedulePoll(): void {
  window.clearInterval(pollTimer);
  pollTimer = window.setInterval(() => {
    if (!document.hidden) emit('poll', null);
  }, streamUp ? kPollUpMs : kPollDownMs);
}

function setStreamUp(up: boolean): void {
  if (up === streamUp && pollTimer !== undefined) return;
  streamUp = up;
  schedulePoll();
  if (!up && retryTimer === undefined && source === null) {
    // Try the stream again now and then: the server may have been restarted.
    retryTimer = window.setTimeout(() => {
      retryTimer = undefined;
      if (source === null && started) connect();
    }, kRetryMs);
  }
}

function connect(): void {
  if (typeof EventSource === 'undefined') return setStreamUp(false);
  source?.close();
  const es = new EventSource('/api/v1/events', { withCredentials: true });
  source = es;
  es.addEventListener('open', () => {
    setStreamUp(true);
    emit('poll', null); // catch up on anything missed while disconnected
  });
  es.addEventListener('session', (e) => emit('session', parse(e as MessageEvent)));
  es.addEventListener('folder', (e) => emit('folder', parse(e as MessageEvent)));
  es.addEventListener('error', () => {
    // CLOSED: the server refused the stream (404, 401, wrong type).
    // CONNECTING: the browser retries by itself; poll fast meanwhile.
    if (es.readyState === EventSource.CLOSED) {
      es.close();
      if (source === es) source = null;
    }
    setStreamUp(false);
  });
}

function onVisible(): void {
  if (!document.hidden) emit('poll', null);
}

export function onChange(l: Listener): () => void {
  listeners.add(l);
  if (!started) {
    started = true;
    document.addEventListener('visibilitychange', onVisible);
    setStreamUp(false);
    connect();
  }
  return () => listeners.delete(l);
}

export function stopEvents(): void {
  source?.close();
  source = null;
  window.clearInterval(pollTimer);
  window.clearTimeout(retryTimer);
  pollTimer = retryTimer = undefined;
  document.removeEventListener('visibilitychange', onVisible);
  started = false;
}
