/*
 * source_json.c: JSON VRP documents (rpki-client, StayRTR/GoRTR/OctoRPKI,
 * Routinator) into a struct rtrmod_set, with statistics per kind and drop
 * reason.  The document's top level is scanned here and each record is
 * handed to jansson on its own (JSON_DISABLE_EOF_CHECK), so a 700k-VRP
 * file never becomes a 600 MB tree: memory is the text plus the set.
 *
 * With verification on, each roa is also handed to the signature digest
 * (source_sign.c) as its signer wrote it, before any check may drop it.
 *
 * Invariants: a load either returns a finished set or nothing (the builder
 * is freed on every failure path); any syntax error anywhere refuses the
 * whole document, and so does a failed signature or time check, which run
 * on the whole document before the set is made; a record is counted
 * exactly once, accepted or dropped.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <rtrmod/source.h>

#include "rtrmod_internal.h"
#include "source_internal.h"

/* Top-level members that hold records; each may appear once. */
enum section {
	SEC_ROAS = 1 << 0,
	SEC_KEYS = 1 << 1,
	SEC_ASPAS = 1 << 2,
	SEC_PROVIDER_AUTH = 1 << 3,
	SEC_METADATA = 1 << 4,
};

/* One load in progress: the text, the cursor and the set being built. */
struct load {
	struct rtrmod_source *src;
	const char *name;
	const char *buf;
	size_t len, pos;
	int64_t now;
	struct rtrmod_set_builder *builder;
	struct source_digest *digest; /* with verification on */
	unsigned seen;                /* enum section bits */
	bool debug;
	/* scratch for one record: ASPA providers, decoded SPKI */
	uint32_t *providers;
	size_t providers_cap;
	uint8_t *spki;
	size_t spki_cap;
	/* cache for offset -> line (offsets mostly grow while streaming) */
	size_t line_off, line_no;
};

typedef int record_fn(struct load *l, json_t *rec, size_t offset);

static record_fn take_roa;
static int take_roa_fast(struct load *l, size_t off, bool *taken);

/* ---- positions and errors ---------------------------------------------- */

/* 1-based line and column of byte `off`. */
static void
load_position(struct load *l, size_t off, size_t *line, size_t *col)
{
	const char *p, *nl;
	size_t start;

	if (off > l->len)
		off = l->len;
	if (off < l->line_off) {
		l->line_off = 0;
		l->line_no = 1;
	}
	p = l->buf + l->line_off;
	while ((nl = memchr(p, '\n', (size_t)(l->buf + off - p))) != NULL) {
		l->line_no++;
		p = nl + 1;
	}
	l->line_off = (size_t)(p - l->buf);
	start = l->line_off;
	*line = l->line_no;
	*col = off - start + 1;
}

/* Refuse the document: "NAME: line L, column C: what". */
static int load_fail(struct load *l, size_t off, const char *fmt, ...) RTRMOD_PRINTF(3, 4);

static int
load_fail(struct load *l, size_t off, const char *fmt, ...)
{
	struct rtrmod_source *src = l->src;
	size_t line, col;
	int n;
	va_list ap;

	load_position(l, off, &line, &col);
	n = snprintf(src->error, sizeof(src->error), "%s: line %zu, column %zu: ", l->name, line,
		     col);
	if (n < 0 || (size_t)n >= sizeof(src->error))
		return RTRMOD_EPARSE;
	va_start(ap, fmt);
	vsnprintf(src->error + n, sizeof(src->error) - (size_t)n, fmt, ap);
	va_end(ap);
	return RTRMOD_EPARSE;
}

/* Count a dropped record; say which and why when debugging. */
static int
load_drop(struct load *l, enum rtrmod_source_kind kind, enum rtrmod_source_drop reason,
	  size_t offset)
{
	size_t line, col;

	l->src->dropped[kind][reason]++;
	if (l->debug) {
		load_position(l, offset, &line, &col);
		log_debug(l->src->ctx, "%s: line %zu: %s record dropped: %s", l->name, line,
			  rtrmod_source_kind_name(kind), rtrmod_source_drop_name(reason));
	}
	return 0;
}

/* ---- the top-level scanner --------------------------------------------- */

