/*
 * check_instance_state.c: the state tree (module/instance_state.c) of a
 * real client synced over loopback TCP with an in-process cache server,
 * plus a host-added cache and a feed: the JSON parses strictly against the
 * model's state nodes and says what the status calls say.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libyang/libyang.h>

#include <rtrmod/cache.h>
#include <rtrmod/client.h>
#include <rtrmod/config.h>
#include <rtrmod/feed.h>
#include <rtrmod/instance.h>
#include <rtrmod/loop.h>

#include "cache_fixture.h"
#include "check_main.h"
#include "config_internal.h"

static void
quiet_log(void *arg, enum rtrmod_log_level level, const char *msg)
{
	(void)arg;
	(void)level;
	(void)msg;
}

static struct lyd_node *
parse_state(const char *json, struct ly_ctx **ly)
{
	struct lyd_node *tree = NULL;
	uint32_t opts = cfg_ly_quiet();
	LY_ERR err;

	ck_assert_int_eq(cfg_ly_new(ly, NULL), 0);
	/* strict: every node must be in the model; state allowed */
	err = lyd_parse_data_mem(*ly, json, LYD_JSON, LYD_PARSE_ONLY | LYD_PARSE_STRICT, 0, &tree);
	ck_assert_msg(err == LY_SUCCESS, "%s\n%s", ly_errmsg(*ly), json);
	ly_log_options(opts);
	return tree;
}

