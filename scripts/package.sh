#!/usr/bin/env bash
# Builds the Debian package: berthd and berth (build/, as scripts/build.sh),
# the web UI (web/dist), then `cpack -G DEB` (cmake/package.cmake). Prints
# the path of build/berth_<version>_<arch>.deb.
# Needs the build dependencies (scripts/deps.sh build), npm and dpkg-dev
# (dpkg-shlibdeps computes the library dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh berthd berth >&2  # also builds web/dist when npm is there
if [ ! -f web/dist/index.html ]; then
  echo "error: web/dist/index.html is missing: install nodejs and npm (scripts/deps.sh), then rerun" >&2
  exit 1
fi
rm -f build/berth_*.deb
(cd build && cpack -G DEB -B "$PWD" >&2)
rm -rf build/_CPack_Packages  # staging tree, hundreds of MB with the UI and debug info
deb=$(ls build/berth_*.deb)
echo "$PWD/$deb"
