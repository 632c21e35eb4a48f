/* link.c - OSC 8 hyperlinks (see link.h).
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
#include "link.h"

#include <stdlib.h>
#include <string.h>

#include "scrollback.h"
#include "vterm-module.h"

/* ---- The table ----------------------------------------------------------- */

static uint32_t link_hash(const char *uri, size_t uri_len, const char *id,
                          size_t id_len) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (size_t i = 0; i < uri_len; i++)
    h = (h ^ (unsigned char)uri[i]) * 16777619u;
  h = (h ^ 0xFFu) * 16777619u; /* separator: "a"+"b" differs from "ab"+"" */
  for (size_t i = 0; i < id_len; i++)
    h = (h ^ (unsigned char)id[i]) * 16777619u;
  return h;
}

const Link *link_get(const LinkTable *table, uint32_t id) {
  if (id == 0 || id >= table->used || !table->entries[id].uri)
    return NULL;
  return &table->entries[id];
}

static uint32_t link_find(const LinkTable *table, uint32_t h, const char *uri,
                          size_t uri_len, const char *id, size_t id_len) {
  if (!table->buckets)
    return 0;
  for (uint32_t i = table->buckets[h % LINK_BUCKETS]; i != 0;
       i = table->entries[i].next) {
    const Link *l = &table->entries[i];
    if (l->hash == h && l->uri_len == uri_len && l->id_len == id_len &&
        memcmp(l->uri, uri, uri_len) == 0 && memcmp(l->id, id, id_len) == 0)
      return i;
  }
  return 0;
}

static void link_unchain(LinkTable *table, uint32_t index) {
  uint32_t *at = &table->buckets[table->entries[index].hash % LINK_BUCKETS];
  while (*at != index)
    at = &table->entries[*at].next;
  *at = table->entries[index].next;
}

static void mark_row(LinkTable *table, const RowLinks *rl) {
  for (int i = 0; rl && i < rl->n; i++)
    if (rl->spans[i].link < table->used)
      table->entries[rl->spans[i].link].marked = true;
}

/* Frees the links that no row of the screen or the scrollback shows. */
static void link_collect(Term *t) {
  LinkTable *table = &t->links;
  for (uint32_t i = 1; i < table->used; i++)
    table->entries[i].marked = false;
  for (int r = 0; r < t->rows; r++)
    mark_row(table, t->row_info[r].links);
  for (int i = 0; i < t->sb_count; i++)
    mark_row(table, sb_at(t, i)->info.links);
  if (table->active)
    table->entries[table->active].marked = true;
  for (uint32_t i = 1; i < table->used; i++) {
    Link *l = &table->entries[i];
    if (!l->uri || l->marked)
      continue;
    link_unchain(table, i);
    table->bytes -= l->uri_len + l->id_len;
    table->count--;
    free(l->uri);
    memset(l, 0, sizeof *l);
    l->next = table->free_head;
    table->free_head = i;
  }
}

/* Whether one more link of BYTES fits, after a mark pass if needed. */
static bool link_room(Term *t, size_t bytes) {
  LinkTable *table = &t->links;
  /* Entry 0 is never used: at most LINK_MAX_COUNT entries in all. */
  if (table->count + 1 < LINK_MAX_COUNT &&
      table->bytes + bytes <= (size_t)LINK_MAX_BYTES)
    return true;
  if (table->gc_wait > 0) {
    table->gc_wait--;
    return false;
  }
  link_collect(t);
  if (table->count + 1 < LINK_MAX_COUNT &&
      table->bytes + bytes <= (size_t)LINK_MAX_BYTES)
    return true;
  /* Nearly everything is still shown: wait before walking it again. */
  table->gc_wait = LINK_MAX_COUNT / 8;
  return false;
}

