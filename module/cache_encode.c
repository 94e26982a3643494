/*
 * cache_encode.c: a cache's responses, encoded once per serial and protocol
 * version into immutable, reference-counted buffers that every session
 * writes from (DESIGN.md, rule 5): a thousand routers resyncing share one
 * copy.  A full response is Cache Response, the set, End of Data; a delta
 * response the same around the change; both are built lazily on first
 * demand and dropped (each buffer lives on while a session still sends it)
 * when the serial or the timers change.
 *
 * Order of PDUs (draft-ietf-sidrops-8210bis §11, "Races, Ordering, and
 * Transactions"): a router applies PDUs as they come, so a less specific
 * VRP seen without the more specifics under it can make routes Invalid for
 * a moment.  Hence: every announcement before any withdrawal (make before
 * break: the router's state only grows, then only shrinks, so what is Valid
 * under the old or the new set stays Valid throughout); announcements most
 * specific first (a covering prefix arrives after what it covers);
 * withdrawals least specific first (a covering prefix leaves before what it
 * covers); VRPs of one prefix adjacent.  Within a prefix length the order is
 * canonical.  Kinds go IPv4, IPv6, Router Key, ASPA; a v0 router never gets
 * Router Keys, a v1 router never ASPA (RFC 8210 §7; 8210bis §7).
 */
#include "config.h"

#include <string.h>

#include "cache_internal.h"
#include "records_internal.h"
#include "rtrmod_internal.h"

/* RFC 8210 §5: fixed PDU lengths. */
#define LEN_HEADER   8u
#define LEN_V4       20u
#define LEN_V6       32u
#define LEN_KEY_BASE 32u /* header, SKI, AS; then the SPKI */
#define LEN_ASPA     12u /* header, customer; then 4 per provider */
/* The most of an erroneous PDU an Error Report carries back (8210bis §5.8
 * allows cutting it, keeping at least the header). */
#define ERROR_PDU_MAX 256u

/* ---- shared buffers --------------------------------------------------------- */

int
cbuf_new(struct rtrmod_ctx *ctx, size_t len, struct cbuf **out)
{
	struct cbuf *b;

	*out = NULL;
	if (len > SIZE_MAX - sizeof(*b))
		return RTRMOD_ENOMEM;
	b = ctx_alloc(ctx, sizeof(*b) + len);
	if (b == NULL)
		return RTRMOD_ENOMEM;
	b->ctx = ctx;
	b->refs = 1;
	b->len = len;
	*out = b;
	return 0;
}

struct cbuf *
cbuf_ref(struct cbuf *b)
{
	b->refs++;
	return b;
}

void
cbuf_unref(struct cbuf *b)
{
	if (b != NULL && --b->refs == 0)
		ctx_free(b->ctx, b);
}

/* ---- the encoder ------------------------------------------------------------ */

struct enc {
	uint8_t *buf;
	size_t cap, off;
	uint8_t version;
	int rc;
};

/* Encode `pdu` at byte `at`; the first failure sticks. */
static size_t
enc_at(struct enc *e, size_t at, struct rtrmod_pdu *pdu)
{
	size_t w = 0;
	int rc;

	if (e->rc != 0)
		return 0;
	pdu->version = e->version;
	rc = at <= e->cap ? rtrmod_pdu_encode(pdu, e->buf + at, e->cap - at, &w) : RTRMOD_ENOSPC;
	if (rc != 0)
		e->rc = rc;
	return w;
}

static void
enc_put(struct enc *e, struct rtrmod_pdu *pdu)
{
	e->off += enc_at(e, e->off, pdu);
}

static size_t
eod_len(uint8_t version)
{
	return version == 0 ? 12 : 24; /* RFC 6810 §5.8; RFC 8210 §5.8 */
}

static int
afi_ix(const struct rtrmod_vrp *v)
{
	return v->prefix.afi == RTRMOD_AFI_IPV6;
}

static size_t
vrps_size(const struct rtrmod_vrp *v, size_t n)
{
	size_t size = 0, i;

	for (i = 0; i < n; i++)
		size += afi_ix(&v[i]) ? LEN_V6 : LEN_V4;
	return size;
}

/*
 * Write the VRPs in the order the file comment gives, straight into their
 * places: one pass counts each (family, prefix length) bucket, bucket
 * offsets follow from the counts, a second pass drops each PDU into its
 * bucket.  O(n) and no sort; within a bucket the input's canonical order
 * (by address) stays, so one prefix's VRPs are adjacent.
 */
