/* osc.c - OSC handlers and the events queue (see osc.h).
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
#include "osc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elisp.h"
#include "link.h"
#include "screen.h"

static char *copy_bytes(const char *p, size_t n) {
  char *s = malloc(n + 1);
  if (s) {
    memcpy(s, p, n);
    s[n] = '\0';
  }
  return s;
}

/* ---- Handlers (inside libvterm writes: no Emacs) ------------------------- */

static void osc_title(Term *t, const char *payload, size_t len) {
  char *title = copy_bytes(payload, len);
  if (!title)
    return;
  free(t->title);
  t->title = title;
  t->title_len = len;
  t->dirty = true;
}

/* OSC 51;A: the directory of the prompt just printed.  Rows from the cursor
 * down get it; the cursor row remembers where the prompt ended. */
static void osc_directory(Term *t, const char *path, size_t len) {
  if (len == 0)
    return; /* an empty directory is ignored (upstream quirk Q6) */
  VTermPos pos;
  vterm_state_get_cursorpos(t->state, &pos);
  const char *d = talloc_string(&t->alloc, path, len);
  char *raw = copy_bytes(path, len);
  if (!d || !raw) {
    talloc_string_unref(&t->alloc, d);
    free(raw);
    return;
  }
  for (int r = pos.row; r >= 0 && r < t->rows; r++) {
    talloc_string_unref(&t->alloc, t->row_info[r].dir);
    t->row_info[r].dir = talloc_string_ref(&t->alloc, d);
  }
  if (pos.row >= 0 && pos.row < t->rows)
    t->row_info[pos.row].prompt_col = pos.col;
  talloc_string_unref(&t->alloc, d);
  free(t->directory);
  t->directory = raw;
  t->directory_len = len;
  screen_invalidate_rows(t, pos.row, pos.row + 1);
}

static void osc_eval(Term *t, const char *code, size_t len) {
  if (t->eval_count >= TERM_EVAL_LIMIT) {
    t->dropped_evals++;
    t->dirty = true;
    return;
  }
  int8_t origin;
  EvalNode *n = talloc_record(&t->alloc, sizeof *n, &origin);
  const char *text = n ? talloc_string(&t->alloc, code, len) : NULL;
  if (!text) {
    talloc_record_free(&t->alloc, n, n ? origin : ALLOC_MALLOC);
    return;
  }
  n->next = NULL;
  n->code = text;
  n->origin = origin;
  if (t->eval_tail)
    t->eval_tail->next = n;
  else
    t->eval_head = n;
  t->eval_tail = n;
  t->eval_count++;
  t->dirty = true;
}

static int base64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

/* Decodes base64 IN into OUT (room for LEN bytes); stops at '=' or at a
 * character outside the alphabet.  Returns the decoded length. */
static size_t base64_decode(const char *in, size_t len, char *out) {
  uint32_t acc = 0;
  int bits = 0;
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    int v = base64_value((unsigned char)in[i]);
    if (v < 0)
      break;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (char)((acc >> bits) & 0xFF);
    }
  }
  return n;
}

/* OSC 52;TARGETS;BASE64: set a selection (queries "?" are ignored). */
static void osc_selection(Term *t, const char *payload, size_t len) {
  const char *semi = memchr(payload, ';', len);
  if (!semi)
    return;
  size_t ntargets = (size_t)(semi - payload);
  const char *data = semi + 1;
  size_t ndata = len - ntargets - 1;
  if (ndata == 1 && data[0] == '?')
    return;
  int mask = 0;
  for (size_t i = 0; i < ntargets; i++) {
    char c = payload[i];
    if (c == 'c')
      mask |= 1;
    else if (c == 'p')
      mask |= 2;
    else if (c == 'q')
      mask |= 4;
    else if (c == 's')
      mask |= 8;
    else if (c >= '0' && c <= '7')
      mask |= 16 << (c - '0');
  }
  if (ntargets == 0)
    mask = 8 | 16; /* "s0", as xterm and libvterm read an empty list */
  char *decoded = malloc(ndata + 1);
  if (!decoded)
    return;
  size_t n = base64_decode(data, ndata, decoded);
  free(t->selection);
  t->selection = decoded;
  t->selection_len = n;
  t->selection_mask = mask;
  t->dirty = true;
}

