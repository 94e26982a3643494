/*
 * cache_fixture.c: the shared pieces of the cache tests (cache_fixture.h).
 * Test code: failures abort, which Check reports as an error of the test.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_fixture.h"
#include "cache_internal.h"
#include "rtr_router.h"
#include "test_rand.h"

/* ---- sets ------------------------------------------------------------------------ */

static void
must(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "fixture: %s: %s\n", what, rtrmod_strerror(rc));
		abort();
	}
}

static void
fx_add_line(struct rtrmod_set_builder *b, const char *line)
{
	char pfx[64], spki[64];
	unsigned ski, maxlen, asn, prov[16];
	struct rtrmod_router_key key;
	struct rtrmod_vrp vrp;
	size_t n = 0;
	const char *p;
	int used;

	if (sscanf(line, "key %u AS%u %63s", &ski, &asn, spki) == 3) {
		memset(&key, 0, sizeof(key));
		memset(key.ski, (int)ski, sizeof(key.ski));
		key.asn = asn;
		key.spki = (const uint8_t *)spki;
		key.spki_len = (uint32_t)strlen(spki);
		must(rtrmod_set_builder_add_router_key(b, &key), line);
		return;
	}
	if (sscanf(line, "aspa AS%u%n", &asn, &used) == 1) {
		for (p = line + used; n < 16 && sscanf(p, " AS%u%n", &prov[n], &used) == 1;
		     p += used)
			n++;
		must(rtrmod_set_builder_add_aspa(b, asn, prov, n), line);
		return;
	}
	if (sscanf(line, "%63s %u AS%u", pfx, &maxlen, &asn) != 3)
		must(RTRMOD_EPARSE, line);
	memset(&vrp, 0, sizeof(vrp));
	must(rtrmod_prefix_parse(pfx, &vrp.prefix), line);
	vrp.max_len = (uint8_t)maxlen;
	vrp.asn = asn;
	must(rtrmod_set_builder_add_vrp(b, &vrp), line);
}

const char *const fx_set_a_lines[] = {
    "10.0.0.0/8 8 AS65001",  "10.1.0.0/16 24 AS65002", "2001:db8::/32 48 AS65001",
    "key 1 AS65001 spkione", "aspa AS64500 AS1 AS2",   NULL,
};
const char *const fx_set_b_lines[] = {
    "10.0.0.0/8 8 AS65001",  "10.1.0.0/16 24 AS65009", "192.0.2.0/24 24 AS65004",
    "key 2 AS65002 spkitwo", "aspa AS64500 AS1 AS3",   NULL,
};

struct rtrmod_set *
fx_set(struct rtrmod_ctx *ctx, const char *const *lines)
{
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set;

	must(rtrmod_set_builder_new(ctx, &b), "builder");
	for (; *lines != NULL; lines++)
		fx_add_line(b, *lines);
	must(rtrmod_set_builder_finish(b, &set), "finish");
	return set;
}

uint32_t
fx_rand(uint64_t *state)
{
	return (uint32_t)(xorshift64(state) >> 16);
}

static void
fx_random_vrp(uint64_t *st, struct rtrmod_vrp *v)
{
	static const uint8_t lens4[] = {8, 16, 20, 24}, lens6[] = {32, 48, 56, 64};
	unsigned a = fx_rand(st) % 4, b = fx_rand(st) % 16, lens = fx_rand(st) % 4, bits;

	memset(v, 0, sizeof(*v));
	if (fx_rand(st) % 4 != 0) {
		v->prefix.afi = RTRMOD_AFI_IPV4;
		v->prefix.len = lens4[lens];
		v->prefix.addr[0] = 10;
		v->prefix.addr[1] = lens > 0 ? (uint8_t)a : 0;
		v->prefix.addr[2] = lens > 1 ? (uint8_t)(lens == 2 ? b * 16 : b) : 0;
		bits = 32;
	} else {
		v->prefix.afi = RTRMOD_AFI_IPV6;
		v->prefix.len = lens6[lens];
		v->prefix.addr[0] = 0x20;
		v->prefix.addr[1] = 0x01;
		v->prefix.addr[2] = 0x0d;
		v->prefix.addr[3] = 0xb8;
		v->prefix.addr[5] = lens > 0 ? (uint8_t)a : 0;
		v->prefix.addr[6] = lens > 1 ? (uint8_t)b : 0;
		v->prefix.addr[7] = lens > 2 ? (uint8_t)(b * 3) : 0;
		bits = 128;
	}
	v->max_len = (uint8_t)(v->prefix.len + fx_rand(st) % 3);
	if (v->max_len > bits)
		v->max_len = (uint8_t)bits;
	v->asn = 65000 + fx_rand(st) % 4;
}

