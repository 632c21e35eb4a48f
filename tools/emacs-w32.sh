#!/usr/bin/env bash
# tools/emacs-w32.sh - GNU Emacs 30.1 for Windows, cross-built with mingw-w64,
# for the tests that run vterm inside a real Emacs for Windows under Wine.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   tools/emacs-w32.sh           print the path of emacs.exe, building it first
#                                when the cache has no copy (15-20 min, 2 cores)
#   tools/emacs-w32.sh --cached  print the path only if the cache has it
#   tools/emacs-w32.sh --key     print the cache key
#
# The installed tree is kept outside the checkout, in
#   $VTERM_EMACS_W32_CACHE/emacs-w32-30.1-KEY   (default /var/cache/vterm-ci)
# where KEY hashes the source tarball's sha256 and this script, so changing
# the recipe builds a fresh copy and an old copy is never reused by mistake.
# A build holds a lock, so two runs never build the same tree at once.
#
# A cold build needs root: apt-get (tools/deps.sh emacs-w32), and binfmt_misc,
# so that the build can run the .exe files it has just made (temacs.exe,
# make-docfile.exe, bootstrap-emacs.exe) through Wine.  binfmt_misc is mounted
# if it is not, and a handler for PE files is registered only if none is
# there already; both are undone when the script exits, however it exits.
# A cached copy needs none of this.
#
# Source: Debian trixie's emacs_30.1+1.orig.tar.xz (tools/deps.sh checks its
# sha256), built with four build-system fixes for a Linux host and two changes
# for Wine, each explained where it is made (doc/windows-testing.md).
#
# Environment: VTERM_EMACS_W32_CACHE, VTERM_JOBS (default 2),
# VTERM_EMACS_W32_KEEP=1 keeps the build tree for debugging.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VERSION=30.1
JOBS=${VTERM_JOBS:-2}
CACHE=${VTERM_EMACS_W32_CACHE:-/var/cache/vterm-ci}
WINE64=/usr/lib/wine/wine64
HOST=x86_64-w64-mingw32

src_sha=$(sed -n 's/^EMACS_W32_SHA256=//p' "$ROOT/tools/deps.sh")
KEY=$( { echo "$src_sha"; cat "$0"; } | sha256sum | cut -c1-16)
TREE="$CACHE/emacs-w32-$VERSION-$KEY"
EMACS_EXE="$TREE/bin/emacs.exe"

say() { echo "emacs-w32: $*" >&2; }

# timed NAME LOG COMMAND...: run COMMAND with its output in LOG, report the
# time taken; on failure show the end of the log.
timed() {
  local name=$1 log=$2 start=$SECONDS
  shift 2
  if ! "$@" >"$log" 2>&1; then
    tail -40 "$log" >&2
    say "$name failed after $((SECONDS - start)) s (log: $log)"
    return 1
  fi
  say "$name: $((SECONDS - start)) s"
}

case ${1:-} in
  --key) echo "$KEY"; exit 0 ;;
  --cached)
    [ -f "$TREE/.complete" ] || exit 1
    echo "$EMACS_EXE"; exit 0 ;;
  "") ;;
  *) echo "usage: $0 [--cached|--key]" >&2; exit 2 ;;
esac
if [ -f "$TREE/.complete" ]; then
  echo "$EMACS_EXE"
  exit 0
fi

# ---- cold build ------------------------------------------------------------

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock-$KEY"
flock 9
if [ -f "$TREE/.complete" ]; then # built by another run while we waited
  echo "$EMACS_EXE"
  exit 0
fi
say "building Emacs $VERSION for Windows into $TREE"
total_start=$SECONDS
"$ROOT/tools/deps.sh" emacs-w32 >&2
WORK="$CACHE/emacs-w32-build-$KEY"
rm -rf "$WORK" "$TREE.tmp"
mkdir -p "$WORK/logs"
tarball=$("$ROOT/tools/deps.sh" emacs-w32-src "$WORK")

export WINEPREFIX="$WORK/wineprefix" WINEDEBUG=-all DISPLAY=
export WINEDLLOVERRIDES="mscoree,mshtml="
# configure must not find the Linux host's .pc files.
export PKG_CONFIG_LIBDIR="$WORK/no-pkgconfig"

BINFMT=/proc/sys/fs/binfmt_misc
ENTRY=vterm-emacs-w32
mounted_binfmt=0
registered=0

