/* elisp.c - Lisp symbols, captured primitives and thin call wrappers.
 *
 * Copyright (C) 2026 The emacs-libvterm-win contributors
 *
 * This program is free software: you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the Free
 * Software Foundation, either version 3 of the License, or (at your option)
 * any later version.
 *
 * This program is distributed in the hope that it will be useful, but WITHOUT
 * ANY WARRANTY; without even the implied warranty of MERCHANTABILITY or
 * FITNESS FOR A PARTICULAR PURPOSE.  See the GNU General Public License for
 * more details.
 *
 * You should have received a copy of the GNU General Public License along
 * with this program.  If not, see <https://www.gnu.org/licenses/>.
 */
#include "elisp.h"

#include <stdlib.h>
#include <string.h>

#include "utf8.h"

emacs_value Qnil, Qt;
emacs_value Qforeground, Qbackground, Qweight, Qbold, Qunderline, Qslant,
    Qitalic, Qinverse_video, Qstrike_through, Qextend;
emacs_value Qfont_lock_face, Qvterm_line_wrap, Qvterm_prompt, Qrear_nonsticky,
    Qvterm_command_status;
emacs_value Qcursor_type, Qbox, Qhbar, Qbar;
emacs_value Qvterm_hyperlink, Qvterm_hyperlink_id, Qvterm_hyperlink_map,
    Qhelp_echo, Qmouse_face, Qhighlight, Qkeymap;
emacs_value Qwrong_type_argument, Qargs_out_of_range, Qmemory_full;
emacs_value Qvterm_termp;
emacs_value Qfaint, Qconceal, Qdouble_underline, Qcurly_underline;

emacs_value Finsert, Fgoto_char, Fforward_line, Fdelete_region, Fpoint,
    Fpoint_min, Fpoint_max, Fline_end_position, Fput_text_property,
    Fadd_text_properties, Fcurrent_buffer, Fset_buffer, Fbuffer_live_p;
emacs_value Flist, Fset, Fmake_local_variable, Fblink_cursor_mode, Fmessage,
    Fprovide;
emacs_value Fvterm_invalidate, Fvterm_flush_output, Fvterm_set_title,
    Fvterm_set_directory, Fvterm_eval, Fvterm_set_selection, Fvterm_get_color;
emacs_value Fvterm_attrs_face;
emacs_value Fvterm_query_color, Fvterm_set_color, Fvterm_notify,
    Fvterm_command_finished;

bool elisp_failed(emacs_env *env) {
  return env->non_local_exit_check(env) != emacs_funcall_exit_return;
}

/* Interns NAME and stores a global reference in *OUT. */
static bool global_symbol(emacs_env *env, emacs_value *out, const char *name) {
  emacs_value sym = env->intern(env, name);
  if (elisp_failed(env))
    return false;
  *out = env->make_global_ref(env, sym);
  return !elisp_failed(env);
}

/* Stores the function object of NAME (through aliases, as it is now). */
static bool global_function(emacs_env *env, emacs_value *out,
                            const char *name) {
  emacs_value sym = env->intern(env, name);
  emacs_value fn =
      env->funcall(env, env->intern(env, "indirect-function"), 1, &sym);
  if (elisp_failed(env))
    return false;
  if (!env->is_not_nil(env, fn))
    fn = sym; /* not defined (yet): call through the symbol */
  *out = env->make_global_ref(env, fn);
  return !elisp_failed(env);
}

typedef struct {
  emacs_value *slot;
  const char *name;
} NamedRef;

