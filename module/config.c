/*
 * config.c: loading a configuration: the libyang context built from the
 * modules compiled into the library (no search directories, nothing read
 * from disk), parsing and validating a JSON or XML instance, and turning
 * libyang's errors into one "FILE:LINE: PATH: what" line.
 *
 * libyang's messages are stored, never printed, while the core uses it, and
 * the host's logging options are put back after each call, so a host that
 * uses libyang itself (FRR) keeps its own logging.  (libyang 2.1's
 * thread-local ly_temp_log_options() cannot be used: libyang resets it to
 * NULL inside its own calls.)  Like the rest of the core this runs on the
 * host's loop thread.  One context is built per load: about 2.5 ms, small next to
 * reading and applying a configuration, and nothing is shared between
 * loads.  A configuration is refused whole (DESIGN rule 7).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libyang/libyang.h>

#include "config_internal.h"
#include "rtrmod_internal.h"

/* Larger configuration files are refused rather than read. */
#define CFG_FILE_MAX (16u << 20)

/* Imports are answered from the compiled-in modules only. */
static LY_ERR
cfg_import(const char *mod_name, const char *mod_rev, const char *submod_name,
	   const char *submod_rev, void *user_data, LYS_INFORMAT *format, const char **module_data,
	   void (**free_module_data)(void *model_data, void *user_data))
{
	size_t i;

	(void)mod_rev;
	(void)submod_rev;
	(void)user_data;
	if (submod_name != NULL)
		return LY_ENOTFOUND;
	for (i = 0; i < cfg_yang_module_count; i++) {
		if (strcmp(cfg_yang_modules[i].name, mod_name) == 0) {
			*format = LYS_IN_YANG;
			*module_data = cfg_yang_modules[i].text;
			*free_module_data = NULL;
			return LY_SUCCESS;
		}
	}
	return LY_ENOTFOUND;
}

uint32_t
cfg_ly_quiet(void)
{
	return ly_log_options(LY_LOSTORE_LAST);
}

int
cfg_ly_new(struct ly_ctx **out, struct rtrmod_config_diag *diag)
{
	struct ly_ctx *ly = NULL;
	LY_ERR err;
	size_t i;

	*out = NULL;
	err = ly_ctx_new(NULL, LY_CTX_NO_YANGLIBRARY | LY_CTX_DISABLE_SEARCHDIRS, &ly);
	if (err != LY_SUCCESS) {
		cfg_diag_set(diag, NULL, 0, NULL, "cannot create a libyang context");
		return err == LY_EMEM ? RTRMOD_ENOMEM : RTRMOD_EPARSE;
	}
	ly_ctx_set_module_imp_clb(ly, cfg_import, NULL);
	for (i = 0; i < cfg_yang_module_count; i++) {
		if (ly_ctx_get_module_implemented(ly, cfg_yang_modules[i].name) != NULL)
			continue;
		err = lys_parse_mem(ly, cfg_yang_modules[i].text, LYS_IN_YANG, NULL);
		if (err != LY_SUCCESS) {
			const struct ly_err_item *e = ly_err_last(ly);

			cfg_diag_set(diag, NULL, 0, NULL, "YANG module %s: %s",
				     cfg_yang_modules[i].name,
				     e != NULL ? e->msg : "cannot be loaded");
			ly_ctx_destroy(ly);
			return err == LY_EMEM ? RTRMOD_ENOMEM : RTRMOD_EPARSE;
		}
	}
	*out = ly;
	return 0;
}

/* ---- libyang's error location ------------------------------------------ */

/*
 * libyang 2.1 puts the location in ly_err_item.path as
 * 'Data location "/a:b/c", line number 7.' (either part may be missing).
 * Take the data path and the line.  A missing mandatory node has only a
 * 'Schema location "/a:b/list/choice/case/leaf"': that schema path stands
 * in for the data path, the closest libyang gives.
 */
