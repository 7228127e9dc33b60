"""Helpers shared by bench/sessions/network.py and many.py: berthd's REST API
as the benchmarks call it, and interpolated percentiles."""
import json
import urllib.request


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
