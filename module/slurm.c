/*
 * slurm.c: the SLURM object (RFC 8416): the files it holds, loading one
 * file or a whole new list, and the check of RFC 8416 §4.2 that no two
 * files claim the same resources.  Parsing is in slurm_parse.c, applying
 * to a set in slurm_apply.c.
 *
 * Invariants: the files held are each valid and free of §4.2 conflicts
 * with one another; a load either takes every file it was given or leaves
 * the files held exactly as they were (RFC 8416 §4.1: SLURM is atomic).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtrmod/slurm.h>

#include "records_internal.h"
#include "rtrmod_internal.h"
#include "slurm_internal.h"
#include "source_internal.h"

const char *
slurm_list_path(enum slurm_list list)
{
	static const char *const paths[SLURM_LIST_COUNT] = {
	    [SLURM_PREFIX_FILTERS] = "validationOutputFilters.prefixFilters",
	    [SLURM_BGPSEC_FILTERS] = "validationOutputFilters.bgpsecFilters",
	    [SLURM_ASPA_FILTERS] = "validationOutputFilters.aspaFilters",
	    [SLURM_PREFIX_ASSERTIONS] = "locallyAddedAssertions.prefixAssertions",
	    [SLURM_BGPSEC_ASSERTIONS] = "locallyAddedAssertions.bgpsecAssertions",
	    [SLURM_ASPA_ASSERTIONS] = "locallyAddedAssertions.aspaAssertions",
	};

	return (unsigned)list < SLURM_LIST_COUNT ? paths[list] : "?";
}

/* ---- RFC 8416 §4.2: conflicts between files ------------------------------ */

/*
 * RFC 8416 §4.2: there may be conflicting changes "if an IP address X and
 * distinct SLURM files Y and Z exist such that X is contained by any
 * prefix in any "prefixAssertions" or "prefixFilters" in file Y and X is
 * contained by any prefix in any "prefixAssertions" or "prefixFilters" in
 * file Z", and likewise for an AS number used in the "bgpsecAssertions"
 * or "bgpsecFilters" of two files; then the RP must use none of them.
 * Two prefixes share an address exactly when one covers the other.  The
 * ASPA lists of slurmVersion 2 get the same rule for the customer AS.
 * Filters without a prefix (or without an AS) claim nothing here.
 */
struct claim {
	struct rtrmod_prefix prefix; /* prefix claims */
	uint32_t asn;                /* AS claims */
	size_t file;
	enum slurm_list list;
	size_t index;
};

struct claims {
	struct claim *c;
	size_t n, cap;
};

static int
claim_add(struct rtrmod_ctx *ctx, struct claims *cl, size_t file, enum slurm_list list,
	  size_t index, const struct rtrmod_prefix *prefix, uint32_t asn)
{
	struct claim *c = records_grow(ctx, cl->c, &cl->cap, cl->n + 1, sizeof(*c));

	if (c == NULL)
		return RTRMOD_ENOMEM;
	cl->c = c;
	c = &cl->c[cl->n++];
	memset(c, 0, sizeof(*c));
	if (prefix != NULL)
		c->prefix = *prefix;
	c->asn = asn;
	c->file = file;
	c->list = list;
	c->index = index;
	return 0;
}

static int
claim_prefix_cmp(const void *a, const void *b)
{
	const struct claim *x = a, *y = b;
	int d;

	if (x->prefix.afi != y->prefix.afi)
		return x->prefix.afi < y->prefix.afi ? -1 : 1;
	d = memcmp(x->prefix.addr, y->prefix.addr, sizeof(x->prefix.addr));
	if (d != 0)
		return d;
	if (x->prefix.len != y->prefix.len)
		return x->prefix.len < y->prefix.len ? -1 : 1;
	return x->file < y->file ? -1 : x->file > y->file;
}

static int
claim_asn_cmp(const void *a, const void *b)
{
	const struct claim *x = a, *y = b;

	if (x->asn != y->asn)
		return x->asn < y->asn ? -1 : 1;
	return x->file < y->file ? -1 : x->file > y->file;
}

/* The member a claim comes from, for the message. */
static const char *
claim_member(const struct claim *c)
{
	switch (c->list) {
	case SLURM_PREFIX_FILTERS:
	case SLURM_PREFIX_ASSERTIONS:
		return "prefix";
	case SLURM_ASPA_FILTERS:
		return "customerAsid";
	case SLURM_ASPA_ASSERTIONS:
		return "customerAsn";
	default:
		return "asn";
	}
}

