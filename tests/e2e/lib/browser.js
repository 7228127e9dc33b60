// Launches Debian's chromium through playwright-core (no browser download)
// with a fresh profile, and signs the page in through a one-time /login?code=.
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loginUrl } from './berthd.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const screenshotDir = path.resolve(here, '../screenshots');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// A fresh chromium profile per test (launchPersistentContext passes it as
// --user-data-dir) and one page in it.
export async function launch({ width = 1280, height = 800 } = {}) {
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'berth-e2e-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      viewport: { width, height },
      acceptDownloads: true,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const close = async () => {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, errors, close };
}

export async function signIn(page, b) {
  await page.goto(await loginUrl(b));
  await page.getByRole('link', { name: 'Sessions', exact: true }).waitFor();
}

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  // Transient notices would cover the page; leave them out of the picture.
  await page.addStyleTag({ content: '.notices { visibility: hidden !important; }' }).catch(() => {});
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
  await page.evaluate(() => document.querySelectorAll('style').forEach((s) => {
    if (s.textContent?.includes('.notices { visibility: hidden')) s.remove();
  })).catch(() => {});
}
