/*
 * instance_fixture.h: what the rtrmod_instance tests share
 * (check_instance.c, check_instance_apply.c): an instance on the built-in
 * loop with a failing allocator, upstream caches (in-process rtrmod_caches
 * on loopback), model routers on plain sockets, configurations built field
 * by field, and bounded waits that pump the routers while the loop runs.
 * One environment, T, set up and torn down around every test.
 */
#ifndef INSTANCE_FIXTURE_H
#define INSTANCE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/rtrmod.h>

#include "config_internal.h"
#include "rtr_router.h"
#include "test_alloc.h"

#define WAIT_MS     5000
#define SMALL_VRPS  TEST_DATA_DIR "/vrps/gortr_test.rpki.json"
#define LARGER_VRPS TEST_DATA_DIR "/vrps/stayrtr_test.rpki.json"
#define GOOD_SLURM  TEST_DATA_DIR "/slurm/routinator_empty.json"

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
	struct rtrmod_set *a, *b, *c; /* three sets to serve, set up by setup() */
	struct router *routers[ROUTERS];
	unsigned updates, statuses; /* the instance's callbacks so far */
};

extern struct env T;

/* The checked fixture: T with a ctx, loop, instance and the sets a, b, c;
 * everything in it (routers, upstreams) freed after the test. */
void setup(void);
void teardown(void);

/* Upstream cache i serving `set` on a free loopback port (T.up_port[i]). */
void upstream(int i, struct rtrmod_set *set);

/* ---- configurations (allocated with T.ctx; checked, never NULL) ---- */

char *xstr(const char *s);
void *grow(void *p, size_t n, size_t size);
/* The model's defaults, named "test.json". */
struct rtrmod_config *cfg_new(void);
/* A cache at 127.0.0.1:port, with a short retry so a reconnect happens
 * within the tests' bounds. */
struct cfg_cache *cfg_add_cache(struct rtrmod_config *c, uint16_t port, unsigned pref);
void cfg_add_listener(struct rtrmod_config *c, const char *addr, uint16_t port);
void cfg_add_source(struct rtrmod_config *c, const char *name, const char *file);
void cfg_add_slurm(struct rtrmod_config *c, const char *file);
/* Apply c, which must succeed, and free it. */
void apply_ok(struct rtrmod_config *c);
/* apply_ok() of the upstream caches i and j at preferences pi and pj. */
void apply_caches(int i, unsigned pi, int j, unsigned pj);

/* ---- routers and waiting ---- */

/* A router connected to addr:port that has sent its Reset Query. */
struct router *router_open_at(const char *addr, uint16_t port, uint8_t version);
struct router *router_open(uint16_t port, uint8_t version);
void router_close(struct router *r);
/* Read what has arrived and give it to the model router. */
void router_pump(struct router *r);
void router_serial_query(struct router *r);
/* Wait for a Serial Notify, ask, and wait for End of Data with no fault. */
void router_follow(struct router *r);

typedef bool cond_fn(void *arg);

/* Run the loop (and pump the routers) until cond holds or `ms` pass. */
bool run_until(cond_fn *cond, void *arg, uint64_t ms);
/* Run the loop for `ms` whatever happens. */
void run_for(uint64_t ms);

/* Conditions: the client's table equals the set arg; the router arg got
 * End of Data, a Serial Notify, end of file; every configured cache is
 * established. */
bool table_is(void *arg);
bool got_eod(void *arg);
bool got_notify(void *arg);
bool got_eof(void *arg);
bool all_established(void *arg);

struct count_is {
	struct rtrmod_cache *cache;
	size_t sessions;
};

/* arg, a struct count_is: the cache has that many sessions. */
bool sessions_are(void *arg);

/* The peer ("addr:port") of a cache's only session. */
void only_peer(struct rtrmod_cache *cache, char *out, size_t size);
/* Whether a socket listens on addr:port, found without connecting. */
bool port_listening(const char *addr, uint16_t port);
/* A port nobody listens on now. */
uint16_t free_port(void);
uint32_t serial_of(struct rtrmod_cache *cache);

#endif
