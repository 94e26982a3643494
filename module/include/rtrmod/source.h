/*
 * rtrmod/source.h: loading a VRP set from the JSON documents relying-party
 * software writes: rpki-client (-j), StayRTR/GoRTR/OctoRPKI rpki.json and
 * Routinator (json, jsonext).  A source parses a document into an
 * immutable struct rtrmod_set and keeps the statistics of its last load.
 *
 * A record that fails its checks (bad prefix or AS, max length out of
 * range, past its "expires") is dropped and counted by reason; the rest of
 * the document still loads.  A document that is not JSON, or has no "roas"
 * member at all, is refused whole with RTRMOD_EPARSE and a message naming
 * the document and, where known, the line and column of the fault.  Opt-in
 * checks refuse a document whole as well: its signature (GoRTR/OctoRPKI)
 * and its age.  A refused load never yields part of a set.
 */
#ifndef RTRMOD_SOURCE_H
#define RTRMOD_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/common.h>
#include <rtrmod/ctx.h>
#include <rtrmod/records.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The kinds of record a source carries. */
enum rtrmod_source_kind {
	RTRMOD_SOURCE_VRP = 0,        /* "roas" */
	RTRMOD_SOURCE_ROUTER_KEY = 1, /* "bgpsec_keys" (Routinator: "routerKeys") */
	RTRMOD_SOURCE_ASPA = 2,       /* "aspas", or rpki-client's older
				       * "provider_authorizations" {ipv4, ipv6} */
};
#define RTRMOD_SOURCE_KIND_COUNT 3

/* Why a record was dropped.  A record counts once, under the first check
 * it fails, in this order. */
enum rtrmod_source_drop {
	RTRMOD_SOURCE_DROP_MALFORMED = 0,  /* not an object, or a member of the wrong type */
	RTRMOD_SOURCE_DROP_PREFIX = 1,     /* prefix missing or not a whole prefix */
	RTRMOD_SOURCE_DROP_ASN = 2,        /* AS missing or not 0..4294967295 ("AS" allowed) */
	RTRMOD_SOURCE_DROP_MAX_LENGTH = 3, /* max length missing, < prefix length or > 32/128 */
	RTRMOD_SOURCE_DROP_SKI = 4,        /* router key SKI not 40 hex digits */
	RTRMOD_SOURCE_DROP_KEY = 5,        /* router key SPKI missing or not base64 */
	RTRMOD_SOURCE_DROP_PROVIDERS = 6,  /* ASPA provider list missing, empty or with a bad AS */
	RTRMOD_SOURCE_DROP_EXPIRED = 7,    /* "expires" is before the load's `now` */
};
#define RTRMOD_SOURCE_DROP_COUNT 8

/* Which producer the document looks like it came from (informational:
 * every format's members are accepted in every document). */
enum rtrmod_source_format {
	RTRMOD_SOURCE_FORMAT_UNKNOWN = 0,
	RTRMOD_SOURCE_FORMAT_RPKI_CLIENT = 1, /* metadata.buildtime */
	RTRMOD_SOURCE_FORMAT_GORTR = 2,      /* GoRTR/OctoRPKI/StayRTR: metadata.generated, valid */
	RTRMOD_SOURCE_FORMAT_ROUTINATOR = 3, /* metadata.generatedTime */
};

/* A JSON source: load options in, set and statistics of the last load out. */
struct rtrmod_source;

RTRMOD_EXPORT RTRMOD_WUR int rtrmod_source_new(struct rtrmod_ctx *ctx, struct rtrmod_source **out);
/* NULL is fine. */
RTRMOD_EXPORT void rtrmod_source_free(struct rtrmod_source *src);

/* Keep records past their "expires" (for studying old snapshots).  Off by
 * default. */
RTRMOD_EXPORT void rtrmod_source_set_ignore_expiry(struct rtrmod_source *src, bool ignore);

/*
 * Parse a JSON document into a new set (*out, a reference the caller owns).
 * `now` is the time in seconds since the epoch that "expires" is compared
 * with: a record expires once now > expires.  Returns 0, or RTRMOD_EPARSE
 * (refused: see rtrmod_source_error()), RTRMOD_EVERIFY or RTRMOD_ESTALE
 * (refused by the checks below), RTRMOD_ESTATE (verification on without a
 * key), RTRMOD_EIO (the file could not be read), RTRMOD_EINVAL or
 * RTRMOD_ENOMEM; *out is NULL on failure and the caller keeps its set.  Each
 * call resets the statistics.  `name` names a buffer in messages (a URL,
 * say); NULL gives "<buffer>".
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_source_load_json_file(struct rtrmod_source *src,
							  const char *path, int64_t now,
							  struct rtrmod_set **out);
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_source_load_json_buffer(struct rtrmod_source *src,
							    const char *name, const void *data,
							    size_t len, int64_t now,
							    struct rtrmod_set **out);

/* Why the last load failed ("FILE: line L, column C: what"); "" after a
 * successful load.  Borrowed until the next load or free. */
RTRMOD_EXPORT const char *rtrmod_source_error(const struct rtrmod_source *src);

/* Statistics of the last load.  Accepted counts records that passed their
 * checks, duplicates included (the set keeps one of each); for ASPA it
 * counts entries, so the older layout counts each AFI's entry. */
