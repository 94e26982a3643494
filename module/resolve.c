/*
 * resolve.c: host names to addresses on the host's loop, through c-ares.
 * The context holds one resolver; its c-ares channel is opened when a name
 * is first looked up (reading /etc/resolv.conf) and closed when no query
 * waits any more, so a later lookup reads the files afresh.  c-ares says
 * which sockets to watch (ARES_OPT_SOCK_STATE_CB) and when it next needs
 * time (ares_timeout); readiness and timers go back through
 * ares_process_fd().  No thread, no blocking call on the network (DESIGN.md,
 * 2).  A name is looked up in /etc/hosts first (all of its families from
 * there if it is there at all, as getaddrinfo does), then in DNS with one
 * query per family, so that an answered family is not lost with a silent
 * one: at the deadline what has arrived is delivered.
 *
 * Invariants: a query's callback runs at most once, on the loop, never
 * inside resolve_start() or resolve_cancel().  c-ares has no way to cancel
 * one lookup, so a cancelled or timed-out query is detached (its callback
 * cleared) and freed when c-ares lets go of all its parts.  The channel is
 * never destroyed from inside a c-ares call (`depth`).  Every query has its
 * own deadline, so it ends in bounded time whatever the name servers do.
 *
 * Memory: c-ares allocates through libc, not the context.  Its allocator
 * hooks (ares_library_init_mem) are process-wide: set inside bgpd they would
 * change the allocator of every other c-ares user in the process, and the
 * core has no globals.  So test_alloc's failing allocator reaches the
 * resolver's own allocations (queries, the socket table, the answer) but
 * not c-ares's out-of-memory paths; those end a lookup with ARES_ENOMEM,
 * mapped to RTRMOD_ENOMEM below.
 *
 * Files: c-ares reads /etc/resolv.conf when a channel opens and /etc/hosts
 * at each lookup (ares_gethostbyname_file), synchronously on the loop: some
 * microseconds normally, 10-30 ms with a hosts file of several MB, and
 * unbounded only if /etc sits on a network file system that has stalled.
 */
#include "config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ares.h>

#include "resolve_internal.h"
#include "rtrmod_internal.h"

/*
 * c-ares 1.18's retry schedule: a question goes to each name server in turn
 * with the per-try wait, and only after a round of all of them is the wait
 * doubled, for `tries` rounds; the whole is (2^tries - 1) * nservers *
 * try_ms.  channel_open() takes the most rounds (up to RESOLVE_TRIES) whose
 * per-try wait, with the schedule in 7/8 of the query's budget, is at least
 * RESOLVE_TRY_MIN_MS; the wait is at most RESOLVE_TRY_MAX_MS.  The channel
 * is shared: a later query with a shorter budget relies on its deadline.
 */
#define RESOLVE_TRIES       3
#define RESOLVE_TRY_MIN_MS  100
#define RESOLVE_TRY_MAX_MS  2000
#define RESOLVE_TRY_LAST_MS 10 /* too many servers for the budget */
#define RESOLVE_ERROR_LEN   96
/* Parts of a query: one per family (AF_UNSPEC: IPv6 and IPv4). */
#define RESOLVE_PARTS 2

struct resolve_sock {
	int fd;
	void *rwatch, *wwatch;
};

struct resolver {
	struct rtrmod_ctx *ctx;
	ares_channel channel; /* NULL: no lookup under way */
	char *servers;        /* resolve_set_servers(); NULL: resolv.conf's */
	struct resolve_sock *socks;
	size_t nsocks, capsocks;
	void *timer; /* c-ares's next timeout */
	struct resolve_query *queries;
	size_t live;    /* queries whose owner still waits */
	unsigned depth; /* inside a c-ares call: the channel must stay */
	int failure;    /* the loop refused a watch or timer (0: never) */
	bool freeing;
};

