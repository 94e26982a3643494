/*
 * rtrmod/slurm.h: local exceptions to RPKI data, SLURM (RFC 8416), with
 * the ASPA members of slurmVersion 2 (draft-ietf-sidrops-aspa-slurm).
 *
 * A struct rtrmod_slurm holds zero or more SLURM files.  A file is taken
 * only if it is valid on its own (RFC 8416 §3: every required member with
 * the right type, no member the RFC does not define, prefixes without host
 * bits, maxPrefixLength within range, SKIs of 20 bytes in base64url) and
 * does not conflict with the files already held (RFC 8416 §4.2: no IP
 * address inside prefixes of two files, no AS number in the BGPsec members
 * of two files, no customer AS in the ASPA members of two files).  A
 * refused file changes nothing, and rtrmod_slurm_error() says which file,
 * where in it ("locallyAddedAssertions.prefixAssertions[2].maxPrefixLength")
 * and what is wrong.
 *
 * Applying the files to a set (RFC 8416 §3.3, §3.4, §4.1): every VRP,
 * router key and ASPA record that a filter of any file matches is removed;
 * then every assertion of every file is added.  Assertions are never
 * removed by filters, and the result holds each record once.  The result
 * is the whole SLURM configuration or, when an apply fails, nothing.
 *
 * Version 2 files may leave out "aspaFilters" and "aspaAssertions"
 * (version 1 files may not have them).  An asserted ASPA whose customer
 * kept a record gets the union of both provider sets, as two ASPA objects
 * would; an aspaFilter for the same customer makes the assertion replace
 * the record instead.
 */
#ifndef RTRMOD_SLURM_H
#define RTRMOD_SLURM_H

#include <stdbool.h>
#include <stddef.h>

#include <rtrmod/common.h>
#include <rtrmod/ctx.h>
#include <rtrmod/records.h>
#include <rtrmod/source.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rtrmod_slurm;

/* What rtrmod_slurm_count() counts for each kind of record. */
enum rtrmod_slurm_count {
	RTRMOD_SLURM_FILTERED = 0,  /* input records a filter removed */
	RTRMOD_SLURM_ASSERTED = 1,  /* distinct assertions added to the output */
	RTRMOD_SLURM_DUPLICATE = 2, /* of those, ones the filtered input held already
				     * (for ASPA: customers that had a record, whose
				     * providers became the union of both) */
};
#define RTRMOD_SLURM_COUNTS 3

/* An object holding no files: applying it changes nothing. */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_slurm_new(struct rtrmod_ctx *ctx, struct rtrmod_slurm **out);
/* NULL is fine. */
RTRMOD_EXPORT void rtrmod_slurm_free(struct rtrmod_slurm *slurm);

/*
 * Add one SLURM file to those held.  Returns 0; RTRMOD_EPARSE when the
 * file is not a valid SLURM file; RTRMOD_EEXIST when it conflicts with a
 * file already held (RFC 8416 §4.2); RTRMOD_EIO when it cannot be read;
 * RTRMOD_EINVAL or RTRMOD_ENOMEM.  On any failure the files held are
 * unchanged.  `name` names a buffer in messages; NULL gives "<buffer>".
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_slurm_load_file(struct rtrmod_slurm *slurm, const char *path);
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_slurm_load_buffer(struct rtrmod_slurm *slurm, const char *name,
						      const void *data, size_t len);

/*
 * Replace every file held by the `count` files at `paths`, all or nothing:
 * the new list is taken only if each file is valid and no two of them
 * conflict; otherwise the old list stays in force.  This is a serving
 * program's reload.  `count` 0 drops every file.  Returns as
 * rtrmod_slurm_load_file().
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_slurm_load_files(struct rtrmod_slurm *slurm,
						     const char *const *paths, size_t count);

/* Drop every file held. */
RTRMOD_EXPORT void rtrmod_slurm_clear(struct rtrmod_slurm *slurm);

/* The files held, in the order they were loaded; names are borrowed. */
RTRMOD_EXPORT size_t rtrmod_slurm_file_count(const struct rtrmod_slurm *slurm);
RTRMOD_EXPORT const char *rtrmod_slurm_file_name(const struct rtrmod_slurm *slurm, size_t index);

/* How many filters (assertions false) or assertions (true) of `kind` the
 * files held carry, all files added up. */
RTRMOD_EXPORT size_t rtrmod_slurm_rules(const struct rtrmod_slurm *slurm,
					enum rtrmod_source_kind kind, bool assertions);

/* Why the last load failed: "FILE: PATH: what", or for a conflict both
 * files and both paths; "" after a successful load.  Borrowed until the
 * next load or free. */
RTRMOD_EXPORT const char *rtrmod_slurm_error(const struct rtrmod_slurm *slurm);

/*
 * Filter `in` and add the assertions, into a new set (*out, a reference
 * the caller owns).  `in` is not changed; when the files change nothing,
 * *out is a new reference to `in` itself.  Returns 0, RTRMOD_EINVAL or
 * RTRMOD_ENOMEM (*out NULL).  Each call resets the counts.
 */
RTRMOD_EXPORT RTRMOD_WUR int rtrmod_slurm_apply(struct rtrmod_slurm *slurm, struct rtrmod_set *in,
						struct rtrmod_set **out);

/* The counts of the last successful apply (0 before one). */
RTRMOD_EXPORT size_t rtrmod_slurm_count(const struct rtrmod_slurm *slurm,
					enum rtrmod_source_kind kind, enum rtrmod_slurm_count what);

#ifdef __cplusplus
}
#endif
#endif
