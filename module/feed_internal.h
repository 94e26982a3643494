/*
 * feed_internal.h: what the feed (feed.c) lets the core and the unit tests
 * reach that hosts never need: the wall clock it reads, so that staleness
 * can be tested on a fake loop with a fake clock instead of by waiting, and
 * the cache it feeds, for the instance that swaps feeds under a cache.
 */
#ifndef RTRMOD_FEED_INTERNAL_H
#define RTRMOD_FEED_INTERNAL_H

#include <stdint.h>

#include <rtrmod/feed.h>

/* The wall clock in milliseconds since the epoch. */
typedef int64_t feed_clock_fn(void *arg);

/* Replace the clock (NULL restores CLOCK_REALTIME). */
void feed_set_clock(struct rtrmod_feed *feed, feed_clock_fn *fn, void *arg);

/* Give a feed made without a cache (or with another) to `cache`, which the
 * caller has already given rtrmod_feed_set() (rtrmod_instance_apply loads a
 * new feed before it touches the running cache).  The cache takes the
 * feed's staleness at once; later refreshes update it.  Cannot fail. */
void feed_set_cache(struct rtrmod_feed *feed, struct rtrmod_cache *cache);

#endif
