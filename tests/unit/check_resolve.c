/*
 * check_resolve.c: resolve.c on the default loop: numeric addresses without
 * c-ares, "localhost" from /etc/hosts, and names answered by a fake DNS
 * server on 127.0.0.1 in this process (fake_dns.h): A and AAAA, NXDOMAIN,
 * SERVFAIL, silence (the deadline), a server that drops AAAA (the A answer
 * still comes), c-ares's retry schedule with three silent servers ending
 * within the budget, cancelling from inside a callback, the
 * channel closed once idle, freeing the context with a query out, and each
 * allocation through the context failing in turn.  Every wait is bounded.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rtrmod/rtrmod.h>

#include "check_main.h"
#include "test_loop.h"
#include "fake_dns.h"
#include "resolve_internal.h"
#include "test_alloc.h"

#define WAIT_MS 5000

/* One query's outcome. */
struct res {
	unsigned calls;
	int rc;
	size_t n;
	struct resolve_addr addrs[RESOLVE_ADDRS_MAX];
	char error[128];
	uint64_t at;
	/* what to do from inside the callback */
	struct resolve_query *cancel; /* another query */
	struct resolve_query *self;   /* this one: cancelling it is harmless */
};

struct fx {
	struct rtrmod_ctx *ctx;
	struct rtrmod_loop *loop;
	struct fake_dns *dns;
};

static struct fx T;

static void
log_quiet(void *arg, enum rtrmod_log_level level, const char *msg)
{
}

static void
on_result(void *arg, int rc, const struct resolve_addr *addrs, size_t n, const char *error)
{
	struct res *r = arg;

	r->calls++;
	r->rc = rc;
	r->n = n;
	ck_assert_uint_le(n, RESOLVE_ADDRS_MAX);
	if (n > 0)
		memcpy(r->addrs, addrs, n * sizeof(*addrs));
	snprintf(r->error, sizeof(r->error), "%s", error);
	r->at = T.loop != NULL ? rtrmod_loop_now_ms(T.loop) : 0;
	if (r->self != NULL)
		resolve_cancel(r->self);
	if (r->cancel != NULL)
		resolve_cancel(r->cancel);
}

static void
setup(void)
{
	memset(&T, 0, sizeof(T));
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &T.ctx), 0);
	rtrmod_ctx_set_log(T.ctx, log_quiet, NULL, RTRMOD_LOG_DEBUG);
	ck_assert_int_eq(rtrmod_loop_new(T.ctx, &T.loop), 0);
	T.dns = fake_dns_new(T.loop);
	ck_assert_int_eq(resolve_set_servers(T.ctx, fake_dns_servers(T.dns)), 0);
}

static void
teardown(void)
{
	fake_dns_free(T.dns);
	rtrmod_loop_free(T.loop);
	rtrmod_ctx_free(T.ctx);
	T.loop = NULL;
}

/* Run the loop until every result has been delivered, or `ms` pass. */
static bool
run_until_done(struct res *const *rs, size_t n, uint64_t ms)
{
	uint64_t end = rtrmod_loop_now_ms(T.loop) + ms;

	for (;;) {
		bool done = true;

		for (size_t i = 0; i < n; i++)
			done = done && rs[i]->calls > 0;
		if (done)
			return true;
		if (rtrmod_loop_now_ms(T.loop) >= end)
			return false;
		ck_assert_int_ge(rtrmod_loop_run_once(T.loop, 20), 0);
	}
}

static bool
run_one(struct res *r, uint64_t ms)
{
	return run_until_done(&r, 1, ms);
}

/* Run the loop for `ms`, whatever happens. */
static void
run_for(uint64_t ms)
{
	test_loop_for(T.loop, ms);
}

static bool
has_addr(const struct res *r, const char *text)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->addrs[i].text, text) == 0)
			return true;
	return false;
}

static size_t
index_of(const struct res *r, const char *text)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->addrs[i].text, text) == 0)
			return i;
	return SIZE_MAX;
}

/* Open descriptors of this process (the channel's sockets among them). */
static unsigned
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* ---- what a host is --------------------------------------------------------- */

