"""The `berth` CLI's folder verbs (SPEC §6) against a real berthd: exit codes
(0 ok, 1 failed with `error: ...` on stderr, 2 usage), tables and -o json,
uploads and recursive downloads (tar stream + extraction), and the token
fallbacks (BERTH_TOKEN, `berth login`, the data dir's admin.token)."""
import filecmp
import json
import os
import stat

import pytest

from berth_harness import err, fails, ok, out

WEIRD = "dir one/#2?x=%41+b/caf\u00e9"  # survives percent-encoding both ways


def test_version_and_usage(berthd):
    assert out(ok(berthd, "--version")).startswith("berth ")
    fails(berthd, "folder", "frobnicate", code=2)
    fails(berthd, "folder", "info", code=2)
    fails(berthd, "folder", "create", "x", "--quota", "12Q", code=2)
    fails(berthd, "folder", "list", "-o", "yaml", code=2)
    for verb in ["create", "list", "info", "rename", "delete", "restore", "purge", "ls",
                 "mkdir", "upload", "download", "cat", "mv", "rm"]:
        assert "Usage:" in out(ok(berthd, "folder", verb, "--help"))
    assert "Usage:" in out(ok(berthd, "vfolder", "--help"))


def test_folder_lifecycle(berthd):
    ok(berthd, "folder", "create", "data", "--quota", "1G")
    ok(berthd, "vfolder", "create", ".local")
    fails(berthd, "folder", "create", "data")
    fails(berthd, "folder", "create", ".bashrc")

    table = out(ok(berthd, "folder", "list"))
    assert table.splitlines()[0].split()[:3] == ["NAME", "ID", "VOLUME"]
    names = [line.split()[0] for line in table.splitlines()[1:]]
    assert sorted(names) == [".local", "data"]
    listed = json.loads(out(ok(berthd, "folder", "list", "-o", "json")))
    assert sorted(f["name"] for f in listed["folders"]) == [".local", "data"]

    info = out(ok(berthd, "folder", "info", "data"))
    assert "Quota:      1.0 GiB" in info
    assert json.loads(out(ok(berthd, "folder", "info", "data", "-o", "json")))["usage"] is not None
    fails(berthd, "folder", "info", "nope")

    ok(berthd, "folder", "rename", "data", "data2")
    ok(berthd, "folder", "delete", "data2")
    trash = out(ok(berthd, "folder", "list", "--trash"))
    assert "TRASHED" in trash and "data2" in trash
    ok(berthd, "folder", "restore", "data2")
    ok(berthd, "folder", "delete", "data2")
    ok(berthd, "folder", "purge", "data2")
    fails(berthd, "folder", "purge", "data2")


def test_files_round_trip(berthd, tmp):
    ok(berthd, "folder", "create", "data")
    ok(berthd, "folder", "mkdir", "data", WEIRD, "-p")
    fails(berthd, "folder", "mkdir", "data", "dir one")
    hello = tmp / "hello.txt"
    hello.write_text("hello\n")
    ok(berthd, "folder", "upload", "data", str(hello), "--dst", WEIRD)
    p = fails(berthd, "folder", "upload", "data", str(hello), "--dst", WEIRD)
    assert "--overwrite" in err(p)
    ok(berthd, "folder", "upload", "data", str(hello), "--dst", WEIRD, "--overwrite")
    assert out(ok(berthd, "folder", "ls", "data", WEIRD)).splitlines()[-1].endswith(" hello.txt")
    listing = json.loads(out(ok(berthd, "folder", "ls", "data", WEIRD, "-o", "json")))
    assert [e["name"] for e in listing["entries"]] == ["hello.txt"]
    assert out(ok(berthd, "folder", "cat", "data", WEIRD + "/hello.txt")) == "hello\n"
    fails(berthd, "folder", "cat", "data", "dir one")
    fails(berthd, "folder", "ls", "data", "../..")

    # A tree: upload -r, download back as a tar stream, compare.
    tree = tmp / "tree"
    (tree / "sub" / "deep").mkdir(parents=True)
    (tree / "sub" / "deep" / "f").write_text("x")
    (tree / "top.txt").write_text("top")
    (tree / "sub" / "rand.bin").write_bytes(os.urandom(100_000))
    fails(berthd, "folder", "upload", "data", str(tree))  # needs -r
    ok(berthd, "folder", "upload", "data", "-r", str(tree), "--dst", "up")
    dl = tmp / "dl"
    dl.mkdir()
    ok(berthd, "folder", "download", "data", "up/tree", "--dest", str(dl))
    cmp = filecmp.dircmp(tree, dl / "tree")
    assert not cmp.left_only and not cmp.right_only and not cmp.diff_files
    assert (dl / "tree" / "sub" / "rand.bin").read_bytes() == (tree / "sub" / "rand.bin").read_bytes()
    ok(berthd, "folder", "download", "data", "up/tree/sub/rand.bin", "--dest", str(tmp / "r.bin"))
    assert (tmp / "r.bin").read_bytes() == (tree / "sub" / "rand.bin").read_bytes()
    ok(berthd, "folder", "download", "data", "/", "--dest", str(tmp / "root"))
    assert (tmp / "root" / "up" / "tree" / "top.txt").read_text() == "top"
    fails(berthd, "folder", "download", "data", "nope", "--dest", str(tmp / "nope"))
    assert not (tmp / "nope").exists()

    # mv / rm.
    ok(berthd, "folder", "mv", "data", "up/tree/top.txt", "up/moved.txt")
    assert "use -r" in err(fails(berthd, "folder", "rm", "data", "up"))
    fails(berthd, "folder", "rm", "data", "up/moved.txt", "nope")  # keeps going, exits 1
    assert "moved.txt" not in out(ok(berthd, "folder", "ls", "data", "up"))
    ok(berthd, "folder", "rm", "data", "up", "-r")
    assert " up/" not in out(ok(berthd, "folder", "ls", "data"))


def test_large_upload_and_download(berthd, tmp):
    ok(berthd, "folder", "create", "big")
    src = tmp / "big.bin"
    src.write_bytes(os.urandom(12 << 20))
    ok(berthd, "folder", "upload", "big", str(src))
    ok(berthd, "folder", "download", "big", "big.bin", "--dest", str(tmp / "back.bin"))
    assert filecmp.cmp(src, tmp / "back.bin", shallow=False)


def test_tokens(berthd):
    fails(berthd, "folder", "list", token="nope")
    # No BERTH_TOKEN: the data dir's admin.token is the fallback.
    ok(berthd, "folder", "list", token=None)
    ok(berthd, "login", input=(berthd.token + "\n").encode(), token=None)
    token_file = os.path.join(berthd.data_dir, ".config", "berth", "token")
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    admin = os.path.join(berthd.data_dir, "admin.token")
    os.rename(admin, admin + ".away")
    try:
        ok(berthd, "folder", "list", token=None)  # from the login file
    finally:
        os.rename(admin + ".away", admin)
    fails(berthd, "login", input=b"wrong\n", token=None)
