/*
 * client_conn.c: one cache's I/O for the client: its stream, the read and
 * write watches on the host's loop, and one timer at the session's next
 * deadline.  The protocol is client_session.c's; this file makes the
 * connection follow the session's state and moves bytes and time to it.
 *
 * Invariants: conn_sync() is the only place a stream is opened or closed.
 * A stream belongs to one session connection generation (csess.conn_gen):
 * when the session leaves it (back to idle, stopped, or reconnecting at a
 * lower version) the stream is unwatched, then closed.  Within one attempt
 * a stream goes to each address client_dial.c gives in turn: one that is
 * refused, or silent for the timeout, makes way for the next.  Nothing
 * blocks; a callback does a bounded amount of work (CONN_ROUNDS) and comes
 * back.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "client_internal.h"
#include "rtrmod_internal.h"

/* Rounds of write/read per callback, so one busy cache cannot hold the loop. */
#define CONN_ROUNDS 64

static void conn_io_cb(void *arg, int fd, enum rtrmod_io_event event);
static void conn_timer_cb(void *arg);

static struct rtrmod_ctx *
cc_ctx(const struct client_cache *cc)
{
	return cc->sess.ctx;
}

int
conn_tcp_connect(struct client_cache *cc, struct rtrmod_stream **out)
{
	return rtrmod_tcp_connect_from(cc_ctx(cc), cc->addr, cc->port,
				       cc->local_addr[0] != '\0' ? cc->local_addr : NULL, out);
}

static void
conn_drop_stream(struct client_cache *cc)
{
	ctx_unwatch(cc_ctx(cc), &cc->rwatch);
	ctx_unwatch(cc_ctx(cc), &cc->wwatch);
	if (cc->stream != NULL) {
		log_debug(cc_ctx(cc), "rtr %s: closing the connection", cc->name);
		rtrmod_stream_free(cc->stream);
	}
	cc->stream = NULL;
	cc->handshaken = false;
}

void
conn_close(struct client_cache *cc)
{
	dial_sync(cc, true);
	conn_drop_stream(cc);
	ctx_timer_cancel(cc_ctx(cc), &cc->timer);
	cc->timer_due = UINT64_MAX;
}

static bool
sess_reading(const struct csess *s)
{
	return s->state == RTRMOD_CLIENT_QUERYING || s->state == RTRMOD_CLIENT_RECEIVING ||
	       s->state == RTRMOD_CLIENT_ESTABLISHED;
}

/* Whether the session has left the connection this stream was made for. */
static bool
conn_stale(const struct client_cache *cc)
{
	const struct csess *s = &cc->sess;

	return cc->stream != NULL &&
	       (cc->stream_gen != s->conn_gen || s->state == RTRMOD_CLIENT_STOPPED ||
		s->state == RTRMOD_CLIENT_IDLE);
}

static void
conn_failed(struct client_cache *cc, enum csess_event ev, int rc, const char *what, uint64_t now)
{
	csess_note_error(&cc->sess, RTRMOD_CLIENT_ERR_TRANSPORT, -1, "%s: %s", what,
			 rtrmod_strerror(rc));
	log_info(cc_ctx(cc), "rtr %s: %s: %s", cc->name, what, rtrmod_strerror(rc));
	csess_event(&cc->sess, ev, what, now);
}

/* Connecting to cc->addr failed: on to the next address of the attempt,
 * or the attempt failed.  The session moved on either way. */
static bool
conn_attempt_failed(struct client_cache *cc, int rc, const char *what, uint64_t now)
{
	char failed[RESOLVE_ADDR_LEN], text[CSESS_TEXT_MAX];

	if (cc->numeric) {
		conn_failed(cc, CEV_CONN_FAILED, rc, what, now);
		return true;
	}
	snprintf(failed, sizeof(failed), "%s", cc->addr);
	if (!dial_next(cc, now)) {
		snprintf(text, sizeof(text), "%s: %s", failed, what);
		conn_failed(cc, CEV_CONN_FAILED, rc, text, now);
		return true;
	}
	log_info(cc_ctx(cc), "rtr %s: %s: %s: %s; trying %s", cc->name, failed, what,
		 rtrmod_strerror(rc), cc->addr);
	return true;
}

