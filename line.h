/* line.h - one terminal row in compact form: cells, styles, marks.
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
#ifndef VTERM_LINE_H
#define VTERM_LINE_H

/* A row of libvterm cells is big (VTermScreenCell is 40 bytes or more); a
 * Line keeps the same row in a few bytes per cell: one 32-bit word per
 * cell, the styles as runs, the combining marks apart.  Scrollback lines
 * are kept this way, and screen rows are encoded the same way before they
 * are rendered, so the renderer reads one format.
 *
 * Owns: nothing of its own.  line_encode fills a LineScratch the caller
 * owns (valid until its next use); line_copy returns one talloc_record
 * block that the caller owns and gives back with line_free, which also
 * drops the line's directory reference and frees its links.
 * Never: calls Emacs, touches a Term, or signals; failures are false/NULL
 * returns. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vterm.h>

#include "term-alloc.h"

/* ---- Colours and styles -------------------------------------------------- */

/* A colour in 32 bits: the tag in the top byte, RGB or index below. */
enum {
  COLOR_DEFAULT_FG = 1,
  COLOR_DEFAULT_BG = 2,
  COLOR_INDEXED = 3,
  COLOR_RGB = 4
};
#define COLOR_TAG(c) ((c) >> 24)

enum {
  STYLE_BOLD = 1u << 0,
  STYLE_UNDERLINE_SHIFT = 1, /* two bits */
  STYLE_ITALIC = 1u << 3,
  STYLE_BLINK = 1u << 4,
  STYLE_REVERSE = 1u << 5,
  STYLE_STRIKE = 1u << 6,
  STYLE_FONT_SHIFT = 7 /* four bits */
};
#define STYLE_UNDERLINE(f) (((f) >> STYLE_UNDERLINE_SHIFT) & 3u)
/* libvterm's font field, which carries faint and conceal (sgr.h). */
#define STYLE_FONT(f) (((f) >> STYLE_FONT_SHIFT) & 15u)

/* Cell attributes packed without padding, so styles compare with memcmp. */
typedef struct {
  uint32_t fg, bg; /* packed colours (COLOR_*) */
  uint32_t flags;  /* STYLE_* bits */
} CellStyle;

/* The libvterm colour of PACKED; the default colours come from STATE. */
void line_unpack_color(const VTermState *state, uint32_t packed,
                       VTermColor *out);

/* ---- What a row remembers besides its cells ------------------------------ */

/* Cells [start, end) of a row show link LINK (an index into the Term's
 * link table, link.h). */
typedef struct {
  int start, end;
  uint32_t link;
} LinkSpan;

/* A row's links: N spans, sorted, never overlapping, in one malloc'd block
 * with the struct (SPANS points just past it). */
typedef struct RowLinks {
  int n, cap;
  LinkSpan *spans;
} RowLinks;

typedef struct {
  /* Directory recorded by OSC 51;A: a refcounted talloc string (one
   * reference owned here), or NULL. */
  const char *dir;
  int prompt_col; /* column where the prompt ended, or -1 */
  /* libvterm's continuation flag for this row (it continues the row above)
   * as of the last screen_snapshot_continuations: libvterm forgets the
   * flags of rows that a multi-line scroll pushes out, before we see them. */
  bool continuation;
  /* OSC 8 links on the row (link.h): owned here, malloc'd, or NULL.  It
   * moves with the row info, like DIR. */
  RowLinks *links;
  /* OSC 133;D: the exit status of the command run from this prompt row
   * (osc.c), rendered as `vterm-command-status' on the prompt mark. */
  bool has_status;
  int status;
} RowInfo;

/* Drops R's directory reference and links, and resets it. */
void row_info_clear(TermAlloc *a, RowInfo *r);

/* A row new on the screen: no prompt, no links, the directory DIR (borrowed; R
 * takes a reference of its own). */
void row_info_blank(TermAlloc *a, RowInfo *r, const char *dir);

