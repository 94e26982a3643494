/*
 * check_instance.c: rtrmod_instance_apply end to end on the built-in loop,
 * over loopback TCP: upstream caches are in-process rtrmod_caches, routers
 * are the model router of rtr_router.c on plain sockets.  A re-apply keeps
 * an unchanged cache's very TCP connection (same peer port, no new accept)
 * while a changed one reconnects; a removed cache's session closes; a new
 * listener leaves the first router's session and the serial alone; a
 * source change that gives the same set does not bump the serial; a failed
 * apply (port in use, missing source, bad SLURM, each allocation failing in
 * turn) names the item and leaves everything as it was; a cache server
 * without sources relays the client's table; the host's own caches survive;
 * disabling the server closes its sessions.  Every wait is bounded.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rtrmod/rtrmod.h>

#include "cache_fixture.h"
#include "check_main.h"
#include "config_internal.h"
#include "instance_internal.h"
#include "rtr_router.h"
#include "test_alloc.h"

#define WAIT_MS     5000
#define SMALL_VRPS  TEST_DATA_DIR "/vrps/gortr_test.rpki.json"
#define LARGER_VRPS TEST_DATA_DIR "/vrps/stayrtr_test.rpki.json"
#define GOOD_SLURM  TEST_DATA_DIR "/slurm/routinator_empty.json"

static const char *const set_a_lines[] = {
    "10.0.0.0/8 8 AS65001",  "10.1.0.0/16 24 AS65002", "2001:db8::/32 48 AS65001",
    "key 1 AS65001 spkione", "aspa AS64500 AS1 AS2",   NULL,
};
static const char *const set_b_lines[] = {
    "10.0.0.0/8 8 AS65001",  "10.1.0.0/16 24 AS65009", "192.0.2.0/24 24 AS65004",
    "key 2 AS65002 spkitwo", "aspa AS64500 AS1 AS3",   NULL,
};
static const char *const set_c_lines[] = {
    "198.51.100.0/24 24 AS65010",
    "aspa AS64501 AS7",
    NULL,
};

/* A router on a plain socket, as check_cache.c's. */
struct router {
	int fd;
	bool eof;
	uint8_t *buf;
	size_t len, cap;
	struct rtr_router r;
};

#define ROUTERS 4

struct env {
	struct failing_alloc fa;
	struct rtrmod_allocator al;
	struct rtrmod_ctx *ctx;
	struct rtrmod_loop *loop;
	struct rtrmod_instance *inst;
	struct rtrmod_cache *up[3]; /* upstream caches */
	uint16_t up_port[3];
	struct rtrmod_set *a, *b, *c;
	struct router *routers[ROUTERS];
	unsigned updates, statuses;
};

static struct env T;

static void
log_quiet(void *arg, enum rtrmod_log_level level, const char *msg)
{
}

static void
on_update(void *arg, struct rtrmod_client *c, const struct rtrmod_delta *d)
{
	T.updates++;
}

static void
on_status(void *arg, struct rtrmod_client *c, const struct rtrmod_client_cache *cc)
{
	T.statuses++;
}

static void
setup(void)
{
	memset(&T, 0, sizeof(T));
	T.al = failing_alloc_allocator(&T.fa);
	ck_assert_int_eq(rtrmod_ctx_new(&T.al, &T.ctx), 0);
	rtrmod_ctx_set_log(T.ctx, getenv("INST_LOG") ? NULL : log_quiet, NULL, RTRMOD_LOG_DEBUG);
	ck_assert_int_eq(rtrmod_loop_new(T.ctx, &T.loop), 0);
	T.a = fx_set(T.ctx, set_a_lines);
	T.b = fx_set(T.ctx, set_b_lines);
	T.c = fx_set(T.ctx, set_c_lines);
	ck_assert_int_eq(rtrmod_instance_new(T.ctx, &T.inst), 0);
	rtrmod_instance_set_update_cb(T.inst, on_update, NULL);
	rtrmod_instance_set_status_cb(T.inst, on_status, NULL);
}

static void router_close(struct router *r);

static void
teardown(void)
{
	for (int i = 0; i < ROUTERS; i++)
		if (T.routers[i] != NULL)
			router_close(T.routers[i]);
	rtrmod_instance_free(T.inst);
	for (int i = 0; i < 3; i++)
		rtrmod_cache_free(T.up[i]);
	rtrmod_set_unref(T.a);
	rtrmod_set_unref(T.b);
	rtrmod_set_unref(T.c);
	rtrmod_loop_free(T.loop);
	rtrmod_ctx_free(T.ctx);
}

/* An upstream cache serving `set` on a free loopback port. */
static void
upstream(int i, struct rtrmod_set *set)
{
	ck_assert_int_eq(rtrmod_cache_new(T.ctx, &T.up[i]), 0);
	ck_assert_int_eq(rtrmod_cache_set_timers(T.up[i], 60, 1, 600), 0);
	ck_assert_int_eq(rtrmod_cache_update(T.up[i], set), 0);
	ck_assert_int_eq(rtrmod_cache_listen(T.up[i], "127.0.0.1", 0, &T.up_port[i]), 0);
}

/* ---- configurations ------------------------------------------------------------ */

static char *
xstr(const char *s)
{
	char *d = rtrmod_ctx_malloc(T.ctx, strlen(s) + 1);

	ck_assert_ptr_nonnull(d);
	strcpy(d, s);
	return d;
}

static void *
grow(void *p, size_t n, size_t size)
{
	p = rtrmod_ctx_realloc(T.ctx, p, n * size);
	ck_assert_ptr_nonnull(p);
	return p;
}

static struct rtrmod_config *
cfg_new(void)
{
	struct rtrmod_config *c = cfg_new_default(T.ctx);

	ck_assert_ptr_nonnull(c);
	c->name = xstr("test.json");
	return c;
}

