/*
 * control.c: the control socket (protocol in control.h), both sides.  The
 * server side lives on the program's loop: the listener and every
 * connection are non-blocking, each connection is one request line in, one
 * answer out, closed at the latest CONTROL_TIMEOUT_MS after it was taken.
 *
 * Invariants: a connection is in the control's list from accept to close,
 * with at most one of its read and write watches set and its deadline
 * timer armed; the socket file is removed only while it is still the one
 * this process bound (same device and inode), never another's.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control.h"

#define CONTROL_BACKLOG      16
#define CONTROL_ACCEPT_BATCH 16 /* connections taken per wakeup */

struct control_listener {
	struct control *c;
	int fd;
	void *watch;
	dev_t dev;
	ino_t ino;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

struct control_conn {
	struct control *c;
	struct control_conn *prev, *next;
	int fd;
	void *rwatch, *wwatch, *timer;
	char req[CONTROL_REQUEST_MAX + 1];
	size_t reqlen;
	char *answer;
	size_t alen, aoff;
};

struct control {
	struct rtrmod_ctx *ctx;
	struct rtrmod_loop *loop;
	control_handler *fn;
	void *arg;
	struct control_listener *listener;
	struct control_conn *conns;
	size_t nconns;
};

/* ---- connections ------------------------------------------------------------------- */

static void
conn_close(struct control_conn *k)
{
	struct control *c = k->c;
	char drain[256];

	if (k->rwatch != NULL)
		rtrmod_loop_unwatch(c->loop, k->rwatch);
	if (k->wwatch != NULL)
		rtrmod_loop_unwatch(c->loop, k->wwatch);
	if (k->timer != NULL)
		rtrmod_loop_timer_cancel(c->loop, k->timer);
	/* Unread bytes at close would reset the peer before it reads the
	 * answer (Linux unix sockets); take what is there, without waiting,
	 * and at most CONTROL_DRAIN_MAX bytes, so a peer that keeps writing
	 * cannot hold the loop. */
	for (size_t drained = 0; drained < CONTROL_DRAIN_MAX;) {
		ssize_t n = recv(k->fd, drain, sizeof(drain), MSG_DONTWAIT);

		if (n <= 0)
			break;
		drained += (size_t)n;
	}
	close(k->fd);
	if (k->prev != NULL)
		k->prev->next = k->next;
	else
		c->conns = k->next;
	if (k->next != NULL)
		k->next->prev = k->prev;
	c->nconns--;
	free(k->answer);
	free(k);
}

static void
conn_timeout(void *arg)
{
	struct control_conn *k = arg;

	k->timer = NULL; /* fired: its handle is dead */
	rtrmod_ctx_log(k->c->ctx, RTRMOD_LOG_DEBUG, "control: a connection timed out after %u ms",
		       (unsigned)CONTROL_TIMEOUT_MS);
	conn_close(k);
}

/* Write what is left of the answer; close when all of it went. */
static void
conn_write_cb(void *arg, int fd, enum rtrmod_io_event event)
{
	struct control_conn *k = arg;

	(void)event;
	while (k->aoff < k->alen) {
		ssize_t n =
		    send(fd, k->answer + k->aoff, k->alen - k->aoff, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (k->wwatch == NULL &&
			    rtrmod_loop_watch(k->c->loop, fd, RTRMOD_IO_WRITE, conn_write_cb, k,
					      &k->wwatch) != 0)
				break;
			return;
		}
		if (n <= 0)
			break; /* the peer went away: nobody to tell */
		k->aoff += (size_t)n;
	}
	conn_close(k);
}

/* The answer: a status line, then the body of an "ok". */
static int
conn_answer(struct control_conn *k, bool ok, const char *body)
{
	size_t blen = body != NULL ? strlen(body) : 0;
	const char *status = ok ? "ok\n" : "error: ";

	k->answer = malloc(strlen(status) + blen + 2);
	if (k->answer == NULL)
		return -1;
	strcpy(k->answer, status);
	k->alen = strlen(status);
	if (blen > 0)
		memcpy(k->answer + k->alen, body, blen);
	if (!ok) {
		/* the error text is one line */
		for (size_t i = 0; i < blen; i++)
			if (k->answer[k->alen + i] == '\n' || k->answer[k->alen + i] == '\r')
				k->answer[k->alen + i] = ' ';
		k->answer[k->alen + blen++] = '\n';
	}
	k->alen += blen;
	k->answer[k->alen] = '\0';
	return 0;
}

static void
conn_serve(struct control_conn *k)
{
	char *body = NULL, msg[96];
	bool ok;

	rtrmod_loop_unwatch(k->c->loop, k->rwatch);
	k->rwatch = NULL;
	if (k->reqlen > 0 && k->req[k->reqlen - 1] == '\r')
		k->req[--k->reqlen] = '\0';
	rtrmod_ctx_log(k->c->ctx, RTRMOD_LOG_DEBUG, "control: request '%s'", k->req);
	ok = k->c->fn(k->c->arg, k->req, &body);
	if (!ok && body == NULL) {
		snprintf(msg, sizeof(msg), "request '%s' failed", k->req);
		body = strdup(msg);
	}
	if (conn_answer(k, ok, body) != 0) {
		free(body);
		rtrmod_ctx_log(k->c->ctx, RTRMOD_LOG_ERR, "control: out of memory");
		conn_close(k);
		return;
	}
	free(body);
	conn_write_cb(k, k->fd, RTRMOD_IO_WRITE);
}

static void
conn_refuse(struct control_conn *k, const char *why)
{
	rtrmod_loop_unwatch(k->c->loop, k->rwatch);
	k->rwatch = NULL;
	if (conn_answer(k, false, why) != 0) {
		conn_close(k);
		return;
	}
	conn_write_cb(k, k->fd, RTRMOD_IO_WRITE);
}

/* Read until the request line is whole (or the peer stopped sending). */
static void
conn_read_cb(void *arg, int fd, enum rtrmod_io_event event)
{
	struct control_conn *k = arg;
	char *nl;
	ssize_t n;

	(void)event;
	n = recv(fd, k->req + k->reqlen, CONTROL_REQUEST_MAX - k->reqlen, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0 || (n == 0 && k->reqlen == 0)) {
		conn_close(k);
		return;
	}
	k->reqlen += (size_t)n;
	k->req[k->reqlen] = '\0';
	if (memchr(k->req, '\0', k->reqlen) != NULL) {
		conn_refuse(k, "a request is text");
		return;
	}
	nl = strchr(k->req, '\n');
	if (nl != NULL) {
		*nl = '\0';
		k->reqlen = (size_t)(nl - k->req);
		conn_serve(k);
	} else if (n == 0) {
		conn_serve(k); /* the last line lacks its newline: take it */
	} else if (k->reqlen == CONTROL_REQUEST_MAX) {
		conn_refuse(k, "request line too long");
	}
}

/* ---- the listener -------------------------------------------------------------------- */

static void
listener_cb(void *arg, int fd, enum rtrmod_io_event event)
{
	struct control_listener *l = arg;
	struct control *c = l->c;
	struct control_conn *k;

	(void)event;
	for (int i = 0; i < CONTROL_ACCEPT_BATCH; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				rtrmod_ctx_log(c->ctx, RTRMOD_LOG_WARN, "control: accept: %s",
					       strerror(errno));
			return;
		}
		if (c->nconns >= CONTROL_CONNS_MAX) {
			rtrmod_ctx_log(c->ctx, RTRMOD_LOG_WARN,
				       "control: %u connections already; closing a new one",
				       (unsigned)CONTROL_CONNS_MAX);
			close(cfd);
			continue;
		}
		k = calloc(1, sizeof(*k));
		if (k == NULL) {
			close(cfd);
			continue;
		}
		k->c = c;
		k->fd = cfd;
		k->next = c->conns;
		if (c->conns != NULL)
			c->conns->prev = k;
		c->conns = k;
		c->nconns++;
		if (rtrmod_loop_watch(c->loop, cfd, RTRMOD_IO_READ, conn_read_cb, k, &k->rwatch) !=
			0 ||
		    rtrmod_loop_timer_arm(c->loop, CONTROL_TIMEOUT_MS, conn_timeout, k,
					  &k->timer) != 0) {
			rtrmod_ctx_log(c->ctx, RTRMOD_LOG_ERR,
				       "control: cannot watch a connection");
			conn_close(k);
		}
	}
}