START_TEST(test_host_kinds)
{
	struct resolve_addr a;
	char name[300];

	ck_assert(resolve_numeric("192.0.2.1", &a));
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_str_eq(a.text, "192.0.2.1");
	ck_assert(resolve_numeric("2001:DB8:0::1", &a));
	ck_assert_int_eq(a.family, AF_INET6);
	ck_assert_str_eq(a.text, "2001:db8::1");
	ck_assert(!resolve_numeric("fe80::1%eth0", NULL));
	ck_assert(!resolve_numeric("rpki.example.net", NULL));
	ck_assert(!resolve_numeric(NULL, NULL));

	ck_assert(resolve_host_valid("rpki.example.net"));
	ck_assert(resolve_host_valid("rpki.example.net."));
	ck_assert(resolve_host_valid("localhost"));
	ck_assert(resolve_host_valid("_rtr.Cache-1.example"));
	ck_assert(!resolve_host_valid(""));
	ck_assert(!resolve_host_valid("."));
	ck_assert(!resolve_host_valid("a..b"));
	ck_assert(!resolve_host_valid(".a"));
	ck_assert(!resolve_host_valid("rpki example"));
	ck_assert(!resolve_host_valid("rpki.example.net:323"));
	ck_assert(!resolve_host_valid("::1"));
	ck_assert(!resolve_host_valid(NULL));
	/* labels of 63, not 64; names of 253, not 254 (but with a final dot) */
	memset(name, 'a', 63);
	name[63] = '\0';
	ck_assert(resolve_host_valid(name));
	memset(name, 'a', 64);
	name[64] = '\0';
	ck_assert(!resolve_host_valid(name));
	for (int i = 0; i < 253; i++)
		name[i] = i % 2 == 1 ? '.' : 'a';
	name[253] = '\0';
	ck_assert(resolve_host_valid(name));
	name[253] = 'a';
	name[254] = '\0';
	ck_assert(!resolve_host_valid(name));
	name[253] = '.'; /* the 253 characters as an absolute name */
	ck_assert(resolve_host_valid(name));
	name[254] = '.';
	name[255] = '\0';
	ck_assert(!resolve_host_valid(name));
}
END_TEST

START_TEST(test_refusals)
{
	struct res r = {0};
	struct resolve_query *q = (void *)&r;
	struct rtrmod_ctx *bare;

	ck_assert_int_eq(resolve_start(T.ctx, "bad name", AF_UNSPEC, 1000, on_result, &r, &q),
			 RTRMOD_EINVAL);
	ck_assert_ptr_null(q);
	ck_assert_int_eq(resolve_start(T.ctx, "a.example", AF_UNIX, 1000, on_result, &r, &q),
			 RTRMOD_EINVAL);
	ck_assert_int_eq(resolve_start(T.ctx, "a.example", AF_UNSPEC, 0, on_result, &r, &q),
			 RTRMOD_EINVAL);
	ck_assert_int_eq(resolve_start(T.ctx, "a.example", AF_UNSPEC, 1000, NULL, &r, &q),
			 RTRMOD_EINVAL);
	ck_assert_int_eq(resolve_start(NULL, "a.example", AF_UNSPEC, 1000, on_result, &r, &q),
			 RTRMOD_EINVAL);
	/* No loop: nothing could ever deliver, so nothing starts. */
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &bare), 0);
	ck_assert_int_lt(resolve_start(bare, "192.0.2.1", AF_UNSPEC, 1000, on_result, &r, &q), 0);
	ck_assert_int_lt(resolve_start(bare, "a.example", AF_UNSPEC, 1000, on_result, &r, &q), 0);
	ck_assert_ptr_null(q);
	rtrmod_ctx_free(bare);
	run_for(50);
	ck_assert_uint_eq(r.calls, 0);
	resolve_cancel(NULL);
}
END_TEST

