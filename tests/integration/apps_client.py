"""An HTTP(S) client for the apps origin's tests: every connection goes to
127.0.0.1 whatever the URL's host, which still goes in Host and is the TLS
server name (wildcard-host mode's names are never resolved)."""
import http.client
import socket
import urllib.parse


class _Plain(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)


class _Tls(http.client.HTTPSConnection):
    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def call(url, token=None, headers=None, method="GET", body=None, ctx=None):
    """One request to `url`, connected to 127.0.0.1 whatever its host (which
    goes in Host, and is the TLS server name). No redirects followed."""
    u = urllib.parse.urlsplit(url)
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    if u.scheme == "https":
        conn = _Tls(u.hostname, u.port, timeout=60, context=ctx)
    else:
        conn = _Plain(u.hostname, u.port, timeout=60)
    try:
        conn.request(method, u.path + (("?" + u.query) if u.query else ""), body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        conn.close()
