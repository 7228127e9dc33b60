"""Compute sessions over REST against a real berthd with the runc driver
(SPEC §3): the seed story, automount folders, mount rules, privileges,
terminals and reconciliation after a crash. Needs root, runc and the
`python` image (scripts/test.sh builds it into $BERTH_IMAGES_DIR)."""
import io
import json
import os
import subprocess
import zipfile

import pytest

from berth_harness import WebSocket  # the fixture `b` is in conftest.py

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="sessions need root (runc)")


def folder(b, name):
    r = b.api("POST", "/folders", {"name": name})
    assert r.status == 201, r
    return r.json()


def session(b, name, mounts=(), **kw):
    r = b.api("POST", "/sessions", {"name": name, "mounts": list(mounts), **kw})
    assert r.status == 201, r
    return r.json()


def sh(b, name, script, **kw):
    r = b.api("POST", f"/sessions/{name}/exec", {"command": ["bash", "-c", script], **kw})
    assert r.status == 200, r
    return r.json()


def test_seed_story(b):
    folder(b, "user1-ml-test")
    folder(b, "user2-vfolder")
    s = session(b, "seed", [{"folder": "user1-ml-test"}, {"folder": "user2-vfolder"}])
    assert s["status"] == "running"
    assert {m["target"] for m in s["mounts"]} >= {"/home/work/user1-ml-test", "/home/work/user2-vfolder"}
    out = sh(b, "seed", "cd /home/work && ls")["stdout"].split()
    assert "user1-ml-test" in out and "user2-vfolder" in out
    r = sh(b, "seed", 'cd /home/work && echo "file inside user2-vfolder" > user2-vfolder/test_file'
                      ' && ls user2-vfolder && cat user2-vfolder/test_file && echo scratch > notes.txt')
    assert r["exit_code"] == 0 and "file inside user2-vfolder" in r["stdout"]
    info = b.api("GET", "/sessions/seed").json()
    assert info["persistent_paths"] == sorted(info["persistent_paths"])
    assert b.api("DELETE", "/sessions/seed").status == 204
    assert b.api("GET", "/sessions/seed").status == 404
    got = b.api("GET", "/folders/user2-vfolder/files/content", query={"path": "test_file"})
    assert got.body == b"file inside user2-vfolder\n"
    # Outside the folders nothing persists.
    session(b, "seed2", [{"folder": "user2-vfolder"}])
    r = sh(b, "seed2", "ls /home/work; test -e /home/work/notes.txt && echo LEAKED || echo gone")
    assert "gone" in r["stdout"] and "README-BERTH.txt" in r["stdout"]


def test_scratch_home_notice_and_env(b):
    folder(b, "data")
    session(b, "env", [{"folder": "data"}])
    r = sh(b, "env", 'echo "$BERTH_SESSION_NAME|$BERTH_PERSISTENT_PATHS|$HOME|$(id -u)|$(hostname)"'
                     '; cat /home/work/README-BERTH.txt')
    first = r["stdout"].splitlines()[0]
    assert first == "env|/home/work/data|/home/work|1000|env"
    assert "/home/work/data" in r["stdout"]
    r = sh(b, "env", "bash -ic 'true' 2>&1")
    assert "/home/work/data" in r["stdout"]  # interactive shells say what persists


def make_wheel(path):
    """A tiny pure-Python wheel with a module and a console script."""
    files = {
        "tinyberth/__init__.py": "def hello():\n    print('tiny says hi')\n",
        "tinyberth-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: tinyberth\nVersion: 1.0\n",
        "tinyberth-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        "tinyberth-1.0.dist-info/entry_points.txt": "[console_scripts]\ntinyhello = tinyberth:hello\n",
    }
    record = "".join(f"{n},,\n" for n in files) + "tinyberth-1.0.dist-info/RECORD,,\n"
    files["tinyberth-1.0.dist-info/RECORD"] = record
    with zipfile.ZipFile(path, "w") as z:
        for n, c in files.items():
            z.writestr(n, c)


