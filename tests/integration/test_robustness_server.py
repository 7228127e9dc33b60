"""No single user can stall berthd through the HTTP server or a terminal
(issue 10, items 1, 6 and 9; docs/security.md "Robustness"): terminal
floods, malformed and oversized WebSocket frames, many /events streams,
unbounded exec timeouts, and more connections than the per-address cap.

Every client talks only to 127.0.0.1 (one test connects *from* 127.0.0.2,
still on loopback). Every loop is bounded in count and time."""
import http.client
import json
import os
import socket
import struct
import threading
import time

import pytest

from berth_harness import Berthd, WebSocket

# A request that needs an answer "within a few seconds" while under attack.
PROMPT_S = 5


def timed(b, method, path, token="default", source=None, timeout=PROMPT_S):
    """(status, seconds) of one request that must answer within `timeout`."""
    t0 = time.monotonic()
    conn = http.client.HTTPConnection(b.hostport, timeout=timeout, source_address=source)
    try:
        h = {"Authorization": "Bearer " + (b.token if token == "default" else token)}
        conn.request(method, "/api/v1" + path, headers=h)
        r = conn.getresponse()
        r.read()
        return r.status, time.monotonic() - t0
    finally:
        conn.close()


def close_code(ws, timeout=10):
    """Reads frames until the server's close frame; its code, or None."""
    ws.sock.settimeout(timeout)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            op, data = ws.recv()
            if op == 8:
                return struct.unpack("!H", data[:2])[0] if len(data) >= 2 else None
    except (OSError, EOFError):
        return None
    return None


def terminal(b, name):
    ws = WebSocket(b.hostport, f"/api/v1/sessions/{name}/terminal",
                   {"Authorization": "Bearer " + b.token})
    assert ws.status == 101, ws.head
    return ws


@pytest.fixture
def shell(b):
    """`b` (a berthd per runtime driver: the docker driver's terminal is a
    socket, runc's a PTY) with one running session "rob"."""
    if os.geteuid() != 0:
        pytest.skip("sessions need root (runc)")
    r = b.api("POST", "/sessions", {"name": "rob"})
    assert r.status == 201, r
    return b


def test_terminal_input_flood_does_not_stall_the_server(shell):
    """Two terminals type into shells that stopped reading (`sleep 100000`)
    until the PTYs' input buffers are full; every other request still
    answers. Before: PTY writes blocked the I/O threads, /health froze."""
    b = shell
    assert b.api("POST", "/folders", {"name": "data"}).status == 201
    sockets = [terminal(b, "rob") for _ in range(2)]
    stop = threading.Event()
    sent = [0, 0]

    # One 4 KiB binary frame, built once: an all-zero mask leaves the
    # payload as is, so the flood is as fast as the socket. (Small frames:
    # each one used to hold an I/O thread for up to a second.)
    payload = b"x" * 4096
    frame = struct.pack("!BBH", 0x82, 0x80 | 126, len(payload)) + b"\0\0\0\0" + payload

    def flood(i, ws):
        ws.send(b"sleep 100000\n")
        ws.sock.settimeout(0.5)
        view = memoryview(frame)
        for _ in range(16384):  # at most 64 MiB per socket
            off = 0
            while off < len(frame):  # a frame is sent whole, or the stream breaks
                if stop.is_set():
                    return
                try:
                    off += ws.sock.send(view[off:])
                except socket.timeout:
                    continue  # the server stopped reading: back-pressure, as it should
                except OSError:
                    return
            sent[i] += len(payload)

    threads = [threading.Thread(target=flood, args=(i, ws), daemon=True)
               for i, ws in enumerate(sockets)]
    for t in threads:
        t.start()
    try:
        time.sleep(2)  # the PTYs' input buffers (a few KiB) fill in well under that
        for _ in range(5):
            for path in ("/health", "/folders"):
                status, took = timed(b, "GET", path)
                assert status == 200 and took < 2, (path, status, took)
            time.sleep(0.5)
        assert min(sent) > 64 << 10, sent  # more than the PTY and the input queue hold
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=10)
        for ws in sockets:
            ws.close()
    assert timed(b, "GET", "/health")[0] == 200
    # A fresh terminal still works.
    ws = terminal(b, "rob")
    try:
        ws.send(b"echo ok-$((40+2))\n")
        assert b"ok-42" in ws.read_until(b"ok-42", timeout=20)
    finally:
        ws.close()


