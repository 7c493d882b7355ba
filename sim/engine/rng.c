/* rng.c — seeded taus2 streams, maasim's GSL generator type, and the few distributions the
 * models use (rng.h). */
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

/* ---- taus2 as a GSL generator type ----
 * Seeding as GSL's taus2 (L'Ecuyer 1999 erratum: components seeded by the LCG x -> 69069 x mod
 * 2^32, raised above their minimum, then six outputs discarded), checked against GSL itself. */
static void taus_set(void *vstate, unsigned long seed)
{
	struct rng_taus *t = vstate;
	uint32_t s = (uint32_t)(seed ? seed : 1); /* 0 is GSL's default seed 1; then mod 2^32 */

	t->s1 = 69069u * s;
	if (t->s1 < 2)
		t->s1 += 2;
	t->s2 = 69069u * t->s1;
	if (t->s2 < 8)
		t->s2 += 8;
	t->s3 = 69069u * t->s2;
	if (t->s3 < 16)
		t->s3 += 16;
	for (int i = 0; i < 6; i++)
		rng_taus_next(t);
}

static unsigned long taus_get(void *vstate) { return rng_taus_next(vstate); }

static double taus_get_double(void *vstate) { return rng_taus_next(vstate) / 4294967296.0; }

static const gsl_rng_type maasim_taus2 = {
	"maasim-taus2", 0xffffffffUL, 0, sizeof(struct rng_taus), taus_set, taus_get, taus_get_double,
};

void rng_init(struct rng *r, uint64_t seed, uint64_t rep, uint64_t stream_id)
{
	uint64_t s = rng_stream_seed(seed, rep, stream_id);

	r->g = gsl_rng_alloc(&maasim_taus2);
	if (!r->g)
		xalloc_oom(sizeof(gsl_rng)); /* GSL failed to allocate: report as out of memory */
	/* taus2 takes an unsigned long seed; fold the 64-bit seed, avoiding 0 (GSL maps 0 to
	 * its default seed, which would make distinct streams collide) */
	s ^= s >> 32;
	r->st = r->g->state;
	gsl_rng_set(r->g, (unsigned long)(s ? s : 1));
}

void rng_fini(struct rng *r)
{
	gsl_rng_free(r->g);
	r->g = NULL;
	r->st = NULL;
}


void rng_lognormal_params(double mean, double cv, double *mu, double *sigma)
{
	double s2 = log1p(cv * cv);
	*mu = log(mean) - 0.5 * s2;
	*sigma = sqrt(s2);
}

/* GSL's gsl_ran_lognormal draw for draw (tests/unit/test_rng.c compares them bit for bit):
 * Marsaglia's polar method on two uniforms in [0, 1) (gsl_rng_uniform: k / 2^32, 0 included),
 * the first coordinate's normal, then exp(sigma normal + mu); the same operations in the same
 * order, on the inline state instead of two calls a uniform through GSL's type. */
double rng_lognormal(struct rng *r, double mu, double sigma)
{
	double u, v, r2;

	do {
		u = -1 + 2 * (rng_taus_next(r->st) * (1.0 / 4294967296.0));
		v = -1 + 2 * (rng_taus_next(r->st) * (1.0 / 4294967296.0));
		r2 = u * u + v * v;
	} while (r2 > 1.0 || r2 == 0);
	return exp(sigma * (u * sqrt(-2.0 * log(r2) / r2)) + mu);
}

double rng_lognormal_mean_cv(struct rng *r, double mean, double cv)
{
	double mu, sigma;

	rng_lognormal_params(mean, cv, &mu, &sigma);
	return rng_lognormal(r, mu, sigma);
}

double rng_gamma_mean_cv(struct rng *r, double mean, double cv)
{
	double k = 1.0 / (cv * cv);
	return gsl_ran_gamma(r->g, k, mean / k);
}

double rng_gaussian(struct rng *r) { return gsl_ran_gaussian_ziggurat(r->g, 1.0); }

unsigned long rng_below(struct rng *r, unsigned long n) { return gsl_rng_uniform_int(r->g, n); }
