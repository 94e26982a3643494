/*
 * check_source_json.c: JSON VRP sources.  Every format on committed
 * fixtures (tests/data/vrps/, see its README), every drop reason counted,
 * "expires" against the caller's clock, documents refused whole with a
 * message naming the document and line, and allocation failures.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtrmod/records.h>
#include <rtrmod/source.h>

#include "check_main.h"
#include "test_alloc.h"

#define VRPS TEST_DATA_DIR "/vrps/"

/* 2025-07-20T10:01:43Z, the build time of the rpki-client sample. */
#define SAMPLE_BUILT 1753005703

struct fixture {
	struct rtrmod_ctx *ctx;
	struct rtrmod_source *src;
	struct rtrmod_set *set;
};

static void
quiet_log(void *arg, enum rtrmod_log_level level, const char *msg)
{
	(void)arg;
	(void)level;
	(void)msg;
}

static void
fx_open(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &f->ctx), 0);
	rtrmod_ctx_set_log(f->ctx, quiet_log, NULL, RTRMOD_LOG_DEBUG);
	ck_assert_int_eq(rtrmod_source_new(f->ctx, &f->src), 0);
}

static void
fx_close(struct fixture *f)
{
	rtrmod_set_unref(f->set);
	rtrmod_source_free(f->src);
	rtrmod_ctx_free(f->ctx);
}

static int
fx_load(struct fixture *f, const char *file, int64_t now)
{
	char path[1024];

	rtrmod_set_unref(f->set);
	f->set = NULL;
	snprintf(path, sizeof(path), VRPS "%s", file);
	return rtrmod_source_load_json_file(f->src, path, now, &f->set);
}

static int
fx_load_text(struct fixture *f, const char *text, int64_t now)
{
	rtrmod_set_unref(f->set);
	f->set = NULL;
	return rtrmod_source_load_json_buffer(f->src, "text", text, strlen(text), now, &f->set);
}

static size_t
n_vrps(const struct fixture *f)
{
	size_t n = 0;

	(void)rtrmod_set_vrps(f->set, &n);
	return n;
}

static size_t
n_keys(const struct fixture *f)
{
	size_t n = 0;

	(void)rtrmod_set_router_keys(f->set, &n);
	return n;
}

static size_t
n_aspas(const struct fixture *f)
{
	size_t n = 0;

	(void)rtrmod_set_aspas(f->set, &n);
	return n;
}

static size_t
dropped(const struct fixture *f, enum rtrmod_source_kind k, enum rtrmod_source_drop r)
{
	return rtrmod_source_dropped(f->src, k, r);
}

/* Whether the set holds exactly this VRP. */
static bool
has_vrp(const struct fixture *f, const char *prefix, unsigned max_len, uint32_t asn)
{
	struct rtrmod_vrp want;
	const struct rtrmod_vrp *v;
	size_t n;

	memset(&want, 0, sizeof(want));
	ck_assert_int_eq(rtrmod_prefix_parse(prefix, &want.prefix), 0);
	want.max_len = (uint8_t)max_len;
	want.asn = asn;
	v = rtrmod_set_vrps(f->set, &n);
	for (size_t i = 0; i < n; i++)
		if (rtrmod_vrp_cmp(&v[i], &want) == 0)
			return true;
	return false;
}