static const NamedRef symbols[] = {
    {&Qnil, "nil"},
    {&Qt, "t"},
    {&Qforeground, ":foreground"},
    {&Qbackground, ":background"},
    {&Qweight, ":weight"},
    {&Qbold, "bold"},
    {&Qunderline, ":underline"},
    {&Qslant, ":slant"},
    {&Qitalic, "italic"},
    {&Qinverse_video, ":inverse-video"},
    {&Qstrike_through, ":strike-through"},
    {&Qextend, ":extend"},
    {&Qfont_lock_face, "font-lock-face"},
    {&Qvterm_line_wrap, "vterm-line-wrap"},
    {&Qvterm_prompt, "vterm-prompt"},
    {&Qvterm_command_status, "vterm-command-status"},
    {&Qrear_nonsticky, "rear-nonsticky"},
    {&Qcursor_type, "cursor-type"},
    {&Qbox, "box"},
    {&Qhbar, "hbar"},
    {&Qbar, "bar"},
    {&Qvterm_hyperlink, "vterm-hyperlink"},
    {&Qvterm_hyperlink_id, "vterm-hyperlink-id"},
    {&Qvterm_hyperlink_map, "vterm-hyperlink-map"},
    {&Qhelp_echo, "help-echo"},
    {&Qmouse_face, "mouse-face"},
    {&Qhighlight, "highlight"},
    {&Qkeymap, "keymap"},
    {&Qwrong_type_argument, "wrong-type-argument"},
    {&Qargs_out_of_range, "args-out-of-range"},
    {&Qmemory_full, "memory-full"},
    {&Qvterm_termp, "vterm--term-p"},
    {&Qfaint, "faint"},
    {&Qconceal, "conceal"},
    {&Qdouble_underline, "double-underline"},
    {&Qcurly_underline, "curly-underline"},
    /* Called through the symbol: they are Lisp and may be redefined. */
    {&Flist, "list"},
    {&Fset, "set"},
    {&Fmake_local_variable, "make-local-variable"},
    {&Fblink_cursor_mode, "blink-cursor-mode"},
    {&Fmessage, "message"},
    {&Fprovide, "provide"},
    {&Fvterm_invalidate, "vterm--invalidate"},
    {&Fvterm_flush_output, "vterm--flush-output"},
    {&Fvterm_set_title, "vterm--set-title"},
    {&Fvterm_set_directory, "vterm--set-directory"},
    {&Fvterm_eval, "vterm--eval"},
    {&Fvterm_set_selection, "vterm--set-selection"},
    {&Fvterm_get_color, "vterm--get-color"},
    {&Fvterm_attrs_face, "vterm--attrs-face"},
    {&Fvterm_query_color, "vterm--query-color"},
    {&Fvterm_set_color, "vterm--set-color"},
    {&Fvterm_notify, "vterm--notify"},
    {&Fvterm_command_finished, "vterm--command-finished"},
};

static const NamedRef primitives[] = {
    {&Finsert, "insert"},
    {&Fgoto_char, "goto-char"},
    {&Fforward_line, "forward-line"},
    {&Fdelete_region, "delete-region"},
    {&Fpoint, "point"},
    {&Fpoint_min, "point-min"},
    {&Fpoint_max, "point-max"},
    {&Fline_end_position, "line-end-position"},
    {&Fput_text_property, "put-text-property"},
    {&Fadd_text_properties, "add-text-properties"},
    {&Fcurrent_buffer, "current-buffer"},
    {&Fset_buffer, "set-buffer"},
    {&Fbuffer_live_p, "buffer-live-p"},
};

/* The module signals memory-full when an allocation fails.  Emacs uses that
 * symbol without making it an error, so no condition-case could catch the
 * signal; unless something already did, define it as one. */
static bool define_memory_full(emacs_env *env) {
  emacs_value args[2] = {Qmemory_full, env->intern(env, "error-conditions")};
  emacs_value conditions = env->funcall(env, env->intern(env, "get"), 2, args);
  if (elisp_failed(env) || env->is_not_nil(env, conditions))
    return !elisp_failed(env);
  const char *message = "Memory exhausted";
  args[1] = env->make_string(env, message, (ptrdiff_t)strlen(message));
  env->funcall(env, env->intern(env, "define-error"), 2, args);
  return !elisp_failed(env);
}

bool elisp_init(emacs_env *env) {
  for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++)
    if (!global_symbol(env, symbols[i].slot, symbols[i].name))
      return false;
  for (size_t i = 0; i < sizeof primitives / sizeof primitives[0]; i++)
    if (!global_function(env, primitives[i].slot, primitives[i].name))
      return false;
  return define_memory_full(env);
}

emacs_value elisp_signal(emacs_env *env, emacs_value symbol,
                         const char *message) {
  if (elisp_failed(env))
    return Qnil;
  emacs_value text = env->make_string(env, message, (ptrdiff_t)strlen(message));
  emacs_value data = env->funcall(env, Flist, 1, &text);
  if (!elisp_failed(env))
    env->non_local_exit_signal(env, symbol, data);
  return Qnil;
}

emacs_value elisp_signal_value(emacs_env *env, emacs_value symbol,
                               emacs_value predicate, emacs_value value) {
  if (elisp_failed(env))
    return Qnil;
  emacs_value items[2] = {predicate, value};
  emacs_value data = env->funcall(env, Flist, 2, items);
  if (!elisp_failed(env))
    env->non_local_exit_signal(env, symbol, data);
  return Qnil;
}

