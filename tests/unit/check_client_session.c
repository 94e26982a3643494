/*
 * check_client_session.c: the router-side RTR state machine, driven with
 * bytes in and bytes out and a clock that is just a number: every
 * transition and timer, version fallback (RFC 8210 §7), the staged commit
 * at End of Data, and every Error Report a router sends or receives.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "client_internal.h"

/* ---- fixture ------------------------------------------------------------------ */

struct fx {
	struct rtrmod_ctx *ctx;
	struct csess s;
	uint64_t now;
	unsigned commits, states;
	size_t added, removed; /* VRPs in the last commit's change */
	bool last_purge;
	/* what the session sent, decoded */
	uint8_t out[4096];
	size_t out_len;
};

static struct fx T;

static void
log_quiet(void *arg, enum rtrmod_log_level level, const char *msg)
{
}

static void
on_commit(void *arg, struct csess *s, const struct rtrmod_delta *change)
{
	struct fx *f = arg;

	f->commits++;
	ck_assert_ptr_nonnull(change);
	(void)rtrmod_delta_vrps(change, true, &f->added);
	(void)rtrmod_delta_vrps(change, false, &f->removed);
	f->last_purge = s->set == NULL;
}

static void
on_state(void *arg, struct csess *s, enum rtrmod_client_state from)
{
	((struct fx *)arg)->states++;
}

static const struct csess_ops ops = {on_commit, on_state};

static void
setup(void)
{
	memset(&T, 0, sizeof(T));
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &T.ctx), 0);
	rtrmod_ctx_set_log(T.ctx, log_quiet, NULL, RTRMOD_LOG_DEBUG);
	ck_assert_int_eq(csess_init(&T.s, T.ctx, "test-cache", &ops, &T), 0);
	T.now = 10000;
}

static void
teardown(void)
{
	csess_fini(&T.s);
	rtrmod_ctx_free(T.ctx);
}

/* Take what the session wrote into T.out. */
static void
drain(void)
{
	const uint8_t *d;
	size_t n = csess_out(&T.s, &d);

	ck_assert_uint_le(T.out_len + n, sizeof(T.out));
	memcpy(T.out + T.out_len, d, n);
	T.out_len += n;
	csess_out_done(&T.s, n, T.now);
}

/* The i-th PDU of what was sent (and all of it consumed when last). */
static void
sent_pdu(size_t i, struct rtrmod_pdu *p)
{
	size_t off = 0, used;

	drain();
	for (;;) {
		ck_assert_int_eq(rtrmod_pdu_decode(T.out + off, T.out_len - off, p, &used, NULL),
				 0);
		if (i-- == 0)
			return;
		off += used;
	}
}

static size_t
sent_count(void)
{
	struct rtrmod_pdu p;
	size_t off = 0, used, n = 0;

	drain();
	while (off < T.out_len) {
		ck_assert_int_eq(rtrmod_pdu_decode(T.out + off, T.out_len - off, &p, &used, NULL),
				 0);
		off += used;
		n++;
	}
	return n;
}

static void
clear_sent(void)
{
	drain();
	T.out_len = 0;
}

static void
feed_bytes(const uint8_t *b, size_t n)
{
	uint8_t *space;
	size_t avail;

	ck_assert_int_eq(csess_read_space(&T.s, &space, &avail), 0);
	ck_assert_uint_ge(avail, n);
	memcpy(space, b, n);
	csess_read_done(&T.s, n, T.now);
}

static void
feed(const struct rtrmod_pdu *p)
{
	uint8_t b[512];
	size_t w;

	ck_assert_int_eq(rtrmod_pdu_encode(p, b, sizeof(b), &w), 0);
	feed_bytes(b, w);
}

static void
feed_simple(uint8_t v, uint8_t type, uint16_t sid)
{
	struct rtrmod_pdu p = {.version = v, .type = type};

	p.u.cache_response.session_id = sid;
	feed(&p);
}

