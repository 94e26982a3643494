/*
 * client_internal.h: what the client's files share behind rtrmod/client.h.
 *
 *   client.c          the manager: caches, preference groups, failover, the
 *                     merged table, ROV index and host callbacks
 *   client_merge.c    merging equal-preference caches' tables
 *   client_status.c   per-cache configuration and status getters
 *   client_conn.c     one cache's I/O: stream, watches, one timer
 *   client_dial.c     where a connection goes: the cache's host resolved
 *                     at every attempt (resolve.c), its addresses in turn
 *   client_session.c  the RTR router state machine, with no I/O: bytes in,
 *                     bytes out, a next deadline
 *   client_xfer.c     staging a transfer and committing it at End of Data
 *
 * Everything runs on the host's loop thread (DESIGN.md, rule 1).
 */
#ifndef RTRMOD_CLIENT_INTERNAL_H
#define RTRMOD_CLIENT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/client.h>
#include <rtrmod/pdu.h>
#include <rtrmod/records.h>
#include <rtrmod/transport.h>

#include "resolve_internal.h"

/* RFC 8210 §6 defaults and ranges (unchanged in 8210bis §6), seconds. */
#define CSESS_REFRESH_DEFAULT 3600u
#define CSESS_RETRY_DEFAULT   600u
#define CSESS_EXPIRE_DEFAULT  7200u
#define CSESS_REFRESH_MIN     1u
#define CSESS_REFRESH_MAX     86400u
#define CSESS_RETRY_MIN       1u
#define CSESS_RETRY_MAX       7200u
#define CSESS_EXPIRE_MIN      600u
#define CSESS_EXPIRE_MAX      172800u
#define CSESS_TIMEOUT_DEFAULT 30000u /* ms */

/* Output: queries are 12 bytes, our Error Reports at most this. */
#define CSESS_OUT_MAX 1024
/* Bytes of an offending PDU an Error Report carries (8210bis §5.8 lets it
 * be cut, keeping at least the header). */
#define CSESS_ERR_PDU_MAX 256
#define CSESS_TEXT_MAX    200

/* Events of the session state machine (client_session.c). */
enum csess_event {
	CEV_START,
	CEV_STOP,
	CEV_CONNECTED,
	CEV_CONN_FAILED,
	CEV_CLOSED,
	CEV_TIMEOUT,
	CEV_TIMER_RETRY,
	CEV_TIMER_REFRESH,
	CEV_TIMER_EXPIRE,
	CEV_SERIAL_NOTIFY,
	CEV_CACHE_RESPONSE,
	CEV_END_OF_DATA,
	CEV_CACHE_RESET,
	CEV_NO_DATA,
	CEV_VERSION_DOWN,
	CEV_ERROR_RECEIVED,
	CEV_PROTOCOL_ERROR,
	CEV_FLUSHED,
	CEV_COUNT,
};

struct csess;

/* What a session tells its owner.  Both run inside session calls. */
struct csess_ops {
	/* The committed data changed: `change` (sealed) is old -> s->set
	 * (s->set NULL: purged). */
	void (*commit)(void *arg, struct csess *s, const struct rtrmod_delta *change);
	/* The state changed (from -> s->state). */
	void (*state)(void *arg, struct csess *s, enum rtrmod_client_state from);
};

struct csess_error {
	enum rtrmod_client_error_origin origin;
	int code;
	char text[CSESS_TEXT_MAX];
};

