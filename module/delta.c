/*
 * delta.c: the change between two sets, as a cache sends it in one Serial
 * Response and as a client applies it.  A sealed delta holds each list in
 * canonical order with no repeats and no record both announced and
 * withdrawn; it owns copies of every SPKI and provider list, so it outlives
 * the sets it was made from.  Diff and apply are O(n) merge walks.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <rtrmod/records.h>

#include "records_internal.h"
#include "rtrmod_internal.h"

/* Router keys and ASPAs point into arenas that move while the delta is
 * open, so they are staged with offsets and made into pointers at seal. */
struct key_stage {
	struct rtrmod_router_key key; /* spki unset */
	size_t off;
};

struct aspa_stage {
	uint32_t customer;
	uint32_t count;
	size_t off;
};

/* One direction: list[0] is withdrawn, list[1] announced. */
struct delta_list {
	struct rtrmod_vrp *vrps;
	size_t vrp_count, vrp_cap;
	struct key_stage *kst;
	size_t key_count, kst_cap;
	struct aspa_stage *ast;
	size_t aspa_count, ast_cap;
	struct rtrmod_router_key *keys; /* sealed */
	struct rtrmod_aspa *aspas;      /* sealed */
};

enum { DELTA_OPEN = 1, DELTA_SEALED = 0 };

struct rtrmod_delta {
	struct rtrmod_ctx *ctx;
	int state; /* DELTA_OPEN, DELTA_SEALED, or the error a seal failed with */
	struct delta_list list[2];
	uint8_t *spki;
	size_t spki_len, spki_cap;
	uint32_t *prov;
	size_t prov_count, prov_cap;
};

/* ---- building ----------------------------------------------------------- */

int
rtrmod_delta_new(struct rtrmod_ctx *ctx, struct rtrmod_delta **out)
{
	struct rtrmod_delta *d;

	if (out == NULL)
		return RTRMOD_EINVAL;
	*out = NULL;
	if (ctx == NULL)
		return RTRMOD_EINVAL;
	d = ctx_zalloc(ctx, sizeof(*d));
	if (d == NULL)
		return RTRMOD_ENOMEM;
	d->ctx = ctx;
	d->state = DELTA_OPEN;
	*out = d;
	return 0;
}

void
rtrmod_delta_free(struct rtrmod_delta *d)
{
	int i;

	if (d == NULL)
		return;
	for (i = 0; i < 2; i++) {
		ctx_free(d->ctx, d->list[i].vrps);
		ctx_free(d->ctx, d->list[i].kst);
		ctx_free(d->ctx, d->list[i].ast);
		ctx_free(d->ctx, d->list[i].keys);
		ctx_free(d->ctx, d->list[i].aspas);
	}
	ctx_free(d->ctx, d->spki);
	ctx_free(d->ctx, d->prov);
	ctx_free(d->ctx, d);
}

int
rtrmod_delta_add_vrp(struct rtrmod_delta *d, const struct rtrmod_vrp *vrp, bool announce)
{
	struct delta_list *l;
	struct rtrmod_vrp *v;

	if (d == NULL || vrp == NULL || vrp_check(vrp) != 0)
		return RTRMOD_EINVAL;
	if (d->state != DELTA_OPEN)
		return RTRMOD_ESTATE;
	l = &d->list[announce];
	v = records_grow(d->ctx, l->vrps, &l->vrp_cap, l->vrp_count + 1, sizeof(*v));
	if (v == NULL)
		return RTRMOD_ENOMEM;
	l->vrps = v;
	v[l->vrp_count++] = *vrp;
	return 0;
}

int
rtrmod_delta_add_router_key(struct rtrmod_delta *d, const struct rtrmod_router_key *key,
			    bool announce)
{
	struct delta_list *l;
	struct key_stage *k;
	uint8_t *p;

	/* The withdrawal names the whole {SKI, ASN, SPKI} too (RFC 8210 §5.10). */
	if (d == NULL || key == NULL || key->spki == NULL || key->spki_len == 0)
		return RTRMOD_EINVAL;
	if (d->state != DELTA_OPEN)
		return RTRMOD_ESTATE;
	l = &d->list[announce];
	k = records_grow(d->ctx, l->kst, &l->kst_cap, l->key_count + 1, sizeof(*k));
	if (k == NULL)
		return RTRMOD_ENOMEM;
	l->kst = k;
	if (key->spki_len > SIZE_MAX - d->spki_len)
		return RTRMOD_ENOMEM;
	p = records_grow(d->ctx, d->spki, &d->spki_cap, d->spki_len + key->spki_len, 1);
	if (p == NULL)
		return RTRMOD_ENOMEM;
	d->spki = p;
	k = &l->kst[l->key_count++];
	k->key = *key;
	k->key.spki = NULL;
	k->off = d->spki_len;
	memcpy(d->spki + d->spki_len, key->spki, key->spki_len);
	d->spki_len += key->spki_len;
	return 0;
}

