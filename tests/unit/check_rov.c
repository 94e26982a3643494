/*
 * check_rov.c: route origin validation (RFC 6811 §2) with its reasons, the
 * covering VRPs, and the index kept current by deltas.  Besides the RFC's
 * cases one by one, random sets (fixed seeds) are checked against a linear
 * scan over every VRP, and an index updated by random deltas against one
 * built afresh.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtrmod/records.h>
#include <rtrmod/rov.h>

#include "check_main.h"
#include "test_alloc.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define AS(n)        ((struct rtrmod_origin){RTRMOD_ORIGIN_AS, (n)})
#define AS_SET       ((struct rtrmod_origin){RTRMOD_ORIGIN_AS_SET, 0})

static struct rtrmod_prefix
pfx(const char *text)
{
	struct rtrmod_prefix p;

	ck_assert_msg(rtrmod_prefix_parse(text, &p) == 0, "bad prefix %s", text);
	return p;
}

static struct rtrmod_vrp
vrp(const char *prefix, unsigned int max_len, uint32_t asn)
{
	struct rtrmod_vrp v;

	memset(&v, 0, sizeof(v));
	v.prefix = pfx(prefix);
	v.max_len = (uint8_t)max_len;
	v.asn = asn;
	return v;
}

static struct rtrmod_set *
make_set(struct rtrmod_ctx *ctx, const struct rtrmod_vrp *v, size_t n)
{
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set;
	size_t i;

	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(rtrmod_set_builder_add_vrp(b, &v[i]), 0);
	ck_assert_int_eq(rtrmod_set_builder_finish(b, &set), 0);
	return set;
}

static struct rtrmod_rov_index *
make_index(struct rtrmod_ctx *ctx, const struct rtrmod_vrp *v, size_t n)
{
	struct rtrmod_set *set = make_set(ctx, v, n);
	struct rtrmod_rov_index *idx;

	ck_assert_int_eq(rtrmod_rov_index_new(ctx, set, &idx), 0);
	ck_assert_uint_eq(rtrmod_rov_index_vrp_count(idx), n);
	rtrmod_set_unref(set);
	return idx;
}

/* CHECK(idx, route, origin, VALID | NOT_FOUND | INVALID(reason)) */
#define CHECK(idx, route, origin, ...) check_route((idx), (route), (origin), __VA_ARGS__, __LINE__)

static void
check_route(const struct rtrmod_rov_index *idx, const char *route, struct rtrmod_origin origin,
	    enum rtrmod_rov_state state, enum rtrmod_rov_reason why, int line)
{
	struct rtrmod_prefix p = pfx(route);
	enum rtrmod_rov_reason reason = (enum rtrmod_rov_reason)99;
	enum rtrmod_rov_state got = rtrmod_rov_validate(idx, &p, origin, &reason);

	ck_assert_msg(got == state && reason == why, "line %d: %s AS%u: %s/%s, want %s/%s", line,
		      route, origin.asn, rtrmod_rov_state_name(got), rtrmod_rov_reason_name(reason),
		      rtrmod_rov_state_name(state), rtrmod_rov_reason_name(why));
	/* The reason pointer is optional. */
	ck_assert_int_eq(rtrmod_rov_validate(idx, &p, origin, NULL), state);
}

#define VALID      RTRMOD_ROV_VALID, RTRMOD_ROV_REASON_NONE
#define NOT_FOUND  RTRMOD_ROV_NOT_FOUND, RTRMOD_ROV_REASON_NONE
#define INVALID(r) RTRMOD_ROV_INVALID, RTRMOD_ROV_REASON_##r

static struct rtrmod_ctx *
new_ctx(void)
{
	struct rtrmod_ctx *ctx;

	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	return ctx;
}

/* ---- RFC 6811 cases, one by one ----------------------------------------- */

