/*
 * check_pdu_validate.c: every semantic check of rtrmod_pdu_validate() on
 * both sides of its boundary, with the RFC 8210 §12 / 8210bis-27 §12 code
 * it must name: prefix and max lengths, host bits, flags, End of Data
 * timers, Error Report rules, ASPA provider lists and reserved fields.
 */
#include "config.h"

#include <string.h>

#include <rtrmod/pdu.h>

#include "check_main.h"

static void
expect_ok(const struct rtrmod_pdu *pdu, unsigned flags)
{
	struct rtrmod_pdu_error err = {.reason = NULL};
	int rc = rtrmod_pdu_validate(pdu, flags, &err);

	ck_assert_msg(rc == 0, "refused: %s", rc == 0 ? "" : err.reason);
}

static void
expect_refused(const struct rtrmod_pdu *pdu, unsigned flags, enum rtrmod_rtr_error code)
{
	struct rtrmod_pdu_error err = {.pdu = {(const uint8_t *)"x", 1}};

	ck_assert_int_eq(rtrmod_pdu_validate(pdu, flags, &err), RTRMOD_EPDU);
	ck_assert_int_eq(err.code, code);
	ck_assert_ptr_nonnull(err.reason);
	ck_assert_ptr_null(err.pdu.ptr); /* validation cites no bytes */
	ck_assert_uint_eq(err.pdu.len, 0);
}

static struct rtrmod_pdu
prefix4(uint8_t version, uint8_t plen, uint8_t mlen, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct rtrmod_pdu p;

	memset(&p, 0, sizeof(p));
	p.version = version;
	p.type = RTRMOD_PDU_IPV4_PREFIX;
	p.u.prefix.flags = RTRMOD_PDU_FLAG_ANNOUNCE;
	p.u.prefix.prefix_len = plen;
	p.u.prefix.max_len = mlen;
	p.u.prefix.addr[0] = a;
	p.u.prefix.addr[1] = b;
	p.u.prefix.addr[2] = c;
	p.u.prefix.addr[3] = d;
	p.u.prefix.asn = 64496;
	return p;
}

START_TEST(test_prefix_lengths)
{
	struct rtrmod_pdu p;

	for (uint8_t v = 0; v <= 2; v++) {
		p = prefix4(v, 24, 24, 192, 0, 2, 0);
		expect_ok(&p, 0);
		p = prefix4(v, 0, 0, 0, 0, 0, 0);
		expect_ok(&p, 0);
		p = prefix4(v, 32, 32, 192, 0, 2, 1);
		expect_ok(&p, 0);
		p = prefix4(v, 0, 32, 0, 0, 0, 0);
		expect_ok(&p, 0);
		/* RFC 8210 §5.1: Max Length not less than Prefix Length. */
		p = prefix4(v, 24, 23, 192, 0, 2, 0);
		expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
		p = prefix4(v, 24, 33, 192, 0, 2, 0);
		expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
		p = prefix4(v, 33, 33, 192, 0, 2, 0);
		expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
		p = prefix4(v, 255, 255, 192, 0, 2, 0);
		expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);

		p.type = RTRMOD_PDU_IPV6_PREFIX;
		p.u.prefix.prefix_len = 128;
		p.u.prefix.max_len = 128;
		expect_ok(&p, 0);
		p.u.prefix.max_len = 129;
		expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
		p.u.prefix.prefix_len = 129;
		expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
		p.u.prefix.prefix_len = 64;
		p.u.prefix.max_len = 63;
		expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
	}
}
END_TEST

START_TEST(test_prefix_flags)
{
	struct rtrmod_pdu p = prefix4(1, 24, 24, 192, 0, 2, 0);

	p.u.prefix.flags = 0;
	expect_ok(&p, 0);
	/* Only the announce/withdraw bit is defined (RFC 8210 §5.1). */
	for (unsigned bit = 1; bit < 8; bit++) {
		p.u.prefix.flags = (uint8_t)(1u << bit);
		expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
		p.u.prefix.flags |= RTRMOD_PDU_FLAG_ANNOUNCE;
		expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
	}
}
END_TEST

