/* callbacks.c --- what the module calls back, in the module host

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

/* The vterm--* functions the module calls (vterm.el's "Module
   callbacks"), recording what they were given in host-* variables for
   the scripts to check; the window functions vterm.el uses, as headless
   no-ops; and the host-* helpers that read the current buffer.  */

#include "buffer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *host_output;
size_t host_output_len;
static size_t host_output_cap;

static Value *Qhost_titles, *Qhost_directories, *Qhost_evals,
    *Qhost_selections, *Qhost_invalidate_count, *Qhost_color_calls,
    *Qhost_flush_count, *Qhost_window_list, *Qhost_blink, *Qhost_window;

/* ---- windows and display: headless no-ops ---- */

static Value *Fselected_window(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return Qhost_window;
}
static Value *Fget_buffer_window_list(ptrdiff_t nargs, Value **args) {
  Value *v = Qhost_window_list->u.sym.value;
  (void)nargs;
  (void)args;
  return v ? v : Qnil;
}
static Value *Fget_buffer_window(ptrdiff_t nargs, Value **args) {
  Value *v = Qhost_window_list->u.sym.value;
  (void)nargs;
  (void)args;
  return v && CONSP(v) ? XCAR(v) : Qnil;
}
static Value *Fwindow_body_height(ptrdiff_t nargs, Value **args) {
  Value *v = intern("host-window-height")->u.sym.value;
  (void)nargs;
  (void)args;
  return v ? v : make_int(24);
}
static Value *Fwindow_body_width(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(80);
}
static Value *Fwindow_point(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(curbuf->pt);
}
static Value *Fwindow_start(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(1);
}
static Value *Fzero(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(0);
}
static Value *Fnil(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return Qnil;
}
static Value *Fset_window_point(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_POS(args[1]);
  return args[1];
}
static Value *Fblink_cursor_mode(ptrdiff_t nargs, Value **args) {
  Qhost_blink->u.sym.value = ARG(0);
  return Qnil;
}

/* ---- vterm.el helpers the module calls back ---- */

static void record(Value *sym, Value *v) {
  Value *old = sym->u.sym.value;
  sym->u.sym.value = cons(v, old ? old : Qnil);
}

static void bump(Value *sym) {
  Value *old = sym->u.sym.value;
  sym->u.sym.value = make_int((old && INTP(old) ? old->u.i : 0) + 1);
}

static Value *Fvterm_invalidate(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  bump(Qhost_invalidate_count);
  return Qnil;
}

static Value *Fvterm_flush_output(ptrdiff_t nargs, Value **args) {
  Value *s = args[0];
  (void)nargs;
  CHECK_STRING(s);
  if (host_output_len + (size_t)s->u.str.len + 1 > host_output_cap) {
    host_output_cap = (host_output_len + (size_t)s->u.str.len + 1) * 2;
    host_output = xrealloc(host_output, host_output_cap);
  }
  memcpy(host_output + host_output_len, s->u.str.data, (size_t)s->u.str.len);
  host_output_len += (size_t)s->u.str.len;
  bump(Qhost_flush_count);
  return Qnil;
}

static Value *Fvterm_set_title(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  record(Qhost_titles, args[0]);
  return Qnil;
}

static Value *Fvterm_set_directory(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  record(Qhost_directories, args[0]);
  return Qnil;
}

static Value *Fvterm_eval(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  record(Qhost_evals, args[0]);
  return Qnil;
}

static Value *Fvterm_set_selection(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_INT(args[0]);
  CHECK_STRING(args[1]);
  record(Qhost_selections, list2(args[0], args[1]));
  return Qnil;
}

/* osc.c's shell and colour protocols: notifications, command ends and
   colour sets are recorded in host-notifications ((TITLE BODY) ...),
   host-commands ((STATUS PROMPTS-AFTER) ...) and host-color-sets
   ((INDEX SPEC) ...).  vterm--query-color answers host-color-reply when
   that is set (a string, or t for nil), else rgb:IIII/0000/ffff for
   index I (-1: 0001, -2: 0002).  */
static Value *Fvterm_notify(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  CHECK_STRING(args[1]);
  record(intern("host-notifications"), list2(args[0], args[1]));
  return Qnil;
}

static Value *Fvterm_command_finished(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  if (!NILP(args[0]))
    CHECK_INT(args[0]);
  CHECK_INT(args[1]);
  record(intern("host-commands"), list2(args[0], args[1]));
  return Qnil;
}

static Value *Fvterm_set_color(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_INT(args[0]);
  CHECK_STRING(args[1]);
  record(intern("host-color-sets"), list2(args[0], args[1]));
  return Qnil;
}

