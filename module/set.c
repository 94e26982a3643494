/*
 * set.c: immutable, reference-counted sets of VRPs, router keys and ASPA
 * records, and the builder that makes them.  A set is one allocation: the
 * three arrays in canonical order without duplicates, plus one arena for
 * every SPKI and one for every provider list, so a VRP costs 24 bytes and
 * nothing in a set is allocated per record.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <rtrmod/records.h>

#include "records_internal.h"
#include "rtrmod_internal.h"

/* ---- shared helpers ----------------------------------------------------- */

void *
records_grow(struct rtrmod_ctx *ctx, void *arr, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap != 0 ? *cap : 16;
	void *p;

	if (need <= *cap)
		return arr;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return NULL;
		n *= 2;
	}
	if (n > SIZE_MAX / size)
		return NULL;
	p = ctx_realloc(ctx, arr, n * size);
	if (p != NULL)
		*cap = n;
	return p;
}

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

size_t
u32_sort_unique(uint32_t *a, size_t n)
{
	size_t i, o = 0;

	if (n == 0)
		return 0;
	qsort(a, n, sizeof(*a), u32_cmp);
	for (i = 1; i < n; i++) {
		if (a[i] != a[o])
			a[++o] = a[i];
	}
	return o + 1;
}

/* ---- the VRP sort ------------------------------------------------------- */

/*
 * A set of 723,524 VRPs (the whole RPKI in 2025) must sort in a few tens of
 * milliseconds: qsort() through a comparator call on 24-byte structs is
 * several times slower.  Sorting three-integer keys with the comparison
 * inlined, by runs of insertion sort and then bottom-up merging, is
 * O(n log n) in the worst case and O(n) on the already sorted output of
 * rpki-client and of a diff.
 */
#define SORT_RUN 32

static void
key_insertion_sort(struct vrp_key *k, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct vrp_key t = k[i];

		for (j = i; j > 0 && vrp_key_cmp(&t, &k[j - 1]) < 0; j--)
			k[j] = k[j - 1];
		k[j] = t;
	}
}

/* Merge sorted a and b into out; equal keys keep a's first (stable). */
static void
key_merge(const struct vrp_key *a, size_t na, const struct vrp_key *b, size_t nb,
	  struct vrp_key *out)
{
	size_t i = 0, j = 0, o = 0;

	if (na != 0 && nb != 0 && vrp_key_cmp(&a[na - 1], &b[0]) <= 0) {
		memcpy(out, a, na * sizeof(*a));
		memcpy(out + na, b, nb * sizeof(*b));
		return;
	}
	while (i < na && j < nb)
		out[o++] = vrp_key_cmp(&b[j], &a[i]) < 0 ? b[j++] : a[i++];
	if (i < na)
		memcpy(out + o, a + i, (na - i) * sizeof(*a));
	if (j < nb)
		memcpy(out + o, b + j, (nb - j) * sizeof(*b));
}

static bool
keys_sorted(const struct vrp_key *k, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		if (vrp_key_cmp(&k[i - 1], &k[i]) > 0)
			return false;
	}
	return true;
}

