// The browser's client for the Berth REST API (/api/v1). Authentication is
// the HttpOnly session cookie; every state-changing request carries the CSRF
// token that /me returns. Errors come back as ApiError whose message is the
// server's sentence.

import { dotfileApiPath } from './lib/dotfiles';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  // The server has no such route (an older berthd, or a feature not built).
  get noEndpoint(): boolean {
    return this.status === 404 && this.code === 'no_such_endpoint';
  }
}

export interface Me {
  id: string;
  name: string;
  role: string;
  sudo_allowed: boolean;
  uid?: number;
  gid?: number;
  csrf_token?: string;
  /** Total storage quota (null: unlimited) and the bytes in the folders the user owns, trash included. */
  quota_bytes?: number | null;
  used_bytes?: number;
  python_user_base?: PythonUserBase;
}

export type PythonUserBase = 'shared' | 'per_version';

export interface Dotfile {
  path: string;
  mode: string; // octal, "0644"
  size: number;
  updated_at: string;
}

export interface Usage {
  bytes: number;
  /** null where the volume measures bytes only (btrfs quota accounting). */
  files: number | null;
  dirs?: number | null;
}

export interface Volume {
  name: string;
  kind?: string;
  capabilities?: { kernel_quota: boolean; instant_clone: boolean; snapshots: boolean };
  capacity_bytes?: number;
  free_bytes?: number;
}

export interface Folder {
  id: string;
  name: string;
  volume: string;
  owner: string;
  permission: 'rw' | 'ro';
  status: string;
  created_at: string;
  automount?: boolean;
  quota_bytes?: number | null;
  usage?: Usage;
  /** Snapshots taken by berthd on a timer (volumes with snapshots); null or absent: none. */
  snapshot_schedule?: SnapshotSchedule | null;
}

export interface SnapshotSchedule {
  every_s: number;
  keep: number;
}

/** A read-only point-in-time copy of a folder (SPEC §2 "Snapshots"). */
export interface Snapshot {
  name: string;
  created_at?: string | number;
  /** Space the snapshot alone holds, where the volume measures it. */
  exclusive_bytes?: number | null;
  size_bytes?: number | null;
  bytes?: number | null;
  /** Taken by the folder's schedule (and pruned by it). */
  scheduled?: boolean;
}

export interface Entry {
  /** For display; a name that is not UTF-8 has its bad bytes as U+FFFD ... */
  name: string;
  /** ... and then comes with this lossless form too (SPEC §2). */
  name_raw?: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  mtime: string | number;
  mode: number | string;
}

export interface Listing {
  path: string;
  entries: Entry[];
  next?: string | null;
}

export interface SessionMount {
  folder: string;
  snapshot?: string;
  target: string;
  permission: 'ro' | 'rw';
  automount?: boolean;
}

export interface Session {
  id: string;
  name: string;
  status: 'pending' | 'creating' | 'running' | 'terminating' | 'terminated' | 'error' | 'lost';
  image: string;
  created_at: string;
  mounts: SessionMount[];
  error?: string;
  /** Why it ended, e.g. 'share_revoked', or why it is pending (Slurm's 'Resources'). */
  status_reason?: string;
  /** The cluster node it runs on (`--cluster slurm`); null on one host. */
  node?: string | null;
  resource_group?: string;
}

/** Where sessions may run (GET /resource-groups): a Slurm partition. */
export interface ResourceGroup {
  name: string;
  default: boolean;
  up?: boolean;
  cpus?: number;
  nodes?: number;
  max_time_s?: number;
}

/** An app of a session (SPEC §3 "Apps"), e.g. Jupyter. */
export interface SessionApp {
  name: string;
  display_name: string;
  /** Absolute, on the apps origin. */
  url: string;
  status: 'stopped' | 'starting' | 'running';
}

/** Where the browser goes to open an app: a one-time redirect that signs it
 * in on the apps origin (the app's own URL would answer 401 to a browser). */
export function appOpenPath(session: string, app: string): string {
  return `${kPrefix}/sessions/${enc(session)}/apps/${enc(app)}/open`;
}

export interface Share {
  id: string;
  folder: string;
  folder_id?: string;
  owner: string;
  user: string;
  permission: 'ro' | 'rw';
  status: string; // 'pending' | 'accepted' | ...
  created_at?: string;
}

export interface Image {
  name: string;
  [k: string]: unknown;
}

export interface CreateSession {
  name?: string;
  image?: string;
  /** With `snapshot`, that snapshot of the folder, always read-only. */
  mounts: { folder: string; snapshot?: string; target?: string; permission?: 'ro' | 'rw' }[];
  automount?: boolean;
  resources?: { cpu?: number; memory?: number; gpus?: number }; // memory in bytes
  resource_group?: string;
}

