/* scrollback.h - the scrollback ring and which of its lines the buffer shows.
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
#ifndef VTERM_SCROLLBACK_H
#define VTERM_SCROLLBACK_H

/* Lines that scrolled off the top of the screen, newest first, at most
 * sb_max of them.  The buffer shows them above the screen rows, oldest
 * first; the ring also counts how far the buffer lags behind it (lines
 * pushed but not drawn, lines evicted or popped back to the screen but still
 * drawn), so a redraw edits only what changed.
 *
 * Owns: the ring (Term.sb*, a malloc'd slot array), every Line in it (one
 * talloc_record block each), and a reference to the directory of each line
 * the buffer still shows after the ring let it go (evicted_dirs,
 * popped_dirs) or of each screen row as drawn (drawn_dirs).  sb_free
 * releases them all.
 * Never: calls Emacs or libvterm.  A failed allocation sets Term.oom (the
 * next module call signals memory-full); the ring stays consistent. */

#include "vterm-module.h"

/* The line at logical INDEX (0: newest; < sb_count). */
Line *sb_at(const Term *t, int index);

/* Adds L as the newest line, evicting the oldest when full.  Returns false
 * (L not taken) if the ring has no slot at all and cannot get one. */
bool sb_push(Term *t, Line *l);

/* Takes the newest line out of the ring; the caller owns it.  The ring must
 * not be empty. */
Line *sb_pop(Term *t);

/* Drops every line (CSI 3 J, vterm-clear-scrollback). */
void sb_clear_all(Term *t);

/* After a redraw: forgets the directories of lines it deleted and records
 * those of the screen rows it drew. */
void sb_snapshot_drawn_dirs(Term *t);

/* The directory of buffer line LINE (1-based) as the buffer shows it, or
 * NULL (a borrowed talloc string). */
const char *sb_line_dir(const Term *t, intmax_t line);

/* How many buffer lines the last redraw left above the screen rows:
 * screen row R is buffer line (this + R + 1). */
intmax_t sb_lines_above_screen(const Term *t);

/* The ring line that buffer line LINE (1-based) shows, or NULL: a line
 * evicted since the last redraw, or (with *PAST set) no scrollback line in
 * the ring at all (popped back to the screen, or a screen row). */
const Line *sb_buffer_line(const Term *t, intmax_t line, bool *past);

/* Frees the ring, its lines and every remembered directory. */
void sb_free(Term *t);

#endif /* VTERM_SCROLLBACK_H */
