#!/usr/bin/env python3
# summarize.py -- markdown tables from the raw lines of bench/memory/run.sh.
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
"""Summarize memory results.

  summarize.py [--baseline NAME] [--systems "A B"] RAW.tsv...

Stream: per system and scrollback, RSS before/after, the growth (ΔRSS),
the peak (VmHWM), the buffer's size, ΔRSS per line added to the buffer,
live Lisp bytes, and the Lisp allocated while streaming.  Cycles: RSS
after each cycle and the growth from cycle 1 to the last and over the
last five.  Every number is the median over repetitions.  Ratios divide
each system's number by the baseline's.
"""

import argparse
import statistics
import sys
from collections import OrderedDict, defaultdict

MIB = 1024.0 * 1024.0


def parse(paths):
    rows = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("BENCH\t"):
                    fields = line.rstrip("\n").split("\t")[1:]
                    rows.append(dict(x.split("=", 1) for x in fields
                                     if "=" in x))
    return rows


def ordered(values):
    return list(OrderedDict.fromkeys(v for v in values if v is not None))


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def num(row, key):
    try:
        return float(row[key])
    except (KeyError, ValueError, TypeError):
        return None


def fmt(x, digits=1):
    return "-" if x is None else "%.*f" % (digits, x)


def ratio(a, b):
    return "-" if not (a and b) else "**%.2fx**" % (a / b)


def runs(rows):
    """Group rows into runs: (system, test, scrollback, rep) -> {phase: row}."""
    out = defaultdict(dict)
    for r in rows:
        key = (r.get("system"), r.get("test"), r.get("scrollback"),
               r.get("rep"))
        out[key][r.get("phase", "after")] = r
    return out


def stream_metrics(phases):
    b, a = phases.get("before"), phases.get("after")
    if not b or not a or a.get("status") != "ok":
        return None
    rss_b, rss_a = num(b, "rss-kb") * 1024, num(a, "rss-kb") * 1024
    added = num(a, "lines") - num(b, "lines")
    return {
        "secs": num(a, "secs"),
        "rss_before": rss_b / MIB,
        "rss_after": rss_a / MIB,
        "drss": (rss_a - rss_b) / MIB,
        "hwm": num(a, "hwm-kb") * 1024 / MIB,
        "text": num(a, "bytes") / MIB,
        "lines": num(a, "lines"),
        "per_line": (rss_a - rss_b) / added if added > 0 else None,
        "lisp_before": num(b, "lisp-bytes") / MIB,
        "lisp_after": num(a, "lisp-bytes") / MIB,
        "alloc_chars": (num(a, "alloc-string-chars") or 0) / 1e6,
        "alloc_strings": (num(a, "alloc-strings") or 0) / 1e6,
        "alloc_conses": (num(a, "alloc-conses") or 0) / 1e6,
        "alloc_intervals": (num(a, "alloc-intervals") or 0) / 1e6,
    }


