/*
 * resolve_internal.h: host names to numeric addresses without blocking
 * (DESIGN.md, rule 2), for the client's caches.  resolve.c drives one c-ares
 * channel per context from the host's loop; a numeric address never goes
 * near it.  A query's callback runs on the loop, never inside the call that
 * started or cancelled it, and at most once.
 */
#ifndef RTRMOD_RESOLVE_INTERNAL_H
#define RTRMOD_RESOLVE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtrmod/ctx.h>

/* A DNS name is at most 253 characters in text (RFC 1035 §2.3.4), one
 * more with the trailing dot of an absolute name. */
#define RESOLVE_HOST_MAX 254
/* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" and the NUL. */
#define RESOLVE_ADDR_LEN 46
/* Addresses kept of an answer: more are not tried within one attempt. */
#define RESOLVE_ADDRS_MAX 16

/* One numeric address: AF_INET or AF_INET6, and its text. */
struct resolve_addr {
	int family;
	char text[RESOLVE_ADDR_LEN];
};

struct resolve_query;

/*
 * A query's end.  rc 0: addrs[0..n) (1 <= n <= RESOLVE_ADDRS_MAX), in the
 * order to try them: reachable before unreachable, IPv6 before IPv4 (RFC
 * 6724 §6 rules 1 and 6), each family in c-ares's RFC 6724 order.  With
 * AF_UNSPEC, a family whose answer has not come by the deadline is left
 * out: what arrived is delivered.
 * Otherwise a negative RTRMOD_E* (RTRMOD_ENOENT: no such name or no address
 * of the family asked for; RTRMOD_ETIMEDOUT; RTRMOD_ENOMEM; RTRMOD_EIO) and
 * `error`, a short text for status and logs ("NXDOMAIN").  Everything is
 * borrowed for the call.  The query's handle is dead from the call on.
 */
typedef void resolve_fn(void *arg, int rc, const struct resolve_addr *addrs, size_t n,
			const char *error);

/* Whether `host` is a numeric IPv4 or IPv6 address (no zone index), and if
 * so its canonical text in *out (out may be NULL). */
bool resolve_numeric(const char *host, struct resolve_addr *out);
/* Whether `host` can be a DNS host name: dot-separated labels of 1-63
 * letters, digits, '-' or '_' (RFC 1123 §2.1; '_' is used in practice),
 * at most RESOLVE_HOST_MAX characters, one trailing dot allowed.  Numeric
 * addresses are not names ("192.0.2.1" passes both checks, "::1" only
 * resolve_numeric). */
bool resolve_host_valid(const char *host);

/* resolve_addr.c, for resolve.c: an ARES_* status as an RTRMOD_E* code and
 * as the text operators know ("NXDOMAIN"; `family` names the family in
 * "no IPv4 address (NODATA)"); and whether this host has a route to `a`
 * (RFC 6724 §6 rule 1: a UDP connect, which sends nothing). */
int resolve_status_rc(int status);
void resolve_status_text(int status, int family, char *buf, size_t size);
bool resolve_addr_usable(const struct resolve_addr *a);

/*
 * Resolve `host` (numeric, or a name: /etc/hosts first, then DNS, as the
 * host's /etc/resolv.conf says) to addresses of `family` (AF_UNSPEC for
 * IPv6 and IPv4, AF_INET or AF_INET6).  `cb` runs once on the loop, at the
 * latest `timeout_ms` after this call.  *out is the handle for
 * resolve_cancel(), valid until cb runs.  Fails (no callback then) with
 * RTRMOD_EINVAL for a bad host or family, RTRMOD_ENOMEM, RTRMOD_ELOOP or
 * RTRMOD_ESTATE (no loop), RTRMOD_EIO when c-ares cannot start.
 */
int resolve_start(struct rtrmod_ctx *ctx, const char *host, int family, uint32_t timeout_ms,
		  resolve_fn *cb, void *arg, struct resolve_query **out);
/* Forget a query: its callback will not run.  Safe from inside any
 * callback, that of another query included; NULL is fine. */
void resolve_cancel(struct resolve_query *q);

/* Send DNS queries to these servers instead of resolv.conf's: c-ares's
 * "host:port,host:port" form (tests point the context at a fake server on
 * loopback).  NULL goes back to resolv.conf.  Applies from the next time
 * the channel opens, i.e. once no lookup is under way; a malformed list
 * makes those lookups fail to start (RTRMOD_EINVAL). */
int resolve_set_servers(struct rtrmod_ctx *ctx, const char *csv);

/* The context is being freed: drop every query (no callbacks) and the
 * channel.  Called by rtrmod_ctx_free() only. */
void resolve_ctx_fini(struct rtrmod_ctx *ctx);

#endif
