# shellcheck shell=bash
# Sourced by scripts/package-smoke-test.sh and scripts/fresh-box-test.sh: a
# clean Debian 12 root file system under /tmp, and commands run in it inside
# namespaces of their own, so this host's /var/lib/berth, /etc/berth,
# network and mounts are never touched.
#
#   make_clean_root       sets $root: bookworm from `mmdebstrap --variant=apt`
#                         (tarball cached in $BERTH_TEST_CACHE, default
#                         /var/cache/berth-test, one per day), with this host's
#                         resolv.conf and extra CA certificates; removed on exit
#   in_root [FLAGS] -- S  runs bash script S in fresh mount and PID namespaces
#                         (plus unshare FLAGS, e.g. --net) with /proc, /sys,
#                         cgroup2 and a tmpfs /run mounted under $root ($ROOT
#                         in S); every mount goes when S exits
#   start_notify_listener PATH OUT   (inside in_root) a service manager's end
#                         of $NOTIFY_SOCKET: writes the first datagram (or
#                         "<timeout>" after 90 s) to OUT; sets $listener

make_clean_root() {
  local mirror=${BERTH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
  local cache=${BERTH_TEST_CACHE:-/var/cache/berth-test}
  local tarball
  tarball=$cache/bookworm-apt-$(date +%Y%m%d).tar
  if [ ! -f "$tarball" ]; then
    mkdir -p "$cache"
    echo "== making a bookworm root with mmdebstrap (cached as $tarball)"
    mmdebstrap --variant=apt --format=tar bookworm "$tarball.part" "$mirror" >/dev/null
    mv "$tarball.part" "$tarball"
    find "$cache" -maxdepth 1 -name 'bookworm-apt-*.tar' ! -path "$tarball" -delete
  fi
  root=$(mktemp -d /tmp/berth-clean-root.XXXXXX)
  trap remove_clean_root EXIT
  tar -xf "$tarball" -C "$root"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # This host reaches the network through a proxy with its own CAs: the root
  # registers them (ca-certificates' postinst runs update-ca-certificates).
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    mkdir -p "$root/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  fi
}

remove_clean_root() {
  # The namespaces (and their mounts) are gone once their processes exit;
  # never delete through something that is still mounted.
  if findmnt -rn -o TARGET | grep -q "^$root"; then
    echo "error: mounts left under $root; not removing it" >&2
    return
  fi
  rm -rf "$root"
}

in_root() {
  local flags=()
  while [ "$1" != -- ]; do flags+=("$1"); shift; done
  shift
  ROOT=$root unshare --mount --propagation private --pid --fork --kill-child "${flags[@]}" \
    bash -euo pipefail -c "$(declare -f start_notify_listener)"'
      mount -t proc proc "$ROOT/proc"
      mount -t sysfs sysfs "$ROOT/sys"
      mount -t cgroup2 cgroup2 "$ROOT/sys/fs/cgroup" 2>/dev/null || true
      mount -t tmpfs -o mode=0755 tmpfs "$ROOT/run"
      '"$1"
}

start_notify_listener() {
  python3 - "$1" >"$2" <<"PY" &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(90)
try:
    print(s.recv(4096).decode())
except socket.timeout:
    print("<timeout>")
PY
  # shellcheck disable=SC2034 # read by the caller
  listener=$!
  local _
  for _ in $(seq 50); do [ -S "$1" ] && break; sleep 0.1; done
}
