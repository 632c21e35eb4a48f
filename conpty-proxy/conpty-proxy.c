/* conpty-proxy.c -- run a shell in a Windows pseudo console for Emacs vterm.
 *
 * Copyright (C) 2026 The emacs-libvterm-win contributors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <https://www.gnu.org/licenses/>.
 */

/* The proxy loop: parse arguments, set up the job, the pseudo console and
 * two pump threads, wait for the shell, then shut down in the documented
 * order.  The protocol (stdin frames, stdout status frames, exit codes) is
 * described in doc/windows-proxy.md; keep the two in step. */

#include "conpty.h"
#include "frame.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define PROXY_VERSION "1.0"

/* Exit codes of the proxy itself (doc/windows-proxy.md, "Exit codes").
 * Anything else is the shell's own exit code. */
enum {
  PROXY_EXIT_USAGE = 64,       /* bad arguments (sysexits EX_USAGE) */
  PROXY_EXIT_NO_CONPTY = 69,   /* no ConPTY: Windows before 10 1809 */
  PROXY_EXIT_SYSTEM = 71,      /* a Win32 call failed during setup */
  PROXY_EXIT_PIPE = 74,        /* a pipe broke under a running shell */
  PROXY_EXIT_CANNOT_RUN = 126, /* the shell exists but did not start */
  PROXY_EXIT_NOT_FOUND = 127,  /* the shell was not found */
  PROXY_EXIT_HANGUP = 129,     /* stdin closed: the shell was terminated */
};

/* Exit code of the Wine shim when it cannot start the command: this plus
 * the Win32 error (a customer code, bit 29, that no shell returns), so that
 * the proxy can report it as it reports its own failure to start it. */
#define SHIM_FAILED 0xE5A10000u

/* Shutdown bounds, in milliseconds.  Generous: they only matter when the
 * console host misbehaves. */
enum {
  SETTLE_IDLE_MS = 100,  /* output quiet this long after the shell exits */
  SETTLE_MAX_MS = 1000,  /* ... but wait no longer than this */
  CLOSE_WAIT_MS = 5000,  /* for ClosePseudoConsole and output EOF */
  CHILD_WAIT_MS = 5000,  /* for the shell after TerminateJobObject */
  ORPHAN_WAIT_MS = 1000, /* for the shell after the console went away */
};

#define IO_BUFFER_SIZE 65536

/* Results of the pump threads (their thread exit codes). */
enum { PUMP_EOF = 1, PUMP_BROKEN = 2 };

typedef struct Options {
  int cols, rows;
  int hex;            /* --hex: values are hex-encoded UTF-8 */
  int wine_shim;      /* --wine-shim (test only) */
  wchar_t *cwd;       /* --cwd (made usable by shell_cwd), or NULL */
  wchar_t *input_log; /* --input-log (test only), or NULL */
  wchar_t *cmdline;   /* --cmdline, or NULL */
  wchar_t **argv;     /* words after --, or NULL */
  int argc;
  wchar_t **env; /* --env NAME=VALUE / NAME, in order */
  int nenv;
} Options;

typedef struct Proxy {
  CpConsole con;
  CpChild child;
  HANDLE job; /* NULL when the system refused us one (a warning says so) */
  const wchar_t *shell_name; /* the command, for messages */
  int wine_shim;             /* the shell runs through the Wine shim */
  HANDLE std_in;
  HANDLE input_log; /* test hook: decoded input goes here */
  HANDLE in_thread, out_thread;
  DWORD in_error;            /* Win32 error that ended pump_input */
  volatile LONG last_output; /* GetTickCount of the last output chunk */
  FrameDecoder dec;
  unsigned char in_buf[IO_BUFFER_SIZE];
  unsigned char data_buf[IO_BUFFER_SIZE];
  unsigned char out_buf[IO_BUFFER_SIZE];
  unsigned char esc_buf[2 * IO_BUFFER_SIZE]; /* out_buf with 0xFF doubled */
} Proxy;

static Proxy proxy;
/* Serializes writes to stdout: console output from the output thread and
 * status frames from any thread, each written whole. */
static SRWLOCK stdout_lock = SRWLOCK_INIT;

/* ---------------------------------------------------------------- utils */

static int write_all(HANDLE h, const unsigned char *buf, size_t n) {
  while (n > 0) {
    DWORD chunk = n > 0x40000000 ? 0x40000000 : (DWORD)n, written = 0;
    if (!WriteFile(h, buf, chunk, &written, NULL) || written == 0)
      return 0;
    buf += written;
    n -= written;
  }
  return 1;
}

/* Write N bytes to stdout whole, never interleaved with another writer. */
static int stdout_write(const unsigned char *buf, size_t n) {
  int ok;
  AcquireSRWLockExclusive(&stdout_lock);
  ok = write_all(GetStdHandle(STD_OUTPUT_HANDLE), buf, n);
  ReleaseSRWLockExclusive(&stdout_lock);
  return ok;
}

/* Send one status line to Emacs as a status frame on stdout (one line, in
 * band with the console output, so it arrives in order with it and before
 * the end of file; doc/windows-proxy.md, section 3).  A line longer than a
 * frame's 255 bytes is cut at a character boundary and ends in "...". */
