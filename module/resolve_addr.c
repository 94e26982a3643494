/*
 * resolve_addr.c: what the resolver knows without asking anyone: whether a
 * host string is a numeric address or a valid name, which local route an
 * answer's address has (RFC 6724 §6 rule 1), and how c-ares outcomes read
 * to an operator.  No c-ares channel and no loop here; resolve.c drives the
 * lookups.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ares.h>

#include "resolve_internal.h"
#include "rtrmod_internal.h"

/* ---- what a host is ------------------------------------------------------------ */

bool
resolve_numeric(const char *host, struct resolve_addr *out)
{
	struct resolve_addr a;
	uint8_t bytes[16];

	if (host == NULL)
		return false;
	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, host, bytes) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, host, bytes) == 1)
		a.family = AF_INET6;
	else
		return false;
	if (inet_ntop(a.family, bytes, a.text, sizeof(a.text)) == NULL)
		return false;
	if (out != NULL)
		*out = a;
	return true;
}

bool
resolve_host_valid(const char *host)
{
	size_t len, label = 0;

	if (host == NULL || (len = strlen(host)) == 0 || len > RESOLVE_HOST_MAX ||
	    (len == RESOLVE_HOST_MAX && host[len - 1] != '.'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = host[i];

		if (ch == '.') {
			/* an empty label, but for the root's after a final dot */
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return false;
		if (++label > 63)
			return false;
	}
	return true;
}

/* ---- c-ares outcomes ------------------------------------------------------------ */

int
resolve_status_rc(int status)
{
	switch (status) {
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
		return RTRMOD_ENOENT;
	case ARES_ETIMEOUT:
		return RTRMOD_ETIMEDOUT;
	case ARES_ENOMEM:
		return RTRMOD_ENOMEM;
	case ARES_EBADNAME:
		return RTRMOD_EINVAL;
	}
	return RTRMOD_EIO;
}

/* The DNS names of the outcomes operators know (RFC 1035 §4.1.1 RCODEs),
 * else c-ares's own text. */
void
resolve_status_text(int status, int family, char *buf, size_t size)
{
	const char *fam = family == AF_INET ? "IPv4 " : family == AF_INET6 ? "IPv6 " : "";

	switch (status) {
	case ARES_ENOTFOUND:
		snprintf(buf, size, "NXDOMAIN");
		return;
	case ARES_ENODATA:
		snprintf(buf, size, "no %saddress (NODATA)", fam);
		return;
	case ARES_ESERVFAIL:
		snprintf(buf, size, "SERVFAIL");
		return;
	case ARES_EREFUSED:
		snprintf(buf, size, "REFUSED");
		return;
	case ARES_EFORMERR:
		snprintf(buf, size, "FORMERR");
		return;
	case ARES_ETIMEOUT:
		snprintf(buf, size, "no answer from the name servers");
		return;
	case ARES_ECONNREFUSED:
		/* also every server answering SERVFAIL or REFUSED */
		snprintf(buf, size, "the name servers failed or could not be reached");
		return;
	}
	snprintf(buf, size, "%s", ares_strerror(status));
}

/* RFC 6724 §6 rule 1: whether the host has a route to `a` (a UDP connect
 * sends nothing; as getaddrinfo and c-ares test it). */
bool
resolve_addr_usable(const struct resolve_addr *a)
{
	struct sockaddr_storage ss;
	socklen_t len;
	bool ok;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(9);
		len = sizeof(*sin);
		ok = inet_pton(AF_INET, a->text, &sin->sin_addr) == 1;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(9);
		len = sizeof(*sin6);
		ok = inet_pton(AF_INET6, a->text, &sin6->sin6_addr) == 1;
	}
	if (!ok || (fd = socket(a->family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return false;
	ok = connect(fd, (struct sockaddr *)&ss, len) == 0;
	close(fd);
	return ok;
}