static void
parse_location(const char *loc, char *path, size_t size, unsigned *line)
{
	const char *p, *end;

	path[0] = '\0';
	*line = 0;
	if (loc == NULL)
		return;
	p = strstr(loc, "Data location \"");
	if (p == NULL)
		p = strstr(loc, "Schema location \"");
	if (p != NULL) {
		p = strchr(p, '"') + 1;
		end = strrchr(p, '"');
		if (end != NULL && (size_t)(end - p) < size) {
			memcpy(path, p, (size_t)(end - p));
			path[end - p] = '\0';
		}
	}
	p = strstr(loc, "ine number ");
	if (p != NULL) {
		unsigned long v = strtoul(p + strlen("ine number "), NULL, 10);

		*line = v > 0 && v < 0xffffffffu ? (unsigned)v : 0;
	}
}

/* The end of the path segment starting at s (its name and predicates),
 * skipping quoted predicate values, which may hold '/'. */
static const char *
segment_end(const char *s)
{
	char quote = 0;

	for (; *s != '\0'; s++) {
		if (quote != 0) {
			if (*s == quote)
				quote = 0;
		} else if (*s == '\'' || *s == '"') {
			quote = *s;
		} else if (*s == '/') {
			break;
		}
	}
	return s;
}

/* Copy the name of the segment at s (without prefix and predicates). */
static void
segment_name(const char *s, char *name, size_t size)
{
	const char *end = s, *colon;
	size_t n;

	while (*end != '\0' && *end != '/' && *end != '[')
		end++;
	colon = memchr(s, ':', (size_t)(end - s));
	if (colon != NULL)
		s = colon + 1;
	n = (size_t)(end - s) < size - 1 ? (size_t)(end - s) : size - 1;
	memcpy(name, s, n);
	name[n] = '\0';
}

struct find_arg {
	const char *name, *child;
	const struct lysc_node *found;
};

static LY_ERR
find_node_cb(struct lysc_node *node, void *data, ly_bool *dfs_continue)
{
	struct find_arg *fa = data;

	(void)dfs_continue;
	if (fa->found == NULL && strcmp(node->name, fa->name) == 0 &&
	    (fa->child[0] == '\0' ||
	     lys_find_child(node, node->module, fa->child, 0, 0, 0) != NULL))
		fa->found = node;
	return LY_SUCCESS;
}

/*
 * libyang 2.1 reports a duplicate list instance with a path that starts at
 * the list's parent ("/rtrmod:cache-servers/cache-server[...]").  Put the
 * missing ancestors back, found by the first two names in the schema.
 */
static void
repair_path(const struct ly_ctx *ly, char *path, size_t size)
{
	const struct lys_module *mod;
	struct find_arg fa;
	char first[64], second[64], *parent;
	const char *s, *rest;
	char fixed[sizeof(((struct rtrmod_config_diag *)0)->path)];

	if (path[0] != '/')
		return;
	s = strchr(path, ':');
	if (s == NULL)
		return;
	{
		char modname[64];
		size_t n = (size_t)(s - path - 1);

		if (n >= sizeof(modname))
			return;
		memcpy(modname, path + 1, n);
		modname[n] = '\0';
		mod = ly_ctx_get_module_implemented(ly, modname);
	}
	if (mod == NULL)
		return;
	segment_name(path + 1, first, sizeof(first));
	if (lys_find_child(NULL, mod, first, 0, 0, 0) != NULL)
		return; /* already absolute */
	rest = segment_end(path + 1);
	second[0] = '\0';
	if (*rest == '/')
		segment_name(rest + 1, second, sizeof(second));
	fa.name = first;
	fa.child = second;
	fa.found = NULL;
	lysc_module_dfs_full(mod, find_node_cb, &fa);
	if (fa.found == NULL || fa.found->parent == NULL)
		return;
	parent = lysc_path(fa.found->parent, LYSC_PATH_DATA, NULL, 0);
	if (parent == NULL)
		return;
	if ((size_t)snprintf(fixed, sizeof(fixed), "%s/%s", parent, s + 1) < sizeof(fixed))
		snprintf(path, size, "%s", fixed);
	free(parent);
}