static void report(const char *fmt, ...) {
  char line[1024];
  unsigned char frame[FRAME_MAX_PAYLOAD + 3];
  va_list ap;
  int n, i;

  va_start(ap, fmt);
  n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0)
    n = 0;
  if (n >= (int)sizeof line)
    n = (int)sizeof line - 1;
  for (i = 0; i < n; i++) /* one line, whatever a file name contains */
    if (line[i] == '\n' || line[i] == '\r')
      line[i] = ' ';
  if (n > FRAME_MAX_PAYLOAD) {
    n = FRAME_MAX_PAYLOAD - 3;
    while (n > 0 && ((unsigned char)line[n] & 0xC0) == 0x80) /* mid-char */
      n--;
    memcpy(line + n, "...", 3);
    n += 3;
  }
  stdout_write(frame, frame_encode(FRAME_STATUS, (unsigned char *)line,
                                   (size_t)n, frame));
}

static void die(int code, const char *fmt, ...) {
  char msg[900];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  report("error: %s", msg);
  ExitProcess((UINT)code);
}

/* The proxy's policy on out-of-memory is to stop (STYLE.md, Proxy). */
static void *xmalloc(size_t size) {
  void *p = malloc(size ? size : 1);
  if (!p)
    die(PROXY_EXIT_SYSTEM, "out of memory");
  return p;
}

static char *utf8_from_wide(const wchar_t *w) {
  int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
  char *s = xmalloc(n > 0 ? (size_t)n : 1);
  if (n <= 0 || !WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL))
    s[0] = '\0';
  return s;
}

/* Report why the shell did not start; returns the exit code for it. */
static int spawn_error(const wchar_t *cmdline, const CpError *err) {
  char *cmd = utf8_from_wide(cmdline);
  int code = PROXY_EXIT_CANNOT_RUN;

  if (err->stage != CP_STAGE_CREATE) {
    report("error: %s failed (Win32 error %lu)", err->emsg, err->win32);
    code = PROXY_EXIT_SYSTEM;
  } else if (err->win32 == ERROR_FILE_NOT_FOUND ||
             err->win32 == ERROR_PATH_NOT_FOUND) {
    report("error: shell not found: %s (Win32 error %lu)", cmd, err->win32);
    code = PROXY_EXIT_NOT_FOUND;
  } else {
    report("error: cannot start shell: %s (Win32 error %lu)", cmd, err->win32);
  }
  free(cmd);
  return code;
}

/* UTF-8 bytes (exactly LEN, no NUL) to a new wide string; NULL if invalid. */
static wchar_t *wide_from_utf8(const char *s, int len) {
  int n =
      len ? MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, len, NULL, 0)
          : 0;
  wchar_t *w;

  if (len && n <= 0)
    return NULL;
  w = xmalloc(((size_t)n + 1) * sizeof *w);
  if (n)
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, len, w, n);
  w[n] = L'\0';
  return w;
}

static int hex_digit(wchar_t c) {
  if (c >= L'0' && c <= L'9')
    return c - L'0';
  if (c >= L'a' && c <= L'f')
    return c - L'a' + 10;
  if (c >= L'A' && c <= L'F')
    return c - L'A' + 10;
  return -1;
}

/* "c3a9" -> L"é".  NULL for odd length, non-hex, NUL or invalid UTF-8. */
static wchar_t *wide_from_hex(const wchar_t *hex) {
  size_t n = wcslen(hex), i;
  char *bytes;
  wchar_t *w = NULL;

  if (n % 2 || n / 2 > INT_MAX)
    return NULL;
  bytes = xmalloc(n / 2 + 1);
  for (i = 0; i < n / 2; i++) {
    int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
      goto cleanup;
    bytes[i] = (char)(hi << 4 | lo);
  }
  w = wide_from_utf8(bytes, (int)(n / 2));
cleanup:
  free(bytes);
  return w;
}

/* A growable wide string. */
typedef struct WBuf {
  wchar_t *s;
  size_t len, cap;
} WBuf;

static void wbuf_putn(WBuf *b, const wchar_t *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    wchar_t *p;
    while (b->len + n + 1 > cap)
      cap *= 2;
    p = xmalloc(cap * sizeof *p);
    if (b->len)
      memcpy(p, b->s, b->len * sizeof *p);
    free(b->s);
    b->s = p;
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n * sizeof *s);
  b->len += n;
  b->s[b->len] = L'\0';
}

static void wbuf_putc(WBuf *b, wchar_t c) { wbuf_putn(b, &c, 1); }

static void wbuf_repeat(WBuf *b, wchar_t c, size_t n) {
  while (n--)
    wbuf_putc(b, c);
}

/* ---------------------------------------------------------- command line */

/* Append ARG quoted so that CommandLineToArgvW and the C runtimes give it
 * back unchanged (libuv's rules).  Tricky inputs and their quoting:
 *   hello        -> hello
 *   hello world  -> "hello world"
 *   ""           -> ""
 *   a"b          -> "a\"b"
 *   a\"b         -> "a\\\"b"
 *   C:\dir\      -> C:\dir\      (no space: left alone)
 *   C:\my dir\   -> "C:\my dir\\" (backslashes before the closing quote
 *                                  are doubled) */
