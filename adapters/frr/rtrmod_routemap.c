/*
 * rtrmod_routemap.c: the origin validation of a BGP path against the
 * client's ROV index (RFC 6811), answered to bgpd through the
 * bgp_rpki_prefix_status hook (the V/I/N of `show bgp`, the RFC 8097
 * extended community to iBGP peers) and to route-maps through `match rpki
 * valid|invalid|notfound`, with FRR 8.4's command strings and northbound
 * paths.  It also tells which route-maps match on the state, so
 * rtrmod_revalidate.c knows whose inbound policy a VRP change can affect.
 *
 * While no cache group has data the answer is "not being used", as FRR's
 * module says before it is synchronised; and always while the module is
 * inert (another Debian revision of this FRR), when `match rpki` is
 * installed only so that route-maps using it load: it then never matches.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/memory.h"
#include "lib/northbound_cli.h"
#include "lib/prefix.h"
#include "lib/routemap.h"
#include "lib/zlog.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_aspath.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_rpki.h"

#include "rtrmod_frr.h"

#define RPKI_OUTPUT_STRING "Control rpki specific settings\n"

/* ---- validating a path -------------------------------------------------------------------- */

/*
 * RFC 6811 §2: the origin is the rightmost AS of a final AS_SEQUENCE; a
 * route with no AS_PATH (originated here or by an iBGP peer) or whose final
 * segment is AS_CONFED_SEQUENCE/AS_CONFED_SET has the speaker's own AS; a
 * final AS_SET makes the origin NONE, which no VRP matches (the core then
 * says invalid when the prefix is covered — FRR's module said "not found").
 * Empty segments are skipped.
 */
static struct rtrmod_origin
path_origin(const struct peer *peer, const struct attr *attr)
{
	struct rtrmod_origin origin = {.kind = RTRMOD_ORIGIN_AS, .asn = peer->bgp->as};
	const struct assegment *seg, *last = NULL;

	if (attr->aspath == NULL)
		return origin;
	for (seg = attr->aspath->segments; seg != NULL; seg = seg->next)
		if (seg->length > 0)
			last = seg;
	if (last == NULL)
		return origin;
	if (last->type == AS_SEQUENCE)
		origin.asn = last->as[last->length - 1];
	else if (last->type == AS_SET)
		origin.kind = RTRMOD_ORIGIN_AS_SET;
	return origin;
}

bool
rtrmod_frr_prefix(const struct prefix *in, struct rtrmod_prefix *out)
{
	struct prefix p;

	if (in->family != AF_INET && in->family != AF_INET6)
		return false;
	prefix_copy(&p, in);
	apply_mask(&p);
	memset(out, 0, sizeof(*out));
	out->len = p.prefixlen;
	if (p.family == AF_INET) {
		out->afi = RTRMOD_AFI_IPV4;
		memcpy(out->addr, &p.u.prefix4, 4);
	} else {
		out->afi = RTRMOD_AFI_IPV6;
		memcpy(out->addr, &p.u.prefix6, 16);
	}
	return true;
}

static enum rtrmod_rov_state
frr_rov(struct peer *peer, struct attr *attr, const struct prefix *prefix,
	enum rtrmod_rov_reason *reason)
{
	struct rtrmod_prefix rp;

	*reason = RTRMOD_ROV_REASON_NONE;
	if (!rtrmod_frr_prefix(prefix, &rp))
		return RTRMOD_ROV_NOT_FOUND;
	return rtrmod_rov_validate(rtrmod_client_rov(rtrmod_frr_client()), &rp,
				   path_origin(peer, attr), reason);
}

int
rtrmod_frr_validate(struct peer *peer, struct attr *attr, const struct prefix *prefix)
{
	enum rtrmod_rov_reason reason;
	enum rtrmod_rov_state st;
	struct rtrmod_origin origin;

	if (!rtrmod_frr.active || !rtrmod_frr_synced() ||
	    (prefix->family != AF_INET && prefix->family != AF_INET6))
		return RPKI_NOT_BEING_USED;
	st = frr_rov(peer, attr, prefix, &reason);
	if (rtrmod_frr.debug) {
		origin = path_origin(peer, attr);
		if (origin.kind == RTRMOD_ORIGIN_AS_SET)
			zlog_debug(
			    "RPKI: Validating Prefix %pFX from an AS_SET origin    Result: %s",
			    prefix, st == RTRMOD_ROV_INVALID ? "INVALID (as-set)" : "NOT FOUND");
		else
			zlog_debug("RPKI: Validating Prefix %pFX from asn %u    Result: %s%s%s%s",
				   prefix, origin.asn,
				   st == RTRMOD_ROV_VALID     ? "VALID"
				   : st == RTRMOD_ROV_INVALID ? "INVALID"
							      : "NOT FOUND",
				   st == RTRMOD_ROV_INVALID ? " (" : "",
				   st == RTRMOD_ROV_INVALID ? rtrmod_rov_reason_name(reason) : "",
				   st == RTRMOD_ROV_INVALID ? ")" : "");
	}
	switch (st) {
	case RTRMOD_ROV_VALID:
		return RPKI_VALID;
	case RTRMOD_ROV_INVALID:
		return RPKI_INVALID;
	case RTRMOD_ROV_NOT_FOUND:
		break;
	}
	return RPKI_NOTFOUND;
}

