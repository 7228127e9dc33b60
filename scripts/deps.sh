#!/usr/bin/env bash
# Installs every Debian package Berth needs to build, run and test.
# Usage: scripts/deps.sh [build|run|test]   (default: test = everything)
# Idempotent: packages already installed are skipped quickly.
set -euo pipefail

what=${1:-test}
build=(build-essential cmake ninja-build ccache pkg-config git
       libboost-dev nlohmann-json3-dev libsqlitecpp-dev libsqlite3-dev
       libspdlog-dev libfmt-dev libcli11-dev libarchive-dev libssl-dev libsodium-dev
       libtomlplusplus-dev libgtest-dev libgmock-dev libbenchmark-dev
       libpqxx-dev  # the PostgreSQL store (src/store/pg_*)
       libnl-route-3-dev)  # session veths over rtnetlink (src/net/link_wiring.cc)
run=(runc tini mmdebstrap ca-certificates iproute2 util-linux
     iptables  # session networks' firewall chains (src/net/firewall.cc)
     btrfs-progs)  # mkfs.btrfs to make a btrfs volume (berthd itself uses the ioctls)
test=(curl python3 python3-pytest unzip chromium sqlite3 docker.io openssl
      postgresql  # a real PostgreSQL for the store tests (pg_test_server.h, pg_server.py)
      clang-14 libclang-rt-14-dev  # these two: scripts/fuzz.sh
      slurm-wlm slurmrestd munge slurm-wlm-jwt-plugin)  # scripts/slurm-cluster.sh

pkgs=("${build[@]}" "${run[@]}")
[ "$what" = test ] && pkgs+=("${test[@]}")
command -v node >/dev/null 2>&1 || pkgs+=(nodejs npm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "error: missing packages (${missing[*]}); run as root or install them" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -q
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
fi
