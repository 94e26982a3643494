/*
 * check_aspa_verify.c: ASPA AS_PATH verification against
 * draft-ietf-sidrops-aspa-verification-28.  The worked examples are the
 * draft's [aspa-examples] (§6.1: K. Sriram, "ASPA path verification
 * examples", github.com/ksriram25/IETF), the draft having no examples of
 * its own; the rest are built from its definitions, and a brute-force run
 * compares the implementation with a literal transcription of §5.2-§5.6.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <rtrmod/ctx.h>
#include <rtrmod/records.h>
#include <rtrmod/rov.h>

#include "check_main.h"
#include "rtrmod_internal.h"

#define UP   RTRMOD_ASPA_UPSTREAM
#define DOWN RTRMOD_ASPA_DOWNSTREAM

#define VALID   RTRMOD_ASPA_VALID
#define INVALID RTRMOD_ASPA_INVALID
#define UNKNOWN RTRMOD_ASPA_UNKNOWN

static struct rtrmod_ctx *ctx;

static void
setup(void)
{
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
}

static void
teardown(void)
{
	rtrmod_ctx_free(ctx);
	ctx = NULL;
}

/* One ASPA: a customer and up to 7 providers (AS 0 for an AS0 ASPA). */
struct aspa_def {
	uint32_t customer;
	size_t count;
	uint32_t providers[7];
};

static struct rtrmod_set *
build_set(const struct aspa_def *defs, size_t n)
{
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set;

	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(rtrmod_set_builder_add_aspa(b, defs[i].customer, defs[i].providers,
							     defs[i].count),
				 0);
	ck_assert_int_eq(rtrmod_set_builder_finish(b, &set), 0);
	return set;
}

/* A path of one AS_SEQUENCE, neighbor first. */
static enum rtrmod_aspa_state
verify_seq(const struct rtrmod_set *set, enum rtrmod_aspa_direction dir, const uint32_t *asns,
	   size_t count)
{
	struct rtrmod_as_segment seg = {RTRMOD_AS_SEQUENCE, count, asns};

	return rtrmod_aspa_verify(set, dir, &seg, 1);
}

