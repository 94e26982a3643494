/*
 * rtrmod_vty.c: the `rpki` configuration node of FRR 8.4's RPKI module, with
 * its command strings and its config write unchanged, so vtysh (which
 * carries its own copy of the strings), frr.conf and `write memory` work
 * as they do with `-M rpki`.
 *
 * `rpki cache` lines become caches of the instance's client (the instance
 * leaves caches it did not create alone); each is kept as written, so the
 * config write gives back the very line.  A host name is given to the
 * core as it is, which resolves it at every connection attempt on bgpd's
 * loop (as FRR's module resolves it at every connect).  The core has no
 * SSH transport yet: an SSH cache is kept in the configuration, reported
 * as unavailable and not connected; so is a line the client refuses, and
 * every line while the module is inert (another Debian revision of this
 * FRR: rtrmod_check.c), so `write memory` never drops an operator's
 * line.  As in FRR, the caches start when the rpki node is left (or on
 * `rpki start`), and the timers apply to the caches configured here; an
 * expire interval FRR takes but the core would not (RFC 8210 §6: larger
 * than refresh and retry) is kept as written and run as the smallest legal
 * value.
 */
#include <zebra.h>

#include <arpa/inet.h>
#include <netdb.h>

#include "lib/command.h"
#include "lib/memory.h"
#include "lib/vty.h"
#include "lib/zlog.h"

#include "bgpd/bgp_memory.h"

#include "rtrmod_frr.h"

DEFINE_MTYPE_STATIC(BGPD, RTRMOD_CACHE, "rtrmod configured cache");

#define RPKI_OUTPUT_STRING "Control rpki specific settings\n"

#define RTRMOD_FRR_EXPIRE_MIN 600 /* RFC 8210 §6; the command's range */

static int config_write(struct vty *vty);
static int config_on_exit(struct vty *vty);

static struct cmd_node rpki_node = {
    .name = "rpki",
    .node = RPKI_NODE,
    .parent_node = CONFIG_NODE,
    .prompt = "%s(config-rpki)# ",
    .config_write = config_write,
    .node_exit = config_on_exit,
};

/* ---- the cache list -------------------------------------------------------------------- */

static void
cache_free(struct rtrmod_frr_cache *c)
{
	XFREE(MTYPE_RTRMOD_CACHE, c->host);
	XFREE(MTYPE_RTRMOD_CACHE, c->port);
	XFREE(MTYPE_RTRMOD_CACHE, c->ssh_user);
	XFREE(MTYPE_RTRMOD_CACHE, c->ssh_privkey);
	XFREE(MTYPE_RTRMOD_CACHE, c->ssh_pubkey);
	XFREE(MTYPE_RTRMOD_CACHE, c->source);
	XFREE(MTYPE_RTRMOD_CACHE, c);
}

static struct rtrmod_frr_cache *
cache_find(unsigned preference)
{
	for (struct rtrmod_frr_cache *c = rtrmod_frr.caches; c != NULL; c = c->next)
		if (c->preference == preference)
			return c;
	return NULL;
}

static void
cache_append(struct rtrmod_frr_cache *c)
{
	struct rtrmod_frr_cache **p = &rtrmod_frr.caches;

	while (*p != NULL)
		p = &(*p)->next;
	*p = c;
}

/* Take `c` out of the list and the client; false (logged) when the client
 * refuses, and then it stays. */
static bool
cache_remove(struct rtrmod_frr_cache *c)
{
	struct rtrmod_frr_cache **p;
	int rc;

	if (c->cc != NULL) {
		rc = rtrmod_client_remove_cache(rtrmod_frr_client(), c->cc);
		if (rc != 0) {
			zlog_err("rtrmod: cannot remove cache %s %s: %s", c->host, c->port,
				 rtrmod_strerror(rc));
			return false;
		}
	}
	for (p = &rtrmod_frr.caches; *p != c; p = &(*p)->next)
		;
	*p = c->next;
	cache_free(c);
	return true;
}

/* The expire interval the core runs: the configured one, or, when that
 * is not larger than both the refresh (polling) and retry intervals, the
 * smallest that is (RFC 8210 §6).  The configured line is kept as written
 * (FRR 8.4 takes it), so the stored configuration reads back the same. */
