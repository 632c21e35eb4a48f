#!/usr/bin/env bash
# run.sh -- vterm with a real redisplay: `emacs -nw' under tmux, upstream
# and ours side by side.
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
# Usage: bench/interactive/run.sh
#
# Two measurements, each in a fresh `emacs -nw -Q' in a detached tmux
# session of the given size, with one vterm window filling the frame:
#
#   cat     type `cat FILE; printf ...' and poll the pane (capture-pane)
#           until the end marker is on screen: the wall time a user waits
#           for the whole file to scroll past.
#   scroll  fill the scrollback with SCROLL_LINES coloured lines, then ask
#           Emacs (emacsclient) to time, each step followed by a forced
#           redisplay: `beginning-of-buffer', PAGES x `scroll-up-command',
#           and `end-of-buffer' (in vterm-copy-mode).
#
# Environment (defaults in brackets):
#   SYSTEMS       as for bench/throughput/run.sh ["upstream new"]
#   SIZES         ROWSxCOLS windows ["24x80 50x200"]
#   FILES         corpus files for cat ["ascii sgr utf8 progress"]
#   SIZE_MB       corpus size [4]
#   SCROLLBACK    vterm-max-scrollback for cat [default]
#   SCROLL_LINES  lines in the scrollback for scroll [100000]; 0: no scroll
#   PAGES         pages scrolled down from the top [50]
#   REPS          repetitions, system order rotated each time [5]
#   TIMEOUT       seconds allowed per measurement [300]
#   RUN, RESULTS_DIR, DATA_DIR, EMACS, SNAPSHOT, EXTRA_EVAL(_<NAME>),
#   UPSTREAM_LISP, UPSTREAM_MODULE   as for bench/throughput/run.sh
#
# Prints a markdown table of medians with the ratios to the first system
# (upstream by default) and keeps the raw lines in
# $RESULTS_DIR/interactive-$RUN.tsv.
set -euo pipefail

main() {
  here=$(cd "$(dirname "$0")" && pwd)
  top=$(cd "$here/../.." && pwd)
  # shellcheck source=../throughput/common.sh
  . "$here/../throughput/common.sh"

  SIZES=${SIZES:-24x80 50x200}
  FILES=${FILES:-ascii sgr utf8 progress}
  SIZE_MB=${SIZE_MB:-4}
  SCROLLBACK=${SCROLLBACK:-default}
  SCROLL_LINES=${SCROLL_LINES:-100000}
  PAGES=${PAGES:-50}
  REPS=${REPS:-5}
  TIMEOUT=${TIMEOUT:-300}
  RUN=${RUN:-$(date '+%Y%m%d-%H%M%S')}
  command -v tmux > /dev/null || { echo "bench: tmux is needed" >&2; exit 1; }
  command -v emacsclient > /dev/null ||
    { echo "bench: emacsclient is needed" >&2; exit 1; }

  bench_systems
  python3 "$here/../throughput/gen-data.py" --dir "$DATA_DIR" \
          --size-mb "$SIZE_MB" --files "$FILES" >&2
  data=$DATA_DIR/${SIZE_MB}M
  mkdir -p "$RESULTS_DIR"
  bench_snapshot "$RESULTS_DIR/snap-$RUN"
  raw=$RESULTS_DIR/interactive-$RUN.tsv
  bench_meta "$RESULTS_DIR/interactive-$RUN.meta"
  echo "run: $RUN; sizes: $SIZES; files: $FILES; reps: $REPS;" \
       "scroll: $SCROLL_LINES lines, $PAGES pages" \
       >> "$RESULTS_DIR/interactive-$RUN.meta"
  : > "$raw"
  trap 'kill_session' EXIT

  local rep size idx name
  for ((rep = 1; rep <= REPS; rep++)); do
    for size in $SIZES; do
      for file in $FILES; do
        for idx in $(bench_rotate "$rep"); do
          name=${SYS_NAME[idx]}
          measure_cat "$idx" "$size" "$data/$file.txt" "$rep" >> "$raw"
          tail -n 1 "$raw" | cut -c1-150 >&2
        done
      done
      if [ "$SCROLL_LINES" -gt 0 ]; then
        for idx in $(bench_rotate "$rep"); do
          measure_scroll "$idx" "$size" "$rep" >> "$raw"
          tail -n 1 "$raw" | cut -c1-150 >&2
        done
      fi
    done
  done
  python3 "$here/summarize.py" "$raw" | tee "$RESULTS_DIR/interactive-$RUN.md"
  echo
  echo "raw: $raw"
}

