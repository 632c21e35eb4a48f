/* job-run.c -- test helper: run a command inside a job object of its own.
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

/* Usage: job-run.exe PROGRAM [ARG...]
 * Runs the rest of its command line, unchanged, inside a new job object
 * that allows no breakaway, with this program's standard handles, and
 * exits with its exit code.  It stands for Emacs started by a launcher
 * that keeps it in a job (packaged apps, some terminals and CI services),
 * where conpty-proxy may be refused a job of its own.  Exits 120 + a stage
 * number when it cannot run the command. */

#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <string.h>
#include <wchar.h>

/* The command line after this program's own name. */
static wchar_t *rest_of_command_line(void) {
  wchar_t *p = GetCommandLineW();

  if (*p == L'"') {
    p = wcschr(p + 1, L'"');
    p = p ? p + 1 : p + wcslen(p);
  } else {
    while (*p && *p != L' ' && *p != L'\t')
      p++;
  }
  while (*p == L' ' || *p == L'\t')
    p++;
  return p;
}

int wmain(void) {
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION info;
  STARTUPINFOW si;
  PROCESS_INFORMATION pi;
  HANDLE job = CreateJobObjectW(NULL, NULL);
  DWORD code = 0;

  memset(&info, 0, sizeof info);
  info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  if (!job || !SetInformationJobObject(job, JobObjectExtendedLimitInformation,
                                       &info, sizeof info))
    return 121;
  memset(&si, 0, sizeof si);
  si.cb = sizeof si;
  if (!CreateProcessW(NULL, rest_of_command_line(), NULL, NULL,
                      TRUE, /* bInheritHandles: our standard handles */
                      CREATE_SUSPENDED, NULL, NULL, &si, &pi))
    return 122;
  if (!AssignProcessToJobObject(job, pi.hProcess)) {
    TerminateProcess(pi.hProcess, 1);
    return 123;
  }
  ResumeThread(pi.hThread);
  CloseHandle(pi.hThread);
  WaitForSingleObject(pi.hProcess, INFINITE);
  GetExitCodeProcess(pi.hProcess, &code);
  return (int)code;
}
