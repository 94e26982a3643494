/*
 * serve_bind.h: the listening addresses of `rtrmod serve`, written as Go's
 * net.Listen takes them (StayRTR's -bind): "host:port", "[v6]:port" or
 * ":port" for every address, and here also a comma-separated list.
 */
#ifndef SERVE_BIND_H
#define SERVE_BIND_H

#include <stdbool.h>
#include <stddef.h>

#include <rtrmod/rtrmod.h>

/* Whether `spec` is well formed, without listening; else why, in err. */
bool serve_bind_check(const char *spec, char *err, size_t errlen);

/* Listen on every address of `spec`.  0, or -1 with the reason logged
 * through ctx (nothing is left half-listening: the caller exits). */
int serve_bind(struct rtrmod_ctx *ctx, struct rtrmod_cache *cache, const char *spec);

#endif
