/* frame.h -- the framing of conpty-proxy's stdin and stdout.
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

/* The proxy's stdin is a byte stream of keystrokes with control frames
 * escaped into it, and its stdout the console's output with status frames
 * escaped into it the same way (doc/windows-proxy.md, sections 2 and 3):
 *
 *   any byte except 0xFF      one data byte
 *   0xFF 0xFF                 one data byte 0xFF
 *   0xFF TYPE LEN PAYLOAD     a control frame: TYPE is 0x00..0xFE, LEN is
 *                             0..255 and PAYLOAD has exactly LEN bytes
 *
 * Known frame types: FRAME_RESIZE ('R'), payload cols and rows as two
 * big-endian 16-bit numbers.  Unknown types are skipped whole, so a newer
 * vterm.el can talk to an older proxy.
 *
 * This file is portable C (no Windows headers) so that it can be unit
 * tested on any host. */

#ifndef CONPTY_PROXY_FRAME_H
#define CONPTY_PROXY_FRAME_H

#include <stddef.h>

#define FRAME_ESC 0xFF
#define FRAME_RESIZE 0x52 /* 'R' */
#define FRAME_RESIZE_LEN 4
#define FRAME_STATUS 0x53 /* 'S': a status line, on stdout only */
#define FRAME_MAX_PAYLOAD 255
#define FRAME_PROTOCOL_VERSION 2

/* Decoder state carried between reads, so frames may be split anywhere. */
typedef struct FrameDecoder {
  int state;                  /* one of the FRAME_S_* values in frame.c */
  unsigned char type;         /* type of the frame being read */
  unsigned char len;          /* its payload length */
  unsigned char got;          /* payload bytes read so far */
  unsigned char payload[255]; /* owned by the decoder */
} FrameDecoder;

/* One decoded control frame.  TYPE 0 with PAYLOAD NULL means "none"; a real
 * frame of type 0 has a non-NULL PAYLOAD.  PAYLOAD points into the decoder
 * and is valid until the next frame_decode call. */
typedef struct FrameControl {
  unsigned char type;
  unsigned char len;
  const unsigned char *payload;
} FrameControl;

void frame_init(FrameDecoder *dec);

/* Decode up to N bytes of IN.  Data bytes are stored in OUT, which must have
 * room for N bytes, and their count in *NOUT.  Decoding stops right after the
 * first complete control frame, which is returned in *CTL, so that the caller
 * can deliver the data that preceded it before acting on it (keystrokes and
 * resizes stay in order).  Returns the number of input bytes consumed; call
 * again with the rest. */
size_t frame_decode(FrameDecoder *dec, const unsigned char *in, size_t n,
                    unsigned char *out, size_t *nout, FrameControl *ctl);

/* Nonzero when CTL is a frame (as opposed to "none"). */
int frame_is_control(const FrameControl *ctl);

/* Parse a FRAME_RESIZE payload.  Returns 0 when its length is wrong. */
int frame_resize_size(const FrameControl *ctl, int *cols, int *rows);

/* Copy N data bytes from IN to OUT with each 0xFF doubled.  OUT must have
 * room for 2 * N bytes.  Returns the number of bytes written. */
size_t frame_escape(const unsigned char *in, size_t n, unsigned char *out);

/* Write the frame TYPE with LEN payload bytes (at most FRAME_MAX_PAYLOAD;
 * the rest is cut off) to OUT, which must have room for LEN + 3 bytes.
 * Returns the number of bytes written. */
size_t frame_encode(unsigned char type, const unsigned char *payload,
                    size_t len, unsigned char *out);

#endif /* CONPTY_PROXY_FRAME_H */