START_TEST(test_rpki_client_sample)
{
	struct fixture f;
	const struct rtrmod_router_key *keys;
	const struct rtrmod_aspa *a;
	int64_t t = 0;
	size_t n;

	fx_open(&f);
	ck_assert_int_eq(fx_load(&f, "rpki-client_sample.json", SAMPLE_BUILT), 0);
	ck_assert_str_eq(rtrmod_source_error(f.src), "");
	ck_assert_int_eq(rtrmod_source_format(f.src), RTRMOD_SOURCE_FORMAT_RPKI_CLIENT);
	ck_assert(rtrmod_source_build_time(f.src, &t));
	ck_assert_int_eq(t, SAMPLE_BUILT);
	ck_assert(!rtrmod_source_valid_until(f.src, NULL));
	ck_assert(rtrmod_source_next_expiry(f.src, &t));
	ck_assert_int_eq(t, 1753068105); /* ASPA of AS11967 */
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, RTRMOD_SOURCE_VRP), 15);
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, RTRMOD_SOURCE_ROUTER_KEY), 2);
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, RTRMOD_SOURCE_ASPA), 4);
	for (int k = 0; k < RTRMOD_SOURCE_KIND_COUNT; k++)
		ck_assert_uint_eq(rtrmod_source_dropped_total(f.src, k), 0);
	ck_assert_uint_eq(n_vrps(&f), 15);
	ck_assert(has_vrp(&f, "1.0.0.0/24", 24, 13335));
	ck_assert(has_vrp(&f, "2.57.180.0/22", 24, 0));
	ck_assert(has_vrp(&f, "2001:200:1ba::/48", 48, 24047));
	keys = rtrmod_set_router_keys(f.set, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(keys[0].asn, 15562);
	ck_assert_uint_eq(keys[0].ski[0], 0x5d);
	ck_assert_uint_eq(keys[0].ski[19], 0xe2);
	ck_assert_uint_eq(keys[0].spki_len, 91);
	ck_assert_uint_eq(keys[0].spki[0], 0x30);
	ck_assert_uint_eq(n_aspas(&f), 4);
	a = rtrmod_set_find_aspa(f.set, 11967);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->provider_count, 7);
	ck_assert_uint_eq(a->providers[0], 1299);
	ck_assert_uint_eq(a->providers[6], 210233);
	fx_close(&f);
}
END_TEST

/* A record expires once now > expires: equal is still valid. */
START_TEST(test_expiry_boundary)
{
	struct fixture f;
	int64_t t = 0;

	fx_open(&f);
	ck_assert_int_eq(fx_load(&f, "rpki-client_sample.json", 1753070425), 0);
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, RTRMOD_SOURCE_VRP), 15);
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, RTRMOD_SOURCE_ASPA), 3);
	ck_assert_uint_eq(dropped(&f, RTRMOD_SOURCE_ASPA, RTRMOD_SOURCE_DROP_EXPIRED), 1);
	ck_assert(rtrmod_source_next_expiry(f.src, &t));
	ck_assert_int_eq(t, 1753070425);
	ck_assert(rtrmod_set_find_aspa(f.set, 11967) == NULL);

	ck_assert_int_eq(fx_load(&f, "rpki-client_sample.json", 1753070426), 0);
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, RTRMOD_SOURCE_VRP), 13);
	ck_assert_uint_eq(dropped(&f, RTRMOD_SOURCE_VRP, RTRMOD_SOURCE_DROP_EXPIRED), 2);
	ck_assert_uint_eq(dropped(&f, RTRMOD_SOURCE_ASPA, RTRMOD_SOURCE_DROP_EXPIRED), 2);
	ck_assert(!has_vrp(&f, "2.57.180.0/22", 24, 0));
	ck_assert_uint_eq(n_vrps(&f), 13);
	ck_assert_uint_eq(n_aspas(&f), 2);
	fx_close(&f);
}
END_TEST

START_TEST(test_ignore_expiry)
{
	struct fixture f;
	int64_t t = 0;

	fx_open(&f);
	ck_assert_int_eq(fx_load(&f, "rpki-client_sample.json", 2000000000), 0);
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, RTRMOD_SOURCE_VRP), 0);
	ck_assert_uint_eq(dropped(&f, RTRMOD_SOURCE_VRP, RTRMOD_SOURCE_DROP_EXPIRED), 15);
	ck_assert_uint_eq(dropped(&f, RTRMOD_SOURCE_ROUTER_KEY, RTRMOD_SOURCE_DROP_EXPIRED), 2);
	ck_assert_uint_eq(dropped(&f, RTRMOD_SOURCE_ASPA, RTRMOD_SOURCE_DROP_EXPIRED), 4);
	ck_assert(!rtrmod_source_next_expiry(f.src, &t));
	ck_assert_uint_eq(n_vrps(&f), 0);

	rtrmod_source_set_ignore_expiry(f.src, true);
	ck_assert_int_eq(fx_load(&f, "rpki-client_sample.json", 2000000000), 0);
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, RTRMOD_SOURCE_VRP), 15);
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, RTRMOD_SOURCE_ROUTER_KEY), 2);
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, RTRMOD_SOURCE_ASPA), 4);
	ck_assert(rtrmod_source_next_expiry(f.src, &t));
	ck_assert_int_eq(t, 1753068105);
	fx_close(&f);
}
END_TEST

