/*
 * feed_internal.h: what the feed (feed.c) lets the unit tests reach that
 * hosts never need: the wall clock it reads, so that staleness can be
 * tested on a fake loop with a fake clock instead of by waiting.
 */
#ifndef RTRMOD_FEED_INTERNAL_H
#define RTRMOD_FEED_INTERNAL_H

#include <stdint.h>

#include <rtrmod/feed.h>

/* The wall clock in milliseconds since the epoch. */
typedef int64_t feed_clock_fn(void *arg);

/* Replace the clock (NULL restores CLOCK_REALTIME). */
void feed_set_clock(struct rtrmod_feed *feed, feed_clock_fn *fn, void *arg);

#endif
