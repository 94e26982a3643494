/*
 * check_client.c: the RTR client end to end over loopback TCP, against the
 * in-process rtrmod_cache on the default loop in this same process: full
 * sync, incremental convergence after Serial Notify, a cache dying
 * mid-transfer, a cache restart (new Session ID), failover between
 * preference groups and back, the merge of equal-preference caches, removing
 * caches (from a merged group, the serving group, mid-transfer, and back
 * again), whether the table is data across such a removal's hold, and a
 * cache's local address.  Every wait is bounded.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtrmod/rtrmod.h>

#include "cache_fixture.h"
#include "check_main.h"
#include "test_loop.h"

#define WAIT_MS 5000

struct fx {
	struct rtrmod_ctx *ctx;
	struct rtrmod_loop *loop;
	struct rtrmod_cache *cache[2];
	uint16_t port[2];
	struct rtrmod_client *client;
	struct rtrmod_set *a, *b, *empty;
	unsigned updates;
	size_t last_changes;
	/* mid-transfer kill */
	int kill_on_receiving;
	bool killed;
	/* removal from a callback is refused; receiving seen */
	struct rtrmod_client_cache *remove_in_cb;
	int remove_in_cb_rc;
	bool saw_receiving;
	/* the last update's VRPs and router keys added and removed */
	size_t vrps_in, vrps_out, keys_in, keys_out;
	bool empty_table_seen;
};

static struct fx T;

static void
log_quiet(void *arg, enum rtrmod_log_level level, const char *msg)
{
}

static void
on_update(void *arg, struct rtrmod_client *c, const struct rtrmod_delta *d)
{
	size_t n, total = 0;

	T.updates++;
	(void)rtrmod_delta_vrps(d, true, &n);
	total += n;
	T.vrps_in = n;
	(void)rtrmod_delta_vrps(d, false, &n);
	total += n;
	T.vrps_out = n;
	T.last_changes = total;
	(void)rtrmod_delta_router_keys(d, true, &T.keys_in);
	(void)rtrmod_delta_router_keys(d, false, &T.keys_out);
	if (rtrmod_set_equal(rtrmod_client_set(c), T.empty))
		T.empty_table_seen = true;
}

static void
on_status(void *arg, struct rtrmod_client *c, const struct rtrmod_client_cache *cc)
{
	if (rtrmod_client_cache_state(cc) == RTRMOD_CLIENT_RECEIVING)
		T.saw_receiving = true;
	if (T.remove_in_cb != NULL) {
		T.remove_in_cb_rc = rtrmod_client_remove_cache(c, T.remove_in_cb);
		T.remove_in_cb = NULL;
	}
	if (T.kill_on_receiving > 0 && rtrmod_client_cache_state(cc) == RTRMOD_CLIENT_RECEIVING) {
		T.kill_on_receiving--;
		if (T.kill_on_receiving == 0) {
			rtrmod_cache_free(T.cache[0]);
			T.cache[0] = NULL;
			T.killed = true;
		}
	}
}

static void
cache_up(int i, struct rtrmod_set *set, uint16_t port)
{
	ck_assert_int_eq(rtrmod_cache_new(T.ctx, &T.cache[i]), 0);
	/* Short retry so reconnects happen within the test's bounds. */
	ck_assert_int_eq(rtrmod_cache_set_timers(T.cache[i], 60, 1, 600), 0);
	if (set != NULL)
		ck_assert_int_eq(rtrmod_cache_update(T.cache[i], set), 0);
	ck_assert_int_eq(rtrmod_cache_listen(T.cache[i], "127.0.0.1", port, &T.port[i]), 0);
}