/* "LATER: PATH VALUE overlaps PATH VALUE in EARLIER (RFC 8416 §4.2)". */
static int
conflict(struct rtrmod_slurm *s, struct slurm_file **files, const struct claim *a,
	 const struct claim *b)
{
	bool pfx = b->list == SLURM_PREFIX_FILTERS || b->list == SLURM_PREFIX_ASSERTIONS;
	char va[64], vb[64];
	const struct claim *t;

	if (a->file > b->file) {
		t = a;
		a = b;
		b = t;
	}
	if (pfx) {
		rtrmod_prefix_format(&b->prefix, vb, sizeof(vb));
		rtrmod_prefix_format(&a->prefix, va, sizeof(va));
	} else {
		snprintf(vb, sizeof(vb), "AS%u", b->asn);
		snprintf(va, sizeof(va), "AS%u", a->asn);
	}
	snprintf(s->error, sizeof(s->error),
		 "%s: %s[%zu].%s %s %s %s[%zu].%s %s in %s (RFC 8416 §4.2: two files may not "
		 "claim the same resources)",
		 files[b->file]->name, slurm_list_path(b->list), b->index, claim_member(b), vb,
		 pfx ? "overlaps" : "conflicts with", slurm_list_path(a->list), a->index,
		 claim_member(a), va, files[a->file]->name);
	return RTRMOD_EEXIST;
}

/* Sorted by address then length, each prefix is covered by the ones still
 * on the stack; a stack entry from another file is a conflict.  The stack
 * keeps one entry per distinct prefix, so it is never deeper than 129. */
static int
check_prefix_claims(struct rtrmod_slurm *s, struct slurm_file **files, struct claims *cl)
{
	const struct claim *stack[129];
	size_t i, k, depth = 0;

	if (cl->n < 2)
		return 0;
	qsort(cl->c, cl->n, sizeof(*cl->c), claim_prefix_cmp);
	for (i = 0; i < cl->n; i++) {
		const struct claim *c = &cl->c[i];

		while (depth > 0 && !rtrmod_prefix_covers(&stack[depth - 1]->prefix, &c->prefix))
			depth--;
		for (k = 0; k < depth; k++)
			if (stack[k]->file != c->file)
				return conflict(s, files, stack[k], c);
		if (depth == 0 || stack[depth - 1]->prefix.len != c->prefix.len)
			stack[depth++] = c;
	}
	return 0;
}

static int
check_asn_claims(struct rtrmod_slurm *s, struct slurm_file **files, struct claims *cl)
{
	size_t i;

	if (cl->n < 2)
		return 0;
	qsort(cl->c, cl->n, sizeof(*cl->c), claim_asn_cmp);
	for (i = 1; i < cl->n; i++)
		if (cl->c[i].asn == cl->c[i - 1].asn && cl->c[i].file != cl->c[i - 1].file)
			return conflict(s, files, &cl->c[i - 1], &cl->c[i]);
	return 0;
}

/* Collect one kind of claim from every file and check it. */
static int
check_kind(struct rtrmod_slurm *s, struct slurm_file **files, size_t n, int kind)
{
	struct claims cl = {0};
	const struct slurm_file *f;
	size_t i, j;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		f = files[i];
		if (kind == RTRMOD_SOURCE_VRP) {
			for (j = 0; j < f->n_pfilters && rc == 0; j++)
				if (f->pfilters[j].has & SLURM_HAS_PREFIX)
					rc = claim_add(s->ctx, &cl, i, SLURM_PREFIX_FILTERS, j,
						       &f->pfilters[j].prefix, 0);
			for (j = 0; j < f->n_passerts && rc == 0; j++)
				rc = claim_add(s->ctx, &cl, i, SLURM_PREFIX_ASSERTIONS, j,
					       &f->passerts[j].prefix, 0);
		} else if (kind == RTRMOD_SOURCE_ROUTER_KEY) {
			for (j = 0; j < f->n_kfilters && rc == 0; j++)
				if (f->kfilters[j].has & SLURM_HAS_ASN)
					rc = claim_add(s->ctx, &cl, i, SLURM_BGPSEC_FILTERS, j,
						       NULL, f->kfilters[j].asn);
			for (j = 0; j < f->n_kasserts && rc == 0; j++)
				rc = claim_add(s->ctx, &cl, i, SLURM_BGPSEC_ASSERTIONS, j, NULL,
					       f->kasserts[j].asn);
		} else {
			for (j = 0; j < f->n_afilters && rc == 0; j++)
				rc = claim_add(s->ctx, &cl, i, SLURM_ASPA_FILTERS, j, NULL,
					       f->afilters[j]);
			for (j = 0; j < f->n_aasserts && rc == 0; j++)
				rc = claim_add(s->ctx, &cl, i, SLURM_ASPA_ASSERTIONS, j, NULL,
					       f->aasserts[j].customer);
		}
	}
	if (rc == 0)
		rc = kind == RTRMOD_SOURCE_VRP ? check_prefix_claims(s, files, &cl)
					       : check_asn_claims(s, files, &cl);
	ctx_free(s->ctx, cl.c);
	return rc;
}

