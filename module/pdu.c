/*
 * pdu.c: the pure RTR PDU codec: framing checks, decoding into the
 * host-order tagged union and encoding back, for protocol versions 0
 * (RFC 6810), 1 (RFC 8210) and 2 (draft-ietf-sidrops-8210bis-27).
 *
 * Invariants: nothing is read before the 8-byte header is there; a PDU's
 * length is checked against its type's bounds before anything else is done
 * with it; the body is read through a reader limited to exactly that
 * length, which must be empty at the end.  Variable parts are borrowed, so
 * decoding allocates nothing and never clears a whole struct.  Semantic
 * checks (prefix lengths, flags, timers) are pdu_validate.c's job.
 */
#include "config.h"

#include <string.h>

#include <rtrmod/pdu.h>

#include "rtrmod_internal.h"

#include "buf.h"

#define V0 (1u << 0)
#define V1 (1u << 1)
#define V2 (1u << 2)

/*
 * The PDU types and the versions they exist in (IANA "rpki-rtr-pdu", as
 * listed in 8210bis-27 §14: type 9 is Router Key from v1 on, type 11 ASPA
 * in v2 only; 5 and 255 are reserved).  `len` is the exact length of a
 * fixed-size type, or the minimum of a variable one.
 */
static const struct pdu_type_info {
	const char *name;
	uint8_t versions;
	bool variable;
	uint16_t len;
} pdu_types[] = {
    [RTRMOD_PDU_SERIAL_NOTIFY] = {"Serial Notify", V0 | V1 | V2, false, 12},
    [RTRMOD_PDU_SERIAL_QUERY] = {"Serial Query", V0 | V1 | V2, false, 12},
    [RTRMOD_PDU_RESET_QUERY] = {"Reset Query", V0 | V1 | V2, false, 8},
    [RTRMOD_PDU_CACHE_RESPONSE] = {"Cache Response", V0 | V1 | V2, false, 8},
    [RTRMOD_PDU_IPV4_PREFIX] = {"IPv4 Prefix", V0 | V1 | V2, false, 20},
    [RTRMOD_PDU_IPV6_PREFIX] = {"IPv6 Prefix", V0 | V1 | V2, false, 32},
    /* 24 from v1 on (RFC 8210 §5.8); 12 in v0, see pdu_bounds(). */
    [RTRMOD_PDU_END_OF_DATA] = {"End of Data", V0 | V1 | V2, false, 24},
    [RTRMOD_PDU_CACHE_RESET] = {"Cache Reset", V0 | V1 | V2, false, 8},
    /* 8 header + 20 SKI + 4 AS + a non-empty SPKI (RFC 8210 §5.10). */
    [RTRMOD_PDU_ROUTER_KEY] = {"Router Key", V1 | V2, true, 8 + 20 + 4 + 1},
    /* 8 header + 4 PDU length + 4 text length (RFC 8210 §5.11). */
    [RTRMOD_PDU_ERROR_REPORT] = {"Error Report", V0 | V1 | V2, true, 8 + 4 + 4},
    /* 8 header + 4 customer AS, then 4 per provider (8210bis-27 §5.12). */
    [RTRMOD_PDU_ASPA] = {"ASPA", V2, true, 8 + 4},
};

/* 8210bis-27 §5.1: "This length MUST NOT exceed 65,535 octets." */
#define PDU_MAX_LEN_V2         65535u
#define PDU_V0_END_OF_DATA_LEN 12u /* RFC 6810 §5.8 */
#define SKI_LEN                20

