/*
 * rtr_router.c: the model router of rtr_router.h.  Deliberately simple
 * (linear searches, unsorted arrays): it is the oracle the cache is checked
 * against, so it must be obviously right rather than fast.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtr_router.h"

static void
problem(struct rtr_router *r, const char *fmt, ...)
{
	va_list ap;

	if (r->problem[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(r->problem, sizeof(r->problem), fmt, ap);
	va_end(ap);
}

static void *
grow(void *arr, size_t *cap, size_t need, size_t size)
{
	void *p;

	if (need <= *cap)
		return arr;
	*cap = need * 2 + 16;
	p = realloc(arr, *cap * size);
	if (p == NULL)
		abort();
	return p;
}

void
rtr_router_init(struct rtr_router *r, uint8_t version)
{
	memset(r, 0, sizeof(*r));
	r->version = version;
}

void
rtr_router_clear(struct rtr_router *r)
{
	size_t i;

	for (i = 0; i < r->nkeys; i++)
		free((void *)(uintptr_t)r->keys[i].spki);
	for (i = 0; i < r->naspas; i++)
		free((void *)(uintptr_t)r->aspas[i].providers);
	r->nvrps = r->nkeys = r->naspas = r->npending = 0;
}

void
rtr_router_copy(struct rtr_router *dst, const struct rtr_router *src)
{
	size_t i;
	uint8_t *spki;
	uint32_t *prov;

	rtr_router_clear(dst);
	dst->version = src->version;
	dst->check_order = src->check_order;
	dst->vrps = grow(dst->vrps, &dst->capvrps, src->nvrps, sizeof(*dst->vrps));
	if (src->nvrps > 0)
		memcpy(dst->vrps, src->vrps, src->nvrps * sizeof(*dst->vrps));
	dst->nvrps = src->nvrps;
	dst->keys = grow(dst->keys, &dst->capkeys, src->nkeys, sizeof(*dst->keys));
	for (i = 0; i < src->nkeys; i++) {
		dst->keys[i] = src->keys[i];
		spki = malloc(src->keys[i].spki_len);
		memcpy(spki, src->keys[i].spki, src->keys[i].spki_len);
		dst->keys[i].spki = spki;
	}
	dst->nkeys = src->nkeys;
	dst->aspas = grow(dst->aspas, &dst->capaspas, src->naspas, sizeof(*dst->aspas));
	for (i = 0; i < src->naspas; i++) {
		dst->aspas[i] = src->aspas[i];
		prov = malloc(src->aspas[i].provider_count * sizeof(*prov) + 1);
		memcpy(prov, src->aspas[i].providers, src->aspas[i].provider_count * sizeof(*prov));
		dst->aspas[i].providers = prov;
	}
	dst->naspas = src->naspas;
}

void
rtr_router_fini(struct rtr_router *r)
{
	rtr_router_clear(r);
	free(r->vrps);
	free(r->keys);
	free(r->aspas);
	free(r->announced);
	free(r->withdrawn);
	free(r->pending_wd);
}

/* ---- order (8210bis §11) ----------------------------------------------------- */

static bool
strictly_covers(const struct rtrmod_prefix *outer, const struct rtrmod_prefix *inner)
{
	return outer->len < inner->len && rtrmod_prefix_covers(outer, inner);
}

static bool
same_prefix(const struct rtrmod_prefix *a, const struct rtrmod_prefix *b)
{
	return a->afi == b->afi && a->len == b->len && memcmp(a->addr, b->addr, 16) == 0;
}

static void
order_announce(struct rtr_router *r, const struct rtrmod_prefix *p)
{
	size_t i;

	if (r->saw_withdrawal)
		problem(r, "announcement after a withdrawal");
	if (!r->check_order)
		return;
	for (i = 0; i < r->nann; i++) {
		if (strictly_covers(&r->announced[i], p))
			problem(r, "less specific announced before a more specific it covers");
		if (same_prefix(&r->announced[i], p) && !same_prefix(&r->announced[r->nann - 1], p))
			problem(r, "announcements of one prefix not adjacent");
	}
	r->announced = grow(r->announced, &r->capann, r->nann + 1, sizeof(*p));
	r->announced[r->nann++] = *p;
}

