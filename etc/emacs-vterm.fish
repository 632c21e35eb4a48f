# emacs-vterm.fish --- shell-side integration of Emacs vterm for fish
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
# Source this file from ~/.config/fish/config.fish, for example:
#
#   if test "$INSIDE_EMACS" = 'vterm'
#       and test -n "$EMACS_VTERM_PATH"
#       and test -f "$EMACS_VTERM_PATH/etc/emacs-vterm.fish"
#       source "$EMACS_VTERM_PATH/etc/emacs-vterm.fish"
#   end
#
# It gives Emacs the current directory and the end of each prompt
# (OSC 51;A), sets the terminal title, makes `clear' also drop the
# scrollback, and defines `vterm_cmd' for calling the Emacs functions
# listed in `vterm-eval-cmds' (OSC 51;E).

# Print the operating system command $argv[1] so that it reaches Emacs.
# Under tmux or GNU screen the sequence is wrapped in a DCS passthrough,
# since the multiplexer would otherwise swallow it.
function vterm_printf --description 'Send an OSC sequence to Emacs vterm'
    if test -n "$TMUX"; and string match -q -r -- '^(tmux|screen)' "$TERM"
        printf '\033Ptmux;\033\033]%s\007\033\\' "$argv[1]"
    else if string match -q -- 'screen*' "$TERM"
        printf '\033P\033]%s\007\033\\' "$argv[1]"
    else
        printf '\033]%s\033\\' "$argv[1]"
    end
end

# Call an Emacs function from `vterm-eval-cmds': vterm_cmd NAME ARGS...
# Every word is sent double-quoted, with backslashes and double quotes
# escaped, so that Emacs gets the words back unchanged.
function vterm_cmd --description 'Call an Emacs function listed in vterm-eval-cmds'
    set -l payload ''
    for word in $argv
        set word (string replace -a -- '\\' '\\\\' $word)
        set word (string replace -a -- '"' '\\"' $word)
        set payload "$payload\"$word\" "
    end
    vterm_printf "51;E$payload"
end

# Tell Emacs who and where we are; printed at the very end of the
# prompt, it also marks where the prompt ends.
function vterm_prompt_end --description 'Mark the end of the prompt for Emacs vterm'
    vterm_printf '51;A'(whoami)'@'(hostname)':'(pwd)
end

# fish sends the output of fish_title as the terminal title.
function fish_title --description 'Terminal title: host:directory'
    printf '%s:%s' (prompt_hostname) (prompt_pwd)
end

if test "$INSIDE_EMACS" = 'vterm'
    # Clear the screen and the scrollback kept by Emacs.
    function clear --description 'Clear the screen and the vterm scrollback'
        vterm_printf '51;Evterm-clear-scrollback'
        tput clear
    end
end

# Keep the existing prompt and print the vterm marker after it.
if not functions -q vterm_old_fish_prompt
    functions --copy fish_prompt vterm_old_fish_prompt
end

function fish_prompt --description 'The previous prompt, then the vterm prompt marker'
    # The old prompt's lines are joined with newlines again, since
    # command substitution splits them.
    printf '%b' (string join '\n' -- (vterm_old_fish_prompt))
    vterm_prompt_end
end
