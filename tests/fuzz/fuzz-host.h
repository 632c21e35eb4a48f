/* fuzz-host.h --- drive vterm-module through the headless host from a fuzzer

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

#ifndef VTERM_FUZZ_HOST_H
#define VTERM_FUZZ_HOST_H

#include <stddef.h>
#include <stdint.h>

/* Loads the module once: the one linked into the fuzzer, or the file
   named by $VTERM_FUZZ_MODULE.  Aborts when that fails.  */
void fuzz_host_setup(void);

/* A terminal of ROWS x COLS in a fresh buffer (scrollback SB); returns
   0 when vterm--new signalled (e.g. a size out of range).  */
int fuzz_term_new(long rows, long cols, long sb);

/* Each wraps one module call; a Lisp error from it is cleared and makes
   the call return 0 (errors are expected for bad arguments).  */
int fuzz_write(const uint8_t *bytes, size_t len);
int fuzz_update(const char *key, int shift, int meta, int ctrl);
int fuzz_redraw(void);
int fuzz_resize(long rows, long cols);
int fuzz_reset_point(void);
int fuzz_get_pwd(long line);

/* Checks invariants of the buffer (valid UTF-8, one line per row at
   least) and aborts on a violation; then drops the terminal, kills the
   buffer and collects garbage, which runs the terminal's finalizer.  */
void fuzz_term_end(void);

#endif /* VTERM_FUZZ_HOST_H */
