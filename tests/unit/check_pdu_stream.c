/*
 * check_pdu_stream.c: the stream decoder.  A property test encodes long
 * random streams of every PDU type in every version and feeds them back in
 * random chunks (1 byte to 100 KB, through feed and through reserve/commit)
 * expecting the same PDUs, field by field and byte by byte; the rest pin
 * down framing refusals after 8 bytes, the memory bound, sticky errors and
 * the pending() count.  Every random choice comes from a seeded xorshift.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rtrmod/ctx.h>
#include <rtrmod/pdu.h>

#include "check_main.h"
#include "test_rand.h"

/* ---- deterministic randomness ------------------------------------------ */

/* Uniform enough in [0, n) for tests; n > 0. */
static uint32_t
rnd(uint64_t *s, uint32_t n)
{
	return (uint32_t)((xorshift64(s) >> 11) % n);
}

static void
rnd_bytes(uint64_t *s, uint8_t *p, size_t n)
{
	while (n-- > 0)
		*p++ = (uint8_t)xorshift64(s);
}

/* ---- random PDUs -------------------------------------------------------- */

#define SPKI_MAX 120
#define EPDU_MAX 48
#define TEXT_MAX 64
#define PROV_MAX 24

/* A generated PDU and the storage its borrowed parts point into. */
struct sample {
	struct rtrmod_pdu pdu;
	size_t off, len; /* where its encoding sits in the stream */
	uint8_t spki[SPKI_MAX];
	uint8_t epdu[EPDU_MAX];
	uint8_t text[TEXT_MAX];
	uint32_t prov[PROV_MAX];
};

static const uint8_t types_v0[] = {0, 1, 2, 3, 4, 6, 7, 8, 10};
static const uint8_t types_v1[] = {0, 1, 2, 3, 4, 6, 7, 8, 9, 10};
static const uint8_t types_v2[] = {0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11};

static uint8_t
random_type(uint64_t *r, uint8_t version)
{
	switch (version) {
	case 0:
		return types_v0[rnd(r, sizeof(types_v0))];
	case 1:
		return types_v1[rnd(r, sizeof(types_v1))];
	default:
		return types_v2[rnd(r, sizeof(types_v2))];
	}
}

