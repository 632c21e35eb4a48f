/* osc.c - OSC handlers and the events queue (see osc.h).
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
#include "osc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elisp.h"
#include "link.h"
#include "screen.h"

static char *copy_bytes(const char *p, size_t n) {
  char *s = malloc(n + 1);
  if (s) {
    memcpy(s, p, n);
    s[n] = '\0';
  }
  return s;
}

/* ---- Handlers (inside libvterm writes: no Emacs) ------------------------- */

static void osc_title(Term *t, const char *payload, size_t len) {
  char *title = copy_bytes(payload, len);
  if (!title)
    return;
  free(t->title);
  t->title = title;
  t->title_len = len;
  t->dirty = true;
}

/* OSC 51;A: the directory of the prompt just printed.  Rows from the cursor
 * down get it; the cursor row remembers where the prompt ended, unless
 * MARK_PROMPT is false (OSC 7, sent before the prompt). */
static void osc_directory(Term *t, const char *path, size_t len,
                          bool mark_prompt) {
  if (len == 0)
    return; /* an empty directory is ignored (upstream quirk Q6) */
  VTermPos pos;
  vterm_state_get_cursorpos(t->state, &pos);
  const char *d = talloc_string(&t->alloc, path, len);
  char *raw = copy_bytes(path, len);
  if (!d || !raw) {
    talloc_string_unref(&t->alloc, d);
    free(raw);
    return;
  }
  for (int r = pos.row; r >= 0 && r < t->rows; r++) {
    talloc_string_unref(&t->alloc, t->row_info[r].dir);
    t->row_info[r].dir = talloc_string_ref(&t->alloc, d);
  }
  if (mark_prompt && pos.row >= 0 && pos.row < t->rows) {
    t->row_info[pos.row].prompt_col = pos.col;
    t->row_info[pos.row].has_status = false;
    t->prompt_serial++;
  }
  talloc_string_unref(&t->alloc, d);
  free(t->directory);
  t->directory = raw;
  t->directory_len = len;
  screen_invalidate_rows(t, pos.row, pos.row + 1);
}

static void osc_eval(Term *t, const char *code, size_t len) {
  if (t->eval_count >= TERM_EVAL_LIMIT) {
    t->dropped_evals++;
    t->dirty = true;
    return;
  }
  int8_t origin;
  EvalNode *n = talloc_record(&t->alloc, sizeof *n, &origin);
  const char *text = n ? talloc_string(&t->alloc, code, len) : NULL;
  if (!text) {
    talloc_record_free(&t->alloc, n, n ? origin : ALLOC_MALLOC);
    return;
  }
  n->next = NULL;
  n->code = text;
  n->origin = origin;
  if (t->eval_tail)
    t->eval_tail->next = n;
  else
    t->eval_head = n;
  t->eval_tail = n;
  t->eval_count++;
  t->dirty = true;
}

static int base64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

/* Decodes base64 IN into OUT (room for LEN bytes); stops at '=' or at a
 * character outside the alphabet.  Returns the decoded length. */
static size_t base64_decode(const char *in, size_t len, char *out) {
  uint32_t acc = 0;
  int bits = 0;
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    int v = base64_value((unsigned char)in[i]);
    if (v < 0)
      break;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (char)((acc >> bits) & 0xFF);
    }
  }
  return n;
}

/* OSC 52;TARGETS;BASE64: set a selection (queries "?" are ignored). */
static void osc_selection(Term *t, const char *payload, size_t len) {
  const char *semi = memchr(payload, ';', len);
  if (!semi)
    return;
  size_t ntargets = (size_t)(semi - payload);
  const char *data = semi + 1;
  size_t ndata = len - ntargets - 1;
  if (ndata == 1 && data[0] == '?')
    return;
  int mask = 0;
  for (size_t i = 0; i < ntargets; i++) {
    char c = payload[i];
    if (c == 'c')
      mask |= 1;
    else if (c == 'p')
      mask |= 2;
    else if (c == 'q')
      mask |= 4;
    else if (c == 's')
      mask |= 8;
    else if (c >= '0' && c <= '7')
      mask |= 16 << (c - '0');
  }
  if (ntargets == 0)
    mask = 8 | 16; /* "s0", as xterm and libvterm read an empty list */
  char *decoded = malloc(ndata + 1);
  if (!decoded)
    return;
  size_t n = base64_decode(data, ndata, decoded);
  free(t->selection);
  t->selection = decoded;
  t->selection_len = n;
  t->selection_mask = mask;
  t->dirty = true;
}

