/* special.c --- special forms of the module host

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

/* The special forms test scripts use, with Emacs' semantics: quote,
   progn, setq, if, cond, let, while, dolist, defun, condition-case,
   catch, unwind-protect...  The test vocabulary's forms (should,
   deftest) are in testing.c.  */

#include "lisp.h"

static Value *sf_quote(Value *a) { return CONSP(a) ? XCAR(a) : Qnil; }

static Value *sf_progn(Value *a) { return progn(a); }

static Value *sf_prog1(Value *a) {
  Value *r;
  ptrdiff_t base;
  if (!CONSP(a))
    return Qnil;
  r = eval(XCAR(a));
  if (!r)
    return NULL;
  base = root_push(r);
  if (!progn(XCDR(a))) {
    root_reset(base);
    return NULL;
  }
  r = ROOT(base);
  root_reset(base);
  return r;
}

static Value *sf_setq(Value *a) {
  Value *v = Qnil;
  while (CONSP(a) && CONSP(XCDR(a))) {
    v = eval(XCAR(XCDR(a)));
    if (!v || !set_symbol(XCAR(a), v))
      return NULL;
    a = XCDR(XCDR(a));
  }
  return v;
}

static Value *sf_if(Value *a) {
  Value *c = eval(lisp_nth(a, 0));
  if (!c)
    return NULL;
  if (!NILP(c))
    return eval(lisp_nth(a, 1));
  return progn(CONSP(XCDR(a)) ? XCDR(XCDR(a)) : Qnil);
}

static Value *sf_when(Value *a) {
  Value *c = eval(lisp_nth(a, 0));
  if (!c)
    return NULL;
  return NILP(c) ? Qnil : progn(XCDR(a));
}

static Value *sf_unless(Value *a) {
  Value *c = eval(lisp_nth(a, 0));
  if (!c)
    return NULL;
  return NILP(c) ? progn(XCDR(a)) : Qnil;
}

static Value *sf_cond(Value *a) {
  for (; CONSP(a); a = XCDR(a)) {
    Value *clause = XCAR(a), *c;
    if (!CONSP(clause))
      continue;
    c = eval(XCAR(clause));
    if (!c)
      return NULL;
    if (!NILP(c))
      return CONSP(XCDR(clause)) ? progn(XCDR(clause)) : c;
  }
  return Qnil;
}

static Value *sf_and(Value *a) {
  Value *r = Qt;
  for (; CONSP(a); a = XCDR(a)) {
    r = eval(XCAR(a));
    if (!r || NILP(r))
      return r;
  }
  return r;
}

static Value *sf_or(Value *a) {
  for (; CONSP(a); a = XCDR(a)) {
    Value *r = eval(XCAR(a));
    if (!r || !NILP(r))
      return r;
  }
  return Qnil;
}

static Value *sf_while(Value *a) {
  for (;;) {
    Value *c = eval(lisp_nth(a, 0));
    if (!c)
      return NULL;
    if (NILP(c))
      return Qnil;
    if (!progn(XCDR(a)))
      return NULL;
  }
}

static Value *let_common(Value *a, int sequential) {
  ptrdiff_t count = specpdl_depth(), base = root_sp, n = 0;
  Value *r;
  for (Value *b = lisp_nth(a, 0); CONSP(b); b = XCDR(b)) {
    Value *binding = XCAR(b), *sym = binding, *v = Qnil;
    if (CONSP(binding)) {
      sym = XCAR(binding);
      v = eval(lisp_nth(binding, 1));
      if (!v)
        goto fail;
    }
    if (sequential) {
      if (!specbind(sym, v))
        goto fail;
    } else {
      root_push(sym);
      root_push(v);
      n++;
    }
  }
  for (ptrdiff_t i = 0; i < n; i++)
    if (!specbind(root_stack[base + 2 * i], root_stack[base + 2 * i + 1]))
      goto fail;
  root_reset(base);
  r = progn(CONSP(a) ? XCDR(a) : Qnil);
  unbind_to(count);
  return r;
fail:
  root_reset(base);
  unbind_to(count);
  return NULL;
}

static Value *sf_let(Value *a) { return let_common(a, 0); }
static Value *sf_let_star(Value *a) { return let_common(a, 1); }

