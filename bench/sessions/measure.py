#!/usr/bin/env python3
"""bench/sessions/measure.py: the timing half of bench/sessions/run.sh.

run.sh does the set-up (berthd, folders, the baseline OCI bundle template,
dockerd and its image) and the clean-up; this program only runs and times
the cases, so that every case is timed the same way, by one clock
(time.perf_counter) in one process:

  latency  session create and delete, cases interleaved round by round:
             berthd   POST /api/v1/sessions (201 = running), DELETE (204 = gone)
             runc     overlay mount(2) + `runc run --detach` / `runc delete
                      --force` + umount2(2) + removal of the bundle
             docker   `docker run -d` / `docker rm -f` (the CLI, as a user runs it)
             berthd-docker  as berthd, against a berthd started with
                      --runtime docker (only if run.sh found it working)
  many     N sessions alive at once through berthd: create them one after
           the other, read berthd's VmRSS/VmHWM and the host's used memory,
           delete them all
  report   Markdown from the JSON the two commands above wrote

Every HTTP request opens a fresh connection (as curl does) and its time ends
when the whole response has been read. Nothing is timed that the case itself
does not do: bundle directories and config.json for runc are prepared before
the clock starts (berthd pays for its own), JSON is parsed after it stops.
"""
import argparse
import copy
import ctypes
import http.client
import json
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse

LIBC = ctypes.CDLL(None, use_errno=True)
MNT_DETACH = 2


def log(msg):
    print(f"[sessions] {msg}", file=sys.stderr, flush=True)


# ---- berthd over REST ------------------------------------------------------
class Berthd:
    def __init__(self, url, token):
        u = urllib.parse.urlparse(url)
        self.host, self.port = u.hostname, u.port
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def request(self, method, path, body=None):
        """Returns (status, body bytes, seconds)."""
        data = json.dumps(body).encode() if body is not None else None
        t0 = time.perf_counter()
        c = http.client.HTTPConnection(self.host, self.port, timeout=120)
        c.request(method, path, body=data, headers=self.headers)
        r = c.getresponse()
        payload = r.read()
        t1 = time.perf_counter()
        c.close()
        return r.status, payload, t1 - t0

    def create(self, name, mounts, automount=True, ids=None):
        st, payload, t = self.request("POST", "/api/v1/sessions",
                                      {"name": name, "mounts": mounts, "automount": automount})
        if st != 201:
            raise RuntimeError(f"create session {name}: HTTP {st} {payload[:300]!r}")
        s = json.loads(payload)
        if s.get("status") != "running":
            raise RuntimeError(f"create session {name}: status {s.get('status')!r}, not running")
        if ids is not None:
            ids.append(s["id"])
        return t

    def delete(self, name):
        st, payload, t = self.request("DELETE", f"/api/v1/sessions/{name}")
        if st != 204:
            raise RuntimeError(f"delete session {name}: HTTP {st} {payload[:300]!r}")
        return t


