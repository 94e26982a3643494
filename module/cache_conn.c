/*
 * cache_conn.c: one router connection's I/O: its stream, the read and write
 * watches on the host's loop, one timer, and the way out.  The protocol is
 * cache_session.c's; this file only moves bytes and time to and from it.
 *
 * Invariants: nothing here blocks or waits on a peer; output is written
 * with writev straight from the session's shared buffers as soon as it is
 * queued, and what does not fit waits for writability.  A connection is
 * never freed inside one of its own callbacks: conn_kill() unwatches it,
 * takes it off the live list and leaves the freeing to the cache's reaper
 * (a zero-delay timer).  A fatal Error Report is flushed, then our side is
 * shut down and input drained until the peer closes or a short linger time
 * passes, so that closing with unread input (a TCP reset) cannot destroy
 * the report in flight.
 */
#include "config.h"

#include <string.h>

#include "cache_internal.h"
#include "rtrmod_internal.h"

/* iovecs per writev: a session rarely has more than three slices. */
#define CONN_IOV 8
/* Rounds of write/read/process per callback, so one busy router cannot
 * hold the loop. */
#define CONN_ROUNDS 16
/* Longest linger after a fatal Error Report. */
#define CONN_LINGER_MS 2000u

enum conn_phase { CONN_HANDSHAKE, CONN_OPEN, CONN_LINGER, CONN_DEAD };

struct cache_conn {
	struct cache_conn *prev, *next;
	struct rtrmod_cache *cache;
	struct rtrmod_stream *stream;
	struct cache_session sess;
	enum conn_phase phase;
	enum rtrmod_io_event hs_want, rd_want, wr_want;
	bool wr_blocked; /* output pending and the last write could not go on */
	void *rwatch, *wwatch, *timer;
	uint64_t timer_due, phase_due;
};

static void conn_run(struct cache_conn *c);

static struct rtrmod_ctx *
conn_ctx(const struct cache_conn *c)
{
	return c->cache->ctx;
}

struct cache_conn *
conn_next(const struct cache_conn *c)
{
	return c->next;
}

/* ---- life and death ------------------------------------------------------ */

static void
conn_unlink(struct cache_conn *c)
{
	struct rtrmod_cache *cache = c->cache;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		cache->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		cache->conns_tail = c->prev;
	c->prev = c->next = NULL;
}

void
conn_kill(struct cache_conn *c, const char *why)
{
	struct rtrmod_cache *cache = c->cache;

	if (c->phase == CONN_DEAD)
		return;
	log_info(conn_ctx(c), "cache: %s: disconnected: %s (%llu bytes sent)",
		 rtrmod_stream_peer(c->stream), why, (unsigned long long)c->sess.bytes_sent);
	ctx_unwatch(conn_ctx(c), &c->rwatch);
	ctx_unwatch(conn_ctx(c), &c->wwatch);
	ctx_timer_cancel(conn_ctx(c), &c->timer);
	if (c->sess.state != RTRMOD_CACHE_SESSION_CLOSED)
		session_close(&c->sess, why);
	c->phase = CONN_DEAD;
	conn_unlink(c);
	c->next = cache->dead;
	cache->dead = c;
	cache->nsessions--;
	cache->counters[RTRMOD_CACHE_CNT_CLOSED]++;
	if (c->sess.timed_out)
		cache->counters[RTRMOD_CACHE_CNT_TIMEOUTS]++;
	cache_reap_soon(cache);
}

void
conn_free(struct cache_conn *c)
{
	if (c == NULL)
		return;
	ctx_unwatch(conn_ctx(c), &c->rwatch);
	ctx_unwatch(conn_ctx(c), &c->wwatch);
	ctx_timer_cancel(conn_ctx(c), &c->timer);
	session_fini(&c->sess);
	rtrmod_stream_free(c->stream);
	ctx_free(conn_ctx(c), c);
}

