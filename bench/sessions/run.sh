#!/usr/bin/env bash
# bench/sessions: session create→running and delete latency through berthd's
# REST API (runc driver; 2 folder mounts + the automount folders .local and
# .linuxbrew) against, in the same run on the same machine:
#   - bare runc: the same config.json (taken from a berthd session, paths
#     moved), overlayfs over the same image rootfs, the same bind mounts,
#     tini + `sleep infinity` as the same user; create = overlay mount(2) +
#     `runc run --detach`, delete = `runc delete --force` + umount2(2) + rm;
#   - `docker run -d` / `docker rm -f` with the same mounts, if a Docker
#     engine can run here (a private dockerd from scripts/dockerd.sh);
#   - berthd's docker driver, if `berthd --runtime docker` really uses Docker;
# plus 100 sessions alive at once: total time, berthd VmRSS/VmHWM, host
# memory used (SPEC §10). Two extra rows explain berthd's overhead: a bare
# runc whose delete kills init through a pidfd before a plain `runc delete`,
# and five small write+fsync+rename in berthd's data dir.
#
# Usage: bench/sessions/run.sh [--out FILE]
#   env: N=30             timed create+delete rounds per case (>= 30); the
#                         case order rotates every round
#        MANY=100         sessions alive at once (0 skips that part)
#        DOCKER=auto|0    0 skips the docker cases
#        WORK_BASE=/var/tmp where the temp dir goes (berthd data dir, bundles)
#        BERTH_IMAGES_DIR=/var/cache/berth-test/images (must hold IMAGE)
#        IMAGE=python
#        BERTHD=path      use this berthd instead of building build-bench-s
#        KEEP=1           keep the temp dir's logs (mounts are always undone)
#
# REQUIRES: root (mounts, runc, dockerd), runc, tini, python3, curl.
set -euo pipefail

OUT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    *) echo "usage: $0 [--out FILE]" >&2; exit 2 ;;
  esac
done

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$REPO/bench/sessions"
N="${N:-30}"
MANY="${MANY:-100}"
DOCKER="${DOCKER:-auto}"
WORK_BASE="${WORK_BASE:-/var/tmp}"
export BERTH_IMAGES_DIR="${BERTH_IMAGES_DIR:-/var/cache/berth-test/images}"
IMAGE="${IMAGE:-python}"
if (( N < 30 )); then echo "N must be >= 30" >&2; exit 2; fi
[[ $(id -u) == 0 ]] || { echo "$0 needs root" >&2; exit 1; }

log() { echo "[sessions] $*" >&2; }

