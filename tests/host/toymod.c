/* toymod.c --- a small Emacs module that exercises every emacs_env slot

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

/* Used by toymod.vtl to check the host's environment against Emacs'
   semantics, and (cross-compiled) to check the host under Wine.  The
   `toy-misuse-*' functions break the module API on purpose; the host
   must stop with "MODULE API MISUSE".  */

#include <emacs-module.h>

#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#define TOY_EXPORT __declspec(dllexport)
#else
#define TOY_EXPORT __attribute__((visibility("default")))
#endif

TOY_EXPORT int plugin_is_GPL_compatible;

static int finalized;
static emacs_value stale; /* for toy-misuse-stale only */

static emacs_value nil(emacs_env *env) { return env->intern(env, "nil"); }

static emacs_value list(emacs_env *env, ptrdiff_t n, emacs_value *items) {
  return env->funcall(env, env->intern(env, "list"), n, items);
}

static emacs_value Ftoy_add(emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                            void *data) {
  intmax_t a = env->extract_integer(env, args[0]);
  intmax_t b = env->extract_integer(env, args[1]);
  (void)nargs;
  (void)data;
  if (env->non_local_exit_check(env) != emacs_funcall_exit_return)
    return NULL;
  return env->make_integer(env, a + b);
}

static emacs_value Ftoy_nargs(emacs_env *env, ptrdiff_t nargs,
                              emacs_value *args, void *data) {
  (void)args;
  (void)data;
  return env->make_integer(env, nargs);
}

static emacs_value Ftoy_signal(emacs_env *env, ptrdiff_t nargs,
                               emacs_value *args, void *data) {
  (void)nargs;
  (void)data;
  env->non_local_exit_signal(env, args[0], args[1]);
  /* A second exit and further calls are ignored while one is pending. */
  env->non_local_exit_signal(env, env->intern(env, "toy-second"), nil(env));
  if (env->make_integer(env, 1) != NULL)
    return env->intern(env, "toy-wrong");
  return NULL;
}

static emacs_value Ftoy_throw(emacs_env *env, ptrdiff_t nargs,
                              emacs_value *args, void *data) {
  (void)nargs;
  (void)data;
  env->non_local_exit_throw(env, args[0], args[1]);
  return args[0];
}

/* (toy-catch FN &rest ARGS): call FN; return (ok VALUE), (signal SYM
   DATA) or (throw TAG VALUE) and clear the exit.  */
static emacs_value Ftoy_catch(emacs_env *env, ptrdiff_t nargs,
                              emacs_value *args, void *data) {
  emacs_value r = env->funcall(env, args[0], nargs - 1, args + 1);
  emacs_value sym, val, items[3];
  enum emacs_funcall_exit k = env->non_local_exit_get(env, &sym, &val);
  (void)data;
  if (k == emacs_funcall_exit_return) {
    items[0] = env->intern(env, "ok");
    items[1] = r;
    return list(env, 2, items);
  }
  env->non_local_exit_clear(env);
  items[0] = env->intern(env, k == emacs_funcall_exit_signal ? "signal"
                                                             : "throw");
  items[1] = sym;
  items[2] = val;
  return list(env, 3, items);
}

static void toy_finalize(void *p) {
  finalized++;
  free(p);
}

static emacs_value Ftoy_make_ptr(emacs_env *env, ptrdiff_t nargs,
                                 emacs_value *args, void *data) {
  intmax_t v = env->extract_integer(env, args[0]);
  intmax_t *p;
  (void)nargs;
  (void)data;
  if (env->non_local_exit_check(env))
    return NULL;
  p = malloc(sizeof *p);
  if (!p)
    return NULL;
  *p = v;
  return env->make_user_ptr(env, toy_finalize, p);
}

static emacs_value Ftoy_ptr_value(emacs_env *env, ptrdiff_t nargs,
                                  emacs_value *args, void *data) {
  intmax_t *p = env->get_user_ptr(env, args[0]);
  (void)nargs;
  (void)data;
  if (!p)
    return NULL;
  if (env->get_user_finalizer(env, args[0]) != toy_finalize)
    return env->intern(env, "wrong-finalizer");
  return env->make_integer(env, *p);
}

static emacs_value Ftoy_finalized(emacs_env *env, ptrdiff_t nargs,
                                  emacs_value *args, void *data) {
  (void)nargs;
  (void)args;
  (void)data;
  return env->make_integer(env, finalized);
}

