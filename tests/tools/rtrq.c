/*
 * rtrq.c: a tiny RTR query client for tests, built from the codec and the
 * TCP transport only.  It connects, sends one Reset Query or Serial Query
 * in the version asked for, prints every PDU it receives (one line each,
 * rtrmod_pdu_format) until End of Data, Cache Reset or Error Report, and a
 * summary line; every wait is bounded by the timeout.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rtrmod/rtrmod.h>

/* Exit statuses. */
#define RTRQ_EOD     0 /* End of Data */
#define RTRQ_ERROR   1 /* Error Report received */
#define RTRQ_USAGE   2
#define RTRQ_RESET   3 /* Cache Reset received */
#define RTRQ_FAILURE 4 /* could not connect, timed out, bad PDU, closed early */

static const char usage_text[] =
    "usage: rtrq [-v VERSION] [-s SESSION -n SERIAL] [-t SECONDS] [-q] HOST PORT\n"
    "\n"
    "Send one RTR query to the cache at HOST (numeric) PORT and print the PDUs\n"
    "of its answer, one per line, then a summary line.\n"
    "\n"
    "  -v VERSION   protocol version of the query (default 1; 3..255 are sent\n"
    "               as a bare Reset Query header, to test refusals)\n"
    "  -s SESSION   with -n: a Serial Query for this Session ID ...\n"
    "  -n SERIAL    ... and serial, instead of a Reset Query\n"
    "  -t SECONDS   give up after this long (default 10)\n"
    "  -q           print only the summary line\n"
    "\n"
    "Exit status: 0 End of Data, 1 Error Report, 3 Cache Reset, 4 no answer\n"
    "(connection failed, timeout, malformed PDU, closed early), 2 usage.\n";

struct rtrq {
	const char *host;
	uint16_t port;
	unsigned version;
	bool serial_query, quiet;
	uint16_t session;
	uint32_t serial;
	uint64_t deadline_ms;
	unsigned long counts[256];
	unsigned long pdus;
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool
parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && *out <= max;
}

static int
rtrq_args(int argc, char **argv, struct rtrq *q)
{
	unsigned long v, timeout = 10;
	bool have_s = false, have_n = false;
	int c;

	q->version = 1;
	while ((c = getopt(argc, argv, "v:s:n:t:qh")) != -1) {
		switch (c) {
		case 'v':
			if (!parse_ulong(optarg, 255, &v))
				goto usage;
			q->version = (unsigned)v;
			break;
		case 's':
			if (!parse_ulong(optarg, UINT16_MAX, &v))
				goto usage;
			q->session = (uint16_t)v;
			have_s = true;
			break;
		case 'n':
			if (!parse_ulong(optarg, UINT32_MAX, &v))
				goto usage;
			q->serial = (uint32_t)v;
			have_n = true;
			break;
		case 't':
			if (!parse_ulong(optarg, 86400, &timeout) || timeout == 0)
				goto usage;
			break;
		case 'q':
			q->quiet = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			goto usage;
		}
	}
	if (have_s != have_n || argc - optind != 2 || !parse_ulong(argv[optind + 1], 65535, &v))
		goto usage;
	q->serial_query = have_s;
	q->host = argv[optind];
	q->port = (uint16_t)v;
	q->deadline_ms = now_ms() + timeout * 1000;
	return 0;
usage:
	fputs(usage_text, stderr);
	return RTRQ_USAGE;
}

/* Wait until the stream's fd is ready for `want`, or the deadline. */
static int
rtrq_wait(const struct rtrq *q, struct rtrmod_stream *s, enum rtrmod_io_event want)
{
	struct pollfd p = {.fd = rtrmod_stream_fd(s)};
	uint64_t now = now_ms();
	int n;

	p.events = want == RTRMOD_IO_WRITE ? POLLOUT : POLLIN;
	if (now >= q->deadline_ms)
		return RTRMOD_ETIMEDOUT;
	do
		n = poll(&p, 1, (int)(q->deadline_ms - now));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return RTRMOD_EIO;
	return n == 0 ? RTRMOD_ETIMEDOUT : 0;
}

/* The query's bytes: encoded by the codec for versions it knows, else a
 * bare 8-byte Reset Query header in that version. */
static size_t
rtrq_query(const struct rtrq *q, uint8_t *buf, size_t cap)
{
	struct rtrmod_pdu pdu = {.version = (uint8_t)q->version};
	size_t len = 0;

	if (q->version > RTRMOD_PDU_VERSION_MAX) {
		static const uint8_t hdr[8] = {0, RTRMOD_PDU_RESET_QUERY, 0, 0, 0, 0, 0, 8};

		memcpy(buf, hdr, sizeof(hdr));
		buf[0] = (uint8_t)q->version;
		return sizeof(hdr);
	}
	pdu.type = q->serial_query ? RTRMOD_PDU_SERIAL_QUERY : RTRMOD_PDU_RESET_QUERY;
	pdu.u.serial.session_id = q->session;
	pdu.u.serial.serial = q->serial;
	return rtrmod_pdu_encode(&pdu, buf, cap, &len) == 0 ? len : 0;
}

