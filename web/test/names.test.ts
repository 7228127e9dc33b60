import { describe, expect, it } from 'vitest';
import { folderNameError, isAutomountName, sessionNameError } from '../src/lib/names';

describe('folderNameError', () => {
  const ok = ['user1-ml-test', 'user2-vfolder', '.local', '.linuxbrew', 'a', 'A.b_c-d', '..x', '.bash', '.Bashrc', 'x'.repeat(64)];
  it.each(ok)('accepts %s', (n) => expect(folderNameError(n)).toBeNull());

  const bad: [string, RegExp][] = [
    ['', /Enter a folder name/],
    ['x'.repeat(65), /at most 64/],
    ['.', /not a folder name/],
    ['..', /not a folder name/],
    ['-x', /cannot start with a hyphen/],
    ['a/b', /Use only letters/],
    ['a b', /Use only letters/],
    ['ünï', /Use only letters/],
    ['.ssh', /reserved/],
    ['.terminfo', /reserved/],
    ['.jupyter', /reserved/],
    ['.tmux.conf', /reserved/],
    ['.berth', /reserved/],
    ['.bashrc', /reserved/],
    ['.zshrc', /reserved/],
    ['.vimrc', /reserved/],
    ['.bash_profile', /reserved/],
    ['.profile2_profile', /reserved/],
  ];
  it.each(bad)('refuses %j', (n, re) => expect(folderNameError(n)).toMatch(re));
});

describe('isAutomountName', () => {
  it('is true for dot names only', () => {
    expect(isAutomountName('.local')).toBe(true);
    expect(isAutomountName('local')).toBe(false);
  });
});

describe('sessionNameError', () => {
  it('allows empty (generated)', () => expect(sessionNameError('')).toBeNull());
  it('allows lowercase names', () => expect(sessionNameError('my-sess-1')).toBeNull());
  it.each(['-x', 'Upper', 'a_b', 'x'.repeat(64)])('refuses %s', (n) => expect(sessionNameError(n)).not.toBeNull());
});
