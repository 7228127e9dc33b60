#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/, clang-14 with ASan+UBSan, into
# build-fuzz/; the g++ build in build/ is untouched) and runs each for
# SECONDS against its seed corpus fuzz/corpus/<target>/.
#
# Usage: scripts/fuzz.sh [--merge] [--no-build] [SECONDS] [TARGET...]
#   SECONDS  per target (default 30; scripts/test.sh runs 20 each; run longer
#            by hand, e.g. scripts/fuzz.sh 3600 layer_import_fuzzer)
#   --merge  afterwards, merge the inputs that found new coverage into
#            fuzz/corpus/<target>/ (minimised by libFuzzer); otherwise the
#            repo corpus is only read
# Exits non-zero if any target crashed, leaked, timed out or hit a
# sanitizer; prints each reproducer's path (kept in build-fuzz/artifacts/)
# and the command that replays it.
set -uo pipefail
cd "$(dirname "$0")/.."

merge=0 build=1 seconds=30 targets=()
for a in "$@"; do
  case $a in
    --merge) merge=1 ;;
    --no-build) build=0 ;;
    ''|*[!0-9]*) targets+=("$a") ;;
    *) seconds=$a ;;
  esac
done
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/*_fuzzer.cc; do targets+=("$(basename "$f" .cc)"); done
fi

if [ $build = 1 ]; then
  export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
  cmake -S . -B build-fuzz -G Ninja -DBERTH_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
  ninja -C build-fuzz -j"${BERTH_JOBS:-$(nproc)}" "${targets[@]}" || exit 1
fi

artifacts=$PWD/build-fuzz/artifacts
mkdir -p "$artifacts"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/berth-fuzz-corpus-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
# Leaks are findings too; a slow input (> 10 s) is a hang.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for t in "${targets[@]}"; do
  bin=build-fuzz/fuzz/$t
  corpus=fuzz/corpus/$t
  [ -x "$bin" ] || { echo "error: $bin is not built" >&2; failed+=("$t"); continue; }
  mkdir -p "$corpus" "$scratch/$t"
  dict=()
  [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
  echo "=== $t: ${seconds}s"
  # New inputs go to the scratch dir (the first corpus dir); the repo's
  # corpus is read only.
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$t-" "${dict[@]}" \
    "$scratch/$t" "$corpus" >"$scratch/$t.log" 2>&1
  rc=$?
  grep -E "^#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss" "$scratch/$t.log" | tail -3
  if [ $rc -ne 0 ]; then
    tail -60 "$scratch/$t.log"
    failed+=("$t")
    repro=$(grep -oE "Test unit written to \S+" "$scratch/$t.log" | awk '{print $NF}' | tail -1)
    echo "FAIL: $t crashed (exit $rc); reproducer: ${repro:-see the log above}"
    [ -n "$repro" ] && echo "  replay: $bin $repro"
    continue
  fi
  if [ $merge = 1 ]; then
    "$bin" -merge=1 -timeout=10 -max_len=65536 "$corpus" "$scratch/$t" >"$scratch/$t.merge.log" 2>&1 ||
      { tail -20 "$scratch/$t.merge.log"; failed+=("$t (merge)"); }
    echo "  corpus: $(ls "$corpus" | wc -l) files after merge"
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, no crash"