/* ---- Shell and colour protocols (OSC 7, 133, 4/10/11, 9, 777) ----------- */

enum { PROTO_COMMAND_DONE, PROTO_NOTIFY };

/* Bounds of what reaches Lisp: a notification's title and body (longer
 * ones are cut at a character boundary and end in "..."), a colour spec,
 * an OSC 7 URI and its host. */
#define NOTIFY_TITLE_MAX 256
#define NOTIFY_BODY_MAX 2048
#define COLOR_SPEC_MAX 64
#define CWD_URI_MAX 4096
#define CWD_HOST_MAX 255

/* Queues an event whose strings A and B are copied with it (either may be
 * NULL).  Over TERM_PROTO_LIMIT, the event is counted and dropped. */
static ProtoEvent *proto_queue(Term *t, int kind, const char *a, size_t a_len,
                               const char *b, size_t b_len) {
  if (t->proto_count >= TERM_PROTO_LIMIT) {
    t->dropped_proto++;
    t->dirty = true;
    return NULL;
  }
  ProtoEvent *e = malloc(sizeof *e + a_len + b_len + 2);
  if (!e)
    return NULL;
  char *text = (char *)(e + 1);
  memset(e, 0, sizeof *e);
  e->kind = kind;
  e->a = text;
  e->a_len = a_len;
  if (a_len)
    memcpy(text, a, a_len);
  text[a_len] = '\0';
  e->b = text + a_len + 1;
  e->b_len = b_len;
  if (b_len)
    memcpy(text + a_len + 1, b, b_len);
  text[a_len + 1 + b_len] = '\0';
  if (t->proto_tail)
    t->proto_tail->next = e;
  else
    t->proto_head = e;
  t->proto_tail = e;
  t->proto_count++;
  t->dirty = true;
  return e;
}

static int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Percent-decodes IN into OUT (room for LEN bytes).  Returns the length, or
 * -1 for a bad escape or a control character (a NUL among them). */
static ptrdiff_t percent_decode(const char *in, size_t len, char *out) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)in[i];
    if (c == '%') {
      int hi = i + 2 < len ? hex_value((unsigned char)in[i + 1]) : -1;
      int lo = i + 2 < len ? hex_value((unsigned char)in[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        return -1;
      c = (unsigned char)(hi * 16 + lo);
      i += 2;
    }
    if (c < 0x20 || c == 0x7F)
      return -1;
    out[n++] = (char)c;
  }
  return (ptrdiff_t)n;
}

static bool host_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

/* OSC 7 ; file://HOST/PATH: the directory, as "@HOST:PATH" (see osc.h).
 * Anything else (another scheme, a user or port in the authority, a bad
 * escape, a control character, a relative or huge path) is ignored. */
static void osc_cwd(Term *t, const char *uri, size_t len) {
  static const char scheme[] = "file://";
  size_t skip = sizeof scheme - 1;
  if (len > CWD_URI_MAX) { /* longer than any path: reported as dropped */
    osc_dropped(t, "OSC", 7, len);
    return;
  }
  if (len <= skip || memcmp(uri, scheme, skip) != 0)
    return;
  const char *host = uri + skip;
  const char *path = memchr(host, '/', len - skip);
  if (!path)
    return;
  size_t host_len = (size_t)(path - host);
  if (host_len > CWD_HOST_MAX)
    return;
  for (size_t i = 0; i < host_len; i++)
    if (!host_char((unsigned char)host[i]))
      return;
  size_t path_len = len - skip - host_len;
  char *out = malloc(host_len + path_len + 2);
  if (!out)
    return;
  out[0] = '@';
  memcpy(out + 1, host, host_len);
  out[1 + host_len] = ':';
  ptrdiff_t n = percent_decode(path, path_len, out + host_len + 2);
  if (n > 0)
    osc_directory(t, out, host_len + 2 + (size_t)n, false);
  free(out);
}

