"""Folders and files over raw HTTP against a real berthd (SPEC §2, §5, §8)."""
import io
import os
import tarfile
import zipfile

import pytest


def create(b, name, **kw):
    r = b.api("POST", "/folders", {"name": name, **kw})
    assert r.status == 201, r
    return r.json()


def put(b, folder, path, data, overwrite=None):
    q = {"path": path}
    if overwrite is not None:
        q["overwrite"] = "true" if overwrite else "false"
    return b.api("PUT", f"/folders/{folder}/files/content", data, query=q)


def get(b, folder, path, **kw):
    return b.api("GET", f"/folders/{folder}/files/content", query={"path": path, **kw})


def test_health_needs_no_auth_and_everything_else_does(berthd):
    r = berthd.api("GET", "/health", token=None)
    assert r.status == 200 and r.json() == {"status": "ok"}
    for method, path in [("GET", "/folders"), ("POST", "/folders"), ("GET", "/me"),
                         ("GET", "/folders/x/files"), ("PUT", "/folders/x/files/content?path=a")]:
        r = berthd.api(method, path, token=None)
        assert r.status == 401, (method, path, r)
        assert r.error_code() == "missing_credentials"
    r = berthd.api("GET", "/folders", token="berth_" + "0" * 64)
    assert r.status == 401 and r.error_code() == "bad_credentials"
    r = berthd.api("GET", "/folders", headers={"Authorization": "Basic abc"}, token=None)
    assert r.status == 401


def test_admin_token_file_is_private(berthd):
    st = os.stat(os.path.join(berthd.data_dir, "admin.token"))
    assert st.st_mode & 0o777 == 0o600
    me = berthd.api("GET", "/me").json()
    assert me["name"] == "admin" and me["role"] == "superadmin"


def test_storage_half_of_the_seed_story(berthd):
    create(berthd, "user1-ml-test")
    f = create(berthd, "user2-vfolder")
    assert f["status"] == "ready" and f["permission"] == "rw" and f["owner"] == "admin"
    assert put(berthd, "user2-vfolder", "test_file", b"file inside user2-vfolder").status == 201
    names = [x["name"] for x in berthd.api("GET", "/folders").json()["folders"]]
    assert names == ["user1-ml-test", "user2-vfolder"]
    listing = berthd.api("GET", "/folders/user2-vfolder/files").json()
    assert [(e["name"], e["type"], e["size"]) for e in listing["entries"]] == [
        ("test_file", "file", 25)]
    r = get(berthd, "user2-vfolder", "test_file")
    assert r.status == 200 and r.body == b"file inside user2-vfolder"
    assert 'filename="test_file"' in r.headers["content-disposition"]
    info = berthd.api("GET", "/folders/user2-vfolder").json()
    assert info["usage"]["bytes"] == 25 and info["usage"]["files"] == 1
    # by id, too
    assert berthd.api("GET", f"/folders/{f['id']}").json()["name"] == "user2-vfolder"


def test_folder_layout_on_the_volume(berthd):
    f = create(berthd, "layout")
    me = berthd.api("GET", "/me").json()
    fid = f["id"]
    path = os.path.join(berthd.data_dir, "volumes", "local", "u-" + me["id"], fid[0:2],
                        fid[2:4], fid[4:])
    assert os.path.isdir(path)
    st = os.stat(path)
    assert st.st_mode & 0o777 == 0o755
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (1000, 1000)


@pytest.mark.parametrize("name,code", [
    ("", 400), ("-x", 400), (".", 400), ("..", 400), ("a/b", 400), ("a b", 400),
    ("x" * 65, 400), (".ssh", 400), (".bashrc", 400), (".zshrc", 400),
    (".bash_profile", 400), (".terminfo", 400), (".jupyter", 400), (".tmux.conf", 400),
    (".berth", 400), ("ü", 400),
])
def test_invalid_folder_names_are_refused(berthd, name, code):
    r = berthd.api("POST", "/folders", {"name": name})
    assert r.status == code, r
    assert r.json()["error"]["message"]
    assert berthd.api("GET", "/folders").json()["folders"] == []


def test_valid_names_including_automount(berthd):
    for n in [".local", ".linuxbrew", "a", "A-b_c.d", "x" * 64, "1"]:
        f = create(berthd, n)
        assert f["automount"] == n.startswith(".")


def test_bad_bodies_get_clear_400s(berthd):
    cases = [
        (b"{not json", "invalid_json"),
        (b"[1,2]", "invalid_json"),
        (b'{"name": 5}', "invalid_field"),
        (b'{"name": "ok", "colour": "red"}', "unknown_field"),
        (b'{}', "missing_field"),
        (b'{"name": "q", "quota_bytes": -1}', "invalid_field"),
        (b'{"name": "q", "quota_bytes": "10G"}', "invalid_field"),
        (b'{"name": "q", "volume": "nope"}', "volume_not_found"),
    ]
    for body, code in cases:
        r = berthd.api("POST", "/folders", body)
        assert r.status == 400, (body, r)
        assert r.error_code() == code, (body, r)
    assert berthd.api("GET", "/folders").json()["folders"] == []


