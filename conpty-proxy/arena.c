/* arena.c -- block-chaining arena, record pool and interned strings.

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

/* The contract, reset policy and memory bound are in arena.h.  */

#include "arena.h"

#include <stdlib.h>
#include <string.h>

/* ======================================================================== */
/* Sanitizer hooks                                                           */

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#if !defined(ARENA_ASAN) && defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#endif

/* arena_poison: nobody may touch these bytes.  arena_unpoison: fresh
   memory for a caller.  arena_unpoison_kept: memory whose contents we wrote
   before poisoning it (a free-list link) and read again.  */
#if defined(ARENA_ASAN)
#include <sanitizer/asan_interface.h>
#define arena_poison(p, n) ASAN_POISON_MEMORY_REGION((p), (size_t)(n))
#define arena_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (size_t)(n))
#define arena_unpoison_kept(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (size_t)(n))
#elif defined(ARENA_VALGRIND)
#include <valgrind/memcheck.h>
#define arena_poison(p, n) ((void)VALGRIND_MAKE_MEM_NOACCESS((p), (n)))
#define arena_unpoison(p, n) ((void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#define arena_unpoison_kept(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#else
#define arena_poison(p, n) ((void)(p), (void)(n))
#define arena_unpoison(p, n) ((void)(p), (void)(n))
#define arena_unpoison_kept(p, n) ((void)(p), (void)(n))
#endif

#if defined(__GNUC__) || defined(__clang__)
#define ARENA_NOINLINE __attribute__((noinline))
#elif defined(_MSC_VER)
#define ARENA_NOINLINE __declspec(noinline)
#else
#define ARENA_NOINLINE
#endif

/* ======================================================================== */
/* System memory                                                             */

/* Pending injected failures (arena_fail_next_blocks).  */
static int fail_next;

void arena_fail_next_blocks(int n) { fail_next = n > 0 ? n : 0; }

/* Every byte this file takes from the system goes through here.  */
static void *sys_alloc(ptrdiff_t n) {
  if (fail_next > 0) {
    fail_next--;
    return NULL;
  }
  return malloc((size_t)n);
}

static void sys_free(void *p, ptrdiff_t n) {
  arena_unpoison_kept(p, n); /* hand the allocator clean memory */
  free(p);
}

/* The one overflow-safe size check: the byte count of COUNT objects of SIZE
   bytes, or -1 if an argument is negative or the product exceeds
   ARENA_MAX_ALLOC.  Dividing instead of multiplying cannot overflow (and is
   skipped for the common COUNT of 0 or 1).  */
static ptrdiff_t checked_bytes(ptrdiff_t size, ptrdiff_t count) {
  if (size < 1 || size > ARENA_MAX_ALLOC || count < 0 ||
      (count > 1 && count > ARENA_MAX_ALLOC / size))
    return -1;
  return size * count;
}

static int align_ok(ptrdiff_t align) {
  return align >= 1 && align <= ARENA_MAX_ALIGN && (align & (align - 1)) == 0;
}

/* Bytes needed to move P up to a multiple of ALIGN (a power of two).
   `0 -' rather than unary minus on an unsigned value, which MSVC flags.  */
static ptrdiff_t pad_for(const char *p, ptrdiff_t align) {
  return (ptrdiff_t)((0 - (uintptr_t)p) & (uintptr_t)(align - 1));
}

/* ======================================================================== */
/* Arena                                                                     */

typedef struct ArenaBlock ArenaBlock;
struct ArenaBlock {
  ArenaBlock *prev;      /* older block; NULL for the first */
  ptrdiff_t size;        /* bytes taken from the system, header included */
  ptrdiff_t base;        /* absolute position of `data' (marks) */
  ptrdiff_t used_before; /* arena `used' in older blocks */
  char *data;            /* first byte handed out from this block */
};

enum { ARENA_FIXED = 1 }; /* Arena.flags: caller's buffer, never chain */

