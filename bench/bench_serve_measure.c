/*
 * bench_serve_measure.c: the measurements of one server, each a step with
 * a fixed time bound: baseline RSS with an empty file, start to first
 * serial and RSS with the full file, CPU per full response, 1 and N
 * concurrent full resyncs, and a 1% change of the file to its Serial
 * Notify (RFC 8210 §5.2) and delta.  Every full response and the delta are
 * checked against what rtrmod's library loaded from the same files; a step
 * that fails is recorded and the rest of that server's steps are skipped.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_serve.h"

#define READY_TIMEOUT_S  120.0 /* start to first serial */
#define RESYNC_TIMEOUT_S 120.0 /* one full resync */
#define BATCH_TIMEOUT_S  60.0  /* concurrent full resyncs: then cut */
#define NOTIFY_TIMEOUT_S 60.0  /* change to the Serial Notify of its delta */
#define POLL_S           0.005 /* between tries while a server starts */
#define SETTLE_S         1.0   /* after load, before RSS is read */
#define IDLE_S           0.2   /* between measured responses */
#define ERR_NO_DATA      2     /* Error Report "No Data Available" */

/* ---- finding the programs ----------------------------------------------- */

static bool
rtrmod_serve_ready(const char *bin, const char **why)
{
	char cmd[4200], line[256];
	bool ok = true;
	FILE *f;

	if (access(bin, X_OK) != 0) {
		*why = "rtrmod not built here (pass --rtrmod PATH)";
		return false;
	}
	snprintf(cmd, sizeof(cmd), "'%s' serve --help 2>&1", bin);
	f = popen(cmd, "r");
	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, "Not in rtrmod") != NULL)
			ok = false;
	}
	if (pclose(f) != 0 || !ok) {
		*why = "rtrmod serve is not in this build yet";
		return false;
	}
	return true;
}

static bool
find_in_path(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH"), *p, *colon;

	if (strchr(name, '/') != NULL) {
		snprintf(out, size, "%s", name);
		return access(out, X_OK) == 0;
	}
	for (p = path != NULL ? path : "/usr/bin:/bin"; *p != '\0'; p = colon + 1) {
		colon = strchr(p, ':');
		colon = colon != NULL ? colon : p + strlen(p);
		snprintf(out, size, "%.*s/%s", (int)(colon - p), p, name);
		if (colon > p && access(out, X_OK) == 0)
			return true;
		if (*colon == '\0')
			break;
	}
	return false;
}

void
find_servers(struct bench *b)
{
	FILE *f;

	if (!rtrmod_serve_ready(b->srv[0].bin, &b->fig[0].skip) && b->fig[0].skip == NULL)
		b->fig[0].skip = "rtrmod serve did not run";
	if (!find_in_path(b->srv[1].bin, b->stayrtr_path, sizeof(b->stayrtr_path))) {
		b->fig[1].skip = "stayrtr not found (Debian package stayrtr, in scripts/deps.sh)";
	} else {
		b->srv[1].bin = b->stayrtr_path;
		f = popen("dpkg-query -W -f='${Version}' stayrtr 2>/dev/null", "r");
		if (f != NULL) {
			if (fgets(b->stayrtr_version, sizeof(b->stayrtr_version), f) == NULL)
				b->stayrtr_version[0] = '\0';
			pclose(f);
		}
	}
	b->timer = b->srv[1];
}

/* ---- steps -------------------------------------------------------------- */

