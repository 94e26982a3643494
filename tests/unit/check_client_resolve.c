/*
 * check_client_resolve.c: the RTR client connecting to caches by host name,
 * end to end on the default loop: the in-process rtrmod_cache on loopback,
 * names from /etc/hosts ("localhost") or from a fake DNS server in this
 * process (fake_dns.h).  A name syncs; a dead first address gives way to
 * the next within one attempt; NXDOMAIN is a transport error with its text
 * and is retried; a reconnect resolves afresh and follows a changed
 * answer; an address that accepts and then fails the session gives way to
 * the next at the following attempt; a local address limits the family
 * asked for; removing a cache or
 * freeing the client with a lookup out is clean.  Every wait is bounded.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rtrmod/rtrmod.h>

#include "cache_fixture.h"
#include "check_main.h"
#include "test_loop.h"
#include "fake_dns.h"
#include "resolve_internal.h"

#define WAIT_MS 5000
#define NAME    "cache.rtrmod.test"

static const char *const set_a_lines[] = {
    "10.0.0.0/8 8 AS65001",
    "2001:db8::/32 48 AS65001",
    "aspa AS64500 AS1 AS2",
    NULL,
};
static const char *const set_b_lines[] = {
    "10.0.0.0/8 8 AS65001",
    "192.0.2.0/24 24 AS65004",
    NULL,
};

struct fx {
	struct rtrmod_ctx *ctx;
	struct rtrmod_loop *loop;
	struct fake_dns *dns;
	struct rtrmod_cache *cache[2];
	uint16_t port;
	struct rtrmod_client *client;
	struct rtrmod_set *a, *b;
	/* states the first cache went through, in order */
	unsigned idles, connectings;
	bool saw_resolving_log;
	bool saw_failover_log; /* 127.0.0.3 failed, the next one tried */
};

static struct fx T;

static void
log_capture(void *arg, enum rtrmod_log_level level, const char *msg)
{
	if (strstr(msg, ": resolving ") != NULL)
		T.saw_resolving_log = true;
	if (strstr(msg, ": 127.0.0.3: ") != NULL && strstr(msg, "; trying ") != NULL)
		T.saw_failover_log = true;
}

static void
on_status(void *arg, struct rtrmod_client *c, const struct rtrmod_client_cache *cc)
{
	if (cc != rtrmod_client_cache_at(c, 0))
		return;
	if (rtrmod_client_cache_state(cc) == RTRMOD_CLIENT_IDLE)
		T.idles++;
	if (rtrmod_client_cache_state(cc) == RTRMOD_CLIENT_CONNECTING)
		T.connectings++;
}

/* Cache i serving `set` on `addr`:T.port (port 0: any, kept in T.port). */
static void
cache_up(int i, const char *addr, struct rtrmod_set *set)
{
	ck_assert_int_eq(rtrmod_cache_new(T.ctx, &T.cache[i]), 0);
	ck_assert_int_eq(rtrmod_cache_set_timers(T.cache[i], 60, 1, 600), 0);
	ck_assert_int_eq(rtrmod_cache_update(T.cache[i], set), 0);
	ck_assert_int_eq(rtrmod_cache_listen(T.cache[i], addr, T.port, &T.port), 0);
}

static void
setup(void)
{
	memset(&T, 0, sizeof(T));
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &T.ctx), 0);
	rtrmod_ctx_set_log(T.ctx, log_capture, NULL, RTRMOD_LOG_DEBUG);
	ck_assert_int_eq(rtrmod_loop_new(T.ctx, &T.loop), 0);
	T.dns = fake_dns_new(T.loop);
	ck_assert_int_eq(resolve_set_servers(T.ctx, fake_dns_servers(T.dns)), 0);
	T.a = fx_set(T.ctx, set_a_lines);
	T.b = fx_set(T.ctx, set_b_lines);
	ck_assert_int_eq(rtrmod_client_new(T.ctx, &T.client), 0);
	rtrmod_client_set_status_cb(T.client, on_status, NULL);
}

