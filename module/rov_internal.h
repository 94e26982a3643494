/*
 * rov_internal.h: the ROV index's layout and the inline helpers that its
 * lookups (rov.c) and its updates (rov_update.c) share.  The layout and
 * its invariants are described at the top of rov.c.
 */
#ifndef RTRMOD_ROV_INTERNAL_H
#define RTRMOD_ROV_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/records.h>
#include <rtrmod/rov.h>

/* The lookup helpers take the family as a constant `v6`, and are inlined
 * into callers that pass true or false, so each family gets its own code. */
#if defined(__GNUC__)
#define ROV_INLINE      static inline __attribute__((always_inline))
#define ROV_PREFETCH(p) __builtin_prefetch(p)
#else
#define ROV_INLINE      static inline
#define ROV_PREFETCH(p) ((void)(p))
#endif

#define ROV_NONE     UINT32_MAX
#define ROV_DIR4     (1u << 16)
#define ROV_HASH_MIN 64u
/* Nested prefixes have distinct lengths: at most 129 in one chain. */
#define ROV_CHAIN_MAX 130

/* An address as a 128-bit number, most significant bit first; IPv4 sits
 * in the top 32 bits of hi. */
struct rov_key {
	uint64_t hi, lo;
};

/* One VRP in a tier; `addr` has 1 word (IPv4) or 4 (IPv6), host order. */
struct rov_ent {
	uint32_t asn;
	uint32_t up; /* invariant 2 */
	uint8_t len;
	uint8_t max_len;
	uint8_t first; /* invariant 1 */
	uint8_t pad;
	uint32_t addr[];
};

/* A sorted array of entries of ROV_WORDS(v6) words each. */
struct rov_tier {
	uint32_t count;
	uint32_t w[];
};

#define ROV_WORDS(v6) ((v6) ? 7u : 4u)

/* IPv4: slot i is the /16 i.  IPv6: a hash slot, empty when t is NULL. */
struct rov_slot {
	struct rov_tier *t;
	uint32_t key;
	uint32_t outer; /* invariant 4 */
};

struct rov_family {
	struct rov_tier *shorts;
	struct rov_slot *slots; /* IPv4: ROV_DIR4 of them, or NULL until needed */
	uint32_t hash_size;     /* IPv6: a power of two, or 0 */
	uint32_t hash_used;
};

struct rtrmod_rov_index {
	struct rtrmod_ctx *ctx;
	size_t vrp_count;
	struct rov_family fam[2]; /* IPv4, IPv6 */
};

/* ---- keys and entries --------------------------------------------------- */

ROV_INLINE unsigned int
fam_bits(bool v6)
{
	return v6 ? 128 : 32;
}

ROV_INLINE unsigned int
fam_split(bool v6)
{
	return v6 ? 32 : 16;
}

/* The first len bits of a 128-bit key. */
ROV_INLINE struct rov_key
key_mask(unsigned int len)
{
	struct rov_key m;

	m.hi = len == 0 ? 0 : len >= 64 ? UINT64_MAX : UINT64_MAX << (64 - len);
	m.lo = len <= 64 ? 0 : UINT64_MAX << (128 - len);
	return m;
}

/* Whether a and b agree on their first len bits. */
ROV_INLINE bool
key_match(struct rov_key a, struct rov_key b, unsigned int len)
{
	struct rov_key m = key_mask(len);

	return (((a.hi ^ b.hi) & m.hi) | ((a.lo ^ b.lo) & m.lo)) == 0;
}

ROV_INLINE uint64_t
load_be64(const uint8_t *a)
{
	return (uint64_t)a[0] << 56 | (uint64_t)a[1] << 48 | (uint64_t)a[2] << 40 |
	       (uint64_t)a[3] << 32 | (uint64_t)a[4] << 24 | (uint64_t)a[5] << 16 |
	       (uint64_t)a[6] << 8 | a[7];
}

/* The key of 4 (IPv4) or 16 address bytes in network order. */
ROV_INLINE struct rov_key
key_from_bytes(const uint8_t *a, bool v6)
{
	struct rov_key k;

	if (v6) {
		k.hi = load_be64(a);
		k.lo = load_be64(a + 8);
	} else {
		k.hi = ((uint64_t)a[0] << 24 | (uint64_t)a[1] << 16 | (uint64_t)a[2] << 8 | a[3])
		       << 32;
		k.lo = 0;
	}
	return k;
}

