/*
 * cache.c: the RTR cache server object: configuration, Session IDs,
 * listeners and admission (ACL, session limit), updates to the served set,
 * and the status and counters the host reads.
 *
 * Settings change one by one (rtrmod_cache_set_*) or all at once
 * (cache_settings_prepare/commit), and listeners come and go while
 * sessions keep running.
 *
 * Invariants: the served set only ever changes through rtrmod_cache_update(),
 * which either takes a real change whole (new serial, delta in the history,
 * encodings dropped, every session notified) or changes nothing.  Session IDs
 * are drawn from the kernel's random source at creation, one per protocol
 * version, never derived from the clock (RFC 8210 §5.1).  Dead connections
 * are freed only by the reaper timer, outside any connection's callback.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#ifdef HAVE_GETRANDOM
#include <sys/random.h>
#endif

#include "cache_internal.h"
#include "rtrmod_internal.h"
#include "transport_internal.h"

#define CACHE_DEFAULT_HISTORY  32
#define CACHE_DEFAULT_SESSIONS 1024
#define CACHE_DEFAULT_SEND_MS  30000
#define CACHE_ACCEPT_BATCH     64  /* connections taken per listener wakeup */
#define CACHE_ACCEPT_PAUSE_MS  100 /* when out of descriptors */

/* RFC 8210 §6 ranges (unchanged in 8210bis §6), seconds. */
#define REFRESH_MAX 86400u
#define RETRY_MAX   7200u
#define EXPIRE_MIN  600u
#define EXPIRE_MAX  172800u

static const char *const state_names[] = {
    [RTRMOD_CACHE_SESSION_HANDSHAKE] = "handshake",
    [RTRMOD_CACHE_SESSION_NEGOTIATING] = "negotiating",
    [RTRMOD_CACHE_SESSION_ESTABLISHED] = "established",
    [RTRMOD_CACHE_SESSION_SENDING] = "sending",
    [RTRMOD_CACHE_SESSION_CLOSING] = "closing",
    [RTRMOD_CACHE_SESSION_CLOSED] = "closed",
};

static const char *const counter_names[] = {
    [RTRMOD_CACHE_CNT_ACCEPTED] = "accepted",
    [RTRMOD_CACHE_CNT_REFUSED_ACL] = "refused-acl",
    [RTRMOD_CACHE_CNT_REFUSED_LIMIT] = "refused-limit",
    [RTRMOD_CACHE_CNT_CLOSED] = "closed",
    [RTRMOD_CACHE_CNT_TIMEOUTS] = "timeouts",
    [RTRMOD_CACHE_CNT_RESET_QUERIES] = "reset-queries",
    [RTRMOD_CACHE_CNT_SERIAL_QUERIES] = "serial-queries",
    [RTRMOD_CACHE_CNT_CACHE_RESETS] = "cache-resets",
    [RTRMOD_CACHE_CNT_NOTIFIES] = "notifies",
    [RTRMOD_CACHE_CNT_ERRORS_SENT] = "errors-sent",
    [RTRMOD_CACHE_CNT_ERRORS_RECEIVED] = "errors-received",
    [RTRMOD_CACHE_CNT_BYTES_SENT] = "bytes-sent",
    [RTRMOD_CACHE_CNT_UPDATES] = "updates",
    [RTRMOD_CACHE_CNT_ENCODINGS] = "encodings",
};

const char *
rtrmod_cache_session_state_name(unsigned state)
{
	return state < ARRAY_SIZE(state_names) ? state_names[state] : "unknown";
}

const char *
rtrmod_cache_counter_name(unsigned counter)
{
	return counter < ARRAY_SIZE(counter_names) ? counter_names[counter] : "unknown";
}

/* ---- Session IDs ----------------------------------------------------------- */

/* Random bytes without blocking: getrandom() unless the pool is not ready
 * yet (early boot), then /dev/urandom, which never blocks. */
static int
cache_random(void *buf, size_t len)
{
	int fd;
	ssize_t n = -1;

#ifdef HAVE_GETRANDOM
	do
		n = getrandom(buf, len, GRND_NONBLOCK);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len)
		return 0;
