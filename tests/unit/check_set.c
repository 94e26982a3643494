/* check_set.c: the set builder (sort, dedupe, checks, copies, ASPA merge)
 * and frozen sets (lookup, refcount, equality, memory). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtrmod/records.h>

#include "check_main.h"
#include "test_rand.h"
#include "rtrmod_internal.h"

/* An allocator that counts live blocks and can fail the n-th request. */
struct test_alloc {
	long live;
	long requests;
	long fail_at; /* 0: never */
};

static void *
t_malloc(void *arg, size_t size)
{
	struct test_alloc *a = arg;
	void *p;

	if (a->fail_at != 0 && ++a->requests == a->fail_at)
		return NULL;
	p = malloc(size != 0 ? size : 1);
	if (p != NULL)
		a->live++;
	return p;
}

static void *
t_realloc(void *arg, void *ptr, size_t size)
{
	struct test_alloc *a = arg;
	void *p;

	if (a->fail_at != 0 && ++a->requests == a->fail_at)
		return NULL;
	p = realloc(ptr, size != 0 ? size : 1);
	if (p != NULL && ptr == NULL)
		a->live++;
	return p;
}

static void
t_free(void *arg, void *ptr)
{
	struct test_alloc *a = arg;

	if (ptr != NULL)
		a->live--;
	free(ptr);
}

static struct rtrmod_ctx *
new_ctx(struct test_alloc *a)
{
	struct rtrmod_allocator al = {t_malloc, t_realloc, t_free, a};
	struct rtrmod_ctx *ctx;

	ck_assert_int_eq(rtrmod_ctx_new(a != NULL ? &al : NULL, &ctx), 0);
	return ctx;
}

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

/* 10.a.b.0/24 style VRPs numbered i, distinct for distinct i < 2^16. */
static struct rtrmod_vrp
vrp_n(uint32_t i)
{
	struct rtrmod_vrp v;

	memset(&v, 0, sizeof(v));
	v.prefix.afi = RTRMOD_AFI_IPV4;
	v.prefix.len = 24;
	v.prefix.addr[0] = 10;
	v.prefix.addr[1] = (uint8_t)(i >> 8);
	v.prefix.addr[2] = (uint8_t)i;
	v.max_len = 24;
	v.asn = 64512 + (i % 7);
	return v;
}

static void
assert_vrps_ascending(const struct rtrmod_set *set)
{
	size_t n, i;
	const struct rtrmod_vrp *v = rtrmod_set_vrps(set, &n);

	for (i = 1; i < n; i++)
		ck_assert_msg(rtrmod_vrp_cmp(&v[i - 1], &v[i]) < 0, "VRPs %zu and %zu", i - 1, i);
}

START_TEST(test_sort_dedupe)
{
	const struct rtrmod_vrp in[] = {
	    vrp("2001:db8::/32", 48, 1), vrp("10.0.0.0/8", 8, 2),   vrp("10.0.0.0/8", 8, 1),
	    vrp("10.0.0.0/8", 8, 2),     vrp("10.0.0.0/16", 16, 1), vrp("10.0.0.0/8", 24, 1),
	    vrp("2001:db8::/32", 48, 1), vrp("0.0.0.0/0", 0, 0),    vrp("10.0.0.0/8", 8, 1),
	};
	const struct rtrmod_vrp want[] = {
	    vrp("0.0.0.0/0", 0, 0),   vrp("10.0.0.0/8", 8, 1),   vrp("10.0.0.0/8", 8, 2),
	    vrp("10.0.0.0/8", 24, 1), vrp("10.0.0.0/16", 16, 1), vrp("2001:db8::/32", 48, 1),
	};
	struct rtrmod_ctx *ctx = new_ctx(NULL);
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set;
	const struct rtrmod_vrp *v;
	size_t n, i;

	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	for (i = 0; i < ARRAY_SIZE(in); i++)
		ck_assert_int_eq(rtrmod_set_builder_add_vrp(b, &in[i]), 0);
	ck_assert_int_eq(rtrmod_set_builder_finish(b, &set), 0);
	v = rtrmod_set_vrps(set, &n);
	ck_assert_uint_eq(n, ARRAY_SIZE(want));
	for (i = 0; i < n; i++)
		ck_assert_msg(rtrmod_vrp_cmp(&v[i], &want[i]) == 0, "VRP %zu", i);
	rtrmod_set_unref(set);
	rtrmod_ctx_free(ctx);
}
END_TEST

