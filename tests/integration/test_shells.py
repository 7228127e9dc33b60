"""Issue 11: PATH and Berth's environment in every shell a user can start,
driven through the terminal WebSocket as a user types (SPEC §3 "Shells",
"Automount", "Scratch home"): the terminal's login shell, `bash -lc`,
`sh -lc` (dash), in the recipe-built `python` image and in an image
imported from a `docker save` tarball the test makes itself; Homebrew's
prefix from one session in the next; `pip install --user` without flags in
the imported image; the Python-version notice. Both drivers (fixture `b`).
Needs root and the cached `python` image."""
import http.client
import io
import json
import os
import re
import shutil
import socket
import subprocess
import tarfile
import urllib.parse

import pytest

from berth_harness import DOCKER_SOCKET, WebSocket, ok, session_berthd
from test_sessions_api import folder, make_wheel, session, sh

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="sessions need root (runc)")

IMAGE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
BREW = "/home/linuxbrew/.linuxbrew/bin:/home/linuxbrew/.linuxbrew/sbin:/home/work/.linuxbrew/bin"
SPEC_PATH = "/home/work/.local/bin:" + BREW + ":" + IMAGE_PATH


class Terminal:
    """The session's terminal as the web UI opens it; `run` types a line and
    returns what the shell printed up to a marker only the output holds."""

    def __init__(self, b, name):
        self.ws = WebSocket(b.hostport, f"/api/v1/sessions/{name}/terminal?cols=200&rows=50",
                            {"Authorization": "Bearer " + b.token})
        assert self.ws.status == 101, self.ws.head
        self.n = 0
        self.banner = self.run("true")  # what the login shell printed at start

    def run(self, line, timeout=60):
        self.n += 1
        marker = f"END-{self.n}-{self.n * 7}"
        self.ws.send(f"{line}; echo END-{self.n}-$(({self.n}*7))\n".encode())
        out = self.ws.read_until(marker.encode(), timeout=timeout).decode(errors="replace")
        assert marker in out, out
        return out.replace("\r", "")

    def close(self):
        self.ws.close()


def values(out, key):
    """Every `KEY=[value]` the shell printed (not the echoed command line,
    whose value is still `$...`)."""
    return re.findall(re.escape(key) + r"=\[([^$\]\n]*)\]", out)


PRINT_ENV = ('echo "P=[$PATH]"; echo "H=[$HOMEBREW_PREFIX|$HOMEBREW_CELLAR|$HOMEBREW_REPOSITORY]"; '
             'echo "B=[$BERTH_SESSION_NAME|$BERTH_PERSISTENT_PATHS]"; '
             "bash -lc 'echo \"L=[$PATH|$HOMEBREW_PREFIX|$BERTH_SESSION_NAME]\"'; "
             "sh -lc 'echo \"S=[$PATH|$HOMEBREW_PREFIX|$BERTH_SESSION_NAME]\"'")


AUTOMOUNTS = "/home/linuxbrew/.linuxbrew:/home/work/.linuxbrew:/home/work/.local"


def check_env(out, name, persistent=AUTOMOUNTS):
    assert values(out, "P") == [SPEC_PATH], out
    prefix = "/home/linuxbrew/.linuxbrew"
    assert values(out, "H") == [f"{prefix}|{prefix}/Cellar|{prefix}/Homebrew"], out
    assert values(out, "B") == [f"{name}|{persistent}"], out
    assert values(out, "L") == [f"{SPEC_PATH}|{prefix}|{name}"], out
    assert values(out, "S") == [f"{SPEC_PATH}|{prefix}|{name}"], out


def test_terminal_login_shells_get_the_spec_path(b):
    folder(b, ".local")
    folder(b, ".linuxbrew")
    session(b, "shells")
    t = Terminal(b, "shells")
    try:
        assert "Only these paths persist" in t.banner, t.banner
        check_env(t.run(PRINT_ENV), "shells")
        # A nested interactive login shell holds it too, and is not told again.
        out = t.run("bash -l -i -c 'echo \"I=[$PATH]\"'")
        assert values(out, "I") == [SPEC_PATH] and "Only these paths" not in out, out
    finally:
        t.close()
    # exec (no login shell) has the same PATH.
    assert sh(b, "shells", "echo $PATH")["stdout"].strip() == SPEC_PATH


