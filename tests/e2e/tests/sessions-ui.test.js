// The Sessions page against a stand-in for the session API (page.route and
// page.routeWebSocket), so the launcher and terminal are tested even on a
// server without sessions: what the UI sends (POST /sessions body, resize
// and input frames) is checked against the contract. Folders are real.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withWorld } from '../lib/fixture.js';
import { signIn, screenshot } from '../lib/browser.js';

const kContent = 'file inside user2-vfolder';

// A fake session API: images, sessions, and a terminal that echoes input
// and answers ls / echo > / cat like a shell would.
async function fakeSessionApi(page) {
  const state = { sessions: [], created: [], resizes: [], input: '' };
  const json = (route, status, body) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
  await page.route('**/api/v1/images', (route) => json(route, 200, { images: [{ name: 'python' }, { name: 'python-trixie' }] }));
  await page.route('**/api/v1/sessions', async (route) => {
    const req = route.request();
    if (req.method() === 'GET') return json(route, 200, { sessions: state.sessions });
    assert.equal(req.method(), 'POST');
    assert.ok(req.headers()['x-csrf-token'], 'POST /sessions carries X-CSRF-Token');
    const body = req.postDataJSON();
    state.created.push(body);
    const s = {
      id: 'sid-1', name: body.name ?? 'brave-otter', status: 'running', image: body.image, created_at: new Date().toISOString(),
      mounts: [
        ...body.mounts.map((m) => ({ folder: m.folder, target: m.target ?? `/home/work/${m.folder}`, permission: m.permission ?? 'rw', automount: false })),
      ],
    };
    state.sessions.push(s);
    return json(route, 201, s);
  });
  await page.route('**/api/v1/sessions/*', async (route) => {
    const req = route.request();
    const name = decodeURIComponent(new URL(req.url()).pathname.split('/').pop());
    if (req.method() === 'DELETE') {
      state.sessions = state.sessions.filter((s) => s.name !== name);
      return route.fulfill({ status: 204 });
    }
    return json(route, 200, state.sessions.find((s) => s.name === name));
  });
  const files = new Map();
  await page.routeWebSocket('**/api/v1/sessions/*/terminal', (ws) => {
    let line = '';
    ws.send(Buffer.from('Persistent paths: /home/work/user1-ml-test /home/work/user2-vfolder\r\nwork@s:~$ '));
    ws.onMessage((m) => {
      if (typeof m === 'string') {
        state.resizes.push(JSON.parse(m));
        return;
      }
      const text = Buffer.from(m).toString();
      state.input += text;
      for (const ch of text) {
        if (ch !== '\r') {
          line += ch;
          ws.send(Buffer.from(ch));
          continue;
        }
        let out = '';
        const echo = /^echo "(.*)" > (\S+)$/.exec(line);
        if (line === 'ls') out = 'user1-ml-test  user2-vfolder\r\n';
        else if (echo) files.set(echo[2], echo[1] + '\n');
        else if (line.startsWith('cat ')) out = (files.get(line.slice(4)) ?? '').replace(/\n/g, '\r\n');
        ws.send(Buffer.from(`\r\n${out}work@s:~$ `));
        line = '';
      }
    });
  });
  return state;
}

test('START sends the chosen mounts; Terminal speaks the WebSocket contract; Delete asks first', async (t) => {
  await withWorld(t, async ({ b, page, api }) => {
    for (const name of ['user1-ml-test', 'user2-vfolder', 'unused', '.local']) await api('POST', '/folders', { name });
    const state = await fakeSessionApi(page);
    await signIn(page, b);
    await page.getByText('No sessions yet').waitFor();

    await page.getByRole('button', { name: 'START', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Start a session' });
    const folders = dialog.getByRole('group', { name: 'Folders to mount' });
    await folders.getByRole('checkbox', { name: 'user1-ml-test', exact: true }).check();
    await folders.getByRole('checkbox', { name: 'user2-vfolder', exact: true }).check();
    await folders.getByRole('combobox', { name: 'Permission for user1-ml-test' }).selectOption('ro');
    await dialog.getByRole('list', { name: 'Automount folders that will be added' }).getByText('/home/work/.local').waitFor();
    await screenshot(page, 'start-dialog-stub');
    await dialog.getByRole('button', { name: 'Launch', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.deepEqual(state.created, [{
      mounts: [{ folder: 'user1-ml-test', permission: 'ro' }, { folder: 'user2-vfolder', permission: 'rw' }],
      automount: true,
      image: 'python',
    }]);

    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'brave-otter', exact: true }) });
    await row.getByText('Running').waitFor();
    await row.getByRole('button', { name: 'Terminal', exact: true }).click();
    await page.waitForURL(/#\/sessions\/brave-otter\/terminal$/);
    await page.getByRole('region', { name: 'Terminal: brave-otter' }).waitFor();
    await page.getByText('Connected').waitFor();
    await page.locator('.xterm-helper-textarea').focus();
    for (const line of ['ls', `echo "${kContent}" > user2-vfolder/test_file`, 'cat user2-vfolder/test_file']) {
      await page.keyboard.type(line);
      await page.keyboard.press('Enter');
    }
    await page.locator('.xterm-rows').getByText(kContent, { exact: true }).waitFor();
    assert.match(state.input, /^ls\recho "file inside user2-vfolder" > user2-vfolder\/test_file\rcat user2-vfolder\/test_file\r$/);
    assert.ok(state.resizes.length >= 1, 'a resize frame on connect');
    const first = state.resizes[0];
    assert.equal(first.type, 'resize');
    assert.ok(first.cols > 40 && first.rows > 5, `fitted size ${JSON.stringify(first)}`);
    await screenshot(page, 'sessions-terminal-stub');
    await page.keyboard.press('Control+Shift+X');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Close terminal', 'Ctrl+Shift+X leaves the terminal');
    assert.doesNotMatch(state.input, /\x18/, 'and sends nothing to the shell');

    // Resizing the window refits and tells the server.
    const before = state.resizes.length;
    await page.setViewportSize({ width: 900, height: 700 });
    await page.waitForFunction(() => true);
    for (let i = 0; i < 50 && state.resizes.length === before; i++) await page.waitForTimeout(100);
    assert.ok(state.resizes.length > before, 'a resize frame after the window shrank');
    assert.ok(state.resizes.at(-1).cols < first.cols);
    await page.setViewportSize({ width: 1280, height: 800 });

    await row.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete session brave-otter?' });
    await confirm.getByRole('button', { name: 'OK', exact: true }).click();
    await page.getByText('No sessions yet').waitFor();
    await page.waitForURL(/#\/sessions$/);
  });
});

test('phone width (390 px): sessions page and START dialog fit', async (t) => {
  await withWorld(t, async ({ b, page, api }) => {
    for (const name of ['user1-ml-test', 'user2-vfolder']) await api('POST', '/folders', { name });
    await fakeSessionApi(page);
    await signIn(page, b);
    await page.getByRole('button', { name: 'START', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Start a session' });
    await dialog.getByRole('group', { name: 'Folders to mount' }).getByRole('checkbox', { name: 'user2-vfolder', exact: true }).check();
    const launch = dialog.getByRole('button', { name: 'Launch', exact: true });
    await launch.scrollIntoViewIfNeeded();
    const box = await launch.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `Launch on screen: ${JSON.stringify(box)}`);
    await screenshot(page, 'start-dialog-narrow');
    await launch.click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Terminal', exact: true }).waitFor();
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= 390, `no horizontal page scroll (scrollWidth ${scrollWidth})`);
    await screenshot(page, 'sessions-narrow');
  }, { viewport: { width: 390, height: 844 } });
});
