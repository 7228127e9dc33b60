"""Robustness: the per-user storage quota and the global exec cap (issue 10,
issue 13 item 3; docs/security.md "Robustness").

A superadmin gives a user a total storage quota (`PATCH /users/{name}`
`quota_bytes`, `berth user update --quota`); it counts every folder the user
owns, trash included, and every API upload is refused with 413
`quota_exceeded` + `available_bytes` once it would pass it: up front when the
declared Content-Length cannot fit, mid-body (and without a partial file)
for a chunked upload. `max_execs_total` caps execs of all users together
below `worker_threads`, so /health and listings keep answering.

Every client talks only to 127.0.0.1; every loop is bounded in count and
time; fixtures stop berthd and delete every session."""
import json
import os
import select
import socket
import tempfile
import threading
import time

import pytest

from berth_harness import Berthd, session_berthd_config

KIB = 1024
MIB = 1024 * KIB


def user_with_token(b, name):
    assert b.api("POST", "/users", {"name": name}).status == 201
    return b.api("POST", f"/users/{name}/tokens").json()["token"]


def _read_response(s, deadline):
    """Reads one HTTP response (status, headers, JSON-or-bytes body) from
    socket `s`, until the body's Content-Length is in or the peer closes."""
    data = b""
    while time.monotonic() < deadline:
        r, _, _ = select.select([s], [], [], max(0.01, deadline - time.monotonic()))
        if not r:
            break
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            if status == 100:  # interim: keep reading after it
                data = body
                continue
            headers = {k.lower(): v.strip() for k, v in
                       (ln.split(":", 1) for ln in lines[1:] if ":" in ln)}
            n = int(headers.get("content-length", "-1"))
            if n >= 0 and len(body) >= n:
                return status, headers, body[:n]
    raise AssertionError(f"no complete response: {data[:200]!r}")


