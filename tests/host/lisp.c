/* lisp.c --- reader, evaluator and general builtins of the module host

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

/* A small dynamically scoped Lisp: enough of Emacs Lisp to drive a
   module and state expectations about it.  Test vocabulary: `should',
   `should-not', `should-error' (with :type), `should-equal', `deftest'
   and `skip-unless'.  */

#include "host.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long tests_passed, tests_failed, tests_skipped;
int host_verbose;

static int eval_depth;
#define MAX_EVAL_DEPTH 1600

Value *call_module_function(Value *fn, ptrdiff_t nargs, Value **args);

/* ------------------------------------------------------------------ */
/* Dynamic binding and catch tags                                       */
/* ------------------------------------------------------------------ */

typedef struct {
  Value *sym;
  Value *old; /* NULL: was void */
} SpecBinding;

static SpecBinding *specpdl;
static ptrdiff_t specpdl_n, specpdl_cap;
static Value **catch_tags;
static ptrdiff_t catch_n, catch_cap;
static Value *current_form; /* top-level form being evaluated */
static Value *Qert_test_failed, *Qhost_skip, *Qfeatures;

ptrdiff_t specpdl_depth(void) { return specpdl_n; }

Value *symbol_value(Value *sym) {
  if (!sym->u.sym.value)
    return xsignal(Qvoid_variable, cons(sym, Qnil));
  return sym->u.sym.value;
}

Value *set_symbol(Value *sym, Value *val) {
  if (!SYMBOLP(sym))
    return wrong_type("symbolp", sym);
  if (sym->special)
    return xsignal(Qsetting_constant, cons(sym, Qnil));
  sym->u.sym.value = val;
  return val;
}

Value *specbind(Value *sym, Value *val) {
  if (!SYMBOLP(sym))
    return wrong_type("symbolp", sym);
  if (sym->special)
    return xsignal(Qsetting_constant, cons(sym, Qnil));
  if (specpdl_n == specpdl_cap) {
    specpdl_cap = specpdl_cap ? specpdl_cap * 2 : 256;
    specpdl = xrealloc(specpdl, (size_t)specpdl_cap * sizeof *specpdl);
  }
  specpdl[specpdl_n].sym = sym;
  specpdl[specpdl_n].old = sym->u.sym.value;
  specpdl_n++;
  sym->u.sym.value = val;
  return val;
}

void unbind_to(ptrdiff_t count) {
  while (specpdl_n > count) {
    specpdl_n--;
    specpdl[specpdl_n].sym->u.sym.value = specpdl[specpdl_n].old;
  }
}

void lisp_mark_roots(void (*mark)(Value *)) {
  for (ptrdiff_t i = 0; i < specpdl_n; i++) {
    mark(specpdl[i].sym);
    mark(specpdl[i].old);
  }
  for (ptrdiff_t i = 0; i < catch_n; i++)
    mark(catch_tags[i]);
  mark(current_form);
}

static int catch_active(Value *tag) {
  if (module_funcall_depth > 0)
    return 1;
  for (ptrdiff_t i = catch_n; i-- > 0;)
    if (eq(catch_tags[i], tag))
      return 1;
  return 0;
}

/* A throw with no catch becomes (no-catch TAG VALUE), as in Emacs.  */
static void check_throw(void) {
  if (host_exit.kind == EXIT_THROW && !catch_active(host_exit.sym)) {
    Value *tag = host_exit.sym, *val = host_exit.data;
    clear_exit();
    xsignal(Qno_catch, list2(tag, val));
  }
}

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

#define CHECK(pred, name, v)                                                 \
  do {                                                                       \
    if (!(pred))                                                             \
      return wrong_type(name, v);                                            \
  } while (0)
#define CHECK_INT(v) CHECK((v)->type == V_INT, "integerp", v)
#define CHECK_STRING(v) CHECK((v)->type == V_STRING, "stringp", v)
#define CHECK_SYMBOL(v) CHECK((v)->type == V_SYMBOL, "symbolp", v)
#define CHECK_LIST(v) CHECK(CONSP(v) || NILP(v), "listp", v)
#define CHECK_NUMBER(v)                                                      \
  CHECK((v)->type == V_INT || (v)->type == V_FLOAT, "numberp", v)
#define BOOL(x) ((x) ? Qt : Qnil)
#define ARG(i) (nargs > (i) ? args[i] : Qnil)

Value *list_from(ptrdiff_t n, Value **items) {
  Value *l = Qnil;
  while (n-- > 0)
    l = cons(items[n], l);
  return l;
}

ptrdiff_t list_length(Value *l) {
  ptrdiff_t n = 0;
  while (CONSP(l))
    n++, l = XCDR(l);
  return NILP(l) ? n : -1;
}

Value *plist_get(Value *plist, Value *prop) {
  for (; CONSP(plist) && CONSP(XCDR(plist)); plist = XCDR(XCDR(plist)))
    if (eq(XCAR(plist), prop))
      return XCAR(XCDR(plist));
  return Qnil;
}

static Value *nth(Value *l, ptrdiff_t n) {
  while (n-- > 0 && CONSP(l))
    l = XCDR(l);
  return CONSP(l) ? XCAR(l) : Qnil;
}

Value *funcall_sym(const char *name, ptrdiff_t nargs, Value **args) {
  return funcall(intern(name), nargs, args);
}

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

static void put_bytes(char **buf, size_t *len, size_t *cap, const char *s,
                      size_t n) {
  if (*len + n + 1 > *cap) {
    *cap = (*len + n + 1) * 2;
    *buf = xrealloc(*buf, *cap);
  }
  if (n)
    memcpy(*buf + *len, s, n);
  *len += n;
}

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

/* ------------------------------------------------------------------ */
/* Evaluator                                                            */
/* ------------------------------------------------------------------ */

static Value *indirect_function(Value *f) {
  for (int i = 0; i < 100 && SYMBOLP(f) && !NILP(f); i++) {
    if (!f->u.sym.function)
      return NULL;
    f = f->u.sym.function;
  }
  return f;
}

Value *progn(Value *body) {
  Value *r = Qnil;
  for (; CONSP(body); body = XCDR(body)) {
    r = eval(XCAR(body));
    if (!r)
      return NULL;
  }
  return r;
}

static Value *apply_lambda(Value *fn, ptrdiff_t nargs, Value **args) {
  Value *params, *r;
  ptrdiff_t count = specpdl_depth(), i = 0;
  int optional = 0;
  if (!CONSP(XCDR(fn)))
    return xsignal(Qinvalid_function, cons(fn, Qnil));
  params = XCAR(XCDR(fn));
  for (; CONSP(params); params = XCDR(params)) {
    Value *p = XCAR(params);
    if (p == Qand_optional) {
      optional = 1;
      continue;
    }
    if (p == Qand_rest) {
      params = XCDR(params);
      if (!CONSP(params))
        break;
      if (!specbind(XCAR(params), list_from(nargs - i, args + i)))
        goto fail;
      i = nargs;
      params = Qnil;
      break;
    }
    if (i < nargs) {
      if (!specbind(p, args[i++]))
        goto fail;
    } else if (optional) {
      if (!specbind(p, Qnil))
        goto fail;
    } else {
      goto arity;
    }
  }
  if (i < nargs)
    goto arity;
  r = progn(XCDR(XCDR(fn)));
  unbind_to(count);
  return r;
arity:
  unbind_to(count);
  return xsignal(Qwrong_number_of_arguments, list2(fn, make_int(nargs)));
fail:
  unbind_to(count);
  return NULL;
}

Value *funcall(Value *fn, ptrdiff_t nargs, Value **args) {
  Value *f = indirect_function(fn), *r;
  if (!f || NILP(f))
    return xsignal(Qvoid_function, cons(fn, Qnil));
  if (++eval_depth > MAX_EVAL_DEPTH) {
    eval_depth--;
    return error_fmt("Lisp nesting exceeds `max-lisp-eval-depth'");
  }
  switch (f->type) {
  case V_BUILTIN:
    if (f->special) {
      r = xsignal(Qinvalid_function, cons(fn, Qnil));
      break;
    }
    if (nargs < f->u.bi.min || (f->u.bi.max >= 0 && nargs > f->u.bi.max)) {
      r = xsignal(Qwrong_number_of_arguments, list2(f, make_int(nargs)));
      break;
    }
    if (f->u.bi.inject > 0 && --f->u.bi.inject == 0) {
      r = error_fmt("host: injected failure in %s", f->u.bi.name);
      break;
    }
    r = f->u.bi.fn(nargs, args);
    break;
  case V_MODFUNC:
    if (nargs < f->u.mf.min || (f->u.mf.max >= 0 && nargs > f->u.mf.max)) {
      r = xsignal(Qwrong_number_of_arguments, list2(f, make_int(nargs)));
      break;
    }
    r = call_module_function(f, nargs, args);
    break;
  case V_CONS:
    if (XCAR(f) == Qlambda) {
      r = apply_lambda(f, nargs, args);
      break;
    }
    /* fall through */
  default:
    r = xsignal(Qinvalid_function, cons(fn, Qnil));
    break;
  }
  eval_depth--;
  if (!r)
    check_throw();
  return r;
}

