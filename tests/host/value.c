/* value.c --- Lisp values, collector and the emacs_env of the module host

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
   returns (so a stale env is a use-after-free under ASan).  */

#include "host.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#endif

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

static Value *alloc_value(int type) {
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
/* Handles (emacs_value) and environments                               */
/* ------------------------------------------------------------------ */

enum {
  H_FREE = 0x46524545,
  H_LOCAL = 0x4c4f434c,
  H_GLOBAL = 0x474c4f42,
  ENV_MAGIC = 0x454e5631
};

typedef struct Handle {
  Value *v;
  uint32_t state;
  uint32_t depth;     /* local: index of its env on the env stack */
  uint64_t serial;    /* local: serial of its env */
  ptrdiff_t refcount; /* global */
  ptrdiff_t gindex;   /* global: index in globals[] */
} Handle;

#define SLAB_N 4096
#define QUARANTINE 65536
static Handle **slabs;
static size_t nslabs, slab_used = SLAB_N;
static Handle **fifo; /* ring of freed handles */
static size_t fifo_cap, fifo_head, fifo_count;
static Handle *last_slab;

static Handle **globals;
static size_t nglobals, globals_cap;

typedef struct HostEnv {
  struct emacs_env_28 pub;
  uint32_t magic;
  int exit_kind;
  Value *exit_sym, *exit_data;
  Handle **handles;
  size_t nhandles, cap;
  uint64_t serial;
  size_t depth;
} HostEnv;

/* The environment as modules see it.  The host offers the emacs_env_28
   functions (pub.size says so); a newer emacs-module.h makes emacs_env
   its own version, which adds nothing up to emacs_env_30 and which a
   module reads only after checking the size, as with a real Emacs. */
static emacs_env *host_env(HostEnv *e) { return (emacs_env *)&e->pub; }

static HostEnv **env_stack;
static size_t env_depth, env_cap;
static uint64_t env_serial;

void module_bug(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "vterm-host: MODULE API MISUSE: ");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n");
  fflush(stderr);
  /* VTERM_HOST_MISUSE=exit: exit with status 70 instead of aborting
     (ctest tests that expect the misuse to be caught).  */
  {
    const char *how = getenv("VTERM_HOST_MISUSE");
    if (how && strcmp(how, "exit") == 0)
      exit(70);
  }
  abort();
}

static Handle *handle_alloc(void) {
  if (fifo_count > QUARANTINE) {
    Handle *h = fifo[fifo_head];
    fifo_head = (fifo_head + 1) % fifo_cap;
    fifo_count--;
    return h;
  }
  if (slab_used == SLAB_N) {
    slabs = xrealloc(slabs, (nslabs + 1) * sizeof *slabs);
    slabs[nslabs++] = xcalloc(SLAB_N, sizeof(Handle));
    slab_used = 0;
  }
  return &slabs[nslabs - 1][slab_used++];
}

static void handle_free(Handle *h) {
  h->state = H_FREE;
  h->v = NULL;
  if (fifo_count == fifo_cap) {
    size_t ncap = fifo_cap ? fifo_cap * 2 : 1024;
    Handle **n = xmalloc(ncap * sizeof *n);
    for (size_t i = 0; i < fifo_count; i++)
      n[i] = fifo[(fifo_head + i) % fifo_cap];
    free(fifo);
    fifo = n;
    fifo_cap = ncap;
    fifo_head = 0;
  }
  fifo[(fifo_head + fifo_count) % fifo_cap] = h;
  fifo_count++;
}

/* Is X the address of a handle slot?  */
static Handle *handle_slot(emacs_value x) {
  const char *p = (const char *)x;
  if (last_slab && p >= (const char *)last_slab &&
      p < (const char *)(last_slab + SLAB_N) &&
      (size_t)(p - (const char *)last_slab) % sizeof(Handle) == 0)
    return (Handle *)x;
  for (size_t i = 0; i < nslabs; i++) {
    const char *b = (const char *)slabs[i];
    if (p >= b && p < b + SLAB_N * sizeof(Handle) &&
        (size_t)(p - b) % sizeof(Handle) == 0) {
      last_slab = slabs[i];
      return (Handle *)x;
    }
  }
  return NULL;
}

static emacs_value handle_new(HostEnv *e, Value *v) {
  Handle *h;
  if (!v)
    return NULL;
  h = handle_alloc();
  h->v = v;
  h->state = H_LOCAL;
  h->depth = (uint32_t)e->depth;
  h->serial = e->serial;
  if (e->nhandles == e->cap) {
    e->cap = e->cap ? e->cap * 2 : 16;
    e->handles = xrealloc(e->handles, e->cap * sizeof *e->handles);
  }
  e->handles[e->nhandles++] = h;
  return (emacs_value)h;
}

