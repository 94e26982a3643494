/*
 * errors.c: the library's error strings and version.  Codes are negative
 * so that 0 is success and any count can share the return value.
 */
#include "config.h"

#include <rtrmod/common.h>

#include "rtrmod_internal.h"

static const char *const error_strings[] = {
	[0] = "success",
	[-RTRMOD_ENOMEM] = "out of memory",
	[-RTRMOD_EINVAL] = "invalid argument",
	[-RTRMOD_EAGAIN] = "try again: more input or readiness needed",
	[-RTRMOD_ENOSPC] = "output buffer too small",
	[-RTRMOD_ETRUNC] = "input truncated",
	[-RTRMOD_EPDU] = "malformed or unacceptable PDU",
	[-RTRMOD_EIO] = "I/O error",
	[-RTRMOD_ECLOSED] = "connection closed by peer",
	[-RTRMOD_ETIMEDOUT] = "timed out",
	[-RTRMOD_ENOENT] = "no such item",
	[-RTRMOD_EEXIST] = "item already exists",
	[-RTRMOD_ERANGE] = "value out of range",
	[-RTRMOD_ENOTSUP] = "not supported",
	[-RTRMOD_ESTATE] = "not allowed in the current state",
	[-RTRMOD_EPARSE] = "malformed input",
	[-RTRMOD_ELOOP] = "event loop refused the request",
	[-RTRMOD_EVERIFY] = "signature missing or not verifying",
	[-RTRMOD_ESTALE] = "data expired or too old",
};

const char *
rtrmod_strerror(int err)
{
	if (err > 0 || (size_t)-(long)err >= ARRAY_SIZE(error_strings) ||
	    error_strings[-err] == NULL)
		return "unknown error";
	return error_strings[-err];
}

const char *
rtrmod_version(void)
{
	return PACKAGE_VERSION;
}
