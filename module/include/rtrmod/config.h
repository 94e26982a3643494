/*
 * rtrmod/config.h: the YANG-modelled configuration (yang/rtrmod*.yang),
 * loaded and validated with libyang.  One model for every host: `rtrmod
 * serve`, the FRR module and the BIRD shim read the same file.
 *
 * A configuration is parsed (JSON or XML), validated against the modules
 * compiled into the library (no files needed at run time), and turned into
 * an immutable typed configuration.  Anything wrong refuses the whole file
 * with one message naming the file, the line where libyang knows it, and
 * the YANG data path of the fault.  Applying it is rtrmod/instance.h's job.
 */
#ifndef RTRMOD_CONFIG_H
#define RTRMOD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <rtrmod/common.h>
#include <rtrmod/ctx.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rtrmod_config;

enum rtrmod_config_format {
	RTRMOD_CONFIG_AUTO = 0, /* by file name (.xml is XML) or the first non-blank byte ('<') */
	RTRMOD_CONFIG_JSON = 1, /* RFC 7951 JSON encoding */
	RTRMOD_CONFIG_XML = 2,  /* RFC 7950 XML encoding */
};

/* Why a configuration was refused.  Filled on every failure of a load or
 * an apply; all strings are NUL-terminated (empty when unknown). */
struct rtrmod_config_diag {
	unsigned line;  /* 1-based line in the file; 0 when unknown */
	char path[512]; /* YANG data path of the fault, e.g.
			   "/rtrmod:rtrmod/client/cache-servers/cache-server[address='192.0.2.1'][server-port='323']/refresh-time" */
	char text[1024]; /* the whole message: "FILE:LINE: PATH: what is wrong" */
};

/*
 * Load, validate and convert the configuration in `path`.  RTRMOD_EPARSE
 * for anything the model or the core refuses (diag says what and where),
 * RTRMOD_EIO when the file cannot be read, RTRMOD_ENOTSUP for a modelled
 * feature this build does not implement yet (named in diag).  `diag` may be
 * NULL.
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_config_load_file(struct rtrmod_ctx *ctx, const char *path,
						     enum rtrmod_config_format format,
						     struct rtrmod_config **out,
						     struct rtrmod_config_diag *diag);
/* The same from memory; `name` stands for the file name in messages. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_config_load_mem(struct rtrmod_ctx *ctx, const char *data,
						    size_t len, enum rtrmod_config_format format,
						    const char *name, struct rtrmod_config **out,
						    struct rtrmod_config_diag *diag);
/* NULL is fine. */
RTRMOD_EXPORT void rtrmod_config_free(struct rtrmod_config *config);

/*
 * The configuration as a canonical instance of the model (RFC 7951 JSON or
 * XML, defaults left out), NUL-terminated, in *out (free with
 * rtrmod_ctx_mfree).  Loading that text gives an equal configuration.
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_config_print(const struct rtrmod_config *config,
						 enum rtrmod_config_format format, char **out);
/* Whether two configurations say the same thing (defaults count as written). */
RTRMOD_EXPORT bool rtrmod_config_equal(const struct rtrmod_config *a,
				       const struct rtrmod_config *b);

/* The control socket path for `rtrmod config state` (leaf
 * /rtrmod:rtrmod/control/socket); NULL when none is configured. */
RTRMOD_EXPORT const char *rtrmod_config_control_socket(const struct rtrmod_config *config);

/* The YANG modules compiled into the library: the i-th module's name
 * ("rtrmod", ...) and text; NULL past the end. */
RTRMOD_EXPORT const char *rtrmod_config_yang_module(size_t i, const char **text);

#ifdef __cplusplus
}
#endif
#endif
