// A tiny element builder: h('button', {class: 'primary', onclick: f}, 'Save').
// Keys starting with "on" become event listeners; `false`/null/undefined
// attributes are left out; everything else is set as an attribute, except a
// few properties (value, checked, disabled) that must be set as properties.

export type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, unknown>;

const kProps = new Set(['value', 'checked', 'disabled', 'selected', 'indeterminate']);

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v as EventListener);
    } else if (kProps.has(k)) {
      (el as unknown as Record<string, unknown>)[k] = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

// Replaces all children of `el`.
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

let idCounter = 0;
export function uid(prefix = 'id'): string {
  return `${prefix}-${++idCounter}`;
}

export function formatTime(iso: string | number | undefined): string {
  if (iso === undefined || iso === '') return '—';
  const d = typeof iso === 'number' ? new Date(iso * 1000) : new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

// Small inline icons (no icon font, no emoji font needed).
const kIconPaths: Record<string, string> = {
  dir: 'M2 5.5A1.5 1.5 0 0 1 3.5 4h4l1.6 1.8h7.4A1.5 1.5 0 0 1 18 7.3v8.2a1.5 1.5 0 0 1-1.5 1.5h-13A1.5 1.5 0 0 1 2 15.5z',
  file: 'M5 2.5h7l4 4v11a.5.5 0 0 1-.5.5h-10.5a.5.5 0 0 1-.5-.5v-14.5a.5.5 0 0 1 .5-.5zM12 2.5v4h4',
  symlink: 'M8 12l4-4M7 9.5l-1.8 1.8a2.5 2.5 0 0 0 3.5 3.5l1.8-1.8M13 10.5l1.8-1.8a2.5 2.5 0 0 0-3.5-3.5l-1.8 1.8',
  other: 'M10 3a7 7 0 1 0 0 14a7 7 0 1 0 0-14zM10 7v4M10 13.5v.5',
};

export function icon(kind: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 20 20');
  svg.setAttribute('width', '18');
  svg.setAttribute('height', '18');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', `icon-${kind}`);
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', kIconPaths[kind] ?? kIconPaths.file);
  svg.appendChild(path);
  return svg;
}

export interface Column {
  label: string;
  narrow?: boolean; // false: hidden at phone width
}

// A list table: caption for screen readers, a header row, then `rows`
// (each a <tr> whose first cell is a <th scope=row> naming the item).
export function listTable(caption: string, columns: Column[], rows: HTMLTableRowElement[], extraClass = ''): HTMLTableElement {
  return h(
    'table',
    { class: `list ${extraClass}`.trim() },
    h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.narrow === false ? 'hide-narrow' : false }, c.label)))),
    h('tbody', {}, rows),
  );
}
