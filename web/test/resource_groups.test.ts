import { describe, expect, it } from 'vitest';
import { groupChoice } from '../src/lib/resource_groups';

describe('groupChoice', () => {
  it('hides the select on one host (one group)', () => {
    const c = groupChoice([{ name: 'default', default: true }]);
    expect(c.show).toBe(false);
    expect(c.initial).toBe('default');
  });
  it('offers every partition, the default preselected, a down one disabled', () => {
    const c = groupChoice([
      { name: 'debug', default: false, up: true, cpus: 6, max_time_s: 3600 },
      { name: 'batch', default: true, up: true, cpus: 64 },
      { name: 'old', default: false, up: false },
    ]);
    expect(c.show).toBe(true);
    expect(c.initial).toBe('batch');
    expect(c.options.map((o) => o.value)).toEqual(['debug', 'batch', 'old']);
    expect(c.options[0].label).toBe('debug (6 CPUs, up to 1 h)');
    expect(c.options[1].label).toBe('batch (default, 64 CPUs)');
    expect(c.options[2].disabled).toBe(true);
  });
  it('copes with no groups (an older server)', () => {
    const c = groupChoice([]);
    expect(c.show).toBe(false);
    expect(c.initial).toBe('');
  });
});
