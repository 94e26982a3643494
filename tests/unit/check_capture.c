/*
 * check_capture.c: interop evidence from real peers.  The byte streams in
 * tests/data/capture/ were cut from packet captures of a GoRTR cache (v1,
 * v0, and a v2 query it ignores) and from tcpdump's malformed "v171"
 * sample; the cache served signed_small.rpki.json, so every Prefix PDU it
 * sent must match exactly one of that file's ROAs and every ROA one PDU.
 * Streams are decoded in random chunk sizes, by feed and by reserve/commit.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtrmod/ctx.h>
#include <rtrmod/pdu.h>

#include "check_main.h"
#include "test_rand.h"

#define CAPTURE_DIR TEST_DATA_DIR "/capture/"
#define SESSION_ID  4242

static uint8_t *
slurp(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	uint8_t *buf;
	long n;

	snprintf(path, sizeof(path), "%s%s", CAPTURE_DIR, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* ---- the ROAs of a GoRTR/OctoRPKI prefix file ---------------------------- */

struct roa {
	int v6;
	uint8_t addr[16];
	uint8_t len, max;
	uint32_t asn;
	int matched;
};

/* The value after "key": inside [p, end), or NULL. */
static const char *
json_value(const char *p, const char *end, const char *key)
{
	char pat[64];
	const char *v;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	v = strstr(p, pat);
	if (v == NULL || v >= end)
		return NULL;
	v += strlen(pat);
	while (*v == ' ' || *v == ':')
		v++;
	return v < end ? v : NULL;
}

/* One roa object {"prefix","maxLength","asn" (string "ASn" or number)}. */
static void
parse_roa(const char *obj, const char *end, struct roa *r)
{
	const char *v;
	char prefix[64];
	char *slash;
	size_t n;

	memset(r, 0, sizeof(*r));
	v = json_value(obj, end, "prefix");
	ck_assert(v != NULL && *v == '"');
	n = strcspn(v + 1, "\"");
	ck_assert_uint_lt(n, sizeof(prefix));
	memcpy(prefix, v + 1, n);
	prefix[n] = 0;
	slash = strchr(prefix, '/');
	ck_assert_ptr_nonnull(slash);
	*slash = 0;
	r->len = (uint8_t)atoi(slash + 1);
	r->v6 = strchr(prefix, ':') != NULL;
	ck_assert_int_eq(inet_pton(r->v6 ? AF_INET6 : AF_INET, prefix, r->addr), 1);
	v = json_value(obj, end, "maxLength");
	ck_assert_ptr_nonnull(v);
	r->max = (uint8_t)atoi(v);
	v = json_value(obj, end, "asn");
	ck_assert_ptr_nonnull(v);
	if (*v == '"')
		v += strncmp(v, "\"AS", 3) == 0 ? 3 : 1;
	r->asn = (uint32_t)strtoul(v, NULL, 10);
}

/* A purpose-built reader for the "roas" array: flat objects, no nesting,
 * no braces inside strings (true of prefix files). */
static size_t
parse_roas(const char *json, struct roa *out, size_t cap)
{
	const char *p = strstr(json, "\"roas\"");
	const char *obj, *end;
	size_t n = 0;

	ck_assert_ptr_nonnull(p);
	p = strchr(p, '[');
	ck_assert_ptr_nonnull(p);
	while ((obj = strpbrk(p + 1, "{]")) != NULL && *obj == '{') {
		end = strchr(obj, '}');
		ck_assert_ptr_nonnull(end);
		ck_assert_uint_lt(n, cap);
		parse_roa(obj, end, &out[n++]);
		p = end;
	}
	return n;
}

/* Mark the ROA the prefix PDU stands for; it must exist and be unmarked. */
static void
match_prefix(const struct rtrmod_pdu *pdu, struct roa *roas, size_t n)
{
	int v6 = pdu->type == RTRMOD_PDU_IPV6_PREFIX;
	size_t i;

	for (i = 0; i < n; i++) {
		struct roa *r = &roas[i];

		if (r->v6 == v6 && r->len == pdu->u.prefix.prefix_len &&
		    r->max == pdu->u.prefix.max_len && r->asn == pdu->u.prefix.asn &&
		    memcmp(r->addr, pdu->u.prefix.addr, v6 ? 16 : 4) == 0) {
			ck_assert_msg(!r->matched, "ROA %zu announced twice", i);
			r->matched = 1;
			return;
		}
	}
	ck_abort_msg("prefix PDU (AS%u /%u-%u) matches no ROA", pdu->u.prefix.asn,
		     pdu->u.prefix.prefix_len, pdu->u.prefix.max_len);
}

/* ---- decoding in random chunks ------------------------------------------ */

/* What a stream decoded to. */
struct decoded {
	struct rtrmod_pdu *pdus;
	size_t n;
	size_t bytes; /* bytes consumed by whole PDUs */
	int rc;       /* RTRMOD_EAGAIN at a clean end, else the error */
	struct rtrmod_pdu_error err;
};

