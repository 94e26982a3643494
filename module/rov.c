/*
 * rov.c: the route origin validation index (RFC 6811 §2) that a client
 * builds once from a set, keeps current with deltas, and asks "is this
 * route valid, and if not, why?".  Lookups do not allocate and touch at
 * most two short sorted arrays; an update rewrites only the arrays it
 * touches and is all or nothing.
 *
 * Layout.  Each address family splits its VRPs at S bits (S = 16 for IPv4,
 * 32 for IPv6).  A VRP shorter than S lives in the family's short tier; a
 * VRP of S bits or more lives in the bucket of its first S bits.  IPv4
 * buckets hang off a direct table of 2^16 slots; IPv6 buckets off an
 * open-addressed hash of /32s (linear probing, at most half full).  A tier
 * (the short tier or one bucket) is one allocation: a count and an array
 * of entries, one per VRP, 16 bytes for IPv4 and 28 for IPv6.
 *
 * Invariants, in every tier between calls:
 *  1. Entries are in canonical order (address, length, max length, ASN)
 *     without duplicates.  The entries of one prefix, a "group", are
 *     adjacent, and `first` is set on the first entry of each group only.
 *  2. Each entry's `up` is the index of the last entry of the nearest group
 *     in the same tier whose prefix strictly covers its own, or ROV_NONE.
 *     `up` is below the group's first index, and following it visits
 *     strictly shorter nested prefixes, so a walk takes at most as many
 *     steps as the tier has lengths: 16 or 17 (IPv4), 32 or 97 (IPv6).
 *  3. A tier with no entries is not kept: its pointer is NULL, and an IPv6
 *     bucket's hash slot is empty.
 *  4. A slot's `outer` is the last entry of the most specific short-tier
 *     group that covers the slot's /S, or ROV_NONE.  A short prefix covers
 *     a route of S bits or more exactly when it covers the route's /S, so
 *     `outer` is where a long route's walk continues in the short tier.
 *     IPv4 keeps it for all 2^16 slots, IPv6 for the slots of its buckets.
 *  5. vrp_count is the sum of the tiers' counts.
 *
 * Lookup.  Within a tier, the groups covering a route are its predecessor
 * p (the last entry <= (route address, route length)) and p's ancestors:
 * a covering prefix sorts at or before p, and p lies inside it, so it
 * contains p's prefix.  Walking `up` from p to the first group that covers
 * the route finds the most specific covering group; every group above it
 * covers too.  A route of S bits or more walks its bucket, then the short
 * tier from `outer`; a shorter one searches the short tier alone.
 *
 * Updates (rov_update.c) replace whole tiers, all or nothing.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rtrmod/rov.h>

#include "rov_internal.h"
#include "rtrmod_internal.h"

/* ---- lookups ----------------------------------------------------------- */

/* Where a route's covering VRPs are: a chain in its bucket (bi in b) and
 * one in the short tier (si in s). */
struct rov_where {
	const struct rov_tier *b, *s;
	uint32_t bi, si;
};

ROV_INLINE void
fam_locate(const struct rov_family *f, bool v6, struct rov_key k, unsigned int len,
	   struct rov_where *w)
{
	const struct rov_slot *slot = NULL;
	uint32_t key, mask, i;

	w->b = NULL;
	w->bi = ROV_NONE;
	w->s = f->shorts;
	w->si = ROV_NONE;
	if (len < fam_split(v6) || f->slots == NULL) {
		w->si = tier_find(f->shorts, v6, k, len);
		return;
	}
	key = key_bucket(k, v6);
	if (!v6) {
		slot = &f->slots[key];
	} else {
		mask = f->hash_size - 1;
		for (i = hash_home(key, f->hash_size); f->slots[i].t != NULL; i = (i + 1) & mask) {
			if (f->slots[i].key == key) {
				slot = &f->slots[i];
				break;
			}
		}
		if (slot == NULL) {
			w->si = tier_find(f->shorts, v6, k, len);
			return;
		}
	}
	w->si = slot->outer;
	if (slot->t != NULL) {
		w->b = slot->t;
		w->bi = tier_find(slot->t, v6, k, len);
	}
}

