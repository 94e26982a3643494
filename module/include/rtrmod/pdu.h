/*
 * rtrmod/pdu.h: the RTR PDU codec for protocol versions 0 (RFC 6810),
 * 1 (RFC 8210) and 2 (draft-ietf-sidrops-8210bis, with ASPA).
 *
 * The codec is pure: bytes in, a host-order tagged union out, and back.
 * Decoding checks framing (version, type, exact or bounded length, inner
 * lengths) and never reads past the PDU's own length.  Semantic checks
 * (prefix and max length, flags, timer ranges, reserved fields) are a
 * separate step, rtrmod_pdu_validate().  Every failure carries the RFC
 * 8210 §12 error code that must be sent to the peer in an Error Report.
 *
 * Variable-length parts of a decoded PDU (Router Key SPKI, Error Report
 * contents, ASPA providers) are borrowed from the input bytes.
 */
#ifndef RTRMOD_PDU_H
#define RTRMOD_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/common.h>
#include <rtrmod/ctx.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RTRMOD_PDU_VERSION_MAX 2
#define RTRMOD_PDU_HEADER_LEN 8
/* Default cap on the length of a variable-length PDU we accept. */
#define RTRMOD_PDU_MAX_LEN_DEFAULT (64u * 1024u)

enum rtrmod_pdu_type {
	RTRMOD_PDU_SERIAL_NOTIFY = 0,
	RTRMOD_PDU_SERIAL_QUERY = 1,
	RTRMOD_PDU_RESET_QUERY = 2,
	RTRMOD_PDU_CACHE_RESPONSE = 3,
	RTRMOD_PDU_IPV4_PREFIX = 4,
	RTRMOD_PDU_IPV6_PREFIX = 6,
	RTRMOD_PDU_END_OF_DATA = 7,
	RTRMOD_PDU_CACHE_RESET = 8,
	RTRMOD_PDU_ROUTER_KEY = 9,  /* v1+ */
	RTRMOD_PDU_ERROR_REPORT = 10,
	RTRMOD_PDU_ASPA = 11,       /* v2 */
};

/* Error codes carried in Error Report PDUs (RFC 6810: 0-7; RFC 8210 §12
 * adds 8; draft-ietf-sidrops-8210bis-27 §12 adds 9-13, v2 only). */
enum rtrmod_rtr_error {
	RTRMOD_RTR_CORRUPT_DATA = 0,
	RTRMOD_RTR_INTERNAL_ERROR = 1,
	RTRMOD_RTR_NO_DATA_AVAILABLE = 2,
	RTRMOD_RTR_INVALID_REQUEST = 3,
	RTRMOD_RTR_UNSUPPORTED_VERSION = 4,
	RTRMOD_RTR_UNSUPPORTED_PDU_TYPE = 5,
	RTRMOD_RTR_WITHDRAWAL_OF_UNKNOWN = 6,
	RTRMOD_RTR_DUPLICATE_ANNOUNCEMENT = 7,
	RTRMOD_RTR_UNEXPECTED_VERSION = 8,
	RTRMOD_RTR_ASPA_PROVIDER_LIST_ERROR = 9,
	RTRMOD_RTR_TRANSPORT_FAILED = 10, /* IANA name: "Transport Failure" */
	RTRMOD_RTR_ORDERING_ERROR = 11,
	RTRMOD_RTR_CACHE_RESTART = 12,
	RTRMOD_RTR_CACHE_SHUTDOWN = 13,
};

/* Flag bit 0 of Prefix, Router Key and ASPA PDUs: 1 announce, 0 withdraw. */
#define RTRMOD_PDU_FLAG_ANNOUNCE 0x01

/* A borrowed run of bytes. */
struct rtrmod_bytes {
	const uint8_t *ptr;
	size_t len;
};

/* IPv4 and IPv6 Prefix PDUs (RFC 8210 §5.6, §5.7). */
struct rtrmod_pdu_prefix {
	uint8_t flags;
	uint8_t prefix_len;
	uint8_t max_len;
	uint32_t asn;
	uint8_t addr[16]; /* network byte order; IPv4 uses addr[0..3] */
};