#define VERIFY(set, dir, ...)                                                                      \
	verify_seq((set), (dir), (const uint32_t[]){__VA_ARGS__},                                  \
		   sizeof((const uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t))

/* ---- the draft's examples ------------------------------------------------ */

/* The ASes of [aspa-examples]; letters as there. */
enum {
	AS_A = 65000,
	AS_B = 65010,
	AS_C = 65020,
	AS_D = 65030,
	AS_E = 65040,
	AS_F = 65050,
	AS_G = 65060,
	AS_H = 65070,
	AS_J = 65080,
	AS_K = 65090,
	AS_L = 65100,
	AS_P = 65110,
	AS_Q = 65120,
	AS_R = 65130,
	AS_S = 65140,
};

/* E, F and J have no ASPA; G, H, K, P and Q are AS0 ASPAs (tier 1s). */
static const struct aspa_def example_aspas[] = {
    {AS_A, 2, {AS_C, AS_D}}, {AS_B, 1, {AS_E}}, {AS_C, 1, {AS_F}}, {AS_D, 2, {AS_F, AS_G}},
    {AS_G, 1, {0}},          {AS_H, 1, {0}},    {AS_K, 1, {0}},    {AS_L, 1, {AS_K}},
    {AS_P, 1, {0}},          {AS_Q, 1, {0}},    {AS_R, 1, {AS_Q}}, {AS_S, 1, {AS_R}},
};

struct example {
	const char *name;
	enum rtrmod_aspa_direction dir;
	enum rtrmod_aspa_state expect;
	size_t count;
	uint32_t path[6]; /* neighbor first */
};

static const struct example examples[] = {
    /* Table 1: upstream (from a customer or lateral peer). */
    {"T1#1", UP, VALID, 3, {AS_F, AS_C, AS_A}},
    {"T1#2", UP, INVALID, 3, {AS_D, AS_C, AS_A}},
    {"T1#3", UP, UNKNOWN, 4, {AS_D, AS_F, AS_C, AS_A}},
    {"T1#4", UP, UNKNOWN, 3, {AS_D, AS_E, AS_B}},
    {"T1#5", UP, INVALID, 4, {AS_A, AS_D, AS_E, AS_B}},
    {"T1#6", UP, INVALID, 5, {AS_A, AS_D, AS_G, AS_E, AS_B}},
    {"T1#7", UP, INVALID, 3, {AS_A, AS_C, AS_F}},
    {"T1#8", UP, INVALID, 4, {AS_A, AS_C, AS_F, AS_G}},
    {"T1#9", UP, VALID, 2, {AS_E, AS_B}},
    /* Table 2: downstream (from a provider). */
    {"T2#1", DOWN, UNKNOWN, 5, {AS_E, AS_G, AS_F, AS_C, AS_A}},
    {"T2#2", DOWN, VALID, 4, {AS_E, AS_G, AS_D, AS_A}},
    {"T2#3", DOWN, UNKNOWN, 4, {AS_E, AS_D, AS_C, AS_A}},
    {"T2#4", DOWN, INVALID, 5, {AS_E, AS_G, AS_D, AS_C, AS_A}},
    {"T2#5", DOWN, UNKNOWN, 4, {AS_C, AS_F, AS_D, AS_G}},
    {"T2#6", DOWN, VALID, 4, {AS_D, AS_G, AS_E, AS_B}},
    {"T2#7", DOWN, INVALID, 5, {AS_C, AS_D, AS_G, AS_E, AS_B}},
    {"T2#8", DOWN, VALID, 3, {AS_F, AS_C, AS_A}},
    {"T2#9", DOWN, VALID, 2, {AS_E, AS_A}},
    {"T2#10", DOWN, VALID, 3, {AS_E, AS_C, AS_A}},
    /* Table 3: complex relationships. */
    {"T3#1", UP, INVALID, 2, {AS_J, AS_H}},
    {"T3#3", DOWN, INVALID, 3, {AS_K, AS_J, AS_H}},
    {"T3#4", UP, INVALID, 2, {AS_Q, AS_P}},
    {"T3#5", DOWN, VALID, 2, {AS_Q, AS_P}},
    {"T3#6", DOWN, VALID, 3, {AS_R, AS_Q, AS_P}},
};

START_TEST(test_draft_examples)
{
	struct rtrmod_set *set = build_set(example_aspas, ARRAY_SIZE(example_aspas));

	for (size_t i = 0; i < ARRAY_SIZE(examples); i++) {
		const struct example *ex = &examples[i];
		enum rtrmod_aspa_state got = verify_seq(set, ex->dir, ex->path, ex->count);

		ck_assert_msg(got == ex->expect, "%s: got %s, want %s", ex->name,
			      rtrmod_aspa_state_name(got), rtrmod_aspa_state_name(ex->expect));
	}
	rtrmod_set_unref(set);
}
END_TEST

START_TEST(test_state_names)
{
	ck_assert_str_eq(rtrmod_aspa_state_name(VALID), "valid");
	ck_assert_str_eq(rtrmod_aspa_state_name(INVALID), "invalid");
	ck_assert_str_eq(rtrmod_aspa_state_name(UNKNOWN), "unknown");
	ck_assert_ptr_nonnull(rtrmod_aspa_state_name((enum rtrmod_aspa_state)7));
}
END_TEST

/* ---- hand-made cases ----------------------------------------------------- */

/*
 * A small world: 1 <- 2 <- 3 customer chain (3 is 2's provider, 2 is 1's),
 * 3 and 4 lateral peers, 4 -> 5 -> 6 down to 6; 7 and 8 have no ASPA; 9 is
 * an AS0 ASPA (no providers), 10 lists 11 and AS 0 (a mixed SPAS).
 */
static const struct aspa_def world[] = {
    {1, 1, {2}}, {2, 1, {3}}, {3, 1, {0}},      {4, 1, {0}},  {5, 1, {4}},
    {6, 1, {5}}, {9, 1, {0}}, {10, 2, {0, 11}}, {11, 1, {0}},
};

START_TEST(test_upstream)
{
	struct rtrmod_set *set = build_set(world, ARRAY_SIZE(world));

	ck_assert_int_eq(VERIFY(set, UP, 2, 1), VALID);         /* from customer 2 */
	ck_assert_int_eq(VERIFY(set, UP, 3, 2, 1), VALID);      /* all up */
	ck_assert_int_eq(VERIFY(set, UP, 4, 3, 2, 1), INVALID); /* 3 is not 4's customer */
	ck_assert_int_eq(VERIFY(set, UP, 1, 2), INVALID);       /* 1 is not 2's provider */
	ck_assert_int_eq(VERIFY(set, UP, 7, 2, 1), INVALID);    /* 2 -> 7 is "Not Provider+" */
	ck_assert_int_eq(VERIFY(set, UP, 7, 8, 1), INVALID);    /* 1 -> 8 is "Not Provider+" */
	ck_assert_int_eq(VERIFY(set, UP, 2, 7), UNKNOWN);       /* 7 has no ASPA */
	ck_assert_int_eq(VERIFY(set, UP, 9, 8, 7), UNKNOWN);
	ck_assert_int_eq(VERIFY(set, UP, 3, 2, 7), UNKNOWN); /* unattested, then attested */
	/* A "Not Provider+" hop wins over an unattested one, on either side. */
	ck_assert_int_eq(VERIFY(set, UP, 4, 2, 7), INVALID); /* 7 -> 2 ?, 2 -> 4 no */
	ck_assert_int_eq(VERIFY(set, UP, 8, 7, 3), INVALID); /* 3 -> 7 no, 7 -> 8 ? */
	ck_assert_int_eq(VERIFY(set, UP, 8, 9, 7), INVALID); /* 9 has no provider */
	rtrmod_set_unref(set);
}
END_TEST

START_TEST(test_downstream)
{
	struct rtrmod_set *set = build_set(world, ARRAY_SIZE(world));

	/* Valley-free: up 1 -> 2 -> 3, across to peer 4, down 4 -> 5 -> 6 and
	 * on to us, 6's customer. */
	ck_assert_int_eq(VERIFY(set, DOWN, 6, 5, 4, 3, 2, 1), VALID);
	ck_assert_int_eq(VERIFY(set, DOWN, 6, 5, 4, 3), VALID); /* no up-ramp */
	ck_assert_int_eq(VERIFY(set, DOWN, 3, 2, 1), VALID);    /* no down-ramp */
	ck_assert_int_eq(VERIFY(set, DOWN, 5, 4), VALID);
	/* A leak: 2 got 3's route from its provider 3 and passed it to 4,
	 * which is not its provider, and 4 sent it down. */
	ck_assert_int_eq(VERIFY(set, DOWN, 6, 5, 4, 2, 3), INVALID);
	/* Two peerings at the top (3 - 4 - 9): the apexes are two hops apart. */
	ck_assert_int_eq(VERIFY(set, DOWN, 4, 9, 3, 2, 1), INVALID);
	/* Origin 7 and 8 have no ASPA: the up-ramp may be 1 or 3 long. */
	ck_assert_int_eq(VERIFY(set, DOWN, 6, 5, 4, 8, 7), UNKNOWN);
	/* ...but 8 is not 2's provider, nor 7 5's: the ramps cannot meet. */
	ck_assert_int_eq(VERIFY(set, DOWN, 6, 5, 7, 8, 2, 1), INVALID);
	ck_assert_int_eq(VERIFY(set, DOWN, 7, 8), VALID);      /* one hop: always fits */
	ck_assert_int_eq(VERIFY(set, DOWN, 7, 8, 1), UNKNOWN); /* 8 unattested */
	/* What upstream refuses, downstream may accept. */
	ck_assert_int_eq(VERIFY(set, UP, 5, 4, 3), INVALID);
	ck_assert_int_eq(VERIFY(set, DOWN, 5, 4, 3), VALID);
	rtrmod_set_unref(set);
}
END_TEST

START_TEST(test_prepending)
{
	struct rtrmod_set *set = build_set(world, ARRAY_SIZE(world));
	const uint32_t seg1[] = {3, 3}, seg2[] = {3, 2, 2, 2}, seg3[] = {2, 1, 1};
	struct rtrmod_as_segment three[] = {
	    {RTRMOD_AS_SEQUENCE, 2, seg1},
	    {RTRMOD_AS_SEQUENCE, 4, seg2},
	    {RTRMOD_AS_SEQUENCE, 3, seg3},
	};

	/* Consecutive duplicates count once (§5.2), also across segments:
	 * 3 3 | 3 2 2 2 | 2 1 1 is 3 2 1. */
	ck_assert_int_eq(rtrmod_aspa_verify(set, UP, three, 3), VALID);
	ck_assert_int_eq(VERIFY(set, UP, 3, 3, 3, 2, 1, 1, 1, 1), VALID);
	ck_assert_int_eq(VERIFY(set, DOWN, 6, 6, 5, 4, 4, 3, 2, 1, 1), VALID);
	/* Prepending hides no leak: 3 -> 4 is still "Not Provider+". */
	ck_assert_int_eq(VERIFY(set, UP, 4, 4, 4, 3, 3, 2, 1), INVALID);
	/* Only consecutive repeats collapse.  1 2 1 keeps three ASes: 2's
	 * provider is not 1, so upstream it is invalid (2 1 alone is valid). */
	ck_assert_int_eq(VERIFY(set, UP, 1, 2, 1), INVALID);
	ck_assert_int_eq(VERIFY(set, UP, 2, 1), VALID);
	rtrmod_set_unref(set);
}
END_TEST

START_TEST(test_as_set_anywhere)
{
	struct rtrmod_set *set = build_set(world, ARRAY_SIZE(world));
	const uint32_t up[] = {3, 2}, origin[] = {1}, set2[] = {1, 7}, neighbor[] = {3};
	struct rtrmod_as_segment at_origin[] = {
	    {RTRMOD_AS_SEQUENCE, 2, up},
	    {RTRMOD_AS_SET, 2, set2},
	};
	struct rtrmod_as_segment in_middle[] = {
	    {RTRMOD_AS_SEQUENCE, 1, neighbor},
	    {RTRMOD_AS_SET, 1, (const uint32_t[]){2}},
	    {RTRMOD_AS_SEQUENCE, 1, origin},
	};
	struct rtrmod_as_segment at_neighbor[] = {
	    {RTRMOD_AS_SET, 1, neighbor},
	    {RTRMOD_AS_SEQUENCE, 2, (const uint32_t[]){2, 1}},
	};
	struct rtrmod_as_segment empty_set[] = {
	    {RTRMOD_AS_SEQUENCE, 2, up},
	    {RTRMOD_AS_SET, 0, NULL},
	    {RTRMOD_AS_SEQUENCE, 1, origin},
	};
	struct rtrmod_as_segment only_set[] = {{RTRMOD_AS_SET, 2, set2}};

	/* Step 3 of §5.5 and §5.6: any AS_SET makes the path Invalid, even one
	 * whose sequence alone is valid, even a one-member or empty set. */
	for (int d = UP; d <= DOWN; d++) {
		ck_assert_int_eq(rtrmod_aspa_verify(set, d, at_origin, 2), INVALID);
		ck_assert_int_eq(rtrmod_aspa_verify(set, d, in_middle, 3), INVALID);
		ck_assert_int_eq(rtrmod_aspa_verify(set, d, at_neighbor, 2), INVALID);
		ck_assert_int_eq(rtrmod_aspa_verify(set, d, empty_set, 3), INVALID);
		ck_assert_int_eq(rtrmod_aspa_verify(set, d, only_set, 1), INVALID);
	}
	/* Also when the rest would be Unknown. */
	ck_assert_int_eq(rtrmod_aspa_verify(NULL, UP, at_origin, 2), INVALID);
	rtrmod_set_unref(set);
}
END_TEST

START_TEST(test_empty_and_single)
{
	struct rtrmod_set *set = build_set(world, ARRAY_SIZE(world));
	struct rtrmod_as_segment hollow[] = {
	    {RTRMOD_AS_SEQUENCE, 0, NULL},
	    {RTRMOD_AS_SEQUENCE, 0, NULL},
	};

	for (int d = UP; d <= DOWN; d++) {
		/* Step 1: an empty AS_PATH is Invalid. */
		ck_assert_int_eq(rtrmod_aspa_verify(set, d, NULL, 0), INVALID);
		ck_assert_int_eq(rtrmod_aspa_verify(set, d, hollow, 2), INVALID);
		/* One AS (the neighbor originated it): no hop to check, N = 1
		 * and both ramps are 1, whether or not it has an ASPA. */
		ck_assert_int_eq(VERIFY(set, d, 1), VALID);
		ck_assert_int_eq(VERIFY(set, d, 7), VALID);
		ck_assert_int_eq(VERIFY(set, d, 9), VALID);
		ck_assert_int_eq(VERIFY(set, d, 9, 9, 9, 9), VALID);
		ck_assert_int_eq(VERIFY(NULL, d, 7), VALID);
	}
	rtrmod_set_unref(set);
}
END_TEST

START_TEST(test_as0_aspa)
{
	struct rtrmod_set *set = build_set(world, ARRAY_SIZE(world));

	/* 9's AS0 ASPA says it has no providers: any AS above it is "Not
	 * Provider+", which a missing ASPA (7) would not be. */
	ck_assert_int_eq(VERIFY(set, UP, 3, 9), INVALID);
	ck_assert_int_eq(VERIFY(set, UP, 3, 7), UNKNOWN);
	ck_assert_int_eq(VERIFY(set, DOWN, 9, 4), VALID);      /* 9 and 4 peer */
	ck_assert_int_eq(VERIFY(set, DOWN, 9, 4, 3), INVALID); /* 9 - 4 - 3: two peerings */
	/* AS 0 beside real providers changes nothing (§4)... */
	ck_assert_int_eq(VERIFY(set, UP, 11, 10), VALID);
	ck_assert_int_eq(VERIFY(set, UP, 3, 10), INVALID);
	/* ...and never authorizes an AS 0 found in the path. */
	ck_assert_int_eq(VERIFY(set, UP, 0, 10), INVALID);
	ck_assert_int_eq(VERIFY(set, UP, 0, 9), INVALID);
	rtrmod_set_unref(set);
}
END_TEST

START_TEST(test_without_records)
{
	struct rtrmod_set *empty;

	/* No ASPA at all: every hop "No Attestation" -> Unknown; a NULL set
	 * reads as an empty one. */
	ck_assert_int_eq(rtrmod_set_new_empty(ctx, &empty), 0);
	ck_assert_int_eq(VERIFY(empty, UP, 1, 2, 3), UNKNOWN);
	ck_assert_int_eq(VERIFY(empty, DOWN, 1, 2, 3), UNKNOWN);
	ck_assert_int_eq(VERIFY(NULL, UP, 1, 2), UNKNOWN);
	ck_assert_int_eq(VERIFY(NULL, DOWN, 1, 2), VALID); /* one hop fits the apex */
	rtrmod_set_unref(empty);
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct rtrmod_set *set = build_set(world, ARRAY_SIZE(world));
	const uint32_t asns[] = {2, 1};
	struct rtrmod_as_segment confed = {(enum rtrmod_as_segment_type)3, 2, asns};
	struct rtrmod_as_segment null_asns = {RTRMOD_AS_SEQUENCE, 2, NULL};
	struct rtrmod_as_segment ok = {RTRMOD_AS_SEQUENCE, 2, asns};

	/* Not an AS_PATH the procedure can read: no verdict either way. */
	ck_assert_int_eq(rtrmod_aspa_verify(set, UP, &confed, 1), UNKNOWN);
	ck_assert_int_eq(rtrmod_aspa_verify(set, UP, &null_asns, 1), UNKNOWN);
	ck_assert_int_eq(rtrmod_aspa_verify(set, UP, NULL, 2), UNKNOWN);
	ck_assert_int_eq(rtrmod_aspa_verify(set, (enum rtrmod_aspa_direction)9, &ok, 1), UNKNOWN);
	ck_assert_int_eq(rtrmod_aspa_verify(set, UP, &ok, 1), VALID);
	rtrmod_set_unref(set);
}
END_TEST

/* No cap on the length: a 4000-AS customer chain, all attested. */
START_TEST(test_long_path)
{
	enum { LEN = 4000 };
	static uint32_t path[LEN];
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set;

	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	for (uint32_t i = 0; i < LEN; i++) {
		uint32_t customer = 100000 + i, provider = customer + 1;

		path[LEN - 1 - i] = customer; /* origin 100000 last */
		ck_assert_int_eq(rtrmod_set_builder_add_aspa(b, customer, &provider, 1), 0);
	}
	ck_assert_int_eq(rtrmod_set_builder_finish(b, &set), 0);
	ck_assert_int_eq(verify_seq(set, UP, path, LEN), VALID);
	ck_assert_int_eq(verify_seq(set, DOWN, path, LEN), VALID);
	path[0] = 7; /* a neighbor that is not the next AS's provider */
	ck_assert_int_eq(verify_seq(set, UP, path, LEN), INVALID);
	ck_assert_int_eq(verify_seq(set, DOWN, path, LEN), VALID); /* 7 may be a peer */
	path[LEN - 1] = 8; /* and an origin whose provider is unattested */
	ck_assert_int_eq(verify_seq(set, UP, path, LEN), INVALID);
	ck_assert_int_eq(verify_seq(set, DOWN, path, LEN), UNKNOWN);
	rtrmod_set_unref(set);
}
END_TEST

/* ---- brute force against the draft's definitions -------------------------- */

#define POOL    7 /* ASes 64500 .. 64506 */
#define MAXSEGS 3
#define MAXSEG  5

struct topo {
	bool has[POOL];
	size_t n[POOL];
	uint32_t prov[POOL][POOL + 1];
};

static uint32_t
rnd(uint32_t *s)
{
	/* xorshift32 */
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

enum ref_hop { REF_PROVIDER, REF_NOT_PROVIDER, REF_NO_ATTESTATION };

/* §5.3 Figure 1, read off the topology by linear search (AS 0 in a SPAS
 * has no influence, §4). */
static enum ref_hop
ref_authorized(const struct topo *t, uint32_t x, uint32_t y)
{
	if (x < 64500 || x >= 64500 + POOL || !t->has[x - 64500])
		return REF_NO_ATTESTATION;
	for (size_t i = 0; i < t->n[x - 64500]; i++)
		if (y != 0 && t->prov[x - 64500][i] == y)
			return REF_PROVIDER;
	return REF_NOT_PROVIDER;
}

/* §5.5/§5.6 steps 1, 3-6 on AS(1..N), origin first, exactly as written. */
static enum rtrmod_aspa_state
ref_verify(const struct topo *t, enum rtrmod_aspa_direction dir,
	   const struct rtrmod_as_segment *segs, size_t nsegs)
{
	uint32_t flat[MAXSEGS * MAXSEG], as[MAXSEGS * MAXSEG + 1];
	size_t m = 0, N = 0, max_up, min_up, max_down, min_down;
	bool has_set = false;

	for (size_t s = 0; s < nsegs; s++) {
		has_set |= segs[s].type == RTRMOD_AS_SET;
		for (size_t i = 0; i < segs[s].count; i++)
			flat[m++] = segs[s].asns[i];
	}
	if (m == 0)
		return INVALID;
	if (has_set)
		return INVALID;
	for (size_t i = m; i-- > 0;) /* COMPRESSED_AS_PATH, as[1] = origin */
		if (N == 0 || as[N] != flat[i])
			as[++N] = flat[i];

	max_up = min_up = max_down = min_down = N;
	for (size_t I = N - 1; I >= 1; I--) { /* minimum I */
		enum ref_hop h = ref_authorized(t, as[I], as[I + 1]);
		if (h == REF_NOT_PROVIDER)
			max_up = I;
		if (h != REF_PROVIDER)
			min_up = I;
	}
	for (size_t J = 2; J <= N; J++) { /* maximum J */
		enum ref_hop h = ref_authorized(t, as[J], as[J - 1]);
		if (h == REF_NOT_PROVIDER)
			max_down = N - J + 1;
		if (h != REF_PROVIDER)
			min_down = N - J + 1;
	}
	if (dir == UP)
		max_down = min_down = 0;
	if (max_up + max_down < N)
		return INVALID;
	if (min_up + min_down < N)
		return UNKNOWN;
	return VALID;
}

static uint32_t
random_asn(uint32_t *seed)
{
	return rnd(seed) % 40 == 0 ? 0 : 64500 + rnd(seed) % POOL;
}

static struct rtrmod_set *
random_topology(uint32_t *seed, struct topo *t)
{
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set;

	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(rtrmod_set_builder_new(ctx, &b), 0);
	for (size_t c = 0; c < POOL; c++) {
		uint32_t kind = rnd(seed) % 8;

		if (kind < 2)
			continue; /* no ASPA */
		t->has[c] = true;
		if (kind == 2)
			t->prov[c][t->n[c]++] = 0; /* AS0 ASPA */
		else
			for (size_t p = 0; p < POOL + 1; p++)
				if (p != c && rnd(seed) % 3 == 0)
					t->prov[c][t->n[c]++] = p == POOL ? 0 : 64500 + p;
		if (t->n[c] == 0)
			t->prov[c][t->n[c]++] = 0;
		/* Split in two ASPAs now and then: the U-SPAS is their union. */
		size_t half = t->n[c] > 1 && rnd(seed) % 4 == 0 ? t->n[c] / 2 : t->n[c];
		ck_assert_int_eq(rtrmod_set_builder_add_aspa(b, 64500 + c, t->prov[c], half), 0);
		if (half < t->n[c])
			ck_assert_int_eq(rtrmod_set_builder_add_aspa(
					     b, 64500 + c, t->prov[c] + half, t->n[c] - half),
					 0);
	}
	ck_assert_int_eq(rtrmod_set_builder_finish(b, &set), 0);
	return set;
}

static size_t
random_path(uint32_t *seed, uint32_t store[MAXSEGS][MAXSEG], struct rtrmod_as_segment *segs)
{
	size_t nsegs = rnd(seed) % (MAXSEGS + 1);
	uint32_t last = 64500;

	for (size_t s = 0; s < nsegs; s++) {
		segs[s].type = rnd(seed) % 24 == 0 ? RTRMOD_AS_SET : RTRMOD_AS_SEQUENCE;
		segs[s].count = rnd(seed) % MAXSEG;
		segs[s].asns = store[s];
		for (size_t i = 0; i < segs[s].count; i++) {
			/* Prepend a third of the time. */
			store[s][i] = rnd(seed) % 3 == 0 ? last : random_asn(seed);
			last = store[s][i];
		}
	}
	return nsegs;
}

static void
format_path(char *buf, size_t size, const struct rtrmod_as_segment *segs, size_t nsegs)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t s = 0; s < nsegs && used < size; s++) {
		used += snprintf(buf + used, size - used, "%s",
				 segs[s].type == RTRMOD_AS_SET ? "{" : "[");
		for (size_t i = 0; i < segs[s].count && used < size; i++)
			used += snprintf(buf + used, size - used, " %u", (unsigned)segs[s].asns[i]);
		if (used < size)
			used += snprintf(buf + used, size - used, " %s",
					 segs[s].type == RTRMOD_AS_SET ? "}" : "]");
	}
}

