/* render.c - the terminal's buffer (see render.h).
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
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elisp.h"
#include "link.h"
#include "screen.h"
#include "scrollback.h"
#include "sgr.h"
#include "utf8.h"

/* Emacs >= 27 knows the :extend face attribute; set once at init from
 * emacs-major-version (one Emacs per process). */
static bool emit_extend = true;

/* ---- The builder --------------------------------------------------------- */

/* A run of characters in the text being built that shares one style. */
typedef struct {
  ptrdiff_t start, end;
  CellStyle style;
} Span;

enum { MARK_WRAP, MARK_PROMPT, MARK_STATUS };
typedef struct {
  ptrdiff_t pos;
  int kind;
  int value; /* MARK_STATUS: the exit status */
} Mark;

/* Characters [start, end) show OSC 8 link LINK (link.h). */
typedef struct {
  ptrdiff_t start, end;
  uint32_t link;
} LinkMark;

/* Text being built for one insertion: UTF-8 in t->text, spans and marks in
 * t->spans / t->marks, links in t->link_marks, CHARS characters so far. */
typedef struct {
  Term *t;
  ptrdiff_t chars;
  bool oom;
  bool plain; /* record no style runs: lines whose faces come lazily */
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
  Mark m = {pos, kind, 0};
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
  if (end <= start || b->plain)
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

static void builder_link(Builder *b, ptrdiff_t start, ptrdiff_t end,
                         uint32_t link) {
  LinkMark m = {start, end, link};
  if (end > start && !buf_append(&b->t->link_marks, &m, sizeof m))
    b->oom = true;
}

/* Follows a line's link spans cell by cell (render_line). */
typedef struct {
  const RowLinks *links; /* NULL: none, or links are off */
  int next;              /* the span to open or close next */
  ptrdiff_t open_at;     /* where the open span's text starts, or -1 */
} LinkCursor;

/* At cell I, whose text starts at b->chars: closes the span that ended
 * before it, opens the one it starts. */
static void link_cursor_at(Builder *b, LinkCursor *c, int i) {
  const RowLinks *rl = c->links;
  if (c->open_at >= 0 && i >= rl->spans[c->next].end) {
    builder_link(b, c->open_at, b->chars, rl->spans[c->next].link);
    c->open_at = -1;
    c->next++;
  }
  if (c->open_at < 0 && c->next < rl->n && i >= rl->spans[c->next].start)
    c->open_at = b->chars;
}

/* Appends line L (and its newline) to the text. */
static void render_line(Builder *b, const Line *l) {
  int run = 0;
  ptrdiff_t run_start = b->chars, prompt_at = -1;
  int prompt_col = l->info.prompt_col;
  LinkCursor links = {b->t->links.disabled ? NULL : l->info.links, 0, -1};
  LineIter it;
  line_iter_init(&it, l);
  while (line_iter_next(&it)) {
    int i = it.cell;
    if (run + 1 < l->nruns && l->runs[run + 1].start == i) {
      builder_span(b, run_start, b->chars, l->runs[run].style);
      run++;
      run_start = b->chars;
    }
    if (links.links)
      link_cursor_at(b, &links, i);
    if (it.cp == 0)
      continue; /* the right half of a wide character */
    if (prompt_col >= 0 && i >= prompt_col && prompt_at < 0)
      prompt_at = b->chars;
    builder_codepoint(b, it.cp);
    for (int k = 0; k < it.nmarks; k++)
      builder_codepoint(b, it.marks[k]);
  }
  if (l->nruns > 0)
    builder_span(b, run_start, b->chars, l->runs[run].style);
  if (links.open_at >= 0)
    builder_link(b, links.open_at, b->chars,
                 links.links->spans[links.next].link);
  /* A prompt mark needs the prompt itself on the row (a cleared row keeps
   * its info but has no prompt any more). */
  if (prompt_col >= 0 && l->ncells >= prompt_col) {
    builder_mark(b, prompt_at >= 0 ? prompt_at : b->chars, MARK_PROMPT);
    if (l->info.has_status) { /* osc.c: OSC 133;D */
      Mark m = {prompt_at >= 0 ? prompt_at : b->chars, MARK_STATUS,
                l->info.status};
      if (!buf_append(&b->t->marks, &m, sizeof m))
        b->oom = true;
    }
  }
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
  if (!line_encode(&t->scratch, t->cells, t->cols, out))
    return false;
  out->info = t->row_info[row]; /* borrowed */
  out->wrapped = screen_row_wraps(t, row, out);
  return true;
}

/* ---- Faces --------------------------------------------------------------- */

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
  line_unpack_color(t->state, packed, &c);
  vterm_screen_convert_color_to_rgb(t->screen, &c);
  return color_hex(env, c.rgb.red, c.rgb.green, c.rgb.blue);
}