/* Reads a decimal exit status from P (LEN bytes, up to ';' or the end):
 * an optional '-' and at most 9 digits.  Returns false otherwise. */
static bool parse_status(const char *p, size_t len, long *status) {
  size_t i = 0;
  bool minus = len > 0 && p[0] == '-';
  long v = 0;
  if (minus)
    i++;
  size_t start = i;
  for (; i < len && p[i] != ';'; i++) {
    if (p[i] < '0' || p[i] > '9' || i - start >= 9)
      return false;
    v = v * 10 + (p[i] - '0');
  }
  if (i == start)
    return false;
  *status = minus ? -v : v;
  return true;
}

/* Forgets the prompt marks of the rows from the cursor down (from the next
 * row if INPUT_ROW and the cursor is not at the start of its row: a shell
 * may send C at the end of the command line): no prompt ends there before
 * the next B.  (A row keeps its row info when it is erased, so a screen
 * cleared by `clear' would otherwise keep the marks of its prompts.) */
static void semantic_unmark_below(Term *t, bool input_row) {
  VTermPos pos;
  vterm_state_get_cursorpos(t->state, &pos);
  int from = input_row && pos.col > 0 ? pos.row + 1 : pos.row;
  for (int r = from < 0 ? 0 : from; r < t->rows; r++)
    if (t->row_info[r].prompt_col >= 0) {
      t->row_info[r].prompt_col = -1;
      t->row_info[r].has_status = false;
      screen_invalidate_rows(t, r, r + 1);
    }
}

/* Records STATUS on the row of the last prompt, the nearest marked row at
 * or above the cursor, so every redraw of that row shows it.  A prompt
 * already pushed to scrollback is left to vterm.el. */
static void semantic_record_status(Term *t, int status) {
  VTermPos pos;
  vterm_state_get_cursorpos(t->state, &pos);
  for (int r = pos.row < t->rows ? pos.row : t->rows - 1; r >= 0; r--)
    if (t->row_info[r].prompt_col >= 0) {
      t->row_info[r].has_status = true;
      t->row_info[r].status = status;
      screen_invalidate_rows(t, r, r + 1);
      return;
    }
}

/* OSC 133 ; A|B|C|D[;STATUS] [;key=value ...].  A (prompt start) and C
 * (output start) unmark the rows from the cursor down; B marks where the
 * prompt ended, as 51;A does; D reports the command's end. */
static void osc_semantic(Term *t, const char *p, size_t len) {
  if (len == 0 || (len > 1 && p[1] != ';'))
    return; /* no letter, or letters run on: malformed */
  if (p[0] == 'A' || p[0] == 'C') {
    semantic_unmark_below(t, p[0] == 'C');
  } else if (p[0] == 'B') {
    VTermPos pos;
    vterm_state_get_cursorpos(t->state, &pos);
    if (pos.row >= 0 && pos.row < t->rows) {
      t->row_info[pos.row].prompt_col = pos.col;
      t->row_info[pos.row].has_status = false;
      t->prompt_serial++;
      screen_invalidate_rows(t, pos.row, pos.row + 1);
    }
  } else if (p[0] == 'D') {
    long status = 0;
    bool known = len > 2 && parse_status(p + 2, len - 2, &status);
    if (known)
      semantic_record_status(t, (int)status);
    ProtoEvent *e = proto_queue(t, PROTO_COMMAND_DONE, NULL, 0, NULL, 0);
    if (e) {
      e->value = status;
      e->has_value = known;
      e->serial = t->prompt_serial;
    }
  }
}

/* Copies text for a notification into OUT (room for MAX + 3 bytes):
 * TAB, LF and CR become spaces, other C0 and C1 controls and DEL go, and
 * text beyond MAX bytes is cut at a character boundary and ends in "...".
 * Invalid UTF-8 is left for elisp_string to replace. */
