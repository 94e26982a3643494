/*
 * check_slurm.c: loading SLURM files (RFC 8416 §3, slurmVersion 2 of
 * draft-ietf-sidrops-aspa-slurm): the public fixtures of tests/data/slurm
 * (see its README), every validation fault with its exact message and
 * JSON path, the §4.2 conflicts between files, the all-or-nothing reload
 * of a list, and allocation failures.  Applying is check_slurm_apply.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtrmod/slurm.h>

#include "check_main.h"
#include "test_alloc.h"

#define SLURM TEST_DATA_DIR "/slurm/"

struct fixture {
	struct rtrmod_ctx *ctx;
	struct rtrmod_slurm *slurm;
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
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &f->ctx), 0);
	rtrmod_ctx_set_log(f->ctx, quiet_log, NULL, RTRMOD_LOG_DEBUG);
	ck_assert_int_eq(rtrmod_slurm_new(f->ctx, &f->slurm), 0);
}

static void
fx_close(struct fixture *f)
{
	rtrmod_slurm_free(f->slurm);
	rtrmod_ctx_free(f->ctx);
}

/* A SLURM document; NULL ASPA lists are left out. */
static const char *
doc(char *buf, size_t size, int version, const char *pf, const char *kf, const char *af,
    const char *pa, const char *ka, const char *aa)
{
	char aspa_f[256] = "", aspa_a[256] = "";

	if (af != NULL)
		snprintf(aspa_f, sizeof(aspa_f), ", \"aspaFilters\": %s", af);
	if (aa != NULL)
		snprintf(aspa_a, sizeof(aspa_a), ", \"aspaAssertions\": %s", aa);
	snprintf(
	    buf, size,
	    "{\"slurmVersion\": %d,\n"
	    " \"validationOutputFilters\": {\"prefixFilters\": %s, \"bgpsecFilters\": %s%s},\n"
	    " \"locallyAddedAssertions\": {\"prefixAssertions\": %s, \"bgpsecAssertions\": %s%s}"
	    "}\n",
	    version, pf, kf, aspa_f, pa, ka, aspa_a);
	return buf;
}

static int
load_text(struct fixture *f, const char *name, const char *text)
{
	return rtrmod_slurm_load_buffer(f->slurm, name, text, strlen(text));
}

/* ---- fixtures ----------------------------------------------------------- */

/* The valid public examples load, each on its own, with their counts. */
START_TEST(test_fixtures_valid)
{
	static const struct {
		const char *file;
		size_t pf, kf, af, pa, ka, aa;
	} ok[] = {
	    {"rpki-rs_full.json", 3, 3, 0, 2, 1, 0},
	    {"rpki-rs_full_v2.json", 3, 3, 1, 2, 1, 1},
	    {"routinator_empty.json", 0, 0, 0, 0, 0, 0},
	    {"fort_demo.slurm.json", 3, 1, 0, 2, 0, 0},
	    /* StayRTR's version 2 example with its SKIs and key in base64url:
	     * version 2 with BGPsec and without ASPA lists is valid. */
	    {"stayrtr_slurm_base64url.json", 3, 3, 0, 2, 1, 0},
	};
	struct fixture f;

	fx_open(&f);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char path[512];

		snprintf(path, sizeof(path), SLURM "%s", ok[i].file);
		rtrmod_slurm_clear(f.slurm);
		ck_assert_msg(rtrmod_slurm_load_file(f.slurm, path) == 0, "%s: %s", ok[i].file,
			      rtrmod_slurm_error(f.slurm));
		ck_assert_str_eq(rtrmod_slurm_error(f.slurm), "");
		ck_assert_uint_eq(rtrmod_slurm_file_count(f.slurm), 1);
		ck_assert_str_eq(rtrmod_slurm_file_name(f.slurm, 0), path);
		ck_assert_uint_eq(rtrmod_slurm_rules(f.slurm, RTRMOD_SOURCE_VRP, false), ok[i].pf);
		ck_assert_uint_eq(rtrmod_slurm_rules(f.slurm, RTRMOD_SOURCE_ROUTER_KEY, false),
				  ok[i].kf);
		ck_assert_uint_eq(rtrmod_slurm_rules(f.slurm, RTRMOD_SOURCE_ASPA, false), ok[i].af);
		ck_assert_uint_eq(rtrmod_slurm_rules(f.slurm, RTRMOD_SOURCE_VRP, true), ok[i].pa);
		ck_assert_uint_eq(rtrmod_slurm_rules(f.slurm, RTRMOD_SOURCE_ROUTER_KEY, true),
				  ok[i].ka);
		ck_assert_uint_eq(rtrmod_slurm_rules(f.slurm, RTRMOD_SOURCE_ASPA, true), ok[i].aa);
	}
	fx_close(&f);
}
END_TEST

