/*
 * rtrmod/client.h: the RTR client (router side): sessions to one or more
 * caches over RTR versions 0 (RFC 6810), 1 (RFC 8210) and 2
 * (draft-ietf-sidrops-8210bis), grouped by preference (RFC 8210 §10), one
 * merged table of validated payloads, and a ROV index kept current.
 *
 * Each cache's session stages a whole response and commits it only at End
 * of Data; a session that breaks mid-transfer commits nothing.  Caches of
 * equal preference form a group whose tables are merged (a record stays
 * while any of them has it).  The most preferred group with a synced cache
 * serves; when all its caches are down or expired the next one takes over,
 * and the preferred group takes back over once it is synced again.  The
 * host gets one callback per change of the merged table, with the records
 * added and removed, after the ROV index has been updated.  Everything runs
 * on the host's loop (rtrmod/ctx.h); nothing blocks.
 */
#ifndef RTRMOD_CLIENT_H
#define RTRMOD_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/common.h>
#include <rtrmod/ctx.h>
#include <rtrmod/records.h>
#include <rtrmod/rov.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rtrmod_client;
/* One configured cache, for configuration and status (owned by the client). */
struct rtrmod_client_cache;

/* A cache's session state. */
enum rtrmod_client_state {
	RTRMOD_CLIENT_STOPPED = 0,     /* not started, or not needed (a less preferred group) */
	RTRMOD_CLIENT_IDLE = 1,        /* no connection; waiting for the retry timer */
	RTRMOD_CLIENT_CONNECTING = 2,  /* transport connecting or handshaking */
	RTRMOD_CLIENT_QUERYING = 3,    /* a query is out, no Cache Response yet */
	RTRMOD_CLIENT_RECEIVING = 4,   /* between Cache Response and End of Data */
	RTRMOD_CLIENT_ESTABLISHED = 5, /* synced (or told "No Data"); waiting to refresh */
	RTRMOD_CLIENT_CLOSING = 6,     /* flushing our Error Report before closing */
};

RTRMOD_EXPORT const char *rtrmod_client_state_name(unsigned state);

/* ---- the client ------------------------------------------------------------ */

/* A client with no caches.  The context needs a loop before start. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_client_new(struct rtrmod_ctx *ctx, struct rtrmod_client **out);
/* Close every session and free the client (not from inside its callbacks:
 * refused and logged there).  NULL is fine. */
RTRMOD_EXPORT void rtrmod_client_free(struct rtrmod_client *client);

/*
 * Called once per change of the merged table, after the ROV index has
 * taken it.  `delta` (sealed, borrowed for the call) holds the records
 * added (announced) and removed (withdrawn).  The callback must not free
 * the client.
 */
typedef void rtrmod_client_update_fn(void *arg, struct rtrmod_client *client,
				     const struct rtrmod_delta *delta);
RTRMOD_EXPORT void rtrmod_client_set_update_cb(struct rtrmod_client *client,
					       rtrmod_client_update_fn *fn, void *arg);

/* Called when a cache's session changes state, or commits (End of Data,
 * expiry), so a host can show status or act on failures. */
typedef void rtrmod_client_status_fn(void *arg, struct rtrmod_client *client,
				     const struct rtrmod_client_cache *cache);
RTRMOD_EXPORT void rtrmod_client_set_status_cb(struct rtrmod_client *client,
					       rtrmod_client_status_fn *fn, void *arg);

