/*
 * check_pdu.c: the codec against golden vectors written by hand from the
 * RFC figures (tests/data/pdu/), round trips, every malformed class with
 * its RFC 8210 §12 code, encoder limits, names and the one-line format.
 * A golden vector is never produced by our encoder: it is decoded, every
 * field is checked, and only then is it re-encoded and compared.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtrmod/pdu.h>

#include "check_main.h"
#include "hexfile.h"

/* ---- helpers ------------------------------------------------------------ */

static uint8_t *
load_vector(const char *name, size_t *len)
{
	char path[256];
	uint8_t *bytes = NULL;

	snprintf(path, sizeof(path), "pdu/%s", name);
	ck_assert_msg(hexfile_load_data(path, &bytes, len) == 0, "cannot load %s", path);
	return bytes;
}

/* Decode a whole golden vector; the PDU borrows from *bytes. */
static uint8_t *
decode_vector(const char *name, struct rtrmod_pdu *pdu, size_t *len)
{
	struct rtrmod_pdu_error err = {0};
	uint8_t *bytes = load_vector(name, len);
	size_t used = 0;
	int rc = rtrmod_pdu_decode(bytes, *len, pdu, &used, &err);

	ck_assert_msg(rc == 0, "%s: decode %d (%s)", name, rc, rc == 0 ? "" : err.reason);
	ck_assert_uint_eq(used, *len);
	return bytes;
}

/* Re-encode: identical bytes, exactly the length, ENOSPC one byte short. */
static void
assert_reencodes(const struct rtrmod_pdu *pdu, const uint8_t *bytes, size_t len)
{
	uint8_t out[256];
	size_t written = 0;

	ck_assert_uint_le(len, sizeof(out));
	ck_assert_uint_eq(rtrmod_pdu_encoded_len(pdu), len);
	ck_assert_int_eq(rtrmod_pdu_encode(pdu, out, sizeof(out), &written), 0);
	ck_assert_uint_eq(written, len);
	ck_assert_mem_eq(out, bytes, len);
	ck_assert_int_eq(rtrmod_pdu_encode(pdu, out, len - 1, &written), RTRMOD_ENOSPC);
}

static void
expect_decode_error(const uint8_t *bytes, size_t len, enum rtrmod_rtr_error code,
		    size_t err_pdu_len)
{
	struct rtrmod_pdu pdu;
	struct rtrmod_pdu_error err = {0};
	size_t used = 0;

	ck_assert_int_eq(rtrmod_pdu_decode(bytes, len, &pdu, &used, &err), RTRMOD_EPDU);
	ck_assert_int_eq(err.code, code);
	ck_assert_ptr_nonnull(err.reason);
	ck_assert_ptr_eq(err.pdu.ptr, bytes);
	ck_assert_uint_eq(err.pdu.len, err_pdu_len);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static const char *const all_vectors[] = {
    "serial_notify_v0.hex",  "serial_notify_v1.hex",  "serial_notify_v2.hex",
    "serial_query_v0.hex",   "serial_query_v1.hex",   "serial_query_v2.hex",
    "reset_query_v0.hex",    "reset_query_v1.hex",    "reset_query_v2.hex",
    "cache_response_v0.hex", "cache_response_v1.hex", "cache_response_v2.hex",
    "ipv4_prefix_v0.hex",    "ipv4_prefix_v1.hex",    "ipv4_prefix_v2.hex",
    "ipv6_prefix_v0.hex",    "ipv6_prefix_v1.hex",    "ipv6_prefix_v2.hex",
    "end_of_data_v0.hex",    "end_of_data_v1.hex",    "end_of_data_v2.hex",
    "cache_reset_v0.hex",    "cache_reset_v1.hex",    "cache_reset_v2.hex",
    "router_key_v1.hex",     "router_key_v2.hex",     "error_report_v0.hex",
    "error_report_v1.hex",   "error_report_v2.hex",   "aspa_v2.hex",
    "aspa_withdraw_v2.hex",
};

/* ---- golden vectors ------------------------------------------------------- */

static void
check_serial(const char *name, uint8_t version, uint8_t type, uint16_t session, uint32_t serial)
{
	struct rtrmod_pdu pdu;
	size_t len;
	uint8_t *bytes = decode_vector(name, &pdu, &len);

	ck_assert_uint_eq(pdu.version, version);
	ck_assert_uint_eq(pdu.type, type);
	ck_assert_uint_eq(pdu.reserved, 0);
	ck_assert_uint_eq(pdu.u.serial.session_id, session);
	ck_assert_uint_eq(pdu.u.serial.serial, serial);
	assert_reencodes(&pdu, bytes, len);
	free(bytes);
}

START_TEST(test_golden_serial_notify_and_query)
{
	check_serial("serial_notify_v0.hex", 0, RTRMOD_PDU_SERIAL_NOTIFY, 258, 42);
	check_serial("serial_notify_v1.hex", 1, RTRMOD_PDU_SERIAL_NOTIFY, 48879, 2147483649u);
	check_serial("serial_notify_v2.hex", 2, RTRMOD_PDU_SERIAL_NOTIFY, 65535, 4294967295u);
	check_serial("serial_query_v0.hex", 0, RTRMOD_PDU_SERIAL_QUERY, 258, 41);
	check_serial("serial_query_v1.hex", 1, RTRMOD_PDU_SERIAL_QUERY, 48879, 2147483647u);
	check_serial("serial_query_v2.hex", 2, RTRMOD_PDU_SERIAL_QUERY, 1, 0);
}
END_TEST

static void
check_header_only(const char *name, uint8_t version, uint8_t type, uint16_t session)
{
	struct rtrmod_pdu pdu;
	size_t len;
	uint8_t *bytes = decode_vector(name, &pdu, &len);

	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(pdu.version, version);
	ck_assert_uint_eq(pdu.type, type);
	ck_assert_uint_eq(pdu.reserved, 0);
	if (type == RTRMOD_PDU_CACHE_RESPONSE)
		ck_assert_uint_eq(pdu.u.cache_response.session_id, session);
	assert_reencodes(&pdu, bytes, len);
	free(bytes);
}

START_TEST(test_golden_header_only_pdus)
{
	static const uint16_t sessions[] = {258, 48879, 19758};
	char name[64];

	for (uint8_t v = 0; v <= 2; v++) {
		snprintf(name, sizeof(name), "reset_query_v%u.hex", v);
		check_header_only(name, v, RTRMOD_PDU_RESET_QUERY, 0);
		snprintf(name, sizeof(name), "cache_reset_v%u.hex", v);
		check_header_only(name, v, RTRMOD_PDU_CACHE_RESET, 0);
		snprintf(name, sizeof(name), "cache_response_v%u.hex", v);
		check_header_only(name, v, RTRMOD_PDU_CACHE_RESPONSE, sessions[v]);
	}
}
END_TEST

static void
check_prefix(const char *name, uint8_t version, uint8_t type, uint8_t flags, uint8_t plen,
	     uint8_t mlen, const uint8_t addr[16], uint32_t asn)
{
	struct rtrmod_pdu pdu;
	size_t len;
	uint8_t *bytes = decode_vector(name, &pdu, &len);

	ck_assert_uint_eq(len, type == RTRMOD_PDU_IPV4_PREFIX ? 20 : 32);
	ck_assert_uint_eq(pdu.version, version);
	ck_assert_uint_eq(pdu.type, type);
	ck_assert_uint_eq(pdu.reserved, 0);
	ck_assert_uint_eq(pdu.u.prefix.flags, flags);
	ck_assert_uint_eq(pdu.u.prefix.prefix_len, plen);
	ck_assert_uint_eq(pdu.u.prefix.max_len, mlen);
	ck_assert_mem_eq(pdu.u.prefix.addr, addr, 16); /* IPv4: addr[4..15] zero */
	ck_assert_uint_eq(pdu.u.prefix.asn, asn);
	assert_reencodes(&pdu, bytes, len);
	free(bytes);
}

START_TEST(test_golden_prefixes)
{
	static const uint8_t a4v0[16] = {192, 0, 2, 0};
	static const uint8_t a4v1[16] = {203, 0, 113, 0};
	static const uint8_t a4v2[16] = {100, 64, 0, 0};
	static const uint8_t a6v0[16] = {0x20, 0x01, 0x0d, 0xb8};
	static const uint8_t a6v1[16] = {0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34};
	static const uint8_t a6v2[16] = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0xff, 0x00};

	check_prefix("ipv4_prefix_v0.hex", 0, RTRMOD_PDU_IPV4_PREFIX, 1, 24, 24, a4v0, 64496);
	check_prefix("ipv4_prefix_v1.hex", 1, RTRMOD_PDU_IPV4_PREFIX, 0, 24, 32, a4v1, 65551);
	check_prefix("ipv4_prefix_v2.hex", 2, RTRMOD_PDU_IPV4_PREFIX, 1, 10, 16, a4v2, 0);
	check_prefix("ipv6_prefix_v0.hex", 0, RTRMOD_PDU_IPV6_PREFIX, 1, 32, 48, a6v0, 64496);
	check_prefix("ipv6_prefix_v1.hex", 1, RTRMOD_PDU_IPV6_PREFIX, 0, 48, 64, a6v1, 65551);
	check_prefix("ipv6_prefix_v2.hex", 2, RTRMOD_PDU_IPV6_PREFIX, 1, 56, 64, a6v2, 4200000000u);
}
END_TEST