# ---- setup: tools --------------------------------------------------------
need_pkgs=()
command -v curl >/dev/null || need_pkgs+=(curl)
command -v python3 >/dev/null || need_pkgs+=(python3)
command -v runc >/dev/null || need_pkgs+=(runc)
command -v tini >/dev/null || need_pkgs+=(tini)
if (( ${#need_pkgs[@]} )); then
  log "installing ${need_pkgs[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >&2
fi
ROOTFS="$BERTH_IMAGES_DIR/$IMAGE/rootfs"
[[ -d "$ROOTFS" ]] || { echo "no image rootfs at $ROOTFS (scripts/build.sh builds it)" >&2; exit 1; }

# ---- setup: berthd -------------------------------------------------------
if [[ -z "${BERTHD:-}" ]]; then
  log "building berthd (Release, -j1) in build-bench-s"
  cmake -S "$REPO" -B "$REPO/build-bench-s" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$REPO/build-bench-s" -j1 berthd >&2
  BERTHD="$(find "$REPO/build-bench-s" -type f -name berthd -perm -u+x | head -1)"
fi
[[ -x "$BERTHD" ]] || { echo "no berthd binary at '$BERTHD'" >&2; exit 1; }

# ---- temp dir and cleanup ------------------------------------------------
W="$(mktemp -d "$WORK_BASE/berth-bench-sessions.XXXXXX")"
chmod 755 "$W"
declare -A PIDS=() URLS=() TOKENS=()
DOCKER_SOCK=""
DOCKER_IMAGE=""
DOCKER_DRIVER=""
DOCKERD_STARTED=0
export BERTH_DOCKERD_ROOT="$W/dockerd" BERTH_DOCKER_SOCKET="$W/docker.sock"

dk() { docker -H "unix://$DOCKER_SOCK" "$@"; }

# stop_berthd KEY: deletes its sessions over REST (best effort), stops it.
stop_berthd() {
  local key="$1" pid="${PIDS[$1]:-}" name
  [[ -n "$pid" ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    for name in $(curl -s -m 10 -H "Authorization: Bearer ${TOKENS[$key]}" \
        "${URLS[$key]}/api/v1/sessions" |
        python3 -c 'import json,sys; print(" ".join(s["name"] for s in json.load(sys.stdin)["sessions"]))' \
        2>/dev/null); do
      curl -s -m 30 -o /dev/null -X DELETE -H "Authorization: Bearer ${TOKENS[$key]}" \
        "${URLS[$key]}/api/v1/sessions/$name" || true
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  PIDS[$key]=""
}

# runc containers left in a state dir (berthd's or the baseline's)
runc_sweep() {
  local root="$1" id
  [[ -d "$root" ]] || return 0
  for id in $(runc --root "$root" list -q 2>/dev/null); do
    runc --root "$root" delete --force "$id" >/dev/null 2>&1
  done
  return 0
}

cleanup() {
  local rc=$? key m
  set +e
  for key in "${!PIDS[@]}"; do stop_berthd "$key"; done
  runc_sweep "$W/berthd/runc"
  runc_sweep "$W/berthd-docker/runc"
  runc_sweep "$W/runc-state"
  if [[ -n "$DOCKER_SOCK" ]]; then
    for m in $(dk ps -aq --filter name=bench-docker- 2>/dev/null); do dk rm -f "$m" >/dev/null; done
    [[ -n "$DOCKER_IMAGE" ]] && dk rmi -f "$DOCKER_IMAGE" >/dev/null 2>&1
  fi
  (( DOCKERD_STARTED )) && "$REPO/scripts/dockerd.sh" stop >/dev/null 2>&1
  # Whatever is still mounted under $W (overlays, leftovers): deepest first.
  while read -r m; do umount -l "$m" 2>/dev/null; done < <(
    awk -v r="$W" 'index($5, r "/") == 1 {print $5}' /proc/self/mountinfo | sort -r)
  if [[ "${KEEP:-0}" == 1 ]]; then
    log "kept $W"
  else
    rm -rf --one-file-system "$W"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- berthd --------------------------------------------------------------
# api KEY METHOD PATH [JSON]: prints the body; fails unless 2xx.
api() {
  local key="$1" method="$2" path="$3" body="${4:-}"
  local args=(-s -m 120 -X "$method" -H "Authorization: Bearer ${TOKENS[$key]}" -w '\n%{http_code}')
  [[ -n "$body" ]] && args+=(-H 'Content-Type: application/json' -d "$body")
  local out code
  out="$(curl "${args[@]}" "${URLS[$key]}$path")"
  code="${out##*$'\n'}"
  out="${out%$'\n'*}"
  [[ "$code" == 2* ]] || { echo "$method $path: HTTP $code $out" >&2; return 1; }
  printf '%s' "$out"
}

# start_berthd KEY [berthd args...]: data dir $W/KEY, its own runc root, the
# folders f1, f2, .local, .linuxbrew.
start_berthd() {
  local key="$1" dir="$W/$1"; shift
  mkdir -p "$dir"
  BERTH_RUNC_ROOT="$dir/runc" "$BERTHD" --data-dir "$dir" --listen 127.0.0.1:0 "$@" \
    >"$dir.log" 2>&1 &
  PIDS[$key]=$!
  for _ in $(seq 300); do
    [[ -s "$dir/berthd.addr" && -s "$dir/admin.token" ]] && break
    kill -0 "${PIDS[$key]}" 2>/dev/null || { cat "$dir.log" >&2; return 1; }
    sleep 0.05
  done
  URLS[$key]="$(tr -d '[:space:]' <"$dir/berthd.addr")"
  TOKENS[$key]="$(tr -d '[:space:]' <"$dir/admin.token")"
  local f
  for f in f1 f2 .local .linuxbrew; do
    api "$key" POST /api/v1/folders "{\"name\":\"$f\"}" >/dev/null
  done
}
json_get() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_BEFORE="$(loadavg)"

log "starting berthd ($BERTHD)"
start_berthd berthd
MOUNTS='[{"folder":"f1"},{"folder":"f2"}]'

# One session to copy the baseline's bundle from: config.json, etc/, and the
# scratch home (the baseline and docker reuse that copy; berthd makes a new
# one per session, as it must).
log "probe session: copying its bundle as the baseline's template"
probe="$(api berthd POST /api/v1/sessions "{\"name\":\"probe\",\"mounts\":$MOUNTS}")"
probe_id="$(json_get id <<<"$probe")"
TEMPLATE_BUNDLE="$W/berthd/containers/$probe_id"
TEMPLATE_HOME="$W/berthd/sessions/$probe_id/home"
mkdir -p "$W/template"
cp "$TEMPLATE_BUNDLE/config.json" "$W/template/"
cp -r "$TEMPLATE_BUNDLE/etc" "$W/template/"
cp -a "$TEMPLATE_HOME" "$W/home"
python3 - "$W/template/config.json" <<'EOF' >&2
import json, sys
c = json.load(open(sys.argv[1]))
binds = [f"{m['source']} -> {m['destination']}" for m in c["mounts"] if m["type"] == "bind"]
print("[sessions] template: user %(uid)s:%(gid)s, args %(args)s" % {**c["process"]["user"], "args": c["process"]["args"]})
print("[sessions] template binds:\n  " + "\n  ".join(binds))
EOF
api berthd DELETE /api/v1/sessions/probe >/dev/null
mkdir -p "$W/runc-state" "$W/bundles"

# ---- docker (optional) ---------------------------------------------------
DOCKER_NOTE=""
if [[ "$DOCKER" != 0 ]]; then
  if [[ ! -x "$REPO/scripts/dockerd.sh" ]]; then
    DOCKER_NOTE="skipped: scripts/dockerd.sh is missing"
  else
    if [[ ! -x /usr/sbin/dockerd ]]; then
      log "installing docker.io (for dockerd)"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >&2 || true
    fi
    command -v docker >/dev/null || DOCKER_NOTE="skipped: no docker CLI"
    if [[ -z "$DOCKER_NOTE" ]]; then
      # A private engine (own socket, roots under $W), so that no one else's
      # containers share it during the run; stopped by cleanup.
      DOCKERD_STARTED=1
      if "$REPO/scripts/dockerd.sh" start; then
        DOCKER_SOCK="$BERTH_DOCKER_SOCKET"
        DOCKER_DRIVER="$(dk info -f '{{.Driver}}' 2>/dev/null || echo '?')"
        DOCKER_IMAGE="berth-bench-sessions/$IMAGE:$$"
        log "importing $ROOTFS into dockerd as $DOCKER_IMAGE"
        if ! tar -C "$ROOTFS" -cf - . | dk import - "$DOCKER_IMAGE" >/dev/null; then
          DOCKER_NOTE="skipped: docker import failed"; DOCKER_SOCK=""
        fi
      else
        DOCKER_NOTE="skipped: dockerd would not start here (see scripts/dockerd.sh output)"
      fi
    fi
  fi
else
  DOCKER_NOTE="skipped (DOCKER=0)"
fi
[[ -n "$DOCKER_NOTE" ]] && log "docker: $DOCKER_NOTE"

# berthd's own docker driver: only if --runtime docker exists AND a session
# made with it really shows up in dockerd (an option that is parsed but not
# wired would silently measure runc again).
BD_NOTE=""
BD_ARGS=()
if [[ -z "$DOCKER_SOCK" ]]; then
  BD_NOTE="skipped: no Docker engine"
elif ! grep -q -- '--runtime' <<<"$("$BERTHD" --help 2>&1 || true)"; then
  BD_NOTE="skipped: berthd has no --runtime option"
else
  log "trying berthd --runtime docker"
  start_berthd berthd-docker --runtime docker --docker-socket "$DOCKER_SOCK"
  before="$(dk ps -aq | wc -l)"
  if api berthd-docker POST /api/v1/sessions "{\"name\":\"probe\",\"mounts\":$MOUNTS}" >/dev/null; then
    after="$(dk ps -aq | wc -l)"
    on_runc="$(runc --root "$W/berthd-docker/runc" list -q 2>/dev/null | wc -l)"
    api berthd-docker DELETE /api/v1/sessions/probe >/dev/null || true
    if (( after > before )); then
      BD_ARGS=(--berthd-docker-url "${URLS[berthd-docker]}" --berthd-docker-token "${TOKENS[berthd-docker]}")
    else
      BD_NOTE="skipped: \`berthd --runtime docker\` is accepted but the session ran on runc ($on_runc runc container(s), no new Docker container): the option is not wired to DockerRuntime yet"
    fi
  else
    BD_NOTE="skipped: creating a session with --runtime docker failed (see $W/berthd-docker.log)"
  fi
  (( ${#BD_ARGS[@]} )) || stop_berthd berthd-docker
fi
[[ -n "$BD_NOTE" ]] && log "berthd docker driver: $BD_NOTE"

# ---- run -----------------------------------------------------------------
DK_ARGS=()
[[ -n "$DOCKER_SOCK" ]] && DK_ARGS=(--docker-host "unix://$DOCKER_SOCK" --docker-image "$DOCKER_IMAGE")
log "latency: $N rounds"
python3 "$HERE/measure.py" latency --url "${URLS[berthd]}" --token "${TOKENS[berthd]}" \
  --folders f1,f2 --n "$N" --runc "$(command -v runc)" --runc-root "$W/runc-state" \
  --work "$W/bundles" --rootfs "$ROOTFS" --template-dir "$W/template" \
  --template-bundle "$TEMPLATE_BUNDLE" --template-home "$TEMPLATE_HOME" --home "$W/home" \
  --fsync-dir "$W/berthd" "${DK_ARGS[@]}" "${BD_ARGS[@]}" --out "$W/latency.json"
(( ${#BD_ARGS[@]} )) && stop_berthd berthd-docker

MANY_ARGS=()
if (( MANY > 0 )); then
  # No docker engine in the background while we look at host memory.
  if (( DOCKERD_STARTED )); then
    [[ -n "$DOCKER_IMAGE" ]] && dk rmi -f "$DOCKER_IMAGE" >/dev/null 2>&1
    DOCKER_IMAGE=""; DOCKER_SOCK=""
    "$REPO/scripts/dockerd.sh" stop >/dev/null 2>&1 || true
    DOCKERD_STARTED=0
  fi
  log "many: $MANY sessions alive at once"
  python3 "$HERE/measure.py" many --url "${URLS[berthd]}" --token "${TOKENS[berthd]}" \
    --pid "${PIDS[berthd]}" --count "$MANY" --out "$W/many.json"
  MANY_ARGS=(--many "$W/many.json")
fi
LOAD_AFTER="$(loadavg)"

# ---- report --------------------------------------------------------------
{
  echo "### bench/sessions — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)), kernel $(uname -r),"
  echo "$(awk '/^MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, work dir on $(findmnt -no FSTYPE -T "$WORK_BASE"); load average $LOAD_BEFORE before, $LOAD_AFTER after (shared machine)."
  echo "$(runc --version | head -1), tini $(tini --version | awk '{print $3}'), image \`$IMAGE\` ($(du -sh "$ROOTFS" 2>/dev/null | cut -f1)),"
  if [[ -z "$DOCKER_NOTE" ]]; then
    echo "dockerd $(dockerd --version | awk '{print $3}' | tr -d ,) (private, storage driver $DOCKER_DRIVER), docker CLI $(docker --version | awk '{print $3}' | tr -d ,)."
  else
    echo "Docker: $DOCKER_NOTE."
  fi
  echo "berthd: $BERTHD, built from $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo '?') (Release)."
  echo "Command: \`N=$N MANY=$MANY bench/sessions/run.sh\`. $N timed rounds after one warm-up; each round"
  echo "creates and deletes one container per case, case order rotating; p50/p90 interpolated."
  echo "Mounts: folders f1, f2 at /home/work/f1, /home/work/f2, automount .local (/home/work/.local),"
  echo ".linuxbrew (/home/work/.linuxbrew and /home/linuxbrew/.linuxbrew), scratch home at /home/work."
  [[ -n "$BD_NOTE" ]] && echo "berthd docker driver: $BD_NOTE."
  echo
  python3 "$HERE/measure.py" report --latency "$W/latency.json" "${MANY_ARGS[@]}"
} | if [[ -n "$OUT" ]]; then tee "$OUT"; else cat; fi
