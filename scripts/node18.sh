#!/usr/bin/env bash
# scripts/node18.sh — Debian 12's own Node.js 18 and npm 9, beside whatever
# node this machine has, to prove the web and e2e toolchains run on it.
#
#   PATH="$(scripts/node18.sh):$PATH" npm test      # in web/ or tests/e2e/
#
# Prints a directory holding `node`, `npm` and `npx` wrappers. The first run
# downloads bookworm's `nodejs`, `libnode108`, `npm` and the node-*/libjs-*
# packages and shared libraries they depend on with `apt-get download` (about
# 30 MB) and unpacks them with `dpkg -x`; later runs print the directory at
# once (idempotent). Nothing is installed: the system node stays as it is.
#
# Debian builds libnode with some built-in modules left outside the binary at
# fixed paths (/usr/share/nodejs/{cjs-module-lexer,undici,acorn}), so the
# `node` wrapper runs Debian's node in a private mount namespace where an
# overlay puts the unpacked /usr/share over the host's /usr/share. On a real
# Debian 12 box with `apt-get install nodejs npm` none of this is needed.
#
# Environment: BERTH_NODE18_DIR (default /tmp/node18).
# REQUIRES: bookworm apt sources, network to them on the first run, root
# (or unprivileged user namespaces) for the mount namespace.
# Exits 1 with a message on stderr if Node 18 cannot be provided.
set -euo pipefail

DIR=${BERTH_NODE18_DIR:-/tmp/node18}
ROOT=$DIR/root
BIN=$DIR/bin

log() { echo "node18.sh: $*" >&2; }

ready() { [ -x "$BIN/node" ] && [ -f "$DIR/ok" ]; }
if ready; then echo "$BIN"; exit 0; fi
# One unpacker at a time; a second caller waits and then finds it ready.
mkdir -p "$(dirname "$DIR")"
exec 9>"$DIR.lock"
flock 9
if ready; then echo "$BIN"; exit 0; fi

# Debian's version of nodejs, not a third-party repository's (nodesource).
version=$(apt-cache madison nodejs 2>/dev/null |
  awk -F'|' '$3 ~ /debian/ { gsub(/ /, "", $2); print $2; exit }')
case $version in
  18.*) ;;
  *) log "no Debian 12 nodejs 18 in the apt sources (found '${version}')"; exit 1 ;;
esac

# The Depends closure of npm and libnode108, cut to what node and npm load:
# JavaScript packages and the shared libraries libnode links. A virtual
# package (<node-color-support>) is followed by its providers, one a line.
pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances --no-pre-depends npm libnode108 2>/dev/null |
  awk '/^  Depends: [^<]/ { print $2 } /^    [^ ]/ { print $1 }' |
  grep -E '^(node-|libjs-|npm$|libnode108$|libuv1$|libicu72$|libbrotli1$|libc-ares2$|libnghttp2-14$)' |
  sort -u)
[ -n "$pkgs" ] || { log "apt-cache found no dependencies of npm"; exit 1; }

rm -rf "$DIR"
mkdir -p "$DIR/debs" "$ROOT" "$BIN"
# shellcheck disable=SC2086  # one package name per word
if ! (cd "$DIR/debs" && apt-get download -q npm libnode108 libuv1 libicu72 libbrotli1 \
      libc-ares2 libnghttp2-14 $pkgs "nodejs=$version" >"$DIR/download.log" 2>&1); then
  log "apt-get download failed (offline?); see $DIR/download.log"
  exit 1
fi
for deb in "$DIR"/debs/*.deb; do dpkg -x "$deb" "$ROOT"; done

cat >"$BIN/node" <<EOF
#!/bin/sh
# Debian 12's node, unpacked by scripts/node18.sh (see there).
if [ ! -e /usr/share/nodejs/cjs-module-lexer/lexer.js ]; then
  userns=; [ "\$(id -u)" = 0 ] || userns="--user --map-root-user"
  exec unshare \$userns --mount --propagation private sh -c \\
    'mount -t overlay overlay -o lowerdir=$ROOT/usr/share:/usr/share /usr/share && exec "\$0" "\$@"' \\
    "\$0" "\$@"
fi
LD_LIBRARY_PATH=$ROOT/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH} \\
  exec $ROOT/usr/bin/node "\$@"
EOF
printf '#!/bin/sh\nexec "%s/node" %s/usr/share/nodejs/npm/bin/npm-cli.js "$@"\n' "$BIN" "$ROOT" >"$BIN/npm"
printf '#!/bin/sh\nexec "%s/node" %s/usr/share/nodejs/npm/bin/npx-cli.js "$@"\n' "$BIN" "$ROOT" >"$BIN/npx"
chmod +x "$BIN/node" "$BIN/npm" "$BIN/npx"

got=$("$BIN/node" --version 2>&1) || { log "Debian's node does not run: $got"; exit 1; }
case $got in
  v18.*) ;;
  *) log "expected node v18, got $got"; exit 1 ;;
esac
"$BIN/npm" --version >/dev/null 2>&1 || { log "Debian's npm does not run"; exit 1; }
touch "$DIR/ok"
echo "$BIN"
