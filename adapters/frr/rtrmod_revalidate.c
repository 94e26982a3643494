/*
 * rtrmod_revalidate.c: after the VRP set changes, bring bgpd's routes in
 * line with it — only those the change can affect, and also when the peer
 * keeps no Adj-RIB-In (FRR's own module then silently re-runs nothing).
 *
 * An update's sealed delta names the VRPs added and withdrawn; the routes
 * whose state can change are those at or below a changed VRP's prefix, in
 * every bgp instance's IPv4/IPv6 unicast and multicast tables.  When
 * validation starts or stops being in use, every route's state changes, so
 * the whole tables are walked.  For each route:
 *   - inbound policy is re-run from the Adj-RIB-In of the peers that keep
 *     one (soft-reconfiguration inbound), when their inbound route-map
 *     matches on the RPKI state (directly or through `call`) — for the
 *     others re-running it cannot change anything;
 *   - the selected path is announced to the update groups again only when
 *     what they are sent can depend on the state: some peer's outbound
 *     (or unsuppress) route-map matches on it, or an iBGP peer is sent
 *     extended communities (the RFC 8097 origin validation state).  No
 *     best-path run, so nothing goes to zebra: the state changes no FIB
 *     entry.  This skips what bgp_process_main_one would check first, so
 *     it is done here: a route queued for processing (its run will use
 *     the current state), one whose selection is deferred by graceful
 *     restart (RFC 4724 §4.1: selected once End-of-RIB is in), and a
 *     selected path being removed are left alone;
 *   - unless the table-map, or the route-map of EVPN's `advertise ...
 *     route-map` (type-5 injection), matches on the state: then the route
 *     is run through bgp_process as `clear bgp PREFIX` runs it (the node
 *     marked user-cleared: the whole of best path, update groups, zebra
 *     with the table-map, EVPN injection), with bgpd's own gates.
 *   `show bgp` asks the hook live and needs nothing.
 * Peers without an Adj-RIB-In whose inbound policy matches on the state
 * may hold back routes we cannot see (denied by that policy): once the
 * walk is done (batched: updates arriving during a walk join it),
 * rtrmod_refresh.c asks them to send their routes again, paced.
 *
 * The walk runs in slices on bgpd's loop and holds no bgpd pointer between
 * slices: it resumes from the last prefix visited, the instance found again
 * by name, so instances or routes coming and going meanwhile do no harm.
 */
#include <zebra.h>

#include "lib/linklist.h"
#include "lib/memory.h"
#include "lib/prefix.h"
#include "lib/routemap.h"
#include "lib/thread.h"
#include "lib/zlog.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_advertise.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"
#include "bgpd/bgp_updgrp.h"

#include <rtrmod/records.h>

#include "bgpd/bgp_memory.h"

#include "rtrmod_frr.h"

DEFINE_MTYPE_STATIC(BGPD, RTRMOD_REVAL, "rtrmod revalidation");

#define SLICE_NODES 2000 /* table nodes visited per slice */

/* What to re-run of a table's selected paths (see the top of the file). */
enum best_rerun {
	RERUN_NONE = 0,     /* nothing sent out can depend on the state */
	RERUN_ANNOUNCE = 1, /* announce to the update groups again */
	RERUN_PROCESS = 2,  /* table-map or EVPN advertise route-map: all of bgp_process */
};

static const safi_t walk_safis[] = {SAFI_UNICAST, SAFI_MULTICAST};
#define NSAFI (sizeof(walk_safis) / sizeof(walk_safis[0]))

static struct {
	struct prefix *items; /* subtrees to walk, in order */
	size_t n, cap;
	bool afi_touched[AFI_MAX];

	/* where the walk is */
	size_t item;
	char *inst; /* instance key being walked ("" = start / default) */
	size_t safi_i;
	bool has_last;
	struct prefix last;

	struct thread *t;
	unsigned long nodes, reruns, announced;
} rv;

/* ---- the queue ------------------------------------------------------------------------------ */

static void
to_frr_prefix(const struct rtrmod_prefix *in, struct prefix *out)
{
	memset(out, 0, sizeof(*out));
	out->prefixlen = in->len;
	if (in->afi == RTRMOD_AFI_IPV4) {
		out->family = AF_INET;
		memcpy(&out->u.prefix4, in->addr, 4);
	} else {
		out->family = AF_INET6;
		memcpy(&out->u.prefix6, in->addr, 16);
	}
}