static void
enc_vrps(struct enc *e, const struct rtrmod_vrp *v, size_t n, bool announce)
{
	static const unsigned bits[2] = {32, 128}, pdu_len[2] = {LEN_V4, LEN_V6};
	size_t cnt[2][129], pos[2][129], i;
	struct rtrmod_pdu pdu;
	unsigned ix, k, len;

	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < n; i++)
		cnt[afi_ix(&v[i])][v[i].prefix.len]++;
	for (ix = 0; ix < 2; ix++) {
		for (k = 0; k <= bits[ix]; k++) {
			len = announce ? bits[ix] - k : k;
			pos[ix][len] = e->off;
			e->off += cnt[ix][len] * pdu_len[ix];
		}
	}
	memset(&pdu, 0, sizeof(pdu));
	pdu.u.prefix.flags = announce ? RTRMOD_PDU_FLAG_ANNOUNCE : 0;
	for (i = 0; i < n && e->rc == 0; i++) {
		ix = (unsigned)afi_ix(&v[i]);
		pdu.type = ix ? RTRMOD_PDU_IPV6_PREFIX : RTRMOD_PDU_IPV4_PREFIX;
		pdu.u.prefix.prefix_len = v[i].prefix.len;
		pdu.u.prefix.max_len = v[i].max_len;
		pdu.u.prefix.asn = v[i].asn;
		memcpy(pdu.u.prefix.addr, v[i].prefix.addr, sizeof(pdu.u.prefix.addr));
		pos[ix][v[i].prefix.len] += enc_at(e, pos[ix][v[i].prefix.len], &pdu);
	}
}

static size_t
keys_size(const struct rtrmod_router_key *k, size_t n)
{
	size_t size = 0, i;

	for (i = 0; i < n; i++)
		size += LEN_KEY_BASE + k[i].spki_len;
	return size;
}

static void
enc_keys(struct enc *e, const struct rtrmod_router_key *k, size_t n, bool announce)
{
	struct rtrmod_pdu pdu;
	size_t i;

	memset(&pdu, 0, sizeof(pdu));
	pdu.type = RTRMOD_PDU_ROUTER_KEY;
	pdu.u.router_key.flags = announce ? RTRMOD_PDU_FLAG_ANNOUNCE : 0;
	for (i = 0; i < n && e->rc == 0; i++) {
		memcpy(pdu.u.router_key.ski, k[i].ski, sizeof(k[i].ski));
		pdu.u.router_key.asn = k[i].asn;
		pdu.u.router_key.spki.ptr = k[i].spki;
		pdu.u.router_key.spki.len = k[i].spki_len;
		enc_put(e, &pdu);
	}
}

static size_t
aspas_size(const struct rtrmod_aspa *a, size_t n)
{
	size_t size = 0, i;

	for (i = 0; i < n; i++)
		size += LEN_ASPA + 4 * (size_t)a[i].provider_count;
	return size;
}

static void
enc_aspa(struct enc *e, const struct rtrmod_aspa *a, bool announce)
{
	struct rtrmod_pdu pdu;

	memset(&pdu, 0, sizeof(pdu));
	pdu.type = RTRMOD_PDU_ASPA;
	pdu.u.aspa.flags = announce ? RTRMOD_PDU_FLAG_ANNOUNCE : 0;
	pdu.u.aspa.customer_asn = a->customer_asn;
	pdu.u.aspa.provider_count = announce ? a->provider_count : 0;
	pdu.u.aspa.providers = announce ? a->providers : NULL;
	enc_put(e, &pdu);
}

/*
 * 8210bis §5.12: an ASPA announcement replaces the customer's record, a
 * withdrawal removes it.  The history keeps whole tuples, so a customer
 * whose providers changed is both removed (old tuple) and added (new one):
 * it is sent as the announcement alone, and a withdrawal only for customers
 * with no new tuple.  Both lists are in customer order.  Returns how many
 * withdrawals there are; writes them when e is not NULL.
 */
static size_t
enc_aspa_withdrawals(struct enc *e, const struct hdelta *d)
{
	const struct rtrmod_aspa *rm = d->aspas[HD_REMOVED], *add = d->aspas[HD_ADDED];
	size_t i, j = 0, n = 0;

	for (i = 0; i < d->naspas[HD_REMOVED]; i++) {
		while (j < d->naspas[HD_ADDED] && add[j].customer_asn < rm[i].customer_asn)
			j++;
		if (j < d->naspas[HD_ADDED] && add[j].customer_asn == rm[i].customer_asn)
			continue;
		if (e != NULL)
			enc_aspa(e, &rm[i], false);
		n++;
	}
	return n;
}

static void
enc_cache_response(struct enc *e, const struct rtrmod_cache *c)
{
	struct rtrmod_pdu pdu;

	memset(&pdu, 0, sizeof(pdu));
	pdu.type = RTRMOD_PDU_CACHE_RESPONSE;
	pdu.u.cache_response.session_id = c->session_id[e->version];
	enc_put(e, &pdu);
}

