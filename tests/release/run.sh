#!/usr/bin/env bash
# tests/release/run.sh - the Windows release archive and its download, end to end.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: tests/release/run.sh WORKDIR
#
#  1. tools/release.sh builds the archive twice, the second time from a copy
#     of the tree at another path, with --check: both give the same bytes,
#     and vterm.el records that archive's SHA-256 and size.
#  2. The archive holds what it should, with no build path inside, and its
#     binaries import only system DLLs.
#  3. vterm-test-download.el: the archive served by serve.py on 127.0.0.1
#     and as a file: URL installs; tampered, truncated, cut off, 404, no
#     unpacker, read-only directory (as the user nobody when run as root)
#     are each refused with nothing changed.
#  4. A user's first M-x vterm: emacs -nw -Q in tmux, vterm.el installed
#     without a module, the Windows path forced (e2e-init.el): the download
#     is offered, `y' installs it, and a cmd prompt of Wine's cmd.exe, run
#     by the downloaded conpty-proxy.exe, appears and runs a command.
#  5. tests/windows/vterm-e2e.el against the downloaded conpty-proxy.exe.
# Ends with "N passed, N failed"; exits non-zero if anything failed.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=${1:?usage: $0 WORKDIR}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
# shellcheck source=tests/checks.sh
. "$HERE/../checks.sh"

# ---- 0. a native module (Linux Emacs cannot load the DLL) ------------------------
echo "== native module"
NATIVE=$WORK/native
if ! native_module "$ROOT" "$WORK/build-native" "$NATIVE"; then
  tail -20 "$WORK/build-native.log"; bad "native vterm-module builds"; finish
fi

# ---- 1. reproducible archive, recorded in vterm.el ------------------------------
echo "== tools/release.sh, twice"
rm -rf "$WORK/a" "$WORK/b" "$WORK/checkout"
check "release.sh builds the archive" "$ROOT/tools/release.sh" "$WORK/a"
mkdir -p "$WORK/checkout"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$ROOT" && git ls-files -z | xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$WORK/checkout"
else
  cp -a "$ROOT/." "$WORK/checkout/"
fi
if "$WORK/checkout/tools/release.sh" --check "$WORK/b" 2>"$WORK/check.err"; then
  ok "vterm.el records the SHA-256 and size of the archive built now"
else
  cat "$WORK/check.err"; bad "vterm.el records the SHA-256 and size of the archive built now"
fi
ZIP=$(find "$WORK/a" -maxdepth 1 -name 'vterm-windows-x86_64-*.zip' | head -1)
[ -n "$ZIP" ] || { bad "an archive was made"; finish; }
check "two builds, from different paths, give the same SHA256SUMS" \
  cmp "$WORK/a/SHA256SUMS" "$WORK/b/SHA256SUMS"
check "... and byte-identical archives" cmp "$ZIP" "$WORK/b/$(basename "$ZIP")"
echo "  $(cat "$WORK/a/SHA256SUMS")"

# ---- 2. contents ----------------------------------------------------------------
echo "== archive contents"
rm -rf "$WORK/unzipped" && mkdir -p "$WORK/unzipped"
unzip -q "$ZIP" -d "$WORK/unzipped"
check "archive holds the module, the proxy, the manifest and the licences" \
  test "$(cd "$WORK/unzipped" && find . -mindepth 1 -maxdepth 1 -printf '%f\n' | LC_ALL=C sort | tr '\n' ' ')" = \
       "LICENSE-libvterm.txt LICENSE.txt conpty-proxy.exe vterm-module-manifest.txt vterm-module.dll "
manifest=$WORK/unzipped/vterm-module-manifest.txt
# shellcheck disable=SC2317  # called through check
manifest_ok() {
  local key
  for key in '^version: [0-9]' '^libvterm: 0\.[0-9.]+ \(release tarball sha256 [0-9a-f]{64}\)$' \
             '^sources-sha256: [0-9a-f]{64}$' '^compiler: ' '^c-flags: ' '^link-flags: '; do
    grep -qE "$key" "$manifest" || { echo "  manifest lacks $key"; return 1; }
  done
}
check "manifest names the version, libvterm, the sources' hash, tools and flags" manifest_ok
check "manifest's file hashes match the binaries" \
  sh -c "cd '$WORK/unzipped' && sed -n 's/^  \([0-9a-f]\{64\}  [^/]*\.\(exe\|dll\)\)$/\1/p' vterm-module-manifest.txt | sha256sum -c --quiet -"
check "no build path or commit in the archive" \
  sh -c "! grep -rqa -e '/tmp/' -e 'vterm-release\.' -e '$ROOT' '$WORK/unzipped'"
imports=$(x86_64-w64-mingw32-objdump -p "$WORK/unzipped/vterm-module.dll" "$WORK/unzipped/conpty-proxy.exe" |
          sed -n 's/.*DLL Name: //p' | tr '[:upper:]' '[:lower:]' | sort -u | tr '\n' ' ')
check "binaries import only system DLLs ($imports)" \
  test "$imports" = "kernel32.dll msvcrt.dll "

