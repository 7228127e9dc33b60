"""Adversarial multi-user tests (SPEC §4, §8; docs/security.md): another
user's folders by name, id, download link, planted symlink and session
mount; CSRF and cross-origin WebSockets; brute-force sign-in; sudo policy."""
import http.client
import json
import os

import pytest

from berth_harness import WebSocket


def users(b, *names):
    tokens = {}
    for n in names:
        assert b.api("POST", "/users", {"name": n, "password": f"{n}-password"}).status == 201
        tokens[n] = b.api("POST", f"/users/{n}/tokens").json()["token"]
    return tokens


def folder_path(b, fid, owner_token):
    me = b.api("GET", "/me", token=owner_token).json()
    return os.path.join(b.data_dir, "volumes", "local", "u-" + me["id"], fid[:2], fid[2:4], fid[4:])


def test_other_users_folders_are_invisible(berthd):
    t = users(berthd, "alice", "bob")
    f = berthd.api("POST", "/folders", {"name": "secret"}, token=t["alice"]).json()
    berthd.api("PUT", "/folders/secret/files/content", b"alice only", token=t["alice"],
               query={"path": "s.txt"})
    for ref in ["secret", f["id"]]:
        for method, path in [("GET", f"/folders/{ref}"), ("GET", f"/folders/{ref}/files"),
                             ("GET", f"/folders/{ref}/files/content?path=s.txt"),
                             ("DELETE", f"/folders/{ref}"), ("POST", f"/folders/{ref}/download-link")]:
            r = berthd.api(method, path, {"path": "s.txt"} if method == "POST" else None, token=t["bob"])
            assert r.status == 404, (method, path, r)
    assert berthd.api("GET", "/folders", token=t["bob"]).json()["folders"] == []
    # Bob may have his own folder with the same name.
    assert berthd.api("POST", "/folders", {"name": "secret"}, token=t["bob"]).status == 201


def test_download_links_cannot_be_altered(berthd):
    t = users(berthd, "alice", "bob")
    berthd.api("POST", "/folders", {"name": "a"}, token=t["alice"])
    for p, data in [("one.txt", b"1"), ("two.txt", b"2")]:
        berthd.api("PUT", "/folders/a/files/content", data, token=t["alice"], query={"path": p})
    url = berthd.api("POST", "/folders/a/download-link", {"path": "one.txt"}, token=t["alice"]).json()["url"]
    assert berthd.request("GET", url, token=None).body == b"1"
    token = url.rsplit("/", 1)[1]
    payload, mac = token.split(".")
    # Point the payload at another path: the signature no longer matches.
    forged = bytes.fromhex(payload).replace(b"one.txt", b"two.txt").hex() + "." + mac
    r = berthd.request("GET", "/api/v1/download/" + forged, token=None)
    assert r.status == 403 and r.error_code() == "bad_link"
    r = berthd.request("GET", "/api/v1/download/" + payload + "." + "0" * len(mac), token=None)
    assert r.status == 403
    # Revoking access revokes the link: bob's link dies when his share goes.
    berthd.api("POST", "/folders/a/shares", {"user": "bob", "permission": "ro"}, token=t["alice"])
    inv = berthd.api("GET", "/invitations", token=t["bob"]).json()["invitations"][0]
    berthd.api("POST", f"/invitations/{inv['id']}/accept", token=t["bob"])
    url = berthd.api("POST", "/folders/a/download-link", {"path": "two.txt"}, token=t["bob"]).json()["url"]
    assert berthd.request("GET", url, token=None).body == b"2"
    berthd.api("DELETE", "/folders/a/shares/bob", token=t["alice"])
    assert berthd.request("GET", url, token=None).status == 404


def test_symlink_in_own_folder_to_another_users_folder(berthd):
    t = users(berthd, "alice", "bob")
    fa = berthd.api("POST", "/folders", {"name": "a"}, token=t["alice"]).json()
    berthd.api("PUT", "/folders/a/files/content", b"alice only", token=t["alice"], query={"path": "s.txt"})
    fb = berthd.api("POST", "/folders", {"name": "b"}, token=t["bob"]).json()
    a_dir = folder_path(berthd, fa["id"], t["alice"])
    b_dir = folder_path(berthd, fb["id"], t["bob"])
    # What a session of bob's could do inside his folder:
    os.symlink(a_dir, os.path.join(b_dir, "to-alice"))
    os.symlink(os.path.join(a_dir, "s.txt"), os.path.join(b_dir, "file-link"))
    os.symlink("../../../../../../../../" + a_dir.lstrip("/"), os.path.join(b_dir, "rel-link"))
    for path in ["to-alice/s.txt", "file-link", "rel-link/s.txt"]:
        r = berthd.api("GET", "/folders/b/files/content", token=t["bob"], query={"path": path})
        assert r.status == 400, (path, r)
        assert b"alice only" not in r.body
    for d in ["to-alice", "rel-link"]:
        assert berthd.api("GET", "/folders/b/files", token=t["bob"], query={"path": d}).status == 400
    r = berthd.api("PUT", "/folders/b/files/content", b"owned", token=t["bob"],
                   query={"path": "to-alice/s.txt", "overwrite": "true"})
    assert r.status == 400
    r = berthd.api("POST", "/folders/b/files/move", {"src": "to-alice/s.txt", "dst": "stolen"}, token=t["bob"])
    assert r.status == 400
    r = berthd.api("DELETE", "/folders/b/files", token=t["bob"], query={"path": "to-alice", "recursive": "true"})
    assert r.status == 204  # removes the link, not what it points to
    z = berthd.api("GET", "/folders/b/files/content", token=t["bob"], query={"path": "", "format": "tar"})
    assert b"alice only" not in z.body
    assert open(os.path.join(a_dir, "s.txt"), "rb").read() == b"alice only"


