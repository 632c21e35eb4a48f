#!/usr/bin/env bash
# tests/w32emacs/run.sh - vterm inside a real Emacs for Windows, under Wine.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# 1. Gets GNU Emacs 30.1 for Windows from tools/emacs-w32.sh (a cached
#    build outside the checkout, or a cold build of 15-20 minutes).
# 2. Cross-builds vterm-module.dll (against that Emacs' emacs-module.h)
#    and conpty-proxy.exe with mingw-w64, warnings as errors, and lays them
#    out with vterm.el as an installed package.
# 3. Runs vterm-w32-tests.el (ERT) in `emacs.exe --batch' under Wine 8, in
#    a private WINEPREFIX that says Windows 10.
# 4. Checks from Linux that nothing of the terminals outlived Emacs.
# Prints one line per check and ends with "N passed, N failed"; exits
# non-zero if anything failed.  doc/windows-testing.md describes what this
# covers and what Wine cannot show.
#
# Environment: VTERM_TEST_DIR (default /tmp/vterm-tests; this uses its
# w32-emacs/ and src/), VTERM_JOBS (default 2), VTERM_W32_SELECTOR (an ERT
# selector regexp, default all tests).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TEST_DIR=${VTERM_TEST_DIR:-/tmp/vterm-tests}
WORK="$TEST_DIR/w32-emacs"
JOBS=${VTERM_JOBS:-2}
WINE64=/usr/lib/wine/wine64
pass=0
fail=0

check() { # check NAME STATUS [DETAIL]
  if [ "$2" = 0 ]; then
    pass=$((pass + 1)); echo "  ok   $1"
  else
    fail=$((fail + 1)); echo "  FAIL $1${3:+: $3}"
  fi
}

finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
  exit
}

winpath() { printf 'z:%s' "$1"; }

# Live Linux processes of our prefix running one of the terminal's programs.
leftovers() {
  local pid argv0
  for pid in /proc/[0-9]*; do
    tr '\0' '\n' 2>/dev/null <"$pid/environ" | grep -qx "WINEPREFIX=$WINEPREFIX" || continue
    grep -q '^State:.*Z' 2>/dev/null "$pid/status" && continue
    argv0=$(tr '\0' '\n' 2>/dev/null <"$pid/cmdline" | head -1)
    argv0=${argv0##*[\\/]}
    case ${argv0,,} in
      conpty-proxy.exe | cmd.exe | conhost.exe | ping.exe | show-args.exe)
        echo "${pid#/proc/}:$argv0" ;;
    esac
  done
}

echo "w32-emacs: Emacs for Windows"
start=$SECONDS
if emacs_exe=$("$ROOT/tools/emacs-w32.sh"); then
  check "Emacs for Windows available ($((SECONDS - start)) s)" 0
else
  check "Emacs for Windows available" 1 "tools/emacs-w32.sh failed"
  finish
fi
emacs_tree=$(dirname "$(dirname "$emacs_exe")")

echo "w32-emacs: build vterm-module.dll and conpty-proxy.exe"
rm -rf "$WORK"
mkdir -p "$WORK/pkg" "$WORK/bin" "$WORK/tmp" "$WORK/home"
log="$WORK/build.log"
if src=$("$ROOT/tools/deps.sh" libvterm-src "$TEST_DIR/src") &&
   cmake -S "$ROOT" -B "$WORK/build" -DVTERM_WERROR=ON -DBUILD_TESTING=OFF \
     "-DCMAKE_TOOLCHAIN_FILE=$ROOT/cmake/mingw-w64-x86_64.cmake" \
     -DUSE_SYSTEM_LIBVTERM=OFF "-DLIBVTERM_SOURCE_DIR=$src" \
     "-DEMACS_MODULE_INCLUDE_DIR=$emacs_tree/include" \
     "-DVTERM_MODULE_OUTPUT_DIR=$WORK/pkg" >"$log" 2>&1 &&
   nice -n 10 cmake --build "$WORK/build" -j "$JOBS" >>"$log" 2>&1 &&
   cp "$ROOT/vterm.el" "$WORK/pkg/" &&
   x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Werror -municode \
     -o "$WORK/bin/show-args.exe" "$ROOT/tests/windows/show-args.c" >>"$log" 2>&1 &&
   [ -f "$WORK/pkg/vterm-module.dll" ] && [ -f "$WORK/pkg/conpty-proxy.exe" ]; then
  check "module, proxy and helper build without warnings" 0
