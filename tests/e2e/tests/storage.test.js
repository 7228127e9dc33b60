// The storage half of the user guide, by clicking, plus drag-and-drop upload,
// inline validation, explorer operations, trash, login and phone width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withWorld } from '../lib/fixture.js';
import { signIn, screenshot } from '../lib/browser.js';
import { confirmOk, createFolder, downloadFile, fileRow, folderRow, goStorage, openFolder } from '../lib/ui.js';

const kContent = 'file inside user2-vfolder';

// Polls `get` until it returns `want` (10 s), then asserts equality.
async function eventually(get, want) {
  let got;
  for (let i = 0; i < 50; i++) {
    got = await get();
    if (got === want) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(got, want);
}

test('seed story, storage half: create folders, upload test_file, see it, download it', async (t) => {
  await withWorld(t, async ({ b, page, api }) => {
    await signIn(page, b);
    await goStorage(page);
    await page.getByText('No folders yet').waitFor();
    await screenshot(page, 'storage-empty');

    await createFolder(page, 'user1-ml-test');
    await folderRow(page, 'user1-ml-test').waitFor();
    await createFolder(page, 'user2-vfolder');
    await folderRow(page, 'user2-vfolder').waitFor();
    const listed = (await api('GET', '/folders')).json.folders.map((f) => f.name).sort();
    assert.deepEqual(listed, ['user1-ml-test', 'user2-vfolder']);
    await screenshot(page, 'storage-folders');

    await openFolder(page, 'user2-vfolder');
    assert.match(page.url(), /#\/storage\/user2-vfolder$/);
    await page.getByText('This folder is empty').waitFor();
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Upload', exact: true }).click(),
    ]);
    await chooser.setFiles({ name: 'test_file', mimeType: 'text/plain', buffer: Buffer.from(kContent) });
    await fileRow(page, 'test_file').waitFor();
    await page.getByRole('list', { name: 'Uploads' }).getByText('Uploaded').waitFor();

    const got = await api('GET', '/folders/user2-vfolder/files/content?path=test_file');
    assert.equal(got.text, kContent, 'the server stored what the browser uploaded');

    const { bytes, suggested } = await downloadFile(page, 'test_file');
    assert.equal(suggested, 'test_file');
    assert.equal(bytes.toString(), kContent);
    await screenshot(page, 'explorer');

    // Usage shows on the folder list once the file is there.
    await goStorage(page);
    await folderRow(page, 'user2-vfolder').getByText(/1 file\b/).waitFor();
  });
});

test('upload by drag-and-drop shows progress and lists the file', async (t) => {
  await withWorld(t, async ({ b, page, api }) => {
    await api('POST', '/folders', { name: 'drops' });
    await signIn(page, b);
    await page.goto(`${b.url}/#/storage/drops`);
    await page.getByText('This folder is empty').waitFor();
    const big = 'x'.repeat(3 * 1024 * 1024);
    await page.evaluate((big) => {
      const dt = new DataTransfer();
      dt.items.add(new File(['dropped content'], 'dropped.txt', { type: 'text/plain' }));
      dt.items.add(new File([big], 'big.bin'));
      const zone = document.querySelector('section.explorer');
      for (const type of ['dragenter', 'dragover', 'drop']) {
        zone.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      }
    }, big);
    const uploads = page.getByRole('list', { name: 'Uploads' });
    await uploads.getByRole('progressbar', { name: 'Uploading dropped.txt' }).waitFor({ state: 'attached' });
    await fileRow(page, 'dropped.txt').waitFor();
    try {
      await fileRow(page, 'big.bin').waitFor();
    } catch (e) {
      throw new Error(`big.bin not listed; uploads: ${await uploads.textContent()}`, { cause: e });
    }
    assert.equal((await api('GET', '/folders/drops/files/content?path=dropped.txt')).text, 'dropped content');
    assert.equal((await api('GET', '/folders/drops/files/content?path=big.bin')).text.length, big.length);

    // Dropping the same name again asks before replacing it.
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['second version'], 'dropped.txt'));
      document.querySelector('section.explorer').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.getByRole('dialog', { name: 'Replace dropped.txt?' }).waitFor();
    await confirmOk(page);
    await eventually(async () => (await api('GET', '/folders/drops/files/content?path=dropped.txt')).text, 'second version');
  });
});

