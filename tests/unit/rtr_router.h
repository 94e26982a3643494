/*
 * rtr_router.h: a model RTR router for the cache tests.  It applies a
 * cache's bytes the way RFC 8210 §5 and 8210bis §5 say a router must, and
 * records every way the cache broke the protocol: a duplicate announcement,
 * a withdrawal of a record it never had, a PDU type its version lacks, a
 * version change, or PDUs out of the order 8210bis §11 recommends (an
 * announcement after a withdrawal, a covering prefix announced before what
 * it covers or withdrawn after it).
 */
#ifndef RTR_ROUTER_H
#define RTR_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/pdu.h>
#include <rtrmod/records.h>

struct rtr_router {
	uint8_t version;
	bool check_order; /* O(n^2) per response: for small sets */
	/* For large sets: VRPs are collected unchecked and verified (no
	 * duplicate, no unknown withdrawal) by rtr_router_matches(). */
	bool bulk;
	struct rtrmod_vrp *pending_wd;
	size_t npending, cappending;
	/* what the router holds */
	struct rtrmod_vrp *vrps;
	size_t nvrps, capvrps;
	struct rtrmod_router_key *keys; /* spki heap copies */
	size_t nkeys, capkeys;
	struct rtrmod_aspa *aspas; /* providers heap copies */
	size_t naspas, capaspas;
	/* the last response */
	bool in_response, saw_withdrawal;
	struct rtrmod_prefix *announced, *withdrawn;
	size_t nann, nwd, capann, capwd;
	/* what arrived */
	uint16_t session_id;
	uint32_t serial;
	bool eod, cache_reset, notify, error;
	uint32_t notify_serial;
	uint16_t error_code;
	uint8_t error_version;
	size_t pdus, prefix_pdus, key_pdus, aspa_pdus;
	char problem[256]; /* first protocol violation, "" if none */
};

void rtr_router_init(struct rtr_router *r, uint8_t version);
void rtr_router_fini(struct rtr_router *r);
/* A deep copy of src's data and version into an initialised dst. */
void rtr_router_copy(struct rtr_router *dst, const struct rtr_router *src);
/* Forget the data (before a Reset Query's answer). */
void rtr_router_clear(struct rtr_router *r);
/* Apply whole PDUs from bytes; returns the bytes used (a partial PDU at
 * the end is left).  Violations go to r->problem. */
size_t rtr_router_apply(struct rtr_router *r, const uint8_t *buf, size_t len);
/* Whether the router holds exactly what `set` has for its version (v0:
 * VRPs; v1: and router keys; v2: and ASPA).  Explains in r->problem. */
bool rtr_router_matches(struct rtr_router *r, const struct rtrmod_set *set);

/* Encode one query PDU into buf (at least 12 bytes); its length. */
size_t rtr_query_reset(uint8_t *buf, uint8_t version);
size_t rtr_query_serial(uint8_t *buf, uint8_t version, uint16_t session_id, uint32_t serial);

#endif
