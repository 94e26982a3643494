/*
 * cmd_serve.c: `rtrmod serve`, a standalone RTR cache that takes StayRTR's
 * command line (its flag names, defaults and Go flag syntax) so that it can
 * replace the stayrtr binary.  It wires the public API together: a feed
 * (files, SLURM, refresh, staleness) into a cache on the built-in loop.
 *
 * No globals: signals arrive through a signalfd watched on the loop (SIGHUP
 * reloads now, SIGINT and SIGTERM end the loop and everything is freed).
 * Exit status: 0 after SIGINT/SIGTERM, 1 when the first load or listening
 * fails (there is no last good set to fall back on), 2 usage error.
 *
 * With --config FILE the YANG configuration says what to serve and
 * serve_config.c runs it; every flag the model also covers is then refused
 * here, naming the leaf to set instead, so that the two never disagree.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <rtrmod/rtrmod.h>

#include "commands.h"
#include "goflag.h"
#include "serve_bind.h"
#include "serve_config.h"
#include "serve_signals.h"

const char serve_usage[] =
    "usage: rtrmod serve -cache FILE [flags]\n"
    "       rtrmod serve --config FILE [--control PATH] [-loglevel LEVEL]\n"
    "\n"
    "Run a standalone RTR cache (RFC 6810 v0, RFC 8210 v1, 8210bis v2 with\n"
    "ASPA) serving the union of the VRP JSON files given with -cache, with\n"
    "SLURM applied, to any number of routers.  It takes StayRTR's flags and\n"
    "defaults in Go flag syntax (-flag value, -flag=value, --flag=value;\n"
    "booleans -flag or -flag=false) and can replace the stayrtr binary.\n"
    "SIGHUP reloads the files now; SIGINT and SIGTERM stop it.\n"
    "\n"
    "StayRTR's flags:\n"
    "  -bind ADDRS           host:port, [v6]:port or :port (every address), or\n"
    "                        a comma-separated list of them (default \":8282\")\n"
    "  -cache FILE           a VRP JSON file (rpki-client, StayRTR/GoRTR/OctoRPKI,\n"
    "                        Routinator); repeat it to serve the union of several.\n"
    "                        Required: HTTP(S) sources are not supported yet\n"
    "  -refresh SECONDS      reload the files this often; 0: on SIGHUP only\n"
    "                        (default 600)\n"
    "  -slurm FILE           a SLURM file (RFC 8416); repeatable\n"
    "  -slurm.refresh        reload the SLURM files with the data (default true)\n"
    "  -checktime            refuse a file past its \"valid\" or built more than\n"
    "                        -checktime.maxage ago, and answer No Data Available\n"
    "                        once the data in service is (default true)\n"
    "  -verify               require a valid GoRTR/OctoRPKI signature (default\n"
    "                        false; on when -verify.key is given without -verify)\n"
    "  -verify.key FILE      the ECDSA P-256 public key (PEM) to verify with\n"
    "  -rtr.refresh SECONDS  End of Data refresh interval, 1-86400 (default 3600)\n"
    "  -rtr.retry SECONDS    End of Data retry interval, 1-7200 (default 600)\n"
    "  -rtr.expire SECONDS   End of Data expire interval, 600-172800 and above\n"
    "                        both others (default 7200)\n"
    "  -protocol VERSION     the highest RTR version served, 0-2; a router asking\n"
    "                        for more is told to downgrade (default 2)\n"
    "  -maxconn N            most routers at once; 0: no limit (default 0)\n"
    "  -disable.bgpsec       send no BGPsec router keys\n"
    "  -disable.aspa         send no ASPA records\n"
    "  -loglevel LEVEL       error, warn, info or debug (panic and fatal mean\n"
    "                        error, trace debug) (default \"info\")\n"
    "  -version              print the version and exit\n"
    "  Taken and ignored, as they tune HTTP fetches: -etag, -last.modified,\n"
    "  -mime, -useragent; and -log.verbose.  -notifications is always on.\n"
    "  Refused as not supported yet: -metrics.*, -export.path, -tls.*, -ssh.*,\n"
    "  -enforce.version.\n"
    "\n"
    "rtrmod's own flags:\n"
    "  -checktime.maxage SECONDS  with -checktime, how old a file's build time\n"
    "                        may be (default 86400, StayRTR's 24 hours; 0: judge\n"
    "                        \"valid\" only)\n"
    "  -history N            serials answered with a delta, 1-65536 (default 32)\n"
    "  -acl PREFIX           serve routers from this prefix (or address) only;\n"
    "                        repeatable (default: every address)\n"
    "  -send.timeout TIME    close a router that takes nothing for this long, as\n"
    "                        a Go duration or seconds (default 30s)\n"
    "  -h, -help, --help     this text\n"
    "\n"
    "With a YANG configuration (see `rtrmod config --help`):\n"
    "  --config FILE         run what FILE configures (the cache server, its\n"
    "                        listeners, sources and SLURM, the client's caches);\n"
    "                        SIGHUP reads FILE again and puts what changed in\n"
    "                        place (a refused file keeps the running one), and\n"
    "                        reloads the sources.  Every flag above that FILE\n"
    "                        can say is refused with it, naming the YANG leaf to\n"
    "                        set instead; -loglevel and -version still work\n"
    "  --control PATH        serve the control socket (`rtrmod config state`) at\n"
    "                        PATH, when FILE does not set\n"
    "                        /rtrmod:rtrmod/control/socket itself\n"
    "\n"
    "Logs go to standard error.  Exit status: 0 after SIGINT or SIGTERM, 1 when\n"
    "the first load or listening fails, 2 usage error.\n";

enum serve_flag {
	F_BIND,
	F_CACHE,
	F_REFRESH,
	F_SLURM,
	F_SLURM_REFRESH,
	F_CHECKTIME,
	F_MAXAGE,
	F_VERIFY,
	F_VERIFY_KEY,
	F_RTR_REFRESH,
	F_RTR_RETRY,
	F_RTR_EXPIRE,
	F_PROTOCOL,
	F_MAXCONN,
	F_LOGLEVEL,
	F_DISABLE_BGPSEC,
	F_DISABLE_ASPA,
	F_NOTIFICATIONS,
	F_VERSION,
	F_HISTORY,
	F_ACL,
	F_SEND_TIMEOUT,
	F_CONFIG,      /* --config FILE: everything from the YANG configuration */
	F_CONTROL,     /* --control PATH: its control socket */
	F_IGNORED,     /* StayRTR's HTTP fetch tuning and extra logs */
	F_UNSUPPORTED, /* StayRTR features rtrmod serve lacks yet */
};

