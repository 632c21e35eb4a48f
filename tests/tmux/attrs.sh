#!/usr/bin/env bash
# attrs.sh - faint, conceal and reflow as a user sees them: emacs -nw under tmux.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
#
# This program is free software: you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the Free
# Software Foundation, either version 3 of the License, or (at your option)
# any later version.  See the LICENSE file for details.
#
# Usage: tests/tmux/attrs.sh MODULE_DIR
# MODULE_DIR holds the built vterm-module.so.  Starts `emacs -nw -Q' in a
# private tmux server, opens M-x vterm with /bin/sh, and checks what
# `tmux capture-pane' shows:
#   - printf '\e[2mdim\e[0m' is drawn in another (dimmer) colour than
#     plain text;
#   - concealed text (SGR 8) is not drawn in inverse video;
#   - with libvterm >= 0.3, a 110-character line re-wraps when the window
#     narrows to 90 columns and joins again at 120 (skipped otherwise).
# Ends with "N passed, N failed"; the exit status is the failure count.
# ATTRS_EXTRA_LISP is evaluated before M-x vterm (for example
# "(setq vterm-enable-faint nil)" shows the checks failing).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
module_dir=${1:?usage: attrs.sh MODULE_DIR}
# shellcheck source=lib.sh
. "$root/tests/tmux/lib.sh"
session=attrs
pass=0 fail=0

check() { # check WHAT CONDITION-STATUS DETAIL
  if [ "$2" = 0 ]; then
    pass=$((pass + 1)); echo "ok   $1"
  else
    fail=$((fail + 1)); echo "FAIL $1"; printf '%s\n' "$3" | sed 's/^/     /'
  fi
}
capture() { tm capture-pane -p "$@" -t "$session"; }
# Waits until the pane (plain text) matches the extended regexp $1.
wait_for() {
  for _ in $(seq 100); do
    capture | grep -Eq "$1" && return 0
    sleep 0.1
  done
  return 1
}
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() { tmux_stop; }
trap cleanup EXIT

reflow=$(emacs --batch -Q -L "$module_dir" \
  --eval "(progn (require 'vterm-module) (princ (plist-get (vterm--module-info) :reflow)))" 2>/dev/null)

tmux_fresh_session -s "$session" -x 120 -y 24 \
  "env TERM=xterm-256color emacs -nw -Q -L '$root' -L '$module_dir' \
   --eval \"(progn (require 'vterm) (setq vterm-shell \\\"/bin/sh\\\") ${ATTRS_EXTRA_LISP:-} (vterm))\""
wait_for '^[#$] ?$' || { echo "no shell prompt"; capture; echo "0 passed, 1 failed"; exit 1; }

# Faint: a colour escape starts "dim", and "plain" is drawn differently.
tm send-keys -t "$session" "printf 'x\\033[2mdim\\033[0m plain\\n'" Enter
wait_for '^xdim plain$'
line=$(capture -e | grep -a 'dim.*plain' | grep -av printf | head -1)
# "x", then a colour escape (30-37, 90-97 or 38;...), then "dim".
echo "$line" | grep -aEq $'^x(\e\\[[0-9;]*m)*\e\\[(3[0-8]|9[0-7])[0-9;]*mdim'
check "faint text is drawn in a colour of its own" $? "$(printf '%s' "$line" | cat -v)"

# Conceal: the text is in the buffer, drawn with equal text and background
# colours (not in inverse video, which is how Emacs would draw an
# "unspecified-bg" text colour on a terminal).
tm send-keys -t "$session" "printf 'a\\033[8msecret\\033[28m end\\n'" Enter
wait_for '^asecret end$'
line=$(capture -e | grep -a 'secret.*end' | grep -av printf | head -1)
echo "$line" | grep -aEq $'(\e\\[3([0-7])m\e\\[4\\2m|\e\\[38;5;([0-9]+)m\e\\[48;5;\\3m)secret'
check "concealed text has its background colour as text colour" $? \
  "$(printf '%s' "$line" | cat -v)"

if [ "$reflow" = t ]; then
  tm send-keys -t "$session" "clear; printf '%s\\n' \$(printf 'a%.0s' \$(seq 90))\$(printf 'b%.0s' \$(seq 20))" Enter
  wait_for '^a{90}b{20}$'
  check "the long line is one row at 120 columns" $? "$(capture)"
  tm resize-window -t "$session" -x 90 -y 24
  wait_for '^a{89}$'
  r1=$?
  capture | grep -Eq '^ab{20}$'
  check "narrowing to 90 columns re-wraps it" $((r1 + $?)) "$(capture)"
  tm resize-window -t "$session" -x 120 -y 24
  wait_for '^a{90}b{20}$'
  check "widening back joins it again" $? "$(capture)"
  tm send-keys -t "$session" "echo ok-\$((1+1))" Enter
  wait_for '^ok-2$'
  check "the shell still works after the resizes" $? "$(capture)"
else
  echo "skip reflow checks: libvterm < 0.3"
fi

echo "$pass passed, $fail failed"
exit "$fail"
