/*
 * check_cache_history.c: serials and the delta history.  Exact diffs, exact
 * composition (what comes and goes again cancels), the ring and RFC 1982
 * wrap-around, and the property test: across random update sequences every
 * Serial Query answer, decoded by a model router holding the data of that
 * serial, brings it exactly to the current set, with no duplicate
 * announcement, no withdrawal of what it never had, and exactly as many
 * PDUs as the true set difference has records.
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

static bool
hdelta_same(const struct hdelta *a, const struct hdelta *b)
{
	size_t i;
	int side;

	for (side = 0; side < 2; side++) {
		if (a->nvrps[side] != b->nvrps[side] || a->nkeys[side] != b->nkeys[side] ||
		    a->naspas[side] != b->naspas[side])
			return false;
		for (i = 0; i < a->nvrps[side]; i++)
			if (rtrmod_vrp_cmp(&a->vrps[side][i], &b->vrps[side][i]) != 0)
				return false;
		for (i = 0; i < a->nkeys[side]; i++)
			if (rtrmod_router_key_cmp(&a->keys[side][i], &b->keys[side][i]) != 0)
				return false;
		for (i = 0; i < a->naspas[side]; i++)
			if (a->aspas[side][i].customer_asn != b->aspas[side][i].customer_asn ||
			    a->aspas[side][i].provider_count != b->aspas[side][i].provider_count ||
			    memcmp(a->aspas[side][i].providers, b->aspas[side][i].providers,
				   4 * a->aspas[side][i].provider_count) != 0)
				return false;
	}
	return true;
}

START_TEST(test_diff_exact)
{
	static const char *const a_lines[] = {"10.0.0.0/8 8 AS1", "10.1.0.0/16 16 AS2",
					      "key 1 AS1 one",    "aspa AS7 AS1 AS2",
					      "aspa AS8 AS3",     NULL};
	static const char *const b_lines[] = {"10.0.0.0/8 8 AS1", "10.2.0.0/16 16 AS2",
					      "key 2 AS1 two",    "aspa AS7 AS1 AS3",
					      "aspa AS9 AS3",     NULL};
	struct rtrmod_ctx *ctx = ctx_quiet();
	struct rtrmod_set *a = fx_set(ctx, a_lines), *b = fx_set(ctx, b_lines);
	struct hdelta *d, *same;

	ck_assert_int_eq(hdelta_diff(ctx, a, b, &d), 0);
	ck_assert_uint_eq(d->nvrps[HD_REMOVED], 1);
	ck_assert_uint_eq(d->nvrps[HD_ADDED], 1);
	ck_assert_uint_eq(d->vrps[HD_ADDED][0].prefix.addr[1], 2);
	ck_assert_uint_eq(d->nkeys[HD_REMOVED], 1);
	ck_assert_uint_eq(d->nkeys[HD_ADDED], 1);
	/* AS7's providers changed: old tuple out, new in; AS8 out; AS9 in */
	ck_assert_uint_eq(d->naspas[HD_REMOVED], 2);
	ck_assert_uint_eq(d->naspas[HD_ADDED], 2);
	ck_assert_uint_eq(d->aspas[HD_ADDED][0].customer_asn, 7);
	ck_assert_uint_eq(d->aspas[HD_ADDED][0].providers[1], 3);
	ck_assert(!hdelta_empty(d));
	ck_assert_int_eq(hdelta_diff(ctx, a, a, &same), 0);
	ck_assert(hdelta_empty(same));
	hdelta_free(same);
	hdelta_free(d);
	rtrmod_set_unref(a);
	rtrmod_set_unref(b);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* a -> b -> c composed equals a -> c diffed, and going back cancels out. */
START_TEST(test_compose_exact)
{
	struct rtrmod_ctx *ctx = ctx_quiet();
	struct rtrmod_set *s[3];
	struct hdelta *ab, *bc, *ac, *composed, *back, *none;
	uint64_t st = 0x1234567;
	int round, i;

	for (round = 0; round < 50; round++) {
		for (i = 0; i < 3; i++)
			s[i] = fx_random_set(ctx, &st, 40);
		ck_assert_int_eq(hdelta_diff(ctx, s[0], s[1], &ab), 0);
		ck_assert_int_eq(hdelta_diff(ctx, s[1], s[2], &bc), 0);
		ck_assert_int_eq(hdelta_diff(ctx, s[0], s[2], &ac), 0);
		ck_assert_int_eq(hdelta_compose(ab, bc, &composed), 0);
		ck_assert(hdelta_same(composed, ac));
		ck_assert_int_eq(hdelta_diff(ctx, s[1], s[0], &back), 0);
		ck_assert_int_eq(hdelta_compose(ab, back, &none), 0);
		ck_assert(hdelta_empty(none));
		/* the same step twice cannot be: refused */
		if (!hdelta_empty(ab)) {
			hdelta_free(none);
			ck_assert_int_eq(hdelta_compose(ab, ab, &none), RTRMOD_EINVAL);
			ck_assert_ptr_null(none);
		}
		hdelta_free(none);
		hdelta_free(back);
		hdelta_free(composed);
		hdelta_free(ac);
		hdelta_free(bc);
		hdelta_free(ab);
		for (i = 0; i < 3; i++)
			rtrmod_set_unref(s[i]);
	}
	rtrmod_ctx_free(ctx);
}
END_TEST

