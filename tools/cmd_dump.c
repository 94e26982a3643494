/*
 * cmd_dump.c: `rtrmod dump`, StayRTR's rtrdump: connect to one RTR cache,
 * sync once, write what it serves as JSON in the rpki-client layout that
 * `rtrmod serve` and rtrmod_source load ("roas", "bgpsec_keys", "aspas",
 * "metadata"), and exit.  Uses only the public API of librtrmod: the client
 * on the built-in loop, with one cache.
 *
 * It exits 0 after the first End of Data is committed, and 1 with a message
 * naming the cause on any failure (connection, Error Report, no data,
 * timeout): a dump never retries, so the client's retry timer never runs.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rtrmod/rtrmod.h>

#include "commands.h"

const char dump_usage[] =
    "usage: rtrmod dump -connect HOST:PORT [options]\n"
    "\n"
    "Connect to an RTR cache, sync once and write its data as JSON in the\n"
    "rpki-client layout (\"roas\", \"bgpsec_keys\", \"aspas\" and \"metadata\"\n"
    "with session_id, serial and buildtime), which `rtrmod serve` reads.\n"
    "Options take one dash or two (-connect or --connect).\n"
    "\n"
    "  -connect HOST:PORT     the cache ([v6addr]:PORT for IPv6)\n"
    "  -file FILE             write to FILE (default: standard output)\n"
    "  -rtr.version N         highest protocol version to try: 0, 1 or 2\n"
    "                         (default 2; lower ones are negotiated, RFC 8210 §7)\n"
    "  -serial                start with a Serial Query (an incremental dump)\n"
    "  -serial.value S        ... for serial S\n"
    "  -session.id I          ... of Session ID I\n"
    "  -timeout SECONDS       give up after this long (default 30)\n"
    "  -verbose               log the session's progress on standard error\n"
    "  -help                  this text\n"
    "\n"
    "With -serial only what the cache sends from S on is written (withdrawals\n"
    "of records the dump never had are skipped); a cache that no longer has S\n"
    "answers Cache Reset and the whole set is written.\n"
    "Exit status: 0 synced and written, 1 connection, protocol or write\n"
    "failure or timeout (with a message), 2 usage error.\n";

enum {
	OPT_CONNECT = 1,
	OPT_FILE,
	OPT_VERSION,
	OPT_SERIAL,
	OPT_SERIAL_VALUE,
	OPT_SESSION_ID,
	OPT_TIMEOUT,
	OPT_VERBOSE,
	OPT_HELP
};

struct dump_opts {
	char host[256];
	char port[16];
	const char *file;
	unsigned version;
	bool serial, verbose;
	uint32_t serial_value;
	uint16_t session_id;
	unsigned timeout;
};

struct dump_run {
	struct rtrmod_loop *loop;
	const struct rtrmod_client_cache *cc;
	uint8_t tried_version;
	int status; /* -1 running, 0 done, 1 failed */
	char why[512];
};

static int
dump_number(const char *opt, const char *text, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || end == text || *out > max || text[0] == '-') {
		fprintf(stderr, "rtrmod dump: bad -%s '%s'\n", opt, text);
		return EXIT_USAGE;
	}
	return 0;
}

/* HOST:PORT or [HOST]:PORT into o->host and o->port. */
static int
dump_split(const char *arg, struct dump_opts *o)
{
	const char *colon = strrchr(arg, ':'), *h = arg;
	size_t hlen;

	if (colon == NULL || colon[1] == '\0' || strlen(colon + 1) >= sizeof(o->port))
		goto bad;
	hlen = (size_t)(colon - arg);
	if (arg[0] == '[') {
		if (hlen < 2 || arg[hlen - 1] != ']')
			goto bad;
		h = arg + 1;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(o->host))
		goto bad;
	memcpy(o->host, h, hlen);
	o->host[hlen] = '\0';
	strcpy(o->port, colon + 1);
	return 0;
bad:
	fprintf(stderr, "rtrmod dump: -connect wants HOST:PORT, not '%s'\n", arg);
	return EXIT_USAGE;
}