/* The Value behind X, or a module_bug when X is not a live value.  */
static Value *value_of(emacs_value x) {
  Handle *h;
  if (!x)
    module_bug("NULL emacs_value used while no non-local exit is pending");
  h = handle_slot(x);
  if (!h)
    module_bug("%p is not an emacs_value of this host", (void *)x);
  if (h->state == H_GLOBAL)
    return h->v;
  if (h->state != H_LOCAL)
    module_bug("emacs_value %p is dead (its environment has returned)",
               (void *)x);
  if (h->depth >= env_depth || env_stack[h->depth]->serial != h->serial)
    module_bug("emacs_value %p belongs to an environment that returned",
               (void *)x);
  return h->v;
}

static void set_env_slots(struct emacs_env_28 *pub);

static HostEnv *env_push(void) {
  HostEnv *e = xcalloc(1, sizeof *e);
  set_env_slots(&e->pub);
  e->pub.size = sizeof(struct emacs_env_28);
  e->pub.private_members = (struct emacs_env_private *)e;
  e->magic = ENV_MAGIC;
  e->serial = ++env_serial;
  if (env_depth == env_cap) {
    env_cap = env_cap ? env_cap * 2 : 16;
    env_stack = xrealloc(env_stack, env_cap * sizeof *env_stack);
  }
  e->depth = env_depth;
  env_stack[env_depth++] = e;
  return e;
}

static void env_pop(HostEnv *e) {
  if (env_depth == 0 || env_stack[env_depth - 1] != e)
    module_bug("environment stack corrupted");
  for (size_t i = 0; i < e->nhandles; i++)
    handle_free(e->handles[i]);
  free(e->handles);
  e->magic = 0;
  env_depth--;
  free(e);
}

static HostEnv *env_check(emacs_env *env) {
  HostEnv *e = (HostEnv *)env;
  int live = 0;
  for (size_t i = env_depth; i-- > 0;)
    if (env_stack[i] == e) {
      live = 1;
      break;
    }
  if (!live || e->magic != ENV_MAGIC)
    module_bug("emacs_env %p used outside its lifetime", (void *)env);
  return e;
}

/* Move a pending Lisp exit into the environment.  */
static void env_take_exit(HostEnv *e) {
  if (host_exit.kind == EXIT_NONE)
    return;
  if (e->exit_kind == EXIT_NONE) {
    e->exit_kind = host_exit.kind;
    e->exit_sym = host_exit.sym;
    e->exit_data = host_exit.data;
  }
  clear_exit();
}

#define ENV_BEGIN(errval)                                                    \
  HostEnv *e = env_check(env);                                               \
  if (e->exit_kind != EXIT_NONE)                                             \
  return errval

/* ---- memory management ---- */

static emacs_value env_make_global_ref(emacs_env *env, emacs_value value) {
  ENV_BEGIN(NULL);
  Value *v = value_of(value);
  Handle *h = v->gref;
  if (h) {
    h->refcount++;
    return (emacs_value)h;
  }
  h = handle_alloc();
  h->v = v;
  h->state = H_GLOBAL;
  h->refcount = 1;
  if (nglobals == globals_cap) {
    globals_cap = globals_cap ? globals_cap * 2 : 64;
    globals = xrealloc(globals, globals_cap * sizeof *globals);
  }
  h->gindex = (ptrdiff_t)nglobals;
  globals[nglobals++] = h;
  v->gref = h;
  return (emacs_value)h;
}

static void env_free_global_ref(emacs_env *env, emacs_value global) {
  ENV_BEGIN();
  Handle *h = handle_slot(global);
  if (!h || h->state != H_GLOBAL)
    module_bug("free_global_ref on %p, which is not a global reference",
               (void *)global);
  if (--h->refcount > 0)
    return;
  globals[h->gindex] = globals[--nglobals];
  globals[h->gindex]->gindex = h->gindex;
  h->v->gref = NULL;
  handle_free(h);
}

/* ---- non-local exits ---- */

static enum emacs_funcall_exit env_non_local_exit_check(emacs_env *env) {
  return (enum emacs_funcall_exit)env_check(env)->exit_kind;
}

static void env_non_local_exit_clear(emacs_env *env) {
  HostEnv *e = env_check(env);
  e->exit_kind = EXIT_NONE;
  e->exit_sym = e->exit_data = NULL;
}