def test_local_automount_keeps_pip_user_packages(b, tmp):
    folder(b, ".local")
    folder(b, "pkgs")
    whl = tmp / "tinyberth-1.0-py3-none-any.whl"
    make_wheel(whl)
    r = b.api("PUT", "/folders/pkgs/files/content", whl.read_bytes(),
              query={"path": whl.name})
    assert r.status == 201
    s = session(b, "pip1", [{"folder": "pkgs"}])
    assert any(m["folder"] == ".local" and m["automount"] for m in s["mounts"])
    r = sh(b, "pip1", f"cd /home/work/pkgs && pip install --user {whl.name}")
    assert r["exit_code"] == 0, r
    b.api("DELETE", "/sessions/pip1")
    session(b, "pip2")  # no explicit mounts: .local comes by itself
    r = sh(b, "pip2", "python3 -c 'import tinyberth; tinyberth.hello()' && tinyhello && echo $PATH")
    assert r["exit_code"] == 0, r
    assert r["stdout"].count("tiny says hi") == 2
    assert r["stdout"].strip().splitlines()[-1].startswith("/home/work/.local/bin")


def test_linuxbrew_automount(b):
    folder(b, ".linuxbrew")
    session(b, "brew1")
    r = sh(b, "brew1", "mkdir -p ~/.linuxbrew/bin && printf '#!/bin/sh\\necho brewed\\n' > "
                       "~/.linuxbrew/bin/brewhello && chmod +x ~/.linuxbrew/bin/brewhello")
    assert r["exit_code"] == 0, r
    b.api("DELETE", "/sessions/brew1")
    session(b, "brew2")
    r = sh(b, "brew2", "brewhello && ls /home/linuxbrew/.linuxbrew/bin")
    assert r["stdout"].split() == ["brewed", "brewhello"], r


def test_no_automount(b):
    folder(b, ".local")
    s = session(b, "plain", automount=False)
    assert s["mounts"] == []
    assert "No folder is mounted" in sh(b, "plain", "bash -ic true 2>&1")["stdout"]


def test_ro_mount_privileges_and_isolation(b, tmp):
    folder(b, "ro-data")
    folder(b, "hidden")
    b.api("PUT", "/folders/ro-data/files/content", b"keep", query={"path": "f.txt"})
    session(b, "priv", [{"folder": "ro-data", "permission": "ro"}])
    r = sh(b, "priv", "echo x > /home/work/ro-data/f.txt")
    assert r["exit_code"] != 0 and "Read-only file system" in r["stderr"]
    assert sh(b, "priv", "cat /home/work/ro-data/f.txt")["stdout"] == "keep"
    assert sh(b, "priv", "id -u")["stdout"].strip() == "1000"
    r = sh(b, "priv", "sudo -n true")
    assert r["exit_code"] != 0
    r = sh(b, "priv", "ls /home/work; cat /proc/self/status | grep CapEff")
    assert "hidden" not in r["stdout"]
    assert "0000000000000000" in r["stdout"]
    r = sh(b, "priv", "env; ls / /home")
    assert b.data_dir not in r["stdout"]


@pytest.mark.parametrize("mounts,status,code", [
    ([{"folder": "nope"}], 404, None),
    ([{"folder": "m1", "target": "/etc/x"}], 400, None),
    ([{"folder": "m1", "target": "/home/work"}], 400, None),
    ([{"folder": "m1", "target": "/usr/lib/x"}], 400, None),
    ([{"folder": "m1", "target": "/"}], 400, None),
    ([{"folder": "m1", "target": "a/../../etc"}], 400, None),
    ([{"folder": "m1", "target": "x"}, {"folder": "m2", "target": "x"}], 400, None),
    ([{"folder": "m1", "target": "/data"}, {"folder": "m2", "target": "/data/inner"}], 400, None),
    ([{"folder": "m1", "target": ".local"}], 400, None),
    ([{"folder": "trashed"}], 400, None),
    ([{"folder": "m1", "permission": "rx"}], 400, None),
    ([{"folder": "m1", "colour": "red"}], 400, "unknown_field"),
    ("m1", 400, "invalid_field"),
])
def test_bad_mounts_are_refused_and_leave_nothing(b, mounts, status, code):
    folder(b, "m1")
    folder(b, "m2")
    folder(b, ".local")
    folder(b, "trashed")
    b.api("DELETE", "/folders/trashed")
    r = b.api("POST", "/sessions", {"name": "bad", "mounts": mounts})
    assert r.status == status, r
    if code:
        assert r.error_code() == code
    assert r.json()["error"]["message"]
    assert b.api("GET", "/sessions").json()["sessions"] == []
    sessions_dir = os.path.join(b.data_dir, "sessions")
    assert not os.path.isdir(sessions_dir) or os.listdir(sessions_dir) == []


