"""Table-driven authorization test (SPEC §4, §8): every REST endpoint and the
terminal WebSocket, called by an anonymous client, the owner A, a user B
with no share, users with an accepted ro / rw share of A's folder, and a
superadmin. Each cell gets fresh resources, so destructive calls don't
disturb each other. The test fails if docs/openapi.yaml (which
src/manager/openapi_test.cc keeps equal to the server's routes) lists an
endpoint this table does not cover."""
import itertools
import os
import re
import socket
import tempfile

import pytest

from berth_harness import Berthd, WebSocket
from test_btrfs_volumes import btrfs_dir  # noqa: F401

PRINCIPALS = ["anon", "a", "b", "bro", "brw", "admin"]
OPENAPI = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "openapi.yaml")
HAVE_ROOT = os.geteuid() == 0


class World:
    """Users and tokens, plus factories for fresh resources owned by A."""

    def __init__(self, d, have_btrfs=False):
        self.d = d
        self.have_btrfs = have_btrfs
        self.n = itertools.count()
        self.tokens = {"anon": None, "admin": d.token}
        self.passwords = {}
        for u in ["a", "b", "bro", "brw"]:
            pw = f"pw-{u}-secret"
            assert d.api("POST", "/users", {"name": u, "password": pw}).status == 201
            self.tokens[u] = d.api("POST", f"/users/{u}/tokens").json()["token"]
            self.passwords[u] = pw
        d.api("PATCH", "/users/admin", {"password": "pw-admin-secret"})
        self.passwords["admin"] = "pw-admin-secret"
        images = d.api("GET", "/images").json().get("images", [])
        self.have_image = HAVE_ROOT and any(i["name"] == "python" for i in images)
        self._session = None

    def api(self, who, method, path, body=None, **kw):
        return self.d.api(method, path, body, token=self.tokens[who], **kw)

    def uniq(self, prefix):
        return f"{prefix}{next(self.n)}"

    def folder(self, trashed=False):
        """A's folder with x.txt and d/, shared ro with bro and rw with brw."""
        f = self.api("a", "POST", "/folders", {"name": self.uniq("f")}).json()
        fid = f["id"]
        self.api("a", "PUT", f"/folders/{fid}/files/content", b"x", query={"path": "x.txt"})
        self.api("a", "POST", f"/folders/{fid}/files/mkdir", {"path": "d"})
        for user, perm in [("bro", "ro"), ("brw", "rw")]:
            inv = self.api("a", "POST", f"/folders/{fid}/shares", {"user": user, "permission": perm}).json()
            assert self.api(user, "POST", f"/invitations/{inv['id']}/accept").status == 200
        if trashed:
            assert self.api("a", "DELETE", f"/folders/{fid}").status == 200
        return fid

    def snap_folder(self):
        """folder() on the btrfs volume `fast`, with A's snapshot `s`; the
        snapshot rows skip where this machine cannot make a btrfs."""
        if not self.have_btrfs:
            pytest.skip("no btrfs volume here (root, loop devices, mkfs.btrfs)")
        f = self.api("a", "POST", "/folders", {"name": self.uniq("s"), "volume": "fast"}).json()
        fid = f["id"]
        self.api("a", "PUT", f"/folders/{fid}/files/content", b"x", query={"path": "x.txt"})
        for user, perm in [("bro", "ro"), ("brw", "rw")]:
            inv = self.api("a", "POST", f"/folders/{fid}/shares", {"user": user, "permission": perm}).json()
            assert self.api(user, "POST", f"/invitations/{inv['id']}/accept").status == 200
        assert self.api("a", "POST", f"/folders/{fid}/snapshots", {"name": "s"}).status == 201
        return fid

    def invitation_for_b(self):
        fid = self.api("a", "POST", "/folders", {"name": self.uniq("inv")}).json()["id"]
        return self.api("a", "POST", f"/folders/{fid}/shares", {"user": "b", "permission": "ro"}).json()["id"]

    def session(self, fresh=False):
        if not self.have_image:
            pytest.skip("sessions need root and the python image")
        if fresh or not self._session:
            r = self.api("a", "POST", "/sessions", {"name": self.uniq("s")})
            assert r.status == 201, r
            if fresh:
                return r.json()["id"]
            self._session = r.json()["id"]
        return self._session

    def login_code(self, who):
        """A one-time web sign-in code minted by `who`."""
        return self.api(who, "POST", "/auth/login-codes").json()["code"]

    def dotfile_of_a(self):
        """A fresh dotfile of A's; dotfiles are per caller, so others see none."""
        path = self.uniq(".rc")
        assert self.api("a", "PUT", f"/dotfiles/{path}", b"x").status == 201
        return path

    def own_token_of_a(self):
        return self.api("a", "POST", "/tokens", {"label": "x"}).json()["id"]

    def fresh_user(self):
        name = self.uniq("u")
        self.d.api("POST", "/users", {"name": name})
        return name


