/* fuzz-host.c --- drive vterm-module through the headless host from a fuzzer

Copyright (C) 2026 The emacs-libvterm-win contributors

This program is free software: you can redistribute it and/or modify
it under the terms of the GNU General Public License as published by
the Free Software Foundation, either version 3 of the License, or
(at your option) any later version.

This program is distributed in the hope that it will be useful,
but WITHOUT ANY WARRANTY; without even the implied warranty of
MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
GNU General Public License for more details.

You should have received a copy of the GNU General Public License
along with this program.  If not, see <https://www.gnu.org/licenses/>.  */

/* The host (tests/host, built with VTERM_HOST_NO_MAIN) provides the
   values, the emacs_env and the Lisp functions; this file only makes
   the calls.  The terminal value stays on the host's root stack while
   an input runs.  */

#include "fuzz-host.h"

#include "host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef VTERM_FUZZ_LINKED_MODULE
int emacs_module_init(struct emacs_runtime *rt);
#endif

static Value *term;
static ptrdiff_t term_root;
static Buffer *term_buffer;
static Value *buffer_value;

static void die(const char *what) {
  char *e = value_repr(cons(host_exit.sym ? host_exit.sym : Qnil,
                            host_exit.data ? host_exit.data : Qnil),
                       1, 2000);
  fprintf(stderr, "fuzz-host: %s: %s\n", what, e);
  free(e);
  abort();
}

void fuzz_host_setup(void) {
  static int done;
  const char *file = getenv("VTERM_FUZZ_MODULE");
  if (done)
    return;
  done = 1;
  host_init();
  if (file && *file) {
    if (!module_load(file))
      die("module-load");
  } else {
#ifdef VTERM_FUZZ_LINKED_MODULE
    if (!module_init_linked(emacs_module_init))
      die("emacs_module_init");
#else
    fprintf(stderr, "fuzz-host: set VTERM_FUZZ_MODULE to a module file\n");
    abort();
#endif
  }
  /* Redraws and resizes happen with inhibit-read-only bound in vterm.el. */
  intern("inhibit-read-only")->u.sym.value = Qt;
  /* Keep nothing from earlier inputs in the recording variables.  */
  term_root = root_push(Qnil);
}

/* Calls FN with N values; clears and reports a Lisp error as NULL.  */
static Value *call(const char *fn, ptrdiff_t n, Value **args) {
  ptrdiff_t base = root_sp;
  Value *r;
  for (ptrdiff_t i = 0; i < n; i++)
    root_push(args[i]);
  r = funcall(intern(fn), n, &root_stack[base]);
  root_reset(base);
  if (!r) {
    Value *sym = host_exit.sym;
    /* A module must signal only ordinary errors here.  */
    if (host_exit.kind != EXIT_SIGNAL || !error_is_a(sym, Qerror))
      die(fn);
    clear_exit();
  }
  return r;
}

int fuzz_term_new(long rows, long cols, long sb) {
  Value *args[8];
  Value *b = funcall_sym("generate-new-buffer", 1,
                         (Value *[]){make_cstring("fuzz")});
  if (!b)
    die("generate-new-buffer");
  buffer_value = b;
  root_push(b);
  funcall_sym("set-buffer", 1, &b);
  term_buffer = current_buffer();
  args[0] = make_int(rows);
  args[1] = make_int(cols);
  args[2] = make_int(sb);
  for (int i = 3; i < 8; i++)
    args[i] = Qnil;
  term = call("vterm--new", 8, args);
  ROOT(term_root) = term ? term : Qnil;
  if (term) { /* as vterm-mode does: mode 2026 honoured; colour sets too
               * (off by default), for osc.c's coverage */
    Value *sync[2] = {term, Qt};
    call("vterm--set-synchronized-output", 2, sync);
    Value *opts[3] = {term, make_int(0), Qt};
    call("vterm--set-osc-options", 3, opts);
  }
  return term != NULL;
}

int fuzz_write(const uint8_t *bytes, size_t len) {
  Value *args[2] = {term, make_string((const char *)bytes, (ptrdiff_t)len, 0)};
  return call("vterm--write-input", 2, args) != NULL;
}

int fuzz_update(const char *key, int shift, int meta, int ctrl) {
  Value *args[5] = {term, key ? make_cstring(key) : Qnil, shift ? Qt : Qnil,
                    meta ? Qt : Qnil, ctrl ? Qt : Qnil};
  int r = call("vterm--update", key ? 5 : 1, args) != NULL;
  host_output_len = 0;
  return r;
}

int fuzz_redraw(void) {
  Value *args[1] = {term};
  return call("vterm--redraw", 1, args) != NULL;
}

int fuzz_resize(long rows, long cols) {
  Value *args[3] = {term, make_int(rows), make_int(cols)};
  return call("vterm--set-size", 3, args) != NULL;
}

int fuzz_reset_point(void) {
  Value *args[1] = {term};
  return call("vterm--reset-point", 1, args) != NULL;
}

int fuzz_get_pwd(long line) {
  Value *args[2] = {term, make_int(line)};
  Value *r = call("vterm--get-pwd-raw", 2, args);
  if (r && !NILP(r) && (!STRINGP(r) || !utf8_valid(r->u.str.data,
                                                   r->u.str.len)))
    die("vterm--get-pwd-raw returned a bad value");
  return r != NULL;
}

/* Every string the module handed to Lisp must be valid UTF-8.  */
static void check_strings(Value *list, const char *what) {
  for (; CONSP(list); list = XCDR(list)) {
    Value *s = XCAR(list);
    if (CONSP(s)) /* (MASK DATA) of a selection */
      s = CONSP(XCDR(s)) ? XCAR(XCDR(s)) : Qnil;
    if (STRINGP(s) && !utf8_valid(s->u.str.data, s->u.str.len)) {
      fprintf(stderr, "fuzz-host: invalid UTF-8 passed to %s\n", what);
      abort();
    }
  }
}

void fuzz_term_end(void) {
  static const char *recorded[] = {"host-titles", "host-directories",
                                   "host-evals", "host-selections",
                                   "host-messages"};
  Value *text;
  if (term && current_buffer() == term_buffer) {
    text = funcall_sym("buffer-string", 0, NULL);
    if (!text)
      die("buffer-string");
    if (!utf8_valid(text->u.str.data, text->u.str.len)) {
      fprintf(stderr, "fuzz-host: the buffer holds invalid UTF-8\n");
      abort();
    }
  }
  for (size_t i = 0; i < sizeof recorded / sizeof recorded[0]; i++) {
    Value *sym = intern(recorded[i]);
    check_strings(sym->u.sym.value, recorded[i]);
    sym->u.sym.value = Qnil;
  }
  host_output_len = 0;
  term = NULL;
  ROOT(term_root) = Qnil;
  if (buffer_value) {
    funcall_sym("kill-buffer", 1, &buffer_value);
    clear_exit();
    buffer_value = NULL;
  }
  root_reset(term_root + 1);
  gc_collect();
}
