// Volume choices for the New folder dialog and folder usage text: pure
// functions, tested in test/volumes.test.ts.

import type { Usage, Volume } from '../api';
import { formatBytes } from './paths';

export interface VolumeChoice {
  /** Show a select only when there is a choice to make. */
  show: boolean;
  options: { value: string; label: string }[];
  /** The server's default (listed first by GET /volumes). */
  initial: string;
}

function describe(v: Volume): string {
  const notes: string[] = [];
  if (v.capabilities?.kernel_quota) notes.push('enforced quotas');
  if (v.capabilities?.instant_clone) notes.push('instant clones');
  return notes.length ? `${v.name} (${notes.join(', ')})` : v.name;
}

export function volumeChoice(volumes: Volume[]): VolumeChoice {
  return {
    show: volumes.length > 1,
    options: volumes.map((v) => ({ value: v.name, label: describe(v) })),
    initial: volumes[0]?.name ?? '',
  };
}

/** "1.5 MB · 3 files", or bytes alone where the volume does not count files. */
export function usageText(u: Usage): string {
  if (u.files === null || u.files === undefined) return formatBytes(u.bytes);
  return `${formatBytes(u.bytes)} · ${u.files} file${u.files === 1 ? '' : 's'}`;
}
