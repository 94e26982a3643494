/*
 * pdu_stream.c: turns a TCP byte stream into whole RTR PDUs.  One linear
 * buffer holds the bytes not yet returned, [head, tail); PDUs that lie in
 * it whole are decoded in place, and the partial PDU at the end is moved to
 * the front only when new input needs the room.  As soon as a PDU's 8-byte
 * header is buffered its version, type and length are checked against
 * rtrmod_pdu_length_bounds(), so the buffer never has to hold more than one
 * acceptable PDU (at most max_len bytes) plus one read chunk; the body is
 * decoded from exactly its own bytes.  The first error kills the stream and
 * is repeated by every later call, since RTR cannot resynchronise (RFC 8210
 * §5.1, §12): the session sends the Error Report and drops the connection.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <rtrmod/pdu.h>

#include "rtrmod_internal.h"

/* Smallest buffer, and how far past max_len geometric growth may go (room
 * for one read(2) besides the largest PDU). */
#define STREAM_MIN_CAP    4096u
#define STREAM_READ_CHUNK (64u * 1024u)
/* PDU types are 0..11 today; the memo has room for a 4-bit type. */
#define STREAM_TYPES 16u

/* Length bounds of one (version, type), memoised.  Not looked up yet is
 * min > max, which no length passes. */
struct stream_bounds {
	uint32_t min;
	uint32_t max;
};

struct rtrmod_pdu_stream {
	struct rtrmod_ctx *ctx;
	uint8_t *buf;
	size_t cap;
	size_t head;     /* first byte not yet returned as (part of) a PDU */
	size_t tail;     /* one past the last byte buffered */
	size_t reserved; /* bytes from tail handed out by reserve, not committed */
	uint32_t max_len;
	int dead;                    /* 0, or the sticky error code */
	struct rtrmod_pdu_error err; /* what killed the stream */
	struct stream_bounds bounds[RTRMOD_PDU_VERSION_MAX + 1][STREAM_TYPES];
};

static inline uint32_t
load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Kill the stream with `rc` and the given details.  `pdu` borrows buffered
 * bytes, which stay put from now on since a dead stream buffers nothing. */
static int
stream_die(struct rtrmod_pdu_stream *s, int rc, enum rtrmod_rtr_error code, const char *reason,
	   const uint8_t *pdu, size_t len)
{
	s->dead = rc;
	s->err.code = code;
	s->err.reason = reason;
	s->err.pdu.ptr = pdu;
	s->err.pdu.len = len;
	return rc;
}

/* The sticky error, again. */
static int
stream_repeat(const struct rtrmod_pdu_stream *s, struct rtrmod_pdu_error *err)
{
	if (err != NULL)
		*err = s->err;
	return s->dead;
}

/*
 * The header at p failed the memo: look its type up (and memoise it), or
 * kill the stream.  The encapsulated PDU of the error is the header only:
 * the body is not (and must not be) buffered yet.  RFC 8210 §12 has no code
 * for a bad length, so it is Corrupt Data.
 */
static int
stream_check_header_slow(struct rtrmod_pdu_stream *s, const uint8_t *p, uint32_t *lenp)
{
	uint8_t version = p[0], type = p[1];
	uint32_t len = load_be32(p + 4), min, max, umin, umax;
	struct rtrmod_pdu_error e;

	if (rtrmod_pdu_length_bounds(version, type, s->max_len, &min, &max, &e) != 0)
		return stream_die(s, RTRMOD_EPDU, e.code, e.reason, p, RTRMOD_PDU_HEADER_LEN);
	if (version <= RTRMOD_PDU_VERSION_MAX && type < STREAM_TYPES) {
		s->bounds[version][type].min = min;
		s->bounds[version][type].max = max;
	}
	if (len >= min && len <= max) {
		*lenp = len;
		return 0;
	}
	/* Tell the operator whether the PDU is malformed or merely larger than
	 * this stream was configured to accept (a max_len below the default). */
	if (len > max && rtrmod_pdu_length_bounds(version, type, 0, &umin, &umax, &e) == 0 &&
	    len <= umax)
		return stream_die(s, RTRMOD_EPDU, RTRMOD_RTR_CORRUPT_DATA,
				  "PDU length exceeds the configured maximum", p,
				  RTRMOD_PDU_HEADER_LEN);
	return stream_die(s, RTRMOD_EPDU, RTRMOD_RTR_CORRUPT_DATA,
			  len < min ? "PDU length too short for its type"
				    : "PDU length too long for its type",
			  p, RTRMOD_PDU_HEADER_LEN);
}

