#!/usr/bin/env bash
# tests/msvc/run.sh - the MSVC-ABI build of the module and the proxy, tested under Wine.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: tests/msvc/run.sh WORKDIR LIBVTERM_SOURCE_DIR
#
#  1. cmake/msvc-abi-x86_64.cmake builds vterm-module.dll and
#     conpty-proxy.exe with clang-cl and lld-link (warnings on: zero).
#  2. abi-probe.c, compiled with the same flags, proves the target: _MSC_VER
#     without __GNUC__, 32-bit long, MSVC bit-field layout, emacs-module.h's
#     layout.
#  3. The binaries import only system DLLs, and the DLL exports the two
#     symbols Emacs looks up.
#  4. The headless host (tests/host, built with mingw-w64, as Emacs for
#     Windows is) runs every host script against the MSVC-ABI DLL under Wine
#     (ctest's host-upstream-* tests).
#  5. tests/windows/run-tests.py runs the proxy tests, vterm.el's Windows
#     path included, against the MSVC-ABI conpty-proxy.exe under Wine.
# What this proves and what it does not: doc/msvc-abi.md.
# Ends with "N passed, N failed"; exits non-zero if anything failed.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=${1:?usage: $0 WORKDIR LIBVTERM_SOURCE_DIR}
LIBVTERM_SRC=${2:?usage: $0 WORKDIR LIBVTERM_SOURCE_DIR}
JOBS=${VTERM_JOBS:-2}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
# shellcheck source=tests/checks.sh
. "$HERE/../checks.sh"

# ---- 1. build -----------------------------------------------------------------
echo "== MSVC-ABI build (clang-cl, lld-link)"
BUILD=$WORK/build
OUT=$WORK/module
rm -rf "$BUILD" "$OUT"
if cmake -S "$ROOT" -B "$BUILD" "-DCMAKE_TOOLCHAIN_FILE=$ROOT/cmake/msvc-abi-x86_64.cmake" \
     -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DVTERM_WERROR=ON \
     -DUSE_SYSTEM_LIBVTERM=OFF "-DLIBVTERM_SOURCE_DIR=$LIBVTERM_SRC" \
     "-DVTERM_MODULE_OUTPUT_DIR=$OUT" >"$WORK/build.log" 2>&1 &&
   cmake --build "$BUILD" -j "$JOBS" >>"$WORK/build.log" 2>&1; then
  ok "vterm-module.dll and conpty-proxy.exe build for x86_64-pc-windows-msvc"
else
  tail -40 "$WORK/build.log"; bad "the MSVC-ABI build (log: $WORK/build.log)"; finish
fi
# The proxy's CMakeLists has no -Werror switch: read the log.
if grep -E 'warning' "$WORK/build.log"; then
  bad "the build printed warnings"
else
  ok "zero warnings (/W4 -Wgnu -Werror=vla; libvterm's own code at /W0)"
fi

# ---- 2. the ABI ------------------------------------------------------------------
CC=$(sed -n 's/^CMAKE_C_COMPILER:[^=]*=//p' "$BUILD/CMakeCache.txt")
CFLAGS=$(sed -n 's/^CMAKE_C_FLAGS:[^=]*=//p' "$BUILD/CMakeCache.txt")
eval "set -- $CFLAGS"
check "abi-probe.c: _MSC_VER, no __GNUC__, LLP64, MSVC bit-fields, emacs-module.h layout" \
  "$CC" --target=x86_64-pc-windows-msvc /nologo /c /std:c11 /W4 /WX "$@" \
    "-I$BUILD/emacs" "/Fo$WORK/abi-probe.obj" -- "$HERE/abi-probe.c"

# ---- 3. imports and exports ---------------------------------------------------------
objdump=x86_64-w64-mingw32-objdump
command -v $objdump >/dev/null || objdump=llvm-objdump
imports=$($objdump -p "$OUT/vterm-module.dll" "$OUT/conpty-proxy.exe" |
          sed -n 's/.*DLL Name: //p' | tr '[:upper:]' '[:lower:]' | sort -u | tr '\n' ' ')
check "imports only system DLLs ($imports)" test "$imports" = "kernel32.dll ucrtbase.dll "
exports=$($objdump -p "$OUT/vterm-module.dll" |
          sed -n 's/^\s*\[ *[0-9]*\] \([A-Za-z_]*\)$/\1/p' | sort | tr '\n' ' ')
check "the DLL exports emacs_module_init and plugin_is_GPL_compatible ($exports)" \
  test "$exports" = "emacs_module_init plugin_is_GPL_compatible "

# ---- 4. host scripts against the MSVC-ABI DLL -------------------------------------------
echo "== host scripts under Wine: mingw-w64 host, MSVC-ABI module"
export WINEPREFIX=${WINEPREFIX:-$WORK/wineprefix} WINEDEBUG=-all
HOST=$WORK/build-host
rm -rf "$HOST"
if cmake -S "$ROOT" -B "$HOST" "-DCMAKE_TOOLCHAIN_FILE=$ROOT/cmake/mingw-w64-x86_64.cmake" \
     -DUSE_SYSTEM_LIBVTERM=OFF "-DLIBVTERM_SOURCE_DIR=$LIBVTERM_SRC" \
     "-DVTERM_MODULE_OUTPUT_DIR=$HOST/module" \
     "-DVTERM_HOST_UPSTREAM_MODULE=$OUT/vterm-module.dll" >"$WORK/host.log" 2>&1 &&
   cmake --build "$HOST" -j "$JOBS" --target vterm-host >>"$WORK/host.log" 2>&1; then
  (cd "$HOST" && ctest --output-on-failure -j "$JOBS" -R '^host-upstream-') \
    >"$WORK/host-ctest.log" 2>&1
  grep -E 'Test +#' "$WORK/host-ctest.log" | sed 's/^/  /'
  count_log "$WORK/host-ctest.log" "host scripts (MSVC-ABI DLL)"
else
  tail -30 "$WORK/host.log"; bad "the mingw-w64 host builds (log: $WORK/host.log)"
fi
wineserver -k 2>/dev/null

# ---- 5. proxy tests against the MSVC-ABI exe ----------------------------------------------
echo "== proxy tests under Wine: MSVC-ABI conpty-proxy.exe"
NATIVE=$WORK/native
native_module "$ROOT" "$WORK/build-native" "$NATIVE" ||
  echo "  (no native module: vterm.el's end-to-end checks will be skipped)"
VTERM_MODULE_DIR=$NATIVE timeout 900 python3 "$ROOT/tests/windows/run-tests.py" \
  --build-dir "$WORK/proxy-tests" --exe "$OUT/conpty-proxy.exe" \
  </dev/null >"$WORK/proxy.log" 2>&1
grep -E '^  (ok|FAIL) ' "$WORK/proxy.log" | grep -c '^  ok' | sed 's/^/  checks ok: /'
grep -E '^  FAIL ' "$WORK/proxy.log"
count_log "$WORK/proxy.log" "proxy tests (MSVC-ABI exe)"

finish
