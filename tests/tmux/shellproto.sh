#!/usr/bin/env bash
# tests/tmux/shellproto.sh - OSC 7, 133, colour queries and notifications
# in vterm under `emacs -nw', as a user meets them: a bash set up like
# other terminals' shell integrations (OSC 7 and 133;D in PROMPT_COMMAND,
# 133;A/B in PS1), `cd' around and ask M-x pwd; a failing command; a colour
# query read back by the shell, before and after changing the face; a
# notification; prompt navigation with C-c C-p.
#
# Usage: tests/tmux/shellproto.sh MODULE-DIR
# Ends with "N passed, N failed"; exits non-zero if anything failed.
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
src=$(cd "$(dirname "$0")/../.." && pwd)
modules=${1:?usage: shellproto.sh MODULE-DIR}
# shellcheck source=lib.sh
. "$src/tests/tmux/lib.sh"
tmp=$(mktemp -d)
passed=0 failed=0

finish() { tmux_stop; rm -rf "$tmp"; }
trap finish EXIT

pane() { tm capture-pane -p -t main; }
# Polls the pane (up to 10 s) for a line matching the extended regexp RE.
shows() {
  local _
  for _ in $(seq 100); do
    pane | grep -Eq -- "$1" && return 0
    sleep 0.1
  done
  return 1
}
expect() { # WHAT RE
  if shows "$2"; then
    passed=$((passed + 1)); echo "pass $1"
  else
    failed=$((failed + 1)); echo "FAIL $1 (no line matching: $2)"
    pane | sed 's/^/  | /'
  fi
}
# Runs an Emacs command by name with M-x.
mx() { tm send-keys -t main M-x; sleep 0.3; tm send-keys -t main "$1" Enter; }
# Types a shell command line.
type_line() { tm send-keys -t main -l "$1"; tm send-keys -t main Enter; }

cat >"$tmp/rc.sh" <<'RC'
PS1='\[\e]133;A\a\]T> \[\e]133;B\a\]'
__osc7() { local p=${PWD//\%/%25}; printf '\e]7;file://%s%s\a' "$HOSTNAME" "${p// /%20}"; }
PROMPT_COMMAND='printf "\e]133;D;%s\a" "$?"; __osc7'
RC
cat >"$tmp/init.el" <<EL
(require 'vterm)
(setq vterm-shell "bash --noprofile --rcfile $tmp/rc.sh")
(add-hook 'vterm-command-finished-functions
          (lambda (status) (message "finished with %S" status)))
EL
mkdir -p "$tmp/with space"

tmux_fresh_session -x 80 -y 24 -s main \
   "emacs -nw -Q -L '$src' -L '$modules' -l '$tmp/init.el' -f vterm"
expect "the shell starts" '^T>'

type_line "cd '$tmp/with space'"
sleep 0.5
mx pwd
expect "OSC 7 sets default-directory (M-x pwd)" "^Directory $tmp/with space/\$"
type_line "cd /usr/share"
sleep 0.5
mx pwd
expect "cd again: M-x pwd follows" '^Directory /usr/share/$'

type_line "false"
expect "133;D reports the failure" '^finished with 1$'
type_line "clear"
sleep 0.5

type_line "stty -echo; printf '\\e]11;?\\a'; read -r -t 3 -d \$'\\a' r; stty echo; printf 'R11=%q\\n' \"\$r\""
expect "OSC 11 query is answered" "^R11=\\$'\\\\E\\]11;rgb:[0-9a-f]{4}/[0-9a-f]{4}/[0-9a-f]{4}'"
tm send-keys -t main M-x; sleep 0.3
tm send-keys -t main "eval-expression" Enter; sleep 0.3
tm send-keys -t main -l "(set-face-foreground 'vterm-color-red \"#123456\")"
tm send-keys -t main Enter; sleep 0.3
type_line "stty -echo; printf '\\e]4;1;?\\e\\\\'; read -r -t 3 -d '\\' r; stty echo; printf 'R4=%q\\n' \"\$r\""
expect "OSC 4;1 answers the changed face, with ST" "^R4=\\$'\\\\E\\]4;1;rgb:1212/3434/5656\\\\E'"

type_line "printf '\\e]777;notify;Build;all done\\a'"
sleep 0.5
tm send-keys -t main C-x b; sleep 0.3
tm send-keys -t main "*Messages*" Enter
expect "OSC 777 notification is shown" '^vterm: Build: all done$'
tm send-keys -t main C-x b Enter; sleep 0.3

type_line "clear"
sleep 0.3
type_line "echo one"
type_line "echo two"
expect "output" '^two$'
sleep 0.3
# Whether the terminal cursor is at column 3 of the line TEXT.
cursor_on() {
  local pos line
  pos=$(tm display -p -t main '#{cursor_x} #{cursor_y}')
  line=$(pane | sed -n "$((${pos#* } + 1))p")
  [ "${pos% *}" = 3 ] && [ "$line" = "$1" ]
}
prompt_check() { # WHAT LINE
  if cursor_on "$2"; then
    passed=$((passed + 1)); echo "pass $1"
  else
    failed=$((failed + 1)); echo "FAIL $1: cursor not after the prompt of '$2'"
    pane | sed 's/^/  | /'
  fi
}
tm send-keys -t main C-c C-p; sleep 0.3
prompt_check "C-c C-p: previous 133 prompt" "T> echo two"
tm send-keys -t main C-c C-p; sleep 0.3
prompt_check "C-c C-p again" "T> echo one"
tm send-keys -t main C-c C-n; sleep 0.3
prompt_check "C-c C-n: next 133 prompt" "T> echo two"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