static unsigned
expire_effective(void)
{
	unsigned floor = rtrmod_frr.polling_period > rtrmod_frr.retry_interval
			     ? rtrmod_frr.polling_period
			     : rtrmod_frr.retry_interval;

	return rtrmod_frr.expire_interval > floor ? rtrmod_frr.expire_interval : floor + 1;
}

static void
cache_apply_timers(struct rtrmod_frr_cache *c)
{
	int rc;

	if (c->cc == NULL)
		return;
	rc = rtrmod_client_cache_set_timers(c->cc, rtrmod_frr.polling_period,
					    rtrmod_frr.retry_interval, expire_effective());
	if (rc != 0)
		zlog_warn("rtrmod: cache %s %s: refresh %u, retry %u, expire %u s not taken (%s; "
			  "RFC 8210 section 6 wants expire longer than both): the cache keeps its "
			  "previous timers",
			  c->host, c->port, rtrmod_frr.polling_period, rtrmod_frr.retry_interval,
			  expire_effective(), rtrmod_strerror(rc));
}

/* Say so when the core runs another expire interval than configured. */
static void
expire_warn(struct vty *vty)
{
	if (expire_effective() == rtrmod_frr.expire_interval)
		return;
	if (vty != NULL)
		vty_out(vty,
			"%% rtrmod: expire interval %u is not larger than the polling period (%u) "
			"and the retry interval (%u) (RFC 8210 section 6): kept as written, the "
			"caches run %u\n",
			rtrmod_frr.expire_interval, rtrmod_frr.polling_period,
			rtrmod_frr.retry_interval, expire_effective());
	zlog_warn("rtrmod: rpki expire_interval %u is not larger than the polling period (%u) and "
		  "the retry interval (%u) (RFC 8210 section 6): kept as written, the caches run "
		  "%u s",
		  rtrmod_frr.expire_interval, rtrmod_frr.polling_period, rtrmod_frr.retry_interval,
		  expire_effective());
}

static void
timers_changed(void)
{
	for (struct rtrmod_frr_cache *c = rtrmod_frr.caches; c != NULL; c = c->next)
		cache_apply_timers(c);
}

/* A TCP port as FRR takes it: a number or a service name. */
static bool
tcp_port(const char *text, uint16_t *port)
{
	char *end;
	unsigned long v;
	struct servent *se;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (*text != '\0' && *end == '\0' && errno == 0 && v >= 1 && v <= 65535) {
		*port = (uint16_t)v;
		return true;
	}
	se = getservbyname(text, "tcp");
	if (se == NULL)
		return false;
	*port = ntohs((uint16_t)se->s_port);
	return *port != 0;
}

static bool
numeric_address(const char *text)
{
	struct in6_addr a;

	return inet_pton(AF_INET, text, &a) == 1 || inet_pton(AF_INET6, text, &a) == 1;
}

static int
add_tcp_cache(struct vty *vty, struct rtrmod_frr_cache *c)
{
	uint16_t port;
	int rc;

	if (!tcp_port(c->port, &port)) {
		vty_out(vty, "%% rtrmod: %s is neither a TCP port number nor a service name\n",
			c->port);
		return CMD_WARNING_CONFIG_FAILED;
	}
	rc = rtrmod_client_add_cache(rtrmod_frr_client(), c->host, port, c->preference, "tcp",
				     &c->cc);
	if (rc == 0 && c->source != NULL) {
		rc = rtrmod_client_cache_set_local_address(c->cc, c->source);
		if (rc != 0 && rtrmod_client_remove_cache(rtrmod_frr_client(), c->cc) != 0)
			zlog_err("rtrmod: cache %s %s left in the client", c->host, c->port);
	}
	if (rc != 0) {
		c->cc = NULL;
		zlog_err("rtrmod: rpki cache %s %s%s%s preference %u: %s", c->host, c->port,
			 c->source ? " source " : "", c->source ? c->source : "",
			 (unsigned)c->preference, rtrmod_strerror(rc));
		vty_out(vty, "Could not create new rpki cache\n");
		return CMD_WARNING;
	}
	cache_apply_timers(c);
	return CMD_SUCCESS;
}

/* The client's caches; none while the module is inert (no client). */
static size_t
client_cache_count(void)
{
	struct rtrmod_client *client = rtrmod_frr_client();

	return client != NULL ? rtrmod_client_cache_count(client) : 0;
}

/* ---- starting and stopping --------------------------------------------------------------- */

