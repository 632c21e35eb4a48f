#!/usr/bin/env bash
# perf.sh -- lazy scrollback faces as a user sees them: emacs -nw in tmux.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
#
# This program is free software: you can redistribute it and/or modify
# it under the terms of the GNU General Public License as published by
# the Free Software Foundation, either version 3 of the License, or
# (at your option) any later version.
#
# This program is distributed in the hope that it will be useful,
# but WITHOUT ANY WARRANTY; without even the implied warranty of
# MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
# GNU General Public License for more details.
#
# You should have received a copy of the GNU General Public License
# along with this program.  If not, see <https://www.gnu.org/licenses/>.
#
# Usage: tests/tmux/perf.sh MODULE_DIR
#
# Issue 11.  In `emacs -nw -Q' (80x24, tmux) with vterm-max-scrollback
# 200000: 150000 coloured lines, then in copy mode the top of the
# scrollback must show its colours (tm capture-pane -e), isearch must
# land in the scrollback and show that line's colour, `kill-ring-save'
# must copy the faces, and a typed character must echo.  PERF_EXTRA_EVAL
# is Lisp evaluated before the terminal starts (to check that the checks
# can fail, e.g. with vterm--fontify-lines advised away).  Prints
# "N passed, N failed" and exits nonzero on a failure.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
module_dir=${1:?usage: perf.sh MODULE_DIR}
# shellcheck source=lib.sh
. "$here/lib.sh"
session=vterm-perf-$$
init=$(mktemp)
pass=0 fail=0
trap 'tmux_stop; rm -f "$init"' EXIT

check() { # WHAT OK
  if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok   $1"
  else fail=$((fail + 1)); echo "FAIL $1"; fi
}

# Polls the pane (plain text) for the extended regexp $1, up to $2 s.
wait_for() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    tm capture-pane -p -t "$session" | grep -Eq "$1" && return 0
    sleep 0.1
  done
  return 1
}

cat > "$init" <<EOF
(setq load-path (append '("$top" "$module_dir") load-path))
(require 'vterm)
(menu-bar-mode -1)
(setq vterm-shell "/bin/sh" vterm-max-scrollback 200000)
(setenv "PS1" "\$ ")
${PERF_EXTRA_EVAL:-}
(vterm)
EOF
tmux_fresh_session -s "$session" -x 80 -y 24 "emacs -nw -Q -l $init"
wait_for '^\$ ?$' 30
check "shell prompt" $?

tm send-keys -t "$session" "awk 'BEGIN { for (i = 1; i <= 150000; i++) printf \"\\033[3%dm%07d\\033[0m \\033[1mline\\033[0m %d\\n\", i % 8, i, i }'; printf '%s-%s\\n' ALL DONE" Enter
wait_for '^ALL-DONE' 120
check "150000 lines drawn" $?

tm send-keys -t "$session" C-c C-t
sleep 0.5
tm send-keys -t "$session" 'M-<'
wait_for '^0000001 line 1 *$' 10
check "top of the scrollback shown" $?
tm capture-pane -p -e -t "$session" | grep -q $'\e\\[31m0000001.*\e\\[1mline'
check "its colours are on screen (red number, bold word)" $?

tm send-keys -t "$session" C-s 0100004 Enter
wait_for '^0100004 line' 10
check "isearch reaches line 100004" $?
tm capture-pane -p -e -t "$session" | grep -q $'\e\\[34m0100004'
check "line 100004 is blue on screen" $?

tm send-keys -t "$session" C-a C-Space C-n M-w
sleep 0.3
tm send-keys -t "$session" M-: '(message "COPIED:%S" (get-text-property 0 (quote font-lock-face) (car kill-ring)))' Enter
wait_for 'COPIED:\(:foreground' 10
check "kill-ring-save copied the faces" $?

tm send-keys -t "$session" C-c C-t
sleep 0.3
tm send-keys -t "$session" e c h o ' ' T Y P E D
wait_for '^\$ echo TYPED' 5
check "typed characters echo" $?

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
