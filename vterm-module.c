/* vterm-module.c - Emacs dynamic module: a libvterm terminal in a buffer.
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
#include "vterm-module.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <io.h>
#else
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>
#endif

#include "elisp.h"
#include "utf8.h"

/* The two symbols Emacs looks up; everything else stays hidden. */
#if defined _WIN32 || defined __CYGWIN__
#define VTERM_EXPORT __declspec(dllexport)
#elif defined __GNUC__
#define VTERM_EXPORT __attribute__((visibility("default")))
#else
#define VTERM_EXPORT
#endif

VTERM_EXPORT int plugin_is_GPL_compatible;

/* ===== Small helpers ===================================================== */

/* Makes room for EXTRA more bytes in B.  Returns false if memory ran out. */
static bool buf_reserve(Buf *b, size_t extra) {
  if (extra > SIZE_MAX - b->len)
    return false;
  size_t need = b->len + extra;
  if (need <= b->cap)
    return true;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < need)
    cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  char *data = b->temp ? talloc_temp(b->temp, cap) : NULL;
  if (data) { /* the old copy stays in the arena until the next reset */
    if (b->len)
      memcpy(data, b->data, b->len);
  } else {
    if (b->temp && b->data) { /* arena exhausted: move to malloc */
      char *heap = malloc(cap);
      if (!heap)
        return false;
      memcpy(heap, b->data, b->len);
      b->data = heap;
      b->temp = NULL;
      b->cap = cap;
      return true;
    }
    b->temp = NULL;
    data = realloc(b->data, cap);
    if (!data)
      return false;
  }
  b->data = data;
  b->cap = cap;
  return true;
}

static bool buf_append(Buf *b, const void *p, size_t n) {
  if (!buf_reserve(b, n))
    return false;
  memcpy(b->data + b->len, p, n);
  b->len += n;
  return true;
}

/* Forgets B's storage: frees it if it is malloc'd; arena storage goes with
 * the arena's next reset.  TEMP is where it grows from now on. */
static void buf_release(Buf *b, TermAlloc *temp) {
  if (!b->temp)
    free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
  b->temp = temp;
}

/* Releases malloc'd scratch memory grown by an unusually large redraw. */
static void buf_trim(Buf *b, size_t keep) {
  b->len = 0;
  if (!b->temp && b->cap > keep)
    buf_release(b, NULL);
}

static void buf_free(Buf *b) { buf_release(b, NULL); }

static char *copy_bytes(const char *p, size_t n) {
  char *s = malloc(n + 1);
  if (s) {
    memcpy(s, p, n);
    s[n] = '\0';
  }
  return s;
}

/* ===== Fault injection (tests) ============================================
 * Built with VTERM_FAULT_INJECTION, vterm--inject-fault arms one of these
 * allocation sites to fail once, so the out-of-memory paths can be tested
 * end to end.  Otherwise fault_hit is constant false. */

enum { FAULT_ROW_INFO = 1, FAULT_SB_RING = 2 };

#ifdef VTERM_FAULT_INJECTION
static unsigned fault_armed;
static bool fault_hit(unsigned fault) {
  bool hit = (fault_armed & fault) != 0;
  fault_armed &= ~fault;
  return hit;
}
#else
#define fault_hit(fault) false
#endif

/* ===== Colours and styles ================================================ */

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

static uint32_t pack_color(const VTermColor *c) {
  if (VTERM_COLOR_IS_DEFAULT_FG(c))
    return (uint32_t)COLOR_DEFAULT_FG << 24;
  if (VTERM_COLOR_IS_DEFAULT_BG(c))
    return (uint32_t)COLOR_DEFAULT_BG << 24;
  if (VTERM_COLOR_IS_INDEXED(c))
    return (uint32_t)COLOR_INDEXED << 24 | c->indexed.idx;
  return (uint32_t)COLOR_RGB << 24 | (uint32_t)c->rgb.red << 16 |
         (uint32_t)c->rgb.green << 8 | c->rgb.blue;
}

static void unpack_color(const Term *t, uint32_t packed, VTermColor *out) {
  VTermColor fg, bg;
  switch (COLOR_TAG(packed)) {
  case COLOR_DEFAULT_FG:
  case COLOR_DEFAULT_BG:
    vterm_state_get_default_colors(t->state, &fg, &bg);
    *out = COLOR_TAG(packed) == COLOR_DEFAULT_FG ? fg : bg;
    break;
  case COLOR_INDEXED:
    vterm_color_indexed(out, (uint8_t)(packed & 0xFF));
    break;
  default:
    vterm_color_rgb(out, (uint8_t)(packed >> 16), (uint8_t)(packed >> 8),
                    (uint8_t)packed);
  }
}

static CellStyle style_of(const VTermScreenCell *c) {
  CellStyle s;
  s.fg = pack_color(&c->fg);
  s.bg = pack_color(&c->bg);
  s.flags = (c->attrs.bold ? STYLE_BOLD : 0) |
            (uint32_t)c->attrs.underline << STYLE_UNDERLINE_SHIFT |
            (c->attrs.italic ? STYLE_ITALIC : 0) |
            (c->attrs.blink ? STYLE_BLINK : 0) |
            (c->attrs.reverse ? STYLE_REVERSE : 0) |
            (c->attrs.strike ? STYLE_STRIKE : 0) |
            (uint32_t)c->attrs.font << STYLE_FONT_SHIFT;
  return s;
}

static void style_apply(const Term *t, CellStyle s, VTermScreenCell *c) {
  unpack_color(t, s.fg, &c->fg);
  unpack_color(t, s.bg, &c->bg);
  c->attrs.bold = (s.flags & STYLE_BOLD) != 0;
  c->attrs.underline = STYLE_UNDERLINE(s.flags);
  c->attrs.italic = (s.flags & STYLE_ITALIC) != 0;
  c->attrs.blink = (s.flags & STYLE_BLINK) != 0;
  c->attrs.reverse = (s.flags & STYLE_REVERSE) != 0;
  c->attrs.strike = (s.flags & STYLE_STRIKE) != 0;
  c->attrs.font = (s.flags >> STYLE_FONT_SHIFT) & 15u;
}

/* ===== Row info ============================================================
 */

static void row_info_clear(Term *t, RowInfo *r) {
  talloc_string_unref(&t->alloc, r->dir);
  r->dir = NULL;
  r->prompt_col = -1;
  r->continuation = false;
}

/* A row new on the screen: no prompt, the directory DIR (borrowed). */
static void row_info_blank(Term *t, RowInfo *r, const char *dir) {
  r->dir = talloc_string_ref(&t->alloc, dir);
  r->prompt_col = -1;
  r->continuation = false;
}

/* ===== Compact lines ====================================================== */

/* Cell encoding in Line.chars: 0 is blank, CELL_WIDE_RIGHT the right half of
 * a wide character, otherwise a code point with CELL_WIDE set for width 2. */
#define CELL_WIDE_RIGHT 0xFFFFFFFFu
#define CELL_WIDE 0x40000000u
#define CELL_CODEPOINT(c) ((c)&0x1FFFFFu)

/* Encodes N libvterm cells into T's scratch line OUT.  Returns false if
 * memory ran out. */
static bool line_encode(Term *t, const VTermScreenCell *cells, int n,
                        Line *out) {
  int used = n;
  while (used > 0 && cells[used - 1].chars[0] == 0)
    used--;
  t->scratch_chars.len = t->scratch_runs.len = t->scratch_extra.len = 0;
  if (!buf_reserve(&t->scratch_chars, (size_t)used * sizeof(uint32_t)) ||
      !buf_reserve(&t->scratch_runs, (size_t)(used + 1) * sizeof(StyleRun)))
    return false;
  uint32_t *chars = (uint32_t *)(void *)t->scratch_chars.data;
  StyleRun *runs = (StyleRun *)(void *)t->scratch_runs.data;
  int nruns = 0, nextra = 0;
  for (int i = 0; i < used; i++) {
    const VTermScreenCell *c = &cells[i];
    uint32_t ch = c->chars[0];
    if (ch != CELL_WIDE_RIGHT && ch != 0) {
      ch = CELL_CODEPOINT(ch) | (c->width == 2 ? CELL_WIDE : 0);
      if (c->chars[1] != 0) {
        ExtraChars x;
        memset(&x, 0, sizeof x);
        x.cell = i;
        for (int k = 1; k < VTERM_MAX_CHARS_PER_CELL && c->chars[k]; k++)
          x.chars[k - 1] = c->chars[k];
        if (!buf_append(&t->scratch_extra, &x, sizeof x))
          return false;
        nextra++;
      }
    }
    chars[i] = ch;
    CellStyle s = style_of(c);
    if (nruns == 0 || memcmp(&runs[nruns - 1].style, &s, sizeof s) != 0) {
      runs[nruns].start = i;
      runs[nruns].style = s;
      nruns++;
    }
  }
  memset(out, 0, sizeof *out);
  out->cols = n;
  out->ncells = used;
  out->nruns = nruns;
  out->nextra = nextra;
  out->chars = chars;
  out->runs = runs;
  out->extra = (ExtraChars *)(void *)t->scratch_extra.data;
  out->info.prompt_col = -1;
  return true;
}

/* memcpy that accepts an empty (possibly NULL) source. */
static void copy_n(void *dst, const void *src, size_t n) {
  if (n > 0)
    memcpy(dst, src, n);
}

/* Copies a scratch line into one record. */
static Line *line_copy(Term *t, const Line *src) {
  size_t chars = (size_t)src->ncells * sizeof(uint32_t);
  size_t runs = (size_t)src->nruns * sizeof(StyleRun);
  size_t extra = (size_t)src->nextra * sizeof(ExtraChars);
  int8_t origin;
  Line *l = talloc_record(&t->alloc, sizeof *l + chars + runs + extra, &origin);
  if (!l)
    return NULL;
  *l = *src;
  l->origin = origin;
  char *p = (char *)(l + 1);
  l->chars = (uint32_t *)(void *)p;
  copy_n(l->chars, src->chars, chars);
  l->runs = (StyleRun *)(void *)(p + chars);
  copy_n(l->runs, src->runs, runs);
  l->extra = (ExtraChars *)(void *)(p + chars + runs);
  copy_n(l->extra, src->extra, extra);
  return l;
}

static void line_free(Term *t, Line *l) {
  if (l) {
    row_info_clear(t, &l->info);
    talloc_record_free(&t->alloc, l, l->origin);
  }
}

/* Decodes L back into N libvterm cells (for sb_popline). */
static void line_decode(const Term *t, const Line *l, VTermScreenCell *cells,
                        int n) {
  int run = 0, extra = 0;
  CellStyle blank_style = {(uint32_t)COLOR_DEFAULT_FG << 24,
                           (uint32_t)COLOR_DEFAULT_BG << 24, 0};
  for (int i = 0; i < n; i++) {
    VTermScreenCell *c = &cells[i];
    memset(c, 0, sizeof *c);
    c->width = 1;
    if (i >= l->ncells) {
      style_apply(t, blank_style, c);
      continue;
    }
    while (run + 1 < l->nruns && l->runs[run + 1].start <= i)
      run++;
    style_apply(t, l->nruns ? l->runs[run].style : blank_style, c);
    uint32_t ch = l->chars[i];
    if (ch == CELL_WIDE_RIGHT || ch == 0) {
      c->chars[0] = ch;
      continue;
    }
    if ((ch & CELL_WIDE) && i == n - 1)
      continue; /* cut in half by the row's end: libvterm 0.1.4 would mark
                   a continuation cell past the row */
    c->chars[0] = CELL_CODEPOINT(ch);
    c->width = (ch & CELL_WIDE) ? 2 : 1;
    if (extra < l->nextra && l->extra[extra].cell == i) {
      for (int k = 0; k < VTERM_MAX_CHARS_PER_CELL - 1; k++)
        c->chars[k + 1] = l->extra[extra].chars[k];
      extra++;
    }
  }
}

/* ===== Scrollback ring ==================================================== */

static int sb_slot(const Term *t, int index) {
  return ((t->sb_head - index) % t->sb_cap + t->sb_cap) % t->sb_cap;
}

static Line *sb_at(const Term *t, int index) {
  return t->sb[sb_slot(t, index)];
}

