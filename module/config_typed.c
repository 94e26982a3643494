/*
 * config_typed.c: the typed configuration's own helpers: the defaults of
 * the model, field-by-field equality (the rule for "unchanged" when a
 * configuration is applied again, and rtrmod_config_equal), deep copy,
 * freeing, and the diagnostics a refused load or apply fills in.
 *
 * Invariants: a configuration owns every string and array it points to,
 * all from its context's allocator; a copy shares nothing with its
 * original, and a copy that fails leaves nothing allocated.  Equality
 * compares every field, strings by content (NULL, "not set", equals only
 * NULL) and ordered lists in order, since order is what the model keeps;
 * the keyed lists (caches, listeners) compare as sets by their entries.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rtrmod/pdu.h>

#include "config_internal.h"
#include "rtrmod_internal.h"

/* Defaults of the model (yang/rtrmod.yang uses the same). */
#define CFG_RTR_PORT        323 /* IANA "rpki-rtr" (RFC 6810 §7, RFC 8210 §7) */
#define CFG_PREFERENCE      1
#define CFG_REFRESH         3600 /* RFC 8210 §6 */
#define CFG_RETRY           600
#define CFG_EXPIRE          7200
#define CFG_TIMEOUT_MS      30000 /* as rtrmod_client_add_cache */
#define CFG_HISTORY         32    /* as rtrmod_cache_new */
#define CFG_MAX_SESSIONS    1024  /* as rtrmod_cache_new */
#define CFG_SEND_MS         30000 /* as rtrmod_cache_new */
#define CFG_HANDSHAKE_MS    30000 /* as rtrmod_cache_new */
#define CFG_SOURCES_REFRESH 600   /* as rtrmod_feed_new (StayRTR's -refresh) */
#define CFG_SOURCES_MAX_AGE 86400 /* as rtrmod_feed_new */
#define CFG_HTTP_PORT       9847  /* as the model (yang/rtrmod.yang) */

/* ---- defaults ------------------------------------------------------------- */

void
cfg_cache_defaults(struct cfg_cache *c)
{
	memset(c, 0, sizeof(*c));
	c->port = CFG_RTR_PORT;
	c->preference = CFG_PREFERENCE;
	c->version_max = RTRMOD_PDU_VERSION_MAX;
	c->refresh = CFG_REFRESH;
	c->retry = CFG_RETRY;
	c->expire = CFG_EXPIRE;
	c->timeout_ms = CFG_TIMEOUT_MS;
	c->transport = CFG_TRANSPORT_TCP;
}

void
cfg_listener_defaults(struct cfg_listener *l)
{
	memset(l, 0, sizeof(*l));
	l->port = CFG_RTR_PORT;
	l->transport = CFG_TRANSPORT_TCP;
}

struct rtrmod_config *
cfg_new_default(struct rtrmod_ctx *ctx)
{
	struct rtrmod_config *c;

	if (ctx == NULL || (c = ctx_zalloc(ctx, sizeof(*c))) == NULL)
		return NULL;
	c->ctx = ctx;
	c->server.enabled = false;
	c->server.version_min = 0;
	c->server.version_max = RTRMOD_PDU_VERSION_MAX;
	c->server.history = CFG_HISTORY;
	c->server.max_sessions = CFG_MAX_SESSIONS;
	c->server.refresh = CFG_REFRESH;
	c->server.retry = CFG_RETRY;
	c->server.expire = CFG_EXPIRE;
	c->server.send_timeout_ms = CFG_SEND_MS;
	c->server.handshake_timeout_ms = CFG_HANDSHAKE_MS;
	c->sources.refresh = CFG_SOURCES_REFRESH;
	c->sources.check_time = false;
	c->sources.max_age = CFG_SOURCES_MAX_AGE;
	c->sources.serve_vrps = c->sources.serve_router_keys = c->sources.serve_aspas = true;
	c->validation.local_as = 0;
	c->validation.aspa = false;
	c->http.enabled = false;
	snprintf(c->http.address, sizeof(c->http.address), "127.0.0.1");
	c->http.port = CFG_HTTP_PORT;
	c->http.metrics = true;
	c->http.export_json = true;
	return c;
}

/* ---- equality --------------------------------------------------------------- */

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
tls_eq(const struct cfg_tls *a, const struct cfg_tls *b)
{
	return str_eq(a->ca_file, b->ca_file) && str_eq(a->cert_file, b->cert_file) &&
	       str_eq(a->key_file, b->key_file) && str_eq(a->server_name, b->server_name);
}

