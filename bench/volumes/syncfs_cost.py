#!/usr/bin/env python3
"""Cost of the syncfs per usage read in BtrfsVolume::Usage (docs/benchmarks.md
"volumes"): 200 subvolumes with qgroups on a loopback btrfs; times a listing
of 200 folders as 200 x (open, syncfs, read sysfs `referenced`) against
200 x (open, read) without any sync and 1 syncfs + 200 reads, on an idle file
system and with 1 MiB freshly written to each folder before the listing.

Usage: sudo bench/volumes/syncfs_cost.py   (root, btrfs-progs, a loop device)
"""
import ctypes, os, subprocess, sys, tempfile, time
libc = ctypes.CDLL("libc.so.6", use_errno=True)
N = 200
top = tempfile.mkdtemp(prefix="syncfs-")
img, mnt = top + "/img", top + "/mnt"
os.mkdir(mnt)
with open(img, "wb") as f: f.truncate(4 << 30)
loop = subprocess.check_output(["losetup", "-f", "--show", img], text=True).strip()
try:
    subprocess.check_call(["mkfs.btrfs", "-q", loop])
    subprocess.check_call(["mount", loop, mnt])
    subprocess.check_call(["btrfs", "quota", "enable", mnt])
    uuid = subprocess.check_output(["findmnt", "-no", "UUID", mnt], text=True).strip()
    ids = []
    for i in range(N):
        p = f"{mnt}/f{i}"
        subprocess.check_call(["btrfs", "-q", "subvolume", "create", p], stdout=subprocess.DEVNULL)
        ids.append(int(subprocess.check_output(["btrfs", "inspect-internal", "rootid", p], text=True)))
    os.sync()
    def listing(mode):
        t0 = time.perf_counter()
        if mode == "one-syncfs":
            fd = os.open(mnt, os.O_RDONLY); libc.syncfs(fd); os.close(fd)
        for i in range(N):
            fd = os.open(f"{mnt}/f{i}", os.O_RDONLY)
            if mode == "syncfs-each": libc.syncfs(fd)
            with open(f"/sys/fs/btrfs/{uuid}/qgroups/0_{ids[i]}/referenced") as f: f.read()
            os.close(fd)
        return (time.perf_counter() - t0) * 1000
    def dirty():
        for i in range(N):
            with open(f"{mnt}/f{i}/w", "wb") as f: f.write(os.urandom(1 << 20))
    for mode in ("no-sync", "syncfs-each", "one-syncfs"):
        idle = min(listing(mode) for _ in range(5))
        busy = []
        for _ in range(3):
            dirty(); busy.append(listing(mode))
        print(f"{mode:12s} idle {idle:8.1f} ms   after 200 MiB written {min(busy):8.1f} ms")
    sys.stdout.flush()
finally:
    subprocess.call(["umount", mnt]); subprocess.call(["losetup", "-d", loop])
    subprocess.call(["rm", "-rf", top])