static void
order_withdraw(struct rtr_router *r, const struct rtrmod_prefix *p)
{
	size_t i;

	r->saw_withdrawal = true;
	if (!r->check_order)
		return;
	for (i = 0; i < r->nwd; i++)
		if (strictly_covers(p, &r->withdrawn[i]))
			problem(r, "less specific withdrawn after a more specific it covers");
	r->withdrawn = grow(r->withdrawn, &r->capwd, r->nwd + 1, sizeof(*p));
	r->withdrawn[r->nwd++] = *p;
}

/* ---- records ---------------------------------------------------------------------- */

static void
apply_prefix(struct rtr_router *r, const struct rtrmod_pdu *pdu)
{
	const struct rtrmod_pdu_prefix *p = &pdu->u.prefix;
	struct rtrmod_vrp v;
	size_t i;

	memset(&v, 0, sizeof(v));
	v.prefix.afi = pdu->type == RTRMOD_PDU_IPV4_PREFIX ? RTRMOD_AFI_IPV4 : RTRMOD_AFI_IPV6;
	v.prefix.len = p->prefix_len;
	memcpy(v.prefix.addr, p->addr, v.prefix.afi == RTRMOD_AFI_IPV4 ? 4 : 16);
	v.max_len = p->max_len;
	v.asn = p->asn;
	if (r->bulk) {
		if (p->flags & RTRMOD_PDU_FLAG_ANNOUNCE) {
			order_announce(r, &v.prefix);
			r->vrps = grow(r->vrps, &r->capvrps, r->nvrps + 1, sizeof(v));
			r->vrps[r->nvrps++] = v;
		} else {
			order_withdraw(r, &v.prefix);
			r->pending_wd =
			    grow(r->pending_wd, &r->cappending, r->npending + 1, sizeof(v));
			r->pending_wd[r->npending++] = v;
		}
		return;
	}
	for (i = 0; i < r->nvrps && rtrmod_vrp_cmp(&r->vrps[i], &v) != 0; i++)
		;
	if (p->flags & RTRMOD_PDU_FLAG_ANNOUNCE) {
		order_announce(r, &v.prefix);
		if (i < r->nvrps) {
			problem(r, "duplicate VRP announcement");
			return;
		}
		r->vrps = grow(r->vrps, &r->capvrps, r->nvrps + 1, sizeof(v));
		r->vrps[r->nvrps++] = v;
		return;
	}
	order_withdraw(r, &v.prefix);
	if (i == r->nvrps) {
		problem(r, "withdrawal of an unknown VRP");
		return;
	}
	r->vrps[i] = r->vrps[--r->nvrps];
}

static void
apply_key(struct rtr_router *r, const struct rtrmod_pdu *pdu)
{
	const struct rtrmod_pdu_router_key *k = &pdu->u.router_key;
	struct rtrmod_router_key key;
	uint8_t *spki;
	size_t i;

	memset(&key, 0, sizeof(key));
	memcpy(key.ski, k->ski, sizeof(key.ski));
	key.asn = k->asn;
	key.spki = k->spki.ptr;
	key.spki_len = (uint32_t)k->spki.len;
	for (i = 0; i < r->nkeys && rtrmod_router_key_cmp(&r->keys[i], &key) != 0; i++)
		;
	if (k->flags & RTRMOD_PDU_FLAG_ANNOUNCE) {
		if (r->saw_withdrawal)
			problem(r, "announcement after a withdrawal");
		if (i < r->nkeys) {
			problem(r, "duplicate router key announcement");
			return;
		}
		spki = malloc(key.spki_len);
		memcpy(spki, key.spki, key.spki_len);
		key.spki = spki;
		r->keys = grow(r->keys, &r->capkeys, r->nkeys + 1, sizeof(key));
		r->keys[r->nkeys++] = key;
		return;
	}
	r->saw_withdrawal = true;
	if (i == r->nkeys) {
		problem(r, "withdrawal of an unknown router key");
		return;
	}
	free((void *)(uintptr_t)r->keys[i].spki);
	r->keys[i] = r->keys[--r->nkeys];
}

