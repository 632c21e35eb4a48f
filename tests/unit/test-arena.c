/* test-arena.c -- unit tests for conpty-proxy/arena.c.

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

/* Plain C, no framework: CHECK and test_report come from test.h.  Meant to
   run clean under -fsanitize=address,undefined and under valgrind (both
   also check that destroy leaves no leak).  */

#include "test.h"

#include "../../conpty-proxy/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#if !defined(TEST_ASAN) && defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#endif
#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

/* Shaped like the module's per-line record.  */
typedef struct LineRec {
  int prompt_col;
  const char *directory;
  long long stamp;
} LineRec;

static int aligned(const void *p, ptrdiff_t align) {
  return ((uintptr_t)p & (uintptr_t)(align - 1)) == 0;
}

static int all_zero(const void *p, ptrdiff_t n) {
  const unsigned char *c = p;
  ptrdiff_t i;
  for (i = 0; i < n; i++)
    if (c[i])
      return 0;
  return 1;
}

/* Deterministic PRNG (xorshift32) for the soak tests.  */
static uint32_t rng_state = 2463534242u;
static uint32_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

/* The bound stated in arena.h for an arena never reset.  */
static ptrdiff_t stated_bound(ArenaStats st, ptrdiff_t block, ptrdiff_t align) {
  return 2 * st.peak + block + st.blocks * (ARENA_BLOCK_HEADER + align);
}

/* ------------------------------------------------------------------------ */

static void test_stress_10000(void) {
  enum { N = 10000 };
  static LineRec *recs[N];
  Arena *a = arena_create(64 * 1024);
  int i, ok_zero = 1, ok_align = 1, ok_data = 1;
  CHECK(a != NULL);
  if (!a)
    return;
  for (i = 0; i < N; i++) {
    recs[i] = arena_new(a, LineRec, 1);
    if (!recs[i])
      break;
    ok_zero &= all_zero(recs[i], sizeof *recs[i]);
    ok_align &= aligned(recs[i], (ptrdiff_t)arena_alignof(LineRec));
    recs[i]->prompt_col = i;
    recs[i]->stamp = (long long)i * 7919;
  }
  CHECK(i == N);
  CHECK(ok_zero);
  CHECK(ok_align);
  for (i = 0; i < N; i++) /* nothing overlapped or moved */
    ok_data &=
        recs[i]->prompt_col == i && recs[i]->stamp == (long long)i * 7919;
  CHECK(ok_data);
  CHECK(arena_stats(a).blocks > 1); /* 10000 * 24 B does not fit in 64 KiB */
  CHECK(arena_stats(a).used >= N * (ptrdiff_t)sizeof(LineRec));
  arena_destroy(a);
}

static void test_alignment(void) {
  static const ptrdiff_t aligns[] = {1, 2, 4, 8, 16, 64, 4096};
  Arena *a = arena_create(1024); /* small, so the loop chains often */
  int ok = 1, got = 1;
  size_t k;
  ptrdiff_t i;
  CHECK(a != NULL);
  if (!a)
    return;
  for (i = 0; i < 2000; i++)
    for (k = 0; k < sizeof aligns / sizeof *aligns; k++) {
      ptrdiff_t size = 1 + (i * 7 + (ptrdiff_t)k) % 41;
      char *p = arena_alloc(a, size, aligns[k], 1, 0);
      got &= p != NULL;
      if (p) {
        ok &= aligned(p, aligns[k]);
        memset(p, 0xa5, (size_t)size);
      }
    }
  CHECK(got);
  CHECK(ok);
  CHECK(arena_stats(a).blocks > 1);
  CHECK(aligned(arena_new(a, double, 3), (ptrdiff_t)arena_alignof(double)));
  CHECK(
      aligned(arena_new(a, long long, 1), (ptrdiff_t)arena_alignof(long long)));
  arena_destroy(a);
}

