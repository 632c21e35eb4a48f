#!/usr/bin/env python3
# gen-data.py -- deterministic terminal-output corpus for the vterm benchmarks.
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
"""Write the benchmark corpus.

  gen-data.py --size-mb 4            -> DIR/4M/{ascii,sgr,utf8,progress}.txt
  gen-data.py --lines 1000000        -> DIR/lines/lines-1000000.txt

DIR defaults to /tmp/vterm-bench-data.  Every directory gets a SHA256SUMS
manifest (`sha256sum -c SHA256SUMS` checks it).  Output depends only on the
arguments: the generator uses its own xorshift64* PRNG, seeded per file, and
no Python library randomness.  Files that already match their manifest are
kept, so calling this before every benchmark run is cheap.

Every line fits in 80 columns: the generators budget at most 76 columns of
visible text per line, so a terminal that disagrees about the width of a
symbol by one column still never wraps.
"""

import argparse
import hashlib
import os
import sys

MIB = 1 << 20
WIDTH_BUDGET = 76
MASK64 = (1 << 64) - 1


class Rng:
    """xorshift64* (Vigna); deterministic across Python versions."""

    def __init__(self, seed):
        self.s = (seed * 0x9E3779B97F4A7C15 + 1) & MASK64 or 1

    def next(self):
        s = self.s
        s ^= s >> 12
        s ^= (s << 25) & MASK64
        s ^= s >> 27
        self.s = s
        return (s * 0x2545F4914F6CDD1D) & MASK64

    def below(self, n):
        """Uniform-enough integer in [0, n)."""
        return (self.next() >> 11) % n

    def between(self, lo, hi):
        """Integer in [lo, hi], both inclusive."""
        return lo + self.below(hi - lo + 1)

    def pick(self, seq):
        return seq[self.below(len(seq))]


WORDS = ("request", "handler", "session", "cache", "miss", "hit", "retry",
         "timeout", "connect", "socket", "worker", "queue", "flush", "commit",
         "rollback", "index", "upstream", "client", "server", "token", "user",
         "config", "reload", "signal", "buffer", "parse", "error", "warning",
         "ok", "done", "started", "stopped", "bytes", "ms", "path", "GET",
         "POST", "/api/v1/items", "/static/app.js", "status=200",
         "status=404", "id=7f3a", "lat=12ms", "shard-3", "db.primary")
LEVELS = ("DEBUG", "INFO ", "WARN ", "ERROR", "TRACE")
COMPONENTS = ("http", "db", "auth", "sched", "io", "net", "gc", "rpc")


def ascii_line(rng):
    """A log-like line of 8-79 printable ASCII columns."""
    target = rng.between(8, 79)
    head = "%02d:%02d:%02d.%03d %s %s[%d]:" % (
        rng.below(24), rng.below(60), rng.below(60), rng.below(1000),
        rng.pick(LEVELS), rng.pick(COMPONENTS), rng.below(64))
    parts = [head]
    length = len(head)
    while length < target:
        word = rng.pick(WORDS)
        parts.append(word)
        length += len(word) + 1
    return " ".join(parts)[:target].rstrip(" ").ljust(target, ".") + "\n"


def sgr_code(rng):
    """One SGR parameter string: colours of the three kinds, or an attribute."""
    kind = rng.below(8)
    if kind == 0:
        return str(rng.pick((30, 31, 32, 33, 34, 35, 36, 37,
                             90, 91, 92, 93, 94, 95, 96, 97)))
    if kind == 1:
        return str(rng.pick((40, 41, 42, 43, 44, 45, 46, 47,
                             100, 101, 102, 103, 104, 105, 106, 107)))
    if kind == 2:
        return "38;5;%d" % rng.below(256)
    if kind == 3:
        return "48;5;%d" % rng.below(256)
    if kind == 4:
        return "38;2;%d;%d;%d" % (rng.below(256), rng.below(256),
                                  rng.below(256))
    if kind == 5:
        return "48;2;%d;%d;%d" % (rng.below(256), rng.below(256),
                                  rng.below(256))
    return rng.pick(("1", "4", "7", "1;4", "22", "24", "27"))


