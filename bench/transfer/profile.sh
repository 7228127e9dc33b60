#!/usr/bin/env bash
# bench/transfer/profile.sh: syscall profile (strace -c -f) of berthd during
# one upload and one download of a SIZE_MIB file. This is the diagnosis
# behind the numbers of run.sh, not a benchmark: strace slows everything down
# by an order of magnitude, so only the call counts and bytes per call mean
# anything.
#
# Usage: BERTHD=path bench/transfer/profile.sh [SIZE_MIB]   (default 64)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BERTHD="${BERTHD:-$REPO/build-bench/src/cmd/berthd}"
MIB="${1:-64}"
command -v strace >/dev/null || { apt-get update -qq && apt-get install -y -qq strace >&2; }
[[ -x "$BERTHD" ]] || { echo "no berthd at $BERTHD (run bench/transfer/run.sh once to build it)" >&2; exit 1; }

W="$(mktemp -d "${WORK_BASE:-/var/tmp}/berth-bench-profile.XXXXXX")"
PID=""
cleanup() {
  [[ -n "$PID" ]] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
  rm -rf "$W"
}
trap cleanup EXIT

"$BERTHD" --data-dir "$W/d" --listen 127.0.0.1:0 >"$W/berthd.log" 2>&1 &
PID=$!
for _ in $(seq 200); do [[ -s "$W/d/berthd.addr" && -s "$W/d/admin.token" ]] && break; sleep 0.05; done
URL="$(tr -d '[:space:]' <"$W/d/berthd.addr")"
AUTH="Authorization: Bearer $(tr -d '[:space:]' <"$W/d/admin.token")"
curl -sf -o /dev/null -X POST -H "$AUTH" -d '{"name":"bench"}' "$URL/api/v1/folders"
head -c "$((MIB << 20))" /dev/urandom >"$W/src.bin"
CONTENT="$URL/api/v1/folders/bench/files/content"

# profile NAME CURL_ARGS...: strace -c over one curl transfer
profile() {
  local name="$1"; shift
  strace -c -f -p "$PID" -o "$W/$name.txt" 2>/dev/null &
  local sp=$!
  sleep 1  # let strace attach to every thread
  curl -sf -o /dev/null -H "$AUTH" -w "$name: HTTP %{http_code}, %{time_total} s under strace\n" "$@"
  kill -INT "$sp"; wait "$sp" 2>/dev/null || true
  echo "--- $name: top syscalls (${MIB} MiB body)"
  sed -n '1,12p' "$W/$name.txt"
  echo
}

profile upload -H 'Expect:' -T "$W/src.bin" "$CONTENT?path=big.bin&overwrite=true"
profile download "$CONTENT?path=big.bin"