static void
check_eod(const char *name, uint8_t version, uint16_t session, uint32_t serial, uint32_t refresh,
	  uint32_t retry, uint32_t expire)
{
	struct rtrmod_pdu pdu;
	size_t len;
	uint8_t *bytes = decode_vector(name, &pdu, &len);

	ck_assert_uint_eq(len, version == 0 ? 12 : 24);
	ck_assert_uint_eq(pdu.version, version);
	ck_assert_uint_eq(pdu.type, RTRMOD_PDU_END_OF_DATA);
	ck_assert_uint_eq(pdu.reserved, 0);
	ck_assert_uint_eq(pdu.u.eod.session_id, session);
	ck_assert_uint_eq(pdu.u.eod.serial, serial);
	ck_assert_uint_eq(pdu.u.eod.refresh, refresh);
	ck_assert_uint_eq(pdu.u.eod.retry, retry);
	ck_assert_uint_eq(pdu.u.eod.expire, expire);
	assert_reencodes(&pdu, bytes, len);
	free(bytes);
}

START_TEST(test_golden_end_of_data)
{
	check_eod("end_of_data_v0.hex", 0, 258, 42, 0, 0, 0);
	check_eod("end_of_data_v1.hex", 1, 48879, 2147483649u, 3600, 600, 7200);
	check_eod("end_of_data_v2.hex", 2, 19758, 7, 900, 60, 86400);
}
END_TEST

static const uint8_t golden_ski[20] = {0x12, 0x1b, 0xb0, 0x82, 0x00, 0xc4, 0x0d, 0x74, 0x7d, 0x3b,
				       0x18, 0x55, 0x79, 0xca, 0x77, 0xf1, 0xe0, 0x6b, 0x75, 0x85};