static int
dump_option(int c, const char *arg, struct dump_opts *o, bool *have_connect)
{
	unsigned long v;
	int rc = 0;

	switch (c) {
	case OPT_CONNECT:
		*have_connect = true;
		return dump_split(arg, o);
	case OPT_FILE:
		o->file = arg;
		return 0;
	case OPT_VERSION:
		rc = dump_number("rtr.version", arg, 2, &v);
		o->version = (unsigned)v;
		return rc;
	case OPT_SERIAL:
		o->serial = true;
		return 0;
	case OPT_SERIAL_VALUE:
		rc = dump_number("serial.value", arg, UINT32_MAX, &v);
		o->serial_value = (uint32_t)v;
		return rc;
	case OPT_SESSION_ID:
		rc = dump_number("session.id", arg, UINT16_MAX, &v);
		o->session_id = (uint16_t)v;
		return rc;
	case OPT_TIMEOUT:
		rc = dump_number("timeout", arg, 86400, &v);
		if (rc == 0 && v == 0) {
			fprintf(stderr, "rtrmod dump: -timeout must be at least 1 second\n");
			rc = EXIT_USAGE;
		}
		o->timeout = (unsigned)v;
		return rc;
	case OPT_VERBOSE:
		o->verbose = true;
		return 0;
	case OPT_HELP:
		fputs(dump_usage, stdout);
		exit(EXIT_SUCCESS);
	}
	fputs(dump_usage, stderr);
	return EXIT_USAGE;
}

static int
dump_parse(int argc, char **argv, struct dump_opts *o)
{
	static const struct option longopts[] = {
	    {"connect", required_argument, NULL, OPT_CONNECT},
	    {"file", required_argument, NULL, OPT_FILE},
	    {"rtr.version", required_argument, NULL, OPT_VERSION},
	    {"serial", no_argument, NULL, OPT_SERIAL},
	    {"serial.value", required_argument, NULL, OPT_SERIAL_VALUE},
	    {"session.id", required_argument, NULL, OPT_SESSION_ID},
	    {"timeout", required_argument, NULL, OPT_TIMEOUT},
	    {"verbose", no_argument, NULL, OPT_VERBOSE},
	    {"help", no_argument, NULL, OPT_HELP},
	    {NULL, 0, NULL, 0},
	};
	bool have_connect = false;
	int c, rc;

	o->version = 2;
	o->timeout = 30;
	while ((c = getopt_long_only(argc, argv, "", longopts, NULL)) != -1)
		if ((rc = dump_option(c, optarg, o, &have_connect)) != 0)
			return rc;
	if (optind != argc || !have_connect) {
		fprintf(stderr, "rtrmod dump: %s\n",
			have_connect ? "unexpected arguments" : "-connect HOST:PORT is required");
		fputs(dump_usage, stderr);
		return EXIT_USAGE;
	}
	return 0;
}

/* The port; the host, numeric or a name, goes to the client as it is (it
 * resolves names on the loop and tries each address in turn). */
static int
dump_port(const struct dump_opts *o, uint16_t *port)
{
	unsigned long p;

	if (dump_number("connect port", o->port, 65535, &p) != 0)
		return EXIT_USAGE;
	*port = (uint16_t)p;
	return 0;
}

/* ---- the session --------------------------------------------------------------- */

static void
dump_finish(struct dump_run *r, int status, const char *why)
{
	if (r->status >= 0)
		return;
	r->status = status;
	snprintf(r->why, sizeof(r->why), "%s", why);
	rtrmod_loop_break(r->loop);
}

