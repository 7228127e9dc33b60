"""`session exec` end to end (SPEC §5 `POST /sessions/{name}/exec` with
`Accept: application/x-ndjson`, §6 `berth session exec`), on both drivers:
output streams as it is produced, stdin and stdout are binary-safe, stderr
stays apart, and the CLI exits with the command's own code (124 timeout,
126 cannot run, 127 not found, 125 Berth failed).

Needs root, runc (and a Docker daemon at $BERTH_DOCKER_SOCKET for the docker
case) and the `python` image. Every client talks only to 127.0.0.1; every
loop is bounded in count and time; the fixtures delete every session and
stop berthd."""
import base64
import hashlib
import http.client
import json
import os
import time

import pytest

from berth_harness import err, out, session_berthd, session_berthd_config

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="sessions need root (runc)")

NDJSON = "application/x-ndjson"


def open_stream(b, name, body, timeout=60):
    """POSTs a streamed exec; returns (connection, response) once the
    response header is in. The caller closes the connection."""
    conn = http.client.HTTPConnection(b.hostport, timeout=timeout)
    conn.request("POST", f"/api/v1/sessions/{name}/exec", body=json.dumps(body),
                 headers={"Authorization": "Bearer " + b.token,
                          "Content-Type": "application/json", "Accept": NDJSON})
    return conn, conn.getresponse()


def stream_exec(b, name, body, max_lines=1000, timeout=60):
    """POSTs a streamed exec; returns (status, lines as (arrival time, dict))
    or (status, error body) when the server refused it."""
    conn, r = open_stream(b, name, body, timeout)
    try:
        if r.status != 200:
            return r.status, json.loads(r.read())
        assert r.getheader("Content-Type") == NDJSON
        lines = []
        for _ in range(max_lines):
            raw = r.readline()
            if not raw:
                break
            lines.append((time.monotonic(), json.loads(raw)))
            if "exit_code" in lines[-1][1] or "error" in lines[-1][1]:
                break
        return r.status, lines
    finally:
        conn.close()


def joined(lines, stream):
    return b"".join(base64.b64decode(l["data_b64"]) for _, l in lines if l.get("stream") == stream)


@pytest.fixture(scope="module", params=["runc", "docker"])
def b(request):
    """One berthd per driver for the module, with one session `x`."""
    gen = session_berthd(request.param)
    d = next(gen)
    try:
        assert d.api("POST", "/sessions", {"name": "x"}).status == 201
        yield d
    finally:
        gen.close()


def test_output_streams_before_the_command_ends(b):
    started = time.monotonic()
    status, lines = stream_exec(b, "x", {"command": ["sh", "-c", "echo first; sleep 3; echo second"]})
    assert status == 200, lines
    first = next(t for t, l in lines if l.get("stream") == "stdout")
    end_t, last = lines[-1]
    assert last == {"exit_code": 0}
    assert joined(lines, "stdout") == b"first\nsecond\n"
    # The first line came while the command still slept, well before its end.
    assert end_t - first >= 1.5, (first - started, end_t - started)


def test_binary_stdin_round_trip(b):
    data = bytes([0, 0xff, 0xfe, 0xc3, 0x28]) + os.urandom(251)
    status, lines = stream_exec(b, "x", {"command": ["cat"],
                                         "stdin_b64": base64.b64encode(data).decode()})
    assert status == 200, lines
    assert joined(lines, "stdout") == data
    assert lines[-1][1] == {"exit_code": 0}


def test_stdin_forms_are_checked(b):
    r = b.api("POST", "/sessions/x/exec", {"command": ["cat"], "stdin": "a", "stdin_b64": "YQ=="})
    assert (r.status, r.error_code()) == (400, "invalid_stdin")
    r = b.api("POST", "/sessions/x/exec", {"command": ["cat"], "stdin_b64": "not base64!"})
    assert (r.status, r.error_code()) == (400, "invalid_stdin")
    status, body = stream_exec(b, "nope", {"command": ["true"]})
    assert status == 404 and body["error"]["code"]


def test_stderr_is_separate(b):
    status, lines = stream_exec(b, "x", {"command": ["sh", "-c", "echo out; echo err >&2; exit 3"]})
    assert status == 200, lines
    assert joined(lines, "stdout") == b"out\n"
    assert joined(lines, "stderr") == b"err\n"
    assert lines[-1][1] == {"exit_code": 3}