int
rtrmod_delta_add_aspa(struct rtrmod_delta *d, uint32_t customer_asn, const uint32_t *providers,
		      size_t count, bool announce)
{
	struct delta_list *l;
	struct aspa_stage *a;
	uint32_t *p;

	if (d == NULL)
		return RTRMOD_EINVAL;
	if (!announce)
		count = 0;
	/* An announcement is the customer's whole provider set, at least one
	 * AS (AS0 for none; draft-ietf-sidrops-aspa-profile). */
	else if (providers == NULL || count == 0 || count > UINT32_MAX)
		return RTRMOD_EINVAL;
	if (d->state != DELTA_OPEN)
		return RTRMOD_ESTATE;
	l = &d->list[announce];
	a = records_grow(d->ctx, l->ast, &l->ast_cap, l->aspa_count + 1, sizeof(*a));
	if (a == NULL)
		return RTRMOD_ENOMEM;
	l->ast = a;
	if (count > SIZE_MAX - d->prov_count)
		return RTRMOD_ENOMEM;
	if (count != 0) {
		p = records_grow(d->ctx, d->prov, &d->prov_cap, d->prov_count + count, sizeof(*p));
		if (p == NULL)
			return RTRMOD_ENOMEM;
		d->prov = p;
		memcpy(p + d->prov_count, providers, count * sizeof(*p));
		count = u32_sort_unique(p + d->prov_count, count);
	}
	a = &l->ast[l->aspa_count++];
	a->customer = customer_asn;
	a->count = (uint32_t)count;
	a->off = d->prov_count;
	d->prov_count += count;
	return 0;
}

/* ---- seal --------------------------------------------------------------- */

typedef int cmp_fn(const void *, const void *);

static int
vrp_cmp_void(const void *a, const void *b)
{
	return rtrmod_vrp_cmp(a, b);
}

static int
key_cmp_void(const void *a, const void *b)
{
	return rtrmod_router_key_cmp(a, b);
}

static int
aspa_cmp_void(const void *a, const void *b)
{
	const struct rtrmod_aspa *x = a, *y = b;

	return x->customer_asn < y->customer_asn ? -1 : x->customer_asn > y->customer_asn;
}

/*
 * RTRMOD_EEXIST if sorted `a` repeats a record or shares one with sorted
 * `w`.  RFC 8210 §5.6 and §5.10: the cache tells the router to hold exactly
 * one instance of each record at any time, so one Serial Response cannot
 * announce a record twice (error code 7, Duplicate Announcement Received),
 * withdraw it twice (the second withdrawal is of an absent record, code 6),
 * or both announce and withdraw it.
 */
static int
check_lists(const void *a, size_t na, const void *w, size_t nw, size_t size, cmp_fn *cmp)
{
	const char *pa = a, *pw = w;
	size_t i = 0, j = 0;
	int c;

	for (i = 1; i < na; i++) {
		if (cmp(pa + (i - 1) * size, pa + i * size) == 0)
			return RTRMOD_EEXIST;
	}
	for (j = 1; j < nw; j++) {
		if (cmp(pw + (j - 1) * size, pw + j * size) == 0)
			return RTRMOD_EEXIST;
	}
	for (i = 0, j = 0; i < na && j < nw;) {
		c = cmp(pa + i * size, pw + j * size);
		if (c == 0)
			return RTRMOD_EEXIST;
		if (c < 0)
			i++;
		else
			j++;
	}
	return 0;
}

/* Turn staged keys and ASPAs into final arrays pointing into the arenas,
 * which no longer move, and sort them. */