/* (dotimes (VAR COUNT [RESULT]) BODY...) and (dolist (VAR LIST [RESULT])
   BODY...).  */
static Value *sf_dotimes(Value *a) {
  Value *spec = lisp_nth(a, 0), *var = lisp_nth(spec, 0), *n, *r;
  ptrdiff_t count = specpdl_depth();
  n = eval(lisp_nth(spec, 1));
  if (!n)
    return NULL;
  CHECK_INT(n);
  if (!specbind(var, Qnil))
    return NULL;
  for (intmax_t i = 0; i < n->u.i; i++) {
    var->u.sym.value = make_int(i);
    if (!progn(XCDR(a))) {
      unbind_to(count);
      return NULL;
    }
  }
  r = eval(lisp_nth(spec, 2));
  unbind_to(count);
  return r;
}

static Value *sf_dolist(Value *a) {
  Value *spec = lisp_nth(a, 0), *var = lisp_nth(spec, 0), *l, *r;
  ptrdiff_t count = specpdl_depth(), base;
  l = eval(lisp_nth(spec, 1));
  if (!l)
    return NULL;
  CHECK_LIST(l);
  base = root_push(l);
  if (!specbind(var, Qnil)) {
    root_reset(base);
    return NULL;
  }
  for (; CONSP(ROOT(base)); ROOT(base) = XCDR(ROOT(base))) {
    var->u.sym.value = XCAR(ROOT(base));
    if (!progn(XCDR(a))) {
      unbind_to(count);
      root_reset(base);
      return NULL;
    }
  }
  root_reset(base);
  r = eval(lisp_nth(spec, 2));
  unbind_to(count);
  return r;
}

static Value *sf_function(Value *a) { return lisp_nth(a, 0); }

static Value *sf_lambda(Value *a) { return cons(Qlambda, a); }

static Value *sf_defun(Value *a) {
  Value *name = lisp_nth(a, 0);
  CHECK_SYMBOL(name);
  name->u.sym.function = cons(Qlambda, XCDR(a));
  return name;
}

static Value *sf_defvar(Value *a) {
  Value *sym = lisp_nth(a, 0);
  CHECK_SYMBOL(sym);
  if (!sym->u.sym.value && CONSP(XCDR(a))) {
    Value *v = eval(lisp_nth(a, 1));
    if (!v)
      return NULL;
    sym->u.sym.value = v;
  }
  return sym;
}

static Value *sf_defconst(Value *a) {
  Value *sym = lisp_nth(a, 0), *v;
  CHECK_SYMBOL(sym);
  v = eval(lisp_nth(a, 1));
  if (!v)
    return NULL;
  sym->u.sym.value = v;
  return sym;
}

/* (push X SYM), (pop SYM), (incf SYM [N]): PLACE must be a symbol.  */
static Value *sf_push(Value *a) {
  Value *x = eval(lisp_nth(a, 0)), *sym = lisp_nth(a, 1), *old;
  if (!x)
    return NULL;
  CHECK_SYMBOL(sym);
  if (!(old = symbol_value(sym)))
    return NULL;
  return set_symbol(sym, cons(x, old));
}

static Value *sf_pop(Value *a) {
  Value *sym = lisp_nth(a, 0), *old;
  CHECK_SYMBOL(sym);
  if (!(old = symbol_value(sym)))
    return NULL;
  if (!CONSP(old))
    return Qnil;
  if (!set_symbol(sym, XCDR(old)))
    return NULL;
  return XCAR(old);
}

static Value *sf_incf(Value *a) {
  Value *sym = lisp_nth(a, 0), *old, *d = make_int(1);
  CHECK_SYMBOL(sym);
  if (CONSP(XCDR(a)) && !(d = eval(lisp_nth(a, 1))))
    return NULL;
  if (!(old = symbol_value(sym)))
    return NULL;
  CHECK_INT(old);
  CHECK_INT(d);
  return set_symbol(sym, make_int(old->u.i + d->u.i));
}

