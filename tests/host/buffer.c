/* buffer.c --- buffers of the module host

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

/* A buffer is an array of characters (raw bytes as 0x3FFF00 + byte, as
   in Emacs) with a parallel array of property lists (NULL = nil).
   Positions are 1-based; point is in [1, len + 1].  Runs of characters
   share one plist object, so a plist must never be modified in place.
   The buffer owns its arrays; the plists are owned by the collector and
   marked through the buffer.

   This file: the buffers, their text, point and markers, the editing
   and motion builtins and the buffer-switching forms.  Text properties
   are in textprop.c, what the module calls back in callbacks.c (both
   share buffer.h).  */

#include "buffer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static Buffer *buffers;
Buffer *curbuf;

static Value *Qinhibit_read_only, *Qbuffer_read_only_var;

/* Declares N as the optional count argument of a motion command (default
 * 1); like CHECK, returns the wrong-type error when it is not an integer. */
#define OPTIONAL_COUNT(n)                                                      \
  intmax_t n = 1;                                                              \
  if (nargs > 0 && !NILP(args[0])) {                                           \
    CHECK_INT(args[0]);                                                        \
    n = args[0]->u.i;                                                          \
  }

Buffer *current_buffer(void) { return curbuf; }

static Buffer *buffer_new(const char *name) {
  Buffer *b = xcalloc(1, sizeof *b);
  b->name = make_cstring(name);
  b->pt = 1;
  b->self = make_buffer_value(b);
  b->next = buffers;
  buffers = b;
  return b;
}

void buffer_free(Buffer *b) {
  free(b->text);
  free(b->props);
  free(b->markers);
  b->self->u.buf = NULL;
  free(b);
}

void buffer_mark(Buffer *b, void (*mark)(Value *)) {
  mark(b->name);
  if (b->props)
    for (ptrdiff_t i = 0; i < b->len; i++)
      mark(b->props[i]);
}

void buffer_mark_roots(void (*mark)(Value *)) {
  for (Buffer *b = buffers; b; b = b->next)
    mark(b->self);
}

void buffer_shutdown(void) {
  while (buffers) {
    Buffer *n = buffers->next;
    buffer_free(buffers);
    buffers = n;
  }
  curbuf = NULL;
  callbacks_shutdown();
}

Value *buffer_check_writable(Buffer *b) {
  Value *ro = Qbuffer_read_only_var->u.sym.value;
  Value *inhibit = Qinhibit_read_only->u.sym.value;
  if (ro && !NILP(ro) && (!inhibit || NILP(inhibit)))
    return xsignal(Qbuffer_read_only, cons(b->self, Qnil));
  return Qt;
}

void buffer_reserve(Buffer *b, ptrdiff_t extra) {
  if (b->len + extra <= b->cap)
    return;
  b->cap = (b->len + extra) * 2 + 64;
  b->text = xrealloc(b->text, (size_t)b->cap * sizeof *b->text);
  if (b->props)
    b->props = xrealloc(b->props, (size_t)b->cap * sizeof *b->props);
}

void buffer_ensure_props(Buffer *b) {
  if (!b->props)
    b->props = xcalloc((size_t)(b->cap ? b->cap : 1), sizeof *b->props);
}

/* Insert N characters (and their plists, or NULL) at point.  */
static void insert_chars(Buffer *b, const unsigned *chars, Value **props,
                         ptrdiff_t n) {
  ptrdiff_t at = b->pt - 1;
  buffer_reserve(b, n);
  if (props)
    buffer_ensure_props(b);
  memmove(b->text + at + n, b->text + at,
          (size_t)(b->len - at) * sizeof *b->text);
  memcpy(b->text + at, chars, (size_t)n * sizeof *chars);
  if (b->props) {
    memmove(b->props + at + n, b->props + at,
            (size_t)(b->len - at) * sizeof *b->props);
    for (ptrdiff_t i = 0; i < n; i++)
      b->props[at + i] = props ? props[i] : NULL;
  }
  b->len += n;
  for (ptrdiff_t i = 0; i < b->nmarkers; i++)
    if (*b->markers[i] > b->pt)
      *b->markers[i] += n;
  b->pt += n;
}

