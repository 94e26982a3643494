/*
 * check_slurm_apply.c: SLURM applied to a set (RFC 8416 §3.3, §3.4, §4).
 * The RFC 8416 §3.5 example (as rpki-rs ships it, with real base64) and
 * its version 2 form with ASPA on small sets, with the exact result and
 * counts; filters by prefix range; assertions never filtered and never
 * doubled; an unchanged set shared; a failed reload changing nothing; and
 * allocation failures.  Loading is check_slurm.c.
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
	struct rtrmod_set_builder *b;
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
	ck_assert_int_eq(rtrmod_set_builder_new(f->ctx, &f->b), 0);
}

static void
fx_close(struct fixture *f)
{
	rtrmod_set_builder_free(f->b);
	rtrmod_slurm_free(f->slurm);
	rtrmod_ctx_free(f->ctx);
}

static void
add_vrp(struct rtrmod_set_builder *b, const char *prefix, unsigned max_len, uint32_t asn)
{
	struct rtrmod_vrp v = {.max_len = (uint8_t)max_len, .asn = asn};

	ck_assert_int_eq(rtrmod_prefix_parse(prefix, &v.prefix), 0);
	ck_assert_int_eq(rtrmod_set_builder_add_vrp(b, &v), 0);
}

/* A router key whose 20-byte SKI is the text `ski`. */
static void
add_key(struct rtrmod_set_builder *b, const char *ski, uint32_t asn, const char *spki)
{
	struct rtrmod_router_key k = {.asn = asn};

	ck_assert_uint_eq(strlen(ski), 20);
	memcpy(k.ski, ski, 20);
	k.spki = (const uint8_t *)spki;
	k.spki_len = (uint32_t)strlen(spki);
	ck_assert_int_eq(rtrmod_set_builder_add_router_key(b, &k), 0);
}

static void
add_aspa(struct rtrmod_set_builder *b, uint32_t customer, const uint32_t *prov, size_t n)
{
	ck_assert_int_eq(rtrmod_set_builder_add_aspa(b, customer, prov, n), 0);
}

/* Freeze the fixture's builder and start a new one. */
static struct rtrmod_set *
finish(struct fixture *f)
{
	struct rtrmod_set *set;

	ck_assert_int_eq(rtrmod_set_builder_finish(f->b, &set), 0);
	ck_assert_int_eq(rtrmod_set_builder_new(f->ctx, &f->b), 0);
	return set;
}

static void
assert_counts(struct fixture *f, enum rtrmod_source_kind kind, size_t filtered, size_t asserted,
	      size_t duplicate)
{
	ck_assert_uint_eq(rtrmod_slurm_count(f->slurm, kind, RTRMOD_SLURM_FILTERED), filtered);
	ck_assert_uint_eq(rtrmod_slurm_count(f->slurm, kind, RTRMOD_SLURM_ASSERTED), asserted);
	ck_assert_uint_eq(rtrmod_slurm_count(f->slurm, kind, RTRMOD_SLURM_DUPLICATE), duplicate);
}

/* Apply and compare with `want` (both unreferenced here). */
static void
assert_apply(struct fixture *f, struct rtrmod_set *in, struct rtrmod_set *want)
{
	struct rtrmod_set *out;

	ck_assert_int_eq(rtrmod_slurm_apply(f->slurm, in, &out), 0);
	ck_assert(rtrmod_set_equal(out, want));
	rtrmod_set_unref(out);
	rtrmod_set_unref(want);
}

