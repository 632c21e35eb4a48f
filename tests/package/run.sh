#!/usr/bin/env bash
# tests/package/run.sh - install vterm from its package file, in each Emacs.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   tests/package/run.sh [EMACS...]      # default: emacs
#
# Builds the package archive as MELPA would (tools/build-package.el, from
# etc/vterm.recipe), then, for each EMACS, runs vterm-package-test.el in a
# fresh `emacs -Q --batch' whose HOME is an empty scratch directory: the
# archive is installed with `package-install-file', the first (vterm)
# compiles the module, and failed builds must name what to install.
# Ends with "package: N passed, N failed" (one per ERT test and Emacs);
# exits non-zero if anything failed.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -gt 0 ] || set -- emacs
scratch=$(mktemp -d "${TMPDIR:-/tmp}/vterm-package.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

pass=0 fail=0
# The archive is built once, by the first Emacs.
if ! tar=$("$1" -Q --batch -l "$ROOT/tools/build-package.el" \
             -f vterm-build-package-batch "$scratch/archive"); then
  echo "package: building the archive failed"
  echo "package: 0 passed, 1 failed"
  exit 1
fi
echo "package: archive $(basename "$tar"): $(tar -tf "$tar" | grep -cv '/$') files"

for emacs in "$@"; do
  version=$("$emacs" -Q --batch --eval '(princ emacs-version)')
  echo "== package test on Emacs $version ($emacs)"
  home=$(mktemp -d "$scratch/home.XXXXXX")
  log="$scratch/test-$version.log"
  (cd "$home" && HOME=$home VTERM_PACKAGE_TAR=$tar \
     "$emacs" -Q --batch -l "$ROOT/tests/package/vterm-package-test.el" \
     -f vterm-package-test-run) 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  # ERT's summary: "Ran N tests, M results as expected, K unexpected".
  line=$(grep -E '^Ran [0-9]+ tests?, [0-9]+ results? as expected' "$log" | tail -1)
  if [ -z "$line" ]; then
    echo "package: Emacs $version ran no tests"
    fail=$((fail + 1)); continue
  fi
  ok=$(sed -E 's/^Ran [0-9]+ tests?, ([0-9]+) results? as expected.*/\1/' <<<"$line")
  ran=$(sed -E 's/^Ran ([0-9]+) tests?.*/\1/' <<<"$line")
  pass=$((pass + ok)); fail=$((fail + ran - ok))
  if [ "$status" -ne 0 ] && [ "$ran" -eq "$ok" ]; then
    echo "package: Emacs $version exited with $status"
    fail=$((fail + 1))
  fi
done

echo "package: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
