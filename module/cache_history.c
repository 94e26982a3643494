/*
 * cache_history.c: serials and the bounded history of deltas a cache
 * answers Serial Queries from (RFC 8210 §5.3, §8.2).
 *
 * Invariants: the history holds only deltas, never past sets, so it costs
 * what changed, not what is served.  Each delta is exact: `removed` lists
 * records of the older set only, `added` of the newer only, each in
 * canonical order and unique.  The change over several serials is the
 * composition of the steps, computed exactly (a record added and removed
 * again cancels out), so a router is never told to announce what it has or
 * to withdraw what it never had.  ASPA records take part as whole
 * (customer, providers) tuples: a changed provider set is the old tuple
 * removed and the new one added, which composes like any record.  Serials
 * follow RFC 1982 with SERIAL_BITS 32: they advance by one modulo 2^32, and
 * a serial is kept when it is at most `count` behind the current one.
 */
#include "config.h"

#include <string.h>

#include "cache_internal.h"
#include "records_internal.h"
#include "rtrmod_internal.h"

/* ---- building a delta: count first, then fill one exact block ---------- */

/* With d NULL only counts; a second, identical pass fills d. */
struct hfill {
	struct hdelta *d;
	size_t nv[2], nk[2], na[2];
	size_t spki, prov;
	uint8_t *spki_arena;
	uint32_t *prov_arena;
};

typedef int rec_cmp(const void *, const void *);
typedef void rec_emit(struct hfill *, int side, const void *rec);

static void
emit_vrp(struct hfill *f, int side, const void *rec)
{
	if (f->d != NULL)
		f->d->vrps[side][f->nv[side]] = *(const struct rtrmod_vrp *)rec;
	f->nv[side]++;
}

static void
emit_key(struct hfill *f, int side, const void *rec)
{
	const struct rtrmod_router_key *k = rec;
	struct rtrmod_router_key *out;

	if (f->d != NULL) {
		out = &f->d->keys[side][f->nk[side]];
		*out = *k;
		memcpy(f->spki_arena + f->spki, k->spki, k->spki_len);
		out->spki = f->spki_arena + f->spki;
	}
	f->nk[side]++;
	f->spki += k->spki_len;
}

static void
emit_aspa(struct hfill *f, int side, const void *rec)
{
	const struct rtrmod_aspa *a = rec;
	struct rtrmod_aspa *out;

	if (f->d != NULL) {
		out = &f->d->aspas[side][f->na[side]];
		*out = *a;
		if (a->provider_count != 0)
			memcpy(f->prov_arena + f->prov, a->providers,
			       a->provider_count * sizeof(uint32_t));
		out->providers = a->provider_count != 0 ? f->prov_arena + f->prov : NULL;
	}
	f->na[side]++;
	f->prov += a->provider_count;
}

static size_t
align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* One block sized by the counting pass `n`; arrays first, then providers,
 * then SPKI bytes.  Sizes are bounded by sets already in memory. */
static int
hdelta_alloc(struct rtrmod_ctx *ctx, const struct hfill *n, struct hfill *f)
{
	size_t off = align8(sizeof(struct hdelta)), at[8], i = 0;
	struct hdelta *d;
	uint8_t *base;
	int side;

	for (side = 0; side < 2; side++) {
		at[i++] = off;
		off = align8(off + n->nv[side] * sizeof(struct rtrmod_vrp));
		at[i++] = off;
		off = align8(off + n->nk[side] * sizeof(struct rtrmod_router_key));
		at[i++] = off;
		off = align8(off + n->na[side] * sizeof(struct rtrmod_aspa));
	}
	at[i++] = off;
	off = align8(off + n->prov * sizeof(uint32_t));
	at[i++] = off;
	off += n->spki;
	base = ctx_alloc(ctx, off);
	if (base == NULL)
		return RTRMOD_ENOMEM;
	d = (struct hdelta *)base;
	memset(d, 0, sizeof(*d));
	d->ctx = ctx;
	d->memory = off;
	for (i = 0, side = 0; side < 2; side++) {
		d->vrps[side] = (struct rtrmod_vrp *)(base + at[i++]);
		d->nvrps[side] = n->nv[side];
		d->keys[side] = (struct rtrmod_router_key *)(base + at[i++]);
		d->nkeys[side] = n->nk[side];
		d->aspas[side] = (struct rtrmod_aspa *)(base + at[i++]);
		d->naspas[side] = n->na[side];
	}
	memset(f, 0, sizeof(*f));
	f->d = d;
	f->prov_arena = (uint32_t *)(base + at[6]);
	f->spki_arena = base + at[7];
	return 0;
}

