/*
 * check_feed.c: the feed on a fake loop with a fake wall clock: the union of
 * two files, a bad file (or a bad one of two) keeping the last good set,
 * SLURM applied and a bad SLURM file keeping the last good list, the
 * staleness timer turning the cache stale and fresh data clearing it,
 * signatures required when verification is on, reload now and the refresh
 * timer.  Routers are the model router of rtr_router.c, asking the cache.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rtrmod/cache.h>
#include <rtrmod/feed.h>

#include "cache_fixture.h"
#include "check_main.h"
#include "feed_internal.h"
#include "rtr_router.h"

#define SIGN TEST_DATA_DIR "/sign/"

/* A wall-clock time the fake clock starts at (2025-07-20T10:01:43Z, the
 * "generated" of the signed fixtures). */
#define WALL0 1753005703

struct env {
	struct rtrmod_ctx *ctx;
	struct fx_loop loop;
	uint64_t loop0; /* the fake loop's clock at WALL0 */
	struct rtrmod_cache *cache;
	struct rtrmod_feed *feed;
	char dir[64];
	char path[4][128];
	unsigned events[4];
	bool reload_in_cb;
	int reload_rc;
};

static void
quiet_log(void *arg, enum rtrmod_log_level level, const char *msg)
{
	(void)arg;
	(void)level;
	(void)msg;
}

static int64_t
env_clock(void *arg)
{
	struct env *e = arg;

	return (int64_t)WALL0 * 1000 + (int64_t)(e->loop.now - e->loop0);
}

static int64_t
env_now(const struct env *e)
{
	return WALL0 + (int64_t)((e->loop.now - e->loop0) / 1000);
}

static void
on_event(void *arg, struct rtrmod_feed *feed, enum rtrmod_feed_event event)
{
	struct env *e = arg;

	ck_assert_ptr_eq(feed, e->feed);
	e->events[event]++;
	if (e->reload_in_cb)
		e->reload_rc = rtrmod_feed_reload(feed);
}

static void
env_up(struct env *e)
{
	memset(e, 0, sizeof(*e));
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &e->ctx), 0);
	rtrmod_ctx_set_log(e->ctx, quiet_log, NULL, RTRMOD_LOG_DEBUG);
	fx_loop_init(&e->loop);
	e->loop0 = e->loop.now;
	ck_assert_int_eq(rtrmod_ctx_set_loop(e->ctx, &fx_loop_ops, &e->loop), 0);
	ck_assert_int_eq(rtrmod_cache_new(e->ctx, &e->cache), 0);
	ck_assert_int_eq(rtrmod_feed_new(e->ctx, e->cache, &e->feed), 0);
	feed_set_clock(e->feed, env_clock, e);
	rtrmod_feed_set_event_cb(e->feed, on_event, e);
	snprintf(e->dir, sizeof(e->dir), "/tmp/check_feed.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(e->dir));
	for (int i = 0; i < 4; i++)
		snprintf(e->path[i], sizeof(e->path[i]), "%s/file%d.json", e->dir, i);
}

