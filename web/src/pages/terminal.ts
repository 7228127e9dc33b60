// A terminal panel: xterm.js over the session's terminal WebSocket.
// Binary frames carry bytes both ways; a text frame
// {"type":"resize","cols":C,"rows":R} tells the server the window size.

import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { h } from '../ui/dom';

export interface TerminalPanel {
  element: HTMLElement;
  dispose(): void;
}

export function terminalUrl(session: string, loc: Location = location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/api/v1/sessions/${encodeURIComponent(session)}/terminal`;
}

export function openTerminal(session: string, onClose: () => void): TerminalPanel {
  const status = h('span', { class: 'term-status', role: 'status' }, 'Connecting…');
  const reconnect = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Reconnect');
  const close = h('button', { type: 'button', class: 'secondary' }, 'Close terminal');
  const screen = h('div', { class: 'term-screen', 'data-session': session });
  const element = h(
    'section',
    { class: 'terminal-panel', 'aria-label': `Terminal: ${session}` },
    h('div', { class: 'term-bar' }, h('h2', {}, `Terminal — ${session}`), status,
      h('span', { class: 'term-hint' }, 'Ctrl+Shift+X leaves the terminal'), reconnect, close),
    screen,
  );

  const term = new Terminal({
    cursorBlink: true,
    fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
    fontSize: 14,
    lineHeight: 1.2, // at 1.0 some monospace fonts clip '_' at the cell bottom
    scrollback: 5000,
    convertEol: false,
    theme: { background: '#0f172a', foreground: '#e2e8f0' },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  const encoder = new TextEncoder();
  let ws: WebSocket | null = null;
  let disposed = false;

  const sendResize = () => {
    if (ws?.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ type: 'resize', cols: term.cols, rows: term.rows }));
    }
  };
  const doFit = () => {
    if (disposed || !screen.isConnected || screen.clientWidth === 0) return;
    try {
      fit.fit();
    } catch {
      /* not laid out yet */
    }
  };

  function connect(): void {
    reconnect.hidden = true;
    status.textContent = 'Connecting…';
    const sock = new WebSocket(terminalUrl(session));
    sock.binaryType = 'arraybuffer';
    ws = sock;
    sock.onopen = () => {
      status.textContent = 'Connected';
      doFit();
      sendResize();
      term.focus();
    };
    sock.onmessage = (e) => {
      if (e.data instanceof ArrayBuffer) {
        term.write(new Uint8Array(e.data));
        return;
      }
      // Text frames from the server are control messages; anything else is shown.
      try {
        const msg = JSON.parse(e.data as string);
        if (msg && typeof msg === 'object' && 'type' in msg) {
          if (msg.type === 'exit') term.write(`\r\n[process exited${msg.code !== undefined ? ` with code ${msg.code}` : ''}]\r\n`);
          else if (msg.type === 'error') term.write(`\r\n[${msg.message ?? 'error'}]\r\n`);
          return;
        }
      } catch {
        /* plain text */
      }
      term.write(e.data as string);
    };
    sock.onclose = (e) => {
      if (disposed || ws !== sock) return;
      status.textContent = e.reason ? `Disconnected: ${e.reason}` : 'Disconnected';
      reconnect.hidden = false;
    };
    sock.onerror = () => {
      status.textContent = 'The terminal connection failed.';
    };
  }

  term.onData((d) => {
    if (ws?.readyState === WebSocket.OPEN) ws.send(encoder.encode(d));
  });
  term.onBinary((d) => {
    if (ws?.readyState !== WebSocket.OPEN) return;
    const bytes = new Uint8Array(d.length);
    for (let i = 0; i < d.length; i++) bytes[i] = d.charCodeAt(i) & 0xff;
    ws.send(bytes);
  });
  term.onResize(sendResize);

  const observer = new ResizeObserver(() => doFit());
  reconnect.addEventListener('click', connect);
  close.addEventListener('click', onClose);
  // Tab and Escape belong to the shell (completion, vim); Ctrl+Shift+X
  // moves keyboard focus out of the terminal.
  term.attachCustomKeyEventHandler((e) => {
    if (e.type === 'keydown' && e.ctrlKey && e.shiftKey && e.key.toLowerCase() === 'x') {
      e.preventDefault();
      close.focus();
      return false;
    }
    return true;
  });

  // Open once the panel is in the document so xterm can measure it.
  requestAnimationFrame(() => {
    if (disposed) return;
    term.open(screen);
    element.scrollIntoView({ block: 'nearest' });
    doFit();
    observer.observe(screen);
    connect();
  });

  return {
    element,
    dispose() {
      disposed = true;
      observer.disconnect();
      ws?.close();
      term.dispose();
    },
  };
}