/* Grows the ring (up to sb_max slots) so one more line fits. */
static bool sb_grow(Term *t) {
  int cap = t->sb_cap ? t->sb_cap * 2 : 64;
  if (cap > t->sb_max)
    cap = t->sb_max;
  Line **ring = fault_hit(FAULT_SB_RING) ? NULL : malloc((size_t)cap * sizeof *ring);
  if (!ring)
    return false;
  for (int i = 0; i < t->sb_count; i++) /* oldest first */
    ring[i] = sb_at(t, t->sb_count - 1 - i);
  free(t->sb);
  t->sb = ring;
  t->sb_cap = cap;
  t->sb_head = t->sb_count - 1;
  return true;
}

/* Keeps a reference to DIR in B, the directory of a line that is still in
 * the buffer but no longer in the ring (see vterm--get-pwd-raw). */
static void remember_dir(Term *t, Buf *b, const char *dir) {
  const char *ref = talloc_string_ref(&t->alloc, dir);
  if (!buf_append(b, &ref, sizeof ref)) {
    talloc_string_unref(&t->alloc, ref);
    t->oom = true;
  }
}

static void forget_dirs(Term *t, Buf *b) {
  const char **dirs = (const char **)(void *)b->data;
  for (size_t i = 0; i < b->len / sizeof *dirs; i++)
    talloc_string_unref(&t->alloc, dirs[i]);
  b->len = 0;
}

/* Drops the oldest line, keeping the buffer bookkeeping right. */
static void sb_evict_oldest(Term *t) {
  int slot = sb_slot(t, t->sb_count - 1);
  if (t->sb_in_buffer > 0) {
    remember_dir(t, &t->evicted_dirs, t->sb[slot]->info.dir);
    t->sb_in_buffer--;
    t->sb_evicted++;
  } else if (t->sb_pending > 0) {
    t->sb_pending--;
  }
  line_free(t, t->sb[slot]);
  t->sb[slot] = NULL;
  t->sb_count--;
}

/* Adds L as the newest line.  Returns false (L not taken) if the ring has
 * no slot at all and cannot get one. */
static bool sb_push(Term *t, Line *l) {
  if (t->sb_count == t->sb_cap && t->sb_cap < t->sb_max && !sb_grow(t))
    t->oom = true; /* evict instead of growing */
  if (t->sb_cap == 0)
    return false;
  if (t->sb_count == t->sb_cap)
    sb_evict_oldest(t);
  t->sb_head = (t->sb_head + 1) % t->sb_cap;
  t->sb[t->sb_head] = l;
  t->sb_count++;
  t->sb_pending++;
  return true;
}

static Line *sb_pop(Term *t) {
  Line *l = t->sb[t->sb_head];
  t->sb[t->sb_head] = NULL;
  t->sb_head = (t->sb_head - 1 + t->sb_cap) % t->sb_cap;
  t->sb_count--;
  if (t->sb_pending > 0) {
    t->sb_pending--;
  } else {
    remember_dir(t, &t->popped_dirs, l->info.dir);
    t->sb_in_buffer--;
    t->sb_popped++;
  }
  return l;
}

static void sb_clear_all(Term *t) {
  while (t->sb_count > 0)
    sb_evict_oldest(t);
  t->sb_pending = 0;
  t->dirty = true;
}

/* ===== Damage bookkeeping ================================================= */

static void invalidate_rows(Term *t, int start, int end) {
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

/* Whether screen ROW continues on the next row. */
static bool row_wraps(const Term *t, int row, const Line *l) {
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

/* ===== libvterm callbacks ================================================= */

static int cb_damage(VTermRect rect, void *user) {
  Term *t = user;
  /* With row merging, libvterm keeps the rows of the first rectangle of a
   * row: an empty one (ED 1 on row 0 erases no whole row first) swallows
   * the real damage that follows, so an empty rectangle means its row. */
  if (rect.end_row <= rect.start_row)
    rect.end_row = rect.start_row + 1;
  invalidate_rows(t, rect.start_row, rect.end_row);
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
  int lost = delta > 0 ? top : bottom + delta; /* first overwritten row */
  int fresh = delta > 0 ? bottom - delta : top; /* first uncovered row */
  int n = delta > 0 ? delta : -delta;
  for (int r = lost; r < lost + n; r++)
    row_info_clear(t, &t->row_info[r]);
  memmove(&t->row_info[dest.start_row], &t->row_info[src.start_row],
          (size_t)height * sizeof *t->row_info);
  for (int r = fresh; r < fresh + n; r++)
    row_info_blank(t, &t->row_info[r], r > 0 ? t->row_info[r - 1].dir : NULL);
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
  }
  invalidate_rows(t, start, end);
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
    t->altscreen = val->boolean;
    invalidate_rows(t, 0, t->rows);
    break;
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
static void snapshot_continuations(Term *t) {
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
  RowInfo info = {NULL, -1, false};
  if (row < t->rows) {
    info = t->row_info[row];
    t->row_info[row].dir = NULL; /* ownership moves to the line */
  }
  Line scratch;
  Line *l = NULL;
  if (t->sb_max > 0 && line_encode(t, cells, cols, &scratch)) {
    scratch.wrapped = pushed_row_wraps(t, row, &scratch);
    scratch.info = info;
    l = line_copy(t, &scratch);
  }
  if (!l && t->sb_max > 0)
    t->oom = true;
  if (!l || !sb_push(t, l)) { /* scrollback off, or out of memory */
    if (l)
      line_free(t, l);
    else
      row_info_clear(t, &info);
    return 0;
  }
  t->dirty = true;
  return 1;
}

static int cb_sb_popline(int cols, VTermScreenCell *cells, void *user) {
  Term *t = user;
  if (t->sb_count == 0)
    return 0;
  Line *l = sb_pop(t);
  line_decode(t, l, cells, cols);
  /* Fvterm_set_size reserved room for every row. */
  if (buf_append(&t->popped_info, &l->info, sizeof l->info))
    l->info.dir = NULL; /* ownership moved to popped_info */
  line_free(t, l);
  t->dirty = true;
  return 1;
}

#ifdef VTERM_HAVE_SB_CLEAR
static int cb_sb_clear(void *user) {
  sb_clear_all(user);
  return 1;
}
#endif

/* Rebuilds row_info for a new height, in the array Fvterm_set_size
 * allocated: lines popped from scrollback come first (the last popped is
 * the oldest), then the old rows that were not pushed, then new rows. */
static void resize_row_info(Term *t, int new_rows) {
  RowInfo *info = t->resize_info;
  RowInfo *popped = (RowInfo *)(void *)t->popped_info.data;
  int npopped = (int)(t->popped_info.len / sizeof *popped);
  int r = 0;
  for (int i = npopped - 1; i >= 0 && r < new_rows; i--)
    info[r++] = popped[i], popped[i].dir = NULL;
  for (int i = 0; i < t->rows; i++) {
    if (r < new_rows && i >= t->rows_pushed)
      info[r++] = t->row_info[i];
    else
      row_info_clear(t, &t->row_info[i]);
  }
  for (; r < new_rows; r++)
    row_info_blank(t, &info[r], r > 0 ? info[r - 1].dir : NULL);
  for (int i = 0; i < npopped; i++)
    row_info_clear(t, &popped[i]);
  t->popped_info.len = 0;
  t->rows_pushed = 0;
  free(t->row_info);
  t->row_info = info;
  t->resize_info = NULL;
}

static int cb_resize(int rows, int cols, void *user) {
  Term *t = user;
  resize_row_info(t, rows);
  t->rows = rows;
  t->cols = cols;
  invalidate_rows(t, 0, rows);
  return 1;
}

static VTermScreenCallbacks screen_callbacks = {
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

static void cb_output(const char *bytes, size_t len, void *user) {
  Term *t = user;
  if (t->output.len + len > (size_t)TERM_OUTPUT_LIMIT ||
      !buf_append(&t->output, bytes, len))
    t->output_dropped += len;
}

/* ===== OSC sequences (from the stream guard) ============================= */

static void osc_title(Term *t, const char *payload, size_t len) {
  char *title = copy_bytes(payload, len);
  if (!title)
    return;
  free(t->title);
  t->title = title;
  t->title_len = len;
  t->dirty = true;
}

/* OSC 51;A: the directory of the prompt just printed.  Rows from the cursor
 * down get it; the cursor row remembers where the prompt ended. */
static void osc_directory(Term *t, const char *path, size_t len) {
  if (len == 0)
    return; /* an empty directory is ignored (upstream quirk Q6) */
  VTermPos pos;
  vterm_state_get_cursorpos(t->state, &pos);
  const char *d = talloc_string(&t->alloc, path, len);
  char *raw = copy_bytes(path, len);
  if (!d || !raw) {
    talloc_string_unref(&t->alloc, d);
    free(raw);
    return;
  }
  for (int r = pos.row; r >= 0 && r < t->rows; r++) {
    talloc_string_unref(&t->alloc, t->row_info[r].dir);
    t->row_info[r].dir = talloc_string_ref(&t->alloc, d);
  }
  if (pos.row >= 0 && pos.row < t->rows)
    t->row_info[pos.row].prompt_col = pos.col;
  talloc_string_unref(&t->alloc, d);
  free(t->directory);
  t->directory = raw;
  t->directory_len = len;
  invalidate_rows(t, pos.row, pos.row + 1);
}

static void osc_eval(Term *t, const char *code, size_t len) {
  if (t->eval_count >= TERM_EVAL_LIMIT) {
    t->dropped_evals++;
    t->dirty = true;
    return;
  }
  int8_t origin;
  EvalNode *n = talloc_record(&t->alloc, sizeof *n, &origin);
  const char *text = n ? talloc_string(&t->alloc, code, len) : NULL;
  if (!text) {
    talloc_record_free(&t->alloc, n, n ? origin : ALLOC_MALLOC);
    return;
  }
  n->next = NULL;
  n->code = text;
  n->origin = origin;
  if (t->eval_tail)
    t->eval_tail->next = n;
  else
    t->eval_head = n;
  t->eval_tail = n;
  t->eval_count++;
  t->dirty = true;
}

static int base64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

/* Decodes base64 IN into OUT (room for LEN bytes); stops at '=' or at a
 * character outside the alphabet.  Returns the decoded length. */
static size_t base64_decode(const char *in, size_t len, char *out) {
  uint32_t acc = 0;
  int bits = 0;
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    int v = base64_value((unsigned char)in[i]);
    if (v < 0)
      break;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (char)((acc >> bits) & 0xFF);
    }
  }
  return n;
}

/* OSC 52;TARGETS;BASE64: set a selection (queries "?" are ignored). */
static void osc_selection(Term *t, const char *payload, size_t len) {
  const char *semi = memchr(payload, ';', len);
  if (!semi)
    return;
  size_t ntargets = (size_t)(semi - payload);
  const char *data = semi + 1;
  size_t ndata = len - ntargets - 1;
  if (ndata == 1 && data[0] == '?')
    return;
  int mask = 0;
  for (size_t i = 0; i < ntargets; i++) {
    char c = payload[i];
    if (c == 'c')
      mask |= 1;
    else if (c == 'p')
      mask |= 2;
    else if (c == 'q')
      mask |= 4;
    else if (c == 's')
      mask |= 8;
    else if (c >= '0' && c <= '7')
      mask |= 16 << (c - '0');
  }
  if (ntargets == 0)
    mask = 8 | 16; /* "s0", as xterm and libvterm read an empty list */
  char *decoded = malloc(ndata + 1);
  if (!decoded)
    return;
  size_t n = base64_decode(data, ndata, decoded);
  free(t->selection);
  t->selection = decoded;
  t->selection_len = n;
  t->selection_mask = mask;
  t->dirty = true;
}

static void sink_osc(void *user, long command, const char *payload,
                     size_t len) {
  Term *t = user;
  switch (command) {
  case 0: /* icon name and title */
  case 2: /* title */
    osc_title(t, payload, len);
    break;
  case 51: /* vterm's own protocol: A directory + prompt, E eval */
    if (len >= 1 && payload[0] == 'A')
      osc_directory(t, payload + 1, len - 1);
    else if (len >= 1 && payload[0] == 'E')
      osc_eval(t, payload + 1, len - 1);
    break;
  case 52: /* selection */
    osc_selection(t, payload, len);
    break;
  default: /* OSC 1 (icon), 7, 8, 133, ...: ignored */
    break;
  }
}

static void sink_dropped(void *user, const char *kind, long command,
                         size_t len) {
  Term *t = user;
  (void)kind;
  (void)command;
  t->dropped_sequences++;
  t->dropped_bytes += len;
  t->dirty = true;
}

/* ===== Writing into libvterm ============================================= */

/* Combining marks (Unicode categories Mn and Me, the zero-width joiners and
 * the variation selectors): code points libvterm joins to the glyph before
 * them.  Ranges, sorted. */
static const struct {
  uint32_t first, last;
} combining_ranges[] = {
    {0x0300, 0x036F},   {0x0483, 0x0489},   {0x0591, 0x05BD},
    {0x05BF, 0x05BF},   {0x05C1, 0x05C2},   {0x05C4, 0x05C5},
    {0x05C7, 0x05C7},   {0x0610, 0x061A},   {0x064B, 0x065F},
    {0x0670, 0x0670},   {0x06D6, 0x06DC},   {0x06DF, 0x06E4},
    {0x06E7, 0x06E8},   {0x06EA, 0x06ED},   {0x0711, 0x0711},
    {0x0730, 0x074A},   {0x07A6, 0x07B0},   {0x07EB, 0x07F3},
    {0x0816, 0x082D},   {0x0859, 0x085B},   {0x08D3, 0x0902},
    {0x093A, 0x093A},   {0x093C, 0x093C},   {0x0941, 0x0948},
    {0x094D, 0x094D},   {0x0951, 0x0957},   {0x0962, 0x0963},
    {0x0981, 0x0981},   {0x09BC, 0x09BC},   {0x09C1, 0x09C4},
    {0x09CD, 0x09CD},   {0x09E2, 0x09E3},   {0x0A01, 0x0A02},
    {0x0A3C, 0x0A3C},   {0x0A41, 0x0A51},   {0x0A70, 0x0A71},
    {0x0A75, 0x0A75},   {0x0A81, 0x0A82},   {0x0ABC, 0x0ABC},
    {0x0AC1, 0x0AC8},   {0x0ACD, 0x0ACD},   {0x0B01, 0x0B01},
    {0x0B3C, 0x0B3C},   {0x0B3F, 0x0B3F},   {0x0B41, 0x0B44},
    {0x0B4D, 0x0B4D},   {0x0BC0, 0x0BC0},   {0x0BCD, 0x0BCD},
    {0x0C3E, 0x0C40},   {0x0C46, 0x0C56},   {0x0CBC, 0x0CBC},
    {0x0CCC, 0x0CCD},   {0x0D41, 0x0D44},   {0x0D4D, 0x0D4D},
    {0x0DCA, 0x0DCA},   {0x0DD2, 0x0DD6},   {0x0E31, 0x0E31},
    {0x0E34, 0x0E3A},   {0x0E47, 0x0E4E},   {0x0EB1, 0x0EB1},
    {0x0EB4, 0x0EBC},   {0x0EC8, 0x0ECD},   {0x0F18, 0x0F19},
    {0x0F35, 0x0F35},   {0x0F37, 0x0F37},   {0x0F39, 0x0F39},
    {0x0F71, 0x0F7E},   {0x0F80, 0x0F84},   {0x0F86, 0x0F87},
    {0x0F8D, 0x0FBC},   {0x0FC6, 0x0FC6},   {0x102D, 0x1030},
    {0x1032, 0x1037},   {0x1039, 0x103A},   {0x1058, 0x1059},
    {0x1160, 0x11FF},   {0x135D, 0x135F},   {0x1712, 0x1714},
    {0x1732, 0x1734},   {0x1752, 0x1753},   {0x1772, 0x1773},
    {0x17B4, 0x17B5},   {0x17B7, 0x17BD},   {0x17C6, 0x17C6},
    {0x17C9, 0x17D3},   {0x17DD, 0x17DD},   {0x180B, 0x180D},
    {0x18A9, 0x18A9},   {0x1920, 0x1922},   {0x1927, 0x1928},
    {0x1932, 0x1932},   {0x1939, 0x193B},   {0x1A17, 0x1A18},
    {0x1AB0, 0x1AFF},   {0x1B00, 0x1B03},   {0x1B34, 0x1B34},
    {0x1B36, 0x1B3A},   {0x1B6B, 0x1B73},   {0x1DC0, 0x1DFF},
    {0x200B, 0x200F},   {0x202A, 0x202E},   {0x2060, 0x2064},
    {0x20D0, 0x20F0},   {0x302A, 0x302D},   {0x3099, 0x309A},
    {0xA66F, 0xA672},   {0xA674, 0xA67D},   {0xA69E, 0xA69F},
    {0xA6F0, 0xA6F1},   {0xA802, 0xA802},   {0xA806, 0xA806},
    {0xA80B, 0xA80B},   {0xA825, 0xA826},   {0xA8C4, 0xA8C5},
    {0xA8E0, 0xA8F1},   {0xFB1E, 0xFB1E},   {0xFE00, 0xFE0F},
    {0xFE20, 0xFE2F},   {0xFEFF, 0xFEFF},   {0x1D167, 0x1D169},
    {0x1D17B, 0x1D182}, {0x1D185, 0x1D18B}, {0x1D1AA, 0x1D1AD},
    {0xE0001, 0xE0001}, {0xE0020, 0xE007F}, {0xE0100, 0xE01EF},
};

static bool is_combining(uint32_t cp) {
  size_t lo = 0, hi = sizeof combining_ranges / sizeof combining_ranges[0];
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (cp < combining_ranges[mid].first)
      hi = mid;
    else if (cp > combining_ranges[mid].last)
      lo = mid + 1;
    else
      return true;
  }
  return false;
}

