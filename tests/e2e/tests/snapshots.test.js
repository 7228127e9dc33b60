// Folder snapshots in the web UI (SPEC §2 "Snapshots"), on a btrfs volume the
// test makes: take a snapshot, delete a file in the explorer, browse the
// snapshot read-only and Restore the file; Restore all and delete a snapshot;
// the schedule editor; and on the local volume, the explanation instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { withWorld } from '../lib/fixture.js';
import { withBtrfs } from '../lib/btrfs.js';
import { signIn, screenshot } from '../lib/browser.js';
import { confirmOk, downloadFile, fileRow, goStorage, openFolder } from '../lib/ui.js';

const kContent = 'bytes worth keeping';

async function put(b, folder, file, body) {
  const r = await fetch(`${b.url}/api/v1/folders/${folder}/files/content?path=${encodeURIComponent(file)}`, {
    method: 'PUT', headers: { Authorization: `Bearer ${b.token}` }, body,
  });
  assert.equal(r.status, 201, `upload of ${file}`);
}

// A berthd with volume `fast` on a fresh btrfs, folder `snappy` on it holding
// keep.txt and other.txt; skips where this berthd has no snapshots.
async function withSnappy(t, fn, { needsSessions = false } = {}) {
  await withBtrfs(t, async (mnt) => {
    const root = mkdtempSync(path.join(mnt, 'vol-'));
    await withWorld(t, async (w) => {
      const vols = (await w.api('GET', '/volumes')).json?.volumes ?? [];
      if (!vols.find((v) => v.name === 'fast')?.capabilities?.snapshots) {
        return t.skip('this berthd takes no snapshots on btrfs yet (GET /volumes: fast.capabilities.snapshots)');
      }
      assert.equal((await w.api('POST', '/folders', { name: 'snappy', volume: 'fast' })).status, 201);
      await put(w.b, 'snappy', 'keep.txt', kContent);
      await put(w.b, 'snappy', 'other.txt', 'other');
      await signIn(w.page, w.b);
      await goStorage(w.page);
      await openFolder(w.page, 'snappy');
      await fn(w);
    }, { berthdArgs: ['--volume', `fast=${root}`], needsSessions });
  });
}