/* One family's lookup of a query, with what it found. */
struct resolve_part {
	struct resolve_query *q;
	int family;   /* AF_INET or AF_INET6 */
	bool in_ares; /* c-ares still holds it */
	bool done;    /* status and addrs are final */
	int status;   /* ARES_* */
	size_t n;
	struct resolve_addr addrs[RESOLVE_ADDRS_MAX];
};

struct resolve_query {
	struct resolver *r;
	struct resolve_query *prev, *next;
	resolve_fn *cb; /* NULL: detached (cancelled, delivered) */
	void *arg;
	void *timer;     /* the deadline, or a zero delay to deliver */
	bool starting;   /* inside ares_getaddrinfo(): never deliver there */
	bool ready;      /* the result below is final */
	bool delivering; /* cb is running */
	int family;
	uint32_t timeout_ms;
	int rc;
	char error[RESOLVE_ERROR_LEN];
	struct resolve_addr *addrs;
	size_t naddrs;
	struct resolve_part parts[RESOLVE_PARTS];
	size_t nparts;
	char host[];
};

static void resolver_settle(struct resolver *r);

/* ---- c-ares results ------------------------------------------------------------ */

static bool
addr_seen(const struct resolve_addr *list, size_t n, const struct resolve_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].family == a->family && strcmp(list[i].text, a->text) == 0)
			return true;
	return false;
}

/* One address of `family` from its bytes into the part, unless already
 * there or the part is full. */
static void
part_add(struct resolve_part *p, int family, const void *bytes)
{
	struct resolve_addr a;

	memset(&a, 0, sizeof(a));
	a.family = family;
	if (family != p->family || p->n == RESOLVE_ADDRS_MAX ||
	    inet_ntop(family, bytes, a.text, sizeof(a.text)) == NULL ||
	    addr_seen(p->addrs, p->n, &a))
		return;
	p->addrs[p->n++] = a;
}

/* c-ares's answer into p (its order kept, duplicates dropped). */
static void
part_take(struct resolve_part *p, int status, const struct ares_addrinfo *ai)
{
	const struct ares_addrinfo_node *n;

	p->done = true;
	p->status = status;
	if (status != ARES_SUCCESS)
		return;
	for (n = ai != NULL ? ai->nodes : NULL; n != NULL; n = n->ai_next) {
		if (n->ai_family == AF_INET && n->ai_addrlen >= sizeof(struct sockaddr_in))
			part_add(p, AF_INET,
				 &((const struct sockaddr_in *)(const void *)n->ai_addr)->sin_addr);
		else if (n->ai_family == AF_INET6 && n->ai_addrlen >= sizeof(struct sockaddr_in6))
			part_add(
			    p, AF_INET6,
			    &((const struct sockaddr_in6 *)(const void *)n->ai_addr)->sin6_addr);
	}
	if (p->n == 0)
		p->status = ARES_ENODATA;
}

/* /etc/hosts for p's family: whether the name is there. */
static bool
part_from_hosts(struct resolver *r, struct resolve_part *p, const char *host)
{
	struct hostent *h = NULL;

	if (ares_gethostbyname_file(r->channel, host, p->family, &h) != ARES_SUCCESS || h == NULL)
		return false;
	for (char **a = h->h_addr_list; a != NULL && *a != NULL; a++)
		if (h->h_addrtype == p->family)
			part_add(p, p->family, *a);
	ares_free_hostent(h);
	return p->n > 0;
}

static bool
query_held(const struct resolve_query *q)
{
	for (size_t i = 0; i < q->nparts; i++)
		if (q->parts[i].in_ares)
			return true;
	return false;
}

/* The error of a query without addresses: NXDOMAIN if a family had it,
 * else a failure other than NODATA, else NODATA.  `*all` whether every
 * part ended. */
