/*
 * source_internal.h: what the source object (source.c) shares with the
 * document parsers that fill it (source_json.c) and the signature checker
 * (source_sign.c): the object's fields, the file reader, the time checks,
 * the signed-roa digest and the text forms of values that RPKI documents
 * share (AS numbers, RFC 3339 times, hex SKIs, base64 keys).  Neither
 * jansson's nor OpenSSL's headers are needed here.
 */
#ifndef RTRMOD_SOURCE_INTERNAL_H
#define RTRMOD_SOURCE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/common.h>
#include <rtrmod/source.h>

struct evp_pkey_st; /* OpenSSL's EVP_PKEY, used by source_sign.c only */

/* Options in, the statistics of the last load out.  `error` is "" unless
 * the last load failed.  `fresh_until` belongs to the last successful load
 * and survives failed ones; everything after `accepted` is reset by each. */
struct rtrmod_source {
	struct rtrmod_ctx *ctx;
	bool ignore_expiry;
	bool verify, check_time;
	uint32_t max_age;
	struct evp_pkey_st *verify_key;
	bool has_fresh_until;
	int64_t fresh_until;
	size_t accepted[RTRMOD_SOURCE_KIND_COUNT];
	size_t dropped[RTRMOD_SOURCE_KIND_COUNT][RTRMOD_SOURCE_DROP_COUNT];
	enum rtrmod_source_format format;
	bool has_build_time, has_valid_until, has_next_expiry, verified;
	int64_t build_time, valid_until, next_expiry;
	char error[512];
	/* Tests only: parse every roa with jansson (no source_json_fast.c). */
	bool json_fast_off;
};

/* StayRTR's -checktime limit: 24 hours. */
#define SOURCE_MAX_AGE_DEFAULT 86400

/* Zero the statistics and times (not the options, not the error, not
 * fresh_until). */
void source_reset(struct rtrmod_source *src);
/* Set src->error to "NAME: what" and return `rc`. */
int source_fail(struct rtrmod_source *src, int rc, const char *name, const char *fmt, ...)
    RTRMOD_PRINTF(4, 5);
/* The time checks on a parsed document: 0, with the last second the set
 * may be served in *until when *has_until, or RTRMOD_ESTALE with
 * src->error set.  The caller commits *until once the set is made. */
int source_check_time(struct rtrmod_source *src, const char *name, int64_t now, bool *has_until,
		      int64_t *until);

/* ---- signed documents (source_sign.c) ---------------------------------- */

/* The roas of one document as its signer rendered them, and the metadata
 * the signatures cover. */
struct source_digest;
struct json_t; /* jansson's */

int source_digest_new(struct rtrmod_source *src, struct source_digest **out);
void source_digest_free(struct source_digest *d);
/* One element of "roas", before any check may drop it: 0, RTRMOD_ENOMEM,
 * or RTRMOD_EINVAL when a signature cannot cover it (not an object, or a
 * member of a type Go's decoder would refuse). */
int source_digest_roa(struct source_digest *d, struct json_t *rec);
/* The "metadata" object's times and signatures (copied): 0, RTRMOD_ENOMEM,
 * or RTRMOD_EINVAL when they are of the wrong type. */
int source_digest_metadata(struct source_digest *d, struct json_t *md);
/* Check both signatures with src->verify_key: 0, RTRMOD_EVERIFY (with
 * src->error set) or RTRMOD_ENOMEM.  On success the document's build time
 * becomes its signed "generated". */
int source_digest_verify(struct rtrmod_source *src, struct source_digest *d, const char *name);
/* Drop the key (rtrmod_source_free). */
void source_sign_free(struct rtrmod_source *src);
/* A record kept with this "expires": remember the earliest. */
void source_note_expiry(struct rtrmod_source *src, int64_t at);

/* ---- the roa fast path (source_json_fast.c) ----------------------------- */

/* One member of a roa as the fast scanner saw it. */
enum source_fast_kind {
	SOURCE_FAST_ABSENT = 0,
	SOURCE_FAST_STRING, /* printable ASCII, no escapes, `s`/`len` */
	SOURCE_FAST_INT,    /* at most 18 digits, optional '-', `n` */
};

struct source_fast_value {
	enum source_fast_kind kind;
	const char *s;
	size_t len;
	int64_t n;
};

/* The members of a roa that the loader reads; any other member was a
 * string or integer and is ignored, as it is by the jansson path. */
struct source_fast_roa {
	struct source_fast_value prefix, max_length, asn, expires;
};

/* Scan the roa object at buf[0] (its '{') strictly: a flat object whose
 * keys are distinct escape-free strings and whose values are escape-free
 * printable-ASCII strings or plain integers, with only JSON whitespace.
 * True with *out filled and *used the bytes up to and including its '}';
 * false for anything else, which the caller must give to jansson. */
bool source_json_fast_roa(const char *buf, size_t len, struct source_fast_roa *out, size_t *used);

/* Read all of `path` through the context's allocator.  RTRMOD_EIO (with
 * err set to "PATH: strerror") or RTRMOD_ENOMEM. */
int read_whole_file(struct rtrmod_ctx *ctx, const char *path, char **out, size_t *len, char *err,
		    size_t err_size);
/* read_whole_file() with the source's context and error buffer. */
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