static void
enc_end_of_data(struct enc *e, const struct rtrmod_cache *c)
{
	struct rtrmod_pdu pdu;

	memset(&pdu, 0, sizeof(pdu));
	pdu.type = RTRMOD_PDU_END_OF_DATA;
	pdu.u.eod.session_id = c->session_id[e->version];
	pdu.u.eod.serial = c->hist.serial;
	pdu.u.eod.refresh = c->refresh;
	pdu.u.eod.retry = c->retry;
	pdu.u.eod.expire = c->expire;
	enc_put(e, &pdu);
}

/* Check the encoder filled exactly the buffer it sized. */
static int
enc_finish(struct enc *e, struct cbuf *b, struct cbuf **out)
{
	if (e->rc == 0 && e->off != b->len)
		e->rc = RTRMOD_EINVAL; /* sizing and writing disagree: a bug */
	if (e->rc != 0) {
		cbuf_unref(b);
		return e->rc;
	}
	*out = b;
	return 0;
}

static int
encode_full(struct rtrmod_cache *c, uint8_t v, struct cbuf **out)
{
	const struct rtrmod_set *s = c->set;
	struct enc e = {0};
	struct cbuf *b;
	size_t size;
	int rc;

	size = LEN_HEADER + eod_len(v) + vrps_size(s->vrps, s->vrp_count);
	if (v >= 1)
		size += keys_size(s->keys, s->key_count);
	if (v >= 2)
		size += aspas_size(s->aspas, s->aspa_count);
	if ((rc = cbuf_new(c->ctx, size, &b)) != 0)
		return rc;
	e.buf = b->data;
	e.cap = size;
	e.version = v;
	enc_cache_response(&e, c);
	enc_vrps(&e, s->vrps, s->vrp_count, true);
	if (v >= 1)
		enc_keys(&e, s->keys, s->key_count, true);
	for (size_t i = 0; v >= 2 && i < s->aspa_count; i++)
		enc_aspa(&e, &s->aspas[i], true);
	enc_end_of_data(&e, c);
	return enc_finish(&e, b, out);
}

static int
encode_delta(struct rtrmod_cache *c, uint8_t v, const struct hdelta *d, struct cbuf **out)
{
	struct enc e = {0};
	struct cbuf *b;
	size_t size, i;
	int rc, side;

	size = LEN_HEADER + eod_len(v);
	for (side = 0; side < 2; side++) {
		size += vrps_size(d->vrps[side], d->nvrps[side]);
		if (v >= 1)
			size += keys_size(d->keys[side], d->nkeys[side]);
	}
	if (v >= 2)
		size += aspas_size(d->aspas[HD_ADDED], d->naspas[HD_ADDED]) +
			LEN_ASPA * enc_aspa_withdrawals(NULL, d);
	if ((rc = cbuf_new(c->ctx, size, &b)) != 0)
		return rc;
	e.buf = b->data;
	e.cap = size;
	e.version = v;
	enc_cache_response(&e, c);
	for (side = HD_ADDED; side >= HD_REMOVED; side--) {
		enc_vrps(&e, d->vrps[side], d->nvrps[side], side == HD_ADDED);
		if (v >= 1)
			enc_keys(&e, d->keys[side], d->nkeys[side], side == HD_ADDED);
		for (i = 0; v >= 2 && side == HD_ADDED && i < d->naspas[HD_ADDED]; i++)
			enc_aspa(&e, &d->aspas[HD_ADDED][i], true);
		if (v >= 2 && side == HD_REMOVED)
			enc_aspa_withdrawals(&e, d);
	}
	enc_end_of_data(&e, c);
	return enc_finish(&e, b, out);
}

/* One small PDU in a buffer of its own. */
static int
encode_one(struct rtrmod_ctx *ctx, struct rtrmod_pdu *pdu, struct cbuf **out)
{
	struct enc e = {0};
	struct cbuf *b;
	size_t len;
	int rc;

	len = rtrmod_pdu_encoded_len(pdu);
	if (len == 0)
		return RTRMOD_EINVAL;
	if ((rc = cbuf_new(ctx, len, &b)) != 0)
		return rc;
	e.buf = b->data;
	e.cap = len;
	e.version = pdu->version;
	enc_put(&e, pdu);
	return enc_finish(&e, b, out);
}

/* ---- the current serial's responses ----------------------------------------- */

int
cache_full_response(struct rtrmod_cache *c, uint8_t version, struct cbuf **out)
{
	int rc;

	*out = NULL;
	if (c->full[version] == NULL) {
		if ((rc = encode_full(c, version, &c->full[version])) != 0)
			return rc;
		c->counters[RTRMOD_CACHE_CNT_ENCODINGS]++;
	}
	*out = cbuf_ref(c->full[version]);
	return 0;
}