/* Decode string S into characters; caller frees.  */
static unsigned *string_to_chars(Value *s, ptrdiff_t *n) {
  unsigned *chars = xmalloc((size_t)(s->u.str.len + 1) * sizeof *chars);
  ptrdiff_t k = 0;
  for (ptrdiff_t i = 0; i < s->u.str.len;) {
    unsigned c;
    if (s->multibyte) {
      i += utf8_decode_char(s->u.str.data + i, s->u.str.len - i, &c);
    } else {
      c = (unsigned char)s->u.str.data[i++];
      if (c >= 0x80)
        c += 0x3FFF00;
    }
    chars[k++] = c;
  }
  *n = k;
  return chars;
}

Value *buffer_insert_string(Buffer *b, Value *s) {
  ptrdiff_t n;
  unsigned *chars = string_to_chars(s, &n);
  insert_chars(b, chars, s->u.str.props, n);
  free(chars);
  return Qnil;
}

Value *buffer_chars_to_string(Buffer *b, ptrdiff_t from, ptrdiff_t to,
                              int with_props) {
  char *buf = NULL;
  size_t len = 0, cap = 0;
  Value *s;
  put_char(&buf, &len, &cap, 'x');
  len = 0;
  for (ptrdiff_t i = from; i < to; i++)
    put_char(&buf, &len, &cap, b->text[i]);
  s = make_string(buf, (ptrdiff_t)len, 1);
  free(buf);
  if (with_props && b->props && s->u.str.nchars == to - from) {
    int any = 0;
    for (ptrdiff_t i = from; i < to && !any; i++)
      any = b->props[i] != NULL;
    if (any) {
      s->u.str.props = xcalloc((size_t)(to - from), sizeof(Value *));
      memcpy(s->u.str.props, b->props + from,
             (size_t)(to - from) * sizeof(Value *));
    }
  }
  return s;
}

void buffer_delete_chars(Buffer *b, ptrdiff_t start, ptrdiff_t end) {
  ptrdiff_t n = end - start;
  memmove(b->text + start - 1, b->text + end - 1,
          (size_t)(b->len - (end - 1)) * sizeof *b->text);
  if (b->props)
    memmove(b->props + start - 1, b->props + end - 1,
            (size_t)(b->len - (end - 1)) * sizeof *b->props);
  b->len -= n;
  if (b->pt > end)
    b->pt -= n;
  else if (b->pt > start)
    b->pt = start;
  for (ptrdiff_t i = 0; i < b->nmarkers; i++) {
    ptrdiff_t *m = b->markers[i];
    if (*m > end)
      *m -= n;
    else if (*m > start)
      *m = start;
  }
}

void buffer_push_marker(Buffer *b, ptrdiff_t *m) {
  if (b->nmarkers == b->markers_cap) {
    b->markers_cap = b->markers_cap ? b->markers_cap * 2 : 8;
    b->markers =
        xrealloc(b->markers, (size_t)b->markers_cap * sizeof *b->markers);
  }
  b->markers[b->nmarkers++] = m;
}

void buffer_pop_marker(Buffer *b, ptrdiff_t *m) {
  for (ptrdiff_t i = b->nmarkers; i-- > 0;)
    if (b->markers[i] == m) {
      memmove(b->markers + i, b->markers + i + 1,
              (size_t)(b->nmarkers - i - 1) * sizeof *b->markers);
      b->nmarkers--;
      return;
    }
}

/* Emacs' find_newline: from START, look for COUNT newlines forward
   (COUNT > 0) or -COUNT backward; the result is just after the last
   newline found (also when scanning backward), or the limit.  *FOUND is
   the number of newlines found.  Positions are 1-based.  */
static ptrdiff_t find_newline(Buffer *b, ptrdiff_t start, intmax_t count,
                              intmax_t *found) {
  ptrdiff_t pos = start;
  *found = 0;
  if (count > 0) {
    while (pos <= b->len) {
      if (b->text[pos - 1] == '\n' && ++*found == count)
        return pos + 1;
      pos++;
    }
    return b->len + 1;
  }
  while (pos > 1) {
    if (b->text[pos - 2] == '\n' && ++*found == -count)
      return pos;
    pos--;
  }
  return 1;
}

/* `forward-line' with Emacs' return value rules.  */
intmax_t buffer_forward_line(Buffer *b, intmax_t count) {
  ptrdiff_t opoint = b->pt;
  intmax_t found, shortage;
  if (count <= 0) {
    b->pt = find_newline(b, b->pt, count - 1, &found);
    shortage = (1 - count) - found;
  } else {
    b->pt = find_newline(b, b->pt, count, &found);
    shortage = count - found;
  }
  if (shortage > 0 &&
      (count <= 0 || (b->len > 0 && b->pt != opoint &&
                      b->text[b->pt - 2] != '\n')))
    shortage--;
  return count <= 0 ? -shortage : shortage;
}

