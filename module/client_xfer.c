/*
 * client_xfer.c: what a session does with a transfer, from Cache Response
 * to End of Data: each record PDU is checked against the base the transfer
 * applies to and staged in an rtrmod_delta; End of Data seals the staging,
 * applies it and commits the new set with its timers in one step.
 *
 * Invariants: nothing here changes the committed set except
 * xfer_end_of_data(), and only after the whole staging applied cleanly;
 * every refusal is an Error Report with the RFC 8210 §12 code, after which
 * the session's next connection starts over with a Reset Query.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "rtrmod_internal.h"

/* ---- data PDUs ------------------------------------------------------------- */

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

static bool
base_has_vrp(const struct csess *s, const struct rtrmod_vrp *v)
{
	size_t n;
	const struct rtrmod_vrp *all = rtrmod_set_vrps(s->xfer_base, &n);

	return n > 0 && bsearch(v, all, n, sizeof(*all), vrp_cmp_void) != NULL;
}

static bool
base_has_key(const struct csess *s, const struct rtrmod_router_key *k)
{
	size_t n;
	const struct rtrmod_router_key *all = rtrmod_set_router_keys(s->xfer_base, &n);

	return n > 0 && bsearch(k, all, n, sizeof(*all), key_cmp_void) != NULL;
}

/*
 * Check an announcement or withdrawal against the base: RFC 8210 §5.6 (and
 * 8210bis §5.9): announcing a record the router has is "Duplicate
 * Announcement Received" (7), withdrawing one it lacks is "Withdrawal of
 * Unknown Record" (6).  Repeats inside one response are caught at End of
 * Data when the staging is sealed.  Returns 1 to stage, 0 to skip (an
 * unknown withdrawal in lenient mode), -1 after sending an Error Report.
 */
static int
check_record(struct csess *s, bool announce, bool present, const uint8_t *raw, size_t raw_len,
	     uint64_t now)
{
	if (announce == present && (announce || !s->lenient))
		s->have_session = false; /* resynchronise with a Reset Query */
	if (announce && present) {
		csess_send_error(s, RTRMOD_RTR_DUPLICATE_ANNOUNCEMENT, raw, raw_len,
				 "announcement of a record already held", now);
		return -1;
	}
	if (!announce && !present) {
		if (s->lenient)
			return 0;
		csess_send_error(s, RTRMOD_RTR_WITHDRAWAL_OF_UNKNOWN, raw, raw_len,
				 "withdrawal of a record not held", now);
		return -1;
	}
	return 1;
}

void
xfer_prefix(struct csess *s, const struct rtrmod_pdu *pdu, const uint8_t *raw, size_t raw_len,
	    uint64_t now)
{
	const struct rtrmod_pdu_prefix *p = &pdu->u.prefix;
	bool announce = (p->flags & RTRMOD_PDU_FLAG_ANNOUNCE) != 0;
	struct rtrmod_vrp v;
	int rc;

	memset(&v, 0, sizeof(v));
	v.prefix.afi = pdu->type == RTRMOD_PDU_IPV4_PREFIX ? RTRMOD_AFI_IPV4 : RTRMOD_AFI_IPV6;
	v.prefix.len = p->prefix_len;
	memcpy(v.prefix.addr, p->addr, v.prefix.afi == RTRMOD_AFI_IPV4 ? 4 : 16);
	v.max_len = p->max_len;
	v.asn = p->asn;
	rc = check_record(s, announce, base_has_vrp(s, &v), raw, raw_len, now);
	if (rc <= 0)
		return;
	rc = rtrmod_delta_add_vrp(s->staged, &v, announce);
	if (rc == RTRMOD_EINVAL)
		csess_send_error(s, RTRMOD_RTR_CORRUPT_DATA, raw, raw_len,
				 "prefix has bits set past its length", now);
	else if (rc != 0)
		csess_send_error(s, RTRMOD_RTR_INTERNAL_ERROR, NULL, 0, rtrmod_strerror(rc), now);
	else
		s->staged_records++;
}

