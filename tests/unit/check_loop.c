/*
 * check_loop.c: the built-in epoll loop: timer order, cancel and re-arm
 * from callbacks, fd readiness with pipes and socketpairs, unwatch from
 * callbacks, run/break, the clock, scale, and allocation failure.
 * Every wait is bounded; the tests check behaviour, never speed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <rtrmod/loop.h>

#include "check_main.h"
#include "rtrmod_internal.h"

struct env {
	struct rtrmod_ctx *ctx;
	struct rtrmod_loop *loop;
	int errors; /* error log lines seen */
};

static void
count_errors(void *arg, enum rtrmod_log_level level, const char *msg)
{
	struct env *e = arg;

	if (level == RTRMOD_LOG_ERR)
		e->errors++;
}

static void
env_init(struct env *e)
{
	memset(e, 0, sizeof(*e));
	ck_assert_int_eq(rtrmod_ctx_new(NULL, &e->ctx), 0);
	rtrmod_ctx_set_log(e->ctx, count_errors, e, RTRMOD_LOG_ERR);
	ck_assert_int_eq(rtrmod_loop_new(e->ctx, &e->loop), 0);
	ck_assert_ptr_nonnull(e->loop);
}

static void
env_fini(struct env *e)
{
	rtrmod_loop_free(e->loop);
	rtrmod_ctx_free(e->ctx);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
make_socketpair(int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
}

static void
make_pipe(int p[2])
{
	ck_assert_int_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
}

static void
put_byte(int fd)
{
	ck_assert_int_eq(write(fd, "x", 1), 1);
}

/* ---- timers ---------------------------------------------------------- */

/* One timer in a test: records its id in the shared log when it fires and
 * may cancel a victim or re-arm itself. */
struct tmr {
	struct env *env;
	int *log, *nlog;
	int id;
	void *handle;
	struct tmr *victim;
	int fired, rearm_left;
	uint64_t rearm_delay;
	int break_at; /* call rtrmod_loop_break when fired this often */
};

#define LOG_MAX 128 /* every test's fire log has this many slots */

static void
tmr_cb(void *arg)
{
	struct tmr *t = arg;

	t->fired++;
	ck_assert_int_lt(*t->nlog, LOG_MAX);
	t->log[(*t->nlog)++] = t->id;
	t->handle = NULL; /* dead from now on */
	if (t->fired == t->break_at)
		rtrmod_loop_break(t->env->loop);
	if (t->victim != NULL && t->victim->handle != NULL) {
		rtrmod_loop_timer_cancel(t->env->loop, t->victim->handle);
		t->victim->handle = NULL;
	}
	if (t->rearm_left > 0) {
		t->rearm_left--;
		ck_assert_int_eq(
		    rtrmod_loop_timer_arm(t->env->loop, t->rearm_delay, tmr_cb, t, &t->handle), 0);
	}
}

static void
tmr_arm(struct env *e, struct tmr *t, int id, uint64_t delay, int *log, int *nlog)
{
	t->env = e;
	t->id = id;
	t->log = log;
	t->nlog = nlog;
	ck_assert_int_eq(rtrmod_loop_timer_arm(e->loop, delay, tmr_cb, t, &t->handle), 0);
	ck_assert_ptr_nonnull(t->handle);
}

START_TEST(test_timers_fire_by_deadline)
{
	static const uint64_t delays[] = {30, 10, 20, 0};
	struct tmr t[4] = {0};
	struct env e;
	int log[LOG_MAX], n = 0;
	size_t i;

	env_init(&e);
	for (i = 0; i < ARRAY_SIZE(delays); i++)
		tmr_arm(&e, &t[i], (int)i, delays[i], log, &n);
	ck_assert_int_eq(rtrmod_loop_run(e.loop), 0);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(log[0], 3);
	ck_assert_int_eq(log[1], 1);
	ck_assert_int_eq(log[2], 2);
	ck_assert_int_eq(log[3], 0);
	env_fini(&e);
}
END_TEST

START_TEST(test_equal_deadlines_fire_in_arm_order)
{
	struct tmr t[16] = {0};
	struct env e;
	int log[LOG_MAX], n = 0, i;

	env_init(&e);
	for (i = 0; i < 8; i++)
		tmr_arm(&e, &t[i], i, 20, log, &n);
	for (i = 8; i < 16; i++)
		tmr_arm(&e, &t[i], i, 0, log, &n);
	ck_assert_int_eq(rtrmod_loop_run(e.loop), 0);
	ck_assert_int_eq(n, 16);
	/* The zero delays first, in arm order, then the others in arm order. */
	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(log[i], 8 + i);
		ck_assert_int_eq(log[8 + i], i);
	}
	env_fini(&e);
}
END_TEST

START_TEST(test_cancel_due_timer_inside_callback)
{
	struct tmr a = {0}, b = {0}, c = {0};
	struct env e;
	int log[LOG_MAX], n = 0;

	env_init(&e);
	tmr_arm(&e, &a, 0, 0, log, &n);
	tmr_arm(&e, &b, 1, 0, log, &n);
	tmr_arm(&e, &c, 2, 0, log, &n);
	a.victim = &b;
	sleep_ms(2); /* all three are due in the same round */
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 0), 2);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(log[0], 0);
	ck_assert_int_eq(log[1], 2);
	ck_assert_int_eq(b.fired, 0);
	ck_assert_int_eq(rtrmod_loop_run(e.loop), 0);
	ck_assert_int_eq(b.fired, 0);
	ck_assert_int_eq(e.errors, 0);
	env_fini(&e);
}
END_TEST