static enum emacs_funcall_exit
env_non_local_exit_get(emacs_env *env, emacs_value *sym, emacs_value *data) {
  HostEnv *e = env_check(env);
  if (e->exit_kind != EXIT_NONE) {
    *sym = handle_new(e, e->exit_sym);
    *data = handle_new(e, e->exit_data);
  }
  return (enum emacs_funcall_exit)e->exit_kind;
}

static void env_non_local_exit_signal(emacs_env *env, emacs_value sym,
                                      emacs_value data) {
  HostEnv *e = env_check(env);
  if (e->exit_kind != EXIT_NONE)
    return; /* the first exit wins */
  e->exit_kind = EXIT_SIGNAL;
  e->exit_sym = value_of(sym);
  e->exit_data = value_of(data);
}

static void env_non_local_exit_throw(emacs_env *env, emacs_value tag,
                                     emacs_value value) {
  HostEnv *e = env_check(env);
  if (e->exit_kind != EXIT_NONE)
    return;
  e->exit_kind = EXIT_THROW;
  e->exit_sym = value_of(tag);
  e->exit_data = value_of(value);
}

/* ---- functions ---- */

static emacs_value env_make_function(emacs_env *env, ptrdiff_t min,
                                     ptrdiff_t max, emacs_function fn,
                                     const char *doc, void *data) {
  ENV_BEGIN(NULL);
  if (!fn)
    module_bug("make_function with a NULL function pointer");
  if (!(0 <= min && (max < 0 ? max == emacs_variadic_function
                             : min <= max && max <= (ptrdiff_t)1 << 40))) {
    xsignal(intern("invalid-arity"), list2(make_int(min), make_int(max)));
    env_take_exit(e);
    return NULL;
  }
  Value *f = alloc_value(V_MODFUNC);
  f->u.mf.min = min;
  f->u.mf.max = max;
  f->u.mf.fn = fn;
  f->u.mf.data = data;
  f->u.mf.doc = doc ? xstrdup(doc) : NULL;
  return handle_new(e, f);
}

static emacs_value env_funcall(emacs_env *env, emacs_value fn, ptrdiff_t nargs,
                               emacs_value *args) {
  ENV_BEGIN(NULL);
  ptrdiff_t base;
  Value *r;
  if (nargs < 0) {
    xsignal(Qoverflow_error, Qnil);
    env_take_exit(e);
    return NULL;
  }
  if (nargs > 0 && !args)
    module_bug("funcall with %ld arguments and a NULL args array",
               (long)nargs);
  gc_maybe(); /* every value the module holds is a handle here */
  base = root_push(value_of(fn));
  for (ptrdiff_t i = 0; i < nargs; i++)
    root_push(value_of(args[i]));
  module_funcall_depth++; /* Emacs catches everything here */
  r = funcall(ROOT(base), nargs, &root_stack[base + 1]);
  module_funcall_depth--;
  root_reset(base);
  if (!r) {
    env_take_exit(e);
    return NULL;
  }
  return handle_new(e, r);
}

static emacs_value env_intern(emacs_env *env, const char *name) {
  ENV_BEGIN(NULL);
  if (!name)
    module_bug("intern with a NULL name");
  return handle_new(e, intern(name));
}

/* ---- type conversion ---- */

static emacs_value env_type_of(emacs_env *env, emacs_value arg) {
  ENV_BEGIN(NULL);
  static const char *names[] = {"integer",    "float",     "string",
                                "symbol",     "cons",      "vector",
                                "user-ptr",   "module-function", "subr",
                                "buffer"};
  return handle_new(e, intern(names[value_of(arg)->type]));
}

static bool env_is_not_nil(emacs_env *env, emacs_value arg) {
  ENV_BEGIN(false);
  return value_of(arg) != Qnil;
}

static bool env_eq(emacs_env *env, emacs_value a, emacs_value b) {
  ENV_BEGIN(false);
  return eq(value_of(a), value_of(b));
}

static intmax_t env_extract_integer(emacs_env *env, emacs_value arg) {
  ENV_BEGIN(0);
  Value *v = value_of(arg);
  if (v->type != V_INT) {
    wrong_type("integerp", v);
    env_take_exit(e);
    return 0;
  }
  return v->u.i;
}

static emacs_value env_make_integer(emacs_env *env, intmax_t n) {
  ENV_BEGIN(NULL);
  return handle_new(e, make_int(n));
}

static double env_extract_float(emacs_env *env, emacs_value arg) {
  ENV_BEGIN(0);
  Value *v = value_of(arg);
  if (v->type != V_FLOAT) {
    wrong_type("floatp", v);
    env_take_exit(e);
    return 0;
  }
  return v->u.f;
}

