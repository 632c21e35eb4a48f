/* arena.h -- block-chaining arena, record pool and interned strings.

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

/* Contract
   ========

   An Arena hands out memory by bumping a pointer through a block.  When the
   block is full a new block is chained on (never copied, never moved), so
   pointers stay valid until the arena is reset past them or destroyed.  There
   is no free of single objects: the ArenaPool and ArenaStrings layers below
   recycle fixed-size records and strings on top of an arena.

   * Sizes and counts are signed (ptrdiff_t).  Allocations are zeroed unless
     ARENA_NOZERO is passed.
   * NULL means "no memory": the system refused a block, or the request was
     invalid (negative size or count, count * size overflow, a single request
     above ARENA_MAX_ALLOC, an alignment that is not a power of two or is above
     ARENA_MAX_ALIGN).  The module turns NULL into its malloc fallback or a
     `memory-full' signal; the stand-alone proxy may abort.  Nothing in this
     file aborts, asserts or prints.
   * Block memory comes from malloc on every platform (VirtualAlloc would buy
     nothing here: blocks are small and chained, not reserved up front).
   * Not thread-safe.  One arena belongs to one thread at a time.
   * Do not copy an Arena (it is opaque and lives inside its first block);
     use marks to undo temporary allocations.

   Reset policy
   ------------

   arena_reset() returns the arena to empty and keeps only the first block:
   every chained block is freed.  After a reset the reserved bytes equal the
   initial block size again, so a burst of large frames cannot strand blocks
   (the hazard of the earlier Windows arena, which kept them all).  The cost is
   O(1) when nothing was chained, plus one free() per chained block otherwise.
   arena_reset_to(mark) frees the blocks chained after the mark the same way.

   Memory bound
   ------------

   Let `used' be the bytes handed out (including alignment padding) and
   `block' the chained block size (the initial size).  Without resets:

       reserved <= 2 * used + block + blocks * (ARENA_BLOCK_HEADER + align)

   where `align' is the largest alignment requested.  Reason: a block is left
   behind only when a request does not fit in its tail, so the tail wasted is
   smaller than that request, which is itself counted in `used' in the next
   block.  Resets only free blocks, so with resets the bound holds with the
   largest `used' since the last arena_reset(), which itself drops reserved
   back to the first block.

   On top of an arena that is never reset (the terminal's persistent arena):

   * ArenaPool: records taken from the arena never exceed the peak number of
     live records, so the pool's share of `used' is at most
     peak_live * (record size + align - 1), whatever the number of
     alloc/free cycles.
   * ArenaStrings: a string lives in a slot of a power-of-two size class
     (ARENA_STR_MIN_SLOT .. ARENA_STR_MAX_SLOT bytes, header included, so a
     slot is less than twice header + length + 1).  Released slots go to the
     class's free list and are reused first, so the slots taken from the arena
     in one class never exceed the peak number of live slots of that class.
     Strings (and hash tables) larger than ARENA_STR_MAX_SLOT are malloc'd
     and freed exactly on their last release, so they are never retained.
     Hence the strings' share of `used' is the sum over classes of
     (peak live slots of the class * slot size), plus the table.  When the
     strings stay within one class (directory names mostly do) that is at most
     2 * the peak of live string bytes, headers included.

   So a persistent arena used only through pools and strings (plus a bounded
   number of direct allocations made once per terminal) stops growing once its
   live set reaches its peak: reserved <= 2 * (sum of those peaks) + block +
   per-block overhead, independent of how long the terminal stays open.
   Anything that is replaced or freed repeatedly must NOT be allocated
   directly from a persistent arena: use a pool, ArenaStrings, or malloc.

   Build switch
   ------------

   VTERM_USE_ARENA, when defined, makes the module allocate from arenas;
   when undefined it uses plain malloc.  Test it with #ifdef.  It is set in
   one place, CMake's VTERM_ARENA option: ON defines it, OFF does not, AUTO
   (the default) defines it on WIN32 only.  This header never defines it, and
   the arena code does not look at it: arena.c always compiles, so it is
   tested on every platform.

   Sanitizers
   ----------

   Under AddressSanitizer (clang's __has_feature(address_sanitizer), GCC's
   and MSVC's __SANITIZE_ADDRESS__) the unused tail of every block, memory
   given back by a reset, and records/strings on free lists are poisoned, so a
   use after reset or after release is reported.  Defining ARENA_VALGRIND
   (needs <valgrind/memcheck.h>) does the same for memcheck.  Otherwise the
   hooks compile to nothing.  */