void osc_sink(void *user, long command, const char *payload, size_t len) {
  Term *t = user;
  switch (command) {
  case 0: /* icon name and title */
  case 2: /* title */
    osc_title(t, payload, len);
    break;
  case 51: /* vterm's own protocol: A directory + prompt, E eval */
    if (len >= 1 && payload[0] == 'A')
      osc_directory(t, payload + 1, len - 1);
    else if (len >= 1 && payload[0] == 'E')
      osc_eval(t, payload + 1, len - 1);
    break;
  case 52: /* selection */
    osc_selection(t, payload, len);
    break;
  case 8: /* hyperlink: starts or ends the active link (link.c) */
    link_osc(t, payload, len);
    break;
  default: /* OSC 1 (icon), 7, 133, ...: ignored */
    break;
  }
}

void osc_dropped(void *user, const char *kind, long command, size_t len) {
  Term *t = user;
  (void)kind;
  if (command == 8) /* an OSC 8 too big to read still ends the link */
    t->links.active = 0;
  t->dropped_sequences++;
  t->dropped_bytes += len;
  t->dirty = true;
}

/* ---- The events queue ---------------------------------------------------- */

static void eval_free(Term *t, EvalNode *n) {
  talloc_string_unref(&t->alloc, n->code);
  talloc_record_free(&t->alloc, n, n->origin);
}

void osc_free_events(Term *t) {
  free(t->title);
  t->title = NULL;
  free(t->directory);
  t->directory = NULL;
  free(t->selection);
  t->selection = NULL;
  while (t->eval_head) {
    EvalNode *n = t->eval_head;
    t->eval_head = n->next;
    eval_free(t, n);
  }
  t->eval_tail = NULL;
  t->eval_count = 0;
}

/* Calls FN with the string TEXT (LEN bytes). */
static void deliver_string(emacs_env *env, emacs_value fn, const char *text,
                           size_t len) {
  emacs_value s = elisp_string(env, text, len);
  if (s && !elisp_failed(env))
    env->funcall(env, fn, 1, &s);
}

static void report_drops(Term *t, emacs_env *env) {
  char msg[200];
  if (t->dropped_sequences > 0) {
    snprintf(msg, sizeof msg,
             "vterm: ignored %lu oversized escape sequence(s) (%lu bytes)",
             (unsigned long)t->dropped_sequences,
             (unsigned long)t->dropped_bytes);
    elisp_message(env, msg);
    t->dropped_sequences = t->dropped_bytes = 0;
  }
  if (t->dropped_evals > 0) {
    snprintf(msg, sizeof msg,
             "vterm: ignored %lu OSC 51;E command(s) over the limit of %d per "
             "redraw",
             (unsigned long)t->dropped_evals, TERM_EVAL_LIMIT);
    elisp_message(env, msg);
    t->dropped_evals = 0;
  }
}

/* Each event is detached first, so Lisp may re-enter safely. */
void osc_deliver(Term *t, emacs_env *env) {
  char *title = t->title, *dir = t->directory, *sel = t->selection;
  size_t title_len = t->title_len, dir_len = t->directory_len;
  size_t sel_len = t->selection_len;
  int sel_mask = t->selection_mask;
  EvalNode *evals = t->eval_head;
  t->title = t->directory = t->selection = NULL;
  t->eval_head = t->eval_tail = NULL;
  t->eval_count = 0;
  report_drops(t, env);
  if (title && !elisp_failed(env))
    deliver_string(env, Fvterm_set_title, title, title_len);
  if (dir && !elisp_failed(env))
    deliver_string(env, Fvterm_set_directory, dir, dir_len);
  while (evals) {
    EvalNode *n = evals;
    evals = n->next;
    if (!elisp_failed(env))
      deliver_string(env, Fvterm_eval, n->code,
                     talloc_string_len(&t->alloc, n->code));
    eval_free(t, n);
  }
  if (sel && !elisp_failed(env)) {
    emacs_value args[2] = {elisp_integer(env, sel_mask),
                           elisp_string(env, sel, sel_len)};
    if (args[1] && !elisp_failed(env))
      env->funcall(env, Fvterm_set_selection, 2, args);
  }
  free(title);
  free(dir);
  free(sel);
}
