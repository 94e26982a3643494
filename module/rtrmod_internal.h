/*
 * rtrmod_internal.h: what the core's files share and hosts never see:
 * allocation and logging through the context, and the loop calls.
 * Every module file includes this first (after config.h).
 */
#ifndef RTRMOD_INTERNAL_H
#define RTRMOD_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/ctx.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *ctx_alloc(struct rtrmod_ctx *ctx, size_t size);
void *ctx_zalloc(struct rtrmod_ctx *ctx, size_t size);
void *ctx_realloc(struct rtrmod_ctx *ctx, void *ptr, size_t size);
void ctx_free(struct rtrmod_ctx *ctx, void *ptr);

/* Log at `level`; cheap when the level is filtered out. */
void ctx_log(struct rtrmod_ctx *ctx, enum rtrmod_log_level level, const char *fmt, ...)
	RTRMOD_PRINTF(3, 4);
void ctx_vlog(struct rtrmod_ctx *ctx, enum rtrmod_log_level level, const char *fmt, va_list ap)
	RTRMOD_PRINTF(3, 0);
#define log_err(ctx, ...) ctx_log((ctx), RTRMOD_LOG_ERR, __VA_ARGS__)
#define log_warn(ctx, ...) ctx_log((ctx), RTRMOD_LOG_WARN, __VA_ARGS__)
#define log_info(ctx, ...) ctx_log((ctx), RTRMOD_LOG_INFO, __VA_ARGS__)
#define log_debug(ctx, ...) ctx_log((ctx), RTRMOD_LOG_DEBUG, __VA_ARGS__)

/* The host loop, through the context.  Without a loop these return
 * RTRMOD_ESTATE (watch, arm) or do nothing. */
int ctx_watch(struct rtrmod_ctx *ctx, int fd, enum rtrmod_io_event event, rtrmod_io_cb *cb,
	      void *arg, void **handle);
void ctx_unwatch(struct rtrmod_ctx *ctx, void **handle);
int ctx_timer_arm(struct rtrmod_ctx *ctx, uint64_t delay_ms, rtrmod_timer_cb *cb, void *arg,
		  void **handle);
void ctx_timer_cancel(struct rtrmod_ctx *ctx, void **handle);
uint64_t ctx_now_ms(struct rtrmod_ctx *ctx);
/* Detach `loop` from ctx if it is the one attached (a loop being freed). */
void ctx_detach_loop(struct rtrmod_ctx *ctx, const void *loop);

/* The context's name resolver (resolve.c), NULL until first used. */
struct resolver;
struct resolver **ctx_resolver(struct rtrmod_ctx *ctx);

#endif
