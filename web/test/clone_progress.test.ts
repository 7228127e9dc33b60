import { describe, expect, it } from 'vitest';
import { cloneFailure, cloneProgressOf, cloningBadge } from '../src/lib/clone_progress';

describe('cloneProgressOf', () => {
  it('reads a cloning folder event', () => {
    expect(cloneProgressOf({ change: 'cloning', id: 'f1', name: 'c', status: 'cloning', source: 'data', bytes: 2048, files: 3 }))
      .toEqual({ id: 'f1', bytes: 2048, files: 3 });
  });
  it('ignores other events and bad values', () => {
    expect(cloneProgressOf({ change: 'created', id: 'f1', status: 'ready' })).toBeNull();
    expect(cloneProgressOf('not json')).toBeNull();
    expect(cloneProgressOf(null)).toBeNull();
    expect(cloneProgressOf({ change: 'cloning', id: 'f1', bytes: -1, files: 'x' })).toEqual({ id: 'f1', bytes: 0, files: 0 });
  });
});

describe('cloningBadge', () => {
  it('says cloning until something is copied, then how much', () => {
    expect(cloningBadge(undefined)).toBe('cloning…');
    expect(cloningBadge({ id: 'f', bytes: 0, files: 0 })).toBe('cloning…');
    expect(cloningBadge({ id: 'f', bytes: 1536, files: 1 })).toBe('cloning… 1 file, 1.5 KiB');
    expect(cloningBadge({ id: 'f', bytes: 0, files: 2 })).toBe('cloning… 2 files, 0 B');
  });
});

describe('cloneFailure', () => {
  it('tells which clone failed and why', () => {
    expect(cloneFailure({ change: 'clone_failed', id: 'f', name: 'copy', status: 'error', error: 'No space left on device' }))
      .toBe('Cloning copy failed: No space left on device. The partial copy was removed.');
    expect(cloneFailure({ change: 'cloning', id: 'f' })).toBeNull();
  });
});