/* Check the header at p; 0 with *lenp its length, or the stream dies.  The
 * common case is three compares against the memo. */
static inline int
stream_check_header(struct rtrmod_pdu_stream *s, const uint8_t *p, uint32_t *lenp)
{
	const struct stream_bounds *b;
	uint32_t len = load_be32(p + 4);

	if (p[0] <= RTRMOD_PDU_VERSION_MAX && p[1] < STREAM_TYPES) {
		b = &s->bounds[p[0]][p[1]];
		if (len >= b->min && len <= b->max) {
			*lenp = len;
			return 0;
		}
	}
	return stream_check_header_slow(s, p, lenp);
}

/* Grow the buffer to hold at least `need` bytes from its start: doubling,
 * but not past max_len + one read chunk unless `need` itself is larger. */
static int
stream_grow(struct rtrmod_pdu_stream *s, size_t need)
{
	size_t limit = (size_t)s->max_len + STREAM_READ_CHUNK;
	size_t cap = s->cap > SIZE_MAX / 2 ? SIZE_MAX : s->cap * 2;
	uint8_t *buf;

	if (cap < STREAM_MIN_CAP)
		cap = STREAM_MIN_CAP;
	if (cap > limit)
		cap = limit;
	if (cap < need)
		cap = need;
	buf = ctx_realloc(s->ctx, s->buf, cap);
	if (buf == NULL)
		return RTRMOD_ENOMEM;
	s->buf = buf;
	s->cap = cap;
	return 0;
}

/*
 * Make `want` bytes free after tail.  Moves the pending bytes to the front
 * only when that makes the room; grows only when it does not.  Before
 * growing, a buffered header is checked, so input that keeps arriving
 * without next() being called cannot grow the buffer for a PDU that will
 * be refused anyway.
 */
static int
stream_make_room(struct rtrmod_pdu_stream *s, size_t want)
{
	size_t pending = s->tail - s->head;
	uint32_t len;

	if (pending == 0)
		s->head = s->tail = 0;
	if (s->cap - s->tail >= want)
		return 0;
	if (want > SIZE_MAX - pending)
		return RTRMOD_ENOMEM;
	if (pending + want > s->cap && pending >= RTRMOD_PDU_HEADER_LEN &&
	    stream_check_header(s, s->buf + s->head, &len) != 0)
		return s->dead;
	if (s->head != 0) {
		memmove(s->buf, s->buf + s->head, pending);
		s->head = 0;
		s->tail = pending;
	}
	if (s->cap - s->tail >= want)
		return 0;
	return stream_grow(s, pending + want);
}

int
rtrmod_pdu_stream_new(struct rtrmod_ctx *ctx, uint32_t max_len, struct rtrmod_pdu_stream **out)
{
	struct rtrmod_pdu_stream *s;
	size_t v, t;

	if (out == NULL)
		return RTRMOD_EINVAL;
	*out = NULL;
	if (ctx == NULL)
		return RTRMOD_EINVAL;
	s = ctx_zalloc(ctx, sizeof(*s));
	if (s == NULL)
		return RTRMOD_ENOMEM;
	s->ctx = ctx;
	/* rtrmod_pdu_decode() refuses anything past the default cap, so a
	 * larger max_len could only buffer PDUs that are then refused. */
	s->max_len = max_len != 0 && max_len < RTRMOD_PDU_MAX_LEN_DEFAULT
			 ? max_len
			 : RTRMOD_PDU_MAX_LEN_DEFAULT;
	for (v = 0; v < ARRAY_SIZE(s->bounds); v++)
		for (t = 0; t < STREAM_TYPES; t++)
			s->bounds[v][t].min = UINT32_MAX;
	*out = s;
	return 0;
}

