/* print.c --- printing Lisp values in the module host

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

/* prin1 and value_repr: the printed representation of values, for
   failure messages, `format' and prin1-to-string.  */

#include "host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out(char **buf, size_t *len, size_t *cap, const char *s,
                size_t n) {
  if (*len + n + 1 > *cap) {
    *cap = (*len + n + 1) * 2;
    *buf = xrealloc(*buf, *cap);
  }
  memcpy(*buf + *len, s, n);
  *len += n;
  (*buf)[*len] = 0;
}

#define OUTS(s) out(buf, len, cap, (s), strlen(s))

static void print_string(Value *v, int escape, char **buf, size_t *len,
                         size_t *cap) {
  const unsigned char *s = (const unsigned char *)v->u.str.data;
  if (!escape) {
    out(buf, len, cap, v->u.str.data, (size_t)v->u.str.len);
    return;
  }
  OUTS("\"");
  for (ptrdiff_t i = 0; i < v->u.str.len; i++) {
    char tmp[8];
    unsigned c = s[i];
    if (c == '"' || c == '\\')
      snprintf(tmp, sizeof tmp, "\\%c", c);
    else if (c == '\n')
      snprintf(tmp, sizeof tmp, "\\n");
    else if (c == '\t')
      snprintf(tmp, sizeof tmp, "\\t");
    else if (c == 27)
      snprintf(tmp, sizeof tmp, "\\e");
    else if (c < 32 || c == 127 || (c >= 0x80 && !v->multibyte))
      snprintf(tmp, sizeof tmp, "\\%03o", c);
    else
      tmp[0] = (char)c, tmp[1] = 0;
    OUTS(tmp);
  }
  OUTS("\"");
}

void prin1(Value *v, int escape, char **buf, size_t *len, size_t *cap) {
  char tmp[64];
  switch (v->type) {
  case V_INT:
    snprintf(tmp, sizeof tmp, "%jd", v->u.i);
    OUTS(tmp);
    break;
  case V_FLOAT:
    snprintf(tmp, sizeof tmp, "%.17g", v->u.f);
    if (!strpbrk(tmp, ".en"))
      strcat(tmp, ".0");
    OUTS(tmp);
    break;
  case V_STRING:
    print_string(v, escape, buf, len, cap);
    break;
  case V_SYMBOL:
    OUTS(v->u.sym.name);
    break;
  case V_CONS:
    if (XCAR(v) == Qquote && CONSP(XCDR(v)) && NILP(XCDR(XCDR(v)))) {
      OUTS("'");
      prin1(XCAR(XCDR(v)), escape, buf, len, cap);
      break;
    }
    OUTS("(");
    for (size_t n = 0;; n++) {
      if (n > 10000 || *len > (1u << 22)) {
        OUTS("...");
        break;
      }
      prin1(XCAR(v), escape, buf, len, cap);
      v = XCDR(v);
      if (!CONSP(v)) {
        if (!NILP(v)) {
          OUTS(" . ");
          prin1(v, escape, buf, len, cap);
        }
        break;
      }
      OUTS(" ");
    }
    OUTS(")");
    break;
  case V_VECTOR:
    OUTS("[");
    for (ptrdiff_t i = 0; i < v->u.vec.size; i++) {
      if (i)
        OUTS(" ");
      prin1(v->u.vec.items[i], escape, buf, len, cap);
    }
    OUTS("]");
    break;
  case V_USER_PTR:
    snprintf(tmp, sizeof tmp, "#<user-ptr ptr=%p>", v->u.uptr.ptr);
    OUTS(tmp);
    break;
  case V_MODFUNC:
    OUTS("#<module function>");
    break;
  case V_BUILTIN:
    OUTS(v->special ? "#<special-form " : "#<subr ");
    OUTS(v->u.bi.name);
    OUTS(">");
    break;
  case V_BUFFER:
    OUTS("#<buffer>");
    break;
  }
}

char *value_repr(Value *v, int escape, size_t max) {
  char *buf = NULL;
  size_t len = 0, cap = 0;
  out(&buf, &len, &cap, "", 0);
  prin1(v, escape, &buf, &len, &cap);
  if (max && len > max) {
    char tail[64];
    snprintf(tail, sizeof tail, "...[%lu chars]", (unsigned long)len);
    buf[max] = 0;
    len = max;
    out(&buf, &len, &cap, tail, strlen(tail));
  }
  return buf;
}
