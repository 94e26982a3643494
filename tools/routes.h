/*
 * routes.h: one route per text line for `rtrmod validate`: "prefix origin",
 * "prefix AS-path" or a `bgpdump -m` record, with the origin derived from
 * the AS path per RFC 6811 §2.  Lines are parsed in place; a parsed route
 * borrows the parser's storage until the next line.
 */
#ifndef ROUTES_H
#define ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/rtrmod.h>

enum route_format {
	ROUTE_FORMAT_AUTO = 0, /* decided per line */
	ROUTE_FORMAT_ORIGIN,   /* "192.0.2.0/24 AS64496" */
	ROUTE_FORMAT_PATH,     /* "192.0.2.0/24 64511 64500 {64496,64497}" */
	ROUTE_FORMAT_BGPDUMP,  /* "TABLE_DUMP2|time|B|peer|peer-as|prefix|path|..." */
};

enum route_result {
	ROUTE_OK = 0,
	ROUTE_SKIP, /* blank, comment, or a record that is not a route (withdrawal, state) */
	ROUTE_BAD,  /* malformed: the parser's `error` says why */
};

/* Where a route's origin comes from (RFC 6811 §2). */
enum route_origin_from {
	ROUTE_ORIGIN_PATH = 0, /* the rightmost AS of the final AS_SEQUENCE, or an AS_SET */
	ROUTE_ORIGIN_LOCAL,    /* empty path or final confederation segment: the local AS */
};

struct route {
	struct rtrmod_prefix prefix;
	enum route_origin_from from;
	struct rtrmod_origin origin; /* when from is ROUTE_ORIGIN_PATH */
	/* The AS path without confederation segments, neighbor first, for
	 * ASPA; has_path is false for "prefix origin" lines. */
	bool has_path;
	const struct rtrmod_as_segment *segments;
	size_t segment_count;
};

struct route_parser {
	enum route_format format;
	uint32_t *asns;
	size_t asn_cap;
	struct rtrmod_as_segment *segs;
	size_t seg_cap;
	char error[200];
};

/* "auto", "origin", "path", "bgpdump"; -1 for anything else. */
int route_format_parse(const char *name, enum route_format *out);

void route_parser_init(struct route_parser *p, enum route_format format);
void route_parser_free(struct route_parser *p);

/* Parse one line (modified in place; trailing newline allowed). */
enum route_result route_parse(struct route_parser *p, char *line, struct route *out);

#endif
