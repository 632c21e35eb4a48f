/* reflow.h - re-wrapping on resize (libvterm >= 0.3).
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
 * You should have received a copy of the GNU General Public License
 * with this program.  If not, see <https://www.gnu.org/licenses/>.
 */
#ifndef VTERM_REFLOW_H
#define VTERM_REFLOW_H

/* libvterm 0.3 can re-wrap the screen's lines when the width changes
 * (vterm_screen_enable_reflow).  Its resize has three faults this unit
 * steers around, by running the same row arithmetic first (reflow_plan):
 *
 *  - a top row that continues a line already in scrollback makes it read
 *    the row before the first one, and lose that line: the row is made to
 *    start a line of its own first;
 *  - a line that no longer fits at the top is lost but for its first row:
 *    the rows above the cursor's line are scrolled into scrollback first
 *    (SU, whole rows, as a program's scroll would), when that is enough;
 *  - a cursor line taller than the new screen aborts the process: that
 *    resize (and any the arithmetic cannot place) does not reflow.
 *
 * The alternate screen never reflows (its program redraws).  Scrollback
 * lines keep their width: libvterm reflows the screen only, and lines it
 * pops back come as they were.  The row info (directory, prompt column)
 * follows each line to its new rows (reflow_row_info, from cb_resize).
 *
 * Owns: Term.reflow_groups while a resize runs.  Never: calls Emacs. */

#include "vterm-module.h"

/* Whether this libvterm can reflow. */
bool reflow_supported(void);

/* Makes the current screen's top row start a line of its own (libvterm
 * reads the row above it otherwise, when it reflows that screen). */
void reflow_clean_top(Term *t);

/* Turns reflow on or off for T's later resizes; false if unsupported. */
bool reflow_set(Term *t, bool on);

/* Before T is resized to ROWS x COLS: decides whether this resize
 * reflows, prepares the screen for it, and tells libvterm.  Returns false
 * if memory ran out (the resize then does not reflow). */
bool reflow_prepare(Term *t, int rows, int cols);

/* During the resize (cb_resize): fills INFO[FIRST..NEW_ROWS) from T's old
 * row info, line by line as libvterm laid them out, moving what it uses
 * out of the old rows.  Returns the first row not filled.  Only called
 * when reflow_prepare decided to reflow (Term.reflowing). */
int reflow_row_info(Term *t, RowInfo *info, int first, int new_rows,
                    int new_cols);

/* After the resize: forgets the plan. */
void reflow_finish(Term *t);

#endif /* VTERM_REFLOW_H */