static Value *sf_condition_case(Value *a) {
  Value *var = lisp_nth(a, 0), *r, *handlers = CONSP(a) ? XCDR(a) : Qnil;
  ptrdiff_t count = specpdl_depth(), base;
  r = eval(lisp_nth(a, 1));
  if (r) {
    for (Value *h = CONSP(handlers) ? XCDR(handlers) : Qnil; CONSP(h);
         h = XCDR(h))
      if (CONSP(XCAR(h)) && XCAR(XCAR(h)) == intern(":success")) {
        base = root_push(r);
        if (!NILP(var) && !specbind(var, r)) {
          root_reset(base);
          return NULL;
        }
        root_reset(base);
        r = progn(XCDR(XCAR(h)));
        unbind_to(count);
        return r;
      }
    return r;
  }
  if (host_exit.kind != EXIT_SIGNAL)
    return NULL;
  for (Value *h = CONSP(handlers) ? XCDR(handlers) : Qnil; CONSP(h);
       h = XCDR(h)) {
    Value *conds = CONSP(XCAR(h)) ? XCAR(XCAR(h)) : Qnil;
    int match = 0;
    if (SYMBOLP(conds))
      match = !NILP(conds) && error_is_a(host_exit.sym, conds);
    else
      for (; CONSP(conds) && !match; conds = XCDR(conds))
        match = error_is_a(host_exit.sym, XCAR(conds));
    if (match) {
      Value *err = cons(host_exit.sym, host_exit.data);
      clear_exit();
      base = root_push(err);
      if (!NILP(var) && !specbind(var, err)) {
        root_reset(base);
        return NULL;
      }
      root_reset(base);
      r = progn(XCDR(XCAR(h)));
      unbind_to(count);
      return r;
    }
  }
  return NULL;
}

static Value *sf_catch(Value *a) {
  Value *tag = eval(lisp_nth(a, 0)), *r;
  ptrdiff_t n;
  if (!tag)
    return NULL;
  n = lisp_catch_push(tag);
  r = progn(XCDR(a));
  lisp_catch_pop(n);
  if (!r && host_exit.kind == EXIT_THROW && eq(host_exit.sym, tag)) {
    r = host_exit.data;
    clear_exit();
  }
  return r;
}

static Value *sf_unwind_protect(Value *a) {
  Value *r = eval(lisp_nth(a, 0));
  struct HostExit saved = host_exit;
  ptrdiff_t base = root_push(r ? r : Qnil);
  root_push(saved.sym);
  root_push(saved.data);
  clear_exit();
  if (!progn(XCDR(a))) {
    root_reset(base);
    return NULL;
  }
  host_exit = saved;
  r = r ? ROOT(base) : NULL;
  root_reset(base);
  return r;
}

static Value *sf_ignore_errors(Value *a) {
  Value *r = progn(a);
  if (!r && host_exit.kind == EXIT_SIGNAL) {
    clear_exit();
    return Qnil;
  }
  return r;
}

static Value *sf_ignore(Value *a) {
  (void)a;
  return Qnil;
}

static const SpecialDef specials[] = {
    {"quote", sf_quote},
    {"function", sf_function},
    {"progn", sf_progn},
    {"prog1", sf_prog1},
    {"setq", sf_setq},
    {"setq-local", sf_setq},
    {"if", sf_if},
    {"when", sf_when},
    {"unless", sf_unless},
    {"cond", sf_cond},
    {"and", sf_and},
    {"or", sf_or},
    {"while", sf_while},
    {"let", sf_let},
    {"let*", sf_let_star},
    {"dotimes", sf_dotimes},
    {"dolist", sf_dolist},
    {"lambda", sf_lambda},
    {"defun", sf_defun},
    {"defvar", sf_defvar},
    {"defvar-local", sf_defvar},
    {"defconst", sf_defconst},
    {"push", sf_push},
    {"pop", sf_pop},
    {"incf", sf_incf},
    {"cl-incf", sf_incf},
    {"condition-case", sf_condition_case},
    {"catch", sf_catch},
    {"unwind-protect", sf_unwind_protect},
    {"ignore-errors", sf_ignore_errors},
    {"declare", sf_ignore},
    {"interactive", sf_ignore},
};

const LispUnit special_unit = {LISP_TABLE(specials), NULL, 0, NULL};
