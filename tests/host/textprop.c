/* textprop.c --- text properties of the module host

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

/* put-text-property and friends over a buffer or a string.  A run of
   characters shares one plist object, so every change builds new plists
   (plist_with, plist_without) and never edits one in place.  */

#include "buffer.h"

#include <stdlib.h>
#include <string.h>

/* Target of a property operation: a buffer (1-based) or a string
   (0-based).  */
typedef struct {
  Value ***props;
  ptrdiff_t n, base;
  Value *obj;
  Buffer *buf;
} PropTarget;

static Value *prop_target(Value *obj, PropTarget *t) {
  if (NILP(obj) || obj->type == V_BUFFER) {
    Buffer *b = curbuf;
    if (!NILP(obj) && !buffer_arg(obj, &b))
      return NULL;
    if (!b->props) {
      buffer_reserve(b, 1);
      buffer_ensure_props(b);
    }
    t->props = &b->props;
    t->n = b->len;
    t->base = 1;
    t->buf = b;
  } else if (STRINGP(obj)) {
    if (!obj->u.str.props)
      obj->u.str.props =
          xcalloc((size_t)(obj->u.str.nchars ? obj->u.str.nchars : 1),
                  sizeof(Value *));
    t->props = &obj->u.str.props;
    t->n = obj->u.str.nchars;
    t->base = 0;
    t->buf = NULL;
  } else {
    return wrong_type("buffer-or-string-p", obj);
  }
  t->obj = obj;
  return Qt;
}

static Value *prop_range(PropTarget *t, Value *a, Value *b, ptrdiff_t *s,
                         ptrdiff_t *e) {
  intmax_t x, y;
  CHECK_POS(a);
  CHECK_POS(b);
  x = a->u.i;
  y = b->u.i;
  if (x > y) {
    intmax_t tmp = x;
    x = y;
    y = tmp;
  }
  if (x < t->base || y > t->base + t->n)
    return args_out_of_range(a, b);
  *s = (ptrdiff_t)(x - t->base);
  *e = (ptrdiff_t)(y - t->base);
  return Qt;
}

/* PLIST with PROP set to VAL (new list; PLIST is not modified).  */
static Value *plist_with(Value *plist, Value *prop, Value *val) {
  Value *head = Qnil, *tail = NULL;
  for (Value *p = plist; CONSP(p) && CONSP(XCDR(p)); p = XCDR(XCDR(p))) {
    Value *c;
    if (XCAR(p) == prop)
      continue;
    c = cons(XCAR(p), cons(XCAR(XCDR(p)), Qnil));
    if (tail)
      XCDR(XCDR(tail)) = c;
    else
      head = c;
    tail = c;
  }
  return cons(prop, cons(val, head));
}

static Value *plist_without(Value *plist, Value *prop) {
  Value *head = Qnil, *tail = NULL;
  for (Value *p = plist; CONSP(p) && CONSP(XCDR(p)); p = XCDR(XCDR(p))) {
    Value *c;
    if (XCAR(p) == prop)
      continue;
    c = cons(XCAR(p), cons(XCAR(XCDR(p)), Qnil));
    if (tail)
      XCDR(XCDR(tail)) = c;
    else
      head = c;
    tail = c;
  }
  return NILP(head) ? NULL : head;
}

static int plist_has(Value *plist, Value *prop, Value **val) {
  for (Value *p = plist; p && CONSP(p) && CONSP(XCDR(p)); p = XCDR(XCDR(p)))
    if (XCAR(p) == prop) {
      *val = XCAR(XCDR(p));
      return 1;
    }
  return 0;
}

enum { P_PUT, P_REMOVE };

/* Apply one PROP change to [S, E); returns whether anything changed.
   Characters that shared a plist share the result.  */
static int prop_apply(PropTarget *t, ptrdiff_t s, ptrdiff_t e, int op,
                      Value *prop, Value *val) {
  Value *last_old = (Value *)t, *last_new = NULL; /* impossible key */
  int changed = 0;
  for (ptrdiff_t i = s; i < e; i++) {
    Value *old = (*t->props)[i], *cv = NULL;
    if (old != last_old) {
      int has = plist_has(old, prop, &cv);
      last_old = old;
      if (op == P_PUT)
        last_new =
            has && cv == val ? old : plist_with(old ? old : Qnil, prop, val);
      else
        last_new = has ? plist_without(old, prop) : old;
    }
    if (last_new != old)
      changed = 1;
    (*t->props)[i] = last_new;
  }
  return changed;
}

static Value *Fput_text_property(ptrdiff_t nargs, Value **args) {
  PropTarget t;
  ptrdiff_t s, e;
  if (!prop_target(ARG(4), &t) || !prop_range(&t, args[0], args[1], &s, &e))
    return NULL;
  if (t.buf && !buffer_check_writable(t.buf))
    return NULL;
  prop_apply(&t, s, e, P_PUT, args[2], args[3]);
  return Qnil;
}

