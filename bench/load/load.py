#!/usr/bin/env python3
"""Bounded loopback load test for berthd (issue 10, robustness suite).

Starts a real berthd (temp data dir, free port on 127.0.0.1, runc driver, the
`python` image from $BERTH_IMAGES_DIR) through the integration harness, then
runs CLIENTS threads for SECONDS, each on its own keep-alive connection,
mixing folder listings, uploads, downloads, exec and terminal WebSockets
against a few shared folders and sessions. Prints p50/p99 latency per kind
and fails (exit 1) on any 5xx, any transport error, or if berthd's open
descriptors or VmRSS are not back near their pre-load values once the load
has ended (thresholds below, printed with the result).

Python standard library only, so it runs wherever the integration tests run
and speaks to berthd exactly as the tests do; at 2 CPUs the client threads
are not the bottleneck (berthd shares the same cores, and the point is
correctness under concurrency, not peak throughput).

All traffic goes to 127.0.0.1; every loop is bounded by the deadline and
every socket by a timeout; berthd, its sessions and its data dir are removed
on exit.
"""
import argparse
import http.client
import json
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "integration"))
from berth_harness import Berthd, WebSocket  # noqa: E402

KINDS = ("list", "upload", "download", "exec", "terminal")
# Out of every 20 operations a client does: mostly file traffic, some exec,
# one terminal (each opens a pty in a container, the costly kind).
MIX = ["list"] * 6 + ["upload"] * 5 + ["download"] * 6 + ["exec"] * 2 + ["terminal"]
UPLOAD_BYTES = 64 << 10
OP_TIMEOUT_S = 30


def proc_stats(pid):
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    rss_kib = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss_kib = int(line.split()[1])
    return fds, rss_kib


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


class Client(threading.Thread):
    def __init__(self, idx, b, folders, sessions, deadline, payload):
        super().__init__(daemon=True)
        self.idx, self.b, self.folders, self.sessions = idx, b, folders, sessions
        self.deadline, self.payload = deadline, payload
        self.lat = {k: [] for k in KINDS}
        self.statuses = {}
        self.errors = []
        self.conn = None

    def http(self, method, path, body=None, headers=None):
        h = {"Authorization": "Bearer " + self.b.token, **(headers or {})}
        for attempt in range(2):  # once more on a fresh connection if idle-closed
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.b.hostport, timeout=OP_TIMEOUT_S)
            try:
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise

    def op(self, kind, n):
        f = self.folders[self.idx % len(self.folders)]
        if kind == "list":
            return self.http("GET", f"/api/v1/folders/{f}/files")
        if kind == "upload":
            path = f"/api/v1/folders/{f}/files/content?path=c{self.idx}.bin&overwrite=true"
            return self.http("PUT", path,
                             self.payload, {"Content-Type": "application/octet-stream"})
        if kind == "download":
            return self.http("GET", f"/api/v1/folders/{f}/files/content?path=seed.bin")
        s = self.sessions[self.idx % len(self.sessions)]
        if kind == "exec":
            body = json.dumps({"command": ["sh", "-c", f"echo {n}"]})
            return self.http("POST", f"/api/v1/sessions/{s}/exec", body,
                             {"Content-Type": "application/json"})
        ws = WebSocket(self.b.hostport, f"/api/v1/sessions/{s}/terminal?cols=80&rows=24",
                       {"Authorization": "Bearer " + self.b.token})
        try:
            if ws.status != 101:
                return ws.status
            ws.send(f"echo t-$(({n}+1))\nexit\n".encode())
            out = ws.read_until(f"t-{n + 1}".encode(), timeout=OP_TIMEOUT_S)
            if f"t-{n + 1}".encode() not in out:
                raise TimeoutError("terminal output did not arrive")
            return 101
        finally:
            ws.close()

    def run(self):
        n = self.idx
        while time.monotonic() < self.deadline:
            kind = MIX[n % len(MIX)]
            n += 1
            if kind in ("exec", "terminal") and not self.sessions:
                continue
            t0 = time.monotonic()
            try:
                status = self.op(kind, n)
            except Exception as e:  # noqa: BLE001 - every failure is counted
                self.errors.append(f"{kind}: {type(e).__name__}: {e}")
                if self.conn:
                    self.conn.close()
                    self.conn = None
                continue
            self.lat[kind].append(time.monotonic() - t0)
            self.statuses[(kind, status)] = self.statuses.get((kind, status), 0) + 1
        if self.conn:
            self.conn.close()


def setup(b, n_folders, n_sessions):
    folders, sessions = [], []
    seed = os.urandom(UPLOAD_BYTES)
    for i in range(n_folders):
        name = f"load{i}"
        assert b.api("POST", "/folders", {"name": name}).status == 201
        r = b.api("PUT", f"/folders/{name}/files/content", seed, query={"path": "seed.bin"})
        assert r.status in (200, 201), r
        folders.append(name)
    images = b.api("GET", "/images").json().get("images", [])
    if n_sessions and any(i["name"] == "python" for i in images):
        for i in range(n_sessions):
            r = b.api("POST", "/sessions", {"name": f"load{i}", "mounts": [folders[i % n_folders]]})
            assert r.status == 201, r
            sessions.append(f"load{i}")
    else:
        print("note: no 'python' image (BERTH_IMAGES_DIR): exec and terminal are left out")
    return folders, sessions


