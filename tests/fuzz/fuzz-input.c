/* fuzz-input.c --- libFuzzer target: vterm--write-input interleaved with
   redraws, resizes and keys

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

/* Input format (every byte string is accepted):
     byte 0      rows (1 + b % 40)
     byte 1      cols (1 + b * 3 % 300)
     byte 2      scrollback (b * 4)
     then operations, one opcode byte each:
       0x00-0x9F  write: the opcode's low 7 bits + 1 are the chunk
                  length (clipped to the input); the chunk follows
       0xA0-0xBF  vterm--update without a key
       0xC0-0xCF  vterm--redraw
       0xD0-0xD7  vterm--set-size from the next two bytes (tiny, huge,
                  zero and out-of-range sizes included)
       0xD8-0xDF  vterm--reset-point, vterm--get-pwd-raw
       0xE0-0xFF  vterm--update with a key (next byte: key and
                  modifiers)
   So the byte stream reaches the module split at fuzzer-chosen points. */

#include "fuzz-host.h"

#include <stddef.h>
#include <stdint.h>

static const char *const keys[] = {
    "a",         "A",          "SPC",        "j",          "m",
    "<return>",  "<tab>",      "<backtab>",  "<backspace>", "<escape>",
    "<up>",      "<down>",     "<left>",     "<right>",    "<home>",
    "<end>",     "<prior>",    "<next>",     "<insert>",   "<delete>",
    "<f1>",      "<f5>",       "<f12>",      "<kp-0>",     "<kp-enter>",
    "<kp-add>",  "<start_paste>", "<end_paste>", "<clear_scrollback>",
    "<start>",   "<stop>",     "\xc3\xa9",   "\xe6\x97\xa5", "\xf0\x9f\x98\x80",
    "\xff",      "",           "<f99>",      "ab",         "\x01",
    "<iso-lefttab>"};

static long size_value(uint8_t b, int cols) {
  static const long special[] = {0, 1, 2, -1, 65535, 65536, 100000};
  if (b >= 0xF8)
    return special[(b - 0xF8) % 7];
  return cols ? 1 + (long)b * 2 : 1 + b % 50;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t i = 3;
  fuzz_host_setup();
  if (size < 3)
    return 0;
  if (!fuzz_term_new(1 + data[0] % 40, 1 + (long)data[1] * 3 % 300,
                     (long)data[2] * 4)) {
    fuzz_term_end();
    return 0;
  }
  while (i < size) {
    uint8_t op = data[i++];
    if (op < 0xA0) {
      size_t n = (size_t)(op & 0x7F) + 1;
      if (n > size - i)
        n = size - i;
      fuzz_write(data + i, n);
      i += n;
    } else if (op < 0xC0) {
      fuzz_update(NULL, 0, 0, 0);
    } else if (op < 0xD0) {
      fuzz_redraw();
    } else if (op < 0xD8) {
      long rows, cols;
      if (size - i < 2)
        break;
      rows = size_value(data[i], 0);
      cols = size_value(data[i + 1], 1);
      i += 2;
      /* Keep memory per input bounded: the module accepts up to two
         million cells, which is slow to fuzz.  */
      if (rows > 0 && cols > 0 && rows * cols > 70000)
        rows = 70000 / cols > 0 ? 70000 / cols : 1;
      fuzz_resize(rows, cols);
    } else if (op < 0xE0) {
      if (op & 1)
        fuzz_reset_point();
      else
        fuzz_get_pwd((long)(op & 6) - 2);
    } else {
      uint8_t k;
      if (i >= size)
        break;
      k = data[i++];
      fuzz_update(keys[k % (sizeof keys / sizeof keys[0])], op & 1, op & 2,
                  op & 4);
    }
  }
  fuzz_update(NULL, 0, 0, 0);
  fuzz_redraw();
  fuzz_term_end();
  return 0;
}
