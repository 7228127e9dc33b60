"""Apps behind the apps origin (SPEC §3 "Apps", §5, issue 12).

Two kinds of app:
- `echo`, a tiny HTTP server that answers every request with the method,
  path, headers and body size it received, declared in a throw-away image
  (`echoapp`: the python image's rootfs with its own image.json). It proves
  what reaches an app (no Berth credential, a local Host/Origin), the 503
  while it starts, the 502 once it exited, streaming bodies, and the /open
  cookie flow.
- Jupyter from the `python` image (skipped when the image in use declares no
  `jupyter` app: build one with `berthd build-image python` from this tree):
  the contents API lists /home/work with the mounted folders, and a kernel
  driven over the channels WebSocket writes a file into a mounted folder,
  which then downloads through the storage API.

All traffic goes to 127.0.0.1 (berthd's two listeners).
"""
import base64
import json
import os
import time
import urllib.parse
import uuid

import pytest

from app_images import make_images_dir, remove_images_dir
from apps_client import call
from berth_harness import WebSocket, session_berthd

ECHO_APP = r'''
import http.server, json, os, sys, time
time.sleep(3)
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        n = int(self.headers.get("Content-Length") or 0)
        got = 0
        while got < n:
            chunk = self.rfile.read(min(65536, n - got))
            if not chunk:
                break
            got += len(chunk)
        if self.path.endswith("/hangup"):
            self.close_connection = True
            return
        if self.path.endswith("/exit"):
            self.send_response(200); self.send_header("Content-Length", "3"); self.end_headers()
            self.wfile.write(b"bye"); self.wfile.flush(); os._exit(3)
        body = json.dumps({"path": self.path, "method": self.command, "body_bytes": got,
                           "headers": [[k, v] for k, v in self.headers.items()],
                           "uid": os.getuid(), "home": os.environ.get("HOME")}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    do_POST = do_GET
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
'''

SOURCE_IMAGES = os.environ.get("BERTH_TEST_IMAGE_DIR") or os.environ.get(
    "BERTH_IMAGES_DIR", "/var/cache/berth-test/images")


def echo_app():
    code = base64.b64encode(ECHO_APP.encode()).decode()
    return {"name": "echo", "display_name": "Echo", "port": 8899,
            "command": f"python3 -c \"import base64;exec(base64.b64decode('{code}'))\" {{port}}"}


@pytest.fixture(params=["runc", "docker"])
def ab(request):
    if not os.path.exists(os.path.join(SOURCE_IMAGES, "python", "image.json")):
        pytest.skip(f"no python image in {SOURCE_IMAGES}")
    images = make_images_dir(SOURCE_IMAGES, {"echoapp": [echo_app()]})
    try:
        yield from session_berthd(request.param, ["--images-dir", images])
    finally:
        remove_images_dir(images)


def get(url, token=None, headers=None, method="GET", body=None):
    """One request to an absolute URL on 127.0.0.1 (no redirects followed)."""
    assert urllib.parse.urlsplit(url).hostname == "127.0.0.1", url
    return call(url, token, headers, method, body)


def wait_ready(url, token=None, headers=None, timeout=90, ctx=None):
    """Polls until the app answers something else than 503 (bounded);
    `ctx`: the ssl.SSLContext for an https URL."""
    deadline = time.time() + timeout
    saw_503 = False
    while time.time() < deadline:
        status, h, body = call(url, token, headers, ctx=ctx)
        if status != 503:
            return status, h, body, saw_503
        saw_503 = True
        assert h.get("retry-after"), h
        time.sleep(0.5)
    raise AssertionError(f"{url} still starting after {timeout} s")


def user_token(b, name):
    assert b.api("POST", "/users", {"name": name, "password": "pw-" + name + "-secret"}).status == 201
    return b.api("POST", f"/users/{name}/tokens").json()["token"]


def app_of(b, session, name, token="default"):
    r = b.api("GET", f"/sessions/{session}/apps", token=token)
    assert r.status == 200, r
    apps = {a["name"]: a for a in r.json()["apps"]}
    return apps.get(name)


def echo_session(b, token, name="echo1"):
    r = b.api("POST", "/sessions", {"name": name, "image": "echoapp"}, token=token)
    assert r.status == 201, r
    return r.json()