static const struct goflag serve_flags[] = {
    {"bind", false, F_BIND},
    {"cache", false, F_CACHE},
    {"refresh", false, F_REFRESH},
    {"slurm", false, F_SLURM},
    {"slurm.refresh", true, F_SLURM_REFRESH},
    {"checktime", true, F_CHECKTIME},
    {"checktime.maxage", false, F_MAXAGE},
    {"verify", true, F_VERIFY},
    {"verify.key", false, F_VERIFY_KEY},
    {"rtr.refresh", false, F_RTR_REFRESH},
    {"rtr.retry", false, F_RTR_RETRY},
    {"rtr.expire", false, F_RTR_EXPIRE},
    {"protocol", false, F_PROTOCOL},
    {"maxconn", false, F_MAXCONN},
    {"loglevel", false, F_LOGLEVEL},
    {"disable.bgpsec", true, F_DISABLE_BGPSEC},
    {"disable.aspa", true, F_DISABLE_ASPA},
    {"notifications", true, F_NOTIFICATIONS},
    {"version", true, F_VERSION},
    {"history", false, F_HISTORY},
    {"acl", false, F_ACL},
    {"send.timeout", false, F_SEND_TIMEOUT},
    {"config", false, F_CONFIG},
    {"control", false, F_CONTROL},
    {"etag", true, F_IGNORED},
    {"last.modified", true, F_IGNORED},
    {"mime", false, F_IGNORED},
    {"useragent", false, F_IGNORED},
    {"log.verbose", true, F_IGNORED},
    {"metrics.addr", false, F_UNSUPPORTED},
    {"metrics.path", false, F_UNSUPPORTED},
    {"export.path", false, F_UNSUPPORTED},
    {"tls.bind", false, F_UNSUPPORTED},
    {"tls.cert", false, F_UNSUPPORTED},
    {"tls.key", false, F_UNSUPPORTED},
    {"ssh.bind", false, F_UNSUPPORTED},
    {"ssh.key", false, F_UNSUPPORTED},
    {"ssh.method.password", true, F_UNSUPPORTED},
    {"ssh.method.key", true, F_UNSUPPORTED},
    {"ssh.auth.user", false, F_UNSUPPORTED},
    {"ssh.auth.password", false, F_UNSUPPORTED},
    {"ssh.auth.key.bypass", true, F_UNSUPPORTED},
    {"ssh.auth.key.file", false, F_UNSUPPORTED},
    {"enforce.version", true, F_UNSUPPORTED},
};

