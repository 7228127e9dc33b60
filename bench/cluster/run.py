#!/usr/bin/env python3
"""bench/cluster/run.py: Berth on the one-machine Slurm cluster of
scripts/slurm-cluster.sh (issue 15 item 5, docs/cluster.md).

1. create→running: `POST /sessions` (1 cpu, 256 MiB) until `GET
   /sessions/{name}` says `running` (job started, node agent registered,
   container up on the node), against a bare Slurm job of the same resources
   submitted through slurmrestd (the script's JWT) whose script touches a
   marker file in a directory every node sees, until the marker exists.
   `--rounds` interleaved rounds (Berth first in even rounds, bare first in odd
   ones), one job at a time on an idle cluster; p50, spread and the ratio, and
   where Berth's time goes, from the timestamps in berthd's log, the node
   agent's log and Slurm's logs (slurmctld allocation, slurmd launch).
2. `--sessions N` sessions (1 cpu, 32 MiB) on a cluster whose nodes have
   enough CPUs for them (BERTH_SLURM_CPUS), created `--parallel` at a time:
   time to all running, berthd's VmRSS/VmHWM, the node agents' summed VmRSS;
   then all deleted, and nothing may be left: no active job, no agent, no
   container, no scratch dir.

Usage (root, built tree): python3 bench/cluster/run.py [--rounds 9] [--sessions 200]
    [--skip-latency] [--skip-many]
The cluster and the manager are stopped in a `finally` (Ctrl-C and SIGTERM
included). Prints Markdown for docs/benchmarks.md.
"""
import argparse
import calendar
import concurrent.futures
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
os.environ.setdefault("BERTH_BIN_DIR", os.path.join(REPO, "build", "src", "cmd"))
os.environ.setdefault("BERTH_IMAGES_DIR", "/var/cache/berth-test/images")

from berth_harness import Berthd  # noqa: E402
from test_slurm_cluster import MISSING, Cluster, free_port_base, wait_until  # noqa: E402

TAG = "bcb"          # neither the script's default nor a test's
NET = "10.211.23"    # outside the harness's random session subnets (10.214-249)
MIB = 1 << 20
POLL_S = 0.05        # both sides are polled at this interval
ACTIVE = ("PENDING", "RUNNING", "CONFIGURING", "COMPLETING")


class BenchCluster(Cluster):
    def __init__(self, cpus, mem_mb):
        super().__init__(f"/run/berth-slurm-bench-{os.getpid()}")
        self.env.update(BERTH_SLURM_TAG=TAG, BERTH_SLURM_NET=NET,
                        BERTH_SLURM_PORT=str(free_port_base()),
                        BERTH_SLURM_CPUS=str(cpus), BERTH_SLURM_MEM_MB=str(mem_mb))

    def active_jobs(self):
        return [j for j in self.call("GET", "/jobs")["jobs"] if j["job_state"] in ACTIVE]

    def wait_idle(self, timeout=60):
        wait_until("no active job", lambda: not self.active_jobs(), timeout)


def start_manager(cluster, hold, sessions=8):
    """berthd --cluster slurm with the script's flags, allowing `sessions` live
    sessions to the admin; `hold` (a list) gets it before it starts, so that a
    Ctrl-C during the start still stops it."""
    d = Berthd(cluster.flags.split() + ["--max-sessions-per-user", str(sessions)])
    hold.append(d)
    d.start(timeout=30)
    return d


def stop_all(held, cluster):
    """Every session deleted, the manager stopped, the cluster stopped."""
    manager = held[0] if held else None
    try:
        if manager is not None and manager.proc and manager.proc.poll() is None:
            try:
                ss = manager.api("GET", "/sessions", query={"all": "true"}).json()["sessions"]
                for s in ss:
                    manager.api("DELETE", f"/sessions/{s['id']}")
            except Exception as e:  # the cluster stop below removes the rest
                print(f"(cleanup: {e})", file=sys.stderr)
    finally:
        try:
            if manager is not None:
                manager.stop()
        finally:
            if cluster is not None:
                cluster.script("stop")


# --- timestamps from the logs ------------------------------------------------

TS = re.compile(r'(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)\.(\d{3})(Z?)')


