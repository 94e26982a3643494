/*
 * rov_update.c: building the ROV index from a set and applying deltas to
 * it while keeping the invariants listed in rov.c.  A delta (or, to build,
 * a whole set) is planned before anything changes.  Every tier it touches
 * gets a new array, sized by a dry run of the same merge that later fills
 * it; the dry run also finds a withdrawal of an absent VRP (ENOENT) and an
 * announcement of a present one (EEXIST).  Only when every allocation has
 * succeeded are the arrays filled, linked and swapped in, and nothing
 * after that point can fail.  The cost is linear in the size of the tiers
 * touched, never in the size of the index.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rtrmod/records.h>

#include "rov_internal.h"
#include "rtrmod_internal.h"

/* A VRP in the index's terms; the order of rec_cmp is the canonical one. */
struct rov_rec {
	struct rov_key key;
	uint32_t asn;
	uint8_t len;
	uint8_t max_len;
};

/* ---- records ---------------------------------------------------------- */

static struct rov_rec
ent_rec(const struct rov_ent *e, bool v6)
{
	struct rov_rec r = {ent_key(e, v6), e->asn, e->len, e->max_len};

	return r;
}

static void
ent_put(struct rov_ent *e, bool v6, const struct rov_rec *r)
{
	e->asn = r->asn;
	e->up = ROV_NONE;
	e->len = r->len;
	e->max_len = r->max_len;
	e->first = 0;
	e->pad = 0;
	e->addr[0] = (uint32_t)(r->key.hi >> 32);
	if (v6) {
		e->addr[1] = (uint32_t)r->key.hi;
		e->addr[2] = (uint32_t)(r->key.lo >> 32);
		e->addr[3] = (uint32_t)r->key.lo;
	}
}

static int
rec_cmp(const struct rov_rec *a, const struct rov_rec *b)
{
	if (a->key.hi != b->key.hi)
		return a->key.hi < b->key.hi ? -1 : 1;
	if (a->key.lo != b->key.lo)
		return a->key.lo < b->key.lo ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if (a->max_len != b->max_len)
		return a->max_len < b->max_len ? -1 : 1;
	if (a->asn != b->asn)
		return a->asn < b->asn ? -1 : 1;
	return 0;
}

/* A VRP as a record, or false if it is malformed: RFC 6811 §2 wants prefix
 * length <= max length <= address length; no host bits may be set, and an
 * IPv4 prefix keeps bytes 4-15 zero. */
static bool
rec_from_vrp(const struct rtrmod_vrp *v, bool *v6, struct rov_rec *r)
{
	struct rov_key m;
	unsigned int i;

	if (v->prefix.afi != RTRMOD_AFI_IPV4 && v->prefix.afi != RTRMOD_AFI_IPV6)
		return false;
	*v6 = v->prefix.afi == RTRMOD_AFI_IPV6;
	if (v->prefix.len > v->max_len || v->max_len > fam_bits(*v6))
		return false;
	for (i = *v6 ? 16 : 4; i < 16; i++) {
		if (v->prefix.addr[i] != 0)
			return false;
	}
	r->key = key_from_bytes(v->prefix.addr, *v6);
	r->asn = v->asn;
	r->len = v->prefix.len;
	r->max_len = v->max_len;
	m = key_mask(r->len);
	return (r->key.hi & ~m.hi) == 0 && (r->key.lo & ~m.lo) == 0;
}

/* ---- linking a tier ----------------------------------------------------- */

/* Set `first` and `up` (invariants 1 and 2) in one pass with a stack of the
 * groups enclosing the current one. */
