/*
 * transport.c: the stream object every transport sits behind, and the
 * socket-address helpers the socket transports share.  A stream holds its
 * transport's vtable and state and learns the peer's address once, when it
 * is made, so that logs and the cache's ACL never ask the kernel again.
 * Every call checks its arguments and always sets *want, so a caller can
 * trust it even from a transport that forgot to.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rtrmod/transport.h>

#include "rtrmod_internal.h"
#include "transport_internal.h"

struct rtrmod_stream {
	struct rtrmod_ctx *ctx;
	const struct rtrmod_stream_ops *ops;
	void *impl;
	bool has_addr;
	struct rtrmod_prefix addr;
	char peer[TRANSPORT_PEER_LEN];
};

/* ---- socket addresses -------------------------------------------------- */

int
sockaddr_to_prefix(const struct sockaddr_storage *ss, struct rtrmod_prefix *addr, uint16_t *port)
{
	static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;

	memset(addr, 0, sizeof(*addr));
	switch (ss->ss_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)ss;
		addr->afi = RTRMOD_AFI_IPV4;
		addr->len = 32;
		memcpy(addr->addr, &sin->sin_addr, 4);
		*port = ntohs(sin->sin_port);
		return 0;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)ss;
		*port = ntohs(sin6->sin6_port);
		/* A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; the
		 * ACL and the logs want the IPv4 address. */
		if (memcmp(sin6->sin6_addr.s6_addr, v4mapped, sizeof(v4mapped)) == 0) {
			addr->afi = RTRMOD_AFI_IPV4;
			addr->len = 32;
			memcpy(addr->addr, sin6->sin6_addr.s6_addr + 12, 4);
			return 0;
		}
		addr->afi = RTRMOD_AFI_IPV6;
		addr->len = 128;
		memcpy(addr->addr, sin6->sin6_addr.s6_addr, 16);
		return 0;
	}
	return RTRMOD_ENOENT;
}

int
sockaddr_parse(const char *text, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (text == NULL)
		return RTRMOD_EINVAL;
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	return RTRMOD_EINVAL;
}

int
sockaddr_text_family(const char *text)
{
	struct sockaddr_storage ss;
	socklen_t len;

	return sockaddr_parse(text, 0, &ss, &len) == 0 ? ss.ss_family : -1;
}

bool
sockaddr_text_overlap(const char *a, const char *b)
{
	struct sockaddr_storage sa, sb;
	socklen_t la, lb;

	if (sockaddr_parse(a, 0, &sa, &la) != 0 || sockaddr_parse(b, 0, &sb, &lb) != 0 ||
	    sa.ss_family != sb.ss_family)
		return false;
	if (sa.ss_family == AF_INET) {
		const struct in_addr *x = &((const struct sockaddr_in *)&sa)->sin_addr;
		const struct in_addr *y = &((const struct sockaddr_in *)&sb)->sin_addr;

		return x->s_addr == htonl(INADDR_ANY) || y->s_addr == htonl(INADDR_ANY) ||
		       x->s_addr == y->s_addr;
	}
	const struct in6_addr *x = &((const struct sockaddr_in6 *)&sa)->sin6_addr;
	const struct in6_addr *y = &((const struct sockaddr_in6 *)&sb)->sin6_addr;

	return IN6_IS_ADDR_UNSPECIFIED(x) || IN6_IS_ADDR_UNSPECIFIED(y) ||
	       IN6_ARE_ADDR_EQUAL(x, y);
}

void
peer_format(const struct rtrmod_prefix *addr, uint16_t port, char *buf, size_t size)
{
	char text[INET6_ADDRSTRLEN];

	if (addr->afi == RTRMOD_AFI_IPV4 &&
	    inet_ntop(AF_INET, addr->addr, text, sizeof(text)) != NULL)
		snprintf(buf, size, "%s:%u", text, (unsigned)port);
	else if (addr->afi == RTRMOD_AFI_IPV6 &&
		 inet_ntop(AF_INET6, addr->addr, text, sizeof(text)) != NULL)
		snprintf(buf, size, "[%s]:%u", text, (unsigned)port);
	else
		snprintf(buf, size, "unknown");
}

/* ---- the stream -------------------------------------------------------- */