/* The public examples that RFC 8416 refuses, and why. */
START_TEST(test_fixtures_invalid)
{
	static const struct {
		const char *file, *error;
	} bad[] = {
	    /* Routinator's placeholders "Zm9v" and "YmFy" are 3 bytes; the
	     * bad maxPrefixLength comes later in the file than this. */
	    {"routinator_full.json", "validationOutputFilters.bgpsecFilters[1].SKI: decodes to 3 "
				     "bytes; a SKI is 20 (RFC 6487 §4.8.2)"},
	    {"routinator_bad_maxlen.json", "validationOutputFilters.bgpsecFilters[1].SKI: decodes "
					   "to 3 bytes; a SKI is 20 (RFC 6487 §4.8.2)"},
	    /* GoRTR's (and StayRTR's) test file leaves out bgpsecAssertions. */
	    {"gortr_test.slurm.json", "locallyAddedAssertions.bgpsecAssertions: missing (RFC 8416 "
				      "§3.2 requires it: [] for none)"},
	    /* StayRTR's version 2 example: standard base64 with padding (and
	     * a 16-byte SKI), where RFC 8416 asks for base64url without '='. */
	    {"stayrtr_slurm.json", "validationOutputFilters.bgpsecFilters[1].SKI: base64url "
				   "without trailing '=' is required (RFC 8416, RFC 4648 §5)"},
	};
	struct fixture f;
	char path[512], want[1024];

	fx_open(&f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), SLURM "%s", bad[i].file);
		snprintf(want, sizeof(want), "%s: %s", path, bad[i].error);
		ck_assert_int_eq(rtrmod_slurm_load_file(f.slurm, path), RTRMOD_EPARSE);
		ck_assert_str_eq(rtrmod_slurm_error(f.slurm), want);
		ck_assert_uint_eq(rtrmod_slurm_file_count(f.slurm), 0);
	}
	fx_close(&f);
}
END_TEST

/* ---- validation faults -------------------------------------------------- */

