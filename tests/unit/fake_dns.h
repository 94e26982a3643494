/*
 * fake_dns.h: a DNS server for unit tests, on UDP 127.0.0.1 (a free port),
 * driven by the test's own rtrmod loop: it answers A and AAAA questions for
 * the names a test sets, NXDOMAIN (or another RCODE) for others, and
 * nothing at all for names set silent.  Point a context at it with
 * resolve_set_servers(ctx, fake_dns_servers(d)).
 */
#ifndef FAKE_DNS_H
#define FAKE_DNS_H

#include <stdint.h>

#include <rtrmod/loop.h>

#define FAKE_DNS_NAMES 16
#define FAKE_DNS_ADDRS 8

#define FAKE_DNS_NOERROR  0
#define FAKE_DNS_SERVFAIL 2
#define FAKE_DNS_NXDOMAIN 3

struct fake_dns;

/* Bind and watch; aborts the test (ck_assert) on failure. */
struct fake_dns *fake_dns_new(struct rtrmod_loop *loop);
void fake_dns_free(struct fake_dns *d);
/* "127.0.0.1:PORT", for resolve_set_servers(). */
const char *fake_dns_servers(const struct fake_dns *d);

/* Answer `name` with these numeric addresses (NULL-terminated; A records
 * for IPv4 ones, AAAA for IPv6, in this order).  A name with none of the
 * asked type gets an empty NOERROR answer (NODATA).  Replaces what was set. */
void fake_dns_set(struct fake_dns *d, const char *name, const char *const *addrs);
/* Answer `name` with an RCODE and no records (NXDOMAIN, SERVFAIL). */
void fake_dns_set_rcode(struct fake_dns *d, const char *name, int rcode);
/* Never answer questions for `name`. */
void fake_dns_set_silent(struct fake_dns *d, const char *name);
/* Never answer questions for `name` of `qtype` (28: a resolver that drops
 * AAAA); the others as set.  0 answers every type again. */
void fake_dns_set_drop(struct fake_dns *d, const char *name, unsigned qtype);

/* Questions received for `name` of `qtype` (1: A, 28: AAAA; 0: any). */
unsigned fake_dns_queries(const struct fake_dns *d, const char *name, unsigned qtype);

#endif
