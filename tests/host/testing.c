/* testing.c --- test vocabulary and script runner of the module host

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

/* What a test script is made of: `should', `should-not', `should-equal',
   `should-error' (with :type), `skip-unless' and `deftest' (also
   `ert-deftest'), the host-* builtins that look inside the host
   (host-print, host-inject-error, host-make-user-ptr, ...), and
   run_script, which evaluates a file's forms at top level and counts
   failures.  */

#include "lisp.h"

#include <stdio.h>
#include <stdlib.h>

long tests_passed, tests_failed, tests_skipped;
int host_verbose;

static Value *Qert_test_failed, *Qhost_skip;

static int form_line(Value *form) {
  return CONSP(form) ? form->u.cons.line : 0;
}

static const char *script_file = "?";

static int failure_line;

static void report_failure(Value *form, const char *what, Value *detail) {
  char *f = value_repr(form, 1, 400);
  int line = form_line(form) ? form_line(form) : failure_line;
  fprintf(stderr, "FAIL %s:%d: %s\n     %s\n", script_file, line, f, what);
  free(f);
  if (detail) {
    char *d = value_repr(detail, 1, 2000);
    fprintf(stderr, "     => %s\n", d);
    free(d);
  }
}

/* Evaluate the assertion FORM.  When it is a function call, also keep
   the evaluated arguments in *ARGS (for the failure message).  */
static Value *eval_assertion(Value *form, Value **shown) {
  Value *head, *f, *r;
  ptrdiff_t base, nargs = 0;
  *shown = NULL;
  if (!CONSP(form) || !SYMBOLP(XCAR(form)))
    return eval(form);
  head = XCAR(form);
  f = lisp_indirect_function(head);
  if (!f || NILP(f) || f->type == V_CONS || (f->type == V_BUILTIN && f->special))
    return eval(form);
  base = root_push(f);
  for (Value *a = XCDR(form); CONSP(a); a = XCDR(a)) {
    Value *v = eval(XCAR(a));
    if (!v) {
      root_reset(base);
      return NULL;
    }
    root_push(v);
    nargs++;
  }
  *shown = list_from(nargs, &root_stack[base + 1]);
  root_push(*shown);
  r = funcall(ROOT(base), nargs, &root_stack[base + 1]);
  root_reset(base);
  return r;
}

static Value *assertion_failed(Value *form) {
  tests_failed++;
  return xsignal(Qert_test_failed, cons(form, Qnil));
}

static Value *should_common(Value *a, int negate) {
  Value *form = lisp_nth(a, 0), *shown, *r;
  ptrdiff_t base;
  int line = form_line(a);
  r = eval_assertion(form, &shown);
  failure_line = line;
  base = root_push(shown ? shown : Qnil);
  if (!r) {
    if (host_exit.kind == EXIT_SIGNAL && host_exit.sym == Qert_test_failed) {
      root_reset(base);
      return NULL;
    }
    Value *err = cons(host_exit.sym ? host_exit.sym : Qnil,
                      host_exit.data ? host_exit.data : Qnil);
    clear_exit();
    report_failure(form, "signalled", err);
    root_reset(base);
    return assertion_failed(form);
  }
  if (NILP(r) != negate) {
    report_failure(form, negate ? "should-not: non-nil" : "should: nil",
                   shown);
    root_reset(base);
    return assertion_failed(form);
  }
  root_reset(base);
  tests_passed++;
  return r;
}

static Value *sf_should(Value *a) { return should_common(a, 0); }
static Value *sf_should_not(Value *a) { return should_common(a, 1); }

static Value *sf_should_equal(Value *a) {
  Value *x, *y;
  ptrdiff_t base;
  int line = form_line(a);
  x = eval(lisp_nth(a, 0));
  failure_line = line;
  if (!x)
    goto error;
  base = root_push(x);
  y = eval(lisp_nth(a, 1));
  failure_line = line;
  if (!y) {
    root_reset(base);
    goto error;
  }
  root_push(y);
  if (!equal(x, y)) {
    Value *d = list2(x, y);
    report_failure(cons(intern("should-equal"), a), "not equal", d);
    root_reset(base);
    return assertion_failed(cons(intern("should-equal"), a));
  }
  root_reset(base);
  tests_passed++;
  return Qt;
error:
  if (host_exit.kind == EXIT_SIGNAL && host_exit.sym != Qert_test_failed) {
    Value *err = cons(host_exit.sym, host_exit.data);
    clear_exit();
    report_failure(cons(intern("should-equal"), a), "signalled", err);
    return assertion_failed(cons(intern("should-equal"), a));
  }
  return NULL;
}

