/* term-alloc.h - where a terminal's memory comes from: arenas or malloc.
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
#ifndef VTERM_TERM_ALLOC_H
#define VTERM_TERM_ALLOC_H

/* With VTERM_USE_ARENA (CMake option VTERM_ARENA; on by default on Windows)
 * every terminal owns two arenas (conpty-proxy/arena.h):
 *
 *  - the persistent arena (64 KiB first block) holds scrollback line
 *    records, in size classes (48 B to 8 KiB, each at most 1.5x the one
 *    below) recycled through free lists (ArenaPool), and refcounted strings
 * (directories recorded by OSC 51;A, queued OSC 51;E commands) interned in
 * ArenaStrings;
 *  - the temporary arena (128 KiB first block) holds the render buffers of
 *    one redraw and is reset at the start of every redraw.
 *
 * Bound: nothing is allocated directly from the persistent arena more than
 * once, so its reserved bytes stay below 2 x (peak live line bytes + peak
 * live string bytes) + one block + per-block headers, however long the
 * terminal runs (see arena.h).  Lines larger than the biggest size class and
 * strings larger than 4 KiB use malloc and are freed when released.
 *
 * Without VTERM_USE_ARENA, or when an arena cannot be created or runs out,
 * the same calls fall back to malloc: behaviour is identical either way.
 *
 * Owns: the arenas and everything in them, and the malloc'd fallbacks until
 * they are released.  Callers own what they allocate and give it back
 * (talloc_record_free, talloc_string_unref, buf_free); talloc_destroy comes
 * last and frees the arenas whatever is left in them.  Never calls Emacs or
 * libvterm, never signals: every failure is a NULL or false return. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef VTERM_USE_ARENA
#include "arena.h"
#define LINE_CLASSES 16 /* 48 B .. 8 KiB, steps of 1.5x and 1.33x */
#endif

typedef struct {
  bool arenas; /* the arenas below exist */
#ifdef VTERM_USE_ARENA
  Arena *perm;
  Arena *temp;
  ArenaPool lines[LINE_CLASSES];
  ArenaStrings strings;
#endif
} TermAlloc;

/* A record's origin, stored with it so it goes back to the right place. */
#define ALLOC_MALLOC (-1)

/* Sets up the arenas (when compiled in).  Never fails: without arenas
 * everything comes from malloc. */
void talloc_init(TermAlloc *a);
void talloc_destroy(TermAlloc *a);

/* A record of SIZE bytes (zeroed); *ORIGIN says where it came from. */
void *talloc_record(TermAlloc *a, size_t size, int8_t *origin);
void talloc_record_free(TermAlloc *a, void *p, int8_t origin);

/* Refcounted immutable strings (NUL-terminated; the handle is the text).
 * talloc_string returns NULL if memory ran out. */
const char *talloc_string(TermAlloc *a, const char *s, size_t len);
const char *talloc_string_ref(TermAlloc *a, const char *s);
void talloc_string_unref(TermAlloc *a, const char *s);
size_t talloc_string_len(const TermAlloc *a, const char *s);

/* Per-redraw scratch memory: valid until the next talloc_temp_reset.
 * Returns NULL when there is no temporary arena (the caller then uses
 * malloc) or memory ran out. */
void *talloc_temp(TermAlloc *a, size_t size);
void talloc_temp_reset(TermAlloc *a);

/* ---- Buf: a growable byte or record array ------------------------------
 * Scratch space reused across redraws, and a few queues (process output,
 * deferred input, remembered directories).  With a temporary arena it grows
 * inside it (no realloc) and is emptied by every talloc_temp_reset, through
 * buf_release; otherwise, or once the arena is exhausted, it uses realloc
 * and owns its malloc'd data until buf_free. */
typedef struct {
  char *data;
  size_t len, cap;
  TermAlloc *temp; /* non-NULL: grows in this allocator's temporary arena */
} Buf;

/* Grows B to hold EXTRA more bytes: buf_reserve's slow path. */
bool buf_grow(Buf *b, size_t extra);

/* Makes room for EXTRA more bytes in B.  Returns false if memory ran out
 * (B is unchanged).  Inline: the renderer appends one character at a time. */
static inline bool buf_reserve(Buf *b, size_t extra) {
  return extra <= b->cap - b->len || buf_grow(b, extra);
}

/* Appends N bytes.  Returns false if memory ran out (nothing appended). */
static inline bool buf_append(Buf *b, const void *p, size_t n) {
  if (!buf_reserve(b, n))
    return false;
  memcpy(b->data + b->len, p, n);
  b->len += n;
  return true;
}

/* Forgets B's storage: frees it if it is malloc'd; arena storage goes with
 * the arena's next reset.  TEMP is where it grows from now on. */
void buf_release(Buf *b, TermAlloc *temp);

/* Empties B, and releases malloc'd storage grown beyond KEEP bytes by an
 * unusually large use. */
void buf_trim(Buf *b, size_t keep);

/* Frees B's malloc'd storage (buf_release towards malloc). */
void buf_free(Buf *b);

/* Statistics for vterm--arena-stats: fills OUT with name/value pairs and
 * returns how many (0 without arenas). */
typedef struct {
  const char *name;
  long long value;
} TallocStat;
int talloc_stats(const TermAlloc *a, TallocStat *out, int max);

#endif /* VTERM_TERM_ALLOC_H */
