/*
 * transport_internal.h: the socket-address helpers transport.c gives the
 * socket transports (TCP now, TLS later): numeric parsing, kernel address to
 * host prefix, and the peer text logs show.
 */
#ifndef RTRMOD_TRANSPORT_INTERNAL_H
#define RTRMOD_TRANSPORT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <rtrmod/records.h>

/* "[ffff:...:ffff]:65535" and the NUL fit. */
#define TRANSPORT_PEER_LEN 56

/* Numeric IPv4 or IPv6 text and a port into a socket address. */
int sockaddr_parse(const char *text, uint16_t port, struct sockaddr_storage *ss, socklen_t *len);
/* The family (AF_INET, AF_INET6) of numeric address text; -1 if it is not one. */
int sockaddr_text_family(const char *text);
/* Whether listening on `a` blocks listening on `b` at the same port: the
 * same family (IPv6 listeners are v6-only) and the same address, or either
 * one the family's wildcard. */
bool sockaddr_text_overlap(const char *a, const char *b);
/* A kernel address as a host prefix (IPv4-mapped IPv6 as IPv4) and port;
 * RTRMOD_ENOENT for a family that is not IP. */
int sockaddr_to_prefix(const struct sockaddr_storage *ss, struct rtrmod_prefix *addr,
		       uint16_t *port);
/* "192.0.2.1:323", "[2001:db8::1]:323" or "unknown". */
void peer_format(const struct rtrmod_prefix *addr, uint16_t port, char *buf, size_t size);

#endif
