/* test-stream.c - unit tests for the byte-stream guard (stream.c).
 *
 * Copyright (C) 2026 The emacs-libvterm-win contributors
 *
 * This program is free software: you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the Free
 * Software Foundation, either version 3 of the License, or (at your option)
 * any later version.  See the LICENSE file for details.
 */
#include <stdlib.h>
#include <string.h>

#include "stream.h"
#include "test.h"

/* What the guard produced: forwarded bytes, then a log of OSC events. */
typedef struct {
  char out[1 << 16];
  size_t out_len;
  int split_writes; /* writes that ended inside a UTF-8 sequence */
  char osc[1 << 16];
  size_t osc_len;
  int dropped;
} Capture;

/* Whether BYTES (LEN > 0) ends in the middle of a UTF-8 sequence. */
static int ends_mid_utf8(const char *bytes, size_t len) {
  size_t i = len, cont = 0;
  while (i > 0 && cont < 3 && ((unsigned char)bytes[i - 1] & 0xC0) == 0x80)
    i--, cont++;
  if (i == 0)
    return 0;
  unsigned char lead = (unsigned char)bytes[i - 1];
  size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  return need > cont + 1;
}

static void cap_write(void *user, const char *bytes, size_t len) {
  Capture *c = user;
  if (len > 0 && ends_mid_utf8(bytes, len))
    c->split_writes++;
  if (c->out_len + len <= sizeof c->out) {
    memcpy(c->out + c->out_len, bytes, len);
    c->out_len += len;
  }
}

static void cap_osc(void *user, long command, const char *payload, size_t len) {
  Capture *c = user;
  c->osc_len +=
      (size_t)snprintf(c->osc + c->osc_len, sizeof c->osc - c->osc_len,
                       "[%ld:%.*s]", command, (int)len, payload);
}

static void cap_repeat(void *user, long count) {
  Capture *c = user;
  c->osc_len += (size_t)snprintf(
      c->osc + c->osc_len, sizeof c->osc - c->osc_len, "[REP %ld]", count);
}

static void cap_dropped(void *user, const char *kind, long command,
                        size_t len) {
  Capture *c = user;
  (void)kind;
  (void)command;
  (void)len;
  c->dropped++;
}

/* Feeds LEN bytes of IN in pieces cut at the offsets in CUTS (ascending,
 * terminated by 0). */
static Capture *run(const char *in, size_t len, const size_t *cuts) {
  Capture *c = calloc(1, sizeof *c);
  StreamGuard g;
  stream_init(&g, (StreamSink){.write = cap_write,
                               .osc = cap_osc,
                               .dropped = cap_dropped,
                               .repeat = cap_repeat,
                               .user = c});
  size_t pos = 0;
  for (; cuts && *cuts; cuts++) {
    stream_feed(&g, in + pos, *cuts - pos);
    pos = *cuts;
  }
  stream_feed(&g, in + pos, len - pos);
  stream_free(&g);
  return c;
}

static int out_is(const Capture *c, const char *expected, size_t len) {
  return c->out_len == len && memcmp(c->out, expected, len) == 0;
}

#define S(lit) lit, sizeof(lit) - 1

static void test_plain_text_passes(void) {
  Capture *c = run(S("hello \x1b[31mred\x1b[0m\r\n\xE6\x97\xA5"), NULL);
  CHECK(out_is(c, S("hello \x1b[31mred\x1b[0m\r\n\xE6\x97\xA5")));
  CHECK(c->osc_len == 0);
  free(c);
}

static void test_nul_and_del_dropped(void) {
  Capture *c = run(S("a\0b\x7f"
                     "c\x1b[3\0"
                     "1m"),
                   NULL);
  CHECK(out_is(c, S("abc\x1b[31m")));
  free(c);
}

static void test_csi_too_many_params(void) {
  Capture *c =
      run(S("\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18mX"), NULL);
  CHECK(out_is(c, S("\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16mX")));
  free(c);
  /* thousands of separators */
  char big[5000];
  big[0] = 0x1b;
  big[1] = '[';
  memset(big + 2, ';', sizeof big - 4);
  big[sizeof big - 2] = 'm';
  big[sizeof big - 1] = 'Z';
  c = run(big, sizeof big, NULL);
  CHECK(out_is(c, S("\x1b[;;;;;;;;;;;;;;;mZ")));
  free(c);
}

static void test_csi_huge_param_clamped(void) {
  Capture *c = run(S("\x1b[99999999999999999999A."), NULL);
  CHECK(out_is(c, S("\x1b[65535A.")));
  free(c);
}