static emacs_value env_make_float(emacs_env *env, double d) {
  ENV_BEGIN(NULL);
  return handle_new(e, make_float(d));
}

static bool env_copy_string_contents(emacs_env *env, emacs_value value,
                                     char *buf, ptrdiff_t *len) {
  ENV_BEGIN(false);
  Value *v = value_of(value);
  ptrdiff_t need;
  if (!len)
    module_bug("copy_string_contents with a NULL length pointer");
  if (!STRINGP(v)) {
    wrong_type("stringp", v);
    env_take_exit(e);
    return false;
  }
  need = v->u.str.len + 1;
  if (!buf) {
    *len = need;
    return true;
  }
  if (*len < need) {
    Value *actual = make_int(*len);
    *len = need;
    xsignal(Qargs_out_of_range,
            list3(actual, make_int(need), make_int(PTRDIFF_MAX)));
    env_take_exit(e);
    return false;
  }
  memcpy(buf, v->u.str.data, (size_t)need);
  *len = need;
  return true;
}

static emacs_value string_from_module(HostEnv *e, const char *s, ptrdiff_t len,
                                      int unibyte) {
  int mb = 0;
  if (len < 0 || len > PTRDIFF_MAX / 2) {
    xsignal(Qoverflow_error, Qnil);
    env_take_exit(e);
    return NULL;
  }
  if (len > 0 && !s)
    module_bug("make_string with NULL data and length %ld", (long)len);
  if (!unibyte) {
    for (ptrdiff_t i = 0; i < len && !mb; i++)
      mb = (unsigned char)s[i] >= 0x80;
    /* Emacs 28 decodes with errors on: invalid UTF-8 is a type error.  */
    if (mb && !utf8_valid(s, len)) {
      xsignal(Qwrong_type_argument,
              list2(intern("utf-8-string-p"), make_string(s, len, 1)));
      env_take_exit(e);
      return NULL;
    }
  }
  return handle_new(e, make_string(len ? s : "", len, mb));
}

static emacs_value env_make_string(emacs_env *env, const char *s,
                                   ptrdiff_t len) {
  ENV_BEGIN(NULL);
  return string_from_module(e, s, len, 0);
}

static emacs_value env_make_unibyte_string(emacs_env *env, const char *s,
                                           ptrdiff_t len) {
  ENV_BEGIN(NULL);
  return string_from_module(e, s, len, 1);
}

/* ---- user pointers ---- */

static emacs_value env_make_user_ptr(emacs_env *env, emacs_finalizer fin,
                                     void *ptr) {
  ENV_BEGIN(NULL);
  return handle_new(e, make_user_ptr(fin, ptr));
}

static Value *user_ptr_arg(HostEnv *e, emacs_value arg) {
  Value *v = value_of(arg);
  if (v->type != V_USER_PTR) {
    wrong_type("user-ptrp", v);
    env_take_exit(e);
    return NULL;
  }
  return v;
}

static void *env_get_user_ptr(emacs_env *env, emacs_value arg) {
  ENV_BEGIN(NULL);
  Value *v = user_ptr_arg(e, arg);
  return v ? v->u.uptr.ptr : NULL;
}

static void env_set_user_ptr(emacs_env *env, emacs_value arg, void *ptr) {
  ENV_BEGIN();
  Value *v = user_ptr_arg(e, arg);
  if (v)
    v->u.uptr.ptr = ptr;
}

static emacs_finalizer env_get_user_finalizer(emacs_env *env,
                                              emacs_value arg) {
  ENV_BEGIN(NULL);
  Value *v = user_ptr_arg(e, arg);
  return v ? v->u.uptr.fin : NULL;
}

static void env_set_user_finalizer(emacs_env *env, emacs_value arg,
                                   emacs_finalizer fin) {
  ENV_BEGIN();
  Value *v = user_ptr_arg(e, arg);
  if (v)
    v->u.uptr.fin = fin;
}

/* ---- vectors ---- */

static Value *vector_index(HostEnv *e, emacs_value vector, ptrdiff_t index) {
  Value *v = value_of(vector);
  if (v->type != V_VECTOR) {
    wrong_type("vectorp", v);
    env_take_exit(e);
    return NULL;
  }
  if (index < 0 || index >= v->u.vec.size) {
    args_out_of_range(v, make_int(index));
    env_take_exit(e);
    return NULL;
  }
  return v;
}