cleanup() {
  if [ "$registered" = 1 ] && [ -e "$BINFMT/$ENTRY" ]; then
    echo -1 >"$BINFMT/$ENTRY" || say "could not remove binfmt entry $ENTRY"
  fi
  if [ "$mounted_binfmt" = 1 ]; then
    umount "$BINFMT" || say "could not unmount $BINFMT"
  fi
  wineserver -k >/dev/null 2>&1 || true
  if [ "${VTERM_EMACS_W32_KEEP:-0}" != 1 ] && [ -f "$TREE/.complete" ]; then
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

# Lets `make' run the Windows programs it builds.  An enabled handler that
# already matches PE files ("MZ") is used as it is; otherwise ours is added
# and removed again by `cleanup'.  A stale entry of ours (a killed run) is
# replaced.
binfmt_setup() {
  local f
  if [ ! -e "$BINFMT/register" ]; then
    mount -t binfmt_misc binfmt_misc "$BINFMT"
    mounted_binfmt=1
  fi
  grep -qx enabled "$BINFMT/status" || {
    say "binfmt_misc is disabled on this machine"; return 1; }
  if [ -e "$BINFMT/$ENTRY" ]; then echo -1 >"$BINFMT/$ENTRY"; fi
  for f in "$BINFMT"/*; do
    case ${f##*/} in register | status) continue ;; esac
    if grep -qx enabled "$f" && grep -qx 'magic 4d5a' "$f"; then
      say "using the existing binfmt handler ${f##*/} for .exe files"
      return 0
    fi
  done
  echo ":$ENTRY:M::MZ::$WINE64:" >"$BINFMT/register"
  registered=1
}

