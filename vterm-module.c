/* vterm-module.c - Emacs dynamic module: a libvterm terminal in a buffer.
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
/* The module's entry points, and the Term they work on.  Emacs calls the
 * Fvterm_* functions below (DESIGN.md §2); each checks its arguments,
 * signals a Lisp error for a bad one, and calls into the units named in
 * vterm-module.h.  This file also owns a Term's lifecycle (term_create,
 * the finalizer) and the redraw passes that bring the buffer up to date
 * while Lisp callbacks run in between (DESIGN.md, "Redraws and Lisp
 * callbacks").
 *
 * Owns: each Term (through its user pointer), Term.deferred_*, in_redraw and
 * redraw_buffer.
 * Never: lets an error escape as anything but a Lisp signal (no abort, no
 * assert on input); calls Emacs from the finalizer. */

#include "vterm-module.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <io.h>
#else
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>
#endif

#include "elisp.h"
#include "feed.h"
#include "keys.h"
#include "osc.h"
#include "reflow.h"
#include "render.h"
#include "screen.h"
#include "scrollback.h"

/* The two symbols Emacs looks up; everything else stays hidden. */
#if defined _WIN32 || defined __CYGWIN__
#define VTERM_EXPORT __declspec(dllexport)
#elif defined __GNUC__
#define VTERM_EXPORT __attribute__((visibility("default")))
#else
#define VTERM_EXPORT
#endif

VTERM_EXPORT int plugin_is_GPL_compatible;

/* ===== Fault injection (tests) ============================================ */

#ifdef VTERM_FAULT_INJECTION
static unsigned fault_armed;
bool term_fault_hit(unsigned fault) {
  bool hit = (fault_armed & fault) != 0;
  fault_armed &= ~fault;
  return hit;
}
#endif

/* ===== Terminal lifetime ================================================== */

/* The finalizer: plain C, never calls back into Emacs. */
static void term_finalize(void *ptr) EMACS_NOEXCEPT {
  Term *t = ptr;
  if (!t)
    return;
  if (t->vt)
    vterm_free(t->vt);
  sb_free(t);
  if (t->row_info)
    for (int i = 0; i < t->rows; i++)
      row_info_clear(&t->alloc, &t->row_info[i]);
  free(t->row_info);
  RowInfo *popped = (RowInfo *)(void *)t->popped_info.data;
  for (size_t i = 0; i < t->popped_info.len / sizeof *popped; i++)
    row_info_clear(&t->alloc, &popped[i]);
  buf_free(&t->popped_info);
  free(t->resize_info);
  buf_free(&t->deferred_input);
  osc_free_events(t);
  stream_free(&t->guard);
  buf_free(&t->output);
  free(t->cells);
  buf_free(&t->scratch.chars);
  buf_free(&t->scratch.runs);
  buf_free(&t->scratch.extra);
  buf_free(&t->text);
  buf_free(&t->spans);
  buf_free(&t->marks);
  buf_free(&t->link_marks);
  link_free_table(&t->links);
#ifndef _WIN32
  if (t->pty_fd >= 0)
    close(t->pty_fd);
#endif
  talloc_destroy(&t->alloc); /* last: lines and strings were released above */
  free(t);
}

/* Per-redraw scratch buffers: they live in the temporary arena when the
 * terminal has one. */
static void reset_scratch(Term *t) {
  Buf *bufs[] = {&t->text,          &t->spans,        &t->marks,
                 &t->scratch.chars, &t->scratch.runs, &t->scratch.extra,
                 &t->link_marks};
  talloc_temp_reset(&t->alloc);
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
    buf_release(bufs[i], t->alloc.arenas ? &t->alloc : NULL);
}

typedef struct {
  int rows, cols, scrollback;
  bool disable_bold, disable_underline, disable_inverse, ignore_blink;
  bool bold_highbright;
} TermOptions;