START_TEST(test_numeric_fast_path)
{
	struct res r4 = {0}, r6 = {0}, bad = {0};
	struct res *all[] = {&r4, &r6, &bad};
	struct resolve_query *q;
	unsigned fds = open_fds();

	ck_assert_int_eq(resolve_start(T.ctx, "192.0.2.1", AF_UNSPEC, 1000, on_result, &r4, &q), 0);
	ck_assert_int_eq(resolve_start(T.ctx, "2001:db8::1", AF_INET6, 1000, on_result, &r6, &q),
			 0);
	ck_assert_int_eq(resolve_start(T.ctx, "192.0.2.1", AF_INET6, 1000, on_result, &bad, &q), 0);
	/* Never from inside resolve_start(), and no socket for c-ares. */
	ck_assert_uint_eq(r4.calls + r6.calls + bad.calls, 0);
	ck_assert_uint_eq(open_fds(), fds);
	ck_assert(run_until_done(all, 3, WAIT_MS));
	ck_assert_int_eq(r4.rc, 0);
	ck_assert_uint_eq(r4.n, 1);
	ck_assert_int_eq(r4.addrs[0].family, AF_INET);
	ck_assert_str_eq(r4.addrs[0].text, "192.0.2.1");
	ck_assert_int_eq(r6.rc, 0);
	ck_assert_uint_eq(r6.n, 1);
	ck_assert_str_eq(r6.addrs[0].text, "2001:db8::1");
	ck_assert_int_eq(bad.rc, RTRMOD_ENOENT);
	ck_assert_uint_eq(bad.n, 0);
	ck_assert_str_eq(bad.error, "not an IPv6 address");
	run_for(30);
	ck_assert_uint_eq(r4.calls + r6.calls + bad.calls, 3);
}
END_TEST

START_TEST(test_localhost_from_hosts_file)
{
	struct res any = {0}, v4 = {0};
	struct res *all[] = {&any, &v4};
	struct resolve_query *q;

	ck_assert_int_eq(resolve_start(T.ctx, "localhost", AF_UNSPEC, 2000, on_result, &any, &q),
			 0);
	ck_assert_int_eq(resolve_start(T.ctx, "localhost", AF_INET, 2000, on_result, &v4, &q), 0);
	ck_assert_uint_eq(any.calls + v4.calls, 0);
	ck_assert(run_until_done(all, 2, WAIT_MS));
	ck_assert_int_eq(any.rc, 0);
	ck_assert_uint_ge(any.n, 1);
	for (size_t i = 0; i < any.n; i++)
		ck_assert(strcmp(any.addrs[i].text, "127.0.0.1") == 0 ||
			  strcmp(any.addrs[i].text, "::1") == 0);
	ck_assert_int_eq(v4.rc, 0);
	ck_assert_uint_eq(v4.n, 1);
	ck_assert_str_eq(v4.addrs[0].text, "127.0.0.1");
	/* RFC 6761 §6.3: no DNS question for localhost. */
	ck_assert_uint_eq(fake_dns_queries(T.dns, "localhost", 0), 0);
}
END_TEST

START_TEST(test_fake_dns_answers)
{
	static const char *const addrs[] = {"127.0.0.1", "::1", "127.0.0.2", NULL};
	struct res any = {0}, v4 = {0}, v6 = {0};
	struct res *all[] = {&any, &v4, &v6};
	struct resolve_query *q;
	unsigned fds = open_fds();

	fake_dns_set(T.dns, "cache.rtrmod.test", addrs);
	ck_assert_int_eq(
	    resolve_start(T.ctx, "cache.rtrmod.test", AF_UNSPEC, 3000, on_result, &any, &q), 0);
	ck_assert_int_eq(
	    resolve_start(T.ctx, "Cache.RTRmod.test.", AF_INET, 3000, on_result, &v4, &q), 0);
	ck_assert_int_eq(
	    resolve_start(T.ctx, "cache.rtrmod.test", AF_INET6, 3000, on_result, &v6, &q), 0);
	ck_assert(run_until_done(all, 3, WAIT_MS));
	ck_assert_int_eq(any.rc, 0);
	ck_assert_uint_eq(any.n, 3);
	ck_assert(has_addr(&any, "::1"));
	/* within a family the answer's order is kept */
	ck_assert_uint_lt(index_of(&any, "127.0.0.1"), index_of(&any, "127.0.0.2"));
	ck_assert_int_eq(v4.rc, 0);
	ck_assert_uint_eq(v4.n, 2);
	ck_assert_str_eq(v4.addrs[0].text, "127.0.0.1");
	ck_assert_str_eq(v4.addrs[1].text, "127.0.0.2");
	ck_assert_int_eq(v4.addrs[0].family, AF_INET);
	ck_assert_int_eq(v6.rc, 0);
	ck_assert_uint_eq(v6.n, 1);
	ck_assert_str_eq(v6.addrs[0].text, "::1");
	ck_assert_int_eq(v6.addrs[0].family, AF_INET6);
	/* AF_INET asked A only, AF_INET6 AAAA only, AF_UNSPEC both */
	ck_assert_uint_eq(fake_dns_queries(T.dns, "cache.rtrmod.test", 1), 2);
	ck_assert_uint_eq(fake_dns_queries(T.dns, "cache.rtrmod.test", 28), 2);
	/* Idle again: the channel and its sockets are gone. */
	ck_assert_uint_eq(open_fds(), fds);
}
END_TEST

