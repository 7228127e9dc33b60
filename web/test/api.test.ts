import { describe, expect, it } from 'vitest';
import { ApiError, appOpenPath, errorFrom } from '../src/api';
import { terminalUrl } from '../src/pages/terminal';

describe('errorFrom', () => {
  it('uses the server sentence and code', async () => {
    const e = await errorFrom(409, '{"error":{"code":"already_exists","message":"folder user2-vfolder already exists"}}');
    expect(e).toBeInstanceOf(ApiError);
    expect(e.message).toBe('folder user2-vfolder already exists');
    expect(e.code).toBe('already_exists');
    expect(e.noEndpoint).toBe(false);
  });

  it('recognises a missing endpoint', async () => {
    const e = await errorFrom(404, '{"error":{"code":"no_such_endpoint","message":"no such endpoint: /api/v1/images"}}');
    expect(e.noEndpoint).toBe(true);
  });

  it('turns a non-JSON answer and a network failure into sentences', async () => {
    expect((await errorFrom(502, 'Bad Gateway')).message).toBe('The server answered 502: Bad Gateway');
    expect((await errorFrom(0, '')).message).toMatch(/cannot be reached/);
  });
});

describe('terminalUrl', () => {
  it('picks ws or wss and encodes the name', () => {
    expect(terminalUrl('s1', { protocol: 'http:', host: 'h:8470' } as Location)).toBe('ws://h:8470/api/v1/sessions/s1/terminal');
    expect(terminalUrl('a b', { protocol: 'https:', host: 'h' } as Location)).toBe('wss://h/api/v1/sessions/a%20b/terminal');
  });
});

describe('appOpenPath', () => {
  it('points at the one-time /open redirect, names encoded', () => {
    expect(appOpenPath('s1', 'jupyter')).toBe('/api/v1/sessions/s1/apps/jupyter/open');
    expect(appOpenPath('a b', 'x/y')).toBe('/api/v1/sessions/a%20b/apps/x%2Fy/open');
  });
});