static emacs_value env_vec_get(emacs_env *env, emacs_value vector,
                               ptrdiff_t index) {
  ENV_BEGIN(NULL);
  Value *v = vector_index(e, vector, index);
  return v ? handle_new(e, v->u.vec.items[index]) : NULL;
}

static void env_vec_set(emacs_env *env, emacs_value vector, ptrdiff_t index,
                        emacs_value value) {
  ENV_BEGIN();
  Value *x = value_of(value);
  Value *v = vector_index(e, vector, index);
  if (v)
    v->u.vec.items[index] = x;
}

static ptrdiff_t env_vec_size(emacs_env *env, emacs_value vector) {
  ENV_BEGIN(0);
  Value *v = value_of(vector);
  if (v->type != V_VECTOR) {
    wrong_type("vectorp", v);
    env_take_exit(e);
    return 0;
  }
  return v->u.vec.size;
}

/* ---- quitting ---- */

static bool env_should_quit(emacs_env *env) {
  ENV_BEGIN(false);
  Value *q = intern("host-quit-flag")->u.sym.value;
  return q && q != Qnil;
}

static enum emacs_process_input_result env_process_input(emacs_env *env) {
  ENV_BEGIN(emacs_process_input_quit);
  Value *s = intern("host-quit-flag");
  if (s->u.sym.value && s->u.sym.value != Qnil) {
    s->u.sym.value = Qnil;
    xsignal(Qquit, Qnil);
    env_take_exit(e);
    return emacs_process_input_quit;
  }
  return emacs_process_input_continue;
}

/* ---- time ---- */

static struct timespec env_extract_time(emacs_env *env, emacs_value arg) {
  struct timespec ts = {0, 0};
  ENV_BEGIN(ts);
  Value *v = value_of(arg);
  if (v->type == V_INT) {
    ts.tv_sec = (time_t)v->u.i;
  } else if (v->type == V_FLOAT && isfinite(v->u.f)) {
    double s = floor(v->u.f);
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((v->u.f - s) * 1e9);
  } else if (CONSP(v) && INTP(XCAR(v)) && INTP(XCDR(v)) &&
             XCDR(v)->u.i > 0) { /* (TICKS . HZ) */
    intmax_t t = XCAR(v)->u.i, hz = XCDR(v)->u.i;
    intmax_t s = t / hz, r = t % hz;
    if (r < 0)
      r += hz, s--;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((double)r * 1e9 / (double)hz);
  } else if (CONSP(v) && INTP(XCAR(v)) && CONSP(XCDR(v)) &&
             INTP(XCAR(XCDR(v)))) { /* (HI LO [US [PS]]) */
    Value *rest = XCDR(XCDR(v));
    ts.tv_sec = (time_t)(XCAR(v)->u.i * 65536 + XCAR(XCDR(v))->u.i);
    if (CONSP(rest) && INTP(XCAR(rest)))
      ts.tv_nsec = (long)(XCAR(rest)->u.i * 1000);
  } else {
    error_fmt("Invalid time specification");
    env_take_exit(e);
  }
  return ts;
}

static emacs_value env_make_time(emacs_env *env, struct timespec t) {
  ENV_BEGIN(NULL);
  intmax_t ticks = (intmax_t)t.tv_sec * 1000000000 + t.tv_nsec;
  return handle_new(e, cons(make_int(ticks), make_int(1000000000)));
}

/* ---- big integers (values are limited to intmax_t here) ---- */

static bool env_extract_big_integer(emacs_env *env, emacs_value arg, int *sign,
                                    ptrdiff_t *count,
                                    emacs_limb_t *magnitude) {
  ENV_BEGIN(false);
  Value *v = value_of(arg);
  uintmax_t m;
  ptrdiff_t need = 0;
  if (!sign || !count)
    module_bug("extract_big_integer with NULL sign or count");
  if (v->type != V_INT) {
    wrong_type("integerp", v);
    env_take_exit(e);
    return false;
  }
  *sign = (v->u.i > 0) - (v->u.i < 0);
  m = v->u.i < 0 ? (uintmax_t)0 - (uintmax_t)v->u.i : (uintmax_t)v->u.i;
  for (uintmax_t t = m; t; t = (sizeof(emacs_limb_t) < sizeof t)
                                   ? t >> (8 * sizeof(emacs_limb_t))
                                   : 0)
    need++;
  if (!magnitude) {
    *count = need;
    return true;
  }
  if (*count < need) {
    Value *actual = make_int(*count);
    *count = need;
    xsignal(Qargs_out_of_range, list2(actual, make_int(need)));
    env_take_exit(e);
    return false;
  }
  for (ptrdiff_t i = 0; i < need; i++) {
    magnitude[i] = (emacs_limb_t)m;
    m = (sizeof(emacs_limb_t) < sizeof m) ? m >> (8 * sizeof(emacs_limb_t))
                                          : 0;
  }
  *count = need;
  return true;
}

