#!/usr/bin/env python3
"""bench/sessions/many.py: N sessions alive at once, each with its own network
namespace (SPEC §10: 100 sessions, manager RSS < 100 MiB; issue 12).

One berthd (runc driver) on its own bridge and subnet starts N sessions one
after the other through REST (no mounts, automount off, 64 MiB memory
each), recording create latency and berthd's VmRSS as the count grows. Then
every session proves from inside (one exec each) that it has its own
address and reaches a web server in a network namespace the script made
(berth-bench-inet-<random>, joined to the host by a veth pair in
198.18.<n>.0/24, RFC 2544 space routed nowhere; --session-dns points there,
so no session asks the host's resolver). Then all are deleted and the host
is checked for leftovers: veths on the bridge, leases, namespaces of the
sessions, the bridge's firewall rules once berthd has exited.

Usage (root): bench/sessions/many.py [--berthd PATH] [--n 100]
Prints Markdown tables. Cleans up everything it made.
"""
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time

from bench_rest import api, bench_args, pct


CHECK = """
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
s.sendall(b"GET /hello.txt HTTP/1.0\\r\\n\\r\\n")
body = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    body += b
print(s.getsockname()[0], body.split(b"\\r\\n\\r\\n", 1)[-1].decode().strip())
"""


def sh(*argv, check=True):
    return subprocess.run(list(argv), check=check, capture_output=True, text=True, timeout=30)


def rss_mib(pid, field="VmRSS"):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def veths_on(bridge):
    out = json.loads(sh("ip", "-j", "link").stdout)
    return sorted(l["ifname"] for l in out if l.get("master") == bridge)


