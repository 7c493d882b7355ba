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
 * exponential) are inlined here on the state, while GSL's distributions (gamma, lognormal)
 * call the same generator through its function pointers and share the stream.
 */
#ifndef MAASIM_RNG_H
#define MAASIM_RNG_H

#include <math.h>
#include <stdint.h>

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

/* Exponential with the given mean, by inversion: -mean log(u). */
static inline double rng_exponential(struct rng *r, double mean)
{
	return -mean * log(rng_uniform_pos(r));
}
/* Lognormal with the given mean and coefficient of variation (sd/mean). */
double rng_lognormal_mean_cv(struct rng *r, double mean, double cv);
/* The log-space parameters of a lognormal with this mean and coefficient of variation:
 * sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2. */
void rng_lognormal_params(double mean, double cv, double *mu, double *sigma);
/* exp(N(mu, sigma^2)): the same draw as rng_lognormal_mean_cv with rng_lognormal_params. */
double rng_lognormal(struct rng *r, double mu, double sigma);
/* Gamma with the given mean and coefficient of variation. */
double rng_gamma_mean_cv(struct rng *r, double mean, double cv);
/* Normal(0, 1). */
double rng_gaussian(struct rng *r);
/* Uniform integer in [0, n). */
unsigned long rng_below(struct rng *r, unsigned long n);

#endif