#endif
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return RTRMOD_EIO;
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	close(fd);
	return n == (ssize_t)len ? 0 : RTRMOD_EIO;
}

/* One Session ID per version, all different, so a router that comes back
 * with another version gets Cache Reset instead of a delta computed for
 * data it never had (RFC 8210 §7: Session IDs and serials are specific to
 * a protocol version; a v0 router never saw the router keys). */
static int
cache_session_ids(struct rtrmod_cache *c)
{
	uint16_t ids[CACHE_VERSIONS];
	int rc, tries;

	for (tries = 0; tries < 8; tries++) {
		if ((rc = cache_random(ids, sizeof(ids))) != 0)
			return rc;
		if (ids[0] != ids[1] && ids[0] != ids[2] && ids[1] != ids[2]) {
			memcpy(c->session_id, ids, sizeof(ids));
			return 0;
		}
	}
	return RTRMOD_EIO;
}

/* ---- creation ----------------------------------------------------------------- */

int
rtrmod_cache_new(struct rtrmod_ctx *ctx, struct rtrmod_cache **out)
{
	struct rtrmod_cache *c;
	int rc;

	if (out == NULL)
		return RTRMOD_EINVAL;
	*out = NULL;
	if (ctx == NULL)
		return RTRMOD_EINVAL;
	c = ctx_zalloc(ctx, sizeof(*c));
	if (c == NULL)
		return RTRMOD_ENOMEM;
	c->ctx = ctx;
	c->vmin = 0;
	c->vmax = RTRMOD_PDU_VERSION_MAX;
	c->refresh = 3600; /* RFC 8210 §6 defaults */
	c->retry = 600;
	c->expire = 7200;
	c->max_sessions = CACHE_DEFAULT_SESSIONS;
	c->send_ms = CACHE_DEFAULT_SEND_MS;
	c->handshake_ms = CACHE_DEFAULT_SEND_MS;
	if ((rc = history_init(&c->hist, ctx, CACHE_DEFAULT_HISTORY)) != 0 ||
	    (rc = cache_session_ids(c)) != 0) {
		history_fini(&c->hist);
		ctx_free(ctx, c);
		return rc;
	}
	*out = c;
	return 0;
}

static void
listener_close(struct rtrmod_cache *c, struct cache_listener *l)
{
	ctx_unwatch(c->ctx, &l->watch);
	ctx_timer_cancel(c->ctx, &l->pause);
	if (l->fd >= 0)
		close(l->fd);
	ctx_free(c->ctx, l);
}

static void
cache_reap(void *arg)
{
	struct rtrmod_cache *c = arg;
	struct cache_conn *dead = c->dead, *next;

	c->reaper = NULL;
	c->dead = NULL;
	for (; dead != NULL; dead = next) {
		next = conn_next(dead);
		conn_free(dead);
	}
}

void
cache_reap_soon(struct rtrmod_cache *c)
{
	if (c->reaper == NULL && !c->freeing &&
	    ctx_timer_arm(c->ctx, 0, cache_reap, c, &c->reaper) != 0)
		log_err(c->ctx, "cache: cannot arm the reaper; dead sessions wait for the next");
}

void
rtrmod_cache_free(struct rtrmod_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	c->freeing = true;
	while (c->conns != NULL)
		conn_kill(c->conns, "cache shut down");
	ctx_timer_cancel(c->ctx, &c->reaper);
	cache_reap(c);
	for (i = 0; i < c->nlisteners; i++)
		listener_close(c, c->listeners[i]);
	ctx_free(c->ctx, c->listeners);
	cache_encodings_drop(c);
	history_fini(&c->hist);
	rtrmod_set_unref(c->set);
	ctx_free(c->ctx, c->acl);
	ctx_free(c->ctx, c);
}

/* ---- configuration -------------------------------------------------------------- */

int
rtrmod_cache_set_versions(struct rtrmod_cache *c, uint8_t min, uint8_t max)
{
	if (c == NULL || min > max || max > RTRMOD_PDU_VERSION_MAX)
		return RTRMOD_EINVAL;
	c->vmin = min;
	c->vmax = max;
	return 0;
}

