/* conpty.h -- ConPTY layer of conpty-proxy: create, spawn, resize, close.
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

/* Contract.  The caller owns one CpConsole from cp_create to process exit.
 * cp_create makes the pipes and the pseudo console; cp_spawn starts the
 * child attached to it and then closes the console-side pipe ends;
 * cp_resize may run on any thread, concurrently with cp_close; cp_close
 * releases the pseudo console and must never run on the thread that reads
 * `output` (it can block until that pipe is drained).
 *
 * The ConPTY entry points are looked up in kernel32 at run time, so the
 * executable still starts (and says why it cannot work) on Windows releases
 * before 10 1809, where they do not exist. */

#ifndef CONPTY_PROXY_CONPTY_H
#define CONPTY_PROXY_CONPTY_H

#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0601 /* declarations up to Windows 7 only */
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#define CP_COORD_MAX 32767 /* COORD fields are SHORT */

typedef struct CpConsole {
  void *hpc;         /* HPCON; owned, released by cp_close */
  SRWLOCK lock;      /* guards hpc between cp_resize and cp_close */
  HANDLE input;      /* ours: bytes written here are console input */
  HANDLE output;     /* ours: the console's VT output is read here */
  HANDLE pty_input;  /* console side of `input`; closed by cp_spawn */
  HANDLE pty_output; /* console side of `output`; closed by cp_spawn */
} CpConsole;

typedef struct CpChild {
  HANDLE process; /* owned by the caller after cp_spawn */
  DWORD pid;
  DWORD job_error; /* 0, or why the child could not be put in the job */
} CpChild;

/* Where cp_spawn failed: while preparing, or in CreateProcessW itself (the
 * caller tells "not found" from other failures by the Win32 code). */
typedef enum CpStage { CP_STAGE_NONE, CP_STAGE_SETUP, CP_STAGE_CREATE } CpStage;

/* A failure: what was being done, and the code in the matching field. */
typedef struct CpError {
  const char *emsg;
  DWORD win32; /* Win32 error code, or 0 */
  HRESULT hr;  /* HRESULT, or S_OK */
  CpStage stage;
} CpError;

/* Nonzero when CreatePseudoConsole, ResizePseudoConsole and
 * ClosePseudoConsole all exist.  Safe to call more than once. */
int cp_available(void);

/* Create the pipes and a COLS x ROWS pseudo console (never with
 * PSEUDOCONSOLE_INHERIT_CURSOR).  On failure everything is released. */
HRESULT cp_create(CpConsole *con, int cols, int rows, CpError *err);

/* Start CMDLINE (modified in place by CreateProcessW, as it may) attached to
 * CON, with the UTF-16 environment block ENV (or NULL to inherit) in CWD (or
 * NULL).  Unless JOB is NULL the child is created inside JOB, so none of its
 * descendants can escape it, even if the proxy dies at once.  When the
 * system refuses the job (Emacs itself in a job that allows no nesting) the
 * child runs anyway, without the job, and CHILD->job_error says why.
 * Returns the Win32 error, 0 on success. */
DWORD cp_spawn(CpConsole *con, wchar_t *cmdline, wchar_t *env,
               const wchar_t *cwd, HANDLE job, CpChild *child, CpError *err);

/* ResizePseudoConsole, after checking 1 <= COLS, ROWS <= CP_COORD_MAX.
 * Returns E_INVALIDARG for a bad size and E_HANDLE after cp_close. */
HRESULT cp_resize(CpConsole *con, int cols, int rows);

/* ClosePseudoConsole.  Blocks until the console host has exited, which on
 * Windows before 11 24H2 needs someone draining `output`. */
void cp_close(CpConsole *con);

/* The oldest Windows build whose ConPTY vterm supports: 10 1903.  1809
 * (17763) has the API, but its ConPTY is known to misbehave. */
#define CP_MIN_BUILD 18362

/* The Windows build number as RtlGetVersion reports it (GetVersionEx lies
 * to programs without a compatibility manifest), or 0 if unknown. */
DWORD cp_windows_build(void);

#endif /* CONPTY_PROXY_CONPTY_H */