/* A free entry's index, or 0 if memory ran out. */
static uint32_t link_slot(LinkTable *table) {
  if (table->free_head) {
    uint32_t i = table->free_head;
    table->free_head = table->entries[i].next;
    return i;
  }
  if (table->used == 0)
    table->used = 1; /* index 0 means no link */
  if (table->used >= table->cap) {
    uint32_t cap = table->cap ? table->cap * 2 : 64;
    Link *entries = realloc(table->entries, (size_t)cap * sizeof *entries);
    if (!entries)
      return 0;
    memset(entries + table->cap, 0,
           (size_t)(cap - table->cap) * sizeof *entries);
    table->entries = entries;
    table->cap = cap;
  }
  return table->used++;
}

/* The index of the link (URI, ID), made if new; 0 if it cannot be. */
static uint32_t link_intern(Term *t, const char *uri, size_t uri_len,
                            const char *id, size_t id_len) {
  LinkTable *table = &t->links;
  uint32_t h = link_hash(uri, uri_len, id, id_len);
  uint32_t found = link_find(table, h, uri, uri_len, id, id_len);
  if (found)
    return found;
  if (!table->buckets &&
      !(table->buckets = calloc(LINK_BUCKETS, sizeof *table->buckets)))
    return 0;
  if (!link_room(t, uri_len + id_len))
    return 0;
  char *block = malloc(uri_len + id_len + 2);
  uint32_t i = block ? link_slot(table) : 0;
  if (i == 0) {
    free(block);
    return 0;
  }
  memcpy(block, uri, uri_len);
  block[uri_len] = '\0';
  memcpy(block + uri_len + 1, id, id_len);
  block[uri_len + 1 + id_len] = '\0';
  Link *l = &table->entries[i];
  l->uri = block;
  l->id = block + uri_len + 1;
  l->uri_len = (uint32_t)uri_len;
  l->id_len = (uint32_t)id_len;
  l->hash = h;
  l->marked = false;
  l->next = table->buckets[h % LINK_BUCKETS];
  table->buckets[h % LINK_BUCKETS] = i;
  table->count++;
  table->bytes += uri_len + id_len;
  return i;
}

void link_free_table(LinkTable *table) {
  for (uint32_t i = 1; i < table->used; i++)
    free(table->entries[i].uri);
  free(table->entries);
  free(table->buckets);
  memset(table, 0, sizeof *table);
}

/* ---- OSC 8 --------------------------------------------------------------- */

static bool printable_ascii(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)s[i] < 32 || (unsigned char)s[i] > 126)
      return false;
  return true;
}

/* The value of id= in PARAMS ("key=value" pairs separated by ':'), or an
 * empty one.  Unknown keys are ignored, and so is an unusable id. */
static const char *param_id(const char *params, size_t len, size_t *id_len) {
  size_t at = 0;
  *id_len = 0;
  while (at < len) {
    const char *item = params + at;
    const char *colon = memchr(item, ':', len - at);
    size_t n = colon ? (size_t)(colon - item) : len - at;
    if (n > 3 && memcmp(item, "id=", 3) == 0 && n - 3 <= LINK_ID_MAX &&
        printable_ascii(item + 3, n - 3)) {
      *id_len = n - 3;
      return item + 3;
    }
    at += n + 1;
  }
  return "";
}

void link_osc(Term *t, const char *payload, size_t len) {
  LinkTable *table = &t->links;
  table->active = 0; /* a new OSC 8 always ends the link before it */
  if (table->disabled)
    return;
  const char *semi = memchr(payload, ';', len);
  if (!semi)
    return; /* malformed: no URI field */
  size_t params_len = (size_t)(semi - payload);
  const char *uri = semi + 1;
  size_t uri_len = len - params_len - 1;
  if (uri_len == 0)
    return;                     /* OSC 8 ; ; ST: the end of the link */
  if (uri_len > LINK_URI_MAX) { /* reported like the guard's drops */
    table->dropped++;
    t->dropped_sequences++;
    t->dropped_bytes += len;
    t->dirty = true;
    return;
  }
  if (!printable_ascii(uri, uri_len)) {
    table->dropped++;
    return;
  }
  size_t id_len;
  const char *id = param_id(payload, params_len, &id_len);
  table->active = link_intern(t, uri, uri_len, id, id_len);
  if (table->active == 0)
    table->dropped++;
}

