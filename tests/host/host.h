/* host.h --- value model, environment and evaluator of the headless module host

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

/* The host loads an Emacs module without Emacs.  It has three parts:

   value.c   Lisp values, symbols and the garbage collector, with
             printing in print.c, and every emacs_env slot of Emacs 28
             plus module loading in env.c and env-newer.c (env.h);
   lisp.c    the Lisp: the evaluator here, with the reader, special
             forms, builtins and test vocabulary in the files lisp.h
             lists;
   buffer.c  buffers, with text properties in textprop.c and, in
             callbacks.c, the vterm--* helpers the module calls back and
             windows (no-ops); buffer.h lists them.

   Errors never unwind the C stack: a function that signals records the
   exit in `host_exit' and returns NULL; every caller checks for NULL.
   The collector runs only inside `garbage-collect' and at a few explicit
   points, so any Value held across a call that may evaluate Lisp must
   be on the root stack (`root_push').  */

#ifndef VTERM_HOST_H
#define VTERM_HOST_H

#include <stddef.h>
#include <stdint.h>

#include <emacs-module.h>

typedef struct Value Value;
typedef struct Buffer Buffer;

typedef Value *(*BuiltinFn)(ptrdiff_t nargs, Value **args);
typedef Value *(*SpecialFn)(Value *form_args);

enum ValueType {
  V_INT,
  V_FLOAT,
  V_STRING,
  V_SYMBOL,
  V_CONS,
  V_VECTOR,
  V_USER_PTR,
  V_MODFUNC,
  V_BUILTIN,
  V_BUFFER
};

struct Handle;

struct Value {
  unsigned char type;
  unsigned char marked;
  unsigned char multibyte; /* strings */
  unsigned char special;   /* builtins: special form; symbols: constant */
  Value *gc_next;          /* all-objects list, owned by the collector */
  struct Handle *gref;     /* global reference, if any (value.c) */
  union {
    intmax_t i;
    double f;
    struct {
      char *data;     /* owned, NUL terminated */
      ptrdiff_t len;  /* bytes */
      Value **props;  /* per-character plists or NULL; owned */
      ptrdiff_t nchars;
    } str;
    struct {
      char *name; /* owned */
      Value *value; /* NULL when void */
      Value *function; /* NULL when void */
      Value *plist;
      Value *hash_next; /* obarray chain; NULL for uninterned */
      int interned;
    } sym;
    struct {
      Value *car, *cdr;
      int line;
    } cons;
    struct {
      ptrdiff_t size;
      Value **items; /* owned */
    } vec;
    struct {
      void *ptr;
      emacs_finalizer fin;
    } uptr;
    struct {
      ptrdiff_t min, max;
      emacs_function fn;
      void *data;
      char *doc; /* owned copy */
      emacs_finalizer fin;
      Value *interactive; /* NULL unless make_interactive */
    } mf;
    struct {
      const char *name;
      int min, max; /* max -1: &rest */
      BuiltinFn fn;
      SpecialFn sf;
      int inject; /* fault injection countdown, 0 = off */
    } bi;
    Buffer *buf;
  } u;
};

/* ---- globals ---- */

/* The fuzzers link the host and the module into one program, and the
   module has globals named like these (elisp.c): keep the host's apart. */
#define Qand_optional host_Qand_optional
#define Qand_rest host_Qand_rest
#define Qargs_out_of_range host_Qargs_out_of_range
#define Qbeginning_of_buffer host_Qbeginning_of_buffer
#define Qbuffer_read_only host_Qbuffer_read_only
#define Qend_of_buffer host_Qend_of_buffer
#define Qerror host_Qerror
#define Qerror_conditions host_Qerror_conditions
#define Qerror_message host_Qerror_message
#define Qfunction host_Qfunction
#define Qinteractive host_Qinteractive
#define Qinvalid_function host_Qinvalid_function
#define Qinvalid_read_syntax host_Qinvalid_read_syntax
#define Qlambda host_Qlambda
#define Qmemory_full host_Qmemory_full
#define Qnil host_Qnil
#define Qno_catch host_Qno_catch
#define Qoverflow_error host_Qoverflow_error
#define Qquit host_Qquit
#define Qquote host_Qquote
#define Qsetting_constant host_Qsetting_constant
#define Qt host_Qt
#define Qvoid_function host_Qvoid_function
#define Qvoid_variable host_Qvoid_variable
#define Qwrong_number_of_arguments host_Qwrong_number_of_arguments
#define Qwrong_type_argument host_Qwrong_type_argument
#define Fformat host_Fformat
#define Fget host_Fget
#define Fput host_Fput


extern Value *Qnil, *Qt, *Qquote, *Qfunction, *Qlambda, *Qerror,
    *Qwrong_type_argument, *Qargs_out_of_range, *Qwrong_number_of_arguments,
    *Qvoid_function, *Qvoid_variable, *Qinvalid_function, *Qoverflow_error,
    *Qno_catch, *Qsetting_constant, *Qend_of_buffer, *Qbeginning_of_buffer,
    *Qbuffer_read_only, *Qinvalid_read_syntax, *Qmemory_full, *Qquit,
    *Qerror_conditions, *Qerror_message, *Qand_optional, *Qand_rest,
    *Qinteractive;

enum { EXIT_NONE = 0, EXIT_SIGNAL = 1, EXIT_THROW = 2 };

