"""The one-machine Slurm cluster of scripts/slurm-cluster.sh (issue 15 item 3).

Starts a real cluster (munged, slurmctld, three 2-cpu slurmd nodes, each in its own
network and UTS namespace, slurmrestd with JWT) on a /24, namespace names and ports of
its own, drives it only through slurmrestd's REST API with the token the script
wrote, and checks that `stop` leaves nothing behind. Skipped only when the Slurm
packages are missing (scripts/deps.sh installs them).
"""

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(REPO, "scripts", "slurm-cluster.sh")
API = "/slurm/v0.0.38"
NODES = ("node1", "node2", "node3")
TAG = "bst"  # not the script's default, so a demo cluster can run beside the test
NET = "10.214.9"

MISSING = [b for b in ("munged", "slurmctld", "slurmd", "slurmrestd", "scontrol")
           if shutil.which(b) is None]
pytestmark = pytest.mark.skipif(
    bool(MISSING),
    reason=f"Slurm packages missing ({', '.join(MISSING)}): "
           "apt-get install slurm-wlm slurmrestd munge slurm-wlm-jwt-plugin (scripts/deps.sh)")


def free_port_base():
    """A port P with P, P+1 and P+3 free on the host (slurmctld, slurmd, slurmrestd)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base > 65000:
            continue
        try:
            for off in (0, 1, 3):
                with socket.socket() as t:
                    t.bind(("0.0.0.0", base + off))
            return base
        except OSError:
            continue
    raise RuntimeError("no free port range")


class Cluster:
    def __init__(self, state_dir):
        self.dir = state_dir
        self.env = dict(os.environ, BERTH_SLURM_TAG=TAG, BERTH_SLURM_NET=NET,
                        BERTH_SLURM_PORT=str(free_port_base()))
        self.flags = None

    def script(self, *args, timeout=120):
        return subprocess.run([SCRIPT, *args, "--dir", self.dir], env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def start(self):
        p = self.script("start")
        assert p.returncode == 0, p.stderr
        self.flags = p.stdout.strip().splitlines()[-1]
        m = re.fullmatch(r"--cluster slurm --slurm-rest (http://127\.0\.0\.1:\d+) "
                         r"--slurm-jwt-file (\S+) --slurm-user (\S+) "
                         r"--agent-listen (10\.\d+\.\d+\.1:0) --node-data-dir (\S+)", self.flags)
        assert m, f"last line is not berthd's flags: {self.flags!r}"
        self.rest, self.jwt_file, self.user, self.agent_listen, self.node_data_dir = m.groups()
        with open(self.jwt_file) as f:
            self.token = f.read().strip()
        return self

    def call(self, method, path, body=None):
        req = urllib.request.Request(
            self.rest + API + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"X-SLURM-USER-NAME": self.user, "X-SLURM-USER-TOKEN": self.token,
                     "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                doc = json.load(r)
        except urllib.error.HTTPError as e:
            raise AssertionError(f"{method} {path}: {e.code} {e.read()[:500]!r}") from None
        assert not doc.get("errors"), doc["errors"]
        return doc

    def submit(self, name, workdir, seconds=300):
        doc = self.call("POST", "/job/submit", {
            "script": f"#!/bin/sh\nexec sleep {seconds}\n",
            "job": {"name": name, "cpus_per_task": 1, "memory_per_node": 100,
                    "time_limit": 10, "current_working_directory": workdir,
                    "standard_output": os.path.join(workdir, "%j.out"),
                    "environment": {"PATH": "/usr/bin:/bin"}}})
        return doc["job_id"]

    def job(self, job_id):
        return self.call("GET", f"/job/{job_id}")["jobs"][0]

    def node(self, name):
        return self.call("GET", f"/node/{name}")["nodes"][0]


def wait_until(what, fn, timeout):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout}s")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    state = f"/run/berth-slurm-test-{os.getpid()}"
    c = Cluster(state)
    try:
        yield c.start()
    finally:
        c.script("stop")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("slurm-jobs")
    os.chmod(d, 0o755)
    return str(d)


def test_six_jobs_spread_over_three_nodes_and_a_seventh_waits(cluster, workdir):
    ids = [cluster.submit(f"s{i}", workdir) for i in range(6)]
    try:
        def all_running():
            jobs = [cluster.job(i) for i in ids]
            return jobs if all(j["job_state"] == "RUNNING" for j in jobs) else None
        jobs = wait_until("six jobs RUNNING", all_running, 30)
        placed = sorted(j["nodes"] for j in jobs)
        assert placed == ["node1", "node1", "node2", "node2", "node3", "node3"], placed

        seventh = cluster.submit("s6", workdir)
        ids.append(seventh)
        j = wait_until("the seventh PENDING with a reason",
                       lambda: (lambda j: j if j["job_state"] == "PENDING"
                                and j["state_reason"] not in ("", "None") else None)(
                           cluster.job(seventh)), 15)
        assert j["state_reason"] in ("Resources", "Priority"), j["state_reason"]

        cancelled = jobs[0]
        cluster.call("DELETE", f"/job/{cancelled['job_id']}")
        j = wait_until("the seventh RUNNING after a cancel",
                       lambda: (lambda j: j if j["job_state"] == "RUNNING" else None)(
                           cluster.job(seventh)), 30)
        assert j["nodes"] == cancelled["nodes"]
        assert cluster.job(cancelled["job_id"])["job_state"] == "CANCELLED"
    finally:
        for i in ids:
            try:
                cluster.call("DELETE", f"/job/{i}")
            except AssertionError:
                pass


def test_partitions_are_offered(cluster):
    parts = {p["name"]: p for p in cluster.call("GET", "/partitions")["partitions"]}
    assert set(parts) == {"batch", "short"}
    assert parts["batch"]["total_cpus"] == 6


def test_slurm_client_against_the_cluster(cluster, workdir):
    """berthd's SlurmRestClient (src/cluster) against this cluster: its live gtest."""
    binary = os.path.join(os.environ.get("BERTH_BIN_DIR", os.path.join(REPO, "build/src/cmd")),
                          "..", "cluster", "cluster_test")
    if not os.path.exists(binary):
        pytest.skip(f"{binary} not built (ninja -C build cluster_test)")
    env = dict(os.environ, BERTH_SLURM_REST=cluster.rest, BERTH_SLURM_USER=cluster.user,
               BERTH_SLURM_JWT_FILE=cluster.jwt_file, BERTH_SLURM_WORKDIR=workdir)
    p = subprocess.run([binary, "--gtest_filter=SlurmLive*"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]
    assert "[  PASSED  ] " in p.stdout and "SKIPPED" not in p.stdout, p.stdout[-2000:]


def start_container_on(cluster, node, bundle):
    """A runc container on `node` as a node agent would start it (inside the node's
    namespaces, under the node's runc root); None without the test image or runc."""
    rootfs = os.path.join(os.environ.get("BERTH_TEST_IMAGE_DIR", "/var/cache/berth-test/images"),
                          "python", "rootfs")
    if not (os.path.isdir(rootfs) and shutil.which("runc")):
        return None
    os.makedirs(bundle)
    subprocess.run(["runc", "spec"], cwd=bundle, check=True)
    with open(os.path.join(bundle, "config.json")) as f:
        spec = json.load(f)
    spec["root"] = {"path": rootfs, "readonly": True}
    spec["process"].update(args=["sleep", "300"], terminal=False)
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(spec, f)
    root = os.path.join(cluster.dir, "nodes", node, "runc")
    with open(os.path.join(cluster.dir, "nodes", node, "slurmd.pid")) as f:
        slurmd = f.read().strip()
    with open(os.path.join(bundle, "runc.out"), "w") as out:
        subprocess.run(["nsenter", "-t", slurmd, "-n", "-m", "-u", "runc", "--root", root, "run",
                        "-d", "--bundle", bundle, "c1"], stdin=subprocess.DEVNULL, stdout=out,
                       stderr=out, check=True, timeout=30)
    return root


def container_status(root):
    p = subprocess.run(["runc", "--root", root, "state", "c1"], capture_output=True, text=True)
    return json.loads(p.stdout)["status"] if p.returncode == 0 else "gone"


def test_stop_node_turns_it_down(cluster, workdir):
    root = start_container_on(cluster, "node3", os.path.join(workdir, "bundle"))
    if root:
        assert container_status(root) == "running"
    p = cluster.script("stop-node", "node3")
    assert p.returncode == 0, p.stderr
    if root:
        assert container_status(root) in ("stopped", "gone")

    def down():
        n = cluster.node("node3")
        return n["state"] == "down" or "NOT_RESPONDING" in (n.get("state_flags") or [])
    wait_until("node3 DOWN or NOT_RESPONDING", down, 40)
    assert cluster.node("node1")["state"] in ("idle", "mixed", "allocated")


def leftovers(state_dir):
    found = []
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    found += [f"netns {line.split()[0]}" for line in netns.splitlines()
              if line.startswith(TAG + "-")]
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    found += [f"link {m}" for m in re.findall(r"^\d+: (" + TAG + r"-[^:@]+)", links, re.M)]
    addrs = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True).stdout
    found += [f"address {a}" for a in re.findall(r"inet (" + re.escape(NET) + r"\.\d+)", addrs)]
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:  # every daemon has the state dir in its command line or environment
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = f.read().decode(errors="replace")
        except OSError:
            continue
        if state_dir in cmd or state_dir in env:
            found.append(f"process {pid}: {cmd[:120]}")
    with open("/proc/self/mountinfo") as f:
        found += [f"mount {line.split()[4]}" for line in f
                  if state_dir in line or f"/run/netns/{TAG}-" in line]
    if shutil.which("iptables"):
        rules = subprocess.run(["iptables", "-w", "-S", "FORWARD"], capture_output=True,
                               text=True).stdout
        found += [f"rule {r}" for r in rules.splitlines() if f"berth-slurm {TAG}-" in r]
    if os.path.exists(state_dir):
        found.append(f"dir {state_dir}")
    return found


def test_stop_leaves_nothing_behind(cluster):
    assert cluster.script("stop").returncode == 0
    assert leftovers(cluster.dir) == []
    p = cluster.script("stop")  # idempotent
    assert p.returncode == 0, p.stderr
    assert leftovers(cluster.dir) == []