bool link_on_screen(const Term *t) {
  if (t->links.count == 0 || t->altscreen)
    return false;
  for (int r = 0; r < t->rows; r++)
    if (t->row_info[r].links)
      return true;
  return false;
}

bool link_recording(const Term *t) {
  return t->links.active != 0 && !t->altscreen;
}

/* ---- Spans --------------------------------------------------------------- */

/* Room for one more span in *LINKS; false if memory ran out. */
static bool spans_reserve(RowLinks **links) {
  RowLinks *rl = *links;
  if (rl && rl->n < rl->cap)
    return true;
  int cap = rl ? rl->cap * 2 : 4;
  RowLinks *grown = realloc(rl, sizeof *rl + (size_t)cap * sizeof(LinkSpan));
  if (!grown)
    return false;
  if (!rl)
    grown->n = 0;
  grown->cap = cap;
  grown->spans = (LinkSpan *)(void *)(grown + 1);
  *links = grown;
  return true;
}

void link_clear_cells(RowLinks **links, int start, int end) {
  RowLinks *rl = *links;
  if (!rl || start >= end)
    return;
  int out = 0;
  LinkSpan tail = {0, 0, 0};
  bool split = false;
  for (int i = 0; i < rl->n; i++) {
    LinkSpan s = rl->spans[i];
    if (s.end <= start || s.start >= end) {
      rl->spans[out++] = s;
      continue;
    }
    if (s.start < start && s.end > end) { /* a hole in the middle */
      tail = s;
      tail.start = end;
      split = true;
    }
    if (s.start < start) {
      s.end = start;
      rl->spans[out++] = s;
    } else if (s.end > end) {
      s.start = end;
      rl->spans[out++] = s;
    }
  }
  rl->n = out;
  /* Only one span can contain [START, END): its tail goes after the spans
   * that start before it (if memory allows; else the tail loses its
   * link). */
  if (split && spans_reserve(links)) {
    rl = *links;
    int at = 0;
    while (at < rl->n && rl->spans[at].start < tail.start)
      at++;
    memmove(&rl->spans[at + 1], &rl->spans[at],
            (size_t)(rl->n - at) * sizeof *rl->spans);
    rl->spans[at] = tail;
    rl->n++;
  }
  if (rl->n == 0) {
    free(rl);
    *links = NULL;
  }
}

bool link_add_span(RowLinks **links, int start, int end, uint32_t link) {
  link_clear_cells(links, start, end);
  RowLinks *rl = *links;
  int at = 0;
  while (rl && at < rl->n && rl->spans[at].start < start)
    at++;
  if (rl && at > 0 && rl->spans[at - 1].end == start &&
      rl->spans[at - 1].link == link) { /* extends the span before */
    rl->spans[at - 1].end = end;
    if (at < rl->n && rl->spans[at].start == end &&
        rl->spans[at].link == link) {
      rl->spans[at - 1].end = rl->spans[at].end;
      memmove(&rl->spans[at], &rl->spans[at + 1],
              (size_t)(rl->n - at - 1) * sizeof *rl->spans);
      rl->n--;
    }
    return true;
  }
  if (rl && at < rl->n && rl->spans[at].start == end &&
      rl->spans[at].link == link) { /* extends the span after */
    rl->spans[at].start = start;
    return true;
  }
  if (!spans_reserve(links))
    return false;
  rl = *links;
  memmove(&rl->spans[at + 1], &rl->spans[at],
          (size_t)(rl->n - at) * sizeof *rl->spans);
  rl->spans[at].start = start;
  rl->spans[at].end = end;
  rl->spans[at].link = link;
  rl->n++;
  return true;
}

void link_mark_cells(Term *t, int row, int start, int end) {
  uint32_t link = t->links.active;
  if (row < 0 || row >= t->rows || start < 0 || end > t->cols || start >= end ||
      link == 0)
    return;
  if (!link_add_span(&t->row_info[row].links, start, end, link))
    t->oom = true;
}
