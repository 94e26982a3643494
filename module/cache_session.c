/*
 * cache_session.c: one router's RTR session on the cache side, as a state
 * machine with no I/O: bytes in through a PDU stream, output as a queue of
 * references into shared encoded buffers, time only as `now` arguments and
 * a deadline.  cache_conn.c moves the bytes; tests drive it directly.
 *
 * States (enum rtrmod_cache_session_state): NEGOTIATING until the first
 * query fixes the version (RFC 8210 §7), then ESTABLISHED, SENDING while a
 * response is queued, CLOSING while a fatal Error Report is flushed, CLOSED.
 * Invariants: input is taken only while nothing is queued, so a session
 * holds at most one response, one Serial Notify (a newer one replaces a
 * waiting older one) and one Error Report: its memory does not grow with a
 * router that stops reading.  An Error Report is never answered with one
 * (RFC 8210 §5.11).  Every transition is logged with its reason.
 */
#include "config.h"

#include <string.h>

#include "cache_internal.h"
#include "rtrmod_internal.h"

/* Room reserved per read: routers send small queries. */
#define SESSION_READ_CHUNK 2048u
/* Highest error code each version defines (RFC 6810: 0-7; RFC 8210: 8). */
static const unsigned max_error_code[CACHE_VERSIONS] = {7, 8, 13};

static void
session_set_state(struct cache_session *s, enum rtrmod_cache_session_state to, const char *why)
{
	if (s->state == to)
		return;
	log_debug(s->cache->ctx, "cache: %s: %s -> %s (%s)", s->peer,
		  rtrmod_cache_session_state_name(s->state), rtrmod_cache_session_state_name(to),
		  why);
	s->state = (uint8_t)to;
	if (to == RTRMOD_CACHE_SESSION_CLOSING || to == RTRMOD_CACHE_SESSION_CLOSED)
		s->why = why;
}

int
session_init(struct cache_session *s, struct rtrmod_cache *cache, const char *peer, uint64_t now)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->cache = cache;
	s->peer = peer;
	s->version = -1;
	s->state = RTRMOD_CACHE_SESSION_NEGOTIATING;
	s->since = s->progress_at = now;
	rc = rtrmod_pdu_stream_new(cache->ctx, 0, &s->in);
	return rc;
}

static void
queue_clear(struct cache_session *s)
{
	while (s->qlen > 0) {
		cbuf_unref(s->q[s->qhead].buf);
		s->qhead = (s->qhead + 1) % SESSION_OUTQ;
		s->qlen--;
	}
	s->queued = 0;
}

void
session_fini(struct cache_session *s)
{
	queue_clear(s);
	rtrmod_pdu_stream_free(s->in);
	s->in = NULL;
}

void
session_close(struct cache_session *s, const char *why)
{
	queue_clear(s);
	s->linger = false;
	session_set_state(s, RTRMOD_CACHE_SESSION_CLOSED, why);
}

/* Queue a reference (taken over from the caller).  The queue cannot fill:
 * input waits while anything is queued, and notifies coalesce. */
static void
queue_push(struct cache_session *s, struct cbuf *b, enum slice_kind kind, uint64_t now)
{
	struct cache_slice *sl;

	if (s->qlen == SESSION_OUTQ) {
		cbuf_unref(b);
		log_err(s->cache->ctx, "cache: %s: output queue full", s->peer);
		session_close(s, "internal error: output queue full");
		return;
	}
	if (s->qlen == 0)
		s->progress_at = now; /* the send timeout runs from here */
	sl = &s->q[(s->qhead + s->qlen) % SESSION_OUTQ];
	sl->buf = b;
	sl->off = 0;
	sl->kind = (uint8_t)kind;
	s->qlen++;
	s->queued += b->len;
}

/* ---- Error Reports ---------------------------------------------------------- */

