# common.sh -- shell helpers shared by the run.sh of bench/throughput, bench/memory and bench/latency.
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
#
# Sourced (bash) with $top set to the repository root.  Defines:
#   bench_systems          the parsed SYSTEMS: arrays SYS_NAME SYS_LISP SYS_MODULE
#   bench_rotate N         print 0..count-1 rotated left by N (one per line)
#   bench_extra_eval NAME  EXTRA_EVAL_<NAME> (dashes as underscores) or EXTRA_EVAL
#   bench_snapshot DIR     copy each system's *.el and module into DIR/NAME
#                          and use the copies (unless SNAPSHOT=0)
#   bench_meta FILE        write machine / software / system fingerprints
#   bench_crash_line ERR   a failure message from an Emacs' stderr file
# shellcheck shell=bash

UPSTREAM_LISP=${UPSTREAM_LISP:-/usr/share/emacs/site-lisp/elpa-src/vterm-0.0.2}
UPSTREAM_MODULE=${UPSTREAM_MODULE:-/usr/lib/x86_64-linux-gnu/emacs-libvterm}
EMACS=${EMACS:-emacs}
DATA_DIR=${DATA_DIR:-/tmp/vterm-bench-data}
RESULTS_DIR=${RESULTS_DIR:-/tmp/vterm-bench-results}
export BENCH_DATA=$DATA_DIR

# SYSTEMS entries: NAME=vterm:LISP_DIR[:MODULE_DIR], NAME=upstream,
# NAME=new, or a bare `upstream' / `new'.
# shellcheck disable=SC2154 # $top is set by the sourcing script
bench_systems() {
  SYS_NAME=() SYS_LISP=() SYS_MODULE=() SYS_ORIGIN=()
  local entry name spec lisp module
  for entry in ${SYSTEMS:-upstream new}; do
    case $entry in
      *=*) name=${entry%%=*} spec=${entry#*=} ;;
      *) name=$entry spec=$entry ;;
    esac
    case $spec in
      upstream) lisp=$UPSTREAM_LISP module=$UPSTREAM_MODULE ;;
      new) lisp=$top module=$top ;;
      vterm:*)
        spec=${spec#vterm:}
        lisp=${spec%%:*}
        case $spec in *:*) module=${spec#*:} ;; *) module=$lisp ;; esac ;;
      *) echo "bench: cannot parse system '$entry'" \
              "(want NAME=vterm:LISP_DIR:MODULE_DIR)" >&2
         return 1 ;;
    esac
    case $name in
      *[!A-Za-z0-9_-]*|'') echo "bench: bad system name '$name'" >&2; return 1 ;;
    esac
    if [ ! -f "$lisp/vterm.el" ]; then
      echo "bench: $name: no vterm.el in $lisp" >&2; return 1
    fi
    if [ ! -f "$module/vterm-module.so" ]; then
      echo "bench: $name: no vterm-module.so in $module" \
           "(build it first; the benchmark never compiles)" >&2
      return 1
    fi
    case $(ldd "$module/vterm-module.so" 2>/dev/null || true) in
      *libasan*|*libubsan*|*libtsan*)
        echo "bench: WARNING: $name's module is a sanitizer build;" \
             "it will not load into a plain Emacs, and would not be" \
             "representative if it did" >&2 ;;
    esac
    SYS_NAME+=("$name") SYS_LISP+=("$lisp") SYS_MODULE+=("$module")
    SYS_ORIGIN+=("lisp $lisp, module $module/vterm-module.so")
  done
}

# Other people rebuild the module and edit vterm.el while a run is going
# on; a copy taken at the start keeps every repetition on the same code.
bench_snapshot() {
  local i dest
  [ "${SNAPSHOT:-1}" = 0 ] && return 0
  for ((i = 0; i < ${#SYS_NAME[@]}; i++)); do
    dest=$1/${SYS_NAME[i]}
    rm -rf "$dest"
    mkdir -p "$dest"
    cp -p "${SYS_LISP[i]}"/*.el "$dest/"
    cp -p "${SYS_MODULE[i]}/vterm-module.so" "$dest/"
    SYS_LISP[i]=$dest SYS_MODULE[i]=$dest
  done
}

bench_rotate() {
  local n=${#SYS_NAME[@]} i
  for ((i = 0; i < n; i++)); do echo $(((i + $1) % n)); done
}

bench_extra_eval() {
  local var="EXTRA_EVAL_${1//-/_}"
  printf '%s' "${!var:-${EXTRA_EVAL:-}}"
}

bench_meta() {
  local i deps
  {
    echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "host: $(uname -srm); $(nproc) CPUs;" \
         "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
    echo "memory: $(grep MemTotal /proc/meminfo | awk '{print $2}') kB"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "emacs: $("$EMACS" --version | head -n 1)"
    echo "libvterm (system): $(dpkg-query -W -f '${Version}' libvterm0 2>/dev/null || echo unknown)"
    for ((i = 0; i < ${#SYS_NAME[@]}; i++)); do
      echo "system ${SYS_NAME[i]}: ${SYS_ORIGIN[i]}"
      echo "  run from: ${SYS_LISP[i]}"
      echo "  vterm.el sha256 $(sha256sum < "${SYS_LISP[i]}/vterm.el" | cut -c1-16)," \
           "module sha256 $(sha256sum < "${SYS_MODULE[i]}/vterm-module.so" | cut -c1-16)" \
           "mtime $(date -u -r "${SYS_MODULE[i]}/vterm-module.so" '+%Y-%m-%d %H:%M:%S')"
      deps=$(ldd "${SYS_MODULE[i]}/vterm-module.so" 2>/dev/null || true)
      case $deps in
        *libasan*|*libubsan*|*libtsan*)
        echo "  WARNING: sanitizer build (timings and RSS are meaningless)" ;;
      esac
      case $deps in
        *libvterm*)
        echo "  libvterm: shared, $(printf '%s\n' "$deps" | awk '/libvterm/ {print $3}')" ;;
        *)
        echo "  libvterm: linked statically (see module-info in the raw lines)" ;;
      esac
    done
  } > "$1"
}

# The last meaningful stderr line of an Emacs that printed no result, for
# the `error' field of its crash line.
bench_crash_line() {
  grep -v '^Loading ' "$1" | tail -n 1 | tr '\t' ' ' | cut -c1-200
}
