/*
 * records_internal.h: what prefix.c, set.c and delta.c share behind
 * rtrmod/records.h: the layout of a set (one allocation holding every
 * array and both arenas), a fill cursor that counts a set's sizes in a
 * first pass and writes it in a second, and the fast VRP sort.
 */
#ifndef RTRMOD_RECORDS_INTERNAL_H
#define RTRMOD_RECORDS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/records.h>

/*
 * A frozen set.  Everything lives in the block that starts with this
 * header; `memory` is that block's size.  Each array is in canonical order
 * without duplicates; keys point into `spki`, ASPAs into `providers`.
 * The reference count is not atomic: references are taken and dropped on
 * the host's loop thread only (DESIGN.md, rule 1).
 */
struct rtrmod_set {
	struct rtrmod_ctx *ctx;
	size_t refs;
	size_t memory;
	struct rtrmod_vrp *vrps;
	size_t vrp_count;
	struct rtrmod_router_key *keys;
	size_t key_count;
	uint8_t *spki;
	size_t spki_size;
	struct rtrmod_aspa *aspas;
	size_t aspa_count;
	uint32_t *providers;
	size_t provider_count;
};

struct set_sizes {
	size_t vrps, keys, spki, aspas, providers;
};

/* A set with room for exactly `n`, counts set, refs 1; contents unset. */
int set_alloc(struct rtrmod_ctx *ctx, const struct set_sizes *n, struct rtrmod_set **out);

/*
 * Appends records to a set in canonical order.  With `set` NULL it only
 * counts, so a first pass sizes the set and a second, identical pass
 * fills it.  Writes past the allocated sizes are dropped and counted, and
 * set_fill_done() refuses them.
 */
struct set_fill {
	struct rtrmod_set *set;
	struct set_sizes n;
};

void set_fill_vrp(struct set_fill *f, const struct rtrmod_vrp *vrp);
void set_fill_key(struct set_fill *f, const struct rtrmod_router_key *key);
void set_fill_aspa(struct set_fill *f, uint32_t customer, const uint32_t *providers,
		   uint32_t count);
/* 0 if the fill wrote exactly what was allocated, else RTRMOD_EINVAL. */
int set_fill_done(const struct set_fill *f);

/* Whether the prefix is well formed: known AFI, length in range, IPv4
 * bytes past addr[3] zero, no host bits past the length (prefix.c). */
bool prefix_valid(const struct rtrmod_prefix *p);
/* 0 or RTRMOD_EINVAL: RFC 6811 §2 requires prefix length <= max length
 * <= address length. */
int vrp_check(const struct rtrmod_vrp *vrp);

/*
 * A VRP as three integers whose lexicographic order is the canonical order
 * (afi, addr, len, max_len, asn): hi = afi | addr[0..6], mid = addr[7..14],
 * lo = addr[15] | len | max_len | asn.  The encoding is a bijection.
 */
struct vrp_key {
	uint64_t hi, mid, lo;
};

void vrp_key_encode(struct vrp_key *k, const struct rtrmod_vrp *vrp);
void vrp_key_decode(struct rtrmod_vrp *vrp, const struct vrp_key *k);

static inline int
vrp_key_cmp(const struct vrp_key *a, const struct vrp_key *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->mid != b->mid)
		return a->mid < b->mid ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

/* Sort keys ascending (stable merge sort; O(n) on sorted input). */
int vrp_key_sort(struct rtrmod_ctx *ctx, struct vrp_key *k, size_t n);
/* Sort VRPs into canonical order through their keys. */
int vrp_sort(struct rtrmod_ctx *ctx, struct rtrmod_vrp *v, size_t n);

/* Sort ascending and drop repeats; returns the new count. */
size_t u32_sort_unique(uint32_t *a, size_t n);

/* `arr` (elements of `size` bytes, *cap of them) grown to hold at least
 * `need` (need >= 1): the array, maybe moved, or NULL with `arr` and *cap
 * unchanged when out of memory. */
void *records_grow(struct rtrmod_ctx *ctx, void *arr, size_t *cap, size_t need, size_t size);

#endif