/* Creates a terminal; returns NULL if memory ran out. */
static Term *term_create(const TermOptions *o) {
  Term *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  talloc_init(&t->alloc);
  reset_scratch(t);
  t->pty_fd = -1;
  t->rows = o->rows;
  t->cols = o->cols;
  t->sb_max = o->scrollback;
  t->disable_bold = o->disable_bold;
  t->disable_underline = o->disable_underline;
  t->disable_inverse = o->disable_inverse;
  t->ignore_blink = o->ignore_blink;
  t->cursor_visible = true;
  t->row_info = calloc((size_t)o->rows, sizeof *t->row_info);
  t->vt = vterm_new(o->rows, o->cols);
  if (!t->row_info || !t->vt) {
    term_finalize(t);
    return NULL;
  }
  for (int r = 0; r < o->rows; r++)
    t->row_info[r].prompt_col = -1;
  feed_init(t);
  vterm_set_utf8(t->vt, 1);
  vterm_output_set_callback(t->vt, keys_output, t);
  t->screen = vterm_obtain_screen(t->vt);
  t->state = vterm_obtain_state(t->vt);
  screen_attach(t);
  vterm_screen_enable_altscreen(t->screen, 1);
#ifdef VTERM_HAVE_BOLD_HIGHBRIGHT
  vterm_state_set_bold_highbright(t->state, o->bold_highbright);
#endif
  vterm_screen_reset(t->screen, 1);
  /* The reset reports the initial cursor properties: they are not requests
   * from the application, so the buffer's cursor is left alone. */
  t->cursor_type_dirty = t->cursor_blink_dirty = false;
  t->rows_in_buffer = o->rows;
  t->invalid_start = t->invalid_end = 0;
  t->dirty = false;
  return t;
}

/* ===== Redraw passes ====================================================== */

/* Applies what Lisp asked for from a callback while a redraw ran. */
static void apply_deferred(Term *t, emacs_env *env) {
  if (t->deferred_input.len > 0) {
    if (!feed_bytes(t, t->deferred_input.data, t->deferred_input.len))
      t->oom = true;
    buf_trim(&t->deferred_input, 1 << 16);
    t->dirty = true;
    osc_answer_colors(t, env);
  }
  if (t->deferred_clear) {
    t->deferred_clear = false;
    sb_clear_all(t);
  }
  if (t->deferred_rows > 0) {
    int rows = t->deferred_rows, cols = t->deferred_cols;
    t->deferred_rows = t->deferred_cols = 0;
    if (!screen_resize(t, rows, cols))
      elisp_memory_full(env);
  }
}

/* Brings the current buffer, the terminal's, up to date with the terminal,
 * then delivers the events.  Event handlers are Lisp: they may switch
 * buffers (find-file from OSC 51;E), feed or resize the terminal, or
 * redraw it.  Nested redraws are ignored, feeds and resizes are deferred
 * to the end of the pass, and every pass draws into the terminal's buffer
 * (the one current on entry), never into another. */
static void term_redraw(Term *t, emacs_env *env) {
  if (t->in_redraw || t->sync_on) /* a synchronized update: held */
    return;
  emacs_value buffer = env->funcall(env, Fcurrent_buffer, 0, NULL);
  if (elisp_failed(env))
    return;
  t->redraw_buffer = buffer;
  t->in_redraw = true;
  reset_scratch(t);
  for (int pass = 0;
       pass < 3 && t->dirty && !t->sync_on && elisp_enter_buffer(env, buffer);
       pass++) {
    t->dirty = false;
    render_cursor(t, env);
    if (render_text_changed(t) && !elisp_failed(env))
      render_text(t, env);
    if (!elisp_failed(env))
      render_place_point(t, env);
    if (!elisp_failed(env))
      osc_deliver(t, env);
    apply_deferred(t, env);
  }
  apply_deferred(t, env); /* when a pass stopped early */
  render_release_scratch(t);
  t->in_redraw = false;
}

/* ===== Argument helpers (each signals and returns false/NULL on error) ==== */

static Term *arg_term(emacs_env *env, emacs_value v) {
  if (env->get_user_finalizer(env, v) != term_finalize) {
    /* Not a user pointer (Emacs signalled user-ptrp) or another module's:
     * either way the error names what was expected. */
    env->non_local_exit_clear(env);
    elisp_signal_value(env, Qwrong_type_argument, Qvterm_termp, v);
    return NULL;
  }
  Term *t = env->get_user_ptr(env, v);
  return elisp_failed(env) ? NULL : t;
}

