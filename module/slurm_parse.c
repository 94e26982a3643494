/*
 * slurm_parse.c: one SLURM document (RFC 8416 §3, plus the ASPA members
 * of slurmVersion 2 from draft-ietf-sidrops-aspa-slurm) into a struct
 * slurm_file.  The whole document is checked; the first fault in a fixed
 * order (slurmVersion, the filters, the assertions; within an entry:
 * unknown members, then each member in the RFC's order) refuses it, named
 * by its JSON path: "locallyAddedAssertions.prefixAssertions[2].prefix".
 *
 * Invariants: a file is returned only whole and valid; entry i of a list
 * is element i of its JSON array; provider lists are stored sorted.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "records_internal.h"
#include "rtrmod_internal.h"
#include "slurm_internal.h"
#include "source_internal.h"

#define NO_INDEX SIZE_MAX

struct parse {
	struct rtrmod_ctx *ctx;
	const char *name;
	char *err;
	size_t err_size;
	struct slurm_file *file;
};

/* A place in the document: path[index].member[sub], parts optional. */
struct where {
	const char *path;
	size_t index;
	const char *member;
	size_t sub;
};

typedef int entry_fn(struct parse *p, json_t *e, const struct where *w);

/* ---- messages ---------------------------------------------------------- */

/* `s` cut to fit `buf`, control bytes shown as '?', for a message. */
static const char *
shown(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < size; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	if (s[i] != '\0' && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return buf;
}

static void appendf(char *buf, size_t size, size_t *len, const char *fmt, ...) RTRMOD_PRINTF(4, 5);

static void
appendf(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = *len + (size_t)n < size ? *len + (size_t)n : size;
}

/* Refuse the document: "NAME: PATH: what". */
static int parse_fail(struct parse *p, const struct where *w, const char *fmt, ...)
    RTRMOD_PRINTF(3, 4);

static int
parse_fail(struct parse *p, const struct where *w, const char *fmt, ...)
{
	char path[320], tmp[256];
	size_t len = 0, n = 0;
	va_list ap;

	appendf(path, sizeof(path), &len, "%s", w->path);
	if (w->index != NO_INDEX)
		appendf(path, sizeof(path), &len, "[%zu]", w->index);
	if (w->member != NULL)
		appendf(path, sizeof(path), &len, "%s%s", len > 0 ? "." : "", w->member);
	if (w->sub != NO_INDEX)
		appendf(path, sizeof(path), &len, "[%zu]", w->sub);
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	appendf(p->err, p->err_size, &n, "%s: %s: %s", p->name, len > 0 ? path : "top level", tmp);
	return RTRMOD_EPARSE;
}

static struct where
at(const struct where *w, const char *member)
{
	struct where m = *w;

	m.member = member;
	return m;
}

/* ---- values ------------------------------------------------------------ */

/* RFC 8416 §3.2: "JSON members that are not defined here MUST NOT be used
 * in SLURM files", and an RP must treat any deviation as an error. */
static int
check_members(struct parse *p, json_t *obj, const struct where *w, const char *const *allowed)
{
	const char *key;
	json_t *v;
	char buf[64];
	size_t i;

	json_object_foreach(obj, key, v)
	{
		for (i = 0; allowed[i] != NULL && strcmp(key, allowed[i]) != 0; i++)
			;
		if (allowed[i] == NULL) {
			struct where m = at(w, shown(key, buf, sizeof(buf)));

			return parse_fail(p, &m, "unknown member (RFC 8416 §3.2)");
		}
	}
	return 0;
}

/* An AS number: a JSON integer 0..4294967295 (not a string, not "AS1"). */
static int
take_asn(struct parse *p, json_t *v, const struct where *w, uint32_t *out)
{
	json_int_t x;

	if (!json_is_integer(v))
		return parse_fail(p, w, "not an AS number (an integer 0..4294967295)");
	x = json_integer_value(v);
	if (x < 0 || x > (json_int_t)UINT32_MAX)
		return parse_fail(
		    p, w, "%" JSON_INTEGER_FORMAT " is out of the AS range 0..4294967295", x);
	*out = (uint32_t)x;
	return 0;
}

/* Why `s` is not a prefix, for the message. */
static const char *
prefix_fault(const char *s)
{
	char addr[INET6_ADDRSTRLEN];
	uint8_t bytes[16];
	const char *slash = strchr(s, '/');
	size_t alen = slash != NULL ? (size_t)(slash - s) : 0;
	char *end;
	long len;
	int family;

	if (slash == NULL || alen == 0 || alen >= sizeof(addr))
		return "not an IP prefix (address/length)";
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	family = memchr(addr, ':', alen) != NULL ? AF_INET6 : AF_INET;
	len = strtol(slash + 1, &end, 10);
	if (inet_pton(family, addr, bytes) != 1 || slash[1] < '0' || slash[1] > '9' || *end != '\0')
		return "not an IP prefix (address/length)";
	if (len > (family == AF_INET ? 32 : 128))
		return "longer than the address";
	return "host bits set past the length";
}

/* RFC 8416 §3.3.1, §3.4.1: an IPv4 (RFC 4632) or IPv6 (RFC 5952) prefix. */
static int
take_prefix(struct parse *p, json_t *v, const struct where *w, struct rtrmod_prefix *out)
{
	const char *s;
	char buf[64];

	if (!json_is_string(v))
		return parse_fail(p, w, "not a string");
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v) || rtrmod_prefix_parse(s, out) != 0)
		return parse_fail(p, w, "\"%s\": %s", shown(s, buf, sizeof(buf)), prefix_fault(s));
	return 0;
}

