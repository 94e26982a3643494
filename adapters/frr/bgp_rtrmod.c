/*
 * bgp_rtrmod.c: the bgpd module `-M rtrmod[:CONFIG-FILE]`, a drop-in for
 * FRR's own RPKI module: registration, late init and fini, and the rtrmod
 * instance it runs on bgpd's event loop.
 *
 * bgpd 8.4 crashes when a module's init fails (frrmod_load dlcloses the
 * module and then reads from it), so init never fails: it only registers
 * the late-init and fini hooks.  Late init makes the checks of
 * rtrmod_check.c and on failure logs why and stays inert: nothing running,
 * no validation hook.  Inert beside FRR's own `-M rpki`, it installs
 * nothing (the stock module has the commands).  Inert in a bgpd of another
 * upstream FRR version it installs nothing either: its CLI (the node, the
 * DEFUNs, the route_map_rule_cmd) is compiled against this FRR's headers,
 * whose layouts and enums another version may change; the log says what a
 * refused `match rpki` then does.  Inert in the same upstream version of
 * another Debian revision, it still installs the rpki node (lines kept for
 * `write memory`, nothing run) and `match rpki` with a match that never
 * fires: without it bgpd would refuse ` match rpki invalid` but keep its
 * `route-map X deny 10` entry with no match clause, which denies every
 * route.  Otherwise it builds the core
 * (allocator: FRR's MTYPEs, log: zlog, loop: frr_loop.c), applies the YANG
 * configuration file named in the module argument (with bgpd's privileges
 * raised, so a listener may bind RTR's port 323), and installs the
 * commands, the route-map match and the validation hook.
 */
#include <zebra.h>

#include "lib/hook.h"
#include "lib/libfrr.h"
#include "lib/memory.h"
#include "lib/module.h"
#include "lib/privs.h"
#include "lib/version.h"
#include "lib/zlog.h"

#include "bgpd/bgpd.h"

#include <rtrmod/config.h>
#include <rtrmod/instance.h>

#include "bgpd/bgp_memory.h"

#include "rtrmod_frr.h"

DEFINE_MTYPE_STATIC(BGPD, RTRMOD_CORE, "rtrmod core");

/* bgpd's privileges (bgpd/bgp_main.c; no header declares them). */
extern struct zebra_privs_t bgpd_privs;

struct rtrmod_frr rtrmod_frr;

/* ---- the core's allocator and log ---------------------------------------------------- */

static void *
core_malloc(void *arg, size_t size)
{
	(void)arg;
	return XMALLOC(MTYPE_RTRMOD_CORE, size);
}

static void *
core_realloc(void *arg, void *ptr, size_t size)
{
	(void)arg;
	return XREALLOC(MTYPE_RTRMOD_CORE, ptr, size);
}

static void
core_free(void *arg, void *ptr)
{
	(void)arg;
	XFREE(MTYPE_RTRMOD_CORE, ptr);
}

static const struct rtrmod_allocator core_allocator = {
    .malloc = core_malloc,
    .realloc = core_realloc,
    .free = core_free,
    .arg = NULL,
};

static void
core_log(void *arg, enum rtrmod_log_level level, const char *msg)
{
	(void)arg;
	switch (level) {
	case RTRMOD_LOG_ERR:
		zlog_err("rtrmod: %s", msg);
		break;
	case RTRMOD_LOG_WARN:
		zlog_warn("rtrmod: %s", msg);
		break;
	case RTRMOD_LOG_INFO:
		zlog_info("rtrmod: %s", msg);
		break;
	default:
		zlog_debug("rtrmod: %s", msg);
		break;
	}
}

void
rtrmod_frr_set_debug(bool on)
{
	rtrmod_frr.debug = on;
	if (rtrmod_frr.ctx != NULL)
		rtrmod_ctx_set_log(rtrmod_frr.ctx, core_log, NULL,
				   on ? RTRMOD_LOG_DEBUG : RTRMOD_LOG_INFO);
}

struct rtrmod_client *
rtrmod_frr_client(void)
{
	return rtrmod_frr.inst != NULL ? rtrmod_instance_client(rtrmod_frr.inst) : NULL;
}

