/*
 * check_config_typed.c: the typed configuration's helpers: the model's
 * defaults, equality changing one field at a time (every field of a cache,
 * a listener, the server settings and the sources makes a difference; the
 * server's listeners do not count as its settings), a deep copy that is
 * equal and shares nothing, a copy failing at each of its allocations in
 * turn, and the diagnostics text with and without file, line and path.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <rtrmod/rtrmod.h>

#include "check_main.h"
#include "config_internal.h"
#include "test_alloc.h"

static struct rtrmod_ctx *
ctx_new(const struct rtrmod_allocator *a)
{
	struct rtrmod_ctx *ctx;

	ck_assert_int_eq(rtrmod_ctx_new(a, &ctx), 0);
	return ctx;
}

static char *
xstr(struct rtrmod_ctx *ctx, const char *s)
{
	char *d = rtrmod_ctx_malloc(ctx, strlen(s) + 1);

	ck_assert_ptr_nonnull(d);
	strcpy(d, s);
	return d;
}

static void *
xarray(struct rtrmod_ctx *ctx, size_t n, size_t size)
{
	void *p = rtrmod_ctx_malloc(ctx, n * size);

	ck_assert_ptr_nonnull(p);
	memset(p, 0, n * size);
	return p;
}

static void
fill_tls(struct rtrmod_ctx *ctx, struct cfg_tls *t, const char *tag)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "/etc/%s-ca.pem", tag);
	t->ca_file = xstr(ctx, buf);
	snprintf(buf, sizeof(buf), "/etc/%s-cert.pem", tag);
	t->cert_file = xstr(ctx, buf);
	snprintf(buf, sizeof(buf), "/etc/%s-key.pem", tag);
	t->key_file = xstr(ctx, buf);
	t->server_name = xstr(ctx, "rpki.example");
}

static void
fill_ssh(struct rtrmod_ctx *ctx, struct cfg_ssh *s)
{
	s->username = xstr(ctx, "rpki");
	s->private_key_file = xstr(ctx, "/etc/id_ed25519");
	s->host_key_file = xstr(ctx, "/etc/known_hosts");
}

/* A configuration with every string and list filled in. */
static struct rtrmod_config *
full_config(struct rtrmod_ctx *ctx)
{
	struct rtrmod_config *c = cfg_new_default(ctx);
	struct cfg_server *s;
	struct cfg_sources *src;

	ck_assert_ptr_nonnull(c);
	c->name = xstr(ctx, "test.json");
	c->ncaches = 2;
	c->caches = xarray(ctx, 2, sizeof(*c->caches));
	for (size_t i = 0; i < 2; i++) {
		cfg_cache_defaults(&c->caches[i]);
		snprintf(c->caches[i].address, sizeof(c->caches[i].address), "192.0.2.%zu", i + 1);
		snprintf(c->caches[i].local_address, sizeof(c->caches[i].local_address),
			 "192.0.2.100");
		fill_tls(ctx, &c->caches[i].tls, "cache");
		fill_ssh(ctx, &c->caches[i].ssh);
	}
	s = &c->server;
	s->enabled = true;
	s->nlisteners = 2;
	s->listeners = xarray(ctx, 2, sizeof(*s->listeners));
	for (size_t i = 0; i < 2; i++) {
		cfg_listener_defaults(&s->listeners[i]);
		snprintf(s->listeners[i].address, sizeof(s->listeners[i].address),
			 i == 0 ? "::" : "0.0.0.0");
		fill_tls(ctx, &s->listeners[i].tls, "listener");
		fill_ssh(ctx, &s->listeners[i].ssh);
	}
	s->nacl = 2;
	s->acl = xarray(ctx, 2, sizeof(*s->acl));
	ck_assert_int_eq(rtrmod_prefix_parse("192.0.2.0/24", &s->acl[0]), 0);
	ck_assert_int_eq(rtrmod_prefix_parse("2001:db8::/32", &s->acl[1]), 0);
	src = &c->sources;
	src->n = 2;
	src->list = xarray(ctx, 2, sizeof(*src->list));
	src->list[0].name = xstr(ctx, "a");
	src->list[0].file = xstr(ctx, "/var/a.json");
	src->list[1].name = xstr(ctx, "b");
	src->list[1].url = xstr(ctx, "https://rpki.example/b.json");
	src->verify_key_file = xstr(ctx, "/etc/key.pem");
	src->nslurm = 2;
	src->slurm = xarray(ctx, 2, sizeof(*src->slurm));
	src->slurm[0] = xstr(ctx, "/etc/one.slurm");
	src->slurm[1] = xstr(ctx, "/etc/two.slurm");
	c->validation.local_as = 64500;
	c->validation.aspa = true;
	c->control_socket = xstr(ctx, "/run/rtrmod.sock");
	return c;
}

