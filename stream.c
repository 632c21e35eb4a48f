/* stream.c - the byte-stream guard between the process and libvterm.
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
#include "stream.h"

#include "utf8.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ESC 0x1b
#define BEL 0x07
#define CAN 0x18
#define SUB 0x1a
#define DEL 0x7f

/* A string buffer larger than this is released after its sequence ends, so
 * one huge OSC does not pin memory for the life of the terminal. */
#define STREAM_KEEP_BUFFER 65536

/* One call of stream_feed: the input and how much of it went out already. */
typedef struct {
  StreamGuard *g;
  const char *bytes;
  size_t len;
  size_t slice; /* first byte not yet forwarded or dropped */
  int oom;
} Feed;

static void emit(Feed *f, const char *p, size_t n) {
  if (n > 0)
    f->g->sink.write(f->g->sink.user, p, n);
}

/* Forwards the slice up to END (exclusive). */
static void flush_to(Feed *f, size_t end) {
  if (end > f->slice)
    emit(f, f->bytes + f->slice, end - f->slice);
  if (end > f->slice)
    f->slice = end;
}

/* Drops everything up to and including byte I. */
static void drop_through(Feed *f, size_t i) { f->slice = i + 1; }

/* ---- escape sequences ---------------------------------------------------- */

/* Every escape sequence is held from its ESC and re-emitted whole when it
 * ends (or dropped when abandoned), so libvterm's parser is never left in
 * the middle of a sequence that the guard has stopped following. */
static void escape_begin(Feed *f, size_t i) {
  StreamGuard *g = f->g;
  flush_to(f, i);
  g->state = STREAM_ESCAPE;
  g->esc[0] = ESC;
  g->esc_len = 1;
  drop_through(f, i);
}

static void csi_begin(StreamGuard *g) {
  g->state = STREAM_CSI;
  g->csi_leader_len = 0;
  g->csi_inter_len = 0;
  g->csi_argc = 0;
  g->csi_overflow = 0;
}

static void string_begin(Feed *f, StreamState state) {
  StreamGuard *g = f->g;
  g->state = state;
  g->string_esc = 0;
  g->str_len = 0;
  g->str_total = 0;
  g->osc_command = -1;
  g->osc_number_done = 0;
  g->str_dropped = 0;
  g->str_malformed = 0;
}

/* Byte C at I while in STREAM_ESCAPE. */
static void on_escape(Feed *f, size_t i, unsigned char c) {
  StreamGuard *g = f->g;
  if (c < 0x20) { /* C0 inside an escape: executed at once */
    emit(f, (const char *)&c, 1);
    drop_through(f, i);
    return;
  }
  if (c <= 0x2f) {
    if (g->esc_len < (int)sizeof g->esc)
      g->esc[g->esc_len++] = (char)c;
    drop_through(f, i);
    return;
  }
  if (c >= 0x80) { /* ignored inside an escape, which goes on (libvterm) */
    drop_through(f, i);
    return;
  }
  /* Sequence introducers open their sequence even after intermediates
   * (libvterm 0.1.4 starts a DCS at ESC ! P): the intermediates are
   * dropped, the sequence is guarded like any other. */
  if (c == '[') {
    csi_begin(g); /* re-emitted in canonical form at its final byte */
    drop_through(f, i);
    return;
  }
  if (c == ']') {
    string_begin(f, STREAM_OSC);
    drop_through(f, i);
    return;
  }
  if (c == 'P') {
    string_begin(f, STREAM_DCS);
    drop_through(f, i);
    return;
  }
  if (c == '_' || c == '^' || c == 'X') {
    string_begin(f, STREAM_IGNORE);
    drop_through(f, i);
    return;
  }
  /* DECDHL/DECDWL (ESC # 3, 4, 6): double-size lines, which vterm never
   * rendered and libvterm 0.1.4 mishandles after a resize (crash). */
  if (g->esc_len == 2 && g->esc[1] == '#' &&
      (c == '3' || c == '4' || c == '6')) {
    drop_through(f, i);
    g->state = STREAM_GROUND;
    return;
  }
  /* A final byte ends the escape sequence: out it goes, whole. */
  emit(f, g->esc, (size_t)g->esc_len);
  emit(f, (const char *)&c, 1);
  drop_through(f, i);
  g->state = STREAM_GROUND;
}