static void
check_router_key(const char *name, uint8_t version, uint8_t flags, uint32_t asn)
{
	/* The SPKI opens with SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 } */
	static const uint8_t spki_head[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a,
					    0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
	struct rtrmod_pdu pdu;
	size_t len;
	uint8_t *bytes = decode_vector(name, &pdu, &len);

	ck_assert_uint_eq(len, 123);
	ck_assert_uint_eq(pdu.version, version);
	ck_assert_uint_eq(pdu.type, RTRMOD_PDU_ROUTER_KEY);
	ck_assert_uint_eq(pdu.reserved, 0);
	ck_assert_uint_eq(pdu.u.router_key.flags, flags);
	ck_assert_mem_eq(pdu.u.router_key.ski, golden_ski, 20);
	ck_assert_uint_eq(pdu.u.router_key.asn, asn);
	ck_assert_uint_eq(pdu.u.router_key.spki.len, 91);
	ck_assert_ptr_eq(pdu.u.router_key.spki.ptr, bytes + 32); /* borrowed */
	ck_assert_mem_eq(pdu.u.router_key.spki.ptr, spki_head, sizeof(spki_head));
	ck_assert_uint_eq(pdu.u.router_key.spki.ptr[90], 0x94);
	assert_reencodes(&pdu, bytes, len);
	free(bytes);
}

START_TEST(test_golden_router_key)
{
	check_router_key("router_key_v1.hex", 1, 1, 64496);
	check_router_key("router_key_v2.hex", 2, 0, 4200000000u);
}
END_TEST

/* Decode an Error Report vector, then the PDU it encapsulates. */
static uint8_t *
check_error_report(const char *name, uint8_t version, uint16_t code, size_t pdu_len,
		   const char *text, struct rtrmod_pdu *inner)
{
	struct rtrmod_pdu pdu;
	size_t len, used = 0;
	uint8_t *bytes = decode_vector(name, &pdu, &len);

	ck_assert_uint_eq(pdu.version, version);
	ck_assert_uint_eq(pdu.type, RTRMOD_PDU_ERROR_REPORT);
	ck_assert_uint_eq(pdu.u.error.code, code);
	ck_assert_uint_eq(pdu.u.error.pdu.len, pdu_len);
	ck_assert_ptr_eq(pdu.u.error.pdu.ptr, bytes + 12);
	ck_assert_uint_eq(pdu.u.error.text.len, strlen(text));
	ck_assert_ptr_eq(pdu.u.error.text.ptr, bytes + 16 + pdu_len);
	ck_assert_mem_eq(pdu.u.error.text.ptr, text, strlen(text));
	ck_assert_uint_eq(len, 16 + pdu_len + strlen(text));
	assert_reencodes(&pdu, bytes, len);
	ck_assert_int_eq(
	    rtrmod_pdu_decode(pdu.u.error.pdu.ptr, pdu.u.error.pdu.len, inner, &used, NULL), 0);
	ck_assert_uint_eq(used, pdu_len);
	return bytes;
}

START_TEST(test_golden_error_reports)
{
	struct rtrmod_pdu inner;
	struct rtrmod_pdu_error err;
	uint8_t *bytes;

	bytes = check_error_report("error_report_v0.hex", 0, RTRMOD_RTR_NO_DATA_AVAILABLE, 8,
				   "no data yet", &inner);
	ck_assert_uint_eq(inner.version, 0);
	ck_assert_uint_eq(inner.type, RTRMOD_PDU_RESET_QUERY);
	free(bytes);

	/* The encapsulated prefix frames fine but fails validation: max 33. */
	bytes = check_error_report("error_report_v1.hex", 1, RTRMOD_RTR_CORRUPT_DATA, 20,
				   "max length 33 > 32", &inner);
	ck_assert_uint_eq(inner.type, RTRMOD_PDU_IPV4_PREFIX);
	ck_assert_uint_eq(inner.u.prefix.max_len, 33);
	ck_assert_int_eq(rtrmod_pdu_validate(&inner, 0, &err), RTRMOD_EPDU);
	ck_assert_int_eq(err.code, RTRMOD_RTR_CORRUPT_DATA);
	free(bytes);

	bytes = check_error_report("error_report_v2.hex", 2, RTRMOD_RTR_ASPA_PROVIDER_LIST_ERROR,
				   12, "ASPA announcement without providers", &inner);
	ck_assert_uint_eq(inner.type, RTRMOD_PDU_ASPA);
	ck_assert_uint_eq(inner.u.aspa.provider_count, 0);
	ck_assert_int_eq(rtrmod_pdu_validate(&inner, 0, &err), RTRMOD_EPDU);
	ck_assert_int_eq(err.code, RTRMOD_RTR_ASPA_PROVIDER_LIST_ERROR);
	free(bytes);
}
END_TEST

START_TEST(test_golden_aspa)
{
	struct rtrmod_pdu pdu;
	size_t len;
	uint8_t *bytes = decode_vector("aspa_v2.hex", &pdu, &len);

	ck_assert_uint_eq(len, 24);
	ck_assert_uint_eq(pdu.version, 2);
	ck_assert_uint_eq(pdu.type, RTRMOD_PDU_ASPA);
	ck_assert_uint_eq(pdu.reserved, 0);
	ck_assert_uint_eq(pdu.u.aspa.flags, RTRMOD_PDU_FLAG_ANNOUNCE);
	ck_assert_uint_eq(pdu.u.aspa.customer_asn, 64496);
	ck_assert_uint_eq(pdu.u.aspa.provider_count, 3);
	ck_assert_ptr_null(pdu.u.aspa.providers);
	ck_assert_ptr_eq(pdu.u.aspa.providers_be, bytes + 12);
	ck_assert_uint_eq(rtrmod_pdu_aspa_provider(&pdu.u.aspa, 0), 64497);
	ck_assert_uint_eq(rtrmod_pdu_aspa_provider(&pdu.u.aspa, 1), 65000);
	ck_assert_uint_eq(rtrmod_pdu_aspa_provider(&pdu.u.aspa, 2), 4200000000u);
	ck_assert_uint_eq(rtrmod_pdu_aspa_provider(&pdu.u.aspa, 3), 0); /* out of range */
	assert_reencodes(&pdu, bytes, len);
	free(bytes);

	bytes = decode_vector("aspa_withdraw_v2.hex", &pdu, &len);
	ck_assert_uint_eq(len, 12);
	ck_assert_uint_eq(pdu.u.aspa.flags, 0);
	ck_assert_uint_eq(pdu.u.aspa.customer_asn, 64496);
	ck_assert_uint_eq(pdu.u.aspa.provider_count, 0);
	assert_reencodes(&pdu, bytes, len);
	free(bytes);
}
END_TEST

/* Every vector is valid, also strictly; every cut of it is ETRUNC with the
 * right need; with the next PDU behind it, it is still decoded alone. */
START_TEST(test_golden_truncations_and_validity)
{
	for (size_t i = 0; i < sizeof(all_vectors) / sizeof(all_vectors[0]); i++) {
		struct rtrmod_pdu pdu;
		struct rtrmod_pdu_error err = {0};
		size_t len, used;
		uint8_t *bytes = decode_vector(all_vectors[i], &pdu, &len);
		uint8_t *two = malloc(2 * len);

		ck_assert_msg(rtrmod_pdu_validate(&pdu, RTRMOD_PDU_STRICT_RESERVED, &err) == 0,
			      "%s: %s", all_vectors[i], err.reason);
		for (size_t cut = 0; cut < len; cut++) {
			uint8_t *part = malloc(cut > 0 ? cut : 1);

			memcpy(part, bytes, cut);
			used = 0;
			ck_assert_int_eq(rtrmod_pdu_decode(part, cut, &pdu, &used, &err),
					 RTRMOD_ETRUNC);
			ck_assert_uint_eq(used, cut < 8 ? 8 : len);
			free(part);
		}
		memcpy(two, bytes, len);
		memcpy(two + len, bytes, len);
		ck_assert_int_eq(rtrmod_pdu_decode(two, 2 * len, &pdu, &used, &err), 0);
		ck_assert_uint_eq(used, len);
		free(two);
		free(bytes);
	}
}
END_TEST

/* ---- malformed input -------------------------------------------------------- */

START_TEST(test_bad_version)
{
	uint8_t b[12] = {3, 0, 0, 1, 0, 0, 0, 12};

	/* RFC 8210 §7: a version we do not know is Unsupported Protocol Version,
	 * checked before the type and the length. */
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_UNSUPPORTED_VERSION, 8);
	b[0] = 255;
	b[1] = 77;
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_UNSUPPORTED_VERSION, 8);
	/* Only the header is needed to refuse. */
	expect_decode_error(b, 8, RTRMOD_RTR_UNSUPPORTED_VERSION, 8);
}
END_TEST

START_TEST(test_unknown_and_out_of_version_types)
{
	static const uint8_t unknown[] = {5, 12, 13, 100, 254, 255};
	uint8_t b[64] = {0};

	for (uint8_t v = 0; v <= 2; v++) {
		b[0] = v;
		for (size_t i = 0; i < sizeof(unknown); i++) {
			b[1] = unknown[i];
			put32(b + 4, 8);
			expect_decode_error(b, sizeof(b), RTRMOD_RTR_UNSUPPORTED_PDU_TYPE, 8);
		}
	}
	/* Router Key does not exist in v0, ASPA not before v2 (8210bis-27 §14). */
	b[0] = 0;
	b[1] = RTRMOD_PDU_ROUTER_KEY;
	put32(b + 4, 40);
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_UNSUPPORTED_PDU_TYPE, 8);
	for (uint8_t v = 0; v <= 1; v++) {
		b[0] = v;
		b[1] = RTRMOD_PDU_ASPA;
		put32(b + 4, 16);
		expect_decode_error(b, sizeof(b), RTRMOD_RTR_UNSUPPORTED_PDU_TYPE, 8);
	}
}
END_TEST

/* Every fixed-length type, in every version, at every wrong length near
 * its own: Corrupt Data (RFC 8210 §12 code 0), only the header cited. */
START_TEST(test_wrong_fixed_lengths)
{
	static const struct {
		uint8_t type;
		uint32_t len;
	} fixed[] = {
	    {RTRMOD_PDU_SERIAL_NOTIFY, 12}, {RTRMOD_PDU_SERIAL_QUERY, 12},
	    {RTRMOD_PDU_RESET_QUERY, 8},    {RTRMOD_PDU_CACHE_RESPONSE, 8},
	    {RTRMOD_PDU_IPV4_PREFIX, 20},   {RTRMOD_PDU_IPV6_PREFIX, 32},
	    {RTRMOD_PDU_END_OF_DATA, 24},   {RTRMOD_PDU_CACHE_RESET, 8},
	};
	static const int deltas[] = {-8, -4, -1, 1, 4, 8, 1000};
	uint8_t b[2048] = {0};

	for (uint8_t v = 0; v <= 2; v++) {
		for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
			uint32_t want = fixed[i].len;

			if (fixed[i].type == RTRMOD_PDU_END_OF_DATA && v == 0)
				want = 12;
			b[0] = v;
			b[1] = fixed[i].type;
			for (size_t d = 0; d < sizeof(deltas) / sizeof(deltas[0]); d++) {
				if ((int)want + deltas[d] < 0)
					continue;
				put32(b + 4, (uint32_t)((int)want + deltas[d]));
				expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 8);
			}
			put32(b + 4, 0);
			expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 8);
		}
	}
	/* The two End of Data sizes are not interchangeable between versions. */
	b[0] = 0;
	b[1] = RTRMOD_PDU_END_OF_DATA;
	put32(b + 4, 24);
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 8);
	b[0] = 1;
	put32(b + 4, 12);
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 8);
}
END_TEST

