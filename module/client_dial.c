/*
 * client_dial.c: where a cache's connection goes.  A cache is configured
 * with a numeric address or a host name; a name is resolved afresh at every
 * connection attempt (its addresses may have changed), on the loop through
 * resolve.c, as the first step of CONNECTING.  The addresses are tried in
 * the resolver's order, the next as soon as one fails, all within the one
 * attempt; a name that does not resolve fails the attempt as a transport
 * error, retried after the retry interval like any other (RFC 8210 §6).
 * An address that accepted the connection and then failed the session
 * (an Error Report, the connection closed, no answer) would fail it again:
 * the next attempt begins with the first address of the answer not known
 * to have so failed, or, when all have, with the one after the latest
 * (wrapping), so that every address gets its turn.
 *
 * Invariants: the address list belongs to one attempt (dial_gen ==
 * csess.conn_gen); a resolution is outstanding only while the session is
 * CONNECTING in that attempt; with a local address set, only addresses of
 * its family are asked for and tried; each address of an attempt is tried
 * at most once (addr_tried); cc->lost holds only addresses of the latest
 * answer, and the address that failed after connecting.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "client_internal.h"
#include "rtrmod_internal.h"

static struct rtrmod_ctx *
dial_ctx(const struct client_cache *cc)
{
	return cc->sess.ctx;
}

static void
dial_forget(struct client_cache *cc)
{
	if (cc->addrs != &cc->one)
		ctx_free(dial_ctx(cc), cc->addrs);
	cc->addrs = NULL;
	cc->naddrs = cc->addr_at = cc->addr_tried = 0;
}

static size_t
addr_index(const struct resolve_addr *list, size_t n, const struct resolve_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].family == a->family && strcmp(list[i].text, a->text) == 0)
			return i;
	return SIZE_MAX;
}

/* Forget failures of addresses the latest answer no longer has. */
static void
lost_prune(struct client_cache *cc)
{
	size_t keep = 0;

	for (size_t i = 0; i < cc->nlost; i++)
		if (addr_index(cc->addrs, cc->naddrs, &cc->lost[i]) != SIZE_MAX)
			cc->lost[keep++] = cc->lost[i];
	cc->nlost = keep;
}

/* Where this attempt begins: the first address not known to have failed
 * after connecting; when all have, the one after the latest to fail. */
static size_t
dial_start(const struct client_cache *cc)
{
	size_t i;

	for (i = 0; i < cc->naddrs; i++)
		if (addr_index(cc->lost, cc->nlost, &cc->addrs[i]) == SIZE_MAX)
			return i;
	if (cc->nlost == 0)
		return 0;
	i = addr_index(cc->addrs, cc->naddrs, &cc->lost[cc->nlost - 1]);
	return i == SIZE_MAX ? 0 : (i + 1) % cc->naddrs;
}

/* The family of the local address, AF_UNSPEC without one. */
static int
local_family(const struct client_cache *cc)
{
	struct resolve_addr a;

	return cc->local_addr[0] != '\0' && resolve_numeric(cc->local_addr, &a) ? a.family
										: AF_UNSPEC;
}

/* The lookup gets most of the cache's I/O timeout, so that the status
 * says what the lookup ran into rather than the session's "no progress". */
static uint32_t
dial_budget(const struct csess *s)
{
	uint32_t ms = s->timeout_ms - s->timeout_ms / 8;

	return ms > 0 ? ms : 1;
}

static void dial_fail(struct client_cache *cc, enum rtrmod_client_error_origin origin, uint64_t now,
		      const char *fmt, ...) RTRMOD_PRINTF(4, 5);

