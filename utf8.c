/* utf8.c - RFC 3629 UTF-8 encoding and validation for vterm-module.
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
#include "utf8.h"

#include <stdint.h>

static int utf8_is_scalar(uint32_t cp) {
  return cp <= 0x10FFFFu && !(cp >= 0xD800u && cp <= 0xDFFFu);
}

size_t utf8_encode(uint32_t cp, char out[UTF8_MAX_BYTES]) {
  if (!utf8_is_scalar(cp))
    cp = UTF8_REPLACEMENT;
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Starts a sequence with lead byte B.  Returns 1 and sets *OUT when B is a
 * complete character (ASCII), 0 when continuation bytes are now expected,
 * -1 when B cannot start a sequence. */
static int utf8_start(Utf8Decoder *d, unsigned char b, uint32_t *out) {
  if (b < 0x80) {
    *out = b;
    return 1;
  }
  if (b >= 0xC2 && b <= 0xDF) {
    d->partial = b & 0x1Fu;
    d->needed = 1;
    d->min = 0x80;
  } else if (b >= 0xE0 && b <= 0xEF) {
    d->partial = b & 0x0Fu;
    d->needed = 2;
    d->min = 0x800;
  } else if (b >= 0xF0 && b <= 0xF4) {
    d->partial = b & 0x07u;
    d->needed = 3;
    d->min = 0x10000;
  } else {
    return -1; /* continuation byte, C0/C1 overlong lead, or F5..FF */
  }
  return 0;
}

/* Whether continuation byte B may follow what D holds.  Checking the second
 * byte's range early rejects overlongs and surrogates at the first byte that
 * proves them, as RFC 3629's table does. */
static int utf8_continuation_ok(const Utf8Decoder *d, unsigned char b) {
  if ((b & 0xC0) != 0x80)
    return 0;
  if (d->needed == 2 && d->min == 0x800) { /* second byte of a 3-byte form */
    if (d->partial == 0x0 && b < 0xA0)
      return 0; /* overlong */
    if (d->partial == 0xD && b > 0x9F)
      return 0; /* surrogate */
  }
  if (d->needed == 3) { /* second byte of a 4-byte form */
    if (d->partial == 0x0 && b < 0x90)
      return 0; /* overlong */
    if (d->partial == 0x4 && b > 0x8F)
      return 0; /* above U+10FFFF */
  }
  return 1;
}

int utf8_decode_byte(Utf8Decoder *d, unsigned char b, uint32_t out[2]) {
  int n = 0;
  if (d->needed > 0) {
    if (utf8_continuation_ok(d, b)) {
      d->partial = (d->partial << 6) | (b & 0x3Fu);
      if (--d->needed > 0)
        return 0;
      if (d->partial >= d->min && utf8_is_scalar(d->partial)) {
        out[0] = d->partial;
      } else {
        out[0] = UTF8_REPLACEMENT;
        d->errors++;
      }
      return 1;
    }
    /* Interrupted: report the broken sequence, then decode B afresh. */
    d->needed = 0;
    d->errors++;
    out[n++] = UTF8_REPLACEMENT;
  }
  int started = utf8_start(d, b, &out[n]);
  if (started == 1)
    n++;
  else if (started < 0) {
    d->errors++;
    out[n++] = UTF8_REPLACEMENT;
  }
  return n;
}

int utf8_decode_finish(Utf8Decoder *d, uint32_t out[1]) {
  int pending = d->needed > 0;
  d->needed = 0;
  d->partial = 0;
  if (pending) {
    d->errors++;
    out[0] = UTF8_REPLACEMENT;
  }
  return pending;
}

int utf8_check(const char *in, size_t avail, size_t *len) {
  Utf8Decoder d = {0, 0, 0, 0};
  uint32_t cps[2];
  size_t i = 0;
  do {
    int n = utf8_decode_byte(&d, (unsigned char)in[i], cps);
    if (d.errors > 0) {
      /* The byte that broke the sequence is not part of it, unless it was
       * the lead byte itself. */
      *len = i == 0 ? 1 : i;
      return UTF8_INVALID;
    }
    i++;
    if (n > 0) {
      *len = i;
      return UTF8_VALID;
    }
  } while (i < avail);
  *len = i;
  return UTF8_TRUNCATED;
}

size_t utf8_sanitized_bound(size_t len) {
  if (len > SIZE_MAX / 3)
    return 0;
  return len * 3;
}

/* Appends the code points in CPS to OUT at *POS. */
static void utf8_put(const uint32_t *cps, int n, char *out, size_t *pos,
                     size_t *chars) {
  for (int i = 0; i < n; i++) {
    *pos += utf8_encode(cps[i], out + *pos);
    (*chars)++;
  }
}

size_t utf8_sanitize(const char *in, size_t len, char *out, size_t *chars) {
  Utf8Decoder d = {0, 0, 0, 0};
  size_t pos = 0, count = 0;
  uint32_t cps[2];
  for (size_t i = 0; i < len; i++) {
    unsigned char b = (unsigned char)in[i];
    if (b < 0x80 && d.needed == 0) { /* fast path for ASCII */
      out[pos++] = (char)b;
      count++;
      continue;
    }
    utf8_put(cps, utf8_decode_byte(&d, b, cps), out, &pos, &count);
  }
  utf8_put(cps, utf8_decode_finish(&d, cps), out, &pos, &count);
  if (chars)
    *chars = count;
  return pos;
}

int utf8_is_valid(const char *in, size_t len) {
  Utf8Decoder d = {0, 0, 0, 0};
  uint32_t cps[2];
  for (size_t i = 0; i < len && d.errors == 0; i++)
    utf8_decode_byte(&d, (unsigned char)in[i], cps);
  return d.errors == 0 && d.needed == 0;
}
