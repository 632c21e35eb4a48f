/* start-main.c - entry point of main programs in the MSVC-ABI test build.
 *
 * Copyright (C) 2026 The emacs-libvterm-win contributors
 *
 * This program is free software: you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the Free
 * Software Foundation, either version 3 of the License, or (at your option)
 * any later version.  See the LICENSE file for details.
 *
 * The narrow twin of start-wmain.c: lld-link picks mainCRTStartup when a
 * program defines main.
 */
#include <corecrt_startup.h>
#include <stdlib.h>

int main(int argc, char **argv);
void __cdecl mainCRTStartup(void);

void __cdecl mainCRTStartup(void) {
  _set_app_type(_crt_console_app);
  if (_configure_narrow_argv(_crt_argv_unexpanded_arguments) != 0 ||
      _initialize_narrow_environment() != 0)
    _exit(255);
  exit(main(*__p___argc(), *__p___argv()));
}