static Value *Fvterm_query_color(ptrdiff_t nargs, Value **args) {
  Value *reply = intern("host-color-reply")->u.sym.value;
  char buf[32];
  (void)nargs;
  CHECK_INT(args[0]);
  bump(Qhost_color_calls);
  if (reply && !NILP(reply))
    return reply == Qt ? Qnil : reply;
  snprintf(buf, sizeof buf, "rgb:%04x/0000/ffff",
           (unsigned)(args[0]->u.i < 0 ? -args[0]->u.i : args[0]->u.i));
  return make_cstring(buf);
}

/* Colours: INDEX 0..255 from a fixed palette; -1 is the default
   foreground with :foreground among ARGS and the default background
   otherwise (alone it is the foreground when the variable
   host-color-minus-one-is-foreground is set, as Debian's module means
   it); Debian's -2 (bg), -11 (fg) and -12 (bg) are accepted too.
   ARGS must be keywords from the contract.  */
static Value *Fvterm_get_color(ptrdiff_t nargs, Value **args) {
  static const unsigned base16[16] = {
      0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd,
      0x00cdcd, 0xe5e5e5, 0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00,
      0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff};
  intmax_t i;
  int fg = 0;
  unsigned rgb;
  char buf[16];
  CHECK_INT(args[0]);
  for (ptrdiff_t k = 1; k < nargs; k++) {
    const char *n = SYMBOLP(args[k]) ? args[k]->u.sym.name : "";
    if (strcmp(n, ":foreground") == 0)
      fg = 1;
    else if (strcmp(n, ":underline") != 0 && strcmp(n, ":inverse-video") != 0)
      return wrong_type("vterm-color-keyword-p", args[k]);
  }
  bump(Qhost_color_calls);
  i = args[0]->u.i;
  if (i >= 0 && i < 16)
    rgb = base16[i];
  else if (i >= 16 && i < 256)
    rgb = (unsigned)(i * 0x010101 % 0x1000000);
  else if (i == -1) {
    /* Debian's module passes -1 alone for the default foreground.  */
    Value *d = intern("host-color-minus-one-is-foreground")->u.sym.value;
    rgb = fg || (nargs == 1 && d && !NILP(d)) ? 0xeeeeee : 0x111111;
  }
  else if (i == -2 || i == -12)
    rgb = 0x111111;
  else if (i == -11)
    rgb = 0xeeeeee;
  else
    return args_out_of_range(args[0], make_int(255));
  snprintf(buf, sizeof buf, "#%06x", rgb);
  return make_cstring(buf);
}

static Value *Fvterm_goto_line(ptrdiff_t nargs, Value **args) {
  intmax_t n;
  (void)nargs;
  CHECK_INT(args[0]);
  n = args[0]->u.i;
  if (n > 0) {
    curbuf->pt = 1;
    return BOOL(buffer_forward_line(curbuf, n - 1) == 0);
  }
  curbuf->pt = curbuf->len + 1;
  return BOOL(buffer_forward_line(curbuf, n) == 0);
}

static Value *Fvterm_delete_lines(ptrdiff_t nargs, Value **args) {
  ptrdiff_t saved = curbuf->pt;
  Value *ok, *r = Qnil;
  CHECK_INT(args[0]);
  CHECK_INT(args[1]);
  if (!buffer_check_writable(curbuf))
    return NULL;
  buffer_push_marker(curbuf, &saved);
  ok = Fvterm_goto_line(1, args);
  if (ok && !NILP(ok)) {
    ptrdiff_t end = buffer_line_end_position(curbuf, args[1]->u.i);
    if (end < curbuf->pt)
      buffer_delete_chars(curbuf, end, curbuf->pt);
    else
      buffer_delete_chars(curbuf, curbuf->pt, end);
    if (nargs > 2 && !NILP(args[2]) && curbuf->pt <= curbuf->len &&
        curbuf->text[curbuf->pt - 1] == '\n')
      buffer_delete_chars(curbuf, curbuf->pt, curbuf->pt + 1);
  }
  buffer_pop_marker(curbuf, &saved);
  curbuf->pt = saved;
  return ok ? r : NULL;
}

/* ---- host helpers for scripts ---- */

/* (host-take-output): bytes passed to vterm--flush-output since the
   last call, as a unibyte string.  */
static Value *Fhost_take_output(ptrdiff_t nargs, Value **args) {
  Value *s = make_string(host_output ? host_output : "",
                         (ptrdiff_t)host_output_len, 0);
  (void)nargs;
  (void)args;
  host_output_len = 0;
  return s;
}

