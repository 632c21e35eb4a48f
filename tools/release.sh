#!/usr/bin/env bash
# tools/release.sh - build the Windows x86_64 release archive, reproducibly.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   tools/release.sh OUTDIR           # build OUTDIR/vterm-windows-x86_64-VERSION.zip
#                                     # and OUTDIR/SHA256SUMS
#   tools/release.sh --record OUTDIR  # build, then write the archive's SHA-256
#                                     # and size into vterm.el
#   tools/release.sh --check OUTDIR   # build, then fail unless vterm.el
#                                     # already records exactly that archive
#
# The archive holds vterm-module.dll, conpty-proxy.exe, a manifest
# (vterm-module-manifest.txt: version, libvterm version, the SHA-256 of every
# C source and build file it was built from, tools and flags) and the
# licences.  VERSION is the ";; Version:" header of vterm.el.  vterm.el itself
# is not an input, so recording the hash in it does not change the archive.
#
# Reproducible: the same sources and the same Debian packages give the same
# bytes, wherever the checkout is and whenever it runs.  The inputs are copied
# to a fresh temporary directory whose name is mapped away
# (-ffile-prefix-map), the PE headers carry no time stamp
# (--no-insert-timestamp), symbols are stripped, and the zip has fixed dates,
# modes and order.
#
# Needs (Debian: tools/deps.sh release): cmake, make, the mingw-w64 cross
# compiler, python3, emacs-module.h (emacs-common), and the libvterm 0.3.3
# release tarball: LIBVTERM_TARBALL=FILE, or Debian's identical orig tarball
# fetched by tools/deps.sh into $VTERM_CACHE_DIR (default /var/cache/vterm-ci,
# or ~/.cache/vterm when that is not writable).  Its SHA-256 must be the one
# cmake/libvterm.cmake pins.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
mode=build
case "${1:-}" in
  --record) mode=record; shift ;;
  --check) mode=check; shift ;;