/* Short retry so a reconnect happens within the test's bounds. */
static struct cfg_cache *
cfg_add_cache(struct rtrmod_config *c, uint16_t port, unsigned pref)
{
	struct cfg_cache *cc;

	c->caches = grow(c->caches, c->ncaches + 1, sizeof(*c->caches));
	cc = &c->caches[c->ncaches++];
	cfg_cache_defaults(cc);
	snprintf(cc->address, sizeof(cc->address), "127.0.0.1");
	cc->port = port;
	cc->preference = pref;
	cc->refresh = 60;
	cc->retry = 1;
	cc->expire = 600;
	return cc;
}

static void
cfg_add_listener(struct rtrmod_config *c, const char *addr, uint16_t port)
{
	struct cfg_listener *l;

	c->server.enabled = true;
	c->server.listeners =
	    grow(c->server.listeners, c->server.nlisteners + 1, sizeof(*c->server.listeners));
	l = &c->server.listeners[c->server.nlisteners++];
	cfg_listener_defaults(l);
	snprintf(l->address, sizeof(l->address), "%s", addr);
	l->port = port;
}

static void
cfg_add_source(struct rtrmod_config *c, const char *name, const char *file)
{
	struct cfg_source *s;

	c->sources.list = grow(c->sources.list, c->sources.n + 1, sizeof(*c->sources.list));
	s = &c->sources.list[c->sources.n++];
	memset(s, 0, sizeof(*s));
	s->name = xstr(name);
	s->file = xstr(file);
}

static void
cfg_add_slurm(struct rtrmod_config *c, const char *file)
{
	c->sources.slurm = grow(c->sources.slurm, c->sources.nslurm + 1, sizeof(char *));
	c->sources.slurm[c->sources.nslurm++] = xstr(file);
}

static void
apply_ok(struct rtrmod_config *c)
{
	struct rtrmod_config_diag diag;
	int rc = rtrmod_instance_apply(T.inst, c, &diag);

	ck_assert_msg(rc == 0, "apply: %s: %s", rtrmod_strerror(rc), diag.text);
	cfg_free(c);
}

/* ---- routers and waiting ----------------------------------------------------------- */

