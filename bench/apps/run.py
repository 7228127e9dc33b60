#!/usr/bin/env python3
"""bench/apps: a 100 MB download from an app through berthd's apps origin
(the proxy: Bearer check, namespace dialer, header rewrite, byte copy) vs
the same download made directly from inside the session's network
namespace (issue 12 item 4: proxied ≥ 0.8 × direct).

The app is `python3 -m http.server` in a session of a throw-away image
`fileapp` (the python image's rootfs, tests/integration/app_images.py). The
file lives at /home/work/s/<id>/files/big so that the proxied path
/s/<id>/files/big and the direct one are the same file. Direct = curl run
with `nsenter --net` into the session's namespace against 127.0.0.1:<port>
(where the app listens); proxied = curl against the apps URL with a Bearer
token. Rounds alternate; the median of N rounds each is reported.

Two modes, each with its own berthd: `http` (the splice path; target
proxied ≥ 0.8 × direct) and `https` (berthd with a self-signed test
certificate, --tls-cert: the apps origin's TLS pump, apps/tls_pump.h; curl
verifies with --cacert; no target set, the number is reported).

Usage (root, runc, curl, nsenter):
  BERTH_BIN_DIR=build/src/cmd BERTH_IMAGES_DIR=/var/cache/berth-test/images \\
    python3 bench/apps/run.py [--rounds 9] [--mb 100] [--modes http,https]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
from app_images import make_images_dir, remove_images_dir  # noqa: E402
from berth_harness import Berthd  # noqa: E402
from pki import make_pki  # noqa: E402


def curl_run(argv):
    """(MB/s, time to first byte in ms, total ms) of one download."""
    out = subprocess.run(argv + ["-s", "-o", "/dev/null", "-w",
                                 "%{http_code} %{speed_download} %{time_starttransfer} %{time_total}"],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    code, speed, ttfb, total = out.split()
    assert code == "200", out
    return float(speed) / 1e6, float(ttfb) * 1e3, float(total) * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--mb", type=int, default=100)
    ap.add_argument("--modes", default="http,https")
    args = ap.parse_args()
    source = os.environ.get("BERTH_IMAGES_DIR", "/var/cache/berth-test/images")
    app = {"name": "files", "display_name": "Files", "port": 8900,
           "command": "python3 -m http.server {port} --bind 127.0.0.1 --directory /home/work"}
    images = make_images_dir(source, {"fileapp": [app]})
    try:
        for mode in args.modes.split(","):
            with tempfile.TemporaryDirectory(prefix="berth-bench-pki-") as pki_dir:
                measure(mode, args, images, pki_dir)
    finally:
        remove_images_dir(images)


def measure(mode, args, images, pki_dir):
    berthd_args = ["--images-dir", images]
    curl = ["curl"]
    if mode == "https":
        ca, cert, key = make_pki(pki_dir)
        berthd_args += ["--tls-cert", cert, "--tls-key", key]
        curl += ["--cacert", ca]
    b = Berthd(berthd_args).start()
    try:
        r = b.api("POST", "/sessions", {"name": "bench", "image": "fileapp", "automount": False})
        assert r.status == 201, r
        sid = r.json()["id"]
        r = b.api("POST", "/sessions/bench/exec", {"command": [
            "sh", "-c", f"mkdir -p s/{sid}/files && head -c {args.mb}M /dev/urandom > s/{sid}/files/big"],
            "timeout_s": 120})
        assert r.status == 200 and r.json()["exit_code"] == 0, r
        url = b.api("GET", "/sessions/bench/apps").json()["apps"][0]["url"]
        assert url.startswith(mode + "://"), url
        assert b.api("GET", "/sessions/bench/apps/files/open").status == 302  # starts it
        proxied = curl + ["-H", "Authorization: Bearer " + b.token, url + "big"]
        for _ in range(100):  # wait until it serves (bounded)
            code = subprocess.run(proxied + ["-s", "-o", "/dev/null", "-w", "%{http_code}"],
                                  capture_output=True, text=True).stdout
            if code == "200":
                break
            subprocess.run(["sleep", "0.2"])
        # Where it listens and which namespace it is in: its args and pid.
        ps = b.api("POST", "/sessions/bench/exec", {"command": ["ps", "-eo", "args"]}).json()["stdout"]
        port = int(re.search(r"http\.server (\d+)", ps).group(1))
        pid = json.loads(subprocess.run(
            ["runc", "--root", default_runc_root(b), "state", sid],
            capture_output=True, text=True, check=True).stdout)["pid"]
        direct = ["nsenter", "--net=/proc/%d/ns/net" % pid, "curl",
                  f"http://127.0.0.1:{port}/s/{sid}/files/big"]
        runs = {"direct": [], "proxied": []}
        for _ in range(args.rounds):
            runs["direct"].append(curl_run(direct))
            runs["proxied"].append(curl_run(proxied))
        rows = {k: [r[0] for r in v] for k, v in runs.items()}
        d, p = statistics.median(rows["direct"]), statistics.median(rows["proxied"])
        per_round = sorted(x / y for x, y in zip(rows["proxied"], rows["direct"]))
        print(f"{mode}: {args.rounds} rounds; load average "
              f"{' '.join(open('/proc/loadavg').read().split()[:3])}")
        print(f"| {args.mb} MiB download | direct in the namespace (http) | {d:.0f} MB/s |")
        print(f"| {args.mb} MiB download | through the apps origin ({mode}) | {p:.0f} MB/s |")
        print(f"| proxied ({mode}) / direct | | {p / d:.2f} (median per round "
              f"{statistics.median(per_round):.2f}, range {per_round[0]:.2f}-{per_round[-1]:.2f}) |")
        for k, v in runs.items():  # where the time goes: before the first byte, and in all
            print(f"| {k}: time to first byte / total, median | | "
                  f"{statistics.median(r[1] for r in v):.1f} ms / "
                  f"{statistics.median(r[2] for r in v):.1f} ms |")
        if mode == "http":
            print(f"apps download proxied/direct {p / d:.3f} (target >= 0.80) "
                  f"{'PASS' if p / d >= 0.8 else 'FAIL'}")
        else:
            print(f"apps download proxied over {mode}/direct {p / d:.2f} (no target)")
        b.api("DELETE", "/sessions/bench")
    finally:
        b.stop()


def default_runc_root(b):
    """berthd's runc root for a non-default data dir (see ApplyDefaults)."""
    import hashlib
    h = hashlib.sha256(os.path.realpath(b.data_dir).encode()).hexdigest()[:16]
    return f"/run/berth/{h}/runc"


if __name__ == "__main__":
    main()