START_TEST(test_cancel_before_due)
{
	struct tmr t[100] = {0};
	struct env e;
	int log[LOG_MAX], n = 0, i;

	env_init(&e);
	/* Delays in a scrambled order, so cancels hit every part of the heap. */
	for (i = 0; i < 100; i++)
		tmr_arm(&e, &t[i], i, (uint64_t)((i * 37) % 100) / 10, log, &n);
	for (i = 0; i < 100; i += 3) {
		rtrmod_loop_timer_cancel(e.loop, t[i].handle);
		t[i].handle = NULL;
	}
	ck_assert_int_eq(rtrmod_loop_run(e.loop), 0);
	ck_assert_int_eq(n, 66);
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(t[i].fired, i % 3 != 0);

	/* A lone timer cancelled leaves nothing: run() returns at once. */
	tmr_arm(&e, &t[0], 0, 10000, log, &n);
	rtrmod_loop_timer_cancel(e.loop, t[0].handle);
	ck_assert_int_eq(rtrmod_loop_run(e.loop), 0);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 0), 0);
	env_fini(&e);
}
END_TEST

START_TEST(test_periodic_rearm)
{
	struct tmr t = {.rearm_left = 4, .rearm_delay = 2};
	struct env e;
	int log[LOG_MAX], n = 0;
	uint64_t t0;

	env_init(&e);
	t0 = rtrmod_loop_now_ms(e.loop);
	tmr_arm(&e, &t, 7, 2, log, &n);
	ck_assert_int_eq(rtrmod_loop_run(e.loop), 0);
	ck_assert_int_eq(t.fired, 5);
	ck_assert_ptr_null(t.handle);
	ck_assert_uint_ge(rtrmod_loop_now_ms(e.loop) - t0, 10);
	env_fini(&e);
}
END_TEST

START_TEST(test_zero_delay_rearm_waits_a_round)
{
	struct tmr t = {.rearm_left = 20, .rearm_delay = 0};
	struct env e;
	int log[LOG_MAX], n = 0, i;

	env_init(&e);
	tmr_arm(&e, &t, 1, 0, log, &n);
	for (i = 1; i <= 10; i++) {
		ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 0), 1);
		ck_assert_int_eq(t.fired, i);
		ck_assert_ptr_nonnull(t.handle);
	}
	rtrmod_loop_timer_cancel(e.loop, t.handle);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 0), 0);
	ck_assert_int_eq(t.fired, 10);
	env_fini(&e);
}
END_TEST

struct self_cancel {
	struct env *env;
	void *handle;
	int fired;
};

static void
self_cancel_cb(void *arg)
{
	struct self_cancel *s = arg;

	s->fired++;
	/* Not allowed by the contract; the loop must refuse it harmlessly. */
	rtrmod_loop_timer_cancel(s->env->loop, s->handle);
}

START_TEST(test_timer_handle_dead_after_firing)
{
	struct self_cancel s = {0};
	struct env e;

	env_init(&e);
	s.env = &e;
	ck_assert_int_eq(rtrmod_loop_timer_arm(e.loop, 0, self_cancel_cb, &s, &s.handle), 0);
	ck_assert_int_eq(rtrmod_loop_run(e.loop), 0);
	ck_assert_int_eq(s.fired, 1);
	ck_assert_int_eq(e.errors, 1);
	/* Gone from the loop: nothing pending, and it never fires again. */
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 5), 0);
	ck_assert_int_eq(s.fired, 1);
	env_fini(&e);
}
END_TEST

START_TEST(test_timer_never_early)
{
	struct tmr t = {0};
	struct env e;
	int log[LOG_MAX], n = 0;
	uint64_t t0, t1;

	env_init(&e);
	t0 = rtrmod_loop_now_ms(e.loop);
	tmr_arm(&e, &t, 0, 25, log, &n);
	ck_assert_int_eq(rtrmod_loop_run(e.loop), 0);
	t1 = rtrmod_loop_now_ms(e.loop);
	ck_assert_int_eq(t.fired, 1);
	ck_assert_uint_ge(t1 - t0, 25);
	ck_assert_uint_lt(t1 - t0, 5000);
	env_fini(&e);
}
END_TEST

/* ---- many timers ----------------------------------------------------- */

#define MANY 10000

struct many {
	struct env *env;
	uint64_t lo; /* deadline lower bound: clock before arm + delay */
	int exact;   /* clock read the same before and after arm */
	int id;
	int *order, *norder;
	uint64_t fired_at;
	void *handle;
	int cancelled;
};

static void
many_cb(void *arg)
{
	struct many *m = arg;

	ck_assert(!m->cancelled);
	m->fired_at = rtrmod_loop_now_ms(m->env->loop);
	m->order[(*m->norder)++] = m->id;
}

