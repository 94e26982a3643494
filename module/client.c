/*
 * client.c: the RTR client manager: caches and their preference groups
 * (RFC 8210 §10), which group serves, the merged table of that group, the
 * ROV index kept current from it, and the host's callbacks and status.
 *
 * Invariants: `merged` is always the merge (client_merge.c) of the serving
 * group's committed sets (or, while `holding`, with no group serving, the
 * table a removed cache left until another group syncs), and the ROV index
 * always holds merged's VRPs.  A
 * member of the serving group that commits changes both at once, by one
 * sealed delta that is also what the host's update callback receives.  The
 * choice of serving group, and starting and stopping groups, happens only
 * in client_reevaluate(), run from a zero-delay timer, so a session is never
 * started or stopped from inside its own callbacks.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "client_internal.h"
#include "rtrmod_internal.h"

/* ---- publishing changes of the merged table ---------------------------------- */

/* Apply a merged-table delta: new merged set, ROV index, host callback. */
static void
client_publish(struct rtrmod_client *c, const struct rtrmod_delta *d)
{
	struct rtrmod_set *next;
	struct rtrmod_rov_index *idx;
	int rc;

	if (rtrmod_delta_empty(d))
		return;
	if ((rc = rtrmod_set_apply(c->merged, d, &next)) != 0) {
		log_err(c->ctx, "rtr: merged table update failed: %s", rtrmod_strerror(rc));
		return;
	}
	if ((rc = rtrmod_rov_index_update(c->rov, d)) != 0) {
		log_warn(c->ctx, "rtr: ROV index update failed (%s): rebuilding",
			 rtrmod_strerror(rc));
		if (rtrmod_rov_index_new(c->ctx, next, &idx) != 0) {
			log_err(c->ctx, "rtr: ROV index rebuild failed; keeping the old one");
			rtrmod_set_unref(next);
			return;
		}
		rtrmod_rov_index_free(c->rov);
		c->rov = idx;
	}
	rtrmod_set_unref(c->merged);
	c->merged = next;
	if (c->update_fn != NULL) {
		c->depth++;
		c->update_fn(c->update_arg, c, d);
		c->depth--;
	}
}

/* Replace the merged table by the merge of group `gi` (-1: empty). */
static void
client_switch(struct rtrmod_client *c, int gi)
{
	struct rtrmod_set *next;
	struct rtrmod_delta *d;
	int rc;

	rc = client_merge_group(c, gi >= 0 ? &c->groups[gi] : NULL, &next);
	if (rc == 0) {
		rc = rtrmod_set_diff(c->merged, next, &d);
		rtrmod_set_unref(next);
	}
	if (rc != 0) {
		/* Try again at the next evaluation: merged must not keep a
		 * group's data that left. */
		log_err(c->ctx, "rtr: cannot merge group: %s", rtrmod_strerror(rc));
		c->rebuild = true;
		return;
	}
	if (gi != c->serving && gi >= 0)
		log_info(c->ctx, "rtr: serving group is now preference %u", c->groups[gi].preference);
	else if (gi != c->serving)
		log_info(c->ctx, "rtr: no group is serving now");
	c->serving = gi;
	client_publish(c, d);
	rtrmod_delta_free(d);
}

/* ---- group policy --------------------------------------------------------------- */

static struct client_cache *
cache_of(struct csess *s)
{
	return (struct client_cache *)((char *)s - offsetof(struct client_cache, sess));
}

static int
group_of(const struct rtrmod_client *c, const struct client_cache *cc)
{
	for (size_t g = 0; g < c->ngroups; g++)
		if (c->groups[g].preference == cc->preference)
			return (int)g;
	return -1;
}

/* Synced: connected and committed on this very connection. */
static bool
cache_up(const struct client_cache *cc)
{
	const struct csess *s = &cc->sess;

	return s->set != NULL && cc->synced_gen == s->conn_gen &&
	       (s->state == RTRMOD_CLIENT_QUERYING || s->state == RTRMOD_CLIENT_RECEIVING ||
		s->state == RTRMOD_CLIENT_ESTABLISHED);
}

