// The launcher against `berthd --cluster slurm` on the real one-machine
// cluster of scripts/slurm-cluster.sh (issue 15): the resource-group select
// offers Slurm's partitions, the chosen one is where the session runs, and
// the Sessions page names its node. Skips without the Slurm packages or root
// (scripts/deps.sh installs them; CI has both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { withWorld } from '../lib/fixture.js';
import { repoRoot } from '../lib/berthd.js';
import { signIn, screenshot } from '../lib/browser.js';

const script = path.join(repoRoot, 'scripts', 'slurm-cluster.sh');
const missing = ['munged', 'slurmctld', 'slurmd', 'slurmrestd']
  .filter((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status !== 0);
const skip = process.getuid?.() !== 0 ? 'needs root'
  : missing.length ? `Slurm packages missing (${missing.join(', ')}): scripts/deps.sh` : false;

// A port P with P, P+1 and P+3 free (slurmctld, slurmd, slurmrestd).
async function portBase() {
  const free = (port) => new Promise((resolve) => {
    const s = createServer().once('error', () => resolve(false));
    s.listen(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
  for (let i = 0; i < 50; i++) {
    const base = 20000 + Math.floor(Math.random() * 40000);
    if (await free(base) && await free(base + 1) && await free(base + 3)) return base;
  }
  throw new Error('no free port range');
}

test('the launcher offers the partitions; a session lands in the chosen one and shows its node', { skip }, async (t) => {
  const dir = `/run/berth-slurm-e2e-${process.pid}`;
  const env = { ...process.env, BERTH_SLURM_TAG: 'bse', BERTH_SLURM_NET: '10.214.15', BERTH_SLURM_PORT: String(await portBase()) };
  const cluster = (...args) => execFileSync(script, [...args, '--dir', dir], { env, encoding: 'utf8', timeout: 120000 });
  try {
    const flags = cluster('start').trim().split('\n').pop().split(' ');
    await withWorld(t, async ({ b, page, api }) => {
      await signIn(page, b);
      await page.getByRole('link', { name: 'Sessions', exact: true }).click();
      await page.getByRole('button', { name: 'START', exact: true }).click();
      const dialog = page.getByRole('dialog');
      const group = dialog.getByLabel('Resource group');
      const options = await group.locator('option').allTextContents();
      assert.deepEqual(options.map((o) => o.split(' ')[0]), ['batch', 'short'], options.join(' | '));
      assert.equal(await group.inputValue(), 'batch', 'the default partition is preselected');
      await group.selectOption('short');  // node1 only
      await dialog.getByLabel('CPU cores').fill('1');
      await dialog.getByLabel('Memory (GiB)').fill('0.25');
      await screenshot(page, 'cluster-start-dialog');
      await dialog.getByRole('button', { name: 'Launch', exact: true }).click();
      await dialog.waitFor({ state: 'detached', timeout: 60000 });

      const [s] = (await api('GET', '/sessions')).json.sessions;
      assert.equal(s.resource_group, 'short');
      const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: s.name, exact: true }) });
      await row.getByText('Running').waitFor({ timeout: 90000 });
      await row.getByText('on node1').waitFor();
      await screenshot(page, 'cluster-session-running');
      assert.equal((await api('DELETE', `/sessions/${s.name}`)).status, 204);
    }, { berthdArgs: [...flags, '--cluster-poll-ms', '1000'], needsSessions: true });
  } finally {
    spawnSync(script, ['stop', '--dir', dir], { env, timeout: 120000 });
  }
});
