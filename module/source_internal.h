/*
 * source_internal.h: what the source object (source.c) shares with the
 * document parsers that fill it (source_json.c): the object's fields, the
 * file reader and the text forms of values that RPKI documents share (AS
 * numbers, RFC 3339 times, hex SKIs, base64 keys).  No jansson here.
 */
#ifndef RTRMOD_SOURCE_INTERNAL_H
#define RTRMOD_SOURCE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/source.h>

/* Options in, the statistics of the last load out.  `error` is "" unless
 * the last load failed. */
struct rtrmod_source {
	struct rtrmod_ctx *ctx;
	bool ignore_expiry;
	size_t accepted[RTRMOD_SOURCE_KIND_COUNT];
	size_t dropped[RTRMOD_SOURCE_KIND_COUNT][RTRMOD_SOURCE_DROP_COUNT];
	enum rtrmod_source_format format;
	bool has_build_time, has_valid_until, has_next_expiry;
	int64_t build_time, valid_until, next_expiry;
	char error[512];
};

/* Zero the statistics and times (not the options, not the error). */
void source_reset(struct rtrmod_source *src);
/* A record kept with this "expires": remember the earliest. */
void source_note_expiry(struct rtrmod_source *src, int64_t at);

/* Read all of `path` through the context's allocator.  RTRMOD_EIO (with
 * src->error set to "PATH: strerror") or RTRMOD_ENOMEM. */
int source_read_file(struct rtrmod_source *src, const char *path, char **out, size_t *len);

/* "AS123", "as123" or "123", exactly `len` bytes, at most 4294967295. */
bool source_asn_parse(const char *s, size_t len, uint32_t *out);
/* RFC 3339 "2025-07-20T10:01:43Z": fraction ignored, Z or +hh:mm. */
bool source_time_parse(const char *s, int64_t *out);
/* Exactly 2 * n hex digits (either case) into n bytes. */
bool source_hex_parse(const char *s, size_t len, uint8_t *out, size_t n);
/* Base64 in the standard or URL-safe alphabet (RFC 4648 §4, §5), padding
 * optional; `out` needs len * 3 / 4 + 3 bytes.  False on any other byte. */
bool source_base64_parse(const char *s, size_t len, uint8_t *out, size_t *out_len);

#endif
