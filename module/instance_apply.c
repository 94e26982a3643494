/*
 * instance_apply.c: rtrmod_instance_apply, the diff between the running
 * configuration and a new one.  Only what changed is touched: a client
 * cache whose settings are equal keeps its session and TCP connection, a
 * listener that stays keeps its socket, and sources that stay keep their
 * feed (and so the cache's serial).
 *
 * Invariants: the apply runs in two phases.  The prepare phase does
 * everything that can fail, in an order where all of it can be undone
 * without allocating: check the values, copy the configuration, make the
 * cache server or prepare its new settings, bind new listeners, load new
 * sources into a feed not yet attached to any cache, add new client caches
 * (they only connect once the loop runs), and last the one step that cannot
 * be undone, putting the new set in service (rtrmod_cache_update, which
 * itself changes all or nothing).  The commit phase cannot fail: it drops
 * what went away (listeners, caches, the old feed or the whole server) and
 * swaps in what was prepared.  Caches the host added to the client itself
 * are never touched.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rtrmod/instance.h>

#include "cache_internal.h"
#include "client_internal.h"
#include "feed_internal.h"
#include "instance_internal.h"
#include "rtrmod_internal.h"
#include "transport_internal.h"

#define PATH_MAX_LEN 512

/* What happens to a configured client cache. */
enum apply_act {
	ACT_KEEP = 0, /* equal: untouched */
	ACT_TUNE = 1, /* only timers or timeout differ: set in place, same session */
	ACT_ADD = 2,  /* new, or changed so that it must reconnect: a new client cache */
};

struct apply {
	struct rtrmod_instance *inst;
	struct rtrmod_ctx *ctx;
	const struct rtrmod_config *old; /* the running one, or the defaults */
	const struct rtrmod_config *cfg; /* the new one, as given */
	struct rtrmod_config_diag *diag;
	char path[PATH_MAX_LEN];
	/* prepared */
	struct rtrmod_config *copy;
	struct rtrmod_client_cache **ccs; /* for cfg->caches */
	uint8_t *act;                     /* enum apply_act, per cfg->caches */
	int *from;                        /* the old cache's index, or -1 */
	uint16_t *ports;                  /* for cfg->server.listeners */
	bool *bound;                      /* bound by this apply */
	struct rtrmod_cache *cache;       /* the server after the apply (NULL: none) */
	bool cache_new;
	struct cache_prepared *settings;
	struct rtrmod_feed *feed; /* a new feed, NULL: keep or none */
	bool feed_drop;           /* the old feed goes */
	bool client_started;
};

static const char *
apply_file(const struct apply *a)
{
	return a->cfg->name;
}

/* Fill the diag for the item at a->path and return rc. */
static int apply_fail(struct apply *a, int rc, const char *fmt, ...) RTRMOD_PRINTF(3, 4);