static void
skip_ws(struct load *l)
{
	while (l->pos < l->len) {
		char c = l->buf[l->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		l->pos++;
	}
}

static int
peek(struct load *l)
{
	skip_ws(l);
	return l->pos < l->len ? (unsigned char)l->buf[l->pos] : -1;
}

static int
expect(struct load *l, char c, const char *what)
{
	if (peek(l) != (unsigned char)c)
		return load_fail(l, l->pos, "%s expected", what);
	l->pos++;
	return 0;
}

/* End of the scalar at pos: a string (with escapes) or a bare token. */
static size_t
scalar_end(struct load *l)
{
	size_t i = l->pos;

	if (i < l->len && l->buf[i] == '"') {
		for (i++; i < l->len; i++) {
			if (l->buf[i] == '\\')
				i++;
			else if (l->buf[i] == '"')
				return i + 1;
		}
		return l->len;
	}
	while (i < l->len &&
	       (l->buf[i] == '-' || l->buf[i] == '+' || l->buf[i] == '.' ||
		(l->buf[i] >= '0' && l->buf[i] <= '9') || (l->buf[i] >= 'a' && l->buf[i] <= 'z') ||
		(l->buf[i] >= 'A' && l->buf[i] <= 'Z')))
		i++;
	return i;
}

/* Parse the one JSON value at pos with jansson and step past it.  An
 * object or array ends at its last bracket (JSON_DISABLE_EOF_CHECK); a
 * scalar is cut out first, since jansson may read past the end of one. */
static int
read_value(struct load *l, json_t **out)
{
	json_error_t err;
	size_t start, end;
	int c = peek(l);

	start = l->pos;
	if (c == '{' || c == '[') {
		*out = json_loadb(l->buf + start, l->len - start, JSON_DISABLE_EOF_CHECK, &err);
		end = start + (size_t)(err.position > 0 ? err.position : 0);
	} else {
		end = scalar_end(l);
		*out = json_loadb(l->buf + start, end - start, JSON_DECODE_ANY, &err);
	}
	if (*out == NULL)
		return load_fail(l, start + (size_t)(err.position > 0 ? err.position - 1 : 0), "%s",
				 err.text);
	l->pos = end;
	return 0;
}

/* Call `fn` for each element of the array at pos; null is an empty array. */
static int
stream_array(struct load *l, const char *member, record_fn *fn)
{
	json_t *rec;
	size_t start;
	bool taken;
	int rc, c = peek(l);

	if (c == 'n') {
		rc = read_value(l, &rec);
		if (rc == 0 && !json_is_null(rec))
			rc = load_fail(l, l->pos, "\"%s\" is not an array", member);
		json_decref(rec);
		return rc;
	}
	if (c != '[')
		return load_fail(l, l->pos, "\"%s\" is not an array", member);
	l->pos++;
	if (peek(l) == ']') {
		l->pos++;
		return 0;
	}
	for (;;) {
		/* The record starts after the whitespace (and newline) that
		 * follows the comma: messages name the record's own line. */
		(void)peek(l);
		start = l->pos;
		if (fn == take_roa) {
			rc = take_roa_fast(l, start, &taken);
			if (rc != 0)
				return rc;
			if (taken)
				goto next;
		}
		rc = read_value(l, &rec);
		if (rc != 0)
			return rc;
		rc = fn(l, rec, start);
		json_decref(rec);
		if (rc != 0)
			return rc;
	next:
		c = peek(l);
		if (c != ']' && c != ',')
			return load_fail(l, l->pos, "',' or ']' expected in \"%s\"", member);
		l->pos++;
		if (c == ']')
			return 0;
	}
}

/* ---- values ------------------------------------------------------------ */

/* A JSON string's bytes, or NULL for anything else. */
static const char *
json_text(json_t *v, size_t *len)
{
	if (!json_is_string(v))
		return NULL;
	*len = json_string_length(v);
	return json_string_value(v);
}

/* An AS number: a JSON integer, or a string "AS123", "as123" or "123". */
static bool
parse_asn(json_t *v, uint32_t *out)
{
	const char *s;
	size_t len;

	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);

		if (x < 0 || x > (json_int_t)UINT32_MAX)
			return false;
		*out = (uint32_t)x;
		return true;
	}
	s = json_text(v, &len);
	return s != NULL && source_asn_parse(s, len, out);
}