/* (should-error FORM [:type TYPE]) where TYPE evaluates to a symbol or
   a list of symbols.  Returns (SYMBOL . DATA).  */
static Value *sf_should_error(Value *a) {
  Value *form = lisp_nth(a, 0), *type = Qnil, *r, *err;
  ptrdiff_t base;
  for (Value *k = CONSP(a) ? XCDR(a) : Qnil; CONSP(k) && CONSP(XCDR(k));
       k = XCDR(XCDR(k)))
    if (XCAR(k) == intern(":type")) {
      type = eval(XCAR(XCDR(k)));
      if (!type)
        return NULL;
    }
  base = root_push(type);
  {
    int line = form_line(a);
    r = eval(form);
    failure_line = line;
  }
  if (r) {
    report_failure(cons(intern("should-error"), a), "did not signal", r);
    root_reset(base);
    return assertion_failed(form);
  }
  if (host_exit.kind != EXIT_SIGNAL) {
    root_reset(base);
    return NULL; /* a throw passes through */
  }
  err = cons(host_exit.sym, host_exit.data);
  clear_exit();
  root_push(err);
  if (!NILP(type)) {
    int match = 0;
    if (SYMBOLP(type))
      match = error_is_a(XCAR(err), type);
    else
      for (Value *t = type; CONSP(t) && !match; t = XCDR(t))
        match = error_is_a(XCAR(err), XCAR(t));
    if (!match) {
      report_failure(cons(intern("should-error"), a),
                     "signalled an error of the wrong type", err);
      root_reset(base);
      return assertion_failed(form);
    }
  }
  root_reset(base);
  tests_passed++;
  return err;
}

static Value *sf_skip_unless(Value *a) {
  Value *c = eval(lisp_nth(a, 0));
  if (!c)
    return NULL;
  if (NILP(c))
    return xthrow(Qhost_skip, lisp_nth(a, 0));
  return Qt;
}

/* (deftest NAME [DOC] BODY...): run BODY now; an error or failed
   assertion aborts only this test.  */
static Value *sf_deftest(Value *a) {
  Value *name = lisp_nth(a, 0), *body = CONSP(a) ? XCDR(a) : Qnil, *r;
  long failed_before = tests_failed;
  ptrdiff_t n;
  if (CONSP(body) && STRINGP(XCAR(body)))
    body = XCDR(body);
  n = lisp_catch_push(Qhost_skip);
  r = progn(body);
  lisp_catch_pop(n);
  if (!r) {
    if (host_exit.kind == EXIT_THROW && host_exit.sym == Qhost_skip) {
      tests_skipped++;
      if (host_verbose)
        fprintf(stderr, "skip %s\n", SYMBOLP(name) ? name->u.sym.name : "?");
      clear_exit();
      return Qnil;
    }
    if (!(host_exit.kind == EXIT_SIGNAL && host_exit.sym == Qert_test_failed)) {
      Value *err = cons(host_exit.sym, host_exit.data);
      report_failure(cons(intern("deftest"), cons(name, Qnil)),
                     "error escaped from test body", err);
      tests_failed++;
    }
    clear_exit();
  }
  if (tests_failed != failed_before)
    fprintf(stderr, "FAIL test %s\n", SYMBOLP(name) ? name->u.sym.name : "?");
  else if (host_verbose)
    fprintf(stderr, "ok   test %s\n", SYMBOLP(name) ? name->u.sym.name : "?");
  return Qnil;
}

/* ---- host-* builtins ---- */

static Value *Fhost_print(ptrdiff_t nargs, Value **args) {
  for (ptrdiff_t i = 0; i < nargs; i++) {
    char *s = value_repr(args[i], !STRINGP(args[i]), 4000);
    fprintf(stderr, "%s%s", i ? " " : "", s);
    free(s);
  }
  fprintf(stderr, "\n");
  return Qnil;
}

