/* rng.c — seeded GSL streams and the few distributions the models use (rng.h). */
#include "rng.h"

#include <math.h>

#include <gsl/gsl_randist.h>

#include "engine/xalloc.h"

uint64_t rng_mix64(uint64_t x)
{
	/* MurmurHash3 fmix64 (Appleby, public domain): full avalanche of 64 bits */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

uint64_t rng_stream_seed(uint64_t seed, uint64_t rep, uint64_t stream_id)
{
	return rng_mix64(rng_mix64(rng_mix64(seed) ^ (rep + 0x9e3779b97f4a7c15ULL)) ^
			 (stream_id * 0xbf58476d1ce4e5b9ULL + 1));
}

void rng_init(struct rng *r, uint64_t seed, uint64_t rep, uint64_t stream_id)
{
	uint64_t s = rng_stream_seed(seed, rep, stream_id);

	r->g = gsl_rng_alloc(gsl_rng_taus2);
	if (!r->g)
		xmalloc((size_t)-1); /* GSL failed to allocate: report as out of memory */
	/* taus2 takes an unsigned long seed; fold the 64-bit seed, avoiding 0 (GSL maps 0 to
	 * its default seed, which would make distinct streams collide) */
	s ^= s >> 32;
	gsl_rng_set(r->g, (unsigned long)(s ? s : 1));
}

void rng_fini(struct rng *r)
{
	gsl_rng_free(r->g);
	r->g = NULL;
}

double rng_uniform_pos(struct rng *r) { return gsl_rng_uniform_pos(r->g); }

double rng_exponential(struct rng *r, double mean) { return -mean * log(gsl_rng_uniform_pos(r->g)); }

double rng_lognormal_mean_cv(struct rng *r, double mean, double cv)
{
	double s2 = log1p(cv * cv);
	return gsl_ran_lognormal(r->g, log(mean) - 0.5 * s2, sqrt(s2));
}

double rng_gamma_mean_cv(struct rng *r, double mean, double cv)
{
	double k = 1.0 / (cv * cv);
	return gsl_ran_gamma(r->g, k, mean / k);
}

double rng_gaussian(struct rng *r) { return gsl_ran_gaussian_ziggurat(r->g, 1.0); }

unsigned long rng_below(struct rng *r, unsigned long n) { return gsl_rng_uniform_int(r->g, n); }