# ---- bare runc -------------------------------------------------------------
class BareRunc:
    """The baseline: the same config.json berthd wrote (paths moved into our
    own bundle), the same overlay over the same image rootfs, the same bind
    mounts, its own runc --root."""

    def __init__(self, runc, root, work, lower, template_dir, old_bundle, home_from, home_to):
        self.runc, self.root, self.work = runc, root, work
        with open(os.path.join(template_dir, "config.json")) as f:
            self.template = json.load(f)
        self.old_bundle = old_bundle.rstrip("/")
        self.home_from, self.home_to = home_from.rstrip("/"), home_to
        self.lower = lower
        self.etc = {n: open(os.path.join(template_dir, "etc", n)).read()
                    for n in ("hostname", "hosts", "resolv.conf")}
        self.bundle = self.cid = None

    def _rewrite(self, node, bundle):
        if isinstance(node, dict):
            return {k: self._rewrite(v, bundle) for k, v in node.items()}
        if isinstance(node, list):
            return [self._rewrite(v, bundle) for v in node]
        if isinstance(node, str):
            if node == self.old_bundle or node.startswith(self.old_bundle + "/"):
                return bundle + node[len(self.old_bundle):]
            if node == self.home_from:
                return self.home_to
        return node

    def prepare(self, cid):
        """Untimed: a fresh bundle dir with upper/work/rootfs, etc files and config.json."""
        self.cid, self.bundle = cid, os.path.join(self.work, cid)
        for d in ("upper", "work", "rootfs", "etc"):
            os.makedirs(os.path.join(self.bundle, d))
        for n, text in self.etc.items():
            with open(os.path.join(self.bundle, "etc", n), "w") as f:
                f.write(text)
        cfg = self._rewrite(copy.deepcopy(self.template), self.bundle)
        cfg["linux"]["cgroupsPath"] = "/berth/" + cid
        with open(os.path.join(self.bundle, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)

    def create(self):
        b = self.bundle
        data = f"lowerdir={self.lower},upperdir={b}/upper,workdir={b}/work".encode()
        t0 = time.perf_counter()
        if LIBC.mount(b"overlay", f"{b}/rootfs".encode(), b"overlay", 0, data) != 0:
            raise OSError(ctypes.get_errno(), "mount overlay")
        with open(f"{b}/container.log", "ab") as out:
            rc = subprocess.run([self.runc, "--root", self.root, "--log", f"{b}/runc.log",
                                 "--log-format", "json", "run", "--detach", "--bundle", b,
                                 "--pid-file", f"{b}/init.pid", self.cid],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=out).returncode
        t = time.perf_counter() - t0
        if rc != 0:
            with open(f"{b}/runc.log", errors="replace") as f:
                raise RuntimeError(f"{self.runc} run {self.cid}: exit {rc}: {f.read()[-600:]}")
        return t

    def check_running(self):
        out = subprocess.run([self.runc, "--root", self.root, "state", self.cid],
                             capture_output=True, check=True).stdout
        status = json.loads(out)["status"]
        if status != "running":
            raise RuntimeError(f"bare runc container {self.cid} is {status}")

    def delete(self, kill_first=False):
        """`runc delete --force`, or with kill_first: SIGKILL the container's
        init through a pidfd, wait for it to exit, then a plain `runc delete`
        (runc 1.1's --force on a running container sleeps 100 ms before it
        even looks again; a stopped container is destroyed at once)."""
        b = self.bundle
        t0 = time.perf_counter()
        argv = [self.runc, "--root", self.root, "delete", "--force", self.cid]
        if kill_first:
            with open(f"{b}/init.pid") as f:
                fd = os.pidfd_open(int(f.read()))
            try:
                signal.pidfd_send_signal(fd, signal.SIGKILL)
                select.select([fd], [], [], 10)
            finally:
                os.close(fd)
            argv.remove("--force")
        subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, check=True)
        if LIBC.umount2(f"{b}/rootfs".encode(), MNT_DETACH) != 0:
            raise OSError(ctypes.get_errno(), "umount overlay")
        shutil.rmtree(b)
        return time.perf_counter() - t0