/* Remove the socket file if it is still ours. */
static void
listener_close(struct control *c, struct control_listener *l)
{
	struct stat st;

	if (l == NULL)
		return;
	if (l->watch != NULL)
		rtrmod_loop_unwatch(c->loop, l->watch);
	if (l->fd >= 0) {
		if (lstat(l->path, &st) == 0 && st.st_dev == l->dev && st.st_ino == l->ino)
			unlink(l->path);
		close(l->fd);
	}
	free(l);
}

/* A socket file at `path` left by a process that is gone may be removed;
 * one that answers, or anything that is not a socket, may not. */
static int
listener_clear(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, rc, e;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket; not removing it", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	e = errno;
	close(fd);
	if (rc == 0 || e == EAGAIN) {
		snprintf(err, errlen, "%s: another process listens on it", path);
		return -1;
	}
	if (e != ECONNREFUSED) {
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "%s: cannot remove the stale socket: %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int
control_listen_prepare(struct control *c, const char *path, struct control_listener **out,
		       char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct control_listener *l = NULL;
	struct stat st;
	mode_t mask;
	int rc;

	*out = NULL;
	if (path == NULL)
		return 0;
	if (path[0] == '\0' || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control socket path '%s': empty or longer than %zu bytes",
			 path, sizeof(sa.sun_path) - 1);
		return -1;
	}
	if (listener_clear(path, err, errlen) != 0)
		return -1;
	l = calloc(1, sizeof(*l));
	if (l == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	l->c = c;
	memcpy(l->path, path, strlen(path) + 1);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		goto fail;
	}
	/* Owner and group only, from the start: the mode comes from the umask
	 * at bind. */
	mask = umask(0117);
	rc = bind(l->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(mask);
	if (rc != 0) {
		snprintf(err, errlen, "%s: bind: %s", path, strerror(errno));
		close(l->fd);
		l->fd = -1;
		goto fail;
	}
	if (lstat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(l->fd);
		l->fd = -1;
		goto fail;
	}
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	if (listen(l->fd, CONTROL_BACKLOG) != 0) {
		snprintf(err, errlen, "%s: listen: %s", path, strerror(errno));
		goto fail;
	}
	if (rtrmod_loop_watch(c->loop, l->fd, RTRMOD_IO_READ, listener_cb, l, &l->watch) != 0) {
		snprintf(err, errlen, "%s: cannot watch the socket", path);
		goto fail;
	}
	*out = l;
	return 0;
fail:
	listener_close(c, l);
	return -1;
}

int
control_listen_commit(struct control *c, struct control_listener *l)
{
	struct control_listener *old = c->listener;

	c->listener = l;
	if (old != NULL)
		rtrmod_ctx_log(c->ctx, RTRMOD_LOG_INFO, "control: closed %s", old->path);
	listener_close(c, old);
	if (l != NULL)
		rtrmod_ctx_log(c->ctx, RTRMOD_LOG_INFO, "control: listening on %s", l->path);
	return 0;
}

void
control_listen_abort(struct control_listener *l)
{
	if (l != NULL)
		listener_close(l->c, l);
}

const char *
control_path(const struct control *c)
{
	return c != NULL && c->listener != NULL ? c->listener->path : NULL;
}

int
control_new(struct rtrmod_ctx *ctx, struct rtrmod_loop *loop, control_handler *fn, void *arg,
	    struct control **out)
{
	struct control *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (c == NULL)
		return -1;
	c->ctx = ctx;
	c->loop = loop;
	c->fn = fn;
	c->arg = arg;
	*out = c;
	return 0;
}

void
control_free(struct control *c)
{
	if (c == NULL)
		return;
	while (c->conns != NULL)
		conn_close(c->conns);
	listener_close(c, c->listener);
	free(c);
}

/* ---- the client ---------------------------------------------------------------------- */

/* Milliseconds left until `deadline` (CLOCK_MONOTONIC ms); 0 when past. */
static int
client_left(uint64_t deadline)
{
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	return now >= deadline ? 0 : (int)(deadline - now);
}

/* Read until EOF into a growing buffer, within the deadline. */
static int
client_read(int fd, uint64_t deadline, char **out, size_t *len, char *err, size_t errlen)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap), *bigger;

	if (buf == NULL)
		goto oom;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int left = client_left(deadline), rc;
		ssize_t r;

		if (left == 0 || (rc = poll(&p, 1, left)) == 0) {
			snprintf(err, errlen, "no whole answer in time");
			goto fail;
		}
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			goto fail;
		}
		if (cap - n < 2) {
			if (cap >= CONTROL_ANSWER_MAX) {
				snprintf(err, errlen, "answer longer than %u bytes",
					 CONTROL_ANSWER_MAX);
				goto fail;
			}
			bigger = realloc(buf, cap * 2);
			if (bigger == NULL)
				goto oom;
			buf = bigger;
			cap *= 2;
		}
		r = recv(fd, buf + n, cap - n - 1, MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r < 0) {
			snprintf(err, errlen, "read: %s", strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	free(buf);
	return -1;
}

/* Split the status line off: "ok\n" BODY, or "error: TEXT\n". */
static int
client_parse(char *buf, size_t len, bool *ok, char **out, char *err, size_t errlen)
{
	char *nl = memchr(buf, '\n', len), *text;

	if (nl != NULL && nl - buf == 2 && memcmp(buf, "ok", 2) == 0) {
		*ok = true;
		text = nl + 1;
	} else if (nl != NULL && strncmp(buf, "error: ", 7) == 0) {
		*ok = false;
		*nl = '\0';
		text = buf + 7;
	} else {
		snprintf(err, errlen, "not a control socket answer (no status line)");
		return -1;
	}
	*out = strdup(text);
	if (*out == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int
control_request(const char *path, const char *request, unsigned timeout_ms, bool *ok, char **out,
		char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timespec ts;
	struct timeval tv;
	uint64_t deadline;
	char line[CONTROL_REQUEST_MAX + 1], *buf = NULL;
	size_t len;
	int fd, rc = -1;

	*out = NULL;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: path too long for a unix socket", path);
		return -1;
	}
	if ((size_t)snprintf(line, sizeof(line), "%s\n", request) >= sizeof(line)) {
		snprintf(err, errlen, "request too long");
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	deadline = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 + timeout_ms;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* A unix-socket connect waits while the server's backlog is full, for
	 * at most the socket's send timeout (Linux): bound it by ours. */
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			snprintf(err, errlen,
				 "nothing listens on %s (is `rtrmod serve` running with this "
				 "control socket?)",
				 path);
		else if (errno == EAGAIN || errno == EINPROGRESS)
			snprintf(err, errlen, "%s: no room to connect within %u ms (server busy)",
				 path, timeout_ms);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* A request line fits in any socket buffer: this send does not wait. */
	if (send(fd, line, strlen(line), MSG_NOSIGNAL) != (ssize_t)strlen(line)) {
		snprintf(err, errlen, "%s: send: %s", path, strerror(errno));
		goto out;
	}
	(void)shutdown(fd, SHUT_WR);
	if (client_read(fd, deadline, &buf, &len, err, errlen) != 0 ||
	    client_parse(buf, len, ok, out, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}
