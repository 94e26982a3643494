/*
 * config_read.c: a validated data tree of the rtrmod model -> struct
 * rtrmod_config.  libyang has checked types, ranges and must rules and
 * filled in defaults; this adds what the model cannot say: addresses to
 * bind must be numeric (a cache's may be a host name, resolved when it is
 * connected to), two spellings of one address or name are one endpoint,
 * and modelled features this build does not implement (TLS, SSH, URL
 * sources, HTTP) are refused with RTRMOD_ENOTSUP.
 * Every refusal names the data path of the node at fault.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libyang/libyang.h>

#include "config_internal.h"
#include "resolve_internal.h"
#include "rtrmod_internal.h"

struct reader {
	struct rtrmod_ctx *ctx;
	const struct cfg_src *src;
	struct rtrmod_config_diag *diag;
	struct rtrmod_config *c;
};

/* ---- tree access ------------------------------------------------------- */

static const struct lyd_node *
child(const struct lyd_node *parent, const char *name)
{
	const struct lyd_node *n;

	if (parent == NULL)
		return NULL;
	LY_LIST_FOR(lyd_child(parent), n)
	{
		if (n->schema != NULL && strcmp(n->schema->name, name) == 0)
			return n;
	}
	return NULL;
}

/* The next sibling instance of the same schema node, or NULL. */
static const struct lyd_node *
next_instance(const struct lyd_node *n)
{
	const struct lysc_node *schema = n->schema;

	for (n = n->next; n != NULL; n = n->next)
		if (n->schema == schema)
			return n;
	return NULL;
}

static size_t
count_instances(const struct lyd_node *first)
{
	size_t n = 0;

	for (; first != NULL; first = next_instance(first))
		n++;
	return n;
}

/* The canonical value of leaf `name` under parent; NULL when absent. */
static const char *
leaf_str(const struct lyd_node *parent, const char *name)
{
	const struct lyd_node *n = child(parent, name);

	return n != NULL ? lyd_get_value(n) : NULL;
}

/* A validated number (defaults are in the tree); `dflt` when absent. */
static uint32_t
leaf_u32(const struct lyd_node *parent, const char *name, uint32_t dflt)
{
	const char *v = leaf_str(parent, name);

	return v != NULL ? (uint32_t)strtoul(v, NULL, 10) : dflt;
}

static bool
leaf_bool(const struct lyd_node *parent, const char *name, bool dflt)
{
	const char *v = leaf_str(parent, name);

	return v != NULL ? strcmp(v, "true") == 0 : dflt;
}

/* Refuse the configuration at `node` (or `path`) with rc. */
static int RTRMOD_PRINTF(4, 5)
    refuse(struct reader *r, const struct lyd_node *node, int rc, const char *fmt, ...)
{
	char path[sizeof(r->diag->path)] = "", msg[sizeof(r->diag->text)];
	unsigned line = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (node != NULL && lyd_path(node, LYD_PATH_STD, path, sizeof(path)) == NULL)
		path[0] = '\0';
	if (path[0] != '\0')
		line = cfg_locate_line(r->src->text, r->src->len, r->src->xml, path, NULL);
	cfg_diag_set(r->diag, r->src->name, line, path, "%s", msg);
	return rc;
}

static int
nomem(struct reader *r)
{
	return refuse(r, NULL, RTRMOD_ENOMEM, "out of memory");
}

static int
dup_str(struct reader *r, const char *s, char **out)
{
	size_t n;

	*out = NULL;
	if (s == NULL)
		return 0;
	n = strlen(s) + 1;
	*out = ctx_alloc(r->ctx, n);
	if (*out == NULL)
		return nomem(r);
	memcpy(*out, s, n);
	return 0;
}

/* ---- addresses ------------------------------------------------------- */

/* A numeric address as 16 bytes (IPv4 as IPv4-mapped IPv6, so the two
 * spellings of one address compare equal); its family in *v4. */
static bool
addr_bytes(const char *text, uint8_t out[16], bool *v4)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(out, 0, 16);
	if (inet_pton(AF_INET, text, out + 12) == 1) {
		memcpy(out, mapped, sizeof(mapped));
		*v4 = true;
		return true;
	}
	if (inet_pton(AF_INET6, text, out) == 1) {
		*v4 = memcmp(out, mapped, sizeof(mapped)) == 0;
		return true;
	}
	return false;
}

/* Copy an address into a fixed field, refusing zones, and names unless
 * `names` (a cache's address: the client resolves it on the loop). */