/* Faint, conceal and the double and curly underlines are vterm.el's to
 * draw, under its options: a plist with any of them goes through
 * vterm--attrs-face with the list of their names. */
static emacs_value face_attrs(Term *t, emacs_env *env, emacs_value plist,
                              CellStyle s) {
  emacs_value attrs[3];
  int n = 0;
  unsigned font = STYLE_FONT(s.flags), underline = STYLE_UNDERLINE(s.flags);
  if (font & SGR_FONT_FAINT)
    attrs[n++] = Qfaint;
  if (font & SGR_FONT_CONCEAL)
    attrs[n++] = Qconceal;
  if (underline == VTERM_UNDERLINE_DOUBLE && !t->disable_underline)
    attrs[n++] = Qdouble_underline;
  else if (underline == VTERM_UNDERLINE_CURLY && !t->disable_underline)
    attrs[n++] = Qcurly_underline;
  if (n == 0 || elisp_failed(env))
    return plist;
  emacs_value args[2] = {plist, env->funcall(env, Flist, n, attrs)};
  return env->funcall(env, Fvterm_attrs_face, 2, args);
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
  return face_attrs(t, env, env->funcall(env, Flist, n, items), s);
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

/* ---- Links --------------------------------------------------------------- */

/* Gives the text of each link its properties in STR: the URI
 * (`vterm-hyperlink', also the help-echo), its id, the keymap that opens
 * it, mouse-face. */
static void put_link_props(Term *t, emacs_env *env, emacs_value str) {
  const LinkMark *marks = (const LinkMark *)(void *)t->link_marks.data;
  size_t nmarks = t->link_marks.len / sizeof *marks;
  for (size_t i = 0; i < nmarks && !elisp_failed(env); i++) {
    const Link *link = link_get(&t->links, marks[i].link);
    if (!link)
      continue;
    emacs_value uri = elisp_string(env, link->uri, link->uri_len);
    emacs_value id =
        link->id_len ? elisp_string(env, link->id, link->id_len) : Qnil;
    emacs_value items[10] = {Qvterm_hyperlink,
                             uri,
                             Qvterm_hyperlink_id,
                             id,
                             Qhelp_echo,
                             uri,
                             Qmouse_face,
                             Qhighlight,
                             Qkeymap,
                             Qvterm_hyperlink_map};
    emacs_value args[4] = {elisp_integer(env, marks[i].start),
                           elisp_integer(env, marks[i].end),
                           env->funcall(env, Flist, 10, items), str};
    if (elisp_failed(env))
      return;
    env->funcall(env, Fadd_text_properties, 4, args);
  }
}

/* Puts the `vterm-hyperlink' face in front of the faces of the style spans
 * under each link.  OBJECT is the built string (OFFSET 0), or nil for the
 * buffer, where the built text starts at position OFFSET (lazy faces). */
static void put_link_faces(Term *t, emacs_env *env, FaceCache *cache,
                           emacs_value object, intmax_t offset) {
  const LinkMark *marks = (const LinkMark *)(void *)t->link_marks.data;
  size_t nmarks = t->link_marks.len / sizeof *marks;
  const Span *spans = (const Span *)(void *)t->spans.data;
  size_t nspans = t->spans.len / sizeof *spans, first = 0;
  for (size_t i = 0; i < nmarks && !elisp_failed(env); i++) {
    if (!link_get(&t->links, marks[i].link))
      continue;
    while (first < nspans && spans[first].end <= marks[i].start)
      first++;
    for (size_t k = first;
         k < nspans && spans[k].start < marks[i].end && !elisp_failed(env);
         k++) {
      ptrdiff_t from = spans[k].start > marks[i].start ? spans[k].start
                                                       : marks[i].start;
      ptrdiff_t to = spans[k].end < marks[i].end ? spans[k].end : marks[i].end;
      emacs_value faces[2] = {Qvterm_hyperlink,
                              face_lookup(t, env, cache, spans[k].style)};
      emacs_value put[5] = {elisp_integer(env, offset + from),
                            elisp_integer(env, offset + to), Qfont_lock_face,
                            env->funcall(env, Flist, 2, faces), object};
      env->funcall(env, Fput_text_property, 5, put);
    }
  }
}

/* ---- Buffer edits -------------------------------------------------------- */

/* Position of the start of the Nth line counted from the end of the buffer
 * (1 is the last line); point is left there. */
static intmax_t line_from_end(emacs_env *env, int n) {
  elisp_goto_char(env, elisp_position(env, Fpoint_max));
  elisp_forward_line(env, -(intmax_t)n);
  return elisp_position(env, Fpoint);
}

/* Puts the built text into a string with its properties and inserts it at
 * point.  Face lookups call vterm--get-color, which may switch buffers: the
 * text goes into the terminal's buffer all the same.  Returns whether the
 * text is in the buffer. */
static bool insert_built(Term *t, emacs_env *env, Builder *b) {
  if (b->oom) {
    elisp_memory_full(env);
    return false;
  }
  if (b->chars == 0)
    return !elisp_failed(env);
  emacs_value str = elisp_text_string(env, t->text.data,
                                      (ptrdiff_t)t->text.len, b->chars);
  if (elisp_failed(env))
    return false;
  FaceCache *cache = talloc_temp(&t->alloc, sizeof *cache);
  bool cache_malloced = cache == NULL;
  if (cache)
    memset(cache, 0, sizeof *cache);
  else if (!(cache = calloc(1, sizeof *cache))) {
    elisp_memory_full(env);
    return false;
  }
  const Span *spans = (const Span *)(void *)t->spans.data;
  size_t nspans = t->spans.len / sizeof *spans;
  for (size_t i = 0; i < nspans && !elisp_failed(env); i++) {
    emacs_value args[5] = {elisp_integer(env, spans[i].start),
                           elisp_integer(env, spans[i].end), Qfont_lock_face,
                           face_lookup(t, env, cache, spans[i].style), str};
    env->funcall(env, Fput_text_property, 5, args);
  }
  put_link_props(t, env, str);
  put_link_faces(t, env, cache, str, 0);
  if (cache_malloced)
    free(cache);
  emacs_value wrap_items[4] = {Qvterm_line_wrap, Qt, Qrear_nonsticky, Qt};
  emacs_value prompt_items[4] = {Qvterm_prompt, Qt, Qrear_nonsticky, Qt};
  emacs_value plists[2] = {env->funcall(env, Flist, 4, wrap_items),
                           env->funcall(env, Flist, 4, prompt_items)};
  const Mark *marks = (const Mark *)(void *)t->marks.data;
  size_t nmarks = t->marks.len / sizeof *marks;
  for (size_t i = 0; i < nmarks && !elisp_failed(env); i++) {
    if (marks[i].kind == MARK_STATUS) {
      emacs_value args[5] = {elisp_integer(env, marks[i].pos),
                             elisp_integer(env, marks[i].pos + 1),
                             Qvterm_command_status,
                             elisp_integer(env, marks[i].value), str};
      env->funcall(env, Fput_text_property, 5, args);
      continue;
    }
    emacs_value args[4] = {elisp_integer(env, marks[i].pos),
                           elisp_integer(env, marks[i].pos + 1),
                           plists[marks[i].kind == MARK_PROMPT], str};
    env->funcall(env, Fadd_text_properties, 4, args);
  }
  return !elisp_failed(env) && elisp_enter_buffer(env, t->redraw_buffer) &&
         elisp_insert(env, str);
}

/* ---- Redraw -------------------------------------------------------------- */

static void builder_reset(Term *t, Builder *b) {
  t->text.len = t->spans.len = t->marks.len = t->link_marks.len = 0;
  b->t = t;
  b->chars = 0;
  b->oom = false;
  b->plain = false;
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
  intmax_t start = elisp_position(env, Fpoint_min);
  if (elisp_goto_char(env, start) && elisp_forward_line(env, t->sb_evicted) &&
      elisp_delete_region(env, start, elisp_position(env, Fpoint)))
    t->sb_evicted = 0;
}

/* The buffer no longer matches what the bookkeeping says (a redraw failed
 * half way): rebuild it from the scrollback ring and the screen. */
static void redraw_everything(Term *t, emacs_env *env, Builder *b) {
  bool deleted = elisp_delete_region(env, elisp_position(env, Fpoint_min),
                                     elisp_position(env, Fpoint_max));
  b->plain = t->lazy_faces;
  for (int i = t->sb_count - 1; i >= 0 && !b->oom; i--)
    render_line(b, sb_at(t, i));
  b->plain = false;
  render_screen_rows(t, b, 0, t->rows);
  if (deleted && insert_built(t, env, b)) {
    t->sb_in_buffer = t->sb_count;
    t->sb_pending = t->sb_popped = t->sb_evicted = 0;
  }
}

/* New scrollback lines and the whole screen, after scrolling or a resize. */
static void redraw_scrolled(Term *t, emacs_env *env, Builder *b) {
  intmax_t start = line_from_end(env, t->rows_in_buffer + t->sb_popped);
  bool deleted =
      elisp_delete_region(env, start, elisp_position(env, Fpoint_max));
  b->plain = t->lazy_faces;
  for (int i = t->sb_pending - 1; i >= 0 && !b->oom; i--)
    render_line(b, sb_at(t, i));
  b->plain = false;
  render_screen_rows(t, b, 0, t->rows);
  if (deleted && insert_built(t, env, b)) {
    t->sb_in_buffer += t->sb_pending;
    t->sb_pending = t->sb_popped = 0;
  }
}

/* Just the damaged rows. */
static void redraw_damaged(Term *t, emacs_env *env, Builder *b) {
  intmax_t start = line_from_end(env, t->rows - t->invalid_start);
  intmax_t end = t->invalid_end >= t->rows
                     ? elisp_position(env, Fpoint_max)
                     : line_from_end(env, t->rows - t->invalid_end);
  elisp_delete_region(env, start, end);
  elisp_goto_char(env, start);
  render_screen_rows(t, b, t->invalid_start, t->invalid_end);
  insert_built(t, env, b);
}

void render_text(Term *t, emacs_env *env) {
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
  sb_snapshot_drawn_dirs(t);
}

/* ---- Lazy faces ---------------------------------------------------------- */

/* Puts the faces on scrollback line L, drawn plain at buffer position START
 * and ending at EOL, if the buffer line still holds its text. */
static void fontify_line(Term *t, emacs_env *env, FaceCache *cache,
                         const Line *l, intmax_t start, intmax_t eol) {
  Builder b;
  builder_reset(t, &b);
  render_line(&b, l);
  if (b.oom) {
    elisp_memory_full(env);
    return;
  }
  if (eol - start != b.chars - 1)
    return; /* not the text drawn for L (copy mode joined lines) */
  const Span *spans = (const Span *)(void *)t->spans.data;
  size_t nspans = t->spans.len / sizeof *spans;
  for (size_t i = 0; i < nspans && !elisp_failed(env); i++) {
    emacs_value args[4] = {elisp_integer(env, start + spans[i].start),
                           elisp_integer(env, start + spans[i].end),
                           Qfont_lock_face,
                           face_lookup(t, env, cache, spans[i].style)};
    env->funcall(env, Fput_text_property, 4, args);
  }
  put_link_faces(t, env, cache, Qnil, start);
}

void render_fontify(Term *t, emacs_env *env, intmax_t line, intmax_t start,
                    intmax_t end) {
  if (line < 0) /* counted from the end: the buffer has every line drawn */
    line += (intmax_t)t->sb_evicted + t->sb_in_buffer + t->sb_popped +
            t->rows_in_buffer + 1;
  if (line < 1)
    return; /* not a line of the buffer as drawn */
  FaceCache *cache = calloc(1, sizeof *cache);
  if (!cache) {
    elisp_memory_full(env);
    return;
  }
  for (; start < end && !elisp_failed(env); line++) {
    bool past = false;
    const Line *l = sb_buffer_line(t, line, &past);
    if (past)
      break; /* lines popped back to the screen, and the screen: eager */
    if (!elisp_goto_char(env, start))
      break;
    intmax_t eol = elisp_position(env, Fline_end_position);
    if (elisp_failed(env))
      break;
    if (l)
      fontify_line(t, env, cache, l, start, eol);
    start = eol + 1;
  }
  free(cache);
}

/* ---- Point --------------------------------------------------------------- */

/* Characters before cell COL of line L, and the line's length: what
 * render_line puts in the buffer for it, counted the same way. */
static ptrdiff_t line_offset(const Line *l, int col, ptrdiff_t *length) {
  ptrdiff_t chars = 0, at = -1;
  LineIter it;
  line_iter_init(&it, l);
  while (line_iter_next(&it)) {
    if (it.cell == col)
      at = chars;
    if (it.cp != 0)
      chars += 1 + it.nmarks;
  }
  *length = chars;
  return at >= 0 ? at : chars + (col - l->ncells);
}

/* Makes screen ROW's buffer line end in just enough spaces for a cursor at
 * character OFFSET (none for a row without the cursor).  Padding is not
 * terminal text: it goes when the cursor leaves the row, so every redraw
 * cadence leaves the same buffer.  Returns the line's start. */
static intmax_t set_padding(Term *t, emacs_env *env, int row,
                            ptrdiff_t offset) {
  intmax_t start = line_from_end(env, t->rows - row);
  intmax_t end = elisp_position(env, Fline_end_position);
  if (elisp_failed(env))
    return start;
  ptrdiff_t padded = t->pad_row == row ? t->pad_count : 0;
  ptrdiff_t text = (ptrdiff_t)(end - start) - padded;
  ptrdiff_t want = offset > text ? offset - text : 0;
  if (want < padded) {
    elisp_delete_region(env, end - (padded - want), end);
  } else if (want > padded) {
    char spaces[256];
    memset(spaces, ' ', sizeof spaces);
    elisp_goto_char(env, end);
    for (ptrdiff_t left = want - padded; left > 0 && !elisp_failed(env);) {
      ptrdiff_t n = left > 256 ? 256 : left;
      elisp_insert(env, env->make_string(env, spaces, n));
      left -= n;
    }
  }
  t->pad_row = row;
  t->pad_count = elisp_failed(env) ? 0 : want;
  return start;
}

/* Pads the row with spaces when the cursor sits beyond its text.  The
 * padding is measured against the buffer line, which may carry padding from
 * an earlier call already. */
void render_place_point(Term *t, emacs_env *env) {
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
  elisp_goto_char(env, start + offset);
}

/* ---- Cursor -------------------------------------------------------------- */

void render_cursor(Term *t, emacs_env *env) {
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
      emacs_value arg = elisp_integer(env, t->cursor_blink ? 1 : 0);
      env->funcall(env, Fblink_cursor_mode, 1, &arg);
    }
    t->cursor_blink_dirty = false;
  }
}

void render_release_scratch(Term *t) {
  const size_t keep = 1 << 20;
  buf_trim(&t->text, keep);
  buf_trim(&t->spans, keep);
  buf_trim(&t->marks, keep);
  buf_trim(&t->link_marks, keep);
}

bool render_text_changed(const Term *t) {
  return t->resync || t->sb_pending > 0 || t->sb_popped > 0 ||
         t->sb_evicted > 0 || t->rows_in_buffer != t->rows ||
         t->invalid_start < t->invalid_end;
}

void render_init(emacs_env *env) {
  emacs_value sym = env->intern(env, "emacs-major-version");
  emacs_value v = env->funcall(env, env->intern(env, "symbol-value"), 1, &sym);
  if (!elisp_failed(env))
    emit_extend = env->extract_integer(env, v) >= 27;
  if (elisp_failed(env))
    env->non_local_exit_clear(env);
}
