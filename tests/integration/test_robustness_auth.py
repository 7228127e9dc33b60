"""Robustness of sign-in and of the data dir's file modes (issue 10): each
test is an attack that worked against the code before this suite, run
against a real berthd. Network traffic stays on 127.0.0.0/8 (client sockets
bind to other loopback addresses to play other hosts). Every loop is bounded
in count and time; each test has its own berthd and data dir (fixture)."""
import http.client
import json
import os
import re
import stat
import time

import pytest

from berth_harness import Berthd

# AuthService's limits (src/manager/login_limiter.h, LoginLimits).
MAX_PER_USER_SOURCE = 5
MAX_PER_PREFIX = 20


def login(b, user, password, source="127.0.0.1", conn=None):
    """POST /auth/login from `source`; (status, headers, body)."""
    own = conn is None
    if own:
        host, port = b.hostport.split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source, 0))
    try:
        conn.request("POST", "/api/v1/auth/login", json.dumps({"user": user, "password": password}),
                     {"Content-Type": "application/json"})
        r = conn.getresponse()
        body = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        if own:
            conn.close()


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def set_admin_password(b, pw="admin-password-1"):
    assert b.api("PATCH", "/users/admin", {"password": pw}).status == 200
    return pw


def test_huge_user_names_are_refused_before_tracking_or_audit(berthd):
    # Regression: 400 sign-ins with 200 KB user names wrote 80 MB to
    # audit.log and grew berthd's memory by as much.
    audit = os.path.join(berthd.data_dir, "audit.log")
    host, port = berthd.hostport.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    name = "a" * (200 * 1024)
    try:
        for i in range(20):  # warm up the allocator with the same traffic
            assert login(berthd, name + str(i), "pw", conn=conn)[0] == 400
        audit_before = os.path.getsize(audit) if os.path.exists(audit) else 0
        rss_before = rss_bytes(berthd.proc.pid)
        deadline = time.time() + 120
        statuses = set()
        for i in range(400):
            assert time.time() < deadline, "400 sign-ins took over 2 minutes"
            status, _, body = login(berthd, name + str(i), "pw", conn=conn)
            statuses.add(status)
        assert statuses == {400}, statuses
        assert json.loads(body)["error"]["code"] == "invalid_user_name"
    finally:
        conn.close()
    audit_after = os.path.getsize(audit) if os.path.exists(audit) else 0
    assert audit_after - audit_before < 64 * 1024, f"audit.log grew {audit_after - audit_before} bytes"
    grown = rss_bytes(berthd.proc.pid) - rss_before
    assert grown < 8 * 1024 * 1024, f"berthd's RSS grew {grown} bytes"
    # Real users still sign in, and their lines stay bounded.
    pw = set_admin_password(berthd)
    assert login(berthd, "admin", pw)[0] == 200
    with open(audit, "rb") as f:
        assert max(len(line) for line in f) <= 4096


def test_rotating_loopback_addresses_still_hit_the_limit(berthd):
    # Regression: the per-address limit keyed the exact address, so cycling
    # through 127.x.y.z (or a /24, or a /64) never tripped it.
    statuses = []
    deadline = time.time() + 120
    for i in range(3 * MAX_PER_PREFIX):
        assert time.time() < deadline
        source = f"127.{1 + i // 200}.{i % 200}.{1 + i % 7}"
        status, headers, _ = login(berthd, f"user{i}", "guess", source=source)
        statuses.append(status)
        if status == 429:
            assert int(headers["retry-after"]) > 0
            break
    assert statuses[:MAX_PER_PREFIX] == [401] * MAX_PER_PREFIX, statuses
    assert statuses[-1] == 429, statuses
    # The whole loopback prefix waits now, whatever the address.
    assert login(berthd, "user0", "guess", source="127.200.0.1")[0] == 429


def test_failures_from_elsewhere_do_not_lock_admin_out(berthd):
    # Regression: five bad attempts from anywhere locked any named user out,
    # admin included, everywhere.
    pw = set_admin_password(berthd)
    statuses = [login(berthd, "admin", f"guess{i}", source="127.0.0.2")[0]
                for i in range(MAX_PER_USER_SOURCE + 1)]
    assert statuses == [401] * MAX_PER_USER_SOURCE + [429], statuses
    assert login(berthd, "admin", pw, source="127.0.0.2")[0] == 429
    status, headers, _ = login(berthd, "admin", pw, source="127.0.0.1")
    assert status == 200 and headers["set-cookie"].startswith("berth_session=")