/* A SKI: exactly 40 hex digits, either case. */
static bool
parse_ski(json_t *v, uint8_t ski[20])
{
	const char *s;
	size_t len;

	s = json_text(v, &len);
	return s != NULL && source_hex_parse(s, len, ski, 20);
}

/* A base64 SPKI into the load's scratch: RTRMOD_EINVAL if it is not one. */
static int
parse_spki(struct load *l, json_t *v, size_t *out_len)
{
	const char *s;
	size_t len;

	s = json_text(v, &len);
	if (s == NULL)
		return RTRMOD_EINVAL;
	if (len * 3 / 4 + 3 > l->spki_cap) {
		uint8_t *p = ctx_realloc(l->src->ctx, l->spki, len * 3 / 4 + 3);

		if (p == NULL)
			return RTRMOD_ENOMEM;
		l->spki = p;
		l->spki_cap = len * 3 / 4 + 3;
	}
	return source_base64_parse(s, len, l->spki, out_len) ? 0 : RTRMOD_EINVAL;
}

/* "expires": absent is fine; present must be an integer.  Returns false
 * for a malformed value. */
static bool
parse_expires(json_t *rec, bool *has, int64_t *at)
{
	json_t *v = json_object_get(rec, "expires");

	*has = v != NULL && !json_is_null(v);
	if (!*has)
		return true;
	if (!json_is_integer(v))
		return false;
	*at = (int64_t)json_integer_value(v);
	return true;
}

/* Whether the record is past its expiry; remember the earliest kept one. */
static bool
load_expired(struct load *l, bool has, int64_t at)
{
	struct rtrmod_source *src = l->src;

	if (!has)
		return false;
	if (!src->ignore_expiry && l->now > at)
		return true;
	source_note_expiry(src, at);
	return false;
}

/* ---- what the signature covers ------------------------------------------ */

/* Refuse a document holding a roa or metadata that a signature cannot
 * cover (RTRMOD_EINVAL from the digest); pass other errors on. */
static int
load_uncoverable(struct load *l, size_t off, int rc, const char *what, const char *needs)
{
	if (rc != RTRMOD_EINVAL)
		return rc;
	load_fail(l, off, "%s the signature cannot cover (%s)", what, needs);
	return RTRMOD_EVERIFY;
}

/* ---- records ----------------------------------------------------------- */

/* A ROA payload: prefix, maxLength, asn, optional expires. */
static int
take_roa(struct load *l, json_t *rec, size_t off)
{
	const enum rtrmod_source_kind k = RTRMOD_SOURCE_VRP;
	struct rtrmod_vrp vrp = {0};
	json_t *p, *ml;
	json_int_t max;
	int64_t at = 0;
	bool has_at = false;
	int rc;

	if (l->digest != NULL && (rc = source_digest_roa(l->digest, rec)) != 0)
		return load_uncoverable(l, off, rc, "a roa",
					"it needs an object with a string \"prefix\", an "
					"integer \"maxLength\", a string or integer \"asn\"");
	/* A signature does not cover "expires": heeding it there would let
	 * anyone who can alter the file withdraw any roa. */
	if (!json_is_object(rec) || (l->digest == NULL && !parse_expires(rec, &has_at, &at)))
		return load_drop(l, k, RTRMOD_SOURCE_DROP_MALFORMED, off);
	p = json_object_get(rec, "prefix");
	if (!json_is_string(p) || strlen(json_string_value(p)) != json_string_length(p) ||
	    rtrmod_prefix_parse(json_string_value(p), &vrp.prefix) != 0)
		return load_drop(l, k, RTRMOD_SOURCE_DROP_PREFIX, off);
	if (!parse_asn(json_object_get(rec, "asn"), &vrp.asn))
		return load_drop(l, k, RTRMOD_SOURCE_DROP_ASN, off);
	ml = json_object_get(rec, "maxLength");
	max = json_is_integer(ml) ? json_integer_value(ml) : -1;
	if (max < vrp.prefix.len || max > (vrp.prefix.afi == RTRMOD_AFI_IPV4 ? 32 : 128))
		return load_drop(l, k, RTRMOD_SOURCE_DROP_MAX_LENGTH, off);
	vrp.max_len = (uint8_t)max;
	if (load_expired(l, has_at, at))
		return load_drop(l, k, RTRMOD_SOURCE_DROP_EXPIRED, off);
	rc = rtrmod_set_builder_add_vrp(l->builder, &vrp);
	if (rc != 0)
		return rc;
	l->src->accepted[k]++;
	return 0;
}

