/*
 * aspa_verify.c: ASPA-based AS_PATH verification, upstream and downstream,
 * per draft-ietf-sidrops-aspa-verification-28 (section numbers below are
 * -28's; -27 had the same algorithm in its §5.1-§5.5).  It reads the set's
 * ASPA records only, allocates nothing and has no cap on the path length:
 * the ramp bounds are gathered in one pass over the path in wire order,
 * one record lookup per distinct AS, so the cost is O(N log R).
 *
 * The path arrives neighbor first; the draft numbers it from the origin,
 * AS(1) = origin ... AS(N) = neighbor, on the COMPRESSED_AS_PATH (§5.2).
 * For wire index w (0 = neighbor) of the compressed path, AS(I) is
 * wire[N - I], so the hop between wire[p] and wire[p + 1] is
 *   up-ramp hop   authorized(wire[p + 1], wire[p])  with I = N - p - 1,
 *   down-ramp hop authorized(wire[p], wire[p + 1])  with J = N - p.
 * The minimum I of §5.4 is therefore the LAST such p in wire order, and
 * the maximum J the FIRST one.
 *
 * Left to the caller, as §5.1 makes them prerequisites applied before
 * verification: the neighbor-AS check (step 2 of §5.5/§5.6, RFC 4271
 * §6.3, with the RS-client exception) and AS4_PATH reconstruction
 * (RFC 6793 §4.2.3).  Confederation segments must be stripped by the host.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/records.h>
#include <rtrmod/rov.h>

#include "rtrmod_internal.h"

/* The provider authorization function's three results (§5.3, Figure 1). */
enum aspa_hop {
	ASPA_HOP_PROVIDER,       /* "Provider+" */
	ASPA_HOP_NOT_PROVIDER,   /* "Not Provider+" */
	ASPA_HOP_NO_ATTESTATION, /* "No Attestation" */
};

/* Ramp bounds of §5.4, all in 1..N (or 0 for an unused down-ramp). */
struct aspa_ramps {
	size_t n; /* length of the COMPRESSED_AS_PATH */
	size_t max_up, min_up;
	size_t max_down, min_down;
};

/* Walks the COMPRESSED_AS_PATH (§5.2) in wire order: consecutive equal
 * ASNs count once, also across segment boundaries.  Only called once the
 * segments are known to be well-formed AS_SEQUENCEs. */
struct aspa_cursor {
	const struct rtrmod_as_segment *segs;
	size_t nsegs, seg, idx;
	bool have_last;
	uint32_t last;
};

static bool
aspa_cursor_next(struct aspa_cursor *c, uint32_t *asn)
{
	while (c->seg < c->nsegs) {
		const struct rtrmod_as_segment *s = &c->segs[c->seg];

		if (c->idx >= s->count) {
			c->seg++;
			c->idx = 0;
			continue;
		}
		*asn = s->asns[c->idx++];
		if (c->have_last && *asn == c->last)
			continue; /* prepending: AS(i) == AS(i+1) is one AS */
		c->have_last = true;
		c->last = *asn;
		return true;
	}
	return false;
}

/* Whether the customer's U-SPAS lists `asn`.  Providers are sorted and
 * unique (records.h).  AS 0 never counts as a provider: an AS0 ASPA
 * ({0}) says "no providers", and "an unexpected presence of AS 0 has no
 * influence on the AS_PATH verification procedures" (§4), so AS 0 in the
 * path is not made an attested provider by an AS 0 in the SPAS. */