@pytest.mark.parametrize("body,code", [
    ({"name": "Bad_Name"}, "invalid_session_name"),
    ({"name": "-x"}, "invalid_session_name"),
    ({"image": "nope"}, "image_not_found"),
    ({"image": "../etc"}, "invalid_image_name"),
    ({"resources": {"cpu": -1}}, "invalid_resources"),
    ({"resources": {"memory_bytes": 5}}, "invalid_resources"),
    ({"env": {"BERTH_X": "1"}}, "invalid_env"),
    ({"env": {"1X": "1"}}, "invalid_env"),
    ({"automount": "yes"}, "invalid_field"),
    # One host has no GPUs and one resource group, "default" (SPEC §5, §9).
    ({"resources": {"gpus": 1}}, "resources_unavailable"),
    ({"resources": {"gpus": 65}}, "invalid_resources"),
    ({"resource_group": "gpu"}, "unknown_resource_group"),
    ({"resource_group": "a b"}, "invalid_resource_group"),
])
def test_bad_session_requests(b, body, code):
    r = b.api("POST", "/sessions", body)
    assert 400 <= r.status < 500, r
    assert r.error_code() == code, r
    assert b.api("GET", "/sessions").json()["sessions"] == []


def test_one_host_is_the_one_resource_group_default(b):
    r = b.api("GET", "/resource-groups")
    assert r.status == 200, r
    groups = r.json()["resource_groups"]
    assert [(g["name"], g["default"]) for g in groups] == [("default", True)], groups
    r = b.api("POST", "/sessions", {"name": "g", "resource_group": "default",
                                    "resources": {"gpus": 0}})
    assert r.status == 201, r
    s = r.json()
    assert s["status"] == "running" and s["node"] is None, s
    assert s["resource_group"] == "default", s
    assert b.api("DELETE", "/sessions/g").status == 204


def test_same_folder_twice_is_merged_and_names_are_unique(b):
    folder(b, "twice")
    s = session(b, "merge", [{"folder": "twice"}, {"folder": "twice"}])
    assert [m["folder"] for m in s["mounts"]] == ["twice"]
    r = b.api("POST", "/sessions", {"name": "merge"})
    assert r.status == 409 and r.error_code() == "session_exists"


def test_folder_in_use_cannot_be_deleted(b):
    folder(b, "busy")
    session(b, "user", [{"folder": "busy"}])
    r = b.api("DELETE", "/folders/busy")
    assert r.status == 409 and "user" in r.json()["error"]["message"]
    b.api("DELETE", "/sessions/user")
    assert b.api("DELETE", "/folders/busy").status == 200


def test_exec_details(b):
    session(b, "ex")
    r = b.api("POST", "/sessions/ex/exec", {"command": ["sh", "-c", "cat; echo err >&2; exit 7"],
                                             "stdin": "piped"}).json()
    assert (r["exit_code"], r["stdout"], r["stderr"]) == (7, "piped", "err\n")
    r = b.api("POST", "/sessions/ex/exec", {"command": ["sleep", "30"], "timeout_s": 1}).json()
    assert r["timed_out"] and r["exit_code"] == 124
    assert b.api("POST", "/sessions/ex/exec", {"command": []}).status == 400
    assert b.api("POST", "/sessions/ex/exec", {"command": "ls"}).status == 400
    assert b.api("POST", "/sessions/nope/exec", {"command": ["ls"]}).status == 404
    r = b.api("POST", "/sessions/ex/exec", {"command": ["no-such-binary"]}).json()
    assert r["exit_code"] == 127
    assert b.api("GET", "/sessions/ex/logs").status == 200


