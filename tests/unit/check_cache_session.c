/*
 * check_cache_session.c: the cache's per-router state machine, driven with
 * bytes in and bytes out and a clock that is just a number: every state
 * transition, version negotiation (RFC 8210 §7), every Error Report case a
 * cache meets (§12), v0/v1 filtering, Serial Notify, and the timeouts.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cache_fixture.h"
#include "cache_internal.h"
#include "check_main.h"
#include "rtr_router.h"

static const char *const set1_lines[] = {
    "10.0.0.0/8 8 AS65001",   "10.1.0.0/16 24 AS65002",
    "10.1.2.0/24 24 AS65003", "2001:db8::/32 48 AS65001",
    "key 1 AS65001 spkione",  "aspa AS64500 AS1 AS2",
    "aspa AS64501 AS0",       NULL,
};
static const char *const set2_lines[] = {
    "10.0.0.0/8 8 AS65001",       "10.1.0.0/16 24 AS65009",
    "10.1.2.0/24 24 AS65003",     "192.0.2.0/24 24 AS65004",
    "2001:db8:1::/48 48 AS65001", "key 2 AS65002 spkitwo",
    "aspa AS64500 AS1 AS3",       NULL,
};

struct fixture {
	struct rtrmod_ctx *ctx;
	struct rtrmod_cache *cache;
	struct rtrmod_set *set1, *set2;
	struct cache_session s;
	struct rtr_router r;
	uint64_t now;
};

static void
log_quiet(void *arg, enum rtrmod_log_level level, const char *msg)
{
}

static void
setup(struct fixture *f, uint8_t version, bool with_data)
{
	memset(f, 0, sizeof(*f));
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &f->ctx), 0);
	rtrmod_ctx_set_log(f->ctx, log_quiet, NULL, RTRMOD_LOG_DEBUG);
	ck_assert_int_eq(rtrmod_cache_new(f->ctx, &f->cache), 0);
	f->set1 = fx_set(f->ctx, set1_lines);
	f->set2 = fx_set(f->ctx, set2_lines);
	if (with_data)
		ck_assert_int_eq(rtrmod_cache_update(f->cache, f->set1), 0);
	f->now = 5000;
	ck_assert_int_eq(session_init(&f->s, f->cache, "test-peer", f->now), 0);
	rtr_router_init(&f->r, version);
	f->r.check_order = true;
}

static void
teardown(struct fixture *f)
{
	session_fini(&f->s);
	rtr_router_fini(&f->r);
	rtrmod_set_unref(f->set1);
	rtrmod_set_unref(f->set2);
	rtrmod_cache_free(f->cache);
	rtrmod_ctx_free(f->ctx);
}

static void
feed(struct fixture *f, const void *data, size_t len)
{
	uint8_t *space;
	size_t avail;

	ck_assert_int_eq(session_read_space(&f->s, &space, &avail), 0);
	ck_assert_uint_ge(avail, len);
	memcpy(space, data, len);
	session_read_done(&f->s, len, f->now);
}

/* Write out everything queued (as a transport would), hand it to the model
 * router, and let the session take buffered input, as cache_conn.c does. */
static size_t
drain(struct fixture *f)
{
	struct iovec iov[SESSION_OUTQ];
	uint8_t *all = NULL;
	size_t len = 0, used;
	int n, i;

	while (f->s.qlen > 0) {
		n = session_out_iov(&f->s, iov, SESSION_OUTQ);
		for (i = 0; i < n; i++) {
			all = realloc(all, len + iov[i].iov_len);
			memcpy(all + len, iov[i].iov_base, iov[i].iov_len);
			len += iov[i].iov_len;
			session_out_done(&f->s, iov[i].iov_len, f->now);
		}
	}
	used = rtr_router_apply(&f->r, all, len);
	ck_assert_uint_eq(used, len);
	free(all);
	session_process(&f->s, f->now);
	return len;
}

static void
reset_query(struct fixture *f, uint8_t version)
{
	uint8_t q[12];

	feed(f, q, rtr_query_reset(q, version));
}

