/*
 * bench_serve.c: what `rtrmod serve` costs as an RTR cache (RFC 8210),
 * with StayRTR measured in the same run on the same data.  It makes a
 * working copy of a production VRP snapshot that neither server refuses as
 * stale, times rtrmod's JSON load through the library, then runs each
 * server in turn as a child process on 127.0.0.1 and measures from outside:
 * start to first serial, RSS per VRP, server CPU per full response, 1 and
 * N concurrent full resyncs (wall time, peak RSS), and the time from a 1%
 * change of the file to the Serial Notify.  Every response is checked
 * against the set the library loaded.  Measurement helpers live in
 * bench_serve_measure.c, clients and processes in bench_serve_client.c and
 * bench_serve_proc.c.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <rtrmod/rtrmod.h>

#include "bench_serve.h"
#include "bench_xz.h"

#ifndef BENCH_DATA_DIR
#define BENCH_DATA_DIR "../shared/data"
#endif
#ifndef BENCH_RTRMOD
#define BENCH_RTRMOD "tools/rtrmod"
#endif

#define VRP_FILE     "vrps/rpki-client_20250720T100143Z.json.xz"
#define CHANGE_EVERY 100 /* every 100th roa changes: 1% */
#define LOAD_RUNS    3
#define EXIT_SKIP    77

/* ---- the working copy --------------------------------------------------- */

static int
read_xz(const char *path, char **out, size_t *len)
{
	size_t cap = 1 << 26, n = 0, got;
	char *buf = xmalloc(cap), *bigger;
	FILE *f = bench_xz_open(path);
	int st;

	if (f == NULL) {
		free(buf);
		return -1;
	}
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			bigger = realloc(buf, cap *= 2);
			if (bigger == NULL)
				break;
			buf = bigger;
		}
	}
	st = pclose(f);
	if (n == cap || st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "%s: xz -dc %s failed; is xz installed?\n", BENCH_NAME, path);
		free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

struct out_buf {
	char *p;
	size_t n;
};

static void
out_put(struct out_buf *o, const char *s, size_t n)
{
	memcpy(o->p + o->n, s, n);
	o->n += n;
}

static const char *
find(const char *from, const char *end, const char *what)
{
	const char *p = memmem(from, (size_t)(end - from), what, strlen(what));

	return p != NULL ? p : end;
}

/*
 * Drop the "expires" member at `at` (its value a number): with the comma
 * before it, already copied and trimmed back here, or else the one after.
 * Returns where the copy goes on.
 */
static const char *
drop_expires(struct out_buf *o, const char *at, const char *end)
{
	const char *p = at + strlen("\"expires\":");
	size_t back = o->n;

	while (p < end && (*p == ' ' || (*p >= '0' && *p <= '9')))
		p++;
	while (back > 0 &&
	       (o->p[back - 1] == ' ' || o->p[back - 1] == '\t' || o->p[back - 1] == '\n'))
		back--;
	if (back > 0 && o->p[back - 1] == ',') {
		o->n = back - 1;
		return p;
	}
	while (p < end && (*p == ' ' || *p == ','))
		p++;
	return p;
}

/* A roa's AS at `at` ("{ \"asn\": N"): the number + 1 for every
 * CHANGE_EVERY-th roa when `change`. */
static const char *
copy_asn(struct out_buf *o, const char *at, const char *end, bool change, size_t *roas,
	 size_t *changed)
{
	const char *p = at + strlen("{ \"asn\": ");
	unsigned long long asn = strtoull(p, NULL, 10);
	char num[32];
	int n;

	out_put(o, at, (size_t)(p - at));
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (++*roas % CHANGE_EVERY == 0 && change) {
		asn = asn < 4294967295ull ? asn + 1 : asn - 1;
		++*changed;
	}
	n = snprintf(num, sizeof(num), "%llu", asn);
	out_put(o, num, (size_t)n);
	return p;
}

/*
 * Write the snapshot with every "expires" member removed and
 * metadata.buildtime set to now, so that neither server refuses it; with
 * `change`, every CHANGE_EVERY-th roa's AS number is one higher.
 */