/* The RFC 8416 §3.5 example's input: what each filter takes or leaves. */
static struct rtrmod_set *
rfc_example_input(struct fixture *f)
{
	add_vrp(f->b, "192.0.2.0/24", 24, 64499);           /* filter 0: the prefix */
	add_vrp(f->b, "192.0.2.128/25", 25, 64500);         /* filter 0: more specific */
	add_vrp(f->b, "192.0.0.0/16", 24, 64501);           /* kept: less specific */
	add_vrp(f->b, "203.0.113.0/24", 24, 64496);         /* filter 1: the AS */
	add_vrp(f->b, "198.51.100.0/24", 24, 64497);        /* filter 2: prefix and AS */
	add_vrp(f->b, "198.51.100.0/25", 25, 64497);        /* filter 2 */
	add_vrp(f->b, "198.51.100.0/24", 24, 64498);        /* kept: another AS */
	add_vrp(f->b, "198.51.0.0/16", 24, 64497);          /* kept: less specific */
	add_vrp(f->b, "2001:db8::/32", 48, 64496);          /* filter 1, asserted again */
	add_vrp(f->b, "198.51.100.0/24", 24, 64496);        /* filter 1, asserted again */
	add_vrp(f->b, "2001:db8:1::/48", 48, 65000);        /* kept */
	add_key(f->b, "12345678901234567890", 64496, "k1"); /* key filters 0 and 1 */
	add_key(f->b, "12345678901234567890", 65001, "k2"); /* key filter 1: the SKI */
	add_key(f->b, "deadbeatdeadbeatdead", 64497, "k3"); /* key filter 2: both */
	add_key(f->b, "deadbeatdeadbeatdead", 64498, "k4"); /* kept */
	add_key(f->b, "abcdefghijabcdefghij", 64497, "k5"); /* kept: filter 2 needs both */
	add_aspa(f->b, 64496, (const uint32_t[]){1, 2}, 2);
	add_aspa(f->b, 64500, (const uint32_t[]){64501}, 1);
	return finish(f);
}

/* RFC 8416 §3.5, as rpki-rs ships it: filters, then assertions, which the
 * filters (here the AS 64496 one) never remove. */
START_TEST(test_rfc_example)
{
	struct fixture f;
	struct rtrmod_set *in, *want;

	fx_open(&f);
	ck_assert_int_eq(rtrmod_slurm_load_file(f.slurm, SLURM "rpki-rs_full.json"), 0);
	in = rfc_example_input(&f);
	add_vrp(f.b, "192.0.0.0/16", 24, 64501);
	add_vrp(f.b, "198.51.0.0/16", 24, 64497);
	add_vrp(f.b, "198.51.100.0/24", 24, 64496); /* assertion 0: maxPrefixLength absent */
	add_vrp(f.b, "198.51.100.0/24", 24, 64498);
	add_vrp(f.b, "2001:db8::/32", 48, 64496); /* assertion 1 */
	add_vrp(f.b, "2001:db8:1::/48", 48, 65000);
	add_key(f.b, "12345678901234567890", 64496, "blubb"); /* the BGPsec assertion */
	add_key(f.b, "deadbeatdeadbeatdead", 64498, "k4");
	add_key(f.b, "abcdefghijabcdefghij", 64497, "k5");
	add_aspa(f.b, 64496, (const uint32_t[]){1, 2}, 2); /* version 1: ASPA untouched */
	add_aspa(f.b, 64500, (const uint32_t[]){64501}, 1);
	want = finish(&f);
	assert_apply(&f, in, want);
	assert_counts(&f, RTRMOD_SOURCE_VRP, 7, 2, 0);
	assert_counts(&f, RTRMOD_SOURCE_ROUTER_KEY, 3, 1, 0);
	assert_counts(&f, RTRMOD_SOURCE_ASPA, 0, 0, 0);
	rtrmod_set_unref(in);
	fx_close(&f);
}
END_TEST

/* The version 2 example: the customer's ASPA is filtered, then asserted
 * with the file's providers (not merged with the filtered ones). */
