/*
 * test_loop.h: driving the default loop in tests, bounded in time: run it
 * until a condition holds or a deadline passes, or for a while.  Each turn
 * waits at most 20 ms, so a condition set from outside the loop is seen
 * soon; a loop failure fails the test.
 */
#ifndef TEST_LOOP_H
#define TEST_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include <check.h>

#include <rtrmod/loop.h>

typedef bool test_cond_fn(void *arg);

/* Run `loop` until cond(arg) holds or `ms` pass; whether it holds. */
static inline bool
test_loop_until(struct rtrmod_loop *loop, test_cond_fn *cond, void *arg, uint64_t ms)
{
	uint64_t end = rtrmod_loop_now_ms(loop) + ms;

	while (!cond(arg)) {
		if (rtrmod_loop_now_ms(loop) >= end)
			return false;
		ck_assert_int_ge(rtrmod_loop_run_once(loop, 20), 0);
	}
	return true;
}

/* Run `loop` for `ms`. */
static inline void
test_loop_for(struct rtrmod_loop *loop, uint64_t ms)
{
	uint64_t end = rtrmod_loop_now_ms(loop) + ms;

	while (rtrmod_loop_now_ms(loop) < end)
		ck_assert_int_ge(rtrmod_loop_run_once(loop, 20), 0);
}

#endif
