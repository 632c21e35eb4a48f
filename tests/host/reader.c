/* reader.c --- the reader of the module host

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

/* Text to forms: integers, floats, strings with Emacs' escapes, symbols,
   lists, vectors, quote and function quote, character literals.  Each
   cons remembers the line it was read on, for failure messages.  */

#include "lisp.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Reader                                                               */
/* ------------------------------------------------------------------ */

typedef struct {
  const char *s;
  size_t len, pos;
  int line;
  const char *file;
  const char *err;
} Reader;

static Value *read_form(Reader *r);

static int peekc(Reader *r) {
  return r->pos < r->len ? (unsigned char)r->s[r->pos] : -1;
}

static int getc_r(Reader *r) {
  int c = peekc(r);
  if (c >= 0) {
    r->pos++;
    if (c == '\n')
      r->line++;
  }
  return c;
}

static void skip_ws(Reader *r) {
  for (;;) {
    int c = peekc(r);
    if (c == ';') {
      while (c >= 0 && c != '\n')
        c = getc_r(r);
    } else if (c >= 0 && isspace(c)) {
      getc_r(r);
    } else {
      return;
    }
  }
}

static unsigned read_hex(Reader *r, int max, int *n) {
  unsigned v = 0;
  *n = 0;
  while (*n < max && peekc(r) >= 0 && isxdigit(peekc(r))) {
    int c = getc_r(r);
    v = v * 16 + (unsigned)(isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10));
    (*n)++;
  }
  return v;
}

/* Parse an escape after a backslash.  Returns the character; *RAW is
   set when it came from \x or octal with a value below 256 (a raw
   byte in a string).  Returns -2 for an ignored escape (backslash
   newline or backslash space in strings).  */
static long read_escape(Reader *r, int in_string, int *raw) {
  int c = getc_r(r), n;
  long v;
  *raw = 0;
  switch (c) {
  case 'n': return '\n';
  case 't': return '\t';
  case 'r': return '\r';
  case 'e': return 27;
  case 'a': return 7;
  case 'b': return 8;
  case 'f': return 12;
  case 'v': return 11;
  case 'd': return 127;
  case 's':
    if (peekc(r) == '-') { /* \s- is super; unsupported */
      r->err = "\\s- modifier";
      return -1;
    }
    return ' ';
  case '\n':
  case ' ':
    return in_string ? -2 : c;
  case 'x':
    if (peekc(r) == '{') {
      getc_r(r);
      v = (long)read_hex(r, 8, &n);
      if (getc_r(r) != '}')
        r->err = "bad \\x{}";
    } else {
      v = (long)read_hex(r, 8, &n);
    }
    *raw = v < 256;
    return v;
  case 'u':
    v = (long)read_hex(r, 4, &n);
    if (n != 4)
      r->err = "bad \\u";
    return v;
  case 'U':
    v = (long)read_hex(r, 8, &n);
    if (n != 8)
      r->err = "bad \\U";
    return v;
  case 'C':
    if (getc_r(r) != '-') {
      r->err = "bad \\C";
      return -1;
    }
    /* fall through */
  case '^': {
    int raw2;
    long k = getc_r(r);
    if (k == '\\')
      k = read_escape(r, in_string, &raw2);
    if (k == '?')
      return 127;
    if ((k >= '@' && k <= '_') || (k >= 'a' && k <= 'z'))
      return k & 0x1F;
    r->err = "bad control character";
    return -1;
  }
  case 'N':
    if (getc_r(r) == '{' && getc_r(r) == 'U' && getc_r(r) == '+') {
      v = (long)read_hex(r, 8, &n);
      if (getc_r(r) == '}')
        return v;
    }
    r->err = "bad \\N{U+...}";
    return -1;
  case -1:
    r->err = "end of file in escape";
    return -1;
  default:
    if (c >= '0' && c <= '7') {
      v = c - '0';
      for (int i = 0; i < 2 && peekc(r) >= '0' && peekc(r) <= '7'; i++)
        v = v * 8 + (getc_r(r) - '0');
      *raw = v < 256;
      return v;
    }
    return c;
  }
}

static Value *read_string(Reader *r) {
  char *buf = NULL;
  size_t len = 0, cap = 0;
  int mb = 0;
  Value *v;
  for (;;) {
    int c = getc_r(r);
    if (c < 0) {
      r->err = "end of file in string";
      free(buf);
      return NULL;
    }
    if (c == '"')
      break;
    if (c == '\\') {
      int raw;
      long e = read_escape(r, 1, &raw);
      if (r->err) {
        free(buf);
        return NULL;
      }
      if (e == -2)
        continue;
      if (raw || e < 0x80) {
        char b = (char)e;
        put_bytes(&buf, &len, &cap, &b, 1);
      } else {
        mb = 1;
        put_char(&buf, &len, &cap, (unsigned)e);
      }
    } else {
      char b = (char)c;
      if (c >= 0x80)
        mb = 1;
      put_bytes(&buf, &len, &cap, &b, 1);
    }
  }
  v = make_string(buf ? buf : "", (ptrdiff_t)len, mb);
  free(buf);
  return v;
}

static int symbol_char(int c) {
  return c >= 0 && !isspace(c) && !strchr("()[]'\";`,", c);
}

