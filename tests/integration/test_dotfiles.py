"""Dotfiles and python_user_base (SPEC §3 "Dotfiles", §5 /dotfiles and
PATCH /me, §6 `berth dotfile`): the REST rules, the CLI round trip, and what
a user sees in a new session's terminal (a real berthd, both drivers)."""
import json
import os
import time

import pytest

from berth_harness import WebSocket, err, fails, ok, out
from test_sessions_api import folder, make_wheel, session, sh

sessions_need_root = pytest.mark.skipif(os.geteuid() != 0, reason="sessions need root (runc)")


def put(d, path, body, token="default", **query):
    return d.api("PUT", "/dotfiles/" + path, body, token=token, query=query or None)


def make_user(d, name):
    assert d.api("POST", "/users", {"name": name}).status == 201
    r = d.api("POST", f"/users/{name}/tokens")
    assert r.status == 201, r
    return r.json()["token"]


# -- REST rules (no session needed) -------------------------------------------

def test_put_get_list_delete_and_modes(berthd):
    r = put(berthd, ".bashrc", b"export A=1\n")
    assert r.status == 201, r
    assert r.json() == {"path": ".bashrc", "mode": "0644", "size": 11,
                        "updated_at": r.json()["updated_at"]}
    r = put(berthd, ".bashrc", b"export A=2\n", mode="0600")
    assert r.status == 200 and r.json()["mode"] == "0600"
    assert put(berthd, ".ssh/authorized_keys", b"ssh-ed25519 AAAA k\n").json()["mode"] == "0600"
    assert put(berthd, ".config/./git/config", b"[user]\n").json()["path"] == ".config/git/config"
    g = berthd.api("GET", "/dotfiles/.bashrc")
    assert g.status == 200 and g.body == b"export A=2\n"
    assert g.headers["x-berth-mode"] == "0600"
    binary = bytes(range(256))
    assert put(berthd, "bin/blob", binary).status == 201
    assert berthd.api("GET", "/dotfiles/bin/blob").body == binary
    listed = berthd.api("GET", "/dotfiles").json()["dotfiles"]
    assert [d["path"] for d in listed] == [".bashrc", ".config/git/config",
                                           ".ssh/authorized_keys", "bin/blob"]
    assert all(set(d) == {"path", "mode", "size", "updated_at"} for d in listed)
    assert berthd.api("DELETE", "/dotfiles/bin/blob").status == 204
    r = berthd.api("DELETE", "/dotfiles/bin/blob")
    assert r.status == 404 and r.error_code() == "dotfile_not_found"
    assert berthd.api("GET", "/dotfiles/.nope").status == 404


@pytest.mark.parametrize("path", [
    "../x", "a/../../x", "%2E%2E/x", "a/..", ".berth", ".berth/x", "./.berth/y", "a//b",
    "a/", "%2Fetc/passwd", "x%00y",
])
def test_bad_paths_are_400_invalid_path(berthd, path):
    r = put(berthd, path, b"x")
    assert r.status == 400, (path, r)
    assert r.error_code() == "invalid_path", (path, r)
    assert set(r.json()["error"]) == {"code", "message"}
    assert berthd.api("GET", "/dotfiles").json()["dotfiles"] == []


@pytest.mark.parametrize("mode", ["", "0999", "1777", "0o644", "64", "00644", "rwx"])
def test_bad_modes_are_400_invalid_mode(berthd, mode):
    r = put(berthd, ".bashrc", b"x", mode=mode)
    assert r.status == 400 and r.error_code() == "invalid_mode", (mode, r)


def test_size_caps_are_413(berthd):
    r = put(berthd, ".big", b"x" * (64 * 1024 + 1))
    assert r.status == 413 and r.error_code() == "too_large", r
    assert "64 KiB" in r.json()["error"]["message"]
    for i in range(16):
        assert put(berthd, f".f{i}", b"x" * (64 * 1024)).status == 201
    r = put(berthd, ".one-more", b"x")
    assert r.status == 413 and r.error_code() == "over_quota", r
    assert "1 MiB" in r.json()["error"]["message"]
    assert put(berthd, ".f3", b"y" * (64 * 1024)).status == 200  # replacing is not adding
    assert berthd.api("DELETE", "/dotfiles/.f0").status == 204
    assert put(berthd, ".one-more", b"x").status == 201


def test_dotfiles_are_per_user_and_need_a_token(berthd):
    bob = make_user(berthd, "bob")
    assert put(berthd, ".bashrc", b"admin\n").status == 201
    assert berthd.api("GET", "/dotfiles", token=bob).json()["dotfiles"] == []
    assert berthd.api("GET", "/dotfiles/.bashrc", token=bob).status == 404
    assert put(berthd, ".bashrc", b"bob\n", token=bob).status == 201
    assert berthd.api("GET", "/dotfiles/.bashrc").body == b"admin\n"
    assert berthd.api("GET", "/dotfiles", token=None).status == 401
    assert put(berthd, ".x", b"x", token=None).status == 401


