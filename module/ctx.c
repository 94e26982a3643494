/*
 * ctx.c: the context: allocator hooks, the log sink and the host's loop.
 * It owns nothing else but the name resolver (resolve.c), made on first
 * use; objects made from it keep a pointer to it and must be freed before
 * it.  There is no global state anywhere in the core.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtrmod/ctx.h>

#include "resolve_internal.h"
#include "rtrmod_internal.h"

struct rtrmod_ctx {
	struct rtrmod_allocator alloc;
	rtrmod_log_fn *log_fn;
	void *log_arg;
	enum rtrmod_log_level log_level;
	const struct rtrmod_loop_ops *loop_ops;
	void *loop;
	struct resolver *resolver;
};

static void *
libc_malloc(void *arg, size_t size)
{
	return malloc(size);
}

static void *
libc_realloc(void *arg, void *ptr, size_t size)
{
	return realloc(ptr, size);
}

static void
libc_free(void *arg, void *ptr)
{
	free(ptr);
}

static const char *const level_names[] = {
	[RTRMOD_LOG_ERR] = "error",
	[RTRMOD_LOG_WARN] = "warning",
	[RTRMOD_LOG_INFO] = "info",
	[RTRMOD_LOG_DEBUG] = "debug",
};

static void
log_stderr(void *arg, enum rtrmod_log_level level, const char *msg)
{
	fprintf(stderr, "rtrmod: %s: %s\n", level_names[level], msg);
}

int
rtrmod_ctx_new(const struct rtrmod_allocator *allocator, struct rtrmod_ctx **out)
{
	struct rtrmod_allocator alloc = {libc_malloc, libc_realloc, libc_free, NULL};
	struct rtrmod_ctx *ctx;

	if (out == NULL)
		return RTRMOD_EINVAL;
	*out = NULL;
	if (allocator != NULL) {
		if (allocator->malloc == NULL || allocator->realloc == NULL ||
		    allocator->free == NULL)
			return RTRMOD_EINVAL;
		alloc = *allocator;
	}
	ctx = alloc.malloc(alloc.arg, sizeof(*ctx));
	if (ctx == NULL)
		return RTRMOD_ENOMEM;
	memset(ctx, 0, sizeof(*ctx));
	ctx->alloc = alloc;
	ctx->log_fn = log_stderr;
	ctx->log_level = RTRMOD_LOG_INFO;
	*out = ctx;
	return 0;
}

void
rtrmod_ctx_free(struct rtrmod_ctx *ctx)
{
	if (ctx == NULL)
		return;
	resolve_ctx_fini(ctx);
	ctx->alloc.free(ctx->alloc.arg, ctx);
}

void
rtrmod_ctx_set_log(struct rtrmod_ctx *ctx, rtrmod_log_fn *fn, void *arg,
		   enum rtrmod_log_level level)
{
	ctx->log_fn = fn != NULL ? fn : log_stderr;
	ctx->log_arg = fn != NULL ? arg : NULL;
	if (level > RTRMOD_LOG_DEBUG)
		level = RTRMOD_LOG_DEBUG;
	ctx->log_level = level;
}

enum rtrmod_log_level
rtrmod_ctx_log_level(const struct rtrmod_ctx *ctx)
{
	return ctx->log_level;
}

int
rtrmod_ctx_set_loop(struct rtrmod_ctx *ctx, const struct rtrmod_loop_ops *ops, void *loop)
{
	if (ops == NULL && loop == NULL) {
		ctx->loop_ops = NULL;
		ctx->loop = NULL;
		return 0;
	}
	if (ops == NULL || ops->watch == NULL || ops->unwatch == NULL ||
	    ops->timer_arm == NULL || ops->timer_cancel == NULL || ops->now_ms == NULL)
		return RTRMOD_EINVAL;
	ctx->loop_ops = ops;
	ctx->loop = loop;
	return 0;
}

/* ---- memory ---------------------------------------------------------- */