def test_huge_json_body_is_413_and_server_keeps_serving(berthd):
    import socket
    # The server answers as soon as it sees the length, without reading the
    # body, so send only the header and read the answer.
    s = socket.create_connection(berthd.hostport.split(":"))
    s.sendall((f"POST /api/v1/folders HTTP/1.1\r\nHost: x\r\n"
               f"Authorization: Bearer {berthd.token}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {2 << 20}\r\n\r\n").encode())
    head = s.recv(4096).decode()
    s.close()
    assert head.startswith("HTTP/1.1 413"), head
    assert "resource_exhausted" in head or "larger than" in head
    assert berthd.api("GET", "/health").status == 200
    assert berthd.api("GET", "/folders").json()["folders"] == []


def test_duplicate_names_conflict(berthd):
    create(berthd, "dup")
    r = berthd.api("POST", "/folders", {"name": "dup"})
    assert r.status == 409 and r.error_code() == "folder_exists"
    create(berthd, "Dup")  # case-sensitive


def test_missing_folder_is_404(berthd):
    for method, path in [("GET", "/folders/nope"), ("GET", "/folders/nope/files"),
                         ("DELETE", "/folders/nope"), ("PATCH", "/folders/nope"),
                         ("POST", "/folders/nope/restore")]:
        r = berthd.api(method, path, {"name": "x"} if method == "PATCH" else None)
        assert r.status == 404, (method, path, r)
        assert r.error_code() == "folder_not_found"
    assert berthd.api("GET", "/no/such/thing").status == 404
    assert berthd.api("PUT", "/folders").status == 405


def test_rename(berthd):
    create(berthd, "old")
    create(berthd, "taken")
    assert berthd.api("PATCH", "/folders/old", {"name": "taken"}).status == 409
    assert berthd.api("PATCH", "/folders/old", {"name": ".bashrc"}).status == 400
    r = berthd.api("PATCH", "/folders/old", {"name": "new"})
    assert r.status == 200 and r.json()["name"] == "new"
    assert berthd.api("GET", "/folders/old").status == 404


def test_trash_restore_purge(berthd):
    f = create(berthd, "t")
    assert put(berthd, "t", "keep.txt", b"precious").status == 201
    r = berthd.api("DELETE", "/folders/t?purge=true")
    assert r.status == 409 and r.error_code() == "folder_not_in_trash"
    r = berthd.api("DELETE", "/folders/t")
    assert r.status == 200 and r.json()["status"] == "trash"
    assert berthd.api("GET", "/folders").json()["folders"] == []
    trash = berthd.api("GET", "/folders", query={"status": "trash"}).json()["folders"]
    assert [x["id"] for x in trash] == [f["id"]]
    # the name is free again
    g = create(berthd, "t")
    assert berthd.api("POST", "/folders/t/restore").status == 409  # name taken
    berthd.api("DELETE", "/folders/t")  # now two in the trash
    r = berthd.api("POST", "/folders/t/restore")
    assert r.status == 409 and r.error_code() == "ambiguous_folder_name"
    assert f["id"] in r.json()["error"]["message"]
    r = berthd.api("POST", f"/folders/{f['id']}/restore")
    assert r.status == 200 and r.json()["status"] == "ready"
    assert get(berthd, "t", "keep.txt").body == b"precious"
    r = berthd.api("DELETE", f"/folders/{g['id']}", query={"purge": "true"})
    assert r.status == 204
    assert berthd.api("GET", "/folders", query={"status": "trash"}).json()["folders"] == []
    assert berthd.api("GET", "/folders/t").json()["id"] == f["id"]


