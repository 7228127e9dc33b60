#!/usr/bin/env bash
# scripts/slurm-cluster.sh start|stop|stop-node NODE|status [--dir DIR]
#
# A real Slurm cluster on one machine, for Berth's cluster tests and demos
# (SPEC §9, issue 15 item 3): munged, slurmctld, three slurmd nodes and
# slurmrestd with JWT auth, from Debian's packages (slurm-wlm 22.05,
# slurmrestd, munge, slurm-wlm-jwt-plugin).
#
# Debian's slurmd is not built for several slurmd on one host, so every node
# gets its own network namespace (a veth on a bridge this script makes, the
# node's NodeAddr), its own UTS namespace (hostname = NodeName) and its own
# mount namespace (a slave of the host's), and its own spool, log and pid
# paths. Enter a node as its jobs see it: nsenter -t $(cat DIR/nodes/NODE/slurmd.pid) -a The nodes share the host's cgroup tree, so the cluster uses
# proctrack/linuxproc and task/none (no cgroup plugins).
#
#   start            write the configuration into the state dir, start every
#                    daemon, wait until the three nodes are idle; the LAST
#                    line printed is the berthd flags that reach the cluster.
#   stop             remove everything: processes, namespaces, veths, the
#                    bridge, the firewall rule, the state dir. Idempotent.
#   stop-node NODE   crash NODE the way a dead machine does: SIGKILL every
#                    process in its network namespace (slurmd, its jobs, a
#                    Berth agent) and the session containers under the node's
#                    runc root <dir>/nodes/NODE/runc (the runc_root a node
#                    agent uses here), and take its link down, so the
#                    controller's pings go unanswered.
#   status           the daemons and `sinfo` for the nodes; exit 1 when down.
#
# Environment (all optional):
#   BERTH_SLURM_DIR    state dir (default /run/berth-slurm; also --dir DIR)
#   BERTH_SLURM_NET    the /24 the script owns, as three octets (default
#                      10.214.7): .1 is the bridge (slurmctld), .11-.13 the
#                      nodes. start refuses a /24 another interface uses.
#   BERTH_SLURM_TAG    prefix of the bridge, veth and namespace names
#                      (default bsl: bridge bsl-br0, veths bsl-node1..3,
#                      namespaces bsl-node1..3)
#   BERTH_SLURM_PORT   slurmctld's port (default 16817); slurmd uses +1 (in
#                      each namespace), slurmrestd +3 on 127.0.0.1
#   BERTH_SLURM_JOB_USER  the user the JWT is for, i.e. the user Berth's jobs
#                      run as (default root: the node agent starts runc)
#   BERTH_SLURM_TOKEN_LIFESPAN  the JWT's lifetime in seconds (default 604800)
#   BERTH_SLURM_CPUS   CPUs of each node (default 2); more than the machine
#                      has is fine (SlurmdParameters=config_overrides: slurmd
#                      takes the configured value), e.g. 70 for
#                      bench/cluster/run.py's 200 sessions
#   BERTH_SLURM_MEM_MB RealMemory of each node in MiB (default 1024)
#
# Nothing leaves the machine: the namespaces have no default route, only the
# bridge's /24; the one firewall rule accepts bridge-to-bridge forwarding
# (br_netfilter may send it through FORWARD) and carries a comment naming the
# bridge. REQUIRES: root.
set -euo pipefail

DIR=${BERTH_SLURM_DIR:-/run/berth-slurm}
NET=${BERTH_SLURM_NET:-10.214.7}
TAG=${BERTH_SLURM_TAG:-bsl}
PORT=${BERTH_SLURM_PORT:-16817}
JOB_USER=${BERTH_SLURM_JOB_USER:-root}
TOKEN_LIFESPAN=${BERTH_SLURM_TOKEN_LIFESPAN:-604800}
NODE_CPUS=${BERTH_SLURM_CPUS:-2}
NODE_MEM_MB=${BERTH_SLURM_MEM_MB:-1024}
NODES=(node1 node2 node3)
REST_USER=berth-slurmrest  # slurmrestd refuses to run as root or SlurmUser
SLURM_USER=slurm           # made by Debian's slurm packages
MUNGE_USER=munge