static void
teardown(void)
{
	rtrmod_client_free(T.client);
	rtrmod_cache_free(T.cache[0]);
	rtrmod_cache_free(T.cache[1]);
	rtrmod_set_unref(T.a);
	rtrmod_set_unref(T.b);
	fake_dns_free(T.dns);
	rtrmod_loop_free(T.loop);
	rtrmod_ctx_free(T.ctx);
}

static bool
run_until(test_cond_fn *cond, void *arg, uint64_t ms)
{
	return test_loop_until(T.loop, cond, arg, ms);
}

static void
run_for(uint64_t ms)
{
	test_loop_for(T.loop, ms);
}

static bool
table_is(void *arg)
{
	return rtrmod_set_equal(rtrmod_client_set(T.client), arg);
}

static bool
state_is(void *arg)
{
	const struct rtrmod_client_cache *cc = rtrmod_client_cache_at(T.client, 0);

	return rtrmod_client_cache_state(cc) == *(enum rtrmod_client_state *)arg;
}

/* A questions for NAME (one per lookup) reach *arg. */
static bool
queries_reach(void *arg)
{
	return fake_dns_queries(T.dns, NAME, 1) >= *(unsigned *)arg;
}

static struct rtrmod_client_cache *
add(const char *host)
{
	struct rtrmod_client_cache *cc;

	ck_assert_int_eq(rtrmod_client_add_cache(T.client, host, T.port, 1, "tcp", &cc), 0);
	ck_assert_int_eq(rtrmod_client_cache_set_timers(cc, 60, 1, 600), 0);
	ck_assert_int_eq(rtrmod_client_cache_set_timeout(cc, 2000), 0);
	return cc;
}

START_TEST(test_names_accepted_or_refused)
{
	struct rtrmod_client_cache *cc;
	char name[32];

	ck_assert_int_eq(rtrmod_client_add_cache(T.client, "rpki.example.net", 3323, 1, "tcp", &cc),
			 0);
	ck_assert_str_eq(rtrmod_client_cache_name(cc), "rpki.example.net:3323");
	ck_assert_str_eq(rtrmod_client_cache_host(cc), "rpki.example.net");
	ck_assert_ptr_null(rtrmod_client_cache_peer_address(cc));
	/* Of a name's addresses, the local address's family is used. */
	ck_assert_int_eq(rtrmod_client_cache_set_local_address(cc, "2001:db8::2"), 0);
	ck_assert_int_eq(rtrmod_client_cache_set_local_address(cc, "192.0.2.2"), 0);
	ck_assert_int_eq(rtrmod_client_cache_set_local_address(cc, "not.numeric"), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_client_add_cache(T.client, "2001:db8::1", 323, 1, "tcp", &cc), 0);
	ck_assert_str_eq(rtrmod_client_cache_name(cc), "[2001:db8::1]:323");
	ck_assert_int_eq(rtrmod_client_cache_set_local_address(cc, "192.0.2.2"), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_client_add_cache(T.client, "rpki example", 323, 1, "tcp", &cc),
			 RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_client_add_cache(T.client, "fe80::1%eth0", 323, 1, "tcp", &cc),
			 RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_client_add_cache(T.client, "", 323, 1, "tcp", &cc), RTRMOD_EINVAL);
	snprintf(name, sizeof(name), "a..b");
	ck_assert_int_eq(rtrmod_client_add_cache(T.client, name, 323, 1, "tcp", &cc),
			 RTRMOD_EINVAL);
	ck_assert_uint_eq(rtrmod_client_cache_count(T.client), 2);
}
END_TEST

START_TEST(test_localhost_syncs)
{
	const struct rtrmod_client_cache *cc;

	cache_up(0, "127.0.0.1", T.a);
	cc = add("localhost");
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	ck_assert_int_eq(rtrmod_client_cache_state(cc), RTRMOD_CLIENT_ESTABLISHED);
	ck_assert_str_eq(rtrmod_client_cache_peer_address(cc), "127.0.0.1");
	ck_assert_str_eq(rtrmod_client_cache_host(cc), "localhost");
	ck_assert(T.saw_resolving_log);
	/* /etc/hosts answered: no DNS question. */
	ck_assert_uint_eq(fake_dns_queries(T.dns, "localhost", 0), 0);
}
END_TEST

