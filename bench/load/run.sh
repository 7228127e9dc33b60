#!/usr/bin/env bash
# Bounded loopback load test (bench/load/load.py): a real berthd on
# 127.0.0.1 with the runc driver, CLIENTS clients mixing listings, uploads,
# downloads, exec and terminals for SECONDS; prints p50/p99 per kind and
# fails on any 5xx or on descriptor/RSS growth once the load has ended.
# Usage: bench/load/run.sh [--clients N] [--seconds T] [load.py options...]
#   defaults: 200 clients, 120 s (the full run; scripts/test.sh runs 40 × 20 s).
# Env: BERTH_BIN_DIR (default build/src/cmd), BERTH_IMAGES_DIR (default
# /var/cache/berth-test/images; without the python image exec and terminals
# are left out). Needs root (runc).
set -euo pipefail
cd "$(dirname "$0")/../.."
export BERTH_BIN_DIR=${BERTH_BIN_DIR:-$PWD/build/src/cmd}
export BERTH_IMAGES_DIR=${BERTH_IMAGES_DIR:-/var/cache/berth-test/images}
# 200 clients plus berthd's own descriptors; the harness's berthd inherits it.
ulimit -n 8192 2>/dev/null || true
exec timeout --kill-after=30 "${LOAD_TIMEOUT_S:-900}" python3 bench/load/load.py "$@"