/* The fill pass wrote exactly what the count pass sized. */
static bool
hfill_matches(const struct hfill *a, const struct hfill *b)
{
	return memcmp(a->nv, b->nv, sizeof(a->nv)) == 0 &&
	       memcmp(a->nk, b->nk, sizeof(a->nk)) == 0 &&
	       memcmp(a->na, b->na, sizeof(a->na)) == 0 && a->spki == b->spki && a->prov == b->prov;
}

void
hdelta_free(struct hdelta *d)
{
	if (d != NULL)
		ctx_free(d->ctx, d);
}

bool
hdelta_empty(const struct hdelta *d)
{
	return d == NULL || (d->nvrps[0] == 0 && d->nvrps[1] == 0 && d->nkeys[0] == 0 &&
			     d->nkeys[1] == 0 && d->naspas[0] == 0 && d->naspas[1] == 0);
}

/* ---- record orders ------------------------------------------------------- */

static int
cmp_vrp(const void *a, const void *b)
{
	return rtrmod_vrp_cmp(a, b);
}

static int
cmp_key(const void *a, const void *b)
{
	return rtrmod_router_key_cmp(a, b);
}

/* ASPA tuples: by customer, then provider count, then providers.  A set
 * holds one tuple per customer, so within a set this is customer order. */
static int
cmp_aspa(const void *pa, const void *pb)
{
	const struct rtrmod_aspa *a = pa, *b = pb;
	uint32_t i;

	if (a->customer_asn != b->customer_asn)
		return a->customer_asn < b->customer_asn ? -1 : 1;
	if (a->provider_count != b->provider_count)
		return a->provider_count < b->provider_count ? -1 : 1;
	for (i = 0; i < a->provider_count; i++)
		if (a->providers[i] != b->providers[i])
			return a->providers[i] < b->providers[i] ? -1 : 1;
	return 0;
}

/* ---- diff: two sets ------------------------------------------------------- */

/* A merge walk of two sorted, unique arrays: what only `a` has is removed,
 * what only `b` has is added. */
static void
diff_walk(const void *a, size_t na, const void *b, size_t nb, size_t size, rec_cmp *cmp,
	  rec_emit *emit, struct hfill *f)
{
	const char *pa = a, *pb = b;
	size_t i = 0, j = 0;
	int c;

	while (i < na || j < nb) {
		c = i == na ? 1 : j == nb ? -1 : cmp(pa + i * size, pb + j * size);
		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			emit(f, HD_REMOVED, pa + i++ * size);
		} else {
			emit(f, HD_ADDED, pb + j++ * size);
		}
	}
}

static void
diff_pass(const struct rtrmod_set *from, const struct rtrmod_set *to, struct hfill *f)
{
	diff_walk(from->vrps, from->vrp_count, to->vrps, to->vrp_count, sizeof(struct rtrmod_vrp),
		  cmp_vrp, emit_vrp, f);
	diff_walk(from->keys, from->key_count, to->keys, to->key_count,
		  sizeof(struct rtrmod_router_key), cmp_key, emit_key, f);
	diff_walk(from->aspas, from->aspa_count, to->aspas, to->aspa_count,
		  sizeof(struct rtrmod_aspa), cmp_aspa, emit_aspa, f);
}