Value *eval(Value *form) {
  Value *head, *f, *r;
  ptrdiff_t base, nargs = 0;
  if (SYMBOLP(form)) {
    if (form->u.sym.value)
      return form->u.sym.value;
    return xsignal(Qvoid_variable, cons(form, Qnil));
  }
  if (!CONSP(form))
    return form;
  head = XCAR(form);
  if (CONSP(head) && XCAR(head) == Qlambda)
    f = head;
  else if (SYMBOLP(head))
    f = indirect_function(head);
  else
    return xsignal(Qinvalid_function, cons(head, Qnil));
  if (!f || NILP(f))
    return xsignal(Qvoid_function, cons(head, Qnil));
  if (f->type == V_BUILTIN && f->special) {
    if (++eval_depth > MAX_EVAL_DEPTH) {
      eval_depth--;
      return error_fmt("Lisp nesting exceeds `max-lisp-eval-depth'");
    }
    r = f->u.bi.sf(XCDR(form));
    eval_depth--;
    return r;
  }
  base = root_push(f);
  for (Value *a = XCDR(form); CONSP(a); a = XCDR(a)) {
    Value *v = eval(XCAR(a));
    if (!v) {
      root_reset(base);
      return NULL;
    }
    root_push(v);
    nargs++;
  }
  r = funcall(ROOT(base), nargs, &root_stack[base + 1]);
  root_reset(base);
  return r;
}

/* ------------------------------------------------------------------ */
/* Special forms                                                        */
/* ------------------------------------------------------------------ */

static Value *sf_quote(Value *a) { return CONSP(a) ? XCAR(a) : Qnil; }

static Value *sf_progn(Value *a) { return progn(a); }

static Value *sf_prog1(Value *a) {
  Value *r;
  ptrdiff_t base;
  if (!CONSP(a))
    return Qnil;
  r = eval(XCAR(a));
  if (!r)
    return NULL;
  base = root_push(r);
  if (!progn(XCDR(a))) {
    root_reset(base);
    return NULL;
  }
  r = ROOT(base);
  root_reset(base);
  return r;
}

static Value *sf_setq(Value *a) {
  Value *v = Qnil;
  while (CONSP(a) && CONSP(XCDR(a))) {
    v = eval(XCAR(XCDR(a)));
    if (!v || !set_symbol(XCAR(a), v))
      return NULL;
    a = XCDR(XCDR(a));
  }
  return v;
}

static Value *sf_if(Value *a) {
  Value *c = eval(nth(a, 0));
  if (!c)
    return NULL;
  if (!NILP(c))
    return eval(nth(a, 1));
  return progn(CONSP(XCDR(a)) ? XCDR(XCDR(a)) : Qnil);
}

static Value *sf_when(Value *a) {
  Value *c = eval(nth(a, 0));
  if (!c)
    return NULL;
  return NILP(c) ? Qnil : progn(XCDR(a));
}

static Value *sf_unless(Value *a) {
  Value *c = eval(nth(a, 0));
  if (!c)
    return NULL;
  return NILP(c) ? progn(XCDR(a)) : Qnil;
}

static Value *sf_cond(Value *a) {
  for (; CONSP(a); a = XCDR(a)) {
    Value *clause = XCAR(a), *c;
    if (!CONSP(clause))
      continue;
    c = eval(XCAR(clause));
    if (!c)
      return NULL;
    if (!NILP(c))
      return CONSP(XCDR(clause)) ? progn(XCDR(clause)) : c;
  }
  return Qnil;
}

static Value *sf_and(Value *a) {
  Value *r = Qt;
  for (; CONSP(a); a = XCDR(a)) {
    r = eval(XCAR(a));
    if (!r || NILP(r))
      return r;
  }
  return r;
}

static Value *sf_or(Value *a) {
  for (; CONSP(a); a = XCDR(a)) {
    Value *r = eval(XCAR(a));
    if (!r || !NILP(r))
      return r;
  }
  return Qnil;
}

static Value *sf_while(Value *a) {
  for (;;) {
    Value *c = eval(nth(a, 0));
    if (!c)
      return NULL;
    if (NILP(c))
      return Qnil;
    if (!progn(XCDR(a)))
      return NULL;
  }
}

static Value *let_common(Value *a, int sequential) {
  ptrdiff_t count = specpdl_depth(), base = root_sp, n = 0;
  Value *r;
  for (Value *b = nth(a, 0); CONSP(b); b = XCDR(b)) {
    Value *binding = XCAR(b), *sym = binding, *v = Qnil;
    if (CONSP(binding)) {
      sym = XCAR(binding);
      v = eval(nth(binding, 1));
      if (!v)
        goto fail;
    }
    if (sequential) {
      if (!specbind(sym, v))
        goto fail;
    } else {
      root_push(sym);
      root_push(v);
      n++;
    }
  }
  for (ptrdiff_t i = 0; i < n; i++)
    if (!specbind(root_stack[base + 2 * i], root_stack[base + 2 * i + 1]))
      goto fail;
  root_reset(base);
  r = progn(CONSP(a) ? XCDR(a) : Qnil);
  unbind_to(count);
  return r;
fail:
  root_reset(base);
  unbind_to(count);
  return NULL;
}

static Value *sf_let(Value *a) { return let_common(a, 0); }
static Value *sf_let_star(Value *a) { return let_common(a, 1); }

/* (dotimes (VAR COUNT [RESULT]) BODY...) and (dolist (VAR LIST [RESULT])
   BODY...).  */
static Value *sf_dotimes(Value *a) {
  Value *spec = nth(a, 0), *var = nth(spec, 0), *n, *r;
  ptrdiff_t count = specpdl_depth();
  n = eval(nth(spec, 1));
  if (!n)
    return NULL;
  CHECK_INT(n);
  if (!specbind(var, Qnil))
    return NULL;
  for (intmax_t i = 0; i < n->u.i; i++) {
    var->u.sym.value = make_int(i);
    if (!progn(XCDR(a))) {
      unbind_to(count);
      return NULL;
    }
  }
  r = eval(nth(spec, 2));
  unbind_to(count);
  return r;
}

static Value *sf_dolist(Value *a) {
  Value *spec = nth(a, 0), *var = nth(spec, 0), *l, *r;
  ptrdiff_t count = specpdl_depth(), base;
  l = eval(nth(spec, 1));
  if (!l)
    return NULL;
  CHECK_LIST(l);
  base = root_push(l);
  if (!specbind(var, Qnil)) {
    root_reset(base);
    return NULL;
  }
  for (; CONSP(ROOT(base)); ROOT(base) = XCDR(ROOT(base))) {
    var->u.sym.value = XCAR(ROOT(base));
    if (!progn(XCDR(a))) {
      unbind_to(count);
      root_reset(base);
      return NULL;
    }
  }
  root_reset(base);
  r = eval(nth(spec, 2));
  unbind_to(count);
  return r;
}

static Value *sf_function(Value *a) { return nth(a, 0); }

static Value *sf_lambda(Value *a) { return cons(Qlambda, a); }

static Value *sf_defun(Value *a) {
  Value *name = nth(a, 0);
  CHECK_SYMBOL(name);
  name->u.sym.function = cons(Qlambda, XCDR(a));
  return name;
}

static Value *sf_defvar(Value *a) {
  Value *sym = nth(a, 0);
  CHECK_SYMBOL(sym);
  if (!sym->u.sym.value && CONSP(XCDR(a))) {
    Value *v = eval(nth(a, 1));
    if (!v)
      return NULL;
    sym->u.sym.value = v;
  }
  return sym;
}

static Value *sf_defconst(Value *a) {
  Value *sym = nth(a, 0), *v;
  CHECK_SYMBOL(sym);
  v = eval(nth(a, 1));
  if (!v)
    return NULL;
  sym->u.sym.value = v;
  return sym;
}

/* (push X SYM), (pop SYM), (incf SYM [N]): PLACE must be a symbol.  */
static Value *sf_push(Value *a) {
  Value *x = eval(nth(a, 0)), *sym = nth(a, 1), *old;
  if (!x)
    return NULL;
  CHECK_SYMBOL(sym);
  if (!(old = symbol_value(sym)))
    return NULL;
  return set_symbol(sym, cons(x, old));
}

static Value *sf_pop(Value *a) {
  Value *sym = nth(a, 0), *old;
  CHECK_SYMBOL(sym);
  if (!(old = symbol_value(sym)))
    return NULL;
  if (!CONSP(old))
    return Qnil;
  if (!set_symbol(sym, XCDR(old)))
    return NULL;
  return XCAR(old);
}

static Value *sf_incf(Value *a) {
  Value *sym = nth(a, 0), *old, *d = make_int(1);
  CHECK_SYMBOL(sym);
  if (CONSP(XCDR(a)) && !(d = eval(nth(a, 1))))
    return NULL;
  if (!(old = symbol_value(sym)))
    return NULL;
  CHECK_INT(old);
  CHECK_INT(d);
  return set_symbol(sym, make_int(old->u.i + d->u.i));
}

