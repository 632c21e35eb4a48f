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
 * Shell and colour protocols, each switched off by an OSC_OFF_* bit:
 *
 *   OSC 7         file://HOST/PATH: the directory, as 51;A gives it but
 *                 without a prompt mark; passed on as "@HOST:PATH"
 *                 (percent-decoded; vterm--get-directory reads that form)
 *   OSC 133;B     prompt end: the cursor row's prompt column; A (prompt
 *                 start) and C (output start) clear the prompt columns of
 *                 the rows from the cursor down (parameters are ignored)
 *   OSC 133;D[;N] the status on the row info of the last prompt row on the
 *                 screen (drawn as `vterm-command-status'), and
 *                 vterm--command-finished STATUS PROMPTS-AFTER, in order
 *   OSC 9, 777    vterm--notify TITLE BODY (sanitised, bounded), in order;
 *                 OSC 9 ; N ; ... (ConEmu: progress and others) is ignored
 *   OSC 10, 11, 4 with "?": answered into Term.output at the place the
 *                 query had in the stream, at the end of the write
 *                 (osc_answer_colors), with the query's terminator; the
 *                 default colours and 0..15 come from vterm--query-color,
 *                 16..255 from libvterm's palette.  With a colour spec:
 *                 vterm--set-color INDEX SPEC, only if Term.osc_allow_set,
 *                 at the same time, in order with the queries.
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

/* An OSC 133;D or a notification waiting for the next redraw.
 * One malloc'd block: the node, then its strings. */
typedef struct ProtoEvent {
  struct ProtoEvent *next;
  int kind;             /* PROTO_* in osc.c */
  long value;           /* exit status */
  bool has_value;       /* 133;D: a status was given */
  unsigned long serial; /* 133;D: Term.prompt_serial then */
  const char *a, *b;    /* title and body */
  size_t a_len, b_len;
} ProtoEvent;

/* Term.osc_disabled bits (vterm--set-osc-options). */
enum {
  OSC_OFF_DIRECTORY = 1,   /* OSC 7 */
  OSC_OFF_PROMPTS = 2,     /* OSC 133 */
  OSC_OFF_COLOR_QUERY = 4, /* OSC 4/10/11 queries */
  OSC_OFF_NOTIFY = 8       /* OSC 9, 777 */
};

/* StreamSink.osc: a complete OSC for T (USER). */
void osc_sink(void *user, long command, const char *payload, size_t len);

/* StreamSink.dropped: a sequence over its bound. */
void osc_dropped(void *user, const char *kind, long command, size_t len);

/* Delivers the queued title, directory, eval and selection events, in that
 * order, through their Lisp functions. */
void osc_deliver(Term *t, emacs_env *env);

/* Answers the colour queries of the last write, each at its place in
 * Term.output, and applies its colour sets, in stream order.  Runs Lisp
 * (vterm--query-color, vterm--set-color): call it only where a module
 * function may, after the write. */
void osc_answer_colors(Term *t, emacs_env *env);

/* Frees every queued event. */
void osc_free_events(Term *t);

#endif /* VTERM_OSC_H */
