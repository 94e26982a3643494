/*
 * config_internal.h: the typed configuration that module/config*.c makes
 * from a validated YANG instance and module/instance*.c puts in place.
 *
 *   config.c         libyang context with the compiled-in modules, parsing,
 *                    validation, error messages (file:line: path: what)
 *   config_read.c    validated data tree -> struct rtrmod_config
 *   config_write.c   struct rtrmod_config -> data tree (print, round trip)
 *   config_typed.c   equality, deep copy, freeing, diagnostics of the typed form
 *   config_lyd.c     small libyang helpers: node builders, error mapping, printing
 *   yang_modules.c   generated: the text of the modules in yang/
 *
 * Every value here is already checked against the model (ranges, must
 * rules) and against what the core accepts; defaults are filled in, so two
 * configurations compare field by field.  Strings are NUL-terminated and
 * owned by the configuration (ctx allocator); NULL means "not set".
 */
#ifndef RTRMOD_CONFIG_INTERNAL_H
#define RTRMOD_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/config.h>
#include <rtrmod/records.h>

enum cfg_transport {
	CFG_TRANSPORT_TCP = 0,
	CFG_TRANSPORT_TLS = 1, /* modelled; refused by this build at load (RTRMOD_ENOTSUP) */
	CFG_TRANSPORT_SSH = 2, /* modelled; refused by this build at load (RTRMOD_ENOTSUP) */
};

struct cfg_tls {
	char *ca_file;     /* trust anchors for the peer's certificate */
	char *cert_file;   /* our certificate (client auth / server cert) */
	char *key_file;    /* our private key */
	char *server_name; /* name checked in the cache's certificate (client) */
};

struct cfg_ssh {
	char *username;
	char *private_key_file;
	char *host_key_file; /* client: the cache's expected public key / known_hosts;
				listener: the cache's own private host key */
	char *authorized_keys_file; /* listener: routers' public keys; client: NULL */
};

/* One cache the client connects to (ietf-rpki-rtr cache-server). */
struct cfg_cache {
	char address[256];      /* numeric IPv4 / IPv6, or a host name */
	uint16_t port;          /* server-port */
	unsigned preference;    /* 1..255, RFC 8210 §10: lower is preferred */
	char local_address[64]; /* "" when not set */
	uint8_t version_max;    /* protocol-version: the highest to start with */
	uint32_t refresh, retry, expire; /* s, RFC 8210 §6 ranges, until the cache sends its own */
	uint32_t timeout_ms;    /* I/O progress timeout */
	enum cfg_transport transport;
	struct cfg_tls tls;
	struct cfg_ssh ssh;
};

/* One listener of the in-process cache server. */
struct cfg_listener {
	char address[64];
	uint16_t port;
	enum cfg_transport transport;
	struct cfg_tls tls;
	struct cfg_ssh ssh;
};

struct cfg_server {
	bool enabled; /* presence of the cache-server container */
	struct cfg_listener *listeners;
	size_t nlisteners;
	uint8_t version_min, version_max;
	unsigned history;      /* serials of delta history kept */
	unsigned max_sessions; /* 0: no limit */
	struct rtrmod_prefix *acl; /* routers allowed; none: all */
	size_t nacl;
	uint32_t refresh, retry, expire; /* sent in End of Data (RFC 8210 §6) */
	uint32_t send_timeout_ms, handshake_timeout_ms;
};

struct cfg_source {
	char *name; /* list key */
	char *file; /* exactly one of file and url */
	char *url;  /* modelled; refused by this build at load (RTRMOD_ENOTSUP) */
};

struct cfg_sources {
	struct cfg_source *list;
	size_t n;
	uint32_t refresh;       /* s; 0: only on reload */
	bool check_time;        /* refuse files past expiry / older than max_age */
	uint32_t max_age;       /* s */
	char *verify_key_file;  /* PEM public key; NULL: signatures not checked */
	char **slurm;           /* SLURM files (RFC 8416), in order */
	size_t nslurm;
	bool serve_vrps, serve_router_keys, serve_aspas;
};

struct cfg_validation {
	uint32_t local_as; /* origin of locally originated routes (RFC 6811 §2); 0: unset */
	bool aspa;         /* ASPA AS_PATH verification on */
};

/* HTTP endpoint for metrics and JSON export: modelled; enabling it is
 * refused by this build at load (RTRMOD_ENOTSUP). */
struct cfg_http {
	bool enabled;
	char address[64];
	uint16_t port;
	bool metrics, export_json;
};

struct rtrmod_config {
	struct rtrmod_ctx *ctx;
	char *name; /* the file it came from, for messages */
	struct cfg_cache *caches;
	size_t ncaches;
	struct cfg_server server;
	struct cfg_sources sources;
	struct cfg_validation validation;
	struct cfg_http http;
	char *control_socket; /* NULL: none */
};

/* Field-by-field equality, the rule for "unchanged" on re-apply. */
bool cfg_cache_equal(const struct cfg_cache *a, const struct cfg_cache *b);
bool cfg_listener_equal(const struct cfg_listener *a, const struct cfg_listener *b);
bool cfg_server_settings_equal(const struct cfg_server *a, const struct cfg_server *b); /* all but listeners */
bool cfg_sources_equal(const struct cfg_sources *a, const struct cfg_sources *b);

