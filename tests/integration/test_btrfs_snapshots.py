"""Folder snapshots (SPEC §2 Snapshots, §5, §6): read-only btrfs subvolume
snapshots of a folder on a loopback btrfs made for the test (the fixtures of
test_btrfs_volumes.py): take, list, browse, restore one path and the whole
folder, delete; mounted read-only into sessions on both drivers; counted
against the owner's quota through the owner's level-1 qgroup; invisible to
other users; taken and pruned by a per-folder schedule; refused clearly on a
`local` volume.
"""
import re
import time

from berth_harness import WebSocket
from test_btrfs_volumes import (btrfs_dir, create, exec_, host_path, qgroup_file,  # noqa: F401
                                vd, vs)

MIB = 1 << 20


def snaps(d, folder, **kw):
    r = d.api("GET", f"/folders/{folder}/snapshots", **kw)
    assert r.status == 200, r
    return r.json()["snapshots"]


def put(d, folder, path, data, overwrite=False, **kw):
    return d.api("PUT", f"/folders/{folder}/files/content", data,
                 query={"path": path, "overwrite": "true" if overwrite else "false"}, **kw)


def get(d, folder, path, **kw):
    return d.api("GET", f"/folders/{folder}/files/content", query={"path": path}, **kw)


def make_user(d, name):
    assert d.api("POST", "/users", {"name": name, "password": "pw-" + name + "-secret"}).status == 201
    return d.api("POST", f"/users/{name}/tokens").json()["token"]


# ---- REST and CLI, no sessions --------------------------------------------

def test_take_browse_restore_and_delete(vd):
    create(vd, "f", volume="fast", quota_bytes=64 * MIB)
    assert put(vd, "f", "a.txt", b"alpha").status == 201
    assert vd.api("POST", "/folders/f/files/mkdir", {"path": "d"}).status == 201
    assert put(vd, "f", "d/b.txt", b"beta").status == 201

    r = vd.api("POST", "/folders/f/snapshots", {"name": "s1"})
    assert r.status == 201, r
    s1 = r.json()
    assert s1["name"] == "s1" and s1["scheduled"] is False and s1["created_at"].endswith("Z")
    # No name: the UTC time; no body at all works too.
    r = vd.api("POST", "/folders/f/snapshots")
    assert r.status == 201, r
    assert re.fullmatch(r"\d{8}T\d{6}Z", r.json()["name"]), r.json()
    assert vd.api("POST", "/folders/f/snapshots", {"name": "s1"}).status == 409
    for bad in ["..", ".", "a/b", "x" * 65, "sp ace", "auto-mine"]:
        r = vd.api("POST", "/folders/f/snapshots", {"name": bad})
        assert r.status == 400 and r.error_code() == "invalid_snapshot_name", (bad, r)
    assert vd.api("POST", "/folders/f/snapshots", {"nom": "x"}).status == 400
    assert vd.api("POST", "/folders/nope/snapshots", {}).status == 404
    assert "s1" in [s["name"] for s in snaps(vd, "f")]

    # The snapshot lives beside the folder, never inside it.
    names = [e["name"] for e in vd.api("GET", "/folders/f/files").json()["entries"]]
    assert names == ["a.txt", "d"]

    # Browse and download it, read-only.
    r = vd.api("GET", "/folders/f/snapshots/s1/files", query={"path": "d"})
    assert r.status == 200 and [e["name"] for e in r.json()["entries"]] == ["b.txt"], r
    r = vd.api("GET", "/folders/f/snapshots/s1/files/content", query={"path": "d/b.txt"})
    assert r.status == 200 and r.body == b"beta", r
    r = vd.api("GET", "/folders/f/snapshots/s1/files/content", query={"path": "../x"})
    assert r.status == 400, r
    assert vd.api("GET", "/folders/f/snapshots/nope/files").status == 404

    # Change the live folder, then restore one path, then everything.
    assert vd.api("DELETE", "/folders/f/files", query={"path": "d", "recursive": "true"}).status == 204
    assert put(vd, "f", "a.txt", b"changed", overwrite=True).status == 201
    assert put(vd, "f", "new.txt", b"new").status == 201
    r = vd.api("POST", "/folders/f/snapshots/s1/restore", {"path": "d/b.txt"})
    assert r.status == 200, r
    assert get(vd, "f", "d/b.txt").body == b"beta"
    assert get(vd, "f", "a.txt").body == b"changed"
    r = vd.api("POST", "/folders/f/snapshots/s1/restore", {"path": "not-there"})
    assert r.status == 404, r
    r = vd.api("POST", "/folders/f/snapshots/s1/restore", {"path": "../../etc"})
    assert r.status == 400, r
    r = vd.api("POST", "/folders/f/snapshots/s1/restore", {})
    assert r.status == 200 and r.json()["quota_bytes"] == 64 * MIB, r
    assert get(vd, "f", "a.txt").body == b"alpha"
    assert get(vd, "f", "new.txt").status == 404
    # The restored folder (a new subvolume) keeps its kernel quota limit.
    with open(qgroup_file(host_path(vd, "f", "fast"), "max_referenced")) as q:
        assert int(q.read()) == 64 * MIB

    # Delete; a second time is 404.
    assert vd.api("DELETE", "/folders/f/snapshots/s1").status == 204
    assert vd.api("DELETE", "/folders/f/snapshots/s1").status == 404
    assert "s1" not in [s["name"] for s in snaps(vd, "f")]


