/*
 * loop_epoll.c: the built-in event loop behind rtrmod/loop.h: level-triggered
 * epoll for fds and a binary min-heap of one-shot timers, keyed by (deadline,
 * arm sequence) so that timers due together fire in the order they were armed.
 *
 * Invariants: each watched fd has one struct loop_fd in a table indexed by
 * fd number, holding at most one read and one write watch; epoll has exactly
 * the union of the two (lfd->events says what the kernel has).  Events carry
 * the fd number, never a pointer, and each callback's watch is looked up
 * afresh, so an unwatch, close or reuse of the number by an earlier callback
 * is honoured; unwatched watches are freed at the end of the round.  A watch
 * or timer made during a round first fires in the next one, which bounds
 * every round.  Timers keep their heap index, so arm and cancel are
 * O(log n); a timer leaves the heap before its callback runs.
 *
 * Unwatch before close(): an fd closed while watched but still open through
 * a dup() stays in the epoll set and can only cost spurious wakeups.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <rtrmod/loop.h>

#include "rtrmod_internal.h"

#define LOOP_EVENTS_MIN 64       /* epoll_wait batch to start with */
#define LOOP_EVENTS_MAX 4096     /* and the most it grows to; the rest wait a round */
#define LOOP_FDS_MIN    64       /* first size of the fd table */
#define TIMER_FIRING    SIZE_MAX /* heap index of a timer whose callback runs */

struct loop_fd;

struct loop_watch {
	struct loop_fd *lfd; /* NULL once unwatched */
	rtrmod_io_cb *cb;
	void *arg;
	enum rtrmod_io_event event;
	uint64_t born; /* the dispatch round it was made in */
	struct loop_watch *next_dead;
};

struct loop_fd {
	int fd;
	uint32_t events; /* EPOLLIN | EPOLLOUT as registered with the kernel */
	struct loop_watch *rd, *wr;
};

struct loop_timer {
	uint64_t deadline; /* rtrmod_loop_now_ms() scale */
	uint64_t seq;      /* arm order, breaks deadline ties */
	size_t idx;        /* position in loop->heap, or TIMER_FIRING */
	rtrmod_timer_cb *cb;
	void *arg;
};

struct rtrmod_loop {
	struct rtrmod_ctx *ctx;
	int epfd;
	struct loop_fd **fds; /* indexed by fd number */
	size_t nfds;
	size_t nwatches; /* live watches */
	struct epoll_event *events;
	int nevents;
	struct loop_timer **heap;
	size_t heap_len, heap_cap;
	uint64_t seq;   /* next timer's arm sequence */
	uint64_t round; /* dispatch rounds started */
	bool dispatching;
	bool broken;
	struct loop_watch *dead_watches; /* freed at the end of the round */
};

/* ---- timer heap ------------------------------------------------------ */

