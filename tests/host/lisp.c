/* lisp.c --- the evaluator of the module host

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

/* A small dynamically scoped Lisp: enough of Emacs Lisp to drive a
   module and state expectations about it.  This file is its core:
   dynamic binding, catch tags, eval, funcall and lambda, and lisp_init,
   which registers the special forms and builtins of the other Lisp units
   (lisp.h lists them).  */

#include "lisp.h"

#include <stdio.h>
#include <stdlib.h>

static int eval_depth;
#define MAX_EVAL_DEPTH 1600

Value *call_module_function(Value *fn, ptrdiff_t nargs, Value **args);

/* ------------------------------------------------------------------ */
/* Dynamic binding and catch tags                                       */
/* ------------------------------------------------------------------ */

typedef struct {
  Value *sym;
  Value *old; /* NULL: was void */
} SpecBinding;

static SpecBinding *specpdl;
static ptrdiff_t specpdl_n, specpdl_cap;
static Value **catch_tags;
static ptrdiff_t catch_n, catch_cap;
Value *lisp_current_form; /* top-level form being evaluated */

ptrdiff_t specpdl_depth(void) { return specpdl_n; }

Value *symbol_value(Value *sym) {
  if (!sym->u.sym.value)
    return xsignal(Qvoid_variable, cons(sym, Qnil));
  return sym->u.sym.value;
}

Value *set_symbol(Value *sym, Value *val) {
  if (!SYMBOLP(sym))
    return wrong_type("symbolp", sym);
  if (sym->special)
    return xsignal(Qsetting_constant, cons(sym, Qnil));
  sym->u.sym.value = val;
  return val;
}

Value *specbind(Value *sym, Value *val) {
  if (!SYMBOLP(sym))
    return wrong_type("symbolp", sym);
  if (sym->special)
    return xsignal(Qsetting_constant, cons(sym, Qnil));
  if (specpdl_n == specpdl_cap) {
    specpdl_cap = specpdl_cap ? specpdl_cap * 2 : 256;
    specpdl = xrealloc(specpdl, (size_t)specpdl_cap * sizeof *specpdl);
  }
  specpdl[specpdl_n].sym = sym;
  specpdl[specpdl_n].old = sym->u.sym.value;
  specpdl_n++;
  sym->u.sym.value = val;
  return val;
}

void unbind_to(ptrdiff_t count) {
  while (specpdl_n > count) {
    specpdl_n--;
    specpdl[specpdl_n].sym->u.sym.value = specpdl[specpdl_n].old;
  }
}

void lisp_mark_roots(void (*mark)(Value *)) {
  for (ptrdiff_t i = 0; i < specpdl_n; i++) {
    mark(specpdl[i].sym);
    mark(specpdl[i].old);
  }
  for (ptrdiff_t i = 0; i < catch_n; i++)
    mark(catch_tags[i]);
  mark(lisp_current_form);
}

int lisp_catch_active(Value *tag) {
  if (module_funcall_depth > 0)
    return 1;
  for (ptrdiff_t i = catch_n; i-- > 0;)
    if (eq(catch_tags[i], tag))
      return 1;
  return 0;
}

/* A throw with no catch becomes (no-catch TAG VALUE), as in Emacs.  */
static void check_throw(void) {
  if (host_exit.kind == EXIT_THROW && !lisp_catch_active(host_exit.sym)) {
    Value *tag = host_exit.sym, *val = host_exit.data;
    clear_exit();
    xsignal(Qno_catch, list2(tag, val));
  }
}

ptrdiff_t lisp_catch_push(Value *tag) {
  ptrdiff_t depth = catch_n;
  if (catch_n == catch_cap) {
    catch_cap = catch_cap ? catch_cap * 2 : 32;
    catch_tags = xrealloc(catch_tags, (size_t)catch_cap * sizeof *catch_tags);
  }
  catch_tags[catch_n++] = tag;
  return depth;
}

void lisp_catch_pop(ptrdiff_t depth) { catch_n = depth; }

int lisp_eval_depth(void) { return eval_depth; }

/* ------------------------------------------------------------------ */
/* Lists                                                                */
/* ------------------------------------------------------------------ */

Value *list_from(ptrdiff_t n, Value **items) {
  Value *l = Qnil;
  while (n-- > 0)
    l = cons(items[n], l);
  return l;
}

ptrdiff_t list_length(Value *l) {
  ptrdiff_t n = 0;
  while (CONSP(l))
    n++, l = XCDR(l);
  return NILP(l) ? n : -1;
}

Value *plist_get(Value *plist, Value *prop) {
  for (; CONSP(plist) && CONSP(XCDR(plist)); plist = XCDR(XCDR(plist)))
    if (eq(XCAR(plist), prop))
      return XCAR(XCDR(plist));
  return Qnil;
}

Value *lisp_nth(Value *l, ptrdiff_t n) {
  while (n-- > 0 && CONSP(l))
    l = XCDR(l);
  return CONSP(l) ? XCAR(l) : Qnil;
}

Value *funcall_sym(const char *name, ptrdiff_t nargs, Value **args) {
  return funcall(intern(name), nargs, args);
}

/* ------------------------------------------------------------------ */
/* Evaluator                                                            */
/* ------------------------------------------------------------------ */

Value *lisp_indirect_function(Value *f) {
  for (int i = 0; i < 100 && SYMBOLP(f) && !NILP(f); i++) {
    if (!f->u.sym.function)
      return NULL;
    f = f->u.sym.function;
  }
  return f;
}

Value *progn(Value *body) {
  Value *r = Qnil;
  for (; CONSP(body); body = XCDR(body)) {
    r = eval(XCAR(body));
    if (!r)
      return NULL;
  }
  return r;
}

