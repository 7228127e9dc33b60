#!/usr/bin/env python3
"""Volume benchmarks (SPEC §10): folder usage of 200k files from the btrfs
qgroup vs `du -s`, a clone of a 1 GiB folder on btrfs vs `cp -r` on the
same file system, and snapshot create/delete latency of that folder (REST
round trips) vs `btrfs subvolume snapshot -r`/`delete` run by hand. Makes its own loopback btrfs (root, btrfs-progs for mkfs
only) and a berthd with `--volume fast=`; unmounts and detaches in a finally.

Usage: sudo BERTH_BIN_DIR=build/src/cmd bench/volumes/run.py [--files N] [--gib G] [--runs R]
Prints a Markdown table for docs/benchmarks.md.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "integration"))
from berth_harness import Berthd  # noqa: E402

MIB = 1 << 20


def sh(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=3600).stdout


def timed(fn):
    t0 = time.monotonic()
    fn()
    return time.monotonic() - t0


def folder_path(d, name, volume):
    f = d.api("GET", f"/folders/{name}").json()
    vol = next(v for v in d.api("GET", "/volumes").json()["volumes"] if v["name"] == volume)
    uid = d.api("GET", "/me").json()["id"]
    return os.path.join(vol["path"], "u-" + uid, f["id"][:2], f["id"][2:4], f["id"][4:])


def fill_small(path, n):
    for i in range(n):
        sub = os.path.join(path, f"d{i // 1000:04d}")
        if i % 1000 == 0:
            os.mkdir(sub)
        with open(os.path.join(sub, f"f{i}"), "wb") as f:
            f.write(b"x" * 100)


def fill_big(path, gib):
    chunk = os.urandom(64 * MIB)
    for i in range(gib * 16):
        with open(os.path.join(path, f"part{i:03d}.bin"), "wb") as f:
            f.write(chunk)


def snapshot_rows(d, src, mnt, a):
    """Medians of snapshot create/delete through the API and with btrfs-progs."""
    create, delete, progs_create, progs_delete = [], [], [], []
    for i in range(a.runs):
        create.append(timed(lambda: d.api("POST", "/folders/big/snapshots", {"name": f"s{i}"})))
        delete.append(timed(lambda: d.api("DELETE", f"/folders/big/snapshots/s{i}")))
        dst = os.path.join(mnt, f"snap{i}")
        progs_create.append(timed(lambda: sh("btrfs", "subvolume", "snapshot", "-r", src, dst)))
        progs_delete.append(timed(lambda: sh("btrfs", "subvolume", "delete", dst)))
    return [
        (f"snapshot create of {a.gib} GiB (REST round trip)", statistics.median(create),
         statistics.median(progs_create), "btrfs subvolume snapshot -r"),
        (f"snapshot delete of {a.gib} GiB (REST round trip)", statistics.median(delete),
         statistics.median(progs_delete), "btrfs subvolume delete"),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=200_000)
    ap.add_argument("--gib", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    top = tempfile.mkdtemp(prefix="berth-bench-vol-", dir="/var/tmp")
    img, mnt = os.path.join(top, "img"), os.path.join(top, "mnt")
    os.mkdir(mnt)
    loop, mounted, d = None, False, None
    try:
        with open(img, "wb") as f:
            f.truncate((a.gib * 3 + 4) << 30)
        loop = sh("losetup", "-f", "--show", img).strip()
        sh("mkfs.btrfs", "-q", loop)
        sh("mount", loop, mnt)
        mounted = True
        d = Berthd(["--volume", f"fast={mnt}/vol", "--volume", f"plain={top}/plain"]).start()
        rows = []

        # Usage of N small files: qgroup (btrfs) and tree walk (plain dir) vs du -s.
        for vol in ("fast", "plain"):
            name = f"small-{vol}"
            assert d.api("POST", "/folders", {"name": name, "volume": vol}).status == 201
            p = folder_path(d, name, vol)
            fill_small(p, a.files)
            sh("sync")
            # Warm cache for both (one untimed round each): dropping caches
            # would slow everyone else on a shared machine.
            d.api("GET", f"/folders/{name}")
            sh("du", "-s", p)
            api, du = [], []
            for _ in range(a.runs):
                api.append(timed(lambda: d.api("GET", f"/folders/{name}")))
                du.append(timed(lambda: sh("du", "-s", p)))
            ma, md = statistics.median(api), statistics.median(du)
            kind = "btrfs qgroup" if vol == "fast" else "tree walk (ext4)"
            rows.append((f"usage of {a.files} files, {kind}, warm cache", ma, md, "du -s"))

        # Clone of G GiB on btrfs vs cp -r on the same file system.
        assert d.api("POST", "/folders", {"name": "big", "volume": "fast"}).status == 201
        src = folder_path(d, "big", "fast")
        fill_big(src, a.gib)
        sh("sync")
        clone, cp = [], []
        for i in range(a.runs):
            clone.append(timed(lambda: d.api("POST", "/folders/big/clone", {"name": f"c{i}"})))
            dst = os.path.join(mnt, f"cp{i}")
            cp.append(timed(lambda: (sh("cp", "-r", "--reflink=never", src, dst), sh("sync"))))
            shutil.rmtree(dst)
        rows.append((f"clone of {a.gib} GiB (btrfs snapshot, REST round trip)",
                     statistics.median(clone), statistics.median(cp), "cp -r + sync"))

        # Snapshot create and delete of the same folder: REST vs btrfs-progs.
        rows.extend(snapshot_rows(d, src, mnt, a))

        print(f"Kernel {os.uname().release}; median of {a.runs}; loopback btrfs in /var/tmp.\n")
        print("| case | berth | baseline | baseline time | ratio |")
        print("|---|---|---|---|---|")
        for case, ours, base, what in rows:
            print(f"| {case} | {ours * 1000:.1f} ms | {what} | {base * 1000:.1f} ms | "
                  f"{ours / base * 100:.1f} % |")
    finally:
        if d:
            d.stop()
        if mounted:
            subprocess.run(["umount", mnt])
        if loop:
            subprocess.run(["losetup", "-d", loop])
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