# ---- docker ----------------------------------------------------------------
class Docker:
    """`docker run -d` with the same bind mounts (from the same config.json),
    same user, same init (tini bind-mounted at the same path), host network
    like Berth, no capabilities, no_new_privileges, the same pids limit."""

    def __init__(self, docker, host, image, template_cfg, home_from, home_to, env_file):
        self.base = [docker, "-H", host]
        self.image = image
        argv = ["--network", "host", "--ipc", "private",
                "--hostname", template_cfg["hostname"],
                "--user", "{uid}:{gid}".format(**template_cfg["process"]["user"]),
                "--workdir", template_cfg["process"]["cwd"],
                "--security-opt", "no-new-privileges", "--cap-drop", "ALL",
                "--pids-limit", "4096", "--env-file", env_file,
                "--entrypoint", template_cfg["process"]["args"][0]]
        with open(env_file, "w") as f:
            f.write("".join(e + "\n" for e in template_cfg["process"]["env"]))
        skip = {"/etc/hostname", "/etc/hosts", "/etc/resolv.conf"}  # docker writes its own
        for m in template_cfg["mounts"]:
            if m["type"] != "bind" or m["destination"] in skip:
                continue
            src = home_to if m["source"] == home_from else m["source"]
            spec = f"type=bind,src={src},dst={m['destination']}"
            if "ro" in m.get("options", []):
                spec += ",readonly"
            argv += ["--mount", spec]
        self.run_args = argv + [image] + template_cfg["process"]["args"][1:]
        self.name = None

    def create(self, name):
        self.name = name
        t0 = time.perf_counter()
        subprocess.run(self.base + ["run", "-d", "--name", name] + self.run_args,
                       stdin=subprocess.DEVNULL, capture_output=True, check=True)
        return time.perf_counter() - t0

    def check_running(self):
        out = subprocess.run(self.base + ["inspect", "-f", "{{.State.Running}}", self.name],
                             capture_output=True, text=True, check=True).stdout.strip()
        if out != "true":
            raise RuntimeError(f"docker container {self.name} is not running")

    def delete(self):
        t0 = time.perf_counter()
        subprocess.run(self.base + ["rm", "-f", self.name],
                       stdin=subprocess.DEVNULL, capture_output=True, check=True)
        return time.perf_counter() - t0


# ---- commands --------------------------------------------------------------
def cmd_latency(a):
    mounts = [{"folder": f} for f in a.folders.split(",")]
    tag = f"{os.getpid()}"
    cases = {}
    berthd = Berthd(a.url, a.token)

    def b_cycle(i):
        name = f"b{tag}-{i}"
        return berthd.create(name, mounts), berthd.delete(name)
    cases["berthd"] = b_cycle

    def bare_case(name, kill_first=False):
        rt = BareRunc(a.runc, a.runc_root, a.work, a.rootfs, a.template_dir, a.template_bundle,
                      a.template_home, a.home)

        def cycle(i):
            rt.prepare(f"bench-{name}-{tag}-{i}")
            c = rt.create()
            if i <= 1:
                rt.check_running()
            return c, rt.delete(kill_first)
        cases[name] = cycle
    bare_case("runc")
    # Extra: the delete that runc_runtime.cc could do instead (see the report).
    bare_case("runc-kill", kill_first=True)

    if a.docker_host:
        with open(os.path.join(a.template_dir, "config.json")) as f:
            cfg = json.load(f)
        dk = Docker(a.docker, a.docker_host, a.docker_image, cfg, a.template_home, a.home,
                    os.path.join(a.work, "docker.env"))

        def d_cycle(i):
            c = dk.create(f"bench-docker-{tag}-{i}")
            if i <= 1:
                dk.check_running()
            return c, dk.delete()
        cases["docker"] = d_cycle

    if a.berthd_docker_url:
        bd = Berthd(a.berthd_docker_url, a.berthd_docker_token)

        def bd_cycle(i):
            name = f"bd{tag}-{i}"
            return bd.create(name, mounts), bd.delete(name)
        cases["berthd-docker"] = bd_cycle

    def fsync_probe(i):
        """Five small files written, fsync'd and renamed into berthd's data dir:
        what WriteFileAtomic costs berthd per create (hostname, hosts,
        resolv.conf, config.json, the notice file). Timed as its 'create'."""
        d = os.path.join(a.fsync_dir, f"probe-{tag}-{i}")
        os.makedirs(d)
        t0 = time.perf_counter()
        for n in ("hostname", "hosts", "resolv.conf", "config.json", "notice"):
            fd = os.open(f"{d}/{n}.tmp", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            os.write(fd, b"x" * 512)
            os.fsync(fd)
            os.close(fd)
            os.rename(f"{d}/{n}.tmp", f"{d}/{n}")
        t = time.perf_counter() - t0
        shutil.rmtree(d)
        return t, 0.0
    if a.fsync_dir:
        cases["fsync5"] = fsync_probe

    names = list(cases)
    log(f"warm-up: one untimed create+delete of each of {', '.join(names)}")
    for n in names:
        cases[n](0)
    raw = {n: {"create": [], "delete": []} for n in names}
    for i in range(1, a.n + 1):
        order = names[i % len(names):] + names[:i % len(names)]  # rotate each round
        for n in order:
            c, d = cases[n](i)
            raw[n]["create"].append(c)
            raw[n]["delete"].append(d)
        if i % 5 == 0 or i == a.n:
            log(f"latency: round {i}/{a.n}")
    with open(a.out, "w") as f:
        json.dump({"n": a.n, "order": names, "raw": raw}, f, indent=1)


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {key} for pid {pid}")


def host_used_kib():
    m = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":")
            m[k] = int(v.split()[0])
    return m["MemTotal"] - m["MemAvailable"]