START_TEST(test_name_from_dns_syncs)
{
	static const char *const addrs[] = {"127.0.0.1", NULL};
	const struct rtrmod_client_cache *cc;
	char name[64];

	fake_dns_set(T.dns, NAME, addrs);
	cache_up(0, "127.0.0.1", T.a);
	cc = add(NAME);
	snprintf(name, sizeof(name), NAME ":%u", (unsigned)T.port);
	ck_assert_str_eq(rtrmod_client_cache_name(cc), name);
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	ck_assert_str_eq(rtrmod_client_cache_peer_address(cc), "127.0.0.1");
	ck_assert_uint_ge(fake_dns_queries(T.dns, NAME, 1), 1);
	ck_assert_uint_eq(T.idles, 0);
}
END_TEST

START_TEST(test_dead_first_address_gives_way)
{
	/* Nothing listens on 127.0.0.3 (refused) nor on ::1 (refused, or no
	 * IPv6 at all): 127.0.0.1 is reached in the first attempt. */
	static const char *const addrs[] = {"127.0.0.3", "::1", "127.0.0.1", NULL};
	const struct rtrmod_client_cache *cc;

	fake_dns_set(T.dns, NAME, addrs);
	cache_up(0, "127.0.0.1", T.a);
	cc = add(NAME);
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	ck_assert_str_eq(rtrmod_client_cache_peer_address(cc), "127.0.0.1");
	ck_assert(T.saw_failover_log);
	/* one attempt: never idle, one lookup (an A and an AAAA question) */
	ck_assert_uint_eq(T.idles, 0);
	ck_assert_uint_eq(T.connectings, 1);
	ck_assert_uint_eq(fake_dns_queries(T.dns, NAME, 1), 1);
	ck_assert_uint_eq(fake_dns_queries(T.dns, NAME, 28), 1);
}
END_TEST

START_TEST(test_all_addresses_dead)
{
	static const char *const addrs[] = {"127.0.0.3", "127.0.0.4", NULL};
	enum rtrmod_client_state idle = RTRMOD_CLIENT_IDLE;
	const struct rtrmod_client_cache *cc;
	const char *text = NULL;
	int code = 0;

	fake_dns_set(T.dns, NAME, addrs);
	cache_up(0, "127.0.0.1", T.a);
	cc = add(NAME);
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(state_is, &idle, WAIT_MS));
	ck_assert_int_eq(rtrmod_client_cache_last_error(cc, &code, &text),
			 RTRMOD_CLIENT_ERR_TRANSPORT);
	/* the last address tried is named */
	ck_assert_ptr_nonnull(strstr(text, "127.0.0.4"));
	ck_assert_ptr_null(rtrmod_client_cache_peer_address(cc));
}
END_TEST

START_TEST(test_nxdomain_is_retried)
{
	static const char *const addrs[] = {"127.0.0.1", NULL};
	enum rtrmod_client_state idle = RTRMOD_CLIENT_IDLE;
	const struct rtrmod_client_cache *cc;
	const char *text = NULL;
	int code = 0;
	unsigned two = 2;
	char want[128];

	cache_up(0, "127.0.0.1", T.a);
	fake_dns_set_rcode(T.dns, NAME, FAKE_DNS_NXDOMAIN);
	cc = add(NAME);
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(state_is, &idle, WAIT_MS));
	ck_assert_int_eq(rtrmod_client_cache_last_error(cc, &code, &text),
			 RTRMOD_CLIENT_ERR_TRANSPORT);
	ck_assert_int_eq(code, -1);
	snprintf(want, sizeof(want), "cannot resolve %s: NXDOMAIN", NAME);
	ck_assert_str_eq(text, want);
	ck_assert_ptr_null(rtrmod_client_cache_data(cc));
	/* After the retry interval (1 s) the name is asked again ... */
	ck_assert(run_until(queries_reach, &two, 3000));
	ck_assert_uint_ge(T.idles, 1);
	/* ... and once it exists, the cache syncs. */
	fake_dns_set(T.dns, NAME, addrs);
	ck_assert(run_until(table_is, T.a, 3000));
	ck_assert_str_eq(rtrmod_client_cache_peer_address(cc), "127.0.0.1");
}
END_TEST

