# shellcheck shell=bash
# tests/checks.sh - the check vocabulary of tests/msvc/run.sh and tests/release/run.sh.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sourced (bash).  Counts checks in $pass and $fail:
#   ok NAME / bad NAME          record one result
#   check NAME COMMAND...       ok if COMMAND succeeds, else bad
#   count_log LOG NAME          add the counts of a sub-run's summary in LOG:
#                               "N passed, N failed", ctest's "N% tests
#                               passed, N tests failed out of M", or ERT's
#                               "Ran N tests, M results as expected, K unexpected"
#   native_module ROOT BUILD OUT   build the Linux vterm-module into OUT
#   finish                      print "N passed, N failed" and exit (1 on failures)

pass=0
fail=0

ok() { pass=$((pass + 1)); echo "  ok   $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL $*"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

count_log() {
  local log=$1 name=$2 line p f
  if line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1) && [ -n "$line" ]; then
    p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
  elif line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1) &&
       [ -n "$line" ]; then
    f=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    p=$(( $(sed -E 's/.*failed out of ([0-9]+).*/\1/' <<<"$line") - f ))
  elif line=$(grep -E '^Ran [0-9]+ tests?, [0-9]+ results? as expected' "$log" | tail -1) &&
       [ -n "$line" ]; then
    p=$(sed -E 's/.*, ([0-9]+) results? as expected.*/\1/' <<<"$line")
    f=$(sed -nE 's/.*, ([0-9]+) unexpected.*/\1/p' <<<"$line")
    f=${f:-0}
    grep -E '^ +FAILED ' "$log"
  else
    bad "$name printed no summary (log: $log)"; tail -30 "$log"; return
  fi
  pass=$((pass + p)); fail=$((fail + f))
  echo "  $name: $p passed, $f failed"
}

native_module() {
  local root=$1 build=$2 out=$3
  cmake -S "$root" -B "$build" -DBUILD_TESTING=OFF "-DVTERM_MODULE_OUTPUT_DIR=$out" \
    >"$build.log" 2>&1 &&
    cmake --build "$build" -j "${VTERM_JOBS:-2}" --target vterm-module >>"$build.log" 2>&1
}
