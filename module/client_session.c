/*
 * client_session.c: one cache's RTR session on the router side, as a state
 * machine with no I/O: bytes in through a PDU stream, queries and Error
 * Reports out through a small buffer, time only as `now` arguments and a
 * next deadline.  client_conn.c moves the bytes; tests drive it directly.
 *
 * Invariants: everything from Cache Response to End of Data is staged in an
 * rtrmod_delta against a base (the committed set, or nothing for a Reset
 * Query) and committed whole at End of Data (RFC 8210 §8.1, §8.2); a
 * session that breaks mid-transfer drops the staging and keeps its last
 * committed set until the expire timer purges it (§6).  Protocol decisions
 * that change state go through csess_fsm(), one switch on enum csess_event,
 * which logs every transition with its reason; PDU handlers only check and
 * stage data.  An Error Report is never answered with one (§5.11).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "rtrmod_internal.h"

/* Room reserved per read: a cache sends the whole set, so read big. */
#define CSESS_READ_CHUNK (64u * 1024u)
/* Highest error code each version defines (RFC 6810: 0-7; RFC 8210: 8;
 * 8210bis §12: 9-13). */
static const unsigned max_error_code[RTRMOD_PDU_VERSION_MAX + 1] = {7, 8, 13};

static const char *const state_names[] = {
    [RTRMOD_CLIENT_STOPPED] = "stopped",       [RTRMOD_CLIENT_IDLE] = "idle",
    [RTRMOD_CLIENT_CONNECTING] = "connecting", [RTRMOD_CLIENT_QUERYING] = "querying",
    [RTRMOD_CLIENT_RECEIVING] = "receiving",   [RTRMOD_CLIENT_ESTABLISHED] = "established",
    [RTRMOD_CLIENT_CLOSING] = "closing",
};

static const char *const event_names[] = {
    [CEV_START] = "start",
    [CEV_STOP] = "stop",
    [CEV_CONNECTED] = "connected",
    [CEV_CONN_FAILED] = "connection failed",
    [CEV_CLOSED] = "connection closed",
    [CEV_TIMEOUT] = "timeout",
    [CEV_TIMER_RETRY] = "retry timer",
    [CEV_TIMER_REFRESH] = "refresh timer",
    [CEV_TIMER_EXPIRE] = "expire timer",
    [CEV_SERIAL_NOTIFY] = "Serial Notify",
    [CEV_CACHE_RESPONSE] = "Cache Response",
    [CEV_END_OF_DATA] = "End of Data",
    [CEV_CACHE_RESET] = "Cache Reset",
    [CEV_NO_DATA] = "No Data Available",
    [CEV_VERSION_DOWN] = "version fallback",
    [CEV_ERROR_RECEIVED] = "Error Report received",
    [CEV_PROTOCOL_ERROR] = "Error Report sent",
    [CEV_FLUSHED] = "Error Report flushed",
};

const char *
rtrmod_client_state_name(unsigned state)
{
	return state < ARRAY_SIZE(state_names) ? state_names[state] : "unknown";
}

const char *
csess_event_name(unsigned ev)
{
	return ev < ARRAY_SIZE(event_names) ? event_names[ev] : "unknown";
}

void
csess_note_error(struct csess *s, enum rtrmod_client_error_origin origin, int code, const char *fmt,
		 ...)
{
	va_list ap;

	s->last.origin = origin;
	s->last.code = code;
	va_start(ap, fmt);
	vsnprintf(s->last.text, sizeof(s->last.text), fmt, ap);
	va_end(ap);
}

void
csess_progress(struct csess *s, uint64_t now)
{
	s->progress_at = now;
}

/* ---- life ---------------------------------------------------------------- */