ptrdiff_t buffer_line_end_position(Buffer *b, intmax_t n) {
  intmax_t cnt = n - (n <= 0), found;
  ptrdiff_t pos = find_newline(b, b->pt, cnt, &found);
  if (found == (cnt < 0 ? -cnt : cnt))
    pos--;
  return pos;
}

static ptrdiff_t line_beginning_position(Buffer *b, intmax_t n) {
  ptrdiff_t saved = b->pt, r;
  buffer_forward_line(b, n - 1);
  r = b->pt;
  b->pt = saved;
  return r;
}

/* ------------------------------------------------------------------ */
/* Buffer builtins                                                      */
/* ------------------------------------------------------------------ */

static Value *live_cur(void) {
  if (!curbuf)
    return error_fmt("No current buffer");
  return Qt;
}

static Value *Finsert(ptrdiff_t nargs, Value **args) {
  if (!live_cur() || !buffer_check_writable(curbuf))
    return NULL;
  for (ptrdiff_t i = 0; i < nargs; i++) {
    Value *a = args[i];
    if (STRINGP(a)) {
      buffer_insert_string(curbuf, a);
    } else if (a->type == V_INT && a->u.i >= 0 && a->u.i <= 0x3FFFFF) {
      unsigned c = (unsigned)a->u.i;
      insert_chars(curbuf, &c, NULL, 1);
    } else {
      return wrong_type("char-or-string-p", a);
    }
  }
  return Qnil;
}

static Value *Fgoto_char(ptrdiff_t nargs, Value **args) {
  intmax_t p;
  (void)nargs;
  CHECK_POS(args[0]);
  p = args[0]->u.i;
  if (p < 1)
    p = 1;
  if (p > curbuf->len + 1)
    p = curbuf->len + 1;
  curbuf->pt = (ptrdiff_t)p;
  return args[0];
}

static Value *move_chars(intmax_t n) {
  intmax_t np = (intmax_t)curbuf->pt + n;
  if (np < 1) {
    curbuf->pt = 1;
    return xsignal(Qbeginning_of_buffer, Qnil);
  }
  if (np > curbuf->len + 1) {
    curbuf->pt = curbuf->len + 1;
    return xsignal(Qend_of_buffer, Qnil);
  }
  curbuf->pt = (ptrdiff_t)np;
  return Qnil;
}

static Value *Fforward_char(ptrdiff_t nargs, Value **args) {
  OPTIONAL_COUNT(n);
  return move_chars(n);
}

static Value *Fbackward_char(ptrdiff_t nargs, Value **args) {
  OPTIONAL_COUNT(n);
  return move_chars(-n);
}

static Value *Fforward_line(ptrdiff_t nargs, Value **args) {
  OPTIONAL_COUNT(n);
  return make_int(buffer_forward_line(curbuf, n));
}

static Value *Fbeginning_of_line(ptrdiff_t nargs, Value **args) {
  OPTIONAL_COUNT(n);
  curbuf->pt = line_beginning_position(curbuf, n);
  return Qnil;
}

static Value *Fend_of_line(ptrdiff_t nargs, Value **args) {
  OPTIONAL_COUNT(n);
  curbuf->pt = buffer_line_end_position(curbuf, n);
  return Qnil;
}

static Value *Fline_end_position(ptrdiff_t nargs, Value **args) {
  OPTIONAL_COUNT(n);
  return make_int(buffer_line_end_position(curbuf, n));
}

static Value *Fline_beginning_position(ptrdiff_t nargs, Value **args) {
  OPTIONAL_COUNT(n);
  return make_int(line_beginning_position(curbuf, n));
}

static Value *Fpoint(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(curbuf->pt);
}
static Value *Fpoint_min(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(1);
}
static Value *Fpoint_max(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(curbuf->len + 1);
}
static Value *Fbuffer_size(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(curbuf->len);
}
static Value *Fbobp(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return BOOL(curbuf->pt == 1);
}
static Value *Feobp(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return BOOL(curbuf->pt == curbuf->len + 1);
}
static Value *Fbolp(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return BOOL(curbuf->pt == 1 || curbuf->text[curbuf->pt - 2] == '\n');
}
static Value *Feolp(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return BOOL(curbuf->pt == curbuf->len + 1 || curbuf->text[curbuf->pt - 1] == '\n');
}

