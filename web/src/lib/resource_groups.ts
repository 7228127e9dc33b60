// The launcher's resource-group select (GET /resource-groups): Slurm's
// partitions with `berthd --cluster slurm`, the one group "default" on one
// host, where the select is not shown. The value '' sends no resource_group
// (the cluster's default partition).

import type { ResourceGroup } from '../api';

export interface GroupChoice {
  show: boolean;
  options: { value: string; label: string; disabled: boolean }[];
  initial: string;
}

function describe(g: ResourceGroup): string {
  const notes: string[] = [];
  if (g.default) notes.push('default');
  if (g.cpus) notes.push(`${g.cpus} CPUs`);
  if (g.max_time_s) notes.push(`up to ${Math.round(g.max_time_s / 3600 * 10) / 10} h`);
  if (g.up === false) notes.push('down');
  return notes.length ? `${g.name} (${notes.join(', ')})` : g.name;
}

export function groupChoice(groups: ResourceGroup[]): GroupChoice {
  const initial = groups.find((g) => g.default)?.name ?? '';
  return {
    show: groups.length > 1,
    options: groups.map((g) => ({ value: g.name, label: describe(g), disabled: g.up === false })),
    initial,
  };
}
