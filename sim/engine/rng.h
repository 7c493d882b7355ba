/* rng.h — random-number streams on GSL, one per stochastic source and purpose.
 *
 * A stream is seeded from (scenario seed, replication, stream id) by a 64-bit finalizer mix
 * (MurmurHash3 fmix64, as Cimba's cmb_random_fmix64 does), so streams are independent of the
 * order they are created in, and replication r of two policies sees the same arrivals (common
 * random numbers) as long as each source keeps its stream id. Stream ids are stable numbers
 * chosen by the models (see RNG_STREAM_* in the datacenter). The generator is taus2
 * (L'Ecuyer 1996, period 2^88, GSL's seeding): small state and among the fastest of good
 * quality. maasim implements it as its own GSL generator type (rng.c), producing exactly the
 * sequence of GSL's gsl_rng_taus2 (tests/unit/test_rng.c), so that the hot draws (uniform,
 * exponential, normal and lognormal) are inlined here on the state, while GSL's distributions
 * (gamma; the forecasts' gaussian) call the same generator through its function pointers and
 * share the stream.
 *
 * Exponential variates come from the ziggurat (Marsaglia and Tsang, "The ziggurat method for
 * generating random variables", J. Stat. Softw. 5(8), 2000), an exact rejection method, not
 * from inversion (-log u, a libm call per draw). The density e^-x is covered by RNG_ZIG_N = 256
 * horizontal layers of equal area v: layer 0 is the rectangle [0, r] x [0, e^-r] with the tail
 * x > r above it (area r e^-r + e^-r = v), layer i >= 1 the rectangle [0, x_{i-1}] x
 * [y_{i-1}, y_i], y_i = e^-x_i, with x_0 = r and y_i = y_{i-1} + v / x_{i-1}; r is the root
 * that makes the top layer close at y_255 = 1 (x_255 = 0): r = 7.697117470131049..., Marsaglia
 * and Tsang's value (rng_zig_exp_derive recomputes the tables; tests/unit/test_rng.c checks
 * the shipped ones against it). A draw takes one 32-bit output k of the stream: its low 8 bits
 * pick a layer i uniformly (each holds the same area), its high 24 bits j a point
 * x = (j + 1/2) / 2^24 times the layer's width, uniform on a grid of 2^24 midpoints (never 0).
 * If x is left of the layer's inner edge (r in layer 0, x_i above) the whole column under the
 * layer lies under the curve and x is returned: 97.8% of draws, one stream output, a table
 * look-up and a multiplication. Otherwise (rng.c): in layer i >= 1 the point is in the wedge
 * between x_i and x_{i-1}, accepted when a uniform height y in [y_{i-1}, y_i] is below e^-x;
 * in layer 0 it is in the tail, and the tail beyond r is r plus an exponential (memoryless),
 * drawn again by the same method; a rejected point draws again. So the output is exactly
 * exponential up to the resolution of the 24-bit position in its layer (relative 2^-24 of
 * the layer's width, 6e-8); the tail is unbounded (inversion of a 32-bit uniform stopped at
 * 22.2 means). The draws consume the same taus2 stream, so GSL's distributions still share it.
 *
 * The standard normal (rng_normal1, and so the lognormal exp(mu + sigma z)) comes from the
 * same method on the half density e^{-x^2/2}, x >= 0, with a random sign (Marsaglia and Tsang
 * 2000, their normal ziggurat, with 256 layers instead of their 128): the same layer
 * recurrence with y_i = e^{-x_i^2/2}, layer 0 the rectangle [0, r] x [0, e^{-r^2/2}] plus
 * the tail's integral sqrt(pi/2) erfc(r / sqrt 2), r = 3.6541528853610088
 * (rng_zig_norm_derive; NumPy's value for 256 layers). One 32-bit output: low 8 bits the layer, bit 8 the sign, high 23 bits the
 * point (midpoint of one of 2^23 cells); 98.5% of draws are returned inline. A wedge point is
 * kept when a uniform height lies under e^{-x^2/2}; the tail beyond r is drawn exactly by
 * Marsaglia's method (a = -ln(u1) / r, b = -ln(u2) until 2 b >= a^2, then r + a); a rejected
 * point draws again, sign included. Exact up to the 23-bit position (2^-23 of the layer's
 * width); the tail is unbounded.
 */
#ifndef MAASIM_RNG_H
#define MAASIM_RNG_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_rng.h>

/* taus2 state: three 32-bit Tausworthe components (held in uint32_t, GSL holds them in
 * unsigned long masked to 32 bits: the same numbers). */
struct rng_taus {
	uint32_t s1, s2, s3;
};

struct rng {
	gsl_rng *g;           /* for GSL's distributions; its state is *st */
	struct rng_taus *st;
};

/* The next 32-bit output of taus2 (L'Ecuyer 1996, Table 3 parameters). */
static inline uint32_t rng_taus_next(struct rng_taus *t)
{
	t->s1 = ((t->s1 & 0xfffffffeu) << 12) ^ (((t->s1 << 13) ^ t->s1) >> 19);
	t->s2 = ((t->s2 & 0xfffffff8u) << 4) ^ (((t->s2 << 2) ^ t->s2) >> 25);
	t->s3 = ((t->s3 & 0xfffffff0u) << 17) ^ (((t->s3 << 3) ^ t->s3) >> 11);
	return t->s1 ^ t->s2 ^ t->s3;
}

