# emacs-vterm-zsh.sh --- shell-side integration of Emacs vterm for zsh
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
# Source this file from ~/.zshrc, for example:
#
#   if [[ "$INSIDE_EMACS" = 'vterm' ]] \
#       && [[ -n "$EMACS_VTERM_PATH" ]] \
#       && [[ -f "$EMACS_VTERM_PATH/etc/emacs-vterm-zsh.sh" ]]; then
#       source "$EMACS_VTERM_PATH/etc/emacs-vterm-zsh.sh"
#   fi
#
# It gives Emacs the current directory and the end of each prompt
# (OSC 51;A), sets the terminal title when the directory changes, makes
# `clear' also drop the scrollback, and defines `vterm_cmd' for calling
# the Emacs functions listed in `vterm-eval-cmds' (OSC 51;E).
#
# For shellcheck, which has no zsh dialect, this file is bash: the syntax
# used here is common to both, and print, autoload and setopt are zsh
# builtins it takes for commands.  The printf formats end in a literal
# backslash (the string terminator ESC \, SC1003), and $(vterm_prompt_end)
# is quoted so that it runs at every prompt, not once here (SC2016).
# shellcheck shell=bash disable=SC1003,SC2016

# Print the operating system command $1 so that it reaches Emacs.  Under
# tmux or GNU screen the sequence is wrapped in a DCS passthrough, since
# the multiplexer would otherwise swallow it.
vterm_printf() {
    if [[ -n "$TMUX" && ( "$TERM" == tmux* || "$TERM" == screen* ) ]]; then
        printf '\033Ptmux;\033\033]%s\007\033\\' "$1"
    elif [[ "$TERM" == screen* ]]; then
        printf '\033P\033]%s\007\033\\' "$1"
    else
        printf '\033]%s\033\\' "$1"
    fi
}

# Call an Emacs function from `vterm-eval-cmds': vterm_cmd NAME ARGS...
# Every word is sent double-quoted, with backslashes and double quotes
# escaped, so that Emacs gets the words back unchanged.
vterm_cmd() {
    local payload="" word
    for word in "$@"; do
        word=${word//\\/\\\\}
        word=${word//\"/\\\"}
        payload+="\"$word\" "
    done
    vterm_printf "51;E$payload"
}

# Tell Emacs who and where we are; printed at the very end of the
# prompt, it also marks where the prompt ends.
vterm_prompt_end() {
    vterm_printf "51;A$(whoami)@$(hostname):$(pwd)"
}

# Set the terminal title to host:directory (last two components).
vterm_set_title() {
    print -Pn '\e]2;%m:%2~\a'
}

if [[ "$INSIDE_EMACS" = 'vterm' ]]; then
    # Clear the screen and the scrollback kept by Emacs.
    alias clear='vterm_printf "51;Evterm-clear-scrollback"; tput clear'
fi

autoload -Uz add-zsh-hook
add-zsh-hook chpwd vterm_set_title

setopt PROMPT_SUBST
if [[ "$PROMPT" != *'$(vterm_prompt_end)'* ]]; then
    PROMPT=$PROMPT'%{$(vterm_prompt_end)%}'
fi