START_TEST(test_many_timers_fire_in_deadline_order)
{
	struct many *m = calloc(MANY, sizeof(*m));
	int *order = calloc(MANY, sizeof(*order));
	uint32_t rnd = 12345;
	int n = 0, i, prev = -1, rounds = 0, rc, live = MANY;
	uint64_t before, delay;
	struct env e;

	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(order);
	env_init(&e);
	for (i = 0; i < MANY; i++) {
		rnd = rnd * 1103515245u + 12345u;
		delay = (rnd >> 16) % 100;
		m[i] = (struct many){.env = &e, .id = i, .order = order, .norder = &n};
		before = rtrmod_loop_now_ms(e.loop);
		ck_assert_int_eq(rtrmod_loop_timer_arm(e.loop, delay, many_cb, &m[i], &m[i].handle),
				 0);
		m[i].lo = before + delay;
		m[i].exact = rtrmod_loop_now_ms(e.loop) == before;
	}
	/* Cancel a random third: removals from anywhere in the heap. */
	for (i = 0; i < MANY; i++) {
		rnd = rnd * 1103515245u + 12345u;
		if ((rnd >> 16) % 3 != 0)
			continue;
		rtrmod_loop_timer_cancel(e.loop, m[i].handle);
		m[i].cancelled = 1;
		live--;
	}
	while (n < live && rounds++ < 10000) {
		rc = rtrmod_loop_run_once(e.loop, 1000);
		ck_assert_int_ge(rc, 0);
	}
	ck_assert_int_eq(n, live);
	for (i = 0; i < n; i++) {
		struct many *cur = &m[order[i]];

		ck_assert_uint_ge(cur->fired_at, cur->lo);
		if (!cur->exact)
			continue;
		/* Exactly known deadlines fire by (deadline, arm order). */
		if (prev >= 0)
			ck_assert(m[prev].lo < cur->lo ||
				  (m[prev].lo == cur->lo && prev < cur->id));
		prev = cur->id;
	}
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 0), 0);
	env_fini(&e);
	free(m);
	free(order);
}
END_TEST

/* ---- fds ------------------------------------------------------------- */

/* One fd's read and write watches, and what happened to them. */
struct io {
	struct env *env;
	int fd;
	void *rh, *wh;
	int reads, writes;
	int eof;            /* read() returned 0 */
	int unwatch_self;   /* from its own callback */
	struct io *sibling; /* unwatch this one's watches from ours */
	int break_at;       /* call rtrmod_loop_break on this many writes */
};

static void
io_drop(struct env *e, void **h)
{
	if (*h != NULL) {
		rtrmod_loop_unwatch(e->loop, *h);
		*h = NULL;
	}
}

static void
io_cb(void *arg, int fd, enum rtrmod_io_event event)
{
	struct io *io = arg;
	char buf[16];

	ck_assert_int_eq(fd, io->fd);
	if (event == RTRMOD_IO_READ) {
		ck_assert_ptr_nonnull(io->rh);
		io->reads++;
		if (read(fd, buf, sizeof(buf)) == 0)
			io->eof++;
	} else {
		ck_assert_ptr_nonnull(io->wh);
		io->writes++;
		if (io->break_at != 0 && io->writes == io->break_at)
			rtrmod_loop_break(io->env->loop);
	}
	if (io->sibling != NULL) {
		io_drop(io->env, &io->sibling->rh);
		io_drop(io->env, &io->sibling->wh);
	}
	if (io->unwatch_self)
		io_drop(io->env, event == RTRMOD_IO_READ ? &io->rh : &io->wh);
}

static void
io_watch(struct env *e, struct io *io, int fd, enum rtrmod_io_event event)
{
	io->env = e;
	io->fd = fd;
	ck_assert_int_eq(rtrmod_loop_watch(e->loop, fd, event, io_cb, io,
					   event == RTRMOD_IO_READ ? &io->rh : &io->wh),
			 0);
}

/* Reads nothing: a read watch whose data stays, so it stays ready. */
static void
peek_cb(void *arg, int fd, enum rtrmod_io_event event)
{
	(*(int *)arg)++;
}

START_TEST(test_write_watch_fires_when_writable)
{
	struct io io = {0};
	struct env e;
	int sv[2];

	env_init(&e);
	make_socketpair(sv);
	io_watch(&e, &io, sv[0], RTRMOD_IO_WRITE);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 1);
	ck_assert_int_eq(io.writes, 1);
	ck_assert_int_eq(io.reads, 0);
	/* Persistent until unwatched. */
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 1);
	ck_assert_int_eq(io.writes, 2);
	io_drop(&e, &io.wh);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 0), 0);
	ck_assert_int_eq(io.writes, 2);
	close(sv[0]);
	close(sv[1]);
	env_fini(&e);
}
END_TEST

START_TEST(test_read_watch_fires_when_data_arrives)
{
	struct io io = {0};
	struct env e;
	int sv[2];

	env_init(&e);
	make_socketpair(sv);
	io_watch(&e, &io, sv[0], RTRMOD_IO_READ);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 0), 0);
	put_byte(sv[1]);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 1);
	ck_assert_int_eq(io.reads, 1);
	ck_assert_int_eq(io.eof, 0);
	/* io_cb drained it: not ready any more. */
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 0), 0);
	io_drop(&e, &io.rh);
	close(sv[0]);
	close(sv[1]);
	env_fini(&e);
}
END_TEST

START_TEST(test_read_and_write_watches_are_independent)
{
	struct env e;
	int sv[2], reads = 0, writes = 0;
	void *rh, *wh;

	env_init(&e);
	make_socketpair(sv);
	ck_assert_int_eq(rtrmod_loop_watch(e.loop, sv[0], RTRMOD_IO_READ, peek_cb, &reads, &rh), 0);
	ck_assert_int_eq(rtrmod_loop_watch(e.loop, sv[0], RTRMOD_IO_WRITE, peek_cb, &writes, &wh),
			 0);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 1);
	ck_assert_int_eq(writes, 1);
	ck_assert_int_eq(reads, 0);
	put_byte(sv[1]);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 2);
	ck_assert_int_eq(writes, 2);
	ck_assert_int_eq(reads, 1);
	/* Stopping the write watch keeps the read watch, and back again. */
	rtrmod_loop_unwatch(e.loop, wh);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 1);
	ck_assert_int_eq(reads, 2);
	ck_assert_int_eq(writes, 2);
	ck_assert_int_eq(rtrmod_loop_watch(e.loop, sv[0], RTRMOD_IO_WRITE, peek_cb, &writes, &wh),
			 0);
	rtrmod_loop_unwatch(e.loop, rh);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 1);
	ck_assert_int_eq(reads, 2);
	ck_assert_int_eq(writes, 3);
	rtrmod_loop_unwatch(e.loop, wh);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 0), 0);
	close(sv[0]);
	close(sv[1]);
	env_fini(&e);
}
END_TEST