static void
dump_status(void *arg, struct rtrmod_client *client, const struct rtrmod_client_cache *cc)
{
	struct dump_run *r = arg;
	enum rtrmod_client_state st = rtrmod_client_cache_state(cc);
	uint8_t v = rtrmod_client_cache_version(cc, NULL);
	const char *text;
	char why[400];
	int code;

	(void)client;
	if (st == RTRMOD_CLIENT_CONNECTING)
		r->tried_version = v;
	if (rtrmod_client_cache_last_update(cc, NULL)) {
		dump_finish(r, 0, "synced");
		return;
	}
	if (st == RTRMOD_CLIENT_IDLE && v < r->tried_version)
		return; /* falling back to a lower version (RFC 8210 §7): goes on */
	if (st == RTRMOD_CLIENT_ESTABLISHED) {
		dump_finish(r, 1, "the cache has no data (No Data Available)");
		return;
	}
	if (st != RTRMOD_CLIENT_IDLE)
		return;
	if (rtrmod_client_cache_last_error(cc, &code, &text) == RTRMOD_CLIENT_ERR_RECEIVED)
		snprintf(why, sizeof(why), "the cache sent Error Report %d (%s): %s", code,
			 rtrmod_rtr_error_name((unsigned)code), text);
	else if (code >= 0)
		snprintf(why, sizeof(why), "sent Error Report %d (%s): %s", code,
			 rtrmod_rtr_error_name((unsigned)code), text);
	else
		snprintf(why, sizeof(why), "%s", text[0] != '\0' ? text : "connection failed");
	dump_finish(r, 1, why);
}

static void
dump_timeout(void *arg)
{
	dump_finish(arg, 1, "timed out");
}

/* ---- output --------------------------------------------------------------------------- */

static void
base64(FILE *f, const uint8_t *p, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		fputc(tab[v >> 18 & 63], f);
		fputc(tab[v >> 12 & 63], f);
		fputc(i + 1 < n ? tab[v >> 6 & 63] : '=', f);
		fputc(i + 2 < n ? tab[v & 63] : '=', f);
	}
}

static void
dump_records(FILE *f, const struct rtrmod_set *set)
{
	const struct rtrmod_vrp *v;
	const struct rtrmod_router_key *k;
	const struct rtrmod_aspa *a;
	char pfx[64];
	size_t n;

	v = rtrmod_set_vrps(set, &n);
	fputs("\t\"roas\": [", f);
	for (size_t i = 0; i < n; i++) {
		rtrmod_prefix_format(&v[i].prefix, pfx, sizeof(pfx));
		fprintf(f,
			"%s\n\t\t{ \"prefix\": \"%s\", \"maxLength\": %u, \"asn\": %" PRIu32 " }",
			i ? "," : "", pfx, v[i].max_len, v[i].asn);
	}
	fputs(n ? "\n\t],\n" : "],\n", f);
	k = rtrmod_set_router_keys(set, &n);
	fputs("\t\"bgpsec_keys\": [", f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\n\t\t{ \"asn\": %" PRIu32 ", \"ski\": \"", i ? "," : "", k[i].asn);
		for (size_t b = 0; b < sizeof(k[i].ski); b++)
			fprintf(f, "%02X", k[i].ski[b]);
		fputs("\", \"pubkey\": \"", f);
		base64(f, k[i].spki, k[i].spki_len);
		fputs("\" }", f);
	}
	fputs(n ? "\n\t],\n" : "],\n", f);
	a = rtrmod_set_aspas(set, &n);
	fputs("\t\"aspas\": [", f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\n\t\t{ \"customer_asid\": %" PRIu32 ", \"providers\": [",
			i ? "," : "", a[i].customer_asn);
		for (uint32_t p = 0; p < a[i].provider_count; p++)
			fprintf(f, "%s%" PRIu32, p ? ", " : " ", a[i].providers[p]);
		fputs(" ] }", f);
	}
	fputs(n ? "\n\t]\n" : "]\n", f);
}