static void test_chaining(void) {
  Arena *a = arena_create(4096);
  ArenaStats st;
  char *first, *p, *big;
  ptrdiff_t i, n = 0;
  CHECK(a != NULL);
  if (!a)
    return;
  st = arena_stats(a);
  CHECK(st.blocks == 1 && st.reserved == 4096 && st.used == 0);
  first = arena_alloc(a, 1, 1, 100, 0);
  memset(first, 'x', 100);
  while (arena_stats(a).blocks == 1) { /* fill the first block */
    p = arena_alloc(a, 1, 1, 64, 0);
    CHECK(p != NULL);
    if (!p)
      break;
    n++;
  }
  CHECK(n > 40 && n < 64);
  st = arena_stats(a);
  CHECK(st.blocks == 2 && st.reserved == 2 * 4096 && st.block_allocs == 2);
  for (i = 0; i < 100; i++) /* chaining never moves old data */
    if (first[i] != 'x')
      break;
  CHECK(i == 100);
  big = arena_alloc(a, 1, 16, 100000, 0); /* larger than a block */
  CHECK(big != NULL && aligned(big, 16) && all_zero(big, 100000));
  st = arena_stats(a);
  CHECK(st.blocks == 3);
  CHECK(st.reserved > 2 * 4096 + 100000 && st.reserved < 3 * 4096 + 100000);
  p = arena_alloc(a, 1, 1, 10, 0); /* the next one chains a normal block */
  CHECK(p != NULL && arena_stats(a).blocks == 4);
  CHECK(arena_stats(a).reserved <= stated_bound(arena_stats(a), 4096, 16));
  arena_destroy(a);
}

static void test_reset_reuse(void) {
  Arena *a = arena_create(4096);
  void *before[300], *after[300];
  int i, same = 1;
  CHECK(a != NULL);
  if (!a)
    return;
  for (i = 0; i < 300; i++) /* 300 * 32 B: chains past the first block */
    before[i] = arena_alloc(a, 32, 8, 1, 0);
  CHECK(arena_stats(a).blocks >= 3);
  arena_reset(a);
  CHECK(arena_stats(a).blocks == 1);
  CHECK(arena_stats(a).reserved == 4096);
  CHECK(arena_stats(a).used == 0);
  for (i = 0; i < 300; i++) {
    after[i] = arena_alloc(a, 32, 8, 1, ARENA_NOZERO);
    if (arena_stats(a).blocks == 1)
      same &= after[i] == before[i]; /* first block: same addresses */
  }
  CHECK(same);
  CHECK(after[0] == before[0]);
  arena_reset(a);
  arena_reset(a); /* twice is harmless */
  CHECK(arena_alloc(a, 32, 8, 1, 0) == before[0]);
  CHECK(all_zero(before[0], 32)); /* zeroed again after reuse */
  arena_destroy(a);
}

/* Hazard 6 of the earlier arena: frames of varying size stranded blocks.
   Here every reset returns to the first block, whatever the frames were. */
static void test_reset_bounded_frames(void) {
  Arena *a = arena_create(128 * 1024);
  ptrdiff_t frame, worst = 0, max_frame = 0;
  int ok = 1, got = 1;
  CHECK(a != NULL);
  if (!a)
    return;
  for (frame = 0; frame < 5000; frame++) {
    ptrdiff_t k, parts = 1 + rng() % 3, bytes = 0;
    arena_reset(a);
    ok &= arena_stats(a).reserved == 128 * 1024 && arena_stats(a).blocks == 1;
    for (k = 0; k < parts; k++) {
      ptrdiff_t n = 40 * 1024 + rng() % (100 * 1024);
      char *p = arena_alloc(a, 1, 8, n, ARENA_NOZERO);
      got &= p != NULL;
      if (p)
        p[n - 1] = 1;
      bytes += n;
    }
    if (arena_stats(a).reserved > worst)
      worst = arena_stats(a).reserved;
    if (bytes > max_frame)
      max_frame = bytes;
  }
  CHECK(ok);
  CHECK(got);
  CHECK(worst <= 2 * max_frame + 128 * 1024 + 4 * (ARENA_BLOCK_HEADER + 8));
  arena_destroy(a);
}