static int
rtrq_send(const struct rtrq *q, struct rtrmod_stream *s)
{
	uint8_t buf[64];
	size_t len = rtrq_query(q, buf, sizeof(buf)), off = 0, sent;
	enum rtrmod_io_event want;
	int rc;

	if (len == 0)
		return RTRMOD_EINVAL;
	while ((rc = rtrmod_stream_handshake(s, &want)) == RTRMOD_EAGAIN)
		if ((rc = rtrq_wait(q, s, want)) != 0)
			return rc;
	while (rc == 0 && off < len) {
		struct iovec iov = {.iov_base = buf + off, .iov_len = len - off};

		rc = rtrmod_stream_writev(s, &iov, 1, &sent, &want);
		if (rc == 0)
			off += sent;
		else if (rc == RTRMOD_EAGAIN)
			rc = rtrq_wait(q, s, want);
	}
	return rc;
}

/* Print one PDU; the exit status if it ends the answer, else -1. */
static int
rtrq_pdu(struct rtrq *q, const struct rtrmod_pdu *pdu)
{
	char line[1024];

	q->pdus++;
	q->counts[pdu->type]++;
	if (!q->quiet) {
		rtrmod_pdu_format(pdu, line, sizeof(line));
		printf("%s\n", line);
	}
	switch (pdu->type) {
	case RTRMOD_PDU_END_OF_DATA:
		return RTRQ_EOD;
	case RTRMOD_PDU_CACHE_RESET:
		return RTRQ_RESET;
	case RTRMOD_PDU_ERROR_REPORT:
		return RTRQ_ERROR;
	default:
		return -1;
	}
}

static int
rtrq_receive(struct rtrq *q, struct rtrmod_stream *s, struct rtrmod_pdu_stream *ps)
{
	struct rtrmod_pdu pdu;
	struct rtrmod_pdu_error err;
	enum rtrmod_io_event want;
	uint8_t *space;
	size_t avail, got;
	int rc, status;

	for (;;) {
		while ((rc = rtrmod_pdu_stream_next(ps, &pdu, &err)) == 0) {
			if (rtrmod_pdu_validate(&pdu, 0, &err) != 0)
				break;
			if ((status = rtrq_pdu(q, &pdu)) >= 0)
				return status;
		}
		if (rc != RTRMOD_EAGAIN) { /* EPDU, or 0 from a PDU that failed validation */
			fprintf(stderr, "rtrq: refused a PDU: %s\n", err.reason);
			return RTRQ_FAILURE;
		}
		if ((rc = rtrmod_pdu_stream_reserve(ps, 0, &space, &avail)) != 0)
			return RTRQ_FAILURE;
		rc = rtrmod_stream_read(s, space, avail, &got, &want);
		if (rc == 0) {
			rtrmod_pdu_stream_commit(ps, got);
			continue;
		}
		if (rc == RTRMOD_EAGAIN && (rc = rtrq_wait(q, s, want)) == 0)
			continue;
		fprintf(stderr, "rtrq: %s before the answer ended\n",
			rc == RTRMOD_ECLOSED ? "the cache closed the connection"
					     : rtrmod_strerror(rc));
		return RTRQ_FAILURE;
	}
}

static void
rtrq_summary(const struct rtrq *q, int status)
{
	static const char *const ends[] = {[RTRQ_EOD] = "end-of-data",
					   [RTRQ_ERROR] = "error-report",
					   [RTRQ_RESET] = "cache-reset",
					   [RTRQ_FAILURE] = "none"};

	printf("summary: pdus=%lu ipv4=%lu ipv6=%lu router_key=%lu aspa=%lu notify=%lu end=%s\n",
	       q->pdus, q->counts[RTRMOD_PDU_IPV4_PREFIX], q->counts[RTRMOD_PDU_IPV6_PREFIX],
	       q->counts[RTRMOD_PDU_ROUTER_KEY], q->counts[RTRMOD_PDU_ASPA],
	       q->counts[RTRMOD_PDU_SERIAL_NOTIFY], ends[status]);
}

int
main(int argc, char **argv)
{
	struct rtrq q = {0};
	struct rtrmod_ctx *ctx = NULL;
	struct rtrmod_stream *s = NULL;
	struct rtrmod_pdu_stream *ps = NULL;
	int rc, status = RTRQ_FAILURE;

	if ((rc = rtrq_args(argc, argv, &q)) != 0)
		return rc;
	if (rtrmod_ctx_new(NULL, &ctx) != 0 || rtrmod_pdu_stream_new(ctx, 0, &ps) != 0) {
		fprintf(stderr, "rtrq: out of memory\n");
		goto out;
	}
	rtrmod_ctx_set_log(ctx, NULL, NULL, RTRMOD_LOG_WARN);
	if ((rc = rtrmod_tcp_connect(ctx, q.host, q.port, &s)) != 0 ||
	    (rc = rtrq_send(&q, s)) != 0) {
		fprintf(stderr, "rtrq: %s port %u: %s\n", q.host, (unsigned)q.port,
			rtrmod_strerror(rc));
		goto out;
	}
	status = rtrq_receive(&q, s, ps);
out:
	rtrq_summary(&q, status);
	rtrmod_stream_free(s);
	rtrmod_pdu_stream_free(ps);
	rtrmod_ctx_free(ctx);
	return status;
}