START_TEST(test_brute_force)
{
	uint32_t seed = 0x2545f491u;
	size_t seen[2][3] = {{0}};

	for (int round = 0; round < 300; round++) {
		struct topo t;
		struct rtrmod_set *set = random_topology(&seed, &t);

		for (int k = 0; k < 300; k++) {
			uint32_t store[MAXSEGS][MAXSEG];
			struct rtrmod_as_segment segs[MAXSEGS];
			size_t nsegs = random_path(&seed, store, segs);

			for (int d = UP; d <= DOWN; d++) {
				enum rtrmod_aspa_state want = ref_verify(&t, d, segs, nsegs);
				enum rtrmod_aspa_state got =
				    rtrmod_aspa_verify(set, d, segs, nsegs);
				char text[256];

				if (got != want) {
					format_path(text, sizeof(text), segs, nsegs);
					ck_abort_msg("round %d path %d %s %s: got %s, want %s",
						     round, k, d == UP ? "up" : "down", text,
						     rtrmod_aspa_state_name(got),
						     rtrmod_aspa_state_name(want));
				}
				seen[d][got]++;
			}
		}
		rtrmod_set_unref(set);
	}
	/* The run reached every outcome in both directions. */
	for (int d = 0; d < 2; d++)
		for (int s = 0; s < 3; s++)
			ck_assert_msg(seen[d][s] > 1000, "dir %d state %d seen %zu", d, s,
				      seen[d][s]);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("aspa_verify");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_state_names);
	tcase_add_test(tc, test_draft_examples);
	tcase_add_test(tc, test_upstream);
	tcase_add_test(tc, test_downstream);
	tcase_add_test(tc, test_prepending);
	tcase_add_test(tc, test_as_set_anywhere);
	tcase_add_test(tc, test_empty_and_single);
	tcase_add_test(tc, test_as0_aspa);
	tcase_add_test(tc, test_without_records);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_long_path);
	tcase_add_test(tc, test_brute_force);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
