/*
 * hexfile.h: loads golden byte vectors written by hand as hex.  A file is
 * pairs of hex digits; whitespace is ignored and `#` starts a comment that
 * runs to the end of the line.  Anything else is an error, so a typo in a
 * vector fails its test instead of silently shortening it.
 */
#ifndef HEXFILE_H
#define HEXFILE_H

#include <stddef.h>
#include <stdint.h>

/* Parse hex text; *out is malloc'ed (free() it).  0, or -1 on a bad digit
 * or an odd count of digits. */
int hexfile_parse(const char *text, size_t text_len, uint8_t **out, size_t *len);

/* Load and parse a file.  0, or -1 if it cannot be read or parsed. */
int hexfile_load(const char *path, uint8_t **out, size_t *len);

/* Load TEST_DATA_DIR "/" name. */
int hexfile_load_data(const char *name, uint8_t **out, size_t *len);

#endif
