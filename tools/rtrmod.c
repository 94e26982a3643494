/*
 * rtrmod.c: the rtrmod program, one binary with a subcommand per job
 * (serve, dump, monitor, validate, config, decode).  It uses only the
 * public API of librtrmod, like any other host.  Exit codes: 0 success,
 * 1 the job failed (bad data, unreachable peer), 2 usage error.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtrmod/rtrmod.h>

#include "commands.h"

struct command {
	const char *name;
	const char *summary;
	const char *usage; /* full help text; NULL for jobs not built yet */
	int (*run)(int argc, char **argv);
};

static int cmd_decode(int argc, char **argv);

static const char decode_usage[] =
	"usage: rtrmod decode [-x] [-s] [-m BYTES] [FILE|-]\n"
	"\n"
	"Decode a raw RTR byte stream (for example one direction of a TCP\n"
	"session saved from a capture) and print one line per PDU, as a router\n"
	"or cache would parse it: framing, lengths and the RFC 8210 checks.\n"
	"Stops at the first PDU a peer would refuse and names the Error Report\n"
	"code that PDU must get.  Reads standard input when FILE is - or absent.\n"
	"\n"
	"  -x, --hex          input is hex text (whitespace and # comments ignored)\n"
	"  -s, --summary      print only the totals per PDU type\n"
	"  -m, --max-len N    refuse variable-length PDUs longer than N bytes\n"
	"                     (8 to 65536, the default)\n"
	"  -h, --help         this text\n"
	"\n"
	"Exit status: 0 the whole stream decoded, 1 a PDU was refused or the\n"
	"stream ends inside a PDU, 2 usage error.\n";

static const struct command commands[] = {
	{"serve", "run a standalone RTR cache serving a VRP set", serve_usage, cmd_serve},
	{"dump", "connect to an RTR cache, sync and write its data as JSON", dump_usage, cmd_dump},
	{"monitor", "watch one or more RTR caches and report differences", NULL, NULL},
	{"validate", "origin-validate routes against a VRP set", validate_usage, cmd_validate},
	{"config", "check or print a YANG configuration, ask a running server", config_usage,
	 cmd_config},
	{"decode", "decode and check a raw RTR byte stream", decode_usage, cmd_decode},
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: rtrmod [--version] [--help] COMMAND [ARGS]\n\n"
		     "RPKI-to-Router (RTR) client and cache.  Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s%s\n", commands[i].name, commands[i].summary,
			commands[i].run == NULL ? " (not in this release yet)" : "");
	fprintf(out, "\n'rtrmod COMMAND --help' describes a command.\n");
}

static const struct command *
find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* ---- decode ---------------------------------------------------------- */

