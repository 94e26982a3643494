/*
 * source_json_fast.c: a strict scanner for the common shape of a roa,
 * {"asn": 13335, "prefix": "1.0.0.0/24", "maxLength": 24, "ta": "apnic",
 * "expires": 1753047103}, so that a 700k-roa document need not call
 * jansson per record.
 *
 * It accepts only what it can read exactly as jansson would: a flat
 * object, at most SCAN_MAX_MEMBERS distinct keys, keys and string values
 * of printable ASCII without escapes, integers without sign oddities,
 * leading zeros, fraction or exponent and of at most 18 digits, and JSON's
 * four whitespace bytes.  Anything else (escapes, UTF-8, control bytes,
 * nested values, true/false/null, floats, duplicate keys, a prefix longer
 * than any prefix, syntax errors) is refused, and source_json.c re-parses
 * the record with jansson from its start, so the outcome of such a record,
 * error messages included, is jansson's by construction.
 */
#include "config.h"

#include <string.h>

#include "source_internal.h"

#define SCAN_MAX_MEMBERS 16
#define SCAN_MAX_DIGITS  18 /* below INT64_MAX: no overflow, as jansson's */
#define SCAN_MAX_PREFIX  63 /* "ffff:...:ffff/128" is 43 */

struct scan {
	const char *p, *end;
};

static void
scan_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

/* A string at s->p ('"'): its bytes, all in 0x20..0x7e but '"' and '\\'. */
static bool
scan_string(struct scan *s, const char **out, size_t *len)
{
	const char *q = s->p + 1;

	while (q < s->end && *q != '"') {
		unsigned char c = (unsigned char)*q;

		if (c < 0x20 || c > 0x7e || c == '\\')
			return false;
		q++;
	}
	if (q >= s->end)
		return false;
	*out = s->p + 1;
	*len = (size_t)(q - *out);
	s->p = q + 1;
	return true;
}

/* An integer at s->p: "0" or -?[1-9][0-9]*, at most SCAN_MAX_DIGITS digits.
 * What follows is checked by the caller (',' or '}' after whitespace), so
 * "01", "1.5", "1e3" and "12x" are all refused there. */
static bool
scan_int(struct scan *s, int64_t *out)
{
	bool neg = false;
	int64_t n = 0;
	size_t digits = 0;

	if (*s->p == '-') {
		neg = true;
		s->p++;
	}
	if (s->p >= s->end || *s->p < '0' || *s->p > '9' || (neg && *s->p == '0'))
		return false;
	if (*s->p == '0') {
		s->p++;
		*out = 0;
		return true;
	}
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
		if (++digits > SCAN_MAX_DIGITS)
			return false;
		n = n * 10 + (*s->p - '0');
		s->p++;
	}
	*out = neg ? -n : n;
	return true;
}

/* The slot a key fills, or NULL for a member the loader ignores. */
static struct source_fast_value *
scan_slot(struct source_fast_roa *r, const char *k, size_t len)
{
	switch (len) {
	case 3:
		return memcmp(k, "asn", 3) == 0 ? &r->asn : NULL;
	case 6:
		return memcmp(k, "prefix", 6) == 0 ? &r->prefix : NULL;
	case 7:
		return memcmp(k, "expires", 7) == 0 ? &r->expires : NULL;
	case 9:
		return memcmp(k, "maxLength", 9) == 0 ? &r->max_length : NULL;
	default:
		return NULL;
	}
}

bool
source_json_fast_roa(const char *buf, size_t len, struct source_fast_roa *out, size_t *used)
{
	struct scan s = {buf, buf + len};
	struct {
		const char *k;
		size_t len;
	} keys[SCAN_MAX_MEMBERS];
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	if (s.p >= s.end || *s.p != '{')
		return false;
	s.p++;
	scan_ws(&s);
	if (s.p < s.end && *s.p == '}') {
		*used = (size_t)(s.p + 1 - buf);
		return true;
	}
	for (;;) {
		struct source_fast_value v = {0}, *slot;
		const char *k;
		size_t klen;

		if (s.p >= s.end || *s.p != '"' || !scan_string(&s, &k, &klen))
			return false;
		if (n == SCAN_MAX_MEMBERS)
			return false;
		for (size_t i = 0; i < n; i++)
			if (keys[i].len == klen && memcmp(keys[i].k, k, klen) == 0)
				return false;
		keys[n].k = k;
		keys[n].len = klen;
		n++;
		scan_ws(&s);
		if (s.p >= s.end || *s.p != ':')
			return false;
		s.p++;
		scan_ws(&s);
		if (s.p >= s.end)
			return false;
		if (*s.p == '"') {
			v.kind = SOURCE_FAST_STRING;
			if (!scan_string(&s, &v.s, &v.len))
				return false;
		} else if (*s.p == '-' || (*s.p >= '0' && *s.p <= '9')) {
			v.kind = SOURCE_FAST_INT;
			if (!scan_int(&s, &v.n))
				return false;
		} else {
			return false;
		}
		slot = scan_slot(out, k, klen);
		if (slot != NULL) {
			if (slot == &out->prefix && v.kind == SOURCE_FAST_STRING &&
			    v.len > SCAN_MAX_PREFIX)
				return false;
			*slot = v;
		}
		scan_ws(&s);
		if (s.p >= s.end)
			return false;
		if (*s.p == '}') {
			*used = (size_t)(s.p + 1 - buf);
			return true;
		}
		if (*s.p != ',')
			return false;
		s.p++;
		scan_ws(&s);
	}
}