static int
vrp_qsort_cmp(const void *a, const void *b)
{
	return rtrmod_vrp_cmp(a, b);
}

/* Check against a qsort reference for sizes around the sort's run and
 * merge boundaries, in random, reversed and sorted orders, with repeats. */
static void
check_sort_size(struct rtrmod_ctx *ctx, size_t count, int order, uint64_t *seed)
{
	struct rtrmod_vrp *in = calloc(count + 1, sizeof(*in));
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set;
	const struct rtrmod_vrp *v;
	size_t i, n, uniq = 0;

	ck_assert_ptr_nonnull(in);
	for (i = 0; i < count; i++)
		in[i] = vrp_n((uint32_t)(order == 0   ? xorshift64(seed) % (count / 2 + 1)
					 : order == 1 ? count - i
						      : i));
	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	for (i = 0; i < count; i++)
		ck_assert_int_eq(rtrmod_set_builder_add_vrp(b, &in[i]), 0);
	ck_assert_int_eq(rtrmod_set_builder_finish(b, &set), 0);
	qsort(in, count, sizeof(*in), vrp_qsort_cmp);
	for (i = 0; i < count; i++) {
		if (i == 0 || rtrmod_vrp_cmp(&in[i - 1], &in[i]) != 0)
			in[uniq++] = in[i];
	}
	assert_vrps_ascending(set);
	v = rtrmod_set_vrps(set, &n);
	ck_assert_uint_eq(n, uniq);
	for (i = 0; i < n; i++)
		ck_assert_msg(rtrmod_vrp_cmp(&v[i], &in[i]) == 0, "size %zu VRP %zu", count, i);
	rtrmod_set_unref(set);
	free(in);
}

