/* term-alloc.c - where a terminal's memory comes from: arenas or malloc.
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
#include "term-alloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- malloc strings: a header in front of the text ---------------------- */

/* A terminal uses one kind of string for its whole life: interned arena
 * strings when it has arenas (ArenaStrings itself mallocs the large ones),
 * these otherwise. */
/* The header; the text follows it in the same block and the handle points
 * at the text (no flexible array member: MSVC warns about those). */
typedef struct {
  long refs;
  size_t len;
} MallocString;

static MallocString *malloc_string_of(const char *s) {
  return (MallocString *)(void *)(s - sizeof(MallocString));
}

static const char *malloc_string(const char *s, size_t len) {
  MallocString *m = malloc(sizeof *m + len + 1);
  if (!m)
    return NULL;
  m->refs = 1;
  m->len = len;
  char *text = (char *)(m + 1);
  memcpy(text, s, len);
  text[len] = '\0';
  return text;
}

static void malloc_string_unref(const char *s) {
  MallocString *m = malloc_string_of(s);
  if (--m->refs == 0)
    free(m);
}

#ifdef VTERM_USE_ARENA

/* Powers of two and the points halfway between them, so a record wastes at
 * most a third of its slot. */
static const ptrdiff_t line_class_size[LINE_CLASSES] = {
    48,  64,   96,   128,  192,  256,  384,  512,
    768, 1024, 1536, 2048, 3072, 4096, 6144, 8192};

void talloc_init(TermAlloc *a) {
  memset(a, 0, sizeof *a);
  a->perm = arena_create(64 * 1024);
  a->temp = arena_create(128 * 1024);
  if (!a->perm || !a->temp)
    goto fail;
  for (int c = 0; c < LINE_CLASSES; c++)
    if (arena_pool_init(&a->lines[c], a->perm, line_class_size[c], 16) != 0)
      goto fail;
  arena_strings_init(&a->strings, a->perm);
  a->arenas = true;
  return;
fail:
  arena_destroy(a->perm);
  arena_destroy(a->temp);
  memset(a, 0, sizeof *a); /* plain malloc from here on */
}

void talloc_destroy(TermAlloc *a) {
  if (!a->arenas)
    return;
  arena_strings_destroy(&a->strings);
  arena_destroy(a->perm);
  arena_destroy(a->temp);
  memset(a, 0, sizeof *a);
}

void *talloc_record(TermAlloc *a, size_t size, int8_t *origin) {
  if (a->arenas) {
    for (int c = 0; c < LINE_CLASSES; c++) {
      if ((ptrdiff_t)size > line_class_size[c])
        continue;
      void *p = arena_pool_alloc(&a->lines[c]);
      if (p) {
        *origin = (int8_t)c;
        return p;
      }
      break; /* the arena could not grow: malloc below */
    }
  }
  *origin = ALLOC_MALLOC;
  return calloc(1, size);
}

void talloc_record_free(TermAlloc *a, void *p, int8_t origin) {
  if (!p)
    return;
  if (origin == ALLOC_MALLOC)
    free(p);
  else
    arena_pool_free(&a->lines[origin], p);
}

const char *talloc_string(TermAlloc *a, const char *s, size_t len) {
  if (!a->arenas)
    return malloc_string(s, len);
  if (len > (size_t)ARENA_MAX_ALLOC / 2)
    return NULL;
  return arena_str_intern(&a->strings, s, (ptrdiff_t)len);
}

const char *talloc_string_ref(TermAlloc *a, const char *s) {
  if (!s)
    return NULL;
  if (a->arenas)
    return arena_str_retain(s);
  malloc_string_of(s)->refs++;
  return s;
}

size_t talloc_string_len(const TermAlloc *a, const char *s) {
  return a->arenas ? (size_t)arena_str_len(s) : malloc_string_of(s)->len;
}

void talloc_string_unref(TermAlloc *a, const char *s) {
  if (!s)
    return;
  if (a->arenas)
    arena_str_release(&a->strings, s);
  else
    malloc_string_unref(s);
}

