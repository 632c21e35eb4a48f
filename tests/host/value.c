/* value.c --- Lisp values, symbols and the collector of the module host

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


/* Ownership.  Every Value is on the all-objects list and owned by the
   collector.  emacs_value is a pointer to a Handle; handles live in
   slabs that are never returned to the system, so a stale emacs_value
   is still readable and is recognised as dead instead of crashing.
   Freed local handles wait in a FIFO quarantine before reuse.  An
   emacs_env is one heap block per module call, freed when the call
   returns (so a stale env is a use-after-free under ASan).

   This file: allocation, symbols, errors, the root stack, equality, the
   collector, host_init and host_shutdown.  The emacs_env is in env.c
   (with env.h) and env-newer.c, printing in print.c.  */

#include "env.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


Value *Qnil, *Qt, *Qquote, *Qfunction, *Qlambda, *Qerror,
    *Qwrong_type_argument, *Qargs_out_of_range, *Qwrong_number_of_arguments,
    *Qvoid_function, *Qvoid_variable, *Qinvalid_function, *Qoverflow_error,
    *Qno_catch, *Qsetting_constant, *Qend_of_buffer, *Qbeginning_of_buffer,
    *Qbuffer_read_only, *Qinvalid_read_syntax, *Qmemory_full, *Qquit,
    *Qerror_conditions, *Qerror_message, *Qand_optional, *Qand_rest,
    *Qinteractive;

struct HostExit host_exit;
size_t gc_live_objects;
size_t gc_finalized;
long module_calls;
int module_funcall_depth;

static Value *all_objects;
static size_t gc_allocated_since;

/* ------------------------------------------------------------------ */
/* Allocation                                                           */
/* ------------------------------------------------------------------ */

static void out_of_memory(size_t n) {
  fprintf(stderr, "vterm-host: out of memory allocating %lu bytes\n",
          (unsigned long)n);
  abort();
}

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p)
    out_of_memory(n);
  return p;
}

void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p)
    out_of_memory(n * size);
  return p;
}

void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q)
    out_of_memory(n);
  return q;
}

char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = xmalloc(n);
  memcpy(d, s, n);
  return d;
}

Value *alloc_value(int type) {
  Value *v = xcalloc(1, sizeof *v);
  v->type = (unsigned char)type;
  v->gc_next = all_objects;
  all_objects = v;
  gc_live_objects++;
  gc_allocated_since++;
  return v;
}

Value *make_int(intmax_t i) {
  Value *v = alloc_value(V_INT);
  v->u.i = i;
  return v;
}

Value *make_float(double f) {
  Value *v = alloc_value(V_FLOAT);
  v->u.f = f;
  return v;
}

/* Length in bytes of the UTF-8 sequence starting at S (at most N bytes
   available), or 0 when the bytes are not a valid, shortest-form
   sequence of a scalar value.  */