static Value *Fchar_after(ptrdiff_t nargs, Value **args) {
  intmax_t p = curbuf->pt;
  if (nargs > 0 && !NILP(args[0])) {
    CHECK_POS(args[0]);
    p = args[0]->u.i;
  }
  if (p < 1 || p > curbuf->len)
    return Qnil;
  return make_int(curbuf->text[p - 1]);
}

static Value *Fchar_before(ptrdiff_t nargs, Value **args) {
  intmax_t p = curbuf->pt;
  if (nargs > 0 && !NILP(args[0])) {
    CHECK_POS(args[0]);
    p = args[0]->u.i;
  }
  if (p < 2 || p > curbuf->len + 1)
    return Qnil;
  return make_int(curbuf->text[p - 2]);
}

/* Validate the region [A, B] of the current buffer (any order).  */
static Value *region(Value *a, Value *b, ptrdiff_t *start, ptrdiff_t *end) {
  intmax_t s, e;
  CHECK_POS(a);
  CHECK_POS(b);
  s = a->u.i;
  e = b->u.i;
  if (s > e) {
    intmax_t t = s;
    s = e;
    e = t;
  }
  if (s < 1 || e > curbuf->len + 1)
    return args_out_of_range(a, b);
  *start = (ptrdiff_t)s;
  *end = (ptrdiff_t)e;
  return Qt;
}

static Value *Fdelete_region(ptrdiff_t nargs, Value **args) {
  ptrdiff_t s, e;
  (void)nargs;
  if (!region(args[0], args[1], &s, &e) || !buffer_check_writable(curbuf))
    return NULL;
  buffer_delete_chars(curbuf, s, e);
  return Qnil;
}

static Value *Fdelete_char(ptrdiff_t nargs, Value **args) {
  intmax_t n;
  (void)nargs;
  CHECK_INT(args[0]);
  n = args[0]->u.i;
  if (!buffer_check_writable(curbuf))
    return NULL;
  if (n >= 0) {
    if (curbuf->pt + n > curbuf->len + 1)
      return xsignal(Qend_of_buffer, Qnil);
    buffer_delete_chars(curbuf, curbuf->pt, curbuf->pt + (ptrdiff_t)n);
  } else {
    if (curbuf->pt + n < 1)
      return xsignal(Qbeginning_of_buffer, Qnil);
    buffer_delete_chars(curbuf, curbuf->pt + (ptrdiff_t)n, curbuf->pt);
  }
  return Qnil;
}

static Value *Ferase_buffer(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  if (!buffer_check_writable(curbuf))
    return NULL;
  buffer_delete_chars(curbuf, 1, curbuf->len + 1);
  return Qnil;
}

static Value *Fbuffer_string(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return buffer_chars_to_string(curbuf, 0, curbuf->len, 1);
}

static Value *Fbuffer_substring(ptrdiff_t nargs, Value **args) {
  ptrdiff_t s, e;
  (void)nargs;
  if (!region(args[0], args[1], &s, &e))
    return NULL;
  return buffer_chars_to_string(curbuf, s - 1, e - 1, 1);
}

static Value *Fbuffer_substring_np(ptrdiff_t nargs, Value **args) {
  ptrdiff_t s, e;
  (void)nargs;
  if (!region(args[0], args[1], &s, &e))
    return NULL;
  return buffer_chars_to_string(curbuf, s - 1, e - 1, 0);
}

intmax_t buffer_count_newlines(Buffer *b, ptrdiff_t from, ptrdiff_t to) {
  intmax_t n = 0;
  for (ptrdiff_t i = from; i < to; i++)
    if (b->text[i - 1] == '\n')
      n++;
  return n;
}

static Value *Fline_number_at_pos(ptrdiff_t nargs, Value **args) {
  intmax_t p = curbuf->pt;
  if (nargs > 0 && !NILP(args[0])) {
    CHECK_POS(args[0]);
    p = args[0]->u.i;
    if (p < 1 || p > curbuf->len + 1)
      return args_out_of_range(args[0], make_int(curbuf->len + 1));
  }
  return make_int(1 + buffer_count_newlines(curbuf, 1, (ptrdiff_t)p));
}

static Value *Fcount_lines(ptrdiff_t nargs, Value **args) {
  ptrdiff_t s, e;
  intmax_t n;
  (void)nargs;
  if (!region(args[0], args[1], &s, &e))
    return NULL;
  n = buffer_count_newlines(curbuf, s, e);
  if (e > s && curbuf->text[e - 2] != '\n')
    n++;
  return make_int(n);
}

