/*
 * rtrmod_refresh.c: route refreshes (RFC 2918) to the peers whose routes a
 * VRP change may have made acceptable without our being able to see them:
 * peers that keep no Adj-RIB-In (no soft-reconfiguration inbound) and whose
 * inbound route-map matches on the RPKI state, so that routes it denied
 * before are sent again and judged anew.
 *
 * A refresh makes the peer send its whole table again, so they are paced:
 * at most one per peer and address family per REFRESH_INTERVAL.  A walk
 * within the interval marks the refresh pending and a timer sends it when
 * the interval is up, so frequent deltas coalesce into one.  Each such peer
 * is told once, in the log, that soft-reconfiguration inbound avoids all
 * this; one that supports no route refresh is logged once too (at most
 * WARNED_MAX peers remembered, the oldest forgotten: dynamic `bgp listen
 * range` peers come and go).  When the timer fires, everything is checked
 * again: a pending refresh is dropped when its peer is down, no longer
 * needs one, or no longer has the route-refresh capability or the address
 * family (a session that came back without them: RFC 2918 §3 allows the
 * message only to a peer that advertised the capability, for a negotiated
 * AFI/SAFI), and when the peer's session came up after it was marked (the
 * new session sent its whole table, judged on the current VRPs).  Peers
 * are named by instance and host, never held by pointer across the timer.
 */
#include <zebra.h>

#include "lib/linklist.h"
#include "lib/memory.h"
#include "lib/monotime.h"
#include "lib/routemap.h"
#include "lib/thread.h"
#include "lib/zlog.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_packet.h"

#include "bgpd/bgp_memory.h"

#include "rtrmod_frr.h"

DEFINE_MTYPE_STATIC(BGPD, RTRMOD_REFRESH, "rtrmod route refresh pacing");

/* At most one route refresh per peer and address family in this many
 * seconds: a compile-time choice (the rpki node keeps FRR's command set).
 * The environment variable RTRMOD_FRR_REFRESH_INTERVAL overrides it, as a
 * test hook only. */
#define REFRESH_INTERVAL 300

/* Peers remembered as told (the oldest forgotten beyond). */
#define WARNED_MAX 1024

static const safi_t walk_safis[] = {SAFI_UNICAST, SAFI_MULTICAST};
#define NSAFI (sizeof(walk_safis) / sizeof(walk_safis[0]))

/* A peer's address family sent a route refresh lately (or due one). */
struct rr_entry {
	char *key; /* "instance|host" */
	afi_t afi;
	safi_t safi;
	time_t last;   /* monotime of the last one sent */
	bool pending;  /* a walk wanted one within the interval */
	time_t marked; /* monotime of the last walk that marked it pending */
};

static struct {
	struct rr_entry *v; /* the refreshes within the interval */
	size_t n;
	struct thread *t; /* sends the due ones */
	unsigned interval;
	char **warned;  /* peers told about once: "what|instance|host", oldest first */
	size_t nwarned; /* at most WARNED_MAX */
} rr;

static const char *
inst_key(const struct bgp *bgp)
{
	return bgp->name != NULL ? bgp->name : "";
}

static bool
inbound_uses_rpki(const struct peer *peer, afi_t afi, safi_t safi)
{
	return rtrmod_routemap_uses_rpki(peer->filter[afi][safi].map[RMAP_IN].map);
}

static bool
warned_once(const char *what, const struct bgp *bgp, const struct peer *peer)
{
	char key[512];

	snprintf(key, sizeof(key), "%s|%s|%s", what, inst_key(bgp), peer->host);
	for (size_t i = 0; i < rr.nwarned; i++)
		if (strcmp(rr.warned[i], key) == 0)
			return true;
	if (rr.nwarned == WARNED_MAX) {
		XFREE(MTYPE_RTRMOD_REFRESH, rr.warned[0]);
		memmove(rr.warned, rr.warned + 1, (rr.nwarned - 1) * sizeof(*rr.warned));
		rr.nwarned--;
	} else {
		rr.warned = XREALLOC(MTYPE_RTRMOD_REFRESH, rr.warned,
				     (rr.nwarned + 1) * sizeof(*rr.warned));
	}
	rr.warned[rr.nwarned++] = XSTRDUP(MTYPE_RTRMOD_REFRESH, key);
	return false;
}