const kPrefix = '/api/v1';
let csrfToken = '';
let onUnauthorized: () => void = () => {};

export function setCsrfToken(t: string | undefined): void {
  csrfToken = t ?? '';
}

// Called when any request answers 401: the cookie expired or was revoked.
export function setUnauthorizedHandler(f: () => void): void {
  onUnauthorized = f;
}

export async function errorFrom(status: number, text: string): Promise<ApiError> {
  try {
    const body = JSON.parse(text);
    if (body && body.error) {
      return new ApiError(status, body.error.code ?? 'error', body.error.message ?? `Request failed (${status}).`);
    }
  } catch {
    /* not JSON */
  }
  if (status === 0) return new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  return new ApiError(status, 'http_' + status, `The server answered ${status}${text ? ': ' + text.slice(0, 200) : '.'}`);
}

export async function request<T>(method: string, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let resp: Response;
  try {
    resp = await fetch(kPrefix + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw await errorFrom(0, '');
  }
  const text = await resp.text();
  if (!resp.ok) {
    if (resp.status === 401 && !opts.quiet401) onUnauthorized();
    throw await errorFrom(resp.status, text);
  }
  if (!text) return undefined as T;
  return JSON.parse(text) as T;
}

// A raw (non-JSON) body both ways: dotfile contents.
async function requestRaw(method: string, path: string, body?: string): Promise<string> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = 'application/octet-stream';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let resp: Response;
  try {
    resp = await fetch(kPrefix + path, { method, headers, body, credentials: 'same-origin' });
  } catch {
    throw await errorFrom(0, '');
  }
  const text = await resp.text();
  if (!resp.ok) {
    if (resp.status === 401) onUnauthorized();
    throw await errorFrom(resp.status, text);
  }
  return text;
}

const enc = encodeURIComponent;
const folderPath = (name: string) => `/folders/${enc(name)}`;

/** A file's path: plain, or in the name_raw form (for names that are not UTF-8). */
export type FilePath = string | { raw: string };
/** `{path: p}` or `{path_raw: p.raw}` (with `key` for `path`). */
const pathParam = (p: FilePath, key = 'path'): Record<string, string> =>
  typeof p === 'string' ? { [key]: p } : { [`${key}_raw`]: p.raw };
const snapshotPath = (folder: string, snap: string) => `${folderPath(folder)}/snapshots/${enc(snap)}`;