static struct router *
router_open_at(const char *addr, uint16_t port, uint8_t version)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct router *r = calloc(1, sizeof(*r));
	uint8_t q[12];
	size_t n;
	int i;

	ck_assert_ptr_nonnull(r);
	rtr_router_init(&r->r, version);
	ck_assert_int_eq(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	r->fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(r->fd, 0);
	ck_assert_int_eq(connect(r->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(fcntl(r->fd, F_SETFL, O_NONBLOCK), 0);
	n = rtr_query_reset(q, version);
	ck_assert_int_eq(send(r->fd, q, n, MSG_NOSIGNAL), (ssize_t)n);
	for (i = 0; i < ROUTERS && T.routers[i] != NULL; i++)
		;
	ck_assert_int_lt(i, ROUTERS);
	T.routers[i] = r;
	return r;
}

static struct router *
router_open(uint16_t port, uint8_t version)
{
	return router_open_at("127.0.0.1", port, version);
}

static void
router_close(struct router *r)
{
	for (int i = 0; i < ROUTERS; i++)
		if (T.routers[i] == r)
			T.routers[i] = NULL;
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	rtr_router_fini(&r->r);
	free(r);
}

static void
router_pump(struct router *r)
{
	ssize_t n;
	size_t used;

	for (;;) {
		if (r->cap - r->len < 65536) {
			r->cap = r->cap * 2 + 65536;
			r->buf = realloc(r->buf, r->cap);
			ck_assert_ptr_nonnull(r->buf);
		}
		n = recv(r->fd, r->buf + r->len, r->cap - r->len, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			r->eof = true;
			break;
		}
		if (n < 0)
			break;
		r->len += (size_t)n;
	}
	used = rtr_router_apply(&r->r, r->buf, r->len);
	memmove(r->buf, r->buf + used, r->len - used);
	r->len -= used;
}

static void
router_serial_query(struct router *r)
{
	uint8_t q[12];

	r->r.eod = false;
	r->r.notify = false;
	ck_assert_int_eq(send(r->fd, q,
			      rtr_query_serial(q, r->r.version, r->r.session_id, r->r.serial),
			      MSG_NOSIGNAL),
			 12);
}

typedef bool cond_fn(void *arg);

/* Run the loop (and pump the routers) until cond holds or `ms` pass. */
static bool
run_until(cond_fn *cond, void *arg, uint64_t ms)
{
	uint64_t end = rtrmod_loop_now_ms(T.loop) + ms;

	for (;;) {
		for (int i = 0; i < ROUTERS; i++)
			if (T.routers[i] != NULL && !T.routers[i]->eof)
				router_pump(T.routers[i]);
		if (cond(arg))
			return true;
		if (rtrmod_loop_now_ms(T.loop) >= end)
			return false;
		ck_assert_int_ge(rtrmod_loop_run_once(T.loop, 10), 0);
	}
}

static bool
never(void *arg)
{
	return false;
}

/* Run the loop for `ms` whatever happens. */
static void
run_for(uint64_t ms)
{
	(void)run_until(never, NULL, ms);
}

static bool
table_is(void *arg)
{
	return rtrmod_set_equal(rtrmod_client_set(rtrmod_instance_client(T.inst)), arg);
}

static bool
got_eod(void *arg)
{
	return ((struct router *)arg)->r.eod;
}

static bool
got_notify(void *arg)
{
	return ((struct router *)arg)->r.notify;
}

static bool
got_eof(void *arg)
{
	return ((struct router *)arg)->eof;
}

struct count_is {
	struct rtrmod_cache *cache;
	size_t sessions;
};

static bool
sessions_are(void *arg)
{
	const struct count_is *c = arg;

	return rtrmod_cache_sessions(c->cache, NULL, NULL) == c->sessions;
}

static bool
all_established(void *arg)
{
	const struct rtrmod_client *client = rtrmod_instance_client(T.inst);
	size_t n = rtrmod_client_cache_count(client);

	for (size_t i = 0; i < n; i++)
		if (rtrmod_client_cache_state(rtrmod_client_cache_at(client, i)) !=
		    RTRMOD_CLIENT_ESTABLISHED)
			return false;
	return n > 0;
}

static char peer_text[64];

static void
note_peer(void *arg, const struct rtrmod_cache_session *s)
{
	snprintf(peer_text, sizeof(peer_text), "%s", rtrmod_cache_session_peer(s));
}

/* The peer of a cache's only session. */
static void
only_peer(struct rtrmod_cache *cache, char *out, size_t size)
{
	peer_text[0] = '\0';
	ck_assert_uint_eq(rtrmod_cache_sessions(cache, note_peer, NULL), 1);
	snprintf(out, size, "%s", peer_text);
}

/* Whether a socket listens on addr:port, found without connecting (a
 * connection would become a session): with SO_REUSEADDR, Linux refuses the
 * bind only for a listening socket, not for sessions or TIME_WAIT. */
static bool
port_listening(const char *addr, uint16_t port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, rc;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
	ck_assert_int_eq(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	rc = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	ck_assert(rc == 0 || errno == EADDRINUSE);
	close(fd);
	return rc != 0;
}

/* A port nobody listens on now. */
static uint16_t
free_port(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

static uint32_t
serial_of(struct rtrmod_cache *cache)
{
	uint32_t serial = 0;

	ck_assert_int_eq(rtrmod_cache_serial(cache, &serial), 0);
	return serial;
}

/* ---- (a), (b): client caches ------------------------------------------------------- */

/* A re-apply that changes B (its port, now at a third cache) and not A: A
 * keeps its TCP connection, B reconnects; timers of A change in place. */
START_TEST(test_reapply_keeps_unchanged_cache)
{
	struct rtrmod_config *c;
	struct rtrmod_client_cache *ca, *cb;
	struct rtrmod_set *ab, *ac;
	char peer[64], peer2[64];
	struct count_is b_gone;
	static const char *const ab_lines[] = {
	    "10.0.0.0/8 8 AS65001",    "10.1.0.0/16 24 AS65002",   "10.1.0.0/16 24 AS65009",
	    "192.0.2.0/24 24 AS65004", "2001:db8::/32 48 AS65001", "key 1 AS65001 spkione",
	    "key 2 AS65002 spkitwo",   "aspa AS64500 AS1 AS2 AS3", NULL,
	};
	static const char *const ac_lines[] = {
	    "10.0.0.0/8 8 AS65001",     "10.1.0.0/16 24 AS65002",
	    "2001:db8::/32 48 AS65001", "198.51.100.0/24 24 AS65010",
	    "key 1 AS65001 spkione",    "aspa AS64500 AS1 AS2",
	    "aspa AS64501 AS7",         NULL,
	};

	ab = fx_set(T.ctx, ab_lines);
	ac = fx_set(T.ctx, ac_lines);
	upstream(0, T.a);
	upstream(1, T.b);
	upstream(2, T.c);
	c = cfg_new();
	cfg_add_cache(c, T.up_port[0], 5);
	cfg_add_cache(c, T.up_port[1], 5);
	apply_ok(c);
	ck_assert_ptr_null(rtrmod_instance_cache(T.inst));
	ck_assert(run_until(table_is, ab, WAIT_MS));
	ck_assert(run_until(all_established, NULL, WAIT_MS));
	ca = instance_client_cache(T.inst, 0);
	cb = instance_client_cache(T.inst, 1);
	only_peer(T.up[0], peer, sizeof(peer));
	ck_assert(strncmp(peer, "127.0.0.1:", 10) == 0);
	ck_assert_uint_eq(rtrmod_cache_counter(T.up[0], RTRMOD_CACHE_CNT_ACCEPTED), 1);
	ck_assert_uint_eq(rtrmod_cache_counter(T.up[1], RTRMOD_CACHE_CNT_ACCEPTED), 1);

	/* B now points at the third cache; A is written again, equal */
	c = cfg_new();
	cfg_add_cache(c, T.up_port[0], 5);
	cfg_add_cache(c, T.up_port[2], 5);
	apply_ok(c);
	ck_assert_ptr_eq(instance_client_cache(T.inst, 0), ca);
	ck_assert_ptr_ne(instance_client_cache(T.inst, 1), cb);
	ck_assert_uint_eq(rtrmod_client_cache_count(rtrmod_instance_client(T.inst)), 2);
	ck_assert(run_until(table_is, ac, WAIT_MS));
	b_gone.cache = T.up[1];
	b_gone.sessions = 0;
	ck_assert(run_until(sessions_are, &b_gone, WAIT_MS));
	ck_assert_uint_eq(rtrmod_cache_counter(T.up[2], RTRMOD_CACHE_CNT_ACCEPTED), 1);
	/* A: the same TCP connection (same peer port), never accepted again */
	only_peer(T.up[0], peer2, sizeof(peer2));
	ck_assert_str_eq(peer2, peer);
	ck_assert_uint_eq(rtrmod_cache_counter(T.up[0], RTRMOD_CACHE_CNT_ACCEPTED), 1);
	ck_assert_uint_eq(rtrmod_cache_counter(T.up[0], RTRMOD_CACHE_CNT_RESET_QUERIES), 1);
	ck_assert_int_eq(rtrmod_client_cache_state(ca), RTRMOD_CLIENT_ESTABLISHED);

	/* A's timers and timeout change: in place, still the same connection */
	c = cfg_new();
	cfg_add_cache(c, T.up_port[0], 5)->refresh = 120;
	c->caches[0].timeout_ms = 10000;
	cfg_add_cache(c, T.up_port[2], 5);
	apply_ok(c);
	ck_assert_ptr_eq(instance_client_cache(T.inst, 0), ca);
	ck_assert_uint_eq(rtrmod_instance_config(T.inst)->caches[0].refresh, 120);
	run_for(200);
	only_peer(T.up[0], peer2, sizeof(peer2));
	ck_assert_str_eq(peer2, peer);
	ck_assert_uint_eq(rtrmod_cache_counter(T.up[0], RTRMOD_CACHE_CNT_ACCEPTED), 1);
	ck_assert(table_is(ac));
	rtrmod_set_unref(ab);
	rtrmod_set_unref(ac);
}
END_TEST

/* A preference change regroups: B moves to its own, less preferred group,
 * which is stopped while A's is synced (RFC 8210 §10). */
START_TEST(test_reapply_preference_regroups)
{
	struct rtrmod_config *c;
	struct count_is b_gone = {NULL, 0};
	unsigned pref = 0;

	upstream(0, T.a);
	upstream(1, T.b);
	c = cfg_new();
	cfg_add_cache(c, T.up_port[0], 5);
	cfg_add_cache(c, T.up_port[1], 5);
	apply_ok(c);
	ck_assert(run_until(all_established, NULL, WAIT_MS));
	c = cfg_new();
	cfg_add_cache(c, T.up_port[0], 5);
	cfg_add_cache(c, T.up_port[1], 9);
	apply_ok(c);
	ck_assert_uint_eq(rtrmod_client_cache_preference(instance_client_cache(T.inst, 1)), 9);
	b_gone.cache = T.up[1];
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	ck_assert(run_until(sessions_are, &b_gone, WAIT_MS));
	ck_assert(rtrmod_client_serving_preference(rtrmod_instance_client(T.inst), &pref));
	ck_assert_uint_eq(pref, 5);
	ck_assert_int_eq(rtrmod_client_cache_state(instance_client_cache(T.inst, 1)),
			 RTRMOD_CLIENT_STOPPED);
	ck_assert_uint_eq(rtrmod_cache_counter(T.up[0], RTRMOD_CACHE_CNT_ACCEPTED), 1);
}
END_TEST

START_TEST(test_remove_cache)
{
	struct rtrmod_config *c;
	struct count_is b_gone = {NULL, 0};
	unsigned updates;
	size_t nvrps = 0;

	upstream(0, T.a);
	upstream(1, T.c);
	c = cfg_new();
	cfg_add_cache(c, T.up_port[0], 5);
	cfg_add_cache(c, T.up_port[1], 5);
	apply_ok(c);
	ck_assert(run_until(all_established, NULL, WAIT_MS));
	(void)rtrmod_set_vrps(rtrmod_client_set(rtrmod_instance_client(T.inst)), &nvrps);
	ck_assert_uint_eq(nvrps, 4);
	updates = T.updates;
	c = cfg_new();
	cfg_add_cache(c, T.up_port[0], 5);
	apply_ok(c);
	/* C's records left the table at once, in one update */
	ck_assert(table_is(T.a));
	ck_assert_uint_eq(T.updates, updates + 1);
	ck_assert_uint_eq(rtrmod_client_cache_count(rtrmod_instance_client(T.inst)), 1);
	b_gone.cache = T.up[1];
	ck_assert(run_until(sessions_are, &b_gone, WAIT_MS));
	ck_assert_uint_eq(rtrmod_instance_config(T.inst)->ncaches, 1);
	ck_assert_uint_eq(rtrmod_cache_counter(T.up[0], RTRMOD_CACHE_CNT_ACCEPTED), 1);
	/* and all of them: the client keeps running, with nothing */
	apply_ok(cfg_new());
	ck_assert_uint_eq(rtrmod_client_cache_count(rtrmod_instance_client(T.inst)), 0);
	ck_assert_ptr_null(instance_client_cache(T.inst, 0));
}
END_TEST

/* ---- (c), (g): the cache server -------------------------------------------------------- */

START_TEST(test_server_listeners_and_sources)
{
	struct rtrmod_config *c;
	struct rtrmod_cache *cache;
	struct rtrmod_feed *feed;
	struct router *r1, *r2;
	uint16_t p1, p2;
	uint32_t serial;
	struct count_is two;

	c = cfg_new();
	cfg_add_listener(c, "127.0.0.1", 0);
	cfg_add_source(c, "small", SMALL_VRPS);
	apply_ok(c);
	cache = rtrmod_instance_cache(T.inst);
	feed = rtrmod_instance_feed(T.inst);
	ck_assert_ptr_nonnull(cache);
	ck_assert_ptr_nonnull(feed);
	ck_assert_uint_eq(rtrmod_feed_count(feed, RTRMOD_SOURCE_VRP), 2);
	p1 = instance_listener_port(T.inst, 0);
	ck_assert_uint_ne(p1, 0);
	serial = serial_of(cache);
	r1 = router_open(p1, 2);
	ck_assert(run_until(got_eod, r1, WAIT_MS));
	ck_assert_msg(r1->r.problem[0] == '\0', "%s", r1->r.problem);
	ck_assert(rtr_router_matches(&r1->r, rtrmod_feed_set(feed)));
	ck_assert_uint_eq(r1->r.nvrps, 2);

	/* a second listener, nothing else: same server, feed, serial, session */
	c = cfg_new();
	cfg_add_listener(c, "127.0.0.1", 0);
	cfg_add_listener(c, "127.0.0.2", 0);
	cfg_add_source(c, "small", SMALL_VRPS);
	apply_ok(c);
	ck_assert_ptr_eq(rtrmod_instance_cache(T.inst), cache);
	ck_assert_ptr_eq(rtrmod_instance_feed(T.inst), feed);
	ck_assert_uint_eq(instance_listener_port(T.inst, 0), p1);
	p2 = instance_listener_port(T.inst, 1);
	ck_assert_uint_ne(p2, 0);
	ck_assert_uint_eq(serial_of(cache), serial);
	ck_assert(port_listening("127.0.0.2", p2));
	ck_assert(!port_listening("127.0.0.1", p2));
	r2 = router_open_at("127.0.0.2", p2, 1);
	ck_assert(run_until(got_eod, r2, WAIT_MS));
	ck_assert(rtr_router_matches(&r2->r, rtrmod_feed_set(feed)));
	ck_assert_uint_eq(r2->r.serial, r1->r.serial);
	router_close(r2);
	two.cache = cache;
	two.sessions = 1;
	ck_assert(run_until(sessions_are, &two, WAIT_MS));
	ck_assert_uint_eq(rtrmod_cache_counter(cache, RTRMOD_CACHE_CNT_CLOSED), 1);
	ck_assert(!r1->eof);
	ck_assert(!r1->r.notify);

	/* the sources change but give the same set: a new feed, no new serial */
	c = cfg_new();
	cfg_add_listener(c, "127.0.0.1", 0);
	cfg_add_listener(c, "127.0.0.2", 0);
	cfg_add_source(c, "small", SMALL_VRPS);
	c->sources.refresh = 300;
	apply_ok(c);
	ck_assert_ptr_ne(rtrmod_instance_feed(T.inst), feed);
	feed = rtrmod_instance_feed(T.inst);
	ck_assert_uint_eq(serial_of(cache), serial);
	run_for(100);
	ck_assert(!r1->r.notify);

	/* a different file: a new serial, Serial Notify, the delta */
	c = cfg_new();
	cfg_add_listener(c, "127.0.0.1", 0);
	cfg_add_listener(c, "127.0.0.2", 0);
	cfg_add_source(c, "larger", LARGER_VRPS);
	apply_ok(c);
	feed = rtrmod_instance_feed(T.inst);
	ck_assert_uint_eq(serial_of(cache), serial + 1);
	ck_assert(run_until(got_notify, r1, WAIT_MS));
	router_serial_query(r1);
	ck_assert(run_until(got_eod, r1, WAIT_MS));
	ck_assert_msg(r1->r.problem[0] == '\0', "%s", r1->r.problem);
	ck_assert(rtr_router_matches(&r1->r, rtrmod_feed_set(feed)));
	ck_assert_uint_eq(r1->r.serial, serial + 1);
	ck_assert_uint_eq(rtrmod_cache_counter(cache, RTRMOD_CACHE_CNT_ACCEPTED), 2);
	/* reload now: the same files, the same set */
	ck_assert_int_eq(rtrmod_instance_reload_sources(T.inst), 0);
	ck_assert_uint_eq(serial_of(cache), serial + 1);
}
END_TEST

START_TEST(test_disable_server_closes_sessions)
{
	struct rtrmod_config *c;
	struct router *r;
	uint16_t port = free_port();

	c = cfg_new();
	cfg_add_listener(c, "127.0.0.1", port);
	cfg_add_source(c, "small", SMALL_VRPS);
	apply_ok(c);
	r = router_open(port, 1);
	ck_assert(run_until(got_eod, r, WAIT_MS));
	ck_assert_int_eq(rtrmod_instance_reload_sources(NULL), RTRMOD_EINVAL);
	apply_ok(cfg_new());
	ck_assert_ptr_null(rtrmod_instance_cache(T.inst));
	ck_assert_ptr_null(rtrmod_instance_feed(T.inst));
	ck_assert_int_eq(rtrmod_instance_reload_sources(T.inst), RTRMOD_ENOENT);
	ck_assert(run_until(got_eof, r, WAIT_MS));
	ck_assert(!port_listening("127.0.0.1", port));
	/* and on again: a new server, a new Session ID draw */
	c = cfg_new();
	cfg_add_listener(c, "127.0.0.1", port);
	cfg_add_source(c, "small", SMALL_VRPS);
	apply_ok(c);
	ck_assert_ptr_nonnull(rtrmod_instance_cache(T.inst));
	ck_assert(port_listening("127.0.0.1", port));
}
END_TEST

/* ---- (d): a failed apply changes nothing ------------------------------------------------- */

struct snapshot {
	const struct rtrmod_config *cfg;
	struct rtrmod_cache *cache;
	struct rtrmod_feed *feed;
	struct rtrmod_client_cache *cc0;
	size_t ncaches, sessions;
	uint32_t serial;
	uint64_t up_accepted;
	uint16_t port0;
	char peer[64];
};

static void
snapshot(struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->cfg = rtrmod_instance_config(T.inst);
	s->cache = rtrmod_instance_cache(T.inst);
	s->feed = rtrmod_instance_feed(T.inst);
	s->cc0 = instance_client_cache(T.inst, 0);
	s->ncaches = rtrmod_client_cache_count(rtrmod_instance_client(T.inst));
	s->sessions = rtrmod_cache_sessions(s->cache, NULL, NULL);
	s->serial = serial_of(s->cache);
	s->up_accepted = rtrmod_cache_counter(T.up[0], RTRMOD_CACHE_CNT_ACCEPTED);
	s->port0 = instance_listener_port(T.inst, 0);
	only_peer(T.up[0], s->peer, sizeof(s->peer));
}

static void
same_as(const struct snapshot *s)
{
	char peer[64];

	ck_assert_ptr_eq(rtrmod_instance_config(T.inst), s->cfg);
	ck_assert_uint_eq(s->cfg->ncaches, 1);
	ck_assert_uint_eq(s->cfg->server.nlisteners, 1);
	ck_assert_uint_eq(s->cfg->server.history, 32);
	ck_assert_ptr_eq(rtrmod_instance_cache(T.inst), s->cache);
	ck_assert_ptr_eq(rtrmod_instance_feed(T.inst), s->feed);
	ck_assert_ptr_eq(instance_client_cache(T.inst, 0), s->cc0);
	ck_assert_uint_eq(rtrmod_client_cache_count(rtrmod_instance_client(T.inst)), s->ncaches);
	ck_assert_uint_eq(rtrmod_cache_sessions(s->cache, NULL, NULL), s->sessions);
	ck_assert_uint_eq(serial_of(s->cache), s->serial);
	ck_assert_uint_eq(rtrmod_cache_counter(T.up[0], RTRMOD_CACHE_CNT_ACCEPTED), s->up_accepted);
	ck_assert_uint_eq(instance_listener_port(T.inst, 0), s->port0);
	ck_assert(port_listening("127.0.0.1", s->port0));
	only_peer(T.up[0], peer, sizeof(peer));
	ck_assert_str_eq(peer, s->peer);
	ck_assert_int_eq(rtrmod_client_cache_state(s->cc0), RTRMOD_CLIENT_ESTABLISHED);
}

/* The running configuration of the failure tests: a server on one port
 * with the small source, and one upstream cache A. */
static struct rtrmod_config *
base_config(uint16_t port)
{
	struct rtrmod_config *c = cfg_new();

	cfg_add_cache(c, T.up_port[0], 5);
	cfg_add_listener(c, "127.0.0.1", port);
	cfg_add_source(c, "small", SMALL_VRPS);
	return c;
}

/* Everything a failing apply also asks for, so that each is seen undone:
 * A removed, B added, server settings changed, another listener. */
static struct rtrmod_config *
changed_config(uint16_t port, uint16_t extra)
{
	struct rtrmod_config *c = cfg_new();
	struct rtrmod_prefix *acl;

	cfg_add_cache(c, T.up_port[1], 5);
	cfg_add_listener(c, "127.0.0.1", port);
	cfg_add_listener(c, "127.0.0.1", extra);
	c->server.history = 4;
	c->server.max_sessions = 1;
	acl = grow(NULL, 1, sizeof(*acl));
	ck_assert_int_eq(rtrmod_prefix_parse("192.0.2.0/24", acl), 0);
	c->server.acl = acl;
	c->server.nacl = 1;
	return c;
}

START_TEST(test_failed_apply_changes_nothing)
{
	struct rtrmod_config_diag diag;
	struct rtrmod_config *c;
	struct snapshot s;
	struct router *r;
	char want[256];
	uint16_t port = free_port(), busy_port = 0, spare;
	int busy;

	upstream(0, T.a);
	upstream(1, T.b);
	apply_ok(base_config(port));
	r = router_open(port, 2);
	ck_assert(run_until(got_eod, r, WAIT_MS));
	ck_assert(run_until(all_established, NULL, WAIT_MS));
	snapshot(&s);

	/* 1: the new listener's port is taken by another socket */
	ck_assert_int_eq(rtrmod_tcp_listen(T.ctx, "127.0.0.1", 0, 1, &busy), 0);
	ck_assert_int_eq(rtrmod_tcp_local_port(busy, &busy_port), 0);
	c = changed_config(port, busy_port);
	cfg_add_source(c, "larger", LARGER_VRPS);
	ck_assert_int_eq(rtrmod_instance_apply(T.inst, c, &diag), RTRMOD_EEXIST);
	snprintf(want, sizeof(want),
		 "/rtrmod:rtrmod/cache-server/listener[address='127.0.0.1'][port='%u']",
		 (unsigned)busy_port);
	ck_assert_str_eq(diag.path, want);
	ck_assert_msg(strstr(diag.text, "address already in use") != NULL, "%s", diag.text);
	ck_assert_msg(strncmp(diag.text, "test.json: /rtrmod:rtrmod/cache-server/listener", 47) ==
			  0,
		      "%s", diag.text);
	cfg_free(c);
	same_as(&s);
	run_for(300);
	same_as(&s);
	ck_assert_uint_eq(rtrmod_cache_counter(T.up[1], RTRMOD_CACHE_CNT_ACCEPTED), 0);
	ck_assert(!r->eof && !r->r.notify);
	close(busy);

	/* 2: a source file that is not there, with a free extra port that must
	 * be let go again */
	spare = free_port();
	c = changed_config(port, spare);
	cfg_add_source(c, "small", SMALL_VRPS);
	cfg_add_source(c, "missing", TEST_DATA_DIR "/vrps/no-such-file.json");
	ck_assert_int_ne(rtrmod_instance_apply(T.inst, c, &diag), 0);
	ck_assert_str_eq(diag.path, "/rtrmod:rtrmod/sources/source[name='missing']");
	ck_assert_msg(strstr(diag.text, "no-such-file.json") != NULL, "%s", diag.text);
	cfg_free(c);
	same_as(&s);
	ck_assert(!port_listening("127.0.0.1", spare));

	/* 3: a SLURM file that is not valid SLURM */
	c = changed_config(port, spare);
	cfg_add_source(c, "small", SMALL_VRPS);
	cfg_add_slurm(c, GOOD_SLURM);
	cfg_add_slurm(c, SMALL_VRPS);
	ck_assert_int_ne(rtrmod_instance_apply(T.inst, c, &diag), 0);
	snprintf(want, sizeof(want), "/rtrmod:rtrmod/sources/slurm[.='%s']", SMALL_VRPS);
	ck_assert_str_eq(diag.path, want);
	cfg_free(c);
	same_as(&s);
	ck_assert(!port_listening("127.0.0.1", spare));

	/* 4: what only the core refuses: a transport, a bad address, timers */
	c = changed_config(port, spare);
	c->caches[0].transport = CFG_TRANSPORT_SSH;
	ck_assert_int_eq(rtrmod_instance_apply(T.inst, c, &diag), RTRMOD_ENOTSUP);
	snprintf(want, sizeof(want),
		 "/rtrmod:rtrmod/client/cache-servers/cache-server[address='127.0.0.1'][server-port='%u']",
		 (unsigned)T.up_port[1]);
	ck_assert_str_eq(diag.path, want);
	c->caches[0].transport = CFG_TRANSPORT_TCP;
	c->caches[0].expire = 60; /* not above refresh */
	ck_assert_int_eq(rtrmod_instance_apply(T.inst, c, &diag), RTRMOD_ERANGE);
	ck_assert(strstr(diag.path, "/expire-time") != NULL);
	c->caches[0].expire = 600;
	snprintf(c->caches[0].local_address, sizeof(c->caches[0].local_address), "::1");
	ck_assert_int_eq(rtrmod_instance_apply(T.inst, c, &diag), RTRMOD_EINVAL);
	ck_assert(strstr(diag.path, "/local-address") != NULL);
	c->caches[0].local_address[0] = '\0';
	c->http.enabled = true;
	ck_assert_int_eq(rtrmod_instance_apply(T.inst, c, &diag), RTRMOD_ENOTSUP);
	ck_assert_str_eq(diag.path, "/rtrmod:rtrmod/http");
	cfg_free(c);
	same_as(&s);
	ck_assert_int_eq(rtrmod_instance_apply(T.inst, NULL, &diag), RTRMOD_EINVAL);
	run_for(200);
	same_as(&s);
	ck_assert(!r->eof && !r->r.notify);
}
END_TEST

/* ---- (e): relay ---------------------------------------------------------------------------- */

START_TEST(test_relay)
{
	struct rtrmod_config *c;
	struct rtrmod_cache *relay;
	struct router *r;
	uint32_t serial;
	uint16_t port;

	upstream(0, T.a);
	c = cfg_new();
	cfg_add_cache(c, T.up_port[0], 1);
	cfg_add_listener(c, "127.0.0.1", 0);
	apply_ok(c);
	relay = rtrmod_instance_cache(T.inst);
	ck_assert_ptr_nonnull(relay);
	ck_assert_ptr_null(rtrmod_instance_feed(T.inst));
	/* no upstream data yet: no data to serve either */
	ck_assert_int_eq(rtrmod_cache_serial(relay, &serial), RTRMOD_ENOENT);
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	port = instance_listener_port(T.inst, 0);
	r = router_open(port, 2);
	ck_assert(run_until(got_eod, r, WAIT_MS));
	ck_assert_msg(r->r.problem[0] == '\0', "%s", r->r.problem);
	ck_assert(rtr_router_matches(&r->r, T.a));
	/* upstream changes: the relay's router hears of it */
	ck_assert_int_eq(rtrmod_cache_update(T.up[0], T.b), 0);
	ck_assert(run_until(got_notify, r, WAIT_MS));
	router_serial_query(r);
	ck_assert(run_until(got_eod, r, WAIT_MS));
	ck_assert_msg(r->r.problem[0] == '\0', "%s", r->r.problem);
	ck_assert(rtr_router_matches(&r->r, T.b));
	ck_assert(table_is(T.b));
	/* sources instead: the feed's set goes in service, under the same
	 * server and session */
	c = cfg_new();
	cfg_add_cache(c, T.up_port[0], 1);
	cfg_add_listener(c, "127.0.0.1", 0);
	cfg_add_source(c, "small", SMALL_VRPS);
	apply_ok(c);
	ck_assert_ptr_eq(rtrmod_instance_cache(T.inst), relay);
	ck_assert_ptr_nonnull(rtrmod_instance_feed(T.inst));
	ck_assert(run_until(got_notify, r, WAIT_MS));
	router_serial_query(r);
	ck_assert(run_until(got_eod, r, WAIT_MS));
	ck_assert(rtr_router_matches(&r->r, rtrmod_feed_set(rtrmod_instance_feed(T.inst))));
	/* upstream changes no longer reach it */
	serial = serial_of(relay);
	ck_assert_int_eq(rtrmod_cache_update(T.up[0], T.a), 0);
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	ck_assert_uint_eq(serial_of(relay), serial);
	/* and back to relaying: the client's table again */
	c = cfg_new();
	cfg_add_cache(c, T.up_port[0], 1);
	cfg_add_listener(c, "127.0.0.1", 0);
	apply_ok(c);
	ck_assert_ptr_null(rtrmod_instance_feed(T.inst));
	ck_assert_uint_eq(serial_of(relay), serial + 1);
	ck_assert(run_until(got_notify, r, WAIT_MS));
	router_serial_query(r);
	ck_assert(run_until(got_eod, r, WAIT_MS));
	ck_assert(rtr_router_matches(&r->r, T.a));
	ck_assert_uint_eq(rtrmod_cache_sessions(relay, NULL, NULL), 1);
}
END_TEST

/* ---- (f): the host's own caches ------------------------------------------------------------ */

START_TEST(test_host_caches_survive)
{
	struct rtrmod_client *client = rtrmod_instance_client(T.inst);
	struct rtrmod_client_cache *host;
	struct rtrmod_config *c;
	struct count_is a_gone = {NULL, 0};
	char peer[64], peer2[64];

	upstream(0, T.a);
	upstream(1, T.b);
	c = cfg_new();
	cfg_add_cache(c, T.up_port[0], 5);
	apply_ok(c);
	/* the host's own cache, as FRR's `rpki cache` line adds it */
	ck_assert_int_eq(rtrmod_client_add_cache(client, "127.0.0.1", T.up_port[1], 5, NULL, &host),
			 0);
	ck_assert_int_eq(rtrmod_client_cache_set_timers(host, 60, 1, 600), 0);
	ck_assert(run_until(all_established, NULL, WAIT_MS));
	only_peer(T.up[1], peer, sizeof(peer));
	/* a re-apply that changes A, then one that removes every cache */
	c = cfg_new();
	cfg_add_cache(c, T.up_port[0], 6);
	apply_ok(c);
	ck_assert_uint_eq(rtrmod_client_cache_count(client), 2);
	apply_ok(cfg_new());
	ck_assert_uint_eq(rtrmod_client_cache_count(client), 1);
	ck_assert_ptr_eq(rtrmod_client_cache_at(client, 0), host);
	a_gone.cache = T.up[0];
	ck_assert(run_until(sessions_are, &a_gone, WAIT_MS));
	ck_assert(run_until(table_is, T.b, WAIT_MS));
	only_peer(T.up[1], peer2, sizeof(peer2));
	ck_assert_str_eq(peer2, peer);
	ck_assert_uint_eq(rtrmod_cache_counter(T.up[1], RTRMOD_CACHE_CNT_ACCEPTED), 1);
	ck_assert_int_eq(rtrmod_client_cache_state(host), RTRMOD_CLIENT_ESTABLISHED);
	ck_assert_uint_gt(T.statuses, 0);
}
END_TEST

/* ---- (h): allocation failures -------------------------------------------------------------- */

/* After a re-apply: back to the base configuration, synced and quiet. */
static void
back_to_base(uint16_t port, struct router **rp, struct snapshot *s)
{
	struct count_is one_a = {T.up[0], 1};
	struct router *r = *rp;

	apply_ok(base_config(port));
	ck_assert(run_until(all_established, NULL, WAIT_MS));
	ck_assert(run_until(sessions_are, &one_a, WAIT_MS));
	if (!r->eof) {
		ck_assert(run_until(got_notify, r, WAIT_MS));
		router_serial_query(r);
	} else {
		/* the cache closed it: no memory for its Serial Notify */
		router_close(r);
		*rp = r = router_open(port, 2);
	}
	ck_assert(run_until(got_eod, r, WAIT_MS));
	r->r.notify = false;
	snapshot(s);
}

/*
 * Each allocation of a large re-apply fails in turn: every time the error
 * comes back and the running state is what it was (also on the wire: A's
 * connection, the listeners, the router's session), until it succeeds
 * without any failure.  A failure the apply rides over gives the new
 * configuration whole (a timer armed again; past the commit, what the
 * client and cache handle themselves: a session that cannot start yet
 * retries, a router whose Serial Notify finds no memory is closed); the
 * test then goes back to the base configuration and goes on with the next
 * allocation.
 */
START_TEST(test_apply_alloc_failure)
{
	struct rtrmod_config_diag diag;
	struct rtrmod_config *c;
	struct snapshot s;
	struct router *r;
	uint16_t port = free_port(), extra = free_port();
	unsigned failed = 0, rode_over = 0;
	long n;
	int rc = -1;

	upstream(0, T.a);
	upstream(1, T.b);
	apply_ok(base_config(port));
	r = router_open(port, 2);
	ck_assert(run_until(got_eod, r, WAIT_MS));
	ck_assert(run_until(all_established, NULL, WAIT_MS));
	snapshot(&s);
	c = changed_config(port, extra);
	cfg_add_cache(c, T.up_port[0], 7); /* A changed: reconnects */
	cfg_add_source(c, "larger", LARGER_VRPS);
	cfg_add_slurm(c, GOOD_SLURM);
	for (n = 1; n < 100000; n++) {
		T.fa.calls = 0;
		T.fa.fail_at = n;
		rc = rtrmod_instance_apply(T.inst, c, &diag);
		T.fa.fail_at = 0;
		if (rc == 0 && T.fa.calls < n)
			break;
		if (rc == 0) {
			ck_assert_uint_eq(rtrmod_instance_config(T.inst)->server.history, 4);
			ck_assert(port_listening("127.0.0.1", extra));
			rode_over++;
			back_to_base(port, &r, &s);
			continue;
		}
		failed++;
		ck_assert_msg(diag.text[0] != '\0', "allocation %ld: no diagnostic", n);
		same_as(&s);
		ck_assert(!port_listening("127.0.0.1", extra));
		ck_assert_int_ge(rtrmod_loop_run_once(T.loop, 0), 0);
		router_pump(r);
		ck_assert(!r->eof && !r->r.notify);
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_gt(failed, 50);
	cfg_free(c);
	/* now it is the new configuration */
	ck_assert_uint_eq(rtrmod_instance_config(T.inst)->server.history, 4);
	ck_assert_uint_eq(rtrmod_client_cache_count(rtrmod_instance_client(T.inst)), 2);
	ck_assert(port_listening("127.0.0.1", extra));
	ck_assert_uint_eq(serial_of(s.cache), s.serial + 1);
	ck_assert(run_until(got_notify, r, WAIT_MS));
	/* riding over happens only past the last step that can undo */
	ck_assert_uint_lt(rode_over, failed);
}
END_TEST

/* ---- odds and ends ----------------------------------------------------------------------------
 */

START_TEST(test_api_edges)
{
	struct rtrmod_instance *inst;
	struct rtrmod_config_diag diag;
	struct rtrmod_config *c;

	ck_assert_int_eq(rtrmod_instance_new(NULL, &inst), RTRMOD_EINVAL);
	ck_assert_ptr_null(inst);
	ck_assert_int_eq(rtrmod_instance_new(T.ctx, NULL), RTRMOD_EINVAL);
	rtrmod_instance_free(NULL);
	ck_assert_ptr_null(rtrmod_instance_config(T.inst));
	ck_assert_ptr_null(rtrmod_instance_cache(T.inst));
	ck_assert_ptr_null(rtrmod_instance_feed(T.inst));
	ck_assert_ptr_nonnull(rtrmod_instance_client(T.inst));
	ck_assert_int_eq(rtrmod_instance_reload_sources(T.inst), RTRMOD_ENOENT);
	/* sources by URL, a listener twice */
	c = cfg_new();
	cfg_add_listener(c, "127.0.0.1", 0);
	cfg_add_source(c, "web", SMALL_VRPS);
	c->sources.list[0].url = xstr("https://rpki.example/vrps.json");
	ck_assert_int_eq(rtrmod_instance_apply(T.inst, c, &diag), RTRMOD_ENOTSUP);
	ck_assert_str_eq(diag.path, "/rtrmod:rtrmod/sources/source[name='web']");
	cfg_free(c);
	c = cfg_new();
	cfg_add_listener(c, "127.0.0.1", 0);
	cfg_add_listener(c, "127.0.0.1", 0);
	ck_assert_int_eq(rtrmod_instance_apply(T.inst, c, &diag), RTRMOD_EEXIST);
	ck_assert_str_eq(diag.path,
			 "/rtrmod:rtrmod/cache-server/listener[address='127.0.0.1'][port='0']");
	cfg_free(c);
	ck_assert_ptr_null(rtrmod_instance_config(T.inst));
	ck_assert_ptr_null(rtrmod_instance_cache(T.inst));
	/* a configuration is copied: the caller's may go at once */
	c = cfg_new();
	cfg_add_cache(c, 9, 3);
	apply_ok(c);
	ck_assert_uint_eq(rtrmod_instance_config(T.inst)->caches[0].port, 9);
	ck_assert_str_eq(rtrmod_instance_config(T.inst)->name, "test.json");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("instance");
	TCase *tc = tcase_create("apply");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reapply_keeps_unchanged_cache);
	tcase_add_test(tc, test_reapply_preference_regroups);
	tcase_add_test(tc, test_remove_cache);
	tcase_add_test(tc, test_server_listeners_and_sources);
	tcase_add_test(tc, test_disable_server_closes_sessions);
	tcase_add_test(tc, test_failed_apply_changes_nothing);
	tcase_add_test(tc, test_relay);
	tcase_add_test(tc, test_host_caches_survive);
	tcase_add_test(tc, test_apply_alloc_failure);
	tcase_add_test(tc, test_api_edges);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