/* The table, not the serving preference: while the client holds a removed
 * serving cache's table until another group syncs, no group serves, but
 * validation goes on against that table. */
bool
rtrmod_frr_synced(void)
{
	return rtrmod_client_has_table(rtrmod_frr_client());
}

/* ---- following the client --------------------------------------------------------------- */

/* Validation goes from "not in use" to in use (or back): every route's
 * state changes, not only those under changed VRPs. */
static bool
sync_changed(void)
{
	bool now = rtrmod_frr_synced();
	unsigned pref = 0;

	if (now == rtrmod_frr.synced)
		return false;
	rtrmod_frr.synced = now;
	if (now && rtrmod_client_serving_preference(rtrmod_frr_client(), &pref))
		zlog_info("rtrmod: RPKI origin validation in use (cache group preference %u)",
			  pref);
	else if (now)
		zlog_info("rtrmod: RPKI origin validation in use (the table of a removed cache, "
			  "until another group has synced)");
	else
		zlog_info("rtrmod: RPKI origin validation not in use: no cache group has data");
	return true;
}

static void
on_update(void *arg, struct rtrmod_client *client, const struct rtrmod_delta *delta)
{
	(void)arg;
	(void)client;
	if (!rtrmod_frr.active)
		return;
	rtrmod_revalidate_delta(sync_changed() ? NULL : delta);
}

static void
sync_check(void *arg)
{
	(void)arg;
	rtrmod_frr.sync_check = NULL;
	if (rtrmod_frr.active && sync_changed())
		rtrmod_revalidate_delta(NULL);
}

/* A cache changed state.  The client picks its serving group on a timer of
 * its own armed before this call, so look at the outcome from a timer armed
 * after it (the loop fires equal-time timers in arming order).  A group
 * that starts serving an empty table changes no record, so no update
 * callback tells us. */
static void
on_status(void *arg, struct rtrmod_client *client, const struct rtrmod_client_cache *cache)
{
	(void)arg;
	(void)client;
	(void)cache;
	if (!rtrmod_frr.active || rtrmod_frr.sync_check != NULL)
		return;
	if (frr_loop_ops()->timer_arm(rtrmod_frr.loop, 0, sync_check, NULL,
				      &rtrmod_frr.sync_check) != 0)
		rtrmod_frr.sync_check = NULL;
}

/* ---- the configuration file ------------------------------------------------------------- */

static void
config_file_apply(const char *path)
{
	struct rtrmod_config *config = NULL;
	struct rtrmod_config_diag diag;
	int rc;

	memset(&diag, 0, sizeof(diag));
	rc = rtrmod_config_load_file(rtrmod_frr.ctx, path, RTRMOD_CONFIG_AUTO, &config, &diag);
	/* bgpd runs as user frr with its capabilities lowered: a listener on a
	 * port below 1024 (RTR's 323) needs CAP_NET_BIND_SERVICE raised, as
	 * bgpd raises it for its own listener (bgpd/bgp_network.c). */
	/* clang-format off */
	if (rc == 0)
		frr_with_privs (&bgpd_privs) {
			rc = rtrmod_instance_apply(rtrmod_frr.inst, config, &diag);
		}
	/* clang-format on */
	rtrmod_config_free(config);
	if (rc != 0) {
		zlog_err("rtrmod: configuration file %s not used (%s): %s; running with the CLI "
			 "configuration only",
			 path, rtrmod_strerror(rc), diag.text[0] ? diag.text : "no details");
		return;
	}
	zlog_info("rtrmod: configuration file %s applied", path);
	/* Caches from the file run from the start, as the CLI's do once the
	 * rpki node has been read. */
	if (rtrmod_client_cache_count(rtrmod_frr_client()) > 0)
		rtrmod_frr_start();
}

/* ---- lifecycle ----------------------------------------------------------------------------- */

/* The instance, then the loop it runs on, then the context (each may be
 * NULL: a late init that failed half way). */
