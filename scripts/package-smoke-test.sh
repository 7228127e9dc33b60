#!/usr/bin/env bash
# Installs the berth .deb into a clean Debian 12 root and checks it works:
#   1. a bookworm root from `mmdebstrap --variant=apt` (the tarball is cached
#      in $BERTH_TEST_CACHE, default /var/cache/berth-test, one per day);
#   2. `apt-get install ./berth_*.deb` in it (dependencies from the mirror);
#   3. berthd started as berthd.service starts it (its ExecStart line, with
#      $NOTIFY_SOCKET; no systemd here) in private mount, PID and network
#      namespaces: READY=1 must arrive, GET /api/v1/health must answer, and
#      /var/lib/berth (0711), berth.db (0600), /etc/berth/berthd.toml checked;
#   a changed /etc/berth/berthd.toml must survive a reinstall;
#   4. berthd stopped (SIGTERM), `dpkg --purge berth`: the config goes, the
#      data dir /var/lib/berth stays.
# Everything happens under a temporary directory: this host's own
# /var/lib/berth, /etc/berth, network and mounts are never touched (mounts
# live in namespaces that die with the test). Needs root, mmdebstrap,
# unshare (util-linux), python3, curl, and access to deb.debian.org.
# Usage: scripts/package-smoke-test.sh [path/to/berth_VERSION_ARCH.deb]
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

deb=${1:-$(ls build/berth_*.deb 2>/dev/null | head -n1)}
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
  echo "error: no .deb (run scripts/package.sh first, or pass its path)" >&2
  exit 1
fi
deb=$(realpath "$deb")
[ "$(id -u)" = 0 ] || { echo "error: run as root (chroot, namespaces)" >&2; exit 1; }

. scripts/lib/clean-root.sh
make_clean_root
cp "$deb" "$root/tmp/"
debname=$(basename "$deb")

echo "== apt-get install ./$debname"
in_root -- '
  chroot "$ROOT" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get -q update >/dev/null
  chroot "$ROOT" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
    apt-get -q install -y --no-install-recommends "/tmp/'"$debname"'" >"$ROOT/tmp/apt.log" 2>&1 ||
    { tail -n 30 "$ROOT/tmp/apt.log"; exit 1; }
'
# A changed conffile survives a reinstall (dpkg keeps the admin's version).
echo '# changed by the smoke test' >>"$root/etc/berth/berthd.toml"
in_root -- 'chroot "$ROOT" dpkg -i "/tmp/'"$debname"'" >"$ROOT/tmp/reinstall.log" 2>&1 ||
  { cat "$ROOT/tmp/reinstall.log"; exit 1; }'
grep -q '^# changed by the smoke test' "$root/etc/berth/berthd.toml" ||
  { echo "FAIL: reinstalling overwrote the changed /etc/berth/berthd.toml" >&2; exit 1; }
echo "   a changed berthd.toml survives a reinstall"
version=$(chroot "$root" dpkg-query -W -f='${Version}' berth)
unit=$(ls "$root"/usr/lib/systemd/system/berthd.service "$root"/lib/systemd/system/berthd.service \
  2>/dev/null | head -n1)
[ -n "$unit" ] || { echo "FAIL: no berthd.service installed" >&2; exit 1; }
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
echo "   berth $version; unit ExecStart: $exec_start"
echo "   in $(chroot "$root" sh -c '. /etc/os-release; echo "$PRETTY_NAME"'):" \
  "$(chroot "$root" dpkg-query -W -f='${Package} ${Version}, ' runc tini iptables \
     libnl-route-3-200 libsqlite3-0 libssl3 | sed 's/, $//')"

echo "== berthd as the unit starts it (private network namespace)"
in_root --net -- '
  ip link set lo up
  notify=/run/berthd-notify.sock
  start_notify_listener "$ROOT$notify" "$ROOT/tmp/notify.msg"
  NOTIFY_SOCKET=$notify chroot "$ROOT" '"$exec_start"' >"$ROOT/tmp/berthd.log" 2>&1 &
  berthd=$!
  wait "$listener"
  if ! grep -q "^READY=1" "$ROOT/tmp/notify.msg"; then
    echo "FAIL: no READY=1 from berthd ($(cat "$ROOT/tmp/notify.msg"))"; tail -n 30 "$ROOT/tmp/berthd.log"
    kill "$berthd" 2>/dev/null; exit 1
  fi
  echo "   notify: $(tr "\n" " " <"$ROOT/tmp/notify.msg")"
  health=$(curl -fsS --max-time 10 http://127.0.0.1:8470/api/v1/health) ||
    { echo "FAIL: health"; tail -n 30 "$ROOT/tmp/berthd.log"; kill "$berthd"; exit 1; }
  echo "   health: $health"
  fail=0
  check_mode() {
    local m; m=$(stat -c %a "$ROOT$1" 2>/dev/null || echo missing)
    if [ "$m" = "$2" ]; then echo "   $1 $m"; else echo "FAIL: $1 mode $m, want $2"; fail=1; fi
  }
  check_mode /var/lib/berth 711
  check_mode /var/lib/berth/berth.db 600
  check_mode /var/lib/berth/admin.token 600
  check_mode /etc/berth 755
  check_mode /etc/berth/berthd.toml 644
  kill -TERM "$berthd"
  for _ in $(seq 150); do kill -0 "$berthd" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$berthd" 2>/dev/null; then echo "FAIL: berthd did not stop on SIGTERM"; exit 1; fi
  echo "   berthd stopped"
  exit $fail
'

echo "== dpkg --purge berth"
in_root -- 'chroot "$ROOT" dpkg --purge berth >"$ROOT/tmp/purge.log" 2>&1 || { cat "$ROOT/tmp/purge.log"; exit 1; }'
[ -f "$root/var/lib/berth/berth.db" ] || { echo "FAIL: purge removed the data dir" >&2; exit 1; }
[ ! -e "$root/etc/berth/berthd.toml" ] || { echo "FAIL: purge left berthd.toml" >&2; exit 1; }
[ ! -e "$root/usr/sbin/berthd" ] || { echo "FAIL: purge left berthd" >&2; exit 1; }
echo "   /var/lib/berth kept, /etc/berth/berthd.toml removed"

echo "PASS: berth $version package smoke test in $(($(date +%s) - start)) s"
