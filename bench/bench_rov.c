/*
 * bench_rov.c: how fast rtrmod's ROV index (RFC 6811) is built and
 * validates routes on real data, with RTRlib's pfx_table measured in the
 * same run on the same input.  It loads a production VRP snapshot and a
 * full BGP table, and times on one core, best of N runs, the index build,
 * validation of every route in table order and shuffled, and of IPv6 routes
 * drawn next to real IPv6 VRPs.  Both libraries must give every route the
 * same state, or the bench fails.
 */
#include "config.h"

#include <getopt.h>
#include <malloc.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <rtrmod/rtrmod.h>

#ifdef BENCH_HAVE_RTRLIB
#include <rtrlib/rtrlib.h>
#endif

#include "bench_xz.h"

#ifndef BENCH_DATA_DIR
#define BENCH_DATA_DIR "../shared/data"
#endif

#define VRP_FILE "vrps/rpki-client_20250720T100143Z.json.xz"
#define BGP_FILE "bgp/rrc06_bview.20100701.0759.bgpdump-m.txt.xz"

#define BUILD_RUNS    5
#define VALIDATE_RUNS 7
#define SEED          20250720u
#define EXIT_SKIP     77
#define SHOW_MISMATCH 5

/* What the ROV core is held to; printed beside the figures. */
#define TARGET_RATE  10e6 /* validations per second */
#define TARGET_RATIO 3.0  /* times RTRlib's validations per second */
#define TARGET_BUILD 0.3  /* seconds to build the index */
#define TARGET_BYTES 32.0 /* index bytes per VRP */

/* A route to validate.  Routes whose origin is an AS_SET are left out. */
struct route {
	struct rtrmod_prefix prefix;
	uint32_t asn;
};

/* A list of routes and what the two libraries make of it. */
struct route_set {
	const char *name;
	struct route *r;
	size_t n;
	size_t state[3]; /* rtrmod's result, by enum rtrmod_rov_state */
	size_t disagree; /* routes where RTRlib's state differs */
	double rtrmod_s; /* best time to validate the whole list */
	double rtrlib_s; /* 0 when RTRlib was not measured */
#ifdef BENCH_HAVE_RTRLIB
	struct lrtr_ip_addr *ip;
#endif
};

/* What a line of the BGP table gives. */
enum line_kind {
	LINE_ROUTE,
	LINE_AS_SET, /* final segment an AS_SET: the origin is NONE (RFC 6811 §2) */
	LINE_EMPTY,  /* empty AS path: originated by the peer itself */
	LINE_BAD,
	LINE_KINDS,
};

struct bench {
	const char *data;
	char vrp_path[4096], bgp_path[4096];
	int cpu;
	struct rtrmod_ctx *ctx;
	struct rtrmod_set *set;
	struct rtrmod_rov_index *idx;
	const struct rtrmod_vrp *vrps;
	size_t nvrp, nvrp6, dropped;
	double load_s, set_s, build_s, rtrlib_build_s;
	size_t index_bytes, index_heap, rtrlib_heap, rtrlib_add_failed;
	size_t skipped[LINE_KINDS];
	struct route_set table, shuffled, v6;
#ifdef BENCH_HAVE_RTRLIB
	struct pfx_table pt;
	bool have_pt;
#endif
};

static volatile unsigned int bench_sink;

/* ---- helpers ------------------------------------------------------------ */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Bytes malloc has handed out and not had back (0 where unknown). */
static size_t
heap_used(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
#else
	return 0;
#endif
}

/* Keep the bench on the core it started on; the core, or -1. */
static int
pin_core(void)
{
	cpu_set_t cpus;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return -1;
	CPU_ZERO(&cpus);
	CPU_SET(cpu, &cpus);
	return sched_setaffinity(0, sizeof(cpus), &cpus) == 0 ? cpu : -1;
}

static uint64_t
rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void *
xrealloc(void *p, size_t size)
{
	p = realloc(p, size > 0 ? size : 1);
	if (p == NULL) {
		fprintf(stderr, "bench_rov: out of memory (%zu bytes)\n", size);
		exit(1);
	}
	return p;
}

/* Fisher-Yates with splitmix64 from a fixed seed: the same order every run.
 * Elements of up to 64 bytes (routes and VRPs are 24). */