static void
setup(void)
{
	memset(&T, 0, sizeof(T));
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &T.ctx), 0);
	rtrmod_ctx_set_log(T.ctx, log_quiet, NULL, RTRMOD_LOG_DEBUG);
	ck_assert_int_eq(rtrmod_loop_new(T.ctx, &T.loop), 0);
	T.a = fx_set(T.ctx, fx_set_a_lines);
	T.b = fx_set(T.ctx, fx_set_b_lines);
	ck_assert_int_eq(rtrmod_set_new_empty(T.ctx, &T.empty), 0);
	ck_assert_int_eq(rtrmod_client_new(T.ctx, &T.client), 0);
	rtrmod_client_set_update_cb(T.client, on_update, NULL);
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
	rtrmod_set_unref(T.empty);
	rtrmod_loop_free(T.loop);
	rtrmod_ctx_free(T.ctx);
}

/* Run the loop until cond holds or `ms` pass; whether it holds. */
static bool
run_until(test_cond_fn *cond, void *arg, uint64_t ms)
{
	return test_loop_until(T.loop, cond, arg, ms);
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

/* The first cache's own committed data is `arg`. */
static bool
data_is(void *arg)
{
	const struct rtrmod_set *d = rtrmod_client_cache_data(rtrmod_client_cache_at(T.client, 0));

	return d != NULL && rtrmod_set_equal(d, arg);
}

static bool
is_killed(void *arg)
{
	return T.killed;
}

static const struct rtrmod_client_cache *
add(uint16_t port, unsigned pref)
{
	struct rtrmod_client_cache *cc;

	ck_assert_int_eq(rtrmod_client_add_cache(T.client, "127.0.0.1", port, pref, "tcp", &cc), 0);
	ck_assert_int_eq(rtrmod_client_cache_set_timers(cc, 60, 1, 600), 0);
	return cc;
}

START_TEST(test_full_sync_equals_served)
{
	const struct rtrmod_client_cache *cc;
	struct rtrmod_prefix p;
	uint16_t sid;
	uint32_t serial, cserial;
	size_t v, k, a;
	bool neg;

	cache_up(0, T.a, 0);
	cc = add(T.port[0], 1);
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	ck_assert_uint_eq(T.updates, 1);
	/* Status. */
	ck_assert_int_eq(rtrmod_client_cache_state(cc), RTRMOD_CLIENT_ESTABLISHED);
	ck_assert_str_eq(rtrmod_client_cache_transport(cc), "tcp");
	ck_assert_uint_eq(rtrmod_client_cache_version(cc, &neg), 2);
	ck_assert(neg);
	ck_assert(rtrmod_client_cache_session(cc, &sid, &serial));
	ck_assert_uint_eq(sid, rtrmod_cache_session_id(T.cache[0], 2));
	ck_assert_int_eq(rtrmod_cache_serial(T.cache[0], &cserial), 0);
	ck_assert_uint_eq(serial, cserial);
	rtrmod_client_cache_records(cc, &v, &k, &a);
	ck_assert_uint_eq(v, 3);
	ck_assert_uint_eq(k, 1);
	ck_assert_uint_eq(a, 1);
	ck_assert(rtrmod_client_cache_last_update(cc, NULL));
	ck_assert(rtrmod_client_cache_serving(cc));
	/* The ROV index is current. */
	ck_assert_int_eq(rtrmod_prefix_parse("10.1.2.0/24", &p), 0);
	ck_assert_int_eq(rtrmod_rov_validate(rtrmod_client_rov(T.client), &p,
					     (struct rtrmod_origin){RTRMOD_ORIGIN_AS, 65002}, NULL),
			 RTRMOD_ROV_VALID);
	ck_assert_uint_eq(rtrmod_rov_index_vrp_count(rtrmod_client_rov(T.client)), 3);
}
END_TEST

START_TEST(test_incremental_after_notify)
{
	uint64_t t0;
	struct rtrmod_prefix p;

	cache_up(0, T.a, 0);
	add(T.port[0], 1);
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	t0 = rtrmod_loop_now_ms(T.loop);
	ck_assert_int_eq(rtrmod_cache_update(T.cache[0], T.b), 0);
	ck_assert(run_until(table_is, T.b, 1000));
	ck_assert_uint_lt(rtrmod_loop_now_ms(T.loop) - t0, 1000);
	ck_assert_uint_eq(T.updates, 2);
	ck_assert_uint_eq(T.last_changes,
			  4); /* 10.1/16 replaced, 2001:db8::/32 out, 192.0.2/24 in */
	/* Incremental: one Reset Query in all, one Serial Query after it. */
	ck_assert_uint_eq(rtrmod_cache_counter(T.cache[0], RTRMOD_CACHE_CNT_RESET_QUERIES), 1);
	ck_assert_uint_eq(rtrmod_cache_counter(T.cache[0], RTRMOD_CACHE_CNT_SERIAL_QUERIES), 1);
	ck_assert_int_eq(rtrmod_prefix_parse("10.1.2.0/24", &p), 0);
	ck_assert_int_eq(rtrmod_rov_validate(rtrmod_client_rov(T.client), &p,
					     (struct rtrmod_origin){RTRMOD_ORIGIN_AS, 65002}, NULL),
			 RTRMOD_ROV_INVALID);
}
END_TEST

START_TEST(test_killed_mid_transfer_keeps_table)
{
	enum rtrmod_client_state idle = RTRMOD_CLIENT_IDLE;
	struct rtrmod_set *big = fx_big_set(T.ctx, 1000000, 65010);

	cache_up(0, T.a, 0);
	add(T.port[0], 1);
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	/* 1M VRPs (20 MB) cannot all sit in socket buffers: the cache dies
	 * with most of the response unsent. */
	T.kill_on_receiving = 1;
	ck_assert_int_eq(rtrmod_cache_update(T.cache[0], big), 0);
	ck_assert(run_until(is_killed, NULL, 20000));
	ck_assert(run_until(state_is, &idle, 20000));
	ck_assert_uint_eq(T.updates, 1);
	ck_assert(rtrmod_set_equal(rtrmod_client_set(T.client), T.a));
	ck_assert_uint_eq(rtrmod_rov_index_vrp_count(rtrmod_client_rov(T.client)), 3);
	rtrmod_set_unref(big);
}
END_TEST

START_TEST(test_restart_new_session_resets)
{
	const struct rtrmod_client_cache *cc;
	uint16_t sid, old;

	cache_up(0, T.a, 0);
	cc = add(T.port[0], 1);
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	old = rtrmod_cache_session_id(T.cache[0], 2);
	rtrmod_cache_free(T.cache[0]);
	T.cache[0] = NULL;
	for (;;) { /* a fresh random Session ID; redraw the 1 in 65536 repeat */
		cache_up(0, T.b, T.port[0]);
		if (rtrmod_cache_session_id(T.cache[0], 2) != old)
			break;
		rtrmod_cache_free(T.cache[0]);
		T.cache[0] = NULL;
	}
	ck_assert(run_until(table_is, T.b, WAIT_MS));
	ck_assert(rtrmod_client_cache_session(cc, &sid, NULL));
	ck_assert_uint_eq(sid, rtrmod_cache_session_id(T.cache[0], 2));
	/* The old session's Serial Query got Cache Reset, then a full reset. */
	ck_assert_uint_eq(rtrmod_cache_counter(T.cache[0], RTRMOD_CACHE_CNT_CACHE_RESETS), 1);
	ck_assert_uint_eq(rtrmod_cache_counter(T.cache[0], RTRMOD_CACHE_CNT_RESET_QUERIES), 1);
}
END_TEST

static bool
serving_is(void *arg)
{
	unsigned pref;

	return rtrmod_client_serving_preference(T.client, &pref) && pref == *(unsigned *)arg;
}

START_TEST(test_failover_and_back)
{
	const struct rtrmod_client_cache *c1, *c2;
	unsigned one = 1, two = 2, updates;
	uint16_t port1;

	cache_up(0, T.a, 0);
	cache_up(1, T.b, 0);
	port1 = T.port[0];
	c1 = add(T.port[0], 1);
	c2 = add(T.port[1], 2);
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	ck_assert(serving_is(&one));
	ck_assert_int_eq(rtrmod_client_cache_state(c2), RTRMOD_CLIENT_STOPPED);
	/* The preferred cache dies: the second group takes over. */
	rtrmod_cache_free(T.cache[0]);
	T.cache[0] = NULL;
	ck_assert(run_until(serving_is, &two, WAIT_MS));
	ck_assert(run_until(table_is, T.b, WAIT_MS));
	ck_assert(!rtrmod_client_cache_serving(c1));
	ck_assert(rtrmod_client_cache_serving(c2));
	/* It comes back and syncs: the preferred group serves again, in one
	 * update from B to A (never through an empty table). */
	cache_up(0, T.a, port1);
	updates = T.updates;
	ck_assert(run_until(serving_is, &one, WAIT_MS));
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	ck_assert_uint_eq(T.updates, updates + 1);
	ck_assert_int_eq(rtrmod_client_cache_state(c2), RTRMOD_CLIENT_STOPPED);
	ck_assert_ptr_null(rtrmod_client_cache_data(c2));
}
END_TEST

START_TEST(test_equal_preference_merge)
{
	static const char *const a2_lines[] = {
	    "10.1.0.0/16 24 AS65002",
	    "2001:db8::/32 48 AS65001",
	    "key 1 AS65001 spkione",
	    "aspa AS64500 AS1 AS2",
	    NULL,
	};
	static const char *const union_lines[] = {
	    "10.0.0.0/8 8 AS65001",    "10.1.0.0/16 24 AS65002",   "10.1.0.0/16 24 AS65009",
	    "192.0.2.0/24 24 AS65004", "2001:db8::/32 48 AS65001", "key 1 AS65001 spkione",
	    "key 2 AS65002 spkitwo",   "aspa AS64500 AS1 AS2 AS3", NULL,
	};
	struct rtrmod_set *u = fx_set(T.ctx, union_lines);
	struct rtrmod_set *a2 = fx_set(T.ctx, a2_lines);

	cache_up(0, T.a, 0);
	cache_up(1, T.b, 0);
	add(T.port[0], 5);
	add(T.port[1], 5);
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(table_is, u, WAIT_MS));
	/* 10/8 leaves cache A but B still has it: it stays. */
	ck_assert_int_eq(rtrmod_cache_update(T.cache[0], a2), 0);
	ck_assert(run_until(data_is, a2, WAIT_MS));
	ck_assert(rtrmod_set_equal(rtrmod_client_set(T.client), u));
	/* ... until B drops it too. */
	ck_assert_int_eq(rtrmod_cache_update(T.cache[1], a2), 0);
	ck_assert(run_until(table_is, a2, WAIT_MS));
	ck_assert_uint_eq(rtrmod_rov_index_vrp_count(rtrmod_client_rov(T.client)), 2);
	rtrmod_set_unref(u);
	rtrmod_set_unref(a2);
}
END_TEST

