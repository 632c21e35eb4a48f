/* env-newer.c --- emacs_env slots of Emacs 26 to 28 in the module host

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

/* should_quit and process_input (26), time and big integers (27),
   function finalizers, open_channel and make_interactive (28).  */

#include "env.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- quitting ---- */

bool env_should_quit(emacs_env *env) {
  ENV_BEGIN(false);
  Value *q = intern("host-quit-flag")->u.sym.value;
  return q && q != Qnil;
}

enum emacs_process_input_result env_process_input(emacs_env *env) {
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

struct timespec env_extract_time(emacs_env *env, emacs_value arg) {
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

emacs_value env_make_time(emacs_env *env, struct timespec t) {
  ENV_BEGIN(NULL);
  intmax_t ticks = (intmax_t)t.tv_sec * 1000000000 + t.tv_nsec;
  return handle_new(e, cons(make_int(ticks), make_int(1000000000)));
}

/* ---- big integers (values are limited to intmax_t here) ---- */

bool env_extract_big_integer(emacs_env *env, emacs_value arg, int *sign,
                             ptrdiff_t *count, emacs_limb_t *magnitude) {
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

emacs_value env_make_big_integer(emacs_env *env, int sign, ptrdiff_t count,
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

emacs_finalizer env_get_function_finalizer(emacs_env *env, emacs_value arg) {
  ENV_BEGIN(NULL);
  Value *f = modfunc_arg(e, arg);
  return f ? f->u.mf.fin : NULL;
}

void env_set_function_finalizer(emacs_env *env, emacs_value arg,
                                emacs_finalizer fin) {
  ENV_BEGIN();
  Value *f = modfunc_arg(e, arg);
  if (f)
    f->u.mf.fin = fin;
}

int env_open_channel(emacs_env *env, emacs_value pipe) {
  ENV_BEGIN(-1);
  /* The host has no processes, so nothing is a pipe process.  */
  wrong_type("processp", value_of(pipe));
  env_take_exit(e);
  return -1;
}

void env_make_interactive(emacs_env *env, emacs_value function,
                          emacs_value spec) {
  ENV_BEGIN();
  Value *s = value_of(spec);
  Value *f = modfunc_arg(e, function);
  if (f)
    f->u.mf.interactive = cons(Qinteractive, cons(s, Qnil));
}
