/* rng.h — random-number streams on GSL, one per stochastic source and purpose.
 *
 * A stream is seeded from (scenario seed, replication, stream id) by a 64-bit finalizer mix
 * (MurmurHash3 fmix64, as Cimba's cmb_random_fmix64 does), so streams are independent of the
 * order they are created in, and replication r of two policies sees the same arrivals (common
 * random numbers) as long as each source keeps its stream id. Stream ids are stable numbers
 * chosen by the models (see RNG_STREAM_* in the datacenter). The generator is GSL's taus2
 * (L'Ecuyer 1996, period 2^88): small state and among GSL's fastest of good quality.
 */
#ifndef MAASIM_RNG_H
#define MAASIM_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

struct rng {
	gsl_rng *g;
};

uint64_t rng_mix64(uint64_t x);
/* The seed of stream id in replication rep of a scenario seeded with seed. */
uint64_t rng_stream_seed(uint64_t seed, uint64_t rep, uint64_t stream_id);

void rng_init(struct rng *r, uint64_t seed, uint64_t rep, uint64_t stream_id);
void rng_fini(struct rng *r);

/* Uniform on (0, 1), never 0 or 1. */
double rng_uniform_pos(struct rng *r);
/* Exponential with the given mean. */
double rng_exponential(struct rng *r, double mean);
/* Lognormal with the given mean and coefficient of variation (sd/mean). */
double rng_lognormal_mean_cv(struct rng *r, double mean, double cv);
/* Gamma with the given mean and coefficient of variation. */
double rng_gamma_mean_cv(struct rng *r, double mean, double cv);
/* Normal(0, 1). */
double rng_gaussian(struct rng *r);
/* Uniform integer in [0, n). */
unsigned long rng_below(struct rng *r, unsigned long n);

#endif
