#!/usr/bin/env bash
# bench/arena/module-bench.sh - vterm-module with the arena on vs off.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds the module twice (-DVTERM_ARENA=ON / OFF) into $WORK, then runs
# each measurement REPS times per variant, interleaved with the order
# rotated, in a fresh Emacs each time.  Prints medians and arena/malloc
# ratios.  Environment: REPS (5), WORK (/tmp/vterm-arena-bench),
# BENCH_MB (8).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${WORK:-/tmp/vterm-arena-bench}
REPS=${REPS:-5}
export BENCH_MB=${BENCH_MB:-8}
mkdir -p "$WORK"

for v in arena malloc; do
  flag=$([ $v = arena ] && echo ON || echo OFF)
  cmake -S "$ROOT" -B "$WORK/build-$v" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
        "-DVTERM_ARENA=$flag" "-DVTERM_MODULE_OUTPUT_DIR=$WORK/$v" >/dev/null
  cmake --build "$WORK/build-$v" -j2 >/dev/null
done

run() { # VARIANT BENCH [KIND]
  BENCH=$2 BENCH_KIND=${3:-ascii} emacs -Q --batch -L "$WORK/$1" -L "$ROOT" \
    -l "$ROOT/bench/arena/module-bench.el" 2>/dev/null | awk '/^RESULT/ {print $3}'
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

printf '| measurement | arena | malloc | arena/malloc |\n|---|---|---|---|\n'
for m in "teardown teardown-ms" "rss rss-kib" "redraw redraw-ascii-mbps ascii" "redraw redraw-sgr-mbps sgr"; do
  # shellcheck disable=SC2086 # split into its words on purpose
  set -- $m
  : >"$WORK/$2.arena"; : >"$WORK/$2.malloc"
  for r in $(seq "$REPS"); do
    if [ $((r % 2)) -eq 0 ]; then order="arena malloc"; else order="malloc arena"; fi
    for v in $order; do run "$v" "$1" "${3:-}" >>"$WORK/$2.$v"; done
  done
  a=$(median <"$WORK/$2.arena"); b=$(median <"$WORK/$2.malloc")
  printf '| %s | %s | %s | %.2fx |\n' "$2" "$a" "$b" "$(echo "$a / $b" | bc -l)"
done
echo "(medians of $REPS runs each; teardown in ms, RSS growth in KiB for 100000 lines, redraw in MB/s)"
