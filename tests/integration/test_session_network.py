"""Each session's own network namespace (SPEC §3 "Network"; issue 12), on
both drivers, tried as a user would from inside a session.

The test makes its own "internet": a network namespace
berth-test-inet-<random> joined to the host by a veth pair with addresses in
198.18.<n>.0/24 (RFC 2544 benchmarking space, routed nowhere), serving
files and a PEP 503 package index with `python3 -m http.server`. berthd is
started with --session-dns pointing into it, so no session ever asks the
host's resolver. Traffic goes only to addresses of this machine or of that
namespace; 169.254.169.254 is never contacted (a link-local address the
test puts inside its own namespace stands in for it). Everything the test
makes is removed in a `finally`.
"""
import hashlib
import json
import os
import random
import signal
import socket
import subprocess
import threading
import time
import zipfile

import pytest

from berth_harness import session_berthd

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")

LINK_LOCAL = "169.254.77.1"  # inside the test's namespace, routed there by the test


def run(*argv, check=True):
    return subprocess.run(list(argv), check=check, capture_output=True, text=True, timeout=30)


class InternetNamespace:
    """A namespace with a web server, reachable from the host at self.addr."""

    def __init__(self, root):
        n = random.randrange(0, 256)
        tag = f"{random.getrandbits(24):06x}"
        self.ns = f"berth-test-inet-{tag}"
        self.host_if = f"bti{tag}"
        self.host_addr = f"198.18.{n}.1"
        self.addr = f"198.18.{n}.2"
        self.port = 8080
        self.root = root
        self.server = None

    def start(self):
        run("ip", "netns", "add", self.ns)
        run("ip", "link", "add", self.host_if, "type", "veth", "peer", "name", "eth0",
            "netns", self.ns)
        run("ip", "addr", "add", f"{self.host_addr}/24", "dev", self.host_if)
        run("ip", "link", "set", self.host_if, "up")
        inside = ["ip", "netns", "exec", self.ns]
        run(*inside, "ip", "addr", "add", f"{self.addr}/24", "dev", "eth0")
        run(*inside, "ip", "addr", "add", f"{LINK_LOCAL}/32", "dev", "lo")
        run(*inside, "ip", "link", "set", "eth0", "up")
        run(*inside, "ip", "link", "set", "lo", "up")
        run("ip", "route", "add", f"{LINK_LOCAL}/32", "via", self.addr)
        self.server = subprocess.Popen(
            [*inside, "python3", "-m", "http.server", str(self.port), "--bind", "0.0.0.0",
             "--directory", str(self.root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection((self.addr, self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("test web server did not start")

    def stop(self):
        if self.server:
            self.server.kill()
            self.server.wait(timeout=10)
        run("ip", "route", "del", f"{LINK_LOCAL}/32", check=False)
        run("ip", "link", "del", self.host_if, check=False)
        run("ip", "netns", "del", self.ns, check=False)


def make_tqdm_wheel(path):
    files = {
        "tqdm/__init__.py": "__version__ = '0.0.1+berthtest'\n",
        "tqdm-0.0.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: tqdm\nVersion: 0.0.1\n",
        "tqdm-0.0.1.dist-info/WHEEL":
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    files["tqdm-0.0.1.dist-info/RECORD"] = (
        "".join(f"{n},,\n" for n in files) + "tqdm-0.0.1.dist-info/RECORD,,\n")
    with zipfile.ZipFile(path, "w") as z:
        for n, c in files.items():
            z.writestr(n, c)


@pytest.fixture
def inet(tmp_path):
    (tmp_path / "hello.txt").write_text("hello from the test internet\n")
    simple = tmp_path / "simple" / "tqdm"
    simple.mkdir(parents=True)
    whl = "tqdm-0.0.1-py3-none-any.whl"
    make_tqdm_wheel(simple / whl)
    (tmp_path / "simple" / "index.html").write_text('<a href="tqdm/">tqdm</a>\n')
    (simple / "index.html").write_text(f'<a href="{whl}">{whl}</a>\n')
    t = InternetNamespace(tmp_path)
    try:
        yield t.start()
    finally:
        t.stop()


@pytest.fixture(params=["runc", "docker"])
def nb(request, inet):
    """A berthd per driver whose sessions use the test namespace as DNS."""
    for d in session_berthd(request.param, ["--session-dns", inet.addr]):
        d.inet = inet
        yield d


def session(b, name, token="default", **kw):
    r = b.api("POST", "/sessions", {"name": name, **kw}, token=token)
    assert r.status == 201, r
    return r.json()


def sh(b, name, script, token="default", timeout_s=60):
    r = b.api("POST", f"/sessions/{name}/exec",
              {"command": ["bash", "-c", script], "timeout_s": timeout_s}, token=token)
    assert r.status == 200, r
    return r.json()


def py(b, name, code, token="default"):
    r = b.api("POST", f"/sessions/{name}/exec",
              {"command": ["python3", "-c", code], "timeout_s": 60}, token=token)
    assert r.status == 200, r
    return r.json()


CONNECT = """
import json, socket, sys
out = {}
for host, port in json.loads(sys.argv[1] if len(sys.argv) > 1 else %r):
    try:
        socket.create_connection((host, port), timeout=%s).close()
        out[f"{host}:{port}"] = "open"
    except OSError as e:
        out[f"{host}:{port}"] = type(e).__name__
print(json.dumps(out))
"""


def connect_from(b, name, targets, timeout=1.5, token="default"):
    """{"host:port": "open" | error name} as seen from inside the session."""
    r = py(b, name, CONNECT % (json.dumps(targets), timeout), token=token)
    assert r["exit_code"] == 0, r
    return json.loads(r["stdout"])


def session_ip(b, name, token="default"):
    r = py(b, name, "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
                    f"s.connect(('{b.inet.addr}', 9)); print(s.getsockname()[0])", token=token)
    assert r["exit_code"] == 0, r
    return r["stdout"].strip()


def host_addresses():
    """(address, scope) of every address of this machine (its own, never others')."""
    out = []
    for link in json.loads(run("ip", "-j", "addr").stdout):
        for a in link.get("addr_info", []):
            out.append((a["local"], a.get("scope"), link["ifname"]))
    return out


def test_reaches_the_test_internet_with_its_dns(nb):
    session(nb, "net")
    r = py(nb, "net", "import urllib.request; print(urllib.request.urlopen("
                      f"'http://{nb.inet.addr}:{nb.inet.port}/hello.txt', timeout=10).read().decode())")
    assert r["exit_code"] == 0, r
    assert "hello from the test internet" in r["stdout"]
    info = nb.api("GET", "/sessions/net").json()
    assert info["network"]["ip"] == session_ip(nb, "net")
    r = sh(nb, "net", "cat /etc/resolv.conf")
    assert r["stdout"] == f"nameserver {nb.inet.addr}\n"
    # Its own namespace: lo and eth0 only, and its own sysfs shows just those.
    r = sh(nb, "net", "ls /sys/class/net")
    assert sorted(r["stdout"].split()) == ["eth0", "lo"], r


def test_host_and_berthd_are_unreachable(nb):
    """berthd's port on 127.0.0.1 and on every host address, and a listener
    the test opens on all host addresses, are closed to a session."""
    listener = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    listener.bind(("::", 0))
    listener.listen(16)
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                listener.accept()[0].close()
            except OSError:
                pass

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        session(nb, "probe")
        berthd_port = int(nb.hostport.rsplit(":", 1)[1])
        open_port = listener.getsockname()[1]
        targets = [["127.0.0.1", berthd_port], ["127.0.0.1", open_port]]
        for addr, scope, ifname in host_addresses():
            if scope == "link" and ":" in addr:
                # A host's IPv6 link-local address is reachable only on its
                # own link: try the session bridge's through eth0.
                if ifname != nb.bridge:
                    continue
                addr += "%eth0"
            targets += [[addr, berthd_port], [addr, open_port]]
        assert any(a == nb.inet.host_addr for a, _ in targets)
        # The listener does answer on the host itself (the check is real).
        socket.create_connection((nb.inet.host_addr, open_port), timeout=2).close()
        seen = connect_from(nb, "probe", targets)
        opened = {k: v for k, v in seen.items() if v == "open"}
        assert opened == {}, seen
    finally:
        stop.set()
        t.join(timeout=5)
        listener.close()


def test_link_local_is_dropped(nb):
    rules = run("iptables-save", "-t", "filter").stdout
    assert f"-A BERTH-FWD-{nb.bridge} -d 169.254.0.0/16 -i {nb.bridge} -j DROP" in rules
    session(nb, "meta")
    seen = connect_from(nb, "meta", [[LINK_LOCAL, nb.inet.port], [nb.inet.addr, nb.inet.port]])
    assert seen[f"{nb.inet.addr}:{nb.inet.port}"] == "open", seen
    assert seen[f"{LINK_LOCAL}:{nb.inet.port}"] != "open", seen


def test_other_sessions_are_unreachable(nb):
    """Another user's session's listening port is closed to a session, and so
    is another session of the same user (bridge port isolation)."""
    assert nb.api("POST", "/users", {"name": "other"}).status == 201
    other = nb.api("POST", "/users/other/tokens").json()["token"]
    session(nb, "theirs", token=other)
    session(nb, "mine")
    session(nb, "mine2")
    r = sh(nb, "theirs", "cd /tmp && (nohup python3 -m http.server 8000 >/dev/null 2>&1 &) ; "
                         "for i in $(seq 50); do python3 -c \"import socket; "
                         "socket.create_connection(('127.0.0.1', 8000), 1)\" 2>/dev/null && exit 0; "
                         "sleep 0.1; done; exit 1", token=other)
    assert r["exit_code"] == 0, r
    theirs = session_ip(nb, "theirs", token=other)
    mine2 = session_ip(nb, "mine2")
    assert theirs.startswith("10.") and theirs != mine2
    sh(nb, "mine2", "cd /tmp && (nohup python3 -m http.server 8000 >/dev/null 2>&1 &); sleep 1")
    seen = connect_from(nb, "mine", [[theirs, 8000], [mine2, 8000]])
    assert seen == {f"{theirs}:8000": seen[f"{theirs}:8000"], f"{mine2}:8000": seen[f"{mine2}:8000"]}
    assert "open" not in seen.values(), seen
    # The server itself runs (reachable inside its own session).
    assert connect_from(nb, "theirs", [["127.0.0.1", 8000]], token=other) == {
        "127.0.0.1:8000": "open"}


def test_pip_install_user_from_a_local_index_persists(nb):
    """The user guide's step, with an index in the test namespace: `pip
    install --user tqdm` in one session, importable in the next via .local."""
    assert nb.api("POST", "/folders", {"name": ".local"}).status == 201
    session(nb, "pip1")
    index = f"http://{nb.inet.addr}:{nb.inet.port}/simple"
    # Plain HTTP: pip ignores such an index unless its host is trusted.
    r = sh(nb, "pip1", f"pip install --user --index-url {index} --trusted-host {nb.inet.addr} "
                       "tqdm 2>&1", timeout_s=120)
    assert r["exit_code"] == 0, r
    assert nb.api("DELETE", "/sessions/pip1").status == 204
    session(nb, "pip2")
    r = py(nb, "pip2", "import tqdm; print(tqdm.__version__, tqdm.__file__)")
    assert r["exit_code"] == 0, r
    assert r["stdout"].startswith("0.0.1+berthtest /home/work/.local/"), r


def host_veth(session_id):
    """berthd's name for the host end of a session's veth (net/bridge_network.h)."""
    return "veth" + hashlib.sha256(session_id.encode()).hexdigest()[:11]


def network_state(b, session_ids=()):
    """What a berthd's session network leaves on the host: its bridge, the
    ports on it and the host veths of `session_ids` wherever they are (not
    every veth of the host: other test runs make and remove their own)."""
    names = {host_veth(i) for i in session_ids}
    links = json.loads(run("ip", "-j", "link").stdout)
    rules = [line for tool in ("iptables-save", "ip6tables-save")
             for line in run(tool).stdout.splitlines()
             if b.bridge in line and not line.startswith("#")]
    lease_dir = os.path.join(b.data_dir, "network", "ipam", "berth")
    leases = sorted(f for f in os.listdir(lease_dir) if f[0].isdigit()) \
        if os.path.isdir(lease_dir) else []
    return {
        "links": sorted(l["ifname"] for l in links
                        if l["ifname"] == b.bridge or l.get("master") == b.bridge
                        or l["ifname"] in names),
        "rules": rules,
        "leases": leases,
        "netns": sorted(line.split()[0] for line in run("ip", "netns", "list").stdout.splitlines()
                        if line.strip()),
    }


def test_kill9_restart_keeps_adopted_networks_and_cleans_the_rest(nb):
    before = network_state(nb)
    session(nb, "kept")
    session(nb, "forgotten")
    gone_id = nb.api("GET", "/sessions/forgotten").json()["id"]
    ids = [nb.api("GET", "/sessions/kept").json()["id"], gone_id]
    during = network_state(nb, ids)
    assert sorted(host_veth(i) for i in ids) == [l for l in during["links"] if l != nb.bridge]
    assert len(during["leases"]) == 2 and nb.bridge in during["links"]
    assert any(f"BERTH-NAT-{nb.bridge}" in r for r in during["rules"])
    nb.kill()  # SIGKILL: no chance to clean up
    # Forget one session behind berthd's back, as if the database lost it.
    if subprocess.run(["which", "sqlite3"], capture_output=True).returncode != 0:
        pytest.skip("sqlite3 CLI not installed")
    run("sqlite3", os.path.join(nb.data_dir, "berth.db"),
        f"DELETE FROM sessions WHERE id='{gone_id}'")
    nb.start()
    after_restart = network_state(nb, ids)
    assert len(after_restart["leases"]) == 1, after_restart
    assert [l for l in after_restart["links"] if l != nb.bridge] == [host_veth(ids[0])], \
        after_restart  # the forgotten session's container, and its veth, went
    # The adopted session keeps its network.
    r = py(nb, "kept", "import urllib.request; print(urllib.request.urlopen("
                       f"'http://{nb.inet.addr}:{nb.inet.port}/hello.txt', timeout=10).read().decode())")
    assert r["exit_code"] == 0 and "hello" in r["stdout"], r
    assert nb.api("DELETE", "/sessions/kept").status == 204
    nb.kill(signal.SIGTERM)
    after = network_state(nb, ids)
    assert after["links"] == [], after
    assert after["rules"] == [] and after["leases"] == [], after
    # berthd names no namespace; only other test runs' own come and go.
    assert [n for n in after["netns"] if n not in before["netns"]
            and not n.startswith("berth-test-inet-")] == [], after
    nb.start()  # for the fixture's own cleanup
