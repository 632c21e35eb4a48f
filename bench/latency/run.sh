#!/usr/bin/env bash
# run.sh -- how long output that arrives after a pause waits to be drawn,
# upstream and ours side by side.
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
# Usage: bench/latency/run.sh
#
# For each system, in Emacs --batch: a shell prints LINES lines, one
# every GAP seconds, each after a burst of B lines for B in BURSTS (0: a
# lone line); each line's wait between the process filter and the buffer
# is measured (bench-latency.el).  Prints one row per burst size and
# system with the median and maximum wait over all repetitions.
#
# Environment (defaults in brackets): SYSTEMS, EXTRA_EVAL(_<NAME>),
# UPSTREAM_LISP, UPSTREAM_MODULE, EMACS as for bench/throughput/run.sh
# (the systems run in place, not from snapshots)
# ["upstream new"]; REPS [3]; LINES [20]; GAP [0.25]; BURSTS ["0 2000"];
# RUN [date-time];
# RESULTS_DIR [/tmp/vterm-bench-results].
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
throughput=$top/bench/throughput
# shellcheck source=../throughput/common.sh
. "$throughput/common.sh"

SYSTEMS=${SYSTEMS:-upstream new}
REPS=${REPS:-3}
LINES=${LINES:-20}
GAP=${GAP:-0.25}
BURSTS=${BURSTS:-0 2000}
RUN=${RUN:-$(date '+%Y%m%d-%H%M%S')}
RESULTS_DIR=${RESULTS_DIR:-/tmp/vterm-bench-results}
EMACS=${EMACS:-emacs}

bench_systems
mkdir -p "$RESULTS_DIR"
raw="$RESULTS_DIR/latency-$RUN.tsv"
: > "$raw"
for ((rep = 1; rep <= REPS; rep++)); do
  for burst in $BURSTS; do
    for i in $(bench_rotate $((rep - 1))); do
      name=${SYS_NAME[i]}
      line=$(BENCH_LISP_DIR=${SYS_LISP[i]} BENCH_MODULE_DIR=${SYS_MODULE[i]} \
             BENCH_EXTRA_EVAL=$(bench_extra_eval "$name") \
             BENCH_LINES=$LINES BENCH_GAP=$GAP BENCH_BURST=$burst \
             BENCH_TAG="run=$RUN system=$name rep=$rep" \
             "$EMACS" -Q --batch -L "$throughput" -l bench-lib \
             -l "$here/bench-latency.el" 2>/dev/null | grep '^BENCH' || true)
      [ -n "$line" ] ||
        line=$(printf 'BENCH\trun=%s\tsystem=%s\trep=%s\tburst=%s\tstatus=crash' \
                      "$RUN" "$name" "$rep" "$burst")
      printf '%s\n' "$line" >> "$raw"
      printf '%s\n' "$line" | cut -c1-160 >&2
    done
  done
done

python3 - "$raw" "${SYS_NAME[@]}" <<'PY'
import statistics, sys
raw, systems = sys.argv[1], sys.argv[2:]
rows = [dict(f.split("=", 1) for f in line.rstrip("\n").split("\t")[1:] if "=" in f)
        for line in open(raw)]
bursts = sorted({int(r["burst"]) for r in rows if "burst" in r})
print("| burst before each line | system | runs ok | median wait, ms | worst wait, ms |")
print("| --- | --- | --- | --- | --- |")
for burst in bursts:
    for name in systems:
        ok = [r for r in rows if r.get("system") == name and r.get("status") == "ok"
              and int(r.get("burst", -1)) == burst]
        if not ok:
            print(f"| {burst} | {name} | 0 | - | - |")
            continue
        med = statistics.median(float(r["median_ms"]) for r in ok)
        worst = max(float(r["max_ms"]) for r in ok)
        print(f"| {burst} | {name} | {len(ok)} | {med:.1f} | {worst:.1f} |")
PY
echo "raw: $raw" >&2