static void quote_arg(WBuf *b, const wchar_t *arg) {
  size_t slashes = 0;
  const wchar_t *p;

  if (*arg && !wcspbrk(arg, L" \t\"")) {
    wbuf_putn(b, arg, wcslen(arg));
    return;
  }
  wbuf_putc(b, L'"');
  for (p = arg; *p; p++) {
    if (*p == L'\\') {
      slashes++;
      continue;
    }
    if (*p == L'"') /* backslashes before a quote, then the quote, escaped */
      wbuf_repeat(b, L'\\', 2 * slashes + 1);
    else
      wbuf_repeat(b, L'\\', slashes);
    slashes = 0;
    wbuf_putc(b, *p);
  }
  wbuf_repeat(b, L'\\', 2 * slashes); /* they precede the closing quote */
  wbuf_putc(b, L'"');
}

static wchar_t *join_args(wchar_t **argv, int argc) {
  WBuf b = {NULL, 0, 0};
  int i;

  for (i = 0; i < argc; i++) {
    if (i)
      wbuf_putc(&b, L' ');
    quote_arg(&b, argv[i]);
  }
  return b.s;
}

static wchar_t *self_path(void) {
  DWORD cap = MAX_PATH, n;
  wchar_t *path;

  for (;;) {
    path = xmalloc(cap * sizeof *path);
    n = GetModuleFileNameW(NULL, path, cap);
    if (n == 0)
      die(PROXY_EXIT_SYSTEM, "GetModuleFileNameW failed (Win32 error %lu)",
          GetLastError());
    if (n < cap)
      return path;
    free(path);
    cap *= 2;
  }
}

/* WBuf gets S as hex-encoded UTF-8 ("-" for NULL). */
static void wbuf_hex(WBuf *b, const wchar_t *s) {
  static const wchar_t digits[] = L"0123456789abcdef";
  char *utf8, *c;

  if (!s) {
    wbuf_putc(b, L'-');
    return;
  }
  utf8 = utf8_from_wide(s);
  for (c = utf8; *c; c++) {
    wbuf_putc(b, digits[(unsigned char)*c >> 4]);
    wbuf_putc(b, digits[(unsigned char)*c & 15]);
  }
  free(utf8);
}

/* The command line the proxy hands to CreateProcessW.  Under the Wine shim
 * it is "SELF --shim-exec CWD-IN-HEX COMMAND": the shim starts in the
 * proxy's directory and gives the shell CWD itself, so the shell's program
 * is looked up from the same place as without the shim. */
static wchar_t *build_cmdline(const Options *o) {
  WBuf b = {NULL, 0, 0};
  wchar_t *cmd = o->cmdline ? o->cmdline : join_args(o->argv, o->argc);
  wchar_t *self;

  if (!o->wine_shim)
    return cmd;
  self = self_path();
  quote_arg(&b, self);
  wbuf_putn(&b, L" --shim-exec ", 13);
  wbuf_hex(&b, o->cwd);
  wbuf_putc(&b, L' ');
  wbuf_putn(&b, cmd, wcslen(cmd));
  free(self);
  return b.s;
}

/* ------------------------------------------------------------ environment */

/* Length of the name of "NAME=VALUE" (a leading '=' belongs to the name, as
 * in the "=C:=C:\dir" entries Windows keeps). */
static size_t env_name_len(const wchar_t *entry) {
  const wchar_t *eq = wcschr(entry + (entry[0] == L'='), L'=');
  return eq ? (size_t)(eq - entry) : wcslen(entry);
}

static int env_name_cmp(const wchar_t *a, const wchar_t *b) {
  /* Names are case-insensitive (docs for CreateProcessW, lpEnvironment). */
  return CompareStringOrdinal(a, (int)env_name_len(a), b, (int)env_name_len(b),
                              TRUE) -
         CSTR_EQUAL;
}

static int env_sort_cmp(const void *a, const void *b) {
  return env_name_cmp(*(const wchar_t *const *)a, *(const wchar_t *const *)b);
}

/* Nonzero when one of EDITS names the same variable as ENTRY. */
static int env_edited(const wchar_t *entry, wchar_t **edits, int nedits) {
  int i;
  for (i = 0; i < nedits; i++)
    if (env_name_cmp(entry, edits[i]) == 0)
      return 1;
  return 0;
}

/* The proxy's own environment (which Emacs built from process-environment)
 * with the --env edits applied, sorted by name as CreateProcessW asks, as
 * a CREATE_UNICODE_ENVIRONMENT block. */
static wchar_t *build_env(wchar_t **edits, int nedits) {
  wchar_t *own = GetEnvironmentStringsW(), *p, *block, *out;
  const wchar_t **entries;
  size_t count = 0, n = 0, size = 1, i;

  if (!own)
    die(PROXY_EXIT_SYSTEM, "GetEnvironmentStringsW failed (Win32 error %lu)",
        GetLastError());
  for (p = own; *p; p += wcslen(p) + 1)
    count++;
  entries = xmalloc((count + (size_t)nedits + 1) * sizeof *entries);
  for (p = own; *p; p += wcslen(p) + 1)
    if (!env_edited(p, edits, nedits))
      entries[n++] = p;
  for (i = 0; i < (size_t)nedits; i++) /* the last edit of a name wins */
    if (wcschr(edits[i] + 1, L'=') &&  /* NAME alone means unset */
        !env_edited(edits[i], edits + i + 1, nedits - (int)i - 1))
      entries[n++] = edits[i];
  qsort(entries, n, sizeof *entries, env_sort_cmp);
  for (i = 0; i < n; i++)
    size += wcslen(entries[i]) + 1;
  block = out = xmalloc((size + 1) * sizeof *block);
  for (i = 0; i < n; i++) {
    size_t len = wcslen(entries[i]) + 1;
    memcpy(out, entries[i], len * sizeof *out);
    out += len;
  }
  *out++ = L'\0';
  *out = L'\0'; /* an empty block still needs two NULs */
  free(entries);
  FreeEnvironmentStringsW(own);
  return block;
}