static void
feed_v4(uint8_t v, bool announce, uint8_t a, uint8_t len, uint32_t asn)
{
	struct rtrmod_pdu p = {.version = v, .type = RTRMOD_PDU_IPV4_PREFIX};

	p.u.prefix.flags = announce ? RTRMOD_PDU_FLAG_ANNOUNCE : 0;
	p.u.prefix.prefix_len = len;
	p.u.prefix.max_len = len;
	p.u.prefix.asn = asn;
	p.u.prefix.addr[0] = a;
	feed(&p);
}

static void
feed_eod(uint8_t v, uint16_t sid, uint32_t serial, uint32_t refresh, uint32_t retry,
	 uint32_t expire)
{
	struct rtrmod_pdu p = {.version = v, .type = RTRMOD_PDU_END_OF_DATA};

	p.u.eod.session_id = sid;
	p.u.eod.serial = serial;
	p.u.eod.refresh = refresh;
	p.u.eod.retry = retry;
	p.u.eod.expire = expire;
	feed(&p);
}

static void
feed_notify(uint8_t v, uint16_t sid, uint32_t serial)
{
	struct rtrmod_pdu p = {.version = v, .type = RTRMOD_PDU_SERIAL_NOTIFY};

	p.u.serial.session_id = sid;
	p.u.serial.serial = serial;
	feed(&p);
}

static void
feed_error(uint8_t v, uint16_t code, const char *text)
{
	struct rtrmod_pdu p = {.version = v, .type = RTRMOD_PDU_ERROR_REPORT};

	p.u.error.code = code;
	p.u.error.text.ptr = (const uint8_t *)text;
	p.u.error.text.len = strlen(text);
	feed(&p);
}

static void
ev(enum csess_event e)
{
	csess_event(&T.s, e, "test", T.now);
}

static void
advance(uint64_t ms)
{
	T.now += ms;
	csess_tick(&T.s, T.now);
}

static size_t
vrps_held(void)
{
	size_t n = 0;

	if (T.s.set != NULL)
		(void)rtrmod_set_vrps(T.s.set, &n);
	return n;
}

/* Start, connect, and check the first query. */
static void
connect_expect(uint8_t type, uint8_t version)
{
	struct rtrmod_pdu q;

	if (T.s.state == RTRMOD_CLIENT_STOPPED)
		ev(CEV_START);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_CONNECTING);
	ev(CEV_CONNECTED);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_QUERYING);
	sent_pdu(0, &q);
	ck_assert_int_eq(q.type, type);
	ck_assert_int_eq(q.version, version);
	clear_sent();
}

/* A v2 session synced to serial 1 of session 77 with 10/8, 11/8, 12/8. */
static void
synced(void)
{
	connect_expect(RTRMOD_PDU_RESET_QUERY, 2);
	feed_simple(2, RTRMOD_PDU_CACHE_RESPONSE, 77);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_RECEIVING);
	feed_v4(2, true, 10, 8, 65001);
	feed_v4(2, true, 11, 8, 65002);
	feed_v4(2, true, 12, 8, 65003);
	ck_assert_uint_eq(T.commits, 0);
	feed_eod(2, 77, 1, 100, 20, 1000);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_ESTABLISHED);
	ck_assert_uint_eq(T.commits, 1);
	ck_assert_uint_eq(T.added, 3);
}

/* The one Error Report sent: its code, and the session is closing. */
static void
expect_error_sent(uint16_t code)
{
	struct rtrmod_pdu e;

	sent_pdu(sent_count() - 1, &e);
	ck_assert_int_eq(e.type, RTRMOD_PDU_ERROR_REPORT);
	ck_assert_uint_eq(e.u.error.code, code);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_IDLE); /* flushed by drain() */
	ck_assert_int_eq(T.s.last.origin, RTRMOD_CLIENT_ERR_SENT);
	ck_assert_int_eq(T.s.last.code, code);
}

