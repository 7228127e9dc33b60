// Starts a real berthd for one test: a fresh data dir, an ephemeral port, the
// web UI from BERTH_WEB_ROOT. Stops it and removes the data dir afterwards,
// also when the test failed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');
export const binDir = process.env.BERTH_BIN_DIR ?? path.join(repoRoot, 'build/src/cmd');
export const webRoot = process.env.BERTH_WEB_ROOT ?? path.join(repoRoot, 'web/dist');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startBerthd({ extraArgs = [], env = {} } = {}) {
  const bin = path.join(binDir, 'berthd');
  if (!existsSync(bin)) throw new Error(`berthd not found at ${bin}; build it or set BERTH_BIN_DIR`);
  if (!existsSync(path.join(webRoot, 'index.html'))) {
    throw new Error(`no web UI build at ${webRoot}; run "cd web && npm ci && npm run build" first`);
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'berth-e2e-'));
  const logPath = path.join(dataDir, 'berthd.log');
  const logFd = openSync(logPath, 'a');
  const proc = spawn(bin, ['--data-dir', dataDir, '--listen', '127.0.0.1:0', ...extraArgs], {
    env: { ...process.env, BERTH_WEB_ROOT: webRoot, ...env },
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  let exited = null;
  proc.on('exit', (code, sig) => (exited = { code, sig }));

  const stop = async () => {
    if (exited === null) {
      proc.kill('SIGTERM');
      for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
      if (exited === null) proc.kill('SIGKILL');
      for (let i = 0; i < 20 && exited === null; i++) await sleep(100);
    }
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
  };
  const log = () => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };

  try {
    const addrFile = path.join(dataDir, 'berthd.addr');
    for (let i = 0; ; i++) {
      if (exited) throw new Error(`berthd exited (${JSON.stringify(exited)}) before listening:\n${log()}`);
      if (existsSync(addrFile) && readFileSync(addrFile, 'utf8').trim()) break;
      if (i > 300) throw new Error(`berthd did not write ${addrFile} within 30 s:\n${log()}`);
      await sleep(100);
    }
    const apiUrl = readFileSync(addrFile, 'utf8').trim();
    const token = readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
    // url: where the browser goes; apiUrl: for Bearer calls (the same berthd).
    return { url: apiUrl, apiUrl, token, dataDir, proc, stop, log };
  } catch (e) {
    await stop();
    throw e;
  }
}

// A REST call with the admin's Bearer token, for setup and checks that are
// not what the test is about.
export async function apiCall(b, method, p, body) {
  const resp = await fetch(`${b.apiUrl}/api/v1${p}`, {
    method,
    headers: { Authorization: `Bearer ${b.token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await resp.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: resp.status, json, text };
}

// A one-time browser sign-in link for the admin (SPEC §4: GET /login?code=);
// the API token itself never goes in a URL.
export async function loginUrl(b) {
  const r = await apiCall(b, 'POST', '/auth/login-codes');
  if (r.status !== 201 || !r.json?.code) {
    throw new Error(`POST /auth/login-codes answered ${r.status}: ${r.text}`);
  }
  return `${b.url}/login?code=${encodeURIComponent(r.json.code)}`;
}
