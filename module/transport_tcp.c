/*
 * transport_tcp.c: RTR over plain TCP (RFC 8210 §9; 8210bis §9): listening
 * sockets, accept, outgoing connect, and the stream ops over a socket.
 *
 * Invariants: every descriptor made here is non-blocking and close-on-exec
 * from its first moment (SOCK_NONBLOCK | SOCK_CLOEXEC, accept4); writes use
 * sendmsg(MSG_NOSIGNAL) so a vanished peer is an error value, never SIGPIPE;
 * addresses are numeric only, since name resolution would block.  EINTR is
 * retried; EAGAIN becomes RTRMOD_EAGAIN with the readiness to wait for.
 * An outgoing connection may be bound to a local address first.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rtrmod/transport.h>

#include "rtrmod_internal.h"
#include "transport_internal.h"

struct tcp_stream {
	struct rtrmod_ctx *ctx;
	int fd;
	bool connecting; /* a non-blocking connect() not yet known to be done */
	bool has_target;
	struct sockaddr_storage target; /* where an outgoing stream connects */
};

/* The RTRMOD_E* for a failed socket call's errno. */
static int
tcp_errno(int err)
{
	switch (err) {
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
		return RTRMOD_EAGAIN;
	case ECONNRESET:
	case EPIPE:
	case ENOTCONN:
		return RTRMOD_ECLOSED;
	case ETIMEDOUT:
		return RTRMOD_ETIMEDOUT;
	case ENOMEM:
	case ENOBUFS:
		return RTRMOD_ENOMEM;
	}
	return RTRMOD_EIO;
}

/* ---- stream ops --------------------------------------------------------- */

/* A non-blocking connect() has finished when the socket is writable; its
 * result is SO_ERROR. */
static int
tcp_handshake(void *impl, enum rtrmod_io_event *want)
{
	struct tcp_stream *t = impl;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(int);
	int err = 0;

	*want = RTRMOD_IO_WRITE;
	if (!t->connecting)
		return 0;
	if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return RTRMOD_EIO;
	if (err == EINPROGRESS || err == EALREADY)
		return RTRMOD_EAGAIN;
	if (err != 0)
		return err == ECONNREFUSED ? RTRMOD_ECLOSED : tcp_errno(err);
	/* SO_ERROR is 0 both when connected and while still connecting; a
	 * connected socket has a peer. */
	len = sizeof(ss);
	if (getpeername(t->fd, (struct sockaddr *)&ss, &len) != 0)
		return errno == ENOTCONN ? RTRMOD_EAGAIN : RTRMOD_EIO;
	t->connecting = false;
	return 0;
}

static int
tcp_read(void *impl, void *buf, size_t len, size_t *got, enum rtrmod_io_event *want)
{
	struct tcp_stream *t = impl;
	ssize_t n;

	*want = RTRMOD_IO_READ;
	do
		n = recv(t->fd, buf, len, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return tcp_errno(errno);
	if (n == 0)
		return RTRMOD_ECLOSED;
	*got = (size_t)n;
	return 0;
}

static int
tcp_writev(void *impl, const struct iovec *iov, int iovcnt, size_t *sent,
	   enum rtrmod_io_event *want)
{
	struct tcp_stream *t = impl;
	struct msghdr msg;
	ssize_t n;

	*want = RTRMOD_IO_WRITE;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = (struct iovec *)(uintptr_t)iov;
	msg.msg_iovlen = (size_t)iovcnt;
	do
		n = sendmsg(t->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return tcp_errno(errno);
	if (n == 0)
		return RTRMOD_EAGAIN;
	*sent = (size_t)n;
	return 0;
}

/* A FIN after the data already queued: the peer reads everything we sent,
 * then end of stream. */
static int
tcp_shutdown(void *impl, enum rtrmod_io_event *want)
{
	struct tcp_stream *t = impl;

	*want = RTRMOD_IO_WRITE;
	if (shutdown(t->fd, SHUT_WR) != 0 && errno != ENOTCONN)
		return tcp_errno(errno);
	return 0;
}

static int
tcp_fd(void *impl)
{
	return ((struct tcp_stream *)impl)->fd;
}

static int
tcp_peer(void *impl, struct rtrmod_prefix *addr, uint16_t *port)
{
	struct tcp_stream *t = impl;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	if (getpeername(t->fd, (struct sockaddr *)&ss, &len) == 0)
		return sockaddr_to_prefix(&ss, addr, port);
	/* still connecting: the peer is where we are going */
	return t->has_target ? sockaddr_to_prefix(&t->target, addr, port) : RTRMOD_ENOENT;
}

static void
tcp_close(void *impl)
{
	struct tcp_stream *t = impl;

	if (t->fd >= 0)
		close(t->fd);
	ctx_free(t->ctx, t);
}

static const struct rtrmod_stream_ops tcp_ops = {
    .name = "tcp",
    .handshake = tcp_handshake,
    .read = tcp_read,
    .writev = tcp_writev,
    .shutdown = tcp_shutdown,
    .fd = tcp_fd,
    .peer = tcp_peer,
    .close = tcp_close,
};

/* Wrap fd; the stream (or, on failure, this function) closes it.  An
 * outgoing stream (target set) finishes its connect in the handshake. */
static int
tcp_wrap(struct rtrmod_ctx *ctx, int fd, const struct sockaddr_storage *target,
	 struct rtrmod_stream **out)
{
	struct tcp_stream *t;
	int rc;

	t = ctx_zalloc(ctx, sizeof(*t));
	if (t == NULL) {
		close(fd);
		return RTRMOD_ENOMEM;
	}
	t->ctx = ctx;
	t->fd = fd;
	if (target != NULL) {
		t->connecting = true;
		t->has_target = true;
		t->target = *target;
	}
	rc = rtrmod_stream_new(ctx, &tcp_ops, t, out);
	if (rc != 0)
		tcp_close(t);
	return rc;
}

/* ---- sockets -------------------------------------------------------------- */

int
rtrmod_tcp_listen(struct rtrmod_ctx *ctx, const char *addr, uint16_t port, int backlog, int *fd)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int s, one = 1, err;

	if (fd == NULL)
		return RTRMOD_EINVAL;
	*fd = -1;
	if (ctx == NULL || sockaddr_parse(addr, port, &ss, &len) != 0)
		return RTRMOD_EINVAL;
	s = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0) {
		log_err(ctx, "tcp: socket for %s: %s", addr, strerror(errno));
		return RTRMOD_EIO;
	}
	/* "::" must not also take IPv4 (a second listener on 0.0.0.0 would
	 * then fail, and peers would be logged as ::ffff:a.b.c.d). */
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (ss.ss_family == AF_INET6 &&
	     setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) ||
	    bind(s, (struct sockaddr *)&ss, len) != 0 ||
	    listen(s, backlog > 0 ? backlog : 128) != 0) {
		err = errno;
		close(s);
		log_err(ctx, "tcp: listen on %s port %u: %s", addr, (unsigned)port, strerror(err));
		return err == EADDRINUSE ? RTRMOD_EEXIST : RTRMOD_EIO;
	}
	*fd = s;
	return 0;
}

