/* argv-dump.c -- test helper: write this program's argv to a file.
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

/* Usage: argv-dump.exe OUTFILE [ARG...]
 * Writes each ARG as UTF-8 followed by a NUL byte to OUTFILE, as the C
 * runtime split the command line; the tests compare that with what they
 * passed to conpty-proxy, which checks the proxy's quoting.  Exits 0. */

#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <stdlib.h>
#include <wchar.h>

int wmain(int argc, wchar_t **argv) {
  HANDLE out;
  int i;

  if (argc < 2)
    return 2;
  out = CreateFileW(argv[1], GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                    FILE_ATTRIBUTE_NORMAL, NULL);
  if (out == INVALID_HANDLE_VALUE)
    return 3;
  for (i = 2; i < argc; i++) {
    int n = WideCharToMultiByte(CP_UTF8, 0, argv[i], -1, NULL, 0, NULL, NULL);
    char *s = malloc(n > 0 ? (size_t)n : 1);
    DWORD written;
    if (!s || n <= 0 ||
        !WideCharToMultiByte(CP_UTF8, 0, argv[i], -1, s, n, NULL, NULL))
      return 4;
    /* n counts the terminating NUL, which is the separator. */
    WriteFile(out, s, (DWORD)n, &written, NULL);
    free(s);
  }
  CloseHandle(out);
  return 0;
}
