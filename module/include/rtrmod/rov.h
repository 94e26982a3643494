/*
 * rtrmod/rov.h: route origin validation (RFC 6811) with the reason a route
 * is invalid, and ASPA AS_PATH verification
 * (draft-ietf-sidrops-aspa-verification).
 *
 * The ROV index is built once from a set and then kept current by
 * applying deltas, so a client that receives a few changes per refresh
 * never rebuilds it.  Lookups do not allocate.
 */
#ifndef RTRMOD_ROV_H
#define RTRMOD_ROV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/common.h>
#include <rtrmod/ctx.h>
#include <rtrmod/records.h>

#ifdef __cplusplus
extern "C" {
#endif

enum rtrmod_rov_state {
	RTRMOD_ROV_NOT_FOUND = 0,
	RTRMOD_ROV_VALID = 1,
	RTRMOD_ROV_INVALID = 2,
};

/* Why a route is invalid. */
enum rtrmod_rov_reason {
	RTRMOD_ROV_REASON_NONE = 0,      /* valid or not found */
	RTRMOD_ROV_REASON_ORIGIN = 1,    /* a VRP allows this length, none this origin */
	RTRMOD_ROV_REASON_MAX_LENGTH = 2, /* a VRP has this origin, but the prefix is longer than its max length */
	RTRMOD_ROV_REASON_BOTH = 3,      /* no VRP has this origin nor allows this length */
	RTRMOD_ROV_REASON_AS0 = 4,       /* covered only by AS0 VRPs (RFC 6483 §4, RFC 7607) */
	RTRMOD_ROV_REASON_AS_SET = 5,    /* origin is an AS_SET: never valid (RFC 6472, RFC 6811 §2) */
};

/*
 * What the route's origin is (RFC 6811 §2).  AS: the rightmost AS of a
 * final AS_SEQUENCE, or for a locally originated route or one whose final
 * segment is AS_CONFED_SEQUENCE/AS_CONFED_SET, the speaker's own AS (the
 * host passes it).  AS_SET: the final segment is an AS_SET, so the origin
 * is the RFC's "NONE", which no VRP matches.
 */
enum rtrmod_origin_kind {
	RTRMOD_ORIGIN_AS = 0,
	RTRMOD_ORIGIN_AS_SET = 1,
};

struct rtrmod_origin {
	enum rtrmod_origin_kind kind;
	uint32_t asn; /* for RTRMOD_ORIGIN_AS */
};

struct rtrmod_rov_index;

RTRMOD_EXPORT RTRMOD_WUR int rtrmod_rov_index_new(struct rtrmod_ctx *ctx,
						  const struct rtrmod_set *set,
						  struct rtrmod_rov_index **out);
RTRMOD_EXPORT void rtrmod_rov_index_free(struct rtrmod_rov_index *idx);
/* Apply the VRP part of a sealed delta in place.  On error (withdrawal of
 * an absent VRP: RTRMOD_ENOENT, announcement of a present one:
 * RTRMOD_EEXIST, RTRMOD_ENOMEM) the index is unchanged. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_rov_index_update(struct rtrmod_rov_index *idx,
						     const struct rtrmod_delta *delta);
RTRMOD_EXPORT size_t rtrmod_rov_index_vrp_count(const struct rtrmod_rov_index *idx);
/* Bytes the index holds. */
RTRMOD_EXPORT size_t rtrmod_rov_index_memory(const struct rtrmod_rov_index *idx);

/* Validate a route.  *reason (may be NULL) says why it is invalid. */
RTRMOD_EXPORT enum rtrmod_rov_state rtrmod_rov_validate(const struct rtrmod_rov_index *idx,
							const struct rtrmod_prefix *prefix,
							struct rtrmod_origin origin,
							enum rtrmod_rov_reason *reason);

/* Call cb for every VRP covering `prefix` (the VRPs that decided a
 * validation), least specific first.  Returns the number of VRPs. */
typedef void rtrmod_vrp_cb(void *arg, const struct rtrmod_vrp *vrp);
RTRMOD_EXPORT size_t rtrmod_rov_covering(const struct rtrmod_rov_index *idx,
					 const struct rtrmod_prefix *prefix, rtrmod_vrp_cb *cb,
					 void *arg);

RTRMOD_EXPORT const char *rtrmod_rov_state_name(enum rtrmod_rov_state state);
RTRMOD_EXPORT const char *rtrmod_rov_reason_name(enum rtrmod_rov_reason reason);

/* ---- ASPA AS_PATH verification ------------------------------------------ */

enum rtrmod_aspa_state {
	RTRMOD_ASPA_VALID = 0,
	RTRMOD_ASPA_INVALID = 1,
	RTRMOD_ASPA_UNKNOWN = 2,
};

/* Upstream: the route came from a customer or lateral peer (or an RS
 * client); downstream: from a provider. */
enum rtrmod_aspa_direction {
	RTRMOD_ASPA_UPSTREAM = 0,
	RTRMOD_ASPA_DOWNSTREAM = 1,
};

enum rtrmod_as_segment_type {
	RTRMOD_AS_SEQUENCE = 0,
	RTRMOD_AS_SET = 1,
};

/* An AS_PATH as received, segments in wire order (neighbor first). */
struct rtrmod_as_segment {
	enum rtrmod_as_segment_type type;
	size_t count;
	const uint32_t *asns;
};

/* Verify `path` with the ASPA records of `set`. */
RTRMOD_EXPORT enum rtrmod_aspa_state rtrmod_aspa_verify(const struct rtrmod_set *set,
							enum rtrmod_aspa_direction direction,
							const struct rtrmod_as_segment *path,
							size_t segment_count);
RTRMOD_EXPORT const char *rtrmod_aspa_state_name(enum rtrmod_aspa_state state);

#ifdef __cplusplus
}
#endif
#endif
