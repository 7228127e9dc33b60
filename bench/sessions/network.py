#!/usr/bin/env python3
"""bench/sessions/network.py: session create→running and delete through
berthd's REST API, runc driver, each session with its own network namespace
wired by berthd over rtnetlink (veth on the session bridge, leased address,
port isolation) and NAT, 2 folder mounts + the automounts .local and .linuxbrew;
against a bare `runc run --detach` / `runc delete --force` of the same
bundle without network (SPEC §10).

The baseline bundle is the config.json of a live berthd session (the probe)
with its `network` namespace removed and /sys bound from the host (what a
user-namespaced container without its own network namespace needs), run by
its own runc --root on the probe's rootfs and the probe's staged (idmapped)
bind mounts. So the baseline does NOT pay for the overlay mount, the idmap
staging, the scratch home or the bundle files: it is runc's own start of the
same container, a strict baseline.

Usage (root): bench/sessions/network.py [--berthd PATH] [--n 30]
Prints a Markdown table. Cleans up everything it made.
"""
import argparse
import copy
import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def api(url, token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + "/api/v1" + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + token,
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.status, r.read()


def pct(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--berthd", default=os.path.join(REPO, "build/src/cmd/berthd"))
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--images-dir", default=os.environ.get("BERTH_IMAGES_DIR",
                                                           "/var/cache/berth-test/images"))
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="berth-bench-net-", dir="/var/tmp")
    data = os.path.join(work, "data")
    os.makedirs(data)
    log = open(os.path.join(work, "berthd.log"), "wb")
    bridge = "bbench%04x" % (os.getpid() & 0xffff)
    proc = subprocess.Popen([a.berthd, "--data-dir", data, "--listen", "127.0.0.1:0",
                             "--images-dir", a.images_dir, "--session-bridge", bridge,
                             "--session-subnet", "10.212.0.0/16", "--session-dns", "198.18.0.53"],
                            stdout=log, stderr=subprocess.STDOUT)
    runc_root = os.path.join(work, "runc")
    bare_ids = []
    try:
        addr = os.path.join(data, "berthd.addr")
        for _ in range(400):
            if os.path.exists(addr) and open(addr).read().strip():
                break
            time.sleep(0.05)
        url = open(addr).read().strip()
        token = open(os.path.join(data, "admin.token")).read().strip()
        for f in ("f1", "f2", ".local", ".linuxbrew"):
            api(url, token, "POST", "/folders", {"name": f})
        mounts = [{"folder": "f1"}, {"folder": "f2"}]

        # The probe: its bundle is the baseline's template; it stays alive so
        # that its rootfs and staged binds exist.
        _, body = api(url, token, "POST", "/sessions", {"name": "probe", "mounts": mounts})
        probe = json.loads(body)
        assert probe.get("network", {}).get("ip"), probe
        bundle = os.path.join(data, "containers", probe["id"])
        cfg = json.load(open(os.path.join(bundle, "config.json")))
        assert any(n["type"] == "network" for n in cfg["linux"]["namespaces"])
        cfg["linux"]["namespaces"] = [n for n in cfg["linux"]["namespaces"]
                                      if n["type"] != "network"]
        for m in cfg["mounts"]:
            if m["destination"] == "/sys":
                m.update({"type": "bind", "source": "/sys",
                          "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]})
        bare_bundle = os.path.join(work, "bare")
        os.makedirs(bare_bundle)

        def bare_create(i):
            c = copy.deepcopy(cfg)
            cid = f"bench-bare-{os.getpid()}-{i}"
            c["linux"]["cgroupsPath"] = "/berth-bench/" + cid
            with open(os.path.join(bare_bundle, "config.json"), "w") as f:
                json.dump(c, f)
            t = time.monotonic()
            subprocess.run(["runc", "--root", runc_root, "run", "--detach", "--bundle", bare_bundle,
                            cid], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            bare_ids.append(cid)
            return cid, time.monotonic() - t

        def bare_delete(cid):
            t = time.monotonic()
            subprocess.run(["runc", "--root", runc_root, "delete", "--force", cid], check=True)
            bare_ids.remove(cid)
            return time.monotonic() - t

        def berth_create(i):
            t = time.monotonic()
            status, _ = api(url, token, "POST", "/sessions", {"name": f"s{i}", "mounts": mounts})
            assert status == 201
            return f"s{i}", time.monotonic() - t

        def berth_delete(name):
            t = time.monotonic()
            status, _ = api(url, token, "DELETE", "/sessions/" + name)
            assert status == 204
            return time.monotonic() - t

        results = {"berthd": ([], []), "bare": ([], [])}
        cases = [("berthd", berth_create, berth_delete), ("bare", bare_create, bare_delete)]
        for i in range(-1, a.n):  # round -1: warm-up, untimed
            order = cases if i % 2 == 0 else cases[::-1]
            for name, create, delete in order:
                key, ct = create(i + 1)
                dt = delete(key)
                if i >= 0:
                    results[name][0].append(ct)
                    results[name][1].append(dt)
        api(url, token, "DELETE", "/sessions/probe")

        def row(name):
            c, d = results[name]
            return [pct(c, .5) * 1e3, pct(c, .9) * 1e3, pct(d, .5) * 1e3, pct(d, .9) * 1e3]
        b, r = row("berthd"), row("bare")
        print(f"N={a.n} rounds; load average {open('/proc/loadavg').read().split()[:3]}")
        print("| case | create p50 ms | create p90 ms | delete p50 ms | delete p90 ms |")
        print("|---|---:|---:|---:|---:|")
        print("| berthd REST, runc, own netns (rtnetlink) + NAT | %.1f | %.1f | %.1f | %.1f |" % tuple(b))
        print("| bare `runc run --detach` / `runc delete --force`, no network | %.1f | %.1f | %.1f | %.1f |"
              % tuple(r))
        print(f"| ratio of p50s | {b[0] / r[0]:.2f}× | | {b[2] / r[2]:.2f}× | |")
        per_round = [x / y for x, y in zip(results["berthd"][0], results["bare"][0])]
        print(f"\nmedian per-round create ratio {statistics.median(per_round):.2f}×")
    finally:
        for cid in list(bare_ids):
            subprocess.run(["runc", "--root", runc_root, "delete", "--force", cid],
                           capture_output=True)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
