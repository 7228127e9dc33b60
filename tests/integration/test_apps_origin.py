"""The apps origin's two forms beyond plain HTTP (SPEC §3 "Apps", issue 12):

- https: with --tls-cert/--tls-key the apps listener serves TLS with the
  API's certificate; app URLs are https://, the apps cookie is Secure, the
  echo app and Jupyter's contents API answer through it, a kernel runs over
  wss://, and plain HTTP to it is not served.
- wildcard hosts (`--apps-listen '*.apps.localhost'`): every app has its own
  origin <app>-<session id>.apps.localhost; the proxy refuses (421) a
  request whose Host is not the host of the app its path names, /open
  sends the browser to the app's own host, and the cookie is host-only.

No name is ever resolved: every connection goes to 127.0.0.1, with the app's
host name in Host (and as the TLS server name).
"""
import json
import os
import re
import socket
import ssl
import urllib.parse

import pytest

from app_images import make_images_dir, remove_images_dir
from apps_client import call
from berth_harness import session_berthd
from test_apps import (SOURCE_IMAGES, app_of, echo_app, echo_session, kernel_writes_test_file,
                       user_token, wait_ready)
from pki import make_pki

DOMAIN = "apps.localhost"


def on_host(url, host):
    """`url` with its host name replaced (the port kept)."""
    u = urllib.parse.urlsplit(url)
    return u._replace(netloc=f"{host}:{u.port}").geturl()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(str(tmp_path_factory.mktemp("apps-pki")), dns_names=("*." + DOMAIN,))


def apps_berthd(args):
    if not os.path.exists(os.path.join(SOURCE_IMAGES, "python", "image.json")):
        pytest.skip(f"no python image in {SOURCE_IMAGES}")
    images = make_images_dir(SOURCE_IMAGES, {"echoapp": [echo_app()]})
    try:
        yield from session_berthd("runc", ["--images-dir", images, *args])
    finally:
        remove_images_dir(images)


@pytest.fixture
def tls(pki):
    _, cert, key = pki
    yield from apps_berthd(["--tls-cert", cert, "--tls-key", key])


@pytest.fixture
def wild():
    yield from apps_berthd(["--apps-listen", "*." + DOMAIN])


@pytest.fixture
def wild_tls(pki):
    _, cert, key = pki
    yield from apps_berthd(["--tls-cert", cert, "--tls-key", key, "--apps-listen", "*." + DOMAIN])


def has_jupyter():
    with open(os.path.join(SOURCE_IMAGES, "python", "image.json")) as f:
        return any(a.get("name") == "jupyter" for a in json.load(f).get("apps", []))


# -- https -----------------------------------------------------------------