#ifndef VTERM_ARENA_H
#define VTERM_ARENA_H

#include <stddef.h>
#include <stdint.h>

/* alignof: C11 <stdalign.h>, with a fallback for MSVC without /std:c11.  */
#if defined(_MSC_VER) && !defined(__clang__) &&                                \
    (!defined(__STDC_VERSION__) || __STDC_VERSION__ < 201112L)
#define arena_alignof(T) __alignof(T)
#else
#include <stdalign.h>
#define arena_alignof(T) alignof(T)
#endif

/* ------------------------------------------------------------------------ */
/* Arena                                                                     */

typedef struct Arena Arena; /* opaque; lives in the first block */

/* A position in an arena, taken by arena_mark().  */
typedef struct ArenaMark {
  ptrdiff_t pos;
} ArenaMark;

typedef struct ArenaStats {
  ptrdiff_t used;         /* bytes handed out now, padding included */
  ptrdiff_t reserved;     /* bytes held from the system, headers included */
  ptrdiff_t blocks;       /* blocks held now (first block included) */
  ptrdiff_t peak;         /* largest `used' since creation */
  ptrdiff_t block_allocs; /* blocks ever obtained (first block included) */
} ArenaStats;

enum {
  ARENA_NOZERO = 1 /* flag: leave the memory uninitialised */
};

#define ARENA_DEFAULT_BLOCK ((ptrdiff_t)64 * 1024)
/* Largest single request, and largest alignment, an arena accepts.  */
#ifndef ARENA_MAX_ALLOC
#define ARENA_MAX_ALLOC ((ptrdiff_t)1 << 30)
#endif
#define ARENA_MAX_ALIGN ((ptrdiff_t)4096)
/* Bytes of bookkeeping at the start of every block (an upper bound).  */
#define ARENA_BLOCK_HEADER ((ptrdiff_t)128)

/* Create an arena whose first block (and every chained block) is INITIAL
   bytes, header included; INITIAL <= 0 means ARENA_DEFAULT_BLOCK, less
   than 1 KiB is raised to 1 KiB, more than ARENA_MAX_ALLOC gives NULL.
   NULL when out of memory.  */
Arena *arena_create(ptrdiff_t initial);

/* Make an arena inside the caller's buffer BUF of CAP bytes (for example a
   stack buffer).  It never chains: when full, arena_alloc returns NULL.
   arena_destroy() on it frees nothing.  NULL if CAP is too small for the
   header (about 128 bytes).  */
Arena *arena_init(void *buf, ptrdiff_t cap);

/* Free every block.  A NULL arena is ignored.  */
void arena_destroy(Arena *a);

/* COUNT objects of SIZE bytes aligned to ALIGN (a power of two), zeroed
   unless FLAGS has ARENA_NOZERO.  COUNT may be 0.  NULL on invalid
   arguments or when out of memory (see the contract above).  */
void *arena_alloc(Arena *a, ptrdiff_t size, ptrdiff_t align, ptrdiff_t count,
                  int flags);

/* Typed allocation: `Line *v = arena_new(a, Line, n);'.  */
#define arena_new(a, T, n)                                                     \
  ((T *)arena_alloc((a), (ptrdiff_t)sizeof(T), (ptrdiff_t)arena_alignof(T),    \
                    (n), 0))
#define arena_new_flags(a, T, n, flags)                                        \
  ((T *)arena_alloc((a), (ptrdiff_t)sizeof(T), (ptrdiff_t)arena_alignof(T),    \
                    (n), (flags)))

/* Copy the NUL-terminated S.  NULL if S is NULL or out of memory.  */
char *arena_strdup(Arena *a, const char *s);
/* Copy LEN bytes of S (which may contain NULs) and add a NUL.  */
char *arena_strndup(Arena *a, const char *s, ptrdiff_t len);

/* The current position.  */
ArenaMark arena_mark(const Arena *a);
/* Give back everything allocated after MARK; blocks chained since are
   freed.  A mark ahead of the current position (stale after an earlier
   reset) or negative is ignored, so a wrong mark is never unsafe.  */
void arena_reset_to(Arena *a, ArenaMark mark);
/* Back to empty, keeping the first block and freeing the chained ones.  */
void arena_reset(Arena *a);

ArenaStats arena_stats(const Arena *a);

