/* test-utf8.c - unit tests for utf8.c.
 *
 * Copyright (C) 2026 The emacs-libvterm-win contributors
 *
 * This program is free software: you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the Free
 * Software Foundation, either version 3 of the License, or (at your option)
 * any later version.  See the LICENSE file for details.
 */
#include <string.h>

#include "test.h"
#include "utf8.h"

/* Sanitizes IN and compares with EXPECTED (both NUL-free literals). */
static int sanitizes_to(const char *in, size_t len, const char *expected) {
  char out[256];
  size_t n = utf8_sanitize(in, len, out, NULL);
  return n == strlen(expected) && memcmp(out, expected, n) == 0;
}

#define FFFD "\xEF\xBF\xBD"

static void test_encode(void) {
  char b[4];
  CHECK(utf8_encode(0x41, b) == 1 && b[0] == 'A');
  CHECK(utf8_encode(0xE9, b) == 2 && memcmp(b, "\xC3\xA9", 2) == 0);
  CHECK(utf8_encode(0x65E5, b) == 3 && memcmp(b, "\xE6\x97\xA5", 3) == 0);
  CHECK(utf8_encode(0x1F600, b) == 4 && memcmp(b, "\xF0\x9F\x98\x80", 4) == 0);
  CHECK(utf8_encode(0xD800, b) == 3 && memcmp(b, FFFD, 3) == 0);
  CHECK(utf8_encode(0x110000, b) == 3 && memcmp(b, FFFD, 3) == 0);
}

static void test_valid(void) {
  CHECK(utf8_is_valid("", 0));
  CHECK(utf8_is_valid("abc", 3));
  CHECK(utf8_is_valid("\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80", 9));
  CHECK(utf8_is_valid(FFFD, 3));               /* a literal U+FFFD is fine */
  CHECK(utf8_is_valid("\xF4\x8F\xBF\xBF", 4)); /* U+10FFFF */
}

static void test_malformed(void) {
  CHECK(!utf8_is_valid("\xC0\xAF", 2));         /* overlong '/' */
  CHECK(!utf8_is_valid("\xE0\x80\xAF", 3));     /* overlong 3-byte */
  CHECK(!utf8_is_valid("\xF0\x80\x80\xAF", 4)); /* overlong 4-byte */
  CHECK(!utf8_is_valid("\xED\xA0\x80", 3));     /* surrogate D800 */
  CHECK(!utf8_is_valid("\xED\xBF\xBF", 3));     /* surrogate DFFF */
  CHECK(!utf8_is_valid("\xF4\x90\x80\x80", 4)); /* above U+10FFFF */
  CHECK(!utf8_is_valid("\xF5\x80\x80\x80", 4));
  CHECK(!utf8_is_valid("\xFF", 1));
  CHECK(!utf8_is_valid("\x80", 1));     /* lone continuation */
  CHECK(!utf8_is_valid("\xE6\x97", 2)); /* truncated */
  CHECK(sanitizes_to("\xFF\xFEok", 4, FFFD FFFD "ok"));
  CHECK(sanitizes_to("a\xE6\x97"
                     "b",
                     4, "a" FFFD "b"));
  CHECK(sanitizes_to("\xC0\xAF", 2, FFFD FFFD));
  CHECK(sanitizes_to("\xED\xA0\x80", 3, FFFD FFFD FFFD));
  CHECK(sanitizes_to("x\xE6\x97", 3, "x" FFFD)); /* truncated at the end */
}

/* Decoding must not depend on where a stream is split. */
static void test_split_everywhere(void) {
  const char text[] = "a\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80z\xFF\xE6\x97q";
  const size_t len = sizeof text - 1;
  uint32_t whole[64], cps[2];
  int nwhole = 0;
  Utf8Decoder d = {0, 0, 0, 0};
  for (size_t i = 0; i < len; i++) {
    int n = utf8_decode_byte(&d, (unsigned char)text[i], cps);
    for (int k = 0; k < n; k++)
      whole[nwhole++] = cps[k];
  }
  nwhole += utf8_decode_finish(&d, &whole[nwhole]);
  CHECK(nwhole == 8); /* a é 日 😀 z U+FFFD U+FFFD q */
  CHECK(whole[1] == 0xE9 && whole[2] == 0x65E5 && whole[3] == 0x1F600);
  for (size_t split = 0; split <= len; split++) {
    uint32_t got[64];
    int ngot = 0;
    Utf8Decoder a = {0, 0, 0, 0};
    /* Two separate writes, [0, split) and [split, len), with only the
     * decoder carried from one to the other. */
    for (size_t i = 0; i < split; i++) {
      int n = utf8_decode_byte(&a, (unsigned char)text[i], cps);
      for (int k = 0; k < n; k++)
        got[ngot++] = cps[k];
    }
    Utf8Decoder carried = a;
    for (size_t i = split; i < len; i++) {
      int n = utf8_decode_byte(&carried, (unsigned char)text[i], cps);
      for (int k = 0; k < n; k++)
        got[ngot++] = cps[k];
    }
    a = carried;
    ngot += utf8_decode_finish(&a, &got[ngot]);
    CHECK_MSG(ngot == nwhole &&
                  memcmp(got, whole, sizeof(uint32_t) * (size_t)ngot) == 0,
              "split at %zu", split);
  }
}

static void test_round_trip(void) {
  /* Every scalar value encodes and decodes to itself. */
  int bad = 0;
  for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
    if (cp >= 0xD800 && cp <= 0xDFFF)
      continue;
    char b[4];
    size_t n = utf8_encode(cp, b);
    Utf8Decoder d = {0, 0, 0, 0};
    uint32_t out[2], last = 0;
    int count = 0;
    for (size_t i = 0; i < n; i++) {
      int k = utf8_decode_byte(&d, (unsigned char)b[i], out);
      if (k > 0)
        last = out[k - 1];
      count += k;
    }
    if (count != 1 || last != cp || d.errors != 0)
      bad++;
  }
  CHECK(bad == 0);
}

int main(void) {
  test_encode();
  test_valid();
  test_malformed();
  test_split_everywhere();
  test_round_trip();
  return test_report();
}