static void
tier_link(struct rov_tier *t, bool v6)
{
	uint32_t stack[ROV_CHAIN_MAX], i = 0, j, x, up;
	unsigned int depth = 0;

	while (i < t->count) {
		const struct rov_ent *g = ent_at(t, v6, i);
		struct rov_key gk = ent_key(g, v6);

		for (j = i + 1; j < t->count; j++) {
			const struct rov_ent *e = ent_at(t, v6, j);
			struct rov_key ek = ent_key(e, v6);

			if (e->len != g->len || ek.hi != gk.hi || ek.lo != gk.lo)
				break;
		}
		while (depth > 0 && !ent_covers(ent_at(t, v6, stack[depth - 1]), v6, gk, g->len))
			depth--;
		up = depth > 0 ? stack[depth - 1] : ROV_NONE;
		for (x = i; x < j; x++) {
			ent_mut(t, v6, x)->up = up;
			ent_mut(t, v6, x)->first = x == i;
		}
		/* Strictly nested prefixes have strictly growing lengths, so
		 * the stack never holds more than 129. */
		if (depth < ROV_CHAIN_MAX)
			stack[depth++] = j - 1;
		i = j;
	}
}

/* ---- the IPv6 hash ------------------------------------------------------ */

static struct rov_slot *
hash_slot(struct rov_family *f, uint32_t key)
{
	uint32_t i;

	for (i = hash_home(key, f->hash_size); f->slots[i].t != NULL;
	     i = (i + 1) & (f->hash_size - 1)) {
		if (f->slots[i].key == key)
			break;
	}
	return &f->slots[i];
}

/* Room for `more` new buckets at most half full, or RTRMOD_ENOMEM with the
 * table unchanged. */
static int
hash_reserve(struct rtrmod_rov_index *idx, struct rov_family *f, size_t more)
{
	struct rov_family grown = {NULL, NULL, 0, f->hash_used};
	size_t need = (size_t)f->hash_used + more, size = ROV_HASH_MIN;
	uint32_t i;

	if (need * 2 <= f->hash_size)
		return 0;
	while (size < need * 2) {
		if (size > UINT32_MAX / 4)
			return RTRMOD_ENOMEM;
		size *= 2;
	}
	grown.slots = ctx_zalloc(idx->ctx, size * sizeof(*grown.slots));
	if (grown.slots == NULL)
		return RTRMOD_ENOMEM;
	grown.hash_size = (uint32_t)size;
	for (i = 0; i < f->hash_size; i++) {
		if (f->slots[i].t != NULL)
			*hash_slot(&grown, f->slots[i].key) = f->slots[i];
	}
	ctx_free(idx->ctx, f->slots);
	f->slots = grown.slots;
	f->hash_size = grown.hash_size;
	return 0;
}

/* Remove the slot of `key` (present), shifting later ones of the same
 * probe run back so that no search stops early. */
static void
hash_del(struct rov_family *f, uint32_t key)
{
	uint32_t mask = f->hash_size - 1, i, j, h;

	i = (uint32_t)(hash_slot(f, key) - f->slots);
	f->slots[i].t = NULL;
	for (j = (i + 1) & mask; f->slots[j].t != NULL; j = (j + 1) & mask) {
		h = hash_home(f->slots[j].key, f->hash_size);
		/* Leave j if its home is cyclically in (i, j]. */
		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		f->slots[i] = f->slots[j];
		f->slots[j].t = NULL;
		i = j;
	}
	f->hash_used--;
}

/* ---- outer links (invariant 4) ------------------------------------------ */

static void
outer_refresh(struct rov_family *f, bool v6)
{
	const struct rov_tier *t = f->shorts;
	uint32_t n = t != NULL ? t->count : 0, q = 0, s, i;
	struct rov_key k = {0, 0};

	if (v6) {
		for (s = 0; s < f->hash_size; s++) {
			if (f->slots[s].t == NULL)
				continue;
			k.hi = (uint64_t)f->slots[s].key << 32;
			f->slots[s].outer = tier_find(t, true, k, 32);
		}
		return;
	}
	if (f->slots == NULL)
		return;
	/* Slots in address order: the predecessor only moves forward. */
	for (s = 0; s < ROV_DIR4; s++) {
		k.hi = (uint64_t)s << 48;
		while (q < n && ent_le(ent_at(t, false, q), false, k, 16))
			q++;
		i = q - 1;
		while (i != ROV_NONE && !ent_covers(ent_at(t, false, i), false, k, 16))
			i = ent_at(t, false, i)->up;
		f->slots[s].outer = i;
	}
}

/* ---- planned updates ---------------------------------------------------- */

/* A list's VRPs of one family; `below` keeps only those shorter than it. */
struct rov_it {
	const struct rtrmod_vrp *v;
	size_t i, end;
	unsigned int below;
};

