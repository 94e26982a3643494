/*
 * test_alloc.h: an allocator for unit tests that counts its calls and can
 * make the N-th one fail, so that a test can fail each allocation of an
 * operation in turn.
 */
#ifndef TEST_ALLOC_H
#define TEST_ALLOC_H

#include <stddef.h>

#include <rtrmod/ctx.h>

struct failing_alloc {
	long calls;   /* malloc and realloc calls so far */
	long fail_at; /* fail the fail_at-th call (1-based); 0: never */
};

/* Each counts the call, then returns NULL if it is the fail_at-th one. */
void *failing_alloc_malloc(void *arg, size_t size);
void *failing_alloc_realloc(void *arg, void *ptr, size_t size);
/* Never fails and is not counted. */
void failing_alloc_free(void *arg, void *ptr);

/* The hooks above with `fa` as their argument, for rtrmod_ctx_new(). */
struct rtrmod_allocator failing_alloc_allocator(struct failing_alloc *fa);

#endif