def raw_put(b, token, folder, path, data=None, chunks=None, timeout=20):
    """PUT of a file over a raw socket: with `data`, Content-Length and
    Expect: 100-continue (the body goes only after the 100, so an up-front
    refusal is read cleanly); with `chunks` (an iterable of bytes), chunked
    transfer encoding, stopping as soon as the server answers. Returns
    (status, headers, body, chunks_sent)."""
    deadline = time.monotonic() + timeout
    s = socket.create_connection(tuple(b.hostport.split(":")), timeout=timeout)
    try:
        head = (f"PUT /api/v1/folders/{folder}/files/content?path={path} HTTP/1.1\r\n"
                f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n")
        if data is not None:
            s.sendall((head + f"Content-Length: {len(data)}\r\nExpect: 100-continue\r\n\r\n")
                      .encode())
            r, _, _ = select.select([s], [], [], 10)
            assert r, "no answer to the header"
            first = s.recv(64, socket.MSG_PEEK)
            if first.startswith(b"HTTP/1.1 100"):
                s.recv(len(b"HTTP/1.1 100 Continue\r\n\r\n"))
                s.sendall(data)
            return (*_read_response(s, deadline), 0)
        s.sendall((head + "Transfer-Encoding: chunked\r\n\r\n").encode())
        sent = 0
        for c in chunks:
            if select.select([s], [], [], 0)[0]:
                break  # the server has answered (or closed): stop sending
            try:
                s.sendall(b"%x\r\n%s\r\n" % (len(c), c))
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += 1
            time.sleep(0.01)
            assert time.monotonic() < deadline
        else:
            s.sendall(b"0\r\n\r\n")
        return (*_read_response(s, deadline), sent)
    finally:
        s.close()


def leftovers(b):
    """Temp files of uploads anywhere on the volume (bounded walk)."""
    found = []
    for n, (root, _, files) in enumerate(os.walk(os.path.join(b.data_dir, "volumes"))):
        assert n < 10000
        found += [f for f in files if f.startswith(".berth-upload-")]
    return found


def entries(b, token, folder):
    r = b.api("GET", f"/folders/{folder}/files", token=token)
    assert r.status == 200, r
    return sorted(e["name"] for e in r.json()["entries"])


def test_user_quota_counts_every_owned_folder_and_uploads_stop_at_it(berthd):
    b = berthd
    alice = user_with_token(b, "alice")
    # Only a superadmin sets it; bad values are 400 naming the field.
    assert b.api("PATCH", "/users/alice", {"quota_bytes": 10}, token=alice).status == 403
    for bad in (0, -1, "1M", 1.5, 2 ** 63):
        r = b.api("PATCH", "/users/alice", {"quota_bytes": bad})
        assert r.status == 400 and r.error_code() in ("invalid_quota", "invalid_field"), (bad, r)
    r = b.api("PATCH", "/users/alice", {"quota_bytes": MIB})
    assert r.status == 200, r
    assert r.json()["quota_bytes"] == MIB and r.json()["used_bytes"] == 0

    for f in ("a", "b"):
        assert b.api("POST", "/folders", {"name": f}, token=alice).status == 201
    status, _, body = raw_put(b, alice, "a", "one.bin", data=b"x" * (600 * KIB))[:3]
    assert status == 201, body
    # The second does not fit: refused before its body is read.
    status, _, body, _ = raw_put(b, alice, "b", "two.bin", data=b"y" * (600 * KIB))
    assert status == 413, body
    err = json.loads(body)["error"]
    assert err["code"] == "quota_exceeded"
    assert err["available_bytes"] == MIB - 600 * KIB
    assert entries(b, alice, "b") == []

    # GET /me and GET /users show the numbers (trash included).
    me = b.api("GET", "/me", token=alice).json()
    assert me["quota_bytes"] == MIB and me["used_bytes"] == 600 * KIB
    assert b.api("DELETE", "/folders/a", token=alice).status in (200, 204)
    me = b.api("GET", "/me", token=alice).json()
    assert me["used_bytes"] == 600 * KIB, "a folder in the trash still counts"
    users = {u["name"]: u for u in b.api("GET", "/users").json()["users"]}
    assert users["alice"]["used_bytes"] == 600 * KIB
    assert users["admin"]["quota_bytes"] is None
    assert b.api("POST", "/folders/a/restore", token=alice).status == 200

    # A chunked upload (no length up front) stops once it passes the room,
    # and leaves no partial file.
    status, _, body, sent = raw_put(b, alice, "b", "big.bin",
                                    chunks=(b"z" * (64 * KIB) for _ in range(200)))
    assert status == 413, body
    assert json.loads(body)["error"]["available_bytes"] == MIB - 600 * KIB
    assert sent < 200, "the server read the whole body"
    time.sleep(0.3)
    assert entries(b, alice, "b") == []
    assert leftovers(b) == [], "a partial upload was left on disk"

    # A raised quota lets the same upload through; null goes back to unlimited.
    assert b.api("PATCH", "/users/alice", {"quota_bytes": 2 * MIB}).status == 200
    status, _, body = raw_put(b, alice, "b", "two.bin", data=b"y" * (600 * KIB))[:3]
    assert status == 201, body
    assert b.api("GET", "/me", token=alice).json()["used_bytes"] == 1200 * KIB
    r = b.api("PATCH", "/users/alice", {"quota_bytes": None})
    assert r.status == 200 and r.json()["quota_bytes"] is None


def test_cli_user_update_quota_and_folder_list_total(berthd):
    b = berthd
    alice = user_with_token(b, "alice")
    p = b.cli("user", "update", "alice", "--quota", "1M")
    assert p.returncode == 0, p.stderr
    assert b.api("GET", "/me", token=alice).json()["quota_bytes"] == MIB
    assert b.cli("user", "update", "alice", "--quota", "lots").returncode != 0
    assert b.api("POST", "/folders", {"name": "data"}, token=alice).status == 201
    assert raw_put(b, alice, "data", "f.bin", data=b"x" * (512 * KIB))[0] == 201
    p = b.cli("folder", "list", token=alice)
    assert p.returncode == 0, p.stderr
    # The total is a footer on stderr; stdout stays one row per folder.
    assert "used 512.0 KiB of 1.0 MiB" in p.stderr.decode(), p.stderr
    assert "used" not in p.stdout.decode()
    # -o json stays the folder list only.
    p = b.cli("folder", "list", "-o", "json", token=alice)
    assert "used_bytes" not in p.stdout.decode()
    p = b.cli("user", "update", "alice", "--quota", "none")
    assert p.returncode == 0, p.stderr
    assert b.api("GET", "/me", token=alice).json()["quota_bytes"] is None
    assert "of unlimited" in b.cli("folder", "list", token=alice).stderr.decode()


def test_default_user_quota_from_the_config():
    with tempfile.TemporaryDirectory(prefix="berth-quota-") as d:
        cfg = os.path.join(d, "berthd.toml")
        with open(cfg, "w") as f:
            f.write(f"default_user_quota_bytes = {MIB}\n")
        b = Berthd(["--config", cfg]).start()
        try:
            bob = user_with_token(b, "bob")
            assert b.api("GET", "/me", token=bob).json()["quota_bytes"] == MIB
            assert b.api("POST", "/folders", {"name": "f"}, token=bob).status == 201
            status, _, body, _ = raw_put(b, bob, "f", "big", data=b"x" * (MIB + 1))
            assert status == 413 and json.loads(body)["error"]["available_bytes"] == MIB
        finally:
            b.stop()


USERS = 8
PER_USER = 2
TOTAL = 4
WORKERS = 8
SLEEP_S = 6


@pytest.fixture(params=["runc", "docker"])
def capped(request):
    """A berthd with a small worker pool and a global exec cap below it."""
    yield from session_berthd_config(
        request.param, f"worker_threads = {WORKERS}\nmax_execs_total = {TOTAL}\n"
                       f"max_execs_per_user = {PER_USER}\n")


@pytest.mark.skipif(os.geteuid() != 0, reason="sessions need root (runc)")
def test_execs_of_many_users_never_take_every_worker(capped):
    """8 users each try their cap of `sleep` execs at once (16 > the global
    4): at most 4 run, the rest are 429 too_many_execs with Retry-After, and
    /health and folder listings answer promptly all the while."""
    b = capped
    tokens = [user_with_token(b, f"u{i}") for i in range(USERS)]
    for i, t in enumerate(tokens):
        assert b.api("POST", "/sessions", {"name": f"s{i}"}, token=t).status == 201, i
    assert b.api("POST", "/folders", {"name": "probe"}).status == 201

    results = []
    lock = threading.Lock()

    def run(i, t):
        r = b.api("POST", f"/sessions/s{i}/exec",
                  {"command": ["sleep", str(SLEEP_S)], "timeout_s": 30}, token=t)
        with lock:
            results.append(r)

    threads = [threading.Thread(target=run, args=(i, t), daemon=True)
               for i, t in enumerate(tokens) for _ in range(PER_USER)]
    t0 = time.monotonic()
    for th in threads:
        th.start()
    time.sleep(1.5)
    # While the sleeps run, the server answers quickly.
    for _ in range(5):
        s = time.monotonic()
        assert b.api("GET", "/health", token=None).status == 200
        assert b.api("GET", "/folders/probe/files").status == 200
        assert time.monotonic() - s < 2, "the API stalled behind the execs"
        time.sleep(0.2)
    assert time.monotonic() - t0 < SLEEP_S, "probes were not served while the execs ran"
    for th in threads:
        th.join(timeout=SLEEP_S + 30)
    ran = [r for r in results if r.status == 200]
    refused = [r for r in results if r.status == 429]
    assert len(ran) + len(refused) == USERS * PER_USER, results
    assert 1 <= len(ran) <= TOTAL, [r.status for r in results]
    assert all(r.error_code() == "too_many_execs" for r in refused)
    assert all(int(r.headers.get("retry-after", "0")) >= 1 for r in refused)


def test_a_refused_upload_is_answered_to_a_client_that_sends_it_all(berthd):
    """A client that sends the whole body before it reads (no Expect:
    100-continue, as most clients do) still gets its 413: after answering,
    berthd drains what still comes until the client closes (a lingering
    close, bounded) instead of closing with unread bytes, which resets the
    connection and loses the answer."""
    b = berthd
    token = user_with_token(b, "lingerer")
    assert b.api("PATCH", "/users/lingerer", {"quota_bytes": MIB}).status == 200
    assert b.api("POST", "/folders", {"name": "l"}, token=token).status == 201
    body = b"q" * (12 * MIB)  # more than the socket buffers hold
    for _ in range(3):
        s = socket.create_connection(tuple(b.hostport.split(":")), timeout=20)
        try:
            s.sendall((f"PUT /api/v1/folders/l/files/content?path=big.bin HTTP/1.1\r\n"
                       f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                       f"Content-Length: {len(body)}\r\n\r\n").encode())
            s.sendall(body)
            status, _, answer = _read_response(s, time.monotonic() + 20)
        finally:
            s.close()
        assert status == 413, answer
        assert json.loads(answer)["error"]["code"] == "quota_exceeded"
    assert entries(b, token, "l") == []
