/*
 * check_cache_conn.c: a router connection's I/O with a fake transport and a
 * fake loop whose clock the test moves: responses written through partial
 * writes, an Error Report flushed in full before the close (then shutdown
 * and linger), the send and handshake timeouts, admission (ACL, session
 * limit), Serial Notify to every session without waiting on a blocked one,
 * and the status listing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_fixture.h"
#include "cache_internal.h"
#include "check_main.h"
#include "rtr_router.h"

static const char *const set1_lines[] = {"10.0.0.0/8 8 AS1", "10.1.0.0/16 24 AS2",
					 "2001:db8::/32 48 AS3", "key 1 AS1 spki", NULL};
static const char *const set2_lines[] = {"10.0.0.0/8 8 AS1", "10.2.0.0/16 24 AS2", "key 1 AS1 spki",
					 NULL};

struct fixture {
	struct rtrmod_ctx *ctx;
	struct fx_loop loop;
	struct rtrmod_cache *cache;
	struct rtrmod_set *set1, *set2;
	struct fx_stream st[4];
	bool attached[4];
};

static void
log_quiet(void *arg, enum rtrmod_log_level level, const char *msg)
{
}

static void
setup(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &f->ctx), 0);
	rtrmod_ctx_set_log(f->ctx, log_quiet, NULL, RTRMOD_LOG_DEBUG);
	fx_loop_init(&f->loop);
	ck_assert_int_eq(rtrmod_ctx_set_loop(f->ctx, &fx_loop_ops, &f->loop), 0);
	ck_assert_int_eq(rtrmod_cache_new(f->ctx, &f->cache), 0);
	f->set1 = fx_set(f->ctx, set1_lines);
	f->set2 = fx_set(f->ctx, set2_lines);
	ck_assert_int_eq(rtrmod_cache_update(f->cache, f->set1), 0);
	fx_stream_init(&f->st[0], 100, "192.0.2.1");
	fx_stream_init(&f->st[1], 101, "192.0.2.2");
	fx_stream_init(&f->st[2], 102, "198.51.100.1");
	fx_stream_init(&f->st[3], 103, NULL);
}

static void
teardown(struct fixture *f)
{
	int i;

	rtrmod_cache_free(f->cache);
	for (i = 0; i < 4; i++) {
		ck_assert(!f->attached[i] || f->st[i].closed);
		fx_stream_fini(&f->st[i]);
	}
	rtrmod_set_unref(f->set1);
	rtrmod_set_unref(f->set2);
	ck_assert_int_eq(rtrmod_ctx_set_loop(f->ctx, NULL, NULL), 0);
	rtrmod_ctx_free(f->ctx);
}

static int
attach(struct fixture *f, int i)
{
	struct rtrmod_stream *s;

	ck_assert_int_eq(rtrmod_stream_new(f->ctx, &fx_stream_ops, &f->st[i], &s), 0);
	f->attached[i] = true;
	return rtrmod_cache_attach(f->cache, s);
}

static void
query_reset(struct fixture *f, int i, uint8_t version)
{
	uint8_t q[8];

	fx_stream_input(&f->st[i], q, rtr_query_reset(q, version));
}

/* What stream i has written so far, applied to a fresh model router. */
static void
written(struct fixture *f, int i, struct rtr_router *r, uint8_t version)
{
	rtr_router_init(r, version);
	ck_assert_uint_eq(rtr_router_apply(r, f->st[i].out, f->st[i].out_len), f->st[i].out_len);
	ck_assert_msg(r->problem[0] == '\0', "%s", r->problem);
}

START_TEST(test_serve_and_watches)
{
	struct fixture f;
	struct rtr_router r;

	setup(&f);
	query_reset(&f, 0, 1);
	ck_assert_int_eq(attach(&f, 0), 0);
	written(&f, 0, &r, 1);
	ck_assert(r.eod);
	ck_assert(rtr_router_matches(&r, f.set1));
	ck_assert(fx_loop_watching(&f.loop, 100, RTRMOD_IO_READ));
	ck_assert(!fx_loop_watching(&f.loop, 100, RTRMOD_IO_WRITE));
	ck_assert_uint_eq(f.st[0].writev_calls, 1); /* the whole response in one writev */
	rtr_router_fini(&r);
	teardown(&f);
}
END_TEST

