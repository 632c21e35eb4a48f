/* feed.c - bytes from the stream guard into libvterm (see feed.h).
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
#include "feed.h"

#include <string.h>

#include "keys.h"
#include "link.h"
#include "osc.h"
#include "screen.h"
#include "sgr.h"
#include "utf8.h"

/* Combining marks (Unicode categories Mn and Me, the zero-width joiners and
 * the variation selectors): code points libvterm joins to the glyph before
 * them.  Ranges, sorted.  Every range of libvterm's own table (0.1.4 and
 * 0.3.3 share it: Markus Kuhn's zero-width list, which also has format
 * characters such as U+0600 and U+FFF9) is included, or a split write would
 * leave such a character behind where a whole write joins it. */
static const struct {
  uint32_t first, last;
} combining_ranges[] = {
    {0x0300, 0x036F},   {0x0483, 0x0489},   {0x0591, 0x05BD},
    {0x05BF, 0x05BF},   {0x05C1, 0x05C2},   {0x05C4, 0x05C5},
    {0x05C7, 0x05C7},   {0x0600, 0x0603},   {0x0610, 0x061A},
    {0x064B, 0x065F},   {0x0670, 0x0670},   {0x06D6, 0x06E4},
    {0x06E7, 0x06E8},   {0x06EA, 0x06ED},   {0x070F, 0x070F},
    {0x0711, 0x0711},   {0x0730, 0x074A},   {0x07A6, 0x07B0},
    {0x07EB, 0x07F3},   {0x0816, 0x082D},   {0x0859, 0x085B},
    {0x08D3, 0x0902},   {0x093A, 0x093A},   {0x093C, 0x093C},
    {0x0941, 0x0948},   {0x094D, 0x094D},   {0x0951, 0x0957},
    {0x0962, 0x0963},   {0x0981, 0x0981},   {0x09BC, 0x09BC},
    {0x09C1, 0x09C4},   {0x09CD, 0x09CD},   {0x09E2, 0x09E3},
    {0x0A01, 0x0A02},   {0x0A3C, 0x0A3C},   {0x0A41, 0x0A51},
    {0x0A70, 0x0A71},   {0x0A75, 0x0A75},   {0x0A81, 0x0A82},
    {0x0ABC, 0x0ABC},   {0x0AC1, 0x0AC8},   {0x0ACD, 0x0ACD},
    {0x0AE2, 0x0AE3},   {0x0B01, 0x0B01},   {0x0B3C, 0x0B3C},
    {0x0B3F, 0x0B3F},   {0x0B41, 0x0B44},   {0x0B4D, 0x0B4D},
    {0x0B56, 0x0B56},   {0x0B82, 0x0B82},   {0x0BC0, 0x0BC0},
    {0x0BCD, 0x0BCD},   {0x0C3E, 0x0C40},   {0x0C46, 0x0C56},
    {0x0CBC, 0x0CBC},   {0x0CBF, 0x0CBF},   {0x0CC6, 0x0CC6},
    {0x0CCC, 0x0CCD},   {0x0CE2, 0x0CE3},   {0x0D41, 0x0D44},
    {0x0D4D, 0x0D4D},   {0x0DCA, 0x0DCA},   {0x0DD2, 0x0DD6},
    {0x0E31, 0x0E31},   {0x0E34, 0x0E3A},   {0x0E47, 0x0E4E},
    {0x0EB1, 0x0EB1},   {0x0EB4, 0x0EBC},   {0x0EC8, 0x0ECD},
    {0x0F18, 0x0F19},   {0x0F35, 0x0F35},   {0x0F37, 0x0F37},
    {0x0F39, 0x0F39},   {0x0F71, 0x0F7E},   {0x0F80, 0x0F84},
    {0x0F86, 0x0F87},   {0x0F8D, 0x0FBC},   {0x0FC6, 0x0FC6},
    {0x102D, 0x1030},   {0x1032, 0x1037},   {0x1039, 0x103A},
    {0x1058, 0x1059},   {0x1160, 0x11FF},   {0x135D, 0x135F},
    {0x1712, 0x1714},   {0x1732, 0x1734},   {0x1752, 0x1753},
    {0x1772, 0x1773},   {0x17B4, 0x17B5},   {0x17B7, 0x17BD},
    {0x17C6, 0x17C6},   {0x17C9, 0x17D3},   {0x17DD, 0x17DD},
    {0x180B, 0x180D},   {0x18A9, 0x18A9},   {0x1920, 0x1922},
    {0x1927, 0x1928},   {0x1932, 0x1932},   {0x1939, 0x193B},
    {0x1A17, 0x1A18},   {0x1AB0, 0x1B03},   {0x1B34, 0x1B34},
    {0x1B36, 0x1B3A},   {0x1B3C, 0x1B3C},   {0x1B42, 0x1B42},
    {0x1B6B, 0x1B73},   {0x1DC0, 0x1DFF},   {0x200B, 0x200F},
    {0x202A, 0x202E},   {0x2060, 0x2064},   {0x206A, 0x206F},
    {0x20D0, 0x20F0},   {0x302A, 0x302F},   {0x3099, 0x309A},
    {0xA66F, 0xA672},   {0xA674, 0xA67D},   {0xA69E, 0xA69F},
    {0xA6F0, 0xA6F1},   {0xA802, 0xA802},   {0xA806, 0xA806},
    {0xA80B, 0xA80B},   {0xA825, 0xA826},   {0xA8C4, 0xA8C5},
    {0xA8E0, 0xA8F1},   {0xFB1E, 0xFB1E},   {0xFE00, 0xFE0F},
    {0xFE20, 0xFE2F},   {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},
    {0x10A01, 0x10A03}, {0x10A05, 0x10A06}, {0x10A0C, 0x10A0F},
    {0x10A38, 0x10A3A}, {0x10A3F, 0x10A3F}, {0x1D167, 0x1D169},
    {0x1D173, 0x1D182}, {0x1D185, 0x1D18B}, {0x1D1AA, 0x1D1AD},
    {0x1D242, 0x1D244}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
    {0xE0100, 0xE01EF},
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

/* The first code point of BYTES (valid UTF-8: the stream guard never ends
 * a write inside a character, nor lets a malformed one through); its
 * length goes to *SIZE (0 when LEN is).  */
static uint32_t codepoint_at(const char *bytes, size_t len, size_t *size) {
  Utf8Decoder d = {0, 0, 0, 0};
  uint32_t cps[2] = {0, 0};
  size_t i = 0;
  while (i < len && utf8_decode_byte(&d, (unsigned char)bytes[i++], cps) == 0)
    ;
  *size = i;
  return cps[0];
}

/* Length of the leading combining marks of BYTES. */
static size_t leading_marks(const char *bytes, size_t len) {
  size_t at = 0, size;
  while (at < len && is_combining(codepoint_at(bytes + at, len - at, &size)))
    at += size;
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
  /* Back onto the glyph with the pending wrap cancelled.  Control
   * characters, not CSI moves: in origin mode libvterm clamps the cursor
   * into the margins after every CSI, and it may sit outside them.  BS
   * leaves the glyph's column, HT comes back to the last column (no tab
   * stop lies between), BS again for a wide glyph.  A wide glyph filling
   * a 2-column row sits in column 0, where BS does not move: HT alone
   * cancels the pending wrap (libvterm cancels it on any move). */
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
void feed_clamp_cursor(Term *t) {
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
    size_t size;
    uint32_t cp = codepoint_at(bytes + start, end - start, &size);
    if (size != end - start || cp < 0x20 || cp == 0x7F)
      return len;
    if (!is_combining(cp))
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

/* RIS (ESC c) and DECSTR (CSI ! p) make libvterm turn mouse reporting off
 * without a settermprop callback, so Term.mouse_mode is reset here.  The
 * guard may hand an escape sequence over in two writes, the ESC and then
 * its final byte (t->after_esc: the last write was a lone ESC). */
static void watch_resets(Term *t, const char *bytes, size_t len) {
  bool ris = (len == 2 && bytes[0] == '\x1b' && bytes[1] == 'c') ||
             (t->after_esc && bytes[0] == 'c');
  bool decstr = len == 4 && memcmp(bytes, "\x1b[!p", 4) == 0;
  if (ris || decstr) {
    t->mouse_mode = VTERM_PROP_MOUSE_NONE;
    t->mouse_x10 = false;
  }
  if (ris)
    t->sync_on = false; /* RIS resets every mode */
  t->after_esc = len == 1 && bytes[0] == '\x1b';
}

/* One DEC private mode (DIGITS, N of them) set (FINAL 'h') or reset ('l').
 * libvterm does not know X10 mouse reporting (mode 9): it gets mode 1000,
 * and Term.mouse_x10 tells keys.c to report presses only. */
static void write_dec_mode(Term *t, const char *digits, size_t n, char final) {
  bool x10 = n == 1 && digits[0] == '9';
  char seq[3 + 5 + 1] = {'\x1b', '[', '?'};
  if (x10) {
    digits = "1000";
    n = 4;
  }
  memcpy(seq + 3, digits, n);
  seq[3 + n] = final;
  vterm_input_write(t->vt, seq, 3 + n + 1);
  if (x10) /* after the settermprop callback, which clears it */
    t->mouse_x10 = final == 'h';
}

/* A DECSET or DECRST (CSI ? Pm h, CSI ? Pm l; canonical, from the guard)
 * goes to libvterm one mode per sequence: libvterm 0.1.4 applies only the
 * first mode of a list, and ncurses sends several at once (htop turns the
 * mouse on with CSI ? 1006 ; 1000 h).  Returns false, writing nothing, for
 * any other sequence. */
static bool write_dec_modes(Term *t, const char *bytes, size_t len) {
  if (len < 5 || bytes[1] != '[' || bytes[2] != '?' ||
      (bytes[len - 1] != 'h' && bytes[len - 1] != 'l'))
    return false;
  for (size_t i = 3; i < len - 1; i++)
    if (bytes[i] != ';' && (bytes[i] < '0' || bytes[i] > '9'))
      return false;
  size_t start = 3;
  for (size_t i = 3; i < len; i++) {
    if (i < len - 1 && bytes[i] != ';')
      continue;
    size_t n = i - start; /* the guard clamps values to 65535: <= 5 digits */
    if (n > 0 && n <= 5)
      write_dec_mode(t, bytes + start, n, bytes[len - 1]);
    start = i + 1;
  }
  return true;
}

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

/* Whether the glyph at POS is as wide as the row. */
static bool fills_row(Term *t, VTermPos pos) {
  VTermScreenCell cell;
  memset(&cell, 0, sizeof cell);
  vterm_screen_get_cell(t->screen, pos, &cell);
  return cell.width >= t->cols;
}

/* Marks at the start of a text write join the glyph before them, which
 * libvterm redraws: with links about, that damage must not drop the
 * glyph's link, so it is flushed apart, with the links frozen.  Returns the
 * bytes of BYTES used. */
static size_t write_leading_marks(Term *t, const char *bytes, size_t len) {
  bool keep = link_on_screen(t) && leading_marks(bytes, len) > 0;
  if (keep) {
    vterm_screen_flush_damage(t->screen);
    t->links_frozen = true;
  }
  size_t used = rejoin_combining(t, bytes, len);
  if (keep && used == 0) {
    used = leading_marks(bytes, len);
    vterm_input_write(t->vt, bytes, used);
  }
  if (keep) {
    vterm_screen_flush_damage(t->screen);
    t->links_frozen = false;
  }
  return used;
}

/* The cells of the glyph just written, which left the cursor at AFTER:
 * under it when it ended at the edge (PENDING), else just left of it. */
static void mark_glyph_cells(Term *t, VTermPos after, bool pending) {
  VTermScreenCell cell;
  memset(&cell, 0, sizeof cell);
  if (pending) {
    vterm_screen_get_cell(t->screen, after, &cell);
    link_mark_cells(t, after.row, after.col, after.col + cell.width);
    return;
  }
  if (after.col <= 0)
    return;
  VTermPos left = {after.row, after.col - 1};
  vterm_screen_get_cell(t->screen, left, &cell);
  int start = cell.chars[0] == CELL_WIDE_RIGHT ? left.col - 1 : left.col;
  link_mark_cells(t, after.row, start < 0 ? 0 : start, after.col);
}

/* Text while an OSC 8 link is active: one glyph (a character and the marks
 * after it) per write, so the cells each one takes are known, and damage
 * flushed around each, so the damage callback drops the cells' old links
 * before the new one is recorded.  Control characters go alone and take
 * no cells.  Link text is short; a long one costs a write per glyph. */
static void term_write_linked(Term *t, const char *bytes, size_t len) {
  size_t at = 0;
  while (at < len) {
    size_t size;
    uint32_t cp = codepoint_at(bytes + at, len - at, &size);
    bool control = cp < 0x20 || cp == 0x7F;
    size_t end = at + size;
    if (!control)
      end += leading_marks(bytes + end, len - end);
    VTermPos before, after;
    vterm_state_get_cursorpos(t->state, &before);
    vterm_screen_flush_damage(t->screen);
    vterm_input_write(t->vt, bytes + at, end - at);
    vterm_screen_flush_damage(t->screen);
    vterm_state_get_cursorpos(t->state, &after);
    at = end;
    if (control) {
      t->glyph_at_edge = false;
      continue;
    }
    /* As in term_write_text: a cursor that stayed on this glyph at the
     * edge means a pending wrap. */
    bool pending = before.row == after.row && before.col == after.col &&
                   cursor_on_edge_glyph(t, &t->edge_pos, cp);
    t->glyph_at_edge = pending;
    mark_glyph_cells(t, after, pending);
  }
}

/* Text for libvterm.  Its last glyph goes in a write of its own: if the
 * cursor stays where that glyph went, the glyph ended at the right edge
 * and a wrap is pending (libvterm does not say so otherwise). */
static void term_write_plain(Term *t, const char *bytes, size_t len) {
  size_t last = last_glyph_start(bytes, len);
  if (last > 0)
    vterm_input_write(t->vt, bytes, last);
  VTermPos before, after;
  size_t size;
  vterm_state_get_cursorpos(t->state, &before);
  if (last < len)
    vterm_input_write(t->vt, bytes + last, len - last);
  vterm_state_get_cursorpos(t->state, &after);
  /* A wrap that cannot scroll (below the margins) can also bring the
   * cursor back to where it was: the glyph there must be this one.  A
   * glyph as wide as the row (a wide one on 2 columns) always leaves the
   * wrap pending on itself, even when it wrapped first: the cursor then
   * moved, from the glyph before it. */
  t->glyph_at_edge =
      last < len &&
      cursor_on_edge_glyph(t, &t->edge_pos,
                           codepoint_at(bytes + last, len - last, &size)) &&
      ((before.row == after.row && before.col == after.col) ||
       (after.col == 0 && fills_row(t, after)));
}

/* ---- Synchronized output (DEC mode 2026) ---------------------------------
 * The guard hands every CSI over whole and canonical (no leading zeros, at
 * most 16 parameters), so the sequences are recognised here whatever the
 * chunking.  libvterm still parses everything: only the redraw is held
 * (term_redraw), so replies and the screen state stay current. */

#define SYNC_MODE 2026

/* Whether the canonical CSI BYTES (LEN bytes, final byte included) is a
 * DEC private mode set or reset (CSI ? Pm h / l) naming mode 2026. */
static bool sync_mode_csi(const char *bytes, size_t len) {
  if (len < 5 || bytes[2] != '?' ||
      (bytes[len - 1] != 'h' && bytes[len - 1] != 'l'))
    return false;
  long value = 0;
  bool digits = false;
  for (size_t i = 3; i < len; i++) {
    char c = bytes[i];
    if (c >= '0' && c <= '9') {
      value = value * 10 + (c - '0'); /* the guard caps each at 65535 */
      digits = true;
    } else if (c == ';' || c == ':' || i == len - 1) {
      if (digits && value == SYNC_MODE)
        return true;
      value = 0;
      digits = false;
    } else {
      return false; /* an intermediate byte: not DECSET/DECRST */
    }
  }
  return false;
}

/* Whether the canonical CSI BYTES is DECRQM (CSI ? Ps $ p) for mode 2026.
 * Parameters after the first are ignored, as libvterm does. */
static bool sync_query_csi(const char *bytes, size_t len) {
  static const char prefix[] = "\x1b[?2026";
  size_t n = sizeof prefix - 1;
  if (len < n + 2 || memcmp(bytes, prefix, n) != 0 || bytes[len - 2] != '$' ||
      bytes[len - 1] != 'p')
    return false;
  for (size_t i = n; i < len - 2; i++)
    if (!(bytes[i] == ';' || bytes[i] == ':' ||
          (bytes[i] >= '0' && bytes[i] <= '9')))
      return false;
  /* Not a longer number such as 20260. */
  return bytes[n] == '$' || bytes[n] == ';' || bytes[n] == ':';
}

/* Handles the sequences of mode 2026; returns true when BYTES was
 * consumed (the DECRQM query, answered here). */
static bool sync_sequence(Term *t, const char *bytes, size_t len) {
  if (sync_query_csi(bytes, len)) {
    /* DECRPM: 1 set, 2 reset. */
    keys_output(t->sync_on ? "\x1b[?2026;1$y" : "\x1b[?2026;2$y", 11, t);
    return true;
  }
  if (len >= 2 && bytes[1] == '[' && sync_mode_csi(bytes, len))
    t->sync_on = bytes[len - 1] == 'h'; /* repeated h: still one update */
  return false;                         /* libvterm ignores mode 2026 */
}

void feed_set_sync(Term *t, bool enable) {
  t->sync_enabled = enable;
  t->sync_on = false;
}

/* Plain text with links about: libvterm merges the damage of one row, so
 * text on both sides of a CR, BS or HT would damage the cells the cursor
 * jumped over too, and drop their links.  The text is written in pieces
 * ending at those controls, with the damage flushed after each. */
static void term_write_around_links(Term *t, const char *bytes, size_t len) {
  size_t start = 0;
  for (size_t i = 0; i < len; i++)
    if (bytes[i] == '\r' || bytes[i] == '\b' || bytes[i] == '\t') {
      term_write_plain(t, bytes + start, i + 1 - start);
      vterm_screen_flush_damage(t->screen);
      start = i + 1;
    }
  if (start < len)
    term_write_plain(t, bytes + start, len - start);
}

static void term_write_text(Term *t, const char *bytes, size_t len) {
  size_t used = write_leading_marks(t, bytes, len);
  if (used == len) { /* marks only: the edge glyph was printed again */
    t->glyph_at_edge = cursor_on_edge_glyph(t, &t->edge_pos, 0);
    return;
  }
  bytes += used;
  len -= used;
  if (link_recording(t))
    term_write_linked(t, bytes, len);
  else if (link_on_screen(t))
    term_write_around_links(t, bytes, len);
  else
    term_write_plain(t, bytes, len);
}

/* Whether BYTES is an SGR (CSI ... m) with plain parameters. */
static bool csi_is_sgr(const char *bytes, size_t len) {
  if (len < 3 || bytes[1] != '[' || bytes[len - 1] != 'm')
    return false;
  for (size_t i = 2; i + 1 < len; i++)
    if (!((bytes[i] >= '0' && bytes[i] <= '9') || bytes[i] == ';' ||
          bytes[i] == ':'))
      return false;
  return true;
}

/* The pen's font field, which carries faint and conceal (sgr.h). */
static unsigned pen_font(Term *t) {
  VTermValue v;
  memset(&v, 0, sizeof v);
  if (!vterm_state_get_penattr(t->state, VTERM_ATTR_FONT, &v))
    return 0;
  return (unsigned)v.number & 15u;
}

/* An SGR, with faint and conceal moved into the font field (sgr.h). */
static void term_write_sgr(Term *t, const char *bytes, size_t len) {
  char out[2 * 256 + 8];
  size_t params = len - 3, out_len;
  bool changed;
  if (params > 256) { /* longer than the guard ever sends: left alone */
    vterm_input_write(t->vt, bytes, len);
    return;
  }
  unsigned font = sgr_rewrite(bytes + 2, params, pen_font(t), out + 2,
                              &out_len, &changed);
  if (!changed) {
    vterm_input_write(t->vt, bytes, len);
  } else if (out_len > 0) {
    out[0] = '\x1b';
    out[1] = '[';
    out[2 + out_len] = 'm';
    vterm_input_write(t->vt, out, out_len + 3);
  }
  if (pen_font(t) != font) {
    char select[] = "\x1b[10m";
    select[3] = (char)('0' + (font & 3u));
    vterm_input_write(t->vt, select, 5);
  }
}

/* One write of the stream guard: text, or one whole sequence. */
static void term_write(Term *t, const char *bytes, size_t len) {
  watch_resets(t, bytes, len);
  /* With links about, damage is flushed at every write: damage merged
   * across two writes to one row would cover the cells between them too,
   * and drop their links (link.h). */
  if (link_on_screen(t))
    vterm_screen_flush_damage(t->screen);
  if (bytes[0] != '\x1b') {
    term_write_text(t, bytes, len);
  } else if (t->sync_enabled && sync_sequence(t, bytes, len)) {
    return; /* answered here; libvterm never sees it */
  } else {
    if (csi_pushes_rows(bytes, len))
      screen_snapshot_continuations(t);
    if (csi_is_sgr(bytes, len))
      term_write_sgr(t, bytes, len);
    else if (!write_dec_modes(t, bytes, len))
      vterm_input_write(t->vt, bytes, len);
    t->use_snapshot = false;
    t->glyph_at_edge = false;
  }
  feed_clamp_cursor(t);
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

bool feed_bytes(Term *t, const char *bytes, size_t len) {
  int status = stream_feed(&t->guard, bytes, len);
  vterm_screen_flush_damage(t->screen);
  return status >= 0;
}

void feed_init(Term *t) {
  StreamSink sink = {.write = sink_write,
                     .osc = osc_sink,
                     .dropped = osc_dropped,
                     .repeat = sink_repeat,
                     .user = t};
  stream_init(&t->guard, sink);
}
