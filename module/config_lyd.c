/*
 * config_lyd.c: building libyang data trees, for the configuration printer
 * (config_write.c) and the operational state (instance_state.c).  Each
 * helper adds one node under `parent` and maps libyang's error to
 * RTRMOD_ENOMEM (LY_EMEM) or RTRMOD_EINVAL (a value or name the model
 * refuses, which the callers' own checks rule out); cfg_ly_print gives
 * a tree's text in the caller's allocator.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libyang/libyang.h>

#include "config_internal.h"
#include "rtrmod_internal.h"

int
cfg_ly_rc(int err)
{
	return err == LY_SUCCESS ? 0 : err == LY_EMEM ? RTRMOD_ENOMEM : RTRMOD_EINVAL;
}

int
cfg_ly_inner(struct lyd_node *parent, const char *name, struct lyd_node **out)
{
	return cfg_ly_rc(lyd_new_inner(parent, NULL, name, 0, out));
}

/* Values are short (numbers, names, messages of at most 1 KiB); a longer
 * one would be cut at the buffer's end. */
int
cfg_ly_leaf(struct lyd_node *parent, const char *name, const char *fmt, ...)
{
	char value[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	return cfg_ly_rc(lyd_new_term(parent, NULL, name, value, 0, NULL));
}

int
cfg_ly_str(struct lyd_node *parent, const char *name, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return 0;
	return cfg_ly_rc(lyd_new_term(parent, NULL, name, value, 0, NULL));
}

int
cfg_ly_bool(struct lyd_node *parent, const char *name, bool value)
{
	return cfg_ly_str(parent, name, value ? "true" : "false");
}

int
cfg_ly_print(struct rtrmod_ctx *ctx, const struct lyd_node *tree, bool xml, uint32_t options,
	     char **out)
{
	char *text = NULL;
	size_t len;

	*out = NULL;
	if (lyd_print_mem(&text, tree, xml ? LYD_XML : LYD_JSON, options) != LY_SUCCESS)
		return RTRMOD_ENOMEM;
	len = text != NULL ? strlen(text) : 0;
	*out = ctx_alloc(ctx, len + 1);
	if (*out != NULL) {
		if (len > 0)
			memcpy(*out, text, len);
		(*out)[len] = '\0';
	}
	free(text);
	return *out != NULL ? 0 : RTRMOD_ENOMEM;
}
