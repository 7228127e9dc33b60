"""Clone progress (SPEC §2 Clone, issue 13 item 5): on a volume without
instant clones POST .../clone answers 201 at once with the folder
`cloning`, copies file by file in the background and publishes how far it
has got as folder events on /events: {"change":"cloning", the new folder's
id and name, "source", "bytes", "files"}, the first at once and then at most
4 a second, and "created" (status "ready") at the end. Meanwhile the new
folder answers 409 folder_cloning; a berthd killed mid-copy removes the
half copy at its next start. Talks only to 127.0.0.1; every loop is
bounded in time."""
import glob
import http.client
import json
import os
import time

import pytest

MIB = 1 << 20
FILES = 24
SIZE = 4 * MIB


def _events(berthd):
    """An open /events stream (http.client decodes the chunked body)."""
    conn = http.client.HTTPConnection(berthd.hostport, timeout=30)
    conn.request("GET", "/api/v1/events", headers={"Authorization": "Bearer " + berthd.token})
    resp = conn.getresponse()
    assert resp.status == 200
    return conn, resp


def _folder_events_until(resp, done, timeout=60):
    """The folder events' data up to and including the first for which
    done(data) holds."""
    out, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = resp.readline()
        if not line:
            break
        if not line.startswith(b"data: "):
            continue
        data = json.loads(line[len(b"data: "):])
        out.append(data)
        if done(data):
            return out
    raise AssertionError(f"no end event within {timeout} s: {out[-5:]}")


def test_streamed_clone_publishes_progress(berthd):
    d = berthd
    local = next(v for v in d.api("GET", "/volumes").json()["volumes"] if v["name"] == "local")
    assert d.api("POST", "/folders", {"name": "src"}).status == 201
    for i in range(FILES):
        r = d.api("PUT", "/folders/src/files/content", bytes([i]) * SIZE,
                  query={"path": f"f{i}.bin"})
        assert r.status == 201, r
    conn, resp = _events(d)
    try:
        r = d.api("POST", "/folders/src/clone", {"name": "copy"})
        assert r.status == 201, r
        new = r.json()
        if not local["capabilities"]["instant_clone"]:
            assert new["status"] == "cloning", new
        seen = _folder_events_until(
            resp, lambda e: e["change"] == "created" and e["name"] == "copy")
    finally:
        conn.close()
    assert seen[-1]["status"] == "ready", seen[-1]
    progress = [e for e in seen if e["change"] == "cloning"]
    if local["capabilities"]["instant_clone"]:
        return  # reflinks: still file by file, but may be over before 250 ms
    assert progress, seen
    for e in progress:
        assert e["id"] == new["id"] and e["name"] == "copy" and e["source"] == "src", e
        assert e["status"] == "cloning"
        assert 0 <= e["bytes"] <= FILES * SIZE and 0 <= e["files"] <= FILES, e
    assert progress[0]["bytes"] == 0 and progress[0]["files"] == 0  # at once, before any file
    assert [e["bytes"] for e in progress] == sorted(e["bytes"] for e in progress)
    # The clone is whole once it is created.
    r = d.api("GET", "/folders/copy/files/content", query={"path": f"f{FILES - 1}.bin"})
    assert r.status == 200 and r.body == bytes([FILES - 1]) * SIZE


BIG_FILES = 8
BIG_SIZE = 128 * MIB  # sparse on the source; the copy writes it all out


def _big_source(d):
    """A folder "big" of 1 GiB (sparse files made on the host: faster than
    uploading), on a volume without instant clones (else the test skips)."""
    local = next(v for v in d.api("GET", "/volumes").json()["volumes"] if v["name"] == "local")
    if local["capabilities"]["instant_clone"]:
        pytest.skip("the local volume clones instantly (reflinks)")
    r = d.api("POST", "/folders", {"name": "big"})
    assert r.status == 201, r
    src = r.json()
    dirs = _host_dirs(d, src["id"])
    assert len(dirs) == 1, dirs
    for i in range(BIG_FILES):
        with open(os.path.join(dirs[0], f"f{i}.bin"), "wb") as f:
            f.truncate(BIG_SIZE)
    return src


def _host_dirs(d, folder_id):
    """The folder's directory on the host (volume/u-OWNER/ab/cd/rest-of-id)."""
    i = folder_id
    return glob.glob(os.path.join(d.data_dir, "volumes", "*", "u-*", i[:2], i[2:4], i[4:]))


def _settled(d, name, timeout=120):
    """GET /folders/{name} once it is no longer cloning (None once gone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = d.api("GET", f"/folders/{name}")
        if r.status == 404:
            return None
        assert r.status == 200, r
        if r.json()["status"] != "cloning":
            return r.json()
        time.sleep(0.1)
    raise AssertionError(f"{name} still cloning after {timeout} s")


def test_cloning_folder_is_listed_and_busy_until_ready(berthd):
    d = berthd
    _big_source(d)
    r = d.api("POST", "/folders/big/clone", {"name": "copy"})
    assert r.status == 201, r
    assert r.json()["status"] == "cloning"
    # Everything below is asked while the 1 GiB copy runs.
    listed = {f["name"]: f["status"] for f in d.api("GET", "/folders").json()["folders"]}
    assert listed == {"big": "ready", "copy": "cloning"}, listed
    busy = [
        d.api("GET", "/folders/copy/files", query={"path": ""}),
        d.api("PUT", "/folders/copy/files/content", b"x", query={"path": "x.txt"}),
        d.api("PATCH", "/folders/copy", {"name": "other"}),
        d.api("POST", "/folders/copy/clone", {"name": "copy2"}),
        d.api("DELETE", "/folders/copy"),
    ]
    still = d.api("GET", "/folders/copy")
    assert still.status == 200 and still.json()["status"] == "cloning", (
        "the copy ended before the checks; they prove nothing")
    for r in busy:
        assert r.status == 409 and r.error_code() == "folder_cloning", r
    r = d.api("DELETE", "/folders/big")
    assert r.status == 409 and r.error_code() == "folder_in_use", r
    r = d.api("POST", "/folders", {"name": "copy"})
    assert r.status == 409 and r.error_code() == "folder_exists", r
    done = _settled(d, "copy")
    assert done and done["status"] == "ready", done
    r = d.api("GET", "/folders/copy/files", query={"path": ""})
    assert r.status == 200, r
    assert d.api("DELETE", "/folders/big").status in (200, 204)


def test_killed_mid_clone_leaves_nothing_after_restart(berthd):
    d = berthd
    _big_source(d)
    r = d.api("POST", "/folders/big/clone", {"name": "copy"})
    assert r.status == 201 and r.json()["status"] == "cloning", r
    new = r.json()
    deadline = time.time() + 15  # the copy starts on a worker thread
    while not _host_dirs(d, new["id"]) and time.time() < deadline:
        time.sleep(0.05)
    d.kill()  # SIGKILL mid-copy
    assert _host_dirs(d, new["id"]), "the half copy should be on disk before the restart"
    d.start()
    r = d.api("GET", "/folders/copy")
    assert r.status == 404, r
    assert [f["name"] for f in d.api("GET", "/folders").json()["folders"]] == ["big"]
    assert _host_dirs(d, new["id"]) == []
    assert "its clone was cut short" in d.read_log()
    # The name is free again: a new clone works end to end.
    r = d.api("POST", "/folders/big/clone", {"name": "copy"})
    assert r.status == 201, r
    done = _settled(d, "copy")
    assert done and done["status"] == "ready", (done, d.read_log()[-3000:])