static int utf8_seq_len(const unsigned char *s, ptrdiff_t n) {
  unsigned c = s[0];
  int len;
  unsigned cp;
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    len = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF)
    len = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4)
    len = 4, cp = c & 0x07;
  else
    return 0;
  if (n < len)
    return 0;
  for (int i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

int utf8_char_len(const char *s, ptrdiff_t n) {
  int l = utf8_seq_len((const unsigned char *)s, n);
  return l ? l : 1;
}

int utf8_decode_char(const char *s, ptrdiff_t n, unsigned *c) {
  const unsigned char *p = (const unsigned char *)s;
  int l = utf8_seq_len(p, n);
  unsigned cp;
  if (l <= 1) {
    *c = l ? p[0] : 0x3FFF00u + p[0];
    return 1;
  }
  cp = p[0] & (0xFFu >> (l + 1));
  for (int i = 1; i < l; i++)
    cp = (cp << 6) | (p[i] & 0x3Fu);
  *c = cp;
  return l;
}

int utf8_valid(const char *s, ptrdiff_t len) {
  const unsigned char *p = (const unsigned char *)s;
  ptrdiff_t i = 0;
  while (i < len) {
    int l = utf8_seq_len(p + i, len - i);
    if (!l)
      return 0;
    i += l;
  }
  return 1;
}

/* Characters in a string: a multibyte string counts each valid UTF-8
   sequence and each stray byte (a raw-byte character) as one.  */
ptrdiff_t string_chars(const char *s, ptrdiff_t len, int multibyte) {
  const unsigned char *p = (const unsigned char *)s;
  ptrdiff_t i = 0, n = 0;
  if (!multibyte)
    return len;
  while (i < len) {
    int l = utf8_seq_len(p + i, len - i);
    i += l ? l : 1;
    n++;
  }
  return n;
}

Value *make_string(const char *data, ptrdiff_t len, int multibyte) {
  Value *v = alloc_value(V_STRING);
  v->u.str.data = xmalloc((size_t)len + 1);
  if (len)
    memcpy(v->u.str.data, data, (size_t)len);
  v->u.str.data[len] = 0;
  v->u.str.len = len;
  v->multibyte = (unsigned char)(multibyte != 0);
  v->u.str.nchars = string_chars(v->u.str.data, len, multibyte);
  return v;
}

Value *make_cstring(const char *s) {
  size_t n = strlen(s);
  int mb = 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] >= 0x80)
      mb = 1;
  return make_string(s, (ptrdiff_t)n, mb);
}

Value *cons(Value *car, Value *cdr) {
  Value *v = alloc_value(V_CONS);
  v->u.cons.car = car;
  v->u.cons.cdr = cdr;
  return v;
}

Value *list2(Value *a, Value *b) { return cons(a, cons(b, Qnil)); }
Value *list3(Value *a, Value *b, Value *c) {
  return cons(a, cons(b, cons(c, Qnil)));
}

Value *make_vector(ptrdiff_t n, Value *init) {
  Value *v = alloc_value(V_VECTOR);
  v->u.vec.size = n;
  v->u.vec.items = xcalloc((size_t)n, sizeof(Value *));
  for (ptrdiff_t i = 0; i < n; i++)
    v->u.vec.items[i] = init;
  return v;
}

Value *make_user_ptr(emacs_finalizer fin, void *ptr) {
  Value *v = alloc_value(V_USER_PTR);
  v->u.uptr.fin = fin;
  v->u.uptr.ptr = ptr;
  return v;
}

Value *make_buffer_value(Buffer *b) {
  Value *v = alloc_value(V_BUFFER);
  v->u.buf = b;
  return v;
}

/* ------------------------------------------------------------------ */
/* Symbols                                                              */
/* ------------------------------------------------------------------ */

#define OBARRAY_SIZE 4096
static Value *obarray[OBARRAY_SIZE];

static unsigned hash_name(const char *s) {
  unsigned h = 2166136261u;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h % OBARRAY_SIZE;
}

Value *make_symbol(const char *name) {
  Value *v = alloc_value(V_SYMBOL);
  v->u.sym.name = xstrdup(name);
  v->u.sym.plist = Qnil; /* Qnil may be NULL while bootstrapping */
  return v;
}

Value *intern(const char *name) {
  unsigned h = hash_name(name);
  for (Value *s = obarray[h]; s; s = s->u.sym.hash_next)
    if (strcmp(s->u.sym.name, name) == 0)
      return s;
  Value *s = make_symbol(name);
  s->u.sym.interned = 1;
  s->u.sym.hash_next = obarray[h];
  obarray[h] = s;
  if (name[0] == ':' && name[1]) { /* keywords evaluate to themselves */
    s->u.sym.value = s;
    s->special = 1;
  }
  return s;
}

Value *defbuiltin(const char *name, int min, int max, BuiltinFn fn) {
  Value *f = alloc_value(V_BUILTIN);
  f->u.bi.name = name;
  f->u.bi.min = min;
  f->u.bi.max = max;
  f->u.bi.fn = fn;
  intern(name)->u.sym.function = f;
  return f;
}