void *talloc_temp(TermAlloc *a, size_t size) {
  if (!a->arenas || size > (size_t)ARENA_MAX_ALLOC)
    return NULL;
  return arena_alloc(a->temp, (ptrdiff_t)size, 16, 1, ARENA_NOZERO);
}

void talloc_temp_reset(TermAlloc *a) {
  if (a->arenas)
    arena_reset(a->temp);
}

int talloc_stats(const TermAlloc *a, TallocStat *out, int max) {
  if (!a->arenas || max < 12)
    return 0;
  ArenaStats p = arena_stats(a->perm), t = arena_stats(a->temp);
  long long live = 0;
  for (int c = 0; c < LINE_CLASSES; c++)
    live += (long long)a->lines[c].live;
  TallocStat s[] = {
      {":persistent-used", p.used},
      {":persistent-reserved", p.reserved},
      {":persistent-blocks", p.blocks},
      {":persistent-peak", p.peak},
      {":temporary-used", t.used},
      {":temporary-reserved", t.reserved},
      {":temporary-blocks", t.blocks},
      {":temporary-peak", t.peak},
      {":line-records", live},
      {":strings", a->strings.count},
      {":string-bytes", a->strings.live_bytes},
      {":string-peak-bytes", a->strings.peak_bytes},
  };
  int n = (int)(sizeof s / sizeof s[0]);
  memcpy(out, s, sizeof s);
  return n;
}

#else /* !VTERM_USE_ARENA: everything is malloc */

void talloc_init(TermAlloc *a) { memset(a, 0, sizeof *a); }
void talloc_destroy(TermAlloc *a) { (void)a; }

void *talloc_record(TermAlloc *a, size_t size, int8_t *origin) {
  (void)a;
  *origin = ALLOC_MALLOC;
  return calloc(1, size);
}

void talloc_record_free(TermAlloc *a, void *p, int8_t origin) {
  (void)a;
  (void)origin;
  free(p);
}

const char *talloc_string(TermAlloc *a, const char *s, size_t len) {
  (void)a;
  return malloc_string(s, len);
}

const char *talloc_string_ref(TermAlloc *a, const char *s) {
  (void)a;
  if (s)
    malloc_string_of(s)->refs++;
  return s;
}

size_t talloc_string_len(const TermAlloc *a, const char *s) {
  (void)a;
  return malloc_string_of(s)->len;
}

void talloc_string_unref(TermAlloc *a, const char *s) {
  (void)a;
  if (s)
    malloc_string_unref(s);
}

void *talloc_temp(TermAlloc *a, size_t size) {
  (void)a;
  (void)size;
  return NULL;
}

void talloc_temp_reset(TermAlloc *a) { (void)a; }

int talloc_stats(const TermAlloc *a, TallocStat *out, int max) {
  (void)a;
  (void)out;
  (void)max;
  return 0;
}

#endif

/* ---- Buf ----------------------------------------------------------------- */

bool buf_grow(Buf *b, size_t extra) {
  if (extra > SIZE_MAX - b->len)
    return false;
  size_t need = b->len + extra;
  if (need <= b->cap)
    return true;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < need)
    cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  char *data = b->temp ? talloc_temp(b->temp, cap) : NULL;
  if (data) { /* the old copy stays in the arena until the next reset */
    if (b->len)
      memcpy(data, b->data, b->len);
  } else {
    if (b->temp && b->data) { /* arena exhausted: move to malloc */
      char *heap = malloc(cap);
      if (!heap)
        return false;
      memcpy(heap, b->data, b->len);
      b->data = heap;
      b->temp = NULL;
      b->cap = cap;
      return true;
    }
    b->temp = NULL;
    data = realloc(b->data, cap);
    if (!data)
      return false;
  }
  b->data = data;
  b->cap = cap;
  return true;
}

void buf_release(Buf *b, TermAlloc *temp) {
  if (!b->temp)
    free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
  b->temp = temp;
}

void buf_trim(Buf *b, size_t keep) {
  b->len = 0;
  if (!b->temp && b->cap > keep)
    buf_release(b, NULL);
}

void buf_free(Buf *b) { buf_release(b, NULL); }