/* ---- Compact lines ------------------------------------------------------- */

/* Cell encoding in Line.chars: 0 is blank, CELL_WIDE_RIGHT the right half of
 * a wide character, otherwise a code point with CELL_WIDE set for width 2. */
#define CELL_WIDE_RIGHT 0xFFFFFFFFu
#define CELL_WIDE 0x40000000u
#define CELL_CODEPOINT(c) ((c)&0x1FFFFFu)

typedef struct {
  int start; /* first cell of the run */
  CellStyle style;
} StyleRun;

typedef struct {
  int cell;
  uint32_t chars[VTERM_MAX_CHARS_PER_CELL - 1]; /* combining marks, 0-ended */
} ExtraChars;

/* One row in compact form: trailing blank cells are not stored.  A
 * scrollback line is one talloc_record block (line_copy) holding the struct
 * and its three arrays; a screen row being rendered points into a
 * LineScratch instead. */
typedef struct {
  int cols;   /* terminal width when the row was captured */
  int ncells; /* stored cells; == cols when the last column is occupied */
  int nruns;
  int nextra;
  bool wrapped;  /* the text continues on the next row */
  int8_t origin; /* talloc_record origin (scrollback copies only) */
  RowInfo info;
  uint32_t *chars; /* CELL_* encoded code points, ncells entries */
  StyleRun *runs;
  ExtraChars *extra;
} Line;

/* Where line_encode builds a line: reused from row to row. */
typedef struct {
  Buf chars, runs, extra;
} LineScratch;

/* Encodes N libvterm cells into OUT, whose arrays point into S (valid until
 * S is used again).  OUT's info is blank.  Returns false if memory ran
 * out. */
bool line_encode(LineScratch *s, const VTermScreenCell *cells, int n,
                 Line *out);

/* Copies a line (a scratch one) into one record from A, or NULL if memory
 * ran out.  The copy takes over SRC's info (its directory reference). */
Line *line_copy(TermAlloc *a, const Line *src);

/* Frees L (NULL is fine) and its directory reference. */
void line_free(TermAlloc *a, Line *l);

/* Decodes L back into N libvterm cells (for sb_popline); STATE gives the
 * default colours. */
void line_decode(const VTermState *state, const Line *l, VTermScreenCell *cells,
                 int n);

/* ---- Walking a line's glyphs ----------------------------------------------
 * The one way to read a line cell by cell: the renderer and the point
 * placement both count characters with it, so they always agree.  Inline:
 * it runs once per cell of every rendered row. */

typedef struct {
  const Line *line;
  int cell;    /* the cell just visited; -1 before the first */
  int extra;   /* next entry of line->extra */
  uint32_t cp; /* its character: ' ' when blank, 0 for the right half of a
                  wide character (no character of its own) */
  const uint32_t *marks; /* its combining marks, nmarks of them */
  int nmarks;
} LineIter;

static inline void line_iter_init(LineIter *it, const Line *l) {
  it->line = l;
  it->cell = -1;
  it->extra = 0;
}

/* Moves to the next stored cell; false past the last one. */
static inline bool line_iter_next(LineIter *it) {
  const Line *l = it->line;
  int i = ++it->cell;
  if (i >= l->ncells)
    return false;
  uint32_t ch = l->chars[i];
  it->marks = NULL;
  it->nmarks = 0;
  if (ch == CELL_WIDE_RIGHT) {
    it->cp = 0;
    return true;
  }
  it->cp = CELL_CODEPOINT(ch) ? CELL_CODEPOINT(ch) : ' '; /* never 0 */
  if (it->extra < l->nextra && l->extra[it->extra].cell == i) {
    it->marks = l->extra[it->extra].chars;
    while (it->nmarks < VTERM_MAX_CHARS_PER_CELL - 1 && it->marks[it->nmarks])
      it->nmarks++;
    it->extra++;
  }
  return true;
}

#endif /* VTERM_LINE_H */
