#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/ (small, valid or
nearly valid inputs that reach deep into each parser). Rerun after changing
a seed; libFuzzer-found inputs are added by `scripts/fuzz.sh --merge`."""
import gzip
import io
import json
import os
import struct
import tarfile

ROOT = os.path.join(os.path.dirname(__file__), "..", "corpus")


def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def ws_frame(payload, opcode, fin=True, mask=b"\x11\x22\x33\x44"):
    n = len(payload)
    b0 = (0x80 if fin else 0) | opcode
    if n < 126:
        hdr = struct.pack("!BB", b0, 0x80 | n)
    else:
        hdr = struct.pack("!BBH", b0, 0x80 | 126, n)
    return hdr + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(payload))


def tar(entries, fmt=tarfile.GNU_FORMAT):
    """entries: (name, kind, data_or_linkname)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for name, kind, arg in entries:
            ti = tarfile.TarInfo(name)
            if kind == "file":
                ti.size = len(arg)
                t.addfile(ti, io.BytesIO(arg))
                continue
            ti.type = {"dir": tarfile.DIRTYPE, "sym": tarfile.SYMTYPE,
                       "hard": tarfile.LNKTYPE}[kind]
            if kind == "dir":
                ti.mode = 0o755
            else:
                ti.linkname = arg
            t.addfile(ti)
    return buf.getvalue().rstrip(b"\0") + b"\0" * 1024  # end-of-archive, no record padding