static bool arg_int(emacs_env *env, emacs_value v, intmax_t min, intmax_t max,
                    intmax_t *out) {
  intmax_t n = env->extract_integer(env, v);
  if (elisp_failed(env))
    return false;
  if (n < min || n > max) {
    elisp_signal_range(env, v, (long long)min, (long long)max);
    return false;
  }
  *out = n;
  return true;
}

/* Copies a string argument; the caller frees the result. */
static char *arg_string(emacs_env *env, emacs_value v, ptrdiff_t *len) {
  ptrdiff_t size = 0;
  if (!env->copy_string_contents(env, v, NULL, &size))
    return NULL;
  char *s = malloc((size_t)size);
  if (!s) {
    elisp_memory_full(env);
    return NULL;
  }
  if (!env->copy_string_contents(env, v, s, &size)) {
    free(s);
    return NULL;
  }
  *len = size - 1; /* never pass the trailing NUL on */
  return s;
}

static bool arg_flag(emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                     ptrdiff_t i) {
  return i < nargs && env->is_not_nil(env, args[i]);
}

/* Reads the SHIFT META CTRL flags at ARGS[I..I+2] into libvterm's mask. */
static VTermModifier arg_modifiers(emacs_env *env, ptrdiff_t nargs,
                                   emacs_value *args, ptrdiff_t i) {
  int mod = VTERM_MOD_NONE;
  if (arg_flag(env, nargs, args, i))
    mod |= VTERM_MOD_SHIFT;
  if (arg_flag(env, nargs, args, i + 1))
    mod |= VTERM_MOD_ALT;
  if (arg_flag(env, nargs, args, i + 2))
    mod |= VTERM_MOD_CTRL;
  return (VTermModifier)mod;
}

/* Checks a terminal size; signals args-out-of-range if unusable. */
static bool valid_size(emacs_env *env, emacs_value rows_v, emacs_value cols_v,
                       int *rows, int *cols) {
  intmax_t r, c;
  if (!arg_int(env, rows_v, 1, TERM_MAX_ROWS, &r) ||
      !arg_int(env, cols_v, TERM_MIN_COLS, TERM_MAX_COLS, &c))
    return false;
  if (r * c > TERM_MAX_CELLS) {
    elisp_signal(env, Qargs_out_of_range,
                 "vterm: terminal size exceeds the supported number of cells");
    return false;
  }
  *rows = (int)r;
  *cols = (int)c;
  return true;
}

/* Signals memory-full if FAILED or if an allocation inside a libvterm
 * callback failed since the last call (the terminal stays usable; what
 * could not be stored is lost).  Returns whether it signalled. */
static bool signal_oom(Term *t, emacs_env *env, bool failed) {
  if (!failed && !t->oom)
    return false;
  t->oom = false;
  elisp_memory_full(env);
  return true;
}

/* ===== Module functions =================================================== */

static emacs_value Fvterm_new(emacs_env *env, ptrdiff_t nargs,
                              emacs_value args[], void *data) EMACS_NOEXCEPT {
  (void)data;
  TermOptions o = {0, 0, 1000, false, false, false, false, false};
  intmax_t sb = 1000;
  if (!valid_size(env, args[0], args[1], &o.rows, &o.cols))
    return Qnil;
  if (nargs > 2 && env->is_not_nil(env, args[2]) &&
      !arg_int(env, args[2], INTMAX_MIN, INTMAX_MAX, &sb))
    return Qnil;
  o.scrollback = sb < 0 ? 0 : sb > SB_MAX ? SB_MAX : (int)sb;
  o.disable_bold = arg_flag(env, nargs, args, 3);
  o.disable_underline = arg_flag(env, nargs, args, 4);
  o.disable_inverse = arg_flag(env, nargs, args, 5);
  o.ignore_blink = arg_flag(env, nargs, args, 6);
  o.bold_highbright = arg_flag(env, nargs, args, 7);
  Term *t = term_create(&o);
  if (!t)
    return elisp_memory_full(env);
  /* The buffer starts as ROWS empty lines. */
  char *newlines = malloc((size_t)o.rows);
  if (!newlines) {
    term_finalize(t);
    return elisp_memory_full(env);
  }
  memset(newlines, '\n', (size_t)o.rows);
  emacs_value s = env->make_string(env, newlines, o.rows);
  free(newlines);
  if (elisp_failed(env) || !elisp_insert(env, s)) {
    term_finalize(t);
    return Qnil;
  }
  return env->make_user_ptr(env, term_finalize, t);
}