/* ---- sync, refresh, notify ----------------------------------------------------------- */

START_TEST(test_full_sync)
{
	synced();
	ck_assert(T.s.have_session);
	ck_assert_uint_eq(T.s.session_id, 77);
	ck_assert_uint_eq(T.s.serial, 1);
	ck_assert_uint_eq(vrps_held(), 3);
	/* v1+ End of Data timers are taken (RFC 8210 §5.8, §6). */
	ck_assert_uint_eq(T.s.refresh, 100);
	ck_assert_uint_eq(T.s.retry, 20);
	ck_assert_uint_eq(T.s.expire, 1000);
	ck_assert_uint_eq(csess_deadline(&T.s), T.now + 100000);
	ck_assert(T.s.negotiated);
}
END_TEST

START_TEST(test_refresh_serial_query_incremental)
{
	struct rtrmod_pdu q;

	synced();
	advance(99999);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_ESTABLISHED);
	advance(1);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_QUERYING);
	sent_pdu(0, &q);
	ck_assert_int_eq(q.type, RTRMOD_PDU_SERIAL_QUERY);
	ck_assert_uint_eq(q.u.serial.session_id, 77);
	ck_assert_uint_eq(q.u.serial.serial, 1);
	feed_simple(2, RTRMOD_PDU_CACHE_RESPONSE, 77);
	feed_v4(2, false, 11, 8, 65002);
	feed_v4(2, true, 13, 8, 65004);
	ck_assert_uint_eq(vrps_held(), 3); /* staged only */
	feed_eod(2, 77, 2, 100, 20, 1000);
	ck_assert_uint_eq(T.commits, 2);
	ck_assert_uint_eq(T.added, 1);
	ck_assert_uint_eq(T.removed, 1);
	ck_assert_uint_eq(T.s.serial, 2);
	ck_assert_uint_eq(vrps_held(), 3);
}
END_TEST

START_TEST(test_notify_queries_at_once)
{
	struct rtrmod_pdu q;

	synced();
	feed_notify(2, 77, 1); /* our own serial: nothing to do */
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_ESTABLISHED);
	feed_notify(2, 77, 2);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_QUERYING);
	sent_pdu(0, &q);
	ck_assert_int_eq(q.type, RTRMOD_PDU_SERIAL_QUERY);
	/* A notify during the transfer queries again after End of Data. */
	clear_sent();
	feed_simple(2, RTRMOD_PDU_CACHE_RESPONSE, 77);
	feed_notify(2, 77, 3);
	feed_eod(2, 77, 2, 100, 20, 1000);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_QUERYING);
	sent_pdu(0, &q);
	ck_assert_uint_eq(q.u.serial.serial, 2);
}
END_TEST

START_TEST(test_notify_other_session_resets)
{
	struct rtrmod_pdu q;

	synced();
	feed_notify(2, 78, 5);
	sent_pdu(0, &q);
	ck_assert_int_eq(q.type, RTRMOD_PDU_RESET_QUERY);
}
END_TEST

START_TEST(test_notify_ignored_while_negotiating)
{
	ev(CEV_START);
	ev(CEV_CONNECTED);
	clear_sent();
	feed_notify(1, 5, 5);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_QUERYING);
	ck_assert_uint_eq(sent_count(), 0);
	ck_assert_uint_eq(T.s.version, 2);
}
END_TEST

/* ---- staged commit, failures, retry, expire -------------------------------------------- */

