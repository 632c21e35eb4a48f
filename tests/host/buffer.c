/* buffer.c --- buffers, text properties and vterm callbacks of the module host

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
   marked through the buffer.  */

#include "lisp.h" /* the argument checks and tables of builtins */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static Buffer *buffers, *cur;
char *host_output;
size_t host_output_len;
static size_t host_output_cap;

static Value *Qinhibit_read_only, *Qbuffer_read_only_var, *Qhost_titles,
    *Qhost_directories, *Qhost_evals, *Qhost_selections,
    *Qhost_invalidate_count, *Qhost_color_calls, *Qhost_flush_count,
    *Qhost_window_list, *Qhost_blink, *Qhost_window;

/* Declares N as the optional count argument of a motion command (default
 * 1); like CHECK, returns the wrong-type error when it is not an integer. */
#define OPTIONAL_COUNT(n)                                                      \
  intmax_t n = 1;                                                              \
  if (nargs > 0 && !NILP(args[0])) {                                           \
    CHECK_INT(args[0]);                                                        \
    n = args[0]->u.i;                                                          \
  }
#define CHECK_POS(v) CHECK((v)->type == V_INT, "integer-or-marker-p", v)

Buffer *current_buffer(void) { return cur; }

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
  cur = NULL;
  free(host_output);
  host_output = NULL;
  host_output_len = host_output_cap = 0;
}

static Value *check_writable(Buffer *b) {
  Value *ro = Qbuffer_read_only_var->u.sym.value;
  Value *inhibit = Qinhibit_read_only->u.sym.value;
  if (ro && !NILP(ro) && (!inhibit || NILP(inhibit)))
    return xsignal(Qbuffer_read_only, cons(b->self, Qnil));
  return Qt;
}

static void reserve(Buffer *b, ptrdiff_t extra) {
  if (b->len + extra <= b->cap)
    return;
  b->cap = (b->len + extra) * 2 + 64;
  b->text = xrealloc(b->text, (size_t)b->cap * sizeof *b->text);
  if (b->props)
    b->props = xrealloc(b->props, (size_t)b->cap * sizeof *b->props);
}

static void ensure_props(Buffer *b) {
  if (!b->props)
    b->props = xcalloc((size_t)(b->cap ? b->cap : 1), sizeof *b->props);
}

