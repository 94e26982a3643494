/*
 * buf.h: the bounded reader and writer the PDU codec is built on.
 *
 * A reader is a (ptr, len, off) cursor over borrowed bytes.  Every get
 * either consumes exactly what it asks for or fails with RTRMOD_ETRUNC and
 * leaves the cursor where it was: it never reads past ptr + len.  A child
 * reader takes the next N bytes of its parent, so a PDU body is read through
 * a reader that cannot see the next PDU.  Multi-byte values are big-endian
 * on the wire and host order once read.
 *
 * A writer fills a fixed (ptr, cap) buffer.  A put that does not fit writes
 * nothing, sets the overflow flag and is remembered; buf_writer_finish()
 * reports it once at the end, so an encoder need not check every put.
 *
 * The scalar operations are static inline: the decoder runs them per field
 * of millions of PDUs.
 */
#ifndef RTRMOD_BUF_H
#define RTRMOD_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rtrmod/common.h>

struct buf_reader {
	const uint8_t *ptr;
	size_t len;
	size_t off;
};

struct buf_writer {
	uint8_t *ptr;
	size_t cap;
	size_t off;
	bool overflow;
};

/* ---- big-endian loads and stores on raw bytes ------------------------- */

static inline uint16_t
buf_load_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | (unsigned)p[1]);
}

static inline uint32_t
buf_load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void
buf_store_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
buf_store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- reader ------------------------------------------------------------ */

static inline void
buf_reader_init(struct buf_reader *r, const uint8_t *ptr, size_t len)
{
	r->ptr = ptr;
	r->len = ptr != NULL ? len : 0;
	r->off = 0;
}

static inline size_t
buf_remaining(const struct buf_reader *r)
{
	return r->len - r->off;
}

static inline bool
buf_empty(const struct buf_reader *r)
{
	return r->off == r->len;
}

static inline int
buf_get_u8(struct buf_reader *r, uint8_t *v)
{
	if (buf_remaining(r) < 1)
		return RTRMOD_ETRUNC;
	*v = r->ptr[r->off];
	r->off += 1;
	return 0;
}

static inline int
buf_get_u16(struct buf_reader *r, uint16_t *v)
{
	if (buf_remaining(r) < 2)
		return RTRMOD_ETRUNC;
	*v = buf_load_be16(r->ptr + r->off);
	r->off += 2;
	return 0;
}

static inline int
buf_get_u32(struct buf_reader *r, uint32_t *v)
{
	if (buf_remaining(r) < 4)
		return RTRMOD_ETRUNC;
	*v = buf_load_be32(r->ptr + r->off);
	r->off += 4;
	return 0;
}

/* Borrow the next n bytes: *p points into the reader's buffer. */
static inline int
buf_get_bytes(struct buf_reader *r, size_t n, const uint8_t **p)
{
	if (buf_remaining(r) < n)
		return RTRMOD_ETRUNC;
	*p = r->ptr + r->off;
	r->off += n;
	return 0;
}

/* Copy the next n bytes out. */
static inline int
buf_copy_bytes(struct buf_reader *r, void *dst, size_t n)
{
	if (buf_remaining(r) < n)
		return RTRMOD_ETRUNC;
	if (n > 0)
		memcpy(dst, r->ptr + r->off, n);
	r->off += n;
	return 0;
}

static inline int
buf_skip(struct buf_reader *r, size_t n)
{
	if (buf_remaining(r) < n)
		return RTRMOD_ETRUNC;
	r->off += n;
	return 0;
}

/* Take the next n bytes of r as a reader of their own: the child cannot
 * read past them, and the parent moves past them at once. */
static inline int
buf_child(struct buf_reader *r, size_t n, struct buf_reader *child)
{
	if (buf_remaining(r) < n)
		return RTRMOD_ETRUNC;
	child->ptr = r->ptr + r->off;
	child->len = n;
	child->off = 0;
	r->off += n;
	return 0;
}

/* ---- writer ------------------------------------------------------------ */

static inline void
buf_writer_init(struct buf_writer *w, uint8_t *ptr, size_t cap)
{
	w->ptr = ptr;
	w->cap = ptr != NULL ? cap : 0;
	w->off = 0;
	w->overflow = false;
}

/* Room for n more bytes?  If not, the writer is marked overflowed. */
static inline bool
buf_room(struct buf_writer *w, size_t n)
{
	if (w->overflow || w->cap - w->off < n) {
		w->overflow = true;
		return false;
	}
	return true;
}

static inline void
buf_put_u8(struct buf_writer *w, uint8_t v)
{
	if (buf_room(w, 1))
		w->ptr[w->off++] = v;
}

static inline void
buf_put_u16(struct buf_writer *w, uint16_t v)
{
	if (buf_room(w, 2)) {
		buf_store_be16(w->ptr + w->off, v);
		w->off += 2;
	}
}

static inline void
buf_put_u32(struct buf_writer *w, uint32_t v)
{
	if (buf_room(w, 4)) {
		buf_store_be32(w->ptr + w->off, v);
		w->off += 4;
	}
}

/* Bulk puts (buf.c): a run of bytes, or n zero bytes. */
void buf_put_bytes(struct buf_writer *w, const void *src, size_t n);
void buf_put_zeros(struct buf_writer *w, size_t n);

/* 0 and *written set to the bytes written, or RTRMOD_ENOSPC if any put did
 * not fit (nothing past cap was written either way). */
int buf_writer_finish(const struct buf_writer *w, size_t *written);

#endif