/* Put `from` in place of the served file in one rename. */
static int
install(const struct bench *b, const char *from)
{
	char tmp[4300], buf[1 << 16];
	ssize_t n = 0;
	int in = open(from, O_RDONLY | O_CLOEXEC), out;

	snprintf(tmp, sizeof(tmp), "%s.tmp", b->served);
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (in < 0)
		n = -1;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	}
	if (in >= 0)
		close(in);
	if (out < 0 || close(out) != 0 || n != 0 || rename(tmp, b->served) != 0) {
		fprintf(stderr, "%s: cannot write %s: %s\n", BENCH_NAME, b->served,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Count a full response; note the first that is not what was loaded. */
static void
check_full(const struct bench *b, struct figures *f, const struct client *c)
{
	f->resyncs++;
	if (c->end == END_EOD && c->cache_response && c->ann == b->want.vrps && c->wd == 0 &&
	    c->keys == b->want.keys)
		return;
	if (f->bad++ == 0)
		snprintf(f->bad_what, sizeof(f->bad_what),
			 "%s with %zu prefixes (%zu withdrawn), %zu router keys, error %u; "
			 "want End of Data, %zu prefixes, %zu keys",
			 client_end_name(c->end), c->ann, c->wd, c->keys, c->error_code,
			 b->want.vrps, b->want.keys);
}

/* Reset Queries until the server answers one with data (`data`) or at all.
 * Its start to first serial, the best over the starts, is kept in f. */
static int
wait_ready(const struct bench *b, struct server *s, struct figures *f, bool data)
{
	struct client c = {.fd = -1}, *cs[1] = {&c};
	int rc = -1;

	while (server_alive(s) && now_s() < s->t_start + READY_TIMEOUT_S) {
		c.end = END_REFUSED;
		if (client_open(&c, s->port) == 0) {
			client_job(&c, JOB_RESET, 0, 0);
			clients_run(cs, 1, RESYNC_TIMEOUT_S, NULL);
			client_close(&c);
		}
		if (data && c.end == END_EOD && c.ann > 0) {
			if (f->start_s == 0 || c.t_first - s->t_start < f->start_s) {
				f->start_s = c.t_first - s->t_start;
				f->start_eod_s = c.t_end - s->t_start;
			}
			check_full(b, f, &c);
			rc = 0;
			break;
		}
		if (!data &&
		    (c.end == END_EOD || (c.end == END_ERROR && c.error_code == ERR_NO_DATA))) {
			rc = 0;
			break;
		}
		sleep_s(POLL_S);
	}
	client_free(&c);
	if (rc != 0) {
		fprintf(stderr, "%s: %s on port %u gave no %s within %.0f s\n", BENCH_NAME, s->name,
			(unsigned int)s->port, data ? "data" : "answer", READY_TIMEOUT_S);
		server_log_tail(s);
	}
	return rc;
}

/* RSS with nothing loaded: the baseline taken off the loaded RSS. */
static int
step_baseline(struct bench *b, struct server *s, struct figures *f)
{
	int rc = -1;

	if (server_start(s, b->empty, 3600) == 0 && wait_ready(b, s, f, false) == 0) {
		sleep_s(SETTLE_S);
		f->rss_empty = proc_rss_kib(s->pid);
		rc = f->rss_empty > 0 ? 0 : -1;
	}
	server_stop(s);
	return rc;
}

/* One full resync at a time; the server's CPU time and write system calls
 * around each. */
static int
step_cpu(struct bench *b, struct server *s, struct figures *f)
{
	struct client c = {.fd = -1}, *cs[1] = {&c};
	double cpu0, sum = 0;
	long long calls;
	int i;

	f->cpu_min_s = 1e30;
	for (i = 0; i < CPU_RUNS; i++) {
		sleep_s(IDLE_S);
		if (client_open(&c, s->port) != 0)
			break;
		client_job(&c, JOB_RESET, 0, 0);
		calls = proc_write_calls(s->pid);
		cpu0 = proc_cpu_s(s->pid);
		clients_run(cs, 1, RESYNC_TIMEOUT_S, NULL);
		f->cpu_s[i] = proc_cpu_s(s->pid) - cpu0;
		f->writes += (double)(proc_write_calls(s->pid) - calls) / CPU_RUNS;
		client_close(&c);
		check_full(b, f, &c);
		sum += f->cpu_s[i];
		f->cpu_min_s = f->cpu_s[i] < f->cpu_min_s ? f->cpu_s[i] : f->cpu_min_s;
		f->cpu_max_s = f->cpu_s[i] > f->cpu_max_s ? f->cpu_s[i] : f->cpu_max_s;
	}
	client_free(&c);
	f->cpu_mean_s = sum / CPU_RUNS;
	return i == CPU_RUNS ? 0 : -1;
}

/* `n` full resyncs at once: the wall time until the last End of Data, and
 * the server's peak RSS meanwhile.  A batch not done within its bound is
 * cut (the server sees the clients close): a figure, not a failure. */
static int
step_concurrent(struct bench *b, struct server *s, struct figures *f, size_t n, struct batch *r)
{
	struct client *c = xmalloc(n * sizeof(*c)), **cs = xmalloc(n * sizeof(*cs));
	struct rss_watch w = {s->pid, proc_rss_kib(s->pid)};
	double t0, pdus = 0;
	size_t i;

	sleep_s(IDLE_S);
	memset(c, 0, n * sizeof(*c));
	f->hwm = proc_hwm_reset(s->pid);
	t0 = now_s();
	for (i = 0; i < n; i++) {
		cs[i] = &c[i];
		c[i].fd = -1;
		client_open(&c[i], s->port);
		client_job(&c[i], JOB_RESET, 0, 0);
	}
	clients_run(cs, n, BATCH_TIMEOUT_S, &w);
	r->n = n;
	r->wall_s = now_s() - t0;
	r->peak_kib = f->hwm ? proc_hwm_kib(s->pid) : w.peak_kib;
	for (i = 0; i < n; i++) {
		pdus += (double)(c[i].ann + c[i].keys);
		if (c[i].end != END_NONE) {
			r->done++;
			check_full(b, f, &c[i]);
		}
		client_free(&c[i]);
	}
	r->got = pdus / ((double)n * (double)(b->want.vrps + b->want.keys));
	free(cs);
	free(c);
	if (r->done < n)
		sleep_s(SETTLE_S); /* let the server drop the closed sessions */
	return server_alive(s) ? 0 : -1;
}

/*
 * Serial Notify, then a Serial Query from the client's serial, until a
 * delta with something in it comes (StayRTR 0.5.1 on its timer also
 * notifies serials that change nothing): the time from t0 to that notify.
 */
static int
await_change(struct server *s, struct client *c, double t0, double *took, size_t *empty)
{
	struct client *cs[1] = {c};
	uint16_t session = c->session;
	uint32_t serial = c->serial;

	while (now_s() < t0 + NOTIFY_TIMEOUT_S) {
		client_job(c, JOB_NOTIFY, 0, 0);
		clients_run(cs, 1, t0 + NOTIFY_TIMEOUT_S - now_s(), NULL);
		if (c->end != END_NOTIFY)
			return -1;
		*took = c->t_end - t0;
		client_job(c, JOB_SERIAL, session, serial);
		clients_run(cs, 1, RESYNC_TIMEOUT_S, NULL);
		if (c->end != END_EOD || c->ann + c->wd > 0)
			return 0;
		serial = c->serial;
		++*empty;
	}
	return -1;
}

/* The delta of change `k`: odd ones go back to the snapshot.  Checked. */
static int
check_delta(const struct bench *b, struct figures *f, const struct client *c, int k)
{
	size_t ann = k % 2 == 0 ? b->want.delta_ann : b->want.delta_wd;
	size_t wd = k % 2 == 0 ? b->want.delta_wd : b->want.delta_ann;

	if (c->end == END_EOD && c->ann == ann && c->wd == wd)
		return 0;
	if (f->bad++ == 0)
		snprintf(f->bad_what, sizeof(f->bad_what),
			 "delta: %s with %zu announced, %zu withdrawn; want End of Data, %zu, %zu",
			 client_end_name(c->end), c->ann, c->wd, ann, wd);
	return -1;
}

/*
 * Replace the file with the 1% change, `runs` times, every other time back
 * to the snapshot; `hup` signals the server (else it must find the change
 * by its timer).  The best and worst time from the rename to the Serial
 * Notify at a synced client, and the best Serial Query to End of Data.
 */
static int
step_change(struct bench *b, struct server *s, struct figures *f, bool hup, int runs, double *best,
	    double *worst, size_t *empty)
{
	struct client c = {.fd = -1}, *cs[1] = {&c};
	double t0, took;
	int k, rc = -1;

	if (client_open(&c, s->port) != 0)
		goto done;
	client_job(&c, JOB_RESET, 0, 0);
	clients_run(cs, 1, RESYNC_TIMEOUT_S, NULL);
	check_full(b, f, &c);
	for (k = 0; k < runs && c.end == END_EOD; k++) {
		if (install(b, k % 2 == 0 ? b->change : b->base) != 0)
			goto done;
		t0 = now_s();
		if (hup)
			kill(s->pid, SIGHUP);
		if (await_change(s, &c, t0, &took, empty) != 0 || check_delta(b, f, &c, k) != 0)
			goto done;
		*best = k == 0 || took < *best ? took : *best;
		*worst = took > *worst ? took : *worst;
		if (hup && (k == 0 || c.t_end - c.t_query < f->delta_s))
			f->delta_s = c.t_end - c.t_query;
		sleep_s(IDLE_S);
	}
	rc = k == runs ? 0 : -1;
done:
	if (rc != 0 && c.end != END_EOD)
		fprintf(stderr, "%s: %s: 1%% change: %s\n", BENCH_NAME, s->name,
			client_end_name(c.end));
	client_free(&c);
	return rc;
}

/* Start on the full file: start to first serial, and RSS once settled. */
static int
step_load(struct bench *b, struct server *s, struct figures *f)
{
	long rss;

	if (install(b, b->base) != 0 || server_start(s, b->served, 3600) != 0 ||
	    wait_ready(b, s, f, true) != 0)
		return -1;
	sleep_s(SETTLE_S);
	rss = proc_rss_kib(s->pid);
	if (f->rss_loaded == 0)
		f->rss_loaded = rss;
	return rss > 0 ? 0 : -1;
}

/*
 * Two starts on the full file: the first for CPU per response and the 1%
 * change, a fresh one for the batches, since a batch cut at its bound can
 * leave a server busy with its closed sessions long after (StayRTR).
 */
void
measure_server(struct bench *b, struct server *s, struct figures *f)
{
	if (step_baseline(b, s, f) != 0)
		f->failed = "start with an empty file";
	else if (step_load(b, s, f) != 0)
		f->failed = "start with the snapshot";
	else if (step_cpu(b, s, f) != 0)
		f->failed = "single full resyncs";
	else if (step_change(b, s, f, true, CHANGE_RUNS, &f->change_s, &f->change_max_s,
			     &f->empty_notifies) != 0)
		f->failed = "1% change with SIGHUP";
	server_stop(s);
	if (f->failed != NULL)
		return;
	if (step_load(b, s, f) != 0)
		f->failed = "second start with the snapshot";
	else if (step_concurrent(b, s, f, 1, &f->one) != 0)
		f->failed = "one full resync";
	else if (step_concurrent(b, s, f, b->clients, &f->many) != 0)
		f->failed = "concurrent full resyncs";
	server_stop(s);
}

void
measure_timer(struct bench *b, struct server *s, struct figures *f)
{
	struct figures scratch;
	double worst = 0;

	memset(&scratch, 0, sizeof(scratch));
	if (install(b, b->base) != 0 || server_start(s, b->served, 1) != 0 ||
	    wait_ready(b, s, &scratch, true) != 0 ||
	    step_change(b, s, &scratch, false, 1, &f->timer_s, &worst, &f->timer_empty) != 0) {
		f->timer_s = 0;
		if (f->failed == NULL)
			f->failed = "1% change on the 1 s timer";
	}
	f->bad += scratch.bad;
	if (scratch.bad > 0 && f->bad_what[0] == '\0')
		memcpy(f->bad_what, scratch.bad_what, sizeof(f->bad_what));
	server_stop(s);
}