def line_time(line):
    """Epoch seconds of a log line's first timestamp: berthd's JSON (UTC, Z),
    spdlog's text and Slurm's iso8601_ms (local time)."""
    m = TS.search(line)
    if not m:
        return None
    tm = time.strptime(f"{m.group(1)} {m.group(2)}", "%Y-%m-%d %H:%M:%S")
    secs = calendar.timegm(tm) if m.group(4) else time.mktime(tm)
    return secs + int(m.group(3)) / 1000


def first_time(path, *needles):
    """The time of the first line of `path` holding one of `needles`."""
    try:
        with open(path, errors="replace") as f:
            for line in f:
                if any(n in line for n in needles):
                    return line_time(line)
    except OSError:
        pass
    return None


def allocated(cluster, jid):
    """When slurmctld gave job `jid` its node: its main scheduler logs
    `sched: Allocate JobId=N`, the backfill scheduler `Started JobId=N`."""
    return first_time(os.path.join(cluster.dir, "ctld", "slurmctld.log"),
                      f"Allocate JobId={jid} ", f"Started JobId={jid} ")


def berth_phases(manager, cluster, name, sid, t0, t_post, t_seen):
    """Seconds from t0 to each step of one session's start, from the logs."""
    log = os.path.join(manager.data_dir, "berthd.log")
    reg = None
    with open(log, errors="replace") as f:
        for line in f:
            if f"node agent for session {sid} registered" in line:
                reg = line
                break
    job = re.search(r"\(job (\d+), node (\w+)", reg or "")
    p = {"POST answered (job submitted)": t_post}
    if job:
        jid, node = job.groups()
        p["slurmctld allocated the node"] = allocated(cluster, jid)
        p["slurmd launched the job"] = first_time(
            os.path.join(cluster.dir, "nodes", node, "slurmd.log"), f"batch job {jid} ")
        agent_log = os.path.join(cluster.node_data_dir, f"berth-agent-{jid}.log")
        p["agent process up"] = first_time(agent_log, f"node agent for session {sid}")
        p["agent registered (manager)"] = line_time(reg)
        p["container running (agent)"] = first_time(agent_log, "container running")
    p["running in the manager"] = first_time(log, f"({sid}) is running")
    p["GET says running"] = t_seen
    return {k: (v - t0 if v is not None else None) for k, v in p.items()}


def bare_phases(cluster, jid, t0, t_seen):
    p = {"submit answered": None,
         "slurmctld allocated the node": allocated(cluster, jid)}
    node = cluster.job(jid).get("nodes", "")
    if node:
        p["slurmd launched the job"] = first_time(
            os.path.join(cluster.dir, "nodes", node, "slurmd.log"), f"batch job {jid} ")
    p["marker exists"] = t_seen
    return {k: (v - t0 if v is not None else None) for k, v in p.items()}


# --- 1. create→running against a bare job -----------------------------------

def berth_round(manager, cluster, i):
    name = f"lat{i}"
    t0 = time.time()
    r = manager.api("POST", "/sessions",
                    {"name": name, "resources": {"cpu": 1, "memory_bytes": 256 * MIB}})
    assert r.status == 201, r
    t_post = time.time()
    sid = r.json()["id"]
    deadline = t0 + 120
    while True:
        s = manager.api("GET", f"/sessions/{name}").json()
        if s["status"] == "running":
            break
        assert s["status"] in ("pending", "creating"), s
        assert time.time() < deadline, f"{name} not running within 120 s: {s}"
        time.sleep(POLL_S)
    t_seen = time.time()
    phases = berth_phases(manager, cluster, name, sid, t0, t_post, t_seen)
    assert manager.api("DELETE", f"/sessions/{name}").status == 204
    return t_seen - t0, phases


def bare_round(cluster, markers, i):
    marker = os.path.join(markers, f"m{i}")
    t0 = time.time()
    doc = cluster.call("POST", "/job/submit", {
        "script": f"#!/bin/sh\ntouch '{marker}'\nexec sleep 600\n",
        "job": {"name": f"bare{i}", "tasks": 1, "cpus_per_task": 1, "memory_per_node": 256,
                "time_limit": 10, "current_working_directory": markers,
                "standard_output": "/dev/null", "standard_error": "/dev/null",
                "environment": {"PATH": "/usr/bin:/bin"}}})
    t_post = time.time()
    jid = doc["job_id"]
    deadline = t0 + 120
    while not os.path.exists(marker):
        assert time.time() < deadline, f"job {jid}: no marker within 120 s"
        time.sleep(POLL_S)
    t_seen = time.time()
    phases = bare_phases(cluster, jid, t0, t_seen)
    phases["submit answered"] = t_post - t0
    cluster.call("DELETE", f"/job/{jid}")
    return t_seen - t0, phases