static size_t notify_clean(const char *in, size_t len, char *out, size_t max) {
  size_t n = 0;
  bool cut = false;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)in[i];
    if (c == 0xC2 && i + 1 < len && (unsigned char)in[i + 1] >= 0x80 &&
        (unsigned char)in[i + 1] <= 0x9F) {
      i++; /* a C1 control in UTF-8 */
      continue;
    }
    if (c == '\t' || c == '\n' || c == '\r')
      c = ' ';
    else if (c < 0x20 || c == 0x7F)
      continue;
    if (n >= max) {
      cut = true;
      break;
    }
    out[n++] = (char)c;
  }
  if (cut) {
    while (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
      n--; /* back to the start of the last character... */
    if (n > 0 && (unsigned char)out[n - 1] >= 0xC0)
      n--; /* ...and drop it: it may be incomplete */
    memcpy(out + n, "...", 3);
    n += 3;
  }
  return n;
}

static void notify_queue(Term *t, const char *title, size_t title_len,
                         const char *body, size_t body_len) {
  char *a = malloc(NOTIFY_TITLE_MAX + 3);
  char *b = malloc(NOTIFY_BODY_MAX + 3);
  if (a && b) {
    size_t na = notify_clean(title, title_len, a, NOTIFY_TITLE_MAX);
    size_t nb = notify_clean(body, body_len, b, NOTIFY_BODY_MAX);
    proto_queue(t, PROTO_NOTIFY, a, na, b, nb);
  }
  free(a);
  free(b);
}

/* OSC 9 ; TEXT: a notification without title.  OSC 9 ; N ; ... with a
 * number N is ConEmu's (4 is progress): not a notification. */
static void osc_notify9(Term *t, const char *p, size_t len) {
  size_t i = 0;
  while (i < len && p[i] >= '0' && p[i] <= '9')
    i++;
  if (i > 0 && (i == len || p[i] == ';'))
    return;
  notify_queue(t, "", 0, p, len);
}

/* OSC 777 ; notify ; TITLE ; BODY (BODY may hold more ';'). */
static void osc_notify777(Term *t, const char *p, size_t len) {
  static const char verb[] = "notify;";
  size_t skip = sizeof verb - 1;
  if (len < skip || memcmp(p, verb, skip) != 0)
    return;
  const char *title = p + skip;
  size_t rest = len - skip;
  const char *semi = memchr(title, ';', rest);
  size_t title_len = semi ? (size_t)(semi - title) : rest;
  const char *body = semi ? semi + 1 : title + rest;
  size_t body_len = semi ? rest - title_len - 1 : 0;
  notify_queue(t, title, title_len, body, body_len);
}

/* A colour query or set, handled in stream order at the end of the write
 * (osc_answer_colors): a query's answer goes at OFFSET in Term.output. */
typedef struct {
  size_t offset;
  int index;                     /* -1 fg, -2 bg, 0..255 palette */
  bool bel;                      /* the query ended in BEL (else ST) */
  char spec[COLOR_SPEC_MAX + 1]; /* a set: the colour; a query: "" */
} ColorRequest;

static void color_request(Term *t, int index, const char *spec, size_t len) {
  if (t->color_queries.len / sizeof(ColorRequest) >= TERM_COLOR_QUERY_LIMIT) {
    t->dropped_proto++;
    t->dirty = true;
    return;
  }
  ColorRequest r;
  memset(&r, 0, sizeof r);
  r.offset = t->output.len;
  r.index = index;
  r.bel = t->guard.str_bel != 0;
  memcpy(r.spec, spec, len);
  buf_append(&t->color_queries, &r, sizeof r);
}

static void color_query(Term *t, int index) {
  if (!(t->osc_disabled & OSC_OFF_COLOR_QUERY))
    color_request(t, index, "", 0);
}

/* A colour spec for vterm--set-color: printable ASCII, bounded. */
static void color_set(Term *t, int index, const char *spec, size_t len) {
  if (!t->osc_allow_set || len == 0 || len > COLOR_SPEC_MAX)
    return;
  for (size_t i = 0; i < len; i++)
    if (spec[i] <= 0x20 || spec[i] >= 0x7F)
      return;
  color_request(t, index, spec, len);
}