START_TEST(test_nxdomain_servfail_nodata)
{
	static const char *const v6only[] = {"::1", NULL};
	struct res nx = {0}, sf = {0}, nodata = {0};
	struct res *all[] = {&nx, &sf, &nodata};
	struct resolve_query *q;

	fake_dns_set_rcode(T.dns, "broken.rtrmod.test", FAKE_DNS_SERVFAIL);
	fake_dns_set(T.dns, "six.rtrmod.test", v6only);
	ck_assert_int_eq(
	    resolve_start(T.ctx, "nx.rtrmod.test", AF_UNSPEC, 3000, on_result, &nx, &q), 0);
	ck_assert_int_eq(
	    resolve_start(T.ctx, "broken.rtrmod.test", AF_UNSPEC, 3000, on_result, &sf, &q), 0);
	ck_assert_int_eq(
	    resolve_start(T.ctx, "six.rtrmod.test", AF_INET, 3000, on_result, &nodata, &q), 0);
	ck_assert(run_until_done(all, 3, WAIT_MS));
	ck_assert_int_eq(nx.rc, RTRMOD_ENOENT);
	ck_assert_str_eq(nx.error, "NXDOMAIN");
	ck_assert_uint_eq(nx.n, 0);
	/* c-ares 1.18 reports a server that only fails as unreachable */
	ck_assert_int_eq(sf.rc, RTRMOD_EIO);
	ck_assert(strcmp(sf.error, "SERVFAIL") == 0 ||
		  strcmp(sf.error, "the name servers failed or could not be reached") == 0);
	ck_assert_int_eq(nodata.rc, RTRMOD_ENOENT);
	ck_assert_str_eq(nodata.error, "no IPv4 address (NODATA)");
	ck_assert_uint_ge(fake_dns_queries(T.dns, "nx.rtrmod.test", 0), 1);
}
END_TEST

START_TEST(test_silence_times_out)
{
	struct res r = {0};
	struct resolve_query *q;
	uint64_t start = rtrmod_loop_now_ms(T.loop);
	unsigned fds = open_fds();

	fake_dns_set_silent(T.dns, "silent.rtrmod.test");
	ck_assert_int_eq(
	    resolve_start(T.ctx, "silent.rtrmod.test", AF_UNSPEC, 600, on_result, &r, &q), 0);
	ck_assert(run_one(&r, WAIT_MS));
	ck_assert_int_eq(r.rc, RTRMOD_ETIMEDOUT);
	ck_assert_uint_eq(r.n, 0);
	/* c-ares's own rounds fit in the budget, else the deadline ends it */
	ck_assert_uint_le(r.at - start, 600 + 200);
	ck_assert_uint_ge(r.at - start, 300);
	ck_assert(strcmp(r.error, "no answer within 600 ms") == 0 ||
		  strcmp(r.error, "no answer from the name servers") == 0);
	ck_assert_uint_ge(fake_dns_queries(T.dns, "silent.rtrmod.test", 0), 1);
	run_for(30);
	ck_assert_uint_eq(r.calls, 1);
	ck_assert_uint_eq(open_fds(), fds);
}
END_TEST

/* Two name servers that answer A and drop AAAA: the IPv4 address is
 * delivered within the budget (c-ares's AF_UNSPEC lookup waits for both
 * families, and its schedule of two servers must fit the budget too). */