test('New folder dialog explains a bad name as you type and keeps Create disabled', async (t) => {
  await withWorld(t, async ({ b, page, api }) => {
    await api('POST', '/folders', { name: 'taken' });
    await signIn(page, b);
    await goStorage(page);
    await page.getByRole('button', { name: 'New folder', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New folder' });
    const name = dialog.getByLabel('Name', { exact: true });
    const create = dialog.getByRole('button', { name: 'Create', exact: true });
    assert.equal(await create.isDisabled(), true, 'empty name: Create disabled');

    const cases = [
      ['.bashrc', /reserved/],
      ['-x', /cannot start with a hyphen/],
      ['a b', /Use only letters/],
      ['..', /not a folder name/],
      ['.ssh', /reserved/],
      ['x'.repeat(65), /at most 64/],
    ];
    for (const [value, message] of cases) {
      await name.fill(value);
      await dialog.getByText(message).waitFor();
      assert.equal(await create.isDisabled(), true, `Create disabled for ${value}`);
      assert.equal(await name.getAttribute('aria-invalid'), 'true');
    }
    await screenshot(page, 'new-folder-invalid');

    // A name the server refuses (duplicate): its sentence shows in the dialog.
    await name.fill('taken');
    assert.equal(await create.isDisabled(), false);
    await create.click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /\w+ .*\w/, 'a sentence, not a code');
    assert.doesNotMatch(await alert.textContent(), /^\{|already_exists/);

    // Keyboard: fixing the name and pressing Enter creates it.
    await name.fill('.local');
    await name.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Automount folders', selected: true }).waitFor();
    await folderRow(page, '.local').waitFor();
    await screenshot(page, 'storage-automount');
  });
});

test('explorer: mkdir, breadcrumbs in the URL, rename, delete with OK, directory download', async (t) => {
  await withWorld(t, async ({ b, page, api }) => {
    await api('POST', '/folders', { name: 'proj' });
    await signIn(page, b);
    await goStorage(page);
    await openFolder(page, 'proj');

    await page.getByRole('button', { name: 'New directory', exact: true }).click();
    let dialog = page.getByRole('dialog', { name: 'New directory' });
    await dialog.getByLabel('Name', { exact: true }).fill('data');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await fileRow(page, 'data').getByRole('link', { name: 'data' }).click();
    await page.waitForURL(/#\/storage\/proj\/data$/);
    const crumbs = page.getByRole('navigation', { name: 'Breadcrumb' });
    await crumbs.getByText('data').waitFor();

    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Upload', exact: true }).click(),
    ]);
    await chooser.setFiles([
      { name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('A') },
      { name: 'b.txt', mimeType: 'text/plain', buffer: Buffer.from('B') },
    ]);
    await fileRow(page, 'b.txt').waitFor();

    // Reload keeps the place: the URL is the state.
    await page.reload();
    await fileRow(page, 'a.txt').waitFor();

    await fileRow(page, 'a.txt').getByRole('button', { name: 'Rename', exact: true }).click();
    dialog = page.getByRole('dialog', { name: 'Rename a.txt' });
    await dialog.getByLabel('New name').fill('renamed.txt');
    await dialog.getByRole('button', { name: 'Rename', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await fileRow(page, 'renamed.txt').waitFor();
    assert.equal((await api('GET', '/folders/proj/files/content?path=data/renamed.txt')).text, 'A');

    await fileRow(page, 'b.txt').getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog', { name: 'Delete b.txt?' }).waitFor();
    await confirmOk(page);
    await fileRow(page, 'b.txt').waitFor({ state: 'detached' });
    assert.equal((await api('GET', '/folders/proj/files/content?path=data/b.txt')).status, 404);

    // Up via the breadcrumb, then download the directory as a zip.
    await crumbs.getByRole('link', { name: 'proj' }).click();
    await page.waitForURL(/#\/storage\/proj$/);
    const { bytes, suggested } = await downloadFile(page, 'data');
    assert.equal(suggested.endsWith('.zip'), true, suggested);
    assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'a zip archive');

    await fileRow(page, 'data').getByRole('button', { name: 'Delete', exact: true }).click();
    await confirmOk(page);
    await page.getByText('This folder is empty').waitFor();
  });
});

test('folders: rename, delete to trash, restore, purge', async (t) => {
  await withWorld(t, async ({ b, page, api }) => {
    await api('POST', '/folders', { name: 'old-name' });
    await signIn(page, b);
    await goStorage(page);

    await folderRow(page, 'old-name').getByRole('button', { name: 'Rename', exact: true }).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('new-name');
    await dialog.getByRole('button', { name: 'Rename', exact: true }).click();
    await folderRow(page, 'new-name').waitFor();

    await folderRow(page, 'new-name').getByRole('button', { name: 'Delete', exact: true }).click();
    await confirmOk(page);
    await page.getByText('No folders yet').waitFor();

    await page.getByRole('tab', { name: 'Trash', exact: true }).click();
    await folderRow(page, 'new-name').getByRole('button', { name: 'Restore', exact: true }).click();
    await page.getByText('The trash is empty').waitFor();
    await page.getByRole('tab', { name: 'Folders', exact: true }).click();
    await folderRow(page, 'new-name').getByRole('button', { name: 'Delete', exact: true }).click();
    await confirmOk(page);

    await page.getByRole('tab', { name: 'Trash', exact: true }).click();
    await screenshot(page, 'storage-trash');
    await folderRow(page, 'new-name').getByRole('button', { name: 'Purge', exact: true }).click();
    await confirmOk(page);
    await page.getByText('The trash is empty').waitFor();
    assert.equal((await api('GET', '/folders?status=trash')).json.folders.length, 0);
  });
});

test('login page: token sign-in, then sign out', async (t) => {
  await withWorld(t, async ({ b, page }) => {
    await page.goto(`${b.url}/`);
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await screenshot(page, 'login');
    await page.getByLabel('API token', { exact: true }).fill(b.token);
    await page.getByRole('button', { name: 'Sign in with token' }).click();
    await page.getByRole('link', { name: 'Sessions', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  });
});

test('phone width (390 px): storage and explorer stay usable', async (t) => {
  await withWorld(t, async ({ b, page, api }) => {
    await api('POST', '/folders', { name: 'user2-vfolder' });
    await signIn(page, b);
    await goStorage(page);
    await screenshot(page, 'storage-narrow');
    await openFolder(page, 'user2-vfolder');
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Upload', exact: true }).click(),
    ]);
    await chooser.setFiles({ name: 'test_file', mimeType: 'text/plain', buffer: Buffer.from(kContent) });
    const dl = fileRow(page, 'test_file').getByRole('button', { name: 'Download', exact: true });
    await dl.waitFor();
    const box = await dl.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `Download button on screen: ${JSON.stringify(box)}`);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= 390, `no horizontal page scroll (scrollWidth ${scrollWidth})`);
    await screenshot(page, 'explorer-narrow');
  }, { viewport: { width: 390, height: 844 } });
});

test('keyboard only: reach New folder with Tab, create with Enter, Escape closes a dialog', async (t) => {
  await withWorld(t, async ({ b, page }) => {
    await signIn(page, b);
    await goStorage(page);
    let found = false;
    for (let i = 0; i < 30 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement?.textContent === 'New folder');
    }
    assert.ok(found, 'New folder is reachable with Tab');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New folder' });
    await dialog.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), await dialog.getByLabel('Name', { exact: true }).getAttribute('id'));
    await page.keyboard.type('kbd-folder');
    await page.keyboard.press('Enter');
    await folderRow(page, 'kbd-folder').waitFor();

    await page.getByRole('button', { name: 'New folder', exact: true }).focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // Arrow keys move between the storage tabs.
    await page.getByRole('tab', { name: 'Folders', exact: true }).focus();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('tab', { name: 'Automount folders', selected: true }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-automount');
  });
});