static int
write_copy(const char *text, size_t len, const char *path, bool change, size_t *roas,
	   size_t *changed)
{
	struct out_buf o = {xmalloc(len + 64), 0};
	const char *end = text + len, *p = text, *e, *a, *bt;
	char stamp[32];
	time_t now = time(NULL);
	int fd, rc = -1;

	*roas = *changed = 0;
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	bt = find(p, end, "\"buildtime\": \"");
	if (bt == end)
		goto fail;
	out_put(&o, p, (size_t)(bt - p) + 14);
	out_put(&o, stamp, strlen(stamp));
	p = find(bt + 14, end, "\"");
	e = find(p, end, "\"expires\":");
	a = find(p, end, "{ \"asn\": ");
	while (p < end) {
		const char *next = e < a ? e : a;

		out_put(&o, p, (size_t)(next - p));
		if (next == end)
			break;
		if (next == e) {
			p = drop_expires(&o, e, end);
			e = find(p, end, "\"expires\":");
		} else {
			p = copy_asn(&o, a, end, change, roas, changed);
			a = find(p, end, "{ \"asn\": ");
		}
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		rc = write(fd, o.p, o.n) == (ssize_t)o.n ? 0 : -1;
		rc = close(fd) == 0 ? rc : -1;
	}
fail:
	if (rc != 0)
		fprintf(stderr, "%s: could not write %s\n", BENCH_NAME, path);
	free(o.p);
	return rc;
}

/* The working files in a fresh temporary folder. */
static int
make_copies(struct bench *b)
{
	static const char empty[] = "{\n\t\"metadata\": { \"buildtime\": \"%s\" },\n"
				    "\t\"roas\": [\n\t]\n}\n";
	char *text, stamp[32];
	size_t len, roas, changed;
	time_t now = time(NULL);
	FILE *f;

	snprintf(b->dir, sizeof(b->dir), "%s/bench_serve.XXXXXX",
		 getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(b->dir) == NULL) {
		fprintf(stderr, "%s: mkdtemp %s: %s\n", BENCH_NAME, b->dir, strerror(errno));
		return -1;
	}
	snprintf(b->base, sizeof(b->base), "%s/base.json", b->dir);
	snprintf(b->change, sizeof(b->change), "%s/change.json", b->dir);
	snprintf(b->empty, sizeof(b->empty), "%s/empty.json", b->dir);
	snprintf(b->served, sizeof(b->served), "%s/served.json", b->dir);
	if (read_xz(b->vrp_path, &text, &len) != 0)
		return -1;
	if (write_copy(text, len, b->base, false, &b->roas, &changed) != 0 ||
	    write_copy(text, len, b->change, true, &roas, &b->changed) != 0) {
		free(text);
		return -1;
	}
	free(text);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	f = fopen(b->empty, "w");
	if (f == NULL)
		return -1;
	fprintf(f, empty, stamp);
	return fclose(f);
}

/* The temporary folder and all in it: the copies and the servers' logs. */
static void
remove_copies(struct bench *b)
{
	char path[4400];
	struct dirent *d;
	DIR *dir;

	if (b->dir[0] == '\0' || (dir = opendir(b->dir)) == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", b->dir, d->d_name);
		unlink(path);
	}
	closedir(dir);
	rmdir(b->dir);
	b->dir[0] = '\0';
}

/* ---- the library -------------------------------------------------------- */

/* This process's CPU time in seconds. */
static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
load_one(struct bench *b, const char *path, struct rtrmod_set **out, double *took)
{
	struct rtrmod_source *src = NULL;
	double t0 = now_s(), c0 = cpu_s();
	int rc;

	if (rtrmod_source_new(b->ctx, &src) != 0)
		return -1;
	rc = rtrmod_source_load_json_file(src, path, (int64_t)time(NULL), out);
	*took = now_s() - t0;
	c0 = cpu_s() - c0;
	b->load_cpu_s = b->load_cpu_s == 0 || c0 < b->load_cpu_s ? c0 : b->load_cpu_s;
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", BENCH_NAME, rtrmod_source_error(src));
	else
		b->dropped += rtrmod_source_dropped_total(src, RTRMOD_SOURCE_VRP);
	rtrmod_source_free(src);
	return rc;
}

/* rtrmod's JSON load, best of LOAD_RUNS, and what the servers must send:
 * the full set, and the delta of the 1% change. */
