/* sys/unistd.h - not part of the Microsoft C runtime.
 *
 * Copyright (C) 2026 The emacs-libvterm-win contributors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The MSVC-ABI build uses Wine's C runtime headers, which also provide
 * this POSIX header.  Visual Studio has none, so including it must fail
 * here too: code for Windows has to do without it.
 */
#error "<sys/unistd.h> is not available with MSVC; use the Windows API instead"
