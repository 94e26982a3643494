/*
 * config_typed.c (TEMPORARY, cfg-yang branch only: the instance helper's
 * version replaces it): the typed configuration's own helpers: defaults,
 * freeing, field-by-field equality and the diagnostic line.  Every default
 * here is the model's (yang/rtrmod.yang); strings are owned and freed with
 * the context's allocator.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config_internal.h"
#include "rtrmod_internal.h"

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
tls_equal(const struct cfg_tls *a, const struct cfg_tls *b)
{
	return str_eq(a->ca_file, b->ca_file) && str_eq(a->cert_file, b->cert_file) &&
	       str_eq(a->key_file, b->key_file) && str_eq(a->server_name, b->server_name);
}

static bool
ssh_equal(const struct cfg_ssh *a, const struct cfg_ssh *b)
{
	return str_eq(a->username, b->username) &&
	       str_eq(a->private_key_file, b->private_key_file) &&
	       str_eq(a->host_key_file, b->host_key_file) &&
	       str_eq(a->authorized_keys_file, b->authorized_keys_file);
}

bool
cfg_cache_equal(const struct cfg_cache *a, const struct cfg_cache *b)
{
	return strcmp(a->address, b->address) == 0 && a->port == b->port &&
	       a->preference == b->preference && strcmp(a->local_address, b->local_address) == 0 &&
	       a->version_max == b->version_max && a->refresh == b->refresh &&
	       a->retry == b->retry && a->expire == b->expire && a->timeout_ms == b->timeout_ms &&
	       a->transport == b->transport && tls_equal(&a->tls, &b->tls) &&
	       ssh_equal(&a->ssh, &b->ssh);
}

bool
cfg_listener_equal(const struct cfg_listener *a, const struct cfg_listener *b)
{
	return strcmp(a->address, b->address) == 0 && a->port == b->port &&
	       a->transport == b->transport && tls_equal(&a->tls, &b->tls) &&
	       ssh_equal(&a->ssh, &b->ssh);
}

bool
cfg_server_settings_equal(const struct cfg_server *a, const struct cfg_server *b)
{
	size_t i;

	if (a->enabled != b->enabled || a->version_min != b->version_min ||
	    a->version_max != b->version_max || a->history != b->history ||
	    a->max_sessions != b->max_sessions || a->nacl != b->nacl || a->refresh != b->refresh ||
	    a->retry != b->retry || a->expire != b->expire ||
	    a->send_timeout_ms != b->send_timeout_ms ||
	    a->handshake_timeout_ms != b->handshake_timeout_ms)
		return false;
	for (i = 0; i < a->nacl; i++)
		if (memcmp(&a->acl[i], &b->acl[i], sizeof(a->acl[i])) != 0)
			return false;
	return true;
}

bool
cfg_sources_equal(const struct cfg_sources *a, const struct cfg_sources *b)
{
	size_t i;

	if (a->n != b->n || a->refresh != b->refresh || a->check_time != b->check_time ||
	    a->max_age != b->max_age || !str_eq(a->verify_key_file, b->verify_key_file) ||
	    a->nslurm != b->nslurm || a->serve_vrps != b->serve_vrps ||
	    a->serve_router_keys != b->serve_router_keys || a->serve_aspas != b->serve_aspas)
		return false;
	for (i = 0; i < a->n; i++)
		if (!str_eq(a->list[i].name, b->list[i].name) ||
		    !str_eq(a->list[i].file, b->list[i].file) ||
		    !str_eq(a->list[i].url, b->list[i].url))
			return false;
	for (i = 0; i < a->nslurm; i++)
		if (!str_eq(a->slurm[i], b->slurm[i]))
			return false;
	return true;
}

struct rtrmod_config *
cfg_new_default(struct rtrmod_ctx *ctx)
{
	struct rtrmod_config *c = ctx_zalloc(ctx, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->ctx = ctx;
	c->server.version_min = 0;
	c->server.version_max = 2;
	c->server.history = 32;
	c->server.max_sessions = 1024;
	c->server.refresh = 3600;
	c->server.retry = 600;
	c->server.expire = 7200;
	c->server.send_timeout_ms = 30000;
	c->server.handshake_timeout_ms = 30000;
	c->sources.refresh = 600;
	c->sources.max_age = 86400;
	c->sources.serve_vrps = true;
	c->sources.serve_router_keys = true;
	c->sources.serve_aspas = true;
	snprintf(c->http.address, sizeof(c->http.address), "127.0.0.1");
	c->http.port = 9847;
	c->http.metrics = true;
	c->http.export_json = true;
	return c;
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

void
cfg_free(struct rtrmod_config *c)
{
	struct rtrmod_ctx *ctx;
	size_t i;

	if (c == NULL)
		return;
	ctx = c->ctx;
	for (i = 0; i < c->ncaches; i++) {
		tls_free(ctx, &c->caches[i].tls);
		ssh_free(ctx, &c->caches[i].ssh);
	}
	ctx_free(ctx, c->caches);
	for (i = 0; i < c->server.nlisteners; i++) {
		tls_free(ctx, &c->server.listeners[i].tls);
		ssh_free(ctx, &c->server.listeners[i].ssh);
	}
	ctx_free(ctx, c->server.listeners);
	ctx_free(ctx, c->server.acl);
	for (i = 0; i < c->sources.n; i++) {
		ctx_free(ctx, c->sources.list[i].name);
		ctx_free(ctx, c->sources.list[i].file);
		ctx_free(ctx, c->sources.list[i].url);
	}
	ctx_free(ctx, c->sources.list);
	ctx_free(ctx, c->sources.verify_key_file);
	for (i = 0; i < c->sources.nslurm; i++)
		ctx_free(ctx, c->sources.slurm[i]);
	ctx_free(ctx, c->sources.slurm);
	ctx_free(ctx, c->control_socket);
	ctx_free(ctx, c->name);
	ctx_free(ctx, c);
}

void
cfg_diag_set(struct rtrmod_config_diag *diag, const char *file, unsigned line, const char *path,
	     const char *fmt, ...)
{
	char msg[sizeof(diag->text)];
	size_t off = 0;
	va_list ap;

	if (diag == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag->line = line;
	snprintf(diag->path, sizeof(diag->path), "%s", path != NULL ? path : "");
	diag->text[0] = '\0';
	if (file != NULL && file[0] != '\0')
		off += (size_t)snprintf(diag->text, sizeof(diag->text), "%s", file);
	if (line > 0 && off < sizeof(diag->text))
		off += (size_t)snprintf(diag->text + off, sizeof(diag->text) - off, "%s%u",
					off > 0 ? ":" : "", line);
	if (off > 0 && off < sizeof(diag->text))
		off += (size_t)snprintf(diag->text + off, sizeof(diag->text) - off, ": ");
	if (diag->path[0] != '\0' && off < sizeof(diag->text))
		off += (size_t)snprintf(diag->text + off, sizeof(diag->text) - off,
					"%s: ", diag->path);
	if (off < sizeof(diag->text))
		snprintf(diag->text + off, sizeof(diag->text) - off, "%s", msg);
}

/* ---- TEMPORARY stand-ins until instance.c lands (cfg-yang branch only) ----
 * rtrmod_instance_state() (instance_state.c) calls these getters; the
 * instance helper's instance.c defines them for real. */
#include <rtrmod/instance.h>

struct rtrmod_client *
rtrmod_instance_client(const struct rtrmod_instance *inst)
{
	(void)inst;
	return NULL;
}

struct rtrmod_cache *
rtrmod_instance_cache(const struct rtrmod_instance *inst)
{
	(void)inst;
	return NULL;
}

struct rtrmod_feed *
rtrmod_instance_feed(const struct rtrmod_instance *inst)
{
	(void)inst;
	return NULL;
}

const struct rtrmod_config *
rtrmod_instance_config(const struct rtrmod_instance *inst)
{
	(void)inst;
	return NULL;
}
