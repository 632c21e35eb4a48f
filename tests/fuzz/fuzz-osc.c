/* fuzz-osc.c --- libFuzzer target: OSC 0/2/51/52 and other strings through
   vterm--write-input

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

/* The input is the byte stream itself (the dictionary osc.dict supplies
   OSC introducers, payload prefixes and terminators).  It is written in
   chunks whose lengths come from a small generator seeded by the first
   byte, so sequences are split at varying points; every third chunk is
   followed by an update and a redraw, which deliver the queued events.
   The host checks that every string handed to Lisp is valid UTF-8.  */

#include "fuzz-host.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint32_t seed;
  size_t i = 1;
  int chunks = 0;
  fuzz_host_setup();
  if (size < 1)
    return 0;
  seed = 0x9E3779B9u ^ data[0];
  if (!fuzz_term_new(6, 40, 20)) {
    fuzz_term_end();
    return 0;
  }
  while (i < size) {
    size_t n;
    seed = seed * 1103515245u + 12345u;
    /* Mostly short chunks, sometimes everything left.  */
    n = (seed >> 16) % 8 == 0 ? size - i : 1 + (seed >> 20) % 24;
    if (n > size - i)
      n = size - i;
    fuzz_write(data + i, n);
    i += n;
    if (++chunks % 3 == 0) {
      fuzz_update(NULL, 0, 0, 0);
      fuzz_redraw();
    }
  }
  fuzz_update(NULL, 0, 0, 0);
  fuzz_redraw();
  fuzz_get_pwd(1);
  fuzz_get_pwd(3);
  fuzz_term_end();
  return 0;
}