/* -------------------------------------------------------------- arguments */

static void usage(void) {
  static const char text[] =
      "usage: conpty-proxy [OPTIONS] -- PROGRAM [ARG...]\n"
      "       conpty-proxy [OPTIONS] --cmdline \"COMMAND LINE\"\n"
      "Runs the command in a pseudo console and bridges it to stdin/stdout.\n"
      "  --cols N, --rows N   console size, 1..32767 (default 80x24)\n"
      "  --cwd DIR            working directory of the command\n"
      "  --env NAME=VALUE     set a variable for the command (NAME alone:\n"
      "                       unset it); may be repeated\n"
      "  --hex                values of --cwd, --env, --cmdline, --input-log\n"
      "                       and the words after -- are hex-encoded UTF-8\n"
      "  --version            print the version and protocol version\n"
      "Test only: --wine-shim, --input-log FILE (see doc/windows-proxy.md).\n"
      "stdin protocol, stderr status lines and exit codes: "
      "doc/windows-proxy.md\n";
  DWORD written;
  WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), text, (DWORD)strlen(text),
            &written, NULL);
}

static void version(void) {
  char text[64];
  DWORD written;
  int n = snprintf(text, sizeof text, "conpty-proxy %s proto=%d\n",
                   PROXY_VERSION, FRAME_PROTOCOL_VERSION);
  WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), text, (DWORD)n, &written, NULL);
}

static void bad_usage(const char *what, const wchar_t *arg) {
  char *a = utf8_from_wide(arg ? arg : L"");
  die(PROXY_EXIT_USAGE, "%s%s%s; try --help", what, arg ? ": " : "", a);
}

static int parse_size(const wchar_t *s) {
  wchar_t *end;
  long v = wcstol(s, &end, 10);
  if (end == s || *end || v < 1 || v > CP_COORD_MAX)
    bad_usage("size must be an integer from 1 to 32767", s);
  return (int)v;
}

/* Replace *VALUE by its hex decoding. */
static void unhex(wchar_t **value) {
  wchar_t *w;
  if (!*value)
    return;
  w = wide_from_hex(*value);
  if (!w)
    bad_usage("--hex value is not hex-encoded UTF-8", *value);
  *value = w;
}

static wchar_t *option_value(int argc, wchar_t **argv, int *i) {
  if (*i + 1 >= argc)
    bad_usage("missing value for option", argv[*i]);
  return argv[++*i];
}

static void parse_args(int argc, wchar_t **argv, Options *o) {
  int i;

  memset(o, 0, sizeof *o);
  o->cols = 80;
  o->rows = 24;
  o->env = xmalloc(((size_t)argc + 2) * sizeof *o->env); /* +2: wmain's */
  for (i = 1; i < argc; i++) {
    const wchar_t *a = argv[i];
    if (!wcscmp(a, L"--")) {
      o->argv = argv + i + 1;
      o->argc = argc - i - 1;
      break;
    } else if (!wcscmp(a, L"--cols")) {
      o->cols = parse_size(option_value(argc, argv, &i));
    } else if (!wcscmp(a, L"--rows")) {
      o->rows = parse_size(option_value(argc, argv, &i));
    } else if (!wcscmp(a, L"--cwd")) {
      o->cwd = option_value(argc, argv, &i);
    } else if (!wcscmp(a, L"--env")) {
      o->env[o->nenv++] = option_value(argc, argv, &i);
    } else if (!wcscmp(a, L"--cmdline")) {
      o->cmdline = option_value(argc, argv, &i);
    } else if (!wcscmp(a, L"--input-log")) {
      o->input_log = option_value(argc, argv, &i);
    } else if (!wcscmp(a, L"--hex")) {
      o->hex = 1;
    } else if (!wcscmp(a, L"--wine-shim")) {
      o->wine_shim = 1;
    } else if (!wcscmp(a, L"--help")) {
      usage();
      ExitProcess(0);
    } else if (!wcscmp(a, L"--version")) {
      version();
      ExitProcess(0);
    } else {
      bad_usage("unknown option", a);
    }
  }
  if (!o->cmdline == !o->argv || (o->argv && o->argc == 0))
    bad_usage("give exactly one of --cmdline or -- PROGRAM", NULL);
  if (o->hex) {
    unhex(&o->cwd);
    unhex(&o->cmdline);
    unhex(&o->input_log);
    for (i = 0; i < o->nenv; i++)
      unhex(&o->env[i]);
    for (i = 0; i < o->argc; i++)
      unhex(&o->argv[i]);
  }
  for (i = 0; i < o->nenv; i++)
    if (o->env[i][0] == L'\0' || o->env[i][0] == L'=')
      bad_usage("--env needs NAME=VALUE or NAME", o->env[i]);
  if (o->cmdline && !*o->cmdline)
    bad_usage("--cmdline is empty", NULL);
}

