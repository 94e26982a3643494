/*
 * check_transport_tcp.c: the stream object and the TCP transport on
 * loopback: listening (IPv4, IPv6 with V6ONLY, ephemeral ports, address in
 * use), accept and connect without blocking, peer addresses, reads and
 * writev, end of stream, shutdown, a vanished peer without SIGPIPE, and a
 * connection from a chosen local address.
 */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rtrmod/transport.h>

#include "check_main.h"
#include "transport_internal.h"

static void
log_quiet(void *arg, enum rtrmod_log_level level, const char *msg)
{
}

static struct rtrmod_ctx *
ctx_quiet(void)
{
	struct rtrmod_ctx *ctx;

	ck_assert_int_eq(rtrmod_ctx_new(NULL, &ctx), 0);
	rtrmod_ctx_set_log(ctx, log_quiet, NULL, RTRMOD_LOG_DEBUG);
	return ctx;
}

static bool
wait_fd(int fd, short events)
{
	struct pollfd p = {.fd = fd, .events = events};

	return poll(&p, 1, 2000) == 1;
}

/* A connected pair over `addr`: the client's stream and the server's. */
static void
tcp_pair(struct rtrmod_ctx *ctx, const char *addr, int *lfd, struct rtrmod_stream **client,
	 struct rtrmod_stream **server)
{
	enum rtrmod_io_event want;
	uint16_t port = 0;
	int rc, i;

	ck_assert_int_eq(rtrmod_tcp_listen(ctx, addr, 0, 8, lfd), 0);
	ck_assert_int_eq(rtrmod_tcp_local_port(*lfd, &port), 0);
	ck_assert_uint_ne(port, 0);
	ck_assert_int_eq(rtrmod_tcp_connect(ctx, addr, port, client), 0);
	ck_assert(wait_fd(*lfd, POLLIN));
	ck_assert_int_eq(rtrmod_tcp_accept(ctx, *lfd, server), 0);
	for (i = 0; i < 100; i++) {
		rc = rtrmod_stream_handshake(*client, &want);
		if (rc != RTRMOD_EAGAIN)
			break;
		ck_assert_int_eq(want, RTRMOD_IO_WRITE);
		wait_fd(rtrmod_stream_fd(*client), POLLOUT);
	}
	ck_assert_int_eq(rc, 0);
}

