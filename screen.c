/* screen.c - libvterm's screen callbacks (see screen.h).
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
#include "screen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "link.h"
#include "reflow.h"
#include "scrollback.h"

/* ---- Damage -------------------------------------------------------------- */

void screen_invalidate_rows(Term *t, int start, int end) {
#ifdef VTERM_HAVE_LINEINFO_CONTINUATION
  start--; /* the row above wraps iff this one continues it */
#endif
  if (start < 0)
    start = 0;
  if (end > t->rows)
    end = t->rows;
  if (start >= end)
    return;
  if (t->invalid_start >= t->invalid_end) {
    t->invalid_start = start;
    t->invalid_end = end;
  } else {
    if (start < t->invalid_start)
      t->invalid_start = start;
    if (end > t->invalid_end)
      t->invalid_end = end;
  }
  t->dirty = true;
}

bool screen_row_wraps(const Term *t, int row, const Line *l) {
#ifdef VTERM_HAVE_LINEINFO_CONTINUATION
  (void)l;
  if (row + 1 >= t->rows)
    return false;
  const VTermLineInfo *next = vterm_state_get_lineinfo(t->state, row + 1);
  return next && next->continuation;
#else
  (void)row;
  return l->ncells == t->cols;
#endif
}

/* ---- Callbacks ----------------------------------------------------------- */

/* Cells [START_COL, END_COL) of rows [START_ROW, END_ROW) changed: they lose
 * their links (link.h), unless a resize or feed.c froze them.  The
 * alternate screen has no row info of its own. */
static void drop_links(Term *t, int start_row, int end_row, int start_col,
                       int end_col) {
  if (t->links.count == 0 || t->links_frozen || t->altscreen || t->resize_info)
    return;
  for (int r = start_row < 0 ? 0 : start_row; r < end_row && r < t->rows; r++)
    link_clear_cells(&t->row_info[r].links, start_col, end_col);
}

static int cb_damage(VTermRect rect, void *user) {
  Term *t = user;
  drop_links(t, rect.start_row, rect.end_row, rect.start_col, rect.end_col);
  /* With row merging, libvterm keeps the rows of the first rectangle of a
   * row: an empty one (ED 1 on row 0 erases no whole row first) swallows
   * the real damage that follows, so an empty rectangle means its row. */
  if (rect.end_row <= rect.start_row)
    rect.end_row = rect.start_row + 1;
  screen_invalidate_rows(t, rect.start_row, rect.end_row);
  return 1;
}

/* Rows [SRC.start_row, SRC.end_row) moved to DEST (a scroll inside the
 * region that spans both): their row info moves with them.  Rows the move
 * overwrites lose theirs (rows pushed to scrollback gave theirs away
 * already); rows it uncovers start blank, with the directory above them. */
static void row_info_move(Term *t, VTermRect dest, VTermRect src) {
  if (dest.start_row < 0 || src.start_row < 0 || dest.end_row > t->rows ||
      src.end_row > t->rows || dest.end_row - dest.start_row <= 0 ||
      dest.end_row - dest.start_row != src.end_row - src.start_row)
    return; /* not a move inside the screen (a region left invalid by a
               resize): nothing sensible to follow */
  int delta = src.start_row - dest.start_row; /* > 0: upwards */
  int top = delta > 0 ? dest.start_row : src.start_row;
  int bottom = delta > 0 ? src.end_row : dest.end_row;
  int height = bottom - top - (delta > 0 ? delta : -delta);
  int lost = delta > 0 ? top : bottom + delta;  /* first overwritten row */
  int fresh = delta > 0 ? bottom - delta : top; /* first uncovered row */
  int n = delta > 0 ? delta : -delta;
  for (int r = lost; r < lost + n; r++)
    row_info_clear(&t->alloc, &t->row_info[r]);
  memmove(&t->row_info[dest.start_row], &t->row_info[src.start_row],
          (size_t)height * sizeof *t->row_info);
  for (int r = fresh; r < fresh + n; r++)
    row_info_blank(&t->alloc, &t->row_info[r],
                   r > 0 ? t->row_info[r - 1].dir : NULL);
}

static int cb_moverect(VTermRect dest, VTermRect src, void *user) {
  Term *t = user;
  int start = dest.start_row < src.start_row ? dest.start_row : src.start_row;
  int end = dest.end_row > src.end_row ? dest.end_row : src.end_row;
  /* During a resize libvterm scrolls in the new size's coordinates; the
   * row info follows in cb_resize instead. */
  if (t->resize_info == NULL && !t->altscreen && dest.start_col == 0 &&
      dest.end_col == t->cols && dest.start_row != src.start_row) {
    row_info_move(t, dest, src);
    t->rows_pushed = 0; /* their rows just left the screen */
  } else if (dest.start_row == src.start_row) {
    /* Cells shifted along their rows (ICH, DCH, a scroll inside left and
     * right margins): libvterm reports no damage, and links do not follow
     * the cells. */
    drop_links(t, start, end,
               dest.start_col < src.start_col ? dest.start_col : src.start_col,
               dest.end_col > src.end_col ? dest.end_col : src.end_col);
  }
  screen_invalidate_rows(t, start, end);
  return 1;
}

