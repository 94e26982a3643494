/*
 * serve_config.c: `rtrmod serve --config FILE`.  The file is loaded and put
 * in place through rtrmod_instance, which runs the cache server, its
 * listeners, the feed and the client's caches; this file adds the
 * program's side: signals, the control socket (control.h) and reloads.
 *
 * A reload (SIGHUP, or "reload" on the control socket) reads FILE again.
 * A file that loads and applies replaces the running configuration (the
 * instance changes only what changed); one that does not is logged with
 * its YANG path, and the running one stays, whole.  Either way the sources
 * are reloaded too when their section is the same, so SIGHUP still means
 * "reload the data".  The control socket moves with the file's
 * /rtrmod:rtrmod/control/socket, in the same all-or-nothing step.
 */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config_view.h"
#include "control.h"
#include "serve_config.h"
#include "serve_signals.h"

#define CONTROL_LEAF "/" CONFIG_VIEW_TOP "/control/socket"

struct serve_config {
	const char *file;
	const char *control_flag; /* --control PATH, or NULL */
	struct rtrmod_ctx *ctx;
	struct rtrmod_loop *loop;
	struct rtrmod_instance *inst;
	struct control *control;
	struct serve_signals signals;
};

static bool
same_path(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* ---- loading ---------------------------------------------------------------------------- */

/*
 * Load FILE into *out.  RTRMOD_EEXIST when it sets a control socket and
 * --control was given too (the two must not disagree); other errors are
 * the loader's.  `diag` says why.
 */
static int
sc_load(struct serve_config *sc, struct rtrmod_config **out, struct rtrmod_config_diag *diag)
{
	const char *leaf;
	int rc;

	rc = rtrmod_config_load_file(sc->ctx, sc->file, RTRMOD_CONFIG_AUTO, out, diag);
	if (rc != 0) {
		if (diag->text[0] == '\0')
			snprintf(diag->text, sizeof(diag->text), "%s: %s", sc->file,
				 rtrmod_strerror(rc));
		return rc;
	}
	leaf = rtrmod_config_control_socket(*out);
	if (sc->control_flag != NULL && leaf != NULL) {
		snprintf(diag->path, sizeof(diag->path), "%s", CONTROL_LEAF);
		snprintf(diag->text, sizeof(diag->text),
			 "%s: %s: --control %s conflicts with --config: the file sets the "
			 "control socket (%s); give one of them",
			 sc->file, CONTROL_LEAF, sc->control_flag, leaf);
		rtrmod_config_free(*out);
		*out = NULL;
		return RTRMOD_EEXIST;
	}
	return 0;
}

/* The control socket a configuration asks for. */
static const char *
sc_control_path(const struct serve_config *sc, const struct rtrmod_config *config)
{
	return sc->control_flag != NULL ? sc->control_flag : rtrmod_config_control_socket(config);
}

/*
 * Put `config` in place with its control socket, whole or not at all.
 * 0, or an error with `diag` filled.
 */
static int
sc_apply(struct serve_config *sc, const struct rtrmod_config *config,
	 struct rtrmod_config_diag *diag)
{
	const char *path = sc_control_path(sc, config);
	struct control_listener *l = NULL;
	bool move = !same_path(path, control_path(sc->control));
	char err[512];
	int rc;

	if (move && control_listen_prepare(sc->control, path, &l, err, sizeof(err)) != 0) {
		snprintf(diag->path, sizeof(diag->path), "%s", CONTROL_LEAF);
		snprintf(diag->text, sizeof(diag->text), "%s: %s: %s", sc->file, CONTROL_LEAF, err);
		return RTRMOD_EIO;
	}
	rc = rtrmod_instance_apply(sc->inst, config, diag);
	if (rc != 0) {
		control_listen_abort(l);
		if (diag->text[0] == '\0')
			snprintf(diag->text, sizeof(diag->text), "%s: %s", sc->file,
				 rtrmod_strerror(rc));
		return rc;
	}
	if (move)
		(void)control_listen_commit(sc->control, l);
	return 0;
}

/* SIGHUP's old meaning: the data again.  A relay has no sources. */
static void
sc_reload_sources(struct serve_config *sc)
{
	int rc = rtrmod_instance_reload_sources(sc->inst);

	if (rc == RTRMOD_ENOENT)
		rtrmod_ctx_log(sc->ctx, RTRMOD_LOG_DEBUG, "config: no sources to reload");
	else if (rc == RTRMOD_ESTATE)
		rtrmod_ctx_log(sc->ctx, RTRMOD_LOG_WARN,
			       "config: a reload of the sources is running");
	else if (rc != 0)
		rtrmod_ctx_log(sc->ctx, RTRMOD_LOG_WARN, "config: reloading the sources: %s",
			       rtrmod_strerror(rc));
}

/* Read FILE again and put it in place; false with the reason (the diag
 * text) in `why` when the running configuration stays. */
static bool
sc_reload(struct serve_config *sc, char *why, size_t whylen)
{
	struct rtrmod_config_diag diag = {0};
	struct rtrmod_config *config = NULL;
	const struct rtrmod_config *running = rtrmod_instance_config(sc->inst);
	bool same_sources = true, unchanged = false;
	int rc;

	rc = sc_load(sc, &config, &diag);
	if (rc == 0) {
		unchanged = rtrmod_config_equal(running, config);
		/* Unknown (out of memory printing): reload them, at worst twice. */
		if (!unchanged && config_view_section_equal(sc->ctx, running, config, "sources",
							    &same_sources) != 0)
			same_sources = true;
		if (!unchanged)
			rc = sc_apply(sc, config, &diag);
	}
	rtrmod_config_free(config);
	if (rc == 0) {
		rtrmod_ctx_log(sc->ctx, RTRMOD_LOG_INFO, "config: reloaded %s%s", sc->file,
			       unchanged ? " (no change)" : "");
	} else {
		rtrmod_ctx_log(sc->ctx, RTRMOD_LOG_ERR,
			       "config: %s refused, the running configuration stays: %s", sc->file,
			       diag.text);
		snprintf(why, whylen, "%s", diag.text);
	}
	if (same_sources)
		sc_reload_sources(sc);
	return rc == 0;
}

/* ---- the control socket's requests ------------------------------------------------------- */

/* A copy in malloc'd memory of what the library allocated through ctx. */
static char *
sc_take(struct serve_config *sc, char *text)
{
	char *copy = strdup(text);

	rtrmod_ctx_mfree(sc->ctx, text);
	return copy;
}

static bool
sc_control(void *arg, const char *request, char **out)
{
	struct serve_config *sc = arg;
	char *text = NULL, why[1100];
	int rc;

	*out = NULL;
	if (strcmp(request, "state") == 0) {
		rc = rtrmod_instance_state(sc->inst, &text);
	} else if (strcmp(request, "config") == 0) {
		rc = rtrmod_config_print(rtrmod_instance_config(sc->inst), RTRMOD_CONFIG_JSON,
					 &text);
	} else if (strcmp(request, "reload") == 0) {
		rtrmod_ctx_log(sc->ctx, RTRMOD_LOG_INFO, "control: reloading %s", sc->file);
		if (sc_reload(sc, why, sizeof(why)))
			return true;
		*out = strdup(why);
		return false;
	} else {
		snprintf(why, sizeof(why), "unknown request '%s' (state, config, reload)", request);
		*out = strdup(why);
		return false;
	}
	if (rc != 0) {
		*out = strdup(rtrmod_strerror(rc));
		return false;
	}
	*out = sc_take(sc, text);
	if (*out == NULL) {
		*out = strdup("out of memory");
		return false;
	}
	return true;
}

/* ---- signals ------------------------------------------------------------------------------ */

/* SIGHUP: the file again (sc_reload logs what came of it). */
static void
sc_hup(void *arg)
{
	struct serve_config *sc = arg;
	char why[1100];

	rtrmod_ctx_log(sc->ctx, RTRMOD_LOG_INFO, "SIGHUP: reloading %s", sc->file);
	(void)sc_reload(sc, why, sizeof(why));
}

/* ---- running ---------------------------------------------------------------------------- */

/* What is in place, once: the served serial, or what else runs. */
static void
sc_log_started(struct serve_config *sc)
{
	struct rtrmod_feed *feed = rtrmod_instance_feed(sc->inst);
	uint32_t serial = 0;

	if (feed != NULL && rtrmod_feed_serial(feed, &serial) == 0)
		rtrmod_ctx_log(sc->ctx, RTRMOD_LOG_INFO,
			       "rtrmod serve %s: %s in place; serving serial %" PRIu32
			       " (%zu VRPs, %zu router keys, %zu ASPAs)",
			       PACKAGE_VERSION, sc->file, serial,
			       rtrmod_feed_count(feed, RTRMOD_SOURCE_VRP),
			       rtrmod_feed_count(feed, RTRMOD_SOURCE_ROUTER_KEY),
			       rtrmod_feed_count(feed, RTRMOD_SOURCE_ASPA));
	else
		rtrmod_ctx_log(sc->ctx, RTRMOD_LOG_INFO, "rtrmod serve %s: %s in place%s",
			       PACKAGE_VERSION, sc->file,
			       rtrmod_instance_cache(sc->inst) != NULL
				   ? "; serving what the client's caches send (relay)"
				   : "; no cache server");
}

/* Everything up to the loop: the exit status on failure (logged), else -1. */
static int
sc_setup(struct serve_config *sc)
{
	struct rtrmod_config_diag diag = {0};
	struct rtrmod_config *config = NULL;
	int rc, status = EXIT_FAILURE;

	if ((rc = rtrmod_loop_new(sc->ctx, &sc->loop)) == 0 &&
	    (rc = rtrmod_instance_new(sc->ctx, &sc->inst)) == 0 &&
	    control_new(sc->ctx, sc->loop, sc_control, sc, &sc->control) != 0)
		rc = RTRMOD_ENOMEM;
	if (rc != 0 ||
	    (rc = serve_signals_start(&sc->signals, sc->ctx, sc->loop, sc_hup, sc)) != 0) {
		rtrmod_ctx_log(sc->ctx, RTRMOD_LOG_ERR, "rtrmod serve: cannot start: %s",
			       rtrmod_strerror(rc));
		return EXIT_FAILURE;
	}
	rc = sc_load(sc, &config, &diag);
	if (rc == 0)
		rc = sc_apply(sc, config, &diag);
	else if (rc == RTRMOD_EEXIST)
		status = EXIT_USAGE; /* --control and the file's socket */
	rtrmod_config_free(config);
	if (rc != 0) {
		rtrmod_ctx_log(sc->ctx, RTRMOD_LOG_ERR, "%s", diag.text);
		rtrmod_ctx_log(sc->ctx, RTRMOD_LOG_ERR, "rtrmod serve: %s refused; exiting",
			       sc->file);
		return status;
	}
	sc_log_started(sc);
	return -1;
}

static void
sc_teardown(struct serve_config *sc)
{
	control_free(sc->control);
	rtrmod_instance_free(sc->inst);
	serve_signals_stop(&sc->signals);
	rtrmod_loop_free(sc->loop);
	rtrmod_ctx_free(sc->ctx);
}

int
serve_config_run(const char *file, const char *control, enum rtrmod_log_level level)
{
	struct serve_config sc = {.file = file, .control_flag = control};
	int status;

	if (rtrmod_ctx_new(NULL, &sc.ctx) != 0) {
		fprintf(stderr, "rtrmod serve: out of memory\n");
		return EXIT_FAILURE;
	}
	rtrmod_ctx_set_log(sc.ctx, serve_log, NULL, level);
	status = sc_setup(&sc);
	if (status < 0)
		status = serve_signals_run(&sc.signals);
	sc_teardown(&sc);
	return status;
}
