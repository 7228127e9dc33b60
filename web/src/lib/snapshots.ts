// Folder snapshots (SPEC §2 "Snapshots") as the web UI shows them: name
// rules, whether a folder's volume has snapshots, the schedule editor's
// hours/minutes form, and the name a snapshot mount gets. Pure functions,
// tested in test/snapshots.test.ts.

import type { Snapshot, SnapshotSchedule, Volume } from '../api';

const kSnapshotName = /^[A-Za-z0-9._-]{1,64}$/;

/** null when `name` may name a snapshot ('' asks the server for its default), else why not. */
export function snapshotNameError(name: string): string | null {
  if (name === '') return null;
  if (name.length > 64) return `A snapshot name has at most 64 characters (this one has ${name.length}).`;
  if (!kSnapshotName.test(name)) return 'Use only letters, digits, dot (.), underscore (_) and hyphen (-).';
  if (name === '.' || name === '..') return `"${name}" is not a snapshot name.`;
  return null;
}

/** null when folders on `volume` can have snapshots, else a sentence saying why not. */
export function snapshotsUnavailable(volumeName: string, volumes: Volume[]): string | null {
  const v = volumes.find((x) => x.name === volumeName);
  if (v?.capabilities?.snapshots) return null;
  const on = volumeName ? ` ${volumeName}` : '';
  return `Snapshots need a volume that takes them (btrfs); this folder is on volume${on}, which does not.`;
}

/** The server's time as a number of seconds or an ISO string; newest first. */
function createdMs(s: Snapshot): number {
  const c = s.created_at;
  if (typeof c === 'number') return c * 1000;
  const t = c ? Date.parse(c) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

export function newestFirst(list: Snapshot[]): Snapshot[] {
  return [...list].sort((a, b) => createdMs(b) - createdMs(a) || b.name.localeCompare(a.name));
}

/** Bytes only this snapshot holds, where the server says. */
export function snapshotSize(s: Snapshot): number | undefined {
  const v = s.exclusive_bytes ?? s.size_bytes ?? s.bytes;
  return typeof v === 'number' ? v : undefined;
}

/** A snapshot mount's name, and so its default target (/home/work/NAME@SNAP). */
export function snapshotMountName(folder: string, snapshot: string): string {
  return `${folder}@${snapshot}`;
}

export type ScheduleUnit = 'hours' | 'minutes';

/** What the schedule editor shows. */
export interface ScheduleForm {
  enabled: boolean;
  every: string;
  unit: ScheduleUnit;
  keep: string;
}

const kUnitSeconds: Record<ScheduleUnit, number> = { hours: 3600, minutes: 60 };
export const kMaxKeep = 1000;

export function scheduleToForm(s: SnapshotSchedule | null | undefined): ScheduleForm {
  if (!s || !s.every_s) return { enabled: false, every: '1', unit: 'hours', keep: '24' };
  const unit: ScheduleUnit = s.every_s % 3600 === 0 ? 'hours' : 'minutes';
  return { enabled: true, every: String(Math.max(1, Math.round(s.every_s / kUnitSeconds[unit]))), unit, keep: String(s.keep) };
}

const wholeNumber = (v: string): number | null => (/^\s*\d+\s*$/.test(v) ? Number(v) : null);

/** The PATCH body's value (null turns the schedule off), or a sentence naming the bad field. */
export function scheduleFromForm(f: ScheduleForm): { schedule: SnapshotSchedule | null; error: string | null } {
  if (!f.enabled) return { schedule: null, error: null };
  const every = wholeNumber(f.every);
  if (every === null || every < 1) return { schedule: null, error: `Every: enter a whole number of ${f.unit}, 1 or more.` };
  const keep = wholeNumber(f.keep);
  if (keep === null || keep < 1 || keep > kMaxKeep) {
    return { schedule: null, error: `Keep: enter how many scheduled snapshots to keep, 1 to ${kMaxKeep}.` };
  }
  return { schedule: { every_s: every * kUnitSeconds[f.unit], keep }, error: null };
}

/** "every 2 hours, keeping the last 24", or "off". */
export function describeSchedule(s: SnapshotSchedule | null | undefined): string {
  if (!s || !s.every_s) return 'off';
  const f = scheduleToForm(s);
  const n = Number(f.every);
  const unit = n === 1 ? f.unit.slice(0, -1) : f.unit;
  const every = n === 1 ? `every ${unit}` : `every ${n} ${unit}`;
  return `${every}, keeping the last ${s.keep}`;
}