static int cb_movecursor(VTermPos pos, VTermPos oldpos, int visible,
                         void *user) {
  Term *t = user;
  (void)pos;
  (void)oldpos;
  (void)visible;
  t->dirty = true;
  return 1;
}

static int cb_settermprop(VTermProp prop, VTermValue *val, void *user) {
  Term *t = user;
  switch (prop) {
  case VTERM_PROP_CURSORVISIBLE:
    t->cursor_visible = val->boolean;
    t->cursor_type_dirty = true;
    break;
  case VTERM_PROP_CURSORBLINK:
    t->cursor_blink = val->boolean;
    t->cursor_blink_dirty = true;
    break;
  case VTERM_PROP_CURSORSHAPE:
    t->cursor_shape = val->number;
    t->cursor_type_dirty = true;
    break;
  case VTERM_PROP_ALTSCREEN:
    if (!val->boolean && t->altscreen)
      reflow_clean_top(t); /* the alternate screen's, before it is left */
    t->altscreen = val->boolean;
    screen_invalidate_rows(t, 0, t->rows);
    break;
  case VTERM_PROP_MOUSE: /* DECSET 1000/1002/1003: keys.c reads it */
    t->mouse_mode = val->number;
    t->mouse_x10 = false; /* feed.c sets it again after DECSET 9 */
    return 1;             /* nothing to redraw */
  default: /* titles arrive through the stream guard; the rest is unused */
    return 1;
  }
  t->dirty = true;
  return 1;
}

/* Copies libvterm's continuation flags into the row info, before a write or
 * resize that may push several rows at once: libvterm shifts its flags
 * before it pushes the rows, so by then the flags of all but the last
 * pushed row are gone. */
void screen_snapshot_continuations(Term *t) {
#ifdef VTERM_HAVE_LINEINFO_CONTINUATION
  for (int r = 0; r < t->rows; r++) {
    const VTermLineInfo *info = vterm_state_get_lineinfo(t->state, r);
    t->row_info[r].continuation = info && info->continuation;
  }
  t->use_snapshot = true;
#else
  (void)t;
#endif
}

/* Whether pushed screen row ROW (encoded as L) continues on the next row. */
static bool pushed_row_wraps(const Term *t, int row, const Line *l) {
#ifdef VTERM_HAVE_LINEINFO_CONTINUATION
  (void)l;
  if (t->use_snapshot)
    return row + 1 < t->rows && t->row_info[row + 1].continuation;
  /* One row at a time: libvterm has shifted its flags already, so row 0
   * is the next row. */
  const VTermLineInfo *next = vterm_state_get_lineinfo(t->state, 0);
  return next && next->continuation;
#else
  (void)t;
  (void)row;
  return l->ncells == l->cols;
#endif
}

/* libvterm pushes the top rows of a scroll (or a shrinking resize) one by
 * one, before the move itself: the Nth push since the last move is row N,
 * whose info goes with its line. */
static int cb_sb_pushline(int cols, const VTermScreenCell *cells, void *user) {
  Term *t = user;
  int row = t->rows_pushed++;
  RowInfo info = {NULL, -1, false, NULL, false, 0};
  if (row < t->rows) {
    info = t->row_info[row];
    t->row_info[row].dir = NULL; /* ownership moves to the line */
    t->row_info[row].links = NULL;
  }
  Line scratch;
  Line *l = NULL;
  if (t->sb_max > 0 && line_encode(&t->scratch, cells, cols, &scratch)) {
    scratch.wrapped = pushed_row_wraps(t, row, &scratch);
    scratch.info = info;
    l = line_copy(&t->alloc, &scratch);
  }
  if (!l && t->sb_max > 0)
    t->oom = true;
  if (!l || !sb_push(t, l)) { /* scrollback off, or out of memory */
    if (l)
      line_free(&t->alloc, l);
    else
      row_info_clear(&t->alloc, &info);
    return 0;
  }
  t->dirty = true;
  return 1;
}

static int cb_sb_popline(int cols, VTermScreenCell *cells, void *user) {
  Term *t = user;
  if (t->sb_count == 0)
    return 0;
  if (t->reflow && sb_at(t, 0)->ncells > cols)
    return 0; /* it would lose its end: it stays in scrollback (and the
                 older lines with it) */
  Line *l = sb_pop(t);
  line_decode(t->state, l, cells, cols);
  /* Fvterm_set_size reserved room for every row. */
  if (buf_append(&t->popped_info, &l->info, sizeof l->info)) {
    l->info.dir = NULL; /* ownership moved to popped_info */
    l->info.links = NULL;
  }
  line_free(&t->alloc, l);
  t->dirty = true;
  return 1;
}

#ifdef VTERM_HAVE_SB_CLEAR
static int cb_sb_clear(void *user) {
  sb_clear_all(user);
  return 1;
}
#endif

/* Rebuilds row_info for a new height, in the array screen_resize
 * allocated: lines popped from scrollback come first (the last popped is
 * the oldest), then the old rows that were not pushed, then new rows. */