/* libyang quotes the rest of the input in some messages (a JSON syntax
 * error quotes everything after the fault): keep the message on one line,
 * whitespace runs folded, at most MSG_MAX characters, so a log line stays
 * one readable line. */
#define MSG_MAX 240

static void
one_line(const char *in, char *out, size_t size)
{
	size_t n = 0;
	bool space = false;

	if (size > MSG_MAX + 4)
		size = MSG_MAX + 4;
	for (; *in != '\0'; in++) {
		if (n + 4 >= size) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		if (isspace((unsigned char)*in)) {
			space = n > 0;
			continue;
		}
		if (space && n + 2 < size)
			out[n++] = ' ';
		space = false;
		out[n++] = *in;
	}
	out[n] = '\0';
}

int
cfg_ly_diag(const struct ly_ctx *ly, const struct cfg_src *src, struct rtrmod_config_diag *diag)
{
	const struct ly_err_item *e = ly_err_last(ly);
	char path[sizeof(((struct rtrmod_config_diag *)0)->path)];
	char msg[sizeof(((struct rtrmod_config_diag *)0)->text)];
	unsigned line;

	if (e == NULL) {
		cfg_diag_set(diag, src->name, 0, NULL, "refused by libyang without a message");
		return RTRMOD_EPARSE;
	}
	parse_location(e->path, path, sizeof(path), &line);
	repair_path(ly, path, sizeof(path));
	/* libyang's JSON parser reports a bad leaf value on the line after it
	 * (where it stopped): the leaf's own line, when the path leads to it,
	 * is better.  A path ending in a list entry (unknown child, syntax
	 * error inside it, duplicate entry) keeps libyang's line, which is
	 * past the entry's start, nearer the fault. */
	if (path[0] != '\0') {
		bool exact;
		unsigned located = cfg_locate_line(src->text, src->len, src->xml, path, &exact);

		if (line == 0 || (exact && path[strlen(path) - 1] != ']'))
			line = located;
	}
	one_line(e->msg != NULL ? e->msg : "invalid", msg, sizeof(msg));
	cfg_diag_set(diag, src->name, line, path, "%s", msg);
	return e->no == LY_EMEM ? RTRMOD_ENOMEM : RTRMOD_EPARSE;
}

/* ---- loading --------------------------------------------------------- */

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool
detect_xml(enum rtrmod_config_format format, const char *name, const char *text, size_t len)
{
	size_t i;

	if (format != RTRMOD_CONFIG_AUTO)
		return format == RTRMOD_CONFIG_XML;
	if (name != NULL && ends_with(name, ".xml"))
		return true;
	if (name != NULL && ends_with(name, ".json"))
		return false;
	for (i = 0; i < len; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
			return text[i] == '<';
	return false;
}

int
rtrmod_config_load_mem(struct rtrmod_ctx *ctx, const char *data, size_t len,
		       enum rtrmod_config_format format, const char *name,
		       struct rtrmod_config **out, struct rtrmod_config_diag *diag)
{
	struct cfg_src src;
	struct ly_ctx *ly = NULL;
	struct lyd_node *tree = NULL;
	uint32_t log_opts;
	char *text = NULL;
	int rc;

	if (diag != NULL)
		memset(diag, 0, sizeof(*diag));
	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || out == NULL || (data == NULL && len > 0) ||
	    (format != RTRMOD_CONFIG_AUTO && format != RTRMOD_CONFIG_JSON &&
	     format != RTRMOD_CONFIG_XML))
		return RTRMOD_EINVAL;
	src.name = name != NULL ? name : "(memory)";
	if (len > 0 && memchr(data, '\0', len) != NULL) {
		cfg_diag_set(diag, src.name, 0, NULL, "the configuration holds a NUL byte");
		return RTRMOD_EPARSE;
	}
	/* libyang reads NUL-terminated text. */
	text = ctx_alloc(ctx, len + 1);
	if (text == NULL) {
		cfg_diag_set(diag, src.name, 0, NULL, "out of memory");
		return RTRMOD_ENOMEM;
	}
	if (len > 0)
		memcpy(text, data, len);
	text[len] = '\0';
	src.text = text;
	src.len = len;
	src.xml = detect_xml(format, name, text, len);

	log_opts = cfg_ly_quiet();
	rc = cfg_ly_new(&ly, diag);
	if (rc != 0)
		goto fail;
	/* Strict: unknown nodes are errors.  State nodes are refused by the
	 * parser (NO_STATE) and by validation. */
	if (lyd_parse_data_mem(ly, text, src.xml ? LYD_XML : LYD_JSON,
			       LYD_PARSE_STRICT | LYD_PARSE_NO_STATE,
			       LYD_VALIDATE_NO_STATE | LYD_VALIDATE_PRESENT, &tree) != LY_SUCCESS) {
		rc = cfg_ly_diag(ly, &src, diag);
		goto fail;
	}
	rc = cfg_read(ctx, tree, &src, out, diag);
fail:
	lyd_free_all(tree);
	ly_ctx_destroy(ly);
	ly_log_options(log_opts);
	ctx_free(ctx, text);
	return rc;
}