static void
env_down(struct env *e)
{
	rtrmod_feed_free(e->feed);
	rtrmod_cache_free(e->cache);
	ck_assert_uint_eq(fx_loop_timers(&e->loop), 0);
	ck_assert_int_eq(rtrmod_ctx_set_loop(e->ctx, NULL, NULL), 0);
	rtrmod_ctx_free(e->ctx);
	for (int i = 0; i < 4; i++)
		unlink(e->path[i]);
	rmdir(e->dir);
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* An rpki-client document built at `built` with the given "roas" and
 * "aspas" members (JSON array bodies). */
static void
write_vrps(const char *path, int64_t built, const char *roas, const char *aspas)
{
	char text[4096], when[32];
	time_t t = (time_t)built;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(text, sizeof(text),
		 "{\"metadata\": {\"buildtime\": \"%s\"},\n \"roas\": [%s],\n \"aspas\": [%s]}\n",
		 when, roas, aspas != NULL ? aspas : "");
	write_text(path, text);
}

static void
copy_file(const char *from, const char *to)
{
	char buf[65536];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	ck_assert_int_eq(fclose(out), 0);
}

#define ROA(prefix, maxlen, asn)                                                                   \
	"{\"prefix\": \"" prefix "\", \"maxLength\": " #maxlen ", \"asn\": " #asn                  \
	", \"ta\": \"test\"}"

static uint32_t
serial_of(const struct env *e)
{
	uint32_t serial = 0;

	ck_assert_int_eq(rtrmod_feed_serial(e->feed, &serial), 0);
	return serial;
}

/* What a v2 router that resets now gets; the router holds it. */
static void
router_reset(struct env *e, struct rtr_router *r)
{
	rtr_router_init(r, 2);
	r->check_order = true;
	fx_ask_serial(e->cache, r, -1);
	ck_assert_str_eq(r->problem, "");
}

/* Whether the set in service has the VRP. */
static bool
serves_vrp(const struct env *e, const char *prefix, unsigned max_len, uint32_t asn)
{
	struct rtrmod_vrp want = {.max_len = (uint8_t)max_len, .asn = asn};
	const struct rtrmod_vrp *v;
	size_t n;

	ck_assert_int_eq(rtrmod_prefix_parse(prefix, &want.prefix), 0);
	v = rtrmod_set_vrps(rtrmod_feed_set(e->feed), &n);
	for (size_t i = 0; i < n; i++)
		if (rtrmod_vrp_cmp(&v[i], &want) == 0)
			return true;
	return false;
}

/* ---- union ----------------------------------------------------------------- */

START_TEST(test_union_of_two_files)
{
	struct env e;
	struct rtr_router r;
	const struct rtrmod_aspa *aspa;

	env_up(&e);
	write_vrps(e.path[0], WALL0,
		   ROA("10.0.0.0/24", 24, 65001) "," ROA("10.1.0.0/24", 24, 65002),
		   "{\"customer_asid\": 65001, \"providers\": [1, 2]}");
	write_vrps(e.path[1], WALL0,
		   ROA("10.1.0.0/24", 24, 65002) ",{\"prefix\": \"2001:db8::/32\", "
						 "\"maxLength\": 48, \"asn\": \"AS65003\"}",
		   "{\"customer_asid\": 65001, \"providers\": [3]}");
	ck_assert_int_eq(rtrmod_feed_add_source(e.feed, e.path[0]), 0);
	ck_assert_int_eq(rtrmod_feed_add_source(e.feed, e.path[1]), 0);
	ck_assert_int_eq(rtrmod_feed_start(e.feed), 0);
	ck_assert_uint_eq(rtrmod_feed_count(e.feed, RTRMOD_SOURCE_VRP), 3);
	ck_assert(serves_vrp(&e, "2001:db8::/32", 48, 65003));
	/* one customer in both files: the union of its providers */
	ck_assert_uint_eq(rtrmod_feed_count(e.feed, RTRMOD_SOURCE_ASPA), 1);
	aspa = rtrmod_set_find_aspa(rtrmod_feed_set(e.feed), 65001);
	ck_assert_ptr_nonnull(aspa);
	ck_assert_uint_eq(aspa->provider_count, 3);
	ck_assert_uint_eq(serial_of(&e), 0);
	ck_assert_int_eq(rtrmod_feed_result(e.feed), 0);
	ck_assert_str_eq(rtrmod_feed_error(e.feed), "");
	ck_assert_uint_eq(e.events[RTRMOD_FEED_LOADED], 1);
	ck_assert_int_eq(rtrmod_feed_last_success(e.feed), WALL0);
	ck_assert(!rtrmod_feed_stale(e.feed));
	ck_assert(!rtrmod_feed_fresh_until(e.feed, NULL)); /* time checks off */
	router_reset(&e, &r);
	ck_assert(rtr_router_matches(&r, rtrmod_feed_set(e.feed)));
	ck_assert_uint_eq(r.nvrps, 3);
	rtr_router_fini(&r);
	/* started once only */
	ck_assert_int_eq(rtrmod_feed_start(e.feed), RTRMOD_ESTATE);
	env_down(&e);
}
END_TEST

START_TEST(test_serve_kind)
{
	struct env e;

	env_up(&e);
	write_vrps(e.path[0], WALL0, ROA("10.0.0.0/24", 24, 65001),
		   "{\"customer_asid\": 65001, \"providers\": [1, 2]}");
	ck_assert_int_eq(rtrmod_feed_add_source(e.feed, e.path[0]), 0);
	rtrmod_feed_set_serve_kind(e.feed, RTRMOD_SOURCE_ASPA, false);
	ck_assert_int_eq(rtrmod_feed_start(e.feed), 0);
	ck_assert_uint_eq(rtrmod_feed_count(e.feed, RTRMOD_SOURCE_VRP), 1);
	ck_assert_uint_eq(rtrmod_feed_count(e.feed, RTRMOD_SOURCE_ASPA), 0);
	rtrmod_feed_set_serve_kind(e.feed, RTRMOD_SOURCE_ASPA, true);
	ck_assert_int_eq(rtrmod_feed_reload(e.feed), 0);
	ck_assert_uint_eq(rtrmod_feed_count(e.feed, RTRMOD_SOURCE_ASPA), 1);
	ck_assert_uint_eq(serial_of(&e), 1);
	env_down(&e);
}
END_TEST

/* ---- bad files --------------------------------------------------------------- */

START_TEST(test_bad_file_keeps_last_good)
{
	struct env e;
	struct rtrmod_set *good;
	struct rtr_router r;

	env_up(&e);
	write_vrps(e.path[0], WALL0, ROA("10.0.0.0/24", 24, 65001), NULL);
	write_vrps(e.path[1], WALL0, ROA("10.1.0.0/24", 24, 65002), NULL);
	ck_assert_int_eq(rtrmod_feed_add_source(e.feed, e.path[0]), 0);
	ck_assert_int_eq(rtrmod_feed_add_source(e.feed, e.path[1]), 0);
	ck_assert_int_eq(rtrmod_feed_start(e.feed), 0);
	good = rtrmod_feed_set(e.feed);

	/* The first file changes, the second is broken: nothing of the
	 * first's change may be served. */
	write_vrps(e.path[0], WALL0, ROA("10.0.0.0/24", 24, 65001) "," ROA("10.9.0.0/16", 16, 9),
		   NULL);
	write_text(e.path[1], "{\"roas\": [ {\"prefix\": \"10.1.0.0/24\" \n");
	ck_assert_int_eq(rtrmod_feed_reload(e.feed), RTRMOD_EPARSE);
	ck_assert_ptr_nonnull(strstr(rtrmod_feed_error(e.feed), e.path[1]));
	ck_assert_int_eq(rtrmod_feed_result(e.feed), RTRMOD_EPARSE);
	ck_assert_ptr_eq(rtrmod_feed_set(e.feed), good);
	ck_assert(!serves_vrp(&e, "10.9.0.0/16", 16, 9));
	ck_assert_uint_eq(serial_of(&e), 0);
	ck_assert_uint_eq(e.events[RTRMOD_FEED_FAILED], 1);
	ck_assert_uint_eq(rtrmod_feed_refreshes(e.feed, true), 1);
	ck_assert_uint_eq(rtrmod_feed_refreshes(e.feed, false), 1);
	router_reset(&e, &r);
	ck_assert_uint_eq(r.nvrps, 2);
	rtr_router_fini(&r);

	/* A missing file, and a document without "roas". */
	unlink(e.path[1]);
	ck_assert_int_eq(rtrmod_feed_reload(e.feed), RTRMOD_EIO);
	ck_assert_ptr_nonnull(strstr(rtrmod_feed_error(e.feed), e.path[1]));
	write_text(e.path[1], "{\"metadata\": {}}");
	ck_assert_int_eq(rtrmod_feed_reload(e.feed), RTRMOD_EPARSE);
	ck_assert_ptr_eq(rtrmod_feed_set(e.feed), good);

	/* Repaired: both changes at once, one new serial. */
	write_vrps(e.path[1], WALL0, ROA("10.1.0.0/24", 24, 65002), NULL);
	ck_assert_int_eq(rtrmod_feed_reload(e.feed), 0);
	ck_assert_str_eq(rtrmod_feed_error(e.feed), "");
	ck_assert(serves_vrp(&e, "10.9.0.0/16", 16, 9));
	ck_assert_uint_eq(serial_of(&e), 1);
	env_down(&e);
}
END_TEST

START_TEST(test_first_load_fails)
{
	struct env e;
	uint32_t serial;

	env_up(&e);
	ck_assert_int_eq(rtrmod_feed_start(e.feed), RTRMOD_ESTATE); /* no source */
	ck_assert_ptr_nonnull(strstr(rtrmod_feed_error(e.feed), "no source"));
	ck_assert_int_eq(rtrmod_feed_add_source(e.feed, e.path[0]), 0); /* missing */
	ck_assert_int_eq(rtrmod_feed_start(e.feed), RTRMOD_EIO);
	ck_assert_ptr_null(rtrmod_feed_set(e.feed));
	ck_assert_int_eq(rtrmod_feed_serial(e.feed, &serial), RTRMOD_ENOENT);
	ck_assert_int_eq(rtrmod_feed_last_success(e.feed), 0);
	ck_assert_int_eq(rtrmod_feed_last_attempt(e.feed), WALL0);
	/* it keeps trying at the refresh interval */
	write_vrps(e.path[0], WALL0, ROA("10.0.0.0/24", 24, 65001), NULL);
	fx_loop_advance(&e.loop, 600 * 1000);
	ck_assert_uint_eq(rtrmod_feed_count(e.feed, RTRMOD_SOURCE_VRP), 1);
	ck_assert_int_eq(rtrmod_feed_serial(e.feed, &serial), 0);
	ck_assert_int_eq(rtrmod_feed_add_source(e.feed, ""), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_feed_new(e.ctx, NULL, NULL), RTRMOD_EINVAL);
	env_down(&e);
}
END_TEST

/* ---- SLURM ---------------------------------------------------------------------- */

/* GoRTR's test SLURM file (tests/data/slurm/gortr_test.slurm.json) with the
 * "bgpsecAssertions" RFC 8416 §3.2 requires: 10.0.0.0/24 AS65000 filtered,
 * 10.2.0.0/25-26 AS65002 asserted. */
static const char slurm_text[] =
    "{\"slurmVersion\": 1,\n"
    " \"validationOutputFilters\": {\"prefixFilters\": [{\"asn\": 65000, \"prefix\": "
    "\"10.0.0.0/24\"}], \"bgpsecFilters\": []},\n"
    " \"locallyAddedAssertions\": {\"prefixAssertions\": [{\"asn\": 65002, \"prefix\": "
    "\"10.2.0.0/25\", \"maxPrefixLength\": 26}], \"bgpsecAssertions\": []}}\n";

START_TEST(test_slurm_applied)
{
	struct env e;

	env_up(&e);
	write_vrps(e.path[0], WALL0,
		   ROA("10.0.0.0/24", 24, 65000) "," ROA("10.1.0.0/25", 26, 65001), NULL);
	ck_assert_int_eq(rtrmod_feed_add_source(e.feed, e.path[0]), 0);
	write_text(e.path[1], slurm_text);
	ck_assert_int_eq(rtrmod_feed_add_slurm(e.feed, e.path[1]), 0);
	ck_assert_int_eq(rtrmod_feed_start(e.feed), 0);
	ck_assert_uint_eq(rtrmod_feed_count(e.feed, RTRMOD_SOURCE_VRP), 2);
	ck_assert(!serves_vrp(&e, "10.0.0.0/24", 24, 65000));
	ck_assert(serves_vrp(&e, "10.1.0.0/25", 26, 65001));
	ck_assert(serves_vrp(&e, "10.2.0.0/25", 26, 65002));
	env_down(&e);
}
END_TEST

START_TEST(test_bad_slurm_keeps_last_good)
{
	struct env e;

	env_up(&e);
	write_vrps(e.path[0], WALL0, ROA("10.0.0.0/24", 24, 65000), NULL);
	write_text(e.path[1], slurm_text);
	ck_assert_int_eq(rtrmod_feed_add_source(e.feed, e.path[0]), 0);
	ck_assert_int_eq(rtrmod_feed_add_slurm(e.feed, e.path[1]), 0);
	ck_assert_int_eq(rtrmod_feed_start(e.feed), 0);
	ck_assert(!serves_vrp(&e, "10.0.0.0/24", 24, 65000));

	/* New data, broken SLURM: the data is served, with the old filters. */
	write_vrps(e.path[0], WALL0, ROA("10.0.0.0/24", 24, 65000) "," ROA("10.7.0.0/16", 16, 7),
		   NULL);
	write_text(e.path[1], "{\"slurmVersion\": 1}");
	ck_assert_int_eq(rtrmod_feed_reload(e.feed), RTRMOD_EPARSE);
	ck_assert_ptr_nonnull(strstr(rtrmod_feed_error(e.feed), "SLURM"));
	ck_assert_ptr_nonnull(strstr(rtrmod_feed_error(e.feed), "last good"));
	ck_assert(serves_vrp(&e, "10.7.0.0/16", 16, 7));
	ck_assert(!serves_vrp(&e, "10.0.0.0/24", 24, 65000));
	ck_assert(serves_vrp(&e, "10.2.0.0/25", 26, 65002));
	ck_assert_uint_eq(serial_of(&e), 1);
	ck_assert_uint_eq(e.events[RTRMOD_FEED_LOADED], 2);

	/* An empty SLURM file: the filter goes, the VRP comes back. */
	write_text(e.path[1], "{\"slurmVersion\": 1, \"validationOutputFilters\": "
			      "{\"prefixFilters\": [], \"bgpsecFilters\": []}, "
			      "\"locallyAddedAssertions\": {\"prefixAssertions\": [], "
			      "\"bgpsecAssertions\": []}}");
	ck_assert_int_eq(rtrmod_feed_reload(e.feed), 0);
	ck_assert(serves_vrp(&e, "10.0.0.0/24", 24, 65000));
	ck_assert(!serves_vrp(&e, "10.2.0.0/25", 26, 65002));
	env_down(&e);
}
END_TEST

START_TEST(test_bad_slurm_at_start_serves_nothing)
{
	struct env e;

	env_up(&e);
	write_vrps(e.path[0], WALL0, ROA("10.0.0.0/24", 24, 65000), NULL);
	write_text(e.path[1], "not json");
	ck_assert_int_eq(rtrmod_feed_add_source(e.feed, e.path[0]), 0);
	ck_assert_int_eq(rtrmod_feed_add_slurm(e.feed, e.path[1]), 0);
	ck_assert_int_eq(rtrmod_feed_start(e.feed), RTRMOD_EPARSE);
	ck_assert_ptr_null(rtrmod_feed_set(e.feed));
	ck_assert_ptr_null(strstr(rtrmod_feed_error(e.feed), "last good"));
	ck_assert_uint_eq(e.events[RTRMOD_FEED_FAILED], 1);
	env_down(&e);
}
END_TEST

/* ---- staleness -------------------------------------------------------------------- */

START_TEST(test_stale_timer)
{
	struct env e;
	struct rtr_router r;
	int64_t until;

	env_up(&e);
	write_vrps(e.path[0], WALL0 - 10, ROA("10.0.0.0/24", 24, 65001), NULL);
	ck_assert_int_eq(rtrmod_feed_add_source(e.feed, e.path[0]), 0);
	rtrmod_feed_set_check_time(e.feed, true);
	rtrmod_feed_set_max_age(e.feed, 3600);
	ck_assert_int_eq(rtrmod_feed_set_refresh(e.feed, 0), 0); /* the timer alone */
	ck_assert_int_eq(rtrmod_feed_start(e.feed), 0);
	ck_assert(rtrmod_feed_fresh_until(e.feed, &until));
	ck_assert_int_eq(until, WALL0 - 10 + 3600);
	ck_assert(!rtrmod_feed_stale(e.feed));

	/* The last second is still good. */
	fx_loop_advance(&e.loop, (3600 - 10) * 1000);
	ck_assert_int_eq(env_now(&e), until);
	ck_assert(!rtrmod_feed_stale(e.feed));
	router_reset(&e, &r);
	ck_assert(!r.error);
	ck_assert_uint_eq(r.nvrps, 1);
	rtr_router_fini(&r);

	/* Past it, with no refresh at all: stale, "No Data Available". */
	fx_loop_advance(&e.loop, 1000);
	ck_assert(rtrmod_feed_stale(e.feed));
	ck_assert_uint_eq(e.events[RTRMOD_FEED_STALE], 1);
	rtr_router_init(&r, 1);
	fx_ask_serial(e.cache, &r, -1);
	ck_assert(r.error);
	ck_assert_uint_eq(r.error_code, 2); /* RFC 8210 §12: No Data Available */
	rtr_router_fini(&r);

	/* A refresh of the same old file fails its age check and keeps it stale. */
	ck_assert_int_eq(rtrmod_feed_reload(e.feed), RTRMOD_ESTALE);
	ck_assert(rtrmod_feed_stale(e.feed));
	ck_assert_uint_eq(e.events[RTRMOD_FEED_STALE], 1);

	/* Fresh data, even the same records: fresh again, same serial. */
	write_vrps(e.path[0], env_now(&e), ROA("10.0.0.0/24", 24, 65001), NULL);
	ck_assert_int_eq(rtrmod_feed_reload(e.feed), 0);
	ck_assert(!rtrmod_feed_stale(e.feed));
	ck_assert_uint_eq(e.events[RTRMOD_FEED_FRESH], 1);
	ck_assert_uint_eq(serial_of(&e), 0);
	router_reset(&e, &r);
	ck_assert(!r.error);
	ck_assert_uint_eq(r.nvrps, 1);
	rtr_router_fini(&r);

	/* and stale again an hour later; the STALE callback may reload (the
	 * file is too old by then) */
	e.reload_in_cb = true;
	fx_loop_advance(&e.loop, 3601 * 1000);
	ck_assert(rtrmod_feed_stale(e.feed));
	ck_assert_uint_eq(e.events[RTRMOD_FEED_STALE], 2);
	ck_assert_int_eq(e.reload_rc, RTRMOD_ESTALE);
	ck_assert_uint_eq(e.events[RTRMOD_FEED_FAILED], 2);
	env_down(&e);
}
END_TEST

/* With two files, the earlier fresh-until decides (GoRTR "valid" here). */
START_TEST(test_stale_earliest_file)
{
	struct env e;
	char text[512];
	int64_t until;

	env_up(&e);
	write_vrps(e.path[0], WALL0, ROA("10.0.0.0/24", 24, 65001), NULL);
	snprintf(text, sizeof(text),
		 "{\"metadata\": {\"generated\": %d, \"valid\": %d}, \"roas\": "
		 "[{\"prefix\": \"10.1.0.0/24\", \"maxLength\": 24, \"asn\": \"AS65002\"}]}",
		 WALL0, WALL0 + 120);
	write_text(e.path[1], text);
	ck_assert_int_eq(rtrmod_feed_add_source(e.feed, e.path[0]), 0);
	ck_assert_int_eq(rtrmod_feed_add_source(e.feed, e.path[1]), 0);
	rtrmod_feed_set_check_time(e.feed, true);
	ck_assert_int_eq(rtrmod_feed_start(e.feed), 0);
	ck_assert(rtrmod_feed_fresh_until(e.feed, &until));
	ck_assert_int_eq(until, WALL0 + 120);
	fx_loop_advance(&e.loop, 121 * 1000);
	ck_assert(rtrmod_feed_stale(e.feed));
	env_down(&e);
}
END_TEST

/* ---- signatures ---------------------------------------------------------------------- */

START_TEST(test_signature_required)
{
	struct env e;

	env_up(&e);
	copy_file(SIGN "signed_small.rpki.json", e.path[0]);
	ck_assert_int_eq(rtrmod_feed_add_source(e.feed, e.path[0]), 0);
	rtrmod_feed_set_verify(e.feed, true);
	/* verification on and no key: refused */
	ck_assert_int_eq(rtrmod_feed_start(e.feed), RTRMOD_ESTATE);
	ck_assert_int_eq(rtrmod_feed_set_verify_key_file(e.feed, e.path[3]), RTRMOD_EIO);
	ck_assert_ptr_nonnull(strstr(rtrmod_feed_error(e.feed), "verification key"));
	ck_assert_int_eq(rtrmod_feed_set_verify_key_file(e.feed, SIGN "public.pem"), 0);
	ck_assert_int_eq(rtrmod_feed_reload(e.feed), 0);
	ck_assert_uint_eq(rtrmod_feed_count(e.feed, RTRMOD_SOURCE_VRP), 64);

	/* tampered: refused, the verified set stays */
	copy_file(SIGN "signed_small_TAMPERED.rpki.json", e.path[0]);
	ck_assert_int_eq(rtrmod_feed_reload(e.feed), RTRMOD_EVERIFY);
	ck_assert_uint_eq(rtrmod_feed_count(e.feed, RTRMOD_SOURCE_VRP), 64);
	ck_assert_uint_eq(serial_of(&e), 0);

	/* unsigned: refused */
	write_vrps(e.path[0], WALL0, ROA("10.0.0.0/24", 24, 65001), NULL);
	ck_assert_int_eq(rtrmod_feed_reload(e.feed), RTRMOD_EVERIFY);
	ck_assert_uint_eq(rtrmod_feed_count(e.feed, RTRMOD_SOURCE_VRP), 64);

	/* the wrong key: refused */
	copy_file(SIGN "signed_small.rpki.json", e.path[0]);
	ck_assert_int_eq(rtrmod_feed_set_verify_key_file(e.feed, SIGN "cf.pub"), 0);
	ck_assert_int_eq(rtrmod_feed_reload(e.feed), RTRMOD_EVERIFY);

	/* verification off: the unsigned file loads */
	rtrmod_feed_set_verify(e.feed, false);
	write_vrps(e.path[0], WALL0, ROA("10.0.0.0/24", 24, 65001), NULL);
	ck_assert_int_eq(rtrmod_feed_reload(e.feed), 0);
	ck_assert_uint_eq(rtrmod_feed_count(e.feed, RTRMOD_SOURCE_VRP), 1);
	ck_assert_uint_eq(serial_of(&e), 1);
	env_down(&e);
}
END_TEST

/* ---- reload now and the refresh timer ----------------------------------------------- */

START_TEST(test_reload_now_and_timer)
{
	struct env e;
	struct rtr_router r;
	uint32_t s0;

	env_up(&e);
	write_vrps(e.path[0], WALL0, ROA("10.0.0.0/24", 24, 65001), NULL);
	ck_assert_int_eq(rtrmod_feed_add_source(e.feed, e.path[0]), 0);
	ck_assert_int_eq(rtrmod_feed_set_refresh(e.feed, 300), 0);
	ck_assert_int_eq(rtrmod_feed_start(e.feed), 0);
	router_reset(&e, &r);
	s0 = serial_of(&e);

	/* reload now: new serial, and the router's Serial Query gets the delta */
	fx_loop_advance(&e.loop, 100 * 1000);
	write_vrps(e.path[0], WALL0, ROA("10.0.0.0/24", 24, 65001) "," ROA("10.5.0.0/16", 20, 5),
		   NULL);
	ck_assert_int_eq(rtrmod_feed_reload(e.feed), 0);
	ck_assert_uint_eq(serial_of(&e), s0 + 1);
	ck_assert_int_eq(rtrmod_feed_last_change(e.feed), WALL0 + 100);
	fx_ask_serial(e.cache, &r, s0);
	ck_assert_str_eq(r.problem, "");
	ck_assert(rtr_router_matches(&r, rtrmod_feed_set(e.feed)));
	ck_assert_uint_eq(r.nann, 1);

	/* unchanged: same serial, no change time */
	fx_loop_advance(&e.loop, 10 * 1000);
	ck_assert_int_eq(rtrmod_feed_reload(e.feed), 0);
	ck_assert_uint_eq(serial_of(&e), s0 + 1);
	ck_assert_int_eq(rtrmod_feed_last_change(e.feed), WALL0 + 100);
	ck_assert_int_eq(rtrmod_feed_last_success(e.feed), WALL0 + 110);

	/* the reload restarted the 300 s interval */
	write_vrps(e.path[0], WALL0, ROA("10.5.0.0/16", 20, 5), NULL);
	fx_loop_advance(&e.loop, 299 * 1000);
	ck_assert_uint_eq(serial_of(&e), s0 + 1);
	fx_loop_advance(&e.loop, 1000);
	ck_assert_uint_eq(serial_of(&e), s0 + 2);
	ck_assert_uint_eq(rtrmod_feed_refreshes(e.feed, false), 4);
	fx_ask_serial(e.cache, &r, s0 + 1);
	ck_assert(rtr_router_matches(&r, rtrmod_feed_set(e.feed)));
	rtr_router_fini(&r);

	/* refresh 0: on demand only */
	ck_assert_int_eq(rtrmod_feed_set_refresh(e.feed, 0), 0);
	ck_assert_uint_eq(fx_loop_timers(&e.loop), 0);
	env_down(&e);
}
END_TEST

START_TEST(test_reload_inside_callback)
{
	struct env e;

	env_up(&e);
	write_vrps(e.path[0], WALL0, ROA("10.0.0.0/24", 24, 65001), NULL);
	ck_assert_int_eq(rtrmod_feed_add_source(e.feed, e.path[0]), 0);
	e.reload_in_cb = true;
	e.reload_rc = 0;
	ck_assert_int_eq(rtrmod_feed_start(e.feed), 0);
	ck_assert_int_eq(e.reload_rc, RTRMOD_ESTATE);
	ck_assert_uint_eq(rtrmod_feed_refreshes(e.feed, false), 1);
	ck_assert_str_eq(rtrmod_feed_event_name(RTRMOD_FEED_STALE), "stale");
	ck_assert_str_eq(rtrmod_feed_event_name((enum rtrmod_feed_event)9), "unknown");
	env_down(&e);
}
END_TEST

/* Without a cache the feed keeps the set for the host. */
START_TEST(test_no_cache)
{
	struct rtrmod_ctx *ctx;
	struct rtrmod_feed *feed;
	struct fx_loop loop;
	uint32_t serial;

	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	rtrmod_ctx_set_log(ctx, quiet_log, NULL, RTRMOD_LOG_DEBUG);
	fx_loop_init(&loop);
	ck_assert_int_eq(rtrmod_ctx_set_loop(ctx, &fx_loop_ops, &loop), 0);
	ck_assert_int_eq(rtrmod_feed_new(ctx, NULL, &feed), 0);
	ck_assert_int_eq(rtrmod_feed_add_source(feed, SIGN "signed_small.rpki.json"), 0);
	ck_assert_int_eq(rtrmod_feed_start(feed), 0);
	ck_assert_uint_eq(rtrmod_feed_count(feed, RTRMOD_SOURCE_VRP), 64);
	ck_assert_int_eq(rtrmod_feed_serial(feed, &serial), RTRMOD_EINVAL);
	rtrmod_feed_free(feed);
	rtrmod_feed_free(NULL);
	ck_assert_uint_eq(fx_loop_timers(&loop), 0);
	ck_assert_int_eq(rtrmod_ctx_set_loop(ctx, NULL, NULL), 0);
	rtrmod_ctx_free(ctx);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("feed");
	TCase *tc = tcase_create("feed");

	tcase_add_test(tc, test_union_of_two_files);
	tcase_add_test(tc, test_serve_kind);
	tcase_add_test(tc, test_bad_file_keeps_last_good);
	tcase_add_test(tc, test_first_load_fails);
	tcase_add_test(tc, test_slurm_applied);
	tcase_add_test(tc, test_bad_slurm_keeps_last_good);
	tcase_add_test(tc, test_bad_slurm_at_start_serves_nothing);
	tcase_add_test(tc, test_stale_timer);
	tcase_add_test(tc, test_stale_earliest_file);
	tcase_add_test(tc, test_signature_required);
	tcase_add_test(tc, test_reload_now_and_timer);
	tcase_add_test(tc, test_reload_inside_callback);
	tcase_add_test(tc, test_no_cache);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
