"""Robustness: session resource limits (issue 10 item 5, SPEC §3 "Limits",
§5 PATCH /users limits), on both runtime drivers. Each test is an attack a
user could mount on a shared host with the limits berthd had before: a
memory hog in a session that asked for no limit, a fork bomb, more sessions
than the host holds, a request for more cpu/memory than the host has, and a
session flooding its container log. Needs root, runc (and a Docker daemon at
$BERTH_DOCKER_SOCKET for the docker cases) and the `python` image.

Every loop is bounded in count and time; every test cleans up (the fixture
deletes every session and stops berthd)."""
import http.client
import json
import os
import socket
import threading
import time

import pytest

from berth_harness import DOCKER_SOCKET, session_berthd

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="sessions need root (runc)")

MiB = 1 << 20
DEFAULT_MEMORY = 128 * MiB
MAX_MEMORY = 1024 * MiB
LOG_CAP = 2 * MiB
LIMIT_FLAGS = [
    "--default-memory-bytes", str(DEFAULT_MEMORY), "--max-memory-bytes", str(MAX_MEMORY),
    "--default-cpu", "1", "--max-cpu", "2", "--default-pids", "512", "--max-pids", "1024",
    "--max-sessions-per-user", "4", "--container-log-max-bytes", str(LOG_CAP),
]


@pytest.fixture(params=["runc", "docker"])
def b(request):
    """A berthd per runtime driver with small deployment limits."""
    yield from session_berthd(request.param, LIMIT_FLAGS)


def user(b, name, limits=None):
    """Creates user `name` (with `limits` set by the superadmin); its token."""
    assert b.api("POST", "/users", {"name": name}).status == 201
    if limits is not None:
        r = b.api("PATCH", f"/users/{name}", {"limits": limits})
        assert r.status == 200, r
    return b.api("POST", f"/users/{name}/tokens").json()["token"]


def session(b, name, token="default", **kw):
    r = b.api("POST", "/sessions", {"name": name, **kw}, token=token)
    assert r.status == 201, r
    return r.json()


def run(b, name, argv, token="default", timeout_s=60):
    r = b.api("POST", f"/sessions/{name}/exec", {"command": argv, "timeout_s": timeout_s},
              token=token)
    assert r.status == 200, r
    return r.json()


def test_memory_hog_without_a_limit_is_oom_killed_in_its_own_session_only(b):
    hog = session(b, "hog")  # asks for no memory limit: gets the default
    session(b, "calm")
    r = run(b, "hog", ["python3", "-c", "b = bytearray(512 << 20); print(len(b))"])
    assert r["exit_code"] != 0, r  # OOM-killed (137), never "536870912"
    assert "536870912" not in r["stdout"]
    assert hog["resources"]["memory_bytes"] == DEFAULT_MEMORY
    assert hog["resources"]["cpu"] == 1
    assert b.api("GET", "/health").status == 200
    assert run(b, "hog", ["echo", "still here"])["stdout"] == "still here\n"
    assert run(b, "calm", ["echo", "fine"])["stdout"] == "fine\n"
    assert b.api("GET", "/sessions/calm").json()["status"] == "running"


FORK_BOMB = """
import os, time
children, failed = [], 0
for _ in range(5000):
    try:
        pid = os.fork()
    except OSError:
        failed += 1
        if failed >= 50:
            break
        continue
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    children.append(pid)
print(len(children), failed, flush=True)
time.sleep(3)  # hold the pids while the test checks that berthd answers
for pid in children:
    os.kill(pid, 9)
for pid in children:
    os.waitpid(pid, 0)
"""


def test_fork_bomb_hits_the_users_pids_limit_while_berthd_answers(b):
    tok = user(b, "bomber", {"max_pids": 64})
    assert b.api("GET", "/me", token=tok).json()["limits"]["max_pids"] == 64
    session(b, "bomb", token=tok)
    result = {}
    t = threading.Thread(target=lambda: result.update(
        run(b, "bomb", ["python3", "-c", FORK_BOMB], token=tok, timeout_s=90)))
    t.start()
    deadline = time.time() + 120
    answered = 0
    while t.is_alive() and time.time() < deadline:
        assert b.api("GET", "/health").status == 200
        assert b.api("GET", "/sessions").status == 200
        answered += 1
        time.sleep(0.2)
    t.join(timeout=max(1, deadline - time.time()))
    assert not t.is_alive(), "the fork bomb did not end"
    assert answered > 0
    forked, failed = (int(x) for x in result["stdout"].split())
    assert forked < 64 and failed > 0, result
    assert run(b, "bomb", ["echo", "alive"], token=tok)["stdout"] == "alive\n"


