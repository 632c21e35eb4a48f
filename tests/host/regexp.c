/* regexp.c --- the regular expressions of the module host

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

#include "lisp.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

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