struct HostExit {
  int kind;
  Value *sym; /* signal symbol or throw tag */
  Value *data;
};
extern struct HostExit host_exit;

#define NILP(v) ((v) == Qnil)
#define CONSP(v) ((v)->type == V_CONS)
#define STRINGP(v) ((v)->type == V_STRING)
#define SYMBOLP(v) ((v)->type == V_SYMBOL)
#define INTP(v) ((v)->type == V_INT)
#define XCAR(v) ((v)->u.cons.car)
#define XCDR(v) ((v)->u.cons.cdr)

/* ---- value.c (printing: print.c) ---- */

void host_init(void);
void host_shutdown(void); /* runs all finalizers, frees everything */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

Value *make_int(intmax_t i);
Value *make_float(double f);
Value *make_string(const char *data, ptrdiff_t len, int multibyte);
Value *make_cstring(const char *s); /* multibyte if non-ASCII */
Value *cons(Value *car, Value *cdr);
Value *make_vector(ptrdiff_t n, Value *init);
Value *make_user_ptr(emacs_finalizer fin, void *ptr);
Value *make_buffer_value(Buffer *b);
Value *intern(const char *name);
Value *make_symbol(const char *name);
Value *defbuiltin(const char *name, int min, int max, BuiltinFn fn);
Value *defspecial(const char *name, SpecialFn fn);
Value *list2(Value *a, Value *b);
Value *list3(Value *a, Value *b, Value *c);
ptrdiff_t string_chars(const char *s, ptrdiff_t len, int multibyte);
int utf8_valid(const char *s, ptrdiff_t len);
/* Length of the character at S (1 for a stray byte); decode it into *C
   (a stray byte B decodes to the raw-byte character 0x3FFF00 + B).  */
int utf8_char_len(const char *s, ptrdiff_t n);
int utf8_decode_char(const char *s, ptrdiff_t n, unsigned *c);

/* Signalling: each sets host_exit (unless one is pending) and returns
   NULL so that callers can `return signal_...'.  */
Value *xsignal(Value *sym, Value *data);
Value *xthrow(Value *tag, Value *value);
Value *wrong_type(const char *pred, Value *v);
Value *args_out_of_range(Value *a, Value *b);
Value *error_fmt(const char *fmt, ...);
int error_is_a(Value *sym, Value *type); /* condition hierarchy */
void define_error(Value *sym, const char *msg, Value *parent);
void clear_exit(void);

/* Root stack (GC protection).  */
ptrdiff_t root_push(Value *v);
extern Value **root_stack;
extern ptrdiff_t root_sp;
#define ROOT(i) (root_stack[i])
void root_reset(ptrdiff_t sp);

void gc_collect(void);
void gc_maybe(void); /* collect when many objects were allocated */
extern size_t gc_live_objects;
extern size_t gc_finalized;

int equal(Value *a, Value *b);
int eq(Value *a, Value *b);
void prin1(Value *v, int escape, char **buf, size_t *len, size_t *cap);
char *value_repr(Value *v, int escape, size_t max); /* malloc'd */
Value *Fget(Value *sym, Value *prop);
Value *Fput(Value *sym, Value *prop, Value *val);

/* Module loading (env.c).  */
Value *module_load(const char *file);
/* Static link variant: call an already-linked init.  */
Value *module_init_linked(int (*init)(struct emacs_runtime *));
void module_bug(const char *fmt, ...);
extern long module_calls;
/* Number of active env->funcall calls: like Emacs' catch-all handler
   there, they see any throw, so a throw is only `no-catch' when this
   is 0 and no `catch' matches.  */
extern int module_funcall_depth;

/* ---- lisp.c and the other Lisp units (lisp.h) ---- */

void lisp_init(void);
Value *eval(Value *form);
Value *funcall(Value *fn, ptrdiff_t nargs, Value **args);
Value *funcall_sym(const char *name, ptrdiff_t nargs, Value **args);
Value *progn(Value *body);
Value *read_all(const char *text, size_t len, const char *file, int *err);
int run_script(const char *file); /* returns number of failures */
Value *specbind(Value *sym, Value *val);
void unbind_to(ptrdiff_t count);
ptrdiff_t specpdl_depth(void);
Value *symbol_value(Value *sym);
Value *set_symbol(Value *sym, Value *val);
Value *list_from(ptrdiff_t n, Value **items);
ptrdiff_t list_length(Value *l); /* -1 if improper */
Value *plist_get(Value *plist, Value *prop);
Value *Fformat(ptrdiff_t nargs, Value **args);
extern long tests_passed, tests_failed;
extern int host_verbose;
void lisp_mark_roots(void (*mark)(Value *));
int string_match(const char *re, const char *s, ptrdiff_t len);
void put_char(char **buf, size_t *len, size_t *cap, unsigned c);

/* ---- buffer.c and the other buffer units (buffer.h) ---- */

void buffer_init(void);
void buffer_mark_roots(void (*mark)(Value *));
void buffer_free(Buffer *b);
void buffer_mark(Buffer *b, void (*mark)(Value *));
void buffer_shutdown(void);
Buffer *current_buffer(void);
Value *buffer_insert_string(Buffer *b, Value *s);
extern char *host_output;
extern size_t host_output_len;

#endif /* VTERM_HOST_H */