int
csess_init(struct csess *s, struct rtrmod_ctx *ctx, const char *name, const struct csess_ops *ops,
	   void *arg)
{
	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->name = name;
	s->ops = ops;
	s->arg = arg;
	s->state = RTRMOD_CLIENT_STOPPED;
	s->version_max = s->version = RTRMOD_PDU_VERSION_MAX;
	s->cfg_refresh = s->refresh = CSESS_REFRESH_DEFAULT;
	s->cfg_retry = s->retry = CSESS_RETRY_DEFAULT;
	s->cfg_expire = s->expire = CSESS_EXPIRE_DEFAULT;
	s->timeout_ms = CSESS_TIMEOUT_DEFAULT;
	s->refresh_at = s->retry_at = s->expire_at = s->progress_at = UINT64_MAX;
	s->last.code = -1;
	return rtrmod_set_new_empty(ctx, &s->base);
}

void
csess_xfer_drop(struct csess *s)
{
	rtrmod_delta_free(s->staged);
	s->staged = NULL;
	s->staged_records = 0;
	rtrmod_set_unref(s->xfer_base);
	s->xfer_base = NULL;
}

void
csess_fini(struct csess *s)
{
	csess_xfer_drop(s);
	rtrmod_pdu_stream_free(s->in);
	s->in = NULL;
	rtrmod_set_unref(s->set);
	s->set = NULL;
	rtrmod_set_unref(s->base);
	s->base = NULL;
	ctx_free(s->ctx, s->prov);
	s->prov = NULL;
}

/* A new connection starts with an empty input stream and no output. */
static int
io_reset(struct csess *s)
{
	rtrmod_pdu_stream_free(s->in);
	s->in = NULL;
	s->out_len = s->out_off = 0;
	return rtrmod_pdu_stream_new(s->ctx, 0, &s->in);
}

/* ---- output -------------------------------------------------------------- */

static int
out_pdu(struct csess *s, const struct rtrmod_pdu *pdu)
{
	size_t w = 0;
	int rc;

	rc = rtrmod_pdu_encode(pdu, s->out + s->out_len, sizeof(s->out) - s->out_len, &w);
	if (rc == 0)
		s->out_len += w;
	return rc;
}

/* RFC 8210 §5.3/§5.4, §8: a Serial Query while we hold a session, else a
 * Reset Query. */
static void
send_query(struct csess *s, uint64_t now)
{
	struct rtrmod_pdu q;

	memset(&q, 0, sizeof(q));
	q.version = s->version;
	s->reset_query = !s->have_session;
	if (s->reset_query) {
		q.type = RTRMOD_PDU_RESET_QUERY;
	} else {
		q.type = RTRMOD_PDU_SERIAL_QUERY;
		q.u.serial.session_id = s->session_id;
		q.u.serial.serial = s->serial;
	}
	if (out_pdu(s, &q) != 0)
		log_err(s->ctx, "rtr %s: no room for a query", s->name);
	log_debug(s->ctx, "rtr %s: sending v%u %s", s->name, s->version,
		  rtrmod_pdu_type_name(q.type));
	s->notify_pending = false;
	s->progress_at = now;
}

/* ---- committed data ------------------------------------------------------ */

/* Forget the data (expired, stopped): the owner sees everything removed. */
static void
purge(struct csess *s, const char *why)
{
	struct rtrmod_delta *change = NULL;

	s->have_session = false;
	s->expire_at = UINT64_MAX;
	if (s->set == NULL)
		return;
	log_info(s->ctx, "rtr %s: data purged: %s", s->name, why);
	if (rtrmod_set_diff(s->set, s->base, &change) != 0)
		log_err(s->ctx, "rtr %s: out of memory for the purge's delta", s->name);
	rtrmod_set_unref(s->set);
	s->set = NULL;
	if (s->ops->commit != NULL)
		s->ops->commit(s->arg, s, change);
	rtrmod_delta_free(change);
}

/* ---- the state machine --------------------------------------------------- */

static void
set_state(struct csess *s, enum rtrmod_client_state to, enum csess_event ev, const char *why)
{
	enum rtrmod_client_state from = s->state;

	if (from == to) {
		log_debug(s->ctx, "rtr %s: %s in %s (%s)", s->name, event_names[ev],
			  state_names[from], why);
		return;
	}
	log_debug(s->ctx, "rtr %s: %s -> %s (%s: %s)", s->name, state_names[from], state_names[to],
		  event_names[ev], why);
	s->state = (uint8_t)to;
	if (s->ops->state != NULL)
		s->ops->state(s->arg, s, from);
}

