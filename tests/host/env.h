/* env.h --- the emacs_env of the module host, shared by its two files

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

/* env.c has the handles, the environments and the slots of Emacs 25;
   env-newer.c the slots Emacs 26 to 28 added.  value.c sees only
   env_mark_roots and env_shutdown.  */

#ifndef VTERM_HOST_ENV_H
#define VTERM_HOST_ENV_H

#include "host.h"

#include <stdbool.h>
#include <time.h>

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

/* Opens every slot: checks ENV and returns ERRVAL when an exit is
   pending.  */
#define ENV_BEGIN(errval)                                                      \
  HostEnv *e = env_check(env);                                                 \
  if (e->exit_kind != EXIT_NONE)                                               \
  return errval

/* ---- value.c ---- */

/* A new value of TYPE (zeroed), on the collector's list. */
Value *alloc_value(int type);

/* ---- env.c ---- */

/* The live environment behind ENV, or a module_bug. */
HostEnv *env_check(emacs_env *env);
/* The Value behind X, or a module_bug when X is not a live value. */
Value *value_of(emacs_value x);
/* A new local handle of E for V (NULL for NULL). */
emacs_value handle_new(HostEnv *e, Value *v);
/* Moves a pending Lisp exit into the environment. */
void env_take_exit(HostEnv *e);
/* For the collector: marks what handles and environments hold. */
void env_mark_roots(void (*mark)(Value *));
/* Frees the handle slabs, globals and environment stack (at exit). */
void env_shutdown(void);

/* ---- env-newer.c: the slots of Emacs 26 to 28 ---- */

bool env_should_quit(emacs_env *env);
enum emacs_process_input_result env_process_input(emacs_env *env);
struct timespec env_extract_time(emacs_env *env, emacs_value arg);
emacs_value env_make_time(emacs_env *env, struct timespec t);
bool env_extract_big_integer(emacs_env *env, emacs_value arg, int *sign,
                             ptrdiff_t *count, emacs_limb_t *magnitude);
emacs_value env_make_big_integer(emacs_env *env, int sign, ptrdiff_t count,
                                 const emacs_limb_t *magnitude);
emacs_finalizer env_get_function_finalizer(emacs_env *env, emacs_value arg);
void env_set_function_finalizer(emacs_env *env, emacs_value arg,
                                emacs_finalizer fin);
int env_open_channel(emacs_env *env, emacs_value pipe);
void env_make_interactive(emacs_env *env, emacs_value function,
                          emacs_value spec);

#endif /* VTERM_HOST_ENV_H */