START_TEST(test_partial_writes)
{
	struct fixture f;
	struct rtr_router r;

	setup(&f);
	f.st[0].chunk = 7;
	f.st[0].budget = 30;
	query_reset(&f, 0, 1);
	ck_assert_int_eq(attach(&f, 0), 0);
	ck_assert_uint_eq(f.st[0].out_len, 30);
	ck_assert(fx_loop_watching(&f.loop, 100, RTRMOD_IO_WRITE));
	ck_assert(!fx_loop_watching(&f.loop, 100, RTRMOD_IO_READ)); /* no input while sending */
	f.st[0].budget = SIZE_MAX;
	ck_assert(fx_loop_fire(&f.loop, 100, RTRMOD_IO_WRITE));
	ck_assert(!fx_loop_watching(&f.loop, 100, RTRMOD_IO_WRITE));
	ck_assert(fx_loop_watching(&f.loop, 100, RTRMOD_IO_READ));
	written(&f, 0, &r, 1);
	ck_assert(rtr_router_matches(&r, f.set1));
	rtr_router_fini(&r);
	teardown(&f);
}
END_TEST

/* Many queries in one read: all answered, a callback's worth at a time. */
START_TEST(test_pipelined_many)
{
	struct fixture f;
	struct rtr_router r;
	uint8_t q[12 * 40];
	size_t n = 0;
	int i;

	setup(&f);
	for (i = 0; i < 40; i++)
		n += rtr_query_serial(q + n, 1, rtrmod_cache_session_id(f.cache, 1), 0);
	fx_stream_input(&f.st[0], q, n);
	ck_assert_int_eq(attach(&f, 0), 0);
	for (i = 0; i < 10 && fx_loop_watching(&f.loop, 100, RTRMOD_IO_WRITE); i++)
		ck_assert(fx_loop_fire(&f.loop, 100, RTRMOD_IO_WRITE));
	ck_assert(fx_loop_watching(&f.loop, 100, RTRMOD_IO_READ));
	written(&f, 0, &r, 1);
	ck_assert_uint_eq(r.pdus, 2 * 40); /* Cache Response and End of Data each */
	ck_assert_uint_eq(rtrmod_cache_counter(f.cache, RTRMOD_CACHE_CNT_SERIAL_QUERIES), 40);
	rtr_router_fini(&r);
	teardown(&f);
}
END_TEST

static void
grab_state(void *arg, const struct rtrmod_cache_session *s)
{
	*(enum rtrmod_cache_session_state *)arg = rtrmod_cache_session_state(s);
}

/* RFC 8210 §7: the Error Report goes out whole before the close. */
START_TEST(test_error_flushed_before_close)
{
	struct fixture f;
	struct rtr_router r;
	enum rtrmod_cache_session_state state;
	uint8_t q[8];

	setup(&f);
	rtr_query_reset(q, 1);
	q[0] = 9;
	fx_stream_input(&f.st[0], q, 8);
	f.st[0].budget = 5;
	ck_assert_int_eq(attach(&f, 0), 0);
	ck_assert_uint_eq(f.st[0].out_len, 5);
	ck_assert(!f.st[0].shut && !f.st[0].closed);
	ck_assert_uint_eq(rtrmod_cache_sessions(f.cache, grab_state, &state), 1);
	ck_assert_int_eq(state, RTRMOD_CACHE_SESSION_CLOSING);
	f.st[0].budget = SIZE_MAX;
	ck_assert(fx_loop_fire(&f.loop, 100, RTRMOD_IO_WRITE));
	ck_assert(f.st[0].shut); /* FIN after the report, then linger */
	ck_assert(!f.st[0].closed);
	written(&f, 0, &r, 2);
	ck_assert(r.error);
	ck_assert_uint_eq(r.error_code, RTRMOD_RTR_UNSUPPORTED_VERSION);
	ck_assert_uint_eq(r.error_version, 2);
	/* the router closes: so do we */
	f.st[0].in_eof = true;
	ck_assert(fx_loop_fire(&f.loop, 100, RTRMOD_IO_READ));
	fx_loop_advance(&f.loop, 0);
	ck_assert(f.st[0].closed);
	rtr_router_fini(&r);

	/* a router that never closes: the linger ends it */
	query_reset(&f, 1, 7);
	ck_assert_int_eq(attach(&f, 1), 0);
	ck_assert(f.st[1].shut && !f.st[1].closed);
	fx_loop_advance(&f.loop, 1999);
	ck_assert(!f.st[1].closed);
	fx_loop_advance(&f.loop, 1);
	ck_assert(f.st[1].closed);
	teardown(&f);
}
END_TEST

