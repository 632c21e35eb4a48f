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
  Line **ring = malloc((size_t)cap * sizeof *ring);
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

/* Drops the oldest line, keeping the buffer bookkeeping right. */
static void sb_evict_oldest(Term *t) {
  int slot = sb_slot(t, t->sb_count - 1);
  line_free(t, t->sb[slot]);
  t->sb[slot] = NULL;
  t->sb_count--;
  if (t->sb_in_buffer > 0) {
    t->sb_in_buffer--;
    t->sb_evicted++;
  } else if (t->sb_pending > 0) {
    t->sb_pending--;
  }
}

static void sb_push(Term *t, Line *l) {
  if (t->sb_count == t->sb_cap && t->sb_cap < t->sb_max && !sb_grow(t)) {
    /* No room to grow: fall back to evicting. */
  }
  if (t->sb_count == t->sb_cap)
    sb_evict_oldest(t);
  t->sb_head = (t->sb_head + 1) % t->sb_cap;
  t->sb[t->sb_head] = l;
  t->sb_count++;
  t->sb_pending++;
}

static Line *sb_pop(Term *t) {
  Line *l = t->sb[t->sb_head];
  t->sb[t->sb_head] = NULL;
  t->sb_head = (t->sb_head - 1 + t->sb_cap) % t->sb_cap;
  t->sb_count--;
  if (t->sb_pending > 0) {
    t->sb_pending--;
  } else {
    t->sb_in_buffer--;
    t->sb_popped++;
  }
  return l;
}

static void sb_clear_all(Term *t) {
  while (t->sb_count > 0) {
    int slot = sb_slot(t, t->sb_count - 1);
    line_free(t, t->sb[slot]);
    t->sb[slot] = NULL;
    t->sb_count--;
  }
  t->sb_evicted += t->sb_in_buffer;
  t->sb_in_buffer = 0;
  t->sb_pending = 0;
  t->dirty = true;
}

/* ===== Damage bookkeeping ================================================= */

static void invalidate_rows(Term *t, int start, int end) {
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
  invalidate_rows(user, rect.start_row, rect.end_row);
  return 1;
}

static int cb_moverect(VTermRect dest, VTermRect src, void *user) {
  int start = dest.start_row < src.start_row ? dest.start_row : src.start_row;
  int end = dest.end_row > src.end_row ? dest.end_row : src.end_row;
  invalidate_rows(user, start, end);
  return 1;
}

static int cb_movecursor(VTermPos pos, VTermPos oldpos, int visible,
                         void *user) {
  Term *t = user;
  (void)oldpos;
  (void)visible;
  t->cursor = pos;
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
    invalidate_rows(t, 0, t->rows);
    break;
  default: /* titles arrive through the stream guard; the rest is unused */
    return 1;
  }
  t->dirty = true;
  return 1;
}

/* Shifts row info up by one (row 0 leaves the screen); the new bottom row
 * inherits the directory above it.  Returns row 0's info. */
static RowInfo row_info_shift_up(Term *t) {
  RowInfo top = t->row_info[0];
  memmove(t->row_info, t->row_info + 1,
          (size_t)(t->rows - 1) * sizeof *t->row_info);
  RowInfo *bottom = &t->row_info[t->rows - 1];
  bottom->dir = talloc_string_ref(
      &t->alloc, t->rows > 1 ? t->row_info[t->rows - 2].dir : top.dir);
  bottom->prompt_col = -1;
  return top;
}

static int cb_sb_pushline(int cols, const VTermScreenCell *cells, void *user) {
  Term *t = user;
  RowInfo info = row_info_shift_up(t);
  Line scratch;
  Line *l = NULL;
  if (t->sb_max > 0 && line_encode(t, cells, cols, &scratch)) {
#ifdef VTERM_HAVE_LINEINFO_CONTINUATION
    /* libvterm has already shifted its line info: row 0 is the next line. */
    const VTermLineInfo *next = vterm_state_get_lineinfo(t->state, 0);
    scratch.wrapped = next && next->continuation;
#else
    scratch.wrapped = scratch.ncells == cols;
#endif
    scratch.info = info;
    l = line_copy(t, &scratch);
  }
  if (!l) { /* scrollback off, or out of memory: the line is dropped */
    row_info_clear(t, &info);
    return 0;
  }
  sb_push(t, l);
  t->dirty = true;
  return 1;
}