def test_file_operations(berthd):
    create(berthd, "f")
    mk = berthd.api("POST", "/folders/f/files/mkdir", {"path": "a/b/c"})
    assert mk.status == 404, mk
    assert berthd.api("POST", "/folders/f/files/mkdir", {"path": "a/b/c", "parents": True}).status == 201
    assert berthd.api("POST", "/folders/f/files/mkdir", {"path": "a"}).status == 409
    assert put(berthd, "f", "a/b/c/x.txt", b"x").status == 201
    assert put(berthd, "f", "a/b/c/x.txt", b"y").status == 409
    assert put(berthd, "f", "a/b/c/x.txt", b"yy", overwrite=True).status == 201
    assert get(berthd, "f", "a/b/c/x.txt").body == b"yy"
    assert put(berthd, "f", "missing/x.txt", b"x").status == 404
    assert put(berthd, "f", "a", b"x", overwrite=True).status in (400, 409)
    r = berthd.api("POST", "/folders/f/files/move", {"src": "a/b/c/x.txt", "dst": "a/moved.txt"})
    assert r.status == 200, r
    assert get(berthd, "f", "a/moved.txt").body == b"yy"
    assert berthd.api("POST", "/folders/f/files/move", {"src": "nope", "dst": "x"}).status == 404
    assert berthd.api("POST", "/folders/f/files/move", {"src": "a", "dst": "a/b/in"}).status == 400
    r = berthd.api("DELETE", "/folders/f/files", query={"path": "a"})
    assert r.status == 409, r
    assert berthd.api("DELETE", "/folders/f/files", query={"path": "a", "recursive": "true"}).status == 204
    assert berthd.api("GET", "/folders/f/files").json()["entries"] == []
    assert berthd.api("DELETE", "/folders/f/files", query={"path": "a"}).status == 404


def test_listing_is_sorted_and_paged(berthd):
    create(berthd, "p")
    names = [f"n{i:03d}" for i in range(25)]
    for n in reversed(names):
        assert put(berthd, "p", n, n.encode()).status == 201
    seen, after = [], None
    while True:
        q = {"limit": "10"}
        if after:
            q["after"] = after
        page = berthd.api("GET", "/folders/p/files", query=q).json()
        seen += [e["name"] for e in page["entries"]]
        after = page["next"]
        if not after:
            break
    assert seen == names
    assert berthd.api("GET", "/folders/p/files", query={"limit": "0"}).status == 400
    assert berthd.api("GET", "/folders/p/files", query={"limit": "x"}).status == 400


@pytest.mark.parametrize("path", [
    "../etc/passwd", "/etc/passwd", "a/../../x", "..", "a\x00b", "x" * 256, "a/" * 2100,
])
def test_escaping_paths_are_400(berthd, path):
    create(berthd, "esc")
    for method, p, body in [
        ("GET", "/folders/esc/files/content", None),
        ("PUT", "/folders/esc/files/content", b"data"),
        ("GET", "/folders/esc/files", None),
        ("DELETE", "/folders/esc/files", None),
    ]:
        r = berthd.api(method, p, body, query={"path": path})
        assert r.status == 400, (method, path[:20], r)
    r = berthd.api("POST", "/folders/esc/files/mkdir", {"path": path})
    assert r.status == 400
    r = berthd.api("POST", "/folders/esc/files/move", {"src": path, "dst": "x"})
    assert r.status == 400


def test_encoded_traversal_in_url_is_refused(berthd):
    create(berthd, "enc")
    r = berthd.request("GET", "/api/v1/folders/enc/files/content?path=%2e%2e%2fetc%2fpasswd")
    assert r.status == 400
    r = berthd.request("GET", "/api/v1/folders/%2e%2e/files")
    assert r.status in (400, 404)
    r = berthd.request("GET", "/api/v1/folders/enc/files/content?path=%zz")
    assert r.status == 400
    assert berthd.api("GET", "/health").status == 200


def test_symlink_planted_in_folder_is_not_followed_out(berthd, tmp):
    f = create(berthd, "sym")
    me = berthd.api("GET", "/me").json()
    fid = f["id"]
    root = os.path.join(berthd.data_dir, "volumes", "local", "u-" + me["id"], fid[0:2], fid[2:4], fid[4:])
    secret = tmp / "secret.txt"
    secret.write_bytes(b"host secret")
    os.symlink(str(secret), os.path.join(root, "link"))
    os.symlink(str(tmp), os.path.join(root, "dirlink"))
    os.mkfifo(os.path.join(root, "fifo"))
    assert get(berthd, "sym", "link").status == 400
    assert get(berthd, "sym", "dirlink/secret.txt").status == 400
    assert get(berthd, "sym", "fifo").status == 400
    assert put(berthd, "sym", "dirlink/new.txt", b"x").status == 400
    assert not (tmp / "new.txt").exists()
    r = put(berthd, "sym", "link", b"overwritten", overwrite=True)
    assert secret.read_bytes() == b"host secret"
    assert berthd.api("GET", "/folders/sym/files", query={"path": "dirlink"}).status == 400
    types = {e["name"]: e["type"] for e in berthd.api("GET", "/folders/sym/files").json()["entries"]}
    assert types["fifo"] == "other"
    assert berthd.api("DELETE", "/folders/sym/files", query={"path": "dirlink", "recursive": "true"}).status == 204
    assert secret.exists()
    z = get(berthd, "sym", "")
    assert z.status == 200
    with zipfile.ZipFile(io.BytesIO(z.body)) as zf:
        for n in zf.namelist():
            assert b"host secret" not in zf.read(n)