/* --------------------------------------------------------------- wine shim */

/* Test hook (doc/windows-proxy.md, "Testing under Wine").  Wine starts a
 * pseudo console child with null standard handles where Windows gives it
 * console handles, so the proxy runs "SELF --shim-exec CWD CMDLINE"
 * instead, and this opens CONIN$/CONOUT$ and runs CMDLINE with them in CWD
 * (hex-encoded UTF-8, or "-" for the shim's own).  Returns CMDLINE and sets
 * *CWD, or returns NULL. */
static const wchar_t *shim_cmdline(wchar_t **cwd) {
  const wchar_t *p = GetCommandLineW(), *end;
  wchar_t *hex;

  if (*p == L'"') { /* argv[0] is quoted by build_cmdline */
    p = wcschr(p + 1, L'"');
    p = p ? p + 1 : L"";
  } else {
    while (*p && *p != L' ' && *p != L'\t')
      p++;
  }
  while (*p == L' ' || *p == L'\t')
    p++;
  if (wcsncmp(p, L"--shim-exec ", 12) != 0)
    return NULL;
  p += 12;
  end = wcschr(p, L' ');
  if (!end)
    return NULL;
  hex = xmalloc((size_t)(end - p + 1) * sizeof *hex);
  memcpy(hex, p, (size_t)(end - p) * sizeof *hex);
  hex[end - p] = L'\0';
  *cwd = wcscmp(hex, L"-") ? wide_from_hex(hex) : NULL;
  free(hex);
  for (p = end; *p == L' ' || *p == L'\t'; p++)
    ;
  return *p ? p : NULL;
}

static HANDLE shim_open(const wchar_t *name) {
  SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE}; /* inheritable */
  return CreateFileW(name, GENERIC_READ | GENERIC_WRITE,
                     FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, OPEN_EXISTING, 0,
                     NULL);
}

static void shim_fail(HANDLE out, const char *what, DWORD win32, UINT code) {
  char line[256];
  DWORD written;
  int n = snprintf(line, sizeof line,
                   "conpty-proxy shim: %s (Win32 error %lu)\r\n", what, win32);
  WriteFile(out, line, (DWORD)n, &written, NULL);
  ExitProcess(code);
}

static int shim_main(void) {
  wchar_t *cwd = NULL;
  const wchar_t *cmd = shim_cmdline(&cwd);
  wchar_t *copy;
  HANDLE in = shim_open(L"CONIN$"), out = shim_open(L"CONOUT$");
  STARTUPINFOW si;
  PROCESS_INFORMATION pi;
  DWORD code = PROXY_EXIT_SYSTEM, err;

  if (!cmd)
    shim_fail(out, "no command line", 0, PROXY_EXIT_USAGE);
  if (in == INVALID_HANDLE_VALUE || out == INVALID_HANDLE_VALUE)
    shim_fail(out, "cannot open the console", GetLastError(),
              PROXY_EXIT_SYSTEM);
  copy = xmalloc((wcslen(cmd) + 1) * sizeof *copy);
  memcpy(copy, cmd, (wcslen(cmd) + 1) * sizeof *copy);
  memset(&si, 0, sizeof si);
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = in;
  si.hStdOutput = out;
  si.hStdError = out;
  if (!CreateProcessW(NULL, copy, NULL, NULL,
                      TRUE, /* bInheritHandles: the two console handles */
                      0, NULL, cwd, &si, &pi)) {
    err = GetLastError();
    shim_fail(out, "cannot start the command", err,
              SHIM_FAILED | (err & 0xFFFF));
  }
  CloseHandle(pi.hThread);
  WaitForSingleObject(pi.hProcess, INFINITE);
  GetExitCodeProcess(pi.hProcess, &code);
  return (int)code;
}

/* ----------------------------------------------------------------- pumps */

/* Console output -> our stdout, each 0xFF doubled (the console writes UTF-8,
 * which has none, but the framing must not depend on it).  Started before
 * the shell, so the shell can never fill the pipe before anyone reads it
 * (EchoCon sample). */
static DWORD WINAPI pump_output(void *arg) {
  Proxy *p = arg;
  DWORD n;

  for (;;) {
    const unsigned char *out = p->out_buf;
    size_t nout;
    if (!ReadFile(p->con.output, p->out_buf, sizeof p->out_buf, &n, NULL))
      return PUMP_EOF; /* ERROR_BROKEN_PIPE: the console host is gone */
    if (n == 0)
      continue; /* a zero-length write, not the end */
    nout = n;
    if (memchr(p->out_buf, FRAME_ESC, n)) {
      nout = frame_escape(p->out_buf, n, p->esc_buf);
      out = p->esc_buf;
    }
    if (!stdout_write(out, nout))
      return PUMP_BROKEN;
    InterlockedExchange(&p->last_output, (LONG)GetTickCount());
  }
}

