/* check_delta.c: diff, apply and hand-built deltas: hand cases for every
 * error, and property tests against a bitmask model of small universes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtrmod/records.h>

#include "check_main.h"
#include "test_rand.h"
#include "rtrmod_internal.h"

/* Check logs the place of every passing ck_assert to a file, which costs
 * more than the checks themselves in the property loops below; REQUIRE
 * calls into Check only when it fails. */
#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond);                      \
	} while (0)

static struct rtrmod_vrp
vrp(const char *prefix, uint8_t max_len, uint32_t asn)
{
	struct rtrmod_vrp v;

	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(rtrmod_prefix_parse(prefix, &v.prefix), 0);
	v.max_len = max_len;
	v.asn = asn;
	return v;
}

static const uint8_t spki_long[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86};
static const uint8_t spki_short[] = {0x30, 0x59, 0x30, 0x13}; /* a proper prefix */

static struct rtrmod_router_key
rkey(uint8_t ski, uint32_t asn, bool long_spki)
{
	struct rtrmod_router_key k;

	memset(&k, 0, sizeof(k));
	memset(k.ski, ski, sizeof(k.ski));
	k.asn = asn;
	k.spki = long_spki ? spki_long : spki_short;
	k.spki_len = long_spki ? sizeof(spki_long) : sizeof(spki_short);
	return k;
}

/* ---- the model: small universes and sets as bitmasks --------------------- */

#define NV    48  /* VRPs */
#define NK    8   /* router keys */
#define NC    10  /* ASPA customers 1..NC */
#define PROV0 100 /* providers PROV0.. PROV0+5, a 6-bit mask */

static struct rtrmod_vrp universe_v[NV];
static struct rtrmod_router_key universe_k[NK];

struct model {
	uint64_t v;
	uint8_t k;
	uint8_t aspa[NC]; /* provider mask; 0 = no record */
};

static int
vrp_qsort_cmp(const void *a, const void *b)
{
	return rtrmod_vrp_cmp(a, b);
}

static void
universe_init(void)
{
	static const char *const prefixes[] = {
	    "0.0.0.0/0",    "10.0.0.0/8",    "10.0.0.0/16",   "10.1.0.0/16",
	    "192.0.2.0/24", "2001:db8::/32", "2001:db8::/48", "::/0",
	};
	static const uint32_t asns[] = {0, 65000, 65001};
	struct rtrmod_prefix p;
	int i = 0, m;
	size_t a, j;

	for (j = 0; j < ARRAY_SIZE(prefixes); j++) {
		REQUIRE(rtrmod_prefix_parse(prefixes[j], &p) == 0);
		for (m = 0; m < 2; m++) {
			for (a = 0; a < ARRAY_SIZE(asns); a++) {
				universe_v[i] = vrp(prefixes[j],
						    m == 0                     ? p.len
						    : p.afi == RTRMOD_AFI_IPV4 ? 32
									       : 128,
						    asns[a]);
				i++;
			}
		}
	}
	for (i = 0; i < NK; i++)
		universe_k[i] = rkey((uint8_t)(i & 1), 1 + ((i >> 1) & 1), (i >> 2) & 1);
	/* Sorted, so a VRP's bit is found by binary search. */
	qsort(universe_v, NV, sizeof(universe_v[0]), vrp_qsort_cmp);
	for (i = 1; i < NV; i++)
		REQUIRE(rtrmod_vrp_cmp(&universe_v[i - 1], &universe_v[i]) < 0);
}