static Value *read_atom(Reader *r) {
  char *buf = NULL;
  size_t len = 0, cap = 0;
  int escaped = 0;
  Value *v = NULL;
  while (symbol_char(peekc(r))) {
    char c = (char)getc_r(r);
    if (c == '\\') {
      c = (char)getc_r(r);
      escaped = 1;
    }
    put_bytes(&buf, &len, &cap, &c, 1);
  }
  put_bytes(&buf, &len, &cap, "", 0);
  buf[len] = 0;
  if (!escaped) {
    char *end;
    const char *p = buf;
    int digits = 0;
    if (*p == '+' || *p == '-')
      p++;
    while (isdigit((unsigned char)*p))
      p++, digits++;
    if (digits && (*p == 0 || (p[0] == '.' && p[1] == 0))) {
      errno = 0;
      long long n = strtoll(buf, &end, 10);
      if (errno == ERANGE)
        r->err = "integer out of range";
      v = make_int((intmax_t)n);
    } else if (strpbrk(buf, "0123456789") && strpbrk(buf, ".eE")) {
      double d = strtod(buf, &end);
      if (*end == 0)
        v = make_float(d);
    }
  }
  if (!v)
    v = intern(buf);
  free(buf);
  return v;
}

static Value *read_list(Reader *r, int close) {
  Value *head = Qnil, *tail = NULL;
  int line = r->line;
  for (;;) {
    Value *item, *cell;
    skip_ws(r);
    if (peekc(r) == close) {
      getc_r(r);
      break;
    }
    if (peekc(r) < 0) {
      r->err = "end of file in list";
      return NULL;
    }
    if (close == ')' && peekc(r) == '.' && r->pos + 1 < r->len &&
        !symbol_char((unsigned char)r->s[r->pos + 1])) {
      getc_r(r);
      item = read_form(r);
      if (!item || !tail) {
        r->err = r->err ? r->err : "bad dotted list";
        return NULL;
      }
      XCDR(tail) = item;
      skip_ws(r);
      if (getc_r(r) != ')') {
        r->err = "bad dotted list";
        return NULL;
      }
      break;
    }
    item = read_form(r);
    if (!item)
      return NULL;
    cell = cons(item, Qnil);
    cell->u.cons.line = line;
    if (tail)
      XCDR(tail) = cell;
    else
      head = cell;
    tail = cell;
  }
  if (close == ']') {
    ptrdiff_t n = list_length(head), i = 0;
    Value *vec = make_vector(n, Qnil);
    for (Value *l = head; CONSP(l); l = XCDR(l))
      vec->u.vec.items[i++] = XCAR(l);
    return vec;
  }
  return head;
}

static Value *read_form(Reader *r) {
  int c;
  skip_ws(r);
  c = peekc(r);
  if (c < 0)
    return NULL;
  if (c == '(') {
    getc_r(r);
    return read_list(r, ')');
  }
  if (c == '[') {
    getc_r(r);
    return read_list(r, ']');
  }
  if (c == ')' || c == ']') {
    getc_r(r);
    r->err = "unexpected close paren";
    return NULL;
  }
  if (c == '\'') {
    Value *x;
    getc_r(r);
    x = read_form(r);
    return x ? list2(Qquote, x) : NULL;
  }
  if (c == '"') {
    getc_r(r);
    return read_string(r);
  }
  if (c == '?') {
    long ch;
    getc_r(r);
    c = getc_r(r);
    if (c == '\\') {
      int raw;
      ch = read_escape(r, 0, &raw);
    } else if (c >= 0x80) {
      unsigned char b[4];
      int l = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      b[0] = (unsigned char)c;
      for (int i = 1; i < l; i++)
        b[i] = (unsigned char)getc_r(r);
      ch = b[0] & (0xFF >> (l + 1));
      for (int i = 1; i < l; i++)
        ch = (ch << 6) | (b[i] & 0x3F);
    } else {
      ch = c;
    }
    if (r->err || ch < 0) {
      r->err = r->err ? r->err : "bad character literal";
      return NULL;
    }
    return make_int(ch);
  }
  if (c == '#') {
    getc_r(r);
    c = getc_r(r);
    if (c == '\'') {
      Value *x = read_form(r);
      return x ? list2(Qfunction, x) : NULL;
    }
    if (c == 'x' || c == 'X' || c == 'o' || c == 'b') {
      Value *a = read_atom(r);
      char *end;
      long long n;
      if (!a || !SYMBOLP(a)) {
        if (a && INTP(a) && c != 'x' && c != 'X') {
          char tmp[64];
          snprintf(tmp, sizeof tmp, "%jd", a->u.i);
          n = strtoll(tmp, &end, c == 'o' ? 8 : 2);
          return make_int((intmax_t)n);
        }
        if (a && INTP(a)) {
          char tmp[64];
          snprintf(tmp, sizeof tmp, "%jd", a->u.i);
          return make_int((intmax_t)strtoll(tmp, &end, 16));
        }
        r->err = "bad radix number";
        return NULL;
      }
      n = strtoll(a->u.sym.name, &end, c == 'o' ? 8 : c == 'b' ? 2 : 16);
      if (*end) {
        r->err = "bad radix number";
        return NULL;
      }
      return make_int((intmax_t)n);
    }
    r->err = "unsupported # syntax";
    return NULL;
  }
  if (c == '`' || c == ',') {
    r->err = "backquote is not supported";
    return NULL;
  }
  return read_atom(r);
}

Value *read_all(const char *text, size_t len, const char *file, int *err) {
  Reader r = {text, len, 0, 1, file, NULL};
  Value *head = Qnil, *tail = NULL;
  ptrdiff_t base = root_sp;
  root_push(Qnil);
  *err = 0;
  for (;;) {
    Value *f, *cell;
    int line;
    skip_ws(&r);
    line = r.line;
    f = read_form(&r);
    if (!f) {
      if (r.err) {
        fprintf(stderr, "%s:%d: read error: %s\n", file, r.line, r.err);
        *err = 1;
      }
      break;
    }
    cell = cons(f, Qnil);
    cell->u.cons.line = line;
    if (tail)
      XCDR(tail) = cell;
    else
      head = ROOT(base) = cell;
    tail = cell;
  }
  root_reset(base);
  return head;
}