/* 8210bis §5.12: an announcement replaces the customer's record. */
static void
apply_aspa(struct rtr_router *r, const struct rtrmod_pdu *pdu)
{
	const struct rtrmod_pdu_aspa *a = &pdu->u.aspa;
	uint32_t *prov;
	size_t i, j;

	for (i = 0; i < r->naspas && r->aspas[i].customer_asn != a->customer_asn; i++)
		;
	if (a->flags & RTRMOD_PDU_FLAG_ANNOUNCE) {
		if (r->saw_withdrawal)
			problem(r, "announcement after a withdrawal");
		prov = malloc(a->provider_count * sizeof(*prov) + 1);
		for (j = 0; j < a->provider_count; j++)
			prov[j] = rtrmod_pdu_aspa_provider(a, j);
		if (i == r->naspas) {
			r->aspas = grow(r->aspas, &r->capaspas, r->naspas + 1, sizeof(*r->aspas));
			r->naspas++;
		} else {
			free((void *)(uintptr_t)r->aspas[i].providers);
		}
		r->aspas[i].customer_asn = a->customer_asn;
		r->aspas[i].provider_count = (uint32_t)a->provider_count;
		r->aspas[i].providers = prov;
		return;
	}
	r->saw_withdrawal = true;
	if (i == r->naspas) {
		problem(r, "withdrawal of an unknown ASPA customer");
		return;
	}
	free((void *)(uintptr_t)r->aspas[i].providers);
	r->aspas[i] = r->aspas[--r->naspas];
}

static void
apply_pdu(struct rtr_router *r, const struct rtrmod_pdu *pdu)
{
	struct rtrmod_pdu_error err;

	r->pdus++;
	if (pdu->type == RTRMOD_PDU_ERROR_REPORT) {
		r->error = true;
		r->error_code = pdu->u.error.code;
		r->error_version = pdu->version;
		return;
	}
	if (pdu->version != r->version)
		problem(r, "PDU of version %u in a v%u session", pdu->version, r->version);
	if (rtrmod_pdu_validate(pdu, RTRMOD_PDU_STRICT_RESERVED, &err) != 0)
		problem(r, "invalid %s: %s", rtrmod_pdu_type_name(pdu->type), err.reason);
	switch (pdu->type) {
	case RTRMOD_PDU_SERIAL_NOTIFY:
		r->notify = true;
		r->notify_serial = pdu->u.serial.serial;
		break;
	case RTRMOD_PDU_CACHE_RESPONSE:
		if (r->in_response)
			problem(r, "Cache Response inside a response");
		r->in_response = true;
		r->saw_withdrawal = false;
		r->nann = r->nwd = 0;
		r->session_id = pdu->u.cache_response.session_id;
		break;
	case RTRMOD_PDU_IPV4_PREFIX:
	case RTRMOD_PDU_IPV6_PREFIX:
	case RTRMOD_PDU_ROUTER_KEY:
	case RTRMOD_PDU_ASPA:
		if (!r->in_response)
			problem(r, "payload outside a response");
		if (pdu->type == RTRMOD_PDU_ROUTER_KEY) {
			r->key_pdus++;
			apply_key(r, pdu);
		} else if (pdu->type == RTRMOD_PDU_ASPA) {
			r->aspa_pdus++;
			apply_aspa(r, pdu);
		} else {
			r->prefix_pdus++;
			apply_prefix(r, pdu);
		}
		break;
	case RTRMOD_PDU_END_OF_DATA:
		if (!r->in_response || pdu->u.eod.session_id != r->session_id)
			problem(r, "End of Data out of place or for another session");
		r->in_response = false;
		r->eod = true;
		r->serial = pdu->u.eod.serial;
		break;
	case RTRMOD_PDU_CACHE_RESET:
		r->cache_reset = true;
		break;
	default:
		problem(r, "a cache sent %s", rtrmod_pdu_type_name(pdu->type));
	}
}

size_t
rtr_router_apply(struct rtr_router *r, const uint8_t *buf, size_t len)
{
	struct rtrmod_pdu_error err;
	struct rtrmod_pdu pdu;
	size_t off = 0, used;
	int rc;

	while (off < len) {
		rc = rtrmod_pdu_decode(buf + off, len - off, &pdu, &used, &err);
		if (rc == RTRMOD_ETRUNC)
			break;
		if (rc != 0) {
			problem(r, "undecodable PDU at %zu: %s", off, err.reason);
			return len;
		}
		apply_pdu(r, &pdu);
		off += used;
	}
	return off;
}

/* ---- comparison ----------------------------------------------------------------------- */

static int
vrp_qcmp(const void *a, const void *b)
{
	return rtrmod_vrp_cmp(a, b);
}

static int
key_qcmp(const void *a, const void *b)
{
	return rtrmod_router_key_cmp(a, b);
}