/* Test hook: make the next N system allocations made by this file (arena
   blocks and large strings/tables) fail as if out of memory; N <= 0
   cancels.  A process-wide counter, not thread-safe: for tests only.  */
void arena_fail_next_blocks(int n);

/* ------------------------------------------------------------------------ */
/* ArenaPool: fixed-size records with a free list                            */

/* The fields are read-only for callers.  */
typedef struct ArenaPool {
  Arena *arena;   /* where records come from (not owned) */
  void *free;     /* free list, linked through each record's first word */
  ptrdiff_t size; /* record size, raised to hold a pointer, multiple of align */
  ptrdiff_t align;
  ptrdiff_t live;   /* records handed out and not freed */
  ptrdiff_t peak;   /* largest `live' */
  ptrdiff_t carved; /* records taken from the arena (== peak) */
} ArenaPool;

/* Set up a pool of SIZE-byte records aligned to ALIGN in arena A.  Returns 0,
   or -1 on invalid arguments.  The pool owns no memory: it dies with A, and
   must be set up again if A is reset.  */
int arena_pool_init(ArenaPool *p, Arena *a, ptrdiff_t size, ptrdiff_t align);
#define arena_pool_init_for(p, a, T)                                           \
  arena_pool_init((p), (a), (ptrdiff_t)sizeof(T), (ptrdiff_t)arena_alignof(T))

/* A zeroed record: a recycled one if any, else a new one from the arena.
   NULL when out of memory.  */
void *arena_pool_alloc(ArenaPool *p);
/* Give REC back for reuse.  NULL is ignored.  */
void arena_pool_free(ArenaPool *p, void *rec);

/* ------------------------------------------------------------------------ */
/* ArenaStrings: interned, reference-counted, immutable strings              */

#define ARENA_STR_MIN_SHIFT 5  /* smallest slot: 32 bytes */
#define ARENA_STR_MAX_SHIFT 12 /* largest arena slot: 4 KiB */
#define ARENA_STR_CLASSES (ARENA_STR_MAX_SHIFT - ARENA_STR_MIN_SHIFT + 1)
#define ARENA_STR_MIN_SLOT ((ptrdiff_t)1 << ARENA_STR_MIN_SHIFT)
#define ARENA_STR_MAX_SLOT ((ptrdiff_t)1 << ARENA_STR_MAX_SHIFT)

struct ArenaStr;

/* The fields are read-only for callers; byte counts include headers and the
   hash table.  */
typedef struct ArenaStrings {
  Arena *arena;                  /* where slots come from (not owned) */
  struct ArenaStr **table;       /* hash buckets, NULL until the first intern */
  ptrdiff_t cap;                 /* number of buckets (a power of two) */
  ptrdiff_t count;               /* distinct live strings */
  void *free[ARENA_STR_CLASSES]; /* free slots per size class */
  ptrdiff_t live_bytes;          /* slot bytes in use (arena and malloc) */
  ptrdiff_t peak_bytes;          /* largest live_bytes */
  ptrdiff_t carved_bytes;        /* slot bytes ever taken from the arena */
  ptrdiff_t big_bytes;           /* bytes in malloc'd (large) slots now */
} ArenaStrings;

/* Set up an empty string table over arena A (not owned).  */
void arena_strings_init(ArenaStrings *s, Arena *a);

/* Free the malloc'd large strings and tables and forget everything.  Call
   before destroying (or resetting) the arena; strings returned earlier are
   invalid afterwards.  */
void arena_strings_destroy(ArenaStrings *s);

/* The shared copy of the LEN bytes at STR (LEN < 0: up to the NUL).  An
   equal live string is returned with its count raised; otherwise a new copy
   with count 1.  The copy is NUL-terminated and must not be modified.  NULL
   if STR is NULL or out of memory.  Each successful call is paired with one
   arena_str_release().  */
const char *arena_str_intern(ArenaStrings *s, const char *str, ptrdiff_t len);
/* Add a reference to an interned STR and return it (NULL passes through).  */
const char *arena_str_retain(const char *str);
/* Drop a reference; the last one recycles the slot.  NULL is ignored, and
   so is a string whose count is already 0.  */
void arena_str_release(ArenaStrings *s, const char *str);
/* Length in bytes, and current reference count, of an interned STR.  */
ptrdiff_t arena_str_len(const char *str);
ptrdiff_t arena_str_refs(const char *str);

#endif /* VTERM_ARENA_H */