struct serve_opts {
	const char *bind;
	const char **caches, **slurms;
	size_t ncaches, nslurms;
	struct rtrmod_prefix *acl;
	size_t nacl;
	int64_t refresh, maxage, rtr_refresh, rtr_retry, rtr_expire, protocol, maxconn, history;
	uint64_t send_timeout_ms;
	bool slurm_refresh, checktime, verify, verify_given, disable_bgpsec, disable_aspa;
	bool version;
	const char *verify_key;
	enum rtrmod_log_level loglevel;
	const char *config, *control; /* --config FILE, --control PATH */
	uint64_t given;               /* bit 1 << F_*: the flag was on the command line */
};

_Static_assert(F_UNSUPPORTED < 64, "serve_opts.given has a bit per flag");

/* With --config, the flags the model covers, and the leaf that says it. */
static const struct {
	enum serve_flag id;
	const char *leaf;
} serve_config_leaves[] = {
    {F_BIND, "/rtrmod:rtrmod/cache-server/listener"},
    {F_CACHE, "/rtrmod:rtrmod/sources/source"},
    {F_REFRESH, "/rtrmod:rtrmod/sources/refresh-interval"},
    {F_SLURM, "/rtrmod:rtrmod/sources/slurm"},
    {F_SLURM_REFRESH, "/rtrmod:rtrmod/sources/slurm (reloaded with the sources)"},
    {F_CHECKTIME, "/rtrmod:rtrmod/sources/check-time"},
    {F_MAXAGE, "/rtrmod:rtrmod/sources/max-age"},
    {F_VERIFY, "/rtrmod:rtrmod/sources/signature-key-file"},
    {F_VERIFY_KEY, "/rtrmod:rtrmod/sources/signature-key-file"},
    {F_RTR_REFRESH, "/rtrmod:rtrmod/cache-server/refresh-interval"},
    {F_RTR_RETRY, "/rtrmod:rtrmod/cache-server/retry-interval"},
    {F_RTR_EXPIRE, "/rtrmod:rtrmod/cache-server/expire-interval"},
    {F_PROTOCOL, "/rtrmod:rtrmod/cache-server/max-version"},
    {F_MAXCONN, "/rtrmod:rtrmod/cache-server/max-sessions"},
    {F_DISABLE_BGPSEC, "/rtrmod:rtrmod/sources/serve-router-keys"},
    {F_DISABLE_ASPA, "/rtrmod:rtrmod/sources/serve-aspa"},
    {F_HISTORY, "/rtrmod:rtrmod/cache-server/history"},
    {F_ACL, "/rtrmod:rtrmod/cache-server/client-acl"},
    {F_SEND_TIMEOUT, "/rtrmod:rtrmod/cache-server/send-timeout"},
};

struct serve {
	const struct serve_opts *o;
	struct rtrmod_ctx *ctx;
	struct rtrmod_loop *loop;
	struct rtrmod_cache *cache;
	struct rtrmod_feed *feed;
	struct serve_signals signals;
};

/* ---- options ------------------------------------------------------------------ */

static int serve_usage_error(const char *fmt, ...) RTRMOD_PRINTF(1, 2);

static int
serve_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("rtrmod serve: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	fputs(serve_usage, stderr);
	return EXIT_USAGE;
}