START_TEST(test_break_mid_transfer_commits_nothing)
{
	struct rtrmod_pdu q;

	synced();
	feed_notify(2, 77, 2);
	clear_sent();
	feed_simple(2, RTRMOD_PDU_CACHE_RESPONSE, 77);
	feed_v4(2, false, 10, 8, 65001);
	feed_v4(2, false, 11, 8, 65002);
	ev(CEV_CLOSED);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_IDLE);
	ck_assert_uint_eq(T.commits, 1);
	ck_assert_uint_eq(vrps_held(), 3);
	ck_assert_ptr_null(T.s.staged);
	/* Retry after the retry interval, with a Serial Query. */
	ck_assert_uint_eq(csess_deadline(&T.s), T.now + 20000);
	advance(19999);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_IDLE);
	advance(1);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_CONNECTING);
	ev(CEV_CONNECTED);
	sent_pdu(0, &q);
	ck_assert_int_eq(q.type, RTRMOD_PDU_SERIAL_QUERY);
	ck_assert_uint_eq(q.u.serial.serial, 1);
}
END_TEST

START_TEST(test_connect_failure_retries)
{
	ev(CEV_START);
	ev(CEV_CONN_FAILED);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_IDLE);
	/* Before any End of Data the configured retry (600 s) applies. */
	ck_assert_uint_eq(csess_deadline(&T.s), T.now + 600000);
	advance(600000);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_CONNECTING);
}
END_TEST

START_TEST(test_expire_purges)
{
	struct rtrmod_pdu q;

	synced();
	ev(CEV_CLOSED);
	/* Keep failing to reconnect until the expire interval passes. */
	for (int i = 0; i < 60 && T.s.set != NULL; i++) {
		advance(20000);
		if (T.s.state == RTRMOD_CLIENT_CONNECTING)
			ev(CEV_CONN_FAILED);
	}
	ck_assert_ptr_null(T.s.set);
	ck_assert_uint_eq(T.commits, 2);
	ck_assert(T.last_purge);
	ck_assert_uint_eq(T.removed, 3);
	ck_assert(!T.s.have_session);
	/* The next connection starts over with a Reset Query. */
	while (T.s.state != RTRMOD_CLIENT_CONNECTING)
		advance(1000);
	ev(CEV_CONNECTED);
	sent_pdu(0, &q);
	ck_assert_int_eq(q.type, RTRMOD_PDU_RESET_QUERY);
}
END_TEST

START_TEST(test_expire_timer_restarts_at_each_update)
{
	synced();
	for (int i = 0; i < 20; i++) {
		advance(100000);
		ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_QUERYING);
		feed_simple(2, RTRMOD_PDU_CACHE_RESPONSE, 77);
		feed_eod(2, 77, 1, 100, 20, 1000);
	}
	ck_assert_ptr_nonnull(T.s.set);
}
END_TEST

START_TEST(test_timeout_without_response)
{
	ev(CEV_START);
	ev(CEV_CONNECTED);
	advance(CSESS_TIMEOUT_DEFAULT - 1);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_QUERYING);
	advance(1);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_IDLE);
	ck_assert_int_eq(T.s.last.origin, RTRMOD_CLIENT_ERR_TRANSPORT);
}
END_TEST

START_TEST(test_stop_purges)
{
	synced();
	ev(CEV_STOP);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_STOPPED);
	ck_assert_ptr_null(T.s.set);
	ck_assert_uint_eq(T.removed, 3);
	ck_assert_uint_eq(csess_deadline(&T.s), UINT64_MAX);
}
END_TEST

/* ---- Cache Reset, Session IDs ------------------------------------------------------------ */

START_TEST(test_cache_reset_keeps_data_until_replaced)
{
	struct rtrmod_pdu q;

	synced();
	feed_notify(2, 77, 2);
	clear_sent();
	feed_simple(2, RTRMOD_PDU_CACHE_RESET, 0);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_QUERYING);
	sent_pdu(0, &q);
	ck_assert_int_eq(q.type, RTRMOD_PDU_RESET_QUERY);
	ck_assert_uint_eq(vrps_held(), 3);
	feed_simple(2, RTRMOD_PDU_CACHE_RESPONSE, 90);
	feed_v4(2, true, 10, 8, 65001);
	feed_v4(2, true, 20, 8, 65009);
	feed_eod(2, 90, 1, 100, 20, 1000);
	ck_assert_uint_eq(T.commits, 2);
	ck_assert_uint_eq(T.added, 1);   /* 20/8 */
	ck_assert_uint_eq(T.removed, 2); /* 11/8, 12/8 */
	ck_assert_uint_eq(T.s.session_id, 90);
}
END_TEST

