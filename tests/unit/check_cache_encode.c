/*
 * check_cache_encode.c: the cache's encoded responses.  The PDU order of
 * 8210bis §11 (announcements before withdrawals, more specifics announced
 * first and withdrawn last, one prefix's VRPs together), the exact bytes of
 * a small response, ASPA in replace-by-customer form, End of Data timers,
 * and the Error Report's cut of the erroneous PDU.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cache_fixture.h"
#include "cache_internal.h"
#include "check_main.h"
#include "rtr_router.h"

static void
log_quiet(void *arg, enum rtrmod_log_level level, const char *msg)
{
}

static struct rtrmod_ctx *
ctx_quiet(void)
{
	struct rtrmod_ctx *ctx;

	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	rtrmod_ctx_set_log(ctx, log_quiet, NULL, RTRMOD_LOG_DEBUG);
	return ctx;
}

/* The decoded PDUs of a full v1 response, for order checks. */
static size_t
decode_all(struct rtrmod_cache *cache, uint8_t version, struct rtrmod_pdu *out, size_t max)
{
	struct cbuf *b;
	size_t off = 0, used, n = 0;

	ck_assert_int_eq(cache_full_response(cache, version, &b), 0);
	while (off < b->len && n < max) {
		ck_assert_int_eq(
		    rtrmod_pdu_decode(b->data + off, b->len - off, &out[n], &used, NULL), 0);
		off += used;
		n++;
	}
	ck_assert_uint_eq(off, b->len);
	cbuf_unref(b); /* the cache keeps its own reference; `out` stays valid */
	return n;
}

START_TEST(test_full_order_exact)
{
	static const char *const lines[] = {
	    "10.0.0.0/8 8 AS1",       "10.1.0.0/16 16 AS2",
	    "10.1.2.0/24 24 AS3",     "10.1.2.0/24 24 AS4",
	    "10.9.0.0/16 20 AS5",     "2001:db8::/32 32 AS6",
	    "2001:db8:1::/48 48 AS7", NULL,
	};
	/* (type, prefix length, ASN) in the order they must come */
	static const unsigned expect[][3] = {
	    {RTRMOD_PDU_CACHE_RESPONSE, 0, 0},
	    {4, 24, 3},
	    {4, 24, 4},
	    {4, 16, 2},
	    {4, 16, 5},
	    {4, 8, 1},
	    {6, 48, 7},
	    {6, 32, 6},
	    {RTRMOD_PDU_END_OF_DATA, 0, 0},
	};
	struct rtrmod_ctx *ctx = ctx_quiet();
	struct rtrmod_cache *cache;
	struct rtrmod_set *set = fx_set(ctx, lines);
	struct rtrmod_pdu pdus[16];
	size_t n, i;

	ck_assert_int_eq(rtrmod_cache_new(ctx, &cache), 0);
	ck_assert_int_eq(rtrmod_cache_update(cache, set), 0);
	n = decode_all(cache, 1, pdus, 16);
	ck_assert_uint_eq(n, sizeof(expect) / sizeof(expect[0]));
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(pdus[i].type, expect[i][0]);
		ck_assert_uint_eq(pdus[i].version, 1);
		if (expect[i][0] == 4 || expect[i][0] == 6) {
			ck_assert_uint_eq(pdus[i].u.prefix.flags, RTRMOD_PDU_FLAG_ANNOUNCE);
			ck_assert_uint_eq(pdus[i].u.prefix.prefix_len, expect[i][1]);
			ck_assert_uint_eq(pdus[i].u.prefix.asn, expect[i][2]);
		}
	}
	ck_assert_uint_eq(pdus[0].u.cache_response.session_id, rtrmod_cache_session_id(cache, 1));
	ck_assert_uint_eq(pdus[n - 1].u.eod.refresh, 3600);
	ck_assert_uint_eq(pdus[n - 1].u.eod.retry, 600);
	ck_assert_uint_eq(pdus[n - 1].u.eod.expire, 7200);
	rtrmod_cache_free(cache);
	rtrmod_set_unref(set);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* A delta: announcements (most specific first), then withdrawals (least
 * specific first), across every kind. */
