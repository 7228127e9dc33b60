"""Robustness: the per-user cap on concurrent execs (issue 10 item 6,
docs/security.md "Robustness"). Every exec holds an HTTP worker thread until
it ends; before the cap one user (even a superadmin) could start as many
long execs as there are workers and stall everyone else. With
`max_execs_per_user` = 2 the third concurrent exec of a user is a 429
`too_many_execs` with Retry-After, while other users and /health are still
served. Needs root, runc (and a Docker daemon at $BERTH_DOCKER_SOCKET for
the docker case) and the `python` image.

Every client talks only to 127.0.0.1; every loop is bounded in count and
time; the fixture deletes every session and stops berthd."""
import os
import threading
import time

import pytest

from berth_harness import session_berthd_config

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="sessions need root (runc)")

CAP = 2
SLEEP_S = 5


@pytest.fixture(params=["runc", "docker"])
def b(request):
    """A berthd per runtime driver whose config file sets the exec cap."""
    yield from session_berthd_config(request.param, f"max_execs_per_user = {CAP}\n")


def exec_(b, name, argv, token="default", timeout_s=30):
    return b.api("POST", f"/sessions/{name}/exec", {"command": argv, "timeout_s": timeout_s},
                 token=token)


def test_concurrent_execs_per_user_are_capped(b):
    """The superadmin (capped too: the cap protects the worker pool) runs
    CAP `sleep` execs; one more is refused at once with 429 and Retry-After,
    another user's exec and /health still answer, and once the sleeps end
    the superadmin can exec again."""
    assert b.api("POST", "/users", {"name": "other"}).status == 201
    other = b.api("POST", "/users/other/tokens").json()["token"]
    assert b.api("POST", "/sessions", {"name": "cap"}).status == 201
    assert b.api("POST", "/sessions", {"name": "mine"}, token=other).status == 201

    deadline = time.monotonic() + 30
    results = [None] * CAP

    def sleeper(i):
        # Retried while the probe below holds a slot for a moment.
        while time.monotonic() < deadline:
            r = exec_(b, "cap", ["sleep", str(SLEEP_S)])
            if r.status != 429:
                results[i] = r
                return
            time.sleep(0.1)

    threads = [threading.Thread(target=sleeper, args=(i,), daemon=True) for i in range(CAP)]
    for t in threads:
        t.start()
    try:
        # Probe until both sleeps hold their slots (a quick `true` that still
        # finds a free slot just runs); bounded by the deadline.
        refused = None
        while time.monotonic() < deadline:
            r = exec_(b, "cap", ["true"])
            if r.status == 429:
                refused = r
                break
            assert r.status == 200, r
            time.sleep(0.2)
        assert refused is not None, "a third concurrent exec was never refused"
        assert refused.error_code() == "too_many_execs"
        assert int(refused.headers.get("retry-after", "0")) >= 1, refused.headers

        # Meanwhile another user and /health are served promptly.
        t0 = time.monotonic()
        r = exec_(b, "mine", ["echo", "other"], token=other)
        assert r.status == 200, r
        assert r.json()["stdout"] == "other\n"
        assert b.api("GET", "/health", token=None).status == 200
        assert time.monotonic() - t0 < SLEEP_S, "served only after the sleeps ended"
    finally:
        for t in threads:
            t.join(timeout=max(1, deadline - time.monotonic()))
    for r in results:
        assert r is not None and r.status == 200, r
        assert r.json()["exit_code"] == 0

    # The slots came back.
    r = exec_(b, "cap", ["true"])
    assert r.status == 200, r