def http_status(w, who, method, path, body=None, query=None):
    return w.api(who, method, path, body, query=query).status


def sse_status(w, who):
    """Status of GET /events without waiting for the endless stream."""
    s = socket.create_connection(w.d.hostport.split(":"), timeout=10)
    auth = f"Authorization: Bearer {w.tokens[who]}\r\n" if w.tokens[who] else ""
    s.sendall(f"GET /api/v1/events HTTP/1.1\r\nHost: x\r\n{auth}\r\n".encode())
    line = s.recv(64).decode()
    s.close()
    return int(line.split()[1])


def ws_status(w, who, sid):
    h = {"Authorization": "Bearer " + w.tokens[who]} if w.tokens[who] else {}
    ws = WebSocket(w.d.hostport, f"/api/v1/sessions/{sid}/terminal", h)
    ws.close()
    return ws.status


# (method, path as in docs/openapi.yaml, call(world, principal) -> status,
#  expected statuses for anon, a, b, bro, brw, admin). A set means "any of".
DENIED = {400, 404, 409}  # got past authorization, refused for what it asked
TABLE = [
    ("get", "/health", lambda w, p: http_status(w, p, "GET", "/health"),
     [200, 200, 200, 200, 200, 200]),
    ("get", "/health/ready", lambda w, p: http_status(w, p, "GET", "/health/ready"),
     [200, 200, 200, 200, 200, 200]),
    ("get", "/metrics", lambda w, p: http_status(w, p, "GET", "/metrics"),
     [401, 403, 403, 403, 403, 200]),
    ("get", "/login", lambda w, p: w.d.request(
        "GET", "/login" + (f"?code={w.login_code(p)}" if w.tokens[p] else ""), token=None).status,
     [400, 302, 302, 302, 302, 302]),
    ("post", "/auth/login-codes", lambda w, p: http_status(w, p, "POST", "/auth/login-codes"),
     [401] + [201] * 5),
    ("post", "/auth/login", lambda w, p: w.d.api(
        "POST", "/auth/login", {"user": p if p != "anon" else "a",
                                "password": w.passwords.get(p, "wrong-password")}, token=None).status,
     [401, 200, 200, 200, 200, 200]),
    ("post", "/auth/logout", lambda w, p: http_status(w, p, "POST", "/auth/logout"),
     [401, 204, 204, 204, 204, 204]),
    ("get", "/me", lambda w, p: http_status(w, p, "GET", "/me"), [401] + [200] * 5),
    ("patch", "/me", lambda w, p: http_status(w, p, "PATCH", "/me", {"python_user_base": "shared"}),
     [401] + [200] * 5),
    ("get", "/dotfiles", lambda w, p: http_status(w, p, "GET", "/dotfiles"), [401] + [200] * 5),
    ("put", "/dotfiles/{path}", lambda w, p: w.api(p, "PUT", f"/dotfiles/{w.uniq('.new')}", b"x").status,
     [401] + [201] * 5),
    ("get", "/dotfiles/{path}", lambda w, p: http_status(w, p, "GET", f"/dotfiles/{w.dotfile_of_a()}"),
     [401, 200, 404, 404, 404, 404]),
    ("delete", "/dotfiles/{path}",
     lambda w, p: http_status(w, p, "DELETE", f"/dotfiles/{w.dotfile_of_a()}"),
     [401, 204, 404, 404, 404, 404]),
    ("post", "/tokens", lambda w, p: http_status(w, p, "POST", "/tokens", {}), [401] + [201] * 5),
    ("get", "/tokens", lambda w, p: http_status(w, p, "GET", "/tokens"), [401] + [200] * 5),
    ("delete", "/tokens/{id}", lambda w, p: http_status(w, p, "DELETE", f"/tokens/{w.own_token_of_a()}"),
     [401, 204, 404, 404, 404, 404]),
    ("get", "/volumes", lambda w, p: http_status(w, p, "GET", "/volumes"), [401] + [200] * 5),
    ("post", "/folders", lambda w, p: http_status(w, p, "POST", "/folders", {"name": w.uniq("n")}),
     [401] + [201] * 5),
    ("get", "/folders", lambda w, p: http_status(w, p, "GET", "/folders"), [401] + [200] * 5),
    ("get", "/folders/{name}", lambda w, p: http_status(w, p, "GET", f"/folders/{w.folder()}"),
     [401, 200, 404, 200, 200, 200]),
    ("patch", "/folders/{name}", lambda w, p: http_status(
        w, p, "PATCH", f"/folders/{w.folder()}", {"name": w.uniq("r")}),
     [401, 200, 404, 403, 403, 200]),
    ("delete", "/folders/{name}", lambda w, p: http_status(w, p, "DELETE", f"/folders/{w.folder()}"),
     [401, 200, 404, 403, 403, 200]),
    ("delete", "/folders/{name}?purge", lambda w, p: http_status(
        w, p, "DELETE", f"/folders/{w.folder(trashed=True)}", query={"purge": "true"}),
     [401, 204, 404, 403, 403, 204]),
    ("patch", "/folders/{name}?quota", lambda w, p: http_status(
        w, p, "PATCH", f"/folders/{w.folder()}", {"quota_bytes": 1 << 30}),
     [401, 200, 404, 403, 403, 200]),
    # Whoever may read a folder may clone it; the clone is the caller's.
    ("post", "/folders/{name}/clone", lambda w, p: http_status(
        w, p, "POST", f"/folders/{w.folder()}/clone", {"name": w.uniq("c")}),
     [401, 201, 404, 201, 201, 201]),
    ("post", "/folders/{name}/restore", lambda w, p: http_status(
        w, p, "POST", f"/folders/{w.folder(trashed=True)}/restore"),
     [401, 200, 404, 403, 403, 200]),
    ("get", "/folders/{name}/files", lambda w, p: http_status(w, p, "GET", f"/folders/{w.folder()}/files"),
     [401, 200, 404, 200, 200, 200]),
    ("delete", "/folders/{name}/files", lambda w, p: http_status(
        w, p, "DELETE", f"/folders/{w.folder()}/files", query={"path": "x.txt"}),
     [401, 204, 404, 403, 204, 204]),
    ("post", "/folders/{name}/files/mkdir", lambda w, p: http_status(
        w, p, "POST", f"/folders/{w.folder()}/files/mkdir", {"path": "new"}),
     [401, 201, 404, 403, 201, 201]),
    ("put", "/folders/{name}/files/content", lambda w, p: http_status(
        w, p, "PUT", f"/folders/{w.folder()}/files/content", b"up", query={"path": "up.txt"}),
     [401, 201, 404, 403, 201, 201]),
    ("get", "/folders/{name}/files/content", lambda w, p: http_status(
        w, p, "GET", f"/folders/{w.folder()}/files/content", query={"path": "x.txt"}),
     [401, 200, 404, 200, 200, 200]),
    ("post", "/folders/{name}/files/move", lambda w, p: http_status(
        w, p, "POST", f"/folders/{w.folder()}/files/move", {"src": "x.txt", "dst": "y.txt"}),
     [401, 200, 404, 403, 200, 200]),
    ("post", "/folders/{name}/download-link", lambda w, p: http_status(
        w, p, "POST", f"/folders/{w.folder()}/download-link", {"path": "x.txt"}),
     [401, 201, 404, 201, 201, 201]),
    # The signed link is the credential: whoever holds it may download.
    ("get", "/download/{token}", lambda w, p: w.d.request("GET", w.api(
        "a", "POST", f"/folders/{w.folder()}/download-link", {"path": "x.txt"}).json()["url"],
        token=w.tokens[p]).status,
     [200] * 6),
    # Snapshots (btrfs): read to list and browse, rw to take and restore,
    # the owner (or a superadmin) to delete; strangers get 404.
    ("post", "/folders/{name}/snapshots", lambda w, p: http_status(
        w, p, "POST", f"/folders/{w.snap_folder()}/snapshots", {"name": "t"}),
     [401, 201, 404, 403, 201, 201]),
    ("get", "/folders/{name}/snapshots", lambda w, p: http_status(
        w, p, "GET", f"/folders/{w.snap_folder()}/snapshots"),
     [401, 200, 404, 200, 200, 200]),
    ("delete", "/folders/{name}/snapshots/{snap}", lambda w, p: http_status(
        w, p, "DELETE", f"/folders/{w.snap_folder()}/snapshots/s"),
     [401, 204, 404, 403, 403, 204]),
    ("post", "/folders/{name}/snapshots/{snap}/restore", lambda w, p: http_status(
        w, p, "POST", f"/folders/{w.snap_folder()}/snapshots/s/restore", {"path": "x.txt"}),
     [401, 200, 404, 403, 200, 200]),
    ("get", "/folders/{name}/snapshots/{snap}/files", lambda w, p: http_status(
        w, p, "GET", f"/folders/{w.snap_folder()}/snapshots/s/files"),
     [401, 200, 404, 200, 200, 200]),
    ("get", "/folders/{name}/snapshots/{snap}/files/content", lambda w, p: http_status(
        w, p, "GET", f"/folders/{w.snap_folder()}/snapshots/s/files/content", query={"path": "x.txt"}),
     [401, 200, 404, 200, 200, 200]),
    ("post", "/folders/{name}/shares", lambda w, p: http_status(
        w, p, "POST", f"/folders/{w.folder()}/shares", {"user": "b", "permission": "ro"}),
     [401, 201, 404, 403, 403, 201]),
    ("get", "/folders/{name}/shares", lambda w, p: http_status(w, p, "GET", f"/folders/{w.folder()}/shares"),
     [401, 200, 404, 403, 403, 200]),
    ("delete", "/folders/{name}/shares/{user}", lambda w, p: http_status(
        w, p, "DELETE", f"/folders/{w.folder()}/shares/bro"),
     [401, 204, 404, 403, 403, 204]),
    ("post", "/folders/{name}/leave", lambda w, p: http_status(w, p, "POST", f"/folders/{w.folder()}/leave"),
     [401, 409, 404, 204, 204, 409]),
    ("get", "/invitations", lambda w, p: http_status(w, p, "GET", "/invitations"), [401] + [200] * 5),
    ("post", "/invitations/{id}/accept", lambda w, p: http_status(
        w, p, "POST", f"/invitations/{w.invitation_for_b()}/accept"),
     [401, 404, 200, 404, 404, 404]),
    ("post", "/invitations/{id}/reject", lambda w, p: http_status(
        w, p, "POST", f"/invitations/{w.invitation_for_b()}/reject"),
     [401, 404, 204, 404, 404, 404]),
    ("post", "/sessions", lambda w, p: (w.session(), http_status(w, p, "POST", "/sessions", {}))[1],
     [401] + [201] * 5),
    ("get", "/sessions", lambda w, p: http_status(w, p, "GET", "/sessions"), [401] + [200] * 5),
    ("get", "/sessions/{name}", lambda w, p: http_status(w, p, "GET", f"/sessions/{w.session()}"),
     [401, 200, 404, 404, 404, 200]),
    ("delete", "/sessions/{name}", lambda w, p: http_status(
        w, p, "DELETE", f"/sessions/{w.session(fresh=True)}"),
     [401, 204, 404, 404, 404, 204]),
    ("post", "/sessions/{name}/exec", lambda w, p: http_status(
        w, p, "POST", f"/sessions/{w.session()}/exec", {"command": ["true"]}),
     [401, 200, 404, 404, 404, 200]),
    ("get", "/sessions/{name}/logs", lambda w, p: http_status(w, p, "GET", f"/sessions/{w.session()}/logs"),
     [401, 200, 404, 404, 404, 200]),
    ("get", "/sessions/{name}/terminal", lambda w, p: ws_status(w, p, w.session()),
     [401, 101, 404, 404, 404, 101]),
    ("get", "/sessions/{name}/apps", lambda w, p: http_status(w, p, "GET", f"/sessions/{w.session()}/apps"),
     [401, 200, 404, 404, 404, 200]),
    # 302 into the apps origin; 404 app_not_found with an image that declares no jupyter.
    ("get", "/sessions/{name}/apps/{app}/open",
     lambda w, p: http_status(w, p, "GET", f"/sessions/{w.session()}/apps/jupyter/open"),
     [401, {302, 404}, 404, 404, 404, {302, 404}]),
    ("get", "/images", lambda w, p: http_status(w, p, "GET", "/images"), [401] + [200] * 5),
    ("get", "/resource-groups", lambda w, p: http_status(w, p, "GET", "/resource-groups"),
     [401] + [200] * 5),
    ("post", "/images/build", lambda w, p: http_status(w, p, "POST", "/images/build", {"recipe": "no-such-recipe"}),
     [401, 403, 403, 403, 403, DENIED]),
    ("put", "/images/import", lambda w, p: http_status(
        w, p, "PUT", "/images/import", b"not a tarball", query={"name": "imp"}),
     [401, 403, 403, 403, 403, DENIED | {500}]),
    ("get", "/events", sse_status, [401] + [200] * 5),
    ("post", "/users", lambda w, p: http_status(w, p, "POST", "/users", {"name": w.uniq("nu")}),
     [401, 403, 403, 403, 403, 201]),
    ("get", "/users", lambda w, p: http_status(w, p, "GET", "/users"), [401, 403, 403, 403, 403, 200]),
    ("patch", "/users/{name}", lambda w, p: http_status(
        w, p, "PATCH", f"/users/{w.fresh_user()}", {"sudo_allowed": True}),
     [401, 403, 403, 403, 403, 200]),
    ("delete", "/users/{name}", lambda w, p: http_status(w, p, "DELETE", f"/users/{w.fresh_user()}"),
     [401, 403, 403, 403, 403, 204]),
    ("post", "/users/{name}/tokens", lambda w, p: http_status(w, p, "POST", f"/users/{w.fresh_user()}/tokens"),
     [401, 403, 403, 403, 403, 201]),
]


