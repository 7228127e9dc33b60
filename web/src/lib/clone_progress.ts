// A streamed clone as the Data & Storage page shows it: the folder events
// of a clone under way ({"change":"cloning", id, bytes, files}) and of one
// that failed ({"change":"clone_failed", name, error}); docs/operations.md
// "Clones".

import { formatBytes } from './paths';

export interface CloneProgress {
  id: string;
  bytes: number;
  files: number;
}

function record(data: unknown): Record<string, unknown> | null {
  return data && typeof data === 'object' ? (data as Record<string, unknown>) : null;
}

/** The progress a folder event carries, or null for any other event. */
export function cloneProgressOf(data: unknown): CloneProgress | null {
  const d = record(data);
  if (!d || d.change !== 'cloning' || typeof d.id !== 'string') return null;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
  return { id: d.id, bytes: n(d.bytes), files: n(d.files) };
}

/** The badge of a folder being cloned: "cloning", then how far it got. */
export function cloningBadge(p: CloneProgress | undefined): string {
  if (!p || (p.bytes === 0 && p.files === 0)) return 'cloning…';
  const files = `${p.files} file${p.files === 1 ? '' : 's'}`;
  return `cloning… ${files}, ${formatBytes(p.bytes)}`;
}

/** What to tell the user of a failed clone, or null for any other event. */
export function cloneFailure(data: unknown): string | null {
  const d = record(data);
  if (!d || d.change !== 'clone_failed') return null;
  const name = typeof d.name === 'string' ? d.name : 'the folder';
  const why = typeof d.error === 'string' && d.error ? `: ${d.error}` : '';
  return `Cloning ${name} failed${why}. The partial copy was removed.`;
}