def main():
    # HTTP request line + headers, as berthd reads them.
    put("http_request_fuzzer", "get_query", "GET /api/v1/folders/a%20b/files?path=x%2Fy&all=1 "
        "HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer t\r\n\r\n")
    put("http_request_fuzzer", "put_expect", "PUT /api/v1/folders/f/files/content?path=a&overwrite="
        "true HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello")
    put("http_request_fuzzer", "range", "GET /api/v1/folders/f/files/content?path=a HTTP/1.1\r\n"
        "Host: h\r\nRange: bytes=0-99\r\nConnection: keep-alive\r\n\r\n")
    put("http_request_fuzzer", "chunked", "POST /api/v1/sessions HTTP/1.1\r\nHost: h\r\n"
        "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
    put("http_request_fuzzer", "upgrade", "GET /api/v1/sessions/s/terminal?cols=80&rows=24 "
        "HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Origin: http://h\r\nCookie: berth_session=x\r\n\r\n")
    put("http_request_fuzzer", "traversal", "GET /api/v1/folders/%2e%2e/files?path=..%2f..%2fetc"
        " HTTP/1.0\r\n\r\n")
    # URL/path decoding.
    for i, s in enumerate(["/api/v1/folders/a%20b/files/content", "path=a%2Fb&x=1+2&&y=",
                           "/%2e%2e/%2E%2e/etc/passwd", "%zz%4", "/a//b/%00/c%ff", "+%2B+"]):
        put("url_fuzzer", f"seed{i}", s)
    # Range: 8 bytes of size (LE), then the header.
    for i, h in enumerate(["bytes=0-99", "bytes=-5", "bytes=10-", "bytes=5-2", "bytes=0-1,3-4",
                           "bytes=18446744073709551615-"]):
        put("byte_range_fuzzer", f"seed{i}", struct.pack("<Q", 1000) + h.encode())
    # JSON bodies.
    for i, j in enumerate([{"name": "data", "volume": "local", "quota_bytes": 1 << 30},
                           {"path": "a/b", "parents": True}, {"src": "a", "dst": "b"},
                           {"user": "bob", "permission": "ro"},
                           {"command": ["sh", "-c", "ls"], "stdin": "x", "timeout_s": 5,
                            "env": {"A": "b"}},
                           {"name": "u", "password": "pw", "role": "user", "sudo_allowed": False,
                            "uid": 1000, "gid": 1000}]):
        put("json_body_fuzzer", f"seed{i}", json.dumps(j))
    put("json_body_fuzzer", "bad_unicode", '{"name": "\\ud800", "label": 1e400}')
    # Session create bodies.
    for i, j in enumerate([{"name": "s1", "image": "python", "mounts": ["data", "w:/home/work/w:ro"],
                            "automount": False},
                           {"mounts": [{"folder": "d", "target": "/data", "permission": "rw"}],
                            "resources": {"cpu": 1.5, "memory_bytes": 1 << 30}},
                           {"env": {"PATH": "/bin", "BERTH_X": "1"}, "resources": {"memory": 16}},
                           {"name": "-bad", "image": "../x", "mounts": ["a:b:c:d"]}]):
        put("session_request_fuzzer", f"seed{i}", json.dumps(j))
    # WebSocket frames from a client (masked).
    put("websocket_fuzzer", "binary", ws_frame(b"ls -la\n", 2))
    put("websocket_fuzzer", "resize", ws_frame(b'{"type":"resize","cols":120,"rows":40}', 1))
    put("websocket_fuzzer", "fragments", ws_frame(b'{"type":"re', 1, fin=False)
        + ws_frame(b"", 9) + ws_frame(b'size","cols":0,"rows":70000}', 0))
    put("websocket_fuzzer", "close", ws_frame(b"ping", 9) + ws_frame(b"\x03\xe8bye", 8))
    put("websocket_fuzzer", "unmasked", b"\x82\x03abc")
    # Layers (tar, gnutar, gzip).
    layer = tar([("etc", "dir", None), ("etc/hostname", "file", b"berth\n"),
                 ("bin/sh", "sym", "/bin/busybox"), ("bin/sh2", "hard", "etc/hostname"),
                 ("etc/.wh.old", "file", b""), ("var/.wh..wh..opq", "file", b"")])
    put("layer_import_fuzzer", "layer.tar", layer)
    put("layer_import_fuzzer", "layer.tar.gz", gzip.compress(layer, mtime=0))
    put("layer_import_fuzzer", "escape.tar", tar([("../escape", "file", b"x"),
                                                  ("link", "sym", "/etc"),
                                                  ("link/passwd", "file", b"x")]))
    put("layer_import_fuzzer", "pax.tar", tar([("a" * 120 + "/long", "file", b"pax")],
                                              fmt=tarfile.PAX_FORMAT))
    # Found by the fuzzer: a pax header with a short body made libarchive fail
    # without a message, and the error path appended NULL to a std::string
    # (regression test: layer_import_test.cc, TruncatedPaxHeaderIsAnErrorNotACrash).
    # truncated_pax.tar is the fuzzer's own input, kept as found.
    # Image tarballs: docker save and OCI layout.
    config = json.dumps({"config": {"Env": ["PATH=/bin"], "User": "1000"}}).encode()
    small = tar([("hello", "file", b"hi\n")])
    put("image_import_fuzzer", "docker_save.tar", tar([
        ("manifest.json", "file", json.dumps([{"Config": "c.json",
                                               "Layers": ["l1/layer.tar"]}]).encode()),
        ("c.json", "file", config), ("l1", "dir", None), ("l1/layer.tar", "file", small)]))
    put("image_import_fuzzer", "oci.tar", tar([
        ("oci-layout", "file", b'{"imageLayoutVersion":"1.0.0"}'),
        ("index.json", "file", json.dumps({"manifests": [{"digest": "sha256:m"}]}).encode()),
        ("blobs/sha256/m", "file", json.dumps({"config": {"digest": "sha256:c"},
                                               "layers": [{"digest": "sha256:l"}]}).encode()),
        ("blobs/sha256/c", "file", config), ("blobs/sha256/l", "file", small)]))
    put("image_import_fuzzer", "escape.tar", tar([
        ("manifest.json", "file", json.dumps([{"Layers": ["../../etc/passwd"]}]).encode())]))
    # Found by the fuzzer: manifests of the wrong JSON shape threw out of
    # ImportImageArchive (regression test: layer_import_test.cc,
    # MalformedManifestsAreErrorsNotExceptions).
    for name, member, text in [("layers_not_strings", "manifest.json", b'[{"Layers":[1]}]'),
                               ("config_not_string", "manifest.json",
                                b'[{"Layers":[],"Config":{}}]'),
                               ("index_not_object", "index.json", b"[1]"),
                               ("descriptor_not_object", "index.json", b'{"manifests":[5]}')]:
        put("image_import_fuzzer", name + ".tar", tar([(member, "file", text)]))


if __name__ == "__main__":
    main()