struct Arena {
  char *beg, *end; /* free space in the current block */
  ArenaBlock *cur; /* newest block */
  ArenaBlock *first;
  ptrdiff_t block_size; /* size of chained blocks */
  ptrdiff_t reserved, blocks, peak, block_allocs;
  int flags;
};

/* The first block holds both headers; the bound in arena.h counts on it.  */
_Static_assert(sizeof(ArenaBlock) + sizeof(Arena) <= ARENA_BLOCK_HEADER,
               "ARENA_BLOCK_HEADER too small");

static char *block_end(ArenaBlock *b) { return (char *)b + b->size; }

static ptrdiff_t arena_used(const Arena *a) {
  return a->cur->used_before + (a->beg - a->cur->data);
}

/* Lay out the first block, SIZE bytes at MEM, which holds the Arena too. */
static Arena *arena_setup(void *mem, ptrdiff_t size, int flags) {
  ArenaBlock *b = mem;
  Arena *a = (Arena *)(b + 1);
  b->prev = NULL;
  b->size = size;
  b->base = 0;
  b->used_before = 0;
  b->data = (char *)(a + 1);
  a->beg = b->data;
  a->end = block_end(b);
  a->cur = a->first = b;
  a->block_size = size;
  a->reserved = size;
  a->blocks = a->block_allocs = 1;
  a->peak = 0;
  a->flags = flags;
  arena_poison(a->beg, a->end - a->beg);
  return a;
}

Arena *arena_create(ptrdiff_t initial) {
  void *mem;
  if (initial <= 0)
    initial = ARENA_DEFAULT_BLOCK;
  if (initial < 1024)
    initial = 1024;
  if (initial > ARENA_MAX_ALLOC)
    return NULL;
  mem = sys_alloc(initial);
  return mem ? arena_setup(mem, initial, 0) : NULL;
}

Arena *arena_init(void *buf, ptrdiff_t cap) {
  ptrdiff_t pad;
  if (!buf || cap < 0)
    return NULL;
  pad = pad_for(buf, (ptrdiff_t)arena_alignof(ArenaBlock));
  if (cap - pad < ARENA_BLOCK_HEADER || cap > ARENA_MAX_ALLOC)
    return NULL;
  return arena_setup((char *)buf + pad, cap - pad, ARENA_FIXED);
}

/* Chain a block with room for NEED bytes at ALIGN.  0 when out of memory.
   NEED <= ARENA_MAX_ALLOC and ALIGN <= ARENA_MAX_ALIGN, so no overflow.  */
static int arena_chain(Arena *a, ptrdiff_t need, ptrdiff_t align) {
  ptrdiff_t size = (ptrdiff_t)sizeof(ArenaBlock) + need + align - 1;
  ArenaBlock *b;
  if (a->flags & ARENA_FIXED)
    return 0;
  if (size < a->block_size)
    size = a->block_size;
  b = sys_alloc(size);
  if (!b)
    return 0;
  b->prev = a->cur;
  b->size = size;
  b->base = a->cur->base + (a->end - a->cur->data);
  b->used_before = arena_used(a);
  b->data = (char *)(b + 1);
  a->cur = b;
  a->beg = b->data;
  a->end = block_end(b);
  a->reserved += size;
  a->blocks++;
  a->block_allocs++;
  arena_poison(a->beg, a->end - a->beg);
  return 1;
}

/* Hand out N bytes after PAD bytes of padding; the caller checked room. */
static void *arena_bump(Arena *a, ptrdiff_t n, ptrdiff_t pad, int flags) {
  char *p = a->beg + pad;
  a->beg = p + n;
  arena_unpoison(p, n);
  return flags & ARENA_NOZERO ? p : memset(p, 0, (size_t)n);
}

/* Out of line, so that arena_alloc's fast path needs no stack frame.  */
ARENA_NOINLINE static void *arena_alloc_slow(Arena *a, ptrdiff_t n,
                                             ptrdiff_t align, int flags) {
  if (!arena_chain(a, n, align))
    return NULL;
  return arena_bump(a, n, pad_for(a->beg, align), flags);
}