/* ---- validation (RFC 6811 §2) ------------------------------------------- */

/* What the covering VRPs seen so far say. */
struct rov_acc {
	bool covered; /* some VRP covers the route */
	bool real;    /* some covering VRP is not AS0 */
	bool origin;  /* some covering VRP has the origin, max length too short */
	bool length;  /* some covering non-AS0 VRP's max length allows the route */
};

/*
 * Fold in the group whose last entry is `i`; true if one of its VRPs
 * matches.  AS0 VRPs never match (RFC 6483 §4, RFC 7607), and an AS_SET
 * origin is RFC 6811's NONE, which matches nothing.
 */
ROV_INLINE bool
group_check(const struct rov_tier *t, bool v6, uint32_t i, bool as, uint32_t asn, unsigned int len,
	    struct rov_acc *acc)
{
	const struct rov_ent *e;

	acc->covered = true;
	for (;; i--) {
		e = ent_at(t, v6, i);
		if (e->asn != 0) {
			acc->real = true;
			if (as && e->asn == asn) {
				if (len <= e->max_len)
					return true;
				acc->origin = true;
			} else if (len <= e->max_len) {
				acc->length = true;
			}
		}
		if (e->first)
			return false;
	}
}

ROV_INLINE bool
chain_check(const struct rov_tier *t, bool v6, uint32_t i, bool as, uint32_t asn, unsigned int len,
	    struct rov_acc *acc)
{
	for (; i != ROV_NONE; i = ent_at(t, v6, i)->up) {
		if (group_check(t, v6, i, as, asn, len, acc))
			return true;
	}
	return false;
}

ROV_INLINE enum rtrmod_rov_state
fam_validate(const struct rov_family *f, bool v6, struct rov_key k, unsigned int len, bool as,
	     uint32_t asn, enum rtrmod_rov_reason *reason)
{
	struct rov_acc acc = {false, false, false, false};
	struct rov_where w;

	fam_locate(f, v6, k, len, &w);
	if (chain_check(w.b, v6, w.bi, as, asn, len, &acc) ||
	    chain_check(w.s, v6, w.si, as, asn, len, &acc)) {
		*reason = RTRMOD_ROV_REASON_NONE;
		return RTRMOD_ROV_VALID;
	}
	if (!acc.covered)
		*reason = RTRMOD_ROV_REASON_NONE;
	else if (!as)
		*reason = RTRMOD_ROV_REASON_AS_SET;
	else if (!acc.real)
		*reason = RTRMOD_ROV_REASON_AS0;
	else if (acc.origin)
		*reason = RTRMOD_ROV_REASON_MAX_LENGTH;
	else if (acc.length)
		*reason = RTRMOD_ROV_REASON_ORIGIN;
	else
		*reason = RTRMOD_ROV_REASON_BOTH;
	return acc.covered ? RTRMOD_ROV_INVALID : RTRMOD_ROV_NOT_FOUND;
}

/* The route's family and address, host bits cleared; false if malformed. */
static bool
route_key(const struct rtrmod_prefix *p, bool *v6, struct rov_key *k)
{
	struct rov_key m;

	if (p == NULL || (p->afi != RTRMOD_AFI_IPV4 && p->afi != RTRMOD_AFI_IPV6))
		return false;
	*v6 = p->afi == RTRMOD_AFI_IPV6;
	if (p->len > fam_bits(*v6))
		return false;
	*k = key_from_bytes(p->addr, *v6);
	m = key_mask(p->len);
	k->hi &= m.hi;
	k->lo &= m.lo;
	return true;
}

