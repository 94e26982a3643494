/*
 * cache_fixture.h: what the cache tests share: sets from text and random
 * sets, a fake event loop with a manual clock, and a fake in-memory stream
 * whose reads, writes and shutdown the test controls.
 */
#ifndef CACHE_FIXTURE_H
#define CACHE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/ctx.h>
#include <rtrmod/records.h>
#include <rtrmod/transport.h>

/* ---- sets ----------------------------------------------------------------- */

/* A set from lines "192.0.2.0/24 24 AS65001", "key <ski-byte> AS65001 <spki
 * text>" and "aspa AS65001 AS1 AS2"; NULL-terminated.  Aborts on errors. */
struct rtrmod_set *fx_set(struct rtrmod_ctx *ctx, const char *const *lines);
/* Two such sets, overlapping in part and differing in each kind of record,
 * that the client and instance tests serve from their upstream caches. */
extern const char *const fx_set_a_lines[];
extern const char *const fx_set_b_lines[];

/* A small deterministic generator (xorshift). */
uint32_t fx_rand(uint64_t *state);
/* A random set over a small universe, so that records come and go and come
 * back: VRPs nested under a few covering prefixes, a few router keys, a
 * few ASPA customers with varying providers. */
struct rtrmod_set *fx_random_set(struct rtrmod_ctx *ctx, uint64_t *state, unsigned vrps);
/* `n` distinct IPv4 /24 VRPs under 10/8 (large sets for transport tests). */
struct rtrmod_set *fx_big_set(struct rtrmod_ctx *ctx, unsigned n, uint32_t asn);

/* ---- one query ------------------------------------------------------------------ */

struct rtrmod_cache;
struct rtr_router;

/* Send `query` on a fresh session of `cache` (no loop involved), write out
 * everything it answers and apply it to `r`.  The bytes answered. */
size_t fx_ask(struct rtrmod_cache *cache, const uint8_t *query, size_t len, struct rtr_router *r);
/* A Serial Query, or (serial < 0) a Reset Query after clearing r. */
size_t fx_ask_serial(struct rtrmod_cache *cache, struct rtr_router *r, int64_t serial);

/* ---- fake loop --------------------------------------------------------------- */

#define FX_WATCHES 64
#define FX_TIMERS  256

struct fx_watch {
	bool active;
	int fd;
	enum rtrmod_io_event event;
	rtrmod_io_cb *cb;
	void *arg;
};

struct fx_timer {
	bool active;
	uint64_t due, seq;
	rtrmod_timer_cb *cb;
	void *arg;
};

struct fx_loop {
	uint64_t now, seq;
	struct fx_watch w[FX_WATCHES];
	struct fx_timer t[FX_TIMERS];
};

extern const struct rtrmod_loop_ops fx_loop_ops;

void fx_loop_init(struct fx_loop *l);
bool fx_loop_watching(const struct fx_loop *l, int fd, enum rtrmod_io_event event);
/* Call the watch's callback if there is one; whether there was. */
bool fx_loop_fire(struct fx_loop *l, int fd, enum rtrmod_io_event event);
/* Move the clock by ms, firing what falls due in order (zero-delay timers
 * fire with ms 0). */
void fx_loop_advance(struct fx_loop *l, uint64_t ms);
unsigned fx_loop_timers(const struct fx_loop *l);

/* ---- fake stream ---------------------------------------------------------------- */

struct fx_stream {
	int fd;
	struct rtrmod_prefix peer;
	bool has_peer;
	/* input the router "sent": read hands it out, then EAGAIN or EOF */
	uint8_t in[4096];
	size_t in_len, in_off;
	bool in_eof;
	/* output the cache wrote; writes take at most `budget` bytes in all
	 * (SIZE_MAX: unlimited) and `chunk` per call, then EAGAIN */
	uint8_t *out;
	size_t out_len, out_cap;
	size_t budget, chunk;
	bool write_error;
	unsigned writev_calls;
	bool shut, closed;
};

extern const struct rtrmod_stream_ops fx_stream_ops;

/* The state stays the test's: close only marks it closed. */
void fx_stream_init(struct fx_stream *s, int fd, const char *peer_addr);
void fx_stream_fini(struct fx_stream *s);
void fx_stream_input(struct fx_stream *s, const void *data, size_t len);

#endif