def test_https_apps_origin_serves_the_app_and_a_secure_cookie(tls):
    ctx = tls.ssl_context
    alice = user_token(tls, "alice")
    s = echo_session(tls, alice)
    url = app_of(tls, "echo1", "echo", token=alice)["url"]
    assert re.fullmatch(rf"https://127\.0\.0\.1:\d+/s/{s['id']}/echo/", url), url
    assert call(url, ctx=ctx)[0] == 401  # anonymous, over TLS
    status, h, body, _ = wait_ready(url + "x?y=1", alice, {"Origin": "https://evil.example"}, ctx=ctx)
    assert status == 200, body
    seen = json.loads(body)
    headers = {k.lower(): v for k, v in seen["headers"]}
    assert "authorization" not in headers and alice not in body.decode()
    assert headers["host"].startswith("127.0.0.1:") and headers["origin"] == "http://" + headers["host"]
    # A request body streams through the TLS pump (bigger than its buffers).
    status, _, body = call(url + "upload", alice, method="POST", body=b"x" * (3 << 20), ctx=ctx)
    assert status == 200 and json.loads(body)["body_bytes"] == 3 << 20

    # /open: an https redirect, then a Secure, HttpOnly, path-scoped cookie.
    r = tls.api("GET", "/sessions/echo1/apps/echo/open", token=alice)
    assert r.status == 302, r
    loc = r.headers["location"]
    assert loc.startswith(url + "_berth_open?code="), loc
    status, h, _ = call(loc, ctx=ctx)
    assert status == 302 and h["location"] == f"/s/{s['id']}/echo/"
    cookie = h["set-cookie"]
    for part in ("Secure", "HttpOnly", f"Path=/s/{s['id']}/echo/"):
        assert part in cookie, cookie
    assert call(url, headers={"Cookie": cookie.split(";")[0]}, ctx=ctx)[0] == 200

    # Plain HTTP to the TLS port is not served, and the origin serves on.
    port = urllib.parse.urlsplit(url).port
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(f"GET /s/{s['id']}/echo/ HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        try:
            answer = raw.recv(100)
        except (ConnectionResetError, socket.timeout):
            answer = b""
        assert not answer.startswith(b"HTTP/1.1 200"), answer
    assert call(url, alice, ctx=ctx)[0] == 200
    # Without the CA, a client refuses the certificate.
    with pytest.raises(ssl.SSLError):
        call(url, alice, ctx=ssl.create_default_context())


def test_https_jupyter_contents_and_a_kernel_over_wss(tls):
    if not has_jupyter():
        pytest.skip("the python image declares no jupyter app (rebuild it from this tree)")
    ctx = tls.ssl_context
    alice = user_token(tls, "alice")
    assert tls.api("POST", "/folders", {"name": "user2-vfolder"}, token=alice).status == 201
    r = tls.api("POST", "/sessions", {"name": "nb", "mounts": [{"folder": "user2-vfolder"}]},
                token=alice)
    assert r.status == 201, r
    sid = r.json()["id"]
    base = app_of(tls, "nb", "jupyter", token=alice)["url"]
    assert base.startswith("https://")
    status, _, body, _ = wait_ready(base + "api/contents", alice, ctx=ctx, timeout=120)
    assert status == 200, body
    assert "user2-vfolder" in {e["name"] for e in json.loads(body)["content"]}
    kernel_writes_test_file(base, sid, alice, "over wss", ctx=ctx)
    got = tls.api("GET", "/folders/user2-vfolder/files/content", query={"path": "test_file"},
                  token=alice)
    assert got.status == 200 and got.body == b"over wss\n"


# -- wildcard hosts --------------------------------------------------------

def test_wildcard_mode_gives_every_app_its_own_host(wild):
    alice = user_token(wild, "alice")
    s, other = echo_session(wild, alice), echo_session(wild, alice, "echo2")
    sid = s["id"]
    url = app_of(wild, "echo1", "echo", token=alice)["url"]
    m = re.fullmatch(rf"http://echo-{sid}\.apps\.localhost:(\d+)/s/{sid}/echo/", url)
    assert m, url
    status, _, body, _ = wait_ready(url, alice)
    assert status == 200, body
    assert json.loads(body)["path"] == f"/s/{sid}/echo/"

    # The app's path on any other host: 421, naming the app's own host.
    for host in ("127.0.0.1", f"jupyter-{sid}.{DOMAIN}", f"echo-{other['id']}.{DOMAIN}",
                 f"echo-{sid}.evil.example", DOMAIN):
        status, h, body = call(on_host(url, host), alice)
        assert status == 421, (host, status, body)
        err = json.loads(body)["error"]
        assert err["code"] == "wrong_app_host" and f"echo-{sid}.{DOMAIN}" in err["message"], err
    # Host names are case-insensitive; a trailing dot is the same name.
    assert call(on_host(url, f"ECHO-{sid.upper()}.Apps.Localhost."), alice)[0] == 200

    # /open sends the browser to the app's own host; the cookie is host-only.
    r = wild.api("GET", "/sessions/echo1/apps/echo/open", token=alice)
    assert r.status == 302, r
    loc = r.headers["location"]
    assert loc.startswith(url + "_berth_open?code="), loc
    assert call(on_host(loc, f"echo-{other['id']}.{DOMAIN}"))[0] == 421  # the code stays unused
    status, h, _ = call(loc)
    assert status == 302, h
    cookie = h["set-cookie"]
    assert "domain" not in cookie.lower() and "Secure" not in cookie, cookie
    value = cookie.split(";")[0]
    assert call(url, headers={"Cookie": value})[0] == 200
    # A page on another app's host (same-site, so a browser would attach
    # the cookie) cannot use it: 403 before the app sees the request; the
    # app's own page can, and a Bearer client is no browser.
    other_origin = f"http://echo-{other['id']}.{DOMAIN}:{m.group(1)}"
    status, _, body = call(url, headers={"Cookie": value, "Origin": other_origin}, method="POST",
                           body=b"{}")
    assert status == 403 and json.loads(body)["error"]["code"] == "cross_origin_request", body
    own_origin = f"http://echo-{sid}.{DOMAIN}:{m.group(1)}"
    assert call(url, headers={"Cookie": value, "Origin": own_origin}, method="POST", body=b"{}")[0] == 200
    assert call(url, alice, headers={"Origin": other_origin})[0] == 200
    # Another app's host does not take it, even for its own path.
    other_url = app_of(wild, "echo2", "echo", token=alice)["url"]
    assert urllib.parse.urlsplit(other_url).hostname == f"echo-{other['id']}.{DOMAIN}"
    assert call(other_url, headers={"Cookie": value})[0] == 401

    # The CLI shows the per-app URL as well.
    p = wild.cli("session", "apps", sid, "-o", "json")  # the admin, by id
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["apps"][0]["url"] == url


def test_wildcard_mode_over_https(wild_tls):
    ctx = wild_tls.ssl_context  # trusts the test CA; the certificate has *.apps.localhost
    alice = user_token(wild_tls, "alice")
    sid = echo_session(wild_tls, alice)["id"]
    url = app_of(wild_tls, "echo1", "echo", token=alice)["url"]
    assert re.fullmatch(rf"https://echo-{sid}\.apps\.localhost:\d+/s/{sid}/echo/", url), url
    status, _, body, _ = wait_ready(url, alice, ctx=ctx)  # verified for the app's host name
    assert status == 200, body
    status, h, _ = call(wild_tls.api("GET", "/sessions/echo1/apps/echo/open",
                                     token=alice).headers["location"], ctx=ctx)
    assert status == 302 and "Secure" in h["set-cookie"] and "domain" not in h["set-cookie"].lower()
    assert call(on_host(url, "127.0.0.1"), alice, ctx=ctx)[0] == 421