def settle(pid, base_fds, base_rss, fd_slack, rss_slack_kib, wait_s):
    """Polls until descriptors and RSS are back within the slack (or wait_s)."""
    deadline = time.monotonic() + wait_s
    while True:
        fds, rss = proc_stats(pid)
        if (fds <= base_fds + fd_slack and rss <= base_rss + rss_slack_kib) or \
                time.monotonic() > deadline:
            return fds, rss
        time.sleep(0.5)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--folders", type=int, default=8)
    ap.add_argument("--sessions", type=int, default=4)
    ap.add_argument("--fd-slack", type=int, default=16,
                    help="descriptors allowed above the pre-load count after the run")
    ap.add_argument("--rss-slack-mib", type=int, default=64,
                    help="VmRSS growth allowed after the run (allocator caches)")
    ap.add_argument("--settle-s", type=float, default=20)
    args = ap.parse_args()
    # A SIGTERM (bench/load/run.sh's timeout) still stops berthd and its sessions.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    assert 1 <= args.clients <= 1000 and 0 < args.seconds <= 3600

    b = Berthd().start()
    failures = []
    try:
        folders, sessions = setup(b, args.folders, args.sessions)
        # Warm up every kind once so lazily made state (pools, caches) is in
        # the baseline, then let berthd settle.
        warm = Client(0, b, folders, sessions, 0, os.urandom(UPLOAD_BYTES))
        for kind in KINDS:
            if kind in ("exec", "terminal") and not sessions:
                continue
            warm.op(kind, 0)
        if warm.conn:
            warm.conn.close()
        time.sleep(1)
        pid = b.proc.pid
        base_fds, base_rss = proc_stats(pid)

        payload = os.urandom(UPLOAD_BYTES)
        deadline = time.monotonic() + args.seconds
        clients = [Client(i, b, folders, sessions, deadline, payload) for i in range(args.clients)]
        t0 = time.monotonic()
        for c in clients:
            c.start()
        peak_fds, peak_rss = base_fds, base_rss
        while any(c.is_alive() for c in clients) and \
                time.monotonic() < deadline + OP_TIMEOUT_S + 10:
            fds, rss = proc_stats(pid)
            peak_fds, peak_rss = max(peak_fds, fds), max(peak_rss, rss)
            time.sleep(1)
        stuck = [c.idx for c in clients if c.is_alive()]
        elapsed = time.monotonic() - t0

        fds, rss = settle(pid, base_fds, base_rss, args.fd_slack, args.rss_slack_mib << 10,
                          args.settle_s)
        if b.proc.poll() is not None:
            failures.append(f"berthd exited with {b.proc.returncode}")

        lat = {k: [x for c in clients for x in c.lat[k]] for k in KINDS}
        statuses = {}
        for c in clients:
            for key, v in c.statuses.items():
                statuses[key] = statuses.get(key, 0) + v
        errors = [e for c in clients for e in c.errors]
        total = sum(len(v) for v in lat.values())

        print(f"## load: {args.clients} clients, {args.seconds:g} s, "
              f"{len(folders)} folders, {len(sessions)} sessions (runc)\n")
        print(f"{total} operations in {elapsed:.1f} s ({total / elapsed:.0f}/s), "
              f"{len(errors)} transport errors\n")
        print("| kind | count | p50 ms | p99 ms | max ms | statuses |")
        print("|---|---:|---:|---:|---:|---|")
        for k in KINDS:
            st = ", ".join(f"{s}×{n}" for (kk, s), n in sorted(statuses.items()) if kk == k)
            v = lat[k]
            print(f"| {k} | {len(v)} | {pct(v, 50) * 1000:.1f} | {pct(v, 99) * 1000:.1f} | "
                  f"{(max(v) if v else float('nan')) * 1000:.1f} | {st} |")
        print(f"\n| berthd | before | peak | after | allowed after |")
        print("|---|---:|---:|---:|---:|")
        print(f"| open descriptors | {base_fds} | {peak_fds} | {fds} | ≤ {base_fds + args.fd_slack} |")
        print(f"| VmRSS MiB | {base_rss >> 10} | {peak_rss >> 10} | {rss >> 10} | "
              f"≤ {(base_rss >> 10) + args.rss_slack_mib} |")

        fives = {key: n for key, n in statuses.items() if key[1] >= 500}
        if fives:
            failures.append(f"5xx responses: {fives}")
        if errors:
            failures.append(f"{len(errors)} transport errors, e.g. {errors[:3]}")
        if stuck:
            failures.append(f"{len(stuck)} clients still running after the deadline")
        if fds > base_fds + args.fd_slack:
            failures.append(f"descriptors grew: {base_fds} -> {fds}")
        if rss > base_rss + (args.rss_slack_mib << 10):
            failures.append(f"VmRSS grew: {base_rss >> 10} -> {rss >> 10} MiB")
        if total == 0:
            failures.append("no operation completed")
    finally:
        if b.proc:
            for s in b.api("GET", "/sessions").json().get("sessions", []):
                b.api("DELETE", f"/sessions/{s['name']}")
        b.stop()
    for f in failures:
        print("FAIL:", f)
    print("load: " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
