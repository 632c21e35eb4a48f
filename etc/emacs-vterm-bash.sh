# emacs-vterm-bash.sh --- shell-side integration of Emacs vterm for bash
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
# Source this file from ~/.bashrc, for example:
#
#   if [[ "$INSIDE_EMACS" = 'vterm' ]] \
#       && [[ -n "$EMACS_VTERM_PATH" ]] \
#       && [[ -f "$EMACS_VTERM_PATH/etc/emacs-vterm-bash.sh" ]]; then
#       source "$EMACS_VTERM_PATH/etc/emacs-vterm-bash.sh"
#   fi
#
# It gives Emacs the current directory and the end of each prompt
# (OSC 51;A), sets the terminal title, makes `clear' also drop the
# scrollback, and defines `vterm_cmd' for calling the Emacs functions
# listed in `vterm-eval-cmds' (OSC 51;E).
#
# For shellcheck: the printf formats end in a literal backslash (the
# string terminator ESC \, SC1003), and $(vterm_prompt_end) is quoted so
# that it runs at every prompt, not once here (SC2016).
# shellcheck shell=bash disable=SC1003,SC2016

# Print the operating system command $1 so that it reaches Emacs.  Under
# tmux or GNU screen the sequence is wrapped in a DCS passthrough, since
# the multiplexer would otherwise swallow it.
vterm_printf() {
    if [ -n "$TMUX" ]; then
        case "$TERM" in
            tmux*|screen*)
                printf '\033Ptmux;\033\033]%s\007\033\\' "$1"
                return ;;
        esac
    fi
    case "$TERM" in
        screen*) printf '\033P\033]%s\007\033\\' "$1" ;;
        *) printf '\033]%s\033\\' "$1" ;;
    esac
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

# Set the terminal title to host:directory.
vterm_set_title() {
    printf '\033]0;%s:%s\007' "${HOSTNAME}" "${PWD}"
}

if [ "$INSIDE_EMACS" = 'vterm' ]; then
    # Clear the screen and the scrollback kept by Emacs.
    clear() {
        vterm_printf "51;Evterm-clear-scrollback"
        tput clear
    }
fi

case ";${PROMPT_COMMAND};" in
    *";vterm_set_title;"*) ;;
    *)
        # Append to PROMPT_COMMAND without producing an empty command.
        PROMPT_COMMAND="${PROMPT_COMMAND%"${PROMPT_COMMAND##*[![:space:];]}"}"
        PROMPT_COMMAND="${PROMPT_COMMAND:+${PROMPT_COMMAND};}vterm_set_title"
        ;;
esac

case "$PS1" in
    *'$(vterm_prompt_end)'*) ;;
    *) PS1=$PS1'\[$(vterm_prompt_end)\]' ;;
esac