@pytest.mark.parametrize("frame", [
    '{"type":0}',
    "not json",
    '{"type":"nope"}',
    '{"type":"resize","cols":0,"rows":24}',
    '{"type":"resize","cols":80,"rows":100000}',
    '{"type":"resize","cols":"80","rows":24}',
])
def test_malformed_terminal_frame_closes_with_1007(shell, frame):
    """Before: `{"type":0}` threw past the connection's cleanup (berthd
    died); the others were ignored without a word."""
    b = shell
    ws = terminal(b, "rob")
    try:
        ws.send(frame, opcode=1)
        assert close_code(ws) == 1007
    finally:
        ws.close()
    assert b.proc.poll() is None
    assert timed(b, "GET", "/health")[0] == 200


def test_oversized_terminal_frame_closes_with_1009(shell):
    b = shell
    ws = terminal(b, "rob")
    try:
        try:
            ws.send(b"y" * ((1 << 20) + 1))
        except OSError:
            pass  # the server may close before it has read it all
        assert close_code(ws) == 1009
    finally:
        ws.close()
    assert timed(b, "GET", "/health")[0] == 200


def test_many_event_streams_do_not_stall_the_api(berthd):
    """64 open /events streams. Before: each held one of the 64 workers and
    every other request waited."""
    socks = []
    try:
        for _ in range(64):
            s = socket.create_connection(("127.0.0.1", int(berthd.hostport.rsplit(":", 1)[1])),
                                         timeout=10)
            s.sendall(f"GET /api/v1/events HTTP/1.1\r\nHost: {berthd.hostport}\r\n"
                      f"Authorization: Bearer {berthd.token}\r\n\r\n".encode())
            socks.append(s)
        for s in socks:  # every stream has started
            assert s.recv(12).startswith(b"HTTP/1.1 200")
        status, took = timed(berthd, "GET", "/folders")
        assert status == 200 and took < PROMPT_S
        # Events still arrive on the streams.
        assert berthd.api("POST", "/folders", {"name": "ev"}).status == 201
        socks[0].settimeout(10)
        got, deadline = b"", time.monotonic() + 10
        while b"event: folder" not in got and time.monotonic() < deadline:
            got += socks[0].recv(4096)
        assert b"event: folder" in got
    finally:
        for s in socks:
            s.close()
    assert timed(berthd, "GET", "/health")[0] == 200


def test_exec_timeout_is_always_bounded(berthd):
    """SPEC §5: no timeout_s is the deployment default; 0 ("never", which
    held a worker forever) or over the maximum is a 400. The request is
    refused before the session is looked up, so no session is needed."""
    for t in (0, 86401, 10 ** 12):
        r = berthd.api("POST", "/sessions/nope/exec", {"command": ["true"], "timeout_s": t})
        assert r.status == 400, (t, r)
        assert r.error_code() == "invalid_timeout"
    for body in ({"command": ["true"]}, {"command": ["true"], "timeout_s": 5}):
        assert berthd.api("POST", "/sessions/nope/exec", body).status == 404


def test_per_address_connection_cap(tmp):
    """A client holding more connections than the per-address cap is
    refused at once, while another address is still served."""
    cfg = tmp / "berthd.toml"
    cfg.write_text("max_connections_per_client = 4\n")
    b = Berthd(["--config", str(cfg)]).start()
    port = int(b.hostport.rsplit(":", 1)[1])
    held = []
    try:
        for _ in range(4):
            held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(0.3)  # accepted
        try:
            status, _ = timed(b, "GET", "/health")
        except (OSError, http.client.HTTPException):
            status = None  # closed at once
        assert status in (None, 503), "the fifth connection was served"
        # Another address (still loopback) is served meanwhile.
        assert timed(b, "GET", "/health", source=("127.0.0.2", 0))[0] == 200
        for s in held:
            s.close()
        held.clear()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # the server notices the closes
            try:
                if timed(b, "GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        assert timed(b, "GET", "/health")[0] == 200
    finally:
        for s in held:
            s.close()
        b.stop()