START_TEST(test_silent_dns_times_out)
{
	enum rtrmod_client_state idle = RTRMOD_CLIENT_IDLE;
	const struct rtrmod_client_cache *cc;
	const char *text = NULL;
	int code = 0;
	uint64_t t0 = rtrmod_loop_now_ms(T.loop);

	cache_up(0, "127.0.0.1", T.a);
	fake_dns_set_silent(T.dns, NAME);
	cc = add(NAME); /* a 2000 ms I/O timeout */
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(state_is, &idle, WAIT_MS));
	/* within the I/O timeout, reported as the lookup's failure */
	ck_assert_uint_le(rtrmod_loop_now_ms(T.loop) - t0, 2000 + 300);
	ck_assert_int_eq(rtrmod_client_cache_last_error(cc, &code, &text),
			 RTRMOD_CLIENT_ERR_TRANSPORT);
	ck_assert_ptr_nonnull(strstr(text, "cannot resolve " NAME ": "));
}
END_TEST

START_TEST(test_reconnect_resolves_again)
{
	static const char *const first[] = {"127.0.0.1", NULL};
	static const char *const second[] = {"127.0.0.2", NULL};
	const struct rtrmod_client_cache *cc;

	cache_up(0, "127.0.0.1", T.a);
	cache_up(1, "127.0.0.2", T.b); /* the same port on another address */
	fake_dns_set(T.dns, NAME, first);
	cc = add(NAME);
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	ck_assert_str_eq(rtrmod_client_cache_peer_address(cc), "127.0.0.1");
	ck_assert_uint_eq(fake_dns_queries(T.dns, NAME, 1), 1);
	/* The name moves and the old cache goes away: the reconnect after
	 * the retry interval asks again and follows. */
	fake_dns_set(T.dns, NAME, second);
	rtrmod_cache_free(T.cache[0]);
	T.cache[0] = NULL;
	ck_assert(run_until(table_is, T.b, WAIT_MS));
	ck_assert_str_eq(rtrmod_client_cache_peer_address(cc), "127.0.0.2");
	ck_assert_uint_ge(fake_dns_queries(T.dns, NAME, 1), 2);
}
END_TEST

/* A "cache" that accepts a connection and closes it at once. */
struct slammer {
	int fd;
	void *watch;
	unsigned accepted;
};

