import { describe, expect, it } from 'vitest';
import { storageSummary } from '../src/lib/quota';

describe('storageSummary', () => {
  it('shows used of quota with a percentage', () => {
    expect(storageSummary(512 * 1024, 1024 * 1024)).toEqual({ text: 'Used 512 KiB of 1.0 MiB (50%)', percent: 50, full: false });
  });
  it('is full at or over the quota and caps the bar at 100', () => {
    expect(storageSummary(2048, 1024)).toMatchObject({ percent: 100, full: true });
    expect(storageSummary(1024, 1024)).toMatchObject({ full: true });
  });
  it('says when there is no quota', () => {
    expect(storageSummary(0, null)).toEqual({ text: 'Used 0 B (no quota)', percent: null, full: false });
  });
  it('shows nothing for a server that does not report usage', () => {
    expect(storageSummary(undefined, undefined)).toBeNull();
  });
});
