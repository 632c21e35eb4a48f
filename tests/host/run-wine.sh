#!/bin/sh
# run-wine.sh - run host scripts with the Windows build of vterm-host under wine.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
#
# This program is free software: you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the Free
# Software Foundation, either version 3 of the License, or (at your option)
# any later version.  See the LICENSE file for details.
#
# Usage: run-wine.sh [--no-prelude] HOST_EXE MODULE_DLL SCRIPT...
#
# Runs `HOST_EXE --module MODULE_DLL prelude.vtl SCRIPT...` under wine
# (prelude.vtl from this directory unless --no-prelude), with Unix paths
# translated by winepath.  Exits with the host's status: 0 all passed,
# 1 failures, 2 usage/load error; a crash gives wine's status (5 for an
# access violation).  WINE overrides the wine binary.

set -u
prelude=yes
if [ "${1:-}" = "--no-prelude" ]; then
  prelude=no
  shift
fi
if [ $# -lt 3 ]; then
  echo "usage: $0 [--no-prelude] HOST_EXE MODULE_DLL SCRIPT..." >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
wine=${WINE:-wine}
host=$1
module=$2
shift 2

export WINEDEBUG="${WINEDEBUG:--all}"
# No winedbg on a crash: the status and the message are enough.
"$wine" reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' \
  /v Debugger /t REG_SZ /d '' /f >/dev/null 2>&1 || true

winpath() {
  winepath -w "$1" 2>/dev/null || echo "$1"
}

set -- "$@"
args=""
if [ $prelude = yes ]; then
  args="$(winpath "$here/prelude.vtl")"
fi
# Build the argument list without word-splitting problems: paths from
# winepath contain no newlines, so pass them through positional params.
first=yes
for s in "$@"; do
  if [ $first = yes ]; then
    set --
    first=no
  fi
  set -- "$@" "$(winpath "$s")"
done
if [ $prelude = yes ]; then
  set -- "$args" "$@"
fi
# Wine occasionally fails to start a process at all (status 1, not a line
# printed).  The host always prints its summary line, so a run that printed
# nothing is Wine's failure, not a test's: it is retried once, and says so.
out=$(mktemp)
"$wine" "$host" --module "$(winpath "$module")" "$@" >"$out"
status=$?
if [ $status -ne 0 ] && [ ! -s "$out" ]; then
  echo "run-wine.sh: vterm-host printed nothing (status $status): retrying once" >&2
  "$wine" "$host" --module "$(winpath "$module")" "$@" >"$out"
  status=$?
fi
cat "$out"
rm -f "$out"
[ $status -eq 0 ] || echo "run-wine.sh: vterm-host exited with status $status" >&2
exit $status