START_TEST(test_gortr)
{
	struct fixture f;
	int64_t t = 0;

	fx_open(&f);
	ck_assert_int_eq(fx_load(&f, "gortr_test.rpki.json", 1577865600), 0);
	ck_assert_int_eq(rtrmod_source_format(f.src), RTRMOD_SOURCE_FORMAT_GORTR);
	ck_assert(rtrmod_source_build_time(f.src, &t));
	ck_assert_int_eq(t, 1577865600);
	ck_assert(rtrmod_source_valid_until(f.src, &t));
	ck_assert_int_eq(t, 1577866200);
	ck_assert(!rtrmod_source_next_expiry(f.src, &t));
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, RTRMOD_SOURCE_VRP), 2);
	ck_assert(has_vrp(&f, "10.0.0.0/25", 26, 65000));
	ck_assert(has_vrp(&f, "10.1.0.0/25", 26, 65001));
	ck_assert_uint_eq(n_keys(&f), 0);
	ck_assert_uint_eq(n_aspas(&f), 0);
	fx_close(&f);
}
END_TEST

/* OctoRPKI's signed prefix file (GoRTR format; the signature is not this
 * module's concern). */
START_TEST(test_octorpki)
{
	struct fixture f;
	const struct rtrmod_vrp *v;
	size_t n, v6 = 0;
	int64_t t = 0;

	fx_open(&f);
	ck_assert_int_eq(fx_load(&f, "octorpki_signed_small.rpki.json", 1753005703), 0);
	ck_assert_int_eq(rtrmod_source_format(f.src), RTRMOD_SOURCE_FORMAT_GORTR);
	ck_assert(rtrmod_source_build_time(f.src, &t));
	ck_assert_int_eq(t, 1753005703);
	ck_assert(rtrmod_source_valid_until(f.src, &t));
	ck_assert_int_eq(t, 1753009303);
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, RTRMOD_SOURCE_VRP), 64);
	v = rtrmod_set_vrps(f.set, &n);
	ck_assert_uint_eq(n, 64);
	for (size_t i = 0; i < n; i++)
		v6 += v[i].prefix.afi == RTRMOD_AFI_IPV6;
	ck_assert_uint_eq(v6, 12);
	ck_assert(has_vrp(&f, "1.0.0.0/24", 24, 13335));
	fx_close(&f);
}
END_TEST

/* StayRTR's test file: rpki-client layout with the older
 * provider_authorizations {ipv4, ipv6}; each customer's two entries merge. */
START_TEST(test_stayrtr)
{
	struct fixture f;
	const struct rtrmod_aspa *a;
	int64_t t = 0;

	fx_open(&f);
	ck_assert_int_eq(fx_load(&f, "stayrtr_test.rpki.json", 1690484162), 0);
	ck_assert_int_eq(rtrmod_source_format(f.src), RTRMOD_SOURCE_FORMAT_RPKI_CLIENT);
	ck_assert(rtrmod_source_build_time(f.src, &t));
	ck_assert_int_eq(t, 1690484162);
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, RTRMOD_SOURCE_VRP), 19);
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, RTRMOD_SOURCE_ROUTER_KEY), 3);
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, RTRMOD_SOURCE_ASPA), 4);
	ck_assert_uint_eq(n_vrps(&f), 19);
	ck_assert(has_vrp(&f, "2800:38::/32", 128, 27808));
	ck_assert(has_vrp(&f, "192.0.2.0/24", 24, 1));
	ck_assert_uint_eq(n_keys(&f), 3);
	ck_assert_uint_eq(n_aspas(&f), 2);
	a = rtrmod_set_find_aspa(f.set, 64496);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->provider_count, 6);
	a = rtrmod_set_find_aspa(f.set, 15562);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->provider_count, 4);
	ck_assert_uint_eq(a->providers[0], 2914);

	/* Five ROAs expire before 1827520000; the next one after is kept. */
	ck_assert_int_eq(fx_load(&f, "stayrtr_test.rpki.json", 1827520000), 0);
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, RTRMOD_SOURCE_VRP), 14);
	ck_assert_uint_eq(dropped(&f, RTRMOD_SOURCE_VRP, RTRMOD_SOURCE_DROP_EXPIRED), 5);
	ck_assert(rtrmod_source_next_expiry(f.src, &t));
	ck_assert_int_eq(t, 1827520144);
	fx_close(&f);
}
END_TEST