static void input_control(Proxy *p, const FrameControl *ctl) {
  int cols, rows;
  HRESULT hr;

  if (!frame_resize_size(ctl, &cols, &rows)) {
    report("warning: ignored control frame type=0x%02X len=%u",
           (unsigned)ctl->type, (unsigned)ctl->len);
    return;
  }
  hr = cp_resize(&p->con, cols, rows);
  /* The reply vterm.el parses (doc/windows-proxy.md, "Status lines"). */
  report("resize cols=%d rows=%d hr=0x%08lX", cols, rows, (unsigned long)hr);
}

static int input_deliver(Proxy *p, const unsigned char *data, size_t n) {
  return write_all(p->input_log ? p->input_log : p->con.input, data, n);
}

/* Our stdin -> frame decoder -> console input, with control frames handled
 * in stream order between the data around them. */
static DWORD WINAPI pump_input(void *arg) {
  Proxy *p = arg;
  DWORD n;

  for (;;) {
    const unsigned char *in = p->in_buf;
    /* A pipe from Emacs ends with ERROR_BROKEN_PIPE; a file or a Unix pipe
     * under Wine with a zero-byte read. */
    if (!ReadFile(p->std_in, p->in_buf, sizeof p->in_buf, &n, NULL) || n == 0)
      return PUMP_EOF;
    while (n > 0) {
      FrameControl ctl;
      size_t nout;
      size_t used = frame_decode(&p->dec, in, n, p->data_buf, &nout, &ctl);
      in += used;
      n -= (DWORD)used;
      if (nout && !input_deliver(p, p->data_buf, nout)) {
        p->in_error = GetLastError();
        return PUMP_BROKEN;
      }
      if (frame_is_control(&ctl))
        input_control(p, &ctl);
    }
  }
}

/* -------------------------------------------------------------- lifecycle */

/* Set the job's limits.  With KILL_ON_CLOSE, the shell and all its
 * descendants are killed when the proxy dies, however it dies, because its
 * job handle closes. */
static BOOL job_limit(HANDLE job, int kill_on_close) {
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION info;

  memset(&info, 0, sizeof info);
  info.BasicLimitInformation.LimitFlags =
      JOB_OBJECT_LIMIT_BREAKAWAY_OK |
      (kill_on_close ? JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE : 0);
  return SetInformationJobObject(job, JobObjectExtendedLimitInformation, &info,
                                 sizeof info);
}

/* The shell's job, or NULL: without one the terminal still works, but what
 * the shell leaves running is not stopped with it, so say so. */
static HANDLE make_job(void) {
  HANDLE job = CreateJobObjectW(NULL, NULL);

  if (job && job_limit(job, 1))
    return job;
  report("warning: no job object (%s: Win32 error %lu); programs left running "
         "in the terminal will not be stopped with it",
         job ? "SetInformationJobObject" : "CreateJobObjectW", GetLastError());
  if (job)
    CloseHandle(job);
  return NULL;
}

/* The shell ended by itself: what it started on purpose and left running
 * (an editor window, a detached server) may outlive the terminal, so the
 * job no longer kills on close.  Killing or hanging up the proxy still
 * kills everything, because those paths never get here. */
static void job_release(Proxy *p) {
  if (p->job && !job_limit(p->job, 0))
    report("warning: cannot release the job (Win32 error %lu)", GetLastError());
}

static HANDLE start_thread(LPTHREAD_START_ROUTINE fn, void *arg) {
  HANDLE t = CreateThread(NULL, 0, fn, arg, 0, NULL);
  if (!t)
    die(PROXY_EXIT_SYSTEM, "CreateThread failed (Win32 error %lu)",
        GetLastError());
  return t;
}

static DWORD thread_result(HANDLE thread) {
  DWORD code = 0;
  GetExitCodeThread(thread, &code);
  return code;
}

static DWORD WINAPI close_console(void *arg) {
  cp_close(&((Proxy *)arg)->con);
  return 0;
}

/* Let the last output of an exited shell reach us before the close: wait
 * until the output has been quiet for a moment (bounded). */
static void settle_output(Proxy *p) {
  DWORD start = GetTickCount();
  for (;;) {
    DWORD now;
    if (WaitForSingleObject(p->out_thread, 20) == WAIT_OBJECT_0)
      return;
    now = GetTickCount();
    if (now - (DWORD)p->last_output >= SETTLE_IDLE_MS ||
        now - start >= SETTLE_MAX_MS)
      return;
  }
}

/* Shutdown order (STYLE.md, Proxy): the shell has exited; drain; close the
 * pseudo console on a thread that is not the reader, since the close blocks
 * until the output is drained (docs for ClosePseudoConsole; terminal#17489);
 * wait for the reader to see EOF; then exit with CODE.  Every wait is
 * bounded, so a stuck console host cannot keep the proxy alive. */
static int finish(Proxy *p, int code) {
  HANDLE closer;

  settle_output(p);
  closer = CreateThread(NULL, 0, close_console, p, 0, NULL);
  if (!closer)
    report("warning: cannot start the closing thread (Win32 error %lu)",
           GetLastError());
  if (WaitForSingleObject(p->out_thread, CLOSE_WAIT_MS) != WAIT_OBJECT_0)
    report("warning: console output did not reach EOF");
  if (closer && WaitForSingleObject(closer, CLOSE_WAIT_MS) != WAIT_OBJECT_0)
    report("warning: ClosePseudoConsole did not return");
  return code;
}