static void
random_prefix(uint64_t *r, struct rtrmod_pdu_prefix *p, unsigned bits)
{
	unsigned i;

	p->flags = (uint8_t)rnd(r, 2);
	p->prefix_len = (uint8_t)rnd(r, bits + 1);
	p->max_len = (uint8_t)(p->prefix_len + rnd(r, bits - p->prefix_len + 1));
	p->asn = (uint32_t)xorshift64(r);
	memset(p->addr, 0, sizeof(p->addr));
	rnd_bytes(r, p->addr, bits / 8);
	for (i = p->prefix_len; i < bits; i++)
		p->addr[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
}

static void
random_variable(uint64_t *r, struct sample *x)
{
	struct rtrmod_pdu *p = &x->pdu;
	size_t i;

	switch (p->type) {
	case RTRMOD_PDU_ROUTER_KEY:
		p->u.router_key.flags = (uint8_t)rnd(r, 2);
		rnd_bytes(r, p->u.router_key.ski, sizeof(p->u.router_key.ski));
		p->u.router_key.asn = (uint32_t)xorshift64(r);
		p->u.router_key.spki.len = 1 + rnd(r, SPKI_MAX);
		rnd_bytes(r, x->spki, p->u.router_key.spki.len);
		p->u.router_key.spki.ptr = x->spki;
		break;
	case RTRMOD_PDU_ERROR_REPORT:
		p->u.error.code = (uint16_t)rnd(r, 12);
		p->u.error.pdu.len = rnd(r, EPDU_MAX + 1);
		rnd_bytes(r, x->epdu, p->u.error.pdu.len);
		p->u.error.pdu.ptr = x->epdu;
		p->u.error.text.len = rnd(r, TEXT_MAX + 1);
		for (i = 0; i < p->u.error.text.len; i++)
			x->text[i] = (uint8_t)(' ' + rnd(r, 95));
		p->u.error.text.ptr = x->text;
		break;
	case RTRMOD_PDU_ASPA:
		p->u.aspa.flags = (uint8_t)rnd(r, 2);
		p->u.aspa.customer_asn = (uint32_t)xorshift64(r);
		p->u.aspa.provider_count =
		    p->u.aspa.flags & RTRMOD_PDU_FLAG_ANNOUNCE ? 1 + rnd(r, PROV_MAX) : 0;
		for (i = 0; i < p->u.aspa.provider_count; i++)
			x->prov[i] = (uint32_t)xorshift64(r);
		p->u.aspa.providers = x->prov;
		break;
	}
}

/* Fill x with a random PDU that can exist in its version (reserved fields
 * zero, so that it re-encodes to the same bytes). */
static void
random_pdu(uint64_t *r, struct sample *x)
{
	struct rtrmod_pdu *p = &x->pdu;

	memset(p, 0, sizeof(*p));
	p->version = (uint8_t)rnd(r, RTRMOD_PDU_VERSION_MAX + 1);
	p->type = random_type(r, p->version);
	switch (p->type) {
	case RTRMOD_PDU_SERIAL_NOTIFY:
	case RTRMOD_PDU_SERIAL_QUERY:
		p->u.serial.session_id = (uint16_t)xorshift64(r);
		p->u.serial.serial = (uint32_t)xorshift64(r);
		break;
	case RTRMOD_PDU_CACHE_RESPONSE:
		p->u.cache_response.session_id = (uint16_t)xorshift64(r);
		break;
	case RTRMOD_PDU_IPV4_PREFIX:
		random_prefix(r, &p->u.prefix, 32);
		break;
	case RTRMOD_PDU_IPV6_PREFIX:
		random_prefix(r, &p->u.prefix, 128);
		break;
	case RTRMOD_PDU_END_OF_DATA:
		p->u.eod.session_id = (uint16_t)xorshift64(r);
		p->u.eod.serial = (uint32_t)xorshift64(r);
		if (p->version > 0) {
			p->u.eod.refresh = 1 + rnd(r, 86400);
			p->u.eod.retry = 1 + rnd(r, 7200);
			p->u.eod.expire = 600 + rnd(r, 172000);
		}
		break;
	default:
		random_variable(r, x);
	}
}

static int
bytes_eq(struct rtrmod_bytes a, struct rtrmod_bytes b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* Whether two decoded/generated PDUs hold the same fields. */
static int
pdu_eq(const struct rtrmod_pdu *a, const struct rtrmod_pdu *b)
{
	size_t i;

	if (a->version != b->version || a->type != b->type || a->reserved != b->reserved)
		return 0;
	switch (a->type) {
	case RTRMOD_PDU_SERIAL_NOTIFY:
	case RTRMOD_PDU_SERIAL_QUERY:
		return a->u.serial.session_id == b->u.serial.session_id &&
		       a->u.serial.serial == b->u.serial.serial;
	case RTRMOD_PDU_CACHE_RESPONSE:
		return a->u.cache_response.session_id == b->u.cache_response.session_id;
	case RTRMOD_PDU_IPV4_PREFIX:
	case RTRMOD_PDU_IPV6_PREFIX:
		return memcmp(&a->u.prefix.addr, &b->u.prefix.addr, 16) == 0 &&
		       a->u.prefix.flags == b->u.prefix.flags &&
		       a->u.prefix.prefix_len == b->u.prefix.prefix_len &&
		       a->u.prefix.max_len == b->u.prefix.max_len &&
		       a->u.prefix.asn == b->u.prefix.asn;
	case RTRMOD_PDU_END_OF_DATA:
		return a->u.eod.session_id == b->u.eod.session_id &&
		       a->u.eod.serial == b->u.eod.serial && a->u.eod.refresh == b->u.eod.refresh &&
		       a->u.eod.retry == b->u.eod.retry && a->u.eod.expire == b->u.eod.expire;
	case RTRMOD_PDU_ROUTER_KEY:
		return a->u.router_key.flags == b->u.router_key.flags &&
		       a->u.router_key.asn == b->u.router_key.asn &&
		       memcmp(a->u.router_key.ski, b->u.router_key.ski, 20) == 0 &&
		       bytes_eq(a->u.router_key.spki, b->u.router_key.spki);
	case RTRMOD_PDU_ERROR_REPORT:
		return a->u.error.code == b->u.error.code &&
		       bytes_eq(a->u.error.pdu, b->u.error.pdu) &&
		       bytes_eq(a->u.error.text, b->u.error.text);
	case RTRMOD_PDU_ASPA:
		if (a->u.aspa.flags != b->u.aspa.flags ||
		    a->u.aspa.customer_asn != b->u.aspa.customer_asn ||
		    a->u.aspa.provider_count != b->u.aspa.provider_count)
			return 0;
		for (i = 0; i < a->u.aspa.provider_count; i++)
			if (rtrmod_pdu_aspa_provider(&a->u.aspa, i) !=
			    rtrmod_pdu_aspa_provider(&b->u.aspa, i))
				return 0;
		return 1;
	default: /* Reset Query, Cache Reset: the header is everything */
		return 1;
	}
}

/* A stream of n random PDUs; samples[i].off/len locate each encoding. */
struct corpus {
	struct sample *samples;
	size_t n;
	uint8_t *bytes;
	size_t len;
};

static void
corpus_make(struct corpus *c, uint64_t seed, size_t n)
{
	uint64_t r = seed;
	size_t i, cap = n * 256, w;

	c->samples = calloc(n, sizeof(*c->samples));
	c->bytes = malloc(cap);
	ck_assert(c->samples != NULL && c->bytes != NULL);
	c->n = n;
	c->len = 0;
	for (i = 0; i < n; i++) {
		random_pdu(&r, &c->samples[i]);
		ck_assert_int_eq(
		    rtrmod_pdu_encode(&c->samples[i].pdu, c->bytes + c->len, cap - c->len, &w), 0);
		ck_assert_uint_eq(w, rtrmod_pdu_encoded_len(&c->samples[i].pdu));
		c->samples[i].off = c->len;
		c->samples[i].len = w;
		c->len += w;
	}
}

static void
corpus_free(struct corpus *c)
{
	free(c->samples);
	free(c->bytes);
}

/* ---- a tracking allocator ----------------------------------------------- */

struct track {
	size_t live, peak;
	size_t base; /* live once the context exists */
	int fail;    /* refuse every allocation while set */
};

#define TRACK_HDR 16

static void *
track_realloc(void *arg, void *ptr, size_t size)
{
	struct track *t = arg;
	size_t old = 0;
	uint8_t *p = ptr;

	if (t->fail)
		return NULL;
	if (p != NULL) {
		p -= TRACK_HDR;
		memcpy(&old, p, sizeof(old));
	}
	p = realloc(p, size + TRACK_HDR);
	if (p == NULL)
		return NULL;
	memcpy(p, &size, sizeof(size));
	t->live = t->live - old + size;
	if (t->live > t->peak)
		t->peak = t->live;
	return p + TRACK_HDR;
}

static void *
track_malloc(void *arg, size_t size)
{
	return track_realloc(arg, NULL, size);
}

static void
track_free(void *arg, void *ptr)
{
	struct track *t = arg;
	uint8_t *p = ptr;
	size_t old;

	if (p == NULL)
		return;
	p -= TRACK_HDR;
	memcpy(&old, p, sizeof(old));
	t->live -= old;
	free(p);
}

static struct rtrmod_ctx *
track_ctx(struct track *t)
{
	struct rtrmod_allocator a = {track_malloc, track_realloc, track_free, t};
	struct rtrmod_ctx *ctx;

	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(rtrmod_ctx_new(&a, &ctx), 0);
	t->base = t->live;
	return ctx;
}

/* ---- feeding ------------------------------------------------------------ */

enum feed_mode { FEED_COPY, FEED_RESERVE, FEED_MIXED };

/* A chunk length: mostly small, sometimes up to 100 KB. */
static size_t
random_chunk(uint64_t *r)
{
	switch (rnd(r, 8)) {
	case 0:
	case 1:
		return 1;
	case 2:
	case 3:
		return 1 + rnd(r, 16);
	case 4:
	case 5:
		return 1 + rnd(r, 300);
	case 6:
		return 1 + rnd(r, 4096);
	default:
		return 1 + rnd(r, 100000);
	}
}

/* Put n bytes in, by copy or by reserve and one or two commits. */
static void
put(struct rtrmod_pdu_stream *s, uint64_t *r, enum feed_mode mode, const uint8_t *p, size_t n)
{
	uint8_t *space;
	size_t avail, first;

	if (mode == FEED_COPY || (mode == FEED_MIXED && rnd(r, 2) == 0)) {
		ck_assert_int_eq(rtrmod_pdu_stream_feed(s, p, n), 0);
		return;
	}
	ck_assert_int_eq(rtrmod_pdu_stream_reserve(s, n, &space, &avail), 0);
	ck_assert_uint_ge(avail, n);
	/* A short read followed by the rest, as read(2) may do. */
	first = rnd(r, (uint32_t)n + 1);
	memcpy(space, p, first);
	rtrmod_pdu_stream_commit(s, first);
	memcpy(space + first, p + first, n - first);
	rtrmod_pdu_stream_commit(s, n - first);
}

/* Check the decoded PDU against the i-th sample: fields and bytes. */
static void
check_sample(const struct corpus *c, size_t i, const struct rtrmod_pdu *got)
{
	const struct sample *x = &c->samples[i];
	uint8_t tmp[512];
	size_t w;

	ck_assert_msg(pdu_eq(got, &x->pdu), "PDU %zu (type %u v%u) differs", i, x->pdu.type,
		      x->pdu.version);
	ck_assert_int_eq(rtrmod_pdu_encode(got, tmp, sizeof(tmp), &w), 0);
	ck_assert_uint_eq(w, x->len);
	ck_assert(memcmp(tmp, c->bytes + x->off, w) == 0);
}

/* Feed the whole corpus in random chunks, draining after each; returns
 * nothing, asserts everything. */
static void
run_corpus(const struct corpus *c, uint64_t seed, enum feed_mode mode, uint32_t max_len)
{
	struct rtrmod_ctx *ctx;
	struct rtrmod_pdu_stream *s;
	struct rtrmod_pdu pdu;
	struct rtrmod_pdu_error err;
	uint64_t r = seed;
	size_t fed = 0, used = 0, k = 0, n;
	int rc;

	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, max_len, &s), 0);
	while (fed < c->len) {
		n = random_chunk(&r);
		if (n > c->len - fed)
			n = c->len - fed;
		put(s, &r, mode, c->bytes + fed, n);
		fed += n;
		while ((rc = rtrmod_pdu_stream_next(s, &pdu, &err)) == 0) {
			ck_assert_uint_lt(k, c->n);
			check_sample(c, k, &pdu);
			used += c->samples[k++].len;
		}
		ck_assert_int_eq(rc, RTRMOD_EAGAIN);
		ck_assert_uint_eq(rtrmod_pdu_stream_pending(s), fed - used);
	}
	ck_assert_uint_eq(k, c->n);
	ck_assert_uint_eq(rtrmod_pdu_stream_pending(s), 0);
	rtrmod_pdu_stream_free(s);
	rtrmod_ctx_free(ctx);
}