static int cb_sb_popline(int cols, VTermScreenCell *cells, void *user) {
  Term *t = user;
  if (t->sb_count == 0)
    return 0;
  Line *l = sb_pop(t);
  line_decode(t, l, cells, cols);
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

/* Rebuilds row_info for a new height: lines popped from scrollback come
 * first (the last popped is the oldest), then the old rows, then new rows. */
static void resize_row_info(Term *t, int new_rows) {
  RowInfo *info = malloc((size_t)new_rows * sizeof *info);
  RowInfo *popped = (RowInfo *)(void *)t->popped_info.data;
  int npopped = (int)(t->popped_info.len / sizeof *popped);
  int r = 0;
  if (!info) { /* keep going without directory info rather than fail */
    for (int i = 0; i < npopped; i++)
      row_info_clear(t, &popped[i]);
    t->popped_info.len = 0;
    return;
  }
  for (int i = npopped - 1; i >= 0 && r < new_rows; i--)
    info[r++] = popped[i], popped[i].dir = NULL;
  for (int i = 0; i < t->rows; i++) {
    if (r < new_rows)
      info[r++] = t->row_info[i];
    else
      row_info_clear(t, &t->row_info[i]);
  }
  for (; r < new_rows; r++) {
    info[r].dir = r > 0 ? talloc_string_ref(&t->alloc, info[r - 1].dir) : NULL;
    info[r].prompt_col = -1;
  }
  for (int i = 0; i < npopped; i++)
    row_info_clear(t, &popped[i]);
  t->popped_info.len = 0;
  free(t->row_info);
  t->row_info = info;
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
    vterm_input_write(t->vt, bytes, cut);
    bytes += cut;
    len -= cut;
  }
  vterm_input_write(t->vt, bytes, len);
}

/* REP (CSI Ps b): repeats the character left of the cursor, up to the end
 * of the row, by writing it again.  Done here rather than in libvterm,
 * whose REP never ends when the last glyph had width 0. */
