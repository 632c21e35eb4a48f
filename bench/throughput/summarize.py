#!/usr/bin/env python3
# summarize.py -- markdown tables from the raw lines of bench/throughput/run.sh.
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
"""Summarize throughput results.

  summarize.py [--baseline NAME] [--systems "A B"] RAW.tsv...

RAW lines look like `BENCH<TAB>key=value...`.  For every scrollback
setting, one table: per file and system the median MB/s, GC % and CPU
seconds over the successful repetitions, and each system's ratio of
median MB/s to the baseline's.  When two scrollback settings were run, a
second table gives each system's MB/s at the larger one divided by its
MB/s at `default'.
"""

import argparse
import statistics
import sys
from collections import OrderedDict, defaultdict


def parse(paths):
    rows = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.startswith("BENCH\t"):
                    continue
                fields = line.rstrip("\n").split("\t")[1:]
                rows.append(dict(x.split("=", 1) for x in fields if "=" in x))
    return rows


def ordered(values):
    return list(OrderedDict.fromkeys(values))


def median(xs):
    return statistics.median(xs) if xs else None


def fmt(x, digits=2):
    return "-" if x is None else "%.*f" % (digits, x)


def sb_key(sb):
    return -1 if sb == "default" else int(sb)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="")
    ap.add_argument("--systems", default="")
    ap.add_argument("raw", nargs="+")
    args = ap.parse_args()
    rows = parse(args.raw)
    if not rows:
        sys.exit("summarize: no BENCH lines in %s" % " ".join(args.raw))

    systems = args.systems.split() or ordered(r["system"] for r in rows)
    baseline = args.baseline or ("upstream" if "upstream" in systems
                                 else systems[0])
    others = [s for s in systems if s != baseline]
    files = ordered(r["file"] for r in rows)
    sbs = sorted(ordered(r["scrollback"] for r in rows), key=sb_key)

    ok = defaultdict(list)
    failed = defaultdict(list)
    for r in rows:
        key = (r.get("scrollback"), r.get("file"), r.get("system"))
        if r.get("status") == "ok":
            ok[key].append(r)
        else:
            failed[key].append(r.get("status", "?"))

    def stat(key, field):
        return median([float(r[field]) for r in ok.get(key, [])])

    geometry = next((r for r in rows if "rows" in r), {})
    mbps = {}
    for sb in sbs:
        print("### Throughput, scrollback %s (%s rows x %s cols)\n"
              % (sb, geometry.get("rows", "?"), geometry.get("cols", "?")))
        head = ["file"]
        for s in systems:
            head += ["%s MB/s" % s, "GC %", "CPU s", "n"]
        head += ["%s/%s" % (s, baseline) for s in others]
        head += ["%s/%s by CPU" % (s, baseline) for s in others]
        print("| " + " | ".join(head) + " |")
        print("|" + " --- |" * len(head))
        for f in files:
            cells = [f]
            for s in systems:
                key = (sb, f, s)
                m = stat(key, "mbps")
                mbps[key] = m
                n = "%d" % len(ok.get(key, []))
                if failed.get(key):
                    n += " (%s)" % ",".join(failed[key])
                cells += [fmt(m), fmt(stat(key, "gc-pct"), 0),
                          fmt(stat(key, "cpu-secs")), n]
            base = mbps[(sb, f, baseline)]
            for s in others:
                m = mbps[(sb, f, s)]
                cells.append("-" if not (m and base)
                             else "**%.2fx**" % (m / base))
            # CPU seconds for the same bytes, inverted so that above 1
            # still means faster; steadier than wall time on a busy host.
            base_cpu = stat((sb, f, baseline), "cpu-secs")
            for s in others:
                cpu = stat((sb, f, s), "cpu-secs")
                cells.append("-" if not (cpu and base_cpu)
                             else "%.2fx" % (base_cpu / cpu))
            print("| " + " | ".join(cells) + " |")
        print()

    if len(sbs) > 1 and "default" in sbs:
        for sb in sbs:
            if sb == "default":
                continue
            print("### Scrollback %s relative to default (same system)\n" % sb)
            print("| file | " + " | ".join(systems) + " |")
            print("|" + " --- |" * (len(systems) + 1))
            for f in files:
                cells = [f]
                for s in systems:
                    a, b = mbps.get((sb, f, s)), mbps.get(("default", f, s))
                    cells.append("-" if not (a and b) else "%.2fx" % (a / b))
                print("| " + " | ".join(cells) + " |")
            print()

    reps = ordered(r.get("rep") for r in rows)
    print("Medians over %d repetition(s); MB/s = 10^6 bytes of file per "
          "second of wall time; GC %% = gc-elapsed / wall; CPU s = Emacs "
          "user+system time; A/B = A's MB/s over B's; \"by CPU\" = B's "
          "CPU s over A's (above 1 = A is faster). Run(s): %s."
          % (len(reps), ", ".join(ordered(r.get("run", "?") for r in rows))))


if __name__ == "__main__":
    main()
