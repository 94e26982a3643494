/* check_prefix.c: prefix parse/format/covers and the canonical orders. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <rtrmod/records.h>

#include "check_main.h"
#include "records_internal.h"
#include "rtrmod_internal.h"

static struct rtrmod_prefix
must_parse(const char *text)
{
	struct rtrmod_prefix p;

	ck_assert_msg(rtrmod_prefix_parse(text, &p) == 0, "parse %s", text);
	return p;
}

/* Parse, check the fields, format back to exactly `canon`. */
static void
round_trip(const char *text, const char *canon, uint8_t afi, uint8_t len)
{
	struct rtrmod_prefix p = must_parse(text), again;
	char buf[64];
	int n;

	ck_assert_uint_eq(p.afi, afi);
	ck_assert_uint_eq(p.len, len);
	n = rtrmod_prefix_format(&p, buf, sizeof(buf));
	ck_assert_int_eq(n, (int)strlen(canon));
	ck_assert_str_eq(buf, canon);
	again = must_parse(buf);
	ck_assert_mem_eq(&again, &p, sizeof(p));
}

START_TEST(test_round_trips)
{
	struct rtrmod_prefix p;

	round_trip("192.0.2.0/24", "192.0.2.0/24", RTRMOD_AFI_IPV4, 24);
	round_trip("0.0.0.0/0", "0.0.0.0/0", RTRMOD_AFI_IPV4, 0);
	round_trip("255.255.255.255/32", "255.255.255.255/32", RTRMOD_AFI_IPV4, 32);
	round_trip("10.128.0.0/9", "10.128.0.0/9", RTRMOD_AFI_IPV4, 9);
	round_trip("2001:db8::/32", "2001:db8::/32", RTRMOD_AFI_IPV6, 32);
	round_trip("::/0", "::/0", RTRMOD_AFI_IPV6, 0);
	round_trip("2001:DB8:0:0::/64", "2001:db8::/64", RTRMOD_AFI_IPV6, 64);
	round_trip("2001:db8::1/128", "2001:db8::1/128", RTRMOD_AFI_IPV6, 128);
	round_trip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
		   "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", RTRMOD_AFI_IPV6, 128);
	round_trip("::ffff:192.0.2.0/120", "::ffff:192.0.2.0/120", RTRMOD_AFI_IPV6, 120);

	p = must_parse("192.0.2.0/24");
	ck_assert_uint_eq(p.addr[0], 192);
	ck_assert_uint_eq(p.addr[2], 2);
	for (int i = 4; i < 16; i++)
		ck_assert_uint_eq(p.addr[i], 0);
	p = must_parse("2001:db8::/32");
	ck_assert_uint_eq(p.addr[0], 0x20);
	ck_assert_uint_eq(p.addr[3], 0xb8);
}
END_TEST

START_TEST(test_refused)
{
	static const char *const bad[] = {
	    "",
	    "/",
	    "/24",
	    "1.2.3.4",
	    "1.2.3.4/",
	    "1.2.3.4/33",
	    "1.2.3.0/24x",
	    "1.2.3.0/24/24",
	    "1.2.3.0//24",
	    "1.2.3.0/-1",
	    "1.2.3.0/+24",
	    "1.2.3.0/024",
	    "1.2.3.0/1000",
	    "1.2.3.0/ 24",
	    "1.2.3.0/24 ",
	    " 1.0.0.0/8",
	    "1.0.0.0 /8",
	    "01.0.0.0/8",
	    "1.2.3/24",
	    "10/8",
	    "1.2.3.256/32",
	    "0x1.0.0.0/8",
	    "::/129",
	    "::/1280",
	    "2001:db8::/", /* empty length */
	    "2001:db8:::/48",
	    "2001:db8::g/128",
	    "fe80::1%eth0/128",
	    "2001:db8::1/64",     /* host bits */
	    "1.2.3.4/24",         /* host bits */
	    "128.0.0.0/0",        /* host bits */
	    "10.0.0.1/31",        /* host bits */
	    "2001:db8:8000::/32", /* host bits */
	    "1.2.3.4.5/32",
	    "1111:2222:3333:4444:5555:6666:7777:8888:9999/128",
	    "1.2.3.4/32\n",
	};
	struct rtrmod_prefix p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&p, 0xaa, sizeof(p));
		ck_assert_msg(rtrmod_prefix_parse(bad[i], &p) == RTRMOD_EPARSE, "accepted '%s'",
			      bad[i]);
	}
	ck_assert_int_eq(rtrmod_prefix_parse(NULL, &p), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_prefix_parse("10.0.0.0/8", NULL), RTRMOD_EINVAL);
	/* Host bits just inside the length are fine; one past is not. */
	ck_assert_int_eq(rtrmod_prefix_parse("10.0.0.1/32", &p), 0);
	ck_assert_int_eq(rtrmod_prefix_parse("2001:db8:8000::/33", &p), 0);
	ck_assert_int_eq(rtrmod_prefix_parse("2001:db8:4000::/33", &p), RTRMOD_EPARSE);
	ck_assert_int_eq(rtrmod_prefix_parse("2001:db8:4000::/34", &p), 0);
	ck_assert_int_eq(rtrmod_prefix_parse("10.0.0.128/24", &p), RTRMOD_EPARSE);
	ck_assert_int_eq(rtrmod_prefix_parse("10.0.0.128/25", &p), 0);
}
END_TEST

