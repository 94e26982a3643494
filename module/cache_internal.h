/*
 * cache_internal.h: what the cache's files share behind rtrmod/cache.h.
 *
 *   cache.c          the server object: configuration, listeners, updates,
 *                    status and counters
 *   cache_conn.c     one connection's I/O: the stream, loop watches, timer,
 *                    deferred close
 *   cache_session.c  the per-router protocol state machine, with no I/O:
 *                    bytes in, queued shared buffers out, deadlines
 *   cache_history.c  serials and the bounded history of exact deltas
 *   cache_encode.c   encoded responses in shared, refcounted buffers
 *
 * Everything runs on the host's loop thread, so reference counts are plain
 * integers (DESIGN.md, rule 1).
 */
#ifndef RTRMOD_CACHE_INTERNAL_H
#define RTRMOD_CACHE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <rtrmod/cache.h>
#include <rtrmod/pdu.h>
#include <rtrmod/records.h>
#include <rtrmod/transport.h>

#define CACHE_VERSIONS (RTRMOD_PDU_VERSION_MAX + 1)

/* ---- shared buffers (cache_encode.c) ---------------------------------- */

/* Immutable bytes with a reference count: one encoded response that any
 * number of sessions write from. */
struct cbuf {
	struct rtrmod_ctx *ctx;
	size_t refs;
	size_t len;
	uint8_t data[];
};

int cbuf_new(struct rtrmod_ctx *ctx, size_t len, struct cbuf **out);
struct cbuf *cbuf_ref(struct cbuf *b);
void cbuf_unref(struct cbuf *b);

/* ---- history (cache_history.c) ---------------------------------------- */

enum { HD_REMOVED = 0, HD_ADDED = 1 };

/*
 * An exact change between two serials, kept as two sets of whole records:
 * removed (in the older set only) and added (in the newer only), each in
 * canonical order.  ASPA records are whole (customer, providers) tuples
 * here, so that deltas compose exactly; the encoder turns them into the
 * wire's replace-by-customer form.  One allocation holds everything.
 */
struct hdelta {
	struct rtrmod_ctx *ctx;
	size_t memory;
	struct rtrmod_vrp *vrps[2];
	size_t nvrps[2];
	struct rtrmod_router_key *keys[2];
	size_t nkeys[2];
	struct rtrmod_aspa *aspas[2];
	size_t naspas[2];
};

int hdelta_diff(struct rtrmod_ctx *ctx, const struct rtrmod_set *from, const struct rtrmod_set *to,
		struct hdelta **out);
/* `a` then `b`: the change from a's older serial to b's newer one. */
int hdelta_compose(const struct hdelta *a, const struct hdelta *b, struct hdelta **out);
void hdelta_free(struct hdelta *d);
bool hdelta_empty(const struct hdelta *d);

/* The last `cap` deltas, oldest first in a ring, and the current serial. */
struct cache_history {
	struct rtrmod_ctx *ctx;
	struct hdelta **ring;
	unsigned cap;
	unsigned count;
	unsigned head;
	uint32_t serial;
};

int history_init(struct cache_history *h, struct rtrmod_ctx *ctx, unsigned cap);
void history_fini(struct cache_history *h);
/* Forget every delta and make `serial` current. */
void history_reset(struct cache_history *h, uint32_t serial);
int history_set_cap(struct cache_history *h, unsigned cap);
/* The same with `ring` (cap zeroed slots, ctx-allocated) made beforehand:
 * cannot fail.  The history owns ring from then on. */
void history_set_cap_with(struct cache_history *h, unsigned cap, struct hdelta **ring);
/* Append the delta from the current serial to the next (owned from now);
 * the serial advances by one (RFC 1982: modulo 2^32). */
void history_push(struct cache_history *h, struct hdelta *d);
/* The change from serial `from` to the current one: 0 and *out (*owned says
 * whether the caller must free it; an empty change is a static delta), or
 * RTRMOD_ENOENT when `from` is not a kept serial (older than the history,
 * or ahead of the current serial in RFC 1982 terms). */
int history_delta(const struct cache_history *h, uint32_t from, const struct hdelta **out,
		  bool *owned);
/* How many serials back `from` is (0: current); UINT32_MAX if not kept. */
uint32_t history_distance(const struct cache_history *h, uint32_t from);
size_t history_memory(const struct cache_history *h);

/* ---- the session state machine (cache_session.c) ----------------------- */

#define SESSION_OUTQ 8

enum slice_kind { SLICE_RESPONSE, SLICE_NOTIFY, SLICE_ERROR };

/* Output is a queue of references into shared buffers, never copies. */
struct cache_slice {
	struct cbuf *buf;
	size_t off;
	uint8_t kind;
};

struct cache_session {
	struct rtrmod_cache *cache;
	const char *peer; /* borrowed from the connection, for logs */
	uint8_t state;    /* enum rtrmod_cache_session_state */
	int version;      /* -1 until the first query fixes it */
	bool linger;      /* closed after flushing an Error Report */
	bool timed_out;
	bool have_serial;
	uint32_t serial; /* of the last response queued */
	struct rtrmod_pdu_stream *in;
	struct cache_slice q[SESSION_OUTQ];
	unsigned qhead, qlen;
	size_t queued;
	uint64_t since, progress_at, bytes_sent;
	const char *why; /* static reason it is closing or closed */
};

