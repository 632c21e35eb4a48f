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

/* Term is the one structure every unit of the module works on.  The module
 * is split by concern; each unit states its contract at the top of its
 * header and owns the fields marked with its name below:
 *
 *   vterm-module.c  Term's lifecycle, the redraw passes, argument checking,
 *                   the Fvterm_* functions, emacs_module_init
 *   screen.c        libvterm's screen callbacks: damage, scrolls, resize,
 *                   and the row info that moves with the rows
 *   feed.c          bytes from the stream guard into libvterm
 *   osc.c           OSC handlers, the events queue and its delivery
 *   link.c          OSC 8 hyperlinks: the link table, the cells of links
 *   scrollback.c    the scrollback ring and which of its lines the buffer
 *                   shows
 *   render.c        the buffer text: builder, faces, edits, point
 *   keys.c          keys into libvterm, its replies out to the process
 *   line.c          the compact row format (no Term, no Emacs)
 *   stream.c        the byte-stream guard (no Term, no Emacs)
 *   term-alloc.c    arenas or malloc, and Buf (no Term, no Emacs)
 *   elisp.c         Lisp symbols, captured primitives, call wrappers
 *   utf8.c          UTF-8 encoding and validation
 *
 * Lifetime: a Term is calloc'd by term_create and owned by its user
 * pointer; the finalizer (term_finalize) frees everything it points to and
 * never calls Emacs.  Only code running inside an Fvterm_* call (or
 * emacs_module_init) calls Emacs, and only through the env it was given;
 * elisp.h states the error rule it follows. */

#include <emacs-module.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vterm.h>

#include "line.h"
#include "link.h"
#include "stream.h"
#include "term-alloc.h"

/* Scrollback is capped here whatever vterm-max-scrollback says. */
#ifndef SB_MAX
#define SB_MAX 1000000
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
/* OSC 133;D and notification events queued between two redraws, and
 * colour queries and sets waiting in one write. */
#define TERM_PROTO_LIMIT 256
#define TERM_COLOR_QUERY_LIMIT 256

struct EvalNode;    /* osc.h */
struct ProtoEvent;  /* osc.h */
struct ReflowPlan; /* reflow.c */