START_TEST(test_unwatch_inside_own_callback)
{
	struct io io = {.unwatch_self = 1};
	struct env e;
	int sv[2];

	env_init(&e);
	make_socketpair(sv);
	io_watch(&e, &io, sv[0], RTRMOD_IO_WRITE);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 1);
	ck_assert_int_eq(io.writes, 1);
	ck_assert_ptr_null(io.wh);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 0), 0);
	ck_assert_int_eq(rtrmod_loop_run(e.loop), 0); /* nothing left */
	ck_assert_int_eq(io.writes, 1);
	ck_assert_int_eq(e.errors, 0);
	close(sv[0]);
	close(sv[1]);
	env_fini(&e);
}
END_TEST

static void
double_unwatch_cb(void *arg, int fd, enum rtrmod_io_event event)
{
	struct io *io = arg;

	io->writes++;
	/* The second is a caller's bug; within the round the loop can still
	 * tell, and refuses it. */
	rtrmod_loop_unwatch(io->env->loop, io->wh);
	rtrmod_loop_unwatch(io->env->loop, io->wh);
}

START_TEST(test_double_unwatch_in_round_is_refused)
{
	struct io io = {0};
	struct env e;
	int sv[2];

	env_init(&e);
	make_socketpair(sv);
	io.env = &e;
	ck_assert_int_eq(
	    rtrmod_loop_watch(e.loop, sv[0], RTRMOD_IO_WRITE, double_unwatch_cb, &io, &io.wh), 0);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 1);
	ck_assert_int_eq(e.errors, 1);
	ck_assert_int_eq(rtrmod_loop_run(e.loop), 0);
	ck_assert_int_eq(io.writes, 1);
	close(sv[0]);
	close(sv[1]);
	env_fini(&e);
}
END_TEST

START_TEST(test_unwatch_sibling_on_same_fd_in_same_round)
{
	struct io io = {0};
	struct env e;
	int sv[2];

	env_init(&e);
	make_socketpair(sv);
	/* Both directions ready at once; whichever runs first stops the other
	 * (and, through the sibling link, itself). */
	io.sibling = &io;
	put_byte(sv[1]);
	io_watch(&e, &io, sv[0], RTRMOD_IO_READ);
	io_watch(&e, &io, sv[0], RTRMOD_IO_WRITE);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 1);
	ck_assert_int_eq(io.reads + io.writes, 1);
	ck_assert_ptr_null(io.rh);
	ck_assert_ptr_null(io.wh);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 0), 0);
	ck_assert_int_eq(io.reads + io.writes, 1);
	close(sv[0]);
	close(sv[1]);
	env_fini(&e);
}
END_TEST

START_TEST(test_unwatch_sibling_on_other_fd_in_same_round)
{
	struct io a = {0}, b = {0};
	struct env e;
	int s1[2], s2[2];

	env_init(&e);
	make_socketpair(s1);
	make_socketpair(s2);
	a.sibling = &b;
	b.sibling = &a;
	io_watch(&e, &a, s1[0], RTRMOD_IO_WRITE);
	io_watch(&e, &b, s2[0], RTRMOD_IO_WRITE);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 1);
	ck_assert_int_eq(a.writes + b.writes, 1);
	/* The survivor keeps firing; the victim never does. */
	a.sibling = b.sibling = NULL;
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 1);
	ck_assert(a.writes == 2 || b.writes == 2);
	ck_assert_int_eq(a.writes + b.writes, 2);
	io_drop(&e, &a.wh);
	io_drop(&e, &b.wh);
	close(s1[0]);
	close(s1[1]);
	close(s2[0]);
	close(s2[1]);
	env_fini(&e);
}
END_TEST

START_TEST(test_fd_number_reused_after_unwatch)
{
	struct env e;
	int p[2], q[2], old = 0, fresh = 0;
	void *h;

	env_init(&e);
	make_pipe(p);
	put_byte(p[1]);
	ck_assert_int_eq(rtrmod_loop_watch(e.loop, p[0], RTRMOD_IO_READ, peek_cb, &old, &h), 0);
	rtrmod_loop_unwatch(e.loop, h);
	close(p[0]);
	close(p[1]);
	make_pipe(q);
	ck_assert_int_eq(q[0], p[0]); /* lowest free number comes back */
	ck_assert_int_eq(rtrmod_loop_watch(e.loop, q[0], RTRMOD_IO_READ, peek_cb, &fresh, &h), 0);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 0), 0);
	put_byte(q[1]);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 1);
	ck_assert_int_eq(fresh, 1);
	ck_assert_int_eq(old, 0);
	rtrmod_loop_unwatch(e.loop, h);
	close(q[0]);
	close(q[1]);
	env_fini(&e);
}
END_TEST

/* The first of two ready fds to run stops the other, closes it and watches
 * a new ready pipe that gets the same fd number, all in one round. */
struct reuse {
	struct env *env;
	int *fds[2];
	void *h[2];
	int calls[2];
	int newp[2];
	void *newh;
	int newcalls;
};