/* ---- removing caches ------------------------------------------------------- */

static bool
sessions_are(void *arg)
{
	const size_t *want = arg;
	size_t n = 0;

	for (int i = 0; i < 2; i++)
		n += T.cache[i] != NULL ? rtrmod_cache_sessions(T.cache[i], NULL, NULL) : 0;
	return n == *want;
}

/* B's cache alone: A's records leave only where B lacks them, in one
 * update that names exactly those. */
START_TEST(test_remove_merged_keeps_shared)
{
	static const char *const union_lines[] = {
	    "10.0.0.0/8 8 AS65001",    "10.1.0.0/16 24 AS65002",   "10.1.0.0/16 24 AS65009",
	    "192.0.2.0/24 24 AS65004", "2001:db8::/32 48 AS65001", "key 1 AS65001 spkione",
	    "key 2 AS65002 spkitwo",   "aspa AS64500 AS1 AS2 AS3", NULL,
	};
	struct rtrmod_set *u = fx_set(T.ctx, union_lines);
	struct rtrmod_client_cache *ca;
	struct rtrmod_prefix p;
	size_t one = 1;
	unsigned updates, five = 5;

	cache_up(0, T.a, 0);
	cache_up(1, T.b, 0);
	ca = (struct rtrmod_client_cache *)add(T.port[0], 5);
	add(T.port[1], 5);
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(table_is, u, WAIT_MS));
	updates = T.updates;
	ck_assert_int_eq(rtrmod_client_remove_cache(T.client, ca), 0);
	/* at once, in one update: 10.1/16-24 AS65002 and 2001:db8::/32 left,
	 * 10/8 (B has it too) stayed; key 1 left; AS64500 lost provider AS2 */
	ck_assert_uint_eq(T.updates, updates + 1);
	ck_assert_uint_eq(T.vrps_out, 2);
	ck_assert_uint_eq(T.vrps_in, 0);
	ck_assert_uint_eq(T.keys_out, 1);
	ck_assert_uint_eq(T.keys_in, 0);
	ck_assert(rtrmod_set_equal(rtrmod_client_set(T.client), T.b));
	ck_assert_uint_eq(rtrmod_rov_index_vrp_count(rtrmod_client_rov(T.client)), 3);
	ck_assert_int_eq(rtrmod_prefix_parse("2001:db8::/48", &p), 0);
	ck_assert_int_eq(rtrmod_rov_validate(rtrmod_client_rov(T.client), &p,
					     (struct rtrmod_origin){RTRMOD_ORIGIN_AS, 65001}, NULL),
			 RTRMOD_ROV_NOT_FOUND);
	ck_assert_uint_eq(rtrmod_client_cache_count(T.client), 1);
	ck_assert(serving_is(&five));
	/* its session is gone from the cache's side (no Error Report sent) */
	ck_assert(run_until(sessions_are, &one, WAIT_MS));
	ck_assert_uint_eq(rtrmod_cache_sessions(T.cache[0], NULL, NULL), 0);
	ck_assert_uint_eq(rtrmod_cache_counter(T.cache[0], RTRMOD_CACHE_CNT_ERRORS_RECEIVED), 0);
	ck_assert_uint_eq(T.updates, updates + 1);
	rtrmod_set_unref(u);
}
END_TEST