static bool
ssh_eq(const struct cfg_ssh *a, const struct cfg_ssh *b)
{
	return str_eq(a->username, b->username) &&
	       str_eq(a->private_key_file, b->private_key_file) &&
	       str_eq(a->host_key_file, b->host_key_file) &&
	       str_eq(a->authorized_keys_file, b->authorized_keys_file);
}

static bool
prefix_eq(const struct rtrmod_prefix *a, const struct rtrmod_prefix *b)
{
	return a->afi == b->afi && a->len == b->len &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

bool
cfg_cache_equal(const struct cfg_cache *a, const struct cfg_cache *b)
{
	return strcmp(a->address, b->address) == 0 && a->port == b->port &&
	       a->preference == b->preference && strcmp(a->local_address, b->local_address) == 0 &&
	       a->version_max == b->version_max && a->refresh == b->refresh &&
	       a->retry == b->retry && a->expire == b->expire && a->timeout_ms == b->timeout_ms &&
	       a->transport == b->transport && tls_eq(&a->tls, &b->tls) && ssh_eq(&a->ssh, &b->ssh);
}

bool
cfg_listener_equal(const struct cfg_listener *a, const struct cfg_listener *b)
{
	return strcmp(a->address, b->address) == 0 && a->port == b->port &&
	       a->transport == b->transport && tls_eq(&a->tls, &b->tls) && ssh_eq(&a->ssh, &b->ssh);
}

bool
cfg_server_settings_equal(const struct cfg_server *a, const struct cfg_server *b)
{
	if (a->enabled != b->enabled || a->version_min != b->version_min ||
	    a->version_max != b->version_max || a->history != b->history ||
	    a->max_sessions != b->max_sessions || a->nacl != b->nacl || a->refresh != b->refresh ||
	    a->retry != b->retry || a->expire != b->expire ||
	    a->send_timeout_ms != b->send_timeout_ms ||
	    a->handshake_timeout_ms != b->handshake_timeout_ms)
		return false;
	for (size_t i = 0; i < a->nacl; i++)
		if (!prefix_eq(&a->acl[i], &b->acl[i]))
			return false;
	return true;
}

bool
cfg_sources_equal(const struct cfg_sources *a, const struct cfg_sources *b)
{
	if (a->n != b->n || a->refresh != b->refresh || a->check_time != b->check_time ||
	    a->max_age != b->max_age || !str_eq(a->verify_key_file, b->verify_key_file) ||
	    a->nslurm != b->nslurm || a->serve_vrps != b->serve_vrps ||
	    a->serve_router_keys != b->serve_router_keys || a->serve_aspas != b->serve_aspas)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!str_eq(a->list[i].name, b->list[i].name) ||
		    !str_eq(a->list[i].file, b->list[i].file) ||
		    !str_eq(a->list[i].url, b->list[i].url))
			return false;
	for (size_t i = 0; i < a->nslurm; i++)
		if (!str_eq(a->slurm[i], b->slurm[i]))
			return false;
	return true;
}

/* Caches and listeners are keyed lists: compared as sets by their keys. */
static bool
caches_equal(const struct rtrmod_config *a, const struct rtrmod_config *b)
{
	size_t i, j;

	if (a->ncaches != b->ncaches)
		return false;
	for (i = 0; i < a->ncaches; i++) {
		for (j = 0; j < b->ncaches; j++)
			if (cfg_cache_equal(&a->caches[i], &b->caches[j]))
				break;
		if (j == b->ncaches)
			return false;
	}
	return true;
}

static bool
listeners_equal(const struct cfg_server *a, const struct cfg_server *b)
{
	size_t i, j;

	if (a->nlisteners != b->nlisteners)
		return false;
	for (i = 0; i < a->nlisteners; i++) {
		for (j = 0; j < b->nlisteners; j++)
			if (cfg_listener_equal(&a->listeners[i], &b->listeners[j]))
				break;
		if (j == b->nlisteners)
			return false;
	}
	return true;
}

