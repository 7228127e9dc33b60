#!/usr/bin/env bash
# Builds into build/ (CMake + Ninja, ccache), then the web UI into web/dist.
# Without arguments: everything (berthd, berth and every test); with
# arguments: only those Ninja targets (scripts/up.sh builds berthd and berth).
set -euo pipefail
cd "$(dirname "$0")/.."
type=${BERTH_BUILD_TYPE:-RelWithDebInfo}
jobs=${BERTH_JOBS:-$(nproc)}
export CCACHE_BASEDIR=$PWD  # cache hits across checkouts in other folders
export CCACHE_NOHASHDIR=1   # ... also with -g (RelWithDebInfo)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$type" >/dev/null
ninja -C build -j"$jobs" "$@"
if [ -f web/package.json ]; then
  # npm ci again when package-lock.json changed since the last install.
  (cd web && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; } &&
     npm run build --silent)
fi
