/* conpty.c -- ConPTY layer of conpty-proxy: create, spawn, resize, close.
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

#include "conpty.h"

#include <stdlib.h>
#include <string.h>

/* Not in the Windows 7 declarations we compile against. */
#ifndef PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE
#define PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE 0x00020016
#endif
#ifndef PROC_THREAD_ATTRIBUTE_JOB_LIST
#define PROC_THREAD_ATTRIBUTE_JOB_LIST 0x0002000D
#endif

typedef HRESULT(WINAPI *CpCreateFn)(COORD, HANDLE, HANDLE, DWORD, void **);
typedef HRESULT(WINAPI *CpResizeFn)(void *, COORD);
typedef void(WINAPI *CpCloseFn)(void *);

static CpCreateFn cp_create_fn;
static CpResizeFn cp_resize_fn;
static CpCloseFn cp_close_fn;

/* GetProcAddress returns FARPROC; going through a generic function pointer
 * type keeps the conversion explicit and warning-free. */
typedef void (*CpAnyFn)(void);

static CpAnyFn cp_lookup(HMODULE kernel32, const char *name) {
  return (CpAnyFn)GetProcAddress(kernel32, name);
}

int cp_available(void) {
  HMODULE kernel32;

  if (cp_create_fn && cp_resize_fn && cp_close_fn)
    return 1;
  /* Exported by kernel32 since Windows 10 1809 (docs for
   * CreatePseudoConsole, "Requirements"). */
  kernel32 = GetModuleHandleW(L"kernel32.dll");
  if (!kernel32)
    return 0;
  cp_create_fn = (CpCreateFn)cp_lookup(kernel32, "CreatePseudoConsole");
  cp_resize_fn = (CpResizeFn)cp_lookup(kernel32, "ResizePseudoConsole");
  cp_close_fn = (CpCloseFn)cp_lookup(kernel32, "ClosePseudoConsole");
  return cp_create_fn && cp_resize_fn && cp_close_fn;
}

static void cp_close_handle(HANDLE *h) {
  if (*h && *h != INVALID_HANDLE_VALUE)
    CloseHandle(*h);
  *h = NULL;
}

static COORD cp_coord(int cols, int rows) {
  COORD size;
  size.X = (SHORT)cols;
  size.Y = (SHORT)rows;
  return size;
}

static int cp_size_ok(int cols, int rows) {
  return cols >= 1 && cols <= CP_COORD_MAX && rows >= 1 && rows <= CP_COORD_MAX;
}

HRESULT cp_create(CpConsole *con, int cols, int rows, CpError *err) {
  const char *emsg = NULL;
  DWORD win32 = 0;
  HRESULT hr = S_OK;
  HANDLE in_read = NULL, in_write = NULL, out_read = NULL, out_write = NULL;
  void *hpc = NULL;

  memset(con, 0, sizeof *con);
  InitializeSRWLock(&con->lock);
  if (!cp_size_ok(cols, rows)) {
    emsg = "pseudo console size out of range";
    hr = E_INVALIDARG;
    goto cleanup;
  }
  /* Synchronous anonymous pipes: the console side must not be overlapped
   * (docs for CreatePseudoConsole, hInput/hOutput).  Not inheritable. */
  if (!CreatePipe(&in_read, &in_write, NULL, 0) ||
      !CreatePipe(&out_read, &out_write, NULL, 0)) {
    emsg = "CreatePipe";
    win32 = GetLastError();
    goto cleanup;
  }
  /* Flags 0: never PSEUDOCONSOLE_INHERIT_CURSOR, which makes the console
   * block on a cursor query (psmux#385) and kills Wine's conhost at once. */
  hr = cp_create_fn(cp_coord(cols, rows), /* size */
                    in_read,              /* hInput: console reads here */
                    out_write,            /* hOutput: console writes here */
                    0,                    /* dwFlags */
                    &hpc);                /* phPC */
  if (FAILED(hr)) {
    emsg = "CreatePseudoConsole";
    goto cleanup;
  }
  con->hpc = hpc;
  con->input = in_write;
  con->output = out_read;
  con->pty_input = in_read;
  con->pty_output = out_write;
  hpc = NULL;
  in_read = in_write = out_read = out_write = NULL;

cleanup:
  if (hpc)
    cp_close_fn(hpc);
  cp_close_handle(&in_read);
  cp_close_handle(&in_write);
  cp_close_handle(&out_read);
  cp_close_handle(&out_write);
  if (emsg) {
    err->emsg = emsg;
    err->win32 = win32;
    err->hr = hr;
    err->stage = CP_STAGE_SETUP;
    if (!FAILED(hr))
      hr = HRESULT_FROM_WIN32(win32);
  }
  return hr;
}

