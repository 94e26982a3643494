/*
 * rtrmod/ctx.h: the context every rtrmod object hangs off, and the two
 * interfaces a host plugs into it: memory and the event loop.
 *
 * There are no globals and no threads in the core.  Everything it does
 * happens in callbacks the host's loop makes, on the host's loop thread.
 * The host tells the core how to watch file descriptors and arm timers
 * through struct rtrmod_loop_ops (FRR maps it onto thread_add_read/
 * _write/_timer; the CLI and tests use the built-in loop of rtrmod/loop.h).
 */
#ifndef RTRMOD_CTX_H
#define RTRMOD_CTX_H

#include <stddef.h>
#include <stdint.h>

#include <rtrmod/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rtrmod_ctx;

/* Memory hooks.  realloc(arg, NULL, n) must behave as malloc; free(arg,
 * NULL) must be a no-op.  The struct is copied by rtrmod_ctx_new(). */
struct rtrmod_allocator {
	void *(*malloc)(void *arg, size_t size);
	void *(*realloc)(void *arg, void *ptr, size_t size);
	void (*free)(void *arg, void *ptr);
	void *arg;
};

enum rtrmod_log_level {
	RTRMOD_LOG_ERR = 0,
	RTRMOD_LOG_WARN = 1,
	RTRMOD_LOG_INFO = 2,
	RTRMOD_LOG_DEBUG = 3,
};

/* One finished log line, without a trailing newline; `msg` is borrowed. */
typedef void rtrmod_log_fn(void *arg, enum rtrmod_log_level level, const char *msg);

/* ---- event loop interface ------------------------------------------- */

enum rtrmod_io_event {
	RTRMOD_IO_READ = 1 << 0,
	RTRMOD_IO_WRITE = 1 << 1,
};

/* Called when `fd` is ready for the one event the watch was made for. */
typedef void rtrmod_io_cb(void *arg, int fd, enum rtrmod_io_event event);
/* Called once when a timer expires; its handle is dead from then on. */
typedef void rtrmod_timer_cb(void *arg);

/*
 * What the core needs from a host's event loop.  `loop` is the host's own
 * pointer, handed back unchanged.  Handles are the host's: the core only
 * stores them and hands them back to unwatch/timer_cancel.
 *
 * - watch: call cb every time fd is ready for `event` (exactly one of
 *   RTRMOD_IO_READ or RTRMOD_IO_WRITE) until unwatch.  A read and a write
 *   watch on the same fd are independent.  Returns 0 or a negative error.
 * - unwatch: stop a watch; safe from inside any callback, including the
 *   watch's own, and then no further call for it may happen.
 * - timer_arm: call cb once after `delay_ms` milliseconds.  Timers due at
 *   the same time fire in the order they were armed.
 * - timer_cancel: stop a pending timer; safe from inside any callback.
 *   Cancelling a timer whose callback has started is not allowed.
 * - now_ms: a monotonic clock in milliseconds.
 */
struct rtrmod_loop_ops {
	int (*watch)(void *loop, int fd, enum rtrmod_io_event event, rtrmod_io_cb *cb,
		     void *arg, void **handle);
	void (*unwatch)(void *loop, void *handle);
	int (*timer_arm)(void *loop, uint64_t delay_ms, rtrmod_timer_cb *cb, void *arg,
			 void **handle);
	void (*timer_cancel)(void *loop, void *handle);
	uint64_t (*now_ms)(void *loop);
};

/* ---- the context ---------------------------------------------------- */

/*
 * Create a context.  `allocator` may be NULL for libc's malloc/realloc/free.
 * The log sink starts as stderr at RTRMOD_LOG_INFO; no loop is attached
 * until rtrmod_ctx_set_loop() (or rtrmod_loop_new(), rtrmod/loop.h).
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_ctx_new(const struct rtrmod_allocator *allocator,
					    struct rtrmod_ctx **out);
/* Free the context; every object made from it must be freed first. NULL is fine. */
RTRMOD_EXPORT void rtrmod_ctx_free(struct rtrmod_ctx *ctx);

/* Send log lines at `level` or more severe to `fn`; NULL fn restores stderr. */
RTRMOD_EXPORT void rtrmod_ctx_set_log(struct rtrmod_ctx *ctx, rtrmod_log_fn *fn, void *arg,
				      enum rtrmod_log_level level);
RTRMOD_EXPORT enum rtrmod_log_level rtrmod_ctx_log_level(const struct rtrmod_ctx *ctx);

/* Attach the host's loop.  `ops` must stay valid while attached.  Passing
 * NULL for both detaches it (watches and timers must be gone first). */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_ctx_set_loop(struct rtrmod_ctx *ctx,
						 const struct rtrmod_loop_ops *ops, void *loop);

/* Allocate through the context's hooks (for hosts and adapters that want
 * their memory accounted with the core's). */
RTRMOD_EXPORT void *rtrmod_ctx_malloc(struct rtrmod_ctx *ctx, size_t size);
RTRMOD_EXPORT void *rtrmod_ctx_realloc(struct rtrmod_ctx *ctx, void *ptr, size_t size);
RTRMOD_EXPORT void rtrmod_ctx_mfree(struct rtrmod_ctx *ctx, void *ptr);

/* Log through the context's sink. */
RTRMOD_EXPORT void rtrmod_ctx_log(struct rtrmod_ctx *ctx, enum rtrmod_log_level level,
				  const char *fmt, ...) RTRMOD_PRINTF(3, 4);

#ifdef __cplusplus
}
#endif
#endif