static void
reuse_new_cb(void *arg, int fd, enum rtrmod_io_event event)
{
	((struct reuse *)arg)->newcalls++;
}

static void
reuse_cb(struct reuse *r, int me)
{
	int other = 1 - me, oldfd = *r->fds[other];

	r->calls[me]++;
	if (r->h[other] == NULL)
		return;
	rtrmod_loop_unwatch(r->env->loop, r->h[other]);
	r->h[other] = NULL;
	close(oldfd);
	make_pipe(r->newp);
	ck_assert_int_eq(r->newp[0], oldfd);
	put_byte(r->newp[1]);
	ck_assert_int_eq(
	    rtrmod_loop_watch(r->env->loop, r->newp[0], RTRMOD_IO_READ, reuse_new_cb, r, &r->newh),
	    0);
}

static void
reuse_cb0(void *arg, int fd, enum rtrmod_io_event event)
{
	reuse_cb(arg, 0);
}

static void
reuse_cb1(void *arg, int fd, enum rtrmod_io_event event)
{
	reuse_cb(arg, 1);
}

START_TEST(test_fd_number_reused_inside_round)
{
	struct reuse r = {0};
	struct env e;
	int a[2], b[2];

	env_init(&e);
	make_pipe(a);
	make_pipe(b);
	put_byte(a[1]);
	put_byte(b[1]);
	r.env = &e;
	r.fds[0] = &a[0];
	r.fds[1] = &b[0];
	ck_assert_int_eq(rtrmod_loop_watch(e.loop, a[0], RTRMOD_IO_READ, reuse_cb0, &r, &r.h[0]),
			 0);
	ck_assert_int_eq(rtrmod_loop_watch(e.loop, b[0], RTRMOD_IO_READ, reuse_cb1, &r, &r.h[1]),
			 0);
	/* The round's stale event for the old number must not reach the new
	 * watch (it is new this round) nor the stopped one. */
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 1);
	ck_assert_int_eq(r.calls[0] + r.calls[1], 1);
	ck_assert_int_eq(r.newcalls, 0);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 2);
	ck_assert_int_eq(r.newcalls, 1);
	ck_assert_int_eq(r.calls[0] + r.calls[1], 2);
	ck_assert(r.calls[0] == 0 || r.calls[1] == 0);
	rtrmod_loop_unwatch(e.loop, r.newh);
	rtrmod_loop_unwatch(e.loop, r.h[r.calls[0] != 0 ? 0 : 1]);
	close(a[1]);
	close(b[1]);
	close(r.newp[0]);
	close(r.newp[1]);
	close(r.calls[0] != 0 ? a[0] : b[0]);
	env_fini(&e);
}
END_TEST

START_TEST(test_hup_wakes_read_watch)
{
	struct io io = {0}, so = {0};
	struct env e;
	int p[2], sv[2];

	env_init(&e);
	make_pipe(p);
	io_watch(&e, &io, p[0], RTRMOD_IO_READ);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 0), 0);
	close(p[1]); /* a bare EPOLLHUP, no data */
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 1);
	ck_assert_int_eq(io.reads, 1);
	ck_assert_int_eq(io.eof, 1);
	io_drop(&e, &io.rh);
	close(p[0]);

	make_socketpair(sv);
	io_watch(&e, &so, sv[0], RTRMOD_IO_READ);
	close(sv[1]);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 1);
	ck_assert_int_eq(so.eof, 1);
	io_drop(&e, &so.rh);
	close(sv[0]);
	env_fini(&e);
}
END_TEST

START_TEST(test_peer_close_wakes_blocked_write_watch)
{
	struct env e;
	int sv[2], writes = 0, guard;
	char buf[4096] = {0};
	void *h;

	env_init(&e);
	make_socketpair(sv);
	for (guard = 0; guard < 100000; guard++)
		if (send(sv[0], buf, sizeof(buf), MSG_NOSIGNAL) == -1)
			break;
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(rtrmod_loop_watch(e.loop, sv[0], RTRMOD_IO_WRITE, peek_cb, &writes, &h),
			 0);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 0), 0);
	close(sv[1]);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 1);
	ck_assert_int_eq(writes, 1);
	/* The owner learns of it from write(). */
	ck_assert_int_eq(send(sv[0], buf, 1, MSG_NOSIGNAL), -1);
	ck_assert_int_eq(errno, EPIPE);
	rtrmod_loop_unwatch(e.loop, h);
	close(sv[0]);
	env_fini(&e);
}
END_TEST

START_TEST(test_many_fds)
{
	enum { NPAIRS = 400 };
	int(*sv)[2] = calloc(NPAIRS, sizeof(*sv));
	int *hits = calloc(NPAIRS, sizeof(*hits));
	void **h = calloc(NPAIRS, sizeof(*h));
	int i, rounds, seen = 0, rc;
	struct env e;

	ck_assert(sv != NULL && hits != NULL && h != NULL);
	env_init(&e);
	for (i = 0; i < NPAIRS; i++) {
		make_socketpair(sv[i]);
		put_byte(sv[i][1]);
		ck_assert_int_eq(
		    rtrmod_loop_watch(e.loop, sv[i][0], RTRMOD_IO_READ, peek_cb, &hits[i], &h[i]),
		    0);
	}
	/* Level-triggered and never drained: every fd is served within a
	 * few rounds, whatever the batch size. */
	for (rounds = 0; seen < NPAIRS && rounds < 50; rounds++) {
		rc = rtrmod_loop_run_once(e.loop, 1000);
		ck_assert_int_gt(rc, 0);
		for (seen = 0, i = 0; i < NPAIRS; i++)
			seen += hits[i] > 0;
	}
	ck_assert_int_eq(seen, NPAIRS);
	for (i = 0; i < NPAIRS; i++) {
		rtrmod_loop_unwatch(e.loop, h[i]);
		close(sv[i][0]);
		close(sv[i][1]);
	}
	ck_assert_int_eq(rtrmod_loop_run(e.loop), 0);
	env_fini(&e);
	free(sv);
	free(hits);
	free(h);
}
END_TEST

