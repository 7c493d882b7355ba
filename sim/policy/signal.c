/* signal.c — signal providers: constants and step-hold series (signal.h). */
#include "signal.h"

#include <math.h>

static double const_at(const void *ctx, double t_s)
{
	(void)t_s;
	return *(const double *)ctx;
}

struct signal signal_const(const double *v)
{
	return (struct signal){ const_at, v, 0, 0 };
}

double signal_series_at(const struct signal_series *s, double t_s)
{
	double k;
	long long i, n = (long long)s->n;

	if (!s->n)
		return NAN;
	k = floor((t_s - s->t0_s) / s->step_s);
	i = (long long)fmod(k, (double)n);
	if (i < 0)
		i += n;
	return s->v[i];
}

static double series_at(const void *ctx, double t_s)
{
	return signal_series_at(ctx, t_s);
}

struct signal signal_from_series(const struct signal_series *s)
{
	return (struct signal){ series_at, s, s->step_s, s->t0_s };
}

double signal_mean(const struct signal *s, double t0_s, double t1_s)
{
	double sum = 0, t, step = s->step_s;

	if (!(t1_s > t0_s))
		return signal_at(s, t0_s);
	if (step <= 0) {
		for (int i = 0; i < 16; i++)
			sum += signal_at(s, t0_s + (t1_s - t0_s) * (i + 0.5) / 16);
		return sum / 16;
	}
	for (t = t0_s; t < t1_s;) {
		double next = s->phase_s + (floor((t - s->phase_s) / step + 1e-9) + 1) * step;
		if (next > t1_s)
			next = t1_s;
		sum += signal_at(s, t) * (next - t);
		t = next;
	}
	return sum / (t1_s - t0_s);
}

struct signal signal_from_src(const struct signal_src *src)
{
	switch (src->kind) {
	case SIGNAL_SRC_CONST:
		return signal_const(&src->value);
	case SIGNAL_SRC_SERIES:
		return signal_from_series(&src->series);
	case SIGNAL_SRC_NONE:
		break;
	}
	return (struct signal){ 0 };
}