static unsigned
rr_interval(void)
{
	const char *env;
	unsigned long v;
	char *end;

	if (rr.interval != 0)
		return rr.interval;
	rr.interval = REFRESH_INTERVAL;
	env = getenv("RTRMOD_FRR_REFRESH_INTERVAL");
	if (env != NULL && *env) {
		v = strtoul(env, &end, 10);
		if (*end == '\0' && v >= 1 && v <= 86400) {
			rr.interval = (unsigned)v;
			zlog_warn(
			    "rtrmod: RTRMOD_FRR_REFRESH_INTERVAL=%lu (a test hook): at most one "
			    "route refresh per peer and address family in %lu s",
			    v, v);
		}
	}
	return rr.interval;
}

static struct rr_entry *
rr_find(const char *key, afi_t afi, safi_t safi)
{
	for (size_t i = 0; i < rr.n; i++)
		if (rr.v[i].afi == afi && rr.v[i].safi == safi && strcmp(rr.v[i].key, key) == 0)
			return &rr.v[i];
	return NULL;
}

static struct rr_entry *
rr_get(const struct bgp *bgp, const struct peer *peer, afi_t afi, safi_t safi)
{
	char key[512];
	struct rr_entry *e;

	snprintf(key, sizeof(key), "%s|%s", inst_key(bgp), peer->host);
	e = rr_find(key, afi, safi);
	if (e != NULL)
		return e;
	rr.v = XREALLOC(MTYPE_RTRMOD_REFRESH, rr.v, (rr.n + 1) * sizeof(*rr.v));
	e = &rr.v[rr.n++];
	memset(e, 0, sizeof(*e));
	e->key = XSTRDUP(MTYPE_RTRMOD_REFRESH, key);
	e->afi = afi;
	e->safi = safi;
	return e;
}

static bool
rr_due(const struct rr_entry *e, time_t now)
{
	return e->last == 0 || now - e->last >= (time_t)rr_interval();
}

/* Entries no longer needed: nothing pending and the interval over (the
 * next refresh would go at once anyway).  Keeps the table to the peers
 * refreshed lately. */
static void
rr_prune(time_t now)
{
	size_t j = 0;

	for (size_t i = 0; i < rr.n; i++) {
		if (!rr.v[i].pending && rr_due(&rr.v[i], now)) {
			XFREE(MTYPE_RTRMOD_REFRESH, rr.v[i].key);
			continue;
		}
		rr.v[j++] = rr.v[i];
	}
	rr.n = j;
}

/* Whether `peer` needs a route refresh for afi/safi after the state of
 * some of its routes may have changed: established with afi/safi
 * negotiated, no Adj-RIB-In, and an inbound route-map that matches on the
 * state. */
static bool
peer_needs_refresh(struct peer *peer, afi_t afi, safi_t safi)
{
	return peer_established(peer) && peer->afc_nego[afi][safi] &&
	       !CHECK_FLAG(peer->af_flags[afi][safi], PEER_FLAG_SOFT_RECONFIG) &&
	       inbound_uses_rpki(peer, afi, safi);
}

/* RFC 2918 §3: a ROUTE-REFRESH only to a peer that advertised the
 * capability in this session (old or new code point). */
static bool
peer_can_refresh(const struct peer *peer)
{
	return CHECK_FLAG(peer->cap, PEER_CAP_REFRESH_OLD_RCV) ||
	       CHECK_FLAG(peer->cap, PEER_CAP_REFRESH_NEW_RCV);
}

/* Whether a route refresh may and should go to `peer` now (checked again
 * when a deferred one is sent: the session may have changed meanwhile). */
static bool
peer_wants_refresh(struct peer *peer, afi_t afi, safi_t safi)
{
	return peer_needs_refresh(peer, afi, safi) && peer_can_refresh(peer);
}

static void
rr_send(struct bgp *bgp, struct peer *peer, struct rr_entry *e, time_t now)
{
	bgp_route_refresh_send(peer, e->afi, e->safi, 0, 0, 0, BGP_ROUTE_REFRESH_NORMAL);
	e->last = now;
	e->pending = false;
	RTRMOD_FRR_DEBUG("route refresh sent to %s (%s %s)", peer->host, afi2str(e->afi),
			 safi2str(e->safi));
	if (!warned_once("soft", bgp, peer))
		zlog_warn("rtrmod: peer %s%s%s: its inbound route-map matches on the RPKI state, "
			  "but it keeps no Adj-RIB-In: when VRPs change it is sent a route "
			  "refresh (at most one per %u s and address family), and sends its "
			  "whole table again; `neighbor %s soft-reconfiguration inbound` "
			  "re-validates its routes at once, without",
			  peer->host, bgp->name ? " in " : "", bgp->name ? bgp->name : "",
			  rr_interval(), peer->host);
}