static const uint64_t seeds[] = {1, 42, 0x9e3779b97f4a7c15ull, 20250720, 0xdeadbeefcafef00dull};

START_TEST(test_random_streams)
{
	struct corpus c;
	uint64_t seed = seeds[_i];

	corpus_make(&c, seed, 3000);
	run_corpus(&c, seed ^ 1, FEED_COPY, 0);
	run_corpus(&c, seed ^ 2, FEED_RESERVE, 0);
	run_corpus(&c, seed ^ 3, FEED_MIXED, 1024);
	corpus_free(&c);
}
END_TEST

/* Every type of every version, fed one byte at a time: each PDU comes out
 * exactly when its last byte arrives, never earlier or later. */
START_TEST(test_byte_by_byte)
{
	struct rtrmod_ctx *ctx;
	struct rtrmod_pdu_stream *s;
	struct rtrmod_pdu pdu;
	struct rtrmod_pdu_error err;
	struct corpus c;
	int seen[RTRMOD_PDU_VERSION_MAX + 1][16] = {{0}};
	size_t i, k = 0;

	corpus_make(&c, 99, 600);
	for (i = 0; i < c.n; i++)
		seen[c.samples[i].pdu.version][c.samples[i].pdu.type] = 1;
	for (i = 0; i < sizeof(types_v0); i++)
		ck_assert(seen[0][types_v0[i]]);
	for (i = 0; i < sizeof(types_v1); i++)
		ck_assert(seen[1][types_v1[i]]);
	for (i = 0; i < sizeof(types_v2); i++)
		ck_assert(seen[2][types_v2[i]]);
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, 0, &s), 0);
	for (i = 0; i < c.len; i++) {
		ck_assert_int_eq(rtrmod_pdu_stream_feed(s, c.bytes + i, 1), 0);
		if (i + 1 < c.samples[k].off + c.samples[k].len) {
			ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), RTRMOD_EAGAIN);
			ck_assert_uint_eq(rtrmod_pdu_stream_pending(s), i + 1 - c.samples[k].off);
			continue;
		}
		ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), 0);
		check_sample(&c, k++, &pdu);
		ck_assert_uint_eq(rtrmod_pdu_stream_pending(s), 0);
	}
	ck_assert_uint_eq(k, c.n);
	rtrmod_pdu_stream_free(s);
	rtrmod_ctx_free(ctx);
	corpus_free(&c);
}
END_TEST

