#!/bin/sh
# run.sh - build the libFuzzer targets and run each for a bounded time.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
#
# This program is free software: you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the Free
# Software Foundation, either version 3 of the License, or (at your option)
# any later version.  See the LICENSE file for details.
#
# Usage: tests/fuzz/run.sh SECONDS [TARGET...]
#
# Configures a clang build with -DVTERM_FUZZ=ON in $VTERM_FUZZ_BUILD_DIR
# (default /tmp/build-fuzz; extra configure arguments in
# $VTERM_FUZZ_CMAKE_ARGS, e.g. -DUSE_SYSTEM_LIBVTERM=OFF
# -DLIBVTERM_SOURCE_DIR=/path/to/libvterm-0.3.3), builds only the fuzzers,
# and runs each TARGET (default: input osc utf8) for SECONDS seconds on a
# working copy of corpus/TARGET, with vterm.dict.  Prints the executions
# run and the corpus size per target.  Exits 1 if any target crashed,
# leaked or timed out; the reproducer is left in the build directory and
# should be added to regressions/TARGET/ (replayed by ctest).
#
# VTERM_FUZZ_KEEP_GOING=1 keeps fuzzing after a finding (libFuzzer's fork
# mode with -ignore_crashes/-ignore_timeouts), collecting every reproducer
# of the run; the exit status is still 1 if there was any.

set -u
if [ $# -lt 1 ]; then
  echo "usage: $0 SECONDS [TARGET...]" >&2
  exit 2
fi
seconds=$1
shift
targets=${*:-input osc utf8}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${VTERM_FUZZ_BUILD_DIR:-/tmp/build-fuzz}
jobs=${VTERM_FUZZ_JOBS:-2}

# shellcheck disable=SC2086 # VTERM_FUZZ_CMAKE_ARGS is a list of arguments
cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER="${CC:-clang}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVTERM_FUZZ=ON \
  ${VTERM_FUZZ_CMAKE_ARGS:-} >"$build.configure.log" 2>&1 || {
  cat "$build.configure.log" >&2
  exit 2
}
for t in $targets; do
  cmake --build "$build" -j "$jobs" --target "fuzz-$t" >"$build.build.log" 2>&1 || {
    tail -50 "$build.build.log" >&2
    exit 2
  }
done

status=0
for t in $targets; do
  work="$build/fuzz-work/$t"
  corpus="$work/corpus"
  artifacts="$work/artifacts/"
  rm -rf "$artifacts"
  mkdir -p "$corpus" "$artifacts"
  cp "$here/corpus/$t/"* "$corpus/" 2>/dev/null
  log="$work/fuzz.log"
  echo "== fuzz-$t: ${seconds}s"
  keep=""
  if [ "${VTERM_FUZZ_KEEP_GOING:-0}" = 1 ]; then
    keep="-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1"
  fi
  # shellcheck disable=SC2086 # $keep is a list of options
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$build/tests/fuzz/fuzz-$t" -max_total_time="$seconds" -timeout=20 \
      -rss_limit_mb=2048 -dict="$here/vterm.dict" $keep \
      -artifact_prefix="$artifacts" -print_final_stats=1 \
      "$corpus" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ -z "$runs" ]; then # fork mode: the last status line "#N: ..."
    runs=$(sed -n 's/^#\([0-9][0-9]*\):.*/\1/p' "$log" | tail -1)
  fi
  files=$(find "$corpus" -type f | wc -l)
  bytes=$(du -sk "$corpus" | cut -f1)
  echo "   executions: ${runs:-?}, corpus: $files files (${bytes} KiB)"
  found=$(find "$artifacts" -type f | head -20)
  if [ $rc -ne 0 ] || [ -n "$found" ]; then
    status=1
    echo "   FAILED (exit $rc); reproducers:"
    for f in $found; do echo "     $f"; done
    grep -E 'ERROR|SUMMARY|^    #[0-9]+ ' "$log" | head -30
    echo "   full log: $log"
    echo "   add the reproducer to $here/regressions/$t/ (replayed by ctest)"
  fi
done
exit $status