int session_init(struct cache_session *s, struct rtrmod_cache *cache, const char *peer,
		 uint64_t now);
void session_fini(struct cache_session *s);
/* Room to read into, then how many bytes came (which are processed). */
int session_read_space(struct cache_session *s, uint8_t **space, size_t *avail);
void session_read_done(struct cache_session *s, size_t n, uint64_t now);
/* Handle buffered PDUs while nothing is queued (after output drained). */
void session_process(struct cache_session *s, uint64_t now);
bool session_wants_read(const struct cache_session *s);
/* Up to `max` iovecs of queued output; the count. */
int session_out_iov(const struct cache_session *s, struct iovec *iov, int max);
void session_out_done(struct cache_session *s, size_t n, uint64_t now);
/* When session_tick() must next run; UINT64_MAX for never. */
uint64_t session_deadline(const struct cache_session *s);
void session_tick(struct cache_session *s, uint64_t now);
/* The cache has a new serial. */
void session_notify(struct cache_session *s, uint64_t now);
/* The connection ended (peer gone, I/O error): closed without a word. */
void session_close(struct cache_session *s, const char *why);

/* ---- connections (cache_conn.c) ------------------------------------------ */

struct cache_conn;

/* A session over `stream` (owned from now, freed on failure). */
int conn_new(struct rtrmod_cache *cache, struct rtrmod_stream *stream);
/* Kill (deferred free) and free. */
void conn_kill(struct cache_conn *c, const char *why);
void conn_free(struct cache_conn *c);
void conn_notify(struct cache_conn *c);
struct cache_conn *conn_next(const struct cache_conn *c);

/* ---- the cache object (cache.c) -------------------------------------------- */

struct cache_listener {
	struct rtrmod_cache *cache;
	struct rtrmod_prefix addr; /* the address listened on, as a host prefix */
	uint16_t port;             /* the bound port */
	int fd;
	void *watch;
	void *pause; /* timer while out of descriptors */
};

struct rtrmod_cache {
	struct rtrmod_ctx *ctx;
	/* configuration */
	uint8_t vmin, vmax;
	uint32_t refresh, retry, expire;
	unsigned max_sessions;
	uint32_t send_ms, handshake_ms;
	struct rtrmod_prefix *acl;
	size_t nacl;
	/* data */
	uint16_t session_id[CACHE_VERSIONS];
	bool has_data, stale;
	struct rtrmod_set *set;
	struct cache_history hist;
	/* encodings of the current serial, per version (cache_encode.c) */
	struct cbuf *full[CACHE_VERSIONS];
	struct cbuf **delta[CACHE_VERSIONS]; /* [d]: from serial - d; hist.cap + 1 */
	unsigned delta_len;
	struct cbuf *notify[CACHE_VERSIONS];
	struct cbuf *reset[CACHE_VERSIONS];
	/* connections: live ones in order, dead ones awaiting the reaper */
	struct cache_conn *conns, *conns_tail, *dead;
	unsigned nsessions;
	void *reaper;
	bool freeing;
	struct cache_listener **listeners;
	size_t nlisteners;
	uint64_t counters[RTRMOD_CACHE_CNT_MAX];
};

/* Responses of the current serial for `version`, a new reference each. */
int cache_full_response(struct rtrmod_cache *c, uint8_t version, struct cbuf **out);
/* RTRMOD_ENOENT when `from` is outside the history. */
int cache_delta_response(struct rtrmod_cache *c, uint8_t version, uint32_t from, struct cbuf **out);
int cache_notify_pdu(struct rtrmod_cache *c, uint8_t version, struct cbuf **out);
int cache_reset_pdu(struct rtrmod_cache *c, uint8_t version, struct cbuf **out);
int cache_error_pdu(struct rtrmod_ctx *ctx, uint8_t version, enum rtrmod_rtr_error code,
		    const uint8_t *pdu, size_t pdu_len, const char *text, struct cbuf **out);
/* Forget every encoding of the current serial (new serial, new timers). */
void cache_encodings_drop(struct rtrmod_cache *c);
size_t cache_encodings_memory(const struct rtrmod_cache *c);

/* The dead list is reaped from a zero-delay timer, never inline. */
void cache_reap_soon(struct rtrmod_cache *c);

/*
 * Every setting of rtrmod_cache_set_*() and the ACL at once, for a
 * configuration applied whole (rtrmod_instance_apply): cache_settings_prepare
 * checks every value as the setters do and allocates what a change needs
 * (the history ring, the ACL copy) without touching the cache;
 * cache_settings_commit then puts them all in place and cannot fail;
 * cache_settings_discard drops a prepared change instead.
 */
struct cache_settings {
	uint8_t vmin, vmax;
	uint32_t refresh, retry, expire;
	unsigned history;
	unsigned max_sessions;
	uint32_t send_ms, handshake_ms;
	const struct rtrmod_prefix *acl;
	size_t nacl;
};

struct cache_prepared;

int cache_settings_prepare(struct rtrmod_cache *c, const struct cache_settings *s,
			   struct cache_prepared **out);
void cache_settings_commit(struct rtrmod_cache *c, struct cache_prepared *p);
void cache_settings_discard(struct rtrmod_cache *c, struct cache_prepared *p);

#endif