static void
slam_cb(void *arg, int fd, enum rtrmod_io_event event)
{
	struct slammer *sl = arg;
	int c;

	(void)event;
	for (int i = 0; i < 16 && (c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;
	     i++) {
		sl->accepted++;
		close(c);
	}
}

static void
slammer_up(struct slammer *sl, const char *addr, uint16_t port)
{
	struct sockaddr_in sin;
	int one = 1;

	memset(sl, 0, sizeof(*sl));
	sl->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(sl->fd, 0);
	ck_assert_int_eq(setsockopt(sl->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	ck_assert_int_eq(bind(sl->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(sl->fd, 8), 0);
	ck_assert_int_eq(rtrmod_loop_watch(T.loop, sl->fd, RTRMOD_IO_READ, slam_cb, sl, &sl->watch),
			 0);
}

static void
slammer_down(struct slammer *sl)
{
	rtrmod_loop_unwatch(T.loop, sl->watch);
	close(sl->fd);
}

/* 127.0.0.1 accepts and closes; 127.0.0.2 is a good cache.  The first
 * attempt fails on 127.0.0.1 after connecting; the next one, resolving
 * again, begins with 127.0.0.2 and syncs. */
START_TEST(test_failed_after_connect_gives_way)
{
	static const char *const addrs[] = {"127.0.0.1", "127.0.0.2", NULL};
	const struct rtrmod_client_cache *cc;
	struct slammer sl;

	cache_up(1, "127.0.0.2", T.b);
	slammer_up(&sl, "127.0.0.1", T.port);
	fake_dns_set(T.dns, NAME, addrs);
	cc = add(NAME); /* a retry interval of 1 s */
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(table_is, T.b, WAIT_MS));
	ck_assert_str_eq(rtrmod_client_cache_peer_address(cc), "127.0.0.2");
	/* one connection to the bad address; the second attempt went on */
	ck_assert_uint_eq(sl.accepted, 1);
	ck_assert_uint_eq(T.idles, 1);
	ck_assert_uint_eq(T.connectings, 2);
	/* the name was resolved at each attempt */
	ck_assert_uint_eq(fake_dns_queries(T.dns, NAME, 1), 2);
	slammer_down(&sl);
}
END_TEST

START_TEST(test_local_address_picks_family)
{
	static const char *const addrs[] = {"::1", "127.0.0.1", NULL};
	const struct rtrmod_client_cache *cc;
	struct rtrmod_client_cache *m;

	fake_dns_set(T.dns, NAME, addrs);
	cache_up(0, "127.0.0.1", T.a);
	ck_assert_int_eq(rtrmod_client_add_cache(T.client, NAME, T.port, 1, "tcp", &m), 0);
	ck_assert_int_eq(rtrmod_client_cache_set_local_address(m, "127.0.0.1"), 0);
	cc = m;
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	ck_assert_str_eq(rtrmod_client_cache_peer_address(cc), "127.0.0.1");
	/* IPv4 only was asked for */
	ck_assert_uint_eq(fake_dns_queries(T.dns, NAME, 28), 0);
	ck_assert_uint_ge(fake_dns_queries(T.dns, NAME, 1), 1);
}
END_TEST

START_TEST(test_remove_and_free_while_resolving)
{
	static const char *const addrs[] = {"127.0.0.1", NULL};
	struct rtrmod_client_cache *gone;
	unsigned one = 1;

	cache_up(0, "127.0.0.1", T.a);
	fake_dns_set_silent(T.dns, NAME);
	fake_dns_set_silent(T.dns, "other.rtrmod.test");
	gone = add(NAME);
	(void)add("other.rtrmod.test");
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(queries_reach, &one, WAIT_MS));
	ck_assert_int_eq(rtrmod_client_cache_state(gone), RTRMOD_CLIENT_CONNECTING);
	ck_assert_int_eq(rtrmod_client_remove_cache(T.client, gone), 0);
	/* The answer comes now: nobody is waiting for it. */
	fake_dns_set(T.dns, NAME, addrs);
	run_for(300);
	ck_assert_uint_eq(rtrmod_client_cache_count(T.client), 1);
	/* The other lookup is still out when the client goes (teardown). */
	ck_assert_int_eq(rtrmod_client_cache_state(rtrmod_client_cache_at(T.client, 0)),
			 RTRMOD_CLIENT_CONNECTING);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("client_resolve");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_names_accepted_or_refused);
	tcase_add_test(tc, test_localhost_syncs);
	tcase_add_test(tc, test_name_from_dns_syncs);
	tcase_add_test(tc, test_dead_first_address_gives_way);
	tcase_add_test(tc, test_all_addresses_dead);
	tcase_add_test(tc, test_nxdomain_is_retried);
	tcase_add_test(tc, test_silent_dns_times_out);
	tcase_add_test(tc, test_reconnect_resolves_again);
	tcase_add_test(tc, test_failed_after_connect_gives_way);
	tcase_add_test(tc, test_local_address_picks_family);
	tcase_add_test(tc, test_remove_and_free_while_resolving);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
