/* numbers.c --- numbers of the module host

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

/* Integers and floats: arithmetic, comparisons, bit operations and
   conversions, with Emacs' contagion (a float operand makes a float).  */

#include "lisp.h"

#include <math.h>

static Value *arith(ptrdiff_t nargs, Value **args, int op) {
  intmax_t acc = 0;
  double facc = 0;
  int isfloat = 0;
  for (ptrdiff_t i = 0; i < nargs; i++) {
    CHECK_NUMBER(args[i]);
    if (args[i]->type == V_FLOAT)
      isfloat = 1;
  }
  if (nargs == 0)
    return make_int(op == '*' ? 1 : 0);
  for (ptrdiff_t i = 0; i < nargs; i++) {
    Value *x = args[i];
    double fx = x->type == V_FLOAT ? x->u.f : (double)x->u.i;
    if (i == 0) {
      acc = x->type == V_INT ? x->u.i : 0;
      facc = fx;
      if (nargs == 1 && op == '-')
        acc = -acc, facc = -facc;
      if (nargs == 1 && op == '/') {
        if (!isfloat && acc == 0)
          return xsignal(intern("arith-error"), Qnil);
        acc = 1 / acc, facc = 1 / facc;
      }
      continue;
    }
    switch (op) {
    case '+': acc += x->type == V_INT ? x->u.i : 0; facc += fx; break;
    case '-': acc -= x->type == V_INT ? x->u.i : 0; facc -= fx; break;
    case '*': acc *= x->type == V_INT ? x->u.i : 1; facc *= fx; break;
    case '/':
      if (!isfloat) {
        if (x->u.i == 0)
          return xsignal(intern("arith-error"), Qnil);
        acc /= x->u.i;
      }
      facc /= fx;
      break;
    }
  }
  return isfloat ? make_float(facc) : make_int(acc);
}

static Value *Fplus(ptrdiff_t n, Value **a) { return arith(n, a, '+'); }
static Value *Fminus(ptrdiff_t n, Value **a) { return arith(n, a, '-'); }
static Value *Ftimes(ptrdiff_t n, Value **a) { return arith(n, a, '*'); }
static Value *Fquo(ptrdiff_t n, Value **a) { return arith(n, a, '/'); }

static Value *Frem(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_INT(args[0]);
  CHECK_INT(args[1]);
  if (args[1]->u.i == 0)
    return xsignal(intern("arith-error"), Qnil);
  return make_int(args[0]->u.i % args[1]->u.i);
}

static Value *Fmod(ptrdiff_t nargs, Value **args) {
  intmax_t r;
  (void)nargs;
  CHECK_INT(args[0]);
  CHECK_INT(args[1]);
  if (args[1]->u.i == 0)
    return xsignal(intern("arith-error"), Qnil);
  r = args[0]->u.i % args[1]->u.i;
  if (r != 0 && ((r < 0) != (args[1]->u.i < 0)))
    r += args[1]->u.i;
  return make_int(r);
}

static Value *F1plus(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_NUMBER(args[0]);
  return args[0]->type == V_INT ? make_int(args[0]->u.i + 1)
                                : make_float(args[0]->u.f + 1);
}
static Value *F1minus(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_NUMBER(args[0]);
  return args[0]->type == V_INT ? make_int(args[0]->u.i - 1)
                                : make_float(args[0]->u.f - 1);
}

double lisp_num(Value *v) {
  return v->type == V_INT ? (double)v->u.i : v->u.f;
}

static Value *compare(ptrdiff_t nargs, Value **args, int op) {
  for (ptrdiff_t i = 0; i < nargs; i++)
    CHECK_NUMBER(args[i]);
  for (ptrdiff_t i = 0; i + 1 < nargs; i++) {
    Value *a = args[i], *b = args[i + 1];
    int c;
    if (a->type == V_INT && b->type == V_INT)
      c = (a->u.i > b->u.i) - (a->u.i < b->u.i);
    else
      c = (lisp_num(a) > lisp_num(b)) - (lisp_num(a) < lisp_num(b));
    if (!((op == '=' && c == 0) || (op == '<' && c < 0) ||
          (op == '>' && c > 0) || (op == 'l' && c <= 0) ||
          (op == 'g' && c >= 0) || (op == '!' && c != 0)))
      return Qnil;
  }
  return Qt;
}