int
conn_new(struct rtrmod_cache *cache, struct rtrmod_stream *stream)
{
	struct cache_conn *c;
	uint64_t now = ctx_now_ms(cache->ctx);
	int rc;

	c = ctx_zalloc(cache->ctx, sizeof(*c));
	if (c == NULL) {
		rtrmod_stream_free(stream);
		return RTRMOD_ENOMEM;
	}
	c->cache = cache;
	c->stream = stream;
	c->timer_due = UINT64_MAX;
	c->rd_want = RTRMOD_IO_READ;
	c->wr_want = RTRMOD_IO_WRITE;
	if ((rc = session_init(&c->sess, cache, rtrmod_stream_peer(stream), now)) != 0) {
		session_fini(&c->sess);
		rtrmod_stream_free(stream);
		ctx_free(cache->ctx, c);
		return rc;
	}
	c->phase = CONN_HANDSHAKE;
	c->phase_due = now + cache->handshake_ms;
	c->prev = cache->conns_tail;
	if (cache->conns_tail != NULL)
		cache->conns_tail->next = c;
	else
		cache->conns = c;
	cache->conns_tail = c;
	cache->nsessions++;
	cache->counters[RTRMOD_CACHE_CNT_ACCEPTED]++;
	log_info(cache->ctx, "cache: %s: connected (%s)", rtrmod_stream_peer(stream),
		 rtrmod_stream_transport(stream));
	conn_run(c);
	return 0;
}

/* ---- I/O ------------------------------------------------------------------- */

/* Write what is queued until it is all out or the stream would block.
 * 1 if bytes went out, 0 if none could, -1 if the connection is over. */
static int
conn_flush(struct cache_conn *c, uint64_t now)
{
	struct iovec iov[CONN_IOV];
	size_t sent;
	int n, rc, wrote = 0;

	while (c->sess.qlen > 0) {
		n = session_out_iov(&c->sess, iov, CONN_IOV);
		rc = rtrmod_stream_writev(c->stream, iov, n, &sent, &c->wr_want);
		if (rc == RTRMOD_EAGAIN) {
			c->wr_blocked = true;
			return wrote;
		}
		if (rc != 0) {
			session_close(&c->sess, rc == RTRMOD_ECLOSED ? "peer closed the connection"
								     : "write failed");
			return -1;
		}
		wrote = 1;
		c->wr_blocked = false;
		session_out_done(&c->sess, sent, now);
	}
	/* Drained: queries that arrived meanwhile can be answered now. */
	session_process(&c->sess, now);
	return wrote;
}

/* One read into the session.  1 if bytes came, 0 if none, -1 if over. */
static int
conn_read(struct cache_conn *c, uint64_t now)
{
	uint8_t *space;
	size_t avail, got;
	int rc;

	if ((rc = session_read_space(&c->sess, &space, &avail)) != 0) {
		session_close(&c->sess, "out of memory for input");
		return -1;
	}
	rc = rtrmod_stream_read(c->stream, space, avail, &got, &c->rd_want);
	if (rc == RTRMOD_EAGAIN)
		return 0;
	if (rc != 0) {
		session_close(&c->sess,
			      rc == RTRMOD_ECLOSED ? "peer closed the connection" : "read failed");
		return -1;
	}
	session_read_done(&c->sess, got, now);
	return 1;
}

/* After a flushed fatal Error Report: our FIN is out; drop input until the
 * peer's FIN, an error, or the linger time. */
static void
conn_linger(struct cache_conn *c)
{
	uint8_t sink[512];
	size_t got;
	int i, rc;

	for (i = 0; i < CONN_ROUNDS; i++) {
		rc = rtrmod_stream_read(c->stream, sink, sizeof(sink), &got, &c->rd_want);
		if (rc == RTRMOD_EAGAIN)
			return;
		if (rc != 0) {
			conn_kill(c, c->sess.why != NULL ? c->sess.why : "closed");
			return;
		}
	}
}