def test_terminal_websocket(b):
    session(b, "term")
    path = "/api/v1/sessions/term/terminal?cols=100&rows=30"
    ws = WebSocket(b.hostport, path, {"Authorization": "Bearer " + b.token})
    assert ws.status == 101, ws.head
    try:
        ws.send(b"stty size; echo hi-$((6*7))\n")
        out = ws.read_until(b"hi-42")
        assert b"30 100" in out
        ws.send(json.dumps({"type": "resize", "cols": 120, "rows": 40}), opcode=1)
        ws.send(b"stty size; echo done-$((1+1))\n")
        assert b"40 120" in ws.read_until(b"done-2")
        ws2 = WebSocket(b.hostport, path, {"Authorization": "Bearer " + b.token})
        assert ws2.status == 101  # several terminals at once
        ws2.send(b"echo second-$((2+2))\n")
        assert b"second-4" in ws2.read_until(b"second-4")
        ws2.close()
        ws.send(b"exit\n")
        ws.read_until(b"\x00never", timeout=10)
        assert ws.closed
    finally:
        ws.close()
    assert WebSocket(b.hostport, path, {}).status == 401
    assert WebSocket(b.hostport, "/api/v1/sessions/nope/terminal",
                     {"Authorization": "Bearer " + b.token}).status == 404


def test_kill9_then_restart_adopts_sessions_and_cleans_up(b):
    folder(b, "keep")
    for n in ("a1", "a2", "a3"):
        session(b, n, [{"folder": "keep"}])
        sh(b, n, f"echo {n} > /home/work/keep/{n}")
    b.kill()  # SIGKILL: no chance to clean up
    b.start()
    names = sorted(s["name"] for s in b.api("GET", "/sessions").json()["sessions"])
    assert names == ["a1", "a2", "a3"]
    for n in names:
        assert sh(b, n, f"cat /home/work/keep/{n}")["stdout"] == f"{n}\n"
        assert b.api("DELETE", f"/sessions/{n}").status == 204
    mounts = open("/proc/self/mountinfo").read()
    assert b.data_dir not in mounts
    assert os.listdir(os.path.join(b.data_dir, "sessions")) == []
    containers = os.path.join(b.data_dir, "containers")
    assert not os.path.isdir(containers) or os.listdir(containers) == []


def test_restart_removes_leftovers_of_unknown_sessions(b):
    session(b, "gone")
    sid = b.api("GET", "/sessions/gone").json()["id"]
    b.kill()
    # Forget the session behind berthd's back, as if the database lost it.
    subprocess.run(["sqlite3", os.path.join(b.data_dir, "berth.db"),
                    f"DELETE FROM sessions WHERE id='{sid}'"], check=False)
    if subprocess.run(["which", "sqlite3"], capture_output=True).returncode != 0:
        pytest.skip("sqlite3 CLI not installed")
    b.start()
    assert b.api("GET", "/sessions").json()["sessions"] == []
    assert b.data_dir not in open("/proc/self/mountinfo").read()
    assert not os.path.exists(os.path.join(b.data_dir, "sessions", sid))


def test_two_python_versions(b, tmp):
    """The trixie image (Python 3.13) next to the default one (3.11), both
    with the same automounted .local (the user guide's warning case)."""
    if not any(i["name"] == "python-trixie" for i in b.api("GET", "/images").json()["images"]):
        pytest.skip("no 'python-trixie' image (berthd build-image python-trixie)")
    folder(b, ".local")
    folder(b, "pkgs")
    whl = tmp / "tinyberth-1.0-py3-none-any.whl"
    make_wheel(whl)
    b.api("PUT", "/folders/pkgs/files/content", whl.read_bytes(), query={"path": whl.name})
    session(b, "py313", [{"folder": "pkgs"}], image="python-trixie")
    r = sh(b, "py313", "python3 -c 'import sys; print(sys.version_info[:2])'")
    assert r["stdout"].strip() == "(3, 13)", r
    r = sh(b, "py313", f"cd /home/work/pkgs && pip install --user {whl.name} && tinyhello")
    assert r["exit_code"] == 0 and "tiny says hi" in r["stdout"], r
    session(b, "py311")
    r = sh(b, "py311", "python3 -c 'import sys; print(sys.version_info[:2])'; ls ~/.local/lib")
    assert r["stdout"].split("\n")[0] == "(3, 11)" and "python3.13" in r["stdout"], r
