/*
 * fuzz_pdu_stream.c: libFuzzer target for the stream decoder and, through
 * it, the whole codec.  Input: byte 0 picks max_len, byte 1 the chunking
 * and how many times the rest is repeated (so that long streams exercise
 * compaction and growth), byte 2 seeds the chunk sizes; the rest is the
 * byte stream.  Every PDU
 * that comes out is validated, formatted and re-encoded: a strictly valid
 * PDU must re-encode to exactly its input bytes, and any decoded PDU must
 * re-encode to bytes that decode and re-encode to themselves.  Errors must
 * be sticky and point at the offending PDU.  abort() marks a finding.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rtrmod/ctx.h>
#include <rtrmod/pdu.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

#define CONTROL_BYTES 3
/* Repeating the body stops at this many bytes. */
#define STREAM_MAX (64u * 1024u)

struct run {
	struct rtrmod_pdu_stream *s;
	const uint8_t *in; /* the stream as a whole */
	size_t len;
	size_t fed, used;
	uint32_t rng;
	uint8_t mode;
};

static uint32_t
run_rand(struct run *r)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 17;
	r->rng ^= r->rng << 5;
	return r->rng;
}

static uint32_t
load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Chunk size: mode & 3 = all at once, single bytes, 1..16, or 1..64 KiB
 * (mostly small). */
static size_t
run_chunk(struct run *r)
{
	switch (r->mode & 3) {
	case 0:
		return r->len;
	case 1:
		return 1;
	case 2:
		return 1 + run_rand(r) % 16;
	default:
		return 1 + run_rand(r) % (run_rand(r) % 2 != 0 ? 4096 : 65536);
	}
}

/* Bytes in, by feed (mode bit 2 clear: always) or reserve and commit. */
static int
run_put(struct run *r, const uint8_t *p, size_t n)
{
	uint8_t *space;
	size_t avail, first;
	int rc;

	if ((r->mode & 4) == 0 || run_rand(r) % 2 == 0)
		return rtrmod_pdu_stream_feed(r->s, p, n);
	rc = rtrmod_pdu_stream_reserve(r->s, n, &space, &avail);
	if (rc != 0) {
		CHECK(space == NULL && avail == 0);
		return rc;
	}
	CHECK(avail >= n);
	first = n / 2;
	memcpy(space, p, first);
	rtrmod_pdu_stream_commit(r->s, first);
	memcpy(space + first, p + first, n - first);
	rtrmod_pdu_stream_commit(r->s, n - first);
	return 0;
}