else
  tail -30 "$log"
  check "module, proxy and helper build without warnings" 1 "log: $log"
  finish
fi

echo "w32-emacs: Wine prefix"
export WINEPREFIX="$WORK/prefix" WINEDEBUG=-all DISPLAY=
export WINEDLLOVERRIDES="mscoree,mshtml="
wine_quiet() { "$@" >>"$WORK/wine.log" 2>&1 </dev/null; }
wine_quiet wineserver -p
wine_quiet "$WINE64" wineboot -i
# No debugger on a crash (fail fast); Windows 10, which ConPTY needs.
wine_quiet "$WINE64" reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' \
  /v Debugger /t REG_SZ /d '' /f
wine_quiet "$WINE64" reg add 'HKCU\Software\Wine' /v Version /d win10 /f
# A directory over 260 characters: Emacs for Windows cannot make one.
longdir="$WORK/tmp"
for i in 1 2 3 4 5 6; do longdir="$longdir/long-directory-name-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; done
mkdir -p "$longdir"

echo "w32-emacs: vterm-w32-tests.el in emacs.exe --batch"
selector=${VTERM_W32_SELECTOR:-}
ert_log="$WORK/ert.log"
start=$SECONDS
(cd "$WORK/tmp" &&
 env -u SHELL HOME="$(winpath "$WORK/home")" CONPTY_PROXY_WINE_SHIM=1 \
   VTERM_W32_PKG="$(winpath "$WORK/pkg")" VTERM_W32_TMP="$(winpath "$WORK/tmp")" \
   VTERM_W32_BIN="$(winpath "$WORK/bin")" VTERM_W32_LONGDIR="$(winpath "$longdir")" \
   timeout 1800 "$WINE64" "$emacs_exe" --batch -Q \
     -l "$(winpath "$ROOT/tests/w32emacs/vterm-w32-tests.el")" \
     --eval "(ert-run-tests-batch-and-exit ${selector:+\"$selector\"})" \
   </dev/null 2>&1 | grep -v 'Read access denied for device' >"$ert_log")
rc=$?
elapsed=$((SECONDS - start))
grep -E '^ *(passed|FAILED|skipped) +[0-9]+/[0-9]+ ' "$ert_log" | sed 's/^ */  /'
while read -r _ _ name _; do check "ert: $name" 0; done < <(grep -E '^ *passed +[0-9]+/' "$ert_log")
while read -r _ _ name _; do check "ert: $name" 1 "see $ert_log"; done < <(grep -E '^ *FAILED +[0-9]+/' "$ert_log")
ran=$(grep -E '^Ran [0-9]+ tests?' "$ert_log" | tail -1)
if [ -z "$ran" ] || [ "$rc" -ne 0 ]; then
  grep -v '^ *passed' "$ert_log" | tail -60
fi
check "the ERT run finished (${ran:-no summary}, exit $rc, $elapsed s)" \
  "$([ -n "$ran" ] && [ "$rc" -eq 0 ] && echo 0 || echo 1)"
marker="$longdir/long-directory-marker.txt"
check "a file written in the long directory is there" \
  "$([ -f "$marker" ] && echo 0 || echo 1)" "$marker"

sleep 2
left=$(leftovers)
check "nothing of the terminals outlived Emacs" "$([ -z "$left" ] && echo 0 || echo 1)" "$left"
wine_quiet wineserver -k
finish