/* The serving group's only cache goes while the next group is stopped (and
 * so has no data): its table stays until the next group has synced, then
 * one update from A to B. */
START_TEST(test_remove_serving_fails_over)
{
	struct rtrmod_client_cache *c1;
	const struct rtrmod_client_cache *c2;
	unsigned one = 1, two = 2, updates;

	cache_up(0, T.a, 0);
	cache_up(1, T.b, 0);
	c1 = (struct rtrmod_client_cache *)add(T.port[0], 1);
	c2 = add(T.port[1], 2);
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	ck_assert(serving_is(&one));
	ck_assert(rtrmod_client_has_table(T.client));
	ck_assert_ptr_null(rtrmod_client_cache_data(c2));
	updates = T.updates;
	ck_assert_int_eq(rtrmod_client_remove_cache(T.client, c1), 0);
	ck_assert_uint_eq(T.updates, updates);
	ck_assert(rtrmod_set_equal(rtrmod_client_set(T.client), T.a));
	/* the hold: no group serves, but the table is still data */
	ck_assert(!rtrmod_client_serving_preference(T.client, NULL));
	ck_assert(rtrmod_client_has_table(T.client));
	ck_assert(run_until(serving_is, &two, WAIT_MS));
	ck_assert(rtrmod_client_has_table(T.client));
	ck_assert(rtrmod_set_equal(rtrmod_client_set(T.client), T.b));
	ck_assert_uint_eq(T.updates, updates + 1);
	ck_assert(!T.empty_table_seen);
	ck_assert_ptr_eq(rtrmod_client_cache_at(T.client, 0), c2);
}
END_TEST

