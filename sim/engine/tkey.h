/* tkey.h — doubles as order-preserving unsigned integers, for the event list and the winner tree.
 *
 * The IEEE-754 bits with the sign bit flipped for x >= 0 and all bits flipped for x < 0 (-0.0
 * is made +0.0 first) compare as unsigned integers exactly as the doubles compare (NaN excepted:
 * callers never store one). Integer compares are shorter on a sift's critical path than
 * floating-point ones, and equality needs no NaN handling.
 */
#ifndef MAASIM_TKEY_H
#define MAASIM_TKEY_H

#include <stdint.h>
#include <string.h>

static inline uint64_t tkey_of(double x)
{
	uint64_t b;

	x += 0.0; /* -0.0 -> +0.0 */
	memcpy(&b, &x, sizeof b);
	return b ^ ((uint64_t)((int64_t)b >> 63) | 0x8000000000000000ULL);
}

static inline double tkey_value(uint64_t k)
{
	uint64_t b = k ^ ((uint64_t)((int64_t)~k >> 63) | 0x8000000000000000ULL);
	double x;

	memcpy(&x, &b, sizeof x);
	return x;
}

#endif