/* The transport is gone or never came: wait `delay` ms, then try again. */
static enum rtrmod_client_state
go_idle(struct csess *s, uint64_t now, uint64_t delay)
{
	csess_xfer_drop(s);
	s->out_len = s->out_off = 0;
	s->retry_at = now + delay;
	return RTRMOD_CLIENT_IDLE;
}

static enum rtrmod_client_state
go_connect(struct csess *s, uint64_t now)
{
	s->conn_gen++;
	s->negotiated = false;
	s->progress_at = now;
	if (io_reset(s) != 0) {
		csess_note_error(s, RTRMOD_CLIENT_ERR_LOCAL, -1, "out of memory for input");
		return go_idle(s, now, csess_after(0, s->retry));
	}
	return RTRMOD_CLIENT_CONNECTING;
}

/* The one place state changes (OpenBGPD rtr_proto.c's shape): a switch on
 * the event, longer than most functions here so that every transition can
 * be read in one screen. */
static void
csess_fsm(struct csess *s, enum csess_event ev, const char *why, uint64_t now)
{
	enum rtrmod_client_state st = s->state, to = st;

	switch (ev) {
	case CEV_START:
		if (st == RTRMOD_CLIENT_STOPPED)
			to = go_connect(s, now);
		break;
	case CEV_STOP:
		csess_xfer_drop(s);
		s->out_len = s->out_off = 0;
		to = RTRMOD_CLIENT_STOPPED;
		purge(s, "session stopped");
		break;
	case CEV_CONNECTED:
		if (st != RTRMOD_CLIENT_CONNECTING)
			break;
		send_query(s, now);
		to = RTRMOD_CLIENT_QUERYING;
		break;
	case CEV_CONN_FAILED:
	case CEV_CLOSED:
	case CEV_TIMEOUT:
	case CEV_ERROR_RECEIVED:
		if (st != RTRMOD_CLIENT_STOPPED && st != RTRMOD_CLIENT_IDLE)
			to = go_idle(s, now, csess_after(0, s->retry));
		break;
	case CEV_PROTOCOL_ERROR:
		csess_xfer_drop(s);
		s->progress_at = now;
		to = RTRMOD_CLIENT_CLOSING;
		break;
	case CEV_FLUSHED:
		if (st == RTRMOD_CLIENT_CLOSING)
			to = go_idle(s, now, csess_after(0, s->retry));
		break;
	case CEV_VERSION_DOWN:
		/* §7: Session IDs and serials are per version, so the lower
		 * version starts with a Reset Query; the data stays until it
		 * is replaced.  Reconnect at once. */
		s->version = s->ev_version;
		s->have_session = false;
		to = go_idle(s, now, 0);
		break;
	case CEV_TIMER_RETRY:
		if (st == RTRMOD_CLIENT_IDLE)
			to = go_connect(s, now);
		break;
	case CEV_SERIAL_NOTIFY:
		if (st == RTRMOD_CLIENT_QUERYING || st == RTRMOD_CLIENT_RECEIVING)
			s->notify_pending = true;
		/* fall through */
	case CEV_TIMER_REFRESH:
		if (st == RTRMOD_CLIENT_ESTABLISHED) {
			send_query(s, now);
			to = RTRMOD_CLIENT_QUERYING;
		}
		break;
	case CEV_TIMER_EXPIRE:
		purge(s, "expire interval passed without a successful update");
		break;
	case CEV_CACHE_RESPONSE:
		s->progress_at = now;
		to = RTRMOD_CLIENT_RECEIVING;
		break;
	case CEV_END_OF_DATA:
		to = RTRMOD_CLIENT_ESTABLISHED;
		if (s->notify_pending) {
			send_query(s, now);
			to = RTRMOD_CLIENT_QUERYING;
		}
		break;
	case CEV_CACHE_RESET:
		/* §5.9, §8.3: start over with a Reset Query; keep the data
		 * until the new set replaces it. */
		s->have_session = false;
		send_query(s, now);
		to = RTRMOD_CLIENT_QUERYING;
		break;
	case CEV_NO_DATA:
		/* §8.4: the cache has nothing yet; ask again after the retry
		 * interval on the same connection. */
		s->refresh_at = csess_after(now, s->retry);
		to = RTRMOD_CLIENT_ESTABLISHED;
		break;
	case CEV_COUNT:
		break;
	}
	set_state(s, to, ev, why);
}

