/* buffer.h --- what the buffer units of the module host share

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

/* The host's buffers, one file per concern: buffer.c (buffers, their
   text, point and markers, editing and motion), textprop.c (text
   properties) and callbacks.c (the vterm--* functions the module calls,
   no-op windows, host-* helpers).  host.h is what the rest of the host
   sees of them.  */

#ifndef VTERM_HOST_BUFFER_H
#define VTERM_HOST_BUFFER_H

#include "lisp.h"

struct Buffer {
  Value *self;
  Value *name;
  unsigned *text;
  Value **props; /* NULL until a property is set */
  ptrdiff_t len, cap;
  ptrdiff_t pt;
  ptrdiff_t **markers; /* positions adjusted by edits (save-excursion) */
  ptrdiff_t nmarkers, markers_cap;
  Buffer *next;
};

extern Buffer *curbuf; /* the current buffer (current_buffer ()) */

#define CHECK_POS(v) CHECK((v)->type == V_INT, "integer-or-marker-p", v)

/* ---- buffer.c ---- */

/* t, or NULL after signalling buffer-read-only when B may not be edited
   now.  */
Value *buffer_check_writable(Buffer *b);
/* Room for EXTRA more characters (and plists, when B has them). */
void buffer_reserve(Buffer *b, ptrdiff_t extra);
/* Gives B its plist array (all nil) if it has none yet. */
void buffer_ensure_props(Buffer *b);
/* Characters [FROM, TO) (0-based indexes) of B as a string, with their
   properties when WITH_PROPS.  */
Value *buffer_chars_to_string(Buffer *b, ptrdiff_t from, ptrdiff_t to,
                              int with_props);
/* Deletes the characters between positions START and END (1-based, END
   excluded), moving point and markers.  */
void buffer_delete_chars(Buffer *b, ptrdiff_t start, ptrdiff_t end);
/* Positions that edits adjust, while a save-excursion runs. */
void buffer_push_marker(Buffer *b, ptrdiff_t *m);
void buffer_pop_marker(Buffer *b, ptrdiff_t *m);
/* `forward-line' with Emacs' return value. */
intmax_t buffer_forward_line(Buffer *b, intmax_t count);
/* `line-end-position' of line N relative to point. */
ptrdiff_t buffer_line_end_position(Buffer *b, intmax_t n);
/* Newlines between positions FROM and TO (1-based, TO excluded). */
intmax_t buffer_count_newlines(Buffer *b, ptrdiff_t from, ptrdiff_t to);
/* Stores in *OUT the buffer V designates (a buffer or a buffer name) and
   returns t, or signals and returns NULL.  */
Value *buffer_arg(Value *v, Buffer **out);

/* ---- textprop.c, callbacks.c ---- */

/* Their builtins (and callbacks.c's host-* variables), registered by
   buffer_init.  */
extern const LispUnit textprop_unit, callbacks_unit;
void callbacks_shutdown(void); /* frees what vterm--flush-output kept */

#endif /* VTERM_HOST_BUFFER_H */