static void test_marks(void) {
  Arena *a = arena_create(1024);
  ArenaMark m0, m1, stale;
  char *p, *q, *r;
  ptrdiff_t i;
  CHECK(a != NULL);
  if (!a)
    return;
  arena_alloc(a, 1, 1, 10, 0);
  m0 = arena_mark(a);
  p = arena_alloc(a, 1, 1, 20, 0);
  m1 = arena_mark(a);
  q = arena_alloc(a, 1, 1, 30, 0);
  arena_reset_to(a, m1);
  CHECK(arena_alloc(a, 1, 1, 30, 0) == q); /* same place again */
  arena_reset_to(a, m0);
  CHECK(arena_alloc(a, 1, 1, 20, 0) == p);
  /* A mark across chained blocks frees them.  */
  m1 = arena_mark(a);
  for (i = 0; i < 100; i++)
    arena_alloc(a, 1, 1, 100, 0);
  CHECK(arena_stats(a).blocks > 5);
  r = arena_alloc(a, 1, 1, 50000, 0); /* and a dedicated big block */
  CHECK(r != NULL);
  arena_reset_to(a, m1);
  CHECK(arena_stats(a).blocks == 1);
  CHECK(arena_stats(a).reserved == 1024);
  CHECK(arena_mark(a).pos == m1.pos);
  /* Marks inside a later block keep the older blocks.  */
  for (i = 0; i < 20; i++)
    arena_alloc(a, 1, 1, 100, 0);
  m1 = arena_mark(a);
  stale = m1;
  stale.pos += 1000000;
  arena_reset_to(a, stale); /* ahead of the position: ignored */
  CHECK(arena_mark(a).pos == m1.pos);
  stale.pos = -5;
  arena_reset_to(a, stale);
  CHECK(arena_mark(a).pos == m1.pos);
  i = arena_stats(a).blocks;
  arena_alloc(a, 1, 1, 5000, 0);
  arena_reset_to(a, m1);
  CHECK(arena_stats(a).blocks == i);
  CHECK(arena_mark(a).pos == m1.pos);
  /* After a reset, an old mark is either ahead (ignored) or behind.  */
  arena_reset(a);
  arena_reset_to(a, m1);
  CHECK(arena_mark(a).pos == 0);
  CHECK(arena_stats(a).peak > 50000);
  arena_destroy(a);
}

static void test_destroy(void) {
  int i;
  for (i = 0; i < 50; i++) { /* leak checkers watch this */
    Arena *a = arena_create(i % 2 ? 1024 : 0);
    int k;
    CHECK(a != NULL);
    for (k = 0; a && k < 200; k++)
      arena_alloc(a, 1, 1, 1 + i * 10, 0);
    arena_destroy(a);
  }
  arena_destroy(NULL);
  CHECK(arena_stats(NULL).reserved == 0);
  CHECK(arena_alloc(NULL, 1, 1, 1, 0) == NULL);
  CHECK(arena_mark(NULL).pos == 0);
  arena_reset(NULL);
}

static void test_default_sizes(void) {
  Arena *a = arena_create(0), *b = arena_create(10);
  CHECK(a && arena_stats(a).reserved == ARENA_DEFAULT_BLOCK);
  CHECK(b && arena_stats(b).reserved == 1024);
  CHECK(arena_create(ARENA_MAX_ALLOC + 1) == NULL);
  arena_destroy(a);
  arena_destroy(b);
}