/* 8210bis-27 §5.9/§5.10: bits past the prefix length MUST be zero and the
 * router MUST check (v2); older versions only when strict. */
START_TEST(test_prefix_host_bits)
{
	struct rtrmod_pdu p;

	p = prefix4(2, 24, 24, 192, 0, 2, 1);
	expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
	p = prefix4(2, 23, 24, 192, 0, 3, 0); /* last bit of the third octet */
	expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
	p = prefix4(2, 23, 24, 192, 0, 2, 0);
	expect_ok(&p, 0);
	p = prefix4(2, 0, 8, 0, 0, 0, 1);
	expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
	p = prefix4(2, 31, 32, 10, 0, 0, 1);
	expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
	p = prefix4(2, 31, 32, 10, 0, 0, 2);
	expect_ok(&p, 0);
	p = prefix4(2, 32, 32, 255, 255, 255, 255);
	expect_ok(&p, 0);

	p = prefix4(1, 24, 24, 192, 0, 2, 1);
	expect_ok(&p, 0);
	expect_refused(&p, RTRMOD_PDU_STRICT_RESERVED, RTRMOD_RTR_CORRUPT_DATA);
	p = prefix4(0, 24, 24, 192, 0, 2, 1);
	expect_ok(&p, 0);
	expect_refused(&p, RTRMOD_PDU_STRICT_RESERVED, RTRMOD_RTR_CORRUPT_DATA);

	/* IPv6: 2001:db8::/33 with bit 33 set, then the last bit of 128. */
	memset(&p, 0, sizeof(p));
	p.version = 2;
	p.type = RTRMOD_PDU_IPV6_PREFIX;
	p.u.prefix.prefix_len = 33;
	p.u.prefix.max_len = 48;
	p.u.prefix.addr[0] = 0x20;
	p.u.prefix.addr[1] = 0x01;
	p.u.prefix.addr[2] = 0x0d;
	p.u.prefix.addr[3] = 0xb8;
	p.u.prefix.addr[4] = 0x80;
	expect_ok(&p, 0);
	p.u.prefix.addr[4] = 0x40;
	expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
	p.u.prefix.addr[4] = 0x80;
	p.u.prefix.addr[15] = 1;
	expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
	p.u.prefix.prefix_len = 128;
	p.u.prefix.max_len = 128;
	expect_ok(&p, 0);
}
END_TEST

static struct rtrmod_pdu
eod(uint8_t version, uint32_t refresh, uint32_t retry, uint32_t expire)
{
	struct rtrmod_pdu p;

	memset(&p, 0, sizeof(p));
	p.version = version;
	p.type = RTRMOD_PDU_END_OF_DATA;
	p.u.eod.refresh = refresh;
	p.u.eod.retry = retry;
	p.u.eod.expire = expire;
	return p;
}

/* RFC 8210 §6: refresh 1..86400, retry 1..7200, expire 600..172800, and
 * expire larger than both refresh and retry. */
START_TEST(test_end_of_data_timers)
{
	static const struct {
		uint32_t refresh, retry, expire;
		bool ok;
	} cases[] = {
	    {3600, 600, 7200, true},     {1, 1, 600, true},
	    {86400, 7200, 172800, true}, {0, 600, 7200, false},
	    {86401, 600, 172800, false}, {3600, 0, 7200, false},
	    {3600, 7201, 172800, false}, {60, 60, 599, false},
	    {3600, 600, 172801, false},  {3600, 600, 3600, false},
	    {600, 3600, 3600, false},    {3600, 600, 3601, true},
	    {599, 599, 600, true},       {600, 599, 600, false},
	    {599, 600, 600, false},      {0, 0, 0, false},
	};
	struct rtrmod_pdu p;

	for (uint8_t v = 1; v <= 2; v++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			p = eod(v, cases[i].refresh, cases[i].retry, cases[i].expire);
			if (cases[i].ok)
				expect_ok(&p, 0);
			else
				expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
		}
	}
	/* v0 End of Data has no timers (RFC 6810 §5.8). */
	p = eod(0, 0, 0, 0);
	expect_ok(&p, 0);
	expect_ok(&p, RTRMOD_PDU_STRICT_RESERVED);
}
END_TEST

