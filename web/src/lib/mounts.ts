// Mount-target rules (SPEC §3), checked inline in the START dialog. The server
// re-checks everything; this copy lets the dialog point at the offending row
// before Launch is pressed.

export const kHome = '/home/work';

// The same rules as agent::ResolveTarget (src/agent/mount_plan.cc); both run
// the cases in tests/data/mount_targets.json.
// Targets that would hide a directory the session needs.
const kForbiddenExact = new Set([
  '/', '/home', '/home/work', '/tmp', '/var', '/opt', '/srv', '/root', '/mnt', '/media',
]);
// System trees, and /.berth (Berth's init): nothing may be mounted in or on them.
const kForbiddenTrees = [
  '/proc', '/sys', '/dev', '/etc', '/bin', '/sbin', '/lib', '/lib64', '/usr', '/boot', '/run', '/.berth',
];
const kMaxTargetBytes = 4096;
const kMaxComponentBytes = 255;

export interface MountRequest {
  folder: string;
  target: string; // as typed: '' = default
  permission: 'ro' | 'rw';
}

export interface MountCheck {
  target: string; // resolved absolute target ('' when it cannot be resolved)
  error: string | null;
}

// Normalises `/a//b/./c/` to `/a/b/c`. Leaves '..' in place (callers refuse it).
function normalizeAbsolute(p: string): string {
  const parts = p.split('/').filter((c) => c !== '' && c !== '.');
  return '/' + parts.join('/');
}

// Resolves the target the user typed for `folder` into an absolute path, or
// explains why it is not allowed. Does not look at other mounts. The dialog
// sends the trimmed text, so that is what is checked; an empty target means
// the default, /home/work/<folder>, checked like a typed one. The checks run
// in agent::ResolveTarget's order, so both name the same rule.
export function resolveTarget(folder: string, typed: string): MountCheck {
  const t = typed.trim();
  const raw = t === '' ? folder : t;
  const bytes = (s: string) => new TextEncoder().encode(s).length;
  if (/[\u0000\n]/.test(raw)) {
    return { target: '', error: 'A mount target cannot contain a NUL byte or a line break.' };
  }
  if (bytes(raw) > kMaxTargetBytes) {
    return { target: '', error: `A mount target has at most ${kMaxTargetBytes} bytes.` };
  }
  for (const c of raw.split('/')) {
    if (c === '..') return { target: '', error: 'A mount target cannot contain "..".' };
    if (bytes(c) > kMaxComponentBytes) {
      return { target: '', error: `Each part of a mount target has at most ${kMaxComponentBytes} bytes.` };
    }
  }
  const abs = normalizeAbsolute(raw.startsWith('/') ? raw : `${kHome}/${raw}`);
  if (kForbiddenExact.has(abs)) {
    return { target: abs, error: `${abs} cannot be a mount target: it would hide a directory the session needs.` };
  }
  for (const tree of kForbiddenTrees) {
    if (isWithin(abs, tree)) {
      return { target: abs, error: `${abs} lies in ${tree}, a system directory; choose another target.` };
    }
  }
  return { target: abs, error: null };
}

// True if `p` equals `dir` or lies beneath it (both normalised absolute paths).
export function isWithin(p: string, dir: string): boolean {
  if (dir === '/') return true;
  return p === dir || p.startsWith(dir + '/');
}

// Targets the automount folders take (SPEC §3).
export function automountTargets(names: string[]): { folder: string; target: string }[] {
  const out: { folder: string; target: string }[] = [];
  for (const n of names) {
    out.push({ folder: n, target: `${kHome}/${n}` });
    if (n === '.linuxbrew') out.push({ folder: n, target: '/home/linuxbrew/.linuxbrew' });
  }
  return out;
}

// Checks every requested mount against the rules and against each other and
// the automount folders (pass [] when automount is off). Returns one check per
// request, in order.
export function checkMounts(mounts: MountRequest[], automount: string[]): MountCheck[] {
  const checks = mounts.map((m) => resolveTarget(m.folder, m.target));
  const auto = automountTargets(automount);
  checks.forEach((c, i) => {
    if (c.error) return;
    for (const a of auto) {
      if (isWithin(c.target, a.target) || isWithin(a.target, c.target)) {
        c.error = `${c.target} collides with the automount folder ${a.folder} at ${a.target}.`;
        return;
      }
    }
    for (let j = 0; j < checks.length; j++) {
      if (j === i || checks[j].target === '') continue;
      const o = checks[j].target;
      if (o === c.target) {
        c.error = `${mounts[j].folder} is also mounted at ${c.target}; give each folder its own target.`;
        return;
      }
      if (isWithin(c.target, o)) {
        c.error = `${c.target} lies inside ${mounts[j].folder}'s target ${o}; mounts cannot be nested.`;
        return;
      }
      if (isWithin(o, c.target)) {
        c.error = `${mounts[j].folder}'s target ${o} lies inside ${c.target}; mounts cannot be nested.`;
        return;
      }
    }
  });
  return checks;
}