static void test_overflow_refusal(void) {
  Arena *a = arena_create(4096);
  ArenaStats before;
  CHECK(a != NULL);
  if (!a)
    return;
  arena_alloc(a, 1, 1, 10, 0);
  before = arena_stats(a);
  CHECK(arena_alloc(a, PTRDIFF_MAX, 1, 1, 0) == NULL);
  CHECK(arena_alloc(a, 1, 1, PTRDIFF_MAX, 0) == NULL);
  CHECK(arena_alloc(a, PTRDIFF_MAX / 2, 1, 3, 0) == NULL); /* count*size */
  CHECK(arena_alloc(a, (ptrdiff_t)1 << 20, 1, (ptrdiff_t)1 << 20, 0) == NULL);
  CHECK(arena_alloc(a, 16, 16, PTRDIFF_MAX / 8, 0) == NULL);
  CHECK(arena_alloc(a, 1, 1, ARENA_MAX_ALLOC + 1, 0) == NULL);
  CHECK(arena_alloc(a, -1, 1, 1, 0) == NULL);
  CHECK(arena_alloc(a, 1, 1, -1, 0) == NULL);
  CHECK(arena_alloc(a, PTRDIFF_MIN, 1, -1, 0) == NULL);
  CHECK(arena_alloc(a, 0, 1, 1, 0) == NULL);
  CHECK(arena_alloc(a, 8, 0, 1, 0) == NULL);
  CHECK(arena_alloc(a, 8, 3, 1, 0) == NULL);
  CHECK(arena_alloc(a, 8, -8, 1, 0) == NULL);
  CHECK(arena_alloc(a, 8, 8192, 1, 0) == NULL);
  CHECK(arena_new(a, LineRec, -1) == NULL);
  CHECK(arena_new(a, LineRec, PTRDIFF_MAX / 4) == NULL);
  CHECK(arena_strndup(a, "abc", -1) == NULL);
  CHECK(arena_strndup(a, "abc", PTRDIFF_MAX) == NULL);
  CHECK(arena_stats(a).used == before.used); /* refusals change nothing */
  CHECK(arena_stats(a).reserved == before.reserved);
  CHECK(arena_alloc(a, 8, 8, 0, 0) != NULL); /* count 0 is allowed */
  CHECK(arena_alloc(a, 1, 1, 1, 0) != NULL); /* still usable */
  arena_destroy(a);
}

static void test_strdup(void) {
  Arena *a = arena_create(1024);
  const char *src = "/home/user/src/emacs-libvterm";
  char *d, *e;
  static const char bin[5] = {'a', 0, 'b', 0, 'c'};
  CHECK(a != NULL);
  if (!a)
    return;
  d = arena_strdup(a, src);
  CHECK(d != NULL && d != src && strcmp(d, src) == 0);
  e = arena_strdup(a, "");
  CHECK(e != NULL && e[0] == 0);
  CHECK(arena_strdup(a, NULL) == NULL);
  d = arena_strndup(a, bin, 5);
  CHECK(d != NULL && memcmp(d, bin, 5) == 0 && d[5] == 0);
  d = arena_strndup(a, src, 5);
  CHECK(d != NULL && strcmp(d, "/home") == 0);
  arena_destroy(a);
}

static void test_fixed_buffer(void) {
  static union {
    char bytes[2048];
    double align;
  } buf;
  Arena *a = arena_init(buf.bytes, sizeof buf.bytes);
  ptrdiff_t n = 0;
  CHECK(a != NULL);
  if (!a)
    return;
  while (arena_alloc(a, 1, 1, 100, 0))
    n++;
  CHECK(n >= 18 && n <= 19); /* (2048 - header) / 100 */
  CHECK(arena_stats(a).blocks == 1 && arena_stats(a).block_allocs == 1);
  arena_reset(a);
  CHECK(arena_alloc(a, 1, 1, 100, 0) != NULL);
  arena_destroy(a);
  memset(buf.bytes, 1, sizeof buf.bytes); /* the caller's again */
  CHECK(arena_init(buf.bytes, 16) == NULL);
  CHECK(arena_init(NULL, 4096) == NULL);
  a = arena_init(buf.bytes + 1, sizeof buf.bytes - 1); /* aligns itself */
  CHECK(a != NULL && aligned(arena_new(a, double, 1), 8));
  arena_destroy(a);
}

