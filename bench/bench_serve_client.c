/*
 * bench_serve_client.c: RTR version 1 clients (RFC 8210) for the cache
 * server benchmark.  Any number of them run on one epoll set in the bench
 * process, non-blocking, each with one job: a Reset or Serial Query read to
 * its End of Data, or a wait for a Serial Notify.  PDUs are framed by the
 * length in their header (RFC 8210 §5.1) and counted, never kept; a PDU
 * that cannot be framed ends the job.  While clients run, the server's RSS
 * may be sampled every few milliseconds.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "bench_serve.h"

#define PDU_SERIAL_NOTIFY  0
#define PDU_SERIAL_QUERY   1
#define PDU_RESET_QUERY    2
#define PDU_CACHE_RESPONSE 3
#define PDU_IPV4_PREFIX    4
#define PDU_IPV6_PREFIX    6
#define PDU_END_OF_DATA    7
#define PDU_CACHE_RESET    8
#define PDU_ROUTER_KEY     9
#define PDU_ERROR_REPORT   10
#define PDU_ASPA           11

#define RTR_VERSION  1
#define SAMPLE_EVERY 0.002 /* s between RSS samples */
#define EPOLL_BATCH  128

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

const char *
client_end_name(enum client_end end)
{
	static const char *const names[] = {
	    "no answer in time", "End of Data",    "Error Report",
	    "Cache Reset",       "Serial Notify",  "connection refused",
	    "closed by server",  "unframable PDU", "socket error",
	};

	return (unsigned int)end < sizeof(names) / sizeof(names[0]) ? names[end] : "?";
}

int
client_open(struct client *c, uint16_t port)
{
	struct sockaddr_in sa;

	if (c->buf == NULL)
		c->buf = xmalloc(CLIENT_BUF);
	c->have = 0;
	c->connected = false;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 && errno != EINPROGRESS) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

void
client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->have = 0;
}

void
client_free(struct client *c)
{
	client_close(c);
	free(c->buf);
	c->buf = NULL;
}

void
client_job(struct client *c, enum client_job job, uint16_t session, uint32_t serial)
{
	uint8_t *q = c->out;

	c->job = job;
	c->end = END_NONE;
	c->bytes = c->pdus = 0;
	c->ann = c->wd = c->keys = c->aspas = c->other = 0;
	c->cache_response = false;
	c->error_code = 0;
	c->t_first = c->t_end = 0;
	c->out_off = 0;
	c->out_len = 0;
	if (job == JOB_NOTIFY)
		return;
	q[0] = RTR_VERSION;
	q[1] = job == JOB_RESET ? PDU_RESET_QUERY : PDU_SERIAL_QUERY;
	q[2] = job == JOB_RESET ? 0 : (uint8_t)(session >> 8);
	q[3] = job == JOB_RESET ? 0 : (uint8_t)session;
	c->out_len = job == JOB_RESET ? 8 : 12;
	put32(q + 4, (uint32_t)c->out_len);
	if (job == JOB_SERIAL)
		put32(q + 8, serial);
}

/* One whole PDU of the current response.  Ends the job at its last PDU. */
static void
client_pdu(struct client *c, const uint8_t *p, uint32_t len)
{
	c->pdus++;
	if (c->t_first == 0)
		c->t_first = now_s();
	switch (p[1]) {
	case PDU_SERIAL_NOTIFY:
		if (c->job == JOB_NOTIFY && len >= 12) {
			c->session = get16(p + 2);
			c->serial = get32(p + 8);
			c->end = END_NOTIFY;
		}
		break;
	case PDU_CACHE_RESPONSE:
		c->cache_response = true;
		c->session = get16(p + 2);
		break;
	case PDU_IPV4_PREFIX:
	case PDU_IPV6_PREFIX:
		if (len > 8 && (p[8] & 1))
			c->ann++;
		else
			c->wd++;
		break;
	case PDU_ROUTER_KEY:
		c->keys++;
		break;
	case PDU_ASPA:
		c->aspas++;
		break;
	case PDU_END_OF_DATA:
		c->serial = len >= 12 ? get32(p + 8) : 0;
		c->end = c->job != JOB_NOTIFY ? END_EOD : END_NONE;
		break;
	case PDU_CACHE_RESET:
		c->end = c->job != JOB_NOTIFY ? END_CACHE_RESET : END_NONE;
		break;
	case PDU_ERROR_REPORT:
		c->error_code = get16(p + 2);
		c->end = END_ERROR;
		break;
	default:
		c->other++;
	}
}