static int shell_exit_code(Proxy *p) {
  DWORD code = PROXY_EXIT_SYSTEM;
  GetExitCodeProcess(p->child.process, &code);
  return (int)code;
}

/* Kill the shell and its descendants (only the shell when there is no
 * job), then shut down with CODE. */
static int terminate(Proxy *p, int code) {
  if (p->job)
    TerminateJobObject(p->job, (UINT)code);
  else
    TerminateProcess(p->child.process, (UINT)code);
  WaitForSingleObject(p->child.process, CHILD_WAIT_MS);
  return finish(p, code);
}

/* The shell exited by itself: shut down with its exit code.  Under the Wine
 * shim, the "shell" may be the shim reporting that it could not start the
 * real one: say so as the proxy says it of its own attempt. */
static int shell_exited(Proxy *p) {
  DWORD code = (DWORD)shell_exit_code(p);

  if (p->wine_shim && (code & 0xFFFF0000u) == SHIM_FAILED) {
    CpError err = {"CreateProcessW", code & 0xFFFF, S_OK, CP_STAGE_CREATE};
    finish(p, 0);
    return spawn_error(p->shell_name, &err);
  }
  job_release(p);
  return finish(p, (int)code);
}

static int run(Proxy *p) {
  HANDLE waits[3];
  DWORD which;

  waits[0] = p->child.process;
  waits[1] = p->in_thread;
  waits[2] = p->out_thread;
  which = WaitForMultipleObjects(3, waits, FALSE, INFINITE);
  if (which == WAIT_OBJECT_0)
    return shell_exited(p);
  if (which == WAIT_OBJECT_0 + 1) {
    if (thread_result(p->in_thread) == PUMP_EOF) {
      report("hangup: stdin closed, terminating the shell");
      return terminate(p, PROXY_EXIT_HANGUP);
    }
    report("error: writing to the pseudo console failed (Win32 error %lu)",
           p->in_error);
    return terminate(p, PROXY_EXIT_PIPE);
  }
  if (which == WAIT_OBJECT_0 + 2) {
    if (thread_result(p->out_thread) == PUMP_BROKEN) {
      report("error: stdout pipe broken, terminating the shell");
      return terminate(p, PROXY_EXIT_PIPE);
    }
    /* The console host went away first; the shell usually follows. */
    if (WaitForSingleObject(p->child.process, ORPHAN_WAIT_MS) == WAIT_OBJECT_0)
      return shell_exited(p);
    report("error: the pseudo console closed under a running shell");
    return terminate(p, PROXY_EXIT_PIPE);
  }
  report("error: WaitForMultipleObjects failed (Win32 error %lu)",
         GetLastError());
  return terminate(p, PROXY_EXIT_SYSTEM);
}

/* Dies with 126 when DIR cannot be the shell's directory. */
static void cwd_failed(const wchar_t *dir, DWORD win32) {
  char *d = utf8_from_wide(dir);
  die(PROXY_EXIT_CANNOT_RUN, "cannot start shell in %s (Win32 error %lu)", d,
      win32);
}

/* The shell's working directory as CreateProcessW takes it.  Windows
 * refuses a current directory of MAX_PATH - 2 characters or more (docs for
 * SetCurrentDirectory: the final backslash and the NUL must fit), so a
 * longer one is replaced by its 8.3 short name, which the volume may keep.
 * Dies with 126 when the directory is missing or still too long. */
static wchar_t *shell_cwd(const wchar_t *cwd) {
  WBuf full = {NULL, 0, 0};
  wchar_t *name, *c;
  size_t skip = 4;
  DWORD n, attrs;

  if (wcslen(cwd) < MAX_PATH - 2) {
    attrs = GetFileAttributesW(cwd);
    if (attrs == INVALID_FILE_ATTRIBUTES)
      cwd_failed(cwd, GetLastError());
    if (!(attrs & FILE_ATTRIBUTE_DIRECTORY))
      cwd_failed(cwd, ERROR_DIRECTORY);
    return (wchar_t *)cwd;
  }
  /* "\\?\" lifts the length limit for the lookup (docs, "Maximum Path
   * Length Limitation"); it also turns off the conversion of '/'. */
  if (cwd[0] == L'\\' && cwd[1] == L'\\') { /* \\?\UNC\server\share */
    wbuf_putn(&full, L"\\\\?\\UNC", 7);
    wbuf_putn(&full, cwd + 1, wcslen(cwd + 1));
  } else {
    wbuf_putn(&full, L"\\\\?\\", 4);
    wbuf_putn(&full, cwd, wcslen(cwd));
  }
  for (c = full.s; *c; c++)
    if (*c == L'/')
      *c = L'\\';
  n = GetShortPathNameW(full.s, NULL, 0);
  name = xmalloc(((size_t)n + 1) * sizeof *name);
  if (!n || !GetShortPathNameW(full.s, name, n + 1))
    cwd_failed(cwd, GetLastError());
  if (!wcsncmp(name, L"\\\\?\\UNC\\", 8)) { /* back to \\server\share */
    skip = 6;
    name[6] = L'\\';
  }
  if (!wcsncmp(name, L"\\\\?\\", 4))
    name += skip;
  if (wcslen(name) >= MAX_PATH - 2)
    cwd_failed(cwd, ERROR_FILENAME_EXCED_RANGE);
  free(full.s);
  return name;
}

