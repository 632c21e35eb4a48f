/* start-dll.c - DLL entry point for the MSVC-ABI test build.
 *
 * Copyright (C) 2026 The emacs-libvterm-win contributors
 *
 * This program is free software: you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the Free
 * Software Foundation, either version 3 of the License, or (at your option)
 * any later version.  See the LICENSE file for details.
 *
 * A Visual Studio build gets _DllMainCRTStartup from vcruntime's static
 * part, which we do not have.  Our DLLs are C without constructors, and
 * ucrtbase.dll initialises itself when it is loaded, so the entry point
 * only has to accept every notification.
 */
#include <windows.h>

BOOL WINAPI _DllMainCRTStartup(HINSTANCE instance, DWORD reason,
                               LPVOID reserved);

BOOL WINAPI _DllMainCRTStartup(HINSTANCE instance, DWORD reason,
                               LPVOID reserved) {
  (void)instance;
  (void)reason;
  (void)reserved;
  return TRUE;
}