test('sharing: owner invites read-only, invitee accepts, sees it read-only, leaves', async (t) => {
  await withWorld(t, async ({ b, page, api }) => {
    await api('POST', '/folders', { name: 'team' });
    const bob = await api('POST', '/users', { name: 'bob', password: 'correct horse battery' });
    if (bob.status === 404 && bob.json?.error?.code === 'no_such_endpoint') {
      t.skip('the server has no /api/v1/users endpoint yet (users and sharing not built)');
      return;
    }
    assert.equal(bob.status, 201, bob.text);

    await signIn(page, b);
    await goStorage(page);
    await folderRow(page, 'team').getByRole('button', { name: 'Share', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Share folder team' });
    await dialog.getByText('Not shared with anyone yet.').waitFor();
    await dialog.getByLabel('User', { exact: true }).fill('bob');
    await dialog.getByLabel('Permission', { exact: true }).selectOption('ro');
    await dialog.getByRole('button', { name: 'Share', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });

    // bob signs in with the password form; a wrong password is a sentence.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('User name').fill('bob');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: /\w+ \w+/ }).waitFor();
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('bob', { exact: true }).waitFor();
    await goStorage(page);
    const inv = page.getByRole('listitem', { name: 'Invitation to team' });
    await inv.getByText('read-only').waitFor();
    await screenshot(page, 'storage-invitation');
    await inv.getByRole('button', { name: 'Accept', exact: true }).click();
    const row = folderRow(page, 'team');
    await row.waitFor();
    assert.equal(await row.getByRole('button', { name: 'Delete', exact: true }).count(), 0, 'an invitee cannot delete');

    await row.getByRole('link', { name: 'Open', exact: true }).click();
    await page.getByText('Read-only.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Upload', exact: true }).isDisabled(), true);

    await goStorage(page);
    await folderRow(page, 'team').getByRole('button', { name: 'Leave', exact: true }).click();
    await confirmOk(page);
    await page.getByText('No folders yet').waitFor();
  });
});

