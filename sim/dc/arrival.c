/* arrival.c — diurnal (thinning) and MMPP arrival processes (arrival.h). */
#include "dc/arrival.h"

#include <math.h>

static double shape_mean(const struct arrival_cfg *a)
{
	double s = 0;
	for (size_t i = 0; i < a->n_shape; i++)
		s += a->shape[i];
	return s / (double)a->n_shape;
}

static double shape_max(const struct arrival_cfg *a)
{
	double m = 0;
	for (size_t i = 0; i < a->n_shape; i++)
		if (a->shape[i] > m)
			m = a->shape[i];
	return m;
}

double arrival_diurnal_rate(const struct arrival_cfg *a, double t_s)
{
	double k = floor(t_s / a->shape_step_s + a->shape_offset_steps);
	double n = (double)a->n_shape;
	size_t i = (size_t)(k - n * floor(k / n));
	if (i >= a->n_shape)
		i = a->n_shape - 1;
	return a->rate_per_s * a->shape[i] / shape_mean(a);
}

static double next_diurnal(const struct arrival_cfg *a, struct rng *r, double now)
{
	double mean = shape_mean(a), peak = a->rate_per_s * shape_max(a) / mean;
	double t = now;
	if (!(peak > 0))
		return INFINITY;
	for (;;) {
		t += rng_exponential(r, 1.0 / peak);
		if (rng_uniform_pos(r) * peak <= arrival_diurnal_rate(a, t))
			return t;
	}
}

static int mmpp_pick_other(size_t n, int cur, struct rng *r)
{
	int j = (int)rng_below(r, (unsigned long)(n - 1));
	return j >= cur ? j + 1 : j;
}

static double next_mmpp(const struct arrival_cfg *a, struct arrival_state *st, struct rng *r,
			double now)
{
	double t = now, any = 0;
	for (size_t i = 0; i < a->mmpp_n; i++)
		any += a->mmpp_rates_per_s[i];
	if (!(any > 0))
		return INFINITY;
	if (!st->started) {
		double tot = 0, u;
		for (size_t i = 0; i < a->mmpp_n; i++)
			tot += a->mmpp_sojourn_s[i];
		u = rng_uniform_pos(r) * tot;
		st->state = 0;
		while ((size_t)st->state + 1 < a->mmpp_n && u > a->mmpp_sojourn_s[st->state]) {
			u -= a->mmpp_sojourn_s[st->state];
			st->state++;
		}
		st->t_switch_s = now + rng_exponential(r, a->mmpp_sojourn_s[st->state]);
		st->started = 1;
	}
	for (;;) {
		double rate = a->mmpp_rates_per_s[st->state];
		double cand = rate > 0 ? t + rng_exponential(r, 1.0 / rate) : INFINITY;
		if (cand < st->t_switch_s)
			return cand;
		t = st->t_switch_s;
		st->state = mmpp_pick_other(a->mmpp_n, st->state, r);
		st->t_switch_s = t + rng_exponential(r, a->mmpp_sojourn_s[st->state]);
	}
}

double arrival_next(const struct arrival_cfg *a, struct arrival_state *st, struct rng *r,
		    double now_s)
{
	if (a->kind == ARRIVAL_DIURNAL)
		return next_diurnal(a, r, now_s);
	if (a->kind == ARRIVAL_MMPP)
		return next_mmpp(a, st, r, now_s);
	return INFINITY;
}

double arrival_mean_rate(const struct arrival_cfg *a)
{
	if (a->kind == ARRIVAL_DIURNAL)
		return a->rate_per_s;
	if (a->kind == ARRIVAL_MMPP) {
		double num = 0, den = 0;
		for (size_t i = 0; i < a->mmpp_n; i++) {
			num += a->mmpp_sojourn_s[i] * a->mmpp_rates_per_s[i];
			den += a->mmpp_sojourn_s[i];
		}
		return den > 0 ? num / den : 0;
	}
	return 0;
}