static void
shuffle(void *base, size_t n, size_t size, uint64_t seed)
{
	char *a = base, t[64];
	size_t i, j;

	for (i = n; i > 1 && size <= sizeof(t); i--) {
		j = (size_t)(rng_next(&seed) % i);
		memcpy(t, a + (i - 1) * size, size);
		memcpy(a + (i - 1) * size, a + j * size, size);
		memcpy(a + j * size, t, size);
	}
}

/* ---- reading the data --------------------------------------------------- */

static int
xz_close(FILE *f, const char *path)
{
	int st = pclose(f);

	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench_rov: xz -dc %s failed (status %d); is xz installed?\n", path,
			st);
		return -1;
	}
	return 0;
}

static void
read_all(FILE *f, char **out, size_t *len)
{
	size_t cap = 1 << 24, n = 0, got;
	char *buf = xrealloc(NULL, cap);

	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	*out = buf;
	*len = n;
}

/* The VRP snapshot through rtrmod_source; its "expires" lie in the past. */
static int
load_vrps(struct bench *b)
{
	struct rtrmod_source *src = NULL;
	char *text;
	size_t len, i;
	int rc = -1;
	double t0 = now_s();
	FILE *f = bench_xz_open(b->vrp_path);

	if (f == NULL)
		return -1;
	read_all(f, &text, &len);
	if (xz_close(f, b->vrp_path) != 0)
		goto fail;
	if (rtrmod_source_new(b->ctx, &src) != 0)
		goto fail;
	rtrmod_source_set_ignore_expiry(src, true);
	if (rtrmod_source_load_json_buffer(src, b->vrp_path, text, len, (int64_t)time(NULL),
					   &b->set) != 0) {
		fprintf(stderr, "bench_rov: %s\n", rtrmod_source_error(src));
		goto fail;
	}
	b->load_s = now_s() - t0;
	b->dropped = rtrmod_source_dropped_total(src, RTRMOD_SOURCE_VRP);
	b->vrps = rtrmod_set_vrps(b->set, &b->nvrp);
	for (i = 0; i < b->nvrp; i++)
		b->nvrp6 += b->vrps[i].prefix.afi == RTRMOD_AFI_IPV6;
	rc = b->nvrp > 0 ? 0 : -1;
fail:
	rtrmod_source_free(src);
	free(text);
	return rc;
}

/* One `bgpdump -m` line: prefix = field 6, origin = last AS of field 7. */
static enum line_kind
route_line(char *line, struct route *out)
{
	char *field[7], *p = line, *last, *end;
	unsigned long asn;
	size_t len;
	int i;

	for (i = 0; i < 7; i++) {
		if (p == NULL)
			return LINE_BAD;
		field[i] = p;
		p = strchr(p, '|');
		if (p != NULL)
			*p++ = '\0';
	}
	len = strlen(field[6]);
	while (len > 0 && (field[6][len - 1] == ' ' || field[6][len - 1] == '\n'))
		field[6][--len] = '\0';
	if (len == 0)
		return LINE_EMPTY;
	if (field[6][len - 1] == '}')
		return LINE_AS_SET;
	last = strrchr(field[6], ' ');
	last = last != NULL ? last + 1 : field[6];
	if (*last < '0' || *last > '9')
		return LINE_BAD;
	asn = strtoul(last, &end, 10);
	if (*end != '\0' || asn > UINT32_MAX)
		return LINE_BAD;
	if (rtrmod_prefix_parse(field[5], &out->prefix) != 0)
		return LINE_BAD;
	out->asn = (uint32_t)asn;
	return LINE_ROUTE;
}

static int
load_routes(struct bench *b)
{
	struct route_set *s = &b->table;
	size_t cap = 1 << 20, lcap = 0;
	char *line = NULL;
	enum line_kind kind;
	FILE *f = bench_xz_open(b->bgp_path);

	if (f == NULL)
		return -1;
	s->r = xrealloc(NULL, cap * sizeof(*s->r));
	while (getline(&line, &lcap, f) >= 0) {
		if (s->n == cap)
			s->r = xrealloc(s->r, (cap *= 2) * sizeof(*s->r));
		kind = route_line(line, &s->r[s->n]);
		if (kind == LINE_ROUTE)
			s->n++;
		else
			b->skipped[kind]++;
	}
	free(line);
	if (xz_close(f, b->bgp_path) != 0)
		return -1;
	return s->n > 0 ? 0 : -1;
}