/* Integer and "AS" string ASNs in one file. */
START_TEST(test_stayrtr_small)
{
	struct fixture f;

	fx_open(&f);
	ck_assert_int_eq(fx_load(&f, "stayrtr_smalltest.rpki.json", 1627400000), 0);
	ck_assert_uint_eq(n_vrps(&f), 2);
	ck_assert(has_vrp(&f, "1.0.0.0/24", 24, 13335));
	ck_assert(has_vrp(&f, "2001:200:136::/48", 48, 9367));
	ck_assert_int_eq(fx_load(&f, "stayrtr_smalltest.rpki.json", 1627570000), 0);
	ck_assert_uint_eq(n_vrps(&f), 1);
	ck_assert(has_vrp(&f, "2001:200:136::/48", 48, 9367));
	ck_assert_uint_eq(dropped(&f, RTRMOD_SOURCE_VRP, RTRMOD_SOURCE_DROP_EXPIRED), 1);
	fx_close(&f);
}
END_TEST

/* Routinator: "AS" strings everywhere, routerKeys with SKI and a
 * URL-safe unpadded routerPublicKey, aspas with customer. */
START_TEST(test_routinator)
{
	struct fixture f, g;
	const struct rtrmod_router_key *k, *k2;
	const struct rtrmod_aspa *a;
	size_t n;
	int64_t t = 0;

	fx_open(&f);
	ck_assert_int_eq(fx_load(&f, "routinator.json", 1700000000), 0);
	ck_assert_int_eq(rtrmod_source_format(f.src), RTRMOD_SOURCE_FORMAT_ROUTINATOR);
	ck_assert(rtrmod_source_build_time(f.src, &t));
	ck_assert_int_eq(t, 1700000000);
	ck_assert_uint_eq(n_vrps(&f), 3);
	ck_assert(has_vrp(&f, "2.57.180.0/22", 24, 0));
	k = rtrmod_set_router_keys(f.set, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(k->asn, 15562);
	/* The same key as the rpki-client sample's, in the other alphabet. */
	fx_open(&g);
	ck_assert_int_eq(fx_load(&g, "rpki-client_sample.json", SAMPLE_BUILT), 0);
	k2 = rtrmod_set_router_keys(g.set, &n);
	ck_assert_uint_eq(k->spki_len, k2[0].spki_len);
	ck_assert_mem_eq(k->spki, k2[0].spki, k->spki_len);
	ck_assert_mem_eq(k->ski, k2[0].ski, 20);
	fx_close(&g);
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, RTRMOD_SOURCE_ASPA), 2);
	a = rtrmod_set_find_aspa(f.set, 64496);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->provider_count, 3);
	ck_assert_uint_eq(a->providers[0], 64509);
	ck_assert_uint_eq(a->providers[2], 64511);
	fx_close(&f);
}
END_TEST

/* Every drop reason of every kind (see the comments in drops.json's
 * order: the test counts each line of that file). */