static void
serial_query(struct fixture *f, uint8_t version, uint16_t sid, uint32_t serial)
{
	uint8_t q[12];

	feed(f, q, rtr_query_serial(q, version, sid, serial));
}

static void
assert_error(struct fixture *f, uint16_t code, uint8_t version, bool fatal)
{
	drain(f);
	ck_assert_msg(f->r.error, "no Error Report");
	ck_assert_uint_eq(f->r.error_code, code);
	ck_assert_uint_eq(f->r.error_version, version);
	if (fatal) {
		ck_assert_int_eq(f->s.state, RTRMOD_CACHE_SESSION_CLOSED);
		ck_assert(f->s.linger); /* the conn layer flushes, shuts down, lingers */
	} else {
		ck_assert_int_ne(f->s.state, RTRMOD_CACHE_SESSION_CLOSED);
	}
}

/* ---- responses ------------------------------------------------------------------ */

START_TEST(test_reset_query_v1)
{
	struct fixture f;
	size_t len;

	setup(&f, 1, true);
	ck_assert_int_eq(f.s.state, RTRMOD_CACHE_SESSION_NEGOTIATING);
	ck_assert(session_wants_read(&f.s));
	reset_query(&f, 1);
	ck_assert_int_eq(f.s.state, RTRMOD_CACHE_SESSION_SENDING);
	ck_assert_int_eq(f.s.version, 1);
	ck_assert(!session_wants_read(&f.s));
	len = drain(&f);
	ck_assert_int_eq(f.s.state, RTRMOD_CACHE_SESSION_ESTABLISHED);
	ck_assert_msg(f.r.problem[0] == '\0', "%s", f.r.problem);
	ck_assert(f.r.eod);
	ck_assert_uint_eq(f.r.session_id, rtrmod_cache_session_id(f.cache, 1));
	ck_assert_uint_eq(f.r.serial, 0);
	ck_assert_msg(rtr_router_matches(&f.r, f.set1), "%s", f.r.problem);
	/* CR 8 + 3 v4 + 1 v6 + key (32 + 7) + EOD 24, and no ASPA in v1 */
	ck_assert_uint_eq(len, 8 + 3 * 20 + 32 + 39 + 24);
	ck_assert(f.s.have_serial);
	teardown(&f);
}
END_TEST

START_TEST(test_version_filtering)
{
	struct fixture f;
	size_t len;

	setup(&f, 0, true);
	reset_query(&f, 0);
	len = drain(&f);
	ck_assert_msg(f.r.problem[0] == '\0', "%s", f.r.problem);
	ck_assert_uint_eq(f.r.nkeys, 0);
	ck_assert_uint_eq(f.r.naspas, 0);
	ck_assert_msg(rtr_router_matches(&f.r, f.set1), "%s", f.r.problem);
	ck_assert_uint_eq(len, 8 + 3 * 20 + 32 + 12); /* v0 End of Data: 12 bytes */
	teardown(&f);

	setup(&f, 2, true);
	reset_query(&f, 2);
	len = drain(&f);
	ck_assert_msg(f.r.problem[0] == '\0', "%s", f.r.problem);
	ck_assert_uint_eq(f.r.nkeys, 1);
	ck_assert_uint_eq(f.r.naspas, 2);
	ck_assert_msg(rtr_router_matches(&f.r, f.set1), "%s", f.r.problem);
	ck_assert_uint_eq(len, 8 + 3 * 20 + 32 + 39 + (12 + 8) + (12 + 4) + 24);
	teardown(&f);
}
END_TEST