void *arena_alloc(Arena *a, ptrdiff_t size, ptrdiff_t align, ptrdiff_t count,
                  int flags) {
  ptrdiff_t n = checked_bytes(size, count);
  ptrdiff_t pad;
  if (!a || n < 0 || !align_ok(align))
    return NULL;
  pad = pad_for(a->beg, align);
  if (n > a->end - a->beg - pad)
    return arena_alloc_slow(a, n, align, flags);
  return arena_bump(a, n, pad, flags);
}

char *arena_strndup(Arena *a, const char *s, ptrdiff_t len) {
  char *p;
  if (!s || len < 0 || len == PTRDIFF_MAX)
    return NULL;
  p = arena_alloc(a, 1, 1, len + 1, ARENA_NOZERO);
  if (p) {
    memcpy(p, s, (size_t)len);
    p[len] = 0;
  }
  return p;
}

char *arena_strdup(Arena *a, const char *s) {
  return s ? arena_strndup(a, s, (ptrdiff_t)strlen(s)) : NULL;
}

ArenaMark arena_mark(const Arena *a) {
  ArenaMark m = {0};
  if (a)
    m.pos = a->cur->base + (a->beg - a->cur->data);
  return m;
}

void arena_reset_to(Arena *a, ArenaMark mark) {
  ArenaBlock *b;
  if (!a || mark.pos < 0 || mark.pos > arena_mark(a).pos)
    return;
  if (arena_used(a) > a->peak)
    a->peak = arena_used(a);
  while (a->cur->base > mark.pos) { /* the first block has base 0 */
    b = a->cur;
    a->cur = b->prev;
    a->reserved -= b->size;
    a->blocks--;
    sys_free(b, b->size);
  }
  a->beg = a->cur->data + (mark.pos - a->cur->base);
  a->end = block_end(a->cur);
  arena_poison(a->beg, a->end - a->beg);
}

void arena_reset(Arena *a) {
  ArenaMark start = {0};
  arena_reset_to(a, start);
}

void arena_destroy(Arena *a) {
  ArenaBlock *first;
  char *fixed_end;
  if (!a)
    return;
  arena_reset(a);
  first = a->first;
  if (a->flags & ARENA_FIXED) { /* the caller's buffer: leave it usable */
    fixed_end = block_end(first);
    arena_unpoison_kept(first, fixed_end - (char *)first);
    return;
  }
  sys_free(first, first->size); /* a lives inside it */
}

ArenaStats arena_stats(const Arena *a) {
  ArenaStats s = {0, 0, 0, 0, 0};
  if (!a)
    return s;
  s.used = arena_used(a);
  s.reserved = a->reserved;
  s.blocks = a->blocks;
  s.peak = s.used > a->peak ? s.used : a->peak;
  s.block_allocs = a->block_allocs;
  return s;
}

/* ======================================================================== */
/* ArenaPool                                                                 */

int arena_pool_init(ArenaPool *p, Arena *a, ptrdiff_t size, ptrdiff_t align) {
  ptrdiff_t min = (ptrdiff_t)sizeof(void *);
  if (!p || !a || size < 1 || size > ARENA_MAX_ALLOC || !align_ok(align))
    return -1;
  if (size < min)
    size = min;
  size = (size + align - 1) & ~(align - 1); /* keeps an array aligned */
  p->arena = a;
  p->free = NULL;
  p->size = size;
  p->align = align;
  p->live = p->peak = p->carved = 0;
  return 0;
}

void *arena_pool_alloc(ArenaPool *p) {
  void *rec = p->free;
  if (rec) {
    arena_unpoison_kept(rec, p->size);
    memcpy(&p->free, rec, sizeof p->free); /* the link in the first word */
    memset(rec, 0, (size_t)p->size);
  } else {
    rec = arena_alloc(p->arena, p->size, p->align, 1, 0);
    if (!rec)
      return NULL;
    p->carved++;
  }
  if (++p->live > p->peak)
    p->peak = p->live;
  return rec;
}