def containers_kib(ids):
    """Memory charged to the sessions' own cgroups (cgroup v1 memory controller,
    cgroupsPath /berth/<id>): what the sessions cost the host, without the
    noise of everything else running on it."""
    total = 0
    for i in ids:
        for p in (f"/sys/fs/cgroup/memory/berth/{i}/memory.usage_in_bytes",
                  f"/sys/fs/cgroup/berth/{i}/memory.current"):
            if os.path.exists(p):
                with open(p) as f:
                    total += int(f.read())
                break
    return total // 1024


def cmd_many(a):
    berthd = Berthd(a.url, a.token)
    tag = f"{os.getpid()}"
    names = [f"m{tag}-{i}" for i in range(a.count)]
    before = {"rss": status_kib(a.pid, "VmRSS"), "hwm": status_kib(a.pid, "VmHWM"),
              "host": host_used_kib()}
    creates, deletes, ids = [], [], []
    t0 = time.perf_counter()
    try:
        for n in names:
            creates.append(berthd.create(n, [], automount=False, ids=ids))
            if len(creates) % 25 == 0:
                log(f"many: {len(creates)}/{a.count} sessions running")
        t_create = time.perf_counter() - t0
        st, payload, _ = berthd.request("GET", "/api/v1/sessions")
        listed = json.loads(payload) if st == 200 else []
        if isinstance(listed, dict):
            listed = listed.get("sessions", listed.get("items", []))
        running = sum(1 for s in listed if s.get("name") in set(names)
                      and s.get("status") == "running")
        alive = {"rss": status_kib(a.pid, "VmRSS"), "hwm": status_kib(a.pid, "VmHWM"),
                 "host": host_used_kib(), "running": running, "cgroups": containers_kib(ids)}
    finally:
        t1 = time.perf_counter()
        for n in names[:len(creates)]:
            deletes.append(berthd.delete(n))
        t_delete = time.perf_counter() - t1
    after = {"rss": status_kib(a.pid, "VmRSS"), "hwm": status_kib(a.pid, "VmHWM"),
             "host": host_used_kib()}
    with open(a.out, "w") as f:
        json.dump({"count": a.count, "t_create": t_create, "t_delete": t_delete,
                   "creates": creates, "deletes": deletes,
                   "before": before, "alive": alive, "after": after}, f, indent=1)


def pct(xs, p):
    """Percentile by linear interpolation between closest ranks (numpy's default)."""
    s = sorted(xs)
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def ms(x):
    return f"{x * 1000:.1f}"


