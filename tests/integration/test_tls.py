"""TLS in berthd and the CLI (issue 14): a test CA and a server certificate
for 127.0.0.1/localhost made with openssl in a temp dir; berthd serves
https (--tls-cert/--tls-key); the CLI verifies it with --cacert or
BERTH_CACERT and refuses it without; the terminal works over wss://;
cookies are Secure and responses carry HSTS; plain HTTP to the TLS port is
refused without hurting the server; a world-readable key stops the start.
Also X-Forwarded-For/-Proto: believed only from --trusted-proxy peers.
All traffic stays on 127.0.0.0/8; every loop is bounded."""
import filecmp
import http.client
import json
import os
import socket
import time

import pytest

from berth_harness import Berthd, WebSocket, err, fails, ok, out, session_berthd
from pki import make_pki

MAX_PER_USER_SOURCE = 5  # src/manager/login_limiter.h


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(str(tmp_path_factory.mktemp("pki")))


def tls_args(pki):
    """berthd's flags; the harness trusts ca.pem beside the certificate."""
    _, cert, key = pki
    return ["--tls-cert", cert, "--tls-key", key]


@pytest.fixture
def tb(pki):
    """A berthd serving https only, without sessions."""
    d = Berthd(tls_args(pki))
    try:
        d.start()
        yield d
    finally:
        d.stop()


@pytest.fixture
def tls_sessions(pki):
    """A berthd serving https with the runc driver and the python image."""
    yield from session_berthd("runc", tls_args(pki))


def test_cli_over_https_with_cacert(tb, tmp):
    assert tb.url.startswith("https://127.0.0.1:")
    # --cacert on the command line (the harness's BERTH_CACERT switched off).
    no_env = {"BERTH_CACERT": ""}
    ok(tb, "--cacert", tb.cacert, "--endpoint", tb.url, "folder", "create", "data", env_extra=no_env)
    listing = json.loads(out(ok(tb, "--cacert", tb.cacert, "--endpoint", tb.url, "folder", "list",
                                "-o", "json", env_extra=no_env)))
    assert [f["name"] for f in listing["folders"]] == ["data"]
    # Upload and download (a file past the sendfile path, and a tree as tar).
    src = tmp / "big.bin"
    src.write_bytes(os.urandom(3 << 20))
    ok(tb, "folder", "upload", "data", str(src))
    ok(tb, "folder", "download", "data", "big.bin", "-o", str(tmp / "back.bin"))
    assert filecmp.cmp(src, tmp / "back.bin", shallow=False)
    tree = tmp / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "f.txt").write_text("deep")
    ok(tb, "folder", "upload", "data", "-r", str(tree))
    (tmp / "dl").mkdir()
    ok(tb, "folder", "download", "data", "tree", "-o", str(tmp / "dl"))
    assert (tmp / "dl" / "tree" / "sub" / "f.txt").read_text() == "deep"
    assert out(ok(tb, "folder", "cat", "data", "tree/sub/f.txt")) == "deep"
    # localhost is in the certificate too.
    port = tb.hostport.split(":")[1]
    ok(tb, "--endpoint", f"https://localhost:{port}", "folder", "list")


def test_cli_without_the_ca_fails_verification(tb):
    p = fails(tb, "folder", "list", env_extra={"BERTH_CACERT": ""}, code=1)
    assert "error:" in err(p) and "certificate" in err(p), err(p)
    assert "--cacert" in err(p)
    # BERTH_CACERT alone is enough.
    ok(tb, "folder", "list", env_extra={"BERTH_CACERT": tb.cacert})
    # A name the certificate does not carry fails host-name verification.
    host_ip = "127.0.0.2"  # loopback, but not in the certificate's SANs
    port = tb.hostport.split(":")[1]
    p = fails(tb, "--endpoint", f"https://{host_ip}:{port}", "folder", "list", code=1)
    assert "certificate" in err(p) or "connect" in err(p), err(p)
    # A CA file that is not there is a clear error too.
    p = fails(tb, "--cacert", "/nonexistent/ca.pem", "folder", "list", code=1)
    assert "/nonexistent/ca.pem" in err(p), err(p)


def test_secure_cookie_and_hsts(tb):
    assert tb.api("PATCH", "/users/admin", {"password": "admin-password-1"}).status == 200
    r = tb.api("POST", "/auth/login", {"user": "admin", "password": "admin-password-1"}, token=None)
    assert r.status == 200, r
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("berth_session=") and "; Secure" in cookie, cookie
    assert r.headers["strict-transport-security"] == "max-age=31536000"
    r = tb.api("GET", "/folders")
    assert r.status == 200 and r.headers["strict-transport-security"] == "max-age=31536000"
    assert tb.request("GET", "/no/such/page/../x").headers.get("strict-transport-security")


def test_plain_http_to_the_tls_port_fails_cleanly(tb):
    host, port = tb.hostport.split(":")
    for _ in range(3):
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            with pytest.raises((http.client.HTTPException, ConnectionError, OSError)):
                conn.request("GET", "/api/v1/health")
                conn.getresponse().read()
        finally:
            conn.close()
    # Garbage and a silent client are dropped too, and berthd keeps serving.
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"\x16\x03\x01\x00\x05hello-not-tls")
        s.settimeout(10)
        try:
            assert s.recv(4096) is not None
        except (ConnectionError, socket.timeout):
            pass
    assert tb.proc.poll() is None
    assert tb.api("GET", "/health").status == 200