/*
 * Add a cache: `addr`, numeric ("192.0.2.1", "2001:db8::1") or a host name
 * ("rpki.example.net"), `port`, and `preference` (RFC 8210 §10: lower is
 * more preferred; caches of equal preference are merged).  A name is
 * resolved on the loop at every connection attempt (/etc/hosts, then DNS
 * as /etc/resolv.conf says; nothing blocks) and its addresses, IPv6 and
 * IPv4, tried in turn within the attempt; a name that does not resolve is
 * a transport error ("cannot resolve rpki.example.net: NXDOMAIN"), retried
 * after the retry interval; RTRMOD_EINVAL for an `addr` that is neither.
 * `transport` is "tcp" (NULL means "tcp"); anything else is
 * RTRMOD_ENOTSUP.  Defaults: versions up to 2, timers 3600/600/7200 s, a
 * 30 s I/O timeout.  Caches added after start start at
 * once.  *out (may be NULL) is borrowed, valid until the client is freed.
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_client_add_cache(struct rtrmod_client *client, const char *addr,
						     uint16_t port, unsigned preference,
						     const char *transport,
						     struct rtrmod_client_cache **out);

/*
 * Remove a cache added with rtrmod_client_add_cache: its session is closed
 * (no Error Report: RFC 8210 has none for "going away") and its data leaves
 * the merged table, with one update callback if that changes the table.
 * When it was the serving group's only cache with data and no other group
 * has data yet, the table stays until another group has synced (and at
 * most until the removed data would have expired), so the host never sees
 * an empty table between the two; meanwhile no group counts as serving.
 * `cache` is invalid afterwards.  RTRMOD_ESTATE from inside the client's
 * own callbacks, RTRMOD_ENOENT for a cache this client does not have.
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_client_remove_cache(struct rtrmod_client *client,
							struct rtrmod_client_cache *cache);
/* Bind the local end of the cache's connections to numeric `addr` (FRR's
 * `rpki cache ... source A.B.C.D`, ietf-rpki-rtr local-address); NULL
 * clears.  The address family must match a numeric cache address's; of a
 * name's addresses, only those of its family are looked up and tried.
 * Takes effect at the next connection. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_client_cache_set_local_address(struct rtrmod_client_cache *cache,
								   const char *addr);
/* The local address set, or NULL. */
RTRMOD_EXPORT const char *rtrmod_client_cache_local_address(const struct rtrmod_client_cache *cache);

/* The highest protocol version to start with (0..2); negotiation falls
 * back from there (RFC 8210 §7).  Before start only: RTRMOD_ESTATE. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_client_cache_set_version_max(struct rtrmod_client_cache *cache,
								 uint8_t version);
/* Refresh, retry and expire intervals in seconds, used with version 0 (whose
 * End of Data has none) and until a v1+ End of Data brings the cache's.  RFC
 * 8210 §6 ranges, expire larger than both others, else RTRMOD_ERANGE. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_client_cache_set_timers(struct rtrmod_client_cache *cache,
							    uint32_t refresh, uint32_t retry,
							    uint32_t expire);
/* Longest wait (ms, >= 1) for progress while connecting, waiting for a
 * response or receiving one; then the connection is dropped. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_client_cache_set_timeout(struct rtrmod_client_cache *cache,
							     uint32_t ms);
/* Begin with a Serial Query for `serial` of `session_id` instead of a Reset
 * Query (StayRTR rtrdump's -serial).  Having no data, the session then
 * takes withdrawals of records it lacks as nothing to do, once, rather than
 * as errors.  Before start only: RTRMOD_ESTATE. */
RTRMOD_EXPORT RTRMOD_WUR int
rtrmod_client_cache_set_initial_serial(struct rtrmod_client_cache *cache, uint16_t session_id,
				       uint32_t serial);

/* Connect the caches the group policy needs. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_client_start(struct rtrmod_client *client);
/* Close every session; data is kept until freed or started again. */
RTRMOD_EXPORT void rtrmod_client_stop(struct rtrmod_client *client);

/* ---- the merged table --------------------------------------------------------- */

/* The merged table of the serving group (borrowed: take a reference to keep
 * it); an empty set before any data. */
RTRMOD_EXPORT struct rtrmod_set *rtrmod_client_set(const struct rtrmod_client *client);
/* The ROV index of the merged table, current after every update callback. */
RTRMOD_EXPORT const struct rtrmod_rov_index *rtrmod_client_rov(const struct rtrmod_client *client);
/* The preference of the group serving now; false when none has data. */
RTRMOD_EXPORT bool rtrmod_client_serving_preference(const struct rtrmod_client *client,
						    unsigned *preference);
/*
 * Whether the merged table is data to validate against: a group serves, or
 * the client holds the table of a removed serving cache until another
 * group has synced (rtrmod_client_remove_cache), when
 * rtrmod_client_serving_preference() is false.  False before any data,
 * after rtrmod_client_stop and once a held table has expired.  A host that
 * switches validation off without data should ask this, not the serving
 * preference, or every route flaps to "not found" and back across a hold.
 */
RTRMOD_EXPORT bool rtrmod_client_has_table(const struct rtrmod_client *client);

/* ---- status ------------------------------------------------------------------------ */