START_TEST(test_router_key)
{
	static const uint8_t spki[] = {0x30, 0x00};
	struct rtrmod_pdu p;

	memset(&p, 0, sizeof(p));
	p.version = 1;
	p.type = RTRMOD_PDU_ROUTER_KEY;
	p.u.router_key.flags = RTRMOD_PDU_FLAG_ANNOUNCE;
	p.u.router_key.spki.ptr = spki;
	p.u.router_key.spki.len = sizeof(spki);
	expect_ok(&p, 0);
	p.u.router_key.flags = 0x80;
	expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
	p.u.router_key.flags = 0;
	p.u.router_key.spki.len = 0;
	expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
	p.u.router_key.spki.len = 2;
	/* A Router Key claimed for v0, which has none: Unsupported PDU Type. */
	p.version = 0;
	expect_refused(&p, 0, RTRMOD_RTR_UNSUPPORTED_PDU_TYPE);
}
END_TEST

static struct rtrmod_pdu
error_report(uint8_t version, uint16_t code, const uint8_t *pdu, size_t pdu_len)
{
	struct rtrmod_pdu p;

	memset(&p, 0, sizeof(p));
	p.version = version;
	p.type = RTRMOD_PDU_ERROR_REPORT;
	p.u.error.code = code;
	p.u.error.pdu.ptr = pdu;
	p.u.error.pdu.len = pdu_len;
	p.u.error.text.ptr = (const uint8_t *)"text";
	p.u.error.text.len = 4;
	return p;
}

START_TEST(test_error_report_codes_per_version)
{
	struct rtrmod_pdu p;

	/* RFC 6810 defines 0-7, RFC 8210 adds 8, 8210bis-27 §12 adds 9-13; an
	 * implementation MUST send only codes of the session's version. */
	for (uint16_t code = 0; code <= 7; code++) {
		p = error_report(0, code, NULL, 0);
		expect_ok(&p, 0);
	}
	p = error_report(0, 8, NULL, 0);
	expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
	p = error_report(1, 8, NULL, 0);
	expect_ok(&p, 0);
	p = error_report(1, 9, NULL, 0);
	expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
	p = error_report(2, 9, NULL, 0);
	expect_ok(&p, 0);
	p = error_report(2, 13, NULL, 0);
	expect_ok(&p, 0);
	p = error_report(2, 14, NULL, 0);
	expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
	p = error_report(2, 255, NULL, 0);
	expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
	p = error_report(2, 65535, NULL, 0);
	expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
}
END_TEST

START_TEST(test_error_report_encapsulation)
{
	static const uint8_t prefix[20] = {1, RTRMOD_PDU_IPV4_PREFIX, 0, 0, 0, 0, 0, 20};
	static const uint8_t report[16] = {1, RTRMOD_PDU_ERROR_REPORT, 0, 0, 0, 0, 0, 16};
	struct rtrmod_pdu p;

	p = error_report(1, 0, prefix, sizeof(prefix));
	expect_ok(&p, 0);
	p = error_report(1, 0, prefix, 4); /* cut to the first four octets */
	expect_ok(&p, 0);
	/* 8210bis-27 §5.8: a cut copy keeps at least the first four octets. */
	for (size_t n = 1; n < 4; n++) {
		p = error_report(1, 0, prefix, n);
		expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
	}
	/* RFC 8210 §5.11: no Error Report is sent for an Error Report. */
	p = error_report(1, 0, report, sizeof(report));
	expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
	p = error_report(2, 0, report, 4);
	expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
	p = error_report(0, 2, report, sizeof(report));
	expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
}
END_TEST