static void test_stats(void) {
  Arena *a = arena_create(2048);
  ArenaStats st;
  ArenaMark m;
  CHECK(a != NULL);
  if (!a)
    return;
  st = arena_stats(a);
  CHECK(st.used == 0 && st.peak == 0 && st.blocks == 1 && st.reserved == 2048);
  arena_alloc(a, 1, 1, 3, 0);
  arena_alloc(a, 8, 8, 2, 0); /* 16 bytes after up to 7 of padding */
  st = arena_stats(a);
  CHECK(st.used >= 19 && st.used <= 26);
  CHECK(st.peak == st.used);
  m = arena_mark(a);
  arena_alloc(a, 1, 1, 3000, 0); /* chains a dedicated block */
  st = arena_stats(a);
  CHECK(st.blocks == 2 && st.block_allocs == 2);
  CHECK(st.reserved > 2048 + 3000 && st.reserved <= 2048 + 3000 + 128);
  CHECK(st.used >= 3019 && st.peak == st.used);
  arena_reset_to(a, m);
  st = arena_stats(a);
  CHECK(st.blocks == 1 && st.reserved == 2048);
  CHECK(st.used >= 19 && st.used <= 26);
  CHECK(st.peak >= 3019); /* the peak survives resets */
  CHECK(st.block_allocs == 2);
  arena_reset(a);
  CHECK(arena_stats(a).used == 0 && arena_stats(a).peak >= 3019);
  arena_destroy(a);
}

static void test_injected_failure(void) {
  Arena *a;
  ArenaPool pool;
  ArenaStrings strs;
  static char big[10000];
  char name[32];
  int i;
  void *p;
  arena_fail_next_blocks(1);
  CHECK(arena_create(4096) == NULL);
  a = arena_create(4096); /* the failure was used up */
  CHECK(a != NULL);
  if (!a)
    return;
  CHECK(arena_alloc(a, 1, 1, 1000, 0) != NULL); /* fits: no block needed */
  arena_fail_next_blocks(2);
  CHECK(arena_alloc(a, 1, 1, 5000, 0) == NULL); /* needs a block: fails */
  CHECK(arena_stats(a).blocks == 1);
  CHECK(arena_alloc(a, 1, 1, 5000, 0) == NULL);
  p = arena_alloc(a, 1, 1, 5000, 0); /* the system works again */
  CHECK(p != NULL && arena_stats(a).blocks == 2);
  arena_fail_next_blocks(5);
  arena_fail_next_blocks(0); /* cancels */
  CHECK(arena_alloc(a, 1, 1, 50000, 0) != NULL);

  /* Pool and strings report the failure as NULL too.  */
  arena_reset(a);
  arena_pool_init(&pool, a, 3000, 8);
  CHECK(arena_pool_alloc(&pool) != NULL);
  arena_fail_next_blocks(1);
  CHECK(arena_pool_alloc(&pool) == NULL);
  CHECK(pool.live == 1 && pool.carved == 1);
  CHECK(arena_pool_alloc(&pool) != NULL);
  arena_strings_init(&strs, a);
  memset(big, 'q', sizeof big);
  arena_fail_next_blocks(1);
  CHECK(arena_str_intern(&strs, big, sizeof big) == NULL); /* malloc'd slot */
  CHECK(strs.count == 0 && strs.big_bytes == 0);
  CHECK(arena_str_intern(&strs, big, sizeof big) != NULL);
  /* A table that cannot grow keeps working, just fuller.  */
  for (i = 0; strs.count < strs.cap || strs.cap < 512; i++) {
    snprintf(name, sizeof name, "dir-%d", i);
    arena_str_intern(&strs, name, -1);
  }
  CHECK(strs.cap == 512 && strs.count == 512);
  arena_fail_next_blocks(1); /* the 8 KiB table would be malloc'd */
  p = (void *)arena_str_intern(&strs, "one more", -1);
  CHECK(p != NULL && strs.cap == 512 && strs.count == 513);
  CHECK(arena_str_intern(&strs, "one more", -1) == p);
  CHECK(arena_str_intern(&strs, "and another", -1) != NULL); /* grows now */
  CHECK(strs.cap == 1024 && arena_str_intern(&strs, "dir-7", -1) != NULL);
  arena_strings_destroy(&strs);
  arena_destroy(a);
}

