/*
 * instance_state.c: the operational state of a running rtrmod as RFC 7951
 * JSON of the rtrmod model's config false nodes: per cache, the client's
 * session; the cache server's router sessions, serial, Session IDs and
 * counters; the sources' last refresh.  It is built from the public status
 * calls only (rtrmod/client.h, cache.h, feed.h), so it shows exactly what a
 * host could ask for itself, caches the host added on its own included
 * (the client's context is the one internal thing it reads: the output is
 * allocated there and times are measured on its loop clock).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <arpa/inet.h>
#include <libyang/libyang.h>

#include <rtrmod/cache.h>
#include <rtrmod/client.h>
#include <rtrmod/feed.h>
#include <rtrmod/instance.h>

#include "client_internal.h" /* only for the client's context */
#include "config_internal.h"
#include "rtrmod_internal.h"

/* Seconds since the epoch as yang:date-and-time (UTC). */
static int
s_time(struct lyd_node *parent, const char *name, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char buf[40];

	if (t <= 0)
		return 0;
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return 0;
	return cfg_ly_leaf(parent, name, "%s", buf);
}

/* "192.0.2.1:323", "[2001:db8::1]:323" or "rpki.example.net:323" ->
 * address (or name) and port. */
static bool
split_name(const char *name, char *addr, size_t size, unsigned *port)
{
	const char *colon, *a = name, *ae;

	if (name == NULL)
		return false;
	if (*name == '[') {
		a = name + 1;
		ae = strchr(a, ']');
		if (ae == NULL || ae[1] != ':')
			return false;
		colon = ae + 1;
	} else {
		colon = strrchr(name, ':');
		if (colon == NULL)
			return false;
		ae = colon;
	}
	if ((size_t)(ae - a) >= size)
		return false;
	memcpy(addr, a, (size_t)(ae - a));
	addr[ae - a] = '\0';
	*port = (unsigned)strtoul(colon + 1, NULL, 10);
	return *port > 0 && *port <= 65535;
}

/* Numeric addresses by value, names without regard to case (RFC 4343). */
static bool
same_address(const char *a, const char *b)
{
	uint8_t x[16], y[16];

	if (!resolve_numeric(a, NULL) && !resolve_numeric(b, NULL))
		return strcasecmp(a, b) == 0;
	if (inet_pton(AF_INET, a, x) == 1)
		return inet_pton(AF_INET, b, y) == 1 && memcmp(x, y, 4) == 0;
	return inet_pton(AF_INET6, a, x) == 1 && inet_pton(AF_INET6, b, y) == 1 &&
	       memcmp(x, y, 16) == 0;
}

static bool
configured(const struct rtrmod_config *config, const char *addr, unsigned port)
{
	size_t i;

	for (i = 0; config != NULL && i < config->ncaches; i++)
		if (config->caches[i].port == port && same_address(config->caches[i].address, addr))
			return true;
	return false;
}

static const char *const origin_names[] = {
    [RTRMOD_CLIENT_ERR_TRANSPORT] = "transport",
    [RTRMOD_CLIENT_ERR_SENT] = "sent",
    [RTRMOD_CLIENT_ERR_RECEIVED] = "received",
    [RTRMOD_CLIENT_ERR_LOCAL] = "local",
};

