/*
 * cmd_validate.c: `rtrmod validate`, origin validation (RFC 6811) of a
 * routing table against a VRP set, with ASPA upstream verification when the
 * set has ASPA records, and an operator's summary: how many routes are
 * valid, invalid (by reason) or not found, and how many invalid routes
 * have no valid or not-found route covering the same addresses, i.e. would
 * become unreachable if invalid routes were rejected.  Uses only the public
 * API of librtrmod.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rtrmod/rtrmod.h>

#include "commands.h"
#include "routes.h"

const char validate_usage[] =
    "usage: rtrmod validate -r VRPS [options] [ROUTES|-]\n"
    "\n"
    "Origin-validate routes (RFC 6811) against a VRP set and summarise the\n"
    "result as an operator would study a full table.  VRPS is JSON from\n"
    "rpki-client, StayRTR/GoRTR/OctoRPKI or Routinator.  ROUTES (standard\n"
    "input when - or absent) holds one route per line, in any mix of:\n"
    "  192.0.2.0/24 AS64496                    prefix and origin AS\n"
    "  192.0.2.0/24 64511 64500 {64496,64497}  prefix and AS path, neighbor first\n"
    "  TABLE_DUMP2|time|B|peer|peer-as|prefix|path|...  bgpdump -m (or TABLE_DUMP)\n"
    "The origin is the last AS of the path; a path ending in an AS_SET has no\n"
    "origin and is never valid (as-set).  When VRPS has ASPA records, routes\n"
    "with a path are also ASPA-verified (upstream).\n"
    "\n"
    "  -r, --vrps FILE        the VRP set (required)\n"
    "  -f, --format FMT       auto (default, per line), origin, path or bgpdump\n"
    "  -l, --local-as AS      origin of routes with an empty path (or a final\n"
    "                         confederation segment); without it they are errors\n"
    "  -j, --json             one JSON object per route and one for the summary\n"
    "  -i, --invalid-only     print only routes a router would reject (ROV\n"
    "                         invalid, or ASPA invalid)\n"
    "  -s, --summary-only     print only the summary\n"
    "  -n, --now SECONDS      judge VRP expiry at this time (default: now)\n"
    "  -E, --ignore-expiry    keep VRPs past their expiry (old snapshots)\n"
    "  -A, --no-aspa          skip ASPA verification\n"
    "  -v, --verbose          log each VRP record dropped and why\n"
    "  -h, --help             this text\n"
    "\n"
    "Text output: PREFIX ORIGIN STATE REASON [ASPA], '-' where not applicable.\n"
    "Exit status: 0 every line validated, 1 a line was bad (each is reported on\n"
    "standard error with its line number; the rest still validate) or the VRPs\n"
    "could not be loaded, 2 usage error.\n";

#define REASONS 6 /* enum rtrmod_rov_reason */

struct validate_opts {
	const char *vrps;
	const char *routes;
	enum route_format format;
	bool json, invalid_only, summary_only, ignore_expiry, no_aspa, verbose;
	bool have_local_as;
	uint32_t local_as;
	int64_t now;
};

/* What the summary keeps of each route. */
struct seen {
	struct rtrmod_prefix prefix;
	uint8_t state;
};

struct validate_run {
	const struct validate_opts *o;
	struct rtrmod_ctx *ctx;
	struct rtrmod_source *src;
	struct rtrmod_set *set;
	struct rtrmod_rov_index *idx;
	bool aspa;
	struct seen *seen;
	size_t nseen, seen_cap;
	size_t state[3], reason[REASONS];
	size_t aspa_state[3], aspa_none;
	size_t bad_lines;
	/* from the summary pass */
	size_t prefixes, stranded, stranded_prefixes;
};

/* ---- options ----------------------------------------------------------- */

static int usage_error(const char *fmt, ...) RTRMOD_PRINTF(1, 2);

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("rtrmod validate: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	fputs(validate_usage, stderr);
	return EXIT_USAGE;
}

static bool
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

