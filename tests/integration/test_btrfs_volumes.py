"""Volume backends (SPEC §2 Volumes and Clone, §5, §6): a berthd with the
built-in `local` volume plus `--volume fast=` on a loopback btrfs file system
made for the test. On btrfs each folder is a subvolume whose quota is a qgroup
limit the kernel enforces (EDQUOT in sessions), usage comes from the qgroup,
a clone is a snapshot. The same folder API cases run on both volumes.

Needs root, loop devices and mkfs.btrfs (btrfs-progs, scripts/deps.sh); skips
with the reason otherwise. Every file system is unmounted and its loop device
detached in a finally, even when a test fails.
"""
import hashlib
import os
import shutil
import subprocess
import tempfile
import time

import pytest

from berth_harness import Berthd, WebSocket, session_berthd

MIB = 1 << 20


def _run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def btrfs_dir():
    """A fresh 2 GiB btrfs mounted under a temp dir; yields the mount point."""
    if os.geteuid() != 0:
        pytest.skip("btrfs volumes need root (loop devices, mount)")
    if not shutil.which("mkfs.btrfs") or not shutil.which("losetup"):
        pytest.skip("mkfs.btrfs or losetup missing (scripts/deps.sh installs btrfs-progs)")
    top = tempfile.mkdtemp(prefix="berth-btrfs-")
    img, mnt = os.path.join(top, "img"), os.path.join(top, "mnt")
    os.mkdir(mnt)
    loop = None
    mounted = False
    try:
        with open(img, "wb") as f:
            f.truncate(2 << 30)
        p = _run("losetup", "-f", "--show", img)
        if p.returncode != 0:
            pytest.skip(f"cannot attach a loop device here: {p.stderr.strip()}")
        loop = p.stdout.strip()
        p = _run("mkfs.btrfs", "-q", loop)
        if p.returncode != 0:
            pytest.skip(f"mkfs.btrfs failed: {p.stderr.strip()}")
        p = _run("mount", "-t", "btrfs", loop, mnt)
        if p.returncode != 0:
            pytest.skip(f"cannot mount btrfs here: {p.stderr.strip()}")
        mounted = True
        yield mnt
    finally:
        if mounted:
            for _ in range(20):  # a just-ended session may hold it a moment
                if _run("umount", mnt).returncode == 0:
                    break
                time.sleep(0.5)
            else:
                _run("umount", "-l", mnt)
        if loop:
            _run("losetup", "-d", loop)
        shutil.rmtree(top, ignore_errors=True)


@pytest.fixture
def vd(btrfs_dir):
    """A berthd (no sessions needed) with volumes local and fast (btrfs)."""
    root = tempfile.mkdtemp(prefix="vol-", dir=btrfs_dir)
    d = Berthd(["--volume", f"fast={root}"]).start()
    try:
        yield d
    finally:
        d.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["runc", "docker"])
def vs(request, btrfs_dir):
    """`vd` with sessions, per runtime driver (skipped without the image)."""
    root = tempfile.mkdtemp(prefix="vol-", dir=btrfs_dir)
    try:
        yield from session_berthd(request.param, ["--volume", f"fast={root}"])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def create(d, name, **kw):
    r = d.api("POST", "/folders", {"name": name, **kw})
    assert r.status == 201, r
    return r.json()


def put(d, folder, path, data, overwrite=False):
    return d.api("PUT", f"/folders/{folder}/files/content", data,
                 query={"path": path, "overwrite": "true" if overwrite else "false"})


def host_path(d, folder, volume):
    """The folder's directory on the host (SPEC §2 layout)."""
    f = d.api("GET", f"/folders/{folder}").json()
    vol = next(v for v in d.api("GET", "/volumes").json()["volumes"] if v["name"] == volume)
    me = d.api("GET", "/me").json()
    fid = f["id"]
    return os.path.join(vol["path"], "u-" + me["id"], fid[:2], fid[2:4], fid[4:])


def is_subvolume(path):
    return os.stat(path).st_ino == 256  # BTRFS_FIRST_FREE_OBJECTID


def qgroup_file(path, name):
    """/sys/fs/btrfs/<fsid>/qgroups/0_<id>/<name> of the subvolume at path."""
    fsid = _run("findmnt", "-no", "UUID", "--target", path).stdout.strip()
    subvol = _run("btrfs", "inspect-internal", "rootid", path).stdout.strip()
    return f"/sys/fs/btrfs/{fsid}/qgroups/0_{subvol}/{name}"


def exec_(d, session, script, timeout=120):
    r = d.api("POST", f"/sessions/{session}/exec",
              {"command": ["bash", "-c", script], "timeout_s": timeout})
    assert r.status == 200, r
    return r.json()


# ---- volumes and folder API, no sessions ---------------------------------