def spread(xs):
    return f"{min(xs) * 1e3:.0f}–{max(xs) * 1e3:.0f}"


def phase_table(title, rounds):
    print(f"\n{title} (median over rounds, ms after the request was sent):\n")
    print("| step | p50 ms | min–max ms | since the step before, p50 ms |")
    print("|---|---:|---:|---:|")
    prev = None
    for k in rounds[0]:
        xs = [r[k] for r in rounds if r.get(k) is not None]
        if not xs:
            continue
        ds = [r[k] - r[prev] for r in rounds
              if prev and r.get(k) is not None and r.get(prev) is not None]
        d = f"{statistics.median(ds) * 1e3:.0f}" if ds else ""
        print(f"| {k} | {statistics.median(xs) * 1e3:.0f} | {spread(xs)} | {d} |")
        prev = k


def latency(args):
    cluster, held = None, []
    try:
        cluster = BenchCluster(2, 1024)
        cluster.start()
        manager = start_manager(cluster, held)
        markers = os.path.join(cluster.dir, "bench-markers")
        os.makedirs(markers, exist_ok=True)
        os.chmod(markers, 0o755)
        berth, bare, bp, rp = [], [], [], []
        for i in range(-1, args.rounds):  # round -1: warm-up, untimed
            order = ("berth", "bare") if i % 2 == 0 else ("bare", "berth")
            for kind in order:
                if kind == "berth":
                    t, ph = berth_round(manager, cluster, i + 1)
                    if i >= 0:
                        berth.append(t)
                        bp.append(ph)
                else:
                    t, ph = bare_round(cluster, markers, i + 1)
                    if i >= 0:
                        bare.append(t)
                        rp.append(ph)
                cluster.wait_idle()
        b50, r50 = statistics.median(berth), statistics.median(bare)
        print(f"\n### create→running, {args.rounds} interleaved rounds; "
              f"load average {' '.join(open('/proc/loadavg').read().split()[:3])}\n")
        print("| case | p50 ms | min–max ms |")
        print("|---|---:|---:|")
        print(f"| Berth: `POST /sessions` until `GET` says running (1 cpu, 256 MiB) "
              f"| {b50 * 1e3:.0f} | {spread(berth)} |")
        print(f"| bare Slurm job through slurmrestd until its marker file exists "
              f"| {r50 * 1e3:.0f} | {spread(bare)} |")
        print(f"| ratio of p50s, Berth / bare | {b50 / r50:.2f}× | |")
        per_round = [x / y for x, y in zip(berth, bare)]
        print(f"\nmedian per-round ratio Berth / bare {statistics.median(per_round):.2f}×")
        phase_table("Berth's steps", bp)
        phase_table("The bare job's steps", rp)
    finally:
        stop_all(held, cluster)


# --- 2. many sessions across the nodes ---------------------------------------