START_TEST(test_serial_query_paths)
{
	struct fixture f;
	uint16_t sid;

	setup(&f, 2, true);
	sid = rtrmod_cache_session_id(f.cache, 2);
	/* RFC 8210 §7: Session IDs are per version */
	ck_assert_uint_ne(sid, rtrmod_cache_session_id(f.cache, 1));
	ck_assert_uint_ne(sid, rtrmod_cache_session_id(f.cache, 0));
	ck_assert_uint_ne(rtrmod_cache_session_id(f.cache, 0), rtrmod_cache_session_id(f.cache, 1));
	reset_query(&f, 2);
	drain(&f);
	ck_assert_int_eq(rtrmod_cache_update(f.cache, f.set2), 0);
	/* the delta from serial 0 */
	serial_query(&f, 2, sid, 0);
	ck_assert_int_eq(f.s.state, RTRMOD_CACHE_SESSION_SENDING);
	drain(&f);
	ck_assert_msg(rtr_router_matches(&f.r, f.set2), "%s", f.r.problem);
	ck_assert_uint_eq(f.r.serial, 1);
	/* already current: Cache Response and End of Data only */
	serial_query(&f, 2, sid, 1);
	ck_assert_uint_eq(drain(&f), 8 + 24);
	ck_assert_msg(rtr_router_matches(&f.r, f.set2), "%s", f.r.problem);
	/* another Session ID, a serial from the future, one too old: Cache Reset */
	serial_query(&f, 2, (uint16_t)(sid + 1), 1);
	drain(&f);
	ck_assert(f.r.cache_reset);
	f.r.cache_reset = false;
	serial_query(&f, 2, sid, 7);
	drain(&f);
	ck_assert(f.r.cache_reset);
	ck_assert_int_eq(rtrmod_cache_set_history(f.cache, 1), 0);
	ck_assert_int_eq(rtrmod_cache_update(f.cache, f.set1), 0);
	f.r.cache_reset = false;
	serial_query(&f, 2, sid, 0);
	drain(&f);
	ck_assert(f.r.cache_reset);
	ck_assert_uint_eq(rtrmod_cache_counter(f.cache, RTRMOD_CACHE_CNT_CACHE_RESETS), 3);
	ck_assert_int_eq(f.s.state, RTRMOD_CACHE_SESSION_ESTABLISHED);
	ck_assert_msg(f.r.problem[0] == '\0', "%s", f.r.problem);
	teardown(&f);
}
END_TEST

/* RFC 8210 §8.4: no data yet, or stale: "No Data Available", not fatal. */
START_TEST(test_no_data_available)
{
	struct fixture f;
	uint32_t serial;

	setup(&f, 1, false);
	ck_assert_int_eq(rtrmod_cache_serial(f.cache, &serial), RTRMOD_ENOENT);
	reset_query(&f, 1);
	assert_error(&f, RTRMOD_RTR_NO_DATA_AVAILABLE, 1, false);
	ck_assert_int_eq(f.s.state, RTRMOD_CACHE_SESSION_ESTABLISHED);
	ck_assert_int_eq(f.s.version, 1);
	/* the data arrives: the router is told */
	ck_assert_int_eq(rtrmod_cache_update(f.cache, f.set1), 0);
	session_notify(&f.s, f.now);
	drain(&f);
	ck_assert(f.r.notify);
	reset_query(&f, 1);
	drain(&f);
	ck_assert_msg(rtr_router_matches(&f.r, f.set1), "%s", f.r.problem);
	/* stale data: both queries refused, the session stays */
	rtrmod_cache_set_stale(f.cache, true);
	f.r.error = false;
	reset_query(&f, 1);
	assert_error(&f, RTRMOD_RTR_NO_DATA_AVAILABLE, 1, false);
	f.r.error = false;
	serial_query(&f, 1, rtrmod_cache_session_id(f.cache, 1), 0);
	assert_error(&f, RTRMOD_RTR_NO_DATA_AVAILABLE, 1, false);
	rtrmod_cache_set_stale(f.cache, false);
	serial_query(&f, 1, rtrmod_cache_session_id(f.cache, 1), 0);
	ck_assert_int_eq(f.s.state, RTRMOD_CACHE_SESSION_SENDING);
	teardown(&f);
}
END_TEST

/* ---- version negotiation (RFC 8210 §7) -------------------------------------------- */