def test_cli_snapshot_verbs(vd):
    create(vd, "c", volume="fast")
    assert put(vd, "c", "x", b"one").status == 201
    p = vd.cli("folder", "snapshot", "create", "c", "first")
    assert p.returncode == 0 and b"first" in p.stdout, p.stderr
    p = vd.cli("folder", "snapshot", "list", "c")
    assert p.returncode == 0 and b"first" in p.stdout and b"NAME" in p.stdout, p.stderr
    p = vd.cli("folder", "snapshot", "list", "c", "-o", "json")
    assert p.returncode == 0 and b'"snapshots"' in p.stdout, p.stderr
    assert put(vd, "c", "x", b"two", overwrite=True).status == 201
    p = vd.cli("folder", "snapshot", "restore", "c", "first", "x")
    assert p.returncode == 0, p.stderr
    assert get(vd, "c", "x").body == b"one"
    p = vd.cli("folder", "snapshot", "rm", "c", "first")
    assert p.returncode == 0, p.stderr
    p = vd.cli("folder", "snapshot", "rm", "c", "first")
    assert p.returncode == 1 and b"error:" in p.stderr
    assert vd.cli("folder", "snapshot", "create").returncode == 2
    create(vd, "plain", volume="local")
    p = vd.cli("folder", "snapshot", "create", "plain")
    assert p.returncode == 1 and b"snapshots" in p.stderr


def test_local_volume_refuses_snapshots(vd):
    create(vd, "plain", volume="local")
    r = vd.api("POST", "/folders/plain/snapshots", {"name": "s"})
    assert r.status == 409 and r.error_code() == "snapshots_unsupported", r
    assert "btrfs" in r.json()["error"]["message"]
    r = vd.api("GET", "/folders/plain/snapshots")
    assert r.status == 409 and r.error_code() == "snapshots_unsupported", r
    r = vd.api("PATCH", "/folders/plain", {"snapshot_schedule": {"every_s": 60, "keep": 3}})
    assert r.status == 409 and r.error_code() == "snapshots_unsupported", r