struct rtrmod_set *
fx_random_set(struct rtrmod_ctx *ctx, uint64_t *st, unsigned vrps)
{
	struct rtrmod_set_builder *b;
	struct rtrmod_router_key key;
	struct rtrmod_set *set;
	struct rtrmod_vrp v;
	uint32_t prov[6];
	uint8_t spki[16];
	unsigned i, k, n;

	must(rtrmod_set_builder_new(ctx, &b), "builder");
	for (i = 0; i < vrps; i++) {
		fx_random_vrp(st, &v);
		must(rtrmod_set_builder_add_vrp(b, &v), "vrp");
	}
	for (k = 0; k < 6; k++) {
		if (fx_rand(st) % 2)
			continue;
		memset(&key, 0, sizeof(key));
		memset(key.ski, (int)(k + 1), sizeof(key.ski));
		key.asn = 65000 + k % 3;
		memset(spki, (int)('a' + k), sizeof(spki));
		key.spki = spki;
		key.spki_len = 4 + k;
		must(rtrmod_set_builder_add_router_key(b, &key), "key");
	}
	for (k = 0; k < 6; k++) {
		if (fx_rand(st) % 5 < 2)
			continue;
		for (i = 0, n = 0; i < 6; i++)
			if (fx_rand(st) % 3 == 0)
				prov[n++] = 1 + i;
		if (n == 0)
			prov[n++] = 0; /* AS0: no providers */
		must(rtrmod_set_builder_add_aspa(b, 64500 + k, prov, n), "aspa");
	}
	must(rtrmod_set_builder_finish(b, &set), "finish");
	return set;
}

struct rtrmod_set *
fx_big_set(struct rtrmod_ctx *ctx, unsigned n, uint32_t asn)
{
	struct rtrmod_set_builder *b;
	struct rtrmod_set *set;
	struct rtrmod_vrp v;
	unsigned i;

	must(rtrmod_set_builder_new(ctx, &b), "builder");
	memset(&v, 0, sizeof(v));
	v.prefix.afi = RTRMOD_AFI_IPV4;
	v.prefix.len = 24;
	v.max_len = 24;
	v.asn = asn;
	for (i = 0; i < n; i++) {
		v.prefix.addr[0] = (uint8_t)(10 + (i >> 16));
		v.prefix.addr[1] = (uint8_t)(i >> 8);
		v.prefix.addr[2] = (uint8_t)i;
		must(rtrmod_set_builder_add_vrp(b, &v), "vrp");
	}
	must(rtrmod_set_builder_finish(b, &set), "finish");
	return set;
}

/* ---- one query ------------------------------------------------------------------ */

size_t
fx_ask(struct rtrmod_cache *cache, const uint8_t *query, size_t len, struct rtr_router *r)
{
	struct cache_session s;
	struct iovec iov[SESSION_OUTQ];
	uint8_t *space, *all = NULL;
	size_t avail, total = 0;
	int n, i;

	must(session_init(&s, cache, "fx", 0), "session");
	must(session_read_space(&s, &space, &avail), "space");
	if (avail < len)
		abort();
	memcpy(space, query, len);
	session_read_done(&s, len, 0);
	while (s.qlen > 0) {
		n = session_out_iov(&s, iov, SESSION_OUTQ);
		for (i = 0; i < n; i++) {
			all = realloc(all, total + iov[i].iov_len);
			memcpy(all + total, iov[i].iov_base, iov[i].iov_len);
			total += iov[i].iov_len;
			session_out_done(&s, iov[i].iov_len, 0);
		}
		session_process(&s, 0);
	}
	if (rtr_router_apply(r, all, total) != total)
		abort();
	free(all);
	session_fini(&s);
	return total;
}

