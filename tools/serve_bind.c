/*
 * serve_bind.c: turns StayRTR's -bind text into listeners of the cache.
 * ":port" (no host) means every address, IPv6 and IPv4 on separate sockets;
 * a host without IPv6 still serves IPv4.  A name is resolved once, at
 * start (the only blocking lookup, before the loop runs), and every
 * address it has is listened on.  Port 0 takes a free port, which the
 * cache logs.
 */
#include "config.h"

#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "goflag.h"
#include "serve_bind.h"

#define BIND_HOST_MAX 256

static const char *
bind_strerror(int rc)
{
	return rc == RTRMOD_EEXIST ? "address already in use" : rtrmod_strerror(rc);
}

/* "host:port", "[v6]:port" or ":port" into host and port. */
static bool
bind_split(const char *text, char *host, uint16_t *port)
{
	const char *item = text, *end, *portstr;
	size_t len;
	int64_t p;

	if (item[0] == '[') {
		end = strchr(item, ']');
		if (end == NULL || end[1] != ':')
			return false;
		len = (size_t)(end - item - 1);
		item++;
		portstr = end + 2;
	} else {
		end = strrchr(item, ':');
		if (end == NULL || memchr(item, ':', (size_t)(end - item)) != NULL)
			return false; /* no port, or an IPv6 address without brackets */
		len = (size_t)(end - item);
		portstr = end + 1;
	}
	if (len >= BIND_HOST_MAX || !goflag_int(portstr, 0, 65535, &p))
		return false;
	memcpy(host, item, len);
	host[len] = '\0';
	*port = (uint16_t)p;
	return true;
}

/* The next comma-separated item of *p (advanced past it), trimmed, split
 * into host and port.  False with a message in err when it is malformed. */
static bool
bind_next(const char **p, char *host, uint16_t *port, char *err, size_t errlen)
{
	char item[BIND_HOST_MAX + 16];
	const char *s = *p, *comma = strchr(s, ',');
	size_t len = comma != NULL ? (size_t)(comma - s) : strlen(s);

	*p = comma != NULL ? comma + 1 : NULL;
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= sizeof(item)) {
		snprintf(err, errlen, "-bind: an empty or overlong address");
		return false;
	}
	memcpy(item, s, len);
	item[len] = '\0';
	if (!bind_split(item, host, port)) {
		snprintf(err, errlen, "-bind: '%s' is not host:port, [IPv6]:port or :port", item);
		return false;
	}
	return true;
}

bool
serve_bind_check(const char *spec, char *err, size_t errlen)
{
	char host[BIND_HOST_MAX];
	const char *p = spec;
	uint16_t port;

	while (p != NULL)
		if (!bind_next(&p, host, &port, err, errlen))
			return false;
	return true;
}

/* Every address: "::" and "0.0.0.0"; one of the two is enough. */
static int
bind_any(struct rtrmod_ctx *ctx, struct rtrmod_cache *cache, uint16_t port)
{
	uint16_t bound = port;
	int rc6, rc4;

	rc6 = rtrmod_cache_listen(cache, "::", port, &bound);
	rc4 = rtrmod_cache_listen(cache, "0.0.0.0", rc6 == 0 ? bound : port, NULL);
	if (rc6 != 0 && rc4 != 0) {
		rtrmod_ctx_log(ctx, RTRMOD_LOG_ERR, "cannot listen on port %u: %s", (unsigned)port,
			       bind_strerror(rc4));
		return -1;
	}
	if (rc6 != 0 || rc4 != 0)
		rtrmod_ctx_log(ctx, RTRMOD_LOG_WARN, "port %u: no %s listener: %s", (unsigned)port,
			       rc6 != 0 ? "IPv6" : "IPv4", bind_strerror(rc6 != 0 ? rc6 : rc4));
	return 0;
}

/* A host name or address: each address it resolves to. */
static int
bind_host(struct rtrmod_ctx *ctx, struct rtrmod_cache *cache, const char *host, uint16_t port)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL, *ai;
	char num[NI_MAXHOST];
	int rc, n = 0;

	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0) {
		rtrmod_ctx_log(ctx, RTRMOD_LOG_ERR, "-bind %s: %s", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, num, sizeof(num), NULL, 0,
				NI_NUMERICHOST) != 0)
			continue;
		rc = rtrmod_cache_listen(cache, num, port, NULL);
		if (rc != 0) {
			rtrmod_ctx_log(ctx, RTRMOD_LOG_ERR, "cannot listen on %s port %u: %s", num,
				       (unsigned)port, bind_strerror(rc));
			freeaddrinfo(res);
			return -1;
		}
		n++;
	}
	freeaddrinfo(res);
	if (n == 0)
		rtrmod_ctx_log(ctx, RTRMOD_LOG_ERR, "-bind %s: no address", host);
	return n > 0 ? 0 : -1;
}

int
serve_bind(struct rtrmod_ctx *ctx, struct rtrmod_cache *cache, const char *spec)
{
	char host[BIND_HOST_MAX], err[BIND_HOST_MAX + 64];
	const char *p = spec;
	uint16_t port;

	while (p != NULL) {
		if (!bind_next(&p, host, &port, err, sizeof(err))) {
			rtrmod_ctx_log(ctx, RTRMOD_LOG_ERR, "%s", err);
			return -1;
		}
		if (host[0] == '\0' ? bind_any(ctx, cache, port) != 0
				    : bind_host(ctx, cache, host, port) != 0)
			return -1;
	}
	return 0;
}
