// Live updates: the server's SSE stream (/api/v1/events, events `session`
// and `folder`), or, if the stream is unavailable, a poll tick every 2 s.
// Listeners get the event kind; pages re-fetch what they show.

export type ChangeKind = 'session' | 'folder' | 'poll';
type Listener = (kind: ChangeKind, data: unknown) => void;

const listeners = new Set<Listener>();
let source: EventSource | null = null;
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

function startPolling(): void {
  if (pollTimer === undefined) {
    pollTimer = window.setInterval(() => {
      if (!document.hidden) emit('poll', null);
    }, 2000);
  }
  // Try the stream again now and then: the server may have restarted.
  if (retryTimer === undefined) {
    retryTimer = window.setTimeout(() => {
      retryTimer = undefined;
      connect();
    }, 60000);
  }
}

function stopPolling(): void {
  window.clearInterval(pollTimer);
  window.clearTimeout(retryTimer);
  pollTimer = undefined;
  retryTimer = undefined;
}

function connect(): void {
  if (typeof EventSource === 'undefined') return startPolling();
  source?.close();
  const es = new EventSource('/api/v1/events', { withCredentials: true });
  source = es;
  es.addEventListener('open', () => {
    stopPolling();
    emit('poll', null); // catch up on anything missed while disconnected
  });
  es.addEventListener('session', (e) => emit('session', parse(e as MessageEvent)));
  es.addEventListener('folder', (e) => emit('folder', parse(e as MessageEvent)));
  es.addEventListener('error', () => {
    // CLOSED: the server refused the stream (404, 401, wrong type): poll.
    // CONNECTING: the browser retries by itself; poll meanwhile.
    if (es.readyState === EventSource.CLOSED) {
      es.close();
      if (source === es) source = null;
    }
    startPolling();
  });
}

export function onChange(l: Listener): () => void {
  listeners.add(l);
  if (!started) {
    started = true;
    connect();
  }
  return () => listeners.delete(l);
}

export function stopEvents(): void {
  source?.close();
  source = null;
  stopPolling();
  started = false;
}