/* End of Data (RFC 8210 §5.8); the timers exist in v1+ only. */
struct rtrmod_pdu_end_of_data {
	uint16_t session_id;
	uint32_t serial;
	uint32_t refresh;
	uint32_t retry;
	uint32_t expire;
};

/* Router Key (RFC 8210 §5.10). */
struct rtrmod_pdu_router_key {
	uint8_t flags;
	uint8_t ski[20];
	uint32_t asn;
	struct rtrmod_bytes spki;
};

/* Error Report (RFC 8210 §5.11).  Text is UTF-8 and not NUL-terminated. */
struct rtrmod_pdu_error_report {
	uint16_t code; /* enum rtrmod_rtr_error, or an unknown value */
	struct rtrmod_bytes pdu;
	struct rtrmod_bytes text;
};

/*
 * ASPA (8210bis): customer AS and its providers.  A withdrawal carries no
 * providers.  Decoding sets `providers_be` (borrowed, 4 bytes each, network
 * order; read with rtrmod_pdu_aspa_provider()) and leaves `providers` NULL;
 * for encoding, set either one.
 */
struct rtrmod_pdu_aspa {
	uint8_t flags;
	uint32_t customer_asn;
	size_t provider_count;
	const uint8_t *providers_be;
	const uint32_t *providers;
};

struct rtrmod_pdu {
	uint8_t version;
	uint8_t type; /* enum rtrmod_pdu_type */
	/* OR of every field the RFC calls zero/reserved, as received;
	 * rtrmod_pdu_validate() reports it when asked to be strict. */
	uint32_t reserved;
	union {
		struct {
			uint16_t session_id;
			uint32_t serial;
		} serial; /* Serial Notify, Serial Query */
		struct {
			uint16_t session_id;
		} cache_response;
		struct rtrmod_pdu_prefix prefix;
		struct rtrmod_pdu_end_of_data eod;
		struct rtrmod_pdu_router_key router_key;
		struct rtrmod_pdu_error_report error;
		struct rtrmod_pdu_aspa aspa;
	} u;
};

/* Why a PDU was refused: the code to send the peer, and a static reason
 * for logs.  `pdu` borrows the offending bytes (as much as is known) for
 * the Error Report's encapsulated PDU. */
struct rtrmod_pdu_error {
	enum rtrmod_rtr_error code;
	const char *reason;
	struct rtrmod_bytes pdu;
};

/* Names for logs; never NULL ("unknown" for values outside the RFCs). */
RTRMOD_EXPORT const char *rtrmod_pdu_type_name(unsigned type);
RTRMOD_EXPORT const char *rtrmod_rtr_error_name(unsigned code);

/*
 * Whether `type` exists in `version` and the length bounds of its PDUs.
 * Returns 0, or RTRMOD_EPDU with err->code Unsupported Protocol Version or
 * Unsupported PDU Type.  `max_len_cap` caps variable-length types (0 means
 * RTRMOD_PDU_MAX_LEN_DEFAULT); in version 2 the cap is at most 65535, the
 * protocol's own limit.  A length outside [*min_len, *max_len] is Corrupt
 * Data.
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_pdu_length_bounds(uint8_t version, uint8_t type,
						      uint32_t max_len_cap, uint32_t *min_len,
						      uint32_t *max_len,
						      struct rtrmod_pdu_error *err);

/*
 * Decode one PDU from the start of buf.  Returns 0 and sets *used to its
 * length; RTRMOD_ETRUNC when buf does not yet hold the whole PDU (*used
 * then tells how many bytes are needed: the header's 8 until it is there,
 * then the PDU's length); or RTRMOD_EPDU with err filled in.  Lengths are
 * checked as rtrmod_pdu_length_bounds() does with the default cap, before
 * any ETRUNC.  err may be NULL.
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_pdu_decode(const uint8_t *buf, size_t len,
					       struct rtrmod_pdu *out, size_t *used,
					       struct rtrmod_pdu_error *err);

enum rtrmod_pdu_validate_flags {
	/* Also refuse non-zero reserved fields.  RFC 8210 §5 says they MUST
	 * be ignored on receipt, so sessions leave this off by default.  It
	 * also refuses prefix bits past the prefix length in v0/v1, which
	 * v2 always refuses (8210bis-27 §5.9). */
	RTRMOD_PDU_STRICT_RESERVED = 1 << 0,
};