static Value *sf_condition_case(Value *a) {
  Value *var = nth(a, 0), *r, *handlers = CONSP(a) ? XCDR(a) : Qnil;
  ptrdiff_t count = specpdl_depth(), base;
  r = eval(nth(a, 1));
  if (r) {
    for (Value *h = CONSP(handlers) ? XCDR(handlers) : Qnil; CONSP(h);
         h = XCDR(h))
      if (CONSP(XCAR(h)) && XCAR(XCAR(h)) == intern(":success")) {
        base = root_push(r);
        if (!NILP(var) && !specbind(var, r)) {
          root_reset(base);
          return NULL;
        }
        root_reset(base);
        r = progn(XCDR(XCAR(h)));
        unbind_to(count);
        return r;
      }
    return r;
  }
  if (host_exit.kind != EXIT_SIGNAL)
    return NULL;
  for (Value *h = CONSP(handlers) ? XCDR(handlers) : Qnil; CONSP(h);
       h = XCDR(h)) {
    Value *conds = CONSP(XCAR(h)) ? XCAR(XCAR(h)) : Qnil;
    int match = 0;
    if (SYMBOLP(conds))
      match = !NILP(conds) && error_is_a(host_exit.sym, conds);
    else
      for (; CONSP(conds) && !match; conds = XCDR(conds))
        match = error_is_a(host_exit.sym, XCAR(conds));
    if (match) {
      Value *err = cons(host_exit.sym, host_exit.data);
      clear_exit();
      base = root_push(err);
      if (!NILP(var) && !specbind(var, err)) {
        root_reset(base);
        return NULL;
      }
      root_reset(base);
      r = progn(XCDR(XCAR(h)));
      unbind_to(count);
      return r;
    }
  }
  return NULL;
}

static Value *sf_catch(Value *a) {
  Value *tag = eval(nth(a, 0)), *r;
  ptrdiff_t n;
  if (!tag)
    return NULL;
  if (catch_n == catch_cap) {
    catch_cap = catch_cap ? catch_cap * 2 : 32;
    catch_tags = xrealloc(catch_tags, (size_t)catch_cap * sizeof *catch_tags);
  }
  n = catch_n;
  catch_tags[catch_n++] = tag;
  r = progn(XCDR(a));
  catch_n = n;
  if (!r && host_exit.kind == EXIT_THROW && eq(host_exit.sym, tag)) {
    r = host_exit.data;
    clear_exit();
  }
  return r;
}

static Value *sf_unwind_protect(Value *a) {
  Value *r = eval(nth(a, 0));
  struct HostExit saved = host_exit;
  ptrdiff_t base = root_push(r ? r : Qnil);
  root_push(saved.sym);
  root_push(saved.data);
  clear_exit();
  if (!progn(XCDR(a))) {
    root_reset(base);
    return NULL;
  }
  host_exit = saved;
  r = r ? ROOT(base) : NULL;
  root_reset(base);
  return r;
}

static Value *sf_ignore_errors(Value *a) {
  Value *r = progn(a);
  if (!r && host_exit.kind == EXIT_SIGNAL) {
    clear_exit();
    return Qnil;
  }
  return r;
}

static Value *sf_ignore(Value *a) {
  (void)a;
  return Qnil;
}

/* ---- test vocabulary ---- */

static int form_line(Value *form) {
  return CONSP(form) ? form->u.cons.line : 0;
}

static const char *script_file = "?";

static int failure_line;

static void report_failure(Value *form, const char *what, Value *detail) {
  char *f = value_repr(form, 1, 400);
  int line = form_line(form) ? form_line(form) : failure_line;
  fprintf(stderr, "FAIL %s:%d: %s\n     %s\n", script_file, line, f, what);
  free(f);
  if (detail) {
    char *d = value_repr(detail, 1, 2000);
    fprintf(stderr, "     => %s\n", d);
    free(d);
  }
}

/* Evaluate the assertion FORM.  When it is a function call, also keep
   the evaluated arguments in *ARGS (for the failure message).  */
static Value *eval_assertion(Value *form, Value **shown) {
  Value *head, *f, *r;
  ptrdiff_t base, nargs = 0;
  *shown = NULL;
  if (!CONSP(form) || !SYMBOLP(XCAR(form)))
    return eval(form);
  head = XCAR(form);
  f = indirect_function(head);
  if (!f || NILP(f) || f->type == V_CONS || (f->type == V_BUILTIN && f->special))
    return eval(form);
  base = root_push(f);
  for (Value *a = XCDR(form); CONSP(a); a = XCDR(a)) {
    Value *v = eval(XCAR(a));
    if (!v) {
      root_reset(base);
      return NULL;
    }
    root_push(v);
    nargs++;
  }
  *shown = list_from(nargs, &root_stack[base + 1]);
  root_push(*shown);
  r = funcall(ROOT(base), nargs, &root_stack[base + 1]);
  root_reset(base);
  return r;
}

static Value *assertion_failed(Value *form) {
  tests_failed++;
  return xsignal(Qert_test_failed, cons(form, Qnil));
}

static Value *should_common(Value *a, int negate) {
  Value *form = nth(a, 0), *shown, *r;
  ptrdiff_t base;
  int line = form_line(a);
  r = eval_assertion(form, &shown);
  failure_line = line;
  base = root_push(shown ? shown : Qnil);
  if (!r) {
    if (host_exit.kind == EXIT_SIGNAL && host_exit.sym == Qert_test_failed) {
      root_reset(base);
      return NULL;
    }
    Value *err = cons(host_exit.sym ? host_exit.sym : Qnil,
                      host_exit.data ? host_exit.data : Qnil);
    clear_exit();
    report_failure(form, "signalled", err);
    root_reset(base);
    return assertion_failed(form);
  }
  if (NILP(r) != negate) {
    report_failure(form, negate ? "should-not: non-nil" : "should: nil",
                   shown);
    root_reset(base);
    return assertion_failed(form);
  }
  root_reset(base);
  tests_passed++;
  return r;
}

static Value *sf_should(Value *a) { return should_common(a, 0); }
static Value *sf_should_not(Value *a) { return should_common(a, 1); }

static Value *sf_should_equal(Value *a) {
  Value *x, *y;
  ptrdiff_t base;
  int line = form_line(a);
  x = eval(nth(a, 0));
  failure_line = line;
  if (!x)
    goto error;
  base = root_push(x);
  y = eval(nth(a, 1));
  failure_line = line;
  if (!y) {
    root_reset(base);
    goto error;
  }
  root_push(y);
  if (!equal(x, y)) {
    Value *d = list2(x, y);
    report_failure(cons(intern("should-equal"), a), "not equal", d);
    root_reset(base);
    return assertion_failed(cons(intern("should-equal"), a));
  }
  root_reset(base);
  tests_passed++;
  return Qt;
error:
  if (host_exit.kind == EXIT_SIGNAL && host_exit.sym != Qert_test_failed) {
    Value *err = cons(host_exit.sym, host_exit.data);
    clear_exit();
    report_failure(cons(intern("should-equal"), a), "signalled", err);
    return assertion_failed(cons(intern("should-equal"), a));
  }
  return NULL;
}

/* (should-error FORM [:type TYPE]) where TYPE evaluates to a symbol or
   a list of symbols.  Returns (SYMBOL . DATA).  */
static Value *sf_should_error(Value *a) {
  Value *form = nth(a, 0), *type = Qnil, *r, *err;
  ptrdiff_t base;
  for (Value *k = CONSP(a) ? XCDR(a) : Qnil; CONSP(k) && CONSP(XCDR(k));
       k = XCDR(XCDR(k)))
    if (XCAR(k) == intern(":type")) {
      type = eval(XCAR(XCDR(k)));
      if (!type)
        return NULL;
    }
  base = root_push(type);
  {
    int line = form_line(a);
    r = eval(form);
    failure_line = line;
  }
  if (r) {
    report_failure(cons(intern("should-error"), a), "did not signal", r);
    root_reset(base);
    return assertion_failed(form);
  }
  if (host_exit.kind != EXIT_SIGNAL) {
    root_reset(base);
    return NULL; /* a throw passes through */
  }
  err = cons(host_exit.sym, host_exit.data);
  clear_exit();
  root_push(err);
  if (!NILP(type)) {
    int match = 0;
    if (SYMBOLP(type))
      match = error_is_a(XCAR(err), type);
    else
      for (Value *t = type; CONSP(t) && !match; t = XCDR(t))
        match = error_is_a(XCAR(err), XCAR(t));
    if (!match) {
      report_failure(cons(intern("should-error"), a),
                     "signalled an error of the wrong type", err);
      root_reset(base);
      return assertion_failed(form);
    }
  }
  root_reset(base);
  tests_passed++;
  return err;
}

static Value *sf_skip_unless(Value *a) {
  Value *c = eval(nth(a, 0));
  if (!c)
    return NULL;
  if (NILP(c))
    return xthrow(Qhost_skip, nth(a, 0));
  return Qt;
}

/* (deftest NAME [DOC] BODY...): run BODY now; an error or failed
   assertion aborts only this test.  */
