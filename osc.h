/* osc.h - OSC sequences: their handlers, the events queue and its delivery.
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
#ifndef VTERM_OSC_H
#define VTERM_OSC_H

/* The stream guard takes every OSC out of the byte stream and hands its
 * complete payload here (osc_sink).  What Lisp must hear about (a title,
 * a directory, an OSC 51;E command, a selection) is queued on the Term as
 * an event, and delivered by osc_deliver at the end of a redraw pass:
 *
 *   OSC 0, 2      title         vterm--set-title, the last one per redraw
 *   OSC 51;A      directory     row info of the rows from the cursor down,
 *                               the cursor row's prompt column, and
 *                               vterm--set-directory, the last one
 *   OSC 51;E      eval          vterm--eval, each in order, at most
 *                               TERM_EVAL_LIMIT per redraw
 *   OSC 52        selection     vterm--set-selection (queries ignored)
 *   OSC 8         hyperlink     link_osc (link.h): no event, the active
 *                               link of the text that follows
 *
 * Sequences the guard dropped for their size are counted (osc_dropped) and
 * reported once per redraw through `message'.
 *
 * Owns: the queued events (Term.title, directory, eval list, selection:
 * malloc'd or talloc records), freed when delivered or by osc_free_events.
 * Payloads from the guard are borrowed for the call.
 * Never: calls Emacs from a handler (they run inside libvterm writes);
 * only osc_deliver does, after detaching the queue, so Lisp may feed the
 * terminal again while it runs. */

#include "vterm-module.h"

/* An OSC 51;E command waiting for the next redraw. */
typedef struct EvalNode {
  struct EvalNode *next;
  const char *code; /* talloc string, one reference */
  int8_t origin;    /* talloc_record origin of the node */
} EvalNode;

/* StreamSink.osc: a complete OSC for T (USER). */
void osc_sink(void *user, long command, const char *payload, size_t len);

/* StreamSink.dropped: a sequence over its bound. */
void osc_dropped(void *user, const char *kind, long command, size_t len);

/* Delivers the queued title, directory, eval and selection events, in that
 * order, through their Lisp functions. */
void osc_deliver(Term *t, emacs_env *env);

/* Frees every queued event. */
void osc_free_events(Term *t);

#endif /* VTERM_OSC_H */