static void
queue_push(const struct prefix *p)
{
	if (rv.n == rv.cap) {
		rv.cap = rv.cap ? rv.cap * 2 : 64;
		rv.items = XREALLOC(MTYPE_RTRMOD_REVAL, rv.items, rv.cap * sizeof(*rv.items));
	}
	rv.items[rv.n++] = *p;
	rv.afi_touched[family2afi(p->family)] = true;
}

static void
walk_reset(void)
{
	rv.item = 0;
	XFREE(MTYPE_RTRMOD_REVAL, rv.inst);
	rv.inst = XSTRDUP(MTYPE_RTRMOD_REVAL, "");
	rv.safi_i = 0;
	rv.has_last = false;
}

static int
rprefix_cmp(const void *a, const void *b)
{
	const struct rtrmod_prefix *x = a, *y = b;
	int c;

	if (x->afi != y->afi)
		return x->afi < y->afi ? -1 : 1;
	c = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (c != 0)
		return c;
	return (int)x->len - (int)y->len;
}

/* The changed VRPs' prefixes, sorted, less those inside another one: in
 * this order a covering prefix comes before what it covers, so comparing
 * with the last one kept is enough. */
static void
queue_delta(const struct rtrmod_delta *delta)
{
	size_t na, nw, n = 0;
	const struct rtrmod_vrp *ann = rtrmod_delta_vrps(delta, true, &na);
	const struct rtrmod_vrp *wd = rtrmod_delta_vrps(delta, false, &nw);
	struct rtrmod_prefix *all, *kept = NULL;
	struct prefix p;

	if (na + nw == 0)
		return;
	all = XMALLOC(MTYPE_RTRMOD_REVAL, (na + nw) * sizeof(*all));
	for (size_t i = 0; i < na; i++)
		all[n++] = ann[i].prefix;
	for (size_t i = 0; i < nw; i++)
		all[n++] = wd[i].prefix;
	qsort(all, n, sizeof(*all), rprefix_cmp);
	for (size_t i = 0; i < n; i++) {
		if (kept != NULL && rtrmod_prefix_covers(kept, &all[i]))
			continue;
		kept = &all[i];
		to_frr_prefix(kept, &p);
		queue_push(&p);
	}
	XFREE(MTYPE_RTRMOD_REVAL, all);
}

static void rv_slice(struct thread *t);

void
rtrmod_revalidate_delta(const struct rtrmod_delta *delta)
{
	struct prefix all4 = {.family = AF_INET}, all6 = {.family = AF_INET6};

	if (delta == NULL) {
		/* Everything: what was queued is part of it. */
		rv.n = 0;
		walk_reset();
		queue_push(&all4);
		queue_push(&all6);
	} else {
		if (rv.n == 0)
			walk_reset();
		queue_delta(delta);
	}
	if (rv.n > 0 && rv.t == NULL)
		thread_add_event(rtrmod_frr.master, rv_slice, NULL, 0, &rv.t);
}

/* ---- one route ----------------------------------------------------------------------------------
 */

static bool
inbound_uses_rpki(const struct peer *peer, afi_t afi, safi_t safi)
{
	return rtrmod_routemap_uses_rpki(peer->filter[afi][safi].map[RMAP_IN].map);
}

/* Re-run inbound policy from the Adj-RIB-In, as bgpd's own soft
 * reconfiguration does (same labels as the path it replaces). */
static void
rerun_adj_in(struct bgp_dest *dest, struct bgp_adj_in *ain, afi_t afi, safi_t safi)
{
	struct bgp_path_info *pi;
	mpls_label_t *label = NULL;
	uint32_t num_labels = 0;

	for (pi = bgp_dest_get_bgp_path_info(dest); pi != NULL; pi = pi->next)
		if (pi->peer == ain->peer && pi->addpath_rx_id == ain->addpath_rx_id)
			break;
	if (pi != NULL && pi->extra != NULL && pi->extra->num_labels > 0) {
		label = pi->extra->label;
		num_labels = pi->extra->num_labels;
	}
	(void)bgp_update(ain->peer, bgp_dest_get_prefix(dest), ain->addpath_rx_id, ain->attr, afi,
			 safi, ZEBRA_ROUTE_BGP, BGP_ROUTE_NORMAL, NULL, label, num_labels, 1, NULL);
	rv.reruns++;
}

