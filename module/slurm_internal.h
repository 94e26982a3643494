/*
 * slurm_internal.h: what the SLURM object (slurm.c), the file parser
 * (slurm_parse.c) and the apply step (slurm_apply.c) share: one parsed
 * file, the object's fields and the JSON paths of the six lists.
 *
 * A parsed file only exists valid: every entry of every list was checked,
 * and entry i of a list is element i of that JSON array, so a list and an
 * index name the entry in messages.  Files never change after parsing.
 */
#ifndef RTRMOD_SLURM_INTERNAL_H
#define RTRMOD_SLURM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/slurm.h>

/* The six lists a file can hold, in the order they are checked. */
enum slurm_list {
	SLURM_PREFIX_FILTERS = 0,
	SLURM_BGPSEC_FILTERS = 1,
	SLURM_ASPA_FILTERS = 2,
	SLURM_PREFIX_ASSERTIONS = 3,
	SLURM_BGPSEC_ASSERTIONS = 4,
	SLURM_ASPA_ASSERTIONS = 5,
};
#define SLURM_LIST_COUNT 6

/* "validationOutputFilters.prefixFilters" and so on. */
const char *slurm_list_path(enum slurm_list list);

/* Which optional members a filter has. */
#define SLURM_HAS_PREFIX 0x1u
#define SLURM_HAS_ASN    0x2u
#define SLURM_HAS_SKI    0x4u

/* RFC 8416 §3.3.1: a prefix, an AS or both. */
struct slurm_prefix_filter {
	struct rtrmod_prefix prefix;
	uint32_t asn;
	unsigned has;
};

/* RFC 8416 §3.3.2: an AS, a SKI or both. */
struct slurm_key_filter {
	uint8_t ski[20];
	uint32_t asn;
	unsigned has;
};

/* RFC 8416 §3.4.2; the SPKI lives in the file's arena. */
struct slurm_key_assertion {
	uint8_t ski[20];
	uint32_t asn;
	uint32_t spki_len;
	size_t spki_off;
};

/* draft-ietf-sidrops-aspa-slurm; the providers live in the file's arena. */
struct slurm_aspa_assertion {
	uint32_t customer;
	uint32_t count;
	size_t off;
};

struct slurm_file {
	char *name;
	unsigned version;
	struct slurm_prefix_filter *pfilters;
	size_t n_pfilters;
	struct slurm_key_filter *kfilters;
	size_t n_kfilters;
	uint32_t *afilters; /* customer ASes */
	size_t n_afilters;
	struct rtrmod_vrp *passerts;
	size_t n_passerts;
	struct slurm_key_assertion *kasserts;
	size_t n_kasserts;
	struct slurm_aspa_assertion *aasserts;
	size_t n_aasserts;
	uint8_t *spki;
	size_t spki_len, spki_cap;
	uint32_t *providers;
	size_t n_providers, providers_cap;
};

/*
 * Parse and check one SLURM document.  0 with a new file in *out, or
 * RTRMOD_EPARSE with "NAME: PATH: what" in `err`, or RTRMOD_ENOMEM.
 */
int slurm_file_parse(struct rtrmod_ctx *ctx, const char *name, const void *data, size_t len,
		     struct slurm_file **out, char *err, size_t err_size);
void slurm_file_free(struct rtrmod_ctx *ctx, struct slurm_file *file);

struct rtrmod_slurm {
	struct rtrmod_ctx *ctx;
	struct slurm_file **files;
	size_t n_files;
	size_t counts[RTRMOD_SOURCE_KIND_COUNT][RTRMOD_SLURM_COUNTS];
	char error[1024];
};

#endif