bool
rtrmod_frr_start(void)
{
	struct rtrmod_client *client = rtrmod_frr_client();
	int rc;

	if (client == NULL)
		return false;
	if (rtrmod_client_cache_count(client) == 0) {
		RTRMOD_FRR_DEBUG("No caches were found in config. Prefix validation is off.");
		return false;
	}
	rc = rtrmod_client_start(client);
	if (rc != 0) {
		zlog_err("rtrmod: cannot start the RTR client: %s", rtrmod_strerror(rc));
		return false;
	}
	rtrmod_frr.running = true;
	return true;
}

void
rtrmod_frr_stop(void)
{
	if (!rtrmod_frr.running)
		return;
	rtrmod_client_stop(rtrmod_frr_client());
	rtrmod_frr.running = false;
}

static bool
reset(bool force)
{
	if (rtrmod_frr.running && !force)
		return true;
	RTRMOD_FRR_DEBUG("Resetting RPKI Session");
	rtrmod_frr_stop();
	return rtrmod_frr_start();
}

static int
config_on_exit(struct vty *vty)
{
	(void)vty;
	reset(false);
	return 1;
}

/* ---- config write -------------------------------------------------------------------------- */

/* Byte for byte what FRR 8.4's bgp_rpki.c writes (vtysh parses it). */
static int
config_write(struct vty *vty)
{
	if (rtrmod_frr.debug)
		vty_out(vty, "debug rpki\n");
	vty_out(vty, "!\n");
	vty_out(vty, "rpki\n");
	if (rtrmod_frr.polling_period != RTRMOD_FRR_POLLING_DEFAULT)
		vty_out(vty, " rpki polling_period %u\n", rtrmod_frr.polling_period);
	if (rtrmod_frr.retry_interval != RTRMOD_FRR_RETRY_DEFAULT)
		vty_out(vty, " rpki retry_interval %u\n", rtrmod_frr.retry_interval);
	if (rtrmod_frr.expire_interval != RTRMOD_FRR_EXPIRE_DEFAULT)
		vty_out(vty, " rpki expire_interval %u\n", rtrmod_frr.expire_interval);
	for (const struct rtrmod_frr_cache *c = rtrmod_frr.caches; c != NULL; c = c->next) {
		if (c->ssh)
			vty_out(vty, " rpki cache %s %u %s %s %s ", c->host, c->ssh_port,
				c->ssh_user, c->ssh_privkey,
				c->ssh_pubkey != NULL ? c->ssh_pubkey : " ");
		else
			vty_out(vty, " rpki cache %s %s ", c->host, c->port);
		if (c->source != NULL)
			vty_out(vty, "source %s ", c->source);
		vty_out(vty, "preference %u\n", (unsigned)c->preference);
	}
	vty_out(vty, "exit\n");
	return 1;
}

/* ---- commands ------------------------------------------------------------------------------- */

/* clang-format off */
DEFUN_NOSH (rpki,
	    rpki_cmd,
	    "rpki",
	    "Enable rpki and enter rpki configuration mode\n")
/* clang-format on */
{
	vty->node = RPKI_NODE;
	return CMD_SUCCESS;
}

/* clang-format off */
DEFUN (no_rpki,
       no_rpki_cmd,
       "no rpki",
       NO_STR
       "Enable rpki and enter rpki configuration mode\n")
/* clang-format on */
{
	while (rtrmod_frr.caches != NULL)
		if (!cache_remove(rtrmod_frr.caches))
			break;
	rtrmod_frr_stop();
	return CMD_SUCCESS;
}

/* clang-format off */
DEFUN (bgp_rpki_start,
       bgp_rpki_start_cmd,
       "rpki start",
       RPKI_OUTPUT_STRING
       "start rpki support\n")
/* clang-format on */
{
	if (rtrmod_frr.inert) {
		vty_out(vty, "%% rtrmod is inactive in this bgpd (see its log): RPKI is off\n");
		return CMD_WARNING;
	}
	if (rtrmod_frr.caches == NULL && client_cache_count() == 0)
		vty_out(vty, "Could not start rpki because no caches are configured\n");
	if (!rtrmod_frr.running && !rtrmod_frr_start()) {
		RTRMOD_FRR_DEBUG("RPKI failed to start");
		return CMD_WARNING;
	}
	return CMD_SUCCESS;
}

