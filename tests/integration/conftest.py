import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from berth_harness import Berthd  # noqa: E402


@pytest.fixture
def berthd():
    d = Berthd().start()
    try:
        yield d
    finally:
        d.stop()


@pytest.fixture
def tmp(tmp_path):
    return tmp_path


DOCKER_SOCKET = os.environ.get("BERTH_DOCKER_SOCKET", "/run/berth-dockerd.sock")


@pytest.fixture(params=["runc", "docker"])
def b(request):
    """A berthd per runtime driver, with the `python` image (else skipped):
    both drivers pass the same tests. Deletes its sessions at the end."""
    args = []
    if request.param == "docker":
        if not os.path.exists(DOCKER_SOCKET):
            pytest.skip(f"no Docker daemon at {DOCKER_SOCKET} (scripts/dockerd.sh start)")
        args = ["--runtime", "docker", "--docker-socket", DOCKER_SOCKET]
    d = Berthd(args).start()
    d.driver = request.param
    try:
        images = d.api("GET", "/images").json().get("images", [])
        if not any(i["name"] == "python" for i in images):
            pytest.skip("no 'python' image (set BERTH_IMAGES_DIR or run berthd build-image)")
        yield d
    finally:
        # Leave nothing running, of any user, even if the test failed half-way.
        if d.proc and d.proc.poll() is None:
            for s in d.api("GET", "/sessions", query={"all": "true"}).json()["sessions"]:
                d.api("DELETE", f"/sessions/{s['id']}")
        d.stop()
