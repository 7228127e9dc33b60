#!/usr/bin/env bash
# Proves the README's quick start from nothing: in a clean Debian 12 root
# (scripts/lib/clean-root.sh: mmdebstrap --variant=apt bookworm) with this
# repository's committed HEAD copied in (git archive, as a clone has it), runs
#   scripts/deps.sh run                 (build tools, libraries, runc, ..., nodejs, npm)
#   scripts/build.sh berthd berth       (C++ from scratch, then npm ci + the web build)
# then starts berthd as scripts/up.sh does (without the image build, which
# needs minutes and the mirror) in private network, mount and PID
# namespaces, waits for READY=1 and checks GET /api/v1/health and the web UI.
# Not part of scripts/test.sh: a cold C++ build takes 10+ minutes on 2 cores.
# BERTH_JOBS (default 1) goes to the build. The last result is recorded in
# docs/operations.md ("Fresh Debian 12 box"). Needs root, mmdebstrap,
# unshare, python3, curl, git and network access to the Debian mirror and
# the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "error: run as root (chroot, namespaces)" >&2; exit 1; }
start=$(date +%s)
step() { echo "== [$(($(date +%s) - start)) s] $*"; }

. scripts/lib/clean-root.sh
make_clean_root
mkdir "$root/root/berth"
git archive HEAD | tar -x -C "$root/root/berth"
step "repo $(git rev-parse --short HEAD) copied into $root/root/berth"

# A login-like environment, nothing inherited from this host; node trusts
# the CAs the root registered (this host's proxy CA among them).
run_in_chroot='chroot "$ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt DEBIAN_FRONTEND=noninteractive'

step "scripts/deps.sh run"
in_root -- "$run_in_chroot"' bash -c "cd /root/berth && scripts/deps.sh run" \
  >"$ROOT/tmp/deps.log" 2>&1 || { tail -n 40 "$ROOT/tmp/deps.log"; exit 1; }'
node_version=$(chroot "$root" node --version)
step "deps installed (node $node_version, $(chroot "$root" dpkg-query -W -f='cmake ${Version}' cmake))"

step "scripts/build.sh berthd berth (BERTH_JOBS=${BERTH_JOBS:-1})"
in_root -- "$run_in_chroot"' BERTH_JOBS='"${BERTH_JOBS:-1}"' \
  bash -c "cd /root/berth && scripts/build.sh berthd berth" >"$ROOT/tmp/build.log" 2>&1 ||
  { tail -n 40 "$ROOT/tmp/build.log"; exit 1; }'
[ -f "$root/root/berth/web/dist/index.html" ] || { echo "FAIL: no web/dist" >&2; exit 1; }
step "built"

step "berthd start (private network namespace)"
in_root --net -- '
  ip link set lo up
  start_notify_listener "$ROOT/run/notify.sock" "$ROOT/tmp/notify.msg"
  '"$run_in_chroot"' NOTIFY_SOCKET=/run/notify.sock \
    /root/berth/build/src/cmd/berthd >"$ROOT/tmp/berthd.log" 2>&1 &
  berthd=$!
  wait "$listener"
  fail=0
  grep -q "^READY=1" "$ROOT/tmp/notify.msg" || { echo "FAIL: no READY=1"; fail=1; }
  if [ $fail = 0 ]; then
    echo "   health: $(curl -fsS --max-time 10 http://127.0.0.1:8470/api/v1/health)" || fail=1
    curl -fsS --max-time 10 http://127.0.0.1:8470/ | grep -q "<html" ||
      { echo "FAIL: no web UI at /"; fail=1; }
  fi
  [ $fail = 0 ] || tail -n 30 "$ROOT/tmp/berthd.log"
  kill -TERM "$berthd"
  for _ in $(seq 150); do kill -0 "$berthd" 2>/dev/null || break; sleep 0.1; done
  exit $fail
'
step "PASS: fresh Debian 12 box, $(chroot "$root" sh -c '. /etc/os-release; echo "$PRETTY_NAME"'), node $node_version"