def cookie_of(r):
    return r.headers["set-cookie"].split(";")[0]


def test_login_code_signs_in_once(berthd):
    r = berthd.api("POST", "/auth/login-codes")
    assert r.status == 201, r
    code, url = r.json()["code"], r.json()["url"]
    assert url.endswith("/login?code=" + code) and berthd.token not in url
    r = berthd.request("GET", "/login?code=" + code, token=None)
    assert r.status == 302 and r.headers["location"] == "/"
    me = berthd.api("GET", "/me", token=None, headers={"Cookie": cookie_of(r)})
    assert me.status == 200 and me.json()["name"] == "admin"
    # Single use.
    r = berthd.request("GET", "/login?code=" + code, token=None)
    assert r.status == 401 and r.error_code() == "bad_login_code"
    # Codes need a caller.
    assert berthd.api("POST", "/auth/login-codes", token=None).status == 401


def test_token_in_login_url_no_longer_signs_in(berthd):
    r = berthd.request("GET", "/login?token=" + berthd.token, token=None)
    assert r.status == 400 and "set-cookie" not in r.headers
    r = berthd.request("GET", "/login?code=" + berthd.token, token=None)
    assert r.status == 401 and "set-cookie" not in r.headers


def test_expired_login_code_is_refused(monkeypatch):
    monkeypatch.setenv("BERTH_LOGIN_CODE_TTL_S", "1")
    b = Berthd().start()
    try:
        code = b.api("POST", "/auth/login-codes").json()["code"]
        time.sleep(2.1)
        r = b.request("GET", "/login?code=" + code, token=None)
        assert r.status == 401 and "set-cookie" not in r.headers
    finally:
        b.stop()


def test_startup_output_names_the_token_file_not_the_token(berthd):
    log = berthd.read_log()
    assert berthd.token not in log
    assert os.path.join(berthd.data_dir, "admin.token") in log
    m = re.search(r"(http://\S+/login\?code=\w+)", log)
    assert m, log
    # The printed link signs in, once.
    path = m.group(1).split(berthd.hostport, 1)[1]
    assert berthd.request("GET", path, token=None).status == 302
    assert berthd.request("GET", path, token=None).status == 401
    # A restart prints a fresh link, still without the token.
    berthd.restart()
    log = berthd.read_log()
    assert berthd.token not in log and log.count("/login?code=") >= 2
    with open(os.path.join(berthd.data_dir, "audit.log")) as f:
        assert berthd.token not in f.read()


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def check_modes(d):
    assert mode(d) == 0o711
    assert mode(os.path.join(d, "volumes", "local")) == 0o700
    for f in ["berth.db", "berth.db-wal", "berth.db-shm", "audit.log", "admin.token"]:
        p = os.path.join(d, f)
        if f == "berth.db" or os.path.exists(p):
            assert mode(p) == 0o600, f


def test_data_dir_file_modes_at_creation_and_fixed_at_start(berthd):
    # Regression: berth.db was 0644 and folder trees readable by every
    # local account.
    assert berthd.api("POST", "/folders", {"name": "private"}).status == 201
    berthd.api("GET", "/me", token="bad-token")  # an audit line, so audit.log exists
    check_modes(berthd.data_dir)
    # An older deployment's modes are fixed by a restart.
    berthd.kill()
    d = berthd.data_dir
    os.chmod(d, 0o755)
    os.chmod(os.path.join(d, "volumes", "local"), 0o755)
    for f in ["berth.db", "audit.log"]:
        os.chmod(os.path.join(d, f), 0o644)
    berthd.start()
    check_modes(d)
    assert berthd.api("GET", "/folders/private").status == 200


def test_cli_login_web_prints_a_code_link_not_the_token(berthd):
    p = berthd.cli("login", "--web", check=True)
    out = p.stdout.decode()
    assert berthd.token not in out + p.stderr.decode()
    m = re.search(r"/login\?code=\w+", out)
    assert m, out
    assert berthd.request("GET", m.group(0), token=None).status == 302
