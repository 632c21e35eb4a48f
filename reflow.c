/* reflow.c - re-wrapping on resize (see reflow.h).
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
#include "reflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"
#include "screen.h"

/* One line of the old screen (rows START..END, END inclusive) and the rows
 * it takes after the resize. */
struct ReflowGroup {
  int start, end, height;
};

/* What a reflowing resize will do: the lines top down, and where the
 * cursor goes (libvterm misplaces it below a line exactly as wide as the
 * old screen, so it is put back where its cell went). */
struct ReflowPlan {
  struct ReflowGroup *groups; /* t->rows entries, n used */
  int n;
  int cur_group;  /* the cursor's line, -1 if none */
  long cur_off;   /* the cursor's cell in its line */
  VTermPos want;  /* where the cursor belongs; row -1: unknown */
};

#ifdef VTERM_HAVE_REFLOW

bool reflow_supported(void) { return true; }

bool reflow_set(Term *t, bool on) {
  t->reflow = on;
  return true;
}

/* Cells of screen ROW up to its last non-blank one (libvterm's
 * line_popcount). */
static int row_popcount(Term *t, int row) {
  for (int col = t->cols - 1; col >= 0; col--) {
    VTermScreenCell cell;
    VTermPos pos = {row, col};
    memset(&cell, 0, sizeof cell);
    vterm_screen_get_cell(t->screen, pos, &cell);
    if (cell.chars[0] != 0)
      return col + 1;
  }
  return 0;
}

static bool row_continues(const Term *t, int row) {
  const VTermLineInfo *info = vterm_state_get_lineinfo(t->state, row);
  return info && info->continuation;
}

typedef enum { PLAN_FITS, PLAN_CUT, PLAN_REFUSE } PlanResult;

/* Runs libvterm 0.3.3's reflow arithmetic (screen.c, resize_buffer) over
 * T's screen for a resize to NEW_ROWS x NEW_COLS: the lines, bottom up,
 * each placed above the last, sliding down over blank rows when it does
 * not fit.  Fills GROUPS (room for t->rows) top down.  PLAN_CUT: the line
 * ending at row *CUT_END does not fit and the cursor is below it. */
static PlanResult plan(Term *t, int new_rows, int new_cols,
                       struct ReflowPlan *p, int *cut_end) {
  struct ReflowGroup *groups = p->groups;
  VTermPos cur;
  vterm_state_get_cursorpos(t->state, &cur);
  int old_row = t->rows - 1, new_row = new_rows - 1;
  int final_blank = new_rows, new_cur = -1, n = 0;
  p->n = 0;
  p->cur_group = -1;
  p->want.row = -1;
  while (old_row >= 0) {
    int end = old_row;
    while (old_row >= 0 && row_continues(t, old_row))
      old_row--;
    if (old_row < 0)
      return PLAN_REFUSE; /* libvterm would read row -1 */
    int start = old_row;
    long width = 0;
    for (int r = start; r <= end; r++)
      width += r < t->rows - 1 && row_continues(t, r + 1) ? t->cols
                                                          : row_popcount(t, r);
    if (final_blank == new_row + 1 && width == 0)
      final_blank = new_row;
    int height = width ? (int)((width + new_cols - 1) / new_cols) : 1;
    int new_start = new_row - height + 1;
    if (new_start < 0 && (new_cur == -1 || new_cur - new_start < new_rows)) {
      int down = -new_start < new_rows - final_blank ? -new_start
                                                     : new_rows - final_blank;
      new_row += down;
      new_start += down;
      if (new_cur >= 0)
        new_cur += down;
      final_blank += down;
    }
    if (new_start < 0) {
      *cut_end = end;
      return cur.row > end ? PLAN_CUT : PLAN_REFUSE;
    }
    if (cur.row >= start && cur.row <= end) {
      long off = (long)(cur.row - start) * t->cols + cur.col;
      new_cur = new_start + (off / new_cols < height - 1 ? (int)(off / new_cols)
                                                         : height - 1);
      p->cur_group = n; /* counted bottom up for now */
      p->cur_off = off;
    }
    groups[n].start = start;
    groups[n].end = end;
    groups[n].height = height;
    n++;
    old_row = start - 1;
    new_row = new_start - 1;
  }
  for (int i = 0; i < n / 2; i++) { /* top down */
    struct ReflowGroup g = groups[i];
    groups[i] = groups[n - 1 - i];
    groups[n - 1 - i] = g;
  }
  p->n = n;
  if (p->cur_group >= 0)
    p->cur_group = n - 1 - p->cur_group;
  return PLAN_FITS;
}

/* Scrolls the top N rows into scrollback and the cursor up with them,
 * as a program's SU would, when the scroll region is the whole screen. */
static bool scroll_out(Term *t, int n) {
  int top, bottom;
  if (!screen_scroll_region(t, &top, &bottom) || top != 0 ||
      bottom != t->rows - 1)
    return false;
  char seq[32];
  int len = snprintf(seq, sizeof seq, "\x1b[%dS\x1b[%dA", n, n);
  screen_snapshot_continuations(t);
  vterm_input_write(t->vt, seq, (size_t)len);
  t->use_snapshot = false;
  vterm_screen_flush_damage(t->screen);
  return true;
}

void reflow_clean_top(Term *t) {
  /* libvterm hands out its own row flags, const only by declaration. */
  VTermLineInfo *top = (VTermLineInfo *)vterm_state_get_lineinfo(t->state, 0);
  if (top)
    top->continuation = 0;
}

static void plan_free(struct ReflowPlan *p) {
  if (p)
    free(p->groups);
  free(p);
}