static int
aspa_qcmp(const void *a, const void *b)
{
	const struct rtrmod_aspa *x = a, *y = b;

	return x->customer_asn < y->customer_asn ? -1 : x->customer_asn > y->customer_asn;
}

/* Bulk mode: no VRP twice, every withdrawal of a VRP held, then apply. */
static void
settle_bulk(struct rtr_router *r)
{
	size_t i, j = 0, k = 0;

	if (r->nvrps > 0)
		qsort(r->vrps, r->nvrps, sizeof(*r->vrps), vrp_qcmp);
	if (r->npending > 0)
		qsort(r->pending_wd, r->npending, sizeof(*r->pending_wd), vrp_qcmp);
	for (i = 1; i < r->nvrps; i++)
		if (rtrmod_vrp_cmp(&r->vrps[i - 1], &r->vrps[i]) == 0)
			problem(r, "duplicate VRP announcement");
	for (i = 0; i < r->nvrps; i++) {
		while (k < r->npending && rtrmod_vrp_cmp(&r->pending_wd[k], &r->vrps[i]) < 0) {
			problem(r, "withdrawal of an unknown VRP");
			k++;
		}
		if (k < r->npending && rtrmod_vrp_cmp(&r->pending_wd[k], &r->vrps[i]) == 0) {
			k++;
			continue;
		}
		r->vrps[j++] = r->vrps[i];
	}
	if (k < r->npending)
		problem(r, "withdrawal of an unknown VRP");
	r->nvrps = j;
	r->npending = 0;
}

bool
rtr_router_matches(struct rtr_router *r, const struct rtrmod_set *set)
{
	const struct rtrmod_vrp *v;
	const struct rtrmod_router_key *k;
	const struct rtrmod_aspa *a;
	size_t nv, nk, na, i;

	v = rtrmod_set_vrps(set, &nv);
	k = rtrmod_set_router_keys(set, &nk);
	a = rtrmod_set_aspas(set, &na);
	if (r->version < 1)
		nk = 0;
	if (r->version < 2)
		na = 0;
	if (r->bulk)
		settle_bulk(r);
	if (r->nvrps > 0)
		qsort(r->vrps, r->nvrps, sizeof(*r->vrps), vrp_qcmp);
	if (r->nkeys > 0)
		qsort(r->keys, r->nkeys, sizeof(*r->keys), key_qcmp);
	if (r->naspas > 0)
		qsort(r->aspas, r->naspas, sizeof(*r->aspas), aspa_qcmp);
	if (r->nvrps != nv || r->nkeys != nk || r->naspas != na) {
		problem(r, "holds %zu/%zu/%zu records, the set %zu/%zu/%zu", r->nvrps, r->nkeys,
			r->naspas, nv, nk, na);
		return false;
	}
	for (i = 0; i < nv; i++)
		if (rtrmod_vrp_cmp(&r->vrps[i], &v[i]) != 0) {
			problem(r, "VRP %zu differs", i);
			return false;
		}
	for (i = 0; i < nk; i++)
		if (rtrmod_router_key_cmp(&r->keys[i], &k[i]) != 0) {
			problem(r, "router key %zu differs", i);
			return false;
		}
	for (i = 0; i < na; i++)
		if (r->aspas[i].customer_asn != a[i].customer_asn ||
		    r->aspas[i].provider_count != a[i].provider_count ||
		    memcmp(r->aspas[i].providers, a[i].providers, a[i].provider_count * 4) != 0) {
			problem(r, "ASPA %zu differs", i);
			return false;
		}
	return true;
}

size_t
rtr_query_reset(uint8_t *buf, uint8_t version)
{
	memset(buf, 0, 8);
	buf[0] = version;
	buf[1] = RTRMOD_PDU_RESET_QUERY;
	buf[7] = 8;
	return 8;
}

size_t
rtr_query_serial(uint8_t *buf, uint8_t version, uint16_t session_id, uint32_t serial)
{
	buf[0] = version;
	buf[1] = RTRMOD_PDU_SERIAL_QUERY;
	buf[2] = (uint8_t)(session_id >> 8);
	buf[3] = (uint8_t)session_id;
	buf[4] = buf[5] = buf[6] = 0;
	buf[7] = 12;
	buf[8] = (uint8_t)(serial >> 24);
	buf[9] = (uint8_t)(serial >> 16);
	buf[10] = (uint8_t)(serial >> 8);
	buf[11] = (uint8_t)serial;
	return 12;
}
