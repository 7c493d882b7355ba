/* mrand.h — a tiny explicit-state generator for models/ (splitmix64, Steele et al., OOPSLA 2014).
 *
 * models/ needs seeded draws for weight initialisation, data shuffles and random test matrices;
 * the simulator's own RNG streams (GSL) serve the event engine. The state is a caller-owned
 * uint64_t, so there is no hidden global state and two seeds never share a stream.
 */
#ifndef MAASIM_MRAND_H
#define MAASIM_MRAND_H

#include <stdint.h>

static inline uint64_t mrand_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uniform in [0, 1) with 53 random bits */
static inline double mrand_uniform(uint64_t *s)
{
	return (double)(mrand_next(s) >> 11) * 0x1.0p-53;
}

/* uniform integer in [0, n), n > 0 (rejection-free multiply-shift; bias < n / 2^64) */
static inline uint64_t mrand_below(uint64_t *s, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)mrand_next(s) * n) >> 64);
}

#endif
