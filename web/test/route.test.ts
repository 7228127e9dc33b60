import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute, type Route } from '../src/lib/route';

describe('routes', () => {
  const cases: [string, Route][] = [
    ['#/sessions', { page: 'sessions' }],
    ['#/storage', { page: 'storage', tab: 'folders' }],
    ['#/storage?tab=trash', { page: 'storage', tab: 'trash' }],
    ['#/storage/data/a/b', { page: 'explorer', folder: 'data', path: 'a/b' }],
    ['#/snapshots/data', { page: 'snapshots', folder: 'data' }],
    ['#/snapshots/data/20260131T120000Z', { page: 'snapshot', folder: 'data', snapshot: '20260131T120000Z', path: '' }],
    ['#/snapshots/data/s1/dir/a%20b.txt', { page: 'snapshot', folder: 'data', snapshot: 's1', path: 'dir/a b.txt' }],
    ['#/account', { page: 'account' }],
  ];
  it.each(cases)('%s parses and formats back', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
    expect(formatRoute(route)).toBe(hash);
  });

  it('encodes every path component of a snapshot route', () => {
    const r: Route = { page: 'snapshot', folder: 'f', snapshot: 's', path: 'x/#?/y' };
    expect(formatRoute(r)).toBe('#/snapshots/f/s/x/%23%3F/y');
    expect(parseRoute(formatRoute(r))).toEqual(r);
  });

  it('drops empty and dot components', () => {
    expect(parseRoute('#/snapshots/f/s//./a/')).toEqual({ page: 'snapshot', folder: 'f', snapshot: 's', path: 'a' });
  });
});