/* take_roa() on what source_json_fast.c read, with the same checks in the
 * same order.  *taken is false when the record is not one the scanner
 * reads, or verification is on (the digest wants jansson's values): the
 * caller then hands it to jansson from `off`.  Otherwise pos is past it
 * and the result is take_roa()'s. */
static int
take_roa_fast(struct load *l, size_t off, bool *taken)
{
	const enum rtrmod_source_kind k = RTRMOD_SOURCE_VRP;
	struct rtrmod_vrp vrp = {0};
	struct source_fast_roa r;
	char prefix[64];
	size_t used;
	int64_t max;
	int rc;

	*taken = false;
	if (l->src->json_fast_off || l->digest != NULL ||
	    !source_json_fast_roa(l->buf + off, l->len - off, &r, &used))
		return 0;
	*taken = true;
	l->pos = off + used;
	if (r.expires.kind == SOURCE_FAST_STRING)
		return load_drop(l, k, RTRMOD_SOURCE_DROP_MALFORMED, off);
	if (r.prefix.kind != SOURCE_FAST_STRING || r.prefix.len >= sizeof(prefix))
		return load_drop(l, k, RTRMOD_SOURCE_DROP_PREFIX, off);
	memcpy(prefix, r.prefix.s, r.prefix.len);
	prefix[r.prefix.len] = '\0';
	if (rtrmod_prefix_parse(prefix, &vrp.prefix) != 0)
		return load_drop(l, k, RTRMOD_SOURCE_DROP_PREFIX, off);
	if (r.asn.kind == SOURCE_FAST_INT) {
		if (r.asn.n < 0 || r.asn.n > (int64_t)UINT32_MAX)
			return load_drop(l, k, RTRMOD_SOURCE_DROP_ASN, off);
		vrp.asn = (uint32_t)r.asn.n;
	} else if (r.asn.kind != SOURCE_FAST_STRING ||
		   !source_asn_parse(r.asn.s, r.asn.len, &vrp.asn)) {
		return load_drop(l, k, RTRMOD_SOURCE_DROP_ASN, off);
	}
	max = r.max_length.kind == SOURCE_FAST_INT ? r.max_length.n : -1;
	if (max < vrp.prefix.len || max > (vrp.prefix.afi == RTRMOD_AFI_IPV4 ? 32 : 128))
		return load_drop(l, k, RTRMOD_SOURCE_DROP_MAX_LENGTH, off);
	vrp.max_len = (uint8_t)max;
	if (load_expired(l, r.expires.kind == SOURCE_FAST_INT, r.expires.n))
		return load_drop(l, k, RTRMOD_SOURCE_DROP_EXPIRED, off);
	rc = rtrmod_set_builder_add_vrp(l->builder, &vrp);
	if (rc != 0)
		return rc;
	l->src->accepted[k]++;
	return 0;
}

/* A BGPsec router key: asn, ski (hex), pubkey (base64 SPKI); Routinator
 * spells the last two "SKI" and "routerPublicKey". */
static int
take_router_key(struct load *l, json_t *rec, size_t off)
{
	const enum rtrmod_source_kind k = RTRMOD_SOURCE_ROUTER_KEY;
	struct rtrmod_router_key key;
	json_t *ski, *pub;
	size_t len;
	int64_t at = 0;
	bool has_at;
	int rc;

	memset(&key, 0, sizeof(key));
	if (!json_is_object(rec) || !parse_expires(rec, &has_at, &at))
		return load_drop(l, k, RTRMOD_SOURCE_DROP_MALFORMED, off);
	if (!parse_asn(json_object_get(rec, "asn"), &key.asn))
		return load_drop(l, k, RTRMOD_SOURCE_DROP_ASN, off);
	ski = json_object_get(rec, "ski");
	if (ski == NULL)
		ski = json_object_get(rec, "SKI");
	if (!parse_ski(ski, key.ski))
		return load_drop(l, k, RTRMOD_SOURCE_DROP_SKI, off);
	pub = json_object_get(rec, "pubkey");
	if (pub == NULL)
		pub = json_object_get(rec, "routerPublicKey");
	rc = parse_spki(l, pub, &len);
	if (rc == RTRMOD_EINVAL || (rc == 0 && (len == 0 || len > UINT32_MAX)))
		return load_drop(l, k, RTRMOD_SOURCE_DROP_KEY, off);
	if (rc != 0)
		return rc;
	if (load_expired(l, has_at, at))
		return load_drop(l, k, RTRMOD_SOURCE_DROP_EXPIRED, off);
	key.spki = l->spki;
	key.spki_len = (uint32_t)len;
	rc = rtrmod_set_builder_add_router_key(l->builder, &key);
	if (rc != 0)
		return rc;
	l->src->accepted[k]++;
	return 0;
}