static int
state_cache(struct rtrmod_ctx *ctx, const struct rtrmod_config *config, struct lyd_node *list,
	    const struct rtrmod_client_cache *cc)
{
	struct lyd_node *e, *n;
	char addr[RESOLVE_HOST_MAX + 1], port_s[8];
	unsigned port;
	uint32_t serial, refresh, retry, expire;
	uint16_t session_id;
	uint64_t ms, received, sent;
	size_t vrps, keys, aspas;
	bool negotiated;
	uint8_t version;
	enum rtrmod_client_error_origin origin;
	const char *text = NULL;
	int code = -1, rc;

	if (!split_name(rtrmod_client_cache_name(cc), addr, sizeof(addr), &port))
		return 0; /* not an address this model can key */
	snprintf(port_s, sizeof(port_s), "%u", port);
	if ((rc = cfg_ly_rc(lyd_new_list(list, NULL, "cache-server", 0, &e, addr, port_s))) != 0)
		return rc;
	version = rtrmod_client_cache_version(cc, &negotiated);
	rtrmod_client_cache_records(cc, &vrps, &keys, &aspas);
	if ((rc = cfg_ly_bool(e, "configured", configured(config, addr, port))) != 0 ||
	    (rc = cfg_ly_leaf(e, "session-state", "%s",
			      rtrmod_client_state_name(rtrmod_client_cache_state(cc)))) != 0 ||
	    (rc = cfg_ly_leaf(e, "version-in-use", "%u", (unsigned)version)) != 0 ||
	    (rc = cfg_ly_bool(e, "version-negotiated", negotiated)) != 0 ||
	    (rc = cfg_ly_leaf(e, "vrp-count", "%zu", vrps)) != 0 ||
	    (rc = cfg_ly_leaf(e, "router-key-count", "%zu", keys)) != 0 ||
	    (rc = cfg_ly_leaf(e, "aspa-count", "%zu", aspas)) != 0 ||
	    (rc = cfg_ly_bool(e, "serving", rtrmod_client_cache_serving(cc))) != 0)
		return rc;
	if (rtrmod_client_cache_session(cc, &session_id, &serial) &&
	    ((rc = cfg_ly_leaf(e, "session-id", "%u", (unsigned)session_id)) != 0 ||
	     (rc = cfg_ly_leaf(e, "serial-number", "%u", (unsigned)serial)) != 0))
		return rc;
	rtrmod_client_cache_timers(cc, &refresh, &retry, &expire);
	if ((rc = cfg_ly_inner(e, "timers-in-effect", &n)) != 0 ||
	    (rc = cfg_ly_leaf(n, "refresh-time", "%u", (unsigned)refresh)) != 0 ||
	    (rc = cfg_ly_leaf(n, "retry-time", "%u", (unsigned)retry)) != 0 ||
	    (rc = cfg_ly_leaf(n, "expire-time", "%u", (unsigned)expire)) != 0)
		return rc;
	if (rtrmod_client_cache_last_update(cc, &ms)) {
		uint64_t now = ctx_now_ms(ctx);

		if ((rc = cfg_ly_leaf(e, "seconds-since-update", "%llu",
				      (unsigned long long)(now > ms ? (now - ms) / 1000 : 0))) != 0)
			return rc;
	}
	origin = rtrmod_client_cache_last_error(cc, &code, &text);
	if (origin > RTRMOD_CLIENT_ERR_NONE && origin < ARRAY_SIZE(origin_names)) {
		if ((rc = cfg_ly_inner(e, "last-error", &n)) != 0 ||
		    (rc = cfg_ly_leaf(n, "origin", "%s", origin_names[origin])) != 0 ||
		    (code >= 0 && (rc = cfg_ly_leaf(n, "code", "%d", code)) != 0) ||
		    (text != NULL && (rc = cfg_ly_leaf(n, "text", "%s", text)) != 0))
			return rc;
	}
	rtrmod_client_cache_report_counts(cc, &received, &sent);
	if ((rc = cfg_ly_leaf(e, "error-reports-received", "%llu", (unsigned long long)received)) !=
		0 ||
	    (rc = cfg_ly_leaf(e, "error-reports-sent", "%llu", (unsigned long long)sent)) != 0)
		return rc;
	return 0;
}

static int
state_client(struct rtrmod_ctx *ctx, const struct rtrmod_config *config, struct lyd_node *root,
	     struct rtrmod_client *client)
{
	struct lyd_node *cl, *list;
	unsigned preference;
	size_t i, n = rtrmod_client_cache_count(client);
	int rc;

	if ((rc = cfg_ly_inner(root, "client", &cl)) != 0)
		return rc;
	if (n > 0) {
		if ((rc = cfg_ly_inner(cl, "cache-servers", &list)) != 0)
			return rc;
		for (i = 0; i < n; i++)
			if ((rc = state_cache(ctx, config, list,
					      rtrmod_client_cache_at(client, i))) != 0)
				return rc;
	}
	if (rtrmod_client_serving_preference(client, &preference))
		return cfg_ly_leaf(cl, "serving-preference", "%u", preference);
	return 0;
}