RTRMOD_EXPORT size_t rtrmod_source_accepted(const struct rtrmod_source *src,
					    enum rtrmod_source_kind kind);
RTRMOD_EXPORT size_t rtrmod_source_dropped(const struct rtrmod_source *src,
					   enum rtrmod_source_kind kind,
					   enum rtrmod_source_drop reason);
/* All reasons added up. */
RTRMOD_EXPORT size_t rtrmod_source_dropped_total(const struct rtrmod_source *src,
						 enum rtrmod_source_kind kind);
RTRMOD_EXPORT enum rtrmod_source_format rtrmod_source_format(const struct rtrmod_source *src);

/* When the document was built, from metadata "buildtime" (RFC 3339),
 * "generated" (seconds) or "generatedTime" (RFC 3339), in that order of
 * preference.  False if it says none of them. */
RTRMOD_EXPORT bool rtrmod_source_build_time(const struct rtrmod_source *src, int64_t *out);
/* GoRTR/OctoRPKI metadata "valid": when the document as a whole expires. */
RTRMOD_EXPORT bool rtrmod_source_valid_until(const struct rtrmod_source *src, int64_t *out);
/* The earliest "expires" among the records kept: when the set must be
 * loaded again.  False if no record kept carries one. */
RTRMOD_EXPORT bool rtrmod_source_next_expiry(const struct rtrmod_source *src, int64_t *out);

/* ---- signed documents (GoRTR/OctoRPKI) ------------------------------------
 *
 * GoRTR's signed prefix file (cloudflare/gortr prefixfile/prefixfile.go)
 * carries two hex DER ECDSA P-256 / SHA-256 signatures in its metadata:
 * "signatureDate" over S and "signature" over "<generated>," S "<valid>",
 * where S is the bytewise-sorted concatenation of "<prefix>,<maxLength>,
 * <asn>," for every roa, the AS as written ("AS13335", or 13335).  With
 * verification on, a document is refused whole with RTRMOD_EVERIFY
 * unless both verify with the configured key over every roa it holds,
 * dropped ones included.  Router keys and ASPAs, which the signature cannot
 * cover, refuse it too, and a roa's "expires", which it does not cover, is
 * ignored.  Verification is off by default (StayRTR's -verify and
 * -verify.key).
 */

/* The public key to verify with: a PEM "PUBLIC KEY" (SubjectPublicKeyInfo)
 * for ECDSA on P-256, from a file or a buffer.  Returns 0, RTRMOD_EPARSE
 * (not such a key: see rtrmod_source_error()), RTRMOD_EIO, RTRMOD_EINVAL or
 * RTRMOD_ENOMEM; on failure the key set before stays. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_source_set_verify_key_file(struct rtrmod_source *src,
							       const char *path);
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_source_set_verify_key_pem(struct rtrmod_source *src,
							      const void *pem, size_t len);
/* Verify every document loaded from now on.  A load with verification on
 * and no key fails with RTRMOD_ESTATE. */
RTRMOD_EXPORT void rtrmod_source_set_verify(struct rtrmod_source *src, bool on);
/* Whether the last load verified the document's signatures. */
RTRMOD_EXPORT bool rtrmod_source_verified(const struct rtrmod_source *src);

/* ---- time checks ----------------------------------------------------------
 *
 * With time checking on (StayRTR/GoRTR -checktime; off by default), a load
 * is refused whole with RTRMOD_ESTALE when its `now` is past the
 * document's metadata "valid", or more than the maximum age after its build
 * time (rtrmod_source_build_time(); a document that states none is refused
 * unless the maximum age is 0).  When its signature is verified, the build
 * time is the signed "generated", never the unsigned "buildtime".
 */
RTRMOD_EXPORT void rtrmod_source_set_check_time(struct rtrmod_source *src, bool on);
/* The maximum age in seconds; 0 checks "valid" only.  Default 86400, the
 * 24 hours of StayRTR. */
RTRMOD_EXPORT void rtrmod_source_set_max_age(struct rtrmod_source *src, uint32_t seconds);
/*
 * The last second at which the set of the last successful load may still
 * be served: the earlier of its "valid" and build time + maximum age.  A
 * server stops serving that set once its clock is past this (DESIGN rule
 * 7).  Unlike the statistics this is kept through failed loads, since the
 * caller keeps serving the last good set.  False while time checking was
 * off for that load, or when the document gave neither time.
 */
RTRMOD_EXPORT bool rtrmod_source_fresh_until(const struct rtrmod_source *src, int64_t *out);

/* Static names: "vrp", "router-key", "aspa"; "malformed", "prefix", "asn",
 * "max-length", "ski", "key", "providers", "expired"; "rpki-client",
 * "gortr", "routinator", "unknown".  Never NULL. */
RTRMOD_EXPORT const char *rtrmod_source_kind_name(enum rtrmod_source_kind kind);
RTRMOD_EXPORT const char *rtrmod_source_drop_name(enum rtrmod_source_drop reason);
RTRMOD_EXPORT const char *rtrmod_source_format_name(enum rtrmod_source_format format);

#ifdef __cplusplus
}
#endif
#endif
