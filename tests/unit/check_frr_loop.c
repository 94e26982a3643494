/*
 * check_frr_loop.c: the FRR adapter's loop vtable (adapters/frr/frr_loop.c)
 * on a real FRR thread_master from the installed libfrr: timers due
 * together fire in arming order, a zero-delay timer armed from a callback
 * waits for the next round (so one re-arming itself forever does not starve
 * bgpd's I/O), cancel (also from a callback), level-triggered
 * watches that last until unwatched (also from their own callback),
 * independent read and write watches on one fd, a duplicate watch refused,
 * and freeing with things still armed.  Every run of the loop is bounded
 * by a deadline timer and a callback count.
 */
#include <zebra.h>

#include <sys/socket.h>

#include "lib/memory.h"
#include "lib/thread.h"

#include "bgpd/bgp_memory.h"

#include "check_main.h"
#include "rtrmod_frr.h"

/* frr_loop.c's memory types hang off bgpd's group, which bgpd defines. */
DEFINE_MGROUP(BGPD, "bgpd");

#define DEADLINE_MS 5000
#define MAX_CALLS   10000

static struct thread_master *master;
static struct frr_loop *loop;
static const struct rtrmod_loop_ops *ops;
static bool done, timed_out;
static unsigned calls;
static char order[64];
static size_t norder;

static void
deadline(struct thread *t)
{
	(void)t;
	timed_out = true;
}

/* Run bgpd-style until `done`, the deadline or too many callbacks. */
static void
run(void)
{
	struct thread *guard = NULL, fetched;

	done = timed_out = false;
	thread_add_timer_msec(master, deadline, NULL, DEADLINE_MS, &guard);
	while (!done && !timed_out && calls < MAX_CALLS && thread_fetch(master, &fetched))
		thread_call(&fetched);
	thread_cancel(&guard);
	ck_assert_msg(!timed_out, "the loop did not finish within %d ms", DEADLINE_MS);
	ck_assert_uint_lt(calls, MAX_CALLS);
}

static void
setup(void)
{
	master = thread_master_create("check_frr_loop");
	loop = frr_loop_new(master);
	ops = frr_loop_ops();
	calls = 0;
	norder = 0;
	memset(order, 0, sizeof(order));
}

static void
teardown(void)
{
	frr_loop_free(loop);
	thread_master_free(master);
}

/* ---- timers ---------------------------------------------------------------------------- */

static void
mark(void *arg)
{
	calls++;
	if (norder < sizeof(order) - 1)
		order[norder++] = (char)(uintptr_t)arg;
	if ((char)(uintptr_t)arg == 'z')
		done = true;
}

START_TEST(test_timer_order)
{
	void *h[6];

	/* Armed b, a, c with equal delays: they fire b, a, c; the shorter
	 * one armed last fires first; 'z' last ends the run. */
	ck_assert_int_eq(ops->timer_arm(loop, 30, mark, (void *)'z', &h[0]), 0);
	ck_assert_int_eq(ops->timer_arm(loop, 10, mark, (void *)'b', &h[1]), 0);
	ck_assert_int_eq(ops->timer_arm(loop, 10, mark, (void *)'a', &h[2]), 0);
	ck_assert_int_eq(ops->timer_arm(loop, 10, mark, (void *)'c', &h[3]), 0);
	ck_assert_int_eq(ops->timer_arm(loop, 0, mark, (void *)'0', &h[4]), 0);
	ck_assert_int_eq(ops->timer_arm(loop, 20, mark, (void *)'x', &h[5]), 0);
	ops->timer_cancel(loop, h[5]);
	run();
	ck_assert_str_eq(order, "0bacz");
}
END_TEST

static void *pending;

static void
rearm_zero(void *arg)
{
	calls++;
	order[norder++] = 'r';
	/* A zero-delay timer armed now waits for the round after the timers
	 * already due ('s'), and the cancelled one never fires. */
	ck_assert_int_eq(ops->timer_arm(loop, 0, mark, (void *)'z', &arg), 0);
	ops->timer_cancel(loop, pending);
}

START_TEST(test_timer_from_callback)
{
	void *h;

	ck_assert_int_eq(ops->timer_arm(loop, 0, rearm_zero, NULL, &h), 0);
	ck_assert_int_eq(ops->timer_arm(loop, 0, mark, (void *)'s', &h), 0);
	ck_assert_int_eq(ops->timer_arm(loop, 0, mark, (void *)'x', &pending), 0);
	run();
	ck_assert_str_eq(order, "rsz");
}
END_TEST

START_TEST(test_clock)
{
	uint64_t a = ops->now_ms(loop), b;
	struct timespec ts = {0, 20 * 1000000L};

	nanosleep(&ts, NULL);
	b = ops->now_ms(loop);
	ck_assert_uint_ge(b, a + 20);
	ck_assert_uint_lt(b, a + DEADLINE_MS);
}
END_TEST

/* ---- watches ----------------------------------------------------------------------------- */

static int sp[2];
static void *rh, *wh;
static unsigned reads, writes;

