/*
 * test_alloc.c: the counting, failing allocator of test_alloc.h.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>

#include "test_alloc.h"

static bool
alloc_fails(struct failing_alloc *a)
{
	return ++a->calls == a->fail_at;
}

void *
failing_alloc_malloc(void *arg, size_t size)
{
	return alloc_fails(arg) ? NULL : malloc(size);
}

void *
failing_alloc_realloc(void *arg, void *ptr, size_t size)
{
	return alloc_fails(arg) ? NULL : realloc(ptr, size);
}

void
failing_alloc_free(void *arg, void *ptr)
{
	(void)arg;
	free(ptr);
}

struct rtrmod_allocator
failing_alloc_allocator(struct failing_alloc *fa)
{
	struct rtrmod_allocator a = {failing_alloc_malloc, failing_alloc_realloc,
				     failing_alloc_free, fa};

	return a;
}