static void sink_repeat(void *user, long count) {
  Term *t = user;
  VTermPos pos;
  vterm_state_get_cursorpos(t->state, &pos);
  VTermScreenCell cell;
  memset(&cell, 0, sizeof cell);
  VTermPos left = {pos.row, pos.col - 1};
  if (left.col >= 0)
    vterm_screen_get_cell(t->screen, left, &cell);
  if (cell.chars[0] == CELL_WIDE_RIGHT && left.col >= 1) {
    left.col--;
    vterm_screen_get_cell(t->screen, left, &cell);
  }
  if (cell.chars[0] == 0 || cell.chars[0] == CELL_WIDE_RIGHT)
    return; /* nothing to repeat */
  char glyph[VTERM_MAX_CHARS_PER_CELL * UTF8_MAX_BYTES];
  size_t n = 0;
  for (int k = 0; k < VTERM_MAX_CHARS_PER_CELL && cell.chars[k]; k++)
    n += utf8_encode(cell.chars[k], glyph + n);
  long room = (t->cols - pos.col) / (cell.width > 1 ? cell.width : 1);
  for (long i = 0; i < count && i < room; i++)
    sink_write(t, glyph, n);
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
  vterm_screen_set_damage_merge(t->screen, VTERM_DAMAGE_SCROLL);
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

/* Puts the built text into a string with its properties and inserts it at
 * point. */
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
  if (!elisp_failed(env))
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

/* Re-renders what changed.  A redraw that fails half way (read-only buffer,
 * an error from Lisp, out of memory) leaves the buffer in an unknown state,
 * so the next one rebuilds it completely. */
static void redraw_text(Term *t, emacs_env *env) {
  Builder b;
  builder_reset(t, &b);
  if (t->resync) {
    redraw_everything(t, env, &b);
  } else {
    redraw_evicted(t, env);
    if (t->sb_pending > 0 || t->sb_popped > 0 || t->rows_in_buffer != t->rows)
      redraw_scrolled(t, env, &b);
    else if (t->invalid_start < t->invalid_end)
      redraw_damaged(t, env, &b);
  }
  if (elisp_failed(env) || b.oom) {
    t->resync = true;
    t->dirty = true;
    return;
  }
  t->resync = false;
  t->rows_in_buffer = t->rows;
  t->invalid_start = t->invalid_end = 0;
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

/* Moves point to the terminal cursor, padding the row with spaces when the
 * cursor sits beyond its text. */
static void place_point(Term *t, emacs_env *env) {
  int row = t->cursor.row < 0 ? 0 : t->cursor.row;
  if (row >= t->rows)
    row = t->rows - 1;
  Line l;
  if (!capture_row(t, row, &l)) {
    elisp_memory_full(env);
    return;
  }
  ptrdiff_t length;
  ptrdiff_t offset = line_offset(&l, t->cursor.col, &length);
  intmax_t start = line_from_end(env, t->rows - row);
  if (offset > length) {
    char spaces[256];
    memset(spaces, ' ', sizeof spaces);
    goto_pos(env, start + length);
    for (ptrdiff_t left = offset - length; left > 0 && !elisp_failed(env);) {
      ptrdiff_t n = left > 256 ? 256 : left;
      emacs_value s = env->make_string(env, spaces, n);
      env->funcall(env, Finsert, 1, &s);
      left -= n;
    }
  }
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

/* Brings the buffer up to date with the terminal.  Re-entrant calls (from
 * Lisp run by an event) are ignored; what they changed is drawn by the
 * outer call's next pass. */
static void term_redraw(Term *t, emacs_env *env) {
  if (t->in_redraw)
    return;
  t->in_redraw = true;
  reset_scratch(t);
  for (int pass = 0; pass < 3 && t->dirty && !elisp_failed(env); pass++) {
    t->dirty = false;
    apply_cursor(t, env);
    if (text_changed(t) && !elisp_failed(env))
      redraw_text(t, env);
    if (!elisp_failed(env))
      place_point(t, env);
    if (!elisp_failed(env))
      deliver_events(t, env);
  }
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
  int status = stream_feed(&t->guard, bytes, (size_t)len);
  free(bytes);
  vterm_screen_flush_damage(t->screen);
  if (status < 0)
    return elisp_memory_full(env);
  return make_int(env, 0);
}

/* libvterm 0.1.x can keep the cursor, or the cursor saved by DECSC, outside
 * a screen that just shrank, and crashes on the next edit.  Move the cursor
 * to where it should be and save that position. */
static void resize_fixup_cursor(Term *t) {
#if VTERM_VERSION_MAJOR == 0 && VTERM_VERSION_MINOR < 2
  VTermPos pos;
  vterm_state_get_cursorpos(t->state, &pos);
  int row = pos.row < 0 ? 0 : pos.row >= t->rows ? t->rows - 1 : pos.row;
  int col = pos.col < 0 ? 0 : pos.col >= t->cols ? t->cols - 1 : pos.col;
  char seq[48];
  int n = snprintf(seq, sizeof seq,
                   "\x1b[%d;%dH\x1b"
                   "7",
                   row + 1, col + 1);
  vterm_input_write(t->vt, seq, (size_t)n);
#else
  (void)t;
#endif
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
  if (rows != t->rows || cols != t->cols) {
    vterm_set_size(t->vt, rows, cols);
    resize_fixup_cursor(t);
    vterm_screen_flush_damage(t->screen);
    t->dirty = true;
    term_redraw(t, env);
  }
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

static emacs_value Fvterm_get_pwd_raw(emacs_env *env, ptrdiff_t nargs,
                                      emacs_value args[],
                                      void *data) EMACS_NOEXCEPT {
  (void)nargs;
  (void)data;
  Term *t = arg_term(env, args[0]);
  intmax_t line;
  if (!t || !arg_int(env, args[1], INTMAX_MIN, INTMAX_MAX, &line))
    return Qnil;
  const char *dir = NULL;
  intmax_t in_buffer = t->sb_in_buffer;
  if (line >= 1 && line <= in_buffer) {
    const Line *l = sb_at(t, t->sb_pending + (int)(in_buffer - line));
    dir = l ? l->info.dir : NULL;
  } else if (line > in_buffer && line - in_buffer <= t->rows) {
    dir = t->row_info[line - in_buffer - 1].dir;
  }
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
