// A development stand-in for the browser-facing parts of berthd that may not
// exist yet (static web root, /login?token= cookie, CSRF in /me): it serves
// web/dist and forwards /api to berthd, turning the cookie into a Bearer
// token. Used only with BERTH_E2E_SHIM=1; CI runs against berthd itself.
import { createServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';

const kTypes = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png' };

function cookieToken(req) {
  const m = /(?:^|;\s*)berth_session=([^;]+)/.exec(req.headers.cookie ?? '');
  return m ? decodeURIComponent(m[1]) : null;
}

export async function startShim(berthdUrl, webRoot) {
  const target = new URL(berthdUrl);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/login' && url.searchParams.has('token')) {
      const token = url.searchParams.get('token');
      const r = await fetch(`${berthdUrl}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
      if (r.status !== 200) {
        res.writeHead(401, { 'Content-Type': 'text/plain' }).end('invalid token');
        return;
      }
      res.writeHead(302, { Location: '/', 'Set-Cookie': `berth_session=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/` }).end();
      return;
    }
    if (url.pathname === '/api/v1/auth/logout') {
      res.writeHead(204, { 'Set-Cookie': 'berth_session=; Max-Age=0; Path=/' }).end();
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      const headers = { ...req.headers, host: target.host };
      const tok = cookieToken(req);
      if (tok && !headers.authorization) headers.authorization = `Bearer ${tok}`;
      delete headers.cookie;
      const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (ur) => {
        if (url.pathname === '/api/v1/me' && ur.statusCode === 200) {
          let body = '';
          ur.setEncoding('utf8');
          ur.on('data', (c) => (body += c));
          ur.on('end', () => {
            const me = JSON.parse(body);
            me.csrf_token ??= 'shim';
            res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(me));
          });
          return;
        }
        res.writeHead(ur.statusCode, ur.headers);
        ur.pipe(res);
      });
      up.on('error', (e) => res.writeHead(502).end(String(e)));
      req.pipe(up);
      return;
    }
    let file = path.join(webRoot, path.normalize(decodeURIComponent(url.pathname)));
    if (!file.startsWith(webRoot) || !existsSync(file) || statSync(file).isDirectory()) file = path.join(webRoot, 'index.html');
    res.writeHead(200, { 'Content-Type': kTypes[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  server.on('upgrade', (req, socket, head) => {
    const up = connect(Number(target.port), target.hostname, () => {
      const tok = cookieToken(req);
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const k = req.rawHeaders[i];
        if (/^(cookie|host)$/i.test(k)) continue;
        lines.push(`${k}: ${req.rawHeaders[i + 1]}`);
      }
      lines.push(`Host: ${target.host}`);
      if (tok) lines.push(`Authorization: Bearer ${tok}`);
      up.write(lines.join('\r\n') + '\r\n\r\n');
      if (head?.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}