START_TEST(test_send_timeout)
{
	struct fixture f;

	setup(&f);
	ck_assert_int_eq(rtrmod_cache_set_timeouts(f.cache, 1000, 1000), 0);
	f.st[0].budget = 0;
	query_reset(&f, 0, 1);
	ck_assert_int_eq(attach(&f, 0), 0);
	fx_loop_advance(&f.loop, 999);
	ck_assert(!f.st[0].closed);
	ck_assert_uint_eq(rtrmod_cache_sessions(f.cache, NULL, NULL), 1);
	fx_loop_advance(&f.loop, 1);
	ck_assert_uint_eq(rtrmod_cache_sessions(f.cache, NULL, NULL), 0);
	fx_loop_advance(&f.loop, 0);
	ck_assert(f.st[0].closed);
	ck_assert_uint_eq(rtrmod_cache_counter(f.cache, RTRMOD_CACHE_CNT_TIMEOUTS), 1);
	ck_assert_uint_eq(rtrmod_cache_counter(f.cache, RTRMOD_CACHE_CNT_CLOSED), 1);
	/* and a connection that never asks anything */
	ck_assert_int_eq(attach(&f, 1), 0);
	fx_loop_advance(&f.loop, 1000);
	ck_assert(f.st[1].closed);
	ck_assert_uint_eq(rtrmod_cache_counter(f.cache, RTRMOD_CACHE_CNT_TIMEOUTS), 2);
	ck_assert_uint_eq(fx_loop_timers(&f.loop), 0);
	teardown(&f);
}
END_TEST

START_TEST(test_acl)
{
	struct fixture f;
	struct rtrmod_prefix p;

	setup(&f);
	ck_assert_int_eq(rtrmod_prefix_parse("192.0.2.0/24", &p), 0);
	ck_assert_int_eq(rtrmod_cache_acl_add(f.cache, &p), 0);
	ck_assert_int_eq(attach(&f, 2), RTRMOD_ENOTSUP);
	ck_assert(f.st[2].closed);
	ck_assert_int_eq(attach(&f, 3), RTRMOD_ENOTSUP); /* no address: refused */
	ck_assert(f.st[3].closed);
	ck_assert_int_eq(attach(&f, 0), 0);
	ck_assert(!f.st[0].closed);
	ck_assert_uint_eq(rtrmod_cache_counter(f.cache, RTRMOD_CACHE_CNT_REFUSED_ACL), 2);
	rtrmod_cache_acl_clear(f.cache);
	ck_assert_int_eq(attach(&f, 1), 0);
	teardown(&f);
}
END_TEST

START_TEST(test_max_sessions)
{
	struct fixture f;

	setup(&f);
	rtrmod_cache_set_max_sessions(f.cache, 2);
	ck_assert_int_eq(attach(&f, 0), 0);
	ck_assert_int_eq(attach(&f, 1), 0);
	ck_assert_int_eq(attach(&f, 2), RTRMOD_ERANGE);
	ck_assert(f.st[2].closed);
	ck_assert_uint_eq(rtrmod_cache_counter(f.cache, RTRMOD_CACHE_CNT_REFUSED_LIMIT), 1);
	/* one goes: there is room again */
	f.st[0].in_eof = true;
	ck_assert(fx_loop_fire(&f.loop, 100, RTRMOD_IO_READ));
	fx_loop_advance(&f.loop, 0);
	ck_assert(f.st[0].closed);
	fx_stream_init(&f.st[2], 102, "198.51.100.1");
	ck_assert_int_eq(attach(&f, 2), 0);
	teardown(&f);
}
END_TEST

struct listing {
	int n;
	char peer[4][64];
	int version[4];
	unsigned state[4];
	bool has_serial[4];
	uint64_t since[4];
};

static void
collect(void *arg, const struct rtrmod_cache_session *s)
{
	struct listing *l = arg;
	uint32_t serial;

	snprintf(l->peer[l->n], sizeof(l->peer[0]), "%s/%s", rtrmod_cache_session_peer(s),
		 rtrmod_cache_session_transport(s));
	l->version[l->n] = rtrmod_cache_session_version(s);
	l->state[l->n] = rtrmod_cache_session_state(s);
	l->has_serial[l->n] = rtrmod_cache_session_serial(s, &serial);
	l->since[l->n] = rtrmod_cache_session_since(s);
	ck_assert_uint_eq(rtrmod_cache_session_queued(s), 0);
	l->n++;
}