/* Whether the table is data: not before a sync, through the hold of a
 * removed serving cache's table, not after stop. */
START_TEST(test_has_table)
{
	struct rtrmod_client_cache *cc;

	ck_assert(!rtrmod_client_has_table(NULL));
	ck_assert(!rtrmod_client_has_table(T.client));
	cache_up(0, T.a, 0);
	cc = (struct rtrmod_client_cache *)add(T.port[0], 1);
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(!rtrmod_client_has_table(T.client));
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	ck_assert(rtrmod_client_has_table(T.client));
	/* the only cache goes: its table is held, no group serves */
	ck_assert_int_eq(rtrmod_client_remove_cache(T.client, cc), 0);
	ck_assert(!rtrmod_client_serving_preference(T.client, NULL));
	ck_assert(rtrmod_client_has_table(T.client));
	ck_assert(rtrmod_set_equal(rtrmod_client_set(T.client), T.a));
	/* stop ends the hold */
	rtrmod_client_stop(T.client);
	ck_assert(!rtrmod_client_has_table(T.client));
}
END_TEST

static bool
saw_receiving(void *arg)
{
	return T.saw_receiving;
}

/* Removed while a large response is coming in: nothing of it is committed,
 * the connection closes, and removing from a callback is refused. */
START_TEST(test_remove_mid_transfer)
{
	struct rtrmod_set *big = fx_big_set(T.ctx, 1000000, 65010);
	struct rtrmod_client_cache *cc, *other;
	size_t zero = 0;
	unsigned updates;

	cache_up(0, T.a, 0);
	cc = (struct rtrmod_client_cache *)add(T.port[0], 1);
	ck_assert_int_eq(rtrmod_client_add_cache(T.client, "127.0.0.1", 9, 7, NULL, &other), 0);
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	/* from inside the client's own callback: refused, nothing changes */
	T.remove_in_cb = other;
	T.remove_in_cb_rc = 0;
	T.saw_receiving = false;
	updates = T.updates;
	ck_assert_int_eq(rtrmod_cache_update(T.cache[0], big), 0);
	ck_assert(run_until(saw_receiving, NULL, WAIT_MS));
	ck_assert_int_eq(T.remove_in_cb_rc, RTRMOD_ESTATE);
	ck_assert_uint_eq(rtrmod_client_cache_count(T.client), 2);
	ck_assert_int_eq(rtrmod_client_cache_state(cc), RTRMOD_CLIENT_RECEIVING);
	ck_assert_int_eq(rtrmod_client_remove_cache(T.client, cc), 0);
	ck_assert_uint_eq(rtrmod_client_cache_count(T.client), 1);
	ck_assert_uint_eq(T.updates, updates);
	ck_assert(run_until(sessions_are, &zero, WAIT_MS));
	ck_assert_uint_eq(T.updates, updates);
	ck_assert(rtrmod_set_equal(rtrmod_client_set(T.client), T.a));
	ck_assert_int_eq(rtrmod_client_remove_cache(T.client, other), 0);
	ck_assert_uint_eq(rtrmod_client_cache_count(T.client), 0);
	rtrmod_set_unref(big);
}
END_TEST