START_TEST(test_unsupported_version)
{
	struct fixture f;
	uint8_t q[8];

	/* a version nobody speaks: answered with our highest, then closed */
	setup(&f, 2, true);
	rtr_query_reset(q, 2);
	q[0] = 3;
	feed(&f, q, 8);
	ck_assert_int_eq(f.s.state, RTRMOD_CACHE_SESSION_CLOSING);
	ck_assert(!session_wants_read(&f.s));
	assert_error(&f, RTRMOD_RTR_UNSUPPORTED_VERSION, 2, true);
	teardown(&f);

	/* versions we speak but do not serve */
	setup(&f, 1, true);
	ck_assert_int_eq(rtrmod_cache_set_versions(f.cache, 1, 1), 0);
	reset_query(&f, 2);
	assert_error(&f, RTRMOD_RTR_UNSUPPORTED_VERSION, 1, true);
	teardown(&f);
	setup(&f, 1, true);
	ck_assert_int_eq(rtrmod_cache_set_versions(f.cache, 1, 1), 0);
	reset_query(&f, 0);
	assert_error(&f, RTRMOD_RTR_UNSUPPORTED_VERSION, 1, true);
	teardown(&f);
}
END_TEST

START_TEST(test_unexpected_version)
{
	struct fixture f;
	uint8_t key[33] = {1, RTRMOD_PDU_ROUTER_KEY, 1, 0, 0, 0, 0, 33};

	setup(&f, 1, true);
	reset_query(&f, 1);
	drain(&f);
	reset_query(&f, 2);
	assert_error(&f, RTRMOD_RTR_UNEXPECTED_VERSION, 1, true);
	teardown(&f);

	/* RFC 6810 has no code 8: a v0 session is told "Unsupported" */
	setup(&f, 0, true);
	reset_query(&f, 0);
	drain(&f);
	reset_query(&f, 1);
	assert_error(&f, RTRMOD_RTR_UNSUPPORTED_VERSION, 0, true);
	teardown(&f);

	/* the version outranks a type that version lacks */
	setup(&f, 2, true);
	reset_query(&f, 2);
	drain(&f);
	key[0] = 0;
	feed(&f, key, sizeof(key));
	assert_error(&f, RTRMOD_RTR_UNEXPECTED_VERSION, 2, true);
	teardown(&f);
}
END_TEST

/* ---- Error Reports (RFC 8210 §12) ---------------------------------------------------- */

/* PDU types a router may send but a cache must not receive: Invalid Request. */
START_TEST(test_invalid_request)
{
	static const uint8_t pdus[][40] = {
	    {1, RTRMOD_PDU_SERIAL_NOTIFY, 0, 1, 0, 0, 0, 12, 0, 0, 0, 1},
	    {1, RTRMOD_PDU_CACHE_RESPONSE, 0, 1, 0, 0, 0, 8},
	    {1, RTRMOD_PDU_IPV4_PREFIX, 0, 0, 0, 0, 0, 20, 1, 8, 8, 0, 10, 0, 0, 0, 0, 0, 0, 1},
	    {1,  RTRMOD_PDU_END_OF_DATA,
	     0,  1,
	     0,  0,
	     0,  24,
	     0,  0,
	     0,  1,
	     0,  0,
	     1,  0,
	     0,  0,
	     1,  0,
	     0,  0,
	     10, 0},
	    {1, RTRMOD_PDU_CACHE_RESET, 0, 0, 0, 0, 0, 8},
	    {1, RTRMOD_PDU_ROUTER_KEY, 1, 0, 0, 0, 0, 33},
	    {2, RTRMOD_PDU_ASPA, 1, 0, 0, 0, 0, 16, 0, 0, 0, 9, 0, 0, 0, 1},
	};
	struct fixture f;
	size_t i, len;

	for (i = 0; i < sizeof(pdus) / sizeof(pdus[0]); i++) {
		setup(&f, pdus[i][0], true);
		len = pdus[i][7];
		feed(&f, pdus[i], len);
		assert_error(&f, RTRMOD_RTR_INVALID_REQUEST, pdus[i][0], true);
		ck_assert_uint_eq(rtrmod_cache_counter(f.cache, RTRMOD_CACHE_CNT_ERRORS_SENT), 1);
		teardown(&f);
	}
}
END_TEST

