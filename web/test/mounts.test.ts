import { describe, expect, it } from 'vitest';
import { automountTargets, checkMounts, isWithin, resolveTarget } from '../src/lib/mounts';

describe('resolveTarget', () => {
  const cases: [string, string, string][] = [
    ['data', '', '/home/work/data'],
    ['data', '  ', '/home/work/data'],
    ['data', 'proj/x', '/home/work/proj/x'],
    ['data', './proj//x/', '/home/work/proj/x'],
    ['data', '/data', '/data'],
    ['data', '/mnt/data', '/mnt/data'],
    ['data', '/opt/x', '/opt/x'],
    ['data', '/home/other', '/home/other'],
    ['data', '/usrdata', '/usrdata'],
  ];
  it.each(cases)('%s + %j → %s', (f, t, want) => {
    expect(resolveTarget(f, t)).toEqual({ target: want, error: null });
  });

  const refused = ['/', '/home', '/home/work', '/home/work/', '/tmp', '/var', '/opt', '/srv', '/root',
    '/mnt', '/media', '/proc', '/proc/1', '/sys/x', '/dev/shm', '/etc', '/etc/x', '/bin/x', '/sbin',
    '/lib/x', '/lib64', '/usr/local/x', '/boot/x', '/run/x', '..', '../x', '/data/../etc', 'a/../../b', '.'];
  it.each(refused)('refuses %j', (t) => expect(resolveTarget('data', t).error).not.toBeNull());

  it('refuses a component over 255 bytes and a line break', () => {
    expect(resolveTarget('d', '/data/' + 'x'.repeat(256)).error).toMatch(/255 bytes/);
    expect(resolveTarget('d', '/da\nta').error).toMatch(/line break/);
  });

  it('explains a system tree', () => {
    expect(resolveTarget('d', '/usr/local/d').error).toMatch(/lies in \/usr/);
  });
});

describe('isWithin', () => {
  it('handles prefixes at component boundaries', () => {
    expect(isWithin('/a/b', '/a')).toBe(true);
    expect(isWithin('/a', '/a')).toBe(true);
    expect(isWithin('/ab', '/a')).toBe(false);
  });
});

describe('automountTargets', () => {
  it('adds the Homebrew prefix for .linuxbrew', () => {
    expect(automountTargets(['.local', '.linuxbrew']).map((a) => a.target)).toEqual([
      '/home/work/.local', '/home/work/.linuxbrew', '/home/linuxbrew/.linuxbrew',
    ]);
  });
});

describe('checkMounts', () => {
  it('accepts the seed story', () => {
    const c = checkMounts(
      [
        { folder: 'user1-ml-test', target: '', permission: 'rw' },
        { folder: 'user2-vfolder', target: '', permission: 'rw' },
      ],
      ['.local'],
    );
    expect(c.map((x) => x.error)).toEqual([null, null]);
  });

  it('refuses two mounts on one target, on both rows', () => {
    const c = checkMounts(
      [
        { folder: 'a', target: '/data', permission: 'rw' },
        { folder: 'b', target: '/data/', permission: 'rw' },
      ],
      [],
    );
    expect(c[0].error).toMatch(/b is also mounted at \/data/);
    expect(c[1].error).toMatch(/a is also mounted at \/data/);
  });

  it('refuses nested targets', () => {
    const c = checkMounts(
      [
        { folder: 'a', target: '/data', permission: 'rw' },
        { folder: 'b', target: '/data/b', permission: 'rw' },
      ],
      [],
    );
    expect(c[0].error).toMatch(/lies inside/);
    expect(c[1].error).toMatch(/lies inside a's target/);
  });

  it('refuses a collision with an automount folder only when automount is on', () => {
    const m = [{ folder: 'x', target: '.local', permission: 'rw' as const }];
    expect(checkMounts(m, ['.local'])[0].error).toMatch(/automount folder \.local/);
    expect(checkMounts(m, [])[0].error).toBeNull();
  });

  it('refuses a target inside an automount folder and the Homebrew prefix', () => {
    expect(checkMounts([{ folder: 'x', target: '.local/lib', permission: 'rw' }], ['.local'])[0].error)
      .toMatch(/collides/);
    expect(checkMounts([{ folder: 'x', target: '/home/linuxbrew', permission: 'rw' }], ['.linuxbrew'])[0].error)
      .toMatch(/collides/);
  });

  it('keeps a per-row error from resolveTarget', () => {
    expect(checkMounts([{ folder: 'x', target: '/etc', permission: 'rw' }], [])[0].error).toMatch(/system/);
  });
});
