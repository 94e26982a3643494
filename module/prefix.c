/*
 * prefix.c: IP prefixes (parse, format, cover) and the canonical orders of
 * VRPs and router keys that sets, deltas and the wire all rely on.
 * A valid prefix never has bits set past its length, and an IPv4 one keeps
 * addr[4..15] zero, so two equal prefixes are equal byte for byte.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rtrmod/records.h>

#include "records_internal.h"
#include "rtrmod_internal.h"

static unsigned int
afi_bits(uint8_t afi)
{
	switch (afi) {
	case RTRMOD_AFI_IPV4:
		return 32;
	case RTRMOD_AFI_IPV6:
		return 128;
	default:
		return 0;
	}
}

/* Whether addr has no bit set from bit `len` to bit `bits` - 1. */
static bool
host_bits_zero(const uint8_t *addr, unsigned int len, unsigned int bits)
{
	unsigned int i = len / 8;

	if (len % 8 != 0) {
		if ((addr[i] & (0xffu >> (len % 8))) != 0)
			return false;
		i++;
	}
	for (; i < bits / 8; i++) {
		if (addr[i] != 0)
			return false;
	}
	return true;
}

bool
prefix_valid(const struct rtrmod_prefix *p)
{
	unsigned int bits = afi_bits(p->afi);
	unsigned int i;

	if (bits == 0 || p->len > bits)
		return false;
	for (i = bits / 8; i < sizeof(p->addr); i++) {
		if (p->addr[i] != 0)
			return false;
	}
	return host_bits_zero(p->addr, p->len, bits);
}

int
vrp_check(const struct rtrmod_vrp *vrp)
{
	/* RFC 6811 §2 (and RFC 9582 §4.3.2 for the ROA it comes from): the
	 * maximum length is at least the prefix length and at most the
	 * address length. */
	if (!prefix_valid(&vrp->prefix) || vrp->max_len < vrp->prefix.len ||
	    vrp->max_len > afi_bits(vrp->prefix.afi))
		return RTRMOD_EINVAL;
	return 0;
}

/* "24" of "192.0.2.0/24": one to three decimal digits without a leading
 * zero (so "/024" and "/+24" are refused), ending the text.  -1 if not. */
static int
parse_len(const char *s)
{
	int len = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i == 3)
			return -1;
		len = len * 10 + (s[i] - '0');
	}
	if (i == 0 || s[i] != '\0' || (i > 1 && s[0] == '0'))
		return -1;
	return len;
}

int
rtrmod_prefix_parse(const char *text, struct rtrmod_prefix *out)
{
	char addr[INET6_ADDRSTRLEN];
	struct rtrmod_prefix p;
	const char *slash;
	size_t alen;
	int family, len;

	if (text == NULL || out == NULL)
		return RTRMOD_EINVAL;
	slash = strchr(text, '/');
	if (slash == NULL)
		return RTRMOD_EPARSE;
	alen = (size_t)(slash - text);
	if (alen == 0 || alen >= sizeof(addr))
		return RTRMOD_EPARSE;
	memcpy(addr, text, alen);
	addr[alen] = '\0';

	memset(&p, 0, sizeof(p));
	if (memchr(addr, ':', alen) != NULL) {
		family = AF_INET6;
		p.afi = RTRMOD_AFI_IPV6;
	} else {
		family = AF_INET;
		p.afi = RTRMOD_AFI_IPV4;
	}
	/* inet_pton() takes no whitespace, no shorthand ("10/8", "1.2.3")
	 * and, in glibc and musl, no octet with a leading zero, which BSD
	 * inet_aton() would read as octal. */
	len = parse_len(slash + 1);
	if (len < 0 || (unsigned int)len > afi_bits(p.afi) || inet_pton(family, addr, p.addr) != 1)
		return RTRMOD_EPARSE;
	p.len = (uint8_t)len;
	if (!host_bits_zero(p.addr, p.len, afi_bits(p.afi)))
		return RTRMOD_EPARSE;
	*out = p;
	return 0;
}

