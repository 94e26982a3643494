/*
 * instance_fixture.c: the environment of the rtrmod_instance tests
 * (instance_fixture.h).  Every wait runs the loop in steps of at most
 * 10 ms, pumps every open router between steps and ends at its deadline;
 * routers and upstream caches opened in a test are closed by teardown().
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

#include <check.h>

#include "cache_fixture.h"
#include "instance_fixture.h"

struct env T;

static const char *const set_c_lines[] = {
    "198.51.100.0/24 24 AS65010",
    "aspa AS64501 AS7",
    NULL,
};

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

void
setup(void)
{
	memset(&T, 0, sizeof(T));
	T.al = failing_alloc_allocator(&T.fa);
	ck_assert_int_eq(rtrmod_ctx_new(&T.al, &T.ctx), 0);
	rtrmod_ctx_set_log(T.ctx, getenv("INST_LOG") ? NULL : log_quiet, NULL, RTRMOD_LOG_DEBUG);
	ck_assert_int_eq(rtrmod_loop_new(T.ctx, &T.loop), 0);
	T.a = fx_set(T.ctx, fx_set_a_lines);
	T.b = fx_set(T.ctx, fx_set_b_lines);
	T.c = fx_set(T.ctx, set_c_lines);
	ck_assert_int_eq(rtrmod_instance_new(T.ctx, &T.inst), 0);
	rtrmod_instance_set_update_cb(T.inst, on_update, NULL);
	rtrmod_instance_set_status_cb(T.inst, on_status, NULL);
}

void
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
void
upstream(int i, struct rtrmod_set *set)
{
	ck_assert_int_eq(rtrmod_cache_new(T.ctx, &T.up[i]), 0);
	ck_assert_int_eq(rtrmod_cache_set_timers(T.up[i], 60, 1, 600), 0);
	ck_assert_int_eq(rtrmod_cache_update(T.up[i], set), 0);
	ck_assert_int_eq(rtrmod_cache_listen(T.up[i], "127.0.0.1", 0, &T.up_port[i]), 0);
}

/* ---- configurations ------------------------------------------------------------ */

char *
xstr(const char *s)
{
	char *d = rtrmod_ctx_malloc(T.ctx, strlen(s) + 1);

	ck_assert_ptr_nonnull(d);
	strcpy(d, s);
	return d;
}

void *
grow(void *p, size_t n, size_t size)
{
	p = rtrmod_ctx_realloc(T.ctx, p, n * size);
	ck_assert_ptr_nonnull(p);
	return p;
}

struct rtrmod_config *
cfg_new(void)
{
	struct rtrmod_config *c = cfg_new_default(T.ctx);

	ck_assert_ptr_nonnull(c);
	c->name = xstr("test.json");
	return c;
}

/* Short retry so a reconnect happens within the test's bounds. */
struct cfg_cache *
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

void
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

void
cfg_add_source(struct rtrmod_config *c, const char *name, const char *file)
{
	struct cfg_source *s;

	c->sources.list = grow(c->sources.list, c->sources.n + 1, sizeof(*c->sources.list));
	s = &c->sources.list[c->sources.n++];
	memset(s, 0, sizeof(*s));
	s->name = xstr(name);
	s->file = xstr(file);
}

void
cfg_add_slurm(struct rtrmod_config *c, const char *file)
{
	c->sources.slurm = grow(c->sources.slurm, c->sources.nslurm + 1, sizeof(char *));
	c->sources.slurm[c->sources.nslurm++] = xstr(file);
}

void
apply_ok(struct rtrmod_config *c)
{
	struct rtrmod_config_diag diag;
	int rc = rtrmod_instance_apply(T.inst, c, &diag);

	ck_assert_msg(rc == 0, "apply: %s: %s", rtrmod_strerror(rc), diag.text);
	cfg_free(c);
}

void
apply_caches(int i, unsigned pi, int j, unsigned pj)
{
	struct rtrmod_config *c = cfg_new();

	cfg_add_cache(c, T.up_port[i], pi);
	cfg_add_cache(c, T.up_port[j], pj);
	apply_ok(c);
}

/* ---- routers and waiting ----------------------------------------------------------- */

struct router *
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

struct router *
router_open(uint16_t port, uint8_t version)
{
	return router_open_at("127.0.0.1", port, version);
}

void
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

void
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

void
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

/* Serial Notify, Serial Query, End of Data: the router follows a change. */
void
router_follow(struct router *r)
{
	ck_assert(run_until(got_notify, r, WAIT_MS));
	router_serial_query(r);
	ck_assert(run_until(got_eod, r, WAIT_MS));
	ck_assert_msg(r->r.problem[0] == '\0', "%s", r->r.problem);
}

/* Steps of at most 10 ms, the routers pumped before each look at cond. */
bool
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
void
run_for(uint64_t ms)
{
	(void)run_until(never, NULL, ms);
}

bool
table_is(void *arg)
{
	return rtrmod_set_equal(rtrmod_client_set(rtrmod_instance_client(T.inst)), arg);
}

bool
got_eod(void *arg)
{
	return ((struct router *)arg)->r.eod;
}

bool
got_notify(void *arg)
{
	return ((struct router *)arg)->r.notify;
}

bool
got_eof(void *arg)
{
	return ((struct router *)arg)->eof;
}

bool
sessions_are(void *arg)
{
	const struct count_is *c = arg;

	return rtrmod_cache_sessions(c->cache, NULL, NULL) == c->sessions;
}

bool
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

static char peer_text[64]; /* note_peer's */

static void
note_peer(void *arg, const struct rtrmod_cache_session *s)
{
	snprintf(peer_text, sizeof(peer_text), "%s", rtrmod_cache_session_peer(s));
}

/* The peer of a cache's only session. */
void
only_peer(struct rtrmod_cache *cache, char *out, size_t size)
{
	peer_text[0] = '\0';
	ck_assert_uint_eq(rtrmod_cache_sessions(cache, note_peer, NULL), 1);
	snprintf(out, size, "%s", peer_text);
}

/* Whether a socket listens on addr:port, found without connecting (a
 * connection would become a session): with SO_REUSEADDR, Linux refuses the
 * bind only for a listening socket, not for sessions or TIME_WAIT. */
bool
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
uint16_t
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

uint32_t
serial_of(struct rtrmod_cache *cache)
{
	uint32_t serial = 0;

	ck_assert_int_eq(rtrmod_cache_serial(cache, &serial), 0);
	return serial;
}