def rss_kib(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def agent_pids(node_data_dir):
    pids = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if b"node-agent" in argv and node_data_dir.encode() in argv:
            pids.append(int(p))
    return pids


def leftovers(cluster, ids):
    """What deleting every session left behind: jobs, agents, containers, scratch dirs."""
    left = []
    jobs = cluster.active_jobs()
    if jobs:
        left.append(f"{len(jobs)} active jobs")
    pids = agent_pids(cluster.node_data_dir)
    if pids:
        left.append(f"{len(pids)} node agents")
    for node in ("node1", "node2", "node3"):
        root = f"/run/berth/agent-{node}/runc"
        if os.path.isdir(root):
            out = subprocess.run(["runc", "--root", root, "list", "-q"],
                                 capture_output=True, text=True).stdout.split()
            ours = [c for c in out if any(i in c for i in ids)]
            if ours:
                left.append(f"{len(ours)} containers on {node}")
        sessions = os.path.join(cluster.node_data_dir, node, "sessions")
        if os.path.isdir(sessions) and os.listdir(sessions):
            left.append(f"{len(os.listdir(sessions))} scratch dirs on {node}")
    return left


def many(args):
    n = args.sessions
    cpus = math.ceil(n / 3) + 2
    mem_mb = cpus * 32 + 256
    cluster, held = None, []
    try:
        cluster = BenchCluster(cpus, mem_mb)
        cluster.start()
        manager = start_manager(cluster, held, n)
        names = [f"m{i}" for i in range(n)]
        ids = []

        def create(name):
            r = manager.api("POST", "/sessions", {"name": name, "automount": False,
                                                  "resources": {"cpu": 1, "memory_bytes": 32 * MIB}})
            assert r.status == 201, r
            return r.json()["id"]

        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.parallel) as ex:
            ids = list(ex.map(create, names))
        t_created = time.monotonic() - t0
        limit = max(300, 3 * n)
        deadline = time.monotonic() + limit
        while True:
            ss = manager.api("GET", "/sessions").json()["sessions"]
            by = {}
            for s in ss:
                by[s["status"]] = by.get(s["status"], 0) + 1
            if by.get("running", 0) == n:
                break
            bad = {k: v for k, v in by.items() if k not in ("pending", "creating", "running")}
            assert not bad, (bad, [s for s in ss if s["status"] in bad][:3])
            assert time.monotonic() < deadline, f"not all running within {limit} s: {by}"
            time.sleep(0.5)
        t_running = time.monotonic() - t0
        nodes = {}
        for s in ss:
            nodes[s["node"]] = nodes.get(s["node"], 0) + 1
        pid = manager.proc.pid
        m_rss, m_hwm = rss_kib(pid, "VmRSS"), rss_kib(pid, "VmHWM")
        apids = agent_pids(cluster.node_data_dir)
        a_rss = sum(rss_kib(p, "VmRSS") for p in apids)
        load = " ".join(open("/proc/loadavg").read().split()[:3])

        t1 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.parallel) as ex:
            codes = list(ex.map(lambda x: manager.api("DELETE", f"/sessions/{x}").status, names))
        assert all(c == 204 for c in codes), codes
        t_deleted = time.monotonic() - t1
        left = []
        try:
            wait_until("nothing left", lambda: not leftovers(cluster, ids), 120)
        except AssertionError:
            left = leftovers(cluster, ids)
        t_clean = time.monotonic() - t1

        print(f"\n### {n} sessions (1 cpu, 32 MiB, no automounts), {args.parallel} creates "
              f"in parallel; 3 nodes × {cpus} cpus, {mem_mb} MiB; load average at all running "
              f"{load}\n")
        print("| measure | value |")
        print("|---|---:|")
        print(f"| all {n} `POST /sessions` answered | {t_created:.1f} s |")
        print(f"| all {n} running (from the first POST) | {t_running:.1f} s |")
        print(f"| per node | {', '.join(f'{k} {v}' for k, v in sorted(nodes.items()))} |")
        print(f"| berthd (manager) VmRSS / VmHWM | {m_rss / 1024:.1f} / {m_hwm / 1024:.1f} MiB |")
        print(f"| node agents: count, summed VmRSS | {len(apids)}, {a_rss / 1024:.0f} MiB "
              f"({a_rss / 1024 / max(len(apids), 1):.1f} MiB each) |")
        print(f"| all {n} `DELETE` answered | {t_deleted:.1f} s |")
        print(f"| until no job, agent, container or scratch dir is left | {t_clean:.1f} s |")
        print(f"| left behind | {', '.join(left) if left else 'nothing'} |")
        print(f"\ncleanup after deleting {n} sessions: {'FAIL ' + ', '.join(left) if left else 'PASS'}")
        return not left
    finally:
        stop_all(held, cluster)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--parallel", type=int, default=4, help="creates and deletes at once")
    ap.add_argument("--skip-latency", action="store_true")
    ap.add_argument("--skip-many", action="store_true")
    args = ap.parse_args()
    if MISSING:
        sys.exit(f"Slurm packages missing ({', '.join(MISSING)}): scripts/deps.sh")
    if os.geteuid() != 0:
        sys.exit("needs root (the cluster's namespaces, runc)")

    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    ok = True
    if not args.skip_latency:
        latency(args)
    if not args.skip_many:
        ok = many(args)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
