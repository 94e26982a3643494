/*
 * rtrmod/feed.h: what keeps a cache's data current.  A feed owns one or
 * more JSON source files, whose union it serves, optional SLURM files
 * (RFC 8416), the signature and time checks of the sources, a refresh timer
 * on the host's loop and a "reload now" call (a CLI's SIGHUP).
 *
 * A refresh loads every file.  Only when all of them load, and pass their
 * checks, is their union (with SLURM applied) handed to the cache, whose
 * serial advances only if the set changed; any failure keeps the last good
 * set in service and keeps the reason (DESIGN rule 7: nothing half-loaded
 * is ever served).  SLURM files are reloaded with the sources, all or
 * nothing; a bad one keeps the last good SLURM list.  Once the served set
 * is past its fresh-until time (the earliest rtrmod_source_fresh_until() of
 * its files) a timer marks the cache stale, so routers get "No Data
 * Available" (RFC 8210 §8.4) and turn to their other caches (§10); fresh
 * data clears it.
 */
#ifndef RTRMOD_FEED_H
#define RTRMOD_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/cache.h>
#include <rtrmod/common.h>
#include <rtrmod/ctx.h>
#include <rtrmod/records.h>
#include <rtrmod/source.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rtrmod_feed;

/* What happened, for rtrmod_feed_set_event_cb(). */
enum rtrmod_feed_event {
	RTRMOD_FEED_LOADED = 0, /* a refresh put a set in service (maybe unchanged) */
	RTRMOD_FEED_FAILED = 1, /* a refresh failed; the last good set stays */
	RTRMOD_FEED_STALE = 2,  /* the served set passed its fresh-until time */
	RTRMOD_FEED_FRESH = 3,  /* fresh data ended a stale spell */
};

/* Called on the loop thread after the feed's state is updated.  It must not
 * free the feed; it may read its status. */
typedef void rtrmod_feed_event_fn(void *arg, struct rtrmod_feed *feed,
				  enum rtrmod_feed_event event);

/*
 * A feed for `cache` (borrowed; it must outlive the feed), or with `cache`
 * NULL a feed that only keeps the set for the host (rtrmod_feed_set()).
 * Defaults: no files, no verification, no time checks (maximum age 86400 s
 * when they are turned on), SLURM reloaded with every refresh, every kind
 * of record served, refresh every 600 s (StayRTR's -refresh).
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_feed_new(struct rtrmod_ctx *ctx, struct rtrmod_cache *cache,
					     struct rtrmod_feed **out);
/* Cancel the timers and free the feed; the cache keeps what it serves.
 * NULL is fine.  Not from inside the feed's own event callback. */
RTRMOD_EXPORT void rtrmod_feed_free(struct rtrmod_feed *feed);

/* ---- configuration (takes effect at the next refresh) --------------------- */

/* Add a JSON source file (rpki-client, StayRTR/GoRTR/OctoRPKI, Routinator;
 * see rtrmod/source.h).  The path is copied. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_feed_add_source(struct rtrmod_feed *feed, const char *path);
/* Add a SLURM file (rtrmod/slurm.h).  The path is copied. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_feed_add_slurm(struct rtrmod_feed *feed, const char *path);
/* Reload the SLURM files at every refresh (on, StayRTR's -slurm.refresh),
 * or only until they have loaded once (off). */
RTRMOD_EXPORT void rtrmod_feed_set_slurm_refresh(struct rtrmod_feed *feed, bool on);

/* Signature verification (rtrmod_source_set_verify): a source that does not
 * verify with the key fails the refresh. */
RTRMOD_EXPORT void rtrmod_feed_set_verify(struct rtrmod_feed *feed, bool on);
/* The PEM public key to verify with.  On failure the old key stays and
 * rtrmod_feed_error() says why. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_feed_set_verify_key_file(struct rtrmod_feed *feed,
							     const char *path);
/* Time checks (rtrmod_source_set_check_time, _set_max_age): a file past
 * its "valid" or older than the maximum age fails the refresh, and the
 * served set turns stale when its earliest file would. */
