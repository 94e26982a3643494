/*
 * check_cache.c: the cache end to end over loopback TCP with the built-in
 * loop.  Routers are written with the codec (rtr_router.c) on non-blocking
 * sockets in the same thread: a Reset Query, an update, the Serial Notify
 * and the delta; a router that never reads, closed after the send timeout
 * while another is served; an Error Report that arrives whole before the
 * close; the session limit and ACL; and a listener closed under a running
 * session.  Every wait is bounded.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rtrmod/cache.h>
#include <rtrmod/loop.h>

#include "cache_fixture.h"
#include "check_main.h"
#include "rtr_router.h"

struct client {
	int fd;
	bool eof;
	uint8_t *buf;
	size_t len, cap, total;
	struct rtr_router r;
};

struct env {
	struct rtrmod_ctx *ctx;
	struct rtrmod_loop *loop;
	struct rtrmod_cache *cache;
	uint16_t port;
};

static void
log_quiet(void *arg, enum rtrmod_log_level level, const char *msg)
{
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
env_up(struct env *e)
{
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &e->ctx), 0);
	rtrmod_ctx_set_log(e->ctx, log_quiet, NULL, RTRMOD_LOG_DEBUG);
	ck_assert_int_eq(rtrmod_loop_new(e->ctx, &e->loop), 0);
	ck_assert_int_eq(rtrmod_cache_new(e->ctx, &e->cache), 0);
	ck_assert_int_eq(rtrmod_cache_listen(e->cache, "127.0.0.1", 0, &e->port), 0);
	ck_assert_uint_ne(e->port, 0);
}

static void
env_down(struct env *e)
{
	rtrmod_cache_free(e->cache);
	rtrmod_loop_free(e->loop);
	rtrmod_ctx_free(e->ctx);
}

static void
client_open(struct client *c, const struct env *e, uint8_t version, int rcvbuf)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(e->port)};

	memset(c, 0, sizeof(*c));
	rtr_router_init(&c->r, version);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(c->fd, 0);
	if (rcvbuf > 0)
		ck_assert_int_eq(setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)),
				 0);
	/* loopback: completes from the listen backlog without our accept */
	ck_assert_int_eq(connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(fcntl(c->fd, F_SETFL, O_NONBLOCK), 0);
}

static void
client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	rtr_router_fini(&c->r);
}

