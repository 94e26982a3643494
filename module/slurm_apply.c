/*
 * slurm_apply.c: the SLURM files held, applied to a set (RFC 8416 §3.3,
 * §3.4, §4).  Filters mark the input records they match; the assertions
 * of every file are sorted and made unique; then one merge of the
 * unmarked input with the assertions writes the output set in canonical
 * order, a first pass counting and a second filling (records_internal.h).
 *
 * Invariants: filters see only the input, never an assertion (RFC 8416
 * §3.2: locally added assertions are not removed by output filtering);
 * the output holds each record once; counts change only on success.
 * Cost: a prefix filter costs a binary search plus the VRPs in its range,
 * an AS-only filter a binary search per VRP, so 723k VRPs and a thousand
 * filters take a few tens of milliseconds, not a VRP-by-filter product.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <rtrmod/slurm.h>

#include "records_internal.h"
#include "rtrmod_internal.h"
#include "slurm_internal.h"

/* An ASPA to add: one customer, the union of its asserted providers. */
struct add_aspa {
	uint32_t customer;
	uint32_t count;
	const uint32_t *providers;
};

struct apply {
	struct rtrmod_slurm *s;
	struct rtrmod_ctx *ctx;
	const struct rtrmod_set *in;
	uint8_t *drop[RTRMOD_SOURCE_KIND_COUNT]; /* per input record: a filter matched */
	size_t counts[RTRMOD_SOURCE_KIND_COUNT][RTRMOD_SLURM_COUNTS];
	struct rtrmod_vrp *vrps; /* the assertions, sorted and unique */
	size_t n_vrps;
	struct rtrmod_router_key *keys;
	size_t n_keys;
	struct add_aspa *aspas;
	size_t n_aspas;
	uint32_t *aspa_prov; /* arena of the asserted provider unions */
	uint32_t *scratch;   /* one customer's input and asserted providers */
};

static void *
alloc_n(struct rtrmod_ctx *ctx, size_t n, size_t size, bool zero)
{
	if (n == 0 || n > SIZE_MAX / size)
		return NULL;
	return zero ? ctx_zalloc(ctx, n * size) : ctx_alloc(ctx, n * size);
}

/* ---- filters ------------------------------------------------------------ */

