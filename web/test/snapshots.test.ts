import { describe, expect, it } from 'vitest';
import type { Volume } from '../src/api';
import {
  describeSchedule, newestFirst, scheduleFromForm, scheduleToForm, snapshotMountName, snapshotNameError,
  snapshotSize, snapshotsUnavailable,
} from '../src/lib/snapshots';

describe('snapshotNameError', () => {
  it.each([
    ['', null], // the server's default: the UTC time
    ['before-cleanup', null],
    ['20260131T120000Z', null],
    ['a.b_c-1', null],
    ['x'.repeat(64), null],
  ])('accepts %j', (name, want) => {
    expect(snapshotNameError(name)).toBe(want);
  });

  it.each([
    ['x'.repeat(65), /at most 64/],
    ['with space', /letters, digits/],
    ['a/b', /letters, digits/],
    ['a@b', /letters, digits/],
    ['..', /not a snapshot name/],
    ['.', /not a snapshot name/],
  ])('refuses %j', (name, why) => {
    expect(snapshotNameError(name)).toMatch(why);
  });
});

describe('snapshotsUnavailable', () => {
  const vols: Volume[] = [
    { name: 'local', capabilities: { kernel_quota: false, instant_clone: false, snapshots: false } },
    { name: 'fast', capabilities: { kernel_quota: true, instant_clone: true, snapshots: true } },
    { name: 'old' },
  ];
  it('is null on a volume with snapshots', () => {
    expect(snapshotsUnavailable('fast', vols)).toBeNull();
  });
  it('names the volume otherwise, also an unknown one or one without capabilities', () => {
    expect(snapshotsUnavailable('local', vols)).toMatch(/volume local, which does not/);
    expect(snapshotsUnavailable('old', vols)).toMatch(/volume old/);
    expect(snapshotsUnavailable('gone', [])).toMatch(/btrfs/);
  });
});

describe('newestFirst and snapshotSize', () => {
  it('orders by created time (ISO or seconds), then name', () => {
    const list = newestFirst([
      { name: 'a', created_at: '2026-01-01T00:00:00Z' },
      { name: 'c', created_at: 1767312000 }, // 2026-01-02
      { name: 'b', created_at: '2026-01-01T00:00:00Z' },
      { name: 'none' },
    ]);
    expect(list.map((s) => s.name)).toEqual(['c', 'b', 'a', 'none']);
  });
  it('takes the size the server gives, if any', () => {
    expect(snapshotSize({ name: 'a', exclusive_bytes: 5 })).toBe(5);
    expect(snapshotSize({ name: 'a', size_bytes: 7 })).toBe(7);
    expect(snapshotSize({ name: 'a', exclusive_bytes: null })).toBeUndefined();
    expect(snapshotSize({ name: 'a' })).toBeUndefined();
  });
});

describe('snapshotMountName', () => {
  it('is NAME@SNAP, the default target under /home/work', () => {
    expect(snapshotMountName('data', '20260131T120000Z')).toBe('data@20260131T120000Z');
  });
});

describe('schedule form', () => {
  it('shows no schedule as off with hourly defaults', () => {
    expect(scheduleToForm(null)).toEqual({ enabled: false, every: '1', unit: 'hours', keep: '24' });
    expect(scheduleToForm(undefined).enabled).toBe(false);
  });

  it('shows whole hours in hours and anything else in minutes', () => {
    expect(scheduleToForm({ every_s: 7200, keep: 12 })).toEqual({ enabled: true, every: '2', unit: 'hours', keep: '12' });
    expect(scheduleToForm({ every_s: 900, keep: 4 })).toEqual({ enabled: true, every: '15', unit: 'minutes', keep: '4' });
  });

  it('turns the form into the PATCH value', () => {
    expect(scheduleFromForm({ enabled: true, every: '2', unit: 'hours', keep: '12' }))
      .toEqual({ schedule: { every_s: 7200, keep: 12 }, error: null });
    expect(scheduleFromForm({ enabled: true, every: ' 30 ', unit: 'minutes', keep: '3' }))
      .toEqual({ schedule: { every_s: 1800, keep: 3 }, error: null });
    expect(scheduleFromForm({ enabled: false, every: 'junk', unit: 'hours', keep: '' }))
      .toEqual({ schedule: null, error: null });
  });

  it.each([
    [{ every: '0', keep: '3' }, /Every/],
    [{ every: '1.5', keep: '3' }, /Every/],
    [{ every: '', keep: '3' }, /Every/],
    [{ every: '1', keep: '0' }, /Keep/],
    [{ every: '1', keep: '1001' }, /Keep/],
    [{ every: '1', keep: '-2' }, /Keep/],
  ])('names the bad field in %j', (f, why) => {
    const r = scheduleFromForm({ enabled: true, unit: 'hours', ...f });
    expect(r.schedule).toBeNull();
    expect(r.error).toMatch(why);
  });

  it('round-trips', () => {
    for (const s of [{ every_s: 3600, keep: 24 }, { every_s: 60, keep: 1 }, { every_s: 86400, keep: 7 }]) {
      expect(scheduleFromForm(scheduleToForm(s)).schedule).toEqual(s);
    }
  });

  it('describes the schedule in words', () => {
    expect(describeSchedule(null)).toBe('off');
    expect(describeSchedule({ every_s: 3600, keep: 24 })).toBe('every hour, keeping the last 24');
    expect(describeSchedule({ every_s: 600, keep: 6 })).toBe('every 10 minutes, keeping the last 6');
    expect(describeSchedule({ every_s: 60, keep: 2 })).toBe('every minute, keeping the last 2');
  });
});
