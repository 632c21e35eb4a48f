/* frame.c -- the framing of conpty-proxy's stdin and stdout.
 *
 * Copyright (C) 2026 The emacs-libvterm-win contributors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <https://www.gnu.org/licenses/>.
 */

#include "frame.h"

#include <string.h>

enum {
  FRAME_S_DATA,    /* plain data */
  FRAME_S_ESC,     /* after 0xFF: a second 0xFF or a frame type */
  FRAME_S_LEN,     /* after the type: the payload length */
  FRAME_S_PAYLOAD, /* collecting LEN payload bytes */
};

void frame_init(FrameDecoder *dec) { memset(dec, 0, sizeof *dec); }

int frame_is_control(const FrameControl *ctl) { return ctl->payload != NULL; }

/* Copy the run of plain data at the start of IN (up to the next escape). */
static size_t frame_copy_data(const unsigned char *in, size_t n,
                              unsigned char *out) {
  const unsigned char *esc = memchr(in, FRAME_ESC, n);
  size_t run = esc ? (size_t)(esc - in) : n;
  memcpy(out, in, run);
  return run;
}

size_t frame_decode(FrameDecoder *dec, const unsigned char *in, size_t n,
                    unsigned char *out, size_t *nout, FrameControl *ctl) {
  size_t i = 0, o = 0;
  int done = 0;

  ctl->type = 0;
  ctl->len = 0;
  ctl->payload = NULL;
  while (i < n && !done) {
    if (dec->state == FRAME_S_DATA) {
      size_t run = frame_copy_data(in + i, n - i, out + o);
      i += run;
      o += run;
      if (i < n) { /* stopped at an escape byte */
        dec->state = FRAME_S_ESC;
        i++;
      }
      continue;
    }
    unsigned char b = in[i++];
    switch (dec->state) {
    case FRAME_S_ESC:
      if (b == FRAME_ESC) { /* 0xFF 0xFF: a literal 0xFF */
        out[o++] = b;
        dec->state = FRAME_S_DATA;
      } else {
        dec->type = b;
        dec->state = FRAME_S_LEN;
      }
      break;
    case FRAME_S_LEN:
      dec->len = b;
      dec->got = 0;
      dec->state = FRAME_S_PAYLOAD;
      done = (b == 0);
      break;
    default: /* FRAME_S_PAYLOAD */
      dec->payload[dec->got++] = b;
      done = (dec->got == dec->len);
      break;
    }
  }
  /* A zero-length frame completes on its length byte; check it here too. */
  if (dec->state == FRAME_S_PAYLOAD && dec->got == dec->len) {
    dec->state = FRAME_S_DATA;
    ctl->type = dec->type;
    ctl->len = dec->len;
    ctl->payload = dec->payload;
  }
  *nout = o;
  return i;
}

int frame_resize_size(const FrameControl *ctl, int *cols, int *rows) {
  const unsigned char *p = ctl->payload;
  if (ctl->type != FRAME_RESIZE || ctl->len != FRAME_RESIZE_LEN)
    return 0;
  *cols = (p[0] << 8) | p[1];
  *rows = (p[2] << 8) | p[3];
  return 1;
}

size_t frame_escape(const unsigned char *in, size_t n, unsigned char *out) {
  size_t o = 0;

  while (n > 0) {
    size_t run = frame_copy_data(in, n, out + o);
    in += run;
    n -= run;
    o += run;
    if (n > 0) { /* at a 0xFF */
      out[o++] = FRAME_ESC;
      out[o++] = FRAME_ESC;
      in++;
      n--;
    }
  }
  return o;
}

size_t frame_encode(unsigned char type, const unsigned char *payload,
                    size_t len, unsigned char *out) {
  if (len > FRAME_MAX_PAYLOAD)
    len = FRAME_MAX_PAYLOAD;
  out[0] = FRAME_ESC;
  out[1] = type;
  out[2] = (unsigned char)len;
  if (len)
    memcpy(out + 3, payload, len);
  return len + 3;
}