/*
 * The version an Error Report goes out with: for "Unsupported Protocol
 * Version" our highest (RFC 8210 §7), else the session's once negotiated,
 * else the offending PDU's if we speak it, else our highest.  A code the
 * version does not define is mapped to one it does (8210bis §12: only the
 * session version's codes may be sent): in v0 a version change is reported
 * as "Unsupported Protocol Version", RFC 6810 having no code 8.
 */
static void
session_error(struct cache_session *s, enum rtrmod_rtr_error code, const uint8_t *bad,
	      size_t bad_len, const char *why, bool fatal, uint64_t now)
{
	struct rtrmod_cache *c = s->cache;
	uint8_t v = c->vmax;
	struct cbuf *b;

	if (code != RTRMOD_RTR_UNSUPPORTED_VERSION && s->version >= 0)
		v = (uint8_t)s->version;
	else if (code != RTRMOD_RTR_UNSUPPORTED_VERSION && bad != NULL && bad_len > 0 &&
		 bad[0] >= c->vmin && bad[0] <= c->vmax)
		v = bad[0];
	if ((unsigned)code > max_error_code[v])
		code = code == RTRMOD_RTR_UNEXPECTED_VERSION ? RTRMOD_RTR_UNSUPPORTED_VERSION
							     : RTRMOD_RTR_INTERNAL_ERROR;
	log_warn(c->ctx, "cache: %s: sending v%u Error Report \"%s\": %s", s->peer, v,
		 rtrmod_rtr_error_name(code), why);
	c->counters[RTRMOD_CACHE_CNT_ERRORS_SENT]++;
	if (cache_error_pdu(c->ctx, v, code, bad, bad_len, why, &b) != 0) {
		session_close(s, "out of memory for an Error Report");
		return;
	}
	queue_push(s, b, SLICE_ERROR, now);
	if (fatal && s->state != RTRMOD_CACHE_SESSION_CLOSED) {
		s->linger = true;
		session_set_state(s, RTRMOD_CACHE_SESSION_CLOSING, why);
	}
}

/* Internal failures (out of memory while encoding) are Internal Error. */
static void
session_internal(struct cache_session *s, int rc, uint64_t now)
{
	log_err(s->cache->ctx, "cache: %s: %s", s->peer, rtrmod_strerror(rc));
	session_error(s, RTRMOD_RTR_INTERNAL_ERROR, NULL, 0, rtrmod_strerror(rc), true, now);
}

/* ---- queries -------------------------------------------------------------------- */

/* RFC 8210 §8.4 and §12: with no data yet (or stale data) a query gets
 * "No Data Available", which is not fatal: the session stays. */
static bool
session_no_data(struct cache_session *s, const uint8_t *bad, size_t bad_len, uint64_t now)
{
	if (s->cache->has_data && !s->cache->stale)
		return false;
	session_error(s, RTRMOD_RTR_NO_DATA_AVAILABLE, bad, bad_len,
		      s->cache->has_data ? "data is stale" : "no data yet", false, now);
	return true;
}

static void
session_respond(struct cache_session *s, struct cbuf *b, uint64_t now, const char *what)
{
	queue_push(s, b, SLICE_RESPONSE, now);
	s->have_serial = true;
	s->serial = s->cache->hist.serial;
	session_set_state(s, RTRMOD_CACHE_SESSION_SENDING, what);
}

/* RFC 8210 §5.4, §8.1: Cache Response, the whole set, End of Data. */
static void
session_reset_query(struct cache_session *s, const uint8_t *raw, size_t raw_len, uint64_t now)
{
	struct cbuf *b;
	int rc;

	s->cache->counters[RTRMOD_CACHE_CNT_RESET_QUERIES]++;
	if (session_no_data(s, raw, raw_len, now))
		return;
	if ((rc = cache_full_response(s->cache, (uint8_t)s->version, &b)) != 0) {
		session_internal(s, rc, now);
		return;
	}
	log_debug(s->cache->ctx, "cache: %s: Reset Query, sending serial %u (%zu bytes)", s->peer,
		  s->cache->hist.serial, b->len);
	session_respond(s, b, now, "reset query");
}