int
rtrmod_stream_new(struct rtrmod_ctx *ctx, const struct rtrmod_stream_ops *ops, void *impl,
		  struct rtrmod_stream **out)
{
	struct rtrmod_stream *s;
	uint16_t port = 0;

	if (out == NULL)
		return RTRMOD_EINVAL;
	*out = NULL;
	if (ctx == NULL || ops == NULL || ops->read == NULL || ops->writev == NULL ||
	    ops->fd == NULL || ops->close == NULL)
		return RTRMOD_EINVAL;
	s = ctx_zalloc(ctx, sizeof(*s));
	if (s == NULL)
		return RTRMOD_ENOMEM;
	s->ctx = ctx;
	s->ops = ops;
	s->impl = impl;
	s->has_addr = ops->peer != NULL && ops->peer(impl, &s->addr, &port) == 0 &&
		      (s->addr.afi == RTRMOD_AFI_IPV4 || s->addr.afi == RTRMOD_AFI_IPV6);
	if (s->has_addr)
		peer_format(&s->addr, port, s->peer, sizeof(s->peer));
	else
		snprintf(s->peer, sizeof(s->peer), "unknown");
	*out = s;
	return 0;
}

void
rtrmod_stream_free(struct rtrmod_stream *s)
{
	if (s == NULL)
		return;
	s->ops->close(s->impl);
	ctx_free(s->ctx, s);
}

int
rtrmod_stream_handshake(struct rtrmod_stream *s, enum rtrmod_io_event *want)
{
	enum rtrmod_io_event w = RTRMOD_IO_READ;
	int rc;

	if (s == NULL)
		return RTRMOD_EINVAL;
	rc = s->ops->handshake != NULL ? s->ops->handshake(s->impl, &w) : 0;
	if (want != NULL)
		*want = w;
	return rc;
}

int
rtrmod_stream_read(struct rtrmod_stream *s, void *buf, size_t len, size_t *got,
		   enum rtrmod_io_event *want)
{
	enum rtrmod_io_event w = RTRMOD_IO_READ;
	size_t n = 0;
	int rc;

	if (got != NULL)
		*got = 0;
	if (s == NULL || buf == NULL || len == 0 || got == NULL)
		return RTRMOD_EINVAL;
	rc = s->ops->read(s->impl, buf, len, &n, &w);
	if (rc == 0 && (n == 0 || n > len))
		rc = RTRMOD_EIO; /* a transport that broke its contract */
	if (rc == 0)
		*got = n;
	if (want != NULL)
		*want = w;
	return rc;
}

int
rtrmod_stream_writev(struct rtrmod_stream *s, const struct iovec *iov, int iovcnt, size_t *sent,
		     enum rtrmod_io_event *want)
{
	enum rtrmod_io_event w = RTRMOD_IO_WRITE;
	size_t n = 0;
	int rc;

	if (sent != NULL)
		*sent = 0;
	if (s == NULL || iov == NULL || iovcnt <= 0 || sent == NULL)
		return RTRMOD_EINVAL;
	rc = s->ops->writev(s->impl, iov, iovcnt, &n, &w);
	if (rc == 0)
		*sent = n;
	if (want != NULL)
		*want = w;
	return rc;
}

int
rtrmod_stream_shutdown(struct rtrmod_stream *s, enum rtrmod_io_event *want)
{
	enum rtrmod_io_event w = RTRMOD_IO_WRITE;
	int rc;

	if (s == NULL)
		return RTRMOD_EINVAL;
	rc = s->ops->shutdown != NULL ? s->ops->shutdown(s->impl, &w) : 0;
	if (want != NULL)
		*want = w;
	return rc;
}

int
rtrmod_stream_fd(const struct rtrmod_stream *s)
{
	return s != NULL ? s->ops->fd(s->impl) : -1;
}

const char *
rtrmod_stream_transport(const struct rtrmod_stream *s)
{
	return s != NULL && s->ops->name != NULL ? s->ops->name : "unknown";
}

const char *
rtrmod_stream_peer(const struct rtrmod_stream *s)
{
	return s != NULL ? s->peer : "unknown";
}

int
rtrmod_stream_peer_addr(const struct rtrmod_stream *s, struct rtrmod_prefix *addr)
{
	if (s == NULL || addr == NULL)
		return RTRMOD_EINVAL;
	if (!s->has_addr)
		return RTRMOD_ENOENT;
	*addr = s->addr;
	return 0;
}