/* Reads a palette index (0..255) from P (LEN bytes); -1 if it is none. */
static int parse_index(const char *p, size_t len) {
  int v = 0;
  if (len == 0 || len > 3)
    return -1;
  for (size_t i = 0; i < len; i++) {
    if (p[i] < '0' || p[i] > '9')
      return -1;
    v = v * 10 + (p[i] - '0');
  }
  return v <= 255 ? v : -1;
}

/* OSC 10 ; SPEC [; SPEC], OSC 11 ; SPEC, OSC 4 ; N ; SPEC [; N ; SPEC ...].
 * SPEC "?" is a query; anything else sets the colour.  xterm moves on to
 * the next dynamic colour for each further SPEC of OSC 10/11: only 10
 * and 11 are known here, the rest are ignored. */
static void osc_colors(Term *t, long command, const char *p, size_t len) {
  int dynamic = command == 10 ? -1 : -2; /* 4: unused */
  int index = -1;
  size_t pairs = 0;
  const char *end = p + len;
  for (const char *item = p; item <= end && pairs < 512;) {
    const char *semi = memchr(item, ';', (size_t)(end - item));
    size_t n = semi ? (size_t)(semi - item) : (size_t)(end - item);
    if (command == 4 && index < 0) {
      index = parse_index(item, n);
      if (index < 0)
        return; /* a malformed pair ends the list */
    } else {
      int target = command == 4 ? index : dynamic;
      if (n == 1 && item[0] == '?')
        color_query(t, target);
      else
        color_set(t, target, item, n);
      index = -1;
      if (command != 4 && --dynamic < -2)
        return;
      pairs++;
    }
    if (!semi)
      break;
    item = semi + 1;
  }
}

void osc_sink(void *user, long command, const char *payload, size_t len) {
  Term *t = user;
  switch (command) {
  case 0: /* icon name and title */
  case 2: /* title */
    osc_title(t, payload, len);
    break;
  case 51: /* vterm's own protocol: A directory + prompt, E eval */
    if (len >= 1 && payload[0] == 'A')
      osc_directory(t, payload + 1, len - 1, true);
    else if (len >= 1 && payload[0] == 'E')
      osc_eval(t, payload + 1, len - 1);
    break;
  case 52: /* selection */
    osc_selection(t, payload, len);
    break;
  case 4:  /* palette colour: query or set */
  case 10: /* default foreground */
  case 11: /* default background */
    osc_colors(t, command, payload, len);
    break;
  case 7: /* file://HOST/PATH: the working directory */
    if (!(t->osc_disabled & OSC_OFF_DIRECTORY))
      osc_cwd(t, payload, len);
    break;
  case 9: /* iTerm2 notification (ConEmu's 9;N;... ignored) */
    if (!(t->osc_disabled & OSC_OFF_NOTIFY))
      osc_notify9(t, payload, len);
    break;
  case 133: /* semantic prompts */
    if (!(t->osc_disabled & OSC_OFF_PROMPTS))
      osc_semantic(t, payload, len);
    break;
  case 777: /* rxvt/VTE: notify;TITLE;BODY */
    if (!(t->osc_disabled & OSC_OFF_NOTIFY))
      osc_notify777(t, payload, len);
    break;
  case 8: /* hyperlink: starts or ends the active link (link.c) */
    link_osc(t, payload, len);
    break;
  default: /* OSC 1 (icon), ...: ignored */
    break;
  }
}

void osc_dropped(void *user, const char *kind, long command, size_t len) {
  Term *t = user;
  (void)kind;
  if (command == 8) /* an OSC 8 too big to read still ends the link */
    t->links.active = 0;
  t->dropped_sequences++;
  t->dropped_bytes += len;
  t->dirty = true;
}

/* ---- The events queue ---------------------------------------------------- */

static void eval_free(Term *t, EvalNode *n) {
  talloc_string_unref(&t->alloc, n->code);
  talloc_record_free(&t->alloc, n, n->origin);
}

static void proto_free_all(Term *t) {
  while (t->proto_head) {
    ProtoEvent *e = t->proto_head;
    t->proto_head = e->next;
    free(e);
  }
  t->proto_tail = NULL;
  t->proto_count = 0;
}