static int
library_load(struct bench *b)
{
	struct rtrmod_set *set = NULL, *changed = NULL;
	struct rtrmod_delta *d = NULL;
	double t;
	int run, rc = -1;

	if (rtrmod_ctx_new(NULL, &b->ctx) != 0)
		return -1;
	rtrmod_ctx_set_log(b->ctx, NULL, NULL, RTRMOD_LOG_WARN);
	b->load_s = 1e30;
	for (run = 0; run < LOAD_RUNS; run++) {
		rtrmod_set_unref(set);
		set = NULL;
		if (load_one(b, b->base, &set, &t) != 0)
			goto fail;
		b->load_s = t < b->load_s ? t : b->load_s;
	}
	if (load_one(b, b->change, &changed, &t) != 0 || rtrmod_set_diff(set, changed, &d) != 0)
		goto fail;
	rtrmod_set_vrps(set, &b->want.vrps);
	rtrmod_set_router_keys(set, &b->want.keys);
	rtrmod_delta_vrps(d, true, &b->want.delta_ann);
	rtrmod_delta_vrps(d, false, &b->want.delta_wd);
	rc = b->want.vrps == b->roas && b->dropped == 0 ? 0 : -1;
	if (rc != 0)
		fprintf(stderr, "%s: the working copy loads as %zu VRPs (%zu dropped), not %zu\n",
			BENCH_NAME, b->want.vrps, b->dropped, b->roas);
fail:
	rtrmod_delta_free(d);
	rtrmod_set_unref(changed);
	rtrmod_set_unref(set);
	return rc;
}

/* ---- report ------------------------------------------------------------- */

#define MIB(kib) ((double)(kib) / 1024.0)

static const char *
verdict(bool met)
{
	return met ? "met" : "MISSED";
}

/* A time in seconds: milliseconds below 0.1 s. */
static void
fmt_time(char *buf, size_t size, double s)
{
	if (s < 0.1)
		snprintf(buf, size, "%.1f ms", s * 1e3);
	else
		snprintf(buf, size, "%.3f s", s);
}

static bool
have(const struct figures *f, double v)
{
	return f->skip == NULL && v > 0;
}

static void
print_row(const char *what, const char *mine, const char *theirs, const char *ratio,
	  const char *target)
{
	printf("  %-32s %-16s %-16s %-15s %s\n", what, mine, theirs, ratio, target);
}

/* One row of a cost: each server's figure, StayRTR's over rtrmod's, and
 * rtrmod's against `target` (0: none); `prec` decimals and a unit, or a
 * time for the unit "s". */
static void
print_cost(const struct bench *b, const char *what, const double v[2], int prec, const char *unit,
	   double target, const char *target_text)
{
	char cell[2][48], ratio[24] = "", tgt[96] = "";
	int i;

	for (i = 0; i < 2; i++) {
		if (have(&b->fig[i], v[i]) && strcmp(unit, "s") == 0)
			fmt_time(cell[i], sizeof(cell[i]), v[i]);
		else if (have(&b->fig[i], v[i]))
			snprintf(cell[i], sizeof(cell[i]), "%.*f %s", prec, v[i], unit);
		else
			snprintf(cell[i], sizeof(cell[i]), "%s", b->fig[i].skip ? "skipped" : "-");
	}
	if (have(&b->fig[0], v[0]) && have(&b->fig[1], v[1]))
		snprintf(ratio, sizeof(ratio), v[1] / v[0] < 10 ? "%.1fx" : "%.0fx", v[1] / v[0]);
	if (target > 0)
		snprintf(tgt, sizeof(tgt), "%s: %s", target_text,
			 have(&b->fig[0], v[0]) ? verdict(v[0] < target) : "not measured");
	print_row(what, cell[0], cell[1], ratio, tgt);
}

static void
print_head(const struct bench *b)
{
	struct utsname u;
	char *real = realpath(b->vrp_path, NULL);
	int i;

	uname(&u);
	printf("%s: RTR cache servers on 127.0.0.1, one at a time; %ld CPUs, %s %s\n", BENCH_NAME,
	       sysconf(_SC_NPROCESSORS_ONLN), u.sysname, u.release);
	printf("data     %s\n", real != NULL ? real : b->vrp_path);
	free(real);
	printf("         %zu VRPs, %zu router keys; working copy without \"expires\", "
	       "buildtime now\n",
	       b->want.vrps, b->want.keys);
	printf("change   AS + 1 in every %dth roa (%zu): delta %zu announced, %zu withdrawn\n",
	       CHANGE_EVERY, b->changed, b->want.delta_ann, b->want.delta_wd);
	printf("rtrmod   %s serve", b->srv[0].bin);
	printf("%s%s\n", b->fig[0].skip ? ": skipped: " : "", b->fig[0].skip ? b->fig[0].skip : "");
	if (b->fig[1].skip != NULL)
		printf("StayRTR  comparison skipped: %s\n", b->fig[1].skip);
	else
		printf("StayRTR  %s %s, -refresh 3600 (a second run with -refresh 1 for the "
		       "timer row)\n",
		       b->srv[1].bin, b->stayrtr_version);
	printf("clients  RTR v1 in this process (epoll); every response checked; %zu "
	       "concurrent\n",
	       b->clients);
	for (i = 0; i < 2; i++) {
		if (b->fig[i].failed != NULL)
			printf("FAILED   %s: %s (figures from there on are missing)\n",
			       b->srv[i].name, b->fig[i].failed);
	}
	printf("\n");
	print_row("", "rtrmod", "StayRTR", "StayRTR/rtrmod", "target (rtrmod)");
}