static const char *const rtr_error_names[] = {
    [RTRMOD_RTR_CORRUPT_DATA] = "Corrupt Data",
    [RTRMOD_RTR_INTERNAL_ERROR] = "Internal Error",
    [RTRMOD_RTR_NO_DATA_AVAILABLE] = "No Data Available",
    [RTRMOD_RTR_INVALID_REQUEST] = "Invalid Request",
    [RTRMOD_RTR_UNSUPPORTED_VERSION] = "Unsupported Protocol Version",
    [RTRMOD_RTR_UNSUPPORTED_PDU_TYPE] = "Unsupported PDU Type",
    [RTRMOD_RTR_WITHDRAWAL_OF_UNKNOWN] = "Withdrawal of Unknown Record",
    [RTRMOD_RTR_DUPLICATE_ANNOUNCEMENT] = "Duplicate Announcement Received",
    [RTRMOD_RTR_UNEXPECTED_VERSION] = "Unexpected Protocol Version",
    [RTRMOD_RTR_ASPA_PROVIDER_LIST_ERROR] = "ASPA Provider List Error",
    [RTRMOD_RTR_TRANSPORT_FAILED] = "Transport Failure",
    [RTRMOD_RTR_ORDERING_ERROR] = "Ordering Error",
    [RTRMOD_RTR_CACHE_RESTART] = "Cache Restart",
    [RTRMOD_RTR_CACHE_SHUTDOWN] = "Cache Shutdown",
};

const char *
rtrmod_pdu_type_name(unsigned type)
{
	if (type >= ARRAY_SIZE(pdu_types) || pdu_types[type].name == NULL)
		return "unknown";
	return pdu_types[type].name;
}

const char *
rtrmod_rtr_error_name(unsigned code)
{
	if (code >= ARRAY_SIZE(rtr_error_names) || rtr_error_names[code] == NULL)
		return "unknown";
	return rtr_error_names[code];
}

static int
pdu_fail(struct rtrmod_pdu_error *err, enum rtrmod_rtr_error code, const char *reason,
	 const uint8_t *pdu, size_t len)
{
	if (err != NULL) {
		err->code = code;
		err->reason = reason;
		err->pdu.ptr = pdu;
		err->pdu.len = pdu != NULL ? len : 0;
	}
	return RTRMOD_EPDU;
}

/*
 * The length bounds of (version, type), or the §12 code that refuses the
 * pair.  A version above ours is Unsupported Protocol Version (RFC 8210
 * §7); a type that does not exist, or not in this version (Router Key in
 * v0, ASPA before v2), is Unsupported PDU Type (RFC 8210 §12, code 5).
 */
static const char *
pdu_bounds(uint8_t version, uint8_t type, uint32_t cap, uint32_t *min, uint32_t *max,
	   enum rtrmod_rtr_error *code)
{
	const struct pdu_type_info *t;

	if (version > RTRMOD_PDU_VERSION_MAX) {
		*code = RTRMOD_RTR_UNSUPPORTED_VERSION;
		return "unsupported protocol version";
	}
	if (type >= ARRAY_SIZE(pdu_types) || pdu_types[type].name == NULL) {
		*code = RTRMOD_RTR_UNSUPPORTED_PDU_TYPE;
		return "unknown PDU type";
	}
	t = &pdu_types[type];
	if ((t->versions & (1u << version)) == 0) {
		*code = RTRMOD_RTR_UNSUPPORTED_PDU_TYPE;
		return "PDU type does not exist in this protocol version";
	}
	*min = t->len;
	*max = t->len;
	if (type == RTRMOD_PDU_END_OF_DATA && version == 0) {
		*min = PDU_V0_END_OF_DATA_LEN;
		*max = PDU_V0_END_OF_DATA_LEN;
	}
	if (t->variable) {
		if (cap == 0)
			cap = RTRMOD_PDU_MAX_LEN_DEFAULT;
		if (version >= 2 && cap > PDU_MAX_LEN_V2)
			cap = PDU_MAX_LEN_V2;
		*max = cap;
	}
	return NULL;
}

