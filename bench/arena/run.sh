#!/bin/sh
# run.sh -- build and run the arena allocation benchmark, print one table.
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
# Usage: bench/arena/run.sh            (about 10 s)
# Environment: CC (default cc), BUILD (build directory, default
# /tmp/bench-arena-$USER), REPS (timing samples per case, default 11),
# CALLGRIND=0 to skip the instruction counts.
#
# Each case is a round of 10,000 allocations of a LineInfo-sized record
# (16 or 32 B), each touched, and their release (free, pool free, or one
# arena reset); the -fifo cases keep 1,000 records live like a scrollback
# ring; the string cases copy 32-byte directory names (20 distinct ones),
# strdup+free against intern+release.  Time is ns per allocation+release,
# best and median of REPS samples (each 20 rounds), interleaved across cases.
# instr/op is exact: callgrind's Ir for 11 rounds minus Ir for 1 round,
# divided by 10 x 10,000.  B/obj is the memory per live object: the heap's
# growth (glibc mallinfo2, so chunk headers count), the arena's `used'
# growth, the pool's record stride, or the string table's growth (one shared
# copy per distinct name).  The "x" columns are the baseline's number divided
# by this row's: above 1 means cheaper than the baseline.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CC=${CC:-cc}
BUILD=${BUILD:-/tmp/bench-arena-${USER:-user}}
REPS=${REPS:-11}
CALLGRIND=${CALLGRIND:-1}
mkdir -p "$BUILD"

bin=$BUILD/bench-arena
"$CC" -std=c11 -O2 -Wall -Wextra -Wpedantic -fno-builtin-malloc \
  -fno-builtin-free -fno-builtin-calloc -o "$bin" \
  "$here/bench-arena.c" "$top/conpty-proxy/arena.c"

"$bin" time "$REPS" > "$BUILD/time.txt"

: > "$BUILD/instr.txt"
if [ "$CALLGRIND" = 1 ] && command -v valgrind > /dev/null 2>&1; then
  ir() { # pattern size rounds -> total Ir
    valgrind --tool=callgrind --callgrind-out-file=/dev/null \
      "$bin" run "$1" "$2" "$3" 2>&1 |
      sed -n 's/.*Collected : *\([0-9][0-9]*\).*/\1/p'
  }
  while read -r name size _rest; do
    lo=$(ir "$name" "$size" 1)
    hi=$(ir "$name" "$size" 11)
    echo "$name $size $lo $hi" >> "$BUILD/instr.txt"
  done < "$BUILD/time.txt"
else
  echo "(callgrind skipped: valgrind not found or CALLGRIND=0)"
fi

awk -v reps="$REPS" '
  FILENAME == ARGV[1] { instr[$1 " " $2] = ($4 - $3) / 100000; next }
  {
    n++; key[n] = $1 " " $2; name[n] = $1; size[n] = $2; base[n] = $6
    best[key[n]] = $3; med[key[n]] = $4; bytes[n] = $5
  }
  END {
    printf "%-15s %4s %8s %9s %6s %9s %7s %6s  %s\n", "pattern", "size",
      "best ns", "median ns", "x med", "instr/op", "x instr", "B/obj", "x vs"
    for (i = 1; i <= n; i++) {
      k = key[i]; b = base[i] " " size[i]
      ins = (k in instr) ? sprintf("%.1f", instr[k]) : "-"
      xi = "-"
      if ((k in instr) && instr[k] > 0)
        xi = sprintf("%.1f", instr[b] / instr[k])
      bo = "-"
      if (bytes[i] > 0)
        bo = sprintf(bytes[i] < 1 ? "%.2f" : "%.1f", bytes[i])
      printf "%-15s %4s %8.2f %9.2f %6.2f %9s %7s %6s  %s\n", name[i], size[i],
        best[k], med[k], med[b] / med[k], ins, xi, bo, base[i]
    }
    printf "(%d samples per case; ns and instructions per", reps
    printf " allocation+release;\n"
    printf " x = baseline / this row, so > 1 means cheaper than the baseline)\n"
  }' "$BUILD/instr.txt" "$BUILD/time.txt"