/* Emacs starts us with CREATE_NEW_PROCESS_GROUP (under its default
 * w32-start-process-share-console), which makes a process ignore Ctrl-C,
 * and children inherit that (docs for CreateProcess, "Process Creation
 * Flags", and SetConsoleCtrlHandler).  Every program in the terminal would
 * then ignore Ctrl-C.  Clear the state before the shell starts, as Windows
 * Terminal does; a handler, which is not inherited, keeps the proxy itself
 * deaf to Ctrl-C as before. */
static BOOL WINAPI ignore_ctrl_c(DWORD type) { return type == CTRL_C_EVENT; }

static void enable_ctrl_c_for_children(void) {
  if (!SetConsoleCtrlHandler(NULL, FALSE) ||
      !SetConsoleCtrlHandler(ignore_ctrl_c, TRUE))
    report("warning: programs in the terminal may ignore Ctrl-C "
           "(SetConsoleCtrlHandler: Win32 error %lu)",
           GetLastError());
}

static void warn_old_windows(void) {
  DWORD build = cp_windows_build();
  if (build && build < CP_MIN_BUILD)
    report("warning: Windows build %lu is older than Windows 10 1903 (build "
           "%d), whose pseudo console is the oldest vterm supports",
           build, CP_MIN_BUILD);
}

static void open_input_log(Proxy *p, const wchar_t *path) {
  p->input_log = CreateFileW(path, GENERIC_WRITE, FILE_SHARE_READ, NULL,
                             CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  if (p->input_log == INVALID_HANDLE_VALUE)
    bad_usage("cannot create the --input-log file", path);
}

static int conpty_missing(void) {
  /* Test hook: pretend to be on a Windows release without ConPTY. */
  wchar_t v[4];
  if (GetEnvironmentVariableW(L"CONPTY_PROXY_TEST_NO_CONPTY", v, 4) == 1 &&
      v[0] == L'1')
    return 1;
  return !cp_available();
}

/* Test hook: behave as if the system had refused to put the shell in our
 * job with this Win32 error (Windows nests jobs since 8, and so does Wine,
 * so the refusal cannot be caused from outside). */
static DWORD test_job_error(void) {
  wchar_t v[16];
  DWORD n = GetEnvironmentVariableW(L"CONPTY_PROXY_TEST_JOB_ERROR", v, 16);
  return n > 0 && n < 16 ? wcstoul(v, NULL, 10) : 0;
}

int wmain(int argc, wchar_t **argv) {
  Proxy *p = &proxy;
  Options o;
  CpError err = {NULL, 0, S_OK, CP_STAGE_NONE};
  wchar_t *cmdline, *env;
  static wchar_t drop_shim[] = L"CONPTY_PROXY_WINE_SHIM";
  static wchar_t drop_job[] = L"CONPTY_PROXY_TEST_JOB_ERROR";
  DWORD fake_job_error = test_job_error();

  if (argc >= 2 && !wcscmp(argv[1], L"--shim-exec"))
    return shim_main();
  parse_args(argc, argv, &o);
  if (GetEnvironmentVariableW(drop_shim, NULL, 0) > 0)
    o.wine_shim = 1;
  o.env[o.nenv++] = drop_shim; /* the shell never sees the test switches */
  o.env[o.nenv++] = drop_job;
  if (conpty_missing())
    die(PROXY_EXIT_NO_CONPTY, "ConPTY is not available (vterm needs Windows "
                              "10 version 1903 or later)");
  p->std_in = GetStdHandle(STD_INPUT_HANDLE);
  p->last_output = (LONG)GetTickCount();
  frame_init(&p->dec);
  if (o.input_log)
    open_input_log(p, o.input_log);
  if (o.cwd)
    o.cwd = shell_cwd(o.cwd);
  cmdline = build_cmdline(&o);
  p->shell_name = o.cmdline ? o.cmdline : o.argv[0];
  p->wine_shim = o.wine_shim;
  env = build_env(o.env, o.nenv);
  warn_old_windows();
  p->job = make_job();
  if (FAILED(cp_create(&p->con, o.cols, o.rows, &err)))
    die(PROXY_EXIT_SYSTEM, "%s failed (HRESULT 0x%08lX, Win32 error %lu)",
        err.emsg, (unsigned long)err.hr, err.win32);
  p->out_thread = start_thread(pump_output, p);
  enable_ctrl_c_for_children();
  /* The shim gets the directory on its command line (see build_cmdline). */
  if (cp_spawn(&p->con, cmdline, env, o.wine_shim ? NULL : o.cwd,
               fake_job_error ? NULL : p->job, &p->child, &err))
    ExitProcess((UINT)spawn_error(p->shell_name, &err));
  if (fake_job_error)
    p->child.job_error = fake_job_error;
  if (p->child.job_error) {
    report("warning: the shell runs outside a job (AssignProcessToJobObject: "
           "Win32 error %lu); programs left running in the terminal will not "
           "be stopped with it",
           p->child.job_error);
    CloseHandle(p->job);
    p->job = NULL;
  }
  report("ready pid=%lu cols=%d rows=%d proto=%d", p->child.pid, o.cols, o.rows,
         FRAME_PROTOCOL_VERSION);
  p->in_thread = start_thread(pump_input, p);
  return run(p);
}
