/* test-sgr.c - unit tests for the SGR rewrite that keeps faint and conceal
 * (sgr.c).
 *
 * Copyright (C) 2026 The emacs-libvterm-win contributors
 *
 * This program is free software: you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the Free
 * Software Foundation, either version 3 of the License, or (at your option)
 * any later version.  See the LICENSE file for details.
 */
#include <string.h>

#include "sgr.h"
#include "test.h"

/* Rewrites PARAMS starting from font FONT_IN and checks the parameters
 * left (OUT, or NULL when the SGR must pass unchanged) and the font. */
static void expect(const char *params, unsigned font_in, const char *out,
                   unsigned font_out) {
  char buf[512];
  size_t len;
  bool changed;
  unsigned font =
      sgr_rewrite(params, strlen(params), font_in, buf, &len, &changed);
  CHECK_MSG(font == font_out, "\"%s\" from %u: font %u, expected %u", params,
            font_in, font, font_out);
  if (!out) {
    CHECK_MSG(!changed, "\"%s\": rewritten as \"%.*s\", expected unchanged",
              params, (int)len, buf);
    return;
  }
  CHECK_MSG(changed && len == strlen(out) && memcmp(buf, out, len) == 0,
            "\"%s\": \"%.*s\" (changed %d), expected \"%s\"", params,
            (int)len, buf, (int)changed, out);
}

static void test_faint(void) {
  expect("2", 0, "", SGR_FONT_FAINT);
  expect("1;2;31", 0, "1;31", SGR_FONT_FAINT);
  expect("2;1", 0, "1", SGR_FONT_FAINT);
  expect("22", SGR_FONT_FAINT, NULL, 0);
  expect("22", SGR_FONT_FAINT | SGR_FONT_CONCEAL, NULL, SGR_FONT_CONCEAL);
  expect("1", SGR_FONT_FAINT, NULL, SGR_FONT_FAINT);
}

static void test_resets(void) {
  expect("", SGR_FONT_FAINT, NULL, 0);
  expect("0", 3, NULL, 0);
  expect("0;2", 0, "0", SGR_FONT_FAINT);
  expect("2;0", 0, "0", 0);
  expect(";2", SGR_FONT_CONCEAL, "0", SGR_FONT_FAINT);
  expect("2;", 0, "0", 0);
}

static void test_conceal(void) {
  expect("8", 0, "", SGR_FONT_CONCEAL);
  expect("28", 3, "", SGR_FONT_FAINT);
  expect("8;2;4", 0, "4", 3);
  expect("4:3;2", 0, "4:3", SGR_FONT_FAINT);
}

/* The 2 and 8 of colour arguments are not attributes. */
static void test_colour_arguments(void) {
  expect("38;5;2", 0, NULL, 0);
  expect("48;5;8", 0, NULL, 0);
  expect("38;2;2;2;2", 0, NULL, 0);
  expect("38;2;8;8;8;2", 0, "38;2;8;8;8", SGR_FONT_FAINT);
  expect("38:2::1:2:3", 0, NULL, 0);
  expect("38:2:8:2:2;8", 0, "38:2:8:2:2", SGR_FONT_CONCEAL);
  expect("38;5;2;2", 0, "38;5;2", SGR_FONT_FAINT);
  expect("38:5:8;2", 0, "38:5:8", SGR_FONT_FAINT);
  expect("38;7;2", 0, "38;7", SGR_FONT_FAINT); /* unknown space: no args */
  expect("38;2;2", 0, NULL, 0);                /* truncated: all taken */
  expect("38", 0, NULL, 0);
  expect("48;5", 0, NULL, 0);
}

/* SGR 10-19 would overwrite the font field: they go. */
static void test_fonts(void) {
  expect("10", SGR_FONT_FAINT, "", SGR_FONT_FAINT);
  expect("1;13;4", 0, "1;4", 0);
  expect("20", 0, NULL, 0);
  expect("9", 0, NULL, 0);
}

static void test_hostile(void) {
  char many[256] = "";
  for (int i = 0; i < SGR_MAX_PARAMS + 1; i++)
    strcat(many, i ? ";2" : "2");
  expect(many, 0, NULL, 0); /* too long to read: left alone */
  expect("?2", 0, NULL, 0); /* not a plain list */
  expect("2 ", 0, NULL, 0);
  expect("99999999;2", 0, "99999999", SGR_FONT_FAINT);
  expect("::::2::::", 0, NULL, 0); /* one colon group starting missing */
  expect(";;;", SGR_FONT_FAINT, NULL, 0);
}

int main(void) {
  test_faint();
  test_resets();
  test_conceal();
  test_colour_arguments();
  test_fonts();
  test_hostile();
  return test_report();
}