def test_patch_me_python_user_base_and_password(berthd):
    me = berthd.api("GET", "/me").json()
    assert me["python_user_base"] == "shared"
    r = berthd.api("PATCH", "/me", {"python_user_base": "per_version"})
    assert r.status == 200 and r.json()["python_user_base"] == "per_version", r
    assert berthd.api("GET", "/me").json()["python_user_base"] == "per_version"
    for body, code in [({"python_user_base": "mine"}, "invalid_python_user_base"),
                       ({"python_user_base": 3}, None),
                       ({"color": "red"}, None),
                       ({"password": "newpassword1"}, "old_password_required"),
                       ({"old_password": "x"}, None)]:
        r = berthd.api("PATCH", "/me", body)
        assert r.status == 400, (body, r)
        if code:
            assert r.error_code() == code, (body, r)
    # A password change needs the current one.
    assert berthd.api("POST", "/users", {"name": "carol", "password": "carolpass1"}).status == 201
    tok = berthd.api("POST", "/users/carol/tokens").json()["token"]
    r = berthd.api("PATCH", "/me", {"password": "newpassword1", "old_password": "wrong-pass"},
                   token=tok)
    assert r.status == 403 and r.error_code() == "wrong_password", r
    r = berthd.api("PATCH", "/me", {"password": "newpassword1", "old_password": "carolpass1"},
                   token=tok)
    assert r.status == 200, r
    assert berthd.api("POST", "/auth/login", {"user": "carol", "password": "newpassword1"},
                      token=None).status == 200
    assert berthd.api("POST", "/auth/login", {"user": "carol", "password": "carolpass1"},
                      token=None).status == 401


def test_cli_round_trip(berthd, tmp):
    local = tmp / "rc"
    local.write_bytes(b"export FROM_CLI=1\n")
    p = ok(berthd, "dotfile", "set", ".bashrc", str(local))
    assert ".bashrc" in out(p)
    ok(berthd, "dotfile", "set", ".ssh/config", "-", input=b"Host *\n")
    ok(berthd, "dotfile", "set", "bin/run", "-", "--mode", "0755", input=b"#!/bin/sh\n")
    listed = json.loads(out(ok(berthd, "dotfile", "list", "-o", "json")))["dotfiles"]
    assert {d["path"]: d["mode"] for d in listed} == {
        ".bashrc": "0644", ".ssh/config": "0600", "bin/run": "0755"}
    table = out(ok(berthd, "dotfile", "list"))
    assert "PATH" in table and ".ssh/config" in table
    assert ok(berthd, "dotfile", "get", ".bashrc").stdout == b"export FROM_CLI=1\n"
    ok(berthd, "dotfile", "rm", "bin/run")
    p = fails(berthd, "dotfile", "get", "bin/run")
    assert err(p).startswith("error: ")
    p = fails(berthd, "dotfile", "set", "../escape", "-", input=b"x")
    assert "error: " in err(p)
    fails(berthd, "dotfile", "set", ".x", "-", "--mode", "9999", input=b"x")
    fails(berthd, "dotfile", "set", ".bashrc", code=2)
    fails(berthd, "dotfile", "frobnicate", code=2)


# -- In sessions, through the terminal -----------------------------------------

class Terminal:
    def __init__(self, b, name):
        self.ws = WebSocket(b.hostport, f"/api/v1/sessions/{name}/terminal?cols=200&rows=50",
                            {"Authorization": "Bearer " + b.token})
        assert self.ws.status == 101, self.ws.head
        self.n = 0

    def run(self, command, timeout=60):
        """Runs `command` in the login shell; returns its output (text)."""
        self.n += 1
        mark = f"DONE{self.n}-$((40+2))"
        self.ws.send(f"{command}; echo {mark}\n".encode())
        want = f"DONE{self.n}-42".encode()
        buf = self.ws.read_until(want, timeout=timeout)
        assert want in buf, buf
        # The echo of the command line holds the unexpanded mark, so the
        # output is what lies between the echoed line and the expanded one.
        text = buf.decode(errors="replace").replace("\r", "")
        return text.split(f"echo {mark}\n", 1)[-1].rsplit(want.decode(), 1)[0]

    def close(self):
        self.ws.close()


@sessions_need_root
def test_bashrc_dotfile_in_the_terminal(b):
    assert put(b, ".bashrc", b"export BERTH_DOTFILE_VAR=from-dotfile\n"
                             b"alias hellodot='echo alias-$((7*6))'\n").status == 201
    assert put(b, ".ssh/authorized_keys", b"ssh-ed25519 AAAA test\n").status == 201
    assert put(b, "bin/tool", b"#!/bin/sh\necho tool\n", mode="0750").status == 201
    session(b, "dot1")
    t = Terminal(b, "dot1")
    try:
        assert "from-dotfile" in t.run("echo $BERTH_DOTFILE_VAR")
        assert "alias-42" in t.run("hellodot")
        stat = t.run("stat -c '%n %u %g %a' ~/.bashrc ~/.ssh ~/.ssh/authorized_keys ~/bin ~/bin/tool")
        assert "/home/work/.bashrc 1000 1000 644" in stat, stat
        assert "/home/work/.ssh 1000 1000 700" in stat, stat
        assert "/home/work/.ssh/authorized_keys 1000 1000 600" in stat, stat
        assert "/home/work/bin 1000 1000 755" in stat, stat
        assert "/home/work/bin/tool 1000 1000 750" in stat, stat
    finally:
        t.close()
    # Changes apply to new sessions.
    assert put(b, ".bashrc", b"export BERTH_DOTFILE_VAR=second\n").status == 200
    session(b, "dot2")
    t = Terminal(b, "dot2")
    try:
        assert "second" in t.run("echo $BERTH_DOTFILE_VAR")
    finally:
        t.close()