static bool
serve_loglevel(const char *s, enum rtrmod_log_level *out)
{
	static const struct {
		const char *name;
		enum rtrmod_log_level level;
	} levels[] = {
	    {"panic", RTRMOD_LOG_ERR},   {"fatal", RTRMOD_LOG_ERR},    {"error", RTRMOD_LOG_ERR},
	    {"warn", RTRMOD_LOG_WARN},   {"warning", RTRMOD_LOG_WARN}, {"info", RTRMOD_LOG_INFO},
	    {"debug", RTRMOD_LOG_DEBUG}, {"trace", RTRMOD_LOG_DEBUG},
	};

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (strcasecmp(s, levels[i].name) == 0) {
			*out = levels[i].level;
			return true;
		}
	}
	return false;
}

/* An ACL entry: a prefix, or an address taken as a host prefix. */
static bool
serve_acl(const char *s, struct rtrmod_prefix *out)
{
	char buf[64];

	if (strchr(s, '/') != NULL)
		return rtrmod_prefix_parse(s, out) == 0;
	snprintf(buf, sizeof(buf), "%s/%d", s, strchr(s, ':') != NULL ? 128 : 32);
	return strlen(s) < 48 && rtrmod_prefix_parse(buf, out) == 0;
}

/* A numeric flag within its range, into *out. */
static int
serve_int(const struct goflag *f, const char *v, int64_t min, int64_t max, int64_t *out)
{
	if (!goflag_int(v, min, max, out))
		return serve_usage_error("invalid value \"%s\" for flag -%s: want %" PRId64
					 " to %" PRId64,
					 v, f->name, min, max);
	return 0;
}

static int
serve_flag_list(struct serve_opts *o, const struct goflag *f, const char *v)
{
	if (f->id == F_CACHE) {
		if (strncasecmp(v, "http://", 7) == 0 || strncasecmp(v, "https://", 8) == 0)
			return serve_usage_error("-cache %s: HTTP(S) sources are not supported "
						 "yet; give a local file",
						 v);
		o->caches[o->ncaches++] = v;
	} else if (f->id == F_SLURM) {
		o->slurms[o->nslurms++] = v;
	} else if (!serve_acl(v, &o->acl[o->nacl++])) {
		return serve_usage_error("invalid value \"%s\" for flag -acl: not a prefix "
					 "without host bits, nor an address",
					 v);
	}
	return 0;
}

static int
serve_flag(void *arg, const struct goflag *f, const char *v)
{
	struct serve_opts *o = arg;
	bool b = false;

	if (f->is_bool)
		(void)goflag_bool(v, &b); /* goflag checked it */
	o->given |= UINT64_C(1) << f->id;
	switch (f->id) {
	case F_BIND:
		o->bind = v;
		return 0;
	case F_CACHE:
	case F_SLURM:
	case F_ACL:
		return serve_flag_list(o, f, v);
	case F_REFRESH:
		return serve_int(f, v, 0, 86400 * 7, &o->refresh);
	case F_SLURM_REFRESH:
		o->slurm_refresh = b;
		return 0;
	case F_CHECKTIME:
		o->checktime = b;
		return 0;
	case F_MAXAGE:
		return serve_int(f, v, 0, UINT32_MAX, &o->maxage);
	case F_VERIFY:
		o->verify = b;
		o->verify_given = true;
		return 0;
	case F_VERIFY_KEY:
		o->verify_key = v;
		return 0;
	case F_RTR_REFRESH: /* RFC 8210 §6 ranges */
		return serve_int(f, v, 1, 86400, &o->rtr_refresh);
	case F_RTR_RETRY:
		return serve_int(f, v, 1, 7200, &o->rtr_retry);
	case F_RTR_EXPIRE:
		return serve_int(f, v, 600, 172800, &o->rtr_expire);
	case F_PROTOCOL:
		/* StayRTR's meaning: the highest version.  RFC 8210 §7: a router
		 * asking for more gets Unsupported Protocol Version and may
		 * downgrade; lower versions are served as asked. */
		return serve_int(f, v, 0, RTRMOD_PDU_VERSION_MAX, &o->protocol);
	case F_MAXCONN:
		return serve_int(f, v, 0, UINT32_MAX, &o->maxconn);
	case F_HISTORY:
		return serve_int(f, v, 1, 65536, &o->history);
	case F_LOGLEVEL:
		if (!serve_loglevel(v, &o->loglevel))
			return serve_usage_error("invalid value \"%s\" for flag -loglevel", v);
		return 0;
	case F_DISABLE_BGPSEC:
		o->disable_bgpsec = b;
		return 0;
	case F_DISABLE_ASPA:
		o->disable_aspa = b;
		return 0;
	case F_NOTIFICATIONS:
		if (!b)
			return serve_usage_error("-notifications=false is not supported: "
						 "routers always get Serial Notify");
		return 0;
	case F_VERSION:
		o->version = b;
		return 0;
	case F_SEND_TIMEOUT:
		if (!goflag_duration_ms(v, &o->send_timeout_ms) || o->send_timeout_ms == 0)
			return serve_usage_error("invalid value \"%s\" for flag -send.timeout: "
						 "want a duration (30s, 2m, 500ms) up to 24h",
						 v);
		return 0;
	case F_CONFIG:
		o->config = v;
		return 0;
	case F_CONTROL:
		o->control = v;
		return 0;
	case F_IGNORED:
		return 0;
	default:
		return serve_usage_error("-%s: StayRTR's flag is not supported by rtrmod "
					 "serve yet",
					 f->name);
	}
}