enum rtrmod_rov_state
rtrmod_rov_validate(const struct rtrmod_rov_index *idx, const struct rtrmod_prefix *prefix,
		    struct rtrmod_origin origin, enum rtrmod_rov_reason *reason)
{
	enum rtrmod_rov_reason scratch;
	struct rov_key k;
	bool v6, as = origin.kind == RTRMOD_ORIGIN_AS;

	if (reason == NULL)
		reason = &scratch;
	*reason = RTRMOD_ROV_REASON_NONE;
	if (idx == NULL || !route_key(prefix, &v6, &k))
		return RTRMOD_ROV_NOT_FOUND;
	/* Two copies, each with the family a constant. */
	if (v6)
		return fam_validate(&idx->fam[1], true, k, prefix->len, as, origin.asn, reason);
	return fam_validate(&idx->fam[0], false, k, prefix->len, as, origin.asn, reason);
}

/* ---- covering VRPs ------------------------------------------------------ */

static void
key_to_bytes(struct rov_key k, bool v6, uint8_t *a)
{
	int i;

	memset(a, 0, 16);
	for (i = 0; i < (v6 ? 8 : 4); i++)
		a[i] = (uint8_t)(k.hi >> (56 - 8 * i));
	for (i = 8; v6 && i < 16; i++)
		a[i] = (uint8_t)(k.lo >> (56 - 8 * (i - 8)));
}

/* Call cb for the group ending at `last`, in canonical order; its size. */
static size_t
group_emit(const struct rov_tier *t, bool v6, uint32_t last, rtrmod_vrp_cb *cb, void *arg)
{
	struct rtrmod_vrp vrp;
	const struct rov_ent *e;
	uint32_t first = last, i;

	while (!ent_at(t, v6, first)->first)
		first--;
	for (i = first; i <= last; i++) {
		e = ent_at(t, v6, i);
		memset(&vrp, 0, sizeof(vrp));
		vrp.prefix.afi = v6 ? RTRMOD_AFI_IPV6 : RTRMOD_AFI_IPV4;
		vrp.prefix.len = e->len;
		key_to_bytes(ent_key(e, v6), v6, vrp.prefix.addr);
		vrp.max_len = e->max_len;
		vrp.asn = e->asn;
		if (cb != NULL)
			cb(arg, &vrp);
	}
	return (size_t)(last - first) + 1;
}

size_t
rtrmod_rov_covering(const struct rtrmod_rov_index *idx, const struct rtrmod_prefix *prefix,
		    rtrmod_vrp_cb *cb, void *arg)
{
	struct rov_link {
		const struct rov_tier *t;
		uint32_t i;
	} chain[ROV_CHAIN_MAX];
	struct rov_where w;
	struct rov_key k;
	size_t n = 0, count = 0;
	uint32_t i;
	bool v6;

	if (idx == NULL || !route_key(prefix, &v6, &k))
		return 0;
	fam_locate(&idx->fam[v6], v6, k, prefix->len, &w);
	/* Most specific first: the bucket's chain, then the short tier's. */
	for (i = w.bi; i != ROV_NONE && n < ROV_CHAIN_MAX; i = ent_at(w.b, v6, i)->up)
		chain[n++] = (struct rov_link){w.b, i};
	for (i = w.si; i != ROV_NONE && n < ROV_CHAIN_MAX; i = ent_at(w.s, v6, i)->up)
		chain[n++] = (struct rov_link){w.s, i};
	while (n-- > 0)
		count += group_emit(chain[n].t, v6, chain[n].i, cb, arg);
	return count;
}

const char *
rtrmod_rov_state_name(enum rtrmod_rov_state state)
{
	switch (state) {
	case RTRMOD_ROV_NOT_FOUND:
		return "not-found";
	case RTRMOD_ROV_VALID:
		return "valid";
	case RTRMOD_ROV_INVALID:
		return "invalid";
	}
	return "unknown";
}