void arena_pool_free(ArenaPool *p, void *rec) {
  if (!rec)
    return;
  memcpy(rec, &p->free, sizeof p->free);
  p->free = rec;
  p->live--;
  arena_poison(rec, p->size);
}

/* ======================================================================== */
/* ArenaStrings                                                              */

/* A string's slot: this header, then the bytes and a NUL.  */
struct ArenaStr {
  struct ArenaStr *next; /* bucket chain */
  ptrdiff_t refs;
  int32_t len; /* <= ARENA_MAX_ALLOC; the slot's class follows from it */
  uint32_t hash;
};
typedef struct ArenaStr ArenaStr;

enum { STR_BIG = 255 }; /* the "class" of a malloc'd slot */
_Static_assert(ARENA_STR_CLASSES < STR_BIG, "size classes overflow cls");
_Static_assert(sizeof(ArenaStr) < ARENA_STR_MIN_SLOT, "header above a slot");
_Static_assert(ARENA_MAX_ALLOC <= INT32_MAX, "string length overflows");

static const char *str_data(const ArenaStr *h) { return (const char *)(h + 1); }

static ArenaStr *str_header(const char *str) {
  return (ArenaStr *)(uintptr_t)(str - sizeof(ArenaStr));
}

static ptrdiff_t class_bytes(unsigned char cls) {
  return (ptrdiff_t)1 << (cls + ARENA_STR_MIN_SHIFT);
}