START_TEST(test_rfc6811_ipv4)
{
	struct rtrmod_ctx *ctx = new_ctx();
	const struct rtrmod_vrp v[] = {
	    vrp("192.0.2.0/24", 24, 64496),
	    vrp("10.0.0.0/8", 16, 1),
	};
	struct rtrmod_rov_index *idx = make_index(ctx, v, ARRAY_LEN(v));

	CHECK(idx, "192.0.2.0/24", AS(64496), VALID);
	CHECK(idx, "192.0.2.0/25", AS(64496), INVALID(MAX_LENGTH));
	CHECK(idx, "192.0.2.128/25", AS(64497), INVALID(BOTH));
	CHECK(idx, "192.0.2.0/24", AS(64497), INVALID(ORIGIN));
	CHECK(idx, "192.0.2.255/32", AS(64496), INVALID(MAX_LENGTH));
	/* A VRP more specific than the route does not cover it. */
	CHECK(idx, "192.0.0.0/16", AS(64496), NOT_FOUND);
	CHECK(idx, "192.0.3.0/24", AS(64496), NOT_FOUND);
	CHECK(idx, "198.51.100.0/24", AS(64496), NOT_FOUND);
	/* Max length boundaries: len == max valid, max + 1 invalid. */
	CHECK(idx, "10.0.0.0/8", AS(1), VALID);
	CHECK(idx, "10.255.0.0/16", AS(1), VALID);
	CHECK(idx, "10.255.128.0/17", AS(1), INVALID(MAX_LENGTH));
	CHECK(idx, "10.1.2.3/32", AS(2), INVALID(BOTH));
	CHECK(idx, "10.1.0.0/16", AS(2), INVALID(ORIGIN));
	CHECK(idx, "11.0.0.0/8", AS(1), NOT_FOUND);
	CHECK(idx, "8.0.0.0/6", AS(1), NOT_FOUND);
	rtrmod_rov_index_free(idx);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_rfc6811_ipv6)
{
	struct rtrmod_ctx *ctx = new_ctx();
	const struct rtrmod_vrp v[] = {
	    vrp("2001:db8::/32", 48, 65000),
	    vrp("2001:db8:1::/48", 48, 65001),
	    vrp("2001:db8::/29", 29, 65002),
	    vrp("2001:db8:ffff:ffff::/64", 128, 65003),
	};
	struct rtrmod_rov_index *idx = make_index(ctx, v, ARRAY_LEN(v));

	CHECK(idx, "2001:db8::/32", AS(65000), VALID);
	CHECK(idx, "2001:db8:abcd::/48", AS(65000), VALID);
	CHECK(idx, "2001:db8:abcd::/49", AS(65000), INVALID(MAX_LENGTH));
	CHECK(idx, "2001:db8:abcd::/48", AS(65001), INVALID(ORIGIN));
	CHECK(idx, "2001:db8:abcd::/56", AS(65001), INVALID(BOTH));
	/* Two covering VRPs: the more specific one's origin matches. */
	CHECK(idx, "2001:db8:1::/48", AS(65001), VALID);
	CHECK(idx, "2001:db8:1::/48", AS(65000), VALID);
	CHECK(idx, "2001:db8:1::/48", AS(65005), INVALID(ORIGIN));
	CHECK(idx, "2001:db8:1:8000::/49", AS(65001), INVALID(MAX_LENGTH));
	/* The /29 (below the /32 split) covers the /32's routes too, and
	 * having the origin makes it a max-length failure. */
	CHECK(idx, "2001:db8:1::/48", AS(65002), INVALID(MAX_LENGTH));
	CHECK(idx, "2001:db8::/32", AS(65002), INVALID(MAX_LENGTH));
	CHECK(idx, "2001:db8::/32", AS(65009), INVALID(ORIGIN));
	CHECK(idx, "2001:db9::/32", AS(65002), INVALID(MAX_LENGTH));
	CHECK(idx, "2001:db9::/32", AS(65009), INVALID(BOTH));
	CHECK(idx, "2001:db8::/29", AS(65002), VALID);
	CHECK(idx, "2001:db0::/28", AS(65002), NOT_FOUND);
	CHECK(idx, "2001:db8:ffff:ffff::1/128", AS(65003), VALID);
	CHECK(idx, "2001:db8:ffff:ffff::/64", AS(65003), VALID);
	CHECK(idx, "2001:db8:ffff:fffe::/64", AS(65003), INVALID(BOTH));
	CHECK(idx, "2001:db7::/32", AS(65000), NOT_FOUND);
	CHECK(idx, "2001:dc0::/29", AS(65002), NOT_FOUND);
	/* The families do not mix. */
	CHECK(idx, "32.1.13.184/32", AS(65000), NOT_FOUND);
	rtrmod_rov_index_free(idx);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_as0)
{
	struct rtrmod_ctx *ctx = new_ctx();
	const struct rtrmod_vrp v[] = {
	    vrp("203.0.113.0/24", 32, 0),      vrp("198.51.100.0/24", 24, 0),
	    vrp("198.51.100.0/24", 24, 64500), vrp("100.64.0.0/10", 32, 0),
	    vrp("100.64.1.0/24", 24, 64501),   vrp("2001:db8::/32", 128, 0),
	};
	struct rtrmod_rov_index *idx = make_index(ctx, v, ARRAY_LEN(v));

	/* Covered only by AS0: invalid for every origin, AS 0 included. */
	CHECK(idx, "203.0.113.0/24", AS(64500), INVALID(AS0));
	CHECK(idx, "203.0.113.0/24", AS(0), INVALID(AS0));
	CHECK(idx, "203.0.113.7/32", AS(0), INVALID(AS0));
	CHECK(idx, "2001:db8:1::/48", AS(0), INVALID(AS0));
	CHECK(idx, "2001:db8::/32", AS(65000), INVALID(AS0));
	/* AS0 beside a real VRP: the real one decides. */
	CHECK(idx, "198.51.100.0/24", AS(64500), VALID);
	CHECK(idx, "198.51.100.0/24", AS(64501), INVALID(ORIGIN));
	CHECK(idx, "198.51.100.0/24", AS(0), INVALID(ORIGIN));
	CHECK(idx, "198.51.100.0/25", AS(64500), INVALID(MAX_LENGTH));
	CHECK(idx, "198.51.100.0/25", AS(64501), INVALID(BOTH));
	/* An AS0 /10 allowing /32 does not make a real VRP's length ok. */
	CHECK(idx, "100.64.1.0/24", AS(64501), VALID);
	CHECK(idx, "100.64.1.0/25", AS(64501), INVALID(MAX_LENGTH));
	CHECK(idx, "100.64.1.0/25", AS(64502), INVALID(BOTH));
	CHECK(idx, "100.64.1.0/24", AS(0), INVALID(ORIGIN));
	CHECK(idx, "100.64.2.0/24", AS(64501), INVALID(AS0));
	rtrmod_rov_index_free(idx);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_as_set)
{
	struct rtrmod_ctx *ctx = new_ctx();
	const struct rtrmod_vrp v[] = {
	    vrp("192.0.2.0/24", 32, 64496),
	    vrp("203.0.113.0/24", 24, 0),
	    vrp("2001:db8::/32", 48, 65000),
	};
	struct rtrmod_rov_index *idx = make_index(ctx, v, ARRAY_LEN(v));
	struct rtrmod_origin set_with_asn = {RTRMOD_ORIGIN_AS_SET, 64496};

	CHECK(idx, "192.0.2.0/24", AS_SET, INVALID(AS_SET));
	/* The asn field means nothing for an AS_SET. */
	CHECK(idx, "192.0.2.0/24", set_with_asn, INVALID(AS_SET));
	CHECK(idx, "192.0.2.0/25", AS_SET, INVALID(AS_SET));
	CHECK(idx, "203.0.113.0/24", AS_SET, INVALID(AS_SET));
	CHECK(idx, "2001:db8:1::/48", AS_SET, INVALID(AS_SET));
	CHECK(idx, "2001:db8::/31", AS_SET, NOT_FOUND);
	CHECK(idx, "192.0.3.0/24", AS_SET, NOT_FOUND);
	CHECK(idx, "0.0.0.0/0", AS_SET, NOT_FOUND);
	rtrmod_rov_index_free(idx);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_host_and_default_routes)
{
	struct rtrmod_ctx *ctx = new_ctx();
	const struct rtrmod_vrp hosts[] = {
	    vrp("192.0.2.1/32", 32, 1),
	    vrp("2001:db8::1/128", 128, 2),
	};
	const struct rtrmod_vrp defaults[] = {
	    vrp("0.0.0.0/0", 0, 3),
	    vrp("::/0", 128, 4),
	};
	struct rtrmod_rov_index *idx = make_index(ctx, hosts, ARRAY_LEN(hosts));

	CHECK(idx, "192.0.2.1/32", AS(1), VALID);
	CHECK(idx, "192.0.2.1/32", AS(2), INVALID(ORIGIN));
	CHECK(idx, "192.0.2.0/32", AS(1), NOT_FOUND);
	CHECK(idx, "192.0.2.0/31", AS(1), NOT_FOUND);
	CHECK(idx, "2001:db8::1/128", AS(2), VALID);
	CHECK(idx, "2001:db8::1/128", AS(1), INVALID(ORIGIN));
	CHECK(idx, "2001:db8::/128", AS(2), NOT_FOUND);
	CHECK(idx, "2001:db8::/127", AS(2), NOT_FOUND);
	CHECK(idx, "0.0.0.0/0", AS(1), NOT_FOUND);
	CHECK(idx, "::/0", AS(2), NOT_FOUND);
	rtrmod_rov_index_free(idx);

	idx = make_index(ctx, defaults, ARRAY_LEN(defaults));
	CHECK(idx, "0.0.0.0/0", AS(3), VALID);
	CHECK(idx, "0.0.0.0/0", AS(4), INVALID(ORIGIN));
	CHECK(idx, "0.0.0.0/1", AS(3), INVALID(MAX_LENGTH));
	CHECK(idx, "255.255.255.255/32", AS(3), INVALID(MAX_LENGTH));
	CHECK(idx, "128.0.0.0/1", AS(4), INVALID(BOTH));
	CHECK(idx, "::/0", AS(4), VALID);
	CHECK(idx, "::/128", AS(4), VALID);
	CHECK(idx, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", AS(4), VALID);
	CHECK(idx, "2001:db8::/32", AS(3), INVALID(ORIGIN));
	rtrmod_rov_index_free(idx);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_same_prefix_many_vrps)
{
	struct rtrmod_ctx *ctx = new_ctx();
	const struct rtrmod_vrp v[] = {
	    vrp("192.0.2.0/24", 24, 1), vrp("192.0.2.0/24", 24, 2), vrp("192.0.2.0/24", 26, 3),
	    vrp("192.0.2.0/24", 28, 0), vrp("192.0.2.0/24", 25, 1),
	};
	struct rtrmod_rov_index *idx = make_index(ctx, v, ARRAY_LEN(v));

	CHECK(idx, "192.0.2.0/24", AS(1), VALID);
	CHECK(idx, "192.0.2.0/24", AS(2), VALID);
	CHECK(idx, "192.0.2.0/24", AS(3), VALID);
	CHECK(idx, "192.0.2.64/26", AS(3), VALID);
	CHECK(idx, "192.0.2.128/25", AS(1), VALID);
	CHECK(idx, "192.0.2.0/26", AS(1), INVALID(MAX_LENGTH));
	CHECK(idx, "192.0.2.0/27", AS(3), INVALID(MAX_LENGTH));
	CHECK(idx, "192.0.2.0/25", AS(2), INVALID(MAX_LENGTH));
	/* AS 4: AS3's /26 allows a /25, nothing allows a /27 but AS0. */
	CHECK(idx, "192.0.2.0/25", AS(4), INVALID(ORIGIN));
	CHECK(idx, "192.0.2.0/27", AS(4), INVALID(BOTH));
	CHECK(idx, "192.0.2.0/24", AS(0), INVALID(ORIGIN));
	rtrmod_rov_index_free(idx);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* ---- covering VRPs ------------------------------------------------------ */

struct collect {
	size_t n;
	struct rtrmod_vrp v[16];
};

static void
collect_cb(void *arg, const struct rtrmod_vrp *v)
{
	struct collect *c = arg;

	ck_assert_uint_lt(c->n, ARRAY_LEN(c->v));
	c->v[c->n++] = *v;
}

static void
expect_covering(const struct rtrmod_rov_index *idx, const char *route,
		const struct rtrmod_vrp *want, size_t n)
{
	struct rtrmod_prefix p = pfx(route);
	struct collect c = {0};
	size_t i;

	ck_assert_uint_eq(rtrmod_rov_covering(idx, &p, collect_cb, &c), n);
	ck_assert_uint_eq(c.n, n);
	ck_assert_uint_eq(rtrmod_rov_covering(idx, &p, NULL, NULL), n);
	for (i = 0; i < n; i++)
		ck_assert_msg(rtrmod_vrp_cmp(&c.v[i], &want[i]) == 0, "%s: VRP %zu differs", route,
			      i);
}

START_TEST(test_covering_order)
{
	struct rtrmod_ctx *ctx = new_ctx();
	const struct rtrmod_vrp v[] = {
	    vrp("0.0.0.0/0", 8, 5),           vrp("10.0.0.0/8", 8, 1),
	    vrp("10.0.0.0/16", 24, 2),        vrp("10.0.0.0/16", 16, 3),
	    vrp("10.0.0.0/24", 24, 4),        vrp("10.0.1.0/24", 24, 6),
	    vrp("11.0.0.0/8", 8, 7),          vrp("10.0.0.0/15", 15, 8),
	    vrp("2001:db8::/29", 48, 9),      vrp("2001:db8::/32", 48, 10),
	    vrp("2001:db8::/48", 48, 11),     vrp("::/0", 0, 12),
	    vrp("2001:db8:0:1::/64", 64, 13),
	};
	const struct rtrmod_vrp want4[] = {v[0], v[1], v[7], v[3], v[2], v[4]};
	const struct rtrmod_vrp want6[] = {v[11], v[8], v[9], v[10]};
	struct rtrmod_rov_index *idx = make_index(ctx, v, ARRAY_LEN(v));

	expect_covering(idx, "10.0.0.0/25", want4, 6);
	expect_covering(idx, "10.0.0.0/24", want4, 6);
	expect_covering(idx, "10.0.0.0/16", want4, 5);
	expect_covering(idx, "10.0.0.0/9", want4, 2);
	expect_covering(idx, "10.0.2.0/24", want4, 5);
	expect_covering(idx, "10.1.0.0/16", want4, 3);
	expect_covering(idx, "0.0.0.0/0", want4, 1);
	expect_covering(idx, "2001:db8::/56", want6, 4);
	expect_covering(idx, "2001:db8:1::/64", want6, 3);
	expect_covering(idx, "2001:db9::/32", want6, 2);
	expect_covering(idx, "2001:db8::/30", want6, 2);
	expect_covering(idx, "2001:dc0::/32", want6, 1);
	rtrmod_rov_index_free(idx);

	idx = make_index(ctx, v + 1, 2);
	expect_covering(idx, "192.0.2.0/24", NULL, 0);
	expect_covering(idx, "2001:db8::/32", NULL, 0);
	rtrmod_rov_index_free(idx);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(rtrmod_rov_state_name(RTRMOD_ROV_VALID), "valid");
	ck_assert_str_eq(rtrmod_rov_state_name(RTRMOD_ROV_INVALID), "invalid");
	ck_assert_str_eq(rtrmod_rov_state_name(RTRMOD_ROV_NOT_FOUND), "not-found");
	ck_assert_str_eq(rtrmod_rov_state_name((enum rtrmod_rov_state)42), "unknown");
	ck_assert_str_eq(rtrmod_rov_reason_name(RTRMOD_ROV_REASON_NONE), "none");
	ck_assert_str_eq(rtrmod_rov_reason_name(RTRMOD_ROV_REASON_ORIGIN), "origin-mismatch");
	ck_assert_str_eq(rtrmod_rov_reason_name(RTRMOD_ROV_REASON_MAX_LENGTH), "max-length");
	ck_assert_str_eq(rtrmod_rov_reason_name(RTRMOD_ROV_REASON_BOTH), "origin-and-max-length");
	ck_assert_str_eq(rtrmod_rov_reason_name(RTRMOD_ROV_REASON_AS0), "as0");
	ck_assert_str_eq(rtrmod_rov_reason_name(RTRMOD_ROV_REASON_AS_SET), "as-set");
	ck_assert_str_eq(rtrmod_rov_reason_name((enum rtrmod_rov_reason)42), "unknown");
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct rtrmod_ctx *ctx = new_ctx();
	const struct rtrmod_vrp v[] = {vrp("0.0.0.0/0", 32, 1), vrp("::/0", 128, 1)};
	struct rtrmod_rov_index *idx = make_index(ctx, v, ARRAY_LEN(v)), *out = (void *)1;
	struct rtrmod_set *set = make_set(ctx, v, 1);
	struct rtrmod_prefix p = pfx("192.0.2.0/24"), bad;
	enum rtrmod_rov_reason reason;

	ck_assert_int_eq(rtrmod_rov_index_new(NULL, set, &out), RTRMOD_EINVAL);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(rtrmod_rov_index_new(ctx, NULL, &out), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_rov_index_new(ctx, set, NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_rov_index_update(NULL, NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_rov_index_update(idx, NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_rov_validate(idx, &p, AS(1), &reason), RTRMOD_ROV_VALID);
	ck_assert_int_eq(rtrmod_rov_validate(NULL, &p, AS(1), &reason), RTRMOD_ROV_NOT_FOUND);
	ck_assert_int_eq(reason, RTRMOD_ROV_REASON_NONE);
	ck_assert_int_eq(rtrmod_rov_validate(idx, NULL, AS(1), &reason), RTRMOD_ROV_NOT_FOUND);
	ck_assert_uint_eq(rtrmod_rov_covering(NULL, &p, NULL, NULL), 0);
	ck_assert_uint_eq(rtrmod_rov_covering(idx, NULL, NULL, NULL), 0);
	/* Malformed routes match nothing; host bits past the length are
	 * ignored. */
	bad = p;
	bad.afi = 5;
	ck_assert_int_eq(rtrmod_rov_validate(idx, &bad, AS(1), &reason), RTRMOD_ROV_NOT_FOUND);
	ck_assert_uint_eq(rtrmod_rov_covering(idx, &bad, NULL, NULL), 0);
	bad = p;
	bad.len = 33;
	ck_assert_int_eq(rtrmod_rov_validate(idx, &bad, AS(1), &reason), RTRMOD_ROV_NOT_FOUND);
	bad = pfx("::/0");
	bad.len = 129;
	ck_assert_int_eq(rtrmod_rov_validate(idx, &bad, AS(1), &reason), RTRMOD_ROV_NOT_FOUND);
	bad = p;
	bad.addr[3] = 0x7f;
	ck_assert_int_eq(rtrmod_rov_validate(idx, &bad, AS(1), &reason), RTRMOD_ROV_VALID);
	ck_assert_uint_eq(rtrmod_rov_index_vrp_count(NULL), 0);
	ck_assert_uint_eq(rtrmod_rov_index_memory(NULL), 0);
	ck_assert_uint_gt(rtrmod_rov_index_memory(idx), 0);
	rtrmod_rov_index_free(NULL);
	rtrmod_rov_index_free(idx);
	rtrmod_set_unref(set);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_empty_set)
{
	struct rtrmod_ctx *ctx = new_ctx();
	struct rtrmod_set *set;
	struct rtrmod_rov_index *idx;

	ck_assert_int_eq(rtrmod_set_new_empty(ctx, &set), 0);
	ck_assert_int_eq(rtrmod_rov_index_new(ctx, set, &idx), 0);
	ck_assert_uint_eq(rtrmod_rov_index_vrp_count(idx), 0);
	CHECK(idx, "0.0.0.0/0", AS(1), NOT_FOUND);
	CHECK(idx, "192.0.2.0/24", AS(1), NOT_FOUND);
	CHECK(idx, "2001:db8::/32", AS_SET, NOT_FOUND);
	rtrmod_rov_index_free(idx);
	rtrmod_set_unref(set);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* ---- random sets against a linear scan ---------------------------------- */

struct rng {
	uint64_t s;
};

static uint32_t
below(struct rng *r, uint32_t n)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return (uint32_t)((r->s * 0x2545f4914f6cdd1dULL) >> 32) % n;
}

static unsigned int
family_bits(const struct rtrmod_prefix *p)
{
	return p->afi == RTRMOD_AFI_IPV6 ? 128 : 32;
}

/* Clear the bits of p past its length. */
static void
cut(struct rtrmod_prefix *p)
{
	unsigned int i;

	for (i = p->len; i < family_bits(p); i++)
		p->addr[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
}

static void
rand_bits(struct rng *r, uint8_t *addr, unsigned int from, unsigned int to)
{
	unsigned int i;

	for (i = from; i < to; i++) {
		if (below(r, 2) != 0)
			addr[i / 8] |= (uint8_t)(0x80u >> (i % 8));
		else
			addr[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
	}
}

/*
 * Prefixes crowded into a few regions, so that they nest, share prefixes
 * and straddle the /16 (IPv4) and /32 (IPv6) bucket boundaries.
 */
static struct rtrmod_prefix
rand_prefix(struct rng *r, bool v6)
{
	static const uint8_t first4[] = {0, 10, 11, 192, 255};
	struct rtrmod_prefix p;

	memset(&p, 0, sizeof(p));
	if (!v6) {
		p.afi = RTRMOD_AFI_IPV4;
		p.addr[0] = first4[below(r, ARRAY_LEN(first4))];
		rand_bits(r, p.addr, 8, 22);
		if (below(r, 8) == 0)
			rand_bits(r, p.addr, 0, 32);
		if (p.addr[0] == 12)
			p.addr[0] = 13;
		p.len = (uint8_t)below(r, 33);
		/* Shorter than /8 only inside 128/1: 12/8 stays uncovered. */
		if (p.len < 8 && p.addr[0] < 128)
			p.len = (uint8_t)(8 + below(r, 25));
		else if (p.len == 0)
			p.len = 1;
	} else {
		p.afi = RTRMOD_AFI_IPV6;
		p.addr[0] = 0x20;
		p.addr[1] = 0x01;
		p.addr[2] = 0x0d;
		p.addr[3] = 0xb8;
		rand_bits(r, p.addr, 26, 40);
		if (below(r, 8) == 0)
			rand_bits(r, p.addr, 40, 128);
		if (below(r, 16) == 0)
			rand_bits(r, p.addr, 0, 26);
		if (p.addr[0] == 0x20 && p.addr[1] == 0x01 && p.addr[2] == 0x0e)
			p.addr[2] = 0x0f;
		switch (below(r, 4)) {
		case 0:
			p.len = (uint8_t)below(r, 129);
			break;
		case 1:
			p.len = (uint8_t)(24 + below(r, 20));
			break;
		default:
			p.len = (uint8_t)below(r, 65);
			break;
		}
		/* Never shorter than /16: 2001:e00::/24 stays uncovered. */
		if (p.len < 16)
			p.len = (uint8_t)(16 + below(r, 49));
	}
	cut(&p);
	return p;
}

static struct rtrmod_vrp
rand_vrp(struct rng *r)
{
	struct rtrmod_vrp v;
	unsigned int room;

	memset(&v, 0, sizeof(v));
	v.prefix = rand_prefix(r, below(r, 3) == 0);
	room = family_bits(&v.prefix) - v.prefix.len;
	v.max_len = v.prefix.len;
	if (below(r, 2) != 0)
		v.max_len = (uint8_t)(v.max_len + below(r, (room < 8 ? room : 8) + 1));
	v.asn = below(r, 8); /* AS0 one time in eight */
	return v;
}

/* A route near one of the VRPs most of the time, anywhere otherwise. */
static struct rtrmod_prefix
rand_route(struct rng *r, const struct rtrmod_vrp *v, size_t n)
{
	struct rtrmod_prefix p;
	unsigned int bits, len;

	if (n == 0 || below(r, 4) == 0) {
		p = rand_prefix(r, below(r, 3) == 0);
		if (below(r, 2) == 0 && p.len >= 24) {
			/* Where rand_prefix() puts no VRP. */
			p.addr[0] = p.afi == RTRMOD_AFI_IPV4 ? 12 : 0x20;
			if (p.afi == RTRMOD_AFI_IPV6) {
				p.addr[1] = 0x01;
				p.addr[2] = 0x0e;
			}
		}
		return p;
	}
	p = v[below(r, (uint32_t)n)].prefix;
	bits = family_bits(&p);
	len = p.len + below(r, (bits - p.len < 10 ? bits - p.len : 10) + 1);
	if (below(r, 6) == 0 && p.len >= 2)
		len = p.len - below(r, 3);
	rand_bits(r, p.addr, p.len, len);
	p.len = (uint8_t)len;
	cut(&p);
	return p;
}

static struct rtrmod_origin
rand_origin(struct rng *r)
{
	switch (below(r, 12)) {
	case 0:
		return AS_SET;
	case 1:
		return AS(0);
	default:
		return AS(below(r, 9));
	}
}

static bool
ref_covers(const struct rtrmod_prefix *o, const struct rtrmod_prefix *i)
{
	unsigned int whole = o->len / 8, rest = o->len % 8;

	if (o->afi != i->afi || o->len > i->len || memcmp(o->addr, i->addr, whole) != 0)
		return false;
	return rest == 0 || ((o->addr[whole] ^ i->addr[whole]) & (0xff00u >> rest)) == 0;
}

/* RFC 6811 §2 by the letter, over every VRP, with the reasons of rov.h. */
static enum rtrmod_rov_state
ref_validate(const struct rtrmod_vrp *v, size_t n, const struct rtrmod_prefix *p,
	     struct rtrmod_origin o, enum rtrmod_rov_reason *reason)
{
	bool covered = false, real = false, origin = false, length = false;
	size_t i;

	*reason = RTRMOD_ROV_REASON_NONE;
	for (i = 0; i < n; i++) {
		if (!ref_covers(&v[i].prefix, p))
			continue;
		covered = true;
		if (v[i].asn == 0)
			continue;
		real = true;
		if (o.kind == RTRMOD_ORIGIN_AS && v[i].asn == o.asn) {
			if (p->len <= v[i].max_len)
				return RTRMOD_ROV_VALID;
			origin = true;
		} else if (p->len <= v[i].max_len) {
			length = true;
		}
	}
	if (!covered)
		return RTRMOD_ROV_NOT_FOUND;
	if (o.kind != RTRMOD_ORIGIN_AS)
		*reason = RTRMOD_ROV_REASON_AS_SET;
	else if (!real)
		*reason = RTRMOD_ROV_REASON_AS0;
	else if (origin)
		*reason = RTRMOD_ROV_REASON_MAX_LENGTH;
	else if (length)
		*reason = RTRMOD_ROV_REASON_ORIGIN;
	else
		*reason = RTRMOD_ROV_REASON_BOTH;
	return RTRMOD_ROV_INVALID;
}

/* Checks covering() against the expected VRPs, in order. */
struct expect {
	const struct rtrmod_vrp **want;
	size_t n, at;
	bool ok;
};

static void
expect_cb(void *arg, const struct rtrmod_vrp *v)
{
	struct expect *e = arg;

	if (e->at >= e->n || rtrmod_vrp_cmp(e->want[e->at], v) != 0)
		e->ok = false;
	e->at++;
}

static struct rtrmod_set *
rand_set(struct rtrmod_ctx *ctx, struct rng *r, size_t n)
{
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set;
	struct rtrmod_vrp v;
	size_t i;

	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	for (i = 0; i < n; i++) {
		v = rand_vrp(r);
		ck_assert_int_eq(rtrmod_set_builder_add_vrp(b, &v), 0);
	}
	ck_assert_int_eq(rtrmod_set_builder_finish(b, &set), 0);
	return set;
}

START_TEST(test_random_against_linear_scan)
{
	struct rtrmod_ctx *ctx = new_ctx();
	struct rng r = {0x5eed0000u + (uint64_t)_i};
	struct rtrmod_set *set = rand_set(ctx, &r, 1500);
	struct rtrmod_rov_index *idx;
	const struct rtrmod_vrp *v;
	struct rtrmod_prefix p;
	struct rtrmod_origin o;
	enum rtrmod_rov_reason want_reason, got_reason;
	enum rtrmod_rov_state want, got;
	struct expect e;
	size_t n, i, k, seen[3] = {0, 0, 0}, why[6] = {0, 0, 0, 0, 0, 0};

	v = rtrmod_set_vrps(set, &n);
	ck_assert_int_eq(rtrmod_rov_index_new(ctx, set, &idx), 0);
	ck_assert_uint_eq(rtrmod_rov_index_vrp_count(idx), n);
	e.want = malloc(n * sizeof(*e.want));
	ck_assert_ptr_nonnull(e.want);
	for (i = 0; i < 4000; i++) {
		p = rand_route(&r, v, n);
		o = rand_origin(&r);
		want = ref_validate(v, n, &p, o, &want_reason);
		got = rtrmod_rov_validate(idx, &p, o, &got_reason);
		ck_assert_msg(got == want && got_reason == want_reason,
			      "route %zu: %s/%s, want %s/%s", i, rtrmod_rov_state_name(got),
			      rtrmod_rov_reason_name(got_reason), rtrmod_rov_state_name(want),
			      rtrmod_rov_reason_name(want_reason));
		seen[want]++;
		why[want_reason]++;
		/* A covering VRP's address sorts before a longer one's, so the
		 * set's order is least specific first. */
		e.n = e.at = 0;
		e.ok = true;
		for (k = 0; k < n; k++) {
			if (ref_covers(&v[k].prefix, &p))
				e.want[e.n++] = &v[k];
		}
		ck_assert_uint_eq(rtrmod_rov_covering(idx, &p, expect_cb, &e), e.n);
		ck_assert(e.ok && e.at == e.n);
	}
	/* The sample reaches every state. */
	ck_assert_uint_gt(seen[RTRMOD_ROV_VALID], 100);
	ck_assert_uint_gt(seen[RTRMOD_ROV_INVALID], 100);
	ck_assert_uint_gt(seen[RTRMOD_ROV_NOT_FOUND], 100);
	for (k = RTRMOD_ROV_REASON_ORIGIN; k <= RTRMOD_ROV_REASON_AS_SET; k++)
		ck_assert_msg(why[k] > (k == RTRMOD_ROV_REASON_AS0 ? 5 : 20), "reason %s: %zu",
			      rtrmod_rov_reason_name(k), why[k]);
	free(e.want);
	rtrmod_rov_index_free(idx);
	rtrmod_set_unref(set);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* ---- updates ------------------------------------------------------------ */

/* What an index answers for a fixed list of routes. */
struct probe {
	struct rtrmod_prefix p;
	struct rtrmod_origin o;
	enum rtrmod_rov_state state;
	enum rtrmod_rov_reason reason;
	size_t covering;
};

static void
count_cb(void *arg, const struct rtrmod_vrp *v)
{
	(*(size_t *)arg)++;
}

static void
probes_take(const struct rtrmod_rov_index *idx, struct probe *pr, size_t n, struct rng *r,
	    const struct rtrmod_vrp *v, size_t nv)
{
	size_t i, calls;

	for (i = 0; i < n; i++) {
		pr[i].p = rand_route(r, v, nv);
		pr[i].o = rand_origin(r);
		pr[i].state = rtrmod_rov_validate(idx, &pr[i].p, pr[i].o, &pr[i].reason);
		calls = 0;
		pr[i].covering = rtrmod_rov_covering(idx, &pr[i].p, count_cb, &calls);
		ck_assert_uint_eq(calls, pr[i].covering);
	}
}

static void
probes_same(const struct rtrmod_rov_index *idx, const struct probe *pr, size_t n)
{
	enum rtrmod_rov_reason reason;
	size_t i;

	for (i = 0; i < n; i++) {
		ck_assert_int_eq(rtrmod_rov_validate(idx, &pr[i].p, pr[i].o, &reason), pr[i].state);
		ck_assert_int_eq(reason, pr[i].reason);
		ck_assert_uint_eq(rtrmod_rov_covering(idx, &pr[i].p, NULL, NULL), pr[i].covering);
	}
}

/* Whether a and b give the same answers, and the same covering VRPs. */
static void
same_answers(const struct rtrmod_rov_index *a, const struct rtrmod_rov_index *b,
	     const struct rtrmod_vrp *v, size_t n, struct rng *r, size_t routes)
{
	struct probe pr[64];
	size_t i;

	ck_assert_uint_eq(rtrmod_rov_index_vrp_count(a), rtrmod_rov_index_vrp_count(b));
	for (i = 0; i < routes; i += ARRAY_LEN(pr)) {
		probes_take(b, pr, ARRAY_LEN(pr), r, v, n);
		probes_same(a, pr, ARRAY_LEN(pr));
	}
}

/* Keep each VRP of `from` with probability 1 - 1/drop, add `add` new ones
 * (half of them next to existing prefixes). */
static struct rtrmod_set *
rand_next(struct rtrmod_ctx *ctx, struct rng *r, const struct rtrmod_set *from, uint32_t drop,
	  size_t add)
{
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set;
	const struct rtrmod_vrp *v;
	struct rtrmod_vrp x;
	size_t n, i;

	v = rtrmod_set_vrps(from, &n);
	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	for (i = 0; i < n; i++) {
		if (below(r, drop) != 0)
			ck_assert_int_eq(rtrmod_set_builder_add_vrp(b, &v[i]), 0);
	}
	for (i = 0; i < add; i++) {
		x = rand_vrp(r);
		if (n > 0 && below(r, 2) == 0) {
			/* Another VRP for a prefix already there. */
			x.prefix = v[below(r, (uint32_t)n)].prefix;
			x.max_len = (uint8_t)(x.prefix.len +
					      below(r, family_bits(&x.prefix) - x.prefix.len + 1));
		}
		ck_assert_int_eq(rtrmod_set_builder_add_vrp(b, &x), 0);
	}
	ck_assert_int_eq(rtrmod_set_builder_finish(b, &set), 0);
	return set;
}

START_TEST(test_update_matches_rebuild)
{
	struct rtrmod_ctx *ctx = new_ctx();
	struct rng r = {0xde17a000u + (uint64_t)_i};
	struct rtrmod_set *cur = rand_set(ctx, &r, 800), *next, *empty;
	struct rtrmod_rov_index *idx, *fresh;
	struct rtrmod_delta *delta;
	const struct rtrmod_vrp *v;
	size_t n;
	int round;

	ck_assert_int_eq(rtrmod_set_new_empty(ctx, &empty), 0);
	ck_assert_int_eq(rtrmod_rov_index_new(ctx, cur, &idx), 0);
	for (round = 0; round < 24; round++) {
		if (round == 10)
			next = rtrmod_set_ref(empty); /* withdraw everything */
		else if (round == 11)
			next = rand_set(ctx, &r, 800); /* and announce it all again */
		else if (round % 6 == 5)
			next = rand_next(ctx, &r, cur, 2, 300);
		else
			next = rand_next(ctx, &r, cur, 1 + below(&r, 40), below(&r, 40));
		ck_assert_int_eq(rtrmod_set_diff(cur, next, &delta), 0);
		ck_assert_int_eq(rtrmod_rov_index_update(idx, delta), 0);
		ck_assert_int_eq(rtrmod_rov_index_new(ctx, next, &fresh), 0);
		v = rtrmod_set_vrps(next, &n);
		ck_assert_uint_eq(rtrmod_rov_index_vrp_count(idx), n);
		same_answers(idx, fresh, v, n, &r, 640);
		rtrmod_rov_index_free(fresh);
		rtrmod_delta_free(delta);
		rtrmod_set_unref(cur);
		cur = next;
	}
	rtrmod_rov_index_free(idx);
	rtrmod_set_unref(cur);
	rtrmod_set_unref(empty);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* Changing only short prefixes (IPv4 < /16, IPv6 < /32) moves the links
 * from the buckets into the short tier. */
START_TEST(test_update_short_prefixes)
{
	struct rtrmod_ctx *ctx = new_ctx();
	const struct rtrmod_vrp base[] = {vrp("10.1.0.0/16", 16, 2), vrp("2001:db8::/32", 32, 2)};
	const struct rtrmod_vrp wide[] = {vrp("10.0.0.0/8", 24, 1), vrp("2001:db8::/29", 48, 1)};
	struct rtrmod_rov_index *idx = make_index(ctx, base, ARRAY_LEN(base));
	struct rtrmod_delta *d;
	size_t i;

	CHECK(idx, "10.1.2.0/24", AS(1), INVALID(BOTH));
	CHECK(idx, "2001:db8:1::/48", AS(1), INVALID(BOTH));
	ck_assert_int_eq(rtrmod_delta_new(ctx, &d), 0);
	for (i = 0; i < ARRAY_LEN(wide); i++)
		ck_assert_int_eq(rtrmod_delta_add_vrp(d, &wide[i], true), 0);
	ck_assert_int_eq(rtrmod_delta_seal(d), 0);
	ck_assert_int_eq(rtrmod_rov_index_update(idx, d), 0);
	rtrmod_delta_free(d);
	ck_assert_uint_eq(rtrmod_rov_index_vrp_count(idx), 4);
	CHECK(idx, "10.1.2.0/24", AS(1), VALID);
	CHECK(idx, "10.1.2.0/25", AS(1), INVALID(MAX_LENGTH));
	CHECK(idx, "10.2.0.0/16", AS(2), INVALID(ORIGIN));
	CHECK(idx, "2001:db8:1::/48", AS(1), VALID);
	CHECK(idx, "2001:db9::/32", AS(1), VALID);

	ck_assert_int_eq(rtrmod_delta_new(ctx, &d), 0);
	ck_assert_int_eq(rtrmod_delta_add_vrp(d, &wide[0], false), 0);
	ck_assert_int_eq(rtrmod_delta_add_vrp(d, &wide[1], false), 0);
	ck_assert_int_eq(rtrmod_delta_add_vrp(d, &base[1], false), 0);
	ck_assert_int_eq(rtrmod_delta_seal(d), 0);
	ck_assert_int_eq(rtrmod_rov_index_update(idx, d), 0);
	rtrmod_delta_free(d);
	ck_assert_uint_eq(rtrmod_rov_index_vrp_count(idx), 1);
	CHECK(idx, "10.1.2.0/24", AS(1), INVALID(BOTH));
	CHECK(idx, "10.2.0.0/16", AS(2), NOT_FOUND);
	CHECK(idx, "2001:db8:1::/48", AS(1), NOT_FOUND);
	rtrmod_rov_index_free(idx);
	rtrmod_ctx_free(ctx);
}
END_TEST

static struct rtrmod_delta *
hand_delta(struct rtrmod_ctx *ctx, const struct rtrmod_vrp *ann, size_t na,
	   const struct rtrmod_vrp *wd, size_t nw)
{
	struct rtrmod_delta *d;
	size_t i;

	ck_assert_int_eq(rtrmod_delta_new(ctx, &d), 0);
	for (i = 0; i < na; i++)
		ck_assert_int_eq(rtrmod_delta_add_vrp(d, &ann[i], true), 0);
	for (i = 0; i < nw; i++)
		ck_assert_int_eq(rtrmod_delta_add_vrp(d, &wd[i], false), 0);
	ck_assert_int_eq(rtrmod_delta_seal(d), 0);
	return d;
}

START_TEST(test_update_errors_change_nothing)
{
	struct rtrmod_ctx *ctx = new_ctx();
	struct rng r = {77};
	const struct rtrmod_vrp base[] = {
	    vrp("0.0.0.0/0", 0, 9),        vrp("10.0.0.0/8", 24, 1),    vrp("10.1.0.0/16", 24, 2),
	    vrp("192.0.2.0/24", 24, 3),    vrp("2001:db8::/29", 48, 4), vrp("2001:db8::/32", 48, 5),
	    vrp("2001:db8:1::/48", 48, 6),
	};
	const struct rtrmod_vrp fresh[] = {
	    vrp("10.2.0.0/16", 16, 7),
	    vrp("172.16.0.0/12", 24, 7),
	    vrp("2001:db8:2::/48", 48, 7),
	    vrp("2001:db9::/32", 32, 7),
	};
	const struct rtrmod_vrp absent[] = {
	    vrp("10.1.0.0/16", 24, 3),     /* present prefix, other ASN */
	    vrp("198.51.100.0/24", 24, 1), /* no such bucket */
	    vrp("2001:db8:1::/48", 64, 6), /* other max length */
	    vrp("2001:dead::/32", 32, 1),  /* no such IPv6 bucket */
	    vrp("11.0.0.0/8", 8, 1),       /* short tier */
	    /* Sorting just before a present one of the same prefix: */
	    vrp("10.1.0.0/16", 16, 2),
	    vrp("0.0.0.0/0", 0, 8),
	    vrp("2001:db8::/32", 40, 5),
	    vrp("2001:db8::/29", 48, 3),
	};
	struct rtrmod_rov_index *idx = make_index(ctx, base, ARRAY_LEN(base));
	struct probe pr[256];
	struct rtrmod_delta *d;
	size_t i, j;

	probes_take(idx, pr, ARRAY_LEN(pr), &r, base, ARRAY_LEN(base));
	for (i = 0; i < ARRAY_LEN(absent); i++) {
		/* Withdrawing an absent VRP, beside good changes. */
		d = hand_delta(ctx, fresh, ARRAY_LEN(fresh), &absent[i], 1);
		ck_assert_int_eq(rtrmod_rov_index_update(idx, d), RTRMOD_ENOENT);
		rtrmod_delta_free(d);
		probes_same(idx, pr, ARRAY_LEN(pr));
	}
	for (j = 0; j < ARRAY_LEN(base); j++) {
		/* Announcing a present one, beside good changes. */
		struct rtrmod_vrp ann[ARRAY_LEN(fresh) + 1];

		memcpy(ann, fresh, sizeof(fresh));
		ann[ARRAY_LEN(fresh)] = base[j];
		d = hand_delta(ctx, ann, ARRAY_LEN(ann), &base[(j + 1) % ARRAY_LEN(base)], 1);
		ck_assert_int_eq(rtrmod_rov_index_update(idx, d), RTRMOD_EEXIST);
		rtrmod_delta_free(d);
		probes_same(idx, pr, ARRAY_LEN(pr));
	}
	ck_assert_uint_eq(rtrmod_rov_index_vrp_count(idx), ARRAY_LEN(base));
	/* An empty delta is no change. */
	d = hand_delta(ctx, NULL, 0, NULL, 0);
	ck_assert_int_eq(rtrmod_rov_index_update(idx, d), 0);
	rtrmod_delta_free(d);
	probes_same(idx, pr, ARRAY_LEN(pr));
	/* The good changes alone go through. */
	d = hand_delta(ctx, fresh, ARRAY_LEN(fresh), base, 1);
	ck_assert_int_eq(rtrmod_rov_index_update(idx, d), 0);
	rtrmod_delta_free(d);
	ck_assert_uint_eq(rtrmod_rov_index_vrp_count(idx), ARRAY_LEN(base) + ARRAY_LEN(fresh) - 1);
	CHECK(idx, "172.16.1.0/24", AS(7), VALID);
	CHECK(idx, "2001:db9::/32", AS(7), VALID);
	CHECK(idx, "0.0.0.0/0", AS(9), NOT_FOUND);
	rtrmod_rov_index_free(idx);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_out_of_memory_changes_nothing)
{
	struct failing_alloc fa = {0, 0};
	const struct rtrmod_allocator alloc = failing_alloc_allocator(&fa);
	struct rtrmod_ctx *ctx = new_ctx(), *fctx;
	struct rng r = {4242};
	struct rtrmod_set *from = rand_set(ctx, &r, 400), *to;
	struct rtrmod_rov_index *idx = NULL, *fresh;
	struct rtrmod_set_builder *b;
	struct rtrmod_delta *d;
	const struct rtrmod_vrp *v;
	struct rtrmod_vrp x;
	struct probe pr[128];
	size_t n, i;
	long k;
	int rc;

	ck_assert_int_eq(rtrmod_ctx_new(&alloc, &fctx), 0);
	/* Building fails cleanly at every allocation. */
	for (k = 1;; k++) {
		fa.calls = 0;
		fa.fail_at = k;
		rc = rtrmod_rov_index_new(fctx, from, &idx);
		if (rc == 0)
			break;
		ck_assert_int_eq(rc, RTRMOD_ENOMEM);
		ck_assert_ptr_null(idx);
		ck_assert_int_lt(k, 100000);
	}
	fa.fail_at = 0;

	/* The next set drops some VRPs, empties buckets, adds short ones
	 * and enough new IPv6 /32s to grow the hash. */
	v = rtrmod_set_vrps(from, &n);
	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	for (i = 0; i < n; i++) {
		if (i % 3 != 0)
			ck_assert_int_eq(rtrmod_set_builder_add_vrp(b, &v[i]), 0);
	}
	for (i = 0; i < 100; i++) {
		x = vrp("2400::/32", 48, (uint32_t)i);
		x.prefix.addr[2] = (uint8_t)i;
		ck_assert_int_eq(rtrmod_set_builder_add_vrp(b, &x), 0);
	}
	x = vrp("11.0.0.0/8", 24, 1);
	ck_assert_int_eq(rtrmod_set_builder_add_vrp(b, &x), 0);
	x = vrp("2001:db8::/30", 48, 1);
	ck_assert_int_eq(rtrmod_set_builder_add_vrp(b, &x), 0);
	ck_assert_int_eq(rtrmod_set_builder_finish(b, &to), 0);
	ck_assert_int_eq(rtrmod_set_diff(from, to, &d), 0);

	probes_take(idx, pr, ARRAY_LEN(pr), &r, v, n);
	for (k = 1;; k++) {
		fa.calls = 0;
		fa.fail_at = k;
		rc = rtrmod_rov_index_update(idx, d);
		if (rc == 0)
			break;
		ck_assert_int_eq(rc, RTRMOD_ENOMEM);
		fa.fail_at = 0;
		probes_same(idx, pr, ARRAY_LEN(pr));
		ck_assert_uint_eq(rtrmod_rov_index_vrp_count(idx), n);
		ck_assert_int_lt(k, 100000);
	}
	fa.fail_at = 0;
	ck_assert_int_ge(k, 4);
	ck_assert_int_eq(rtrmod_rov_index_new(ctx, to, &fresh), 0);
	v = rtrmod_set_vrps(to, &n);
	same_answers(idx, fresh, v, n, &r, 1024);
	rtrmod_rov_index_free(fresh);
	rtrmod_rov_index_free(idx);
	rtrmod_delta_free(d);
	rtrmod_set_unref(from);
	rtrmod_set_unref(to);
	rtrmod_ctx_free(fctx);
	rtrmod_ctx_free(ctx);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("rov");
	TCase *tc = tcase_create("rfc6811");
	TCase *rnd = tcase_create("random");
	TCase *upd = tcase_create("update");

	tcase_add_test(tc, test_rfc6811_ipv4);
	tcase_add_test(tc, test_rfc6811_ipv6);
	tcase_add_test(tc, test_as0);
	tcase_add_test(tc, test_as_set);
	tcase_add_test(tc, test_host_and_default_routes);
	tcase_add_test(tc, test_same_prefix_many_vrps);
	tcase_add_test(tc, test_covering_order);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_empty_set);
	suite_add_tcase(s, tc);
	tcase_add_loop_test(rnd, test_random_against_linear_scan, 0, 3);
	suite_add_tcase(s, rnd);
	tcase_add_loop_test(upd, test_update_matches_rebuild, 0, 2);
	tcase_add_test(upd, test_update_short_prefixes);
	tcase_add_test(upd, test_update_errors_change_nothing);
	tcase_add_test(upd, test_out_of_memory_changes_nothing);
	suite_add_tcase(s, upd);
	return s;
}

CHECK_MAIN()