static void
core_teardown(void)
{
	rtrmod_instance_free(rtrmod_frr.inst);
	rtrmod_frr.inst = NULL;
	if (rtrmod_frr.ctx != NULL && rtrmod_ctx_set_loop(rtrmod_frr.ctx, NULL, NULL) != 0)
		zlog_err("rtrmod: cannot detach the event loop");
	frr_loop_free(rtrmod_frr.loop);
	rtrmod_frr.loop = NULL;
	rtrmod_ctx_free(rtrmod_frr.ctx);
	rtrmod_frr.ctx = NULL;
}

static int
rtrmod_late_init(struct thread_master *master)
{
	const char *args = THIS_MODULE->load_args;
	int rc;

	rtrmod_frr.master = master;
	rtrmod_frr.polling_period = RTRMOD_FRR_POLLING_DEFAULT;
	rtrmod_frr.expire_interval = RTRMOD_FRR_EXPIRE_DEFAULT;
	rtrmod_frr.retry_interval = RTRMOD_FRR_RETRY_DEFAULT;
	switch (rtrmod_frr_check()) {
	case RTRMOD_FRR_RUN:
		break;
	case RTRMOD_FRR_OTHER_REVISION:
		rtrmod_frr.inert = true;
		rtrmod_vty_init();
		rtrmod_routemap_init();
		return 0;
	case RTRMOD_FRR_OTHER_UPSTREAM:
	case RTRMOD_FRR_STOCK_RPKI:
		return 0;
	}

	rc = rtrmod_ctx_new(&core_allocator, &rtrmod_frr.ctx);
	if (rc != 0)
		goto fail;
	rtrmod_frr_set_debug(false);
	rtrmod_frr.loop = frr_loop_new(master);
	rc = rtrmod_ctx_set_loop(rtrmod_frr.ctx, frr_loop_ops(), rtrmod_frr.loop);
	if (rc == 0)
		rc = rtrmod_instance_new(rtrmod_frr.ctx, &rtrmod_frr.inst);
	if (rc != 0)
		goto fail;
	rtrmod_instance_set_update_cb(rtrmod_frr.inst, on_update, NULL);
	rtrmod_instance_set_status_cb(rtrmod_frr.inst, on_status, NULL);

	rtrmod_frr.active = true;
	rtrmod_vty_init();
	rtrmod_show_init();
	rtrmod_routemap_init();
	hook_register(bgp_rpki_prefix_status, rtrmod_frr_validate);
	zlog_info("rtrmod %s: RPKI module active in FRR %s%s%s%s%s%s", rtrmod_version(),
		  FRR_VERSION, *rtrmod_frr_package_version() ? " (package " : "",
		  rtrmod_frr_package_version(), *rtrmod_frr_package_version() ? ")" : "",
		  args != NULL && *args ? ", configuration file " : "",
		  args != NULL && *args ? args : "");
	if (args != NULL && *args)
		config_file_apply(args);
	return 0;

fail:
	zlog_err("rtrmod: cannot start the RPKI core: %s; the module stays inactive",
		 rtrmod_strerror(rc));
	core_teardown();
	return 0;
}

static int
rtrmod_fini(void)
{
	if (rtrmod_frr.inert) {
		rtrmod_vty_fini();
		return 0;
	}
	if (!rtrmod_frr.active)
		return 0;
	/* From here on the hook answers "not in use" (bgpd tears its tables
	 * down after this), and nothing of ours is called any more. */
	rtrmod_frr.active = false;
	hook_unregister(bgp_rpki_prefix_status, rtrmod_frr_validate);
	rtrmod_revalidate_fini();
	if (rtrmod_frr.sync_check != NULL)
		frr_loop_ops()->timer_cancel(rtrmod_frr.loop, rtrmod_frr.sync_check);
	rtrmod_frr.sync_check = NULL;
	rtrmod_vty_fini();
	core_teardown();
	return 0;
}

/* Never fails (see the top of the file). */
static int
rtrmod_module_init(void)
{
	hook_register(frr_late_init, rtrmod_late_init);
	hook_register(frr_early_fini, rtrmod_fini);
	return 0;
}

FRR_MODULE_SETUP(.name = "bgpd_rtrmod", .version = RTRMOD_PACKAGE_VERSION,
		 .description = "RPKI support for FRR (rtrmod RTR client and cache)",
		 .init = rtrmod_module_init, );