static void
dial_fail(struct client_cache *cc, enum rtrmod_client_error_origin origin, uint64_t now,
	  const char *fmt, ...)
{
	char text[CSESS_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	csess_note_error(&cc->sess, origin, -1, "%s", text);
	log_info(dial_ctx(cc), "rtr %s: %s", cc->name, text);
	csess_event(&cc->sess, CEV_CONN_FAILED, "no address to connect to", now);
}

/* Keep the answer's addresses of the local address's family. */
static int
dial_take(struct client_cache *cc, const struct resolve_addr *addrs, size_t n)
{
	int family = local_family(cc);
	size_t keep = 0, i;

	for (i = 0; i < n; i++)
		if (family == AF_UNSPEC || addrs[i].family == family)
			keep++;
	if (keep == 0)
		return RTRMOD_ENOENT;
	if ((cc->addrs = ctx_alloc(dial_ctx(cc), keep * sizeof(*cc->addrs))) == NULL)
		return RTRMOD_ENOMEM;
	for (i = 0; i < n; i++)
		if (family == AF_UNSPEC || addrs[i].family == family)
			cc->addrs[cc->naddrs++] = addrs[i];
	lost_prune(cc);
	cc->addr_at = dial_start(cc);
	cc->addr_tried = 1;
	snprintf(cc->addr, sizeof(cc->addr), "%s", cc->addrs[cc->addr_at].text);
	return 0;
}

static void
dial_log_answer(struct client_cache *cc)
{
	char list[CSESS_TEXT_MAX];
	size_t off = 0;

	list[0] = '\0';
	for (size_t i = 0; i < cc->naddrs && off < sizeof(list); i++) {
		int w = snprintf(list + off, sizeof(list) - off, "%s%s", i > 0 ? ", " : "",
				 cc->addrs[i].text);

		if (w < 0)
			break;
		off += (size_t)w;
	}
	log_info(dial_ctx(cc), "rtr %s: %s resolved to %s", cc->name, cc->host, list);
	if (cc->addr_at != 0)
		log_info(dial_ctx(cc), "rtr %s: starting with %s (failed after connecting: %zu)",
			 cc->name, cc->addr, cc->nlost);
}

/* resolve.c's answer, on the loop. */
static void
dial_resolved(void *arg, int rc, const struct resolve_addr *addrs, size_t n, const char *error)
{
	struct client_cache *cc = arg;
	struct csess *s = &cc->sess;
	uint64_t now = ctx_now_ms(dial_ctx(cc));
	int family = local_family(cc);

	cc->resolving = NULL; /* the handle is dead from this call on */
	if (s->state != RTRMOD_CLIENT_CONNECTING || s->conn_gen != cc->dial_gen)
		return; /* dial_sync() cancels first; never here */
	if (rc == 0)
		rc = dial_take(cc, addrs, n);
	if (rc == RTRMOD_ENOMEM)
		dial_fail(cc, RTRMOD_CLIENT_ERR_LOCAL, now, "cannot resolve %s: out of memory",
			  cc->host);
	else if (rc != 0 && error[0] != '\0')
		dial_fail(cc, RTRMOD_CLIENT_ERR_TRANSPORT, now, "cannot resolve %s: %s", cc->host,
			  error);
	else if (rc != 0)
		dial_fail(cc, RTRMOD_CLIENT_ERR_TRANSPORT, now,
			  "cannot resolve %s: no %s address (the local address is %s)", cc->host,
			  family == AF_INET ? "IPv4" : "IPv6", cc->local_addr);
	if (rc == 0) {
		dial_log_answer(cc);
		csess_progress(s, now);
	}
	conn_sync(cc);
}

int
dial_address(struct client_cache *cc, uint64_t now)
{
	struct csess *s = &cc->sess;
	int rc;

	if (cc->dial_gen == s->conn_gen && cc->addr_at < cc->naddrs)
		return 0;
	if (cc->dial_gen == s->conn_gen && cc->resolving != NULL)
		return RTRMOD_EAGAIN;
	resolve_cancel(cc->resolving);
	cc->resolving = NULL;
	dial_forget(cc);
	cc->dial_gen = s->conn_gen;
	cc->addr[0] = '\0';
	if (cc->numeric) {
		/* The local address's family was checked when it was set. */
		if (!resolve_numeric(cc->host, &cc->one)) {
			dial_fail(cc, RTRMOD_CLIENT_ERR_LOCAL, now, "%s is not numeric", cc->host);
			return RTRMOD_EINVAL;
		}
		cc->addrs = &cc->one;
		cc->naddrs = 1;
		cc->addr_tried = 1;
		snprintf(cc->addr, sizeof(cc->addr), "%s", cc->one.text);
		return 0;
	}
	log_info(dial_ctx(cc), "rtr %s: resolving %s", cc->name, cc->host);
	rc = resolve_start(dial_ctx(cc), cc->host, local_family(cc), dial_budget(s), dial_resolved,
			   cc, &cc->resolving);
	if (rc != 0) {
		cc->resolving = NULL;
		dial_fail(cc, RTRMOD_CLIENT_ERR_LOCAL, now, "cannot resolve %s: %s", cc->host,
			  rtrmod_strerror(rc));
		return rc;
	}
	return RTRMOD_EAGAIN;
}

bool
dial_more(const struct client_cache *cc)
{
	return cc->dial_gen == cc->sess.conn_gen && cc->addr_tried < cc->naddrs;
}

bool
dial_next(struct client_cache *cc, uint64_t now)
{
	if (!dial_more(cc))
		return false;
	cc->addr_at = (cc->addr_at + 1) % cc->naddrs;
	cc->addr_tried++;
	snprintf(cc->addr, sizeof(cc->addr), "%s", cc->addrs[cc->addr_at].text);
	csess_progress(&cc->sess, now);
	return true;
}

void
dial_up(struct client_cache *cc)
{
	cc->up_version = cc->sess.version;
}

void
dial_down(struct client_cache *cc)
{
	const struct csess *s = &cc->sess;
	struct resolve_addr a;
	size_t i;

	/* RFC 8210 §7: a lower version is tried on the same cache. */
	if (cc->numeric || s->state == RTRMOD_CLIENT_STOPPED || s->version != cc->up_version ||
	    cc->addrs == NULL || cc->addr_at >= cc->naddrs)
		return;
	a = cc->addrs[cc->addr_at];
	if ((i = addr_index(cc->lost, cc->nlost, &a)) != SIZE_MAX) {
		memmove(&cc->lost[i], &cc->lost[i + 1], (cc->nlost - i - 1) * sizeof(a));
		cc->nlost--;
	} else if (cc->nlost == RESOLVE_ADDRS_MAX) {
		memmove(&cc->lost[0], &cc->lost[1], (cc->nlost - 1) * sizeof(a));
		cc->nlost--;
	}
	cc->lost[cc->nlost++] = a;
	log_info(dial_ctx(cc), "rtr %s: %s failed after connecting", cc->name, a.text);
}

void
dial_sync(struct client_cache *cc, bool all)
{
	const struct csess *s = &cc->sess;

	if (cc->resolving != NULL &&
	    (all || s->state != RTRMOD_CLIENT_CONNECTING || cc->dial_gen != s->conn_gen)) {
		log_debug(dial_ctx(cc), "rtr %s: lookup of %s cancelled", cc->name, cc->host);
		resolve_cancel(cc->resolving);
		cc->resolving = NULL;
	}
	if (all)
		dial_forget(cc);
}
