"""Issue 10 item 4 (SPEC §3 "User"; docs/security.md): sessions run in a user
namespace. With sudo, root inside a session is host uid 100000 (the
default userns_base), not host root: its files on a folder's disk are
unprivileged, host-only interfaces stay closed, and a privileged port it
binds is one of its own network namespace, never the host's. Folder files still appear owned by
the session user `work` (uid 1000) inside, uploaded ones included.

Both drivers: docker with a daemon started with --userns-remap
(scripts/dockerd.sh does; the docker cases skip against one that does not).

Each test starts its own berthd and session and deletes the session (and
checks that no mount is left) before it ends. Needs root and the `python`
image; skips otherwise."""
import json
import os
import socket

import pytest

from berth_harness import DOCKER_SOCKET, WebSocket, session_berthd

USERNS_BASE = 100000


def docker_remaps():
    """Whether the Docker daemon at DOCKER_SOCKET runs with --userns-remap
    (GET /info lists name=userns in SecurityOptions)."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    try:
        s.connect(DOCKER_SOCKET)
        s.sendall(b"GET /info HTTP/1.0\r\nHost: docker\r\n\r\n")
        data = b""
        for _ in range(1000):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        return False
    finally:
        s.close()
    body = data.partition(b"\r\n\r\n")[2]
    try:
        return "name=userns" in json.loads(body).get("SecurityOptions", [])
    except ValueError:
        return False


def exec_in(b, token, argv):
    r = b.api("POST", "/sessions/s/exec", {"command": argv}, token=token)
    assert r.status == 200, r
    return r.json()


def mounts_under(path):
    with open("/proc/self/mountinfo") as f:
        return [line for line in f if path in line]


@pytest.fixture(params=["runc", "docker"])
def berthd_userns(request):
    """A berthd per driver with the `python` image (else skipped)."""
    if os.geteuid() != 0:
        pytest.skip("sessions need root")
    if request.param == "docker" and os.path.exists(DOCKER_SOCKET) and not docker_remaps():
        pytest.skip(f"the Docker daemon at {DOCKER_SOCKET} runs without --userns-remap")
    yield from session_berthd(request.param)


@pytest.fixture
def session(berthd_userns):
    """alice (sudo allowed) with a folder `data` holding an uploaded file,
    and a running session `s` that mounts it. Yields (berthd, token, host
    path of the folder)."""
    b = berthd_userns
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
    inside = exec_in(b, token, ["readlink", "/proc/self/ns/net"])["stdout"].strip()
    assert inside != os.readlink("/proc/self/ns/net"), inside  # its own network
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


def test_in_the_terminal_sudo_root_writes_a_folder_as_the_unprivileged_base(session):
    """As a user works: the browser terminal's shell, sudo, a file in the
    folder; on the host it is owned by the base id, and `ls` inside shows
    the uploaded file as `work`'s."""
    b, token, path = session
    ws = WebSocket(b.hostport, "/api/v1/sessions/s/terminal?cols=120&rows=30",
                   {"Authorization": "Bearer " + token})
    assert ws.status == 101, ws.head
    try:
        ws.send(b"echo root-uid=$(sudo -n sh -c 'touch /home/work/data/term-root; id -u'); "
                b"stat -c '%U=%u' /home/work/data/up.txt; echo end-$((6*7))\n")
        out = ws.read_until(b"end-42")
        assert b"root-uid=0\r\n" in out, out
        assert b"work=1000" in out, out
    finally:
        ws.close()
    st = os.stat(os.path.join(path, "term-root"))
    assert (st.st_uid, st.st_gid) == (USERNS_BASE, USERNS_BASE)