def summarize_stream(groups, systems, baseline, sbs):
    sizes = ordered(ph["after"].get("input-bytes") for (_, t, _, _), ph
                    in groups.items() if t == "stream" and "after" in ph)
    what = ", ".join("%d lines of 40 B (%.0f MB)" % (int(x) // 40, int(x) / 1e6)
                     for x in sizes) or "lines"
    print("### Stream: `cat` of %s\n" % what)
    head = ["system", "scrollback", "n", "secs", "RSS before → after MiB",
            "ΔRSS MiB", "VmHWM MiB", "buffer text MiB / lines",
            "ΔRSS per line B", "live Lisp before → after MiB",
            "Lisp allocated: string chars MB / strings M / conses M / "
            "intervals M"]
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    medians = {}
    for sb in sbs:
        for s in systems:
            ms = [m for (sys_, test, sb_, _), ph in groups.items()
                  if sys_ == s and test == "stream" and sb_ == sb
                  for m in [stream_metrics(ph)] if m]
            bad = [ph.get("after", ph.get("before", {})).get("status", "?")
                   for (sys_, test, sb_, _), ph in groups.items()
                   if sys_ == s and test == "stream" and sb_ == sb
                   and not stream_metrics(ph)]
            if not ms and not bad:
                continue
            m = {k: med([x[k] for x in ms]) for k in (ms[0] if ms else {})}
            medians[(s, sb)] = m
            n = "%d" % len(ms) + (" (%s)" % ",".join(bad) if bad else "")
            print("| " + " | ".join([
                s, sb, n, fmt(m.get("secs")),
                "%s → %s" % (fmt(m.get("rss_before")), fmt(m.get("rss_after")))
                if ms else "-",
                "-" if m.get("drss") is None else "%+.1f" % m["drss"],
                fmt(m.get("hwm")),
                "%s / %s" % (fmt(m.get("text"), 2), fmt(m.get("lines"), 0)),
                fmt(m.get("per_line"), 0),
                "%s → %s" % (fmt(m.get("lisp_before")),
                             fmt(m.get("lisp_after"))) if ms else "-",
                "%s / %s / %s / %s" % (
                    fmt(m.get("alloc_chars"), 0), fmt(m.get("alloc_strings"), 2),
                    fmt(m.get("alloc_conses"), 2),
                    fmt(m.get("alloc_intervals"), 2)),
            ]) + " |")
    print()
    others = [s for s in systems if s != baseline]
    if others and medians:
        print("Ratios to %s (below 1 = less memory or time):\n" % baseline)
        head = ["scrollback"]
        for s in others:
            head += ["%s ΔRSS" % s, "ΔRSS/line", "VmHWM", "secs"]
        print("| " + " | ".join(head) + " |")
        print("|" + " --- |" * len(head))
        for sb in sbs:
            base = medians.get((baseline, sb), {})
            cells = [sb]
            for s in others:
                m = medians.get((s, sb), {})
                cells += [ratio(m.get(k), base.get(k))
                          for k in ("drss", "per_line", "hwm", "secs")]
            print("| " + " | ".join(cells) + " |")
        print()


def summarize_cycles(groups, systems, baseline):
    series = {}
    for s in systems:
        reps = [ph for (sys_, test, _, _), ph in groups.items()
                if sys_ == s and test == "cycles"]
        if not reps:
            continue
        phases = sorted({p for ph in reps for p in ph if p.isdigit()},
                        key=int)
        series[s] = (
            med([num(ph.get("before", {}), "rss-kb") for ph in reps]),
            [(p, med([num(ph[p], "rss-kb") for ph in reps if p in ph]),
              med([num(ph[p], "secs") for ph in reps if p in ph]))
             for p in phases],
            [r.get("status", "?") for ph in reps for r in ph.values()
             if r.get("status") != "ok"],
            reps[0].get("before", {}))
    if not series:
        return
    first = next(iter(series.values()))
    cycle_lines = next((ph["1"].get("cycle-lines") for (_, t, _, _), ph
                        in groups.items() if t == "cycles" and "1" in ph), "?")
    print("### Cycles: %s × `head -n %s` at scrollback %s (RSS MiB after each)\n"
          % (len(first[1]), cycle_lines, first[3].get("scrollback", "?")))
    ncyc = max(len(v[1]) for v in series.values())
    head = (["system", "start"] + [str(i + 1) for i in range(ncyc)]
            + ["growth 1 → %d" % ncyc, "growth %d → %d" % (max(1, ncyc - 5),
                                                          ncyc),
               "secs per cycle"])
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    last = {}
    for s, (start, cyc, bad, _) in series.items():
        kb = [c[1] for c in cyc]
        mib = [None if x is None else x / 1024 for x in kb]
        last[s] = mib[-1] if mib else None
        g_all = (mib[-1] - mib[0]) if len(mib) > 1 and None not in mib else None
        k = max(0, len(mib) - 6)
        g_tail = (mib[-1] - mib[k]) if len(mib) > 1 and None not in mib else None
        cells = [s + (" (%s)" % ",".join(map(str, bad)) if bad else ""),
                 fmt(None if start is None else start / 1024)]
        cells += [fmt(x) for x in mib] + [""] * (ncyc - len(mib))
        cells += ["%+.1f" % g_all if g_all is not None else "-",
                  "%+.1f" % g_tail if g_tail is not None else "-",
                  fmt(med([c[2] for c in cyc]), 2)]
        print("| " + " | ".join(cells) + " |")
    print()
    others = [s for s in series if s != baseline]
    if baseline in series and others:
        print("RSS after the last cycle, ratio to %s: %s\n" % (
            baseline, ", ".join("%s %s" % (s, ratio(last[s], last[baseline]))
                                for s in others)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="")
    ap.add_argument("--systems", default="")
    ap.add_argument("raw", nargs="+")
    args = ap.parse_args()
    rows = parse(args.raw)
    if not rows:
        sys.exit("summarize: no BENCH lines in %s" % " ".join(args.raw))
    systems = args.systems.split() or ordered(r.get("system") for r in rows)
    baseline = args.baseline or ("upstream" if "upstream" in systems
                                 else systems[0])
    groups = runs(rows)
    sbs = sorted(ordered(r.get("scrollback") for r in rows
                         if r.get("test") == "stream"),
                 key=lambda x: -1 if x == "default" else int(x))
    if sbs:
        summarize_stream(groups, systems, baseline, sbs)
    summarize_cycles(groups, systems, baseline)
    geometry = next((r for r in rows if "rows" in r), {})
    print("Snapshots after `garbage-collect`; MiB = 2^20 bytes; terminal "
          "%s x %s; ΔRSS per line = ΔRSS / lines added to the buffer. "
          "Run(s): %s." % (geometry.get("rows", "?"), geometry.get("cols", "?"),
                           ", ".join(ordered(r.get("run") for r in rows))))


if __name__ == "__main__":
    main()