/* ---- framing ------------------------------------------------------------ */

static size_t
encode(const struct rtrmod_pdu *pdu, uint8_t *buf, size_t cap)
{
	size_t w;

	ck_assert_int_eq(rtrmod_pdu_encode(pdu, buf, cap, &w), 0);
	return w;
}

static size_t
sample_v4(uint8_t *buf, size_t cap, uint8_t version)
{
	struct rtrmod_pdu p = {.version = version, .type = RTRMOD_PDU_IPV4_PREFIX};

	p.u.prefix.flags = 1;
	p.u.prefix.prefix_len = 24;
	p.u.prefix.max_len = 24;
	p.u.prefix.asn = 13335;
	p.u.prefix.addr[0] = 1;
	return encode(&p, buf, cap);
}

START_TEST(test_split_header)
{
	struct rtrmod_ctx *ctx;
	struct rtrmod_pdu_stream *s;
	struct rtrmod_pdu pdu;
	struct rtrmod_pdu_error err;
	uint8_t b[64];
	size_t n = sample_v4(b, sizeof(b), 1);

	ck_assert_uint_eq(n, 20);
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, 0, &s), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), RTRMOD_EAGAIN);
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, b, 3), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), RTRMOD_EAGAIN);
	ck_assert_uint_eq(rtrmod_pdu_stream_pending(s), 3);
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, b + 3, 5), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), RTRMOD_EAGAIN);
	ck_assert_uint_eq(rtrmod_pdu_stream_pending(s), 8);
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, b + 8, 11), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), RTRMOD_EAGAIN);
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, b + 19, 1), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), 0);
	ck_assert_uint_eq(pdu.type, RTRMOD_PDU_IPV4_PREFIX);
	ck_assert_uint_eq(pdu.u.prefix.asn, 13335);
	ck_assert_uint_eq(rtrmod_pdu_stream_pending(s), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), RTRMOD_EAGAIN);
	/* Empty feeds change nothing. */
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, NULL, 0), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), RTRMOD_EAGAIN);
	rtrmod_pdu_stream_free(s);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* 5000 PDUs in one read come out in order from one buffer, decoded in
 * place: a Router Key's SPKI points into the reserved space itself. */
START_TEST(test_many_in_one_read_in_place)
{
	struct track t;
	struct rtrmod_ctx *ctx = track_ctx(&t);
	struct rtrmod_pdu_stream *s;
	struct rtrmod_pdu pdu, rk = {.version = 1, .type = RTRMOD_PDU_ROUTER_KEY};
	struct rtrmod_pdu_error err;
	uint8_t spki[91], *space;
	size_t avail, i, n = 0, rk_len;

	memset(spki, 0x5a, sizeof(spki));
	rk.u.router_key.flags = 1;
	rk.u.router_key.asn = 64496;
	rk.u.router_key.spki.ptr = spki;
	rk.u.router_key.spki.len = sizeof(spki);
	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, 0, &s), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_reserve(s, 5000 * 20 + 256, &space, &avail), 0);
	for (i = 0; i < 5000; i++)
		n += sample_v4(space + n, avail - n, (uint8_t)(i % 3));
	rk_len = encode(&rk, space + n, avail - n);
	rtrmod_pdu_stream_commit(s, n + rk_len);
	for (i = 0; i < 5000; i++) {
		ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), 0);
		ck_assert_uint_eq(pdu.version, i % 3);
		ck_assert_uint_eq(rtrmod_pdu_stream_pending(s), n + rk_len - (i + 1) * 20);
	}
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), 0);
	ck_assert_uint_eq(pdu.type, RTRMOD_PDU_ROUTER_KEY);
	ck_assert(pdu.u.router_key.spki.ptr > space + n &&
		  pdu.u.router_key.spki.ptr + 91 <= space + n + rk_len);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), RTRMOD_EAGAIN);
	rtrmod_pdu_stream_free(s);
	ck_assert_uint_eq(t.live, t.base);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* Streaming 20 MB in 64 KiB reads needs one PDU plus one read chunk of
 * buffer, and compaction keeps the buffer from growing. */