def test_brew_prefix_of_one_session_runs_by_name_in_the_next(b):
    folder(b, ".linuxbrew")
    session(b, "brew1")
    t = Terminal(b, "brew1")
    try:
        t.run("mkdir -p ~/.linuxbrew/bin && for p in brewprobe brew; do "
              "printf '#!/bin/sh\\necho probe-${0##*/}-ran\\n' > ~/.linuxbrew/bin/$p && "
              "chmod +x ~/.linuxbrew/bin/$p; done")
    finally:
        t.close()
    assert b.api("DELETE", "/sessions/brew1").status == 204
    session(b, "brew2")
    t = Terminal(b, "brew2")
    try:
        out = t.run("brewprobe; brew; command -v brewprobe")
        assert "probe-brewprobe-ran" in out and "probe-brew-ran" in out, out
        assert "/home/linuxbrew/.linuxbrew/bin/brewprobe" in out, out
        # At the folder's home target too: with the prefix's bin off PATH,
        # the name still resolves, through /home/work/.linuxbrew/bin.
        out = t.run('PATH=$(echo "$PATH" | sed "s#/home/linuxbrew/.linuxbrew/bin:##") '
                    "sh -c 'command -v brewprobe; brewprobe'")
        assert "/home/work/.linuxbrew/bin/brewprobe" in out and "probe-brewprobe-ran" in out, out
        out = t.run("bash -lc brewprobe; sh -lc brewprobe")
        assert out.count("probe-brewprobe-ran") >= 2, out
    finally:
        t.close()


def test_python_notice_when_local_has_another_version(b):
    folder(b, ".local")
    session(b, "mk")
    sh(b, "mk", "mkdir -p ~/.local/lib/python3.9/site-packages")
    assert b.api("DELETE", "/sessions/mk").status == 204
    session(b, "py")
    t = Terminal(b, "py")
    try:
        assert "this session runs Python 3.11" in t.banner, t.banner
        assert "packages of Python 3.9" in t.banner, t.banner
        assert "/home/work/.local/bin may belong to Python 3.9" in t.banner, t.banner
        # Once: a nested login shell does not repeat it.
        assert "runs Python" not in t.run("bash -l -i -c true")
    finally:
        t.close()
    assert "runs Python 3.11" in sh(b, "py", "cat ~/README-BERTH.txt")["stdout"]


def test_python_notice_between_bookworm_and_trixie(b):
    """A .local used by the bookworm image (3.11), then a trixie (3.13) session."""
    if not any(i["name"] == "python-trixie" for i in b.api("GET", "/images").json()["images"]):
        pytest.skip("no 'python-trixie' image (berthd build-image python-trixie)")
    folder(b, ".local")
    session(b, "b311")
    sh(b, "b311", "mkdir -p ~/.local/lib/python3.11/site-packages")
    t = Terminal(b, "b311")
    try:
        assert "runs Python" not in t.banner, t.banner  # its own version only
    finally:
        t.close()
    session(b, "t313", image="python-trixie")
    t = Terminal(b, "t313")
    try:
        assert "this session runs Python 3.13" in t.banner, t.banner
        assert "packages of Python 3.11 (lib/python3.11)" in t.banner, t.banner
    finally:
        t.close()


# -- imported images --------------------------------------------------------

IMPORTED = "shells-import"