/* Open or finish opening the stream.  Whether the session moved on. */
static bool
conn_open(struct client_cache *cc, uint64_t now)
{
	int rc;

	if (cc->stream == NULL) {
		rc = dial_address(cc, now);
		if (rc == RTRMOD_EAGAIN)
			return false;
		if (rc != 0)
			return true; /* the session was told */
		if (cc->numeric)
			log_debug(cc_ctx(cc), "rtr %s: connecting", cc->name);
		else
			log_info(cc_ctx(cc), "rtr %s: connecting to %s", cc->name, cc->addr);
		rc = cc->connect(cc, &cc->stream);
		if (rc != 0) {
			cc->stream = NULL;
			return conn_attempt_failed(cc, rc, "connect failed", now);
		}
		cc->stream_gen = cc->sess.conn_gen;
		cc->hs_want = RTRMOD_IO_WRITE;
		cc->rd_want = RTRMOD_IO_READ;
		cc->wr_want = RTRMOD_IO_WRITE;
	}
	rc = rtrmod_stream_handshake(cc->stream, &cc->hs_want);
	if (rc == RTRMOD_EAGAIN)
		return false;
	if (rc != 0) {
		conn_drop_stream(cc);
		return conn_attempt_failed(cc, rc, "connection failed", now);
	}
	cc->handshaken = true;
	dial_up(cc);
	log_info(cc_ctx(cc), "rtr %s: connected (%s)", cc->name,
		 rtrmod_stream_transport(cc->stream));
	csess_event(&cc->sess, CEV_CONNECTED, "transport is up", now);
	return true;
}

/* One write of pending output.  1 moved, 0 blocked or nothing, -1 failed. */
static int
conn_write(struct client_cache *cc, uint64_t now)
{
	struct iovec iov;
	const uint8_t *data;
	size_t n, sent = 0;
	int rc;

	n = csess_out(&cc->sess, &data);
	if (n == 0)
		return 0;
	iov.iov_base = (void *)(uintptr_t)data;
	iov.iov_len = n;
	rc = rtrmod_stream_writev(cc->stream, &iov, 1, &sent, &cc->wr_want);
	if (rc == RTRMOD_EAGAIN)
		return 0;
	if (rc != 0) {
		conn_failed(cc, CEV_CLOSED, rc, "write failed", now);
		return -1;
	}
	csess_out_done(&cc->sess, sent, now);
	return 1;
}

/* One read into the session.  1 moved, 0 nothing, -1 failed or closed. */
static int
conn_read(struct client_cache *cc, uint64_t now)
{
	uint8_t *space;
	size_t avail, got = 0;
	int rc;

	if (csess_read_space(&cc->sess, &space, &avail) != 0) {
		csess_note_error(&cc->sess, RTRMOD_CLIENT_ERR_LOCAL, -1, "out of memory for input");
		csess_event(&cc->sess, CEV_CLOSED, "out of memory for input", now);
		return -1;
	}
	rc = rtrmod_stream_read(cc->stream, space, avail, &got, &cc->rd_want);
	if (rc == RTRMOD_EAGAIN)
		return 0;
	if (rc != 0) {
		conn_failed(cc, CEV_CLOSED, rc,
			    rc == RTRMOD_ECLOSED ? "cache closed the connection" : "read failed",
			    now);
		return -1;
	}
	csess_read_done(&cc->sess, got, now);
	return 1;
}

/* Move bytes until nothing moves, the connection is over, or CONN_ROUNDS. */
static void
conn_pump(struct client_cache *cc, uint64_t now)
{
	unsigned gen = cc->stream_gen;
	int i, w, r;

	for (i = 0; i < CONN_ROUNDS; i++) {
		w = conn_write(cc, now);
		if (w < 0 || conn_stale(cc) || cc->sess.conn_gen != gen)
			return;
		r = sess_reading(&cc->sess) ? conn_read(cc, now) : 0;
		if (r < 0 || (w == 0 && r == 0))
			return;
	}
}

static int
conn_watch(struct client_cache *cc, void **handle, enum rtrmod_io_event event, bool on)
{
	if (!on) {
		ctx_unwatch(cc_ctx(cc), handle);
		return 0;
	}
	if (*handle != NULL)
		return 0;
	return ctx_watch(cc_ctx(cc), rtrmod_stream_fd(cc->stream), event, conn_io_cb, cc, handle);
}

