/* env.c --- the emacs_env of the module host

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

/* Handles (emacs_value), environments and the emacs_env slots of Emacs
   25 (the ones Emacs 26-28 added are in env-newer.c), module calls and
   module loading.  Every slot checks its env and its values and stops
   the host (module_bug) on misuse, as -module-assertions does.  */

#include "env.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#endif

/* ------------------------------------------------------------------ */
/* Handles (emacs_value) and environments                               */
/* ------------------------------------------------------------------ */



#define SLAB_N 4096
#define QUARANTINE 65536
static Handle **slabs;
static size_t nslabs, slab_used = SLAB_N;
static Handle **fifo; /* ring of freed handles */
static size_t fifo_cap, fifo_head, fifo_count;
static Handle *last_slab;

static Handle **globals;
static size_t nglobals, globals_cap;


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

emacs_value handle_new(HostEnv *e, Value *v) {
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
Value *value_of(emacs_value x) {
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

HostEnv *env_check(emacs_env *env) {
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
void env_take_exit(HostEnv *e) {
  if (host_exit.kind == EXIT_NONE)
    return;
  if (e->exit_kind == EXIT_NONE) {
    e->exit_kind = host_exit.kind;
    e->exit_sym = host_exit.sym;
    e->exit_data = host_exit.data;
  }
  clear_exit();
}


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

/* The public view of E.  Its slots are those of emacs_env_28; the header
   of a newer Emacs calls its own, longer struct emacs_env, hence the
   cast (the module reads only as far as E's size says).  */
static emacs_env *host_env(HostEnv *e) { return (emacs_env *)&e->pub; }

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

void env_mark_roots(void (*mark)(Value *)) {
  for (size_t i = 0; i < nglobals; i++)
    mark(globals[i]->v);
  for (size_t d = 0; d < env_depth; d++) {
    HostEnv *e = env_stack[d];
    for (size_t i = 0; i < e->nhandles; i++)
      mark(e->handles[i]->v);
    mark(e->exit_sym);
    mark(e->exit_data);
  }
}

void env_shutdown(void) {
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
}