struct csess {
	struct rtrmod_ctx *ctx;
	const char *name; /* borrowed, for logs */
	const struct csess_ops *ops;
	void *arg;
	uint8_t state; /* enum rtrmod_client_state */
	/* configuration */
	uint8_t version_max;
	uint32_t cfg_refresh, cfg_retry, cfg_expire; /* s */
	uint32_t timeout_ms;
	/* negotiation (RFC 8210 §7) */
	uint8_t version;
	bool negotiated;
	unsigned conn_gen; /* bumped on every entry to CONNECTING */
	/* committed data */
	bool have_session;
	uint16_t session_id;
	uint32_t serial;
	struct rtrmod_set *set;          /* NULL: none */
	uint32_t refresh, retry, expire; /* in effect, s */
	uint64_t refresh_at, retry_at, expire_at, progress_at;
	bool have_update;
	uint64_t last_update;
	/* the transfer being staged */
	bool reset_query; /* the outstanding query is a Reset Query */
	bool lenient;     /* initial serial given by hand: no base to check */
	bool notify_pending;
	uint32_t notify_serial;
	uint16_t xfer_session;
	struct rtrmod_set *base;      /* an empty set */
	struct rtrmod_set *xfer_base; /* what the transfer applies to (a reference) */
	struct rtrmod_delta *staged;
	size_t staged_records;
	uint32_t *prov; /* scratch for ASPA providers */
	size_t prov_cap;
	/* I/O */
	struct rtrmod_pdu_stream *in;
	uint8_t out[CSESS_OUT_MAX];
	size_t out_len, out_off;
	/* status */
	struct csess_error last;
	bool have_report;
	struct csess_error report;
	uint64_t reports_received, reports_sent;
	/* the parameter of the event being handled */
	uint8_t ev_version;
};

int csess_init(struct csess *s, struct rtrmod_ctx *ctx, const char *name,
	       const struct csess_ops *ops, void *arg);
void csess_fini(struct csess *s);
const char *csess_event_name(unsigned ev);
/* Feed an event from outside (start, stop, transport results). */
void csess_event(struct csess *s, enum csess_event ev, const char *why, uint64_t now);
/* Room to read into, then how many bytes came (processed at once). */
int csess_read_space(struct csess *s, uint8_t **space, size_t *avail);
void csess_read_done(struct csess *s, size_t n, uint64_t now);
/* Pending output and how much of it was written. */
size_t csess_out(const struct csess *s, const uint8_t **data);
void csess_out_done(struct csess *s, size_t n, uint64_t now);
/* When csess_tick() must next run; UINT64_MAX for never. */
uint64_t csess_deadline(const struct csess *s);
void csess_tick(struct csess *s, uint64_t now);
static inline uint64_t
csess_after(uint64_t now, uint32_t seconds)
{
	return now + (uint64_t)seconds * 1000u;
}

/* Shared by client_session.c and client_xfer.c. */
void csess_xfer_drop(struct csess *s);
/* Queue an Error Report (cut to CSESS_ERR_PDU_MAX) and close after it. */
void csess_send_error(struct csess *s, enum rtrmod_rtr_error code, const uint8_t *bad,
		      size_t bad_len, const char *why, uint64_t now);

/* ---- transfers (client_xfer.c): one PDU each, state already checked ---- */

void xfer_cache_response(struct csess *s, const struct rtrmod_pdu *pdu, const uint8_t *raw,
			 size_t raw_len, uint64_t now);
void xfer_prefix(struct csess *s, const struct rtrmod_pdu *pdu, const uint8_t *raw, size_t raw_len,
		 uint64_t now);
void xfer_router_key(struct csess *s, const struct rtrmod_pdu *pdu, const uint8_t *raw,
		     size_t raw_len, uint64_t now);
void xfer_aspa(struct csess *s, const struct rtrmod_pdu *pdu, const uint8_t *raw, size_t raw_len,
	       uint64_t now);
void xfer_end_of_data(struct csess *s, const struct rtrmod_pdu *pdu, const uint8_t *raw,
		      size_t raw_len, uint64_t now);

/* The transport moved while connecting (a name resolved, the next address
 * tried): the progress timeout starts again. */
void csess_progress(struct csess *s, uint64_t now);

/* Record a transport or local failure in the status. */
void csess_note_error(struct csess *s, enum rtrmod_client_error_origin origin, int code,
		      const char *fmt, ...) RTRMOD_PRINTF(4, 5);

/* ---- connections (client_conn.c) ---------------------------------------- */

struct client_cache;

/* How a cache's connection is opened: TCP unless a test puts a fake here. */
typedef int client_connect_fn(struct client_cache *cc, struct rtrmod_stream **out);

/* Make the connection follow the session: open, close, watch, arm. */
void conn_sync(struct client_cache *cc);
/* Close the stream and cancel everything (the cache is going away). */
void conn_close(struct client_cache *cc);
int conn_tcp_connect(struct client_cache *cc, struct rtrmod_stream **out);

/* ---- addresses (client_dial.c) ------------------------------------------- */

