// The whole user guide story with sessions, by clicking: START with two
// folders, a terminal writing into one, delete, and the file still there.
// Skips (does not fail) while the server has no session images.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withWorld } from '../lib/fixture.js';
import { apiCall, loginUrl } from '../lib/berthd.js';
import { signIn, screenshot } from '../lib/browser.js';
import { screenRows, typeLine } from '../lib/terminal.js';
import { confirmOk, createGuideFolders, downloadFile, fileRow, folderRow, goStorage, launchWithFolders, openFolder } from '../lib/ui.js';

const kContent = 'file inside user2-vfolder';

async function waitForScreen(page, predicate, what, timeout = 20000) {
  const deadline = Date.now() + timeout;
  let rows = [];
  while (Date.now() < deadline) {
    rows = await screenRows(page);
    if (predicate(rows)) return rows;
    await page.waitForTimeout(200);
  }
  throw new Error(`terminal never showed ${what}; screen:\n${rows.join('\n')}`);
}

// The rows printed after the last prompt line that ends with `cmd`.
function outputOf(rows, cmd) {
  let i = rows.length - 1;
  while (i >= 0 && !rows[i].trimEnd().endsWith(cmd)) i--;
  return i < 0 ? [] : rows.slice(i + 1);
}

test('seed story: START with two folders, write a file in the terminal, delete, file persists', async (t) => {
  await withWorld(t, async ({ b, page, api }) => {
    await signIn(page, b);
    await createGuideFolders(page);

    await page.getByRole('link', { name: 'Sessions', exact: true }).click();
    await page.getByRole('heading', { name: 'Sessions', level: 1 }).waitFor();
    await screenshot(page, 'sessions-empty');
    await launchWithFolders(page, ['user1-ml-test', 'user2-vfolder'], () => screenshot(page, 'start-dialog'));

    const sessions = (await api('GET', '/sessions')).json.sessions;
    assert.equal(sessions.length, 1);
    const name = sessions[0].name;
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
    await row.getByText('Running').waitFor({ timeout: 120000 });
    await row.getByText('/home/work/user2-vfolder').waitFor();

    await row.getByRole('button', { name: 'Terminal', exact: true }).click();
    await page.locator('.xterm-rows').waitFor();
    await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
    await waitForScreen(page, (r) => r.some((l) => /[$#]$/.test(l)), 'a shell prompt');
    // The resize frame reached the PTY: the shell sees the fitted size.
    await typeLine(page, 'stty size');
    const sizeRows = await waitForScreen(page, (r) => outputOf(r, 'stty size').some((l) => /^\d+ \d+$/.test(l.trim())), 'stty size output');
    const [ttyRows, ttyCols] = outputOf(sizeRows, 'stty size').find((l) => /^\d+ \d+$/.test(l.trim())).trim().split(' ').map(Number);
    assert.equal(ttyRows, sizeRows.length, 'PTY rows = xterm rows');
    assert.ok(ttyCols > 100, `PTY columns fitted to the panel (${ttyCols})`);
    await typeLine(page, 'clear');
    await typeLine(page, 'ls');
    await waitForScreen(page, (r) => {
      const out = outputOf(r, ' ls').join('\n');
      return /\buser1-ml-test\b/.test(out) && /\buser2-vfolder\b/.test(out);
    }, 'ls listing both folders');
    await typeLine(page, `echo "${kContent}" > user2-vfolder/test_file`);
    await typeLine(page, 'ls user2-vfolder');
    await waitForScreen(page, (r) => outputOf(r, 'ls user2-vfolder').some((l) => l.trim() === 'test_file'), 'test_file in ls user2-vfolder');
    await typeLine(page, 'cat user2-vfolder/test_file');
    await waitForScreen(page, (r) => outputOf(r, 'cat user2-vfolder/test_file').some((l) => l.trim() === kContent), 'the cat output');
    await screenshot(page, 'sessions-terminal');

    // A folder a live session mounts cannot be deleted; the refusal is a sentence naming the session.
    await goStorage(page);
    await folderRow(page, 'user2-vfolder').getByRole('button', { name: 'Delete', exact: true }).click();
    await confirmOk(page);
    const refusal = page.getByRole('alert').filter({ hasText: name });
    await refusal.waitFor();
    assert.doesNotMatch(await refusal.textContent(), /[{}]/, 'a sentence, not JSON');
    await folderRow(page, 'user2-vfolder').waitFor();

    await page.getByRole('link', { name: 'Sessions', exact: true }).click();
    await row.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirmOk(page);
    await row.waitFor({ state: 'detached', timeout: 60000 });
    await page.getByText('No sessions yet').waitFor();

    await goStorage(page);
    await openFolder(page, 'user2-vfolder');
    await fileRow(page, 'test_file').waitFor();
    const { bytes } = await downloadFile(page, 'test_file');
    assert.equal(bytes.toString(), `${kContent}\n`);
  }, { needsSessions: true });
});

test('START dialog lists the automount folders it will add and checks targets inline', async (t) => {
  await withWorld(t, async ({ b, page, api }) => {
    for (const name of ['.local', '.linuxbrew', 'data', 'other']) await api('POST', '/folders', { name });
    await signIn(page, b);
    await page.getByRole('button', { name: 'START', exact: true }).click();
    const dialog = page.getByRole('dialog');
    const auto = dialog.getByRole('list', { name: 'Automount folders that will be added' });
    await auto.getByText('/home/work/.local').waitFor();
    await auto.getByText('/home/linuxbrew/.linuxbrew').waitFor();
    const folders = dialog.getByRole('group', { name: 'Folders to mount' });
    assert.equal(await folders.getByRole('checkbox').count(), 2, 'dot folders are not offered: they mount themselves');
    await screenshot(page, 'start-dialog-automount');

    const launch = dialog.getByRole('button', { name: 'Launch', exact: true });
    await folders.getByRole('checkbox', { name: 'data', exact: true }).check();
    await folders.getByRole('checkbox', { name: 'other', exact: true }).check();
    const target = folders.getByRole('textbox', { name: 'Mount target for data' });
    await target.fill('/etc/data');
    await folders.getByText(/lies in \/etc/).waitFor();
    assert.equal(await launch.isDisabled(), true);
    await target.fill('.local');
    await folders.getByText(/collides with the automount folder \.local/).waitFor();
    await folders.getByRole('textbox', { name: 'Mount target for other' }).fill('/data/x');
    await target.fill('/data');
    await folders.getByText(/mounts cannot be nested/).first().waitFor();
    assert.equal(await launch.isDisabled(), true);
    await target.fill('');
    assert.equal(await launch.isDisabled(), false);

    // Turning automount off empties the list and frees the targets.
    await dialog.getByLabel('Mount my automount folders').uncheck();
    await auto.getByText('Automount is off').waitFor();
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();

    // A session started elsewhere (the CLI, another tab) shows up and goes away live.
    const created = await api('POST', '/sessions', { name: 'from-cli', mounts: [{ folder: 'data' }] });
    assert.equal(created.status, 201, created.text);
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'from-cli', exact: true }) });
    await row.getByText('Running').waitFor();
    await row.getByText('/home/work/.local').waitFor();
    assert.equal((await api('DELETE', '/sessions/from-cli')).status < 300, true);
    await row.waitFor({ state: 'detached' });
  }, { needsSessions: true });
});

