/*
 * rtrmod/records.h: the validated payloads both sides of RTR share: VRPs,
 * BGPsec router keys and ASPA records; immutable reference-counted sets of
 * them; and deltas between two sets.
 *
 * A set keeps each kind in one sorted array in canonical order with
 * duplicates removed, so two sets diff in O(n) and a set is compact (a VRP
 * is 24 bytes).  Sets never change after rtrmod_set_builder_finish(): a
 * cache serving a set and a client validating against it share it by
 * reference.  ASPA records are keyed by customer AS alone: a new provider
 * set for a customer replaces the old one (draft-ietf-sidrops-8210bis).
 */
#ifndef RTRMOD_RECORDS_H
#define RTRMOD_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/common.h>
#include <rtrmod/ctx.h>

#ifdef __cplusplus
extern "C" {
#endif

enum rtrmod_afi {
	RTRMOD_AFI_IPV4 = 4,
	RTRMOD_AFI_IPV6 = 6,
};

/* An IP prefix.  Bits past `len` are always zero in a parsed prefix. */
struct rtrmod_prefix {
	uint8_t afi; /* enum rtrmod_afi */
	uint8_t len;
	uint8_t addr[16]; /* network byte order; IPv4 uses addr[0..3], rest zero */
};

/* Parse "192.0.2.0/24" or "2001:db8::/32".  Host bits set past the length
 * are an error (RTRMOD_EPARSE), as is anything but a whole prefix. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_prefix_parse(const char *text, struct rtrmod_prefix *out);
/* "192.0.2.0/24"; returns what snprintf would.  47+4 bytes always suffice. */
RTRMOD_EXPORT int rtrmod_prefix_format(const struct rtrmod_prefix *p, char *buf, size_t size);
/* Whether `outer` covers `inner` (same family, shorter or equal, same bits). */
RTRMOD_EXPORT bool rtrmod_prefix_covers(const struct rtrmod_prefix *outer,
					const struct rtrmod_prefix *inner);

/* A Validated ROA Payload (RFC 6811 §2). */
struct rtrmod_vrp {
	struct rtrmod_prefix prefix;
	uint8_t max_len;
	uint32_t asn;
};

/* BGPsec router key (RFC 8210 §5.10).  `spki` is owned by the set. */
struct rtrmod_router_key {
	uint8_t ski[20];
	uint32_t asn;
	uint32_t spki_len;
	const uint8_t *spki;
};

/* ASPA: a customer AS and its providers, sorted ascending and unique. */
struct rtrmod_aspa {
	uint32_t customer_asn;
	uint32_t provider_count;
	const uint32_t *providers;
};

/* Canonical orders: VRPs by (afi, addr, len, max_len, asn); router keys by
 * (ski, asn, spki); ASPA by customer. Return <0, 0, >0. */
RTRMOD_EXPORT int rtrmod_vrp_cmp(const struct rtrmod_vrp *a, const struct rtrmod_vrp *b);
RTRMOD_EXPORT int rtrmod_router_key_cmp(const struct rtrmod_router_key *a,
					const struct rtrmod_router_key *b);

/* ---- sets -------------------------------------------------------------- */

struct rtrmod_set;
struct rtrmod_set_builder;

RTRMOD_EXPORT RTRMOD_WUR int rtrmod_set_builder_new(struct rtrmod_ctx *ctx,
						    struct rtrmod_set_builder **out);
/* Add records in any order; duplicates are fine.  VRPs are checked
 * (prefix length <= max length <= 32/128, host bits zero): RTRMOD_EINVAL. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_set_builder_add_vrp(struct rtrmod_set_builder *b,
							const struct rtrmod_vrp *vrp);
/* Copies the SPKI. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_set_builder_add_router_key(struct rtrmod_set_builder *b,
							       const struct rtrmod_router_key *key);
/* Providers in any order; several adds for one customer are merged (union),
 * as when one customer has more than one ASPA object. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_set_builder_add_aspa(struct rtrmod_set_builder *b,
							 uint32_t customer_asn,
							 const uint32_t *providers, size_t count);
/* Sort, remove duplicates and freeze.  The builder is freed either way. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_set_builder_finish(struct rtrmod_set_builder *b,
						       struct rtrmod_set **out);
RTRMOD_EXPORT void rtrmod_set_builder_free(struct rtrmod_set_builder *b);

/* An empty set. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_set_new_empty(struct rtrmod_ctx *ctx, struct rtrmod_set **out);
RTRMOD_EXPORT struct rtrmod_set *rtrmod_set_ref(struct rtrmod_set *set);
RTRMOD_EXPORT void rtrmod_set_unref(struct rtrmod_set *set);

/* The records, borrowed, in canonical order. */
RTRMOD_EXPORT const struct rtrmod_vrp *rtrmod_set_vrps(const struct rtrmod_set *set, size_t *count);
RTRMOD_EXPORT const struct rtrmod_router_key *rtrmod_set_router_keys(const struct rtrmod_set *set,
								     size_t *count);
RTRMOD_EXPORT const struct rtrmod_aspa *rtrmod_set_aspas(const struct rtrmod_set *set,
							 size_t *count);
/* The ASPA record of `customer_asn`, or NULL (binary search). */
RTRMOD_EXPORT const struct rtrmod_aspa *rtrmod_set_find_aspa(const struct rtrmod_set *set,
							     uint32_t customer_asn);
/* Bytes the set holds, for memory accounting. */
RTRMOD_EXPORT size_t rtrmod_set_memory(const struct rtrmod_set *set);
RTRMOD_EXPORT bool rtrmod_set_equal(const struct rtrmod_set *a, const struct rtrmod_set *b);

/* ---- deltas ------------------------------------------------------------ */

/*
 * The change from one set to another: VRPs and router keys announced and
 * withdrawn; ASPA customers whose provider set is new or replaced
 * (announced) and customers withdrawn.  A sealed delta holds each list in
 * canonical order, with no record both announced and withdrawn.
 */
struct rtrmod_delta;

/* from -> to.  Every announcement is absent from `from`, every withdrawal
 * present in it; an ASPA whose providers changed is one announcement. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_set_diff(const struct rtrmod_set *from,
					     const struct rtrmod_set *to,
					     struct rtrmod_delta **out);
/* from + delta -> a new set.  RTRMOD_EEXIST if it announces a VRP or router
 * key already present; RTRMOD_ENOENT if it withdraws an absent one (or an
 * ASPA customer that has no record).  `from` is unchanged either way. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_set_apply(const struct rtrmod_set *from,
					      const struct rtrmod_delta *delta,
					      struct rtrmod_set **out);

/* Build a delta by hand (a client staging what a cache sends). */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_delta_new(struct rtrmod_ctx *ctx, struct rtrmod_delta **out);
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_delta_add_vrp(struct rtrmod_delta *d,
						  const struct rtrmod_vrp *vrp, bool announce);
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_delta_add_router_key(struct rtrmod_delta *d,
							 const struct rtrmod_router_key *key,
							 bool announce);
/* announce: the customer's whole new provider set; withdraw: providers ignored. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_delta_add_aspa(struct rtrmod_delta *d, uint32_t customer_asn,
						   const uint32_t *providers, size_t count,
						   bool announce);
/* Sort into canonical order.  RTRMOD_EEXIST if one record is announced twice
 * or both announced and withdrawn (RFC 8210 §5.6: a duplicate announcement
 * is an error). */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_delta_seal(struct rtrmod_delta *d);
RTRMOD_EXPORT void rtrmod_delta_free(struct rtrmod_delta *d);

RTRMOD_EXPORT const struct rtrmod_vrp *rtrmod_delta_vrps(const struct rtrmod_delta *d,
							 bool announced, size_t *count);
RTRMOD_EXPORT const struct rtrmod_router_key *
rtrmod_delta_router_keys(const struct rtrmod_delta *d, bool announced, size_t *count);
/* Withdrawn ASPA entries have provider_count 0. */
RTRMOD_EXPORT const struct rtrmod_aspa *rtrmod_delta_aspas(const struct rtrmod_delta *d,
							   bool announced, size_t *count);
RTRMOD_EXPORT bool rtrmod_delta_empty(const struct rtrmod_delta *d);

#ifdef __cplusplus
}
#endif
#endif