/* RFC 1982 §3: serials wrap modulo 2^32; a serial "ahead" is not kept. */
START_TEST(test_ring_and_wrap)
{
	struct rtrmod_ctx *ctx = ctx_quiet();
	struct cache_history h;
	struct rtrmod_set *s[5];
	const struct hdelta *d;
	struct hdelta *step;
	uint64_t st = 99;
	bool owned;
	int i;

	for (i = 0; i < 5; i++)
		s[i] = fx_random_set(ctx, &st, 30);
	ck_assert_int_eq(history_init(&h, ctx, 3), 0);
	history_reset(&h, 0xfffffffeu);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(hdelta_diff(ctx, s[i], s[i + 1], &step), 0);
		history_push(&h, step);
	}
	ck_assert_uint_eq(h.serial, 2);
	ck_assert_uint_eq(h.count, 3);
	ck_assert_uint_eq(history_distance(&h, 2), 0);
	ck_assert_uint_eq(history_distance(&h, 0), 2);
	ck_assert_uint_eq(history_distance(&h, 0xffffffffu), 3);
	ck_assert_uint_eq(history_distance(&h, 0xfffffffeu), UINT32_MAX); /* dropped */
	ck_assert_uint_eq(history_distance(&h, 3), UINT32_MAX);           /* ahead */
	ck_assert_uint_eq(history_distance(&h, 0x80000002u), UINT32_MAX);
	ck_assert_int_eq(history_delta(&h, 3, &d, &owned), RTRMOD_ENOENT);
	ck_assert_int_eq(history_delta(&h, 2, &d, &owned), 0);
	ck_assert(hdelta_empty(d) && !owned);
	ck_assert_int_eq(history_delta(&h, 1, &d, &owned), 0);
	ck_assert(!owned); /* the last step itself */
	ck_assert_int_eq(history_delta(&h, 0xffffffffu, &d, &owned), 0);
	ck_assert(owned);
	ck_assert_int_eq(hdelta_diff(ctx, s[1], s[4], &step), 0);
	ck_assert(hdelta_same(d, step));
	hdelta_free(step);
	hdelta_free((struct hdelta *)(uintptr_t)d);
	/* shrinking keeps the newest */
	ck_assert_int_eq(history_set_cap(&h, 1), 0);
	ck_assert_uint_eq(h.count, 1);
	ck_assert_uint_eq(history_distance(&h, 1), 1);
	ck_assert_uint_eq(history_distance(&h, 0), UINT32_MAX);
	ck_assert_uint_gt(history_memory(&h), 0);
	history_fini(&h);
	for (i = 0; i < 5; i++)
		rtrmod_set_unref(s[i]);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_equal_update_is_noop)
{
	struct rtrmod_ctx *ctx = ctx_quiet();
	struct rtrmod_cache *cache;
	struct rtrmod_set *a, *b;
	uint64_t st = 5, st2 = 5;
	uint32_t serial;

	ck_assert_int_eq(rtrmod_cache_new(ctx, &cache), 0);
	a = fx_random_set(ctx, &st, 50);
	b = fx_random_set(ctx, &st2, 50); /* equal content, another object */
	ck_assert_int_eq(rtrmod_cache_update(cache, a), 0);
	ck_assert_int_eq(rtrmod_cache_serial(cache, &serial), 0);
	ck_assert_uint_eq(serial, 0);
	ck_assert_int_eq(rtrmod_cache_update(cache, b), 0);
	ck_assert_int_eq(rtrmod_cache_update(cache, a), 0);
	ck_assert_int_eq(rtrmod_cache_serial(cache, &serial), 0);
	ck_assert_uint_eq(serial, 0);
	ck_assert_uint_eq(rtrmod_cache_counter(cache, RTRMOD_CACHE_CNT_UPDATES), 1);
	rtrmod_cache_free(cache);
	rtrmod_set_unref(a);
	rtrmod_set_unref(b);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* ---- the property test ---------------------------------------------------------------- */

#define PROP_STEPS   30
#define PROP_HISTORY 5

/* The PDUs a correct answer from `from` to `to` has for `version`: the true
 * set difference (ASPA in replace-by-customer form). */
static void
expected_pdus(const struct rtrmod_set *from, const struct rtrmod_set *to, uint8_t version,
	      size_t *prefixes, size_t *keys, size_t *aspas)
{
	struct rtrmod_delta *d;
	size_t a, w;

	ck_assert_int_eq(rtrmod_set_diff(from, to, &d), 0);
	rtrmod_delta_vrps(d, true, &a);
	rtrmod_delta_vrps(d, false, &w);
	*prefixes = a + w;
	rtrmod_delta_router_keys(d, true, &a);
	rtrmod_delta_router_keys(d, false, &w);
	*keys = version >= 1 ? a + w : 0;
	rtrmod_delta_aspas(d, true, &a);
	rtrmod_delta_aspas(d, false, &w);
	*aspas = version >= 2 ? a + w : 0;
	rtrmod_delta_free(d);
}

/* A router at serial `j` asks for the delta to serial `k`. */
static void
check_serial_query(struct rtrmod_cache *cache, struct rtr_router *at_j,
		   const struct rtrmod_set *set_j, const struct rtrmod_set *set_k, uint32_t j,
		   uint32_t k)
{
	struct rtr_router r;
	size_t np, nk, na;

	rtr_router_init(&r, at_j->version);
	rtr_router_copy(&r, at_j);
	fx_ask_serial(cache, &r, j);
	ck_assert_msg(r.problem[0] == '\0', "v%u %u->%u: %s", r.version, j, k, r.problem);
	ck_assert_msg(r.eod && r.serial == k, "v%u %u->%u: no End of Data", r.version, j, k);
	ck_assert_msg(rtr_router_matches(&r, set_k), "v%u %u->%u: %s", r.version, j, k, r.problem);
	expected_pdus(set_j, set_k, r.version, &np, &nk, &na);
	ck_assert_uint_eq(r.prefix_pdus, np);
	ck_assert_uint_eq(r.key_pdus, nk);
	ck_assert_uint_eq(r.aspa_pdus, na);
	rtr_router_fini(&r);
}

START_TEST(test_property_serial_queries)
{
	struct rtrmod_ctx *ctx = ctx_quiet();
	struct rtr_router routers[3][PROP_STEPS], r;
	struct rtrmod_set *sets[PROP_STEPS];
	uint32_t serials[PROP_STEPS], serial;
	struct rtrmod_cache *cache;
	uint64_t st = 0xfeedface;
	int n = 0, k, j, v;

	ck_assert_int_eq(rtrmod_cache_new(ctx, &cache), 0);
	ck_assert_int_eq(rtrmod_cache_set_history(cache, PROP_HISTORY), 0);
	for (k = 0; k < PROP_STEPS; k++) {
		sets[n] = fx_random_set(ctx, &st, 20 + fx_rand(&st) % 60);
		ck_assert_int_eq(rtrmod_cache_update(cache, sets[n]), 0);
		ck_assert_int_eq(rtrmod_cache_serial(cache, &serial), 0);
		if (n > 0 && serial == serials[n - 1]) { /* an equal set: no change */
			ck_assert(rtrmod_set_equal(sets[n], sets[n - 1]));
			rtrmod_set_unref(sets[n]);
			continue;
		}
		serials[n] = serial;
		for (v = 0; v < 3; v++) {
			/* every kept serial gets an exact delta */
			for (j = n - PROP_HISTORY > 0 ? n - PROP_HISTORY : 0; j < n; j++)
				check_serial_query(cache, &routers[v][j], sets[j], sets[n],
						   serials[j], serial);
			/* one older than the history: Cache Reset */
			if (n - PROP_HISTORY - 1 >= 0) {
				rtr_router_init(&r, (uint8_t)v);
				fx_ask_serial(cache, &r, serials[n - PROP_HISTORY - 1]);
				ck_assert(r.cache_reset && !r.eod);
				rtr_router_fini(&r);
			}
			/* a router that starts now, then asks again: nothing new */
			rtr_router_init(&routers[v][n], (uint8_t)v);
			routers[v][n].check_order = true;
			fx_ask_serial(cache, &routers[v][n], -1);
			ck_assert_msg(routers[v][n].problem[0] == '\0', "%s",
				      routers[v][n].problem);
			ck_assert(rtr_router_matches(&routers[v][n], sets[n]));
			check_serial_query(cache, &routers[v][n], sets[n], sets[n], serial, serial);
		}
		n++;
	}
	ck_assert_int_ge(n, PROP_STEPS / 2);
	for (k = 0; k < n; k++) {
		for (v = 0; v < 3; v++)
			rtr_router_fini(&routers[v][k]);
		rtrmod_set_unref(sets[k]);
	}
	rtrmod_cache_free(cache);
	rtrmod_ctx_free(ctx);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cache_history");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_diff_exact);
	tcase_add_test(tc, test_compose_exact);
	tcase_add_test(tc, test_ring_and_wrap);
	tcase_add_test(tc, test_equal_update_is_noop);
	tcase_add_test(tc, test_property_serial_queries);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
