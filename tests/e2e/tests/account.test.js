// The Account page (SPEC §7): a user writes a .bashrc dotfile in the editor,
// launches a session, opens its terminal and sees the variable and the alias
// the dotfile set; then deletes it (confirm OK). Skips (does not fail) while
// the server has no session images.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withWorld } from '../lib/fixture.js';
import { signIn, screenshot } from '../lib/browser.js';
import { screenRows, typeLine } from '../lib/terminal.js';
import { confirmOk } from '../lib/ui.js';

async function screenText(page) {
  return (await screenRows(page)).join('\n');
}

async function waitForScreen(page, re, what, timeout = 30000) {
  const deadline = Date.now() + timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = await screenText(page);
    if (re.test(text)) return text;
    await page.waitForTimeout(200);
  }
  throw new Error(`terminal never showed ${what}; screen:\n${text}`);
}

test('a .bashrc edited on the Account page holds in a new session terminal', async (t) => {
  await withWorld(t, async ({ b, page, api }) => {
    await signIn(page, b);
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    await page.getByRole('heading', { name: 'Dotfiles', level: 2 }).waitFor();
    await page.getByText('No dotfiles yet.').waitFor();

    await page.getByRole('button', { name: 'New dotfile', exact: true }).click();
    const dialog = page.getByRole('dialog');
    const save = dialog.getByRole('button', { name: 'Save', exact: true });
    await dialog.getByLabel('Path').fill('../escape');
    await dialog.getByText('must not contain').waitFor();
    assert.equal(await save.isDisabled(), true);
    await dialog.getByLabel('Path').fill('.bashrc');
    assert.equal(await dialog.getByLabel('Mode').inputValue(), '0644');
    await dialog.getByLabel('Content').fill("export E2E_DOT=from-account-page\nalias e2edot='echo alias-$((6*7))'\n");
    await screenshot(page, 'account-dotfile-editor');
    await save.click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: '.bashrc' }) });
    await row.getByText('0644').waitFor();
    const stored = await api('GET', '/dotfiles');
    assert.equal(stored.json.dotfiles[0].path, '.bashrc');

    // The Python user base select saves through PATCH /me.
    await page.getByLabel('Python user base').selectOption('per_version');
    await page.getByText('Saved; new sessions use it.').waitFor();
    assert.equal((await api('GET', '/me')).json.python_user_base, 'per_version');
    await page.getByLabel('Python user base').selectOption('shared');
    await page.getByText('Saved; new sessions use it.').waitFor();

    await page.getByRole('link', { name: 'Sessions', exact: true }).click();
    await page.getByRole('button', { name: 'START', exact: true }).click();
    const launcher = page.getByRole('dialog');
    await launcher.getByRole('button', { name: 'Launch', exact: true }).click();
    await launcher.waitFor({ state: 'detached', timeout: 120000 });
    const name = (await api('GET', '/sessions')).json.sessions[0].name;
    const srow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
    await srow.getByText('Running').waitFor({ timeout: 120000 });
    await srow.getByRole('button', { name: 'Terminal', exact: true }).click();
    await page.locator('.xterm-rows').waitFor();
    await waitForScreen(page, /[$#]\s*$/m, 'a shell prompt');
    await typeLine(page, 'echo "[$E2E_DOT]"; e2edot');
    await waitForScreen(page, /\[from-account-page\]/, 'the variable from the dotfile');
    await waitForScreen(page, /alias-42/, 'the alias from the dotfile');
    await screenshot(page, 'account-dotfile-terminal');
    await srow.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirmOk(page);
    await srow.waitFor({ state: 'detached', timeout: 60000 });

    // Delete with the confirm dialog's OK.
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    await page.getByRole('button', { name: 'Delete .bashrc' }).click();
    await confirmOk(page);
    await page.getByText('No dotfiles yet.').waitFor();
    assert.deepEqual((await api('GET', '/dotfiles')).json.dotfiles, []);
  }, { needsSessions: true });
});