/* RFC 8210 §6: the ranges, and "Expire Interval ... larger than either the
 * Refresh Interval or the Retry Interval" (8210bis §6: than both). */
int
rtrmod_cache_set_timers(struct rtrmod_cache *c, uint32_t refresh, uint32_t retry, uint32_t expire)
{
	if (c == NULL)
		return RTRMOD_EINVAL;
	if (refresh < 1 || refresh > REFRESH_MAX || retry < 1 || retry > RETRY_MAX ||
	    expire < EXPIRE_MIN || expire > EXPIRE_MAX || expire <= refresh || expire <= retry)
		return RTRMOD_ERANGE;
	c->refresh = refresh;
	c->retry = retry;
	c->expire = expire;
	cache_encodings_drop(c); /* End of Data carries them */
	return 0;
}

int
rtrmod_cache_set_history(struct rtrmod_cache *c, unsigned serials)
{
	if (c == NULL || serials < 1 || serials > 65536)
		return RTRMOD_EINVAL;
	cache_encodings_drop(c); /* delta slots are indexed by the old capacity */
	return history_set_cap(&c->hist, serials);
}

void
rtrmod_cache_set_max_sessions(struct rtrmod_cache *c, unsigned max)
{
	if (c != NULL)
		c->max_sessions = max;
}

int
rtrmod_cache_set_timeouts(struct rtrmod_cache *c, uint32_t send_ms, uint32_t handshake_ms)
{
	if (c == NULL || send_ms == 0 || handshake_ms == 0)
		return RTRMOD_EINVAL;
	c->send_ms = send_ms;
	c->handshake_ms = handshake_ms;
	return 0;
}

int
rtrmod_cache_acl_add(struct rtrmod_cache *c, const struct rtrmod_prefix *prefix)
{
	struct rtrmod_prefix *acl;

	if (c == NULL || prefix == NULL ||
	    (prefix->afi != RTRMOD_AFI_IPV4 && prefix->afi != RTRMOD_AFI_IPV6) ||
	    prefix->len > (prefix->afi == RTRMOD_AFI_IPV4 ? 32 : 128))
		return RTRMOD_EINVAL;
	acl = ctx_realloc(c->ctx, c->acl, (c->nacl + 1) * sizeof(*acl));
	if (acl == NULL)
		return RTRMOD_ENOMEM;
	acl[c->nacl++] = *prefix;
	c->acl = acl;
	return 0;
}

void
rtrmod_cache_acl_clear(struct rtrmod_cache *c)
{
	if (c == NULL)
		return;
	ctx_free(c->ctx, c->acl);
	c->acl = NULL;
	c->nacl = 0;
}

/* ---- settings applied whole ------------------------------------------------------- */

struct cache_prepared {
	struct cache_settings s;
	struct hdelta **ring;      /* NULL: the history keeps its capacity */
	struct rtrmod_prefix *acl; /* the new ACL (NULL when empty) */
};

static bool
acl_entry_ok(const struct rtrmod_prefix *p)
{
	return (p->afi == RTRMOD_AFI_IPV4 && p->len <= 32) ||
	       (p->afi == RTRMOD_AFI_IPV6 && p->len <= 128);
}

/* The same checks as the setters above, all before anything is allocated. */
static int
settings_check(const struct cache_settings *s)
{
	if (s->vmin > s->vmax || s->vmax > RTRMOD_PDU_VERSION_MAX || s->history < 1 ||
	    s->history > 65536 || s->send_ms == 0 || s->handshake_ms == 0 ||
	    (s->nacl > 0 && s->acl == NULL))
		return RTRMOD_EINVAL;
	if (s->refresh < 1 || s->refresh > REFRESH_MAX || s->retry < 1 || s->retry > RETRY_MAX ||
	    s->expire < EXPIRE_MIN || s->expire > EXPIRE_MAX || s->expire <= s->refresh ||
	    s->expire <= s->retry)
		return RTRMOD_ERANGE;
	for (size_t i = 0; i < s->nacl; i++)
		if (!acl_entry_ok(&s->acl[i]))
			return RTRMOD_EINVAL;
	return 0;
}