START_TEST(test_listen_accept_connect_v4)
{
	struct rtrmod_ctx *ctx = ctx_quiet();
	struct rtrmod_stream *c, *s, *none;
	struct rtrmod_prefix addr, lo;
	char expect[64];
	uint16_t port;
	int lfd;

	tcp_pair(ctx, "127.0.0.1", &lfd, &c, &s);
	ck_assert_str_eq(rtrmod_stream_transport(s), "tcp");
	ck_assert_int_eq(rtrmod_stream_peer_addr(s, &addr), 0);
	ck_assert_int_eq(rtrmod_prefix_parse("127.0.0.1/32", &lo), 0);
	ck_assert(rtrmod_prefix_covers(&lo, &addr) && addr.len == 32);
	/* the server's peer is the client's local port */
	ck_assert_int_eq(rtrmod_tcp_local_port(rtrmod_stream_fd(c), &port), 0);
	snprintf(expect, sizeof(expect), "127.0.0.1:%u", (unsigned)port);
	ck_assert_str_eq(rtrmod_stream_peer(s), expect);
	/* and the client's peer is the listener */
	ck_assert_int_eq(rtrmod_tcp_local_port(lfd, &port), 0);
	snprintf(expect, sizeof(expect), "127.0.0.1:%u", (unsigned)port);
	ck_assert_str_eq(rtrmod_stream_peer(c), expect);
	/* nobody else is waiting */
	ck_assert_int_eq(rtrmod_tcp_accept(ctx, lfd, &none), RTRMOD_EAGAIN);
	ck_assert_ptr_null(none);
	rtrmod_stream_free(c);
	rtrmod_stream_free(s);
	close(lfd);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_read_writev_eof)
{
	struct rtrmod_ctx *ctx = ctx_quiet();
	struct rtrmod_stream *c, *s;
	enum rtrmod_io_event want;
	static char ab[] = "ab", none[] = "", cdef[] = "cdef";
	struct iovec iov[3] = {{ab, 2}, {none, 0}, {cdef, 4}};
	uint8_t buf[16];
	size_t n, got = 0;
	int lfd, rc;

	tcp_pair(ctx, "127.0.0.1", &lfd, &c, &s);
	ck_assert_int_eq(rtrmod_stream_read(s, buf, sizeof(buf), &n, &want), RTRMOD_EAGAIN);
	ck_assert_int_eq(want, RTRMOD_IO_READ);
	ck_assert_int_eq(rtrmod_stream_writev(c, iov, 3, &n, &want), 0);
	ck_assert_uint_eq(n, 6);
	while (got < 6) {
		ck_assert(wait_fd(rtrmod_stream_fd(s), POLLIN));
		ck_assert_int_eq(rtrmod_stream_read(s, buf + got, sizeof(buf) - got, &n, &want), 0);
		got += n;
	}
	ck_assert_int_eq(memcmp(buf, "abcdef", 6), 0);
	/* our FIN: the peer reads the end of the stream */
	ck_assert_int_eq(rtrmod_stream_shutdown(c, &want), 0);
	ck_assert(wait_fd(rtrmod_stream_fd(s), POLLIN));
	rc = rtrmod_stream_read(s, buf, sizeof(buf), &n, &want);
	ck_assert_int_eq(rc, RTRMOD_ECLOSED);
	/* bad arguments */
	ck_assert_int_eq(rtrmod_stream_read(s, NULL, 1, &n, &want), RTRMOD_EINVAL);
	ck_assert_int_eq(rtrmod_stream_writev(s, iov, 0, &n, &want), RTRMOD_EINVAL);
	rtrmod_stream_free(c);
	rtrmod_stream_free(s);
	close(lfd);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* A peer gone: writes fail with a value, never SIGPIPE. */
START_TEST(test_write_to_closed_peer)
{
	struct rtrmod_ctx *ctx = ctx_quiet();
	struct rtrmod_stream *c, *s;
	enum rtrmod_io_event want;
	static uint8_t chunk[65536];
	struct iovec iov = {chunk, sizeof(chunk)};
	size_t n;
	int lfd, rc = 0, i;

	tcp_pair(ctx, "127.0.0.1", &lfd, &c, &s);
	rtrmod_stream_free(c);
	for (i = 0; i < 200; i++) {
		rc = rtrmod_stream_writev(s, &iov, 1, &n, &want);
		if (rc == RTRMOD_ECLOSED)
			break;
		if (rc == RTRMOD_EAGAIN)
			wait_fd(rtrmod_stream_fd(s), POLLOUT);
		usleep(1000);
	}
	ck_assert_int_eq(rc, RTRMOD_ECLOSED);
	rtrmod_stream_free(s);
	close(lfd);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_ipv6_v6only)
{
	struct rtrmod_ctx *ctx = ctx_quiet();
	struct rtrmod_stream *c, *s;
	uint16_t port;
	int lfd, v6, v4;
	char expect[64];

	v6 = socket(AF_INET6, SOCK_STREAM, 0);
	if (v6 < 0 || rtrmod_tcp_listen(ctx, "::1", 0, 1, &lfd) != 0) {
		rtrmod_ctx_free(ctx);
		if (v6 >= 0)
			close(v6);
		return; /* no IPv6 here */
	}
	close(v6);
	close(lfd);
	/* "::" takes IPv6 only, so 0.0.0.0 on the same port still binds */
	ck_assert_int_eq(rtrmod_tcp_listen(ctx, "::", 0, 8, &v6), 0);
	ck_assert_int_eq(rtrmod_tcp_local_port(v6, &port), 0);
	ck_assert_int_eq(rtrmod_tcp_listen(ctx, "0.0.0.0", port, 8, &v4), 0);
	close(v4);
	close(v6);
	tcp_pair(ctx, "::1", &lfd, &c, &s);
	ck_assert_int_eq(rtrmod_tcp_local_port(rtrmod_stream_fd(c), &port), 0);
	snprintf(expect, sizeof(expect), "[::1]:%u", (unsigned)port);
	ck_assert_str_eq(rtrmod_stream_peer(s), expect);
	rtrmod_stream_free(c);
	rtrmod_stream_free(s);
	close(lfd);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_listen_errors)
{
	struct rtrmod_ctx *ctx = ctx_quiet();
	struct rtrmod_stream *c;
	enum rtrmod_io_event want;
	uint16_t port;
	int lfd, other, rc, i;

	ck_assert_int_eq(rtrmod_tcp_listen(ctx, "localhost", 0, 1, &lfd), RTRMOD_EINVAL);
	ck_assert_int_eq(lfd, -1);
	ck_assert_int_eq(rtrmod_tcp_listen(ctx, "127.0.0.1", 0, 1, &lfd), 0);
	ck_assert_int_eq(rtrmod_tcp_local_port(lfd, &port), 0);
	ck_assert_int_eq(rtrmod_tcp_listen(ctx, "127.0.0.1", port, 1, &other), RTRMOD_EEXIST);
	close(lfd);
	/* nobody listens there now: the handshake reports the refusal */
	ck_assert_int_eq(rtrmod_tcp_connect(ctx, "127.0.0.1", port, &c), 0);
	for (i = 0; i < 100; i++) {
		rc = rtrmod_stream_handshake(c, &want);
		if (rc != RTRMOD_EAGAIN)
			break;
		wait_fd(rtrmod_stream_fd(c), POLLOUT);
	}
	ck_assert_int_eq(rc, RTRMOD_ECLOSED);
	rtrmod_stream_free(c);
	ck_assert_int_eq(rtrmod_tcp_connect(ctx, "127.0.0.1", 0, &c), RTRMOD_EINVAL);
	rtrmod_ctx_free(ctx);
}
END_TEST

START_TEST(test_wrap_socketpair)
{
	struct rtrmod_ctx *ctx = ctx_quiet();
	struct rtrmod_stream *s;
	struct rtrmod_prefix addr;
	enum rtrmod_io_event want;
	uint8_t buf[4];
	size_t n;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(rtrmod_tcp_stream_new(ctx, sv[0], &s), 0);
	ck_assert_str_eq(rtrmod_stream_peer(s), "unknown");
	ck_assert_int_eq(rtrmod_stream_peer_addr(s, &addr), RTRMOD_ENOENT);
	ck_assert_int_eq(rtrmod_stream_handshake(s, &want), 0);
	ck_assert_int_eq(rtrmod_stream_read(s, buf, sizeof(buf), &n, &want), RTRMOD_EAGAIN);
	ck_assert_int_eq(write(sv[1], "xy", 2), 2);
	ck_assert_int_eq(rtrmod_stream_read(s, buf, sizeof(buf), &n, &want), 0);
	ck_assert_uint_eq(n, 2);
	rtrmod_stream_free(s);
	close(sv[1]);
	ck_assert_int_eq(rtrmod_tcp_stream_new(ctx, -1, &s), RTRMOD_EINVAL);
	rtrmod_stream_free(NULL);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* The local end bound first: the server sees the chosen source address. */
START_TEST(test_connect_from)
{
	struct rtrmod_ctx *ctx = ctx_quiet();
	struct rtrmod_stream *c, *s;
	enum rtrmod_io_event want;
	uint16_t port = 0;
	int lfd, rc = RTRMOD_EAGAIN, i;
	FILE *f;
	int nonlocal = 0;

	ck_assert_int_eq(rtrmod_tcp_listen(ctx, "127.0.0.1", 0, 8, &lfd), 0);
	ck_assert_int_eq(rtrmod_tcp_local_port(lfd, &port), 0);
	/* wrong family, not numeric: refused before any socket */
	ck_assert_int_eq(rtrmod_tcp_connect_from(ctx, "127.0.0.1", port, "::1", &c), RTRMOD_EINVAL);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(rtrmod_tcp_connect_from(ctx, "127.0.0.1", port, "localhost", &c),
			 RTRMOD_EINVAL);
	/* an address this host does not have (unless non-local binds are on) */
	f = fopen("/proc/sys/net/ipv4/ip_nonlocal_bind", "r");
	if (f != NULL) {
		if (fscanf(f, "%d", &nonlocal) != 1)
			nonlocal = 1;
		fclose(f);
	}
	if (nonlocal == 0)
		ck_assert_int_eq(rtrmod_tcp_connect_from(ctx, "127.0.0.1", port, "192.0.2.1", &c),
				 RTRMOD_ENOENT);
	ck_assert_int_eq(rtrmod_tcp_connect_from(ctx, "127.0.0.1", port, "127.0.0.2", &c), 0);
	ck_assert(wait_fd(lfd, POLLIN));
	ck_assert_int_eq(rtrmod_tcp_accept(ctx, lfd, &s), 0);
	for (i = 0; i < 100 && rc == RTRMOD_EAGAIN; i++) {
		rc = rtrmod_stream_handshake(c, &want);
		if (rc == RTRMOD_EAGAIN)
			wait_fd(rtrmod_stream_fd(c), POLLOUT);
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(strncmp(rtrmod_stream_peer(s), "127.0.0.2:", 10) == 0, "peer %s",
		      rtrmod_stream_peer(s));
	rtrmod_stream_free(s);
	rtrmod_stream_free(c);
	/* NULL: the kernel chooses, as rtrmod_tcp_connect */
	ck_assert_int_eq(rtrmod_tcp_connect_from(ctx, "127.0.0.1", port, NULL, &c), 0);
	ck_assert(wait_fd(lfd, POLLIN));
	ck_assert_int_eq(rtrmod_tcp_accept(ctx, lfd, &s), 0);
	ck_assert_msg(strncmp(rtrmod_stream_peer(s), "127.0.0.1:", 10) == 0, "peer %s",
		      rtrmod_stream_peer(s));
	rtrmod_stream_free(s);
	rtrmod_stream_free(c);
	close(lfd);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* Which listen addresses block each other on one port (v6-only IPv6). */
START_TEST(test_listen_overlap)
{
	ck_assert_int_eq(sockaddr_text_family("192.0.2.1"), AF_INET);
	ck_assert_int_eq(sockaddr_text_family("2001:db8::1"), AF_INET6);
	ck_assert_int_eq(sockaddr_text_family("rpki.example.net"), -1);
	ck_assert(sockaddr_text_overlap("127.0.0.1", "127.0.0.1"));
	ck_assert(sockaddr_text_overlap("0.0.0.0", "127.0.0.1"));
	ck_assert(sockaddr_text_overlap("127.0.0.1", "0.0.0.0"));
	ck_assert(!sockaddr_text_overlap("127.0.0.1", "127.0.0.2"));
	ck_assert(sockaddr_text_overlap("::", "2001:db8::1"));
	ck_assert(sockaddr_text_overlap("::1", "0:0::1"));
	ck_assert(!sockaddr_text_overlap("::", "0.0.0.0"));
	ck_assert(!sockaddr_text_overlap("::1", "2001:db8::1"));
	ck_assert(!sockaddr_text_overlap("127.0.0.1", "not-an-address"));
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("transport_tcp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_listen_accept_connect_v4);
	tcase_add_test(tc, test_read_writev_eof);
	tcase_add_test(tc, test_write_to_closed_peer);
	tcase_add_test(tc, test_ipv6_v6only);
	tcase_add_test(tc, test_listen_errors);
	tcase_add_test(tc, test_wrap_socketpair);
	tcase_add_test(tc, test_connect_from);
	tcase_add_test(tc, test_listen_overlap);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