class Inet:
    """A namespace with a web server at self.addr:8080, routed from the host."""

    def __init__(self, root):
        tag = f"{random.getrandbits(24):06x}"
        n = random.randrange(0, 256)
        self.ns, self.host_if = f"berth-bench-inet-{tag}", f"bbi{tag}"
        self.host_addr, self.addr, self.root = f"198.18.{n}.1", f"198.18.{n}.2", root
        self.server = None

    def start(self):
        inside = ["ip", "netns", "exec", self.ns]
        sh("ip", "netns", "add", self.ns)
        sh("ip", "link", "add", self.host_if, "type", "veth", "peer", "name", "eth0",
           "netns", self.ns)
        sh("ip", "addr", "add", f"{self.host_addr}/24", "dev", self.host_if)
        sh("ip", "link", "set", self.host_if, "up")
        sh(*inside, "ip", "addr", "add", f"{self.addr}/24", "dev", "eth0")
        sh(*inside, "ip", "link", "set", "eth0", "up")
        sh(*inside, "ip", "link", "set", "lo", "up")
        self.server = subprocess.Popen(
            [*inside, "python3", "-m", "http.server", "8080", "--bind", self.addr,
             "--directory", self.root], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        return self

    def stop(self):
        if self.server:
            self.server.kill()
            self.server.wait(timeout=10)
        sh("ip", "link", "del", self.host_if, check=False)
        sh("ip", "netns", "del", self.ns, check=False)


def main():
    a = bench_args(100)
    work = tempfile.mkdtemp(prefix="berth-bench-many-", dir="/var/tmp")
    data, www = os.path.join(work, "data"), os.path.join(work, "www")
    os.makedirs(data)
    os.makedirs(www)
    with open(os.path.join(www, "hello.txt"), "w") as f:
        f.write("hello\n")
    bridge = "bmany%04x" % (os.getpid() & 0xffff)
    inet = Inet(www)
    proc = None
    names = []
    try:
        inet.start()
        log = open(os.path.join(work, "berthd.log"), "wb")
        proc = subprocess.Popen(
            [a.berthd, "--data-dir", data, "--listen", "127.0.0.1:0", "--images-dir",
             a.images_dir, "--session-bridge", bridge, "--session-subnet", "10.214.0.0/16",
             "--session-dns", inet.addr, "--max-sessions-per-user", str(a.n + 10)],
            stdout=log, stderr=subprocess.STDOUT)
        addr = os.path.join(data, "berthd.addr")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (os.path.exists(addr) and open(addr).read().strip()):
            time.sleep(0.05)
        url = open(addr).read().strip()
        token = open(os.path.join(data, "admin.token")).read().strip()
        rss = [(0, rss_mib(proc.pid))]
        lat, ips = [], {}
        t_all = time.monotonic()
        for i in range(a.n):
            t = time.monotonic()
            status, body = api(url, token, "POST", "/sessions",
                               {"name": f"m{i}", "automount": False,
                                "resources": {"memory_bytes": 64 << 20}})
            lat.append(time.monotonic() - t)
            assert status == 201, body
            names.append(f"m{i}")
            ips[f"m{i}"] = json.loads(body)["network"]["ip"]
            if (i + 1) % 25 == 0:
                rss.append((i + 1, rss_mib(proc.pid)))
        create_all = time.monotonic() - t_all
        assert len(set(ips.values())) == a.n, "an address was given twice"
        veths_alive = len(veths_on(bridge))

        reached = 0
        for name in names:
            _, body = api(url, token, "POST", f"/sessions/{name}/exec",
                          {"command": ["python3", "-c", CHECK, inet.addr, "8080"],
                           "timeout_s": 60})
            r = json.loads(body)
            if r["exit_code"] == 0 and r["stdout"].split() == [ips[name], "hello"]:
                reached += 1
            else:
                print(f"{name}: {r}")
        rss_alive = rss_mib(proc.pid)

        dlat = []
        t_all = time.monotonic()
        for name in list(names):
            t = time.monotonic()
            status, _ = api(url, token, "DELETE", "/sessions/" + name)
            dlat.append(time.monotonic() - t)
            assert status == 204
            names.remove(name)
        delete_all = time.monotonic() - t_all
        rss_after, hwm = rss_mib(proc.pid), rss_mib(proc.pid, "VmHWM")
        left_veths = veths_on(bridge)
        lease_dir = os.path.join(data, "network", "ipam", "berth")
        left_leases = [f for f in os.listdir(lease_dir) if f[0].isdigit()]
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        proc = None
        left_rules = [l for tool in ("iptables-save", "ip6tables-save")
                      for l in sh(tool).stdout.splitlines() if bridge in l]
        bridge_left = os.path.exists(f"/sys/class/net/{bridge}")

        print(f"N={a.n}; load average {open('/proc/loadavg').read().split()[:3]}")
        print("| sessions alive | create p50 ms | create p90 ms (of the last 25) | berthd VmRSS MiB |")
        print("|---:|---:|---:|---:|")
        for k, (count, mib) in enumerate(rss[1:], 1):
            window = lat[count - 25:count]
            print(f"| {count} | {pct(window, .5) * 1e3:.1f} | {pct(window, .9) * 1e3:.1f} | {mib:.1f} |")
        print()
        print("| what | value |")
        print("|---|---:|")
        print(f"| create all, one after the other | {create_all:.2f} s (p50 {pct(lat, .5) * 1e3:.1f} ms, "
              f"p90 {pct(lat, .9) * 1e3:.1f} ms) |")
        print(f"| distinct addresses / veths on the bridge while alive | {len(set(ips.values()))} / {veths_alive} |")
        print(f"| sessions that reached the test server from their own address | {reached} / {a.n} |")
        print(f"| berthd VmRSS idle → {a.n} alive (after the execs) → after delete | "
              f"{rss[0][1]:.1f} → {rss_alive:.1f} → {rss_after:.1f} MiB |")
        print(f"| berthd VmHWM (peak) | {hwm:.1f} MiB (target < 100 MiB: {'met' if hwm < 100 else 'NOT met'}) |")
        print(f"| delete all | {delete_all:.2f} s (p50 {pct(dlat, .5) * 1e3:.1f} ms, "
              f"p90 {pct(dlat, .9) * 1e3:.1f} ms) |")
        print(f"| left after delete + berthd exit: veths, leases, rules, bridge | "
              f"{len(left_veths)}, {len(left_leases)}, {len(left_rules)}, {int(bridge_left)} |")
        ok = reached == a.n and not left_veths and not left_leases and not left_rules \
            and not bridge_left and hwm < 100
        raise SystemExit(0 if ok else 1)
    finally:
        if proc is not None:
            for name in names:
                try:
                    api(url, token, "DELETE", "/sessions/" + name)
                except Exception as e:  # noqa: BLE001 (best effort cleanup)
                    print(f"cleanup {name}: {e}")
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
        inet.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
