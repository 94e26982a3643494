/*
 * routes.c: route lines for `rtrmod validate`.  An AS path is read in the
 * notation bgpdump (and Quagga before it) prints: plain ASNs for
 * AS_SEQUENCE, {a,b} for AS_SET, (a b) for AS_CONFED_SEQUENCE and [a b]
 * for AS_CONFED_SET.  The origin follows RFC 6811 §2; confederation
 * segments are left out of the path handed to ASPA verification.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"

enum element {
	EL_NONE = 0,
	EL_SEQUENCE,
	EL_SET,
	EL_CONFED,
};

/* The parse of one AS path: segments index into asns until finished. */
struct path_state {
	struct route_parser *p;
	size_t nasn, nseg;
	enum element last;
	uint32_t last_asn;
};

int
route_format_parse(const char *name, enum route_format *out)
{
	static const char *const names[] = {"auto", "origin", "path", "bgpdump"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (enum route_format)i;
			return 0;
		}
	}
	return -1;
}

void
route_parser_init(struct route_parser *p, enum route_format format)
{
	memset(p, 0, sizeof(*p));
	p->format = format;
}

void
route_parser_free(struct route_parser *p)
{
	free(p->asns);
	free(p->segs);
	memset(p, 0, sizeof(*p));
}

static enum route_result
bad(struct route_parser *p, const char *what, const char *s, size_t len)
{
	if (len > 60)
		len = 60;
	snprintf(p->error, sizeof(p->error), "%s '%.*s'", what, (int)len, s);
	return ROUTE_BAD;
}