START_TEST(test_session_id_change_full_reset)
{
	struct rtrmod_pdu q;

	synced();
	feed_notify(2, 77, 2);
	clear_sent();
	feed_simple(2, RTRMOD_PDU_CACHE_RESPONSE, 99);
	expect_error_sent(RTRMOD_RTR_CORRUPT_DATA);
	ck_assert_uint_eq(vrps_held(), 3); /* kept until replaced */
	clear_sent();
	advance(20000);
	ev(CEV_CONNECTED);
	sent_pdu(0, &q);
	ck_assert_int_eq(q.type, RTRMOD_PDU_RESET_QUERY);
}
END_TEST

START_TEST(test_eod_session_mismatch)
{
	ev(CEV_START);
	ev(CEV_CONNECTED);
	clear_sent();
	feed_simple(2, RTRMOD_PDU_CACHE_RESPONSE, 5);
	feed_eod(2, 6, 1, 100, 20, 1000);
	expect_error_sent(RTRMOD_RTR_CORRUPT_DATA);
	ck_assert_uint_eq(T.commits, 0);
}
END_TEST

/* ---- records: duplicates, unknown withdrawals, keys, ASPA ------------------------------------ */

START_TEST(test_duplicate_announcement)
{
	struct rtrmod_pdu e, inner;
	size_t used;

	synced();
	feed_notify(2, 77, 2);
	clear_sent();
	feed_simple(2, RTRMOD_PDU_CACHE_RESPONSE, 77);
	feed_v4(2, true, 10, 8, 65001);
	sent_pdu(0, &e);
	expect_error_sent(RTRMOD_RTR_DUPLICATE_ANNOUNCEMENT);
	/* The offending PDU travels in the report. */
	ck_assert_int_eq(
	    rtrmod_pdu_decode(e.u.error.pdu.ptr, e.u.error.pdu.len, &inner, &used, NULL), 0);
	ck_assert_int_eq(inner.type, RTRMOD_PDU_IPV4_PREFIX);
	ck_assert_uint_eq(inner.u.prefix.addr[0], 10);
	ck_assert_uint_eq(T.commits, 1);
	ck_assert(!T.s.have_session); /* the next connection resets */
}
END_TEST

START_TEST(test_duplicate_inside_one_response)
{
	ev(CEV_START);
	ev(CEV_CONNECTED);
	clear_sent();
	feed_simple(2, RTRMOD_PDU_CACHE_RESPONSE, 5);
	feed_v4(2, true, 10, 8, 65001);
	feed_v4(2, true, 10, 8, 65001);
	feed_eod(2, 5, 1, 100, 20, 1000);
	expect_error_sent(RTRMOD_RTR_DUPLICATE_ANNOUNCEMENT);
	ck_assert_uint_eq(T.commits, 0);
	ck_assert_ptr_null(T.s.set);
}
END_TEST

START_TEST(test_withdrawal_of_unknown)
{
	synced();
	feed_notify(2, 77, 2);
	clear_sent();
	feed_simple(2, RTRMOD_PDU_CACHE_RESPONSE, 77);
	feed_v4(2, false, 99, 8, 65001);
	expect_error_sent(RTRMOD_RTR_WITHDRAWAL_OF_UNKNOWN);
	ck_assert_uint_eq(vrps_held(), 3);
}
END_TEST