static int
check_conflicts(struct rtrmod_slurm *s, struct slurm_file **files, size_t n)
{
	int rc = 0;

	if (n < 2)
		return 0;
	for (int kind = 0; kind < RTRMOD_SOURCE_KIND_COUNT && rc == 0; kind++)
		rc = check_kind(s, files, n, kind);
	return rc;
}

/* ---- the object --------------------------------------------------------- */

int
rtrmod_slurm_new(struct rtrmod_ctx *ctx, struct rtrmod_slurm **out)
{
	struct rtrmod_slurm *s;

	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || out == NULL)
		return RTRMOD_EINVAL;
	s = ctx_zalloc(ctx, sizeof(*s));
	if (s == NULL)
		return RTRMOD_ENOMEM;
	s->ctx = ctx;
	*out = s;
	return 0;
}

static void
files_free(struct rtrmod_ctx *ctx, struct slurm_file **files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		slurm_file_free(ctx, files[i]);
	ctx_free(ctx, files);
}

void
rtrmod_slurm_clear(struct rtrmod_slurm *s)
{
	if (s == NULL)
		return;
	files_free(s->ctx, s->files, s->n_files);
	s->files = NULL;
	s->n_files = 0;
}

void
rtrmod_slurm_free(struct rtrmod_slurm *s)
{
	if (s == NULL)
		return;
	rtrmod_slurm_clear(s);
	ctx_free(s->ctx, s);
}

static void
log_file(struct rtrmod_slurm *s, const struct slurm_file *f)
{
	log_info(s->ctx,
		 "SLURM %s: version %u; filters: %zu prefix, %zu BGPsec, %zu ASPA; assertions: "
		 "%zu prefix, %zu BGPsec, %zu ASPA",
		 f->name, f->version, f->n_pfilters, f->n_kfilters, f->n_afilters, f->n_passerts,
		 f->n_kasserts, f->n_aasserts);
}

/*
 * Take `fresh` (n parsed files, owned from here on) after the files held
 * (append) or instead of them, if no two of the resulting list conflict.
 * Either way the caller's array is done with; on failure nothing changes.
 */
static int
slurm_commit(struct rtrmod_slurm *s, struct slurm_file **fresh, size_t n, bool replace)
{
	size_t keep = replace ? 0 : s->n_files, i;
	struct slurm_file **list = NULL;
	int rc = RTRMOD_ENOMEM;

	if (keep + n > 0 && (keep + n > SIZE_MAX / sizeof(*list) ||
			     (list = ctx_alloc(s->ctx, (keep + n) * sizeof(*list))) == NULL))
		goto fail;
	for (i = 0; i < keep; i++)
		list[i] = s->files[i];
	for (i = 0; i < n; i++)
		list[keep + i] = fresh[i];
	if ((rc = check_conflicts(s, list, keep + n)) != 0)
		goto fail;
	if (replace)
		files_free(s->ctx, s->files, s->n_files);
	else
		ctx_free(s->ctx, s->files);
	s->files = list;
	s->n_files = keep + n;
	for (i = 0; i < n; i++)
		log_file(s, fresh[i]);
	return 0;
fail:
	ctx_free(s->ctx, list);
	for (i = 0; i < n; i++)
		slurm_file_free(s->ctx, fresh[i]);
	return rc;
}

static int
load_failed(struct rtrmod_slurm *s, const char *name, int rc)
{
	if (s->error[0] == '\0')
		snprintf(s->error, sizeof(s->error), "%s: %s", name, rtrmod_strerror(rc));
	log_warn(s->ctx, "SLURM refused: %s", s->error);
	return rc;
}