/* ---- CSI ------------------------------------------------------------------
 */

/* Writes decimal VALUE (0..STREAM_CSI_MAX_VALUE) to OUT; returns length. */
static size_t format_arg(char *out, long value) {
  char digits[12];
  size_t n = 0, k = 0;
  do {
    digits[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value > 0);
  while (n > 0)
    out[k++] = digits[--n];
  return k;
}

static void csi_serialize_emit(Feed *f, unsigned char final) {
  StreamGuard *g = f->g;
  char out[2 + STREAM_CSI_MAX_BYTES * 2 + STREAM_CSI_MAX_ARGS * 12 + 2];
  size_t n = 0;
  out[n++] = ESC;
  out[n++] = '[';
  memcpy(out + n, g->csi_leader, (size_t)g->csi_leader_len);
  n += (size_t)g->csi_leader_len;
  for (int k = 0; k < g->csi_argc; k++) {
    if (g->csi_args[k] >= 0)
      n += format_arg(out + n, g->csi_args[k]);
    if (k + 1 < g->csi_argc)
      out[n++] = g->csi_sep[k];
  }
  memcpy(out + n, g->csi_inter, (size_t)g->csi_inter_len);
  n += (size_t)g->csi_inter_len;
  out[n++] = (char) final;
  emit(f, out, n);
}

/* Abandons the CSI (as libvterm does on an invalid byte). */
static void csi_abort(Feed *f, size_t i) {
  drop_through(f, i);
  f->g->state = STREAM_GROUND;
}

/* The first digit or separator opens the first (still missing) argument. */
static void csi_open_args(StreamGuard *g) {
  if (g->csi_argc == 0) {
    g->csi_argc = 1;
    g->csi_args[0] = -1;
  }
}

static void csi_digit(StreamGuard *g, unsigned char c) {
  csi_open_args(g);
  if (g->csi_overflow)
    return;
  long *arg = &g->csi_args[g->csi_argc - 1];
  long value = (*arg < 0 ? 0 : *arg) * 10 + (c - '0');
  if (value > STREAM_CSI_MAX_VALUE)
    value = STREAM_CSI_MAX_VALUE;
  *arg = value;
}

static void csi_separator(StreamGuard *g, unsigned char c) {
  csi_open_args(g);
  if (g->csi_overflow)
    return;
  if (g->csi_argc == STREAM_CSI_MAX_ARGS) {
    g->csi_overflow = 1; /* libvterm would write past its array here */
    return;
  }
  g->csi_sep[g->csi_argc - 1] = (char)c;
  g->csi_args[g->csi_argc++] = -1;
}

/* REP goes to the sink, after everything before it went to libvterm. */
static void csi_repeat(Feed *f, size_t i) {
  StreamGuard *g = f->g;
  long count = g->csi_argc > 0 ? g->csi_args[0] : -1;
  drop_through(f, i);
  g->state = STREAM_GROUND;
  g->sink.repeat(g->sink.user, count < 1 ? 1 : count);
}

/* Byte C at I while in STREAM_CSI. */
static void on_csi(Feed *f, size_t i, unsigned char c) {
  StreamGuard *g = f->g;
  int started = g->csi_argc > 0 || g->csi_inter_len > 0;
  if (c < 0x20) { /* C0 (not ESC/CAN/SUB): executed, the CSI goes on */
    emit(f, (const char *)&c, 1);
  } else if (c >= 0x3c && c <= 0x3f && !started) {
    if (g->csi_leader_len < STREAM_CSI_MAX_BYTES)
      g->csi_leader[g->csi_leader_len++] = (char)c;
  } else if (c >= '0' && c <= '9' && g->csi_inter_len == 0) {
    csi_digit(g, c);
  } else if ((c == ';' || c == ':') && g->csi_inter_len == 0) {
    csi_separator(g, c);
  } else if (c >= 0x20 && c <= 0x2f) {
    if (g->csi_inter_len < STREAM_CSI_MAX_BYTES)
      g->csi_inter[g->csi_inter_len++] = (char)c;
  } else if (c >= 0x40 && c <= 0x7e) {
    if (c == 'b' && g->csi_leader_len == 0 && g->csi_inter_len == 0 &&
        g->sink.repeat) {
      csi_repeat(f, i);
      return;
    }
    csi_serialize_emit(f, c);
    drop_through(f, i);
    g->state = STREAM_GROUND;
    return;
  } else {
    csi_abort(f, i);
    return;
  }
  drop_through(f, i);
}

/* ---- strings (OSC, DCS, ignored) --------------------------------------- */

static size_t string_limit(const StreamGuard *g) {
  if (g->state == STREAM_DCS)
    return STREAM_DCS_LIMIT;
  return g->osc_command == 52 ? (size_t)STREAM_OSC52_LIMIT
                              : (size_t)STREAM_OSC_LIMIT;
}

static void string_append(Feed *f, unsigned char c) {
  StreamGuard *g = f->g;
  g->str_total++;
  if (g->state == STREAM_DCS && c >= 0x80)
    g->str_malformed = 1; /* libvterm 0.3.3 shifts such bytes negative */
  if (g->state == STREAM_IGNORE || g->str_dropped || g->str_malformed)
    return;
  if (g->state == STREAM_OSC && !g->osc_number_done) {
    if (c >= '0' && c <= '9' && g->str_len < 9) {
      g->osc_command =
          (g->osc_command < 0 ? 0 : g->osc_command) * 10 + (c - '0');
    } else {
      g->osc_number_done = 1;
    }
  }
  if (g->str_len + 1 >= string_limit(g)) {
    g->str_dropped = 1;
    return;
  }
  if (g->str_len + 2 > g->str_cap) {
    size_t cap = g->str_cap ? g->str_cap * 2 : 256;
    char *grown = realloc(g->str, cap);
    if (!grown) {
      g->str_dropped = 1;
      f->oom = 1;
      return;
    }
    g->str = grown;
    g->str_cap = cap;
  }
  g->str[g->str_len++] = (char)c;
}

static void osc_dispatch(StreamGuard *g) {
  if (g->str_dropped) {
    if (g->sink.dropped)
      g->sink.dropped(g->sink.user, "OSC", g->osc_command, g->str_total);
    return;
  }
  if (!g->str) /* empty OSC */
    return;
  g->str[g->str_len] = '\0';
  size_t skip = 0;
  if (g->osc_command >= 0) {
    while (skip < g->str_len && g->str[skip] >= '0' && g->str[skip] <= '9')
      skip++;
    if (skip < g->str_len && g->str[skip] == ';')
      skip++;
  }
  g->sink.osc(g->sink.user, g->osc_command, g->str + skip, g->str_len - skip);
}

static void dcs_dispatch(Feed *f) {
  StreamGuard *g = f->g;
  if (g->str_malformed)
    return; /* ignored, as terminals ignore malformed controls */
  if (g->str_dropped) {
    if (g->sink.dropped)
      g->sink.dropped(g->sink.user, "DCS", -1, g->str_total);
    return;
  }
  emit(f, "\x1bP", 2);
  emit(f, g->str, g->str_len);
  emit(f, "\x1b\\", 2);
}

static void string_end(Feed *f, int complete) {
  StreamGuard *g = f->g;
  if (complete && g->state == STREAM_OSC)
    osc_dispatch(g);
  else if (complete && g->state == STREAM_DCS)
    dcs_dispatch(f);
  if (g->str_cap > STREAM_KEEP_BUFFER) {
    free(g->str);
    g->str = NULL;
    g->str_cap = 0;
  }
  g->str_len = 0;
  g->state = STREAM_GROUND;
}

/* Byte C at I inside a string.  Returns 1 when C must be processed again in
 * the new state (an ESC that did not start ST began a new sequence). */
static int on_string(Feed *f, size_t i, unsigned char c) {
  StreamGuard *g = f->g;
  drop_through(f, i);
  if (g->string_esc) {
    if (c == ESC)
      return 0; /* ESC ESC: still waiting for the '\\' of ST */
    g->string_esc = 0;
    if (c == '\\') {
      g->str_bel = 0;
      string_end(f, 1);
      return 0;
    }
    string_end(f, 0); /* ESC + anything else abandons the string */
    g->state = STREAM_ESCAPE;
    g->esc[0] = ESC;
    g->esc_len = 1;
    f->slice = i;
    return 1;
  }
  if (c == ESC) {
    g->string_esc = 1;
  } else if (c == BEL && g->state != STREAM_IGNORE) {
    g->str_bel = 1;
    string_end(f, 1);
  } else if (c < 0x20) {
    if (g->state == STREAM_OSC) /* libvterm executes C0 inside an OSC */
      emit(f, (const char *)&c, 1);
  } else {
    string_append(f, c);
  }
  return 0;
}

/* ---- driver ---------------------------------------------------------------
 */

/* Bytes that are dropped in every state. */
static void on_null(Feed *f, size_t i) {
  flush_to(f, i);
  drop_through(f, i);
}

/* Cancels any sequence (CAN, SUB), as libvterm does. */
static void on_cancel(Feed *f, size_t i) {
  StreamGuard *g = f->g;
  if (g->state == STREAM_OSC || g->state == STREAM_DCS ||
      g->state == STREAM_IGNORE) {
    string_end(f, 0);
    drop_through(f, i);
  } else if (g->state != STREAM_GROUND) {
    drop_through(f, i); /* a held sequence is simply forgotten */
  }
  g->state = STREAM_GROUND;
}

/* Skips ordinary text quickly; returns the index of the next byte that needs
 * attention (ESC, NUL, DEL, or the start of a malformed or truncated UTF-8
 * sequence) or LEN. */
/* U+0080..U+009F (C2 80..C2 9F): C1 controls spelled in UTF-8.  libvterm
 * 0.3.3 acts on some of them (U+009C leaves the cursor unset and the next
 * resize aborts), so they are dropped, like NUL. */
static bool utf8_c1_control(const char *p) {
  return (unsigned char)p[0] == 0xC2 && (unsigned char)p[1] < 0xA0;
}

static size_t ground_scan(const char *bytes, size_t i, size_t len) {
  while (i < len) {
    unsigned char c = (unsigned char)bytes[i];
    if (c < 0x80) {
      if (c == ESC || c == 0 || c == DEL)
        break;
      i++;
      continue;
    }
    size_t n;
    if (utf8_check(bytes + i, len - i, &n) != UTF8_VALID ||
        utf8_c1_control(bytes + i))
      break;
    i += n;
  }
  return i;
}

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* In ground state at a byte >= 0x80 that ground_scan stopped at: a
 * malformed sequence becomes one U+FFFD, a C1 control is dropped, and a
 * sequence cut off by the end of the input is left for utf8_hold_tail.
 * Returns the next index. */
static size_t ground_utf8(Feed *f, size_t i) {
  size_t n;
  int status = utf8_check(f->bytes + i, f->len - i, &n);
  if (status == UTF8_TRUNCATED)
    return f->len;
  flush_to(f, i);
  if (status == UTF8_INVALID)
    emit(f, replacement, 3);
  f->slice = i + n; /* a C1 control (valid UTF-8) is just dropped */
  return i + n;
}

static void feed_byte(Feed *f, size_t i, unsigned char c) {
  StreamGuard *g = f->g;
  for (;;) {
    switch (g->state) {
    case STREAM_GROUND:
      if (c == ESC)
        escape_begin(f, i);
      return;
    case STREAM_ESCAPE:
    case STREAM_CSI:
      if (c == ESC) /* a new escape: the held sequence is forgotten */
        escape_begin(f, i);
      else if (g->state == STREAM_ESCAPE)
        on_escape(f, i, c);
      else
        on_csi(f, i, c);
      return;
    case STREAM_OSC:
    case STREAM_DCS:
    case STREAM_IGNORE:
      if (!on_string(f, i, c))
        return;
      break; /* reprocess C as the byte after a new ESC */
    }
  }
}

/* Length of the UTF-8 sequence that lead byte C starts (1 for anything that
 * is not a multibyte lead). */
static int utf8_sequence_length(unsigned char c) {
  if (c >= 0xC2 && c <= 0xDF)
    return 2;
  if (c >= 0xE0 && c <= 0xEF)
    return 3;
  if (c >= 0xF0 && c <= 0xF4)
    return 4;
  return 1;
}

/* In ground state: holds back an incomplete UTF-8 sequence ending the
 * input, so that libvterm always sees whole characters. */
static void utf8_hold_tail(Feed *f) {
  StreamGuard *g = f->g;
  size_t i = f->len, cont = 0;
  while (i > f->slice && cont < 3 &&
         ((unsigned char)f->bytes[i - 1] & 0xC0) == 0x80) {
    i--;
    cont++;
  }
  if (i == f->slice)
    return;
  int need = utf8_sequence_length((unsigned char)f->bytes[i - 1]);
  if (need <= 1 || (size_t)need <= cont + 1)
    return; /* complete, or not a sequence at all */
  size_t n;
  if (utf8_check(f->bytes + i - 1, f->len - (i - 1), &n) != UTF8_TRUNCATED)
    return;
  flush_to(f, i - 1);
  g->utf8_len = (int)(f->len - (i - 1));
  memcpy(g->utf8, f->bytes + i - 1, (size_t)g->utf8_len);
  f->slice = f->len;
}

/* Completes a sequence held from the previous write with the continuation
 * bytes at the start of this one.  Returns how many bytes it consumed. */
static size_t utf8_complete_held(StreamGuard *g, const char *bytes,
                                 size_t len) {
  int need = utf8_sequence_length((unsigned char)g->utf8[0]);
  size_t used = 0, n;
  int status = UTF8_TRUNCATED;
  /* Take bytes only while the sequence stays well-formed, so that the
   * result is the same as if it had arrived in one write. */
  while (status == UTF8_TRUNCATED && g->utf8_len < need && used < len) {
    g->utf8[g->utf8_len] = bytes[used];
    status = utf8_check(g->utf8, (size_t)g->utf8_len + 1, &n);
    if (status == UTF8_INVALID)
      break; /* bytes[used] is not part of it: processed normally */
    g->utf8_len++;
    used++;
  }
  if (status == UTF8_TRUNCATED && used == len)
    return used; /* still incomplete: keep holding */
  if (status == UTF8_VALID) {
    if (!utf8_c1_control(g->utf8)) /* C1 controls are dropped */
      g->sink.write(g->sink.user, g->utf8, (size_t)g->utf8_len);
  } else { /* interrupted or malformed: one U+FFFD, as within a write */
    g->sink.write(g->sink.user, replacement, 3);
  }
  g->utf8_len = 0;
  return used;
}

/* Leaves the guard ready for the next write: anything not yet decided is
 * kept, everything decided goes out. */
static void feed_finish(Feed *f) {
  StreamGuard *g = f->g;
  switch (g->state) {
  case STREAM_GROUND:
    utf8_hold_tail(f);
    flush_to(f, f->len);
    break;
  case STREAM_ESCAPE: /* held in the guard until its end */
  case STREAM_CSI:
  case STREAM_OSC:
  case STREAM_DCS:
  case STREAM_IGNORE:
    break;
  }
}

int stream_feed(StreamGuard *g, const char *bytes, size_t len) {
  size_t i = 0;
  if (g->utf8_len > 0) {
    i = utf8_complete_held(g, bytes, len);
    if (g->utf8_len > 0)
      return 0;
  }
  Feed f = {.g = g, .bytes = bytes, .len = len, .slice = i, .oom = 0};
  while (i < len) {
    if (g->state == STREAM_GROUND) {
      i = ground_scan(bytes, i, len);
      if (i == len)
        break;
      if ((unsigned char)bytes[i] >= 0x80) {
        i = ground_utf8(&f, i);
        continue;
      }
    }
    unsigned char c = (unsigned char)bytes[i];
    if (c == 0 || c == DEL)
      on_null(&f, i);
    else if (c == CAN || c == SUB)
      on_cancel(&f, i);
    else
      feed_byte(&f, i, c);
    i++;
  }
  feed_finish(&f);
  return f.oom ? -1 : 0;
}

void stream_init(StreamGuard *g, StreamSink sink) {
  memset(g, 0, sizeof *g);
  g->state = STREAM_GROUND;
  g->osc_command = -1;
  g->sink = sink;
}

void stream_free(StreamGuard *g) {
  free(g->str);
  g->str = NULL;
  g->str_cap = 0;
  g->str_len = 0;
}