/* StayRTR's defaults, and rtrmod's for its own flags. */
static int
serve_opts_init(struct serve_opts *o, int argc)
{
	memset(o, 0, sizeof(*o));
	o->bind = ":8282";
	o->refresh = 600;
	o->slurm_refresh = true;
	o->checktime = true;
	o->maxage = 86400;
	o->rtr_refresh = 3600;
	o->rtr_retry = 600;
	o->rtr_expire = 7200;
	o->protocol = 2;
	o->history = 32;
	o->send_timeout_ms = 30000;
	o->loglevel = RTRMOD_LOG_INFO;
	/* each list holds at most one entry per argument */
	o->caches = calloc((size_t)argc, sizeof(*o->caches));
	o->slurms = calloc((size_t)argc, sizeof(*o->slurms));
	o->acl = calloc((size_t)argc, sizeof(*o->acl));
	return o->caches != NULL && o->slurms != NULL && o->acl != NULL ? 0 : -1;
}

static void
serve_opts_fini(struct serve_opts *o)
{
	free(o->caches);
	free(o->slurms);
	free(o->acl);
}

static const char *
serve_flag_name(int id)
{
	for (size_t i = 0; i < sizeof(serve_flags) / sizeof(serve_flags[0]); i++)
		if (serve_flags[i].id == id)
			return serve_flags[i].name;
	return "?";
}

/* With --config: EXIT_USAGE, naming each flag that the file says instead,
 * or -1 to go on. */
static int
serve_config_conflicts(const struct serve_opts *o)
{
	bool any = false;

	for (size_t i = 0; i < sizeof(serve_config_leaves) / sizeof(serve_config_leaves[0]); i++) {
		if ((o->given & UINT64_C(1) << serve_config_leaves[i].id) == 0)
			continue;
		fprintf(stderr, "rtrmod serve: -%s conflicts with --config: set %s in %s\n",
			serve_flag_name(serve_config_leaves[i].id), serve_config_leaves[i].leaf,
			o->config);
		any = true;
	}
	if (!any)
		return -1;
	fputs("rtrmod serve: with --config the file says what to serve; only -loglevel, "
	      "--control and -version are taken beside it\n",
	      stderr);
	return EXIT_USAGE;
}