static void
on_read(void *arg, int fd, enum rtrmod_io_event ev)
{
	char c;

	(void)arg;
	calls++;
	ck_assert_int_eq(fd, sp[0]);
	ck_assert_int_eq(ev, RTRMOD_IO_READ);
	/* Level-triggered: called again while a byte is left; the third call
	 * reads the last one and unwatches from inside its own callback. */
	if (++reads == 3) {
		ck_assert_int_eq(read(fd, &c, 1), 1);
		ck_assert_int_eq(read(fd, &c, 1), 1);
		ops->unwatch(loop, rh);
		rh = NULL;
	}
	if (rh == NULL && wh == NULL)
		done = true;
}

static void
on_write(void *arg, int fd, enum rtrmod_io_event ev)
{
	(void)arg;
	calls++;
	ck_assert_int_eq(fd, sp[0]);
	ck_assert_int_eq(ev, RTRMOD_IO_WRITE);
	if (++writes == 2) {
		ops->unwatch(loop, wh);
		wh = NULL;
	}
	if (rh == NULL && wh == NULL)
		done = true;
}

START_TEST(test_watch)
{
	void *dup;

	reads = writes = 0;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	ck_assert_int_eq(write(sp[1], "ab", 2), 2);
	ck_assert_int_eq(ops->watch(loop, sp[0], RTRMOD_IO_READ, on_read, NULL, &rh), 0);
	ck_assert_int_eq(ops->watch(loop, sp[0], RTRMOD_IO_WRITE, on_write, NULL, &wh), 0);
	ck_assert_int_eq(ops->watch(loop, sp[0], RTRMOD_IO_READ, on_read, NULL, &dup),
			 RTRMOD_EEXIST);
	ck_assert_int_eq(ops->watch(loop, -1, RTRMOD_IO_READ, on_read, NULL, &dup), RTRMOD_EINVAL);
	run();
	ck_assert_uint_eq(reads, 3);
	ck_assert_uint_eq(writes, 2);
	/* Nothing more after unwatching: a new byte calls no one. */
	ck_assert_int_eq(write(sp[1], "c", 1), 1);
	{
		void *h;

		ck_assert_int_eq(ops->timer_arm(loop, 50, mark, (void *)'z', &h), 0);
	}
	run();
	ck_assert_uint_eq(reads, 3);
	close(sp[0]);
	close(sp[1]);
}
END_TEST

/* A zero-delay timer that keeps arming itself must not keep bgpd's own
 * I/O waiting: each round fires only what was armed before it began. */
static unsigned spins;
static void *spin_h;

static void
spin(void *arg)
{
	calls++;
	if (spins == 0)
		ck_assert_int_eq(write(sp[1], "a", 1), 1); /* readable from now on */
	if (++spins < 1000)
		ck_assert_int_eq(ops->timer_arm(loop, 0, spin, arg, &spin_h), 0);
	else
		spin_h = NULL;
}

static void
readable(void *arg, int fd, enum rtrmod_io_event ev)
{
	(void)arg;
	(void)fd;
	(void)ev;
	calls++;
	done = true;
}

START_TEST(test_no_starvation)
{
	void *h;

	spins = 0;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	ck_assert_int_eq(ops->timer_arm(loop, 0, spin, NULL, &spin_h), 0);
	ck_assert_int_eq(ops->watch(loop, sp[0], RTRMOD_IO_READ, readable, NULL, &h), 0);
	run();
	ck_assert_uint_lt(spins, 1000);
	ops->unwatch(loop, h);
	if (spin_h != NULL)
		ops->timer_cancel(loop, spin_h);
	close(sp[0]);
	close(sp[1]);
}
END_TEST

static void
never_timer(void *arg)
{
	(void)arg;
	ck_abort_msg("a timer after the loop was freed");
}

static void
never(void *arg, int fd, enum rtrmod_io_event ev)
{
	(void)arg;
	(void)fd;
	(void)ev;
	ck_abort_msg("a callback after the loop was freed");
}

START_TEST(test_free_with_leftovers)
{
	void *h;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	ck_assert_int_eq(write(sp[1], "a", 1), 1);
	ck_assert_int_eq(ops->watch(loop, sp[0], RTRMOD_IO_READ, never, NULL, &h), 0);
	ck_assert_int_eq(ops->timer_arm(loop, 0, never_timer, NULL, &h), 0);
	frr_loop_free(loop);
	loop = frr_loop_new(master);
	/* bgpd's loop goes on with nothing of ours in it. */
	ck_assert_int_eq(ops->timer_arm(loop, 10, mark, (void *)'z', &h), 0);
	run();
	ck_assert_str_eq(order, "z");
	close(sp[0]);
	close(sp[1]);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("frr_loop");
	TCase *tc = tcase_create("frr_loop");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_timer_order);
	tcase_add_test(tc, test_timer_from_callback);
	tcase_add_test(tc, test_clock);
	tcase_add_test(tc, test_watch);
	tcase_add_test(tc, test_free_with_leftovers);
	tcase_add_test(tc, test_no_starvation);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
