/*
 * rtrmod/cache.h: the in-process RTR cache (server): serves a record set to
 * any number of routers over RTR versions 0 (RFC 6810), 1 (RFC 8210) and 2
 * (draft-ietf-sidrops-8210bis), from the host's event loop.
 *
 * The host hands it sets with rtrmod_cache_update(); each real change gets
 * a new serial, a Serial Notify to every router, and a bounded history of
 * deltas so routers catch up incrementally.  Each serial's full set and each
 * delta is encoded once per protocol version into a shared buffer that all
 * sessions write from: no per-router copies.  A router that stops reading
 * never delays the others or an update; it is closed after the send
 * timeout.  The cache keeps no thread and calls the host only through the
 * loop vtable and the log sink of its context.
 */
#ifndef RTRMOD_CACHE_H
#define RTRMOD_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/common.h>
#include <rtrmod/ctx.h>
#include <rtrmod/records.h>
#include <rtrmod/transport.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rtrmod_cache;
/* One router's session, as the status calls see it (borrowed). */
struct rtrmod_cache_session;

/*
 * A cache with no data yet (queries get "No Data Available") and the
 * defaults: versions 0..2, refresh/retry/expire 3600/600/7200 s (RFC 8210
 * §6), 32 serials of history, 1024 sessions, no ACL, a 30 s send timeout
 * and a 30 s handshake (first query) timeout.  A fresh random Session ID per
 * version is drawn (getrandom; never from the clock).  The context needs a
 * loop for listening and sessions.
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_cache_new(struct rtrmod_ctx *ctx, struct rtrmod_cache **out);
/* Close every session and listener and free the cache.  NULL is fine. */
RTRMOD_EXPORT void rtrmod_cache_free(struct rtrmod_cache *cache);

/* ---- configuration (takes effect for new queries) ------------------------ */

/* The protocol versions served, min <= max <= 2.  A router asking for one
 * outside them gets "Unsupported Protocol Version" (RFC 8210 §7). */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_cache_set_versions(struct rtrmod_cache *cache, uint8_t min,
						       uint8_t max);
/* End of Data timers in seconds; RFC 8210 §6 ranges, expire larger than
 * both others, else RTRMOD_ERANGE. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_cache_set_timers(struct rtrmod_cache *cache, uint32_t refresh,
						     uint32_t retry, uint32_t expire);
/* How many past serials a Serial Query is answered for with a delta
 * (1..65536); older ones get Cache Reset.  Shrinking drops the oldest. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_cache_set_history(struct rtrmod_cache *cache, unsigned serials);
/* Most concurrent sessions (0: no limit); more are refused at accept. */
RTRMOD_EXPORT void rtrmod_cache_set_max_sessions(struct rtrmod_cache *cache, unsigned max);
/* send_ms: a session whose queued output makes no progress for this long is
 * closed.  handshake_ms: a connection must finish its transport handshake
 * and send its first query within this.  Both at least 1. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_cache_set_timeouts(struct rtrmod_cache *cache, uint32_t send_ms,
						       uint32_t handshake_ms);
/* Allow peers inside `prefix` (rtrmod_prefix_covers).  With no entry every
 * peer is allowed; with any, a peer in none (or without an IP address) is
 * refused at accept. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_cache_acl_add(struct rtrmod_cache *cache,
						  const struct rtrmod_prefix *prefix);
RTRMOD_EXPORT void rtrmod_cache_acl_clear(struct rtrmod_cache *cache);

/* ---- connections ---------------------------------------------------------- */

/* Listen on numeric `addr` and `port` (TCP; 0 picks a free port, returned
 * in *bound_port if not NULL). */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_cache_listen(struct rtrmod_cache *cache, const char *addr,
						 uint16_t port, uint16_t *bound_port);
/* Stop listening on `addr` and `port` as given to rtrmod_cache_listen
 * (with port 0 given there: the bound port).  Sessions accepted on it keep
 * running.  RTRMOD_ENOENT when there is no such listener. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_cache_unlisten(struct rtrmod_cache *cache, const char *addr,
						   uint16_t port);
/* Serve a stream the host accepted itself (any transport).  The cache owns
 * it from then on, also when this fails: RTRMOD_ENOTSUP when the ACL
 * refuses the peer, RTRMOD_ERANGE at the session limit (both logged). */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_cache_attach(struct rtrmod_cache *cache,
						 struct rtrmod_stream *stream);

/* ---- data ----------------------------------------------------------------- */

/*
 * Serve `set` (a reference is taken).  If it differs from the served set the
 * serial advances (RFC 1982 arithmetic), the delta joins the history and
 * every session gets a Serial Notify; an equal set changes nothing.  The
 * first set ends "No Data Available".  On failure nothing changed.
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_cache_update(struct rtrmod_cache *cache,
						 struct rtrmod_set *set);
/* While stale, queries get "No Data Available" though data is kept: the
 * host's rule for data past its expiry. */
