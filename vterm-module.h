/* vterm-module.h - the terminal state behind a vterm buffer.
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
#ifndef VTERM_MODULE_H
#define VTERM_MODULE_H

#include <emacs-module.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vterm.h>

#include "stream.h"
#include "term-alloc.h"

/* Scrollback is capped here whatever vterm-max-scrollback says. */
#ifndef SB_MAX
#define SB_MAX 100000
#endif

/* Terminal size bounds; a larger terminal is refused with args-out-of-range. */
/* At least 2 columns: libvterm writes a wide character past the end of a
 * 1-column row. */
#define TERM_MIN_COLS 2
#define TERM_MAX_ROWS 65535
#define TERM_MAX_COLS 65535
#define TERM_MAX_CELLS (2L * 1024 * 1024)

/* Bytes the terminal may queue for the process between two flushes. */
#define TERM_OUTPUT_LIMIT (1L << 20)
/* OSC 51;E commands queued between two redraws. */
#define TERM_EVAL_LIMIT 1024

/* What a row remembers besides its cells. */
typedef struct {
  /* Directory recorded by OSC 51;A: a refcounted talloc string (one
   * reference owned here), or NULL. */
  const char *dir;
  int prompt_col; /* column where the prompt ended, or -1 */
  /* libvterm's continuation flag for this row (it continues the row above)
   * as of the last snapshot_continuations: libvterm forgets the flags of
   * rows that a multi-line scroll pushes out, before we see them. */
  bool continuation;
} RowInfo;

/* Cell attributes packed without padding, so styles compare with memcmp. */
typedef struct {
  uint32_t fg, bg; /* PackedColor, see vterm-module.c */
  uint32_t flags;  /* STYLE_* bits */
} CellStyle;

typedef struct {
  int start; /* first cell of the run */
  CellStyle style;
} StyleRun;

typedef struct {
  int cell;
  uint32_t chars[VTERM_MAX_CHARS_PER_CELL - 1]; /* combining marks, 0-ended */
} ExtraChars;

/* One row in compact form: trailing blank cells are not stored.  Used for
 * scrollback lines (one malloc block each) and, in Term's scratch space,
 * for screen rows being rendered. */
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

/* An OSC 51;E command waiting for the next redraw. */
typedef struct EvalNode {
  struct EvalNode *next;
  const char *code; /* talloc string, one reference */
  int8_t origin;    /* talloc_record origin of the node */
} EvalNode;

/* A growable byte or record array (scratch space, reused across redraws).
 * With a temporary arena it grows inside it (no realloc) and is emptied by
 * every redraw's reset; otherwise it uses realloc. */
typedef struct {
  char *data;
  size_t len, cap;
  TermAlloc *temp; /* non-NULL: grows in this allocator's temporary arena */
} Buf;

typedef struct Term {
  TermAlloc alloc;     /* arenas (or malloc): owns line records and strings */
  VTerm *vt;           /* owned; freed by the finalizer */
  VTermScreen *screen; /* owned by vt */
  VTermState *state;   /* owned by vt */
  int rows, cols;
  StreamGuard guard; /* owns its pending sequence buffers */

  /* Scrollback ring, newest line at logical index 0.  Each Line is one
   * talloc_record block owned by the ring; the slot array is malloc'd. */
  Line **sb;
  int sb_cap;  /* allocated slots (grows up to sb_max) */
  int sb_max;  /* user limit, <= SB_MAX */
  int sb_head; /* slot of the newest line */
  int sb_count;
  int sb_pending;   /* newest lines not yet rendered into the buffer */
  int sb_in_buffer; /* older lines that are in the buffer */
  int sb_evicted;   /* buffer lines to delete from the top at next redraw */
  int sb_popped;    /* scrollback lines to delete above the screen region */

  RowInfo *row_info; /* rows entries, owned; moves with the rows it
                        describes (cb_moverect), primary screen only */
  Buf popped_info;   /* RowInfo of lines popped during a resize */
  RowInfo *resize_info; /* rows for the next cb_resize, allocated by
                           Fvterm_set_size before libvterm resizes */
  int rows_pushed; /* top rows pushed to scrollback whose row info
                      cb_moverect or cb_resize has not dropped yet */
  bool use_snapshot; /* the running write or resize may push several rows:
                        take wrap flags from the row info snapshot */
  bool altscreen;

  /* The last text write left a glyph ending at the right edge with the
   * cursor on it (pending wrap): a combining mark that arrives next belongs
   * to it, which libvterm does not see (rejoin_combining). */
  bool glyph_at_edge;
  VTermPos edge_pos;

  /* Requests made by Lisp while a redraw runs (from a callback), applied
   * between two redraw passes so the buffer never changes under it. */
  Buf deferred_input;
  bool deferred_clear;
  int deferred_rows, deferred_cols; /* 0: no resize waiting */

  /* What each buffer line showed at the last redraw, for
   * vterm--get-pwd-raw: directories (talloc references) of lines evicted
   * from scrollback or popped back to the screen since, and of the screen
   * rows as drawn. */
  Buf evicted_dirs, popped_dirs;
  const char **drawn_dirs;
  int drawn_count;
  bool oom; /* an allocation inside a libvterm callback failed */

  /* Spaces place_point added after the text of screen row pad_row so that
   * point can sit on the cursor; pad_count 0: none. */
  int pad_row;
  ptrdiff_t pad_count;

  /* What changed since the last redraw. */
  int invalid_start, invalid_end; /* screen rows, end exclusive */
  bool dirty;                     /* anything to redraw or deliver */
  bool in_redraw;     /* a redraw is running: Lisp callbacks may not
                         change the terminal under it (see deferred_*) */
  emacs_value redraw_buffer; /* the terminal's buffer; valid (a local
                                reference) only while in_redraw */
  bool resync;        /* a redraw failed half way: rebuild the whole buffer */
  int rows_in_buffer; /* screen rows the buffer currently holds */

  bool cursor_visible, cursor_blink;
  int cursor_shape;
  bool cursor_type_dirty, cursor_blink_dirty;

  /* Events delivered at the next redraw; each string is owned here. */
  char *title;
  size_t title_len;
  char *directory;
  size_t directory_len;
  EvalNode *eval_head, *eval_tail;
  int eval_count;
  char *selection;
  size_t selection_len;
  int selection_mask;
  size_t dropped_sequences, dropped_bytes, dropped_evals;

  Buf output; /* bytes for the process, flushed by vterm--update */
  size_t output_dropped;

  /* Options fixed at creation. */
  bool disable_bold, disable_underline, disable_inverse, ignore_blink;

  int pty_fd; /* -1 when none */

  /* Scratch space for rendering, reused across redraws. */
  VTermScreenCell *cells;
  int cells_cap;
  Buf scratch_chars, scratch_runs, scratch_extra;
  Buf text, spans, marks;
} Term;

#endif /* VTERM_MODULE_H */
