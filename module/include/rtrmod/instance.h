/*
 * rtrmod/instance.h: a running rtrmod built from a configuration
 * (rtrmod/config.h): the RTR client with its caches, the in-process cache
 * server with its listeners, and the feed (sources, SLURM) that fills it.
 *
 * Applying a configuration changes only what changed: a cache session or a
 * listener whose settings are the same keeps running (same TCP connection),
 * a removed one is closed, a new one starts.  An apply either takes effect
 * whole or not at all: everything that can fail (binding a listener,
 * loading the sources and SLURM files) is done before anything running is
 * touched, and on failure the running configuration stays.
 *
 * Without sources, a configured cache server serves the merged table of the
 * client's caches (an RTR relay).  A host may add caches of its own to the
 * client (FRR's `rpki cache` lines); apply leaves caches it did not create
 * alone.
 */
#ifndef RTRMOD_INSTANCE_H
#define RTRMOD_INSTANCE_H

#include <stddef.h>

#include <rtrmod/cache.h>
#include <rtrmod/client.h>
#include <rtrmod/common.h>
#include <rtrmod/config.h>
#include <rtrmod/ctx.h>
#include <rtrmod/feed.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rtrmod_instance;

/* An instance with an empty configuration: a client with no caches, no
 * cache server.  The context needs a loop before the first apply. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_instance_new(struct rtrmod_ctx *ctx,
						 struct rtrmod_instance **out);
/* Stop and free everything it runs.  NULL is fine.  Not from a callback of
 * its own objects. */
RTRMOD_EXPORT void rtrmod_instance_free(struct rtrmod_instance *inst);

/*
 * Make `config` the running configuration (the instance keeps its own copy;
 * the caller still frees `config`).  On failure nothing running changed and
 * `diag` (may be NULL) says why, with the YANG path of the item that could
 * not be put in place (e.g. a listener address already in use).
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_instance_apply(struct rtrmod_instance *inst,
						   const struct rtrmod_config *config,
						   struct rtrmod_config_diag *diag);
/* The running configuration (borrowed; NULL before the first apply). */
RTRMOD_EXPORT const struct rtrmod_config *
rtrmod_instance_config(const struct rtrmod_instance *inst);

/* Reload the sources and SLURM files now (a CLI's SIGHUP with an unchanged
 * configuration); RTRMOD_ENOENT without sources.  Failure keeps the last
 * good set, as rtrmod_feed_reload(). */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_instance_reload_sources(struct rtrmod_instance *inst);

/*
 * The client's callbacks belong to the instance (it relays updates to its
 * cache server); a host that wants them registers here and is called after
 * the instance's own handling, with the same arguments.
 */
RTRMOD_EXPORT void rtrmod_instance_set_update_cb(struct rtrmod_instance *inst,
						 rtrmod_client_update_fn *fn, void *arg);
RTRMOD_EXPORT void rtrmod_instance_set_status_cb(struct rtrmod_instance *inst,
						 rtrmod_client_status_fn *fn, void *arg);

/* The client (always present; borrowed). */
RTRMOD_EXPORT struct rtrmod_client *rtrmod_instance_client(const struct rtrmod_instance *inst);
/* The cache server and its feed; NULL when not configured (borrowed, valid
 * until the next apply). */
RTRMOD_EXPORT struct rtrmod_cache *rtrmod_instance_cache(const struct rtrmod_instance *inst);
RTRMOD_EXPORT struct rtrmod_feed *rtrmod_instance_feed(const struct rtrmod_instance *inst);

/*
 * The operational state (the model's `config false` nodes: per-cache
 * sessions, the cache server's router sessions, source status) as RFC 7951
 * JSON of the same model, NUL-terminated, in *out (free with
 * rtrmod_ctx_mfree).
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_instance_state(const struct rtrmod_instance *inst, char **out);

#ifdef __cplusplus
}
#endif
#endif
