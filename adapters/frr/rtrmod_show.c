/*
 * rtrmod_show.c: `show rpki prefix-table|as-number|prefix|cache-server|
 * cache-connection [json]` with FRR 8.4's command strings, text layout and
 * JSON keys, read from the instance's client: scripts written for `-M rpki`
 * parse these unchanged.
 *
 * What FRR could not say is added where no parser is disturbed: `show rpki
 * prefix P ASN` ends with the validation state and, when invalid, why (as
 * an extra line, and "rpkiValidationState"/"rpkiInvalidReason" keys); caches
 * from the configuration file are listed after the `rpki cache` ones in the
 * same format; an SSH cache (no transport yet) says so.  VRPs are listed in
 * the table's canonical order, IPv4 first.
 */
#include <zebra.h>

#include <arpa/inet.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/prefix.h"
#include "lib/vty.h"

#include <rtrmod/records.h>

#include "rtrmod_frr.h"

#define RPKI_OUTPUT_STRING "Control rpki specific settings\n"
#define SSH_UNAVAILABLE    "SSH transport not available in rtrmod yet"

/* ---- VRP rows ---------------------------------------------------------------------------- */

static void
vrp_address(const struct rtrmod_vrp *vrp, char *buf, size_t size)
{
	if (inet_ntop(vrp->prefix.afi == RTRMOD_AFI_IPV4 ? AF_INET : AF_INET6, vrp->prefix.addr,
		      buf, size) == NULL)
		snprintf(buf, size, "?");
}

static void
print_vrp(struct vty *vty, json_object *rows, const struct rtrmod_vrp *vrp)
{
	char ip[INET6_ADDRSTRLEN];
	json_object *row;

	vrp_address(vrp, ip, sizeof(ip));
	if (rows == NULL) {
		vty_out(vty, "%-40s   %3u - %3u   %10u\n", ip, (unsigned)vrp->prefix.len,
			(unsigned)vrp->max_len, vrp->asn);
		return;
	}
	row = json_object_new_object();
	json_object_string_add(row, "prefix", ip);
	json_object_int_add(row, "prefixLenMin", vrp->prefix.len);
	json_object_int_add(row, "prefixLenMax", vrp->max_len);
	json_object_int_add(row, "asn", vrp->asn);
	json_object_array_add(rows, row);
}

static json_object *
table_head(struct vty *vty, json_object *json)
{
	json_object *rows;

	if (json == NULL) {
		vty_out(vty, "%-40s %s  %s\n", "Prefix", "Prefix Length", "Origin-AS");
		return NULL;
	}
	rows = json_object_new_array();
	json_object_object_add(json, "prefixes", rows);
	return rows;
}

/* The whole table, or the VRPs of one origin AS when `by_asn`. */
static void
print_table(struct vty *vty, json_object *json, bool by_asn, uint32_t asn)
{
	const struct rtrmod_set *set = rtrmod_client_set(rtrmod_frr_client());
	const struct rtrmod_vrp *vrps;
	size_t n;
	unsigned n4 = 0, n6 = 0;
	json_object *rows;

	if (json == NULL)
		vty_out(vty, "RPKI/RTR prefix table\n");
	rows = table_head(vty, json);
	vrps = rtrmod_set_vrps(set, &n);
	for (size_t i = 0; i < n; i++) {
		if (by_asn && vrps[i].asn != asn)
			continue;
		if (vrps[i].prefix.afi == RTRMOD_AFI_IPV4)
			n4++;
		else
			n6++;
		print_vrp(vty, rows, &vrps[i]);
	}
	if (json == NULL) {
		vty_out(vty, "Number of IPv4 Prefixes: %u\n", n4);
		vty_out(vty, "Number of IPv6 Prefixes: %u\n", n6);
		return;
	}
	json_object_int_add(json, "ipv4PrefixCount", n4);
	json_object_int_add(json, "ipv6PrefixCount", n6);
	vty_json(vty, json);
}

static bool
want_json(int argc, struct cmd_token **argv)
{
	return argc > 0 && strcmp(argv[argc - 1]->text, "json") == 0;
}

/* clang-format off */
DEFUN (show_rpki_prefix_table,
       show_rpki_prefix_table_cmd,
       "show rpki prefix-table [json]",
       SHOW_STR
       RPKI_OUTPUT_STRING
       "Show validated prefixes which were received from RPKI Cache\n"
       JSON_STR)
/* clang-format on */
{
	bool uj = want_json(argc, argv);

	if (!rtrmod_frr_synced()) {
		if (!uj)
			vty_out(vty, "No connection to RPKI cache server.\n");
		return CMD_WARNING;
	}
	print_table(vty, uj ? json_object_new_object() : NULL, false, 0);
	return CMD_SUCCESS;
}

