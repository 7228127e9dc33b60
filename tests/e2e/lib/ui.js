// Steps the tests share, written the way a user acts: by accessible names.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

export async function goStorage(page) {
  await page.getByRole('link', { name: 'Data & Storage', exact: true }).click();
  await page.getByRole('heading', { name: 'Data & Storage', level: 1 }).waitFor();
}

export async function createFolder(page, name) {
  await page.getByRole('button', { name: 'New folder', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New folder' });
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByRole('button', { name: 'Create', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
}

// The user guide's first step: its two folders, made on the storage page.
export async function createGuideFolders(page) {
  await goStorage(page);
  await createFolder(page, 'user1-ml-test');
  await createFolder(page, 'user2-vfolder');
  await folderRow(page, 'user2-vfolder').waitFor();
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// The row whose header cell is `name` (badges such as "read-only" may follow).
export function folderRow(page, name) {
  return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${escapeRe(name)}( |$)`) }) });
}

export async function openFolder(page, name) {
  await folderRow(page, name).getByRole('link', { name: 'Open', exact: true }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}

export function fileRow(page, name) {
  return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^\\W*${escapeRe(name)}( |$)`) }) });
}

// Clicks the row's Download button and returns the downloaded bytes.
export async function downloadFile(page, name) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    fileRow(page, name).getByRole('button', { name: 'Download', exact: true }).click(),
  ]);
  const p = await download.path();
  assert.ok(p, `download of ${name} failed: ${await download.failure()}`);
  return { bytes: readFileSync(p), suggested: download.suggestedFilename() };
}

export async function confirmOk(page) {
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'OK', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
}

// START → tick each of `folders` in "Folders to mount" → (beforeLaunch) →
// Launch; returns once the dialog has closed (the session runs).
export async function launchWithFolders(page, folders, beforeLaunch = async () => {}) {
  await page.getByRole('button', { name: 'START', exact: true }).click();
  const dialog = page.getByRole('dialog');
  const list = dialog.getByRole('group', { name: 'Folders to mount' });
  for (const name of folders) await list.getByRole('checkbox', { name, exact: true }).check();
  await beforeLaunch();
  await dialog.getByRole('button', { name: 'Launch', exact: true }).click();
  await dialog.waitFor({ state: 'detached', timeout: 120000 });
}
