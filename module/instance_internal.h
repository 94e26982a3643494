/*
 * instance_internal.h: what the instance's files share behind
 * rtrmod/instance.h.
 *
 *   instance.c        the object: life, getters, the client's callbacks and
 *                     the relay of the client's table to the cache server
 *   instance_apply.c  rtrmod_instance_apply: the diff between the running
 *                     configuration and a new one, prepared then committed
 *   instance_state.c  the operational state as JSON of the model
 *
 * Invariants: `cfg` is the configuration last applied whole (NULL before
 * the first apply); ccs[i] is the client cache made for cfg->caches[i] and
 * ports[i] the bound port of cfg->server.listeners[i].  `cache` exists
 * exactly while cfg->server.enabled; `feed` exists exactly while the server
 * has sources.  A cache server without a feed is a relay: it serves the
 * client's merged table.
 */
#ifndef RTRMOD_INSTANCE_INTERNAL_H
#define RTRMOD_INSTANCE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/instance.h>

#include "config_internal.h"

struct rtrmod_instance {
	struct rtrmod_ctx *ctx;
	struct rtrmod_client *client;
	struct rtrmod_cache *cache; /* NULL: no cache server */
	struct rtrmod_feed *feed;   /* NULL: relay, or no cache server */
	struct rtrmod_config *cfg;  /* the applied copy; NULL before the first apply */
	struct rtrmod_client_cache **ccs;
	uint16_t *ports;
	rtrmod_client_update_fn *update_fn;
	void *update_arg;
	rtrmod_client_status_fn *status_fn;
	void *status_arg;
	unsigned depth; /* host callbacks under way */
	bool applying;
};

/* Relay mode (a cache server without sources): put the client's merged
 * table in service when a group serves, else answer "No Data Available"
 * (RFC 8210 §8.4) with the last table kept; nothing in the other modes. */
void instance_relay_sync(struct rtrmod_instance *inst);
/* Only the staleness half of that: cannot fail. */
void instance_relay_stale(struct rtrmod_instance *inst);

/* The port listener i of the running configuration is bound to (the
 * configured one, or the kernel's choice for port 0); 0 past the end. */
uint16_t instance_listener_port(const struct rtrmod_instance *inst, size_t i);
/* The client cache made for the running configuration's cache i; NULL past
 * the end. */
struct rtrmod_client_cache *instance_client_cache(const struct rtrmod_instance *inst, size_t i);

/*
 * YANG data paths of configuration items, for diagnostics (rtrmod.yang):
 *   /rtrmod:rtrmod/client/cache-servers/cache-server[address='A'][server-port='P']
 *   /rtrmod:rtrmod/cache-server/listener[address='A'][port='P']
 *   /rtrmod:rtrmod/sources/source[name='N']
 *   /rtrmod:rtrmod/sources/slurm[.='FILE']
 * `leaf` (may be NULL) is appended as "/leaf".
 */
#define INSTANCE_PATH_ROOT    "/rtrmod:rtrmod"
#define INSTANCE_PATH_SERVER  INSTANCE_PATH_ROOT "/cache-server"
#define INSTANCE_PATH_SOURCES INSTANCE_PATH_ROOT "/sources"
#define INSTANCE_PATH_HTTP    INSTANCE_PATH_ROOT "/http"
void instance_path_cache(char *buf, size_t size, const struct cfg_cache *cache, const char *leaf);
void instance_path_listener(char *buf, size_t size, const struct cfg_listener *l, const char *leaf);
void instance_path_source(char *buf, size_t size, const struct cfg_source *src, const char *leaf);
void instance_path_slurm(char *buf, size_t size, const char *file);

#endif
