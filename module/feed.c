/*
 * feed.c: keeps a cache's set current from JSON source files and SLURM
 * files: periodic and on-demand refreshes, the union of the files, SLURM,
 * the kinds served, and the staleness timer.
 *
 * Invariants: the served set (feed->set) and its fresh-until time change
 * only together, and only when every source file of one refresh loaded and
 * the cache took the result; a failed refresh changes nothing but the
 * status.  The cache is stale exactly while feed->stale is true, and that is
 * true exactly while the wall clock is past the served set's fresh-until
 * time, re-checked by a timer at that time and at every refresh.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rtrmod/feed.h>
#include <rtrmod/slurm.h>

#include "feed_internal.h"
#include "rtrmod_internal.h"

#define FEED_DEFAULT_REFRESH 600 /* StayRTR's -refresh */
/* The staleness timer runs on the loop's monotonic clock but fresh-until is
 * a wall-clock time: look again at least this often, so a stepped wall
 * clock is noticed within a minute. */
#define FEED_STALE_RECHECK_MS 60000

struct rtrmod_feed {
	struct rtrmod_ctx *ctx;
	struct rtrmod_cache *cache; /* borrowed; NULL: the host reads the set */
	struct rtrmod_source *src;  /* one parser, with the options, for every file */
	struct rtrmod_slurm *slurm;
	char **sources, **slurms;
	size_t nsources, nslurms;
	bool serve[RTRMOD_SOURCE_KIND_COUNT];
	bool slurm_refresh, slurm_good, slurm_dirty;
	bool started, busy, stale, changed;
	uint32_t refresh_s;
	void *refresh_timer, *stale_timer;
	rtrmod_feed_event_fn *event_fn;
	void *event_arg;
	feed_clock_fn *clock;
	void *clock_arg;
	/* in service */
	struct rtrmod_set *set;
	bool has_until;
	int64_t until;
	/* status */
	int64_t last_attempt, last_success, last_change;
	int result;
	uint64_t refreshes[2]; /* [0] good, [1] failed */
	char error[1024];
};

static const char *const event_names[] = {
    [RTRMOD_FEED_LOADED] = "loaded",
    [RTRMOD_FEED_FAILED] = "failed",
    [RTRMOD_FEED_STALE] = "stale",
    [RTRMOD_FEED_FRESH] = "fresh",
};

const char *
rtrmod_feed_event_name(enum rtrmod_feed_event event)
{
	return (unsigned)event < ARRAY_SIZE(event_names) ? event_names[event] : "unknown";
}

static int64_t
feed_realtime_ms(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
feed_set_clock(struct rtrmod_feed *f, feed_clock_fn *fn, void *arg)
{
	f->clock = fn != NULL ? fn : feed_realtime_ms;
	f->clock_arg = fn != NULL ? arg : NULL;
}

void
feed_set_cache(struct rtrmod_feed *f, struct rtrmod_cache *cache)
{
	f->cache = cache;
	if (cache != NULL)
		rtrmod_cache_set_stale(cache, f->stale);
}

/* "2025-07-20T10:01:43Z" into buf (32 bytes). */
static const char *
feed_time_text(int64_t t, char *buf)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "%" PRId64, t);
	return buf;
}

/* Keep the first reason a refresh fails for; return rc. */
static int feed_fail(struct rtrmod_feed *f, int rc, const char *fmt, ...) RTRMOD_PRINTF(3, 4);

