/* check_ctx.c: allocator hooks, the log sink and loop attachment. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtrmod/ctx.h>
#include <rtrmod/loop.h>

#include "check_main.h"
#include "rtrmod_internal.h"

struct counting_alloc {
	int mallocs, reallocs, frees;
	int fail_after; /* fail the n-th malloc (1-based); 0 never */
};

static void *
count_malloc(void *arg, size_t size)
{
	struct counting_alloc *a = arg;

	if (a->fail_after != 0 && a->mallocs + 1 >= a->fail_after)
		return NULL;
	a->mallocs++;
	return malloc(size);
}

static void *
count_realloc(void *arg, void *ptr, size_t size)
{
	struct counting_alloc *a = arg;

	a->reallocs++;
	return realloc(ptr, size);
}

static void
count_free(void *arg, void *ptr)
{
	struct counting_alloc *a = arg;

	if (ptr != NULL)
		a->frees++;
	free(ptr);
}

START_TEST(test_allocator_hooks_are_used)
{
	struct counting_alloc counts = {0};
	struct rtrmod_allocator a = {count_malloc, count_realloc, count_free, &counts};
	struct rtrmod_ctx *ctx;
	void *p;

	ck_assert_int_eq(rtrmod_ctx_new(&a, &ctx), 0);
	ck_assert_int_eq(counts.mallocs, 1);
	p = rtrmod_ctx_malloc(ctx, 10);
	ck_assert_ptr_nonnull(p);
	p = rtrmod_ctx_realloc(ctx, p, 100);
	ck_assert_ptr_nonnull(p);
	rtrmod_ctx_mfree(ctx, p);
	rtrmod_ctx_mfree(ctx, NULL);
	rtrmod_ctx_free(ctx);
	ck_assert_int_eq(counts.mallocs, 2);
	ck_assert_int_eq(counts.reallocs, 1);
	ck_assert_int_eq(counts.frees, 2);
}
END_TEST