static void
grab_queued(void *arg, const struct rtrmod_cache_session *s)
{
	size_t *q = arg;

	while (*q != 0)
		q++;
	*q = rtrmod_cache_session_queued(s) + 1; /* +1: 0 marks free slots */
}

/* Serial Notify reaches every session at once; a blocked one holds one
 * small notify, whatever the number of updates. */
START_TEST(test_notify_and_listing)
{
	struct fixture f;
	struct listing l = {0};
	struct rtr_router r;
	size_t before, queued[4];

	setup(&f);
	query_reset(&f, 0, 1);
	ck_assert_int_eq(attach(&f, 0), 0);
	fx_loop_advance(&f.loop, 10);
	query_reset(&f, 1, 2);
	ck_assert_int_eq(attach(&f, 1), 0);
	ck_assert_int_eq(attach(&f, 2), 0);
	ck_assert_uint_eq(rtrmod_cache_sessions(f.cache, collect, &l), 3);
	ck_assert_str_eq(l.peer[0], "192.0.2.1:32323/fake");
	ck_assert_int_eq(l.version[0], 1);
	ck_assert_int_eq(l.version[1], 2);
	ck_assert_uint_eq(l.state[0], RTRMOD_CACHE_SESSION_ESTABLISHED);
	ck_assert_str_eq(rtrmod_cache_session_state_name(l.state[0]), "established");
	ck_assert(l.has_serial[0]);
	ck_assert_uint_eq(l.since[0] + 10, l.since[1]);
	/* session 1 stops reading; updates keep coming */
	f.st[1].budget = 0;
	before = f.st[0].out_len;
	ck_assert_int_eq(rtrmod_cache_update(f.cache, f.set2), 0);
	ck_assert_uint_eq(f.st[0].out_len, before + 12); /* at once, not via the loop */
	ck_assert_int_eq(rtrmod_cache_update(f.cache, f.set1), 0);
	ck_assert_int_eq(rtrmod_cache_update(f.cache, f.set2), 0);
	ck_assert_uint_eq(f.st[0].out_len, before + 36);
	memset(queued, 0, sizeof(queued));
	ck_assert_uint_eq(rtrmod_cache_sessions(f.cache, grab_queued, queued), 3);
	ck_assert_uint_eq(queued[1], 12 + 1); /* one notify, replaced by each newer one */
	written(&f, 0, &r, 1);
	ck_assert(r.notify && r.notify_serial == 3);
	rtr_router_fini(&r);
	teardown(&f);
}
END_TEST

START_TEST(test_peer_gone)
{
	struct fixture f;

	setup(&f);
	ck_assert_int_eq(attach(&f, 0), 0);
	f.st[0].in_eof = true;
	ck_assert(fx_loop_fire(&f.loop, 100, RTRMOD_IO_READ));
	ck_assert_uint_eq(rtrmod_cache_sessions(f.cache, NULL, NULL), 0);
	ck_assert(!f.st[0].closed); /* freed by the reaper, not inside its callback */
	fx_loop_advance(&f.loop, 0);
	ck_assert(f.st[0].closed);
	/* a write error ends a session too */
	f.st[1].write_error = true;
	query_reset(&f, 1, 1);
	ck_assert_int_eq(attach(&f, 1), 0);
	ck_assert_uint_eq(rtrmod_cache_sessions(f.cache, NULL, NULL), 0);
	ck_assert_uint_eq(rtrmod_cache_counter(f.cache, RTRMOD_CACHE_CNT_CLOSED), 2);
	teardown(&f);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cache_conn");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_serve_and_watches);
	tcase_add_test(tc, test_partial_writes);
	tcase_add_test(tc, test_pipelined_many);
	tcase_add_test(tc, test_error_flushed_before_close);
	tcase_add_test(tc, test_send_timeout);
	tcase_add_test(tc, test_acl);
	tcase_add_test(tc, test_max_sessions);
	tcase_add_test(tc, test_notify_and_listing);
	tcase_add_test(tc, test_peer_gone);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