int
cache_settings_prepare(struct rtrmod_cache *c, const struct cache_settings *s,
		       struct cache_prepared **out)
{
	struct cache_prepared *p;
	int rc;

	*out = NULL;
	if (c == NULL || s == NULL)
		return RTRMOD_EINVAL;
	if ((rc = settings_check(s)) != 0)
		return rc;
	if ((p = ctx_zalloc(c->ctx, sizeof(*p))) == NULL)
		return RTRMOD_ENOMEM;
	p->s = *s;
	p->s.acl = NULL;
	if (s->history != c->hist.cap &&
	    (p->ring = ctx_zalloc(c->ctx, s->history * sizeof(*p->ring))) == NULL)
		goto fail;
	if (s->nacl > 0) {
		if ((p->acl = ctx_alloc(c->ctx, s->nacl * sizeof(*p->acl))) == NULL)
			goto fail;
		memcpy(p->acl, s->acl, s->nacl * sizeof(*p->acl));
	}
	*out = p;
	return 0;
fail:
	cache_settings_discard(c, p);
	return RTRMOD_ENOMEM;
}

void
cache_settings_discard(struct rtrmod_cache *c, struct cache_prepared *p)
{
	if (p == NULL)
		return;
	ctx_free(c->ctx, p->ring);
	ctx_free(c->ctx, p->acl);
	ctx_free(c->ctx, p);
}

/* New timers and a new history capacity invalidate the encodings (End of
 * Data carries the timers; delta slots are indexed by the capacity):
 * sessions still sending the old ones keep their references. */
void
cache_settings_commit(struct rtrmod_cache *c, struct cache_prepared *p)
{
	const struct cache_settings *s = &p->s;

	if (s->refresh != c->refresh || s->retry != c->retry || s->expire != c->expire ||
	    p->ring != NULL)
		cache_encodings_drop(c);
	c->vmin = s->vmin;
	c->vmax = s->vmax;
	c->refresh = s->refresh;
	c->retry = s->retry;
	c->expire = s->expire;
	if (p->ring != NULL)
		history_set_cap_with(&c->hist, s->history, p->ring);
	p->ring = NULL;
	c->max_sessions = s->max_sessions;
	c->send_ms = s->send_ms;
	c->handshake_ms = s->handshake_ms;
	ctx_free(c->ctx, c->acl);
	c->acl = p->acl;
	c->nacl = s->nacl;
	p->acl = NULL;
	cache_settings_discard(c, p);
}

/* ---- admission -------------------------------------------------------------------- */

static bool
cache_acl_allows(const struct rtrmod_cache *c, const struct rtrmod_stream *stream)
{
	struct rtrmod_prefix addr;
	size_t i;

	if (c->nacl == 0)
		return true;
	if (rtrmod_stream_peer_addr(stream, &addr) != 0)
		return false;
	for (i = 0; i < c->nacl; i++)
		if (rtrmod_prefix_covers(&c->acl[i], &addr))
			return true;
	return false;
}

int
rtrmod_cache_attach(struct rtrmod_cache *c, struct rtrmod_stream *stream)
{
	if (c == NULL || stream == NULL) {
		rtrmod_stream_free(stream);
		return RTRMOD_EINVAL;
	}
	if (!cache_acl_allows(c, stream)) {
		log_warn(c->ctx, "cache: %s: refused: not allowed by the ACL",
			 rtrmod_stream_peer(stream));
		c->counters[RTRMOD_CACHE_CNT_REFUSED_ACL]++;
		rtrmod_stream_free(stream);
		return RTRMOD_ENOTSUP;
	}
	if (c->max_sessions != 0 && c->nsessions >= c->max_sessions) {
		log_warn(c->ctx, "cache: %s: refused: %u sessions already",
			 rtrmod_stream_peer(stream), c->nsessions);
		c->counters[RTRMOD_CACHE_CNT_REFUSED_LIMIT]++;
		rtrmod_stream_free(stream);
		return RTRMOD_ERANGE;
	}
	return conn_new(c, stream);
}