session=
kill_session() {
  if [ -n "$session" ]; then
    tmux kill-session -t "$session" 2> /dev/null || true
    session=
  fi
}

now() { date +%s.%N; }

# Polls the pane until it shows $2 (an extended regexp) or $3 seconds pass.
wait_pane() {
  local deadline
  deadline=$(echo "$(now) + $2" | bc)
  while ! tmux capture-pane -p -t "$session" 2> /dev/null | grep -Eq "$1"; do
    if [ "$(echo "$(now) > $deadline" | bc)" = 1 ]; then
      return 1
    fi
    sleep 0.02
  done
}

# Starts Emacs with system $1 in a tmux window of size $2, scrollback $3.
start_emacs() {
  local idx=$1 rows=${2%x*} cols=${2#*x} sb=$3
  session=vbench-$$-${SYS_NAME[idx]}
  server=$session
  tmux kill-session -t "$session" 2> /dev/null || true
  tmux new-session -d -s "$session" -x "$cols" -y "$rows" \
       env BENCH_LISP_DIR="${SYS_LISP[idx]}" \
       BENCH_MODULE_DIR="${SYS_MODULE[idx]}" BENCH_SCROLLBACK="$sb" \
       BENCH_DATA_DIR="$DATA_DIR" BENCH_SERVER="$server" \
       BENCH_EXTRA_EVAL="$(bench_extra_eval "${SYS_NAME[idx]}")" \
       "$EMACS" -nw -Q -l "$here/bench-interactive.el"
  tmux resize-window -t "$session" -x "$cols" -y "$rows" 2> /dev/null || true
  wait_pane '^\$ ?$' 60
}

emit() { # key=value fields
  local IFS=$'\t'
  printf 'BENCH\t%s\n' "$*"
}

measure_cat() {
  local idx=$1 size=$2 file=$3 rep=$4 t0 t1 status=ok secs
  if ! start_emacs "$idx" "$size" "$SCROLLBACK"; then
    kill_session
    emit kind=cat "system=${SYS_NAME[idx]}" "size=$size" \
         "file=$(basename "$file" .txt)" "rep=$rep" status=start-failed
    return
  fi
  t0=$(now)
  tmux send-keys -t "$session" "cat $file; printf '%s-%s\\n' BENCH DONE" Enter
  wait_pane 'BENCH-DONE' "$TIMEOUT" || status=timeout
  t1=$(now)
  kill_session
  secs=$(echo "$t1 - $t0" | bc)
  emit kind=cat "system=${SYS_NAME[idx]}" "size=$size" \
       "file=$(basename "$file" .txt)" "rep=$rep" "status=$status" \
       "secs=$secs" "bytes=$(stat -c %s "$file")"
}

measure_scroll() {
  local idx=$1 size=$2 rep=$3 status=ok out=
  if ! start_emacs "$idx" "$size" "$((SCROLL_LINES + 1000))"; then
    kill_session
    emit kind=scroll "system=${SYS_NAME[idx]}" "size=$size" "rep=$rep" \
         status=start-failed
    return
  fi
  tmux send-keys -t "$session" "awk 'BEGIN { for (i = 1; i <= $SCROLL_LINES; i++) printf \"\\033[3%dm%07d\\033[0m \\033[1mline\\033[0m %d\\n\", i % 8, i, i }'; printf '%s-%s\\n' BENCH DONE" Enter
  if wait_pane 'BENCH-DONE' "$TIMEOUT"; then
    out=$(emacsclient -s "$server" -e "(bench-interactive-scroll $PAGES)" |
            tr -d '"') || status=error
  else
    status=timeout
  fi
  kill_session
  # shellcheck disable=SC2086 # out is key=value words
  emit kind=scroll "system=${SYS_NAME[idx]}" "size=$size" "rep=$rep" \
       "status=$status" $out
}

main "$@"