@sessions_need_root
def test_dotfile_under_a_mount_target_is_skipped(b):
    folder(b, "data")
    assert b.api("PUT", "/folders/data/files/content", b"folder copy\n",
                 query={"path": "notes.txt"}).status == 201
    assert put(b, "data/notes.txt", b"dotfile copy\n").status == 201
    assert put(b, "data", b"a file where the folder goes\n").status == 201
    assert put(b, ".vimrc", b"set nu\n").status == 201
    session(b, "dotm", [{"folder": "data"}])
    t = Terminal(b, "dotm")
    try:
        assert "folder copy" in t.run("cat ~/data/notes.txt")
        assert "set nu" in t.run("cat ~/.vimrc")
    finally:
        t.close()
    got = b.api("GET", "/folders/data/files/content", query={"path": "notes.txt"})
    assert got.body == b"folder copy\n"
    assert "dotfile skipped" in b.read_log()


@sessions_need_root
def test_python_user_base_per_version(b, tmp):
    images = {i["name"] for i in b.api("GET", "/images").json()["images"]}
    folder(b, ".local")
    folder(b, "pkgs")
    whl = tmp / "tinyberth-1.0-py3-none-any.whl"
    make_wheel(whl)
    assert b.api("PUT", "/folders/pkgs/files/content", whl.read_bytes(),
                 query={"path": whl.name}).status == 201
    assert b.api("PATCH", "/me", {"python_user_base": "per_version"}).status == 200
    cases = [("python", "3.11")]
    if "python-trixie" in images:
        cases.append(("python-trixie", "3.13"))
    for image, version in cases:
        name = "pv" + version.replace(".", "")
        session(b, name, [{"folder": "pkgs"}], image=image)
        t = Terminal(b, name)
        try:
            assert f"/home/work/.local/py{version}" in t.run("python3 -m site --user-base")
            t.run(f"cd ~/pkgs && pip install --user --no-index {whl.name} >/dev/null 2>&1; cd")
            got = t.run(f"ls ~/.local/py{version}/lib/python{version}/site-packages; "
                        f"~/.local/py{version}/bin/tinyhello; python3 -c 'import tinyberth'")
            assert "tinyberth" in got and "tiny says hi" in got, got
            assert "Error" not in got, got
            # The per-version bin directory is first on PATH in the login
            # shell (profile.d drop-in) as in exec's environment.
            got = t.run("command -v tinyhello; echo USERBASE=$PYTHONUSERBASE")
            assert f"/home/work/.local/py{version}/bin/tinyhello" in got, got
            assert f"USERBASE=/home/work/.local/py{version}" in got, got
        finally:
            t.close()
        r = sh(b, name, "command -v tinyhello && tinyhello")
        assert f"/home/work/.local/py{version}/bin/tinyhello" in r["stdout"], r
        assert "tiny says hi" in r["stdout"], r
    listed = {e["name"] for e in b.api("GET", "/folders/.local/files").json()["entries"]}
    assert {f"py{v}" for _, v in cases} <= listed, listed
    assert "lib" not in listed  # nothing went to the shared user base
    if "python-trixie" not in images:
        pytest.skip("no 'python-trixie' image: only 3.11 was checked")
    # Back to shared: the default user base again.
    assert b.api("PATCH", "/me", {"python_user_base": "shared"}).status == 200
    session(b, "pvshared")
    r = sh(b, "pvshared", "python3 -m site --user-base; echo ${PYTHONUSERBASE:-unset}")
    assert r["stdout"].split() == ["/home/work/.local", "unset"], r


@sessions_need_root
def test_symlinked_skeleton_and_dotdot_cannot_escape_the_home(b):
    """docs/security.md: a dotfile never lands outside the scratch home. The
    REST layer refuses '..'; the writer never follows a symlink in the home
    (the unit test agent/dotfiles_test.cc covers skeleton symlinks)."""
    assert put(b, "..%2F..%2Fetc%2Fberth-escape", b"x").status == 400
    assert put(b, ".local/../../escape", b"x").status == 400
    session(b, "dotesc")
    r = sh(b, "dotesc", "ls -la /home/work; test -e /etc/berth-escape && echo LEAK || echo clean")
    assert "clean" in r["stdout"]
    assert not os.path.exists("/etc/berth-escape")