static bool
it_next(struct rov_it *it, struct rov_rec *r)
{
	bool v6;

	while (it->i < it->end) {
		const struct rtrmod_vrp *v = &it->v[it->i++];

		if (v->prefix.len < it->below) {
			(void)rec_from_vrp(v, &v6, r); /* checked in list_split() */
			return true;
		}
	}
	return false;
}

/*
 * Merge `old` minus the withdrawals plus the announcements into `out`, or
 * with `out` NULL only count.  The new count, or RTRMOD_ENOENT for a
 * withdrawal that is not in `old`, RTRMOD_EEXIST for an announcement
 * that is (and is not withdrawn).
 */
static int64_t
tier_merge(const struct rov_tier *old, bool v6, struct rov_it w, struct rov_it a,
	   struct rov_tier *out)
{
	uint32_t o = 0, n = old != NULL ? old->count : 0;
	uint64_t m = 0;
	struct rov_rec ro, rw, ra;
	bool hw = it_next(&w, &rw), ha = it_next(&a, &ra);
	int c = 1;

	while (o < n || ha) {
		if (o < n) {
			ro = ent_rec(ent_at(old, v6, o), v6);
			if (hw && (c = rec_cmp(&rw, &ro)) <= 0) {
				if (c < 0)
					return RTRMOD_ENOENT;
				o++;
				hw = it_next(&w, &rw);
				continue;
			}
			if (!ha || (c = rec_cmp(&ra, &ro)) > 0) {
				if (out != NULL)
					memcpy(ent_mut(out, v6, (uint32_t)m), ent_at(old, v6, o),
					       ROV_WORDS(v6) * sizeof(uint32_t));
				m++;
				o++;
				continue;
			}
			if (c == 0)
				return RTRMOD_EEXIST;
		}
		if (out != NULL)
			ent_put(ent_mut(out, v6, (uint32_t)m), v6, &ra);
		m++;
		ha = it_next(&a, &ra);
	}
	if (hw)
		return RTRMOD_ENOENT;
	/* Indices must stay below ROV_NONE. */
	if (m >= ROV_NONE)
		return RTRMOD_ERANGE;
	return (int64_t)m;
}

/* The VRPs of each family of a list: one run each, strictly ascending. */
struct rov_range {
	size_t start[2], end[2];
};

static int
list_split(const struct rtrmod_vrp *v, size_t n, struct rov_range *r)
{
	struct rov_rec prev = {{0, 0}, 0, 0, 0}, cur;
	bool v6 = false, prev6 = false, seen[2] = {false, false};
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < n; i++) {
		if (!rec_from_vrp(&v[i], &v6, &cur))
			return RTRMOD_EINVAL;
		if (i == 0 || v6 != prev6) {
			if (seen[v6])
				return RTRMOD_EINVAL;
			seen[v6] = true;
			r->start[v6] = i;
		} else if (rec_cmp(&prev, &cur) >= 0) {
			return RTRMOD_EINVAL;
		}
		r->end[v6] = i + 1;
		prev = cur;
		prev6 = v6;
	}
	return 0;
}

/* One tier to rewrite: the short tier of a family or the bucket `key`. */
struct rov_job {
	bool v6, shorts;
	uint32_t key;
	size_t w0, w1, a0, a1; /* the VRPs of each list for it (shorts: filtered) */
	struct rov_tier *old, *new;
	uint32_t count;
};

struct rov_plan {
	const struct rtrmod_vrp *w, *a;
	struct rov_job *jobs;
	size_t n, cap;
};

static int
plan_add(struct rtrmod_rov_index *idx, struct rov_plan *p, const struct rov_job *job)
{
	struct rov_job *jobs;
	size_t cap;

	if (p->n == p->cap) {
		cap = p->cap != 0 ? p->cap * 2 : 64;
		if (cap > SIZE_MAX / sizeof(*jobs))
			return RTRMOD_ENOMEM;
		jobs = ctx_realloc(idx->ctx, p->jobs, cap * sizeof(*jobs));
		if (jobs == NULL)
			return RTRMOD_ENOMEM;
		p->jobs = jobs;
		p->cap = cap;
	}
	p->jobs[p->n++] = *job;
	return 0;
}