START_TEST(test_huge_length_is_corrupt_not_truncated)
{
	uint8_t b[16] = {1, RTRMOD_PDU_ERROR_REPORT, 0, 0};
	struct rtrmod_pdu pdu;
	size_t used = 0;

	/* A peer must not make us wait for (and buffer) 4 GiB. */
	put32(b + 4, 0xffffffffu);
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 8);
	/* One past the default cap is refused; the cap itself is only short. */
	put32(b + 4, RTRMOD_PDU_MAX_LEN_DEFAULT + 1);
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 8);
	put32(b + 4, RTRMOD_PDU_MAX_LEN_DEFAULT);
	ck_assert_int_eq(rtrmod_pdu_decode(b, sizeof(b), &pdu, &used, NULL), RTRMOD_ETRUNC);
	ck_assert_uint_eq(used, RTRMOD_PDU_MAX_LEN_DEFAULT);
	/* 8210bis-27 §5.1: in v2 no PDU exceeds 65535 octets. */
	b[0] = 2;
	put32(b + 4, 65536);
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 8);
	b[1] = RTRMOD_PDU_ASPA;
	put32(b + 4, 65536);
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 8);
}
END_TEST

/* A v1 Error Report of the largest size the default cap allows decodes. */
START_TEST(test_largest_error_report)
{
	size_t len = RTRMOD_PDU_MAX_LEN_DEFAULT, used = 0;
	uint8_t *b = calloc(1, len);
	struct rtrmod_pdu pdu;

	ck_assert_ptr_nonnull(b);
	b[0] = 1;
	b[1] = RTRMOD_PDU_ERROR_REPORT;
	put32(b + 4, (uint32_t)len);
	put32(b + 8, 0);
	put32(b + 12, (uint32_t)len - 16);
	memset(b + 16, 'x', len - 16);
	ck_assert_int_eq(rtrmod_pdu_decode(b, len, &pdu, &used, NULL), 0);
	ck_assert_uint_eq(pdu.u.error.text.len, len - 16);
	ck_assert_uint_eq(rtrmod_pdu_encoded_len(&pdu), len);
	free(b);
}
END_TEST

START_TEST(test_router_key_lengths)
{
	uint8_t b[64] = {1, RTRMOD_PDU_ROUTER_KEY, 1, 0};
	struct rtrmod_pdu pdu;
	size_t used;

	/* 8 + 20 + 4 and no SPKI (RFC 8210 §5.10: the key is the payload). */
	put32(b + 4, 32);
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 8);
	put32(b + 4, 31);
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 8);
	put32(b + 4, 8);
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 8);
	put32(b + 4, 33);
	ck_assert_int_eq(rtrmod_pdu_decode(b, 33, &pdu, &used, NULL), 0);
	ck_assert_uint_eq(pdu.u.router_key.spki.len, 1);
}
END_TEST

START_TEST(test_aspa_lengths)
{
	uint8_t b[64] = {2, RTRMOD_PDU_ASPA, 1, 0};
	struct rtrmod_pdu pdu;
	size_t used;

	/* 8210bis-27 §5.12: 12 + 4n exactly. */
	for (uint32_t len = 13; len < 28; len++) {
		put32(b + 4, len);
		if ((len - 12) % 4 == 0) {
			ck_assert_int_eq(rtrmod_pdu_decode(b, sizeof(b), &pdu, &used, NULL), 0);
			ck_assert_uint_eq(pdu.u.aspa.provider_count, (len - 12) / 4);
		} else {
			expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, len);
		}
	}
	put32(b + 4, 11);
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 8);
	put32(b + 4, 8);
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 8);
}
END_TEST

/* RFC 8210 §5.11: the inner lengths must fit and fill the PDU exactly. */
START_TEST(test_error_report_inner_lengths)
{
	uint8_t b[64];
	struct rtrmod_pdu pdu;
	size_t used;

	memset(b, 'a', sizeof(b));
	b[0] = 1;
	b[1] = RTRMOD_PDU_ERROR_REPORT;
	b[2] = 0;
	b[3] = 0;
	put32(b + 4, 40);

	put32(b + 8, 8); /* encapsulated 8, text 16: 16 + 8 + 16 = 40 */
	put32(b + 20, 16);
	ck_assert_int_eq(rtrmod_pdu_decode(b, sizeof(b), &pdu, &used, NULL), 0);
	ck_assert_uint_eq(used, 40);

	put32(b + 20, 15); /* text one short: a byte left over */
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 40);
	put32(b + 20, 17); /* text one long: past the PDU, not into the next */
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 40);
	put32(b + 20, 0xffffffffu);
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 40);

	put32(b + 8, 25); /* encapsulated PDU leaves no room for the text length */
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 40);
	put32(b + 8, 29); /* encapsulated PDU longer than the Error Report */
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 40);
	put32(b + 8, 0xfffffff0u); /* no wrap-around either */
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 40);

	put32(b + 8, 24); /* all encapsulated PDU, empty text */
	put32(b + 36, 0);
	ck_assert_int_eq(rtrmod_pdu_decode(b, sizeof(b), &pdu, &used, NULL), 0);
	ck_assert_uint_eq(pdu.u.error.pdu.len, 24);
	ck_assert_uint_eq(pdu.u.error.text.len, 0);

	put32(b + 4, 15); /* shorter than the two length fields */
	expect_decode_error(b, sizeof(b), RTRMOD_RTR_CORRUPT_DATA, 8);
	put32(b + 4, 16);
	put32(b + 8, 0);
	put32(b + 12, 0);
	ck_assert_int_eq(rtrmod_pdu_decode(b, 16, &pdu, &used, NULL), 0);
	ck_assert_uint_eq(pdu.u.error.pdu.len, 0);
}
END_TEST

/* RFC 8210 §5: zero fields are ignored on receipt; decode reports them. */
START_TEST(test_reserved_fields_are_reported)
{
	uint8_t prefix[20] = {
	    1, RTRMOD_PDU_IPV4_PREFIX, 0, 0, 0, 0, 0, 20, 1, 24, 24, 0x40, 192, 0, 2, 0, 0, 0, 0,
	    1};
	uint8_t reset[8] = {2, RTRMOD_PDU_RESET_QUERY, 0x80, 0x01, 0, 0, 0, 8};
	uint8_t aspa[12] = {2, RTRMOD_PDU_ASPA, 0, 0xff, 0, 0, 0, 12, 0, 0, 0, 1};
	uint8_t out[32];
	struct rtrmod_pdu pdu;
	size_t used, written;

	ck_assert_int_eq(rtrmod_pdu_decode(prefix, 20, &pdu, &used, NULL), 0);
	ck_assert_uint_ne(pdu.reserved, 0);
	/* Encoding always sends zero (RFC 8210 §5). */
	ck_assert_int_eq(rtrmod_pdu_encode(&pdu, out, sizeof(out), &written), 0);
	ck_assert_uint_eq(out[11], 0);
	prefix[11] = 0;
	ck_assert_mem_eq(out, prefix, 20);

	ck_assert_int_eq(rtrmod_pdu_decode(reset, 8, &pdu, &used, NULL), 0);
	ck_assert_uint_eq(pdu.reserved, 0x8001);
	ck_assert_int_eq(rtrmod_pdu_encode(&pdu, out, sizeof(out), &written), 0);
	ck_assert_uint_eq(out[2], 0);
	ck_assert_uint_eq(out[3], 0);

	ck_assert_int_eq(rtrmod_pdu_decode(aspa, 12, &pdu, &used, NULL), 0);
	ck_assert_uint_eq(pdu.reserved, 0xff);
	ck_assert_uint_eq(pdu.u.aspa.flags, 0);
}
END_TEST