/* Read all of `f` into a growing buffer. */
static int
read_all(FILE *f, uint8_t **out, size_t *out_len)
{
	size_t cap = 64 * 1024, len = 0;
	uint8_t *buf = malloc(cap);

	if (buf == NULL)
		return -1;
	for (;;) {
		size_t n = fread(buf + len, 1, cap - len, f);

		len += n;
		if (n == 0)
			break;
		if (len == cap) {
			uint8_t *bigger = realloc(buf, cap * 2);

			if (bigger == NULL) {
				free(buf);
				return -1;
			}
			buf = bigger;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

static int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Turn hex text (with whitespace and # comments) into bytes, in place. */
static int
unhex(uint8_t *buf, size_t *len)
{
	size_t in = 0, out = 0;
	int high = -1;

	while (in < *len) {
		int c = buf[in++], v;

		if (c == '#') {
			while (in < *len && buf[in] != '\n')
				in++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':')
			continue;
		v = hex_value(c);
		if (v < 0) {
			fprintf(stderr, "rtrmod decode: not a hex digit at input byte %zu\n",
				in - 1);
			return -1;
		}
		if (high < 0) {
			high = v;
		} else {
			buf[out++] = (uint8_t)(high << 4 | v);
			high = -1;
		}
	}
	if (high >= 0) {
		fprintf(stderr, "rtrmod decode: odd number of hex digits\n");
		return -1;
	}
	*len = out;
	return 0;
}

struct decode_opts {
	int hex;
	int summary;
	unsigned long max_len;
	const char *file;
};

static int
decode_parse(int argc, char **argv, struct decode_opts *o)
{
	static const struct option longopts[] = {
		{"hex", no_argument, NULL, 'x'},
		{"summary", no_argument, NULL, 's'},
		{"max-len", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	char *end;

	o->max_len = RTRMOD_PDU_MAX_LEN_DEFAULT;
	while ((c = getopt_long(argc, argv, "xsm:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'x':
			o->hex = 1;
			break;
		case 's':
			o->summary = 1;
			break;
		case 'm':
			errno = 0;
			o->max_len = strtoul(optarg, &end, 10);
			/* The codec caps variable-length PDUs at 64 KiB. */
			if (errno != 0 || *end != '\0' || o->max_len < RTRMOD_PDU_HEADER_LEN ||
			    o->max_len > RTRMOD_PDU_MAX_LEN_DEFAULT) {
				fprintf(stderr, "rtrmod decode: bad --max-len '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(decode_usage, stdout);
			exit(EXIT_SUCCESS);
		default:
			fputs(decode_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fputs(decode_usage, stderr);
		return EXIT_USAGE;
	}
	o->file = optind < argc ? argv[optind] : "-";
	return 0;
}

static int
decode_stream(const struct decode_opts *o, const uint8_t *data, size_t len)
{
	struct rtrmod_ctx *ctx = NULL;
	struct rtrmod_pdu_stream *stream = NULL;
	unsigned long counts[256] = {0}, total = 0;
	size_t offset = 0;
	char line[1024];
	int rc, status = EXIT_FAILURE;

	if (rtrmod_ctx_new(NULL, &ctx) != 0 ||
	    rtrmod_pdu_stream_new(ctx, (uint32_t)o->max_len, &stream) != 0 ||
	    rtrmod_pdu_stream_feed(stream, data, len) != 0) {
		fprintf(stderr, "rtrmod decode: out of memory\n");
		goto out;
	}
	for (;;) {
		struct rtrmod_pdu pdu;
		struct rtrmod_pdu_error err;
		size_t size = rtrmod_pdu_stream_pending(stream);

		rc = rtrmod_pdu_stream_next(stream, &pdu, &err);
		if (rc == 0)
			rc = rtrmod_pdu_validate(&pdu, 0, &err);
		if (rc == RTRMOD_EAGAIN)
			break;
		if (rc != 0) {
			printf("%zu: refused: %s; a peer must be sent Error Report %u (%s)\n",
			       offset, err.reason, (unsigned)err.code,
			       rtrmod_rtr_error_name(err.code));
			goto out;
		}
		size -= rtrmod_pdu_stream_pending(stream);
		counts[pdu.type]++;
		total++;
		if (!o->summary) {
			rtrmod_pdu_format(&pdu, line, sizeof(line));
			printf("%zu: %s\n", offset, line);
		}
		offset += size;
	}
	for (unsigned t = 0; t < 256; t++)
		if (counts[t] != 0)
			printf("%-16s %lu\n", rtrmod_pdu_type_name(t), counts[t]);
	printf("%lu PDUs, %zu bytes\n", total, offset);
	if (rtrmod_pdu_stream_pending(stream) != 0) {
		printf("%zu: stream ends inside a PDU (%zu bytes left)\n", offset,
		       rtrmod_pdu_stream_pending(stream));
		goto out;
	}
	status = EXIT_SUCCESS;
out:
	rtrmod_pdu_stream_free(stream);
	rtrmod_ctx_free(ctx);
	return status;
}

static int
cmd_decode(int argc, char **argv)
{
	struct decode_opts o = {0};
	FILE *f = stdin;
	uint8_t *data = NULL;
	size_t len = 0;
	int rc;

	rc = decode_parse(argc, argv, &o);
	if (rc != 0)
		return rc;
	if (strcmp(o.file, "-") != 0) {
		f = fopen(o.file, "rb");
		if (f == NULL) {
			fprintf(stderr, "rtrmod decode: %s: %s\n", o.file, strerror(errno));
			return EXIT_FAILURE;
		}
	}
	rc = read_all(f, &data, &len);
	if (f != stdin)
		fclose(f);
	if (rc != 0) {
		fprintf(stderr, "rtrmod decode: %s: read failed\n", o.file);
		return EXIT_FAILURE;
	}
	if (o.hex && unhex(data, &len) != 0) {
		free(data);
		return EXIT_FAILURE;
	}
	rc = decode_stream(&o, data, len);
	free(data);
	return rc;
}

/* ---- main ------------------------------------------------------------ */

int
main(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && (cmd = find_command(argv[2])) != NULL && cmd->usage != NULL) {
			fputs(cmd->usage, stdout);
			return EXIT_SUCCESS;
		}
		usage(stdout);
		return EXIT_SUCCESS;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("rtrmod %s (librtrmod %s)\n", PACKAGE_VERSION, rtrmod_version());
		return EXIT_SUCCESS;
	}
	cmd = find_command(argv[1]);
	if (cmd == NULL) {
		fprintf(stderr, "rtrmod: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (cmd->run == NULL) {
		if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
			printf("rtrmod %s: %s.\nNot in rtrmod %s yet.\n", cmd->name,
			       cmd->summary, PACKAGE_VERSION);
			return EXIT_SUCCESS;
		}
		/* Known but not built yet: say so plainly, as a usage error. */
		fprintf(stderr, "rtrmod %s: %s; not in rtrmod %s yet\n", cmd->name, cmd->summary,
			PACKAGE_VERSION);
		return EXIT_USAGE;
	}
	/* getopt starts again at the subcommand's own arguments. */
	optind = 1;
	return cmd->run(argc - 1, argv + 1);
}