/* Every entry MAY have a "comment" member whose value is a string. */
static int
take_comment(struct parse *p, json_t *e, const struct where *w)
{
	json_t *v = json_object_get(e, "comment");
	struct where m = at(w, "comment");

	if (v != NULL && !json_is_string(v))
		return parse_fail(p, &m, "not a string");
	return 0;
}

/* RFC 8416 §3.3.2, §3.4.2: "the Base64 encoding without trailing '='
 * (Section 5 of [RFC4648])", the URL-safe alphabet.  The text is checked
 * here; source_base64_parse() decodes it. */
static int
check_b64url(struct parse *p, json_t *v, const struct where *w, const char **s, size_t *len)
{
	size_t i;
	char c;

	if (!json_is_string(v))
		return parse_fail(p, w, "not a string");
	*s = json_string_value(v);
	*len = json_string_length(v);
	for (i = 0; i < *len; i++) {
		c = (*s)[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_')
			continue;
		if (c == '=')
			return parse_fail(p, w,
					  "base64url without trailing '=' is required "
					  "(RFC 8416, RFC 4648 §5)");
		if (c == '+' || c == '/')
			return parse_fail(p, w,
					  "'%c' is not base64url: RFC 4648 §5 uses '-' and '_'", c);
		return parse_fail(p, w, "not base64url (RFC 4648 §5)");
	}
	if (*len == 0)
		return parse_fail(p, w, "empty");
	if (*len % 4 == 1)
		return parse_fail(p, w, "not base64url: %zu characters encode no whole byte", *len);
	return 0;
}

/* A Subject Key Identifier: 20 bytes (RFC 6487 §4.8.2), 27 characters. */
static int
take_ski(struct parse *p, json_t *v, const struct where *w, uint8_t ski[20])
{
	uint8_t buf[24];
	const char *s;
	size_t len, n;
	int rc;

	if ((rc = check_b64url(p, v, w, &s, &len)) != 0)
		return rc;
	if (len * 3 / 4 != 20)
		return parse_fail(p, w, "decodes to %zu bytes; a SKI is 20 (RFC 6487 §4.8.2)",
				  len * 3 / 4);
	if (!source_base64_parse(s, len, buf, &n) || n != 20)
		return parse_fail(p, w, "not base64url (RFC 4648 §5)");
	memcpy(ski, buf, 20);
	return 0;
}

/* The router's DER SubjectPublicKeyInfo into the file's arena.  Only the
 * encoding is checked, not the DER inside (as rpki-rs and Routinator). */
static int
take_spki(struct parse *p, json_t *v, const struct where *w, struct slurm_key_assertion *a)
{
	struct slurm_file *f = p->file;
	const char *s;
	size_t len, n;
	uint8_t *arena;
	int rc;

	if ((rc = check_b64url(p, v, w, &s, &len)) != 0)
		return rc;
	if (len > SIZE_MAX / 3 || len * 3 / 4 > UINT32_MAX)
		return parse_fail(p, w, "too long");
	arena = records_grow(p->ctx, f->spki, &f->spki_cap, f->spki_len + len * 3 / 4 + 3, 1);
	if (arena == NULL)
		return RTRMOD_ENOMEM;
	f->spki = arena;
	if (!source_base64_parse(s, len, f->spki + f->spki_len, &n) || n == 0)
		return parse_fail(p, w, "not base64url (RFC 4648 §5)");
	a->spki_off = f->spki_len;
	a->spki_len = (uint32_t)n;
	f->spki_len += n;
	return 0;
}

/* ---- entries ----------------------------------------------------------- */

/* RFC 8416 §3.3.1: "prefix", "asn" or both; a VRP matches when its prefix
 * is equal to or more specific than the filter's and its AS is the same. */
static int
take_prefix_filter(struct parse *p, json_t *e, const struct where *w)
{
	static const char *const members[] = {"prefix", "asn", "comment", NULL};
	struct slurm_prefix_filter *f = &p->file->pfilters[w->index];
	struct where m;
	json_t *v;
	int rc;

	if ((rc = check_members(p, e, w, members)) != 0)
		return rc;
	if ((v = json_object_get(e, "prefix")) != NULL) {
		m = at(w, "prefix");
		if ((rc = take_prefix(p, v, &m, &f->prefix)) != 0)
			return rc;
		f->has |= SLURM_HAS_PREFIX;
	}
	if ((v = json_object_get(e, "asn")) != NULL) {
		m = at(w, "asn");
		if ((rc = take_asn(p, v, &m, &f->asn)) != 0)
			return rc;
		f->has |= SLURM_HAS_ASN;
	}
	if (f->has == 0)
		return parse_fail(p, w, "needs \"prefix\", \"asn\" or both (RFC 8416 §3.3.1)");
	return take_comment(p, e, w);
}

/* RFC 8416 §3.3.2: "asn", "SKI" or both. */
static int
take_bgpsec_filter(struct parse *p, json_t *e, const struct where *w)
{
	static const char *const members[] = {"asn", "SKI", "comment", NULL};
	struct slurm_key_filter *f = &p->file->kfilters[w->index];
	struct where m;
	json_t *v;
	int rc;

	if ((rc = check_members(p, e, w, members)) != 0)
		return rc;
	if ((v = json_object_get(e, "asn")) != NULL) {
		m = at(w, "asn");
		if ((rc = take_asn(p, v, &m, &f->asn)) != 0)
			return rc;
		f->has |= SLURM_HAS_ASN;
	}
	if ((v = json_object_get(e, "SKI")) != NULL) {
		m = at(w, "SKI");
		if ((rc = take_ski(p, v, &m, f->ski)) != 0)
			return rc;
		f->has |= SLURM_HAS_SKI;
	}
	if (f->has == 0)
		return parse_fail(p, w, "needs \"asn\", \"SKI\" or both (RFC 8416 §3.3.2)");
	return take_comment(p, e, w);
}

/* A member the entry must have. */
static json_t *
need(struct parse *p, json_t *e, const struct where *w, const char *member, int *rc)
{
	json_t *v = json_object_get(e, member);
	struct where m = at(w, member);

	*rc = v != NULL ? 0 : parse_fail(p, &m, "missing");
	return v;
}

/* draft-ietf-sidrops-aspa-slurm: "customerAsid"; drops that customer's ASPA. */
static int
take_aspa_filter(struct parse *p, json_t *e, const struct where *w)
{
	static const char *const members[] = {"customerAsid", "comment", NULL};
	struct where m = at(w, "customerAsid");
	json_t *v;
	int rc;

	if ((rc = check_members(p, e, w, members)) != 0 ||
	    (v = need(p, e, w, "customerAsid", &rc)) == NULL ||
	    (rc = take_asn(p, v, &m, &p->file->afilters[w->index])) != 0)
		return rc;
	return take_comment(p, e, w);
}

/* RFC 8416 §3.4.1: "prefix" and "asn"; "maxPrefixLength" optional, at
 * least the prefix length and at most the address length (RFC 6811 §2);
 * absent, it is the prefix length. */
static int
take_prefix_assertion(struct parse *p, json_t *e, const struct where *w)
{
	static const char *const members[] = {"prefix", "asn", "maxPrefixLength", "comment", NULL};
	struct rtrmod_vrp *a = &p->file->passerts[w->index];
	struct where m;
	json_int_t max, bits;
	json_t *v;
	int rc;

	if ((rc = check_members(p, e, w, members)) != 0)
		return rc;
	m = at(w, "prefix");
	if ((v = need(p, e, w, "prefix", &rc)) == NULL ||
	    (rc = take_prefix(p, v, &m, &a->prefix)) != 0)
		return rc;
	m = at(w, "asn");
	if ((v = need(p, e, w, "asn", &rc)) == NULL || (rc = take_asn(p, v, &m, &a->asn)) != 0)
		return rc;
	a->max_len = a->prefix.len;
	if ((v = json_object_get(e, "maxPrefixLength")) != NULL) {
		m = at(w, "maxPrefixLength");
		bits = a->prefix.afi == RTRMOD_AFI_IPV4 ? 32 : 128;
		if (!json_is_integer(v))
			return parse_fail(p, &m, "not an integer");
		max = json_integer_value(v);
		if (max < a->prefix.len)
			return parse_fail(p, &m,
					  "%" JSON_INTEGER_FORMAT " is less than the prefix "
					  "length %u",
					  max, a->prefix.len);
		if (max > bits)
			return parse_fail(p, &m,
					  "%" JSON_INTEGER_FORMAT " is more than the address "
					  "length %" JSON_INTEGER_FORMAT,
					  max, bits);
		a->max_len = (uint8_t)max;
	}
	return take_comment(p, e, w);
}

/* RFC 8416 §3.4.2: "asn", "SKI" and "routerPublicKey", all required. */
static int
take_bgpsec_assertion(struct parse *p, json_t *e, const struct where *w)
{
	static const char *const members[] = {"asn", "SKI", "routerPublicKey", "comment", NULL};
	struct slurm_key_assertion *a = &p->file->kasserts[w->index];
	struct where m;
	json_t *v;
	int rc;

	if ((rc = check_members(p, e, w, members)) != 0)
		return rc;
	m = at(w, "asn");
	if ((v = need(p, e, w, "asn", &rc)) == NULL || (rc = take_asn(p, v, &m, &a->asn)) != 0)
		return rc;
	m = at(w, "SKI");
	if ((v = need(p, e, w, "SKI", &rc)) == NULL || (rc = take_ski(p, v, &m, a->ski)) != 0)
		return rc;
	m = at(w, "routerPublicKey");
	if ((v = need(p, e, w, "routerPublicKey", &rc)) == NULL ||
	    (rc = take_spki(p, v, &m, a)) != 0)
		return rc;
	return take_comment(p, e, w);
}

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* "providerAsns": one or more provider ASes, none twice, never the
 * customer itself (draft-ietf-sidrops-aspa-profile); stored sorted. */
static int
take_providers(struct parse *p, json_t *list, const struct where *w, struct slurm_aspa_assertion *a)
{
	struct slurm_file *f = p->file;
	size_t i, n = json_array_size(list);
	struct where m = *w;
	uint32_t *prov;
	int rc;

	if (!json_is_array(list))
		return parse_fail(p, w, "not an array");
	if (n == 0 || n > UINT32_MAX)
		return parse_fail(p, w, "an ASPA lists at least one provider AS");
	prov = records_grow(p->ctx, f->providers, &f->providers_cap, f->n_providers + n,
			    sizeof(*prov));
	if (prov == NULL)
		return RTRMOD_ENOMEM;
	f->providers = prov;
	prov += f->n_providers;
	for (i = 0; i < n; i++) {
		m.sub = i;
		if ((rc = take_asn(p, json_array_get(list, i), &m, &prov[i])) != 0)
			return rc;
		if (prov[i] == a->customer)
			return parse_fail(p, &m, "the customer AS %u cannot be its own provider",
					  a->customer);
		for (size_t j = 0; j < i && n <= 64; j++)
			if (prov[j] == prov[i])
				return parse_fail(p, &m, "AS %u is listed twice", prov[i]);
	}
	qsort(prov, n, sizeof(*prov), u32_cmp);
	for (i = 1; i < n; i++)
		if (prov[i] == prov[i - 1])
			return parse_fail(p, w, "AS %u is listed twice", prov[i]);
	a->off = f->n_providers;
	a->count = (uint32_t)n;
	f->n_providers += n;
	return 0;
}

/* draft-ietf-sidrops-aspa-slurm: "customerAsn" and "providerAsns". */
static int
take_aspa_assertion(struct parse *p, json_t *e, const struct where *w)
{
	static const char *const members[] = {"customerAsn", "providerAsns", "comment", NULL};
	struct slurm_aspa_assertion *a = &p->file->aasserts[w->index];
	struct where m;
	json_t *v;
	int rc;

	if ((rc = check_members(p, e, w, members)) != 0)
		return rc;
	m = at(w, "customerAsn");
	if ((v = need(p, e, w, "customerAsn", &rc)) == NULL ||
	    (rc = take_asn(p, v, &m, &a->customer)) != 0)
		return rc;
	m = at(w, "providerAsns");
	if ((v = need(p, e, w, "providerAsns", &rc)) == NULL ||
	    (rc = take_providers(p, v, &m, a)) != 0)
		return rc;
	return take_comment(p, e, w);
}

/* ---- lists and the document -------------------------------------------- */

struct list_spec {
	enum slurm_list list;
	const char *member;
	bool aspa; /* slurmVersion 2 only, and optional there */
	entry_fn *fn;
};

static const struct list_spec filter_lists[] = {
    {SLURM_PREFIX_FILTERS, "prefixFilters", false, take_prefix_filter},
    {SLURM_BGPSEC_FILTERS, "bgpsecFilters", false, take_bgpsec_filter},
    {SLURM_ASPA_FILTERS, "aspaFilters", true, take_aspa_filter},
};

static const struct list_spec assertion_lists[] = {
    {SLURM_PREFIX_ASSERTIONS, "prefixAssertions", false, take_prefix_assertion},
    {SLURM_BGPSEC_ASSERTIONS, "bgpsecAssertions", false, take_bgpsec_assertion},
    {SLURM_ASPA_ASSERTIONS, "aspaAssertions", true, take_aspa_assertion},
};

/* n zeroed elements of `size`; NULL for none or when out of memory. */
static void *
alloc_list(struct parse *p, size_t n, size_t size, int *rc)
{
	void *a;

	*rc = 0;
	if (n == 0)
		return NULL;
	a = n <= SIZE_MAX / size ? ctx_zalloc(p->ctx, n * size) : NULL;
	if (a == NULL)
		*rc = RTRMOD_ENOMEM;
	return a;
}

static int
list_alloc(struct parse *p, enum slurm_list list, size_t n)
{
	struct slurm_file *f = p->file;
	int rc = 0;

	switch (list) {
	case SLURM_PREFIX_FILTERS:
		f->pfilters = alloc_list(p, n, sizeof(*f->pfilters), &rc);
		f->n_pfilters = n;
		break;
	case SLURM_BGPSEC_FILTERS:
		f->kfilters = alloc_list(p, n, sizeof(*f->kfilters), &rc);
		f->n_kfilters = n;
		break;
	case SLURM_ASPA_FILTERS:
		f->afilters = alloc_list(p, n, sizeof(*f->afilters), &rc);
		f->n_afilters = n;
		break;
	case SLURM_PREFIX_ASSERTIONS:
		f->passerts = alloc_list(p, n, sizeof(*f->passerts), &rc);
		f->n_passerts = n;
		break;
	case SLURM_BGPSEC_ASSERTIONS:
		f->kasserts = alloc_list(p, n, sizeof(*f->kasserts), &rc);
		f->n_kasserts = n;
		break;
	case SLURM_ASPA_ASSERTIONS:
		f->aasserts = alloc_list(p, n, sizeof(*f->aasserts), &rc);
		f->n_aasserts = n;
		break;
	}
	return rc;
}

/* One list: an array of objects, each checked by the list's entry_fn. */
static int
parse_list(struct parse *p, json_t *section, const struct list_spec *s)
{
	struct where w = {slurm_list_path(s->list), NO_INDEX, NULL, NO_INDEX};
	json_t *list = json_object_get(section, s->member);
	size_t i, n;
	int rc;

	if (list == NULL && s->aspa)
		return 0;
	if (list == NULL)
		return parse_fail(p, &w, "missing (RFC 8416 §3.2 requires it: [] for none)");
	if (!json_is_array(list))
		return parse_fail(p, &w, "not an array");
	n = json_array_size(list);
	if ((rc = list_alloc(p, s->list, n)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		json_t *e = json_array_get(list, i);

		w.index = i;
		if (!json_is_object(e))
			return parse_fail(p, &w, "not an object");
		if ((rc = s->fn(p, e, &w)) != 0)
			return rc;
	}
	return 0;
}

/* "validationOutputFilters" or "locallyAddedAssertions": an object with
 * exactly its lists (RFC 8416 §3.2); the ASPA list only in version 2. */
static int
parse_section(struct parse *p, json_t *root, const char *name, const struct list_spec *lists)
{
	const char *members[4] = {lists[0].member, lists[1].member, lists[2].member, NULL};
	struct where self = {"", NO_INDEX, name, NO_INDEX};
	struct where in = {name, NO_INDEX, NULL, NO_INDEX};
	json_t *obj = json_object_get(root, name);
	int rc;

	if (obj == NULL)
		return parse_fail(p, &self, "missing (RFC 8416 §3.2)");
	if (!json_is_object(obj))
		return parse_fail(p, &self, "not an object");
	if ((rc = check_members(p, obj, &in, members)) != 0)
		return rc;
	if (p->file->version < 2 && json_object_get(obj, lists[2].member) != NULL) {
		in.member = lists[2].member;
		return parse_fail(p, &in,
				  "ASPA members need \"slurmVersion\": 2 "
				  "(draft-ietf-sidrops-aspa-slurm)");
	}
	for (size_t i = 0; i < 3; i++)
		if ((rc = parse_list(p, obj, &lists[i])) != 0)
			return rc;
	return 0;
}

/* RFC 8416 §3.2: 1; draft-ietf-sidrops-aspa-slurm: 2 (adds ASPA). */
static int
parse_version(struct parse *p, json_t *root)
{
	struct where w = {"", NO_INDEX, "slurmVersion", NO_INDEX};
	json_t *v = json_object_get(root, "slurmVersion");
	json_int_t x;

	if (v == NULL)
		return parse_fail(p, &w, "missing (RFC 8416 §3.2)");
	if (!json_is_integer(v))
		return parse_fail(p, &w, "not an integer");
	x = json_integer_value(v);
	if (x != 1 && x != 2)
		return parse_fail(p, &w,
				  "%" JSON_INTEGER_FORMAT " is not a known version (1: RFC "
				  "8416; 2: draft-ietf-sidrops-aspa-slurm)",
				  x);
	p->file->version = (unsigned)x;
	return 0;
}

static int
parse_document(struct parse *p, json_t *root)
{
	static const char *const members[] = {"slurmVersion", "validationOutputFilters",
					      "locallyAddedAssertions", NULL};
	struct where w = {"", NO_INDEX, NULL, NO_INDEX};
	int rc;

	if (!json_is_object(root))
		return parse_fail(p, &w, "not a JSON object (RFC 8416 §3.2)");
	if ((rc = check_members(p, root, &w, members)) != 0 || (rc = parse_version(p, root)) != 0 ||
	    (rc = parse_section(p, root, "validationOutputFilters", filter_lists)) != 0 ||
	    (rc = parse_section(p, root, "locallyAddedAssertions", assertion_lists)) != 0)
		return rc;
	return 0;
}

void
slurm_file_free(struct rtrmod_ctx *ctx, struct slurm_file *f)
{
	if (f == NULL)
		return;
	ctx_free(ctx, f->name);
	ctx_free(ctx, f->pfilters);
	ctx_free(ctx, f->kfilters);
	ctx_free(ctx, f->afilters);
	ctx_free(ctx, f->passerts);
	ctx_free(ctx, f->kasserts);
	ctx_free(ctx, f->aasserts);
	ctx_free(ctx, f->spki);
	ctx_free(ctx, f->providers);
	ctx_free(ctx, f);
}

int
slurm_file_parse(struct rtrmod_ctx *ctx, const char *name, const void *data, size_t len,
		 struct slurm_file **out, char *err, size_t err_size)
{
	struct parse p = {ctx, name, err, err_size, NULL};
	size_t name_len = strlen(name);
	json_error_t je;
	json_t *root;
	int rc;

	*out = NULL;
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		snprintf(err, err_size, "%s: line %d, column %d: %s", name, je.line, je.column,
			 je.text);
		return RTRMOD_EPARSE;
	}
	rc = RTRMOD_ENOMEM;
	p.file = ctx_zalloc(ctx, sizeof(*p.file));
	if (p.file == NULL || (p.file->name = ctx_alloc(ctx, name_len + 1)) == NULL)
		goto fail;
	memcpy(p.file->name, name, name_len + 1);
	if ((rc = parse_document(&p, root)) != 0)
		goto fail;
	json_decref(root);
	*out = p.file;
	return 0;
fail:
	json_decref(root);
	slurm_file_free(ctx, p.file);
	return rc;
}