static int
feed_fail(struct rtrmod_feed *f, int rc, const char *fmt, ...)
{
	va_list ap;

	if (f->error[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(f->error, sizeof(f->error), fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* ---- creation and configuration ------------------------------------------ */

int
rtrmod_feed_new(struct rtrmod_ctx *ctx, struct rtrmod_cache *cache, struct rtrmod_feed **out)
{
	struct rtrmod_feed *f;
	int rc;

	if (out == NULL)
		return RTRMOD_EINVAL;
	*out = NULL;
	if (ctx == NULL)
		return RTRMOD_EINVAL;
	f = ctx_zalloc(ctx, sizeof(*f));
	if (f == NULL)
		return RTRMOD_ENOMEM;
	f->ctx = ctx;
	f->cache = cache;
	f->slurm_refresh = true;
	f->refresh_s = FEED_DEFAULT_REFRESH;
	for (size_t k = 0; k < RTRMOD_SOURCE_KIND_COUNT; k++)
		f->serve[k] = true;
	feed_set_clock(f, NULL, NULL);
	if ((rc = rtrmod_source_new(ctx, &f->src)) != 0 ||
	    (rc = rtrmod_slurm_new(ctx, &f->slurm)) != 0) {
		rtrmod_feed_free(f);
		return rc;
	}
	*out = f;
	return 0;
}

static void
feed_free_paths(struct rtrmod_ctx *ctx, char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ctx_free(ctx, paths[i]);
	ctx_free(ctx, paths);
}

void
rtrmod_feed_free(struct rtrmod_feed *f)
{
	if (f == NULL)
		return;
	ctx_timer_cancel(f->ctx, &f->refresh_timer);
	ctx_timer_cancel(f->ctx, &f->stale_timer);
	rtrmod_set_unref(f->set);
	rtrmod_slurm_free(f->slurm);
	rtrmod_source_free(f->src);
	feed_free_paths(f->ctx, f->sources, f->nsources);
	feed_free_paths(f->ctx, f->slurms, f->nslurms);
	ctx_free(f->ctx, f);
}

static int
feed_add_path(struct rtrmod_ctx *ctx, char ***paths, size_t *n, const char *path)
{
	size_t len = strlen(path);
	char **grown, *copy;

	copy = ctx_alloc(ctx, len + 1);
	if (copy == NULL)
		return RTRMOD_ENOMEM;
	memcpy(copy, path, len + 1);
	grown = ctx_realloc(ctx, *paths, (*n + 1) * sizeof(*grown));
	if (grown == NULL) {
		ctx_free(ctx, copy);
		return RTRMOD_ENOMEM;
	}
	grown[(*n)++] = copy;
	*paths = grown;
	return 0;
}

int
rtrmod_feed_add_source(struct rtrmod_feed *f, const char *path)
{
	if (f == NULL || path == NULL || path[0] == '\0')
		return RTRMOD_EINVAL;
	return feed_add_path(f->ctx, &f->sources, &f->nsources, path);
}

int
rtrmod_feed_add_slurm(struct rtrmod_feed *f, const char *path)
{
	int rc;

	if (f == NULL || path == NULL || path[0] == '\0')
		return RTRMOD_EINVAL;
	rc = feed_add_path(f->ctx, &f->slurms, &f->nslurms, path);
	if (rc == 0)
		f->slurm_dirty = true;
	return rc;
}

void
rtrmod_feed_set_slurm_refresh(struct rtrmod_feed *f, bool on)
{
	if (f != NULL)
		f->slurm_refresh = on;
}

void
rtrmod_feed_set_verify(struct rtrmod_feed *f, bool on)
{
	if (f != NULL)
		rtrmod_source_set_verify(f->src, on);
}

int
rtrmod_feed_set_verify_key_file(struct rtrmod_feed *f, const char *path)
{
	int rc;

	if (f == NULL || path == NULL)
		return RTRMOD_EINVAL;
	rc = rtrmod_source_set_verify_key_file(f->src, path);
	if (rc != 0) {
		f->error[0] = '\0';
		feed_fail(f, rc, "verification key: %s", rtrmod_source_error(f->src));
	}
	return rc;
}

void
rtrmod_feed_set_check_time(struct rtrmod_feed *f, bool on)
{
	if (f != NULL)
		rtrmod_source_set_check_time(f->src, on);
}

void
rtrmod_feed_set_max_age(struct rtrmod_feed *f, uint32_t seconds)
{
	if (f != NULL)
		rtrmod_source_set_max_age(f->src, seconds);
}

void
rtrmod_feed_set_serve_kind(struct rtrmod_feed *f, enum rtrmod_source_kind kind, bool serve)
{
	if (f != NULL && (unsigned)kind < RTRMOD_SOURCE_KIND_COUNT)
		f->serve[kind] = serve;
}

void
rtrmod_feed_set_event_cb(struct rtrmod_feed *f, rtrmod_feed_event_fn *fn, void *arg)
{
	if (f != NULL) {
		f->event_fn = fn;
		f->event_arg = arg;
	}
}

/* ---- building the set ------------------------------------------------------ */

static bool
feed_serves_all(const struct rtrmod_feed *f)
{
	for (size_t k = 0; k < RTRMOD_SOURCE_KIND_COUNT; k++)
		if (!f->serve[k])
			return false;
	return true;
}

/* How many records of `kind` a set holds. */
static size_t
set_count(const struct rtrmod_set *set, enum rtrmod_source_kind kind)
{
	size_t n = 0;

	if (set == NULL)
		return 0;
	if (kind == RTRMOD_SOURCE_VRP)
		rtrmod_set_vrps(set, &n);
	else if (kind == RTRMOD_SOURCE_ROUTER_KEY)
		rtrmod_set_router_keys(set, &n);
	else if (kind == RTRMOD_SOURCE_ASPA)
		rtrmod_set_aspas(set, &n);
	return n;
}

static bool
feed_holds_unserved(const struct rtrmod_feed *f, const struct rtrmod_set *set)
{
	for (size_t k = 0; k < RTRMOD_SOURCE_KIND_COUNT; k++)
		if (!f->serve[k] && set_count(set, (enum rtrmod_source_kind)k) > 0)
			return true;
	return false;
}

/* Add the records of the served kinds of `set` to `b`.  A customer AS in
 * several sets gets the union of its providers, as for several ASPA
 * objects of one customer. */
static int
feed_add_set(const struct rtrmod_feed *f, struct rtrmod_set_builder *b,
	     const struct rtrmod_set *set)
{
	const struct rtrmod_vrp *vrps;
	const struct rtrmod_router_key *keys;
	const struct rtrmod_aspa *aspas;
	size_t n, i;
	int rc = 0;

	vrps = rtrmod_set_vrps(set, &n);
	for (i = 0; f->serve[RTRMOD_SOURCE_VRP] && i < n && rc == 0; i++)
		rc = rtrmod_set_builder_add_vrp(b, &vrps[i]);
	keys = rtrmod_set_router_keys(set, &n);
	for (i = 0; f->serve[RTRMOD_SOURCE_ROUTER_KEY] && i < n && rc == 0; i++)
		rc = rtrmod_set_builder_add_router_key(b, &keys[i]);
	aspas = rtrmod_set_aspas(set, &n);
	for (i = 0; f->serve[RTRMOD_SOURCE_ASPA] && i < n && rc == 0; i++)
		rc = rtrmod_set_builder_add_aspa(b, aspas[i].customer_asn, aspas[i].providers,
						 aspas[i].provider_count);
	return rc;
}

/* The served kinds of `sets`, as one set.  One set of which every kind is
 * served is shared, not copied. */
static int
feed_union(const struct rtrmod_feed *f, struct rtrmod_set *const *sets, size_t n,
	   struct rtrmod_set **out)
{
	struct rtrmod_set_builder *b = NULL;
	int rc;

	if (n == 1 && feed_serves_all(f)) {
		*out = rtrmod_set_ref(sets[0]);
		return 0;
	}
	if ((rc = rtrmod_set_builder_new(f->ctx, &b)) != 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = feed_add_set(f, b, sets[i]);
	if (rc != 0) {
		rtrmod_set_builder_free(b);
		return rc;
	}
	return rtrmod_set_builder_finish(b, out);
}

/* Union, SLURM (RFC 8416 §4.1: filters, then assertions), and the kinds
 * served, which also leave out what SLURM asserted. */
static int
feed_build(struct rtrmod_feed *f, struct rtrmod_set *const *sets, size_t n, struct rtrmod_set **out)
{
	struct rtrmod_set *u = NULL, *applied = NULL;
	int rc;

	*out = NULL;
	if ((rc = feed_union(f, sets, n, &u)) != 0)
		return feed_fail(f, rc, "union of the sources: %s", rtrmod_strerror(rc));
	rc = rtrmod_slurm_apply(f->slurm, u, &applied);
	rtrmod_set_unref(u);
	if (rc != 0)
		return feed_fail(f, rc, "applying SLURM: %s", rtrmod_strerror(rc));
	if (!feed_holds_unserved(f, applied)) {
		*out = applied;
		return 0;
	}
	rc = feed_union(f, &applied, 1, out);
	rtrmod_set_unref(applied);
	if (rc != 0)
		return feed_fail(f, rc, "leaving out kinds not served: %s", rtrmod_strerror(rc));
	return 0;
}

/* ---- one refresh --------------------------------------------------------------- */

/* Load every source file; the first failure ends the refresh. */
static int
feed_load_sources(struct rtrmod_feed *f, int64_t now, struct rtrmod_set **sets, bool *has_until,
		  int64_t *until)
{
	int64_t t;
	int rc;

	for (size_t i = 0; i < f->nsources; i++) {
		rc = rtrmod_source_load_json_file(f->src, f->sources[i], now, &sets[i]);
		if (rc != 0)
			return feed_fail(f, rc, "%s", rtrmod_source_error(f->src));
		/* The earliest file decides when the union must go. */
		if (rtrmod_source_fresh_until(f->src, &t) && (!*has_until || t < *until)) {
			*until = t;
			*has_until = true;
		}
	}
	return 0;
}

/* Reload the SLURM files, all or nothing (rtrmod_slurm_load_files keeps
 * the old list on failure). */
static int
feed_load_slurm(struct rtrmod_feed *f)
{
	int rc;

	if (f->slurm_good && !f->slurm_refresh && !f->slurm_dirty)
		return 0;
	rc = rtrmod_slurm_load_files(f->slurm, (const char *const *)f->slurms, f->nslurms);
	if (rc == 0) {
		f->slurm_good = true;
		f->slurm_dirty = false;
		return 0;
	}
	return feed_fail(f, rc, "SLURM: %s%s", rtrmod_slurm_error(f->slurm),
			 f->slurm_good ? " (keeping the last good SLURM files)" : "");
}

/* Put `set` in service (the reference moves to the feed). */
static void
feed_commit(struct rtrmod_feed *f, struct rtrmod_set *set, int64_t now, bool has_until,
	    int64_t until)
{
	f->changed = f->set == NULL || !rtrmod_set_equal(f->set, set);
	if (f->changed)
		f->last_change = now;
	rtrmod_set_unref(f->set);
	f->set = set;
	f->has_until = has_until;
	f->until = until;
	f->last_success = now;
}

/* Load, build and hand to the cache; 0 or the reason, with f->error set.
 * *served tells whether a new set went into service. */
static int
feed_load(struct rtrmod_feed *f, int64_t now, bool *served)
{
	struct rtrmod_set **sets, *set = NULL;
	int64_t until = 0;
	bool has_until = false;
	int rc, slurm_rc = 0;

	*served = false;
	if (f->nsources == 0)
		return feed_fail(f, RTRMOD_ESTATE, "no source files");
	sets = ctx_zalloc(f->ctx, f->nsources * sizeof(*sets));
	if (sets == NULL)
		return feed_fail(f, RTRMOD_ENOMEM, "out of memory");
	rc = feed_load_sources(f, now, sets, &has_until, &until);
	if (rc == 0) {
		slurm_rc = feed_load_slurm(f);
		/* Without a good SLURM list the operator's exceptions would be
		 * missing: serve nothing rather than that. */
		if (slurm_rc != 0 && !f->slurm_good)
			rc = slurm_rc;
	}
	if (rc == 0)
		rc = feed_build(f, sets, f->nsources, &set);
	if (rc == 0 && f->cache != NULL && (rc = rtrmod_cache_update(f->cache, set)) != 0)
		feed_fail(f, rc, "cache update: %s", rtrmod_strerror(rc));
	for (size_t i = 0; i < f->nsources; i++)
		rtrmod_set_unref(sets[i]);
	ctx_free(f->ctx, sets);
	if (rc != 0) {
		rtrmod_set_unref(set);
		return rc;
	}
	feed_commit(f, set, now, has_until, until);
	*served = true;
	return slurm_rc;
}

/* ---- staleness --------------------------------------------------------------------- */

static void feed_stale_cb(void *arg);

/* Make f->stale (and the cache) agree with the clock, and arm the timer
 * for when it must next be looked at.  Whether the state flipped. */
static bool
feed_stale_update(struct rtrmod_feed *f)
{
	int64_t now_ms = f->clock(f->clock_arg), delay;
	bool stale = f->set != NULL && f->has_until && now_ms / 1000 > f->until;
	bool flipped = stale != f->stale;
	char when[32];

	ctx_timer_cancel(f->ctx, &f->stale_timer);
	if (flipped) {
		f->stale = stale;
		if (f->cache != NULL)
			rtrmod_cache_set_stale(f->cache, stale);
		if (stale)
			log_err(f->ctx,
				"feed: the data in service expired at %s; routers get "
				"No Data Available until fresh data loads",
				feed_time_text(f->until, when));
		else
			log_info(f->ctx, "feed: fresh data again");
	}
	if (stale || f->set == NULL || !f->has_until)
		return flipped;
	delay = (f->until + 1) * 1000 - now_ms;
	if (delay < 1)
		delay = 1;
	if (delay > FEED_STALE_RECHECK_MS)
		delay = FEED_STALE_RECHECK_MS;
	if (ctx_timer_arm(f->ctx, (uint64_t)delay, feed_stale_cb, f, &f->stale_timer) != 0)
		log_err(f->ctx, "feed: cannot arm the staleness timer; staleness is checked "
				"at refreshes only");
	return flipped;
}

static void
feed_emit(struct rtrmod_feed *f, enum rtrmod_feed_event event)
{
	if (f->event_fn != NULL)
		f->event_fn(f->event_arg, f, event);
}

static void
feed_stale_cb(void *arg)
{
	struct rtrmod_feed *f = arg;

	f->stale_timer = NULL;
	if (feed_stale_update(f))
		feed_emit(f, f->stale ? RTRMOD_FEED_STALE : RTRMOD_FEED_FRESH);
}

/* ---- running ------------------------------------------------------------------------- */

static void
feed_log_result(struct rtrmod_feed *f, int rc, bool served)
{
	char when[32];
	uint32_t serial;

	if (served) {
		log_info(f->ctx,
			 "feed: %zu source file%s loaded: %zu VRPs, %zu router keys, "
			 "%zu ASPAs in service%s",
			 f->nsources, f->nsources == 1 ? "" : "s",
			 set_count(f->set, RTRMOD_SOURCE_VRP),
			 set_count(f->set, RTRMOD_SOURCE_ROUTER_KEY),
			 set_count(f->set, RTRMOD_SOURCE_ASPA), f->changed ? "" : " (unchanged)");
		if (rc != 0)
			log_err(f->ctx, "feed: %s", f->error);
	} else if (f->set == NULL) {
		log_err(f->ctx, "feed: load failed, nothing to serve yet: %s", f->error);
	} else if (rtrmod_feed_serial(f, &serial) == 0) {
		log_err(f->ctx,
			"feed: refresh failed, still serving serial %" PRIu32 " loaded %s: %s",
			serial, feed_time_text(f->last_success, when), f->error);
	} else {
		log_err(f->ctx, "feed: refresh failed, still serving the set loaded %s: %s",
			feed_time_text(f->last_success, when), f->error);
	}
}

static int
feed_refresh(struct rtrmod_feed *f)
{
	int64_t now = f->clock(f->clock_arg) / 1000;
	bool served, flipped;
	int rc;

	f->busy = true;
	f->error[0] = '\0';
	f->last_attempt = now;
	rc = feed_load(f, now, &served);
	f->result = rc;
	f->refreshes[served ? 0 : 1]++;
	feed_log_result(f, rc, served);
	flipped = feed_stale_update(f);
	feed_emit(f, served ? RTRMOD_FEED_LOADED : RTRMOD_FEED_FAILED);
	if (flipped)
		feed_emit(f, f->stale ? RTRMOD_FEED_STALE : RTRMOD_FEED_FRESH);
	f->busy = false;
	return rc;
}

static void feed_refresh_cb(void *arg);

static int
feed_arm_refresh(struct rtrmod_feed *f)
{
	int rc;

	ctx_timer_cancel(f->ctx, &f->refresh_timer);
	if (!f->started || f->refresh_s == 0)
		return 0;
	rc = ctx_timer_arm(f->ctx, (uint64_t)f->refresh_s * 1000, feed_refresh_cb, f,
			   &f->refresh_timer);
	if (rc != 0)
		log_err(f->ctx, "feed: cannot arm the refresh timer: %s", rtrmod_strerror(rc));
	return rc;
}

static void
feed_refresh_cb(void *arg)
{
	struct rtrmod_feed *f = arg;

	f->refresh_timer = NULL;
	(void)feed_refresh(f); /* logged; the last good set stays */
	(void)feed_arm_refresh(f);
}

int
rtrmod_feed_set_refresh(struct rtrmod_feed *f, uint32_t seconds)
{
	if (f == NULL)
		return RTRMOD_EINVAL;
	f->refresh_s = seconds;
	return f->busy ? 0 : feed_arm_refresh(f); /* a refresh in progress rearms */
}

int
rtrmod_feed_start(struct rtrmod_feed *f)
{
	int rc, arm;

	if (f == NULL)
		return RTRMOD_EINVAL;
	if (f->started || f->busy)
		return RTRMOD_ESTATE;
	if (f->nsources == 0) {
		f->error[0] = '\0';
		return feed_fail(f, RTRMOD_ESTATE, "no source files");
	}
	f->started = true;
	rc = feed_refresh(f);
	arm = feed_arm_refresh(f);
	return rc != 0 ? rc : arm;
}

int
rtrmod_feed_reload(struct rtrmod_feed *f)
{
	int rc;

	if (f == NULL)
		return RTRMOD_EINVAL;
	if (f->busy)
		return RTRMOD_ESTATE;
	rc = feed_refresh(f);
	(void)feed_arm_refresh(f); /* logged */
	return rc;
}

/* ---- status ---------------------------------------------------------------------------- */

struct rtrmod_set *
rtrmod_feed_set(const struct rtrmod_feed *f)
{
	return f != NULL ? f->set : NULL;
}

size_t
rtrmod_feed_count(const struct rtrmod_feed *f, enum rtrmod_source_kind kind)
{
	return f != NULL ? set_count(f->set, kind) : 0;
}

int
rtrmod_feed_serial(const struct rtrmod_feed *f, uint32_t *serial)
{
	if (f == NULL || serial == NULL || f->cache == NULL)
		return RTRMOD_EINVAL;
	return rtrmod_cache_serial(f->cache, serial);
}

int64_t
rtrmod_feed_last_attempt(const struct rtrmod_feed *f)
{
	return f != NULL ? f->last_attempt : 0;
}

int64_t
rtrmod_feed_last_success(const struct rtrmod_feed *f)
{
	return f != NULL ? f->last_success : 0;
}

int64_t
rtrmod_feed_last_change(const struct rtrmod_feed *f)
{
	return f != NULL ? f->last_change : 0;
}

int
rtrmod_feed_result(const struct rtrmod_feed *f)
{
	return f != NULL ? f->result : RTRMOD_EINVAL;
}

const char *
rtrmod_feed_error(const struct rtrmod_feed *f)
{
	return f != NULL ? f->error : "";
}

uint64_t
rtrmod_feed_refreshes(const struct rtrmod_feed *f, bool failed)
{
	return f != NULL ? f->refreshes[failed ? 1 : 0] : 0;
}

bool
rtrmod_feed_stale(const struct rtrmod_feed *f)
{
	return f != NULL && f->stale;
}

bool
rtrmod_feed_fresh_until(const struct rtrmod_feed *f, int64_t *out)
{
	if (f == NULL || f->set == NULL || !f->has_until)
		return false;
	if (out != NULL)
		*out = f->until;
	return true;
}
