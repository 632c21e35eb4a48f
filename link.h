/* link.h - OSC 8 hyperlinks: the link table and the cells each link covers.
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
#ifndef VTERM_LINK_H
#define VTERM_LINK_H

/* libvterm drops OSC 8 and its cells carry no data of ours, so links are
 * kept beside the cells:
 *
 *  - OSC 8 ; PARAMS ; URI (osc.c hands it to link_osc) makes a link the
 *    active one, or ends it (empty URI).  Links live in the Term's table,
 *    interned: the same URI with the same id= (or both without id) is one
 *    entry, whose index (>= 1) is the link's identity.
 *  - While a link is active, feed.c writes text one glyph at a time and
 *    records the cells each glyph took (link_mark_cells) as spans in the
 *    row info of their row (RowInfo.links).  The row info moves with its
 *    row (screen.c), into the scrollback ring with it and back, so the
 *    spans follow scrolls, scrollback and resizes with no work of ours.
 *  - Any other change to cells reaches screen.c's damage callback, which
 *    drops the spans of the damaged cells (link_clear_cells): text written
 *    over a link, erased or shifted cells lose it.
 *
 * Bounds: a URI over LINK_URI_MAX bytes or with a byte outside 32..126
 * makes no link (the text stays plain; counted in LinkTable.dropped, and
 * an overlong one reported as an oversized sequence).  The
 * table holds at most LINK_MAX_COUNT links and LINK_MAX_BYTES bytes of URIs
 * and ids; when it is full, links no row refers to any more are freed (a
 * mark pass over the screen and the scrollback), and a link that still
 * does not fit is not made (counted in LinkTable.dropped).  Spans per row
 * are bounded by its cells (they never overlap, adjacent ones of one link
 * merge).
 *
 * Owns: Term.links (the table, malloc'd) and, through RowInfo, each row's
 * RowLinks (malloc'd; freed by row_info_clear, moved by whoever moves the
 * row info).
 * Never: calls Emacs. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef LINK_URI_MAX
#define LINK_URI_MAX 8192
#endif
#define LINK_ID_MAX 256
#ifndef LINK_MAX_COUNT
#define LINK_MAX_COUNT 16384
#endif
#ifndef LINK_MAX_BYTES
#define LINK_MAX_BYTES (4L * 1024 * 1024)
#endif

/* One link: URI and id are one malloc'd block (uri, NUL, id, NUL). */
typedef struct {
  char *uri; /* NULL: a free entry */
  const char *id;
  uint32_t uri_len, id_len; /* id_len 0: no id */
  uint32_t hash;
  uint32_t next; /* next entry in its hash chain, or the free list; 0 ends */
  bool marked;   /* mark pass */
} Link;

#define LINK_BUCKETS 4096

typedef struct {
  Link *entries;      /* cap entries; index 0 unused (0 means no link) */
  uint32_t *buckets;  /* LINK_BUCKETS chain heads, or NULL before any link */
  uint32_t cap, used; /* entries allocated; entries ever handed out */
  uint32_t count;     /* live links */
  uint32_t free_head;
  size_t bytes;     /* URI and id bytes of live links */
  uint32_t active;  /* the link text is written with now; 0: none */
  uint32_t gc_wait; /* links refused before the next mark pass */
  size_t dropped;   /* links not made: too long, invalid, table full */
  bool disabled;    /* vterm--set-hyperlinks nil: OSC 8 ignored */
} LinkTable;

struct Term;
struct RowLinks;

/* OSC 8 for T: PAYLOAD is "PARAMS;URI" (borrowed). */
void link_osc(struct Term *t, const char *payload, size_t len);

/* Whether a row of the (primary) screen shows a link: only then must
 * writes keep their damage apart (feed.c).  O(rows). */
bool link_on_screen(const struct Term *t);

/* Whether text written now gets a link (on the primary screen). */
bool link_recording(const struct Term *t);

/* Screen ROW's cells [START, END) now show the active link. */
void link_mark_cells(struct Term *t, int row, int start, int end);

/* Cells [START, END) of *LINKS (NULL is fine) now show link LINK, replacing
 * what they showed.  Returns false, changing nothing, when out of memory. */
bool link_add_span(struct RowLinks **links, int start, int end, uint32_t link);

/* Drops the links of cells [START, END) of *LINKS (NULL is fine); frees
 * the spans and nulls *LINKS when none is left. */
void link_clear_cells(struct RowLinks **links, int start, int end);

/* The link with index ID, or NULL. */
const Link *link_get(const LinkTable *table, uint32_t id);

/* Frees the table (the rows' spans are freed with their row info). */
void link_free_table(LinkTable *table);

#endif /* VTERM_LINK_H */