static int
query_status(const struct resolve_query *q, bool *all)
{
	int status = ARES_ENODATA;

	*all = true;
	for (size_t i = 0; i < q->nparts; i++) {
		const struct resolve_part *p = &q->parts[i];

		if (!p->done)
			*all = false;
		else if (p->status == ARES_ENOTFOUND)
			return ARES_ENOTFOUND;
		else if (p->status != ARES_SUCCESS && p->status != ARES_ENODATA &&
			 status == ARES_ENODATA)
			status = p->status;
	}
	return status;
}

/* The parts' addresses into q, in the order to try them: RFC 6724 §6 rule
 * 1 (reachable first), then rule 6 (default precedence: IPv6 before IPv4),
 * each family in the resolver's order (c-ares sorts one family's answer by
 * RFC 6724 already).  Or, without any address, q's error (a timeout when a
 * part has not ended: the deadline gave it up). */
static void
query_finish(struct resolve_query *q)
{
	bool usable[RESOLVE_PARTS][RESOLVE_ADDRS_MAX], all;
	size_t total = 0;
	int status;

	q->ready = true;
	for (size_t i = 0; i < q->nparts; i++)
		for (size_t j = 0; j < q->parts[i].n; j++) {
			usable[i][j] = q->nparts == 1 || resolve_addr_usable(&q->parts[i].addrs[j]);
			total++;
		}
	if (total > RESOLVE_ADDRS_MAX)
		total = RESOLVE_ADDRS_MAX;
	if (total == 0) {
		status = query_status(q, &all);
		if (!all && status != ARES_ENOTFOUND) {
			q->rc = RTRMOD_ETIMEDOUT;
			if (q->r->failure != 0)
				snprintf(q->error, sizeof(q->error),
					 "the event loop refused a watch or timer");
			else
				snprintf(q->error, sizeof(q->error), "no answer within %u ms",
					 (unsigned)q->timeout_ms);
			return;
		}
		q->rc = resolve_status_rc(status);
		resolve_status_text(status, q->family, q->error, sizeof(q->error));
		return;
	}
	if ((q->addrs = ctx_alloc(q->r->ctx, total * sizeof(*q->addrs))) == NULL) {
		q->rc = RTRMOD_ENOMEM;
		snprintf(q->error, sizeof(q->error), "out of memory");
		return;
	}
	/* parts[] is IPv6 before IPv4: reachable ones of each, then the rest */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < q->nparts; i++)
			for (size_t j = 0; j < q->parts[i].n && q->naddrs < total; j++)
				if (usable[i][j] == (pass == 0))
					q->addrs[q->naddrs++] = q->parts[i].addrs[j];
}

/* ---- queries ----------------------------------------------------------------- */

static void
query_free(struct resolve_query *q)
{
	struct resolver *r = q->r;

	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		r->queries = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	ctx_timer_cancel(r->ctx, &q->timer);
	ctx_free(r->ctx, q->addrs);
	ctx_free(r->ctx, q);
}

/* Stop waiting for q: no callback from now on. */
static void
query_detach(struct resolve_query *q)
{
	if (q->cb == NULL)
		return;
	q->cb = NULL;
	q->r->live--;
	ctx_timer_cancel(q->r->ctx, &q->timer);
}

/* Run q's callback, then free q unless c-ares still holds a part of it. */
static void
query_deliver(struct resolve_query *q)
{
	resolve_fn *cb = q->cb;

	query_detach(q);
	q->delivering = true;
	cb(q->arg, q->rc, q->rc == 0 ? q->addrs : NULL, q->rc == 0 ? q->naddrs : 0,
	   q->rc == 0 ? "" : q->error);
	q->delivering = false;
	if (!query_held(q))
		query_free(q);
}

/* The deadline passed: what has arrived goes (a family that answered is
 * not lost with one that stays silent); or (ready) the zero-delay delivery
 * is due. */
static void
query_timer_cb(void *arg)
{
	struct resolve_query *q = arg;
	struct resolver *r = q->r;

	q->timer = NULL;
	if (!q->ready)
		query_finish(q);
	query_deliver(q);
	resolver_settle(r);
}