/* (toy-copy STRING SIZE): copy with a buffer of SIZE bytes (nil: the
   size asked for), return the copied bytes as a unibyte string.  */
static emacs_value Ftoy_copy(emacs_env *env, ptrdiff_t nargs,
                             emacs_value *args, void *data) {
  ptrdiff_t size = 0;
  char *buf;
  emacs_value r;
  (void)data;
  if (!env->copy_string_contents(env, args[0], NULL, &size))
    return NULL;
  if (nargs > 1 && env->is_not_nil(env, args[1]))
    size = (ptrdiff_t)env->extract_integer(env, args[1]);
  buf = malloc((size_t)size + 1);
  if (!buf)
    return NULL;
  if (!env->copy_string_contents(env, args[0], buf, &size)) {
    free(buf);
    return NULL;
  }
  if (buf[size - 1] != 0) {
    free(buf);
    return env->intern(env, "not-nul-terminated");
  }
  r = env->make_unibyte_string(env, buf, size - 1);
  free(buf);
  return r;
}

static emacs_value Ftoy_make_string(emacs_env *env, ptrdiff_t nargs,
                                    emacs_value *args, void *data) {
  ptrdiff_t size = 0;
  char *buf;
  emacs_value r;
  (void)nargs;
  (void)data;
  if (!env->copy_string_contents(env, args[0], NULL, &size))
    return NULL;
  buf = malloc((size_t)size);
  if (!buf || !env->copy_string_contents(env, args[0], buf, &size)) {
    free(buf);
    return NULL;
  }
  r = env->make_string(env, buf, size - 1);
  free(buf);
  return r;
}

static emacs_value Ftoy_vector(emacs_env *env, ptrdiff_t nargs,
                               emacs_value *args, void *data) {
  /* (toy-vector VEC IDX VAL): set VEC[IDX] to VAL; return (SIZE OLD). */
  emacs_value items[2];
  (void)nargs;
  (void)data;
  intmax_t i = env->extract_integer(env, args[1]);
  items[1] = env->vec_get(env, args[0], (ptrdiff_t)i);
  env->vec_set(env, args[0], (ptrdiff_t)i, args[2]);
  items[0] = env->make_integer(env, env->vec_size(env, args[0]));
  if (env->non_local_exit_check(env))
    return NULL;
  return list(env, 2, items);
}

static emacs_value Ftoy_type_of(emacs_env *env, ptrdiff_t nargs,
                                emacs_value *args, void *data) {
  (void)nargs;
  (void)data;
  return env->type_of(env, args[0]);
}

static emacs_value Ftoy_eq(emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                           void *data) {
  (void)nargs;
  (void)data;
  return env->intern(env, env->eq(env, args[0], args[1]) ? "t" : "nil");
}

static emacs_value Ftoy_float(emacs_env *env, ptrdiff_t nargs,
                              emacs_value *args, void *data) {
  double d = env->extract_float(env, args[0]);
  (void)nargs;
  (void)data;
  return env->make_float(env, d * 2);
}

static emacs_value Ftoy_bignum(emacs_env *env, ptrdiff_t nargs,
                               emacs_value *args, void *data) {
  int sign;
  ptrdiff_t count = 0;
  emacs_limb_t limbs[4];
  (void)nargs;
  (void)data;
  if (!env->extract_big_integer(env, args[0], &sign, &count, NULL))
    return NULL;
  if (count > 4)
    return env->intern(env, "too-big");
  if (!env->extract_big_integer(env, args[0], &sign, &count, limbs))
    return NULL;
  return env->make_big_integer(env, sign, count, limbs);
}

static emacs_value Ftoy_time(emacs_env *env, ptrdiff_t nargs,
                             emacs_value *args, void *data) {
  struct timespec t = env->extract_time(env, args[0]);
  (void)nargs;
  (void)data;
  return env->make_time(env, t);
}

static emacs_value Ftoy_global(emacs_env *env, ptrdiff_t nargs,
                               emacs_value *args, void *data) {
  emacs_value g1 = env->make_global_ref(env, args[0]);
  emacs_value g2 = env->make_global_ref(env, args[0]);
  emacs_value r;
  (void)nargs;
  (void)data;
  env->free_global_ref(env, g1);
  r = env->funcall(env, env->intern(env, "identity"), 1, &g2);
  env->free_global_ref(env, g2);
  return r;
}

static emacs_value Ftoy_channel(emacs_env *env, ptrdiff_t nargs,
                                emacs_value *args, void *data) {
  (void)nargs;
  (void)data;
  return env->make_integer(env, env->open_channel(env, args[0]));
}

