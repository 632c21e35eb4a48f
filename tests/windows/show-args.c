/* show-args.c -- test helper: a stand-in shell that shows its arguments.
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

/* Usage: show-args.exe [ARG...]
 * Writes "show-args: N argument(s)" and then each argument in brackets to
 * its standard output, and exits with N.  The tests install it under a
 * shell's name (a pwsh.exe in a directory with a space, a cmd.exe planted
 * in a buffer's directory) to see whether it ran and what it was given. */

#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static void put(HANDLE out, const char *s) {
  DWORD written;
  WriteFile(out, s, (DWORD)strlen(s), &written, NULL);
}

int wmain(int argc, wchar_t **argv) {
  HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
  char line[64];
  int i;

  snprintf(line, sizeof line, "show-args: %d argument(s)\r\n", argc - 1);
  put(out, line);
  for (i = 1; i < argc; i++) {
    int n = WideCharToMultiByte(CP_UTF8, 0, argv[i], -1, NULL, 0, NULL, NULL);
    char *s = malloc(n > 0 ? (size_t)n : 1);
    if (!s || n <= 0 ||
        !WideCharToMultiByte(CP_UTF8, 0, argv[i], -1, s, n, NULL, NULL))
      return 100;
    put(out, "[");
    put(out, s);
    put(out, "]\r\n");
    free(s);
  }
  return argc - 1;
}