int
hdelta_diff(struct rtrmod_ctx *ctx, const struct rtrmod_set *from, const struct rtrmod_set *to,
	    struct hdelta **out)
{
	struct hfill count = {0}, fill;
	int rc;

	*out = NULL;
	diff_pass(from, to, &count);
	if ((rc = hdelta_alloc(ctx, &count, &fill)) != 0)
		return rc;
	diff_pass(from, to, &fill);
	if (!hfill_matches(&count, &fill)) {
		hdelta_free(fill.d);
		return RTRMOD_EINVAL;
	}
	*out = fill.d;
	return 0;
}

/* ---- compose: two consecutive deltas --------------------------------------- */

/*
 * Lists 0/1 are a's removed/added, 2/3 b's.  For a record r:
 * removed overall if a removed it and b did not add it back, or b removed
 * it and a had not added it; added overall if a added it and b did not
 * remove it, or b added it and a had not removed it.  Everything else
 * cancels.  Removing or adding one record twice in a row cannot happen
 * between real sets: RTRMOD_EINVAL.
 */
static int
compose_walk(const void *const lists[4], const size_t n[4], size_t size, rec_cmp *cmp,
	     rec_emit *emit, struct hfill *f)
{
	size_t i[4] = {0, 0, 0, 0};
	const char *min, *p;
	bool in[4];
	int k;

	for (;;) {
		min = NULL;
		for (k = 0; k < 4; k++) {
			p = (const char *)lists[k] + i[k] * size;
			if (i[k] < n[k] && (min == NULL || cmp(p, min) < 0))
				min = p;
		}
		if (min == NULL)
			return 0;
		for (k = 0; k < 4; k++)
			in[k] = i[k] < n[k] && cmp((const char *)lists[k] + i[k] * size, min) == 0;
		if ((in[0] && in[1]) || (in[2] && in[3]) || (in[0] && in[2]) || (in[1] && in[3]))
			return RTRMOD_EINVAL;
		if ((in[0] && !in[3]) || (in[2] && !in[1]))
			emit(f, HD_REMOVED, min);
		if ((in[1] && !in[2]) || (in[3] && !in[0]))
			emit(f, HD_ADDED, min);
		for (k = 0; k < 4; k++)
			i[k] += in[k];
	}
}

static int
compose_pass(const struct hdelta *a, const struct hdelta *b, struct hfill *f)
{
	const void *vl[4] = {a->vrps[0], a->vrps[1], b->vrps[0], b->vrps[1]};
	const size_t vn[4] = {a->nvrps[0], a->nvrps[1], b->nvrps[0], b->nvrps[1]};
	const void *kl[4] = {a->keys[0], a->keys[1], b->keys[0], b->keys[1]};
	const size_t kn[4] = {a->nkeys[0], a->nkeys[1], b->nkeys[0], b->nkeys[1]};
	const void *al[4] = {a->aspas[0], a->aspas[1], b->aspas[0], b->aspas[1]};
	const size_t an[4] = {a->naspas[0], a->naspas[1], b->naspas[0], b->naspas[1]};
	int rc;

	rc = compose_walk(vl, vn, sizeof(struct rtrmod_vrp), cmp_vrp, emit_vrp, f);
	if (rc == 0)
		rc = compose_walk(kl, kn, sizeof(struct rtrmod_router_key), cmp_key, emit_key, f);
	if (rc == 0)
		rc = compose_walk(al, an, sizeof(struct rtrmod_aspa), cmp_aspa, emit_aspa, f);
	return rc;
}

int
hdelta_compose(const struct hdelta *a, const struct hdelta *b, struct hdelta **out)
{
	struct hfill count = {0}, fill;
	int rc;

	*out = NULL;
	if ((rc = compose_pass(a, b, &count)) != 0)
		return rc;
	if ((rc = hdelta_alloc(a->ctx, &count, &fill)) != 0)
		return rc;
	rc = compose_pass(a, b, &fill);
	if (rc == 0 && !hfill_matches(&count, &fill))
		rc = RTRMOD_EINVAL;
	if (rc != 0) {
		hdelta_free(fill.d);
		return rc;
	}
	*out = fill.d;
	return 0;
}

