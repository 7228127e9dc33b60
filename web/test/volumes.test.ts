import { describe, expect, it } from 'vitest';
import { usageText, volumeChoice } from '../src/lib/volumes';

describe('volumeChoice', () => {
  it('hides the select with one volume', () => {
    const c = volumeChoice([{ name: 'local' }]);
    expect(c.show).toBe(false);
    expect(c.initial).toBe('local');
  });
  it('offers every volume, the default first, with what it can do', () => {
    const c = volumeChoice([
      { name: 'local', capabilities: { kernel_quota: false, instant_clone: false, snapshots: false } },
      { name: 'fast', capabilities: { kernel_quota: true, instant_clone: true, snapshots: false } },
    ]);
    expect(c.show).toBe(true);
    expect(c.initial).toBe('local');
    expect(c.options.map((o) => o.value)).toEqual(['local', 'fast']);
    expect(c.options[0].label).toBe('local');
    expect(c.options[1].label).toBe('fast (enforced quotas, instant clones)');
  });
  it('copes with no volumes', () => expect(volumeChoice([]).initial).toBe(''));
});

describe('usageText', () => {
  it('counts files where the volume does', () => {
    expect(usageText({ bytes: 0, files: 1 })).toMatch(/· 1 file$/);
    expect(usageText({ bytes: 0, files: 2 })).toMatch(/· 2 files$/);
  });
  it('shows bytes alone where files is null', () => {
    expect(usageText({ bytes: 2048, files: null })).not.toMatch(/file/);
  });
});