static Value *apply_lambda(Value *fn, ptrdiff_t nargs, Value **args) {
  Value *params, *r;
  ptrdiff_t count = specpdl_depth(), i = 0;
  int optional = 0;
  if (!CONSP(XCDR(fn)))
    return xsignal(Qinvalid_function, cons(fn, Qnil));
  params = XCAR(XCDR(fn));
  for (; CONSP(params); params = XCDR(params)) {
    Value *p = XCAR(params);
    if (p == Qand_optional) {
      optional = 1;
      continue;
    }
    if (p == Qand_rest) {
      params = XCDR(params);
      if (!CONSP(params))
        break;
      if (!specbind(XCAR(params), list_from(nargs - i, args + i)))
        goto fail;
      i = nargs;
      params = Qnil;
      break;
    }
    if (i < nargs) {
      if (!specbind(p, args[i++]))
        goto fail;
    } else if (optional) {
      if (!specbind(p, Qnil))
        goto fail;
    } else {
      goto arity;
    }
  }
  if (i < nargs)
    goto arity;
  r = progn(XCDR(XCDR(fn)));
  unbind_to(count);
  return r;
arity:
  unbind_to(count);
  return xsignal(Qwrong_number_of_arguments, list2(fn, make_int(nargs)));
fail:
  unbind_to(count);
  return NULL;
}

Value *funcall(Value *fn, ptrdiff_t nargs, Value **args) {
  Value *f = lisp_indirect_function(fn), *r;
  if (!f || NILP(f))
    return xsignal(Qvoid_function, cons(fn, Qnil));
  if (++eval_depth > MAX_EVAL_DEPTH) {
    eval_depth--;
    return error_fmt("Lisp nesting exceeds `max-lisp-eval-depth'");
  }
  switch (f->type) {
  case V_BUILTIN:
    if (f->special) {
      r = xsignal(Qinvalid_function, cons(fn, Qnil));
      break;
    }
    if (nargs < f->u.bi.min || (f->u.bi.max >= 0 && nargs > f->u.bi.max)) {
      r = xsignal(Qwrong_number_of_arguments, list2(f, make_int(nargs)));
      break;
    }
    if (f->u.bi.inject > 0 && --f->u.bi.inject == 0) {
      r = error_fmt("host: injected failure in %s", f->u.bi.name);
      break;
    }
    r = f->u.bi.fn(nargs, args);
    break;
  case V_MODFUNC:
    if (nargs < f->u.mf.min || (f->u.mf.max >= 0 && nargs > f->u.mf.max)) {
      r = xsignal(Qwrong_number_of_arguments, list2(f, make_int(nargs)));
      break;
    }
    r = call_module_function(f, nargs, args);
    break;
  case V_CONS:
    if (XCAR(f) == Qlambda) {
      r = apply_lambda(f, nargs, args);
      break;
    }
    /* fall through */
  default:
    r = xsignal(Qinvalid_function, cons(fn, Qnil));
    break;
  }
  eval_depth--;
  if (!r)
    check_throw();
  return r;
}

Value *eval(Value *form) {
  Value *head, *f, *r;
  ptrdiff_t base, nargs = 0;
  if (SYMBOLP(form)) {
    if (form->u.sym.value)
      return form->u.sym.value;
    return xsignal(Qvoid_variable, cons(form, Qnil));
  }
  if (!CONSP(form))
    return form;
  head = XCAR(form);
  if (CONSP(head) && XCAR(head) == Qlambda)
    f = head;
  else if (SYMBOLP(head))
    f = lisp_indirect_function(head);
  else
    return xsignal(Qinvalid_function, cons(head, Qnil));
  if (!f || NILP(f))
    return xsignal(Qvoid_function, cons(head, Qnil));
  if (f->type == V_BUILTIN && f->special) {
    if (++eval_depth > MAX_EVAL_DEPTH) {
      eval_depth--;
      return error_fmt("Lisp nesting exceeds `max-lisp-eval-depth'");
    }
    r = f->u.bi.sf(XCDR(form));
    eval_depth--;
    return r;
  }
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
  r = funcall(ROOT(base), nargs, &root_stack[base + 1]);
  root_reset(base);
  return r;
}

void defspecials(const SpecialDef *defs, size_t n) {
  for (size_t i = 0; i < n; i++)
    defspecial(defs[i].name, defs[i].fn);
}

void defbuiltins(const BuiltinDef *defs, size_t n) {
  for (size_t i = 0; i < n; i++)
    defbuiltin(defs[i].name, defs[i].min, defs[i].max, defs[i].fn);
}

void lisp_register(const LispUnit *unit) {
  defspecials(unit->specials, unit->nspecials);
  defbuiltins(unit->builtins, unit->nbuiltins);
  if (unit->init)
    unit->init();
}

void lisp_init(void) {
  static const LispUnit *const units[] = {&special_unit, &testing_unit,
                                          &builtins_unit, &numbers_unit,
                                          &strings_unit};
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    lisp_register(units[i]);
  intern("emacs-major-version")->u.sym.value = make_int(28);
  intern("most-positive-fixnum")->u.sym.value =
      make_int(((intmax_t)1 << 61) - 1);
  intern("most-negative-fixnum")->u.sym.value = make_int(-((intmax_t)1 << 61));
  intern("emacs-version")->u.sym.value = make_cstring("28.2");
  intern("host-messages")->u.sym.value = Qnil;
  intern("host-quit-flag")->u.sym.value = Qnil;
  intern("vterm-host")->u.sym.value = Qt; /* unbound in real Emacs */
#ifdef _WIN32
  intern("system-type")->u.sym.value = intern("windows-nt");
#else
  intern("system-type")->u.sym.value = intern("gnu/linux");
#endif
}
