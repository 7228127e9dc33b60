import { describe, expect, it } from 'vitest';
import { baseName, breadcrumbs, entryNameError, entryPath, formatBytes, joinPath, parentPath, splitPath } from '../src/lib/paths';
import { formatRoute, parseRoute, type Route } from '../src/lib/route';

describe('paths', () => {
  it('names a non-UTF-8 entry by its raw form (SPEC §2 name_raw)', () => {
    expect(entryPath('a b', { name: 'ok.txt' })).toBe('a b/ok.txt');
    expect(entryPath('', { name: 'bad\uFFFD.txt', name_raw: 'bad%FF.txt' })).toEqual({ raw: 'bad%FF.txt' });
    expect(entryPath('a b/c', { name: 'bad\uFFFD', name_raw: 'bad%FF' })).toEqual({ raw: 'a%20b/c/bad%FF' });
  });
  it('splits and joins', () => {
    expect(splitPath('/a//b/./c/')).toEqual(['a', 'b', 'c']);
    expect(joinPath('', 'x')).toBe('x');
    expect(joinPath('a/b', 'x')).toBe('a/b/x');
    expect(parentPath('a/b/c')).toBe('a/b');
    expect(parentPath('a')).toBe('');
    expect(baseName('a/b/c')).toBe('c');
    expect(baseName('')).toBe('');
  });

  it('builds breadcrumbs', () => {
    expect(breadcrumbs('user2-vfolder', 'a/b')).toEqual([
      { label: 'user2-vfolder', path: '' },
      { label: 'a', path: 'a' },
      { label: 'b', path: 'a/b' },
    ]);
    expect(breadcrumbs('f', '')).toEqual([{ label: 'f', path: '' }]);
  });

  it('checks entry names', () => {
    expect(entryNameError('ok.txt')).toBeNull();
    expect(entryNameError('')).toMatch(/Enter a name/);
    expect(entryNameError('a/b')).toMatch(/"\/"/);
    expect(entryNameError('a/b', true)).toBeNull();
    expect(entryNameError('/a', true)).toMatch(/relative/);
    expect(entryNameError('..')).toMatch(/cannot be used/);
    expect(entryNameError('a/../b', true)).toMatch(/cannot be used/);
    expect(entryNameError('x'.repeat(256))).toMatch(/255 bytes/);
  });

  it('formats sizes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MiB');
    expect(formatBytes(undefined)).toBe('—');
  });
});

describe('routes', () => {
  const cases: [string, Route][] = [
    ['', { page: 'sessions' }],
    ['#/sessions', { page: 'sessions' }],
    ['#/sessions/s1/terminal', { page: 'sessions', terminal: 's1' }],
    ['#/storage', { page: 'storage', tab: 'folders' }],
    ['#/storage?tab=trash', { page: 'storage', tab: 'trash' }],
    ['#/storage?tab=automount', { page: 'storage', tab: 'automount' }],
    ['#/storage/user2-vfolder', { page: 'explorer', folder: 'user2-vfolder', path: '' }],
    ['#/storage/user2-vfolder/a/b', { page: 'explorer', folder: 'user2-vfolder', path: 'a/b' }],
    ['#/storage/f/with%20space/%23hash%3F', { page: 'explorer', folder: 'f', path: 'with space/#hash?' }],
  ];
  it.each(cases)('parses %j', (h, r) => expect(parseRoute(h)).toEqual(r));

  it('round-trips', () => {
    for (const [, r] of cases) expect(parseRoute(formatRoute(r))).toEqual(r);
  });

  it('ignores unknown tabs and bad escapes', () => {
    expect(parseRoute('#/storage?tab=nope')).toEqual({ page: 'storage', tab: 'folders' });
    expect(parseRoute('#/storage/f/%zz')).toEqual({ page: 'explorer', folder: 'f', path: '%zz' });
  });
});