// SPEC §5: revoking a share ends the invitee's sessions that mount it, with
// status_reason share_revoked; the invitee sees why in the Sessions page
// (pushed over /events, no reload).
test('a session whose shared folder is revoked shows the invitee why it ended', async (t) => {
  await withWorld(t, async ({ b, page, api }) => {
    assert.equal((await api('POST', '/folders', { name: 'team' })).status, 201);
    assert.equal((await api('POST', '/users', { name: 'bob', password: 'correct horse battery' })).status, 201);
    const minted = await api('POST', '/users/bob/tokens');
    assert.equal(minted.status, 201, minted.text);
    const asBob = { ...b, token: minted.json.token };
    const bob = (m, p, body) => apiCall(asBob, m, p, body);
    assert.equal((await api('POST', '/folders/team/shares', { user: 'bob', permission: 'rw' })).status, 201);
    const inv = (await bob('GET', '/invitations')).json.invitations[0];
    assert.equal((await bob('POST', `/invitations/${inv.id}/accept`)).status, 200);
    const created = await bob('POST', '/sessions', { name: 'work', mounts: ['team'], automount: false });
    assert.equal(created.status, 201, created.text);

    // bob signs in with his own one-time code.
    await page.goto(await loginUrl(asBob));
    await page.getByRole('link', { name: 'Sessions', exact: true }).click();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'work', exact: true }) });
    await row.getByText('team', { exact: true }).waitFor();
    const reason = 'Ended: a folder it mounted is no longer shared with you.';
    assert.equal(await row.getByText(reason).count(), 0);

    assert.equal((await api('DELETE', '/folders/team/shares/bob')).status, 204);
    await row.getByText(reason).waitFor({ timeout: 20000 });
    await screenshot(page, 'sessions-share-revoked');
    assert.equal((await bob('GET', '/sessions/work')).json.status_reason, 'share_revoked');
    assert.equal((await bob('DELETE', '/sessions/work')).status, 204);
  }, { needsSessions: true });
});