static const struct {
	const char *file, *error;
} invalid[] = {
    {"01_not_json.json", "line 3, column 27: '}' expected"},
    {"02_top_array.json", "top level: not a JSON object (RFC 8416 §3.2)"},
    {"03_no_version.json", "slurmVersion: missing (RFC 8416 §3.2)"},
    {"04_version_string.json", "slurmVersion: not an integer"},
    {"05_version_3.json",
     "slurmVersion: 3 is not a known version (1: RFC 8416; 2: draft-ietf-sidrops-aspa-slurm)"},
    {"06_unknown_top.json", "slurmTarget: unknown member (RFC 8416 §3.2)"},
    {"07_missing_bgpsec_filters.json",
     "validationOutputFilters.bgpsecFilters: missing (RFC 8416 §3.2 requires it: [] for none)"},
    {"08_filters_not_array.json", "validationOutputFilters.prefixFilters: not an array"},
    {"09_filter_empty.json", "validationOutputFilters.prefixFilters[1]: needs \"prefix\", "
			     "\"asn\" or both (RFC 8416 §3.3.1)"},
    {"10_filter_host_bits.json", "validationOutputFilters.prefixFilters[0].prefix: "
				 "\"198.51.100.6/24\": host bits set past the length"},
    {"11_filter_maxlen.json",
     "validationOutputFilters.prefixFilters[0].maxPrefixLength: unknown member (RFC 8416 §3.2)"},
    {"12_asn_string.json", "validationOutputFilters.prefixFilters[0].asn: not an AS number (an "
			   "integer 0..4294967295)"},
    {"13_asn_range.json", "validationOutputFilters.bgpsecFilters[0].asn: 4294967296 is out of "
			  "the AS range 0..4294967295"},
    {"14_maxlen_short.json", "locallyAddedAssertions.prefixAssertions[0].maxPrefixLength: 20 is "
			     "less than the prefix length 24"},
    {"15_maxlen_long.json", "locallyAddedAssertions.prefixAssertions[1].maxPrefixLength: 129 is "
			    "more than the address length 128"},
    {"16_prefix_too_long.json",
     "locallyAddedAssertions.prefixAssertions[0].prefix: \"10.0.0.0/33\": longer than the address"},
    {"17_ski_short.json",
     "validationOutputFilters.bgpsecFilters[0].SKI: decodes to 3 bytes; a SKI is 20 (RFC 6487 "
     "§4.8.2)"},
    {"18_ski_padded.json", "validationOutputFilters.bgpsecFilters[0].SKI: base64url without "
			   "trailing '=' is required (RFC 8416, RFC 4648 §5)"},
    {"19_ski_std_alphabet.json", "validationOutputFilters.bgpsecFilters[0].SKI: '+' is not "
				 "base64url: RFC 4648 §5 uses '-' and '_'"},
    {"20_key_missing.json", "locallyAddedAssertions.bgpsecAssertions[0].routerPublicKey: missing"},
    {"21_comment_number.json", "locallyAddedAssertions.prefixAssertions[0].comment: not a string"},
    {"22_aspa_in_v1.json", "validationOutputFilters.aspaFilters: ASPA members need "
			   "\"slurmVersion\": 2 (draft-ietf-sidrops-aspa-slurm)"},
    {"23_aspa_self_provider.json", "locallyAddedAssertions.aspaAssertions[0].providerAsns[1]: "
				   "the customer AS 64496 cannot be its own provider"},
    {"24_aspa_no_providers.json", "locallyAddedAssertions.aspaAssertions[0].providerAsns: an "
				  "ASPA lists at least one provider AS"},
    {"25_duplicate_key.json", "line 4, column 42: duplicate object key near '\"asn\"'"},
    {"26_entry_not_object.json", "validationOutputFilters.prefixFilters[0]: not an object"},
    {"27_assertion_unknown.json",
     "locallyAddedAssertions.prefixAssertions[0].treatLevel: unknown member (RFC 8416 §3.2)"},
    {"28_aspa_filter_member.json",
     "validationOutputFilters.aspaFilters[0].customerAsn: unknown member (RFC 8416 §3.2)"},
    {"29_key_empty.json", "locallyAddedAssertions.bgpsecAssertions[0].routerPublicKey: empty"},
    {"30_section_not_object.json", "locallyAddedAssertions: not an object"},
};

/* Each hand-written invalid file: refused whole, "FILE: PATH: what". */
START_TEST(test_invalid_file)
{
	struct fixture f;
	char path[512], want[1024];

	fx_open(&f);
	snprintf(path, sizeof(path), SLURM "invalid/%s", invalid[_i].file);
	snprintf(want, sizeof(want), "%s: %s", path, invalid[_i].error);
	ck_assert_int_eq(rtrmod_slurm_load_file(f.slurm, path), RTRMOD_EPARSE);
	ck_assert_str_eq(rtrmod_slurm_error(f.slurm), want);
	ck_assert_uint_eq(rtrmod_slurm_file_count(f.slurm), 0);
	fx_close(&f);
}
END_TEST

