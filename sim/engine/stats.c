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
}

void mtally_init(struct mtally *m)
{
	m->blocks = 0;
	m->left = MTALLY_BLOCK;
	m->block = m->total = 0;
}

void mtally_merge(struct mtally *a, const struct mtally *b)
{
	uint64_t n = mtally_n(a) + mtally_n(b);

	/* the count as if every value had been added to a: its block boundaries too */
	a->blocks = n / MTALLY_BLOCK;
	a->left = MTALLY_BLOCK - n % MTALLY_BLOCK;
	a->total += b->total;
	a->block += b->block;
}

double tally_var(const struct tally *t) { return t->n > 1 ? t->m2 / (double)(t->n - 1) : 0.0; }
double tally_sd(const struct tally *t) { return sqrt(tally_var(t)); }

void wtally_init(struct wtally *w, double t0_s, double value)
{
	w->t0 = w->t_last = t0_s;
	w->value = value;
	w->area = 0;
}

double wtally_mean(const struct wtally *w, double t_s)
{
	double span = t_s - w->t0;
	return span > 0 ? (w->area + w->value * (t_s - w->t_last)) / span : w->value;
}

void wtally_reset(struct wtally *w, double t_s) { wtally_init(w, t_s, w->value); }

/* its inverse */
static inline double lin_exp2(double l)
{
	double e = floor(l);
	return ldexp(1.0 + (l - e), (int)e);
}

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
	memset(q->count, 0, QSKETCH_NB * sizeof *q->count);
	q->under = q->over = 0;
	q->min = INFINITY;
	q->max = -INFINITY;
}

void qsketch_merge(struct qsketch *a, const struct qsketch *b)
{
	/* an empty b adds nothing: zero counts, and its min +inf and max -inf move nothing */
	for (uint32_t i = 0; i < QSKETCH_NB; i++)
		a->count[i] += b->count[i];
	a->under += b->under;
	a->over += b->over;
	if (b->min < a->min)
		a->min = b->min;
	if (b->max > a->max)
		a->max = b->max;
}

/* The value reported for bucket i: the harmonic midpoint of its bounds, within alpha of both. */
static double bucket_value(uint32_t i)
{
	double j = (double)i + qsketch_offset_();
	double lo = lin_exp2((j - 1) / QSKETCH_MULT), hi = lin_exp2(j / QSKETCH_MULT);
	return 2 * lo * hi / (lo + hi);
}

uint64_t qsketch_n(const struct qsketch *q)
{
	uint64_t n = q->under + q->over;

	for (uint32_t i = 0; i < QSKETCH_NB; i++)
		n += q->count[i];
	return n;
}

double qsketch_quantile(const struct qsketch *q, double p)
{
	uint64_t rank, seen, n = qsketch_n(q);
	double v;

	if (!n)
		return NAN;
	if (p <= 0)
		return q->min;
	if (p >= 1)
		return q->max;
	/* rank of the p-quantile among n sorted values (0-based, lower) */
	rank = (uint64_t)floor(p * (double)(n - 1));
	seen = q->under;
	if (rank < seen)
		return q->min;
	for (uint32_t i = 0; i < QSKETCH_NB; i++) {
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
	uint64_t below, n = qsketch_n(q);

	if (!n)
		return NAN;
	if (x < q->min)
		return 0;
	if (x >= q->max)
		return 1;
	below = q->under;
	if (x >= QSKETCH_MIN) {
		uint32_t b = x > QSKETCH_MAX ? QSKETCH_NB : qsketch_bucket_(x);
		for (uint32_t i = 0; i < b && i < QSKETCH_NB; i++)
			below += q->count[i];
		if (b < QSKETCH_NB && bucket_value(b) <= x)
			below += q->count[b];
	}
	return (double)below / (double)n;
}

double stats_t95_quantile(uint64_t n)
{
	return n < 2 ? 0.0 : gsl_cdf_tdist_Pinv(0.975, (double)(n - 1));
}

double stats_t95_halfwidth(double sd, uint64_t n)
{
	if (n < 2)
		return 0.0;
	return stats_t95_quantile(n) * sd / sqrt((double)n);
}
