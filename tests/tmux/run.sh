#!/usr/bin/env bash
# tests/tmux/run.sh - every tmux script, as a user would try the features.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
#
# This program is free software: you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the Free
# Software Foundation, either version 3 of the License, or (at your option)
# any later version.  See the LICENSE file for details.
#
#   tests/tmux/run.sh MODULE-DIR [REFLOW-MODULE-DIR]
#
# Runs each tests/tmux/*.sh script (emacs -nw -Q under tmux, M-x vterm)
# against the module in MODULE-DIR, and attrs.sh also against
# REFLOW-MODULE-DIR (a module built on libvterm >= 0.3, whose reflow the
# script checks).  Adds up their "N passed, N failed" lines and ends with
# the same line; a script that prints no such line counts as one failure.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
MODULE_DIR=${1:?usage: run.sh MODULE-DIR [REFLOW-MODULE-DIR]}
REFLOW_DIR=${2:-}
pass=0
fail=0

# run_one NAME MODULE-DIR: one script, its counts added to the totals.
run_one() {
  local name=$1 dir=$2 out line
  echo "== tmux/$name ($dir)"
  out=$(timeout 600 bash "$HERE/$name" "$dir" 2>&1)
  printf '%s\n' "$out" | sed 's/^/  /'
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
  if [ -z "$line" ]; then
    echo "  (no summary line: counted as a failure)"
    fail=$((fail + 1))
    return
  fi
  pass=$((pass + ${line%% passed*}))
  line=${line#*passed, }
  fail=$((fail + ${line%% failed*}))
}

for script in "$HERE"/*.sh; do
  name=$(basename "$script")
  case $name in run.sh | lib.sh) continue ;; esac
  run_one "$name" "$MODULE_DIR"
done
[ -n "$REFLOW_DIR" ] && run_one attrs.sh "$REFLOW_DIR"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