START_TEST(test_unsupported_pdu_type)
{
	static const uint8_t pdus[][16] = {
	    {1, 5, 0, 0, 0, 0, 0, 8},                      /* reserved type */
	    {1, 200, 0, 0, 0, 0, 0, 8},                    /* unknown type */
	    {0, RTRMOD_PDU_ROUTER_KEY, 0, 0, 0, 0, 0, 33}, /* not in v0 */
	    {1, RTRMOD_PDU_ASPA, 0, 0, 0, 0, 0, 12},       /* not in v1 */
	};
	struct fixture f;
	size_t i;

	for (i = 0; i < sizeof(pdus) / sizeof(pdus[0]); i++) {
		setup(&f, pdus[i][0], true);
		feed(&f, pdus[i], 8);
		assert_error(&f, RTRMOD_RTR_UNSUPPORTED_PDU_TYPE, pdus[i][0], true);
		teardown(&f);
	}
}
END_TEST

START_TEST(test_corrupt_data)
{
	uint8_t q[12] = {1, RTRMOD_PDU_RESET_QUERY, 0, 0, 0, 0, 0, 12};
	struct fixture f;

	setup(&f, 1, true);
	feed(&f, q, sizeof(q));
	assert_error(&f, RTRMOD_RTR_CORRUPT_DATA, 1, true);
	teardown(&f);

	setup(&f, 1, true);
	q[4] = 0x7f; /* a length no query has */
	feed(&f, q, 8);
	assert_error(&f, RTRMOD_RTR_CORRUPT_DATA, 1, true);
	teardown(&f);
}
END_TEST

/* RFC 8210 §5.11: never answer an Error Report with one; drop the session. */
START_TEST(test_error_report_received)
{
	uint8_t er[24] = {
	    1,  RTRMOD_PDU_ERROR_REPORT, 0, 2, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 4, 'o', 'o', 'p',
	    's'};
	struct fixture f;

	setup(&f, 1, true);
	feed(&f, er, 20);
	ck_assert_int_eq(f.s.state, RTRMOD_CACHE_SESSION_CLOSED);
	ck_assert(!f.s.linger);
	ck_assert_uint_eq(f.s.qlen, 0);
	ck_assert_uint_eq(rtrmod_cache_counter(f.cache, RTRMOD_CACHE_CNT_ERRORS_RECEIVED), 1);
	ck_assert_uint_eq(rtrmod_cache_counter(f.cache, RTRMOD_CACHE_CNT_ERRORS_SENT), 0);
	teardown(&f);

	/* a broken one (its lengths disagree) is not answered either */
	setup(&f, 1, true);
	er[7] = 9;
	feed(&f, er, 9);
	ck_assert_int_eq(f.s.state, RTRMOD_CACHE_SESSION_CLOSED);
	ck_assert_uint_eq(f.s.qlen, 0);
	teardown(&f);
}
END_TEST

/* Out of memory while encoding: "Internal Error" (fatal), and the cache
 * goes on. */
static size_t fail_from;

static void *
big_fails(void *arg, size_t size)
{
	return size >= fail_from ? NULL : malloc(size);
}

static void *
big_fails_realloc(void *arg, void *p, size_t size)
{
	return size >= fail_from ? NULL : realloc(p, size);
}

static void
plain_free(void *arg, void *p)
{
	free(p);
}