def test_json_form_is_unchanged(b):
    r = b.api("POST", "/sessions/x/exec", {"command": ["sh", "-c", "echo hi; exit 2"]})
    assert r.status == 200
    assert r.json() == {"exit_code": 2, "stdout": "hi\n", "stderr": "", "timed_out": False}
    r = b.api("POST", "/sessions/x/exec", {"command": ["cat"], "stdin_b64": "aGk="})
    assert r.json()["stdout"] == "hi"


def test_not_found_and_not_runnable_in_the_stream(b):
    status, lines = stream_exec(b, "x", {"command": ["nosuchcmd"]})
    assert status == 200 and lines[-1][1] == {"exit_code": 127}, lines
    assert joined(lines, "stdout") == b""  # the runtime's message is on stderr
    assert joined(lines, "stderr")
    ok_ = b.api("POST", "/sessions/x/exec",
                {"command": ["sh", "-c", "echo x > /tmp/noexec && chmod -x /tmp/noexec"]})
    assert ok_.json()["exit_code"] == 0
    status, lines = stream_exec(b, "x", {"command": ["/tmp/noexec"]})
    assert status == 200 and lines[-1][1] == {"exit_code": 126}, lines


def test_cli_exit_codes(b):
    assert b.cli("session", "exec", "x", "--", "sh", "-c", "exit 3").returncode == 3
    p = b.cli("session", "exec", "x", "--", "nosuchcmd")
    assert p.returncode == 127, err(p)
    b.cli("session", "exec", "x", "--", "sh", "-c", "echo x > /tmp/noexec2; chmod -x /tmp/noexec2",
          check=True)
    p = b.cli("session", "exec", "x", "--", "/tmp/noexec2")
    assert p.returncode == 126, err(p)
    p = b.cli("session", "exec", "nope", "--", "true")
    assert p.returncode == 125
    assert err(p).startswith("error: ")


def test_cli_timeout_ends_promptly(b):
    started = time.monotonic()
    p = b.cli("session", "exec", "x", "--timeout", "1", "--", "sleep", "10")
    took = time.monotonic() - started
    assert p.returncode == 124, err(p)
    assert "timeout of 1 s" in err(p)
    assert took < 8, took


def test_cli_stdout_and_stdin_are_binary(b):
    p = b.cli("session", "exec", "x", "--", "sh", "-c", "head -c 1000 /dev/urandom | tee /tmp/f")
    assert p.returncode == 0, err(p)
    assert len(p.stdout) == 1000
    s = b.cli("session", "exec", "x", "--", "sha256sum", "/tmp/f", check=True)
    assert out(s).split()[0] == hashlib.sha256(p.stdout).hexdigest()
    data = bytes(range(256))
    p = b.cli("session", "exec", "x", "--", "cat", input=data)
    assert (p.returncode, p.stdout) == (0, data)


@pytest.fixture(params=["runc", "docker"])
def capped(request):
    """A berthd whose users may run one exec at a time."""
    yield from session_berthd_config(request.param, "max_execs_per_user = 1\n")


def test_a_streamed_exec_holds_its_slot_until_it_ends(capped):
    """The per-user cap applies for the whole stream: once a streamed exec
    has sent its first line (so it runs), the next exec is a 429; after it
    ended, execs run again."""
    b = capped
    assert b.api("POST", "/sessions", {"name": "c"}).status == 201
    conn, r = open_stream(b, "c", {"command": ["sh", "-c", "echo go; sleep 3"]})
    try:
        assert r.status == 200
        assert json.loads(r.readline())["stream"] == "stdout"
        refused = b.api("POST", "/sessions/c/exec", {"command": ["true"]})
        assert (refused.status, refused.error_code()) == (429, "too_many_execs")
        assert json.loads(r.readline()) == {"exit_code": 0}
    finally:
        conn.close()
    assert b.api("POST", "/sessions/c/exec", {"command": ["true"]}).json()["exit_code"] == 0


def test_a_client_that_goes_away_stops_its_command(capped):
    """Closing the connection mid-stream kills the command (at its next
    output) and frees the exec slot."""
    b = capped
    assert b.api("POST", "/sessions", {"name": "d"}).status == 201
    conn, r = open_stream(b, "d", {"command": ["sh", "-c", "while :; do echo tick; sleep 0.2; done"]})
    assert r.status == 200
    assert json.loads(r.readline())["stream"] == "stdout"
    conn.sock.shutdown(2)
    conn.close()
    freed = None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        freed = b.api("POST", "/sessions/d/exec",
                      {"command": ["sh", "-c", "pgrep -f 'echo [t]ick' | wc -l"]})
        if freed.status == 200:
            break
        time.sleep(0.2)
    assert freed.status == 200, freed
    assert freed.json()["stdout"] == "0\n"