/* Text output is always terminated and agrees with its return value. */
static void
check_format(const struct rtrmod_pdu *pdu)
{
	char line[1024], tiny[6];
	int n;

	n = rtrmod_pdu_format(pdu, line, sizeof(line));
	CHECK(n >= 0);
	CHECK(strlen(line) == ((size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1));
	n = rtrmod_pdu_format(pdu, tiny, sizeof(tiny));
	CHECK(n >= 0 && strlen(tiny) < sizeof(tiny));
	CHECK(rtrmod_pdu_type_name(pdu->type) != NULL);
}

/* encode(decode(x)): the same length; the same bytes when strictly valid;
 * otherwise a fixed point of decode-then-encode. */
static void
check_reencode(const struct rtrmod_pdu *pdu, const uint8_t *bytes, size_t len, int strict_ok)
{
	uint8_t *out = malloc(len), *again = malloc(len);
	struct rtrmod_pdu pdu2;
	struct rtrmod_pdu_error err;
	size_t w, used;

	CHECK(out != NULL && again != NULL);
	CHECK(rtrmod_pdu_encoded_len(pdu) == len);
	CHECK(rtrmod_pdu_encode(pdu, out, len - 1, &w) == RTRMOD_ENOSPC);
	CHECK(rtrmod_pdu_encode(pdu, out, len, &w) == 0 && w == len);
	if (strict_ok)
		CHECK(memcmp(out, bytes, len) == 0);
	CHECK(rtrmod_pdu_decode(out, len, &pdu2, &used, &err) == 0 && used == len);
	CHECK(rtrmod_pdu_encode(&pdu2, again, len, &w) == 0 && w == len);
	CHECK(memcmp(out, again, len) == 0);
	free(again);
	free(out);
}

static void
check_pdu(struct run *r, const struct rtrmod_pdu *pdu)
{
	const uint8_t *bytes = r->in + r->used;
	struct rtrmod_pdu_error err;
	size_t len;
	int strict, lax;

	CHECK(r->fed - r->used >= RTRMOD_PDU_HEADER_LEN);
	len = load_be32(bytes + 4);
	CHECK(len >= RTRMOD_PDU_HEADER_LEN && len <= r->fed - r->used);
	CHECK(pdu->version == bytes[0] && pdu->type == bytes[1]);
	strict = rtrmod_pdu_validate(pdu, RTRMOD_PDU_STRICT_RESERVED, &err);
	lax = rtrmod_pdu_validate(pdu, 0, &err);
	CHECK(strict == 0 || strict == RTRMOD_EPDU);
	CHECK(lax == 0 || lax == RTRMOD_EPDU);
	CHECK(strict != 0 || lax == 0);
	CHECK(lax == 0 || err.reason != NULL);
	check_format(pdu);
	check_reencode(pdu, bytes, len, strict == 0);
	r->used += len;
	CHECK(rtrmod_pdu_stream_pending(r->s) == r->fed - r->used);
}

/* The stream died with rc: it says why, points at the PDU it was working
 * on, and says the same again to every later call. */
static void
check_dead(struct run *r, int rc, const struct rtrmod_pdu_error *err)
{
	struct rtrmod_pdu pdu;
	struct rtrmod_pdu_error again;
	uint8_t *space;
	size_t avail;

	CHECK(rc == RTRMOD_EPDU);
	CHECK(err->reason != NULL && (unsigned)err->code <= RTRMOD_RTR_ORDERING_ERROR);
	CHECK(err->pdu.len <= r->fed - r->used);
	if (err->pdu.len > 0)
		CHECK(memcmp(err->pdu.ptr, r->in + r->used, err->pdu.len) == 0);
	CHECK(rtrmod_pdu_stream_next(r->s, &pdu, &again) == rc);
	CHECK(again.code == err->code && again.reason == err->reason &&
	      again.pdu.ptr == err->pdu.ptr && again.pdu.len == err->pdu.len);
	CHECK(rtrmod_pdu_stream_feed(r->s, r->in, 0) == rc);
	CHECK(rtrmod_pdu_stream_reserve(r->s, 1, &space, &avail) == rc);
	CHECK(rtrmod_pdu_stream_pending(r->s) == r->fed - r->used);
}

/* The body, repeated 1 + (mode >> 3) times but to at most STREAM_MAX
 * bytes (at least once); NULL only when out of memory. */
static uint8_t *
make_stream(const uint8_t *body, size_t len, uint8_t mode, size_t *out_len)
{
	size_t reps = 1 + (mode >> 3), i;
	uint8_t *buf;

	if (len != 0 && reps > STREAM_MAX / len)
		reps = STREAM_MAX / len > 0 ? STREAM_MAX / len : 1;
	*out_len = len * reps;
	buf = malloc(*out_len + 1);
	for (i = 0; buf != NULL && i < reps; i++)
		memcpy(buf + i * len, body, len);
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtrmod_ctx *ctx;
	struct run r = {0};
	struct rtrmod_pdu pdu;
	struct rtrmod_pdu_error err;
	uint8_t *stream;
	size_t n;
	int rc = RTRMOD_EAGAIN;

	if (size < CONTROL_BYTES)
		return 0;
	stream = make_stream(data + CONTROL_BYTES, size - CONTROL_BYTES, data[1], &r.len);
	if (stream == NULL || rtrmod_ctx_new(NULL, &ctx) != 0) {
		free(stream);
		return 0;
	}
	CHECK(rtrmod_pdu_stream_new(ctx, data[0] * 4u, &r.s) == 0);
	r.mode = data[1];
	r.rng = 0x9e3779b9u ^ data[2];
	r.in = stream;
	while (r.fed < r.len && rc == RTRMOD_EAGAIN) {
		n = run_chunk(&r);
		if (n > r.len - r.fed)
			n = r.len - r.fed;
		rc = run_put(&r, r.in + r.fed, n);
		if (rc == 0) {
			r.fed += n;
			while ((rc = rtrmod_pdu_stream_next(r.s, &pdu, &err)) == 0)
				check_pdu(&r, &pdu);
		} else {
			/* feed refuses only once the buffered header is bad */
			CHECK(rtrmod_pdu_stream_next(r.s, &pdu, &err) == rc);
		}
	}
	if (rc != RTRMOD_EAGAIN)
		check_dead(&r, rc, &err);
	else
		CHECK(rtrmod_pdu_stream_pending(r.s) == r.len - r.used);
	rtrmod_pdu_stream_free(r.s);
	rtrmod_ctx_free(ctx);
	free(stream);
	return 0;
}
