/* lisp.h --- what the Lisp units of the module host share

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

/* The host's Lisp, one file per concern.  host.h is what the rest of the
   host (value.c, buffer.c, main.c) sees of it; this header is shared by
   the Lisp units only:

   lisp.c      the evaluator: dynamic binding, catch tags, eval, funcall,
               lambda; lisp_init registers every unit's forms and builtins
   reader.c    text to forms
   special.c   special forms (quote, let, condition-case, catch, ...)
   builtins.c  lists, symbols, functions, errors, features
   numbers.c   arithmetic and comparisons
   strings.c   strings, sequences, format and message
   regexp.c    the regexp subset behind string-match-p
   testing.c   the test vocabulary (should, deftest, ...), the host-*
               builtins and the script runner

   The units follow host.h's error rule: a function that signals records
   the exit and returns NULL, and every caller checks for NULL.  */

#ifndef VTERM_HOST_LISP_H
#define VTERM_HOST_LISP_H

#include "host.h"

/* ---- argument checks of builtins and special forms ---- */

/* Returns wrong-type-argument from the calling builtin unless PRED. */
#define CHECK(pred, name, v)                                                   \
  do {                                                                         \
    if (!(pred))                                                               \
      return wrong_type(name, v);                                              \
  } while (0)
#define CHECK_INT(v) CHECK((v)->type == V_INT, "integerp", v)
#define CHECK_STRING(v) CHECK((v)->type == V_STRING, "stringp", v)
#define CHECK_SYMBOL(v) CHECK((v)->type == V_SYMBOL, "symbolp", v)
#define CHECK_LIST(v) CHECK(CONSP(v) || NILP(v), "listp", v)
#define CHECK_NUMBER(v)                                                        \
  CHECK((v)->type == V_INT || (v)->type == V_FLOAT, "numberp", v)
#define BOOL(x) ((x) ? Qt : Qnil)
#define ARG(i) (nargs > (i) ? args[i] : Qnil)

/* ---- registration ---- */

typedef struct {
  const char *name;
  SpecialFn fn;
} SpecialDef;

typedef struct {
  const char *name;
  int min, max; /* max -1: &rest */
  BuiltinFn fn;
} BuiltinDef;

void defspecials(const SpecialDef *defs, size_t n);
void defbuiltins(const BuiltinDef *defs, size_t n);

/* What a unit registers: its tables, then INIT (or NULL).  lisp_init
   registers the units in the order below. */
typedef struct {
  const SpecialDef *specials;
  size_t nspecials;
  const BuiltinDef *builtins;
  size_t nbuiltins;
  void (*init)(void);
} LispUnit;
#define LISP_TABLE(table) table, sizeof table / sizeof table[0]

extern const LispUnit special_unit, testing_unit, builtins_unit, numbers_unit,
    strings_unit;
/* Registers UNIT's tables, then runs its init. */
void lisp_register(const LispUnit *unit);

/* ---- lisp.c ---- */

Value *lisp_nth(Value *l, ptrdiff_t n);
/* F's function through symbol aliases, or NULL if void. */
Value *lisp_indirect_function(Value *f);
/* Catch tags: push returns the depth to pop back to. */
ptrdiff_t lisp_catch_push(Value *tag);
void lisp_catch_pop(ptrdiff_t depth);
int lisp_catch_active(Value *tag);
/* Nesting of eval and funcall (0 at top level). */
int lisp_eval_depth(void);
/* The top-level form being evaluated (a root of the collector). */
extern Value *lisp_current_form;

/* ---- numbers.c ---- */

double lisp_num(Value *v); /* an integer or float as a double */

/* ---- strings.c ---- */

/* Appends N bytes to a growable buffer (room kept for a NUL). */
void put_bytes(char **buf, size_t *len, size_t *cap, const char *s, size_t n);

#endif /* VTERM_HOST_LISP_H */