START_TEST(test_aaaa_dropped_a_delivered)
{
	static const char *const addrs[] = {"127.0.0.1", "::1", NULL};
	struct fake_dns *other = fake_dns_new(T.loop);
	struct res r = {0};
	struct resolve_query *q;
	char csv[96];
	uint64_t start;

	fake_dns_set(T.dns, "v4.rtrmod.test", addrs);
	fake_dns_set_drop(T.dns, "v4.rtrmod.test", 28);
	fake_dns_set(other, "v4.rtrmod.test", addrs);
	fake_dns_set_drop(other, "v4.rtrmod.test", 28);
	snprintf(csv, sizeof(csv), "%s,%s", fake_dns_servers(T.dns), fake_dns_servers(other));
	ck_assert_int_eq(resolve_set_servers(T.ctx, csv), 0);
	start = rtrmod_loop_now_ms(T.loop);
	ck_assert_int_eq(resolve_start(T.ctx, "v4.rtrmod.test", AF_UNSPEC, 1000, on_result, &r, &q),
			 0);
	ck_assert(run_one(&r, WAIT_MS));
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_str_eq(r.addrs[0].text, "127.0.0.1");
	ck_assert_uint_le(r.at - start, 1000 + 100);
	/* AAAA was asked of both servers */
	ck_assert_uint_ge(fake_dns_queries(T.dns, "v4.rtrmod.test", 28), 1);
	ck_assert_uint_ge(fake_dns_queries(other, "v4.rtrmod.test", 28), 1);
	fake_dns_free(other);
}
END_TEST

/* Three silent name servers: c-ares's whole schedule (each server asked in
 * every round) ends within the budget, with c-ares's own timeout rather
 * than the deadline cutting it short. */
START_TEST(test_three_silent_servers)
{
	struct fake_dns *more[2];
	struct res r = {0};
	struct resolve_query *q;
	char csv[128];
	uint64_t start;
	unsigned a0;

	for (int i = 0; i < 2; i++) {
		more[i] = fake_dns_new(T.loop);
		fake_dns_set_silent(more[i], "silent.rtrmod.test");
	}
	fake_dns_set_silent(T.dns, "silent.rtrmod.test");
	snprintf(csv, sizeof(csv), "%s,%s,%s", fake_dns_servers(T.dns), fake_dns_servers(more[0]),
		 fake_dns_servers(more[1]));
	ck_assert_int_eq(resolve_set_servers(T.ctx, csv), 0);
	start = rtrmod_loop_now_ms(T.loop);
	ck_assert_int_eq(
	    resolve_start(T.ctx, "silent.rtrmod.test", AF_UNSPEC, 1400, on_result, &r, &q), 0);
	ck_assert(run_one(&r, WAIT_MS));
	ck_assert_int_eq(r.rc, RTRMOD_ETIMEDOUT);
	ck_assert_uint_le(r.at - start, 1400 + 100);
	ck_assert_str_eq(r.error, "no answer from the name servers");
	/* every server had every round, for A and for AAAA */
	a0 = fake_dns_queries(T.dns, "silent.rtrmod.test", 1);
	ck_assert_uint_ge(a0, 2);
	ck_assert_uint_eq(fake_dns_queries(T.dns, "silent.rtrmod.test", 28), a0);
	for (int i = 0; i < 2; i++) {
		ck_assert_uint_eq(fake_dns_queries(more[i], "silent.rtrmod.test", 1), a0);
		ck_assert_uint_eq(fake_dns_queries(more[i], "silent.rtrmod.test", 28), a0);
		fake_dns_free(more[i]);
	}
}
END_TEST