/* ---- run, break, clock ----------------------------------------------- */

static void
unwatch_cb(void *arg)
{
	struct io *io = arg;

	io_drop(io->env, &io->rh);
}

START_TEST(test_run_returns_when_nothing_left)
{
	struct io io = {0};
	struct env e;
	void *th;
	int sv[2];

	env_init(&e);
	ck_assert_int_eq(rtrmod_loop_run(e.loop), 0);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, -1), 0);
	make_socketpair(sv);
	io_watch(&e, &io, sv[0], RTRMOD_IO_READ);
	ck_assert_int_eq(rtrmod_loop_timer_arm(e.loop, 5, unwatch_cb, &io, &th), 0);
	ck_assert_int_eq(rtrmod_loop_run(e.loop), 0);
	ck_assert_ptr_null(io.rh);
	ck_assert_int_eq(io.reads, 0);
	close(sv[0]);
	close(sv[1]);
	env_fini(&e);
}
END_TEST

static void
break_cb(void *arg, int fd, enum rtrmod_io_event event)
{
	rtrmod_loop_break(((struct env *)arg)->loop);
}

START_TEST(test_break_stops_run)
{
	struct io a = {.break_at = 3}, b = {0};
	struct tmr t = {.rearm_left = 1000000, .break_at = 3};
	struct env e;
	int s1[2], s2[2], log[8], n = 0;

	env_init(&e);
	make_socketpair(s1);
	io_watch(&e, &a, s1[0], RTRMOD_IO_WRITE);
	ck_assert_int_eq(rtrmod_loop_run(e.loop), 0);
	ck_assert_int_eq(a.writes, 3);
	io_drop(&e, &a.wh);

	/* A timer re-arming forever is stopped the same way. */
	t.env = &e;
	t.log = log;
	t.nlog = &n;
	ck_assert_int_eq(rtrmod_loop_timer_arm(e.loop, 0, tmr_cb, &t, &t.handle), 0);
	ck_assert_int_eq(rtrmod_loop_run(e.loop), 0);
	ck_assert_int_eq(t.fired, 3);
	rtrmod_loop_timer_cancel(e.loop, t.handle);

	/* "After the current callback": the rest of the round waits. */
	make_socketpair(s2);
	a.break_at = b.break_at = 1;
	a.writes = 0;
	io_watch(&e, &a, s1[0], RTRMOD_IO_WRITE);
	io_watch(&e, &b, s2[0], RTRMOD_IO_WRITE);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 1);
	ck_assert_int_eq(a.writes + b.writes, 1);
	io_drop(&e, &a.wh);
	io_drop(&e, &b.wh);

	/* Also between the read and the write watch of one fd. */
	put_byte(s1[1]);
	ck_assert_int_eq(rtrmod_loop_watch(e.loop, s1[0], RTRMOD_IO_READ, break_cb, &e, &a.rh), 0);
	ck_assert_int_eq(rtrmod_loop_watch(e.loop, s1[0], RTRMOD_IO_WRITE, break_cb, &e, &a.wh), 0);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 1);
	io_drop(&e, &a.rh);
	io_drop(&e, &a.wh);
	close(s1[0]);
	close(s1[1]);
	close(s2[0]);
	close(s2[1]);
	env_fini(&e);
}
END_TEST

START_TEST(test_now_ms_monotonic)
{
	struct env e;
	uint64_t t0, prev, cur;
	int i;

	env_init(&e);
	t0 = prev = rtrmod_loop_now_ms(e.loop);
	ck_assert_uint_gt(t0, 0);
	for (i = 0; i < 1000; i++) {
		cur = rtrmod_loop_now_ms(e.loop);
		ck_assert_uint_ge(cur, prev);
		prev = cur;
	}
	sleep_ms(30);
	cur = rtrmod_loop_now_ms(e.loop);
	ck_assert_uint_ge(cur - t0, 30);
	ck_assert_uint_lt(cur - t0, 5000);
	ck_assert_uint_ge(ctx_now_ms(e.ctx), cur);
	env_fini(&e);
}
END_TEST

static void
on_alarm(int sig)
{
}

START_TEST(test_eintr_is_not_an_error)
{
	struct sigaction sa = {.sa_handler = on_alarm}, old;
	struct itimerval it = {.it_value = {0, 20000}};
	struct env e;
	int p[2], reads = 0;
	uint64_t t0;
	void *h;

	env_init(&e);
	make_pipe(p);
	ck_assert_int_eq(rtrmod_loop_watch(e.loop, p[0], RTRMOD_IO_READ, peek_cb, &reads, &h), 0);
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGALRM, &sa, &old), 0);
	t0 = rtrmod_loop_now_ms(e.loop);
	ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 3000), 0);
	ck_assert_uint_lt(rtrmod_loop_now_ms(e.loop) - t0, 2500);
	ck_assert_int_eq(sigaction(SIGALRM, &old, NULL), 0);
	rtrmod_loop_unwatch(e.loop, h);
	close(p[0]);
	close(p[1]);
	env_fini(&e);
}
END_TEST

