/* screen.h - libvterm's screen callbacks and the row info that follows rows.
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
#ifndef VTERM_SCREEN_H
#define VTERM_SCREEN_H

/* libvterm tells the terminal what changed through its screen callbacks:
 * damaged rectangles, rows moved by a scroll, rows pushed to or popped from
 * scrollback, a new size, terminal properties.  This unit turns them into
 * the Term's bookkeeping: the range of rows to redraw, the scrollback ring
 * (through scrollback.h), the cursor properties, and the row info (the
 * directory and prompt column of each row, its continuation flag and its
 * OSC 8 link spans), which it moves in step with the rows it describes.
 * Damage, and cells shifted along a row, drop the link spans of the cells
 * concerned (link.h), except while Term.links_frozen is set.
 *
 * Owns: Term.row_info (rows entries, malloc'd), popped_info, resize_info
 * while a resize runs, rows_pushed, use_snapshot, altscreen, the invalid
 * range.  Lines it pushes to scrollback go to the ring, with their row
 * info; lines popped back give theirs to the rows.
 * Never: calls Emacs.  Callbacks cannot fail towards libvterm: a failed
 * allocation sets Term.oom (the next module call signals memory-full) and
 * the row is kept without its extra information. */

#include "vterm-module.h"

/* Installs the callbacks on T's screen (with row damage merging). */
void screen_attach(Term *t);

/* Marks screen rows [START, END) for redraw (and the row above, whose
 * wrap flag depends on START's continuation). */
void screen_invalidate_rows(Term *t, int start, int end);

/* Whether screen ROW (encoded as L) continues on the next row. */
bool screen_row_wraps(const Term *t, int row, const Line *l);

/* Copies libvterm's continuation flags into the row info, before a write or
 * resize that may push several rows at once. */
void screen_snapshot_continuations(Term *t);

/* Asks libvterm for its scroll region: 0-based TOP and BOTTOM rows.
 * Returns false (and 0, 0) if it did not answer. */
bool screen_scroll_region(Term *t, int *top, int *bottom);

/* Resizes libvterm.  Everything the resize callbacks need is allocated
 * first, so a failure leaves the terminal as it was.  Returns false then
 * (the caller signals memory-full). */
bool screen_resize(Term *t, int rows, int cols);

#endif /* VTERM_SCREEN_H */