/* The semantic checks of RFC 8210 §5/§6 on a decoded PDU.  Returns 0 or
 * RTRMOD_EPDU with err filled in (err->pdu is left empty). */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_pdu_validate(const struct rtrmod_pdu *pdu, unsigned flags,
						 struct rtrmod_pdu_error *err);

/* The encoded length of pdu, or 0 if it cannot be encoded (type not in its
 * version, or a variable part too long). */
RTRMOD_EXPORT size_t rtrmod_pdu_encoded_len(const struct rtrmod_pdu *pdu);

/* Encode pdu into buf.  Returns 0 and sets *written; RTRMOD_ENOSPC if cap
 * is too small; RTRMOD_EINVAL if the PDU cannot exist in its version. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_pdu_encode(const struct rtrmod_pdu *pdu, uint8_t *buf,
					       size_t cap, size_t *written);

/* The i-th provider of an ASPA PDU, from whichever form it holds. */
RTRMOD_EXPORT uint32_t rtrmod_pdu_aspa_provider(const struct rtrmod_pdu_aspa *aspa, size_t i);

/* One line of text describing pdu (like tcpdump's), always NUL-terminated;
 * returns what snprintf would. */
RTRMOD_EXPORT int rtrmod_pdu_format(const struct rtrmod_pdu *pdu, char *buf, size_t size);

/* ---- stream decoder -------------------------------------------------- */

/*
 * Turns a byte stream arriving in arbitrary chunks into whole PDUs.  The
 * header's length is checked against the type's and version's bounds
 * before any body is buffered, so a peer cannot make it hold more than
 * max_len bytes (plus the read chunk that brought them).  After an error
 * the stream is dead: every later call repeats the error (RTR cannot
 * resynchronise a broken stream).
 */
struct rtrmod_pdu_stream;

/* max_len caps variable-length PDUs; 0, or anything above the default
 * (where rtrmod_pdu_decode() caps), means RTRMOD_PDU_MAX_LEN_DEFAULT. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_pdu_stream_new(struct rtrmod_ctx *ctx, uint32_t max_len,
						   struct rtrmod_pdu_stream **out);
RTRMOD_EXPORT void rtrmod_pdu_stream_free(struct rtrmod_pdu_stream *s);

/* Copy `len` bytes in.  Returns 0, RTRMOD_ENOMEM (nothing was taken; the
 * stream is unchanged), or the error of a dead stream.  Call
 * rtrmod_pdu_stream_next() until RTRMOD_EAGAIN after each feed so that at
 * most one PDU plus one chunk is ever buffered. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_pdu_stream_feed(struct rtrmod_pdu_stream *s,
						    const uint8_t *data, size_t len);
/* Zero-copy input: get space for at least `want` bytes (0: a 64 KiB read
 * chunk) to read(2) into, then say how many were written with
 * rtrmod_pdu_stream_commit().  The space stays valid until the next feed or
 * reserve; committing more than *avail in all kills the stream (its
 * calls then return RTRMOD_EINVAL). */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_pdu_stream_reserve(struct rtrmod_pdu_stream *s, size_t want,
						       uint8_t **space, size_t *avail);
RTRMOD_EXPORT void rtrmod_pdu_stream_commit(struct rtrmod_pdu_stream *s, size_t len);

/*
 * The next whole PDU.  Returns 0 with *out set (its borrowed parts stay
 * valid until the next feed or reserve), RTRMOD_EAGAIN when
 * more bytes are needed, or RTRMOD_EPDU with err filled in.  Only framing
 * is checked here; call rtrmod_pdu_validate() on the result.
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_pdu_stream_next(struct rtrmod_pdu_stream *s,
						    struct rtrmod_pdu *out,
						    struct rtrmod_pdu_error *err);

/* Bytes buffered and not yet returned as PDUs. */
RTRMOD_EXPORT size_t rtrmod_pdu_stream_pending(const struct rtrmod_pdu_stream *s);

#ifdef __cplusplus
}
#endif
#endif