static Value *sf_deftest(Value *a) {
  Value *name = nth(a, 0), *body = CONSP(a) ? XCDR(a) : Qnil, *r;
  long failed_before = tests_failed;
  ptrdiff_t n;
  if (CONSP(body) && STRINGP(XCAR(body)))
    body = XCDR(body);
  if (catch_n == catch_cap) {
    catch_cap = catch_cap ? catch_cap * 2 : 32;
    catch_tags = xrealloc(catch_tags, (size_t)catch_cap * sizeof *catch_tags);
  }
  n = catch_n;
  catch_tags[catch_n++] = Qhost_skip;
  r = progn(body);
  catch_n = n;
  if (!r) {
    if (host_exit.kind == EXIT_THROW && host_exit.sym == Qhost_skip) {
      tests_skipped++;
      if (host_verbose)
        fprintf(stderr, "skip %s\n", SYMBOLP(name) ? name->u.sym.name : "?");
      clear_exit();
      return Qnil;
    }
    if (!(host_exit.kind == EXIT_SIGNAL && host_exit.sym == Qert_test_failed)) {
      Value *err = cons(host_exit.sym, host_exit.data);
      report_failure(cons(intern("deftest"), cons(name, Qnil)),
                     "error escaped from test body", err);
      tests_failed++;
    }
    clear_exit();
  }
  if (tests_failed != failed_before)
    fprintf(stderr, "FAIL test %s\n", SYMBOLP(name) ? name->u.sym.name : "?");
  else if (host_verbose)
    fprintf(stderr, "ok   test %s\n", SYMBOLP(name) ? name->u.sym.name : "?");
  return Qnil;
}

/* ------------------------------------------------------------------ */
/* Builtins: lists, symbols, numbers                                    */
/* ------------------------------------------------------------------ */

static Value *Fcons(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return cons(args[0], args[1]);
}
static Value *Fcar(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_LIST(args[0]);
  return CONSP(args[0]) ? XCAR(args[0]) : Qnil;
}
static Value *Fcdr(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_LIST(args[0]);
  return CONSP(args[0]) ? XCDR(args[0]) : Qnil;
}
static Value *Fcar_safe(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return CONSP(args[0]) ? XCAR(args[0]) : Qnil;
}
static Value *Fcdr_safe(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return CONSP(args[0]) ? XCDR(args[0]) : Qnil;
}
static Value *Fcadr(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return nth(args[0], 1);
}
static Value *Fcaddr(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return nth(args[0], 2);
}
static Value *Fsetcar(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK(CONSP(args[0]), "consp", args[0]);
  return XCAR(args[0]) = args[1];
}
static Value *Fsetcdr(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK(CONSP(args[0]), "consp", args[0]);
  return XCDR(args[0]) = args[1];
}
static Value *Flist(ptrdiff_t nargs, Value **args) {
  return list_from(nargs, args);
}

static Value *Flength(ptrdiff_t nargs, Value **args) {
  Value *s = args[0];
  (void)nargs;
  switch (s->type) {
  case V_STRING:
    return make_int(s->u.str.nchars);
  case V_VECTOR:
    return make_int(s->u.vec.size);
  case V_CONS:
  case V_SYMBOL: {
    ptrdiff_t n;
    if (SYMBOLP(s) && !NILP(s))
      break;
    n = list_length(s);
    if (n < 0)
      return wrong_type("listp", s);
    return make_int(n);
  }
  default:
    break;
  }
  return wrong_type("sequencep", s);
}

static Value *Fnth(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_INT(args[0]);
  CHECK_LIST(args[1]);
  return nth(args[1], (ptrdiff_t)args[0]->u.i);
}

static Value *Fnthcdr(ptrdiff_t nargs, Value **args) {
  Value *l = args[1];
  (void)nargs;
  CHECK_INT(args[0]);
  for (intmax_t i = 0; i < args[0]->u.i && CONSP(l); i++)
    l = XCDR(l);
  return l;
}

static Value *Felt(ptrdiff_t nargs, Value **args);

static Value *Fappend(ptrdiff_t nargs, Value **args) {
  Value *head = Qnil, *tail = NULL;
  if (nargs == 0)
    return Qnil;
  for (ptrdiff_t i = 0; i < nargs - 1; i++) {
    CHECK_LIST(args[i]);
    for (Value *l = args[i]; CONSP(l); l = XCDR(l)) {
      Value *c = cons(XCAR(l), Qnil);
      if (tail)
        XCDR(tail) = c;
      else
        head = c;
      tail = c;
    }
  }
  if (tail)
    XCDR(tail) = args[nargs - 1];
  else
    head = args[nargs - 1];
  return head;
}

static Value *Freverse(ptrdiff_t nargs, Value **args) {
  Value *r = Qnil;
  (void)nargs;
  CHECK_LIST(args[0]);
  for (Value *l = args[0]; CONSP(l); l = XCDR(l))
    r = cons(XCAR(l), r);
  return r;
}

static Value *Fmemq(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  for (Value *l = args[1]; CONSP(l); l = XCDR(l))
    if (eq(XCAR(l), args[0]))
      return l;
  return Qnil;
}

static Value *Fmember(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  for (Value *l = args[1]; CONSP(l); l = XCDR(l))
    if (equal(XCAR(l), args[0]))
      return l;
  return Qnil;
}

static Value *Fassq(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  for (Value *l = args[1]; CONSP(l); l = XCDR(l))
    if (CONSP(XCAR(l)) && eq(XCAR(XCAR(l)), args[0]))
      return XCAR(l);
  return Qnil;
}

static Value *Fassoc(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  for (Value *l = args[1]; CONSP(l); l = XCDR(l))
    if (CONSP(XCAR(l)) && equal(XCAR(XCAR(l)), args[0]))
      return XCAR(l);
  return Qnil;
}

static Value *Fplist_get(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return plist_get(args[0], args[1]);
}

static Value *Fplist_put(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  for (Value *p = args[0]; CONSP(p) && CONSP(XCDR(p)); p = XCDR(XCDR(p)))
    if (eq(XCAR(p), args[1])) {
      XCAR(XCDR(p)) = args[2];
      return args[0];
    }
  return Fappend(2, (Value *[]){args[0], list2(args[1], args[2])});
}

static Value *Flast(ptrdiff_t nargs, Value **args) {
  Value *l = args[0];
  (void)nargs;
  while (CONSP(l) && CONSP(XCDR(l)))
    l = XCDR(l);
  return l;
}

static Value *Fmake_list(ptrdiff_t nargs, Value **args) {
  Value *r = Qnil;
  (void)nargs;
  CHECK_INT(args[0]);
  if (args[0]->u.i < 0)
    return wrong_type("wholenump", args[0]);
  for (intmax_t i = 0; i < args[0]->u.i; i++)
    r = cons(args[1], r);
  return r;
}

static Value *Fnumber_sequence(ptrdiff_t nargs, Value **args) {
  Value *r = Qnil;
  CHECK_INT(args[0]);
  if (nargs < 2 || NILP(args[1]))
    return cons(args[0], Qnil);
  CHECK_INT(args[1]);
  for (intmax_t i = args[1]->u.i; i >= args[0]->u.i; i--)
    r = cons(make_int(i), r);
  return r;
}

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

static Value *Ffuncall(ptrdiff_t nargs, Value **args) {
  return funcall(args[0], nargs - 1, args + 1);
}

static Value *Fapply(ptrdiff_t nargs, Value **args) {
  Value *last = args[nargs - 1], *r;
  ptrdiff_t base = root_sp, n;
  CHECK_LIST(last);
  for (ptrdiff_t i = 0; i < nargs - 1; i++)
    root_push(args[i]);
  for (Value *l = last; CONSP(l); l = XCDR(l))
    root_push(XCAR(l));
  n = root_sp - base;
  if (n == 0) {
    root_reset(base);
    return funcall(last, 0, NULL);
  }
  r = funcall(ROOT(base), n - 1, &root_stack[base + 1]);
  root_reset(base);
  return r;
}

static Value *Feval(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return eval(args[0]);
}

static Value *Fsignal(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return xsignal(args[0], args[1]);
}

static Value *Fthrow(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  if (!catch_active(args[0]))
    return xsignal(Qno_catch, list2(args[0], args[1]));
  return xthrow(args[0], args[1]);
}

static Value *Ferror(ptrdiff_t nargs, Value **args) {
  Value *msg = Fformat(nargs, args);
  if (!msg)
    return NULL;
  return xsignal(Qerror, cons(msg, Qnil));
}

static Value *Fuser_error(ptrdiff_t nargs, Value **args) {
  Value *msg = Fformat(nargs, args);
  if (!msg)
    return NULL;
  return xsignal(intern("user-error"), cons(msg, Qnil));
}

static Value *Fdefine_error(ptrdiff_t nargs, Value **args) {
  Value *parent = nargs > 2 && SYMBOLP(args[2]) && !NILP(args[2])
                      ? args[2]
                      : Qerror;
  CHECK_SYMBOL(args[0]);
  CHECK_STRING(args[1]);
  define_error(args[0], args[1]->u.str.data, parent);
  return Qnil;
}

