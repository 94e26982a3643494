/*
 * instance.c: a running rtrmod made from a configuration: the object, its
 * getters, and the client callbacks it keeps for itself, through which a
 * cache server without sources relays the client's merged table to its
 * routers.  The diff that puts a configuration in place is
 * instance_apply.c's.
 *
 * Invariants: the client's update and status callbacks are always the
 * instance's; the host's are called after the instance's own handling,
 * with the same arguments.  Nothing is freed from inside a callback of the
 * instance's own objects (the client refuses; the instance checks too).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <rtrmod/instance.h>

#include "client_internal.h"
#include "instance_internal.h"
#include "rtrmod_internal.h"

/* ---- relay ----------------------------------------------------------------- */

void
instance_relay_stale(struct rtrmod_instance *inst)
{
	uint32_t serial;

	if (inst->cache == NULL || inst->feed != NULL)
		return;
	/* Serial set: the cache holds a table (kept while upstream is gone). */
	rtrmod_cache_set_stale(inst->cache, !client_has_table(inst->client) &&
						rtrmod_cache_serial(inst->cache, &serial) == 0);
}

/*
 * Without a serving group the merged table is empty because upstream is
 * gone, not because there are no ROAs: the routers are told "No Data
 * Available" (RFC 8210 §8.4) so they turn to their other caches (§10),
 * rather than being handed an empty table.
 */
void
instance_relay_sync(struct rtrmod_instance *inst)
{
	int rc;

	if (inst->cache == NULL || inst->feed != NULL)
		return;
	if (client_has_table(inst->client) &&
	    (rc = rtrmod_cache_update(inst->cache, rtrmod_client_set(inst->client))) != 0)
		log_err(inst->ctx, "relay: the cache server keeps its last table: %s",
			rtrmod_strerror(rc));
	instance_relay_stale(inst);
}

/* ---- the client's callbacks ------------------------------------------------ */

static void
inst_on_update(void *arg, struct rtrmod_client *client, const struct rtrmod_delta *delta)
{
	struct rtrmod_instance *inst = arg;

	instance_relay_sync(inst);
	if (inst->update_fn != NULL) {
		inst->depth++;
		inst->update_fn(inst->update_arg, client, delta);
		inst->depth--;
	}
}

static void
inst_on_status(void *arg, struct rtrmod_client *client, const struct rtrmod_client_cache *cache)
{
	struct rtrmod_instance *inst = arg;

	instance_relay_stale(inst);
	if (inst->status_fn != NULL) {
		inst->depth++;
		inst->status_fn(inst->status_arg, client, cache);
		inst->depth--;
	}
}

/* ---- the object ------------------------------------------------------------- */

int
rtrmod_instance_new(struct rtrmod_ctx *ctx, struct rtrmod_instance **out)
{
	struct rtrmod_instance *inst;
	int rc;

	if (out == NULL)
		return RTRMOD_EINVAL;
	*out = NULL;
	if (ctx == NULL)
		return RTRMOD_EINVAL;
	if ((inst = ctx_zalloc(ctx, sizeof(*inst))) == NULL)
		return RTRMOD_ENOMEM;
	inst->ctx = ctx;
	if ((rc = rtrmod_client_new(ctx, &inst->client)) != 0) {
		ctx_free(ctx, inst);
		return rc;
	}
	rtrmod_client_set_update_cb(inst->client, inst_on_update, inst);
	rtrmod_client_set_status_cb(inst->client, inst_on_status, inst);
	*out = inst;
	return 0;
}

void
rtrmod_instance_free(struct rtrmod_instance *inst)
{
	if (inst == NULL)
		return;
	if (inst->depth > 0 || inst->applying || client_in_callback(inst->client)) {
		log_err(inst->ctx, "instance freed from inside its own callback: refused");
		return;
	}
	/* The feed points at the cache; the relay reads the client. */
	rtrmod_feed_free(inst->feed);
	inst->feed = NULL;
	rtrmod_cache_free(inst->cache);
	inst->cache = NULL;
	rtrmod_client_free(inst->client);
	ctx_free(inst->ctx, inst->ccs);
	ctx_free(inst->ctx, inst->ports);
	cfg_free(inst->cfg);
	ctx_free(inst->ctx, inst);
}

const struct rtrmod_config *
rtrmod_instance_config(const struct rtrmod_instance *inst)
{
	return inst != NULL ? inst->cfg : NULL;
}

int
rtrmod_instance_reload_sources(struct rtrmod_instance *inst)
{
	if (inst == NULL)
		return RTRMOD_EINVAL;
	if (inst->feed == NULL)
		return RTRMOD_ENOENT;
	return rtrmod_feed_reload(inst->feed);
}

void
rtrmod_instance_set_update_cb(struct rtrmod_instance *inst, rtrmod_client_update_fn *fn, void *arg)
{
	if (inst != NULL) {
		inst->update_fn = fn;
		inst->update_arg = arg;
	}
}

void
rtrmod_instance_set_status_cb(struct rtrmod_instance *inst, rtrmod_client_status_fn *fn, void *arg)
{
	if (inst != NULL) {
		inst->status_fn = fn;
		inst->status_arg = arg;
	}
}

struct rtrmod_client *
rtrmod_instance_client(const struct rtrmod_instance *inst)
{
	return inst != NULL ? inst->client : NULL;
}

struct rtrmod_cache *
rtrmod_instance_cache(const struct rtrmod_instance *inst)
{
	return inst != NULL ? inst->cache : NULL;
}

struct rtrmod_feed *
rtrmod_instance_feed(const struct rtrmod_instance *inst)
{
	return inst != NULL ? inst->feed : NULL;
}

uint16_t
instance_listener_port(const struct rtrmod_instance *inst, size_t i)
{
	if (inst->cfg == NULL || i >= inst->cfg->server.nlisteners)
		return 0;
	return inst->ports[i];
}

struct rtrmod_client_cache *
instance_client_cache(const struct rtrmod_instance *inst, size_t i)
{
	if (inst->cfg == NULL || i >= inst->cfg->ncaches)
		return NULL;
	return inst->ccs[i];
}

/* ---- paths ------------------------------------------------------------------- */

static void
path_leaf(char *buf, size_t size, const char *leaf)
{
	size_t len = strlen(buf);

	if (leaf != NULL && len < size)
		snprintf(buf + len, size - len, "/%s", leaf);
}

void
instance_path_cache(char *buf, size_t size, const struct cfg_cache *cache, const char *leaf)
{
	snprintf(buf, size,
		 INSTANCE_PATH_ROOT "/client/cache-servers/cache-server[address='%s'][server-port='%u']",
		 cache->address, (unsigned)cache->port);
	path_leaf(buf, size, leaf);
}

void
instance_path_listener(char *buf, size_t size, const struct cfg_listener *l, const char *leaf)
{
	snprintf(buf, size, INSTANCE_PATH_SERVER "/listener[address='%s'][port='%u']", l->address,
		 (unsigned)l->port);
	path_leaf(buf, size, leaf);
}

void
instance_path_source(char *buf, size_t size, const struct cfg_source *src, const char *leaf)
{
	snprintf(buf, size, INSTANCE_PATH_SOURCES "/source[name='%s']",
		 src->name != NULL ? src->name : "");
	path_leaf(buf, size, leaf);
}

void
instance_path_slurm(char *buf, size_t size, const char *file)
{
	snprintf(buf, size, INSTANCE_PATH_SOURCES "/slurm[.='%s']", file);
}