struct session_walk {
	struct rtrmod_ctx *ctx;
	struct lyd_node *server;
	int rc;
};

static void
state_session(void *arg, const struct rtrmod_cache_session *s)
{
	struct session_walk *w = arg;
	struct lyd_node *e;
	uint64_t now = ctx_now_ms(w->ctx), since = rtrmod_cache_session_since(s);
	uint32_t serial;
	int version = rtrmod_cache_session_version(s);
	const char *peer = rtrmod_cache_session_peer(s),
		   *transport = rtrmod_cache_session_transport(s);

	if (w->rc != 0)
		return;
	if ((w->rc = cfg_ly_rc(lyd_new_list(w->server, NULL, "router-session", 0, &e))) != 0)
		return;
	if ((peer != NULL && (w->rc = cfg_ly_leaf(e, "peer", "%s", peer)) != 0) ||
	    (transport != NULL && (w->rc = cfg_ly_leaf(e, "transport", "%s", transport)) != 0) ||
	    (w->rc = cfg_ly_leaf(e, "state", "%s",
				 rtrmod_cache_session_state_name(rtrmod_cache_session_state(s)))) !=
		0 ||
	    (version >= 0 && (w->rc = cfg_ly_leaf(e, "version", "%d", version)) != 0) ||
	    (rtrmod_cache_session_serial(s, &serial) &&
	     (w->rc = cfg_ly_leaf(e, "serial-number", "%u", (unsigned)serial)) != 0) ||
	    (w->rc = cfg_ly_leaf(e, "queued-bytes", "%zu", rtrmod_cache_session_queued(s))) != 0 ||
	    (w->rc = cfg_ly_leaf(e, "bytes-sent", "%llu",
				 (unsigned long long)rtrmod_cache_session_bytes_sent(s))) != 0)
		return;
	w->rc = cfg_ly_leaf(e, "connected-seconds", "%llu",
			    (unsigned long long)(now > since ? (now - since) / 1000 : 0));
}

static int
state_server(struct rtrmod_ctx *ctx, struct lyd_node *root, struct rtrmod_cache *cache)
{
	struct session_walk w = {.ctx = ctx, .rc = 0};
	struct lyd_node *n, *e;
	uint32_t serial;
	unsigned v, i;
	char vs[4];
	int rc;

	if ((rc = cfg_ly_inner(root, "cache-server", &w.server)) != 0)
		return rc;
	rtrmod_cache_sessions(cache, state_session, &w);
	if (w.rc != 0)
		return w.rc;
	if (rtrmod_cache_serial(cache, &serial) == 0 &&
	    (rc = cfg_ly_leaf(w.server, "serial-number", "%u", (unsigned)serial)) != 0)
		return rc;
	for (v = 0; v <= 2; v++) {
		snprintf(vs, sizeof(vs), "%u", v);
		if ((rc = cfg_ly_rc(lyd_new_list(w.server, NULL, "session-id", 0, &e, vs))) != 0 ||
		    (rc = cfg_ly_leaf(e, "id", "%u",
				      (unsigned)rtrmod_cache_session_id(cache, (uint8_t)v))) != 0)
			return rc;
	}
	if ((rc = cfg_ly_inner(w.server, "counters", &n)) != 0)
		return rc;
	for (i = 0; i < RTRMOD_CACHE_CNT_MAX; i++)
		if ((rc = cfg_ly_leaf(n, rtrmod_cache_counter_name(i), "%llu",
				      (unsigned long long)rtrmod_cache_counter(cache, i))) != 0)
			return rc;
	return cfg_ly_leaf(w.server, "memory", "%zu", rtrmod_cache_memory(cache));
}