static void
print_load(const struct bench *b)
{
	const struct figures *f = b->fig;
	double v[2], per[2];
	char x[2][48], what[48];
	int i;

	snprintf(x[0], sizeof(x[0]), "%.3f s", b->load_s);
	snprintf(what, sizeof(what), "JSON load (library), best of %d", LOAD_RUNS);
	print_row(what, x[0], "", "", b->load_s < 1.0 ? "< 1 s: met" : "< 1 s: MISSED");
	snprintf(x[0], sizeof(x[0]), "%.3f s", b->load_cpu_s);
	print_row("  (its CPU time, best)", x[0], "", "", "");
	v[0] = f[0].start_s, v[1] = f[1].start_s;
	print_cost(b, "start to first serial, best of 2", v, 3, "s", 1.0, "< 1 s");
	v[0] = f[0].start_eod_s, v[1] = f[1].start_eod_s;
	print_cost(b, "  (to its End of Data)", v, 3, "s", 0, NULL);
	for (i = 0; i < 2; i++) {
		per[i] = (double)(f[i].rss_loaded - f[i].rss_empty) * 1024.0 / (double)b->want.vrps;
		snprintf(x[i], sizeof(x[i]), "%.1f, %.1f MiB", MIB(f[i].rss_empty),
			 MIB(f[i].rss_loaded));
		if (!have(&f[i], (double)f[i].rss_loaded))
			snprintf(x[i], sizeof(x[i]), "-");
	}
	print_cost(b, "memory per VRP (RSS)", per, 1, "B", 100.0, "< 100 B/VRP");
	print_row("  (RSS empty, loaded)", x[0], x[1], "", "");
}

/* The rows of a batch of full resyncs.  A batch cut at its time bound
 * shows "> bound", and how much had arrived, and its peak as a floor. */
static void
print_batch(const struct bench *b, bool many)
{
	const struct batch *r[2];
	char cell[2][48], peak[2][48], ratio[24] = "", pratio[24] = "", what[64];
	bool cut = false;
	int i;

	for (i = 0; i < 2; i++) {
		r[i] = many ? &b->fig[i].many : &b->fig[i].one;
		snprintf(cell[i], sizeof(cell[i]), "%s", b->fig[i].skip ? "skipped" : "-");
		snprintf(peak[i], sizeof(peak[i]), "%s", cell[i]);
		if (b->fig[i].skip != NULL || r[i]->n == 0)
			continue;
		cut |= r[i]->done < r[i]->n;
		if (r[i]->done < r[i]->n)
			snprintf(cell[i], sizeof(cell[i]), "> %.0f s", r[i]->wall_s);
		else
			fmt_time(cell[i], sizeof(cell[i]), r[i]->wall_s);
		snprintf(peak[i], sizeof(peak[i]), "%s%.1f MiB", r[i]->done < r[i]->n ? ">= " : "",
			 MIB(r[i]->peak_kib));
	}
	if (r[0]->n > 0 && r[1]->n > 0 && r[0]->done == r[0]->n) {
		snprintf(ratio, sizeof(ratio), "%s%.*fx", r[1]->done < r[1]->n ? "> " : "",
			 r[1]->wall_s / r[0]->wall_s < 10 ? 1 : 0, r[1]->wall_s / r[0]->wall_s);
		snprintf(pratio, sizeof(pratio), "%s%.1fx", r[1]->done < r[1]->n ? ">= " : "",
			 (double)r[1]->peak_kib / (double)r[0]->peak_kib);
	}
	snprintf(what, sizeof(what), "%zu full resync%s, wall", many ? b->clients : 1,
		 many ? "s" : "");
	print_row(what, cell[0], cell[1], ratio, "");
	for (i = 0; i < 2 && cut; i++) {
		snprintf(cell[i], sizeof(cell[i]), "-");
		if (r[i]->n > 0)
			snprintf(cell[i], sizeof(cell[i]), "%zu done, %.0f %%", r[i]->done,
				 100.0 * r[i]->got);
		if (r[i]->n > 0 && r[i]->done < r[i]->n && r[i]->got > 0)
			snprintf(cell[i], sizeof(cell[i]), "%zu, %.0f %% (~%.0f s)", r[i]->done,
				 100.0 * r[i]->got, r[i]->wall_s / r[i]->got);
	}
	if (cut)
		print_row("  (cut: done, PDUs, ~full time)", cell[0], cell[1], "", "");
	snprintf(what, sizeof(what), "  RSS peak");
	print_row(what, peak[0], peak[1], pratio, "");
}