int
rtrmod_pdu_length_bounds(uint8_t version, uint8_t type, uint32_t max_len_cap, uint32_t *min_len,
			 uint32_t *max_len, struct rtrmod_pdu_error *err)
{
	enum rtrmod_rtr_error code;
	uint32_t lo, hi;
	const char *why;

	why = pdu_bounds(version, type, max_len_cap, &lo, &hi, &code);
	if (why != NULL)
		return pdu_fail(err, code, why, NULL, 0);
	if (min_len != NULL)
		*min_len = lo;
	if (max_len != NULL)
		*max_len = hi;
	return 0;
}

/* Why a length is out of bounds, as precisely as a static string can say. */
static const char *
length_reason(uint8_t type, uint32_t length, uint32_t min, uint32_t max)
{
	if (min == max)
		return "wrong length for the PDU type";
	if (type == RTRMOD_PDU_ROUTER_KEY && length == min - 1)
		return "Router Key without Subject Public Key Info";
	if (length < min)
		return "PDU shorter than its type's fixed part";
	return "PDU longer than allowed";
}

/* ---- decoding ---------------------------------------------------------- */

/* Each body decoder reads the bytes after the header (hdr is the header's
 * 16-bit field at offset 2) and returns NULL or why the body is corrupt. */

static const char *
decode_serial(uint16_t hdr, struct buf_reader *r, struct rtrmod_pdu *out)
{
	out->u.serial.session_id = hdr;
	if (buf_get_u32(r, &out->u.serial.serial) != 0)
		return "truncated serial number";
	return NULL;
}

static const char *
decode_prefix(uint16_t hdr, struct buf_reader *r, struct rtrmod_pdu *out, size_t addr_len)
{
	struct rtrmod_pdu_prefix *p = &out->u.prefix;
	uint8_t zero;

	if (buf_get_u8(r, &p->flags) != 0 || buf_get_u8(r, &p->prefix_len) != 0 ||
	    buf_get_u8(r, &p->max_len) != 0 || buf_get_u8(r, &zero) != 0 ||
	    buf_copy_bytes(r, p->addr, addr_len) != 0 || buf_get_u32(r, &p->asn) != 0)
		return "truncated prefix";
	if (addr_len < sizeof(p->addr))
		memset(p->addr + addr_len, 0, sizeof(p->addr) - addr_len);
	out->reserved = (uint32_t)hdr | zero;
	return NULL;
}

/* RFC 6810 §5.8 has no timers; RFC 8210 §5.8 adds three. */
static const char *
decode_end_of_data(uint16_t hdr, struct buf_reader *r, struct rtrmod_pdu *out)
{
	struct rtrmod_pdu_end_of_data *e = &out->u.eod;

	e->session_id = hdr;
	e->refresh = 0;
	e->retry = 0;
	e->expire = 0;
	if (buf_get_u32(r, &e->serial) != 0)
		return "truncated End of Data";
	if (out->version == 0)
		return NULL;
	if (buf_get_u32(r, &e->refresh) != 0 || buf_get_u32(r, &e->retry) != 0 ||
	    buf_get_u32(r, &e->expire) != 0)
		return "truncated End of Data";
	return NULL;
}

static const char *
decode_router_key(uint16_t hdr, struct buf_reader *r, struct rtrmod_pdu *out)
{
	struct rtrmod_pdu_router_key *k = &out->u.router_key;

	k->flags = (uint8_t)(hdr >> 8);
	out->reserved = hdr & 0xffu;
	if (buf_copy_bytes(r, k->ski, SKI_LEN) != 0 || buf_get_u32(r, &k->asn) != 0)
		return "truncated Router Key";
	k->spki.len = buf_remaining(r);
	if (k->spki.len == 0)
		return "Router Key without Subject Public Key Info";
	(void)buf_get_bytes(r, k->spki.len, &k->spki.ptr);
	return NULL;
}

/*
 * RFC 8210 §5.11: the encapsulated PDU and the text each carry their own
 * length; both must lie inside the PDU and together fill it exactly.
 */