bool
rtrmod_config_equal(const struct rtrmod_config *a, const struct rtrmod_config *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return caches_equal(a, b) && cfg_server_settings_equal(&a->server, &b->server) &&
	       listeners_equal(&a->server, &b->server) &&
	       cfg_sources_equal(&a->sources, &b->sources) &&
	       a->validation.local_as == b->validation.local_as &&
	       a->validation.aspa == b->validation.aspa && a->http.enabled == b->http.enabled &&
	       (!a->http.enabled ||
		(strcmp(a->http.address, b->http.address) == 0 && a->http.port == b->http.port &&
		 a->http.metrics == b->http.metrics &&
		 a->http.export_json == b->http.export_json)) &&
	       str_eq(a->control_socket, b->control_socket);
}

/* ---- copy and free ------------------------------------------------------------ */

/* Each copier assigns every pointer it is given a copy or NULL, and clears
 * *ok when an allocation fails, so a half-made copy is safe to free. */
static char *
dup_str(struct rtrmod_ctx *ctx, const char *s, bool *ok)
{
	size_t n;
	char *d;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	if ((d = ctx_alloc(ctx, n)) == NULL) {
		*ok = false;
		return NULL;
	}
	memcpy(d, s, n);
	return d;
}

/* An array of n elements of `size`, zeroed; NULL for none or on failure
 * (*n becomes 0 then, so the copy frees nothing it does not own). */
static void *
dup_array(struct rtrmod_ctx *ctx, size_t *n, size_t size, bool *ok)
{
	void *p;

	if (*n == 0)
		return NULL;
	if ((p = ctx_zalloc(ctx, *n * size)) == NULL) {
		*ok = false;
		*n = 0;
	}
	return p;
}

static void
tls_copy(struct rtrmod_ctx *ctx, struct cfg_tls *d, const struct cfg_tls *s, bool *ok)
{
	d->ca_file = dup_str(ctx, s->ca_file, ok);
	d->cert_file = dup_str(ctx, s->cert_file, ok);
	d->key_file = dup_str(ctx, s->key_file, ok);
	d->server_name = dup_str(ctx, s->server_name, ok);
}

static void
ssh_copy(struct rtrmod_ctx *ctx, struct cfg_ssh *d, const struct cfg_ssh *s, bool *ok)
{
	d->username = dup_str(ctx, s->username, ok);
	d->private_key_file = dup_str(ctx, s->private_key_file, ok);
	d->host_key_file = dup_str(ctx, s->host_key_file, ok);
	d->authorized_keys_file = dup_str(ctx, s->authorized_keys_file, ok);
}

static void
tls_free(struct rtrmod_ctx *ctx, struct cfg_tls *t)
{
	ctx_free(ctx, t->ca_file);
	ctx_free(ctx, t->cert_file);
	ctx_free(ctx, t->key_file);
	ctx_free(ctx, t->server_name);
}

static void
ssh_free(struct rtrmod_ctx *ctx, struct cfg_ssh *s)
{
	ctx_free(ctx, s->username);
	ctx_free(ctx, s->private_key_file);
	ctx_free(ctx, s->host_key_file);
	ctx_free(ctx, s->authorized_keys_file);
}

static void
copy_caches(struct rtrmod_ctx *ctx, struct rtrmod_config *d, const struct rtrmod_config *s,
	    bool *ok)
{
	d->ncaches = s->ncaches;
	d->caches = dup_array(ctx, &d->ncaches, sizeof(*d->caches), ok);
	for (size_t i = 0; i < d->ncaches; i++) {
		d->caches[i] = s->caches[i];
		tls_copy(ctx, &d->caches[i].tls, &s->caches[i].tls, ok);
		ssh_copy(ctx, &d->caches[i].ssh, &s->caches[i].ssh, ok);
	}
}

static void
copy_server(struct rtrmod_ctx *ctx, struct cfg_server *d, const struct cfg_server *s, bool *ok)
{
	d->nlisteners = s->nlisteners;
	d->listeners = dup_array(ctx, &d->nlisteners, sizeof(*d->listeners), ok);
	for (size_t i = 0; i < d->nlisteners; i++) {
		d->listeners[i] = s->listeners[i];
		tls_copy(ctx, &d->listeners[i].tls, &s->listeners[i].tls, ok);
		ssh_copy(ctx, &d->listeners[i].ssh, &s->listeners[i].ssh, ok);
	}
	d->nacl = s->nacl;
	d->acl = dup_array(ctx, &d->nacl, sizeof(*d->acl), ok);
	if (d->nacl > 0)
		memcpy(d->acl, s->acl, d->nacl * sizeof(*d->acl));
}