/* RFC 8210 §5.3, §8.2, §8.3: the delta since the router's serial, or Cache
 * Reset when that serial is not in the history or the Session ID is not the
 * current one for this version (§5.1: a new Session ID means the router's
 * data must be replaced whole). */
static void
session_serial_query(struct cache_session *s, const struct rtrmod_pdu *pdu, const uint8_t *raw,
		     size_t raw_len, uint64_t now)
{
	struct rtrmod_cache *c = s->cache;
	struct cbuf *b;
	int rc = RTRMOD_ENOENT;

	c->counters[RTRMOD_CACHE_CNT_SERIAL_QUERIES]++;
	if (session_no_data(s, raw, raw_len, now))
		return;
	if (pdu->u.serial.session_id == c->session_id[s->version])
		rc = cache_delta_response(c, (uint8_t)s->version, pdu->u.serial.serial, &b);
	if (rc == RTRMOD_ENOENT) {
		log_info(c->ctx, "cache: %s: Serial Query for session %u serial %u: Cache Reset",
			 s->peer, pdu->u.serial.session_id, pdu->u.serial.serial);
		c->counters[RTRMOD_CACHE_CNT_CACHE_RESETS]++;
		if ((rc = cache_reset_pdu(c, (uint8_t)s->version, &b)) == 0)
			queue_push(s, b, SLICE_RESPONSE, now);
	} else if (rc == 0) {
		log_debug(c->ctx, "cache: %s: Serial Query from %u, sending to %u (%zu bytes)",
			  s->peer, pdu->u.serial.serial, c->hist.serial, b->len);
		session_respond(s, b, now, "serial query");
	}
	if (rc != 0)
		session_internal(s, rc, now);
}

static void
session_error_report(struct cache_session *s, const struct rtrmod_pdu *pdu)
{
	const struct rtrmod_pdu_error_report *e = &pdu->u.error;
	int tlen = e->text.len > 200 ? 200 : (int)e->text.len;

	s->cache->counters[RTRMOD_CACHE_CNT_ERRORS_RECEIVED]++;
	log_warn(s->cache->ctx, "cache: %s: received Error Report \"%s\" (%u): %.*s", s->peer,
		 rtrmod_rtr_error_name(e->code), (unsigned)e->code, tlen,
		 e->text.ptr != NULL ? (const char *)e->text.ptr : "");
	session_close(s, "router sent an Error Report");
}

/* The raw bytes of a decoded PDU, for an Error Report (re-encoded: reserved
 * fields come back as zero, which the RFC permits us to ignore anyway). */
static size_t
session_raw(const struct rtrmod_pdu *pdu, uint8_t *buf, size_t cap)
{
	size_t w = 0;

	if (rtrmod_pdu_encode(pdu, buf, cap, &w) != 0) {
		if (cap < RTRMOD_PDU_HEADER_LEN)
			return 0;
		memset(buf, 0, RTRMOD_PDU_HEADER_LEN);
		buf[0] = pdu->version;
		buf[1] = pdu->type;
		return RTRMOD_PDU_HEADER_LEN;
	}
	return w;
}

/* One decoded PDU.  Version first (RFC 8210 §7), then the type: a cache
 * only takes Serial Query, Reset Query and Error Report; any other type the
 * version defines is "Invalid Request" (§12, code 3). */