static const char *
decode_error_report(uint16_t hdr, struct buf_reader *r, struct rtrmod_pdu *out)
{
	struct rtrmod_pdu_error_report *e = &out->u.error;
	uint32_t n;

	e->code = hdr;
	if (buf_get_u32(r, &n) != 0)
		return "truncated Error Report";
	e->pdu.len = n;
	if (buf_get_bytes(r, e->pdu.len, &e->pdu.ptr) != 0)
		return "encapsulated PDU length exceeds the Error Report";
	if (buf_get_u32(r, &n) != 0)
		return "no room for the Error Report's text length";
	e->text.len = n;
	if (e->text.len != buf_remaining(r))
		return "Error Report text length does not match the PDU length";
	(void)buf_get_bytes(r, e->text.len, &e->text.ptr);
	return NULL;
}

/* 8210bis-27 §5.12: length 12 + 4n, n providers after the customer AS. */
static const char *
decode_aspa(uint16_t hdr, struct buf_reader *r, struct rtrmod_pdu *out)
{
	struct rtrmod_pdu_aspa *a = &out->u.aspa;
	size_t n;

	a->flags = (uint8_t)(hdr >> 8);
	out->reserved = hdr & 0xffu;
	a->providers = NULL;
	if (buf_get_u32(r, &a->customer_asn) != 0)
		return "truncated ASPA";
	n = buf_remaining(r);
	if (n % 4 != 0)
		return "ASPA length is not 12 + 4 * providers";
	a->provider_count = n / 4;
	a->providers_be = NULL;
	if (n > 0)
		(void)buf_get_bytes(r, n, &a->providers_be);
	return NULL;
}

static const char *
decode_body(uint16_t hdr, struct buf_reader *r, struct rtrmod_pdu *out)
{
	switch (out->type) {
	case RTRMOD_PDU_IPV4_PREFIX:
		return decode_prefix(hdr, r, out, 4);
	case RTRMOD_PDU_IPV6_PREFIX:
		return decode_prefix(hdr, r, out, 16);
	case RTRMOD_PDU_SERIAL_NOTIFY:
	case RTRMOD_PDU_SERIAL_QUERY:
		return decode_serial(hdr, r, out);
	case RTRMOD_PDU_CACHE_RESPONSE:
		out->u.cache_response.session_id = hdr;
		return NULL;
	case RTRMOD_PDU_RESET_QUERY:
	case RTRMOD_PDU_CACHE_RESET:
		out->reserved = hdr;
		return NULL;
	case RTRMOD_PDU_END_OF_DATA:
		return decode_end_of_data(hdr, r, out);
	case RTRMOD_PDU_ROUTER_KEY:
		return decode_router_key(hdr, r, out);
	case RTRMOD_PDU_ERROR_REPORT:
		return decode_error_report(hdr, r, out);
	case RTRMOD_PDU_ASPA:
		return decode_aspa(hdr, r, out);
	}
	return "PDU type without a decoder";
}

/*
 * Header-level refusals (version, type, length) encapsulate the 8 header
 * bytes: past them nothing is known to belong to this PDU.  Refusals of a
 * framed body encapsulate the whole PDU.  Every framing fault that has no
 * code of its own is Corrupt Data (RFC 8210 §12, code 0).
 */
int
rtrmod_pdu_decode(const uint8_t *buf, size_t len, struct rtrmod_pdu *out, size_t *used,
		  struct rtrmod_pdu_error *err)
{
	enum rtrmod_rtr_error code;
	struct buf_reader body;
	uint32_t length, min, max;
	const char *why;
	uint16_t hdr;

