"""Helpers shared by bench/sessions/network.py and many.py: their command line,
berthd's REST API as the benchmarks call it, and interpolated percentiles."""
import argparse
import json
import os
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def bench_args(default_n):
    """--berthd (default build/src/cmd/berthd), --n, --images-dir."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--berthd", default=os.path.join(REPO, "build/src/cmd/berthd"))
    ap.add_argument("--n", type=int, default=default_n)
    ap.add_argument("--images-dir", default=os.environ.get("BERTH_IMAGES_DIR",
                                                           "/var/cache/berth-test/images"))
    return ap.parse_args()


def api(url, token, method, path, body=None):
    """One REST call; returns (status, body bytes). Raises on 4xx/5xx."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + "/api/v1" + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + token,
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.status, r.read()


def pct(xs, p):
    """The p-quantile (0..1) of xs, interpolated between neighbours."""
    xs = sorted(xs)
    k = (len(xs) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)
