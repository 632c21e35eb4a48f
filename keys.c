/* keys.c - keys into libvterm, its bytes out (see keys.h).
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
#include "keys.h"

#include <stdio.h>
#include <string.h>

#ifndef _WIN32
#include <termios.h>
#endif

#include "elisp.h"
#include "scrollback.h"
#include "utf8.h"

typedef struct {
  const char *name;
  VTermKey key;
} KeyName;

static const KeyName key_names[] = {
    {"<tab>", VTERM_KEY_TAB},
    {"<backspace>", VTERM_KEY_BACKSPACE},
    {"<escape>", VTERM_KEY_ESCAPE},
    {"<up>", VTERM_KEY_UP},
    {"<down>", VTERM_KEY_DOWN},
    {"<left>", VTERM_KEY_LEFT},
    {"<right>", VTERM_KEY_RIGHT},
    {"<insert>", VTERM_KEY_INS},
    {"<delete>", VTERM_KEY_DEL},
    {"<home>", VTERM_KEY_HOME},
    {"<end>", VTERM_KEY_END},
    {"<prior>", VTERM_KEY_PAGEUP},
    {"<next>", VTERM_KEY_PAGEDOWN},
    {"<kp-add>", VTERM_KEY_KP_PLUS},
    {"<kp-subtract>", VTERM_KEY_KP_MINUS},
    {"<kp-multiply>", VTERM_KEY_KP_MULT},
    {"<kp-divide>", VTERM_KEY_KP_DIVIDE},
    {"<kp-equal>", VTERM_KEY_KP_EQUAL},
    {"<kp-decimal>", VTERM_KEY_KP_PERIOD},
    {"<kp-separator>", VTERM_KEY_KP_COMMA},
    {"<kp-enter>", VTERM_KEY_KP_ENTER},
    /* Only with modifiers: vterm-send-return sends the plain key. */
    {"<return>", VTERM_KEY_ENTER},
};

/* Maps "<f0>".."<f12>" and "<kp-0>".."<kp-9>"; returns VTERM_KEY_NONE
 * otherwise. */
static VTermKey numbered_key(const char *key) {
  int n;
  char tail;
  if (sscanf(key, "<f%d%c", &n, &tail) == 2 && tail == '>' && n >= 0 && n <= 12)
    return (VTermKey)(VTERM_KEY_FUNCTION(n));
  if (sscanf(key, "<kp-%d%c", &n, &tail) == 2 && tail == '>' && n >= 0 &&
      n <= 9)
    return (VTermKey)(VTERM_KEY_KP_0 + n);
  return VTERM_KEY_NONE;
}

static void term_flow(Term *t, bool start) {
#ifdef _WIN32
  (void)t;
  (void)start;
#else
  if (t->pty_fd >= 0)
    tcflow(t->pty_fd, start ? TCOON : TCOOFF);
#endif
}

void keys_send(Term *t, const char *key, size_t len, VTermModifier mod) {
  if (strcmp(key, "<clear_scrollback>") == 0) {
    if (t->in_redraw)
      t->deferred_clear = true; /* a callback cleared: after this pass */
    else
      sb_clear_all(t);
  } else if (strcmp(key, "<start>") == 0 || strcmp(key, "<stop>") == 0) {
    term_flow(t, key[3] == 'a');
  } else if (strcmp(key, "<start_paste>") == 0) {
    vterm_keyboard_start_paste(t->vt);
  } else if (strcmp(key, "<end_paste>") == 0) {
    vterm_keyboard_end_paste(t->vt);
  } else if (strcmp(key, "<backtab>") == 0 ||
             strcmp(key, "<iso-lefttab>") == 0) {
    vterm_keyboard_key(t->vt, VTERM_KEY_TAB, VTERM_MOD_SHIFT);
  } else if (strcmp(key, "j") == 0 && mod == VTERM_MOD_CTRL) {
    keys_output("\n", 1, t);
  } else if (strcmp(key, "SPC") == 0) {
    vterm_keyboard_unichar(t->vt, ' ', mod);
  } else {
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
      if (strcmp(key, key_names[i].name) == 0) {
        vterm_keyboard_key(t->vt, key_names[i].key, mod);
        return;
      }
    VTermKey numbered = numbered_key(key);
    if (numbered != VTERM_KEY_NONE) {
      vterm_keyboard_key(t->vt, numbered, mod);
      return;
    }
    Utf8Decoder d = {0, 0, 0, 0};
    uint32_t cps[2], cp = 0;
    int count = 0;
    for (size_t i = 0; i < len && len <= UTF8_MAX_BYTES; i++) {
      int n = utf8_decode_byte(&d, (unsigned char)key[i], cps);
      for (int k = 0; k < n; k++, count++)
        cp = cps[k];
    }
    if (count == 1 && d.errors == 0 && d.needed == 0 && len <= UTF8_MAX_BYTES)
      vterm_keyboard_unichar(t->vt, cp, mod);
  }
}