size_t
fx_ask_serial(struct rtrmod_cache *cache, struct rtr_router *r, int64_t serial)
{
	uint8_t q[12];

	if (serial < 0) {
		rtr_router_clear(r);
		return fx_ask(cache, q, rtr_query_reset(q, r->version), r);
	}
	return fx_ask(cache, q,
		      rtr_query_serial(q, r->version, rtrmod_cache_session_id(cache, r->version),
				       (uint32_t)serial),
		      r);
}

/* ---- fake loop ---------------------------------------------------------------------- */

static int
fx_watch(void *loop, int fd, enum rtrmod_io_event event, rtrmod_io_cb *cb, void *arg, void **handle)
{
	struct fx_loop *l = loop;
	int i;

	for (i = 0; i < FX_WATCHES; i++) {
		if (!l->w[i].active) {
			l->w[i] = (struct fx_watch){true, fd, event, cb, arg};
			*handle = &l->w[i];
			return 0;
		}
	}
	return RTRMOD_ENOMEM;
}

static void
fx_unwatch(void *loop, void *handle)
{
	((struct fx_watch *)handle)->active = false;
}

static int
fx_timer_arm(void *loop, uint64_t delay, rtrmod_timer_cb *cb, void *arg, void **handle)
{
	struct fx_loop *l = loop;
	int i;

	for (i = 0; i < FX_TIMERS; i++) {
		if (!l->t[i].active) {
			l->t[i] = (struct fx_timer){true, l->now + delay, l->seq++, cb, arg};
			*handle = &l->t[i];
			return 0;
		}
	}
	return RTRMOD_ENOMEM;
}

static void
fx_timer_cancel(void *loop, void *handle)
{
	((struct fx_timer *)handle)->active = false;
}

static uint64_t
fx_now(void *loop)
{
	return ((struct fx_loop *)loop)->now;
}

const struct rtrmod_loop_ops fx_loop_ops = {fx_watch, fx_unwatch, fx_timer_arm, fx_timer_cancel,
					    fx_now};

void
fx_loop_init(struct fx_loop *l)
{
	memset(l, 0, sizeof(*l));
	l->now = 1000;
}

bool
fx_loop_watching(const struct fx_loop *l, int fd, enum rtrmod_io_event event)
{
	for (int i = 0; i < FX_WATCHES; i++)
		if (l->w[i].active && l->w[i].fd == fd && l->w[i].event == event)
			return true;
	return false;
}

bool
fx_loop_fire(struct fx_loop *l, int fd, enum rtrmod_io_event event)
{
	for (int i = 0; i < FX_WATCHES; i++) {
		if (l->w[i].active && l->w[i].fd == fd && l->w[i].event == event) {
			l->w[i].cb(l->w[i].arg, fd, event);
			return true;
		}
	}
	return false;
}

/* The earliest due timer at or before `until`, in arm order on ties. */
static struct fx_timer *
fx_next_timer(struct fx_loop *l, uint64_t until)
{
	struct fx_timer *best = NULL;

	for (int i = 0; i < FX_TIMERS; i++) {
		struct fx_timer *t = &l->t[i];

		if (t->active && t->due <= until &&
		    (best == NULL || t->due < best->due ||
		     (t->due == best->due && t->seq < best->seq)))
			best = t;
	}
	return best;
}