/* Make the attribute list that attaches a child to the console HPC and,
 * when JOB is not NULL, puts it in the job *JOB from its creation.  *JOB
 * must stay valid until CreateProcessW has used the list. */
static DWORD cp_attributes(void *hpc, HANDLE *job,
                           LPPROC_THREAD_ATTRIBUTE_LIST *out,
                           const char **emsg) {
  DWORD win32 = 0, count = job ? 2 : 1;
  SIZE_T size = 0;
  LPPROC_THREAD_ATTRIBUTE_LIST list = NULL;
  int initialized = 0;

  /* Two calls: the first only reports the size and fails with
   * ERROR_INSUFFICIENT_BUFFER by design (docs for
   * InitializeProcThreadAttributeList, Remarks). */
  InitializeProcThreadAttributeList(NULL, count, 0, &size);
  if (size == 0) {
    *emsg = "InitializeProcThreadAttributeList (size)";
    win32 = GetLastError();
    goto cleanup;
  }
  list = malloc(size);
  if (!list) {
    *emsg = "out of memory";
    win32 = ERROR_NOT_ENOUGH_MEMORY;
    goto cleanup;
  }
  if (!InitializeProcThreadAttributeList(list, count, 0, &size)) {
    *emsg = "InitializeProcThreadAttributeList";
    win32 = GetLastError();
    goto cleanup;
  }
  initialized = 1;
  if (!UpdateProcThreadAttribute(list, /* lpAttributeList */
                                 0,    /* dwFlags */
                                 PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE,
                                 hpc,        /* lpValue: the HPCON */
                                 sizeof hpc, /* cbSize */
                                 NULL,       /* lpPreviousValue */
                                 NULL) ||    /* lpReturnSize */
      (job &&
       !UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_JOB_LIST,
                                  job,         /* lpValue: HANDLE[1] */
                                  sizeof *job, /* cbSize */
                                  NULL, NULL))) {
    *emsg = "UpdateProcThreadAttribute";
    win32 = GetLastError();
    goto cleanup;
  }
  *out = list;
  list = NULL;

cleanup:
  if (list && initialized)
    DeleteProcThreadAttributeList(list);
  free(list);
  return win32;
}

static void cp_free_attributes(LPPROC_THREAD_ATTRIBUTE_LIST *attrs) {
  if (*attrs) {
    DeleteProcThreadAttributeList(*attrs);
    free(*attrs);
  }
  *attrs = NULL;
}

/* CreateProcessW for cp_spawn: suspended, attached by ATTRS. */
static BOOL cp_create_process(wchar_t *cmdline, wchar_t *env,
                              const wchar_t *cwd,
                              LPPROC_THREAD_ATTRIBUTE_LIST attrs,
                              PROCESS_INFORMATION *pi) {
  STARTUPINFOEXW si;

  memset(&si, 0, sizeof si);
  si.StartupInfo.cb = sizeof si;
  /* Null standard handles: the child must not inherit ours (Emacs' pipes);
   * with them null Windows hands it the pseudo console's handles.  Wine
   * leaves them null instead (spec wine-testing.md section 2): see
   * --wine-shim. */
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  si.lpAttributeList = attrs;
  return CreateProcessW(NULL,    /* lpApplicationName: first word of cmdline */
                        cmdline, /* lpCommandLine */
                        NULL,    /* lpProcessAttributes */
                        NULL,    /* lpThreadAttributes */
                        FALSE,   /* bInheritHandles: none of ours */
                        EXTENDED_STARTUPINFO_PRESENT |
                            CREATE_UNICODE_ENVIRONMENT |
                            CREATE_SUSPENDED, /* dwCreationFlags */
                        env,                  /* lpEnvironment */
                        cwd,                  /* lpCurrentDirectory */
                        &si.StartupInfo,      /* lpStartupInfo */
                        pi);                  /* lpProcessInformation */
}