/* Length of the leading combining marks of BYTES (valid UTF-8: the stream
 * guard never ends a write inside a character). */
static size_t leading_marks(const char *bytes, size_t len) {
  size_t at = 0;
  while (at < len) {
    Utf8Decoder d = {0, 0, 0, 0};
    uint32_t cps[2];
    size_t i = at;
    int n = 0;
    while (i < len && n == 0)
      n = utf8_decode_byte(&d, (unsigned char)bytes[i++], cps);
    if (n != 1 || !is_combining(cps[0]))
      break;
    at = i;
  }
  return at;
}

/* libvterm joins a combining mark to the glyph before it only while the
 * cursor is just past that glyph.  A glyph that ends at the right edge keeps
 * the cursor on itself (pending wrap), so a mark arriving in a later write
 * is dropped, or lands on the next row.  This writes the glyph again with
 * the marks, from its own cell: nothing but text came since, so the pen is
 * the same, and libvterm ends in the same pending wrap.  Returns the bytes
 * of BYTES used. */
static size_t rejoin_combining(Term *t, const char *bytes, size_t len) {
  VTermPos pos;
  vterm_state_get_cursorpos(t->state, &pos);
  if (!t->glyph_at_edge || pos.row != t->edge_pos.row ||
      pos.col != t->edge_pos.col)
    return 0;
  size_t marks = leading_marks(bytes, len);
  VTermScreenCell cell;
  memset(&cell, 0, sizeof cell);
  vterm_screen_get_cell(t->screen, pos, &cell);
  if (marks == 0 || cell.chars[0] == 0 || cell.chars[0] == CELL_WIDE_RIGHT)
    return 0;
  if (pos.col == 0)
    return 0; /* a wide glyph filling a 2-column row: left alone */
  /* Back onto the glyph with the pending wrap cancelled.  Control
   * characters, not CSI moves: in origin mode libvterm clamps the cursor
   * into the margins after every CSI, and it may sit outside them.  BS
   * leaves the glyph's column, HT comes back to the last column (no tab
   * stop lies between), BS again for a wide glyph. */
  vterm_input_write(t->vt, "\b\t", 2);
  VTermPos now;
  vterm_state_get_cursorpos(t->state, &now);
  for (int col = now.col; col > pos.col; col--)
    vterm_input_write(t->vt, "\b", 1);
  char glyph[256]; /* the cell's characters, then the marks */
  size_t n = 0;
  for (int k = 0; k < VTERM_MAX_CHARS_PER_CELL && cell.chars[k]; k++)
    n += utf8_encode(cell.chars[k], glyph + n);
  /* One write: libvterm only joins marks written with their base.  A cell
   * holds a few marks at most; any beyond the buffer are dropped. */
  size_t room = sizeof glyph - n;
  size_t copied = marks <= room ? marks : room;
  while (copied > 0 && copied < marks &&
         ((unsigned char)bytes[copied] & 0xC0) == 0x80)
    copied--; /* whole characters only */
  memcpy(glyph + n, bytes, copied);
  vterm_input_write(t->vt, glyph, n + copied);
  return marks;
}

/* libvterm leaves the cursor outside a screen that shrank, or restores a
 * saved cursor (DECRC, ?1049l) that is outside it now; 0.1.4 then crashes
 * on the next edit, 0.3.3 aborts on the next resize.  Any CSI libvterm
 * knows ends by clamping the cursor (into the margins in origin mode); an
 * unknown DEC mode is such a CSI that changes nothing else, so the saved
 * cursor, origin mode and a pending wrap stay untouched.  Only a cursor
 * actually out of range is clamped. */
static void clamp_cursor(Term *t) {
  VTermPos pos;
  vterm_state_get_cursorpos(t->state, &pos);
  if (pos.row < 0 || pos.row >= t->rows || pos.col < 0 || pos.col >= t->cols)
    vterm_input_write(t->vt, "\x1b[?0h", 5);
}

/* Start of the last glyph of text BYTES (its base character and the marks
 * after it), or LEN when the text does not end with a printable one. */
static size_t last_glyph_start(const char *bytes, size_t len) {
  size_t end = len;
  while (end > 0) {
    size_t start = end - 1;
    while (start > 0 && ((unsigned char)bytes[start] & 0xC0) == 0x80)
      start--;
    Utf8Decoder d = {0, 0, 0, 0};
    uint32_t cps[2] = {0, 0};
    int n = 0;
    for (size_t i = start; i < end; i++)
      n = utf8_decode_byte(&d, (unsigned char)bytes[i], cps);
    if (n != 1 || cps[0] < 0x20 || cps[0] == 0x7F)
      return len;
    if (!is_combining(cps[0]))
      return start;
    end = start;
  }
  return len;
}

/* Whether a CSI (canonical, from the guard) can push several rows to
 * scrollback at once: SU and DL. */
static bool csi_pushes_rows(const char *bytes, size_t len) {
  return len >= 3 && bytes[1] == '[' &&
         (bytes[len - 1] == 'S' || bytes[len - 1] == 'M');
}

/* Whether the cursor sits on a glyph that ends at the right edge. */
/* Whether the cursor sits on a glyph that ends at the right edge and whose
 * first character is BASE (0: any). */
static bool cursor_on_edge_glyph(Term *t, VTermPos *pos, uint32_t base) {
  vterm_state_get_cursorpos(t->state, pos);
  if (pos->row < 0 || pos->row >= t->rows || pos->col < 0)
    return false;
  VTermScreenCell cell;
  memset(&cell, 0, sizeof cell);
  vterm_screen_get_cell(t->screen, *pos, &cell);
  return cell.chars[0] != 0 && cell.chars[0] != CELL_WIDE_RIGHT &&
         (base == 0 || cell.chars[0] == base) &&
         pos->col + cell.width == t->cols;
}

/* The first code point of valid UTF-8 BYTES. */
static uint32_t first_codepoint(const char *bytes, size_t len) {
  Utf8Decoder d = {0, 0, 0, 0};
  uint32_t cps[2] = {0, 0};
  for (size_t i = 0; i < len; i++)
    if (utf8_decode_byte(&d, (unsigned char)bytes[i], cps) > 0)
      break;
  return cps[0];
}

/* Text for libvterm.  Its last glyph goes in a write of its own: if the
 * cursor stays where that glyph went, the glyph ended at the right edge
 * and a wrap is pending (libvterm does not say so otherwise). */
