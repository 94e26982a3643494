/*
 * config_write.c: struct rtrmod_config -> an instance of the rtrmod model,
 * printed as JSON or XML with the defaults left out.  Every value is
 * written and the printer trims the ones equal to their default
 * (LYD_PRINT_WD_TRIM), so loading the text back gives an equal
 * configuration (rtrmod_config_equal, config_typed.c).
 */
#include "config.h"

#include <stdio.h>

#include <libyang/libyang.h>

#include "config_internal.h"
#include "rtrmod_internal.h"

static int
w_transport(struct lyd_node *parent, enum cfg_transport transport, const struct cfg_tls *tls,
	    const struct cfg_ssh *ssh, bool listener)
{
	struct lyd_node *t = NULL;
	int rc;

	switch (transport) {
	case CFG_TRANSPORT_TCP:
		return 0; /* the default case */
	case CFG_TRANSPORT_TLS:
		if ((rc = cfg_ly_inner(parent, "tls", &t)) != 0)
			return rc;
		if ((rc = cfg_ly_str(t, "ca-file", tls->ca_file)) != 0 ||
		    (rc = cfg_ly_str(t, "certificate-file", tls->cert_file)) != 0 ||
		    (rc = cfg_ly_str(t, "private-key-file", tls->key_file)) != 0)
			return rc;
		return listener ? 0 : cfg_ly_str(t, "server-name", tls->server_name);
	case CFG_TRANSPORT_SSH:
		if ((rc = cfg_ly_inner(parent, "ssh", &t)) != 0)
			return rc;
		if (listener)
			return (rc = cfg_ly_str(t, "host-key-file", ssh->host_key_file)) != 0
				   ? rc
				   : cfg_ly_str(t, "authorized-keys-file",
						ssh->authorized_keys_file);
		if ((rc = cfg_ly_str(t, "username", ssh->username)) != 0 ||
		    (rc = cfg_ly_str(t, "private-key-file", ssh->private_key_file)) != 0)
			return rc;
		return cfg_ly_str(t, "host-key-file", ssh->host_key_file);
	}
	return RTRMOD_EINVAL;
}

static int
w_client(struct lyd_node *root, const struct rtrmod_config *c)
{
	struct lyd_node *client, *list, *e;
	char port[8];
	size_t i;
	int rc;

	if (c->ncaches == 0)
		return 0;
	if ((rc = cfg_ly_inner(root, "client", &client)) != 0 ||
	    (rc = cfg_ly_inner(client, "cache-servers", &list)) != 0)
		return rc;
	for (i = 0; i < c->ncaches; i++) {
		const struct cfg_cache *cc = &c->caches[i];

		snprintf(port, sizeof(port), "%u", (unsigned)cc->port);
		if ((rc = cfg_ly_rc(lyd_new_list(list, NULL, "cache-server", 0, &e, cc->address,
						 port))) != 0 ||
		    (rc = cfg_ly_leaf(e, "preference", "%u", cc->preference)) != 0 ||
		    (rc = cfg_ly_str(e, "local-address", cc->local_address)) != 0 ||
		    (rc = cfg_ly_leaf(e, "protocol-version", "%u", (unsigned)cc->version_max)) !=
			0 ||
		    (rc = cfg_ly_leaf(e, "refresh-time", "%u", (unsigned)cc->refresh)) != 0 ||
		    (rc = cfg_ly_leaf(e, "retry-time", "%u", (unsigned)cc->retry)) != 0 ||
		    (rc = cfg_ly_leaf(e, "expire-time", "%u", (unsigned)cc->expire)) != 0 ||
		    (rc = cfg_ly_leaf(e, "timeout", "%u", (unsigned)cc->timeout_ms)) != 0 ||
		    (rc = w_transport(e, cc->transport, &cc->tls, &cc->ssh, false)) != 0)
			return rc;
	}
	return 0;
}

static int
w_server(struct lyd_node *root, const struct cfg_server *s)
{
	struct lyd_node *server, *e;
	char port[8], prefix[64];
	size_t i;
	int rc;

	if (!s->enabled)
		return 0;
	if ((rc = cfg_ly_inner(root, "cache-server", &server)) != 0)
		return rc;
	for (i = 0; i < s->nlisteners; i++) {
		const struct cfg_listener *l = &s->listeners[i];

		snprintf(port, sizeof(port), "%u", (unsigned)l->port);
		if ((rc = cfg_ly_rc(
			 lyd_new_list(server, NULL, "listener", 0, &e, l->address, port))) != 0 ||
		    (rc = w_transport(e, l->transport, &l->tls, &l->ssh, true)) != 0)
			return rc;
	}
	for (i = 0; i < s->nacl; i++) {
		rtrmod_prefix_format(&s->acl[i], prefix, sizeof(prefix));
		if ((rc = cfg_ly_str(server, "client-acl", prefix)) != 0)
			return rc;
	}
	if ((rc = cfg_ly_leaf(server, "min-version", "%u", (unsigned)s->version_min)) != 0 ||
	    (rc = cfg_ly_leaf(server, "max-version", "%u", (unsigned)s->version_max)) != 0 ||
	    (rc = cfg_ly_leaf(server, "history", "%u", s->history)) != 0 ||
	    (rc = cfg_ly_leaf(server, "max-sessions", "%u", s->max_sessions)) != 0 ||
	    (rc = cfg_ly_leaf(server, "refresh-interval", "%u", (unsigned)s->refresh)) != 0 ||
	    (rc = cfg_ly_leaf(server, "retry-interval", "%u", (unsigned)s->retry)) != 0 ||
	    (rc = cfg_ly_leaf(server, "expire-interval", "%u", (unsigned)s->expire)) != 0 ||
	    (rc = cfg_ly_leaf(server, "send-timeout", "%u", (unsigned)s->send_timeout_ms)) != 0 ||
	    (rc = cfg_ly_leaf(server, "handshake-timeout", "%u",
			      (unsigned)s->handshake_timeout_ms)) != 0)
		return rc;
	return 0;
}