static void test_pool(void) {
  Arena *a = arena_create(4096);
  ArenaPool pool, odd;
  LineRec *r[100], *again[100];
  int i, same = 1, zero = 1;
  char *o1, *o2;
  CHECK(a != NULL);
  if (!a)
    return;
  CHECK(arena_pool_init_for(&pool, a, LineRec) == 0);
  CHECK(pool.size == (ptrdiff_t)sizeof(LineRec));
  for (i = 0; i < 100; i++) {
    r[i] = arena_pool_alloc(&pool);
    if (r[i])
      r[i]->stamp = i;
  }
  CHECK(pool.live == 100 && pool.peak == 100 && pool.carved == 100);
  for (i = 0; i < 100; i++)
    arena_pool_free(&pool, r[i]);
  arena_pool_free(&pool, NULL);
  CHECK(pool.live == 0);
  for (i = 99; i >= 0; i--) { /* LIFO free list: same records back */
    again[i] = arena_pool_alloc(&pool);
    same &= again[i] == r[i];
    zero &= again[i] && all_zero(again[i], sizeof *again[i]);
  }
  CHECK(same);
  CHECK(zero);
  CHECK(pool.carved == 100 && pool.peak == 100);
  /* A record smaller than a pointer is raised; sizes stay aligned.  */
  CHECK(arena_pool_init(&odd, a, 1, 1) == 0);
  CHECK(odd.size == (ptrdiff_t)sizeof(void *));
  CHECK(arena_pool_init(&odd, a, 20, 16) == 0 && odd.size == 32);
  o1 = arena_pool_alloc(&odd);
  o2 = arena_pool_alloc(&odd);
  CHECK(o1 && o2 && aligned(o1, 16) && aligned(o2, 16) && o1 != o2);
  CHECK(arena_pool_init(&odd, a, 0, 8) == -1);
  CHECK(arena_pool_init(&odd, a, 8, 3) == -1);
  CHECK(arena_pool_init(&odd, NULL, 8, 8) == -1);
  CHECK(arena_pool_init(&odd, a, -8, 8) == -1);
  arena_destroy(a);
}