Value *defspecial(const char *name, SpecialFn fn) {
  Value *f = alloc_value(V_BUILTIN);
  f->u.bi.name = name;
  f->u.bi.sf = fn;
  f->special = 1;
  intern(name)->u.sym.function = f;
  return f;
}

Value *Fget(Value *sym, Value *prop) {
  for (Value *p = sym->u.sym.plist; CONSP(p) && CONSP(XCDR(p));
       p = XCDR(XCDR(p)))
    if (XCAR(p) == prop)
      return XCAR(XCDR(p));
  return Qnil;
}

Value *Fput(Value *sym, Value *prop, Value *val) {
  for (Value *p = sym->u.sym.plist; CONSP(p) && CONSP(XCDR(p));
       p = XCDR(XCDR(p)))
    if (XCAR(p) == prop) {
      XCAR(XCDR(p)) = val;
      return val;
    }
  sym->u.sym.plist = cons(prop, cons(val, sym->u.sym.plist));
  return val;
}

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

/* Records a non-local exit; as in Emacs the first one wins. */
static Value *set_exit(int kind, Value *sym, Value *data) {
  if (host_exit.kind == EXIT_NONE) {
    host_exit.kind = kind;
    host_exit.sym = sym;
    host_exit.data = data;
  }
  return NULL;
}

Value *xsignal(Value *sym, Value *data) {
  return set_exit(EXIT_SIGNAL, sym, data);
}

Value *xthrow(Value *tag, Value *value) {
  return set_exit(EXIT_THROW, tag, value);
}

void clear_exit(void) {
  host_exit.kind = EXIT_NONE;
  host_exit.sym = host_exit.data = NULL;
}

Value *wrong_type(const char *pred, Value *v) {
  return xsignal(Qwrong_type_argument, list2(intern(pred), v));
}

Value *args_out_of_range(Value *a, Value *b) {
  return xsignal(Qargs_out_of_range, list2(a, b));
}

Value *error_fmt(const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return xsignal(Qerror, cons(make_cstring(buf), Qnil));
}

void define_error(Value *sym, const char *msg, Value *parent) {
  Value *conds = parent ? Fget(parent, Qerror_conditions) : Qnil;
  Fput(sym, Qerror_conditions, cons(sym, conds));
  Fput(sym, Qerror_message, make_cstring(msg));
}

int error_is_a(Value *sym, Value *type) {
  if (type == Qt || sym == type)
    return 1;
  if (!SYMBOLP(sym))
    return 0;
  for (Value *c = Fget(sym, Qerror_conditions); CONSP(c); c = XCDR(c))
    if (XCAR(c) == type)
      return 1;
  return 0;
}

/* ------------------------------------------------------------------ */
/* Root stack                                                           */
/* ------------------------------------------------------------------ */

#define ROOT_STACK_MAX (1 << 20)
Value **root_stack;
ptrdiff_t root_sp;

ptrdiff_t root_push(Value *v) {
  if (root_sp >= ROOT_STACK_MAX) {
    fprintf(stderr, "vterm-host: root stack overflow\n");
    abort();
  }
  root_stack[root_sp] = v;
  return root_sp++;
}

void root_reset(ptrdiff_t sp) { root_sp = sp; }

/* ------------------------------------------------------------------ */
/* Equality                                                             */
/* ------------------------------------------------------------------ */

int eq(Value *a, Value *b) {
  if (a == b)
    return 1;
  return a->type == V_INT && b->type == V_INT && a->u.i == b->u.i;
}

int equal(Value *a, Value *b) {
  while (1) {
    if (eq(a, b))
      return 1;
    if (a->type != b->type)
      return 0;
    switch (a->type) {
    case V_FLOAT:
      return a->u.f == b->u.f ||
             (isnan(a->u.f) && isnan(b->u.f));
    case V_STRING:
      return a->u.str.len == b->u.str.len &&
             memcmp(a->u.str.data, b->u.str.data, (size_t)a->u.str.len) == 0;
    case V_VECTOR:
      if (a->u.vec.size != b->u.vec.size)
        return 0;
      for (ptrdiff_t i = 0; i < a->u.vec.size; i++)
        if (!equal(a->u.vec.items[i], b->u.vec.items[i]))
          return 0;
      return 1;
    case V_CONS:
      if (!equal(XCAR(a), XCAR(b)))
        return 0;
      a = XCDR(a);
      b = XCDR(b);
      continue;
    default:
      return 0;
    }
  }
}

