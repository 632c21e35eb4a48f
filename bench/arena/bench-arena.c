/* bench-arena.c -- LineInfo-sized allocations: arena and pool vs malloc.

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

/* Usage (run.sh drives it):
     bench-arena time [REPS]          one line per pattern and size:
                                      PATTERN SIZE BEST_NS MEDIAN_NS BYTES
     bench-arena run PATTERN SIZE ROUNDS
                                      setup, one warm-up round, then ROUNDS
                                      rounds, silently (for callgrind)
   A round is N_OPS (10,000) allocations of SIZE bytes, each touched, and
   their release.  Build with -fno-builtin-malloc -fno-builtin-free so the
   compiler cannot drop malloc/free pairs.  Timing uses C11 timespec_get
   (QueryPerformanceCounter on Windows).  */

#include "../../conpty-proxy/arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _WIN32
#include <windows.h>
#endif

#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
#include <malloc.h>
#define HAVE_MALLINFO2 1
#endif

enum { N_OPS = 10000, RING = 1000, ROUNDS_PER_SAMPLE = 20, N_DIRS = 20 };

static void *ptrs[N_OPS];
static const char *strs[N_OPS];
static char dirs[N_DIRS][64];
static volatile unsigned sink;

static void touch(void *p, ptrdiff_t size, int i) {
  unsigned char *c = p;
  c[0] = (unsigned char)i;
  c[size - 1] = (unsigned char)(i >> 8);
  sink += c[0];
}

/* ---------------------------------------------------------------------- */
/* Patterns.  Each has a state made once and a round run many times.       */

typedef struct State {
  ptrdiff_t size;
  Arena *arena;
  ArenaPool pool;
  ArenaStrings strings;
  int ring_head;
} State;

static void r_malloc(State *st) {
  int i;
  for (i = 0; i < N_OPS; i++) {
    ptrs[i] = malloc((size_t)st->size);
    touch(ptrs[i], st->size, i);
  }
  for (i = 0; i < N_OPS; i++)
    free(ptrs[i]);
}

static void r_calloc(State *st) {
  int i;
  for (i = 0; i < N_OPS; i++) {
    ptrs[i] = calloc(1, (size_t)st->size);
    touch(ptrs[i], st->size, i);
  }
  for (i = 0; i < N_OPS; i++)
    free(ptrs[i]);
}

/* Zeroed bump allocation, then one reset: the per-redraw arena.  */
static void r_arena(State *st) {
  int i;
  for (i = 0; i < N_OPS; i++) {
    ptrs[i] = arena_alloc(st->arena, st->size, 8, 1, 0);
    touch(ptrs[i], st->size, i);
  }
  arena_reset(st->arena);
}

static void r_arena_nozero(State *st) {
  int i;
  for (i = 0; i < N_OPS; i++) {
    ptrs[i] = arena_alloc(st->arena, st->size, 8, 1, ARENA_NOZERO);
    touch(ptrs[i], st->size, i);
  }
  arena_reset(st->arena);
}

static void r_pool(State *st) {
  int i;
  for (i = 0; i < N_OPS; i++) {
    ptrs[i] = arena_pool_alloc(&st->pool);
    touch(ptrs[i], st->size, i);
  }
  for (i = 0; i < N_OPS; i++)
    arena_pool_free(&st->pool, ptrs[i]);
}

/* Scrollback: RING records live; each op frees the oldest, adds one.  */
static void r_malloc_fifo(State *st) {
  int i;
  for (i = 0; i < N_OPS; i++) {
    int k = st->ring_head++ % RING;
    free(ptrs[k]);
    ptrs[k] = malloc((size_t)st->size);
    touch(ptrs[k], st->size, i);
  }
}

static void r_pool_fifo(State *st) {
  int i;
  for (i = 0; i < N_OPS; i++) {
    int k = st->ring_head++ % RING;
    arena_pool_free(&st->pool, ptrs[k]);
    ptrs[k] = arena_pool_alloc(&st->pool);
    touch(ptrs[k], st->size, i);
  }
}

