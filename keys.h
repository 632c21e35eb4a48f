/* keys.h - keys into libvterm, and libvterm's bytes out to the process.
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
#ifndef VTERM_KEYS_H
#define VTERM_KEYS_H

/* vterm.el sends keys by name ("<up>", "<f5>", "a", "SPC", with shift,
 * meta and control flags; DESIGN.md §2).  This unit turns a name into a
 * libvterm key or character, or into one of the few commands that travel
 * the same way (clear the scrollback, flow control, bracketed paste).
 * Mouse events and focus changes go the same way, through libvterm's
 * encoders (vterm_mouse_move/button, vterm_state_focus_in/out), and only
 * when the program asked for them (DECSET 1000/1002/1003, 1004).
 * libvterm answers with bytes for the process: key encodings and replies
 * to queries (DA, DSR, DECRQSS).  They are queued in Term.output, up to
 * TERM_OUTPUT_LIMIT, and sent through vterm--flush-output.
 *
 * Owns: Term.output and output_dropped (bytes over the limit are counted,
 * not kept); reads Term.mouse_mode, which screen.c records.
 * Never: calls Emacs except in keys_flush_output; never changes the
 * buffer. */

#include "vterm-module.h"

/* libvterm's output callback (USER is the Term). */
void keys_output(const char *bytes, size_t len, void *user);

/* Sends KEY (LEN bytes, a name from vterm.el's translation) with MOD. */
void keys_send(Term *t, const char *key, size_t len, VTermModifier mod);

/* Mouse buttons as libvterm numbers them: 1-3 the buttons, 4/5 the wheel
 * up/down, 6/7 the wheel left/right (libvterm >= 0.3; ignored before). */
#define KEYS_MOUSE_BUTTON_MAX 7

/* Reports a mouse event at screen ROW, COL (0-based, clamped into the
 * screen) to the program: a motion when BUTTON is 0, else BUTTON PRESSED
 * or released, with MOD.  Returns false, sending nothing, when the program
 * has not asked for the mouse. */
bool keys_mouse(Term *t, int row, int col, int button, bool pressed,
                VTermModifier mod);

/* Reports focus in (IN) or out, if the program enabled it (DECSET 1004). */
void keys_focus(Term *t, bool in);

/* Sends pending terminal output to the process through Lisp. */
void keys_flush_output(Term *t, emacs_env *env);

#endif /* VTERM_KEYS_H */