static int
seal_list(struct rtrmod_delta *d, struct delta_list *l)
{
	size_t i;
	int rc;

	if ((rc = vrp_sort(d->ctx, l->vrps, l->vrp_count)) != 0)
		return rc;
	if (l->key_count != 0) {
		l->keys = ctx_alloc(d->ctx, l->key_count * sizeof(*l->keys));
		if (l->keys == NULL)
			return RTRMOD_ENOMEM;
		for (i = 0; i < l->key_count; i++) {
			l->keys[i] = l->kst[i].key;
			l->keys[i].spki = d->spki + l->kst[i].off;
		}
		qsort(l->keys, l->key_count, sizeof(*l->keys), key_cmp_void);
	}
	if (l->aspa_count != 0) {
		l->aspas = ctx_alloc(d->ctx, l->aspa_count * sizeof(*l->aspas));
		if (l->aspas == NULL)
			return RTRMOD_ENOMEM;
		for (i = 0; i < l->aspa_count; i++) {
			l->aspas[i].customer_asn = l->ast[i].customer;
			l->aspas[i].provider_count = l->ast[i].count;
			l->aspas[i].providers =
			    l->ast[i].count != 0 ? d->prov + l->ast[i].off : NULL;
		}
		qsort(l->aspas, l->aspa_count, sizeof(*l->aspas), aspa_cmp_void);
	}
	return 0;
}

int
rtrmod_delta_seal(struct rtrmod_delta *d)
{
	struct delta_list *w, *a;
	int rc;

	if (d == NULL)
		return RTRMOD_EINVAL;
	if (d->state != DELTA_OPEN)
		return d->state;
	w = &d->list[0];
	a = &d->list[1];
	if ((rc = seal_list(d, w)) != 0 || (rc = seal_list(d, a)) != 0)
		goto fail;
	if ((rc = check_lists(a->vrps, a->vrp_count, w->vrps, w->vrp_count, sizeof(*a->vrps),
			      vrp_cmp_void)) != 0 ||
	    (rc = check_lists(a->keys, a->key_count, w->keys, w->key_count, sizeof(*a->keys),
			      key_cmp_void)) != 0 ||
	    (rc = check_lists(a->aspas, a->aspa_count, w->aspas, w->aspa_count, sizeof(*a->aspas),
			      aspa_cmp_void)) != 0)
		goto fail;
	ctx_free(d->ctx, w->kst);
	ctx_free(d->ctx, w->ast);
	ctx_free(d->ctx, a->kst);
	ctx_free(d->ctx, a->ast);
	w->kst = a->kst = NULL;
	w->ast = a->ast = NULL;
	d->state = DELTA_SEALED;
	return 0;
fail:
	/* The delta is of no use now; seal and apply keep refusing it. */
	d->state = rc;
	return rc;
}

/* ---- accessors ---------------------------------------------------------- */

/* Accessors read a sealed delta; an open or failed one reads as empty. */
const struct rtrmod_vrp *
rtrmod_delta_vrps(const struct rtrmod_delta *d, bool announced, size_t *count)
{
	bool ok = d != NULL && d->state == DELTA_SEALED;

	if (count != NULL)
		*count = ok ? d->list[announced].vrp_count : 0;
	return ok ? d->list[announced].vrps : NULL;
}

const struct rtrmod_router_key *
rtrmod_delta_router_keys(const struct rtrmod_delta *d, bool announced, size_t *count)
{
	bool ok = d != NULL && d->state == DELTA_SEALED;

	if (count != NULL)
		*count = ok ? d->list[announced].key_count : 0;
	return ok ? d->list[announced].keys : NULL;
}

const struct rtrmod_aspa *
rtrmod_delta_aspas(const struct rtrmod_delta *d, bool announced, size_t *count)
{
	bool ok = d != NULL && d->state == DELTA_SEALED;

	if (count != NULL)
		*count = ok ? d->list[announced].aspa_count : 0;
	return ok ? d->list[announced].aspas : NULL;
}

bool
rtrmod_delta_empty(const struct rtrmod_delta *d)
{
	int i;

	if (d == NULL)
		return true;
	for (i = 0; i < 2; i++) {
		if (d->list[i].vrp_count != 0 || d->list[i].key_count != 0 ||
		    d->list[i].aspa_count != 0)
			return false;
	}
	return true;
}

/* ---- diff --------------------------------------------------------------- */

