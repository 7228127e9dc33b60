#!/usr/bin/env bash
# Quick start: installs what is missing, builds Berth, builds the default
# session image if it is missing, and runs berthd all-in-one in the
# foreground on 127.0.0.1:8470 (data in /var/lib/berth as root).
# Extra arguments go to berthd (e.g. --listen 0.0.0.0:8470).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh run
scripts/build.sh berthd berth   # what it runs, not the tests
export BERTH_WEB_ROOT=${BERTH_WEB_ROOT:-$PWD/web/dist}
# The default session image (Debian bookworm + Python), built once.
build/src/cmd/berthd "$@" build-image python
exec build/src/cmd/berthd "$@"
