/* main.c --- command line of vterm-host, the headless Emacs module host

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

/* Usage: vterm-host [-v] [--module FILE] [--eval FORM]... SCRIPT...

   Loads FILE (if given) as an Emacs module, evaluates the FORMs, then
   evaluates each SCRIPT at top level.  Prints "N passed, N failed" and exits 1 when any
   assertion failed or an error escaped to top level, 2 on a usage or
   load error.  Finalizers of live user pointers run before exit.  */

#include "host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef VTERM_HOST_NO_MAIN

extern long tests_skipped;

static int usage(void) {
  fprintf(stderr, "usage: vterm-host [-v] [--module FILE] [--eval FORM]... "
                  "SCRIPT...\n");
  return 2;
}

/* Evaluate the forms in TEXT at top level; returns 0 on success.  */
static int eval_string(const char *text) {
  int err;
  Value *forms = read_all(text, strlen(text), "--eval", &err);
  ptrdiff_t base = root_push(forms);
  for (Value *l = forms; !err && CONSP(l); l = XCDR(l))
    if (!eval(XCAR(l))) {
      char *e = value_repr(cons(host_exit.sym, host_exit.data), 1, 2000);
      fprintf(stderr, "vterm-host: --eval %s: %s\n", text, e);
      free(e);
      clear_exit();
      err = 1;
    }
  root_reset(base);
  return err;
}

int main(int argc, char **argv) {
  const char *module = NULL;
  const char *evals[64];
  int nevals = 0, first = 1, status;
  for (; first < argc && argv[first][0] == '-'; first++) {
    if (strcmp(argv[first], "-v") == 0)
      host_verbose = 1;
    else if (strcmp(argv[first], "--module") == 0 && first + 1 < argc)
      module = argv[++first];
    else if (strcmp(argv[first], "--eval") == 0 && first + 1 < argc &&
             nevals < 64)
      evals[nevals++] = argv[++first];
    else if (strcmp(argv[first], "--") == 0) {
      first++;
      break;
    } else
      return usage();
  }
  if (first >= argc)
    return usage();
  setvbuf(stdout, NULL, _IONBF, 0);
  setvbuf(stderr, NULL, _IONBF, 0);
  host_init();
  intern("host-module-file")->u.sym.value =
      module ? make_cstring(module) : Qnil;
  if (module && !module_load(module)) {
    char *e = value_repr(cons(host_exit.sym, host_exit.data), 1, 2000);
    fprintf(stderr, "vterm-host: loading %s failed: %s\n", module, e);
    free(e);
    host_shutdown();
    return 2;
  }
  for (int i = 0; i < nevals; i++)
    if (eval_string(evals[i])) {
      host_shutdown();
      return 2;
    }
  for (int i = first; i < argc; i++)
    if (run_script(argv[i]) < 0) {
      fprintf(stderr, "vterm-host: cannot read %s\n", argv[i]);
      tests_failed++;
    }
  printf("%ld passed, %ld failed", tests_passed, tests_failed);
  if (tests_skipped)
    printf(", %ld skipped", tests_skipped);
  printf("\n");
  status = tests_failed ? 1 : 0;
  host_shutdown();
  return status;
}

#endif /* VTERM_HOST_NO_MAIN */