static bool
group_up(const struct client_group *g)
{
	for (size_t i = 0; i < g->count; i++)
		if (cache_up(g->caches[i]))
			return true;
	return false;
}

static bool
group_has_data(const struct client_group *g)
{
	for (size_t i = 0; i < g->count; i++)
		if (g->caches[i]->sess.set != NULL)
			return true;
	return false;
}

static void
group_run(struct rtrmod_client *c, struct client_group *g, bool on)
{
	uint64_t now = ctx_now_ms(c->ctx);

	for (size_t i = 0; i < g->count; i++) {
		struct client_cache *cc = g->caches[i];
		bool stopped = cc->sess.state == RTRMOD_CLIENT_STOPPED;

		if (on == !stopped)
			continue;
		csess_event(&cc->sess, on ? CEV_START : CEV_STOP,
			    on ? "group needed" : "a more preferred group is synced", now);
		conn_sync(cc);
	}
}

static void
client_hold_end(struct rtrmod_client *c)
{
	ctx_timer_cancel(c->ctx, &c->hold_timer);
	c->holding = false;
}

static void
hold_cb(void *arg)
{
	struct rtrmod_client *c = arg;

	c->hold_timer = NULL;
	c->holding = false;
	log_info(c->ctx, "rtr: the table of a removed cache expired");
	c->rebuild = true;
	client_reevaluate(c);
}

/*
 * RFC 8210 §10: the most preferred group with a synced cache serves; with
 * none synced, the most preferred one still holding unexpired data does.
 * Every group down to the first synced one is kept connected (so a better
 * group can come back); groups past it are stopped and their data dropped.
 */
void
client_reevaluate(struct rtrmod_client *c)
{
	int first_up = -1, serving = -1;

	if (!c->started)
		return;
	for (size_t g = 0; g < c->ngroups && first_up < 0; g++)
		if (group_up(&c->groups[g]))
			first_up = (int)g;
	serving = first_up;
	for (size_t g = 0; g < c->ngroups && serving < 0; g++)
		if (group_has_data(&c->groups[g]))
			serving = (int)g;
	/* Switch first: a group stopped below purges its data, and must no
	 * longer be serving then, or the host would see its records leave
	 * before the new group's arrive.  A table held for a removed cache
	 * stays until a group has data again (or it expires). */
	if ((serving != c->serving || c->rebuild) && (serving >= 0 || !c->holding)) {
		c->rebuild = false;
		client_hold_end(c);
		client_switch(c, serving);
	}
	for (size_t g = 0; g < c->ngroups; g++)
		group_run(c, &c->groups[g], first_up < 0 || (int)g <= first_up);
}

static void
eval_cb(void *arg)
{
	struct rtrmod_client *c = arg;

	c->eval_timer = NULL;
	client_reevaluate(c);
}

int
client_eval_arm(struct rtrmod_client *c)
{
	int rc;

	if (c->eval_timer != NULL || !c->started || c->freeing)
		return 0;
	if ((rc = ctx_timer_arm(c->ctx, 0, eval_cb, c, &c->eval_timer)) != 0)
		log_err(c->ctx, "rtr: the event loop refused a timer");
	return rc;
}

static void
client_eval_soon(struct rtrmod_client *c)
{
	(void)client_eval_arm(c); /* logged */
}

bool
client_in_callback(const struct rtrmod_client *c)
{
	return c->depth > 0;
}

/* ---- session callbacks ------------------------------------------------------------ */

static void
sess_commit(void *arg, struct csess *s, const struct rtrmod_delta *change)
{
	struct rtrmod_client *c = arg;
	struct client_cache *cc = cache_of(s);
	struct rtrmod_delta *d;
	int gi = group_of(c, cc), rc;

	if (c->freeing)
		return;
	if (s->set != NULL)
		cc->synced_gen = s->conn_gen;
	if (gi == c->serving && gi >= 0) {
		if (change == NULL) {
			c->rebuild = true; /* no delta (out of memory): merge afresh */
		} else if ((rc = client_merge_change(c, &c->groups[gi], change, &d)) != 0) {
			log_err(c->ctx, "rtr %s: merge failed: %s", cc->name, rtrmod_strerror(rc));
			c->rebuild = true;
		} else {
			client_publish(c, d);
			rtrmod_delta_free(d);
		}
	}
	if (c->status_fn != NULL) {
		c->depth++;
		c->status_fn(c->status_arg, c, (const struct rtrmod_client_cache *)(void *)cc);
		c->depth--;
	}
	client_eval_soon(c);
}

