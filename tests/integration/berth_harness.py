"""Starts a real berthd on a temp data dir and a free port, and talks to it
over raw HTTP (http.client) and through the `berth` CLI.

Each Berthd instance owns its temp dir and process; stop() kills the process
and removes the dir, so a test that fails still cleans up (use the fixture).
"""
import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse

BIN_DIR = os.environ.get(
    "BERTH_BIN_DIR",
    os.path.join(os.path.dirname(__file__), "..", "..", "build", "src", "cmd"))


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def error_code(self):
        return self.json()["error"]["code"]

    def __repr__(self):
        return f"<Response {self.status} {self.body[:300]!r}>"


class Berthd:
    def __init__(self, extra_args=(), data_dir=None):
        self.owns_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="berth-it-")
        self.extra_args = list(extra_args)
        self.proc = None
        self.url = None
        self.token = None

    # -- process -----------------------------------------------------------
    def start(self, timeout=20):
        addr = os.path.join(self.data_dir, "berthd.addr")
        if os.path.exists(addr):
            os.unlink(addr)
        self.log = open(os.path.join(self.data_dir, "berthd.log"), "ab")
        self.proc = subprocess.Popen(
            [os.path.join(BIN_DIR, "berthd"), "--data-dir", self.data_dir,
             "--listen", "127.0.0.1:0", *self.extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("berthd exited: " + self.read_log())
            if os.path.exists(addr):
                with open(addr) as f:
                    self.url = f.read().strip()
                if self.url:
                    break
            time.sleep(0.05)
        else:
            raise RuntimeError("berthd did not start: " + self.read_log())
        with open(os.path.join(self.data_dir, "admin.token")) as f:
            self.token = f.read().strip()
        return self

    def read_log(self):
        try:
            with open(os.path.join(self.data_dir, "berthd.log"), "rb") as f:
                return f.read().decode(errors="replace")[-4000:]
        except OSError:
            return ""

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        if self.proc:
            self.log.close()
        self.proc = None

    def restart(self):
        self.kill(signal.SIGTERM)
        return self.start()

    def stop(self):
        self.kill(signal.SIGTERM)
        if self.owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    # -- HTTP --------------------------------------------------------------
    @property
    def hostport(self):
        return urllib.parse.urlsplit(self.url).netloc

    def request(self, method, path, body=None, token="default", headers=None,
                query=None):
        """One HTTP request; `body` may be bytes, str or a JSON-able object."""
        if token == "default":
            token = self.token
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        if query:
            path += "?" + urllib.parse.urlencode(query)
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        conn = http.client.HTTPConnection(self.hostport, timeout=60)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        finally:
            conn.close()

    def api(self, method, path, body=None, **kw):
        return self.request(method, "/api/v1" + path, body, **kw)

    # -- CLI ---------------------------------------------------------------
    def cli(self, *args, input=None, token="default", check=False, cwd=None):
        env = dict(os.environ)
        env["BERTH_ENDPOINT"] = self.url
        env["BERTH_DATA_DIR"] = self.data_dir
        if token == "default":
            env["BERTH_TOKEN"] = self.token
        elif token:
            env["BERTH_TOKEN"] = token
        else:
            env.pop("BERTH_TOKEN", None)
        env["HOME"] = self.data_dir  # keep `berth login` files inside the test dir
        p = subprocess.run([os.path.join(BIN_DIR, "berth"), *args], env=env,
                           input=input, capture_output=True, cwd=cwd, timeout=300)
        if check and p.returncode != 0:
            raise AssertionError(f"berth {' '.join(args)} failed ({p.returncode}): "
                                 f"{p.stderr.decode(errors='replace')}")
        return p