int
cache_delta_response(struct rtrmod_cache *c, uint8_t version, uint32_t from, struct cbuf **out)
{
	uint32_t dist = history_distance(&c->hist, from);
	const struct hdelta *d;
	struct cbuf **slot;
	bool owned;
	int rc;

	*out = NULL;
	if (dist == UINT32_MAX)
		return RTRMOD_ENOENT;
	if (c->delta[version] == NULL) {
		c->delta[version] = ctx_zalloc(c->ctx, (c->hist.cap + 1) * sizeof(struct cbuf *));
		if (c->delta[version] == NULL)
			return RTRMOD_ENOMEM;
		c->delta_len = c->hist.cap + 1;
	}
	slot = &c->delta[version][dist];
	if (*slot == NULL) {
		if ((rc = history_delta(&c->hist, from, &d, &owned)) != 0)
			return rc;
		rc = encode_delta(c, version, d, slot);
		if (owned)
			hdelta_free((struct hdelta *)(uintptr_t)d);
		if (rc != 0)
			return rc;
		c->counters[RTRMOD_CACHE_CNT_ENCODINGS]++;
	}
	*out = cbuf_ref(*slot);
	return 0;
}

int
cache_notify_pdu(struct rtrmod_cache *c, uint8_t version, struct cbuf **out)
{
	struct rtrmod_pdu pdu;
	int rc;

	*out = NULL;
	if (c->notify[version] == NULL) {
		memset(&pdu, 0, sizeof(pdu));
		pdu.version = version;
		pdu.type = RTRMOD_PDU_SERIAL_NOTIFY;
		pdu.u.serial.session_id = c->session_id[version];
		pdu.u.serial.serial = c->hist.serial;
		if ((rc = encode_one(c->ctx, &pdu, &c->notify[version])) != 0)
			return rc;
	}
	*out = cbuf_ref(c->notify[version]);
	return 0;
}

int
cache_reset_pdu(struct rtrmod_cache *c, uint8_t version, struct cbuf **out)
{
	struct rtrmod_pdu pdu;
	int rc;

	*out = NULL;
	if (c->reset[version] == NULL) {
		memset(&pdu, 0, sizeof(pdu));
		pdu.version = version;
		pdu.type = RTRMOD_PDU_CACHE_RESET;
		if ((rc = encode_one(c->ctx, &pdu, &c->reset[version])) != 0)
			return rc;
	}
	*out = cbuf_ref(c->reset[version]);
	return 0;
}

/* RFC 8210 §5.11: the erroneous PDU (cut to ERROR_PDU_MAX) and a UTF-8 text. */
int
cache_error_pdu(struct rtrmod_ctx *ctx, uint8_t version, enum rtrmod_rtr_error code,
		const uint8_t *bad, size_t bad_len, const char *text, struct cbuf **out)
{
	struct rtrmod_pdu pdu;

	*out = NULL;
	memset(&pdu, 0, sizeof(pdu));
	pdu.version = version;
	pdu.type = RTRMOD_PDU_ERROR_REPORT;
	pdu.u.error.code = (uint16_t)code;
	pdu.u.error.pdu.ptr = bad;
	pdu.u.error.pdu.len = bad != NULL ? (bad_len < ERROR_PDU_MAX ? bad_len : ERROR_PDU_MAX) : 0;
	pdu.u.error.text.ptr = (const uint8_t *)text;
	pdu.u.error.text.len = text != NULL ? strlen(text) : 0;
	return encode_one(ctx, &pdu, out);
}

void
cache_encodings_drop(struct rtrmod_cache *c)
{
	unsigned v, i;

	for (v = 0; v < CACHE_VERSIONS; v++) {
		cbuf_unref(c->full[v]);
		cbuf_unref(c->notify[v]);
		cbuf_unref(c->reset[v]);
		c->full[v] = c->notify[v] = c->reset[v] = NULL;
		for (i = 0; c->delta[v] != NULL && i < c->delta_len; i++)
			cbuf_unref(c->delta[v][i]);
		ctx_free(c->ctx, c->delta[v]);
		c->delta[v] = NULL;
	}
	c->delta_len = 0;
}

size_t
cache_encodings_memory(const struct rtrmod_cache *c)
{
	size_t n = 0;
	unsigned v, i;

	for (v = 0; v < CACHE_VERSIONS; v++) {
		n += c->full[v] != NULL ? sizeof(struct cbuf) + c->full[v]->len : 0;
		for (i = 0; c->delta[v] != NULL && i < c->delta_len; i++)
			n += c->delta[v][i] != NULL ? sizeof(struct cbuf) + c->delta[v][i]->len : 0;
	}
	return n;
}
