/*
 * check_instance.c: rtrmod_instance (module/instance.c) end to end on the
 * built-in loop over loopback TCP (instance_fixture.h): creating and
 * freeing it, its getters before and after an apply, a configuration
 * copied (the caller's may go at once); a cache server without sources
 * relays the client's table, and goes over to sources and back under the
 * same session; the host's own caches survive every re-apply; disabling
 * the server closes its sessions and its listener.  The re-apply itself is
 * check_instance_apply.c's.  Every wait is bounded.
 */
#include "config.h"

#include <string.h>

#include <rtrmod/rtrmod.h>

#include "cache_fixture.h"
#include "check_main.h"
#include "instance_fixture.h"
#include "instance_internal.h"

/* ---- (g): disabling the cache server ---------------------------------------------------- */

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
	router_follow(r);
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
	router_follow(r);
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
	router_follow(r);
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

/* ---- lifecycle and getters ------------------------------------------------------------------ */

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
	TCase *tc = tcase_create("instance");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_disable_server_closes_sessions);
	tcase_add_test(tc, test_relay);
	tcase_add_test(tc, test_host_caches_survive);
	tcase_add_test(tc, test_api_edges);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