static int
conn_update_watches(struct client_cache *cc)
{
	bool ev[3] = {false, false, false}; /* indexed by RTRMOD_IO_READ, _WRITE */
	const uint8_t *data;

	if (cc->stream != NULL && !cc->handshaken) {
		ev[cc->hs_want] = true;
	} else if (cc->stream != NULL) {
		if (sess_reading(&cc->sess))
			ev[cc->rd_want] = true;
		if (csess_out(&cc->sess, &data) > 0)
			ev[cc->wr_want] = true;
	}
	if (conn_watch(cc, &cc->rwatch, RTRMOD_IO_READ, ev[RTRMOD_IO_READ]) != 0 ||
	    conn_watch(cc, &cc->wwatch, RTRMOD_IO_WRITE, ev[RTRMOD_IO_WRITE]) != 0)
		return RTRMOD_ELOOP;
	return 0;
}

/* Arm the timer for the session's deadline; one due no later is kept. */
static int
conn_schedule(struct client_cache *cc, uint64_t now)
{
	uint64_t due = csess_deadline(&cc->sess);

	if (due == UINT64_MAX) {
		ctx_timer_cancel(cc_ctx(cc), &cc->timer);
		cc->timer_due = UINT64_MAX;
		return 0;
	}
	if (cc->timer != NULL && cc->timer_due <= due)
		return 0;
	ctx_timer_cancel(cc_ctx(cc), &cc->timer);
	cc->timer_due = due;
	return ctx_timer_arm(cc_ctx(cc), due > now ? due - now : 0, conn_timer_cb, cc, &cc->timer);
}

/* The session left this stream's connection: if it was up, the address
 * may have failed after connecting (client_dial.c decides). */
static void
conn_drop_stale(struct client_cache *cc)
{
	if (cc->handshaken)
		dial_down(cc);
	conn_drop_stream(cc);
}

void
conn_sync(struct client_cache *cc)
{
	struct csess *s = &cc->sess;
	uint64_t now = ctx_now_ms(cc_ctx(cc));
	int i;

	for (i = 0; i < CONN_ROUNDS; i++) {
		dial_sync(cc, false);
		if (conn_stale(cc))
			conn_drop_stale(cc);
		if (s->state == RTRMOD_CLIENT_CONNECTING && !cc->handshaken) {
			if (conn_open(cc, now))
				continue;
			break;
		}
		if (cc->stream == NULL)
			break;
		conn_pump(cc, now);
		if (!conn_stale(cc))
			break;
	}
	dial_sync(cc, false);
	if (conn_stale(cc))
		conn_drop_stale(cc);
	if (conn_update_watches(cc) != 0 || conn_schedule(cc, now) != 0) {
		csess_note_error(s, RTRMOD_CLIENT_ERR_LOCAL, -1,
				 "the event loop refused a watch or timer");
		log_err(cc_ctx(cc), "rtr %s: the event loop refused a watch or timer", cc->name);
		conn_drop_stream(cc);
		csess_event(s, CEV_CLOSED, "event loop failure", now);
	}
}

static void
conn_io_cb(void *arg, int fd, enum rtrmod_io_event event)
{
	(void)fd;
	(void)event;
	conn_sync(arg);
}

/* An address that has not answered within the timeout, while the attempt
 * has more: give it up for the next (a black-holed address must not cost
 * the ones after it their turn). */
static void
conn_connect_timeout(struct client_cache *cc, uint64_t now)
{
	const struct csess *s = &cc->sess;

	if (s->state != RTRMOD_CLIENT_CONNECTING || cc->stream == NULL || cc->handshaken ||
	    now < s->progress_at + s->timeout_ms || !dial_more(cc))
		return;
	conn_drop_stream(cc);
	(void)conn_attempt_failed(cc, RTRMOD_ETIMEDOUT, "no answer", now);
}

static void
conn_timer_cb(void *arg)
{
	struct client_cache *cc = arg;
	uint64_t now = ctx_now_ms(cc_ctx(cc));

	cc->timer = NULL; /* fired: the handle is dead */
	cc->timer_due = UINT64_MAX;
	conn_connect_timeout(cc, now);
	csess_tick(&cc->sess, now);
	conn_sync(cc);
}