/* Whether what `peer` is sent for afi/safi can depend on the state. */
static bool
peer_sent_state(const struct peer *peer, afi_t afi, safi_t safi)
{
	const struct bgp_filter *f = &peer->filter[afi][safi];

	if (!peer->afc_nego[afi][safi])
		return false;
	return rtrmod_routemap_uses_rpki(f->map[RMAP_OUT].map) ||
	       rtrmod_routemap_uses_rpki(f->usmap.map) ||
	       (peer->sort == BGP_PEER_IBGP &&
		CHECK_FLAG(peer->af_flags[afi][safi], PEER_FLAG_SEND_EXT_COMMUNITY));
}

static enum best_rerun
best_rerun(struct bgp *bgp, afi_t afi, safi_t safi)
{
	struct listnode *node;
	struct peer *peer;

	if (rtrmod_routemap_uses_rpki(bgp->table_map[afi][safi].map) ||
	    rtrmod_routemap_uses_rpki(bgp->adv_cmd_rmap[afi][safi].map))
		return RERUN_PROCESS;
	for (ALL_LIST_ELEMENTS_RO(bgp->peer, node, peer))
		if (peer_established(peer) &&
		    (peer_sent_state(peer, afi, safi) ||
		     (safi == SAFI_UNICAST && peer_sent_state(peer, afi, SAFI_LABELED_UNICAST))))
			return RERUN_ANNOUNCE;
	return RERUN_NONE;
}

static void
revalidate_dest(struct bgp *bgp, struct bgp_dest *dest, afi_t afi, safi_t safi, enum best_rerun how)
{
	struct bgp_adj_in *ain, *next;
	struct bgp_path_info *pi;

	/* bgp_update re-runs best path itself when the outcome changes. */
	for (ain = dest->adj_in; ain != NULL; ain = next) {
		next = ain->next;
		if (CHECK_FLAG(ain->peer->af_flags[afi][safi], PEER_FLAG_SOFT_RECONFIG) &&
		    inbound_uses_rpki(ain->peer, afi, safi))
			rerun_adj_in(dest, ain, afi, safi);
	}
	if (how == RERUN_NONE || !bgp_dest_has_bgp_path_info_data(dest))
		return;
	for (pi = bgp_dest_get_bgp_path_info(dest); pi != NULL; pi = pi->next)
		if (CHECK_FLAG(pi->flags, BGP_PATH_SELECTED))
			break;
	if (pi == NULL)
		return;
	if (how == RERUN_PROCESS) {
		/* With the selected path unchanged, bgp_process_main_one
		 * would announce it to the groups only (the table-map is
		 * applied on the way to zebra, the EVPN route-map in the
		 * injection, both skipped then); user-cleared, it runs all. */
		SET_FLAG(dest->flags, BGP_NODE_USER_CLEAR);
		bgp_process(bgp, dest, afi, safi);
	} else {
		/* bgp_process_main_one's gates: queued (that run sees the
		 * current state), deferred by graceful restart, or a selected
		 * path about to be reaped. */
		if (CHECK_FLAG(dest->flags, BGP_NODE_PROCESS_SCHEDULED) ||
		    CHECK_FLAG(dest->flags, BGP_NODE_SELECT_DEFER) ||
		    CHECK_FLAG(pi->flags, BGP_PATH_REMOVED))
			return;
		/* What bgp_process_main_one does for a changed selected path,
		 * less zebra. */
		group_announce_route(bgp, afi, safi, dest, pi);
		if (safi == SAFI_UNICAST)
			group_announce_route(bgp, afi, SAFI_LABELED_UNICAST, dest, pi);
	}
	rv.announced++;
}

/* ---- the walk
 * -------------------------------------------------------------------------------------- */

static const char *
inst_key(const struct bgp *bgp)
{
	return bgp->name != NULL ? bgp->name : "";
}