static void
copy_sources(struct rtrmod_ctx *ctx, struct cfg_sources *d, const struct cfg_sources *s, bool *ok)
{
	d->n = s->n;
	d->list = dup_array(ctx, &d->n, sizeof(*d->list), ok);
	for (size_t i = 0; i < d->n; i++) {
		d->list[i].name = dup_str(ctx, s->list[i].name, ok);
		d->list[i].file = dup_str(ctx, s->list[i].file, ok);
		d->list[i].url = dup_str(ctx, s->list[i].url, ok);
	}
	d->verify_key_file = dup_str(ctx, s->verify_key_file, ok);
	d->nslurm = s->nslurm;
	d->slurm = dup_array(ctx, &d->nslurm, sizeof(*d->slurm), ok);
	for (size_t i = 0; i < d->nslurm; i++)
		d->slurm[i] = dup_str(ctx, s->slurm[i], ok);
}

struct rtrmod_config *
cfg_dup(struct rtrmod_ctx *ctx, const struct rtrmod_config *config)
{
	struct rtrmod_config *d;
	bool ok = true;

	if (ctx == NULL || config == NULL || (d = ctx_alloc(ctx, sizeof(*d))) == NULL)
		return NULL;
	/* Scalars and fixed arrays by value; every pointer is replaced below. */
	*d = *config;
	d->ctx = ctx;
	d->name = dup_str(ctx, config->name, &ok);
	copy_caches(ctx, d, config, &ok);
	copy_server(ctx, &d->server, &config->server, &ok);
	copy_sources(ctx, &d->sources, &config->sources, &ok);
	d->control_socket = dup_str(ctx, config->control_socket, &ok);
	if (!ok) {
		cfg_free(d);
		return NULL;
	}
	return d;
}

void
cfg_free(struct rtrmod_config *c)
{
	struct rtrmod_ctx *ctx;

	if (c == NULL)
		return;
	ctx = c->ctx;
	for (size_t i = 0; i < c->ncaches; i++) {
		tls_free(ctx, &c->caches[i].tls);
		ssh_free(ctx, &c->caches[i].ssh);
	}
	ctx_free(ctx, c->caches);
	for (size_t i = 0; i < c->server.nlisteners; i++) {
		tls_free(ctx, &c->server.listeners[i].tls);
		ssh_free(ctx, &c->server.listeners[i].ssh);
	}
	ctx_free(ctx, c->server.listeners);
	ctx_free(ctx, c->server.acl);
	for (size_t i = 0; i < c->sources.n; i++) {
		ctx_free(ctx, c->sources.list[i].name);
		ctx_free(ctx, c->sources.list[i].file);
		ctx_free(ctx, c->sources.list[i].url);
	}
	ctx_free(ctx, c->sources.list);
	ctx_free(ctx, c->sources.verify_key_file);
	for (size_t i = 0; i < c->sources.nslurm; i++)
		ctx_free(ctx, c->sources.slurm[i]);
	ctx_free(ctx, c->sources.slurm);
	ctx_free(ctx, c->control_socket);
	ctx_free(ctx, c->name);
	ctx_free(ctx, c);
}

/* ---- diagnostics ------------------------------------------------------------------ */

/* "FILE:LINE: PATH: what", leaving out what is not known. */
void
cfg_diag_set(struct rtrmod_config_diag *diag, const char *file, unsigned line, const char *path,
	     const char *fmt, ...)
{
	char what[sizeof(diag->text)];
	size_t off = 0;
	va_list ap;
	int n;

	if (diag == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	diag->line = line;
	snprintf(diag->path, sizeof(diag->path), "%s", path != NULL ? path : "");
	diag->text[0] = '\0';
	if (file != NULL && file[0] != '\0') {
		n = line > 0 ? snprintf(diag->text, sizeof(diag->text), "%s:%u: ", file, line)
			     : snprintf(diag->text, sizeof(diag->text), "%s: ", file);
		off = n < 0 ? 0 : (size_t)n;
	}
	if (off < sizeof(diag->text) && diag->path[0] != '\0') {
		n = snprintf(diag->text + off, sizeof(diag->text) - off, "%s: ", diag->path);
		off += n < 0 ? 0 : (size_t)n;
	}
	if (off < sizeof(diag->text))
		snprintf(diag->text + off, sizeof(diag->text) - off, "%s", what);
}