/* c-ares is done with one part: from ares_process_fd(), from inside
 * ares_getaddrinfo(), or from ares_destroy(). */
static void
query_ares_cb(void *arg, int status, int timeouts, struct ares_addrinfo *ai)
{
	struct resolve_part *p = arg;
	struct resolve_query *q = p->q;
	bool all;

	(void)timeouts;
	p->in_ares = false;
	if (q->cb == NULL || q->r->freeing) {
		ares_freeaddrinfo(ai);
		if (!q->delivering && !query_held(q))
			query_free(q);
		return;
	}
	part_take(p, status, ai);
	ares_freeaddrinfo(ai);
	(void)query_status(q, &all);
	if (!all)
		return;
	query_finish(q);
	if (!q->starting)
		query_deliver(q);
}

/* ---- the channel and its sockets ----------------------------------------------- */

static struct resolve_sock *
sock_find(struct resolver *r, int fd)
{
	for (size_t i = 0; i < r->nsocks; i++)
		if (r->socks[i].fd == fd)
			return &r->socks[i];
	return NULL;
}

static void
resolver_fail(struct resolver *r, int rc, const char *what)
{
	if (r->failure == 0)
		log_err(r->ctx, "resolver: %s: %s; lookups will time out", what,
			rtrmod_strerror(rc));
	r->failure = rc;
}

static void
resolver_process(struct resolver *r, int rfd, int wfd)
{
	if (r->channel == NULL)
		return;
	r->depth++;
	ares_process_fd(r->channel, rfd, wfd);
	r->depth--;
	resolver_settle(r);
}

static void
resolver_io_cb(void *arg, int fd, enum rtrmod_io_event event)
{
	resolver_process(arg, event == RTRMOD_IO_READ ? fd : ARES_SOCKET_BAD,
			 event == RTRMOD_IO_WRITE ? fd : ARES_SOCKET_BAD);
}

