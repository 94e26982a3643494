/*
 * check_instance_apply.c: re-applying a configuration
 * (module/instance_apply.c) end to end on the built-in loop over loopback
 * TCP (instance_fixture.h).  A re-apply keeps an unchanged cache's very
 * TCP connection (same peer port, no new accept) while a changed one
 * reconnects; a preference change regroups; a removed cache's session
 * closes; a new listener leaves the first router's session and the serial
 * alone; a source change that gives the same set does not bump the
 * serial; a failed apply (port in use, missing source, bad SLURM, what
 * only the core refuses, each allocation failing in turn) names the item
 * and leaves everything as it was.  Every wait is bounded.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rtrmod/rtrmod.h>

#include "cache_fixture.h"
#include "check_main.h"
#include "instance_fixture.h"
#include "instance_internal.h"

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
	apply_caches(0, 5, 1, 5);
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
	apply_caches(0, 5, 2, 5);
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
	struct count_is b_gone = {NULL, 0};
	unsigned pref = 0;

	upstream(0, T.a);
	upstream(1, T.b);
	apply_caches(0, 5, 1, 5);
	ck_assert(run_until(all_established, NULL, WAIT_MS));
	apply_caches(0, 5, 1, 9);
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
	apply_caches(0, 5, 1, 5);
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

/* ---- (c): the cache server's listeners and sources ------------------------------------- */

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
	router_follow(r1);
	ck_assert(rtr_router_matches(&r1->r, rtrmod_feed_set(feed)));
	ck_assert_uint_eq(r1->r.serial, serial + 1);
	ck_assert_uint_eq(rtrmod_cache_counter(cache, RTRMOD_CACHE_CNT_ACCEPTED), 2);
	/* reload now: the same files, the same set */
	ck_assert_int_eq(rtrmod_instance_reload_sources(T.inst), 0);
	ck_assert_uint_eq(serial_of(cache), serial + 1);
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

/* Upstreams A and B, the base configuration in place and synced, a router
 * on `port` synced; its snapshot in *s. */
static struct router *
start_base(uint16_t port, struct snapshot *s)
{
	struct router *r;

	upstream(0, T.a);
	upstream(1, T.b);
	apply_ok(base_config(port));
	r = router_open(port, 2);
	ck_assert(run_until(got_eod, r, WAIT_MS));
	ck_assert(run_until(all_established, NULL, WAIT_MS));
	snapshot(s);
	return r;
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

	r = start_base(port, &s);

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
		 "/rtrmod:rtrmod/client/cache-servers/"
		 "cache-server[address='127.0.0.1'][server-port='%u']",
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

	/* 5: the listener 127.0.0.1 replaced by the wildcard on the same port:
	 * the wildcard cannot be bound while the old one is open, and the
	 * message says so and how to get there */
	c = base_config(port);
	snprintf(c->server.listeners[0].address, sizeof(c->server.listeners[0].address),
		 "0.0.0.0");
	ck_assert_int_eq(rtrmod_instance_apply(T.inst, c, &diag), RTRMOD_EEXIST);
	snprintf(want, sizeof(want),
		 "/rtrmod:rtrmod/cache-server/listener[address='0.0.0.0'][port='%u']",
		 (unsigned)port);
	ck_assert_str_eq(diag.path, want);
	ck_assert_msg(strstr(diag.text, "by listener 127.0.0.1 port") != NULL &&
			  strstr(diag.text, "with the next") != NULL,
		      "%s", diag.text);
	cfg_free(c);
	same_as(&s);

	ck_assert_int_eq(rtrmod_instance_apply(T.inst, NULL, &diag), RTRMOD_EINVAL);
	run_for(200);
	same_as(&s);
	ck_assert(!r->eof && !r->r.notify);
}
END_TEST

/* A foreign socket blocks a new listener while a removed listener on the
 * same port does not overlap it: the plain reason, no two-step advice
 * blaming the removed one. */
START_TEST(test_listener_conflict_blames_only_overlap)
{
	struct rtrmod_config_diag diag;
	struct rtrmod_config *c;
	struct snapshot s;
	uint16_t port = free_port();
	int busy;

	(void)start_base(port, &s);
	c = base_config(port);
	cfg_add_listener(c, "127.0.0.2", port);
	apply_ok(c);
	ck_assert(port_listening("127.0.0.2", port));
	ck_assert_int_eq(rtrmod_tcp_listen(T.ctx, "127.0.0.3", port, 1, &busy), 0);

	c = base_config(port); /* 127.0.0.2 removed, 127.0.0.3 taken by `busy` */
	cfg_add_listener(c, "127.0.0.3", port);
	ck_assert_int_eq(rtrmod_instance_apply(T.inst, c, &diag), RTRMOD_EEXIST);
	ck_assert_msg(strstr(diag.text, "address already in use") != NULL &&
			  strstr(diag.text, "by listener") == NULL,
		      "%s", diag.text);
	ck_assert(port_listening("127.0.0.2", port)); /* nothing changed */
	cfg_free(c);
	close(busy);
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

	r = start_base(port, &s);
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

static Suite *
make_suite(void)
{
	Suite *s = suite_create("instance_apply");
	TCase *tc = tcase_create("apply");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reapply_keeps_unchanged_cache);
	tcase_add_test(tc, test_reapply_preference_regroups);
	tcase_add_test(tc, test_remove_cache);
	tcase_add_test(tc, test_server_listeners_and_sources);
	tcase_add_test(tc, test_failed_apply_changes_nothing);
	tcase_add_test(tc, test_listener_conflict_blames_only_overlap);
	tcase_add_test(tc, test_apply_alloc_failure);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