/* clang-format off */
DEFUN (show_rpki_as_number,
       show_rpki_as_number_cmd,
       "show rpki as-number (1-4294967295) [json]",
       SHOW_STR
       RPKI_OUTPUT_STRING
       "Lookup by ASN in prefix table\n"
       "AS Number\n"
       JSON_STR)
/* clang-format on */
{
	bool uj = want_json(argc, argv);

	if (!rtrmod_frr_synced()) {
		if (!uj)
			vty_out(vty, "No Connection to RPKI cache server.\n");
		return CMD_WARNING;
	}
	print_table(vty, uj ? json_object_new_object() : NULL, true,
		    (uint32_t)strtoul(argv[3]->arg, NULL, 10));
	return CMD_SUCCESS;
}

/* ---- show rpki prefix ------------------------------------------------------------------------ */

struct covering {
	struct vty *vty;
	json_object *rows;
	uint8_t len;
	uint32_t asn; /* 0: any */
};

static void
covering_row(void *arg, const struct rtrmod_vrp *vrp)
{
	struct covering *c = arg;

	if (vrp->max_len >= c->len && (c->asn == 0 || vrp->asn == c->asn))
		print_vrp(c->vty, c->rows, vrp);
}

/* clang-format off */
DEFUN (show_rpki_prefix,
       show_rpki_prefix_cmd,
       "show rpki prefix <A.B.C.D/M|X:X::X:X/M> [(1-4294967295)] [json]",
       SHOW_STR
       RPKI_OUTPUT_STRING
       "Lookup IP prefix and optionally ASN in prefix table\n"
       "IPv4 prefix\n"
       "IPv6 prefix\n"
       "AS Number\n"
       JSON_STR)
/* clang-format on */
{
	bool uj = want_json(argc, argv);
	struct covering c = {.vty = vty};
	struct prefix p;
	struct rtrmod_prefix rp;
	json_object *json = NULL;
	int idx = 0;

	if (!rtrmod_frr_synced()) {
		if (!uj)
			vty_out(vty, "No Connection to RPKI cache server.\n");
		return CMD_WARNING;
	}
	if (!str2prefix(argv[3]->arg, &p) || !rtrmod_frr_prefix(&p, &rp)) {
		if (!uj)
			vty_out(vty, "Invalid IP prefix\n");
		return CMD_WARNING;
	}
	if (argv_find(argv, argc, "(1-4294967295)", &idx))
		c.asn = (uint32_t)strtoul(argv[idx]->arg, NULL, 10);
	c.len = rp.len;
	if (uj)
		json = json_object_new_object();
	c.rows = table_head(vty, json);
	rtrmod_rov_covering(rtrmod_client_rov(rtrmod_frr_client()), &rp, covering_row, &c);

	if (c.asn != 0) {
		struct rtrmod_origin origin = {.kind = RTRMOD_ORIGIN_AS, .asn = c.asn};
		enum rtrmod_rov_reason reason = RTRMOD_ROV_REASON_NONE;
		enum rtrmod_rov_state st = rtrmod_rov_validate(
		    rtrmod_client_rov(rtrmod_frr_client()), &rp, origin, &reason);
		const char *name = st == RTRMOD_ROV_VALID     ? "valid"
				   : st == RTRMOD_ROV_INVALID ? "invalid"
							      : "not found";

		if (json != NULL) {
			json_object_string_add(json, "rpkiValidationState", name);
			if (st == RTRMOD_ROV_INVALID)
				json_object_string_add(json, "rpkiInvalidReason",
						       rtrmod_rov_reason_name(reason));
		} else if (st == RTRMOD_ROV_INVALID) {
			vty_out(vty, "RPKI validation state of %pFX from AS %u: invalid (%s)\n", &p,
				c.asn, rtrmod_rov_reason_name(reason));
		} else {
			vty_out(vty, "RPKI validation state of %pFX from AS %u: %s\n", &p, c.asn,
				name);
		}
	}
	if (json != NULL)
		vty_json(vty, json);
	return CMD_SUCCESS;
}

/* ---- caches ------------------------------------------------------------------------------------
 */

static bool
cli_cache(const struct rtrmod_client_cache *cc)
{
	for (const struct rtrmod_frr_cache *c = rtrmod_frr.caches; c != NULL; c = c->next)
		if (c->cc == cc)
			return true;
	return false;
}

/* "192.0.2.1:323" / "[2001:db8::1]:323" / "rpki.example.net:323" into
 * address (or name, as configured) and port. */
