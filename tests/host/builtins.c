/* builtins.c --- general builtins of the module host

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

/* Lists, equality and type predicates, symbols and their values,
   functions (funcall, apply, eval, func-arity), errors and throws,
   features, module loading and garbage collection.  */

#include "lisp.h"

#include <stdio.h>
#include <stdlib.h>

static Value *Qfeatures;

static Value *Fcons(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return cons(args[0], args[1]);
}
static Value *Fcar(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_LIST(args[0]);
  return CONSP(args[0]) ? XCAR(args[0]) : Qnil;
}
static Value *Fcdr(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_LIST(args[0]);
  return CONSP(args[0]) ? XCDR(args[0]) : Qnil;
}
static Value *Fcar_safe(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return CONSP(args[0]) ? XCAR(args[0]) : Qnil;
}
static Value *Fcdr_safe(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return CONSP(args[0]) ? XCDR(args[0]) : Qnil;
}
static Value *Fcadr(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return lisp_nth(args[0], 1);
}
static Value *Fcaddr(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return lisp_nth(args[0], 2);
}
static Value *Fsetcar(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK(CONSP(args[0]), "consp", args[0]);
  return XCAR(args[0]) = args[1];
}
static Value *Fsetcdr(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK(CONSP(args[0]), "consp", args[0]);
  return XCDR(args[0]) = args[1];
}
static Value *Flist(ptrdiff_t nargs, Value **args) {
  return list_from(nargs, args);
}

static Value *Flength(ptrdiff_t nargs, Value **args) {
  Value *s = args[0];
  (void)nargs;
  switch (s->type) {
  case V_STRING:
    return make_int(s->u.str.nchars);
  case V_VECTOR:
    return make_int(s->u.vec.size);
  case V_CONS:
  case V_SYMBOL: {
    ptrdiff_t n;
    if (SYMBOLP(s) && !NILP(s))
      break;
    n = list_length(s);
    if (n < 0)
      return wrong_type("listp", s);
    return make_int(n);
  }
  default:
    break;
  }
  return wrong_type("sequencep", s);
}

static Value *Fnth(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_INT(args[0]);
  CHECK_LIST(args[1]);
  return lisp_nth(args[1], (ptrdiff_t)args[0]->u.i);
}

static Value *Fnthcdr(ptrdiff_t nargs, Value **args) {
  Value *l = args[1];
  (void)nargs;
  CHECK_INT(args[0]);
  for (intmax_t i = 0; i < args[0]->u.i && CONSP(l); i++)
    l = XCDR(l);
  return l;
}

static Value *Fappend(ptrdiff_t nargs, Value **args) {
  Value *head = Qnil, *tail = NULL;
  if (nargs == 0)
    return Qnil;
  for (ptrdiff_t i = 0; i < nargs - 1; i++) {
    CHECK_LIST(args[i]);
    for (Value *l = args[i]; CONSP(l); l = XCDR(l)) {
      Value *c = cons(XCAR(l), Qnil);
      if (tail)
        XCDR(tail) = c;
      else
        head = c;
      tail = c;
    }
  }
  if (tail)
    XCDR(tail) = args[nargs - 1];
  else
    head = args[nargs - 1];
  return head;
}

static Value *Freverse(ptrdiff_t nargs, Value **args) {
  Value *r = Qnil;
  (void)nargs;
  CHECK_LIST(args[0]);
  for (Value *l = args[0]; CONSP(l); l = XCDR(l))
    r = cons(XCAR(l), r);
  return r;
}

static Value *Fmemq(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  for (Value *l = args[1]; CONSP(l); l = XCDR(l))
    if (eq(XCAR(l), args[0]))
      return l;
  return Qnil;
}

static Value *Fmember(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  for (Value *l = args[1]; CONSP(l); l = XCDR(l))
    if (equal(XCAR(l), args[0]))
      return l;
  return Qnil;
}

static Value *Fassq(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  for (Value *l = args[1]; CONSP(l); l = XCDR(l))
    if (CONSP(XCAR(l)) && eq(XCAR(XCAR(l)), args[0]))
      return XCAR(l);
  return Qnil;
}