static Value *Ferror_message_string(ptrdiff_t nargs, Value **args) {
  Value *err = args[0], *msg;
  char *d;
  (void)nargs;
  if (!CONSP(err) || !SYMBOLP(XCAR(err)))
    return make_cstring("peculiar error");
  msg = Fget(XCAR(err), Qerror_message);
  if (XCAR(err) == Qerror && CONSP(XCDR(err)) && STRINGP(XCAR(XCDR(err))))
    return XCAR(XCDR(err));
  d = value_repr(XCDR(err), 1, 500);
  {
    char buf[700];
    snprintf(buf, sizeof buf, "%s: %s",
             STRINGP(msg) ? msg->u.str.data : XCAR(err)->u.sym.name, d);
    free(d);
    return make_cstring(buf);
  }
}

static Value *Feq(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return BOOL(eq(args[0], args[1]));
}
static Value *Fequal(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return BOOL(equal(args[0], args[1]));
}
static Value *Fnot(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return BOOL(NILP(args[0]));
}
static Value *Fidentity(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return args[0];
}
static Value *Fignore(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return Qnil;
}

#define TYPE_PRED(cname, test)                                               \
  static Value *cname(ptrdiff_t nargs, Value **args) {                       \
    Value *x = args[0];                                                      \
    (void)nargs;                                                             \
    return BOOL(test);                                                       \
  }
TYPE_PRED(Fintegerp, x->type == V_INT)
TYPE_PRED(Fnatnump, x->type == V_INT && x->u.i >= 0)
TYPE_PRED(Ffloatp, x->type == V_FLOAT)
TYPE_PRED(Fnumberp, x->type == V_INT || x->type == V_FLOAT)
TYPE_PRED(Fstringp, STRINGP(x))
TYPE_PRED(Fsymbolp, SYMBOLP(x))
TYPE_PRED(Fkeywordp, SYMBOLP(x) && x->u.sym.name[0] == ':')
TYPE_PRED(Fconsp, CONSP(x))
TYPE_PRED(Flistp, CONSP(x) || NILP(x))
TYPE_PRED(Fatom, !CONSP(x))
TYPE_PRED(Fvectorp, x->type == V_VECTOR)
TYPE_PRED(Fuser_ptrp, x->type == V_USER_PTR)
TYPE_PRED(Fmodule_function_p, x->type == V_MODFUNC)
TYPE_PRED(Fbufferp, x->type == V_BUFFER)
TYPE_PRED(Fzerop, (x->type == V_INT && x->u.i == 0) ||
                      (x->type == V_FLOAT && x->u.f == 0))
TYPE_PRED(Ffunctionp,
          x->type == V_MODFUNC || (x->type == V_BUILTIN && !x->special) ||
              (CONSP(x) && XCAR(x) == Qlambda) ||
              (SYMBOLP(x) && !NILP(x) && indirect_function(x) &&
               (indirect_function(x)->type == V_MODFUNC ||
                (indirect_function(x)->type == V_BUILTIN &&
                 !indirect_function(x)->special) ||
                CONSP(indirect_function(x)))))
TYPE_PRED(Fcommandp, x->type == V_MODFUNC && x->u.mf.interactive)

static Value *Ftype_of(ptrdiff_t nargs, Value **args) {
  static const char *names[] = {"integer", "float",  "string",
                                "symbol",  "cons",   "vector",
                                "user-ptr", "module-function", "subr",
                                "buffer"};
  (void)nargs;
  return intern(names[args[0]->type]);
}

static Value *Finteractive_form(ptrdiff_t nargs, Value **args) {
  Value *f = indirect_function(args[0]);
  (void)nargs;
  if (f && f->type == V_MODFUNC && f->u.mf.interactive)
    return f->u.mf.interactive;
  return Qnil;
}

static Value *Fintern(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  return intern(args[0]->u.str.data);
}
static Value *Fmake_symbol(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  return make_symbol(args[0]->u.str.data);
}
static Value *Fsymbol_name(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  return make_cstring(args[0]->u.sym.name);
}
static Value *Fsymbol_value(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  return symbol_value(args[0]);
}
static Value *Fset(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return set_symbol(args[0], args[1]);
}
static Value *Fboundp(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  return BOOL(args[0]->u.sym.value != NULL);
}
static Value *Ffboundp(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  return BOOL(args[0]->u.sym.function != NULL);
}
static Value *Fmakunbound(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  if (args[0]->special)
    return xsignal(Qsetting_constant, cons(args[0], Qnil));
  args[0]->u.sym.value = NULL;
  return args[0];
}
static Value *Ffmakunbound(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  if (NILP(args[0]))
    return xsignal(Qsetting_constant, cons(args[0], Qnil));
  args[0]->u.sym.function = NULL;
  return args[0];
}
static Value *Fsymbol_function(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  return args[0]->u.sym.function ? args[0]->u.sym.function : Qnil;
}
static Value *Findirect_function(ptrdiff_t nargs, Value **args) {
  Value *f = indirect_function(args[0]);
  (void)nargs;
  return f ? f : Qnil;
}
static Value *Ffset(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  if (NILP(args[0]) && !NILP(args[1]))
    return xsignal(Qsetting_constant, cons(args[0], Qnil));
  args[0]->u.sym.function = NILP(args[1]) ? NULL : args[1];
  return args[1];
}
static Value *Fdefalias(ptrdiff_t nargs, Value **args) {
  Value *r = Ffset(2, args);
  if (!r)
    return NULL;
  if (nargs > 2 && !NILP(args[2]))
    Fput(args[0], intern("function-documentation"), args[2]);
  return args[0];
}
static Value *Fget_(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  return Fget(args[0], args[1]);
}
static Value *Fput_(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  return Fput(args[0], args[1], args[2]);
}
static Value *Fsymbol_plist(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  return args[0]->u.sym.plist;
}
static Value *Fmake_local_variable(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  return args[0]; /* the host has global variables only */
}
static Value *Flocal_variable_p(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return Qnil;
}

static Value *Fprovide(ptrdiff_t nargs, Value **args) {
  Value *f = Qfeatures->u.sym.value;
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  for (Value *l = f; CONSP(l); l = XCDR(l))
    if (XCAR(l) == args[0])
      return args[0];
  Qfeatures->u.sym.value = cons(args[0], f);
  return args[0];
}

static Value *Ffeaturep(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  return Fmemq(2, (Value *[]){args[0], Qfeatures->u.sym.value});
}

static Value *Frequire(ptrdiff_t nargs, Value **args) {
  Value *m = Ffeaturep(1, args);
  (void)nargs;
  if (!NILP(m))
    return args[0];
  return xsignal(intern("file-missing"),
                 list2(make_cstring("Cannot open load file"), args[0]));
}

static Value *Fmodule_load(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  return module_load(args[0]->u.str.data);
}

static Value *Fload(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_STRING(args[0]);
  if (run_script(args[0]->u.str.data) < 0)
    return xsignal(intern("file-missing"),
                   list2(make_cstring("Cannot open load file"), args[0]));
  return Qt;
}

static Value *Fgarbage_collect(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  gc_collect();
  return Qnil;
}

/* ---- numbers ---- */

static Value *arith(ptrdiff_t nargs, Value **args, int op) {
  intmax_t acc = 0;
  double facc = 0;
  int isfloat = 0;
  for (ptrdiff_t i = 0; i < nargs; i++) {
    CHECK_NUMBER(args[i]);
    if (args[i]->type == V_FLOAT)
      isfloat = 1;
  }
  if (nargs == 0)
    return make_int(op == '*' ? 1 : 0);
  for (ptrdiff_t i = 0; i < nargs; i++) {
    Value *x = args[i];
    double fx = x->type == V_FLOAT ? x->u.f : (double)x->u.i;
    if (i == 0) {
      acc = x->type == V_INT ? x->u.i : 0;
      facc = fx;
      if (nargs == 1 && op == '-')
        acc = -acc, facc = -facc;
      if (nargs == 1 && op == '/') {
        if (!isfloat && acc == 0)
          return xsignal(intern("arith-error"), Qnil);
        acc = 1 / acc, facc = 1 / facc;
      }
      continue;
    }
    switch (op) {
    case '+': acc += x->type == V_INT ? x->u.i : 0; facc += fx; break;
    case '-': acc -= x->type == V_INT ? x->u.i : 0; facc -= fx; break;
    case '*': acc *= x->type == V_INT ? x->u.i : 1; facc *= fx; break;
    case '/':
      if (!isfloat) {
        if (x->u.i == 0)
          return xsignal(intern("arith-error"), Qnil);
        acc /= x->u.i;
      }
      facc /= fx;
      break;
    }
  }
  return isfloat ? make_float(facc) : make_int(acc);
}

static Value *Fplus(ptrdiff_t n, Value **a) { return arith(n, a, '+'); }
static Value *Fminus(ptrdiff_t n, Value **a) { return arith(n, a, '-'); }
static Value *Ftimes(ptrdiff_t n, Value **a) { return arith(n, a, '*'); }
static Value *Fquo(ptrdiff_t n, Value **a) { return arith(n, a, '/'); }

static Value *Frem(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_INT(args[0]);
  CHECK_INT(args[1]);
  if (args[1]->u.i == 0)
    return xsignal(intern("arith-error"), Qnil);
  return make_int(args[0]->u.i % args[1]->u.i);
}

