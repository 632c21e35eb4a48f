#!/usr/bin/env python3
# summarize.py -- medians and ratios of bench/interactive/run.sh raw lines.
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
"""Usage: summarize.py RAW.tsv... (BASELINE=name picks the divisor)."""

import os
import statistics
import sys
from collections import defaultdict


def read(paths):
    rows = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if parts[0] != "BENCH":
                    continue
                rows.append(dict(p.split("=", 1) for p in parts[1:] if "=" in p))
    return rows


def fmt_ratio(base, mine):
    if not base or not mine:
        return "n/a"
    return "**%.2fx**" % (base / mine)


def main(paths):
    rows = read(paths)
    systems = []
    for r in rows:
        if r.get("system") and r["system"] not in systems:
            systems.append(r["system"])
    if not systems:
        print("no results")
        return
    base = os.environ.get("BASELINE", "upstream")
    if base not in systems:
        base = systems[0]
    others = [s for s in systems if s != base]
    systems = [base] + others

    cat = defaultdict(list)
    failed = defaultdict(list)
    sizes, files = [], []
    for r in rows:
        if r.get("kind") != "cat":
            continue
        key = (r["size"], r["file"], r["system"])
        if r["size"] not in sizes:
            sizes.append(r["size"])
        if r["file"] not in files:
            files.append(r["file"])
        if r.get("status") == "ok":
            cat[key].append(float(r["secs"]))
        else:
            failed[key].append(r.get("status", "?"))
    for size in sizes:
        rows_, cols_ = size.split("x")
        print("### cat until the end marker is on screen, %s rows x %s cols"
              % (rows_, cols_))
        head = ["file"] + ["%s s" % s for s in systems]
        head += ["%s/%s" % (o, base) for o in others]
        print("| " + " | ".join(head) + " |")
        print("|" + " --- |" * len(head))
        for file in files:
            med = {}
            cells = [file]
            for s in systems:
                v = cat.get((size, file, s))
                med[s] = statistics.median(v) if v else None
                cell = "%.2f (n=%d)" % (med[s], len(v)) if v else "-"
                if failed.get((size, file, s)):
                    cell += " [%s]" % ",".join(failed[(size, file, s)])
                cells.append(cell)
            for o in others:
                cells.append(fmt_ratio(med[base], med[o]))
            print("| " + " | ".join(cells) + " |")
        print()

    scroll = defaultdict(lambda: defaultdict(list))
    ssizes = []
    for r in rows:
        if r.get("kind") != "scroll" or r.get("status") != "ok":
            continue
        if r["size"] not in ssizes:
            ssizes.append(r["size"])
        for k in ("top", "pages", "end"):
            scroll[(r["size"], r["system"])][k].append(float(r[k]))
        scroll[(r["size"], r["system"])]["lines"].append(float(r["lines"]))
    if ssizes:
        print("### Scrolling a full scrollback (forced redisplay after each step)")
        head = ["size", "system", "lines", "top s", "pages s", "back to end s",
                "total s", "%s / system (total)" % base]
        print("| " + " | ".join(head) + " |")
        print("|" + " --- |" * len(head))
        for size in ssizes:
            totals = {}
            for s in systems:
                d = scroll.get((size, s))
                if d:
                    totals[s] = statistics.median(
                        [a + b + c for a, b, c in
                         zip(d["top"], d["pages"], d["end"])])
            for s in systems:
                d = scroll.get((size, s))
                if not d:
                    continue
                print("| %s | %s | %d | %.3f | %.3f | %.3f | %.3f | %s |" % (
                    size, s, statistics.median(d["lines"]),
                    statistics.median(d["top"]),
                    statistics.median(d["pages"]),
                    statistics.median(d["end"]), totals[s],
                    "-" if s == base else
                    fmt_ratio(totals.get(base), totals.get(s))))
        print()
    print("Medians; ratios are %s's time over the system's (above 1 = "
          "faster than %s)." % (base, base))


if __name__ == "__main__":
    main(sys.argv[1:])