static struct rtrmod_pdu
aspa(uint8_t flags, uint32_t customer, const uint32_t *providers, size_t n)
{
	struct rtrmod_pdu p;

	memset(&p, 0, sizeof(p));
	p.version = 2;
	p.type = RTRMOD_PDU_ASPA;
	p.u.aspa.flags = flags;
	p.u.aspa.customer_asn = customer;
	p.u.aspa.providers = providers;
	p.u.aspa.provider_count = n;
	return p;
}

/* 8210bis-27 §5.12: each case with code 9, ASPA Provider List Error. */
START_TEST(test_aspa_provider_lists)
{
	static const uint32_t good[] = {64497, 65000, 4200000000u};
	static const uint32_t only0[] = {0};
	static const uint32_t with0[] = {0, 64497};
	static const uint32_t dup[] = {64497, 64497};
	static const uint32_t down[] = {65000, 64497};
	static const uint32_t self[] = {64496, 64497};
	static const uint32_t dup_late[] = {1, 2, 3, 3};
	struct rtrmod_pdu p;

	p = aspa(1, 64496, good, 3);
	expect_ok(&p, 0);
	/* A single AS 0 says "no providers" and is allowed. */
	p = aspa(1, 64496, only0, 1);
	expect_ok(&p, 0);
	/* The draft has no rule against the customer in its own list (the
	 * ASPA profile refuses such objects upstream). */
	p = aspa(1, 64496, self, 2);
	expect_ok(&p, 0);

	p = aspa(1, 64496, NULL, 0);
	expect_refused(&p, 0, RTRMOD_RTR_ASPA_PROVIDER_LIST_ERROR);
	p = aspa(1, 64496, with0, 2);
	expect_refused(&p, 0, RTRMOD_RTR_ASPA_PROVIDER_LIST_ERROR);
	p = aspa(1, 64496, dup, 2);
	expect_refused(&p, 0, RTRMOD_RTR_ASPA_PROVIDER_LIST_ERROR);
	p = aspa(1, 64496, dup_late, 4);
	expect_refused(&p, 0, RTRMOD_RTR_ASPA_PROVIDER_LIST_ERROR);
	p = aspa(1, 64496, down, 2);
	expect_refused(&p, 0, RTRMOD_RTR_ASPA_PROVIDER_LIST_ERROR);
	p = aspa(1, 64496, NULL, 2); /* a count but no list */
	expect_refused(&p, 0, RTRMOD_RTR_ASPA_PROVIDER_LIST_ERROR);

	/* A withdrawal carries no provider list (length 12). */
	p = aspa(0, 64496, NULL, 0);
	expect_ok(&p, 0);
	p = aspa(0, 64496, good, 1);
	expect_refused(&p, 0, RTRMOD_RTR_ASPA_PROVIDER_LIST_ERROR);
	p = aspa(0, 64496, only0, 1);
	expect_refused(&p, 0, RTRMOD_RTR_ASPA_PROVIDER_LIST_ERROR);

	/* Undefined flag bits are corrupt data, not a provider list error. */
	p = aspa(0x03, 64496, good, 3);
	expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
	p = aspa(0x80, 64496, NULL, 0);
	expect_refused(&p, 0, RTRMOD_RTR_CORRUPT_DATA);
}
END_TEST