static void
session_pdu(struct cache_session *s, const struct rtrmod_pdu *pdu, uint64_t now)
{
	struct rtrmod_cache *c = s->cache;
	uint8_t raw[256];
	size_t raw_len;

	if (pdu->type == RTRMOD_PDU_ERROR_REPORT) {
		session_error_report(s, pdu);
		return;
	}
	raw_len = session_raw(pdu, raw, sizeof(raw));
	if (s->version < 0 && (pdu->version < c->vmin || pdu->version > c->vmax)) {
		session_error(s, RTRMOD_RTR_UNSUPPORTED_VERSION, raw, raw_len,
			      "protocol version not served", true, now);
		return;
	}
	if (s->version >= 0 && pdu->version != s->version) {
		session_error(s, RTRMOD_RTR_UNEXPECTED_VERSION, raw, raw_len,
			      "protocol version changed during the session", true, now);
		return;
	}
	if (pdu->type != RTRMOD_PDU_RESET_QUERY && pdu->type != RTRMOD_PDU_SERIAL_QUERY) {
		session_error(s, RTRMOD_RTR_INVALID_REQUEST, raw, raw_len,
			      "PDU type a cache does not accept", true, now);
		return;
	}
	if (s->version < 0) {
		s->version = pdu->version;
		log_info(c->ctx, "cache: %s: negotiated protocol version %u", s->peer,
			 pdu->version);
		session_set_state(s, RTRMOD_CACHE_SESSION_ESTABLISHED, "first query");
	}
	if (pdu->type == RTRMOD_PDU_RESET_QUERY)
		session_reset_query(s, raw, raw_len, now);
	else
		session_serial_query(s, pdu, raw, raw_len, now);
}

/*
 * The stream refused the input (framing).  The offending header decides the
 * code before the stream's own: a version we do not serve, or a change of
 * version, outranks a type or length the version does not allow.  A broken
 * Error Report is not answered.
 */
static void
session_stream_error(struct cache_session *s, const struct rtrmod_pdu_error *err, uint64_t now)
{
	const uint8_t *p = err->pdu.ptr;
	size_t len = err->pdu.len;
	enum rtrmod_rtr_error code = err->code;

	if (p != NULL && len >= 2 && p[1] == RTRMOD_PDU_ERROR_REPORT) {
		s->cache->counters[RTRMOD_CACHE_CNT_ERRORS_RECEIVED]++;
		log_warn(s->cache->ctx, "cache: %s: received a malformed Error Report: %s", s->peer,
			 err->reason);
		session_close(s, "malformed Error Report received");
		return;
	}
	if (p != NULL && len >= 1) {
		if (s->version < 0 && (p[0] < s->cache->vmin || p[0] > s->cache->vmax))
			code = RTRMOD_RTR_UNSUPPORTED_VERSION;
		else if (s->version >= 0 && p[0] != s->version)
			code = RTRMOD_RTR_UNEXPECTED_VERSION;
	}
	session_error(s, code, p, len, err->reason, true, now);
}

void
session_process(struct cache_session *s, uint64_t now)
{
	struct rtrmod_pdu_error err;
	struct rtrmod_pdu pdu;
	int rc;

	while (s->qlen == 0 && (s->state == RTRMOD_CACHE_SESSION_NEGOTIATING ||
				s->state == RTRMOD_CACHE_SESSION_ESTABLISHED)) {
		rc = rtrmod_pdu_stream_next(s->in, &pdu, &err);
		if (rc == RTRMOD_EAGAIN)
			return;
		if (rc == RTRMOD_EPDU)
			session_stream_error(s, &err, now);
		else if (rc != 0)
			session_internal(s, rc, now);
		else
			session_pdu(s, &pdu, now);
	}
}

/* ---- bytes in, bytes out -------------------------------------------------------- */

int
session_read_space(struct cache_session *s, uint8_t **space, size_t *avail)
{
	return rtrmod_pdu_stream_reserve(s->in, SESSION_READ_CHUNK, space, avail);
}

void
session_read_done(struct cache_session *s, size_t n, uint64_t now)
{
	rtrmod_pdu_stream_commit(s->in, n);
	session_process(s, now);
}

bool
session_wants_read(const struct cache_session *s)
{
	return s->qlen == 0 && (s->state == RTRMOD_CACHE_SESSION_NEGOTIATING ||
				s->state == RTRMOD_CACHE_SESSION_ESTABLISHED);
}