def test_session_cap_per_user_is_403(b):
    tok = user(b, "greedy", {"max_sessions": 2})
    me = b.api("GET", "/me", token=tok).json()
    assert me["limits"]["max_sessions"] == 2
    listed = {u["name"]: u for u in b.api("GET", "/users").json()["users"]}
    assert listed["greedy"]["limits"]["max_sessions"] == 2
    assert listed["admin"]["limits"]["max_sessions"] == 4  # the deployment's
    session(b, "g1", token=tok)
    session(b, "g2", token=tok)
    r = b.api("POST", "/sessions", {"name": "g3"}, token=tok)
    assert r.status == 403 and r.error_code() == "session_limit", r
    assert len(b.api("GET", "/sessions", token=tok).json()["sessions"]) == 2
    # A user cannot lift their own cap.
    r = b.api("PATCH", "/users/greedy", {"limits": {"max_sessions": 100}}, token=tok)
    assert r.status == 403, r
    # Deleting one frees a slot.
    assert b.api("DELETE", "/sessions/g1", token=tok).status == 204
    session(b, "g3", token=tok)


def test_requests_over_the_maximum_are_400(b):
    r = b.api("POST", "/sessions", {"name": "big-cpu", "resources": {"cpu": 1000}})
    assert r.status == 400 and r.error_code() == "limit_exceeded", r
    r = b.api("POST", "/sessions", {"name": "big-mem", "resources": {"memory_bytes": 2 * MAX_MEMORY}})
    assert r.status == 400 and r.error_code() == "limit_exceeded", r
    assert b.api("GET", "/sessions").json()["sessions"] == []
    # A superadmin's override lets one user go higher than the deployment.
    # (cpu stays at the host's 2: Docker refuses more CPUs than the host has.)
    tok = user(b, "bigger", {"max_memory_bytes": 2 * MAX_MEMORY, "max_cpu": 4})
    assert b.api("GET", "/me", token=tok).json()["limits"]["max_cpu"] == 4
    s = session(b, "big", token=tok, resources={"memory_bytes": 2 * MAX_MEMORY})
    assert s["resources"]["memory_bytes"] == 2 * MAX_MEMORY
    # Bad overrides are refused.
    r = b.api("PATCH", "/users/bigger", {"limits": {"max_pids": 0}})
    assert r.status == 400, r
    r = b.api("PATCH", "/users/bigger", {"limits": {"max_gpus": 1}})
    assert r.status == 400, r


def docker_log_path(container_id):
    """LogPath of the berth container whose session id is `container_id`."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(DOCKER_SOCKET)
    conn = http.client.HTTPConnection("localhost", timeout=30)
    conn.sock = s
    try:
        conn.request("GET", "/containers/json?all=1")
        for c in json.loads(conn.getresponse().read()):
            if any(n.endswith(container_id) for n in c["Names"]):
                conn.request("GET", f"/containers/{c['Id']}/json")
                return json.loads(conn.getresponse().read())["LogPath"]
    finally:
        conn.close()
    raise AssertionError("no docker container for " + container_id)


@pytest.fixture(params=["runc", "docker"])
def b_shared_stdout(request, tmp_path):
    """Like `b`, but runc sessions without a user namespace: the test floods
    the container log through /proc/1/fd/1, which the session user may
    reopen only when the log's owner is mapped into the session (the log
    cap itself does not depend on user namespaces)."""
    config = tmp_path / "berthd.toml"
    config.write_text("userns_size = 0\n")
    yield from session_berthd(request.param, LIMIT_FLAGS + ["--config", str(config)])


def test_container_log_flood_stays_under_the_cap(b_shared_stdout):
    b = b_shared_stdout
    s = session(b, "chatty")
    flood = "yes 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' | head -c 20M > /proc/1/fd/1"
    r = run(b, "chatty", ["bash", "-c", flood])
    assert r["exit_code"] == 0, r
    if b.driver == "runc":
        path = os.path.join(b.data_dir, "containers", s["id"], "container.log")
    else:
        path = docker_log_path(s["id"])
    slack = 64 * 1024  # Docker's last partial entry; the runc driver's trim interval

    def size():
        try:
            return os.path.getsize(path)
        except FileNotFoundError:  # Docker is rotating it (max-file=1) just now
            return None

    deadline = time.time() + 15
    while (size() is None or size() > LOG_CAP + slack) and time.time() < deadline:
        time.sleep(0.25)
    final = size()
    assert final is not None and final <= LOG_CAP + slack, final
    logs = b.api("GET", "/sessions/chatty/logs")
    assert logs.status == 200 and 0 < len(logs.body) <= LOG_CAP