static void test_csi_keeps_leader_and_intermediates(void) {
  size_t cut[] = {4, 0};
  Capture *c = run(S("\x1b[?1049h\x1b[6 q"), cut);
  CHECK(out_is(c, S("\x1b[?1049h\x1b[6 q")));
  free(c);
}

static void test_csi_with_control_inside(void) {
  /* C0 inside a CSI is executed first, as libvterm does. */
  size_t cut[] = {3, 0};
  Capture *c = run(S("\x1b[3\n1m"), cut);
  CHECK(out_is(c, S("\n\x1b[31m")));
  free(c);
}

static void test_osc_captured(void) {
  Capture *c = run(S("a\x1b]0;TITLE\x07"
                     "b\x1b]51;A/tmp\x1b\\c\x1b]52;c;aGk=\x07"),
                   NULL);
  CHECK(out_is(c, S("abc")));
  CHECK(strcmp(c->osc, "[0:TITLE][51:A/tmp][52:c;aGk=]") == 0);
  free(c);
}

static void test_osc_esc_then_control_across_writes(void) {
  /* The libvterm 0.3.3 underflow: an ESC ends one write inside a string, a
   * NUL or control starts the next.  Nothing of it may reach libvterm. */
  size_t cut[] = {9, 0};
  Capture *c = run(S("\x1b]51;A/x\x1b\0\x1b\\ok"), cut);
  CHECK(out_is(c, S("ok")));
  CHECK(strcmp(c->osc, "[51:A/x]") == 0);
  free(c);
}

static void test_osc_abandoned_by_escape(void) {
  Capture *c = run(S("\x1b]0;half\x1b[1mX"), NULL);
  CHECK(out_is(c, S("\x1b[1mX")));
  CHECK(c->osc_len == 0);
  free(c);
}

static void test_osc_oversized_dropped(void) {
  size_t len = (size_t)STREAM_OSC_LIMIT + 100;
  char *in = malloc(len + 20);
  memcpy(in, "\x1b]51;E", 6);
  memset(in + 6, 'x', len - 6);
  memcpy(in + len,
         "\x07"
         "after",
         6);
  Capture *c = run(in, len + 6, NULL);
  CHECK(c->dropped == 1);
  CHECK(c->osc_len == 0);
  CHECK(out_is(c, S("after")));
  free(c);
  free(in);
}

static void test_dcs_forwarded_whole(void) {
  size_t cut[] = {3, 6, 0};
  Capture *c = run(S("\x1bP$qm\x1b\\z"), cut);
  CHECK(out_is(c, S("\x1bP$qm\x1b\\z")));
  free(c);
}

static void test_dcs_with_high_bytes_ignored(void) {
  Capture *c = run(S("a\x1bP$q\xE9m\x1b\\b"), NULL);
  CHECK(out_is(c, S("ab")));
  free(c);
}

static void test_apc_pm_sos_swallowed(void) {
  Capture *c = run(S("1\x1b_apc\x1b\\2\x1b^pm\x1b\\3\x1bXsos\x1b\\4"), NULL);
  CHECK(out_is(c, S("1234")));
  free(c);
}

static void test_cancel(void) {
  Capture *c = run(S("\x1b]0;x\x18y\x1b[1\x1a"
                     "z"),
                   NULL);
  CHECK(c->osc_len == 0);
  CHECK(out_is(c, S("yz"))); /* a cancelled CSI never reaches libvterm */
  free(c);
}

/* Malformed UTF-8 reaches libvterm as one U+FFFD per maximal subpart, the
 * same for every chunking. */
static void test_invalid_utf8_replaced(void) {
  static const char in[] = "a\xE6\x97x\xFF\xC0\xAF\xED\xA0\x80\xF4\x90\x80\x80"
                           "\xF0\x9F\x98\x80\x80z";
  static const char want[] =
      "a\xEF\xBF\xBDx\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
      "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
      "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
      "\xF0\x9F\x98\x80\xEF\xBF\xBDz";
  Capture *whole = run(in, sizeof in - 1, NULL);
  CHECK_MSG(out_is(whole, want, sizeof want - 1), "got %zu bytes",
            whole->out_len);
  int bad = 0;
  for (size_t a = 1; a < sizeof in - 1; a++) {
    size_t cut[] = {a, 0};
    Capture *c = run(in, sizeof in - 1, cut);
    if (!out_is(c, want, sizeof want - 1) || c->split_writes)
      bad++;
    free(c);
  }
  CHECK(bad == 0);
  free(whole);
}

/* A CSI abandoned for an OSC must not leave libvterm inside the CSI: the
 * colons after the OSC are text, not 40 separators. */