@pytest.fixture(scope="module")
def world(request):
    try:
        fast = tempfile.mkdtemp(prefix="vol-", dir=request.getfixturevalue("btrfs_dir"))
    except pytest.skip.Exception:
        fast = None
    d = Berthd(["--volume", f"fast={fast}"] if fast else []).start()
    try:
        yield World(d, have_btrfs=fast is not None)
    finally:
        for s in d.api("GET", "/sessions", query={"all": "true"}).json().get("sessions", []):
            d.api("DELETE", f"/sessions/{s['id']}")
        d.stop()


@pytest.mark.parametrize("row", TABLE, ids=[f"{m.upper()} {p}" for m, p, _, _ in TABLE])
def test_matrix(world, row):
    method, path, call, expected = row
    got, want = {}, {}
    for who, exp in zip(PRINCIPALS, expected):
        got[who] = call(world, who)
        want[who] = exp
    bad = {w: (got[w], want[w]) for w in PRINCIPALS
           if not (got[w] in want[w] if isinstance(want[w], set) else got[w] == want[w])}
    assert not bad, f"{method.upper()} {path}: (got, expected) {bad}"


def test_every_endpoint_is_in_the_table():
    text = open(OPENAPI).read()
    documented, path = set(), None
    for line in text.splitlines():
        m = re.match(r"^  (/\S*):\s*$", line)
        if m:
            path = m.group(1)
            continue
        m = re.match(r"^    (get|post|put|patch|delete):\s*$", line)
        if m and path:
            documented.add((m.group(1), path))
    covered = {(m, p.split("?")[0]) for m, p, _, _ in TABLE}
    assert documented, "could not read docs/openapi.yaml"
    missing = sorted(documented - covered)
    assert not missing, f"endpoints without a row in the authorization table: {missing}"