START_TEST(test_drop_reasons)
{
	static const size_t want[RTRMOD_SOURCE_KIND_COUNT][RTRMOD_SOURCE_DROP_COUNT] = {
	    /* malformed prefix asn max-length ski key providers expired */
	    [RTRMOD_SOURCE_VRP] = {2, 4, 5, 5, 0, 0, 0, 1},
	    [RTRMOD_SOURCE_ROUTER_KEY] = {1, 0, 1, 0, 2, 2, 0, 1},
	    [RTRMOD_SOURCE_ASPA] = {1, 0, 1, 0, 0, 0, 3, 1},
	};
	static const size_t accepted[RTRMOD_SOURCE_KIND_COUNT] = {5, 1, 2};
	struct fixture f;
	const struct rtrmod_aspa *a;
	int64_t t = 0;

	fx_open(&f);
	ck_assert_int_eq(fx_load(&f, "drops.json", 1000), 0);
	for (int k = 0; k < RTRMOD_SOURCE_KIND_COUNT; k++) {
		size_t total = 0;

		for (int r = 0; r < RTRMOD_SOURCE_DROP_COUNT; r++) {
			ck_assert_msg(dropped(&f, k, r) == want[k][r], "%s/%s: %zu, want %zu",
				      rtrmod_source_kind_name(k), rtrmod_source_drop_name(r),
				      dropped(&f, k, r), want[k][r]);
			total += want[k][r];
		}
		ck_assert_uint_eq(rtrmod_source_dropped_total(f.src, k), total);
		ck_assert_uint_eq(rtrmod_source_accepted(f.src, k), accepted[k]);
	}
	/* Five accepted ROAs, one a duplicate. */
	ck_assert_uint_eq(n_vrps(&f), 4);
	ck_assert(has_vrp(&f, "192.0.2.0/24", 24, 64496));
	ck_assert(has_vrp(&f, "2001:db8::/32", 48, 64497));
	ck_assert(has_vrp(&f, "198.51.100.0/24", 32, 64498));
	ck_assert(has_vrp(&f, "203.0.113.0/24", 24, 64499));
	ck_assert_uint_eq(n_keys(&f), 1);
	a = rtrmod_set_find_aspa(f.set, 64496);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->provider_count, 3);
	ck_assert_uint_eq(n_aspas(&f), 1);
	ck_assert(rtrmod_source_next_expiry(f.src, &t));
	ck_assert_int_eq(t, 1000);
	ck_assert(rtrmod_source_build_time(f.src, &t));
	ck_assert_int_eq(t, 1704164645);

	rtrmod_source_set_ignore_expiry(f.src, true);
	ck_assert_int_eq(fx_load(&f, "drops.json", 1000), 0);
	for (int k = 0; k < RTRMOD_SOURCE_KIND_COUNT; k++) {
		ck_assert_uint_eq(dropped(&f, k, RTRMOD_SOURCE_DROP_EXPIRED), 0);
		ck_assert_uint_eq(rtrmod_source_accepted(f.src, k), accepted[k] + 1);
	}
	ck_assert(rtrmod_source_next_expiry(f.src, &t));
	ck_assert_int_eq(t, 999);
	fx_close(&f);
}
END_TEST

/* Refused documents: nothing is loaded and the message names the file. */
static void
assert_refused(struct fixture *f, int rc, const char *needle1, const char *needle2)
{
	const char *msg = rtrmod_source_error(f->src);

	ck_assert_int_eq(rc, RTRMOD_EPARSE);
	ck_assert_ptr_null(f->set);
	ck_assert_msg(strstr(msg, needle1) != NULL, "no '%s' in '%s'", needle1, msg);
	ck_assert_msg(needle2 == NULL || strstr(msg, needle2) != NULL, "no '%s' in '%s'", needle2,
		      msg);
	ck_assert_uint_eq(rtrmod_source_accepted(f->src, RTRMOD_SOURCE_VRP), 0);
	ck_assert_uint_eq(rtrmod_source_dropped_total(f->src, RTRMOD_SOURCE_VRP), 0);
	ck_assert(!rtrmod_source_build_time(f->src, NULL));
}

START_TEST(test_not_json)
{
	struct fixture f;

	fx_open(&f);
	assert_refused(&f, fx_load(&f, "not_json.json", 0), "vrps/not_json.json: line 4, column",
		       "expected");
	assert_refused(&f, fx_load(&f, "not_json.csv", 0), "vrps/not_json.csv: line 1, column 3",
		       NULL);
	assert_refused(&f, fx_load(&f, "truncated.json", 0), "vrps/truncated.json: line ", NULL);
	assert_refused(&f, fx_load(&f, "no_roas.json", 0), "vrps/no_roas.json", "no \"roas\"");
	fx_close(&f);
}
END_TEST