/* Read a whole file through the context's allocator. */
static int
read_file(struct rtrmod_ctx *ctx, const char *path, char **out, size_t *len,
	  struct rtrmod_config_diag *diag)
{
	FILE *f;
	char *buf = NULL, *bigger;
	size_t cap = 0, n = 0, got;
	int rc = 0;

	f = fopen(path, "rb");
	if (f == NULL) {
		cfg_diag_set(diag, path, 0, NULL, "cannot open: %s", strerror(errno));
		return RTRMOD_EIO;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= CFG_FILE_MAX) {
				cfg_diag_set(diag, path, 0, NULL, "larger than %u bytes",
					     CFG_FILE_MAX);
				rc = RTRMOD_EPARSE;
				goto fail;
			}
			cap = cap == 0 ? 4096 : cap * 2;
			bigger = ctx_realloc(ctx, buf, cap);
			if (bigger == NULL) {
				cfg_diag_set(diag, path, 0, NULL, "out of memory");
				rc = RTRMOD_ENOMEM;
				goto fail;
			}
			buf = bigger;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		cfg_diag_set(diag, path, 0, NULL, "cannot read: %s", strerror(errno));
		rc = RTRMOD_EIO;
		goto fail;
	}
	fclose(f);
	*out = buf;
	*len = n;
	return 0;
fail:
	fclose(f);
	ctx_free(ctx, buf);
	return rc;
}

int
rtrmod_config_load_file(struct rtrmod_ctx *ctx, const char *path, enum rtrmod_config_format format,
			struct rtrmod_config **out, struct rtrmod_config_diag *diag)
{
	char *data = NULL;
	size_t len = 0;
	int rc;

	if (diag != NULL)
		memset(diag, 0, sizeof(*diag));
	if (out != NULL)
		*out = NULL;
	if (ctx == NULL || path == NULL || out == NULL)
		return RTRMOD_EINVAL;
	rc = read_file(ctx, path, &data, &len, diag);
	if (rc != 0)
		return rc;
	rc = rtrmod_config_load_mem(ctx, data, len, format, path, out, diag);
	ctx_free(ctx, data);
	return rc;
}

void
rtrmod_config_free(struct rtrmod_config *config)
{
	cfg_free(config);
}

const char *
rtrmod_config_control_socket(const struct rtrmod_config *config)
{
	return config != NULL ? config->control_socket : NULL;
}

const char *
rtrmod_config_yang_module(size_t i, const char **text)
{
	if (i >= cfg_yang_module_count)
		return NULL;
	if (text != NULL)
		*text = cfg_yang_modules[i].text;
	return cfg_yang_modules[i].name;
}
