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
#   tmux      emacs -nw under tmux driven as a user would (tests/tmux/run.sh)
#             with the modules of system and v0.3.3 (run those first)
#   arena     as system, with the arena allocator on (-DVTERM_ARENA=ON)
#   asan      as system, ASan+UBSan module, ERT with the runtime preloaded
#   windows-dll  mingw-w64 cross build of the module (libvterm 0.3.3, arena)
#             and the headless host, the host scripts run under Wine
#   fuzz      each libFuzzer target for VTERM_FUZZ_SECONDS (default 60)
#   msvc-abi  the module and the proxy built with clang-cl and lld-link for
#             the MSVC ABI, host scripts and proxy tests under Wine
#             (tests/msvc/run.sh)
#   release   tools/release.sh twice (identical archives, hash recorded in
#             vterm.el) and the download, good and bad, end to end
#             (tests/release/run.sh)
#   lint      byte-compile, checkdoc, package-lint, actionlint, shellcheck
#             and the module's Emacs API (tests/lint/run.sh)
#   emacs30   as system, but with Emacs 30 from Debian's trixie source
#             package (tools/build-emacs.sh, cached outside the checkout):
#             its emacs-module.h, its ERT run, byte-compile and checkdoc
#   package   the MELPA-style archive installed with package-install-file
#             in a fresh Emacs 28 and Emacs 30 (tests/package/run.sh)
#   w32-emacs vterm.el with the real DLL and proxy inside Emacs 30.1 for
#             Windows under Wine (tests/w32emacs/run.sh; the Emacs build is
#             cached outside the checkout by tools/emacs-w32.sh)
# The system configuration's ctest also cross-builds the Windows binaries
# with mingw-w64 and tests them under Wine (label "windows").
# Ends with one line "N passed, N failed" over all of them; exits non-zero
# if anything failed.
#
# Environment: VTERM_TEST_DIR (default /tmp/vterm-tests/CHECKOUT-HASH), VTERM_CONFIGS
# (space-separated subset of the names above), VTERM_NO_DEPS=1 to skip apt.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# Each checkout gets its own directory by default, so two checkouts (a CI
# clone and a developer's tree) never share build directories.
WORK=${VTERM_TEST_DIR:-/tmp/vterm-tests/$(basename "$ROOT")-$(printf %s "$ROOT" | cksum | cut -d' ' -f1)}
CONFIGS=${VTERM_CONFIGS:-"lint system v0.3.3 tmux arena asan windows-dll fuzz msvc-abi release emacs30 package w32-emacs"}
JOBS=${VTERM_JOBS:-2}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
export VTERM_TEST_DIR=$WORK
# A directory used by another checkout is emptied first: CMake refuses a build
# directory configured from another source tree, and no stale result may count.
# The downloaded sources under src/ do not depend on the checkout and stay.
if [ "$(cat "$WORK/.checkout" 2>/dev/null)" != "$ROOT" ]; then
  find "$WORK" -mindepth 1 -maxdepth 1 ! -name src -exec rm -rf {} +
  printf '%s\n' "$ROOT" >"$WORK/.checkout"
fi

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

# run_script NAME COMMAND...: runs a runner that ends with "N passed, N
# failed" and adds its counts.
run_script() {
  local name=$1; shift
  note "$name: $*"
  "$@" 2>&1 | tee "$WORK/$name.log"
  count_summary "$WORK/$name.log" "$name"
}

