/*
 * frr_loop.c: the core's event loop interface (struct rtrmod_loop_ops,
 * rtrmod/ctx.h) on bgpd's own thread_master, so the core runs in bgpd's
 * main pthread with no thread or socketpair of its own.
 *
 * FRR's I/O threads are one-shot; the interface wants a watch to last until
 * unwatched, so a watch re-adds its thread before calling the core (and an
 * unwatch from inside that call cancels the re-added one).  FRR keeps
 * timers in a heap by time alone, while the interface promises that timers
 * due together fire in the order they were armed; so the core's timers live
 * in a heap of our own ordered by (due, arming sequence), behind a single
 * FRR timer set for the earliest.  FRR asserts on a second thread for one
 * fd and direction, so a duplicate watch is refused here (RTRMOD_EEXIST).
 */
#include <zebra.h>

#include <time.h>

#include "lib/memory.h"
#include "lib/thread.h"
#include "lib/zlog.h"

#include "bgpd/bgp_memory.h"

#include "rtrmod_frr.h"

DEFINE_MTYPE_STATIC(BGPD, RTRMOD_LOOP, "rtrmod event loop");

struct frr_watch {
	struct frr_loop *loop;
	struct frr_watch *next, *prev;
	struct thread *t;
	int fd;
	enum rtrmod_io_event event;
	rtrmod_io_cb *cb;
	void *arg;
};

struct frr_timer {
	uint64_t due, seq;
	size_t pos; /* index in the heap */
	rtrmod_timer_cb *cb;
	void *arg;
};

struct frr_loop {
	struct thread_master *master;
	struct frr_watch *watches;
	struct frr_timer **heap;
	size_t n, cap;
	uint64_t seq;           /* arming order */
	struct thread *t_timer; /* FRR's timer for heap[0] */
	uint64_t t_due;         /* what t_timer was set for */
};