static void
resolver_timer_cb(void *arg)
{
	struct resolver *r = arg;

	r->timer = NULL;
	resolver_process(r, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

static void
sock_watch(struct resolver *r, struct resolve_sock *s, void **handle, enum rtrmod_io_event ev,
	   bool on)
{
	int rc;

	if (!on) {
		ctx_unwatch(r->ctx, handle);
	} else if (*handle == NULL &&
		   (rc = ctx_watch(r->ctx, s->fd, ev, resolver_io_cb, r, handle)) != 0) {
		*handle = NULL;
		resolver_fail(r, rc, "the event loop refused a watch");
	}
}

/* ARES_OPT_SOCK_STATE_CB: what c-ares wants to hear about a socket. */
static void
sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
	struct resolver *r = data;
	struct resolve_sock *s = sock_find(r, fd), *grown;

	if (s == NULL && !readable && !writable)
		return;
	if (s == NULL) {
		if (r->nsocks == r->capsocks) {
			size_t cap = r->capsocks != 0 ? r->capsocks * 2 : 4;

			grown = ctx_realloc(r->ctx, r->socks, cap * sizeof(*grown));
			if (grown == NULL) {
				resolver_fail(r, RTRMOD_ENOMEM, "no memory to watch a socket");
				return;
			}
			r->socks = grown;
			r->capsocks = cap;
		}
		s = &r->socks[r->nsocks++];
		memset(s, 0, sizeof(*s));
		s->fd = fd;
	}
	sock_watch(r, s, &s->rwatch, RTRMOD_IO_READ, readable != 0);
	sock_watch(r, s, &s->wwatch, RTRMOD_IO_WRITE, writable != 0);
	if (!readable && !writable)
		*s = r->socks[--r->nsocks];
}

/* Descriptors of the core are close-on-exec (c-ares 1.18 does not set it). */
static int
sock_config_cb(ares_socket_t fd, int type, void *data)
{
	int flags = fcntl(fd, F_GETFD);

	(void)type;
	(void)data;
	return flags >= 0 && fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == 0 ? 0 : -1;
}

/* The schedule of the header's comment for `nservers` and `timeout_ms`. */
static void
channel_schedule(uint32_t timeout_ms, unsigned nservers, int *tries, uint32_t *try_ms)
{
	uint32_t budget = timeout_ms - timeout_ms / 8, ms;

	if (nservers == 0)
		nservers = 1;
	for (int t = RESOLVE_TRIES; t >= 1; t--) {
		ms = budget / (((1u << t) - 1u) * nservers);
		if (ms >= RESOLVE_TRY_MIN_MS) {
			*tries = t;
			*try_ms = ms < RESOLVE_TRY_MAX_MS ? ms : RESOLVE_TRY_MAX_MS;
			return;
		}
	}
	/* Not every server can have its try: the deadline ends the query. */
	*tries = 1;
	ms = budget / nservers;
	*try_ms = ms > RESOLVE_TRY_LAST_MS ? ms : RESOLVE_TRY_LAST_MS;
}

static int
channel_init(struct resolver *r, int tries, uint32_t try_ms)
{
	struct ares_options o;
	char lookups[] = "b"; /* DNS; /etc/hosts is read before (c-ares copies it) */
	int status;

	memset(&o, 0, sizeof(o));
	o.timeout = (int)try_ms;
	o.tries = tries;
	o.lookups = lookups;
	o.sock_state_cb = sock_state_cb;
	o.sock_state_cb_data = r;
	status = ares_init_options(&r->channel, &o,
				   ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS |
				       ARES_OPT_SOCK_STATE_CB);
	if (status != ARES_SUCCESS) {
		r->channel = NULL;
		log_err(r->ctx, "resolver: cannot start c-ares: %s", ares_strerror(status));
		return status == ARES_ENOMEM ? RTRMOD_ENOMEM : RTRMOD_EIO;
	}
	ares_set_socket_configure_callback(r->channel, sock_config_cb, NULL);
	if (r->servers != NULL &&
	    (status = ares_set_servers_ports_csv(r->channel, r->servers)) != ARES_SUCCESS) {
		log_err(r->ctx, "resolver: name servers \"%s\": %s", r->servers,
			ares_strerror(status));
		ares_destroy(r->channel);
		r->channel = NULL;
		return status == ARES_ENOMEM ? RTRMOD_ENOMEM : RTRMOD_EINVAL;
	}
	return 0;
}

/* Name servers of the open channel (0 if c-ares cannot say). */
static unsigned
channel_servers(struct resolver *r)
{
	struct ares_addr_port_node *list = NULL;
	unsigned n = 0;

	if (ares_get_servers_ports(r->channel, &list) != ARES_SUCCESS)
		return 0;
	for (const struct ares_addr_port_node *s = list; s != NULL; s = s->next)
		n++;
	ares_free_data(list);
	return n;
}

/* Open the channel with a schedule that fits `timeout_ms` for its name
 * servers, known only once c-ares has read resolv.conf: sized for one
 * first, opened again if there are more.  No socket is open yet then. */
static int
channel_open(struct resolver *r, uint32_t timeout_ms)
{
	int tries, again_tries, rc;
	uint32_t try_ms, again_ms;
	unsigned n;

	r->failure = 0;
	channel_schedule(timeout_ms, 1, &tries, &try_ms);
	if ((rc = channel_init(r, tries, try_ms)) != 0)
		return rc;
	n = channel_servers(r);
	channel_schedule(timeout_ms, n, &again_tries, &again_ms);
	if (again_tries == tries && again_ms == try_ms)
		return 0;
	ares_destroy(r->channel);
	r->channel = NULL;
	return channel_init(r, again_tries, again_ms);
}

/* Detached queries c-ares still holds end here (ARES_EDESTRUCTION). */
static void
channel_close(struct resolver *r)
{
	if (r->channel == NULL)
		return;
	r->depth++;
	ares_destroy(r->channel);
	r->depth--;
	r->channel = NULL;
	ctx_timer_cancel(r->ctx, &r->timer);
	/* c-ares reported every socket closed; drop what a failure left */
	for (size_t i = 0; i < r->nsocks; i++) {
		ctx_unwatch(r->ctx, &r->socks[i].rwatch);
		ctx_unwatch(r->ctx, &r->socks[i].wwatch);
	}
	r->nsocks = 0;
}

/* After every c-ares call: close an idle channel, else arm its timeout. */
static void
resolver_settle(struct resolver *r)
{
	struct timeval tv, *next;
	uint64_t ms;
	int rc;

	if (r->depth > 0 || r->freeing || r->channel == NULL)
		return;
	if (r->live == 0) {
		channel_close(r);
		return;
	}
	ctx_timer_cancel(r->ctx, &r->timer);
	next = ares_timeout(r->channel, NULL, &tv);
	if (next == NULL)
		return;
	ms = (uint64_t)next->tv_sec * 1000u + ((uint64_t)next->tv_usec + 999u) / 1000u;
	if ((rc = ctx_timer_arm(r->ctx, ms, resolver_timer_cb, r, &r->timer)) != 0) {
		r->timer = NULL;
		resolver_fail(r, rc, "the event loop refused a timer");
	}
}

static int
resolver_get(struct rtrmod_ctx *ctx, struct resolver **out)
{
	struct resolver **slot = ctx_resolver(ctx);

	if (*slot == NULL) {
		if ((*slot = ctx_zalloc(ctx, sizeof(**slot))) == NULL)
			return RTRMOD_ENOMEM;
		(*slot)->ctx = ctx;
	}
	*out = *slot;
	return 0;
}

/* ---- the interface ------------------------------------------------------------- */

/* Look q up: /etc/hosts, else DNS, one part per family.  Fails when the
 * channel cannot open or the loop refused q's timer. */
static int
query_send(struct resolver *r, struct resolve_query *q)
{
	struct ares_addrinfo_hints hints;
	bool hosts = false;
	int rc;

	if (r->channel == NULL && (rc = channel_open(r, q->timeout_ms)) != 0)
		return rc;
	if ((rc = ctx_timer_arm(r->ctx, q->timeout_ms, query_timer_cb, q, &q->timer)) != 0)
		return rc;
	for (size_t i = 0; i < q->nparts; i++)
		hosts = part_from_hosts(r, &q->parts[i], q->host) || hosts;
	if (hosts) {
		/* There, with all its families as the file has them. */
		for (size_t i = 0; i < q->nparts; i++) {
			q->parts[i].done = true;
			q->parts[i].status = q->parts[i].n > 0 ? ARES_SUCCESS : ARES_ENODATA;
		}
		query_finish(q);
	} else {
		q->starting = true;
		r->depth++;
		for (size_t i = 0; i < q->nparts; i++) {
			memset(&hints, 0, sizeof(hints));
			hints.ai_family = q->parts[i].family;
			hints.ai_socktype = SOCK_STREAM;
			q->parts[i].in_ares = true;
			ares_getaddrinfo(r->channel, q->host, NULL, &hints, query_ares_cb,
					 &q->parts[i]);
		}
		r->depth--;
		q->starting = false;
	}
	if (!q->ready)
		return 0;
	/* Answered at once (/etc/hosts, a failure): deliver from the loop. */
	ctx_timer_cancel(r->ctx, &q->timer);
	return ctx_timer_arm(r->ctx, 0, query_timer_cb, q, &q->timer);
}

int
resolve_start(struct rtrmod_ctx *ctx, const char *host, int family, uint32_t timeout_ms,
	      resolve_fn *cb, void *arg, struct resolve_query **out)
{
	struct resolver *r;
	struct resolve_query *q;
	struct resolve_addr a;
	bool numeric;
	size_t len;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || host == NULL || cb == NULL || out == NULL || timeout_ms == 0 ||
	    (family != AF_UNSPEC && family != AF_INET && family != AF_INET6))
		return RTRMOD_EINVAL;
	numeric = resolve_numeric(host, &a);
	if (!numeric && !resolve_host_valid(host))
		return RTRMOD_EINVAL;
	if ((rc = resolver_get(ctx, &r)) != 0)
		return rc;
	len = strlen(host);
	if ((q = ctx_zalloc(ctx, sizeof(*q) + len + 1)) == NULL)
		return RTRMOD_ENOMEM;
	q->r = r;
	q->cb = cb;
	q->arg = arg;
	q->family = family;
	q->timeout_ms = timeout_ms;
	/* IPv6 first: query_finish()'s order counts on it */
	if (family != AF_INET)
		q->parts[q->nparts++].family = AF_INET6;
	if (family != AF_INET6)
		q->parts[q->nparts++].family = AF_INET;
	for (size_t i = 0; i < q->nparts; i++)
		q->parts[i].q = q;
	memcpy(q->host, host, len + 1);
	q->next = r->queries;
	if (r->queries != NULL)
		r->queries->prev = q;
	r->queries = q;
	r->live++;
	if (!numeric) {
		rc = query_send(r, q);
	} else {
		/* A numeric address needs no lookup; it is still delivered
		 * from the loop, like every answer. */
		q->ready = true;
		if (family != AF_UNSPEC && a.family != family) {
			q->rc = RTRMOD_ENOENT;
			snprintf(q->error, sizeof(q->error), "not an %s address",
				 family == AF_INET ? "IPv4" : "IPv6");
		} else if ((q->addrs = ctx_alloc(ctx, sizeof(*q->addrs))) != NULL) {
			q->addrs[0] = a;
			q->naddrs = 1;
		} else {
			q->rc = RTRMOD_ENOMEM;
			snprintf(q->error, sizeof(q->error), "out of memory");
		}
		rc = ctx_timer_arm(ctx, 0, query_timer_cb, q, &q->timer);
	}
	if (rc != 0) {
		q->timer = NULL;
		query_detach(q);
		if (!query_held(q))
			query_free(q);
		resolver_settle(r);
		return rc;
	}
	*out = q;
	resolver_settle(r);
	return 0;
}