int
rtrmod_tcp_local_port(int fd, uint16_t *port)
{
	struct sockaddr_storage ss;
	struct rtrmod_prefix addr;
	socklen_t len = sizeof(ss);

	if (port == NULL)
		return RTRMOD_EINVAL;
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return RTRMOD_EIO;
	return sockaddr_to_prefix(&ss, &addr, port);
}

int
rtrmod_tcp_accept(struct rtrmod_ctx *ctx, int listen_fd, struct rtrmod_stream **out)
{
	int fd, one = 1;

	if (out == NULL)
		return RTRMOD_EINVAL;
	*out = NULL;
	if (ctx == NULL)
		return RTRMOD_EINVAL;
	do
		fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	while (fd < 0 && (errno == EINTR || errno == ECONNABORTED));
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE)
			return RTRMOD_ERANGE;
		return errno == EAGAIN || errno == EWOULDBLOCK ? RTRMOD_EAGAIN : RTRMOD_EIO;
	}
	/* Responses go out as whole PDU runs through writev; Nagle would only
	 * hold back the tail (End of Data) for a delayed ACK. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return tcp_wrap(ctx, fd, NULL, out);
}

int
rtrmod_tcp_connect(struct rtrmod_ctx *ctx, const char *addr, uint16_t port,
		   struct rtrmod_stream **out)
{
	return rtrmod_tcp_connect_from(ctx, addr, port, NULL, out);
}

/* Bind the local end before connecting.  IP_BIND_ADDRESS_NO_PORT lets
 * connect() pick the port with the 4-tuple known, so many sessions from one
 * source address do not each reserve an ephemeral port at bind time. */
static int
tcp_bind_local(struct rtrmod_ctx *ctx, int fd, const struct sockaddr_storage *ls, socklen_t llen,
	       const char *local_addr)
{
	int one = 1, err;

#ifdef IP_BIND_ADDRESS_NO_PORT
	(void)setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
#else
	(void)one;
#endif
	if (bind(fd, (const struct sockaddr *)ls, llen) == 0)
		return 0;
	err = errno;
	log_err(ctx, "tcp: bind to local address %s: %s", local_addr, strerror(err));
	if (err == EADDRINUSE)
		return RTRMOD_EEXIST;
	return err == EADDRNOTAVAIL ? RTRMOD_ENOENT : RTRMOD_EIO;
}

int
rtrmod_tcp_connect_from(struct rtrmod_ctx *ctx, const char *addr, uint16_t port,
			const char *local_addr, struct rtrmod_stream **out)
{
	struct sockaddr_storage ss, ls;
	socklen_t len, llen = 0;
	int fd, rc, one = 1;

	if (out == NULL)
		return RTRMOD_EINVAL;
	*out = NULL;
	if (ctx == NULL || port == 0 || sockaddr_parse(addr, port, &ss, &len) != 0)
		return RTRMOD_EINVAL;
	if (local_addr != NULL &&
	    (sockaddr_parse(local_addr, 0, &ls, &llen) != 0 || ls.ss_family != ss.ss_family))
		return RTRMOD_EINVAL;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return tcp_errno(errno);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (local_addr != NULL && (rc = tcp_bind_local(ctx, fd, &ls, llen, local_addr)) != 0) {
		close(fd);
		return rc;
	}
	do
		rc = connect(fd, (struct sockaddr *)&ss, len);
	while (rc != 0 && errno == EINTR);
	if (rc != 0 && errno != EINPROGRESS) {
		rc = errno == ECONNREFUSED ? RTRMOD_ECLOSED : tcp_errno(errno);
		close(fd);
		return rc;
	}
	return tcp_wrap(ctx, fd, &ss, out);
}

int
rtrmod_tcp_stream_new(struct rtrmod_ctx *ctx, int fd, struct rtrmod_stream **out)
{
	int flags;

	if (out == NULL) {
		if (fd >= 0)
			close(fd);
		return RTRMOD_EINVAL;
	}
	*out = NULL;
	if (ctx == NULL || fd < 0) {
		if (fd >= 0)
			close(fd);
		return RTRMOD_EINVAL;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
		close(fd);
		return RTRMOD_EIO;
	}
	return tcp_wrap(ctx, fd, NULL, out);
}
