/*
 * rtrmod/loop.h: the built-in event loop (epoll; timers in a heap) implementing
 * struct rtrmod_loop_ops, for the rtrmod program, tests and any host that
 * has no loop of its own.
 */
#ifndef RTRMOD_LOOP_H
#define RTRMOD_LOOP_H

#include <rtrmod/ctx.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rtrmod_loop;

/* Create a loop and attach it to `ctx` (rtrmod_ctx_set_loop).  The loop
 * allocates through ctx and must be freed before it; freeing detaches it.
 * Freeing is refused (logged, leaked) from inside the loop's callbacks. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_loop_new(struct rtrmod_ctx *ctx, struct rtrmod_loop **out);
RTRMOD_EXPORT void rtrmod_loop_free(struct rtrmod_loop *loop);

/* The vtable the loop implements; `loop` is its argument. */
RTRMOD_EXPORT const struct rtrmod_loop_ops *rtrmod_loop_ops(void);

/* Run until rtrmod_loop_break() or until nothing is watched or armed.
 * Returns 0, or a negative error if waiting failed. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_loop_run(struct rtrmod_loop *loop);
/* Wait at most `timeout_ms` (-1: until something is due) and dispatch what
 * is ready once.  Returns the number of callbacks made, or a negative error. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_loop_run_once(struct rtrmod_loop *loop, int timeout_ms);
/* Make rtrmod_loop_run() return after the current callback. */
RTRMOD_EXPORT void rtrmod_loop_break(struct rtrmod_loop *loop);

/* The same watch/timer/clock calls as the vtable, typed for this loop.  A
 * second watch for the same fd and event fails with RTRMOD_EEXIST. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_loop_watch(struct rtrmod_loop *loop, int fd,
					       enum rtrmod_io_event event, rtrmod_io_cb *cb,
					       void *arg, void **handle);
RTRMOD_EXPORT void rtrmod_loop_unwatch(struct rtrmod_loop *loop, void *handle);
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_loop_timer_arm(struct rtrmod_loop *loop, uint64_t delay_ms,
						   rtrmod_timer_cb *cb, void *arg, void **handle);
RTRMOD_EXPORT void rtrmod_loop_timer_cancel(struct rtrmod_loop *loop, void *handle);
RTRMOD_EXPORT uint64_t rtrmod_loop_now_ms(struct rtrmod_loop *loop);

#ifdef __cplusplus
}
#endif
#endif