# Adds the counts of the closing "N passed, N failed" line of LOG to the
# totals (the summary of the scripts under tests/lint and tests/package).
count_summary() {
  local log=$1 name=$2 line pass fail
  line=$(grep -E '^([a-z0-9-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  if [ -z "$line" ]; then
    echo "run-all: $name: no summary line" >&2
    total_fail=$((total_fail + 1)); failed_configs+=("$name"); return
  fi
  pass=$(sed -E 's/^([a-z0-9-]+: )?([0-9]+) passed.*/\2/' <<<"$line")
  fail=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  total_pass=$((total_pass + pass)); total_fail=$((total_fail + fail))
  [ "$fail" -eq 0 ] || failed_configs+=("$name")
}

# Prints the prefix of the cached Emacs 30 (building it when missing).
emacs30_prefix() {
  local start=$SECONDS prefix
  note "Emacs 30 from Debian's source package (tools/build-emacs.sh)" >&2
  prefix=$(VTERM_CACHE_DIR=${VTERM_CACHE_DIR:-/var/cache/vterm-ci} \
             "$ROOT/tools/build-emacs.sh") || return 1
  echo "run-all: Emacs 30 ready in $((SECONDS - start)) s: $prefix" >&2
  echo "$prefix"
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
      build_and_test system "" -- -DVTERM_FAULT_INJECTION=ON ;;
    v0.3.3)
      src=$("$ROOT/tools/deps.sh" libvterm-src "$WORK/src") || {
        echo "run-all: could not get libvterm 0.3.3 sources"
        total_fail=$((total_fail + 1)); failed_configs+=(v0.3.3); continue; }
      build_and_test v0.3.3 "-LE windows" -- -DUSE_SYSTEM_LIBVTERM=OFF \
        "-DLIBVTERM_SOURCE_DIR=$src" -DVTERM_FAULT_INJECTION=ON ;;
    arena)
      build_and_test arena "-L unit|ert|host|valgrind" -- -DVTERM_ARENA=ON ;;
    asan)
      build_and_test asan "-L unit|ert|host" -- -DVTERM_SANITIZE=ON -DVTERM_FAULT_INJECTION=ON ;;
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
    msvc-abi)
      src=$("$ROOT/tools/deps.sh" libvterm-src "$WORK/src") || {
        echo "run-all: could not get libvterm 0.3.3 sources"
        total_fail=$((total_fail + 1)); failed_configs+=(msvc-abi); continue; }
      WINEPREFIX="$WORK/wineprefix" run_script msvc-abi \
        bash "$ROOT/tests/msvc/run.sh" "$WORK/msvc-abi" "$src" ;;
    release)
      run_script release bash "$ROOT/tests/release/run.sh" "$WORK/release" ;;
    lint)
      run_script lint bash "$ROOT/tests/lint/run.sh" ;;
    emacs30)
      if ! e30=$(emacs30_prefix); then
        echo "run-all: emacs30: could not build Emacs 30"
        total_fail=$((total_fail + 1)); failed_configs+=(emacs30); continue
      fi
      build_and_test emacs30 "-L unit|ert|host" -- \
        "-DEMACS_EXECUTABLE=$e30/bin/emacs" "-DEMACS_MODULE_INCLUDE_DIR=$e30/include"
      note "emacs30: byte-compile and checkdoc with Emacs 30"
      for check in byte-compile checkdoc; do
        "$e30/bin/emacs" -Q --batch -l "$ROOT/tests/lint/elisp-lint.el" \
          -f elisp-lint-batch "$check" "$ROOT/vterm.el" 2>&1 | tee "$WORK/emacs30-$check.log"
        if grep -qx "$check: 0 problems" "$WORK/emacs30-$check.log"; then
          total_pass=$((total_pass + 1))
        else
          total_fail=$((total_fail + 1)); failed_configs+=("emacs30-$check")
        fi
      done ;;
    package)
      if ! e30=$(emacs30_prefix); then
        echo "run-all: package: could not build Emacs 30"
        total_fail=$((total_fail + 1)); failed_configs+=(package); continue
      fi
      run_script package bash "$ROOT/tests/package/run.sh" \
        "$(command -v emacs)" "$e30/bin/emacs" ;;
    tmux)
      # emacs -nw under tmux, with the modules the two configurations above
      # built (libvterm 0.1.4, and 0.3.3 for reflow).
      run_script tmux bash "$ROOT/tests/tmux/run.sh" \
        "$WORK/build-system/module" "$WORK/build-v0.3.3/module" ;;
    w32-emacs)
      VTERM_TEST_DIR="$WORK" VTERM_JOBS="$JOBS" \
        run_script w32-emacs bash "$ROOT/tests/w32emacs/run.sh" ;;
    *) echo "run-all: unknown configuration $config" >&2; exit 2 ;;
  esac
done

note "summary"
[ ${#failed_configs[@]} -eq 0 ] || echo "failing configurations: ${failed_configs[*]}"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
