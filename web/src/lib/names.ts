// Folder-name rules (SPEC §2), checked as the user types. The server checks
// them again; this copy exists so the dialog can explain a bad name before the
// user presses Create.

const kNameChars = /^[A-Za-z0-9._-]+$/;
const kReserved = new Set(['.ssh', '.terminfo', '.jupyter', '.tmux.conf', '.berth']);
const kRcFile = /^\.[a-z0-9]+rc$/;
const kProfileFile = /^\.[a-z0-9]+_profile$/;

export const kMaxFolderName = 64;

// Returns null when `name` is a valid folder name, else a sentence saying why not.
export function folderNameError(name: string): string | null {
  if (name.length === 0) return 'Enter a folder name.';
  if (name.length > kMaxFolderName) {
    return `A folder name has at most ${kMaxFolderName} characters (this one has ${name.length}).`;
  }
  if (!kNameChars.test(name)) {
    return 'Use only letters, digits, dot (.), underscore (_) and hyphen (-).';
  }
  if (name === '.' || name === '..') return `"${name}" is not a folder name.`;
  if (name.startsWith('-')) return 'A folder name cannot start with a hyphen.';
  if (kReserved.has(name) || kRcFile.test(name) || kProfileFile.test(name)) {
    return `"${name}" is reserved: it would shadow a file the shell or a tool keeps in the home directory.`;
  }
  return null;
}

// Dot-prefixed folders are automount folders: mounted into every new session.
export function isAutomountName(name: string): boolean {
  return name.startsWith('.');
}

// Session names (SPEC §3): optional; [a-z0-9][a-z0-9-]{0,62}.
export function sessionNameError(name: string): string | null {
  if (name === '') return null;
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) {
    return 'A session name is 1–63 lowercase letters, digits or hyphens, starting with a letter or digit.';
  }
  return null;
}