/* The provider ASes of an ASPA entry into the load's scratch; false if the
 * list is missing, empty or holds anything but AS numbers. */
static int
parse_providers(struct load *l, json_t *list, size_t *count)
{
	size_t n = json_array_size(list);

	if (!json_is_array(list) || n == 0)
		return RTRMOD_EINVAL;
	if (n > l->providers_cap) {
		uint32_t *p = ctx_realloc(l->src->ctx, l->providers, n * sizeof(*p));

		if (p == NULL)
			return RTRMOD_ENOMEM;
		l->providers = p;
		l->providers_cap = n;
	}
	for (size_t i = 0; i < n; i++)
		if (!parse_asn(json_array_get(list, i), &l->providers[i]))
			return RTRMOD_EINVAL;
	*count = n;
	return 0;
}

/* An ASPA entry: customer_asid (Routinator: customer), providers, optional
 * expires.  Entries for one customer are merged by the set builder. */
static int
take_aspa(struct load *l, json_t *rec, size_t off)
{
	const enum rtrmod_source_kind k = RTRMOD_SOURCE_ASPA;
	json_t *cust;
	uint32_t customer;
	size_t count = 0;
	int64_t at = 0;
	bool has_at;
	int rc;

	if (!json_is_object(rec) || !parse_expires(rec, &has_at, &at))
		return load_drop(l, k, RTRMOD_SOURCE_DROP_MALFORMED, off);
	cust = json_object_get(rec, "customer_asid");
	if (cust == NULL)
		cust = json_object_get(rec, "customer");
	if (!parse_asn(cust, &customer))
		return load_drop(l, k, RTRMOD_SOURCE_DROP_ASN, off);
	rc = parse_providers(l, json_object_get(rec, "providers"), &count);
	if (rc == RTRMOD_EINVAL)
		return load_drop(l, k, RTRMOD_SOURCE_DROP_PROVIDERS, off);
	if (rc != 0)
		return rc;
	if (load_expired(l, has_at, at))
		return load_drop(l, k, RTRMOD_SOURCE_DROP_EXPIRED, off);
	rc = rtrmod_set_builder_add_aspa(l->builder, customer, l->providers, count);
	if (rc != 0)
		return rc;
	l->src->accepted[k]++;
	return 0;
}

/* rpki-client's 2023 layout: {"ipv4": [aspa...], "ipv6": [aspa...]}, one
 * entry per customer and AFI; the builder merges both AFIs' providers. */
static int
take_provider_authorizations(struct load *l, size_t off)
{
	static const char *const afis[] = {"ipv4", "ipv6"};
	json_t *pa, *list;
	int rc;

	rc = read_value(l, &pa);
	if (rc != 0)
		return rc;
	if (!json_is_object(pa)) {
		json_decref(pa);
		return load_fail(l, off, "\"provider_authorizations\" is not an object");
	}
	for (size_t a = 0; a < ARRAY_SIZE(afis) && rc == 0; a++) {
		list = json_object_get(pa, afis[a]);
		if (list == NULL || json_is_null(list))
			continue;
		if (!json_is_array(list)) {
			rc = load_fail(l, off, "\"provider_authorizations.%s\" is not an array",
				       afis[a]);
			break;
		}
		for (size_t i = 0; i < json_array_size(list) && rc == 0; i++)
			rc = take_aspa(l, json_array_get(list, i), off);
	}
	json_decref(pa);
	return rc;
}