static Value *Fassoc(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  for (Value *l = args[1]; CONSP(l); l = XCDR(l))
    if (CONSP(XCAR(l)) && equal(XCAR(XCAR(l)), args[0]))
      return XCAR(l);
  return Qnil;
}

static Value *Fplist_get(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return plist_get(args[0], args[1]);
}

static Value *Fplist_put(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  for (Value *p = args[0]; CONSP(p) && CONSP(XCDR(p)); p = XCDR(XCDR(p)))
    if (eq(XCAR(p), args[1])) {
      XCAR(XCDR(p)) = args[2];
      return args[0];
    }
  return Fappend(2, (Value *[]){args[0], list2(args[1], args[2])});
}

static Value *Flast(ptrdiff_t nargs, Value **args) {
  Value *l = args[0];
  (void)nargs;
  while (CONSP(l) && CONSP(XCDR(l)))
    l = XCDR(l);
  return l;
}

static Value *Fmake_list(ptrdiff_t nargs, Value **args) {
  Value *r = Qnil;
  (void)nargs;
  CHECK_INT(args[0]);
  if (args[0]->u.i < 0)
    return wrong_type("wholenump", args[0]);
  for (intmax_t i = 0; i < args[0]->u.i; i++)
    r = cons(args[1], r);
  return r;
}

static Value *Fnumber_sequence(ptrdiff_t nargs, Value **args) {
  Value *r = Qnil;
  CHECK_INT(args[0]);
  if (nargs < 2 || NILP(args[1]))
    return cons(args[0], Qnil);
  CHECK_INT(args[1]);
  for (intmax_t i = args[1]->u.i; i >= args[0]->u.i; i--)
    r = cons(make_int(i), r);
  return r;
}

static Value *Ffuncall(ptrdiff_t nargs, Value **args) {
  return funcall(args[0], nargs - 1, args + 1);
}

static Value *Fapply(ptrdiff_t nargs, Value **args) {
  Value *last = args[nargs - 1], *r;
  ptrdiff_t base = root_sp, n;
  CHECK_LIST(last);
  for (ptrdiff_t i = 0; i < nargs - 1; i++)
    root_push(args[i]);
  for (Value *l = last; CONSP(l); l = XCDR(l))
    root_push(XCAR(l));
  n = root_sp - base;
  if (n == 0) {
    root_reset(base);
    return funcall(last, 0, NULL);
  }
  r = funcall(ROOT(base), n - 1, &root_stack[base + 1]);
  root_reset(base);
  return r;
}

static Value *Feval(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return eval(args[0]);
}

static Value *Fsignal(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return xsignal(args[0], args[1]);
}

static Value *Fthrow(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  if (!lisp_catch_active(args[0]))
    return xsignal(Qno_catch, list2(args[0], args[1]));
  return xthrow(args[0], args[1]);
}

static Value *Ferror(ptrdiff_t nargs, Value **args) {
  Value *msg = Fformat(nargs, args);
  if (!msg)
    return NULL;
  return xsignal(Qerror, cons(msg, Qnil));
}

static Value *Fuser_error(ptrdiff_t nargs, Value **args) {
  Value *msg = Fformat(nargs, args);
  if (!msg)
    return NULL;
  return xsignal(intern("user-error"), cons(msg, Qnil));
}

static Value *Fdefine_error(ptrdiff_t nargs, Value **args) {
  Value *parent = nargs > 2 && SYMBOLP(args[2]) && !NILP(args[2])
                      ? args[2]
                      : Qerror;
  CHECK_SYMBOL(args[0]);
  CHECK_STRING(args[1]);
  define_error(args[0], args[1]->u.str.data, parent);
  return Qnil;
}

static Value *Ferror_message_string(ptrdiff_t nargs, Value **args) {
  Value *err = args[0], *msg;
  char *d;
  (void)nargs;
  if (!CONSP(err) || !SYMBOLP(XCAR(err)))
    return make_cstring("peculiar error");
  msg = Fget(XCAR(err), Qerror_message);
  if (XCAR(err) == Qerror && CONSP(XCDR(err)) && STRINGP(XCAR(XCDR(err))))
    return XCAR(XCDR(err));
  d = value_repr(XCDR(err), 1, 500);
  {
    char buf[700];
    snprintf(buf, sizeof buf, "%s: %s",
             STRINGP(msg) ? msg->u.str.data : XCAR(err)->u.sym.name, d);
    free(d);
    return make_cstring(buf);
  }
}