static void test_strings(void) {
  Arena *a = arena_create(8192);
  ArenaStrings s;
  const char *x, *y, *z, *w, *e, *b1, *b2;
  static const char bin[4] = {'x', 0, 'y', 0};
  static char big[6000];
  char name[64];
  const char *many[1000];
  int i, ok = 1;
  ptrdiff_t carved;
  CHECK(a != NULL);
  if (!a)
    return;
  arena_strings_init(&s, a);
  x = arena_str_intern(&s, "/home/user", -1);
  y = arena_str_intern(&s, "/home/user", 10);
  CHECK(x != NULL && x == y);
  CHECK(strcmp(x, "/home/user") == 0 && arena_str_len(x) == 10);
  CHECK(arena_str_refs(x) == 2 && s.count == 1);
  z = arena_str_intern(&s, "/home/user/", -1);
  CHECK(z != NULL && z != x && arena_str_refs(z) == 1 && s.count == 2);
  CHECK(arena_str_retain(x) == x && arena_str_refs(x) == 3);
  CHECK(arena_str_retain(NULL) == NULL);
  arena_str_release(&s, x);
  arena_str_release(&s, x);
  CHECK(arena_str_refs(x) == 1 && s.count == 2);
  arena_str_release(&s, x); /* last: the slot goes to its free list */
  CHECK(s.count == 1);
  carved = s.carved_bytes;
  w = arena_str_intern(&s, "/tmp/other", -1); /* same class: same slot */
  CHECK(w == x && arena_str_refs(w) == 1 && strcmp(w, "/tmp/other") == 0);
  CHECK(s.carved_bytes == carved);
  arena_str_release(&s, NULL);
  e = arena_str_intern(&s, "", -1);
  CHECK(e != NULL && e[0] == 0 && arena_str_len(e) == 0);
  y = arena_str_intern(&s, bin, 4); /* embedded NULs are bytes like others */
  CHECK(y != NULL && memcmp(y, bin, 4) == 0 && y[4] == 0);
  x = arena_str_intern(&s, bin, 1); /* a prefix is another string */
  CHECK(x != NULL && x != y && arena_str_len(x) == 1);
  arena_str_release(&s, arena_str_intern(&s, bin, 1));
  CHECK(arena_str_refs(x) == 1);
  arena_str_release(&s, x);
  CHECK(arena_str_intern(&s, NULL, 3) == NULL);
  CHECK(arena_str_intern(NULL, "a", 1) == NULL);

  /* Large strings are malloc'd, shared, and freed on the last release.  */
  memset(big, 'b', sizeof big);
  b1 = arena_str_intern(&s, big, sizeof big);
  b2 = arena_str_intern(&s, big, sizeof big);
  CHECK(b1 != NULL && b1 == b2 && arena_str_len(b1) == (ptrdiff_t)sizeof big);
  CHECK(s.big_bytes > (ptrdiff_t)sizeof big);
  arena_str_release(&s, b1);
  arena_str_release(&s, b2);
  CHECK(s.big_bytes == 0);

  /* Many distinct strings: the table grows and lookups stay right.  */
  for (i = 0; i < 1000; i++) {
    snprintf(name, sizeof name, "/srv/project-%d/src", i);
    many[i] = arena_str_intern(&s, name, -1);
    ok &= many[i] != NULL;
  }
  CHECK(ok);
  CHECK(s.cap >= 1000 && s.count == 1000 + 4);
  for (i = 0; i < 1000; i++) {
    snprintf(name, sizeof name, "/srv/project-%d/src", i);
    ok &= arena_str_intern(&s, name, -1) == many[i];
    ok &= arena_str_refs(many[i]) == 2 && strcmp(many[i], name) == 0;
  }
  CHECK(ok);
  CHECK(s.big_bytes > 0); /* an 8 KiB+ table is malloc'd */
  for (i = 0; i < 1000; i++) {
    arena_str_release(&s, many[i]);
    arena_str_release(&s, many[i]);
  }
  CHECK(s.count == 4);
  (void)z;
  arena_strings_destroy(&s); /* frees the malloc'd table */
  CHECK(s.count == 0 && s.table == NULL && s.big_bytes == 0);
  arena_destroy(a);

  /* A big string still live at destroy time is freed by it.  */
  a = arena_create(4096);
  arena_strings_init(&s, a);
  CHECK(arena_str_intern(&s, big, sizeof big) != NULL);
  arena_strings_destroy(&s);
  arena_destroy(a);
}

/* 1,000,000 alloc/free cycles through a pool and interned strings in a
   persistent arena: reserved stays within the bound stated in arena.h.  */