static emacs_value env_make_big_integer(emacs_env *env, int sign,
                                        ptrdiff_t count,
                                        const emacs_limb_t *magnitude) {
  ENV_BEGIN(NULL);
  uintmax_t m = 0;
  if (sign == 0 || count == 0)
    return handle_new(e, make_int(0));
  if (count < 0 || !magnitude)
    module_bug("make_big_integer with count %ld", (long)count);
  for (ptrdiff_t i = count; i-- > 0;) {
    if (sizeof(emacs_limb_t) >= sizeof m ? m != 0
                                         : m >> (8 * (sizeof m -
                                                      sizeof(emacs_limb_t))))
      goto overflow;
    m = (sizeof(emacs_limb_t) >= sizeof m) ? magnitude[i]
                                          : (m << (8 * sizeof(emacs_limb_t))) |
                                                magnitude[i];
  }
  if (m > (uintmax_t)INTMAX_MAX + (sign < 0))
    goto overflow;
  return handle_new(e, make_int(sign < 0 ? (intmax_t)(0 - m) : (intmax_t)m));
overflow: /* host limitation: no bignums beyond intmax_t */
  xsignal(Qoverflow_error, Qnil);
  env_take_exit(e);
  return NULL;
}

/* ---- function finalizers, channels, interactive ---- */

static Value *modfunc_arg(HostEnv *e, emacs_value arg) {
  Value *v = value_of(arg);
  if (v->type != V_MODFUNC) {
    wrong_type("module-function-p", v);
    env_take_exit(e);
    return NULL;
  }
  return v;
}

static emacs_finalizer env_get_function_finalizer(emacs_env *env,
                                                  emacs_value arg) {
  ENV_BEGIN(NULL);
  Value *f = modfunc_arg(e, arg);
  return f ? f->u.mf.fin : NULL;
}

static void env_set_function_finalizer(emacs_env *env, emacs_value arg,
                                       emacs_finalizer fin) {
  ENV_BEGIN();
  Value *f = modfunc_arg(e, arg);
  if (f)
    f->u.mf.fin = fin;
}

static int env_open_channel(emacs_env *env, emacs_value pipe) {
  ENV_BEGIN(-1);
  /* The host has no processes, so nothing is a pipe process.  */
  wrong_type("processp", value_of(pipe));
  env_take_exit(e);
  return -1;
}

static void env_make_interactive(emacs_env *env, emacs_value function,
                                 emacs_value spec) {
  ENV_BEGIN();
  Value *s = value_of(spec);
  Value *f = modfunc_arg(e, function);
  if (f)
    f->u.mf.interactive = cons(Qinteractive, cons(s, Qnil));
}

static void set_env_slots(struct emacs_env_28 *p) {
  p->make_global_ref = env_make_global_ref;
  p->free_global_ref = env_free_global_ref;
  p->non_local_exit_check = env_non_local_exit_check;
  p->non_local_exit_clear = env_non_local_exit_clear;
  p->non_local_exit_get = env_non_local_exit_get;
  p->non_local_exit_signal = env_non_local_exit_signal;
  p->non_local_exit_throw = env_non_local_exit_throw;
  p->make_function = env_make_function;
  p->funcall = env_funcall;
  p->intern = env_intern;
  p->type_of = env_type_of;
  p->is_not_nil = env_is_not_nil;
  p->eq = env_eq;
  p->extract_integer = env_extract_integer;
  p->make_integer = env_make_integer;
  p->extract_float = env_extract_float;
  p->make_float = env_make_float;
  p->copy_string_contents = env_copy_string_contents;
  p->make_string = env_make_string;
  p->make_user_ptr = env_make_user_ptr;
  p->get_user_ptr = env_get_user_ptr;
  p->set_user_ptr = env_set_user_ptr;
  p->get_user_finalizer = env_get_user_finalizer;
  p->set_user_finalizer = env_set_user_finalizer;
  p->vec_get = env_vec_get;
  p->vec_set = env_vec_set;
  p->vec_size = env_vec_size;
  p->should_quit = env_should_quit;
  p->process_input = env_process_input;
  p->extract_time = env_extract_time;
  p->make_time = env_make_time;
  p->extract_big_integer = env_extract_big_integer;
  p->make_big_integer = env_make_big_integer;
  p->get_function_finalizer = env_get_function_finalizer;
  p->set_function_finalizer = env_set_function_finalizer;
  p->open_channel = env_open_channel;
  p->make_interactive = env_make_interactive;
  p->make_unibyte_string = env_make_unibyte_string;
}