void
csess_event(struct csess *s, enum csess_event ev, const char *why, uint64_t now)
{
	csess_fsm(s, ev, why, now);
}

/* ---- Error Reports --------------------------------------------------------- */

/*
 * Queue an Error Report and close after it is flushed.  The version is the
 * session's, our highest for "Unsupported Protocol Version" (§7); a code the
 * version lacks is mapped to one it has (8210bis §12), as the cache does.
 */
void
csess_send_error(struct csess *s, enum rtrmod_rtr_error code, const uint8_t *bad, size_t bad_len,
		 const char *why, uint64_t now)
{
	struct rtrmod_pdu e;
	uint8_t v = code == RTRMOD_RTR_UNSUPPORTED_VERSION ? s->version_max : s->version;

	if ((unsigned)code > max_error_code[v])
		code = code == RTRMOD_RTR_UNEXPECTED_VERSION ? RTRMOD_RTR_UNSUPPORTED_VERSION
							     : RTRMOD_RTR_INTERNAL_ERROR;
	if (bad_len > CSESS_ERR_PDU_MAX)
		bad_len = CSESS_ERR_PDU_MAX;
	memset(&e, 0, sizeof(e));
	e.version = v;
	e.type = RTRMOD_PDU_ERROR_REPORT;
	e.u.error.code = (uint16_t)code;
	e.u.error.pdu.ptr = bad;
	e.u.error.pdu.len = bad != NULL ? bad_len : 0;
	e.u.error.text.ptr = (const uint8_t *)why;
	e.u.error.text.len = strlen(why);
	log_warn(s->ctx, "rtr %s: sending v%u Error Report \"%s\": %s", s->name, v,
		 rtrmod_rtr_error_name(code), why);
	if (out_pdu(s, &e) != 0)
		log_err(s->ctx, "rtr %s: no room for an Error Report", s->name);
	s->reports_sent++;
	csess_note_error(s, RTRMOD_CLIENT_ERR_SENT, (int)code, "%s", why);
	csess_fsm(s, CEV_PROTOCOL_ERROR, why, now);
}

static void
on_error_report(struct csess *s, const struct rtrmod_pdu *pdu, uint64_t now)
{
	const struct rtrmod_pdu_error_report *e = &pdu->u.error;
	int tlen = e->text.len > CSESS_TEXT_MAX - 1 ? CSESS_TEXT_MAX - 1 : (int)e->text.len;
	const char *text = e->text.ptr != NULL ? (const char *)e->text.ptr : "";

	s->reports_received++;
	s->have_report = true;
	s->report.origin = RTRMOD_CLIENT_ERR_RECEIVED;
	s->report.code = e->code;
	snprintf(s->report.text, sizeof(s->report.text), "%.*s", tlen, text);
	s->last = s->report;
	log_warn(s->ctx, "rtr %s: received v%u Error Report \"%s\" (%u): %.*s", s->name,
		 pdu->version, rtrmod_rtr_error_name(e->code), (unsigned)e->code, tlen, text);
	if (e->code == RTRMOD_RTR_NO_DATA_AVAILABLE && s->state == RTRMOD_CLIENT_QUERYING &&
	    pdu->version == s->version) {
		s->negotiated = true;
		csess_fsm(s, CEV_NO_DATA, "the cache has no data yet", now);
		return;
	}
	if (e->code == RTRMOD_RTR_UNSUPPORTED_VERSION && !s->negotiated && s->version > 0) {
		/* §7: retry in the cache's version if it said one lower than
		 * ours, else one below ours. */
		s->ev_version = pdu->version < s->version ? pdu->version : s->version - 1;
		csess_fsm(s, CEV_VERSION_DOWN, "cache does not support our version", now);
		return;
	}
	if (e->code == RTRMOD_RTR_UNSUPPORTED_VERSION && !s->negotiated)
		s->version = s->version_max; /* no common version: start over */
	csess_fsm(s, CEV_ERROR_RECEIVED, "cache sent an Error Report", now);
}