static void term_write_text(Term *t, const char *bytes, size_t len) {
  size_t used = rejoin_combining(t, bytes, len);
  if (used == len) { /* marks only: the edge glyph was printed again */
    t->glyph_at_edge = cursor_on_edge_glyph(t, &t->edge_pos, 0);
    return;
  }
  bytes += used;
  len -= used;
  size_t last = last_glyph_start(bytes, len);
  if (last > 0)
    vterm_input_write(t->vt, bytes, last);
  VTermPos before, after;
  vterm_state_get_cursorpos(t->state, &before);
  if (last < len)
    vterm_input_write(t->vt, bytes + last, len - last);
  vterm_state_get_cursorpos(t->state, &after);
  /* A wrap that cannot scroll (below the margins) can also bring the
   * cursor back to where it was: the glyph there must be this one. */
  t->glyph_at_edge =
      last < len && before.row == after.row && before.col == after.col &&
      cursor_on_edge_glyph(t, &t->edge_pos,
                           first_codepoint(bytes + last, len - last));
}

/* One write of the stream guard: text, or one whole sequence. */
static void term_write(Term *t, const char *bytes, size_t len) {
  if (bytes[0] != '\x1b') {
    term_write_text(t, bytes, len);
  } else {
    if (csi_pushes_rows(bytes, len))
      snapshot_continuations(t);
    vterm_input_write(t->vt, bytes, len);
    t->use_snapshot = false;
    t->glyph_at_edge = false;
  }
  clamp_cursor(t);
}

/* libvterm 0.1.4 decodes text into a stack array as long as the write
 * (uint32_t codepoints[len + 1]), so a write of a few megabytes overflows
 * the stack.  Writes are cut into pieces of at most this size, at
 * character boundaries (libvterm loses a character split across writes). */
#ifndef LIBVTERM_WRITE_MAX
#define LIBVTERM_WRITE_MAX 4096
#endif

static void sink_write(void *user, const char *bytes, size_t len) {
  Term *t = user;
  while (len > LIBVTERM_WRITE_MAX) {
    size_t cut = LIBVTERM_WRITE_MAX;
    while (cut > LIBVTERM_WRITE_MAX - 4 &&
           ((unsigned char)bytes[cut] & 0xC0) == 0x80)
      cut--; /* back up to the first byte of a UTF-8 sequence */
    term_write(t, bytes, cut);
    bytes += cut;
    len -= cut;
  }
  term_write(t, bytes, len);
}

/* REP (CSI Ps b): prints the last printed character COUNT more times, with
 * wrapping, as xterm does.  Done here rather than in libvterm, whose REP
 * stops at the end of the row and never ends when the last glyph had width
 * 0.  The character is the one left of the cursor, or under it while a
 * wrap is pending. */
static void sink_repeat(void *user, long count) {
  Term *t = user;
  VTermPos pos;
  vterm_state_get_cursorpos(t->state, &pos);
  VTermScreenCell cell;
  memset(&cell, 0, sizeof cell);
  VTermPos at = pos;
  if (!(t->glyph_at_edge && pos.row == t->edge_pos.row &&
        pos.col == t->edge_pos.col))
    at.col--;
  if (at.col >= 0)
    vterm_screen_get_cell(t->screen, at, &cell);
  if (cell.chars[0] == CELL_WIDE_RIGHT && at.col >= 1) {
    at.col--;
    vterm_screen_get_cell(t->screen, at, &cell);
  }
  if (cell.chars[0] == 0 || cell.chars[0] == CELL_WIDE_RIGHT)
    return; /* nothing to repeat */
  char glyph[VTERM_MAX_CHARS_PER_CELL * UTF8_MAX_BYTES];
  size_t n = 0;
  for (int k = 0; k < VTERM_MAX_CHARS_PER_CELL && cell.chars[k]; k++)
    n += utf8_encode(cell.chars[k], glyph + n);
  char chunk[1024];
  size_t per_chunk = sizeof chunk / n, filled = 0;
  for (size_t i = 0; i < per_chunk; i++)
    memcpy(chunk + i * n, glyph, n);
  for (long left = count; left > 0; left -= (long)filled) {
    filled = (size_t)left < per_chunk ? (size_t)left : per_chunk;
    term_write(t, chunk, filled * n);
  }
}

/* ===== Terminal lifetime ================================================== */

static void eval_free(Term *t, EvalNode *n) {
  talloc_string_unref(&t->alloc, n->code);
  talloc_record_free(&t->alloc, n, n->origin);
}

static void term_free_events(Term *t) {
  free(t->title);
  t->title = NULL;
  free(t->directory);
  t->directory = NULL;
  free(t->selection);
  t->selection = NULL;
  while (t->eval_head) {
    EvalNode *n = t->eval_head;
    t->eval_head = n->next;
    eval_free(t, n);
  }
  t->eval_tail = NULL;
  t->eval_count = 0;
}

/* Releases the directories of the screen rows as last drawn. */
static void forget_drawn_dirs(Term *t) {
  for (int i = 0; i < t->drawn_count; i++)
    talloc_string_unref(&t->alloc, t->drawn_dirs[i]);
  free(t->drawn_dirs);
  t->drawn_dirs = NULL;
  t->drawn_count = 0;
}

/* The finalizer: plain C, never calls back into Emacs. */
static void term_finalize(void *ptr) EMACS_NOEXCEPT {
  Term *t = ptr;
  if (!t)
    return;
  if (t->vt)
    vterm_free(t->vt);
  for (int i = 0; i < t->sb_count; i++)
    line_free(t, sb_at(t, i));
  free(t->sb);
  if (t->row_info)
    for (int i = 0; i < t->rows; i++)
      row_info_clear(t, &t->row_info[i]);
  free(t->row_info);
  RowInfo *popped = (RowInfo *)(void *)t->popped_info.data;
  for (size_t i = 0; i < t->popped_info.len / sizeof *popped; i++)
    row_info_clear(t, &popped[i]);
  buf_free(&t->popped_info);
  free(t->resize_info);
  forget_dirs(t, &t->evicted_dirs);
  forget_dirs(t, &t->popped_dirs);
  buf_free(&t->evicted_dirs);
  buf_free(&t->popped_dirs);
  forget_drawn_dirs(t);
  buf_free(&t->deferred_input);
  term_free_events(t);
  stream_free(&t->guard);
  buf_free(&t->output);
  free(t->cells);
  buf_free(&t->scratch_chars);
  buf_free(&t->scratch_runs);
  buf_free(&t->scratch_extra);
  buf_free(&t->text);
  buf_free(&t->spans);
  buf_free(&t->marks);
#ifndef _WIN32
  if (t->pty_fd >= 0)
    close(t->pty_fd);
#endif
  talloc_destroy(&t->alloc); /* last: lines and strings were released above */
  free(t);
}

/* Per-redraw scratch buffers: they live in the temporary arena when the
 * terminal has one. */
static void reset_scratch(Term *t) {
  Buf *bufs[] = {&t->text,          &t->spans,        &t->marks,
                 &t->scratch_chars, &t->scratch_runs, &t->scratch_extra};
  talloc_temp_reset(&t->alloc);
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
    buf_release(bufs[i], t->alloc.arenas ? &t->alloc : NULL);
}

typedef struct {
  int rows, cols, scrollback;
  bool disable_bold, disable_underline, disable_inverse, ignore_blink;
  bool bold_highbright;
} TermOptions;

/* Emacs >= 27 knows the :extend face attribute; set once at init from
 * emacs-major-version (one Emacs per process). */
static bool emit_extend = true;

/* Creates a terminal; returns NULL if memory ran out. */
static Term *term_create(const TermOptions *o) {
  Term *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  talloc_init(&t->alloc);
  reset_scratch(t);
  t->pty_fd = -1;
  t->rows = o->rows;
  t->cols = o->cols;
  t->sb_max = o->scrollback;
  t->disable_bold = o->disable_bold;
  t->disable_underline = o->disable_underline;
  t->disable_inverse = o->disable_inverse;
  t->ignore_blink = o->ignore_blink;
  t->cursor_visible = true;
  t->row_info = calloc((size_t)o->rows, sizeof *t->row_info);
  t->vt = vterm_new(o->rows, o->cols);
  if (!t->row_info || !t->vt) {
    term_finalize(t);
    return NULL;
  }
  for (int r = 0; r < o->rows; r++)
    t->row_info[r].prompt_col = -1;
  StreamSink sink = {.write = sink_write,
                     .osc = sink_osc,
                     .dropped = sink_dropped,
                     .repeat = sink_repeat,
                     .user = t};
  stream_init(&t->guard, sink);
  vterm_set_utf8(t->vt, 1);
  vterm_output_set_callback(t->vt, cb_output, t);
  t->screen = vterm_obtain_screen(t->vt);
  t->state = vterm_obtain_state(t->vt);
  vterm_screen_set_callbacks(t->screen, &screen_callbacks, t);
  /* Row merging, not scroll merging: each scroll reaches cb_moverect at
   * once, so the row info moves in step with the rows. */
  vterm_screen_set_damage_merge(t->screen, VTERM_DAMAGE_ROW);
  vterm_screen_enable_altscreen(t->screen, 1);
#ifdef VTERM_HAVE_BOLD_HIGHBRIGHT
  vterm_state_set_bold_highbright(t->state, o->bold_highbright);
#endif
  vterm_screen_reset(t->screen, 1);
  /* The reset reports the initial cursor properties: they are not requests
   * from the application, so the buffer's cursor is left alone. */
  t->cursor_type_dirty = t->cursor_blink_dirty = false;
  t->rows_in_buffer = o->rows;
  t->invalid_start = t->invalid_end = 0;
  t->dirty = false;
  return t;
}

/* ===== Rendering ========================================================== */

/* A run of characters in the text being built that shares one style. */
typedef struct {
  ptrdiff_t start, end;
  CellStyle style;
} Span;

enum { MARK_WRAP, MARK_PROMPT };
typedef struct {
  ptrdiff_t pos;
  int kind;
} Mark;

/* Text being built for one insertion: UTF-8 in t->text, spans and marks in
 * t->spans / t->marks, CHARS characters so far. */
typedef struct {
  Term *t;
  ptrdiff_t chars;
  bool oom;
} Builder;

static void builder_bytes(Builder *b, const char *p, size_t n,
                          ptrdiff_t chars) {
  if (!buf_append(&b->t->text, p, n))
    b->oom = true;
  b->chars += chars;
}

static void builder_codepoint(Builder *b, uint32_t cp) {
  char enc[UTF8_MAX_BYTES];
  if (cp < 0x20 || cp == 0x7F)
    cp = ' '; /* never put control characters into the buffer */
  builder_bytes(b, enc, utf8_encode(cp, enc), 1);
}

static void builder_mark(Builder *b, ptrdiff_t pos, int kind) {
  Mark m = {pos, kind};
  if (!buf_append(&b->t->marks, &m, sizeof m))
    b->oom = true;
}

/* Whether a style looks the same when it also covers the newline that ends
 * its line.  Faces carry :extend t, so a coloured background, underline,
 * strike-through or inverse video would reach the window edge. */
static bool style_extends_invisibly(CellStyle s) {
  return COLOR_TAG(s.bg) == COLOR_DEFAULT_BG &&
         (s.flags & (STYLE_REVERSE | STYLE_STRIKE)) == 0 &&
         STYLE_UNDERLINE(s.flags) == 0;
}

static void builder_span(Builder *b, ptrdiff_t start, ptrdiff_t end,
                         CellStyle style) {
  if (end <= start)
    return;
  /* A span continuing the previous line's last span in the same style takes
   * the newline between them: one text property call instead of one per
   * line (plain output is then one call per redraw). */
  Span *spans = (Span *)(void *)b->t->spans.data;
  size_t n = b->t->spans.len / sizeof *spans;
  if (n > 0 && spans[n - 1].end + 1 == start &&
      memcmp(&spans[n - 1].style, &style, sizeof style) == 0 &&
      style_extends_invisibly(style)) {
    spans[n - 1].end = end;
    return;
  }
  Span s = {start, end, style};
  if (!buf_append(&b->t->spans, &s, sizeof s))
    b->oom = true;
}