/* Insert N characters (and their plists, or NULL) at point.  */
static void insert_chars(Buffer *b, const unsigned *chars, Value **props,
                         ptrdiff_t n) {
  ptrdiff_t at = b->pt - 1;
  reserve(b, n);
  if (props)
    ensure_props(b);
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

static Value *chars_to_string(Buffer *b, ptrdiff_t from, ptrdiff_t to,
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

static void delete_chars(Buffer *b, ptrdiff_t start, ptrdiff_t end) {
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

static void push_marker(Buffer *b, ptrdiff_t *m) {
  if (b->nmarkers == b->markers_cap) {
    b->markers_cap = b->markers_cap ? b->markers_cap * 2 : 8;
    b->markers =
        xrealloc(b->markers, (size_t)b->markers_cap * sizeof *b->markers);
  }
  b->markers[b->nmarkers++] = m;
}

static void pop_marker(Buffer *b, ptrdiff_t *m) {
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
static intmax_t forward_line(Buffer *b, intmax_t count) {
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

static ptrdiff_t line_end_position(Buffer *b, intmax_t n) {
  intmax_t cnt = n - (n <= 0), found;
  ptrdiff_t pos = find_newline(b, b->pt, cnt, &found);
  if (found == (cnt < 0 ? -cnt : cnt))
    pos--;
  return pos;
}

static ptrdiff_t line_beginning_position(Buffer *b, intmax_t n) {
  ptrdiff_t saved = b->pt, r;
  forward_line(b, n - 1);
  r = b->pt;
  b->pt = saved;
  return r;
}

/* ------------------------------------------------------------------ */
/* Buffer builtins                                                      */
/* ------------------------------------------------------------------ */

static Value *live_cur(void) {
  if (!cur)
    return error_fmt("No current buffer");
  return Qt;
}

static Value *Finsert(ptrdiff_t nargs, Value **args) {
  if (!live_cur() || !check_writable(cur))
    return NULL;
  for (ptrdiff_t i = 0; i < nargs; i++) {
    Value *a = args[i];
    if (STRINGP(a)) {
      buffer_insert_string(cur, a);
    } else if (a->type == V_INT && a->u.i >= 0 && a->u.i <= 0x3FFFFF) {
      unsigned c = (unsigned)a->u.i;
      insert_chars(cur, &c, NULL, 1);
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
  if (p > cur->len + 1)
    p = cur->len + 1;
  cur->pt = (ptrdiff_t)p;
  return args[0];
}

static Value *move_chars(intmax_t n) {
  intmax_t np = (intmax_t)cur->pt + n;
  if (np < 1) {
    cur->pt = 1;
    return xsignal(Qbeginning_of_buffer, Qnil);
  }
  if (np > cur->len + 1) {
    cur->pt = cur->len + 1;
    return xsignal(Qend_of_buffer, Qnil);
  }
  cur->pt = (ptrdiff_t)np;
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
  return make_int(forward_line(cur, n));
}

static Value *Fbeginning_of_line(ptrdiff_t nargs, Value **args) {
  OPTIONAL_COUNT(n);
  cur->pt = line_beginning_position(cur, n);
  return Qnil;
}

static Value *Fend_of_line(ptrdiff_t nargs, Value **args) {
  OPTIONAL_COUNT(n);
  cur->pt = line_end_position(cur, n);
  return Qnil;
}

static Value *Fline_end_position(ptrdiff_t nargs, Value **args) {
  OPTIONAL_COUNT(n);
  return make_int(line_end_position(cur, n));
}

static Value *Fline_beginning_position(ptrdiff_t nargs, Value **args) {
  OPTIONAL_COUNT(n);
  return make_int(line_beginning_position(cur, n));
}

static Value *Fpoint(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(cur->pt);
}
static Value *Fpoint_min(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(1);
}
static Value *Fpoint_max(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(cur->len + 1);
}
static Value *Fbuffer_size(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(cur->len);
}
static Value *Fbobp(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return BOOL(cur->pt == 1);
}
static Value *Feobp(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return BOOL(cur->pt == cur->len + 1);
}
static Value *Fbolp(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return BOOL(cur->pt == 1 || cur->text[cur->pt - 2] == '\n');
}
static Value *Feolp(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return BOOL(cur->pt == cur->len + 1 || cur->text[cur->pt - 1] == '\n');
}

static Value *Fchar_after(ptrdiff_t nargs, Value **args) {
  intmax_t p = cur->pt;
  if (nargs > 0 && !NILP(args[0])) {
    CHECK_POS(args[0]);
    p = args[0]->u.i;
  }
  if (p < 1 || p > cur->len)
    return Qnil;
  return make_int(cur->text[p - 1]);
}

static Value *Fchar_before(ptrdiff_t nargs, Value **args) {
  intmax_t p = cur->pt;
  if (nargs > 0 && !NILP(args[0])) {
    CHECK_POS(args[0]);
    p = args[0]->u.i;
  }
  if (p < 2 || p > cur->len + 1)
    return Qnil;
  return make_int(cur->text[p - 2]);
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
  if (s < 1 || e > cur->len + 1)
    return args_out_of_range(a, b);
  *start = (ptrdiff_t)s;
  *end = (ptrdiff_t)e;
  return Qt;
}

static Value *Fdelete_region(ptrdiff_t nargs, Value **args) {
  ptrdiff_t s, e;
  (void)nargs;
  if (!region(args[0], args[1], &s, &e) || !check_writable(cur))
    return NULL;
  delete_chars(cur, s, e);
  return Qnil;
}

static Value *Fdelete_char(ptrdiff_t nargs, Value **args) {
  intmax_t n;
  (void)nargs;
  CHECK_INT(args[0]);
  n = args[0]->u.i;
  if (!check_writable(cur))
    return NULL;
  if (n >= 0) {
    if (cur->pt + n > cur->len + 1)
      return xsignal(Qend_of_buffer, Qnil);
    delete_chars(cur, cur->pt, cur->pt + (ptrdiff_t)n);
  } else {
    if (cur->pt + n < 1)
      return xsignal(Qbeginning_of_buffer, Qnil);
    delete_chars(cur, cur->pt + (ptrdiff_t)n, cur->pt);
  }
  return Qnil;
}

static Value *Ferase_buffer(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  if (!check_writable(cur))
    return NULL;
  delete_chars(cur, 1, cur->len + 1);
  return Qnil;
}

static Value *Fbuffer_string(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return chars_to_string(cur, 0, cur->len, 1);
}

static Value *Fbuffer_substring(ptrdiff_t nargs, Value **args) {
  ptrdiff_t s, e;
  (void)nargs;
  if (!region(args[0], args[1], &s, &e))
    return NULL;
  return chars_to_string(cur, s - 1, e - 1, 1);
}

static Value *Fbuffer_substring_np(ptrdiff_t nargs, Value **args) {
  ptrdiff_t s, e;
  (void)nargs;
  if (!region(args[0], args[1], &s, &e))
    return NULL;
  return chars_to_string(cur, s - 1, e - 1, 0);
}

static intmax_t count_newlines(Buffer *b, ptrdiff_t from, ptrdiff_t to) {
  intmax_t n = 0;
  for (ptrdiff_t i = from; i < to; i++)
    if (b->text[i - 1] == '\n')
      n++;
  return n;
}

static Value *Fline_number_at_pos(ptrdiff_t nargs, Value **args) {
  intmax_t p = cur->pt;
  if (nargs > 0 && !NILP(args[0])) {
    CHECK_POS(args[0]);
    p = args[0]->u.i;
    if (p < 1 || p > cur->len + 1)
      return args_out_of_range(args[0], make_int(cur->len + 1));
  }
  return make_int(1 + count_newlines(cur, 1, (ptrdiff_t)p));
}

static Value *Fcount_lines(ptrdiff_t nargs, Value **args) {
  ptrdiff_t s, e;
  intmax_t n;
  (void)nargs;
  if (!region(args[0], args[1], &s, &e))
    return NULL;
  n = count_newlines(cur, s, e);
  if (e > s && cur->text[e - 2] != '\n')
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

static Value *buffer_arg(Value *v, Buffer **out) {
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
  return cur->self;
}

static Value *Fset_buffer(ptrdiff_t nargs, Value **args) {
  Buffer *b;
  (void)nargs;
  if (!buffer_arg(args[0], &b))
    return NULL;
  cur = b;
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
  Buffer *b = cur;
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
  cur->name = args[0];
  return args[0];
}

static Value *Fbuffer_live_p(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return BOOL(args[0]->type == V_BUFFER && args[0]->u.buf);
}

static Value *Fkill_buffer(ptrdiff_t nargs, Value **args) {
  Buffer *b = cur, **link;
  if (nargs > 0 && !NILP(args[0])) {
    if (args[0]->type == V_BUFFER && !args[0]->u.buf)
      return Qnil;
    if (!buffer_arg(args[0], &b))
      return NULL;
  }
  for (link = &buffers; *link != b; link = &(*link)->next)
    ;
  *link = b->next;
  if (cur == b) {
    cur = buffers;
    if (!cur)
      cur = buffer_new("*scratch*");
  }
  buffer_free(b);
  return Qt;
}

/* (with-current-buffer BUFFER BODY...), (save-current-buffer BODY...),
   (with-temp-buffer BODY...), (save-excursion BODY...).  */
static Value *sf_with_current_buffer(Value *a) {
  Buffer *saved = cur, *b;
  Value *v = CONSP(a) ? eval(XCAR(a)) : Qnil, *r;
  ptrdiff_t base;
  if (!v || !buffer_arg(v, &b))
    return NULL;
  base = root_push(saved->self);
  cur = b;
  r = progn(XCDR(a));
  if (ROOT(base)->u.buf)
    cur = ROOT(base)->u.buf;
  root_reset(base);
  return r;
}

static Value *sf_save_current_buffer(Value *a) {
  ptrdiff_t base = root_push(cur->self);
  Value *r = progn(a);
  if (ROOT(base)->u.buf)
    cur = ROOT(base)->u.buf;
  root_reset(base);
  return r;
}

static Value *sf_with_temp_buffer(Value *a) {
  ptrdiff_t base = root_push(cur->self);
  Buffer *tmp = buffer_new(" *temp*");
  Value *r, *tv = tmp->self;
  root_push(tv);
  cur = tmp;
  r = progn(a);
  if (ROOT(base)->u.buf)
    cur = ROOT(base)->u.buf;
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
  ptrdiff_t base = root_push(cur->self);
  Buffer *b = cur;
  ptrdiff_t pos = cur->pt;
  Value *r;
  push_marker(b, &pos);
  r = progn(a);
  if (ROOT(base)->u.buf) {
    pop_marker(b, &pos);
    cur = b;
    cur->pt = pos <= cur->len + 1 ? pos : cur->len + 1;
  }
  root_reset(base);
  return r;
}

/* ---- text properties ---- */

/* Target of a property operation: a buffer (1-based) or a string
   (0-based).  */
typedef struct {
  Value ***props;
  ptrdiff_t n, base;
  Value *obj;
  Buffer *buf;
} PropTarget;

static Value *prop_target(Value *obj, PropTarget *t) {
  if (NILP(obj) || obj->type == V_BUFFER) {
    Buffer *b = cur;
    if (!NILP(obj) && !buffer_arg(obj, &b))
      return NULL;
    if (!b->props) {
      reserve(b, 1);
      ensure_props(b);
    }
    t->props = &b->props;
    t->n = b->len;
    t->base = 1;
    t->buf = b;
  } else if (STRINGP(obj)) {
    if (!obj->u.str.props)
      obj->u.str.props =
          xcalloc((size_t)(obj->u.str.nchars ? obj->u.str.nchars : 1),
                  sizeof(Value *));
    t->props = &obj->u.str.props;
    t->n = obj->u.str.nchars;
    t->base = 0;
    t->buf = NULL;
  } else {
    return wrong_type("buffer-or-string-p", obj);
  }
  t->obj = obj;
  return Qt;
}

static Value *prop_range(PropTarget *t, Value *a, Value *b, ptrdiff_t *s,
                         ptrdiff_t *e) {
  intmax_t x, y;
  CHECK_POS(a);
  CHECK_POS(b);
  x = a->u.i;
  y = b->u.i;
  if (x > y) {
    intmax_t tmp = x;
    x = y;
    y = tmp;
  }
  if (x < t->base || y > t->base + t->n)
    return args_out_of_range(a, b);
  *s = (ptrdiff_t)(x - t->base);
  *e = (ptrdiff_t)(y - t->base);
  return Qt;
}

/* PLIST with PROP set to VAL (new list; PLIST is not modified).  */
static Value *plist_with(Value *plist, Value *prop, Value *val) {
  Value *head = Qnil, *tail = NULL;
  for (Value *p = plist; CONSP(p) && CONSP(XCDR(p)); p = XCDR(XCDR(p))) {
    Value *c;
    if (XCAR(p) == prop)
      continue;
    c = cons(XCAR(p), cons(XCAR(XCDR(p)), Qnil));
    if (tail)
      XCDR(XCDR(tail)) = c;
    else
      head = c;
    tail = c;
  }
  return cons(prop, cons(val, head));
}

static Value *plist_without(Value *plist, Value *prop) {
  Value *head = Qnil, *tail = NULL;
  for (Value *p = plist; CONSP(p) && CONSP(XCDR(p)); p = XCDR(XCDR(p))) {
    Value *c;
    if (XCAR(p) == prop)
      continue;
    c = cons(XCAR(p), cons(XCAR(XCDR(p)), Qnil));
    if (tail)
      XCDR(XCDR(tail)) = c;
    else
      head = c;
    tail = c;
  }
  return NILP(head) ? NULL : head;
}

static int plist_has(Value *plist, Value *prop, Value **val) {
  for (Value *p = plist; p && CONSP(p) && CONSP(XCDR(p)); p = XCDR(XCDR(p)))
    if (XCAR(p) == prop) {
      *val = XCAR(XCDR(p));
      return 1;
    }
  return 0;
}

enum { P_PUT, P_REMOVE };

/* Apply one PROP change to [S, E); returns whether anything changed.
   Characters that shared a plist share the result.  */
static int prop_apply(PropTarget *t, ptrdiff_t s, ptrdiff_t e, int op,
                      Value *prop, Value *val) {
  Value *last_old = (Value *)t, *last_new = NULL; /* impossible key */
  int changed = 0;
  for (ptrdiff_t i = s; i < e; i++) {
    Value *old = (*t->props)[i], *cv = NULL;
    if (old != last_old) {
      int has = plist_has(old, prop, &cv);
      last_old = old;
      if (op == P_PUT)
        last_new =
            has && cv == val ? old : plist_with(old ? old : Qnil, prop, val);
      else
        last_new = has ? plist_without(old, prop) : old;
    }
    if (last_new != old)
      changed = 1;
    (*t->props)[i] = last_new;
  }
  return changed;
}

static Value *Fput_text_property(ptrdiff_t nargs, Value **args) {
  PropTarget t;
  ptrdiff_t s, e;
  if (!prop_target(ARG(4), &t) || !prop_range(&t, args[0], args[1], &s, &e))
    return NULL;
  if (t.buf && !check_writable(t.buf))
    return NULL;
  prop_apply(&t, s, e, P_PUT, args[2], args[3]);
  return Qnil;
}

static Value *props_op(ptrdiff_t nargs, Value **args, int op, int set) {
  PropTarget t;
  ptrdiff_t s, e;
  int changed = 0;
  if (!prop_target(ARG(3), &t) || !prop_range(&t, args[0], args[1], &s, &e))
    return NULL;
  if (!CONSP(args[2]) && !NILP(args[2]))
    return wrong_type("listp", args[2]);
  if (t.buf && !check_writable(t.buf))
    return NULL;
  if (set)
    for (ptrdiff_t i = s; i < e; i++) {
      changed |= (*t.props)[i] != NULL;
      (*t.props)[i] = NULL;
    }
  for (Value *p = args[2]; CONSP(p); p = XCDR(p)) {
    Value *prop = XCAR(p), *val = Qnil;
    if (op == P_PUT || CONSP(XCDR(p))) {
      if (!CONSP(XCDR(p)))
        break;
      val = XCAR(XCDR(p));
      p = XCDR(p);
    }
    changed |= prop_apply(&t, s, e, op, prop, val);
  }
  return BOOL(changed);
}

static Value *Fadd_text_properties(ptrdiff_t nargs, Value **args) {
  return props_op(nargs, args, P_PUT, 0);
}
static Value *Fset_text_properties(ptrdiff_t nargs, Value **args) {
  return props_op(nargs, args, P_PUT, 1);
}
static Value *Fremove_text_properties(ptrdiff_t nargs, Value **args) {
  return props_op(nargs, args, P_REMOVE, 0);
}

static Value *Fremove_list_of_text_properties(ptrdiff_t nargs, Value **args) {
  PropTarget t;
  ptrdiff_t s, e;
  int changed = 0;
  if (!prop_target(ARG(3), &t) || !prop_range(&t, args[0], args[1], &s, &e))
    return NULL;
  for (Value *p = args[2]; CONSP(p); p = XCDR(p))
    changed |= prop_apply(&t, s, e, P_REMOVE, XCAR(p), Qnil);
  return BOOL(changed);
}

static Value *Ftext_properties_at(ptrdiff_t nargs, Value **args) {
  PropTarget t;
  intmax_t p;
  Value *pl;
  if (!prop_target(ARG(1), &t))
    return NULL;
  CHECK_POS(args[0]);
  p = args[0]->u.i;
  if (p < t.base || p > t.base + t.n)
    return args_out_of_range(args[0], args[0]);
  if (p == t.base + t.n)
    return Qnil;
  pl = (*t.props)[p - t.base];
  return pl ? pl : Qnil;
}

static Value *Fget_text_property(ptrdiff_t nargs, Value **args) {
  Value *pl = Ftext_properties_at(nargs > 2 ? 2 : 1,
                                  (Value *[]){args[0], ARG(2)});
  if (!pl)
    return NULL;
  return plist_get(pl, args[1]);
}

static Value *Fnext_single_property_change(ptrdiff_t nargs, Value **args) {
  PropTarget t;
  intmax_t p, limit;
  Value *v0 = Qnil, *v;
  if (!prop_target(ARG(2), &t))
    return NULL;
  CHECK_POS(args[0]);
  p = args[0]->u.i;
  limit = t.base + t.n;
  if (nargs > 3 && !NILP(args[3])) {
    CHECK_POS(args[3]);
    limit = args[3]->u.i;
  }
  if (p < t.base || p > t.base + t.n)
    return args_out_of_range(args[0], args[0]);
  if (p < t.base + t.n)
    v0 = plist_get((*t.props)[p - t.base] ? (*t.props)[p - t.base] : Qnil,
                   args[1]);
  for (p++; p < t.base + t.n && p < limit; p++) {
    Value *pl = (*t.props)[p - t.base];
    v = plist_get(pl ? pl : Qnil, args[1]);
    if (!eq(v, v0))
      return make_int(p);
  }
  if (nargs > 3 && !NILP(args[3]))
    return args[3];
  return Qnil;
}

static Value *Fpropertize(ptrdiff_t nargs, Value **args) {
  Value *s, *plist;
  PropTarget t;
  CHECK_STRING(args[0]);
  if (nargs % 2 == 0)
    return xsignal(Qwrong_number_of_arguments,
                   list2(intern("propertize"), make_int(nargs)));
  s = make_string(args[0]->u.str.data, args[0]->u.str.len,
                  args[0]->multibyte);
  plist = list_from(nargs - 1, args + 1);
  if (!prop_target(s, &t))
    return NULL;
  for (Value *p = plist; CONSP(p) && CONSP(XCDR(p)); p = XCDR(XCDR(p)))
    prop_apply(&t, 0, t.n, P_PUT, XCAR(p), XCAR(XCDR(p)));
  return s;
}

/* ---- windows and display: headless no-ops ---- */

static Value *Fselected_window(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return Qhost_window;
}
static Value *Fget_buffer_window_list(ptrdiff_t nargs, Value **args) {
  Value *v = Qhost_window_list->u.sym.value;
  (void)nargs;
  (void)args;
  return v ? v : Qnil;
}
static Value *Fget_buffer_window(ptrdiff_t nargs, Value **args) {
  Value *v = Qhost_window_list->u.sym.value;
  (void)nargs;
  (void)args;
  return v && CONSP(v) ? XCAR(v) : Qnil;
}
static Value *Fwindow_body_height(ptrdiff_t nargs, Value **args) {
  Value *v = intern("host-window-height")->u.sym.value;
  (void)nargs;
  (void)args;
  return v ? v : make_int(24);
}
static Value *Fwindow_body_width(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(80);
}
static Value *Fwindow_point(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(cur->pt);
}
static Value *Fwindow_start(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(1);
}
static Value *Fzero(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(0);
}
static Value *Fnil(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return Qnil;
}
static Value *Fset_window_point(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_POS(args[1]);
  return args[1];
}
static Value *Fblink_cursor_mode(ptrdiff_t nargs, Value **args) {
  Qhost_blink->u.sym.value = ARG(0);
  return Qnil;
}

/* ------------------------------------------------------------------ */
/* vterm.el helpers the module calls back                               */
/* ------------------------------------------------------------------ */

static void record(Value *sym, Value *v) {
  Value *old = sym->u.sym.value;
  sym->u.sym.value = cons(v, old ? old : Qnil);
}

static void bump(Value *sym) {
  Value *old = sym->u.sym.value;
  sym->u.sym.value = make_int((old && INTP(old) ? old->u.i : 0) + 1);
}

static Value *Fvterm_invalidate(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  bump(Qhost_invalidate_count);
  return Qnil;
}

static Value *Fvterm_flush_output(ptrdiff_t nargs, Value **args) {
  Value *s = args[0];
  (void)nargs;
  CHECK_STRING(s);
  if (host_output_len + (size_t)s->u.str.len + 1 > host_output_cap) {
    host_output_cap = (host_output_len + (size_t)s->u.str.len + 1) * 2;
    host_output = xrealloc(host_output, host_output_cap);
  }
  memcpy(host_output + host_output_len, s->u.str.data, (size_t)s->u.str.len);
  host_output_len += (size_t)s->u.str.len;
  bump(Qhost_flush_count);
  return Qnil;
}

static Value *Fvterm_set_title(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  record(Qhost_titles, args[0]);
  return Qnil;
}

static Value *Fvterm_set_directory(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  record(Qhost_directories, args[0]);
  return Qnil;
}

static Value *Fvterm_eval(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  record(Qhost_evals, args[0]);
  return Qnil;
}

static Value *Fvterm_set_selection(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_INT(args[0]);
  CHECK_STRING(args[1]);
  record(Qhost_selections, list2(args[0], args[1]));
  return Qnil;
}

/* Colours: INDEX 0..255 from a fixed palette; -1 is the default
   foreground with :foreground among ARGS and the default background
   otherwise (alone it is the foreground when the variable
   host-color-minus-one-is-foreground is set, as Debian's module means
   it); Debian's -2 (bg), -11 (fg) and -12 (bg) are accepted too.
   ARGS must be keywords from the contract.  */
static Value *Fvterm_get_color(ptrdiff_t nargs, Value **args) {
  static const unsigned base16[16] = {
      0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd,
      0x00cdcd, 0xe5e5e5, 0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00,
      0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff};
  intmax_t i;
  int fg = 0;
  unsigned rgb;
  char buf[16];
  CHECK_INT(args[0]);
  for (ptrdiff_t k = 1; k < nargs; k++) {
    const char *n = SYMBOLP(args[k]) ? args[k]->u.sym.name : "";
    if (strcmp(n, ":foreground") == 0)
      fg = 1;
    else if (strcmp(n, ":underline") != 0 && strcmp(n, ":inverse-video") != 0)
      return wrong_type("vterm-color-keyword-p", args[k]);
  }
  bump(Qhost_color_calls);
  i = args[0]->u.i;
  if (i >= 0 && i < 16)
    rgb = base16[i];
  else if (i >= 16 && i < 256)
    rgb = (unsigned)(i * 0x010101 % 0x1000000);
  else if (i == -1) {
    /* Debian's module passes -1 alone for the default foreground.  */
    Value *d = intern("host-color-minus-one-is-foreground")->u.sym.value;
    rgb = fg || (nargs == 1 && d && !NILP(d)) ? 0xeeeeee : 0x111111;
  }
  else if (i == -2 || i == -12)
    rgb = 0x111111;
  else if (i == -11)
    rgb = 0xeeeeee;
  else
    return args_out_of_range(args[0], make_int(255));
  snprintf(buf, sizeof buf, "#%06x", rgb);
  return make_cstring(buf);
}

static Value *Fvterm_goto_line(ptrdiff_t nargs, Value **args) {
  intmax_t n;
  (void)nargs;
  CHECK_INT(args[0]);
  n = args[0]->u.i;
  if (n > 0) {
    cur->pt = 1;
    return BOOL(forward_line(cur, n - 1) == 0);
  }
  cur->pt = cur->len + 1;
  return BOOL(forward_line(cur, n) == 0);
}

static Value *Fvterm_delete_lines(ptrdiff_t nargs, Value **args) {
  ptrdiff_t saved = cur->pt;
  Value *ok, *r = Qnil;
  CHECK_INT(args[0]);
  CHECK_INT(args[1]);
  if (!check_writable(cur))
    return NULL;
  push_marker(cur, &saved);
  ok = Fvterm_goto_line(1, args);
  if (ok && !NILP(ok)) {
    ptrdiff_t end = line_end_position(cur, args[1]->u.i);
    if (end < cur->pt)
      delete_chars(cur, end, cur->pt);
    else
      delete_chars(cur, cur->pt, end);
    if (nargs > 2 && !NILP(args[2]) && cur->pt <= cur->len &&
        cur->text[cur->pt - 1] == '\n')
      delete_chars(cur, cur->pt, cur->pt + 1);
  }
  pop_marker(cur, &saved);
  cur->pt = saved;
  return ok ? r : NULL;
}

/* ---- host helpers for scripts ---- */

/* (host-take-output): bytes passed to vterm--flush-output since the
   last call, as a unibyte string.  */
static Value *Fhost_take_output(ptrdiff_t nargs, Value **args) {
  Value *s = make_string(host_output ? host_output : "",
                         (ptrdiff_t)host_output_len, 0);
  (void)nargs;
  (void)args;
  host_output_len = 0;
  return s;
}

/* (host-line N): text of line N (1-based) without its newline, or nil. */
static Value *Fhost_line(ptrdiff_t nargs, Value **args) {
  ptrdiff_t s = 1, e;
  (void)nargs;
  CHECK_INT(args[0]);
  if (args[0]->u.i < 1)
    return Qnil;
  for (intmax_t n = 1; n < args[0]->u.i; n++) {
    while (s <= cur->len && cur->text[s - 1] != '\n')
      s++;
    if (s > cur->len)
      return Qnil;
    s++;
  }
  if (s > cur->len && args[0]->u.i > 1)
    return Qnil;
  e = s;
  while (e <= cur->len && cur->text[e - 1] != '\n')
    e++;
  return chars_to_string(cur, s - 1, e - 1, 1);
}

/* (host-line-count): number of newline characters in the buffer.  */
static Value *Fhost_line_count(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(count_newlines(cur, 1, cur->len + 1));
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
      {"put-text-property", 4, 5, Fput_text_property},
      {"add-text-properties", 3, 4, Fadd_text_properties},
      {"set-text-properties", 3, 4, Fset_text_properties},
      {"remove-text-properties", 3, 4, Fremove_text_properties},
      {"remove-list-of-text-properties", 3, 4,
       Fremove_list_of_text_properties},
      {"text-properties-at", 1, 2, Ftext_properties_at},
      {"get-text-property", 2, 3, Fget_text_property},
      {"get-char-property", 2, 3, Fget_text_property},
      {"get-pos-property", 2, 3, Fget_text_property},
      {"next-single-property-change", 2, 4, Fnext_single_property_change},
      {"propertize", 1, -1, Fpropertize},
      {"selected-window", 0, 0, Fselected_window},
      {"get-buffer-window-list", 0, 3, Fget_buffer_window_list},
      {"get-buffer-window", 0, 2, Fget_buffer_window},
      {"window-body-height", 0, 2, Fwindow_body_height},
      {"window-body-width", 0, 2, Fwindow_body_width},
      {"window-point", 0, 1, Fwindow_point},
      {"window-start", 0, 1, Fwindow_start},
      {"window-hscroll", 0, 1, Fzero},
      {"set-window-hscroll", 2, 2, Fzero},
      {"set-window-point", 2, 2, Fset_window_point},
      {"set-window-start", 2, 3, Fnil},
      {"recenter", 0, 2, Fnil},
      {"redisplay", 0, 1, Fnil},
      {"force-mode-line-update", 0, 1, Fnil},
      {"ding", 0, 1, Fnil},
      {"blink-cursor-mode", 0, 1, Fblink_cursor_mode},
      {"vterm--invalidate", 0, 0, Fvterm_invalidate},
      {"vterm--flush-output", 1, 1, Fvterm_flush_output},
      {"vterm--set-title", 1, 1, Fvterm_set_title},
      {"vterm--set-directory", 1, 1, Fvterm_set_directory},
      {"vterm--eval", 1, 1, Fvterm_eval},
      {"vterm--set-selection", 2, 2, Fvterm_set_selection},
      {"vterm--get-color", 1, -1, Fvterm_get_color},
      {"vterm--insert", 0, -1, Finsert},
      {"vterm--delete-region", 2, 2, Fdelete_region},
      {"vterm--delete-char", 1, 2, Fdelete_char},
      {"vterm--goto-line", 1, 1, Fvterm_goto_line},
      {"vterm--delete-lines", 2, 3, Fvterm_delete_lines},
      {"host-take-output", 0, 0, Fhost_take_output},
      {"host-line", 1, 1, Fhost_line},
      {"host-line-count", 0, 0, Fhost_line_count},
  };
  static const SpecialDef specials[] = {
      {"with-current-buffer", sf_with_current_buffer},
      {"save-current-buffer", sf_save_current_buffer},
      {"with-temp-buffer", sf_with_temp_buffer},
      {"save-excursion", sf_save_excursion},
  };
  defbuiltins(LISP_TABLE(builtins));
  defspecials(LISP_TABLE(specials));
  Qinhibit_read_only = intern("inhibit-read-only");
  Qinhibit_read_only->u.sym.value = Qnil;
  Qbuffer_read_only_var = intern("buffer-read-only");
  Qbuffer_read_only_var->u.sym.value = Qnil;
  Qhost_titles = intern("host-titles");
  Qhost_directories = intern("host-directories");
  Qhost_evals = intern("host-evals");
  Qhost_selections = intern("host-selections");
  Qhost_invalidate_count = intern("host-invalidate-count");
  Qhost_color_calls = intern("host-color-calls");
  Qhost_flush_count = intern("host-flush-count");
  Qhost_window_list = intern("host-window-list");
  Qhost_blink = intern("host-blink");
  Qhost_window = intern("host-window");
  Qhost_titles->u.sym.value = Qnil;
  Qhost_directories->u.sym.value = Qnil;
  Qhost_evals->u.sym.value = Qnil;
  Qhost_selections->u.sym.value = Qnil;
  Qhost_invalidate_count->u.sym.value = make_int(0);
  Qhost_color_calls->u.sym.value = make_int(0);
  Qhost_flush_count->u.sym.value = make_int(0);
  Qhost_window_list->u.sym.value = Qnil;
  Qhost_blink->u.sym.value = Qnil;
  intern("cursor-type")->u.sym.value = Qt;
  intern("default-directory")->u.sym.value = make_cstring("/");
  cur = buffer_new("*scratch*");
}