# ---- 3. download: good and bad archives ------------------------------------------
echo "== download tests"
SERVE=$WORK/serve
rm -rf "$SERVE" "$WORK/port" && mkdir -p "$SERVE"
python3 "$HERE/serve.py" "$SERVE" "$WORK/port" 900 2>"$WORK/serve.log" &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || { bad "serve.py started"; finish; }
URL=http://127.0.0.1:$(cat "$WORK/port")
# A world-readable copy of what the tests load, for the run as nobody.
LISP=$WORK/lisp
rm -rf "$LISP" && mkdir -p "$LISP"
cp "$ROOT/vterm.el" "$HERE/vterm-test-download.el" "$NATIVE"/vterm-module.* "$LISP/"
chmod -R a+rX "$WORK/lisp" "$WORK/a" "$SERVE"
chmod a+rwx "$SERVE"
run_ert() { # LOG SELECTOR [COMMAND PREFIX...]
  local log=$1 selector=$2; shift 2
  env VTERM_RELEASE_ZIP="$ZIP" VTERM_SERVE_DIR="$SERVE" VTERM_TEST_URL="$URL" \
    "$@" emacs --batch -Q -L "$LISP" -l "$LISP/vterm-test-download.el" \
    --eval "(ert-run-tests-batch-and-exit \"$selector\")" >"$log" 2>&1
}
run_ert "$WORK/download.log" ""
count_log "$WORK/download.log" "download tests"
if [ "$(id -u)" -eq 0 ]; then
  # Root writes everywhere: the read-only case runs as nobody.
  chmod a+rx "$WORK"
  run_ert "$WORK/download-nobody.log" "read-only" \
    HOME=/tmp setpriv --reuid=65534 --regid=65534 --clear-groups
  count_log "$WORK/download-nobody.log" "read-only test as nobody"
fi

# ---- 4. a user's first M-x vterm -------------------------------------------------
echo "== first M-x vterm: offer, download, cmd prompt (tmux, Wine)"
export WINEPREFIX=$WORK/wineprefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
WINE=$(command -v wine64 || command -v wine)
mkdir -p "$WINEPREFIX"
"$WINE" wineboot -i >"$WORK/wineboot.log" 2>&1 </dev/null
"$WINE" reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' \
  /v Debugger /t REG_SZ /d '' /f >/dev/null 2>&1 </dev/null
E2E=$WORK/e2e
rm -rf "$E2E" && mkdir -p "$E2E"
cp "$ROOT/vterm.el" "$E2E/"
mkdir -p "$SERVE/e2e" && cp "$ZIP" "$SERVE/e2e/"
SOCK=$WORK/tmux.sock
tmux_() { tmux -S "$SOCK" "$@"; }
screen() { tmux_ capture-pane -p -t e2e 2>/dev/null; }
wait_screen() { # REGEX SECONDS
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    screen | grep -qE "$1" && return 0
    sleep 0.5
  done
  return 1
}
tmux_ kill-server 2>/dev/null
tmux_ new-session -d -s e2e -x 160 -y 40 -c /tmp \
  env VTERM_E2E_DIR="$E2E" VTERM_E2E_URL="$URL/e2e/%f" VTERM_NATIVE_MODULE_DIR="$NATIVE" \
  WINE="$WINE" TERM=xterm-256color emacs -nw -Q -l "$HERE/e2e-init.el"
trap 'kill $server 2>/dev/null; tmux -S "$SOCK" kill-server 2>/dev/null' EXIT
if wait_screen 'scratch' 30; then
  tmux_ send-keys -t e2e M-x; sleep 0.3
  tmux_ send-keys -t e2e vterm Enter
  if wait_screen 'download the prebuilt one for vterm' 30; then
    ok "M-x vterm with the module absent offers the download"
    screen >"$WORK/e2e-offer.txt"
    tmux_ send-keys -t e2e y
    if wait_screen 'Z:\\tmp>' 120; then
      ok "after y: verified, installed, and Wine's cmd.exe prompt is shown"
      tmux_ send-keys -t e2e 'echo e2e-%INSIDE_EMACS%-ok' Enter
      check "the terminal runs a command" wait_screen '^e2e-vterm-ok' 30
    else
      bad "after y: a cmd prompt appears"
    fi
  else
    bad "M-x vterm with the module absent offers the download"
  fi
else
  bad "emacs -nw started in tmux"
fi
screen >"$WORK/e2e-screen.txt"
echo "  last screen: $WORK/e2e-screen.txt"
check "the download installed the archive's binaries" \
  sh -c "cd '$E2E' && sed -n 's/^  \([0-9a-f]\{64\}  [^/]*\.\(exe\|dll\)\)$/\1/p' vterm-module-manifest.txt | sha256sum -c --quiet -"
check "no staging directory left behind" \
  sh -c "! ls -a '$E2E' | grep -q '^\.vterm-download-'"
tmux_ kill-server 2>/dev/null

# ---- 5. vterm.el's Windows path with the downloaded proxy ---------------------------
echo "== tests/windows/vterm-e2e.el with the downloaded conpty-proxy.exe"
PROXY_EXE="$E2E/conpty-proxy.exe" VTERM_DIR="$ROOT" VTERM_MODULE_DIR="$NATIVE" WINE="$WINE" \
  timeout 400 emacs --batch -Q -l "$ROOT/tests/windows/vterm-e2e.el" \
  </dev/null >"$WORK/vterm-e2e.log" 2>&1
e2e_rc=$?
e2e_lines=0
while IFS= read -r line; do
  e2e_lines=$((e2e_lines + 1))
  case $line in
    PASS\ *) ok "vterm-e2e: ${line#PASS }" ;;
    FAIL\ *) bad "vterm-e2e: ${line#FAIL }" ;;
  esac
done < <(grep -E '^(PASS|FAIL) ' "$WORK/vterm-e2e.log")
check "vterm-e2e.el ran its checks and exited 0" test "$e2e_rc" -eq 0 -a "$e2e_lines" -gt 0
wineserver -k 2>/dev/null

finish
