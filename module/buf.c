/*
 * buf.c: the writer's bulk operations, out of line because they run once
 * per variable-length part rather than per field.  Like every put, they
 * write nothing when the run does not fit and mark the writer overflowed.
 */
#include "config.h"

#include <string.h>

#include "rtrmod_internal.h"

#include "buf.h"

void
buf_put_bytes(struct buf_writer *w, const void *src, size_t n)
{
	if (n == 0 || !buf_room(w, n))
		return;
	memcpy(w->ptr + w->off, src, n);
	w->off += n;
}

void
buf_put_zeros(struct buf_writer *w, size_t n)
{
	if (n == 0 || !buf_room(w, n))
		return;
	memset(w->ptr + w->off, 0, n);
	w->off += n;
}

int
buf_writer_finish(const struct buf_writer *w, size_t *written)
{
	if (w->overflow)
		return RTRMOD_ENOSPC;
	*written = w->off;
	return 0;
}