START_TEST(test_buffer_stays_bounded)
{
	struct track t;
	struct rtrmod_ctx *ctx = track_ctx(&t);
	struct rtrmod_pdu_stream *s;
	struct rtrmod_pdu pdu;
	struct rtrmod_pdu_error err;
	struct corpus c;
	size_t fed = 0, k = 0, n, base;

	corpus_make(&c, 5, 2000);
	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, 0, &s), 0);
	base = t.live;
	while (k < 100 * c.n) {
		n = 65536 - 7;
		ck_assert_int_eq(
		    rtrmod_pdu_stream_feed(s, c.bytes + fed, n < c.len - fed ? n : c.len - fed), 0);
		fed = n < c.len - fed ? fed + n : 0;
		while (rtrmod_pdu_stream_next(s, &pdu, &err) == 0)
			k++;
	}
	ck_assert_uint_le(t.peak - base, RTRMOD_PDU_MAX_LEN_DEFAULT + 65536);
	rtrmod_pdu_stream_free(s);
	rtrmod_ctx_free(ctx);
	corpus_free(&c);
}
END_TEST

/* Growth doubles, but never past max_len + one read chunk when less will
 * do: a caller that once fed a big burst does not make it balloon. */
START_TEST(test_growth_capped)
{
	struct track t;
	struct rtrmod_ctx *ctx = track_ctx(&t);
	struct rtrmod_pdu_stream *s;
	struct rtrmod_pdu pdu;
	struct rtrmod_pdu_error err;
	static uint8_t b[3050 * 20];
	size_t i, n = 0, base;

	for (i = 0; i < 3050; i++)
		n += sample_v4(b + n, sizeof(b) - n, 1);
	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, 1000, &s), 0);
	base = t.live;
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, b, 60000), 0);
	while (rtrmod_pdu_stream_next(s, &pdu, &err) == 0)
		;
	ck_assert_uint_eq(rtrmod_pdu_stream_pending(s), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, b, 61000), 0);
	for (i = 0; rtrmod_pdu_stream_next(s, &pdu, &err) == 0; i++)
		;
	ck_assert_uint_eq(i, 3050);
	ck_assert_uint_le(t.peak - base, 1000 + 65536);
	rtrmod_pdu_stream_free(s);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* A header claiming 1 GiB is refused once its 8 bytes are in, whatever
 * the caller does next; nothing near that size is ever allocated. */
START_TEST(test_oversized_length_refused)
{
	static const uint8_t types[] = {RTRMOD_PDU_ERROR_REPORT, RTRMOD_PDU_IPV4_PREFIX,
					RTRMOD_PDU_ROUTER_KEY};
	uint8_t hdr[8] = {1, types[_i], 0, 0, 0x40, 0, 0, 0}; /* length 2^30 */
	static uint8_t junk[256 * 1024];
	struct track t;
	struct rtrmod_ctx *ctx = track_ctx(&t);
	struct rtrmod_pdu_stream *s;
	struct rtrmod_pdu pdu;
	struct rtrmod_pdu_error err;
	int i;

	/* next() after each read. */
	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, 0, &s), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, hdr, 7), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), RTRMOD_EAGAIN);
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, hdr + 7, 1), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), RTRMOD_EPDU);
	ck_assert_int_eq(err.code, RTRMOD_RTR_CORRUPT_DATA);
	ck_assert_ptr_nonnull(err.reason);
	ck_assert_uint_eq(err.pdu.len, 8);
	ck_assert(memcmp(err.pdu.ptr, hdr, 8) == 0);
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, junk, sizeof(junk)), RTRMOD_EPDU);
	ck_assert_uint_eq(rtrmod_pdu_stream_pending(s), 8);
	rtrmod_pdu_stream_free(s);

	/* A caller that keeps feeding without next(): refused when the body
	 * would need the buffer to grow. */
	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, 0, &s), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, hdr, 8), 0);
	for (i = 0; i < 64; i++)
		if (rtrmod_pdu_stream_feed(s, junk, 4096) != 0)
			break;
	ck_assert_int_lt(i, 64);
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, junk, 1), RTRMOD_EPDU);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), RTRMOD_EPDU);
	ck_assert_int_eq(err.code, RTRMOD_RTR_CORRUPT_DATA);
	ck_assert_uint_le(t.peak - t.base, 64 * 1024);
	rtrmod_pdu_stream_free(s);
	ck_assert_uint_eq(t.live, t.base);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* Feed 8 bytes of header; return next()'s result and the error. */
static int
header_result(const uint8_t hdr[8], uint32_t max_len, struct rtrmod_pdu_error *err)
{
	struct rtrmod_ctx *ctx;
	struct rtrmod_pdu_stream *s;
	struct rtrmod_pdu pdu;
	int rc;

	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, max_len, &s), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, hdr, 8), 0);
	rc = rtrmod_pdu_stream_next(s, &pdu, err);
	rtrmod_pdu_stream_free(s);
	rtrmod_ctx_free(ctx);
	return rc;
}