/* Appends line L (and its newline) to the text. */
static void render_line(Builder *b, const Line *l) {
  int run = 0, extra = 0;
  ptrdiff_t run_start = b->chars, prompt_at = -1;
  int prompt_col = l->info.prompt_col;
  for (int i = 0; i < l->ncells; i++) {
    if (run + 1 < l->nruns && l->runs[run + 1].start == i) {
      builder_span(b, run_start, b->chars, l->runs[run].style);
      run++;
      run_start = b->chars;
    }
    uint32_t ch = l->chars[i];
    if (prompt_col >= 0 && i >= prompt_col && prompt_at < 0 &&
        ch != CELL_WIDE_RIGHT)
      prompt_at = b->chars;
    if (ch == CELL_WIDE_RIGHT)
      continue;
    builder_codepoint(b, ch == 0 ? ' ' : CELL_CODEPOINT(ch));
    if (extra < l->nextra && l->extra[extra].cell == i) {
      for (int k = 0;
           k < VTERM_MAX_CHARS_PER_CELL - 1 && l->extra[extra].chars[k]; k++)
        builder_codepoint(b, l->extra[extra].chars[k]);
      extra++;
    }
  }
  if (l->nruns > 0)
    builder_span(b, run_start, b->chars, l->runs[run].style);
  /* A prompt mark needs the prompt itself on the row (a cleared row keeps
   * its info but has no prompt any more). */
  if (prompt_col >= 0 && l->ncells >= prompt_col)
    builder_mark(b, prompt_at >= 0 ? prompt_at : b->chars, MARK_PROMPT);
  if (l->wrapped)
    builder_mark(b, b->chars, MARK_WRAP);
  builder_bytes(b, "\n", 1, 1);
}

/* Captures screen ROW into T's scratch line OUT. */
static bool capture_row(Term *t, int row, Line *out) {
  if (t->cells_cap < t->cols) {
    VTermScreenCell *cells = realloc(t->cells, (size_t)t->cols * sizeof *cells);
    if (!cells)
      return false;
    t->cells = cells;
    t->cells_cap = t->cols;
  }
  for (int col = 0; col < t->cols; col++) {
    VTermPos pos = {row, col};
    memset(&t->cells[col], 0, sizeof t->cells[col]);
    vterm_screen_get_cell(t->screen, pos, &t->cells[col]);
  }
  if (!line_encode(t, t->cells, t->cols, out))
    return false;
  out->info = t->row_info[row]; /* borrowed */
  out->wrapped = row_wraps(t, row, out);
  return true;
}

/* ---- faces ---- */

#define FACE_CACHE_SIZE 128
typedef struct {
  bool used;
  CellStyle key;
  emacs_value plist;
} FaceSlot;

typedef struct {
  FaceSlot slots[FACE_CACHE_SIZE];
} FaceCache;

static emacs_value color_hex(emacs_env *env, uint8_t r, uint8_t g, uint8_t b) {
  char hex[8];
  snprintf(hex, sizeof hex, "#%02X%02X%02X", r, g, b);
  return env->make_string(env, hex, 7);
}

/* The colour value for PACKED, as a foreground (FG) or background. */
static emacs_value color_value(Term *t, emacs_env *env, uint32_t packed,
                               bool fg, uint32_t flags) {
  emacs_value args[3];
  int n = 0;
  int tag = (int)COLOR_TAG(packed);
  if (tag == COLOR_DEFAULT_FG || tag == COLOR_DEFAULT_BG ||
      (tag == COLOR_INDEXED && (packed & 0xFF) < 16)) {
    args[n++] = env->make_integer(
        env, tag == COLOR_INDEXED ? (intmax_t)(packed & 0xFF) : -1);
    if (fg)
      args[n++] = Qforeground;
    if (tag != COLOR_INDEXED && fg && STYLE_UNDERLINE(flags))
      args[n++] = Qunderline;
    if (tag != COLOR_INDEXED && !fg && (flags & STYLE_REVERSE))
      args[n++] = Qinverse_video;
    return env->funcall(env, Fvterm_get_color, n, args);
  }
  VTermColor c;
  unpack_color(t, packed, &c);
  vterm_screen_convert_color_to_rgb(t->screen, &c);
  return color_hex(env, c.rgb.red, c.rgb.green, c.rgb.blue);
}

/* Builds the face plist for STYLE, in upstream's key order. */
static emacs_value face_plist(Term *t, emacs_env *env, CellStyle s) {
  emacs_value items[18];
  int n = 0;
  items[n++] = Qforeground;
  items[n++] = color_value(t, env, s.fg, true, s.flags);
  items[n++] = Qbackground;
  items[n++] = color_value(t, env, s.bg, false, s.flags);
  if ((s.flags & STYLE_BOLD) && !t->disable_bold)
    items[n++] = Qweight, items[n++] = Qbold;
  if (STYLE_UNDERLINE(s.flags) && !t->disable_underline)
    items[n++] = Qunderline, items[n++] = Qt;
  if (s.flags & STYLE_ITALIC)
    items[n++] = Qslant, items[n++] = Qitalic;
  if ((s.flags & STYLE_REVERSE) && !t->disable_inverse)
    items[n++] = Qinverse_video, items[n++] = Qt;
  if (s.flags & STYLE_STRIKE)
    items[n++] = Qstrike_through, items[n++] = Qt;
  if (emit_extend)
    items[n++] = Qextend, items[n++] = Qt;
  return env->funcall(env, Flist, n, items);
}

static emacs_value face_lookup(Term *t, emacs_env *env, FaceCache *cache,
                               CellStyle s) {
  uint32_t h = (s.fg * 2654435761u) ^ (s.bg * 40503u) ^ (s.flags * 97u);
  for (int probe = 0; probe < FACE_CACHE_SIZE; probe++) {
    FaceSlot *slot = &cache->slots[(h + (uint32_t)probe) % FACE_CACHE_SIZE];
    if (!slot->used) {
      slot->plist = face_plist(t, env, s);
      slot->key = s;
      slot->used = !elisp_failed(env);
      return slot->plist;
    }
    if (memcmp(&slot->key, &s, sizeof s) == 0)
      return slot->plist;
  }
  return face_plist(t, env, s); /* cache full */
}

/* ---- buffer edits ---- */

static emacs_value make_int(emacs_env *env, intmax_t n) {
  return env->make_integer(env, n);
}

static intmax_t call_point(emacs_env *env, emacs_value fn) {
  emacs_value v = env->funcall(env, fn, 0, NULL);
  return elisp_failed(env) ? 0 : env->extract_integer(env, v);
}

static void goto_pos(emacs_env *env, intmax_t pos) {
  emacs_value p = make_int(env, pos);
  env->funcall(env, Fgoto_char, 1, &p);
}

static void forward_line(emacs_env *env, intmax_t n) {
  emacs_value v = make_int(env, n);
  env->funcall(env, Fforward_line, 1, &v);
}

static void delete_region(emacs_env *env, intmax_t start, intmax_t end) {
  if (end <= start)
    return;
  emacs_value args[2] = {make_int(env, start), make_int(env, end)};
  env->funcall(env, Fdelete_region, 2, args);
}

/* Position of the start of the Nth line counted from the end of the buffer
 * (1 is the last line); point is left there. */
static intmax_t line_from_end(emacs_env *env, int n) {
  goto_pos(env, call_point(env, Fpoint_max));
  forward_line(env, -(intmax_t)n);
  return call_point(env, Fpoint);
}

/* Makes BUFFER current again if a callback switched away from it.  Returns
 * false if BUFFER was killed. */
static bool enter_buffer(emacs_env *env, emacs_value buffer) {
  emacs_value current = env->funcall(env, Fcurrent_buffer, 0, NULL);
  if (elisp_failed(env))
    return false;
  if (env->eq(env, current, buffer))
    return true;
  emacs_value live = env->funcall(env, Fbuffer_live_p, 1, &buffer);
  if (elisp_failed(env) || !env->is_not_nil(env, live))
    return false;
  env->funcall(env, Fset_buffer, 1, &buffer);
  return !elisp_failed(env);
}

/* Puts the built text into a string with its properties and inserts it at
 * point.  Face lookups call vterm--get-color, which may switch buffers: the
 * text goes into the terminal's buffer all the same. */
static void insert_built(Term *t, emacs_env *env, Builder *b) {
  if (b->oom) {
    elisp_memory_full(env);
    return;
  }
  if (b->chars == 0)
    return;
  emacs_value str = env->make_string(env, t->text.data, (ptrdiff_t)t->text.len);
  if (elisp_failed(env))
    return;
  FaceCache *cache = talloc_temp(&t->alloc, sizeof *cache);
  bool cache_malloced = cache == NULL;
  if (cache)
    memset(cache, 0, sizeof *cache);
  else if (!(cache = calloc(1, sizeof *cache))) {
    elisp_memory_full(env);
    return;
  }
  const Span *spans = (const Span *)(void *)t->spans.data;
  size_t nspans = t->spans.len / sizeof *spans;
  for (size_t i = 0; i < nspans && !elisp_failed(env); i++) {
    emacs_value args[5] = {make_int(env, spans[i].start),
                           make_int(env, spans[i].end), Qfont_lock_face,
                           face_lookup(t, env, cache, spans[i].style), str};
    env->funcall(env, Fput_text_property, 5, args);
  }
  if (cache_malloced)
    free(cache);
  emacs_value wrap_items[4] = {Qvterm_line_wrap, Qt, Qrear_nonsticky, Qt};
  emacs_value prompt_items[4] = {Qvterm_prompt, Qt, Qrear_nonsticky, Qt};
  emacs_value plists[2] = {env->funcall(env, Flist, 4, wrap_items),
                           env->funcall(env, Flist, 4, prompt_items)};
  const Mark *marks = (const Mark *)(void *)t->marks.data;
  size_t nmarks = t->marks.len / sizeof *marks;
  for (size_t i = 0; i < nmarks && !elisp_failed(env); i++) {
    emacs_value args[4] = {make_int(env, marks[i].pos),
                           make_int(env, marks[i].pos + 1),
                           plists[marks[i].kind == MARK_PROMPT], str};
    env->funcall(env, Fadd_text_properties, 4, args);
  }
  if (!elisp_failed(env) && enter_buffer(env, t->redraw_buffer))
    env->funcall(env, Finsert, 1, &str);
}

static void builder_reset(Term *t, Builder *b) {
  t->text.len = t->spans.len = t->marks.len = 0;
  b->t = t;
  b->chars = 0;
  b->oom = false;
}

static void render_screen_rows(Term *t, Builder *b, int start, int end) {
  for (int row = start; row < end && !b->oom; row++) {
    Line l;
    if (!capture_row(t, row, &l)) {
      b->oom = true;
      return;
    }
    render_line(b, &l);
  }
}

/* Deletes evicted scrollback from the top of the buffer. */
static void redraw_evicted(Term *t, emacs_env *env) {
  if (t->sb_evicted <= 0)
    return;
  intmax_t start = call_point(env, Fpoint_min);
  goto_pos(env, start);
  forward_line(env, t->sb_evicted);
  delete_region(env, start, call_point(env, Fpoint));
  t->sb_evicted = 0;
}

/* The buffer no longer matches what the bookkeeping says (a redraw failed
 * half way): rebuild it from the scrollback ring and the screen. */
static void redraw_everything(Term *t, emacs_env *env, Builder *b) {
  delete_region(env, call_point(env, Fpoint_min), call_point(env, Fpoint_max));
  for (int i = t->sb_count - 1; i >= 0 && !b->oom; i--)
    render_line(b, sb_at(t, i));
  render_screen_rows(t, b, 0, t->rows);
  insert_built(t, env, b);
  t->sb_in_buffer = t->sb_count;
  t->sb_pending = t->sb_popped = t->sb_evicted = 0;
}

/* New scrollback lines and the whole screen, after scrolling or a resize. */
static void redraw_scrolled(Term *t, emacs_env *env, Builder *b) {
  intmax_t start = line_from_end(env, t->rows_in_buffer + t->sb_popped);
  delete_region(env, start, call_point(env, Fpoint_max));
  for (int i = t->sb_pending - 1; i >= 0 && !b->oom; i--)
    render_line(b, sb_at(t, i));
  render_screen_rows(t, b, 0, t->rows);
  insert_built(t, env, b);
  t->sb_in_buffer += t->sb_pending;
  t->sb_pending = t->sb_popped = 0;
}

/* Just the damaged rows. */
static void redraw_damaged(Term *t, emacs_env *env, Builder *b) {
  intmax_t start = line_from_end(env, t->rows - t->invalid_start);
  intmax_t end = t->invalid_end >= t->rows
                     ? call_point(env, Fpoint_max)
                     : line_from_end(env, t->rows - t->invalid_end);
  delete_region(env, start, end);
  goto_pos(env, start);
  render_screen_rows(t, b, t->invalid_start, t->invalid_end);
  insert_built(t, env, b);
}