int
session_out_iov(const struct cache_session *s, struct iovec *iov, int max)
{
	const struct cache_slice *sl;
	int n = 0;

	for (unsigned i = 0; i < s->qlen && n < max; i++) {
		sl = &s->q[(s->qhead + i) % SESSION_OUTQ];
		iov[n].iov_base = sl->buf->data + sl->off;
		iov[n].iov_len = sl->buf->len - sl->off;
		n++;
	}
	return n;
}

void
session_out_done(struct cache_session *s, size_t n, uint64_t now)
{
	struct cache_slice *sl;
	size_t left;

	if (n > 0)
		s->progress_at = now;
	s->bytes_sent += n;
	s->cache->counters[RTRMOD_CACHE_CNT_BYTES_SENT] += n;
	while (n > 0 && s->qlen > 0) {
		sl = &s->q[s->qhead];
		left = sl->buf->len - sl->off;
		if (n < left) {
			sl->off += n;
			s->queued -= n;
			return;
		}
		n -= left;
		s->queued -= left;
		cbuf_unref(sl->buf);
		s->qhead = (s->qhead + 1) % SESSION_OUTQ;
		s->qlen--;
	}
	if (s->qlen > 0)
		return;
	if (s->state == RTRMOD_CACHE_SESSION_SENDING)
		session_set_state(s, RTRMOD_CACHE_SESSION_ESTABLISHED, "response sent");
	else if (s->state == RTRMOD_CACHE_SESSION_CLOSING)
		session_set_state(s, RTRMOD_CACHE_SESSION_CLOSED, s->why);
}

/* ---- time and updates ----------------------------------------------------------- */

uint64_t
session_deadline(const struct cache_session *s)
{
	uint64_t due = UINT64_MAX;

	if (s->state == RTRMOD_CACHE_SESSION_CLOSED)
		return due;
	if (s->state == RTRMOD_CACHE_SESSION_NEGOTIATING && s->qlen == 0)
		due = s->since + s->cache->handshake_ms;
	if (s->qlen > 0 && s->progress_at + s->cache->send_ms < due)
		due = s->progress_at + s->cache->send_ms;
	return due;
}

void
session_tick(struct cache_session *s, uint64_t now)
{
	const char *why = NULL;

	if (now < session_deadline(s))
		return;
	if (s->qlen > 0)
		why = "send timeout: the router is not reading";
	else
		why = "no query within the handshake timeout";
	log_warn(s->cache->ctx, "cache: %s: %s", s->peer, why);
	s->timed_out = true;
	session_close(s, why);
}

/*
 * RFC 8210 §5.2, §8.2: tell an established router there is a new serial.
 * Not before the version is known (§7: a router ignores notifies during
 * negotiation anyway), not when the response already queued carries this
 * serial, and a notify still waiting in the queue is replaced rather than
 * joined by another.  Never waits: the bytes go out when the router reads.
 */
void
session_notify(struct cache_session *s, uint64_t now)
{
	struct rtrmod_cache *c = s->cache;
	struct cache_slice *last;
	struct cbuf *b;

	if (s->version < 0 || (s->state != RTRMOD_CACHE_SESSION_ESTABLISHED &&
			       s->state != RTRMOD_CACHE_SESSION_SENDING))
		return;
	if (s->have_serial && s->serial == c->hist.serial)
		return;
	if (cache_notify_pdu(c, (uint8_t)s->version, &b) != 0) {
		session_internal(s, RTRMOD_ENOMEM, now);
		return;
	}
	c->counters[RTRMOD_CACHE_CNT_NOTIFIES]++;
	last = s->qlen > 0 ? &s->q[(s->qhead + s->qlen - 1) % SESSION_OUTQ] : NULL;
	if (last != NULL && last->kind == SLICE_NOTIFY && last->off == 0) {
		s->queued -= last->buf->len;
		cbuf_unref(last->buf);
		last->buf = b;
		s->queued += b->len;
		return;
	}
	queue_push(s, b, SLICE_NOTIFY, now);
}