/* (host-line N): text of line N (1-based) without its newline, or nil. */
static Value *Fhost_line(ptrdiff_t nargs, Value **args) {
  ptrdiff_t s = 1, e;
  (void)nargs;
  CHECK_INT(args[0]);
  if (args[0]->u.i < 1)
    return Qnil;
  for (intmax_t n = 1; n < args[0]->u.i; n++) {
    while (s <= curbuf->len && curbuf->text[s - 1] != '\n')
      s++;
    if (s > curbuf->len)
      return Qnil;
    s++;
  }
  if (s > curbuf->len && args[0]->u.i > 1)
    return Qnil;
  e = s;
  while (e <= curbuf->len && curbuf->text[e - 1] != '\n')
    e++;
  return buffer_chars_to_string(curbuf, s - 1, e - 1, 1);
}

/* (host-line-count): number of newline characters in the buffer.  */
static Value *Fhost_line_count(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(buffer_count_newlines(curbuf, 1, curbuf->len + 1));
}

static const BuiltinDef builtins[] = {
    {"selected-window", 0, 0, Fselected_window},
    {"get-buffer-window-list", 0, 3, Fget_buffer_window_list},
    {"get-buffer-window", 0, 2, Fget_buffer_window},
    {"window-body-height", 0, 2, Fwindow_body_height},
    {"window-body-width", 0, 2, Fwindow_body_width},
    {"window-point", 0, 1, Fwindow_point},
    {"window-start", 0, 1, Fwindow_start},
    {"window-hscroll", 0, 1, Fzero},
    {"set-window-hscroll", 2, 2, Fzero},
    {"set-window-point", 2, 2, Fset_window_point},
    {"set-window-start", 2, 3, Fnil},
    {"recenter", 0, 2, Fnil},
    {"redisplay", 0, 1, Fnil},
    {"force-mode-line-update", 0, 1, Fnil},
    {"ding", 0, 1, Fnil},
    {"blink-cursor-mode", 0, 1, Fblink_cursor_mode},
    {"vterm--invalidate", 0, 0, Fvterm_invalidate},
    {"vterm--flush-output", 1, 1, Fvterm_flush_output},
    {"vterm--set-title", 1, 1, Fvterm_set_title},
    {"vterm--set-directory", 1, 1, Fvterm_set_directory},
    {"vterm--eval", 1, 1, Fvterm_eval},
    {"vterm--set-selection", 2, 2, Fvterm_set_selection},
    {"vterm--get-color", 1, -1, Fvterm_get_color},
    {"vterm--query-color", 1, 1, Fvterm_query_color},
    {"vterm--set-color", 2, 2, Fvterm_set_color},
    {"vterm--notify", 2, 2, Fvterm_notify},
    {"vterm--command-finished", 2, 2, Fvterm_command_finished},
    {"vterm--goto-line", 1, 1, Fvterm_goto_line},
    {"vterm--delete-lines", 2, 3, Fvterm_delete_lines},
    {"host-take-output", 0, 0, Fhost_take_output},
    {"host-line", 1, 1, Fhost_line},
    {"host-line-count", 0, 0, Fhost_line_count},
};
static void callbacks_init(void) {
  Qhost_titles = intern("host-titles");
  Qhost_directories = intern("host-directories");
  Qhost_evals = intern("host-evals");
  Qhost_selections = intern("host-selections");
  Qhost_invalidate_count = intern("host-invalidate-count");
  Qhost_color_calls = intern("host-color-calls");
  Qhost_flush_count = intern("host-flush-count");
  Qhost_window_list = intern("host-window-list");
  Qhost_blink = intern("host-blink");
  Qhost_window = intern("host-window");
  Qhost_titles->u.sym.value = Qnil;
  Qhost_directories->u.sym.value = Qnil;
  Qhost_evals->u.sym.value = Qnil;
  Qhost_selections->u.sym.value = Qnil;
  Qhost_invalidate_count->u.sym.value = make_int(0);
  Qhost_color_calls->u.sym.value = make_int(0);
  Qhost_flush_count->u.sym.value = make_int(0);
  Qhost_window_list->u.sym.value = Qnil;
  Qhost_blink->u.sym.value = Qnil;
  intern("cursor-type")->u.sym.value = Qt;
  intern("default-directory")->u.sym.value = make_cstring("/");
}

const LispUnit callbacks_unit = {NULL, 0, LISP_TABLE(builtins),
                                 callbacks_init};

void callbacks_shutdown(void) {
  free(host_output);
  host_output = NULL;
  host_output_len = host_output_cap = 0;
}
