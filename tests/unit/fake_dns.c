/*
 * fake_dns.c: the test DNS server of fake_dns.h.  One UDP socket on
 * 127.0.0.1, read on the test's loop; each datagram is one question
 * (RFC 1035 §4.1), answered at once from the table, with the question
 * copied back as asked (resolvers compare it).  Anything it cannot parse
 * is dropped, as a real server would drop it.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <check.h>

#include "fake_dns.h"

#define DNS_HEADER   12
#define DNS_TYPE_A   1
#define DNS_TYPE_AAA 28
#define DNS_MAX      512

enum fake_mode { FAKE_ANSWER, FAKE_RCODE, FAKE_SILENT };

struct fake_name {
	bool used;
	char name[256];
	enum fake_mode mode;
	int rcode;
	unsigned drop; /* a qtype never answered (0: none) */
	char addrs[FAKE_DNS_ADDRS][64];
	unsigned naddrs;
	unsigned queries_a, queries_aaaa, queries_other;
};

struct fake_dns {
	struct rtrmod_loop *loop;
	int fd;
	void *watch;
	char servers[32];
	struct fake_name names[FAKE_DNS_NAMES];
};

static struct fake_name *
find(struct fake_dns *d, const char *name, bool make)
{
	struct fake_name *free_slot = NULL;

	for (unsigned i = 0; i < FAKE_DNS_NAMES; i++) {
		if (d->names[i].used && strcasecmp(d->names[i].name, name) == 0)
			return &d->names[i];
		if (!d->names[i].used && free_slot == NULL)
			free_slot = &d->names[i];
	}
	if (!make || free_slot == NULL)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	snprintf(free_slot->name, sizeof(free_slot->name), "%s", name);
	free_slot->mode = FAKE_RCODE;
	free_slot->rcode = FAKE_DNS_NXDOMAIN;
	return free_slot;
}

/* The question's name as dotted text; its wire length in *qlen (name,
 * type and class).  False when malformed or compressed. */
static bool
parse_question(const uint8_t *p, size_t len, char *name, size_t size, size_t *qlen, unsigned *qtype)
{
	size_t off = DNS_HEADER, out = 0;

	while (off < len && p[off] != 0) {
		size_t l = p[off];

		if (l > 63 || off + 1 + l > len || out + l + 2 > size)
			return false;
		if (out > 0)
			name[out++] = '.';
		memcpy(name + out, p + off + 1, l);
		out += l;
		off += 1 + l;
	}
	if (off + 5 > len)
		return false;
	name[out] = '\0';
	*qtype = (unsigned)p[off + 1] << 8 | p[off + 2];
	*qlen = off + 5 - DNS_HEADER;
	return true;
}

static size_t
put_answer(uint8_t *r, size_t off, unsigned type, const void *rdata, size_t rdlen)
{
	static const uint8_t fixed[] = {0xc0, DNS_HEADER, 0, 0, 0, 1, 0, 0, 0, 60};

	memcpy(r + off, fixed, sizeof(fixed));
	r[off + 3] = (uint8_t)type;
	off += sizeof(fixed);
	r[off++] = 0;
	r[off++] = (uint8_t)rdlen;
	memcpy(r + off, rdata, rdlen);
	return off + rdlen;
}