/* Per-line directory copies: strdup + free vs intern + release.  */
static void r_strdup(State *st) {
  int i;
  (void)st;
  for (i = 0; i < N_OPS; i++) {
    char *s = malloc(strlen(dirs[i % N_DIRS]) + 1);
    strcpy(s, dirs[i % N_DIRS]);
    strs[i] = s;
    sink += (unsigned char)s[3];
  }
  for (i = 0; i < N_OPS; i++)
    free((void *)strs[i]);
}

static void r_intern(State *st) {
  int i;
  for (i = 0; i < N_OPS; i++) {
    strs[i] = arena_str_intern(&st->strings, dirs[i % N_DIRS], -1);
    sink += (unsigned char)strs[i][3];
  }
  for (i = 0; i < N_OPS; i++)
    arena_str_release(&st->strings, strs[i]);
}

typedef struct Pattern {
  const char *name;
  void (*round)(State *);
  ptrdiff_t arena_block; /* 0: no arena */
  int pool, fifo, strings;
  const char *baseline;
} Pattern;

/* arena-bump's block holds a whole round; arena-chain uses the persistent
   arena's 64 KiB and chains (and frees) blocks every round.  */
static const Pattern patterns[] = {
    {"malloc", r_malloc, 0, 0, 0, 0, "malloc"},
    {"calloc", r_calloc, 0, 0, 0, 0, "malloc"},
    {"arena-bump", r_arena, 1 << 20, 0, 0, 0, "malloc"},
    {"arena-nozero", r_arena_nozero, 1 << 20, 0, 0, 0, "malloc"},
    {"arena-chain", r_arena, 64 * 1024, 0, 0, 0, "malloc"},
    {"pool", r_pool, 64 * 1024, 1, 0, 0, "malloc"},
    {"malloc-fifo", r_malloc_fifo, 0, 0, 1, 0, "malloc-fifo"},
    {"pool-fifo", r_pool_fifo, 64 * 1024, 1, 1, 0, "malloc-fifo"},
    {"strdup-free", r_strdup, 0, 0, 0, 1, "strdup-free"},
    {"intern-release", r_intern, 64 * 1024, 0, 0, 1, "strdup-free"},
};
enum { N_PATTERNS = sizeof patterns / sizeof *patterns };

static const Pattern *find_pattern(const char *name) {
  int i;
  for (i = 0; i < N_PATTERNS; i++)
    if (strcmp(patterns[i].name, name) == 0)
      return &patterns[i];
  return NULL;
}

static int setup(State *st, const Pattern *p, ptrdiff_t size) {
  int i;
  memset(st, 0, sizeof *st);
  st->size = size;
  memset(ptrs, 0, sizeof ptrs);
  for (i = 0; i < N_DIRS; i++)
    snprintf(dirs[i], sizeof dirs[i], "/home/user/src/project-%02d/build", i);
  if (p->arena_block && !(st->arena = arena_create(p->arena_block)))
    return -1;
  if (p->pool && arena_pool_init(&st->pool, st->arena, size, 8))
    return -1;
  if (p->strings && p->arena_block)
    arena_strings_init(&st->strings, st->arena);
  if (p->fifo) /* fill the ring first */
    for (i = 0; i < RING; i++)
      ptrs[i] = p->pool ? arena_pool_alloc(&st->pool) : malloc((size_t)size);
  return 0;
}

static void teardown(State *st, const Pattern *p) {
  int i;
  if (p->fifo && !p->pool)
    for (i = 0; i < RING; i++)
      free(ptrs[i]);
  if (p->strings && p->arena_block)
    arena_strings_destroy(&st->strings);
  arena_destroy(st->arena);
}

/* Bytes per live object: the growth of the heap (glibc mallinfo2), arena
   or string table while one round's objects are all alive; for a pool, its
   record stride.  0 when it cannot be measured.  */