/* ---- Mouse and focus ------------------------------------------------------ */

#if VTERM_VERSION_MAJOR > 0 || VTERM_VERSION_MINOR >= 3
#define MOUSE_LIBVTERM_MAX 7 /* 6/7: horizontal wheel */
#else
#define MOUSE_LIBVTERM_MAX 5 /* 0.1.4 drops buttons above 5 */
#endif

static int clamp_int(int v, int lo, int hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

/* Lets libvterm forget that BUTTON is held, without sending anything: else
 * its next press would be taken for a repeat and dropped.  (libvterm 0.1.4
 * encodes the release even with the mouse off: that is dropped.) */
static void mouse_forget_button(Term *t, int button) {
  size_t len = t->output.len, dropped = t->output_dropped;
  vterm_mouse_button(t->vt, button, false, VTERM_MOD_NONE);
  t->output.len = len;
  t->output_dropped = dropped;
}

bool keys_mouse(Term *t, int row, int col, int button, bool pressed,
                VTermModifier mod) {
  if (t->mouse_mode == VTERM_PROP_MOUSE_NONE) {
    if (!pressed && button >= 1 && button <= 3)
      mouse_forget_button(t, button);
    return false;
  }
  row = clamp_int(row, 0, t->rows - 1);
  col = clamp_int(col, 0, t->cols - 1);
  if (t->mouse_x10) { /* X10: presses of buttons 1-3, no modifiers */
    if (button >= 1 && button <= 3 && !pressed)
      mouse_forget_button(t, button);
    else if (button >= 1 && button <= 3) {
      vterm_mouse_move(t->vt, row, col, VTERM_MOD_NONE);
      vterm_mouse_button(t->vt, button, true, VTERM_MOD_NONE);
    }
    return true;
  }
  vterm_mouse_move(t->vt, row, col, mod);
  if (button >= 1 && button <= MOUSE_LIBVTERM_MAX)
    vterm_mouse_button(t->vt, button, pressed, mod);
  return true;
}

void keys_focus(Term *t, bool in) {
  /* libvterm (0.1.4 included) sends CSI I / CSI O only under DECSET 1004. */
  if (in)
    vterm_state_focus_in(t->state);
  else
    vterm_state_focus_out(t->state);
}

/* ---- Output ---------------------------------------------------------------- */

void keys_flush_output(Term *t, emacs_env *env) {
  if (t->output.len == 0)
    return;
  emacs_value s = elisp_string(env, t->output.data, t->output.len);
  t->output.len = 0;
  if (s && !elisp_failed(env))
    env->funcall(env, Fvterm_flush_output, 1, &s);
  buf_trim(&t->output, 1 << 16);
}

void keys_output(const char *bytes, size_t len, void *user) {
  Term *t = user;
  if (t->output.len + len > (size_t)TERM_OUTPUT_LIMIT ||
      !buf_append(&t->output, bytes, len))
    t->output_dropped += len;
}