static bool
timer_before(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void
heap_set(struct rtrmod_loop *loop, size_t i, struct loop_timer *t)
{
	loop->heap[i] = t;
	t->idx = i;
}

static void
heap_sift_up(struct rtrmod_loop *loop, size_t i)
{
	struct loop_timer *t = loop->heap[i];

	while (i > 0 && timer_before(t, loop->heap[(i - 1) / 2])) {
		heap_set(loop, i, loop->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(loop, i, t);
}

static void
heap_sift_down(struct rtrmod_loop *loop, size_t i)
{
	struct loop_timer *t = loop->heap[i];
	size_t child;

	while ((child = 2 * i + 1) < loop->heap_len) {
		if (child + 1 < loop->heap_len &&
		    timer_before(loop->heap[child + 1], loop->heap[child]))
			child++;
		if (!timer_before(loop->heap[child], t))
			break;
		heap_set(loop, i, loop->heap[child]);
		i = child;
	}
	heap_set(loop, i, t);
}

static int
heap_push(struct rtrmod_loop *loop, struct loop_timer *t)
{
	struct loop_timer **heap;
	size_t cap;

	if (loop->heap_len == loop->heap_cap) {
		cap = loop->heap_cap != 0 ? loop->heap_cap * 2 : 64;
		if (cap > SIZE_MAX / sizeof(*heap))
			return RTRMOD_ENOMEM;
		heap = ctx_realloc(loop->ctx, loop->heap, cap * sizeof(*heap));
		if (heap == NULL)
			return RTRMOD_ENOMEM;
		loop->heap = heap;
		loop->heap_cap = cap;
	}
	loop->heap[loop->heap_len++] = t;
	heap_sift_up(loop, loop->heap_len - 1);
	return 0;
}

static void
heap_remove(struct rtrmod_loop *loop, struct loop_timer *t)
{
	size_t i = t->idx;
	struct loop_timer *last = loop->heap[--loop->heap_len];

	if (last == t)
		return;
	heap_set(loop, i, last);
	if (i > 0 && timer_before(last, loop->heap[(i - 1) / 2]))
		heap_sift_up(loop, i);
	else
		heap_sift_down(loop, i);
}

/* ---- fd records and watches ------------------------------------------ */

/* Free now, or at the end of the round if callbacks are running. */
static void
loop_bury_watch(struct rtrmod_loop *loop, struct loop_watch *w)
{
	if (!loop->dispatching) {
		ctx_free(loop->ctx, w);
		return;
	}
	w->next_dead = loop->dead_watches;
	loop->dead_watches = w;
}

static void
loop_flush(struct rtrmod_loop *loop)
{
	struct loop_watch *w;

	while ((w = loop->dead_watches) != NULL) {
		loop->dead_watches = w->next_dead;
		ctx_free(loop->ctx, w);
	}
}

/* Drop lfd once it has no watch left; dispatch never holds it across a
 * callback, so it goes at once. */
static void
loop_fd_put(struct rtrmod_loop *loop, struct loop_fd *lfd)
{
	if (lfd->rd != NULL || lfd->wr != NULL)
		return;
	loop->fds[lfd->fd] = NULL;
	ctx_free(loop->ctx, lfd);
}

/* Find fd's record, making it (and room in the table) if need be. */
static int
loop_fd_get(struct rtrmod_loop *loop, int fd, struct loop_fd **out)
{
	struct loop_fd **fds;
	size_t n;

	if ((size_t)fd >= loop->nfds) {
		for (n = loop->nfds != 0 ? loop->nfds : LOOP_FDS_MIN; n <= (size_t)fd; n *= 2)
			;
		if (n > SIZE_MAX / sizeof(*fds))
			return RTRMOD_ENOMEM;
		fds = ctx_realloc(loop->ctx, loop->fds, n * sizeof(*fds));
		if (fds == NULL)
			return RTRMOD_ENOMEM;
		memset(fds + loop->nfds, 0, (n - loop->nfds) * sizeof(*fds));
		loop->fds = fds;
		loop->nfds = n;
	}
	if (loop->fds[fd] == NULL) {
		loop->fds[fd] = ctx_zalloc(loop->ctx, sizeof(struct loop_fd));
		if (loop->fds[fd] == NULL)
			return RTRMOD_ENOMEM;
		loop->fds[fd]->fd = fd;
	}
	*out = loop->fds[fd];
	return 0;
}

static const char *
epoll_op_name(int op)
{
	switch (op) {
	case EPOLL_CTL_ADD:
		return "add";
	case EPOLL_CTL_MOD:
		return "mod";
	default:
		return "del";
	}
}

/*
 * Bring the kernel's registration of lfd in line with its watches.  An fd
 * closed without unwatch has already left the epoll set: MOD then says
 * ENOENT (the number may be a new file now) and DEL says EBADF or ENOENT;
 * one left behind by a failed DEL makes ADD say EEXIST.
 */
static int
loop_fd_sync(struct rtrmod_loop *loop, struct loop_fd *lfd)
{
	uint32_t want = (lfd->rd != NULL ? EPOLLIN : 0) | (lfd->wr != NULL ? EPOLLOUT : 0);
	struct epoll_event ev = {.events = want, .data.fd = lfd->fd};
	int op, rc;

	if (want == lfd->events)
		return 0;
	op = want == 0 ? EPOLL_CTL_DEL : lfd->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
	rc = epoll_ctl(loop->epfd, op, lfd->fd, &ev);
	if (rc == -1 && op == EPOLL_CTL_MOD && errno == ENOENT)
		rc = epoll_ctl(loop->epfd, op = EPOLL_CTL_ADD, lfd->fd, &ev);
	else if (rc == -1 && op == EPOLL_CTL_ADD && errno == EEXIST)
		rc = epoll_ctl(loop->epfd, op = EPOLL_CTL_MOD, lfd->fd, &ev);
	if (rc == -1 && op == EPOLL_CTL_DEL && (errno == EBADF || errno == ENOENT))
		rc = 0;
	if (rc == -1) {
		log_err(loop->ctx, "loop: epoll_ctl(%s) on fd %d: %s", epoll_op_name(op), lfd->fd,
			strerror(errno));
		return RTRMOD_ELOOP;
	}
	lfd->events = want;
	return 0;
}

int
rtrmod_loop_watch(struct rtrmod_loop *loop, int fd, enum rtrmod_io_event event, rtrmod_io_cb *cb,
		  void *arg, void **handle)
{
	struct loop_watch *w, **slot;
	struct loop_fd *lfd;
	int rc;

	if (handle != NULL)
		*handle = NULL;
	if (loop == NULL || fd < 0 || cb == NULL || handle == NULL ||
	    (event != RTRMOD_IO_READ && event != RTRMOD_IO_WRITE))
		return RTRMOD_EINVAL;
	rc = loop_fd_get(loop, fd, &lfd);
	if (rc != 0)
		return rc;
	slot = event == RTRMOD_IO_READ ? &lfd->rd : &lfd->wr;
	if (*slot != NULL)
		return RTRMOD_EEXIST; /* one watch per (fd, direction) */
	w = ctx_zalloc(loop->ctx, sizeof(*w));
	if (w == NULL) {
		rc = RTRMOD_ENOMEM;
		goto fail;
	}
	w->lfd = lfd;
	w->cb = cb;
	w->arg = arg;
	w->event = event;
	w->born = loop->round;
	*slot = w;
	rc = loop_fd_sync(loop, lfd);
	if (rc != 0) {
		*slot = NULL;
		ctx_free(loop->ctx, w);
		goto fail;
	}
	loop->nwatches++;
	*handle = w;
	return 0;
fail:
	loop_fd_put(loop, lfd);
	return rc;
}

void
rtrmod_loop_unwatch(struct rtrmod_loop *loop, void *handle)
{
	struct loop_watch *w = handle;
	struct loop_fd *lfd;

	if (loop == NULL || w == NULL)
		return;
	lfd = w->lfd;
	if (lfd == NULL) {
		log_err(loop->ctx, "loop: unwatch of a watch already stopped");
		return;
	}
	if (w->event == RTRMOD_IO_READ)
		lfd->rd = NULL;
	else
		lfd->wr = NULL;
	w->lfd = NULL;
	loop->nwatches--;
	/* On failure the kernel may still report the direction; dispatch
	 * finds no watch for it and calls nobody. */
	(void)loop_fd_sync(loop, lfd);
	loop_fd_put(loop, lfd);
	loop_bury_watch(loop, w);
}

/* ---- timers ---------------------------------------------------------- */

uint64_t
rtrmod_loop_now_ms(struct rtrmod_loop *loop)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
rtrmod_loop_timer_arm(struct rtrmod_loop *loop, uint64_t delay_ms, rtrmod_timer_cb *cb, void *arg,
		      void **handle)
{
	struct loop_timer *t;
	uint64_t now;
	int rc;

	if (handle != NULL)
		*handle = NULL;
	if (loop == NULL || cb == NULL || handle == NULL)
		return RTRMOD_EINVAL;
	t = ctx_alloc(loop->ctx, sizeof(*t));
	if (t == NULL)
		return RTRMOD_ENOMEM;
	now = rtrmod_loop_now_ms(loop);
	t->deadline = delay_ms > UINT64_MAX - now ? UINT64_MAX : now + delay_ms;
	t->seq = loop->seq++;
	t->cb = cb;
	t->arg = arg;
	rc = heap_push(loop, t);
	if (rc != 0) {
		ctx_free(loop->ctx, t);
		return rc;
	}
	*handle = t;
	return 0;
}

void
rtrmod_loop_timer_cancel(struct rtrmod_loop *loop, void *handle)
{
	struct loop_timer *t = handle;

	if (loop == NULL || t == NULL)
		return;
	/* Catches a timer cancelled from its own callback (TIMER_FIRING). */
	if (t->idx >= loop->heap_len || loop->heap[t->idx] != t) {
		log_err(loop->ctx, "loop: cancel of a timer that is not pending");
		return;
	}
	heap_remove(loop, t);
	ctx_free(loop->ctx, t);
}

/* ---- dispatch -------------------------------------------------------- */

/* Call fd's watch for `event` as it stands now, unless it is new this round. */
static int
loop_fire_watch(struct rtrmod_loop *loop, int fd, enum rtrmod_io_event event)
{
	struct loop_fd *lfd = (size_t)fd < loop->nfds ? loop->fds[fd] : NULL;
	struct loop_watch *w;

	if (lfd == NULL)
		return 0;
	w = event == RTRMOD_IO_READ ? lfd->rd : lfd->wr;
	if (w == NULL || w->born == loop->round)
		return 0;
	w->cb(w->arg, fd, event);
	return 1;
}

/* Errors and hangups wake both directions: the owner learns of them from
 * its own read() or write(). */
static int
loop_fire_fds(struct rtrmod_loop *loop, int n)
{
	uint32_t ev;
	int i, fd, calls = 0;

	for (i = 0; i < n && !loop->broken; i++) {
		fd = loop->events[i].data.fd;
		ev = loop->events[i].events;
		if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP))
			calls += loop_fire_watch(loop, fd, RTRMOD_IO_READ);
		if (!loop->broken && (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			calls += loop_fire_watch(loop, fd, RTRMOD_IO_WRITE);
	}
	return calls;
}

/*
 * Fire the timers that were due when the round's clock was read and armed
 * before the round began.  A timer armed during the round has a deadline no
 * earlier than the round's clock and a later sequence, so it sorts after
 * every timer this round may fire: the first one met ends the round.
 */
static int
loop_fire_timers(struct rtrmod_loop *loop)
{
	uint64_t now = rtrmod_loop_now_ms(loop), limit = loop->seq;
	struct loop_timer *t;
	int calls = 0;

	while (loop->heap_len > 0 && !loop->broken) {
		t = loop->heap[0];
		if (t->deadline > now || t->seq >= limit)
			break;
		heap_remove(loop, t);
		t->idx = TIMER_FIRING;
		t->cb(t->arg);
		ctx_free(loop->ctx, t);
		calls++;
	}
	return calls;
}

/* The epoll_wait timeout: the caller's, cut short by the next deadline. */
static int
loop_wait_ms(struct rtrmod_loop *loop, int timeout_ms)
{
	uint64_t now, left;

	if (loop->heap_len == 0)
		return timeout_ms;
	now = rtrmod_loop_now_ms(loop);
	left = loop->heap[0]->deadline > now ? loop->heap[0]->deadline - now : 0;
	if (left > INT_MAX)
		left = INT_MAX;
	if (timeout_ms >= 0 && (uint64_t)timeout_ms < left)
		return timeout_ms;
	return (int)left;
}

static void
loop_grow_events(struct rtrmod_loop *loop)
{
	struct epoll_event *events;

	if (loop->nevents >= LOOP_EVENTS_MAX)
		return;
	events = ctx_realloc(loop->ctx, loop->events, 2 * loop->nevents * sizeof(*events));
	if (events == NULL)
		return; /* the smaller batch still works */
	loop->events = events;
	loop->nevents *= 2;
}

static int
loop_once(struct rtrmod_loop *loop, int timeout_ms)
{
	int n, calls;

	/* Nothing could ever wake an endless wait. */
	if (timeout_ms < 0 && loop->nwatches == 0 && loop->heap_len == 0)
		return 0;
	n = epoll_wait(loop->epfd, loop->events, loop->nevents, loop_wait_ms(loop, timeout_ms));
	if (n == -1) {
		if (errno != EINTR) {
			log_err(loop->ctx, "loop: epoll_wait: %s", strerror(errno));
			return RTRMOD_ELOOP;
		}
		n = 0;
	}
	loop->round++;
	loop->dispatching = true;
	calls = loop_fire_fds(loop, n);
	calls += loop_fire_timers(loop);
	loop->dispatching = false;
	loop_flush(loop);
	if (n == loop->nevents)
		loop_grow_events(loop);
	return calls;
}

int
rtrmod_loop_run_once(struct rtrmod_loop *loop, int timeout_ms)
{
	if (loop == NULL || timeout_ms < -1)
		return RTRMOD_EINVAL;
	if (loop->dispatching) {
		log_err(loop->ctx, "loop: run from inside one of its callbacks");
		return RTRMOD_ESTATE;
	}
	loop->broken = false;
	return loop_once(loop, timeout_ms);
}

int
rtrmod_loop_run(struct rtrmod_loop *loop)
{
	int rc;

	if (loop == NULL)
		return RTRMOD_EINVAL;
	if (loop->dispatching) {
		log_err(loop->ctx, "loop: run from inside one of its callbacks");
		return RTRMOD_ESTATE;
	}
	loop->broken = false;
	while (!loop->broken && (loop->nwatches > 0 || loop->heap_len > 0)) {
		rc = loop_once(loop, -1);
		if (rc < 0)
			return rc;
	}
	loop->broken = false;
	return 0;
}

/* Stops the round after the current callback; affects only a round or a
 * run in progress, since both start by clearing it. */
void
rtrmod_loop_break(struct rtrmod_loop *loop)
{
	if (loop != NULL)
		loop->broken = true;
}

/* ---- life and the vtable --------------------------------------------- */

int
rtrmod_loop_new(struct rtrmod_ctx *ctx, struct rtrmod_loop **out)
{
	struct rtrmod_loop *loop;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || out == NULL)
		return RTRMOD_EINVAL;
	loop = ctx_zalloc(ctx, sizeof(*loop));
	if (loop == NULL)
		return RTRMOD_ENOMEM;
	loop->ctx = ctx;
	loop->epfd = -1;
	loop->nevents = LOOP_EVENTS_MIN;
	loop->events = ctx_alloc(ctx, LOOP_EVENTS_MIN * sizeof(*loop->events));
	if (loop->events == NULL) {
		rc = RTRMOD_ENOMEM;
		goto fail;
	}
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd == -1) {
		log_err(ctx, "loop: epoll_create1: %s", strerror(errno));
		rc = RTRMOD_ELOOP;
		goto fail;
	}
	rc = rtrmod_ctx_set_loop(ctx, rtrmod_loop_ops(), loop);
	if (rc != 0)
		goto fail;
	*out = loop;
	return 0;
fail:
	rtrmod_loop_free(loop);
	return rc;
}

/* Not from inside the loop's own callbacks: the round still uses it. */
void
rtrmod_loop_free(struct rtrmod_loop *loop)
{
	struct loop_fd *lfd;
	size_t i;

	if (loop == NULL)
		return;
	if (loop->dispatching) {
		log_err(loop->ctx, "loop: freed from inside one of its callbacks; leaked");
		return;
	}
	for (i = 0; i < loop->nfds; i++) {
		if ((lfd = loop->fds[i]) == NULL)
			continue;
		ctx_free(loop->ctx, lfd->rd);
		ctx_free(loop->ctx, lfd->wr);
		ctx_free(loop->ctx, lfd);
	}
	for (i = 0; i < loop->heap_len; i++)
		ctx_free(loop->ctx, loop->heap[i]);
	loop_flush(loop);
	ctx_detach_loop(loop->ctx, loop);
	if (loop->epfd != -1)
		close(loop->epfd);
	ctx_free(loop->ctx, loop->fds);
	ctx_free(loop->ctx, loop->heap);
	ctx_free(loop->ctx, loop->events);
	ctx_free(loop->ctx, loop);
}

static int
ops_watch(void *loop, int fd, enum rtrmod_io_event event, rtrmod_io_cb *cb, void *arg,
	  void **handle)
{
	return rtrmod_loop_watch(loop, fd, event, cb, arg, handle);
}

static void
ops_unwatch(void *loop, void *handle)
{
	rtrmod_loop_unwatch(loop, handle);
}

static int
ops_timer_arm(void *loop, uint64_t delay_ms, rtrmod_timer_cb *cb, void *arg, void **handle)
{
	return rtrmod_loop_timer_arm(loop, delay_ms, cb, arg, handle);
}

static void
ops_timer_cancel(void *loop, void *handle)
{
	rtrmod_loop_timer_cancel(loop, handle);
}

static uint64_t
ops_now_ms(void *loop)
{
	return rtrmod_loop_now_ms(loop);
}

const struct rtrmod_loop_ops *
rtrmod_loop_ops(void)
{
	static const struct rtrmod_loop_ops ops = {
	    .watch = ops_watch,
	    .unwatch = ops_unwatch,
	    .timer_arm = ops_timer_arm,
	    .timer_cancel = ops_timer_cancel,
	    .now_ms = ops_now_ms,
	};

	return &ops;
}