static void
answer(struct fake_dns *d, const uint8_t *q, size_t len, const struct sockaddr_in *from)
{
	uint8_t r[DNS_MAX], bytes[16];
	char name[256];
	size_t qlen, off;
	unsigned qtype, an = 0;
	struct fake_name *n;

	if (len < DNS_HEADER || (q[2] & 0x80) != 0 || q[4] != 0 || q[5] != 1 ||
	    !parse_question(q, len, name, sizeof(name), &qlen, &qtype))
		return;
	n = find(d, name, true);
	if (n != NULL) {
		if (qtype == DNS_TYPE_A)
			n->queries_a++;
		else if (qtype == DNS_TYPE_AAA)
			n->queries_aaaa++;
		else
			n->queries_other++;
		if (n->mode == FAKE_SILENT || (n->drop != 0 && n->drop == qtype))
			return;
	}
	memset(r, 0, DNS_HEADER);
	r[0] = q[0];
	r[1] = q[1];
	r[2] = (uint8_t)(0x80 | 0x04 | (q[2] & 0x01)); /* QR, AA, RD as asked */
	r[3] = 0x80;                                   /* RA */
	r[5] = 1;
	memcpy(r + DNS_HEADER, q + DNS_HEADER, qlen);
	off = DNS_HEADER + qlen;
	if (n == NULL || n->mode == FAKE_RCODE) {
		r[3] |= (uint8_t)(n != NULL ? n->rcode : FAKE_DNS_NXDOMAIN);
	} else {
		for (unsigned i = 0; i < n->naddrs && off + 28 + 16 <= sizeof(r); i++) {
			if (qtype == DNS_TYPE_A && inet_pton(AF_INET, n->addrs[i], bytes) == 1) {
				off = put_answer(r, off, DNS_TYPE_A, bytes, 4);
				an++;
			} else if (qtype == DNS_TYPE_AAA &&
				   inet_pton(AF_INET6, n->addrs[i], bytes) == 1) {
				off = put_answer(r, off, DNS_TYPE_AAA, bytes, 16);
				an++;
			}
		}
	}
	r[7] = (uint8_t)an;
	(void)sendto(d->fd, r, off, 0, (const struct sockaddr *)from, sizeof(*from));
}

static void
on_read(void *arg, int fd, enum rtrmod_io_event event)
{
	struct fake_dns *d = arg;
	uint8_t q[DNS_MAX];
	struct sockaddr_in from;
	socklen_t flen;
	ssize_t n;

	(void)event;
	for (int i = 0; i < 64; i++) {
		flen = sizeof(from);
		n = recvfrom(fd, q, sizeof(q), MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
		if (n < 0)
			return;
		if (flen == sizeof(from) && from.sin_family == AF_INET)
			answer(d, q, (size_t)n, &from);
	}
}

struct fake_dns *
fake_dns_new(struct rtrmod_loop *loop)
{
	struct fake_dns *d = calloc(1, sizeof(*d));
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	ck_assert_ptr_nonnull(d);
	d->loop = loop;
	d->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(d->fd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(d->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(d->fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(d->servers, sizeof(d->servers), "127.0.0.1:%u", (unsigned)ntohs(sin.sin_port));
	ck_assert_int_eq(rtrmod_loop_watch(loop, d->fd, RTRMOD_IO_READ, on_read, d, &d->watch), 0);
	return d;
}

void
fake_dns_free(struct fake_dns *d)
{
	if (d == NULL)
		return;
	rtrmod_loop_unwatch(d->loop, d->watch);
	close(d->fd);
	free(d);
}

const char *
fake_dns_servers(const struct fake_dns *d)
{
	return d->servers;
}

void
fake_dns_set(struct fake_dns *d, const char *name, const char *const *addrs)
{
	struct fake_name *n = find(d, name, true);

	ck_assert_ptr_nonnull(n);
	n->mode = FAKE_ANSWER;
	n->naddrs = 0;
	for (; addrs != NULL && *addrs != NULL && n->naddrs < FAKE_DNS_ADDRS; addrs++)
		snprintf(n->addrs[n->naddrs++], sizeof(n->addrs[0]), "%s", *addrs);
}

void
fake_dns_set_rcode(struct fake_dns *d, const char *name, int rcode)
{
	struct fake_name *n = find(d, name, true);

	ck_assert_ptr_nonnull(n);
	n->mode = FAKE_RCODE;
	n->rcode = rcode;
}

void
fake_dns_set_silent(struct fake_dns *d, const char *name)
{
	struct fake_name *n = find(d, name, true);

	ck_assert_ptr_nonnull(n);
	n->mode = FAKE_SILENT;
}

void
fake_dns_set_drop(struct fake_dns *d, const char *name, unsigned qtype)
{
	struct fake_name *n = find(d, name, true);

	ck_assert_ptr_nonnull(n);
	n->drop = qtype;
}

unsigned
fake_dns_queries(const struct fake_dns *d, const char *name, unsigned qtype)
{
	for (unsigned i = 0; i < FAKE_DNS_NAMES; i++) {
		const struct fake_name *n = &d->names[i];

		if (!n->used || strcasecmp(n->name, name) != 0)
			continue;
		if (qtype == DNS_TYPE_A)
			return n->queries_a;
		if (qtype == DNS_TYPE_AAA)
			return n->queries_aaaa;
		return n->queries_a + n->queries_aaaa + n->queries_other;
	}
	return 0;
}
