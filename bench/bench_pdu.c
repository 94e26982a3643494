/*
 * bench_pdu.c: throughput of the PDU codec on the PDUs that dominate RTR
 * traffic, IPv4 and IPv6 Prefix PDUs: decoding through rtrmod_pdu_decode()
 * directly and through the stream decoder fed 64 KiB at a time (as a
 * session's reads arrive), and encoding.  A plain memcpy of the same bytes
 * is timed too, as the ceiling on this machine, and every figure is also
 * printed as a fraction of it.  The input is synthetic but shaped like the
 * real VRP set (mostly /24 IPv4, /32-/48 IPv6, announce, version 1) and is
 * built from a fixed seed, so runs compare; it needs no data files.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rtrmod/ctx.h>
#include <rtrmod/pdu.h>

#define N_V4    (1u << 20) /* 20 MiB of IPv4 Prefix PDUs */
#define N_V6    (1u << 19) /* 16 MiB of IPv6 Prefix PDUs */
#define CHUNK   (64u * 1024u)
#define REPEATS 7

struct workload {
	const char *name;
	struct rtrmod_pdu *pdus;
	size_t n;
	uint8_t *bytes;
	size_t len;
};

/* What every measured loop adds to, so nothing is optimised away. */
static volatile uint64_t sink;

static uint64_t
xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_pdu: %s\n", what);
	exit(1);
}