void
xfer_router_key(struct csess *s, const struct rtrmod_pdu *pdu, const uint8_t *raw, size_t raw_len,
		uint64_t now)
{
	const struct rtrmod_pdu_router_key *p = &pdu->u.router_key;
	bool announce = (p->flags & RTRMOD_PDU_FLAG_ANNOUNCE) != 0;
	struct rtrmod_router_key k;
	int rc;

	memset(&k, 0, sizeof(k));
	memcpy(k.ski, p->ski, sizeof(k.ski));
	k.asn = p->asn;
	k.spki = p->spki.ptr;
	k.spki_len = (uint32_t)p->spki.len;
	rc = check_record(s, announce, base_has_key(s, &k), raw, raw_len, now);
	if (rc <= 0)
		return;
	if ((rc = rtrmod_delta_add_router_key(s->staged, &k, announce)) != 0)
		csess_send_error(s, RTRMOD_RTR_INTERNAL_ERROR, NULL, 0, rtrmod_strerror(rc), now);
	else
		s->staged_records++;
}

/* 8210bis §5.12: an ASPA announcement replaces the customer's record, so
 * only a withdrawal can name an unknown record. */
void
xfer_aspa(struct csess *s, const struct rtrmod_pdu *pdu, const uint8_t *raw, size_t raw_len,
	  uint64_t now)
{
	const struct rtrmod_pdu_aspa *a = &pdu->u.aspa;
	bool announce = (a->flags & RTRMOD_PDU_FLAG_ANNOUNCE) != 0;
	bool present = rtrmod_set_find_aspa(s->xfer_base, a->customer_asn) != NULL;
	int rc;

	rc = check_record(s, announce, announce ? false : present, raw, raw_len, now);
	if (rc <= 0)
		return;
	if (a->provider_count > s->prov_cap) {
		uint32_t *p = ctx_realloc(s->ctx, s->prov, a->provider_count * sizeof(*p));

		if (p == NULL) {
			csess_send_error(s, RTRMOD_RTR_INTERNAL_ERROR, NULL, 0, "out of memory",
					 now);
			return;
		}
		s->prov = p;
		s->prov_cap = a->provider_count;
	}
	for (size_t i = 0; i < a->provider_count; i++)
		s->prov[i] = rtrmod_pdu_aspa_provider(a, i);
	rc =
	    rtrmod_delta_add_aspa(s->staged, a->customer_asn, s->prov, a->provider_count, announce);
	if (rc != 0)
		csess_send_error(s, RTRMOD_RTR_INTERNAL_ERROR, NULL, 0, rtrmod_strerror(rc), now);
	else
		s->staged_records++;
}

/* ---- responses -------------------------------------------------------------- */

/* §8.1, §8.2: a Cache Response opens a transfer.  To a Serial Query it must
 * carry our Session ID; one that does not means the cache's session changed
 * under us (§5.1): refused, and the next connection starts with a Reset. */
void
xfer_cache_response(struct csess *s, const struct rtrmod_pdu *pdu, const uint8_t *raw,
		    size_t raw_len, uint64_t now)
{
	uint16_t sid = pdu->u.cache_response.session_id;
	int rc;

	if (!s->reset_query && sid != s->session_id) {
		log_info(s->ctx, "rtr %s: Session ID changed from %u to %u: full reset", s->name,
			 s->session_id, sid);
		s->have_session = false;
		csess_send_error(s, RTRMOD_RTR_CORRUPT_DATA, raw, raw_len,
				 "Cache Response with another Session ID", now);
		return;
	}
	csess_xfer_drop(s);
	if ((rc = rtrmod_delta_new(s->ctx, &s->staged)) != 0) {
		csess_send_error(s, RTRMOD_RTR_INTERNAL_ERROR, NULL, 0, rtrmod_strerror(rc), now);
		return;
	}
	s->xfer_session = sid;
	s->xfer_base = rtrmod_set_ref(s->reset_query || s->set == NULL ? s->base : s->set);
	csess_event(s, CEV_CACHE_RESPONSE,
		    s->reset_query ? "full set follows" : "incremental update follows", now);
}