static void
sess_state(void *arg, struct csess *s, enum rtrmod_client_state from)
{
	struct rtrmod_client *c = arg;

	(void)from;
	if (c->freeing)
		return;
	if (c->status_fn != NULL) {
		c->depth++;
		c->status_fn(c->status_arg, c,
			     (const struct rtrmod_client_cache *)(void *)cache_of(s));
		c->depth--;
	}
	client_eval_soon(c);
}

static const struct csess_ops client_sess_ops = {sess_commit, sess_state};

/* ---- the object ---------------------------------------------------------------------- */

int
rtrmod_client_new(struct rtrmod_ctx *ctx, struct rtrmod_client **out)
{
	struct rtrmod_client *c;
	int rc;

	if (out == NULL)
		return RTRMOD_EINVAL;
	*out = NULL;
	if (ctx == NULL)
		return RTRMOD_EINVAL;
	if ((c = ctx_zalloc(ctx, sizeof(*c))) == NULL)
		return RTRMOD_ENOMEM;
	c->ctx = ctx;
	c->serving = -1;
	rc = rtrmod_set_new_empty(ctx, &c->empty);
	if (rc == 0)
		rc = rtrmod_rov_index_new(ctx, c->empty, &c->rov);
	if (rc != 0) {
		rtrmod_set_unref(c->empty);
		ctx_free(ctx, c);
		return rc;
	}
	c->merged = rtrmod_set_ref(c->empty);
	*out = c;
	return 0;
}

void
rtrmod_client_free(struct rtrmod_client *c)
{
	if (c == NULL)
		return;
	if (c->depth > 0) {
		log_err(c->ctx, "rtr: client freed from inside its own callback: refused");
		return;
	}
	c->freeing = true;
	ctx_timer_cancel(c->ctx, &c->eval_timer);
	ctx_timer_cancel(c->ctx, &c->hold_timer);
	for (size_t i = 0; i < c->ncaches; i++) {
		conn_close(c->caches[i]);
		csess_fini(&c->caches[i]->sess);
		ctx_free(c->ctx, c->caches[i]);
	}
	for (size_t g = 0; g < c->ngroups; g++)
		ctx_free(c->ctx, c->groups[g].caches);
	ctx_free(c->ctx, c->groups);
	ctx_free(c->ctx, c->caches);
	rtrmod_rov_index_free(c->rov);
	rtrmod_set_unref(c->merged);
	rtrmod_set_unref(c->empty);
	ctx_free(c->ctx, c);
}

void
rtrmod_client_set_update_cb(struct rtrmod_client *c, rtrmod_client_update_fn *fn, void *arg)
{
	c->update_fn = fn;
	c->update_arg = arg;
}

void
rtrmod_client_set_status_cb(struct rtrmod_client *c, rtrmod_client_status_fn *fn, void *arg)
{
	c->status_fn = fn;
	c->status_arg = arg;
}

/* Put cc into the group of its preference, making one in order if new. */
static int
client_group_add(struct rtrmod_client *c, struct client_cache *cc)
{
	struct client_group *g, *groups;
	struct client_cache **members;
	size_t at = 0;

	while (at < c->ngroups && c->groups[at].preference < cc->preference)
		at++;
	if (at == c->ngroups || c->groups[at].preference != cc->preference) {
		groups = ctx_realloc(c->ctx, c->groups, (c->ngroups + 1) * sizeof(*groups));
		if (groups == NULL)
			return RTRMOD_ENOMEM;
		c->groups = groups;
		memmove(&groups[at + 1], &groups[at], (c->ngroups - at) * sizeof(*groups));
		memset(&groups[at], 0, sizeof(*groups));
		groups[at].preference = cc->preference;
		c->ngroups++;
		if (c->serving >= (int)at)
			c->serving++;
	}
	g = &c->groups[at];
	members = ctx_realloc(c->ctx, g->caches, (g->count + 1) * sizeof(*members));
	if (members == NULL)
		return RTRMOD_ENOMEM; /* an empty new group is harmless */
	g->caches = members;
	g->caches[g->count++] = cc;
	return 0;
}