/* Faults found in buffers: names, odd values, and what is still fine. */
START_TEST(test_buffer_faults)
{
	struct fixture f;
	char d[1024];

	fx_open(&f);
	ck_assert_int_eq(rtrmod_slurm_load_buffer(f.slurm, NULL, NULL, 0), RTRMOD_EPARSE);
	ck_assert_ptr_nonnull(strstr(rtrmod_slurm_error(f.slurm), "<buffer>: line 1"));
	/* Control bytes in a member name are not copied into the message. */
	ck_assert_int_eq(load_text(&f, "ctl", "{\"slurm\\u0007Version\": 1}"), RTRMOD_EPARSE);
	ck_assert_str_eq(rtrmod_slurm_error(f.slurm),
			 "ctl: slurm?Version: unknown member (RFC 8416 §3.2)");
	doc(d, sizeof(d), 1, "[{\"asn\": 64496.0}]", "[]", NULL, "[]", "[]", NULL);
	ck_assert_int_eq(load_text(&f, "real", d), RTRMOD_EPARSE);
	ck_assert_str_eq(rtrmod_slurm_error(f.slurm), "real: validationOutputFilters.prefixFilters["
						      "0].asn: not an AS number (an integer "
						      "0..4294967295)");
	doc(d, sizeof(d), 1, "[{\"prefix\": \"2001:db8::1/32\"}]", "[]", NULL, "[]", "[]", NULL);
	ck_assert_int_eq(load_text(&f, "v6", d), RTRMOD_EPARSE);
	ck_assert_ptr_nonnull(strstr(rtrmod_slurm_error(f.slurm), "host bits set past the length"));
	doc(d, sizeof(d), 1, "[{\"prefix\": \"192.0.2.0\"}]", "[]", NULL, "[]", "[]", NULL);
	ck_assert_int_eq(load_text(&f, "nolen", d), RTRMOD_EPARSE);
	ck_assert_ptr_nonnull(strstr(rtrmod_slurm_error(f.slurm), "not an IP prefix"));
	doc(d, sizeof(d), 2, "[]", "[]", "[{\"customerAsid\": 1}]", "[]", "[]",
	    "[{\"customerAsn\": 1, \"providerAsns\": [2, 3, 2]}]");
	ck_assert_int_eq(load_text(&f, "dup", d), RTRMOD_EPARSE);
	ck_assert_str_eq(rtrmod_slurm_error(f.slurm),
			 "dup: locallyAddedAssertions.aspaAssertions[0]"
			 ".providerAsns[2]: AS 2 is listed twice");
	ck_assert_uint_eq(rtrmod_slurm_file_count(f.slurm), 0);
	/* Valid: AS 0 and 4294967295, a /0, maxPrefixLength equal to the
	 * length, a key that is any base64url, version 2 with empty lists. */
	doc(d, sizeof(d), 2, "[{\"prefix\": \"::/0\", \"asn\": 4294967295}]", "[]", "[]",
	    "[{\"prefix\": \"0.0.0.0/0\", \"asn\": 0, \"maxPrefixLength\": 0}]",
	    "[{\"asn\": 1, \"SKI\": \"MTIzNDU2Nzg5MDEyMzQ1Njc4OTA\", \"routerPublicKey\": \"AA\"}]",
	    "[]");
	ck_assert_msg(load_text(&f, "edges", d) == 0, "%s", rtrmod_slurm_error(f.slurm));
	ck_assert_str_eq(rtrmod_slurm_error(f.slurm), "");
	fx_close(&f);
}
END_TEST

