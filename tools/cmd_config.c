/*
 * cmd_config.c: `rtrmod config`, the operator's side of the YANG
 * configuration: check or print a file without running it, print the
 * modules compiled into the library, and ask a running `rtrmod serve
 * --config` over its control socket (control.h) for its state, its running
 * configuration or a reload.
 *
 * Exit status: 0 success, 1 the file is refused or the server cannot be
 * asked (with the reason on standard error), 2 usage error.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtrmod/rtrmod.h>

#include "commands.h"
#include "config_view.h"
#include "control.h"

const char config_usage[] =
    "usage: rtrmod config check FILE [--format json|xml]\n"
    "       rtrmod config print FILE [--format json|xml]\n"
    "       rtrmod config yang [NAME]\n"
    "       rtrmod config state|running|reload [--socket PATH | --config FILE]\n"
    "                                          [--timeout SECONDS]\n"
    "\n"
    "The configuration is an instance of the YANG module rtrmod (RFC 7951 JSON\n"
    "or RFC 7950 XML), the same for `rtrmod serve --config` and the FRR module\n"
    "(`bgpd -M rtrmod:FILE`).\n"
    "\n"
    "  check FILE    load and validate FILE against the model and what this\n"
    "                build supports; print \"FILE: ok\" and what it configures,\n"
    "                or the fault with its line and YANG path.  It does not open\n"
    "                the sources or bind the listeners: `serve --config` does,\n"
    "                and refuses the whole file if one fails.  --format names\n"
    "                FILE's encoding\n"
    "                (default: XML for a .xml name or a first byte '<', else JSON)\n"
    "  print FILE    FILE in canonical form (defaults left out), in the\n"
    "                encoding --format names (default json); loading the print\n"
    "                gives the same configuration\n"
    "  yang [NAME]   list the YANG modules compiled into librtrmod, or print\n"
    "                module NAME (for NETCONF tooling, pyang, yanglint)\n"
    "  state         ask a running `rtrmod serve --config` for its operational\n"
    "                state (caches, router sessions, sources) as RFC 7951 JSON\n"
    "  running       ask it for its running configuration\n"
    "  reload        have it read its configuration file again (as SIGHUP)\n"
    "\n"
    "  --socket PATH     the server's control socket\n"
    "  --config FILE     ... as FILE's /rtrmod:rtrmod/control/socket names it\n"
    "  --timeout SECONDS give up waiting for the answer after this long\n"
    "                    (default 10)\n"
    "  -h, --help        this text\n"
    "\n"
    "Exit status: 0 success; 1 the file is refused, nothing listens on the\n"
    "socket, or the server answered an error; 2 usage error.\n";

struct config_opts {
	const char *verb;
	const char *arg; /* FILE, or NAME for yang */
	enum rtrmod_config_format format;
	bool format_given;
	const char *socket, *config;
	unsigned timeout;
};

static int
config_usage_error(const char *what)
{
	fprintf(stderr, "rtrmod config: %s\n", what);
	fputs(config_usage, stderr);
	return EXIT_USAGE;
}

static bool
config_format(const char *s, enum rtrmod_config_format *out)
{
	if (strcmp(s, "json") == 0)
		*out = RTRMOD_CONFIG_JSON;
	else if (strcmp(s, "xml") == 0)
		*out = RTRMOD_CONFIG_XML;
	else
		return false;
	return true;
}