START_TEST(test_cancel_from_callback)
{
	static const char *const addrs[] = {"127.0.0.1", NULL};
	struct res first = {0}, silent = {0}, numeric = {0}, after = {0};
	struct resolve_query *q_first, *q_silent, *q_numeric, *q;
	unsigned fds = open_fds();

	fake_dns_set(T.dns, "cache.rtrmod.test", addrs);
	fake_dns_set_silent(T.dns, "silent.rtrmod.test");
	ck_assert_int_eq(resolve_start(T.ctx, "silent.rtrmod.test", AF_UNSPEC, 400, on_result,
				       &silent, &q_silent),
			 0);
	ck_assert_int_eq(
	    resolve_start(T.ctx, "cache.rtrmod.test", AF_INET, 3000, on_result, &first, &q_first),
	    0);
	/* The answer's callback cancels the silent query, and itself. */
	first.cancel = q_silent;
	first.self = q_first;
	ck_assert(run_one(&first, WAIT_MS));
	ck_assert_int_eq(first.rc, 0);
	ck_assert_str_eq(first.addrs[0].text, "127.0.0.1");
	/* Well past the silent one's deadline: it never calls back. */
	run_for(600);
	ck_assert_uint_eq(silent.calls, 0);
	ck_assert_uint_eq(first.calls, 1);
	ck_assert_uint_eq(open_fds(), fds);

	/* A numeric answer waiting for its turn, cancelled from a callback. */
	ck_assert_int_eq(
	    resolve_start(T.ctx, "cache.rtrmod.test", AF_INET, 3000, on_result, &after, &q), 0);
	ck_assert(run_one(&after, WAIT_MS));
	memset(&after, 0, sizeof(after));
	ck_assert_int_eq(resolve_start(T.ctx, "localhost", AF_INET, 3000, on_result, &after, &q),
			 0);
	ck_assert_int_eq(
	    resolve_start(T.ctx, "192.0.2.9", AF_INET, 3000, on_result, &numeric, &q_numeric), 0);
	after.cancel = q_numeric;
	ck_assert(run_one(&after, WAIT_MS));
	run_for(50);
	ck_assert_uint_eq(numeric.calls, 0);

	/* Cancelled before anything ran. */
	memset(&after, 0, sizeof(after));
	ck_assert_int_eq(
	    resolve_start(T.ctx, "cache.rtrmod.test", AF_UNSPEC, 3000, on_result, &after, &q), 0);
	resolve_cancel(q);
	run_for(100);
	ck_assert_uint_eq(after.calls, 0);
	ck_assert_uint_eq(open_fds(), fds);
}
END_TEST

/* ---- the context goes with queries out ---------------------------------------------- */

struct counting {
	struct failing_alloc fa;
	long live;
};

static void *
count_malloc(void *arg, size_t size)
{
	struct counting *c = arg;
	void *p = failing_alloc_malloc(&c->fa, size);

	if (p != NULL)
		c->live++;
	return p;
}

static void *
count_realloc(void *arg, void *ptr, size_t size)
{
	struct counting *c = arg;
	void *p = failing_alloc_realloc(&c->fa, ptr, size);

	if (p != NULL && ptr == NULL)
		c->live++;
	return p;
}

static void
count_free(void *arg, void *ptr)
{
	struct counting *c = arg;

	if (ptr != NULL)
		c->live--;
	failing_alloc_free(&c->fa, ptr);
}

START_TEST(test_free_ctx_with_query_out)
{
	struct counting cnt = {{0, 0}, 0};
	struct rtrmod_allocator a = {count_malloc, count_realloc, count_free, &cnt};
	struct res r = {0}, n = {0};
	struct resolve_query *q;
	unsigned fds;

	teardown();
	fds = open_fds();
	ck_assert_int_eq(rtrmod_ctx_new(&a, &T.ctx), 0);
	rtrmod_ctx_set_log(T.ctx, log_quiet, NULL, RTRMOD_LOG_DEBUG);
	ck_assert_int_eq(rtrmod_loop_new(T.ctx, &T.loop), 0);
	T.dns = fake_dns_new(T.loop);
	fake_dns_set_silent(T.dns, "silent.rtrmod.test");
	ck_assert_int_eq(resolve_set_servers(T.ctx, fake_dns_servers(T.dns)), 0);
	ck_assert_int_eq(
	    resolve_start(T.ctx, "silent.rtrmod.test", AF_UNSPEC, 3000, on_result, &r, &q), 0);
	ck_assert_int_eq(resolve_start(T.ctx, "192.0.2.1", AF_UNSPEC, 3000, on_result, &n, &q), 0);
	/* until the question is out */
	for (int i = 0; i < 100 && fake_dns_queries(T.dns, "silent.rtrmod.test", 0) == 0; i++)
		ck_assert_int_ge(rtrmod_loop_run_once(T.loop, 20), 0);
	ck_assert_uint_ge(fake_dns_queries(T.dns, "silent.rtrmod.test", 0), 1);
	ck_assert_uint_eq(r.calls, 0);
	/* The loop goes first (as hosts must), then the context with the
	 * query and the channel. */
	fake_dns_free(T.dns);
	rtrmod_loop_free(T.loop);
	T.loop = NULL;
	rtrmod_ctx_free(T.ctx);
	ck_assert_uint_eq(r.calls, 0);
	ck_assert_int_eq(cnt.live, 0);
	ck_assert_uint_eq(open_fds(), fds);
	setup(); /* for the teardown */
}
END_TEST