def cmd_report(a):
    with open(a.latency) as f:
        lat = json.load(f)
    raw = lat["raw"]
    st = {n: {k: {"p50": pct(v[k], 50), "p90": pct(v[k], 90), "min": min(v[k]),
                  "max": max(v[k])} for k in ("create", "delete")} for n, v in raw.items()}
    print("| case | create p50 ms | create p90 ms | delete p50 ms | delete p90 ms |")
    print("|---|---:|---:|---:|---:|")
    labels = {"berthd": "berthd REST, runc driver", "runc": "bare runc (baseline)",
              "docker": "`docker run -d` / `docker rm -f`",
              "berthd-docker": "berthd REST, docker driver",
              "fsync5": "(extra) 5 × small write+fsync+rename in berthd's data dir (create column)",
              "runc-kill": "(extra) bare runc; delete = pidfd SIGKILL + wait + `runc delete`"}
    for n in raw:
        s = st[n]
        dl = (f"{ms(s['delete']['p50'])} | {ms(s['delete']['p90'])}"
              if s["delete"]["max"] > 0 else "— | —")
        print(f"| {labels[n]} | {ms(s['create']['p50'])} | {ms(s['create']['p90'])} | {dl} |")
    print()

    def verdict(ok):
        return "met" if ok else "**missed**"
    b, r = st["berthd"], st["runc"]

    def paired(num, den, k):
        """Median of the per-round ratios: the two ran within seconds of each other,
        so load that drifts over the run cancels out."""
        return statistics.median(x / y for x, y in zip(raw[num][k], raw[den][k]))
    print("| target (SPEC §10) | ratio of p50s | ratio of p90s | median per-round ratio | verdict |")
    print("|---|---:|---:|---:|---|")
    cr = b["create"]["p50"] / r["create"]["p50"]
    print(f"| create ≤ 1.5× bare runc (berthd/runc) | {cr:.2f}× | "
          f"{b['create']['p90'] / r['create']['p90']:.2f}× | "
          f"{paired('berthd', 'runc', 'create'):.2f}× | {verdict(cr <= 1.5)} |")
    if "docker" in st:
        d = st["docker"]
        dr = d["create"]["p50"] / b["create"]["p50"]
        print(f"| create ≥ 3× faster than `docker run` (docker/berthd) | {dr:.2f}× | "
              f"{d['create']['p90'] / b['create']['p90']:.2f}× | "
              f"{paired('docker', 'berthd', 'create'):.2f}× | {verdict(dr >= 3)} |")
    else:
        print("| create ≥ 3× faster than `docker run` | not measured (no Docker engine) "
              "| | | skipped |")
    dl = b["delete"]["p50"] / r["delete"]["p50"]
    print(f"| delete ≤ 1.5× bare `runc delete --force` (berthd/runc) | {dl:.2f}× | "
          f"{b['delete']['p90'] / r['delete']['p90']:.2f}× | "
          f"{paired('berthd', 'runc', 'delete'):.2f}× | {verdict(dl <= 1.5)} |")
    if "runc-kill" in st:
        rk = st["runc-kill"]
        print(f"| (extra) pidfd kill + `runc delete` / `runc delete --force` | "
              f"{rk['delete']['p50'] / r['delete']['p50']:.2f}× | "
              f"{rk['delete']['p90'] / r['delete']['p90']:.2f}× | "
              f"{paired('runc-kill', 'runc', 'delete'):.2f}× | |")
    if "fsync5" in st:
        f5 = st["fsync5"]["create"]["p50"]
        over = b["create"]["p50"] - r["create"]["p50"]
        print(f"| (extra) berthd create overhead over bare runc (p50 difference) | "
              f"{ms(over)} ms, of which 5 fsyncs ≈ {ms(f5)} ms | | | |")
    if "berthd-docker" in st and "docker" in st:
        bd, d = st["berthd-docker"], st["docker"]
        print(f"| (info) berthd docker driver / `docker run` | "
              f"{bd['create']['p50'] / d['create']['p50']:.2f}× create, "
              f"{bd['delete']['p50'] / d['delete']['p50']:.2f}× delete | | | |")
    print()
    if a.many:
        with open(a.many) as f:
            m = json.load(f)
        mib = lambda kib: f"{kib / 1024:.1f}"  # noqa: E731
        print(f"| {m['count']} sessions alive at once (no mounts, automount off) | value |")
        print("|---|---:|")
        print(f"| create all, one after the other | {m['t_create']:.2f} s "
              f"(p50 {ms(pct(m['creates'], 50))} ms, p90 {ms(pct(m['creates'], 90))} ms) |")
        print(f"| sessions listed as running | {m['alive']['running']} |")
        print(f"| berthd VmRSS idle → {m['count']} alive → after delete | "
              f"{mib(m['before']['rss'])} → {mib(m['alive']['rss'])} → "
              f"{mib(m['after']['rss'])} MiB |")
        hwm_ok = m["after"]["hwm"] < 100 * 1024
        print(f"| berthd VmHWM (peak) at the end | {mib(m['after']['hwm'])} MiB "
              f"(target < 100 MiB: {verdict(hwm_ok)}) |")
        print(f"| host memory used (MemTotal − MemAvailable) idle → alive | "
              f"{mib(m['before']['host'])} → {mib(m['alive']['host'])} MiB "
              f"(+{mib(m['alive']['host'] - m['before']['host'])} MiB, "
              f"{(m['alive']['host'] - m['before']['host']) / m['count'] / 1024:.1f} MiB/session) |")
        print(f"| memory charged to the {m['count']} sessions' cgroups | "
              f"{mib(m['alive']['cgroups'])} MiB "
              f"({m['alive']['cgroups'] / m['count'] / 1024:.2f} MiB/session) |")
        print(f"| delete all | {m['t_delete']:.2f} s "
              f"(p50 {ms(pct(m['deletes'], 50))} ms, p90 {ms(pct(m['deletes'], 90))} ms) |")
        print()
    print(f"Raw latencies, ms, in round order ({lat['n']} rounds; the case order rotates "
          f"each round):")
    print()
    for n in raw:
        for k in ("create", "delete"):
            if max(raw[n][k]) > 0:
                print(f"- {n} {k}: " + " ".join(ms(x) for x in raw[n][k]))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    lat = sub.add_parser("latency")
    lat.add_argument("--url", required=True)
    lat.add_argument("--token", required=True)
    lat.add_argument("--folders", required=True, help="comma-separated folders to mount")
    lat.add_argument("--n", type=int, default=30)
    lat.add_argument("--runc", default="runc")
    lat.add_argument("--runc-root", required=True)
    lat.add_argument("--work", required=True, help="where the baseline bundles go")
    lat.add_argument("--rootfs", required=True, help="image rootfs (overlay lowerdir)")
    lat.add_argument("--template-dir", required=True,
                     help="copy of a berthd session's bundle files (config.json, etc/)")
    lat.add_argument("--template-bundle", required=True,
                     help="that session's bundle path, as in its config.json")
    lat.add_argument("--template-home", required=True,
                     help="that session's scratch home path, as in its config.json")
    lat.add_argument("--home", required=True, help="scratch home for runc and docker")
    lat.add_argument("--docker", default="docker")
    lat.add_argument("--docker-host")
    lat.add_argument("--docker-image")
    lat.add_argument("--berthd-docker-url")
    lat.add_argument("--berthd-docker-token")
    lat.add_argument("--fsync-dir", help="also time 5 small write+fsync+rename here")
    lat.add_argument("--out", required=True)
    many = sub.add_parser("many")
    many.add_argument("--url", required=True)
    many.add_argument("--token", required=True)
    many.add_argument("--pid", type=int, required=True, help="berthd's pid")
    many.add_argument("--count", type=int, default=100)
    many.add_argument("--out", required=True)
    rep = sub.add_parser("report")
    rep.add_argument("--latency", required=True)
    rep.add_argument("--many")
    a = p.parse_args()
    {"latency": cmd_latency, "many": cmd_many, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    main()