void
resolve_cancel(struct resolve_query *q)
{
	struct resolver *r;

	if (q == NULL || q->delivering)
		return;
	r = q->r;
	query_detach(q);
	if (!query_held(q))
		query_free(q);
	resolver_settle(r);
}

int
resolve_set_servers(struct rtrmod_ctx *ctx, const char *csv)
{
	struct resolver *r;
	char *copy = NULL;
	size_t len;
	int rc;

	if (ctx == NULL)
		return RTRMOD_EINVAL;
	if ((rc = resolver_get(ctx, &r)) != 0)
		return rc;
	if (csv != NULL) {
		len = strlen(csv);
		if ((copy = ctx_alloc(ctx, len + 1)) == NULL)
			return RTRMOD_ENOMEM;
		memcpy(copy, csv, len + 1);
	}
	ctx_free(ctx, r->servers);
	r->servers = copy;
	return 0;
}

void
resolve_ctx_fini(struct rtrmod_ctx *ctx)
{
	struct resolver **slot = ctx_resolver(ctx), *r = *slot;

	if (r == NULL)
		return;
	r->freeing = true;
	for (struct resolve_query *q = r->queries; q != NULL; q = q->next)
		query_detach(q);
	channel_close(r); /* frees what c-ares held */
	while (r->queries != NULL)
		query_free(r->queries);
	ctx_free(ctx, r->socks);
	ctx_free(ctx, r->servers);
	ctx_free(ctx, r);
	*slot = NULL;
}
