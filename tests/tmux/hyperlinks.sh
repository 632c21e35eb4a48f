#!/usr/bin/env bash
# tests/tmux/hyperlinks.sh - OSC 8 links in vterm under `emacs -nw', as a
# user sees them: printf a link in a real shell, check that tmux shows the
# text underlined, then open it with RET (copy mode) and with
# `ls --hyperlink=always'.  browse-url and find-file are replaced by
# functions that report the call in the echo area.
#
# Usage: tests/tmux/hyperlinks.sh MODULE-DIR
# (VTERM_TMUX_HYPERLINKS=nil runs it with links off: the checks must fail.)
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
#
# This program is free software: you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the Free
# Software Foundation, either version 3 of the License, or (at your option)
# any later version.
#
# This program is distributed in the hope that it will be useful, but WITHOUT
# ANY WARRANTY; without even the implied warranty of MERCHANTABILITY or
# FITNESS FOR A PARTICULAR PURPOSE.  See the GNU General Public License for
# more details.
#
# You should have received a copy of the GNU General Public License along
# with this program.  If not, see <https://www.gnu.org/licenses/>.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
module_dir=${1:?usage: hyperlinks.sh MODULE-DIR}
# shellcheck source=lib.sh
. "$root/tests/tmux/lib.sh"
session=vterm-osc8-$$
work=$(mktemp -d)
pass=0 fail=0

check() { # NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); echo "ok   $name"
  else fail=$((fail + 1)); echo "FAIL $name"; tm capture-pane -p -t "$session" | sed 's/^/     | /'; fi
}
screen() { tm capture-pane -p -t "$session"; }
# Whether the pane shows TEXT (on a line without COMMAND-WORD) right after
# an SGR that turns underline on (in any run of SGRs before it).
underlined() { # TEXT COMMAND-WORD
  tm capture-pane -p -e -t "$session" | grep -v -- "$2" |
    grep -qP -- "\\e\\[(?:[0-9;]*;)?4(?:;[0-9;]*)?m(?:\\e\\[[0-9;]*m)*\\Q$1\\E"
}
# Whether TEXT1 is followed by a reset SGR then TEXT2: not underlined.
reset_between() { # TEXT1 TEXT2
  tm capture-pane -p -e -t "$session" |
    grep -qP -- "\\Q$1\\E(?:\\e\\[[0-9;]*m)*\\e\\[0?m(?:\\e\\[(?:39|49)m)*\\Q$2\\E"
}
wait_for() { # REGEXP: poll the pane for up to 15 s
  local _
  for _ in $(seq 1 150); do
    screen | grep -q -- "$1" && return 0
    sleep 0.1
  done
  return 1
}
cleanup() { tmux_stop; rm -rf "$work"; }
trap cleanup EXIT

touch "$work/alpha.txt"
cat > "$work/init.el" <<EOL
(setq vterm-shell "/bin/bash --norc --noprofile")
(setenv "PS1" "\$ ")
(require 'vterm)
(setq vterm-enable-hyperlinks ${VTERM_TMUX_HYPERLINKS:-t})
(advice-add 'browse-url :override
            (lambda (url &rest _) (message "BROWSE[%s]" url)))
(advice-add 'find-file :override
            (lambda (file &rest _) (message "FIND[%s]" file)))
(vterm)
EOL

tmux_fresh_session -s "$session" -x 80 -y 24 \
  "emacs -nw -Q -L '$root' -L '$module_dir' -l '$work/init.el'"
check "shell prompt" wait_for '^\$'

tm send-keys -t "$session" "printf 'see \\033]8;;https://example.com/osc8\\033\\\\THE-LINK\\033]8;;\\033\\\\ end\\n'" Enter
check "link text shown" wait_for '^see THE-LINK end'
# The link face (inherits `link') underlines the text: SGR 4 just before it.
check "link underlined" underlined "THE-LINK" printf
check "plain text after it not underlined" reset_between "THE-LINK" " end"

# Copy mode, point onto the link (search), RET opens it.
tm send-keys -t "$session" C-c C-t
sleep 0.3
tm send-keys -t "$session" C-r "THE-LINK" Enter
sleep 0.3
tm send-keys -t "$session" C-f Enter
check "RET opens the link" wait_for 'BROWSE\[https://example.com/osc8\]'

# Back to the terminal (copy mode off), then ls links files.
tm send-keys -t "$session" C-c C-t
sleep 0.3
tm send-keys -t "$session" "cd '$work' && ls --hyperlink=always" Enter
check "ls output" wait_for '^alpha.txt'
check "ls name underlined" underlined "alpha.txt" hyperlink=always
tm send-keys -t "$session" C-c C-t
sleep 0.3
tm send-keys -t "$session" C-r "alpha.txt" Enter
sleep 0.3
tm send-keys -t "$session" Enter
check "RET on an ls name finds the file" wait_for "FIND\[$work/alpha.txt\]"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