def test_volumes_say_what_they_can_do(vd):
    vols = vd.api("GET", "/volumes").json()["volumes"]
    assert [v["name"] for v in vols] == ["local", "fast"]  # the default first
    local, fast = vols
    assert local["kind"] == "local"
    assert local["capabilities"] == {"kernel_quota": False, "instant_clone": local["capabilities"]["instant_clone"],
                                     "snapshots": False}
    assert fast["kind"] == "btrfs"
    assert fast["capabilities"] == {"kernel_quota": True, "instant_clone": True, "snapshots": True}
    r = vd.api("POST", "/folders", {"name": "x", "volume": "nope"})
    assert r.status == 400 and r.error_code() == "volume_not_found", r
    assert "nope" in r.json()["error"]["message"]
    # No volume: the default, local.
    assert create(vd, "plain")["volume"] == "local"
    # The CLI's --volume.
    p = vd.cli("folder", "create", "onfast", "--volume", "fast", "--quota", "10M")
    assert p.returncode == 0, p.stderr
    assert vd.api("GET", "/folders/onfast").json()["volume"] == "fast"
    assert is_subvolume(host_path(vd, "onfast", "fast"))
    assert not is_subvolume(host_path(vd, "plain", "local"))


@pytest.mark.parametrize("volume", ["local", "fast"])
def test_folder_life_cycle_on_each_volume(vd, volume):
    """The same folder API cases on the plain and the btrfs volume."""
    # Sizes in hundreds of KiB: a btrfs qgroup also counts the subvolume's
    # metadata (16 KiB and up), so a quota of a few bytes cannot hold a file.
    create(vd, "f", volume=volume, quota_bytes=MIB)
    assert put(vd, "f", "a", b"x" * 600 * 1024).status == 201
    r = put(vd, "f", "b", b"x" * 600 * 1024)
    assert r.status == 413, r
    names = [e["name"] for e in vd.api("GET", "/folders/f/files").json()["entries"]]
    assert names == ["a"]
    # A raised quota takes effect at once.
    r = vd.api("PATCH", "/folders/f", {"quota_bytes": 4 * MIB})
    assert r.status == 200 and r.json()["quota_bytes"] == 4 * MIB, r
    assert put(vd, "f", "b", b"y" * 600).status == 201
    # Bad quota changes are 400s; null removes the quota.
    assert vd.api("PATCH", "/folders/f", {"quota_bytes": 0}).status == 400
    assert vd.api("PATCH", "/folders/f", {"quota_bytes": "big"}).status == 400
    assert vd.api("PATCH", "/folders/f", {}).status == 400
    r = vd.api("PATCH", "/folders/f", {"quota_bytes": None})
    assert r.status == 200 and r.json().get("quota_bytes") is None, r
    # Rename and quota together.
    r = vd.api("PATCH", "/folders/f", {"name": "g", "quota_bytes": 5 << 20})
    assert r.status == 200 and r.json()["name"] == "g" and r.json()["quota_bytes"] == 5 << 20
    # The CLI's quota verb.
    p = vd.cli("folder", "quota", "g", "2M")
    assert p.returncode == 0, p.stderr
    assert vd.api("GET", "/folders/g").json()["quota_bytes"] == 2 << 20
    assert vd.cli("folder", "quota", "g", "lots").returncode == 2
    # Clone: same volume, same content and quota, the caller's.
    r = vd.api("POST", "/folders/g/clone", {"name": "g2"})
    assert r.status == 201, r
    c = r.json()
    assert c["volume"] == volume and c["quota_bytes"] == 2 << 20 and c["owner"] == "admin"
    deadline = time.time() + 30  # a streamed clone (local) is "cloning" for a moment
    while c["status"] == "cloning" and time.time() < deadline:
        time.sleep(0.05)
        c = vd.api("GET", "/folders/g2").json()
    assert c["status"] == "ready", c
    assert vd.api("GET", "/folders/g2/files/content", query={"path": "b"}).body == b"y" * 600
    assert vd.api("POST", "/folders/g/clone", {"name": "g2"}).status == 409
    assert vd.api("POST", "/folders/g/clone", {"name": "../x"}).status == 400
    assert vd.api("POST", "/folders/nope/clone", {"name": "z"}).status == 404
    assert vd.api("POST", "/folders/g/clone", {}).status == 400
    # The clone is independent.
    assert put(vd, "g2", "b", b"changed", overwrite=True).status == 201
    assert vd.api("GET", "/folders/g/files/content", query={"path": "b"}).body == b"y" * 600
    # Trash and purge remove the data (the subvolume on btrfs).
    path = host_path(vd, "g2", volume)
    assert os.path.isdir(path)
    assert vd.api("DELETE", "/folders/g2").status == 200
    assert vd.api("DELETE", f"/folders/{c['id']}", query={"purge": "true"}).status == 204
    assert not os.path.exists(path)


def test_usage_comes_from_the_qgroup_and_matches_du(vd):
    create(vd, "u", volume="fast")
    for i in range(20):
        assert put(vd, "u", f"f{i}.bin", os.urandom(MIB + i * 4096)).status == 201
    usage = vd.api("GET", "/folders/u").json()["usage"]
    assert usage["files"] is None and usage["dirs"] is None  # no tree walk on btrfs
    du = int(_run("du", "-sb", host_path(vd, "u", "fast")).stdout.split()[0])
    assert abs(usage["bytes"] - du) <= du * 0.05, (usage, du)
    p = vd.cli("folder", "info", "u")
    assert p.returncode == 0 and b"quota accounting" in p.stdout, p.stdout