/* The growth of the peak RSS from 1 to N concurrent full resyncs. */
static void
print_growth(const struct bench *b)
{
	const struct figures *f = b->fig;
	char x[2][48], what[48];
	double v[2] = {0, 0};
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(x[i], sizeof(x[i]), "-");
		if (f[i].skip != NULL || f[i].many.n == 0 || f[i].one.peak_kib <= 0)
			continue;
		v[i] = 100.0 * (double)(f[i].many.peak_kib - f[i].one.peak_kib) /
		       (double)f[i].one.peak_kib;
		snprintf(x[i], sizeof(x[i]), "%s%+.1f %%",
			 f[i].many.done < f[i].many.n ? ">= " : "", v[i]);
	}
	snprintf(what, sizeof(what), "RSS peak, %zu against 1", b->clients);
	print_row(what, x[0], x[1], "",
		  f[0].skip == NULL && f[0].many.n > 0
		      ? (v[0] < 10.0 ? "< +10 %: met" : "< +10 %: MISSED")
		      : "< +10 %: not measured");
}

static void
print_serve(const struct bench *b)
{
	const struct figures *f = b->fig;
	double v[2];
	char x[2][48], what[48], lo[24], hi[24];
	int i;

	v[0] = f[0].cpu_mean_s, v[1] = f[1].cpu_mean_s;
	print_cost(b, "server CPU per full response", v, 3, "s", 0.3, "< 0.3 s");
	for (i = 0; i < 2; i++) {
		snprintf(x[i], sizeof(x[i]), "-");
		if (!have(&f[i], f[i].cpu_max_s))
			continue;
		fmt_time(lo, sizeof(lo), f[i].cpu_min_s);
		fmt_time(hi, sizeof(hi), f[i].cpu_max_s);
		snprintf(x[i], sizeof(x[i]), "%s-%s", lo, hi);
	}
	snprintf(what, sizeof(what), "  (min-max of %d)", CPU_RUNS);
	print_row(what, x[0], x[1], "", "");
	for (i = 0; i < 2; i++)
		snprintf(x[i], sizeof(x[i]), have(&f[i], f[i].writes) ? "%.0f" : "-", f[i].writes);
	print_row("  (write system calls each)", x[0], x[1], "", "");
	print_batch(b, false);
	print_batch(b, true);
	print_growth(b);
}

static void
print_change(const struct bench *b)
{
	const struct figures *f = b->fig;
	double v[2];
	char x[48], what[48];
	int i;

	v[0] = f[0].change_s, v[1] = f[1].change_s;
	print_cost(b, "1% change to Serial Notify, best", v, 3, "s", 0.2, "< 0.2 s");
	v[0] = f[0].change_max_s, v[1] = f[1].change_max_s;
	snprintf(what, sizeof(what), "  (worst of %d, there and back)", CHANGE_RUNS);
	print_cost(b, what, v, 3, "s", 0, NULL);
	snprintf(x, sizeof(x), "-");
	if (have(&f[1], f[1].timer_s))
		fmt_time(x, sizeof(x), f[1].timer_s);
	print_row("  (StayRTR on its 1 s timer)", "", f[1].skip ? "skipped" : x, "", "");
	v[0] = f[0].delta_s, v[1] = f[1].delta_s;
	print_cost(b, "  Serial Query to End of Data", v, 3, "s", 0, NULL);
	printf("\n");
	for (i = 0; i < 2; i++) {
		if (f[i].skip != NULL)
			continue;
		printf("%-8s %zu full responses checked, %zu not as loaded%s%s; peak RSS from %s\n",
		       b->srv[i].name, f[i].resyncs, f[i].bad, f[i].bad ? ": first: " : "",
		       f[i].bad_what, f[i].hwm ? "VmHWM (reset by clear_refs)" : "2 ms samples");
		if (f[i].empty_notifies + f[i].timer_empty > 0)
			printf("%-8s notified serials with an empty delta before the change's: %zu "
			       "(SIGHUP), %zu (1 s timer)\n",
			       b->srv[i].name, f[i].empty_notifies, f[i].timer_empty);
	}
	printf("1%% change: the file replaced by rename, then SIGHUP (StayRTR too, unless "
	       "on its timer)\n");
	printf("StayRTR/rtrmod is StayRTR's figure over rtrmod's: > 1: rtrmod spends less\n");
}