static Value *Feq(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return BOOL(eq(args[0], args[1]));
}
static Value *Fequal(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return BOOL(equal(args[0], args[1]));
}
static Value *Fnot(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return BOOL(NILP(args[0]));
}
static Value *Fidentity(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return args[0];
}
static Value *Fignore(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return Qnil;
}

#define TYPE_PRED(cname, test)                                               \
  static Value *cname(ptrdiff_t nargs, Value **args) {                       \
    Value *x = args[0];                                                      \
    (void)nargs;                                                             \
    return BOOL(test);                                                       \
  }
TYPE_PRED(Fintegerp, x->type == V_INT)
TYPE_PRED(Fnatnump, x->type == V_INT && x->u.i >= 0)
TYPE_PRED(Ffloatp, x->type == V_FLOAT)
TYPE_PRED(Fnumberp, x->type == V_INT || x->type == V_FLOAT)
TYPE_PRED(Fstringp, STRINGP(x))
TYPE_PRED(Fsymbolp, SYMBOLP(x))
TYPE_PRED(Fkeywordp, SYMBOLP(x) && x->u.sym.name[0] == ':')
TYPE_PRED(Fconsp, CONSP(x))
TYPE_PRED(Flistp, CONSP(x) || NILP(x))
TYPE_PRED(Fatom, !CONSP(x))
TYPE_PRED(Fvectorp, x->type == V_VECTOR)
TYPE_PRED(Fuser_ptrp, x->type == V_USER_PTR)
TYPE_PRED(Fmodule_function_p, x->type == V_MODFUNC)
TYPE_PRED(Fbufferp, x->type == V_BUFFER)
TYPE_PRED(Fzerop, (x->type == V_INT && x->u.i == 0) ||
                      (x->type == V_FLOAT && x->u.f == 0))
TYPE_PRED(Ffunctionp,
          x->type == V_MODFUNC || (x->type == V_BUILTIN && !x->special) ||
              (CONSP(x) && XCAR(x) == Qlambda) ||
              (SYMBOLP(x) && !NILP(x) && lisp_indirect_function(x) &&
               (lisp_indirect_function(x)->type == V_MODFUNC ||
                (lisp_indirect_function(x)->type == V_BUILTIN &&
                 !lisp_indirect_function(x)->special) ||
                CONSP(lisp_indirect_function(x)))))
TYPE_PRED(Fcommandp, x->type == V_MODFUNC && x->u.mf.interactive)

static Value *Ftype_of(ptrdiff_t nargs, Value **args) {
  static const char *names[] = {"integer", "float",  "string",
                                "symbol",  "cons",   "vector",
                                "user-ptr", "module-function", "subr",
                                "buffer"};
  (void)nargs;
  return intern(names[args[0]->type]);
}

static Value *Finteractive_form(ptrdiff_t nargs, Value **args) {
  Value *f = lisp_indirect_function(args[0]);
  (void)nargs;
  if (f && f->type == V_MODFUNC && f->u.mf.interactive)
    return f->u.mf.interactive;
  return Qnil;
}