static emacs_value Fvterm_update(emacs_env *env, ptrdiff_t nargs,
                                 emacs_value args[],
                                 void *data) EMACS_NOEXCEPT {
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  if (nargs > 1 && env->is_not_nil(env, args[1])) {
    ptrdiff_t len;
    char *key = arg_string(env, args[1], &len);
    if (!key)
      return Qnil;
    keys_send(t, key, (size_t)len, arg_modifiers(env, nargs, args, 2));
    free(key);
  }
  keys_flush_output(t, env);
  if (t->dirty && !elisp_failed(env))
    env->funcall(env, Fvterm_invalidate, 0, NULL);
  return elisp_integer(env, 0);
}

static emacs_value Fvterm_mouse(emacs_env *env, ptrdiff_t nargs,
                                emacs_value args[], void *data) EMACS_NOEXCEPT {
  (void)data;
  Term *t = arg_term(env, args[0]);
  intmax_t line, col, button;
  if (!t || !arg_int(env, args[1], INTMAX_MIN, INTMAX_MAX, &line) ||
      !arg_int(env, args[2], INTMAX_MIN, INTMAX_MAX, &col) ||
      !arg_int(env, args[3], 0, KEYS_MOUSE_BUTTON_MAX, &button))
    return Qnil;
  /* LINE counts buffer lines as last drawn; row 0 is the first screen
   * line, below the scrollback. */
  intmax_t row = line - 1 - sb_lines_above_screen(t);
  row = row < 0 ? 0 : row >= t->rows ? t->rows - 1 : row;
  col = col < 0 ? 0 : col >= t->cols ? t->cols - 1 : col;
  bool sent = keys_mouse(t, (int)row, (int)col, (int)button,
                         env->is_not_nil(env, args[4]),
                         arg_modifiers(env, nargs, args, 5));
  keys_flush_output(t, env);
  return sent ? Qt : Qnil;
}

static emacs_value Fvterm_mouse_mode(emacs_env *env, ptrdiff_t nargs,
                                     emacs_value args[],
                                     void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  return t ? elisp_integer(env, t->mouse_mode) : Qnil;
}

static emacs_value Fvterm_focus(emacs_env *env, ptrdiff_t nargs,
                                emacs_value args[], void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  keys_focus(t, env->is_not_nil(env, args[1]));
  keys_flush_output(t, env);
  return Qnil;
}

static emacs_value Fvterm_redraw(emacs_env *env, ptrdiff_t nargs,
                                 emacs_value args[],
                                 void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  term_redraw(t, env);
  signal_oom(t, env, false);
  return elisp_integer(env, 0);
}

static emacs_value Fvterm_write_input(emacs_env *env, ptrdiff_t nargs,
                                      emacs_value args[],
                                      void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  ptrdiff_t len;
  char *bytes = arg_string(env, args[1], &len);
  if (!bytes)
    return Qnil;
  bool fed;
  if (t->in_redraw) { /* from a callback: fed after the redraw's pass */
    fed = buf_append(&t->deferred_input, bytes, (size_t)len);
    t->dirty = true;
  } else {
    fed = feed_bytes(t, bytes, (size_t)len);
  }
  free(bytes);
  osc_answer_colors(t, env); /* at once: the program may be waiting */
  return signal_oom(t, env, !fed) ? Qnil : elisp_integer(env, 0);
}

static emacs_value Fvterm_set_osc_options(emacs_env *env, ptrdiff_t nargs,
                                          emacs_value args[],
                                          void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  intmax_t off = env->extract_integer(env, args[1]);
  if (elisp_failed(env))
    return Qnil;
  if (off < 0 || off > 15)
    return elisp_signal_range(env, args[1], 0, 15);
  t->osc_disabled = (unsigned)off;
  t->osc_allow_set = env->is_not_nil(env, args[2]);
  return Qnil;
}

