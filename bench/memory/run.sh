#!/usr/bin/env bash
# run.sh -- memory of vterm while streaming lines, upstream and ours side by side.
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
# Usage: bench/memory/run.sh     (defaults: about 3 minutes on 2 cores)
#
# Two tests, each in a fresh `emacs -Q --batch' per system (bench-memory.el):
#   stream  `cat' LINES lines of 40 B through a terminal, once per scrollback
#           in SCROLLBACKS; snapshots before and after.
#   cycles  CYCLES x `head -n CYCLE_LINES' in one terminal with scrollback
#           CYCLE_SCROLLBACK; a snapshot after each cycle.
# Snapshots are taken after `garbage-collect' (VmRSS/VmHWM, live Lisp bytes,
# buffer size).
#
# Environment (defaults in brackets):
#   SYSTEMS           as for bench/throughput/run.sh ["upstream new"]
#   TESTS             ["stream cycles"]
#   LINES             lines streamed by `stream' [1000000]
#   SCROLLBACKS       ["10000 100000"]
#   CYCLES, CYCLE_LINES, CYCLE_SCROLLBACK   [10, 200000, 10000]
#   REPS              repetitions, system order rotated each one [1]
#   ROWS, COLS        [24, 80]
#   TIMEOUT           seconds allowed per command [600]
#   EXTRA_EVAL, EXTRA_EVAL_<NAME>, BASELINE, RUN, SNAPSHOT, EMACS, DATA_DIR,
#   RESULTS_DIR       as for bench/throughput/run.sh
set -euo pipefail

# One function, so that edits to this file during a run cannot break it.
main() {
  here=$(cd "$(dirname "$0")" && pwd)
  top=$(cd "$here/../.." && pwd)
  lib=$(cd "$here/../throughput" && pwd)
  # shellcheck source=../throughput/common.sh
  . "$lib/common.sh"

  TESTS=${TESTS:-stream cycles}
  LINES=${LINES:-1000000}
  SCROLLBACKS=${SCROLLBACKS:-10000 100000}
  CYCLES=${CYCLES:-10}
  CYCLE_LINES=${CYCLE_LINES:-200000}
  CYCLE_SCROLLBACK=${CYCLE_SCROLLBACK:-10000}
  REPS=${REPS:-1}
  ROWS=${ROWS:-24}
  COLS=${COLS:-80}
  TIMEOUT=${TIMEOUT:-600}
  RUN=${RUN:-$(date '+%Y%m%d-%H%M%S')}

  bench_systems
  # `cycles' reads the first CYCLE_LINES lines of the same file.
  local need=$LINES
  [ "$CYCLE_LINES" -gt "$need" ] && need=$CYCLE_LINES
  python3 "$lib/gen-data.py" --dir "$DATA_DIR" --lines "$need"
  local file="$DATA_DIR/lines/lines-$need.txt"

  mkdir -p "$RESULTS_DIR"
  bench_snapshot "$RESULTS_DIR/snap-mem-$RUN"
  local raw="$RESULTS_DIR/memory-$RUN.tsv"
  local log="$RESULTS_DIR/memory-$RUN.log"
  bench_meta "$RESULTS_DIR/memory-$RUN.meta"
  {
    echo "run: $RUN"
    echo "tests: $TESTS; stream: $LINES lines at scrollbacks $SCROLLBACKS;" \
         "cycles: $CYCLES x $CYCLE_LINES at $CYCLE_SCROLLBACK;" \
         "reps: $REPS; terminal: ${ROWS}x${COLS}"
  } >> "$RESULTS_DIR/memory-$RUN.meta"
  : > "$raw"
  : > "$log"
  err=$(mktemp)
  trap 'rm -f "$err"' EXIT

  # Jobs are "TEST:SCROLLBACK".
  local jobs=() test sb
  for test in $TESTS; do
    case $test in
      stream) for sb in $SCROLLBACKS; do jobs+=("stream:$sb"); done ;;
      cycles) jobs+=("cycles:$CYCLE_SCROLLBACK") ;;
      *) echo "bench: unknown test '$test'" >&2; return 1 ;;
    esac
  done

  local total=$((REPS * ${#jobs[@]} * ${#SYS_NAME[@]})) count=0
  local start rep job order i name out
  start=$(date +%s)
  for ((rep = 1; rep <= REPS; rep++)); do
    for job in "${jobs[@]}"; do
      test=${job%%:*} sb=${job#*:}
      order=0
      for i in $(bench_rotate $((rep - 1))); do
        order=$((order + 1))
        count=$((count + 1))
        name=${SYS_NAME[i]}
        out=$(BENCH_LISP_DIR=${SYS_LISP[i]} \
              BENCH_MODULE_DIR=${SYS_MODULE[i]} \
              BENCH_EXTRA_EVAL=$(bench_extra_eval "$name") \
              BENCH_MEM_TEST=$test BENCH_FILE=$file \
              BENCH_CYCLES=$CYCLES BENCH_CYCLE_LINES=$CYCLE_LINES \
              BENCH_SCROLLBACK=$sb BENCH_ROWS=$ROWS BENCH_COLS=$COLS \
              BENCH_TIMEOUT=$TIMEOUT \
              BENCH_TAG="run=$RUN system=$name rep=$rep order=$order test=$test scrollback=$sb" \
              timeout $((${TIMEOUT%.*} * (CYCLES + 1) + 60)) \
              "$EMACS" -Q --batch -L "$lib" -l bench-lib \
              -l "$here/bench-memory.el" 2>"$err" | grep '^BENCH' || true)
        cat "$err" >> "$log"
        if [ -z "$out" ]; then
          out=$(printf 'BENCH\trun=%s\tsystem=%s\trep=%s\torder=%s\ttest=%s\tscrollback=%s\tphase=failed\tstatus=crash\terror=%s' \
                       "$RUN" "$name" "$rep" "$order" "$test" "$sb" \
                       "$(bench_crash_line "$err")")
        fi
        printf '%s\n' "$out" >> "$raw"
        printf '[%d/%d %4ds] rep %d  %-6s scrollback %-7s %-10s %s\n' \
               "$count" "$total" $(($(date +%s) - start)) "$rep" "$test" \
               "$sb" "$name" \
               "$(printf '%s\n' "$out" | tail -n 1 | tr '\t' '\n' |
                  sed -n 's/^\(status\|rss-kb\|lines\|error\)=//p' | tr '\n' ' ')" >&2
      done
    done
  done

  python3 "$here/summarize.py" --baseline "${BASELINE:-}" \
          --systems "${SYS_NAME[*]}" "$raw" | tee "$RESULTS_DIR/memory-$RUN.md"
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "${raw%.tsv}.meta"
  echo >&2
  echo "raw: $raw  (meta: ${raw%.tsv}.meta, Emacs stderr: $log)" >&2
}

main "$@"
exit $?
