/* elisp.h - Lisp symbols, captured primitives and thin call wrappers.
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
#ifndef VTERM_ELISP_H
#define VTERM_ELISP_H

#include <emacs-module.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The error rule.  Once an Emacs call signals or throws, the non-local exit
 * stays pending until the module function returns, and every env call made
 * meanwhile does nothing and returns a dummy (nil, 0, NULL).  So the module
 *  - checks elisp_failed, or the result of a wrapper below, before it uses
 *    what an env call returned or records work as done (a redraw that
 *    failed half way leaves its bookkeeping as it was);
 *  - keeps the first exit: it never clears one it did not cause (arg_term
 *    replaces Emacs' user-ptrp error, its own, with a clearer one), and the
 *    signal helpers below do nothing when an exit is pending;
 *  - returns from the Fvterm_* function promptly (with nil) so Emacs can
 *    unwind.
 * The wrappers return whether they succeeded, so the rule is applied by
 * checking their result.
 *
 * Every Q* and F* below is a global reference made once, in elisp_init, and
 * never freed (the module cannot be unloaded). */

/* Symbols. */
extern emacs_value Qnil, Qt;
extern emacs_value Qforeground, Qbackground, Qweight, Qbold, Qunderline, Qslant,
    Qitalic, Qinverse_video, Qstrike_through, Qextend;
extern emacs_value Qfont_lock_face, Qvterm_line_wrap, Qvterm_prompt,
    Qrear_nonsticky, Qvterm_command_status;
extern emacs_value Qcursor_type, Qbox, Qhbar, Qbar;
extern emacs_value Qvterm_hyperlink, Qvterm_hyperlink_id, Qvterm_hyperlink_map,
    Qhelp_echo, Qmouse_face, Qhighlight, Qkeymap;
extern emacs_value Qwrong_type_argument, Qargs_out_of_range, Qmemory_full;
extern emacs_value Qvterm_termp;
/* Text attributes libvterm drops (render.c hands them to vterm.el). */
extern emacs_value Qfaint, Qconceal, Qdouble_underline, Qcurly_underline;

/* Buffer primitives, captured as function objects when the module loads
 * (so advice added later does not slow or break rendering). */
extern emacs_value Finsert, Fgoto_char, Fforward_line, Fdelete_region, Fpoint,
    Fpoint_min, Fpoint_max, Fline_end_position, Fput_text_property,
    Fadd_text_properties, Fcurrent_buffer, Fset_buffer, Fbuffer_live_p;

/* Other functions, called through their symbols. */
extern emacs_value Flist, Fset, Fmake_local_variable, Fblink_cursor_mode,
    Fmessage, Fprovide;
extern emacs_value Fvterm_invalidate, Fvterm_flush_output, Fvterm_set_title,
    Fvterm_set_directory, Fvterm_eval, Fvterm_set_selection, Fvterm_get_color;
extern emacs_value Fvterm_attrs_face;
/* osc.c's shell and colour protocols. */
extern emacs_value Fvterm_query_color, Fvterm_set_color, Fvterm_notify,
    Fvterm_command_finished;

/* Interns symbols and captures functions.  Returns false (with a pending
 * non-local exit) on failure. */
bool elisp_init(emacs_env *env);

/* Whether a non-local exit is pending. */
bool elisp_failed(emacs_env *env);

/* Signals (SYMBOL MESSAGE) or (SYMBOL DATA), and returns nil for the caller
 * to return.  A pending exit is kept (the first one wins, as in Emacs). */
emacs_value elisp_signal(emacs_env *env, emacs_value symbol,
                         const char *message);
emacs_value elisp_signal_value(emacs_env *env, emacs_value symbol,
                               emacs_value predicate, emacs_value value);
emacs_value elisp_signal_range(emacs_env *env, emacs_value value, long long min,
                               long long max);
emacs_value elisp_memory_full(emacs_env *env);

/* Makes a Lisp string from UTF-8 bytes; invalid sequences become U+FFFD.
 * Returns NULL with memory-full pending if memory ran out. */
emacs_value elisp_string(emacs_env *env, const char *bytes, size_t len);

/* An integer. */
static inline emacs_value elisp_integer(emacs_env *env, intmax_t n) {
  return env->make_integer(env, n);
}

/* Buffer edits through the captured primitives (Finsert ...), in the
 * current buffer.  Each returns false if it failed (the exit is pending). */
/* A Lisp string of LEN bytes of valid UTF-8 holding CHARS characters.
 * When they are all ASCII (CHARS == LEN) and Emacs has
 * make_unibyte_string (Emacs 28+), the string is made unibyte: Emacs
 * then copies the bytes once instead of decoding them into a second
 * copy, which halves the garbage of a large redraw.  Inserting it into a
 * multibyte buffer gives the same text. */
emacs_value elisp_text_string(emacs_env *env, const char *utf8, ptrdiff_t len,
                              ptrdiff_t chars);
bool elisp_insert(emacs_env *env, emacs_value text);
bool elisp_goto_char(emacs_env *env, intmax_t pos);
bool elisp_forward_line(emacs_env *env, intmax_t n);
/* Does nothing (successfully) when END <= START. */
bool elisp_delete_region(emacs_env *env, intmax_t start, intmax_t end);

/* Calls FN, a position function without arguments (Fpoint, Fpoint_min,
 * Fpoint_max, Fline_end_position), and returns its value, or 0 (never a
 * position) if it failed. */
intmax_t elisp_position(emacs_env *env, emacs_value fn);

/* Makes BUFFER current again if a callback switched away from it.  Returns
 * false if BUFFER was killed (or an exit is pending). */
bool elisp_enter_buffer(emacs_env *env, emacs_value buffer);

/* (message "%s" TEXT) */
void elisp_message(emacs_env *env, const char *text);

/* Defines NAME as a module function with docstring DOC. */
bool elisp_defun(emacs_env *env, const char *name, ptrdiff_t min_arity,
                 ptrdiff_t max_arity,
                 emacs_value (*fn)(emacs_env *, ptrdiff_t, emacs_value *,
                                   void *) EMACS_NOEXCEPT,
                 const char *doc);

#endif /* VTERM_ELISP_H */
