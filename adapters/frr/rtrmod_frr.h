/*
 * rtrmod_frr.h: what the files of the bgpd module share.  The module is one
 * per bgpd process, so its state is one struct (rtrmod_frr, below), touched
 * only from bgpd's main pthread: every callback of the core arrives through
 * the loop of frr_loop.c on bgpd's thread_master.
 *
 *   bgp_rtrmod.c         module registration, late init and fini, version and
 *                        conflict checks, the instance and its callbacks
 *   frr_loop.c           struct rtrmod_loop_ops on thread_add_read/_write/_timer
 *   rtrmod_vty.c         the `rpki` node, its commands and its config write
 *   rtrmod_show.c        `show rpki ...`
 *   rtrmod_routemap.c    validating a BGP path (the bgp_rpki_prefix_status
 *                        hook), `match rpki`, which inbound policies use it
 *   rtrmod_revalidate.c  re-running policy and best path after VRP changes
 *   rtrmod_refresh.c     route refreshes to peers without an Adj-RIB-In, paced
 *   rtrmod_check.c       may the module run in this bgpd (FRR version and
 *                        package, `-M rpki`)
 *
 * Include after FRR's own headers (zebra.h first).
 */
#ifndef RTRMOD_FRR_H
#define RTRMOD_FRR_H

#include <stdbool.h>
#include <stdint.h>

#include <rtrmod/client.h>
#include <rtrmod/ctx.h>
#include <rtrmod/instance.h>
#include <rtrmod/rov.h>

struct thread_master;
struct vty;
struct peer;
struct attr;
struct prefix;
struct route_map;
struct rtrmod_prefix;

/* ---- frr_loop.c ------------------------------------------------------------- */

struct frr_loop;

/* A loop on `master`; NULL when out of memory (FRR's allocator aborts
 * first, so in practice never). */
struct frr_loop *frr_loop_new(struct thread_master *master);
/* Cancel whatever is still watched or armed (logged) and free. */
void frr_loop_free(struct frr_loop *loop);
const struct rtrmod_loop_ops *frr_loop_ops(void);

/* ---- rtrmod_vty.c: the CLI configuration (the rpki node) -------------------- */

#define RTRMOD_FRR_POLLING_DEFAULT 3600
#define RTRMOD_FRR_EXPIRE_DEFAULT  7200
#define RTRMOD_FRR_RETRY_DEFAULT   600

/* Room for a cache's host as shown: a DNS name (253) or an address. */
#define RTRMOD_FRR_HOST_LEN 256

/* One `rpki cache` line, kept as written so config write gives it back. */
struct rtrmod_frr_cache {
	struct rtrmod_frr_cache *next;
	bool ssh;
	char *host;
	char *port; /* TCP: as written (a number or a service name) */
	unsigned ssh_port;
	char *ssh_user, *ssh_privkey, *ssh_pubkey; /* pubkey may be NULL */
	char *source;                              /* NULL: not set */
	uint8_t preference;
	/* The client's cache; NULL for SSH (no transport yet). */
	struct rtrmod_client_cache *cc;
};

void rtrmod_vty_init(void);
/* Remove every `rpki cache` from the client and free the list (fini). */
void rtrmod_vty_fini(void);
/* Start the client (`rpki start`, leaving the rpki node); false with a log
 * line when there is no cache or the loop refused. */
bool rtrmod_frr_start(void);
void rtrmod_frr_stop(void);

/* ---- rtrmod_show.c ---------------------------------------------------------------- */

void rtrmod_show_init(void);

/* ---- rtrmod_routemap.c ------------------------------------------------------------ */

void rtrmod_routemap_init(void);
/* The bgp_rpki_prefix_status hook: enum rpki_states of the path. */
int rtrmod_frr_validate(struct peer *peer, struct attr *attr, const struct prefix *prefix);
/* An FRR IPv4/IPv6 prefix as the core's (host bits cleared); false for
 * other families. */
bool rtrmod_frr_prefix(const struct prefix *in, struct rtrmod_prefix *out);
/* Whether `map` (or a route-map it calls) has a `match rpki` rule; NULL is
 * no route-map. */
bool rtrmod_routemap_uses_rpki(struct route_map *map);

/* ---- rtrmod_revalidate.c ------------------------------------------------------------ */

/* Queue the routes under the delta's VRP prefixes (all routes when `delta`
 * is NULL) for re-running inbound policy and best path. */
void rtrmod_revalidate_delta(const struct rtrmod_delta *delta);
void rtrmod_revalidate_fini(void);

/* ---- rtrmod_refresh.c ---------------------------------------------------------------- */

/* After a walk over the address families touched: route refreshes to the
 * peers that need one, paced (see the file).  Returns how many were sent
 * now; *deferred, how many wait for their interval. */
unsigned rtrmod_refresh_after_walk(const bool afi_touched[AFI_MAX], unsigned *deferred);
void rtrmod_refresh_fini(void);

/* ---- rtrmod_check.c ---------------------------------------------------------------- */

enum rtrmod_frr_verdict {
	RTRMOD_FRR_RUN = 0,            /* run */
	RTRMOD_FRR_OTHER_REVISION = 1, /* same upstream FRR, another (or no usable) Debian
					* version: inert, the CLI kept (RPKI off) */
	RTRMOD_FRR_STOCK_RPKI = 2,     /* `-M rpki` loaded too: inert, nothing installed */
	RTRMOD_FRR_OTHER_UPSTREAM = 3  /* another upstream FRR: inert, nothing installed (the
					* CLI is built on this FRR's headers) */
};

/* Decide (and log why not); once, at late init. */
enum rtrmod_frr_verdict rtrmod_frr_check(void);
/* The frr package version of the source built against ("" if unknown). */
const char *rtrmod_frr_package_version(void);

/* ---- bgp_rtrmod.c: the module's state ------------------------------------------------ */

struct rtrmod_frr {
	struct thread_master *master;
	struct rtrmod_ctx *ctx;
	struct frr_loop *loop;
	struct rtrmod_instance *inst;
	bool active; /* checks passed: commands, hook and route-map match installed */
	bool inert;  /* another Debian revision: only the rpki node and `match rpki`
		      * (never matching) */

	/* the rpki node */
	bool debug;
	unsigned polling_period, expire_interval, retry_interval;
	struct rtrmod_frr_cache *caches; /* in the order configured */
	bool running;                    /* `rpki start`ed and not stopped */

	bool synced;      /* rtrmod_frr_synced() when last looked at */
	void *sync_check; /* the core-loop timer handle of the pending look */
};

extern struct rtrmod_frr rtrmod_frr;

/* The client of the instance (never NULL once active). */
struct rtrmod_client *rtrmod_frr_client(void);
/* Whether a cache group has data: validation is in use (FRR: "synced"). */
bool rtrmod_frr_synced(void);
/* `debug rpki`: the core's log level follows. */
void rtrmod_frr_set_debug(bool on);

#define RTRMOD_FRR_DEBUG(...)                                                                      \
	do {                                                                                       \
		if (rtrmod_frr.debug)                                                              \
			zlog_debug("RPKI: " __VA_ARGS__);                                          \
	} while (0)

#endif
