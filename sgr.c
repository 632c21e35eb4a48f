/* sgr.c - the text attributes libvterm drops (see sgr.h).
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
#include "sgr.h"

#include <string.h>

/* One parameter: its value (-1 when missing), where its text lies, and
 * whether a ':' follows it (libvterm's CSI_ARG_FLAG_MORE). */
typedef struct {
  long value;
  size_t begin, end;
  bool more;
} SgrParam;

/* Splits PARAMS into P; returns the count, or -1 when the text is not a
 * plain parameter list or has more than SGR_MAX_PARAMS parameters. */
static int sgr_parse(const char *params, size_t len, SgrParam *p) {
  int n = 0;
  size_t i = 0;
  for (;;) {
    if (n == SGR_MAX_PARAMS)
      return -1;
    SgrParam *q = &p[n++];
    q->value = -1;
    q->begin = i;
    q->more = false;
    while (i < len && params[i] >= '0' && params[i] <= '9') {
      long v = (q->value < 0 ? 0 : q->value) * 10 + (params[i] - '0');
      q->value = v > 65535 ? 65535 : v;
      i++;
    }
    q->end = i;
    if (i == len)
      return n;
    if (params[i] != ';' && params[i] != ':')
      return -1;
    q->more = params[i] == ':';
    i++;
  }
}

/* Arguments libvterm's lookup_colour takes after the colour space TYPE,
 * with LEFT parameters left after it. */
static int colour_args(long type, int left) {
  if (left < 0)
    left = 0;
  if (type == 2)
    return left < 3 ? left : 3;
  if (type == 5)
    return left > 0 ? 1 : 0;
  return 0;
}

/* The first parameter after the unit that starts at parameter I: the unit
 * libvterm's SGR parser consumes in one turn of its loop. */
static int unit_end(const SgrParam *p, int n, int i) {
  long v = p[i].value;
  if ((v == 38 || v == 48) && i + 1 < n)
    i += 1 + colour_args(p[i + 1].value, n - i - 2);
  if (i >= n)
    i = n - 1;
  while (i < n && p[i].more)
    i++;
  return i + 1;
}

/* Applies unit value V to FONT; returns whether the unit is kept. */
static bool unit_apply(long v, unsigned *font) {
  switch (v) {
  case -1: /* SGR 0 / missing: libvterm resets the font too */
  case 0:
    *font = 0;
    return true;
  case 2: /* faint */
    *font |= SGR_FONT_FAINT;
    return false;
  case 22: /* normal intensity: neither bold nor faint */
    *font &= ~(unsigned)SGR_FONT_FAINT;
    return true;
  case 8: /* conceal */
    *font |= SGR_FONT_CONCEAL;
    return false;
  case 28: /* reveal */
    *font &= ~(unsigned)SGR_FONT_CONCEAL;
    return false;
  default: /* SGR 10-19 (alternative fonts) would overwrite the field */
    return v < 10 || v > 19;
  }
}

unsigned sgr_rewrite(const char *params, size_t len, unsigned font, char *out,
                     size_t *out_len, bool *changed) {
  SgrParam p[SGR_MAX_PARAMS];
  *out_len = 0;
  *changed = false;
  int n = sgr_parse(params, len, p);
  if (n < 0)
    return font;
  for (int i = 0; i < n;) {
    int end = unit_end(p, n, i);
    if (unit_apply(p[i].value, &font)) {
      if (*out_len > 0)
        out[(*out_len)++] = ';';
      size_t size = p[end - 1].end - p[i].begin;
      if (size == 0) /* a missing parameter resets; say so outright */
        out[(*out_len)++] = '0';
      memcpy(out + *out_len, params + p[i].begin, size);
      *out_len += size;
    } else {
      *changed = true;
    }
    i = end;
  }
  return font;
}