void
rtrmod_pdu_stream_free(struct rtrmod_pdu_stream *s)
{
	if (s == NULL)
		return;
	ctx_free(s->ctx, s->buf);
	ctx_free(s->ctx, s);
}

int
rtrmod_pdu_stream_feed(struct rtrmod_pdu_stream *s, const uint8_t *data, size_t len)
{
	int rc;

	if (s == NULL || (data == NULL && len != 0))
		return RTRMOD_EINVAL;
	if (s->dead != 0)
		return s->dead;
	s->reserved = 0;
	if (len == 0)
		return 0;
	rc = stream_make_room(s, len);
	if (rc != 0)
		return rc;
	memcpy(s->buf + s->tail, data, len);
	s->tail += len;
	return 0;
}

int
rtrmod_pdu_stream_reserve(struct rtrmod_pdu_stream *s, size_t want, uint8_t **space, size_t *avail)
{
	int rc;

	if (s == NULL || space == NULL || avail == NULL)
		return RTRMOD_EINVAL;
	*space = NULL;
	*avail = 0;
	if (s->dead != 0)
		return s->dead;
	s->reserved = 0;
	rc = stream_make_room(s, want != 0 ? want : STREAM_READ_CHUNK);
	if (rc != 0)
		return rc;
	*space = s->buf + s->tail;
	*avail = s->reserved = s->cap - s->tail;
	return 0;
}

void
rtrmod_pdu_stream_commit(struct rtrmod_pdu_stream *s, size_t len)
{
	if (s == NULL || s->dead != 0)
		return;
	if (len > s->reserved) {
		/* Bytes we never handed out: the stream's contents are unknown. */
		stream_die(s, RTRMOD_EINVAL, RTRMOD_RTR_INTERNAL_ERROR,
			   "commit of more bytes than were reserved", NULL, 0);
		return;
	}
	s->tail += len;
	s->reserved -= len;
}

int
rtrmod_pdu_stream_next(struct rtrmod_pdu_stream *s, struct rtrmod_pdu *out,
		       struct rtrmod_pdu_error *err)
{
	const uint8_t *p;
	size_t used;
	uint32_t len;
	int rc;

	if (s == NULL || out == NULL)
		return RTRMOD_EINVAL;
	if (s->dead != 0)
		return stream_repeat(s, err);
	if (s->tail - s->head < RTRMOD_PDU_HEADER_LEN)
		return RTRMOD_EAGAIN;
	p = s->buf + s->head;
	if (stream_check_header(s, p, &len) != 0)
		return stream_repeat(s, err);
	if (s->tail - s->head < len)
		return RTRMOD_EAGAIN;
	/* Exactly the PDU's bytes: the decoder cannot see the next one. */
	rc = rtrmod_pdu_decode(p, len, out, &used, &s->err);
	if (rc == 0 && used == len) {
		s->head += len;
		return 0;
	}
	if (rc == 0 || rc == RTRMOD_ETRUNC)
		stream_die(s, RTRMOD_EPDU, RTRMOD_RTR_CORRUPT_DATA,
			   "PDU contents disagree with its length", p, len);
	else
		s->dead = rc;
	return stream_repeat(s, err);
}

size_t
rtrmod_pdu_stream_pending(const struct rtrmod_pdu_stream *s)
{
	return s != NULL ? s->tail - s->head : 0;
}