START_TEST(test_decode_arguments)
{
	uint8_t b[8] = {1, RTRMOD_PDU_RESET_QUERY, 0, 0, 0, 0, 0, 8};
	struct rtrmod_pdu pdu;
	size_t used = 0;

	ck_assert_int_eq(rtrmod_pdu_decode(b, 8, NULL, &used, NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_pdu_decode(b, 8, &pdu, NULL, NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_pdu_decode(NULL, 8, &pdu, &used, NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_pdu_decode(NULL, 0, &pdu, &used, NULL), RTRMOD_ETRUNC);
	ck_assert_uint_eq(used, 8);
	/* A bad PDU with err NULL is still refused. */
	b[0] = 9;
	ck_assert_int_eq(rtrmod_pdu_decode(b, 8, &pdu, &used, NULL), RTRMOD_EPDU);
}
END_TEST

START_TEST(test_length_bounds)
{
	struct rtrmod_pdu_error err;
	uint32_t min = 0, max = 0;

	ck_assert_int_eq(rtrmod_pdu_length_bounds(0, RTRMOD_PDU_END_OF_DATA, 0, &min, &max, &err),
			 0);
	ck_assert_uint_eq(min, 12);
	ck_assert_uint_eq(max, 12);
	ck_assert_int_eq(rtrmod_pdu_length_bounds(1, RTRMOD_PDU_END_OF_DATA, 0, &min, &max, &err),
			 0);
	ck_assert_uint_eq(min, 24);
	ck_assert_uint_eq(max, 24);
	ck_assert_int_eq(rtrmod_pdu_length_bounds(2, RTRMOD_PDU_IPV6_PREFIX, 10, &min, &max, &err),
			 0);
	ck_assert_uint_eq(min, 32); /* the cap is for variable-length types only */
	ck_assert_uint_eq(max, 32);
	ck_assert_int_eq(rtrmod_pdu_length_bounds(1, RTRMOD_PDU_ROUTER_KEY, 0, &min, &max, &err),
			 0);
	ck_assert_uint_eq(min, 33);
	ck_assert_uint_eq(max, RTRMOD_PDU_MAX_LEN_DEFAULT);
	ck_assert_int_eq(
	    rtrmod_pdu_length_bounds(1, RTRMOD_PDU_ERROR_REPORT, 4096, &min, &max, &err), 0);
	ck_assert_uint_eq(min, 16);
	ck_assert_uint_eq(max, 4096);
	ck_assert_int_eq(
	    rtrmod_pdu_length_bounds(1, RTRMOD_PDU_ERROR_REPORT, 1u << 20, &min, &max, &err), 0);
	ck_assert_uint_eq(max, 1u << 20);
	ck_assert_int_eq(
	    rtrmod_pdu_length_bounds(2, RTRMOD_PDU_ERROR_REPORT, 1u << 20, &min, &max, &err), 0);
	ck_assert_uint_eq(max, 65535);
	ck_assert_int_eq(rtrmod_pdu_length_bounds(2, RTRMOD_PDU_ASPA, 0, &min, &max, &err), 0);
	ck_assert_uint_eq(min, 12);
	ck_assert_uint_eq(max, 65535);

	ck_assert_int_eq(rtrmod_pdu_length_bounds(3, 0, 0, &min, &max, &err), RTRMOD_EPDU);
	ck_assert_int_eq(err.code, RTRMOD_RTR_UNSUPPORTED_VERSION);
	ck_assert_int_eq(rtrmod_pdu_length_bounds(0, RTRMOD_PDU_ROUTER_KEY, 0, &min, &max, &err),
			 RTRMOD_EPDU);
	ck_assert_int_eq(err.code, RTRMOD_RTR_UNSUPPORTED_PDU_TYPE);
	ck_assert_int_eq(rtrmod_pdu_length_bounds(1, RTRMOD_PDU_ASPA, 0, &min, &max, &err),
			 RTRMOD_EPDU);
	ck_assert_int_eq(err.code, RTRMOD_RTR_UNSUPPORTED_PDU_TYPE);
	ck_assert_int_eq(rtrmod_pdu_length_bounds(2, 5, 0, &min, &max, &err), RTRMOD_EPDU);
	ck_assert_int_eq(err.code, RTRMOD_RTR_UNSUPPORTED_PDU_TYPE);
	ck_assert_uint_eq(err.pdu.len, 0);
}
END_TEST

/* ---- round trips -------------------------------------------------------------- */

static uint32_t rng_state = 12345;

static uint32_t
rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8 ^ rng_state << 13;
}

static const uint8_t types_v2[] = {
    RTRMOD_PDU_SERIAL_NOTIFY,  RTRMOD_PDU_SERIAL_QUERY, RTRMOD_PDU_RESET_QUERY,
    RTRMOD_PDU_CACHE_RESPONSE, RTRMOD_PDU_IPV4_PREFIX,  RTRMOD_PDU_IPV6_PREFIX,
    RTRMOD_PDU_END_OF_DATA,    RTRMOD_PDU_CACHE_RESET,  RTRMOD_PDU_ERROR_REPORT,
    RTRMOD_PDU_ROUTER_KEY,     RTRMOD_PDU_ASPA,
};

/* A random PDU that exists in its version; variable parts point into pool. */
static void
random_pdu(struct rtrmod_pdu *p, const uint8_t *pool, uint32_t *providers)
{
	memset(p, 0, sizeof(*p));
	p->version = (uint8_t)(rng() % 3);
	do
		p->type = types_v2[rng() % sizeof(types_v2)];
	while ((p->type == RTRMOD_PDU_ROUTER_KEY && p->version < 1) ||
	       (p->type == RTRMOD_PDU_ASPA && p->version < 2));
	switch (p->type) {
	case RTRMOD_PDU_SERIAL_NOTIFY:
	case RTRMOD_PDU_SERIAL_QUERY:
		p->u.serial.session_id = (uint16_t)rng();
		p->u.serial.serial = rng();
		break;
	case RTRMOD_PDU_CACHE_RESPONSE:
		p->u.cache_response.session_id = (uint16_t)rng();
		break;
	case RTRMOD_PDU_IPV4_PREFIX:
	case RTRMOD_PDU_IPV6_PREFIX:
		p->u.prefix.flags = (uint8_t)rng();
		p->u.prefix.prefix_len = (uint8_t)rng();
		p->u.prefix.max_len = (uint8_t)rng();
		p->u.prefix.asn = rng();
		for (size_t i = 0; i < (p->type == RTRMOD_PDU_IPV4_PREFIX ? 4u : 16u); i++)
			p->u.prefix.addr[i] = (uint8_t)rng();
		break;
	case RTRMOD_PDU_END_OF_DATA:
		p->u.eod.session_id = (uint16_t)rng();
		p->u.eod.serial = rng();
		if (p->version > 0) {
			p->u.eod.refresh = rng();
			p->u.eod.retry = rng();
			p->u.eod.expire = rng();
		}
		break;
	case RTRMOD_PDU_ROUTER_KEY:
		p->u.router_key.flags = (uint8_t)rng();
		p->u.router_key.asn = rng();
		memcpy(p->u.router_key.ski, pool + rng() % 64, 20);
		p->u.router_key.spki.ptr = pool + rng() % 64;
		p->u.router_key.spki.len = 1 + rng() % 300;
		break;
	case RTRMOD_PDU_ERROR_REPORT:
		p->u.error.code = (uint16_t)rng();
		p->u.error.pdu.ptr = pool + rng() % 64;
		p->u.error.pdu.len = rng() % 100;
		p->u.error.text.ptr = pool + rng() % 64;
		p->u.error.text.len = rng() % 200;
		break;
	case RTRMOD_PDU_ASPA:
		p->u.aspa.flags = (uint8_t)rng();
		p->u.aspa.customer_asn = rng();
		p->u.aspa.provider_count = rng() % 20;
		for (size_t i = 0; i < p->u.aspa.provider_count; i++)
			providers[i] = rng();
		p->u.aspa.providers = providers; /* host order in, network order out */
		break;
	}
}

static void
assert_same_pdu(const struct rtrmod_pdu *a, const struct rtrmod_pdu *b)
{
	ck_assert_uint_eq(a->version, b->version);
	ck_assert_uint_eq(a->type, b->type);
	ck_assert_uint_eq(b->reserved, 0);
	switch (a->type) {
	case RTRMOD_PDU_SERIAL_NOTIFY:
	case RTRMOD_PDU_SERIAL_QUERY:
		ck_assert_uint_eq(a->u.serial.session_id, b->u.serial.session_id);
		ck_assert_uint_eq(a->u.serial.serial, b->u.serial.serial);
		break;
	case RTRMOD_PDU_CACHE_RESPONSE:
		ck_assert_uint_eq(a->u.cache_response.session_id, b->u.cache_response.session_id);
		break;
	case RTRMOD_PDU_IPV4_PREFIX:
	case RTRMOD_PDU_IPV6_PREFIX:
		ck_assert_uint_eq(a->u.prefix.flags, b->u.prefix.flags);
		ck_assert_uint_eq(a->u.prefix.prefix_len, b->u.prefix.prefix_len);
		ck_assert_uint_eq(a->u.prefix.max_len, b->u.prefix.max_len);
		ck_assert_uint_eq(a->u.prefix.asn, b->u.prefix.asn);
		ck_assert_mem_eq(a->u.prefix.addr, b->u.prefix.addr, 16);
		break;
	case RTRMOD_PDU_END_OF_DATA:
		ck_assert_uint_eq(a->u.eod.session_id, b->u.eod.session_id);
		ck_assert_uint_eq(a->u.eod.serial, b->u.eod.serial);
		ck_assert_uint_eq(a->u.eod.refresh, b->u.eod.refresh);
		ck_assert_uint_eq(a->u.eod.retry, b->u.eod.retry);
		ck_assert_uint_eq(a->u.eod.expire, b->u.eod.expire);
		break;
	case RTRMOD_PDU_ROUTER_KEY:
		ck_assert_uint_eq(a->u.router_key.flags, b->u.router_key.flags);
		ck_assert_uint_eq(a->u.router_key.asn, b->u.router_key.asn);
		ck_assert_mem_eq(a->u.router_key.ski, b->u.router_key.ski, 20);
		ck_assert_uint_eq(a->u.router_key.spki.len, b->u.router_key.spki.len);
		ck_assert_mem_eq(a->u.router_key.spki.ptr, b->u.router_key.spki.ptr,
				 a->u.router_key.spki.len);
		break;
	case RTRMOD_PDU_ERROR_REPORT:
		ck_assert_uint_eq(a->u.error.code, b->u.error.code);
		ck_assert_uint_eq(a->u.error.pdu.len, b->u.error.pdu.len);
		ck_assert_uint_eq(a->u.error.text.len, b->u.error.text.len);
		if (a->u.error.pdu.len > 0)
			ck_assert_mem_eq(a->u.error.pdu.ptr, b->u.error.pdu.ptr,
					 a->u.error.pdu.len);
		if (a->u.error.text.len > 0)
			ck_assert_mem_eq(a->u.error.text.ptr, b->u.error.text.ptr,
					 a->u.error.text.len);
		break;
	case RTRMOD_PDU_ASPA:
		ck_assert_uint_eq(a->u.aspa.flags, b->u.aspa.flags);
		ck_assert_uint_eq(a->u.aspa.customer_asn, b->u.aspa.customer_asn);
		ck_assert_uint_eq(a->u.aspa.provider_count, b->u.aspa.provider_count);
		ck_assert_ptr_null(b->u.aspa.providers);
		for (size_t i = 0; i < a->u.aspa.provider_count; i++)
			ck_assert_uint_eq(rtrmod_pdu_aspa_provider(&a->u.aspa, i),
					  rtrmod_pdu_aspa_provider(&b->u.aspa, i));
		break;
	}
}

START_TEST(test_round_trips)
{
	static uint8_t pool[512];
	uint32_t providers[20];
	uint8_t buf[1024], again[1024];
	int seen[12] = {0};

	for (size_t i = 0; i < sizeof(pool); i++)
		pool[i] = (uint8_t)rng();
	for (int n = 0; n < 5000; n++) {
		struct rtrmod_pdu in, out, out2;
		size_t len, written, used, written2;

		random_pdu(&in, pool, providers);
		seen[in.type]++;
		len = rtrmod_pdu_encoded_len(&in);
		ck_assert_uint_gt(len, 0);
		ck_assert_int_eq(rtrmod_pdu_encode(&in, buf, sizeof(buf), &written), 0);
		ck_assert_uint_eq(written, len);
		ck_assert_int_eq(rtrmod_pdu_decode(buf, written, &out, &used, NULL), 0);
		ck_assert_uint_eq(used, written);
		assert_same_pdu(&in, &out);
		/* The decoded form (network-order providers) encodes the same. */
		ck_assert_int_eq(rtrmod_pdu_encode(&out, again, sizeof(again), &written2), 0);
		ck_assert_uint_eq(written2, written);
		ck_assert_mem_eq(again, buf, written);
		ck_assert_int_eq(rtrmod_pdu_decode(again, written2, &out2, &used, NULL), 0);
	}
	for (size_t t = 0; t < sizeof(types_v2); t++)
		ck_assert_int_gt(seen[types_v2[t]], 50);
}
END_TEST

/* ---- encoding limits ---------------------------------------------------------- */

START_TEST(test_encode_refuses_what_cannot_exist)
{
	static const uint8_t spki[4] = {1, 2, 3, 4};
	struct rtrmod_pdu pdu;
	uint8_t buf[64];
	size_t written;

	memset(&pdu, 0, sizeof(pdu));
	pdu.type = RTRMOD_PDU_ROUTER_KEY;
	pdu.u.router_key.spki.ptr = spki;
	pdu.u.router_key.spki.len = sizeof(spki);
	pdu.version = 0; /* no Router Key in v0 */
	ck_assert_uint_eq(rtrmod_pdu_encoded_len(&pdu), 0);
	ck_assert_int_eq(rtrmod_pdu_encode(&pdu, buf, sizeof(buf), &written), RTRMOD_EINVAL);
	pdu.version = 1;
	ck_assert_int_eq(rtrmod_pdu_encode(&pdu, buf, sizeof(buf), &written), 0);
	ck_assert_uint_eq(written, 36);
	pdu.u.router_key.spki.len = 0; /* a Router Key needs its key */
	ck_assert_int_eq(rtrmod_pdu_encode(&pdu, buf, sizeof(buf), &written), RTRMOD_EINVAL);
	pdu.u.router_key.spki.len = 4;
	pdu.u.router_key.spki.ptr = NULL;
	ck_assert_int_eq(rtrmod_pdu_encode(&pdu, buf, sizeof(buf), &written), RTRMOD_EINVAL);

	memset(&pdu, 0, sizeof(pdu));
	pdu.type = RTRMOD_PDU_ASPA;
	pdu.version = 1; /* no ASPA before v2 */
	ck_assert_int_eq(rtrmod_pdu_encode(&pdu, buf, sizeof(buf), &written), RTRMOD_EINVAL);
	pdu.version = 2;
	ck_assert_int_eq(rtrmod_pdu_encode(&pdu, buf, sizeof(buf), &written), 0);
	ck_assert_uint_eq(written, 12);
	pdu.u.aspa.provider_count = 2; /* no provider list */
	ck_assert_int_eq(rtrmod_pdu_encode(&pdu, buf, sizeof(buf), &written), RTRMOD_EINVAL);
	pdu.u.aspa.provider_count = 16381; /* 12 + 4 * 16381 > 65535 */
	pdu.u.aspa.providers_be = buf;
	ck_assert_uint_eq(rtrmod_pdu_encoded_len(&pdu), 0);

	pdu.version = 3;
	pdu.type = RTRMOD_PDU_RESET_QUERY;
	ck_assert_int_eq(rtrmod_pdu_encode(&pdu, buf, sizeof(buf), &written), RTRMOD_EINVAL);
	pdu.version = 1;
	pdu.type = 5;
	ck_assert_int_eq(rtrmod_pdu_encode(&pdu, buf, sizeof(buf), &written), RTRMOD_EINVAL);
	pdu.type = RTRMOD_PDU_RESET_QUERY;
	ck_assert_int_eq(rtrmod_pdu_encode(&pdu, buf, sizeof(buf), NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_pdu_encode(&pdu, NULL, sizeof(buf), &written), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_pdu_encode(NULL, buf, sizeof(buf), &written), RTRMOD_EINVAL);
	ck_assert_uint_eq(rtrmod_pdu_encoded_len(NULL), 0);
}
END_TEST

START_TEST(test_encode_error_report_limits)
{
	size_t big = 70000, written;
	uint8_t *text = calloc(1, big);
	uint8_t buf[64];
	struct rtrmod_pdu pdu;

	memset(&pdu, 0, sizeof(pdu));
	pdu.version = 1;
	pdu.type = RTRMOD_PDU_ERROR_REPORT;
	pdu.u.error.text.ptr = text;
	pdu.u.error.text.len = RTRMOD_PDU_MAX_LEN_DEFAULT - 16;
	ck_assert_uint_eq(rtrmod_pdu_encoded_len(&pdu), RTRMOD_PDU_MAX_LEN_DEFAULT);
	pdu.u.error.text.len++;
	ck_assert_uint_eq(rtrmod_pdu_encoded_len(&pdu), 0);
	pdu.version = 2; /* 65535 at most */
	pdu.u.error.text.len = 65535 - 16;
	ck_assert_uint_eq(rtrmod_pdu_encoded_len(&pdu), 65535);
	pdu.u.error.text.len++;
	ck_assert_int_eq(rtrmod_pdu_encode(&pdu, buf, sizeof(buf), &written), RTRMOD_EINVAL);
	pdu.u.error.text.len = big;
	pdu.u.error.pdu.len = SIZE_MAX - 10; /* no overflow in the sum */
	pdu.u.error.pdu.ptr = text;
	ck_assert_uint_eq(rtrmod_pdu_encoded_len(&pdu), 0);
	pdu.u.error.pdu.len = 8;
	pdu.u.error.pdu.ptr = NULL; /* claims bytes it does not point at */
	pdu.u.error.text.len = 0;
	ck_assert_uint_eq(rtrmod_pdu_encoded_len(&pdu), 0);
	free(text);
}
END_TEST

/* ENOSPC at every short capacity, with nothing written past it. */
START_TEST(test_encode_enospc_never_writes_past_cap)
{
	static const uint8_t spki[91] = {0x30, 0x59};
	struct rtrmod_pdu pdu;
	uint8_t buf[200];
	size_t written = 777, need;

	memset(&pdu, 0, sizeof(pdu));
	pdu.version = 1;
	pdu.type = RTRMOD_PDU_ROUTER_KEY;
	pdu.u.router_key.spki.ptr = spki;
	pdu.u.router_key.spki.len = sizeof(spki);
	need = rtrmod_pdu_encoded_len(&pdu);
	ck_assert_uint_eq(need, 123);
	for (size_t cap = 0; cap < need; cap++) {
		memset(buf, 0xee, sizeof(buf));
		ck_assert_int_eq(rtrmod_pdu_encode(&pdu, buf, cap, &written), RTRMOD_ENOSPC);
		ck_assert_uint_eq(written, 777);
		for (size_t i = cap; i < sizeof(buf); i++)
			ck_assert_uint_eq(buf[i], 0xee);
	}
	ck_assert_int_eq(rtrmod_pdu_encode(&pdu, buf, need, &written), 0);
	ck_assert_uint_eq(written, need);
	ck_assert_uint_eq(buf[need], 0xee);
}
END_TEST

START_TEST(test_aspa_provider_forms)
{
	static const uint32_t host[] = {10, 20, 4200000000u};
	static const uint8_t be[] = {0, 0, 0, 10, 0, 0, 0, 20, 0xfa, 0x56, 0xea, 0x00};
	struct rtrmod_pdu_aspa a = {.provider_count = 3, .providers = host};

	ck_assert_uint_eq(rtrmod_pdu_aspa_provider(&a, 2), 4200000000u);
	a.providers = NULL;
	a.providers_be = be;
	ck_assert_uint_eq(rtrmod_pdu_aspa_provider(&a, 0), 10);
	ck_assert_uint_eq(rtrmod_pdu_aspa_provider(&a, 2), 4200000000u);
	ck_assert_uint_eq(rtrmod_pdu_aspa_provider(&a, 3), 0);
	a.providers_be = NULL;
	ck_assert_uint_eq(rtrmod_pdu_aspa_provider(&a, 0), 0);
	ck_assert_uint_eq(rtrmod_pdu_aspa_provider(NULL, 0), 0);
}
END_TEST

/* ---- names and format --------------------------------------------------------- */

START_TEST(test_names)
{
	ck_assert_str_eq(rtrmod_pdu_type_name(RTRMOD_PDU_SERIAL_NOTIFY), "Serial Notify");
	ck_assert_str_eq(rtrmod_pdu_type_name(RTRMOD_PDU_END_OF_DATA), "End of Data");
	ck_assert_str_eq(rtrmod_pdu_type_name(RTRMOD_PDU_ROUTER_KEY), "Router Key");
	ck_assert_str_eq(rtrmod_pdu_type_name(RTRMOD_PDU_ASPA), "ASPA");
	ck_assert_str_eq(rtrmod_pdu_type_name(5), "unknown");
	ck_assert_str_eq(rtrmod_pdu_type_name(12), "unknown");
	ck_assert_str_eq(rtrmod_pdu_type_name(1000000), "unknown");
	ck_assert_str_eq(rtrmod_rtr_error_name(RTRMOD_RTR_CORRUPT_DATA), "Corrupt Data");
	ck_assert_str_eq(rtrmod_rtr_error_name(RTRMOD_RTR_UNEXPECTED_VERSION),
			 "Unexpected Protocol Version");
	ck_assert_str_eq(rtrmod_rtr_error_name(RTRMOD_RTR_ASPA_PROVIDER_LIST_ERROR),
			 "ASPA Provider List Error");
	ck_assert_str_eq(rtrmod_rtr_error_name(RTRMOD_RTR_CACHE_SHUTDOWN), "Cache Shutdown");
	ck_assert_str_eq(rtrmod_rtr_error_name(14), "unknown");
	ck_assert_str_eq(rtrmod_rtr_error_name(255), "unknown");
	for (unsigned t = 0; t < 256; t++)
		ck_assert_ptr_nonnull(rtrmod_pdu_type_name(t));
}
END_TEST

static void
check_format(const char *vector, const char *want)
{
	struct rtrmod_pdu pdu;
	char line[512];
	size_t len;
	uint8_t *bytes = decode_vector(vector, &pdu, &len);
	int n = rtrmod_pdu_format(&pdu, line, sizeof(line));

	ck_assert_str_eq(line, want);
	ck_assert_int_eq(n, (int)strlen(want));
	free(bytes);
}

START_TEST(test_format_lines)
{
	check_format("ipv4_prefix_v0.hex",
		     "v0 IPv4 Prefix announce 192.0.2.0/24 maxlen 24 AS64496");
	check_format("ipv6_prefix_v1.hex",
		     "v1 IPv6 Prefix withdraw 2001:db8:1234::/48 maxlen 64 AS65551");
	check_format("end_of_data_v0.hex", "v0 End of Data session 258 serial 42");
	check_format("end_of_data_v1.hex", "v1 End of Data session 48879 serial 2147483649 "
					   "refresh 3600 retry 600 expire 7200");
	check_format("serial_query_v2.hex", "v2 Serial Query session 1 serial 0");
	check_format("cache_reset_v1.hex", "v1 Cache Reset");
	check_format("router_key_v1.hex", "v1 Router Key announce AS64496 ski "
					  "121bb08200c40d747d3b185579ca77f1e06b7585 spki 91 bytes");
	check_format("error_report_v1.hex", "v1 Error Report Corrupt Data (0) pdu [v1 IPv4 "
					    "Prefix, 20 bytes] text \"max length 33 > 32\"");
	check_format("aspa_v2.hex",
		     "v2 ASPA announce customer AS64496 providers AS64497,AS65000,AS4200000000");
	check_format("aspa_withdraw_v2.hex", "v2 ASPA withdraw customer AS64496");
}
END_TEST

/* A peer's text: control characters, an ANSI escape, a NUL, quotes, UTF-8,
 * no terminating NUL, and far too long.  It comes out escaped and cut. */
START_TEST(test_format_hostile_error_text)
{
	static const char evil[] = "a\"b\\c\nd\re\tf\x1b[31mg\x7f\xc3\xa9";
	size_t evil_len = sizeof(evil) - 1 + 1; /* and the NUL after it */
	uint8_t text[1000];
	char line[2048], small[16];
	struct rtrmod_pdu pdu;
	int n;

	memset(text, 'Z', sizeof(text));
	memcpy(text, evil, evil_len);
	memset(&pdu, 0, sizeof(pdu));
	pdu.version = 1;
	pdu.type = RTRMOD_PDU_ERROR_REPORT;
	pdu.u.error.code = 1;
	pdu.u.error.text.ptr = text;
	pdu.u.error.text.len = 23; /* through the NUL and two Zs */
	n = rtrmod_pdu_format(&pdu, line, sizeof(line));
	ck_assert_str_eq(line, "v1 Error Report Internal Error (1) text "
			       "\"a\\\"b\\\\c\\nd\\x0de\\tf\\x1b[31mg\\x7f\\xc3\\xa9\\x00ZZ\"");
	ck_assert_int_eq(n, (int)strlen(line));

	pdu.u.error.text.len = sizeof(text); /* bounded: 256 bytes shown */
	n = rtrmod_pdu_format(&pdu, line, sizeof(line));
	ck_assert_int_eq(n, (int)strlen(line));
	ck_assert_ptr_nonnull(strstr(line, "ZZ\"... (1000 bytes)"));
	ck_assert_uint_lt(strlen(line), 500);
	for (size_t i = 0; line[i] != '\0'; i++)
		ck_assert(line[i] >= 0x20 && line[i] < 0x7f);

	/* snprintf's contract: cut and terminated, full length returned. */
	memset(small, 'x', sizeof(small));
	ck_assert_int_eq(rtrmod_pdu_format(&pdu, small, sizeof(small)), n);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	ck_assert_int_eq(rtrmod_pdu_format(&pdu, NULL, 0), n);
	ck_assert_int_eq(rtrmod_pdu_format(&pdu, small, 1), n);
	ck_assert_str_eq(small, "");
}
END_TEST

START_TEST(test_format_odd_pdus)
{
	struct rtrmod_pdu pdu;
	char line[256];
	uint32_t many[40];

	memset(&pdu, 0, sizeof(pdu));
	pdu.version = 7;
	pdu.type = 1;
	rtrmod_pdu_format(&pdu, line, sizeof(line));
	ck_assert_str_eq(line, "v7 type 1 (unknown)");
	pdu.version = 1;
	pdu.type = 99;
	rtrmod_pdu_format(&pdu, line, sizeof(line));
	ck_assert_str_eq(line, "v1 type 99 (unknown)");
	pdu.type = RTRMOD_PDU_IPV4_PREFIX;
	pdu.u.prefix.flags = 0x81;
	pdu.u.prefix.prefix_len = 40;
	pdu.u.prefix.max_len = 8;
	pdu.reserved = 0x12;
	rtrmod_pdu_format(&pdu, line, sizeof(line));
	ck_assert_str_eq(
	    line, "v1 IPv4 Prefix announce flags 0x81 0.0.0.0/40 maxlen 8 AS0 reserved 0x12");
	memset(&pdu, 0, sizeof(pdu));
	pdu.version = 2;
	pdu.type = RTRMOD_PDU_ASPA;
	pdu.u.aspa.flags = 1;
	pdu.u.aspa.provider_count = 40;
	for (uint32_t i = 0; i < 40; i++)
		many[i] = i + 1;
	pdu.u.aspa.providers = many;
	rtrmod_pdu_format(&pdu, line, sizeof(line));
	ck_assert_ptr_nonnull(strstr(line, "AS15,AS16,... (40 in all)"));
	ck_assert_ptr_null(strstr(line, "AS17"));
	ck_assert_int_gt(rtrmod_pdu_format(NULL, line, sizeof(line)), 0);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("pdu");
	TCase *golden = tcase_create("golden");
	TCase *bad = tcase_create("malformed");
	TCase *codec = tcase_create("codec");
	TCase *text = tcase_create("text");

	tcase_add_test(golden, test_golden_serial_notify_and_query);
	tcase_add_test(golden, test_golden_header_only_pdus);
	tcase_add_test(golden, test_golden_prefixes);
	tcase_add_test(golden, test_golden_end_of_data);
	tcase_add_test(golden, test_golden_router_key);
	tcase_add_test(golden, test_golden_error_reports);
	tcase_add_test(golden, test_golden_aspa);
	tcase_add_test(golden, test_golden_truncations_and_validity);
	suite_add_tcase(s, golden);

	tcase_add_test(bad, test_bad_version);
	tcase_add_test(bad, test_unknown_and_out_of_version_types);
	tcase_add_test(bad, test_wrong_fixed_lengths);
	tcase_add_test(bad, test_huge_length_is_corrupt_not_truncated);
	tcase_add_test(bad, test_largest_error_report);
	tcase_add_test(bad, test_router_key_lengths);
	tcase_add_test(bad, test_aspa_lengths);
	tcase_add_test(bad, test_error_report_inner_lengths);
	tcase_add_test(bad, test_reserved_fields_are_reported);
	tcase_add_test(bad, test_decode_arguments);
	suite_add_tcase(s, bad);

	tcase_add_test(codec, test_length_bounds);
	tcase_add_test(codec, test_round_trips);
	tcase_add_test(codec, test_encode_refuses_what_cannot_exist);
	tcase_add_test(codec, test_encode_error_report_limits);
	tcase_add_test(codec, test_encode_enospc_never_writes_past_cap);
	tcase_add_test(codec, test_aspa_provider_forms);
	suite_add_tcase(s, codec);

	tcase_add_test(text, test_names);
	tcase_add_test(text, test_format_lines);
	tcase_add_test(text, test_format_hostile_error_text);
	tcase_add_test(text, test_format_odd_pdus);
	suite_add_tcase(s, text);
	return s;
}

CHECK_MAIN()
