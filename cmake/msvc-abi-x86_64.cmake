# cmake/msvc-abi-x86_64.cmake -- CMake toolchain file: Linux -> 64-bit
# Windows with the MSVC ABI (clang-cl and lld-link), for testing.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
#
# This program is free software: you can redistribute it and/or modify
# it under the terms of the GNU General Public License as published by
# the Free Software Foundation, either version 3 of the License, or
# (at your option) any later version.
#
# This program is distributed in the hope that it will be useful,
# but WITHOUT ANY WARRANTY; without even the implied warranty of
# MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
# GNU General Public License for more details.
#
# You should have received a copy of the GNU General Public License
# along with this program.  If not, see <https://www.gnu.org/licenses/>.

# Usage:
#   cmake -B build -DCMAKE_TOOLCHAIN_FILE=cmake/msvc-abi-x86_64.cmake \
#         -DBUILD_TESTING=OFF -DUSE_SYSTEM_LIBVTERM=OFF -DLIBVTERM_SOURCE_DIR=...
#
# Builds vterm-module.dll and conpty-proxy.exe the way Visual Studio would
# lay them out (x86_64-pc-windows-msvc: MSVC's struct layout, 32-bit long,
# MSVC's calling convention and name decoration, COFF objects linked by
# lld-link against the Universal C Runtime), with no Microsoft file on the
# machine (Debian: clang-tools-14, lld, llvm, libwine-dev):
#  - the compiler is clang-cl, the cl.exe-compatible driver: CMake treats it
#    as MSVC (MSVC is true, /W4 and friends apply), _MSC_VER is defined and
#    __GNUC__ is not;
#  - the C runtime and Windows headers are Wine's (libwine-dev), which
#    follow Microsoft's UCRT headers; cmake/msvc-abi/include comes first and
#    makes the POSIX headers Wine has and Visual Studio lacks fail;
#  - import libraries are made at configure time from the .def files in
#    cmake/msvc-abi, and the start-up code vcruntime would give is the few
#    lines of cmake/msvc-abi/start-*.c (see cmake/msvc-abi/runtime.cmake).
# The binaries are for tests under Wine, not for users: see
# doc/msvc-abi.md for what this build proves and what it cannot.

set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)

find_program(CMAKE_C_COMPILER NAMES clang-cl clang-cl-14
             HINTS /usr/lib/llvm-14/bin REQUIRED)
set(CMAKE_C_COMPILER_TARGET x86_64-pc-windows-msvc)
# The LLVM tools that go with the compiler (Debian keeps the unversioned
# names in /usr/lib/llvm-N/bin).
get_filename_component(_vterm_llvm_bin "${CMAKE_C_COMPILER}" REALPATH)
get_filename_component(_vterm_llvm_bin "${_vterm_llvm_bin}" DIRECTORY)
find_program(CMAKE_LINKER NAMES lld-link HINTS "${_vterm_llvm_bin}" REQUIRED)
find_program(CMAKE_AR NAMES llvm-lib HINTS "${_vterm_llvm_bin}" REQUIRED)
find_program(CMAKE_RC_COMPILER NAMES llvm-rc HINTS "${_vterm_llvm_bin}")
find_program(CMAKE_MT NAMES llvm-mt HINTS "${_vterm_llvm_bin}")
find_program(VTERM_MSVC_ABI_DLLTOOL NAMES llvm-dlltool
             HINTS "${_vterm_llvm_bin}" REQUIRED)

# Wine's C runtime and Windows headers.
find_path(VTERM_MSVC_ABI_WINE_INCLUDE msvcrt/corecrt_startup.h
          PATHS /usr/include/wine/wine /usr/local/include/wine/wine
          NO_DEFAULT_PATH)
if(NOT VTERM_MSVC_ABI_WINE_INCLUDE)
  message(FATAL_ERROR "Wine's headers not found (msvcrt/corecrt_startup.h).  "
    "Install them (Debian: apt-get install libwine-dev), or set "
    "VTERM_MSVC_ABI_WINE_INCLUDE to the directory holding msvcrt/ and windows/.")
endif()

set(_vterm_msvc_abi "${CMAKE_CURRENT_LIST_DIR}/msvc-abi")
# /imsvc: system include directories, searched in this order.
# /GS-: no stack cookies (their support code lives in vcruntime's static
# part, which we do not have).
# -Wno-dll-attribute-on-redeclaration: clang's, not MSVC's: cl.exe accepts
# a dllexport definition after a plain declaration (emacs_module_init in
# emacs-module.h) silently.
# -Wgnu, -Werror=vla: GNU extensions and variable-length arrays, which
# cl.exe rejects, are diagnosed instead of quietly accepted by clang.
string(JOIN " " CMAKE_C_FLAGS_INIT
  "/imsvc \"${_vterm_msvc_abi}/include\""
  "/imsvc \"${VTERM_MSVC_ABI_WINE_INCLUDE}/msvcrt\""
  "/imsvc \"${VTERM_MSVC_ABI_WINE_INCLUDE}/windows\""
  "/GS- -Wgnu -Werror=vla -Wno-dll-attribute-on-redeclaration")
# No default libraries (libcmt, msvcrt, oldnames do not exist here); /Brepro:
# no time stamp in the PE header.
foreach(kind EXE SHARED MODULE)
  set(CMAKE_${kind}_LINKER_FLAGS_INIT "/NODEFAULTLIB /Brepro /MANIFEST:NO")
endforeach()
# The import libraries and start-up code come from runtime.cmake, not from
# Visual Studio's default list (user32.lib, gdi32.lib, ...).
set(CMAKE_C_STANDARD_LIBRARIES "" CACHE STRING
    "Libraries linked into every C program (MSVC-ABI build: none)")

# The compiler checks must not link: the import libraries do not exist yet.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_PROJECT_INCLUDE "${_vterm_msvc_abi}/runtime.cmake")

# Nothing of the Linux host (its libvterm, say) may be found for the target.
set(CMAKE_FIND_ROOT_PATH "${_vterm_msvc_abi}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