/* ------------------------------------------------------------------ */
/* Garbage collection                                                   */
/* ------------------------------------------------------------------ */

static Value **mark_stack;
static size_t mark_sp, mark_cap;

static void mark(Value *v) {
  if (!v || v->marked)
    return;
  v->marked = 1;
  if (mark_sp == mark_cap) {
    mark_cap = mark_cap ? mark_cap * 2 : 4096;
    mark_stack = xrealloc(mark_stack, mark_cap * sizeof *mark_stack);
  }
  mark_stack[mark_sp++] = v;
}

static void mark_children(Value *v) {
  switch (v->type) {
  case V_CONS:
    mark(XCAR(v));
    mark(XCDR(v));
    break;
  case V_VECTOR:
    for (ptrdiff_t i = 0; i < v->u.vec.size; i++)
      mark(v->u.vec.items[i]);
    break;
  case V_STRING:
    if (v->u.str.props)
      for (ptrdiff_t i = 0; i < v->u.str.nchars; i++)
        mark(v->u.str.props[i]);
    break;
  case V_SYMBOL:
    mark(v->u.sym.value);
    mark(v->u.sym.function);
    mark(v->u.sym.plist);
    break;
  case V_MODFUNC:
    mark(v->u.mf.interactive);
    break;
  case V_BUFFER:
    if (v->u.buf)
      buffer_mark(v->u.buf, mark);
    break;
  default:
    break;
  }
}

static void free_value(Value *v) {
  switch (v->type) {
  case V_STRING:
    free(v->u.str.data);
    free(v->u.str.props);
    break;
  case V_VECTOR:
    free(v->u.vec.items);
    break;
  case V_SYMBOL:
    free(v->u.sym.name);
    break;
  case V_MODFUNC:
    free(v->u.mf.doc);
    break;
  default:
    break;
  }
  free(v);
}

/* Sweep everything unmarked; FINALIZE_ALL ignores marks (at exit).  */
static void sweep(int finalize_all) {
  Value **link = &all_objects;
  Value *dead = NULL;
  while (*link) {
    Value *v = *link;
    if (v->marked && !finalize_all) {
      v->marked = 0;
      link = &v->gc_next;
      continue;
    }
    *link = v->gc_next;
    v->gc_next = dead;
    dead = v;
    gc_live_objects--;
  }
  /* Finalizers run after the sweep, like Emacs' finalizers after GC.  */
  for (Value *v = dead; v; v = v->gc_next) {
    if (v->type == V_USER_PTR && v->u.uptr.fin) {
      gc_finalized++;
      v->u.uptr.fin(v->u.uptr.ptr);
    } else if (v->type == V_MODFUNC && v->u.mf.fin) {
      v->u.mf.fin(v->u.mf.data);
    }
  }
  while (dead) {
    Value *next = dead->gc_next;
    free_value(dead);
    dead = next;
  }
}

void gc_collect(void) {
  for (unsigned i = 0; i < OBARRAY_SIZE; i++)
    for (Value *s = obarray[i]; s; s = s->u.sym.hash_next)
      mark(s);
  for (ptrdiff_t i = 0; i < root_sp; i++)
    mark(root_stack[i]);
  env_mark_roots(mark);
  mark(host_exit.sym);
  mark(host_exit.data);
  lisp_mark_roots(mark);
  buffer_mark_roots(mark);
  while (mark_sp)
    mark_children(mark_stack[--mark_sp]);
  sweep(0);
  gc_allocated_since = 0;
}

void gc_maybe(void) {
  if (gc_allocated_since > 400000 + gc_live_objects)
    gc_collect();
}