START_TEST(test_internal_error)
{
	static const struct rtrmod_allocator alloc = {big_fails, big_fails_realloc, plain_free,
						      NULL};
	struct fixture f;
	struct rtrmod_ctx *ctx;

	fail_from = SIZE_MAX;
	setup(&f, 1, true);
	/* the same fixture on a context whose big allocations fail */
	session_fini(&f.s);
	rtrmod_cache_free(f.cache);
	rtrmod_set_unref(f.set1);
	rtrmod_set_unref(f.set2);
	rtrmod_ctx_free(f.ctx);
	ck_assert_int_eq(rtrmod_ctx_new(&alloc, &ctx), 0);
	rtrmod_ctx_set_log(ctx, log_quiet, NULL, RTRMOD_LOG_DEBUG);
	f.ctx = ctx;
	ck_assert_int_eq(rtrmod_cache_new(ctx, &f.cache), 0);
	f.set1 = fx_set(ctx, set1_lines);
	f.set2 = fx_set(ctx, set2_lines);
	ck_assert_int_eq(rtrmod_cache_update(f.cache, f.set1), 0);
	ck_assert_int_eq(session_init(&f.s, f.cache, "oom", f.now), 0);
	reset_query(&f, 1); /* reserves the read buffer before the limit */
	drain(&f);
	ck_assert_int_eq(rtrmod_cache_update(f.cache, f.set2), 0);
	fail_from = 150; /* set2's full response (183 bytes) cannot be made */
	reset_query(&f, 1);
	assert_error(&f, RTRMOD_RTR_INTERNAL_ERROR, 1, true);
	fail_from = SIZE_MAX;
	teardown(&f);
}
END_TEST

/* ---- framing ------------------------------------------------------------------------- */

START_TEST(test_split_and_pipelined)
{
	struct fixture f;
	uint8_t q[24];
	size_t i, n;

	setup(&f, 1, true);
	n = rtr_query_reset(q, 1);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(f.s.state, RTRMOD_CACHE_SESSION_NEGOTIATING);
		feed(&f, q + i, 1);
	}
	ck_assert_int_eq(f.s.state, RTRMOD_CACHE_SESSION_SENDING);
	drain(&f);
	ck_assert_msg(rtr_router_matches(&f.r, f.set1), "%s", f.r.problem);
	/* two queries in one read: the second waits for the first's answer */
	n = rtr_query_serial(q, 1, rtrmod_cache_session_id(f.cache, 1), 0);
	n += rtr_query_serial(q + n, 1, rtrmod_cache_session_id(f.cache, 1), 0);
	feed(&f, q, n);
	ck_assert_uint_eq(f.s.qlen, 1);
	ck_assert_uint_eq(rtrmod_cache_counter(f.cache, RTRMOD_CACHE_CNT_SERIAL_QUERIES), 1);
	drain(&f); /* processes the second */
	ck_assert_uint_eq(rtrmod_cache_counter(f.cache, RTRMOD_CACHE_CNT_SERIAL_QUERIES), 2);
	drain(&f);
	ck_assert_int_eq(f.s.state, RTRMOD_CACHE_SESSION_ESTABLISHED);
	teardown(&f);
}
END_TEST

/* ---- Serial Notify ------------------------------------------------------------------- */

START_TEST(test_notify)
{
	struct fixture f;

	setup(&f, 1, true);
	/* not while negotiating (RFC 8210 §7) */
	ck_assert_int_eq(rtrmod_cache_update(f.cache, f.set2), 0);
	session_notify(&f.s, f.now);
	ck_assert_uint_eq(f.s.qlen, 0);
	/* not when the response queued already has the serial */
	reset_query(&f, 1);
	session_notify(&f.s, f.now);
	ck_assert_uint_eq(f.s.qlen, 1);
	drain(&f);
	/* one waiting notify, replaced by newer ones: the queue does not grow */
	ck_assert_int_eq(rtrmod_cache_update(f.cache, f.set1), 0);
	session_notify(&f.s, f.now);
	ck_assert_int_eq(rtrmod_cache_update(f.cache, f.set2), 0);
	session_notify(&f.s, f.now);
	ck_assert_uint_eq(f.s.qlen, 1);
	ck_assert_uint_eq(f.s.queued, 12);
	drain(&f);
	ck_assert(f.r.notify);
	ck_assert_uint_eq(f.r.notify_serial, 3);
	ck_assert_uint_eq(rtrmod_cache_counter(f.cache, RTRMOD_CACHE_CNT_NOTIFIES), 2);
	teardown(&f);
}
END_TEST

/* ---- time ------------------------------------------------------------------------------ */

