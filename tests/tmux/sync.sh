#!/usr/bin/env bash
# tests/tmux/sync.sh - synchronized output (DEC mode 2026) as a user sees it.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   tests/tmux/sync.sh MODULE-DIR
#
# Starts `emacs -nw -Q' in a detached 80x24 tmux session, opens M-x vterm
# (vterm.el from this checkout, the module from MODULE-DIR) and runs a
# program that clears and redraws the screen under CSI ? 2026 h ... l,
# one row every 40 ms.  The pane is captured every few milliseconds
# while it runs; no capture may show part of a frame.  The same program
# with `vterm-enable-synchronized-output' nil must show partial frames
# (so the check can fail).  Ends with "N passed, N failed".
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MODULE_DIR=${1:?usage: sync.sh MODULE-DIR}
# shellcheck source=lib.sh
. "$ROOT/tests/tmux/lib.sh"
EMACS=${EMACS:-emacs}
FRAMES=4
ROWS=12
work=$(mktemp -d "${TMPDIR:-/tmp}/vterm-tmux-sync.XXXXXX")
session="vterm-sync-$$"
passed=0
failed=0
trap 'tmux_stop; rm -rf "$work"' EXIT

check() { # check NAME OK DETAIL
  if [ "$2" = 1 ]; then
    passed=$((passed + 1)); echo "PASS $1"
  else
    failed=$((failed + 1)); echo "FAIL $1: $3"
  fi
}

cat >"$work/frames.sh" <<SCRIPT
f=1
while [ \$f -le $FRAMES ]; do
  printf '\033[?2026h\033[H\033[2J'
  r=1
  while [ \$r -le $ROWS ]; do
    printf 'frame %d row %d\r\n' \$f \$r
    r=\$((r+1))
    sleep 0.04
  done
  printf 'frame %d end\033[?2026l' \$f
  f=\$((f+1))
  sleep 0.5
done
printf '\r\nALL''DONE\r\n'
SCRIPT

# A capture is partial when it holds some frame rows but not exactly
# rows 1..ROWS and the end row of one frame.
partial_captures() { # DIR
  local bad=0 file rows n
  for file in "$1"/cap.*; do
    rows=$(grep -oE 'frame [0-9]+ (row [0-9]+|end)' "$file")
    [ -z "$rows" ] && continue
    n=$(head -1 <<<"$rows" | awk '{print $2}')
    expected=$(for r in $(seq 1 $ROWS); do echo "frame $n row $r"; done
               echo "frame $n end")
    [ "$rows" = "$expected" ] || bad=$((bad + 1))
  done
  echo "$bad"
}

run_case() { # run_case NAME ENABLE(t/nil) DIR
  local name=$1 enable=$2 dir=$3 i=0
  mkdir -p "$dir"
  tmux_fresh_session -s "$session" -x 80 -y 24 \
    "$EMACS -nw -Q -L '$ROOT' -L '$MODULE_DIR' --eval \"(progn (setq vterm-shell \\\"/bin/sh\\\" vterm-enable-synchronized-output $enable) (require 'vterm) (vterm))\""
  for _ in $(seq 1 100); do
    tm capture-pane -p -t "$session" | grep -q '^\$ ' && break
    sleep 0.1
  done
  tm send-keys -t "$session" "sh $work/frames.sh" Enter
  # Capture until the program is done (at most 30 s).
  while [ $i -lt 3000 ]; do
    tm capture-pane -p -t "$session" >"$dir/cap.$i"
    grep -q ALLDONE "$dir/cap.$i" && break
    i=$((i + 1))
    sleep 0.01
  done
  echo "$name: $i captures, $(partial_captures "$dir") partial"
}

run_case on t "$work/on"
partial=$(partial_captures "$work/on")
done_ok=0; grep -q ALLDONE "$work"/on/cap.* 2>/dev/null && done_ok=1
check "sync-on: the program ran to the end" "$done_ok" "no ALLDONE"
seen=0; grep -q "frame $FRAMES end" "$work"/on/cap.* && seen=1
check "sync-on: the last frame was shown" "$seen" "frame $FRAMES never seen"
check "sync-on: no capture shows part of a frame" \
  "$([ "$partial" -eq 0 ] && echo 1 || echo 0)" "$partial partial captures"
if [ "$partial" -ne 0 ]; then
  for f in "$work"/on/cap.*; do
    rows=$(grep -cE 'frame [0-9]+ ' "$f")
    if [ "$rows" -gt 0 ] && [ "$rows" -ne $((ROWS + 1)) ]; then
      echo "--- $f"; cat "$f"; break
    fi
  done
fi

run_case off nil "$work/off"
partial=$(partial_captures "$work/off")
check "sync-off: partial frames are seen (the check can fail)" \
  "$([ "$partial" -gt 0 ] && echo 1 || echo 0)" "no partial capture"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