static void test_abandoned_csi_not_forwarded(void) {
  Capture *c =
      run(S("\x1b[\x1b]\x1b\\::::::::::::::::::::\x1b[1\x1b]2;t\a:::m"), NULL);
  CHECK(out_is(c, S("::::::::::::::::::::"
                    ":::m")));
  free(c);
}

/* C1 controls spelled in UTF-8 are dropped. */
static void test_utf8_c1_dropped(void) {
  size_t cut[] = {2, 0};
  Capture *c = run(S("a\xC2\x9C"
                     "b\xC2\x9B\xC2\xA0"
                     "c"),
                   cut);
  CHECK(out_is(c, S("ab\xC2\xA0"
                    "c")));
  free(c);
}

/* REP goes to the sink, never to libvterm (it can loop forever there). */
static void test_repeat_intercepted(void) {
  size_t cut[] = {4, 0};
  Capture *c = run(S("x\x1b[5bq\x1b[b\x1b[?5b"), cut);
  CHECK(out_is(c, S("xq\x1b[?5b")));
  CHECK(strcmp(c->osc, "[REP 5][REP 1]") == 0);
  free(c);
}

/* A byte >= 0x80 inside an escape is ignored (libvterm keeps the escape
 * going), so ESC <high byte> [ still opens a CSI that must be bounded. */
static void test_high_byte_inside_escape(void) {
  Capture *c =
      run(S("\x1b\xb3[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18mZ"), NULL);
  CHECK(out_is(c, S("\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16mZ")));
  free(c);
}

/* libvterm loses a partial character when text precedes it in the same
 * write, so no write may end inside a UTF-8 sequence. */
static void test_utf8_never_split_across_writes(void) {
  static const char in[] = "a\xE6\x97\xA5"
                           "b\xF0\x9F\x98\x80"
                           "c\xC3\xA9";
  const size_t len = sizeof in - 1;
  int bad = 0;
  for (size_t a = 1; a < len; a++) {
    size_t cut[] = {a, 0};
    Capture *c = run(in, len, cut);
    if (c->split_writes != 0 || !out_is(c, in, len))
      bad++;
    free(c);
  }
  CHECK(bad == 0);
  /* An interrupted sequence becomes one U+FFFD. */
  size_t cut[] = {2, 0};
  Capture *c = run(S("x\xE6Z"), cut);
  CHECK(out_is(c, S("x\xEF\xBF\xBDZ")));
  free(c);
}

/* The guard's output must not depend on how the input was chunked. */
static void test_every_split_is_equivalent(void) {
  static const char in[] =
      "P> \x1b]51;Auser@host:/tmp\x1b\\ls\r\n\x1b[1;31mred\x1b[0m "
      "\xE6\x97\xA5\x1b]0;T\x07\x1b[?25l\x1b[2 q\x1b"
      "7x\x1b"
      "8\x1bP$q\"p\x1b\\"
      "\x1b]52;c;aGVsbG8=\x07"
      "end";
  const size_t len = sizeof in - 1;
  Capture *whole = run(in, len, NULL);
  int bad = 0;
  for (size_t a = 1; a < len; a++) {
    size_t cut1[] = {a, 0};
    Capture *c = run(in, len, cut1);
    if (!out_is(c, whole->out, whole->out_len) ||
        strcmp(c->osc, whole->osc) != 0) {
      if (bad++ < 3)
        fprintf(stderr, "    split at %zu differs\n", a);
    }
    free(c);
    for (size_t b = a + 1; b < len; b += 7) {
      size_t cut2[] = {a, b, 0};
      c = run(in, len, cut2);
      if (!out_is(c, whole->out, whole->out_len) ||
          strcmp(c->osc, whole->osc) != 0)
        bad++;
      free(c);
    }
  }
  CHECK(bad == 0);
  CHECK(strcmp(whole->osc, "[51:Auser@host:/tmp][0:T][52:c;aGVsbG8=]") == 0);
  free(whole);
}

int main(void) {
  test_plain_text_passes();
  test_nul_and_del_dropped();
  test_csi_too_many_params();
  test_csi_huge_param_clamped();
  test_csi_keeps_leader_and_intermediates();
  test_csi_with_control_inside();
  test_osc_captured();
  test_osc_esc_then_control_across_writes();
  test_osc_abandoned_by_escape();
  test_osc_oversized_dropped();
  test_dcs_forwarded_whole();
  test_apc_pm_sos_swallowed();
  test_dcs_with_high_bytes_ignored();
  test_cancel();
  test_every_split_is_equivalent();
  test_utf8_never_split_across_writes();
  test_repeat_intercepted();
  test_abandoned_csi_not_forwarded();
  test_utf8_c1_dropped();
  test_invalid_utf8_replaced();
  test_high_byte_inside_escape();
  return test_report();
}