export const api = {
  me: () => request<Me>('GET', '/me', undefined, { quiet401: true }),
  login: (user: string, password: string) => request<unknown>('POST', '/auth/login', { user, password }, { quiet401: true }),
  logout: () => request<unknown>('POST', '/auth/logout'),

  folders: (trash = false) =>
    request<{ folders: Folder[] }>('GET', trash ? '/folders?status=trash' : '/folders').then((r) => r.folders ?? []),
  folder: (name: string) => request<Folder>('GET', folderPath(name)),
  createFolder: (name: string, volume?: string) =>
    request<Folder>('POST', '/folders', volume ? { name, volume } : { name }),
  cloneFolder: (name: string, newName: string) => request<Folder>('POST', folderPath(name) + '/clone', { name: newName }),
  volumes: () => request<{ volumes: Volume[] }>('GET', '/volumes').then((r) => r.volumes ?? []),
  renameFolder: (name: string, newName: string) => request<Folder>('PATCH', folderPath(name), { name: newName }),
  deleteFolder: (name: string, purge = false) => request<unknown>('DELETE', folderPath(name) + (purge ? '?purge=true' : '')),
  restoreFolder: (name: string) => request<Folder>('POST', folderPath(name) + '/restore'),
  share: (name: string, user: string, permission: 'ro' | 'rw') =>
    request<Share>('POST', folderPath(name) + '/shares', { user, permission }),
  shares: (name: string) => request<{ shares: Share[] }>('GET', folderPath(name) + '/shares').then((r) => r.shares ?? []),
  unshare: (name: string, user: string) => request<unknown>('DELETE', `${folderPath(name)}/shares/${enc(user)}`),
  leave: (name: string) => request<unknown>('POST', folderPath(name) + '/leave'),
  invitations: () => request<{ invitations: Share[] }>('GET', '/invitations').then((r) => r.invitations ?? []),
  acceptInvitation: (id: string) => request<Share>('POST', `/invitations/${enc(id)}/accept`),
  rejectInvitation: (id: string) => request<unknown>('POST', `/invitations/${enc(id)}/reject`),

  list: (folder: string, path: string, after?: string, limit = 1000) => {
    const q = new URLSearchParams({ path, limit: String(limit) });
    if (after) q.set('after', after);
    return request<Listing>('GET', `${folderPath(folder)}/files?${q}`);
  },
  mkdir: (folder: string, path: string) => request<unknown>('POST', `${folderPath(folder)}/files/mkdir`, { path, parents: false }),
  move: (folder: string, src: FilePath, dst: string) =>
    request<unknown>('POST', `${folderPath(folder)}/files/move`, { ...pathParam(src, 'src'), dst }),
  remove: (folder: string, path: FilePath, recursive: boolean) =>
    request<unknown>('DELETE', `${folderPath(folder)}/files?${new URLSearchParams({ ...pathParam(path), recursive: String(recursive) })}`),
  downloadLink: (folder: string, path: FilePath) =>
    request<{ url: string }>('POST', `${folderPath(folder)}/download-link`, pathParam(path)),
  contentUrl: (folder: string, path: FilePath) =>
    `${kPrefix}${folderPath(folder)}/files/content?${new URLSearchParams(pathParam(path))}`,

  snapshots: (folder: string) =>
    request<{ snapshots: Snapshot[] }>('GET', folderPath(folder) + '/snapshots').then((r) => r.snapshots ?? []),
  /** No name: the server names it by the UTC time. */
  createSnapshot: (folder: string, name?: string) =>
    request<Snapshot>('POST', folderPath(folder) + '/snapshots', name ? { name } : {}),
  deleteSnapshot: (folder: string, snap: string) => request<unknown>('DELETE', snapshotPath(folder, snap)),
  /** One file or directory back from the snapshot (overwriting), or with no path the whole folder. */
  restoreSnapshot: (folder: string, snap: string, path?: FilePath) =>
    request<unknown>('POST', snapshotPath(folder, snap) + '/restore', path === undefined ? {} : pathParam(path)),
  listSnapshot: (folder: string, snap: string, path: string, after?: string) => {
    const q = new URLSearchParams({ path });
    if (after) q.set('after', after);
    return request<Listing>('GET', `${snapshotPath(folder, snap)}/files?${q}`);
  },
  snapshotContentUrl: (folder: string, snap: string, path: FilePath) =>
    `${kPrefix}${snapshotPath(folder, snap)}/files/content?${new URLSearchParams(pathParam(path))}`,
  /** null turns the schedule off. */
  setSnapshotSchedule: (folder: string, schedule: SnapshotSchedule | null) =>
    request<Folder>('PATCH', folderPath(folder), { snapshot_schedule: schedule }),

  sessions: () => request<{ sessions: Session[] }>('GET', '/sessions').then((r) => r.sessions ?? []),
  createSession: (req: CreateSession) => request<Session>('POST', '/sessions', req),
  deleteSession: (name: string) => request<unknown>('DELETE', `/sessions/${enc(name)}`),
  sessionApps: (name: string) =>
    request<{ apps: SessionApp[] }>('GET', `/sessions/${enc(name)}/apps`).then((r) => r.apps ?? []),
  images: () => request<{ images: Image[] }>('GET', '/images').then((r) => r.images ?? []),
  resourceGroups: () =>
    request<{ resource_groups: ResourceGroup[] }>('GET', '/resource-groups').then((r) => r.resource_groups ?? []),

  updateMe: (change: { python_user_base?: PythonUserBase }) => request<Me>('PATCH', '/me', change),
  dotfiles: () => request<{ dotfiles: Dotfile[] }>('GET', '/dotfiles').then((r) => r.dotfiles ?? []),
  dotfile: (path: string) => requestRaw('GET', dotfileApiPath(path)),
  putDotfile: (path: string, content: string, mode: string) =>
    requestRaw('PUT', `${dotfileApiPath(path)}?${new URLSearchParams({ mode })}`, content),
  deleteDotfile: (path: string) => requestRaw('DELETE', dotfileApiPath(path)),
};

export interface UploadHandle {
  promise: Promise<void>;
  abort: () => void;
}

// Uploads one file with XMLHttpRequest so that progress can be shown.
// `onProgress` gets a fraction in [0, 1].
export function upload(
  folder: string,
  path: string,
  file: Blob,
  overwrite: boolean,
  onProgress: (fraction: number) => void,
): UploadHandle {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<void>((resolve, reject) => {
    const q = new URLSearchParams({ path, overwrite: String(overwrite) });
    xhr.open('PUT', `${kPrefix}${folderPath(folder)}/files/content?${q}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = async () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else {
        if (xhr.status === 401) onUnauthorized();
        reject(await errorFrom(xhr.status, xhr.responseText));
      }
    };
    xhr.onerror = async () => reject(await errorFrom(0, ''));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'The upload was cancelled.'));
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}