static void
client_send(struct client *c, const uint8_t *q, size_t len)
{
	ck_assert_int_eq(send(c->fd, q, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Read what is there and apply whole PDUs to the model router. */
static void
client_pump(struct client *c)
{
	ssize_t n;
	size_t used;

	for (;;) {
		if (c->cap - c->len < 65536) {
			c->cap = c->cap * 2 + 65536;
			c->buf = realloc(c->buf, c->cap);
		}
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			c->eof = true;
			break;
		}
		if (n < 0)
			break;
		c->len += (size_t)n;
		c->total += (size_t)n;
	}
	used = rtr_router_apply(&c->r, c->buf, c->len);
	memmove(c->buf, c->buf + used, c->len - used);
	c->len -= used;
}

typedef bool cond_fn(struct client *c);

/* Run the loop and pump the clients (those not NULL) until cond holds for
 * clients[0], or fail after `limit` ms. */
static void
run_until(struct env *e, struct client **clients, int n, cond_fn *cond, uint64_t limit)
{
	uint64_t start = now_ms();
	int i;

	for (;;) {
		ck_assert_int_ge(rtrmod_loop_run_once(e->loop, 5), 0);
		for (i = 0; i < n; i++)
			if (clients[i] != NULL && clients[i]->fd >= 0)
				client_pump(clients[i]);
		if (cond(clients[0]))
			return;
		ck_assert_msg(now_ms() - start < limit, "timed out waiting");
	}
}

static bool
got_eod(struct client *c)
{
	return c->r.eod;
}

static bool
got_notify(struct client *c)
{
	return c->r.notify;
}

static bool
got_eof(struct client *c)
{
	return c->eof;
}

START_TEST(test_reset_notify_serial)
{
	struct env e;
	struct client c, v0;
	struct client *cs[2] = {&c, &v0};
	struct rtrmod_set *a, *b;
	uint64_t st = 42;
	uint8_t q[12];

	env_up(&e);
	a = fx_random_set(e.ctx, &st, 300);
	b = fx_random_set(e.ctx, &st, 300);
	ck_assert_int_eq(rtrmod_cache_update(e.cache, a), 0);
	client_open(&c, &e, 2, 0);
	client_open(&v0, &e, 0, 0);
	c.r.check_order = true;
	client_send(&c, q, rtr_query_reset(q, 2));
	client_send(&v0, q, rtr_query_reset(q, 0));
	run_until(&e, cs, 2, got_eod, 1500);
	ck_assert_msg(c.r.problem[0] == '\0', "%s", c.r.problem);
	ck_assert(rtr_router_matches(&c.r, a));
	ck_assert_uint_eq(c.r.session_id, rtrmod_cache_session_id(e.cache, 2));
	cs[0] = &v0;
	run_until(&e, cs, 2, got_eod, 1500);
	ck_assert(rtr_router_matches(&v0.r, a));
	/* an update: Serial Notify, then the delta */
	ck_assert_int_eq(rtrmod_cache_update(e.cache, b), 0);
	cs[0] = &c;
	run_until(&e, cs, 2, got_notify, 1500);
	ck_assert_uint_eq(c.r.notify_serial, 1);
	c.r.eod = false;
	client_send(&c, q, rtr_query_serial(q, 2, c.r.session_id, c.r.serial));
	run_until(&e, cs, 2, got_eod, 1500);
	ck_assert_msg(c.r.problem[0] == '\0', "%s", c.r.problem);
	ck_assert_uint_eq(c.r.serial, 1);
	ck_assert(rtr_router_matches(&c.r, b));
	ck_assert_uint_eq(rtrmod_cache_sessions(e.cache, NULL, NULL), 2);
	client_close(&c);
	client_close(&v0);
	rtrmod_set_unref(a);
	rtrmod_set_unref(b);
	env_down(&e);
}
END_TEST

static size_t slow_queued;

static void
max_queued(void *arg, const struct rtrmod_cache_session *s)
{
	if (rtrmod_cache_session_queued(s) > slow_queued)
		slow_queued = rtrmod_cache_session_queued(s);
}

/* A router that stops reading delays nobody and is closed after the send
 * timeout; what it pins is a reference, not copies. */
START_TEST(test_slow_reader)
{
	struct env e;
	struct client slow, good;
	struct client *cs[2] = {&good, &slow};
	struct rtrmod_set *a, *b;
	uint64_t start;
	uint8_t q[12];

	env_up(&e);
	ck_assert_int_eq(rtrmod_cache_set_timeouts(e.cache, 300, 1000), 0);
	a = fx_big_set(e.ctx, 200000, 65001); /* a 4 MB v1 response */
	b = fx_big_set(e.ctx, 200001, 65001);
	ck_assert_int_eq(rtrmod_cache_update(e.cache, a), 0);
	client_open(&slow, &e, 1, 4096);
	client_open(&good, &e, 1, 0);
	good.r.bulk = true; /* 200k VRPs: the model checks them in bulk */
	client_send(&slow, q, rtr_query_reset(q, 1));
	client_send(&good, q, rtr_query_reset(q, 1));
	/* the slow one is never pumped: cs[1] is left out below */
	start = now_ms();
	run_until(&e, cs, 1, got_eod, 1500);
	ck_assert(rtr_router_matches(&good.r, a));
	/* updates while the slow one is stuck: the good one follows */
	ck_assert_int_eq(rtrmod_cache_update(e.cache, b), 0);
	run_until(&e, cs, 1, got_notify, 1500);
	good.r.eod = false;
	client_send(&good, q, rtr_query_serial(q, 1, good.r.session_id, good.r.serial));
	run_until(&e, cs, 1, got_eod, 1500);
	ck_assert(rtr_router_matches(&good.r, b));
	ck_assert_uint_eq(good.r.prefix_pdus, 200000 + 1);
	slow_queued = 0;
	rtrmod_cache_sessions(e.cache, max_queued, NULL);
	ck_assert_uint_le(slow_queued, 8 + 200000 * 20 + 24 + 12);
	/* the slow one goes after the send timeout */
	while (rtrmod_cache_sessions(e.cache, NULL, NULL) > 1) {
		ck_assert_int_ge(rtrmod_loop_run_once(e.loop, 20), 0);
		client_pump(&good);
		ck_assert_msg(now_ms() - start < 1800, "slow reader not closed");
	}
	ck_assert_uint_ge(now_ms() - start, 300);
	ck_assert_uint_eq(rtrmod_cache_counter(e.cache, RTRMOD_CACHE_CNT_TIMEOUTS), 1);
	ck_assert_uint_eq(rtrmod_cache_counter(e.cache, RTRMOD_CACHE_CNT_ENCODINGS), 2);
	client_close(&slow);
	client_close(&good);
	rtrmod_set_unref(a);
	rtrmod_set_unref(b);
	env_down(&e);
}
END_TEST

/* The Error Report arrives whole, then the end of the stream, even with
 * unread input left at the cache. */
START_TEST(test_error_then_close)
{
	struct env e;
	struct client c;
	struct client *cs[1] = {&c};
	static uint8_t junk[3000];
	uint8_t q[12];

	env_up(&e);
	client_open(&c, &e, 2, 0);
	rtr_query_reset(q, 2);
	q[0] = 3;
	memcpy(junk, q, 8);
	client_send(&c, junk, sizeof(junk));
	run_until(&e, cs, 1, got_eof, 1500);
	ck_assert(c.r.error);
	ck_assert_uint_eq(c.r.error_code, RTRMOD_RTR_UNSUPPORTED_VERSION);
	ck_assert_uint_eq(c.r.error_version, 2);
	ck_assert_uint_eq(c.len, 0);
	client_close(&c);
	/* the cache ends the session once we are gone */
	while (rtrmod_cache_sessions(e.cache, NULL, NULL) > 0)
		ck_assert_int_ge(rtrmod_loop_run_once(e.loop, 20), 0);
	env_down(&e);
}
END_TEST

START_TEST(test_limits)
{
	struct env e;
	struct client a, b;
	struct client *cs[2] = {&b, &a};
	struct rtrmod_prefix p;
	struct rtrmod_set *set;
	uint64_t st = 1;
	uint8_t q[12];

	env_up(&e);
	set = fx_random_set(e.ctx, &st, 20);
	ck_assert_int_eq(rtrmod_cache_update(e.cache, set), 0);
	rtrmod_cache_set_max_sessions(e.cache, 1);
	client_open(&a, &e, 1, 0);
	client_send(&a, q, rtr_query_reset(q, 1));
	cs[0] = &a;
	run_until(&e, cs, 1, got_eod, 1500);
	client_open(&b, &e, 1, 0);
	cs[0] = &b;
	run_until(&e, cs, 1, got_eof, 1500); /* refused: closed at once */
	ck_assert_uint_eq(b.total, 0);
	ck_assert_uint_eq(rtrmod_cache_counter(e.cache, RTRMOD_CACHE_CNT_REFUSED_LIMIT), 1);
	client_close(&b);
	client_close(&a);
	rtrmod_cache_set_max_sessions(e.cache, 0);
	/* an ACL that does not cover loopback */
	ck_assert_int_eq(rtrmod_prefix_parse("192.0.2.0/24", &p), 0);
	ck_assert_int_eq(rtrmod_cache_acl_add(e.cache, &p), 0);
	client_open(&b, &e, 1, 0);
	run_until(&e, cs, 1, got_eof, 1500);
	ck_assert_uint_eq(rtrmod_cache_counter(e.cache, RTRMOD_CACHE_CNT_REFUSED_ACL), 1);
	client_close(&b);
	ck_assert_int_eq(rtrmod_prefix_parse("127.0.0.0/8", &p), 0);
	ck_assert_int_eq(rtrmod_cache_acl_add(e.cache, &p), 0);
	client_open(&b, &e, 1, 0);
	client_send(&b, q, rtr_query_reset(q, 1));
	run_until(&e, cs, 1, got_eod, 1500);
	ck_assert(rtr_router_matches(&b.r, set));
	client_close(&b);
	rtrmod_set_unref(set);
	env_down(&e);
}
END_TEST

/* Connect to the cache's port; whether the connection was accepted by a
 * listener (a refused one fails at once on loopback). */
static bool
port_open(uint16_t port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	ck_assert_int_ge(fd, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	ck_assert(ok || errno == ECONNREFUSED);
	close(fd);
	return ok;
}

/* Unlisten closes the port but not the sessions it accepted: they still
 * get Serial Notify and their delta. */
START_TEST(test_unlisten)
{
	struct env e;
	struct client c;
	struct client *cs[1] = {&c};
	struct rtrmod_set *a, *b;
	uint64_t st = 7;
	uint16_t second = 0, again = 0;
	uint8_t q[12];

	env_up(&e);
	a = fx_random_set(e.ctx, &st, 50);
	b = fx_random_set(e.ctx, &st, 50);
	ck_assert_int_eq(rtrmod_cache_update(e.cache, a), 0);
	ck_assert_int_eq(rtrmod_cache_listen(e.cache, "127.0.0.1", 0, &second), 0);
	client_open(&c, &e, 2, 0);
	client_send(&c, q, rtr_query_reset(q, 2));
	run_until(&e, cs, 1, got_eod, 1500);
	ck_assert(rtr_router_matches(&c.r, a));
	/* not a listener: nothing changes */
	ck_assert_int_eq(rtrmod_cache_unlisten(e.cache, "127.0.0.1", 1), RTRMOD_ENOENT);
	ck_assert_int_eq(rtrmod_cache_unlisten(e.cache, "::1", e.port), RTRMOD_ENOENT);
	ck_assert_int_eq(rtrmod_cache_unlisten(e.cache, "localhost", e.port), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_cache_unlisten(NULL, "127.0.0.1", e.port), RTRMOD_EINVAL);
	ck_assert(port_open(e.port));
	ck_assert_int_eq(rtrmod_cache_unlisten(e.cache, "127.0.0.1", e.port), 0);
	ck_assert_int_eq(rtrmod_cache_unlisten(e.cache, "127.0.0.1", e.port), RTRMOD_ENOENT);
	ck_assert(!port_open(e.port));
	ck_assert(port_open(second)); /* the other listener is untouched */
	/* the session accepted on the closed port keeps going */
	ck_assert_int_eq(rtrmod_cache_update(e.cache, b), 0);
	run_until(&e, cs, 1, got_notify, 1500);
	c.r.eod = false;
	client_send(&c, q, rtr_query_serial(q, 2, c.r.session_id, c.r.serial));
	run_until(&e, cs, 1, got_eod, 1500);
	ck_assert_msg(c.r.problem[0] == '\0', "%s", c.r.problem);
	ck_assert(rtr_router_matches(&c.r, b));
	ck_assert(!c.eof);
	/* the port is free again */
	ck_assert_int_eq(rtrmod_cache_listen(e.cache, "127.0.0.1", e.port, &again), 0);
	ck_assert_uint_eq(again, e.port);
	ck_assert(port_open(e.port));
	client_close(&c);
	rtrmod_set_unref(a);
	rtrmod_set_unref(b);
	env_down(&e);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cache");
	TCase *tc = tcase_create("loopback");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_reset_notify_serial);
	tcase_add_test(tc, test_slow_reader);
	tcase_add_test(tc, test_error_then_close);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_unlisten);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