void osc_free_events(Term *t) {
  proto_free_all(t);
  buf_free(&t->color_queries);
  free(t->title);
  t->title = NULL;
  free(t->directory);
  t->directory = NULL;
  free(t->selection);
  t->selection = NULL;
  while (t->eval_head) {
    EvalNode *n = t->eval_head;
    t->eval_head = n->next;
    eval_free(t, n);
  }
  t->eval_tail = NULL;
  t->eval_count = 0;
}

/* Calls FN with the string TEXT (LEN bytes). */
static void deliver_string(emacs_env *env, emacs_value fn, const char *text,
                           size_t len) {
  emacs_value s = elisp_string(env, text, len);
  if (s && !elisp_failed(env))
    env->funcall(env, fn, 1, &s);
}

static void report_drops(Term *t, emacs_env *env) {
  char msg[200];
  if (t->dropped_sequences > 0) {
    snprintf(msg, sizeof msg,
             "vterm: ignored %lu oversized escape sequence(s) (%lu bytes)",
             (unsigned long)t->dropped_sequences,
             (unsigned long)t->dropped_bytes);
    elisp_message(env, msg);
    t->dropped_sequences = t->dropped_bytes = 0;
  }
  if (t->dropped_proto > 0) {
    snprintf(msg, sizeof msg,
             "vterm: ignored %lu notification, command or colour "
             "sequence(s) over the limit of %d",
             (unsigned long)t->dropped_proto, TERM_PROTO_LIMIT);
    elisp_message(env, msg);
    t->dropped_proto = 0;
  }
  if (t->dropped_evals > 0) {
    snprintf(msg, sizeof msg,
             "vterm: ignored %lu OSC 51;E command(s) over the limit of %d per "
             "redraw",
             (unsigned long)t->dropped_evals, TERM_EVAL_LIMIT);
    elisp_message(env, msg);
    t->dropped_evals = 0;
  }
}

/* Calls the Lisp function for event E (see osc.h). */
static void proto_deliver(Term *t, emacs_env *env, const ProtoEvent *e) {
  emacs_value args[2];
  emacs_value fn;
  if (e->kind == PROTO_COMMAND_DONE) {
    fn = Fvterm_command_finished;
    args[0] = e->has_value ? elisp_integer(env, e->value) : Qnil;
    args[1] = elisp_integer(env, (intmax_t)(t->prompt_serial - e->serial));
  } else {
    fn = Fvterm_notify;
    args[0] = elisp_string(env, e->a, e->a_len);
    args[1] = args[0] ? elisp_string(env, e->b, e->b_len) : NULL;
  }
  if (args[0] && args[1] && !elisp_failed(env))
    env->funcall(env, fn, 2, args);
}

/* Each event is detached first, so Lisp may re-enter safely. */
void osc_deliver(Term *t, emacs_env *env) {
  char *title = t->title, *dir = t->directory, *sel = t->selection;
  size_t title_len = t->title_len, dir_len = t->directory_len;
  size_t sel_len = t->selection_len;
  int sel_mask = t->selection_mask;
  EvalNode *evals = t->eval_head;
  ProtoEvent *protos = t->proto_head;
  t->proto_head = t->proto_tail = NULL;
  t->proto_count = 0;
  t->title = t->directory = t->selection = NULL;
  t->eval_head = t->eval_tail = NULL;
  t->eval_count = 0;
  report_drops(t, env);
  if (title && !elisp_failed(env))
    deliver_string(env, Fvterm_set_title, title, title_len);
  if (dir && !elisp_failed(env))
    deliver_string(env, Fvterm_set_directory, dir, dir_len);
  while (evals) {
    EvalNode *n = evals;
    evals = n->next;
    if (!elisp_failed(env))
      deliver_string(env, Fvterm_eval, n->code,
                     talloc_string_len(&t->alloc, n->code));
    eval_free(t, n);
  }
  if (sel && !elisp_failed(env)) {
    emacs_value args[2] = {elisp_integer(env, sel_mask),
                           elisp_string(env, sel, sel_len)};
    if (args[1] && !elisp_failed(env))
      env->funcall(env, Fvterm_set_selection, 2, args);
  }
  while (protos) {
    ProtoEvent *e = protos;
    protos = e->next;
    if (!elisp_failed(env))
      proto_deliver(t, env, e);
    free(e);
  }
  free(title);
  free(dir);
  free(sel);
}