static emacs_value Fvterm_set_size(emacs_env *env, ptrdiff_t nargs,
                                   emacs_value args[],
                                   void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  int rows, cols;
  if (!t || !valid_size(env, args[1], args[2], &rows, &cols))
    return Qnil;
  if (t->in_redraw) { /* from a callback: resized after the redraw's pass */
    t->deferred_rows = rows;
    t->deferred_cols = cols;
    t->dirty = true;
  } else if (screen_resize(t, rows, cols)) {
    term_redraw(t, env);
  } else {
    elisp_memory_full(env);
  }
  signal_oom(t, env, false);
  return Qnil;
}

static emacs_value Fvterm_set_reflow(emacs_env *env, ptrdiff_t nargs,
                                     emacs_value args[],
                                     void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  return reflow_set(t, env->is_not_nil(env, args[1])) ? Qt : Qnil;
}

static emacs_value Fvterm_set_pty_name(emacs_env *env, ptrdiff_t nargs,
                                       emacs_value args[],
                                       void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  ptrdiff_t len;
  char *name = arg_string(env, args[1], &len);
  if (!name)
    return Qnil;
#ifndef _WIN32
  int fd = open(name, O_RDONLY | O_NOCTTY);
  if (fd >= 0) {
    if (t->pty_fd >= 0)
      close(t->pty_fd);
    t->pty_fd = fd;
  }
#endif
  free(name);
  return Qnil;
}

static emacs_value Fvterm_get_pwd_raw(emacs_env *env, ptrdiff_t nargs,
                                      emacs_value args[],
                                      void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  intmax_t line;
  if (!t || !arg_int(env, args[1], INTMAX_MIN, INTMAX_MAX, &line))
    return Qnil;
  const char *dir = sb_line_dir(t, line);
  if (!dir)
    return Qnil;
  emacs_value s = elisp_string(env, dir, talloc_string_len(&t->alloc, dir));
  return s ? s : Qnil;
}

static emacs_value Fvterm_reset_point(emacs_env *env, ptrdiff_t nargs,
                                      emacs_value args[],
                                      void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  /* Not from a callback mid-redraw (the buffer is being edited), nor while
   * a synchronized update holds the buffer at an older screen. */
  if (!t->in_redraw && !t->sync_on)
    render_place_point(t, env);
  return env->funcall(env, Fpoint, 0, NULL);
}

static emacs_value Fvterm_get_icrnl(emacs_env *env, ptrdiff_t nargs,
                                    emacs_value args[],
                                    void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
#ifndef _WIN32
  struct termios tio;
  if (t->pty_fd >= 0 && tcgetattr(t->pty_fd, &tio) == 0 &&
      (tio.c_iflag & ICRNL))
    return Qt;
#endif
  return Qnil;
}

static emacs_value Fvterm_set_lazy_faces(emacs_env *env, ptrdiff_t nargs,
                                         emacs_value args[],
                                         void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  t->lazy_faces = env->is_not_nil(env, args[1]);
  return Qnil;
}

static emacs_value Fvterm_fontify_lines(emacs_env *env, ptrdiff_t nargs,
                                        emacs_value args[],
                                        void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  intmax_t line, start, end;
  if (!t || !arg_int(env, args[1], INTMAX_MIN, INTMAX_MAX, &line) ||
      !arg_int(env, args[2], 1, INTMAX_MAX, &start) ||
      !arg_int(env, args[3], 1, INTMAX_MAX, &end))
    return Qnil;
  if (!t->in_redraw) /* a callback mid-redraw: the buffer is being edited */
    render_fontify(t, env, line, start, end);
  return Qnil;
}

static emacs_value bool_value(bool b) { return b ? Qt : Qnil; }

static emacs_value Fvterm_set_synchronized_output(emacs_env *env,
                                                  ptrdiff_t nargs,
                                                  emacs_value args[],
                                                  void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  feed_set_sync(t, env->is_not_nil(env, args[1]));
  return Qnil;
}

static emacs_value Fvterm_synchronized_p(emacs_env *env, ptrdiff_t nargs,
                                         emacs_value args[],
                                         void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  return t ? bool_value(t->sync_on) : Qnil;
}