/*
 * The table is IPv4 only, so IPv6 routes are made: two per IPv6 VRP, its
 * prefix lengthened by 0-8 random bits, originated by the VRP's AS or by
 * the next AS number (never AS 0), in a fixed-seed shuffled order.
 */
static void
make_v6_routes(struct bench *b)
{
	struct route_set *s = &b->v6;
	uint64_t rng = SEED ^ 6;
	unsigned int len, k, rep;
	size_t i;

	s->r = xrealloc(NULL, 2 * b->nvrp6 * sizeof(*s->r));
	for (rep = 0; rep < 2; rep++) {
		for (i = 0; i < b->nvrp; i++) {
			const struct rtrmod_vrp *v = &b->vrps[i];
			struct route *x;
			uint64_t z, bits;
			uint32_t other = v->asn + 1 != 0 ? v->asn + 1 : 1;

			if (v->prefix.afi != RTRMOD_AFI_IPV6)
				continue;
			x = &s->r[s->n++];
			z = rng_next(&rng);
			bits = rng_next(&rng);
			x->prefix = v->prefix;
			len = v->prefix.len + (unsigned int)(z % 9);
			len = len > 128 ? 128 : len;
			for (k = v->prefix.len; k < len; k++) {
				if ((bits >> (k - v->prefix.len)) & 1)
					x->prefix.addr[k / 8] |= (uint8_t)(0x80 >> (k % 8));
			}
			x->prefix.len = (uint8_t)len;
			x->asn = (z >> 32 & 1) && v->asn != 0 ? v->asn : other;
		}
	}
	shuffle(s->r, s->n, sizeof(*s->r), SEED);
}

/* ---- rtrmod ------------------------------------------------------------- */

/* Index build, best of BUILD_RUNS; the last index is kept. */
static int
rtrmod_build(struct bench *b)
{
	struct rtrmod_rov_index *idx = NULL;
	double t0, t;
	size_t h0;
	int run;

	b->build_s = 1e30;
	for (run = 0; run < BUILD_RUNS; run++) {
		rtrmod_rov_index_free(idx);
		h0 = heap_used();
		t0 = now_s();
		if (rtrmod_rov_index_new(b->ctx, b->set, &idx) != 0)
			return -1;
		t = now_s() - t0;
		b->index_heap = heap_used() - h0;
		if (t < b->build_s)
			b->build_s = t;
	}
	b->idx = idx;
	b->index_bytes = rtrmod_rov_index_memory(idx);
	return 0;
}

/* For comparison: the set the index is built from (sort, deduplicate), fed
 * the VRPs in a shuffled order, best of BUILD_RUNS. */
static int
rtrmod_set_build(struct bench *b)
{
	struct rtrmod_vrp *v = xrealloc(NULL, b->nvrp * sizeof(*v));
	struct rtrmod_set_builder *sb;
	struct rtrmod_set *set;
	double t0;
	size_t i;
	int run;

	memcpy(v, b->vrps, b->nvrp * sizeof(*v));
	shuffle(v, b->nvrp, sizeof(*v), SEED);
	b->set_s = 1e30;
	for (run = 0; run < BUILD_RUNS; run++) {
		t0 = now_s();
		if (rtrmod_set_builder_new(b->ctx, &sb) != 0)
			goto fail;
		for (i = 0; i < b->nvrp; i++) {
			if (rtrmod_set_builder_add_vrp(sb, &v[i]) != 0) {
				rtrmod_set_builder_free(sb);
				goto fail;
			}
		}
		if (rtrmod_set_builder_finish(sb, &set) != 0)
			goto fail;
		t0 = now_s() - t0;
		b->set_s = t0 < b->set_s ? t0 : b->set_s;
		rtrmod_set_unref(set);
	}
	free(v);
	return 0;
fail:
	free(v);
	return -1;
}