/* Remembers the directory of each screen row as drawn, and forgets those of
 * lines the redraw deleted (see vterm--get-pwd-raw). */
static void snapshot_drawn_dirs(Term *t) {
  forget_dirs(t, &t->evicted_dirs);
  forget_dirs(t, &t->popped_dirs);
  const char **dirs = malloc((size_t)t->rows * sizeof *dirs);
  forget_drawn_dirs(t);
  if (!dirs)
    return; /* no answers until the next redraw, rather than wrong ones */
  for (int r = 0; r < t->rows; r++)
    dirs[r] = talloc_string_ref(&t->alloc, t->row_info[r].dir);
  t->drawn_dirs = dirs;
  t->drawn_count = t->rows;
}

/* Re-renders what changed.  A redraw that fails half way (read-only buffer,
 * an error from Lisp, out of memory) leaves the buffer in an unknown state,
 * so the next one rebuilds it completely. */
static void redraw_text(Term *t, emacs_env *env) {
  Builder b;
  builder_reset(t, &b);
  bool full = t->resync || t->sb_pending > 0 || t->sb_popped > 0 ||
              t->rows_in_buffer != t->rows; /* every screen row drawn */
  if (t->resync) {
    redraw_everything(t, env, &b);
  } else {
    redraw_evicted(t, env);
    if (full)
      redraw_scrolled(t, env, &b);
    else if (t->invalid_start < t->invalid_end)
      redraw_damaged(t, env, &b);
  }
  if (elisp_failed(env) || b.oom) {
    t->resync = true;
    t->dirty = true;
    return;
  }
  if (full || (t->pad_row >= t->invalid_start && t->pad_row < t->invalid_end))
    t->pad_count = 0; /* the padded row was drawn again, without it */
  t->resync = false;
  t->rows_in_buffer = t->rows;
  t->invalid_start = t->invalid_end = 0;
  snapshot_drawn_dirs(t);
}

/* Characters before cell COL of line L, and the line's length. */
static ptrdiff_t line_offset(const Line *l, int col, ptrdiff_t *length) {
  ptrdiff_t chars = 0, at = -1;
  int extra = 0;
  for (int i = 0; i < l->ncells; i++) {
    if (i == col)
      at = chars;
    if (l->chars[i] == CELL_WIDE_RIGHT)
      continue;
    chars++;
    if (extra < l->nextra && l->extra[extra].cell == i) {
      for (int k = 0;
           k < VTERM_MAX_CHARS_PER_CELL - 1 && l->extra[extra].chars[k]; k++)
        chars++;
      extra++;
    }
  }
  *length = chars;
  return at >= 0 ? at : chars + (col - l->ncells);
}

/* Makes screen ROW's buffer line end in just enough spaces for a cursor at
 * character OFFSET (none for a row without the cursor).  Padding is not
 * terminal text: it goes when the cursor leaves the row, so every redraw
 * cadence leaves the same buffer.  Returns the line's start. */
static intmax_t set_padding(Term *t, emacs_env *env, int row, ptrdiff_t offset) {
  intmax_t start = line_from_end(env, t->rows - row);
  intmax_t end = call_point(env, Fline_end_position);
  if (elisp_failed(env))
    return start;
  ptrdiff_t padded = t->pad_row == row ? t->pad_count : 0;
  ptrdiff_t text = (ptrdiff_t)(end - start) - padded;
  ptrdiff_t want = offset > text ? offset - text : 0;
  if (want < padded) {
    delete_region(env, end - (padded - want), end);
  } else if (want > padded) {
    char spaces[256];
    memset(spaces, ' ', sizeof spaces);
    goto_pos(env, end);
    for (ptrdiff_t left = want - padded; left > 0 && !elisp_failed(env);) {
      ptrdiff_t n = left > 256 ? 256 : left;
      emacs_value s = env->make_string(env, spaces, n);
      env->funcall(env, Finsert, 1, &s);
      left -= n;
    }
  }
  t->pad_row = row;
  t->pad_count = elisp_failed(env) ? 0 : want;
  return start;
}

/* Moves point to the terminal cursor, padding the row with spaces when the
 * cursor sits beyond its text.  The padding is measured against the buffer
 * line, which may carry padding from an earlier call already. */
static void place_point(Term *t, emacs_env *env) {
  /* libvterm's own cursor: it does not report every move (a clamp into
   * the margins after leaving the alternate screen, for one). */
  VTermPos cursor;
  vterm_state_get_cursorpos(t->state, &cursor);
  int row = cursor.row < 0 ? 0 : cursor.row;
  if (row >= t->rows)
    row = t->rows - 1;
  Line l;
  if (!capture_row(t, row, &l)) {
    elisp_memory_full(env);
    return;
  }
  ptrdiff_t length;
  ptrdiff_t offset = line_offset(&l, cursor.col, &length);
  if (t->pad_count > 0 && t->pad_row != row) /* the cursor left that row */
    set_padding(t, env, t->pad_row, 0);
  intmax_t start = set_padding(t, env, row, offset);
  goto_pos(env, start + offset);
}

/* ---- cursor and events ---- */

static void apply_cursor(Term *t, emacs_env *env) {
  if (t->cursor_type_dirty) {
    emacs_value type = Qnil;
    if (t->cursor_visible) {
      switch (t->cursor_shape) {
      case VTERM_PROP_CURSORSHAPE_BLOCK:
        type = Qbox;
        break;
      case VTERM_PROP_CURSORSHAPE_UNDERLINE:
        type = Qhbar;
        break;
      case VTERM_PROP_CURSORSHAPE_BAR_LEFT:
        type = Qbar;
        break;
      default:
        type = Qt;
        break;
      }
    }
    emacs_value var = env->funcall(env, Fmake_local_variable, 1, &Qcursor_type);
    emacs_value args[2] = {var, type};
    env->funcall(env, Fset, 2, args);
    t->cursor_type_dirty = false;
  }
  if (t->cursor_blink_dirty) {
    if (!t->ignore_blink) {
      emacs_value arg = make_int(env, t->cursor_blink ? 1 : 0);
      env->funcall(env, Fblink_cursor_mode, 1, &arg);
    }
    t->cursor_blink_dirty = false;
  }
}

/* Calls FN with the string TEXT (LEN bytes). */
static void deliver_string(emacs_env *env, emacs_value fn, const char *text,
                           size_t len) {
  emacs_value s = elisp_string(env, text, len);
  if (s && !elisp_failed(env))
    env->funcall(env, fn, 1, &s);
}

static void report_drops(Term *t, emacs_env *env) {
  char msg[200];
  if (t->dropped_sequences > 0) {
    snprintf(msg, sizeof msg,
             "vterm: ignored %lu oversized escape sequence(s) (%lu bytes)",
             (unsigned long)t->dropped_sequences,
             (unsigned long)t->dropped_bytes);
    elisp_message(env, msg);
    t->dropped_sequences = t->dropped_bytes = 0;
  }
  if (t->dropped_evals > 0) {
    snprintf(msg, sizeof msg,
             "vterm: ignored %lu OSC 51;E command(s) over the limit of %d per "
             "redraw",
             (unsigned long)t->dropped_evals, TERM_EVAL_LIMIT);
    elisp_message(env, msg);
    t->dropped_evals = 0;
  }
}

/* Delivers queued title, directory, eval and selection events, in that
 * order.  Each is detached first, so Lisp may re-enter safely. */
static void deliver_events(Term *t, emacs_env *env) {
  char *title = t->title, *dir = t->directory, *sel = t->selection;
  size_t title_len = t->title_len, dir_len = t->directory_len;
  size_t sel_len = t->selection_len;
  int sel_mask = t->selection_mask;
  EvalNode *evals = t->eval_head;
  t->title = t->directory = t->selection = NULL;
  t->eval_head = t->eval_tail = NULL;
  t->eval_count = 0;
  report_drops(t, env);
  if (title && !elisp_failed(env))
    deliver_string(env, Fvterm_set_title, title, title_len);
  if (dir && !elisp_failed(env))
    deliver_string(env, Fvterm_set_directory, dir, dir_len);
  while (evals) {
    EvalNode *n = evals;
    evals = n->next;
    if (!elisp_failed(env))
      deliver_string(env, Fvterm_eval, n->code,
                     talloc_string_len(&t->alloc, n->code));
    eval_free(t, n);
  }
  if (sel && !elisp_failed(env)) {
    emacs_value args[2] = {make_int(env, sel_mask),
                           elisp_string(env, sel, sel_len)};
    if (args[1] && !elisp_failed(env))
      env->funcall(env, Fvterm_set_selection, 2, args);
  }
  free(title);
  free(dir);
  free(sel);
}

static void release_scratch(Term *t) {
  const size_t keep = 1 << 20;
  buf_trim(&t->text, keep);
  buf_trim(&t->spans, keep);
  buf_trim(&t->marks, keep);
}

static bool text_changed(const Term *t) {
  return t->resync || t->sb_pending > 0 || t->sb_popped > 0 ||
         t->sb_evicted > 0 || t->rows_in_buffer != t->rows ||
         t->invalid_start < t->invalid_end;
}

static bool term_resize(Term *t, emacs_env *env, int rows, int cols);

/* Feeds bytes to the terminal: the guard, then libvterm.  Returns false if
 * memory ran out (what could be kept was). */
static bool term_feed(Term *t, const char *bytes, size_t len) {
  int status = stream_feed(&t->guard, bytes, len);
  vterm_screen_flush_damage(t->screen);
  return status >= 0;
}

/* Applies what Lisp asked for from a callback while a redraw ran. */
static void apply_deferred(Term *t, emacs_env *env) {
  if (t->deferred_input.len > 0) {
    if (!term_feed(t, t->deferred_input.data, t->deferred_input.len))
      t->oom = true;
    buf_trim(&t->deferred_input, 1 << 16);
    t->dirty = true;
  }
  if (t->deferred_clear) {
    t->deferred_clear = false;
    sb_clear_all(t);
  }
  if (t->deferred_rows > 0) {
    int rows = t->deferred_rows, cols = t->deferred_cols;
    t->deferred_rows = t->deferred_cols = 0;
    term_resize(t, env, rows, cols);
  }
}

/* Brings the current buffer, the terminal's, up to date with the terminal,
 * then delivers the events.  Event handlers are Lisp: they may switch
 * buffers (find-file from OSC 51;E), feed or resize the terminal, or
 * redraw it.  Nested redraws are ignored, feeds and resizes are deferred
 * to the end of the pass, and every pass draws into the terminal's buffer
 * (the one current on entry), never into another. */
static void term_redraw(Term *t, emacs_env *env) {
  if (t->in_redraw)
    return;
  emacs_value buffer = env->funcall(env, Fcurrent_buffer, 0, NULL);
  if (elisp_failed(env))
    return;
  t->redraw_buffer = buffer;
  t->in_redraw = true;
  reset_scratch(t);
  for (int pass = 0; pass < 3 && t->dirty && enter_buffer(env, buffer);
       pass++) {
    t->dirty = false;
    apply_cursor(t, env);
    if (text_changed(t) && !elisp_failed(env))
      redraw_text(t, env);
    if (!elisp_failed(env))
      place_point(t, env);
    if (!elisp_failed(env))
      deliver_events(t, env);
    apply_deferred(t, env);
  }
  apply_deferred(t, env); /* when a pass stopped early */
  release_scratch(t);
  t->in_redraw = false;
}

/* ===== Input: keys and process output ===================================== */

typedef struct {
  const char *name;
  VTermKey key;
} KeyName;