int
rtrmod_client_add_cache(struct rtrmod_client *c, const char *addr, uint16_t port,
			unsigned preference, const char *transport,
			struct rtrmod_client_cache **out)
{
	struct client_cache *cc, **caches;
	int rc;

	bool numeric;

	if (out != NULL)
		*out = NULL;
	if (c == NULL || addr == NULL)
		return RTRMOD_EINVAL;
	/* A name is looked up at every connection attempt (client_dial.c). */
	numeric = resolve_numeric(addr, NULL);
	if (!numeric && !resolve_host_valid(addr))
		return RTRMOD_EINVAL;
	if (transport != NULL && strcmp(transport, "tcp") != 0)
		return RTRMOD_ENOTSUP;
	if ((cc = ctx_zalloc(c->ctx, sizeof(*cc))) == NULL)
		return RTRMOD_ENOMEM;
	cc->client = c;
	snprintf(cc->host, sizeof(cc->host), "%s", addr);
	cc->numeric = numeric;
	cc->port = port;
	snprintf(cc->name, sizeof(cc->name), strchr(addr, ':') ? "[%s]:%u" : "%s:%u", addr,
		 (unsigned)port);
	cc->preference = preference;
	cc->transport = "tcp";
	cc->connect = conn_tcp_connect;
	cc->timer_due = UINT64_MAX;
	cc->synced_gen = UINT32_MAX;
	caches = ctx_realloc(c->ctx, c->caches, (c->ncaches + 1) * sizeof(*caches));
	rc = caches == NULL ? RTRMOD_ENOMEM : 0;
	if (rc == 0) {
		c->caches = caches;
		rc = csess_init(&cc->sess, c->ctx, cc->name, &client_sess_ops, c);
	}
	if (rc == 0)
		rc = client_group_add(c, cc);
	if (rc != 0) {
		csess_fini(&cc->sess);
		ctx_free(c->ctx, cc);
		return rc;
	}
	c->caches[c->ncaches++] = cc;
	log_debug(c->ctx, "rtr %s: added with preference %u", cc->name, preference);
	client_eval_soon(c);
	if (out != NULL)
		*out = (struct rtrmod_client_cache *)cc;
	return 0;
}

/* Take cc out of its group; an empty group goes, and the serving index
 * follows (-1 when the serving group itself went).  No allocation. */
static void
client_group_remove(struct rtrmod_client *c, struct client_cache *cc)
{
	int gi = group_of(c, cc);
	struct client_group *g;
	size_t i;

	if (gi < 0)
		return;
	g = &c->groups[gi];
	for (i = 0; i < g->count && g->caches[i] != cc; i++)
		;
	if (i == g->count)
		return;
	memmove(&g->caches[i], &g->caches[i + 1], (g->count - i - 1) * sizeof(*g->caches));
	if (--g->count > 0)
		return;
	ctx_free(c->ctx, g->caches);
	memmove(&c->groups[gi], &c->groups[gi + 1],
		(c->ngroups - (size_t)gi - 1) * sizeof(*c->groups));
	c->ngroups--;
	if (c->serving == gi)
		c->serving = -1;
	else if (c->serving > gi)
		c->serving--;
}

static bool
client_has_data(const struct rtrmod_client *c)
{
	for (size_t g = 0; g < c->ngroups; g++)
		if (group_has_data(&c->groups[g]))
			return true;
	return false;
}

/*
 * The serving group's last data left with a removed cache, and no other
 * group has any yet (they were stopped while it served, RFC 8210 §10): the
 * table stays as it was until another group has synced, so the host sees
 * one change from the old table to the new one, never an empty table in
 * between; but no longer than the removed data would have been kept
 * (its Expire Interval, RFC 8210 §6).  Without a timer, no hold.
 */