int
rtrmod_prefix_format(const struct rtrmod_prefix *p, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];
	int family;

	if (p == NULL || afi_bits(p->afi) == 0 || p->len > afi_bits(p->afi))
		return RTRMOD_EINVAL;
	family = p->afi == RTRMOD_AFI_IPV4 ? AF_INET : AF_INET6;
	if (inet_ntop(family, p->addr, addr, sizeof(addr)) == NULL)
		return RTRMOD_EINVAL;
	return snprintf(buf, size, "%s/%u", addr, (unsigned int)p->len);
}

bool
rtrmod_prefix_covers(const struct rtrmod_prefix *outer, const struct rtrmod_prefix *inner)
{
	unsigned int whole = outer->len / 8, rest = outer->len % 8;
	uint8_t mask;

	if (outer->afi != inner->afi || afi_bits(outer->afi) == 0 || outer->len > inner->len ||
	    inner->len > afi_bits(inner->afi))
		return false;
	if (memcmp(outer->addr, inner->addr, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff00u >> rest);
	return ((outer->addr[whole] ^ inner->addr[whole]) & mask) == 0;
}

#define CMP_FIELD(a, b)                                                                            \
	do {                                                                                       \
		if ((a) != (b))                                                                    \
			return (a) < (b) ? -1 : 1;                                                 \
	} while (0)

int
rtrmod_vrp_cmp(const struct rtrmod_vrp *a, const struct rtrmod_vrp *b)
{
	int c;

	CMP_FIELD(a->prefix.afi, b->prefix.afi);
	c = memcmp(a->prefix.addr, b->prefix.addr, sizeof(a->prefix.addr));
	if (c != 0)
		return c < 0 ? -1 : 1;
	CMP_FIELD(a->prefix.len, b->prefix.len);
	CMP_FIELD(a->max_len, b->max_len);
	CMP_FIELD(a->asn, b->asn);
	return 0;
}

/*
 * RFC 8210 §5.10: a router key is the tuple {SKI, ASN, Subject Public Key
 * Info}.  The SPKI compares byte by byte, a proper prefix first.
 */
int
rtrmod_router_key_cmp(const struct rtrmod_router_key *a, const struct rtrmod_router_key *b)
{
	uint32_t n = a->spki_len < b->spki_len ? a->spki_len : b->spki_len;
	int c;

	c = memcmp(a->ski, b->ski, sizeof(a->ski));
	if (c != 0)
		return c < 0 ? -1 : 1;
	CMP_FIELD(a->asn, b->asn);
	c = n != 0 ? memcmp(a->spki, b->spki, n) : 0;
	if (c != 0)
		return c < 0 ? -1 : 1;
	CMP_FIELD(a->spki_len, b->spki_len);
	return 0;
}

/* ---- the VRP sort key --------------------------------------------------- */

void
vrp_key_encode(struct vrp_key *k, const struct rtrmod_vrp *vrp)
{
	const uint8_t *a = vrp->prefix.addr;
	uint64_t hi = vrp->prefix.afi, mid = 0;
	int i;

	for (i = 0; i < 7; i++)
		hi = hi << 8 | a[i];
	for (i = 7; i < 15; i++)
		mid = mid << 8 | a[i];
	k->hi = hi;
	k->mid = mid;
	k->lo = (uint64_t)a[15] << 56 | (uint64_t)vrp->prefix.len << 48 |
		(uint64_t)vrp->max_len << 40 | (uint64_t)vrp->asn << 8;
}

void
vrp_key_decode(struct rtrmod_vrp *vrp, const struct vrp_key *k)
{
	uint8_t *a = vrp->prefix.addr;
	int i;

	memset(vrp, 0, sizeof(*vrp));
	vrp->prefix.afi = (uint8_t)(k->hi >> 56);
	for (i = 0; i < 7; i++)
		a[i] = (uint8_t)(k->hi >> (48 - 8 * i));
	for (i = 7; i < 15; i++)
		a[i] = (uint8_t)(k->mid >> (56 - 8 * (i - 7)));
	a[15] = (uint8_t)(k->lo >> 56);
	vrp->prefix.len = (uint8_t)(k->lo >> 48);
	vrp->max_len = (uint8_t)(k->lo >> 40);
	vrp->asn = (uint32_t)(k->lo >> 8);
}