static emacs_value Fvterm_set_hyperlinks(emacs_env *env, ptrdiff_t nargs,
                                         emacs_value args[],
                                         void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  bool on = env->is_not_nil(env, args[1]);
  if (t->links.disabled == on) {
    t->links.disabled = !on;
    t->links.active = 0;
    screen_invalidate_rows(t, 0, t->rows);
  }
  return Qnil;
}

static emacs_value Fvterm_hyperlink_stats(emacs_env *env, ptrdiff_t nargs,
                                          emacs_value args[],
                                          void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  emacs_value items[8] = {env->intern(env, ":count"),
                          elisp_integer(env, t->links.count),
                          env->intern(env, ":bytes"),
                          elisp_integer(env, (intmax_t)t->links.bytes),
                          env->intern(env, ":entries"),
                          elisp_integer(env, t->links.cap),
                          env->intern(env, ":dropped"),
                          elisp_integer(env, (intmax_t)t->links.dropped)};
  return env->funcall(env, Flist, 8, items);
}

static emacs_value Fvterm_module_info(emacs_env *env, ptrdiff_t nargs,
                                      emacs_value args[],
                                      void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)args;
  (void)data;
  char version[32];
  snprintf(version, sizeof version, "%d.%d", VTERM_VERSION_MAJOR,
           VTERM_VERSION_MINOR);
#ifdef VTERM_HAVE_LINEINFO_CONTINUATION
  bool continuation = true;
#else
  bool continuation = false;
#endif
#ifdef VTERM_HAVE_STRING_FRAGMENTS
  bool fragments = true;
#else
  bool fragments = false;
#endif
#ifdef VTERM_HAVE_SB_CLEAR
  bool sb_clear = true;
#else
  bool sb_clear = false;
#endif
#ifdef VTERM_USE_ARENA
  bool arena = true;
#else
  bool arena = false;
#endif
#ifdef VTERM_SANITIZED
  bool sanitized = true; /* ASan/UBSan build: Emacs needs the runtime */
#else
  bool sanitized = false;
#endif
  emacs_value items[] = {
      env->intern(env, ":libvterm"),
      env->make_string(env, version, (ptrdiff_t)strlen(version)),
      env->intern(env, ":string-fragments"),
      bool_value(fragments),
      env->intern(env, ":continuation"),
      bool_value(continuation),
      env->intern(env, ":sb-clear"),
      bool_value(sb_clear),
      env->intern(env, ":selection"),
      Qt, /* OSC 52 is decoded here */
      env->intern(env, ":sanitized"),
      bool_value(sanitized),
      env->intern(env, ":arena"),
      bool_value(arena),
      env->intern(env, ":reflow"),
      bool_value(reflow_supported()),
      env->intern(env, ":scrollback-max"),
      elisp_integer(env, SB_MAX),
  };
  return env->funcall(env, Flist, (ptrdiff_t)(sizeof items / sizeof items[0]),
                      items);
}

static emacs_value Fvterm_arena_stats(emacs_env *env, ptrdiff_t nargs,
                                      emacs_value args[],
                                      void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  TallocStat stats[16];
  int n = talloc_stats(&t->alloc, stats, 16);
  if (n == 0)
    return Qnil;
  emacs_value items[32];
  for (int i = 0; i < n; i++) {
    items[2 * i] = env->intern(env, stats[i].name);
    items[2 * i + 1] = elisp_integer(env, stats[i].value);
  }
  return env->funcall(env, Flist, 2 * n, items);
}

#ifdef VTERM_USE_ARENA
static emacs_value Fvterm_arena_fail_next_blocks(emacs_env *env,
                                                 ptrdiff_t nargs,
                                                 emacs_value args[],
                                                 void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  intmax_t n;
  if (!arg_int(env, args[0], 0, 1000000, &n))
    return Qnil;
  arena_fail_next_blocks((int)n);
  return Qnil;
}
#endif

