/* fuzz-utf8.c --- libFuzzer target: the module's UTF-8 decoder (utf8.c)

Copyright (C) 2026 The emacs-libvterm-win contributors

This program is free software: you can redistribute it and/or modify
it under the terms of the GNU General Public License as published by
the Free Software Foundation, either version 3 of the License, or
(at your option) any later version.

This program is distributed in the hope that it will be useful,
but WITHOUT ANY WARRANTY; without even the implied warranty of
MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
GNU General Public License for more details.

You should have received a copy of the GNU General Public License
along with this program.  If not, see <https://www.gnu.org/licenses/>.  */

/* Differential and property checks, aborting on any difference:
   - the streaming decoder (one byte at a time, any chunking) yields
     exactly the code points of an independent reference decoder that
     replaces each maximal ill-formed subpart with one U+FFFD (Unicode
     §3.9, "U+FFFD substitution of maximal subparts");
   - every code point is a Unicode scalar value;
   - utf8_is_valid agrees with the reference, and utf8_sanitize returns
     valid UTF-8 within utf8_sanitized_bound, equal to the input when the
     input is valid, with the right character count;
   - utf8_encode round-trips every scalar value.  */

#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, size_t at) {
  fprintf(stderr, "fuzz-utf8: %s (at %lu)\n", what, (unsigned long)at);
  abort();
}

/* Reference: Unicode Table 3-7 with maximal-subpart replacement.  */
static size_t reference_decode(const uint8_t *s, size_t n, uint32_t *out) {
  size_t i = 0, k = 0;
  while (i < n) {
    uint8_t b = s[i];
    uint8_t lo = 0x80, hi = 0xBF;
    int len;
    uint32_t cp;
    if (b < 0x80) {
      out[k++] = b;
      i++;
      continue;
    }
    if (b >= 0xC2 && b <= 0xDF)
      len = 2;
    else if (b >= 0xE0 && b <= 0xEF)
      len = 3;
    else if (b >= 0xF0 && b <= 0xF4)
      len = 4;
    else {
      out[k++] = 0xFFFD;
      i++;
      continue;
    }
    if (b == 0xE0)
      lo = 0xA0;
    else if (b == 0xED)
      hi = 0x9F;
    else if (b == 0xF0)
      lo = 0x90;
    else if (b == 0xF4)
      hi = 0x8F;
    cp = b & (0x7F >> len);
    int j = 1;
    for (; j < len && i + (size_t)j < n; j++) {
      uint8_t c = s[i + (size_t)j];
      uint8_t l = j == 1 ? lo : 0x80, h = j == 1 ? hi : 0xBF;
      if (c < l || c > h)
        break;
      cp = (cp << 6) | (c & 0x3F);
    }
    out[k++] = j == len ? cp : 0xFFFD;
    i += (size_t)j;
  }
  return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint32_t *ref = malloc((size + 1) * sizeof *ref);
  uint32_t *got = malloc((size * 2 + 2) * sizeof *got);
  size_t nref, ngot = 0, bound = utf8_sanitized_bound(size), chars = 0;
  char *clean = malloc(bound + 1);
  Utf8Decoder d = {0, 0, 0, 0};
  uint32_t cps[2];
  if (!ref || !got || !clean)
    abort();
  nref = reference_decode(data, size, ref);
  for (size_t i = 0; i < size; i++) {
    int n = utf8_decode_byte(&d, data[i], cps);
    if (n < 0 || n > 2)
      fail("utf8_decode_byte returned a bad count", i);
    for (int k = 0; k < n; k++)
      got[ngot++] = cps[k];
  }
  if (utf8_decode_finish(&d, cps))
    got[ngot++] = cps[0];
  if (d.needed != 0)
    fail("decoder not reset by utf8_decode_finish", size);
  if (ngot != nref)
    fail("code point count differs from the reference", ngot);
  for (size_t k = 0; k < ngot; k++) {
    char enc[UTF8_MAX_BYTES];
    Utf8Decoder e = {0, 0, 0, 0};
    uint32_t back[2];
    size_t len;
    int n = 0;
    if (got[k] != ref[k])
      fail("code point differs from the reference", k);
    if (got[k] > 0x10FFFF || (got[k] >= 0xD800 && got[k] <= 0xDFFF))
      fail("decoded a value that is not a scalar value", k);
    len = utf8_encode(got[k], enc);
    for (size_t b = 0; b < len; b++)
      n = utf8_decode_byte(&e, (unsigned char)enc[b], back);
    if (len < 1 || len > 4 || n != 1 || back[0] != got[k] || e.errors)
      fail("utf8_encode does not round-trip", k);
  }
  /* Valid input is exactly input that re-encodes to itself.  */
  {
    size_t pos = 0;
    int valid;
    char *re = malloc(nref * 4 + 1);
    if (!re)
      abort();
    for (size_t k = 0; k < nref; k++)
      pos += utf8_encode(ref[k], re + pos);
    valid = pos == size && memcmp(re, data, size) == 0;
    if (!!utf8_is_valid((const char *)data, size) != valid)
      fail("utf8_is_valid disagrees with the reference", 0);
    if (bound == 0 && size != 0)
      fail("utf8_sanitized_bound overflowed", size);
    size_t n = utf8_sanitize((const char *)data, size, clean, &chars);
    if (n > bound)
      fail("utf8_sanitize wrote past its bound", n);
    if (n != pos || memcmp(clean, re, n) != 0)
      fail("utf8_sanitize differs from the reference", n);
    if (chars != nref)
      fail("utf8_sanitize counted the characters wrongly", chars);
    if (!utf8_is_valid(clean, n))
      fail("utf8_sanitize produced invalid UTF-8", n);
    free(re);
  }
  free(ref);
  free(got);
  free(clean);
  return 0;
}