/* ---- Colour replies --------------------------------------------------------
 */

/* Whether S is "rgb:RRRR/GGGG/BBBB" (lower- or upper-case hex). */
static bool rgb_valid(const char *s) {
  if (strncmp(s, "rgb:", 4) != 0 || strlen(s) != 18)
    return false;
  for (int i = 4; i < 18; i++)
    if ((i == 8 || i == 13) ? s[i] != '/' : hex_value((unsigned char)s[i]) < 0)
      return false;
  return true;
}

/* The colour INDEX as "rgb:RRRR/GGGG/BBBB" in OUT (19 bytes): 16..255
 * from libvterm's palette, the rest from vterm--query-color.  Returns
 * false for no answer (Lisp said nil, gave something else, or failed). */
static bool color_lookup(Term *t, emacs_env *env, int index, char *out) {
  if (index >= 16) {
    VTermColor c;
    vterm_state_get_palette_color(t->state, index, &c);
    vterm_screen_convert_color_to_rgb(t->screen, &c);
    snprintf(out, 19, "rgb:%04x/%04x/%04x", c.rgb.red * 257u,
             c.rgb.green * 257u, c.rgb.blue * 257u);
    return true;
  }
  emacs_value arg = elisp_integer(env, index);
  emacs_value v = env->funcall(env, Fvterm_query_color, 1, &arg);
  if (elisp_failed(env) || !env->is_not_nil(env, v))
    return false;
  ptrdiff_t size = 0;
  if (!env->copy_string_contents(env, v, NULL, &size) || size != 19)
    return false; /* not a string (signalled), or not the expected form */
  return env->copy_string_contents(env, v, out, &size) && rgb_valid(out);
}

/* Inserts LEN bytes at OFFSET (at most the end) of Term.output.  Returns
 * false if they did not fit (counted as dropped). */
static bool output_insert(Term *t, size_t offset, const char *bytes,
                          size_t len) {
  Buf *o = &t->output;
  if (o->len + len > (size_t)TERM_OUTPUT_LIMIT || !buf_reserve(o, len)) {
    t->output_dropped += len;
    return false;
  }
  if (offset > o->len)
    offset = o->len;
  memmove(o->data + offset + len, o->data + offset, o->len - offset);
  memcpy(o->data + offset, bytes, len);
  o->len += len;
  return true;
}

/* Calls vterm--set-color for R. */
static void color_apply_set(emacs_env *env, const ColorRequest *r) {
  emacs_value args[2] = {elisp_integer(env, r->index),
                         elisp_string(env, r->spec, strlen(r->spec))};
  if (args[1] && !elisp_failed(env))
    env->funcall(env, Fvterm_set_color, 2, args);
}

void osc_answer_colors(Term *t, emacs_env *env) {
  if (t->color_queries.len == 0)
    return;
  Buf requests = t->color_queries; /* detached: Lisp may feed again */
  memset(&t->color_queries, 0, sizeof t->color_queries);
  size_t n = requests.len / sizeof(ColorRequest);
  size_t shift = 0; /* bytes of replies inserted so far */
  for (size_t i = 0; i < n && !elisp_failed(env); i++) {
    ColorRequest r;
    memcpy(&r, requests.data + i * sizeof r, sizeof r);
    if (r.spec[0]) {
      color_apply_set(env, &r);
      continue;
    }
    char rgb[19], reply[48];
    if (!color_lookup(t, env, r.index, rgb))
      continue;
    int len;
    if (r.index >= 0)
      len = snprintf(reply, sizeof reply, "\x1b]4;%d;%s%s", r.index, rgb,
                     r.bel ? "\a" : "\x1b\\");
    else
      len = snprintf(reply, sizeof reply, "\x1b]%d;%s%s",
                     r.index == -1 ? 10 : 11, rgb, r.bel ? "\a" : "\x1b\\");
    if (len > 0 && (size_t)len < sizeof reply &&
        output_insert(t, r.offset + shift, reply, (size_t)len))
      shift += (size_t)len;
  }
  buf_free(&requests);
}