static void
client_hold(struct rtrmod_client *c, uint64_t until)
{
	uint64_t now = ctx_now_ms(c->ctx);

	client_hold_end(c);
	if (until == UINT64_MAX || until <= now ||
	    ctx_timer_arm(c->ctx, until - now, hold_cb, c, &c->hold_timer) != 0)
		return;
	c->holding = true;
	log_info(c->ctx, "rtr: keeping the table until another group has synced");
}

bool
client_has_table(const struct rtrmod_client *c)
{
	return c->serving >= 0 || c->holding;
}

bool
rtrmod_client_has_table(const struct rtrmod_client *c)
{
	return c != NULL && client_has_table(c);
}

/*
 * The session closes without an Error Report (RFC 8210 §12 has no code for
 * "going away"; closing the transport is how a router leaves, §9).  If the
 * cache held data in the serving group, the serving group is chosen again
 * and the merged table rebuilt from what remains, in one switch: records
 * another member still has stay, and when the group is gone the next one
 * takes over without an empty table in between (held as above when it has
 * no data yet).  Nothing here allocates but that merge and the hold's
 * timer; if the merge fails, the next evaluation retries it (c->rebuild).
 */
int
rtrmod_client_remove_cache(struct rtrmod_client *c, struct rtrmod_client_cache *cache)
{
	struct client_cache *cc = (struct client_cache *)(void *)cache;
	bool serving, had_data;
	uint64_t until;
	size_t i;

	if (c == NULL || cc == NULL)
		return RTRMOD_EINVAL;
	if (c->depth > 0) {
		log_err(c->ctx, "rtr: cache removed from inside a client callback: refused");
		return RTRMOD_ESTATE;
	}
	for (i = 0; i < c->ncaches && c->caches[i] != cc; i++)
		;
	if (i == c->ncaches)
		return RTRMOD_ENOENT;
	serving = c->serving >= 0 && group_of(c, cc) == c->serving;
	had_data = cc->sess.set != NULL;
	until = cc->sess.expire_at;
	conn_close(cc);
	memmove(&c->caches[i], &c->caches[i + 1], (c->ncaches - i - 1) * sizeof(*c->caches));
	c->ncaches--;
	client_group_remove(c, cc);
	log_info(c->ctx, "rtr %s: removed%s", cc->name,
		 serving && had_data ? " from the serving group" : "");
	csess_fini(&cc->sess);
	ctx_free(c->ctx, cc);
	if (!c->started)
		return 0;
	if (serving && had_data) {
		c->rebuild = true;
		if (!client_has_data(c))
			client_hold(c, until);
		client_reevaluate(c);
	} else {
		/* A member without data never decided what serves; the
		 * groups to keep connected may still change. */
		client_eval_soon(c);
	}
	return 0;
}

int
rtrmod_client_start(struct rtrmod_client *c)
{
	if (c == NULL)
		return RTRMOD_EINVAL;
	if (c->started)
		return 0;
	c->started = true;
	if (ctx_timer_arm(c->ctx, 0, eval_cb, c, &c->eval_timer) != 0) {
		c->started = false;
		return RTRMOD_ESTATE;
	}
	return 0;
}

void
rtrmod_client_stop(struct rtrmod_client *c)
{
	if (c == NULL || !c->started)
		return;
	ctx_timer_cancel(c->ctx, &c->eval_timer);
	client_hold_end(c);
	for (size_t g = 0; g < c->ngroups; g++)
		group_run(c, &c->groups[g], false);
	client_switch(c, -1);
	c->started = false;
}

struct rtrmod_set *
rtrmod_client_set(const struct rtrmod_client *c)
{
	return c->merged;
}

const struct rtrmod_rov_index *
rtrmod_client_rov(const struct rtrmod_client *c)
{
	return c->rov;
}

bool
rtrmod_client_serving_preference(const struct rtrmod_client *c, unsigned *preference)
{
	if (c->serving < 0)
		return false;
	if (preference != NULL)
		*preference = c->groups[c->serving].preference;
	return true;
}
