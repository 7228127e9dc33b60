"""Issue 10, item 2 (and item 10's range checks): session cleanup that a
session cannot defeat from inside, and forced delete.

- A session that makes 25,000 nested directories (far deeper than PATH_MAX)
  in /tmp and in its scratch home is deleted, leaving no dir and no mount
  (berthd used to fail with "Too many open files" in a 50 KB message).
- A session whose cleanup fails stays in `error` with its folders in use;
  `DELETE ?force=true` (and `berth session delete --force`) removes it.
- Numbers that do not fit (2**63, 2**64), negative or fractional ones are a
  400 naming the field, never a 500.

Runs on both drivers (the docker one when BERTH_DOCKER_SOCKET exists)."""
import http.client
import os
import subprocess
import time

import pytest

from test_sessions_api import folder, session, sh  # the fixture `b` is in conftest.py

DEPTH = 25000

# Makes DEPTH nested directories under each argument, chdir by chdir (the
# total path is ~50 KB, so no single path call could reach the bottom).
MAKE_DEEP = f"""
import os, sys
for base in sys.argv[1:]:
    os.makedirs(base, exist_ok=True)
    fd = os.open(base, os.O_RDONLY)
    for i in range({DEPTH}):
        os.mkdir("d", dir_fd=fd)
        nfd = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    open(f"/proc/self/fd/{{fd}}/leaf", "w").close()
    os.close(fd)
print("made")
"""


def slow_delete(b, name):
    """DELETE with a longer timeout than the harness's 60 s: removing 50,000
    directories on a busy disk takes a while (rm -rf too)."""
    conn = http.client.HTTPConnection(b.hostport, timeout=600)
    try:
        conn.request("DELETE", f"/api/v1/sessions/{name}",
                     headers={"Authorization": "Bearer " + b.token})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def assert_nothing_left(b, sid):
    assert b.data_dir not in open("/proc/self/mountinfo").read()
    assert not os.path.exists(os.path.join(b.data_dir, "sessions", sid))
    containers = os.path.join(b.data_dir, "containers")
    assert not os.path.isdir(containers) or os.listdir(containers) == []


def test_session_with_25000_nested_dirs_is_deleted(b):
    s = session(b, "deep")
    try:
        # In the background (it takes longer than one HTTP request may on a
        # busy disk); poll for its marker, bounded in count and time.
        r = b.api("POST", "/sessions/deep/exec",
                  {"command": ["sh", "-c",
                               "setsid python3 -c \"$1\" /tmp/deep /home/work/deep "
                               ">/tmp/made.out 2>&1 </dev/null &", "sh", MAKE_DEEP]})
        assert r.status == 200, r
        for _ in range(300):
            out = sh(b, "deep", "cat /tmp/made.out")["stdout"]
            if out:
                break
            time.sleep(2)
        assert out == "made\n", out
        started = time.time()
        status, body = slow_delete(b, "deep")
        assert status == 204, body[:300]
        assert time.time() - started < 600
        assert b.api("GET", "/sessions/deep").status == 404
        assert_nothing_left(b, s["id"])
        # The remover's memory is bounded (berthd was at ~380 MB after this).
        with open(f"/proc/{b.proc.pid}/status") as f:
            rss_kb = int(next(l for l in f if l.startswith("VmRSS:")).split()[1])
        assert rss_kb < 128 * 1024, rss_kb
    finally:
        # Python's shutil.rmtree (the harness's cleanup) recurses: do not
        # leave it a deep tree if the delete failed.
        for leftover in ("sessions", "containers"):
            subprocess.run(["rm", "-rf", os.path.join(b.data_dir, leftover, s["id"])],
                           check=False, timeout=600)


def test_session_whose_cleanup_fails_is_removed_by_force(b):
    folder(b, "stuck-data")
    s = session(b, "stuck", [{"folder": "stuck-data"}])
    # Make the cleanup fail: a mount inside the session's dir, which the
    # remover refuses to cross.
    mnt = os.path.join(b.data_dir, "sessions", s["id"], "blocker")
    os.mkdir(mnt)
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", mnt], check=True)
    try:
        r = b.api("DELETE", "/sessions/stuck")
        assert r.status >= 400, r
        assert len(r.body) <= 2048, r
        got = b.api("GET", "/sessions/stuck").json()
        assert got["status"] == "error", got
        assert b.api("DELETE", "/folders/stuck-data").status == 409  # still in use
        assert b.api("DELETE", "/sessions/stuck", query={"force": "maybe"}).status == 400
        r = b.api("DELETE", "/sessions/stuck", query={"force": "true"})
        assert r.status == 204, r
        assert b.api("GET", "/sessions/stuck").status == 404
        assert b.api("DELETE", "/folders/stuck-data").status == 200
    finally:
        subprocess.run(["umount", "-l", mnt], check=False)
    # What force left behind goes at the next start.
    b.restart()
    assert_nothing_left(b, s["id"])


def test_cli_delete_force(b):
    s = session(b, "clistuck")
    mnt = os.path.join(b.data_dir, "sessions", s["id"], "blocker")
    os.mkdir(mnt)
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", mnt], check=True)
    try:
        assert b.cli("session", "delete", "clistuck").returncode != 0
        p = b.cli("session", "delete", "--force", "clistuck")
        assert p.returncode == 0, p.stderr
        assert b.api("GET", "/sessions/clistuck").status == 404
    finally:
        subprocess.run(["umount", "-l", mnt], check=False)


@pytest.mark.parametrize("value", [2**63, 2**64, 2**70, -1, 1.5, 1e300, "1g", True])
def test_memory_bytes_out_of_range_is_400(berthd, value):
    r = berthd.api("POST", "/sessions", {"name": "big", "resources": {"memory_bytes": value}})
    assert r.status == 400, r
    assert r.error_code() == "invalid_resources", r
    assert "memory_bytes" in r.json()["error"]["message"], r
    assert berthd.api("GET", "/sessions").json()["sessions"] == []


@pytest.mark.parametrize("path,body", [
    ("/sessions", {"resources": {"cpu": 1e300}}),
    ("/sessions", {"resources": {"cpu": -1}}),
    ("/folders", {"name": "q", "quota_bytes": 2**63}),
    ("/folders", {"name": "q", "quota_bytes": -1}),
    ("/folders", {"name": "q", "quota_bytes": 0.5}),
    ("/sessions/none/exec", {"command": ["true"], "timeout_s": 2**63}),
    ("/sessions/none/exec", {"command": ["true"], "timeout_s": 18446744073709552}),
])
def test_other_numbers_out_of_range_are_400(berthd, path, body):
    r = berthd.api("POST", path, body)
    assert r.status == 400, r