def test_snapshot_space_counts_against_the_owner(vd):
    """A deleted file a snapshot still holds is still the owner's: /me's
    used_bytes (one read of the owner's level-1 qgroup) keeps counting it."""
    token = make_user(vd, "carol")
    assert vd.api("POST", "/folders", {"name": "q", "volume": "fast"}, token=token).status == 201
    assert put(vd, "q", "blob", b"z" * (8 * MIB), token=token).status == 201
    before = vd.api("GET", "/me", token=token).json()["used_bytes"]
    assert before >= 8 * MIB
    assert vd.api("POST", "/folders/q/snapshots", {"name": "keep"}, token=token).status == 201
    assert vd.api("DELETE", "/folders/q/files", query={"path": "blob"}, token=token).status == 204
    usage = vd.api("GET", "/folders/q", token=token).json()["usage"]["bytes"]
    assert usage < MIB, usage  # the live folder is empty now
    after = vd.api("GET", "/me", token=token).json()["used_bytes"]
    assert after >= 8 * MIB, (before, after)
    [s] = snaps(vd, "q", token=token)
    assert s["exclusive_bytes"] >= 8 * MIB, s
    # Deleting the snapshot frees it (the kernel's cleaner drops the tree in
    # the background: slow while the machine is busy).
    assert vd.api("DELETE", "/folders/q/snapshots/keep", token=token).status == 204
    deadline = time.time() + 90
    while time.time() < deadline:
        if vd.api("GET", "/me", token=token).json()["used_bytes"] < MIB:
            break
        time.sleep(0.5)
    assert vd.api("GET", "/me", token=token).json()["used_bytes"] < MIB


def test_other_users_cannot_see_or_restore_snapshots(vd):
    create(vd, "mine", volume="fast")
    assert vd.api("POST", "/folders/mine/snapshots", {"name": "s"}).status == 201
    fid = vd.api("GET", "/folders/mine").json()["id"]
    token = make_user(vd, "mallory")
    for ref in ["mine", fid]:
        base = f"/folders/{ref}/snapshots"
        assert vd.api("GET", base, token=token).status == 404
        assert vd.api("POST", base, {"name": "x"}, token=token).status == 404
        assert vd.api("DELETE", base + "/s", token=token).status == 404
        assert vd.api("POST", base + "/s/restore", {}, token=token).status == 404
        assert vd.api("GET", base + "/s/files", token=token).status == 404
        assert vd.api("GET", base + "/s/files/content", query={"path": "x"}, token=token).status == 404
    # A read-only invitee may list and browse, not take, restore or delete.
    bob = make_user(vd, "bob")
    r = vd.api("POST", "/folders/mine/shares", {"user": "bob", "permission": "ro"})
    assert r.status in (200, 201), r
    inv = vd.api("GET", "/invitations", token=bob).json()["invitations"][0]["id"]
    assert vd.api("POST", f"/invitations/{inv}/accept", token=bob).status == 200
    assert [s["name"] for s in snaps(vd, "mine", token=bob)] == ["s"]
    assert vd.api("POST", "/folders/mine/snapshots", {"name": "b"}, token=bob).status == 403
    assert vd.api("POST", "/folders/mine/snapshots/s/restore", {}, token=bob).status == 403
    assert vd.api("DELETE", "/folders/mine/snapshots/s", token=bob).status == 403


def test_schedule_takes_and_prunes(vd):
    create(vd, "sch", volume="fast")
    assert vd.api("POST", "/folders/sch/snapshots", {"name": "manual"}).status == 201
    for bad in [{"every_s": 0, "keep": 1}, {"every_s": 5}, {"every_s": 5, "keep": 0},
                {"every_s": "x", "keep": 1}, {"every_s": 5, "keep": 1, "x": 1}, 7]:
        r = vd.api("PATCH", "/folders/sch", {"snapshot_schedule": bad})
        assert r.status == 400, (bad, r)
    r = vd.api("PATCH", "/folders/sch", {"snapshot_schedule": {"every_s": 1, "keep": 2}})
    assert r.status == 200 and r.json()["snapshot_schedule"] == {"every_s": 1, "keep": 2}, r
    # Within a bounded wait: at least three rounds ran, two scheduled kept.
    deadline = time.time() + 30
    seen = set()
    while time.time() < deadline:
        auto = [s["name"] for s in snaps(vd, "sch") if s["scheduled"]]
        seen.update(auto)
        if len(seen) >= 3 and len(auto) == 2:
            break
        time.sleep(0.5)
    auto = [s["name"] for s in snaps(vd, "sch") if s["scheduled"]]
    assert len(seen) >= 3 and len(auto) <= 2, (seen, auto)
    assert all(n.startswith("auto-") for n in auto)
    assert "manual" in [s["name"] for s in snaps(vd, "sch")]  # never pruned
    r = vd.api("PATCH", "/folders/sch", {"snapshot_schedule": None})
    assert r.status == 200 and r.json()["snapshot_schedule"] is None, r