START_TEST(test_send_timeout)
{
	struct fixture f;
	struct iovec iov[SESSION_OUTQ];

	setup(&f, 1, true);
	ck_assert_int_eq(rtrmod_cache_set_timeouts(f.cache, 1000, 500), 0);
	reset_query(&f, 1);
	ck_assert_uint_eq(session_deadline(&f.s), f.now + 1000);
	session_tick(&f.s, f.now + 999);
	ck_assert_int_eq(f.s.state, RTRMOD_CACHE_SESSION_SENDING);
	/* progress moves the deadline */
	f.now += 900;
	ck_assert_int_eq(session_out_iov(&f.s, iov, SESSION_OUTQ), 1);
	session_out_done(&f.s, 10, f.now);
	ck_assert_uint_eq(session_deadline(&f.s), f.now + 1000);
	session_tick(&f.s, f.now + 1000);
	ck_assert_int_eq(f.s.state, RTRMOD_CACHE_SESSION_CLOSED);
	ck_assert(f.s.timed_out);
	ck_assert_uint_eq(f.s.qlen, 0); /* the references are released at once */
	teardown(&f);
}
END_TEST

START_TEST(test_handshake_timeout)
{
	struct fixture f;

	setup(&f, 1, true);
	ck_assert_int_eq(rtrmod_cache_set_timeouts(f.cache, 1000, 500), 0);
	ck_assert_uint_eq(session_deadline(&f.s), f.now + 500);
	session_tick(&f.s, f.now + 499);
	ck_assert_int_eq(f.s.state, RTRMOD_CACHE_SESSION_NEGOTIATING);
	session_tick(&f.s, f.now + 500);
	ck_assert_int_eq(f.s.state, RTRMOD_CACHE_SESSION_CLOSED);
	ck_assert(f.s.timed_out);
	teardown(&f);
}
END_TEST

/* ---- shared buffers ------------------------------------------------------------------------- */

START_TEST(test_shared_buffers)
{
	struct fixture f;
	struct cache_session t, u;
	struct iovec a, b, c;
	uint8_t q[8], *space;
	size_t avail;

	setup(&f, 1, true);
	ck_assert_int_eq(session_init(&t, f.cache, "t", f.now), 0);
	ck_assert_int_eq(session_init(&u, f.cache, "u", f.now), 0);
	reset_query(&f, 1);
	ck_assert_int_eq(session_read_space(&t, &space, &avail), 0);
	memcpy(space, q, rtr_query_reset(q, 1));
	session_read_done(&t, 8, f.now);
	ck_assert_int_eq(session_read_space(&u, &space, &avail), 0);
	memcpy(space, q, rtr_query_reset(q, 0));
	session_read_done(&u, 8, f.now);
	ck_assert_int_eq(session_out_iov(&f.s, &a, 1), 1);
	ck_assert_int_eq(session_out_iov(&t, &b, 1), 1);
	ck_assert_int_eq(session_out_iov(&u, &c, 1), 1);
	ck_assert_ptr_eq(a.iov_base, b.iov_base); /* the same bytes, not a copy */
	ck_assert_ptr_ne(a.iov_base, c.iov_base); /* v0 has its own */
	ck_assert_uint_eq(rtrmod_cache_counter(f.cache, RTRMOD_CACHE_CNT_ENCODINGS), 2);
	session_fini(&t);
	session_fini(&u);
	teardown(&f);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cache_session");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_reset_query_v1);
	tcase_add_test(tc, test_version_filtering);
	tcase_add_test(tc, test_serial_query_paths);
	tcase_add_test(tc, test_no_data_available);
	tcase_add_test(tc, test_unsupported_version);
	tcase_add_test(tc, test_unexpected_version);
	tcase_add_test(tc, test_invalid_request);
	tcase_add_test(tc, test_unsupported_pdu_type);
	tcase_add_test(tc, test_corrupt_data);
	tcase_add_test(tc, test_error_report_received);
	tcase_add_test(tc, test_internal_error);
	tcase_add_test(tc, test_split_and_pipelined);
	tcase_add_test(tc, test_notify);
	tcase_add_test(tc, test_send_timeout);
	tcase_add_test(tc, test_handshake_timeout);
	tcase_add_test(tc, test_shared_buffers);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
