// Jupyter as a user reaches it (issue 12, SPEC §3 "Apps", §7): START with two
// folders → the session's **Jupyter** button opens a new tab on the apps
// origin (through the one-time /open redirect) → a new notebook → a cell
// that writes test_file into user2-vfolder → the Data & Storage explorer
// shows it; and the same button in wildcard-host mode (one origin per app).
// Skips while the server has no session images, and when the python image
// in use declares no jupyter app.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withWorld } from '../lib/fixture.js';
import { screenshot, signIn } from '../lib/browser.js';
import { createGuideFolders, fileRow, goStorage, launchWithFolders, openFolder } from '../lib/ui.js';

const kContent = 'written by a notebook cell';

// Deletes every session of the test's server (the fixture stops berthd,
// which leaves sessions running on purpose).
async function deleteSessions(api) {
  for (const s of (await api('GET', '/sessions')).json?.sessions ?? []) await api('DELETE', `/sessions/${s.name}`);
}

test('Jupyter: new notebook writes a file into a mounted folder, the explorer shows it', async (t) => {
  await withWorld(t, async ({ b, page, context, api }) => {
    try {
      await jupyterStory(t, { b, page, context, api });
    } finally {
      await deleteSessions(api);
    }
  }, { needsSessions: true });
});

// Signs in, launches a session with the guide's folders and clicks its
// **Jupyter** button: the new tab once the notebook list shows
// user2-vfolder, and the session's id; null (the test skipped) when the
// image has no Jupyter.
async function openJupyter(t, { b, page, context, api }) {
  await signIn(page, b);
  await createGuideFolders(page);

  await page.getByRole('link', { name: 'Sessions', exact: true }).click();
  await launchWithFolders(page, ['user1-ml-test', 'user2-vfolder']);

  const { name, id } = (await api('GET', '/sessions')).json.sessions[0];
  const apps = (await api('GET', `/sessions/${name}/apps`)).json.apps ?? [];
  if (!apps.some((a) => a.name === 'jupyter')) {
    t.skip('the python image declares no jupyter app (rebuild it from this tree)');
    return null;
  }
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  await row.getByText('Running').waitFor({ timeout: 120000 });
  const [tree] = await Promise.all([
    context.waitForEvent('page'),
    row.getByRole('button', { name: 'Jupyter', exact: true }).click(),
  ]);
  // The apps origin, not the API's; the 503 "starting" page reloads itself.
  await tree.waitForURL(/\/s\/[0-9a-f-]+\/jupyter\/tree/, { timeout: 120000 });
  assert.notEqual(new URL(tree.url()).origin, new URL(page.url()).origin);
  await tree.locator('#notebook_list').getByText('user2-vfolder').waitFor({ timeout: 60000 });
  return { tree, id };
}

// Wildcard-host mode (--apps-listen '*.apps.localhost'; Chromium resolves
// *.localhost to loopback itself, no DNS): the Jupyter button lands on the
// app's own host, and the notebook's kernel (its WebSocket and requests,
// whose Origin is that host) writes into the folder there too.
test('Jupyter on its own host: wildcard apps origin', async (t) => {
  await withWorld(t, async ({ b, page, context, api }) => {
    try {
      const opened = await openJupyter(t, { b, page, context, api });
      if (!opened) return;
      const url = new URL(opened.tree.url());
      assert.equal(url.hostname, `jupyter-${opened.id}.apps.localhost`);
      assert.equal(url.pathname.startsWith(`/s/${opened.id}/jupyter/tree`), true, url.pathname);
      await screenshot(opened.tree, 'jupyter-own-host');
      await notebookWritesTheFile(opened.tree, { page, context });
    } finally {
      await deleteSessions(api);
    }
  }, { needsSessions: true, berthdArgs: ['--apps-listen', '*.apps.localhost'] });
});

async function jupyterStory(t, { b, page, context, api }) {
  const opened = await openJupyter(t, { b, page, context, api });
  if (!opened) return;
  await screenshot(opened.tree, 'jupyter-tree');
  await notebookWritesTheFile(opened.tree, { page, context });
}

// From Jupyter's notebook list: a new notebook, a cell that writes
// test_file into user2-vfolder, then the Data & Storage explorer shows it.
async function notebookWritesTheFile(tree, { page, context }) {
  await tree.locator('#new-dropdown-button').click();
  const [nb] = await Promise.all([
    context.waitForEvent('page'),
    tree.locator('#new-menu li[id^="kernel-"] a').first().click(),
  ]);
  await nb.waitForURL(/\/notebooks\/.*\.ipynb/, { timeout: 60000 });
  await nb.locator('#notification_kernel:not(.warning)').waitFor({ state: 'attached', timeout: 60000 }).catch(() => {});
  await nb.locator('.CodeMirror').first().click();
  await nb.keyboard.type(`open('/home/work/user2-vfolder/test_file', 'w').write('${kContent}')`);
  await nb.keyboard.press('Shift+Enter');
  await nb.locator('.output_area').filter({ hasText: String(kContent.length) }).first().waitFor({ timeout: 90000 });
  await screenshot(nb, 'jupyter-notebook');

  await goStorage(page);
  await openFolder(page, 'user2-vfolder');
  await fileRow(page, 'test_file').waitFor({ timeout: 20000 });
}
