/* test-frame.c -- unit tests for the conpty-proxy stdin frame decoder.
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

/* Built for the host (frame.c is portable) and run by ctest.  Each case
 * feeds an encoded stream to the decoder split at every possible point and
 * checks the data and the control frames that come out, in order. */

#include "../../conpty-proxy/frame.h"

#include <stdio.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (cond) {                                                                \
      passed++;                                                                \
    } else {                                                                   \
      failed++;                                                                \
      printf("FAIL %s:%d: ", __FILE__, __LINE__);                              \
      printf(__VA_ARGS__);                                                     \
      printf("\n");                                                            \
    }                                                                          \
  } while (0)

/* What a decode produced: data bytes, with each control frame written
 * inline as "<T:LEN:payload-hex>" so one string shows the order. */
typedef struct Trace {
  char s[8192];
  size_t len;
} Trace;

static void trace_put(Trace *t, const char *s, size_t n) {
  if (t->len + n < sizeof t->s) {
    memcpy(t->s + t->len, s, n);
    t->len += n;
  }
}

static void trace_control(Trace *t, const FrameControl *c) {
  char buf[600];
  int n = snprintf(buf, sizeof buf, "<%02X:%u:", c->type, c->len), i;
  for (i = 0; i < c->len; i++)
    n += snprintf(buf + n, sizeof buf - (size_t)n, "%02X", c->payload[i]);
  n += snprintf(buf + n, sizeof buf - (size_t)n, ">");
  trace_put(t, buf, (size_t)n);
}

/* Decode IN in pieces of at most CHUNK bytes (0: the whole at once). */
static void decode(const unsigned char *in, size_t n, size_t chunk, Trace *t) {
  FrameDecoder dec;
  unsigned char out[4096];
  size_t pos = 0;

  frame_init(&dec);
  t->len = 0;
  while (pos < n) {
    size_t piece = chunk && chunk < n - pos ? chunk : n - pos;
    const unsigned char *p = in + pos;
    pos += piece;
    while (piece > 0) {
      FrameControl ctl;
      size_t nout;
      size_t used = frame_decode(&dec, p, piece, out, &nout, &ctl);
      if (used == 0 && !frame_is_control(&ctl)) {
        trace_put(t, "<STUCK>", 7);
        return;
      }
      p += used;
      piece -= used;
      trace_put(t, (const char *)out, nout);
      if (frame_is_control(&ctl))
        trace_control(t, &ctl);
    }
  }
}

/* Check that every chunking of IN decodes to EXPECT. */
static void check_all_splits(const char *name, const unsigned char *in,
                             size_t n, const char *expect, size_t elen) {
  size_t chunk;
  for (chunk = 0; chunk <= n; chunk++) {
    Trace t;
    decode(in, n, chunk, &t);
    CHECK(t.len == elen && memcmp(t.s, expect, elen) == 0,
          "%s, chunk %zu: got \"%.*s\"", name, chunk, (int)t.len, t.s);
  }
}

#define BYTES(lit) (const unsigned char *)(lit), sizeof(lit) - 1
#define TEXT(lit) (lit), sizeof(lit) - 1

static void test_plain(void) {
  check_all_splits("plain", BYTES("echo hi\r"), TEXT("echo hi\r"));
  check_all_splits("controls", BYTES("\x03\x1b[A\x7f\x00z"),
                   TEXT("\x03\x1b[A\x7f\x00z"));
}

static void test_escaped_ff(void) {
  check_all_splits("ff",
                   BYTES("a\xff\xff"
                         "b\xff\xff\xff\xff"),
                   TEXT("a\xff"
                        "b\xff\xff"));
}

static void test_resize(void) {
  FrameDecoder dec;
  FrameControl ctl;
  unsigned char out[16];
  size_t nout, used;
  int cols = 0, rows = 0;
  static const unsigned char in[] = {'x',  0xFF, 'R',  4,  0x00,
                                     0x50, 0x7F, 0xFF, 'y'};

  check_all_splits("resize", in, sizeof in, TEXT("x<52:4:00507FFF>y"));
  frame_init(&dec);
  used = frame_decode(&dec, in, sizeof in, out, &nout, &ctl);
  CHECK(used == 8 && nout == 1 && out[0] == 'x',
        "decoding stops right after the frame (used %zu)", used);
  CHECK(frame_resize_size(&ctl, &cols, &rows) && cols == 80 && rows == 32767,
        "resize payload is cols=80 rows=32767 (got %d %d)", cols, rows);
}

static void test_other_frames(void) {
  FrameControl ctl;
  int cols, rows;
  static const unsigned char payload[3] = {1, 2, 3};

  /* Unknown types are returned whole, so the proxy can skip them. */
  check_all_splits("unknown",
                   BYTES("a\xffZ\x03\xff\xff\xff"
                         "b"),
                   TEXT("a<5A:3:FFFFFF>b"));
  check_all_splits("empty",
                   BYTES("\xff\x00\x00\xff\x01\x00"
                         "c"),
                   TEXT("<00:0:><01:0:>c"));
  ctl.type = FRAME_RESIZE;
  ctl.len = 3;
  ctl.payload = payload;
  CHECK(!frame_resize_size(&ctl, &cols, &rows), "short resize is refused");
}

/* Every byte value, each one escaped as the protocol says. */
static void test_all_bytes(void) {
  unsigned char in[600], expect[256];
  size_t n = 0;
  int b;

  for (b = 0; b < 256; b++) {
    in[n++] = (unsigned char)b;
    if (b == 0xFF)
      in[n++] = 0xFF;
    expect[b] = (unsigned char)b;
  }
  check_all_splits("all bytes", in, n, (const char *)expect, 256);
}

/* stdout: console output escaped by frame_escape, with a status frame from
 * frame_encode between two pieces, decodes back to the same bytes and the
 * same status line, however it is split. */
static void test_output_encoding(void) {
  static const char status[] = "ready pid=42 cols=80 rows=24 proto=2";
  unsigned char data[256], stream[1024], big[300];
  size_t n = 0, i;
  char expect[1024];
  int e;

  for (i = 0; i < 256; i++)
    data[i] = (unsigned char)(255 - i); /* 0xFF first */
  n += frame_escape(data, 100, stream + n);
  n += frame_encode(FRAME_STATUS, (const unsigned char *)status,
                    sizeof status - 1, stream + n);
  n += frame_escape(data + 100, 156, stream + n);
  CHECK(n == 256 + 1 + 3 + sizeof status - 1,
        "only the one 0xFF is doubled (%zu bytes)", n);
  memcpy(expect, data, 100);
  e = 100 + snprintf(expect + 100, sizeof expect - 100,
                     "<53:%u:", (unsigned)(sizeof status - 1));
  for (i = 0; i < sizeof status - 1; i++)
    e += snprintf(expect + e, sizeof expect - (size_t)e, "%02X",
                  (unsigned char)status[i]);
  expect[e++] = '>';
  memcpy(expect + e, data + 100, 156);
  check_all_splits("output", stream, n, expect, (size_t)e + 156);
  memset(big, 'x', sizeof big);
  CHECK(frame_encode(FRAME_STATUS, big, sizeof big, stream) ==
                FRAME_MAX_PAYLOAD + 3 &&
            stream[2] == FRAME_MAX_PAYLOAD,
        "a payload over 255 bytes is cut to 255");
}

int main(void) {
  test_plain();
  test_escaped_ff();
  test_resize();
  test_other_frames();
  test_all_bytes();
  test_output_encoding();
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
