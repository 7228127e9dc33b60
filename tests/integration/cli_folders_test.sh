#!/usr/bin/env bash
# Integration test: the `berth` CLI's folder verbs against a real berthd
# (SPEC §6), in a throw-away data dir on a free port.
#
# Usage: cli_folders_test.sh [BERTH] [BERTHD]
#   defaults: build/src/cmd/berth and build/src/cmd/berthd (or $BERTH, $BERTHD)
set -u
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BERTH="${1:-${BERTH:-$ROOT/build/src/cmd/berth}}"
BERTHD="${2:-${BERTHD:-$ROOT/build/src/cmd/berthd}}"
for b in "$BERTH" "$BERTHD"; do
  [[ -x "$b" ]] || { echo "SKIP: $b not built"; exit 77; }
done

WORK="$(mktemp -d /tmp/berth-cli-it-XXXXXX)"
DATA="$WORK/data"
mkdir -p "$DATA" "$WORK/home"
BERTHD_PID=""
cleanup() {
  [[ -n "$BERTHD_PID" ]] && kill "$BERTHD_PID" 2>/dev/null && wait "$BERTHD_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BERTHD" --data-dir "$DATA" --listen 127.0.0.1:0 >"$WORK/berthd.log" 2>&1 &
BERTHD_PID=$!
for _ in $(seq 100); do [[ -s "$DATA/berthd.addr" ]] && break; sleep 0.1; done
[[ -s "$DATA/berthd.addr" ]] || { echo "berthd did not start"; cat "$WORK/berthd.log"; exit 1; }

# The CLI finds the endpoint in BERTH_ENDPOINT and the token in the data
# dir's admin.token (the local fallback of SPEC §6).
export BERTH_ENDPOINT="$(cat "$DATA/berthd.addr")"
export BERTH_DATA_DIR="$DATA"
export HOME="$WORK/home"
unset BERTH_TOKEN XDG_CONFIG_HOME XDG_DATA_HOME

FAILS=0
PASSES=0
# check NAME WANT_RC CMD...: runs CMD, compares its exit code.
check() {
  local name="$1" want="$2"
  shift 2
  "$@" >"$WORK/out" 2>"$WORK/err"
  local rc=$?
  if [[ "$rc" != "$want" ]]; then
    echo "FAIL: $name: exit $rc, want $want"
    sed 's/^/  stdout: /' "$WORK/out" | head -20
    sed 's/^/  stderr: /' "$WORK/err" | head -20
    FAILS=$((FAILS + 1))
    return 1
  fi
  PASSES=$((PASSES + 1))
}
# expect NAME FILE PATTERN: FILE (out or err of the last check) matches.
expect() {
  if ! grep -qE -- "$3" "$WORK/$2"; then
    echo "FAIL: $1: $2 does not match /$3/"
    sed "s/^/  $2: /" "$WORK/$2" | head -20
    FAILS=$((FAILS + 1))
  else
    PASSES=$((PASSES + 1))
  fi
}

B="$BERTH"
check version 0 "$B" --version && expect version out "^berth [0-9]"
check usage-unknown-verb 2 "$B" folder frobnicate
check usage-missing-arg 2 "$B" folder info
check usage-bad-quota 2 "$B" folder create x --quota 12Q

# Folders.
check create 0 "$B" folder create data --quota 1G
check create-automount 0 "$B" vfolder create .local
check create-dup 1 "$B" folder create data && expect create-dup err "^error: "
check create-reserved 1 "$B" folder create .bashrc
check list 0 "$B" folder list && expect list out "^data +[0-9a-f-]{36} +local" &&
  expect list out "^\.local "
check list-json 0 "$B" folder list -o json &&
  expect list-json out '"name": "data"'
check info 0 "$B" folder info data && expect info out "^Quota: +1\.0 GiB"
check info-missing 1 "$B" folder info nope && expect info-missing err "^error: "

# Files: names with spaces, '#', '?', '%', '+' and unicode survive the URL.
WEIRD='dir one/#2?x=%41+b/caf√©'
check mkdir 0 "$B" folder mkdir data "$WEIRD" -p
check mkdir-exists 1 "$B" folder mkdir data "dir one"
printf 'hello\n' >"$WORK/hello.txt"
check upload 0 "$B" folder upload data "$WORK/hello.txt" --dst "$WEIRD"
check upload-conflict 1 "$B" folder upload data "$WORK/hello.txt" --dst "$WEIRD" &&
  expect upload-conflict err "--overwrite"
check upload-overwrite 0 "$B" folder upload data "$WORK/hello.txt" --dst "$WEIRD" --overwrite
check ls 0 "$B" folder ls data "$WEIRD" && expect ls out " hello\.txt$"
check ls-json 0 "$B" folder ls data "$WEIRD" -o json && expect ls-json out '"name": "hello.txt"'
check cat 0 "$B" folder cat data "$WEIRD/hello.txt" && expect cat out "^hello$"
check cat-dir 1 "$B" folder cat data "dir one"

# A tree, uploaded with -r and downloaded back (tar stream + extraction).
mkdir -p "$WORK/tree/sub/deep"
printf 'x' >"$WORK/tree/sub/deep/f"
printf 'top' >"$WORK/tree/top.txt"
head -c 100000 /dev/urandom >"$WORK/tree/sub/rand.bin"
check upload-dir-needs-r 1 "$B" folder upload data "$WORK/tree"
check upload-r 0 "$B" folder upload data -r "$WORK/tree" --dst up
mkdir -p "$WORK/dl"
check download-dir 0 "$B" folder download data up/tree -o "$WORK/dl"
if diff -r "$WORK/tree" "$WORK/dl/tree" >/dev/null; then PASSES=$((PASSES + 1)); else
  echo "FAIL: download-dir: tree differs"; diff -r "$WORK/tree" "$WORK/dl/tree"; FAILS=$((FAILS + 1)); fi
check download-file 0 "$B" folder download data up/tree/sub/rand.bin -o "$WORK/rand.bin"
if cmp -s "$WORK/tree/sub/rand.bin" "$WORK/rand.bin"; then PASSES=$((PASSES + 1)); else
  echo "FAIL: download-file: content differs"; FAILS=$((FAILS + 1)); fi
check download-root 0 "$B" folder download data / -o "$WORK/root"
[[ -f "$WORK/root/up/tree/top.txt" ]] && PASSES=$((PASSES + 1)) ||
  { echo "FAIL: download-root: missing up/tree/top.txt"; FAILS=$((FAILS + 1)); }
check download-missing 1 "$B" folder download data nope -o "$WORK/nope"
[[ ! -e "$WORK/nope" ]] && PASSES=$((PASSES + 1)) ||
  { echo "FAIL: download-missing left $WORK/nope"; FAILS=$((FAILS + 1)); }

# A larger upload (progress bars are only drawn on a terminal).
head -c $((12 << 20)) /dev/urandom >"$WORK/big.bin"
check upload-big 0 "$B" folder upload data "$WORK/big.bin"
check download-big 0 "$B" folder download data big.bin -o "$WORK/big.back"
if cmp -s "$WORK/big.bin" "$WORK/big.back"; then PASSES=$((PASSES + 1)); else
  echo "FAIL: big round trip differs"; FAILS=$((FAILS + 1)); fi

# Path safety is the server's job, but the CLI must pass the error on.
check ls-dotdot 1 "$B" folder ls data ../..

# mv / rm.
check mv 0 "$B" folder mv data up/tree/top.txt up/moved.txt
check rm-nonempty 1 "$B" folder rm data up && expect rm-nonempty err "use -r"
check rm-some-missing 1 "$B" folder rm data up/moved.txt nope
check rm-r 0 "$B" folder rm data up -r
check ls-after-rm 0 "$B" folder ls data && { ! grep -q " up/$" "$WORK/out" && PASSES=$((PASSES + 1)) ||
  { echo "FAIL: up/ still listed"; FAILS=$((FAILS + 1)); }; }

# Rename, trash, restore, purge.
check rename 0 "$B" folder rename data data2
check delete 0 "$B" folder delete data2
check trash 0 "$B" folder list --trash && expect trash out "^data2 .* trash "
check restore 0 "$B" folder restore data2
check delete-again 0 "$B" folder delete data2
check purge 0 "$B" folder purge data2
check purge-gone 1 "$B" folder purge data2

# Token handling: a bad token is refused; login stores a good one.
check bad-token 1 "$B" --token nope folder list && expect bad-token err "^error: "
TOKEN="$(cat "$DATA/admin.token")"
check login 0 sh -c "printf '%s\n' '$TOKEN' | '$B' login"
[[ "$(stat -c %a "$HOME/.config/berth/token")" == 600 ]] && PASSES=$((PASSES + 1)) ||
  { echo "FAIL: token file mode"; FAILS=$((FAILS + 1)); }
mv "$DATA/admin.token" "$DATA/admin.token.away"
check list-after-login 0 "$B" folder list
mv "$DATA/admin.token.away" "$DATA/admin.token"

echo "cli_folders_test: $PASSES passed, $FAILS failed"
[[ "$FAILS" == 0 ]]
