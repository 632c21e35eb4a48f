/* abi-probe.c - what the MSVC-ABI toolchain compiles for (tests/msvc/run.sh).
 *
 * Copyright (C) 2026 The emacs-libvterm-win contributors
 *
 * This program is free software: you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the Free
 * Software Foundation, either version 3 of the License, or (at your option)
 * any later version.  See the LICENSE file for details.
 *
 * Compiled, never run, with the flags of cmake/msvc-abi-x86_64.cmake: each
 * line fails the compile if the toolchain is not what we claim, i.e. the
 * data model and layout rules of Visual Studio's x64 C compiler, and
 * emacs-module.h laid out as Emacs (built by mingw-w64) lays it out.
 */
#include <emacs-module.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#ifndef _MSC_VER
#error "_MSC_VER is not defined: not an MSVC-compatible compiler"
#endif
#ifdef __GNUC__
#error "__GNUC__ is defined: code behind #ifdef __GNUC__ would be compiled"
#endif
#ifdef __MINGW32__
#error "mingw-w64's headers or target are in use"
#endif
#if !defined _WIN64 || !defined _M_X64
#error "not x64 Windows"
#endif

/* LLP64: long stays 32 bits, pointers are 64. */
_Static_assert(sizeof(long) == 4, "long is 32 bits");
_Static_assert(sizeof(long long) == 8 && sizeof(void *) == 8, "LLP64");
_Static_assert(sizeof(ptrdiff_t) == 8 && sizeof(intmax_t) == 8, "64-bit sizes");
_Static_assert(sizeof(wchar_t) == 2, "wchar_t is a UTF-16 unit");
/* MSVC's long double is a double (mingw-w64's is the x87 80-bit type). */
_Static_assert(sizeof(long double) == 8, "long double is 64 bits");

/* MSVC bit-fields: a field takes a whole unit of its declared type, and
 * fields of different types do not share a unit. */
struct probe_bits {
  char c;
  int i : 4;
  char d : 2;
};
_Static_assert(sizeof(struct probe_bits) == 12, "MSVC bit-field layout");

/* The module interface as Emacs sees it. */
_Static_assert(sizeof(emacs_value) == 8, "emacs_value is a pointer");
_Static_assert(offsetof(struct emacs_runtime, get_environment) == 16,
               "emacs_runtime layout");
_Static_assert(offsetof(struct emacs_env_25, make_global_ref) == 16,
               "emacs_env layout");
_Static_assert(sizeof(intmax_t) == sizeof(emacs_value),
               "integers and values are passed in 64-bit registers");

int probe_unused(void);
