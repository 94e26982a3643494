/*
 * client_merge.c: the merged table of a group of caches of equal
 * preference (RFC 8210 §10).  A record is in the merged table while any
 * member's committed set has it; an ASPA customer's providers are the union
 * of every member's, as when one customer has several ASPA objects.
 *
 * The reference count of a record is not stored: it is the number of
 * member sets holding it, found by binary search in those sorted, immutable
 * sets when one member's change touches the record.  So a commit costs
 * O(change x members x log n) and no memory beyond the sets themselves, and
 * the merged table cannot drift from its members: each change is checked
 * against what the merged table holds, not against a counter.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "rtrmod_internal.h"

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
u32_cmp_void(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static bool
set_has_vrp(const struct rtrmod_set *set, const struct rtrmod_vrp *v)
{
	size_t n;
	const struct rtrmod_vrp *all;

	if (set == NULL)
		return false;
	all = rtrmod_set_vrps(set, &n);
	return n > 0 && bsearch(v, all, n, sizeof(*all), vrp_cmp_void) != NULL;
}

static bool
set_has_key(const struct rtrmod_set *set, const struct rtrmod_router_key *k)
{
	size_t n;
	const struct rtrmod_router_key *all;

	if (set == NULL)
		return false;
	all = rtrmod_set_router_keys(set, &n);
	return n > 0 && bsearch(k, all, n, sizeof(*all), key_cmp_void) != NULL;
}

/* How many members hold the VRP (its reference count). */
static size_t
group_vrp_refs(const struct client_group *g, const struct rtrmod_vrp *v)
{
	size_t refs = 0;

	for (size_t i = 0; i < g->count; i++)
		refs += set_has_vrp(g->caches[i]->sess.set, v);
	return refs;
}

static size_t
group_key_refs(const struct client_group *g, const struct rtrmod_router_key *k)
{
	size_t refs = 0;

	for (size_t i = 0; i < g->count; i++)
		refs += set_has_key(g->caches[i]->sess.set, k);
	return refs;
}

static int
merge_vrps(struct rtrmod_client *c, const struct client_group *g, const struct rtrmod_delta *change,
	   struct rtrmod_delta *out)
{
	const struct rtrmod_vrp *v;
	size_t n;
	bool want, have;
	int rc;

	for (int dir = 0; dir < 2; dir++) {
		v = rtrmod_delta_vrps(change, dir == 1, &n);
		for (size_t i = 0; i < n; i++) {
			want = group_vrp_refs(g, &v[i]) > 0;
			have = set_has_vrp(c->merged, &v[i]);
			if (want != have && (rc = rtrmod_delta_add_vrp(out, &v[i], want)) != 0)
				return rc;
		}
	}
	return 0;
}

static int
merge_keys(struct rtrmod_client *c, const struct client_group *g, const struct rtrmod_delta *change,
	   struct rtrmod_delta *out)
{
	const struct rtrmod_router_key *k;
	size_t n;
	bool want, have;
	int rc;

	for (int dir = 0; dir < 2; dir++) {
		k = rtrmod_delta_router_keys(change, dir == 1, &n);
		for (size_t i = 0; i < n; i++) {
			want = group_key_refs(g, &k[i]) > 0;
			have = set_has_key(c->merged, &k[i]);
			if (want != have &&
			    (rc = rtrmod_delta_add_router_key(out, &k[i], want)) != 0)
				return rc;
		}
	}
	return 0;
}

/* The union of every member's providers for `customer` into *prov (grown as
 * needed); the count, 0 when no member has the customer. */
static int
aspa_union(struct rtrmod_client *c, const struct client_group *g, uint32_t customer,
	   uint32_t **prov, size_t *cap, size_t *count)
{
	const struct rtrmod_aspa *a;
	size_t n = 0;

	for (size_t i = 0; i < g->count; i++) {
		if (g->caches[i]->sess.set == NULL)
			continue;
		a = rtrmod_set_find_aspa(g->caches[i]->sess.set, customer);
		if (a == NULL)
			continue;
		if (n + a->provider_count > *cap) {
			size_t want = (n + a->provider_count) * 2;
			uint32_t *p = ctx_realloc(c->ctx, *prov, want * sizeof(*p));

			if (p == NULL)
				return RTRMOD_ENOMEM;
			*prov = p;
			*cap = want;
		}
		memcpy(*prov + n, a->providers, a->provider_count * sizeof(uint32_t));
		n += a->provider_count;
	}
	if (n > 1)
		qsort(*prov, n, sizeof(uint32_t), u32_cmp_void);
	*count = 0;
	for (size_t i = 0; i < n; i++)
		if (*count == 0 || (*prov)[*count - 1] != (*prov)[i])
			(*prov)[(*count)++] = (*prov)[i];
	return 0;
}