static Value *Fintern(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  return intern(args[0]->u.str.data);
}
static Value *Fmake_symbol(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  return make_symbol(args[0]->u.str.data);
}
static Value *Fsymbol_name(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  return make_cstring(args[0]->u.sym.name);
}
static Value *Fsymbol_value(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  return symbol_value(args[0]);
}
static Value *Fset(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return set_symbol(args[0], args[1]);
}
static Value *Fboundp(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  return BOOL(args[0]->u.sym.value != NULL);
}
static Value *Ffboundp(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  return BOOL(args[0]->u.sym.function != NULL);
}
static Value *Fmakunbound(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  if (args[0]->special)
    return xsignal(Qsetting_constant, cons(args[0], Qnil));
  args[0]->u.sym.value = NULL;
  return args[0];
}
static Value *Ffmakunbound(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  if (NILP(args[0]))
    return xsignal(Qsetting_constant, cons(args[0], Qnil));
  args[0]->u.sym.function = NULL;
  return args[0];
}
static Value *Fsymbol_function(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  return args[0]->u.sym.function ? args[0]->u.sym.function : Qnil;
}
static Value *Findirect_function(ptrdiff_t nargs, Value **args) {
  Value *f = lisp_indirect_function(args[0]);
  (void)nargs;
  return f ? f : Qnil;
}
static Value *Ffset(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  if (NILP(args[0]) && !NILP(args[1]))
    return xsignal(Qsetting_constant, cons(args[0], Qnil));
  args[0]->u.sym.function = NILP(args[1]) ? NULL : args[1];
  return args[1];
}
static Value *Fdefalias(ptrdiff_t nargs, Value **args) {
  Value *r = Ffset(2, args);
  if (!r)
    return NULL;
  if (nargs > 2 && !NILP(args[2]))
    Fput(args[0], intern("function-documentation"), args[2]);
  return args[0];
}
static Value *Fget_(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  return Fget(args[0], args[1]);
}
static Value *Fput_(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  return Fput(args[0], args[1], args[2]);
}
static Value *Fsymbol_plist(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  return args[0]->u.sym.plist;
}
static Value *Fmake_local_variable(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  return args[0]; /* the host has global variables only */
}
static Value *Flocal_variable_p(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return Qnil;
}

static Value *Fprovide(ptrdiff_t nargs, Value **args) {
  Value *f = Qfeatures->u.sym.value;
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  for (Value *l = f; CONSP(l); l = XCDR(l))
    if (XCAR(l) == args[0])
      return args[0];
  Qfeatures->u.sym.value = cons(args[0], f);
  return args[0];
}

static Value *Ffeaturep(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return Fmemq(2, (Value *[]){args[0], Qfeatures->u.sym.value});
}

static Value *Frequire(ptrdiff_t nargs, Value **args) {
  Value *m = Ffeaturep(1, args);
  (void)nargs;
  if (!NILP(m))
    return args[0];
  return xsignal(intern("file-missing"),
                 list2(make_cstring("Cannot open load file"), args[0]));
}

static Value *Fmodule_load(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  return module_load(args[0]->u.str.data);
}

static Value *Fload(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  if (run_script(args[0]->u.str.data) < 0)
    return xsignal(intern("file-missing"),
                   list2(make_cstring("Cannot open load file"), args[0]));
  return Qt;
}

static Value *Fgarbage_collect(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  gc_collect();
  return Qnil;
}

/* (host-function-arity F) => (MIN . MAX), MAX `many' when variadic.  */
static Value *Ffunc_arity(ptrdiff_t nargs, Value **args) {
  Value *f = lisp_indirect_function(args[0]);
  (void)nargs;
  if (!f)
    return xsignal(Qvoid_function, cons(args[0], Qnil));
  if (f->type == V_MODFUNC)
    return cons(make_int(f->u.mf.min),
                f->u.mf.max < 0 ? intern("many") : make_int(f->u.mf.max));
  if (f->type == V_BUILTIN && !f->special)
    return cons(make_int(f->u.bi.min),
                f->u.bi.max < 0 ? intern("many") : make_int(f->u.bi.max));
  return wrong_type("functionp", args[0]);
}

static void builtins_init(void) {
  Qfeatures = intern("features");
  Qfeatures->u.sym.value = Qnil;
}

