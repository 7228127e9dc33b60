"""Issue 10 item 4 (SPEC §3 "User"; docs/security.md): sessions run in a user
namespace. With sudo, root inside a session is host uid 100000 (the
default userns_base), not host root: its files on a folder's disk are
unprivileged, host-only interfaces stay closed, and a privileged port it
binds is one of its own network namespace, never the host's. Folder files still appear owned by
the session user `work` (uid 1000) inside, uploaded ones included.

Each test starts its own berthd and session and deletes the session (and
checks that no mount is left) before it ends. Needs root and the `python`
image; skips otherwise."""
import os
import socket

import pytest

USERNS_BASE = 100000


def exec_in(b, token, argv):
    r = b.api("POST", "/sessions/s/exec", {"command": argv}, token=token)
    assert r.status == 200, r
    return r.json()


def mounts_under(path):
    with open("/proc/self/mountinfo") as f:
        return [line for line in f if path in line]


@pytest.fixture
def session(berthd):
    """alice (sudo allowed) with a folder `data` holding an uploaded file,
    and a running session `s` that mounts it. Yields (berthd, token, host
    path of the folder)."""
    if os.geteuid() != 0:
        pytest.skip("sessions need root")
    if not any(i["name"] == "python" for i in berthd.api("GET", "/images").json()["images"]):
        pytest.skip("no python image")
    b = berthd
    assert b.api("POST", "/users", {"name": "alice", "password": "alice-password"}).status == 201
    assert b.api("PATCH", "/users/alice", {"sudo_allowed": True}).status == 200
    token = b.api("POST", "/users/alice/tokens").json()["token"]
    f = b.api("POST", "/folders", {"name": "data"}, token=token).json()
    r = b.api("PUT", "/folders/data/files/content", b"uploaded\n", token=token,
              query={"path": "up.txt"})
    assert r.status in (200, 201), r
    me = b.api("GET", "/me", token=token).json()
    fid = f["id"]
    path = os.path.join(b.data_dir, "volumes", "local", "u-" + me["id"], fid[:2], fid[2:4], fid[4:])
    r = b.api("POST", "/sessions", {"name": "s", "mounts": [{"folder": "data"}]}, token=token)
    assert r.status == 201, r
    try:
        yield b, token, path
    finally:
        assert b.api("DELETE", "/sessions/s", token=token).status == 204
        assert mounts_under(os.path.realpath(b.data_dir)) == []


def test_uid_map_is_not_the_identity(session):
    b, token, _ = session
    out = exec_in(b, token, ["cat", "/proc/self/uid_map"])
    fields = out["stdout"].split()
    assert fields[:3] == ["0", str(USERNS_BASE), "65536"], out


def test_sudo_root_files_on_a_folder_are_unprivileged_on_the_host(session):
    b, token, path = session
    out = exec_in(b, token, ["sudo", "-n", "touch", "/home/work/data/rootfile"])
    assert out["exit_code"] == 0, out
    st = os.stat(os.path.join(path, "rootfile"))
    assert (st.st_uid, st.st_gid) == (USERNS_BASE, USERNS_BASE)


def test_sudo_root_cannot_reach_sysrq_trigger(session):
    b, token, _ = session
    for argv in (["sudo", "-n", "sh", "-c", "echo h > /proc/sysrq-trigger"],
                 ["sudo", "-n", "cat", "/proc/sysrq-trigger"]):
        out = exec_in(b, token, argv)
        assert out["exit_code"] != 0, (argv, out)


def test_sudo_root_binds_a_privileged_port_only_in_its_own_network(session):
    """Root inside owns the session's own network namespace (issue 12), so it
    may bind port 80 there; the host's port 80 is untouched by it."""
    b, token, _ = session
    host_had_80 = socket.socket().connect_ex(("127.0.0.1", 80)) == 0
    out = exec_in(b, token, ["sudo", "-n", "python3", "-c",
                             "import socket, subprocess; s = socket.socket(); "
                             "s.bind(('127.0.0.1', 80)); s.listen(); "
                             "print(socket.create_connection(('127.0.0.1', 80), 2).getpeername()); "
                             "print(open('/proc/self/net/tcp').read().count(':0050 '))"])
    assert out["exit_code"] == 0, out
    if not host_had_80:
        assert socket.socket().connect_ex(("127.0.0.1", 80)) != 0
    # The host's own port 80 is no business of the session's: unprivileged
    # there, root inside cannot bind it through the host's namespace.
    with open("/proc/self/net/tcp") as f:
        assert (":0050 " in f.read()) == host_had_80


def test_sudo_works_and_system_files_stay_root_owned(session):
    b, token, _ = session
    out = exec_in(b, token, ["sudo", "-n", "id", "-u"])
    assert out["exit_code"] == 0 and out["stdout"] == "0\n", out
    out = exec_in(b, token, ["stat", "-c", "%u:%g %U", "/usr/bin/sudo", "/etc/passwd"])
    assert out["stdout"] == "0:0 root\n0:0 root\n", out


def test_folder_files_are_the_session_users_inside_and_the_owners_outside(session):
    b, token, path = session
    out = exec_in(b, token, ["stat", "-c", "%u %U", "/home/work/data/up.txt", "/home/work/data"])
    assert out["stdout"] == "1000 work\n1000 work\n", out
    out = exec_in(b, token, ["sh", "-c", "echo more >> /home/work/data/up.txt && "
                                         "echo new > /home/work/data/new.txt"])
    assert out["exit_code"] == 0, out
    with open(os.path.join(path, "up.txt")) as f:
        assert f.read() == "uploaded\nmore\n"
    owner = os.stat(path).st_uid
    assert os.stat(os.path.join(path, "new.txt")).st_uid == owner
    assert owner < USERNS_BASE