static Value *Fmod(ptrdiff_t nargs, Value **args) {
  intmax_t r;
  (void)nargs;
  CHECK_INT(args[0]);
  CHECK_INT(args[1]);
  if (args[1]->u.i == 0)
    return xsignal(intern("arith-error"), Qnil);
  r = args[0]->u.i % args[1]->u.i;
  if (r != 0 && ((r < 0) != (args[1]->u.i < 0)))
    r += args[1]->u.i;
  return make_int(r);
}

static Value *F1plus(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_NUMBER(args[0]);
  return args[0]->type == V_INT ? make_int(args[0]->u.i + 1)
                                : make_float(args[0]->u.f + 1);
}
static Value *F1minus(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_NUMBER(args[0]);
  return args[0]->type == V_INT ? make_int(args[0]->u.i - 1)
                                : make_float(args[0]->u.f - 1);
}

static double num(Value *v) {
  return v->type == V_INT ? (double)v->u.i : v->u.f;
}

static Value *compare(ptrdiff_t nargs, Value **args, int op) {
  for (ptrdiff_t i = 0; i < nargs; i++)
    CHECK_NUMBER(args[i]);
  for (ptrdiff_t i = 0; i + 1 < nargs; i++) {
    Value *a = args[i], *b = args[i + 1];
    int c;
    if (a->type == V_INT && b->type == V_INT)
      c = (a->u.i > b->u.i) - (a->u.i < b->u.i);
    else
      c = (num(a) > num(b)) - (num(a) < num(b));
    if (!((op == '=' && c == 0) || (op == '<' && c < 0) ||
          (op == '>' && c > 0) || (op == 'l' && c <= 0) ||
          (op == 'g' && c >= 0) || (op == '!' && c != 0)))
      return Qnil;
  }
  return Qt;
}

static Value *Feqlsign(ptrdiff_t n, Value **a) { return compare(n, a, '='); }
static Value *Flss(ptrdiff_t n, Value **a) { return compare(n, a, '<'); }
static Value *Fgtr(ptrdiff_t n, Value **a) { return compare(n, a, '>'); }
static Value *Fleq(ptrdiff_t n, Value **a) { return compare(n, a, 'l'); }
static Value *Fgeq(ptrdiff_t n, Value **a) { return compare(n, a, 'g'); }
static Value *Fneq(ptrdiff_t n, Value **a) { return compare(n, a, '!'); }

static Value *Fmax(ptrdiff_t nargs, Value **args) {
  Value *m = args[0];
  for (ptrdiff_t i = 0; i < nargs; i++) {
    CHECK_NUMBER(args[i]);
    if (num(args[i]) > num(m))
      m = args[i];
  }
  return m;
}
static Value *Fmin(ptrdiff_t nargs, Value **args) {
  Value *m = args[0];
  for (ptrdiff_t i = 0; i < nargs; i++) {
    CHECK_NUMBER(args[i]);
    if (num(args[i]) < num(m))
      m = args[i];
  }
  return m;
}
static Value *Fabs(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_NUMBER(args[0]);
  if (args[0]->type == V_FLOAT)
    return make_float(fabs(args[0]->u.f));
  return make_int(args[0]->u.i < 0 ? -args[0]->u.i : args[0]->u.i);
}
static Value *Feql(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  if (args[0]->type == V_FLOAT && args[1]->type == V_FLOAT)
    return BOOL(args[0]->u.f == args[1]->u.f);
  return BOOL(eq(args[0], args[1]));
}
static Value *logop(ptrdiff_t nargs, Value **args, int op) {
  intmax_t acc = op == '&' ? -1 : 0;
  for (ptrdiff_t i = 0; i < nargs; i++) {
    CHECK_INT(args[i]);
    acc = op == '&' ? acc & args[i]->u.i
          : op == '|' ? acc | args[i]->u.i
                      : acc ^ args[i]->u.i;
  }
  return make_int(acc);
}
static Value *Flogand(ptrdiff_t n, Value **a) { return logop(n, a, '&'); }
static Value *Flogior(ptrdiff_t n, Value **a) { return logop(n, a, '|'); }
static Value *Flogxor(ptrdiff_t n, Value **a) { return logop(n, a, '^'); }
static Value *Fash(ptrdiff_t nargs, Value **args) {
  intmax_t v, s;
  (void)nargs;
  CHECK_INT(args[0]);
  CHECK_INT(args[1]);
  v = args[0]->u.i;
  s = args[1]->u.i;
  if (s >= 63 || s <= -63)
    return make_int(s > 0 ? 0 : (v < 0 ? -1 : 0));
  return make_int(s >= 0 ? (intmax_t)((uintmax_t)v << s) : v >> -s);
}
static Value *Ffloat(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_NUMBER(args[0]);
  return make_float(num(args[0]));
}
static Value *Ftruncate(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  CHECK_NUMBER(args[0]);
  if (args[0]->type == V_INT)
    return args[0];
  if (!isfinite(args[0]->u.f) || fabs(args[0]->u.f) > 9e18)
    return xsignal(Qoverflow_error, cons(args[0], Qnil));
  return make_int((intmax_t)args[0]->u.f);
}

/* ------------------------------------------------------------------ */
/* Strings and sequences                                                */
/* ------------------------------------------------------------------ */

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
    return nth(s, (ptrdiff_t)i);
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
      snprintf(tmp, sizeof tmp, spec, num(a));
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

static Value *Fhost_print(ptrdiff_t nargs, Value **args) {
  for (ptrdiff_t i = 0; i < nargs; i++) {
    char *s = value_repr(args[i], !STRINGP(args[i]), 4000);
    fprintf(stderr, "%s%s", i ? " " : "", s);
    free(s);
  }
  fprintf(stderr, "\n");
  return Qnil;
}

/* (host-inject-error FN N): the Nth next call of builtin FN signals.  */
static Value *Fhost_inject_error(ptrdiff_t nargs, Value **args) {
  Value *f;
  (void)nargs;
  CHECK_SYMBOL(args[0]);
  CHECK_INT(args[1]);
  f = args[0]->u.sym.function;
  if (!f || f->type != V_BUILTIN || f->special)
    return wrong_type("subrp", args[0]);
  f->u.bi.inject = (int)args[1]->u.i;
  return Qt;
}

static int host_ptr_finalized;
static void host_ptr_finalizer(void *p) {
  (void)p;
  host_ptr_finalized++;
}

/* (host-make-user-ptr): a user pointer owned by the host (not by the
   module), for type checks of the module's functions.  */
static Value *Fhost_make_user_ptr(ptrdiff_t nargs, Value **args) {
  static char dummy[64];
  (void)nargs;
  (void)args;
  return make_user_ptr(host_ptr_finalizer, dummy);
}

static Value *Fhost_finalized_count(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int((intmax_t)gc_finalized);
}

static Value *Fhost_live_objects(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int((intmax_t)gc_live_objects);
}

static Value *Fhost_module_calls(ptrdiff_t nargs, Value **args) {
  (void)nargs;
  (void)args;
  return make_int(module_calls);
}

/* (host-function-arity F) => (MIN . MAX), MAX `many' when variadic.  */
static Value *Ffunc_arity(ptrdiff_t nargs, Value **args) {
  Value *f = indirect_function(args[0]);
  (void)nargs;
  if (!f)
    return xsignal(Qvoid_function, cons(args[0], Qnil));
  if (f->type == V_MODFUNC)
    return cons(make_int(f->u.mf.min),
                f->u.mf.max < 0 ? intern("many") : make_int(f->u.mf.max));
  if (f->type == V_BUILTIN && !f->special)
    return cons(make_int(f->u.bi.min),
                f->u.bi.max < 0 ? intern("many") : make_int(f->u.bi.max));
  return wrong_type("functionp", args[0]);
}

/* ------------------------------------------------------------------ */
/* Regular expressions (subset)                                         */
/* ------------------------------------------------------------------ */

/* Supported: literals, ., [...] and [^...] with ranges and [:digit:]
   [:space:] [:alpha:] [:alnum:], * + ? (greedy) and *? +? ??, ^ $ \` \',
   \( \) \| and \\X for a literal X.  Compiled to a small program run
   by a backtracking matcher.  */

enum { RI_CHAR, RI_ANY, RI_CLASS, RI_SPLIT, RI_JMP, RI_MATCH, RI_BOL, RI_EOL };

typedef struct {
  int op;
  int x, y;
  unsigned char set[32];
} RInst;

typedef struct {
  RInst *code;
  int n, cap;
  const char *re;
  int pos, len;
  int err;
} RProg;

static int remit(RProg *p, int op) {
  if (p->n == p->cap) {
    p->cap = p->cap ? p->cap * 2 : 32;
    p->code = xrealloc(p->code, (size_t)p->cap * sizeof *p->code);
  }
  memset(&p->code[p->n], 0, sizeof p->code[0]);
  p->code[p->n].op = op;
  return p->n++;
}

static void re_alt(RProg *p);

static void set_bit(unsigned char *set, int c) { set[c >> 3] |= 1 << (c & 7); }