#ifdef VTERM_FAULT_INJECTION
static emacs_value Fvterm_inject_fault(emacs_env *env, ptrdiff_t nargs,
                                       emacs_value args[],
                                       void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  static const struct {
    const char *name;
    unsigned fault;
  } sites[] = {{"row-info", FAULT_ROW_INFO},
               {"scrollback-ring", FAULT_SB_RING}};
  for (size_t i = 0; i < sizeof sites / sizeof sites[0]; i++)
    if (env->eq(env, args[0], env->intern(env, sites[i].name))) {
      fault_armed |= sites[i].fault;
      return Qt;
    }
  return elisp_signal_value(env, Qwrong_type_argument,
                            env->intern(env, "vterm--fault-site-p"), args[0]);
}
#endif

/* ===== Initialisation ===================================================== */

typedef struct {
  const char *name;
  ptrdiff_t min, max;
  emacs_value (*fn)(emacs_env *, ptrdiff_t, emacs_value *,
                    void *) EMACS_NOEXCEPT;
  const char *doc;
} ModuleFunction;

static const ModuleFunction module_functions[] = {
    {"vterm--new", 2, 8, Fvterm_new,
     "Create a terminal of ROWS x COLS and insert ROWS newlines at point.\n"
     "SCROLLBACK is the number of lines kept (default 1000, at most the\n"
     "module's maximum).  The flags drop bold, underline or inverse video,\n"
     "ignore cursor blink requests, and render bold as bright colours.\n\n"
     "(fn ROWS COLS &optional SCROLLBACK DISABLE-BOLD DISABLE-UNDERLINE "
     "DISABLE-INVERSE IGNORE-BLINK SET-BOLD-HIGHBRIGHT)"},
    {"vterm--update", 1, 5, Fvterm_update,
     "Send KEY with modifiers to TERM, flush its output, schedule a redraw.\n\n"
     "(fn TERM &optional KEY SHIFT META CTRL)"},
    {"vterm--mouse", 5, 8, Fvterm_mouse,
     "Report a mouse event to the program in TERM, if it asked for the mouse.\n"
     "LINE is a 1-based line of the buffer as last drawn (clamped into the\n"
     "screen rows), COL a 0-based cell column.  BUTTON 0 is a motion, 1-3\n"
     "the buttons, 4-7 the wheel (up, down, left, right); PRESSED non-nil\n"
     "for a press.  Return t if the event was reported, nil if the program\n"
     "has mouse reporting off (nothing is sent).\n\n"
     "(fn TERM LINE COL BUTTON PRESSED &optional SHIFT META CTRL)"},
    {"vterm--mouse-mode", 1, 1, Fvterm_mouse_mode,
     "Return the mouse reporting TERM's program asked for.\n"
     "0 none, 1 clicks (DECSET 1000), 2 drags (1002), 3 all motion (1003).\n\n"
     "(fn TERM)"},
    {"vterm--focus", 2, 2, Fvterm_focus,
     "Report focus in (IN non-nil) or out to TERM's program.\n"
     "Nothing is sent unless the program enabled focus events (DECSET 1004).\n\n"
     "(fn TERM IN)"},
    {"vterm--redraw", 1, 1, Fvterm_redraw,
     "Bring the current buffer up to date with TERM.\n\n(fn TERM)"},
    {"vterm--write-input", 2, 2, Fvterm_write_input,
     "Feed the bytes of STRING to TERM.\n\n(fn TERM STRING)"},
    {"vterm--set-osc-options", 3, 3, Fvterm_set_osc_options,
     "Switch TERM's shell and colour protocols off, or colour setting on.\n"
     "DISABLED is a bit mask: 1 OSC 7, 2 OSC 133, 4 colour queries, 8\n"
     "notifications (OSC 9 and 777).  ALLOW-SET non-nil lets programs set\n"
     "colours with OSC 4, 10 and 11.\n\n"
     "(fn TERM DISABLED ALLOW-SET)"},
    {"vterm--set-size", 3, 3, Fvterm_set_size,
     "Resize TERM to ROWS x COLS and redraw.\n\n(fn TERM ROWS COLS)"},
    {"vterm--set-reflow", 2, 2, Fvterm_set_reflow,
     "Make TERM re-wrap its lines when its width changes, if FLAG.\n"
     "Return t if it will (libvterm 0.3 and later), nil otherwise.\n\n"
     "(fn TERM FLAG)"},
    {"vterm--set-pty-name", 2, 2, Fvterm_set_pty_name,
     "Tell TERM the name of its pty device.\n\n(fn TERM NAME)"},
    {"vterm--get-pwd-raw", 2, 2, Fvterm_get_pwd_raw,
     "Return the directory recorded for buffer line LINE of TERM, or nil.\n\n"
     "(fn TERM LINE)"},
    {"vterm--reset-point", 1, 1, Fvterm_reset_point,
     "Move point to TERM's cursor and return it.\n\n(fn TERM)"},
    {"vterm--get-icrnl", 1, 1, Fvterm_get_icrnl,
     "Return t if TERM's pty translates CR to NL on input.\n\n(fn TERM)"},
    {"vterm--set-synchronized-output", 2, 2, Fvterm_set_synchronized_output,
     "Make TERM honour synchronized output (DEC mode 2026) if ENABLE.\n"
     "Without it the mode is ignored and its DECRQM goes to libvterm.\n"
     "Either way an update being held ends: the next redraw draws.\n\n"
     "(fn TERM ENABLE)"},
    {"vterm--synchronized-p", 1, 1, Fvterm_synchronized_p,
     "Return t while TERM holds its redraws for a synchronized update.\n\n"
     "(fn TERM)"},
    {"vterm--set-hyperlinks", 2, 2, Fvterm_set_hyperlinks,
     "Make TERM record and show OSC 8 hyperlinks if FLAG is non-nil.\n\n"
     "(fn TERM FLAG)"},
    {"vterm--hyperlink-stats", 1, 1, Fvterm_hyperlink_stats,
     "Return a plist of TERM's hyperlink table: live links, their bytes,\n"
     "allocated entries and links not made.\n\n(fn TERM)"},
    {"vterm--set-lazy-faces", 2, 2, Fvterm_set_lazy_faces,
     "Make TERM draw scrollback lines without faces when FLAG is non-nil.\n"
     "Their faces then come from `vterm--fontify-lines'.\n\n"
     "(fn TERM FLAG)"},
    {"vterm--fontify-lines", 4, 4, Fvterm_fontify_lines,
     "Put the faces on TERM's scrollback lines drawn without them.\n"
     "LINE is the buffer line (1-based, counted in the whole buffer) that\n"
     "starts at position START, or minus its number counted from the end\n"
     "(`count-lines' from START to the end); lines up to position END are\n"
     "done.\n"
     "Lines that are not scrollback lines drawn plain are left alone.\n\n"
     "(fn TERM LINE START END)"},
    {"vterm--module-info", 0, 0, Fvterm_module_info,
     "Return a plist describing how the module was built.\n\n(fn)"},
    {"vterm--arena-stats", 1, 1, Fvterm_arena_stats,
     "Return TERM's arena statistics as a plist, or nil without arenas.\n\n"
     "(fn TERM)"},
#ifdef VTERM_FAULT_INJECTION
    {"vterm--inject-fault", 1, 1, Fvterm_inject_fault,
     "Make the next allocation at SITE fail once (for tests).\n"
     "SITE is `row-info' (a resize) or `scrollback-ring' (growing the\n"
     "scrollback).\n\n(fn SITE)"},
#endif
#ifdef VTERM_USE_ARENA
    {"vterm--arena-fail-next-blocks", 1, 1, Fvterm_arena_fail_next_blocks,
     "Make the next N arena block allocations fail (for tests).\n\n(fn N)"},
#endif
};

VTERM_EXPORT int
emacs_module_init(struct emacs_runtime *runtime) EMACS_NOEXCEPT {
  if ((size_t)runtime->size < sizeof *runtime)
    return 1;
  emacs_env *env = runtime->get_environment(runtime);
  if ((size_t)env->size < sizeof(struct emacs_env_25))
    return 2;
  if (!elisp_init(env))
    return 3;
  render_init(env);
  for (size_t i = 0; i < sizeof module_functions / sizeof module_functions[0];
       i++) {
    const ModuleFunction *f = &module_functions[i];
    if (!elisp_defun(env, f->name, f->min, f->max, f->fn, f->doc))
      return 4;
  }
  emacs_value feature = env->intern(env, "vterm-module");
  env->funcall(env, Fprovide, 1, &feature);
  return elisp_failed(env) ? 5 : 0;
}
