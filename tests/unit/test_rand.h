/*
 * test_rand.h: a small deterministic generator for unit tests (Marsaglia's
 * xorshift64, shifts 13/7/17).  The state must start non-zero.
 */
#ifndef TEST_RAND_H
#define TEST_RAND_H

#include <stdint.h>

static inline uint64_t
xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

#endif
