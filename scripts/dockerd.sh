#!/usr/bin/env bash
# scripts/dockerd.sh start|stop|status — a private Docker Engine for tests.
#
# Starts Debian's dockerd (package docker.io) on its own socket with its own
# data and exec roots, so it never touches a system Docker, and with no
# networking of its own: no bridge, no iptables rules, no masquerading
# (Berth's containers use the host network). The runtime conformance suite
# finds it through BERTH_DOCKER_SOCKET:
#
#   scripts/dockerd.sh start
#   BERTH_DOCKER_SOCKET=/run/berth-dockerd.sock build/src/runtime/runtime_conformance_test
#   scripts/dockerd.sh stop
#
# `stop` kills dockerd (and the containerd it started), unmounts whatever is
# left under the roots and removes them. Both commands are idempotent.
#
# Environment: BERTH_DOCKERD_ROOT (default /tmp/berth-dockerd),
# BERTH_DOCKER_SOCKET (default /run/berth-dockerd.sock), DOCKERD (dockerd
# binary, default /usr/sbin/dockerd), BERTH_DOCKERD_STORAGE (force a storage
# driver; default: overlay2, falling back to vfs), BERTH_DOCKERD_USERNS (the
# remap user, default berth-remap; empty: no user namespaces). If dockerd
# cannot start with remap on any storage driver, it starts without and says
# so (the docker driver then warns, and the userns tests fail).
# REQUIRES: root.
set -euo pipefail

ROOT=${BERTH_DOCKERD_ROOT:-/tmp/berth-dockerd}
SOCK=${BERTH_DOCKER_SOCKET:-/run/berth-dockerd.sock}
DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
PIDFILE="$ROOT/dockerd.pid"
LOG="$ROOT/dockerd.log"
REMAP_USER=${BERTH_DOCKERD_USERNS-berth-remap}
REMAP_RANGE="100000:65536"  # = berthd's userns_base:userns_size

log() { echo "dockerd.sh: $*" >&2; }

ping_ok() {
  curl -fsS --max-time 2 --unix-socket "$SOCK" http://docker/_ping >/dev/null 2>&1
}

running_pid() {
  [[ -f $PIDFILE ]] || return 1
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# The remap user and group (system, no home, no shell) and one subordinate
# id range each; an existing line for the user is kept as it is.
ensure_remap_user() {
  local u=$1 f
  getent group "$u" >/dev/null || groupadd --system "$u"
  getent passwd "$u" >/dev/null ||
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
      --gid "$u" "$u"
  for f in /etc/subuid /etc/subgid; do
    touch "$f"
    if ! grep -q "^$u:" "$f"; then echo "$u:$REMAP_RANGE" >>"$f"; fi
    if ! grep -qx "$u:$REMAP_RANGE" "$f"; then
      log "warning: $f gives $u another range than $REMAP_RANGE: $(grep "^$u:" "$f" | tr '\n' ' ')"
    fi
  done
}

# Try one storage driver, with user namespace remap to $2 ("" for none);
# returns 0 once /_ping answers.
try_start() {
  local driver=$1 remap=$2
  local userns=()
  [[ -n $remap ]] && userns=(--userns-remap "$remap")
  mkdir -p "$ROOT/data" "$ROOT/exec"
  log "starting dockerd (storage driver $driver, userns-remap ${remap:-off}, socket $SOCK, root $ROOT)"
  # setsid: its own session, so a Ctrl-C in the calling shell does not reach
  # it. Debian's dockerd starts (and later stops) its own containerd.
  setsid "$DOCKERD" \
    -H "unix://$SOCK" \
    --pidfile "$PIDFILE" \
    --data-root "$ROOT/data" \
    --exec-root "$ROOT/exec" \
    --storage-driver "$driver" \
    --iptables=false --ip6tables=false --ip-masq=false --ip-forward=false \
    --bridge=none \
    --exec-opt native.cgroupdriver=cgroupfs \
    --cgroup-parent /berth-docker \
    "${userns[@]}" \
    --log-level warn \
    </dev/null >>"$LOG" 2>&1 &
  local pid=$!
  for _ in $(seq 1 150); do
    if ping_ok; then
      log "dockerd $pid answers on $SOCK"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "dockerd exited during start-up (storage driver $driver); last log lines:"
      tail -n 5 "$LOG" >&2 || true
      return 1
    fi
    sleep 0.2
  done
  log "dockerd did not answer within 30s"
  kill -TERM "$pid" 2>/dev/null || true
  return 1
}

cleanup_roots() {
  # Mounts dockerd/containerd may have left (overlay layers, shm, netns,
  # the roots themselves if they were bind-mounted): deepest first.
  local m
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(awk -v r="$ROOT" '$5 == r || index($5, r "/") == 1 {print $5}' /proc/self/mountinfo |
           sort -r)
  rm -rf --one-file-system "$ROOT"
  rm -f "$SOCK"
  # Empty cgroups of the containers (cgroup v1: one per controller).
  local cg
  for cg in /sys/fs/cgroup/*/berth-docker; do
    [[ -d $cg ]] || continue
    find "$cg" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
    rmdir "$cg" 2>/dev/null || true
  done
}

stop() {
  local pid
  if pid=$(running_pid); then
    log "stopping dockerd $pid"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "dockerd $pid still running after 20s; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  # The containerd (and shims) it started live under $ROOT/exec; if dockerd
  # was killed hard they may outlive it. Match them by their exec root only.
  local p
  for p in $(pgrep -f -- "$ROOT/exec" 2>/dev/null || true); do
    [[ $p == "$$" ]] && continue
    kill -KILL "$p" 2>/dev/null || true
  done
  cleanup_roots
}

start() {
  if [[ $(id -u) != 0 ]]; then
    log "needs root"
    exit 1
  fi
  if [[ ! -x $DOCKERD ]]; then
    log "$DOCKERD not found: apt-get install -y docker.io"
    exit 1
  fi
  if running_pid >/dev/null && ping_ok; then
    log "already running on $SOCK"
    return 0
  fi
  stop  # whatever a previous run left
  mkdir -p "$ROOT"
  local drivers=(overlay2 vfs)
  [[ -n ${BERTH_DOCKERD_STORAGE:-} ]] && drivers=("$BERTH_DOCKERD_STORAGE")
  local remaps=("")
  if [[ -n $REMAP_USER ]]; then
    ensure_remap_user "$REMAP_USER"
    remaps=("$REMAP_USER" "")
  fi
  local d r
  for r in "${remaps[@]}"; do
    if [[ -z $r && -n $REMAP_USER ]]; then
      log "warning: dockerd did not start with --userns-remap; starting it WITHOUT user namespaces"
    fi
    for d in "${drivers[@]}"; do
      if try_start "$d" "$r"; then return 0; fi
      stop
      mkdir -p "$ROOT"
    done
  done
  log "could not start dockerd; see the log above"
  exit 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if ping_ok; then echo "running on $SOCK"; else echo "not running"; exit 1; fi
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