/* The bytes of a decoded PDU for an Error Report (re-encoded; a PDU too big
 * for the buffer goes as its header). */
static size_t
pdu_raw(const struct rtrmod_pdu *pdu, uint8_t *buf, size_t cap)
{
	size_t w = 0;

	if (rtrmod_pdu_encode(pdu, buf, cap, &w) == 0)
		return w;
	memset(buf, 0, RTRMOD_PDU_HEADER_LEN);
	buf[0] = pdu->version;
	buf[1] = pdu->type;
	return RTRMOD_PDU_HEADER_LEN;
}

static void
on_notify(struct csess *s, const struct rtrmod_pdu *pdu, uint64_t now)
{
	if (s->have_session && pdu->u.serial.session_id != s->session_id) {
		log_info(s->ctx, "rtr %s: Serial Notify with Session ID %u, ours %u: full reset",
			 s->name, pdu->u.serial.session_id, s->session_id);
		s->have_session = false;
	} else if (s->have_session && pdu->u.serial.serial == s->serial) {
		log_debug(s->ctx, "rtr %s: Serial Notify for our serial %u", s->name, s->serial);
		return;
	}
	s->notify_serial = pdu->u.serial.serial;
	csess_fsm(s, CEV_SERIAL_NOTIFY, "cache has a new serial", now);
}

/* Which PDU types may arrive in which state (a router receives no
 * queries at all: Invalid Request, as the cache answers a stray type). */
static bool
in_context(const struct csess *s, uint8_t type)
{
	switch (type) {
	case RTRMOD_PDU_SERIAL_NOTIFY:
		return true;
	case RTRMOD_PDU_CACHE_RESPONSE:
		return s->state == RTRMOD_CLIENT_QUERYING;
	case RTRMOD_PDU_CACHE_RESET:
		return s->state == RTRMOD_CLIENT_QUERYING || s->state == RTRMOD_CLIENT_ESTABLISHED;
	default:
		return s->state == RTRMOD_CLIENT_RECEIVING;
	}
}

/* Semantic checks; End of Data timers are clamped later, not refused. */
static int
validate(const struct rtrmod_pdu *pdu, struct rtrmod_pdu_error *err)
{
	struct rtrmod_pdu copy;

	if (pdu->type != RTRMOD_PDU_END_OF_DATA)
		return rtrmod_pdu_validate(pdu, 0, err);
	copy = *pdu;
	copy.u.eod.refresh = CSESS_REFRESH_DEFAULT;
	copy.u.eod.retry = CSESS_RETRY_DEFAULT;
	copy.u.eod.expire = CSESS_EXPIRE_DEFAULT;
	return rtrmod_pdu_validate(&copy, 0, err);
}