/* -1 to go on serving, else the exit status. */
static int
serve_opts_parse(int argc, char **argv, struct serve_opts *o)
{
	char err[256];
	int rc, next = argc;

	rc = goflag_parse(serve_flags, sizeof(serve_flags) / sizeof(serve_flags[0]), argc, argv,
			  serve_flag, o, &next, err, sizeof(err));
	if (rc == GOFLAG_HELP) {
		fputs(serve_usage, stdout);
		return EXIT_SUCCESS;
	}
	if (rc == GOFLAG_ERROR)
		return serve_usage_error("%s", err);
	if (rc != 0)
		return rc;
	if (o->version) {
		printf("rtrmod serve %s (librtrmod %s)\n", PACKAGE_VERSION, rtrmod_version());
		return EXIT_SUCCESS;
	}
	if (next < argc)
		return serve_usage_error("unexpected argument '%s'", argv[next]);
	if (o->config != NULL)
		return serve_config_conflicts(o);
	if (o->control != NULL)
		return serve_usage_error("--control needs --config FILE");
	if (!serve_bind_check(o->bind, err, sizeof(err)))
		return serve_usage_error("%s", err);
	if (o->ncaches == 0)
		return serve_usage_error("-cache FILE is required (StayRTR's default is an "
					 "HTTPS source, which is not supported yet)");
	if (o->rtr_expire <= o->rtr_refresh || o->rtr_expire <= o->rtr_retry)
		return serve_usage_error("-rtr.expire (%" PRId64 ") must be larger than "
					 "-rtr.refresh and -rtr.retry (RFC 8210 §6)",
					 o->rtr_expire);
	if (o->verify_key != NULL && !o->verify_given)
		o->verify = true;
	if (o->verify && o->verify_key == NULL)
		return serve_usage_error("-verify needs -verify.key FILE");
	return -1;
}

/* ---- logs and signals --------------------------------------------------------- */

void
serve_log(void *arg, enum rtrmod_log_level level, const char *msg)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	struct timespec ts;
	struct tm tm;
	char when[32] = "";

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (gmtime_r(&ts.tv_sec, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ %s: %s\n", when, ts.tv_nsec / 1000000L,
		(unsigned)level < 4 ? names[level] : "log", msg);
}

/* SIGHUP: the files now.  The feed logs a failure; the last good set stays. */
static void
serve_hup(void *arg)
{
	struct serve *s = arg;

	rtrmod_ctx_log(s->ctx, RTRMOD_LOG_INFO, "SIGHUP: reloading the files");
	if (rtrmod_feed_reload(s->feed) == RTRMOD_ESTATE)
		rtrmod_ctx_log(s->ctx, RTRMOD_LOG_WARN, "SIGHUP: a reload is running");
}

/* ---- setting up ------------------------------------------------------------------- */

static int
serve_cache(struct serve *s)
{
	const struct serve_opts *o = s->o;
	int rc;

	if ((rc = rtrmod_cache_new(s->ctx, &s->cache)) != 0 ||
	    (rc = rtrmod_cache_set_versions(s->cache, 0, (uint8_t)o->protocol)) != 0 ||
	    (rc = rtrmod_cache_set_timers(s->cache, (uint32_t)o->rtr_refresh,
					  (uint32_t)o->rtr_retry, (uint32_t)o->rtr_expire)) != 0 ||
	    (rc = rtrmod_cache_set_history(s->cache, (unsigned)o->history)) != 0 ||
	    (rc = rtrmod_cache_set_timeouts(s->cache, (uint32_t)o->send_timeout_ms, 30000)) != 0)
		return rc;
	rtrmod_cache_set_max_sessions(s->cache, (unsigned)o->maxconn);
	for (size_t i = 0; i < o->nacl; i++)
		if ((rc = rtrmod_cache_acl_add(s->cache, &o->acl[i])) != 0)
			return rc;
	return 0;
}