/* The bucket of a long prefix: its first S bits. */
ROV_INLINE uint32_t
key_bucket(struct rov_key k, bool v6)
{
	return (uint32_t)(k.hi >> (64 - fam_split(v6)));
}

ROV_INLINE const struct rov_ent *
ent_at(const struct rov_tier *t, bool v6, uint32_t i)
{
	return (const struct rov_ent *)(const void *)(t->w + (size_t)i * ROV_WORDS(v6));
}

ROV_INLINE struct rov_ent *
ent_mut(struct rov_tier *t, bool v6, uint32_t i)
{
	return (struct rov_ent *)(void *)(t->w + (size_t)i * ROV_WORDS(v6));
}

ROV_INLINE struct rov_key
ent_key(const struct rov_ent *e, bool v6)
{
	struct rov_key k;

	if (v6) {
		k.hi = (uint64_t)e->addr[0] << 32 | e->addr[1];
		k.lo = (uint64_t)e->addr[2] << 32 | e->addr[3];
	} else {
		k.hi = (uint64_t)e->addr[0] << 32;
		k.lo = 0;
	}
	return k;
}

/* Whether (entry prefix) <= (k, len) in canonical order. */
ROV_INLINE bool
ent_le(const struct rov_ent *e, bool v6, struct rov_key k, unsigned int len)
{
	struct rov_key ek = ent_key(e, v6);

	/* Without branches: a binary search's branches mispredict half
	 * the time.  IPv4 keys leave the low 32 bits of hi free for len. */
	if (!v6)
		return (ek.hi | e->len) <= (k.hi | len);
	return (ek.hi < k.hi) |
	       ((ek.hi == k.hi) & ((ek.lo < k.lo) | ((ek.lo == k.lo) & (e->len <= len))));
}

ROV_INLINE bool
ent_covers(const struct rov_ent *e, bool v6, struct rov_key k, unsigned int len)
{
	return e->len <= len && key_match(ent_key(e, v6), k, e->len);
}

/* ---- searching a tier --------------------------------------------------- */

/*
 * The last entry of the most specific group in `t` that covers the route
 * (k, len), or ROV_NONE: the predecessor, then up its ancestors to the
 * first one that covers (see Lookup in rov.c).
 */
ROV_INLINE uint32_t
tier_find(const struct rov_tier *t, bool v6, struct rov_key k, unsigned int len)
{
	uint32_t i = 0, n, half;

	if (t == NULL || t->count == 0)
		return ROV_NONE;
	/* The predecessor is in [i, i + n) if there is one. */
	for (n = t->count; n > 1; n -= half) {
		half = n / 2;
		/* Both candidates for the next step, so the loads overlap. */
		ROV_PREFETCH(ent_at(t, v6, i + (n - half) / 2));
		ROV_PREFETCH(ent_at(t, v6, i + half + (n - half) / 2));
		i = ent_le(ent_at(t, v6, i + half), v6, k, len) ? i + half : i;
	}
	if (!ent_le(ent_at(t, v6, i), v6, k, len))
		return ROV_NONE;
	while (i != ROV_NONE && !ent_covers(ent_at(t, v6, i), v6, k, len))
		i = ent_at(t, v6, i)->up;
	return i;
}

/* The home slot of an IPv6 /32 in a table of `size` (a power of two):
 * the bits of a 32-bit mixer (MurmurHash3's finalizer). */
ROV_INLINE uint32_t
hash_home(uint32_t key, uint32_t size)
{
	key ^= key >> 16;
	key *= 0x85ebca6bu;
	key ^= key >> 13;
	key *= 0xc2b2ae35u;
	key ^= key >> 16;
	return key & (size - 1);
}

/* Withdraw `w` and announce `a` (each in canonical order), all or nothing:
 * 0, or RTRMOD_EINVAL, RTRMOD_ENOENT, RTRMOD_EEXIST, RTRMOD_ENOMEM with
 * the index unchanged (rov_update.c). */
int rov_apply(struct rtrmod_rov_index *idx, const struct rtrmod_vrp *w, size_t nw,
	      const struct rtrmod_vrp *a, size_t na);

#endif