static void
job_its(const struct rov_plan *p, const struct rov_job *job, struct rov_it *w, struct rov_it *a)
{
	unsigned int below = job->shorts ? fam_split(job->v6) : 256;

	*w = (struct rov_it){p->w, job->w0, job->w1, below};
	*a = (struct rov_it){p->a, job->a0, job->a1, below};
}

static uint32_t
vrp_bucket(const struct rtrmod_vrp *v, bool v6)
{
	return key_bucket(key_from_bytes(v->prefix.addr, v6), v6);
}

/*
 * The jobs of one family: the short tier if any VRP is short, then one per
 * bucket in ascending order.  A bucket's VRPs are adjacent in a sorted list
 * (a short VRP in its range has its base address, so sorts before them).
 */
static int
plan_family(struct rtrmod_rov_index *idx, struct rov_plan *p, bool v6, size_t w0, size_t w1,
	    size_t a0, size_t a1)
{
	unsigned int split = fam_split(v6);
	struct rov_job job = {v6, true, 0, w0, w1, a0, a1, NULL, NULL, 0};
	size_t i, j;
	uint64_t key, prev = 0;
	bool any_short = false, have_prev = false;
	int rc;

	for (i = w0; i < w1 && !any_short; i++)
		any_short = p->w[i].prefix.len < split;
	for (j = a0; j < a1 && !any_short; j++)
		any_short = p->a[j].prefix.len < split;
	if (any_short && (rc = plan_add(idx, p, &job)) != 0)
		return rc;
	i = w0;
	j = a0;
	job.shorts = false;
	for (;;) {
		while (i < w1 && p->w[i].prefix.len < split)
			i++;
		while (j < a1 && p->a[j].prefix.len < split)
			j++;
		if (i == w1 && j == a1)
			return 0;
		key = i < w1 ? vrp_bucket(&p->w[i], v6) : UINT64_MAX;
		if (j < a1 && vrp_bucket(&p->a[j], v6) < key)
			key = vrp_bucket(&p->a[j], v6);
		/* Cannot happen with sorted lists; refuse rather than plan
		 * one bucket twice. */
		if (have_prev && key <= prev)
			return RTRMOD_EINVAL;
		job.key = (uint32_t)key;
		job.w0 = i;
		job.a0 = j;
		while (i < w1 && p->w[i].prefix.len >= split && vrp_bucket(&p->w[i], v6) == key)
			i++;
		while (j < a1 && p->a[j].prefix.len >= split && vrp_bucket(&p->a[j], v6) == key)
			j++;
		job.w1 = i;
		job.a1 = j;
		if ((rc = plan_add(idx, p, &job)) != 0)
			return rc;
		prev = key;
		have_prev = true;
	}
}

static struct rov_tier *
job_old(struct rtrmod_rov_index *idx, const struct rov_job *job)
{
	struct rov_family *f = &idx->fam[job->v6];

	if (job->shorts)
		return f->shorts;
	if (f->slots == NULL)
		return NULL;
	if (!job->v6)
		return f->slots[job->key].t;
	return hash_slot(f, job->key)->t;
}

/* The IPv4 direct table, all slots empty with no outer group. */
static int
dir4_ensure(struct rtrmod_rov_index *idx)
{
	struct rov_family *f = &idx->fam[0];
	uint32_t s;

	if (f->slots != NULL)
		return 0;
	f->slots = ctx_zalloc(idx->ctx, ROV_DIR4 * sizeof(*f->slots));
	if (f->slots == NULL)
		return RTRMOD_ENOMEM;
	for (s = 0; s < ROV_DIR4; s++) {
		f->slots[s].key = s;
		f->slots[s].outer = ROV_NONE;
	}
	return 0;
}