static bool
str_same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
config_same(const struct rtrmod_config *a, const struct rtrmod_config *b)
{
	if (!str_same(a->name, b->name) || a->ncaches != b->ncaches ||
	    a->server.nlisteners != b->server.nlisteners ||
	    !cfg_server_settings_equal(&a->server, &b->server) ||
	    !cfg_sources_equal(&a->sources, &b->sources) ||
	    memcmp(&a->validation, &b->validation, sizeof(a->validation)) != 0 ||
	    a->http.enabled != b->http.enabled || strcmp(a->http.address, b->http.address) != 0 ||
	    a->http.port != b->http.port || a->http.metrics != b->http.metrics ||
	    a->http.export_json != b->http.export_json ||
	    !str_same(a->control_socket, b->control_socket))
		return false;
	for (size_t i = 0; i < a->ncaches; i++)
		if (!cfg_cache_equal(&a->caches[i], &b->caches[i]))
			return false;
	for (size_t i = 0; i < a->server.nlisteners; i++)
		if (!cfg_listener_equal(&a->server.listeners[i], &b->server.listeners[i]))
			return false;
	return true;
}

/* ---- defaults ---------------------------------------------------------------- */

START_TEST(test_defaults)
{
	struct rtrmod_ctx *ctx = ctx_new(NULL);
	struct rtrmod_config *c = cfg_new_default(ctx);
	struct cfg_cache cache;
	struct cfg_listener l;

	ck_assert_ptr_null(cfg_new_default(NULL));
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_eq(c->ctx, ctx);
	ck_assert_uint_eq(c->ncaches, 0);
	ck_assert(!c->server.enabled);
	ck_assert_uint_eq(c->server.version_min, 0);
	ck_assert_uint_eq(c->server.version_max, 2);
	ck_assert_uint_eq(c->server.history, 32);
	ck_assert_uint_eq(c->server.max_sessions, 1024);
	ck_assert_uint_eq(c->server.refresh, 3600);
	ck_assert_uint_eq(c->server.retry, 600);
	ck_assert_uint_eq(c->server.expire, 7200);
	ck_assert_uint_eq(c->server.send_timeout_ms, 30000);
	ck_assert_uint_eq(c->server.handshake_timeout_ms, 30000);
	ck_assert_uint_eq(c->sources.refresh, 600);
	ck_assert(!c->sources.check_time);
	ck_assert_uint_eq(c->sources.max_age, 86400);
	ck_assert(c->sources.serve_vrps && c->sources.serve_router_keys && c->sources.serve_aspas);
	ck_assert_uint_eq(c->validation.local_as, 0);
	ck_assert(!c->validation.aspa);
	ck_assert(!c->http.enabled);
	ck_assert_uint_eq(c->http.port, 9847);
	ck_assert_ptr_null(c->control_socket);
	ck_assert_ptr_null(c->name);
	cfg_cache_defaults(&cache);
	ck_assert_str_eq(cache.address, "");
	ck_assert_uint_eq(cache.port, 323);
	ck_assert_uint_eq(cache.preference, 1);
	ck_assert_uint_eq(cache.version_max, 2);
	ck_assert_uint_eq(cache.refresh, 3600);
	ck_assert_uint_eq(cache.retry, 600);
	ck_assert_uint_eq(cache.expire, 7200);
	ck_assert_uint_eq(cache.timeout_ms, 30000);
	ck_assert_int_eq(cache.transport, CFG_TRANSPORT_TCP);
	ck_assert_str_eq(cache.local_address, "");
	cfg_listener_defaults(&l);
	ck_assert_uint_eq(l.port, 323);
	ck_assert_int_eq(l.transport, CFG_TRANSPORT_TCP);
	cfg_free(c);
	cfg_free(NULL);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* ---- equality, one field at a time ------------------------------------------------ */

/* Texts to put in place of a string (not literals: fields are char *). */
static char s_other[] = "/other", s_other_name[] = "other.example", s_root[] = "root", s_x[] = "/x",
	    s_z[] = "z", s_zfile[] = "/var/z.json", s_url[] = "https://other.example/";

/* Each mutator changes one field of its item (strings replaced by a
 * static text; the item is a shallow copy, never freed). */
typedef void cache_mut(struct cfg_cache *c);

static void
m_addr(struct cfg_cache *c)
{
	c->address[0] = '9';
}
static void
m_port(struct cfg_cache *c)
{
	c->port++;
}
static void
m_pref(struct cfg_cache *c)
{
	c->preference++;
}
static void
m_local(struct cfg_cache *c)
{
	c->local_address[0] = '\0';
}
static void
m_vmax(struct cfg_cache *c)
{
	c->version_max = 1;
}
static void
m_refresh(struct cfg_cache *c)
{
	c->refresh++;
}
static void
m_retry(struct cfg_cache *c)
{
	c->retry++;
}
static void
m_expire(struct cfg_cache *c)
{
	c->expire++;
}
static void
m_timeout(struct cfg_cache *c)
{
	c->timeout_ms++;
}
static void
m_transport(struct cfg_cache *c)
{
	c->transport = CFG_TRANSPORT_TLS;
}
static void
m_tls_ca(struct cfg_cache *c)
{
	c->tls.ca_file = s_other;
}
static void
m_tls_cert(struct cfg_cache *c)
{
	c->tls.cert_file = NULL;
}
static void
m_tls_key(struct cfg_cache *c)
{
	c->tls.key_file = s_other;
}
static void
m_tls_name(struct cfg_cache *c)
{
	c->tls.server_name = s_other_name;
}
static void
m_ssh_user(struct cfg_cache *c)
{
	c->ssh.username = s_root;
}
static void
m_ssh_key(struct cfg_cache *c)
{
	c->ssh.private_key_file = NULL;
}
static void
m_ssh_host(struct cfg_cache *c)
{
	c->ssh.host_key_file = s_other;
}

static cache_mut *const cache_muts[] = {
    m_addr,    m_port,     m_pref,     m_local,     m_vmax,     m_refresh,
    m_retry,   m_expire,   m_timeout,  m_transport, m_tls_ca,   m_tls_cert,
    m_tls_key, m_tls_name, m_ssh_user, m_ssh_key,   m_ssh_host,
};

START_TEST(test_cache_equal_per_field)
{
	struct rtrmod_ctx *ctx = ctx_new(NULL);
	struct rtrmod_config *c = full_config(ctx);
	struct cfg_cache t;

	ck_assert(cfg_cache_equal(&c->caches[0], &c->caches[0]));
	ck_assert(!cfg_cache_equal(&c->caches[0], &c->caches[1])); /* addresses differ */
	for (size_t i = 0; i < sizeof(cache_muts) / sizeof(cache_muts[0]); i++) {
		t = c->caches[0];
		ck_assert(cfg_cache_equal(&c->caches[0], &t));
		cache_muts[i](&t);
		ck_assert_msg(!cfg_cache_equal(&c->caches[0], &t), "cache mutation %zu", i);
		ck_assert_msg(!cfg_cache_equal(&t, &c->caches[0]), "cache mutation %zu", i);
	}
	cfg_free(c);
	rtrmod_ctx_free(ctx);
}
END_TEST

typedef void listener_mut(struct cfg_listener *l);

static void
l_addr(struct cfg_listener *l)
{
	l->address[0] = '1';
}
static void
l_port(struct cfg_listener *l)
{
	l->port = 3323;
}
static void
l_transport(struct cfg_listener *l)
{
	l->transport = CFG_TRANSPORT_SSH;
}
static void
l_tls(struct cfg_listener *l)
{
	l->tls.key_file = s_x;
}
static void
l_tls_ca(struct cfg_listener *l)
{
	l->tls.ca_file = NULL;
}
static void
l_ssh(struct cfg_listener *l)
{
	l->ssh.host_key_file = s_x;
}
static void
l_ssh_user(struct cfg_listener *l)
{
	l->ssh.username = NULL;
}

static listener_mut *const listener_muts[] = {l_addr,   l_port, l_transport, l_tls,
					      l_tls_ca, l_ssh,  l_ssh_user};

START_TEST(test_listener_equal_per_field)
{
	struct rtrmod_ctx *ctx = ctx_new(NULL);
	struct rtrmod_config *c = full_config(ctx);
	struct cfg_listener t;

	for (size_t i = 0; i < sizeof(listener_muts) / sizeof(listener_muts[0]); i++) {
		t = c->server.listeners[0];
		ck_assert(cfg_listener_equal(&c->server.listeners[0], &t));
		listener_muts[i](&t);
		ck_assert_msg(!cfg_listener_equal(&c->server.listeners[0], &t),
			      "listener mutation %zu", i);
	}
	cfg_free(c);
	rtrmod_ctx_free(ctx);
}
END_TEST

typedef void server_mut(struct cfg_server *s);

static void
s_enabled(struct cfg_server *s)
{
	s->enabled = false;
}
static void
s_vmin(struct cfg_server *s)
{
	s->version_min = 1;
}
static void
s_vmax(struct cfg_server *s)
{
	s->version_max = 1;
}
static void
s_history(struct cfg_server *s)
{
	s->history = 5;
}
static void
s_max(struct cfg_server *s)
{
	s->max_sessions = 0;
}
static void
s_nacl(struct cfg_server *s)
{
	s->nacl = 1;
}
static void
s_refresh(struct cfg_server *s)
{
	s->refresh = 1;
}
static void
s_retry(struct cfg_server *s)
{
	s->retry = 1;
}
static void
s_expire(struct cfg_server *s)
{
	s->expire = 600;
}
static void
s_send(struct cfg_server *s)
{
	s->send_timeout_ms = 1;
}
static void
s_hs(struct cfg_server *s)
{
	s->handshake_timeout_ms = 1;
}

static server_mut *const server_muts[] = {s_enabled, s_vmin,  s_vmax,   s_history, s_max, s_nacl,
					  s_refresh, s_retry, s_expire, s_send,    s_hs};

START_TEST(test_server_equal_per_field)
{
	struct rtrmod_ctx *ctx = ctx_new(NULL);
	struct rtrmod_config *c = full_config(ctx);
	struct rtrmod_prefix acl[2];
	struct cfg_server t;

	for (size_t i = 0; i < sizeof(server_muts) / sizeof(server_muts[0]); i++) {
		t = c->server;
		ck_assert(cfg_server_settings_equal(&c->server, &t));
		server_muts[i](&t);
		ck_assert_msg(!cfg_server_settings_equal(&c->server, &t), "server mutation %zu", i);
	}
	/* an ACL entry's address, then its length */
	t = c->server;
	memcpy(acl, c->server.acl, sizeof(acl));
	t.acl = acl;
	ck_assert(cfg_server_settings_equal(&c->server, &t));
	acl[1].addr[3] ^= 1;
	ck_assert(!cfg_server_settings_equal(&c->server, &t));
	memcpy(acl, c->server.acl, sizeof(acl));
	acl[0].len = 25;
	ck_assert(!cfg_server_settings_equal(&c->server, &t));
	/* listeners are not settings: apply handles them one by one */
	t = c->server;
	t.nlisteners = 0;
	t.listeners = NULL;
	ck_assert(cfg_server_settings_equal(&c->server, &t));
	cfg_free(c);
	rtrmod_ctx_free(ctx);
}
END_TEST

typedef void sources_mut(struct cfg_sources *s, struct cfg_source *list, char **slurm);

static void
o_n(struct cfg_sources *s, struct cfg_source *list, char **slurm)
{
	s->n = 1;
}
static void
o_name(struct cfg_sources *s, struct cfg_source *list, char **slurm)
{
	list[0].name = s_z;
}
static void
o_file(struct cfg_sources *s, struct cfg_source *list, char **slurm)
{
	list[0].file = s_zfile;
}
static void
o_file_null(struct cfg_sources *s, struct cfg_source *list, char **slurm)
{
	list[0].file = NULL;
}
static void
o_url(struct cfg_sources *s, struct cfg_source *list, char **slurm)
{
	list[1].url = s_url;
}
static void
o_refresh(struct cfg_sources *s, struct cfg_source *list, char **slurm)
{
	s->refresh = 0;
}
static void
o_check(struct cfg_sources *s, struct cfg_source *list, char **slurm)
{
	s->check_time = true;
}
static void
o_age(struct cfg_sources *s, struct cfg_source *list, char **slurm)
{
	s->max_age = 1;
}
static void
o_key(struct cfg_sources *s, struct cfg_source *list, char **slurm)
{
	s->verify_key_file = NULL;
}
static void
o_nslurm(struct cfg_sources *s, struct cfg_source *list, char **slurm)
{
	s->nslurm = 1;
}
static void
o_slurm_order(struct cfg_sources *s, struct cfg_source *list, char **slurm)
{
	char *t = slurm[0];

	slurm[0] = slurm[1];
	slurm[1] = t;
}
static void
o_vrps(struct cfg_sources *s, struct cfg_source *list, char **slurm)
{
	s->serve_vrps = false;
}
static void
o_keys(struct cfg_sources *s, struct cfg_source *list, char **slurm)
{
	s->serve_router_keys = false;
}
static void
o_aspas(struct cfg_sources *s, struct cfg_source *list, char **slurm)
{
	s->serve_aspas = false;
}

static sources_mut *const sources_muts[] = {
    o_n,   o_name, o_file,   o_file_null,   o_url,  o_refresh, o_check,
    o_age, o_key,  o_nslurm, o_slurm_order, o_vrps, o_keys,    o_aspas,
};

START_TEST(test_sources_equal_per_field)
{
	struct rtrmod_ctx *ctx = ctx_new(NULL);
	struct rtrmod_config *c = full_config(ctx);
	struct cfg_source list[2];
	char *slurm[2];
	struct cfg_sources t;

	for (size_t i = 0; i < sizeof(sources_muts) / sizeof(sources_muts[0]); i++) {
		t = c->sources;
		memcpy(list, c->sources.list, sizeof(list));
		memcpy(slurm, c->sources.slurm, sizeof(slurm));
		t.list = list;
		t.slurm = slurm;
		ck_assert(cfg_sources_equal(&c->sources, &t));
		sources_muts[i](&t, list, slurm);
		ck_assert_msg(!cfg_sources_equal(&c->sources, &t), "sources mutation %zu", i);
	}
	cfg_free(c);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* ---- copy ---------------------------------------------------------------------------- */

START_TEST(test_dup_equal_and_independent)
{
	struct rtrmod_ctx *ctx = ctx_new(NULL), *other = ctx_new(NULL);
	struct rtrmod_config *c = full_config(ctx), *d, *e;

	ck_assert_ptr_null(cfg_dup(NULL, c));
	ck_assert_ptr_null(cfg_dup(ctx, NULL));
	d = cfg_dup(other, c);
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_eq(d->ctx, other);
	ck_assert(config_same(c, d));
	/* nothing shared */
	ck_assert_ptr_ne(d->name, c->name);
	ck_assert_ptr_ne(d->caches, c->caches);
	ck_assert_ptr_ne(d->caches[1].tls.server_name, c->caches[1].tls.server_name);
	ck_assert_ptr_ne(d->caches[1].ssh.host_key_file, c->caches[1].ssh.host_key_file);
	ck_assert_ptr_ne(d->server.listeners, c->server.listeners);
	ck_assert_ptr_ne(d->server.listeners[0].tls.ca_file, c->server.listeners[0].tls.ca_file);
	ck_assert_ptr_ne(d->server.acl, c->server.acl);
	ck_assert_ptr_ne(d->sources.list, c->sources.list);
	ck_assert_ptr_ne(d->sources.list[0].file, c->sources.list[0].file);
	ck_assert_ptr_null(d->sources.list[0].url);
	ck_assert_ptr_ne(d->sources.slurm[1], c->sources.slurm[1]);
	ck_assert_ptr_ne(d->control_socket, c->control_socket);
	/* changing the copy leaves the original alone */
	d->caches[0].tls.ca_file[1] = 'X';
	d->sources.slurm[0][1] = 'X';
	d->server.acl[0].len = 8;
	d->caches[1].port = 1;
	ck_assert(!config_same(c, d));
	ck_assert_str_eq(c->caches[0].tls.ca_file, "/etc/cache-ca.pem");
	ck_assert_str_eq(c->sources.slurm[0], "/etc/one.slurm");
	ck_assert_uint_eq(c->server.acl[0].len, 24);
	/* the original can go first */
	e = cfg_dup(ctx, c);
	cfg_free(c);
	ck_assert_str_eq(e->sources.list[1].url, "https://rpki.example/b.json");
	cfg_free(e);
	cfg_free(d);
	/* an empty configuration copies too */
	c = cfg_new_default(ctx);
	d = cfg_dup(ctx, c);
	ck_assert(config_same(c, d));
	ck_assert_ptr_null(d->caches);
	cfg_free(c);
	cfg_free(d);
	rtrmod_ctx_free(ctx);
	rtrmod_ctx_free(other);
}
END_TEST

/* Each allocation of the copy fails in turn: NULL, nothing left behind
 * (ASan's leak check), the original untouched; then one succeeds. */
START_TEST(test_dup_alloc_failure)
{
	struct failing_alloc fa = {0, 0};
	struct rtrmod_allocator al = failing_alloc_allocator(&fa);
	struct rtrmod_ctx *ctx = ctx_new(&al);
	struct rtrmod_config *c = full_config(ctx), *d = NULL;
	long n;

	for (n = 1; n < 200; n++) {
		fa.calls = 0;
		fa.fail_at = n;
		d = cfg_dup(ctx, c);
		if (d != NULL)
			break;
	}
	fa.fail_at = 0;
	ck_assert_ptr_nonnull(d);
	/* It took every allocation failing once: the struct, the name, the
	 * caches (an array and 2 x 7 strings), the listeners (the same), the
	 * ACL, the sources (an array and 4 strings), the key, the SLURM list
	 * (an array and 2 strings) and the control socket: 43. */
	ck_assert_int_eq(n, 1 + 1 + 15 + 15 + 1 + 5 + 1 + 3 + 1 + 1);
	ck_assert(config_same(c, d));
	cfg_free(d);
	cfg_free(c);
	rtrmod_ctx_free(ctx);
}
END_TEST

/* ---- diagnostics ---------------------------------------------------------------------- */

START_TEST(test_diag_format)
{
	struct rtrmod_config_diag d;
	char longpath[700];

	cfg_diag_set(&d, "rtrmod.json", 12, "/rtrmod:rtrmod/sources", "bad %s", "thing");
	ck_assert_uint_eq(d.line, 12);
	ck_assert_str_eq(d.path, "/rtrmod:rtrmod/sources");
	ck_assert_str_eq(d.text, "rtrmod.json:12: /rtrmod:rtrmod/sources: bad thing");
	cfg_diag_set(&d, "rtrmod.json", 0, "/rtrmod:rtrmod", "no line");
	ck_assert_uint_eq(d.line, 0);
	ck_assert_str_eq(d.text, "rtrmod.json: /rtrmod:rtrmod: no line");
	cfg_diag_set(&d, NULL, 0, "/rtrmod:rtrmod", "no file");
	ck_assert_str_eq(d.text, "/rtrmod:rtrmod: no file");
	cfg_diag_set(&d, "", 3, NULL, "%d things", 3);
	ck_assert_str_eq(d.path, "");
	ck_assert_str_eq(d.text, "3 things");
	cfg_diag_set(&d, "f.xml", 7, "", "empty path");
	ck_assert_str_eq(d.text, "f.xml:7: empty path");
	cfg_diag_set(NULL, "f", 1, "/p", "nowhere"); /* no diag: fine */
	/* a path too long for the field is cut, never overrun */
	memset(longpath, 'p', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	cfg_diag_set(&d, "f", 0, longpath, "long");
	ck_assert_uint_eq(strlen(d.path), sizeof(d.path) - 1);
	ck_assert_uint_lt(strlen(d.text), sizeof(d.text));
	ck_assert(strncmp(d.text, "f: /ppp", 7) == 0);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("config_typed");
	TCase *tc = tcase_create("typed");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_cache_equal_per_field);
	tcase_add_test(tc, test_listener_equal_per_field);
	tcase_add_test(tc, test_server_equal_per_field);
	tcase_add_test(tc, test_sources_equal_per_field);
	tcase_add_test(tc, test_dup_equal_and_independent);
	tcase_add_test(tc, test_dup_alloc_failure);
	tcase_add_test(tc, test_diag_format);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN()