static void rr_timer(struct thread *t);

/* Arm the timer for the earliest pending refresh. */
static void
rr_arm(time_t now)
{
	time_t next = 0;

	thread_cancel(&rr.t);
	for (size_t i = 0; i < rr.n; i++) {
		time_t at = rr.v[i].last + (time_t)rr_interval();

		if (rr.v[i].pending && (next == 0 || at < next))
			next = at;
	}
	if (next != 0)
		thread_add_timer(rtrmod_frr.master, rr_timer, NULL,
				 next > now ? (long)(next - now) : 0, &rr.t);
}

/* The refreshes the walk just done calls for: sent now when the peer had
 * none within the interval, else marked pending (counted in *deferred). */
unsigned
rtrmod_refresh_after_walk(const bool afi_touched[AFI_MAX], unsigned *deferred)
{
	struct listnode *bn, *pn;
	struct bgp *bgp;
	struct peer *peer;
	unsigned sent = 0;
	time_t now = monotime(NULL);

	*deferred = 0;
	for (ALL_LIST_ELEMENTS_RO(bm->bgp, bn, bgp))
		for (ALL_LIST_ELEMENTS_RO(bgp->peer, pn, peer))
			for (afi_t afi = AFI_IP; afi <= AFI_IP6; afi++)
				for (size_t s = 0; s < NSAFI && afi_touched[afi]; s++) {
					safi_t safi = walk_safis[s];
					struct rr_entry *e;

					if (!peer_needs_refresh(peer, afi, safi))
						continue;
					if (!peer_can_refresh(peer)) {
						if (!warned_once("norefresh", bgp, peer))
							zlog_warn(
							    "rtrmod: peer %s%s%s: its inbound "
							    "route-map matches on the RPKI state, "
							    "but it keeps no Adj-RIB-In "
							    "(soft-reconfiguration inbound) and "
							    "does not support route refresh: its "
							    "routes are not re-validated when VRPs "
							    "change until it sends them again",
							    peer->host, bgp->name ? " in " : "",
							    bgp->name ? bgp->name : "");
						continue;
					}
					e = rr_get(bgp, peer, afi, safi);
					if (rr_due(e, now)) {
						rr_send(bgp, peer, e, now);
						sent++;
					} else {
						e->pending = true;
						e->marked = now;
						(*deferred)++;
					}
				}
	rr_prune(now);
	rr_arm(now);
	return sent;
}

/* The interval of some pending refreshes is up: send those whose peer
 * still wants one, in the session that was up when they were marked (one
 * that went down or came up again meanwhile gets or got the whole table;
 * one that changed its policy or lost the capability needs or may get
 * none). */
static void
rr_timer(struct thread *t)
{
	struct listnode *bn, *pn;
	struct bgp *bgp;
	struct peer *peer;
	unsigned sent = 0;
	time_t now = monotime(NULL);
	char key[512];

	(void)t;
	if (!rtrmod_frr.active)
		return;
	for (ALL_LIST_ELEMENTS_RO(bm->bgp, bn, bgp))
		for (ALL_LIST_ELEMENTS_RO(bgp->peer, pn, peer)) {
			snprintf(key, sizeof(key), "%s|%s", inst_key(bgp), peer->host);
			for (size_t i = 0; i < rr.n; i++) {
				struct rr_entry *e = &rr.v[i];

				if (e->pending && rr_due(e, now) && strcmp(e->key, key) == 0 &&
				    peer_wants_refresh(peer, e->afi, e->safi) &&
				    peer->uptime <= e->marked) {
					rr_send(bgp, peer, e, now);
					sent++;
				}
			}
		}
	for (size_t i = 0; i < rr.n; i++)
		if (rr.v[i].pending && rr_due(&rr.v[i], now))
			rr.v[i].pending = false; /* its peer went, or wants none now */
	RTRMOD_FRR_DEBUG("deferred route refreshes: %u sent", sent);
	rr_prune(now);
	rr_arm(now);
}

void
rtrmod_refresh_fini(void)
{
	thread_cancel(&rr.t);
	for (size_t i = 0; i < rr.n; i++)
		XFREE(MTYPE_RTRMOD_REFRESH, rr.v[i].key);
	XFREE(MTYPE_RTRMOD_REFRESH, rr.v);
	for (size_t i = 0; i < rr.nwarned; i++)
		XFREE(MTYPE_RTRMOD_REFRESH, rr.warned[i]);
	XFREE(MTYPE_RTRMOD_REFRESH, rr.warned);
	memset(&rr, 0, sizeof(rr));
}