/* An AS number: "64496", "AS64496" or asdot "1.10" (RFC 5396). */
static bool
asn_parse(const char *s, size_t len, uint32_t *out)
{
	uint64_t hi = 0, lo = 0, *cur = &lo;
	size_t i = 0, digits = 0;
	bool dot = false;

	if (len >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		i = 2;
	for (; i < len; i++) {
		if (s[i] == '.' && !dot && digits > 0) {
			dot = true;
			hi = lo;
			lo = 0;
			digits = 0;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return false;
		*cur = *cur * 10 + (uint64_t)(s[i] - '0');
		if (*cur > UINT32_MAX)
			return false;
		digits++;
	}
	if (digits == 0 || (dot && (hi > 0xffff || lo > 0xffff)))
		return false;
	*out = (uint32_t)(dot ? hi << 16 | lo : lo);
	return true;
}

/* Room for one more ASN and one more segment. */
static int
path_grow(struct path_state *st)
{
	struct route_parser *p = st->p;

	if (st->nasn == p->asn_cap) {
		size_t cap = p->asn_cap != 0 ? p->asn_cap * 2 : 64;
		uint32_t *a = realloc(p->asns, cap * sizeof(*a));

		if (a == NULL)
			return -1;
		p->asns = a;
		p->asn_cap = cap;
	}
	if (st->nseg == p->seg_cap) {
		size_t cap = p->seg_cap != 0 ? p->seg_cap * 2 : 16;
		struct rtrmod_as_segment *g = realloc(p->segs, cap * sizeof(*g));

		if (g == NULL)
			return -1;
		p->segs = g;
		p->seg_cap = cap;
	}
	return 0;
}

/* Append an ASN; `open` starts a new segment of that type.  Confederation
 * members are not stored (they are not part of the path ASPA checks). */
static int
path_add(struct path_state *st, enum element el, bool open, uint32_t asn)
{
	struct rtrmod_as_segment *seg;

	st->last = el;
	st->last_asn = asn;
	if (el == EL_CONFED)
		return 0;
	if (path_grow(st) != 0)
		return -1;
	seg = st->nseg > 0 ? &st->p->segs[st->nseg - 1] : NULL;
	/* Consecutive plain ASNs, even across a confederation segment, are
	 * one AS_SEQUENCE. */
	if (open || seg == NULL || seg->type != RTRMOD_AS_SEQUENCE || el != EL_SEQUENCE) {
		seg = &st->p->segs[st->nseg++];
		seg->type = el == EL_SET ? RTRMOD_AS_SET : RTRMOD_AS_SEQUENCE;
		seg->count = 0;
		seg->asns = (const uint32_t *)(uintptr_t)st->nasn; /* an index until done */
	}
	st->p->asns[st->nasn++] = asn;
	seg->count++;
	return 0;
}

/* A bracketed segment at s[0] ('{', '(' or '['); returns the bytes used or
 * 0 with p->error set. */
static size_t
path_bracket(struct path_state *st, const char *s)
{
	const char close = s[0] == '{' ? '}' : s[0] == '(' ? ')' : ']';
	const enum element el = s[0] == '{' ? EL_SET : EL_CONFED;
	const char *end = strchr(s, close);
	size_t i = 1, n = 0;
	uint32_t asn;

	if (end == NULL) {
		bad(st->p, "unterminated AS path segment", s, strlen(s));
		return 0;
	}
	while (s + i < end) {
		size_t len = strcspn(s + i, ", \t}])");

		if (len == 0) {
			i++;
			continue;
		}
		if (!asn_parse(s + i, len, &asn)) {
			bad(st->p, "bad AS", s + i, len);
			return 0;
		}
		if (path_add(st, el, n++ == 0, asn) != 0) {
			bad(st->p, "out of memory at", s, 1);
			return 0;
		}
		i += len;
	}
	if (n == 0) {
		bad(st->p, "empty AS path segment", s, (size_t)(end - s) + 1);
		return 0;
	}
	return (size_t)(end - s) + 1;
}

/* Parse an AS path and derive the origin (RFC 6811 §2). */
static enum route_result
path_parse(struct route_parser *p, const char *s, struct route *r)
{
	struct path_state st = {.p = p};
	uint32_t asn;

	for (;;) {
		size_t len;

		s += strspn(s, " \t");
		if (*s == '\0')
			break;
		if (*s == '{' || *s == '(' || *s == '[') {
			len = path_bracket(&st, s);
			if (len == 0)
				return ROUTE_BAD;
		} else {
			len = strcspn(s, " \t{([");
			if (!asn_parse(s, len, &asn))
				return bad(p, "bad AS", s, len);
			if (path_add(&st, EL_SEQUENCE, false, asn) != 0)
				return bad(p, "out of memory at", s, len);
		}
		s += len;
	}
	for (size_t i = 0; i < st.nseg; i++)
		p->segs[i].asns = p->asns + (uintptr_t)p->segs[i].asns;
	r->segments = p->segs;
	r->segment_count = st.nseg;
	r->from =
	    st.last == EL_NONE || st.last == EL_CONFED ? ROUTE_ORIGIN_LOCAL : ROUTE_ORIGIN_PATH;
	r->origin.kind = st.last == EL_SET ? RTRMOD_ORIGIN_AS_SET : RTRMOD_ORIGIN_AS;
	r->origin.asn = st.last == EL_SEQUENCE ? st.last_asn : 0;
	return ROUTE_OK;
}

static enum route_result
prefix_parse(struct route_parser *p, const char *s, size_t len, struct route *r)
{
	char buf[64];

	if (len == 0 || len >= sizeof(buf))
		return bad(p, "bad prefix", s, len);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (rtrmod_prefix_parse(buf, &r->prefix) != 0)
		return bad(p, "bad prefix", s, len);
	return ROUTE_OK;
}

/* TABLE_DUMP|time|B|peer|peer-as|prefix|path|... (and BGP4MP updates). */
static enum route_result
parse_bgpdump(struct route_parser *p, char *line, struct route *r)
{
	static const char *const types[] = {"TABLE_DUMP", "TABLE_DUMP2", "TABLE_DUMP_V2", "BGP4MP",
					    "BGP4MP_ET"};
	char *f[7];
	size_t n = 0, t;

	for (char *s = line; n < 7; n++) {
		f[n] = s;
		s = strchr(s, '|');
		if (s == NULL) {
			n++;
			break;
		}
		*s++ = '\0';
	}
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		if (strcmp(f[0], types[t]) == 0)
			break;
	if (t == sizeof(types) / sizeof(types[0]))
		return bad(p, "unknown bgpdump record type", f[0], strlen(f[0]));
	if (n >= 3 && (strcmp(f[2], "W") == 0 || strcmp(f[2], "STATE") == 0))
		return ROUTE_SKIP;
	if (n < 7)
		return bad(p, "bgpdump record too short:", f[0], strlen(f[0]));
	if (strcmp(f[2], "B") != 0 && strcmp(f[2], "A") != 0)
		return bad(p, "unknown bgpdump entry kind", f[2], strlen(f[2]));
	if (prefix_parse(p, f[5], strlen(f[5]), r) != ROUTE_OK)
		return ROUTE_BAD;
	r->has_path = true;
	return path_parse(p, f[6], r);
}

/* "prefix rest": an origin (one AS or one {set}) or an AS path. */
static enum route_result
parse_text(struct route_parser *p, char *line, struct route *r)
{
	size_t len = strcspn(line, " \t");
	char *rest = line + len;
	enum route_format format = p->format;
	enum route_result rc;

	if (prefix_parse(p, line, len, r) != ROUTE_OK)
		return ROUTE_BAD;
	rest += strspn(rest, " \t");
	if (format == ROUTE_FORMAT_ORIGIN && rest[0] == '\0')
		return bad(p, "missing origin AS after", line, len);
	if (format == ROUTE_FORMAT_AUTO)
		format = rest[strcspn(rest, " \t{([")] == '\0' && rest[0] != '\0'
			     ? ROUTE_FORMAT_ORIGIN
			     : ROUTE_FORMAT_PATH;
	rc = path_parse(p, rest, r);
	if (rc != ROUTE_OK || format == ROUTE_FORMAT_PATH) {
		r->has_path = true;
		return rc;
	}
	if (r->segment_count != 1 || r->from != ROUTE_ORIGIN_PATH ||
	    (r->segments[0].type == RTRMOD_AS_SEQUENCE && r->segments[0].count != 1))
		return bad(p, "want one origin AS, got", rest, strlen(rest));
	r->segment_count = 0;
	return ROUTE_OK;
}

enum route_result
route_parse(struct route_parser *p, char *line, struct route *r)
{
	size_t len = strlen(line);

	memset(r, 0, sizeof(*r));
	p->error[0] = '\0';
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	line += strspn(line, " \t");
	if (line[0] == '\0' || line[0] == '#')
		return ROUTE_SKIP;
	if (p->format == ROUTE_FORMAT_BGPDUMP ||
	    (p->format == ROUTE_FORMAT_AUTO && strchr(line, '|') != NULL))
		return parse_bgpdump(p, line, r);
	return parse_text(p, line, r);
}