static int
apply_fail(struct apply *a, int rc, const char *fmt, ...)
{
	char what[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	cfg_diag_set(a->diag, apply_file(a), 0, a->path, "%s", what);
	log_err(a->ctx, "config: %s%s%s", a->path, a->path[0] != '\0' ? ": " : "", what);
	return rc;
}

static void
cache_name(const struct cfg_cache *c, char *buf, size_t size)
{
	snprintf(buf, size, strchr(c->address, ':') != NULL ? "[%s]:%u" : "%s:%u", c->address,
		 (unsigned)c->port);
}

static void
listener_name(const struct cfg_listener *l, char *buf, size_t size)
{
	snprintf(buf, size, strchr(l->address, ':') != NULL ? "[%s]:%u" : "%s:%u", l->address,
		 (unsigned)l->port);
}

static const char *
transport_name(enum cfg_transport t)
{
	return t == CFG_TRANSPORT_TLS ? "tls" : t == CFG_TRANSPORT_SSH ? "ssh" : "tcp";
}

static int
find_cache(const struct rtrmod_config *c, const struct cfg_cache *key, size_t limit)
{
	for (size_t i = 0; i < c->ncaches && i < limit; i++)
		if (c->caches[i].port == key->port &&
		    strcmp(c->caches[i].address, key->address) == 0)
			return (int)i;
	return -1;
}

static int
find_listener(const struct rtrmod_config *c, const struct cfg_listener *key, size_t limit)
{
	for (size_t i = 0; i < c->server.nlisteners && i < limit; i++)
		if (c->server.listeners[i].port == key->port &&
		    strcmp(c->server.listeners[i].address, key->address) == 0)
			return (int)i;
	return -1;
}

/* ---- checks: what the model cannot say and the core refuses ------------------ */

/* RFC 8210 §6 ranges (8210bis §6 unchanged), expire above both others. */
static bool
timers_ok(uint32_t refresh, uint32_t retry, uint32_t expire)
{
	return refresh >= CSESS_REFRESH_MIN && refresh <= CSESS_REFRESH_MAX &&
	       retry >= CSESS_RETRY_MIN && retry <= CSESS_RETRY_MAX && expire >= CSESS_EXPIRE_MIN &&
	       expire <= CSESS_EXPIRE_MAX && expire > refresh && expire > retry;
}

/* An old listener that the new configuration drops and that blocks the new
 * listener `l` while it is open (binding happens before old ones close). */
static int
removed_listener_blocking(const struct apply *a, const struct cfg_listener *l)
{
	const struct cfg_server *old = &a->old->server;

	if (a->cache_new)
		return -1;
	for (size_t j = 0; j < old->nlisteners; j++)
		if (old->listeners[j].port == l->port &&
		    sockaddr_text_overlap(old->listeners[j].address, l->address) &&
		    find_listener(a->cfg, &old->listeners[j], SIZE_MAX) < 0)
			return (int)j;
	return -1;
}

static int
check_cache(struct apply *a, size_t i)
{
	const struct cfg_cache *c = &a->cfg->caches[i];

	instance_path_cache(a->path, sizeof(a->path), c, NULL);
	if (sockaddr_text_family(c->address) < 0 && !resolve_host_valid(c->address))
		return apply_fail(a, RTRMOD_EINVAL,
				  "\"%s\" is neither a numeric IP address nor a host name",
				  c->address);
	if (c->port == 0)
		return apply_fail(a, RTRMOD_ERANGE, "server-port 0");
	if (find_cache(a->cfg, c, i) >= 0)
		return apply_fail(a, RTRMOD_EEXIST, "configured twice");
	if (c->transport != CFG_TRANSPORT_TCP)
		return apply_fail(a, RTRMOD_ENOTSUP, "transport %s is not supported by this build",
				  transport_name(c->transport));
	instance_path_cache(a->path, sizeof(a->path), c, "preference");
	if (c->preference < 1 || c->preference > 255)
		return apply_fail(a, RTRMOD_ERANGE, "%u is not in 1..255 (RFC 8210 §10)",
				  c->preference);
	instance_path_cache(a->path, sizeof(a->path), c, "protocol-version");
	if (c->version_max > RTRMOD_PDU_VERSION_MAX)
		return apply_fail(a, RTRMOD_ERANGE, "version %u is not in 0..2", c->version_max);
	instance_path_cache(a->path, sizeof(a->path), c, "expire-time");
	if (!timers_ok(c->refresh, c->retry, c->expire))
		return apply_fail(a, RTRMOD_ERANGE,
				  "refresh %u, retry %u, expire %u s: out of the RFC 8210 §6 "
				  "ranges, or expire not above both others",
				  c->refresh, c->retry, c->expire);
	instance_path_cache(a->path, sizeof(a->path), c, "timeout");
	if (c->timeout_ms == 0)
		return apply_fail(a, RTRMOD_ERANGE, "a timeout of 0 ms");
	/* A name's addresses of the local address's family are the ones
	 * used (client_dial.c); a numeric address must match it. */
	instance_path_cache(a->path, sizeof(a->path), c, "local-address");
	if (c->local_address[0] != '\0' &&
	    (sockaddr_text_family(c->local_address) < 0 ||
	     (sockaddr_text_family(c->address) >= 0 &&
	      sockaddr_text_family(c->local_address) != sockaddr_text_family(c->address))))
		return apply_fail(a, RTRMOD_EINVAL,
				  "\"%s\" is not a numeric IP address of the cache's family",
				  c->local_address);
	return 0;
}

static int
check_server(struct apply *a)
{
	const struct cfg_server *s = &a->cfg->server;

	snprintf(a->path, sizeof(a->path), INSTANCE_PATH_SERVER);
	if (s->version_min > s->version_max || s->version_max > RTRMOD_PDU_VERSION_MAX)
		return apply_fail(a, RTRMOD_ERANGE, "versions %u..%u: not within 0..2",
				  s->version_min, s->version_max);
	if (!timers_ok(s->refresh, s->retry, s->expire))
		return apply_fail(a, RTRMOD_ERANGE,
				  "refresh %u, retry %u, expire %u s: out of the RFC 8210 §6 "
				  "ranges, or expire not above both others",
				  s->refresh, s->retry, s->expire);
	if (s->history < 1 || s->history > 65536)
		return apply_fail(a, RTRMOD_ERANGE, "history of %u serials: not in 1..65536",
				  s->history);
	if (s->send_timeout_ms == 0 || s->handshake_timeout_ms == 0)
		return apply_fail(a, RTRMOD_ERANGE, "a timeout of 0 ms");
	for (size_t i = 0; i < s->nlisteners; i++) {
		const struct cfg_listener *l = &s->listeners[i];

		instance_path_listener(a->path, sizeof(a->path), l, NULL);
		if (sockaddr_text_family(l->address) < 0)
			return apply_fail(a, RTRMOD_EINVAL, "\"%s\" is not a numeric IP address",
					  l->address);
		if (find_listener(a->cfg, l, i) >= 0)
			return apply_fail(a, RTRMOD_EEXIST, "configured twice");
		if (l->transport != CFG_TRANSPORT_TCP)
			return apply_fail(a, RTRMOD_ENOTSUP,
					  "transport %s is not supported by this build",
					  transport_name(l->transport));
	}
	for (size_t i = 0; i < a->cfg->sources.n; i++) {
		const struct cfg_source *src = &a->cfg->sources.list[i];

		instance_path_source(a->path, sizeof(a->path), src, NULL);
		if (src->url != NULL)
			return apply_fail(a, RTRMOD_ENOTSUP,
					  "sources by URL are not supported by this build");
		if (src->file == NULL || src->file[0] == '\0')
			return apply_fail(a, RTRMOD_EINVAL, "no file");
	}
	return 0;
}

static int
apply_check(struct apply *a)
{
	int rc;

	for (size_t i = 0; i < a->cfg->ncaches; i++)
		if ((rc = check_cache(a, i)) != 0)
			return rc;
	if (a->cfg->server.enabled && (rc = check_server(a)) != 0)
		return rc;
	if (a->cfg->http.enabled) {
		snprintf(a->path, sizeof(a->path), INSTANCE_PATH_HTTP);
		return apply_fail(a, RTRMOD_ENOTSUP,
				  "the HTTP endpoint is not supported by this build");
	}
	if (!a->cfg->server.enabled && a->cfg->sources.n > 0)
		log_warn(a->ctx, "config: sources without a cache server are not loaded");
	a->path[0] = '\0';
	return 0;
}

/* ---- prepare ----------------------------------------------------------------- */

static int
apply_alloc(struct apply *a)
{
	size_t nc = a->cfg->ncaches, nl = a->cfg->server.nlisteners;

	a->path[0] = '\0';
	if ((a->copy = cfg_dup(a->ctx, a->cfg)) == NULL ||
	    (nc > 0 && ((a->ccs = ctx_zalloc(a->ctx, nc * sizeof(*a->ccs))) == NULL ||
			(a->act = ctx_zalloc(a->ctx, nc * sizeof(*a->act))) == NULL ||
			(a->from = ctx_zalloc(a->ctx, nc * sizeof(*a->from))) == NULL)) ||
	    (nl > 0 && ((a->ports = ctx_zalloc(a->ctx, nl * sizeof(*a->ports))) == NULL ||
			(a->bound = ctx_zalloc(a->ctx, nl * sizeof(*a->bound))) == NULL)))
		return apply_fail(a, RTRMOD_ENOMEM, "out of memory");
	return 0;
}

static void
server_settings(const struct cfg_server *s, struct cache_settings *out)
{
	memset(out, 0, sizeof(*out));
	out->vmin = s->version_min;
	out->vmax = s->version_max;
	out->refresh = s->refresh;
	out->retry = s->retry;
	out->expire = s->expire;
	out->history = s->history;
	out->max_sessions = s->max_sessions;
	out->send_ms = s->send_timeout_ms;
	out->handshake_ms = s->handshake_timeout_ms;
	out->acl = s->acl;
	out->nacl = s->nacl;
}

/* The cache server: made if newly enabled, its settings prepared, its new
 * listeners bound. */
static int
apply_server(struct apply *a)
{
	struct rtrmod_instance *inst = a->inst;
	const struct cfg_server *s = &a->cfg->server;
	struct cache_settings cs;
	int rc, j;

	snprintf(a->path, sizeof(a->path), INSTANCE_PATH_SERVER);
	if (!s->enabled)
		return 0;
	a->cache = inst->cache;
	if (a->cache == NULL) {
		if ((rc = rtrmod_cache_new(a->ctx, &a->cache)) != 0)
			return apply_fail(a, rc, "cannot make the cache server: %s",
					  rtrmod_strerror(rc));
		a->cache_new = true;
	}
	if (a->cache_new || !cfg_server_settings_equal(&a->old->server, s)) {
		server_settings(s, &cs);
		if ((rc = cache_settings_prepare(a->cache, &cs, &a->settings)) != 0)
			return apply_fail(a, rc, "settings refused: %s", rtrmod_strerror(rc));
		if (a->cache_new) { /* nobody sees it yet */
			cache_settings_commit(a->cache, a->settings);
			a->settings = NULL;
		}
	}
	for (size_t i = 0; i < s->nlisteners; i++) {
		const struct cfg_listener *l = &s->listeners[i];

		j = a->cache_new ? -1 : find_listener(a->old, l, SIZE_MAX);
		instance_path_listener(a->path, sizeof(a->path), l, NULL);
		if (j >= 0 && !cfg_listener_equal(&a->old->server.listeners[j], l))
			return apply_fail(a, RTRMOD_ENOTSUP,
					  "a listener's transport settings cannot change in place: "
					  "remove it with one reload and add it back with the next");
		if (j >= 0) {
			a->ports[i] = inst->ports[j];
			continue;
		}
		rc = rtrmod_cache_listen(a->cache, l->address, l->port, &a->ports[i]);
		if (rc == RTRMOD_EEXIST && (j = removed_listener_blocking(a, l)) >= 0)
			return apply_fail(a, rc,
					  "address already in use by listener %s port %u, which this "
					  "configuration removes: new listeners are bound before old "
					  "ones close (so routers always have one), so remove it with "
					  "one reload and add this one with the next",
					  a->old->server.listeners[j].address, (unsigned)l->port);
		if (rc == RTRMOD_EEXIST)
			return apply_fail(a, rc, "address already in use");
		if (rc != 0)
			return apply_fail(a, rc, "cannot listen: %s", rtrmod_strerror(rc));
		a->bound[i] = true;
	}
	return 0;
}

/* The YANG item a failed load is about, from the feed's message, which
 * begins with the file's path (source.c) or "SLURM: " and the file's. */
static void
feed_fault_path(struct apply *a, const char *err)
{
	const struct cfg_sources *s = &a->cfg->sources;
	size_t n, best = 0;

	snprintf(a->path, sizeof(a->path), INSTANCE_PATH_SOURCES);
	for (size_t i = 0; i < s->n; i++) {
		n = strlen(s->list[i].file);
		if (n > best && strncmp(err, s->list[i].file, n) == 0 && err[n] == ':') {
			best = n;
			instance_path_source(a->path, sizeof(a->path), &s->list[i], NULL);
		}
	}
	if (best > 0 || strncmp(err, "SLURM: ", 7) != 0)
		return;
	err += 7;
	for (size_t i = 0; i < s->nslurm; i++) {
		n = strlen(s->slurm[i]);
		if (n > best && strncmp(err, s->slurm[i], n) == 0 && err[n] == ':') {
			best = n;
			instance_path_slurm(a->path, sizeof(a->path), s->slurm[i]);
		}
	}
}

static int
feed_configure(struct apply *a, struct rtrmod_feed *f)
{
	const struct cfg_sources *s = &a->cfg->sources;
	int rc = 0;

	snprintf(a->path, sizeof(a->path), INSTANCE_PATH_SOURCES);
	for (size_t i = 0; i < s->n && rc == 0; i++)
		rc = rtrmod_feed_add_source(f, s->list[i].file);
	for (size_t i = 0; i < s->nslurm && rc == 0; i++)
		rc = rtrmod_feed_add_slurm(f, s->slurm[i]);
	if (rc == 0)
		rc = rtrmod_feed_set_refresh(f, s->refresh);
	if (rc != 0)
		return apply_fail(a, rc, "%s", rtrmod_strerror(rc));
	rtrmod_feed_set_check_time(f, s->check_time);
	rtrmod_feed_set_max_age(f, s->max_age);
	rtrmod_feed_set_serve_kind(f, RTRMOD_SOURCE_VRP, s->serve_vrps);
	rtrmod_feed_set_serve_kind(f, RTRMOD_SOURCE_ROUTER_KEY, s->serve_router_keys);
	rtrmod_feed_set_serve_kind(f, RTRMOD_SOURCE_ASPA, s->serve_aspas);
	if (s->verify_key_file != NULL) {
		rtrmod_feed_set_verify(f, true);
		if ((rc = rtrmod_feed_set_verify_key_file(f, s->verify_key_file)) != 0) {
			snprintf(a->path, sizeof(a->path), INSTANCE_PATH_SOURCES "/signature-key-file");
			return apply_fail(a, rc, "%s", rtrmod_feed_error(f));
		}
	}
	return 0;
}

/*
 * New or changed sources load into a new feed before anything running is
 * touched; the feed has no cache until the commit, so a failed load (or
 * any later failure) leaves the served set alone.  Unchanged sources keep
 * the running feed: no reload, no new serial.
 */
static int
apply_feed(struct apply *a)
{
	const struct rtrmod_instance *inst = a->inst;
	int rc;

	if (!a->cfg->server.enabled || a->cfg->sources.n == 0) {
		a->feed_drop = inst->feed != NULL;
		return 0;
	}
	if (inst->feed != NULL && !a->cache_new &&
	    cfg_sources_equal(&a->old->sources, &a->cfg->sources))
		return 0;
	snprintf(a->path, sizeof(a->path), INSTANCE_PATH_SOURCES);
	if ((rc = rtrmod_feed_new(a->ctx, NULL, &a->feed)) != 0)
		return apply_fail(a, rc, "%s", rtrmod_strerror(rc));
	if ((rc = feed_configure(a, a->feed)) != 0)
		return rc;
	if ((rc = rtrmod_feed_start(a->feed)) != 0 || rtrmod_feed_set(a->feed) == NULL) {
		if (rc == 0)
			rc = RTRMOD_ESTATE;
		if (rtrmod_feed_error(a->feed)[0] == '\0')
			return apply_fail(a, rc, "cannot start the sources: %s",
					  rtrmod_strerror(rc));
		feed_fault_path(a, rtrmod_feed_error(a->feed));
		return apply_fail(a, rc, "%s", rtrmod_feed_error(a->feed));
	}
	a->feed_drop = inst->feed != NULL;
	return 0;
}

/* Equal but for what a running session takes in place: the timers it
 * uses until the cache sends its own, and the I/O timeout. */
static bool
cache_tunable(const struct cfg_cache *old, const struct cfg_cache *new)
{
	struct cfg_cache t = *new;

	t.refresh = old->refresh;
	t.retry = old->retry;
	t.expire = old->expire;
	t.timeout_ms = old->timeout_ms;
	return cfg_cache_equal(old, &t);
}

static int
client_cache_add(struct apply *a, size_t i)
{
	const struct cfg_cache *c = &a->cfg->caches[i];
	struct rtrmod_client_cache *cc;
	int rc;

	instance_path_cache(a->path, sizeof(a->path), c, NULL);
	rc = rtrmod_client_add_cache(a->inst->client, c->address, c->port, c->preference, "tcp",
				     &cc);
	if (rc != 0)
		return apply_fail(a, rc, "cannot add the cache: %s", rtrmod_strerror(rc));
	a->ccs[i] = cc;
	if ((rc = rtrmod_client_cache_set_version_max(cc, c->version_max)) != 0 ||
	    (rc = rtrmod_client_cache_set_timers(cc, c->refresh, c->retry, c->expire)) != 0 ||
	    (rc = rtrmod_client_cache_set_timeout(cc, c->timeout_ms)) != 0 ||
	    (c->local_address[0] != '\0' &&
	     (rc = rtrmod_client_cache_set_local_address(cc, c->local_address)) != 0))
		return apply_fail(a, rc, "refused: %s", rtrmod_strerror(rc));
	return 0;
}

/* Client caches: matched by (address, port) with the running ones made by
 * the instance; the host's own are not looked at. */
static int
apply_client(struct apply *a)
{
	struct rtrmod_client *client = a->inst->client;
	bool added = false;
	int rc, j;

	for (size_t i = 0; i < a->cfg->ncaches; i++) {
		const struct cfg_cache *c = &a->cfg->caches[i];

		j = find_cache(a->old, c, SIZE_MAX);
		a->from[i] = j;
		if (j >= 0 && cfg_cache_equal(&a->old->caches[j], c)) {
			a->act[i] = ACT_KEEP;
			a->ccs[i] = a->inst->ccs[j];
		} else if (j >= 0 && cache_tunable(&a->old->caches[j], c)) {
			a->act[i] = ACT_TUNE;
			a->ccs[i] = a->inst->ccs[j];
		} else {
			a->act[i] = ACT_ADD;
			added = true;
			if ((rc = client_cache_add(a, i)) != 0)
				return rc;
		}
	}
	a->path[0] = '\0';
	if (!client->started && rtrmod_client_cache_count(client) > 0) {
		if ((rc = rtrmod_client_start(client)) != 0)
			return apply_fail(a, rc, "cannot start the client: %s",
					  rtrmod_strerror(rc));
		a->client_started = true;
	} else if (added && (rc = client_eval_arm(client)) != 0) {
		return apply_fail(a, rc, "cannot start the new caches: %s", rtrmod_strerror(rc));
	}
	return 0;
}

/* The one step that cannot be undone, done last: the set the server will
 * serve, if that changes.  rtrmod_cache_update changes all or nothing, and
 * an equal set changes nothing (no new serial). */
static int
apply_data(struct apply *a)
{
	struct rtrmod_instance *inst = a->inst;
	struct rtrmod_set *set = NULL;
	bool was_relay = inst->cache != NULL && inst->feed == NULL;
	int rc;

	if (a->cache == NULL)
		return 0;
	if (a->feed != NULL)
		set = rtrmod_feed_set(a->feed);
	else if (a->cfg->sources.n == 0 && (a->cache_new || !was_relay) &&
		 client_has_table(inst->client))
		set = rtrmod_client_set(inst->client);
	if (set == NULL)
		return 0;
	snprintf(a->path, sizeof(a->path), INSTANCE_PATH_SERVER);
	if ((rc = rtrmod_cache_update(a->cache, set)) != 0)
		return apply_fail(a, rc, "cannot serve the new set: %s", rtrmod_strerror(rc));
	return 0;
}

/* ---- undo and commit ----------------------------------------------------------- */

/* Removing a cache the instance made, and a listener it bound, cannot
 * fail but for a bug; say so if it does. */
static void
drop_cache(struct apply *a, struct rtrmod_client_cache *cc)
{
	int rc;

	if ((rc = rtrmod_client_remove_cache(a->inst->client, cc)) != 0)
		log_err(a->ctx, "config: cannot remove a cache: %s", rtrmod_strerror(rc));
}

static void
drop_listener(struct apply *a, const char *addr, uint16_t port)
{
	int rc;

	if ((rc = rtrmod_cache_unlisten(a->cache, addr, port)) != 0)
		log_err(a->ctx, "config: cannot stop listening on %s port %u: %s", addr,
			(unsigned)port, rtrmod_strerror(rc));
}

static void
apply_undo(struct apply *a)
{
	struct rtrmod_instance *inst = a->inst;

	for (size_t i = 0; a->act != NULL && i < a->cfg->ncaches; i++)
		if (a->act[i] == ACT_ADD && a->ccs[i] != NULL)
			drop_cache(a, a->ccs[i]); /* no data yet: no update */
	if (a->client_started)
		rtrmod_client_stop(inst->client);
	rtrmod_feed_free(a->feed);
	if (a->cache_new) {
		rtrmod_cache_free(a->cache);
	} else if (a->cache != NULL) {
		for (size_t i = 0; a->bound != NULL && i < a->cfg->server.nlisteners; i++)
			if (a->bound[i])
				drop_listener(a, a->cfg->server.listeners[i].address, a->ports[i]);
		cache_settings_discard(a->cache, a->settings);
	}
}

static void
apply_free(struct apply *a)
{
	cfg_free(a->copy);
	ctx_free(a->ctx, a->ccs);
	ctx_free(a->ctx, a->act);
	ctx_free(a->ctx, a->from);
	ctx_free(a->ctx, a->ports);
	ctx_free(a->ctx, a->bound);
}

static void
commit_server(struct apply *a)
{
	struct rtrmod_instance *inst = a->inst;
	const struct cfg_server *old = &a->old->server;
	char name[96];

	if (inst->cache != NULL && a->cache == NULL) {
		log_info(a->ctx, "config: cache server disabled: %zu router sessions closed",
			 rtrmod_cache_sessions(inst->cache, NULL, NULL));
		rtrmod_feed_free(inst->feed);
		rtrmod_cache_free(inst->cache);
		inst->feed = NULL;
		inst->cache = NULL;
		return;
	}
	if (a->cache == NULL)
		return;
	if (a->cache_new)
		log_info(a->ctx, "config: cache server enabled");
	else if (a->settings != NULL)
		log_info(a->ctx, "config: cache server settings changed (for new queries)");
	else
		log_info(a->ctx, "config: cache server settings unchanged");
	if (a->settings != NULL)
		cache_settings_commit(a->cache, a->settings);
	a->settings = NULL;
	for (size_t j = 0; !a->cache_new && j < old->nlisteners; j++) {
		listener_name(&old->listeners[j], name, sizeof(name));
		if (find_listener(a->cfg, &old->listeners[j], SIZE_MAX) >= 0)
			continue;
		drop_listener(a, old->listeners[j].address, inst->ports[j]);
		log_info(a->ctx, "config: listener %s removed (its sessions stay)", name);
	}
	for (size_t i = 0; i < a->cfg->server.nlisteners; i++) {
		listener_name(&a->cfg->server.listeners[i], name, sizeof(name));
		log_info(a->ctx, "config: listener %s %s", name,
			 a->bound[i] ? "added" : "unchanged");
	}
	if (a->feed != NULL) {
		feed_set_cache(a->feed, a->cache);
		rtrmod_feed_free(inst->feed);
		inst->feed = a->feed;
		a->feed = NULL;
		log_info(a->ctx, "config: sources loaded and in service");
	} else if (a->feed_drop) {
		rtrmod_feed_free(inst->feed);
		inst->feed = NULL;
		log_info(a->ctx, "config: sources removed: relaying the client's table");
	} else if (inst->feed != NULL) {
		log_info(a->ctx, "config: sources unchanged");
	}
	inst->cache = a->cache;
	instance_relay_stale(inst);
}

/* The instance's old caches that the new configuration does not keep. */
static bool
old_cache_kept(const struct apply *a, size_t j)
{
	for (size_t i = 0; i < a->cfg->ncaches; i++)
		if (a->act[i] != ACT_ADD && a->from[i] == (int)j)
			return true;
	return false;
}

/* After the swap: inst->ccs and inst->cfg are the new ones already. */
static void
commit_client(struct apply *a, struct rtrmod_client_cache **old_ccs)
{
	const struct rtrmod_config *old = a->old;
	char name[96];

	for (size_t i = 0; i < a->cfg->ncaches; i++) {
		const struct cfg_cache *c = &a->cfg->caches[i];

		cache_name(c, name, sizeof(name));
		if (a->act[i] == ACT_KEEP) {
			log_info(a->ctx, "config: cache %s unchanged", name);
		} else if (a->act[i] == ACT_TUNE) {
			/* Checked by check_cache: neither can fail. */
			if (rtrmod_client_cache_set_timers(a->inst->ccs[i], c->refresh, c->retry,
							   c->expire) != 0 ||
			    rtrmod_client_cache_set_timeout(a->inst->ccs[i], c->timeout_ms) != 0)
				log_err(a->ctx, "config: cache %s: timers refused", name);
			log_info(a->ctx, "config: cache %s timers changed (same session)", name);
		} else {
			log_info(a->ctx, "config: cache %s %s", name,
				 a->from[i] >= 0 ? "changed: reconnecting" : "added");
		}
	}
	for (size_t j = 0; j < old->ncaches; j++) {
		if (old_cache_kept(a, j))
			continue;
		cache_name(&old->caches[j], name, sizeof(name));
		if (find_cache(a->cfg, &old->caches[j], SIZE_MAX) < 0)
			log_info(a->ctx, "config: cache %s removed", name);
		drop_cache(a, old_ccs[j]);
	}
}

static void
apply_commit(struct apply *a)
{
	struct rtrmod_instance *inst = a->inst;
	struct rtrmod_config *old_cfg = inst->cfg;
	struct rtrmod_client_cache **old_ccs = inst->ccs;
	uint16_t *old_ports = inst->ports;

	commit_server(a);
	inst->ports = a->ports;
	a->ports = NULL;
	inst->cfg = a->copy;
	a->copy = NULL;
	inst->ccs = a->ccs;
	a->ccs = NULL;
	/* Last: removing a cache can call the host (update, status), which
	 * then sees the new configuration. */
	commit_client(a, old_ccs);
	ctx_free(a->ctx, old_ccs);
	ctx_free(a->ctx, old_ports);
	cfg_free(old_cfg);
}

/* ---- rtrmod_instance_apply ------------------------------------------------------- */

int
rtrmod_instance_apply(struct rtrmod_instance *inst, const struct rtrmod_config *config,
		      struct rtrmod_config_diag *diag)
{
	struct rtrmod_config *defaults = NULL;
	struct apply a;
	int rc;

	if (diag != NULL)
		memset(diag, 0, sizeof(*diag));
	if (inst == NULL || config == NULL) {
		cfg_diag_set(diag, NULL, 0, NULL, "no instance or no configuration");
		return RTRMOD_EINVAL;
	}
	if (inst->applying || inst->depth > 0 || client_in_callback(inst->client)) {
		cfg_diag_set(diag, config->name, 0, NULL,
			     "a configuration cannot be applied from inside a callback of the "
			     "instance");
		return RTRMOD_ESTATE;
	}
	memset(&a, 0, sizeof(a));
	a.inst = inst;
	a.ctx = inst->ctx;
	a.cfg = config;
	a.diag = diag;
	a.old = inst->cfg;
	if (a.old == NULL && (a.old = defaults = cfg_new_default(inst->ctx)) == NULL) {
		cfg_diag_set(diag, config->name, 0, NULL, "out of memory");
		return RTRMOD_ENOMEM;
	}
	inst->applying = true;
	if ((rc = apply_check(&a)) == 0 && (rc = apply_alloc(&a)) == 0 &&
	    (rc = apply_server(&a)) == 0 && (rc = apply_feed(&a)) == 0 &&
	    (rc = apply_client(&a)) == 0)
		rc = apply_data(&a);
	if (rc != 0)
		apply_undo(&a);
	else
		apply_commit(&a);
	apply_free(&a);
	cfg_free(defaults);
	inst->applying = false;
	if (rc == 0)
		log_info(inst->ctx, "config: %s applied",
			 config->name != NULL ? config->name : "configuration");
	return rc;
}