static int
diff_vrps(struct rtrmod_delta *d, const struct rtrmod_set *from, const struct rtrmod_set *to)
{
	size_t i = 0, j = 0;
	int c, rc;

	while (i < from->vrp_count || j < to->vrp_count) {
		if (i == from->vrp_count)
			c = 1;
		else if (j == to->vrp_count)
			c = -1;
		else
			c = rtrmod_vrp_cmp(&from->vrps[i], &to->vrps[j]);
		if (c == 0) {
			i++;
			j++;
			continue;
		}
		rc = c < 0 ? rtrmod_delta_add_vrp(d, &from->vrps[i++], false)
			   : rtrmod_delta_add_vrp(d, &to->vrps[j++], true);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
diff_keys(struct rtrmod_delta *d, const struct rtrmod_set *from, const struct rtrmod_set *to)
{
	size_t i = 0, j = 0;
	int c, rc;

	while (i < from->key_count || j < to->key_count) {
		if (i == from->key_count)
			c = 1;
		else if (j == to->key_count)
			c = -1;
		else
			c = rtrmod_router_key_cmp(&from->keys[i], &to->keys[j]);
		if (c == 0) {
			i++;
			j++;
			continue;
		}
		rc = c < 0 ? rtrmod_delta_add_router_key(d, &from->keys[i++], false)
			   : rtrmod_delta_add_router_key(d, &to->keys[j++], true);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static bool
aspa_same_providers(const struct rtrmod_aspa *a, const struct rtrmod_aspa *b)
{
	return a->provider_count == b->provider_count &&
	       memcmp(a->providers, b->providers, a->provider_count * sizeof(uint32_t)) == 0;
}

/* draft-ietf-sidrops-8210bis: an ASPA announcement replaces the customer's
 * record whole, so a changed provider set is one announcement, never a
 * withdrawal and an announcement. */
static int
diff_aspas(struct rtrmod_delta *d, const struct rtrmod_set *from, const struct rtrmod_set *to)
{
	const struct rtrmod_aspa *f, *t;
	size_t i = 0, j = 0;
	int rc = 0;

	while (i < from->aspa_count || j < to->aspa_count) {
		f = i < from->aspa_count ? &from->aspas[i] : NULL;
		t = j < to->aspa_count ? &to->aspas[j] : NULL;
		if (t == NULL || (f != NULL && f->customer_asn < t->customer_asn)) {
			rc = rtrmod_delta_add_aspa(d, f->customer_asn, NULL, 0, false);
			i++;
		} else if (f == NULL || t->customer_asn < f->customer_asn) {
			rc = rtrmod_delta_add_aspa(d, t->customer_asn, t->providers,
						   t->provider_count, true);
			j++;
		} else {
			if (!aspa_same_providers(f, t))
				rc = rtrmod_delta_add_aspa(d, t->customer_asn, t->providers,
							   t->provider_count, true);
			i++;
			j++;
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The delta comes from `from`'s context, as apply's result does. */
int
rtrmod_set_diff(const struct rtrmod_set *from, const struct rtrmod_set *to,
		struct rtrmod_delta **out)
{
	struct rtrmod_delta *d;
	int rc;

	if (out == NULL)
		return RTRMOD_EINVAL;
	*out = NULL;
	if (from == NULL || to == NULL)
		return RTRMOD_EINVAL;
	if ((rc = rtrmod_delta_new(from->ctx, &d)) != 0)
		return rc;
	if ((rc = diff_vrps(d, from, to)) != 0 || (rc = diff_keys(d, from, to)) != 0 ||
	    (rc = diff_aspas(d, from, to)) != 0 || (rc = rtrmod_delta_seal(d)) != 0) {
		rtrmod_delta_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

/* ---- apply -------------------------------------------------------------- */

typedef void emit_fn(struct set_fill *, const void *);

static void
emit_vrp(struct set_fill *f, const void *rec)
{
	set_fill_vrp(f, rec);
}

static void
emit_key(struct set_fill *f, const void *rec)
{
	set_fill_key(f, rec);
}

/*
 * Emit (from minus withdrawn) plus announced, all three sorted.  RFC 8210
 * §5.6 and §5.10: announcing a record the router holds is a Duplicate
 * Announcement (§12 code 7, RTRMOD_EEXIST); withdrawing one it does not
 * hold is a Withdrawal of Unknown Record (code 6, RTRMOD_ENOENT).
 */
static int
apply_records(const void *from, size_t nf, const void *ann, size_t na, const void *wd, size_t nw,
	      size_t size, cmp_fn *cmp, emit_fn *emit, struct set_fill *out)
{
	const char *f = from, *a = ann, *w = wd;
	size_t i = 0, j = 0, k = 0;
	int c;

	while (i < nf || j < na) {
		c = i == nf ? 1 : j == na ? -1 : cmp(f + i * size, a + j * size);
		if (c == 0)
			return RTRMOD_EEXIST;
		if (c > 0) {
			emit(out, a + j++ * size);
			continue;
		}
		/* Every withdrawal before f[i] matched an earlier record, so one
		 * that sorts below f[i] is of a record `from` lacks. */
		if (k < nw) {
			c = cmp(w + k * size, f + i * size);
			if (c < 0)
				return RTRMOD_ENOENT;
			if (c == 0) {
				k++;
				i++;
				continue;
			}
		}
		emit(out, f + i++ * size);
	}
	return k < nw ? RTRMOD_ENOENT : 0;
}

/* draft-ietf-sidrops-8210bis: an announcement for a customer that has a
 * record replaces it; a withdrawal needs a record to remove. */
static int
apply_aspas(const struct rtrmod_set *from, const struct delta_list *a, const struct delta_list *w,
	    struct set_fill *out)
{
	const struct rtrmod_aspa *f = from->aspas, *an = a->aspas, *wd = w->aspas;
	size_t i = 0, j = 0, k = 0, nf = from->aspa_count;
	uint64_t c;
	bool inf, ina, inw;

	while (i < nf || j < a->aspa_count || k < w->aspa_count) {
		c = UINT64_MAX;
		if (i < nf && f[i].customer_asn < c)
			c = f[i].customer_asn;
		if (j < a->aspa_count && an[j].customer_asn < c)
			c = an[j].customer_asn;
		if (k < w->aspa_count && wd[k].customer_asn < c)
			c = wd[k].customer_asn;
		inf = i < nf && f[i].customer_asn == c;
		ina = j < a->aspa_count && an[j].customer_asn == c;
		inw = k < w->aspa_count && wd[k].customer_asn == c;
		if (inw && !inf)
			return RTRMOD_ENOENT;
		if (ina)
			set_fill_aspa(out, an[j].customer_asn, an[j].providers,
				      an[j].provider_count);
		else if (inf && !inw)
			set_fill_aspa(out, f[i].customer_asn, f[i].providers, f[i].provider_count);
		i += inf;
		j += ina;
		k += inw;
	}
	return 0;
}

static int
apply_walk(const struct rtrmod_set *from, const struct rtrmod_delta *d, struct set_fill *out)
{
	const struct delta_list *w = &d->list[0], *a = &d->list[1];
	int rc;

	rc = apply_records(from->vrps, from->vrp_count, a->vrps, a->vrp_count, w->vrps,
			   w->vrp_count, sizeof(*from->vrps), vrp_cmp_void, emit_vrp, out);
	if (rc == 0)
		rc = apply_records(from->keys, from->key_count, a->keys, a->key_count, w->keys,
				   w->key_count, sizeof(*from->keys), key_cmp_void, emit_key, out);
	if (rc == 0)
		rc = apply_aspas(from, a, w, out);
	return rc;
}

int
rtrmod_set_apply(const struct rtrmod_set *from, const struct rtrmod_delta *delta,
		 struct rtrmod_set **out)
{
	struct set_fill f = {0};
	struct rtrmod_set *set;
	int rc;

	if (out == NULL)
		return RTRMOD_EINVAL;
	*out = NULL;
	if (from == NULL || delta == NULL)
		return RTRMOD_EINVAL;
	if (delta->state != DELTA_SEALED)
		return RTRMOD_ESTATE;
	/* Pass one checks and sizes; pass two, identical, fills an exact set. */
	if ((rc = apply_walk(from, delta, &f)) != 0)
		return rc;
	if ((rc = set_alloc(from->ctx, &f.n, &set)) != 0)
		return rc;
	memset(&f, 0, sizeof(f));
	f.set = set;
	rc = apply_walk(from, delta, &f);
	if (rc == 0)
		rc = set_fill_done(&f);
	if (rc != 0) {
		rtrmod_set_unref(set);
		return rc;
	}
	*out = set;
	return 0;
}
