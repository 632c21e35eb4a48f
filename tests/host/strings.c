/* strings.c --- strings, sequences and format of the module host

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

/* Strings are UTF-8 (multibyte) or bytes (unibyte), as in Emacs; raw
   bytes in a multibyte string are the characters 0x3FFF80..0x3FFFFF.
   Here: building strings (put_char, put_bytes), string and sequence
   builtins, mapping functions, format, message and prin1-to-string.  */

#include "lisp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Byte offset of character index CI in string S.  */
static ptrdiff_t char_to_byte(Value *s, ptrdiff_t ci) {
  ptrdiff_t b = 0;
  if (!s->multibyte || s->u.str.nchars == s->u.str.len)
    return ci;
  while (ci-- > 0 && b < s->u.str.len)
    b += utf8_char_len(s->u.str.data + b, s->u.str.len - b);
  return b;
}

/* Decode the character at byte B of S into *C; return its length.  Raw
   bytes of a multibyte string decode to 0x3FFF00 + byte, as in Emacs. */
static int char_at(Value *s, ptrdiff_t b, unsigned *c) {
  if (!s->multibyte) {
    *c = (unsigned char)s->u.str.data[b];
    return 1;
  }
  return utf8_decode_char(s->u.str.data + b, s->u.str.len - b, c);
}

/* Append character C to a growable byte buffer, UTF-8 encoded (raw
   bytes as themselves).  */