def test_range_etag_and_disposition(berthd):
    create(berthd, "r")
    data = bytes(range(256)) * 40
    assert put(berthd, "r", "név.bin", data).status == 201
    r = get(berthd, "r", "név.bin")
    assert r.body == data and r.headers["accept-ranges"] == "bytes"
    assert "filename*=UTF-8''n%C3%A9v.bin" in r.headers["content-disposition"]
    etag = r.headers["etag"]
    r = berthd.api("GET", "/folders/r/files/content", query={"path": "név.bin"},
                   headers={"Range": "bytes=10-19"})
    assert r.status == 206 and r.body == data[10:20]
    assert r.headers["content-range"] == f"bytes 10-19/{len(data)}"
    r = berthd.api("GET", "/folders/r/files/content", query={"path": "név.bin"},
                   headers={"Range": "bytes=-5"})
    assert r.status == 206 and r.body == data[-5:]
    r = berthd.api("GET", "/folders/r/files/content", query={"path": "név.bin"},
                   headers={"Range": f"bytes={len(data)}-"})
    assert r.status == 416
    r = berthd.api("GET", "/folders/r/files/content", query={"path": "név.bin"},
                   headers={"If-None-Match": etag})
    assert r.status == 304 and r.body == b""


def test_directory_downloads_as_zip_and_tar(berthd):
    create(berthd, "d")
    berthd.api("POST", "/folders/d/files/mkdir", {"path": "sub/deeper", "parents": True})
    put(berthd, "d", "sub/a.txt", b"A" * 100000)
    put(berthd, "d", "sub/deeper/b.txt", b"B")
    r = get(berthd, "d", "sub")
    assert r.status == 200 and r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.body)) as zf:
        files = {n.rstrip("/").split("sub/", 1)[-1]: zf.read(n) for n in zf.namelist() if not n.endswith("/")}
    assert files["a.txt"] == b"A" * 100000 and files["deeper/b.txt"] == b"B"
    r = get(berthd, "d", "sub", format="tar")
    assert r.status == 200
    with tarfile.open(fileobj=io.BytesIO(r.body)) as tf:
        got = {m.name.rstrip("/").split("sub/", 1)[-1]: tf.extractfile(m).read()
               for m in tf.getmembers() if m.isfile()}
    assert got["deeper/b.txt"] == b"B"
    assert get(berthd, "d", "sub", format="rar").status == 400


def test_quota_is_enforced_on_upload(berthd):
    create(berthd, "q", quota_bytes=1000)
    assert put(berthd, "q", "a", b"x" * 600).status == 201
    r = put(berthd, "q", "b", b"x" * 600)
    assert r.status == 413, r
    names = [e["name"] for e in berthd.api("GET", "/folders/q/files").json()["entries"]]
    assert names == ["a"]


def test_interrupted_upload_leaves_nothing(berthd):
    import socket
    create(berthd, "u")
    s = socket.create_connection(berthd.hostport.split(":"))
    s.sendall((f"PUT /api/v1/folders/u/files/content?path=partial.bin HTTP/1.1\r\n"
               f"Host: x\r\nAuthorization: Bearer {berthd.token}\r\n"
               f"Content-Length: 1000000\r\n\r\n").encode() + b"x" * 5000)
    s.close()
    import time
    time.sleep(0.5)
    assert berthd.api("GET", "/folders/u/files").json()["entries"] == []
    assert berthd.api("GET", "/health").status == 200


def test_restart_keeps_everything(berthd):
    create(berthd, "persist")
    put(berthd, "persist", "f.txt", b"still here")
    berthd.api("DELETE", "/folders/persist")
    create(berthd, "persist")
    token = berthd.token
    berthd.restart()
    assert berthd.token == token  # the token file stays valid
    assert [x["name"] for x in berthd.api("GET", "/folders").json()["folders"]] == ["persist"]
    trash = berthd.api("GET", "/folders", query={"status": "trash"}).json()["folders"]
    assert len(trash) == 1
    berthd.api("POST", f"/folders/{trash[0]['id']}/restore")  # 409: name taken
    berthd.kill()  # SIGKILL: no graceful shutdown
    berthd.start()
    assert len(berthd.api("GET", "/folders", query={"status": "trash"}).json()["folders"]) == 1


def test_tokens(berthd):
    r = berthd.api("POST", "/tokens", {"label": "ci"})
    assert r.status == 201
    t = r.json()
    assert berthd.api("GET", "/me", token=t["token"]).status == 200
    ids = [x["id"] for x in berthd.api("GET", "/tokens").json()["tokens"]]
    assert t["id"] in ids
    assert berthd.api("DELETE", f"/tokens/{t['id']}").status == 204
    assert berthd.api("GET", "/me", token=t["token"]).status == 401