START_TEST(test_sort_sizes)
{
	static const size_t sizes[] = {0, 1, 2, 31, 32, 33, 63, 64, 65, 95, 1000, 4097, 60000};
	struct rtrmod_ctx *ctx = new_ctx(NULL);
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	size_t i;
	int order;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (order = 0; order < 3; order++)
			check_sort_size(ctx, sizes[i], order, &seed);
	}
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_invalid_vrps)
{
	struct rtrmod_vrp bad[12], good[] = {
				       vrp("0.0.0.0/0", 0, 0),      vrp("0.0.0.0/0", 32, 1),
				       vrp("192.0.2.0/24", 32, 2),  vrp("192.0.2.1/32", 32, 3),
				       vrp("::/0", 128, 4),         vrp("2001:db8::1/128", 128, 5),
				       vrp("2001:db8::/32", 32, 6),
				   };
	struct rtrmod_ctx *ctx = new_ctx(NULL);
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set;
	size_t i, n;

	bad[0] = vrp("192.0.2.0/24", 23, 1);   /* max_len < len */
	bad[1] = vrp("192.0.2.0/24", 33, 1);   /* max_len past 32 */
	bad[2] = vrp("2001:db8::/32", 129, 1); /* max_len past 128 */
	bad[3] = vrp("2001:db8::/32", 31, 1);
	bad[4] = vrp("192.0.2.0/24", 24, 1);
	bad[4].prefix.addr[3] = 1; /* host bit */
	bad[5] = vrp("2001:db8::/32", 48, 1);
	bad[5].prefix.addr[15] = 1; /* host bit */
	bad[6] = vrp("192.0.2.0/24", 24, 1);
	bad[6].prefix.addr[4] = 1; /* IPv4 bytes past addr[3] */
	bad[7] = vrp("192.0.2.0/24", 24, 1);
	bad[7].prefix.afi = 5; /* unknown family */
	bad[8] = vrp("192.0.2.0/24", 24, 1);
	bad[8].prefix.afi = 0;
	bad[9] = vrp("192.0.2.0/24", 24, 1);
	bad[9].prefix.len = 33;
	bad[9].max_len = 33;
	bad[10] = vrp("::/0", 0, 1);
	bad[10].prefix.len = 129;
	bad[10].max_len = 129;
	bad[11] = vrp("10.0.0.0/8", 8, 1);
	bad[11].prefix.addr[1] = 0x80; /* host bit in the first byte past /8 */

	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(rtrmod_set_builder_add_vrp(b, &bad[i]) == RTRMOD_EINVAL, "bad %zu",
			      i);
	for (i = 0; i < ARRAY_SIZE(good); i++)
		ck_assert_msg(rtrmod_set_builder_add_vrp(b, &good[i]) == 0, "good %zu", i);
	ck_assert_int_eq(rtrmod_set_builder_add_vrp(b, NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_set_builder_add_vrp(NULL, &good[0]), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_set_builder_finish(b, &set), 0);
	rtrmod_set_vrps(set, &n);
	ck_assert_uint_eq(n, ARRAY_SIZE(good));
	rtrmod_set_unref(set);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_router_key_copied)
{
	struct rtrmod_ctx *ctx = new_ctx(NULL);
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set;
	struct rtrmod_router_key k;
	const struct rtrmod_router_key *out;
	uint8_t *spki = malloc(91);
	size_t n, i;

	ck_assert_ptr_nonnull(spki);
	for (i = 0; i < 91; i++)
		spki[i] = (uint8_t)(0x30 + i);
	memset(&k, 0, sizeof(k));
	memset(k.ski, 0x5d, sizeof(k.ski));
	k.asn = 15562;
	k.spki = spki;
	k.spki_len = 91;
	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	ck_assert_int_eq(rtrmod_set_builder_add_router_key(b, &k), 0);
	ck_assert_int_eq(rtrmod_set_builder_add_router_key(b, &k), 0); /* duplicate */
	k.spki_len = 90; /* a different key: SPKI is part of the identity */
	ck_assert_int_eq(rtrmod_set_builder_add_router_key(b, &k), 0);
	k.spki_len = 0;
	ck_assert_int_eq(rtrmod_set_builder_add_router_key(b, &k), RTRMOD_EINVAL);
	k.spki_len = 91;
	k.spki = NULL;
	ck_assert_int_eq(rtrmod_set_builder_add_router_key(b, &k), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_set_builder_add_router_key(b, NULL), RTRMOD_EINVAL);
	memset(spki, 0xee, 91);
	free(spki);
	ck_assert_int_eq(rtrmod_set_builder_finish(b, &set), 0);

	out = rtrmod_set_router_keys(set, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(out[0].spki_len, 90); /* proper prefix sorts first */
	ck_assert_uint_eq(out[1].spki_len, 91);
	for (i = 0; i < 2; i++) {
		ck_assert_uint_eq(out[i].asn, 15562);
		ck_assert_uint_eq(out[i].ski[19], 0x5d);
		for (size_t j = 0; j < out[i].spki_len; j++)
			ck_assert_uint_eq(out[i].spki[j], (uint8_t)(0x30 + j));
	}
	ck_assert_ptr_ne(out[0].spki, out[1].spki);
	rtrmod_set_unref(set);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_aspa_merge)
{
	static const uint32_t p1[] = {3, 1, 2}, p2[] = {4, 2}, p3[] = {9, 9, 9}, p4[] = {0};
	struct rtrmod_ctx *ctx = new_ctx(NULL);
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set;
	const struct rtrmod_aspa *a;
	size_t n;

	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	ck_assert_int_eq(rtrmod_set_builder_add_aspa(b, 65000, p1, 3), 0);
	ck_assert_int_eq(rtrmod_set_builder_add_aspa(b, 64999, p3, 3), 0);
	ck_assert_int_eq(rtrmod_set_builder_add_aspa(b, 65000, p2, 2), 0);
	ck_assert_int_eq(rtrmod_set_builder_add_aspa(b, 1, p4, 1), 0);
	ck_assert_int_eq(rtrmod_set_builder_add_aspa(b, 7, p1, 0), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_set_builder_add_aspa(b, 7, NULL, 2), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_set_builder_add_aspa(NULL, 7, p1, 1), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_set_builder_finish(b, &set), 0);

	a = rtrmod_set_aspas(set, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(a[0].customer_asn, 1);
	ck_assert_uint_eq(a[0].provider_count, 1);
	ck_assert_uint_eq(a[0].providers[0], 0);
	ck_assert_uint_eq(a[1].customer_asn, 64999);
	ck_assert_uint_eq(a[1].provider_count, 1);
	ck_assert_uint_eq(a[1].providers[0], 9);
	ck_assert_uint_eq(a[2].customer_asn, 65000);
	ck_assert_uint_eq(a[2].provider_count, 4);
	for (uint32_t i = 0; i < 4; i++)
		ck_assert_uint_eq(a[2].providers[i], i + 1);
	rtrmod_set_unref(set);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_find_aspa)
{
	static const uint32_t customers[] = {4294967295u, 20, 0, 10, 30};
	struct rtrmod_ctx *ctx = new_ctx(NULL);
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set, *empty;
	const struct rtrmod_aspa *a;
	uint32_t prov;
	size_t i;

	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	for (i = 0; i < ARRAY_SIZE(customers); i++) {
		prov = customers[i] + 1;
		ck_assert_int_eq(rtrmod_set_builder_add_aspa(b, customers[i], &prov, 1), 0);
	}
	ck_assert_int_eq(rtrmod_set_builder_finish(b, &set), 0);
	for (i = 0; i < ARRAY_SIZE(customers); i++) {
		a = rtrmod_set_find_aspa(set, customers[i]);
		ck_assert_ptr_nonnull(a);
		ck_assert_uint_eq(a->customer_asn, customers[i]);
		ck_assert_uint_eq(a->providers[0], customers[i] + 1);
	}
	ck_assert_ptr_null(rtrmod_set_find_aspa(set, 1));
	ck_assert_ptr_null(rtrmod_set_find_aspa(set, 15));
	ck_assert_ptr_null(rtrmod_set_find_aspa(set, 31));
	ck_assert_ptr_null(rtrmod_set_find_aspa(set, 4294967294u));
	ck_assert_ptr_null(rtrmod_set_find_aspa(NULL, 10));
	ck_assert_int_eq(rtrmod_set_new_empty(ctx, &empty), 0);
	ck_assert_ptr_null(rtrmod_set_find_aspa(empty, 0));
	rtrmod_set_unref(empty);
	rtrmod_set_unref(set);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_refcount)
{
	struct test_alloc al = {0};
	struct rtrmod_ctx *ctx = new_ctx(&al);
	struct rtrmod_set *set;
	long before = al.live;

	ck_assert_int_eq(rtrmod_set_new_empty(ctx, &set), 0);
	ck_assert_int_eq(al.live, before + 1);
	ck_assert_ptr_eq(rtrmod_set_ref(set), set);
	ck_assert_ptr_eq(rtrmod_set_ref(set), set);
	rtrmod_set_unref(set);
	rtrmod_set_unref(set);
	ck_assert_int_eq(al.live, before + 1); /* one reference left */
	rtrmod_set_unref(set);
	ck_assert_int_eq(al.live, before);
	ck_assert_ptr_null(rtrmod_set_ref(NULL));
	rtrmod_set_unref(NULL);
	rtrmod_ctx_free(ctx);
	ck_assert_int_eq(al.live, 0);
}
END_TEST

/* A set with every kind of record; `variant` changes one thing. */
static struct rtrmod_set *
sample_set(struct rtrmod_ctx *ctx, int variant, bool reverse)
{
	static const uint8_t spki[] = {0x30, 0x59, 0x30, 0x13};
	static const uint32_t prov[] = {174, 3356, 1299};
	struct rtrmod_vrp v[3] = {vrp("192.0.2.0/24", 24, 64496), vrp("2001:db8::/32", 48, 64497),
				  vrp("198.51.100.0/24", 24, 64498)};
	struct rtrmod_router_key k;
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set;
	uint32_t customer = 64496;
	int i;

	memset(&k, 0, sizeof(k));
	k.asn = 64496;
	k.spki = spki;
	k.spki_len = variant == 2 ? 3 : 4;
	if (variant == 1)
		v[1].max_len = 64;
	if (variant == 4)
		customer = 64497;
	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(rtrmod_set_builder_add_vrp(b, &v[reverse ? 2 - i : i]), 0);
	ck_assert_int_eq(rtrmod_set_builder_add_router_key(b, &k), 0);
	ck_assert_int_eq(rtrmod_set_builder_add_aspa(b, customer, prov, variant == 3 ? 2 : 3), 0);
	ck_assert_int_eq(rtrmod_set_builder_finish(b, &set), 0);
	return set;
}

START_TEST(test_equal)
{
	struct rtrmod_ctx *ctx = new_ctx(NULL);
	struct rtrmod_set *a = sample_set(ctx, 0, false), *b = sample_set(ctx, 0, true), *c;
	int variant;

	ck_assert(rtrmod_set_equal(a, b));
	ck_assert(rtrmod_set_equal(a, a));
	ck_assert(rtrmod_set_equal(NULL, NULL));
	ck_assert(!rtrmod_set_equal(a, NULL));
	ck_assert(!rtrmod_set_equal(NULL, a));
	for (variant = 1; variant <= 4; variant++) {
		c = sample_set(ctx, variant, false);
		ck_assert_msg(!rtrmod_set_equal(a, c), "variant %d", variant);
		ck_assert_msg(!rtrmod_set_equal(c, a), "variant %d", variant);
		rtrmod_set_unref(c);
	}
	ck_assert_int_eq(rtrmod_set_new_empty(ctx, &c), 0);
	ck_assert(!rtrmod_set_equal(a, c));
	rtrmod_set_unref(c);
	rtrmod_set_unref(a);
	rtrmod_set_unref(b);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_empty)
{
	struct rtrmod_ctx *ctx = new_ctx(NULL);
	struct rtrmod_set_builder *b;
	struct rtrmod_set *e1, *e2;
	size_t n = 99;

	ck_assert_int_eq(rtrmod_set_new_empty(ctx, &e1), 0);
	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	ck_assert_int_eq(rtrmod_set_builder_finish(b, &e2), 0);
	ck_assert(rtrmod_set_equal(e1, e2));
	rtrmod_set_vrps(e1, &n);
	ck_assert_uint_eq(n, 0);
	n = 99;
	rtrmod_set_router_keys(e1, &n);
	ck_assert_uint_eq(n, 0);
	n = 99;
	rtrmod_set_aspas(e2, &n);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_gt(rtrmod_set_memory(e1), 0);
	ck_assert_uint_lt(rtrmod_set_memory(e1), 256);
	n = 99;
	ck_assert_ptr_null(rtrmod_set_vrps(NULL, &n));
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(rtrmod_set_memory(NULL), 0);
	rtrmod_set_unref(e1);
	rtrmod_set_unref(e2);
	ck_assert_int_eq(rtrmod_set_new_empty(NULL, &e2), RTRMOD_EINVAL);
	ck_assert_ptr_null(e2);
	ck_assert_int_eq(rtrmod_set_new_empty(ctx, NULL), RTRMOD_EINVAL);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_memory_per_vrp)
{
	struct rtrmod_ctx *ctx = new_ctx(NULL);
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set;
	struct rtrmod_vrp v;
	const size_t count = 50000;
	size_t i, mem;

	ck_assert_uint_eq(sizeof(struct rtrmod_vrp), 24);
	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	for (i = 0; i < count; i++) {
		v = vrp_n((uint32_t)i);
		ck_assert_int_eq(rtrmod_set_builder_add_vrp(b, &v), 0);
		ck_assert_int_eq(rtrmod_set_builder_add_vrp(b, &v), 0);
	}
	ck_assert_int_eq(rtrmod_set_builder_finish(b, &set), 0);
	mem = rtrmod_set_memory(set);
	ck_assert_uint_ge(mem, 24 * count);
	ck_assert_uint_le(mem, 24 * count + 256);
	rtrmod_set_unref(set);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_builder_lifecycle)
{
	struct test_alloc al = {0};
	struct rtrmod_ctx *ctx = new_ctx(&al);
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set = (void *)1;
	struct rtrmod_vrp v = vrp("10.0.0.0/8", 8, 1);

	ck_assert_int_eq(rtrmod_set_builder_new(NULL, &b), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_set_builder_new(ctx, NULL), RTRMOD_EINVAL);
	rtrmod_set_builder_free(NULL);
	/* Freed unfinished, with content. */
	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	ck_assert_int_eq(rtrmod_set_builder_add_vrp(b, &v), 0);
	rtrmod_set_builder_free(b);
	/* Finish frees the builder even when it fails. */
	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	ck_assert_int_eq(rtrmod_set_builder_add_vrp(b, &v), 0);
	ck_assert_int_eq(rtrmod_set_builder_finish(b, NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_set_builder_finish(NULL, &set), RTRMOD_EINVAL);
	ck_assert_ptr_null(set);
	ck_assert_int_eq(al.live, 1); /* the context */
	rtrmod_ctx_free(ctx);
}
END_TEST

/* Build the sample set, failing the n-th allocation. */
static int
build_with_failure(struct rtrmod_ctx *ctx, struct rtrmod_set **out)
{
	static const uint8_t spki[] = {1, 2, 3};
	static const uint32_t prov[] = {3, 2, 1};
	struct rtrmod_set_builder *b;
	struct rtrmod_router_key k;
	struct rtrmod_vrp v;
	uint32_t i;
	int rc;

	*out = NULL;
	if ((rc = rtrmod_set_builder_new(ctx, &b)) != 0)
		return rc;
	memset(&k, 0, sizeof(k));
	k.spki = spki;
	k.spki_len = sizeof(spki);
	for (i = 0; i < 100; i++) {
		v = vrp_n(99 - i);
		k.asn = i % 30;
		if ((rc = rtrmod_set_builder_add_vrp(b, &v)) != 0 ||
		    (rc = rtrmod_set_builder_add_router_key(b, &k)) != 0 ||
		    (rc = rtrmod_set_builder_add_aspa(b, i % 20, prov, 1 + i % 3)) != 0) {
			rtrmod_set_builder_free(b);
			return rc;
		}
	}
	return rtrmod_set_builder_finish(b, out);
}

START_TEST(test_allocation_failures)
{
	struct test_alloc al = {0};
	struct rtrmod_ctx *ctx = new_ctx(&al);
	struct rtrmod_set *ref, *set;
	long n;
	int rc = -1;

	ck_assert_int_eq(build_with_failure(ctx, &ref), 0);
	for (n = 1; rc != 0; n++) {
		al.requests = 0;
		al.fail_at = n;
		rc = build_with_failure(ctx, &set);
		al.fail_at = 0;
		ck_assert_msg(rc == 0 || rc == RTRMOD_ENOMEM, "fail at %ld: %d", n, rc);
		if (rc != 0) {
			ck_assert_ptr_null(set);
			ck_assert_int_eq(al.live, 2); /* context and ref */
		}
	}
	ck_assert_int_gt(n, 10);
	ck_assert(rtrmod_set_equal(ref, set));
	rtrmod_set_unref(set);
	rtrmod_set_unref(ref);
	rtrmod_ctx_free(ctx);
	ck_assert_int_eq(al.live, 0);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("set");
	TCase *tc = tcase_create("set");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sort_dedupe);
	tcase_add_test(tc, test_sort_sizes);
	tcase_add_test(tc, test_invalid_vrps);
	tcase_add_test(tc, test_router_key_copied);
	tcase_add_test(tc, test_aspa_merge);
	tcase_add_test(tc, test_find_aspa);
	tcase_add_test(tc, test_refcount);
	tcase_add_test(tc, test_equal);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_memory_per_vrp);
	tcase_add_test(tc, test_builder_lifecycle);
	tcase_add_test(tc, test_allocation_failures);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