bool reflow_prepare(Term *t, int rows, int cols) {
  t->reflowing = false;
  if (t->reflow && !t->altscreen && cols != t->cols) {
    reflow_clean_top(t); /* a line in scrollback continued here */
    struct ReflowPlan *p = calloc(1, sizeof *p);
    if (p)
      p->groups = calloc((size_t)t->rows, sizeof *p->groups);
    if (!p || !p->groups) {
      plan_free(p);
      vterm_screen_enable_reflow(t->screen, false);
      return false;
    }
    int cut_end = -1;
    PlanResult r = plan(t, rows, cols, p, &cut_end);
    if (r == PLAN_CUT && scroll_out(t, cut_end + 1))
      r = plan(t, rows, cols, p, &cut_end);
    if (r == PLAN_FITS) {
      t->reflow_plan = p;
      t->reflowing = true;
    } else {
      plan_free(p);
    }
  }
  vterm_screen_enable_reflow(t->screen, t->reflowing);
  return true;
}

/* Moves the prompt column of old row J (in G, whose new rows start at
 * FIRST) to where its cell went. */
/* The link spans of old row J of line G go where its cells went: the
 * line's cells are laid out again NEW_COLS to a row from row FIRST.  (A
 * wide character that no longer fits at a row's end moves to the next row
 * in libvterm, one cell further than this counts.) */
static void move_links(Term *t, RowInfo *info, const struct ReflowGroup *g,
                       int j, int first, int new_rows, int new_cols) {
  const RowLinks *rl = t->row_info[j].links;
  for (int k = 0; rl && k < rl->n; k++) {
    long base = (long)(j - g->start) * t->cols;
    long s = base + rl->spans[k].start, e = base + rl->spans[k].end;
    while (s < e) {
      long row = s / new_cols, row_end = (row + 1) * new_cols;
      long piece = e < row_end ? e : row_end;
      if (row >= g->height || first + row >= new_rows)
        return;
      if (!link_add_span(&info[first + row].links, (int)(s - row * new_cols),
                         (int)(piece - row * new_cols), rl->spans[k].link)) {
        t->oom = true;
        return;
      }
      s = piece;
    }
  }
}

static void move_prompt(Term *t, RowInfo *info, const struct ReflowGroup *g,
                        int j, int first, int new_rows, int new_cols) {
  int col = t->row_info[j].prompt_col;
  if (col < 0)
    return;
  long off = (long)(j - g->start) * t->cols + col;
  long row = first + off / new_cols;
  if (row < first + g->height && row < new_rows) {
    info[row].prompt_col = (int)(off % new_cols);
    info[row].has_status = t->row_info[j].has_status; /* OSC 133;D */
    info[row].status = t->row_info[j].status;
  }
}

/* The directory of the line G: its last row's, the newest. */
static const char *group_dir(const Term *t, const struct ReflowGroup *g) {
  for (int j = g->end; j >= g->start; j--)
    if (t->row_info[j].dir)
      return t->row_info[j].dir;
  return NULL;
}

int reflow_row_info(Term *t, RowInfo *info, int first, int new_rows,
                    int new_cols) {
  struct ReflowPlan *p = t->reflow_plan;
  int r = first;
  for (int k = 0; k < p->n && r < new_rows; k++) {
    const struct ReflowGroup *g = &p->groups[k];
    const char *dir = group_dir(t, g);
    for (int i = 0; i < g->height && r + i < new_rows; i++) {
      row_info_blank(&t->alloc, &info[r + i], dir);
      info[r + i].continuation = i > 0;
    }
    for (int j = g->start; j <= g->end; j++) {
      move_prompt(t, info, g, j, r, new_rows, new_cols);
      move_links(t, info, g, j, r, new_rows, new_cols);
    }
    if (k == p->cur_group) {
      long row = p->cur_off / new_cols;
      if (row > g->height - 1)
        row = g->height - 1;
      long col = p->cur_off - row * new_cols;
      p->want.row = r + (int)row < new_rows ? r + (int)row : new_rows - 1;
      p->want.col = col < new_cols ? (int)col : new_cols - 1;
    }
    r += g->height;
  }
  for (int i = 0; i < t->rows; i++)
    row_info_clear(&t->alloc, &t->row_info[i]);
  t->rows_pushed = t->rows; /* all taken: the caller keeps none */
  return r < new_rows ? r : new_rows;
}

void reflow_finish(Term *t) {
  struct ReflowPlan *p = t->reflow_plan;
  if (p && p->want.row >= 0) {
    VTermPos now;
    vterm_state_get_cursorpos(t->state, &now);
    if (now.row != p->want.row || now.col != p->want.col) {
      char seq[32];
      int n = snprintf(seq, sizeof seq, "\x1b[%d;%dH", p->want.row + 1,
                       p->want.col + 1);
      vterm_input_write(t->vt, seq, (size_t)n);
    }
  }
  plan_free(p);
  t->reflow_plan = NULL;
  t->reflowing = false;
}

#else /* libvterm 0.1: no reflow */

void reflow_clean_top(Term *t) { (void)t; }

bool reflow_supported(void) { return false; }

bool reflow_set(Term *t, bool on) {
  (void)t;
  (void)on;
  return false;
}

bool reflow_prepare(Term *t, int rows, int cols) {
  (void)rows;
  (void)cols;
  t->reflowing = false;
  return true;
}

int reflow_row_info(Term *t, RowInfo *info, int first, int new_rows,
                    int new_cols) {
  (void)t;
  (void)info;
  (void)new_rows;
  (void)new_cols;
  return first;
}

void reflow_finish(Term *t) { t->reflowing = false; }

#endif