static void
conn_start_linger(struct cache_conn *c, uint64_t now)
{
	enum rtrmod_io_event want;
	uint32_t linger = c->cache->send_ms < CONN_LINGER_MS ? c->cache->send_ms : CONN_LINGER_MS;

	/* A failed shutdown only loses the FIN; the linger ends it anyway. */
	if (rtrmod_stream_shutdown(c->stream, &want) != 0)
		log_debug(conn_ctx(c), "cache: %s: shutdown failed", rtrmod_stream_peer(c->stream));
	c->phase = CONN_LINGER;
	c->phase_due = now + linger;
	conn_linger(c);
}

/* ---- the loop ----------------------------------------------------------------- */

static void conn_io_cb(void *arg, int fd, enum rtrmod_io_event event);
static void conn_timer_cb(void *arg);

/* Have a watch for `event` exactly when `on`. */
static int
conn_watch(struct cache_conn *c, void **handle, enum rtrmod_io_event event, bool on)
{
	if (!on) {
		ctx_unwatch(conn_ctx(c), handle);
		return 0;
	}
	if (*handle != NULL)
		return 0;
	return ctx_watch(conn_ctx(c), rtrmod_stream_fd(c->stream), event, conn_io_cb, c, handle);
}

static int
conn_update_watches(struct cache_conn *c)
{
	bool ev[3] = {false, false, false}; /* indexed by RTRMOD_IO_READ, _WRITE */

	switch (c->phase) {
	case CONN_HANDSHAKE:
		ev[c->hs_want] = true;
		break;
	case CONN_OPEN:
		if (session_wants_read(&c->sess))
			ev[c->rd_want] = true;
		/* Level-triggered: output not yet tried (the pump ran out of
		 * rounds) fires at once, blocked output when there is room. */
		if (c->sess.qlen > 0)
			ev[c->wr_want] = true;
		break;
	case CONN_LINGER:
		ev[c->rd_want] = true;
		break;
	case CONN_DEAD:
		return 0;
	}
	if (conn_watch(c, &c->rwatch, RTRMOD_IO_READ, ev[RTRMOD_IO_READ]) != 0 ||
	    conn_watch(c, &c->wwatch, RTRMOD_IO_WRITE, ev[RTRMOD_IO_WRITE]) != 0)
		return RTRMOD_ELOOP;
	return 0;
}

/* Arm the timer for the earliest deadline.  A timer due no later is kept:
 * when it fires early it finds nothing due and arms again. */
static int
conn_schedule(struct cache_conn *c, uint64_t now)
{
	uint64_t due = UINT64_MAX;

	if (c->phase == CONN_OPEN)
		due = session_deadline(&c->sess);
	else if (c->phase == CONN_HANDSHAKE || c->phase == CONN_LINGER)
		due = c->phase_due;
	if (due == UINT64_MAX || c->phase == CONN_DEAD) {
		ctx_timer_cancel(conn_ctx(c), &c->timer);
		c->timer_due = UINT64_MAX;
		return 0;
	}
	if (c->timer != NULL && c->timer_due <= due)
		return 0;
	ctx_timer_cancel(conn_ctx(c), &c->timer);
	c->timer_due = due;
	return ctx_timer_arm(conn_ctx(c), due > now ? due - now : 0, conn_timer_cb, c, &c->timer);
}

/* Flush, read and process until nothing moves (or CONN_ROUNDS). */
static void
conn_pump(struct cache_conn *c, uint64_t now)
{
	int i, w, r;

	for (i = 0; i < CONN_ROUNDS && c->sess.state != RTRMOD_CACHE_SESSION_CLOSED; i++) {
		w = c->sess.qlen > 0 ? conn_flush(c, now) : 0;
		if (w < 0 || c->sess.state == RTRMOD_CACHE_SESSION_CLOSED)
			break;
		r = session_wants_read(&c->sess) ? conn_read(c, now) : 0;
		if (r < 0 || (w == 0 && r == 0 && (c->sess.qlen == 0 || c->wr_blocked)))
			break;
	}
}