const char *
rtrmod_rov_reason_name(enum rtrmod_rov_reason reason)
{
	switch (reason) {
	case RTRMOD_ROV_REASON_NONE:
		return "none";
	case RTRMOD_ROV_REASON_ORIGIN:
		return "origin-mismatch";
	case RTRMOD_ROV_REASON_MAX_LENGTH:
		return "max-length";
	case RTRMOD_ROV_REASON_BOTH:
		return "origin-and-max-length";
	case RTRMOD_ROV_REASON_AS0:
		return "as0";
	case RTRMOD_ROV_REASON_AS_SET:
		return "as-set";
	}
	return "unknown";
}

/* ---- the index ---------------------------------------------------------- */

int
rtrmod_rov_index_new(struct rtrmod_ctx *ctx, const struct rtrmod_set *set,
		     struct rtrmod_rov_index **out)
{
	struct rtrmod_rov_index *idx;
	const struct rtrmod_vrp *vrps;
	size_t n = 0;
	int rc;

	if (out == NULL)
		return RTRMOD_EINVAL;
	*out = NULL;
	if (ctx == NULL || set == NULL)
		return RTRMOD_EINVAL;
	idx = ctx_zalloc(ctx, sizeof(*idx));
	if (idx == NULL)
		return RTRMOD_ENOMEM;
	idx->ctx = ctx;
	vrps = rtrmod_set_vrps(set, &n);
	if (n > 0 && (rc = rov_apply(idx, NULL, 0, vrps, n)) != 0) {
		rtrmod_rov_index_free(idx);
		return rc;
	}
	*out = idx;
	return 0;
}

void
rtrmod_rov_index_free(struct rtrmod_rov_index *idx)
{
	struct rov_family *f;
	uint32_t s, n;
	int i;

	if (idx == NULL)
		return;
	for (i = 0; i < 2; i++) {
		f = &idx->fam[i];
		ctx_free(idx->ctx, f->shorts);
		n = f->slots == NULL ? 0 : i == 0 ? ROV_DIR4 : f->hash_size;
		for (s = 0; s < n; s++)
			ctx_free(idx->ctx, f->slots[s].t);
		ctx_free(idx->ctx, f->slots);
	}
	ctx_free(idx->ctx, idx);
}

int
rtrmod_rov_index_update(struct rtrmod_rov_index *idx, const struct rtrmod_delta *delta)
{
	const struct rtrmod_vrp *w, *a;
	size_t nw = 0, na = 0;
	int rc;

	if (idx == NULL || delta == NULL)
		return RTRMOD_EINVAL;
	w = rtrmod_delta_vrps(delta, false, &nw);
	a = rtrmod_delta_vrps(delta, true, &na);
	if (nw == 0 && na == 0)
		return 0;
	rc = rov_apply(idx, w, nw, a, na);
	if (rc == 0)
		log_debug(idx->ctx, "rov: -%zu +%zu VRPs, %zu now", nw, na, idx->vrp_count);
	return rc;
}

size_t
rtrmod_rov_index_vrp_count(const struct rtrmod_rov_index *idx)
{
	return idx != NULL ? idx->vrp_count : 0;
}

static size_t
tier_bytes(const struct rov_tier *t, bool v6)
{
	if (t == NULL)
		return 0;
	return sizeof(*t) + (size_t)t->count * ROV_WORDS(v6) * sizeof(uint32_t);
}

size_t
rtrmod_rov_index_memory(const struct rtrmod_rov_index *idx)
{
	const struct rov_family *f;
	size_t m, s, n;
	int i;

	if (idx == NULL)
		return 0;
	m = sizeof(*idx);
	for (i = 0; i < 2; i++) {
		f = &idx->fam[i];
		m += tier_bytes(f->shorts, i == 1);
		n = f->slots == NULL ? 0 : i == 0 ? ROV_DIR4 : f->hash_size;
		m += n * sizeof(*f->slots);
		for (s = 0; s < n; s++)
			m += tier_bytes(f->slots[s].t, i == 1);
	}
	return m;
}