def test_echo_app_sees_no_berth_credential_and_a_local_host(ab):
    alice = user_token(ab, "alice")
    s = echo_session(ab, alice)
    app = app_of(ab, "echo1", "echo", token=alice)
    assert app["display_name"] == "Echo"
    assert app["status"] == "stopped"
    assert app["url"].startswith("http://127.0.0.1:") and app["url"].endswith(f"/s/{s['id']}/echo/")
    assert not app["url"].startswith(ab.url)  # a separate origin

    # Anonymous: 401 before anything starts.
    status, _, body = get(app["url"])
    assert status == 401, body

    # First use starts it: 503 with Retry-After and a page that reloads.
    status, h, body = get(app["url"] + "x?y=1", alice)
    assert status == 503, body
    assert h["retry-after"] == "2" and b"http-equiv=\"refresh\"" in body
    status, h, body, _ = wait_ready(
        app["url"] + "x?y=1", alice,
        {"Cookie": "berth_session=api-cookie; keep=1; berth_app=bogus", "Origin": "http://evil.example"})
    assert status == 200, body
    assert h["connection"] == "close"
    seen = json.loads(body)
    headers = {k.lower(): v for k, v in seen["headers"]}
    assert seen["path"] == f"/s/{s['id']}/echo/x?y=1"
    assert "authorization" not in headers
    assert headers["cookie"] == "keep=1"
    assert alice not in body.decode() and "api-cookie" not in body.decode()
    assert headers["host"].startswith("127.0.0.1:")
    assert headers["origin"] == "http://" + headers["host"]
    assert seen["uid"] == 1000 and seen["home"] == "/home/work"
    assert app_of(ab, "echo1", "echo", token=alice)["status"] == "running"

    # A request body streams through.
    status, _, body = get(app["url"] + "upload", alice, method="POST", body=b"x" * (3 << 20))
    assert status == 200 and json.loads(body)["body_bytes"] == 3 << 20

    # Another user: not found; a bad token: 401; the owner's cookie is not a token.
    bob = user_token(ab, "bob")
    assert get(app["url"], bob)[0] == 404
    assert get(app["url"], "not-a-token")[0] == 401
    # The admin (superadmin) may, as for the session itself.
    assert get(app["url"], ab.token)[0] == 200
    # Not an app path: 404; the app name without its slash: redirect.
    assert get(app["url"].split("/s/")[0] + "/api/v1/me", alice)[0] == 404
    status, h, _ = get(app["url"].rstrip("/"), alice)
    assert status == 301 and h["location"] == f"/s/{s['id']}/echo/"


def test_open_sets_a_path_scoped_cookie_once(ab):
    alice = user_token(ab, "alice")
    s = echo_session(ab, alice)
    r = ab.api("GET", "/sessions/echo1/apps/echo/open", token=alice)
    assert r.status == 302, r
    loc = r.headers["location"]
    assert f"/s/{s['id']}/echo/_berth_open?code=" in loc and alice not in loc
    status, h, _ = get(loc)
    assert status == 302 and h["location"] == f"/s/{s['id']}/echo/"
    cookie = h["set-cookie"]
    assert cookie.startswith("berth_app=")
    for part in (f"Path=/s/{s['id']}/echo/", "HttpOnly", "SameSite=Lax"):
        assert part in cookie, cookie
    value = cookie.split(";")[0]
    # The code is single use.
    assert get(loc)[0] == 401
    status, _, body, _ = wait_ready(urllib.parse.urljoin(loc, h["location"]), headers={"Cookie": value})
    assert status == 200, body
    headers = {k.lower(): v for k, v in json.loads(body)["headers"]}
    assert "cookie" not in headers  # the apps cookie never reaches the app
    # The cookie is for this session's app only.
    other = echo_session(ab, alice, "echo2")
    other_url = urllib.parse.urljoin(loc, f"/s/{other['id']}/echo/")
    assert get(other_url, headers={"Cookie": value})[0] == 401
    # Unknown app, another user's /open.
    assert ab.api("GET", "/sessions/echo1/apps/nope/open", token=alice).status == 404
    bob = user_token(ab, "bob")
    assert ab.api("GET", f"/sessions/{s['id']}/apps/echo/open", token=bob).status == 404
    assert ab.api("GET", "/sessions/echo1/apps/echo/open", token=None).status == 401


def test_an_exited_app_is_502_until_opened_again(ab):
    alice = user_token(ab, "alice")
    echo_session(ab, alice)
    url = app_of(ab, "echo1", "echo", token=alice)["url"]
    assert wait_ready(url, alice)[0] == 200
    assert get(url + "exit", alice)[0] == 200
    deadline = time.time() + 20
    status = None
    while time.time() < deadline:
        # Strict: the app's listener can still accept while the process
        # exits, but then the proxy answers 502 itself; the client never
        # sees a dropped connection.
        # While it exits, that 502 may come before the app is seen gone:
        # the end state is a 502 from a `stopped` app.
        status = get(url, alice)[0]
        state = app_of(ab, "echo1", "echo", token=alice)["status"]
        if status == 502 and state == "stopped":
            break
        time.sleep(0.3)
    assert status == 502
    assert state == "stopped"
    assert ab.api("GET", "/sessions/echo1/apps/echo/open", token=alice).status == 302
    assert wait_ready(url, alice)[0] == 200