uint64_t rng_mix64(uint64_t x);
/* The seed of stream id in replication rep of a scenario seeded with seed. */
uint64_t rng_stream_seed(uint64_t seed, uint64_t rep, uint64_t stream_id);

void rng_init(struct rng *r, uint64_t seed, uint64_t rep, uint64_t stream_id);
void rng_fini(struct rng *r);

/* Uniform on (0, 1), never 0 or 1: as gsl_rng_uniform_pos (k / 2^32, k = 0 redrawn). */
static inline double rng_uniform_pos(struct rng *r)
{
	uint32_t k;

	do
		k = rng_taus_next(r->st);
	while (k == 0);
	return (double)k * (1.0 / 4294967296.0);
}

/* ---- exponential by the ziggurat (see the header comment) ---- */
#define RNG_ZIG_N 256

/* A layer of the exponential ziggurat: w, its width times 2^-25 (so that an odd 25-bit
 * integer 2j + 1 times w is the midpoint of cell j of 2^24); x, its inner edge: a point left
 * of it is under the density whatever its height. */
struct rng_zig_layer {
	double w, x;
};

/* The shipped tables (rng.c): layers 0..255, and y_i = e^-x_i at the layers' edges (y_255 = 1). */
extern const struct rng_zig_layer rng_zig_exp_layer[RNG_ZIG_N];
extern const double rng_zig_exp_y[RNG_ZIG_N];

/* The ziggurat's tables derived from scratch (bisection for r in long double, then the
 * recurrence): what the shipped tables hold, for the test and for regenerating them. */
void rng_zig_exp_derive(struct rng_zig_layer layer[RNG_ZIG_N], double y[RNG_ZIG_N], double *r);

/* The draw's rare continuation (rng.c): point x of layer i was not left of its inner edge. */
double rng_zig_exp_slow_(struct rng *r, uint32_t i, double x);

/* Exponential with mean 1 (ziggurat). */
static inline double rng_exp1(struct rng *r)
{
	uint32_t k = rng_taus_next(r->st);
	const struct rng_zig_layer *l = &rng_zig_exp_layer[k & (RNG_ZIG_N - 1)];
	double x = (double)((k >> 7) | 1u) * l->w; /* (k >> 7) | 1 = 2 (k >> 8) + 1 */

	if (__builtin_expect(x < l->x, 1))
		return x;
	return rng_zig_exp_slow_(r, k & (RNG_ZIG_N - 1), x);
}

/* Exponential with the given mean: mean times a unit exponential by the ziggurat. */
static inline double rng_exponential(struct rng *r, double mean)
{
	return mean * rng_exp1(r);
}

/* ---- standard normal by the ziggurat (see the header comment) ----
 * The same layer layout as the exponential's, for the half density e^{-x^2/2} on [0, inf):
 * w is the layer's width times 2^-24 (an odd 24-bit integer times w is a midpoint of 2^23),
 * x its inner edge. */
extern const struct rng_zig_layer rng_zig_norm_layer[RNG_ZIG_N];
extern const double rng_zig_norm_y[RNG_ZIG_N]; /* y_i = e^{-x_i^2/2}, y_255 = 1 */

/* The normal ziggurat's tables derived from scratch (as rng_zig_exp_derive). */
void rng_zig_norm_derive(struct rng_zig_layer layer[RNG_ZIG_N], double y[RNG_ZIG_N], double *r);

/* The draw's rare continuation (rng.c): output k's point x was not left of its inner edge. */
double rng_zig_norm_slow_(struct rng *r, uint32_t k, double x);

/* x with the sign of bit 8 of k (set: negative), without a branch: the bit moved to the
 * double's sign bit. */
static inline double rng_zig_signed_(uint32_t k, double x)
{
	uint64_t b;

	memcpy(&b, &x, sizeof b);
	b ^= (uint64_t)(k & 0x100u) << 55;
	memcpy(&x, &b, sizeof x);
	return x;
}

/* Normal with mean 0 and variance 1 (ziggurat): low 8 bits the layer, bit 8 the sign, the
 * high 23 bits the position. */
static inline double rng_normal1(struct rng *r)
{
	uint32_t k = rng_taus_next(r->st);
	const struct rng_zig_layer *l = &rng_zig_norm_layer[k & (RNG_ZIG_N - 1)];
	double x = (double)((k >> 8) | 1u) * l->w; /* (k >> 8) | 1 = 2 (k >> 9) + 1 */

	if (__builtin_expect(x < l->x, 1))
		return rng_zig_signed_(k, x);
	return rng_zig_norm_slow_(r, k, x);
}

/* exp(N(mu, sigma^2)): exp(mu + sigma z), z by the normal ziggurat; the same draw as
 * rng_lognormal_mean_cv with rng_lognormal_params. */
static inline double rng_lognormal(struct rng *r, double mu, double sigma)
{
	return exp(sigma * rng_normal1(r) + mu);
}
/* Lognormal with the given mean and coefficient of variation (sd/mean). */
double rng_lognormal_mean_cv(struct rng *r, double mean, double cv);
/* The log-space parameters of a lognormal with this mean and coefficient of variation:
 * sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2. */
void rng_lognormal_params(double mean, double cv, double *mu, double *sigma);
/* Gamma with the given mean and coefficient of variation. */
double rng_gamma_mean_cv(struct rng *r, double mean, double cv);
/* Uniform integer in [0, n). */
unsigned long rng_below(struct rng *r, unsigned long n);

#endif