static uint64_t
loop_now_ms(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- fd watches ----------------------------------------------------------------- */

static void watch_fire(struct thread *t);

static void
watch_add(struct frr_watch *w)
{
	if (w->event == RTRMOD_IO_READ)
		thread_add_read(w->loop->master, watch_fire, w, w->fd, &w->t);
	else
		thread_add_write(w->loop->master, watch_fire, w, w->fd, &w->t);
}

static void
watch_fire(struct thread *t)
{
	struct frr_watch *w = THREAD_ARG(t);

	/* Again first: the core may unwatch (and so free w) in its callback. */
	watch_add(w);
	w->cb(w->arg, w->fd, w->event);
}

static int
loop_watch(void *arg, int fd, enum rtrmod_io_event event, rtrmod_io_cb *cb, void *cbarg,
	   void **handle)
{
	struct frr_loop *loop = arg;
	struct frr_watch *w;

	if (fd < 0 || cb == NULL || handle == NULL ||
	    (event != RTRMOD_IO_READ && event != RTRMOD_IO_WRITE))
		return RTRMOD_EINVAL;
	for (w = loop->watches; w != NULL; w = w->next)
		if (w->fd == fd && w->event == event)
			return RTRMOD_EEXIST;
	w = XCALLOC(MTYPE_RTRMOD_LOOP, sizeof(*w));
	w->loop = loop;
	w->fd = fd;
	w->event = event;
	w->cb = cb;
	w->arg = cbarg;
	w->next = loop->watches;
	if (w->next != NULL)
		w->next->prev = w;
	loop->watches = w;
	watch_add(w);
	*handle = w;
	return 0;
}

static void
loop_unwatch(void *arg, void *handle)
{
	struct frr_loop *loop = arg;
	struct frr_watch *w = handle;

	if (w == NULL)
		return;
	thread_cancel(&w->t);
	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		loop->watches = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	XFREE(MTYPE_RTRMOD_LOOP, w);
}

/* ---- timers: a heap by (due, seq) ------------------------------------------------------- */

static bool
timer_before(const struct frr_timer *a, const struct frr_timer *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void
heap_set(struct frr_loop *loop, size_t i, struct frr_timer *t)
{
	loop->heap[i] = t;
	t->pos = i;
}

static void
heap_up(struct frr_loop *loop, size_t i)
{
	struct frr_timer *t = loop->heap[i];

	while (i > 0 && timer_before(t, loop->heap[(i - 1) / 2])) {
		heap_set(loop, i, loop->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(loop, i, t);
}

static void
heap_down(struct frr_loop *loop, size_t i)
{
	struct frr_timer *t = loop->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= loop->n)
			break;
		if (c + 1 < loop->n && timer_before(loop->heap[c + 1], loop->heap[c]))
			c++;
		if (!timer_before(loop->heap[c], t))
			break;
		heap_set(loop, i, loop->heap[c]);
		i = c;
	}
	heap_set(loop, i, t);
}

static void
heap_remove(struct frr_loop *loop, struct frr_timer *t)
{
	size_t i = t->pos;
	struct frr_timer *last = loop->heap[--loop->n];

	if (i == loop->n)
		return;
	heap_set(loop, i, last);
	heap_down(loop, i);
	heap_up(loop, last->pos);
}

static void timer_fire(struct thread *thread);

/* Point FRR's one timer at the earliest of ours (or at nothing). */
static void
timer_resched(struct frr_loop *loop)
{
	uint64_t now, due;

	if (loop->n == 0) {
		thread_cancel(&loop->t_timer);
		return;
	}
	due = loop->heap[0]->due;
	if (loop->t_timer != NULL && loop->t_due == due)
		return;
	thread_cancel(&loop->t_timer);
	now = loop_now_ms(loop);
	loop->t_due = due;
	thread_add_timer_msec(loop->master, timer_fire, loop, due > now ? (long)(due - now) : 0,
			      &loop->t_timer);
}

/* Fire what is due, in (due, seq) order; timers armed by these callbacks
 * wait for the next round even at zero delay, so this always ends. */
static void
timer_fire(struct thread *thread)
{
	struct frr_loop *loop = THREAD_ARG(thread);
	uint64_t now = loop_now_ms(loop), last_seq = loop->seq;

	while (loop->n > 0 && loop->heap[0]->due <= now && loop->heap[0]->seq <= last_seq) {
		struct frr_timer *t = loop->heap[0];
		rtrmod_timer_cb *cb = t->cb;
		void *arg = t->arg;

		heap_remove(loop, t);
		XFREE(MTYPE_RTRMOD_LOOP, t);
		cb(arg);
	}
	timer_resched(loop);
}

static int
loop_timer_arm(void *arg, uint64_t delay_ms, rtrmod_timer_cb *cb, void *cbarg, void **handle)
{
	struct frr_loop *loop = arg;
	struct frr_timer *t;

	if (cb == NULL || handle == NULL)
		return RTRMOD_EINVAL;
	if (delay_ms > UINT64_MAX / 2)
		delay_ms = UINT64_MAX / 2;
	if (loop->n == loop->cap) {
		size_t cap = loop->cap ? loop->cap * 2 : 16;

		loop->heap = XREALLOC(MTYPE_RTRMOD_LOOP, loop->heap, cap * sizeof(*loop->heap));
		loop->cap = cap;
	}
	t = XCALLOC(MTYPE_RTRMOD_LOOP, sizeof(*t));
	t->due = loop_now_ms(loop) + delay_ms;
	t->seq = ++loop->seq;
	t->cb = cb;
	t->arg = cbarg;
	loop->heap[loop->n] = t;
	t->pos = loop->n++;
	heap_up(loop, t->pos);
	timer_resched(loop);
	*handle = t;
	return 0;
}

static void
loop_timer_cancel(void *arg, void *handle)
{
	struct frr_loop *loop = arg;
	struct frr_timer *t = handle;

	if (t == NULL)
		return;
	heap_remove(loop, t);
	XFREE(MTYPE_RTRMOD_LOOP, t);
	timer_resched(loop);
}

/* ---- the loop ---------------------------------------------------------------------------- */

static const struct rtrmod_loop_ops frr_ops = {
    .watch = loop_watch,
    .unwatch = loop_unwatch,
    .timer_arm = loop_timer_arm,
    .timer_cancel = loop_timer_cancel,
    .now_ms = loop_now_ms,
};

const struct rtrmod_loop_ops *
frr_loop_ops(void)
{
	return &frr_ops;
}

struct frr_loop *
frr_loop_new(struct thread_master *master)
{
	struct frr_loop *loop = XCALLOC(MTYPE_RTRMOD_LOOP, sizeof(*loop));

	loop->master = master;
	return loop;
}

void
frr_loop_free(struct frr_loop *loop)
{
	size_t watches = 0, timers;

	if (loop == NULL)
		return;
	while (loop->watches != NULL) {
		loop_unwatch(loop, loop->watches);
		watches++;
	}
	timers = loop->n;
	while (loop->n > 0) {
		struct frr_timer *t = loop->heap[--loop->n];

		XFREE(MTYPE_RTRMOD_LOOP, t);
	}
	thread_cancel(&loop->t_timer);
	if (watches > 0 || timers > 0)
		zlog_warn("rtrmod: event loop freed with %zu watches and %zu timers left", watches,
			  timers);
	XFREE(MTYPE_RTRMOD_LOOP, loop->heap);
	XFREE(MTYPE_RTRMOD_LOOP, loop);
}
