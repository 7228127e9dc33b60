"""The per-session scratch limit (SPEC §3 "Limits"; docs/operations.md
"Scratch limit"): everything a session writes outside its folders (the
scratch home and, on runc, the container's writable layer) lives in the
session's scratch dir <data>/sessions/<id>, bounded to
--default-scratch-bytes by

  * a btrfs subvolume with a qgroup limit when the data dir is on btrfs
    (writes past it: EDQUOT, "Disk quota exceeded"), or
  * a tmpfs of that size with --scratch-tmpfs elsewhere (ENOSPC).

Both drivers; on docker only the scratch home is bounded (the writable layer
is in the daemon's own storage). Delete and start-up reconciliation leave no
subvolume and no mount. Inside the session the limits are in
~/.berth/quota and in the interactive shell's start-up notice, which the
terminal test reads as a user sees it.

Needs root; the btrfs cases also loop devices and mkfs.btrfs (they skip with
the reason otherwise). The file systems are removed in a finally.
"""
import hashlib
import os
import shutil
import subprocess
import tempfile
import uuid

import pytest

from berth_harness import WebSocket, session_berthd
from test_btrfs_volumes import btrfs_dir, exec_  # noqa: F401 (a fixture)

MIB = 1 << 20
LIMIT = 64 * MIB


def _mounted(path):
    """Mount points at or under `path`, from /proc/self/mountinfo."""
    path = os.path.realpath(path)
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    return [p for p in points if p == path or p.startswith(path + "/")]


def _subvolumes(mnt):
    p = subprocess.run(["btrfs", "subvolume", "list", "-o", mnt], capture_output=True,
                       text=True, timeout=60)
    return p.stdout if p.returncode == 0 else ""


def _session_berthd_in(driver, data_dir, extra):
    """session_berthd with its data dir at `data_dir`; removes the dir and
    berthd's runc state afterwards (a Berthd given a dir does not)."""
    try:
        yield from session_berthd(driver, extra, data_dir=data_dir)
    finally:
        h = hashlib.sha256(os.path.realpath(data_dir).encode()).hexdigest()[:16]
        shutil.rmtree(os.path.join("/run/berth", h), ignore_errors=True)
        for m in reversed(_mounted(data_dir)):  # a failed test's leftovers
            subprocess.run(["umount", "-l", m], capture_output=True)
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(params=["runc", "docker"])
def bs(request, btrfs_dir):  # noqa: F811
    """A berthd whose data dir is on btrfs, with a btrfs volume `fast`
    (the built-in `local` volume stays plain directories)."""
    # Long on purpose: <data>/containers/<id>/tty-<tag>.sock would not fit
    # sun_path (107 bytes), so runc terminals must put it elsewhere.
    data = os.path.join(btrfs_dir, f"data-dir-with-a-long-name-{os.urandom(8).hex()}")
    os.mkdir(data, 0o700)
    vol = tempfile.mkdtemp(prefix="vol-", dir=btrfs_dir)
    try:
        yield from _session_berthd_in(request.param, data,
                                      ["--default-scratch-bytes", str(LIMIT),
                                       "--volume", f"fast={vol}"])
    finally:
        shutil.rmtree(vol, ignore_errors=True)


@pytest.fixture(params=["runc", "docker"])
def ts(request):
    """A berthd on the ordinary temp dir with --scratch-tmpfs."""
    if os.geteuid() != 0:
        pytest.skip("tmpfs scratch needs root")
    data = tempfile.mkdtemp(prefix="berth-it-")
    if subprocess.run(["stat", "-f", "-c", "%T", data], capture_output=True,
                      text=True).stdout.strip() == "btrfs":
        os.rmdir(data)
        pytest.skip("the temp dir is on btrfs, where scratch is a subvolume, not a tmpfs")
    yield from _session_berthd_in(request.param, data,
                                  ["--scratch-tmpfs", "--default-scratch-bytes", str(LIMIT)])


def _create(d, name, **kw):
    r = d.api("POST", "/sessions", {"name": name, **kw})
    assert r.status == 201, r
    return r.json()


def _dd(path, mib):
    return f"dd if=/dev/zero of={path} bs=1M count={mib} conv=fsync"


def _writes_stop_at_the_limit(d, session, error):
    """100 MiB into the scratch home fails with `error`; on runc also into
    the writable layer (/var/tmp), which lies in the same scratch dir. The
    files are removed again."""
    paths = ["/home/work/big"] + (["/var/tmp/big"] if d.driver == "runc" else [])
    for path in paths:
        out = exec_(d, session, _dd(path, 100))
        assert out["exit_code"] != 0 and error in out["stderr"], (path, out)
        assert exec_(d, session, f"rm -f {path} && sync")["exit_code"] == 0


