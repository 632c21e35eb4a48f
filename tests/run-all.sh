#!/usr/bin/env bash
# tests/run-all.sh - the whole test suite, on every configuration we support.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs missing test dependencies (tools/deps.sh test), then for each
# configuration builds into its own directory under $VTERM_TEST_DIR and runs
# ctest:
#   system    libvterm from the system (Debian 12: 0.1.4)
#   v0.3.3    libvterm 0.3.3 built from Debian trixie's source package
#   arena     as system, with the arena allocator on (-DVTERM_ARENA=ON)
#   asan      as system, ASan+UBSan module, ERT with the runtime preloaded
#   windows-dll  mingw-w64 cross build of the module (libvterm 0.3.3, arena)
#             and the headless host, the host scripts run under Wine
#   fuzz      each libFuzzer target for VTERM_FUZZ_SECONDS (default 60)
#   w32-emacs vterm.el with the real DLL and proxy inside Emacs 30.1 for
#             Windows under Wine (tests/w32emacs/run.sh; the Emacs build is
#             cached outside the checkout by tools/emacs-w32.sh)
# The system configuration's ctest also cross-builds the Windows binaries
# with mingw-w64 and tests them under Wine (label "windows").
# Ends with one line "N passed, N failed" over all of them; exits non-zero
# if anything failed.
#
# Environment: VTERM_TEST_DIR (default /tmp/vterm-tests), VTERM_CONFIGS
# (space-separated subset of the names above), VTERM_NO_DEPS=1 to skip apt.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${VTERM_TEST_DIR:-/tmp/vterm-tests}
CONFIGS=${VTERM_CONFIGS:-"system v0.3.3 arena asan windows-dll fuzz w32-emacs"}
JOBS=${VTERM_JOBS:-2}
mkdir -p "$WORK"

total_pass=0
total_fail=0
failed_configs=()

note() { printf '\n==== %s\n' "$*"; }

# Adds ctest's counts from LOG to the totals.
count_ctest() {
  local log=$1 name=$2 line pass fail
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  if [ -z "$line" ]; then
    echo "run-all: $name: ctest printed no summary" >&2
    total_fail=$((total_fail + 1)); failed_configs+=("$name"); return
  fi
  fail=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  pass=$(( $(sed -E 's/.*failed out of ([0-9]+).*/\1/' <<<"$line") - fail ))
  total_pass=$((total_pass + pass)); total_fail=$((total_fail + fail))
  [ "$fail" -eq 0 ] || failed_configs+=("$name")
}

# build_and_test NAME CTEST-ARGS -- CMAKE-ARGS...
build_and_test() {
  local name=$1 ctest_args=$2; shift 3
  local dir="$WORK/build-$name" log="$WORK/$name.log"
  note "$name: configure and build"
  rm -rf "$dir"
  # Each configuration keeps its module in its own directory, so the tree's
  # vterm-module (the one M-x vterm loads) is left alone.
  if ! cmake -S "$ROOT" -B "$dir" -DVTERM_WERROR=ON \
         "-DVTERM_MODULE_OUTPUT_DIR=$dir/module" "$@" >"$log" 2>&1 ||
     ! cmake --build "$dir" -j "$JOBS" >>"$log" 2>&1; then
    tail -40 "$log"
    echo "run-all: $name: build failed (log: $log)"
    total_fail=$((total_fail + 1)); failed_configs+=("$name"); return
  fi
  note "$name: ctest $ctest_args"
  # shellcheck disable=SC2086
  (cd "$dir" && ctest --output-on-failure -j "$JOBS" $ctest_args) 2>&1 | tee "$WORK/$name.ctest.log"
  count_ctest "$WORK/$name.ctest.log" "$name"
}

if [ "${VTERM_NO_DEPS:-0}" != 1 ]; then
  note "dependencies"
  "$ROOT/tools/deps.sh" test || { echo "run-all: installing dependencies failed"; exit 1; }
fi

for config in $CONFIGS; do
  case $config in
    system)
      build_and_test system "" -- ;;
    v0.3.3)
      src=$("$ROOT/tools/deps.sh" libvterm-src "$WORK/src") || {
        echo "run-all: could not get libvterm 0.3.3 sources"
        total_fail=$((total_fail + 1)); failed_configs+=(v0.3.3); continue; }
      build_and_test v0.3.3 "-LE windows" -- -DUSE_SYSTEM_LIBVTERM=OFF "-DLIBVTERM_SOURCE_DIR=$src" ;;
    arena)
      build_and_test arena "-L unit|ert|host|valgrind" -- -DVTERM_ARENA=ON ;;
    asan)
      build_and_test asan "-L unit|ert|host" -- -DVTERM_SANITIZE=ON ;;
    windows-dll)
      src=$("$ROOT/tools/deps.sh" libvterm-src "$WORK/src") || {
        echo "run-all: could not get libvterm 0.3.3 sources"
        total_fail=$((total_fail + 1)); failed_configs+=(windows-dll); continue; }
      export WINEPREFIX="$WORK/wineprefix" WINEDEBUG=-all
      build_and_test windows-dll "-L host" -- \
        "-DCMAKE_TOOLCHAIN_FILE=$ROOT/cmake/mingw-w64-x86_64.cmake" \
        -DUSE_SYSTEM_LIBVTERM=OFF "-DLIBVTERM_SOURCE_DIR=$src"
      wineserver -k 2>/dev/null || true
      unset WINEPREFIX ;;
    fuzz)
      note "fuzz: ${VTERM_FUZZ_SECONDS:-60} s per target"
      # pipefail: the pipeline fails when run.sh does.
      if VTERM_FUZZ_BUILD_DIR="$WORK/build-fuzz" \
         bash "$ROOT/tests/fuzz/run.sh" "${VTERM_FUZZ_SECONDS:-60}" 2>&1 | tee "$WORK/fuzz.log"; then
        total_pass=$((total_pass + 1))
      else
        echo "run-all: fuzzing found a problem (log: $WORK/fuzz.log)"
        total_fail=$((total_fail + 1)); failed_configs+=(fuzz)
      fi ;;
    w32-emacs)
      note "w32-emacs: vterm inside Emacs for Windows, under Wine"
      VTERM_TEST_DIR="$WORK" VTERM_JOBS="$JOBS" bash "$ROOT/tests/w32emacs/run.sh" 2>&1 |
        tee "$WORK/w32-emacs.log"
      line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$WORK/w32-emacs.log" | tail -1)
      if [ -z "$line" ]; then
        echo "run-all: w32-emacs: no summary (log: $WORK/w32-emacs.log)"
        total_fail=$((total_fail + 1)); failed_configs+=(w32-emacs)
      else
        read -r pass _ fail _ <<<"$line"
        total_pass=$((total_pass + pass)); total_fail=$((total_fail + fail))
        [ "$fail" -eq 0 ] || failed_configs+=(w32-emacs)
      fi ;;
    *) echo "run-all: unknown configuration $config" >&2; exit 2 ;;
  esac
done

note "summary"
[ ${#failed_configs[@]} -eq 0 ] || echo "failing configurations: ${failed_configs[*]}"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