START_TEST(test_router_key_and_aspa)
{
	struct rtrmod_pdu p = {.version = 2, .type = RTRMOD_PDU_ROUTER_KEY};
	uint32_t prov[2] = {1, 2};
	size_t nk, na;

	ev(CEV_START);
	ev(CEV_CONNECTED);
	feed_simple(2, RTRMOD_PDU_CACHE_RESPONSE, 5);
	p.u.router_key.flags = RTRMOD_PDU_FLAG_ANNOUNCE;
	memset(p.u.router_key.ski, 7, 20);
	p.u.router_key.asn = 65001;
	p.u.router_key.spki.ptr = (const uint8_t *)"spki";
	p.u.router_key.spki.len = 4;
	feed(&p);
	memset(&p, 0, sizeof(p));
	p.version = 2;
	p.type = RTRMOD_PDU_ASPA;
	p.u.aspa.flags = RTRMOD_PDU_FLAG_ANNOUNCE;
	p.u.aspa.customer_asn = 64500;
	p.u.aspa.provider_count = 2;
	p.u.aspa.providers = prov;
	feed(&p);
	feed_eod(2, 5, 1, 100, 20, 1000);
	(void)rtrmod_set_router_keys(T.s.set, &nk);
	(void)rtrmod_set_aspas(T.s.set, &na);
	ck_assert_uint_eq(nk, 1);
	ck_assert_uint_eq(na, 1);
	/* Withdraw the ASPA; withdrawing an unknown customer is code 6. */
	feed_notify(2, 5, 2);
	feed_simple(2, RTRMOD_PDU_CACHE_RESPONSE, 5);
	p.u.aspa.flags = 0;
	p.u.aspa.provider_count = 0;
	feed(&p);
	feed_eod(2, 5, 2, 100, 20, 1000);
	(void)rtrmod_set_aspas(T.s.set, &na);
	ck_assert_uint_eq(na, 0);
	clear_sent();
	feed_notify(2, 5, 3);
	feed_simple(2, RTRMOD_PDU_CACHE_RESPONSE, 5);
	feed(&p);
	expect_error_sent(RTRMOD_RTR_WITHDRAWAL_OF_UNKNOWN);
}
END_TEST

START_TEST(test_initial_serial_lenient)
{
	T.s.have_session = true;
	T.s.lenient = true;
	T.s.session_id = 9;
	T.s.serial = 4;
	connect_expect(RTRMOD_PDU_SERIAL_QUERY, 2);
	feed_simple(2, RTRMOD_PDU_CACHE_RESPONSE, 9);
	feed_v4(2, false, 99, 8, 65001); /* unknown: skipped, not an error */
	feed_v4(2, true, 10, 8, 65001);
	feed_eod(2, 9, 5, 100, 20, 1000);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_ESTABLISHED);
	ck_assert_uint_eq(vrps_held(), 1);
	ck_assert(!T.s.lenient); /* once only */
	ck_assert_uint_eq(sent_count(), 0);
}
END_TEST

/* ---- malformed input and protocol errors -------------------------------------------------------
 */

START_TEST(test_malformed_length)
{
	/* An IPv4 Prefix PDU claiming 24 bytes: Corrupt Data from the codec. */
	uint8_t bad[24] = {2, 4, 0, 0, 0, 0, 0, 24};

	synced();
	feed_notify(2, 77, 2);
	feed_simple(2, RTRMOD_PDU_CACHE_RESPONSE, 77);
	clear_sent();
	feed_bytes(bad, sizeof(bad));
	expect_error_sent(RTRMOD_RTR_CORRUPT_DATA);
	ck_assert_uint_eq(vrps_held(), 3);
}
END_TEST

START_TEST(test_unknown_pdu_type)
{
	uint8_t bad[8] = {2, 5, 0, 0, 0, 0, 0, 8};

	synced();
	clear_sent();
	feed_bytes(bad, sizeof(bad));
	expect_error_sent(RTRMOD_RTR_UNSUPPORTED_PDU_TYPE);
}
END_TEST