/* ---- the history ring ------------------------------------------------------ */

static const struct hdelta empty_delta;

int
history_init(struct cache_history *h, struct rtrmod_ctx *ctx, unsigned cap)
{
	memset(h, 0, sizeof(*h));
	h->ctx = ctx;
	return history_set_cap(h, cap);
}

void
history_reset(struct cache_history *h, uint32_t serial)
{
	unsigned i;

	for (i = 0; i < h->count; i++)
		hdelta_free(h->ring[(h->head + i) % h->cap]);
	h->count = 0;
	h->head = 0;
	h->serial = serial;
}

void
history_fini(struct cache_history *h)
{
	history_reset(h, 0);
	ctx_free(h->ctx, h->ring);
	h->ring = NULL;
	h->cap = 0;
}

/* Keep the newest min(count, cap) deltas, oldest first from index 0. */
int
history_set_cap(struct cache_history *h, unsigned cap)
{
	struct hdelta **ring;

	if (cap == 0)
		return RTRMOD_EINVAL;
	ring = ctx_zalloc(h->ctx, cap * sizeof(*ring));
	if (ring == NULL)
		return RTRMOD_ENOMEM;
	history_set_cap_with(h, cap, ring);
	return 0;
}

void
history_set_cap_with(struct cache_history *h, unsigned cap, struct hdelta **ring)
{
	unsigned keep, drop, i;

	keep = h->count < cap ? h->count : cap;
	drop = h->count - keep;
	for (i = 0; i < drop; i++)
		hdelta_free(h->ring[(h->head + i) % h->cap]);
	for (i = 0; i < keep; i++)
		ring[i] = h->ring[(h->head + drop + i) % h->cap];
	ctx_free(h->ctx, h->ring);
	h->ring = ring;
	h->cap = cap;
	h->count = keep;
	h->head = 0;
}

void
history_push(struct cache_history *h, struct hdelta *d)
{
	if (h->count == h->cap) {
		hdelta_free(h->ring[h->head]);
		h->head = (h->head + 1) % h->cap;
		h->count--;
	}
	h->ring[(h->head + h->count) % h->cap] = d;
	h->count++;
	h->serial++; /* RFC 1982 §3.1: addition modulo 2^SERIAL_BITS */
}

/*
 * RFC 1982 §3.2: `from` is behind the current serial by (serial - from)
 * modulo 2^32; a distance past 2^31 would make `from` the greater one (a
 * serial we never issued).  Only distances up to `count` are kept.
 */
uint32_t
history_distance(const struct cache_history *h, uint32_t from)
{
	uint32_t dist = h->serial - from;

	return dist <= h->count ? dist : UINT32_MAX;
}

/* Compose from the newest step backwards: after step k, acc is the change
 * from serial - k to the current serial. */
int
history_delta(const struct cache_history *h, uint32_t from, const struct hdelta **out, bool *owned)
{
	uint32_t dist = history_distance(h, from), k;
	struct hdelta *acc = NULL, *next;
	const struct hdelta *step;
	int rc;

	*out = NULL;
	*owned = false;
	if (dist == UINT32_MAX)
		return RTRMOD_ENOENT;
	if (dist == 0) {
		*out = &empty_delta;
		return 0;
	}
	*out = h->ring[(h->head + h->count - 1) % h->cap];
	for (k = 2; k <= dist; k++) {
		step = h->ring[(h->head + h->count - k) % h->cap];
		rc = hdelta_compose(step, *out, &next);
		hdelta_free(acc);
		if (rc != 0) {
			*out = NULL;
			return rc;
		}
		*out = acc = next;
	}
	*owned = acc != NULL;
	return 0;
}

size_t
history_memory(const struct cache_history *h)
{
	size_t n = h->cap * sizeof(*h->ring);
	unsigned i;

	for (i = 0; i < h->count; i++)
		n += h->ring[(h->head + i) % h->cap]->memory;
	return n;
}