static emacs_value Ftoy_quit(emacs_env *env, ptrdiff_t nargs,
                             emacs_value *args, void *data) {
  (void)nargs;
  (void)args;
  (void)data;
  if (env->should_quit(env) &&
      env->process_input(env) == emacs_process_input_quit)
    return NULL;
  return nil(env);
}

static void toy_fun_finalize(void *data) { (void)data; }

static emacs_value Ftoy_misuse_stale(emacs_env *env, ptrdiff_t nargs,
                                     emacs_value *args, void *data) {
  (void)nargs;
  (void)data;
  if (stale)
    return env->funcall(env, env->intern(env, "identity"), 1, &stale);
  stale = args[0]; /* a local value kept past its call: a bug */
  return args[0];
}

static emacs_value Ftoy_misuse_null(emacs_env *env, ptrdiff_t nargs,
                                    emacs_value *args, void *data) {
  (void)env;
  (void)nargs;
  (void)args;
  (void)data;
  return NULL; /* NULL without a pending exit: a bug */
}

static void defun(emacs_env *env, const char *name, ptrdiff_t min,
                  ptrdiff_t max, emacs_function fn) {
  emacs_value args[2];
  args[0] = env->intern(env, name);
  args[1] = env->make_function(env, min, max, fn, "Toy.", NULL);
  env->funcall(env, env->intern(env, "fset"), 2, args);
}

TOY_EXPORT int emacs_module_init(struct emacs_runtime *rt) {
  emacs_env *env;
  emacs_value f, feature;
  if (rt->size < (ptrdiff_t)sizeof *rt)
    return 1;
  env = rt->get_environment(rt);
  if (env->size < (ptrdiff_t)sizeof(struct emacs_env_28))
    return 2;
  defun(env, "toy-add", 2, 2, Ftoy_add);
  defun(env, "toy-nargs", 0, emacs_variadic_function, Ftoy_nargs);
  defun(env, "toy-signal", 2, 2, Ftoy_signal);
  defun(env, "toy-throw", 2, 2, Ftoy_throw);
  defun(env, "toy-catch", 1, emacs_variadic_function, Ftoy_catch);
  defun(env, "toy-make-ptr", 1, 1, Ftoy_make_ptr);
  defun(env, "toy-ptr-value", 1, 1, Ftoy_ptr_value);
  defun(env, "toy-finalized", 0, 0, Ftoy_finalized);
  defun(env, "toy-copy", 1, 2, Ftoy_copy);
  defun(env, "toy-make-string", 1, 1, Ftoy_make_string);
  defun(env, "toy-vector", 3, 3, Ftoy_vector);
  defun(env, "toy-type-of", 1, 1, Ftoy_type_of);
  defun(env, "toy-eq", 2, 2, Ftoy_eq);
  defun(env, "toy-float", 1, 1, Ftoy_float);
  defun(env, "toy-bignum", 1, 1, Ftoy_bignum);
  defun(env, "toy-time", 1, 1, Ftoy_time);
  defun(env, "toy-global", 1, 1, Ftoy_global);
  defun(env, "toy-channel", 1, 1, Ftoy_channel);
  defun(env, "toy-quit", 0, 0, Ftoy_quit);
  defun(env, "toy-misuse-stale", 1, 1, Ftoy_misuse_stale);
  defun(env, "toy-misuse-null", 0, 0, Ftoy_misuse_null);
  /* A command with a function finalizer.  */
  f = env->make_function(env, 0, 0, Ftoy_quit, "Toy command.", NULL);
  env->make_interactive(env, f, env->make_string(env, "p", 1));
  env->set_function_finalizer(env, f, toy_fun_finalize);
  if (env->get_function_finalizer(env, f) != toy_fun_finalize)
    return 3;
  {
    emacs_value args[2];
    args[0] = env->intern(env, "toy-command");
    args[1] = f;
    env->funcall(env, env->intern(env, "fset"), 2, args);
  }
  /* make_function rejects an invalid arity with `invalid-arity'.  */
  env->make_function(env, 3, 1, Ftoy_nargs, NULL, NULL);
  if (env->non_local_exit_check(env) != emacs_funcall_exit_signal)
    return 4;
  env->non_local_exit_clear(env);
  feature = env->intern(env, "toymod");
  env->funcall(env, env->intern(env, "provide"), 1, &feature);
  return 0;
}