static double
rtrmod_time(const struct rtrmod_rov_index *idx, const struct route *r, size_t n)
{
	struct rtrmod_origin o = {RTRMOD_ORIGIN_AS, 0};
	double best = 1e30, t0;
	unsigned int acc = 0;
	size_t i;
	int run;

	for (run = 0; run < VALIDATE_RUNS; run++) {
		t0 = now_s();
		for (i = 0; i < n; i++) {
			o.asn = r[i].asn;
			acc += rtrmod_rov_validate(idx, &r[i].prefix, o, NULL);
		}
		t0 = now_s() - t0;
		best = t0 < best ? t0 : best;
	}
	bench_sink += acc;
	return best;
}

/* ---- RTRlib ------------------------------------------------------------- */

#ifdef BENCH_HAVE_RTRLIB
/* RTRlib keeps addresses in its own (host-order) form: go through text. */
static int
rtrlib_addr(const struct rtrmod_prefix *p, struct lrtr_ip_addr *out)
{
	char buf[INET6_ADDRSTRLEN];
	int af = p->afi == RTRMOD_AFI_IPV6 ? AF_INET6 : AF_INET;

	if (inet_ntop(af, p->addr, buf, sizeof(buf)) == NULL)
		return -1;
	return lrtr_ip_str_to_addr(buf, out) == 0 ? 0 : -1;
}

static int
rtrlib_prepare_routes(struct route_set *s)
{
	size_t i;

	s->ip = xrealloc(NULL, s->n * sizeof(*s->ip));
	for (i = 0; i < s->n; i++) {
		if (rtrlib_addr(&s->r[i].prefix, &s->ip[i]) != 0)
			return -1;
	}
	return 0;
}

/* pfx_table_init and pfx_table_add of every VRP, best of BUILD_RUNS; the
 * records are converted beforehand, untimed.  The last table is kept. */
static int
rtrlib_build(struct bench *b)
{
	struct pfx_record *rec = xrealloc(NULL, b->nvrp * sizeof(*rec));
	double t0;
	size_t i, h0 = 0;
	int run;

	memset(rec, 0, b->nvrp * sizeof(*rec));
	for (i = 0; i < b->nvrp; i++) {
		rec[i].asn = b->vrps[i].asn;
		rec[i].min_len = b->vrps[i].prefix.len;
		rec[i].max_len = b->vrps[i].max_len;
		if (rtrlib_addr(&b->vrps[i].prefix, &rec[i].prefix) != 0) {
			free(rec);
			return -1;
		}
	}
	b->rtrlib_build_s = 1e30;
	for (run = 0; run < BUILD_RUNS; run++) {
		if (b->have_pt)
			pfx_table_free(&b->pt);
		b->rtrlib_add_failed = 0;
		h0 = heap_used();
		t0 = now_s();
		pfx_table_init(&b->pt, NULL);
		for (i = 0; i < b->nvrp; i++)
			b->rtrlib_add_failed += pfx_table_add(&b->pt, &rec[i]) != PFX_SUCCESS;
		t0 = now_s() - t0;
		b->have_pt = true;
		b->rtrlib_heap = heap_used() - h0;
		b->rtrlib_build_s = t0 < b->rtrlib_build_s ? t0 : b->rtrlib_build_s;
	}
	free(rec);
	return 0;
}

static double
rtrlib_time(struct pfx_table *pt, const struct route_set *s)
{
	enum pfxv_state st;
	double best = 1e30, t0;
	unsigned int acc = 0;
	size_t i;
	int run;

	for (run = 0; run < VALIDATE_RUNS; run++) {
		t0 = now_s();
		for (i = 0; i < s->n; i++) {
			pfx_table_validate(pt, s->r[i].asn, &s->ip[i], s->r[i].prefix.len, &st);
			acc += st;
		}
		t0 = now_s() - t0;
		best = t0 < best ? t0 : best;
	}
	bench_sink += acc;
	return best;
}

static int
rtrlib_state(struct pfx_table *pt, const struct route_set *s, size_t i)
{
	enum pfxv_state st;

	if (pfx_table_validate(pt, s->r[i].asn, &s->ip[i], s->r[i].prefix.len, &st) != PFX_SUCCESS)
		return -1;
	switch (st) {
	case BGP_PFXV_STATE_VALID:
		return RTRMOD_ROV_VALID;
	case BGP_PFXV_STATE_NOT_FOUND:
		return RTRMOD_ROV_NOT_FOUND;
	case BGP_PFXV_STATE_INVALID:
		return RTRMOD_ROV_INVALID;
	}
	return -1;
}