typedef struct Term {
  TermAlloc alloc;     /* arenas (or malloc): owns line records and strings */
  VTerm *vt;           /* owned; freed by the finalizer */
  VTermScreen *screen; /* owned by vt */
  VTermState *state;   /* owned by vt */
  int rows, cols;
  StreamGuard guard; /* owns its pending sequence buffers */

  /* scrollback.c: the ring, newest line at logical index 0.  Each Line is
   * one talloc_record block owned by the ring (line_copy); the slot array
   * is malloc'd. */
  Line **sb;
  int sb_cap;  /* allocated slots (grows up to sb_max) */
  int sb_max;  /* user limit, <= SB_MAX */
  int sb_head; /* slot of the newest line */
  int sb_count;
  int sb_pending;   /* newest lines not yet rendered into the buffer */
  int sb_in_buffer; /* older lines that are in the buffer */
  int sb_evicted;   /* buffer lines to delete from the top at next redraw */
  int sb_popped;    /* scrollback lines to delete above the screen region */

  /* screen.c: what each screen row remembers besides its cells. */
  RowInfo *row_info;    /* rows entries, owned; moves with the rows it
                           describes (cb_moverect), primary screen only */
  Buf popped_info;      /* RowInfo of lines popped during a resize */
  RowInfo *resize_info; /* rows for the next cb_resize, allocated by
                           screen_resize before libvterm resizes */
  int rows_pushed;      /* top rows pushed to scrollback whose row info
                           cb_moverect or cb_resize has not dropped yet */
  bool use_snapshot;    /* the running write or resize may push several rows:
                           take wrap flags from the row info snapshot */
  bool altscreen;

  /* link.c: the OSC 8 link table and the active link; the cells each link
   * covers are in the row info (RowInfo.links).  links_frozen (screen.c):
   * a resize runs, whose damage must not drop the links of moved cells. */
  LinkTable links;
  bool links_frozen;
  /* reflow.c: re-wrap lines on resize (vterm--set-reflow), and the plan of
   * the resize running now (reflowing), owned until reflow_finish. */
  bool reflow, reflowing;
  struct ReflowPlan *reflow_plan;

  /* feed.c: the last text write left a glyph ending at the right edge with
   * the cursor on it (pending wrap): a combining mark that arrives next
   * belongs to it, which libvterm does not see (rejoin_combining). */
  bool glyph_at_edge;
  VTermPos edge_pos;
  /* feed.c: the last write was a lone ESC (the guard may send an escape
   * sequence's final byte in the next write); see watch_resets. */
  bool after_esc;

  /* feed.c: synchronized output (DEC mode 2026).  sync_enabled is set by
   * vterm--set-synchronized-output (off: the mode is left to libvterm,
   * which ignores it); sync_on between CSI ? 2026 h and l, while the
   * redraws are held (vterm-module.c). */
  bool sync_enabled;
  bool sync_on;

  /* vterm-module.c: requests made by Lisp while a redraw runs (from a
   * callback), applied between two redraw passes so the buffer never
   * changes under it. */
  Buf deferred_input;
  bool deferred_clear;
  int deferred_rows, deferred_cols; /* 0: no resize waiting */

  /* scrollback.c: what each buffer line showed at the last redraw, for
   * vterm--get-pwd-raw: directories (talloc references) of lines evicted
   * from scrollback or popped back to the screen since, and of the screen
   * rows as drawn. */
  Buf evicted_dirs, popped_dirs;
  const char **drawn_dirs;
  int drawn_count;
  bool oom; /* an allocation inside a libvterm callback failed */

  /* render.c: spaces render_place_point added after the text of screen row
   * pad_row so that point can sit on the cursor; pad_count 0: none. */
  int pad_row;
  ptrdiff_t pad_count;

  /* screen.c: what changed since the last redraw. */
  int invalid_start, invalid_end; /* screen rows, end exclusive */
  bool dirty;                     /* anything to redraw or deliver */
  /* vterm-module.c */
  bool in_redraw;            /* a redraw is running: Lisp callbacks may not
                                change the terminal under it (see deferred_*) */
  emacs_value redraw_buffer; /* the terminal's buffer; valid (a local
                                reference) only while in_redraw */
  /* render.c */
  bool resync;        /* a redraw failed half way: rebuild the whole buffer */
  int rows_in_buffer; /* screen rows the buffer currently holds */

  /* screen.c records them, render.c applies them. */
  bool cursor_visible, cursor_blink;
  int cursor_shape;
  bool cursor_type_dirty, cursor_blink_dirty;

  /* osc.c: events delivered at the next redraw; each string is owned
   * here. */
  char *title;
  size_t title_len;
  char *directory;
  size_t directory_len;
  struct EvalNode *eval_head, *eval_tail;
  int eval_count;
  char *selection;
  size_t selection_len;
  int selection_mask;
  size_t dropped_sequences, dropped_bytes, dropped_evals;
  /* osc.c, shell and colour protocols (OSC 7, 133, 4/10/11, 9, 777):
   * osc_disabled holds OSC_OFF_* bits (vterm--set-osc-options; zero, all
   * on, after calloc); proto_head..tail the ProtoEvents for the next redraw
   * (malloc'd nodes owned here); color_queries the ColorRequests (queries
   * and sets) handled at the end of the write that brought them (malloc'd
   * Buf). */
  unsigned osc_disabled;
  bool osc_allow_set;          /* programs may set colours (OSC 4/10/11) */
  unsigned long prompt_serial; /* prompt ends seen (133;B, 51;A) */
  struct ProtoEvent *proto_head, *proto_tail;
  int proto_count;
  size_t dropped_proto;
  Buf color_queries;

  /* keys.c: bytes for the process, flushed by vterm--update. */
  Buf output;
  size_t output_dropped;
  /* keys.c: the mouse reporting the program asked for (VTERM_PROP_MOUSE_*,
   * recorded by screen.c's settermprop callback); NONE: Emacs keeps the
   * mouse. */
  int mouse_mode;
  bool mouse_x10; /* DECSET 9 (set by feed.c as mode 1000): presses only,
                     without modifiers */

  /* Options fixed at creation (render.c reads them). */
  bool disable_bold, disable_underline, disable_inverse, ignore_blink;
  /* render.c: scrollback lines drawn without faces, which render_fontify
   * puts on when Emacs displays them (vterm--set-lazy-faces). */
  bool lazy_faces;

  int pty_fd; /* -1 when none */

  /* Scratch space, reused across redraws: line_encode's (render.c and
   * screen.c), and render.c's cells and text being built. */
  VTermScreenCell *cells;
  int cells_cap;
  LineScratch scratch;
  Buf text, spans, marks, link_marks;
} Term;

/* ---- Fault injection (tests) ------------------------------------------------
 * Built with VTERM_FAULT_INJECTION, vterm--inject-fault arms one of these
 * allocation sites to fail once, so the out-of-memory paths can be tested
 * end to end.  Otherwise fault_hit is constant false. */

enum { FAULT_ROW_INFO = 1, FAULT_SB_RING = 2 };

#ifdef VTERM_FAULT_INJECTION
bool term_fault_hit(unsigned fault);
#define fault_hit(fault) term_fault_hit(fault)
#else
#define fault_hit(fault) false
#endif

#endif /* VTERM_MODULE_H */