/* One Prefix PDU shaped like a real VRP. */
static void
make_prefix(uint64_t *r, struct rtrmod_pdu *p, int v6)
{
	uint64_t x = xorshift64(r);
	unsigned i, bits = v6 ? 128 : 32;
	struct rtrmod_pdu_prefix *pf = &p->u.prefix;

	memset(p, 0, sizeof(*p));
	p->version = 1;
	p->type = v6 ? RTRMOD_PDU_IPV6_PREFIX : RTRMOD_PDU_IPV4_PREFIX;
	pf->flags = RTRMOD_PDU_FLAG_ANNOUNCE;
	if (v6) {
		pf->prefix_len = (uint8_t)(32 + (x & 15));
		pf->addr[0] = 0x20;
		pf->addr[1] = (uint8_t)(x >> 8);
		for (i = 2; i < 8; i++)
			pf->addr[i] = (uint8_t)(x >> (8 * i));
	} else {
		pf->prefix_len = (x & 3) != 0 ? 24 : (uint8_t)(16 + (x >> 2) % 8);
		for (i = 0; i < 4; i++)
			pf->addr[i] = (uint8_t)(x >> (8 * i + 8));
	}
	for (i = pf->prefix_len; i < bits; i++)
		pf->addr[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
	pf->max_len =
	    (x >> 40) % 4 == 0 ? (uint8_t)(pf->prefix_len + (v6 ? 16 : 0)) : pf->prefix_len;
	if (pf->max_len > bits)
		pf->max_len = (uint8_t)bits;
	pf->asn = 1 + (uint32_t)(xorshift64(r) % 400000);
}

static void
workload_make(struct workload *w, const char *name, int v6, size_t n, uint64_t seed)
{
	size_t i, pdu_len = v6 ? 32 : 20, used;

	w->name = name;
	w->n = n;
	w->len = n * pdu_len;
	w->pdus = malloc(n * sizeof(*w->pdus));
	w->bytes = malloc(w->len);
	if (w->pdus == NULL || w->bytes == NULL)
		die("out of memory");
	for (i = 0; i < n; i++) {
		make_prefix(&seed, &w->pdus[i], v6);
		if (rtrmod_pdu_encode(&w->pdus[i], w->bytes + i * pdu_len, pdu_len, &used) != 0 ||
		    used != pdu_len)
			die("encode failed while building the workload");
	}
}

static double
run_memcpy(const struct workload *w, uint8_t *dst)
{
	double t = now();

	memcpy(dst, w->bytes, w->len);
	t = now() - t;
	sink += dst[w->len - 1];
	return t;
}

static double
run_decode(const struct workload *w, uint8_t *scratch)
{
	struct rtrmod_pdu pdu;
	struct rtrmod_pdu_error err;
	size_t off = 0, used;
	uint64_t sum = 0;
	double t = now();

	(void)scratch;
	while (off < w->len) {
		if (rtrmod_pdu_decode(w->bytes + off, w->len - off, &pdu, &used, &err) != 0)
			die("decode failed");
		sum += pdu.u.prefix.asn;
		off += used;
	}
	t = now() - t;
	sink += sum;
	return t;
}

static double
run_stream(const struct workload *w, uint8_t *scratch)
{
	struct rtrmod_ctx *ctx;
	struct rtrmod_pdu_stream *s;
	struct rtrmod_pdu pdu;
	struct rtrmod_pdu_error err;
	size_t off = 0, n, count = 0;
	uint64_t sum = 0;
	double t;
	int rc;

	(void)scratch;
	if (rtrmod_ctx_new(NULL, &ctx) != 0 || rtrmod_pdu_stream_new(ctx, 0, &s) != 0)
		die("stream setup failed");
	t = now();
	while (off < w->len) {
		n = w->len - off < CHUNK ? w->len - off : CHUNK;
		if (rtrmod_pdu_stream_feed(s, w->bytes + off, n) != 0)
			die("feed failed");
		off += n;
		while ((rc = rtrmod_pdu_stream_next(s, &pdu, &err)) == 0) {
			sum += pdu.u.prefix.asn;
			count++;
		}
		if (rc != RTRMOD_EAGAIN)
			die("stream decode failed");
	}
	t = now() - t;
	if (count != w->n)
		die("stream lost PDUs");
	rtrmod_pdu_stream_free(s);
	rtrmod_ctx_free(ctx);
	sink += sum;
	return t;
}

static double
run_encode(const struct workload *w, uint8_t *dst)
{
	size_t i, off = 0, used;
	double t = now();

	for (i = 0; i < w->n; i++) {
		if (rtrmod_pdu_encode(&w->pdus[i], dst + off, w->len - off, &used) != 0)
			die("encode failed");
		off += used;
	}
	t = now() - t;
	if (off != w->len || memcmp(dst, w->bytes, w->len) != 0)
		die("encode produced other bytes");
	return t;
}

/* Best of REPEATS runs (after one warm-up). */
static double
best_of(double (*fn)(const struct workload *, uint8_t *), const struct workload *w, uint8_t *dst)
{
	double best = 1e30, t;
	int i;

	fn(w, dst);
	for (i = 0; i < REPEATS; i++) {
		t = fn(w, dst);
		if (t < best)
			best = t;
	}
	return best;
}

static void
report(const char *what, const struct workload *w, double secs, double memcpy_secs)
{
	printf("%-24s %-5s %10.1f Mpdu/s %9.1f MB/s   %5.3f of memcpy\n", what, w->name,
	       (double)w->n / secs / 1e6, (double)w->len / secs / 1e6, memcpy_secs / secs);
}

int
main(void)
{
	struct workload ws[2];
	uint8_t *dst;
	double mc;
	int i;

	workload_make(&ws[0], "IPv4", 0, N_V4, 0x5eed4);
	workload_make(&ws[1], "IPv6", 1, N_V6, 0x5eed6);
	dst = malloc(ws[0].len > ws[1].len ? ws[0].len : ws[1].len);
	if (dst == NULL)
		die("out of memory");
	memset(dst, 0, ws[0].len > ws[1].len ? ws[0].len : ws[1].len);
	printf("rtrmod %s PDU codec, best of %d runs; MB = 10^6 bytes\n", rtrmod_version(),
	       REPEATS);
	printf("IPv4: %zu PDUs, %zu bytes; IPv6: %zu PDUs, %zu bytes; stream chunk %u bytes\n",
	       ws[0].n, ws[0].len, ws[1].n, ws[1].len, CHUNK);
	for (i = 0; i < 2; i++) {
		mc = best_of(run_memcpy, &ws[i], dst);
		report("memcpy (ceiling)", &ws[i], mc, mc);
		report("decode (direct)", &ws[i], best_of(run_decode, &ws[i], dst), mc);
		report("decode (stream, 64K)", &ws[i], best_of(run_stream, &ws[i], dst), mc);
		report("encode", &ws[i], best_of(run_encode, &ws[i], dst), mc);
	}
	for (i = 0; i < 2; i++) {
		free(ws[i].pdus);
		free(ws[i].bytes);
	}
	free(dst);
	return 0;
}
