/* stats.c — tallies and the log-bucket quantile sketch (stats.h). */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "engine/xalloc.h"

void tally_init(struct tally *t)
{
	t->n = 0;
	t->mean = t->m2 = 0;
	t->min = INFINITY;
	t->max = -INFINITY;
}

void tally_add(struct tally *t, double x)
{
	double d = x - t->mean;

	t->n++;
	t->mean += d / (double)t->n;
	t->m2 += d * (x - t->mean);
	if (x < t->min)
		t->min = x;
	if (x > t->max)
		t->max = x;
}

void tally_merge(struct tally *a, const struct tally *b)
{
	double n, d;

	if (!b->n)
		return;
	if (!a->n) {
		*a = *b;
		return;
	}
	n = (double)(a->n + b->n);
	d = b->mean - a->mean;
	a->m2 += b->m2 + d * d * (double)a->n * (double)b->n / n;
	a->mean += d * (double)b->n / n;
	a->n += b->n;
	if (b->min < a->min)
		a->min = b->min;
	if (b->max > a->max)
		a->max = b->max;
}

double tally_var(const struct tally *t) { return t->n > 1 ? t->m2 / (double)(t->n - 1) : 0.0; }
double tally_sd(const struct tally *t) { return sqrt(tally_var(t)); }

void wtally_init(struct wtally *w, double t0_s, double value)
{
	w->t0 = w->t_last = t0_s;
	w->value = value;
	w->area = 0;
	w->min = w->max = value;
}

void wtally_set(struct wtally *w, double t_s, double value)
{
	w->area += w->value * (t_s - w->t_last);
	w->t_last = t_s;
	w->value = value;
	if (value < w->min)
		w->min = value;
	if (value > w->max)
		w->max = value;
}

double wtally_mean(const struct wtally *w, double t_s)
{
	double span = t_s - w->t0;
	return span > 0 ? (w->area + w->value * (t_s - w->t_last)) / span : w->value;
}

void wtally_reset(struct wtally *w, double t_s) { wtally_init(w, t_s, w->value); }

/* log(gamma) with gamma = (1 + a) / (1 - a) */
#define LOG_GAMMA 0.0100000833345832 /* log(1.005 / 0.995) */

void qsketch_init(struct qsketch *q)
{
	memset(q, 0, sizeof *q);
	q->count = xcalloc(QSKETCH_NB, sizeof *q->count);
	qsketch_reset(q);
}

void qsketch_fini(struct qsketch *q)
{
	free(q->count);
	q->count = NULL;
}

void qsketch_reset(struct qsketch *q)
{
	if (q->lo <= q->hi)
		memset(q->count + q->lo, 0, (q->hi - q->lo + 1) * sizeof *q->count);
	q->n = q->under = q->over = 0;
	q->min = INFINITY;
	q->max = -INFINITY;
	q->lo = QSKETCH_NB;
	q->hi = 0;
}

static inline uint32_t bucket_of(double x)
{
	/* bucket i holds (gamma^(i-1), gamma^i] relative to QSKETCH_MIN; bucket 0 unused */
	double i = ceil(log(x / QSKETCH_MIN) / LOG_GAMMA);
	return i < 1 ? 1 : (uint32_t)i;
}

void qsketch_add(struct qsketch *q, double x)
{
	q->n++;
	if (x < q->min)
		q->min = x;
	if (x > q->max)
		q->max = x;
	if (!(x >= QSKETCH_MIN)) {
		q->under++;
		return;
	}
	if (x > QSKETCH_MAX) {
		q->over++;
		return;
	}
	uint32_t b = bucket_of(x);
	if (b >= QSKETCH_NB)
		b = QSKETCH_NB - 1;
	q->count[b]++;
	if (b < q->lo)
		q->lo = b;
	if (b > q->hi)
		q->hi = b;
}

void qsketch_merge(struct qsketch *a, const struct qsketch *b)
{
	if (!b->n)
		return;
	for (uint32_t i = b->lo; i <= b->hi && i < QSKETCH_NB; i++)
		a->count[i] += b->count[i];
	if (b->lo < a->lo)
		a->lo = b->lo;
	if (b->hi > a->hi)
		a->hi = b->hi;
	a->n += b->n;
	a->under += b->under;
	a->over += b->over;
	if (b->min < a->min)
		a->min = b->min;
	if (b->max > a->max)
		a->max = b->max;
}

static double bucket_value(uint32_t i)
{
	/* midpoint in the relative sense: 2 gamma^i / (gamma + 1), scaled by QSKETCH_MIN */
	return QSKETCH_MIN * exp(LOG_GAMMA * i) * (1.0 - QSKETCH_ALPHA);
}

double qsketch_quantile(const struct qsketch *q, double p)
{
	uint64_t rank, seen;
	double v;

	if (!q->n)
		return NAN;
	if (p <= 0)
		return q->min;
	if (p >= 1)
		return q->max;
	/* rank of the p-quantile among n sorted values (0-based, lower) */
	rank = (uint64_t)floor(p * (double)(q->n - 1));
	seen = q->under;
	if (rank < seen)
		return q->min;
	for (uint32_t i = q->lo; i <= q->hi && i < QSKETCH_NB; i++) {
		seen += q->count[i];
		if (rank < seen) {
			v = bucket_value(i);
			/* the exact min and max are known: never report outside them */
			return v < q->min ? q->min : v > q->max ? q->max : v;
		}
	}
	return q->max;
}

double qsketch_cdf(const struct qsketch *q, double x)
{
	uint64_t below;

	if (!q->n)
		return NAN;
	if (x < q->min)
		return 0;
	if (x >= q->max)
		return 1;
	below = q->under;
	if (x >= QSKETCH_MIN) {
		uint32_t b = x > QSKETCH_MAX ? QSKETCH_NB : bucket_of(x);
		for (uint32_t i = q->lo; i <= q->hi && i < b && i < QSKETCH_NB; i++)
			below += q->count[i];
		if (b < QSKETCH_NB && bucket_value(b) <= x)
			below += q->count[b];
	}
	return (double)below / (double)q->n;
}

double stats_t95_halfwidth(double sd, uint64_t n)
{
	if (n < 2)
		return 0.0;
	return gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sd / sqrt((double)n);
}