def test_an_app_that_hangs_up_without_answering_is_the_proxys_own_502(ab):
    echo_session(ab, ab.token)
    url = app_of(ab, "echo1", "echo")["url"]
    assert wait_ready(url, ab.token)[0] == 200
    status, h, body = get(url + "hangup", ab.token)  # no exception: an answer
    assert status == 502, (status, body)
    assert h["content-type"] == "application/json"
    err = json.loads(body)["error"]
    assert err["code"] == "app_no_response", err
    assert "closed the connection before it answered" in err["message"]
    assert ".berth-apps/echo.log" in err["message"]
    assert get(url, ab.token)[0] == 200  # the app itself runs on


def test_cli_lists_apps(ab):
    echo_session(ab, ab.token)
    p = ab.cli("session", "apps", "echo1")
    assert p.returncode == 0, p.stderr
    text = p.stdout.decode()
    assert "DISPLAY NAME" in text and "Echo" in text and "stopped" in text
    p = ab.cli("session", "apps", "echo1", "-o", "json")
    apps = json.loads(p.stdout)["apps"]
    assert apps[0]["name"] == "echo" and apps[0]["url"].startswith("http://127.0.0.1:")
    assert ab.cli("session", "apps", "no-such-session").returncode != 0


# -- Jupyter ---------------------------------------------------------------

def kernel_execute(ws, code, timeout=60):
    """Sends execute_request on the shell channel; returns the reply content."""
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex,
                   "msg_type": "execute_request", "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }), opcode=1)
    ws.sock.settimeout(timeout)
    deadline = time.time() + timeout
    while time.time() < deadline:
        op, data = ws.recv()
        if op == 8:
            raise AssertionError("kernel socket closed")
        if op != 1:
            continue  # ping/pong/binary
        m = json.loads(data)
        if m.get("parent_header", {}).get("msg_id") == msg_id and \
                m.get("header", {}).get("msg_type") == "execute_reply":
            return m["content"]
    raise AssertionError("no execute_reply")


def kernel_writes_test_file(base, sid, token, text, ctx=None):
    """Starts a kernel of the Jupyter at `base` and, over its channels
    WebSocket (wss with `ctx`), writes `text` + newline into
    /home/work/user2-vfolder/test_file. Returns the kernel id."""
    status, _, body = call(base + "api/kernels", token, {"Content-Type": "application/json"},
                           "POST", b"{}", ctx=ctx)
    assert status == 201, body
    kid = json.loads(body)["id"]
    u = urllib.parse.urlsplit(base)
    ws = WebSocket(u.netloc, f"/s/{sid}/jupyter/api/kernels/{kid}/channels",
                   {"Authorization": "Bearer " + token, "Origin": f"{u.scheme}://{u.netloc}"},
                   ssl_context=ctx)
    try:
        assert ws.status == 101, ws.head
        reply = kernel_execute(
            ws, f"open('/home/work/user2-vfolder/test_file', 'w').write({text + chr(10)!r})")
        assert reply["status"] == "ok", reply
    finally:
        ws.close()
    return kid


def test_jupyter_lists_home_and_a_kernel_writes_into_a_folder(ab):
    with open(os.path.join(SOURCE_IMAGES, "python", "image.json")) as f:
        if not any(a.get("name") == "jupyter" for a in json.load(f).get("apps", [])):
            pytest.skip("the python image declares no jupyter app (rebuild it from this tree)")
    alice = user_token(ab, "alice")
    for name in ("user2-vfolder", "data"):
        assert ab.api("POST", "/folders", {"name": name}, token=alice).status == 201
    r = ab.api("POST", "/sessions", {"name": "nb", "mounts": [{"folder": "user2-vfolder"},
                                                             {"folder": "data"}]}, token=alice)
    assert r.status == 201, r
    sid = r.json()["id"]
    app = app_of(ab, "nb", "jupyter", token=alice)
    assert app["display_name"] == "Jupyter"
    base = app["url"]
    assert get(base + "api/contents")[0] == 401
    status, _, body, _ = wait_ready(base + "api/contents", alice, timeout=120)
    assert status == 200, body
    names = {e["name"] for e in json.loads(body)["content"]}
    assert {"user2-vfolder", "data"} <= names, names
    bob = user_token(ab, "bob")
    assert get(base + "api/contents", bob)[0] == 404

    kid = kernel_writes_test_file(base, sid, alice, "from jupyter")
    host = urllib.parse.urlsplit(base).netloc
    # Refused without a credential on the WebSocket too.
    anon = WebSocket(host, f"/s/{sid}/jupyter/api/kernels/{kid}/channels", {})
    anon.close()
    assert anon.status == 401
    got = ab.api("GET", "/folders/user2-vfolder/files/content", query={"path": "test_file"},
                 token=alice)
    assert got.status == 200 and got.body == b"from jupyter\n"
