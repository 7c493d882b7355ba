/* workload.c — sampling of size distributions (workload.h). */
#include "workload.h"

#include "dc/arrival.h"

#include <math.h>

void dist_prepare(struct dist_cfg *d)
{
	if (d->kind != DIST_LOGNORMAL)
		return;
	rng_lognormal_params(d->mean, d->cv, &d->ln_mu, &d->ln_sigma);
	d->ln_mean = d->mean;
	d->ln_cv = d->cv;
}

double dist_sample_any(const struct dist_cfg *d, struct rng *r)
{
	switch (d->kind) {
	case DIST_DETERMINISTIC:
		return d->mean;
	case DIST_EXPONENTIAL:
		return rng_exponential(r, d->mean);
	case DIST_LOGNORMAL:
		if (dist_prepared(d))
			return rng_lognormal(r, d->ln_mu, d->ln_sigma);
		return rng_lognormal_mean_cv(r, d->mean, d->cv);
	case DIST_GAMMA:
		return rng_gamma_mean_cv(r, d->mean, d->cv);
	case DIST_EMPIRICAL:
		return d->values[rng_below(r, (unsigned long)d->n_values)];
	}
	return d->mean;
}

double dist_mean(const struct dist_cfg *d)
{
	double s = 0;

	if (d->kind != DIST_EMPIRICAL)
		return d->mean;
	for (size_t i = 0; i < d->n_values; i++)
		s += d->values[i];
	return d->n_values ? s / (double)d->n_values : 0;
}

double dist_second_moment(const struct dist_cfg *d)
{
	double s = 0, m = dist_mean(d);

	switch (d->kind) {
	case DIST_DETERMINISTIC:
		return m * m;
	case DIST_EXPONENTIAL:
		return 2 * m * m;
	case DIST_LOGNORMAL:
	case DIST_GAMMA:
		return m * m * (1 + d->cv * d->cv);
	case DIST_EMPIRICAL:
		for (size_t i = 0; i < d->n_values; i++)
			s += d->values[i] * d->values[i];
		return d->n_values ? s / (double)d->n_values : 0;
	}
	return m * m;
}

double class_mean_rate(const struct class_cfg *c)
{
	const struct arrival_cfg *a = &c->arrival;

	if (a->kind == ARRIVAL_POISSON)
		return a->rate_per_s;
	if (a->kind == ARRIVAL_DIURNAL || a->kind == ARRIVAL_MMPP)
		return arrival_mean_rate(a);
	if (!a->trace || a->trace->n < 2 || a->trace->span_s <= 0)
		return 0;
	return (double)(a->trace->n - 1) / (a->trace->span_s * a->time_scale);
}
