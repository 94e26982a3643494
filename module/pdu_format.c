/*
 * pdu_format.c: one line of text per PDU, for logs and `rtrmod monitor`,
 * in the manner of tcpdump.  The output is always NUL-terminated within
 * `size` and the return value is what snprintf would give.
 *
 * A peer controls the Error Report text, so it is never trusted to be
 * NUL-terminated, printable or short: at most TEXT_MAX bytes are shown,
 * quotes, backslashes and every byte outside printable ASCII are escaped,
 * and a log line can hold no control character from it.
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>

#include <rtrmod/pdu.h>

#include "rtrmod_internal.h"

#define TEXT_MAX      256 /* bytes of Error Report text shown */
#define PROVIDERS_MAX 16  /* ASPA providers listed */

/* An appender with snprintf's contract: `len` counts every byte asked
 * for; buf[len] is the terminating NUL whenever len < size. */
struct fmt {
	char *buf;
	size_t size;
	size_t len;
};

static void fmt_printf(struct fmt *f, const char *format, ...) RTRMOD_PRINTF(2, 3);

static void
fmt_printf(struct fmt *f, const char *format, ...)
{
	char *dst = NULL;
	size_t room = 0;
	va_list ap;
	int n;

	if (f->len < f->size) {
		dst = f->buf + f->len;
		room = f->size - f->len;
	}
	va_start(ap, format);
	n = vsnprintf(dst, room, format, ap);
	va_end(ap);
	if (n > 0)
		f->len += (size_t)n;
}

static void
fmt_putc(struct fmt *f, char c)
{
	if (f->len + 1 < f->size) {
		f->buf[f->len] = c;
		f->buf[f->len + 1] = '\0';
	}
	f->len++;
}

static void
fmt_flags(struct fmt *f, uint8_t flags)
{
	fmt_printf(f, " %s", (flags & RTRMOD_PDU_FLAG_ANNOUNCE) != 0 ? "announce" : "withdraw");
	if ((flags & ~RTRMOD_PDU_FLAG_ANNOUNCE) != 0)
		fmt_printf(f, " flags 0x%02x", flags);
}

static void
fmt_prefix(struct fmt *f, const struct rtrmod_pdu *pdu)
{
	const struct rtrmod_pdu_prefix *p = &pdu->u.prefix;
	char addr[INET6_ADDRSTRLEN];
	int af = pdu->type == RTRMOD_PDU_IPV4_PREFIX ? AF_INET : AF_INET6;

	fmt_flags(f, p->flags);
	if (inet_ntop(af, p->addr, addr, sizeof(addr)) == NULL)
		snprintf(addr, sizeof(addr), "?");
	fmt_printf(f, " %s/%u maxlen %u AS%" PRIu32, addr, p->prefix_len, p->max_len, p->asn);
}

static void
fmt_router_key(struct fmt *f, const struct rtrmod_pdu_router_key *k)
{
	fmt_flags(f, k->flags);
	fmt_printf(f, " AS%" PRIu32 " ski ", k->asn);
	for (size_t i = 0; i < sizeof(k->ski); i++)
		fmt_printf(f, "%02x", k->ski[i]);
	fmt_printf(f, " spki %zu bytes", k->spki.len);
}

/* Peer-supplied text, bounded and escaped. */
static void
fmt_text(struct fmt *f, const struct rtrmod_bytes *t)
{
	size_t n = t->ptr == NULL ? 0 : t->len < TEXT_MAX ? t->len : TEXT_MAX;

	fmt_putc(f, '"');
	for (size_t i = 0; i < n; i++) {
		uint8_t c = t->ptr[i];

		if (c == '"' || c == '\\') {
			fmt_putc(f, '\\');
			fmt_putc(f, (char)c);
		} else if (c == '\n') {
			fmt_printf(f, "\\n");
		} else if (c == '\t') {
			fmt_printf(f, "\\t");
		} else if (c >= 0x20 && c < 0x7f) {
			fmt_putc(f, (char)c);
		} else {
			fmt_printf(f, "\\x%02x", c);
		}
	}
	fmt_putc(f, '"');
	if (t->len > n)
		fmt_printf(f, "... (%zu bytes)", t->len);
}

