/*
 * pdu_validate.c: the semantic checks on a decoded PDU, kept apart from
 * framing so that a session can decide what to do with each.  Every
 * failure names the RFC 8210 §12 / 8210bis-27 §12 code to send and a
 * static reason; nothing here reads outside the PDU's borrowed parts.
 *
 * Reserved ("zero") fields are checked only when asked: RFC 8210 §5 and
 * 8210bis-27 §5 say they "MUST be ignored on receipt" (RFC 6810 §5: "MAY
 * be ignored").  Undefined flag bits are refused: they are not marked
 * "zero" but "reserved for future use" (8210bis-27 §5.1), and a meaning we
 * do not know must not be taken for an announcement or a withdrawal.
 */
#include "config.h"

#include <stdbool.h>

#include <rtrmod/pdu.h>

#include "rtrmod_internal.h"

/* RFC 8210 §6 (unchanged in 8210bis-27 §6), in seconds. */
#define REFRESH_MIN 1u
#define REFRESH_MAX 86400u
#define RETRY_MIN   1u
#define RETRY_MAX   7200u
#define EXPIRE_MIN  600u
#define EXPIRE_MAX  172800u

/* The highest error code each version defines (RFC 6810: 0-7; RFC 8210
 * adds 8; 8210bis-27 §12 adds 9-13).  8210bis-27 §12: errors may only be
 * sent with codes of the session's version, and an Error Report with an
 * invalid code is an invalid Error Report. */
static const unsigned max_error_code[RTRMOD_PDU_VERSION_MAX + 1] = {7, 8, 13};

static int
validate_fail(struct rtrmod_pdu_error *err, enum rtrmod_rtr_error code, const char *reason)
{
	if (err != NULL) {
		err->code = code;
		err->reason = reason;
		err->pdu.ptr = NULL;
		err->pdu.len = 0;
	}
	return RTRMOD_EPDU;
}

/* Are the bits of addr past plen all zero? */
static bool
host_bits_zero(const uint8_t *addr, size_t addr_len, unsigned plen)
{
	size_t i = plen / 8;

	if (plen % 8 != 0) {
		if ((addr[i] & (0xffu >> (plen % 8))) != 0)
			return false;
		i++;
	}
	for (; i < addr_len; i++)
		if (addr[i] != 0)
			return false;
	return true;
}

/*
 * RFC 8210 §5.1 / 8210bis-27 §5.1: Max Length "MUST NOT be less than the
 * Prefix Length"; both are at most 32 (IPv4) or 128 (IPv6), per the figures
 * of §5.6/§5.7 (8210bis-27 §5.9/§5.10).  8210bis-27 §5.9: the bits past the
 * prefix length MUST be zero and the router MUST verify them, with Corrupt
 * Data (the draft's text says "Error Code 1 (\"Corrupt Data\")"; Corrupt
 * Data is code 0, which is what we send).  v0/v1 did not say so; there the
 * check is made only when strict.
 */
static const char *
validate_prefix(const struct rtrmod_pdu *pdu, unsigned flags)
{
	const struct rtrmod_pdu_prefix *p = &pdu->u.prefix;
	unsigned bits = pdu->type == RTRMOD_PDU_IPV4_PREFIX ? 32 : 128;

	if ((p->flags & ~RTRMOD_PDU_FLAG_ANNOUNCE) != 0)
		return "undefined flag bits set";
	if (p->prefix_len > bits)
		return "prefix length longer than the address";
	if (p->max_len > bits)
		return "max length longer than the address";
	if (p->prefix_len > p->max_len)
		return "max length less than prefix length";
	if ((pdu->version >= 2 || (flags & RTRMOD_PDU_STRICT_RESERVED) != 0) &&
	    !host_bits_zero(p->addr, bits / 8, p->prefix_len))
		return "prefix has bits set past its length";
	return NULL;
}

/* RFC 8210 §6: the allowed ranges, and caches "MUST set Expire Interval to
 * a value larger than either Refresh Interval or Retry Interval", which
 * 8210bis-27 §6 makes plain: "larger than both".  v0 End of Data has no
 * timers.  A session may prefer to clamp; this only says what is wrong. */
static const char *
validate_timers(const struct rtrmod_pdu_end_of_data *e)
{
	if (e->refresh < REFRESH_MIN || e->refresh > REFRESH_MAX)
		return "refresh interval outside 1..86400";
	if (e->retry < RETRY_MIN || e->retry > RETRY_MAX)
		return "retry interval outside 1..7200";
	if (e->expire < EXPIRE_MIN || e->expire > EXPIRE_MAX)
		return "expire interval outside 600..172800";
	if (e->expire <= e->refresh || e->expire <= e->retry)
		return "expire interval not larger than refresh and retry";
	return NULL;
}