/* Frame the PDUs in the buffer; keep a partial one for the next read. */
static void
client_frame(struct client *c)
{
	size_t off = 0;
	uint32_t len;

	while (c->end == END_NONE && c->have - off >= 8) {
		len = get32(c->buf + off + 4);
		if (len < 8 || len > CLIENT_BUF) {
			c->end = END_PROTOCOL;
			break;
		}
		if (c->have - off < len)
			break;
		client_pdu(c, c->buf + off, len);
		off += len;
	}
	/* After the end the rest is the next job's (a Serial Notify, say). */
	memmove(c->buf, c->buf + off, c->have - off);
	c->have -= off;
}

static void
client_read(struct client *c)
{
	ssize_t n = read(c->fd, c->buf + c->have, CLIENT_BUF - c->have);

	if (n > 0) {
		c->bytes += (uint64_t)n;
		c->have += (size_t)n;
		client_frame(c);
	} else if (n == 0) {
		c->end = END_CLOSED;
	} else if (errno != EAGAIN && errno != EINTR) {
		c->end = errno == ECONNREFUSED ? END_REFUSED : END_IO;
	}
}

static void
client_write(struct client *c)
{
	ssize_t n;
	int err = 0;
	socklen_t len = sizeof(err);

	if (!c->connected) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
			c->end = err == ECONNREFUSED ? END_REFUSED : END_IO;
			return;
		}
		c->connected = true;
	}
	if (c->out_off == 0)
		c->t_query = now_s();
	n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
	if (n > 0)
		c->out_off += (size_t)n;
	else if (n < 0 && errno != EAGAIN && errno != EINTR)
		c->end = errno == ECONNREFUSED ? END_REFUSED : END_IO;
}

static uint32_t
client_events(const struct client *c)
{
	return EPOLLIN | (!c->connected || c->out_off < c->out_len ? EPOLLOUT : 0);
}

/* Handle one readiness event; returns true once the job has ended. */
static bool
client_event(int ep, struct client *c, uint32_t ev)
{
	struct epoll_event e;
	uint32_t before = client_events(c);

	if (ev & (EPOLLOUT | EPOLLERR))
		client_write(c);
	if (c->end == END_NONE && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		client_read(c);
	if (c->end != END_NONE) {
		c->t_end = now_s();
		epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
		return true;
	}
	if (client_events(c) != before) {
		e.events = client_events(c);
		e.data.ptr = c;
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
	}
	return false;
}

/* Register every client; a job may already be complete in the buffer. */
static size_t
clients_add(int ep, struct client **cs, size_t n)
{
	struct epoll_event e;
	size_t i, ended = 0;

	for (i = 0; i < n; i++) {
		struct client *c = cs[i];

		c->t_query = now_s();
		client_frame(c);
		if (c->end != END_NONE || c->fd < 0) {
			c->end = c->fd < 0 ? END_REFUSED : c->end;
			c->t_end = now_s();
			ended++;
			continue;
		}
		e.events = client_events(c);
		e.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e) != 0) {
			c->end = END_IO;
			ended++;
		}
	}
	return ended;
}

int
clients_run(struct client **cs, size_t n, double timeout_s, struct rss_watch *w)
{
	struct epoll_event ev[EPOLL_BATCH];
	double deadline = now_s() + timeout_s, next_sample = 0, t;
	size_t ended, i;
	int ep = epoll_create1(EPOLL_CLOEXEC), k, got;

	if (ep < 0)
		return -1;
	ended = clients_add(ep, cs, n);
	while (ended < n && (t = now_s()) < deadline) {
		if (w != NULL && t >= next_sample) {
			long rss = proc_rss_kib(w->pid);

			w->peak_kib = rss > w->peak_kib ? rss : w->peak_kib;
			next_sample = t + SAMPLE_EVERY;
		}
		got = epoll_wait(ep, ev, EPOLL_BATCH, w != NULL ? 2 : 20);
		if (got < 0 && errno != EINTR) {
			close(ep);
			return -1;
		}
		for (k = 0; k < got; k++)
			ended += client_event(ep, ev[k].data.ptr, ev[k].events);
	}
	for (i = 0; i < n; i++) {
		if (cs[i]->end == END_NONE && cs[i]->fd >= 0)
			epoll_ctl(ep, EPOLL_CTL_DEL, cs[i]->fd, NULL);
	}
	close(ep);
	return (int)ended;
}