/* A deep copy (the instance keeps its own); NULL on allocation failure. */
struct rtrmod_config *cfg_dup(struct rtrmod_ctx *ctx, const struct rtrmod_config *config);
/* A zeroed configuration with every default of the model filled in
 * (config_read.c starts from it; tests build configurations from it). */
struct rtrmod_config *cfg_new_default(struct rtrmod_ctx *ctx);
/* One list entry with the model's defaults (server-port 323, preference 1,
 * protocol-version 2, timers 3600/600/7200 s, 30 s timeout, TCP); the keys
 * (address) are left empty for the caller. */
void cfg_cache_defaults(struct cfg_cache *cache);
void cfg_listener_defaults(struct cfg_listener *listener);
/* Free a configuration and everything it owns; NULL is fine. */
void cfg_free(struct rtrmod_config *config);

/* Fill `diag` (may be NULL): path may be NULL or "", line 0 when unknown. */
void cfg_diag_set(struct rtrmod_config_diag *diag, const char *file, unsigned line,
		  const char *path, const char *fmt, ...) RTRMOD_PRINTF(5, 6);

/* The compiled-in modules (yang_modules.c, generated from yang/). */
struct cfg_yang_module {
	const char *name;
	const char *text;
};
extern const struct cfg_yang_module cfg_yang_modules[];
extern const size_t cfg_yang_module_count;

/* ---- between config.c, config_read.c, config_write.c, instance_state.c ---- */

struct ly_ctx;
struct lyd_node;
struct rtrmod_client;
struct rtrmod_cache;
struct rtrmod_feed;

/* Have libyang store its messages instead of printing them; returns the
 * options to put back with ly_log_options() when done. */
uint32_t cfg_ly_quiet(void);
/* A libyang context holding the compiled-in modules and nothing else (no
 * search directories, no yang-library data).  The caller has libyang's
 * messages stored, not printed (cfg_ly_quiet); on failure diag
 * says why.  RTRMOD_ENOMEM or RTRMOD_EPARSE (a module that does not
 * compile, which the build's own checks rule out). */
int cfg_ly_new(struct ly_ctx **out, struct rtrmod_config_diag *diag);
/* The text a configuration was loaded from, for messages and line numbers. */
struct cfg_src {
	const char *name; /* file name for messages */
	const char *text; /* NUL-terminated */
	size_t len;
	bool xml;
};

/* libyang's last stored error as diag (file, line, data path, message);
 * the line is located in src->text when libyang gives none.  Returns the
 * RTRMOD_E* matching it (ENOMEM or EPARSE). */
int cfg_ly_diag(const struct ly_ctx *ly, const struct cfg_src *src,
		struct rtrmod_config_diag *diag);
/* The 1-based line of the node at data path `path` in `text` (JSON or XML
 * instance data), or of its nearest ancestor written there; 0 if none.
 * *exact (may be NULL) says whether the node itself was found. */
unsigned cfg_locate_line(const char *text, size_t len, bool xml, const char *path, bool *exact);

/* Validated data tree (its first top-level sibling; NULL for an empty
 * file) -> typed configuration, with the core's own checks (numeric
 * addresses, modelled features not implemented: RTRMOD_ENOTSUP). */
int cfg_read(struct rtrmod_ctx *ctx, const struct lyd_node *tree, const struct cfg_src *src,
	     struct rtrmod_config **out, struct rtrmod_config_diag *diag);
/* Typed configuration -> data tree in `ly` (every value written; the
 * printer trims defaults).  *out is NULL when there is nothing at all. */
int cfg_write(const struct rtrmod_config *config, const struct ly_ctx *ly, struct lyd_node **out);

/* The state of a running client, cache server and feed (each may be NULL)
 * as RFC 7951 JSON of the model's config false nodes, with the list keys
 * they hang off; *out NUL-terminated, freed with the ctx allocator.
 * rtrmod_instance_state() is this with the instance's own objects. */
int cfg_state_json(struct rtrmod_ctx *ctx, const struct rtrmod_config *config,
		   struct rtrmod_client *client, struct rtrmod_cache *cache,
		   struct rtrmod_feed *feed, char **out);

/* ---- building data trees (config_lyd.c), for config_write.c and instance_state.c ---- */

/* A LY_ERR as 0, RTRMOD_ENOMEM (LY_EMEM) or RTRMOD_EINVAL. */
int cfg_ly_rc(int err);
/* A container `name` under `parent` (not top-level: that needs its module). */
int cfg_ly_inner(struct lyd_node *parent, const char *name, struct lyd_node **out);
/* A leaf whose value is printed from fmt. */
int cfg_ly_leaf(struct lyd_node *parent, const char *name, const char *fmt, ...)
    RTRMOD_PRINTF(3, 4);
/* A string leaf; nothing for NULL or "" (not set). */
int cfg_ly_str(struct lyd_node *parent, const char *name, const char *value);
/* A boolean leaf, "true" or "false". */
int cfg_ly_bool(struct lyd_node *parent, const char *name, bool value);
/* tree (NULL: nothing) and its siblings as JSON or XML with libyang's print
 * options, in *out: NUL-terminated, allocated with ctx; RTRMOD_ENOMEM. */
int cfg_ly_print(struct rtrmod_ctx *ctx, const struct lyd_node *tree, bool xml, uint32_t options,
		 char **out);

#endif