START_TEST(test_missing_file)
{
	struct fixture f;

	fx_open(&f);
	ck_assert_int_eq(fx_load(&f, "does-not-exist.json", 0), RTRMOD_EIO);
	ck_assert_ptr_null(f.set);
	ck_assert_ptr_nonnull(strstr(rtrmod_source_error(f.src), "does-not-exist.json: "));
	/* A good load afterwards clears the message. */
	ck_assert_int_eq(fx_load(&f, "gortr_test.rpki.json", 0), 0);
	ck_assert_str_eq(rtrmod_source_error(f.src), "");
	fx_close(&f);
}
END_TEST

/* Documents in memory: what the top-level scanner accepts and refuses. */
START_TEST(test_buffers)
{
	static const struct {
		const char *text;
		int rc;
		const char *needle;
	} cases[] = {
	    {"", RTRMOD_EPARSE, "line 1"},
	    {"   \n\n  ", RTRMOD_EPARSE, "line 3"},
	    {"[]", RTRMOD_EPARSE, "not an object"},
	    {"\"roas\"", RTRMOD_EPARSE, "not an object"},
	    {"{}", RTRMOD_EPARSE, "no \"roas\""},
	    {"{\"roas\": []}", 0, NULL},
	    {"{\"roas\": null, \"bgpsec_keys\": null, \"aspas\": null}", 0, NULL},
	    {"{\"roas\": 5}", RTRMOD_EPARSE, "\"roas\" is not an array"},
	    {"{\"roas\": nul}", RTRMOD_EPARSE, "invalid token"},
	    {"{\"roas\": [], \"roas\": []}", RTRMOD_EPARSE, "duplicate member \"roas\""},
	    {"{\"roas\": []} x", RTRMOD_EPARSE, "end of file expected"},
	    {"{\"roas\": []}\n\n", 0, NULL},
	    {"{\"roas\": [] ", RTRMOD_EPARSE, "',' or '}' expected"},
	    {"{\"roas\" []}", RTRMOD_EPARSE, "':' expected"},
	    {"{roas: []}", RTRMOD_EPARSE, "string or '}' expected"},
	    {"{\"roas\": [1 2]}", RTRMOD_EPARSE, "',' or ']' expected in \"roas\""},
	    {"{\"roas\": [1,]}", RTRMOD_EPARSE, "line 1, column 13"},
	    {"{\"roas\": [{\"asn\": 1,}]}", RTRMOD_EPARSE, "line 1, column 21"},
	    {"{\"x\": 5, \"y\": true, \"z\": \"s\\\"}\", \"w\": null, \"v\": -1.5e3, "
	     "\"roas\": [ ], \"u\": {\"a\": [1, {}]}, \"t\": []}",
	     0, NULL},
	    {"{\"x\": tru, \"roas\": []}", RTRMOD_EPARSE, "invalid token"},
	    {"{\"x\": 5x, \"roas\": []}", RTRMOD_EPARSE, "line 1, column"},
	    {"{\"ro\\u0061s\": []}", 0, NULL},
	    {"{\"provider_authorizations\": [], \"roas\": []}", RTRMOD_EPARSE,
	     "\"provider_authorizations\" is not an object"},
	    {"{\"provider_authorizations\": {\"ipv4\": 1}, \"roas\": []}", RTRMOD_EPARSE,
	     "\"provider_authorizations.ipv4\" is not an array"},
	    {"{\"metadata\": [1], \"roas\": []}", 0, NULL},
	    {"{\"metadata\": {\"buildtime\": \"yesterday\"}, \"roas\": []}", 0, NULL},
	    {"{\n\"roas\": [\n{\"asn\": 1 \"prefix\": \"x\"}\n]}", RTRMOD_EPARSE, "text: line 3, "},
	};
	struct fixture f;

	fx_open(&f);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = fx_load_text(&f, cases[i].text, 0);
		const char *msg = rtrmod_source_error(f.src);

		ck_assert_msg(rc == cases[i].rc, "case %zu: rc %d, want %d (%s)", i, rc,
			      cases[i].rc, msg);
		ck_assert_msg(cases[i].needle == NULL || strstr(msg, cases[i].needle) != NULL,
			      "case %zu: no '%s' in '%s'", i, cases[i].needle, msg);
		ck_assert(rc != 0 || (f.set != NULL && msg[0] == '\0'));
		ck_assert(rc == 0 || f.set == NULL);
	}
	/* A bad build time is ignored, not guessed. */
	ck_assert(!rtrmod_source_build_time(f.src, NULL));
	fx_close(&f);
}
END_TEST