START_TEST(test_query_pdu_is_invalid_request)
{
	synced();
	clear_sent();
	feed_simple(2, RTRMOD_PDU_RESET_QUERY, 0);
	expect_error_sent(RTRMOD_RTR_INVALID_REQUEST);
}
END_TEST

START_TEST(test_pdu_out_of_context)
{
	synced();
	clear_sent();
	feed_v4(2, true, 50, 8, 65001);
	expect_error_sent(RTRMOD_RTR_CORRUPT_DATA);
}
END_TEST

START_TEST(test_unexpected_version_after_negotiation)
{
	synced();
	clear_sent();
	feed_notify(1, 77, 2);
	expect_error_sent(RTRMOD_RTR_UNEXPECTED_VERSION);
}
END_TEST

START_TEST(test_error_report_received)
{
	const char *text;
	int code;

	synced();
	clear_sent();
	feed_error(2, RTRMOD_RTR_INTERNAL_ERROR, "cache is sad");
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_IDLE);
	ck_assert_uint_eq(sent_count(), 0); /* never answered (§5.11) */
	ck_assert(T.s.have_report);
	ck_assert_int_eq(T.s.report.code, RTRMOD_RTR_INTERNAL_ERROR);
	ck_assert_str_eq(T.s.report.text, "cache is sad");
	ck_assert_int_eq(T.s.last.origin, RTRMOD_CLIENT_ERR_RECEIVED);
	ck_assert_uint_eq(T.s.reports_received, 1);
	code = T.s.last.code;
	text = T.s.last.text;
	ck_assert_int_eq(code, 1);
	ck_assert_str_eq(text, "cache is sad");
	ck_assert_uint_eq(vrps_held(), 3);
}
END_TEST

START_TEST(test_no_data_available)
{
	struct rtrmod_pdu q;

	ev(CEV_START);
	ev(CEV_CONNECTED);
	clear_sent();
	feed_error(2, RTRMOD_RTR_NO_DATA_AVAILABLE, "no data yet");
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_ESTABLISHED);
	ck_assert_uint_eq(csess_deadline(&T.s), T.now + 600000);
	advance(600000);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_QUERYING);
	sent_pdu(0, &q);
	ck_assert_int_eq(q.type, RTRMOD_PDU_RESET_QUERY);
}
END_TEST

/* ---- version negotiation (RFC 8210 §7) ------------------------------------------------------ */

START_TEST(test_fallback_on_unsupported_version)
{
	ev(CEV_START);
	ev(CEV_CONNECTED);
	clear_sent();
	feed_error(1, RTRMOD_RTR_UNSUPPORTED_VERSION, "v1 only");
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_IDLE);
	ck_assert_uint_eq(T.s.version, 1);
	ck_assert_uint_eq(csess_deadline(&T.s), T.now); /* reconnect at once */
	advance(0);
	connect_expect(RTRMOD_PDU_RESET_QUERY, 1);
	feed_simple(1, RTRMOD_PDU_CACHE_RESPONSE, 3);
	feed_eod(1, 3, 1, 100, 20, 1000);
	ck_assert(T.s.negotiated);
	/* The version is remembered across reconnects. */
	ev(CEV_CLOSED);
	advance(20000);
	connect_expect(RTRMOD_PDU_SERIAL_QUERY, 1);
}
END_TEST

START_TEST(test_fallback_on_lower_version_answer)
{
	ev(CEV_START);
	ev(CEV_CONNECTED);
	clear_sent();
	feed_simple(0, RTRMOD_PDU_CACHE_RESPONSE, 3);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_IDLE);
	ck_assert_uint_eq(T.s.version, 0);
	advance(0);
	connect_expect(RTRMOD_PDU_RESET_QUERY, 0);
	feed_simple(0, RTRMOD_PDU_CACHE_RESPONSE, 3);
	feed_v4(0, true, 10, 8, 65001);
	feed_eod(0, 3, 1, 0, 0, 0);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_ESTABLISHED);
	/* v0 End of Data has no timers: the configured ones apply. */
	ck_assert_uint_eq(T.s.refresh, CSESS_REFRESH_DEFAULT);
	ck_assert_uint_eq(T.s.expire, CSESS_EXPIRE_DEFAULT);
}
END_TEST

