#!/usr/bin/env bash
# tools/build-emacs.sh - a minimal Emacs 30 from Debian's source package, cached.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   tools/build-emacs.sh        # prints PREFIX: PREFIX/bin/emacs and
#                               # PREFIX/include/emacs-module.h
#
# The sources are trixie's `emacs' source package (upstream tarball plus
# Debian's patches), fetched by `tools/deps.sh trixie-src' from this
# machine's own mirror.  The build has no X, no native compilation and no
# optional libraries, only modules and threads: what vterm's tests need.
#
# It is installed into $VTERM_CACHE_DIR/emacs-<version>-<key>, outside the
# checkout, where <key> hashes the source tarballs and this script; a
# complete installation there is reused.  Concurrent runs wait for each
# other on a lock.  Progress goes to stderr, the build log to
# PREFIX.log.
#
# Environment: VTERM_CACHE_DIR (default /var/cache/vterm-ci), VTERM_JOBS
# (default 2), VTERM_NO_DEPS=1 to skip apt.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRIPT=$ROOT/tools/build-emacs.sh
CACHE=${VTERM_CACHE_DIR:-/var/cache/vterm-ci}
JOBS=${VTERM_JOBS:-2}
# Debian versions accepted from trixie: any 30.x.
VERSION_RE='1:30\.'

say() { printf 'build-emacs: %s\n' "$*" >&2; }

# Checks that PREFIX holds a working installation.
usable() {
  [ -f "$1/.complete" ] && [ -f "$1/include/emacs-module.h" ] &&
    [ "$("$1/bin/emacs" --batch -Q --eval '(princ (+ 1 2))' 2>/dev/null)" = 3 ]
}

# build ORIG DEBIAN PREFIX WORK: unpacks the tarballs, applies Debian's
# patches, configures for PREFIX, builds, and installs into WORK/stage.
build() {
  local orig=$1 debian=$2 prefix=$3 work=$4 tree patch
  tar -xf "$orig" -C "$work"
  tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d)
  tar -xf "$debian" -C "$tree"
  # Debian's patches, in order; among them the removal of the manuals
  # that are not free, which the build system must know about.
  while read -r patch; do
    case $patch in ''|'#'*) continue ;; esac
    patch -d "$tree" -p1 --quiet <"$tree/debian/patches/$patch"
  done <"$tree/debian/patches/series"
  cd "$tree"
  ./autogen.sh autoconf
  ./configure --prefix="$prefix" \
    --without-all --without-x --with-x-toolkit=no --without-ns \
    --with-modules --with-threads --without-native-compilation \
    --without-compress-install --without-gsettings --without-dbus \
    --without-selinux --without-gpm --without-sound --with-small-ja-dic
  make -j "$JOBS"
  make install DESTDIR="$work/stage"
}

# The whole script is one function, so that bash has read all of it
# before the build starts: editing the file meanwhile cannot break a run.
main() {
  local src orig debian version key prefix start work log status
  mkdir -p "$CACHE"
  if [ "${VTERM_NO_DEPS:-0}" != 1 ]; then
    "$ROOT/tools/deps.sh" emacs-build
  fi

  # The tarballs stay in the cache: the key needs them on every run.
  src=$("$ROOT/tools/deps.sh" trixie-src emacs "$VERSION_RE" "$CACHE/emacs-src" \
          2>"$CACHE/emacs-src.log") || {
    cat "$CACHE/emacs-src.log" >&2; say "could not get Emacs sources"; return 1; }
  orig=$(find "$src" -maxdepth 1 -name 'emacs_*.orig.tar.*' | sort | tail -1)
  debian=$(find "$src" -maxdepth 1 -name 'emacs_*.debian.tar.*' | sort | tail -1)
  if [ -z "$orig" ] || [ -z "$debian" ]; then say "incomplete sources in $src"; return 1; fi
  version=$(basename "$orig" | sed -E 's/^emacs_([0-9.]+).*/\1/')
  key=$(cat "$orig" "$debian" "$SCRIPT" | sha256sum | cut -c1-12)
  prefix=$CACHE/emacs-$version-$key

  if ! usable "$prefix"; then
    exec 9>"$CACHE/.emacs-build.lock"
    flock 9
  fi
  if usable "$prefix"; then   # cached, or built by the run we waited for
    say "cached: $prefix"
    echo "$prefix"; return 0
  fi

  start=$(date +%s)
  work=$(mktemp -d "$CACHE/emacs-build.XXXXXX")
  # shellcheck disable=SC2064 # $work is fixed now
  trap "rm -rf '$work'" EXIT
  log=$prefix.log
  say "building Emacs $version into $prefix (log: $log)"
  # A subshell of its own, so that errexit applies inside it.
  set +e
  (set -e; build "$orig" "$debian" "$prefix" "$work") >"$log" 2>&1
  status=$?
  set -e
  if [ "$status" -ne 0 ]; then
    tail -30 "$log" >&2; say "build failed (log: $log)"; return 1
  fi
  rm -rf "$prefix"
  mv "$work/stage$prefix" "$prefix"
  touch "$prefix/.complete"
  usable "$prefix" || { say "the installed Emacs does not run"; return 1; }
  say "built in $(( $(date +%s) - start )) s"
  echo "$prefix"
}

main "$@"