static void test_bounded_soak(void) {
  enum { LIVE = 1000, CYCLES = 1000000, BLOCK = 64 * 1024 };
  static LineRec *recs[LIVE];
  static const char *strs[LIVE];
  Arena *a = arena_create(BLOCK);
  ArenaPool pool;
  ArenaStrings s;
  ArenaStats st, mid;
  char dir[128];
  int i, part, got = 1, intact = 1;
  ptrdiff_t bound;
  CHECK(a != NULL);
  if (!a)
    return;
  arena_pool_init_for(&pool, a, LineRec);
  arena_strings_init(&s, a);
  memset(recs, 0, sizeof recs);
  memset(strs, 0, sizeof strs);
  for (i = 0; i < CYCLES; i++) {
    uint32_t k = rng() % LIVE;
    if (recs[k]) {
      intact &= recs[k]->prompt_col == (int)k && recs[k]->directory == strs[k];
      arena_str_release(&s, strs[k]);
      arena_pool_free(&pool, recs[k]);
    }
    /* 200 distinct directories of 20-90 bytes, as prompts would send.  */
    part = (int)(rng() % 70);
    snprintf(
        dir, sizeof dir, "/home/user/%.*s/%u", part,
        "projects/emacs-libvterm-win/conpty-proxy/build/tests/unit/data/xy",
        (unsigned)(rng() % 200));
    recs[k] = arena_pool_alloc(&pool);
    strs[k] = arena_str_intern(&s, dir, -1);
    got &= recs[k] != NULL && strs[k] != NULL;
    if (recs[k]) {
      recs[k]->prompt_col = (int)k;
      recs[k]->directory = strs[k];
    }
    if (i == CYCLES / 2)
      mid = arena_stats(a);
  }
  st = arena_stats(a);
  CHECK(got);
  CHECK(intact);
  CHECK(pool.carved == pool.peak && pool.peak <= LIVE);
  CHECK(s.count <= LIVE);
  /* The bound, from the live peaks (nothing else used this arena).  */
  bound = 2 * (pool.carved * pool.size + s.carved_bytes) + BLOCK +
          st.blocks * (ARENA_BLOCK_HEADER + 16);
  CHECK(st.reserved <= bound);
  CHECK(st.reserved <= stated_bound(st, BLOCK, 16));
  /* In absolute terms: far below the 1M records ever allocated.  */
  CHECK(st.reserved < 1024 * 1024);
  /* And it stopped growing: the second half took at most one more block
     (a size class may reach its peak late).  */
  CHECK(st.block_allocs - mid.block_allocs <= 1);
  printf("soak: %d cycles, reserved %ld B in %ld blocks, used %ld B; "
         "pool peak %ld, strings carved %ld B, peak live %ld B\n",
         CYCLES, (long)st.reserved, (long)st.blocks, (long)st.used,
         (long)pool.peak, (long)s.carved_bytes, (long)s.peak_bytes);
  for (i = 0; i < LIVE; i++)
    arena_str_release(&s, strs[i]);
  CHECK(s.count == 0 && s.live_bytes > 0); /* only the table is left */
  arena_strings_destroy(&s);
  arena_destroy(a);
}

static void test_poisoning(void) {
#ifdef TEST_ASAN
  Arena *a = arena_create(4096);
  ArenaPool pool;
  ArenaStrings s;
  char *p;
  void *rec;
  const char *str;
  CHECK(a != NULL);
  if (!a)
    return;
  p = arena_alloc(a, 1, 8, 64, 0);
  CHECK(!__asan_address_is_poisoned(p) && !__asan_address_is_poisoned(p + 63));
  CHECK(__asan_address_is_poisoned(p + 64)); /* the unused tail */
  arena_reset(a);
  CHECK(__asan_address_is_poisoned(p)); /* use after reset is caught */
  arena_pool_init(&pool, a, 32, 8);
  rec = arena_pool_alloc(&pool);
  arena_pool_free(&pool, rec);
  CHECK(__asan_address_is_poisoned(rec));
  CHECK(arena_pool_alloc(&pool) == rec && !__asan_address_is_poisoned(rec));
  arena_strings_init(&s, a);
  str = arena_str_intern(&s, "poison me", -1);
  arena_str_release(&s, str);
  CHECK(__asan_address_is_poisoned(str));
  arena_strings_destroy(&s);
  arena_destroy(a);
  printf("poisoning: checked under AddressSanitizer\n");
#else
  printf("poisoning: skipped (not an AddressSanitizer build)\n");
#endif
}

int main(void) {
  test_stress_10000();
  test_alignment();
  test_chaining();
  test_reset_reuse();
  test_reset_bounded_frames();
  test_marks();
  test_destroy();
  test_default_sizes();
  test_overflow_refusal();
  test_strdup();
  test_fixed_buffer();
  test_stats();
  test_injected_failure();
  test_pool();
  test_strings();
  test_bounded_soak();
  test_poisoning();
  return test_report();
}
