// The snapshot calls of api.ts against a recording fetch: method, path, body.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../src/api';

interface Call {
  method: string;
  url: string;
  body: unknown;
}

let calls: Call[] = [];
let answer: { status: number; body: string } = { status: 200, body: '{}' };

beforeEach(() => {
  calls = [];
  answer = { status: 200, body: '{}' };
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ method: init.method ?? 'GET', url, body: init.body === undefined ? undefined : JSON.parse(String(init.body)) });
    return new Response(answer.status === 204 ? null : answer.body, { status: answer.status });
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('snapshot API calls (SPEC §5)', () => {
  it('lists', async () => {
    answer.body = '{"snapshots":[{"name":"s1","created_at":"2026-01-31T12:00:00Z"}]}';
    expect(await api.snapshots('my data')).toEqual([{ name: 's1', created_at: '2026-01-31T12:00:00Z' }]);
    expect(calls).toEqual([{ method: 'GET', url: '/api/v1/folders/my%20data/snapshots', body: undefined }]);
  });

  it('takes one, named or by default', async () => {
    answer = { status: 201, body: '{"name":"20260131T120000Z"}' };
    expect((await api.createSnapshot('f')).name).toBe('20260131T120000Z');
    await api.createSnapshot('f', 'before');
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['POST', '/api/v1/folders/f/snapshots', {}],
      ['POST', '/api/v1/folders/f/snapshots', { name: 'before' }],
    ]);
  });

  it('deletes', async () => {
    answer = { status: 204, body: '' };
    await api.deleteSnapshot('f', 's.1');
    expect(calls).toEqual([{ method: 'DELETE', url: '/api/v1/folders/f/snapshots/s.1', body: undefined }]);
  });

  it('restores the whole folder, one path, or a path in the name_raw form', async () => {
    await api.restoreSnapshot('f', 's');
    await api.restoreSnapshot('f', 's', 'dir/a.txt');
    await api.restoreSnapshot('f', 's', { raw: 'bad%FF' });
    expect(calls.map((c) => [c.url, c.body])).toEqual([
      ['/api/v1/folders/f/snapshots/s/restore', {}],
      ['/api/v1/folders/f/snapshots/s/restore', { path: 'dir/a.txt' }],
      ['/api/v1/folders/f/snapshots/s/restore', { path_raw: 'bad%FF' }],
    ]);
  });

  it('surfaces the 409 sentence that names the session', async () => {
    answer = { status: 409, body: '{"error":{"code":"folder_in_use","message":"folder f is mounted read-write by session s1"}}' };
    const e = (await api.restoreSnapshot('f', 's').catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(409);
    expect(e.message).toBe('folder f is mounted read-write by session s1');
  });

  it('browses and downloads a snapshot', async () => {
    answer.body = '{"path":"d","entries":[]}';
    await api.listSnapshot('f', 's', 'd');
    await api.listSnapshot('f', 's', 'd', 'x.txt');
    expect(calls.map((c) => c.url)).toEqual([
      '/api/v1/folders/f/snapshots/s/files?path=d',
      '/api/v1/folders/f/snapshots/s/files?path=d&after=x.txt',
    ]);
    expect(api.snapshotContentUrl('f', 's', 'a b/c.txt')).toBe('/api/v1/folders/f/snapshots/s/files/content?path=a+b%2Fc.txt');
  });

  it('sets and clears the schedule with PATCH /folders/{name}', async () => {
    await api.setSnapshotSchedule('f', { every_s: 3600, keep: 24 });
    await api.setSnapshotSchedule('f', null);
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['PATCH', '/api/v1/folders/f', { snapshot_schedule: { every_s: 3600, keep: 24 } }],
      ['PATCH', '/api/v1/folders/f', { snapshot_schedule: null }],
    ]);
  });
});