static void
split_name(const char *name, char *addr, size_t asize, char *port, size_t psize)
{
	const char *colon = strrchr(name, ':');
	size_t n = colon != NULL ? (size_t)(colon - name) : strlen(name);

	if (n >= 2 && name[0] == '[' && name[n - 1] == ']') {
		name++;
		n -= 2;
	}
	snprintf(addr, asize, "%.*s", (int)n, name);
	snprintf(port, psize, "%s", colon != NULL ? colon + 1 : "");
}

/* A `rpki cache` line the client refused is kept with no client cache
 * (rtrmod_vty.c): a TCP one still. */
static const char *
cache_transport(const struct rtrmod_client_cache *cc)
{
	return cc != NULL ? rtrmod_client_cache_transport(cc) : "tcp";
}

/* Connected: the transport is up and the session has answered (FRR shows
 * RTRlib's ESTABLISHED, which also covers a refresh in progress). */
static bool
cache_connected(const struct rtrmod_client_cache *cc)
{
	enum rtrmod_client_state st = rtrmod_client_cache_state(cc);

	return st == RTRMOD_CLIENT_ESTABLISHED ||
	       ((st == RTRMOD_CLIENT_QUERYING || st == RTRMOD_CLIENT_RECEIVING) &&
		rtrmod_client_cache_session(cc, NULL, NULL));
}

/* Calls cb for every cache: the `rpki cache` ones in order (cc NULL for
 * SSH), then the configuration file's. */
typedef void cache_fn(struct vty *vty, json_object *list, const struct rtrmod_frr_cache *cli,
		      const struct rtrmod_client_cache *cc);

static void
each_cache(struct vty *vty, json_object *list, cache_fn *fn)
{
	struct rtrmod_client *client = rtrmod_frr_client();
	size_t n = rtrmod_client_cache_count(client);

	for (const struct rtrmod_frr_cache *c = rtrmod_frr.caches; c != NULL; c = c->next)
		fn(vty, list, c, c->cc);
	for (size_t i = 0; i < n; i++) {
		const struct rtrmod_client_cache *cc = rtrmod_client_cache_at(client, i);

		if (!cli_cache(cc))
			fn(vty, list, NULL, cc);
	}
}

static void
server_row(struct vty *vty, json_object *list, const struct rtrmod_frr_cache *cli,
	   const struct rtrmod_client_cache *cc)
{
	char addr[RTRMOD_FRR_HOST_LEN], port[32];
	unsigned pref = cli != NULL ? cli->preference : rtrmod_client_cache_preference(cc);
	json_object *row;

	if (cli != NULL && cli->ssh) {
		if (list == NULL) {
			vty_out(vty,
				"host: %s port: %u username: %s server_hostkey_path: %s "
				"client_privkey_path: %s, preference: %u\n",
				cli->host, cli->ssh_port, cli->ssh_user,
				cli->ssh_pubkey != NULL ? cli->ssh_pubkey : "(null)",
				cli->ssh_privkey, pref);
			return;
		}
		row = json_object_new_object();
		json_object_string_add(row, "mode", "ssh");
		json_object_string_add(row, "host", cli->host);
		json_object_int_add(row, "port", cli->ssh_port);
		json_object_string_add(row, "username", cli->ssh_user);
		if (cli->ssh_pubkey != NULL)
			json_object_string_add(row, "serverHostkeyPath", cli->ssh_pubkey);
		json_object_string_add(row, "clientPrivkeyPath", cli->ssh_privkey);
		json_object_int_add(row, "preference", pref);
		json_object_array_add(list, row);
		return;
	}
	if (cli != NULL) {
		snprintf(addr, sizeof(addr), "%s", cli->host);
		snprintf(port, sizeof(port), "%s", cli->port);
	} else {
		split_name(rtrmod_client_cache_name(cc), addr, sizeof(addr), port, sizeof(port));
	}
	if (list == NULL) {
		vty_out(vty, "host: %s port: %s, preference: %u\n", addr, port, pref);
		return;
	}
	row = json_object_new_object();
	json_object_string_add(row, "mode", cache_transport(cc));
	json_object_string_add(row, "host", addr);
	json_object_string_add(row, "port", port);
	json_object_int_add(row, "preference", pref);
	json_object_array_add(list, row);
}

/* clang-format off */
DEFUN (show_rpki_cache_server,
       show_rpki_cache_server_cmd,
       "show rpki cache-server [json]",
       SHOW_STR
       RPKI_OUTPUT_STRING
       "Show configured cache server\n"
       JSON_STR)