static void
conn_run(struct cache_conn *c)
{
	uint64_t now = ctx_now_ms(conn_ctx(c));
	int rc;

	if (c->phase == CONN_HANDSHAKE) {
		rc = rtrmod_stream_handshake(c->stream, &c->hs_want);
		if (rc != 0 && rc != RTRMOD_EAGAIN) {
			conn_kill(c, "transport handshake failed");
			return;
		}
		if (rc == 0)
			c->phase = CONN_OPEN;
	}
	if (c->phase == CONN_OPEN) {
		conn_pump(c, now);
		if (c->sess.state == RTRMOD_CACHE_SESSION_CLOSED) {
			if (!c->sess.linger) {
				conn_kill(c, c->sess.why != NULL ? c->sess.why : "closed");
				return;
			}
			conn_start_linger(c, now);
		}
	} else if (c->phase == CONN_LINGER) {
		conn_linger(c);
	}
	if (c->phase == CONN_DEAD)
		return;
	if (conn_update_watches(c) != 0 || conn_schedule(c, now) != 0)
		conn_kill(c, "the event loop refused a watch or timer");
}

static void
conn_io_cb(void *arg, int fd, enum rtrmod_io_event event)
{
	conn_run(arg);
}

static void
conn_timer_cb(void *arg)
{
	struct cache_conn *c = arg;
	uint64_t now = ctx_now_ms(conn_ctx(c));

	c->timer = NULL; /* fired: the handle is dead */
	c->timer_due = UINT64_MAX;
	if (c->phase == CONN_HANDSHAKE && now >= c->phase_due) {
		c->sess.timed_out = true;
		conn_kill(c, "transport handshake timeout");
		return;
	}
	if (c->phase == CONN_LINGER && now >= c->phase_due) {
		conn_kill(c, c->sess.why != NULL ? c->sess.why : "closed");
		return;
	}
	if (c->phase == CONN_OPEN)
		session_tick(&c->sess, now);
	conn_run(c);
}

void
conn_notify(struct cache_conn *c)
{
	if (c->phase != CONN_OPEN)
		return;
	session_notify(&c->sess, ctx_now_ms(conn_ctx(c)));
	conn_run(c);
}

/* ---- status --------------------------------------------------------------------- */

/* The public session handle is the connection itself. */
static const struct cache_conn *
conn_of(const struct rtrmod_cache_session *s)
{
	return (const struct cache_conn *)(const void *)s;
}

const char *
rtrmod_cache_session_peer(const struct rtrmod_cache_session *s)
{
	return rtrmod_stream_peer(conn_of(s)->stream);
}

const char *
rtrmod_cache_session_transport(const struct rtrmod_cache_session *s)
{
	return rtrmod_stream_transport(conn_of(s)->stream);
}

enum rtrmod_cache_session_state
rtrmod_cache_session_state(const struct rtrmod_cache_session *s)
{
	const struct cache_conn *c = conn_of(s);

	if (c->phase == CONN_HANDSHAKE)
		return RTRMOD_CACHE_SESSION_HANDSHAKE;
	if (c->phase == CONN_LINGER)
		return RTRMOD_CACHE_SESSION_CLOSING;
	return (enum rtrmod_cache_session_state)c->sess.state;
}

int
rtrmod_cache_session_version(const struct rtrmod_cache_session *s)
{
	return conn_of(s)->sess.version;
}

bool
rtrmod_cache_session_serial(const struct rtrmod_cache_session *s, uint32_t *serial)
{
	const struct cache_conn *c = conn_of(s);

	if (serial != NULL && c->sess.have_serial)
		*serial = c->sess.serial;
	return c->sess.have_serial;
}

size_t
rtrmod_cache_session_queued(const struct rtrmod_cache_session *s)
{
	return conn_of(s)->sess.queued;
}

uint64_t
rtrmod_cache_session_bytes_sent(const struct rtrmod_cache_session *s)
{
	return conn_of(s)->sess.bytes_sent;
}

uint64_t
rtrmod_cache_session_since(const struct rtrmod_cache_session *s)
{
	return conn_of(s)->sess.since;
}