/*
 * The address this connection attempt (csess.conn_gen) tries now, into
 * cc->addr: 0 when set; RTRMOD_EAGAIN while the host is being resolved
 * (conn_sync() runs again when the answer comes); any other value when the
 * attempt failed, the session having been told (CEV_CONN_FAILED).
 */
int dial_address(struct client_cache *cc, uint64_t now);
/* cc->addr failed: whether this attempt has another address (then it is
 * in cc->addr and the progress timeout starts again). */
bool dial_next(struct client_cache *cc, uint64_t now);
/* Whether this attempt has an address after cc->addr. */
bool dial_more(const struct client_cache *cc);
/* The connection to cc->addr is up (the session is told CEV_CONNECTED). */
void dial_up(struct client_cache *cc);
/* The connection that was up is gone: unless the session stopped or is
 * reconnecting at a lower version, cc->addr failed after connecting, and
 * the next attempt begins with another address. */
void dial_down(struct client_cache *cc);
/* Cancel a resolution the session no longer waits for (it left this
 * attempt); with `all`, also forget the addresses (the cache goes away). */
void dial_sync(struct client_cache *cc, bool all);

/* ---- the manager (client.c) ---------------------------------------------- */

struct client_cache {
	struct rtrmod_client *client;
	char host[RESOLVE_HOST_MAX + 1]; /* as configured: numeric or a name */
	bool numeric;
	char addr[RESOLVE_ADDR_LEN]; /* the numeric address tried or connected to */
	uint16_t port;
	char local_addr[64];             /* "" : the kernel chooses */
	char name[RESOLVE_HOST_MAX + 9]; /* "host:port", "[v6]:port" */
	unsigned preference;
	const char *transport;
	struct csess sess;
	/* connection */
	client_connect_fn *connect;
	struct rtrmod_stream *stream;
	unsigned stream_gen;
	bool handshaken;
	enum rtrmod_io_event hs_want, rd_want, wr_want;
	void *rwatch, *wwatch, *timer;
	uint64_t timer_due;
	unsigned synced_gen; /* conn_gen of the last commit with data */
	/* addresses of the attempt dial_gen (client_dial.c) */
	struct resolve_query *resolving;
	unsigned dial_gen;
	struct resolve_addr *addrs; /* NULL, &one (numeric) or allocated */
	struct resolve_addr one;
	size_t naddrs, addr_at, addr_tried;
	uint8_t up_version; /* the session's version when the connection came up */
	/* addresses that failed after connecting, the latest last */
	struct resolve_addr lost[RESOLVE_ADDRS_MAX];
	size_t nlost;
};

struct client_group {
	unsigned preference;
	struct client_cache **caches;
	size_t count;
};

struct rtrmod_client {
	struct rtrmod_ctx *ctx;
	struct client_cache **caches;
	size_t ncaches;
	struct client_group *groups; /* by preference, ascending */
	size_t ngroups;
	bool started, freeing;
	bool rebuild; /* merge the serving group afresh at the next evaluation */
	bool holding; /* no group serves; merged is a removed cache's table */
	void *eval_timer, *hold_timer;
	int serving; /* group index, -1 none */
	struct rtrmod_set *merged;
	struct rtrmod_set *empty;
	struct rtrmod_rov_index *rov;
	rtrmod_client_update_fn *update_fn;
	void *update_arg;
	rtrmod_client_status_fn *status_fn;
	void *status_arg;
	unsigned depth; /* callbacks into the host under way */
};

/* A group's members changed data or state: recompute what serves. */
void client_reevaluate(struct rtrmod_client *c);
/* Make sure an evaluation is due soon (started clients only): 0, or the
 * loop's refusal (rtrmod_instance_apply wants to know, not just a log). */
int client_eval_arm(struct rtrmod_client *c);
/* Whether a callback of the client into the host is under way. */
bool client_in_callback(const struct rtrmod_client *c);
/* Whether the merged table is data (a group serves, or a removed cache's
 * table is held), not just the empty table of a client without any. */
bool client_has_table(const struct rtrmod_client *c);
/* A member of the serving group committed `change`. */
int client_merge_change(struct rtrmod_client *c, const struct client_group *g,
			const struct rtrmod_delta *change, struct rtrmod_delta **out);
/* The merged table of group g (NULL: empty). */
int client_merge_group(struct rtrmod_client *c, const struct client_group *g,
		       struct rtrmod_set **out);

#endif