void
fx_loop_advance(struct fx_loop *l, uint64_t ms)
{
	uint64_t until = l->now + ms;
	struct fx_timer *t;

	while ((t = fx_next_timer(l, until)) != NULL) {
		if (t->due > l->now)
			l->now = t->due;
		t->active = false;
		t->cb(t->arg);
	}
	l->now = until;
}

unsigned
fx_loop_timers(const struct fx_loop *l)
{
	unsigned n = 0;

	for (int i = 0; i < FX_TIMERS; i++)
		n += l->t[i].active;
	return n;
}

/* ---- fake stream ---------------------------------------------------------------------- */

static int
fxs_read(void *impl, void *buf, size_t len, size_t *got, enum rtrmod_io_event *want)
{
	struct fx_stream *s = impl;
	size_t n = s->in_len - s->in_off;

	*want = RTRMOD_IO_READ;
	if (n == 0)
		return s->in_eof ? RTRMOD_ECLOSED : RTRMOD_EAGAIN;
	if (n > len)
		n = len;
	memcpy(buf, s->in + s->in_off, n);
	s->in_off += n;
	*got = n;
	return 0;
}

static int
fxs_writev(void *impl, const struct iovec *iov, int iovcnt, size_t *sent,
	   enum rtrmod_io_event *want)
{
	struct fx_stream *s = impl;
	size_t n = 0, take;
	int i;

	*want = RTRMOD_IO_WRITE;
	s->writev_calls++;
	if (s->write_error)
		return RTRMOD_ECLOSED;
	for (i = 0; i < iovcnt && n < s->chunk && s->budget > 0; i++) {
		take = iov[i].iov_len;
		if (take > s->chunk - n)
			take = s->chunk - n;
		if (take > s->budget)
			take = s->budget;
		if (s->out_len + take > s->out_cap) {
			s->out_cap = (s->out_len + take) * 2;
			s->out = realloc(s->out, s->out_cap);
		}
		memcpy(s->out + s->out_len, iov[i].iov_base, take);
		s->out_len += take;
		s->budget -= take;
		n += take;
		if (take < iov[i].iov_len)
			break;
	}
	if (n == 0)
		return RTRMOD_EAGAIN;
	*sent = n;
	return 0;
}

static int
fxs_shutdown(void *impl, enum rtrmod_io_event *want)
{
	((struct fx_stream *)impl)->shut = true;
	*want = RTRMOD_IO_WRITE;
	return 0;
}

static int
fxs_fd(void *impl)
{
	return ((struct fx_stream *)impl)->fd;
}

static int
fxs_peer(void *impl, struct rtrmod_prefix *addr, uint16_t *port)
{
	struct fx_stream *s = impl;

	if (!s->has_peer)
		return RTRMOD_ENOENT;
	*addr = s->peer;
	*port = 32323;
	return 0;
}

static void
fxs_close(void *impl)
{
	((struct fx_stream *)impl)->closed = true;
}

const struct rtrmod_stream_ops fx_stream_ops = {
    .name = "fake",
    .read = fxs_read,
    .writev = fxs_writev,
    .shutdown = fxs_shutdown,
    .fd = fxs_fd,
    .peer = fxs_peer,
    .close = fxs_close,
};

void
fx_stream_init(struct fx_stream *s, int fd, const char *peer_addr)
{
	char text[64];

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->budget = SIZE_MAX;
	s->chunk = SIZE_MAX;
	if (peer_addr != NULL) {
		snprintf(text, sizeof(text), "%s/%d", peer_addr, strchr(peer_addr, ':') ? 128 : 32);
		s->has_peer = rtrmod_prefix_parse(text, &s->peer) == 0;
	}
}

void
fx_stream_fini(struct fx_stream *s)
{
	free(s->out);
	s->out = NULL;
}

void
fx_stream_input(struct fx_stream *s, const void *data, size_t len)
{
	if (s->in_off == s->in_len)
		s->in_off = s->in_len = 0;
	if (s->in_len + len > sizeof(s->in))
		abort();
	memcpy(s->in + s->in_len, data, len);
	s->in_len += len;
}