static void
on_pdu(struct csess *s, const struct rtrmod_pdu *pdu, uint64_t now)
{
	uint8_t raw[CSESS_ERR_PDU_MAX];
	size_t raw_len;
	struct rtrmod_pdu_error err;

	s->progress_at = now;
	if (pdu->type == RTRMOD_PDU_ERROR_REPORT) {
		on_error_report(s, pdu, now);
		return;
	}
	raw_len = pdu_raw(pdu, raw, sizeof(raw));
	if (!s->negotiated && pdu->type == RTRMOD_PDU_SERIAL_NOTIFY) {
		log_debug(s->ctx, "rtr %s: Serial Notify during negotiation ignored (§7)", s->name);
		return;
	}
	if (!s->negotiated && pdu->version < s->version) {
		s->ev_version = pdu->version;
		csess_fsm(s, CEV_VERSION_DOWN, "cache answered in a lower version", now);
		return;
	}
	if (pdu->version != s->version) {
		csess_send_error(s, RTRMOD_RTR_UNEXPECTED_VERSION, raw, raw_len,
				 "PDU in another protocol version than the session's", now);
		return;
	}
	if (validate(pdu, &err) != 0) {
		csess_send_error(s, err.code, raw, raw_len, err.reason, now);
		return;
	}
	if (pdu->type == RTRMOD_PDU_SERIAL_QUERY || pdu->type == RTRMOD_PDU_RESET_QUERY) {
		csess_send_error(s, RTRMOD_RTR_INVALID_REQUEST, raw, raw_len,
				 "query PDU sent to a router", now);
		return;
	}
	if (!in_context(s, pdu->type)) {
		csess_send_error(s, RTRMOD_RTR_CORRUPT_DATA, raw, raw_len, "PDU out of context",
				 now);
		return;
	}
	if (pdu->type == RTRMOD_PDU_CACHE_RESPONSE || pdu->type == RTRMOD_PDU_CACHE_RESET)
		s->negotiated = true;
	switch (pdu->type) {
	case RTRMOD_PDU_SERIAL_NOTIFY:
		on_notify(s, pdu, now);
		break;
	case RTRMOD_PDU_CACHE_RESPONSE:
		xfer_cache_response(s, pdu, raw, raw_len, now);
		break;
	case RTRMOD_PDU_IPV4_PREFIX:
	case RTRMOD_PDU_IPV6_PREFIX:
		xfer_prefix(s, pdu, raw, raw_len, now);
		break;
	case RTRMOD_PDU_ROUTER_KEY:
		xfer_router_key(s, pdu, raw, raw_len, now);
		break;
	case RTRMOD_PDU_ASPA:
		xfer_aspa(s, pdu, raw, raw_len, now);
		break;
	case RTRMOD_PDU_END_OF_DATA:
		xfer_end_of_data(s, pdu, raw, raw_len, now);
		break;
	case RTRMOD_PDU_CACHE_RESET:
		csess_fsm(s, CEV_CACHE_RESET, "cache cannot answer our serial", now);
		break;
	}
}

/*
 * The stream refused the input (framing).  A broken Error Report is not
 * answered.  A version we do not know outranks the stream's code with
 * "Unsupported Protocol Version"; a known one other than the session's,
 * once negotiated, is "Unexpected Protocol Version" (§7, §12).
 */
static void
on_stream_error(struct csess *s, const struct rtrmod_pdu_error *err, uint64_t now)
{
	const uint8_t *p = err->pdu.ptr;
	size_t len = err->pdu.len;
	enum rtrmod_rtr_error code = err->code;

	if (p != NULL && len >= 2 && p[1] == RTRMOD_PDU_ERROR_REPORT) {
		s->reports_received++;
		csess_note_error(s, RTRMOD_CLIENT_ERR_RECEIVED, -1, "malformed Error Report: %s",
				 err->reason);
		log_warn(s->ctx, "rtr %s: received a malformed Error Report: %s", s->name,
			 err->reason);
		csess_fsm(s, CEV_ERROR_RECEIVED, "malformed Error Report", now);
		return;
	}
	if (p != NULL && len >= 1) {
		if (p[0] > RTRMOD_PDU_VERSION_MAX)
			code = RTRMOD_RTR_UNSUPPORTED_VERSION;
		else if (s->negotiated && p[0] != s->version)
			code = RTRMOD_RTR_UNEXPECTED_VERSION;
	}
	csess_send_error(s, code, p, len, err->reason, now);
}

static bool
reading(const struct csess *s)
{
	return s->state == RTRMOD_CLIENT_QUERYING || s->state == RTRMOD_CLIENT_RECEIVING ||
	       s->state == RTRMOD_CLIENT_ESTABLISHED;
}