static int
read_host(struct reader *r, const struct lyd_node *parent, const char *name, bool names, char *dst,
	  size_t size)
{
	const struct lyd_node *n = child(parent, name);
	const char *v = n != NULL ? lyd_get_value(n) : NULL;
	uint8_t bytes[16];
	bool v4;

	dst[0] = '\0';
	if (v == NULL)
		return 0;
	if (strchr(v, '%') != NULL)
		return refuse(r, n, RTRMOD_ENOTSUP,
			      "address \"%s\" has a zone index, which is modelled but not "
			      "implemented in this build",
			      v);
	if (!addr_bytes(v, bytes, &v4) && (!names || !resolve_host_valid(v)))
		return refuse(r, n, RTRMOD_EPARSE,
			      names ? "\"%s\" is neither an IP address nor a host name"
				    : "\"%s\" is not a numeric IPv4 or IPv6 address",
			      v);
	if (strlen(v) >= size)
		return refuse(r, n, RTRMOD_EPARSE, "address \"%s\" is too long", v);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int
read_address(struct reader *r, const struct lyd_node *parent, const char *name, char *dst,
	     size_t size)
{
	return read_host(r, parent, name, false, dst, size);
}

/* DNS names compare without regard to case (RFC 4343) and the final dot
 * of an absolute name. */
static bool
same_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

static bool
same_endpoint(const char *a, uint16_t pa, const char *b, uint16_t pb)
{
	uint8_t x[16], y[16];
	bool v4, an = addr_bytes(a, x, &v4), bn = addr_bytes(b, y, &v4);

	if (pa != pb)
		return false;
	if (an || bn)
		return an && bn && memcmp(x, y, sizeof(x)) == 0;
	return same_name(a, b);
}

/* ---- transports ------------------------------------------------------ */

static int
read_transport(struct reader *r, const struct lyd_node *parent, enum cfg_transport *transport,
	       struct cfg_tls *tls, struct cfg_ssh *ssh)
{
	const struct lyd_node *t;
	int rc;

	*transport = CFG_TRANSPORT_TCP;
	t = child(parent, "tls");
	if (t != NULL) {
		*transport = CFG_TRANSPORT_TLS;
		if ((rc = dup_str(r, leaf_str(t, "ca-file"), &tls->ca_file)) != 0 ||
		    (rc = dup_str(r, leaf_str(t, "certificate-file"), &tls->cert_file)) != 0 ||
		    (rc = dup_str(r, leaf_str(t, "private-key-file"), &tls->key_file)) != 0 ||
		    (rc = dup_str(r, leaf_str(t, "server-name"), &tls->server_name)) != 0)
			return rc;
		return refuse(r, t, RTRMOD_ENOTSUP,
			      "the TLS transport is modelled but not implemented in this build");
	}
	t = child(parent, "ssh");
	if (t != NULL) {
		*transport = CFG_TRANSPORT_SSH;
		if ((rc = dup_str(r, leaf_str(t, "username"), &ssh->username)) != 0 ||
		    (rc = dup_str(r, leaf_str(t, "private-key-file"), &ssh->private_key_file)) !=
			0 ||
		    (rc = dup_str(r, leaf_str(t, "host-key-file"), &ssh->host_key_file)) != 0 ||
		    (rc = dup_str(r, leaf_str(t, "authorized-keys-file"),
				  &ssh->authorized_keys_file)) != 0)
			return rc;
		return refuse(r, t, RTRMOD_ENOTSUP,
			      "the SSH transport is modelled but not implemented in this build");
	}
	return 0;
}

/* ---- client ---------------------------------------------------------- */

static int
read_cache(struct reader *r, const struct lyd_node *e, struct cfg_cache *cc, size_t index)
{
	uint8_t a[16], l[16];
	bool av4, lv4;
	size_t i;
	int rc;

	if ((rc = read_host(r, e, "address", true, cc->address, sizeof(cc->address))) != 0)
		return rc;
	cc->port = (uint16_t)leaf_u32(e, "server-port", 0);
	for (i = 0; i < index; i++)
		if (same_endpoint(r->c->caches[i].address, r->c->caches[i].port, cc->address,
				  cc->port))
			return refuse(r, child(e, "address"), RTRMOD_EPARSE,
				      "the same cache as %s port %u, written differently",
				      r->c->caches[i].address, (unsigned)cc->port);
	cc->preference = leaf_u32(e, "preference", 1);
	if ((rc = read_address(r, e, "local-address", cc->local_address,
			       sizeof(cc->local_address))) != 0)
		return rc;
	if (cc->local_address[0] != '\0' && addr_bytes(cc->address, a, &av4) &&
	    addr_bytes(cc->local_address, l, &lv4) && av4 != lv4)
		return refuse(r, child(e, "local-address"), RTRMOD_EPARSE,
			      "local-address %s is not of the address family of %s",
			      cc->local_address, cc->address);
	cc->version_max = (uint8_t)leaf_u32(e, "protocol-version", 2);
	cc->refresh = leaf_u32(e, "refresh-time", 3600);
	cc->retry = leaf_u32(e, "retry-time", 600);
	cc->expire = leaf_u32(e, "expire-time", 7200);
	cc->timeout_ms = leaf_u32(e, "timeout", 30000);
	return read_transport(r, e, &cc->transport, &cc->tls, &cc->ssh);
}

static int
read_client(struct reader *r, const struct lyd_node *root)
{
	const struct lyd_node *first =
	    child(child(child(root, "client"), "cache-servers"), "cache-server");
	const struct lyd_node *e;
	size_t n = count_instances(first), i = 0;
	int rc;

	if (n == 0)
		return 0;
	r->c->caches = ctx_zalloc(r->ctx, n * sizeof(*r->c->caches));
	if (r->c->caches == NULL)
		return nomem(r);
	for (e = first; e != NULL; e = next_instance(e), i++) {
		r->c->ncaches = i + 1; /* freed with what it holds so far */
		if ((rc = read_cache(r, e, &r->c->caches[i], i)) != 0)
			return rc;
	}
	return 0;
}

/* ---- cache server ---------------------------------------------------- */

static int
read_listeners(struct reader *r, const struct lyd_node *server)
{
	const struct lyd_node *first = child(server, "listener"), *e;
	struct cfg_server *s = &r->c->server;
	size_t n = count_instances(first), i = 0, j;
	int rc;

	if (n == 0)
		return 0;
	s->listeners = ctx_zalloc(r->ctx, n * sizeof(*s->listeners));
	if (s->listeners == NULL)
		return nomem(r);
	for (e = first; e != NULL; e = next_instance(e), i++) {
		struct cfg_listener *l = &s->listeners[i];

		s->nlisteners = i + 1;
		if ((rc = read_address(r, e, "address", l->address, sizeof(l->address))) != 0)
			return rc;
		l->port = (uint16_t)leaf_u32(e, "port", 0);
		for (j = 0; j < i; j++)
			if (same_endpoint(s->listeners[j].address, s->listeners[j].port, l->address,
					  l->port))
				return refuse(r, child(e, "address"), RTRMOD_EPARSE,
					      "duplicate listener: %s port %u is %s written "
					      "differently",
					      l->address, (unsigned)l->port,
					      s->listeners[j].address);
		if ((rc = read_transport(r, e, &l->transport, &l->tls, &l->ssh)) != 0)
			return rc;
	}
	return 0;
}

static int
read_acl(struct reader *r, const struct lyd_node *server)
{
	const struct lyd_node *first = child(server, "client-acl"), *e;
	struct cfg_server *s = &r->c->server;
	size_t n = count_instances(first), i = 0;

	if (n == 0)
		return 0;
	s->acl = ctx_zalloc(r->ctx, n * sizeof(*s->acl));
	if (s->acl == NULL)
		return nomem(r);
	for (e = first; e != NULL; e = next_instance(e), i++) {
		if (rtrmod_prefix_parse(lyd_get_value(e), &s->acl[i]) != 0)
			return refuse(r, e, RTRMOD_EPARSE,
				      "\"%s\" is not a prefix (host bits must be zero)",
				      lyd_get_value(e));
		s->nacl = i + 1;
	}
	return 0;
}

static int
read_server(struct reader *r, const struct lyd_node *root)
{
	const struct lyd_node *server = child(root, "cache-server");
	struct cfg_server *s = &r->c->server;
	int rc;

	if (server == NULL)
		return 0;
	s->enabled = true;
	if ((rc = read_listeners(r, server)) != 0 || (rc = read_acl(r, server)) != 0)
		return rc;
	s->version_min = (uint8_t)leaf_u32(server, "min-version", 0);
	s->version_max = (uint8_t)leaf_u32(server, "max-version", 2);
	s->history = leaf_u32(server, "history", 32);
	s->max_sessions = leaf_u32(server, "max-sessions", 1024);
	s->refresh = leaf_u32(server, "refresh-interval", 3600);
	s->retry = leaf_u32(server, "retry-interval", 600);
	s->expire = leaf_u32(server, "expire-interval", 7200);
	s->send_timeout_ms = leaf_u32(server, "send-timeout", 30000);
	s->handshake_timeout_ms = leaf_u32(server, "handshake-timeout", 30000);
	return 0;
}

/* ---- sources ----------------------------------------------------------- */

static int
read_sources(struct reader *r, const struct lyd_node *root)
{
	const struct lyd_node *sources = child(root, "sources"), *first, *e;
	struct cfg_sources *s = &r->c->sources;
	size_t n, i;
	int rc;

	if (sources == NULL)
		return 0;
	first = child(sources, "source");
	n = count_instances(first);
	if (n > 0) {
		s->list = ctx_zalloc(r->ctx, n * sizeof(*s->list));
		if (s->list == NULL)
			return nomem(r);
	}
	for (e = first, i = 0; e != NULL; e = next_instance(e), i++) {
		struct cfg_source *src = &s->list[i];

		s->n = i + 1;
		if ((rc = dup_str(r, leaf_str(e, "name"), &src->name)) != 0 ||
		    (rc = dup_str(r, leaf_str(e, "file"), &src->file)) != 0 ||
		    (rc = dup_str(r, leaf_str(e, "url"), &src->url)) != 0)
			return rc;
		if (src->url != NULL)
			return refuse(r, child(e, "url"), RTRMOD_ENOTSUP,
				      "URL sources are modelled but not implemented in this "
				      "build; give a file");
	}
	first = child(sources, "slurm");
	n = count_instances(first);
	if (n > 0) {
		s->slurm = ctx_zalloc(r->ctx, n * sizeof(*s->slurm));
		if (s->slurm == NULL)
			return nomem(r);
	}
	for (e = first, i = 0; e != NULL; e = next_instance(e), i++) {
		s->nslurm = i + 1;
		if ((rc = dup_str(r, lyd_get_value(e), &s->slurm[i])) != 0)
			return rc;
	}
	s->refresh = leaf_u32(sources, "refresh-interval", 600);
	s->check_time = leaf_bool(sources, "check-time", false);
	s->max_age = leaf_u32(sources, "max-age", 86400);
	if ((rc = dup_str(r, leaf_str(sources, "signature-key-file"), &s->verify_key_file)) != 0)
		return rc;
	s->serve_vrps = leaf_bool(sources, "serve-vrps", true);
	s->serve_router_keys = leaf_bool(sources, "serve-router-keys", true);
	s->serve_aspas = leaf_bool(sources, "serve-aspa", true);
	return 0;
}

/* ---- the rest -------------------------------------------------------- */

static int
read_misc(struct reader *r, const struct lyd_node *root)
{
	const struct lyd_node *v = child(root, "validation"), *http = child(root, "http");
	struct rtrmod_config *c = r->c;
	int rc;

	c->validation.local_as = leaf_u32(v, "local-as", 0);
	c->validation.aspa = leaf_bool(v, "aspa", false);
	/* Modelled for the hosts that validate, but none takes them yet: a
	 * setting that would silently do nothing is refused instead. */
	if (c->validation.local_as != 0)
		return refuse(r, child(v, "local-as"), RTRMOD_ENOTSUP,
			      "local-as is modelled but no host in this build takes it (FRR "
			      "validates locally originated routes for bgpd's own AS)");
	if (c->validation.aspa)
		return refuse(r, child(v, "aspa"), RTRMOD_ENOTSUP,
			      "ASPA AS_PATH verification is modelled but no host in this build "
			      "runs it (FRR 8.4 has no hook for it; `rtrmod validate` does it)");
	if ((rc = dup_str(r, leaf_str(child(root, "control"), "socket"), &c->control_socket)) != 0)
		return rc;
	if (http != NULL) {
		c->http.enabled = true;
		if ((rc = read_address(r, http, "address", c->http.address,
				       sizeof(c->http.address))) != 0)
			return rc;
		c->http.port = (uint16_t)leaf_u32(http, "port", 9847);
		c->http.metrics = leaf_bool(http, "metrics", true);
		c->http.export_json = leaf_bool(http, "export", true);
		return refuse(r, http, RTRMOD_ENOTSUP,
			      "the HTTP endpoint is modelled but not implemented in this build");
	}
	return 0;
}

int
cfg_read(struct rtrmod_ctx *ctx, const struct lyd_node *tree, const struct cfg_src *src,
	 struct rtrmod_config **out, struct rtrmod_config_diag *diag)
{
	struct reader r = {.ctx = ctx, .src = src, .diag = diag};
	const struct lyd_node *root = NULL, *n;
	int rc;

	*out = NULL;
	r.c = cfg_new_default(ctx);
	if (r.c == NULL)
		return nomem(&r);
	if ((rc = dup_str(&r, src->name, &r.c->name)) != 0)
		goto fail;
	LY_LIST_FOR(tree, n)
	{
		if (n->schema != NULL && strcmp(n->schema->name, "rtrmod") == 0 &&
		    strcmp(n->schema->module->name, "rtrmod") == 0)
			root = n;
	}
	if (root != NULL &&
	    ((rc = read_client(&r, root)) != 0 || (rc = read_server(&r, root)) != 0 ||
	     (rc = read_sources(&r, root)) != 0 || (rc = read_misc(&r, root)) != 0))
		goto fail;
	*out = r.c;
	return 0;
fail:
	cfg_free(r.c);
	return rc;
}