START_TEST(test_header_refusals)
{
	static const struct {
		uint8_t hdr[8];
		int code; /* -1: accepted so far (needs the body) */
	} cases[] = {
	    {{3, 4, 0, 0, 0, 0, 0, 20}, RTRMOD_RTR_UNSUPPORTED_VERSION},
	    {{171, 6, 3, 171, 0, 0, 3, 232}, RTRMOD_RTR_UNSUPPORTED_VERSION},
	    {{255, 0, 0, 0, 0, 0, 0, 12}, RTRMOD_RTR_UNSUPPORTED_VERSION},
	    {{0, 9, 0, 0, 0, 0, 0, 40}, RTRMOD_RTR_UNSUPPORTED_PDU_TYPE},
	    {{1, 11, 0, 0, 0, 0, 0, 16}, RTRMOD_RTR_UNSUPPORTED_PDU_TYPE},
	    {{0, 11, 0, 0, 0, 0, 0, 16}, RTRMOD_RTR_UNSUPPORTED_PDU_TYPE},
	    {{2, 5, 0, 0, 0, 0, 0, 8}, RTRMOD_RTR_UNSUPPORTED_PDU_TYPE},
	    {{2, 12, 0, 0, 0, 0, 0, 8}, RTRMOD_RTR_UNSUPPORTED_PDU_TYPE},
	    {{1, 255, 0, 0, 0, 0, 0, 8}, RTRMOD_RTR_UNSUPPORTED_PDU_TYPE},
	    {{1, 4, 0, 0, 0, 0, 0, 19}, RTRMOD_RTR_CORRUPT_DATA},
	    {{1, 4, 0, 0, 0, 0, 0, 21}, RTRMOD_RTR_CORRUPT_DATA},
	    {{1, 6, 0, 0, 0, 0, 0, 20}, RTRMOD_RTR_CORRUPT_DATA},
	    {{1, 7, 0, 0, 0, 0, 0, 12}, RTRMOD_RTR_CORRUPT_DATA},
	    {{0, 7, 0, 0, 0, 0, 0, 24}, RTRMOD_RTR_CORRUPT_DATA},
	    {{1, 2, 0, 0, 0, 0, 0, 0}, RTRMOD_RTR_CORRUPT_DATA},
	    {{1, 2, 0, 0, 0, 0, 0, 9}, RTRMOD_RTR_CORRUPT_DATA},
	    {{1, 10, 0, 0, 0, 0, 0, 0}, RTRMOD_RTR_CORRUPT_DATA},
	    {{1, 10, 0, 0, 0, 0, 0, 7}, RTRMOD_RTR_CORRUPT_DATA},
	    {{1, 10, 0, 0, 0xff, 0xff, 0xff, 0xff}, RTRMOD_RTR_CORRUPT_DATA},
	    {{1, 4, 0, 0, 0, 0, 0, 20}, -1},
	    {{0, 7, 0, 0, 0, 0, 0, 12}, -1},
	    {{1, 7, 0, 0, 0, 0, 0, 24}, -1},
	};
	struct rtrmod_pdu_error err;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		rc = header_result(cases[i].hdr, 0, &err);
		if (cases[i].code < 0) {
			ck_assert_msg(rc == RTRMOD_EAGAIN, "case %zu: %d", i, rc);
			continue;
		}
		ck_assert_msg(rc == RTRMOD_EPDU, "case %zu: %d", i, rc);
		ck_assert_msg((int)err.code == cases[i].code, "case %zu: code %d", i, err.code);
		ck_assert_ptr_nonnull(err.reason);
		ck_assert_uint_eq(err.pdu.len, 8);
	}
}
END_TEST

static void
set_len(uint8_t hdr[8], uint32_t len)
{
	hdr[4] = (uint8_t)(len >> 24);
	hdr[5] = (uint8_t)(len >> 16);
	hdr[6] = (uint8_t)(len >> 8);
	hdr[7] = (uint8_t)len;
}

/* For every (version, type) the stream agrees with rtrmod_pdu_length_bounds:
 * same refusal code, and exactly [min, max] accepted from the header. */
START_TEST(test_header_matches_bounds)
{
	struct rtrmod_pdu_error err, want;
	uint32_t min, max;
	uint8_t hdr[8] = {0};
	unsigned v, t;
	int rc;

	for (v = 0; v < 5; v++)
		for (t = 0; t < 16; t++) {
			hdr[0] = (uint8_t)v;
			hdr[1] = (uint8_t)t;
			set_len(hdr, 32);
			if (rtrmod_pdu_length_bounds((uint8_t)v, (uint8_t)t,
						     RTRMOD_PDU_MAX_LEN_DEFAULT, &min, &max,
						     &want) != 0) {
				ck_assert_int_eq(header_result(hdr, 0, &err), RTRMOD_EPDU);
				ck_assert_int_eq(err.code, want.code);
				continue;
			}
			ck_assert_uint_ge(min, 8);
			ck_assert_uint_le(min, max);
			set_len(hdr, min);
			rc = header_result(hdr, 0, &err);
			ck_assert_int_eq(rc, min == 8 ? 0 : RTRMOD_EAGAIN);
			set_len(hdr, max);
			rc = header_result(hdr, 0, &err);
			ck_assert_int_eq(rc, max == 8 ? 0 : RTRMOD_EAGAIN);
			set_len(hdr, min - 1);
			ck_assert_int_eq(header_result(hdr, 0, &err), RTRMOD_EPDU);
			ck_assert_int_eq(err.code, RTRMOD_RTR_CORRUPT_DATA);
			set_len(hdr, max + 1);
			ck_assert_int_eq(header_result(hdr, 0, &err), RTRMOD_EPDU);
			ck_assert_int_eq(err.code, RTRMOD_RTR_CORRUPT_DATA);
		}
}
END_TEST

/* max_len caps the variable-length types at exactly its value (as
 * rtrmod_pdu_length_bounds computes it), checked from the header alone. */
