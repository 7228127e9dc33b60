"""Starts a real berthd on a temp data dir and a free port, and talks to it
over raw HTTP (http.client) and through the `berth` CLI.

Each Berthd instance owns its temp dir and process; stop() kills the process
and removes the dir, so a test that fails still cleans up (use the fixture).
"""
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse

BIN_DIR = os.environ.get(
    "BERTH_BIN_DIR",
    os.path.join(os.path.dirname(__file__), "..", "..", "build", "src", "cmd"))


DOCKER_SOCKET = os.environ.get("BERTH_DOCKER_SOCKET", "/run/berth-dockerd.sock")


def session_berthd_config(driver, toml_text):
    """session_berthd with a temporary `--config` file holding `toml_text`
    (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="berth-cfg-") as d:
        cfg = os.path.join(d, "berthd.toml")
        with open(cfg, "w") as f:
            f.write(toml_text)
        yield from session_berthd(driver, ["--config", cfg])


def session_berthd(driver, extra_args=(), need_image="python", data_dir=None):
    """For a pytest fixture parametrised by driver ("runc" or "docker"):
    yields a started Berthd with the `need_image` image (None: any images),
    skipping the test when the driver or the image is missing; afterwards
    deletes every session (also when the test failed half-way) and stops it.
    `data_dir`: its data dir (the caller removes it); default a temp dir.
    Usage: `yield from session_berthd(request.param)`."""
    import pytest
    args = list(extra_args)
    if driver == "docker":
        if not os.path.exists(DOCKER_SOCKET):
            pytest.skip(f"no Docker daemon at {DOCKER_SOCKET} (scripts/dockerd.sh start)")
        args += ["--runtime", "docker", "--docker-socket", DOCKER_SOCKET]
    d = Berthd(args, data_dir=data_dir).start()
    d.driver = driver
    try:
        images = d.api("GET", "/images").json().get("images", [])
        if need_image and not any(i["name"] == need_image for i in images):
            pytest.skip("no 'python' image (set BERTH_IMAGES_DIR or run berthd build-image)")
        yield d
    finally:
        # Leave nothing running, of any user, even if the test failed half-way.
        if d.proc and d.proc.poll() is None:
            for s in d.api("GET", "/sessions", query={"all": "true"}).json()["sessions"]:
                d.api("DELETE", f"/sessions/{s['id']}")
        d.stop()


def _has_chains_for(bridge):
    """Whether any BERTH-*-<bridge> chain is left (a berthd killed after it
    set up its firewall but before the bridge existed leaves chains only)."""
    for tool in ("iptables-save", "ip6tables-save"):
        out = subprocess.run([tool], capture_output=True, text=True).stdout
        if f"-{bridge} " in out:
            return True
    return False


def remove_session_network(bridge):
    """Safety net after a test that left sessions behind (berthd keeps its
    bridge and chains while sessions hold addresses): the bridge and the
    BERTH-*-<bridge> chains go. A clean berthd stop leaves none of them."""
    if not bridge:
        return
    if os.path.exists(f"/sys/class/net/{bridge}"):
        subprocess.run(["ip", "link", "delete", "dev", bridge], capture_output=True)
    elif not _has_chains_for(bridge):
        return
    for tool, table, chain, builtin, hook in (
            ("iptables", "filter", f"BERTH-IN-{bridge}", "INPUT", ["-i", bridge]),
            ("ip6tables", "filter", f"BERTH-IN-{bridge}", "INPUT", ["-i", bridge]),
            ("iptables", "filter", f"BERTH-FWD-{bridge}", "FORWARD", []),
            ("ip6tables", "filter", f"BERTH-FWD-{bridge}", "FORWARD", []),
            ("iptables", "nat", f"BERTH-NAT-{bridge}", "POSTROUTING", [])):
        subprocess.run([tool, "-w", "5", "-t", table, "-D", builtin, *hook, "-j", chain],
                       capture_output=True)
        subprocess.run([tool, "-w", "5", "-t", table, "-F", chain], capture_output=True)
        subprocess.run([tool, "-w", "5", "-t", table, "-X", chain], capture_output=True)


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
        # Each berthd gets its own session bridge and subnet (and so its own
        # BERTH-*-<bridge> chains), so that berthds of parallel test runs on
        # one host never share addresses or rules.
        if "--session-bridge" not in self.extra_args:
            r = random.Random()
            self.bridge = f"bt{r.getrandbits(24):06x}"
            self.extra_args += ["--session-bridge", self.bridge, "--session-subnet",
                                f"10.{r.randrange(214, 250)}.{r.randrange(0, 256)}.0/24"]
        else:
            self.bridge = self.extra_args[self.extra_args.index("--session-bridge") + 1]
        self.proc = None
        self.url = None
        self.token = None
        # For an https:// berthd: an ssl.SSLContext that trusts its CA
        # (request() and WebSocket use it) and the CA file for the CLI
        # (BERTH_CACERT). A test CA lies beside the certificate, as ca.pem.
        self.ssl_context = None
        self.cacert = None
        if "--tls-cert" in self.extra_args[:-1]:
            cert = self.extra_args[self.extra_args.index("--tls-cert") + 1]
            ca = os.path.join(os.path.dirname(cert), "ca.pem")
            if os.path.exists(ca):
                import ssl
                self.cacert = ca
                self.ssl_context = ssl.create_default_context(cafile=ca)

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
        remove_session_network(self.bridge)
        if self.owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            # berthd's per-data-dir runc state (see ApplyDefaults in berthd_main.cc)
            import hashlib
            h = hashlib.sha256(os.path.realpath(self.data_dir).encode()).hexdigest()[:16]
            shutil.rmtree(os.path.join("/run/berth", h), ignore_errors=True)

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
        if self.url.startswith("https://"):
            conn = http.client.HTTPSConnection(self.hostport, timeout=60, context=self.ssl_context)
        else:
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
    def cli(self, *args, input=None, token="default", check=False, cwd=None, env_extra=None):
        env = dict(os.environ)
        env["BERTH_ENDPOINT"] = self.url
        env["BERTH_DATA_DIR"] = self.data_dir
        if self.cacert:
            env["BERTH_CACERT"] = self.cacert
        env.update(env_extra or {})
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


def out(p):
    """A finished CLI process's stdout, as text."""
    return p.stdout.decode()