def test_clone_of_200_mb_is_a_snapshot_and_equal(vd):
    create(vd, "big", volume="fast")
    src = host_path(vd, "big", "fast")
    want = {}
    for i in range(4):  # written on the host: the test sets up data, not the API
        data = os.urandom(50 * MIB)
        with open(os.path.join(src, f"part{i}.bin"), "wb") as f:
            f.write(data)
        want[f"part{i}.bin"] = hashlib.sha256(data).hexdigest()
    os.sync()
    t0 = time.monotonic()
    p = vd.cli("folder", "clone", "big", "big-copy")
    took = time.monotonic() - t0
    assert p.returncode == 0, p.stderr
    print(f"clone of 200 MiB on btrfs (CLI round trip): {took * 1000:.0f} ms")
    dst = host_path(vd, "big-copy", "fast")
    assert is_subvolume(dst)
    for name, digest in want.items():
        with open(os.path.join(dst, name), "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == digest, name


def test_purge_deletes_the_subvolume(vd):
    f = create(vd, "gone", volume="fast", quota_bytes=10 * MIB)
    path = host_path(vd, "gone", "fast")
    assert is_subvolume(path)
    assert put(vd, "gone", "x", b"x" * 1000).status == 201
    assert vd.api("DELETE", "/folders/gone").status == 200
    assert vd.api("DELETE", f"/folders/{f['id']}", query={"purge": "true"}).status == 204
    assert not os.path.exists(path)
    listed = _run("btrfs", "subvolume", "list", os.path.dirname(os.path.dirname(path)))
    assert f["id"][4:] not in listed.stdout


def test_restart_repairs_a_missing_limit(vd):
    create(vd, "rep", volume="fast", quota_bytes=7 * MIB)
    path = host_path(vd, "rep", "fast")
    limit = qgroup_file(path, "max_referenced")
    with open(limit) as f:
        assert int(f.read()) == 7 * MIB
    assert _run("btrfs", "qgroup", "limit", "none", path).returncode == 0  # sabotage
    with open(limit) as f:
        assert int(f.read()) == 0
    vd.restart()
    with open(limit) as f:
        assert int(f.read()) == 7 * MIB
    assert "re-applied" in vd.read_log()


# ---- sessions: the kernel enforces the quota -----------------------------

def test_session_writes_stop_at_the_quota(vs):
    """dd past the quota fails with EDQUOT in exec and in the terminal; a
    raised quota applies without a restart; an over-quota folder mounts."""
    d = vs
    create(d, "q", volume="fast", quota_bytes=50 * MIB)
    r = d.api("POST", "/sessions", {"name": "qs", "mounts": [{"folder": "q"}]})
    assert r.status == 201, r
    notice = exec_(d, "qs", "cat /home/work/README-BERTH.txt")["stdout"]
    assert "/home/work/q: quota 50.0 MiB" in notice and "Disk quota exceeded" in notice, notice

    out = exec_(d, "qs", "dd if=/dev/zero of=/home/work/q/big bs=1M count=80 conv=fsync")
    assert out["exit_code"] != 0 and "Disk quota exceeded" in out["stderr"], out

    # The same from the terminal, as a user types it.
    ws = WebSocket(d.hostport, "/api/v1/sessions/qs/terminal", {"Authorization": "Bearer " + d.token})
    assert ws.status == 101, ws.head
    try:
        # The marker is computed, so the echo of the typed line does not match it.
        ws.send(b"dd if=/dev/zero of=/home/work/q/big2 bs=1M count=80 conv=fsync; echo DD-$((6*7))\r")
        seen = ws.read_until(b"DD-42", timeout=60)
        assert b"DD-42" in seen and b"Disk quota exceeded" in seen, seen[-2000:]
        ws.send(b"rm -f /home/work/q/big2; echo RM-$((6*7))\r")
        assert b"RM-42" in ws.read_until(b"RM-42", timeout=30)
    finally:
        ws.close()

    # Raised: the same write now fits, no restart.
    assert d.api("PATCH", "/folders/q", {"quota_bytes": 300 * MIB}).status == 200
    out = exec_(d, "qs", "rm -f /home/work/q/big; dd if=/dev/zero of=/home/work/q/big bs=1M count=80 conv=fsync")
    assert out["exit_code"] == 0, out

    # Lowered below what it holds: the folder is over quota and still mounts.
    assert d.cli("folder", "quota", "q", "10M").returncode == 0
    r = d.api("POST", "/sessions", {"name": "qs2", "mounts": [{"folder": "q"}]})
    assert r.status == 201, r
    out = exec_(d, "qs2", "echo more >> /home/work/q/more; ls /home/work/q")
    assert "big" in out["stdout"], out
    # Uploads say how much room is left (none).
    r = put(d, "q", "up.bin", b"x" * 4096)
    assert r.status == 413, r
    # Cleaning up from the session frees the room.
    assert exec_(d, "qs2", "rm -f /home/work/q/big /home/work/q/more && sync")["exit_code"] == 0
    assert put(d, "q", "up.bin", b"x" * 4096).status == 201