/* ---- match rpki ------------------------------------------------------------------------------ */

static enum route_map_cmd_result_t
route_match(void *rule, const struct prefix *prefix, void *object)
{
	const int *want = rule;
	struct bgp_path_info *path = object;

	return rtrmod_frr_validate(path->peer, path->attr, prefix) == *want ? RMAP_MATCH
									    : RMAP_NOMATCH;
}

static void *
route_match_compile(const char *arg)
{
	int *want = XMALLOC(MTYPE_ROUTE_MAP_COMPILED, sizeof(int));

	if (rtrmod_frr.inert)
		zlog_warn("rtrmod: `match rpki %s`: RPKI is off (rtrmod is inactive in this bgpd, "
			  "see above): this match never fires",
			  arg);

	if (strcmp(arg, "valid") == 0)
		*want = RPKI_VALID;
	else if (strcmp(arg, "invalid") == 0)
		*want = RPKI_INVALID;
	else
		*want = RPKI_NOTFOUND;
	return want;
}

static void
route_match_free(void *rule)
{
	XFREE(MTYPE_ROUTE_MAP_COMPILED, rule);
}

/* FRR 8.4's `match rpki` words (bgp_rpki.c) and its northbound node. */
/* clang-format off */
#define RPKI_MATCH_HELP \
	RPKI_OUTPUT_STRING \
	"Valid prefix\n" \
	"Invalid prefix\n" \
	"Prefix not found\n"
/* clang-format on */
#define RPKI_MATCH_XPATH "./match-condition[condition='frr-bgp-route-map:rpki']"

/* The name bgpd's route-map northbound looks up for frr-bgp-route-map:rpki. */
static const struct route_map_rule_cmd route_match_rpki_cmd = {
    "rpki", route_match, route_match_compile, route_match_free, NULL};

/* clang-format off */
DEFUN_YANG (match_rpki,
	    match_rpki_cmd,
	    "match rpki <valid|invalid|notfound>",
	    MATCH_STR
	    RPKI_MATCH_HELP)
/* clang-format on */
{
	const char *xpath = RPKI_MATCH_XPATH;
	char xpath_value[XPATH_MAXLEN];

	nb_cli_enqueue_change(vty, xpath, NB_OP_CREATE, NULL);
	snprintf(xpath_value, sizeof(xpath_value), "%s/rmap-match-condition/frr-bgp-route-map:rpki",
		 xpath);
	nb_cli_enqueue_change(vty, xpath_value, NB_OP_MODIFY, argv[2]->arg);
	return nb_cli_apply_changes(vty, NULL);
}

/* clang-format off */
DEFUN_YANG (no_match_rpki,
	    no_match_rpki_cmd,
	    "no match rpki <valid|invalid|notfound>",
	    NO_STR
	    MATCH_STR
	    RPKI_MATCH_HELP)
/* clang-format on */
{
	const char *xpath = RPKI_MATCH_XPATH;

	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

/* ---- which policies look at the state ---------------------------------------------------------
 */

#define CALL_DEPTH_MAX 16 /* route-maps calling route-maps; cycles end here */

static bool
map_uses_rpki(const struct route_map *map, unsigned depth)
{
	if (map == NULL || depth > CALL_DEPTH_MAX)
		return false;
	for (const struct route_map_index *idx = map->head; idx != NULL; idx = idx->next) {
		for (const struct route_map_rule *r = idx->match_list.head; r != NULL; r = r->next)
			if (r->cmd != NULL && r->cmd->str != NULL &&
			    strcmp(r->cmd->str, "rpki") == 0)
				return true;
		if (idx->nextrm != NULL &&
		    map_uses_rpki(route_map_lookup_by_name(idx->nextrm), depth + 1))
			return true;
	}
	return false;
}

bool
rtrmod_routemap_uses_rpki(struct route_map *map)
{
	return map_uses_rpki(map, 0);
}

void
rtrmod_routemap_init(void)
{
	route_map_install_match(&route_match_rpki_cmd);
	install_element(RMAP_NODE, &match_rpki_cmd);
	install_element(RMAP_NODE, &no_match_rpki_cmd);
}
