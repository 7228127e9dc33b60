// Paths inside a folder, as the file explorer and the URL hash see them.
// A folder path is relative to the folder root, uses '/' between components
// and never starts or ends with '/'; '' is the root.

// Splits a folder path into components, dropping empty ones and '.'.
export function splitPath(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

// Joins a directory and a name into a folder path.
export function joinPath(dir: string, name: string): string {
  const parts = [...splitPath(dir), ...splitPath(name)];
  return parts.join('/');
}

// The path of entry `name` (with `name_raw` when its name is not UTF-8) in
// directory `dir`, as the file endpoints take it: plain, or `{raw}` in the
// name_raw form (SPEC §2), so such files can be downloaded, renamed and deleted.
export function entryPath(dir: string, e: { name: string; name_raw?: string }): string | { raw: string } {
  if (!e.name_raw) return joinPath(dir, e.name);
  const prefix = splitPath(dir).map(encodeURIComponent).join('/');
  return { raw: prefix ? `${prefix}/${e.name_raw}` : e.name_raw };
}

// The directory part of a folder path ('' for an entry at the root).
export function parentPath(path: string): string {
  const parts = splitPath(path);
  parts.pop();
  return parts.join('/');
}

export function baseName(path: string): string {
  const parts = splitPath(path);
  return parts.length ? parts[parts.length - 1] : '';
}

export interface Crumb {
  label: string;
  path: string; // folder path this crumb opens
}

// Breadcrumbs for `path` inside `folder`: the folder itself, then each directory.
export function breadcrumbs(folder: string, path: string): Crumb[] {
  const crumbs: Crumb[] = [{ label: folder, path: '' }];
  const parts = splitPath(path);
  parts.forEach((p, i) => crumbs.push({ label: p, path: parts.slice(0, i + 1).join('/') }));
  return crumbs;
}

// Checks a single new file or directory name typed by the user (mkdir, rename).
// Slashes are allowed in a rename target to move within the folder.
export function entryNameError(name: string, allowSlash = false): string | null {
  if (name.trim() === '') return 'Enter a name.';
  if (name.includes('\0')) return 'A name cannot contain a NUL byte.';
  const parts = allowSlash ? name.split('/') : [name];
  if (!allowSlash && name.includes('/')) return 'A name cannot contain "/".';
  if (allowSlash && name.startsWith('/')) return 'Give a path relative to the folder root.';
  for (const p of parts) {
    if (p === '' && allowSlash) return 'A path cannot contain an empty component.';
    if (p === '.' || p === '..') return `"${p}" cannot be used as a name.`;
    if (new TextEncoder().encode(p).length > 255) return 'A name has at most 255 bytes.';
  }
  return null;
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined || n === null || Number.isNaN(n)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