/* clang-format off */
DEFUN (bgp_rpki_stop,
       bgp_rpki_stop_cmd,
       "rpki stop",
       RPKI_OUTPUT_STRING
       "start rpki support\n")
/* clang-format on */
{
	rtrmod_frr_stop();
	return CMD_SUCCESS;
}

/* clang-format off */
DEFUN (rpki_reset,
       rpki_reset_cmd,
       "rpki reset",
       RPKI_OUTPUT_STRING
       "reset rpki\n")
/* clang-format on */
{
	return reset(true) ? CMD_SUCCESS : CMD_WARNING;
}

/* clang-format off */
DEFUN (rpki_polling_period,
       rpki_polling_period_cmd,
       "rpki polling_period (1-86400)",
       RPKI_OUTPUT_STRING
       "Set polling period\n"
       "Polling period value\n")
/* clang-format on */
{
	rtrmod_frr.polling_period = (unsigned)strtoul(argv[2]->arg, NULL, 10);
	timers_changed();
	return CMD_SUCCESS;
}

/* clang-format off */
DEFUN (no_rpki_polling_period,
       no_rpki_polling_period_cmd,
       "no rpki polling_period [(1-86400)]",
       NO_STR
       RPKI_OUTPUT_STRING
       "Set polling period back to default\n"
       "Polling period value\n")
/* clang-format on */
{
	rtrmod_frr.polling_period = RTRMOD_FRR_POLLING_DEFAULT;
	timers_changed();
	return CMD_SUCCESS;
}

/* clang-format off */
DEFUN (rpki_expire_interval,
       rpki_expire_interval_cmd,
       "rpki expire_interval (600-172800)",
       RPKI_OUTPUT_STRING
       "Set expire interval\n"
       "Expire interval value\n")