/* Read and parse one file (not yet taken). */
static int
read_parse(struct rtrmod_slurm *s, const char *path, struct slurm_file **out)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	rc = read_whole_file(s->ctx, path, &buf, &len, s->error, sizeof(s->error));
	if (rc != 0)
		return rc;
	rc = slurm_file_parse(s->ctx, path, buf, len, out, s->error, sizeof(s->error));
	ctx_free(s->ctx, buf);
	return rc;
}

int
rtrmod_slurm_load_buffer(struct rtrmod_slurm *s, const char *name, const void *data, size_t len)
{
	struct slurm_file *f;
	int rc;

	if (s == NULL || (data == NULL && len != 0))
		return RTRMOD_EINVAL;
	s->error[0] = '\0';
	name = name != NULL ? name : "<buffer>";
	rc = slurm_file_parse(s->ctx, name, data != NULL ? data : "", len, &f, s->error,
			      sizeof(s->error));
	if (rc == 0)
		rc = slurm_commit(s, &f, 1, false);
	return rc == 0 ? 0 : load_failed(s, name, rc);
}

int
rtrmod_slurm_load_file(struct rtrmod_slurm *s, const char *path)
{
	struct slurm_file *f;
	int rc;

	if (s == NULL || path == NULL)
		return RTRMOD_EINVAL;
	s->error[0] = '\0';
	rc = read_parse(s, path, &f);
	if (rc == 0)
		rc = slurm_commit(s, &f, 1, false);
	return rc == 0 ? 0 : load_failed(s, path, rc);
}

int
rtrmod_slurm_load_files(struct rtrmod_slurm *s, const char *const *paths, size_t count)
{
	struct slurm_file **fresh = NULL;
	size_t i, n = 0;
	int rc;

	if (s == NULL || (paths == NULL && count != 0))
		return RTRMOD_EINVAL;
	for (i = 0; i < count; i++)
		if (paths[i] == NULL)
			return RTRMOD_EINVAL;
	s->error[0] = '\0';
	if (count > 0 && (count > SIZE_MAX / sizeof(*fresh) ||
			  (fresh = ctx_alloc(s->ctx, count * sizeof(*fresh))) == NULL))
		return load_failed(s, count > 0 ? paths[0] : "SLURM", RTRMOD_ENOMEM);
	for (rc = 0; n < count; n++)
		if ((rc = read_parse(s, paths[n], &fresh[n])) != 0)
			break;
	if (rc == 0)
		rc = slurm_commit(s, fresh, count, true);
	else
		for (i = 0; i < n; i++)
			slurm_file_free(s->ctx, fresh[i]);
	ctx_free(s->ctx, fresh);
	if (rc != 0)
		return load_failed(s, n < count ? paths[n] : "SLURM", rc);
	log_info(s->ctx, "SLURM: %zu files in force", s->n_files);
	return 0;
}

/* ---- getters ------------------------------------------------------------ */

size_t
rtrmod_slurm_file_count(const struct rtrmod_slurm *s)
{
	return s != NULL ? s->n_files : 0;
}

const char *
rtrmod_slurm_file_name(const struct rtrmod_slurm *s, size_t index)
{
	return s != NULL && index < s->n_files ? s->files[index]->name : NULL;
}

size_t
rtrmod_slurm_rules(const struct rtrmod_slurm *s, enum rtrmod_source_kind kind, bool assertions)
{
	size_t i, total = 0;
	const struct slurm_file *f;

	for (i = 0; s != NULL && i < s->n_files; i++) {
		f = s->files[i];
		switch (kind) {
		case RTRMOD_SOURCE_VRP:
			total += assertions ? f->n_passerts : f->n_pfilters;
			break;
		case RTRMOD_SOURCE_ROUTER_KEY:
			total += assertions ? f->n_kasserts : f->n_kfilters;
			break;
		case RTRMOD_SOURCE_ASPA:
			total += assertions ? f->n_aasserts : f->n_afilters;
			break;
		}
	}
	return total;
}

const char *
rtrmod_slurm_error(const struct rtrmod_slurm *s)
{
	return s != NULL ? s->error : "";
}

size_t
rtrmod_slurm_count(const struct rtrmod_slurm *s, enum rtrmod_source_kind kind,
		   enum rtrmod_slurm_count what)
{
	if (s == NULL || (unsigned)kind >= RTRMOD_SOURCE_KIND_COUNT ||
	    (unsigned)what >= RTRMOD_SLURM_COUNTS)
		return 0;
	return s->counts[kind][what];
}