static bool
same_providers(const struct rtrmod_aspa *a, const uint32_t *p, size_t n)
{
	return a->provider_count == n && memcmp(a->providers, p, n * sizeof(*p)) == 0;
}

static int
merge_aspas(struct rtrmod_client *c, const struct client_group *g,
	    const struct rtrmod_delta *change, struct rtrmod_delta *out)
{
	const struct rtrmod_aspa *a, *have;
	uint32_t *prov = NULL;
	size_t n, cap = 0, count;
	int rc = 0;

	for (int dir = 0; dir < 2 && rc == 0; dir++) {
		a = rtrmod_delta_aspas(change, dir == 1, &n);
		for (size_t i = 0; i < n && rc == 0; i++) {
			rc = aspa_union(c, g, a[i].customer_asn, &prov, &cap, &count);
			if (rc != 0)
				break;
			have = rtrmod_set_find_aspa(c->merged, a[i].customer_asn);
			if (count == 0 && have != NULL)
				rc = rtrmod_delta_add_aspa(out, a[i].customer_asn, NULL, 0, false);
			else if (count > 0 && (have == NULL || !same_providers(have, prov, count)))
				rc = rtrmod_delta_add_aspa(out, a[i].customer_asn, prov, count,
							   true);
		}
	}
	ctx_free(c->ctx, prov);
	return rc;
}

int
client_merge_change(struct rtrmod_client *c, const struct client_group *g,
		    const struct rtrmod_delta *change, struct rtrmod_delta **out)
{
	struct rtrmod_delta *d;
	int rc;

	if ((rc = rtrmod_delta_new(c->ctx, &d)) != 0)
		return rc;
	rc = merge_vrps(c, g, change, d);
	if (rc == 0)
		rc = merge_keys(c, g, change, d);
	if (rc == 0)
		rc = merge_aspas(c, g, change, d);
	if (rc == 0)
		rc = rtrmod_delta_seal(d);
	if (rc != 0) {
		rtrmod_delta_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

static int
builder_add_set(struct rtrmod_set_builder *b, const struct rtrmod_set *set)
{
	const struct rtrmod_vrp *v;
	const struct rtrmod_router_key *k;
	const struct rtrmod_aspa *a;
	size_t n;
	int rc = 0;

	v = rtrmod_set_vrps(set, &n);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = rtrmod_set_builder_add_vrp(b, &v[i]);
	k = rtrmod_set_router_keys(set, &n);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = rtrmod_set_builder_add_router_key(b, &k[i]);
	a = rtrmod_set_aspas(set, &n);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = rtrmod_set_builder_add_aspa(b, a[i].customer_asn, a[i].providers,
						 a[i].provider_count);
	return rc;
}

int
client_merge_group(struct rtrmod_client *c, const struct client_group *g, struct rtrmod_set **out)
{
	struct rtrmod_set_builder *b;
	size_t with_data = 0, only = 0;
	int rc;

	for (size_t i = 0; g != NULL && i < g->count; i++) {
		if (g->caches[i]->sess.set != NULL) {
			with_data++;
			only = i;
		}
	}
	if (with_data == 0) {
		*out = rtrmod_set_ref(c->empty);
		return 0;
	}
	if (with_data == 1) { /* the common case: share the member's set */
		*out = rtrmod_set_ref(g->caches[only]->sess.set);
		return 0;
	}
	if ((rc = rtrmod_set_builder_new(c->ctx, &b)) != 0)
		return rc;
	for (size_t i = 0; i < g->count && rc == 0; i++)
		if (g->caches[i]->sess.set != NULL)
			rc = builder_add_set(b, g->caches[i]->sess.set);
	if (rc != 0) {
		rtrmod_set_builder_free(b);
		return rc;
	}
	return rtrmod_set_builder_finish(b, out);
}