	if (out == NULL || used == NULL || (buf == NULL && len > 0))
		return RTRMOD_EINVAL;
	if (len < RTRMOD_PDU_HEADER_LEN) {
		*used = RTRMOD_PDU_HEADER_LEN;
		return RTRMOD_ETRUNC;
	}
	why = pdu_bounds(buf[0], buf[1], 0, &min, &max, &code);
	if (why != NULL)
		return pdu_fail(err, code, why, buf, RTRMOD_PDU_HEADER_LEN);
	length = buf_load_be32(buf + 4);
	if (length < min || length > max)
		return pdu_fail(err, RTRMOD_RTR_CORRUPT_DATA,
				length_reason(buf[1], length, min, max), buf,
				RTRMOD_PDU_HEADER_LEN);
	if (len < length) {
		*used = length;
		return RTRMOD_ETRUNC;
	}
	hdr = buf_load_be16(buf + 2);
	out->version = buf[0];
	out->type = buf[1];
	out->reserved = 0;
	buf_reader_init(&body, buf + RTRMOD_PDU_HEADER_LEN, length - RTRMOD_PDU_HEADER_LEN);
	why = decode_body(hdr, &body, out);
	if (why == NULL && !buf_empty(&body))
		why = "bytes left over after the PDU's fields";
	if (why != NULL)
		return pdu_fail(err, RTRMOD_RTR_CORRUPT_DATA, why, buf, length);
	*used = length;
	return 0;
}

/* ---- encoding ---------------------------------------------------------- */

uint32_t
rtrmod_pdu_aspa_provider(const struct rtrmod_pdu_aspa *aspa, size_t i)
{
	if (aspa == NULL || i >= aspa->provider_count)
		return 0;
	if (aspa->providers != NULL)
		return aspa->providers[i];
	if (aspa->providers_be != NULL)
		return buf_load_be32(aspa->providers_be + 4 * i);
	return 0;
}

/* A borrowed run that claims bytes must point at them. */
static bool
bytes_ok(const struct rtrmod_bytes *b, uint32_t max)
{
	return b->len <= max && (b->len == 0 || b->ptr != NULL);
}

/* The length of a variable-length PDU, or 0 if it cannot be encoded. */
static size_t
variable_len(const struct rtrmod_pdu *pdu, uint32_t max)
{
	const struct rtrmod_pdu_aspa *a;

	switch (pdu->type) {
	case RTRMOD_PDU_ROUTER_KEY:
		if (pdu->u.router_key.spki.len == 0 || !bytes_ok(&pdu->u.router_key.spki, max))
			return 0;
		return 8 + SKI_LEN + 4 + pdu->u.router_key.spki.len;
	case RTRMOD_PDU_ERROR_REPORT:
		if (!bytes_ok(&pdu->u.error.pdu, max) || !bytes_ok(&pdu->u.error.text, max))
			return 0;
		return 8 + 4 + pdu->u.error.pdu.len + 4 + pdu->u.error.text.len;
	case RTRMOD_PDU_ASPA:
		a = &pdu->u.aspa;
		if (a->provider_count > max / 4 ||
		    (a->provider_count > 0 && a->providers == NULL && a->providers_be == NULL))
			return 0;
		return 8 + 4 + 4 * a->provider_count;
	}
	return 0;
}

size_t
rtrmod_pdu_encoded_len(const struct rtrmod_pdu *pdu)
{
	enum rtrmod_rtr_error code;
	uint32_t min, max;
	size_t n;

	if (pdu == NULL || pdu_bounds(pdu->version, pdu->type, 0, &min, &max, &code) != NULL)
		return 0;
	if (!pdu_types[pdu->type].variable)
		return min;
	n = variable_len(pdu, max);
	if (n < min || n > max)
		return 0;
	return n;
}

static void
encode_prefix(struct buf_writer *w, const struct rtrmod_pdu_prefix *p, size_t addr_len)
{
	buf_put_u8(w, p->flags);
	buf_put_u8(w, p->prefix_len);
	buf_put_u8(w, p->max_len);
	buf_put_u8(w, 0);
	buf_put_bytes(w, p->addr, addr_len);
	buf_put_u32(w, p->asn);
}

static void
encode_aspa(struct buf_writer *w, const struct rtrmod_pdu_aspa *a)
{
	buf_put_u32(w, a->customer_asn);
	if (a->providers == NULL) {
		buf_put_bytes(w, a->providers_be, 4 * a->provider_count);
		return;
	}
	for (size_t i = 0; i < a->provider_count; i++)
		buf_put_u32(w, a->providers[i]);
}