static void
fmt_error_report(struct fmt *f, const struct rtrmod_pdu_error_report *e)
{
	fmt_printf(f, " %s (%u)", rtrmod_rtr_error_name(e->code), e->code);
	if (e->pdu.len >= 2 && e->pdu.ptr != NULL)
		fmt_printf(f, " pdu [v%u %s, %zu bytes]", e->pdu.ptr[0],
			   rtrmod_pdu_type_name(e->pdu.ptr[1]), e->pdu.len);
	else if (e->pdu.len > 0)
		fmt_printf(f, " pdu [%zu bytes]", e->pdu.len);
	if (e->text.len > 0) {
		fmt_printf(f, " text ");
		fmt_text(f, &e->text);
	}
}

static void
fmt_aspa(struct fmt *f, const struct rtrmod_pdu_aspa *a)
{
	size_t n = a->provider_count < PROVIDERS_MAX ? a->provider_count : PROVIDERS_MAX;

	fmt_flags(f, a->flags);
	fmt_printf(f, " customer AS%" PRIu32, a->customer_asn);
	if (a->provider_count == 0)
		return;
	fmt_printf(f, " providers ");
	for (size_t i = 0; i < n; i++)
		fmt_printf(f, "%sAS%" PRIu32, i > 0 ? "," : "", rtrmod_pdu_aspa_provider(a, i));
	if (a->provider_count > n)
		fmt_printf(f, ",... (%zu in all)", a->provider_count);
}

static void
fmt_body(struct fmt *f, const struct rtrmod_pdu *pdu)
{
	switch (pdu->type) {
	case RTRMOD_PDU_SERIAL_NOTIFY:
	case RTRMOD_PDU_SERIAL_QUERY:
		fmt_printf(f, " session %u serial %" PRIu32, pdu->u.serial.session_id,
			   pdu->u.serial.serial);
		break;
	case RTRMOD_PDU_CACHE_RESPONSE:
		fmt_printf(f, " session %u", pdu->u.cache_response.session_id);
		break;
	case RTRMOD_PDU_IPV4_PREFIX:
	case RTRMOD_PDU_IPV6_PREFIX:
		fmt_prefix(f, pdu);
		break;
	case RTRMOD_PDU_END_OF_DATA:
		fmt_printf(f, " session %u serial %" PRIu32, pdu->u.eod.session_id,
			   pdu->u.eod.serial);
		if (pdu->version > 0)
			fmt_printf(f, " refresh %" PRIu32 " retry %" PRIu32 " expire %" PRIu32,
				   pdu->u.eod.refresh, pdu->u.eod.retry, pdu->u.eod.expire);
		break;
	case RTRMOD_PDU_ROUTER_KEY:
		fmt_router_key(f, &pdu->u.router_key);
		break;
	case RTRMOD_PDU_ERROR_REPORT:
		fmt_error_report(f, &pdu->u.error);
		break;
	case RTRMOD_PDU_ASPA:
		fmt_aspa(f, &pdu->u.aspa);
		break;
	}
}

int
rtrmod_pdu_format(const struct rtrmod_pdu *pdu, char *buf, size_t size)
{
	struct fmt f = {buf, buf != NULL ? size : 0, 0};

	if (f.size > 0)
		buf[0] = '\0';
	if (pdu == NULL) {
		fmt_printf(&f, "(no PDU)");
	} else if (pdu->version > RTRMOD_PDU_VERSION_MAX || pdu->type > RTRMOD_PDU_ASPA ||
		   pdu->type == 5) {
		fmt_printf(&f, "v%u type %u (unknown)", pdu->version, pdu->type);
	} else {
		fmt_printf(&f, "v%u %s", pdu->version, rtrmod_pdu_type_name(pdu->type));
		fmt_body(&f, pdu);
		if (pdu->reserved != 0)
			fmt_printf(&f, " reserved 0x%" PRIx32, pdu->reserved);
	}
	return f.len > INT_MAX ? INT_MAX : (int)f.len;
}