def test_world_readable_key_is_refused(pki, tmp):
    ca, cert, key = pki
    loose = tmp / "loose-key.pem"
    loose.write_bytes(open(key, "rb").read())
    os.chmod(loose, 0o644)
    d = Berthd(["--tls-cert", cert, "--tls-key", str(loose)])
    try:
        with pytest.raises(RuntimeError) as e:
            d.start(timeout=20)
        assert "accessible to other users" in str(e.value) and "chmod 600" in str(e.value), e.value
        assert d.proc.returncode != 0
    finally:
        d.stop()
    # Only one of the pair is a usage error.
    d = Berthd(["--tls-cert", cert])
    try:
        with pytest.raises(RuntimeError) as e:
            d.start(timeout=20)
        assert "--tls-key" in str(e.value)
    finally:
        d.stop()


def test_terminal_over_wss(tls_sessions):
    b = tls_sessions
    r = b.api("POST", "/sessions", {"name": "tt"})
    assert r.status == 201, r
    path = "/api/v1/sessions/tt/terminal?cols=90&rows=20"
    ws = WebSocket(b.hostport, path, {"Authorization": "Bearer " + b.token},
                   ssl_context=b.ssl_context)
    assert ws.status == 101, ws.head
    try:
        ws.send(b"stty size; echo tls-$((6*7))\n")
        got = ws.read_until(b"tls-42")
        assert b"20 90" in got and b"tls-42" in got, got
        ws.send(b"exit\n")
        ws.read_until(b"\x00never", timeout=10)
        assert ws.closed
    finally:
        ws.close()
    # The CLI's shell speaks wss:// too (stdin not a tty: a pipe).
    p = b.cli("session", "shell", "tt", input=b"echo via-cli-$((2+3))\nexit\n")
    assert b"via-cli-5" in p.stdout, (p.returncode, p.stdout, err(p))
    # And the CLI execs over https.
    p = ok(b, "session", "exec", "tt", "--", "echo", "exec-ok")
    assert "exec-ok" in out(p)


def _login_via(b, source, password, headers):
    host, port = b.hostport.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source, 0))
    try:
        conn.request("POST", "/api/v1/auth/login", json.dumps({"user": "admin", "password": password}),
                     {"Content-Type": "application/json", **headers})
        r = conn.getresponse()
        r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}
    finally:
        conn.close()


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(berthd):
    # Regression guard: a client must not pick the address the login limiter
    # counts it under, nor claim https.
    assert berthd.api("PATCH", "/users/admin", {"password": "admin-password-1"}).status == 200
    statuses = []
    deadline = time.time() + 60
    for i in range(MAX_PER_USER_SOURCE + 1):
        assert time.time() < deadline
        statuses.append(_login_via(berthd, "127.0.0.2", f"guess{i}",
                                   {"X-Forwarded-For": f"198.51.{i}.7"})[0])
    assert statuses == [401] * MAX_PER_USER_SOURCE + [429], statuses
    status, headers = _login_via(berthd, "127.0.0.1", "admin-password-1",
                                 {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"})
    assert status == 200
    assert "Secure" not in headers["set-cookie"] and "strict-transport-security" not in headers


def test_forwarded_headers_from_a_trusted_proxy_are_believed():
    d = Berthd(["--trusted-proxy", "127.0.0.3/32"]).start()
    try:
        assert d.api("PATCH", "/users/admin", {"password": "admin-password-1"}).status == 200
        # Five failures of one client behind the proxy lock that client out...
        xff = {"X-Forwarded-For": "198.51.100.7"}
        statuses = [_login_via(d, "127.0.0.3", f"guess{i}", xff)[0]
                    for i in range(MAX_PER_USER_SOURCE + 1)]
        assert statuses == [401] * MAX_PER_USER_SOURCE + [429], statuses
        assert _login_via(d, "127.0.0.3", "admin-password-1", xff)[0] == 429
        # ...not another client behind the same proxy, nor the proxy itself.
        status, headers = _login_via(d, "127.0.0.3", "admin-password-1",
                                     {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
        assert status == 200
        assert headers["set-cookie"].endswith("; Secure"), headers["set-cookie"]
        assert headers["strict-transport-security"] == "max-age=31536000"
        assert _login_via(d, "127.0.0.3", "admin-password-1", {})[0] == 200
        # A peer outside --trusted-proxy still cannot speak for anyone.
        status, headers = _login_via(d, "127.0.0.4", "admin-password-1",
                                     {"X-Forwarded-For": "198.51.100.8", "X-Forwarded-Proto": "https"})
        assert status == 200 and "Secure" not in headers["set-cookie"]
        # The audit log names the client, not the proxy.
        with open(os.path.join(d.data_dir, "audit.log")) as f:
            assert "198.51.100.7" in f.read()
    finally:
        d.stop()