RTRMOD_EXPORT void rtrmod_cache_set_stale(struct rtrmod_cache *cache, bool stale);
/* The current serial; RTRMOD_ENOENT before the first set. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_cache_serial(const struct rtrmod_cache *cache,
						 uint32_t *serial);
/* The Session ID of `version`'s sessions (distinct per version: RFC 8210 §7,
 * Session IDs and serials are specific to a protocol version). */
RTRMOD_EXPORT uint16_t rtrmod_cache_session_id(const struct rtrmod_cache *cache, uint8_t version);
/* Bytes held for the data: the set, the history and encoded buffers. */
RTRMOD_EXPORT size_t rtrmod_cache_memory(const struct rtrmod_cache *cache);

/* ---- status ----------------------------------------------------------------- */

enum rtrmod_cache_session_state {
	RTRMOD_CACHE_SESSION_HANDSHAKE = 0,   /* transport handshake */
	RTRMOD_CACHE_SESSION_NEGOTIATING = 1, /* waiting for the first query */
	RTRMOD_CACHE_SESSION_ESTABLISHED = 2, /* version fixed, idle */
	RTRMOD_CACHE_SESSION_SENDING = 3,     /* a response is being written */
	RTRMOD_CACHE_SESSION_CLOSING = 4,     /* flushing a final Error Report */
	RTRMOD_CACHE_SESSION_CLOSED = 5,
};

RTRMOD_EXPORT const char *rtrmod_cache_session_state_name(unsigned state);

/* Call fn for each live session, in connection order; returns how many.
 * fn must not call back into the cache except the session getters. */
typedef void rtrmod_cache_session_fn(void *arg, const struct rtrmod_cache_session *session);
RTRMOD_EXPORT size_t rtrmod_cache_sessions(const struct rtrmod_cache *cache,
					   rtrmod_cache_session_fn *fn, void *arg);

RTRMOD_EXPORT const char *rtrmod_cache_session_peer(const struct rtrmod_cache_session *s);
RTRMOD_EXPORT const char *rtrmod_cache_session_transport(const struct rtrmod_cache_session *s);
RTRMOD_EXPORT enum rtrmod_cache_session_state
rtrmod_cache_session_state(const struct rtrmod_cache_session *s);
/* The negotiated version, or -1 before the first query. */
RTRMOD_EXPORT int rtrmod_cache_session_version(const struct rtrmod_cache_session *s);
/* The serial of the last response queued; false if none yet. */
RTRMOD_EXPORT bool rtrmod_cache_session_serial(const struct rtrmod_cache_session *s,
					       uint32_t *serial);
/* Bytes queued and not yet written. */
RTRMOD_EXPORT size_t rtrmod_cache_session_queued(const struct rtrmod_cache_session *s);
RTRMOD_EXPORT uint64_t rtrmod_cache_session_bytes_sent(const struct rtrmod_cache_session *s);
/* When it connected, on the loop's monotonic clock (ms). */
RTRMOD_EXPORT uint64_t rtrmod_cache_session_since(const struct rtrmod_cache_session *s);

enum rtrmod_cache_counter {
	RTRMOD_CACHE_CNT_ACCEPTED = 0,       /* sessions started */
	RTRMOD_CACHE_CNT_REFUSED_ACL = 1,    /* connections the ACL refused */
	RTRMOD_CACHE_CNT_REFUSED_LIMIT = 2,  /* refused at the session limit */
	RTRMOD_CACHE_CNT_CLOSED = 3,         /* sessions ended */
	RTRMOD_CACHE_CNT_TIMEOUTS = 4,       /* ... of which by a timeout */
	RTRMOD_CACHE_CNT_RESET_QUERIES = 5,  /* Reset Queries received */
	RTRMOD_CACHE_CNT_SERIAL_QUERIES = 6, /* Serial Queries received */
	RTRMOD_CACHE_CNT_CACHE_RESETS = 7,   /* Cache Reset answers */
	RTRMOD_CACHE_CNT_NOTIFIES = 8,       /* Serial Notify PDUs queued */
	RTRMOD_CACHE_CNT_ERRORS_SENT = 9,    /* Error Reports sent */
	RTRMOD_CACHE_CNT_ERRORS_RECEIVED = 10,
	RTRMOD_CACHE_CNT_BYTES_SENT = 11,
	RTRMOD_CACHE_CNT_UPDATES = 12,   /* new serials */
	RTRMOD_CACHE_CNT_ENCODINGS = 13, /* response buffers encoded */
	RTRMOD_CACHE_CNT_MAX = 14,
};

RTRMOD_EXPORT uint64_t rtrmod_cache_counter(const struct rtrmod_cache *cache, unsigned counter);
RTRMOD_EXPORT const char *rtrmod_cache_counter_name(unsigned counter);

#ifdef __cplusplus
}
#endif
#endif