def test_sharing_rules(berthd):
    t = users(berthd, "alice", "bob", "carol")
    berthd.api("POST", "/folders", {"name": "shared"}, token=t["alice"])
    berthd.api("POST", "/folders", {"name": ".local"}, token=t["alice"])
    r = berthd.api("POST", "/folders/.local/shares", {"user": "bob", "permission": "ro"}, token=t["alice"])
    assert r.status == 400 and r.error_code() == "automount_not_shareable"
    r = berthd.api("POST", "/folders/shared/shares", {"user": "nobody", "permission": "ro"}, token=t["alice"])
    assert r.status == 404
    r = berthd.api("POST", "/folders/shared/shares", {"user": "bob", "permission": "admin"}, token=t["alice"])
    assert r.status == 400
    berthd.api("POST", "/folders/shared/shares", {"user": "bob", "permission": "rw"}, token=t["alice"])
    # Not visible before accepting.
    assert berthd.api("GET", "/folders/shared", token=t["bob"]).status == 404
    inv = berthd.api("GET", "/invitations", token=t["bob"]).json()["invitations"]
    assert [(i["folder"], i["owner"], i["permission"]) for i in inv] == [("shared", "alice", "rw")]
    assert berthd.api("POST", f"/invitations/{inv[0]['id']}/accept", token=t["carol"]).status == 404
    assert berthd.api("POST", f"/invitations/{inv[0]['id']}/accept", token=t["bob"]).status == 200
    f = berthd.api("GET", "/folders/shared", token=t["bob"]).json()
    assert f["owner"] == "alice" and f["permission"] == "rw"
    # An rw invitee writes, but never renames, deletes, purges or re-shares.
    assert berthd.api("PUT", "/folders/shared/files/content", b"hi", token=t["bob"], query={"path": "b.txt"}).status == 201
    assert berthd.api("PATCH", "/folders/shared", {"name": "mine"}, token=t["bob"]).status == 403
    assert berthd.api("DELETE", "/folders/shared", token=t["bob"]).status == 403
    r = berthd.api("POST", "/folders/shared/shares", {"user": "carol", "permission": "rw"}, token=t["bob"])
    assert r.status == 403
    # The owner downgrades to ro: writes stop at once.
    berthd.api("POST", "/folders/shared/shares", {"user": "bob", "permission": "ro"}, token=t["alice"])
    r = berthd.api("PUT", "/folders/shared/files/content", b"x", token=t["bob"], query={"path": "c.txt"})
    assert r.status == 403
    # The invitee leaves; the folder and its data stay with the owner.
    assert berthd.api("POST", "/folders/shared/leave", token=t["bob"]).status == 204
    assert berthd.api("GET", "/folders/shared", token=t["bob"]).status == 404
    r = berthd.api("GET", "/folders/shared/files/content", token=t["alice"], query={"path": "b.txt"})
    assert r.body == b"hi"


def cookie_login(b, user, password):
    conn = http.client.HTTPConnection(b.hostport)
    conn.request("POST", "/api/v1/auth/login", json.dumps({"user": user, "password": password}))
    r = conn.getresponse()
    r.read()
    cookie = r.getheader("Set-Cookie") or ""
    return r.status, cookie.split(";")[0]


