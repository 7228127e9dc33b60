// One test's world: its own berthd and browser, torn down even on failure.
import { startBerthd, apiCall, loginUrl } from './berthd.js';
import { launch, screenshot, signIn } from './browser.js';

// With needsSessions, skips the test (before starting a browser) when the
// server cannot run sessions yet.
// berthdArgs: extra berthd flags (e.g. --volume NAME=PATH).
export async function withWorld(t, fn, { viewport, needsSessions = false, berthdArgs = [] } = {}) {
  const b = await startBerthd({ extraArgs: berthdArgs });
  let br = null;
  try {
    if (needsSessions) {
      const reason = await sessionsUnavailable(b);
      if (reason) {
        t.skip(reason);
        return;
      }
    }
    await checkServesUi(b);
    br = await launch(viewport);
    const { context, page, errors } = br;
    try {
      await fn({ b, page, context, errors, api: (m, p, body) => apiCall(b, m, p, body) });
    } catch (e) {
      await screenshot(page, `FAILED-${t.name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60)}`).catch(() => {});
      // The reporter prints the stack, which holds the message as it was
      // when thrown: wrap instead of editing e.message.
      const tail = b.log().split('\n').slice(-20).join('\n');
      let msg = `${e?.message ?? e}`;
      if (errors.length) msg += `\n--- browser errors:\n  ${errors.join('\n  ')}`;
      msg += `\n--- berthd log (tail):\n${tail}`;
      const wrapped = new Error(msg, { cause: e });
      wrapped.stack = `${msg}\n${(e?.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).join('\n')}`;
      throw wrapped;
    }
  } finally {
    await br?.close();
    await b.stop();
  }
}

// The UI tests need berthd to serve web/dist at / and to sign a browser in
// at /login?code=. Say so plainly instead of timing out on a blank page.
async function checkServesUi(b) {
  const r = await fetch(`${b.url}/`);
  const type = r.headers.get('content-type') ?? '';
  const body = await r.text();
  if (r.status !== 200 || !type.includes('text/html') || !body.includes('<div id="app">')) {
    throw new Error(`berthd does not serve the web UI at ${b.url}/ (GET / answered ${r.status} ${type}); ` +
      'it must serve BERTH_WEB_ROOT (web/dist) with SPA fallback.');
  }
  const l = await fetch(await loginUrl(b), { redirect: 'manual' });
  if (l.status !== 302 && l.status !== 303 || !/berth_session=/.test(l.headers.get('set-cookie') ?? '')) {
    throw new Error(`GET /login?code= answered ${l.status} without a berth_session cookie; the browser cannot sign in.`);
  }
}

// Sessions need images and the session API. Returns a reason to skip, or null.
export async function sessionsUnavailable(b) {
  const r = await apiCall(b, 'GET', '/images');
  if (r.status === 404) return 'the server has no /api/v1/images endpoint yet (sessions not built)';
  if (r.status !== 200) return `GET /api/v1/images answered ${r.status}`;
  if (!r.json?.images?.length) return 'no session images are installed on this server';
  return null;
}

export { signIn };