void host_init(void) {
  static const struct {
    const char *name, *msg, *parent;
  } errors[] = {
      {"error", "error", NULL},
      {"quit", "Quit", NULL},
      {"user-error", "", "error"},
      {"wrong-type-argument", "Wrong type argument", "error"},
      {"args-out-of-range", "Args out of range", "error"},
      {"wrong-number-of-arguments", "Wrong number of arguments", "error"},
      {"void-function", "Symbol's function definition is void", "error"},
      {"void-variable", "Symbol's value as variable is void", "error"},
      {"invalid-function", "Invalid function", "error"},
      {"arith-error", "Arithmetic error", "error"},
      {"overflow-error", "Arithmetic overflow error", "arith-error"},
      {"no-catch", "No catch for tag", "error"},
      {"setting-constant", "Attempt to set a constant symbol", "error"},
      {"end-of-buffer", "End of buffer", "error"},
      {"beginning-of-buffer", "Beginning of buffer", "error"},
      {"buffer-read-only", "Buffer is read-only", "error"},
      {"text-read-only", "Text is read-only", "buffer-read-only"},
      {"invalid-read-syntax", "Invalid read syntax", "error"},
      {"end-of-file", "End of file during parsing", "error"},
      {"memory-full", "Memory exhausted", "error"},
      {"invalid-regexp", "Invalid regexp", "error"},
      {"circular-list", "List contains a loop", "error"},
      {"wrong-length-argument", "Wrong length argument", "error"},
      {"file-error", "File error", "error"},
      {"file-missing", "No such file or directory", "file-error"},
      {"ert-test-failed", "Test failed", "error"},
      {"module-error", "Module error", "error"},
      {"module-open-failed", "Module could not be opened", "module-error"},
      {"module-not-gpl-compatible", "Module is not GPL compatible",
       "module-error"},
      {"module-load-failed", "Module load failed", "module-error"},
      {"module-init-failed", "Module initialization failed", "module-error"},
      {"invalid-arity", "Invalid function arity", "error"},
  };
  root_stack = xmalloc(ROOT_STACK_MAX * sizeof *root_stack);
  Qnil = intern("nil");
  Qnil->u.sym.plist = Qnil;
  Qnil->u.sym.value = Qnil;
  Qnil->special = 1;
  Qt = intern("t");
  Qt->u.sym.value = Qt;
  Qt->special = 1;
  Qquote = intern("quote");
  Qfunction = intern("function");
  Qlambda = intern("lambda");
  Qerror_conditions = intern("error-conditions");
  Qerror_message = intern("error-message");
  Qand_optional = intern("&optional");
  Qand_rest = intern("&rest");
  Qinteractive = intern("interactive");
  for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
    define_error(intern(errors[i].name), errors[i].msg,
                 errors[i].parent ? intern(errors[i].parent) : NULL);
  Qerror = intern("error");
  Qquit = intern("quit");
  Qwrong_type_argument = intern("wrong-type-argument");
  Qargs_out_of_range = intern("args-out-of-range");
  Qwrong_number_of_arguments = intern("wrong-number-of-arguments");
  Qvoid_function = intern("void-function");
  Qvoid_variable = intern("void-variable");
  Qinvalid_function = intern("invalid-function");
  Qoverflow_error = intern("overflow-error");
  Qno_catch = intern("no-catch");
  Qsetting_constant = intern("setting-constant");
  Qend_of_buffer = intern("end-of-buffer");
  Qbeginning_of_buffer = intern("beginning-of-buffer");
  Qbuffer_read_only = intern("buffer-read-only");
  Qinvalid_read_syntax = intern("invalid-read-syntax");
  Qmemory_full = intern("memory-full");
  lisp_init();
  buffer_init();
}

void host_shutdown(void) {
  /* Like Emacs at exit, finalizers of live user pointers run.  */
  root_sp = 0;
  buffer_shutdown();
  sweep(1);
  memset(obarray, 0, sizeof obarray);
  free(root_stack);
  root_stack = NULL;
  env_shutdown();
  free(mark_stack);
  mark_stack = NULL;
  mark_sp = mark_cap = 0;
  clear_exit();
}