/* (host-inject-error FN N): the Nth next call of builtin FN signals.  */
static Value *Fhost_inject_error(ptrdiff_t nargs, Value **args) {
  Value *f;
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  CHECK_INT(args[1]);
  f = args[0]->u.sym.function;
  if (!f || f->type != V_BUILTIN || f->special)
    return wrong_type("subrp", args[0]);
  f->u.bi.inject = (int)args[1]->u.i;
  return Qt;
}

static int host_ptr_finalized;
static void host_ptr_finalizer(void *p) {
  (void)p;
  host_ptr_finalized++;
}

/* (host-make-user-ptr): a user pointer owned by the host (not by the
   module), for type checks of the module's functions.  */
static Value *Fhost_make_user_ptr(ptrdiff_t nargs, Value **args) {
  static char dummy[64];
  (void)nargs;
  (void)args;
  return make_user_ptr(host_ptr_finalizer, dummy);
}

static Value *Fhost_finalized_count(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int((intmax_t)gc_finalized);
}

static Value *Fhost_live_objects(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int((intmax_t)gc_live_objects);
}

static Value *Fhost_module_calls(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(module_calls);
}

/* ---- scripts ---- */

static char *slurp(const char *file, size_t *len) {
  FILE *f = fopen(file, "rb");
  char *buf = NULL;
  size_t n = 0, cap = 0, got;
  if (!f)
    return NULL;
  do {
    if (n + 65536 > cap) {
      cap = (n + 65536) * 2;
      buf = xrealloc(buf, cap);
    }
    got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
  } while (got > 0);
  fclose(f);
  buf[n] = 0;
  *len = n;
  return buf;
}

/* Run FILE's forms at top level.  Returns the number of new failures,
   or -1 when the file cannot be read.  */
int run_script(const char *file) {
  size_t len;
  char *text = slurp(file, &len);
  const char *saved_file = script_file;
  Value *saved_form = lisp_current_form;
  long failed_before = tests_failed;
  ptrdiff_t base;
  Value *forms;
  int err;
  if (!text)
    return -1;
  script_file = file;
  intern("load-file-name")->u.sym.value = make_cstring(file);
  forms = read_all(text, len, file, &err);
  free(text);
  if (err)
    tests_failed++;
  base = root_push(forms);
  for (Value *l = forms; CONSP(l); l = XCDR(l)) {
    Value *r;
    lisp_current_form = XCAR(l);
    r = eval(XCAR(l));
    if (!r) {
      if (!(host_exit.kind == EXIT_SIGNAL &&
            host_exit.sym == Qert_test_failed)) {
        Value *err2 = cons(host_exit.sym ? host_exit.sym : Qnil,
                           host_exit.data ? host_exit.data : Qnil);
        char *d = value_repr(err2, 1, 2000);
        fprintf(stderr, "FAIL %s:%d: uncaught %s: %s\n", file, l->u.cons.line,
                host_exit.kind == EXIT_THROW ? "throw" : "error", d);
        free(d);
        tests_failed++;
      }
      clear_exit();
    }
    if (lisp_eval_depth() == 0)
      gc_maybe();
  }
  root_reset(base);
  lisp_current_form = saved_form;
  script_file = saved_file;
  return (int)(tests_failed - failed_before);
}

static void testing_init(void) {
  Qert_test_failed = intern("ert-test-failed");
  Qhost_skip = intern("host--skip");
}

static const SpecialDef specials[] = {
    {"should", sf_should},
    {"should-not", sf_should_not},
    {"should-equal", sf_should_equal},
    {"should-error", sf_should_error},
    {"skip-unless", sf_skip_unless},
    {"deftest", sf_deftest},
    {"ert-deftest", sf_deftest},
};

static const BuiltinDef builtins[] = {
    {"host-print", 0, -1, Fhost_print},
    {"host-inject-error", 2, 2, Fhost_inject_error},
    {"host-finalized-count", 0, 0, Fhost_finalized_count},
    {"host-make-user-ptr", 0, 0, Fhost_make_user_ptr},
    {"host-live-objects", 0, 0, Fhost_live_objects},
    {"host-module-calls", 0, 0, Fhost_module_calls},
};

const LispUnit testing_unit = {LISP_TABLE(specials), LISP_TABLE(builtins),
                               testing_init};