static void
process(struct csess *s, uint64_t now)
{
	struct rtrmod_pdu_error err;
	struct rtrmod_pdu pdu;
	unsigned gen = s->conn_gen;
	int rc;

	/* Stop when the connection this input came on is over. */
	while (reading(s) && s->conn_gen == gen) {
		rc = rtrmod_pdu_stream_next(s->in, &pdu, &err);
		if (rc == RTRMOD_EAGAIN)
			return;
		if (rc == RTRMOD_EPDU)
			on_stream_error(s, &err, now);
		else if (rc != 0)
			csess_send_error(s, RTRMOD_RTR_INTERNAL_ERROR, NULL, 0, rtrmod_strerror(rc),
					 now);
		else
			on_pdu(s, &pdu, now);
	}
}

/* ---- bytes and time ------------------------------------------------------------ */

int
csess_read_space(struct csess *s, uint8_t **space, size_t *avail)
{
	if (s->in == NULL)
		return RTRMOD_ESTATE;
	return rtrmod_pdu_stream_reserve(s->in, CSESS_READ_CHUNK, space, avail);
}

void
csess_read_done(struct csess *s, size_t n, uint64_t now)
{
	rtrmod_pdu_stream_commit(s->in, n);
	if (n > 0)
		s->progress_at = now;
	process(s, now);
}

size_t
csess_out(const struct csess *s, const uint8_t **data)
{
	*data = s->out + s->out_off;
	return s->out_len - s->out_off;
}

void
csess_out_done(struct csess *s, size_t n, uint64_t now)
{
	s->out_off += n;
	if (n > 0 && s->state == RTRMOD_CLIENT_CLOSING)
		s->progress_at = now;
	if (s->out_off < s->out_len)
		return;
	s->out_off = s->out_len = 0;
	if (s->state == RTRMOD_CLIENT_CLOSING)
		csess_fsm(s, CEV_FLUSHED, "Error Report written", now);
}

uint64_t
csess_deadline(const struct csess *s)
{
	uint64_t due = s->set != NULL ? s->expire_at : UINT64_MAX, t = UINT64_MAX;

	switch (s->state) {
	case RTRMOD_CLIENT_IDLE:
		t = s->retry_at;
		break;
	case RTRMOD_CLIENT_ESTABLISHED:
		t = s->refresh_at;
		break;
	case RTRMOD_CLIENT_CONNECTING:
	case RTRMOD_CLIENT_QUERYING:
	case RTRMOD_CLIENT_RECEIVING:
	case RTRMOD_CLIENT_CLOSING:
		t = s->progress_at + s->timeout_ms;
		break;
	}
	return t < due ? t : due;
}

void
csess_tick(struct csess *s, uint64_t now)
{
	if (s->set != NULL && now >= s->expire_at)
		csess_fsm(s, CEV_TIMER_EXPIRE, "no successful update within the expire interval",
			  now);
	switch (s->state) {
	case RTRMOD_CLIENT_IDLE:
		if (now >= s->retry_at)
			csess_fsm(s, CEV_TIMER_RETRY, "retry interval passed", now);
		break;
	case RTRMOD_CLIENT_ESTABLISHED:
		if (now >= s->refresh_at)
			csess_fsm(s, CEV_TIMER_REFRESH, "refresh interval passed", now);
		break;
	case RTRMOD_CLIENT_CONNECTING:
	case RTRMOD_CLIENT_QUERYING:
	case RTRMOD_CLIENT_RECEIVING:
	case RTRMOD_CLIENT_CLOSING:
		if (now >= s->progress_at + s->timeout_ms) {
			csess_note_error(s, RTRMOD_CLIENT_ERR_TRANSPORT, -1,
					 "no progress for %u ms while %s", s->timeout_ms,
					 state_names[s->state]);
			csess_fsm(s, CEV_TIMEOUT, "no progress within the timeout", now);
		}
		break;
	}
}