START_TEST(test_format_sizes)
{
	struct rtrmod_prefix p = must_parse("192.0.2.0/24");
	struct rtrmod_prefix bad = {0};
	char buf[51];
	char small[5];

	/* snprintf semantics: the would-be length, truncated output. */
	ck_assert_int_eq(rtrmod_prefix_format(&p, NULL, 0), 12);
	ck_assert_int_eq(rtrmod_prefix_format(&p, small, sizeof(small)), 12);
	ck_assert_str_eq(small, "192.");
	/* The documented 47+4 bytes hold the longest form. */
	p = must_parse("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128");
	ck_assert_int_lt(rtrmod_prefix_format(&p, buf, sizeof(buf)), (int)sizeof(buf));
	ck_assert_str_eq(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	bad.afi = 5;
	ck_assert_int_eq(rtrmod_prefix_format(&bad, buf, sizeof(buf)), RTRMOD_EINVAL);
	bad.afi = RTRMOD_AFI_IPV4;
	bad.len = 33;
	ck_assert_int_eq(rtrmod_prefix_format(&bad, buf, sizeof(buf)), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_prefix_format(NULL, buf, sizeof(buf)), RTRMOD_EINVAL);
}
END_TEST

static bool
covers(const char *outer, const char *inner)
{
	struct rtrmod_prefix o = must_parse(outer), i = must_parse(inner);

	return rtrmod_prefix_covers(&o, &i);
}

START_TEST(test_covers)
{
	ck_assert(covers("10.0.0.0/8", "10.0.0.0/8"));
	ck_assert(covers("10.0.0.0/8", "10.255.0.0/16"));
	ck_assert(covers("10.0.0.0/8", "10.1.2.3/32"));
	ck_assert(covers("0.0.0.0/0", "203.0.113.0/24"));
	ck_assert(covers("10.128.0.0/9", "10.200.0.0/16"));
	ck_assert(!covers("10.128.0.0/9", "10.100.0.0/16"));
	ck_assert(!covers("10.0.0.0/16", "10.0.0.0/8")); /* longer never covers shorter */
	ck_assert(!covers("10.0.0.0/8", "11.0.0.0/8"));
	ck_assert(!covers("10.0.0.0/8", "11.0.0.0/16"));
	ck_assert(!covers("0.0.0.0/0", "::/0")); /* families differ */
	ck_assert(!covers("::/0", "0.0.0.0/0"));
	ck_assert(covers("::/0", "2001:db8::/32"));
	ck_assert(covers("2001:db8::/32", "2001:db8:ffff::/48"));
	ck_assert(!covers("2001:db8::/32", "2001:db9::/48"));
	ck_assert(covers("2001:db8::/127", "2001:db8::1/128"));
	ck_assert(!covers("2001:db8::/128", "2001:db8::1/128"));
	ck_assert(covers("2001:db8::1/128", "2001:db8::1/128"));
	ck_assert(!covers("2001:db8::/31", "2001:dba::/32"));
}
END_TEST

static struct rtrmod_vrp
vrp(const char *prefix, uint8_t max_len, uint32_t asn)
{
	struct rtrmod_vrp v;

	memset(&v, 0, sizeof(v));
	v.prefix = must_parse(prefix);
	v.max_len = max_len;
	v.asn = asn;
	return v;
}

START_TEST(test_vrp_order)
{
	/* Strictly ascending in the canonical (afi, addr, len, max_len, asn). */
	const struct rtrmod_vrp sorted[] = {
	    vrp("0.0.0.0/0", 0, 0),
	    vrp("10.0.0.0/8", 8, 65000),
	    vrp("10.0.0.0/8", 8, 65001),
	    vrp("10.0.0.0/8", 24, 1),
	    vrp("10.0.0.0/16", 16, 1),
	    vrp("10.0.1.0/24", 24, 1),
	    vrp("11.0.0.0/8", 8, 1),
	    vrp("255.255.255.255/32", 32, 4294967295u),
	    vrp("::/0", 0, 0),
	    vrp("::1/128", 128, 1),
	    vrp("2001:db8::/32", 48, 1),
	    vrp("2001:db8::/48", 48, 1),
	    vrp("2001:db8:0:0:0:0:0:100/120", 128, 1),
	};
	struct vrp_key ka, kb;
	struct rtrmod_vrp back;
	size_t i, j;
	int c;

	for (i = 0; i < ARRAY_SIZE(sorted); i++) {
		for (j = 0; j < ARRAY_SIZE(sorted); j++) {
			c = rtrmod_vrp_cmp(&sorted[i], &sorted[j]);
			ck_assert_msg((i < j && c < 0) || (i == j && c == 0) || (i > j && c > 0),
				      "vrp %zu vs %zu: %d", i, j, c);
			/* The sort key orders exactly as the comparator. */
			vrp_key_encode(&ka, &sorted[i]);
			vrp_key_encode(&kb, &sorted[j]);
			ck_assert_int_eq(vrp_key_cmp(&ka, &kb), c);
		}
		vrp_key_encode(&ka, &sorted[i]);
		vrp_key_decode(&back, &ka);
		ck_assert_int_eq(rtrmod_vrp_cmp(&back, &sorted[i]), 0);
	}
}
END_TEST

START_TEST(test_router_key_order)
{
	static const uint8_t s1[] = {1, 2, 3}, s2[] = {1, 2, 3, 0}, s3[] = {1, 2, 4};
	struct rtrmod_router_key k[6];
	size_t i, j;
	int c;

	memset(k, 0, sizeof(k));
	/* Ascending by SKI, then ASN, then SPKI bytes (a proper prefix first). */
	k[0].asn = 5, k[0].spki = s3, k[0].spki_len = 3;
	k[1].asn = 6, k[1].spki = s1, k[1].spki_len = 3;
	k[2].asn = 6, k[2].spki = s2, k[2].spki_len = 4;
	k[3].asn = 6, k[3].spki = s3, k[3].spki_len = 3;
	k[4].ski[19] = 1, k[4].asn = 1, k[4].spki = s1, k[4].spki_len = 3;
	k[5].ski[0] = 1, k[5].asn = 0, k[5].spki = s1, k[5].spki_len = 3;
	for (i = 0; i < ARRAY_SIZE(k); i++) {
		for (j = 0; j < ARRAY_SIZE(k); j++) {
			c = rtrmod_router_key_cmp(&k[i], &k[j]);
			ck_assert_msg((i < j && c < 0) || (i == j && c == 0) || (i > j && c > 0),
				      "key %zu vs %zu: %d", i, j, c);
		}
	}
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prefix");
	TCase *tc = tcase_create("prefix");

	tcase_add_test(tc, test_round_trips);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_format_sizes);
	tcase_add_test(tc, test_covers);
	tcase_add_test(tc, test_vrp_order);
	tcase_add_test(tc, test_router_key_order);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
