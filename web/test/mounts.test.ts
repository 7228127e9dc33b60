import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { automountTargets, checkMounts, isWithin, resolveTarget } from '../src/lib/mounts';

// The mount-target cases agent::ResolveTarget runs too (src/agent/mount_plan_test.cc).
interface TargetCase {
  folder: string;
  target: string;
  want?: string;
  error?: string;
  rule?: string;
  tree?: string;
}
const kTable = resolve(dirname(fileURLToPath(import.meta.url)), '../../tests/data/mount_targets.json');
const kCases: TargetCase[] = JSON.parse(readFileSync(kTable, 'utf8')).cases;

// Expands "{TEXT*N}" into TEXT repeated N times (see the table's "about").
const expand = (s: string) => s.replace(/\{([^{}*]+)\*([0-9]+)\}/g, (_, text: string, n: string) => text.repeat(Number(n)));

// What resolveTarget says when `rule` refuses a target.
function ruleMessage(c: TargetCase): string {
  const messages: Record<string, string> = {
    nul: 'cannot contain a NUL byte or a line break',
    too_long: 'at most 4096 bytes',
    dotdot: 'cannot contain ".."',
    component_too_long: 'at most 255 bytes',
    reserved: 'it would hide a directory the session needs',
    tree: `lies in ${c.tree}, a system directory`,
  };
  return messages[c.rule ?? ''] ?? `unknown rule ${c.rule}`;
}

describe('resolveTarget agrees with agent::ResolveTarget', () => {
  it('reads the shared table', () => expect(kCases.length).toBeGreaterThanOrEqual(100));

  const named = kCases.map((c) => [`${c.folder.slice(0, 30)} + ${JSON.stringify(c.target.slice(0, 30))}`, c] as const);
  it.each(named)('%s', (_, c) => {
    const got = resolveTarget(expand(c.folder), expand(c.target));
    if (c.want !== undefined) {
      expect(got).toEqual({ target: expand(c.want), error: null });
    } else {
      expect(c.error).toBe('invalid_mount_target');
      expect(got.error ?? '').toContain(ruleMessage(c));
    }
  });
});

describe('resolveTarget', () => {
  // The dialog sends the trimmed text (the shared table has the rest).
  const cases: [string, string, string][] = [
    ['data', '  ', '/home/work/data'],
    ['data', ' proj/x ', '/home/work/proj/x'],
    ['data', '\t/mnt/d\n', '/mnt/d'],
  ];
  it.each(cases)('%s + %j → %s', (f, t, want) => {
    expect(resolveTarget(f, t)).toEqual({ target: want, error: null });
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
