/*
 * rtrmod/common.h: what every part of the public API shares: the export
 * and attribute macros, the library's error codes and their strings.
 *
 * Error convention: a fallible function returns 0 on success or a negative
 * RTRMOD_E* code.  These are the library's own errors; the RFC 8210 §12
 * codes sent in Error Report PDUs are a separate enum in rtrmod/pdu.h.
 */
#ifndef RTRMOD_COMMON_H
#define RTRMOD_COMMON_H

#ifdef __cplusplus
extern "C" {
#endif

/* Symbols are hidden by default (-fvisibility=hidden); this marks the API. */
#if defined(__GNUC__)
#define RTRMOD_EXPORT __attribute__((visibility("default")))
#define RTRMOD_WUR __attribute__((warn_unused_result))
#define RTRMOD_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define RTRMOD_EXPORT
#define RTRMOD_WUR
#define RTRMOD_PRINTF(fmt, args)
#endif

enum rtrmod_error {
	RTRMOD_OK = 0,
	RTRMOD_ENOMEM = -1,     /* allocation failed */
	RTRMOD_EINVAL = -2,     /* invalid argument */
	RTRMOD_EAGAIN = -3,     /* nothing to do yet: more input or readiness needed */
	RTRMOD_ENOSPC = -4,     /* output buffer too small */
	RTRMOD_ETRUNC = -5,     /* input ends before the item it must hold */
	RTRMOD_EPDU = -6,       /* malformed or unacceptable PDU (see its RFC 8210 code) */
	RTRMOD_EIO = -7,        /* system I/O error (errno is logged) */
	RTRMOD_ECLOSED = -8,    /* peer closed the connection */
	RTRMOD_ETIMEDOUT = -9,  /* a deadline passed */
	RTRMOD_ENOENT = -10,    /* no such item */
	RTRMOD_EEXIST = -11,    /* item already present */
	RTRMOD_ERANGE = -12,    /* value out of its allowed range */
	RTRMOD_ENOTSUP = -13,   /* operation or feature not supported */
	RTRMOD_ESTATE = -14,    /* not allowed in the object's current state */
	RTRMOD_EPARSE = -15,    /* malformed source, file or configuration */
	RTRMOD_ELOOP = -16,     /* the event loop refused a watch or timer */
	RTRMOD_EVERIFY = -17,   /* source signature missing, malformed or not verifying */
	RTRMOD_ESTALE = -18,    /* source past its validity or older than the allowed age */
};

/* A static English description of `err`; never NULL, also for unknown codes. */
RTRMOD_EXPORT const char *rtrmod_strerror(int err);

/* The library's release version, e.g. "0.1.0". */
RTRMOD_EXPORT const char *rtrmod_version(void);

#ifdef __cplusplus
}
#endif
#endif