RTRMOD_EXPORT void rtrmod_feed_set_check_time(struct rtrmod_feed *feed, bool on);
RTRMOD_EXPORT void rtrmod_feed_set_max_age(struct rtrmod_feed *feed, uint32_t seconds);
/* Serve records of `kind` or leave them out (StayRTR's -disable.bgpsec,
 * -disable.aspa); applied after SLURM, so assertions are left out too. */
RTRMOD_EXPORT void rtrmod_feed_set_serve_kind(struct rtrmod_feed *feed,
					      enum rtrmod_source_kind kind, bool serve);
/* Seconds between refreshes; 0: only on rtrmod_feed_reload().  Rearms a
 * running feed's timer from now. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_feed_set_refresh(struct rtrmod_feed *feed, uint32_t seconds);
/* One callback for events (NULL: none). */
RTRMOD_EXPORT void rtrmod_feed_set_event_cb(struct rtrmod_feed *feed, rtrmod_feed_event_fn *fn,
					    void *arg);

/* ---- running ------------------------------------------------------------------ */

/*
 * Load now, then refresh every refresh interval and watch staleness, on the
 * context's loop.  Returns the first load's result (as rtrmod_feed_reload);
 * the feed runs either way, so a host that cannot start without data frees
 * it.  RTRMOD_ESTATE if started already or if it has no source file.
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_feed_start(struct rtrmod_feed *feed);
/*
 * Refresh now, and count the next periodic refresh from now.  Returns 0, or
 * why the refresh failed (RTRMOD_EIO, _EPARSE, _EVERIFY, _ESTALE, _EEXIST
 * for conflicting SLURM files, _ENOMEM ...) with rtrmod_feed_error() set.
 * When only the SLURM reload failed, the sources' new union is served with
 * the last good SLURM list and that failure is returned; with no good SLURM
 * list yet nothing is served.  RTRMOD_ESTATE from inside the event callback.
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_feed_reload(struct rtrmod_feed *feed);

/* ---- status (for logs and the YANG state tree) ----------------------------- */

/* The set in service (after SLURM), borrowed until the next refresh; NULL
 * before the first good load. */
RTRMOD_EXPORT struct rtrmod_set *rtrmod_feed_set(const struct rtrmod_feed *feed);
/* Records of `kind` in service. */
RTRMOD_EXPORT size_t rtrmod_feed_count(const struct rtrmod_feed *feed,
				       enum rtrmod_source_kind kind);
/* The cache's serial; RTRMOD_ENOENT before the first set, RTRMOD_EINVAL
 * without a cache. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_feed_serial(const struct rtrmod_feed *feed, uint32_t *serial);
/* Seconds since the epoch of the last refresh tried, the last that put a
 * set in service, and the last that changed it; 0 for never. */
RTRMOD_EXPORT int64_t rtrmod_feed_last_attempt(const struct rtrmod_feed *feed);
RTRMOD_EXPORT int64_t rtrmod_feed_last_success(const struct rtrmod_feed *feed);
RTRMOD_EXPORT int64_t rtrmod_feed_last_change(const struct rtrmod_feed *feed);
/* The last refresh's result, and why it failed ("" after a clean one);
 * borrowed until the next refresh. */
RTRMOD_EXPORT int rtrmod_feed_result(const struct rtrmod_feed *feed);
RTRMOD_EXPORT const char *rtrmod_feed_error(const struct rtrmod_feed *feed);
/* Refreshes that put a set in service (LOADED), or (failed true) that did
 * not (FAILED). */
RTRMOD_EXPORT uint64_t rtrmod_feed_refreshes(const struct rtrmod_feed *feed, bool failed);
/* Whether the served set is past its fresh-until time. */
RTRMOD_EXPORT bool rtrmod_feed_stale(const struct rtrmod_feed *feed);
/* The last second the served set may be served in; false when its files
 * were loaded without time checks or stated no time. */
RTRMOD_EXPORT bool rtrmod_feed_fresh_until(const struct rtrmod_feed *feed, int64_t *out);

/* Static names: "loaded", "failed", "stale", "fresh"; never NULL. */
RTRMOD_EXPORT const char *rtrmod_feed_event_name(enum rtrmod_feed_event event);

#ifdef __cplusplus
}
#endif
#endif