/* Size every job and allocate its new tier; nothing visible changes. */
static int
plan_prepare(struct rtrmod_rov_index *idx, struct rov_plan *p)
{
	struct rov_it w, a;
	size_t k, new6 = 0, bytes;
	bool v4 = false;
	int64_t m;
	int rc;

	for (k = 0; k < p->n; k++) {
		struct rov_job *job = &p->jobs[k];

		job->old = job_old(idx, job);
		job_its(p, job, &w, &a);
		m = tier_merge(job->old, job->v6, w, a, NULL);
		if (m < 0)
			return (int)m;
		job->count = (uint32_t)m;
		v4 |= !job->v6;
		if (m == 0)
			continue;
		bytes = ROV_WORDS(job->v6) * sizeof(uint32_t);
		if ((uint64_t)m > (SIZE_MAX - sizeof(struct rov_tier)) / bytes)
			return RTRMOD_ENOMEM;
		job->new = ctx_alloc(idx->ctx, sizeof(struct rov_tier) + (size_t)m * bytes);
		if (job->new == NULL)
			return RTRMOD_ENOMEM;
		if (job->v6 && !job->shorts && job->old == NULL)
			new6++;
	}
	if (v4 && (rc = dir4_ensure(idx)) != 0)
		return rc;
	return new6 > 0 ? hash_reserve(idx, &idx->fam[1], new6) : 0;
}

/* Fill, link and swap in every new tier, then mend the outer links. */
static void
plan_commit(struct rtrmod_rov_index *idx, struct rov_plan *p)
{
	struct rov_it w, a;
	struct rov_slot *slot;
	bool shorts_changed[2] = {false, false};
	size_t k;

	for (k = 0; k < p->n; k++) {
		struct rov_job *job = &p->jobs[k];
		struct rov_family *f = &idx->fam[job->v6];

		if (job->new != NULL) {
			job_its(p, job, &w, &a);
			(void)tier_merge(job->old, job->v6, w, a, job->new);
			job->new->count = job->count;
			tier_link(job->new, job->v6);
		}
		idx->vrp_count -= job->old != NULL ? job->old->count : 0;
		idx->vrp_count += job->count;
		if (job->shorts) {
			f->shorts = job->new;
			shorts_changed[job->v6] = true;
		} else if (!job->v6) {
			f->slots[job->key].t = job->new;
		} else if (job->new == NULL) {
			if (job->old != NULL) /* always: the dry run saw to it */
				hash_del(f, job->key);
		} else {
			slot = hash_slot(f, job->key);
			if (slot->t == NULL)
				f->hash_used++;
			slot->t = job->new;
			slot->key = job->key;
		}
		ctx_free(idx->ctx, job->old);
		job->old = job->new = NULL;
	}
	if (shorts_changed[0])
		outer_refresh(&idx->fam[0], false);
	if (shorts_changed[1]) {
		outer_refresh(&idx->fam[1], true);
		return;
	}
	for (k = 0; k < p->n; k++) {
		struct rov_job *job = &p->jobs[k];
		struct rov_key bk = {(uint64_t)job->key << 32, 0};

		if (!job->v6 || job->shorts || job->count == 0)
			continue;
		slot = hash_slot(&idx->fam[1], job->key);
		slot->outer = tier_find(idx->fam[1].shorts, true, bk, 32);
	}
}

/* Withdraw `w` and announce `a` (each sorted), all or nothing. */
int
rov_apply(struct rtrmod_rov_index *idx, const struct rtrmod_vrp *w, size_t nw,
	  const struct rtrmod_vrp *a, size_t na)
{
	struct rov_plan plan = {w, a, NULL, 0, 0};
	struct rov_range wr, ar;
	size_t k;
	int rc, f;

	if ((rc = list_split(w, nw, &wr)) != 0 || (rc = list_split(a, na, &ar)) != 0)
		return rc;
	for (f = 0; f < 2; f++) {
		rc =
		    plan_family(idx, &plan, f == 1, wr.start[f], wr.end[f], ar.start[f], ar.end[f]);
		if (rc != 0)
			goto fail;
	}
	if ((rc = plan_prepare(idx, &plan)) != 0)
		goto fail;
	plan_commit(idx, &plan);
	ctx_free(idx->ctx, plan.jobs);
	return 0;
fail:
	for (k = 0; k < plan.n; k++)
		ctx_free(idx->ctx, plan.jobs[k].new);
	ctx_free(idx->ctx, plan.jobs);
	return rc;
}