static int
w_sources(struct lyd_node *root, const struct cfg_sources *s)
{
	struct lyd_node *sources, *e;
	size_t i;
	int rc;

	if ((rc = cfg_ly_inner(root, "sources", &sources)) != 0)
		return rc;
	for (i = 0; i < s->n; i++) {
		if ((rc = cfg_ly_rc(
			 lyd_new_list(sources, NULL, "source", 0, &e, s->list[i].name))) != 0 ||
		    (rc = cfg_ly_str(e, "file", s->list[i].file)) != 0 ||
		    (rc = cfg_ly_str(e, "url", s->list[i].url)) != 0)
			return rc;
	}
	for (i = 0; i < s->nslurm; i++)
		if ((rc = cfg_ly_str(sources, "slurm", s->slurm[i])) != 0)
			return rc;
	if ((rc = cfg_ly_leaf(sources, "refresh-interval", "%u", (unsigned)s->refresh)) != 0 ||
	    (rc = cfg_ly_bool(sources, "check-time", s->check_time)) != 0 ||
	    (rc = cfg_ly_leaf(sources, "max-age", "%u", (unsigned)s->max_age)) != 0 ||
	    (rc = cfg_ly_str(sources, "signature-key-file", s->verify_key_file)) != 0 ||
	    (rc = cfg_ly_bool(sources, "serve-vrps", s->serve_vrps)) != 0 ||
	    (rc = cfg_ly_bool(sources, "serve-router-keys", s->serve_router_keys)) != 0 ||
	    (rc = cfg_ly_bool(sources, "serve-aspa", s->serve_aspas)) != 0)
		return rc;
	return 0;
}

static int
w_misc(struct lyd_node *root, const struct rtrmod_config *c)
{
	struct lyd_node *n;
	int rc;

	if ((rc = cfg_ly_inner(root, "validation", &n)) != 0 ||
	    (c->validation.local_as != 0 &&
	     (rc = cfg_ly_leaf(n, "local-as", "%u", (unsigned)c->validation.local_as)) != 0) ||
	    (rc = cfg_ly_bool(n, "aspa", c->validation.aspa)) != 0)
		return rc;
	if (c->http.enabled && ((rc = cfg_ly_inner(root, "http", &n)) != 0 ||
				(rc = cfg_ly_str(n, "address", c->http.address)) != 0 ||
				(rc = cfg_ly_leaf(n, "port", "%u", (unsigned)c->http.port)) != 0 ||
				(rc = cfg_ly_bool(n, "metrics", c->http.metrics)) != 0 ||
				(rc = cfg_ly_bool(n, "export", c->http.export_json)) != 0))
		return rc;
	if (c->control_socket != NULL && ((rc = cfg_ly_inner(root, "control", &n)) != 0 ||
					  (rc = cfg_ly_str(n, "socket", c->control_socket)) != 0))
		return rc;
	return 0;
}

int
cfg_write(const struct rtrmod_config *c, const struct ly_ctx *ly, struct lyd_node **out)
{
	const struct lys_module *mod = ly_ctx_get_module_implemented(ly, "rtrmod");
	struct lyd_node *root = NULL;
	int rc;

	*out = NULL;
	if (mod == NULL)
		return RTRMOD_EINVAL;
	if ((rc = cfg_ly_rc(lyd_new_inner(NULL, mod, "rtrmod", 0, &root))) != 0)
		return rc;
	if ((rc = w_client(root, c)) != 0 || (rc = w_server(root, &c->server)) != 0 ||
	    (rc = w_sources(root, &c->sources)) != 0 || (rc = w_misc(root, c)) != 0) {
		lyd_free_all(root);
		return rc;
	}
	*out = root;
	return 0;
}

/* Remove default leaves and the non-presence containers left empty, so the
 * printed text holds only what differs from the model's defaults.  Whether
 * `n` itself can go. */
static bool
prune(struct lyd_node *n)
{
	struct lyd_node *c, *next;
	bool empty = true;

	if (n->schema->nodetype == LYS_LEAF)
		return lyd_is_default(n) != 0;
	if (n->schema->nodetype != LYS_CONTAINER)
		return false;
	LY_LIST_FOR_SAFE(lyd_child(n), next, c)
	{
		if (prune(c))
			lyd_free_tree(c);
		else
			empty = false;
	}
	return empty && !(n->schema->flags & LYS_PRESENCE);
}

int
rtrmod_config_print(const struct rtrmod_config *config, enum rtrmod_config_format format,
		    char **out)
{
	uint32_t log_opts;
	struct ly_ctx *ly = NULL;
	struct lyd_node *tree = NULL;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (config == NULL || out == NULL ||
	    (format != RTRMOD_CONFIG_AUTO && format != RTRMOD_CONFIG_JSON &&
	     format != RTRMOD_CONFIG_XML))
		return RTRMOD_EINVAL;
	log_opts = cfg_ly_quiet();
	if ((rc = cfg_ly_new(&ly, NULL)) != 0 || (rc = cfg_write(config, ly, &tree)) != 0)
		goto fail;
	if (prune(tree)) {
		lyd_free_all(tree);
		tree = NULL;
	}
	rc = cfg_ly_print(config->ctx, tree, format == RTRMOD_CONFIG_XML,
			  LYD_PRINT_WITHSIBLINGS | LYD_PRINT_WD_TRIM, out);
fail:
	lyd_free_all(tree);
	ly_ctx_destroy(ly);
	ly_log_options(log_opts);
	return rc;
}
