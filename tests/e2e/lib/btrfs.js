// A loopback btrfs file system for one test (as tests/integration/
// test_btrfs_volumes.py makes it): a sparse file, a loop device, mkfs.btrfs,
// a mount under a temp dir. Skips the test with the reason where that cannot
// be done (not root, no btrfs-progs, no loop devices); unmounts, detaches and
// removes everything afterwards, also when the test failed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const run = (cmd, ...args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120000 });
  return { ok: r.status === 0, err: (r.stderr || r.error?.message || '').trim() };
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Calls fn(mountPoint) with a fresh 1 GiB btrfs mounted there.
export async function withBtrfs(t, fn) {
  if (process.getuid?.() !== 0) return t.skip('a btrfs volume needs root (loop devices, mount)');
  if (!run('which', 'mkfs.btrfs').ok || !run('which', 'losetup').ok) {
    return t.skip('mkfs.btrfs or losetup missing (scripts/deps.sh installs btrfs-progs)');
  }
  const top = mkdtempSync(path.join(tmpdir(), 'berth-e2e-btrfs-'));
  const img = path.join(top, 'img');
  const mnt = path.join(top, 'mnt');
  mkdirSync(mnt);
  let loop = '';
  let mounted = false;
  try {
    writeFileSync(img, '');
    truncateSync(img, 1 << 30);
    const l = spawnSync('losetup', ['-f', '--show', img], { encoding: 'utf8', timeout: 60000 });
    if (l.status !== 0) return t.skip(`cannot attach a loop device here: ${(l.stderr ?? '').trim()}`);
    loop = l.stdout.trim();
    const m = run('mkfs.btrfs', '-q', loop);
    if (!m.ok) return t.skip(`mkfs.btrfs failed: ${m.err}`);
    const mo = run('mount', '-t', 'btrfs', loop, mnt);
    if (!mo.ok) return t.skip(`cannot mount btrfs here: ${mo.err}`);
    mounted = true;
    await fn(mnt);
  } finally {
    if (mounted) {
      let done = false;
      for (let i = 0; i < 20 && !done; i++) {  // a just-stopped berthd may hold it a moment
        done = run('umount', mnt).ok;
        if (!done) await sleep(500);
      }
      if (!done) run('umount', '-l', mnt);
    }
    if (loop) run('losetup', '-d', loop);
    rmSync(top, { recursive: true, force: true });
  }
}