def test_cookie_sign_in_needs_csrf_token_for_changes(berthd):
    users(berthd, "alice")
    status, cookie = cookie_login(berthd, "alice", "alice-password")
    assert status == 200 and cookie.startswith("berth_session=")
    me = berthd.api("GET", "/me", token=None, headers={"Cookie": cookie}).json()
    assert me["name"] == "alice" and me["csrf_token"]
    r = berthd.api("POST", "/folders", {"name": "x"}, token=None, headers={"Cookie": cookie})
    assert r.status == 403 and r.error_code() == "csrf_failed"
    r = berthd.api("POST", "/folders", {"name": "x"}, token=None,
                   headers={"Cookie": cookie, "X-CSRF-Token": "0" * 32})
    assert r.status == 403
    r = berthd.api("POST", "/folders", {"name": "x"}, token=None,
                   headers={"Cookie": cookie, "X-CSRF-Token": me["csrf_token"]})
    assert r.status == 201
    # A one-time /login?code= signs in too; a bad code does not.
    assert berthd.request("GET", "/login?code=bad", token=None).status == 401
    code = berthd.api("POST", "/auth/login-codes").json()["code"]
    r = berthd.request("GET", "/login?code=" + code, token=None)
    assert r.status == 302 and "HttpOnly" in r.headers["set-cookie"] and "SameSite=Strict" in r.headers["set-cookie"]
    # Sign out ends the cookie.
    r = berthd.api("POST", "/auth/logout", token=None, headers={"Cookie": cookie, "X-CSRF-Token": me["csrf_token"]})
    assert r.status == 204
    assert berthd.api("GET", "/me", token=None, headers={"Cookie": cookie}).status == 401


def test_cross_origin_websocket_with_cookie_is_refused(berthd):
    users(berthd, "alice")
    _, cookie = cookie_login(berthd, "alice", "alice-password")
    ws = WebSocket(berthd.hostport, "/api/v1/sessions/any/terminal",
                   {"Cookie": cookie, "Origin": "http://evil.example"})
    assert ws.status == 403
    ws.close()


def test_brute_force_sign_in_is_rate_limited(berthd):
    users(berthd, "alice")
    codes = [cookie_login(berthd, "alice", f"guess{i}")[0] for i in range(7)]
    assert codes[:5] == [401] * 5
    assert codes[5:] == [429, 429]
    # Even the right password waits now.
    assert cookie_login(berthd, "alice", "alice-password")[0] == 429
    log = open(os.path.join(berthd.data_dir, "audit.log")).read()
    assert '"action":"auth.login"' in log and "rate_limited" in log


def test_ordinary_users_cannot_grant_themselves_sudo(berthd):
    t = users(berthd, "alice")
    r = berthd.api("PATCH", "/users/alice", {"sudo_allowed": True}, token=t["alice"])
    assert r.status == 403
    assert berthd.api("GET", "/me", token=t["alice"]).json()["sudo_allowed"] is False


@pytest.mark.skipif(os.geteuid() != 0, reason="sessions need root")
def test_sudo_policy_and_ro_share_mounts(berthd):
    if not any(i["name"] == "python" for i in berthd.api("GET", "/images").json()["images"]):
        pytest.skip("no python image")
    t = users(berthd, "alice", "bob")
    berthd.api("POST", "/folders", {"name": "data"}, token=t["alice"])
    berthd.api("POST", "/folders/data/shares", {"user": "bob", "permission": "ro"}, token=t["alice"])
    inv = berthd.api("GET", "/invitations", token=t["bob"]).json()["invitations"][0]
    berthd.api("POST", f"/invitations/{inv['id']}/accept", token=t["bob"])
    r = berthd.api("POST", "/sessions", {"name": "s", "mounts": [{"folder": "data", "permission": "rw"}]},
                   token=t["bob"])
    assert r.status == 403, r
    r = berthd.api("POST", "/sessions", {"name": "s", "mounts": [{"folder": "data"}]}, token=t["bob"])
    assert r.status == 201, r
    assert [m["permission"] for m in r.json()["mounts"]] == ["ro"]
    out = berthd.api("POST", "/sessions/s/exec", {"command": ["sh", "-c", "touch /home/work/data/x; sudo -n true"]},
                     token=t["bob"]).json()
    assert out["exit_code"] != 0 and "Read-only" in out["stderr"]
    berthd.api("DELETE", "/sessions/s", token=t["bob"])
    # A superadmin allows sudo for bob: his next session has it.
    assert berthd.api("PATCH", "/users/bob", {"sudo_allowed": True}).status == 200
    berthd.api("POST", "/sessions", {"name": "s2"}, token=t["bob"])
    out = berthd.api("POST", "/sessions/s2/exec", {"command": ["sudo", "-n", "id", "-u"]}, token=t["bob"]).json()
    assert out["exit_code"] == 0 and out["stdout"].strip() == "0", out
    berthd.api("DELETE", "/sessions/s2", token=t["bob"])
    # Sessions of one user are invisible to another.
    berthd.api("POST", "/sessions", {"name": "mine"}, token=t["alice"])
    assert berthd.api("GET", "/sessions", token=t["bob"]).json()["sessions"] == []
    assert berthd.api("GET", "/sessions/mine", token=t["bob"]).status == 404
    assert berthd.api("DELETE", "/sessions/mine", token=t["alice"]).status == 204
