#!/usr/bin/env bash
# run.sh -- throughput of `cat FILE' in vterm, upstream and ours side by side.
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
# Usage: bench/throughput/run.sh     (defaults: about 4 minutes on 2 cores)
#
# Environment (defaults in brackets):
#   SYSTEMS      space-separated NAME=vterm:LISP_DIR:MODULE_DIR entries;
#                NAME=upstream and NAME=new are shorthands ["upstream new"]
#   SIZE_MB      corpus size in MiB, generated on first use [4]
#   FILES        corpus files ["ascii sgr utf8 progress"]
#   SCROLLBACKS  vterm-max-scrollback values; `default' keeps the package's
#                own default (1000) ["default 100000"]
#   REPS         repetitions; the system order rotates each one [3]
#   ROWS, COLS   terminal size [24, 80]
#   TIMEOUT      seconds allowed per `cat' [300]
#   EXTRA_EVAL, EXTRA_EVAL_<NAME>   Lisp evaluated after loading a system
#   BASELINE     system the ratio columns divide by [upstream, else the first]
#   RUN          label of this run [date-time]; raw lines go to
#                $RESULTS_DIR/throughput-$RUN.tsv [/tmp/vterm-bench-results]
#   SNAPSHOT     1: run copies of each system's *.el and module taken at
#                the start, in $RESULTS_DIR/snap-$RUN/NAME/; 0: run in place [1]
#   EMACS, DATA_DIR, UPSTREAM_LISP, UPSTREAM_MODULE
#
# Each measurement is a fresh `emacs -Q --batch' (see bench-throughput.el).
# The summary (markdown) is printed and saved next to the raw lines.
set -euo pipefail

# The whole script is one function, so bash has parsed all of it before the
# first measurement; editing this file during a run cannot break the run.
main() {
  here=$(cd "$(dirname "$0")" && pwd)
  top=$(cd "$here/../.." && pwd)
  # shellcheck source=common.sh
  . "$here/common.sh"

  SIZE_MB=${SIZE_MB:-4}
  FILES=${FILES:-ascii sgr utf8 progress}
  SCROLLBACKS=${SCROLLBACKS:-default 100000}
  REPS=${REPS:-3}
  ROWS=${ROWS:-24}
  COLS=${COLS:-80}
  TIMEOUT=${TIMEOUT:-300}
  RUN=${RUN:-$(date '+%Y%m%d-%H%M%S')}

  bench_systems
  python3 "$here/gen-data.py" --dir "$DATA_DIR" --size-mb "$SIZE_MB" \
          --files "$FILES"

  mkdir -p "$RESULTS_DIR"
  bench_snapshot "$RESULTS_DIR/snap-$RUN"
  raw="$RESULTS_DIR/throughput-$RUN.tsv"
  log="$RESULTS_DIR/throughput-$RUN.log"
  bench_meta "$RESULTS_DIR/throughput-$RUN.meta"
  {
    echo "run: $RUN"
    echo "size: ${SIZE_MB} MiB; files: $FILES; scrollbacks: $SCROLLBACKS;" \
         "reps: $REPS; terminal: ${ROWS}x${COLS}"
  } >> "$RESULTS_DIR/throughput-$RUN.meta"
  : > "$raw"
  : > "$log"
  err=$(mktemp)
  trap 'rm -f "$err"' EXIT

  # shellcheck disable=SC2086 # lists of words, split on purpose
  set -- $FILES
  nfiles=$#
  # shellcheck disable=SC2086
  set -- $SCROLLBACKS
  total=$((REPS * $# * nfiles * ${#SYS_NAME[@]}))
  count=0
  start=$(date +%s)
  for ((rep = 1; rep <= REPS; rep++)); do
    for sb in $SCROLLBACKS; do
      for file in $FILES; do
        order=0
        for i in $(bench_rotate $((rep - 1))); do
          order=$((order + 1))
          count=$((count + 1))
          name=${SYS_NAME[i]}
          line=$(BENCH_LISP_DIR=${SYS_LISP[i]} \
                 BENCH_MODULE_DIR=${SYS_MODULE[i]} \
                 BENCH_EXTRA_EVAL=$(bench_extra_eval "$name") \
                 BENCH_FILE="$DATA_DIR/${SIZE_MB}M/$file.txt" \
                 BENCH_SCROLLBACK=$sb BENCH_ROWS=$ROWS BENCH_COLS=$COLS \
                 BENCH_TIMEOUT=$TIMEOUT \
                 BENCH_TAG="run=$RUN system=$name rep=$rep order=$order file=$file scrollback=$sb" \
                 timeout $((${TIMEOUT%.*} + 60)) \
                 "$EMACS" -Q --batch -L "$here" -l bench-lib \
                 -l "$here/bench-throughput.el" 2>"$err" | grep '^BENCH' || true)
          cat "$err" >> "$log"
          if [ -z "$line" ]; then
            line=$(printf 'BENCH\trun=%s\tsystem=%s\trep=%s\torder=%s\tstatus=crash\tfile=%s\tscrollback=%s\terror=%s' \
                          "$RUN" "$name" "$rep" "$order" "$file" "$sb" \
                          "$(bench_crash_line "$err")")
          fi
          printf '%s\n' "$line" >> "$raw"
          mbps=$(printf '%s\n' "$line" | tr '\t' '\n' | sed -n 's/^mbps=//p')
          status=$(printf '%s\n' "$line" | tr '\t' '\n' | sed -n 's/^status=//p')
          [ "$status" = ok ] ||
            status="$status $(printf '%s\n' "$line" | tr '\t' '\n' | sed -n 's/^error=//p')"
          printf '[%d/%d %4ds] rep %d  scrollback %-7s %-9s %-10s %s %s\n' \
                 "$count" "$total" $(($(date +%s) - start)) "$rep" "$sb" \
                 "$file" "$name" "${mbps:-?}" "$status" >&2
        done
      done
    done
  done

  python3 "$here/summarize.py" --baseline "${BASELINE:-}" \
          --systems "${SYS_NAME[*]}" "$raw" | tee "$RESULTS_DIR/throughput-$RUN.md"
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "${raw%.tsv}.meta"
  echo >&2
  echo "raw: $raw  (meta: ${raw%.tsv}.meta, Emacs stderr: $log)" >&2
}

main "$@"
exit $?
