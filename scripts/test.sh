#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, then runs the unit
# tests (ctest), the integration tests against real berthd processes
# (pytest), the fuzz harnesses and a loopback load test, and the web UI's
# unit and end-to-end tests. Exits non-zero if any suite fails; the last line
# sums the suites up.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test || exit 1
scripts/build.sh || exit 1

passed=0 failed=0 names=()
suite() {
  local name=$1; shift
  echo "=== $name: $*"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); names+=("$name"); fi
}

export BERTH_BIN_DIR=$PWD/build/src/cmd
export BERTH_WEB_ROOT=$PWD/web/dist
# Session tests share one image store, built once per machine (minutes).
export BERTH_IMAGES_DIR=${BERTH_IMAGES_DIR:-/var/cache/berth-test/images}
export BERTH_TEST_IMAGE_DIR=$BERTH_IMAGES_DIR
build/src/cmd/berthd --images-dir "$BERTH_IMAGES_DIR" build-image python || exit 1
# The second Python version (Debian trixie); its tests skip if this fails.
build/src/cmd/berthd --images-dir "$BERTH_IMAGES_DIR" build-image python-trixie ||
  echo "warning: the python-trixie image did not build; its tests will be skipped"
# A private dockerd for the docker driver's conformance and session tests.
if scripts/dockerd.sh start; then
  export BERTH_DOCKER_SOCKET=/run/berth-dockerd.sock
  trap 'scripts/dockerd.sh stop' EXIT
else
  echo "dockerd not started: docker driver tests will be skipped"
fi

suite unit ctest --test-dir build --output-on-failure -j"$(nproc)"
suite integration /usr/bin/python3 -m pytest -q tests/integration
# Robustness: every fuzz harness for 20 s (clang build in build-fuzz/), and
# the loopback load test at CI size (the full one: bench/load/run.sh).
suite fuzz scripts/fuzz.sh 20
suite load bench/load/run.sh --clients 40 --seconds 20
# The .deb installed into a clean Debian 12 root (about 30 s with the day's
# bookworm tarball cached; BERTH_SKIP_PACKAGE_TEST=1 leaves it out).
if [ "${BERTH_SKIP_PACKAGE_TEST:-0}" != 1 ]; then
  suite package bash -c 'deb=$(scripts/package.sh) && scripts/package-smoke-test.sh "$deb"'
fi
if [ -f web/package.json ]; then
  suite web-unit bash -c 'cd web && npm test --silent'
  # Debian 12's own nodejs (18) must be enough: no dependency may exclude it,
  # and the unit tests run on it (scripts/node18.sh unpacks it once, ~30 MB).
  suite node-engines node scripts/check-node-engines.mjs web tests/e2e
  if node18=$(scripts/node18.sh); then
    suite web-unit-node18 env PATH="$node18:$PATH" bash -c 'cd web && npm test --silent'
  else
    echo "skipped web-unit-node18: scripts/node18.sh could not provide Debian's node 18"
  fi
fi
if [ -f tests/e2e/package.json ]; then
  suite e2e bash -c 'cd tests/e2e && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; } && npm test --silent'
fi

[ $failed -gt 0 ] && echo "failed suites: ${names[*]}"
echo "suites: $passed passed, $failed failed"
[ $failed -eq 0 ]