log() { echo "slurm-cluster.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

parse_args() {
  CMD=${1:-}
  shift || true
  NODE_ARG=""
  while [[ $# -gt 0 ]]; do
    case $1 in
      --dir) DIR=${2:?--dir needs a path}; shift 2 ;;
      --dir=*) DIR=${1#--dir=}; shift ;;
      *) if [[ -z $NODE_ARG ]]; then NODE_ARG=$1; shift; else die "unexpected argument $1"; fi ;;
    esac
  done
  [[ $DIR = /* ]] || die "--dir must be an absolute path"
  [[ $NET =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "BERTH_SLURM_NET must be three octets, like 10.214.7"
  [[ $NODE_CPUS =~ ^[1-9][0-9]*$ ]] || die "BERTH_SLURM_CPUS must be a positive integer"
  [[ $NODE_MEM_MB =~ ^[1-9][0-9]*$ ]] || die "BERTH_SLURM_MEM_MB must be a positive integer (MiB)"
  BRIDGE="$TAG-br0"
  CTLD_ADDR="$NET.1"
  SLURMD_PORT=$((PORT + 1))
  REST_PORT=$((PORT + 3))
  CONF="$DIR/etc/slurm.conf"
  MUNGE_SOCKET="$DIR/munge/munge.socket"
  TOKEN_FILE="$DIR/berth.jwt"
}

node_index() {  # node1 -> 1
  local i
  for i in "${!NODES[@]}"; do
    [[ ${NODES[$i]} == "$1" ]] && { echo $((i + 1)); return 0; }
  done
  return 1
}
node_ns() { echo "$TAG-$1"; }
node_addr() { echo "$NET.$((10 + $(node_index "$1")))"; }

slurm_env() { env SLURM_CONF="$CONF" "$@"; }

# --- users, keys and configuration ------------------------------------------

ensure_user() {
  local u=$1
  getent group "$u" >/dev/null || groupadd --system "$u"
  getent passwd "$u" >/dev/null ||
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
      --gid "$u" "$u"
}

# The /24 is ours only if no interface but our bridge has an address in it.
check_net_free() {
  local used
  used=$(ip -4 -o addr show | awk -v n="$NET." -v br="$BRIDGE" \
    '$2 != br { split($4, a, "/"); if (index(a[1], n) == 1) print $2 " " $4 }')
  [[ -z $used ]] || die "$NET.0/24 is already in use ($used); set BERTH_SLURM_NET"
}

write_config() {
  mkdir -p "$DIR/etc" "$DIR/ctld" "$DIR/restd" "$DIR/munge"
  chmod 0755 "$DIR" "$DIR/etc"
  local n
  for n in "${NODES[@]}"; do mkdir -p "$DIR/nodes/$n/spool"; done

  local nodelines="" n addr
  for n in "${NODES[@]}"; do
    addr=$(node_addr "$n")
    nodelines+="NodeName=$n NodeHostname=$n NodeAddr=$addr CPUs=$NODE_CPUS RealMemory=$NODE_MEM_MB State=UNKNOWN"$'\n'
  done
  cat >"$CONF" <<EOF
# Written by scripts/slurm-cluster.sh: a three-node test cluster on one host.
ClusterName=berth
SlurmctldHost=berthctl($CTLD_ADDR)
SlurmctldPort=$PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=$SLURM_USER
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
CredType=cred/munge
AuthAltTypes=auth/jwt
AuthAltParameters=jwt_key=$DIR/etc/jwt.key
StateSaveLocation=$DIR/ctld/state
SlurmctldPidFile=$DIR/ctld/slurmctld.pid
SlurmctldLogFile=$DIR/ctld/slurmctld.log
SlurmdSpoolDir=$DIR/nodes/%n/spool
SlurmdPidFile=$DIR/nodes/%n/slurmd.pid
SlurmdLogFile=$DIR/nodes/%n/slurmd.log
# The nodes' CPUs and RealMemory as written here, not as detected
# (BERTH_SLURM_CPUS may exceed the machine's cores).
SlurmdParameters=config_overrides
# The nodes share one cgroup tree: no cgroup plugins.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
DefMemPerCPU=128
GresTypes=gpu
# A node that stops answering is NOT_RESPONDING after SlurmdTimeout, DOWN
# soon after; it comes back by itself once it registers again.
SlurmdTimeout=10
SlurmctldTimeout=10
MessageTimeout=5
ReturnToService=2
KillWait=5
MinJobAge=300
$nodelines
PartitionName=batch Nodes=ALL Default=YES MaxTime=INFINITE State=UP
PartitionName=short Nodes=${NODES[0]} MaxTime=60 State=UP
EOF
  cat >"$DIR/etc/cgroup.conf" <<EOF
# No cgroup plugin is used (proctrack/linuxproc, task/none); this keeps
# slurmd from looking for one.
CgroupPlugin=cgroup/v1
CgroupAutomount=no
EOF
  : >"$DIR/etc/gres.conf"  # no GPUs here; see docs/operations.md
  chmod 0644 "$CONF" "$DIR/etc/cgroup.conf" "$DIR/etc/gres.conf"

  if [[ ! -s $DIR/etc/jwt.key ]]; then
    (umask 077; head -c 32 /dev/urandom >"$DIR/etc/jwt.key")
  fi
  chown "$SLURM_USER:$SLURM_USER" "$DIR/etc/jwt.key"
  chmod 0400 "$DIR/etc/jwt.key"
  chown -R "$SLURM_USER:$SLURM_USER" "$DIR/ctld"
  chown "$REST_USER:$REST_USER" "$DIR/restd"

  if [[ ! -s $DIR/munge/munge.key ]]; then
    (umask 077; head -c 1024 /dev/urandom >"$DIR/munge/munge.key")
  fi
  chown -R "$MUNGE_USER:$MUNGE_USER" "$DIR/munge"
  chmod 0755 "$DIR/munge"
  chmod 0400 "$DIR/munge/munge.key"
}

# --- network ---------------------------------------------------------------

fw_rule() {  # fw_rule -C|-I|-D
  iptables -w "$1" FORWARD -i "$BRIDGE" -o "$BRIDGE" \
    -m comment --comment "berth-slurm $BRIDGE" -j ACCEPT
}

make_network() {
  ip link add "$BRIDGE" type bridge
  ip addr add "$CTLD_ADDR/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  if command -v iptables >/dev/null && ! fw_rule -C 2>/dev/null; then
    fw_rule -I
  fi
  local n ns
  for n in "${NODES[@]}"; do
    ns=$(node_ns "$n")
    ip netns add "$ns"
    ip link add "$TAG-$n" type veth peer name eth0 netns "$ns"
    ip link set "$TAG-$n" master "$BRIDGE" up
    ip -n "$ns" addr add "$(node_addr "$n")/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
  done
}

remove_network() {
  local n ns
  for n in "${NODES[@]}"; do
    ns=$(node_ns "$n")
    ip link del "$TAG-$n" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  if command -v iptables >/dev/null; then
    while fw_rule -C 2>/dev/null; do fw_rule -D || break; done
  fi
}

# --- daemons ---------------------------------------------------------------

wait_for() {  # wait_for SECONDS WHAT COMMAND...
  local secs=$1 what=$2 i
  shift 2
  for ((i = 0; i < secs * 5; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  die "$what did not come up within ${secs}s (logs under $DIR)"
}

start_munged() {
  setpriv --reuid "$MUNGE_USER" --regid "$MUNGE_USER" --clear-groups \
    munged --foreground --key-file="$DIR/munge/munge.key" --socket="$MUNGE_SOCKET" \
    --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/munge/munged.log" \
    --seed-file="$DIR/munge/munged.seed" </dev/null >>"$DIR/munge/munged.out" 2>&1 &
  echo $! >"$DIR/munge/munged.pid.script"
  wait_for 10 munged munge --socket="$MUNGE_SOCKET" --string=ping
}

start_slurmctld() {
  # Its own UTS namespace so that its host name is the SlurmctldHost name.
  setsid unshare --uts -- sh -c 'hostname berthctl && exec "$@"' sh \
    env SLURM_CONF="$CONF" slurmctld -D -i -f "$CONF" \
    </dev/null >>"$DIR/ctld/slurmctld.out" 2>&1 &
  wait_for 20 slurmctld slurm_env scontrol ping
}

start_slurmd() {
  local n=$1 ns
  ns=$(node_ns "$n")
  # nsenter, not `ip netns exec`: that one remounts /sys for the namespace
  # and so hides the host's cgroup mounts, and runc (a node agent's
  # sessions) then fails with "no cgroup mount found". The mount namespace
  # is the node's own, a slave of the host's, so the volumes mounted later
  # show up. In it /sys is the node's network namespace's sysfs (a node
  # agent's session network reads /sys/class/net/<veth>/brport), with the
  # host's cgroup tree bound back over /sys/fs/cgroup.
  setsid nsenter --net="/run/netns/$ns" -- \
    unshare --uts --mount --propagation slave -- sh -c '
      hostname "$0" && keep=$1 && shift && mkdir -p "$keep" &&
      mount --rbind /sys/fs/cgroup "$keep" && mount -t sysfs sysfs /sys &&
      mount --rbind "$keep" /sys/fs/cgroup && umount -l "$keep" && exec "$@"' \
    "$n" "$DIR/nodes/$n/.cgroup" \
    env SLURM_CONF="$CONF" slurmd -D -N "$n" -f "$CONF" \
    </dev/null >>"$DIR/nodes/$n/slurmd.out" 2>&1 &
}

nodes_idle() {
  local idle
  idle=$(slurm_env sinfo -h -N -p batch -t idle -o '%N' | sort -u | wc -l)
  [[ $idle -eq ${#NODES[@]} ]]
}

make_token() {
  local out
  out=$(slurm_env scontrol token username="$JOB_USER" lifespan="$TOKEN_LIFESPAN")
  (umask 077; echo "${out#SLURM_JWT=}" >"$TOKEN_FILE")
}

rest_ping() {
  curl -fsS --max-time 3 -H "X-SLURM-USER-NAME: $JOB_USER" \
    -H "X-SLURM-USER-TOKEN: $(cat "$TOKEN_FILE")" \
    "http://127.0.0.1:$REST_PORT/slurm/v0.0.38/ping"
}

start_slurmrestd() {
  # SLURM_JWT=daemon: slurmrestd passes each client's token on to slurmctld.
  setsid env SLURM_CONF="$CONF" SLURM_JWT=daemon \
    slurmrestd -f "$CONF" -a rest_auth/jwt -s openapi/v0.0.38 -u "$REST_USER" \
    "127.0.0.1:$REST_PORT" </dev/null >>"$DIR/restd/slurmrestd.log" 2>&1 &
  echo $! >"$DIR/restd/slurmrestd.pid"
  wait_for 20 slurmrestd rest_ping
}

# Session containers a node's Berth agent started, under the runc roots an
# agent may use here: <dir>/nodes/<node>/runc, and `berthd node-agent`'s
# own /run/berth/agent-<node>/runc (remote/node_agent_main.cc; the nodes
# share the host's /run, so two clusters of this script on one host with
# agents running would share it too). runc containers have network
# namespaces of their own, so `ip netns pids` of the node does not see them.
# $2: kill (a crash) or delete (stop: kill and forget).
node_containers() {
  local root id
  command -v runc >/dev/null || return 0
  for root in "$DIR/nodes/$1/runc" "/run/berth/agent-$1/runc"; do
    [[ -d $root ]] || continue
    for id in $(runc --root "$root" list -q 2>/dev/null || true); do
      runc --root "$root" kill --all "$id" KILL 2>/dev/null || true
      if [[ $2 == delete ]]; then runc --root "$root" delete --force "$id" 2>/dev/null || true; fi
    done
  done
  # The node agent's root, once empty (rmdir leaves one another cluster uses).
  if [[ $2 == delete ]]; then
    rmdir "/run/berth/agent-$1/runc" "/run/berth/agent-$1" 2>/dev/null || true
  fi
  return 0
}

# Every process that belongs to this cluster: the nodes' namespaces, and the
# host-side daemons by the state dir in their command line.
kill_all() {
  local n ns p pids=()
  for n in "${NODES[@]}"; do
    node_containers "$n" delete
    ns=$(node_ns "$n")
    [[ -e /run/netns/$ns ]] && pids+=($(ip netns pids "$ns" 2>/dev/null || true))
  done
  pids+=($(pgrep -f -- "$DIR/(etc|munge)/" 2>/dev/null || true))
  for p in "${pids[@]}"; do
    [[ $p == "$$" ]] && continue
    kill -KILL "$p" 2>/dev/null || true
  done
  for _ in $(seq 1 50); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && return 0
    sleep 0.1
  done
  log "warning: some processes outlived SIGKILL: ${pids[*]}"
}

# --- commands --------------------------------------------------------------

cmd_stop() {
  kill_all
  remove_network
  if [[ -d $DIR ]]; then
    # Nothing should be mounted under it; unmount whatever is, deepest first.
    local m
    while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(
      awk -v r="$DIR" '$5 == r || index($5, r "/") == 1 {print $5}' /proc/self/mountinfo | sort -r)
    rm -rf --one-file-system "$DIR"
  fi
}

cmd_start() {
  [[ $(id -u) == 0 ]] || die "needs root"
  local b
  for b in munged slurmctld slurmd slurmrestd scontrol sinfo; do
    command -v "$b" >/dev/null || die "$b not found: scripts/deps.sh (slurm-wlm slurmrestd munge slurm-wlm-jwt-plugin)"
  done
  [[ -e /usr/lib/x86_64-linux-gnu/slurm-wlm/auth_jwt.so ]] ||
    ls /usr/lib/*/slurm-wlm/auth_jwt.so >/dev/null 2>&1 ||
    die "auth_jwt.so not found: apt-get install slurm-wlm-jwt-plugin"
  cmd_stop  # whatever a previous run left
  check_net_free
  ensure_user "$REST_USER"
  mkdir -p "$DIR"
  write_config
  make_network
  log "munged, slurmctld on $CTLD_ADDR:$PORT, nodes ${NODES[*]} on $NET.11-$NET.$((10 + ${#NODES[@]}))"
  start_munged
  start_slurmctld
  local n
  for n in "${NODES[@]}"; do start_slurmd "$n"; done
  wait_for 60 "the nodes (idle)" nodes_idle
  make_token
  start_slurmrestd
  log "slurmrestd on 127.0.0.1:$REST_PORT (JWT for $JOB_USER in $TOKEN_FILE)"
  echo "export SLURM_CONF=$CONF  # for sinfo, squeue, scontrol"
  # --agent-listen: where the nodes' Berth agents dial the manager (the
  # bridge's host side; port 0 = any free one, berthd tells the jobs which).
  # --node-data-dir: the agents' data dir, per node under it, where
  # stop-node finds the node's runc root (DIR/nodes/NODE/runc).
  echo "--cluster slurm --slurm-rest http://127.0.0.1:$REST_PORT --slurm-jwt-file $TOKEN_FILE --slurm-user $JOB_USER --agent-listen $CTLD_ADDR:0 --node-data-dir $DIR/nodes"
}

cmd_stop_node() {
  local n=$NODE_ARG ns p
  [[ -n $n ]] || die "usage: $0 stop-node NODE"
  node_index "$n" >/dev/null || die "no node $n (nodes: ${NODES[*]})"
  ns=$(node_ns "$n")
  [[ -e /run/netns/$ns ]] || die "node $n is not running (no namespace $ns)"
  # A crashed machine: nothing on it runs any more and its address is silent.
  ip link set "$TAG-$n" down 2>/dev/null || true
  for p in $(ip netns pids "$ns" 2>/dev/null || true); do kill -KILL "$p" 2>/dev/null || true; done
  node_containers "$n" kill
  log "node $n stopped (its processes and containers killed, its link down)"
}

cmd_status() {
  local ok=0
  if [[ -f $CONF ]] && slurm_env scontrol ping 2>/dev/null | grep -q UP; then
    slurm_env sinfo -N -o '%N %P %T %C %E'
    if [[ -f $TOKEN_FILE ]] && rest_ping >/dev/null 2>&1; then
      echo "slurmrestd: http://127.0.0.1:$REST_PORT"
    else
      echo "slurmrestd: not answering"; ok=1
    fi
  else
    echo "not running"; ok=1
  fi
  return $ok
}

parse_args "$@"
case $CMD in
  start) cmd_start ;;
  stop) cmd_stop ;;
  stop-node) cmd_stop_node ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|stop-node NODE|status [--dir DIR]" >&2; exit 2 ;;
esac
