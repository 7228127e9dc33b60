// The user's total storage as the Data & Storage page shows it (GET /me
// quota_bytes and used_bytes; docs/operations.md "Storage quotas").

import { formatBytes } from './paths';

export interface StorageSummary {
  text: string;
  /** 0..100 when there is a quota, else null. */
  percent: number | null;
  /** At or over the quota: uploads are refused. */
  full: boolean;
}

export function storageSummary(used: number | undefined, quota: number | null | undefined): StorageSummary | null {
  if (used === undefined || used === null) return null;
  if (quota === undefined || quota === null || quota <= 0) {
    return { text: `Used ${formatBytes(used)} (no quota)`, percent: null, full: false };
  }
  const percent = Math.min(100, Math.round((used / quota) * 100));
  return { text: `Used ${formatBytes(used)} of ${formatBytes(quota)} (${percent}%)`, percent, full: used >= quota };
}