static void re_class(RProg *p, int at) {
  int neg = 0, first = 1;
  unsigned char *set = p->code[at].set;
  if (p->pos < p->len && p->re[p->pos] == '^')
    neg = 1, p->pos++;
  while (p->pos < p->len && (first || p->re[p->pos] != ']')) {
    int c = (unsigned char)p->re[p->pos++];
    first = 0;
    if (c == '[' && p->pos < p->len && p->re[p->pos] == ':') {
      const char *end = strstr(p->re + p->pos, ":]");
      if (!end) {
        p->err = 1;
        return;
      }
      for (int k = 0; k < 256; k++) {
        const char *name = p->re + p->pos + 1;
        size_t nl = (size_t)(end - name);
        if ((nl == 5 && !strncmp(name, "digit", 5) && isdigit(k)) ||
            (nl == 5 && !strncmp(name, "space", 5) && isspace(k)) ||
            (nl == 5 && !strncmp(name, "alpha", 5) && isalpha(k)) ||
            (nl == 5 && !strncmp(name, "alnum", 5) && isalnum(k)))
          set_bit(set, k);
      }
      p->pos = (int)(end - p->re) + 2;
      continue;
    }
    if (p->pos + 1 < p->len && p->re[p->pos] == '-' &&
        p->re[p->pos + 1] != ']') {
      int hi = (unsigned char)p->re[p->pos + 1];
      p->pos += 2;
      for (int k = c; k <= hi; k++)
        set_bit(set, k);
    } else {
      set_bit(set, c);
    }
  }
  if (p->pos >= p->len) {
    p->err = 1;
    return;
  }
  p->pos++; /* ] */
  if (neg)
    for (int k = 0; k < 32; k++)
      set[k] = (unsigned char)~set[k];
}

/* Insert an instruction at AT, shifting later code and fixing jumps.  */
static void rinsert(RProg *p, int at, int op) {
  remit(p, RI_MATCH);
  memmove(&p->code[at + 1], &p->code[at],
          (size_t)(p->n - 1 - at) * sizeof p->code[0]);
  memset(&p->code[at], 0, sizeof p->code[0]);
  p->code[at].op = op;
  for (int i = at + 1; i < p->n; i++)
    if (p->code[i].op == RI_SPLIT || p->code[i].op == RI_JMP) {
      if (p->code[i].x > at)
        p->code[i].x++;
      if (p->code[i].y > at)
        p->code[i].y++;
    }
}

static void re_atom_and_repeat(RProg *p) {
  int start = p->n;
  char c = p->re[p->pos++];
  if (c == '.') {
    remit(p, RI_ANY);
  } else if (c == '[') {
    int at = remit(p, RI_CLASS);
    re_class(p, at);
  } else if (c == '^' && start == 0) {
    remit(p, RI_BOL);
    return;
  } else if (c == '$' && p->pos == p->len) {
    remit(p, RI_EOL);
    return;
  } else if (c == '\\' && p->pos < p->len) {
    char d = p->re[p->pos++];
    if (d == '(') {
      if (p->pos + 1 < p->len && p->re[p->pos] == '?' &&
          p->re[p->pos + 1] == ':')
        p->pos += 2;
      re_alt(p);
      if (p->pos + 1 < p->len && p->re[p->pos] == '\\' &&
          p->re[p->pos + 1] == ')')
        p->pos += 2;
      else
        p->err = 1;
    } else if (d == '`') {
      remit(p, RI_BOL);
      return;
    } else if (d == '\'') {
      remit(p, RI_EOL);
      return;
    } else {
      int at = remit(p, RI_CHAR);
      p->code[at].x = (unsigned char)d;
    }
  } else {
    int at = remit(p, RI_CHAR);
    p->code[at].x = (unsigned char)c;
  }
  if (p->pos < p->len && strchr("*+?", p->re[p->pos])) {
    char q = p->re[p->pos++];
    int lazy = p->pos < p->len && p->re[p->pos] == '?';
    if (lazy)
      p->pos++;
    if (q == '*') { /* L1: split L2, L3; L2: e; jmp L1; L3: */
      rinsert(p, start, RI_SPLIT);
      int j = remit(p, RI_JMP);
      p->code[j].x = start;
      p->code[start].x = lazy ? p->n : start + 1;
      p->code[start].y = lazy ? start + 1 : p->n;
    } else if (q == '+') { /* L1: e; split L1, L3 */
      int s = remit(p, RI_SPLIT);
      p->code[s].x = lazy ? s + 1 : start;
      p->code[s].y = lazy ? start : s + 1;
    } else { /* split L1, L2; L1: e; L2: */
      rinsert(p, start, RI_SPLIT);
      p->code[start].x = lazy ? p->n : start + 1;
      p->code[start].y = lazy ? start + 1 : p->n;
    }
  }
}

static void re_seq(RProg *p) {
  while (p->pos < p->len && !p->err) {
    if (p->re[p->pos] == '\\' && p->pos + 1 < p->len &&
        (p->re[p->pos + 1] == '|' || p->re[p->pos + 1] == ')'))
      return;
    re_atom_and_repeat(p);
  }
}

static void re_alt(RProg *p) {
  int start = p->n;
  re_seq(p);
  while (!p->err && p->pos + 1 < p->len && p->re[p->pos] == '\\' &&
         p->re[p->pos + 1] == '|') {
    int j;
    p->pos += 2;
    rinsert(p, start, RI_SPLIT);
    j = remit(p, RI_JMP);
    p->code[start].x = start + 1;
    p->code[start].y = p->n;
    re_seq(p);
    p->code[j].x = p->n;
  }
}

static int re_run(RProg *p, int pc, const unsigned char *s, ptrdiff_t i,
                  ptrdiff_t n, int depth) {
  if (depth > 10000)
    return -1;
  for (;;) {
    RInst *in = &p->code[pc];
    switch (in->op) {
    case RI_MATCH:
      return (int)i;
    case RI_CHAR:
      if (i >= n || s[i] != in->x)
        return -1;
      i++, pc++;
      break;
    case RI_ANY:
      if (i >= n || s[i] == '\n')
        return -1;
      i++;
      while (i < n && (s[i] & 0xC0) == 0x80)
        i++;
      pc++;
      break;
    case RI_CLASS:
      if (i >= n || !(in->set[s[i] >> 3] & (1 << (s[i] & 7))))
        return -1;
      i++, pc++;
      break;
    case RI_BOL:
      if (i != 0)
        return -1;
      pc++;
      break;
    case RI_EOL:
      if (i != n)
        return -1;
      pc++;
      break;
    case RI_JMP:
      pc = in->x;
      break;
    case RI_SPLIT: {
      int r = re_run(p, in->x, s, i, n, depth + 1);
      if (r >= 0)
        return r;
      pc = in->y;
      break;
    }
    }
  }
}

/* Match RE anchored at S; returns the match end, -1, or -2 (bad RE). */
int string_match(const char *re, const char *s, ptrdiff_t len) {
  RProg p = {NULL, 0, 0, re, 0, (int)strlen(re), 0};
  int r;
  re_alt(&p);
  if (p.pos != p.len)
    p.err = 1;
  remit(&p, RI_MATCH);
  if (p.err) {
    free(p.code);
    return -2;
  }
  r = re_run(&p, 0, (const unsigned char *)s, 0, len, 0);
  free(p.code);
  return r;
}

/* ------------------------------------------------------------------ */
/* Scripts                                                              */
/* ------------------------------------------------------------------ */

static char *slurp(const char *file, size_t *len) {
  FILE *f = fopen(file, "rb");
  char *buf = NULL;
  size_t n = 0, cap = 0, got;
  if (!f)
    return NULL;
  do {
    if (n + 65536 > cap) {
      cap = (n + 65536) * 2;
      buf = xrealloc(buf, cap);
    }
    got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
  } while (got > 0);
  fclose(f);
  buf[n] = 0;
  *len = n;
  return buf;
}

/* Run FILE's forms at top level.  Returns the number of new failures,
   or -1 when the file cannot be read.  */
int run_script(const char *file) {
  size_t len;
  char *text = slurp(file, &len);
  const char *saved_file = script_file;
  Value *saved_form = current_form;
  long failed_before = tests_failed;
  ptrdiff_t base;
  Value *forms;
  int err;
  if (!text)
    return -1;
  script_file = file;
  intern("load-file-name")->u.sym.value = make_cstring(file);
  forms = read_all(text, len, file, &err);
  free(text);
  if (err)
    tests_failed++;
  base = root_push(forms);
  for (Value *l = forms; CONSP(l); l = XCDR(l)) {
    Value *r;
    current_form = XCAR(l);
    r = eval(XCAR(l));
    if (!r) {
      if (!(host_exit.kind == EXIT_SIGNAL &&
            host_exit.sym == Qert_test_failed)) {
        Value *err2 = cons(host_exit.sym ? host_exit.sym : Qnil,
                           host_exit.data ? host_exit.data : Qnil);
        char *d = value_repr(err2, 1, 2000);
        fprintf(stderr, "FAIL %s:%d: uncaught %s: %s\n", file, l->u.cons.line,
                host_exit.kind == EXIT_THROW ? "throw" : "error", d);
        free(d);
        tests_failed++;
      }
      clear_exit();
    }
    if (eval_depth == 0)
      gc_maybe();
  }
  root_reset(base);
  current_form = saved_form;
  script_file = saved_file;
  return (int)(tests_failed - failed_before);
}