/* clang-format on */
{
	json_object *json = NULL, *list = NULL;

	if (want_json(argc, argv)) {
		json = json_object_new_object();
		list = json_object_new_array();
		json_object_object_add(json, "servers", list);
	}
	each_cache(vty, list, server_row);
	if (json != NULL)
		vty_json(vty, json);
	return CMD_SUCCESS;
}

static void
connection_row(struct vty *vty, json_object *list, const struct rtrmod_frr_cache *cli,
	       const struct rtrmod_client_cache *cc)
{
	char addr[RTRMOD_FRR_HOST_LEN], port[32];
	unsigned pref = cli != NULL ? cli->preference : rtrmod_client_cache_preference(cc);
	bool up = cc != NULL && cache_connected(cc);
	const char *peer;
	json_object *row;

	if (cli != NULL && cli->ssh) {
		if (list == NULL) {
			vty_out(vty, "rpki ssh cache %s %u pref %u (%s)\n", cli->host,
				cli->ssh_port, pref, SSH_UNAVAILABLE);
			return;
		}
		row = json_object_new_object();
		json_object_string_add(row, "mode", "ssh");
		json_object_string_add(row, "host", cli->host);
		json_object_int_add(row, "port", cli->ssh_port);
		json_object_int_add(row, "preference", pref);
		json_object_string_add(row, "state", "disconnected");
		json_object_string_add(row, "error", SSH_UNAVAILABLE);
		json_object_array_add(list, row);
		return;
	}
	if (cli != NULL) {
		snprintf(addr, sizeof(addr), "%s", cli->host);
		snprintf(port, sizeof(port), "%s", cli->port);
	} else {
		split_name(rtrmod_client_cache_name(cc), addr, sizeof(addr), port, sizeof(port));
	}
	if (list == NULL) {
		vty_out(vty, "rpki %s cache %s %s pref %u%s\n", cache_transport(cc), addr, port,
			pref, up ? " (connected)" : "");
		return;
	}
	row = json_object_new_object();
	json_object_string_add(row, "mode", cache_transport(cc));
	json_object_string_add(row, "host", addr);
	json_object_string_add(row, "port", port);
	json_object_int_add(row, "preference", pref);
	json_object_string_add(row, "state", up ? "connected" : "disconnected");
	/* Beyond FRR's keys, only for a cache given by name (so the output of
	 * a configuration stock FRR also takes is exactly stock's): the
	 * address the name led to. */
	peer = up ? rtrmod_client_cache_peer_address(cc) : NULL;
	if (peer != NULL && strcmp(peer, rtrmod_client_cache_host(cc)) != 0)
		json_object_string_add(row, "peerAddress", peer);
	json_object_array_add(list, row);
}

/* Without a connection FRR prints one line; SSH caches also say why they
 * cannot be connected. */
static void
ssh_row(struct vty *vty, json_object *list, const struct rtrmod_frr_cache *cli,
	const struct rtrmod_client_cache *cc)
{
	if (cli != NULL && cli->ssh)
		connection_row(vty, list, cli, cc);
}

/* clang-format off */
DEFUN (show_rpki_cache_connection,
       show_rpki_cache_connection_cmd,
       "show rpki cache-connection [json]",
       SHOW_STR
       RPKI_OUTPUT_STRING
       "Show to which RPKI Cache Servers we have a connection\n"
       JSON_STR)
/* clang-format on */
{
	json_object *json = NULL, *list = NULL;
	unsigned pref = 0;

	if (want_json(argc, argv))
		json = json_object_new_object();
	if (!rtrmod_frr_synced() || !rtrmod_client_serving_preference(rtrmod_frr_client(), &pref)) {
		if (json == NULL) {
			vty_out(vty, "No connection to RPKI cache server.\n");
			each_cache(vty, NULL, ssh_row);
		} else {
			vty_json(vty, json);
		}
		return CMD_SUCCESS;
	}
	if (json == NULL) {
		vty_out(vty, "Connected to group %u\n", pref);
	} else {
		list = json_object_new_array();
		json_object_int_add(json, "connectedGroup", pref);
		json_object_object_add(json, "connections", list);
	}
	each_cache(vty, list, connection_row);
	if (json != NULL)
		vty_json(vty, json);
	return CMD_SUCCESS;
}

void
rtrmod_show_init(void)
{
	install_element(VIEW_NODE, &show_rpki_prefix_table_cmd);
	install_element(VIEW_NODE, &show_rpki_cache_connection_cmd);
	install_element(VIEW_NODE, &show_rpki_cache_server_cmd);
	install_element(VIEW_NODE, &show_rpki_prefix_cmd);
	install_element(VIEW_NODE, &show_rpki_as_number_cmd);
}