START_TEST(test_arguments)
{
	struct fixture f;
	struct rtrmod_slurm *s = (void *)1;
	const char *none[] = {NULL};

	fx_open(&f);
	ck_assert_int_eq(rtrmod_slurm_new(NULL, &s), RTRMOD_EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(rtrmod_slurm_new(f.ctx, NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_slurm_load_file(NULL, "x"), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_slurm_load_file(f.slurm, NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_slurm_load_buffer(f.slurm, "x", NULL, 3), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_slurm_load_files(f.slurm, NULL, 1), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_slurm_load_files(f.slurm, none, 1), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_slurm_load_file(f.slurm, SLURM "no-such.json"), RTRMOD_EIO);
	ck_assert_ptr_nonnull(strstr(rtrmod_slurm_error(f.slurm), "no-such.json: No such file"));
	ck_assert_uint_eq(rtrmod_slurm_file_count(NULL), 0);
	ck_assert_ptr_null(rtrmod_slurm_file_name(f.slurm, 0));
	ck_assert_str_eq(rtrmod_slurm_error(NULL), "");
	ck_assert_uint_eq(rtrmod_slurm_rules(NULL, RTRMOD_SOURCE_VRP, true), 0);
	ck_assert_uint_eq(rtrmod_slurm_count(f.slurm, 3, RTRMOD_SLURM_FILTERED), 0);
	ck_assert_uint_eq(rtrmod_slurm_count(f.slurm, RTRMOD_SOURCE_VRP, 3), 0);
	rtrmod_slurm_clear(NULL);
	rtrmod_slurm_free(NULL);
	fx_close(&f);
}
END_TEST

/* ---- RFC 8416 §4.2: conflicts between files ------------------------------ */

START_TEST(test_conflict_prefix)
{
	struct fixture f;
	char a[1024], b[1024];

	fx_open(&f);
	doc(a, sizeof(a), 1, "[{\"prefix\": \"10.0.0.0/16\"}, {\"asn\": 64496}]", "[]", NULL, "[]",
	    "[]", NULL);
	ck_assert_int_eq(load_text(&f, "a.json", a), 0);
	/* An address inside prefixes of both files: refused, naming both. */
	doc(b, sizeof(b), 1, "[]", "[]", NULL,
	    "[{\"prefix\": \"192.0.2.0/24\", \"asn\": 1}, {\"prefix\": \"10.0.1.0/24\", \"asn\": "
	    "1}]",
	    "[]", NULL);
	ck_assert_int_eq(load_text(&f, "b.json", b), RTRMOD_EEXIST);
	ck_assert_str_eq(rtrmod_slurm_error(f.slurm),
			 "b.json: locallyAddedAssertions.prefixAssertions[1].prefix 10.0.1.0/24 "
			 "overlaps validationOutputFilters.prefixFilters[0].prefix 10.0.0.0/16 in "
			 "a.json (RFC 8416 §4.2: two files may not claim the same resources)");
	ck_assert_uint_eq(rtrmod_slurm_file_count(f.slurm), 1);
	/* A shorter prefix covering the other one, and the same prefix. */
	doc(b, sizeof(b), 1, "[{\"prefix\": \"10.0.0.0/8\", \"asn\": 9}]", "[]", NULL, "[]", "[]",
	    NULL);
	ck_assert_int_eq(load_text(&f, "c.json", b), RTRMOD_EEXIST);
	ck_assert_ptr_nonnull(strstr(rtrmod_slurm_error(f.slurm), "c.json: validationOutputFilters"
								  ".prefixFilters[0].prefix "
								  "10.0.0.0/8 overlaps"));
	doc(b, sizeof(b), 1, "[]", "[]", NULL, "[{\"prefix\": \"10.0.0.0/16\", \"asn\": 64496}]",
	    "[]", NULL);
	ck_assert_int_eq(load_text(&f, "d.json", b), RTRMOD_EEXIST);
	/* Next to it, other families, and AS-only filters (which claim no
	 * address, even for the same AS) are fine; within one file, too. */
	doc(b, sizeof(b), 1, "[{\"prefix\": \"10.1.0.0/16\"}, {\"asn\": 64496}]", "[]", NULL,
	    "[{\"prefix\": \"9.255.0.0/16\", \"asn\": 1}, {\"prefix\": \"::/0\", \"asn\": 1}, "
	    "{\"prefix\": \"10.1.0.0/24\", \"asn\": 1}]",
	    "[]", NULL);
	ck_assert_msg(load_text(&f, "e.json", b) == 0, "%s", rtrmod_slurm_error(f.slurm));
	ck_assert_uint_eq(rtrmod_slurm_file_count(f.slurm), 2);
	ck_assert_str_eq(rtrmod_slurm_file_name(f.slurm, 1), "e.json");
	fx_close(&f);
}
END_TEST

START_TEST(test_conflict_as)
{
	static const char *const ski = "\"MTIzNDU2Nzg5MDEyMzQ1Njc4OTA\"";
	struct fixture f;
	char a[1024], b[1024], kf[256], ka[256];

	fx_open(&f);
	snprintf(kf, sizeof(kf), "[{\"SKI\": %s}, {\"asn\": 64496}]", ski);
	doc(a, sizeof(a), 2, "[]", kf, "[{\"customerAsid\": 64500}]", "[]", "[]", NULL);
	ck_assert_int_eq(load_text(&f, "a.json", a), 0);
	/* RFC 8416 §4.2: the AS of a BGPsec filter and of an assertion. */
	snprintf(ka, sizeof(ka), "[{\"asn\": 64496, \"SKI\": %s, \"routerPublicKey\": \"AA\"}]",
		 ski);
	doc(b, sizeof(b), 1, "[]", "[]", NULL, "[]", ka, NULL);
	ck_assert_int_eq(load_text(&f, "b.json", b), RTRMOD_EEXIST);
	ck_assert_str_eq(rtrmod_slurm_error(f.slurm),
			 "b.json: locallyAddedAssertions.bgpsecAssertions[0].asn AS64496 conflicts "
			 "with validationOutputFilters.bgpsecFilters[1].asn AS64496 in a.json (RFC "
			 "8416 §4.2: two files may not claim the same resources)");
	/* The same customer AS in ASPA members of two files. */
	doc(b, sizeof(b), 2, "[]", "[]", NULL, "[]", "[]",
	    "[{\"customerAsn\": 64500, \"providerAsns\": [1]}]");
	ck_assert_int_eq(load_text(&f, "c.json", b), RTRMOD_EEXIST);
	ck_assert_str_eq(
	    rtrmod_slurm_error(f.slurm),
	    "c.json: locallyAddedAssertions.aspaAssertions[0].customerAsn AS64500 "
	    "conflicts with validationOutputFilters.aspaFilters[0].customerAsid AS64500 "
	    "in a.json (RFC 8416 §4.2: two files may not claim the same resources)");
	/* A SKI-only filter claims no AS; a provider is not a customer. */
	snprintf(ka, sizeof(ka), "[{\"asn\": 64497, \"SKI\": %s, \"routerPublicKey\": \"AA\"}]",
		 ski);
	doc(b, sizeof(b), 2, "[]", "[]", "[]", "[]", ka,
	    "[{\"customerAsn\": 64501, \"providerAsns\": [64500, 64496]}]");
	ck_assert_msg(load_text(&f, "d.json", b) == 0, "%s", rtrmod_slurm_error(f.slurm));
	ck_assert_uint_eq(rtrmod_slurm_file_count(f.slurm), 2);
	/* Loading one file twice is a conflict with itself. */
	ck_assert_int_eq(load_text(&f, "d2.json", b), RTRMOD_EEXIST);
	fx_close(&f);
}
END_TEST

/* The public examples against each other: rpki-rs and FORT hold the same
 * RFC example, so they conflict; the empty file conflicts with nothing. */
START_TEST(test_conflict_fixtures)
{
	struct fixture f;

	fx_open(&f);
	ck_assert_int_eq(rtrmod_slurm_load_file(f.slurm, SLURM "fort_demo.slurm.json"), 0);
	ck_assert_int_eq(rtrmod_slurm_load_file(f.slurm, SLURM "routinator_empty.json"), 0);
	ck_assert_int_eq(rtrmod_slurm_load_file(f.slurm, SLURM "rpki-rs_full.json"), RTRMOD_EEXIST);
	ck_assert_str_eq(rtrmod_slurm_error(f.slurm), SLURM
			 "rpki-rs_full.json: validationOutputFilters.prefixFilters[0].prefix "
			 "192.0.2.0/24 overlaps validationOutputFilters.prefixFilters[0].prefix "
			 "192.0.2.0/24 in " SLURM "fort_demo.slurm.json (RFC 8416 §4.2: two "
			 "files may not claim the same resources)");
	ck_assert_uint_eq(rtrmod_slurm_file_count(f.slurm), 2);
	fx_close(&f);
}
END_TEST

/* ---- the reload of a whole list ------------------------------------------ */

static void
assert_files(struct fixture *f, size_t n, const char *first, const char *second)
{
	ck_assert_uint_eq(rtrmod_slurm_file_count(f->slurm), n);
	if (n > 0)
		ck_assert_str_eq(rtrmod_slurm_file_name(f->slurm, 0), first);
	if (n > 1)
		ck_assert_str_eq(rtrmod_slurm_file_name(f->slurm, 1), second);
}

START_TEST(test_reload)
{
	const char *good[] = {SLURM "rpki-rs_full.json", SLURM "routinator_empty.json"};
	const char *bad_file[] = {SLURM "fort_demo.slurm.json",
				  SLURM "invalid/14_maxlen_short.json"};
	const char *conflict[] = {SLURM "routinator_empty.json", SLURM "fort_demo.slurm.json",
				  SLURM "rpki-rs_full.json"};
	const char *missing[] = {SLURM "fort_demo.slurm.json", SLURM "missing.json"};
	const char *other[] = {SLURM "fort_demo.slurm.json"};
	struct fixture f;

	fx_open(&f);
	ck_assert_int_eq(rtrmod_slurm_load_files(f.slurm, good, 2), 0);
	assert_files(&f, 2, good[0], good[1]);
	/* A bad file, a conflict, an unreadable file: the old list stays. */
	ck_assert_int_eq(rtrmod_slurm_load_files(f.slurm, bad_file, 2), RTRMOD_EPARSE);
	ck_assert_str_eq(rtrmod_slurm_error(f.slurm),
			 SLURM "invalid/14_maxlen_short.json: locallyAddedAssertions."
			       "prefixAssertions[0].maxPrefixLength: 20 is less than the prefix "
			       "length 24");
	assert_files(&f, 2, good[0], good[1]);
	ck_assert_int_eq(rtrmod_slurm_load_files(f.slurm, conflict, 3), RTRMOD_EEXIST);
	ck_assert_ptr_nonnull(
	    strstr(rtrmod_slurm_error(f.slurm),
		   "rpki-rs_full.json: validationOutputFilters.prefixFilters[0]"));
	ck_assert_ptr_nonnull(strstr(rtrmod_slurm_error(f.slurm), "in " SLURM "fort_demo"));
	assert_files(&f, 2, good[0], good[1]);
	ck_assert_int_eq(rtrmod_slurm_load_files(f.slurm, missing, 2), RTRMOD_EIO);
	ck_assert_ptr_nonnull(strstr(rtrmod_slurm_error(f.slurm), "missing.json: No such file"));
	assert_files(&f, 2, good[0], good[1]);
	/* A good list replaces the old one (it would conflict if added). */
	ck_assert_int_eq(rtrmod_slurm_load_files(f.slurm, other, 1), 0);
	ck_assert_str_eq(rtrmod_slurm_error(f.slurm), "");
	assert_files(&f, 1, other[0], NULL);
	ck_assert_int_eq(rtrmod_slurm_load_files(f.slurm, NULL, 0), 0);
	assert_files(&f, 0, NULL, NULL);
	fx_close(&f);
}
END_TEST

/* ---- allocation failure ------------------------------------------------ */

/* Fail each allocation of a reload in turn: ENOMEM, the old list kept,
 * no leak (ASan). */
START_TEST(test_allocation_failure)
{
	const char *list[] = {SLURM "rpki-rs_full_v2.json", SLURM "routinator_empty.json"};
	struct failing_alloc fa = {0};
	struct rtrmod_allocator a = failing_alloc_allocator(&fa);
	struct fixture f;
	long at;
	int rc = RTRMOD_ENOMEM;

	ck_assert_int_eq(rtrmod_ctx_new(&a, &f.ctx), 0);
	rtrmod_ctx_set_log(f.ctx, quiet_log, NULL, RTRMOD_LOG_ERR);
	ck_assert_int_eq(rtrmod_slurm_new(f.ctx, &f.slurm), 0);
	ck_assert_int_eq(rtrmod_slurm_load_file(f.slurm, SLURM "fort_demo.slurm.json"), 0);
	for (at = 1; at < 1000 && rc != 0; at++) {
		fa.calls = 0;
		fa.fail_at = at;
		rc = rtrmod_slurm_load_files(f.slurm, list, 2);
		ck_assert_msg(rc == 0 || rc == RTRMOD_ENOMEM, "at %ld: %d", at, rc);
		if (rc != 0)
			assert_files(&f, 1, SLURM "fort_demo.slurm.json", NULL);
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_gt(at, 10);
	assert_files(&f, 2, list[0], list[1]);
	fa.fail_at = 0;
	fx_close(&f);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("slurm");
	TCase *tc = tcase_create("fixtures");

	tcase_add_test(tc, test_fixtures_valid);
	tcase_add_test(tc, test_fixtures_invalid);
	suite_add_tcase(s, tc);
	tc = tcase_create("validation");
	tcase_add_loop_test(tc, test_invalid_file, 0, (int)(sizeof(invalid) / sizeof(invalid[0])));
	tcase_add_test(tc, test_buffer_faults);
	tcase_add_test(tc, test_arguments);
	suite_add_tcase(s, tc);
	tc = tcase_create("files");
	tcase_add_test(tc, test_conflict_prefix);
	tcase_add_test(tc, test_conflict_as);
	tcase_add_test(tc, test_conflict_fixtures);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_allocation_failure);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
