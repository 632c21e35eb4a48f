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
 * the same calls fall back to malloc: behaviour is identical either way. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Statistics for vterm--arena-stats: fills OUT with name/value pairs and
 * returns how many (0 without arenas). */
typedef struct {
  const char *name;
  long long value;
} TallocStat;
int talloc_stats(const TermAlloc *a, TallocStat *out, int max);

#endif /* VTERM_TERM_ALLOC_H */