static int
validate_opts_parse(int argc, char **argv, struct validate_opts *o)
{
	static const struct option longopts[] = {
	    {"vrps", required_argument, NULL, 'r'},     {"format", required_argument, NULL, 'f'},
	    {"local-as", required_argument, NULL, 'l'}, {"json", no_argument, NULL, 'j'},
	    {"invalid-only", no_argument, NULL, 'i'},   {"summary-only", no_argument, NULL, 's'},
	    {"now", required_argument, NULL, 'n'},      {"ignore-expiry", no_argument, NULL, 'E'},
	    {"no-aspa", no_argument, NULL, 'A'},        {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
	};
	uint64_t v;
	int c;

	o->now = (int64_t)time(NULL);
	while ((c = getopt_long(argc, argv, "r:f:l:jisn:EAvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->vrps = optarg;
			break;
		case 'f':
			if (route_format_parse(optarg, &o->format) != 0)
				return usage_error("unknown route format '%s'", optarg);
			break;
		case 'l':
			if (optarg[0] == 'A' || optarg[0] == 'a')
				optarg += optarg[1] == 'S' || optarg[1] == 's' ? 2 : 0;
			if (!parse_u64(optarg, UINT32_MAX, &v))
				return usage_error("bad --local-as '%s'", optarg);
			o->have_local_as = true;
			o->local_as = (uint32_t)v;
			break;
		case 'j':
			o->json = true;
			break;
		case 'i':
			o->invalid_only = true;
			break;
		case 's':
			o->summary_only = true;
			break;
		case 'n':
			if (!parse_u64(optarg, INT64_MAX, &v))
				return usage_error("bad --now '%s' (seconds since 1970)", optarg);
			o->now = (int64_t)v;
			break;
		case 'E':
			o->ignore_expiry = true;
			break;
		case 'A':
			o->no_aspa = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			fputs(validate_usage, stdout);
			exit(EXIT_SUCCESS);
		default:
			fputs(validate_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1)
		return usage_error("more than one ROUTES file ('%s' ...)", argv[optind + 1]);
	if (o->vrps == NULL)
		return usage_error("no VRP set: give --vrps FILE");
	o->routes = optind < argc ? argv[optind] : "-";
	return 0;
}

/* ---- the VRP set ------------------------------------------------------- */

static int
validate_load(struct validate_run *run)
{
	const struct validate_opts *o = run->o;
	size_t aspas = 0;
	int rc;

	if (rtrmod_ctx_new(NULL, &run->ctx) != 0 || rtrmod_source_new(run->ctx, &run->src) != 0) {
		fprintf(stderr, "rtrmod validate: out of memory\n");
		return -1;
	}
	rtrmod_ctx_set_log(run->ctx, NULL, NULL, o->verbose ? RTRMOD_LOG_DEBUG : RTRMOD_LOG_ERR);
	rtrmod_source_set_ignore_expiry(run->src, o->ignore_expiry);
	rc = rtrmod_source_load_json_file(run->src, o->vrps, o->now, &run->set);
	if (rc != 0) {
		fprintf(stderr, "rtrmod validate: %s\n", rtrmod_source_error(run->src));
		return -1;
	}
	if (rtrmod_source_accepted(run->src, RTRMOD_SOURCE_VRP) == 0 &&
	    rtrmod_source_dropped(run->src, RTRMOD_SOURCE_VRP, RTRMOD_SOURCE_DROP_EXPIRED) > 0)
		fprintf(stderr,
			"rtrmod validate: warning: every VRP in %s is past its expiry; "
			"see --ignore-expiry and --now\n",
			o->vrps);
	rc = rtrmod_rov_index_new(run->ctx, run->set, &run->idx);
	if (rc != 0) {
		fprintf(stderr, "rtrmod validate: ROV index: %s\n", rtrmod_strerror(rc));
		return -1;
	}
	(void)rtrmod_set_aspas(run->set, &aspas);
	run->aspa = aspas > 0 && !o->no_aspa;
	return 0;
}

/* ---- one route --------------------------------------------------------- */

static void
origin_text(const struct rtrmod_origin *origin, char *buf, size_t size)
{
	if (origin->kind == RTRMOD_ORIGIN_AS_SET)
		snprintf(buf, size, "AS_SET");
	else
		snprintf(buf, size, "AS%" PRIu32, origin->asn);
}

static void
print_route(const struct validate_run *run, size_t lineno, const struct route *r,
	    enum rtrmod_rov_state state, enum rtrmod_rov_reason reason, int aspa)
{
	char pfx[64], origin[16];
	const char *aspa_name = aspa >= 0 ? rtrmod_aspa_state_name(aspa) : "-";

	rtrmod_prefix_format(&r->prefix, pfx, sizeof(pfx));
	origin_text(&r->origin, origin, sizeof(origin));
	if (!run->o->json) {
		printf("%s %s %s %s%s%s\n", pfx, origin, rtrmod_rov_state_name(state),
		       state == RTRMOD_ROV_INVALID ? rtrmod_rov_reason_name(reason) : "-",
		       run->aspa ? " " : "", run->aspa ? aspa_name : "");
		return;
	}
	printf("{\"line\":%zu,\"prefix\":\"%s\",\"origin\":\"%s\",\"state\":\"%s\"", lineno, pfx,
	       origin, rtrmod_rov_state_name(state));
	if (state == RTRMOD_ROV_INVALID)
		printf(",\"reason\":\"%s\"", rtrmod_rov_reason_name(reason));
	if (aspa >= 0)
		printf(",\"aspa\":\"%s\"", aspa_name);
	printf("}\n");
}

static int
remember(struct validate_run *run, const struct rtrmod_prefix *prefix, uint8_t state)
{
	if (run->nseen == run->seen_cap) {
		size_t cap = run->seen_cap != 0 ? run->seen_cap * 2 : 4096;
		struct seen *s = realloc(run->seen, cap * sizeof(*s));

		if (s == NULL)
			return -1;
		run->seen = s;
		run->seen_cap = cap;
	}
	run->seen[run->nseen].prefix = *prefix;
	run->seen[run->nseen++].state = state;
	return 0;
}

/* Validate one parsed route, print it, count it.  -1: a bad line. */
static int
validate_route(struct validate_run *run, struct route *r, const char *name, size_t lineno)
{
	enum rtrmod_rov_reason reason = RTRMOD_ROV_REASON_NONE;
	enum rtrmod_rov_state state;
	int aspa = -1;

	if (r->from == ROUTE_ORIGIN_LOCAL) {
		if (!run->o->have_local_as) {
			fprintf(stderr,
				"rtrmod validate: %s:%zu: %s AS path: the origin is the local "
				"AS; give --local-as\n",
				name, lineno,
				r->segment_count == 0 ? "empty" : "confederation-final");
			return -1;
		}
		r->origin.kind = RTRMOD_ORIGIN_AS;
		r->origin.asn = run->o->local_as;
	}
	state = rtrmod_rov_validate(run->idx, &r->prefix, r->origin, &reason);
	if (run->aspa && r->has_path && r->segment_count > 0)
		aspa = (int)rtrmod_aspa_verify(run->set, RTRMOD_ASPA_UPSTREAM, r->segments,
					       r->segment_count);
	run->state[state]++;
	if (state == RTRMOD_ROV_INVALID && (unsigned)reason < REASONS)
		run->reason[reason]++;
	if (aspa >= 0)
		run->aspa_state[aspa]++;
	else if (run->aspa)
		run->aspa_none++;
	if (remember(run, &r->prefix, (uint8_t)state) != 0) {
		fprintf(stderr, "rtrmod validate: out of memory\n");
		exit(EXIT_FAILURE);
	}
	if (run->o->summary_only ||
	    (run->o->invalid_only && state != RTRMOD_ROV_INVALID && aspa != RTRMOD_ASPA_INVALID))
		return 0;
	print_route(run, lineno, r, state, reason, aspa);
	return 0;
}

static int
validate_stream(struct validate_run *run, FILE *f, const char *name)
{
	struct route_parser parser;
	struct route r;
	char *line = NULL;
	size_t cap = 0, lineno = 0;

	route_parser_init(&parser, run->o->format);
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		switch (route_parse(&parser, line, &r)) {
		case ROUTE_SKIP:
			break;
		case ROUTE_BAD:
			fprintf(stderr, "rtrmod validate: %s:%zu: %s\n", name, lineno,
				parser.error);
			run->bad_lines++;
			break;
		case ROUTE_OK:
			if (validate_route(run, &r, name, lineno) != 0)
				run->bad_lines++;
			break;
		}
	}
	free(line);
	route_parser_free(&parser);
	if (ferror(f)) {
		fprintf(stderr, "rtrmod validate: %s: read error: %s\n", name, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- the summary ------------------------------------------------------- */

static int
prefix_cmp(const struct rtrmod_prefix *a, const struct rtrmod_prefix *b)
{
	int c;

	if (a->afi != b->afi)
		return a->afi < b->afi ? -1 : 1;
	c = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (c != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

static int
seen_cmp(const void *a, const void *b)
{
	return prefix_cmp(&((const struct seen *)a)->prefix, &((const struct seen *)b)->prefix);
}

static int
prefix_qcmp(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

/* `p` cut to its first `len` bits. */
static struct rtrmod_prefix
prefix_cut(const struct rtrmod_prefix *p, unsigned len)
{
	struct rtrmod_prefix q = *p;

	q.len = (uint8_t)len;
	for (unsigned i = len / 8; i < sizeof(q.addr); i++)
		q.addr[i] =
		    i == len / 8 && len % 8 != 0 ? q.addr[i] & (uint8_t)(0xff << (8 - len % 8)) : 0;
	return q;
}

/* Whether a prefix in `good` (sorted, unique) covers or equals `p`; only
 * the lengths `good` holds are tried, longest first. */
static bool
covered(const struct rtrmod_prefix *good, size_t ngood, const bool lengths[2][129],
	const struct rtrmod_prefix *p)
{
	int v6 = p->afi == RTRMOD_AFI_IPV6;

	for (int len = p->len; len >= 0; len--) {
		struct rtrmod_prefix q;

		if (!lengths[v6][len])
			continue;
		q = prefix_cut(p, (unsigned)len);
		if (bsearch(&q, good, ngood, sizeof(*good), prefix_qcmp) != NULL)
			return true;
	}
	return false;
}

/*
 * Count distinct prefixes, and the invalid routes that no valid or
 * not-found route covers (same or shorter prefix): the ones that vanish if
 * a router rejects invalids.  Sorts the routes by prefix: O(n log n), then
 * at most 33 (129) binary searches per invalid route.
 */
static int
summary_stranded(struct validate_run *run)
{
	bool lengths[2][129];
	struct rtrmod_prefix *good = malloc((run->nseen + 1) * sizeof(*good));
	size_t ngood = 0, i;
	const struct rtrmod_prefix *last = NULL;

	if (good == NULL)
		return -1;
	memset(lengths, 0, sizeof(lengths));
	qsort(run->seen, run->nseen, sizeof(*run->seen), seen_cmp);
	for (i = 0; i < run->nseen; i++) {
		const struct seen *s = &run->seen[i];

		if (i == 0 || prefix_cmp(&run->seen[i - 1].prefix, &s->prefix) != 0)
			run->prefixes++;
		if (s->state == RTRMOD_ROV_INVALID)
			continue;
		if (ngood == 0 || prefix_cmp(&good[ngood - 1], &s->prefix) != 0)
			good[ngood++] = s->prefix;
		lengths[s->prefix.afi == RTRMOD_AFI_IPV6][s->prefix.len] = true;
	}
	for (i = 0; i < run->nseen; i++) {
		const struct seen *s = &run->seen[i];

		if (s->state != RTRMOD_ROV_INVALID || covered(good, ngood, lengths, &s->prefix))
			continue;
		run->stranded++;
		if (last == NULL || prefix_cmp(last, &s->prefix) != 0)
			run->stranded_prefixes++;
		last = &s->prefix;
	}
	free(good);
	return 0;
}

static double
percent(size_t part, size_t whole)
{
	return whole != 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

static void
time_text(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "%" PRId64, t);
}

static void
summary_vrps_text(const struct validate_run *run)
{
	const struct rtrmod_source *src = run->src;
	char built[40] = "unknown";
	int64_t t;

	if (rtrmod_source_build_time(src, &t))
		time_text(t, built, sizeof(built));
	printf("VRP source %s (%s, built %s)\n", run->o->vrps,
	       rtrmod_source_format_name(rtrmod_source_format(src)), built);
	for (int k = 0; k < RTRMOD_SOURCE_KIND_COUNT; k++) {
		const char *sep = " (";

		printf("  %-11s %9zu loaded, %zu dropped", rtrmod_source_kind_name(k),
		       rtrmod_source_accepted(src, k), rtrmod_source_dropped_total(src, k));
		for (int r = 0; r < RTRMOD_SOURCE_DROP_COUNT; r++) {
			if (rtrmod_source_dropped(src, k, r) == 0)
				continue;
			printf("%s%s %zu", sep, rtrmod_source_drop_name(r),
			       rtrmod_source_dropped(src, k, r));
			sep = ", ";
		}
		printf("%s\n", rtrmod_source_dropped_total(src, k) != 0 ? ")" : "");
	}
}

static void
summary_text(const struct validate_run *run)
{
	const size_t total = run->nseen, invalid = run->state[RTRMOD_ROV_INVALID];
	static const enum rtrmod_rov_state order[] = {RTRMOD_ROV_VALID, RTRMOD_ROV_INVALID,
						      RTRMOD_ROV_NOT_FOUND};

	summary_vrps_text(run);
	printf("Routes %zu (%zu prefixes), %zu bad lines\n", total, run->prefixes, run->bad_lines);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		printf("  %-23s %9zu %6.2f%%\n", rtrmod_rov_state_name(order[i]),
		       run->state[order[i]], percent(run->state[order[i]], total));
		if (order[i] != RTRMOD_ROV_INVALID)
			continue;
		for (int r = 1; r < REASONS; r++)
			printf("    %-21s %9zu %6.2f%%\n", rtrmod_rov_reason_name(r),
			       run->reason[r], percent(run->reason[r], total));
	}
	printf("Invalid with no valid or not-found route covering it: %zu routes "
	       "(%.2f%% of invalid), %zu prefixes\n"
	       "  (unreachable if invalid routes are rejected)\n",
	       run->stranded, percent(run->stranded, invalid), run->stranded_prefixes);
	if (run->aspa)
		printf("ASPA upstream: valid %zu, invalid %zu, unknown %zu, no path %zu\n",
		       run->aspa_state[RTRMOD_ASPA_VALID], run->aspa_state[RTRMOD_ASPA_INVALID],
		       run->aspa_state[RTRMOD_ASPA_UNKNOWN], run->aspa_none);
}

/* A JSON string: the file name is the only text from outside. */
static void
json_string(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
summary_vrps_json(const struct validate_run *run)
{
	const struct rtrmod_source *src = run->src;
	char built[40];
	int64_t t;

	printf("\"vrps\":{\"file\":");
	json_string(run->o->vrps);
	printf(",\"format\":\"%s\"", rtrmod_source_format_name(rtrmod_source_format(src)));
	if (rtrmod_source_build_time(src, &t)) {
		time_text(t, built, sizeof(built));
		printf(",\"build_time\":\"%s\"", built);
	}
	for (int k = 0; k < RTRMOD_SOURCE_KIND_COUNT; k++) {
		printf(",\"%s\":{\"loaded\":%zu", rtrmod_source_kind_name(k),
		       rtrmod_source_accepted(src, k));
		for (int r = 0; r < RTRMOD_SOURCE_DROP_COUNT; r++)
			printf(",\"%s\":%zu", rtrmod_source_drop_name(r),
			       rtrmod_source_dropped(src, k, r));
		printf("}");
	}
	printf("}");
}

static void
summary_json(const struct validate_run *run)
{
	printf("{\"summary\":{\"routes\":%zu,\"prefixes\":%zu,\"bad_lines\":%zu", run->nseen,
	       run->prefixes, run->bad_lines);
	printf(",\"valid\":%zu,\"invalid\":%zu,\"not_found\":%zu,\"invalid_by_reason\":{",
	       run->state[RTRMOD_ROV_VALID], run->state[RTRMOD_ROV_INVALID],
	       run->state[RTRMOD_ROV_NOT_FOUND]);
	for (int r = 1; r < REASONS; r++)
		printf("%s\"%s\":%zu", r == 1 ? "" : ",", rtrmod_rov_reason_name(r),
		       run->reason[r]);
	printf("},\"invalid_uncovered\":{\"routes\":%zu,\"prefixes\":%zu}", run->stranded,
	       run->stranded_prefixes);
	if (run->aspa)
		printf(",\"aspa\":{\"valid\":%zu,\"invalid\":%zu,\"unknown\":%zu,\"no_path\":%zu}",
		       run->aspa_state[RTRMOD_ASPA_VALID], run->aspa_state[RTRMOD_ASPA_INVALID],
		       run->aspa_state[RTRMOD_ASPA_UNKNOWN], run->aspa_none);
	putchar(',');
	summary_vrps_json(run);
	printf("}}\n");
}

/* ---- the command ------------------------------------------------------- */

static int
validate_routes(struct validate_run *run)
{
	const char *name = run->o->routes;
	FILE *f = stdin;
	int rc;

	if (strcmp(name, "-") == 0) {
		name = "<stdin>";
	} else {
		f = fopen(name, "r");
		if (f == NULL) {
			fprintf(stderr, "rtrmod validate: %s: %s\n", name, strerror(errno));
			return -1;
		}
	}
	rc = validate_stream(run, f, name);
	if (f != stdin)
		fclose(f);
	return rc;
}

int
cmd_validate(int argc, char **argv)
{
	struct validate_opts o = {0};
	struct validate_run run = {.o = &o};
	int status = EXIT_FAILURE;

	status = validate_opts_parse(argc, argv, &o);
	if (status != 0)
		return status;
	status = EXIT_FAILURE;
	if (validate_load(&run) != 0 || validate_routes(&run) != 0)
		goto out;
	if (summary_stranded(&run) != 0) {
		fprintf(stderr, "rtrmod validate: out of memory\n");
		goto out;
	}
	if (o.json)
		summary_json(&run);
	else
		summary_text(&run);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "rtrmod validate: writing output: %s\n", strerror(errno));
		goto out;
	}
	status = run.bad_lines == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
out:
	free(run.seen);
	rtrmod_rov_index_free(run.idx);
	rtrmod_set_unref(run.set);
	rtrmod_source_free(run.src);
	rtrmod_ctx_free(run.ctx);
	return status;
}
