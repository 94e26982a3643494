/*
 * rtrmod/transport.h: the byte stream every RTR transport implements (TCP
 * here; TLS and SSH slot in behind the same vtable), and the TCP transport.
 *
 * Every operation is non-blocking (DESIGN.md, rule 2).  An operation that
 * cannot go on yet returns RTRMOD_EAGAIN and says, in *want, which
 * readiness of rtrmod_stream_fd() it waits for: a TLS read may need the
 * socket to be writable, a handshake may need either.  The caller watches
 * that event on its loop and calls again.
 */
#ifndef RTRMOD_TRANSPORT_H
#define RTRMOD_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <rtrmod/common.h>
#include <rtrmod/ctx.h>
#include <rtrmod/records.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What a transport implements.  `impl` is the transport's own state, handed
 * back unchanged.  Results are 0 or a negative RTRMOD_E*:
 *
 * - handshake (NULL: none): 0 once the stream is ready for data; until then
 *   RTRMOD_EAGAIN with *want set.  Called until it returns 0.
 * - read: 0 with 1 <= *got <= len bytes read; RTRMOD_EAGAIN with *want set;
 *   RTRMOD_ECLOSED at the peer's end of stream; RTRMOD_EIO on failure.
 * - writev: 0 with 1 <= *sent <= the bytes of iov written (a short write is
 *   normal); RTRMOD_EAGAIN with *want set when nothing could be written;
 *   RTRMOD_ECLOSED when the peer is gone; RTRMOD_EIO.  Never raises SIGPIPE.
 * - shutdown (NULL: nothing to do): end our direction after everything
 *   written so far (TCP FIN, TLS close_notify); 0, or RTRMOD_EAGAIN.
 * - fd: the descriptor whose readiness drives the stream.
 * - peer (NULL: unknown): the peer's address as a host prefix (/32 or
 *   /128, IPv4-mapped IPv6 given as IPv4) and its port; RTRMOD_ENOENT when
 *   the peer has no IP address.
 * - close: release everything, the descriptor included.
 */
struct rtrmod_stream_ops {
	const char *name; /* "tcp", "tls", "ssh": for logs and status */
	int (*handshake)(void *impl, enum rtrmod_io_event *want);
	int (*read)(void *impl, void *buf, size_t len, size_t *got, enum rtrmod_io_event *want);
	int (*writev)(void *impl, const struct iovec *iov, int iovcnt, size_t *sent,
		      enum rtrmod_io_event *want);
	int (*shutdown)(void *impl, enum rtrmod_io_event *want);
	int (*fd)(void *impl);
	int (*peer)(void *impl, struct rtrmod_prefix *addr, uint16_t *port);
	void (*close)(void *impl);
};

/* A connected stream: a transport's ops and state, plus the peer's address
 * learnt once when it is made. */
struct rtrmod_stream;

/* Wrap `impl`.  `ops` must outlive the stream; on success the stream owns
 * impl (rtrmod_stream_free() closes it), on failure the caller still does. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_stream_new(struct rtrmod_ctx *ctx,
					       const struct rtrmod_stream_ops *ops, void *impl,
					       struct rtrmod_stream **out);
/* Close the transport and free the stream.  NULL is fine. */
RTRMOD_EXPORT void rtrmod_stream_free(struct rtrmod_stream *s);

/* The vtable calls, with the argument checks and *want always set. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_stream_handshake(struct rtrmod_stream *s,
						     enum rtrmod_io_event *want);
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_stream_read(struct rtrmod_stream *s, void *buf, size_t len,
						size_t *got, enum rtrmod_io_event *want);
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_stream_writev(struct rtrmod_stream *s, const struct iovec *iov,
						  int iovcnt, size_t *sent,
						  enum rtrmod_io_event *want);
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_stream_shutdown(struct rtrmod_stream *s,
						    enum rtrmod_io_event *want);
RTRMOD_EXPORT int rtrmod_stream_fd(const struct rtrmod_stream *s);
/* The transport's name ("tcp"). */
RTRMOD_EXPORT const char *rtrmod_stream_transport(const struct rtrmod_stream *s);
/* "192.0.2.1:323", "[2001:db8::1]:323", or "unknown"; borrowed, lives as
 * long as the stream. */
RTRMOD_EXPORT const char *rtrmod_stream_peer(const struct rtrmod_stream *s);
/* The peer's address as a host prefix; RTRMOD_ENOENT if it has none. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_stream_peer_addr(const struct rtrmod_stream *s,
						     struct rtrmod_prefix *addr);

/* ---- TCP ---------------------------------------------------------------- */

/*
 * A non-blocking, close-on-exec listening socket on the numeric address
 * `addr` ("127.0.0.1", "::", "2001:db8::1"; no name resolution) and `port`
 * (0: any free port, see rtrmod_tcp_local_port()), with SO_REUSEADDR, and
 * IPV6_V6ONLY on IPv6 so that "::" and "0.0.0.0" can be bound side by side.
 * RTRMOD_EINVAL for a bad address, RTRMOD_EEXIST when the address is in
 * use, RTRMOD_EIO otherwise (logged with errno).
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_tcp_listen(struct rtrmod_ctx *ctx, const char *addr,
					       uint16_t port, int backlog, int *fd);
/* The local port a socket is bound to. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_tcp_local_port(int fd, uint16_t *port);
/* Accept one connection from a listening socket as a non-blocking stream
 * with TCP_NODELAY.  RTRMOD_EAGAIN when none is waiting; RTRMOD_ERANGE when
 * out of descriptors (the caller should pause accepting); RTRMOD_EIO. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_tcp_accept(struct rtrmod_ctx *ctx, int listen_fd,
					       struct rtrmod_stream **out);
/* Start a non-blocking connection to numeric `addr`:`port`; the stream's
 * handshake finishes it (waits for writability, then reports the result). */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_tcp_connect(struct rtrmod_ctx *ctx, const char *addr,
						uint16_t port, struct rtrmod_stream **out);
/* The same with the local end bound to numeric `local_addr` first (NULL:
 * the kernel chooses), for a router that must source its RTR sessions
 * from one address.  RTRMOD_EINVAL when local_addr is not numeric or not
 * of addr's family, RTRMOD_ENOENT when it is not an address of this host. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_tcp_connect_from(struct rtrmod_ctx *ctx, const char *addr,
						     uint16_t port, const char *local_addr,
						     struct rtrmod_stream **out);
/* Wrap a connected socket (made non-blocking); the stream owns fd from then
 * on, also when this fails. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_tcp_stream_new(struct rtrmod_ctx *ctx, int fd,
						   struct rtrmod_stream **out);

#ifdef __cplusplus
}
#endif
#endif
