// Dotfile rules as the web UI checks them while the user types (the server
// checks again: SPEC §3 "Dotfiles", src/manager/dotfile_rules.h), and the
// URL path of a dotfile (each component encoded, the slashes kept).

export const kMaxDotfileBytes = 64 * 1024;

// A sentence explaining what is wrong with `path`, or null when it is fine.
export function dotfilePathError(path: string): string | null {
  if (path === '') return 'Enter a path under /home/work, like .bashrc.';
  if (path.startsWith('/')) return 'The path is relative to /home/work: leave out the leading /.';
  const parts = path.split('/');
  if (parts.some((p) => p === '')) return 'The path has an empty part (// or a trailing /).';
  if (parts.includes('..')) return 'The path must not contain "..".';
  const kept = parts.filter((p) => p !== '.');
  if (kept.length === 0) return 'The path names no file.';
  if (kept[0] === '.berth') return '.berth/ is reserved by Berth.';
  if (path.includes('\0')) return 'The path must not contain a NUL character.';
  return null;
}

// Default mode for a path: 0600 under .ssh/, else 0644 (as the server).
export function defaultDotfileMode(path: string): string {
  return path.replace(/^(\.\/)+/, '').startsWith('.ssh/') ? '0600' : '0644';
}

export function dotfileModeError(mode: string): string | null {
  if (!/^[0-7]{3,4}$/.test(mode) || parseInt(mode, 8) > 0o777) {
    return 'The mode is octal, 0000 to 0777, like 0644.';
  }
  return null;
}

// "/dotfiles/.ssh/authorized_keys" for the API (under /api/v1).
export function dotfileApiPath(path: string): string {
  return '/dotfiles/' + path.split('/').map(encodeURIComponent).join('/');
}
