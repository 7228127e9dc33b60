#!/usr/bin/env python3
"""bench/sessions/strace_breakdown.py DIR: summarise `strace -ff -ttt -T -o DIR/st`
of berthd over one request (DIR/window holds the client's start and end times).

Prints, for the request window:
  - every process berthd started (runc run/delete, runc init, tini, ...), with
    its wall time from the first to the last syscall;
  - per berthd thread that did anything: its span, the time inside syscalls by
    kind (waiting for children or other threads separately), and the time
    between syscalls (user-space CPU or waiting for a CPU).
"""
import collections
import glob
import os
import re
import sys

LINE = re.compile(r"^(\d+\.\d+) (?:<\.\.\. )?(\w+)(.*?)(?:<(\d+\.\d+)>)?$")
WAIT = {"epoll_wait", "epoll_pwait", "futex", "poll", "ppoll", "wait4", "waitid",
        "pselect6", "select", "accept", "accept4", "nanosleep", "clock_nanosleep",
        "rt_sigtimedwait", "pidfd_wait"}
KIND = {
    "fsync": "fsync/fdatasync", "fdatasync": "fsync/fdatasync",
    "mount": "mount/umount", "umount2": "mount/umount",
    "pread64": "pread/pwrite (SQLite)", "pwrite64": "pread/pwrite (SQLite)",
    "clone": "fork/exec", "clone3": "fork/exec", "vfork": "fork/exec", "execve": "fork/exec",
    "read": "read/write", "write": "read/write", "sendto": "socket I/O", "recvfrom": "socket I/O",
    "sendmsg": "socket I/O", "recvmsg": "socket I/O", "writev": "socket I/O",
}
META = {"openat", "open", "mkdir", "mkdirat", "rename", "renameat", "renameat2", "unlink",
        "unlinkat", "rmdir", "fchownat", "fchown", "chown", "fchmod", "chmod", "newfstatat",
        "fstat", "stat", "lstat", "statx", "getdents64", "readlinkat", "symlinkat", "close",
        "openat2", "access", "faccessat", "faccessat2", "lseek", "fcntl"}


def parse(path):
    """Returns ([(time, syscall, rest, duration)], exit time or None)."""
    out, exited = [], None
    with open(path, errors="replace") as f:
        for line in f:
            if "+++ exited with" in line or "+++ killed by" in line:
                exited = float(line.split()[0])
                continue
            m = LINE.match(line.rstrip("\n"))
            if not m:
                continue
            if "unfinished ..." in line:
                continue  # its duration comes with the "resumed" line
            t = float(m.group(1))
            d = float(m.group(4)) if m.group(4) else 0.0
            out.append((t, m.group(2), m.group(3), d))
    return out, exited


def main():
    d = sys.argv[1]
    with open(os.path.join(d, "window")) as f:
        w0, w1 = (float(x) for x in f.read().split())
    ms = lambda x: f"{x * 1000:7.1f}"  # noqa: E731
    # berthd's own threads are the ones it had before tracing began; any other
    # file without an execve is a thread of a child (runc's Go threads).
    with open(os.path.join(d, "tasks")) as f:
        own = set(f.read().split())
    children, threads, child_threads = [], [], 0
    for p in sorted(glob.glob(os.path.join(d, "st.*"))):
        all_calls, exited = parse(p)
        calls = [c for c in all_calls if w0 - 0.01 <= c[0] <= w1 + 0.01]
        if not calls:
            continue
        # the execve that worked (a PATH search tries several first)
        exe = [c for c in calls if c[1] == "execve" and " = 0" in c[2]]
        if exe:
            m = re.search(r'\("([^"]+)", \[(.*?)\]', exe[-1][2])
            argv = re.findall(r'"([^"]*)"', m.group(2)) if m else []
            words = [a for a in argv[1:] if not a.startswith("-") and "/" not in a][:2]
            name = os.path.basename(m.group(1) if m else "?") + " " + " ".join(words)
            end = exited if exited is not None and exited <= w1 + 0.5 else None
            children.append((calls[0][0], end, name.strip()))
        elif p.rsplit(".", 1)[1] in own:
            threads.append((p.rsplit(".", 1)[1], calls))
        else:
            child_threads += 1
    print(f"  window (client): {ms(w1 - w0)} ms")
    print("  processes started by berthd (wall time, first syscall→exit; start offset):")
    for s, e, name in sorted(children):
        life = f"{ms(e - s)} ms" if e is not None else " still running"
        print(f"    {life}  at +{ms(s - w0).strip()} ms  {name}")
    print(f"    (+ {child_threads} threads of those processes, not itemised)")
    for tid, calls in threads:
        span = calls[-1][0] + calls[-1][3] - calls[0][0]
        if span < 0.001 and len(calls) < 5:
            continue
        by = collections.Counter()
        n = collections.Counter()
        for _, name, _, dur in calls:
            k = "waiting (" + name + ")" if name in WAIT else KIND.get(
                name, "file metadata" if name in META else "other: " + name)
            by[k] += dur
            n[k] += 1
        in_sys = sum(by.values())
        print(f"  berthd thread {tid}: span {ms(span).strip()} ms, {len(calls)} syscalls, "
              f"{ms(in_sys).strip()} ms in syscalls, {ms(span - in_sys).strip()} ms between them")
        for k, v in by.most_common(10):
            print(f"    {ms(v)} ms  {n[k]:5d}×  {k}")


if __name__ == "__main__":
    main()
