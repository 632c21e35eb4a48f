/* scrollback.c - the scrollback ring (see scrollback.h).
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
#include "scrollback.h"

#include <stdlib.h>

static int sb_slot(const Term *t, int index) {
  return ((t->sb_head - index) % t->sb_cap + t->sb_cap) % t->sb_cap;
}

Line *sb_at(const Term *t, int index) { return t->sb[sb_slot(t, index)]; }

/* Grows the ring (up to sb_max slots) so one more line fits. */
static bool sb_grow(Term *t) {
  int cap = t->sb_cap ? t->sb_cap * 2 : 64;
  if (cap > t->sb_max)
    cap = t->sb_max;
  Line **ring =
      fault_hit(FAULT_SB_RING) ? NULL : malloc((size_t)cap * sizeof *ring);
  if (!ring)
    return false;
  for (int i = 0; i < t->sb_count; i++) /* oldest first */
    ring[i] = sb_at(t, t->sb_count - 1 - i);
  free(t->sb);
  t->sb = ring;
  t->sb_cap = cap;
  t->sb_head = t->sb_count - 1;
  return true;
}

/* Keeps a reference to DIR in B, the directory of a line that is still in
 * the buffer but no longer in the ring (see vterm--get-pwd-raw). */
static void remember_dir(Term *t, Buf *b, const char *dir) {
  const char *ref = talloc_string_ref(&t->alloc, dir);
  if (!buf_append(b, &ref, sizeof ref)) {
    talloc_string_unref(&t->alloc, ref);
    t->oom = true;
  }
}

static void forget_dirs(Term *t, Buf *b) {
  const char **dirs = (const char **)(void *)b->data;
  for (size_t i = 0; i < b->len / sizeof *dirs; i++)
    talloc_string_unref(&t->alloc, dirs[i]);
  b->len = 0;
}

/* Drops the oldest line, keeping the buffer bookkeeping right. */
static void sb_evict_oldest(Term *t) {
  int slot = sb_slot(t, t->sb_count - 1);
  if (t->sb_in_buffer > 0) {
    remember_dir(t, &t->evicted_dirs, t->sb[slot]->info.dir);
    t->sb_in_buffer--;
    t->sb_evicted++;
  } else if (t->sb_pending > 0) {
    t->sb_pending--;
  }
  line_free(&t->alloc, t->sb[slot]);
  t->sb[slot] = NULL;
  t->sb_count--;
}

bool sb_push(Term *t, Line *l) {
  if (t->sb_count == t->sb_cap && t->sb_cap < t->sb_max && !sb_grow(t))
    t->oom = true; /* evict instead of growing */
  if (t->sb_cap == 0)
    return false;
  if (t->sb_count == t->sb_cap)
    sb_evict_oldest(t);
  t->sb_head = (t->sb_head + 1) % t->sb_cap;
  t->sb[t->sb_head] = l;
  t->sb_count++;
  t->sb_pending++;
  return true;
}

Line *sb_pop(Term *t) {
  Line *l = t->sb[t->sb_head];
  t->sb[t->sb_head] = NULL;
  t->sb_head = (t->sb_head - 1 + t->sb_cap) % t->sb_cap;
  t->sb_count--;
  if (t->sb_pending > 0) {
    t->sb_pending--;
  } else {
    remember_dir(t, &t->popped_dirs, l->info.dir);
    t->sb_in_buffer--;
    t->sb_popped++;
  }
  return l;
}

void sb_clear_all(Term *t) {
  while (t->sb_count > 0)
    sb_evict_oldest(t);
  t->sb_pending = 0;
  t->dirty = true;
}

/* Releases the directories of the screen rows as last drawn. */
static void forget_drawn_dirs(Term *t) {
  for (int i = 0; i < t->drawn_count; i++)
    talloc_string_unref(&t->alloc, t->drawn_dirs[i]);
  free(t->drawn_dirs);
  t->drawn_dirs = NULL;
  t->drawn_count = 0;
}

void sb_snapshot_drawn_dirs(Term *t) {
  forget_dirs(t, &t->evicted_dirs);
  forget_dirs(t, &t->popped_dirs);
  const char **dirs = malloc((size_t)t->rows * sizeof *dirs);
  forget_drawn_dirs(t);
  if (!dirs)
    return; /* no answers until the next redraw, rather than wrong ones */
  for (int r = 0; r < t->rows; r++)
    dirs[r] = talloc_string_ref(&t->alloc, t->row_info[r].dir);
  t->drawn_dirs = dirs;
  t->drawn_count = t->rows;
}

/* Entry I of B, an array of directories, or NULL past its end. */
static const char *dir_at(const Buf *b, intmax_t i) {
  const char *const *dirs = (const char *const *)(const void *)b->data;
  return i >= 0 && (size_t)i < b->len / sizeof *dirs ? dirs[i] : NULL;
}

/* The buffer holds what the last redraw drew, so lines evicted from
 * scrollback or popped back to the screen since are still there, and the
 * screen rows are as they were then. */
const char *sb_line_dir(const Term *t, intmax_t line) {
  if (line < 1)
    return NULL;
  if (line <= t->sb_evicted)
    return dir_at(&t->evicted_dirs, line - 1);
  line -= t->sb_evicted;
  if (line <= t->sb_in_buffer)
    return sb_at(t, t->sb_pending + (int)(t->sb_in_buffer - line))->info.dir;
  line -= t->sb_in_buffer;
  if (line <= t->sb_popped) /* popped newest first: the last is on top */
    return dir_at(&t->popped_dirs, t->sb_popped - line);
  line -= t->sb_popped;
  return line <= t->drawn_count ? t->drawn_dirs[line - 1] : NULL;
}

intmax_t sb_lines_above_screen(const Term *t) {
  /* The same layout sb_line_dir walks: evicted, shown, popped lines. */
  return (intmax_t)t->sb_evicted + t->sb_in_buffer + t->sb_popped;
}

const Line *sb_buffer_line(const Term *t, intmax_t line, bool *past) {
  *past = false;
  if (line < 1 || line <= t->sb_evicted)
    return NULL;
  line -= t->sb_evicted;
  if (line > t->sb_in_buffer) {
    *past = true;
    return NULL;
  }
  return sb_at(t, t->sb_pending + (int)(t->sb_in_buffer - line));
}

void sb_free(Term *t) {
  for (int i = 0; i < t->sb_count; i++)
    line_free(&t->alloc, sb_at(t, i));
  free(t->sb);
  t->sb = NULL;
  t->sb_count = 0;
  forget_dirs(t, &t->evicted_dirs);
  forget_dirs(t, &t->popped_dirs);
  buf_free(&t->evicted_dirs);
  buf_free(&t->popped_dirs);
  forget_drawn_dirs(t);
}