esac
if [ $# -ne 1 ] || [ "${1#-}" != "$1" ]; then
  echo "usage: $0 [--record|--check] OUTDIR" >&2
  exit 2
fi
OUT=$1

die() { echo "release.sh: $*" >&2; exit 1; }

# ---- what to build ------------------------------------------------------------
VERSION=$(sed -n 's/^;; Version: *\([^ ]*\) *$/\1/p' "$ROOT/vterm.el" | head -1)
[ -n "$VERSION" ] || die "no ';; Version:' header in vterm.el"
NAME="vterm-windows-x86_64-$VERSION"
TRIPLET=x86_64-w64-mingw32
# The fixed time of every file in the archive (zip stores local time without
# a zone; 1980-01-01 is the earliest it can hold).
ZIP_DATE="1980,1,1,0,0,0"

for tool in cmake make "$TRIPLET-gcc" "$TRIPLET-strip" python3 sha256sum tar; do
  command -v "$tool" >/dev/null || die "$tool not found (Debian: tools/deps.sh release)"
done
EMACS_MODULE_H=${EMACS_MODULE_H:-/usr/include/emacs-module.h}
[ -f "$EMACS_MODULE_H" ] ||
  die "$EMACS_MODULE_H not found (Debian: apt-get install emacs-common, or set EMACS_MODULE_H)"

# ---- libvterm: the pinned release tarball ---------------------------------------
LIBVTERM_VERSION=$(sed -n 's|.*libvterm-\([0-9.]*\)\.tar\.gz".*|\1|p' "$ROOT/cmake/libvterm.cmake" | head -1)
LIBVTERM_SHA256=$(sed -n 's/.*"SHA256=\([0-9a-f]\{64\}\)".*/\1/p' "$ROOT/cmake/libvterm.cmake" | head -1)
if [ -z "$LIBVTERM_VERSION" ] || [ -z "$LIBVTERM_SHA256" ]; then
  die "cannot read the libvterm version and hash from cmake/libvterm.cmake"
fi

cache_dir() {
  local dir=${VTERM_CACHE_DIR:-/var/cache/vterm-ci}
  if ! mkdir -p "$dir" 2>/dev/null || [ ! -w "$dir" ]; then
    dir=${XDG_CACHE_HOME:-$HOME/.cache}/vterm
    mkdir -p "$dir"
  fi
  echo "$dir"
}

tarball=${LIBVTERM_TARBALL:-}
if [ -z "$tarball" ]; then
  cache=$(cache_dir)/libvterm
  tarball=$(find "$cache" -maxdepth 1 -name "libvterm_$LIBVTERM_VERSION*.orig.tar.gz" 2>/dev/null | head -1)
  if [ -z "$tarball" ]; then
    "$ROOT/tools/deps.sh" libvterm-src "$cache" >/dev/null ||
      die "could not fetch the libvterm $LIBVTERM_VERSION sources (set LIBVTERM_TARBALL=FILE)"
    tarball=$(find "$cache" -maxdepth 1 -name "libvterm_$LIBVTERM_VERSION*.orig.tar.gz" | head -1)
  fi
fi
[ -f "$tarball" ] || die "libvterm tarball $tarball not found"
got=$(sha256sum "$tarball" | cut -d' ' -f1)
[ "$got" = "$LIBVTERM_SHA256" ] ||
  die "$tarball has SHA-256 $got, but cmake/libvterm.cmake pins $LIBVTERM_SHA256"

# ---- the inputs, copied to a fresh directory ------------------------------------
# The C sources and the files that decide how they are built.  vterm.el,
# tests and documentation are not inputs.
inputs() {
  (cd "$ROOT" &&
   { if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
       git ls-files -- CMakeLists.txt cmake/libvterm.cmake cmake/mingw-w64-x86_64.cmake \
         '*.c' '*.h' conpty-proxy/CMakeLists.txt | grep -E '^(conpty-proxy/|cmake/)?[^/]+$'
     else
       printf '%s\n' CMakeLists.txt cmake/libvterm.cmake cmake/mingw-w64-x86_64.cmake ./*.c ./*.h \
         conpty-proxy/CMakeLists.txt conpty-proxy/*.c conpty-proxy/*.h | sed 's|^\./||'
     fi; } | LC_ALL=C sort)
}
mapfile -t files < <(inputs)
[ ${#files[@]} -gt 0 ] || die "no input files found in $ROOT"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
   [ -n "$(git -C "$ROOT" status --porcelain -- "${files[@]}")" ]; then
  echo "release.sh: warning: building uncommitted changes; a clean checkout gives another archive" >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vterm-release.XXXXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/libvterm"
(cd "$ROOT" && cp --parents -- "${files[@]}" "$work/src/")
cp "$EMACS_MODULE_H" "$work/emacs-module.h"
tar -xzf "$tarball" -C "$work/libvterm" --strip-components=1
[ -f "$work/libvterm/include/vterm.h" ] || die "$tarball is not a libvterm release"

# ---- build --------------------------------------------------------------------
CMAKE_ARGS=(-DCMAKE_BUILD_TYPE=Release -DUSE_SYSTEM_LIBVTERM=OFF -DVTERM_ARENA=AUTO
            -DVTERM_WERROR=ON)
C_FLAGS="-ffile-prefix-map=$work=."
# ld's automatic image base for DLLs hashes the output path: disable it.
LINK_FLAGS="-s -Wl,--no-insert-timestamp"
MODULE_LINK_FLAGS="$LINK_FLAGS -Wl,--disable-auto-image-base"
echo "release.sh: building $NAME" >&2
if ! cmake -S "$work/src" -B "$work/build" \
       "-DCMAKE_TOOLCHAIN_FILE=$work/src/cmake/mingw-w64-x86_64.cmake" \
       "${CMAKE_ARGS[@]}" "-DLIBVTERM_SOURCE_DIR=$work/libvterm" \
       "-DEMACS_MODULE_INCLUDE_DIR=$work" "-DVTERM_MODULE_OUTPUT_DIR=$work/out" \
       "-DCMAKE_C_FLAGS=$C_FLAGS" "-DCMAKE_EXE_LINKER_FLAGS=$LINK_FLAGS" \
       "-DCMAKE_MODULE_LINKER_FLAGS=$MODULE_LINK_FLAGS" \
       >"$work/build.log" 2>&1 ||
   ! cmake --build "$work/build" -j "${VTERM_JOBS:-2}" >>"$work/build.log" 2>&1; then
  tail -40 "$work/build.log" >&2
  die "the build failed"
fi
if grep -E ": warning:|^CMake Warning" -A4 "$work/build.log" >&2; then
  die "the build printed warnings"
fi
for f in vterm-module.dll conpty-proxy.exe; do
  [ -f "$work/out/$f" ] || die "the build made no $f"
done

# ---- manifest --------------------------------------------------------------------
pkgver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo unknown; }
{
  echo "name: vterm-windows-x86_64"
  echo "version: $VERSION"
  echo "target: x86_64-w64-mingw32 (64-bit Windows 10 1809 or later)"
  echo "libvterm: $LIBVTERM_VERSION (release tarball sha256 $LIBVTERM_SHA256)"
  echo "emacs-module.h: sha256 $(sha256sum "$work/emacs-module.h" | cut -d' ' -f1)"
  echo "sources-sha256: $(cd "$work/src" && sha256sum -- "${files[@]}" | sha256sum | cut -d' ' -f1)"
  echo "compiler: $("$TRIPLET-gcc" --version | head -1) (Debian gcc-mingw-w64-x86-64-win32 $(pkgver gcc-mingw-w64-x86-64-win32))"
  echo "binutils: $("$TRIPLET-ld" --version | head -1)"
  echo "mingw-w64: $(pkgver mingw-w64-x86-64-dev)"
  echo "cmake: $(cmake --version | head -1 | sed 's/^cmake version //') ${CMAKE_ARGS[*]}"
  echo "c-flags: $(sed -n 's/^CMAKE_C_FLAGS_RELEASE:[^=]*=//p' "$work/build/CMakeCache.txt") ${C_FLAGS//$work/<build root>}"
  echo "link-flags: conpty-proxy.exe: $LINK_FLAGS -municode -static-libgcc;" \
       "vterm-module.dll: $MODULE_LINK_FLAGS -static-libgcc -static"
  echo "zip: deflate level 9, zlib $(python3 -c 'import zlib; print(zlib.ZLIB_RUNTIME_VERSION)')"
  echo "licenses: vterm GPL-3.0-or-later (LICENSE.txt), libvterm MIT (LICENSE-libvterm.txt)"
  echo "source: the sources listed below, from the vterm repository at version $VERSION"
  echo "sources:"
  (cd "$work/src" && sha256sum -- "${files[@]}" | sed 's/^/  /')
  echo "files:"
  (cd "$work/out" && sha256sum -- conpty-proxy.exe vterm-module.dll | sed 's/^/  /')
} >"$work/out/vterm-module-manifest.txt"
cp "$ROOT/LICENSE" "$work/out/LICENSE.txt"
cp "$work/libvterm/LICENSE" "$work/out/LICENSE-libvterm.txt"

# ---- archive --------------------------------------------------------------------
mkdir -p "$OUT"
python3 - "$work/out" "$OUT/$NAME.zip" "$ZIP_DATE" <<'EOF'
import sys, zipfile
src, dest, date = sys.argv[1], sys.argv[2], tuple(int(x) for x in sys.argv[3].split(","))
names = ["LICENSE-libvterm.txt", "LICENSE.txt", "conpty-proxy.exe",
         "vterm-module-manifest.txt", "vterm-module.dll"]
with zipfile.ZipFile(dest + ".tmp", "w") as z:
    for name in names:
        info = zipfile.ZipInfo(name, date_time=date)
        info.create_system = 3  # Unix, so the modes below apply
        mode = 0o755 if name.endswith((".exe", ".dll")) else 0o644
        info.external_attr = (0o100000 | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(f"{src}/{name}", "rb") as f:
            z.writestr(info, f.read(), compresslevel=9)
EOF
mv "$OUT/$NAME.zip.tmp" "$OUT/$NAME.zip"
(cd "$OUT" && sha256sum "$NAME.zip" >SHA256SUMS)
SHA=$(cut -d' ' -f1 "$OUT/SHA256SUMS")
SIZE=$(stat -c %s "$OUT/$NAME.zip")
echo "release.sh: $OUT/$NAME.zip ($SIZE bytes)"
echo "release.sh: sha256 $SHA"

# ---- vterm.el's record of the hash ------------------------------------------------
# vterm--module-archive-sha256 in vterm.el: one entry per version,
#   ("VERSION" "SHA-256" SIZE)
record_tool() {
  python3 - "$ROOT/vterm.el" "$1" "$VERSION" "$SHA" "$SIZE" <<'EOF'
import os, re, sys
path, mode, version, sha, size = sys.argv[1:]
text = open(path, encoding="utf-8").read()
# The form's shape is fixed: the quoted list, a newline, the docstring.
form = re.compile(r"(\(defconst vterm--module-archive-sha256\n  ')\((.*?)\)(\n  \")",
                  re.S)
m = form.search(text)
if not m:
    sys.exit("release.sh: vterm.el has no (defconst vterm--module-archive-sha256 '(...) ...)")
recorded = {v: (s, n) for v, s, n in
            re.findall(r'\("([^"]+)" "([0-9a-f]{64})" ([0-9]+)\)', m.group(2))}
if mode == "check":
    if recorded.get(version) == (sha, size):
        print(f"release.sh: vterm.el records this archive for version {version}")
        sys.exit(0)
    have = recorded.get(version)
    have = f"{have[0]} ({have[1]} bytes)" if have else "no archive"
    print(f"release.sh: vterm.el records {have} for version {version},\n"
          f"but the archive built now is {sha} ({size} bytes).\n"
          "The C sources or the toolchain changed.  If version "
          f"{version} is already released, bump the Version header of vterm.el "
          "first; then run\n  tools/release.sh --record OUTDIR\nand commit vterm.el.",
          file=sys.stderr)
    sys.exit(1)
recorded[version] = (sha, size)
def key(v):
    return [int(p) if p.isdigit() else 0 for p in re.split(r"[.-]", v)]
entries = "\n    ".join(f'("{v}" "{s}" {n})' for v, (s, n) in
                          sorted(recorded.items(), key=lambda kv: key(kv[0]),
                                 reverse=True))
new = text[:m.start()] + m.group(1) + "(" + entries + ")" + m.group(3) + text[m.end():]
if new != text:
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(new)
    os.replace(path + ".tmp", path)
print(f"release.sh: vterm.el records {sha} ({size} bytes) for version {version}")
EOF
}
case $mode in
  record) record_tool record ;;
  check) record_tool check ;;
esac