/* metadata: build time, GoRTR's "valid", and a guess at the producer. */
static int
take_metadata(struct load *l)
{
	struct rtrmod_source *src = l->src;
	size_t off = l->pos;
	json_t *md, *v;
	int64_t t;
	int rc;

	rc = read_value(l, &md);
	if (rc != 0 || !json_is_object(md)) {
		json_decref(md);
		return rc;
	}
	if (l->digest != NULL && (rc = source_digest_metadata(l->digest, md)) != 0) {
		json_decref(md);
		return load_uncoverable(l, off, rc, "metadata",
					"\"generated\" and \"valid\" must be integers, "
					"\"signature\" and \"signatureDate\" strings");
	}
	v = json_object_get(md, "valid");
	if (json_is_integer(v)) {
		src->has_valid_until = true;
		src->valid_until = (int64_t)json_integer_value(v);
	}
	if (json_is_string(v = json_object_get(md, "buildtime")) &&
	    source_time_parse(json_string_value(v), &t)) {
		src->format = RTRMOD_SOURCE_FORMAT_RPKI_CLIENT;
		src->has_build_time = true;
		src->build_time = t;
	} else if (json_is_integer(v = json_object_get(md, "generated"))) {
		src->format = json_object_get(md, "generatedTime") != NULL
				  ? RTRMOD_SOURCE_FORMAT_ROUTINATOR
				  : RTRMOD_SOURCE_FORMAT_GORTR;
		src->has_build_time = true;
		src->build_time = (int64_t)json_integer_value(v);
	} else if (json_is_string(v = json_object_get(md, "generatedTime")) &&
		   source_time_parse(json_string_value(v), &t)) {
		src->format = RTRMOD_SOURCE_FORMAT_ROUTINATOR;
		src->has_build_time = true;
		src->build_time = t;
	}
	json_decref(md);
	return 0;
}

/* ---- the document ------------------------------------------------------ */

/* One top-level member's value, at pos. */
static int
load_member(struct load *l, const char *key, size_t key_off)
{
	static const struct {
		const char *key;
		enum section sec;
		record_fn *fn;
	} members[] = {
	    {"roas", SEC_ROAS, take_roa},
	    {"bgpsec_keys", SEC_KEYS, take_router_key},
	    {"routerKeys", SEC_KEYS, take_router_key},
	    {"aspas", SEC_ASPAS, take_aspa},
	    {"provider_authorizations", SEC_PROVIDER_AUTH, NULL},
	    {"metadata", SEC_METADATA, NULL},
	};
	json_t *skip;
	int rc;

	for (size_t i = 0; i < ARRAY_SIZE(members); i++) {
		if (strcmp(key, members[i].key) != 0)
			continue;
		if (l->seen & members[i].sec)
			return load_fail(l, key_off, "duplicate member \"%s\"", key);
		l->seen |= members[i].sec;
		if (members[i].fn != NULL)
			return stream_array(l, key, members[i].fn);
		if (members[i].sec == SEC_METADATA)
			return take_metadata(l);
		return take_provider_authorizations(l, l->pos);
	}
	rc = read_value(l, &skip);
	json_decref(skip);
	return rc;
}

/* A document that does not start with '{': let jansson say what is wrong. */
static int
load_not_object(struct load *l)
{
	json_error_t err;
	json_t *doc = json_loadb(l->buf, l->len, JSON_DECODE_ANY, &err);

	if (doc == NULL)
		return load_fail(l, (size_t)(err.position > 0 ? err.position - 1 : 0), "%s",
				 err.text);
	json_decref(doc);
	return load_fail(l, l->pos, "not a VRP document: the top level is not an object");
}

static int
load_document(struct load *l)
{
	json_t *key;
	size_t key_off;
	int rc;

	if (peek(l) != '{')
		return load_not_object(l);
	l->pos++;
	if (peek(l) == '}') {
		l->pos++;
	} else {
		for (;;) {
			key_off = l->pos;
			if (peek(l) != '"')
				return load_fail(l, l->pos, "string or '}' expected");
			rc = read_value(l, &key);
			if (rc != 0)
				return rc;
			rc = expect(l, ':', "':'");
			if (rc == 0) {
				skip_ws(l);
				rc = load_member(l, json_string_value(key), key_off);
			}
			json_decref(key);
			if (rc != 0)
				return rc;
			if (peek(l) == '}') {
				l->pos++;
				break;
			}
			rc = expect(l, ',', "',' or '}'");
			if (rc != 0)
				return rc;
		}
	}
	if (peek(l) != -1)
		return load_fail(l, l->pos, "end of file expected");
	if (!(l->seen & SEC_ROAS))
		return load_fail(l, 0, "not a VRP document: no \"roas\" member");
	return 0;
}