/* The header's 16-bit field at offset 2: Session ID, error code, flags and
 * a zero octet, or zero (RFC 8210 §5: zero fields are sent as zero). */
static uint16_t
encode_hdr(const struct rtrmod_pdu *pdu)
{
	switch (pdu->type) {
	case RTRMOD_PDU_SERIAL_NOTIFY:
	case RTRMOD_PDU_SERIAL_QUERY:
		return pdu->u.serial.session_id;
	case RTRMOD_PDU_CACHE_RESPONSE:
		return pdu->u.cache_response.session_id;
	case RTRMOD_PDU_END_OF_DATA:
		return pdu->u.eod.session_id;
	case RTRMOD_PDU_ERROR_REPORT:
		return pdu->u.error.code;
	case RTRMOD_PDU_ROUTER_KEY:
		return (uint16_t)(pdu->u.router_key.flags << 8);
	case RTRMOD_PDU_ASPA:
		return (uint16_t)(pdu->u.aspa.flags << 8);
	}
	return 0;
}

static void
encode_body(struct buf_writer *w, const struct rtrmod_pdu *pdu)
{
	const struct rtrmod_pdu_error_report *e = &pdu->u.error;

	switch (pdu->type) {
	case RTRMOD_PDU_SERIAL_NOTIFY:
	case RTRMOD_PDU_SERIAL_QUERY:
		buf_put_u32(w, pdu->u.serial.serial);
		break;
	case RTRMOD_PDU_IPV4_PREFIX:
		encode_prefix(w, &pdu->u.prefix, 4);
		break;
	case RTRMOD_PDU_IPV6_PREFIX:
		encode_prefix(w, &pdu->u.prefix, 16);
		break;
	case RTRMOD_PDU_END_OF_DATA:
		buf_put_u32(w, pdu->u.eod.serial);
		if (pdu->version == 0)
			break;
		buf_put_u32(w, pdu->u.eod.refresh);
		buf_put_u32(w, pdu->u.eod.retry);
		buf_put_u32(w, pdu->u.eod.expire);
		break;
	case RTRMOD_PDU_ROUTER_KEY:
		buf_put_bytes(w, pdu->u.router_key.ski, SKI_LEN);
		buf_put_u32(w, pdu->u.router_key.asn);
		buf_put_bytes(w, pdu->u.router_key.spki.ptr, pdu->u.router_key.spki.len);
		break;
	case RTRMOD_PDU_ERROR_REPORT:
		buf_put_u32(w, (uint32_t)e->pdu.len);
		buf_put_bytes(w, e->pdu.ptr, e->pdu.len);
		buf_put_u32(w, (uint32_t)e->text.len);
		buf_put_bytes(w, e->text.ptr, e->text.len);
		break;
	case RTRMOD_PDU_ASPA:
		encode_aspa(w, &pdu->u.aspa);
		break;
	}
}

int
rtrmod_pdu_encode(const struct rtrmod_pdu *pdu, uint8_t *buf, size_t cap, size_t *written)
{
	struct buf_writer w;
	size_t n;

	n = rtrmod_pdu_encoded_len(pdu);
	if (n == 0 || written == NULL)
		return RTRMOD_EINVAL;
	if (cap < n)
		return RTRMOD_ENOSPC;
	if (buf == NULL)
		return RTRMOD_EINVAL;
	buf_writer_init(&w, buf, n);
	buf_put_u8(&w, pdu->version);
	buf_put_u8(&w, pdu->type);
	buf_put_u16(&w, encode_hdr(pdu));
	buf_put_u32(&w, (uint32_t)n);
	encode_body(&w, pdu);
	if (buf_writer_finish(&w, written) != 0 || *written != n)
		return RTRMOD_EINVAL; /* our length and our fields disagree: a bug */
	return 0;
}