START_TEST(test_max_len_cap)
{
	static const uint32_t caps[] = {100, 1000, 65536};
	static const uint8_t types[] = {RTRMOD_PDU_ERROR_REPORT, RTRMOD_PDU_ROUTER_KEY,
					RTRMOD_PDU_ASPA};
	struct rtrmod_pdu_error err;
	uint32_t min, max;
	uint8_t hdr[8] = {2, 0, 0, 0, 0, 0, 0, 0};
	size_t i, j;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++) {
			hdr[1] = types[j];
			ck_assert_int_eq(
			    rtrmod_pdu_length_bounds(2, types[j], caps[i], &min, &max, &err), 0);
			ck_assert_uint_le(max, caps[i]);
			set_len(hdr, max);
			ck_assert_int_eq(header_result(hdr, caps[i], &err), RTRMOD_EAGAIN);
			set_len(hdr, max + 1);
			ck_assert_int_eq(header_result(hdr, caps[i], &err), RTRMOD_EPDU);
			ck_assert_int_eq(err.code, RTRMOD_RTR_CORRUPT_DATA);
		}
	/* A max_len above the default is the default: rtrmod_pdu_decode()
	 * would refuse the body anyway, so it is not buffered. */
	memcpy(hdr, (uint8_t[]){1, 10, 0, 0, 0, 1, 0, 0}, 8);
	ck_assert_int_eq(header_result(hdr, 1u << 20, &err), RTRMOD_EAGAIN);
	set_len(hdr, RTRMOD_PDU_MAX_LEN_DEFAULT + 1);
	ck_assert_int_eq(header_result(hdr, 1u << 20, &err), RTRMOD_EPDU);
	ck_assert_str_eq(err.reason, "PDU length too long for its type");
	/* Fixed-length types are not affected by a small cap. */
	memcpy(hdr, (uint8_t[]){1, 7, 0, 0, 0, 0, 0, 24}, 8);
	ck_assert_int_eq(header_result(hdr, 16, &err), RTRMOD_EAGAIN);
}
END_TEST

/* An Error Report exactly at a 100-byte cap decodes; one byte more does
 * not, and the refusal names the configuration. */
START_TEST(test_max_len_whole_pdu)
{
	struct rtrmod_ctx *ctx;
	struct rtrmod_pdu_stream *s;
	struct rtrmod_pdu pdu, er = {.version = 1, .type = RTRMOD_PDU_ERROR_REPORT};
	struct rtrmod_pdu_error err;
	uint8_t text[200], b[256];
	size_t n;

	memset(text, 'x', sizeof(text));
	er.u.error.code = RTRMOD_RTR_NO_DATA_AVAILABLE;
	er.u.error.text.ptr = text;
	er.u.error.text.len = 100 - 16;
	n = encode(&er, b, sizeof(b));
	ck_assert_uint_eq(n, 100);
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, 100, &s), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, b, n), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), 0);
	ck_assert_uint_eq(pdu.u.error.text.len, 84);
	er.u.error.text.len++;
	n = encode(&er, b, sizeof(b));
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, b, 8), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), RTRMOD_EPDU);
	ck_assert_str_eq(err.reason, "PDU length exceeds the configured maximum");
	rtrmod_pdu_stream_free(s);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* After an error every call repeats it, good input or not; PDUs before
 * the bad one still come out first. */
START_TEST(test_sticky_error)
{
	struct rtrmod_ctx *ctx;
	struct rtrmod_pdu_stream *s;
	struct rtrmod_pdu pdu;
	struct rtrmod_pdu_error err, again;
	uint8_t b[128], *space = (uint8_t *)1;
	size_t n, avail = 1;
	int i;

	n = sample_v4(b, sizeof(b), 1);
	memcpy(b + n, (uint8_t[]){1, 4, 0, 0, 0, 0, 0, 99}, 8);
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, 0, &s), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, b, n + 8), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), RTRMOD_EPDU);
	ck_assert_uint_eq(rtrmod_pdu_stream_pending(s), 8);
	for (i = 0; i < 3; i++) {
		memset(&again, 0, sizeof(again));
		ck_assert_int_eq(rtrmod_pdu_stream_feed(s, b, n), RTRMOD_EPDU);
		ck_assert_int_eq(rtrmod_pdu_stream_reserve(s, 10, &space, &avail), RTRMOD_EPDU);
		ck_assert_ptr_null(space);
		ck_assert_uint_eq(avail, 0);
		rtrmod_pdu_stream_commit(s, 5);
		ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &again), RTRMOD_EPDU);
		ck_assert_int_eq(again.code, err.code);
		ck_assert_ptr_eq(again.reason, err.reason);
		ck_assert_ptr_eq(again.pdu.ptr, err.pdu.ptr);
		ck_assert_uint_eq(again.pdu.len, err.pdu.len);
		ck_assert_uint_eq(rtrmod_pdu_stream_pending(s), 8);
	}
	/* The error's bytes are still readable (for the Error Report). */
	ck_assert(memcmp(err.pdu.ptr, b + n, 8) == 0);
	/* A NULL err is allowed. */
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, NULL), RTRMOD_EPDU);
	rtrmod_pdu_stream_free(s);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* A body the decoder refuses (an Error Report whose encapsulated PDU runs
 * past its end) kills the stream with the decoder's verdict. */