static int
addr_cmp(const struct rtrmod_prefix *a, const struct rtrmod_prefix *b)
{
	if (a->afi != b->afi)
		return a->afi < b->afi ? -1 : 1;
	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* Whether the first outer->len bits of q's address are outer's. */
static bool
addr_in(const struct rtrmod_prefix *outer, const struct rtrmod_prefix *q)
{
	unsigned int whole = outer->len / 8, rest = outer->len % 8;

	if (q->afi != outer->afi || memcmp(q->addr, outer->addr, whole) != 0)
		return false;
	return rest == 0 || ((q->addr[whole] ^ outer->addr[whole]) & (0xffu << (8 - rest))) == 0;
}

/* RFC 8416 §3.3.1: a VRP matches a prefix filter when its prefix is equal
 * to or more specific than the filter's (and its AS is the filter's, if
 * the filter has one).  Sorted by address, those VRPs are one run. */
static void
mark_prefix_filter(struct apply *a, const struct slurm_prefix_filter *pf)
{
	size_t n, lo = 0, hi, mid;
	const struct rtrmod_vrp *v = rtrmod_set_vrps(a->in, &n);

	hi = n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (addr_cmp(&v[mid].prefix, &pf->prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && addr_in(&pf->prefix, &v[lo].prefix); lo++)
		if (v[lo].prefix.len >= pf->prefix.len &&
		    (!(pf->has & SLURM_HAS_ASN) || v[lo].asn == pf->asn))
			a->drop[RTRMOD_SOURCE_VRP][lo] = 1;
}

static bool
asn_in(const uint32_t *set, size_t n, uint32_t asn)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (set[mid] < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && set[lo] == asn;
}

/* Prefix filters by range, then filters holding only an AS by lookup. */
static int
mark_vrps(struct apply *a)
{
	struct rtrmod_slurm *s = a->s;
	size_t i, j, n, n_asn = 0;
	const struct rtrmod_vrp *v = rtrmod_set_vrps(a->in, &n);
	uint32_t *asns = NULL;
	uint8_t *drop;

	if (rtrmod_slurm_rules(s, RTRMOD_SOURCE_VRP, false) == 0 || n == 0)
		return 0;
	if ((drop = a->drop[RTRMOD_SOURCE_VRP] = alloc_n(a->ctx, n, 1, true)) == NULL ||
	    (asns = alloc_n(a->ctx, rtrmod_slurm_rules(s, RTRMOD_SOURCE_VRP, false), sizeof(*asns),
			    false)) == NULL)
		return RTRMOD_ENOMEM;
	for (i = 0; i < s->n_files; i++) {
		const struct slurm_file *f = s->files[i];

		for (j = 0; j < f->n_pfilters; j++) {
			if (f->pfilters[j].has & SLURM_HAS_PREFIX)
				mark_prefix_filter(a, &f->pfilters[j]);
			else
				asns[n_asn++] = f->pfilters[j].asn;
		}
	}
	n_asn = u32_sort_unique(asns, n_asn);
	for (i = 0; i < n; i++) {
		if (!drop[i] && n_asn > 0 && asn_in(asns, n_asn, v[i].asn))
			drop[i] = 1;
		a->counts[RTRMOD_SOURCE_VRP][RTRMOD_SLURM_FILTERED] += drop[i];
	}
	ctx_free(a->ctx, asns);
	return 0;
}

/* RFC 8416 §3.3.2: a key matches on its AS, its SKI, or both. */
static bool
key_filtered(const struct rtrmod_slurm *s, const struct rtrmod_router_key *k)
{
	for (size_t i = 0; i < s->n_files; i++) {
		const struct slurm_file *f = s->files[i];

		for (size_t j = 0; j < f->n_kfilters; j++) {
			const struct slurm_key_filter *kf = &f->kfilters[j];

			if ((!(kf->has & SLURM_HAS_ASN) || kf->asn == k->asn) &&
			    (!(kf->has & SLURM_HAS_SKI) || memcmp(kf->ski, k->ski, 20) == 0))
				return true;
		}
	}
	return false;
}

/* Router keys one by one; ASPAs by customer (draft-ietf-sidrops-aspa-slurm:
 * an aspaFilter removes the customer's ASPA). */
static int
mark_keys_aspas(struct apply *a)
{
	struct rtrmod_slurm *s = a->s;
	size_t i, j, n, m = 0, nk, na;
	const struct rtrmod_router_key *k = rtrmod_set_router_keys(a->in, &nk);
	const struct rtrmod_aspa *asp = rtrmod_set_aspas(a->in, &na);
	uint32_t *cust;

	if (rtrmod_slurm_rules(s, RTRMOD_SOURCE_ROUTER_KEY, false) > 0 && nk > 0) {
		if ((a->drop[RTRMOD_SOURCE_ROUTER_KEY] = alloc_n(a->ctx, nk, 1, true)) == NULL)
			return RTRMOD_ENOMEM;
		for (i = 0; i < nk; i++) {
			a->drop[RTRMOD_SOURCE_ROUTER_KEY][i] = key_filtered(s, &k[i]);
			a->counts[RTRMOD_SOURCE_ROUTER_KEY][RTRMOD_SLURM_FILTERED] +=
			    a->drop[RTRMOD_SOURCE_ROUTER_KEY][i];
		}
	}
	n = rtrmod_slurm_rules(s, RTRMOD_SOURCE_ASPA, false);
	if (n == 0 || na == 0)
		return 0;
	if ((a->drop[RTRMOD_SOURCE_ASPA] = alloc_n(a->ctx, na, 1, true)) == NULL ||
	    (cust = alloc_n(a->ctx, n, sizeof(*cust), false)) == NULL)
		return RTRMOD_ENOMEM;
	for (i = 0; i < s->n_files; i++)
		for (j = 0; j < s->files[i]->n_afilters; j++)
			cust[m++] = s->files[i]->afilters[j];
	m = u32_sort_unique(cust, m);
	for (i = 0; i < na; i++) {
		a->drop[RTRMOD_SOURCE_ASPA][i] = asn_in(cust, m, asp[i].customer_asn);
		a->counts[RTRMOD_SOURCE_ASPA][RTRMOD_SLURM_FILTERED] +=
		    a->drop[RTRMOD_SOURCE_ASPA][i];
	}
	ctx_free(a->ctx, cust);
	return 0;
}

/* ---- assertions --------------------------------------------------------- */

/* RFC 8416 §3.4.1: every prefix assertion of every file, once each. */
static int
collect_vrps(struct apply *a)
{
	struct rtrmod_slurm *s = a->s;
	size_t i, m = 0, n = rtrmod_slurm_rules(s, RTRMOD_SOURCE_VRP, true);
	int rc;

	if (n == 0)
		return 0;
	if ((a->vrps = alloc_n(a->ctx, n, sizeof(*a->vrps), false)) == NULL)
		return RTRMOD_ENOMEM;
	for (i = 0; i < s->n_files; i++) {
		if (s->files[i]->n_passerts == 0)
			continue;
		memcpy(a->vrps + m, s->files[i]->passerts,
		       s->files[i]->n_passerts * sizeof(*a->vrps));
		m += s->files[i]->n_passerts;
	}
	if ((rc = vrp_sort(a->ctx, a->vrps, n)) != 0)
		return rc;
	for (i = 1, m = 0; i < n; i++)
		if (rtrmod_vrp_cmp(&a->vrps[m], &a->vrps[i]) != 0)
			a->vrps[++m] = a->vrps[i];
	a->n_vrps = m + 1;
	a->counts[RTRMOD_SOURCE_VRP][RTRMOD_SLURM_ASSERTED] = a->n_vrps;
	return 0;
}

static int
key_qsort_cmp(const void *x, const void *y)
{
	return rtrmod_router_key_cmp(x, y);
}

/* RFC 8416 §3.4.2: every BGPsec assertion, once each; keys point into the
 * files' SPKI arenas, which outlive the apply. */
static int
collect_keys(struct apply *a)
{
	struct rtrmod_slurm *s = a->s;
	size_t i, j, m = 0, n = rtrmod_slurm_rules(s, RTRMOD_SOURCE_ROUTER_KEY, true);

	if (n == 0)
		return 0;
	if ((a->keys = alloc_n(a->ctx, n, sizeof(*a->keys), false)) == NULL)
		return RTRMOD_ENOMEM;
	for (i = 0; i < s->n_files; i++) {
		const struct slurm_file *f = s->files[i];

		for (j = 0; j < f->n_kasserts; j++, m++) {
			memcpy(a->keys[m].ski, f->kasserts[j].ski, 20);
			a->keys[m].asn = f->kasserts[j].asn;
			a->keys[m].spki_len = f->kasserts[j].spki_len;
			a->keys[m].spki = f->spki + f->kasserts[j].spki_off;
		}
	}
	qsort(a->keys, n, sizeof(*a->keys), key_qsort_cmp);
	for (i = 1, m = 0; i < n; i++)
		if (rtrmod_router_key_cmp(&a->keys[m], &a->keys[i]) != 0)
			a->keys[++m] = a->keys[i];
	a->n_keys = m + 1;
	a->counts[RTRMOD_SOURCE_ROUTER_KEY][RTRMOD_SLURM_ASSERTED] = a->n_keys;
	return 0;
}

static int
add_aspa_cmp(const void *x, const void *y)
{
	const struct add_aspa *p = x, *q = y;

	return p->customer < q->customer ? -1 : p->customer > q->customer;
}

/* Every ASPA assertion; several for one customer become the union of their
 * providers, as several ASPA objects do (rtrmod/records.h). */
static int
collect_aspas(struct apply *a)
{
	struct rtrmod_slurm *s = a->s;
	size_t i, j, m = 0, o = 0, total = 0, widest = 0, n_in;
	size_t n = rtrmod_slurm_rules(s, RTRMOD_SOURCE_ASPA, true);
	const struct rtrmod_aspa *in = rtrmod_set_aspas(a->in, &n_in);
	struct add_aspa *e;

	if (n == 0)
		return 0;
	for (i = 0; i < s->n_files; i++)
		total += s->files[i]->n_providers;
	if ((e = a->aspas = alloc_n(a->ctx, n, sizeof(*e), false)) == NULL ||
	    (a->aspa_prov = alloc_n(a->ctx, total, sizeof(uint32_t), false)) == NULL)
		return RTRMOD_ENOMEM;
	for (i = 0; i < s->n_files; i++) {
		const struct slurm_file *f = s->files[i];

		for (j = 0; j < f->n_aasserts; j++, m++) {
			e[m].customer = f->aasserts[j].customer;
			e[m].count = f->aasserts[j].count;
			e[m].providers = f->providers + f->aasserts[j].off;
		}
	}
	qsort(e, n, sizeof(*e), add_aspa_cmp);
	for (i = 0, m = 0; i < n; i = j, o++) {
		uint32_t customer = e[i].customer, *dst = a->aspa_prov + m;
		size_t c = 0;

		for (j = i; j < n && e[j].customer == customer; j++) {
			memcpy(dst + c, e[j].providers, e[j].count * sizeof(*dst));
			c += e[j].count;
		}
		c = u32_sort_unique(dst, c);
		e[o] = (struct add_aspa){customer, (uint32_t)c, dst};
		m += c;
		widest = c > widest ? c : widest;
	}
	a->n_aspas = o;
	a->counts[RTRMOD_SOURCE_ASPA][RTRMOD_SLURM_ASSERTED] = o;
	for (i = 0, m = 0; i < n_in; i++)
		m = in[i].provider_count > m ? in[i].provider_count : m;
	a->scratch = alloc_n(a->ctx, widest + m, sizeof(uint32_t), false);
	return a->scratch != NULL ? 0 : RTRMOD_ENOMEM;
}

/* ---- the merge ---------------------------------------------------------- */

/* The kept input and the assertions, both sorted, merged; an assertion
 * equal to a kept record is written once (and counted, on the first pass). */
static void
fill_vrps(struct apply *a, struct set_fill *f, bool first)
{
	const uint8_t *drop = a->drop[RTRMOD_SOURCE_VRP];
	size_t i = 0, j = 0, n;
	const struct rtrmod_vrp *v = rtrmod_set_vrps(a->in, &n);
	int c;

	while (i < n || j < a->n_vrps) {
		if (i < n && drop != NULL && drop[i]) {
			i++;
			continue;
		}
		c = i == n ? 1 : j == a->n_vrps ? -1 : rtrmod_vrp_cmp(&v[i], &a->vrps[j]);
		if (c == 0 && first)
			a->counts[RTRMOD_SOURCE_VRP][RTRMOD_SLURM_DUPLICATE]++;
		set_fill_vrp(f, c <= 0 ? &v[i] : &a->vrps[j]);
		i += c <= 0;
		j += c >= 0;
	}
}

static void
fill_keys(struct apply *a, struct set_fill *f, bool first)
{
	const uint8_t *drop = a->drop[RTRMOD_SOURCE_ROUTER_KEY];
	size_t i = 0, j = 0, n;
	const struct rtrmod_router_key *k = rtrmod_set_router_keys(a->in, &n);
	int c;

	while (i < n || j < a->n_keys) {
		if (i < n && drop != NULL && drop[i]) {
			i++;
			continue;
		}
		c = i == n ? 1 : j == a->n_keys ? -1 : rtrmod_router_key_cmp(&k[i], &a->keys[j]);
		if (c == 0 && first)
			a->counts[RTRMOD_SOURCE_ROUTER_KEY][RTRMOD_SLURM_DUPLICATE]++;
		set_fill_key(f, c <= 0 ? &k[i] : &a->keys[j]);
		i += c <= 0;
		j += c >= 0;
	}
}

/* Sorted unique x and y into out, sorted unique; returns the count. */
static uint32_t
u32_union(const uint32_t *x, uint32_t nx, const uint32_t *y, uint32_t ny, uint32_t *out)
{
	uint32_t i = 0, j = 0, o = 0;

	while (i < nx || j < ny) {
		if (j == ny || (i < nx && x[i] < y[j]))
			out[o++] = x[i++];
		else if (i == nx || y[j] < x[i])
			out[o++] = y[j++];
		else {
			out[o++] = x[i++];
			j++;
		}
	}
	return o;
}

/* A customer both kept and asserted gets the union of both provider sets. */
static void
fill_aspas(struct apply *a, struct set_fill *f, bool first)
{
	const uint8_t *drop = a->drop[RTRMOD_SOURCE_ASPA];
	size_t i = 0, j = 0, n;
	const struct rtrmod_aspa *in = rtrmod_set_aspas(a->in, &n);
	const struct add_aspa *e = a->aspas;
	uint32_t k;

	while (i < n || j < a->n_aspas) {
		if (i < n && drop != NULL && drop[i]) {
			i++;
			continue;
		}
		if (j == a->n_aspas || (i < n && in[i].customer_asn < e[j].customer)) {
			set_fill_aspa(f, in[i].customer_asn, in[i].providers, in[i].provider_count);
			i++;
		} else if (i == n || e[j].customer < in[i].customer_asn) {
			set_fill_aspa(f, e[j].customer, e[j].providers, e[j].count);
			j++;
		} else {
			k = u32_union(in[i].providers, in[i].provider_count, e[j].providers,
				      e[j].count, a->scratch);
			set_fill_aspa(f, e[j].customer, a->scratch, k);
			if (first)
				a->counts[RTRMOD_SOURCE_ASPA][RTRMOD_SLURM_DUPLICATE]++;
			i++;
			j++;
		}
	}
}

static void
fill(struct apply *a, struct set_fill *f, bool first)
{
	fill_vrps(a, f, first);
	fill_keys(a, f, first);
	fill_aspas(a, f, first);
}

/* Whether the files change nothing in this input. */
static bool
unchanged(const struct apply *a)
{
	for (int k = 0; k < RTRMOD_SOURCE_KIND_COUNT; k++)
		if (a->counts[k][RTRMOD_SLURM_FILTERED] != 0)
			return false;
	return a->n_vrps == 0 && a->n_keys == 0 && a->n_aspas == 0;
}

static void
apply_done(struct apply *a)
{
	for (int k = 0; k < RTRMOD_SOURCE_KIND_COUNT; k++)
		ctx_free(a->ctx, a->drop[k]);
	ctx_free(a->ctx, a->vrps);
	ctx_free(a->ctx, a->keys);
	ctx_free(a->ctx, a->aspas);
	ctx_free(a->ctx, a->aspa_prov);
	ctx_free(a->ctx, a->scratch);
}

int
rtrmod_slurm_apply(struct rtrmod_slurm *s, struct rtrmod_set *in, struct rtrmod_set **out)
{
	struct apply a = {.s = s, .in = in};
	struct set_fill f = {0};
	struct rtrmod_set *set = NULL;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (s == NULL || in == NULL || out == NULL)
		return RTRMOD_EINVAL;
	a.ctx = s->ctx;
	if ((rc = mark_vrps(&a)) != 0 || (rc = mark_keys_aspas(&a)) != 0 ||
	    (rc = collect_vrps(&a)) != 0 || (rc = collect_keys(&a)) != 0 ||
	    (rc = collect_aspas(&a)) != 0)
		goto fail;
	if (unchanged(&a)) {
		set = rtrmod_set_ref(in);
	} else {
		fill(&a, &f, true);
		if ((rc = set_alloc(a.ctx, &f.n, &set)) != 0)
			goto fail;
		memset(&f, 0, sizeof(f));
		f.set = set;
		fill(&a, &f, false);
		if ((rc = set_fill_done(&f)) != 0)
			goto fail;
	}
	memcpy(s->counts, a.counts, sizeof(s->counts));
	log_info(s->ctx, "SLURM applied: VRPs -%zu +%zu, router keys -%zu +%zu, ASPAs -%zu +%zu",
		 a.counts[0][0], a.counts[0][1], a.counts[1][0], a.counts[1][1], a.counts[2][0],
		 a.counts[2][1]);
	*out = set;
	set = NULL;
fail:
	rtrmod_set_unref(set);
	apply_done(&a);
	return rc;
}