RTRMOD_EXPORT size_t rtrmod_client_cache_count(const struct rtrmod_client *client);
/* The i-th cache in the order added; NULL past the end. */
RTRMOD_EXPORT const struct rtrmod_client_cache *
rtrmod_client_cache_at(const struct rtrmod_client *client, size_t i);

RTRMOD_EXPORT enum rtrmod_client_state
rtrmod_client_cache_state(const struct rtrmod_client_cache *cache);
/* "192.0.2.1:323", "[2001:db8::1]:323" or "rpki.example.net:323". */
RTRMOD_EXPORT const char *rtrmod_client_cache_name(const struct rtrmod_client_cache *cache);
/* The address or host name as added ("rpki.example.net"). */
RTRMOD_EXPORT const char *rtrmod_client_cache_host(const struct rtrmod_client_cache *cache);
/* The numeric address of the connection up now ("192.0.2.1", "2001:db8::1"),
 * for a name the one it resolved to; NULL while not connected. */
RTRMOD_EXPORT const char *rtrmod_client_cache_peer_address(const struct rtrmod_client_cache *cache);
RTRMOD_EXPORT const char *rtrmod_client_cache_transport(const struct rtrmod_client_cache *cache);
RTRMOD_EXPORT unsigned rtrmod_client_cache_preference(const struct rtrmod_client_cache *cache);
/* Whether its group is the one serving. */
RTRMOD_EXPORT bool rtrmod_client_cache_serving(const struct rtrmod_client_cache *cache);
/* The protocol version in use or to be tried next (after a fallback, the
 * lower one); *negotiated says whether a cache has answered in it. */
RTRMOD_EXPORT uint8_t rtrmod_client_cache_version(const struct rtrmod_client_cache *cache,
						  bool *negotiated);
/* Session ID and serial of the committed data; false when it has none. */
RTRMOD_EXPORT bool rtrmod_client_cache_session(const struct rtrmod_client_cache *cache,
					       uint16_t *session_id, uint32_t *serial);
/* The cache's committed data (borrowed; NULL when it has none). */
RTRMOD_EXPORT const struct rtrmod_set *
rtrmod_client_cache_data(const struct rtrmod_client_cache *cache);
/* Records committed, by type; zeros without data. */
RTRMOD_EXPORT void rtrmod_client_cache_records(const struct rtrmod_client_cache *cache,
					       size_t *vrps, size_t *router_keys, size_t *aspas);
/* The refresh, retry and expire intervals in effect (seconds). */
RTRMOD_EXPORT void rtrmod_client_cache_timers(const struct rtrmod_client_cache *cache,
					      uint32_t *refresh, uint32_t *retry, uint32_t *expire);
/* When the last End of Data was committed (loop clock, ms); false if never. */
RTRMOD_EXPORT bool rtrmod_client_cache_last_update(const struct rtrmod_client_cache *cache,
						   uint64_t *ms);

/* Where the last error came from. */
enum rtrmod_client_error_origin {
	RTRMOD_CLIENT_ERR_NONE = 0,
	RTRMOD_CLIENT_ERR_TRANSPORT = 1, /* connect, read, write failed; peer closed; timeout */
	RTRMOD_CLIENT_ERR_SENT = 2,      /* we sent the cache an Error Report */
	RTRMOD_CLIENT_ERR_RECEIVED = 3,  /* the cache sent us an Error Report */
	RTRMOD_CLIENT_ERR_LOCAL = 4,     /* out of memory, loop failure */
};

/*
 * The last error of this cache's session: where it came from, the RFC
 * 8210 §12 code (Error Reports; -1 otherwise) and a text (the report's own
 * text for received ones).  Returns RTRMOD_CLIENT_ERR_NONE before any.
 * The text is borrowed until the next error.
 */
RTRMOD_EXPORT enum rtrmod_client_error_origin
rtrmod_client_cache_last_error(const struct rtrmod_client_cache *cache, int *code,
			       const char **text);
/* The last Error Report the cache sent (kept when later errors happen):
 * false if none; else its code and text (borrowed). */
RTRMOD_EXPORT bool rtrmod_client_cache_last_report(const struct rtrmod_client_cache *cache,
						   int *code, const char **text);
/* Error Reports received from and sent to this cache since it was added. */
RTRMOD_EXPORT void rtrmod_client_cache_report_counts(const struct rtrmod_client_cache *cache,
						     uint64_t *received, uint64_t *sent);

#ifdef __cplusplus
}
#endif
#endif
