/* feed.h - bytes from the stream guard into libvterm.
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
#ifndef VTERM_FEED_H
#define VTERM_FEED_H

/* Process output reaches libvterm through two layers: the stream guard
 * (stream.c) bounds and sorts the bytes, and this unit writes what it lets
 * through into libvterm, working around what libvterm gets wrong:
 *
 *  - a combining mark after a glyph at the right edge (pending wrap) is
 *    joined to that glyph, by writing the glyph again with it;
 *  - the last glyph of a text write goes in a write of its own, so a
 *    pending wrap can be seen (the cursor stays put);
 *  - the cursor is clamped back into the screen after every write;
 *  - REP is done here, with wrapping, as xterm does;
 *  - writes are cut into pieces libvterm 0.1.4 can decode on its stack;
 *  - CSI S and M snapshot the rows' continuation flags first;
 *  - RIS and DECSTR clear Term.mouse_mode, which libvterm resets silently;
 *  - a DECSET/DECRST of several modes goes as one sequence per mode
 *    (libvterm 0.1.4 sets only the first), X10 mouse mode (9) as mode 1000
 *    with Term.mouse_x10 set;
 *  - synchronized output (DEC mode 2026, unknown to libvterm): CSI ? 2026
 *    h and l set and reset Term.sync_on, and its DECRQM (CSI ? 2026 $ p)
 *    is answered here, never by libvterm (which would say "unknown").
 *  - while an OSC 8 link is active, text goes one glyph per write and the
 *    cells each glyph took get the link (link.h); with links about, damage
 *    is flushed at every write, so it covers only the cells that changed;
 *  - SGR 2 (faint), 8 and 28 (conceal) go into the font field that
 *    libvterm keeps per cell (sgr.h).
 * OSC payloads and dropped sequences go to osc.c.
 *
 * Owns: Term.glyph_at_edge, edge_pos, after_esc, sync_enabled and sync_on.
 * Bytes it is given are borrowed for the call.
 * Never: calls Emacs.  It changes the terminal only through libvterm, whose
 * callbacks (screen.c) record what changed. */

#include "vterm-module.h"

/* Connects T's stream guard to libvterm (and to osc.c). */
void feed_init(Term *t);

/* Feeds bytes to the terminal: the guard, then libvterm.  Returns false if
 * memory ran out (what could be kept was). */
bool feed_bytes(Term *t, const char *bytes, size_t len);

/* Turns synchronized output on or off for T.  Either way an update being
 * held ends (its redraw is no longer held back). */
void feed_set_sync(Term *t, bool enable);

/* Clamps a cursor that libvterm left outside the screen. */
void feed_clamp_cursor(Term *t);

#endif /* VTERM_FEED_H */