static int
rtrlib_run(struct bench *b)
{
	struct route_set *sets[3] = {&b->table, &b->shuffled, &b->v6};
	int k;

	if (rtrlib_build(b) != 0)
		return -1;
	for (k = 0; k < 3; k++) {
		if (rtrlib_prepare_routes(sets[k]) != 0)
			return -1;
		sets[k]->rtrlib_s = rtrlib_time(&b->pt, sets[k]);
	}
	return 0;
}
#endif

/* ---- cross-check -------------------------------------------------------- */

/* rtrmod's state for every route, counted, and compared with RTRlib's. */
static void
route_set_check(struct bench *b, struct route_set *s)
{
	struct rtrmod_origin o = {RTRMOD_ORIGIN_AS, 0};
	char text[64];
	size_t i;
	int mine, theirs;

	for (i = 0; i < s->n; i++) {
		o.asn = s->r[i].asn;
		mine = rtrmod_rov_validate(b->idx, &s->r[i].prefix, o, NULL);
		s->state[mine]++;
#ifdef BENCH_HAVE_RTRLIB
		theirs = rtrlib_state(&b->pt, s, i);
#else
		theirs = mine;
#endif
		if (theirs == mine)
			continue;
		if (s->disagree++ < SHOW_MISMATCH) {
			rtrmod_prefix_format(&s->r[i].prefix, text, sizeof(text));
			fprintf(stderr, "bench_rov: %s: %s AS%u: rtrmod %s, RTRlib %s\n", s->name,
				text, s->r[i].asn, rtrmod_rov_state_name(mine),
				theirs < 0 ? "error" : rtrmod_rov_state_name(theirs));
		}
	}
}

/* ---- report ------------------------------------------------------------- */

static const char *
verdict(bool met)
{
	return met ? "met" : "MISSED";
}

static void
print_row(const char *what, const char *mine, const char *theirs, const char *ratio,
	  const char *target)
{
	printf("  %-24s %-13s %-13s %-14s %s\n", what, mine, theirs, ratio, target);
}

static void
print_head(const struct bench *b)
{
	char *real = realpath(b->data, NULL), where[32] = "not pinned";

	if (b->cpu >= 0)
		snprintf(where, sizeof(where), "pinned to cpu %d", b->cpu);
	printf("bench_rov: route origin validation on one core (%s), best of %d runs "
	       "(builds: best of %d)\n",
	       where, VALIDATE_RUNS, BUILD_RUNS);
	printf("data    %s\n", real != NULL ? real : b->data);
	free(real);
	printf("VRPs    %zu (IPv4 %zu, IPv6 %zu), %zu dropped, expiry ignored, from %s "
	       "(xz + JSON load %.2f s)\n",
	       b->nvrp, b->nvrp - b->nvrp6, b->nvrp6, b->dropped, VRP_FILE, b->load_s);
	printf("routes  %zu from %s; left out: %zu with an AS_SET origin, %zu with an empty "
	       "path, %zu unparsed\n",
	       b->table.n, BGP_FILE, b->skipped[LINE_AS_SET], b->skipped[LINE_EMPTY],
	       b->skipped[LINE_BAD]);
	printf("        shuffled: the same routes in a fixed-seed order (splitmix64, seed %u)\n",
	       SEED);
	printf("IPv6    %zu routes made next to the IPv6 VRPs (the table is IPv4 only): two per "
	       "VRP, 0-8 bits longer, its AS or the next; shuffled\n",
	       b->v6.n);
#ifdef BENCH_HAVE_RTRLIB
	printf("RTRlib  %d.%d.%d: pfx_table_init + pfx_table_add per VRP, pfx_table_validate "
	       "per route (%zu adds failed)\n",
	       RTRLIB_VERSION_MAJOR, RTRLIB_VERSION_MINOR, RTRLIB_VERSION_PATCH,
	       b->rtrlib_add_failed);
#else
	printf("RTRlib  comparison skipped: configure found no RTRlib (pkg-config module "
	       "rtrlib >= 0.8, Debian package librtr-dev); install it (scripts/deps.sh) and "
	       "re-run configure\n");
#endif
	printf("\n");
	print_row("", "rtrmod", "RTRlib", "rtrmod/RTRlib", "target");
}

