# cmake/libvterm.cmake - libvterm as our own static target.
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
#
# This program is free software: you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the Free
# Software Foundation, either version 3 of the License, or (at your option)
# any later version.  See the LICENSE file for details.
#
# Defines the target `vterm` (a static library with its include directory)
# and the variables VTERM_HAVE_SB_CLEAR / VTERM_HAVE_LINEINFO_CONTINUATION.
#
# Either the system library (USE_SYSTEM_LIBVTERM, found with find_path and
# find_library), or libvterm built from sources: a local tree given with
# LIBVTERM_SOURCE_DIR (offline builds), else the 0.3.3 release fetched at
# build time.  The release tarball ships the generated encoding tables, so
# neither perl nor libtool is needed.

include(CheckStructHasMember)
include(CheckSymbolExists)
include(CheckCSourceCompiles)

find_path(LIBVTERM_SYSTEM_INCLUDE_DIR vterm.h)
find_library(LIBVTERM_SYSTEM_LIBRARY vterm)
if(LIBVTERM_SYSTEM_INCLUDE_DIR AND LIBVTERM_SYSTEM_LIBRARY)
  set(_vterm_system_found ON)
else()
  set(_vterm_system_found OFF)
endif()

# VTERM_USE_SYSTEM_LIBVTERM is the preferred name; USE_SYSTEM_LIBVTERM is
# upstream's and still works.
if(DEFINED VTERM_USE_SYSTEM_LIBVTERM AND NOT DEFINED USE_SYSTEM_LIBVTERM)
  set(USE_SYSTEM_LIBVTERM ${VTERM_USE_SYSTEM_LIBVTERM})
endif()
option(USE_SYSTEM_LIBVTERM "Link the system libvterm" ${_vterm_system_found})
set(LIBVTERM_SOURCE_DIR "" CACHE PATH
    "Local libvterm source tree to build instead of fetching one")
set(LIBVTERM_URL
    "https://launchpad.net/libvterm/trunk/v0.3/+download/libvterm-0.3.3.tar.gz"
    CACHE STRING "libvterm release fetched when no other source is given")
set(LIBVTERM_URL_HASH
    "SHA256=09156f43dd2128bd347cbeebe50d9a571d32c64e0cf18d211197946aff7226e0"
    CACHE STRING "Hash of LIBVTERM_URL")

if(USE_SYSTEM_LIBVTERM)
  if(NOT _vterm_system_found)
    message(FATAL_ERROR
      "USE_SYSTEM_LIBVTERM is on but libvterm was not found.\n"
      "Install it (Debian/Ubuntu: apt-get install libvterm-dev), or configure "
      "with -DUSE_SYSTEM_LIBVTERM=OFF to build libvterm from source.")
  endif()
  add_library(vterm UNKNOWN IMPORTED)
  set_target_properties(vterm PROPERTIES
    IMPORTED_LOCATION "${LIBVTERM_SYSTEM_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LIBVTERM_SYSTEM_INCLUDE_DIR}")
  set(_vterm_include_dir "${LIBVTERM_SYSTEM_INCLUDE_DIR}")
  message(STATUS "libvterm: system (${LIBVTERM_SYSTEM_LIBRARY})")
else()
  if(LIBVTERM_SOURCE_DIR)
    set(_vterm_src "${LIBVTERM_SOURCE_DIR}")
  else()
    include(FetchContent)
    FetchContent_Declare(libvterm URL "${LIBVTERM_URL}" URL_HASH "${LIBVTERM_URL_HASH}")
    FetchContent_GetProperties(libvterm)
    if(NOT libvterm_POPULATED)
      FetchContent_Populate(libvterm)
    endif()
    set(_vterm_src "${libvterm_SOURCE_DIR}")
  endif()
  if(NOT EXISTS "${_vterm_src}/include/vterm.h" OR
     NOT EXISTS "${_vterm_src}/src/encoding/DECdrawing.inc")
    message(FATAL_ERROR
      "${_vterm_src} is not a libvterm release tree (include/vterm.h and the "
      "generated src/encoding/*.inc are needed).  Point LIBVTERM_SOURCE_DIR at "
      "an unpacked release tarball, e.g. from `apt-get source libvterm`.")
  endif()
  file(GLOB _vterm_sources "${_vterm_src}/src/*.c")
  add_library(vterm STATIC ${_vterm_sources})
  target_include_directories(vterm SYSTEM PUBLIC "${_vterm_src}/include")
  target_include_directories(vterm PRIVATE "${_vterm_src}/src")
  set_target_properties(vterm PROPERTIES
    POSITION_INDEPENDENT_CODE ON
    C_STANDARD 99
    C_VISIBILITY_PRESET hidden)
  if(MSVC)
    target_compile_options(vterm PRIVATE /W0)
  else()
    target_compile_options(vterm PRIVATE -w)
  endif()
  set(_vterm_include_dir "${_vterm_src}/include")
  message(STATUS "libvterm: built from ${_vterm_src}")
endif()

# Features differ between libvterm 0.1.x and 0.3.x: probe the header.
# The probes only compile: the library may not be built yet, and linking
# would need it.
set(CMAKE_REQUIRED_INCLUDES "${_vterm_include_dir}")
set(CMAKE_REQUIRED_QUIET ON)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
check_struct_has_member("VTermScreenCallbacks" sb_clear vterm.h
                        VTERM_HAVE_SB_CLEAR LANGUAGE C)
# A bitfield: check_struct_has_member's sizeof() cannot probe it.
check_c_source_compiles("
#include <vterm.h>
int probe(void) { VTermLineInfo info = {0}; info.continuation = 1; return (int)info.continuation; }"
  VTERM_HAVE_LINEINFO_CONTINUATION)
check_symbol_exists(vterm_state_set_bold_highbright vterm.h
                    VTERM_HAVE_BOLD_HIGHBRIGHT)
# libvterm >= 0.3 re-wraps lines on resize (reflow.c).
check_symbol_exists(vterm_screen_enable_reflow vterm.h VTERM_HAVE_REFLOW)
check_c_source_compiles("
#include <vterm.h>
int probe(void) { VTermStringFragment f = {0}; return (int)f.len; }"
  VTERM_HAVE_STRING_FRAGMENTS)
unset(CMAKE_TRY_COMPILE_TARGET_TYPE)
unset(CMAKE_REQUIRED_INCLUDES)
unset(CMAKE_REQUIRED_QUIET)