def sgr_line(rng):
    """3-8 SGR changes with text runs between them, ending in ESC[0m."""
    changes = rng.between(3, 8)
    out = []
    width = 0
    for _ in range(changes):
        out.append("\x1b[%sm" % sgr_code(rng))
        run = []
        run_len = rng.between(3, max(3, WIDTH_BUDGET // changes - 1))
        while sum(len(w) + 1 for w in run) < run_len:
            run.append(rng.pick(WORDS))
        text = (" ".join(run) + " ")[:run_len]
        text = text[:WIDTH_BUDGET - width]
        out.append(text)
        width += len(text)
    out.append("\x1b[0m\n")
    return "".join(out)


# (generator, columns) pairs for the utf8 corpus.
def _cjk(rng):
    return chr(rng.between(0x4E00, 0x9FA5)), 2


def _combining(rng):
    base = rng.pick("aeiouynAEIOUcs")
    marks = "".join(chr(rng.between(0x0300, 0x036F))
                    for _ in range(rng.between(1, 2)))
    return base + marks, 1


def _greek(rng):
    return chr(rng.between(0x03B1, 0x03C9)), 1


def _cyrillic(rng):
    return chr(rng.between(0x0430, 0x044F)), 1


def _emoji(rng):
    if rng.below(4) == 0:
        # Narrow BMP symbols (East Asian Width N): sun, cloud, umbrella,
        # snowman, check mark.
        return rng.pick("\u2600\u2601\u2602\u2603\u2713"), 1
    # Wide non-BMP emoji (emoticons block).
    return chr(rng.between(0x1F600, 0x1F64F)), 2


def _space(rng):
    return " ", 1


UTF8_KINDS = (_cjk, _cjk, _combining, _greek, _cyrillic, _emoji, _space,
              _space)


def utf8_line(rng):
    """Runs of one script at a time, separated by spaces, within 76 columns."""
    target = rng.between(8, WIDTH_BUDGET)
    out = []
    width = 0
    while True:
        kind = rng.pick(UTF8_KINDS)
        for _ in range(rng.between(1, 6)):
            text, cols = kind(rng)
            if width + cols > target:
                return "".join(out) + "\n"
            out.append(text)
            width += cols


def progress_line(rng):
    """100 CR-separated redraws of a coloured progress bar, then LF."""
    name = "%s-%d.tar.gz" % (rng.pick(WORDS).strip("/").replace("/", "_"),
                             rng.below(1000))
    name = name[:24]
    colour = rng.pick(("32", "33", "36", "38;5;208", "38;2;80;160;255"))
    bar_width = 40
    redraws = []
    for step in range(1, 101):
        filled = bar_width * step // 100
        redraws.append("\x1b[%sm[%s%s]\x1b[0m %3d%% \x1b[1m%s\x1b[0m" % (
            colour, "#" * filled, "-" * (bar_width - filled), step, name))
    return "\r".join(redraws) + "\n"


GENERATORS = {
    "ascii": (ascii_line, 1),
    "sgr": (sgr_line, 2),
    "utf8": (utf8_line, 3),
    "progress": (progress_line, 4),
}


def fixed_line(index):
    """Line INDEX of lines.txt: exactly 40 bytes including the newline."""
    return ("line %09d " % index).ljust(39, "x") + "\n"


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MIB), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(directory):
    """Return {name: sha256} from DIRECTORY's SHA256SUMS (empty if none)."""
    known = {}
    try:
        with open(os.path.join(directory, "SHA256SUMS")) as f:
            for line in f:
                digest, _, name = line.rstrip("\n").partition("  ")
                if name:
                    known[name] = digest
    except OSError:
        pass
    return known


def up_to_date(directory, name):
    """True if NAME exists in DIRECTORY and matches the manifest."""
    path = os.path.join(directory, name)
    digest = read_manifest(directory).get(name)
    return (digest is not None and os.path.exists(path)
            and sha256_file(path) == digest)


def write_manifest(directory):
    """List every .txt file of DIRECTORY in its SHA256SUMS."""
    names = sorted(n for n in os.listdir(directory) if n.endswith(".txt"))
    with open(os.path.join(directory, "SHA256SUMS.tmp"), "w") as f:
        for name in names:
            f.write("%s  %s\n" % (sha256_file(os.path.join(directory, name)),
                                  name))
    os.replace(os.path.join(directory, "SHA256SUMS.tmp"),
               os.path.join(directory, "SHA256SUMS"))


def write_lines_file(path, produce, limit_bytes=None, limit_lines=None):
    """Write lines from PRODUCE(i) until a byte or line limit is reached."""
    size = 0
    count = 0
    chunk = []
    with open(path + ".tmp", "wb") as f:
        while True:
            if limit_bytes is not None and size >= limit_bytes:
                break
            if limit_lines is not None and count >= limit_lines:
                break
            data = produce(count).encode("utf-8")
            chunk.append(data)
            size += len(data)
            count += 1
            if len(chunk) >= 4096:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))
    os.replace(path + ".tmp", path)
    return size, count


def generate_sized(root, size_mb, kinds):
    directory = os.path.join(root, "%dM" % size_mb)
    os.makedirs(directory, exist_ok=True)
    changed = False
    for kind in kinds:
        name = "%s.txt" % kind
        path = os.path.join(directory, name)
        if up_to_date(directory, name):
            print("gen-data: %s is up to date" % path, file=sys.stderr)
            continue
        make, seed = GENERATORS[kind]
        rng = Rng(seed * 1000003 + size_mb)
        size, count = write_lines_file(path, lambda _i: make(rng),
                                       limit_bytes=size_mb * MIB)
        print("gen-data: %s: %d bytes, %d lines" % (path, size, count),
              file=sys.stderr)
        changed = True
    if changed:
        write_manifest(directory)


def generate_lines(root, lines):
    directory = os.path.join(root, "lines")
    os.makedirs(directory, exist_ok=True)
    name = "lines-%d.txt" % lines
    path = os.path.join(directory, name)
    if up_to_date(directory, name):
        print("gen-data: %s is up to date" % path, file=sys.stderr)
        return
    size, count = write_lines_file(path, fixed_line, limit_lines=lines)
    print("gen-data: %s: %d bytes, %d lines" % (path, size, count),
          file=sys.stderr)
    write_manifest(directory)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", default=os.environ.get(
        "BENCH_DATA", "/tmp/vterm-bench-data"))
    parser.add_argument("--size-mb", type=int, action="append", default=[],
                        help="write the four corpus files of this many MiB")
    parser.add_argument("--files", default="ascii sgr utf8 progress",
                        help="which corpus files (space separated)")
    parser.add_argument("--lines", type=int, action="append", default=[],
                        help="write lines/lines-N.txt: N lines of 40 B")
    args = parser.parse_args()
    kinds = args.files.split()
    for kind in kinds:
        if kind not in GENERATORS:
            parser.error("unknown file kind %r (known: %s)"
                         % (kind, " ".join(GENERATORS)))
    if not args.size_mb and not args.lines:
        args.size_mb = [4]
    for size in args.size_mb:
        if size <= 0:
            parser.error("--size-mb must be positive")
        generate_sized(args.dir, size, kinds)
    for lines in args.lines:
        if lines <= 0:
            parser.error("--lines must be positive")
        generate_lines(args.dir, lines)


if __name__ == "__main__":
    main()
