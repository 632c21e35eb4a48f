/* start-wmain.c - entry point of wmain programs in the MSVC-ABI test build.
 *
 * Copyright (C) 2026 The emacs-libvterm-win contributors
 *
 * This program is free software: you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the Free
 * Software Foundation, either version 3 of the License, or (at your option)
 * any later version.  See the LICENSE file for details.
 *
 * lld-link picks wmainCRTStartup as the entry point when a program defines
 * wmain.  Visual Studio's comes from vcruntime's static part; this one does
 * the same few steps through ucrtbase.dll's documented start-up API: parse
 * the command line into __wargv, build the environment, call wmain, exit
 * with its result (exit flushes stdio and runs atexit handlers).
 */
#include <corecrt_startup.h>
#include <stdlib.h>
#include <wchar.h>

int wmain(int argc, wchar_t **argv);
void __cdecl wmainCRTStartup(void);

void __cdecl wmainCRTStartup(void) {
  _set_app_type(_crt_console_app);
  if (_configure_wide_argv(_crt_argv_unexpanded_arguments) != 0 ||
      _initialize_wide_environment() != 0)
    _exit(255);
  exit(wmain(*__p___argc(), *__p___wargv()));
}