/* ---- listeners ---------------------------------------------------------------------- */

static void listener_cb(void *arg, int fd, enum rtrmod_io_event event);

static void
listener_resume(void *arg)
{
	struct cache_listener *l = arg;

	l->pause = NULL;
	if (ctx_watch(l->cache->ctx, l->fd, RTRMOD_IO_READ, listener_cb, l, &l->watch) != 0)
		log_err(l->cache->ctx, "cache: cannot watch a listener again");
}

/* Accept a batch.  Out of descriptors, the listener rests a moment rather
 * than spin on a level-triggered watch it cannot serve. */
static void
listener_cb(void *arg, int fd, enum rtrmod_io_event event)
{
	struct cache_listener *l = arg;
	struct rtrmod_cache *c = l->cache;
	struct rtrmod_stream *stream;
	int i, rc;

	for (i = 0; i < CACHE_ACCEPT_BATCH; i++) {
		rc = rtrmod_tcp_accept(c->ctx, l->fd, &stream);
		if (rc == RTRMOD_EAGAIN)
			return;
		if (rc == RTRMOD_ERANGE) {
			log_err(c->ctx, "cache: out of file descriptors; pausing accept");
			ctx_unwatch(c->ctx, &l->watch);
			if (ctx_timer_arm(c->ctx, CACHE_ACCEPT_PAUSE_MS, listener_resume, l,
					  &l->pause) != 0)
				log_err(c->ctx, "cache: cannot arm the accept pause");
			return;
		}
		if (rc != 0) {
			log_warn(c->ctx, "cache: accept: %s", rtrmod_strerror(rc));
			return;
		}
		/* Refusals are logged and counted by attach. */
		if (rtrmod_cache_attach(c, stream) == RTRMOD_ENOMEM)
			log_err(c->ctx, "cache: out of memory for a new session");
	}
}

/* The host prefix of numeric `addr`, the key listeners are found by. */
static int
listener_addr(const char *addr, struct rtrmod_prefix *out)
{
	struct sockaddr_storage ss;
	socklen_t len;
	uint16_t port;

	if (addr == NULL || sockaddr_parse(addr, 0, &ss, &len) != 0)
		return RTRMOD_EINVAL;
	return sockaddr_to_prefix(&ss, out, &port);
}

int
rtrmod_cache_listen(struct rtrmod_cache *c, const char *addr, uint16_t port, uint16_t *bound)
{
	struct cache_listener *l, **ls;
	struct rtrmod_prefix key;
	uint16_t local = 0;
	int rc, fd;

	if (c == NULL || listener_addr(addr, &key) != 0)
		return RTRMOD_EINVAL;
	ls = ctx_realloc(c->ctx, c->listeners, (c->nlisteners + 1) * sizeof(*ls));
	if (ls == NULL)
		return RTRMOD_ENOMEM;
	c->listeners = ls;
	if ((rc = rtrmod_tcp_listen(c->ctx, addr, port, 0, &fd)) != 0)
		return rc;
	l = ctx_zalloc(c->ctx, sizeof(*l));
	if (l == NULL) {
		close(fd);
		return RTRMOD_ENOMEM;
	}
	l->cache = c;
	l->fd = fd;
	l->addr = key;
	if ((rc = rtrmod_tcp_local_port(fd, &local)) != 0 ||
	    (rc = ctx_watch(c->ctx, fd, RTRMOD_IO_READ, listener_cb, l, &l->watch)) != 0) {
		listener_close(c, l);
		return rc;
	}
	l->port = local;
	ls[c->nlisteners++] = l;
	if (bound != NULL)
		*bound = local;
	log_info(c->ctx, "cache: listening on %s port %u", addr, (unsigned)local);
	return 0;
}

/* Addresses compare as parsed, so "::1" finds a listener made with
 * "0::1".  The sessions it accepted are the connections' own: they stay. */