static int
serve_feed(struct serve *s)
{
	const struct serve_opts *o = s->o;
	int rc;

	if ((rc = rtrmod_feed_new(s->ctx, s->cache, &s->feed)) != 0)
		return rc;
	for (size_t i = 0; i < o->ncaches; i++)
		if ((rc = rtrmod_feed_add_source(s->feed, o->caches[i])) != 0)
			return rc;
	for (size_t i = 0; i < o->nslurms; i++)
		if ((rc = rtrmod_feed_add_slurm(s->feed, o->slurms[i])) != 0)
			return rc;
	rtrmod_feed_set_slurm_refresh(s->feed, o->slurm_refresh);
	rtrmod_feed_set_check_time(s->feed, o->checktime);
	rtrmod_feed_set_max_age(s->feed, (uint32_t)o->maxage);
	rtrmod_feed_set_serve_kind(s->feed, RTRMOD_SOURCE_ROUTER_KEY, !o->disable_bgpsec);
	rtrmod_feed_set_serve_kind(s->feed, RTRMOD_SOURCE_ASPA, !o->disable_aspa);
	rtrmod_feed_set_verify(s->feed, o->verify);
	if (o->verify_key != NULL && rtrmod_feed_set_verify_key_file(s->feed, o->verify_key) != 0) {
		rtrmod_ctx_log(s->ctx, RTRMOD_LOG_ERR, "%s", rtrmod_feed_error(s->feed));
		return RTRMOD_EPARSE;
	}
	return rtrmod_feed_set_refresh(s->feed, (uint32_t)o->refresh);
}

/* Everything up to the loop; the exit status on failure (logged), else -1. */
static int
serve_setup(struct serve *s)
{
	int rc;

	if (rtrmod_ctx_new(NULL, &s->ctx) != 0) {
		fprintf(stderr, "rtrmod serve: out of memory\n");
		return EXIT_FAILURE;
	}
	rtrmod_ctx_set_log(s->ctx, serve_log, NULL, s->o->loglevel);
	if ((rc = rtrmod_loop_new(s->ctx, &s->loop)) != 0 || (rc = serve_cache(s)) != 0 ||
	    (rc = serve_feed(s)) != 0 ||
	    (rc = serve_signals_start(&s->signals, s->ctx, s->loop, serve_hup, s)) != 0) {
		rtrmod_ctx_log(s->ctx, RTRMOD_LOG_ERR, "rtrmod serve: cannot start: %s",
			       rtrmod_strerror(rc));
		return EXIT_FAILURE;
	}
	if (serve_bind(s->ctx, s->cache, s->o->bind) != 0)
		return EXIT_FAILURE; /* logged */
	if ((rc = rtrmod_feed_start(s->feed)) != 0) {
		rtrmod_ctx_log(s->ctx, RTRMOD_LOG_ERR,
			       "rtrmod serve: the first load failed (%s); exiting",
			       rtrmod_strerror(rc));
		return EXIT_FAILURE;
	}
	return -1;
}

static void
serve_teardown(struct serve *s)
{
	rtrmod_feed_free(s->feed);
	rtrmod_cache_free(s->cache);
	serve_signals_stop(&s->signals);
	rtrmod_loop_free(s->loop);
	rtrmod_ctx_free(s->ctx);
}

int
cmd_serve(int argc, char **argv)
{
	struct serve_opts o;
	struct serve s = {.o = &o};
	uint32_t serial = 0;
	int status;

	if (serve_opts_init(&o, argc) != 0) {
		serve_opts_fini(&o);
		fprintf(stderr, "rtrmod serve: out of memory\n");
		return EXIT_FAILURE;
	}
	status = serve_opts_parse(argc, argv, &o);
	if (status < 0 && o.config != NULL) {
		status = serve_config_run(o.config, o.control, o.loglevel);
		serve_opts_fini(&o);
		return status;
	}
	if (status < 0)
		status = serve_setup(&s);
	if (status < 0) {
		if (rtrmod_feed_serial(s.feed, &serial) != 0)
			serial = 0; /* unreachable: a first load succeeded */
		rtrmod_ctx_log(s.ctx, RTRMOD_LOG_INFO,
			       "rtrmod serve %s: serving serial %" PRIu32 " (%zu VRPs, %zu router "
			       "keys, %zu ASPAs)",
			       PACKAGE_VERSION, serial,
			       rtrmod_feed_count(s.feed, RTRMOD_SOURCE_VRP),
			       rtrmod_feed_count(s.feed, RTRMOD_SOURCE_ROUTER_KEY),
			       rtrmod_feed_count(s.feed, RTRMOD_SOURCE_ASPA));
		status = serve_signals_run(&s.signals);
	}
	serve_teardown(&s);
	serve_opts_fini(&o);
	return status;
}
