import { describe, expect, it } from 'vitest';
import { defaultDotfileMode, dotfileApiPath, dotfileModeError, dotfilePathError } from '../src/lib/dotfiles';
import { formatRoute, parseRoute } from '../src/lib/route';

describe('dotfiles', () => {
  it('accepts the paths the server accepts', () => {
    for (const p of ['.bashrc', '.ssh/authorized_keys', './.vimrc', 'bin/tool', '.berthrc']) {
      expect(dotfilePathError(p), p).toBeNull();
    }
  });
  it('explains the paths the server refuses', () => {
    for (const p of ['', '/etc/passwd', '../x', 'a/../b', 'a//b', 'a/', '.', '.berth', '.berth/x', './.berth/x']) {
      expect(dotfilePathError(p), p).toMatch(/./);
    }
  });
  it('defaults the mode like the server', () => {
    expect(defaultDotfileMode('.bashrc')).toBe('0644');
    expect(defaultDotfileMode('.ssh/config')).toBe('0600');
    expect(defaultDotfileMode('./.ssh/id')).toBe('0600');
    expect(defaultDotfileMode('.sshrc')).toBe('0644');
  });
  it('checks modes', () => {
    for (const m of ['0644', '644', '0000', '0777']) expect(dotfileModeError(m), m).toBeNull();
    for (const m of ['', '1777', '0999', '0o644', '64', '00644']) expect(dotfileModeError(m), m).toMatch(/octal/);
  });
  it('keeps the slashes of the API path and encodes the rest', () => {
    expect(dotfileApiPath('.ssh/authorized_keys')).toBe('/dotfiles/.ssh/authorized_keys');
    expect(dotfileApiPath('my dir/a#b')).toBe('/dotfiles/my%20dir/a%23b');
  });
  it('routes the Account page', () => {
    expect(parseRoute('#/account')).toEqual({ page: 'account' });
    expect(formatRoute({ page: 'account' })).toBe('#/account');
  });
});