static double bytes_per_object(const Pattern *p, State *st) {
  double grew = 0;
  int i;
  if (p->pool)
    return (double)st->pool.size;
  if (p->strings && p->arena_block) {
    ptrdiff_t before = st->strings.live_bytes;
    for (i = 0; i < N_OPS; i++)
      strs[i] = arena_str_intern(&st->strings, dirs[i % N_DIRS], -1);
    grew = (double)(st->strings.live_bytes - before);
    for (i = 0; i < N_OPS; i++)
      arena_str_release(&st->strings, strs[i]);
  } else if (p->arena_block) {
    ptrdiff_t before = arena_stats(st->arena).used;
    for (i = 0; i < N_OPS; i++)
      ptrs[i] = arena_alloc(st->arena, st->size, 8, 1, 0);
    grew = (double)(arena_stats(st->arena).used - before);
    arena_reset(st->arena);
  } else {
#ifdef HAVE_MALLINFO2
    size_t before = mallinfo2().uordblks;
    for (i = 0; i < N_OPS; i++)
      strs[i] = p->strings ? strcpy(malloc(strlen(dirs[i % N_DIRS]) + 1),
                                    dirs[i % N_DIRS])
                           : malloc((size_t)st->size);
    grew = (double)(mallinfo2().uordblks - before);
    for (i = 0; i < N_OPS; i++)
      free((void *)strs[i]);
#endif
  }
  return grew / N_OPS;
}

#ifdef _WIN32
static double now_ns(void) { /* MinGW's default CRT lacks timespec_get */
  LARGE_INTEGER t, f;
  QueryPerformanceCounter(&t);
  QueryPerformanceFrequency(&f);
  return (double)t.QuadPart * 1e9 / (double)f.QuadPart;
}
#else
static double now_ns(void) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}
#endif

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

enum { MAX_REPS = 101 };

/* Every pattern at 16 and 32 bytes (the string patterns only at 32: their
   directory names are 32 bytes with the NUL), REPS samples each, interleaved
   and with the order rotated every repetition so that machine noise hits
   all cases alike.  */
static int run_timing(int reps) {
  enum { MAX_CASES = N_PATTERNS * 2 };
  static double samples[MAX_CASES][MAX_REPS];
  static State st;
  const Pattern *pat[MAX_CASES];
  ptrdiff_t size[MAX_CASES];
  double bytes[MAX_CASES];
  int n = 0, c, r, k, i;
  for (i = 0; i < N_PATTERNS; i++)
    for (k = 16; k <= 32; k += 16)
      if (!patterns[i].strings || k == 32) {
        pat[n] = &patterns[i];
        size[n++] = k;
      }
  for (c = 0; c < n; c++) {
    if (setup(&st, pat[c], size[c]))
      return 1;
    pat[c]->round(&st); /* warm-up: first touch, pool carving */
    bytes[c] = bytes_per_object(pat[c], &st);
    teardown(&st, pat[c]);
  }
  for (r = 0; r < reps; r++)
    for (k = 0; k < n; k++) {
      double t0;
      c = (k + r) % n;
      if (setup(&st, pat[c], size[c]))
        return 1;
      pat[c]->round(&st);
      t0 = now_ns();
      for (i = 0; i < ROUNDS_PER_SAMPLE; i++)
        pat[c]->round(&st);
      samples[c][r] = (now_ns() - t0) / ((double)ROUNDS_PER_SAMPLE * N_OPS);
      teardown(&st, pat[c]);
    }
  for (c = 0; c < n; c++) {
    qsort(samples[c], (size_t)reps, sizeof(double), cmp_double);
    printf("%s %ld %.2f %.2f %.2f %s\n", pat[c]->name, (long)size[c],
           samples[c][0], samples[c][reps / 2], bytes[c], pat[c]->baseline);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "time") == 0) {
    int reps = argc >= 3 ? atoi(argv[2]) : 11;
    if (reps < 1 || reps > MAX_REPS)
      reps = 11;
    return run_timing(reps);
  }
  if (argc == 5 && strcmp(argv[1], "run") == 0) {
    const Pattern *p = find_pattern(argv[2]);
    long size = atol(argv[3]), rounds = atol(argv[4]), i;
    State st;
    if (!p || size < 8 || size > 4096 || rounds < 0)
      return 2;
    if (setup(&st, p, size))
      return 1;
    p->round(&st);
    for (i = 0; i < rounds; i++)
      p->round(&st);
    teardown(&st, p);
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "list") == 0) {
    int i;
    for (i = 0; i < N_PATTERNS; i++)
      printf("%s\n", patterns[i].name);
    return 0;
  }
  fprintf(stderr, "usage: %s time [REPS] | run PATTERN SIZE ROUNDS | list\n",
          argv[0]);
  return 2;
}
