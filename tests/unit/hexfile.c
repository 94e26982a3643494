/*
 * hexfile.c: the golden-vector loader (see hexfile.h).  It reads the whole
 * file, then parses it in one pass; the output is never longer than half
 * the input, so one allocation of that size is enough.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "hexfile.h"

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hexfile_parse(const char *text, size_t text_len, uint8_t **out, size_t *len)
{
	uint8_t *bytes = malloc(text_len / 2 + 1);
	size_t n = 0;
	int high = -1;

	if (bytes == NULL)
		return -1;
	for (size_t i = 0; i < text_len; i++) {
		char c = text[i];
		int d;

		if (c == '#') {
			while (i < text_len && text[i] != '\n')
				i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		d = hex_digit(c);
		if (d < 0)
			goto fail;
		if (high < 0) {
			high = d;
		} else {
			bytes[n++] = (uint8_t)(high << 4 | d);
			high = -1;
		}
	}
	if (high >= 0)
		goto fail;
	*out = bytes;
	*len = n;
	return 0;
fail:
	free(bytes);
	return -1;
}

int
hexfile_load(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	long size;
	int rc = -1;

	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	text = malloc((size_t)size + 1);
	if (text == NULL || fread(text, 1, (size_t)size, f) != (size_t)size)
		goto out;
	rc = hexfile_parse(text, (size_t)size, out, len);
out:
	free(text);
	fclose(f);
	return rc;
}

int
hexfile_load_data(const char *name, uint8_t **out, size_t *len)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);

	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	return hexfile_load(path, out, len);
}