START_TEST(test_decode_error_sticky)
{
	struct rtrmod_ctx *ctx;
	struct rtrmod_pdu_stream *s;
	struct rtrmod_pdu pdu;
	struct rtrmod_pdu_error err, again;
	/* v1 Error Report, 24 bytes, encapsulated length 100. */
	static const uint8_t bad[24] = {1, 10, 0, 2, 0, 0, 0, 24, 0, 0, 0, 100};

	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, 0, &s), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, bad, sizeof(bad)), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), RTRMOD_EPDU);
	ck_assert_ptr_nonnull(err.reason);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &again), RTRMOD_EPDU);
	ck_assert_int_eq(again.code, err.code);
	ck_assert_ptr_eq(again.reason, err.reason);
	rtrmod_pdu_stream_free(s);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_reserve_commit_rules)
{
	struct rtrmod_ctx *ctx;
	struct rtrmod_pdu_stream *s;
	struct rtrmod_pdu pdu;
	struct rtrmod_pdu_error err;
	uint8_t b[64], *space;
	size_t n = sample_v4(b, sizeof(b), 0), avail;

	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, 0, &s), 0);
	/* want 0 means one read chunk. */
	ck_assert_int_eq(rtrmod_pdu_stream_reserve(s, 0, &space, &avail), 0);
	ck_assert_uint_ge(avail, 65536);
	rtrmod_pdu_stream_commit(s, 0);
	ck_assert_uint_eq(rtrmod_pdu_stream_pending(s), 0);
	/* next() between reserve and commit is fine. */
	ck_assert_int_eq(rtrmod_pdu_stream_reserve(s, n, &space, &avail), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), RTRMOD_EAGAIN);
	memcpy(space, b, n);
	rtrmod_pdu_stream_commit(s, n);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), 0);
	/* feed() ends a reservation; committing after it kills the stream. */
	ck_assert_int_eq(rtrmod_pdu_stream_reserve(s, n, &space, &avail), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, b, n), 0);
	rtrmod_pdu_stream_commit(s, 1);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), RTRMOD_EINVAL);
	ck_assert_int_eq(err.code, RTRMOD_RTR_INTERNAL_ERROR);
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, b, n), RTRMOD_EINVAL);
	rtrmod_pdu_stream_free(s);

	/* Committing more than reserved kills it too. */
	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, 0, &s), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_reserve(s, 16, &space, &avail), 0);
	rtrmod_pdu_stream_commit(s, avail + 1);
	ck_assert_uint_eq(rtrmod_pdu_stream_pending(s), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), RTRMOD_EINVAL);
	rtrmod_pdu_stream_free(s);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* Out of memory is not sticky: the bytes were not taken, the stream is
 * unchanged, and the same feed works once memory is back. */
START_TEST(test_enomem_not_sticky)
{
	struct track t;
	struct rtrmod_ctx *ctx = track_ctx(&t);
	struct rtrmod_pdu_stream *s;
	struct rtrmod_pdu pdu;
	struct rtrmod_pdu_error err;
	uint8_t b[64], *space;
	size_t n = sample_v4(b, sizeof(b), 2), avail;

	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, 0, &s), 0);
	t.fail = 1;
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, b, n), RTRMOD_ENOMEM);
	ck_assert_int_eq(rtrmod_pdu_stream_reserve(s, n, &space, &avail), RTRMOD_ENOMEM);
	ck_assert_uint_eq(rtrmod_pdu_stream_pending(s), 0);
	t.fail = 0;
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, b, n), 0);
	/* Growing past the first buffer fails cleanly too. */
	t.fail = 1;
	ck_assert_int_eq(rtrmod_pdu_stream_reserve(s, 1 << 20, &space, &avail), RTRMOD_ENOMEM);
	t.fail = 0;
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, &pdu, &err), 0);
	ck_assert_uint_eq(pdu.version, 2);
	rtrmod_pdu_stream_free(s);
	ck_assert_uint_eq(t.live, t.base);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct rtrmod_ctx *ctx;
	struct rtrmod_pdu_stream *s = (void *)1;
	struct rtrmod_pdu pdu;
	uint8_t *space;
	size_t avail;

	ck_assert_int_eq(rtrmod_pdu_stream_new(NULL, 0, &s), RTRMOD_EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, 0, NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, 0, &s), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_feed(NULL, NULL, 0), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_pdu_stream_feed(s, NULL, 1), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_pdu_stream_reserve(s, 1, NULL, &avail), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_pdu_stream_reserve(NULL, 1, &space, &avail), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_pdu_stream_next(s, NULL, NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_pdu_stream_next(NULL, &pdu, NULL), RTRMOD_EINVAL);
	ck_assert_uint_eq(rtrmod_pdu_stream_pending(NULL), 0);
	rtrmod_pdu_stream_commit(NULL, 1);
	rtrmod_pdu_stream_free(NULL);
	rtrmod_pdu_stream_free(s);
	rtrmod_ctx_free(ctx);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("pdu_stream");
	TCase *prop = tcase_create("property");
	TCase *frame = tcase_create("framing");

	tcase_set_timeout(prop, 120);
	tcase_add_loop_test(prop, test_random_streams, 0, (int)(sizeof(seeds) / sizeof(seeds[0])));
	tcase_add_test(prop, test_byte_by_byte);
	tcase_add_test(prop, test_buffer_stays_bounded);
	tcase_add_test(prop, test_growth_capped);
	suite_add_tcase(s, prop);

	tcase_set_timeout(frame, 30);
	tcase_add_test(frame, test_split_header);
	tcase_add_test(frame, test_many_in_one_read_in_place);
	tcase_add_loop_test(frame, test_oversized_length_refused, 0, 3);
	tcase_add_test(frame, test_header_refusals);
	tcase_add_test(frame, test_header_matches_bounds);
	tcase_add_test(frame, test_max_len_cap);
	tcase_add_test(frame, test_max_len_whole_pdu);
	tcase_add_test(frame, test_sticky_error);
	tcase_add_test(frame, test_decode_error_sticky);
	tcase_add_test(frame, test_reserve_commit_rules);
	tcase_add_test(frame, test_enomem_not_sticky);
	tcase_add_test(frame, test_bad_arguments);
	suite_add_tcase(s, frame);
	return s;
}

CHECK_MAIN()