/* ---- buffers ---- */

static Buffer *find_buffer(Value *name) {
  for (Buffer *b = buffers; b; b = b->next)
    if (equal(b->name, name))
      return b;
  return NULL;
}

Value *buffer_arg(Value *v, Buffer **out) {
  if (v->type == V_BUFFER) {
    if (!v->u.buf)
      return error_fmt("Selecting deleted buffer");
    *out = v->u.buf;
    return Qt;
  }
  if (STRINGP(v)) {
    *out = find_buffer(v);
    if (!*out)
      return error_fmt("No such buffer %s", v->u.str.data);
    return Qt;
  }
  return wrong_type("stringp", v);
}

static Value *Fcurrent_buffer(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return curbuf->self;
}

static Value *Fset_buffer(ptrdiff_t nargs, Value **args) {
  Buffer *b;
  (void)nargs;
  if (!buffer_arg(args[0], &b))
    return NULL;
  curbuf = b;
  return b->self;
}

static Value *Fget_buffer(ptrdiff_t nargs, Value **args) {
  Buffer *b;
  (void)nargs;
  if (args[0]->type == V_BUFFER)
    return args[0];
  CHECK_STRING(args[0]);
  b = find_buffer(args[0]);
  return b ? b->self : Qnil;
}

static Value *Fget_buffer_create(ptrdiff_t nargs, Value **args) {
  Buffer *b;
  (void)nargs;
  if (args[0]->type == V_BUFFER)
    return args[0];
  CHECK_STRING(args[0]);
  b = find_buffer(args[0]);
  return (b ? b : buffer_new(args[0]->u.str.data))->self;
}

static Value *Fgenerate_new_buffer(ptrdiff_t nargs, Value **args) {
  char name[512];
  (void)nargs;
  CHECK_STRING(args[0]);
  snprintf(name, sizeof name, "%s", args[0]->u.str.data);
  for (int i = 2; find_buffer(make_cstring(name)); i++)
    snprintf(name, sizeof name, "%s<%d>", args[0]->u.str.data, i);
  return buffer_new(name)->self;
}

static Value *Fbuffer_name(ptrdiff_t nargs, Value **args) {
  Buffer *b = curbuf;
  if (nargs > 0 && !NILP(args[0])) {
    if (args[0]->type != V_BUFFER)
      return wrong_type("bufferp", args[0]);
    if (!args[0]->u.buf)
      return Qnil;
    b = args[0]->u.buf;
  }
  return b->name;
}

static Value *Frename_buffer(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  curbuf->name = args[0];
  return args[0];
}

static Value *Fbuffer_live_p(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return BOOL(args[0]->type == V_BUFFER && args[0]->u.buf);
}

static Value *Fkill_buffer(ptrdiff_t nargs, Value **args) {
  Buffer *b = curbuf, **link;
  if (nargs > 0 && !NILP(args[0])) {
    if (args[0]->type == V_BUFFER && !args[0]->u.buf)
      return Qnil;
    if (!buffer_arg(args[0], &b))
      return NULL;
  }
  for (link = &buffers; *link != b; link = &(*link)->next)
    ;
  *link = b->next;
  if (curbuf == b) {
    curbuf = buffers;
    if (!curbuf)
      curbuf = buffer_new("*scratch*");
  }
  buffer_free(b);
  return Qt;
}

/* (with-current-buffer BUFFER BODY...), (save-current-buffer BODY...),
   (with-temp-buffer BODY...), (save-excursion BODY...).  */
static Value *sf_with_current_buffer(Value *a) {
  Buffer *saved = curbuf, *b;
  Value *v = CONSP(a) ? eval(XCAR(a)) : Qnil, *r;
  ptrdiff_t base;
  if (!v || !buffer_arg(v, &b))
    return NULL;
  base = root_push(saved->self);
  curbuf = b;
  r = progn(XCDR(a));
  if (ROOT(base)->u.buf)
    curbuf = ROOT(base)->u.buf;
  root_reset(base);
  return r;
}

static Value *sf_save_current_buffer(Value *a) {
  ptrdiff_t base = root_push(curbuf->self);
  Value *r = progn(a);
  if (ROOT(base)->u.buf)
    curbuf = ROOT(base)->u.buf;
  root_reset(base);
  return r;
}