static const char *
value_at(const struct lyd_node *tree, const char *fmt, ...)
{
	struct lyd_node *n = NULL;
	char path[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (lyd_find_path(tree, path, 0, &n) != LY_SUCCESS)
		return NULL;
	return lyd_get_value(n);
}

struct env {
	struct rtrmod_ctx *ctx;
	struct rtrmod_loop *loop;
	struct rtrmod_cache *cache;
	struct rtrmod_client *client;
	struct rtrmod_client_cache *cc;
};

static bool
synced(const struct env *e)
{
	size_t vrps, keys, aspas;

	rtrmod_client_cache_records(e->cc, &vrps, &keys, &aspas);
	return rtrmod_client_cache_state(e->cc) == RTRMOD_CLIENT_ESTABLISHED && vrps == 3;
}

START_TEST(test_state_json)
{
	static const char *const lines[] = {"192.0.2.0/24 24 AS65001", "198.51.100.0/22 24 AS65002",
					    "2001:db8::/32 48 AS65003", NULL};
	struct env e;
	struct rtrmod_set *set;
	struct rtrmod_feed *feed;
	struct rtrmod_config *config = NULL;
	struct rtrmod_config_diag d;
	struct ly_ctx *ly = NULL;
	struct lyd_node *tree;
	uint16_t port;
	char text[512], *json = NULL, entry[128];
	const char *v;
	uint64_t end;
	int i;

	ck_assert_int_eq(rtrmod_ctx_new(NULL, &e.ctx), 0);
	rtrmod_ctx_set_log(e.ctx, quiet_log, NULL, RTRMOD_LOG_DEBUG);
	ck_assert_int_eq(rtrmod_loop_new(e.ctx, &e.loop), 0);
	ck_assert_int_eq(rtrmod_cache_new(e.ctx, &e.cache), 0);
	set = fx_set(e.ctx, lines);
	ck_assert_int_eq(rtrmod_cache_update(e.cache, set), 0);
	rtrmod_set_unref(set);
	ck_assert_int_eq(rtrmod_cache_listen(e.cache, "127.0.0.1", 0, &port), 0);

	/* the configuration names the cache; the host adds a second one */
	snprintf(text, sizeof(text),
		 "{\"rtrmod:rtrmod\": {\"client\": {\"cache-servers\": {\"cache-server\": "
		 "[{\"address\": \"127.0.0.1\", \"server-port\": %u}]}}}}",
		 (unsigned)port);
	ck_assert_int_eq(
	    rtrmod_config_load_mem(e.ctx, text, strlen(text), RTRMOD_CONFIG_JSON, "t", &config, &d),
	    0);
	ck_assert_int_eq(rtrmod_client_new(e.ctx, &e.client), 0);
	ck_assert_int_eq(rtrmod_client_add_cache(e.client, "127.0.0.1", port, 1, "tcp", &e.cc), 0);
	ck_assert_int_eq(rtrmod_client_add_cache(e.client, "::1", 1, 2, NULL, NULL), 0);
	ck_assert_int_eq(rtrmod_client_start(e.client), 0);
	end = rtrmod_loop_now_ms(e.loop) + 5000;
	while (!synced(&e) && rtrmod_loop_now_ms(e.loop) < end)
		ck_assert_int_ge(rtrmod_loop_run_once(e.loop, 20), 0);
	ck_assert(synced(&e));

	ck_assert_int_eq(rtrmod_feed_new(e.ctx, NULL, &feed), 0);
	ck_assert_int_eq(rtrmod_feed_add_source(feed, TEST_TOP_DIR "/data/vrps-sample.json"), 0);
	ck_assert_int_eq(rtrmod_feed_reload(feed), 0);

	ck_assert_int_eq(cfg_state_json(e.ctx, config, e.client, e.cache, feed, &json), 0);
	tree = parse_state(json, &ly);

	snprintf(entry, sizeof(entry),
		 "/rtrmod:rtrmod/client/cache-servers/"
		 "cache-server[address='127.0.0.1'][server-port='%u']",
		 (unsigned)port);
	ck_assert_str_eq(value_at(tree, "%s/session-state", entry), "established");
	ck_assert_str_eq(value_at(tree, "%s/configured", entry), "true");
	ck_assert_str_eq(value_at(tree, "%s/vrp-count", entry), "3");
	ck_assert_str_eq(value_at(tree, "%s/aspa-count", entry), "0");
	ck_assert_str_eq(value_at(tree, "%s/version-in-use", entry), "2");
	ck_assert_str_eq(value_at(tree, "%s/version-negotiated", entry), "true");
	ck_assert_str_eq(value_at(tree, "%s/serving", entry), "true");
	ck_assert_str_eq(value_at(tree, "%s/timers-in-effect/expire-time", entry), "7200");
	ck_assert_ptr_nonnull(value_at(tree, "%s/session-id", entry));
	ck_assert_ptr_nonnull(value_at(tree, "%s/seconds-since-update", entry));
	ck_assert_str_eq(value_at(tree, "%s/error-reports-received", entry), "0");
	/* the cache the host added itself is there too */
	ck_assert_str_eq(value_at(tree, "/rtrmod:rtrmod/client/cache-servers/"
					"cache-server[address='::1'][server-port='1']/configured"),
			 "false");
	ck_assert_str_eq(value_at(tree, "/rtrmod:rtrmod/client/serving-preference"), "1");
	/* the cache server: one router session (the client), its counters */
	ck_assert_str_eq(value_at(tree, "/rtrmod:rtrmod/cache-server/router-session[1]/state"),
			 "established");
	ck_assert_str_eq(value_at(tree, "/rtrmod:rtrmod/cache-server/router-session[1]/version"),
			 "2");
	ck_assert_ptr_null(value_at(tree, "/rtrmod:rtrmod/cache-server/router-session[2]/state"));
	ck_assert_str_eq(value_at(tree, "/rtrmod:rtrmod/cache-server/counters/accepted"), "1");
	ck_assert_str_eq(value_at(tree, "/rtrmod:rtrmod/cache-server/counters/reset-queries"), "1");
	for (i = 0; i <= 2; i++) {
		char want[8];

		snprintf(want, sizeof(want), "%u",
			 (unsigned)rtrmod_cache_session_id(e.cache, (uint8_t)i));
		ck_assert_str_eq(
		    value_at(tree, "/rtrmod:rtrmod/cache-server/session-id[version='%d']/id", i),
		    want);
	}
	v = value_at(tree, "/rtrmod:rtrmod/cache-server/serial-number");
	ck_assert_ptr_nonnull(v);
	/* the feed */
	ck_assert_str_eq(value_at(tree, "/rtrmod:rtrmod/sources/result"), "ok");
	ck_assert_str_eq(value_at(tree, "/rtrmod:rtrmod/sources/refreshes-ok"), "1");
	ck_assert_ptr_nonnull(value_at(tree, "/rtrmod:rtrmod/sources/last-success"));
	snprintf(text, sizeof(text), "%zu", rtrmod_feed_count(feed, RTRMOD_SOURCE_VRP));
	ck_assert_str_eq(value_at(tree, "/rtrmod:rtrmod/sources/vrp-count"), text);
	ck_assert_str_eq(value_at(tree, "/rtrmod:rtrmod/sources/stale"), "false");

	lyd_free_all(tree);
	ly_ctx_destroy(ly);
	rtrmod_ctx_mfree(e.ctx, json);

	/* only a client, nothing synced: still valid state */
	ck_assert_int_eq(cfg_state_json(e.ctx, NULL, e.client, NULL, NULL, &json), 0);
	tree = parse_state(json, &ly);
	ck_assert_str_eq(value_at(tree, "%s/configured", entry), "false");
	ck_assert_ptr_null(value_at(tree, "/rtrmod:rtrmod/cache-server/memory"));
	lyd_free_all(tree);
	ly_ctx_destroy(ly);
	rtrmod_ctx_mfree(e.ctx, json);

	ck_assert_int_eq(rtrmod_instance_state(NULL, &json), RTRMOD_EINVAL);
	rtrmod_feed_free(feed);
	rtrmod_client_free(e.client);
	rtrmod_cache_free(e.cache);
	rtrmod_config_free(config);
	rtrmod_loop_free(e.loop);
	rtrmod_ctx_free(e.ctx);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("instance_state");
	TCase *tc = tcase_create("state");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_state_json);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