START_TEST(test_buffer_name_and_rfc3339)
{
	static const char doc[] =
	    "{\"metadata\": {\"buildtime\": \"2025-07-20T12:01:43.5+02:00\"}, "
	    "\"roas\": [{\"asn\": 1, \"prefix\": \"192.0.2.0/24\", "
	    "\"maxLength\": 24}]}";
	struct fixture f;
	int64_t t = 0;

	fx_open(&f);
	ck_assert_int_eq(rtrmod_source_load_json_buffer(f.src, NULL, "[", 1, 0, &f.set),
			 RTRMOD_EPARSE);
	ck_assert_ptr_nonnull(strstr(rtrmod_source_error(f.src), "<buffer>: line 1"));
	ck_assert_int_eq(rtrmod_source_load_json_buffer(f.src, "u", doc, strlen(doc), 0, &f.set),
			 0);
	ck_assert(rtrmod_source_build_time(f.src, &t));
	ck_assert_int_eq(t, SAMPLE_BUILT);
	ck_assert_uint_eq(n_vrps(&f), 1);
	fx_close(&f);
}
END_TEST

START_TEST(test_arguments_and_names)
{
	struct fixture f;
	struct rtrmod_set *set = (void *)1;

	fx_open(&f);
	ck_assert_int_eq(rtrmod_source_new(NULL, NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_source_load_json_file(NULL, "x", 0, &set), RTRMOD_EINVAL);
	ck_assert_ptr_null(set);
	ck_assert_int_eq(rtrmod_source_load_json_file(f.src, NULL, 0, &set), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_source_load_json_file(f.src, "x", 0, NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_source_load_json_buffer(f.src, "x", NULL, 3, 0, &set),
			 RTRMOD_EINVAL);
	rtrmod_source_free(NULL);
	ck_assert_uint_eq(rtrmod_source_accepted(NULL, RTRMOD_SOURCE_VRP), 0);
	ck_assert_uint_eq(rtrmod_source_accepted(f.src, 3), 0);
	ck_assert_uint_eq(rtrmod_source_dropped(f.src, 0, 8), 0);
	ck_assert_str_eq(rtrmod_source_error(NULL), "");
	ck_assert_str_eq(rtrmod_source_kind_name(RTRMOD_SOURCE_ROUTER_KEY), "router-key");
	ck_assert_str_eq(rtrmod_source_kind_name(3), "unknown");
	ck_assert_str_eq(rtrmod_source_drop_name(RTRMOD_SOURCE_DROP_MAX_LENGTH), "max-length");
	ck_assert_str_eq(rtrmod_source_drop_name(RTRMOD_SOURCE_DROP_EXPIRED), "expired");
	ck_assert_str_eq(rtrmod_source_drop_name(8), "unknown");
	ck_assert_str_eq(rtrmod_source_format_name(RTRMOD_SOURCE_FORMAT_ROUTINATOR), "routinator");
	ck_assert_str_eq(rtrmod_source_format_name(9), "unknown");
	fx_close(&f);
}
END_TEST

/* ---- allocation failure ------------------------------------------------ */

/* Fail each allocation of a load in turn: ENOMEM, no set, no leak (ASan). */
START_TEST(test_allocation_failure)
{
	struct failing_alloc fa = {0};
	struct rtrmod_allocator a = failing_alloc_allocator(&fa);
	struct rtrmod_ctx *ctx;
	struct rtrmod_source *src;
	struct rtrmod_set *set;
	long at;
	int rc = RTRMOD_ENOMEM;

	ck_assert_int_eq(rtrmod_ctx_new(&a, &ctx), 0);
	rtrmod_ctx_set_log(ctx, quiet_log, NULL, RTRMOD_LOG_ERR);
	ck_assert_int_eq(rtrmod_source_new(ctx, &src), 0);
	for (at = 1; at < 1000 && rc != 0; at++) {
		fa.calls = 0;
		fa.fail_at = at;
		rc = rtrmod_source_load_json_file(src, VRPS "drops.json", 1000, &set);
		ck_assert_msg(rc == 0 || rc == RTRMOD_ENOMEM, "at %ld: %d", at, rc);
		ck_assert(rc == 0 || set == NULL);
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_gt(at, 3);
	ck_assert_uint_eq(rtrmod_source_accepted(src, RTRMOD_SOURCE_VRP), 5);
	rtrmod_set_unref(set);
	rtrmod_source_free(src);
	fa.fail_at = 0;
	rtrmod_ctx_free(ctx);
}
END_TEST

struct line_log {
	char text[4096];
};

static void
keep_debug_lines(void *arg, enum rtrmod_log_level level, const char *msg)
{
	struct line_log *log = arg;
	size_t used = strlen(log->text);

	snprintf(log->text + used, sizeof(log->text) - used, "%s\n", msg);
}

/* A dropped record is reported at its own line, also after the first
 * record of an array (the start is taken after the comma's newline). */
START_TEST(test_dropped_record_line_numbers)
{
	static const char doc[] = "{\"roas\": [\n"
				  "  {\"prefix\": \"10.0.0.0/8\", \"maxLength\": 8, \"asn\": 1},\n"
				  "  {\"prefix\": \"10.0.0.1/8\", \"maxLength\": 8, \"asn\": 1},\n"
				  "  {\"prefix\": \"11.0.0.0/8\", \"maxLength\": 99, \"asn\": 1}\n"
				  "]}\n";
	struct line_log log = {{0}};
	struct rtrmod_ctx *ctx;
	struct rtrmod_source *src;
	struct rtrmod_set *set = NULL;

	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	rtrmod_ctx_set_log(ctx, keep_debug_lines, &log, RTRMOD_LOG_DEBUG);
	ck_assert_int_eq(rtrmod_source_new(ctx, &src), 0);
	ck_assert_int_eq(rtrmod_source_load_json_buffer(src, "lines.json", doc, sizeof(doc) - 1, 0,
							&set),
			 0);
	ck_assert_ptr_nonnull(strstr(log.text, "lines.json: line 3: vrp record dropped"));
	ck_assert_ptr_nonnull(strstr(log.text, "lines.json: line 4: vrp record dropped"));
	ck_assert_ptr_null(strstr(log.text, "line 2: vrp record dropped"));
	rtrmod_set_unref(set);
	rtrmod_source_free(src);
	rtrmod_ctx_free(ctx);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("source_json");
	TCase *tc = tcase_create("formats");

	tcase_add_test(tc, test_rpki_client_sample);
	tcase_add_test(tc, test_expiry_boundary);
	tcase_add_test(tc, test_ignore_expiry);
	tcase_add_test(tc, test_gortr);
	tcase_add_test(tc, test_octorpki);
	tcase_add_test(tc, test_stayrtr);
	tcase_add_test(tc, test_stayrtr_small);
	tcase_add_test(tc, test_routinator);
	suite_add_tcase(s, tc);
	tc = tcase_create("drops_and_refusals");
	tcase_add_test(tc, test_drop_reasons);
	tcase_add_test(tc, test_not_json);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_buffers);
	tcase_add_test(tc, test_buffer_name_and_rfc3339);
	tcase_add_test(tc, test_arguments_and_names);
	tcase_add_test(tc, test_allocation_failure);
	tcase_add_test(tc, test_dropped_record_line_numbers);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