/* The instance with the smallest key after `key` (or at it, `inclusive`). */
static struct bgp *
inst_find(const char *key, bool inclusive)
{
	struct listnode *node;
	struct bgp *bgp, *best = NULL;

	for (ALL_LIST_ELEMENTS_RO(bm->bgp, node, bgp)) {
		int c = strcmp(inst_key(bgp), key);

		if ((c > 0 || (inclusive && c == 0)) &&
		    (best == NULL || strcmp(inst_key(bgp), inst_key(best)) < 0))
			best = bgp;
	}
	return best;
}

static void
inst_set(const char *key)
{
	XFREE(MTYPE_RTRMOD_REVAL, rv.inst);
	rv.inst = XSTRDUP(MTYPE_RTRMOD_REVAL, key);
	rv.safi_i = 0;
	rv.has_last = false;
}

/* Walk the subtree of `top` in `table` from where the last slice stopped;
 * true when finished, false when the budget ran out (position kept). */
static bool
walk_table(struct bgp *bgp, struct bgp_table *table, afi_t afi, safi_t safi,
	   const struct prefix *top, unsigned *budget)
{
	enum best_rerun how = best_rerun(bgp, afi, safi);
	struct bgp_dest *dest;

	dest = rv.has_last ? bgp_table_get_next(table, &rv.last)
			   : bgp_table_subtree_lookup(table, top);
	while (dest != NULL) {
		const struct prefix *p = bgp_dest_get_prefix(dest);

		if (!prefix_match(top, p)) {
			bgp_dest_unlock_node(dest);
			return true;
		}
		if (dest->adj_in != NULL || bgp_dest_has_bgp_path_info_data(dest))
			revalidate_dest(bgp, dest, afi, safi, how);
		rv.nodes++;
		if (--*budget == 0) {
			prefix_copy(&rv.last, p);
			rv.has_last = true;
			bgp_dest_unlock_node(dest);
			return false;
		}
		dest = bgp_route_next(dest);
	}
	return true;
}

/* Go on with the current item in the current (or next) instance; false
 * when the budget ran out. */
static bool
walk_item(unsigned *budget)
{
	const struct prefix *top = &rv.items[rv.item];
	afi_t afi = family2afi(top->family);
	struct bgp *bgp;

	while ((bgp = inst_find(rv.inst, true)) != NULL) {
		if (strcmp(inst_key(bgp), rv.inst) != 0)
			inst_set(inst_key(bgp)); /* ours went away: the next one, from its start */
		for (; rv.safi_i < NSAFI; rv.safi_i++, rv.has_last = false) {
			struct bgp_table *table = bgp->rib[afi][walk_safis[rv.safi_i]];

			if (table != NULL &&
			    !walk_table(bgp, table, afi, walk_safis[rv.safi_i], top, budget))
				return false;
		}
		bgp = inst_find(rv.inst, false);
		if (bgp == NULL)
			break;
		inst_set(inst_key(bgp));
	}
	return true;
}

/* ---- slices
 * ------------------------------------------------------------------------------------------ */

static void
rv_done(void)
{
	unsigned deferred, sent = rtrmod_refresh_after_walk(rv.afi_touched, &deferred);

	RTRMOD_FRR_DEBUG("revalidated %zu prefix ranges: %lu table nodes, %lu routes re-run from "
			 "Adj-RIB-In, %lu re-announced; route refreshes: %u sent, %u deferred",
			 rv.n, rv.nodes, rv.reruns, rv.announced, sent, deferred);
	rv.n = 0;
	rv.nodes = rv.reruns = rv.announced = 0;
	memset(rv.afi_touched, 0, sizeof(rv.afi_touched));
	walk_reset();
}

static void
rv_slice(struct thread *t)
{
	unsigned budget = SLICE_NODES;

	(void)t;
	if (!rtrmod_frr.active)
		return;
	while (rv.item < rv.n) {
		if (!walk_item(&budget)) {
			thread_add_event(rtrmod_frr.master, rv_slice, NULL, 0, &rv.t);
			return;
		}
		rv.item++;
		inst_set("");
	}
	rv_done();
}

void
rtrmod_revalidate_fini(void)
{
	thread_cancel(&rv.t);
	rtrmod_refresh_fini();
	XFREE(MTYPE_RTRMOD_REVAL, rv.items);
	XFREE(MTYPE_RTRMOD_REVAL, rv.inst);
	memset(&rv, 0, sizeof(rv));
}