static Value *props_op(ptrdiff_t nargs, Value **args, int op, int set) {
  PropTarget t;
  ptrdiff_t s, e;
  int changed = 0;
  if (!prop_target(ARG(3), &t) || !prop_range(&t, args[0], args[1], &s, &e))
    return NULL;
  if (!CONSP(args[2]) && !NILP(args[2]))
    return wrong_type("listp", args[2]);
  if (t.buf && !buffer_check_writable(t.buf))
    return NULL;
  if (set)
    for (ptrdiff_t i = s; i < e; i++) {
      changed |= (*t.props)[i] != NULL;
      (*t.props)[i] = NULL;
    }
  for (Value *p = args[2]; CONSP(p); p = XCDR(p)) {
    Value *prop = XCAR(p), *val = Qnil;
    if (op == P_PUT || CONSP(XCDR(p))) {
      if (!CONSP(XCDR(p)))
        break;
      val = XCAR(XCDR(p));
      p = XCDR(p);
    }
    changed |= prop_apply(&t, s, e, op, prop, val);
  }
  return BOOL(changed);
}

static Value *Fadd_text_properties(ptrdiff_t nargs, Value **args) {
  return props_op(nargs, args, P_PUT, 0);
}
static Value *Fset_text_properties(ptrdiff_t nargs, Value **args) {
  return props_op(nargs, args, P_PUT, 1);
}
static Value *Fremove_text_properties(ptrdiff_t nargs, Value **args) {
  return props_op(nargs, args, P_REMOVE, 0);
}

static Value *Fremove_list_of_text_properties(ptrdiff_t nargs, Value **args) {
  PropTarget t;
  ptrdiff_t s, e;
  int changed = 0;
  if (!prop_target(ARG(3), &t) || !prop_range(&t, args[0], args[1], &s, &e))
    return NULL;
  for (Value *p = args[2]; CONSP(p); p = XCDR(p))
    changed |= prop_apply(&t, s, e, P_REMOVE, XCAR(p), Qnil);
  return BOOL(changed);
}

static Value *Ftext_properties_at(ptrdiff_t nargs, Value **args) {
  PropTarget t;
  intmax_t p;
  Value *pl;
  if (!prop_target(ARG(1), &t))
    return NULL;
  CHECK_POS(args[0]);
  p = args[0]->u.i;
  if (p < t.base || p > t.base + t.n)
    return args_out_of_range(args[0], args[0]);
  if (p == t.base + t.n)
    return Qnil;
  pl = (*t.props)[p - t.base];
  return pl ? pl : Qnil;
}

static Value *Fget_text_property(ptrdiff_t nargs, Value **args) {
  Value *pl = Ftext_properties_at(nargs > 2 ? 2 : 1,
                                  (Value *[]){args[0], ARG(2)});
  if (!pl)
    return NULL;
  return plist_get(pl, args[1]);
}

static Value *Fnext_single_property_change(ptrdiff_t nargs, Value **args) {
  PropTarget t;
  intmax_t p, limit;
  Value *v0 = Qnil, *v;
  if (!prop_target(ARG(2), &t))
    return NULL;
  CHECK_POS(args[0]);
  p = args[0]->u.i;
  limit = t.base + t.n;
  if (nargs > 3 && !NILP(args[3])) {
    CHECK_POS(args[3]);
    limit = args[3]->u.i;
  }
  if (p < t.base || p > t.base + t.n)
    return args_out_of_range(args[0], args[0]);
  if (p < t.base + t.n)
    v0 = plist_get((*t.props)[p - t.base] ? (*t.props)[p - t.base] : Qnil,
                   args[1]);
  for (p++; p < t.base + t.n && p < limit; p++) {
    Value *pl = (*t.props)[p - t.base];
    v = plist_get(pl ? pl : Qnil, args[1]);
    if (!eq(v, v0))
      return make_int(p);
  }
  if (nargs > 3 && !NILP(args[3]))
    return args[3];
  return Qnil;
}

static Value *Fpropertize(ptrdiff_t nargs, Value **args) {
  Value *s, *plist;
  PropTarget t;
  CHECK_STRING(args[0]);
  if (nargs % 2 == 0)
    return xsignal(Qwrong_number_of_arguments,
                   list2(intern("propertize"), make_int(nargs)));
  s = make_string(args[0]->u.str.data, args[0]->u.str.len,
                  args[0]->multibyte);
  plist = list_from(nargs - 1, args + 1);
  if (!prop_target(s, &t))
    return NULL;
  for (Value *p = plist; CONSP(p) && CONSP(XCDR(p)); p = XCDR(XCDR(p)))
    prop_apply(&t, 0, t.n, P_PUT, XCAR(p), XCAR(XCDR(p)));
  return s;
}

static const BuiltinDef builtins[] = {
    {"put-text-property", 4, 5, Fput_text_property},
    {"add-text-properties", 3, 4, Fadd_text_properties},
    {"set-text-properties", 3, 4, Fset_text_properties},
    {"remove-text-properties", 3, 4, Fremove_text_properties},
    {"remove-list-of-text-properties", 3, 4, Fremove_list_of_text_properties},
    {"text-properties-at", 1, 2, Ftext_properties_at},
    {"get-text-property", 2, 3, Fget_text_property},
    {"get-char-property", 2, 3, Fget_text_property},
    {"get-pos-property", 2, 3, Fget_text_property},
    {"next-single-property-change", 2, 4, Fnext_single_property_change},
    {"propertize", 1, -1, Fpropertize},
};
const LispUnit textprop_unit = {NULL, 0, LISP_TABLE(builtins), NULL};
