/* test.h - the smallest test runner: CHECK counts, test_report sums up.
 *
 * Copyright (C) 2026 The emacs-libvterm-win contributors
 *
 * This program is free software: you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the Free
 * Software Foundation, either version 3 of the License, or (at your option)
 * any later version.  See the LICENSE file for details.
 *
 * Include it once per test program.  CHECK(cond) records a pass or prints
 * the failing expression with its location; test_report() prints
 * "N passed, N failed" and returns the exit status for main. */
#ifndef VTERM_TEST_H
#define VTERM_TEST_H

#include <stdio.h>

static int test_passed, test_failed;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (cond) {                                                                \
      test_passed++;                                                           \
    } else {                                                                   \
      test_failed++;                                                           \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

/* CHECK with a printf-style note on failure. */
#define CHECK_MSG(cond, ...)                                                   \
  do {                                                                         \
    CHECK(cond);                                                               \
    if (!(cond)) {                                                             \
      fprintf(stderr, "    ");                                                 \
      fprintf(stderr, __VA_ARGS__);                                            \
      fprintf(stderr, "\n");                                                   \
    }                                                                          \
  } while (0)

static int test_report(void) {
  printf("%d passed, %d failed\n", test_passed, test_failed);
  return test_failed == 0 ? 0 : 1;
}

#endif /* VTERM_TEST_H */