static bool
first_established(void *arg)
{
	const struct rtrmod_client_cache *cc = rtrmod_client_cache_at(T.client, 0);

	return cc != NULL && rtrmod_client_cache_state(cc) == RTRMOD_CLIENT_ESTABLISHED;
}

START_TEST(test_remove_then_add_same_address)
{
	struct rtrmod_client_cache *cc, *before;
	struct rtrmod_client *other;
	unsigned one = 1;

	/* before start; and a cache of another client is not ours */
	ck_assert_int_eq(rtrmod_client_new(T.ctx, &other), 0);
	ck_assert_int_eq(rtrmod_client_add_cache(other, "127.0.0.1", 9, 1, NULL, &cc), 0);
	ck_assert_int_eq(rtrmod_client_remove_cache(T.client, cc), RTRMOD_ENOENT);
	ck_assert_int_eq(rtrmod_client_remove_cache(other, cc), 0);
	ck_assert_uint_eq(rtrmod_client_cache_count(other), 0);
	rtrmod_client_free(other);
	ck_assert_int_eq(rtrmod_client_remove_cache(T.client, NULL), RTRMOD_EINVAL);

	cache_up(0, T.a, 0);
	before = (struct rtrmod_client_cache *)add(T.port[0], 1);
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	ck_assert_int_eq(rtrmod_client_remove_cache(T.client, before), 0);
	ck_assert_uint_eq(rtrmod_client_cache_count(T.client), 0);
	ck_assert(!serving_is(&one));
	add(T.port[0], 1);
	ck_assert(run_until(first_established, NULL, WAIT_MS));
	ck_assert(run_until(serving_is, &one, WAIT_MS));
	ck_assert(rtrmod_set_equal(rtrmod_client_set(T.client), T.a));
	ck_assert_uint_eq(T.updates, 1); /* the held table was the same */
	ck_assert(!T.empty_table_seen);
	ck_assert_uint_eq(rtrmod_cache_counter(T.cache[0], RTRMOD_CACHE_CNT_ACCEPTED), 2);
	ck_assert_uint_eq(rtrmod_cache_counter(T.cache[0], RTRMOD_CACHE_CNT_RESET_QUERIES), 2);
}
END_TEST