/* clang-format on */
{
	unsigned v = (unsigned)strtoul(argv[2]->arg, NULL, 10);

	if (v < rtrmod_frr.polling_period) {
		vty_out(vty, "%% Expiry interval must be polling period or larger\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	/* FRR 8.4 also takes it equal to the polling period, and at or below
	 * the retry interval, where the core wants it larger than both (RFC
	 * 8210 §6): kept as written, with a warning, and the caches run the
	 * smallest legal value (expire_effective), so `write memory` keeps the
	 * operator's line and the stored configuration reads back the same. */
	rtrmod_frr.expire_interval = v;
	expire_warn(vty);
	timers_changed();
	return CMD_SUCCESS;
}

/* As FRR: back to twice the polling period, not to the default; but never
 * below the command's own minimum (FRR would write `rpki expire_interval
 * 200` after `rpki polling_period 100`, a line it then refuses to read)
 * nor at or below the retry interval (RFC 8210 §6). */
/* clang-format off */
DEFUN (no_rpki_expire_interval,
       no_rpki_expire_interval_cmd,
       "no rpki expire_interval [(600-172800)]",
       NO_STR
       RPKI_OUTPUT_STRING
       "Set expire interval back to default\n"
       "Expire interval value\n")
/* clang-format on */
{
	unsigned v = rtrmod_frr.polling_period * 2;

	if (v < RTRMOD_FRR_EXPIRE_MIN)
		v = RTRMOD_FRR_EXPIRE_MIN;
	if (v <= rtrmod_frr.retry_interval)
		v = rtrmod_frr.retry_interval + 1;
	rtrmod_frr.expire_interval = v;
	timers_changed();
	return CMD_SUCCESS;
}

/* clang-format off */
DEFUN (rpki_retry_interval,
       rpki_retry_interval_cmd,
       "rpki retry_interval (1-7200)",
       RPKI_OUTPUT_STRING
       "Set retry interval\n"
       "retry interval value\n")
/* clang-format on */
{
	rtrmod_frr.retry_interval = (unsigned)strtoul(argv[2]->arg, NULL, 10);
	timers_changed();
	return CMD_SUCCESS;
}

/* clang-format off */
DEFUN (no_rpki_retry_interval,
       no_rpki_retry_interval_cmd,
       "no rpki retry_interval [(1-7200)]",
       NO_STR
       RPKI_OUTPUT_STRING
       "Set retry interval back to default\n"
       "retry interval value\n")
/* clang-format on */
{
	rtrmod_frr.retry_interval = RTRMOD_FRR_RETRY_DEFAULT;
	timers_changed();
	return CMD_SUCCESS;
}

#define RPKI_CACHE_STR                                                                             \
	"rpki cache <A.B.C.D|WORD> <TCPPORT|(1-65535) SSH_UNAME SSH_PRIVKEY [SERVER_PUBKEY]> "     \
	"[source <A.B.C.D>] preference (1-255)"
#define RPKI_CACHE_HELP                                                                            \
	RPKI_OUTPUT_STRING                                                                         \
	"Install a cache server to current group\n"                                                \
	"IP address of cache server\n"                                                             \
	"Hostname of cache server\n"                                                               \
	"TCP port number\n"                                                                        \
	"SSH port number\n"                                                                        \
	"SSH user name\n"                                                                          \
	"Path to own SSH private key\n"                                                            \
	"Path to Public key of cache server\n"                                                     \
	"Configure source IP address of RPKI connection\n"                                         \
	"Define a Source IP Address\n"                                                             \
	"Preference of the cache server\n"                                                         \
	"Preference value\n"

/* The arguments of an `rpki cache` line, `first` being the host's index. */
static struct rtrmod_frr_cache *
cache_parse(int argc, struct cmd_token **argv, int first)
{
	struct rtrmod_frr_cache *c = XCALLOC(MTYPE_RTRMOD_CACHE, sizeof(*c));
	int idx = first;

	c->host = XSTRDUP(MTYPE_RTRMOD_CACHE, argv[first]->arg);
	/*
	 * "rpki cache H 323 source A preference P" matches both forms, and
	 * FRR's matcher prefers the SSH one (a range beats a word), taking
	 * "source" for the user name: so FRR 8.4 itself never set a source on
	 * a TCP cache given by port number.  Read it as meant.
	 */
	if (argv_find(argv, argc, "SSH_UNAME", &idx) && strcmp(argv[idx]->arg, "source") == 0 &&
	    argc == idx + 4 && numeric_address(argv[idx + 1]->arg)) {
		c->port = XSTRDUP(MTYPE_RTRMOD_CACHE, argv[idx - 1]->arg);
		c->source = XSTRDUP(MTYPE_RTRMOD_CACHE, argv[idx + 1]->arg);
		c->preference = (uint8_t)strtoul(argv[argc - 1]->arg, NULL, 10);
		return c;
	}
	idx = first;
	if (argv_find(argv, argc, "SSH_UNAME", &idx)) {
		c->ssh = true;
		c->ssh_port = (unsigned)strtoul(argv[idx - 1]->arg, NULL, 10);
		c->port = XSTRDUP(MTYPE_RTRMOD_CACHE, argv[idx - 1]->arg);
		c->ssh_user = XSTRDUP(MTYPE_RTRMOD_CACHE, argv[idx]->arg);
		c->ssh_privkey = XSTRDUP(MTYPE_RTRMOD_CACHE, argv[idx + 1]->arg);
		idx = first;
		if (argv_find(argv, argc, "SERVER_PUBKEY", &idx))
			c->ssh_pubkey = XSTRDUP(MTYPE_RTRMOD_CACHE, argv[idx]->arg);
	} else {
		c->port = XSTRDUP(MTYPE_RTRMOD_CACHE, argv[first + 1]->arg);
	}
	idx = first;
	if (argv_find(argv, argc, "source", &idx))
		c->source = XSTRDUP(MTYPE_RTRMOD_CACHE, argv[idx + 1]->arg);
	c->preference = (uint8_t)strtoul(argv[argc - 1]->arg, NULL, 10);
	return c;
}

/* clang-format off */
DEFUN (rpki_cache,
       rpki_cache_cmd,
       RPKI_CACHE_STR,
       RPKI_CACHE_HELP)
/* clang-format on */
{
	struct rtrmod_frr_cache *c = cache_parse(argc, argv, 2);
	int ret;

	if (cache_find(c->preference) != NULL) {
		vty_out(vty, "Cache with preference %u is already configured\n",
			(unsigned)c->preference);
		cache_free(c);
		return CMD_WARNING;
	}
	if (rtrmod_frr.inert) {
		zlog_warn("rtrmod: rpki cache %s %s preference %u: kept in the configuration, but "
			  "rtrmod is inactive in this bgpd: RPKI is off",
			  c->host, c->port, (unsigned)c->preference);
		vty_out(vty,
			"%% rtrmod is inactive in this bgpd (see its log): RPKI is off; the cache "
			"is kept in the configuration but not connected\n");
		cache_append(c);
		return CMD_SUCCESS;
	}
	if (c->ssh) {
		zlog_warn("rtrmod: rpki cache %s %u (SSH): rtrmod has no SSH transport yet; the "
			  "cache is kept in the configuration but not connected",
			  c->host, c->ssh_port);
		vty_out(vty,
			"%% rtrmod has no SSH transport yet: cache %s %u is kept in the "
			"configuration but not connected\n",
			c->host, c->ssh_port);
		cache_append(c);
		return CMD_SUCCESS;
	}
	/* Kept even when refused, like an SSH cache: `write memory` gives the
	 * line back, `no rpki cache` removes it. */
	ret = add_tcp_cache(vty, c);
	if (ret != CMD_SUCCESS)
		vty_out(vty,
			"%% rtrmod: cache %s %s preference %u is kept in the configuration but "
			"not connected\n",
			c->host, c->port, (unsigned)c->preference);
	cache_append(c);
	return ret;
}

/* clang-format off */
DEFUN (no_rpki_cache,
       no_rpki_cache_cmd,
       "no " RPKI_CACHE_STR,
       NO_STR
       RPKI_CACHE_HELP)
/* clang-format on */
{
	unsigned preference = (unsigned)strtoul(argv[argc - 1]->arg, NULL, 10);
	struct rtrmod_frr_cache *c = cache_find(preference);

	if (c == NULL) {
		vty_out(vty, "Could not find cache with preference %u\n", preference);
		return CMD_WARNING;
	}
	if (!cache_remove(c)) {
		vty_out(vty, "Could not remove cache with preference %u\n", preference);
		return CMD_WARNING;
	}
	if (client_cache_count() == 0)
		rtrmod_frr_stop();
	return CMD_SUCCESS;
}

/* clang-format off */
DEFUN (debug_rpki,
       debug_rpki_cmd,
       "debug rpki",
       DEBUG_STR
       "Enable debugging for rpki\n")
/* clang-format on */
{
	rtrmod_frr_set_debug(true);
	return CMD_SUCCESS;
}

/* clang-format off */
DEFUN (no_debug_rpki,
       no_debug_rpki_cmd,
       "no debug rpki",
       NO_STR
       DEBUG_STR
       "Disable debugging for rpki\n")
/* clang-format on */
{
	rtrmod_frr_set_debug(false);
	return CMD_SUCCESS;
}

/* ---- install -----------------------------------------------------------------------------------
 */

void
rtrmod_vty_init(void)
{
	install_node(&rpki_node);
	install_default(RPKI_NODE);
	install_element(CONFIG_NODE, &rpki_cmd);
	install_element(ENABLE_NODE, &rpki_cmd);
	install_element(CONFIG_NODE, &no_rpki_cmd);

	install_element(ENABLE_NODE, &bgp_rpki_start_cmd);
	install_element(ENABLE_NODE, &bgp_rpki_stop_cmd);
	install_element(ENABLE_NODE, &rpki_reset_cmd);
	install_element(RPKI_NODE, &rpki_reset_cmd);

	install_element(RPKI_NODE, &rpki_polling_period_cmd);
	install_element(RPKI_NODE, &no_rpki_polling_period_cmd);
	install_element(RPKI_NODE, &rpki_expire_interval_cmd);
	install_element(RPKI_NODE, &no_rpki_expire_interval_cmd);
	install_element(RPKI_NODE, &rpki_retry_interval_cmd);
	install_element(RPKI_NODE, &no_rpki_retry_interval_cmd);
	install_element(RPKI_NODE, &rpki_cache_cmd);
	install_element(RPKI_NODE, &no_rpki_cache_cmd);

	install_element(CONFIG_NODE, &debug_rpki_cmd);
	install_element(ENABLE_NODE, &debug_rpki_cmd);
	install_element(CONFIG_NODE, &no_debug_rpki_cmd);
	install_element(ENABLE_NODE, &no_debug_rpki_cmd);
}

void
rtrmod_vty_fini(void)
{
	while (rtrmod_frr.caches != NULL) {
		struct rtrmod_frr_cache *c = rtrmod_frr.caches;

		rtrmod_frr.caches = c->next;
		cache_free(c);
	}
	rtrmod_frr.running = false;
}
