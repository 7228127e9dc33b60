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
import copy
import ctypes
import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time

from bench_rest import api, bench_args, pct

LIBC = ctypes.CDLL(None, use_errno=True)


def main():
    a = bench_args(30)
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
    fresh_roots = {}  # container id -> its bundle dir (overlay mounted on rootfs/)
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
        cfg_netns = copy.deepcopy(cfg)  # the (extra) case: its own netns, nothing wired
        assert any(n["type"] == "network" for n in cfg["linux"]["namespaces"])
        cfg["linux"]["namespaces"] = [n for n in cfg["linux"]["namespaces"]
                                      if n["type"] != "network"]
        for m in cfg["mounts"]:
            if m["destination"] == "/sys":
                m.update({"type": "bind", "source": "/sys",
                          "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]})
        bare_bundle = os.path.join(work, "bare")
        os.makedirs(bare_bundle)

        def write_config(bundle_dir, template, cid, root=None):
            c = copy.deepcopy(template)
            c["linux"]["cgroupsPath"] = "/berth-bench/" + cid
            if root:
                c["root"]["path"] = root
            with open(os.path.join(bundle_dir, "config.json"), "w") as f:
                json.dump(c, f)

        def runc_run(bundle_dir, cid):
            subprocess.run(["runc", "--root", runc_root, "run", "--detach", "--bundle", bundle_dir,
                            cid], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            bare_ids.append(cid)

        def bare_create(i, template=cfg, tag="bare"):
            cid = f"bench-{tag}-{os.getpid()}-{i}"
            write_config(bare_bundle, template, cid)
            t = time.monotonic()
            runc_run(bare_bundle, cid)
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

        def bare_netns_create(i):
            return bare_create(i, cfg_netns, "netns")

        # The run.sh baseline: a fresh writable layer per container (overlay
        # over the probe's idmapped lower, upper owned by the user
        # namespace's root), so runc's mount points are made in a new layer
        # as berthd's are; prepared untimed, overlay mount(2) + runc timed.
        lower = os.path.join(bundle, "userns", "lower")
        base = cfg["linux"]["uidMappings"][0]["hostID"]

        def fresh_create(i):
            b = os.path.join(work, f"fresh{i}")
            for d in ("upper", "work", "rootfs"):
                os.makedirs(os.path.join(b, d))
            for d in ("upper", "work"):
                os.chown(os.path.join(b, d), base, base)
            os.chmod(b, 0o711)
            cid = f"bench-fresh-{os.getpid()}-{i}"
            write_config(b, cfg, cid, os.path.join(b, "rootfs"))
            data = f"lowerdir={lower},upperdir={b}/upper,workdir={b}/work".encode()
            t = time.monotonic()
            if LIBC.mount(b"overlay", f"{b}/rootfs".encode(), b"overlay", 0, data) != 0:
                raise OSError(ctypes.get_errno(), "mount overlay")
            fresh_roots[cid] = b
            runc_run(b, cid)
            return cid, time.monotonic() - t

        def fresh_delete(cid):
            t = time.monotonic()
            bare_delete(cid)
            b = fresh_roots.pop(cid)
            LIBC.umount2(f"{b}/rootfs".encode(), 0)
            shutil.rmtree(b)
            return time.monotonic() - t

        results = {"berthd": ([], []), "bare": ([], []), "netns": ([], []), "fresh": ([], [])}
        cases = [("berthd", berth_create, berth_delete), ("bare", bare_create, bare_delete),
                 ("netns", bare_netns_create, bare_delete), ("fresh", fresh_create, fresh_delete)]
        for i in range(-1, a.n):  # round -1: warm-up, untimed
            order = cases[i % 4:] + cases[:i % 4]
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
        b, r, n, fr = row("berthd"), row("bare"), row("netns"), row("fresh")
        print(f"N={a.n} rounds; load average {open('/proc/loadavg').read().split()[:3]}")
        print("| case | create p50 ms | create p90 ms | delete p50 ms | delete p90 ms |")
        print("|---|---:|---:|---:|---:|")
        print("| berthd REST, runc, own netns (rtnetlink) + NAT | %.1f | %.1f | %.1f | %.1f |" % tuple(b))
        print("| bare `runc run --detach` / `runc delete --force`, no network | %.1f | %.1f | %.1f | %.1f |"
              % tuple(r))
        print("| (extra) bare `runc run --detach`, same bundle with its own network namespace "
              "(nothing wired) | %.1f | %.1f | %.1f | %.1f |" % tuple(n))
        print("| bare overlay mount(2) + `runc run --detach` on a fresh writable layer (the run.sh "
              "baseline), no network / `runc delete --force` + umount | %.1f | %.1f | %.1f | %.1f |"
              % tuple(fr))
        print(f"| ratio of p50s, berthd / bare | {b[0] / r[0]:.2f}× | | {b[2] / r[2]:.2f}× | |")
        print(f"| ratio of p50s, berthd / bare on a fresh layer | {b[0] / fr[0]:.2f}× | | "
              f"{b[2] / fr[2]:.2f}× | |")
        print(f"| (extra) ratio of p50s, bare with netns / bare | {n[0] / r[0]:.2f}× | | {n[2] / r[2]:.2f}× | |")
        for base_case in ("bare", "fresh"):
            per_round = [x / y for x, y in zip(results["berthd"][0], results[base_case][0])]
            print(f"\nmedian per-round create ratio berthd / {base_case} "
                  f"{statistics.median(per_round):.2f}×")
        print()  # one line per target (SPEC §10, issue 12), for a rerun on an idle machine
        for what, ratio in (("create", b[0] / r[0]), ("delete", b[2] / r[2])):
            print(f"session {what} with own network berthd/bare p50 {ratio:.2f} (target <= 1.50) "
                  f"{'PASS' if ratio <= 1.5 else 'FAIL'}")
    finally:
        for cid in list(bare_ids):
            subprocess.run(["runc", "--root", runc_root, "delete", "--force", cid],
                           capture_output=True)
        for b in fresh_roots.values():
            LIBC.umount2(f"{b}/rootfs".encode(), 0)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