static const KeyName key_names[] = {
    {"<tab>", VTERM_KEY_TAB},
    {"<backspace>", VTERM_KEY_BACKSPACE},
    {"<escape>", VTERM_KEY_ESCAPE},
    {"<up>", VTERM_KEY_UP},
    {"<down>", VTERM_KEY_DOWN},
    {"<left>", VTERM_KEY_LEFT},
    {"<right>", VTERM_KEY_RIGHT},
    {"<insert>", VTERM_KEY_INS},
    {"<delete>", VTERM_KEY_DEL},
    {"<home>", VTERM_KEY_HOME},
    {"<end>", VTERM_KEY_END},
    {"<prior>", VTERM_KEY_PAGEUP},
    {"<next>", VTERM_KEY_PAGEDOWN},
    {"<kp-add>", VTERM_KEY_KP_PLUS},
    {"<kp-subtract>", VTERM_KEY_KP_MINUS},
    {"<kp-multiply>", VTERM_KEY_KP_MULT},
    {"<kp-divide>", VTERM_KEY_KP_DIVIDE},
    {"<kp-equal>", VTERM_KEY_KP_EQUAL},
    {"<kp-decimal>", VTERM_KEY_KP_PERIOD},
    {"<kp-separator>", VTERM_KEY_KP_COMMA},
    {"<kp-enter>", VTERM_KEY_KP_ENTER},
};

/* Maps "<f0>".."<f12>" and "<kp-0>".."<kp-9>"; returns VTERM_KEY_NONE
 * otherwise. */
static VTermKey numbered_key(const char *key) {
  int n;
  char tail;
  if (sscanf(key, "<f%d%c", &n, &tail) == 2 && tail == '>' && n >= 0 && n <= 12)
    return (VTermKey)(VTERM_KEY_FUNCTION(n));
  if (sscanf(key, "<kp-%d%c", &n, &tail) == 2 && tail == '>' && n >= 0 &&
      n <= 9)
    return (VTermKey)(VTERM_KEY_KP_0 + n);
  return VTERM_KEY_NONE;
}

static void term_flow(Term *t, bool start) {
#ifdef _WIN32
  (void)t;
  (void)start;
#else
  if (t->pty_fd >= 0)
    tcflow(t->pty_fd, start ? TCOON : TCOOFF);
#endif
}

/* Sends KEY (LEN bytes, a name from vterm.el's translation) with MOD. */
static void term_key(Term *t, const char *key, size_t len, VTermModifier mod) {
  if (strcmp(key, "<clear_scrollback>") == 0) {
    if (t->in_redraw)
      t->deferred_clear = true; /* a callback cleared: after this pass */
    else
      sb_clear_all(t);
  } else if (strcmp(key, "<start>") == 0 || strcmp(key, "<stop>") == 0) {
    term_flow(t, key[3] == 'a');
  } else if (strcmp(key, "<start_paste>") == 0) {
    vterm_keyboard_start_paste(t->vt);
  } else if (strcmp(key, "<end_paste>") == 0) {
    vterm_keyboard_end_paste(t->vt);
  } else if (strcmp(key, "<backtab>") == 0 ||
             strcmp(key, "<iso-lefttab>") == 0) {
    vterm_keyboard_key(t->vt, VTERM_KEY_TAB, VTERM_MOD_SHIFT);
  } else if (strcmp(key, "j") == 0 && mod == VTERM_MOD_CTRL) {
    cb_output("\n", 1, t);
  } else if (strcmp(key, "SPC") == 0) {
    vterm_keyboard_unichar(t->vt, ' ', mod);
  } else {
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
      if (strcmp(key, key_names[i].name) == 0) {
        vterm_keyboard_key(t->vt, key_names[i].key, mod);
        return;
      }
    VTermKey numbered = numbered_key(key);
    if (numbered != VTERM_KEY_NONE) {
      vterm_keyboard_key(t->vt, numbered, mod);
      return;
    }
    Utf8Decoder d = {0, 0, 0, 0};
    uint32_t cps[2], cp = 0;
    int count = 0;
    for (size_t i = 0; i < len && len <= UTF8_MAX_BYTES; i++) {
      int n = utf8_decode_byte(&d, (unsigned char)key[i], cps);
      for (int k = 0; k < n; k++, count++)
        cp = cps[k];
    }
    if (count == 1 && d.errors == 0 && d.needed == 0 && len <= UTF8_MAX_BYTES)
      vterm_keyboard_unichar(t->vt, cp, mod);
  }
}

/* Sends pending terminal output to the process through Lisp. */
static void flush_output(Term *t, emacs_env *env) {
  if (t->output.len == 0)
    return;
  emacs_value s = elisp_string(env, t->output.data, t->output.len);
  t->output.len = 0;
  if (s && !elisp_failed(env))
    env->funcall(env, Fvterm_flush_output, 1, &s);
  buf_trim(&t->output, 1 << 16);
}

/* ===== Argument helpers (each signals and returns false/NULL on error) ==== */

static Term *arg_term(emacs_env *env, emacs_value v) {
  if (env->get_user_finalizer(env, v) != term_finalize) {
    /* Not a user pointer (Emacs signalled user-ptrp) or another module's:
     * either way the error names what was expected. */
    env->non_local_exit_clear(env);
    elisp_signal_value(env, Qwrong_type_argument, Qvterm_termp, v);
    return NULL;
  }
  Term *t = env->get_user_ptr(env, v);
  return elisp_failed(env) ? NULL : t;
}

static bool arg_int(emacs_env *env, emacs_value v, intmax_t min, intmax_t max,
                    intmax_t *out) {
  intmax_t n = env->extract_integer(env, v);
  if (elisp_failed(env))
    return false;
  if (n < min || n > max) {
    elisp_signal_range(env, v, (long long)min, (long long)max);
    return false;
  }
  *out = n;
  return true;
}

/* Copies a string argument; the caller frees the result. */
static char *arg_string(emacs_env *env, emacs_value v, ptrdiff_t *len) {
  ptrdiff_t size = 0;
  if (!env->copy_string_contents(env, v, NULL, &size))
    return NULL;
  char *s = malloc((size_t)size);
  if (!s) {
    elisp_memory_full(env);
    return NULL;
  }
  if (!env->copy_string_contents(env, v, s, &size)) {
    free(s);
    return NULL;
  }
  *len = size - 1; /* never pass the trailing NUL on */
  return s;
}

static bool arg_flag(emacs_env *env, ptrdiff_t nargs, emacs_value *args,
                     ptrdiff_t i) {
  return i < nargs && env->is_not_nil(env, args[i]);
}

/* Checks a terminal size; signals args-out-of-range if unusable. */
static bool valid_size(emacs_env *env, emacs_value rows_v, emacs_value cols_v,
                       int *rows, int *cols) {
  intmax_t r, c;
  if (!arg_int(env, rows_v, 1, TERM_MAX_ROWS, &r) ||
      !arg_int(env, cols_v, TERM_MIN_COLS, TERM_MAX_COLS, &c))
    return false;
  if (r * c > TERM_MAX_CELLS) {
    elisp_signal(env, Qargs_out_of_range,
                 "vterm: terminal size exceeds the supported number of cells");
    return false;
  }
  *rows = (int)r;
  *cols = (int)c;
  return true;
}

/* Signals memory-full if FAILED or if an allocation inside a libvterm
 * callback failed since the last call (the terminal stays usable; what
 * could not be stored is lost).  Returns whether it signalled. */
static bool signal_oom(Term *t, emacs_env *env, bool failed) {
  if (!failed && !t->oom)
    return false;
  t->oom = false;
  elisp_memory_full(env);
  return true;
}

/* ===== Module functions =================================================== */

static emacs_value Fvterm_new(emacs_env *env, ptrdiff_t nargs,
                              emacs_value args[], void *data) EMACS_NOEXCEPT {
  (void)data;
  TermOptions o = {0, 0, 1000, false, false, false, false, false};
  intmax_t sb = 1000;
  if (!valid_size(env, args[0], args[1], &o.rows, &o.cols))
    return Qnil;
  if (nargs > 2 && env->is_not_nil(env, args[2]) &&
      !arg_int(env, args[2], INTMAX_MIN, INTMAX_MAX, &sb))
    return Qnil;
  o.scrollback = sb < 0 ? 0 : sb > SB_MAX ? SB_MAX : (int)sb;
  o.disable_bold = arg_flag(env, nargs, args, 3);
  o.disable_underline = arg_flag(env, nargs, args, 4);
  o.disable_inverse = arg_flag(env, nargs, args, 5);
  o.ignore_blink = arg_flag(env, nargs, args, 6);
  o.bold_highbright = arg_flag(env, nargs, args, 7);
  Term *t = term_create(&o);
  if (!t)
    return elisp_memory_full(env);
  /* The buffer starts as ROWS empty lines. */
  char *newlines = malloc((size_t)o.rows);
  if (!newlines) {
    term_finalize(t);
    return elisp_memory_full(env);
  }
  memset(newlines, '\n', (size_t)o.rows);
  emacs_value s = env->make_string(env, newlines, o.rows);
  free(newlines);
  if (!elisp_failed(env))
    env->funcall(env, Finsert, 1, &s);
  if (elisp_failed(env)) {
    term_finalize(t);
    return Qnil;
  }
  return env->make_user_ptr(env, term_finalize, t);
}

static emacs_value Fvterm_update(emacs_env *env, ptrdiff_t nargs,
                                 emacs_value args[],
                                 void *data) EMACS_NOEXCEPT {
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  if (nargs > 1 && env->is_not_nil(env, args[1])) {
    ptrdiff_t len;
    char *key = arg_string(env, args[1], &len);
    if (!key)
      return Qnil;
    int mod = VTERM_MOD_NONE;
    if (arg_flag(env, nargs, args, 2))
      mod |= VTERM_MOD_SHIFT;
    if (arg_flag(env, nargs, args, 3))
      mod |= VTERM_MOD_ALT;
    if (arg_flag(env, nargs, args, 4))
      mod |= VTERM_MOD_CTRL;
    term_key(t, key, (size_t)len, (VTermModifier)mod);
    free(key);
  }
  flush_output(t, env);
  if (t->dirty && !elisp_failed(env))
    env->funcall(env, Fvterm_invalidate, 0, NULL);
  return make_int(env, 0);
}

static emacs_value Fvterm_redraw(emacs_env *env, ptrdiff_t nargs,
                                 emacs_value args[],
                                 void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  term_redraw(t, env);
  signal_oom(t, env, false);
  return make_int(env, 0);
}

static emacs_value Fvterm_write_input(emacs_env *env, ptrdiff_t nargs,
                                      emacs_value args[],
                                      void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  ptrdiff_t len;
  char *bytes = arg_string(env, args[1], &len);
  if (!bytes)
    return Qnil;
  bool fed;
  if (t->in_redraw) { /* from a callback: fed after the redraw's pass */
    fed = buf_append(&t->deferred_input, bytes, (size_t)len);
    t->dirty = true;
  } else {
    fed = term_feed(t, bytes, (size_t)len);
  }
  free(bytes);
  return signal_oom(t, env, !fed) ? Qnil : make_int(env, 0);
}

/* A resize clamps the bottom margin to the new height but not the top one,
 * so a region that started below the new last row is left inverted, and
 * libvterm corrupts memory when it scrolls it.  This asks libvterm for the
 * region (DECRQSS, its reply taken back out of the output) and resets an
 * inverted one, keeping the cursor where it is. */
static void repair_scroll_region(Term *t) {
  size_t mark = t->output.len;
  vterm_input_write(t->vt, "\x1bP$qr\x1b\\", 7);
  int top = 0, bottom = 0;
  for (size_t i = mark; i + 2 < t->output.len; i++)
    if (t->output.data[i] == '$' && t->output.data[i + 1] == 'r') {
      char reply[32];
      size_t n = t->output.len - i - 2;
      n = n < sizeof reply - 1 ? n : sizeof reply - 1;
      memcpy(reply, t->output.data + i + 2, n);
      reply[n] = '\0';
      if (sscanf(reply, "%d;%d", &top, &bottom) != 2)
        top = bottom = 0;
      break;
    }
  t->output.len = mark;
  if (top > bottom) {
    VTermPos pos;
    vterm_state_get_cursorpos(t->state, &pos);
    char seq[40];
    int n = snprintf(seq, sizeof seq, "\x1b[r\x1b[%d;%dH", pos.row + 1,
                     pos.col + 1);
    vterm_input_write(t->vt, seq, (size_t)n);
  }
}

/* Resizes libvterm.  Everything the resize callbacks need is allocated
 * first, so a failure leaves the terminal as it was and signals
 * memory-full.  Returns false then. */
