/*
 * config_view.c: counts and section comparisons read from a configuration's
 * canonical JSON print (config_view.h).  The print leaves defaults out and
 * orders lists as the model does, so two sections that say the same thing
 * print the same JSON and compare equal with json_equal().
 */
#include "config.h"

#include <jansson.h>

#include "config_view.h"

/* Schema node names of yang/rtrmod.yang that the tools read. */
#define VIEW_CLIENT    "client"
#define VIEW_CACHES    "cache-servers" /* container in client */
#define VIEW_CACHE     "cache-server"  /* list in cache-servers */
#define VIEW_SERVER    "cache-server"  /* the in-process server */
#define VIEW_LISTENERS "listener"      /* list in cache-server */
#define VIEW_SOURCES   "sources"
#define VIEW_SOURCE    "source" /* list in sources */
#define VIEW_SLURM     "slurm"  /* leaf-list in sources */

/* The configuration as a JSON document; the top container may be absent
 * (an empty configuration prints as {}). */
static int
view_load(struct rtrmod_ctx *ctx, const struct rtrmod_config *config, json_t **out)
{
	json_error_t jerr;
	char *text = NULL;
	int rc;

	*out = NULL;
	rc = rtrmod_config_print(config, RTRMOD_CONFIG_JSON, &text);
	if (rc != 0)
		return rc;
	*out = json_loads(text, JSON_DECODE_ANY, &jerr);
	rtrmod_ctx_mfree(ctx, text);
	if (*out == NULL || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return RTRMOD_EPARSE;
	}
	return 0;
}

/* Entries of the list or leaf-list `name` in `obj` (0 when absent). */
static size_t
view_count(json_t *obj, const char *name)
{
	json_t *list = json_object_get(obj, name);

	return json_is_array(list) ? json_array_size(list) : 0;
}

int
config_view_summary(struct rtrmod_ctx *ctx, const struct rtrmod_config *config,
		    struct config_summary *out)
{
	json_t *doc, *top, *server, *sources;
	int rc;

	*out = (struct config_summary){0};
	rc = view_load(ctx, config, &doc);
	if (rc != 0)
		return rc;
	top = json_object_get(doc, CONFIG_VIEW_TOP);
	out->caches =
	    view_count(json_object_get(json_object_get(top, VIEW_CLIENT), VIEW_CACHES), VIEW_CACHE);
	server = json_object_get(top, VIEW_SERVER);
	out->server = json_is_object(server);
	out->listeners = view_count(server, VIEW_LISTENERS);
	sources = json_object_get(top, VIEW_SOURCES);
	out->sources = view_count(sources, VIEW_SOURCE);
	out->slurms = view_count(sources, VIEW_SLURM);
	json_decref(doc);
	return 0;
}

int
config_view_section_equal(struct rtrmod_ctx *ctx, const struct rtrmod_config *a,
			  const struct rtrmod_config *b, const char *name, bool *equal)
{
	json_t *da = NULL, *db = NULL, *sa, *sb;
	int rc;

	*equal = false;
	if ((rc = view_load(ctx, a, &da)) != 0 || (rc = view_load(ctx, b, &db)) != 0)
		goto out;
	sa = json_object_get(json_object_get(da, CONFIG_VIEW_TOP), name);
	sb = json_object_get(json_object_get(db, CONFIG_VIEW_TOP), name);
	*equal = (sa == NULL && sb == NULL) || (sa != NULL && sb != NULL && json_equal(sa, sb));
out:
	json_decref(da);
	json_decref(db);
	return rc;
}