# ---- sessions, both drivers -------------------------------------------------

def test_sessions_restore_and_read_only_mounts(vs):
    d = vs
    create(d, "w", volume="fast")
    assert put(d, "w", "keep.txt", b"precious").status == 201
    assert put(d, "w", "other.txt", b"other").status == 201
    assert d.api("POST", "/folders/w/snapshots", {"name": "before"}).status == 201

    r = d.api("POST", "/sessions", {"name": "ws1", "mounts": [{"folder": "w"}]})
    assert r.status == 201, r
    # A mistaken rm -rf, typed in the terminal as a user would.
    ws = WebSocket(d.hostport, "/api/v1/sessions/ws1/terminal", {"Authorization": "Bearer " + d.token})
    assert ws.status == 101, ws.head
    try:
        ws.send(b"rm -rf /home/work/w/*; ls -A /home/work/w | wc -l; echo RM-$((6*7))\r")
        seen = ws.read_until(b"RM-42", timeout=60)
        assert b"RM-42" in seen, seen[-2000:]
    finally:
        ws.close()
    assert get(d, "w", "keep.txt").status == 404

    # One file back, while the session runs; the session sees it.
    r = d.api("POST", "/folders/w/snapshots/before/restore", {"path": "keep.txt"})
    assert r.status == 200, r
    assert exec_(d, "ws1", "cat /home/work/w/keep.txt")["stdout"] == "precious"
    # The whole folder: refused while the session mounts it, naming it.
    r = d.api("POST", "/folders/w/snapshots/before/restore", {})
    assert r.status == 409 and "ws1" in r.json()["error"]["message"], r

    # The snapshot mounted read-only: default target NAME@SNAP, writes fail.
    r = d.api("POST", "/sessions", {"name": "ws2", "mounts": [{"folder": "w", "snapshot": "before"}]})
    assert r.status == 201, r
    m = [x for x in r.json()["mounts"] if x.get("snapshot") == "before"]
    assert m and m[0]["target"] == "/home/work/w@before" and m[0]["permission"] == "ro", r.json()
    out = exec_(d, "ws2", "cat /home/work/w@before/other.txt; touch /home/work/w@before/x")
    assert out["stdout"] == "other" and out["exit_code"] != 0, out
    assert "Read-only file system" in out["stderr"], out
    # The CLI's -m NAME@SNAP, and rw asked on a snapshot is refused.
    p = d.cli("session", "create", "--name", "ws3", "-m", "w@before:/data/snap")
    assert p.returncode == 0, p.stderr
    assert exec_(d, "ws3", "cat /data/snap/keep.txt")["stdout"] == "precious"
    r = d.api("POST", "/sessions", {"mounts": [{"folder": "w", "snapshot": "before", "permission": "rw"}]})
    assert r.status == 403, r
    r = d.api("POST", "/sessions", {"mounts": [{"folder": "w", "snapshot": "nope"}]})
    assert r.status == 404, r
    # A mounted snapshot cannot be deleted.
    r = d.api("DELETE", "/folders/w/snapshots/before")
    assert r.status == 409 and "ws2" in r.json()["error"]["message"], r

    # Another user can mount neither the folder's snapshot nor see it.
    token = make_user(d, "eve")
    r = d.api("POST", "/sessions", {"mounts": [{"folder": "w", "snapshot": "before"}]}, token=token)
    assert r.status == 404, r

    # With only snapshot mounts left, the whole restore goes through.
    assert d.api("DELETE", "/sessions/ws1").status in (200, 204)
    r = d.api("POST", "/folders/w/snapshots/before/restore", {})
    assert r.status == 200, r
    assert get(d, "w", "other.txt").body == b"other"
    for s in ("ws2", "ws3"):
        assert d.api("DELETE", f"/sessions/{s}").status in (200, 204)
    assert d.api("DELETE", "/folders/w/snapshots/before").status == 204