emacs_value elisp_signal_range(emacs_env *env, emacs_value value, long long min,
                               long long max) {
  if (elisp_failed(env))
    return Qnil;
  emacs_value items[3] = {value, env->make_integer(env, (intmax_t)min),
                          env->make_integer(env, (intmax_t)max)};
  emacs_value data = env->funcall(env, Flist, 3, items);
  if (!elisp_failed(env))
    env->non_local_exit_signal(env, Qargs_out_of_range, data);
  return Qnil;
}

emacs_value elisp_memory_full(emacs_env *env) {
  if (!elisp_failed(env))
    env->non_local_exit_signal(env, Qmemory_full, Qnil);
  return Qnil;
}

emacs_value elisp_string(emacs_env *env, const char *bytes, size_t len) {
  if (utf8_is_valid(bytes, len))
    return env->make_string(env, bytes, (ptrdiff_t)len);
  size_t bound = utf8_sanitized_bound(len);
  char *clean = bound ? malloc(bound) : NULL;
  if (!clean) {
    elisp_memory_full(env);
    return NULL;
  }
  size_t n = utf8_sanitize(bytes, len, clean, NULL);
  emacs_value s = env->make_string(env, clean, (ptrdiff_t)n);
  free(clean);
  return s;
}

emacs_value elisp_text_string(emacs_env *env, const char *utf8, ptrdiff_t len,
                              ptrdiff_t chars) {
#if defined(EMACS_MAJOR_VERSION) && EMACS_MAJOR_VERSION >= 28
  /* emacs_env is used as emacs_env_25 everywhere (tests/lint checks it);
   * the newer member is reached only after the size check. */
  if (chars == len && (size_t)env->size >= sizeof(struct emacs_env_28)) {
    struct emacs_env_28 *env28 = (struct emacs_env_28 *)(void *)env;
    return env28->make_unibyte_string(env, utf8, len);
  }
#else
  (void)chars;
#endif
  return env->make_string(env, utf8, len);
}

bool elisp_insert(emacs_env *env, emacs_value text) {
  env->funcall(env, Finsert, 1, &text);
  return !elisp_failed(env);
}

bool elisp_goto_char(emacs_env *env, intmax_t pos) {
  emacs_value p = elisp_integer(env, pos);
  env->funcall(env, Fgoto_char, 1, &p);
  return !elisp_failed(env);
}

bool elisp_forward_line(emacs_env *env, intmax_t n) {
  emacs_value v = elisp_integer(env, n);
  env->funcall(env, Fforward_line, 1, &v);
  return !elisp_failed(env);
}

bool elisp_delete_region(emacs_env *env, intmax_t start, intmax_t end) {
  if (end > start) {
    emacs_value args[2] = {elisp_integer(env, start), elisp_integer(env, end)};
    env->funcall(env, Fdelete_region, 2, args);
  }
  return !elisp_failed(env);
}

intmax_t elisp_position(emacs_env *env, emacs_value fn) {
  emacs_value v = env->funcall(env, fn, 0, NULL);
  return elisp_failed(env) ? 0 : env->extract_integer(env, v);
}

bool elisp_enter_buffer(emacs_env *env, emacs_value buffer) {
  emacs_value current = env->funcall(env, Fcurrent_buffer, 0, NULL);
  if (elisp_failed(env))
    return false;
  if (env->eq(env, current, buffer))
    return true;
  emacs_value live = env->funcall(env, Fbuffer_live_p, 1, &buffer);
  if (elisp_failed(env) || !env->is_not_nil(env, live))
    return false;
  env->funcall(env, Fset_buffer, 1, &buffer);
  return !elisp_failed(env);
}

void elisp_message(emacs_env *env, const char *text) {
  emacs_value args[2];
  args[0] = env->make_string(env, "%s", 2);
  args[1] = env->make_string(env, text, (ptrdiff_t)strlen(text));
  env->funcall(env, Fmessage, 2, args);
}

bool elisp_defun(emacs_env *env, const char *name, ptrdiff_t min_arity,
                 ptrdiff_t max_arity,
                 emacs_value (*fn)(emacs_env *, ptrdiff_t, emacs_value *,
                                   void *) EMACS_NOEXCEPT,
                 const char *doc) {
  emacs_value f = env->make_function(env, min_arity, max_arity, fn, doc, NULL);
  emacs_value args[2] = {env->intern(env, name), f};
  env->funcall(env, env->intern(env, "defalias"), 2, args);
  return !elisp_failed(env);
}