int
vrp_key_sort(struct rtrmod_ctx *ctx, struct vrp_key *k, size_t n)
{
	struct vrp_key *tmp, *src, *dst, *t;
	size_t i, w, na, nb;

	if (keys_sorted(k, n))
		return 0;
	if (n > SIZE_MAX / sizeof(*k))
		return RTRMOD_ENOMEM;
	tmp = ctx_alloc(ctx, n * sizeof(*k));
	if (tmp == NULL)
		return RTRMOD_ENOMEM;
	for (i = 0; i < n; i += SORT_RUN)
		key_insertion_sort(k + i, n - i < SORT_RUN ? n - i : SORT_RUN);
	src = k;
	dst = tmp;
	for (w = SORT_RUN; w < n; w *= 2) {
		for (i = 0; i < n; i += 2 * w) {
			na = n - i < w ? n - i : w;
			nb = n - i - na < w ? n - i - na : w;
			key_merge(src + i, na, src + i + na, nb, dst + i);
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != k)
		memcpy(k, src, n * sizeof(*k));
	ctx_free(ctx, tmp);
	return 0;
}

int
vrp_sort(struct rtrmod_ctx *ctx, struct rtrmod_vrp *v, size_t n)
{
	struct vrp_key *k;
	size_t i;
	int rc;

	for (i = 1; i < n && rtrmod_vrp_cmp(&v[i - 1], &v[i]) <= 0; i++)
		;
	if (i >= n)
		return 0;
	if (n > SIZE_MAX / sizeof(*k))
		return RTRMOD_ENOMEM;
	k = ctx_alloc(ctx, n * sizeof(*k));
	if (k == NULL)
		return RTRMOD_ENOMEM;
	for (i = 0; i < n; i++)
		vrp_key_encode(&k[i], &v[i]);
	rc = vrp_key_sort(ctx, k, n);
	if (rc == 0) {
		for (i = 0; i < n; i++)
			vrp_key_decode(&v[i], &k[i]);
	}
	ctx_free(ctx, k);
	return rc;
}

/* ---- set layout and fill ------------------------------------------------ */

/* Reserve n elements of `size` at `align` after *off; false on overflow. */
static bool
layout_add(size_t *off, size_t n, size_t size, size_t align, size_t *at)
{
	size_t o = (*off + align - 1) & ~(align - 1);

	if (o < *off || n > (SIZE_MAX - o) / size)
		return false;
	*at = o;
	*off = o + n * size;
	return true;
}

int
set_alloc(struct rtrmod_ctx *ctx, const struct set_sizes *n, struct rtrmod_set **out)
{
	size_t off = sizeof(struct rtrmod_set), at[5];
	struct rtrmod_set *s;
	char *base;

	*out = NULL;
	if (!layout_add(&off, n->vrps, sizeof(*s->vrps), _Alignof(struct rtrmod_vrp), &at[0]) ||
	    !layout_add(&off, n->keys, sizeof(*s->keys), _Alignof(struct rtrmod_router_key),
			&at[1]) ||
	    !layout_add(&off, n->aspas, sizeof(*s->aspas), _Alignof(struct rtrmod_aspa), &at[2]) ||
	    !layout_add(&off, n->providers, sizeof(uint32_t), _Alignof(uint32_t), &at[3]) ||
	    !layout_add(&off, n->spki, 1, 1, &at[4]))
		return RTRMOD_ENOMEM;
	base = ctx_alloc(ctx, off);
	if (base == NULL)
		return RTRMOD_ENOMEM;
	s = (void *)base;
	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->refs = 1;
	s->memory = off;
	s->vrps = (void *)(base + at[0]);
	s->vrp_count = n->vrps;
	s->keys = (void *)(base + at[1]);
	s->key_count = n->keys;
	s->aspas = (void *)(base + at[2]);
	s->aspa_count = n->aspas;
	s->providers = (void *)(base + at[3]);
	s->provider_count = n->providers;
	s->spki = (uint8_t *)(base + at[4]);
	s->spki_size = n->spki;
	*out = s;
	return 0;
}

void
set_fill_vrp(struct set_fill *f, const struct rtrmod_vrp *vrp)
{
	if (f->set != NULL && f->n.vrps < f->set->vrp_count)
		f->set->vrps[f->n.vrps] = *vrp;
	f->n.vrps++;
}

void
set_fill_key(struct set_fill *f, const struct rtrmod_router_key *key)
{
	struct rtrmod_set *s = f->set;
	struct rtrmod_router_key *k;

	if (s != NULL && f->n.keys < s->key_count && f->n.spki <= s->spki_size &&
	    key->spki_len <= s->spki_size - f->n.spki) {
		k = &s->keys[f->n.keys];
		*k = *key;
		k->spki = s->spki + f->n.spki;
		if (key->spki_len != 0)
			memcpy(s->spki + f->n.spki, key->spki, key->spki_len);
	}
	f->n.keys++;
	f->n.spki += key->spki_len;
}

void
set_fill_aspa(struct set_fill *f, uint32_t customer, const uint32_t *providers, uint32_t count)
{
	struct rtrmod_set *s = f->set;
	struct rtrmod_aspa *a;

	if (s != NULL && f->n.aspas < s->aspa_count && f->n.providers <= s->provider_count &&
	    count <= s->provider_count - f->n.providers) {
		a = &s->aspas[f->n.aspas];
		a->customer_asn = customer;
		a->provider_count = count;
		a->providers = s->providers + f->n.providers;
		if (count != 0)
			memcpy(s->providers + f->n.providers, providers,
			       count * sizeof(*providers));
	}
	f->n.aspas++;
	f->n.providers += count;
}

int
set_fill_done(const struct set_fill *f)
{
	const struct rtrmod_set *s = f->set;

	if (s == NULL || f->n.vrps != s->vrp_count || f->n.keys != s->key_count ||
	    f->n.spki != s->spki_size || f->n.aspas != s->aspa_count ||
	    f->n.providers != s->provider_count)
		return RTRMOD_EINVAL;
	return 0;
}

/* ---- builder ------------------------------------------------------------ */

/* Router keys and ASPAs point into arenas that move as they grow, so the
 * builder keeps offsets and makes pointers only in finish. */
struct key_entry {
	uint8_t ski[20];
	uint32_t asn;
	uint32_t spki_len;
	size_t off;
};

struct aspa_entry {
	uint32_t customer;
	uint32_t count;
	size_t off;
};

struct rtrmod_set_builder {
	struct rtrmod_ctx *ctx;
	struct vrp_key *vrps;
	size_t vrp_count, vrp_cap;
	struct key_entry *keys;
	size_t key_count, key_cap;
	uint8_t *spki;
	size_t spki_len, spki_cap;
	struct aspa_entry *aspas;
	size_t aspa_count, aspa_cap;
	uint32_t *prov;
	size_t prov_count, prov_cap;
};

int
rtrmod_set_builder_new(struct rtrmod_ctx *ctx, struct rtrmod_set_builder **out)
{
	struct rtrmod_set_builder *b;

	if (out == NULL)
		return RTRMOD_EINVAL;
	*out = NULL;
	if (ctx == NULL)
		return RTRMOD_EINVAL;
	b = ctx_zalloc(ctx, sizeof(*b));
	if (b == NULL)
		return RTRMOD_ENOMEM;
	b->ctx = ctx;
	*out = b;
	return 0;
}

void
rtrmod_set_builder_free(struct rtrmod_set_builder *b)
{
	if (b == NULL)
		return;
	ctx_free(b->ctx, b->vrps);
	ctx_free(b->ctx, b->keys);
	ctx_free(b->ctx, b->spki);
	ctx_free(b->ctx, b->aspas);
	ctx_free(b->ctx, b->prov);
	ctx_free(b->ctx, b);
}

int
rtrmod_set_builder_add_vrp(struct rtrmod_set_builder *b, const struct rtrmod_vrp *vrp)
{
	struct vrp_key *k;

	if (b == NULL || vrp == NULL || vrp_check(vrp) != 0)
		return RTRMOD_EINVAL;
	k = records_grow(b->ctx, b->vrps, &b->vrp_cap, b->vrp_count + 1, sizeof(*k));
	if (k == NULL)
		return RTRMOD_ENOMEM;
	b->vrps = k;
	vrp_key_encode(&k[b->vrp_count++], vrp);
	return 0;
}

/* Space for `n` more bytes of SPKI in *arena; 0 or RTRMOD_ENOMEM. */
static int
arena_reserve(struct rtrmod_ctx *ctx, uint8_t **arena, size_t *cap, size_t len, size_t n)
{
	uint8_t *p;

	if (n > SIZE_MAX - len)
		return RTRMOD_ENOMEM;
	p = records_grow(ctx, *arena, cap, len + n, 1);
	if (p == NULL)
		return RTRMOD_ENOMEM;
	*arena = p;
	return 0;
}

int
rtrmod_set_builder_add_router_key(struct rtrmod_set_builder *b, const struct rtrmod_router_key *key)
{
	struct key_entry *e;

	/* RFC 8210 §5.10: the key is a DER SubjectPublicKeyInfo, never empty. */
	if (b == NULL || key == NULL || key->spki == NULL || key->spki_len == 0)
		return RTRMOD_EINVAL;
	e = records_grow(b->ctx, b->keys, &b->key_cap, b->key_count + 1, sizeof(*e));
	if (e == NULL)
		return RTRMOD_ENOMEM;
	b->keys = e;
	if (arena_reserve(b->ctx, &b->spki, &b->spki_cap, b->spki_len, key->spki_len) != 0)
		return RTRMOD_ENOMEM;
	e = &b->keys[b->key_count++];
	memcpy(e->ski, key->ski, sizeof(e->ski));
	e->asn = key->asn;
	e->spki_len = key->spki_len;
	e->off = b->spki_len;
	memcpy(b->spki + b->spki_len, key->spki, key->spki_len);
	b->spki_len += key->spki_len;
	return 0;
}

int
rtrmod_set_builder_add_aspa(struct rtrmod_set_builder *b, uint32_t customer_asn,
			    const uint32_t *providers, size_t count)
{
	struct aspa_entry *e;
	uint32_t *p;

	/* An ASPA object lists at least one provider (AS0 for none:
	 * draft-ietf-sidrops-aspa-profile, providers SIZE(1..MAX)). */
	if (b == NULL || providers == NULL || count == 0 || count > UINT32_MAX)
		return RTRMOD_EINVAL;
	e = records_grow(b->ctx, b->aspas, &b->aspa_cap, b->aspa_count + 1, sizeof(*e));
	if (e == NULL)
		return RTRMOD_ENOMEM;
	b->aspas = e;
	if (count > SIZE_MAX - b->prov_count)
		return RTRMOD_ENOMEM;
	p = records_grow(b->ctx, b->prov, &b->prov_cap, b->prov_count + count, sizeof(*p));
	if (p == NULL)
		return RTRMOD_ENOMEM;
	b->prov = p;
	e = &b->aspas[b->aspa_count++];
	e->customer = customer_asn;
	e->count = (uint32_t)count;
	e->off = b->prov_count;
	memcpy(b->prov + b->prov_count, providers, count * sizeof(*providers));
	b->prov_count += count;
	return 0;
}

/* ---- finish ------------------------------------------------------------- */

/* Router keys and ASPAs sorted, merged and unique, pointing into the
 * builder's arenas (keys) or into `prov` (ASPAs), ready to copy. */
struct finish_state {
	struct rtrmod_router_key *keys;
	size_t key_count;
	struct rtrmod_aspa *aspas;
	size_t aspa_count;
	uint32_t *prov;
};

static int
key_qsort_cmp(const void *a, const void *b)
{
	return rtrmod_router_key_cmp(a, b);
}

static int
finish_keys(struct rtrmod_set_builder *b, struct finish_state *st)
{
	struct rtrmod_router_key *k;
	size_t i, o = 0;

	if (b->key_count == 0)
		return 0;
	k = ctx_alloc(b->ctx, b->key_count * sizeof(*k));
	if (k == NULL)
		return RTRMOD_ENOMEM;
	for (i = 0; i < b->key_count; i++) {
		memcpy(k[i].ski, b->keys[i].ski, sizeof(k[i].ski));
		k[i].asn = b->keys[i].asn;
		k[i].spki_len = b->keys[i].spki_len;
		k[i].spki = b->spki + b->keys[i].off;
	}
	qsort(k, b->key_count, sizeof(*k), key_qsort_cmp);
	for (i = 1; i < b->key_count; i++) {
		if (rtrmod_router_key_cmp(&k[o], &k[i]) != 0)
			k[++o] = k[i];
	}
	st->keys = k;
	st->key_count = o + 1;
	return 0;
}

static int
aspa_entry_cmp(const void *a, const void *b)
{
	const struct aspa_entry *x = a, *y = b;

	return x->customer < y->customer ? -1 : x->customer > y->customer;
}

/* Several ASPA objects for one customer become one record holding the
 * union of their providers (draft-ietf-sidrops-8210bis: one ASPA per
 * customer at a time; the cache forms the union). */
static int
finish_aspas(struct rtrmod_set_builder *b, struct finish_state *st)
{
	size_t i, j, m = 0, n;

	if (b->aspa_count == 0)
		return 0;
	st->aspas = ctx_alloc(b->ctx, b->aspa_count * sizeof(*st->aspas));
	st->prov = ctx_alloc(b->ctx, b->prov_count * sizeof(*st->prov));
	if (st->aspas == NULL || st->prov == NULL)
		return RTRMOD_ENOMEM;
	qsort(b->aspas, b->aspa_count, sizeof(*b->aspas), aspa_entry_cmp);
	for (i = 0; i < b->aspa_count; i = j) {
		n = 0;
		for (j = i; j < b->aspa_count && b->aspas[j].customer == b->aspas[i].customer;
		     j++) {
			memcpy(st->prov + m + n, b->prov + b->aspas[j].off,
			       b->aspas[j].count * sizeof(*st->prov));
			n += b->aspas[j].count;
		}
		n = u32_sort_unique(st->prov + m, n);
		if (n > UINT32_MAX)
			return RTRMOD_EINVAL;
		st->aspas[st->aspa_count].customer_asn = b->aspas[i].customer;
		st->aspas[st->aspa_count].provider_count = (uint32_t)n;
		st->aspas[st->aspa_count].providers = st->prov + m;
		st->aspa_count++;
		m += n;
	}
	return 0;
}

/* One pass over the sorted builder: count (f->set NULL) or copy. */
static void
finish_fill(const struct rtrmod_set_builder *b, const struct finish_state *st, struct set_fill *f)
{
	struct rtrmod_vrp vrp;
	size_t i;

	for (i = 0; i < b->vrp_count; i++) {
		if (i > 0 && vrp_key_cmp(&b->vrps[i - 1], &b->vrps[i]) == 0)
			continue;
		vrp_key_decode(&vrp, &b->vrps[i]);
		set_fill_vrp(f, &vrp);
	}
	for (i = 0; i < st->key_count; i++)
		set_fill_key(f, &st->keys[i]);
	for (i = 0; i < st->aspa_count; i++)
		set_fill_aspa(f, st->aspas[i].customer_asn, st->aspas[i].providers,
			      st->aspas[i].provider_count);
}

int
rtrmod_set_builder_finish(struct rtrmod_set_builder *b, struct rtrmod_set **out)
{
	struct finish_state st = {0};
	struct set_fill f = {0};
	struct rtrmod_set *set = NULL;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (b == NULL)
		return RTRMOD_EINVAL;
	rc = RTRMOD_EINVAL;
	if (out == NULL)
		goto fail;
	if ((rc = vrp_key_sort(b->ctx, b->vrps, b->vrp_count)) != 0 ||
	    (rc = finish_keys(b, &st)) != 0 || (rc = finish_aspas(b, &st)) != 0)
		goto fail;
	finish_fill(b, &st, &f);
	if ((rc = set_alloc(b->ctx, &f.n, &set)) != 0)
		goto fail;
	memset(&f, 0, sizeof(f));
	f.set = set;
	finish_fill(b, &st, &f);
	if ((rc = set_fill_done(&f)) != 0)
		goto fail;
	*out = set;
	set = NULL;
fail:
	rtrmod_set_unref(set);
	ctx_free(b->ctx, st.keys);
	ctx_free(b->ctx, st.aspas);
	ctx_free(b->ctx, st.prov);
	rtrmod_set_builder_free(b);
	return rc;
}

/* ---- sets --------------------------------------------------------------- */

int
rtrmod_set_new_empty(struct rtrmod_ctx *ctx, struct rtrmod_set **out)
{
	struct set_sizes none = {0};

	if (out == NULL)
		return RTRMOD_EINVAL;
	*out = NULL;
	if (ctx == NULL)
		return RTRMOD_EINVAL;
	return set_alloc(ctx, &none, out);
}

struct rtrmod_set *
rtrmod_set_ref(struct rtrmod_set *set)
{
	if (set != NULL)
		set->refs++;
	return set;
}

void
rtrmod_set_unref(struct rtrmod_set *set)
{
	if (set == NULL || --set->refs != 0)
		return;
	ctx_free(set->ctx, set);
}

const struct rtrmod_vrp *
rtrmod_set_vrps(const struct rtrmod_set *set, size_t *count)
{
	if (count != NULL)
		*count = set != NULL ? set->vrp_count : 0;
	return set != NULL ? set->vrps : NULL;
}

const struct rtrmod_router_key *
rtrmod_set_router_keys(const struct rtrmod_set *set, size_t *count)
{
	if (count != NULL)
		*count = set != NULL ? set->key_count : 0;
	return set != NULL ? set->keys : NULL;
}

const struct rtrmod_aspa *
rtrmod_set_aspas(const struct rtrmod_set *set, size_t *count)
{
	if (count != NULL)
		*count = set != NULL ? set->aspa_count : 0;
	return set != NULL ? set->aspas : NULL;
}

const struct rtrmod_aspa *
rtrmod_set_find_aspa(const struct rtrmod_set *set, uint32_t customer_asn)
{
	size_t lo = 0, hi, mid;

	if (set == NULL)
		return NULL;
	hi = set->aspa_count;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (set->aspas[mid].customer_asn < customer_asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < set->aspa_count && set->aspas[lo].customer_asn == customer_asn)
		return &set->aspas[lo];
	return NULL;
}

size_t
rtrmod_set_memory(const struct rtrmod_set *set)
{
	return set != NULL ? set->memory : 0;
}

bool
rtrmod_set_equal(const struct rtrmod_set *a, const struct rtrmod_set *b)
{
	size_t i;

	if (a == b)
		return true;
	if (a == NULL || b == NULL || a->vrp_count != b->vrp_count ||
	    a->key_count != b->key_count || a->aspa_count != b->aspa_count)
		return false;
	for (i = 0; i < a->vrp_count; i++) {
		if (rtrmod_vrp_cmp(&a->vrps[i], &b->vrps[i]) != 0)
			return false;
	}
	for (i = 0; i < a->key_count; i++) {
		if (rtrmod_router_key_cmp(&a->keys[i], &b->keys[i]) != 0)
			return false;
	}
	for (i = 0; i < a->aspa_count; i++) {
		const struct rtrmod_aspa *x = &a->aspas[i], *y = &b->aspas[i];

		if (x->customer_asn != y->customer_asn || x->provider_count != y->provider_count ||
		    memcmp(x->providers, y->providers, x->provider_count * sizeof(uint32_t)) != 0)
			return false;
	}
	return true;
}