static int
dump_write(const struct dump_opts *o, const struct rtrmod_client_cache *cc)
{
	const struct rtrmod_set *set = rtrmod_client_cache_data(cc);
	FILE *f = stdout;
	uint16_t sid = 0;
	uint32_t serial = 0;
	size_t nv, nk, na;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	(void)rtrmod_client_cache_session(cc, &sid, &serial);
	rtrmod_client_cache_records(cc, &nv, &nk, &na);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	if (o->file != NULL && (f = fopen(o->file, "w")) == NULL) {
		fprintf(stderr, "rtrmod dump: %s: %s\n", o->file, strerror(errno));
		return EXIT_FAILURE;
	}
	fprintf(f,
		"{\n\t\"metadata\": {\n\t\t\"buildtime\": \"%s\",\n\t\t\"source\": \"%s\",\n"
		"\t\t\"session_id\": %u,\n\t\t\"serial\": %" PRIu32 ",\n\t\t\"rtr_version\": %u,\n"
		"\t\t\"vrps\": %zu,\n\t\t\"bgpsec_pubkeys\": %zu,\n\t\t\"vaps\": %zu\n\t},\n",
		when, rtrmod_client_cache_name(cc), sid, serial,
		rtrmod_client_cache_version(cc, NULL), nv, nk, na);
	dump_records(f, set);
	fputs("}\n", f);
	if (fflush(f) != 0 || ferror(f) || (f != stdout && fclose(f) != 0)) {
		fprintf(stderr, "rtrmod dump: %s: write failed\n", o->file ? o->file : "stdout");
		return EXIT_FAILURE;
	}
	return 0;
}

/* ---- the command ------------------------------------------------------------------------ */

static int
dump_setup(const struct dump_opts *o, struct rtrmod_client *client, const char *addr, uint16_t port,
	   struct dump_run *r)
{
	struct rtrmod_client_cache *cc;
	void *timer;
	int rc;

	rc = rtrmod_client_add_cache(client, addr, port, 0, "tcp", &cc);
	if (rc == 0)
		rc = rtrmod_client_cache_set_version_max(cc, (uint8_t)o->version);
	if (rc == 0)
		rc = rtrmod_client_cache_set_timeout(cc, o->timeout * 1000u);
	if (rc == 0 && o->serial)
		rc = rtrmod_client_cache_set_initial_serial(cc, o->session_id, o->serial_value);
	if (rc == 0)
		rc = rtrmod_loop_timer_arm(r->loop, o->timeout * 1000ull, dump_timeout, r, &timer);
	if (rc == 0)
		rc = rtrmod_client_start(client);
	r->cc = cc;
	r->tried_version = (uint8_t)o->version;
	rtrmod_client_set_status_cb(client, dump_status, r);
	return rc;
}

int
cmd_dump(int argc, char **argv)
{
	struct dump_opts o;
	struct dump_run r = {.status = -1};
	struct rtrmod_ctx *ctx = NULL;
	struct rtrmod_client *client = NULL;
	uint16_t port;
	int rc;

	memset(&o, 0, sizeof(o));
	if ((rc = dump_parse(argc, argv, &o)) != 0 || (rc = dump_port(&o, &port)) != 0)
		return rc;
	rc = rtrmod_ctx_new(NULL, &ctx);
	if (rc == 0) {
		rtrmod_ctx_set_log(ctx, NULL, NULL, o.verbose ? RTRMOD_LOG_DEBUG : RTRMOD_LOG_ERR);
		rc = rtrmod_loop_new(ctx, &r.loop);
	}
	if (rc == 0)
		rc = rtrmod_client_new(ctx, &client);
	if (rc == 0)
		rc = dump_setup(&o, client, o.host, port, &r);
	if (rc == 0)
		rc = rtrmod_loop_run(r.loop);
	if (rc != 0) {
		fprintf(stderr, "rtrmod dump: %s\n", rtrmod_strerror(rc));
		r.status = 1;
	} else if (r.status != 0) {
		fprintf(stderr, "rtrmod dump: %s:%s: %s\n", o.host, o.port,
			r.status < 0 ? "nothing left to wait for" : r.why);
		r.status = 1;
	} else {
		r.status = dump_write(&o, r.cc);
	}
	rtrmod_client_free(client);
	rtrmod_loop_free(r.loop);
	rtrmod_ctx_free(ctx);
	return r.status;
}