/* The same rules hold on the decoded form (network-order providers). */
START_TEST(test_aspa_decoded)
{
	uint8_t b[24] = {2,    RTRMOD_PDU_ASPA,
			 1,    0,
			 0,    0,
			 0,    24,
			 0,    0,
			 0xfb, 0xf0,
			 0,    0,
			 0xfb, 0xf1,
			 0,    0,
			 0xfd, 0xe8,
			 0,    0,
			 0xfd, 0xe8};
	struct rtrmod_pdu p;
	size_t used;

	ck_assert_int_eq(rtrmod_pdu_decode(b, sizeof(b), &p, &used, NULL), 0);
	expect_refused(&p, 0, RTRMOD_RTR_ASPA_PROVIDER_LIST_ERROR); /* 65000 twice */
	b[23] = 0xe9;
	ck_assert_int_eq(rtrmod_pdu_decode(b, sizeof(b), &p, &used, NULL), 0);
	expect_ok(&p, 0);
	b[15] = 0xff; /* 64511 > 65000? no: 0xfbff = 64511 < 65000, still fine */
	ck_assert_int_eq(rtrmod_pdu_decode(b, sizeof(b), &p, &used, NULL), 0);
	expect_ok(&p, 0);
	b[13] = 0x01; /* 0x01fbff = 130047 > 65000: out of order */
	ck_assert_int_eq(rtrmod_pdu_decode(b, sizeof(b), &p, &used, NULL), 0);
	expect_refused(&p, 0, RTRMOD_RTR_ASPA_PROVIDER_LIST_ERROR);
}
END_TEST

/* RFC 8210 §5: reserved fields are ignored on receipt unless strict. */
START_TEST(test_reserved_only_when_strict)
{
	struct rtrmod_pdu p;

	memset(&p, 0, sizeof(p));
	p.version = 1;
	p.type = RTRMOD_PDU_RESET_QUERY;
	p.reserved = 1;
	expect_ok(&p, 0);
	expect_refused(&p, RTRMOD_PDU_STRICT_RESERVED, RTRMOD_RTR_CORRUPT_DATA);
	p.reserved = 0;
	expect_ok(&p, RTRMOD_PDU_STRICT_RESERVED);

	p = prefix4(2, 24, 24, 192, 0, 2, 0);
	p.reserved = 0x80;
	expect_ok(&p, 0);
	expect_refused(&p, RTRMOD_PDU_STRICT_RESERVED, RTRMOD_RTR_CORRUPT_DATA);
}
END_TEST

START_TEST(test_version_and_type)
{
	struct rtrmod_pdu p;
	struct rtrmod_pdu_error err;

	memset(&p, 0, sizeof(p));
	p.version = 3;
	p.type = RTRMOD_PDU_RESET_QUERY;
	expect_refused(&p, 0, RTRMOD_RTR_UNSUPPORTED_VERSION);
	p.version = 1;
	p.type = RTRMOD_PDU_ASPA;
	expect_refused(&p, 0, RTRMOD_RTR_UNSUPPORTED_PDU_TYPE);
	p.type = 5;
	expect_refused(&p, 0, RTRMOD_RTR_UNSUPPORTED_PDU_TYPE);
	for (uint8_t t = 0; t <= 3; t++) {
		p.type = t;
		expect_ok(&p, RTRMOD_PDU_STRICT_RESERVED);
	}
	p.type = RTRMOD_PDU_CACHE_RESET;
	expect_ok(&p, 0);
	ck_assert_int_eq(rtrmod_pdu_validate(NULL, 0, &err), RTRMOD_EINVAL);
	p.version = 9;
	ck_assert_int_eq(rtrmod_pdu_validate(&p, 0, NULL), RTRMOD_EPDU);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("pdu_validate");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_prefix_lengths);
	tcase_add_test(tc, test_prefix_flags);
	tcase_add_test(tc, test_prefix_host_bits);
	tcase_add_test(tc, test_end_of_data_timers);
	tcase_add_test(tc, test_router_key);
	tcase_add_test(tc, test_error_report_codes_per_version);
	tcase_add_test(tc, test_error_report_encapsulation);
	tcase_add_test(tc, test_aspa_provider_lists);
	tcase_add_test(tc, test_aspa_decoded);
	tcase_add_test(tc, test_reserved_only_when_strict);
	tcase_add_test(tc, test_version_and_type);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
