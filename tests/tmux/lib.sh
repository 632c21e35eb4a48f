# shellcheck shell=bash
# tests/tmux/lib.sh - the private tmux server every tests/tmux script drives.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sourced (bash).  Each script talks only to a tmux server of its own, on
# a socket named after the script and its pid, so it never touches a
# user's tmux sessions or another script's.
#
#   tm ARGS...                 tmux ARGS... on the current private server
#   tmux_fresh_session ARGS... stop the current private server, then
#                              `new-session -d ARGS...' on a new one
#   tmux_stop                  stop the current private server (EXIT traps)
#
# Why a new server per session: after the last session of a server is
# killed, the server exits a moment later, and a session created in that
# moment dies with it ("no server running" on every later command).  A
# new socket never meets a dying server.

tmux_socket_base="vterm-$(basename "$0" .sh)-$$"
tmux_serial=0
tmux_socket="$tmux_socket_base-0"

tm() { tmux -L "$tmux_socket" "$@"; }

# tmux leaves the socket file behind; it is removed too.
tmux_stop() {
  tm kill-server 2>/dev/null
  rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$tmux_socket"
}

tmux_fresh_session() {
  tmux_stop
  tmux_serial=$((tmux_serial + 1))
  tmux_socket="$tmux_socket_base-$tmux_serial"
  tm new-session -d "$@"
}