static void resize_row_info(Term *t, int new_rows, int new_cols) {
  RowInfo *info = t->resize_info;
  RowInfo *popped = (RowInfo *)(void *)t->popped_info.data;
  int npopped = (int)(t->popped_info.len / sizeof *popped);
  int r = 0;
  for (int i = npopped - 1; i >= 0 && r < new_rows; i--)
    info[r++] = popped[i], popped[i].dir = NULL, popped[i].links = NULL;
  if (t->reflowing) /* the lines were re-wrapped */
    r = reflow_row_info(t, info, r, new_rows, new_cols);
  for (int i = 0; i < t->rows; i++) {
    if (r < new_rows && i >= t->rows_pushed)
      info[r++] = t->row_info[i];
    else
      row_info_clear(&t->alloc, &t->row_info[i]);
  }
  for (; r < new_rows; r++)
    row_info_blank(&t->alloc, &info[r], r > 0 ? info[r - 1].dir : NULL);
  for (int i = 0; i < npopped; i++)
    row_info_clear(&t->alloc, &popped[i]);
  t->popped_info.len = 0;
  t->rows_pushed = 0;
  free(t->row_info);
  t->row_info = info;
  t->resize_info = NULL;
}

static int cb_resize(int rows, int cols, void *user) {
  Term *t = user;
  resize_row_info(t, rows, cols);
  for (int r = 0; r < rows; r++) /* cells past the new width are gone */
    link_clear_cells(&t->row_info[r].links, cols, TERM_MAX_COLS + 1);
  t->rows = rows;
  t->cols = cols;
  screen_invalidate_rows(t, 0, rows);
  return 1;
}

static const VTermScreenCallbacks screen_callbacks = {
    .damage = cb_damage,
    .moverect = cb_moverect,
    .movecursor = cb_movecursor,
    .settermprop = cb_settermprop,
    .resize = cb_resize,
    .sb_pushline = cb_sb_pushline,
    .sb_popline = cb_sb_popline,
#ifdef VTERM_HAVE_SB_CLEAR
    .sb_clear = cb_sb_clear,
#endif
};

void screen_attach(Term *t) {
  vterm_screen_set_callbacks(t->screen, &screen_callbacks, t);
  /* Row merging, not scroll merging: each scroll reaches cb_moverect at
   * once, so the row info moves in step with the rows. */
  vterm_screen_set_damage_merge(t->screen, VTERM_DAMAGE_ROW);
}

bool screen_scroll_region(Term *t, int *top, int *bottom) {
  size_t mark = t->output.len;
  vterm_input_write(t->vt, "\x1bP$qr\x1b\\", 7);
  bool found = false;
  *top = *bottom = 0;
  for (size_t i = mark; i + 2 < t->output.len; i++)
    if (t->output.data[i] == '$' && t->output.data[i + 1] == 'r') {
      char reply[32];
      size_t n = t->output.len - i - 2;
      n = n < sizeof reply - 1 ? n : sizeof reply - 1;
      memcpy(reply, t->output.data + i + 2, n);
      reply[n] = '\0';
      found = sscanf(reply, "%d;%d", top, bottom) == 2;
      break;
    }
  t->output.len = mark;
  if (found) {
    (*top)--; /* DECSTBM counts from 1 */
    (*bottom)--;
  } else {
    *top = *bottom = 0;
  }
  return found;
}

/* A resize clamps the bottom margin to the new height but not the top one,
 * so a region that started below the new last row is left inverted, and
 * libvterm corrupts memory when it scrolls it.  This resets an inverted
 * region, keeping the cursor where it is. */
static void repair_scroll_region(Term *t) {
  int top, bottom;
  screen_scroll_region(t, &top, &bottom);
  if (top > bottom) {
    VTermPos pos;
    vterm_state_get_cursorpos(t->state, &pos);
    char seq[40];
    int n = snprintf(seq, sizeof seq, "\x1b[r\x1b[%d;%dH", pos.row + 1,
                     pos.col + 1);
    vterm_input_write(t->vt, seq, (size_t)n);
  }
}

bool screen_resize(Term *t, int rows, int cols) {
  if (rows == t->rows && cols == t->cols)
    return true;
  RowInfo *info =
      fault_hit(FAULT_ROW_INFO) ? NULL : calloc((size_t)rows, sizeof *info);
  if (!info || !buf_reserve(&t->popped_info, (size_t)rows * sizeof(RowInfo))) {
    free(info);
    return false;
  }
  reflow_prepare(t, rows, cols); /* without memory: no reflow this time */
  t->resize_info = info;         /* cb_resize takes it */
  screen_snapshot_continuations(t);
  t->links_frozen = true; /* the resize redraws cells that keep their links */
  vterm_set_size(t->vt, rows, cols);
  reflow_finish(t);
  t->use_snapshot = false;
  t->glyph_at_edge = false;
  feed_clamp_cursor(t);
  repair_scroll_region(t);
  vterm_screen_flush_damage(t->screen);
  t->links_frozen = false;
  free(t->resize_info); /* left if libvterm did not call back */
  t->resize_info = NULL;
  t->dirty = true;
  return true;
}
