"""Observability (issue 14 item 5): GET /api/v1/metrics for a superadmin and
on --metrics-listen, parsed by a strict Prometheus text-format parser; the
JSON log format; the access log with X-Request-Id; /api/v1/health/ready."""
import json
import os
import re
import time

import pytest

from berth_harness import Berthd, WebSocket

# -- a strict parser of the text exposition format 0.0.4 ----------------------

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
SAMPLE = re.compile(rf"^({NAME})(?:\{{(.*)\}})? (\S+)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"')
HELP = re.compile(rf"^# HELP ({NAME}) (.*)$")
TYPE = re.compile(rf"^# TYPE ({NAME}) (counter|gauge|histogram|summary|untyped)$")


def parse_labels(text, line):
    labels, pos = {}, 0
    while pos < len(text):
        m = LABEL.match(text, pos)
        assert m, f"bad labels at {pos}: {line!r}"
        assert m.group(1) not in labels, f"repeated label: {line!r}"
        labels[m.group(1)] = (m.group(2).replace("\\n", "\n").replace('\\"', '"')
                              .replace("\\\\", "\\"))
        pos = m.end()
        if pos < len(text):
            assert text[pos] == ",", f"labels not comma-separated: {line!r}"
            pos += 1
    return labels


def parse_metrics(text):
    """{family: {"type": t, "samples": [(name, labels, value)]}}; fails on any
    line that is not in the format, on a sample before its family's TYPE, and
    on a family declared twice."""
    assert text.endswith("\n"), "the exposition ends with a newline"
    families, current = {}, None
    for line in text.split("\n")[:-1]:
        if line.startswith("# HELP "):
            assert HELP.match(line), line
            continue
        if line.startswith("#"):
            m = TYPE.match(line)
            assert m, f"bad comment line: {line!r}"
            assert m.group(1) not in families, f"family declared twice: {line!r}"
            current = m.group(1)
            families[current] = {"type": m.group(2), "samples": []}
            continue
        m = SAMPLE.match(line)
        assert m, f"bad sample line: {line!r}"
        name = m.group(1)
        assert current, f"sample before any TYPE: {line!r}"
        fam = families[current]
        allowed = {current}
        if fam["type"] == "histogram":
            allowed = {current + "_bucket", current + "_sum", current + "_count"}
        assert name in allowed, f"{name} outside its family {current}: {line!r}"
        value = float(m.group(3))  # also +Inf, -Inf, NaN
        fam["samples"].append((name, parse_labels(m.group(2) or "", line), value))
    return families


def value(families, family, name=None, **labels):
    """The one sample of `family` named `name` (default: the family) whose
    labels include `labels`; 0 when there is none."""
    found = [v for n, ls, v in families.get(family, {"samples": []})["samples"]
             if n == (name or family) and all(ls.get(k) == str(x) for k, x in labels.items())]
    assert len(found) <= 1, (family, labels, found)
    return found[0] if found else 0


def check_histograms(families):
    """Buckets ascend in `le`, their counts are cumulative, and +Inf equals
    _count, per label set."""
    for fam_name, fam in families.items():
        if fam["type"] != "histogram":
            continue
        series = {}
        for n, ls, v in fam["samples"]:
            key = tuple(sorted((k, x) for k, x in ls.items() if k != "le"))
            series.setdefault(key, {"buckets": [], "count": None, "sum": None})
            if n.endswith("_bucket"):
                series[key]["buckets"].append((float(ls["le"]), v))
            elif n.endswith("_count"):
                series[key]["count"] = v
            else:
                series[key]["sum"] = v
        for key, s in series.items():
            les = [le for le, _ in s["buckets"]]
            counts = [c for _, c in s["buckets"]]
            assert les == sorted(les) and les[-1] == float("inf"), (fam_name, key, les)
            assert counts == sorted(counts), f"{fam_name}{key} not cumulative: {counts}"
            assert counts[-1] == s["count"], (fam_name, key, counts[-1], s["count"])
            assert s["sum"] is not None and s["sum"] >= 0, (fam_name, key)


def scrape(d):
    r = d.api("GET", "/metrics")
    assert r.status == 200, r
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4"), r.headers
    fams = parse_metrics(r.body.decode())
    check_histograms(fams)
    return fams


def user_token(d, name):
    assert d.api("POST", "/users", {"name": name, "password": "pw-" + name + "-secret"}).status == 201
    return d.api("POST", f"/users/{name}/tokens").json()["token"]


def log_lines(d):
    with open(os.path.join(d.data_dir, "berthd.log"), "rb") as f:
        return f.read().decode(errors="replace").splitlines()


def wait_for_line(d, pred, timeout=10):
    """The first log line for which pred(line) holds (the access log is
    written after the response, so it may trail it a little)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for line in log_lines(d):
            if pred(line):
                return line
        time.sleep(0.05)
    raise AssertionError("no such log line; log tail:\n" + d.read_log())


# -- tests --------------------------------------------------------------------

def test_metrics_for_a_superadmin_only(berthd):
    fams = scrape(berthd)
    for name in ["berth_build_info", "berth_http_requests_total",
                 "berth_http_request_duration_seconds", "berth_worker_threads",
                 "berth_worker_threads_busy", "berth_worker_queue_length", "berth_sessions",
                 "berth_session_create_duration_seconds", "process_resident_memory_bytes",
                 "process_open_fds", "process_start_time_seconds"]:
        assert name in fams, name
    assert fams["berth_http_request_duration_seconds"]["type"] == "histogram"
    assert value(fams, "process_resident_memory_bytes") > 1 << 20
    assert value(fams, "process_open_fds") > 3
    assert abs(value(fams, "process_start_time_seconds") - time.time()) < 3600
    assert value(fams, "berth_worker_threads") >= 2
    assert value(fams, "berth_sessions", state="running") == 0

    token = user_token(berthd, "metrics-user")
    r = berthd.api("GET", "/metrics", token=token)
    assert r.status == 403 and r.error_code() == "permission_denied", r
    assert berthd.api("GET", "/metrics", token=None).status == 401
    assert berthd.api("GET", "/metrics", token="not-a-token").status == 401
    after = scrape(berthd)
    assert value(after, "berth_auth_failures_total", route="/api/v1/metrics") >= 2


def test_counters_increase_after_requests(berthd):
    before = scrape(berthd)
    for _ in range(3):
        assert berthd.api("GET", "/folders").status == 200
    assert berthd.api("POST", "/folders", {"name": "obs"}).status == 201
    assert berthd.api("GET", "/folders/no-such-folder").status == 404
    after = scrape(berthd)
    key = dict(method="GET", route="/api/v1/folders", code=200)
    assert (value(after, "berth_http_requests_total", **key)
            - value(before, "berth_http_requests_total", **key)) == 3
    assert value(after, "berth_http_requests_total", method="POST", route="/api/v1/folders",
                 code=201) == 1
    # Route patterns, never raw paths: one series for every folder name.
    assert value(after, "berth_http_requests_total", method="GET",
                 route="/api/v1/folders/{name}", code=404) == 1
    routes = {ls["route"] for _, ls, _ in after["berth_http_requests_total"]["samples"]}
    assert not any("no-such-folder" in r for r in routes), routes
    count = dict(method="GET", route="/api/v1/folders")
    assert (value(after, "berth_http_request_duration_seconds",
                  "berth_http_request_duration_seconds_count", **count)
            - value(before, "berth_http_request_duration_seconds",
                    "berth_http_request_duration_seconds_count", **count)) == 3
    assert value(after, "berth_http_request_bytes_total", route="/api/v1/folders") > 0
    assert (value(after, "berth_http_response_bytes_total", route="/api/v1/folders")
            > value(before, "berth_http_response_bytes_total", route="/api/v1/folders"))


def test_metrics_listen_serves_metrics_without_credentials():
    # Port 0, read back from the log: a port picked free beforehand could be
    # taken in between (once by this berthd's own apps origin, which binds
    # any free port first).
    d = Berthd(["--metrics-listen", "127.0.0.1:0"]).start()
    try:
        line = wait_for_line(d, lambda l: "metrics on http://127.0.0.1:" in l)
        port = int(re.search(r"metrics on http://127\.0\.0\.1:(\d+)/metrics", line).group(1))
        import http.client
        def get(path):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                c.request("GET", path)
                r = c.getresponse()
                return r.status, r.getheader("content-type") or "", r.read().decode()
            finally:
                c.close()
        assert d.api("GET", "/folders").status == 200
        status, ctype, body = get("/metrics")
        assert status == 200 and ctype.startswith("text/plain; version=0.0.4"), (status, ctype)
        fams = parse_metrics(body)
        check_histograms(fams)
        assert value(fams, "berth_http_requests_total", method="GET", route="/api/v1/folders",
                     code=200) == 1
        # Only /metrics there: not the API, not the UI.
        assert get("/api/v1/folders")[0] == 404
        assert get("/api/v1/metrics")[0] == 404
        assert get("/")[0] == 404
        # The API's own /metrics still wants a superadmin.
        assert d.api("GET", "/metrics", token=None).status == 401
    finally:
        d.stop()


def test_json_log_and_access_log_with_request_id():
    d = Berthd(["--log-format", "json"]).start()
    try:
        r = d.api("GET", "/folders", headers={"X-Request-Id": "it-obs-0001"})
        assert r.status == 200 and r.headers["x-request-id"] == "it-obs-0001"
        # An id that is not sane is replaced by a minted one.
        r = d.api("GET", "/folders", headers={"X-Request-Id": "bad id\"<script>"})
        minted = r.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", minted), minted
        # Errors carry it in the header; their body keeps SPEC §5's shape.
        r = d.api("GET", "/folders/missing", headers={"X-Request-Id": "it-obs-0002"})
        assert r.status == 404 and r.headers["x-request-id"] == "it-obs-0002"
        assert set(r.json()["error"]) == {"code", "message"}
        assert r.json()["error"]["code"] == "folder_not_found"
        me = d.api("GET", "/me").json()

        line = wait_for_line(d, lambda l: '"it-obs-0001"' in l)
        entry = json.loads(line)
        assert entry["logger"] == "access" and entry["level"] == "info"
        assert entry["method"] == "GET" and entry["route"] == "/api/v1/folders"
        assert entry["path"] == "/api/v1/folders" and entry["status"] == 200
        assert entry["remote_addr"] == "127.0.0.1"
        assert entry["user_id"] == me["id"]
        assert entry["bytes_out"] > 0 and entry["duration_ms"] >= 0
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])
        assert json.loads(wait_for_line(d, lambda l: minted in l))["status"] == 200
        assert json.loads(wait_for_line(d, lambda l: '"it-obs-0002"' in l))["status"] == 404
        # Every log line is JSON, but for the few lines berthd prints to
        # stdout for a person at the terminal.
        printed = ("berthd listening on", "admin API token:", "sign in to the web UI")
        spd = [l for l in log_lines(d) if not l.startswith(printed)]
        assert len(spd) >= 4
        for l in spd:
            j = json.loads(l)
            assert "time" in j and "level" in j and ("msg" in j or j.get("logger") == "access"), l
    finally:
        d.stop()


def test_text_access_log(berthd):
    r = berthd.api("DELETE", "/folders/nope", headers={"X-Request-Id": "it-text-1"})
    assert r.status == 404 and r.headers["x-request-id"] == "it-text-1"
    line = wait_for_line(berthd, lambda l: "request_id=it-text-1" in l)
    assert "DELETE /api/v1/folders/nope 404 route=/api/v1/folders/{name} " in line, line
    assert " remote=127.0.0.1 " in line and " user=- " not in line, line
    # Anonymous and unmatched requests are logged too (a GET there would
    # be the web UI's fallback, route "static").
    r = berthd.request("POST", "/api/v1/no/such/thing", token=None)
    assert r.status == 404
    rid = r.headers["x-request-id"]
    line = wait_for_line(berthd, lambda l: f"request_id={rid}" in l)
    assert "route=unmatched" in line and " user=- " in line, line
    r = berthd.request("GET", "/api/v1/no/such/thing", token=None)
    rid = r.headers["x-request-id"]
    assert "route=static " in wait_for_line(berthd, lambda l: f"request_id={rid}" in l)


def test_ready_reports_each_check_and_a_missing_volume(tmp_path):
    vol = tmp_path / "extra"
    vol.mkdir()
    d = Berthd(["--volume", f"extra={vol}"]).start()
    try:
        r = d.api("GET", "/health/ready", token=None)
        assert r.status == 200, r
        body = r.json()
        assert body["status"] == "ready"
        names = [c["name"] for c in body["checks"]]
        assert names[:2] == ["store", "runtime"] and "volume:local" in names
        assert "volume:extra" in names and all(c["ok"] for c in body["checks"])

        os.rename(vol, tmp_path / "moved")
        r = d.api("GET", "/health/ready", token=None)
        assert r.status == 503, r
        body = r.json()
        assert body["status"] == "not_ready" and body["error"]["code"] == "not_ready"
        assert "volume:extra" in body["error"]["message"], body
        failed = [c["name"] for c in body["checks"] if not c["ok"]]
        assert failed == ["volume:extra"], body
        assert r.headers.get("retry-after") == "5"
        # Liveness is not readiness.
        assert d.api("GET", "/health", token=None).status == 200

        os.rename(tmp_path / "moved", vol)
        assert d.api("GET", "/health/ready", token=None).status == 200
    finally:
        d.stop()


def test_session_metrics_terminal_and_exec(b):
    before = scrape(b)
    r = b.api("POST", "/sessions", {"name": "obs", "automount": False})
    assert r.status == 201, r
    sid = r.json()["id"]
    r = b.api("POST", "/sessions/obs/exec", {"command": ["true"]})
    assert r.status == 200 and r.json()["exit_code"] == 0, r
    # The terminal, as the web UI opens it.
    ws = WebSocket(b.hostport, f"/api/v1/sessions/{sid}/terminal",
                   {"Authorization": "Bearer " + b.token, "X-Request-Id": "it-ws-1"})
    try:
        assert ws.status == 101, ws.head
        ws.send("echo obs-$((40+2))\n")
        ws.read_until(b"obs-42")
    finally:
        ws.close()
    after = scrape(b)
    assert value(after, "berth_sessions", state="running") == 1
    hist = "berth_session_create_duration_seconds"
    assert value(after, hist, hist + "_count") - value(before, hist, hist + "_count") == 1
    assert value(after, "berth_session_creates_total", result="ok") >= 1
    assert (value(after, "berth_execs_total", mode="buffered")
            - value(before, "berth_execs_total", mode="buffered")) == 1
    assert value(after, "berth_http_requests_total", method="GET",
                 route="/api/v1/sessions/{name}/terminal", code=101) == 1
    line = wait_for_line(b, lambda l: "request_id=it-ws-1" in l)
    assert " 101 route=/api/v1/sessions/{name}/terminal " in line, line
    assert b.api("DELETE", "/sessions/obs").status == 204
    assert value(scrape(b), "berth_sessions", state="running") == 0
