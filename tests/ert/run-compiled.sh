#!/bin/sh
# run-compiled.sh - run ERT areas against byte-compiled vterm.el and tests.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
#
# This program is free software: you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the Free
# Software Foundation, either version 3 of the License, or (at your option)
# any later version.  See the LICENSE file for details.
#
# Usage: run-compiled.sh EMACS SOURCE-DIR [AREA...]
#   EMACS       the Emacs to use (e.g. emacs)
#   SOURCE-DIR  the checkout: vterm.el and the built vterm-module live there
#   AREA        test areas (vterm-test-AREA.el); default: render-faces quirks
#
# vterm.el, the helpers and the area files are copied into a scratch
# directory and byte-compiled there, so the checkout gets no .elc files.
# The module is still loaded from SOURCE-DIR.

set -eu

if [ $# -lt 2 ]; then
  echo "usage: $0 EMACS SOURCE-DIR [AREA...]" >&2
  exit 2
fi
emacs=$1
src=$(cd "$2" && pwd)
shift 2
[ $# -gt 0 ] || set -- render-faces quirks
tests=$src/tests/ert

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vterm-compiled.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/lisp" "$tmp/tests"

cp "$src/vterm.el" "$tmp/lisp/"
cp "$tests/vterm-test-helpers.el" "$tmp/tests/"
for area in "$@"; do
  cp "$tests/vterm-test-$area.el" "$tmp/tests/"
done

# -L keeps the given order: the copies are searched before SOURCE-DIR,
# which still provides the module.
# VTERM_MODULE_DIR: where the module was built, if not next to vterm.el.
mod=${VTERM_MODULE_DIR:-$src}
"$emacs" --batch -Q -L "$tmp/lisp" -L "$mod" -L "$src" \
  -f batch-byte-compile "$tmp/lisp/vterm.el"
"$emacs" --batch -Q -L "$tmp/tests" -L "$tmp/lisp" -L "$mod" -L "$src" \
  -f batch-byte-compile "$tmp/tests/"*.el

# The copied tests cannot find etc/ relative to themselves.
VTERM_TEST_BASH_INTEGRATION=${VTERM_TEST_BASH_INTEGRATION:-$src/etc/emacs-vterm-bash.sh}
export VTERM_TEST_BASH_INTEGRATION

status=0
for area in "$@"; do
  echo "== compiled: $area"
  # A preloaded sanitizer runtime (ASan builds) is for Emacs only, not for
  # the shells started in its terminals.
  "$emacs" --batch -Q --eval '(setenv "LD_PRELOAD")' -module-assertions \
    -L "$tmp/lisp" -L "$tmp/tests" -L "$mod" -L "$src" \
    -l "vterm-test-$area" \
    --eval '(let ((file (symbol-file (quote vterm-mode) (quote defun))))
              (unless (and file (string-suffix-p ".elc" file))
                (error "vterm was not loaded byte-compiled: %S" file))
              (unless (string-suffix-p ".elc" (symbol-file (quote vterm-test--call-with-term) (quote defun)))
                (error "The test helpers were not loaded byte-compiled")))' \
    -f ert-run-tests-batch-and-exit || status=1
done
exit $status