# The source, made buildable on a Linux host.  Each edit checks that it
# matched, so a different tarball fails here and not somewhere in make.
# The $(...) in the sed scripts below are text for make, not for this shell.
# shellcheck disable=SC2016
prepare_source() {
  local s=$1
  # (1) msys-to-w32 turns Unix paths into Windows ones with MSYS' `pwd -W';
  #     under Wine every Unix path is reachable as z:/path.
  sed -i 's|pwd -W|echo "z:$(pwd)"|' "$s/build-aux/msys-to-w32"
  grep -q 'echo "z:' "$s/build-aux/msys-to-w32"
  # (2) MSYS runs ./temacs and make-docfile without their .exe suffix;
  #     Linux (through binfmt_misc) needs the real file names.
  sed -i -e 's|^RUN_TEMACS = ./temacs$|RUN_TEMACS = ./temacs$(EXEEXT)|' \
         -e 's|\$(libsrc)/make-docfile -d|$(libsrc)/make-docfile$(EXEEXT) -d|' \
         "$s/src/Makefile.in"
  [ "$(grep -c '^RUN_TEMACS = ./temacs$(EXEEXT)$\|make-docfile$(EXEEXT) -d' "$s/src/Makefile.in")" = 3 ]
  # (3) windres on Linux reads the backslash as an escape.
  sed -i 's|icons\\emacs\.ico|icons/emacs.ico|' "$s/nt/emacsclient.rc.in"
  grep -q 'icons/emacs.ico' "$s/nt/emacsclient.rc.in"
  # (4) Debian's DFSG tarball leaves out the manuals and the macOS-only IVD
  #     table: empty makefiles for the manuals, and an up-to-date macuvs.h
  #     so that its missing input is never needed.
  local d
  for d in emacs lispintro lispref; do
    mkdir -p "$s/doc/$d"
    [ -f "$s/doc/$d/Makefile.in" ] ||
      printf 'all:\n\t@true\n%%:\n\t@true\n' >"$s/doc/$d/Makefile.in"
  done
  touch -d '2000-01-01' "$s/admin/unidata/IVD_Sequences.txt"
  touch "$s/src/macuvs.h"
  # (5) Wine: Emacs closes stdin/stdout/stderr at start-up and reopens
  #     them on non-inheritable duplicates, but Wine's msvcrt does not give
  #     the freed stream slots back to _fdopen, so batch Emacs would print
  #     nothing.  Keep the streams; make the three handles non-inheritable
  #     instead, which is what the original code is for.
  perl -0pi -e 's{\n    fclose \(stdin\);\n.*?\n    _fdopen \(2, "w"\);\n}{
    /* Patched for Wine by tools/emacs-w32.sh.  */
    if (stdin_save != INVALID_HANDLE_VALUE) CloseHandle (stdin_save);
    if (stdout_save != INVALID_HANDLE_VALUE) CloseHandle (stdout_save);
    if (stderr_save != INVALID_HANDLE_VALUE) CloseHandle (stderr_save);
    SetHandleInformation (GetStdHandle (STD_INPUT_HANDLE), HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation (GetStdHandle (STD_OUTPUT_HANDLE), HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation (GetStdHandle (STD_ERROR_HANDLE), HANDLE_FLAG_INHERIT, 0);
}s' "$s/src/w32.c"
  grep -q 'Patched for Wine by tools/emacs-w32.sh' "$s/src/w32.c"
  # (6) Wine: Emacs' w32 link() cannot make hard links there, and loadup
  #     links emacs.exe and emacs.pdmp to versioned names.  Those names are
  #     a convenience; a failure becomes a message.
  perl -0pi -e 's{(\(add-name-to-file((?:[^()]++|(\((?:[^()]++|(?3))*\)))*)\))}{(with-demoted-errors "loadup (Wine): %S" $1)}g' \
    "$s/lisp/loadup.el"
  [ "$(grep -c 'loadup (Wine)' "$s/lisp/loadup.el")" = 2 ]
}

start=$SECONDS
tar -xJf "$tarball" -C "$WORK"
SRC=$(ls -d "$WORK"/emacs-$VERSION*/)
SRC=${SRC%/}
prepare_source "$SRC"
say "source unpacked and prepared: $((SECONDS - start)) s"
binfmt_setup
# One server for the whole build; it must not hold our stdout (the caller
# reads it to the end) or the lock.
wineserver -p >/dev/null 2>&1 9>&- || true
timed wineboot "$WORK/logs/wineboot.log" "$WINE64" wineboot -i
cd "$SRC"
timed autogen "$WORK/logs/autogen.log" ./autogen.sh autoconf
# In-tree: configure would run `pwd -W' on an absolute source directory.
# --without-all turns modules off and leaves non-toolkit scroll bars, which
# the w32 port lacks; no native compilation, no info manuals (not shipped).
timed configure "$WORK/logs/configure.log" nice -n 10 ./configure \
  --host=$HOST --build=x86_64-pc-linux-gnu \
  --without-all --without-x --with-toolkit-scroll-bars --with-modules \
  --without-native-compilation --with-dumping=pdumper --without-makeinfo \
  --without-compress-install --without-libgmp --without-xpm --without-gnutls \
  CC=$HOST-gcc
# `make' (all) would build the manuals too; these targets build the rest.
timed "make src" "$WORK/logs/make-src.log" nice -n 10 make -j"$JOBS" src
timed "make lisp" "$WORK/logs/make-lisp.log" nice -n 10 make -j"$JOBS" lisp
mkdir -p info && touch info/dir
timed "make install" "$WORK/logs/make-install.log" \
  nice -n 10 make -j"$JOBS" install prefix="$TREE.tmp" info_dir_deps=
# The pdmp is named after `emacs.exe --fingerprint', whose output ends in
# CRLF under Wine; drop the CR from the name.
for f in "$TREE.tmp/libexec/emacs/$VERSION/$HOST"/*$'\r'*; do
  if [ -e "$f" ]; then mv "$f" "${f//$'\r'/}"; fi
done
# Unstripped -g3 binaries are over 100 MB; the pdmp stays valid.
$HOST-strip "$TREE.tmp"/bin/*.exe "$TREE.tmp"/libexec/emacs/$VERSION/$HOST/*.exe
# Wine adds a harmless line about the Z: drive's volume label to stderr,
# and Emacs' stdout is in text mode: its line ends in CRLF.
out=$(cd /tmp || exit 0
      env -u SHELL "$WINE64" "$TREE.tmp/bin/emacs.exe" --batch -Q \
        --eval '(princ (format "%s %s\n" emacs-version system-type))' 2>&1 |
        tr -d '\r' || true)
grep -qx "$VERSION windows-nt" <<<"$out" || {
  say "the installed emacs.exe does not run under Wine: $out"; exit 1; }
mv "$TREE.tmp" "$TREE"
echo "source sha256 $src_sha, built in $((SECONDS - total_start)) s on $(date -u +%FT%TZ)" >"$TREE/.complete"
say "done in $((SECONDS - total_start)) s"
echo "$EMACS_EXE"