/* Call module function FN (arity already checked by the caller).  ARGS
   are rooted by the caller.  Each call gets a fresh env and a fresh
   heap array of exactly NARGS handles.  */
Value *call_module_function(Value *fn, ptrdiff_t nargs, Value **args);
Value *call_module_function(Value *fn, ptrdiff_t nargs, Value **args) {
  HostEnv *e = env_push();
  emacs_value *a = malloc((size_t)nargs * sizeof *a);
  emacs_value r;
  Value *result = NULL;
  if (!a && nargs)
    abort();
  for (ptrdiff_t i = 0; i < nargs; i++)
    a[i] = handle_new(e, args[i]);
  module_calls++;
  r = fn->u.mf.fn(host_env(e), nargs, a, fn->u.mf.data);
  free(a);
  if (e->exit_kind != EXIT_NONE) {
    clear_exit();
    host_exit.kind = e->exit_kind;
    host_exit.sym = e->exit_sym;
    host_exit.data = e->exit_data;
  } else {
    if (!r)
      module_bug("module function returned NULL without a non-local exit");
    result = value_of(r);
  }
  env_pop(e);
  return result;
}

/* ------------------------------------------------------------------ */
/* Module loading                                                       */
/* ------------------------------------------------------------------ */

struct emacs_runtime_private {
  HostEnv *env;
};

static emacs_env *runtime_get_environment(struct emacs_runtime *rt) {
  return host_env(rt->private_members->env);
}

Value *module_init_linked(int (*init)(struct emacs_runtime *)) {
  struct emacs_runtime_private priv;
  struct emacs_runtime rt;
  HostEnv *e = env_push();
  Value *result = Qt;
  int rc;
  priv.env = e;
  rt.size = sizeof rt;
  rt.private_members = &priv;
  rt.get_environment = runtime_get_environment;
  rc = init(&rt);
  if (rc != 0) {
    result = xsignal(intern("module-init-failed"),
                     list2(make_cstring("<module>"), make_int(rc)));
  } else if (e->exit_kind != EXIT_NONE) {
    host_exit.kind = e->exit_kind;
    host_exit.sym = e->exit_sym;
    host_exit.data = e->exit_data;
    result = NULL;
  }
  env_pop(e);
  return result;
}

Value *module_load(const char *file) {
  void *gpl;
  int (*init)(struct emacs_runtime *);
#ifdef _WIN32
  HMODULE h = LoadLibraryA(file);
  if (!h)
    return xsignal(intern("module-open-failed"),
                   list2(make_cstring(file),
                         make_int((intmax_t)GetLastError())));
  gpl = GetProcAddress(h, "plugin_is_GPL_compatible") ? (void *)h : NULL;
  init = (int (*)(struct emacs_runtime *))(void (*)(void))GetProcAddress(
      h, "emacs_module_init");
#else
  void *h = dlopen(file, RTLD_NOW | RTLD_GLOBAL);
  if (!h)
    return xsignal(intern("module-open-failed"),
                   list2(make_cstring(file), make_cstring(dlerror())));
  gpl = dlsym(h, "plugin_is_GPL_compatible");
  *(void **)&init = dlsym(h, "emacs_module_init");
#endif
  if (!gpl)
    return xsignal(intern("module-not-gpl-compatible"),
                   cons(make_cstring(file), Qnil));
  if (!init)
    return xsignal(intern("module-load-failed"),
                   list2(make_cstring(file),
                         make_cstring("no emacs_module_init")));
  return module_init_linked(init);
}

/* ------------------------------------------------------------------ */
/* Equality and printing                                                */
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

static void out(char **buf, size_t *len, size_t *cap, const char *s,
                size_t n) {
  if (*len + n + 1 > *cap) {
    *cap = (*len + n + 1) * 2;
    *buf = xrealloc(*buf, *cap);
  }
  memcpy(*buf + *len, s, n);
  *len += n;
  (*buf)[*len] = 0;
}

#define OUTS(s) out(buf, len, cap, (s), strlen(s))