/* -1 to go on, else the exit status. */
static int
config_parse(int argc, char **argv, struct config_opts *o)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'}, {"socket", required_argument, NULL, 's'},
	    {"config", required_argument, NULL, 'c'}, {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	unsigned long t;
	char *end;
	int c;

	o->timeout = 10;
	while ((c = getopt_long(argc, argv, "f:s:c:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!config_format(optarg, &o->format))
				return config_usage_error("--format is json or xml");
			o->format_given = true;
			break;
		case 's':
			o->socket = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 't':
			errno = 0;
			t = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || t == 0 || t > 3600)
				return config_usage_error("--timeout is 1 to 3600 seconds");
			o->timeout = (unsigned)t;
			break;
		case 'h':
			fputs(config_usage, stdout);
			return EXIT_SUCCESS;
		default:
			fputs(config_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return config_usage_error(
		    "which job: check, print, yang, state, running or reload?");
	o->verb = argv[optind++];
	if (optind < argc)
		o->arg = argv[optind++];
	if (optind < argc)
		return config_usage_error("too many arguments");
	return -1;
}

/* ---- check and print ------------------------------------------------------------------ */

/* Load o->arg; the exit status on failure (the reason printed), else -1. */
static int
config_load(struct rtrmod_ctx *ctx, const char *file, enum rtrmod_config_format format,
	    struct rtrmod_config **out)
{
	struct rtrmod_config_diag diag = {0};
	int rc;

	rc = rtrmod_config_load_file(ctx, file, format, out, &diag);
	if (rc == 0)
		return -1;
	if (diag.text[0] != '\0')
		fprintf(stderr, "%s\n", diag.text);
	else
		fprintf(stderr, "%s: %s\n", file, rtrmod_strerror(rc));
	return EXIT_FAILURE;
}

static const char *
plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static int
config_check(struct rtrmod_ctx *ctx, const struct config_opts *o)
{
	struct rtrmod_config *config = NULL;
	struct config_summary sum;
	int status, rc;

	status =
	    config_load(ctx, o->arg, o->format_given ? o->format : RTRMOD_CONFIG_AUTO, &config);
	if (status >= 0)
		return status;
	rc = config_view_summary(ctx, config, &sum);
	rtrmod_config_free(config);
	if (rc != 0) {
		fprintf(stderr, "%s: loaded, but cannot be printed back: %s\n", o->arg,
			rtrmod_strerror(rc));
		return EXIT_FAILURE;
	}
	printf("%s: ok (%zu %s, cache server %s", o->arg, sum.caches,
	       plural(sum.caches, "cache", "caches"), sum.server ? "on" : "off");
	if (sum.server)
		printf(" with %zu %s", sum.listeners,
		       plural(sum.listeners, "listener", "listeners"));
	printf(", %zu %s, %zu SLURM %s)\n", sum.sources, plural(sum.sources, "source", "sources"),
	       sum.slurms, plural(sum.slurms, "file", "files"));
	return EXIT_SUCCESS;
}

static int
config_print(struct rtrmod_ctx *ctx, const struct config_opts *o)
{
	struct rtrmod_config *config = NULL;
	char *text = NULL;
	size_t len;
	int status, rc;

	/* --format is what to print; the file's own encoding is recognised. */
	status = config_load(ctx, o->arg, RTRMOD_CONFIG_AUTO, &config);
	if (status >= 0)
		return status;
	rc = rtrmod_config_print(config, o->format_given ? o->format : RTRMOD_CONFIG_JSON, &text);
	rtrmod_config_free(config);
	if (rc != 0) {
		fprintf(stderr, "rtrmod config print: %s: %s\n", o->arg, rtrmod_strerror(rc));
		return EXIT_FAILURE;
	}
	len = strlen(text);
	fputs(text, stdout);
	if (len == 0 || text[len - 1] != '\n')
		putchar('\n');
	rtrmod_ctx_mfree(ctx, text);
	return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* ---- yang ------------------------------------------------------------------------------ */

static int
config_yang(const struct config_opts *o)
{
	const char *name, *text;
	size_t i, len;

	for (i = 0; (name = rtrmod_config_yang_module(i, &text)) != NULL; i++) {
		if (o->arg == NULL) {
			printf("%s\n", name);
			continue;
		}
		/* "rtrmod", "rtrmod.yang" and "rtrmod@REVISION" all name it */
		len = strlen(name);
		if (strncmp(o->arg, name, len) == 0 &&
		    (o->arg[len] == '\0' || strcmp(o->arg + len, ".yang") == 0 ||
		     o->arg[len] == '@')) {
			fputs(text, stdout);
			return EXIT_SUCCESS;
		}
	}
	if (o->arg == NULL)
		return EXIT_SUCCESS;
	fprintf(stderr, "rtrmod config yang: no module '%s'; these are compiled in:", o->arg);
	for (i = 0; (name = rtrmod_config_yang_module(i, &text)) != NULL; i++)
		fprintf(stderr, " %s", name);
	fputs("\n", stderr);
	return EXIT_FAILURE;
}

/* ---- asking a running server ----------------------------------------------------------- */

/* The socket to ask: --socket, or the one --config's file names. */
static int
config_socket(struct rtrmod_ctx *ctx, const struct config_opts *o, char **out)
{
	struct rtrmod_config *config = NULL;
	const char *path;
	int status;

	if ((o->socket == NULL) == (o->config == NULL))
		return config_usage_error("give either --socket PATH or --config FILE");
	if (o->socket != NULL) {
		*out = strdup(o->socket);
		return *out != NULL ? -1 : EXIT_FAILURE;
	}
	status = config_load(ctx, o->config, RTRMOD_CONFIG_AUTO, &config);
	if (status >= 0)
		return status;
	path = rtrmod_config_control_socket(config);
	if (path == NULL) {
		fprintf(stderr,
			"rtrmod config %s: %s configures no control socket "
			"(/" CONFIG_VIEW_TOP "/control/socket); give --socket PATH\n",
			o->verb, o->config);
		rtrmod_config_free(config);
		return EXIT_FAILURE;
	}
	*out = strdup(path);
	rtrmod_config_free(config);
	return *out != NULL ? -1 : EXIT_FAILURE;
}

static int
config_ask(struct rtrmod_ctx *ctx, const struct config_opts *o, const char *request)
{
	char *path = NULL, *answer = NULL, err[512];
	bool ok = false;
	size_t len;
	int status;

	status = config_socket(ctx, o, &path);
	if (status >= 0)
		return status;
	if (control_request(path, request, o->timeout * 1000u, &ok, &answer, err, sizeof(err)) !=
	    0) {
		fprintf(stderr, "rtrmod config %s: %s\n", o->verb, err);
		free(path);
		return EXIT_FAILURE;
	}
	if (!ok) {
		fprintf(stderr, "rtrmod config %s: %s: %s\n", o->verb, path, answer);
		status = EXIT_FAILURE;
	} else if (strcmp(request, "reload") == 0) {
		printf("%s: reloaded\n", path);
		status = EXIT_SUCCESS;
	} else {
		len = strlen(answer);
		fputs(answer, stdout);
		if (len == 0 || answer[len - 1] != '\n')
			putchar('\n');
		status = fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	free(answer);
	free(path);
	return status;
}

int
cmd_config(int argc, char **argv)
{
	static const struct {
		const char *verb, *request;
	} asks[] = {{"state", "state"}, {"running", "config"}, {"reload", "reload"}};
	struct config_opts o = {0};
	struct rtrmod_ctx *ctx = NULL;
	bool file_verb;
	int status;

	status = config_parse(argc, argv, &o);
	if (status >= 0)
		return status;
	file_verb = strcmp(o.verb, "check") == 0 || strcmp(o.verb, "print") == 0;
	if (file_verb && o.arg == NULL)
		return config_usage_error("which FILE?");
	if ((o.socket != NULL || o.config != NULL) && (file_verb || strcmp(o.verb, "yang") == 0))
		return config_usage_error("--socket and --config are for state, running and "
					  "reload");
	if (o.format_given && !file_verb)
		return config_usage_error("--format is for check and print");
	if (rtrmod_ctx_new(NULL, &ctx) != 0) {
		fprintf(stderr, "rtrmod config: out of memory\n");
		return EXIT_FAILURE;
	}
	status = -1;
	if (strcmp(o.verb, "check") == 0) {
		status = config_check(ctx, &o);
	} else if (strcmp(o.verb, "print") == 0) {
		status = config_print(ctx, &o);
	} else if (strcmp(o.verb, "yang") == 0) {
		status = config_yang(&o);
	} else {
		for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++)
			if (strcmp(o.verb, asks[i].verb) == 0)
				status = o.arg != NULL ? config_usage_error("too many arguments")
						       : config_ask(ctx, &o, asks[i].request);
	}
	if (status < 0) {
		fprintf(stderr, "rtrmod config: unknown job '%s'\n", o.verb);
		fputs(config_usage, stderr);
		status = EXIT_USAGE;
	}
	rtrmod_ctx_free(ctx);
	return status;
}
