// Volumes in the web UI: the New folder dialog offers a volume select when
// the server has several, and a folder's Clone action makes a copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withWorld } from '../lib/fixture.js';
import { signIn, screenshot } from '../lib/browser.js';
import { folderRow, goStorage } from '../lib/ui.js';

test('new folder on a chosen volume, then Clone it', async (t) => {
  const second = mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-vol-'));
  try {
    await withWorld(t, async ({ b, page, api }) => {
      await signIn(page, b);
      await goStorage(page);
      await page.getByRole('button', { name: 'New folder', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'New folder' });
      await dialog.getByLabel('Name', { exact: true }).fill('on-second');
      const select = dialog.getByLabel('Volume', { exact: true });
      await select.waitFor();
      assert.deepEqual(await select.locator('option').evaluateAll((os) => os.map((o) => o.value)),
        ['local', 'second']);
      await select.selectOption('second');
      await screenshot(page, 'new-folder-volume');
      await dialog.getByRole('button', { name: 'Create', exact: true }).click();
      await dialog.waitFor({ state: 'detached' });
      await folderRow(page, 'on-second').waitFor();
      assert.equal((await api('GET', '/folders/on-second')).json.volume, 'second');
      const put = await fetch(`${b.url}/api/v1/folders/on-second/files/content?path=a.txt`, {
        method: 'PUT', headers: { Authorization: `Bearer ${b.token}` }, body: 'cloned bytes',
      });
      assert.equal(put.status, 201);

      await folderRow(page, 'on-second').getByRole('button', { name: 'Clone', exact: true }).click();
      const cd = page.getByRole('dialog', { name: 'Clone folder on-second' });
      await cd.getByLabel('Name of the copy', { exact: true }).fill('the-copy');
      await cd.getByRole('button', { name: 'Clone', exact: true }).click();
      await cd.waitFor({ state: 'detached' });
      await folderRow(page, 'the-copy').waitFor();
      const copy = (await api('GET', '/folders/the-copy')).json;
      assert.equal(copy.volume, 'second');
      assert.equal((await api('GET', '/folders/the-copy/files/content?path=a.txt')).text, 'cloned bytes');
    }, { berthdArgs: ['--volume', `second=${second}`] });
  } finally {
    rmSync(second, { recursive: true, force: true });
  }
});

test('one volume: no select in the New folder dialog', async (t) => {
  await withWorld(t, async ({ b, page }) => {
    await signIn(page, b);
    await goStorage(page);
    await page.getByRole('button', { name: 'New folder', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New folder' });
    await dialog.getByLabel('Name', { exact: true }).waitFor();
    await page.waitForTimeout(300);  // GET /volumes answered by now
    assert.equal(await dialog.getByLabel('Volume', { exact: true }).isVisible(), false);
  });
});