DWORD cp_spawn(CpConsole *con, wchar_t *cmdline, wchar_t *env,
               const wchar_t *cwd, HANDLE job, CpChild *child, CpError *err) {
  const char *emsg = NULL;
  DWORD win32 = 0;
  CpStage stage = CP_STAGE_SETUP;
  LPPROC_THREAD_ATTRIBUTE_LIST attrs = NULL;
  PROCESS_INFORMATION pi;
  size_t len = (wcslen(cmdline) + 1) * sizeof *cmdline;
  wchar_t *retry = malloc(len); /* CreateProcessW may write to cmdline */
  int in_job = job != NULL;

  memset(&pi, 0, sizeof pi);
  if (!retry) {
    emsg = "out of memory";
    win32 = ERROR_NOT_ENOUGH_MEMORY;
    goto cleanup;
  }
  memcpy(retry, cmdline, len);
  /* In the job from its creation (PROC_THREAD_ATTRIBUTE_JOB_LIST, Windows
   * 10 1607), so that every descendant is in it too and there is no moment
   * in which the proxy could die and leave the child outside it (Raymond
   * Chen, "Destroying all child processes (and grandchildren) when the
   * parent exits"). */
  win32 = cp_attributes(con->hpc, job ? &job : NULL, &attrs, &emsg);
  if (win32)
    goto cleanup;
  stage = CP_STAGE_CREATE;
  if (!cp_create_process(cmdline, env, cwd, attrs, &pi) && job) {
    /* A refused job fails the whole creation: try without it, and let
     * the assignment below say why. */
    cp_free_attributes(&attrs);
    in_job = 0;
    stage = CP_STAGE_SETUP;
    win32 = cp_attributes(con->hpc, NULL, &attrs, &emsg);
    if (win32)
      goto cleanup;
    stage = CP_STAGE_CREATE;
    cp_create_process(retry, env, cwd, attrs, &pi);
  }
  if (!pi.hProcess) {
    emsg = "CreateProcessW";
    win32 = GetLastError();
    goto cleanup;
  }
  stage = CP_STAGE_SETUP;
  /* Still suspended.  A refusal is not fatal: the terminal works, only the
   * clean-up of leftovers is lost (the caller says so). */
  child->job_error = 0;
  if (job && !in_job && !AssignProcessToJobObject(job, pi.hProcess))
    child->job_error = GetLastError();
  if (ResumeThread(pi.hThread) == (DWORD)-1) {
    emsg = "ResumeThread";
    win32 = GetLastError();
    goto cleanup;
  }
  child->process = pi.hProcess;
  child->pid = pi.dwProcessId;
  pi.hProcess = NULL;
  /* The console host holds its own duplicates; ours must go, or the output
   * pipe never reaches EOF (EchoCon sample, "close the PTY-side handles"). */
  cp_close_handle(&con->pty_input);
  cp_close_handle(&con->pty_output);

cleanup:
  if (pi.hProcess) { /* created but not started: it never ran */
    TerminateProcess(pi.hProcess, 1);
    CloseHandle(pi.hProcess);
  }
  cp_close_handle(&pi.hThread);
  cp_free_attributes(&attrs);
  free(retry);
  if (emsg) {
    err->emsg = emsg;
    err->win32 = win32;
    err->hr = S_OK;
    err->stage = stage;
  }
  return win32;
}

HRESULT cp_resize(CpConsole *con, int cols, int rows) {
  HRESULT hr;

  if (!cp_size_ok(cols, rows))
    return E_INVALIDARG;
  AcquireSRWLockShared(&con->lock);
  hr = con->hpc ? cp_resize_fn(con->hpc, cp_coord(cols, rows)) : E_HANDLE;
  ReleaseSRWLockShared(&con->lock);
  return hr;
}

DWORD cp_windows_build(void) {
  typedef LONG(WINAPI * RtlGetVersionFn)(OSVERSIONINFOW *);
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  RtlGetVersionFn get_version;
  OSVERSIONINFOW info;

  if (!ntdll)
    return 0;
  get_version = (RtlGetVersionFn)cp_lookup(ntdll, "RtlGetVersion");
  memset(&info, 0, sizeof info);
  info.dwOSVersionInfoSize = sizeof info;
  if (!get_version || get_version(&info) != 0) /* STATUS_SUCCESS */
    return 0;
  return info.dwBuildNumber;
}

void cp_close(CpConsole *con) {
  void *hpc;

  /* Take the handle under the lock so a concurrent cp_resize either
   * finishes first or sees NULL; the blocking close runs unlocked. */
  AcquireSRWLockExclusive(&con->lock);
  hpc = con->hpc;
  con->hpc = NULL;
  ReleaseSRWLockExclusive(&con->lock);
  if (hpc)
    cp_close_fn(hpc);
}