test('a cancelled upload leaves no file behind', async (t) => {
  await withWorld(t, async ({ b, page, context, api }) => {
    await api('POST', '/folders', { name: 'slow' });
    await signIn(page, b);
    await page.goto(`${b.url}/#/storage/slow`);
    await page.getByText('This folder is empty').waitFor();
    // Throttle uploads so that there is time to cancel.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 1024 * 1024 });
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Upload', exact: true }).click(),
    ]);
    await chooser.setFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(8 * 1024 * 1024, 7) });
    const item = page.getByRole('list', { name: 'Uploads' }).getByRole('listitem').filter({ hasText: 'big.bin' });
    await page.waitForFunction(() => {
      const p = document.querySelector('progress[aria-label="Uploading big.bin"]');
      return p && p.value > 0 && p.value < 0.8;
    });
    await item.getByRole('button', { name: 'Cancel', exact: true }).click();
    await item.getByText('The upload was cancelled.').waitFor();
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    // The server drops the partial temp file; nothing appears at the target.
    for (let i = 0; i < 20; i++) {
      const l = await api('GET', '/folders/slow/files?path=');
      if (l.json.entries.length === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual((await api('GET', '/folders/slow/files?path=')).json.entries, []);
    assert.equal((await api('GET', '/folders/slow/files/content?path=big.bin')).status, 404);
  });
});

// A session can make a file whose name is not valid UTF-8; the explorer lists
// it (U+FFFD for the bad bytes) and downloads, renames and deletes the exact
// file through the lossless name_raw form.
test('explorer: a file name that is not UTF-8 lists, downloads, renames and deletes', async (t) => {
  await withWorld(t, async ({ b, page, api }) => {
    const folder = await api('POST', '/folders', { name: 'odd' });
    assert.equal(folder.status, 201, folder.text);
    const me = (await api('GET', '/me')).json;
    const fid = folder.json.id;
    const dir = path.join(b.dataDir, 'volumes', 'local', `u-${me.id}`, fid.slice(0, 2), fid.slice(2, 4), fid.slice(4));
    const raw = Buffer.concat([Buffer.from('bad'), Buffer.from([0xff, 0xfe]), Buffer.from('.txt')]);
    writeFileSync(Buffer.concat([Buffer.from(dir + '/'), raw]), 'odd bytes');
    const shown = 'bad\uFFFD\uFFFD.txt';

    await signIn(page, b);
    await goStorage(page);
    await openFolder(page, 'odd');
    await fileRow(page, shown).waitFor();
    const { bytes } = await downloadFile(page, shown);
    assert.equal(bytes.toString(), 'odd bytes');

    await fileRow(page, shown).getByRole('button', { name: 'Rename', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Rename ${shown}` });
    await dialog.getByLabel('New name').fill('fixed.txt');
    await dialog.getByRole('button', { name: 'Rename', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await fileRow(page, 'fixed.txt').waitFor();
    assert.equal(readdirSync(dir).join(','), 'fixed.txt');

    await fileRow(page, 'fixed.txt').getByRole('button', { name: 'Delete', exact: true }).click();
    await confirmOk(page);
    await page.getByText('This folder is empty').waitFor();
    assert.deepEqual(readdirSync(dir), []);
  });
});

test('storage quota: the page shows used of quota, and an upload past it is refused', async (t) => {
  await withWorld(t, async ({ b, page, api }) => {
    assert.equal((await api('PATCH', '/users/admin', { quota_bytes: 1024 * 1024 })).status, 200);
    assert.equal((await api('POST', '/folders', { name: 'q' })).status, 201);
    await signIn(page, b);
    await goStorage(page);
    await openFolder(page, 'q');
    const upload = async (name, size) => {
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser'),
        page.getByRole('button', { name: 'Upload', exact: true }).click(),
      ]);
      await chooser.setFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.alloc(size, 120) });
    };
    await upload('half.bin', 512 * 1024);
    await fileRow(page, 'half.bin').waitFor();
    await goStorage(page);
    await page.getByText('Used 512 KiB of 1.0 MiB (50%)').waitFor();
    await screenshot(page, 'storage-quota');

    await openFolder(page, 'q');
    await upload('big.bin', 600 * 1024);
    await page.getByRole('list', { name: 'Uploads' }).getByText(/quota/i).waitFor();
    const names = (await api('GET', '/folders/q/files')).json.entries.map((e) => e.name);
    assert.deepEqual(names, ['half.bin'], 'the refused upload left nothing');
  });
});