static Value *sf_with_temp_buffer(Value *a) {
  ptrdiff_t base = root_push(curbuf->self);
  Buffer *tmp = buffer_new(" *temp*");
  Value *r, *tv = tmp->self;
  root_push(tv);
  curbuf = tmp;
  r = progn(a);
  if (ROOT(base)->u.buf)
    curbuf = ROOT(base)->u.buf;
  if (tv->u.buf) {
    struct HostExit saved = host_exit;
    clear_exit();
    Fkill_buffer(1, &root_stack[base + 1]);
    host_exit = saved;
  }
  root_reset(base);
  return r;
}

static Value *sf_save_excursion(Value *a) {
  ptrdiff_t base = root_push(curbuf->self);
  Buffer *b = curbuf;
  ptrdiff_t pos = curbuf->pt;
  Value *r;
  buffer_push_marker(b, &pos);
  r = progn(a);
  if (ROOT(base)->u.buf) {
    buffer_pop_marker(b, &pos);
    curbuf = b;
    curbuf->pt = pos <= curbuf->len + 1 ? pos : curbuf->len + 1;
  }
  root_reset(base);
  return r;
}

void buffer_init(void) {
  static const BuiltinDef builtins[] = {
      {"insert", 0, -1, Finsert},
      {"goto-char", 1, 1, Fgoto_char},
      {"forward-char", 0, 1, Fforward_char},
      {"backward-char", 0, 1, Fbackward_char},
      {"forward-line", 0, 1, Fforward_line},
      {"beginning-of-line", 0, 1, Fbeginning_of_line},
      {"end-of-line", 0, 1, Fend_of_line},
      {"line-end-position", 0, 1, Fline_end_position},
      {"line-beginning-position", 0, 1, Fline_beginning_position},
      {"pos-eol", 0, 1, Fline_end_position},
      {"pos-bol", 0, 1, Fline_beginning_position},
      {"point", 0, 0, Fpoint},
      {"point-min", 0, 0, Fpoint_min},
      {"point-max", 0, 0, Fpoint_max},
      {"buffer-size", 0, 1, Fbuffer_size},
      {"bobp", 0, 0, Fbobp},
      {"eobp", 0, 0, Feobp},
      {"bolp", 0, 0, Fbolp},
      {"eolp", 0, 0, Feolp},
      {"char-after", 0, 1, Fchar_after},
      {"char-before", 0, 1, Fchar_before},
      {"delete-region", 2, 2, Fdelete_region},
      {"delete-char", 1, 2, Fdelete_char},
      {"erase-buffer", 0, 0, Ferase_buffer},
      {"buffer-string", 0, 0, Fbuffer_string},
      {"buffer-substring", 2, 2, Fbuffer_substring},
      {"buffer-substring-no-properties", 2, 2, Fbuffer_substring_np},
      {"line-number-at-pos", 0, 2, Fline_number_at_pos},
      {"count-lines", 2, 3, Fcount_lines},
      {"current-buffer", 0, 0, Fcurrent_buffer},
      {"set-buffer", 1, 1, Fset_buffer},
      {"get-buffer", 1, 1, Fget_buffer},
      {"get-buffer-create", 1, 2, Fget_buffer_create},
      {"generate-new-buffer", 1, 2, Fgenerate_new_buffer},
      {"buffer-name", 0, 1, Fbuffer_name},
      {"rename-buffer", 1, 2, Frename_buffer},
      {"buffer-live-p", 1, 1, Fbuffer_live_p},
      {"kill-buffer", 0, 1, Fkill_buffer},
      {"vterm--insert", 0, -1, Finsert},
      {"vterm--delete-region", 2, 2, Fdelete_region},
      {"vterm--delete-char", 1, 2, Fdelete_char},
  };
  static const SpecialDef specials[] = {
      {"with-current-buffer", sf_with_current_buffer},
      {"save-current-buffer", sf_save_current_buffer},
      {"with-temp-buffer", sf_with_temp_buffer},
      {"save-excursion", sf_save_excursion},
  };
  defbuiltins(LISP_TABLE(builtins));
  defspecials(LISP_TABLE(specials));
  lisp_register(&textprop_unit);
  lisp_register(&callbacks_unit);
  Qinhibit_read_only = intern("inhibit-read-only");
  Qinhibit_read_only->u.sym.value = Qnil;
  Qbuffer_read_only_var = intern("buffer-read-only");
  Qbuffer_read_only_var->u.sym.value = Qnil;
  curbuf = buffer_new("*scratch*");
}
