#!/usr/bin/env bash
# tests/tmux/mouse.sh - mouse reporting as a user sees it: emacs -nw under tmux.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   tests/tmux/mouse.sh MODULE-DIR
#
# Starts `emacs -nw -Q' with `xterm-mouse-mode' in an 80x24 tmux window,
# opens a vterm and drives real programs with mouse events typed into the
# pane as the outer terminal would send them (SGR encoding, which
# xterm-mouse-mode asked tmux for):
#   * vim (set mouse=a): a click moves the cursor, the wheel scrolls, a
#     drag selects, a shift-click stays in Emacs;
#   * the same with line numbers and a left margin in the Emacs window;
#   * htop (when installed): a click on "F10Quit" quits it;
#   * the shell, which did not ask for the mouse: a click sends nothing.
# Ends with "N passed, N failed".  Needs tmux, vim and emacs.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../checks.sh
. "$ROOT/tests/checks.sh"
# shellcheck source=lib.sh
. "$ROOT/tests/tmux/lib.sh"
MODULE_DIR=${1:?usage: mouse.sh MODULE-DIR}
EMACS=${EMACS:-emacs}
for tool in tmux vim "$EMACS"; do
  command -v "$tool" >/dev/null || { echo "mouse.sh: $tool not found"; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/vterm-tmux-mouse.XXXXXX")
session="vterm-mouse-$$"
trap 'tmux_stop; rm -rf "$work"' EXIT
seq -f 'line %g' 1 200 >"$work/file.txt"

# ---- vocabulary -------------------------------------------------------------

screen() { tm capture-pane -p -t "$session"; }
# row N: line N (1-based) of the pane.
row() { screen | sed -n "${1}p"; }
# wait_for REGEX [SECONDS]: polls the pane until REGEX matches.
wait_for() {
  local deadline=$((SECONDS + ${2:-10}))
  while [ $SECONDS -lt $deadline ]; do
    screen | grep -Eq -- "$1" && return 0
    sleep 0.2
  done
  echo "  (timed out waiting for /$1/; pane:)"; screen | sed 's/^/  | /'
  return 1
}
# mouse CODE X Y [m]: an SGR report (1-based X, Y) typed into the pane.
mouse() { tm send-keys -t "$session" -l $'\e'"[<$1;$2;$3${4:-M}"; sleep 0.2; }
click() { mouse "${3:-0}" "$1" "$2"; mouse "${3:-0}" "$1" "$2" m; }
# no_mouse_report_echoed: the pane shows no "[<" of a mouse report.
# shellcheck disable=SC2317 # run through check
no_mouse_report_echoed() { ! screen | grep -q '\[<'; }
# vim_ruler: the line,col of vim's ruler on the last terminal row.
vim_ruler() { row 22 | grep -Eo '[0-9]+,[0-9]+' | tail -1; }

# start LISP: a fresh Emacs showing a vterm, then LISP run in its buffer (the menu bar is row 1, so
# the terminal's row 0 is pane row 2).
start() {
  cat >"$work/init.el" <<EOF
(xterm-mouse-mode 1)
(setq vterm-shell "/bin/sh")
(require 'vterm)
(vterm)
$1
EOF
  tmux_fresh_session -s "$session" -x 80 -y 24 \
    "TERM=xterm-256color PS1='\$ ' $EMACS -nw -Q -L '$ROOT' -L '$MODULE_DIR' -l '$work/init.el'"
  wait_for '\$ *$' 15
}
vim_start() {
  tm send-keys -t "$session" \
    "vim -u NONE -N -n -c 'set mouse=a ruler' $work/file.txt" Enter
  wait_for ' 1,1( |$)'
}

# ---- vim, plain window --------------------------------------------------------

echo "vim with mouse=a"
start ""
vim_start
click 4 8
check "click at pane (4,8) puts vim's cursor on line 7, column 4" \
  wait_for '7,4 +Top' 5
for _ in 1 2 3; do mouse 65 4 5; done
check "three wheel-downs scroll vim by 9 lines" wait_for '^line 10 *$' 5
check "  (the first line shown is line 10)" test "$(row 2)" = "line 10"
mouse 64 4 5
check "a wheel-up scrolls back 3 lines" wait_for '^line 7 *$' 5
check "  (the first line shown is line 7)" test "$(row 2)" = "line 7"
mouse 0 2 3; mouse 32 5 3; mouse 32 6 4; mouse 0 6 4 m
check "a drag selects (vim shows -- VISUAL --)" wait_for '-- VISUAL --' 5
# v leaves visual mode (a lone ESC is a prefix key in a text-terminal Emacs).
tm send-keys -t "$session" v; sleep 0.5
before=$(vim_ruler)
click 3 12 4
sleep 0.5
check "  (Emacs got the shift-click: S-<mouse-1> is undefined)" \
  wait_for 'S-<mouse-1> is undefined' 5
check "a shift-click does not reach vim (ruler stays $before)" \
  test "$(vim_ruler)" = "$before"
tm send-keys -t "$session" ':q!' Enter
check "vim quits" wait_for '^\$ *$' 5

# ---- the shell did not ask for the mouse -----------------------------------------

echo "shell without mouse reporting"
tm send-keys -t "$session" 'echo mark' Enter
wait_for '^mark' 5
click 3 2
mouse 64 3 2
tm send-keys -t "$session" 'echo after' Enter
check "a click and the wheel over the shell send it nothing" \
  wait_for '^after' 5
check "  (no mouse report echoed at the prompt)" \
  no_mouse_report_echoed

# ---- vim with line numbers and a left margin ----------------------------------------

echo "vim with display-line-numbers and a left margin"
start "(display-line-numbers-mode 1)
(setq left-margin-width 5)
(set-window-buffer nil (current-buffer))"
vim_start
# The cell column of "line 1" in the pane is where the terminal starts.
offset=$(row 2 | grep -bo 'line 1' | head -1 | cut -d: -f1)
echo "  (the terminal starts at pane column $((offset + 1)))"
check "line numbers and a 5-column margin shift the terminal right" \
  test "${offset:-0}" -ge 7
click $((offset + 4)) 8
check "a click still lands on line 7, column 4" wait_for ' 7,4( |$)' 5
tm send-keys -t "$session" ':q!' Enter
wait_for '\$ *$' 5

# ---- htop ----------------------------------------------------------------------------

if command -v htop >/dev/null; then
  echo "htop"
  start ""
  tm send-keys -t "$session" 'htop' Enter
  if wait_for 'F10Quit' 10; then
    r=$(screen | grep -n 'F10Quit' | head -1 | cut -d: -f1)
    c=$(screen | sed -n "${r}p" | grep -bo 'F10Quit' | head -1 | cut -d: -f1)
    click $((c + 3)) "$r"
    check "a click on F10Quit quits htop" wait_for '^\$ *$' 5
  else
    bad "htop shows its function bar"
  fi
else
  echo "htop not installed: skipped"
fi

finish