static int
state_sources(struct lyd_node *root, struct rtrmod_feed *feed)
{
	struct lyd_node *s;
	const char *err = rtrmod_feed_error(feed);
	int result = rtrmod_feed_result(feed), rc;
	uint32_t serial;
	int64_t until;

	if ((rc = cfg_ly_inner(root, "sources", &s)) != 0 ||
	    (rc = s_time(s, "last-attempt", rtrmod_feed_last_attempt(feed))) != 0 ||
	    (rc = s_time(s, "last-success", rtrmod_feed_last_success(feed))) != 0 ||
	    (rc = s_time(s, "last-change", rtrmod_feed_last_change(feed))) != 0)
		return rc;
	if (rtrmod_feed_last_attempt(feed) > 0 &&
	    (rc = cfg_ly_leaf(s, "result", "%s", result == 0 ? "ok" : rtrmod_strerror(result))) !=
		0)
		return rc;
	if (err != NULL && err[0] != '\0' && (rc = cfg_ly_leaf(s, "error-text", "%s", err)) != 0)
		return rc;
	if ((rc = cfg_ly_bool(s, "stale", rtrmod_feed_stale(feed))) != 0 ||
	    (rtrmod_feed_fresh_until(feed, &until) &&
	     (rc = s_time(s, "fresh-until", until)) != 0) ||
	    (rc = cfg_ly_leaf(s, "vrp-count", "%zu", rtrmod_feed_count(feed, RTRMOD_SOURCE_VRP))) !=
		0 ||
	    (rc = cfg_ly_leaf(s, "router-key-count", "%zu",
			      rtrmod_feed_count(feed, RTRMOD_SOURCE_ROUTER_KEY))) != 0 ||
	    (rc = cfg_ly_leaf(s, "aspa-count", "%zu",
			      rtrmod_feed_count(feed, RTRMOD_SOURCE_ASPA))) != 0)
		return rc;
	if (rtrmod_feed_serial(feed, &serial) == 0 &&
	    (rc = cfg_ly_leaf(s, "serial-number", "%u", (unsigned)serial)) != 0)
		return rc;
	if ((rc = cfg_ly_leaf(s, "refreshes-ok", "%llu",
			      (unsigned long long)rtrmod_feed_refreshes(feed, false))) != 0 ||
	    (rc = cfg_ly_leaf(s, "refreshes-failed", "%llu",
			      (unsigned long long)rtrmod_feed_refreshes(feed, true))) != 0)
		return rc;
	return 0;
}

int
cfg_state_json(struct rtrmod_ctx *ctx, const struct rtrmod_config *config,
	       struct rtrmod_client *client, struct rtrmod_cache *cache, struct rtrmod_feed *feed,
	       char **out)
{
	uint32_t log_opts;
	struct ly_ctx *ly = NULL;
	struct lyd_node *root = NULL;
	int rc;

	*out = NULL;
	log_opts = cfg_ly_quiet();
	if ((rc = cfg_ly_new(&ly, NULL)) != 0)
		goto fail;
	if ((rc = cfg_ly_rc(lyd_new_inner(NULL, ly_ctx_get_module_implemented(ly, "rtrmod"),
					  "rtrmod", 0, &root))) != 0 ||
	    (client != NULL && (rc = state_client(ctx, config, root, client)) != 0) ||
	    (cache != NULL && (rc = state_server(ctx, root, cache)) != 0) ||
	    (feed != NULL && (rc = state_sources(root, feed)) != 0))
		goto fail;
	rc = cfg_ly_print(ctx, root, false, LYD_PRINT_WITHSIBLINGS, out);
fail:
	lyd_free_all(root);
	ly_ctx_destroy(ly);
	ly_log_options(log_opts);
	return rc;
}

int
rtrmod_instance_state(const struct rtrmod_instance *inst, char **out)
{
	const struct rtrmod_config *config;
	struct rtrmod_client *client;

	if (out != NULL)
		*out = NULL;
	if (inst == NULL || out == NULL)
		return RTRMOD_EINVAL;
	client = rtrmod_instance_client(inst);
	config = rtrmod_instance_config(inst);
	if (client == NULL)
		return RTRMOD_EINVAL;
	return cfg_state_json(client->ctx, config, client, rtrmod_instance_cache(inst),
			      rtrmod_instance_feed(inst), out);
}
