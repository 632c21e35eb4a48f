#!/usr/bin/env bash
# tools/deps.sh - install what building and testing vterm needs (Debian/Ubuntu).
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   tools/deps.sh build        # Emacs, libvterm, CMake, a C compiler
#   tools/deps.sh test         # + shells, clang, valgrind, mingw-w64, wine, tmux
#   tools/deps.sh libvterm-src DIR
#                              # unpack libvterm 0.3.3 sources (Debian's trixie
#                              # source package) into DIR; prints the tree path
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
TEST_PACKAGES=(bash zsh fish tmux clang libclang-rt-14-dev valgrind
               mingw-w64 wine wine64 dpkg-dev xxd python3 procps)

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

# trixie_src PACKAGE VERSION-REGEX: make Debian trixie's source package
# PACKAGE (with a version matching the regex) known to apt.
trixie_src() {
  local list=/etc/apt/sources.list.d/vterm-trixie-src.sources
  if ! apt-cache showsrc "$1" 2>/dev/null | grep -q "^Version: $2"; then
    if [ ! -f "$list" ]; then
      local mirror; mirror=$(debian_mirror)
      printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$mirror" | $SUDO tee "$list" >/dev/null
    fi
    $SUDO apt-get update -qq >&2
  fi
}

libvterm_src() {
  local dir=$1 tree
  tree=$(ls -d "$dir"/libvterm-0.3.3 2>/dev/null || true)
  if [ -n "$tree" ] && [ -f "$tree/include/vterm.h" ]; then echo "$tree"; return 0; fi
  mkdir -p "$dir"
  trixie_src libvterm '0\.3\.3'
  (cd "$dir" && apt-get source --download-only libvterm/trixie >&2)
  tar -xzf "$(ls "$dir"/libvterm_0.3.3*.orig.tar.gz | head -1)" -C "$dir"
  echo "$dir/libvterm-0.3.3"
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
    trixie_src emacs '1:30\.1+1-'
    # Only the orig tarball is needed; a stale .dsc may fail to download.
    (cd "$dir" && apt-get source --download-only emacs/trixie >&2) || true
    echo "$EMACS_W32_SHA256  $file" | sha256sum -c --status || {
      echo "deps.sh: $EMACS_W32_TARBALL missing or not the expected file" >&2; return 1; }
  fi
  echo "$file"
}

case "${1:-build}" in
  build) apt_install "${BUILD_PACKAGES[@]}" ;;
  test) apt_install "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" ;;
  libvterm-src) libvterm_src "${2:?directory}" ;;
  emacs-w32) apt_install "${EMACS_W32_PACKAGES[@]}" ;;
  emacs-w32-src) emacs_w32_src "${2:?directory}" ;;
  *) echo "usage: $0 build|test|emacs-w32|libvterm-src DIR|emacs-w32-src DIR" >&2; exit 2 ;;
esac
