/*
 * goflag.c: Go's flag syntax (the package "flag", FlagSet.parseOne) for the
 * rtrmod program: one or two dashes, "name=value" or the value as the next
 * argument, bare booleans, "--" to end the flags, and Go's wording for the
 * errors so that operators see what StayRTR would have told them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goflag.h"

static const struct goflag *
goflag_find(const struct goflag *flags, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(flags[i].name) == len && memcmp(flags[i].name, name, len) == 0)
			return &flags[i];
	return NULL;
}

/* One flag at argv[*i]; advances *i past it (and its value). */
static int
goflag_one(const struct goflag *flags, size_t nflags, int argc, char **argv, int *i, goflag_fn *fn,
	   void *arg, char *err, size_t errlen)
{
	const char *s = argv[*i], *name = s + (s[1] == '-' ? 2 : 1), *eq, *value;
	const struct goflag *f;
	size_t len;

	if (name[0] == '\0' || name[0] == '-' || name[0] == '=') {
		snprintf(err, errlen, "bad flag syntax: %s", s);
		return GOFLAG_ERROR;
	}
	eq = strchr(name, '=');
	len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	f = goflag_find(flags, nflags, name, len);
	if (f == NULL) {
		if ((len == 1 && name[0] == 'h') || (len == 4 && memcmp(name, "help", 4) == 0))
			return GOFLAG_HELP;
		snprintf(err, errlen, "flag provided but not defined: -%.*s", (int)len, name);
		return GOFLAG_ERROR;
	}
	(*i)++;
	if (eq != NULL) {
		value = eq + 1;
	} else if (f->is_bool) {
		value = "true";
	} else if (*i < argc) {
		value = argv[(*i)++]; /* Go takes the next argument, whatever it is */
	} else {
		snprintf(err, errlen, "flag needs an argument: -%s", f->name);
		return GOFLAG_ERROR;
	}
	if (f->is_bool && !goflag_bool(value, &(bool){false})) {
		snprintf(err, errlen, "invalid boolean value \"%s\" for -%s: parse error", value,
			 f->name);
		return GOFLAG_ERROR;
	}
	return fn(arg, f, value);
}

int
goflag_parse(const struct goflag *flags, size_t nflags, int argc, char **argv, goflag_fn *fn,
	     void *arg, int *next, char *err, size_t errlen)
{
	int i = 1, rc;

	err[0] = '\0';
	while (i < argc) {
		const char *s = argv[i];

		if (strlen(s) < 2 || s[0] != '-')
			break; /* the first argument that is not a flag */
		if (strcmp(s, "--") == 0) {
			i++;
			break;
		}
		if ((rc = goflag_one(flags, nflags, argc, argv, &i, fn, arg, err, errlen)) != 0)
			return rc;
	}
	*next = i;
	return 0;
}

bool
goflag_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

bool
goflag_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (s[0] == '\0' || s[0] == ' ' || s[0] == '\t' || s[0] == '+')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool
goflag_duration_ms(const char *s, uint64_t *out)
{
	static const struct {
		const char *unit;
		uint64_t ms;
	} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
	const uint64_t max = 86400000;
	uint64_t total = 0;
	int64_t secs;

	if (goflag_int(s, 0, 86400, &secs)) {
		*out = (uint64_t)secs * 1000;
		return true;
	}
	if (*s == '\0')
		return false;
	while (*s != '\0') {
		uint64_t n = 0;
		size_t i, ulen = 0;

		if (*s < '0' || *s > '9')
			return false;
		for (; *s >= '0' && *s <= '9'; s++)
			if ((n = n * 10 + (uint64_t)(*s - '0')) > max)
				return false;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			ulen = strlen(units[i].unit);
			/* "m" must not take the "m" of "ms" */
			if (strncmp(s, units[i].unit, ulen) == 0 &&
			    (s[ulen] < 'a' || s[ulen] > 'z'))
				break;
		}
		if (i == sizeof(units) / sizeof(units[0]) || n > max / units[i].ms)
			return false;
		total += n * units[i].ms;
		if (total > max)
			return false;
		s += ulen;
	}
	*out = total;
	return true;
}
