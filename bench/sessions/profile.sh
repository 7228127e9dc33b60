#!/usr/bin/env bash
# bench/sessions/profile.sh: where one session create and one delete spend
# their time inside berthd: strace -f -ff -ttt -T on berthd and every process
# it starts (runc, runc init, tini), then a breakdown per request: time in
# berthd's own syscalls by kind (fsync, mount, file ops, SQLite I/O, ...),
# time waiting for each runc child, and the rest (user-space CPU, scheduling).
# The diagnosis behind run.sh's numbers, not a benchmark: strace slows every
# syscall down, so read the shares, not the absolute milliseconds.
#
# Usage: BERTHD=path bench/sessions/profile.sh   (default build-bench-s/src/cmd/berthd)
#   env: BERTH_IMAGES_DIR (default /var/cache/berth-test/images), WORK_BASE, KEEP=1
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BERTHD="${BERTHD:-$REPO/build-bench-s/src/cmd/berthd}"
export BERTH_IMAGES_DIR="${BERTH_IMAGES_DIR:-/var/cache/berth-test/images}"
command -v strace >/dev/null || { apt-get update -qq && apt-get install -y -qq strace >&2; }
[[ -x "$BERTHD" ]] || { echo "no berthd at $BERTHD (run bench/sessions/run.sh once to build it)" >&2; exit 1; }

W="$(mktemp -d "${WORK_BASE:-/var/tmp}/berth-bench-sprofile.XXXXXX")"
PID=""
cleanup() {
  set +e
  if [[ -n "$PID" ]]; then
    for n in p1 p2; do curl -s -m 30 -o /dev/null -X DELETE -H "$AUTH" "$URL/api/v1/sessions/$n"; done
    kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null
  fi
  for id in $(runc --root "$W/d/runc" list -q 2>/dev/null); do runc --root "$W/d/runc" delete --force "$id"; done
  while read -r m; do umount -l "$m"; done < <(
    awk -v r="$W" 'index($5, r "/") == 1 {print $5}' /proc/self/mountinfo | sort -r)
  if [[ "${KEEP:-0}" == 1 ]]; then echo "kept $W" >&2; else rm -rf --one-file-system "$W"; fi
}
trap cleanup EXIT
AUTH=""

mkdir -p "$W/d"
BERTH_RUNC_ROOT="$W/d/runc" "$BERTHD" --data-dir "$W/d" --listen 127.0.0.1:0 >"$W/berthd.log" 2>&1 &
PID=$!
for _ in $(seq 300); do [[ -s "$W/d/berthd.addr" && -s "$W/d/admin.token" ]] && break; sleep 0.05; done
URL="$(tr -d '[:space:]' <"$W/d/berthd.addr")"
AUTH="Authorization: Bearer $(tr -d '[:space:]' <"$W/d/admin.token")"
for f in f1 f2 .local .linuxbrew; do
  curl -sf -o /dev/null -X POST -H "$AUTH" -d "{\"name\":\"$f\"}" "$URL/api/v1/folders"
done
BODY='{"name":"NAME","mounts":[{"folder":"f1"},{"folder":"f2"}]}'
# one untimed session first: page cache, SQLite file, cgroup parents
curl -sf -o /dev/null -X POST -H "$AUTH" -d "${BODY/NAME/p1}" "$URL/api/v1/sessions"
curl -sf -o /dev/null -X DELETE -H "$AUTH" "$URL/api/v1/sessions/p1"

# trace NAME CURL_ARGS...: strace -ff over one request
trace() {
  local name="$1"; shift
  mkdir -p "$W/$name"
  ls "/proc/$PID/task" >"$W/$name/tasks"
  strace -f -ff -ttt -T -s 200 -p "$PID" -o "$W/$name/st" 2>/dev/null &
  local sp=$!
  sleep 1  # let strace attach to every thread
  local t0=$EPOCHREALTIME
  curl -sf -o /dev/null -H "$AUTH" -w "$name: HTTP %{http_code}, %{time_total} s under strace\n" "$@"
  echo "$t0 $EPOCHREALTIME" >"$W/$name/window"
  sleep 0.3
  kill -INT "$sp"; wait "$sp" 2>/dev/null || true
  python3 "$REPO/bench/sessions/strace_breakdown.py" "$W/$name"
  echo
}

trace create -X POST -d "${BODY/NAME/p2}" "$URL/api/v1/sessions"
trace delete -X DELETE "$URL/api/v1/sessions/p2"
