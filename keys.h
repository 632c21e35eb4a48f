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
 * libvterm answers with bytes for the process: key encodings and replies
 * to queries (DA, DSR, DECRQSS).  They are queued in Term.output, up to
 * TERM_OUTPUT_LIMIT, and sent through vterm--flush-output.
 *
 * Owns: Term.output and output_dropped (bytes over the limit are counted,
 * not kept).
 * Never: calls Emacs except in keys_flush_output; never changes the
 * buffer. */

#include "vterm-module.h"

/* libvterm's output callback (USER is the Term). */
void keys_output(const char *bytes, size_t len, void *user);

/* Sends KEY (LEN bytes, a name from vterm.el's translation) with MOD. */
void keys_send(Term *t, const char *key, size_t len, VTermModifier mod);

/* Sends pending terminal output to the process through Lisp. */
void keys_flush_output(Term *t, emacs_env *env);

#endif /* VTERM_KEYS_H */