static int
vrp_index(const struct rtrmod_vrp *v)
{
	int lo = 0, hi = NV, mid, c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = rtrmod_vrp_cmp(&universe_v[mid], v);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int
key_index(const struct rtrmod_router_key *k)
{
	int i;

	for (i = 0; i < NK; i++) {
		if (rtrmod_router_key_cmp(k, &universe_k[i]) == 0)
			return i;
	}
	return -1;
}

static uint8_t
providers_mask(const struct rtrmod_aspa *a)
{
	uint8_t mask = 0;
	uint32_t i;

	for (i = 0; i < a->provider_count; i++) {
		REQUIRE(a->providers[i] >= PROV0);
		REQUIRE(a->providers[i] < PROV0 + 6);
		if (i > 0)
			REQUIRE(a->providers[i - 1] < a->providers[i]);
		mask |= (uint8_t)(1u << (a->providers[i] - PROV0));
	}
	return mask;
}

static size_t
mask_providers(uint8_t mask, uint32_t *out)
{
	size_t n = 0;
	int i;

	for (i = 0; i < 6; i++) {
		if (mask & (1u << i))
			out[n++] = PROV0 + (uint32_t)i;
	}
	return n;
}

/* Build the model's set, adding in a random order, with repeats, and with
 * ASPA provider sets split across several adds. */
static struct rtrmod_set *
model_build(struct rtrmod_ctx *ctx, const struct model *m, uint64_t *seed)
{
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set;
	uint32_t prov[6];
	size_t n, cut;
	int i, j;

	REQUIRE(rtrmod_set_builder_new(ctx, &b) == 0);
	for (j = 0; j < 2 * NV; j++) {
		i = (int)(xorshift64(seed) % NV);
		if (m->v >> i & 1)
			REQUIRE(rtrmod_set_builder_add_vrp(b, &universe_v[i]) == 0);
	}
	for (i = NV - 1; i >= 0; i--) {
		if (m->v >> i & 1)
			REQUIRE(rtrmod_set_builder_add_vrp(b, &universe_v[i]) == 0);
	}
	for (i = 0; i < NK; i++) {
		if (m->k >> i & 1)
			REQUIRE(rtrmod_set_builder_add_router_key(b, &universe_k[i]) == 0);
	}
	for (i = NC - 1; i >= 0; i--) {
		if (m->aspa[i] == 0)
			continue;
		n = mask_providers(m->aspa[i], prov);
		cut = 1 + xorshift64(seed) % n; /* first add: prov[0..cut), second: overlap */
		REQUIRE(rtrmod_set_builder_add_aspa(b, (uint32_t)i + 1, prov, cut) == 0);
		REQUIRE(rtrmod_set_builder_add_aspa(b, (uint32_t)i + 1, prov + cut - 1,
						    n - cut + 1) == 0);
	}
	REQUIRE(rtrmod_set_builder_finish(b, &set) == 0);
	return set;
}

/* The model a set holds; fails on anything outside the universe, on
 * repeats and on records out of canonical order. */
static struct model
model_of(const struct rtrmod_set *set)
{
	const struct rtrmod_vrp *v;
	const struct rtrmod_router_key *k;
	const struct rtrmod_aspa *a;
	struct model m = {0};
	size_t n, i;
	int x;

	v = rtrmod_set_vrps(set, &n);
	for (i = 0; i < n; i++) {
		x = vrp_index(&v[i]);
		REQUIRE(x >= 0);
		if (i > 0)
			REQUIRE(rtrmod_vrp_cmp(&v[i - 1], &v[i]) < 0);
		m.v |= 1ull << x;
	}
	k = rtrmod_set_router_keys(set, &n);
	for (i = 0; i < n; i++) {
		x = key_index(&k[i]);
		REQUIRE(x >= 0);
		if (i > 0)
			REQUIRE(rtrmod_router_key_cmp(&k[i - 1], &k[i]) < 0);
		m.k |= (uint8_t)(1u << x);
	}
	a = rtrmod_set_aspas(set, &n);
	for (i = 0; i < n; i++) {
		REQUIRE(a[i].customer_asn >= 1);
		REQUIRE(a[i].customer_asn <= NC);
		if (i > 0)
			REQUIRE(a[i - 1].customer_asn < a[i].customer_asn);
		m.aspa[a[i].customer_asn - 1] = providers_mask(&a[i]);
		REQUIRE(m.aspa[a[i].customer_asn - 1] != 0);
	}
	return m;
}

static void
assert_model_eq(const struct model *a, const struct model *b)
{
	REQUIRE(a->v == b->v);
	REQUIRE(a->k == b->k);
	REQUIRE(memcmp(a->aspa, b->aspa, sizeof(a->aspa)) == 0);
}

/* A delta as model masks: what it announces and withdraws. */
struct model_delta {
	uint64_t v_ann, v_wd;
	uint8_t k_ann, k_wd;
	uint8_t aspa_ann[NC]; /* new provider mask, 0 = not announced */
	uint16_t aspa_wd;     /* bit per customer */
};

/* Read a sealed delta back, checking order, no repeats and no overlap. */
static struct model_delta
model_delta_of(const struct rtrmod_delta *d)
{
	struct model_delta md = {0};
	const struct rtrmod_vrp *v;
	const struct rtrmod_router_key *k;
	const struct rtrmod_aspa *a;
	size_t n, i;
	int ann, x;

	for (ann = 0; ann < 2; ann++) {
		v = rtrmod_delta_vrps(d, ann, &n);
		for (i = 0; i < n; i++) {
			x = vrp_index(&v[i]);
			REQUIRE(x >= 0);
			if (i > 0)
				REQUIRE(rtrmod_vrp_cmp(&v[i - 1], &v[i]) < 0);
			*(ann ? &md.v_ann : &md.v_wd) |= 1ull << x;
		}
		k = rtrmod_delta_router_keys(d, ann, &n);
		for (i = 0; i < n; i++) {
			x = key_index(&k[i]);
			REQUIRE(x >= 0);
			if (i > 0)
				REQUIRE(rtrmod_router_key_cmp(&k[i - 1], &k[i]) < 0);
			*(ann ? &md.k_ann : &md.k_wd) |= (uint8_t)(1u << x);
		}
		a = rtrmod_delta_aspas(d, ann, &n);
		for (i = 0; i < n; i++) {
			REQUIRE(a[i].customer_asn >= 1);
			REQUIRE(a[i].customer_asn <= NC);
			if (i > 0)
				REQUIRE(a[i - 1].customer_asn < a[i].customer_asn);
			if (ann) {
				md.aspa_ann[a[i].customer_asn - 1] = providers_mask(&a[i]);
				REQUIRE(a[i].provider_count != 0);
			} else {
				md.aspa_wd |= (uint16_t)(1u << (a[i].customer_asn - 1));
				REQUIRE(a[i].provider_count == 0);
			}
		}
	}
	REQUIRE((md.v_ann & md.v_wd) == 0);
	REQUIRE((md.k_ann & md.k_wd) == 0);
	for (x = 0; x < NC; x++)
		REQUIRE(!(md.aspa_ann[x] != 0 && (md.aspa_wd >> x & 1)));
	return md;
}

/* The expected result of applying md to c: 0, or a mask of the errors
 * apply may return (1: EEXIST, 2: ENOENT); `out` is set on success. */
static int
model_apply(const struct model *c, const struct model_delta *md, struct model *out)
{
	int errors = 0, i;

	if ((md->v_ann & c->v) != 0 || (md->k_ann & c->k) != 0)
		errors |= 1;
	if ((md->v_wd & ~c->v) != 0 || (md->k_wd & ~c->k) != 0)
		errors |= 2;
	*out = *c;
	out->v = (c->v & ~md->v_wd) | md->v_ann;
	out->k = (uint8_t)((c->k & ~md->k_wd) | md->k_ann);
	for (i = 0; i < NC; i++) {
		if (md->aspa_wd >> i & 1) {
			if (c->aspa[i] == 0)
				errors |= 2;
			out->aspa[i] = 0;
		} else if (md->aspa_ann[i] != 0) {
			out->aspa[i] = md->aspa_ann[i]; /* replace or add */
		}
	}
	return errors;
}

/* apply(c, d) agrees with the model, in result or in error. */
static void
check_apply(struct rtrmod_ctx *ctx, const struct rtrmod_set *c, const struct rtrmod_delta *d)
{
	struct model mc = model_of(c), want, got;
	struct model_delta md = model_delta_of(d);
	struct rtrmod_set *out = (void *)1;
	int errors = model_apply(&mc, &md, &want);
	int rc = rtrmod_set_apply(c, d, &out);

	if (errors == 0) {
		REQUIRE(rc == 0);
		got = model_of(out);
		assert_model_eq(&got, &want);
		rtrmod_set_unref(out);
	} else {
		if (!((rc == RTRMOD_EEXIST && (errors & 1)) ||
		      (rc == RTRMOD_ENOENT && (errors & 2))))
			ck_abort_msg("apply returned %d, model says %d", rc, errors);
		REQUIRE(out == NULL);
	}
	/* `c` is unchanged either way. */
	got = model_of(c);
	assert_model_eq(&got, &mc);
}

static void
model_random(struct model *m, uint64_t *seed)
{
	int i;

	m->v = xorshift64(seed) & ((1ull << NV) - 1);
	m->k = (uint8_t)xorshift64(seed);
	for (i = 0; i < NC; i++)
		m->aspa[i] = xorshift64(seed) % 3 == 0 ? 0 : (uint8_t)(1 + xorshift64(seed) % 63);
}

/* Small random steps, so consecutive sets overlap a lot. */
static void
model_mutate(struct model *m, uint64_t *seed)
{
	uint64_t r = xorshift64(seed) % 20;
	int i;

	if (r == 0)
		return; /* an empty delta */
	if (r == 1) {
		model_random(m, seed);
		return;
	}
	for (i = 0; i < NV; i++) {
		if (xorshift64(seed) % 8 == 0)
			m->v ^= 1ull << i;
	}
	for (i = 0; i < NK; i++) {
		if (xorshift64(seed) % 4 == 0)
			m->k ^= (uint8_t)(1u << i);
	}
	for (i = 0; i < NC; i++) {
		r = xorshift64(seed) % 8;
		if (r == 0)
			m->aspa[i] = 0;
		else if (r == 1)
			m->aspa[i] = (uint8_t)(1 + xorshift64(seed) % 63);
		else if (r == 2 && m->aspa[i] != 0)
			m->aspa[i] = (uint8_t)(m->aspa[i] | 1u << (xorshift64(seed) % 6));
	}
}

/* ---- property: diff then apply ------------------------------------------ */

START_TEST(test_property_diff_apply)
{
	struct rtrmod_ctx *ctx;
	struct rtrmod_set *cur, *next, *applied, *older;
	struct rtrmod_delta *d;
	struct model m, prev, got;
	struct model_delta md;
	uint64_t seed = 0x2545f4914f6cdd1dull;
	int step, i, empties = 0;

	universe_init();
	REQUIRE(rtrmod_ctx_new(NULL, &ctx) == 0);
	model_random(&m, &seed);
	cur = model_build(ctx, &m, &seed);
	older = rtrmod_set_ref(cur);
	for (step = 0; step < 2000; step++) {
		prev = m;
		model_mutate(&m, &seed);
		next = model_build(ctx, &m, &seed);
		got = model_of(next);
		assert_model_eq(&got, &m);

		REQUIRE(rtrmod_set_diff(cur, next, &d) == 0);
		/* Announced exactly to minus from; withdrawn exactly from minus to;
		 * ASPA: new or changed customers announced whole. */
		md = model_delta_of(d);
		REQUIRE(md.v_ann == (m.v & ~prev.v));
		REQUIRE(md.v_wd == (prev.v & ~m.v));
		REQUIRE(md.k_ann == (m.k & ~prev.k));
		REQUIRE(md.k_wd == (prev.k & ~m.k));
		for (i = 0; i < NC; i++) {
			REQUIRE(md.aspa_ann[i] == (m.aspa[i] != prev.aspa[i] ? m.aspa[i] : 0));
			REQUIRE((md.aspa_wd >> i & 1) == (prev.aspa[i] != 0 && m.aspa[i] == 0));
		}
		REQUIRE(rtrmod_delta_empty(d) == rtrmod_set_equal(cur, next));
		empties += rtrmod_delta_empty(d);

		REQUIRE(rtrmod_set_apply(cur, d, &applied) == 0);
		REQUIRE(rtrmod_set_equal(applied, next));
		/* Stale: the delta again on its own result, and on an older set. */
		check_apply(ctx, next, d);
		check_apply(ctx, older, d);
		rtrmod_delta_free(d);

		if (step % 16 == 0) {
			rtrmod_set_unref(older);
			older = rtrmod_set_ref(cur);
		}
		/* Carry the applied set on, so apply's output is diffed next. */
		rtrmod_set_unref(cur);
		rtrmod_set_unref(next);
		cur = applied;
	}
	REQUIRE(empties > 10);
	rtrmod_set_unref(older);
	rtrmod_set_unref(cur);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* ---- property: deltas built by hand -------------------------------------- */

/* Add a random handful of operations; return whether seal must refuse. */
static bool
random_delta(struct rtrmod_delta *d, uint64_t *seed, struct model_delta *md)
{
	uint32_t prov[6];
	bool dup = false, ann;
	int ops = (int)(xorshift64(seed) % 10), i, x;
	uint8_t mask;

	memset(md, 0, sizeof(*md));
	for (i = 0; i < ops; i++) {
		ann = xorshift64(seed) & 1;
		switch (xorshift64(seed) % 3) {
		case 0:
			x = (int)(xorshift64(seed) % 8); /* a few, so repeats happen */
			REQUIRE(rtrmod_delta_add_vrp(d, &universe_v[x * 5], ann) == 0);
			dup |= ((md->v_ann | md->v_wd) >> (x * 5) & 1) != 0;
			*(ann ? &md->v_ann : &md->v_wd) |= 1ull << (x * 5);
			break;
		case 1:
			x = (int)(xorshift64(seed) % NK);
			REQUIRE(rtrmod_delta_add_router_key(d, &universe_k[x], ann) == 0);
			dup |= ((md->k_ann | md->k_wd) >> x & 1) != 0;
			*(ann ? &md->k_ann : &md->k_wd) |= (uint8_t)(1u << x);
			break;
		default:
			x = (int)(xorshift64(seed) % 4);
			mask = (uint8_t)(1 + xorshift64(seed) % 63);
			REQUIRE(rtrmod_delta_add_aspa(d, (uint32_t)x + 1, prov,
						      mask_providers(mask, prov), ann) == 0);
			dup |= md->aspa_ann[x] != 0 || (md->aspa_wd >> x & 1);
			if (ann)
				md->aspa_ann[x] = mask;
			else
				md->aspa_wd |= (uint16_t)(1u << x);
			break;
		}
	}
	return dup;
}

START_TEST(test_property_hand_deltas)
{
	struct rtrmod_ctx *ctx;
	struct rtrmod_delta *d;
	struct rtrmod_set *c;
	struct model mc;
	struct model_delta want, got;
	uint64_t seed = 0x853c49e6748fea9bull;
	int iter, refused = 0, sealed = 0;
	bool dup;

	universe_init();
	REQUIRE(rtrmod_ctx_new(NULL, &ctx) == 0);
	for (iter = 0; iter < 3000; iter++) {
		REQUIRE(rtrmod_delta_new(ctx, &d) == 0);
		dup = random_delta(d, &seed, &want);
		if (dup) {
			REQUIRE(rtrmod_delta_seal(d) == RTRMOD_EEXIST);
			refused++;
			rtrmod_delta_free(d);
			continue;
		}
		REQUIRE(rtrmod_delta_seal(d) == 0);
		sealed++;
		got = model_delta_of(d);
		REQUIRE(got.v_ann == want.v_ann);
		REQUIRE(got.v_wd == want.v_wd);
		REQUIRE(got.k_ann == want.k_ann);
		REQUIRE(got.k_wd == want.k_wd);
		REQUIRE(memcmp(got.aspa_ann, want.aspa_ann, sizeof(got.aspa_ann)) == 0);
		REQUIRE(got.aspa_wd == want.aspa_wd);
		/* Apply to a random set that shares records with the delta. */
		model_random(&mc, &seed);
		mc.v &= 0x0842108421ull | xorshift64(&seed); /* the x*5 VRPs, often */
		c = model_build(ctx, &mc, &seed);
		check_apply(ctx, c, d);
		rtrmod_set_unref(c);
		rtrmod_delta_free(d);
	}
	REQUIRE(refused > 300);
	REQUIRE(sealed > 300);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* ---- hand cases ----------------------------------------------------------- */

static struct rtrmod_set *
build(struct rtrmod_ctx *ctx, const struct rtrmod_vrp *v, size_t nv,
      const struct rtrmod_router_key *k, size_t nk, const uint32_t *aspa_customers,
      const uint32_t *aspa_providers, size_t na)
{
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set;
	size_t i;

	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	for (i = 0; i < nv; i++)
		ck_assert_int_eq(rtrmod_set_builder_add_vrp(b, &v[i]), 0);
	for (i = 0; i < nk; i++)
		ck_assert_int_eq(rtrmod_set_builder_add_router_key(b, &k[i]), 0);
	for (i = 0; i < na; i++)
		ck_assert_int_eq(
		    rtrmod_set_builder_add_aspa(b, aspa_customers[i], &aspa_providers[i], 1), 0);
	ck_assert_int_eq(rtrmod_set_builder_finish(b, &set), 0);
	return set;
}

START_TEST(test_diff_by_hand)
{
	const struct rtrmod_vrp va[] = {vrp("192.0.2.0/24", 24, 1), vrp("198.51.100.0/24", 24, 2)};
	const struct rtrmod_vrp vb[] = {vrp("198.51.100.0/24", 24, 2), vrp("2001:db8::/32", 48, 3)};
	const struct rtrmod_router_key ka[] = {rkey(1, 10, true)};
	const struct rtrmod_router_key kb[] = {rkey(1, 10, false)};
	const uint32_t ca[] = {64496, 64497, 64497}, pa[] = {174, 3356, 1299};
	const uint32_t cb[] = {64497, 64497, 64498}, pb[] = {3356, 6939, 174};
	struct rtrmod_ctx *ctx;
	struct rtrmod_set *a, *b, *c;
	struct rtrmod_delta *d;
	const struct rtrmod_vrp *v;
	const struct rtrmod_router_key *k;
	const struct rtrmod_aspa *as;
	size_t n;

	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	a = build(ctx, va, 2, ka, 1, ca, pa, 3);
	b = build(ctx, vb, 2, kb, 1, cb, pb, 3);
	ck_assert_int_eq(rtrmod_set_diff(a, b, &d), 0);
	ck_assert(!rtrmod_delta_empty(d));
	v = rtrmod_delta_vrps(d, true, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(v[0].asn, 3);
	v = rtrmod_delta_vrps(d, false, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(v[0].asn, 1);
	/* Same SKI and ASN, other SPKI: a different key (RFC 8210 §5.10). */
	k = rtrmod_delta_router_keys(d, true, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(k[0].spki_len, sizeof(spki_short));
	k = rtrmod_delta_router_keys(d, false, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(k[0].spki_len, sizeof(spki_long));
	/* 64497 {1299, 3356} -> {3356, 6939}: one announcement of the new set. */
	as = rtrmod_delta_aspas(d, true, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(as[0].customer_asn, 64497);
	ck_assert_uint_eq(as[0].provider_count, 2);
	ck_assert_uint_eq(as[0].providers[0], 3356);
	ck_assert_uint_eq(as[0].providers[1], 6939);
	ck_assert_uint_eq(as[1].customer_asn, 64498);
	as = rtrmod_delta_aspas(d, false, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(as[0].customer_asn, 64496);
	ck_assert_uint_eq(as[0].provider_count, 0);

	/* The delta owns its copies: it outlives both sets. */
	rtrmod_set_unref(a);
	rtrmod_set_unref(b);
	a = build(ctx, va, 2, ka, 1, ca, pa, 3);
	b = build(ctx, vb, 2, kb, 1, cb, pb, 3);
	ck_assert_int_eq(rtrmod_set_apply(a, d, &c), 0);
	ck_assert(rtrmod_set_equal(c, b));
	/* And the result owns its own: it outlives `a` and the delta. */
	rtrmod_delta_free(d);
	rtrmod_set_unref(a);
	ck_assert(rtrmod_set_equal(c, b));
	rtrmod_set_unref(c);

	ck_assert_int_eq(rtrmod_set_diff(b, b, &d), 0);
	ck_assert(rtrmod_delta_empty(d));
	ck_assert_int_eq(rtrmod_set_apply(b, d, &c), 0);
	ck_assert(rtrmod_set_equal(c, b));
	ck_assert_ptr_ne(c, b);
	rtrmod_set_unref(c);
	rtrmod_delta_free(d);
	rtrmod_set_unref(b);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* A sealed delta of one operation. */
static struct rtrmod_delta *
one_op(struct rtrmod_ctx *ctx, int kind, const void *rec, uint32_t customer, bool announce)
{
	static const uint32_t prov[] = {65535};
	struct rtrmod_delta *d;

	ck_assert_int_eq(rtrmod_delta_new(ctx, &d), 0);
	if (kind == 0)
		ck_assert_int_eq(rtrmod_delta_add_vrp(d, rec, announce), 0);
	else if (kind == 1)
		ck_assert_int_eq(rtrmod_delta_add_router_key(d, rec, announce), 0);
	else
		ck_assert_int_eq(rtrmod_delta_add_aspa(d, customer, prov, 1, announce), 0);
	ck_assert_int_eq(rtrmod_delta_seal(d), 0);
	return d;
}

static void
expect_apply(const struct rtrmod_set *from, struct rtrmod_delta *d, int want)
{
	struct rtrmod_set *out = (void *)1;

	ck_assert_int_eq(rtrmod_set_apply(from, d, &out), want);
	if (want != 0)
		ck_assert_ptr_null(out);
	rtrmod_set_unref(out);
	rtrmod_delta_free(d);
}

START_TEST(test_apply_errors)
{
	const struct rtrmod_vrp v[] = {vrp("10.0.0.0/16", 16, 1), vrp("10.2.0.0/16", 16, 1)};
	const struct rtrmod_router_key k[] = {rkey(7, 1, true)};
	const uint32_t cust[] = {20}, prov[] = {30};
	struct rtrmod_vrp below = vrp("10.0.0.0/8", 8, 1), between = vrp("10.1.0.0/16", 16, 1),
			  above = vrp("11.0.0.0/8", 8, 1);
	struct rtrmod_router_key other = rkey(7, 1, false);
	struct rtrmod_ctx *ctx;
	struct rtrmod_set *from, *copy, *out;
	struct rtrmod_delta *d;

	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	from = build(ctx, v, 2, k, 1, cust, prov, 1);
	copy = build(ctx, v, 2, k, 1, cust, prov, 1);
	/* RFC 8210 §12 code 7: announcing what is held. */
	expect_apply(from, one_op(ctx, 0, &v[0], 0, true), RTRMOD_EEXIST);
	expect_apply(from, one_op(ctx, 0, &v[1], 0, true), RTRMOD_EEXIST);
	expect_apply(from, one_op(ctx, 1, &k[0], 0, true), RTRMOD_EEXIST);
	/* Code 6: withdrawing what is not held, wherever it sorts. */
	expect_apply(from, one_op(ctx, 0, &below, 0, false), RTRMOD_ENOENT);
	expect_apply(from, one_op(ctx, 0, &between, 0, false), RTRMOD_ENOENT);
	expect_apply(from, one_op(ctx, 0, &above, 0, false), RTRMOD_ENOENT);
	expect_apply(from, one_op(ctx, 1, &other, 0, false), RTRMOD_ENOENT);
	expect_apply(from, one_op(ctx, 2, NULL, 19, false), RTRMOD_ENOENT);
	expect_apply(from, one_op(ctx, 2, NULL, 21, false), RTRMOD_ENOENT);
	/* Announcing an ASPA customer that has a record replaces it. */
	d = one_op(ctx, 2, NULL, 20, true);
	ck_assert_int_eq(rtrmod_set_apply(from, d, &out), 0);
	ck_assert_uint_eq(rtrmod_set_find_aspa(out, 20)->providers[0], 65535);
	ck_assert_uint_eq(rtrmod_set_find_aspa(out, 20)->provider_count, 1);
	rtrmod_set_unref(out);
	rtrmod_delta_free(d);
	/* Fine ones succeed, and `from` never changed. */
	expect_apply(from, one_op(ctx, 0, &between, 0, true), 0);
	expect_apply(from, one_op(ctx, 0, &v[1], 0, false), 0);
	expect_apply(from, one_op(ctx, 2, NULL, 20, false), 0);
	ck_assert(rtrmod_set_equal(from, copy));

	/* An open delta is refused; so are missing arguments. */
	ck_assert_int_eq(rtrmod_delta_new(ctx, &d), 0);
	ck_assert_int_eq(rtrmod_set_apply(from, d, &out), RTRMOD_ESTATE);
	ck_assert_int_eq(rtrmod_set_apply(NULL, d, &out), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_set_apply(from, NULL, &out), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_set_apply(from, d, NULL), RTRMOD_EINVAL);
	rtrmod_delta_free(d);
	ck_assert_int_eq(rtrmod_set_diff(NULL, from, &d), RTRMOD_EINVAL);
	ck_assert_ptr_null(d);
	ck_assert_int_eq(rtrmod_set_diff(from, from, NULL), RTRMOD_EINVAL);
	rtrmod_set_unref(copy);
	rtrmod_set_unref(from);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* Add one record twice to a delta that also announces another. */
static struct rtrmod_delta *
twice(struct rtrmod_ctx *ctx, int kind, bool first, bool second)
{
	const struct rtrmod_vrp a = vrp("10.0.0.0/16", 16, 1), b = vrp("10.0.0.0/16", 24, 1);
	const struct rtrmod_router_key k = rkey(1, 2, true);
	static const uint32_t prov[] = {5, 4};
	struct rtrmod_delta *d;
	int i;

	ck_assert_int_eq(rtrmod_delta_new(ctx, &d), 0);
	ck_assert_int_eq(rtrmod_delta_add_vrp(d, &b, true), 0);
	for (i = 0; i < 2; i++) {
		bool ann = i == 0 ? first : second;

		if (kind == 0)
			ck_assert_int_eq(rtrmod_delta_add_vrp(d, &a, ann), 0);
		else if (kind == 1)
			ck_assert_int_eq(rtrmod_delta_add_router_key(d, &k, ann), 0);
		else /* the same customer, even with other providers */
			ck_assert_int_eq(rtrmod_delta_add_aspa(d, 9, prov, 1 + (size_t)i, ann), 0);
	}
	return d;
}

START_TEST(test_seal_refuses_repeats)
{
	const struct rtrmod_vrp other = vrp("192.0.2.0/24", 24, 1);
	struct rtrmod_ctx *ctx;
	struct rtrmod_delta *d;
	struct rtrmod_set *empty, *out;
	int kind, mode;

	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	ck_assert_int_eq(rtrmod_set_new_empty(ctx, &empty), 0);
	/* mode 0: announced twice; 1: withdrawn twice; 2: announced and withdrawn. */
	for (kind = 0; kind < 3; kind++) {
		for (mode = 0; mode < 3; mode++) {
			d = twice(ctx, kind, mode != 1, mode == 0);
			ck_assert_msg(rtrmod_delta_seal(d) == RTRMOD_EEXIST, "kind %d mode %d",
				      kind, mode);
			/* A refused delta stays refused. */
			ck_assert_int_eq(rtrmod_delta_seal(d), RTRMOD_EEXIST);
			ck_assert_int_eq(rtrmod_set_apply(empty, d, &out), RTRMOD_ESTATE);
			ck_assert_int_eq(rtrmod_delta_add_vrp(d, &other, true), RTRMOD_ESTATE);
			rtrmod_delta_free(d);
		}
	}
	rtrmod_set_unref(empty);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_seal_sorts)
{
	const struct rtrmod_vrp a = vrp("10.0.0.0/16", 16, 1), b = vrp("10.0.0.0/16", 24, 1);
	static const uint32_t prov[] = {5, 4, 5};
	struct rtrmod_ctx *ctx;
	struct rtrmod_delta *d;
	const struct rtrmod_vrp *v;
	const struct rtrmod_aspa *as;
	size_t n;

	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	ck_assert_int_eq(rtrmod_delta_new(ctx, &d), 0);
	ck_assert_int_eq(rtrmod_delta_add_vrp(d, &b, true), 0);
	ck_assert_int_eq(rtrmod_delta_add_vrp(d, &a, true), 0);
	ck_assert_int_eq(rtrmod_delta_add_aspa(d, 9, prov, 3, true), 0);
	ck_assert_int_eq(rtrmod_delta_add_aspa(d, 8, NULL, 0, false), 0);
	/* Accessors read only a sealed delta. */
	ck_assert_ptr_null(rtrmod_delta_vrps(d, true, &n));
	ck_assert_uint_eq(n, 0);
	ck_assert(!rtrmod_delta_empty(d));
	ck_assert_int_eq(rtrmod_delta_seal(d), 0);
	ck_assert_int_eq(rtrmod_delta_seal(d), 0);
	v = rtrmod_delta_vrps(d, true, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(rtrmod_vrp_cmp(&v[0], &a), 0);
	ck_assert_int_eq(rtrmod_vrp_cmp(&v[1], &b), 0);
	as = rtrmod_delta_aspas(d, true, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(as[0].provider_count, 2); /* {4, 5}: sorted, unique */
	ck_assert_uint_eq(as[0].providers[0], 4);
	ck_assert_uint_eq(as[0].providers[1], 5);
	as = rtrmod_delta_aspas(d, false, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(as[0].customer_asn, 8);
	ck_assert_uint_eq(as[0].provider_count, 0);
	/* Adds stop at seal. */
	ck_assert_int_eq(rtrmod_delta_add_vrp(d, &a, false), RTRMOD_ESTATE);
	rtrmod_delta_free(d);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_delta_arguments)
{
	static const uint32_t prov[] = {5};
	struct rtrmod_vrp bad = vrp("10.0.0.0/16", 16, 1);
	struct rtrmod_router_key k = rkey(1, 2, true);
	struct rtrmod_ctx *ctx;
	struct rtrmod_delta *d;

	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	ck_assert_int_eq(rtrmod_delta_new(ctx, &d), 0);
	bad.max_len = 15;
	ck_assert_int_eq(rtrmod_delta_add_vrp(d, &bad, true), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_delta_add_vrp(d, &bad, false), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_delta_add_vrp(d, NULL, true), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_delta_add_aspa(d, 1, prov, 0, true), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_delta_add_aspa(d, 1, NULL, 1, true), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_delta_add_router_key(d, NULL, true), RTRMOD_EINVAL);
	k.spki_len = 0;
	ck_assert_int_eq(rtrmod_delta_add_router_key(d, &k, false), RTRMOD_EINVAL);
	ck_assert(rtrmod_delta_empty(d));
	ck_assert_int_eq(rtrmod_delta_seal(d), 0);
	ck_assert(rtrmod_delta_empty(d));
	rtrmod_delta_free(d);
	rtrmod_delta_free(NULL);
	ck_assert(rtrmod_delta_empty(NULL));
	ck_assert_int_eq(rtrmod_delta_new(NULL, &d), RTRMOD_EINVAL);
	ck_assert_ptr_null(d);
	ck_assert_int_eq(rtrmod_delta_new(ctx, NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_delta_seal(NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_delta_add_vrp(NULL, &bad, true), RTRMOD_EINVAL);
	rtrmod_ctx_free(ctx);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("delta");
	TCase *hand = tcase_create("hand");
	TCase *prop = tcase_create("property");

	tcase_add_test(hand, test_diff_by_hand);
	tcase_add_test(hand, test_apply_errors);
	tcase_add_test(hand, test_seal_refuses_repeats);
	tcase_add_test(hand, test_seal_sorts);
	tcase_add_test(hand, test_delta_arguments);
	tcase_set_timeout(prop, 120);
	tcase_add_test(prop, test_property_diff_apply);
	tcase_add_test(prop, test_property_hand_deltas);
	suite_add_tcase(s, hand);
	suite_add_tcase(s, prop);
	return s;
}

CHECK_MAIN()