void put_char(char **buf, size_t *len, size_t *cap, unsigned c) {
  char tmp[4];
  size_t n;
  if (c >= 0x3FFF80) {
    tmp[0] = (char)(c - 0x3FFF00);
    n = 1;
  } else if (c < 0x80) {
    tmp[0] = (char)c;
    n = 1;
  } else if (c < 0x800) {
    tmp[0] = (char)(0xC0 | (c >> 6));
    tmp[1] = (char)(0x80 | (c & 0x3F));
    n = 2;
  } else if (c < 0x10000) {
    tmp[0] = (char)(0xE0 | (c >> 12));
    tmp[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    tmp[2] = (char)(0x80 | (c & 0x3F));
    n = 3;
  } else {
    tmp[0] = (char)(0xF0 | (c >> 18));
    tmp[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    tmp[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    tmp[3] = (char)(0x80 | (c & 0x3F));
    n = 4;
  }
  if (*len + n + 1 > *cap) {
    *cap = (*len + n + 1) * 2;
    *buf = xrealloc(*buf, *cap);
  }
  memcpy(*buf + *len, tmp, n);
  *len += n;
}

void put_bytes(char **buf, size_t *len, size_t *cap, const char *s,
               size_t n) {
  if (*len + n + 1 > *cap) {
    *cap = (*len + n + 1) * 2;
    *buf = xrealloc(*buf, *cap);
  }
  if (n)
    memcpy(*buf + *len, s, n);
  *len += n;
}

/* ---- strings and sequences ---- */

static Value *Fconcat(ptrdiff_t nargs, Value **args) {
  char *buf = NULL;
  size_t len = 0, cap = 0;
  int mb = 0;
  Value *r;
  for (ptrdiff_t i = 0; i < nargs; i++) {
    Value *a = args[i];
    if (STRINGP(a)) {
      mb |= a->multibyte;
      put_bytes(&buf, &len, &cap, a->u.str.data, (size_t)a->u.str.len);
    } else if (CONSP(a) || NILP(a) || a->type == V_VECTOR) {
      ptrdiff_t n = a->type == V_VECTOR ? a->u.vec.size : list_length(a);
      Value *l = a;
      for (ptrdiff_t k = 0; k < n; k++) {
        Value *c = a->type == V_VECTOR ? a->u.vec.items[k] : XCAR(l);
        if (a->type != V_VECTOR)
          l = XCDR(l);
        if (c->type != V_INT || c->u.i < 0 || c->u.i > 0x3FFFFF) {
          free(buf);
          return wrong_type("characterp", c);
        }
        if (c->u.i >= 0x80 && c->u.i < 0x3FFF80)
          mb = 1;
        put_char(&buf, &len, &cap, (unsigned)c->u.i);
      }
    } else {
      free(buf);
      return wrong_type("sequencep", a);
    }
  }
  r = make_string(buf ? buf : "", (ptrdiff_t)len, mb);
  free(buf);
  return r;
}

static Value *Fsubstring(ptrdiff_t nargs, Value **args) {
  Value *s = args[0];
  intmax_t from = 0, to;
  ptrdiff_t b0, b1;
  CHECK_STRING(s);
  to = s->u.str.nchars;
  if (nargs > 1 && !NILP(args[1])) {
    CHECK_INT(args[1]);
    from = args[1]->u.i;
  }
  if (nargs > 2 && !NILP(args[2])) {
    CHECK_INT(args[2]);
    to = args[2]->u.i;
  }
  if (from < 0)
    from += s->u.str.nchars;
  if (to < 0)
    to += s->u.str.nchars;
  if (from < 0 || to > s->u.str.nchars || from > to)
    return xsignal(Qargs_out_of_range, list3(s, ARG(1), ARG(2)));
  b0 = char_to_byte(s, (ptrdiff_t)from);
  b1 = char_to_byte(s, (ptrdiff_t)to);
  return make_string(s->u.str.data + b0, b1 - b0, s->multibyte);
}

static Value *Fstring_equal(ptrdiff_t nargs, Value **args) {
  Value *a = args[0], *b = args[1];
  (void)nargs;
  if (SYMBOLP(a))
    a = make_cstring(a->u.sym.name);
  if (SYMBOLP(b))
    b = make_cstring(b->u.sym.name);
  CHECK_STRING(a);
  CHECK_STRING(b);
  return BOOL(a->u.str.len == b->u.str.len &&
              memcmp(a->u.str.data, b->u.str.data, (size_t)a->u.str.len) == 0);
}

static Value *Fstring_lessp(ptrdiff_t nargs, Value **args) {
  Value *a = args[0], *b = args[1];
  ptrdiff_t n;
  int c;
  (void)nargs;
  CHECK_STRING(a);
  CHECK_STRING(b);
  n = a->u.str.len < b->u.str.len ? a->u.str.len : b->u.str.len;
  c = memcmp(a->u.str.data, b->u.str.data, (size_t)n);
  return BOOL(c < 0 || (c == 0 && a->u.str.len < b->u.str.len));
}

static Value *Fstring_prefix_p(ptrdiff_t nargs, Value **args) {
  Value *p = args[0], *s = args[1];
  (void)nargs;
  CHECK_STRING(p);
  CHECK_STRING(s);
  return BOOL(p->u.str.len <= s->u.str.len &&
              memcmp(p->u.str.data, s->u.str.data, (size_t)p->u.str.len) == 0);
}

static Value *Fstring_suffix_p(ptrdiff_t nargs, Value **args) {
  Value *p = args[0], *s = args[1];
  (void)nargs;
  CHECK_STRING(p);
  CHECK_STRING(s);
  return BOOL(p->u.str.len <= s->u.str.len &&
              memcmp(p->u.str.data,
                     s->u.str.data + s->u.str.len - p->u.str.len,
                     (size_t)p->u.str.len) == 0);
}

/* Character index of byte offset B in S.  */
static ptrdiff_t byte_to_char(Value *s, ptrdiff_t b) {
  return s->multibyte ? string_chars(s->u.str.data, b, 1) : b;
}

static Value *Fstring_search(ptrdiff_t nargs, Value **args) {
  Value *n = args[0], *h = args[1];
  ptrdiff_t start = 0;
  CHECK_STRING(n);
  CHECK_STRING(h);
  if (nargs > 2 && !NILP(args[2])) {
    CHECK_INT(args[2]);
    if (args[2]->u.i < 0 || args[2]->u.i > h->u.str.nchars)
      return xsignal(Qargs_out_of_range, cons(args[2], Qnil));
    start = char_to_byte(h, (ptrdiff_t)args[2]->u.i);
  }
  for (ptrdiff_t i = start; i + n->u.str.len <= h->u.str.len; i++)
    if (memcmp(h->u.str.data + i, n->u.str.data, (size_t)n->u.str.len) == 0)
      return make_int(byte_to_char(h, i));
  return Qnil;
}

/* Count non-overlapping occurrences of NEEDLE in HAYSTACK (host).  */
static Value *Fhost_count_matches(ptrdiff_t nargs, Value **args) {
  Value *n = args[0], *h = args[1];
  intmax_t count = 0;
  (void)nargs;
  CHECK_STRING(n);
  CHECK_STRING(h);
  if (n->u.str.len == 0)
    return make_int(0);
  for (ptrdiff_t i = 0; i + n->u.str.len <= h->u.str.len;)
    if (memcmp(h->u.str.data + i, n->u.str.data, (size_t)n->u.str.len) == 0)
      count++, i += n->u.str.len;
    else
      i++;
  return make_int(count);
}

static Value *Fstring_match_p(ptrdiff_t nargs, Value **args) {
  Value *re = args[0], *s = args[1];
  ptrdiff_t start = 0;
  int r;
  CHECK_STRING(re);
  CHECK_STRING(s);
  if (nargs > 2 && !NILP(args[2])) {
    CHECK_INT(args[2]);
    start = char_to_byte(s, (ptrdiff_t)args[2]->u.i);
  }
  r = -1;
  for (ptrdiff_t i = start; i <= s->u.str.len; i++) {
    int m = string_match(re->u.str.data, s->u.str.data + i, s->u.str.len - i);
    if (m == -2)
      return xsignal(intern("invalid-regexp"), cons(re, Qnil));
    if (m >= 0) {
      r = (int)i;
      break;
    }
    if (re->u.str.data[0] == '^' ||
        (re->u.str.data[0] == '\\' && re->u.str.data[1] == '`'))
      break;
  }
  return r < 0 ? Qnil : make_int(byte_to_char(s, r));
}

static Value *Fmake_string(ptrdiff_t nargs, Value **args) {
  char *buf = NULL;
  size_t len = 0, cap = 0;
  Value *r;
  (void)nargs;
  CHECK_INT(args[0]);
  CHECK_INT(args[1]);
  if (args[0]->u.i < 0 || args[0]->u.i > ((intmax_t)1 << 30))
    return args_out_of_range(args[0], args[1]);
  if (args[1]->u.i < 0 || args[1]->u.i > 0x3FFFFF)
    return wrong_type("characterp", args[1]);
  if (args[1]->u.i < 0x80) {
    buf = xmalloc((size_t)args[0]->u.i + 1);
    memset(buf, (int)args[1]->u.i, (size_t)args[0]->u.i);
    r = make_string(buf, (ptrdiff_t)args[0]->u.i, 0);
    free(buf);
    return r;
  }
  for (intmax_t i = 0; i < args[0]->u.i; i++)
    put_char(&buf, &len, &cap, (unsigned)args[1]->u.i);
  r = make_string(buf ? buf : "", (ptrdiff_t)len, 1);
  free(buf);
  return r;
}

static Value *Fstring(ptrdiff_t nargs, Value **args) {
  return Fconcat(1, (Value *[]){list_from(nargs, args)});
}

static Value *Fchar_to_string(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return Fconcat(1, (Value *[]){cons(args[0], Qnil)});
}

static Value *Funibyte_string(ptrdiff_t nargs, Value **args) {
  char *buf = xmalloc((size_t)nargs + 1);
  Value *r;
  for (ptrdiff_t i = 0; i < nargs; i++) {
    if (args[i]->type != V_INT || args[i]->u.i < 0 || args[i]->u.i > 255) {
      free(buf);
      return args_out_of_range(args[i], make_int(0));
    }
    buf[i] = (char)args[i]->u.i;
  }
  r = make_string(buf, nargs, 0);
  free(buf);
  return r;
}

static Value *Fstring_to_multibyte(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  return make_string(args[0]->u.str.data, args[0]->u.str.len, 1);
}

static Value *Fstring_to_unibyte(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  return make_string(args[0]->u.str.data, args[0]->u.str.len, 0);
}

static Value *Fmultibyte_string_p(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return BOOL(STRINGP(args[0]) && args[0]->multibyte);
}

static Value *Fstring_bytes(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  return make_int(args[0]->u.str.len);
}

/* utf-8 only: encoding gives the bytes (unibyte), decoding makes a
   multibyte string whose invalid bytes stay raw bytes.  */
static Value *Fencode_coding_string(ptrdiff_t nargs, Value **args) {
  return Fstring_to_unibyte(nargs, args);
}
static Value *Fdecode_coding_string(ptrdiff_t nargs, Value **args) {
  return Fstring_to_multibyte(nargs, args);
}

static Value *Fhost_valid_utf8_p(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  return BOOL(utf8_valid(args[0]->u.str.data, args[0]->u.str.len));
}

static Value *Fnumber_to_string(ptrdiff_t nargs, Value **args) {
  char *s;
  Value *r;
  (void)nargs;
  CHECK_NUMBER(args[0]);
  s = value_repr(args[0], 0, 0);
  r = make_cstring(s);
  free(s);
  return r;
}

static Value *Fstring_to_number(ptrdiff_t nargs, Value **args) {
  char *end;
  const char *s;
  double d;
  long long n;
  CHECK_STRING(args[0]);
  s = args[0]->u.str.data;
  if (nargs > 1 && INTP(args[1]) && args[1]->u.i != 10)
    return make_int((intmax_t)strtoll(s, &end, (int)args[1]->u.i));
  n = strtoll(s, &end, 10);
  if (*end == '.' || *end == 'e' || *end == 'E') {
    d = strtod(s, &end);
    return make_float(d);
  }
  return make_int((intmax_t)n);
}

static Value *case_conv(Value *s, int up) {
  Value *r;
  if (INTP(s))
    return make_int(up ? toupper((int)(s->u.i & 0x7F))
                       : tolower((int)(s->u.i & 0x7F)));
  CHECK_STRING(s);
  r = make_string(s->u.str.data, s->u.str.len, s->multibyte);
  for (ptrdiff_t i = 0; i < r->u.str.len; i++)
    if ((unsigned char)r->u.str.data[i] < 0x80)
      r->u.str.data[i] = (char)(up ? toupper((unsigned char)r->u.str.data[i])
                                   : tolower((unsigned char)r->u.str.data[i]));
  return r;
}
static Value *Fupcase(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return case_conv(args[0], 1);
}
static Value *Fdowncase(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return case_conv(args[0], 0);
}

/* (split-string STRING &optional SEPARATOR OMIT-NULLS): SEPARATOR is a
   literal string here (default: whitespace, omitting empty parts).  */
static Value *Fsplit_string(ptrdiff_t nargs, Value **args) {
  Value *s = args[0], *sep = ARG(1);
  int omit = nargs > 2 ? !NILP(args[2]) : NILP(sep);
  ptrdiff_t base = root_sp, i = 0, start = 0, n = 0;
  Value *r;
  CHECK_STRING(s);
  if (!NILP(sep))
    CHECK_STRING(sep);
  while (i <= s->u.str.len) {
    ptrdiff_t seplen = 0;
    if (i == s->u.str.len)
      seplen = -1;
    else if (NILP(sep))
      seplen = isspace((unsigned char)s->u.str.data[i]) ? 1 : 0;
    else if (sep->u.str.len > 0 && i + sep->u.str.len <= s->u.str.len &&
             memcmp(s->u.str.data + i, sep->u.str.data,
                    (size_t)sep->u.str.len) == 0)
      seplen = sep->u.str.len;
    if (seplen) {
      if (!(omit && i == start)) {
        root_push(make_string(s->u.str.data + start, i - start, s->multibyte));
        n++;
      }
      if (seplen < 0)
        break;
      i += seplen;
      start = i;
    } else {
      i++;
    }
  }
  r = list_from(n, &root_stack[base]);
  root_reset(base);
  return r;
}

static Value *Felt(ptrdiff_t nargs, Value **args);

static Value *mapcar_common(Value *fn, Value *seq, int collect) {
  ptrdiff_t base = root_push(fn);
  ptrdiff_t n = 0;
  Value *r;
  root_push(seq);
  if (STRINGP(seq) || seq->type == V_VECTOR) {
    n = STRINGP(seq) ? seq->u.str.nchars : seq->u.vec.size;
    for (ptrdiff_t i = 0; i < n; i++) {
      Value *idx = make_int(i), *e;
      e = Felt(2, (Value *[]){ROOT(base + 1), idx});
      if (!e)
        goto fail;
      root_push(e);
      e = funcall(ROOT(base), 1, &root_stack[root_sp - 1]);
      if (!e)
        goto fail;
      root_stack[root_sp - 1] = e;
    }
  } else {
    if (!CONSP(seq) && !NILP(seq)) {
      root_reset(base);
      return wrong_type("sequencep", seq);
    }
    for (Value *l = seq; CONSP(l); l = XCDR(l)) {
      Value *e;
      root_push(XCAR(l));
      e = funcall(ROOT(base), 1, &root_stack[root_sp - 1]);
      if (!e)
        goto fail;
      root_stack[root_sp - 1] = e;
      n++;
    }
  }
  r = collect ? list_from(n, &root_stack[base + 2]) : seq;
  root_reset(base);
  return r;
fail:
  root_reset(base);
  return NULL;
}

static Value *Fmapcar(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return mapcar_common(args[0], args[1], 1);
}
static Value *Fmapc(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return mapcar_common(args[0], args[1], 0);
}

static Value *Fmapconcat(ptrdiff_t nargs, Value **args) {
  ptrdiff_t base = root_sp;
  Value *l, *r;
  ptrdiff_t n;
  (void)nargs;
  l = mapcar_common(args[0], args[1], 1);
  if (!l)
    return NULL;
  root_push(l);
  n = list_length(l);
  for (Value *x = l; CONSP(x); x = XCDR(x)) {
    root_push(XCAR(x));
    if (CONSP(XCDR(x)) && nargs > 2)
      root_push(args[2]);
  }
  (void)n;
  r = Fconcat(root_sp - base - 1, &root_stack[base + 1]);
  root_reset(base);
  return r;
}

static Value *Felt(ptrdiff_t nargs, Value **args) {
  Value *s = args[0];
  intmax_t i;
  (void)nargs;
  CHECK_INT(args[1]);
  i = args[1]->u.i;
  if (CONSP(s) || NILP(s))
    return lisp_nth(s, (ptrdiff_t)i);
  if (s->type == V_VECTOR) {
    if (i < 0 || i >= s->u.vec.size)
      return args_out_of_range(s, args[1]);
    return s->u.vec.items[i];
  }
  if (STRINGP(s)) {
    unsigned c;
    if (i < 0 || i >= s->u.str.nchars)
      return args_out_of_range(s, args[1]);
    char_at(s, char_to_byte(s, (ptrdiff_t)i), &c);
    return make_int(c);
  }
  return wrong_type("sequencep", s);
}

static Value *Faref(ptrdiff_t nargs, Value **args) {
  if (CONSP(args[0]) || NILP(args[0]))
    return wrong_type("arrayp", args[0]);
  return Felt(nargs, args);
}

static Value *Faset(ptrdiff_t nargs, Value **args) {
  Value *s = args[0];
  (void)nargs;
  CHECK_INT(args[1]);
  if (s->type == V_VECTOR) {
    if (args[1]->u.i < 0 || args[1]->u.i >= s->u.vec.size)
      return args_out_of_range(s, args[1]);
    return s->u.vec.items[args[1]->u.i] = args[2];
  }
  if (STRINGP(s) && !s->multibyte && INTP(args[2]) && args[2]->u.i < 256 &&
      args[2]->u.i >= 0) {
    if (args[1]->u.i < 0 || args[1]->u.i >= s->u.str.len)
      return args_out_of_range(s, args[1]);
    s->u.str.data[args[1]->u.i] = (char)args[2]->u.i;
    return args[2];
  }
  return wrong_type("arrayp", s);
}

static Value *Fvector(ptrdiff_t nargs, Value **args) {
  Value *v = make_vector(nargs, Qnil);
  for (ptrdiff_t i = 0; i < nargs; i++)
    v->u.vec.items[i] = args[i];
  return v;
}

static Value *Fmake_vector(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_INT(args[0]);
  if (args[0]->u.i < 0 || args[0]->u.i > (1 << 26))
    return args_out_of_range(args[0], args[1]);
  return make_vector((ptrdiff_t)args[0]->u.i, args[1]);
}

static Value *Fstring_to_list(ptrdiff_t nargs, Value **args) {
  Value *s = args[0];
  ptrdiff_t base = root_sp, n = 0;
  Value *r;
  (void)nargs;
  CHECK_STRING(s);
  for (ptrdiff_t b = 0; b < s->u.str.len; n++) {
    unsigned c;
    b += char_at(s, b, &c);
    root_push(make_int(c));
  }
  r = list_from(n, &root_stack[base]);
  root_reset(base);
  return r;
}

/* ---- format ---- */

Value *Fformat(ptrdiff_t nargs, Value **args) {
  char *buf = NULL;
  size_t len = 0, cap = 0;
  ptrdiff_t ai = 1;
  const char *f;
  int mb;
  Value *r;
  if (nargs < 1)
    return xsignal(Qwrong_number_of_arguments, list2(intern("format"),
                                                     make_int(nargs)));
  CHECK_STRING(args[0]);
  f = args[0]->u.str.data;
  mb = args[0]->multibyte;
  put_bytes(&buf, &len, &cap, "", 0);
  for (ptrdiff_t i = 0; i < args[0]->u.str.len; i++) {
    char spec[32], tmp[512];
    size_t sl = 0;
    Value *a;
    if (f[i] != '%') {
      put_bytes(&buf, &len, &cap, f + i, 1);
      continue;
    }
    spec[sl++] = '%';
    i++;
    while (i < args[0]->u.str.len && sl < 20 && strchr("-+ #0123456789.", f[i]))
      spec[sl++] = f[i++];
    if (i >= args[0]->u.str.len)
      break;
    if (f[i] == '%') {
      put_bytes(&buf, &len, &cap, "%", 1);
      continue;
    }
    if (ai >= nargs) {
      free(buf);
      return error_fmt("Not enough arguments for format string");
    }
    a = args[ai++];
    switch (f[i]) {
    case 's':
    case 'S': {
      char *s = value_repr(a, f[i] == 'S', 0);
      if (STRINGP(a))
        mb |= a->multibyte;
      if (sl == 1) {
        put_bytes(&buf, &len, &cap, s, strlen(s));
      } else {
        char *t;
        int n;
        spec[sl++] = 's';
        spec[sl] = 0;
        n = snprintf(NULL, 0, spec, s);
        t = xmalloc((size_t)n + 1);
        snprintf(t, (size_t)n + 1, spec, s);
        put_bytes(&buf, &len, &cap, t, (size_t)n);
        free(t);
      }
      free(s);
      break;
    }
    case 'd':
    case 'x':
    case 'X':
    case 'o':
    case 'c':
      if (!(a->type == V_INT || (a->type == V_FLOAT && f[i] == 'd'))) {
        free(buf);
        return error_fmt("Format specifier doesn't match argument type");
      }
      if (f[i] == 'c') {
        put_char(&buf, &len, &cap, (unsigned)a->u.i);
        if (a->u.i >= 0x80)
          mb = 1;
        break;
      }
      spec[sl++] = 'j';
      spec[sl++] = f[i];
      spec[sl] = 0;
      snprintf(tmp, sizeof tmp, spec,
               a->type == V_INT ? a->u.i : (intmax_t)a->u.f);
      put_bytes(&buf, &len, &cap, tmp, strlen(tmp));
      break;
    case 'f':
    case 'g':
    case 'e':
      if (!(a->type == V_INT || a->type == V_FLOAT)) {
        free(buf);
        return error_fmt("Format specifier doesn't match argument type");
      }
      spec[sl++] = f[i];
      spec[sl] = 0;
      snprintf(tmp, sizeof tmp, spec, lisp_num(a));
      put_bytes(&buf, &len, &cap, tmp, strlen(tmp));
      break;
    default:
      free(buf);
      return error_fmt("Invalid format operation %%%c", f[i]);
    }
  }
  r = make_string(buf, (ptrdiff_t)len, mb);
  free(buf);
  return r;
}

static Value *Fmessage(ptrdiff_t nargs, Value **args) {
  Value *m, *sym = intern("host-messages");
  if (NILP(args[0]))
    return Qnil;
  m = Fformat(nargs, args);
  if (!m)
    return NULL;
  if (host_verbose)
    fprintf(stderr, "message: %s\n", m->u.str.data);
  sym->u.sym.value = cons(m, sym->u.sym.value ? sym->u.sym.value : Qnil);
  return m;
}

static Value *Fprin1_to_string(ptrdiff_t nargs, Value **args) {
  char *s = value_repr(args[0], nargs < 2 || NILP(args[1]), 0);
  Value *r = make_cstring(s);
  free(s);
  return r;
}

static const BuiltinDef builtins[] = {
    {"elt", 2, 2, Felt},
    {"aref", 2, 2, Faref},
    {"aset", 3, 3, Faset},
    {"mapcar", 2, 2, Fmapcar},
    {"mapc", 2, 2, Fmapc},
    {"mapconcat", 2, 3, Fmapconcat},
    {"concat", 0, -1, Fconcat},
    {"substring", 1, 3, Fsubstring},
    {"string=", 2, 2, Fstring_equal},
    {"string-equal", 2, 2, Fstring_equal},
    {"string<", 2, 2, Fstring_lessp},
    {"string-prefix-p", 2, 3, Fstring_prefix_p},
    {"string-suffix-p", 2, 3, Fstring_suffix_p},
    {"string-search", 2, 3, Fstring_search},
    {"string-match-p", 2, 3, Fstring_match_p},
    {"make-string", 2, 3, Fmake_string},
    {"string", 0, -1, Fstring},
    {"char-to-string", 1, 1, Fchar_to_string},
    {"unibyte-string", 0, -1, Funibyte_string},
    {"string-to-multibyte", 1, 1, Fstring_to_multibyte},
    {"string-as-multibyte", 1, 1, Fstring_to_multibyte},
    {"string-to-unibyte", 1, 1, Fstring_to_unibyte},
    {"string-as-unibyte", 1, 1, Fstring_to_unibyte},
    {"multibyte-string-p", 1, 1, Fmultibyte_string_p},
    {"string-bytes", 1, 1, Fstring_bytes},
    {"encode-coding-string", 2, 4, Fencode_coding_string},
    {"decode-coding-string", 2, 4, Fdecode_coding_string},
    {"number-to-string", 1, 1, Fnumber_to_string},
    {"string-to-number", 1, 2, Fstring_to_number},
    {"upcase", 1, 1, Fupcase},
    {"downcase", 1, 1, Fdowncase},
    {"split-string", 1, 4, Fsplit_string},
    {"string-to-list", 1, 1, Fstring_to_list},
    {"vector", 0, -1, Fvector},
    {"make-vector", 2, 2, Fmake_vector},
    {"format", 1, -1, Fformat},
    {"message", 1, -1, Fmessage},
    {"prin1-to-string", 1, 3, Fprin1_to_string},
    {"host-valid-utf8-p", 1, 1, Fhost_valid_utf8_p},
    {"host-count-matches", 2, 2, Fhost_count_matches},
};

const LispUnit strings_unit = {NULL, 0, LISP_TABLE(builtins), NULL};