static void
print_build(const struct bench *b)
{
	char mine[32], theirs[32] = "skipped", ratio[32] = "-", target[64];
	double per = (double)b->index_bytes / (double)b->nvrp;

	snprintf(mine, sizeof(mine), "%.3f s", b->build_s);
	if (b->rtrlib_build_s > 0) {
		snprintf(theirs, sizeof(theirs), "%.3f s", b->rtrlib_build_s);
		snprintf(ratio, sizeof(ratio), "%.2fx", b->rtrlib_build_s / b->build_s);
	}
	snprintf(target, sizeof(target), "< %.1f s: %s", TARGET_BUILD,
		 verdict(b->build_s < TARGET_BUILD));
	print_row("index build", mine, theirs, ratio, target);
	snprintf(mine, sizeof(mine), "%.3f s", b->set_s);
	print_row("  (set build, for info)", mine, "", "", "sort + dedup, before the index");
	snprintf(mine, sizeof(mine), "%.1f B/VRP", per);
	snprintf(target, sizeof(target), "< %.0f B/VRP: %s", TARGET_BYTES,
		 verdict(per < TARGET_BYTES));
	print_row("index memory", mine, "-", "", target);
	snprintf(mine, sizeof(mine), "%.1f B/VRP", (double)b->index_heap / (double)b->nvrp);
	theirs[0] = '\0';
	if (b->rtrlib_build_s > 0)
		snprintf(theirs, sizeof(theirs), "%.1f B/VRP",
			 (double)b->rtrlib_heap / (double)b->nvrp);
	if (b->index_heap > 0)
		print_row("  (malloc'd, mallinfo2)", mine, theirs, "", "");
}

static void
print_rate(const struct route_set *s)
{
	char mine[32], theirs[32] = "skipped", ratio[32] = "-", target[96];
	double rate = (double)s->n / s->rtrmod_s, ratio_v = 0;

	snprintf(mine, sizeof(mine), "%.2f M/s", rate / 1e6);
	if (s->rtrlib_s > 0) {
		ratio_v = s->rtrlib_s / s->rtrmod_s;
		snprintf(theirs, sizeof(theirs), "%.2f M/s", (double)s->n / s->rtrlib_s / 1e6);
		snprintf(ratio, sizeof(ratio), "%.2fx", ratio_v);
	}
	snprintf(target, sizeof(target), ">= %.0f M/s: %s; >= %.0fx: %s", TARGET_RATE / 1e6,
		 verdict(rate >= TARGET_RATE), TARGET_RATIO,
		 s->rtrlib_s > 0 ? verdict(ratio_v >= TARGET_RATIO) : "not measured");
	print_row(s->name, mine, theirs, ratio, target);
}

static void
print_states(const struct bench *b, bool checked)
{
	const struct route_set *sets[3] = {&b->table, &b->shuffled, &b->v6};
	size_t total = 0, disagree = 0;
	int k;

	printf("\n  %-24s %9s %9s %9s %9s\n", "states (rtrmod)", "routes", "valid", "invalid",
	       "not found");
	for (k = 0; k < 3; k++) {
		const struct route_set *s = sets[k];

		printf("  %-24s %9zu %9zu %9zu %9zu\n", s->name, s->n, s->state[RTRMOD_ROV_VALID],
		       s->state[RTRMOD_ROV_INVALID], s->state[RTRMOD_ROV_NOT_FOUND]);
		total += s->n;
		disagree += s->disagree;
	}
	if (checked)
		printf("\ndisagreements with RTRlib: %zu of %zu routes (target 0: %s)\n", disagree,
		       total, verdict(disagree == 0));
	else
		printf("\ndisagreements with RTRlib: not checked (RTRlib skipped)\n");
	printf("rtrmod/RTRlib is rtrmod's speed over RTRlib's (for builds, RTRlib's time over "
	       "rtrmod's); > 1: rtrmod is faster\n");
}

/* ---- main --------------------------------------------------------------- */