/* ---- misuse, the ctx vtable, memory ----------------------------------- */

static void
nested_cb(void *arg)
{
	struct env *e = arg;

	ck_assert_int_eq(rtrmod_loop_run_once(e->loop, 0), RTRMOD_ESTATE);
	ck_assert_int_eq(rtrmod_loop_run(e->loop), RTRMOD_ESTATE);
}

START_TEST(test_bad_arguments)
{
	struct rtrmod_loop *l = (void *)1;
	struct env e;
	int sv[2], n = 0;
	void *h = (void *)1, *h2;
	FILE *f;

	env_init(&e);
	ck_assert_int_eq(rtrmod_loop_new(NULL, &l), RTRMOD_EINVAL);
	ck_assert_ptr_null(l);
	ck_assert_int_eq(rtrmod_loop_new(e.ctx, NULL), RTRMOD_EINVAL);
	rtrmod_loop_free(NULL);
	make_socketpair(sv);
	ck_assert_int_eq(rtrmod_loop_watch(e.loop, -1, RTRMOD_IO_READ, peek_cb, &n, &h),
			 RTRMOD_EINVAL);
	ck_assert_ptr_null(h);
	ck_assert_int_eq(rtrmod_loop_watch(e.loop, sv[0], 0, peek_cb, &n, &h), RTRMOD_EINVAL);
	ck_assert_int_eq(
	    rtrmod_loop_watch(e.loop, sv[0], RTRMOD_IO_READ | RTRMOD_IO_WRITE, peek_cb, &n, &h),
	    RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_loop_watch(e.loop, sv[0], RTRMOD_IO_READ, NULL, &n, &h),
			 RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_loop_watch(e.loop, sv[0], RTRMOD_IO_READ, peek_cb, &n, NULL),
			 RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_loop_watch(NULL, sv[0], RTRMOD_IO_READ, peek_cb, &n, &h),
			 RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_loop_timer_arm(e.loop, 1, NULL, NULL, &h), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_loop_timer_arm(e.loop, 1, nested_cb, NULL, NULL), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, -2), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_loop_run_once(NULL, 0), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_loop_run(NULL), RTRMOD_EINVAL);
	rtrmod_loop_unwatch(e.loop, NULL);
	rtrmod_loop_timer_cancel(e.loop, NULL);
	ck_assert_int_eq(e.errors, 0);

	/* One watch per (fd, direction). */
	ck_assert_int_eq(rtrmod_loop_watch(e.loop, sv[0], RTRMOD_IO_READ, peek_cb, &n, &h), 0);
	ck_assert_int_eq(rtrmod_loop_watch(e.loop, sv[0], RTRMOD_IO_READ, peek_cb, &n, &h2),
			 RTRMOD_EEXIST);
	rtrmod_loop_unwatch(e.loop, h);

	/* epoll refuses regular files. */
	f = tmpfile();
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(rtrmod_loop_watch(e.loop, fileno(f), RTRMOD_IO_READ, peek_cb, &n, &h),
			 RTRMOD_ELOOP);
	ck_assert_int_eq(e.errors, 1);
	fclose(f);
	ck_assert_int_eq(rtrmod_loop_run(e.loop), 0); /* nothing was left behind */

	/* No running the loop from its own callbacks. */
	ck_assert_int_eq(rtrmod_loop_timer_arm(e.loop, 0, nested_cb, &e, &h), 0);
	ck_assert_int_eq(rtrmod_loop_run(e.loop), 0);
	ck_assert_int_eq(e.errors, 3);
	close(sv[0]);
	close(sv[1]);
	env_fini(&e);
}
END_TEST

static void
count_timer_cb(void *arg)
{
	(*(int *)arg)++;
}

START_TEST(test_core_reaches_loop_through_ctx)
{
	struct env e;
	int sv[2], fired = 0, writes = 0;
	void *th = NULL, *wh = NULL, *dead = NULL;

	env_init(&e);
	make_socketpair(sv);
	ck_assert_int_eq(ctx_timer_arm(e.ctx, 0, count_timer_cb, &fired, &th), 0);
	ck_assert_int_eq(ctx_timer_arm(e.ctx, 0, count_timer_cb, &fired, &dead), 0);
	ctx_timer_cancel(e.ctx, &dead);
	ck_assert_ptr_null(dead);
	ck_assert_int_eq(ctx_watch(e.ctx, sv[0], RTRMOD_IO_WRITE, peek_cb, &writes, &wh), 0);
	ck_assert_int_eq(rtrmod_loop_run_once(e.loop, 1000), 2);
	ck_assert_int_eq(fired, 1);
	ck_assert_int_eq(writes, 1);
	ctx_unwatch(e.ctx, &wh);
	ck_assert_ptr_null(wh);
	ck_assert_int_eq(rtrmod_loop_run(e.loop), 0);
	ck_assert_uint_gt(ctx_now_ms(e.ctx), 0);
	close(sv[0]);
	close(sv[1]);
	env_fini(&e);
}
END_TEST

/* Counts live blocks; fails the n-th allocation (1-based) when asked. */
struct acct {
	long live, allocs;
	long fail_at;
};

static void *
acct_malloc(void *arg, size_t size)
{
	struct acct *a = arg;

	if (++a->allocs == a->fail_at)
		return NULL;
	a->live++;
	return malloc(size);
}

static void *
acct_realloc(void *arg, void *ptr, size_t size)
{
	struct acct *a = arg;
	void *p;

	if (++a->allocs == a->fail_at)
		return NULL;
	p = realloc(ptr, size);
	if (p != NULL && ptr == NULL)
		a->live++;
	return p;
}