static const BuiltinDef builtins[] = {
    {"cons", 2, 2, Fcons},
    {"car", 1, 1, Fcar},
    {"cdr", 1, 1, Fcdr},
    {"car-safe", 1, 1, Fcar_safe},
    {"cdr-safe", 1, 1, Fcdr_safe},
    {"cadr", 1, 1, Fcadr},
    {"caddr", 1, 1, Fcaddr},
    {"setcar", 2, 2, Fsetcar},
    {"setcdr", 2, 2, Fsetcdr},
    {"list", 0, -1, Flist},
    {"length", 1, 1, Flength},
    {"nth", 2, 2, Fnth},
    {"nthcdr", 2, 2, Fnthcdr},
    {"append", 0, -1, Fappend},
    {"reverse", 1, 1, Freverse},
    {"nreverse", 1, 1, Freverse},
    {"memq", 2, 2, Fmemq},
    {"member", 2, 2, Fmember},
    {"assq", 2, 2, Fassq},
    {"assoc", 2, 2, Fassoc},
    {"plist-get", 2, 2, Fplist_get},
    {"plist-put", 3, 3, Fplist_put},
    {"last", 1, 1, Flast},
    {"number-sequence", 1, 2, Fnumber_sequence},
    {"make-list", 2, 2, Fmake_list},
    {"funcall", 1, -1, Ffuncall},
    {"apply", 1, -1, Fapply},
    {"eval", 1, 2, Feval},
    {"signal", 2, 2, Fsignal},
    {"throw", 2, 2, Fthrow},
    {"error", 1, -1, Ferror},
    {"user-error", 1, -1, Fuser_error},
    {"define-error", 2, 3, Fdefine_error},
    {"error-message-string", 1, 1, Ferror_message_string},
    {"eq", 2, 2, Feq},
    {"equal", 2, 2, Fequal},
    {"not", 1, 1, Fnot},
    {"null", 1, 1, Fnot},
    {"identity", 1, 1, Fidentity},
    {"ignore", 0, -1, Fignore},
    {"integerp", 1, 1, Fintegerp},
    {"fixnump", 1, 1, Fintegerp},
    {"natnump", 1, 1, Fnatnump},
    {"floatp", 1, 1, Ffloatp},
    {"numberp", 1, 1, Fnumberp},
    {"stringp", 1, 1, Fstringp},
    {"symbolp", 1, 1, Fsymbolp},
    {"keywordp", 1, 1, Fkeywordp},
    {"consp", 1, 1, Fconsp},
    {"listp", 1, 1, Flistp},
    {"atom", 1, 1, Fatom},
    {"vectorp", 1, 1, Fvectorp},
    {"user-ptrp", 1, 1, Fuser_ptrp},
    {"module-function-p", 1, 1, Fmodule_function_p},
    {"bufferp", 1, 1, Fbufferp},
    {"zerop", 1, 1, Fzerop},
    {"functionp", 1, 1, Ffunctionp},
    {"commandp", 1, 2, Fcommandp},
    {"interactive-form", 1, 1, Finteractive_form},
    {"type-of", 1, 1, Ftype_of},
    {"intern", 1, 2, Fintern},
    {"make-symbol", 1, 1, Fmake_symbol},
    {"symbol-name", 1, 1, Fsymbol_name},
    {"symbol-value", 1, 1, Fsymbol_value},
    {"default-value", 1, 1, Fsymbol_value},
    {"set", 2, 2, Fset},
    {"set-default", 2, 2, Fset},
    {"boundp", 1, 1, Fboundp},
    {"fboundp", 1, 1, Ffboundp},
    {"makunbound", 1, 1, Fmakunbound},
    {"fmakunbound", 1, 1, Ffmakunbound},
    {"symbol-function", 1, 1, Fsymbol_function},
    {"indirect-function", 1, 2, Findirect_function},
    {"fset", 2, 2, Ffset},
    {"defalias", 2, 3, Fdefalias},
    {"get", 2, 2, Fget_},
    {"put", 3, 3, Fput_},
    {"symbol-plist", 1, 1, Fsymbol_plist},
    {"make-local-variable", 1, 1, Fmake_local_variable},
    {"make-variable-buffer-local", 1, 1, Fmake_local_variable},
    {"local-variable-p", 1, 2, Flocal_variable_p},
    {"provide", 1, 2, Fprovide},
    {"featurep", 1, 2, Ffeaturep},
    {"require", 1, 3, Frequire},
    {"module-load", 1, 1, Fmodule_load},
    {"load", 1, 5, Fload},
    {"garbage-collect", 0, 0, Fgarbage_collect},
    {"func-arity", 1, 1, Ffunc_arity},
};

const LispUnit builtins_unit = {NULL, 0, LISP_TABLE(builtins), builtins_init};
