/*
 * goflag.h: command-line flags in the syntax of Go's flag package, so that
 * `rtrmod serve` takes the command lines written for StayRTR and GoRTR:
 * -flag value, -flag=value, --flag=value, and booleans as -flag or
 * -flag=false.  Parsing stops at "--" or at the first argument that is not a
 * flag.  Values are handed to the caller as text; helpers convert them.
 */
#ifndef GOFLAG_H
#define GOFLAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct goflag {
	const char *name; /* without the dash: "bind", "rtr.refresh" */
	bool is_bool;     /* takes no separate value; "=false" turns it off */
	int id;           /* the caller's */
};

/* Called for each flag in order; `value` is the text after '=' or the next
 * argument, and "true" for a bare boolean.  Returns 0, or non-zero to stop
 * parsing (goflag_parse returns it). */
typedef int goflag_fn(void *arg, const struct goflag *flag, const char *value);

#define GOFLAG_HELP  (-1) /* -h, -help or --help, when the table has no such flag */
#define GOFLAG_ERROR (-2) /* see the message */

/*
 * Parse argv[1..argc-1] against `flags`.  Returns 0 with *next set to the
 * index of the first argument that is not a flag (argc if none), what the
 * callback returned, GOFLAG_HELP, or GOFLAG_ERROR with a message in `err`
 * (an unknown flag, a missing value, a bad boolean) worded as Go words it.
 */
int goflag_parse(const struct goflag *flags, size_t nflags, int argc, char **argv, goflag_fn *fn,
		 void *arg, int *next, char *err, size_t errlen);

/* Go's strconv.ParseBool: 1 t T TRUE true True, 0 f F FALSE false False. */
bool goflag_bool(const char *s, bool *out);
/* A decimal integer within [min, max]. */
bool goflag_int(const char *s, int64_t min, int64_t max, int64_t *out);
/* A Go duration ("30s", "1m30s", "500ms", "2h") or bare seconds ("30"),
 * in milliseconds; at most a day. */
bool goflag_duration_ms(const char *s, uint64_t *out);

#endif