def _terminal(d, session, line, marker_expr, marker, timeout=60):
    """Types `line; echo <marker_expr>` into a login shell over the terminal
    WebSocket and returns everything seen up to the marker (the banner
    included). The marker is computed so the echo of the typed line does not
    match it."""
    ws = WebSocket(d.hostport, f"/api/v1/sessions/{session}/terminal",
                   {"Authorization": "Bearer " + d.token})
    assert ws.status == 101, ws.head + ws.sock.recv(1000)
    try:
        ws.send(f"{line}; echo {marker_expr}\r".encode())
        return ws.read_until(marker.encode(), timeout=timeout)
    finally:
        ws.close()


def test_btrfs_scratch_is_a_qgroup_limited_subvolume(bs, btrfs_dir):  # noqa: F811
    d = bs
    assert d.api("POST", "/folders",
                 {"name": "q", "volume": "fast", "quota_bytes": 50 * MIB}).status == 201
    s = _create(d, "sl", mounts=[{"folder": "q"}])
    sdir = os.path.join(d.data_dir, "sessions", s["id"])
    assert os.stat(sdir).st_ino == 256, "the scratch dir is a subvolume"

    quota = exec_(d, "sl", "cat /home/work/.berth/quota")["stdout"]
    assert f"scratch\t/home/work\t{LIMIT}\t-\tbtrfs\n" in quota, quota
    assert f"folder\t/home/work/q\t{50 * MIB}\t" in quota and "\tkernel\n" in quota, quota
    notice = exec_(d, "sl", "cat /home/work/README-BERTH.txt")["stdout"]
    assert "Scratch limit: 64.0 MiB" in notice, notice

    _writes_stop_at_the_limit(d, "sl", "Disk quota exceeded")
    # A folder is not scratch: 40 MiB fit in q while scratch is nearly full.
    assert exec_(d, "sl", _dd("/home/work/fill", 60))["exit_code"] == 0
    assert exec_(d, "sl", _dd("/home/work/q/data", 40))["exit_code"] == 0

    # As a user sees it: the start-up notice, then the write that fails.
    seen = _terminal(d, "sl", _dd("/home/work/big2", 100), "DD-$((6*7))", "DD-42")
    assert b"scratch (outside folders) is limited to 64.0 MiB" in seen, seen[-3000:]
    assert b"/home/work/q has a quota of 50.0 MiB" in seen, seen[-3000:]
    assert b"Disk quota exceeded" in seen, seen[-3000:]

    assert d.api("DELETE", "/sessions/sl").status in (200, 204)
    assert not os.path.exists(sdir)
    assert f"sessions/{s['id']}" not in _subvolumes(btrfs_dir)


def test_btrfs_leftover_scratch_is_removed_at_start(bs, btrfs_dir):  # noqa: F811
    """A scratch subvolume of a session that no longer exists (a crash
    between its create and its record) is deleted by reconciliation."""
    d = bs
    leftover = os.path.join(d.data_dir, "sessions", str(uuid.uuid4()))
    d.kill()
    p = subprocess.run(["btrfs", "subvolume", "create", leftover], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    with open(os.path.join(leftover, "junk"), "wb") as f:
        f.write(b"x" * MIB)
    d.start()
    assert not os.path.exists(leftover)
    assert os.path.basename(leftover) not in _subvolumes(btrfs_dir)


def test_tmpfs_scratch_is_capped_and_unmounted(ts):
    d = ts
    s = _create(d, "tl")
    sdir = os.path.join(d.data_dir, "sessions", s["id"])
    assert _mounted(sdir)[:1] == [os.path.realpath(sdir)]

    quota = exec_(d, "tl", "cat /home/work/.berth/quota")["stdout"]
    assert f"scratch\t/home/work\t{LIMIT}\t-\ttmpfs\n" in quota, quota
    # df shows a tmpfs limit (it cannot show a qgroup's).
    size = exec_(d, "tl", "df -B1 --output=size /home/work | tail -1")["stdout"].strip()
    assert int(size) == LIMIT, size

    _writes_stop_at_the_limit(d, "tl", "No space left on device")

    assert d.api("DELETE", "/sessions/tl").status in (200, 204)
    assert not os.path.exists(sdir)
    assert _mounted(sdir) == []


def test_tmpfs_leftover_scratch_is_unmounted_at_start(ts):
    d = ts
    leftover = os.path.join(d.data_dir, "sessions", str(uuid.uuid4()))
    d.kill()
    os.mkdir(leftover, 0o700)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "berth-scratch", leftover],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    try:
        d.start()
        assert _mounted(leftover) == []
        assert not os.path.exists(leftover)
    finally:
        if _mounted(leftover):
            subprocess.run(["umount", "-l", leftover], capture_output=True)


def test_unbounded_scratch_says_so(b):
    """Neither btrfs nor --scratch-tmpfs: as before, and the file says '-'."""
    _create(b, "ul")
    try:
        quota = exec_(b, "ul", "cat /home/work/.berth/quota")["stdout"]
        assert "scratch\t/home/work\t-\t-\t-\n" in quota, quota
    finally:
        b.api("DELETE", "/sessions/ul")