START_TEST(test_delta_order)
{
	static const char *const a_lines[] = {
	    "10.0.0.0/8 8 AS1", "10.1.0.0/16 16 AS2", "10.1.2.0/24 24 AS3",
	    "key 1 AS1 old",    "aspa AS9 AS1",       NULL,
	};
	static const char *const b_lines[] = {
	    "20.0.0.0/8 8 AS1", "20.1.0.0/16 16 AS2", "20.1.2.0/24 24 AS3",
	    "key 2 AS1 new",    "aspa AS8 AS1",       NULL,
	};
	struct rtrmod_ctx *ctx = ctx_quiet();
	struct rtrmod_cache *cache;
	struct rtrmod_set *a = fx_set(ctx, a_lines), *b = fx_set(ctx, b_lines);
	struct rtr_router r;
	uint8_t lens[16];
	size_t n = 0;
	struct cbuf *buf;
	struct rtrmod_pdu pdu;
	size_t off, used;

	ck_assert_int_eq(rtrmod_cache_new(ctx, &cache), 0);
	ck_assert_int_eq(rtrmod_cache_update(cache, a), 0);
	rtr_router_init(&r, 2);
	r.check_order = true;
	fx_ask_serial(cache, &r, -1);
	ck_assert_int_eq(rtrmod_cache_update(cache, b), 0);
	fx_ask_serial(cache, &r, 0);
	ck_assert_msg(r.problem[0] == '\0', "%s", r.problem);
	ck_assert(rtr_router_matches(&r, b));
	/* the exact sequence of flags and lengths */
	ck_assert_int_eq(cache_delta_response(cache, 2, 0, &buf), 0);
	for (off = 0; off < buf->len; off += used) {
		ck_assert_int_eq(
		    rtrmod_pdu_decode(buf->data + off, buf->len - off, &pdu, &used, NULL), 0);
		if (pdu.type == RTRMOD_PDU_IPV4_PREFIX)
			lens[n++] =
			    (uint8_t)(pdu.u.prefix.prefix_len | (pdu.u.prefix.flags ? 0x80 : 0));
		else if (pdu.type == RTRMOD_PDU_ROUTER_KEY)
			lens[n++] = (uint8_t)(pdu.type << 2 | pdu.u.router_key.flags);
		else if (pdu.type == RTRMOD_PDU_ASPA)
			lens[n++] = (uint8_t)(pdu.type << 2 | pdu.u.aspa.flags);
	}
	cbuf_unref(buf);
	ck_assert_uint_eq(n, 10);
	/* ann /24 /16 /8, key, ASPA; wd /8 /16 /24, key, ASPA */
	ck_assert_uint_eq(lens[0], 0x80 | 24);
	ck_assert_uint_eq(lens[1], 0x80 | 16);
	ck_assert_uint_eq(lens[2], 0x80 | 8);
	ck_assert_uint_eq(lens[3], RTRMOD_PDU_ROUTER_KEY << 2 | 1);
	ck_assert_uint_eq(lens[4], RTRMOD_PDU_ASPA << 2 | 1);
	ck_assert_uint_eq(lens[5], 8);
	ck_assert_uint_eq(lens[6], 16);
	ck_assert_uint_eq(lens[7], 24);
	ck_assert_uint_eq(lens[8], RTRMOD_PDU_ROUTER_KEY << 2);
	ck_assert_uint_eq(lens[9], RTRMOD_PDU_ASPA << 2);
	rtr_router_fini(&r);
	rtrmod_cache_free(cache);
	rtrmod_set_unref(a);
	rtrmod_set_unref(b);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* Random nested sets, every version: the model router's order checks. */
START_TEST(test_random_order)
{
	struct rtrmod_ctx *ctx = ctx_quiet();
	struct rtrmod_cache *cache;
	struct rtrmod_set *set;
	struct rtr_router r[3];
	uint64_t st = 77;
	uint32_t serial;
	int i, v;

	ck_assert_int_eq(rtrmod_cache_new(ctx, &cache), 0);
	for (v = 0; v < 3; v++) {
		rtr_router_init(&r[v], (uint8_t)v);
		r[v].check_order = true;
	}
	for (i = 0; i < 20; i++) {
		set = fx_random_set(ctx, &st, 150);
		ck_assert_int_eq(rtrmod_cache_update(cache, set), 0);
		ck_assert_int_eq(rtrmod_cache_serial(cache, &serial), 0);
		for (v = 0; v < 3; v++) {
			fx_ask_serial(cache, &r[v], i == 0 ? -1 : (int64_t)serial - 1);
			ck_assert_msg(r[v].problem[0] == '\0', "v%d: %s", v, r[v].problem);
			ck_assert(rtr_router_matches(&r[v], set));
		}
		rtrmod_set_unref(set);
	}
	for (v = 0; v < 3; v++)
		rtr_router_fini(&r[v]);
	rtrmod_cache_free(cache);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* 8210bis §5.12: a changed provider set is one announcement (replace); a
 * withdrawal only for a customer that is gone. */
START_TEST(test_aspa_replace)
{
	static const char *const a_lines[] = {"aspa AS1 AS10", "aspa AS2 AS20", NULL};
	static const char *const b_lines[] = {"aspa AS1 AS10 AS11", "aspa AS3 AS30", NULL};
	struct rtrmod_ctx *ctx = ctx_quiet();
	struct rtrmod_cache *cache;
	struct rtrmod_set *a = fx_set(ctx, a_lines), *b = fx_set(ctx, b_lines);
	struct rtr_router r, r1;

	ck_assert_int_eq(rtrmod_cache_new(ctx, &cache), 0);
	ck_assert_int_eq(rtrmod_cache_update(cache, a), 0);
	rtr_router_init(&r, 2);
	rtr_router_init(&r1, 1);
	fx_ask_serial(cache, &r, -1);
	fx_ask_serial(cache, &r1, -1);
	ck_assert_int_eq(rtrmod_cache_update(cache, b), 0);
	r.aspa_pdus = 0;
	fx_ask_serial(cache, &r, 0);
	ck_assert_msg(r.problem[0] == '\0', "%s", r.problem);
	ck_assert_uint_eq(r.aspa_pdus, 3); /* AS1 replaced, AS3 new, AS2 withdrawn */
	ck_assert(rtr_router_matches(&r, b));
	/* v1: ASPA does not exist; the delta is empty */
	ck_assert_uint_eq(fx_ask_serial(cache, &r1, 0), 8 + 24);
	ck_assert_uint_eq(r1.aspa_pdus, 0);
	rtr_router_fini(&r);
	rtr_router_fini(&r1);
	rtrmod_cache_free(cache);
	rtrmod_set_unref(a);
	rtrmod_set_unref(b);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_timers_and_encodings)
{
	static const char *const lines[] = {"10.0.0.0/8 8 AS1", NULL};
	struct rtrmod_ctx *ctx = ctx_quiet();
	struct rtrmod_cache *cache;
	struct rtrmod_set *set = fx_set(ctx, lines);
	struct rtrmod_pdu pdus[4];
	size_t n;

	ck_assert_int_eq(rtrmod_cache_new(ctx, &cache), 0);
	ck_assert_int_eq(rtrmod_cache_set_timers(cache, 10, 5, 599), RTRMOD_ERANGE);
	ck_assert_int_eq(rtrmod_cache_set_timers(cache, 900, 60, 900), RTRMOD_ERANGE);
	ck_assert_int_eq(rtrmod_cache_set_timers(cache, 0, 60, 900), RTRMOD_ERANGE);
	ck_assert_int_eq(rtrmod_cache_update(cache, set), 0);
	decode_all(cache, 2, pdus, 4);
	ck_assert_uint_eq(rtrmod_cache_counter(cache, RTRMOD_CACHE_CNT_ENCODINGS), 1);
	decode_all(cache, 2, pdus, 4);
	ck_assert_uint_eq(rtrmod_cache_counter(cache, RTRMOD_CACHE_CNT_ENCODINGS), 1);
	ck_assert_uint_gt(rtrmod_cache_memory(cache), rtrmod_set_memory(set));
	ck_assert_int_eq(rtrmod_cache_set_timers(cache, 300, 60, 900), 0);
	n = decode_all(cache, 2, pdus, 4);
	ck_assert_uint_eq(rtrmod_cache_counter(cache, RTRMOD_CACHE_CNT_ENCODINGS), 2);
	ck_assert_uint_eq(pdus[n - 1].u.eod.refresh, 300);
	ck_assert_uint_eq(pdus[n - 1].u.eod.retry, 60);
	ck_assert_uint_eq(pdus[n - 1].u.eod.expire, 900);
	/* v0 has no timers: a 12-byte End of Data */
	n = decode_all(cache, 0, pdus, 4);
	ck_assert_uint_eq(pdus[n - 1].type, RTRMOD_PDU_END_OF_DATA);
	ck_assert_uint_eq(pdus[n - 1].version, 0);
	rtrmod_cache_free(cache);
	rtrmod_set_unref(set);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_error_pdu)
{
	struct rtrmod_ctx *ctx = ctx_quiet();
	static uint8_t big[1000];
	struct rtrmod_pdu pdu;
	struct cbuf *b;
	size_t used;

	big[0] = 1;
	big[1] = RTRMOD_PDU_ROUTER_KEY;
	ck_assert_int_eq(
	    cache_error_pdu(ctx, 1, RTRMOD_RTR_CORRUPT_DATA, big, sizeof(big), "bad", &b), 0);
	ck_assert_int_eq(rtrmod_pdu_decode(b->data, b->len, &pdu, &used, NULL), 0);
	ck_assert_uint_eq(used, b->len);
	ck_assert_uint_eq(pdu.u.error.code, RTRMOD_RTR_CORRUPT_DATA);
	ck_assert_uint_eq(pdu.u.error.pdu.len, 256);
	ck_assert_uint_eq(pdu.u.error.text.len, 3);
	ck_assert_int_eq(rtrmod_pdu_validate(&pdu, 0, NULL), 0);
	cbuf_unref(b);
	rtrmod_ctx_free(ctx);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cache_encode");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_full_order_exact);
	tcase_add_test(tc, test_delta_order);
	tcase_add_test(tc, test_random_order);
	tcase_add_test(tc, test_aspa_replace);
	tcase_add_test(tc, test_timers_and_encodings);
	tcase_add_test(tc, test_error_pdu);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