const snapshotRow = (page, name) =>
  page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${name}( |$)`) }) });

async function openSnapshots(page) {
  await page.getByRole('link', { name: 'Snapshots', exact: true }).click();
  await page.getByRole('heading', { name: 'Snapshots of snappy', level: 1 }).waitFor();
}

async function takeSnapshot(page, name) {
  await page.getByRole('button', { name: 'Take snapshot', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Take a snapshot of snappy' });
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByRole('button', { name: 'Take snapshot', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await snapshotRow(page, name).waitFor();
}

async function deleteInExplorer(page, file) {
  await fileRow(page, file).getByRole('button', { name: 'Delete', exact: true }).click();
  await confirmOk(page);
  await fileRow(page, file).waitFor({ state: 'detached' });
}

test('snapshot, delete a file in the explorer, restore it from the snapshot view', async (t) => {
  await withSnappy(t, async ({ page, api }) => {
    await openSnapshots(page);
    await page.getByText('No snapshots yet').waitFor();
    await takeSnapshot(page, 'before');
    await screenshot(page, 'snapshots');
    const listed = (await api('GET', '/folders/snappy/snapshots')).json.snapshots.map((s) => s.name);
    assert.deepEqual(listed, ['before']);

    await page.getByRole('link', { name: '← snappy', exact: true }).click();
    await page.getByRole('heading', { name: 'snappy', level: 1 }).waitFor();
    await deleteInExplorer(page, 'keep.txt');
    assert.equal((await api('GET', '/folders/snappy/files/content?path=keep.txt')).status, 404);

    await openSnapshots(page);
    await snapshotRow(page, 'before').getByRole('link', { name: 'Browse', exact: true }).click();
    await page.getByRole('heading', { name: /^snappy@before/, level: 1 }).waitFor();
    // Read-only: no way to change the snapshot from here.
    for (const name of ['Upload', 'Rename', 'Delete', 'New directory']) {
      assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, `no ${name} in a snapshot`);
    }
    const { bytes } = await downloadFile(page, 'keep.txt');
    assert.equal(bytes.toString(), kContent, 'download from the snapshot');
    await screenshot(page, 'snapshot-browser');

    await fileRow(page, 'keep.txt').getByRole('button', { name: 'Restore', exact: true }).click();
    await confirmOk(page);
    await page.getByRole('status').filter({ hasText: 'keep.txt restored from snapshot before' }).waitFor();

    await page.getByRole('link', { name: 'Open live folder', exact: true }).click();
    await page.getByRole('heading', { name: 'snappy', level: 1 }).waitFor();
    await fileRow(page, 'keep.txt').waitFor();
    assert.equal((await api('GET', '/folders/snappy/files/content?path=keep.txt')).text, kContent);
  });
});

test('Restore all, then Delete the snapshot', async (t) => {
  await withSnappy(t, async ({ page, api }) => {
    await openSnapshots(page);
    await takeSnapshot(page, 'whole');
    await page.getByRole('link', { name: '← snappy', exact: true }).click();
    await deleteInExplorer(page, 'keep.txt');
    await deleteInExplorer(page, 'other.txt');

    await openSnapshots(page);
    await snapshotRow(page, 'whole').getByRole('button', { name: 'Restore all', exact: true }).click();
    await confirmOk(page);
    await page.getByRole('status').filter({ hasText: 'snappy restored from snapshot whole' }).waitFor();
    assert.equal((await api('GET', '/folders/snappy/files/content?path=keep.txt')).text, kContent);
    assert.equal((await api('GET', '/folders/snappy/files/content?path=other.txt')).text, 'other');

    await snapshotRow(page, 'whole').getByRole('button', { name: 'Delete', exact: true }).click();
    await confirmOk(page);
    await page.getByText('No snapshots yet').waitFor();
    assert.deepEqual((await api('GET', '/folders/snappy/snapshots')).json.snapshots, []);
  });
});

test('Restore all while a session mounts the folder: the refusal names the session', async (t) => {
  await withSnappy(t, async ({ page, api }) => {
    await openSnapshots(page);
    await takeSnapshot(page, 'busy');
    const s = await api('POST', '/sessions', { name: 'holds-snappy', mounts: [{ folder: 'snappy' }] });
    assert.equal(s.status, 201, s.text);
    try {
      await snapshotRow(page, 'busy').getByRole('button', { name: 'Restore all', exact: true }).click();
      await confirmOk(page);
      await page.getByRole('alert').filter({ hasText: 'holds-snappy' }).waitFor();
      await screenshot(page, 'snapshot-restore-refused');
    } finally {
      await api('DELETE', '/sessions/holds-snappy');
    }
  }, { needsSessions: true });
});

test('the schedule editor saves every N hours, keep N', async (t) => {
  await withSnappy(t, async ({ page, api }) => {
    await openSnapshots(page);
    // Every 2 hours, keep 5: PATCH /folders/snappy {snapshot_schedule}.
    await page.getByLabel('Take snapshots on a schedule').check();
    await page.getByLabel('Every', { exact: true }).fill('0');
    await page.getByText('Every: enter a whole number').waitFor();
    await page.getByLabel('Every', { exact: true }).fill('2');
    await page.getByLabel('Unit', { exact: true }).selectOption('hours');
    await page.getByLabel('Keep', { exact: true }).fill('5');
    await page.getByRole('button', { name: 'Save schedule', exact: true }).click();
    await page.getByText('Now: every 2 hours, keeping the last 5.').waitFor();
    assert.deepEqual((await api('GET', '/folders/snappy')).json.snapshot_schedule, { every_s: 7200, keep: 5 });
    await page.reload();
    await page.getByText('Now: every 2 hours, keeping the last 5.').waitFor();
    await screenshot(page, 'snapshot-schedule');

    await page.getByLabel('Take snapshots on a schedule').uncheck();
    await page.getByRole('button', { name: 'Save schedule', exact: true }).click();
    await page.getByText('Now: off.').waitFor();
    assert.equal((await api('GET', '/folders/snappy')).json.snapshot_schedule ?? null, null);
  });
});

test('a folder on the local volume: Snapshots is disabled and says why', async (t) => {
  await withWorld(t, async ({ b, page, api }) => {
    assert.equal((await api('POST', '/folders', { name: 'plain' })).status, 201);
    await signIn(page, b);
    await goStorage(page);
    await openFolder(page, 'plain');
    const button = page.getByRole('button', { name: 'Snapshots', exact: true });
    assert.equal(await button.isDisabled(), true);
    await page.getByText(/Snapshots need a volume that takes them \(btrfs\); this folder is on volume local/).waitFor();
    await page.goto(`${b.url}/#/snapshots/plain`);
    await page.getByRole('heading', { name: 'Snapshots of plain', level: 1 }).waitFor();
    await page.getByText(/this folder is on volume local, which does not/).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Take snapshot', exact: true }).isVisible(), false);
  });
});
