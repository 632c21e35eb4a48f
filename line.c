/* line.c - one terminal row in compact form (see line.h).
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
#include "line.h"

#include <stdlib.h>
#include <string.h>

/* ---- Colours and styles -------------------------------------------------- */

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

void line_unpack_color(const VTermState *state, uint32_t packed,
                       VTermColor *out) {
  VTermColor fg, bg;
  switch (COLOR_TAG(packed)) {
  case COLOR_DEFAULT_FG:
  case COLOR_DEFAULT_BG:
    vterm_state_get_default_colors(state, &fg, &bg);
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

static void style_apply(const VTermState *state, CellStyle s,
                        VTermScreenCell *c) {
  line_unpack_color(state, s.fg, &c->fg);
  line_unpack_color(state, s.bg, &c->bg);
  c->attrs.bold = (s.flags & STYLE_BOLD) != 0;
  c->attrs.underline = STYLE_UNDERLINE(s.flags);
  c->attrs.italic = (s.flags & STYLE_ITALIC) != 0;
  c->attrs.blink = (s.flags & STYLE_BLINK) != 0;
  c->attrs.reverse = (s.flags & STYLE_REVERSE) != 0;
  c->attrs.strike = (s.flags & STYLE_STRIKE) != 0;
  c->attrs.font = (s.flags >> STYLE_FONT_SHIFT) & 15u;
}

/* ---- Row info ------------------------------------------------------------ */

void row_info_clear(TermAlloc *a, RowInfo *r) {
  talloc_string_unref(a, r->dir);
  r->dir = NULL;
  free(r->links);
  r->links = NULL;
  r->prompt_col = -1;
  r->has_status = false;
  r->continuation = false;
}

void row_info_blank(TermAlloc *a, RowInfo *r, const char *dir) {
  r->dir = talloc_string_ref(a, dir);
  r->links = NULL;
  r->prompt_col = -1;
  r->has_status = false;
  r->continuation = false;
}

bool line_encode(LineScratch *s, const VTermScreenCell *cells, int n,
                 Line *out) {
  int used = n;
  while (used > 0 && cells[used - 1].chars[0] == 0)
    used--;
  s->chars.len = s->runs.len = s->extra.len = 0;
  if (!buf_reserve(&s->chars, (size_t)used * sizeof(uint32_t)) ||
      !buf_reserve(&s->runs, (size_t)(used + 1) * sizeof(StyleRun)))
    return false;
  uint32_t *chars = (uint32_t *)(void *)s->chars.data;
  StyleRun *runs = (StyleRun *)(void *)s->runs.data;
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
        if (!buf_append(&s->extra, &x, sizeof x))
          return false;
        nextra++;
      }
    }
    chars[i] = ch;
    CellStyle style = style_of(c);
    if (nruns == 0 ||
        memcmp(&runs[nruns - 1].style, &style, sizeof style) != 0) {
      runs[nruns].start = i;
      runs[nruns].style = style;
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
  out->extra = (ExtraChars *)(void *)s->extra.data;
  out->info.prompt_col = -1;
  out->info.has_status = false;
  return true;
}

/* memcpy that accepts an empty (possibly NULL) source. */
static void copy_n(void *dst, const void *src, size_t n) {
  if (n > 0)
    memcpy(dst, src, n);
}

Line *line_copy(TermAlloc *a, const Line *src) {
  size_t chars = (size_t)src->ncells * sizeof(uint32_t);
  size_t runs = (size_t)src->nruns * sizeof(StyleRun);
  size_t extra = (size_t)src->nextra * sizeof(ExtraChars);
  int8_t origin;
  Line *l = talloc_record(a, sizeof *l + chars + runs + extra, &origin);
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

void line_free(TermAlloc *a, Line *l) {
  if (l) {
    row_info_clear(a, &l->info);
    talloc_record_free(a, l, l->origin);
  }
}

void line_decode(const VTermState *state, const Line *l, VTermScreenCell *cells,
                 int n) {
  int run = 0, extra = 0;
  CellStyle blank_style = {(uint32_t)COLOR_DEFAULT_FG << 24,
                           (uint32_t)COLOR_DEFAULT_BG << 24, 0};
  for (int i = 0; i < n; i++) {
    VTermScreenCell *c = &cells[i];
    memset(c, 0, sizeof *c);
    c->width = 1;
    if (i >= l->ncells) {
      style_apply(state, blank_style, c);
      continue;
    }
    while (run + 1 < l->nruns && l->runs[run + 1].start <= i)
      run++;
    style_apply(state, l->nruns ? l->runs[run].style : blank_style, c);
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
