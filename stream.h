/* stream.h - the byte-stream guard between the process and libvterm.
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
#ifndef VTERM_STREAM_H
#define VTERM_STREAM_H

/* Why this layer exists.  libvterm 0.1.4 and 0.3.3 both write past their
 * 16-entry CSI argument array when a sequence has more parameters, and 0.3.3
 * hands string callbacks a fragment of length (size_t)-1 when an ESC ends one
 * write inside a string and a control byte starts the next.  Neither library
 * can be patched when it comes from the system, so every byte passes through
 * this guard first.  The guard:
 *
 *  - forwards plain text untouched, as slices of the caller's buffer (no
 *    copy on the hot path), with each malformed UTF-8 sequence replaced by
 *    one U+FFFD and C1 controls spelled in UTF-8 dropped;
 *  - holds every escape sequence and CSI until its final byte and emits it
 *    whole, a CSI in canonical form: at most STREAM_CSI_MAX_ARGS parameters
 *    (the extra ones are dropped), none above STREAM_CSI_MAX_VALUE
 *    (clamped).  A sequence abandoned half way never reaches libvterm, so
 *    libvterm's parser is never left inside a sequence the guard stopped
 *    following;
 *  - drops NUL and DEL everywhere (libvterm ignores them anyway);
 *  - never ends a write inside a UTF-8 sequence: an incomplete one at the
 *    end of the input is held back and completed by the next write
 *    (libvterm loses such a partial character when text precedes it);
 *  - takes every OSC out of the stream and hands the complete payload to the
 *    sink (so OSC 0/2/51/52 behave the same on every libvterm version and
 *    regardless of chunking);
 *  - forwards a DCS only as one complete, bounded sequence; swallows APC, PM
 *    and SOS strings;
 *  - hands REP (CSI Ps b) to the sink instead of libvterm: libvterm 0.3.3
 *    loops forever repeating a glyph of width 0 (nothing printed yet, or a
 *    zero-width character last).
 *
 * Ownership: the guard owns its pending buffers; payloads passed to the sink
 * are valid only during the callback. */

#include <stddef.h>
#include <stdint.h>

#define STREAM_CSI_MAX_ARGS 16
#define STREAM_CSI_MAX_VALUE 65535
#define STREAM_CSI_MAX_BYTES 15        /* leader and intermediate bytes kept */
#define STREAM_OSC_LIMIT (1L << 20)    /* OSC payload bound, except 52 */
#define STREAM_OSC52_LIMIT (16L << 20) /* OSC 52 (base64 clipboard) bound */
#define STREAM_DCS_LIMIT 4096

typedef struct {
  /* Bytes for libvterm, in order. */
  void (*write)(void *user, const char *bytes, size_t len);
  /* A complete OSC: COMMAND is the leading number (-1 when there is none),
   * PAYLOAD what follows the first ';' (NUL-terminated, LEN bytes). */
  void (*osc)(void *user, long command, const char *payload, size_t len);
  /* A sequence dropped for exceeding its bound (KIND: "OSC", "DCS"). */
  void (*dropped)(void *user, const char *kind, long command, size_t len);
  /* REP: repeat the preceding character COUNT times (COUNT >= 1). */
  void (*repeat)(void *user, long count);
  void *user;
} StreamSink;

typedef enum {
  STREAM_GROUND,
  STREAM_ESCAPE, /* after ESC, possibly with intermediates */
  STREAM_CSI,
  STREAM_OSC,
  STREAM_DCS,
  STREAM_IGNORE /* APC, PM, SOS */
} StreamState;

typedef struct {
  StreamState state;
  int string_esc; /* an ESC was seen inside a string (ST pending?) */

  /* Incomplete UTF-8 sequence held from the end of the previous write. */
  char utf8[4];
  int utf8_len;

  /* ESC held across a write boundary: the ESC and its intermediates. */
  char esc[8];
  int esc_len;

  /* CSI being parsed. */
  char csi_leader[STREAM_CSI_MAX_BYTES];
  int csi_leader_len;
  char csi_inter[STREAM_CSI_MAX_BYTES];
  int csi_inter_len;
  long csi_args[STREAM_CSI_MAX_ARGS]; /* -1: missing */
  char csi_sep[STREAM_CSI_MAX_ARGS];  /* separator after arg i (';' or ':') */
  int csi_argc;     /* arguments started (>= 1 once a digit or sep seen) */
  int csi_overflow; /* parameters beyond the limit were dropped */

  /* String payload (OSC or DCS) being collected. */
  char *str;
  size_t str_len, str_cap;
  size_t str_total;    /* bytes seen, including dropped ones */
  long osc_command;    /* parsed number, -1 until known */
  int osc_number_done; /* the leading number has ended */
  int str_dropped;     /* over the bound: collecting stopped */
  int str_malformed;   /* a DCS with non-ASCII bytes: ignored */
  int str_bel;         /* the string being ended was terminated by BEL, not
                          ST (read by the sink.osc callback, to answer in
                          kind) */

  StreamSink sink;
} StreamGuard;

void stream_init(StreamGuard *guard, StreamSink sink);

/* Feeds LEN bytes.  Returns 0, or -1 if memory ran out (the sequence being
 * collected is then dropped and reported; the stream stays usable). */
int stream_feed(StreamGuard *guard, const char *bytes, size_t len);

/* Frees the guard's buffers. */
void stream_free(StreamGuard *guard);

#endif /* VTERM_STREAM_H */