static int
data_present(struct bench *b)
{
	bool vrp, bgp;

	snprintf(b->vrp_path, sizeof(b->vrp_path), "%s/%s", b->data, VRP_FILE);
	snprintf(b->bgp_path, sizeof(b->bgp_path), "%s/%s", b->data, BGP_FILE);
	vrp = access(b->vrp_path, R_OK) == 0;
	bgp = access(b->bgp_path, R_OK) == 0;
	if (vrp && bgp)
		return 1;
	printf("bench_rov: skipped: the benchmark data is missing.  Put these two files\n"
	       "of the shared test data (its README.md says where they come from) here,\n"
	       "or pass --data DIR for a folder with vrps/ and bgp/ that holds them:\n"
	       "  %s%s\n  %s%s\n",
	       b->vrp_path, vrp ? "" : "   (missing)", b->bgp_path, bgp ? "" : "   (missing)");
	return 0;
}

static int
parse_args(struct bench *b, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"data", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	b->data = BENCH_DATA_DIR;
	while ((c = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			b->data = optarg;
			break;
		case 'h':
			printf("usage: bench_rov [--data DIR]\n"
			       "Route origin validation benchmark, rtrmod beside RTRlib.\n"
			       "DIR holds %s and\n%s (default %s).\n",
			       VRP_FILE, BGP_FILE, BENCH_DATA_DIR);
			exit(0);
		default:
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

/* Load, build and time everything; 0 or -1 (already reported). */
static int
bench_run(struct bench *b)
{
	struct route_set *sets[3] = {&b->table, &b->shuffled, &b->v6};
	int k;

	if (rtrmod_ctx_new(NULL, &b->ctx) != 0)
		return -1;
	rtrmod_ctx_set_log(b->ctx, NULL, NULL, RTRMOD_LOG_WARN);
	if (load_vrps(b) != 0 || load_routes(b) != 0) {
		fprintf(stderr, "bench_rov: could not load the data\n");
		return -1;
	}
	b->shuffled.r = xrealloc(NULL, b->table.n * sizeof(*b->shuffled.r));
	memcpy(b->shuffled.r, b->table.r, b->table.n * sizeof(*b->table.r));
	b->shuffled.n = b->table.n;
	shuffle(b->shuffled.r, b->shuffled.n, sizeof(*b->shuffled.r), SEED);
	make_v6_routes(b);
	if (rtrmod_build(b) != 0 || rtrmod_set_build(b) != 0) {
		fprintf(stderr, "bench_rov: rtrmod could not build the index\n");
		return -1;
	}
	for (k = 0; k < 3; k++)
		sets[k]->rtrmod_s = rtrmod_time(b->idx, sets[k]->r, sets[k]->n);
#ifdef BENCH_HAVE_RTRLIB
	if (rtrlib_run(b) != 0) {
		fprintf(stderr, "bench_rov: RTRlib could not take the data\n");
		return -1;
	}
#endif
	for (k = 0; k < 3; k++)
		route_set_check(b, sets[k]);
	return 0;
}

static void
bench_free(struct bench *b)
{
	struct route_set *sets[3] = {&b->table, &b->shuffled, &b->v6};
	int k;

	for (k = 0; k < 3; k++) {
		free(sets[k]->r);
#ifdef BENCH_HAVE_RTRLIB
		free(sets[k]->ip);
#endif
	}
#ifdef BENCH_HAVE_RTRLIB
	if (b->have_pt)
		pfx_table_free(&b->pt);
#endif
	rtrmod_rov_index_free(b->idx);
	rtrmod_set_unref(b->set);
	rtrmod_ctx_free(b->ctx);
}

int
main(int argc, char **argv)
{
	struct bench b;
	bool checked = false;
	int rc = 1;

	memset(&b, 0, sizeof(b));
	b.table.name = "table order";
	b.shuffled.name = "shuffled";
	b.v6.name = "IPv6, shuffled";
	if (parse_args(&b, argc, argv) != 0) {
		fprintf(stderr, "usage: bench_rov [--data DIR]\n");
		return 2;
	}
	if (!data_present(&b))
		return EXIT_SKIP;
	b.cpu = pin_core();
	if (bench_run(&b) != 0)
		goto done;
#ifdef BENCH_HAVE_RTRLIB
	checked = true;
#endif
	print_head(&b);
	print_build(&b);
	print_rate(&b.table);
	print_rate(&b.shuffled);
	print_rate(&b.v6);
	print_states(&b, checked);
	rc = b.table.disagree + b.shuffled.disagree + b.v6.disagree > 0 || b.rtrlib_add_failed > 0;
done:
	bench_free(&b);
	return rc;
}