static void print_string(Value *v, int escape, char **buf, size_t *len,
                         size_t *cap) {
  const unsigned char *s = (const unsigned char *)v->u.str.data;
  if (!escape) {
    out(buf, len, cap, v->u.str.data, (size_t)v->u.str.len);
    return;
  }
  OUTS("\"");
  for (ptrdiff_t i = 0; i < v->u.str.len; i++) {
    char tmp[8];
    unsigned c = s[i];
    if (c == '"' || c == '\\')
      snprintf(tmp, sizeof tmp, "\\%c", c);
    else if (c == '\n')
      snprintf(tmp, sizeof tmp, "\\n");
    else if (c == '\t')
      snprintf(tmp, sizeof tmp, "\\t");
    else if (c == 27)
      snprintf(tmp, sizeof tmp, "\\e");
    else if (c < 32 || c == 127 || (c >= 0x80 && !v->multibyte))
      snprintf(tmp, sizeof tmp, "\\%03o", c);
    else
      tmp[0] = (char)c, tmp[1] = 0;
    OUTS(tmp);
  }
  OUTS("\"");
}

void prin1(Value *v, int escape, char **buf, size_t *len, size_t *cap) {
  char tmp[64];
  switch (v->type) {
  case V_INT:
    snprintf(tmp, sizeof tmp, "%jd", v->u.i);
    OUTS(tmp);
    break;
  case V_FLOAT:
    snprintf(tmp, sizeof tmp, "%.17g", v->u.f);
    if (!strpbrk(tmp, ".en"))
      strcat(tmp, ".0");
    OUTS(tmp);
    break;
  case V_STRING:
    print_string(v, escape, buf, len, cap);
    break;
  case V_SYMBOL:
    OUTS(v->u.sym.name);
    break;
  case V_CONS:
    if (XCAR(v) == Qquote && CONSP(XCDR(v)) && NILP(XCDR(XCDR(v)))) {
      OUTS("'");
      prin1(XCAR(XCDR(v)), escape, buf, len, cap);
      break;
    }
    OUTS("(");
    for (size_t n = 0;; n++) {
      if (n > 10000 || *len > (1u << 22)) {
        OUTS("...");
        break;
      }
      prin1(XCAR(v), escape, buf, len, cap);
      v = XCDR(v);
      if (!CONSP(v)) {
        if (!NILP(v)) {
          OUTS(" . ");
          prin1(v, escape, buf, len, cap);
        }
        break;
      }
      OUTS(" ");
    }
    OUTS(")");
    break;
  case V_VECTOR:
    OUTS("[");
    for (ptrdiff_t i = 0; i < v->u.vec.size; i++) {
      if (i)
        OUTS(" ");
      prin1(v->u.vec.items[i], escape, buf, len, cap);
    }
    OUTS("]");
    break;
  case V_USER_PTR:
    snprintf(tmp, sizeof tmp, "#<user-ptr ptr=%p>", v->u.uptr.ptr);
    OUTS(tmp);
    break;
  case V_MODFUNC:
    OUTS("#<module function>");
    break;
  case V_BUILTIN:
    OUTS(v->special ? "#<special-form " : "#<subr ");
    OUTS(v->u.bi.name);
    OUTS(">");
    break;
  case V_BUFFER:
    OUTS("#<buffer>");
    break;
  }
}

char *value_repr(Value *v, int escape, size_t max) {
  char *buf = NULL;
  size_t len = 0, cap = 0;
  out(&buf, &len, &cap, "", 0);
  prin1(v, escape, &buf, &len, &cap);
  if (max && len > max) {
    char tail[64];
    snprintf(tail, sizeof tail, "...[%lu chars]", (unsigned long)len);
    buf[max] = 0;
    len = max;
    out(&buf, &len, &cap, tail, strlen(tail));
  }
  return buf;
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
  for (size_t i = 0; i < nglobals; i++)
    mark(globals[i]->v);
  for (size_t d = 0; d < env_depth; d++) {
    HostEnv *e = env_stack[d];
    for (size_t i = 0; i < e->nhandles; i++)
      mark(e->handles[i]->v);
    mark(e->exit_sym);
    mark(e->exit_data);
  }
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
  for (size_t i = 0; i < nslabs; i++)
    free(slabs[i]);
  free(slabs);
  slabs = NULL;
  nslabs = 0;
  slab_used = SLAB_N;
  last_slab = NULL;
  free(fifo);
  fifo = NULL;
  fifo_cap = fifo_head = fifo_count = 0;
  free(globals);
  globals = NULL;
  nglobals = globals_cap = 0;
  free(env_stack);
  env_stack = NULL;
  env_depth = env_cap = 0;
  free(mark_stack);
  mark_stack = NULL;
  mark_sp = mark_cap = 0;
  clear_exit();
}