static bool
aspa_lists_provider(const struct rtrmod_aspa *rec, uint32_t asn)
{
	size_t lo = 0, hi = rec->provider_count;

	if (asn == 0)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rec->providers[mid] == asn)
			return true;
		if (rec->providers[mid] < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* authorized(customer, provider) of §5.3, given the customer's record
 * (NULL: no ASPA, hence "No Attestation").  The set holds one merged
 * record per customer, which is the U-SPAS the draft asks for. */
static enum aspa_hop
aspa_hop_check(const struct rtrmod_aspa *customer, uint32_t provider)
{
	if (customer == NULL)
		return ASPA_HOP_NO_ATTESTATION;
	if (aspa_lists_provider(customer, provider))
		return ASPA_HOP_PROVIDER;
	return ASPA_HOP_NOT_PROVIDER;
}

static const struct rtrmod_aspa *
aspa_lookup(const struct rtrmod_set *set, uint32_t customer)
{
	return set != NULL ? rtrmod_set_find_aspa(set, customer) : NULL;
}

/*
 * Steps 1 and 3 of §5.5/§5.6, and the shape of the caller's arguments.
 * Returns -1 when the path is fit for the ramp computation, else the
 * outcome: INVALID for an empty path or one holding an AS_SET (of any
 * size, anywhere: RFC 9774 deprecates AS_SET and §5.1 points there);
 * UNKNOWN for what is no AS_PATH we can read at all (NULL arrays, a
 * segment type other than AS_SEQUENCE/AS_SET): a caller bug, on which the
 * procedure reaches no verdict, so it makes no claim.
 */
static int
aspa_path_check(const struct rtrmod_as_segment *path, size_t segment_count)
{
	bool has_set = false, bad = false;
	size_t asns = 0;

	if (segment_count > 0 && path == NULL)
		return RTRMOD_ASPA_UNKNOWN;
	for (size_t i = 0; i < segment_count; i++) {
		if (path[i].count > 0 && path[i].asns == NULL)
			bad = true;
		else if (path[i].type == RTRMOD_AS_SET)
			has_set = true;
		else if (path[i].type != RTRMOD_AS_SEQUENCE)
			bad = true;
		asns += path[i].count;
	}
	if (bad)
		return RTRMOD_ASPA_UNKNOWN;
	if (asns == 0 || has_set)
		return RTRMOD_ASPA_INVALID; /* steps 1 and 3 */
	return -1;
}

/*
 * One pass over the compressed path computing the bounds of §5.4.  Each
 * ASN's record is looked up once: the customer of the up-ramp hop
 * (closer to the origin) is the next pair's down-ramp customer.  With
 * `upstream`, the down-ramp is not measured: §5.5 sets it to 0.
 */
static void
aspa_measure(const struct rtrmod_set *set, const struct rtrmod_as_segment *path,
	     size_t segment_count, bool upstream, struct aspa_ramps *r)
{
	struct aspa_cursor c = {.segs = path, .nsegs = segment_count};
	const struct rtrmod_aspa *prev_rec = NULL;
	size_t up_not = SIZE_MAX, up_weak = SIZE_MAX;     /* last pair index p */
	size_t down_not = SIZE_MAX, down_weak = SIZE_MAX; /* first pair index p */
	uint32_t prev = 0, cur;
	size_t w = 0;

	for (; aspa_cursor_next(&c, &cur); w++, prev = cur) {
		const struct rtrmod_aspa *cur_rec = aspa_lookup(set, cur);
		enum aspa_hop up, down;

		if (w > 0) {
			up = aspa_hop_check(cur_rec, prev);
			if (up != ASPA_HOP_PROVIDER)
				up_weak = w - 1;
			if (up == ASPA_HOP_NOT_PROVIDER)
				up_not = w - 1;
			down = upstream ? ASPA_HOP_PROVIDER : aspa_hop_check(prev_rec, cur);
			if (down != ASPA_HOP_PROVIDER && down_weak == SIZE_MAX)
				down_weak = w - 1;
			if (down == ASPA_HOP_NOT_PROVIDER && down_not == SIZE_MAX)
				down_not = w - 1;
		}
		prev_rec = cur_rec;
	}
	r->n = w;
	r->max_up = up_not == SIZE_MAX ? w : w - up_not - 1;
	r->min_up = up_weak == SIZE_MAX ? w : w - up_weak - 1;
	r->max_down = upstream ? 0 : down_not == SIZE_MAX ? w : down_not + 1;
	r->min_down = upstream ? 0 : down_weak == SIZE_MAX ? w : down_weak + 1;
}

/*
 * §5.5 (upstream: from a customer, a lateral peer, an RS client at an RS
 * or an RS at an RS client) and §5.6 (downstream: from a provider).  With
 * the down-ramp at 0 for upstream, both end in the same steps 4-6:
 * Invalid if the maximum ramps cannot cover the path (the apexes are more
 * than one hop apart, §5.2), Unknown if the attested ramps do not, else
 * Valid.  A single-AS path has no hop, so both ramps are N = 1: Valid.
 */
enum rtrmod_aspa_state
rtrmod_aspa_verify(const struct rtrmod_set *set, enum rtrmod_aspa_direction direction,
		   const struct rtrmod_as_segment *path, size_t segment_count)
{
	struct aspa_ramps r;
	int early;

	if (direction != RTRMOD_ASPA_UPSTREAM && direction != RTRMOD_ASPA_DOWNSTREAM)
		return RTRMOD_ASPA_UNKNOWN; /* no procedure to apply */
	early = aspa_path_check(path, segment_count);
	if (early >= 0)
		return (enum rtrmod_aspa_state)early;
	aspa_measure(set, path, segment_count, direction == RTRMOD_ASPA_UPSTREAM, &r);
	if (r.max_up + r.max_down < r.n)
		return RTRMOD_ASPA_INVALID; /* step 4 */
	if (r.min_up + r.min_down < r.n)
		return RTRMOD_ASPA_UNKNOWN; /* step 5 */
	return RTRMOD_ASPA_VALID;           /* step 6 */
}

static const char *const aspa_state_names[] = {
    [RTRMOD_ASPA_VALID] = "valid",
    [RTRMOD_ASPA_INVALID] = "invalid",
    [RTRMOD_ASPA_UNKNOWN] = "unknown",
};

const char *
rtrmod_aspa_state_name(enum rtrmod_aspa_state state)
{
	if ((unsigned)state >= ARRAY_SIZE(aspa_state_names))
		return "?";
	return aspa_state_names[state];
}