/* The whole-document checks, once it is read: the signature, what it
 * cannot cover, then the times (verified, they are the signer's). */
static int
load_checks(struct load *l, bool *has_until, int64_t *until)
{
	struct rtrmod_source *src = l->src;
	int rc;

	if (l->digest != NULL) {
		rc = source_digest_verify(src, l->digest, l->name);
		if (rc != 0)
			return rc;
		if (src->accepted[RTRMOD_SOURCE_ROUTER_KEY] + src->accepted[RTRMOD_SOURCE_ASPA] +
			rtrmod_source_dropped_total(src, RTRMOD_SOURCE_ROUTER_KEY) +
			rtrmod_source_dropped_total(src, RTRMOD_SOURCE_ASPA) >
		    0)
			return source_fail(src, RTRMOD_EVERIFY, l->name,
					   "router keys and ASPAs cannot be covered by a GoRTR "
					   "signature");
	}
	return source_check_time(src, l->name, l->now, has_until, until);
}

static void
load_free(struct load *l)
{
	rtrmod_set_builder_free(l->builder);
	source_digest_free(l->digest);
	ctx_free(l->src->ctx, l->providers);
	ctx_free(l->src->ctx, l->spki);
}

int
rtrmod_source_load_json_buffer(struct rtrmod_source *src, const char *name, const void *data,
			       size_t len, int64_t now, struct rtrmod_set **out)
{
	struct load l = {.src = src, .name = name != NULL ? name : "<buffer>"};
	int64_t until = 0;
	bool has_until = false;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (src == NULL || out == NULL || (data == NULL && len != 0))
		return RTRMOD_EINVAL;
	source_reset(src);
	src->error[0] = '\0';
	l.buf = data != NULL ? data : "";
	l.len = len;
	l.now = now;
	l.line_no = 1;
	l.debug = rtrmod_ctx_log_level(src->ctx) >= RTRMOD_LOG_DEBUG;
	rc = RTRMOD_ESTATE;
	if (src->verify && src->verify_key == NULL) {
		source_fail(src, rc, l.name, "signature verification is on but no key is set");
		goto fail;
	}
	rc = rtrmod_set_builder_new(src->ctx, &l.builder);
	if (rc == 0 && src->verify)
		rc = source_digest_new(src, &l.digest);
	if (rc == 0)
		rc = load_document(&l);
	if (rc == 0)
		rc = load_checks(&l, &has_until, &until);
	if (rc != 0)
		goto fail;
	rc = rtrmod_set_builder_finish(l.builder, out);
	l.builder = NULL;
	if (rc != 0)
		goto fail;
	load_free(&l);
	src->has_fresh_until = has_until;
	src->fresh_until = until;
	log_info(src->ctx, "%s: %zu VRPs, %zu router keys, %zu ASPAs; dropped %zu, %zu, %zu%s",
		 l.name, src->accepted[0], src->accepted[1], src->accepted[2],
		 rtrmod_source_dropped_total(src, 0), rtrmod_source_dropped_total(src, 1),
		 rtrmod_source_dropped_total(src, 2), src->verified ? "; signature verified" : "");
	return 0;
fail:
	load_free(&l);
	source_reset(src);
	if (src->error[0] == '\0')
		snprintf(src->error, sizeof(src->error), "%s: %s", l.name, rtrmod_strerror(rc));
	log_warn(src->ctx, "%s", src->error);
	return rc;
}

int
rtrmod_source_load_json_file(struct rtrmod_source *src, const char *path, int64_t now,
			     struct rtrmod_set **out)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (src == NULL || path == NULL || out == NULL)
		return RTRMOD_EINVAL;
	source_reset(src);
	src->error[0] = '\0';
	rc = source_read_file(src, path, &buf, &len);
	if (rc != 0) {
		if (src->error[0] == '\0')
			snprintf(src->error, sizeof(src->error), "%s: %s", path,
				 rtrmod_strerror(rc));
		log_warn(src->ctx, "%s", src->error);
		return rc;
	}
	rc = rtrmod_source_load_json_buffer(src, path, buf, len, now, out);
	ctx_free(src->ctx, buf);
	return rc;
}
