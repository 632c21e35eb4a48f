/* sgr.h - the text attributes libvterm drops: faint and conceal.
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
#ifndef VTERM_SGR_H
#define VTERM_SGR_H

/* libvterm 0.1.4 and 0.3.3 ignore SGR 2 (faint), and 0.1.4 has no place for
 * SGR 8 (conceal) in a screen cell.  Both keep, in every cell, the "font"
 * of SGR 10-19, which nothing renders.  So that field carries the two
 * attributes instead: before an SGR reaches libvterm, feed.c has it
 * rewritten here, with 2, 8, 28 and 10-19 taken out and the new font value
 * computed (SGR 22 clears faint as well as bold, SGR 0 and an empty SGR
 * clear both); feed.c then selects that font with one more SGR.  libvterm
 * itself then keeps the attributes with the pen: per cell, through DECSC
 * and DECRC, scrolling, scrollback and resize, and resets them on RIS and
 * DECSTR.  Alternative fonts (SGR 10-19) are given up: nothing drew them.
 *
 * The rewrite walks the parameters the way libvterm's SGR parser does:
 * a colon group is one unit, and "38;5;N" / "38;2;R;G;B" (48 alike) take
 * their arguments with them, so the 2 of "38;2;..." or the 8 of "38;5;8"
 * is never read as faint or conceal.
 *
 * Owns: nothing.  Never: calls Emacs or libvterm. */

#include <stdbool.h>
#include <stddef.h>

/* Bits of the font field. */
enum { SGR_FONT_FAINT = 1u, SGR_FONT_CONCEAL = 2u };

/* The most parameters sgr_rewrite reads; a longer SGR is left alone.  The
 * stream guard sends libvterm at most 16. */
#define SGR_MAX_PARAMS 32

/* Rewrites the parameters of one SGR: PARAMS is the text between "CSI" and
 * "m" (digits, ';' and ':', as the stream guard emits it), LEN bytes.  FONT
 * is the pen's font field before the sequence.  Writes what must still go
 * to libvterm into OUT (room for 2 * LEN + 1 bytes: a missing
 * parameter is written as 0), its length into *OUT_LEN, and
 * sets *CHANGED when that differs from PARAMS (when *CHANGED and *OUT_LEN
 * is 0, nothing is left to send: an empty SGR would reset the pen).
 * Returns the font field after the sequence. */
unsigned sgr_rewrite(const char *params, size_t len, unsigned font, char *out,
                     size_t *out_len, bool *changed);

#endif /* VTERM_SGR_H */