/* FNV-1a, 32 bits.  */
static uint32_t str_hash(const char *s, ptrdiff_t len) {
  uint32_t h = 2166136261u;
  ptrdiff_t i;
  for (i = 0; i < len; i++)
    h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

/* The size class of a slot of BYTES, or STR_BIG above ARENA_STR_MAX_SLOT. */
static unsigned char slot_class(ptrdiff_t bytes) {
  unsigned char k = 0;
  if (bytes > ARENA_STR_MAX_SLOT)
    return STR_BIG;
  while (class_bytes(k) < bytes)
    k++;
  return k;
}

/* A slot of at least BYTES: from its class's free list, else the arena;
   above ARENA_STR_MAX_SLOT from malloc.  */
static void *slot_get(ArenaStrings *s, ptrdiff_t bytes) {
  unsigned char k = slot_class(bytes);
  void *p;
  if (k == STR_BIG) {
    p = sys_alloc(bytes);
    if (!p)
      return NULL;
    s->big_bytes += bytes;
  } else {
    bytes = class_bytes(k);
    p = s->free[k];
    if (p) {
      arena_unpoison_kept(p, bytes);
      memcpy(&s->free[k], p, sizeof s->free[k]);
    } else {
      p = arena_alloc(s->arena, bytes, (ptrdiff_t)arena_alignof(ArenaStr), 1,
                      ARENA_NOZERO);
      if (!p)
        return NULL;
      s->carved_bytes += bytes;
    }
  }
  s->live_bytes += bytes;
  if (s->live_bytes > s->peak_bytes)
    s->peak_bytes = s->live_bytes;
  return p;
}

/* Give back slot P, got for BYTES.  */
static void slot_put(ArenaStrings *s, void *p, ptrdiff_t bytes) {
  unsigned char cls = slot_class(bytes);
  if (cls == STR_BIG) {
    s->big_bytes -= bytes;
    s->live_bytes -= bytes;
    sys_free(p, bytes);
    return;
  }
  memcpy(p, &s->free[cls], sizeof s->free[cls]);
  s->free[cls] = p;
  s->live_bytes -= class_bytes(cls);
  arena_poison(p, class_bytes(cls));
}

static ptrdiff_t str_slot_bytes(const ArenaStr *h) {
  return (ptrdiff_t)sizeof(ArenaStr) + h->len + 1;
}

void arena_strings_init(ArenaStrings *s, Arena *a) {
  memset(s, 0, sizeof *s);
  s->arena = a;
}

/* Double the bucket array (or make the first).  0 when out of memory.  */
static int str_table_grow(ArenaStrings *s) {
  ptrdiff_t cap = s->cap ? s->cap * 2 : 16;
  ptrdiff_t bytes = checked_bytes((ptrdiff_t)sizeof(ArenaStr *), cap);
  ArenaStr **t, *h, *next;
  ptrdiff_t i;
  if (bytes < 0)
    return 0;
  t = slot_get(s, bytes);
  if (!t)
    return 0;
  memset(t, 0, (size_t)bytes);
  for (i = 0; i < s->cap; i++)
    for (h = s->table[i]; h; h = next) {
      next = h->next;
      h->next = t[h->hash & (cap - 1)];
      t[h->hash & (cap - 1)] = h;
    }
  if (s->table)
    slot_put(s, s->table, s->cap * (ptrdiff_t)sizeof(ArenaStr *));
  s->table = t;
  s->cap = cap;
  return 1;
}

const char *arena_str_intern(ArenaStrings *s, const char *str, ptrdiff_t len) {
  uint32_t hash;
  ArenaStr *h, **bucket;
  ptrdiff_t bytes;
  if (!s || !str)
    return NULL;
  if (len < 0)
    len = (ptrdiff_t)strlen(str);
  bytes = checked_bytes(1, len);
  if (bytes < 0 || bytes > ARENA_MAX_ALLOC - (ptrdiff_t)sizeof(ArenaStr) - 1)
    return NULL;
  hash = str_hash(str, len);
  if (s->table)
    for (h = s->table[hash & (s->cap - 1)]; h; h = h->next)
      if (h->hash == hash && h->len == len &&
          memcmp(str_data(h), str, (size_t)len) == 0) {
        h->refs++;
        return str_data(h);
      }
  /* Keep the load at most 1; if growing fails, a fuller table still works. */
  if ((!s->table || s->count >= s->cap) && !str_table_grow(s) && !s->table)
    return NULL;
  h = slot_get(s, bytes + (ptrdiff_t)sizeof(ArenaStr) + 1);
  if (!h)
    return NULL;
  h->refs = 1;
  h->len = (int32_t)len;
  h->hash = hash;
  memcpy(h + 1, str, (size_t)len);
  ((char *)(h + 1))[len] = 0;
  bucket = &s->table[hash & (s->cap - 1)];
  h->next = *bucket;
  *bucket = h;
  s->count++;
  return str_data(h);
}

const char *arena_str_retain(const char *str) {
  if (str)
    str_header(str)->refs++;
  return str;
}

void arena_str_release(ArenaStrings *s, const char *str) {
  ArenaStr *h, **link;
  if (!s || !str || !s->table)
    return;
  h = str_header(str);
  if (h->refs <= 0 || --h->refs > 0)
    return;
  for (link = &s->table[h->hash & (s->cap - 1)]; *link; link = &(*link)->next)
    if (*link == h) { /* not found: another table's string; leave it */
      *link = h->next;
      s->count--;
      slot_put(s, h, str_slot_bytes(h));
      return;
    }
}

ptrdiff_t arena_str_len(const char *str) {
  return str ? str_header(str)->len : 0;
}

ptrdiff_t arena_str_refs(const char *str) {
  return str ? str_header(str)->refs : 0;
}

void arena_strings_destroy(ArenaStrings *s) {
  ArenaStr *h, *next;
  ptrdiff_t i;
  if (!s)
    return;
  for (i = 0; i < s->cap; i++)
    for (h = s->table[i]; h; h = next) {
      next = h->next;
      if (slot_class(str_slot_bytes(h)) == STR_BIG)
        sys_free(h, str_slot_bytes(h));
    }
  if (slot_class(s->cap * (ptrdiff_t)sizeof(ArenaStr *)) == STR_BIG)
    sys_free(s->table, s->cap * (ptrdiff_t)sizeof(ArenaStr *));
  arena_strings_init(s, s->arena);
}