START_TEST(test_v2_example)
{
	struct fixture f;
	struct rtrmod_set *in, *out;
	const struct rtrmod_aspa *a;
	size_t n;

	fx_open(&f);
	ck_assert_int_eq(rtrmod_slurm_load_file(f.slurm, SLURM "rpki-rs_full_v2.json"), 0);
	in = rfc_example_input(&f);
	ck_assert_int_eq(rtrmod_slurm_apply(f.slurm, in, &out), 0);
	a = rtrmod_set_aspas(out, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(a[0].customer_asn, 64496);
	ck_assert_uint_eq(a[0].provider_count, 2);
	ck_assert_uint_eq(a[0].providers[0], 64497);
	ck_assert_uint_eq(a[0].providers[1], 64498);
	ck_assert_uint_eq(a[1].customer_asn, 64500);
	ck_assert_uint_eq(a[1].provider_count, 1);
	(void)rtrmod_set_vrps(out, &n);
	ck_assert_uint_eq(n, 6);
	assert_counts(&f, RTRMOD_SOURCE_VRP, 7, 2, 0);
	assert_counts(&f, RTRMOD_SOURCE_ROUTER_KEY, 3, 1, 0);
	assert_counts(&f, RTRMOD_SOURCE_ASPA, 1, 1, 0);
	rtrmod_set_unref(out);
	rtrmod_set_unref(in);
	fx_close(&f);
}
END_TEST

static int
load_text(struct fixture *f, const char *name, const char *text)
{
	return rtrmod_slurm_load_buffer(f->slurm, name, text, strlen(text));
}

#define EMPTY_KEYS "\"bgpsecFilters\": []}, \"locallyAddedAssertions\": {"

/* A prefix filter takes exactly the VRPs equal to or more specific than
 * its prefix (RFC 8416 §3.3.1): the run of addresses inside it, from the
 * first to the last, in either family, and nothing of the other family. */
START_TEST(test_filter_ranges)
{
	static const char *const text =
	    "{\"slurmVersion\": 1, \"validationOutputFilters\": {\"prefixFilters\": ["
	    "{\"prefix\": \"10.128.0.0/9\"}, {\"prefix\": \"2001:db8::/33\", \"asn\": 7},"
	    "{\"prefix\": \"172.16.0.0/12\", \"asn\": 9}], " EMPTY_KEYS
	    "\"prefixAssertions\": [], \"bgpsecAssertions\": []}}";
	struct fixture f;
	struct rtrmod_set *in;

	fx_open(&f);
	ck_assert_msg(load_text(&f, "ranges", text) == 0, "%s", rtrmod_slurm_error(f.slurm));
	add_vrp(f.b, "10.0.0.0/8", 24, 1);         /* kept: less specific */
	add_vrp(f.b, "10.127.255.0/24", 24, 1);    /* kept: just below */
	add_vrp(f.b, "10.128.0.0/9", 9, 1);        /* gone: the first */
	add_vrp(f.b, "10.128.0.0/24", 24, 1);      /* gone */
	add_vrp(f.b, "10.255.255.255/32", 32, 1);  /* gone: the last */
	add_vrp(f.b, "11.0.0.0/8", 8, 1);          /* kept: just above */
	add_vrp(f.b, "172.16.0.0/12", 24, 9);      /* gone */
	add_vrp(f.b, "172.31.0.0/16", 16, 8);      /* kept: another AS */
	add_vrp(f.b, "2001:db8::/32", 48, 7);      /* kept: less specific */
	add_vrp(f.b, "2001:db8::/48", 48, 7);      /* gone */
	add_vrp(f.b, "2001:db8:7fff::/48", 48, 7); /* gone */
	add_vrp(f.b, "2001:db8:8000::/48", 48, 7); /* kept: outside */
	add_vrp(f.b, "a80::/16", 16, 1);           /* kept: IPv6, same bits */
	in = finish(&f);
	add_vrp(f.b, "10.0.0.0/8", 24, 1);
	add_vrp(f.b, "10.127.255.0/24", 24, 1);
	add_vrp(f.b, "11.0.0.0/8", 8, 1);
	add_vrp(f.b, "172.31.0.0/16", 16, 8);
	add_vrp(f.b, "2001:db8::/32", 48, 7);
	add_vrp(f.b, "2001:db8:8000::/48", 48, 7);
	add_vrp(f.b, "a80::/16", 16, 1);
	assert_apply(&f, in, finish(&f));
	assert_counts(&f, RTRMOD_SOURCE_VRP, 6, 0, 0);
	rtrmod_set_unref(in);
	fx_close(&f);
}
END_TEST

/* Assertions: one copy whatever repeats them (in a file, across files, in
 * the input), counted once; an ASPA asserted for a customer that kept its
 * record gets the union of both provider sets. */
START_TEST(test_duplicates_and_union)
{
	static const char *const a =
	    "{\"slurmVersion\": 2, \"validationOutputFilters\": {\"prefixFilters\": [], " EMPTY_KEYS
	    "\"prefixAssertions\": [{\"prefix\": \"192.0.2.0/24\", \"asn\": 1}, {\"prefix\": "
	    "\"192.0.2.0/24\", \"asn\": 1, \"maxPrefixLength\": 24}, {\"prefix\": \"192.0.2.0/24\","
	    " \"asn\": 1, \"maxPrefixLength\": 25}], \"bgpsecAssertions\": [{\"asn\": 5, \"SKI\": "
	    "\"MTIzNDU2Nzg5MDEyMzQ1Njc4OTA\", \"routerPublicKey\": \"azE\"}], \"aspaAssertions\": "
	    "[{\"customerAsn\": 10, \"providerAsns\": [30, 12]}, {\"customerAsn\": 10, "
	    "\"providerAsns\": [11]}, {\"customerAsn\": 20, \"providerAsns\": [21]}]}}";
	static const char *const b =
	    "{\"slurmVersion\": 1, \"validationOutputFilters\": {\"prefixFilters\": [], " EMPTY_KEYS
	    "\"prefixAssertions\": [{\"prefix\": \"198.51.100.0/24\", \"asn\": 2}], "
	    "\"bgpsecAssertions\": []}}";
	struct fixture f;
	struct rtrmod_set *in, *want;

	fx_open(&f);
	ck_assert_msg(load_text(&f, "a", a) == 0, "%s", rtrmod_slurm_error(f.slurm));
	ck_assert_msg(load_text(&f, "b", b) == 0, "%s", rtrmod_slurm_error(f.slurm));
	add_vrp(f.b, "192.0.2.0/24", 25, 1); /* = assertion 2 */
	add_vrp(f.b, "203.0.113.0/24", 24, 3);
	add_key(f.b, "12345678901234567890", 5, "k1"); /* = the key assertion */
	add_aspa(f.b, 10, (const uint32_t[]){11, 40}, 2);
	in = finish(&f);
	add_vrp(f.b, "192.0.2.0/24", 24, 1);
	add_vrp(f.b, "192.0.2.0/24", 25, 1);
	add_vrp(f.b, "198.51.100.0/24", 24, 2);
	add_vrp(f.b, "203.0.113.0/24", 24, 3);
	add_key(f.b, "12345678901234567890", 5, "k1");
	add_aspa(f.b, 10, (const uint32_t[]){11, 12, 30, 40}, 4);
	add_aspa(f.b, 20, (const uint32_t[]){21}, 1);
	want = finish(&f);
	assert_apply(&f, in, want);
	assert_counts(&f, RTRMOD_SOURCE_VRP, 0, 3, 1);
	assert_counts(&f, RTRMOD_SOURCE_ROUTER_KEY, 0, 1, 1);
	assert_counts(&f, RTRMOD_SOURCE_ASPA, 0, 2, 1);
	rtrmod_set_unref(in);
	fx_close(&f);
}
END_TEST

/* Nothing to change: the input set itself comes back, counts zero. */
START_TEST(test_unchanged_is_shared)
{
	struct fixture f;
	struct rtrmod_set *in, *out, *empty, *out2;
	size_t n;

	fx_open(&f);
	in = rfc_example_input(&f);
	ck_assert_int_eq(rtrmod_slurm_apply(f.slurm, in, &out), 0);
	ck_assert_ptr_eq(out, in);
	rtrmod_set_unref(out);
	ck_assert_int_eq(rtrmod_slurm_load_file(f.slurm, SLURM "routinator_empty.json"), 0);
	ck_assert_int_eq(rtrmod_slurm_apply(f.slurm, in, &out), 0);
	ck_assert_ptr_eq(out, in);
	rtrmod_set_unref(out);
	/* Counts are those of the last apply. */
	ck_assert_int_eq(rtrmod_slurm_load_file(f.slurm, SLURM "rpki-rs_full.json"), 0);
	ck_assert_int_eq(rtrmod_slurm_apply(f.slurm, in, &out), 0);
	assert_counts(&f, RTRMOD_SOURCE_VRP, 7, 2, 0);
	ck_assert_int_eq(rtrmod_set_new_empty(f.ctx, &empty), 0);
	ck_assert_int_eq(rtrmod_slurm_apply(f.slurm, empty, &out2), 0);
	assert_counts(&f, RTRMOD_SOURCE_VRP, 0, 2, 0);
	(void)rtrmod_set_vrps(out2, &n);
	ck_assert_uint_eq(n, 2);
	rtrmod_set_unref(out2);
	ck_assert_int_eq(rtrmod_slurm_apply(NULL, in, &out2), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_slurm_apply(f.slurm, NULL, &out2), RTRMOD_EINVAL);
	ck_assert_ptr_null(out2);
	ck_assert_int_eq(rtrmod_slurm_apply(f.slurm, in, NULL), RTRMOD_EINVAL);
	rtrmod_set_unref(empty);
	rtrmod_set_unref(out);
	rtrmod_set_unref(in);
	fx_close(&f);
}
END_TEST

/* A refused reload leaves the result of applying exactly as it was. */
START_TEST(test_failed_reload_keeps_result)
{
	const char *good[] = {SLURM "rpki-rs_full_v2.json"};
	const char *bad[] = {SLURM "routinator_empty.json",
			     SLURM "invalid/23_aspa_self_provider.json"};
	struct fixture f;
	struct rtrmod_set *in, *before, *after;

	fx_open(&f);
	in = rfc_example_input(&f);
	ck_assert_int_eq(rtrmod_slurm_load_files(f.slurm, good, 1), 0);
	ck_assert_int_eq(rtrmod_slurm_apply(f.slurm, in, &before), 0);
	ck_assert_int_eq(rtrmod_slurm_load_files(f.slurm, bad, 2), RTRMOD_EPARSE);
	ck_assert_int_eq(rtrmod_slurm_apply(f.slurm, in, &after), 0);
	ck_assert(rtrmod_set_equal(before, after));
	ck_assert(!rtrmod_set_equal(before, in));
	assert_counts(&f, RTRMOD_SOURCE_ASPA, 1, 1, 0);
	rtrmod_set_unref(after);
	rtrmod_set_unref(before);
	rtrmod_set_unref(in);
	fx_close(&f);
}
END_TEST

/* ---- allocation failure ------------------------------------------------ */

/* Fail each allocation of an apply in turn: ENOMEM, no set, counts of
 * the last good apply, no leak (ASan). */
START_TEST(test_allocation_failure)
{
	struct failing_alloc fa = {0};
	struct rtrmod_allocator al = failing_alloc_allocator(&fa);
	struct fixture f;
	struct rtrmod_set *in, *out;
	long at;
	int rc = RTRMOD_ENOMEM;

	ck_assert_int_eq(rtrmod_ctx_new(&al, &f.ctx), 0);
	rtrmod_ctx_set_log(f.ctx, quiet_log, NULL, RTRMOD_LOG_ERR);
	ck_assert_int_eq(rtrmod_slurm_new(f.ctx, &f.slurm), 0);
	ck_assert_int_eq(rtrmod_set_builder_new(f.ctx, &f.b), 0);
	ck_assert_int_eq(rtrmod_slurm_load_file(f.slurm, SLURM "rpki-rs_full_v2.json"), 0);
	in = rfc_example_input(&f);
	for (at = 1; at < 1000 && rc != 0; at++) {
		fa.calls = 0;
		fa.fail_at = at;
		rc = rtrmod_slurm_apply(f.slurm, in, &out);
		ck_assert_msg(rc == 0 || rc == RTRMOD_ENOMEM, "at %ld: %d", at, rc);
		if (rc != 0) {
			ck_assert_ptr_null(out);
			assert_counts(&f, RTRMOD_SOURCE_VRP, 0, 0, 0);
		}
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_gt(at, 5);
	assert_counts(&f, RTRMOD_SOURCE_ASPA, 1, 1, 0);
	fa.fail_at = 0;
	rtrmod_set_unref(out);
	rtrmod_set_unref(in);
	fx_close(&f);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("slurm_apply");
	TCase *tc = tcase_create("apply");

	tcase_add_test(tc, test_rfc_example);
	tcase_add_test(tc, test_v2_example);
	tcase_add_test(tc, test_filter_ranges);
	tcase_add_test(tc, test_duplicates_and_union);
	tcase_add_test(tc, test_unchanged_is_shared);
	tcase_add_test(tc, test_failed_reload_keeps_result);
	tcase_add_test(tc, test_allocation_failure);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
