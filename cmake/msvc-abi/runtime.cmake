# cmake/msvc-abi/runtime.cmake -- import libraries and start-up code for
# the MSVC-ABI build (included after project() by msvc-abi-x86_64.cmake).
#
# Copyright (C) 2026 The emacs-libvterm-win contributors
#
# This program is free software: you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the Free
# Software Foundation, either version 3 of the License, or (at your option)
# any later version.  See the LICENSE file for details.
#
# Visual Studio links every program against the Windows SDK's import
# libraries and vcruntime's start-up objects.  Here:
#  - kernel32.lib and ucrtbase.lib are made from the .def
#    files next to this file with llvm-dlltool, at configure time (editing
#    a .def file re-runs CMake);
#  - vterm_msvc_abi_start holds the entry points (start-*.c); lld-link takes
#    the one a target needs (_DllMainCRTStartup, mainCRTStartup or
#    wmainCRTStartup) from the static library;
#  - link_libraries() adds both to every target defined after this point.

include_guard(GLOBAL)
get_property(_vterm_in_try_compile GLOBAL PROPERTY IN_TRY_COMPILE)
if(_vterm_in_try_compile)
  return()
endif()

set(_vterm_msvc_abi_src "${CMAKE_CURRENT_LIST_DIR}")
set(_vterm_msvc_abi_lib "${CMAKE_BINARY_DIR}/msvc-abi")
file(MAKE_DIRECTORY "${_vterm_msvc_abi_lib}")
set(_vterm_msvc_abi_import_libs "")
foreach(dll kernel32 ucrtbase)
  set(_def "${_vterm_msvc_abi_src}/${dll}.def")
  set(_lib "${_vterm_msvc_abi_lib}/${dll}.lib")
  execute_process(
    COMMAND "${VTERM_MSVC_ABI_DLLTOOL}" -m i386:x86-64 -d "${_def}" -l "${_lib}"
    RESULT_VARIABLE _rc ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "llvm-dlltool could not make ${_lib} from ${_def}: ${_err}")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_def}")
  list(APPEND _vterm_msvc_abi_import_libs "${_lib}")
endforeach()

add_library(vterm_msvc_abi_start STATIC
  "${_vterm_msvc_abi_src}/start-dll.c"
  "${_vterm_msvc_abi_src}/start-main.c"
  "${_vterm_msvc_abi_src}/start-wmain.c")
set_target_properties(vterm_msvc_abi_start PROPERTIES
  C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
target_compile_definitions(vterm_msvc_abi_start PRIVATE WIN32_LEAN_AND_MEAN)
target_compile_options(vterm_msvc_abi_start PRIVATE /W4 /WX)

link_libraries(vterm_msvc_abi_start ${_vterm_msvc_abi_import_libs})
message(STATUS "MSVC ABI: clang-cl ${CMAKE_C_COMPILER_VERSION}, import "
  "libraries in ${_vterm_msvc_abi_lib}, headers from ${VTERM_MSVC_ABI_WINE_INCLUDE}")