static uint32_t
clamp(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * The timers of a v1+ End of Data (§5.8).  §6 gives ranges a cache MUST
 * keep but no error for a router to send, and refusing the data over a
 * timer would cost a whole valid set (DESIGN rule 7), so out-of-range
 * values are clamped into the ranges, expire kept above both others, and
 * logged.  v0 has no timers: the configured ones stay.
 */
static void
take_timers(struct csess *s, const struct rtrmod_pdu *pdu)
{
	const struct rtrmod_pdu_end_of_data *e = &pdu->u.eod;
	uint32_t floor;

	if (pdu->version == 0) {
		s->refresh = s->cfg_refresh;
		s->retry = s->cfg_retry;
		s->expire = s->cfg_expire;
		return;
	}
	s->refresh = clamp(e->refresh, CSESS_REFRESH_MIN, CSESS_REFRESH_MAX);
	s->retry = clamp(e->retry, CSESS_RETRY_MIN, CSESS_RETRY_MAX);
	s->expire = clamp(e->expire, CSESS_EXPIRE_MIN, CSESS_EXPIRE_MAX);
	floor = (s->refresh > s->retry ? s->refresh : s->retry) + 1;
	if (s->expire < floor)
		s->expire = floor;
	if (s->refresh != e->refresh || s->retry != e->retry || s->expire != e->expire)
		log_warn(s->ctx,
			 "rtr %s: End of Data timers %u/%u/%u outside RFC 8210 §6, "
			 "using %u/%u/%u",
			 s->name, e->refresh, e->retry, e->expire, s->refresh, s->retry, s->expire);
}

/* Seal and apply the staging: 0 with *out the new set, or -1 after an Error
 * Report (repeats inside the response, or what the per-PDU checks could
 * not see). */
static int
xfer_apply(struct csess *s, const uint8_t *raw, size_t raw_len, struct rtrmod_set **out,
	   uint64_t now)
{
	int rc = rtrmod_delta_seal(s->staged);

	if (rc == 0)
		rc = rtrmod_set_apply(s->xfer_base, s->staged, out);
	if (rc == 0)
		return 0;
	if (rc == RTRMOD_EEXIST)
		csess_send_error(
		    s, RTRMOD_RTR_DUPLICATE_ANNOUNCEMENT, raw, raw_len,
		    "a record announced twice, or announced and withdrawn, in one response", now);
	else if (rc == RTRMOD_ENOENT)
		csess_send_error(s, RTRMOD_RTR_WITHDRAWAL_OF_UNKNOWN, raw, raw_len,
				 "withdrawal of a record not held", now);
	else
		csess_send_error(s, RTRMOD_RTR_INTERNAL_ERROR, NULL, 0, rtrmod_strerror(rc), now);
	if (rc == RTRMOD_EEXIST || rc == RTRMOD_ENOENT)
		s->have_session = false; /* resynchronise with a Reset Query */
	return -1;
}

/* §8.1, §8.2: End of Data commits the staging atomically. */
void
xfer_end_of_data(struct csess *s, const struct rtrmod_pdu *pdu, const uint8_t *raw, size_t raw_len,
		 uint64_t now)
{
	struct rtrmod_set *next = NULL;
	struct rtrmod_delta *change = NULL;
	int rc;

	if (pdu->u.eod.session_id != s->xfer_session) {
		csess_send_error(s, RTRMOD_RTR_CORRUPT_DATA, raw, raw_len,
				 "End of Data with another Session ID than its Cache Response",
				 now);
		return;
	}
	if (xfer_apply(s, raw, raw_len, &next, now) != 0)
		return;
	if ((rc = rtrmod_set_diff(s->set != NULL ? s->set : s->base, next, &change)) != 0) {
		rtrmod_set_unref(next);
		csess_send_error(s, RTRMOD_RTR_INTERNAL_ERROR, NULL, 0, rtrmod_strerror(rc), now);
		return;
	}
	csess_xfer_drop(s);
	rtrmod_set_unref(s->set);
	s->set = next;
	s->have_session = true;
	s->lenient = false;
	s->session_id = pdu->u.eod.session_id;
	s->serial = pdu->u.eod.serial;
	s->negotiated = true;
	take_timers(s, pdu);
	s->refresh_at = csess_after(now, s->refresh);
	s->expire_at = csess_after(now, s->expire);
	s->have_update = true;
	s->last_update = now;
	if (s->notify_pending && s->notify_serial == s->serial)
		s->notify_pending = false;
	log_info(s->ctx, "rtr %s: v%u session %u serial %u committed", s->name, s->version,
		 s->session_id, s->serial);
	if (s->ops->commit != NULL)
		s->ops->commit(s->arg, s, change);
	rtrmod_delta_free(change);
	csess_event(s, CEV_END_OF_DATA, "transfer committed", now);
}