static void
print_report(const struct bench *b)
{
	print_head(b);
	print_load(b);
	print_serve(b);
	print_change(b);
}

/* ---- main --------------------------------------------------------------- */

static struct bench *the_bench;

static void
on_signal(int sig)
{
	server_kill_all();
	if (the_bench != NULL)
		remove_copies(the_bench);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
at_exit(void)
{
	server_stop_all();
	if (the_bench != NULL)
		remove_copies(the_bench);
}

static int
parse_args(struct bench *b, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"data", required_argument, NULL, 'd'},    {"rtrmod", required_argument, NULL, 'r'},
	    {"stayrtr", required_argument, NULL, 's'}, {"clients", required_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "d:r:s:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			b->data = optarg;
			break;
		case 'r':
			b->srv[0].bin = optarg;
			break;
		case 's':
			b->srv[1].bin = optarg;
			break;
		case 'n':
			b->clients = (size_t)strtoul(optarg, NULL, 10);
			break;
		case 'h':
			printf("usage: %s [--data DIR] [--rtrmod PATH] [--stayrtr PATH] "
			       "[--clients N]\n"
			       "RTR cache server benchmark, rtrmod serve beside StayRTR.\n"
			       "DIR holds %s (default %s).\n",
			       BENCH_NAME, VRP_FILE, BENCH_DATA_DIR);
			exit(0);
		default:
			return -1;
		}
	}
	return optind == argc && b->clients >= 1 && b->clients <= MAX_CLIENTS ? 0 : -1;
}

static int
data_present(struct bench *b)
{
	snprintf(b->vrp_path, sizeof(b->vrp_path), "%s/%s", b->data, VRP_FILE);
	if (access(b->vrp_path, R_OK) == 0)
		return 1;
	printf("%s: skipped: the benchmark data is missing.  Put this file of the\n"
	       "shared test data (its README.md says where it comes from) here,\n"
	       "or pass --data DIR for a folder with vrps/ that holds it:\n  %s   (missing)\n",
	       BENCH_NAME, b->vrp_path);
	return 0;
}

static void
bench_init(struct bench *b)
{
	int i;

	memset(b, 0, sizeof(*b));
	b->data = BENCH_DATA_DIR;
	b->clients = DEFAULT_CLIENTS;
	b->srv[0].kind = SERVER_RTRMOD;
	b->srv[0].name = "rtrmod";
	b->srv[0].bin = BENCH_RTRMOD;
	b->srv[1].kind = SERVER_STAYRTR;
	b->srv[1].name = "StayRTR";
	b->srv[1].bin = "stayrtr";
	for (i = 0; i < 2; i++)
		b->srv[i].dir = b->dir;
}

int
main(int argc, char **argv)
{
	static struct bench b;
	int i, rc = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);

	bench_init(&b);
	if (parse_args(&b, argc, argv) != 0) {
		fprintf(stderr,
			"usage: %s [--data DIR] [--rtrmod PATH] [--stayrtr PATH] "
			"[--clients 1..%d]\n",
			BENCH_NAME, MAX_CLIENTS);
		return 2;
	}
	if (!data_present(&b))
		return EXIT_SKIP;
	the_bench = &b;
	atexit(at_exit);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	find_servers(&b);
	if (make_copies(&b) != 0 || library_load(&b) != 0)
		goto done;
	for (i = 0; i < 2; i++) {
		if (b.fig[i].skip == NULL)
			measure_server(&b, &b.srv[i], &b.fig[i]);
	}
	if (b.fig[1].skip == NULL && b.fig[1].failed == NULL)
		measure_timer(&b, &b.timer, &b.fig[1]);
	print_report(&b);
	/* StayRTR's failures are printed; only rtrmod's fail the run. */
	rc = b.fig[0].failed != NULL || b.fig[0].bad > 0;
done:
	rtrmod_ctx_free(b.ctx);
	return rc;
}