int
rtrmod_cache_unlisten(struct rtrmod_cache *c, const char *addr, uint16_t port)
{
	struct rtrmod_prefix key;
	struct cache_listener *l;
	size_t i;

	if (c == NULL || listener_addr(addr, &key) != 0)
		return RTRMOD_EINVAL;
	for (i = 0; i < c->nlisteners; i++) {
		l = c->listeners[i];
		if (l->port == port && l->addr.afi == key.afi &&
		    memcmp(l->addr.addr, key.addr, sizeof(key.addr)) == 0)
			break;
	}
	if (i == c->nlisteners)
		return RTRMOD_ENOENT;
	listener_close(c, c->listeners[i]);
	memmove(&c->listeners[i], &c->listeners[i + 1],
		(c->nlisteners - i - 1) * sizeof(*c->listeners));
	c->nlisteners--;
	log_info(c->ctx, "cache: no longer listening on %s port %u", addr, (unsigned)port);
	return 0;
}

/* ---- data ------------------------------------------------------------------------------- */

/* The first set, or a change: the old set goes, the delta joins the
 * history, the encodings of the old serial are dropped (sessions still
 * sending them keep their references), and every session hears of it. */
int
rtrmod_cache_update(struct rtrmod_cache *c, struct rtrmod_set *set)
{
	struct cache_conn *conn, *next;
	struct hdelta *d = NULL;
	size_t nv, nk, na;
	int rc;

	if (c == NULL || set == NULL)
		return RTRMOD_EINVAL;
	if (c->has_data) {
		if ((rc = hdelta_diff(c->ctx, c->set, set, &d)) != 0)
			return rc;
		if (hdelta_empty(d)) {
			hdelta_free(d);
			return 0;
		}
		history_push(&c->hist, d);
	} else {
		history_reset(&c->hist, 0);
		c->has_data = true;
	}
	rtrmod_set_unref(c->set);
	c->set = rtrmod_set_ref(set);
	cache_encodings_drop(c);
	c->counters[RTRMOD_CACHE_CNT_UPDATES]++;
	rtrmod_set_vrps(set, &nv);
	rtrmod_set_router_keys(set, &nk);
	rtrmod_set_aspas(set, &na);
	log_info(c->ctx, "cache: serial %u: %zu VRPs, %zu router keys, %zu ASPAs", c->hist.serial,
		 nv, nk, na);
	for (conn = c->conns; conn != NULL; conn = next) {
		next = conn_next(conn); /* notifying may end conn */
		conn_notify(conn);
	}
	return 0;
}

void
rtrmod_cache_set_stale(struct rtrmod_cache *c, bool stale)
{
	if (c != NULL && c->stale != stale) {
		c->stale = stale;
		log_warn(c->ctx, "cache: data is %s",
			 stale ? "stale: answering No Data Available" : "fresh again");
	}
}

int
rtrmod_cache_serial(const struct rtrmod_cache *c, uint32_t *serial)
{
	if (c == NULL || serial == NULL)
		return RTRMOD_EINVAL;
	if (!c->has_data)
		return RTRMOD_ENOENT;
	*serial = c->hist.serial;
	return 0;
}

uint16_t
rtrmod_cache_session_id(const struct rtrmod_cache *c, uint8_t version)
{
	return c != NULL && version < CACHE_VERSIONS ? c->session_id[version] : 0;
}

size_t
rtrmod_cache_memory(const struct rtrmod_cache *c)
{
	if (c == NULL)
		return 0;
	return sizeof(*c) + (c->set != NULL ? rtrmod_set_memory(c->set) : 0) +
	       history_memory(&c->hist) + cache_encodings_memory(c);
}

/* ---- status ------------------------------------------------------------------------------ */

size_t
rtrmod_cache_sessions(const struct rtrmod_cache *c, rtrmod_cache_session_fn *fn, void *arg)
{
	const struct cache_conn *conn;
	size_t n = 0;

	if (c == NULL)
		return 0;
	for (conn = c->conns; conn != NULL; conn = conn_next(conn), n++)
		if (fn != NULL)
			fn(arg, (const struct rtrmod_cache_session *)(const void *)conn);
	return n;
}

uint64_t
rtrmod_cache_counter(const struct rtrmod_cache *c, unsigned counter)
{
	return c != NULL && counter < RTRMOD_CACHE_CNT_MAX ? c->counters[counter] : 0;
}