void *
ctx_alloc(struct rtrmod_ctx *ctx, size_t size)
{
	return ctx->alloc.malloc(ctx->alloc.arg, size);
}

void *
ctx_zalloc(struct rtrmod_ctx *ctx, size_t size)
{
	void *p = ctx->alloc.malloc(ctx->alloc.arg, size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void *
ctx_realloc(struct rtrmod_ctx *ctx, void *ptr, size_t size)
{
	return ctx->alloc.realloc(ctx->alloc.arg, ptr, size);
}

void
ctx_free(struct rtrmod_ctx *ctx, void *ptr)
{
	if (ptr != NULL)
		ctx->alloc.free(ctx->alloc.arg, ptr);
}

void *
rtrmod_ctx_malloc(struct rtrmod_ctx *ctx, size_t size)
{
	return ctx_alloc(ctx, size);
}

void *
rtrmod_ctx_realloc(struct rtrmod_ctx *ctx, void *ptr, size_t size)
{
	return ctx_realloc(ctx, ptr, size);
}

void
rtrmod_ctx_mfree(struct rtrmod_ctx *ctx, void *ptr)
{
	ctx_free(ctx, ptr);
}

/* ---- logging --------------------------------------------------------- */

void
ctx_vlog(struct rtrmod_ctx *ctx, enum rtrmod_log_level level, const char *fmt, va_list ap)
{
	char line[1024];

	if (level > ctx->log_level)
		return;
	/* A longer message is cut, never dropped. */
	vsnprintf(line, sizeof(line), fmt, ap);
	ctx->log_fn(ctx->log_arg, level, line);
}

void
ctx_log(struct rtrmod_ctx *ctx, enum rtrmod_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx_vlog(ctx, level, fmt, ap);
	va_end(ap);
}

void
rtrmod_ctx_log(struct rtrmod_ctx *ctx, enum rtrmod_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx_vlog(ctx, level, fmt, ap);
	va_end(ap);
}

/* ---- loop ------------------------------------------------------------ */

int
ctx_watch(struct rtrmod_ctx *ctx, int fd, enum rtrmod_io_event event, rtrmod_io_cb *cb,
	  void *arg, void **handle)
{
	if (ctx->loop_ops == NULL)
		return RTRMOD_ESTATE;
	return ctx->loop_ops->watch(ctx->loop, fd, event, cb, arg, handle);
}

/* Clears *handle so a second unwatch is harmless. */
void
ctx_unwatch(struct rtrmod_ctx *ctx, void **handle)
{
	if (ctx->loop_ops == NULL || *handle == NULL)
		return;
	ctx->loop_ops->unwatch(ctx->loop, *handle);
	*handle = NULL;
}

int
ctx_timer_arm(struct rtrmod_ctx *ctx, uint64_t delay_ms, rtrmod_timer_cb *cb, void *arg,
	      void **handle)
{
	if (ctx->loop_ops == NULL)
		return RTRMOD_ESTATE;
	return ctx->loop_ops->timer_arm(ctx->loop, delay_ms, cb, arg, handle);
}

void
ctx_timer_cancel(struct rtrmod_ctx *ctx, void **handle)
{
	if (ctx->loop_ops == NULL || *handle == NULL)
		return;
	ctx->loop_ops->timer_cancel(ctx->loop, *handle);
	*handle = NULL;
}

void
ctx_detach_loop(struct rtrmod_ctx *ctx, const void *loop)
{
	if (ctx->loop == loop) {
		ctx->loop_ops = NULL;
		ctx->loop = NULL;
	}
}

struct resolver **
ctx_resolver(struct rtrmod_ctx *ctx)
{
	return &ctx->resolver;
}

uint64_t
ctx_now_ms(struct rtrmod_ctx *ctx)
{
	if (ctx->loop_ops == NULL)
		return 0;
	return ctx->loop_ops->now_ms(ctx->loop);
}