def make_docker_save(rootfs, path):
    """A `docker save` archive of `rootfs` as a plain Debian image would
    have it: PEP 668's marker in place, no pip.conf, no Berth notice hook."""
    layer = str(path) + ".layer.tar"
    subprocess.run(["tar", "-C", rootfs, "--numeric-owner", "--exclude=./etc/pip.conf",
                    "--exclude=./etc/berth", "-cf", layer, "."], check=True, timeout=300)
    marker = b"[externally-managed]\nError=Debian's Python is externally managed.\n"
    with tarfile.open(layer, "a") as t:
        for d in [p for p in os.listdir(os.path.join(rootfs, "usr/lib")) if re.fullmatch(r"python3\.\d+", p)]:
            info = tarfile.TarInfo(f"./usr/lib/{d}/EXTERNALLY-MANAGED")
            info.size = len(marker)
            info.mode = 0o644
            t.addfile(info, io.BytesIO(marker))
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "config": {"Env": ["PATH=" + IMAGE_PATH], "Cmd": ["/bin/bash"]},
                         "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    manifest = json.dumps([{"Config": "config.json", "RepoTags": [IMPORTED + ":latest"],
                            "Layers": ["layer.tar"]}]).encode()
    with tarfile.open(path, "w") as t:
        for name, data in (("manifest.json", manifest), ("config.json", config)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        t.add(layer, "layer.tar")
    os.unlink(layer)


def docker_remove_images(prefix):
    """Removes the private dockerd's images named `prefix`* (what the docker
    driver imported for this test)."""
    if not os.path.exists(DOCKER_SOCKET):
        return

    class Conn(http.client.HTTPConnection):
        def connect(self):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(60)
            self.sock.connect(DOCKER_SOCKET)

    c = Conn("localhost")
    c.request("GET", "/images/json")
    for img in json.loads(c.getresponse().read() or b"[]"):
        for tag in img.get("RepoTags") or []:
            if IMPORTED in tag:
                c.request("DELETE", "/images/" + urllib.parse.quote(tag, safe="") + "?force=1")
                c.getresponse().read()
    c.close()


@pytest.fixture(params=["runc", "docker"])
def bi(request, tmp_path_factory):
    """A berthd per driver with a private images dir holding only an image
    imported from a docker-save tarball of the cached `python` rootfs."""
    src = os.path.join(os.environ.get("BERTH_IMAGES_DIR", "/var/cache/berth-test/images"),
                       "python", "rootfs")
    if not os.path.isdir(src):
        pytest.skip("no cached 'python' image rootfs (BERTH_IMAGES_DIR)")
    tmp = tmp_path_factory.mktemp("imported")
    images = tmp / "images"
    images.mkdir()
    gen = session_berthd(request.param, ["--images-dir", str(images)], need_image=None)
    try:
        d = next(gen)
        tarball = tmp / "debian-python.tar"
        make_docker_save(src, tarball)
        ok(d, "image", "import", IMPORTED, str(tarball))
        tarball.unlink()
        yield d
    finally:
        gen.close()  # deletes every session, stops berthd
        shutil.rmtree(tmp, ignore_errors=True)
        if request.param == "docker":
            docker_remove_images(IMPORTED)


def test_imported_image_terminal_path_notice_and_pip(bi, tmp):
    b = bi
    folder(b, ".local")
    folder(b, ".linuxbrew")
    folder(b, "pkgs")
    whl = tmp / "tinyberth-1.0-py3-none-any.whl"
    make_wheel(whl)
    assert b.api("PUT", "/folders/pkgs/files/content", whl.read_bytes(),
                 query={"path": whl.name}).status == 201
    s = session(b, "imp", [{"folder": "pkgs"}], image=IMPORTED)
    assert s["image"] == IMPORTED
    t = Terminal(b, "imp")
    try:
        assert "Only these paths persist" in t.banner, t.banner  # no bash.bashrc hook here
        check_env(t.run(PRINT_ENV), "imp", AUTOMOUNTS + ":/home/work/pkgs")
        out = t.run(f"cd ~/pkgs && pip install --user {whl.name} >/dev/null 2>&1; "
                    "echo \"R=[$?]\"; cd; tinyhello")
        assert values(out, "R") == ["0"], out
        assert "tiny says hi" in out, out
    finally:
        t.close()
    # The stored rootfs still has the marker: only the session's env differs.
    r = sh(b, "imp", "ls /usr/lib/python3*/EXTERNALLY-MANAGED && echo $PIP_BREAK_SYSTEM_PACKAGES")
    assert r["exit_code"] == 0 and r["stdout"].strip().endswith("1"), r