START_TEST(test_no_common_version)
{
	T.s.version_max = T.s.version = 0;
	ev(CEV_START);
	ev(CEV_CONNECTED);
	feed_error(0, RTRMOD_RTR_UNSUPPORTED_VERSION, "nope");
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_IDLE);
	ck_assert_uint_eq(csess_deadline(&T.s), T.now + 600000);
}
END_TEST

START_TEST(test_higher_version_answer_refused)
{
	T.s.version_max = T.s.version = 1;
	ev(CEV_START);
	ev(CEV_CONNECTED);
	clear_sent();
	feed_simple(2, RTRMOD_PDU_CACHE_RESPONSE, 3);
	expect_error_sent(RTRMOD_RTR_UNEXPECTED_VERSION);
}
END_TEST

/* ---- timers from End of Data (RFC 8210 §6) ------------------------------------------------- */

START_TEST(test_eod_timers_clamped)
{
	ev(CEV_START);
	ev(CEV_CONNECTED);
	feed_simple(2, RTRMOD_PDU_CACHE_RESPONSE, 5);
	feed_eod(2, 5, 1, 0, 100000, 10);
	ck_assert_int_eq(T.s.state, RTRMOD_CLIENT_ESTABLISHED);
	ck_assert_uint_eq(T.s.refresh, CSESS_REFRESH_MIN);
	ck_assert_uint_eq(T.s.retry, CSESS_RETRY_MAX);
	ck_assert_uint_eq(T.s.expire, CSESS_RETRY_MAX + 1); /* above both */
	ck_assert_uint_eq(T.commits, 1);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("client_session");
	TCase *tc = tcase_create("fsm");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_full_sync);
	tcase_add_test(tc, test_refresh_serial_query_incremental);
	tcase_add_test(tc, test_notify_queries_at_once);
	tcase_add_test(tc, test_notify_other_session_resets);
	tcase_add_test(tc, test_notify_ignored_while_negotiating);
	tcase_add_test(tc, test_break_mid_transfer_commits_nothing);
	tcase_add_test(tc, test_connect_failure_retries);
	tcase_add_test(tc, test_expire_purges);
	tcase_add_test(tc, test_expire_timer_restarts_at_each_update);
	tcase_add_test(tc, test_timeout_without_response);
	tcase_add_test(tc, test_stop_purges);
	tcase_add_test(tc, test_cache_reset_keeps_data_until_replaced);
	tcase_add_test(tc, test_session_id_change_full_reset);
	tcase_add_test(tc, test_eod_session_mismatch);
	tcase_add_test(tc, test_duplicate_announcement);
	tcase_add_test(tc, test_duplicate_inside_one_response);
	tcase_add_test(tc, test_withdrawal_of_unknown);
	tcase_add_test(tc, test_router_key_and_aspa);
	tcase_add_test(tc, test_initial_serial_lenient);
	tcase_add_test(tc, test_malformed_length);
	tcase_add_test(tc, test_unknown_pdu_type);
	tcase_add_test(tc, test_query_pdu_is_invalid_request);
	tcase_add_test(tc, test_pdu_out_of_context);
	tcase_add_test(tc, test_unexpected_version_after_negotiation);
	tcase_add_test(tc, test_error_report_received);
	tcase_add_test(tc, test_no_data_available);
	tcase_add_test(tc, test_fallback_on_unsupported_version);
	tcase_add_test(tc, test_fallback_on_lower_version_answer);
	tcase_add_test(tc, test_no_common_version);
	tcase_add_test(tc, test_higher_version_answer_refused);
	tcase_add_test(tc, test_eod_timers_clamped);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