/* Put n bytes in by feed or by reserve/commit (chosen by r). */
static void
put(struct rtrmod_pdu_stream *s, uint64_t *r, const uint8_t *p, size_t n)
{
	uint8_t *space;
	size_t avail;

	if (xorshift64(r) & 1) {
		ck_assert_int_eq(rtrmod_pdu_stream_feed(s, p, n), 0);
		return;
	}
	ck_assert_int_eq(rtrmod_pdu_stream_reserve(s, n, &space, &avail), 0);
	ck_assert_uint_ge(avail, n);
	memcpy(space, p, n);
	rtrmod_pdu_stream_commit(s, n);
}

/* Decode buf in chunks of 1..max_chunk bytes.  Each PDU is re-encoded and
 * compared with the bytes it came from.  Borrowed parts of the PDUs are
 * not kept (only fixed-size types are expected here). */
static void
decode_chunked(const uint8_t *buf, size_t len, uint64_t seed, size_t max_chunk, struct decoded *d)
{
	struct rtrmod_ctx *ctx;
	struct rtrmod_pdu_stream *s;
	struct rtrmod_pdu pdu;
	uint8_t tmp[64];
	uint64_t r = seed;
	size_t fed = 0, n, w;

	memset(d, 0, sizeof(*d));
	d->pdus = calloc(len / 8 + 1, sizeof(*d->pdus));
	ck_assert_ptr_nonnull(d->pdus);
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, 0, &s), 0);
	d->rc = RTRMOD_EAGAIN;
	while (fed < len && d->rc == RTRMOD_EAGAIN) {
		n = 1 + (size_t)(xorshift64(&r) % max_chunk);
		if (n > len - fed)
			n = len - fed;
		put(s, &r, buf + fed, n);
		fed += n;
		while ((d->rc = rtrmod_pdu_stream_next(s, &pdu, &d->err)) == 0) {
			ck_assert_int_eq(rtrmod_pdu_encode(&pdu, tmp, sizeof(tmp), &w), 0);
			ck_assert(memcmp(tmp, buf + d->bytes, w) == 0);
			d->bytes += w;
			d->pdus[d->n++] = pdu;
		}
		ck_assert_uint_eq(rtrmod_pdu_stream_pending(s), fed - d->bytes);
	}
	rtrmod_pdu_stream_free(s);
	rtrmod_ctx_free(ctx);
}

/* ---- GoRTR -------------------------------------------------------------- */

static const size_t chunk_sizes[] = {1, 3, 7, 20, 64, 500, 1500, 65536};

/* A Reset Query answered with the whole of signed_small.rpki.json. */
static void
check_reset_response(const char *file, uint8_t version)
{
	struct roa roas[128];
	struct decoded d;
	struct rtrmod_pdu_error err;
	const struct rtrmod_pdu *eod;
	uint8_t *buf, *json;
	size_t len, jlen, nroas, i, c, v4;

	json = slurp("signed_small.rpki.json", &jlen);
	buf = slurp(file, &len);
	for (c = 0; c < sizeof(chunk_sizes) / sizeof(chunk_sizes[0]); c++) {
		nroas = parse_roas((const char *)json, roas, 128);
		ck_assert_uint_eq(nroas, 64);
		decode_chunked(buf, len, 0x5eed + c, chunk_sizes[c], &d);
		ck_assert_int_eq(d.rc, RTRMOD_EAGAIN);
		ck_assert_uint_eq(d.bytes, len);
		ck_assert_uint_eq(d.n, 1 + 64 + 1);
		ck_assert_uint_eq(d.pdus[0].type, RTRMOD_PDU_CACHE_RESPONSE);
		ck_assert_uint_eq(d.pdus[0].u.cache_response.session_id, SESSION_ID);
		for (i = 0, v4 = 0; i < d.n; i++) {
			ck_assert_uint_eq(d.pdus[i].version, version);
			ck_assert_int_eq(
			    rtrmod_pdu_validate(&d.pdus[i], RTRMOD_PDU_STRICT_RESERVED, &err), 0);
			if (i == 0 || i == d.n - 1)
				continue;
			ck_assert(d.pdus[i].type == RTRMOD_PDU_IPV4_PREFIX ||
				  d.pdus[i].type == RTRMOD_PDU_IPV6_PREFIX);
			ck_assert_uint_eq(d.pdus[i].u.prefix.flags, RTRMOD_PDU_FLAG_ANNOUNCE);
			v4 += d.pdus[i].type == RTRMOD_PDU_IPV4_PREFIX;
			match_prefix(&d.pdus[i], roas, nroas);
		}
		ck_assert_uint_eq(v4, 52);
		for (i = 0; i < nroas; i++)
			ck_assert_msg(roas[i].matched, "ROA %zu never announced", i);
		eod = &d.pdus[d.n - 1];
		ck_assert_uint_eq(eod->type, RTRMOD_PDU_END_OF_DATA);
		ck_assert_uint_eq(eod->u.eod.session_id, SESSION_ID);
		ck_assert_uint_eq(eod->u.eod.serial, 0);
		/* v0 End of Data has no timers (RFC 6810 §5.8); GoRTR's defaults
		 * are the RFC 8210 §6 ones. */
		ck_assert_uint_eq(eod->u.eod.refresh, version == 0 ? 0 : 3600);
		ck_assert_uint_eq(eod->u.eod.retry, version == 0 ? 0 : 600);
		ck_assert_uint_eq(eod->u.eod.expire, version == 0 ? 0 : 7200);
		free(d.pdus);
	}
	free(buf);
	free(json);
}

