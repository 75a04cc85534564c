/*
 * random: the bench programs' pseudo-random numbers (xorshift64*). Fast and repeatable
 * from a seed, so a load mix or a generated history can be made again exactly; nothing
 * here needs to be unpredictable.
 */
#ifndef MADOGUCHI_BENCH_RANDOM_H
#define MADOGUCHI_BENCH_RANDOM_H

#include <stdint.h>

/* The next number; *state must not be 0. */
static inline uint64_t
bench_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ull;
}

#endif
