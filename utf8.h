/* utf8.h - RFC 3629 UTF-8 encoding and validation for vterm-module.
 *
 * Copyright (C) 2026 The emacs-libvterm-win contributors
 *
 * This program is free software: you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the Free
 * Software Foundation, either version 3 of the License, or (at your option)
 * any later version.
 *
 * This program is distributed in the hope that it will be useful, but WITHOUT
 * ANY WARRANTY; without even the implied warranty of MERCHANTABILITY or
 * FITNESS FOR A PARTICULAR PURPOSE.  See the GNU General Public License for
 * more details.
 *
 * You should have received a copy of the GNU General Public License along
 * with this program.  If not, see <https://www.gnu.org/licenses/>.
 */
#ifndef VTERM_UTF8_H
#define VTERM_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The replacement character U+FFFD, used for every malformed sequence. */
#define UTF8_REPLACEMENT 0xFFFDu

/* Longest encoding of one code point. */
#define UTF8_MAX_BYTES 4

/* Writes the encoding of CODEPOINT to OUT and returns its length (1-4).
 * Surrogates and values above U+10FFFF are encoded as U+FFFD. */
size_t utf8_encode(uint32_t codepoint, char out[UTF8_MAX_BYTES]);

/* Incremental decoder: feed it one byte at a time, across any chunking. */
typedef struct {
  uint32_t partial; /* bits collected so far */
  uint32_t min;     /* smallest code point allowed for this length */
  int needed;       /* continuation bytes still expected (0: at a boundary) */
  size_t errors;    /* malformed sequences seen so far */
} Utf8Decoder;

/* Feeds BYTE to DECODER.  Writes the decoded code points to OUT and returns
 * how many there are (0, 1 or 2).  A malformed or interrupted sequence yields
 * U+FFFD; the byte that interrupted it is then decoded on its own, so the
 * result is two code points.  Overlongs, surrogates and values above
 * U+10FFFF are malformed. */
int utf8_decode_byte(Utf8Decoder *decoder, unsigned char byte, uint32_t out[2]);

/* Ends a stream: returns 1 and writes U+FFFD if a sequence was left
 * incomplete, else 0.  The decoder is reset either way. */
int utf8_decode_finish(Utf8Decoder *decoder, uint32_t out[1]);

/* Copies IN (LEN bytes) to OUT, replacing every malformed sequence with
 * U+FFFD, and returns the number of bytes written.  OUT must have room for
 * utf8_sanitized_bound(LEN) bytes.  Stores the number of code points in
 * *CHARS when CHARS is not NULL. */
size_t utf8_sanitize(const char *in, size_t len, char *out, size_t *chars);

/* Upper bound of utf8_sanitize's output for LEN input bytes (each malformed
 * byte becomes the 3-byte U+FFFD).  Returns 0 if that would overflow. */
size_t utf8_sanitized_bound(size_t len);

/* Looks at the sequence starting at IN (AVAIL > 0 bytes available) and
 * stores its extent in *LEN:
 *   UTF8_VALID      a well-formed character of *LEN bytes (1 for ASCII);
 *   UTF8_INVALID    malformed: *LEN is its maximal subpart (the lead byte
 *                   and the continuation bytes that were still acceptable),
 *                   to be replaced by one U+FFFD;
 *   UTF8_TRUNCATED  well-formed so far but cut off by the end of IN. */
enum { UTF8_VALID, UTF8_INVALID, UTF8_TRUNCATED };
int utf8_check(const char *in, size_t avail, size_t *len);

/* Returns nonzero if IN (LEN bytes) is well-formed UTF-8. */
int utf8_is_valid(const char *in, size_t len);

#endif /* VTERM_UTF8_H */