/*
 * Fail each allocation through the context in turn, from the resolver's
 * first one to past the last of a full lookup: either resolve_start()
 * refuses (no callback) or the callback comes once, with the addresses or
 * RTRMOD_ENOMEM (a watch or timer the loop could not allocate shows as a
 * timeout); nothing leaks.
 */
START_TEST(test_allocation_failures)
{
	static const char *const addrs[] = {"127.0.0.1", "::1", NULL};
	bool refused = false, cb_nomem = false, ok = false;
	unsigned fds;

	teardown();
	fds = open_fds();
	for (long k = 1; k <= 40 && !(ok && k > 20); k++) {
		struct counting cnt = {{0, 0}, 0};
		struct rtrmod_allocator a = {count_malloc, count_realloc, count_free, &cnt};
		struct res r = {0};
		struct resolve_query *q;
		int rc;

		ck_assert_int_eq(rtrmod_ctx_new(&a, &T.ctx), 0);
		rtrmod_ctx_set_log(T.ctx, log_quiet, NULL, RTRMOD_LOG_DEBUG);
		ck_assert_int_eq(rtrmod_loop_new(T.ctx, &T.loop), 0);
		T.dns = fake_dns_new(T.loop);
		fake_dns_set(T.dns, "cache.rtrmod.test", addrs);
		cnt.fa.fail_at = cnt.fa.calls + k;
		rc = resolve_set_servers(T.ctx, fake_dns_servers(T.dns));
		if (rc == 0)
			rc = resolve_start(T.ctx, "cache.rtrmod.test", AF_UNSPEC, 1000, on_result,
					   &r, &q);
		if (rc != 0) {
			ck_assert(rc == RTRMOD_ENOMEM || rc == RTRMOD_ELOOP);
			refused = true;
			run_for(50);
			ck_assert_uint_eq(r.calls, 0);
		} else {
			ck_assert(run_one(&r, WAIT_MS));
			ck_assert(r.rc == 0 || r.rc == RTRMOD_ENOMEM || r.rc == RTRMOD_ETIMEDOUT);
			if (r.rc == 0) {
				ck_assert_uint_eq(r.n, 2);
				ok = cnt.fa.calls < cnt.fa.fail_at; /* nothing failed */
			}
			cb_nomem = cb_nomem || r.rc == RTRMOD_ENOMEM;
			run_for(30);
			ck_assert_uint_eq(r.calls, 1);
		}
		fake_dns_free(T.dns);
		rtrmod_loop_free(T.loop);
		T.loop = NULL;
		rtrmod_ctx_free(T.ctx);
		ck_assert_int_eq(cnt.live, 0);
	}
	ck_assert(refused);
	ck_assert(cb_nomem);
	ck_assert(ok);
	ck_assert_uint_eq(open_fds(), fds);
	setup();
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("resolve");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_host_kinds);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_numeric_fast_path);
	tcase_add_test(tc, test_localhost_from_hosts_file);
	tcase_add_test(tc, test_fake_dns_answers);
	tcase_add_test(tc, test_nxdomain_servfail_nodata);
	tcase_add_test(tc, test_silence_times_out);
	tcase_add_test(tc, test_aaaa_dropped_a_delivered);
	tcase_add_test(tc, test_three_silent_servers);
	tcase_add_test(tc, test_cancel_from_callback);
	tcase_add_test(tc, test_free_ctx_with_query_out);
	tcase_add_test(tc, test_allocation_failures);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