def err(p):
    return p.stderr.decode()


def ok(berthd, *args, **kw):
    """Runs `berth ARGS` and requires exit 0."""
    p = berthd.cli(*args, **kw)
    assert p.returncode == 0, f"berth {args}: {p.returncode} {err(p)}"
    return p


def fails(berthd, *args, code=1, **kw):
    """Runs `berth ARGS` and requires exit `code`."""
    p = berthd.cli(*args, **kw)
    assert p.returncode == code, f"berth {args}: {p.returncode}, want {code}: {err(p)}"
    return p


class WebSocket:
    """A minimal RFC 6455 client (enough for the terminal endpoint); with an
    ssl.SSLContext it speaks wss://."""

    def __init__(self, hostport, path, headers, ssl_context=None):
        import base64
        import socket
        host, port = hostport.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        if ssl_context is not None:
            self.sock = ssl_context.wrap_socket(self.sock, server_hostname=host)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: {hostport}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                break
            head += chunk
        self.status = int(head.split(b" ", 2)[1]) if head else 0
        self.head = head
        self.closed = self.status != 101

    def send(self, payload, opcode=2):
        import struct
        if isinstance(payload, str):
            payload = payload.encode()
        n = len(payload)
        if n < 126:
            hdr = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            hdr = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(hdr + mask + body)

    def _read(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise EOFError
            out += chunk
        return out

    def recv(self):
        """(opcode, payload); opcode 8 is close."""
        import struct
        b0, b1 = self._read(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._read(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._read(8))[0]
        return b0 & 0x0F, self._read(n)

    def read_until(self, needle, timeout=20):
        """Collects output until `needle` (bytes) appears; returns it all."""
        self.sock.settimeout(timeout)
        buf = b""
        deadline = time.time() + timeout
        while needle not in buf and time.time() < deadline:
            op, data = self.recv()
            if op == 8:
                self.closed = True
                break
            buf += data
        return buf

    def close(self):
        self.sock.close()