START_TEST(test_allocation_failure)
{
	struct counting_alloc counts = {.fail_after = 1};
	struct rtrmod_allocator a = {count_malloc, count_realloc, count_free, &counts};
	struct rtrmod_ctx *ctx = (void *)1;

	ck_assert_int_eq(rtrmod_ctx_new(&a, &ctx), RTRMOD_ENOMEM);
	ck_assert_ptr_null(ctx);
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct rtrmod_allocator half = {count_malloc, NULL, count_free, NULL};
	struct rtrmod_ctx *ctx;

	ck_assert_int_eq(rtrmod_ctx_new(NULL, NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_ctx_new(&half, &ctx), RTRMOD_EINVAL);
	rtrmod_ctx_free(NULL);
}
END_TEST

struct log_capture {
	int calls;
	enum rtrmod_log_level level;
	char msg[2048];
};

static void
capture_log(void *arg, enum rtrmod_log_level level, const char *msg)
{
	struct log_capture *c = arg;

	c->calls++;
	c->level = level;
	snprintf(c->msg, sizeof(c->msg), "%s", msg);
}

START_TEST(test_log_sink_and_level)
{
	struct log_capture cap = {0};
	struct rtrmod_ctx *ctx;
	char big[3000];

	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	ck_assert_int_eq(rtrmod_ctx_log_level(ctx), RTRMOD_LOG_INFO);
	rtrmod_ctx_set_log(ctx, capture_log, &cap, RTRMOD_LOG_WARN);
	rtrmod_ctx_log(ctx, RTRMOD_LOG_INFO, "filtered %d", 1);
	ck_assert_int_eq(cap.calls, 0);
	rtrmod_ctx_log(ctx, RTRMOD_LOG_ERR, "cache %s down", "a");
	ck_assert_int_eq(cap.calls, 1);
	ck_assert_int_eq(cap.level, RTRMOD_LOG_ERR);
	ck_assert_str_eq(cap.msg, "cache a down");
	log_warn(ctx, "internal %s", "path");
	ck_assert_int_eq(cap.calls, 2);
	ck_assert_str_eq(cap.msg, "internal path");

	/* An over-long message is cut, not lost. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_err(ctx, "%s", big);
	ck_assert_int_eq(cap.calls, 3);
	ck_assert_uint_gt(strlen(cap.msg), 1000);

	/* NULL restores stderr; our sink sees nothing more. */
	rtrmod_ctx_set_log(ctx, NULL, NULL, RTRMOD_LOG_ERR);
	log_err(ctx, "to stderr");
	ck_assert_int_eq(cap.calls, 3);
	rtrmod_ctx_free(ctx);
}
END_TEST

static int fake_watch(void *loop, int fd, enum rtrmod_io_event ev, rtrmod_io_cb *cb, void *arg,
		      void **handle)
{
	*handle = loop;
	return 0;
}
static void fake_unwatch(void *loop, void *handle) { (*(int *)loop)++; }
static int fake_arm(void *loop, uint64_t ms, rtrmod_timer_cb *cb, void *arg, void **handle)
{
	*handle = loop;
	return 0;
}
static void fake_cancel(void *loop, void *handle) { (*(int *)loop) += 10; }
static uint64_t fake_now(void *loop) { return 4242; }

START_TEST(test_loop_attachment)
{
	static const struct rtrmod_loop_ops ops = {fake_watch, fake_unwatch, fake_arm,
						   fake_cancel, fake_now};
	static const struct rtrmod_loop_ops broken = {fake_watch, NULL, fake_arm, fake_cancel,
						      fake_now};
	struct rtrmod_ctx *ctx;
	int counter = 0;
	void *h = NULL;

	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	/* Without a loop the core says so instead of crashing. */
	ck_assert_int_eq(ctx_watch(ctx, 0, RTRMOD_IO_READ, NULL, NULL, &h), RTRMOD_ESTATE);
	ck_assert_int_eq(ctx_timer_arm(ctx, 1, NULL, NULL, &h), RTRMOD_ESTATE);
	ck_assert_uint_eq(ctx_now_ms(ctx), 0);

	ck_assert_int_eq(rtrmod_ctx_set_loop(ctx, &broken, &counter), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_ctx_set_loop(ctx, &ops, &counter), 0);
	ck_assert_int_eq(ctx_watch(ctx, 0, RTRMOD_IO_READ, NULL, NULL, &h), 0);
	ck_assert_ptr_eq(h, &counter);
	ctx_unwatch(ctx, &h);
	ck_assert_ptr_null(h);
	ctx_unwatch(ctx, &h); /* second one is a no-op */
	ck_assert_int_eq(counter, 1);
	ck_assert_int_eq(ctx_timer_arm(ctx, 5, NULL, NULL, &h), 0);
	ctx_timer_cancel(ctx, &h);
	ctx_timer_cancel(ctx, &h);
	ck_assert_int_eq(counter, 11);
	ck_assert_uint_eq(ctx_now_ms(ctx), 4242);

	/* Detaching leaves the context without a loop again. */
	ck_assert_int_eq(rtrmod_ctx_set_loop(ctx, NULL, NULL), 0);
	ck_assert_int_eq(ctx_watch(ctx, 0, RTRMOD_IO_READ, NULL, NULL, &h), RTRMOD_ESTATE);
	ck_assert_int_eq(rtrmod_ctx_set_loop(ctx, NULL, &counter), RTRMOD_EINVAL);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_freeing_the_default_loop_detaches_it)
{
	struct rtrmod_ctx *ctx;
	struct rtrmod_loop *loop;
	void *h = NULL;

	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	ck_assert_int_eq(rtrmod_loop_new(ctx, &loop), 0);
	ck_assert_uint_gt(ctx_now_ms(ctx), 0);
	rtrmod_loop_free(loop);
	/* No dangling pointer to the freed loop is left behind. */
	ck_assert_uint_eq(ctx_now_ms(ctx), 0);
	ck_assert_int_eq(ctx_timer_arm(ctx, 1, NULL, NULL, &h), RTRMOD_ESTATE);
	rtrmod_ctx_free(ctx);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("ctx");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_allocator_hooks_are_used);
	tcase_add_test(tc, test_allocation_failure);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_log_sink_and_level);
	tcase_add_test(tc, test_loop_attachment);
	tcase_add_test(tc, test_freeing_the_default_loop_detaches_it);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