static bool term_resize(Term *t, emacs_env *env, int rows, int cols) {
  if (rows == t->rows && cols == t->cols)
    return true;
  RowInfo *info = fault_hit(FAULT_ROW_INFO)
                      ? NULL
                      : calloc((size_t)rows, sizeof *info);
  if (!info ||
      !buf_reserve(&t->popped_info, (size_t)rows * sizeof(RowInfo))) {
    free(info);
    elisp_memory_full(env);
    return false;
  }
  t->resize_info = info; /* cb_resize takes it */
  snapshot_continuations(t);
  vterm_set_size(t->vt, rows, cols);
  t->use_snapshot = false;
  t->glyph_at_edge = false;
  clamp_cursor(t);
  repair_scroll_region(t);
  vterm_screen_flush_damage(t->screen);
  free(t->resize_info); /* left if libvterm did not call back */
  t->resize_info = NULL;
  t->dirty = true;
  return true;
}

static emacs_value Fvterm_set_size(emacs_env *env, ptrdiff_t nargs,
                                   emacs_value args[],
                                   void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  int rows, cols;
  if (!t || !valid_size(env, args[1], args[2], &rows, &cols))
    return Qnil;
  if (t->in_redraw) { /* from a callback: resized after the redraw's pass */
    t->deferred_rows = rows;
    t->deferred_cols = cols;
    t->dirty = true;
  } else if (term_resize(t, env, rows, cols)) {
    term_redraw(t, env);
  }
  signal_oom(t, env, false);
  return Qnil;
}

static emacs_value Fvterm_set_pty_name(emacs_env *env, ptrdiff_t nargs,
                                       emacs_value args[],
                                       void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  ptrdiff_t len;
  char *name = arg_string(env, args[1], &len);
  if (!name)
    return Qnil;
#ifndef _WIN32
  int fd = open(name, O_RDONLY | O_NOCTTY);
  if (fd >= 0) {
    if (t->pty_fd >= 0)
      close(t->pty_fd);
    t->pty_fd = fd;
  }
#endif
  free(name);
  return Qnil;
}

/* Entry I of B, an array of directories, or NULL past its end. */
static const char *dir_at(const Buf *b, intmax_t i) {
  const char *const *dirs = (const char *const *)(const void *)b->data;
  return i >= 0 && (size_t)i < b->len / sizeof *dirs ? dirs[i] : NULL;
}

/* The directory of buffer line LINE (1-based) as the buffer shows it: the
 * buffer holds what the last redraw drew, so lines evicted from scrollback
 * or popped back to the screen since are still there, and the screen rows
 * are as they were then. */
static const char *buffer_line_dir(const Term *t, intmax_t line) {
  if (line < 1)
    return NULL;
  if (line <= t->sb_evicted)
    return dir_at(&t->evicted_dirs, line - 1);
  line -= t->sb_evicted;
  if (line <= t->sb_in_buffer)
    return sb_at(t, t->sb_pending + (int)(t->sb_in_buffer - line))->info.dir;
  line -= t->sb_in_buffer;
  if (line <= t->sb_popped) /* popped newest first: the last is on top */
    return dir_at(&t->popped_dirs, t->sb_popped - line);
  line -= t->sb_popped;
  return line <= t->drawn_count ? t->drawn_dirs[line - 1] : NULL;
}

static emacs_value Fvterm_get_pwd_raw(emacs_env *env, ptrdiff_t nargs,
                                      emacs_value args[],
                                      void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  intmax_t line;
  if (!t || !arg_int(env, args[1], INTMAX_MIN, INTMAX_MAX, &line))
    return Qnil;
  const char *dir = buffer_line_dir(t, line);
  if (!dir)
    return Qnil;
  emacs_value s = elisp_string(env, dir, talloc_string_len(&t->alloc, dir));
  return s ? s : Qnil;
}

static emacs_value Fvterm_reset_point(emacs_env *env, ptrdiff_t nargs,
                                      emacs_value args[],
                                      void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  if (!t->in_redraw) /* a callback mid-redraw: the buffer is being edited */
    place_point(t, env);
  return env->funcall(env, Fpoint, 0, NULL);
}

static emacs_value Fvterm_get_icrnl(emacs_env *env, ptrdiff_t nargs,
                                    emacs_value args[],
                                    void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
#ifndef _WIN32
  struct termios tio;
  if (t->pty_fd >= 0 && tcgetattr(t->pty_fd, &tio) == 0 &&
      (tio.c_iflag & ICRNL))
    return Qt;
#endif
  return Qnil;
}

static emacs_value bool_value(bool b) { return b ? Qt : Qnil; }

static emacs_value Fvterm_module_info(emacs_env *env, ptrdiff_t nargs,
                                      emacs_value args[],
                                      void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)args;
  (void)data;
  char version[32];
  snprintf(version, sizeof version, "%d.%d", VTERM_VERSION_MAJOR,
           VTERM_VERSION_MINOR);
#ifdef VTERM_HAVE_LINEINFO_CONTINUATION
  bool continuation = true;
#else
  bool continuation = false;
#endif
#ifdef VTERM_HAVE_STRING_FRAGMENTS
  bool fragments = true;
#else
  bool fragments = false;
#endif
#ifdef VTERM_HAVE_SB_CLEAR
  bool sb_clear = true;
#else
  bool sb_clear = false;
#endif
#ifdef VTERM_USE_ARENA
  bool arena = true;
#else
  bool arena = false;
#endif
#ifdef VTERM_SANITIZED
  bool sanitized = true; /* ASan/UBSan build: Emacs needs the runtime */
#else
  bool sanitized = false;
#endif
  emacs_value items[] = {
      env->intern(env, ":libvterm"),
      env->make_string(env, version, (ptrdiff_t)strlen(version)),
      env->intern(env, ":string-fragments"),
      bool_value(fragments),
      env->intern(env, ":continuation"),
      bool_value(continuation),
      env->intern(env, ":sb-clear"),
      bool_value(sb_clear),
      env->intern(env, ":selection"),
      Qt, /* OSC 52 is decoded here */
      env->intern(env, ":sanitized"),
      bool_value(sanitized),
      env->intern(env, ":arena"),
      bool_value(arena),
      env->intern(env, ":scrollback-max"),
      make_int(env, SB_MAX),
  };
  return env->funcall(env, Flist, (ptrdiff_t)(sizeof items / sizeof items[0]),
                      items);
}

static emacs_value Fvterm_arena_stats(emacs_env *env, ptrdiff_t nargs,
                                      emacs_value args[],
                                      void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  if (!t)
    return Qnil;
  TallocStat stats[16];
  int n = talloc_stats(&t->alloc, stats, 16);
  if (n == 0)
    return Qnil;
  emacs_value items[32];
  for (int i = 0; i < n; i++) {
    items[2 * i] = env->intern(env, stats[i].name);
    items[2 * i + 1] = make_int(env, stats[i].value);
  }
  return env->funcall(env, Flist, 2 * n, items);
}

#ifdef VTERM_USE_ARENA
static emacs_value Fvterm_arena_fail_next_blocks(emacs_env *env,
                                                 ptrdiff_t nargs,
                                                 emacs_value args[],
                                                 void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  intmax_t n;
  if (!arg_int(env, args[0], 0, 1000000, &n))
    return Qnil;
  arena_fail_next_blocks((int)n);
  return Qnil;
}
#endif

#ifdef VTERM_FAULT_INJECTION
static emacs_value Fvterm_inject_fault(emacs_env *env, ptrdiff_t nargs,
                                       emacs_value args[],
                                       void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  static const struct {
    const char *name;
    unsigned fault;
  } sites[] = {{"row-info", FAULT_ROW_INFO}, {"scrollback-ring", FAULT_SB_RING}};
  for (size_t i = 0; i < sizeof sites / sizeof sites[0]; i++)
    if (env->eq(env, args[0], env->intern(env, sites[i].name))) {
      fault_armed |= sites[i].fault;
      return Qt;
    }
  return elisp_signal_value(env, Qwrong_type_argument,
                            env->intern(env, "vterm--fault-site-p"), args[0]);
}
#endif

/* ===== Initialisation ===================================================== */

typedef struct {
  const char *name;
  ptrdiff_t min, max;
  emacs_value (*fn)(emacs_env *, ptrdiff_t, emacs_value *,
                    void *) EMACS_NOEXCEPT;
  const char *doc;
} ModuleFunction;

static const ModuleFunction module_functions[] = {
    {"vterm--new", 2, 8, Fvterm_new,
     "Create a terminal of ROWS x COLS and insert ROWS newlines at point.\n"
     "SCROLLBACK is the number of lines kept (default 1000, at most the\n"
     "module's maximum).  The flags drop bold, underline or inverse video,\n"
     "ignore cursor blink requests, and render bold as bright colours.\n\n"
     "(fn ROWS COLS &optional SCROLLBACK DISABLE-BOLD DISABLE-UNDERLINE "
     "DISABLE-INVERSE IGNORE-BLINK SET-BOLD-HIGHBRIGHT)"},
    {"vterm--update", 1, 5, Fvterm_update,
     "Send KEY with modifiers to TERM, flush its output, schedule a redraw.\n\n"
     "(fn TERM &optional KEY SHIFT META CTRL)"},
    {"vterm--redraw", 1, 1, Fvterm_redraw,
     "Bring the current buffer up to date with TERM.\n\n(fn TERM)"},
    {"vterm--write-input", 2, 2, Fvterm_write_input,
     "Feed the bytes of STRING to TERM.\n\n(fn TERM STRING)"},
    {"vterm--set-size", 3, 3, Fvterm_set_size,
     "Resize TERM to ROWS x COLS and redraw.\n\n(fn TERM ROWS COLS)"},
    {"vterm--set-pty-name", 2, 2, Fvterm_set_pty_name,
     "Tell TERM the name of its pty device.\n\n(fn TERM NAME)"},
    {"vterm--get-pwd-raw", 2, 2, Fvterm_get_pwd_raw,
     "Return the directory recorded for buffer line LINE of TERM, or nil.\n\n"
     "(fn TERM LINE)"},
    {"vterm--reset-point", 1, 1, Fvterm_reset_point,
     "Move point to TERM's cursor and return it.\n\n(fn TERM)"},
    {"vterm--get-icrnl", 1, 1, Fvterm_get_icrnl,
     "Return t if TERM's pty translates CR to NL on input.\n\n(fn TERM)"},
    {"vterm--module-info", 0, 0, Fvterm_module_info,
     "Return a plist describing how the module was built.\n\n(fn)"},
    {"vterm--arena-stats", 1, 1, Fvterm_arena_stats,
     "Return TERM's arena statistics as a plist, or nil without arenas.\n\n"
     "(fn TERM)"},
#ifdef VTERM_FAULT_INJECTION
    {"vterm--inject-fault", 1, 1, Fvterm_inject_fault,
     "Make the next allocation at SITE fail once (for tests).\n"
     "SITE is `row-info' (a resize) or `scrollback-ring' (growing the\n"
     "scrollback).\n\n(fn SITE)"},
#endif
#ifdef VTERM_USE_ARENA
    {"vterm--arena-fail-next-blocks", 1, 1, Fvterm_arena_fail_next_blocks,
     "Make the next N arena block allocations fail (for tests).\n\n(fn N)"},
#endif
};

static void read_emacs_version(emacs_env *env) {
  emacs_value sym = env->intern(env, "emacs-major-version");
  emacs_value v = env->funcall(env, env->intern(env, "symbol-value"), 1, &sym);
  if (!elisp_failed(env))
    emit_extend = env->extract_integer(env, v) >= 27;
  if (elisp_failed(env))
    env->non_local_exit_clear(env);
}

VTERM_EXPORT int
emacs_module_init(struct emacs_runtime *runtime) EMACS_NOEXCEPT {
  if ((size_t)runtime->size < sizeof *runtime)
    return 1;
  emacs_env *env = runtime->get_environment(runtime);
  if ((size_t)env->size < sizeof(struct emacs_env_25))
    return 2;
  if (!elisp_init(env))
    return 3;
  read_emacs_version(env);
  for (size_t i = 0; i < sizeof module_functions / sizeof module_functions[0];
       i++) {
    const ModuleFunction *f = &module_functions[i];
    if (!elisp_defun(env, f->name, f->min, f->max, f->fn, f->doc))
      return 4;
  }
  emacs_value feature = env->intern(env, "vterm-module");
  env->funcall(env, Fprovide, 1, &feature);
  return elisp_failed(env) ? 5 : 0;
}
