/* replay.c --- run a libFuzzer target on files, without libFuzzer

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

/* Usage: fuzz-TARGET-replay FILE...
   Calls LLVMFuzzerTestOneInput once per FILE (the regression inputs
   and the seed corpus), so every build replays them with any compiler;
   a failure is a crash or an abort.  Prints the number of inputs run. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  int run = 0;
  for (int i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, got;
    if (!f) {
      fprintf(stderr, "replay: cannot open %s\n", argv[i]);
      return 2;
    }
    do {
      if (len + 4096 > cap) {
        cap = (len + 4096) * 2;
        uint8_t *nbuf = realloc(buf, cap);
        if (!nbuf)
          abort();
        buf = nbuf;
      }
      got = fread(buf + len, 1, cap - len, f);
      len += got;
    } while (got > 0);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    run++;
  }
  printf("replayed %d input(s)\n", run);
  return 0;
}
