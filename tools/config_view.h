/*
 * config_view.h: what the rtrmod program reads out of a configuration.  The
 * typed configuration is opaque to hosts, so the tools read its canonical
 * RFC 7951 JSON print (rtrmod_config_print), which is the model itself:
 * the node names here are the YANG schema's (yang/rtrmod.yang).
 */
#ifndef CONFIG_VIEW_H
#define CONFIG_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include <rtrmod/rtrmod.h>

/* The module's top container, as RFC 7951 names it (module:name). */
#define CONFIG_VIEW_TOP "rtrmod:rtrmod"

/* The counts `rtrmod config check` reports. */
struct config_summary {
	size_t caches;    /* the client's cache servers */
	bool server;      /* the in-process cache server is configured */
	size_t listeners; /* its listening addresses */
	size_t sources;   /* VRP sources of the cache server */
	size_t slurms;    /* SLURM files */
};

/* 0, or a negative RTRMOD_E* (printing failed, or the print is not JSON). */
int config_view_summary(struct rtrmod_ctx *ctx, const struct rtrmod_config *config,
			struct config_summary *out);

/*
 * Whether the top-level section `name` ("sources", "control", ...) says the
 * same in both (an absent section equals an absent one).  0 with *equal
 * set, or a negative RTRMOD_E*.
 */
int config_view_section_equal(struct rtrmod_ctx *ctx, const struct rtrmod_config *a,
			      const struct rtrmod_config *b, const char *name, bool *equal);

#endif
