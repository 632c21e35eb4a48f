/* render.h - the terminal's buffer: text, faces, edits, point, cursor.
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
#ifndef VTERM_RENDER_H
#define VTERM_RENDER_H

/* Brings the terminal's buffer up to date.  The buffer holds scrollback
 * lines, oldest first, then one line per screen row (DESIGN.md §4).  A redraw
 * builds the text of every line to change in one UTF-8 string (the builder),
 * with a face per run of identical style (the face cache, one plist per
 * distinct style per redraw; none for scrollback lines with lazy faces, see
 * render_fontify) and the `vterm-line-wrap' and `vterm-prompt'
 * marks, inserts it with one call, and deletes the lines it replaces.  Then
 * point goes to the terminal's cursor, padding its row with spaces when the
 * cursor is beyond the row's text, and the cursor's type and blinking follow
 * the terminal's.
 *
 * Owns: the scratch it reuses across redraws (Term.text, spans and marks,
 * in the temporary arena when there is one; cells, malloc'd), pad_row and
 * pad_count, resync, rows_in_buffer.  Face plists and strings are Emacs
 * values, local to the redraw.
 * Never: edits a buffer other than the terminal's (vterm--get-color may
 * switch buffers; the text goes into Term.redraw_buffer all the same), or
 * writes into libvterm: it only reads the screen. */

#include "vterm-module.h"

/* Reads what the Emacs running the module supports (:extend, Emacs 27). */
void render_init(emacs_env *env);

/* Whether the buffer text must change (not only point). */
bool render_text_changed(const Term *t);

/* Re-renders what changed.  A redraw that fails half way (read-only buffer,
 * an error from Lisp, out of memory) leaves the buffer in an unknown state,
 * so the next one rebuilds it completely. */
void render_text(Term *t, emacs_env *env);

/* Lazy faces (Term.lazy_faces): scrollback lines go into the buffer
 * without faces, and this puts them on the lines from buffer line LINE
 * (1-based, starting at position START) up to position END, from the cells
 * the ring keeps.  It stops at the lines popped back to the screen and the
 * screen rows, which are drawn with their faces.  A line whose text differs
 * from what was drawn for it (copy mode removed fake newlines) is left
 * alone.  Emacs calls it through jit-lock, outside redraws. */
void render_fontify(Term *t, emacs_env *env, intmax_t line, intmax_t start,
                    intmax_t end);

/* Moves point to the terminal cursor (see render.c). */
void render_place_point(Term *t, emacs_env *env);

/* Applies cursor type and blink changes the terminal asked for. */
void render_cursor(Term *t, emacs_env *env);

/* Releases malloc'd scratch memory grown by an unusually large redraw. */
void render_release_scratch(Term *t);

#endif /* VTERM_RENDER_H */