/* ---- local address ------------------------------------------------------------ */

static char peer_seen[64];

static void
note_peer(void *arg, const struct rtrmod_cache_session *s)
{
	snprintf(peer_seen, sizeof(peer_seen), "%s", rtrmod_cache_session_peer(s));
}

START_TEST(test_local_address)
{
	struct rtrmod_client_cache *cc, *v6;

	cache_up(0, T.a, 0);
	ck_assert_int_eq(rtrmod_client_add_cache(T.client, "127.0.0.1", T.port[0], 1, NULL, &cc),
			 0);
	ck_assert_ptr_null(rtrmod_client_cache_local_address(cc));
	ck_assert_int_eq(rtrmod_client_cache_set_local_address(cc, "::1"), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_client_cache_set_local_address(cc, "localhost"), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_client_cache_set_local_address(cc, "127.0.0.3"), 0);
	ck_assert_int_eq(rtrmod_client_cache_set_local_address(cc, NULL), 0);
	ck_assert_ptr_null(rtrmod_client_cache_local_address(cc));
	ck_assert_int_eq(rtrmod_client_cache_set_local_address(cc, "127.0.0.2"), 0);
	ck_assert_str_eq(rtrmod_client_cache_local_address(cc), "127.0.0.2");
	ck_assert_int_eq(rtrmod_client_add_cache(T.client, "::1", 9, 5, NULL, &v6), 0);
	ck_assert_int_eq(rtrmod_client_cache_set_local_address(v6, "127.0.0.2"), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_client_cache_set_local_address(v6, "::1"), 0);
	ck_assert_int_eq(rtrmod_client_remove_cache(T.client, v6), 0);
	ck_assert_int_eq(rtrmod_client_start(T.client), 0);
	ck_assert(run_until(table_is, T.a, WAIT_MS));
	peer_seen[0] = '\0';
	ck_assert_uint_eq(rtrmod_cache_sessions(T.cache[0], note_peer, NULL), 1);
	ck_assert_msg(strncmp(peer_seen, "127.0.0.2:", 10) == 0, "peer %s", peer_seen);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("client");
	TCase *tc = tcase_create("e2e");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_full_sync_equals_served);
	tcase_add_test(tc, test_incremental_after_notify);
	tcase_add_test(tc, test_killed_mid_transfer_keeps_table);
	tcase_add_test(tc, test_restart_new_session_resets);
	tcase_add_test(tc, test_failover_and_back);
	tcase_add_test(tc, test_equal_preference_merge);
	tcase_add_test(tc, test_remove_merged_keeps_shared);
	tcase_add_test(tc, test_remove_serving_fails_over);
	tcase_add_test(tc, test_has_table);
	tcase_add_test(tc, test_remove_mid_transfer);
	tcase_add_test(tc, test_remove_then_add_same_address);
	tcase_add_test(tc, test_local_address);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