START_TEST(test_gortr_v1_reset)
{
	size_t len;
	uint8_t *buf = slurp("gortr_small.conn1.s2c.bin", &len);

	/* Cache Response 8 + 52 x 20 + 12 x 32 + End of Data 24. */
	ck_assert_uint_eq(len, 8 + 52 * 20 + 12 * 32 + 24);
	free(buf);
	check_reset_response("gortr_small.conn1.s2c.bin", 1);
}
END_TEST

START_TEST(test_gortr_v0_reset)
{
	size_t len;
	uint8_t *buf = slurp("gortr_small.conn2.s2c.bin", &len);

	ck_assert_uint_eq(len, 8 + 52 * 20 + 12 * 32 + 12);
	free(buf);
	check_reset_response("gortr_small.conn2.s2c.bin", 0);
}
END_TEST

/* What rtrdump and our test client sent: one Reset Query each. */
START_TEST(test_gortr_client_queries)
{
	static const char *const files[] = {
	    "gortr_small.conn1.c2s.bin", "gortr_small.conn2.c2s.bin", "gortr_small.conn3.c2s.bin"};
	struct decoded d;
	uint8_t *buf;
	size_t len, i;

	for (i = 0; i < 3; i++) {
		buf = slurp(files[i], &len);
		ck_assert_uint_eq(len, 8);
		decode_chunked(buf, len, i + 1, 3, &d);
		ck_assert_int_eq(d.rc, RTRMOD_EAGAIN);
		ck_assert_uint_eq(d.n, 1);
		ck_assert_uint_eq(d.pdus[0].type, RTRMOD_PDU_RESET_QUERY);
		/* conn1 v1, conn2 v0, conn3 v2. */
		ck_assert_uint_eq(d.pdus[0].version, i == 0 ? 1 : i == 1 ? 0 : 2);
		free(d.pdus);
		free(buf);
	}
	/* GoRTR speaks v0/v1 only: it closed conn3 without a byte (and
	 * without the Error Report RFC 8210 §7 asks for). */
	buf = slurp("gortr_small.conn3.s2c.bin", &len);
	ck_assert_uint_eq(len, 0);
	free(buf);
}
END_TEST

/* ---- tcpdump's malformed sample ----------------------------------------- */

/* "RPKI-RTRv171": refused as soon as the 8-byte header is in, whatever the
 * chunking, and the error carries that header for the Error Report. */
START_TEST(test_tcpdump_v171_refused)
{
	struct rtrmod_ctx *ctx;
	struct rtrmod_pdu_stream *s;
	struct rtrmod_pdu pdu;
	struct rtrmod_pdu_error err;
	struct decoded d;
	uint8_t *buf;
	size_t len, i;

	buf = slurp("tcpdump_oobr.conn1.s2c.bin", &len);
	ck_assert_uint_eq(len, 10);
	ck_assert_uint_eq(buf[0], 171);
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	ck_assert_int_eq(rtrmod_pdu_stream_new(ctx, 0, &s), 0);
	for (i = 0; i < len; i++) {
		int rc;

		ck_assert_int_eq(rtrmod_pdu_stream_feed(s, buf + i, 1), i < 8 ? 0 : RTRMOD_EPDU);
		rc = rtrmod_pdu_stream_next(s, &pdu, &err);
		ck_assert_int_eq(rc, i + 1 < 8 ? RTRMOD_EAGAIN : RTRMOD_EPDU);
	}
	ck_assert_int_eq(err.code, RTRMOD_RTR_UNSUPPORTED_VERSION);
	ck_assert_uint_eq(err.pdu.len, 8);
	ck_assert(memcmp(err.pdu.ptr, buf, 8) == 0);
	ck_assert_uint_eq(rtrmod_pdu_stream_pending(s), 8);
	rtrmod_pdu_stream_free(s);
	rtrmod_ctx_free(ctx);

	for (i = 0; i < 8; i++) {
		decode_chunked(buf, len, i + 1, 1 + i, &d);
		ck_assert_int_eq(d.rc, RTRMOD_EPDU);
		ck_assert_int_eq(d.err.code, RTRMOD_RTR_UNSUPPORTED_VERSION);
		ck_assert_uint_eq(d.n, 0);
		free(d.pdus);
	}
	free(buf);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("capture");
	TCase *tc = tcase_create("gortr");
	TCase *bad = tcase_create("malformed");

	tcase_add_test(tc, test_gortr_v1_reset);
	tcase_add_test(tc, test_gortr_v0_reset);
	tcase_add_test(tc, test_gortr_client_queries);
	suite_add_tcase(s, tc);
	tcase_add_test(bad, test_tcpdump_v171_refused);
	suite_add_tcase(s, bad);
	return s;
}

CHECK_MAIN()
