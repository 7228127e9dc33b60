// The server's volumes and what each can do (GET /volumes), fetched once per
// page load: they change only when berthd restarts. A failed fetch is not
// kept, so the next caller asks again.

import { api, type Volume } from '../api';

let volumesOnce: Promise<Volume[]> | null = null;

export function knownVolumes(): Promise<Volume[]> {
  volumesOnce ??= api.volumes().catch(() => {
    volumesOnce = null;
    return [];
  });
  return volumesOnce;
}