static Value *Feqlsign(ptrdiff_t n, Value **a) { return compare(n, a, '='); }
static Value *Flss(ptrdiff_t n, Value **a) { return compare(n, a, '<'); }
static Value *Fgtr(ptrdiff_t n, Value **a) { return compare(n, a, '>'); }
static Value *Fleq(ptrdiff_t n, Value **a) { return compare(n, a, 'l'); }
static Value *Fgeq(ptrdiff_t n, Value **a) { return compare(n, a, 'g'); }
static Value *Fneq(ptrdiff_t n, Value **a) { return compare(n, a, '!'); }

static Value *Fmax(ptrdiff_t nargs, Value **args) {
  Value *m = args[0];
  for (ptrdiff_t i = 0; i < nargs; i++) {
    CHECK_NUMBER(args[i]);
    if (lisp_num(args[i]) > lisp_num(m))
      m = args[i];
  }
  return m;
}
static Value *Fmin(ptrdiff_t nargs, Value **args) {
  Value *m = args[0];
  for (ptrdiff_t i = 0; i < nargs; i++) {
    CHECK_NUMBER(args[i]);
    if (lisp_num(args[i]) < lisp_num(m))
      m = args[i];
  }
  return m;
}
static Value *Fabs(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_NUMBER(args[0]);
  if (args[0]->type == V_FLOAT)
    return make_float(fabs(args[0]->u.f));
  return make_int(args[0]->u.i < 0 ? -args[0]->u.i : args[0]->u.i);
}
static Value *Feql(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  if (args[0]->type == V_FLOAT && args[1]->type == V_FLOAT)
    return BOOL(args[0]->u.f == args[1]->u.f);
  return BOOL(eq(args[0], args[1]));
}
static Value *logop(ptrdiff_t nargs, Value **args, int op) {
  intmax_t acc = op == '&' ? -1 : 0;
  for (ptrdiff_t i = 0; i < nargs; i++) {
    CHECK_INT(args[i]);
    acc = op == '&' ? acc & args[i]->u.i
          : op == '|' ? acc | args[i]->u.i
                      : acc ^ args[i]->u.i;
  }
  return make_int(acc);
}
static Value *Flogand(ptrdiff_t n, Value **a) { return logop(n, a, '&'); }
static Value *Flogior(ptrdiff_t n, Value **a) { return logop(n, a, '|'); }
static Value *Flogxor(ptrdiff_t n, Value **a) { return logop(n, a, '^'); }
static Value *Fash(ptrdiff_t nargs, Value **args) {
  intmax_t v, s;
  (void)nargs;
  CHECK_INT(args[0]);
  CHECK_INT(args[1]);
  v = args[0]->u.i;
  s = args[1]->u.i;
  if (s >= 63 || s <= -63)
    return make_int(s > 0 ? 0 : (v < 0 ? -1 : 0));
  return make_int(s >= 0 ? (intmax_t)((uintmax_t)v << s) : v >> -s);
}
static Value *Ffloat(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_NUMBER(args[0]);
  return make_float(lisp_num(args[0]));
}
static Value *Ftruncate(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_NUMBER(args[0]);
  if (args[0]->type == V_INT)
    return args[0];
  if (!isfinite(args[0]->u.f) || fabs(args[0]->u.f) > 9e18)
    return xsignal(Qoverflow_error, cons(args[0], Qnil));
  return make_int((intmax_t)args[0]->u.f);
}

static const BuiltinDef builtins[] = {
    {"eql", 2, 2, Feql},
    {"+", 0, -1, Fplus},
    {"-", 0, -1, Fminus},
    {"*", 0, -1, Ftimes},
    {"/", 1, -1, Fquo},
    {"%", 2, 2, Frem},
    {"mod", 2, 2, Fmod},
    {"1+", 1, 1, F1plus},
    {"1-", 1, 1, F1minus},
    {"=", 1, -1, Feqlsign},
    {"<", 1, -1, Flss},
    {">", 1, -1, Fgtr},
    {"<=", 1, -1, Fleq},
    {">=", 1, -1, Fgeq},
    {"/=", 2, 2, Fneq},
    {"max", 1, -1, Fmax},
    {"min", 1, -1, Fmin},
    {"abs", 1, 1, Fabs},
    {"logand", 0, -1, Flogand},
    {"logior", 0, -1, Flogior},
    {"logxor", 0, -1, Flogxor},
    {"ash", 2, 2, Fash},
    {"lsh", 2, 2, Fash},
    {"float", 1, 1, Ffloat},
    {"truncate", 1, 2, Ftruncate},
};

const LispUnit numbers_unit = {NULL, 0, LISP_TABLE(builtins), NULL};