/*
 * RFC 8210 §5.11 / 8210bis-27 §5.8: the Erroneous PDU is a copy of the PDU
 * in error and, when cut, keeps at least its first four octets; "An Error
 * Report PDU MUST NOT be sent for an Error Report PDU", so one that carries
 * an Error Report is itself erroneous.  8210bis-27 §12: the code must be
 * one the session's version defines.  Whoever handles the result must not
 * answer it with an Error Report (§5.8: drop the session).
 */
static const char *
validate_error_report(const struct rtrmod_pdu *pdu)
{
	const struct rtrmod_pdu_error_report *e = &pdu->u.error;

	if (e->code > max_error_code[pdu->version])
		return "error code not defined in this protocol version";
	if (e->pdu.len > 0 && e->pdu.len < 4)
		return "encapsulated PDU shorter than four octets";
	if (e->pdu.len >= 2 && e->pdu.ptr[1] == RTRMOD_PDU_ERROR_REPORT)
		return "Error Report about an Error Report";
	return NULL;
}

/*
 * 8210bis-27 §5.12, all with code 9 (ASPA Provider List Error, "an
 * incorrect list of Provider Autonomous System Numbers"): an announcement
 * MUST carry at least one provider and, if it carries several, MUST NOT
 * carry AS 0; providers are "in increasing numeric order" and each "MUST
 * be unique"; a withdrawal MUST have no provider list (length 12).  The
 * draft names no code for the last; it is a wrong provider list, so 9.
 * (A customer listed as its own provider is refused by the ASPA profile
 * at the object level; the RTR draft has no such rule, so neither do we.)
 */
static const char *
validate_aspa(const struct rtrmod_pdu_aspa *a, enum rtrmod_rtr_error *code)
{
	uint32_t prev = 0, cur;

	if ((a->flags & ~RTRMOD_PDU_FLAG_ANNOUNCE) != 0)
		return "undefined flag bits set";
	*code = RTRMOD_RTR_ASPA_PROVIDER_LIST_ERROR;
	if ((a->flags & RTRMOD_PDU_FLAG_ANNOUNCE) == 0)
		return a->provider_count == 0 ? NULL : "ASPA withdrawal with providers";
	if (a->provider_count == 0)
		return "ASPA announcement without providers";
	if (a->providers == NULL && a->providers_be == NULL)
		return "ASPA provider list missing";
	for (size_t i = 0; i < a->provider_count; i++) {
		cur = rtrmod_pdu_aspa_provider(a, i);
		if (cur == 0 && a->provider_count > 1)
			return "AS 0 among several ASPA providers";
		if (i > 0 && cur == prev)
			return "duplicate ASPA provider";
		if (i > 0 && cur < prev)
			return "ASPA providers not in increasing order";
		prev = cur;
	}
	return NULL;
}

static const char *
validate_body(const struct rtrmod_pdu *pdu, unsigned flags, enum rtrmod_rtr_error *code)
{
	switch (pdu->type) {
	case RTRMOD_PDU_IPV4_PREFIX:
	case RTRMOD_PDU_IPV6_PREFIX:
		return validate_prefix(pdu, flags);
	case RTRMOD_PDU_END_OF_DATA:
		return pdu->version >= 1 ? validate_timers(&pdu->u.eod) : NULL;
	case RTRMOD_PDU_ROUTER_KEY:
		if ((pdu->u.router_key.flags & ~RTRMOD_PDU_FLAG_ANNOUNCE) != 0)
			return "undefined flag bits set";
		if (pdu->u.router_key.spki.len == 0 || pdu->u.router_key.spki.ptr == NULL)
			return "Router Key without Subject Public Key Info";
		return NULL;
	case RTRMOD_PDU_ERROR_REPORT:
		return validate_error_report(pdu);
	case RTRMOD_PDU_ASPA:
		return validate_aspa(&pdu->u.aspa, code);
	}
	return NULL;
}

int
rtrmod_pdu_validate(const struct rtrmod_pdu *pdu, unsigned flags, struct rtrmod_pdu_error *err)
{
	enum rtrmod_rtr_error code = RTRMOD_RTR_CORRUPT_DATA;
	struct rtrmod_pdu_error bounds;
	uint32_t min, max;
	const char *why;

	if (pdu == NULL)
		return RTRMOD_EINVAL;
	/* A PDU built by hand may claim a type its version does not have. */
	if (rtrmod_pdu_length_bounds(pdu->version, pdu->type, 0, &min, &max, &bounds) != 0)
		return validate_fail(err, bounds.code, bounds.reason);
	if ((flags & RTRMOD_PDU_STRICT_RESERVED) != 0 && pdu->reserved != 0)
		return validate_fail(err, RTRMOD_RTR_CORRUPT_DATA, "non-zero reserved field");
	why = validate_body(pdu, flags, &code);
	if (why != NULL)
		return validate_fail(err, code, why);
	return 0;
}