void lisp_init(void) {
  static const struct {
    const char *name;
    SpecialFn fn;
  } specials[] = {
      {"quote", sf_quote},
      {"function", sf_function},
      {"progn", sf_progn},
      {"prog1", sf_prog1},
      {"setq", sf_setq},
      {"setq-local", sf_setq},
      {"if", sf_if},
      {"when", sf_when},
      {"unless", sf_unless},
      {"cond", sf_cond},
      {"and", sf_and},
      {"or", sf_or},
      {"while", sf_while},
      {"let", sf_let},
      {"let*", sf_let_star},
      {"dotimes", sf_dotimes},
      {"dolist", sf_dolist},
      {"lambda", sf_lambda},
      {"defun", sf_defun},
      {"defvar", sf_defvar},
      {"defvar-local", sf_defvar},
      {"defconst", sf_defconst},
      {"push", sf_push},
      {"pop", sf_pop},
      {"incf", sf_incf},
      {"cl-incf", sf_incf},
      {"condition-case", sf_condition_case},
      {"catch", sf_catch},
      {"unwind-protect", sf_unwind_protect},
      {"ignore-errors", sf_ignore_errors},
      {"declare", sf_ignore},
      {"interactive", sf_ignore},
      {"should", sf_should},
      {"should-not", sf_should_not},
      {"should-equal", sf_should_equal},
      {"should-error", sf_should_error},
      {"skip-unless", sf_skip_unless},
      {"deftest", sf_deftest},
      {"ert-deftest", sf_deftest},
  };
  static const struct {
    const char *name;
    int min, max;
    BuiltinFn fn;
  } builtins[] = {
      {"cons", 2, 2, Fcons},
      {"car", 1, 1, Fcar},
      {"cdr", 1, 1, Fcdr},
      {"car-safe", 1, 1, Fcar_safe},
      {"cdr-safe", 1, 1, Fcdr_safe},
      {"cadr", 1, 1, Fcadr},
      {"caddr", 1, 1, Fcaddr},
      {"setcar", 2, 2, Fsetcar},
      {"setcdr", 2, 2, Fsetcdr},
      {"list", 0, -1, Flist},
      {"length", 1, 1, Flength},
      {"nth", 2, 2, Fnth},
      {"nthcdr", 2, 2, Fnthcdr},
      {"elt", 2, 2, Felt},
      {"aref", 2, 2, Faref},
      {"aset", 3, 3, Faset},
      {"append", 0, -1, Fappend},
      {"reverse", 1, 1, Freverse},
      {"nreverse", 1, 1, Freverse},
      {"memq", 2, 2, Fmemq},
      {"member", 2, 2, Fmember},
      {"assq", 2, 2, Fassq},
      {"assoc", 2, 2, Fassoc},
      {"plist-get", 2, 2, Fplist_get},
      {"plist-put", 3, 3, Fplist_put},
      {"last", 1, 1, Flast},
      {"number-sequence", 1, 2, Fnumber_sequence},
      {"make-list", 2, 2, Fmake_list},
      {"mapcar", 2, 2, Fmapcar},
      {"mapc", 2, 2, Fmapc},
      {"mapconcat", 2, 3, Fmapconcat},
      {"funcall", 1, -1, Ffuncall},
      {"apply", 1, -1, Fapply},
      {"eval", 1, 2, Feval},
      {"signal", 2, 2, Fsignal},
      {"throw", 2, 2, Fthrow},
      {"error", 1, -1, Ferror},
      {"user-error", 1, -1, Fuser_error},
      {"define-error", 2, 3, Fdefine_error},
      {"error-message-string", 1, 1, Ferror_message_string},
      {"eq", 2, 2, Feq},
      {"eql", 2, 2, Feql},
      {"equal", 2, 2, Fequal},
      {"not", 1, 1, Fnot},
      {"null", 1, 1, Fnot},
      {"identity", 1, 1, Fidentity},
      {"ignore", 0, -1, Fignore},
      {"integerp", 1, 1, Fintegerp},
      {"fixnump", 1, 1, Fintegerp},
      {"natnump", 1, 1, Fnatnump},
      {"floatp", 1, 1, Ffloatp},
      {"numberp", 1, 1, Fnumberp},
      {"stringp", 1, 1, Fstringp},
      {"symbolp", 1, 1, Fsymbolp},
      {"keywordp", 1, 1, Fkeywordp},
      {"consp", 1, 1, Fconsp},
      {"listp", 1, 1, Flistp},
      {"atom", 1, 1, Fatom},
      {"vectorp", 1, 1, Fvectorp},
      {"user-ptrp", 1, 1, Fuser_ptrp},
      {"module-function-p", 1, 1, Fmodule_function_p},
      {"bufferp", 1, 1, Fbufferp},
      {"zerop", 1, 1, Fzerop},
      {"functionp", 1, 1, Ffunctionp},
      {"commandp", 1, 2, Fcommandp},
      {"interactive-form", 1, 1, Finteractive_form},
      {"type-of", 1, 1, Ftype_of},
      {"intern", 1, 2, Fintern},
      {"make-symbol", 1, 1, Fmake_symbol},
      {"symbol-name", 1, 1, Fsymbol_name},
      {"symbol-value", 1, 1, Fsymbol_value},
      {"default-value", 1, 1, Fsymbol_value},
      {"set", 2, 2, Fset},
      {"set-default", 2, 2, Fset},
      {"boundp", 1, 1, Fboundp},
      {"fboundp", 1, 1, Ffboundp},
      {"makunbound", 1, 1, Fmakunbound},
      {"fmakunbound", 1, 1, Ffmakunbound},
      {"symbol-function", 1, 1, Fsymbol_function},
      {"indirect-function", 1, 2, Findirect_function},
      {"fset", 2, 2, Ffset},
      {"defalias", 2, 3, Fdefalias},
      {"get", 2, 2, Fget_},
      {"put", 3, 3, Fput_},
      {"symbol-plist", 1, 1, Fsymbol_plist},
      {"make-local-variable", 1, 1, Fmake_local_variable},
      {"make-variable-buffer-local", 1, 1, Fmake_local_variable},
      {"local-variable-p", 1, 2, Flocal_variable_p},
      {"provide", 1, 2, Fprovide},
      {"featurep", 1, 2, Ffeaturep},
      {"require", 1, 3, Frequire},
      {"module-load", 1, 1, Fmodule_load},
      {"load", 1, 5, Fload},
      {"garbage-collect", 0, 0, Fgarbage_collect},
      {"+", 0, -1, Fplus},
      {"-", 0, -1, Fminus},
      {"*", 0, -1, Ftimes},
      {"/", 1, -1, Fquo},
      {"%", 2, 2, Frem},
      {"mod", 2, 2, Fmod},
      {"1+", 1, 1, F1plus},
      {"1-", 1, 1, F1minus},
      {"=", 1, -1, Feqlsign},
      {"<", 1, -1, Flss},
      {">", 1, -1, Fgtr},
      {"<=", 1, -1, Fleq},
      {">=", 1, -1, Fgeq},
      {"/=", 2, 2, Fneq},
      {"max", 1, -1, Fmax},
      {"min", 1, -1, Fmin},
      {"abs", 1, 1, Fabs},
      {"logand", 0, -1, Flogand},
      {"logior", 0, -1, Flogior},
      {"logxor", 0, -1, Flogxor},
      {"ash", 2, 2, Fash},
      {"lsh", 2, 2, Fash},
      {"float", 1, 1, Ffloat},
      {"truncate", 1, 2, Ftruncate},
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
      {"func-arity", 1, 1, Ffunc_arity},
      {"host-print", 0, -1, Fhost_print},
      {"host-valid-utf8-p", 1, 1, Fhost_valid_utf8_p},
      {"host-count-matches", 2, 2, Fhost_count_matches},
      {"host-inject-error", 2, 2, Fhost_inject_error},
      {"host-finalized-count", 0, 0, Fhost_finalized_count},
      {"host-make-user-ptr", 0, 0, Fhost_make_user_ptr},
      {"host-live-objects", 0, 0, Fhost_live_objects},
      {"host-module-calls", 0, 0, Fhost_module_calls},
  };
  for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++)
    defspecial(specials[i].name, specials[i].fn);
  for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
    defbuiltin(builtins[i].name, builtins[i].min, builtins[i].max,
               builtins[i].fn);
  Qert_test_failed = intern("ert-test-failed");
  Qhost_skip = intern("host--skip");
  Qfeatures = intern("features");
  Qfeatures->u.sym.value = Qnil;
  intern("emacs-major-version")->u.sym.value = make_int(28);
  intern("most-positive-fixnum")->u.sym.value =
      make_int(((intmax_t)1 << 61) - 1);
  intern("most-negative-fixnum")->u.sym.value = make_int(-((intmax_t)1 << 61));
  intern("emacs-version")->u.sym.value = make_cstring("28.2");
  intern("host-messages")->u.sym.value = Qnil;
  intern("host-quit-flag")->u.sym.value = Qnil;
  intern("vterm-host")->u.sym.value = Qt; /* unbound in real Emacs */
#ifdef _WIN32
  intern("system-type")->u.sym.value = intern("windows-nt");
#else
  intern("system-type")->u.sym.value = intern("gnu/linux");
#endif
}