static void
acct_free(void *arg, void *ptr)
{
	struct acct *a = arg;

	if (ptr != NULL)
		a->live--;
	free(ptr);
}

static void
noop_timer_cb(void *arg)
{
}

/* Everything a loop allocates; each call either works or says ENOMEM. */
static void
alloc_scenario(struct rtrmod_ctx *ctx, int sv[2], int highfd)
{
	struct rtrmod_loop *loop;
	void *h[8], *th;
	int rc, i, n = 0;

	rc = rtrmod_loop_new(ctx, &loop);
	ck_assert(rc == 0 || rc == RTRMOD_ENOMEM);
	if (rc != 0)
		return;
	rc = rtrmod_loop_watch(loop, sv[0], RTRMOD_IO_READ, peek_cb, &n, &h[0]);
	ck_assert(rc == 0 || rc == RTRMOD_ENOMEM);
	rc = rtrmod_loop_watch(loop, sv[0], RTRMOD_IO_WRITE, peek_cb, &n, &h[1]);
	ck_assert(rc == 0 || rc == RTRMOD_ENOMEM);
	rc = rtrmod_loop_watch(loop, highfd, RTRMOD_IO_WRITE, peek_cb, &n, &h[2]);
	ck_assert(rc == 0 || rc == RTRMOD_ENOMEM);
	if (rc == 0)
		rtrmod_loop_unwatch(loop, h[2]);
	for (i = 0; i < 200; i++) {
		rc = rtrmod_loop_timer_arm(loop, (uint64_t)i % 7 + 100, noop_timer_cb, NULL, &th);
		ck_assert(rc == 0 || rc == RTRMOD_ENOMEM);
	}
	rc = rtrmod_loop_run_once(loop, 0);
	ck_assert_int_ge(rc, 0);
	rtrmod_loop_free(loop); /* with watches and timers still pending */
}

START_TEST(test_allocation_failure_and_balance)
{
	struct acct a = {0};
	struct rtrmod_allocator al = {acct_malloc, acct_realloc, acct_free, &a};
	struct rtrmod_ctx *ctx;
	long total, k;
	int sv[2], highfd;

	make_socketpair(sv);
	highfd = fcntl(sv[1], F_DUPFD_CLOEXEC, 700); /* forces the fd table to grow */
	ck_assert_int_ge(highfd, 700);
	ck_assert_int_eq(rtrmod_ctx_new(&al, &ctx), 0);
	rtrmod_ctx_set_log(ctx, NULL, NULL, RTRMOD_LOG_ERR);

	/* A clean run first: everything the loop took, it gives back. */
	a.allocs = 0;
	alloc_scenario(ctx, sv, highfd);
	ck_assert_int_eq(a.live, 1); /* the ctx */
	total = a.allocs;
	ck_assert_int_gt(total, 5);
	for (k = 1; k <= total; k++) {
		a.allocs = 0;
		a.fail_at = k;
		alloc_scenario(ctx, sv, highfd);
		ck_assert_int_eq(a.live, 1);
	}
	rtrmod_ctx_free(ctx);
	ck_assert_int_eq(a.live, 0);
	close(sv[0]);
	close(sv[1]);
	close(highfd);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("loop");
	TCase *timers = tcase_create("timers");
	TCase *fds = tcase_create("fds");
	TCase *misc = tcase_create("run");

	tcase_add_test(timers, test_timers_fire_by_deadline);
	tcase_add_test(timers, test_equal_deadlines_fire_in_arm_order);
	tcase_add_test(timers, test_cancel_due_timer_inside_callback);
	tcase_add_test(timers, test_cancel_before_due);
	tcase_add_test(timers, test_periodic_rearm);
	tcase_add_test(timers, test_zero_delay_rearm_waits_a_round);
	tcase_add_test(timers, test_timer_handle_dead_after_firing);
	tcase_add_test(timers, test_timer_never_early);
	tcase_add_test(timers, test_many_timers_fire_in_deadline_order);
	suite_add_tcase(s, timers);

	tcase_add_test(fds, test_write_watch_fires_when_writable);
	tcase_add_test(fds, test_read_watch_fires_when_data_arrives);
	tcase_add_test(fds, test_read_and_write_watches_are_independent);
	tcase_add_test(fds, test_unwatch_inside_own_callback);
	tcase_add_test(fds, test_double_unwatch_in_round_is_refused);
	tcase_add_test(fds, test_unwatch_sibling_on_same_fd_in_same_round);
	tcase_add_test(fds, test_unwatch_sibling_on_other_fd_in_same_round);
	tcase_add_test(fds, test_fd_number_reused_after_unwatch);
	tcase_add_test(fds, test_fd_number_reused_inside_round);
	tcase_add_test(fds, test_hup_wakes_read_watch);
	tcase_add_test(fds, test_peer_close_wakes_blocked_write_watch);
	tcase_add_test(fds, test_many_fds);
	suite_add_tcase(s, fds);

	tcase_add_test(misc, test_run_returns_when_nothing_left);
	tcase_add_test(misc, test_break_stops_run);
	tcase_add_test(misc, test_now_ms_monotonic);
	tcase_add_test(misc, test_eintr_is_not_an_error);
	tcase_add_test(misc, test_bad_arguments);
	tcase_add_test(misc, test_core_reaches_loop_through_ctx);
	tcase_add_test(misc, test_allocation_failure_and_balance);
	suite_add_tcase(s, misc);
	return s;
}

CHECK_MAIN()
