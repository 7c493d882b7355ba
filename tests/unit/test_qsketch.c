/* test_qsketch.c — the quantile sketch's log-free bucket index keeps the 0.5% relative bound:
 * every value in [QSKETCH_MIN, QSKETCH_MAX] (powers of two, their neighbours, random values)
 * is reported within alpha; quantiles of random samples match the exact order statistics
 * within alpha; the bucket range fits QSKETCH_NB; merge equals one sketch of both samples. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "tests/check.h"
#include "engine/stats.h"

/* The value the sketch reports for x: x sits between a tiny and a huge value, so the median is
 * x's bucket value, not clamped to the observed min or max. */
static double reported(struct qsketch *q, double x)
{
	qsketch_reset(q);
	qsketch_add(q, QSKETCH_MIN);
	qsketch_add(q, x);
	qsketch_add(q, QSKETCH_MAX);
	return qsketch_quantile(q, 0.5);
}

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return *x >> 11;
}

static double unif(uint64_t *x) { return ((double)lcg(x) + 0.5) / 9007199254740992.0; }

static void test_relative_bound_everywhere(void)
{
	struct qsketch q;
	uint64_t x = 12345;
	double worst = 0, bound = QSKETCH_ALPHA * (1 + 1e-9);
	int bad = 0;

	qsketch_init(&q);
	/* powers of two (where the linear log is exact and buckets are widest) and neighbours */
	for (int e = -23; e <= 23; e++) {
		double p = ldexp(1.0, e);
		double v[] = { p, nextafter(p, 0), nextafter(p, 1e300), p * 1.0001, p * 0.9999, p * 1.5 };
		for (size_t k = 0; k < sizeof v / sizeof *v; k++) {
			double r;
			if (v[k] < QSKETCH_MIN || v[k] > QSKETCH_MAX)
				continue;
			r = fabs(reported(&q, v[k]) - v[k]) / v[k];
			worst = r > worst ? r : worst;
			bad += !(r <= bound);
		}
	}
	/* log-uniform random values over the whole range */
	for (int i = 0; i < 200000; i++) {
		double v = QSKETCH_MIN * pow(QSKETCH_MAX / QSKETCH_MIN, unif(&x));
		double r = fabs(reported(&q, v) - v) / v;
		worst = r > worst ? r : worst;
		bad += !(r <= bound);
	}
	CHECK_INT(bad, 0);
	CHECK(worst <= bound);
	/* the bound is nearly attained: the buckets are not needlessly narrow */
	CHECK(worst > 0.8 * QSKETCH_ALPHA);
	/* the ends of the range are inside the bucket array: MIN in bucket 1, MAX in NB - 2 */
	CHECK_INT(qsketch_bucket_(QSKETCH_MAX), QSKETCH_NB - 2);
	CHECK_INT(qsketch_bucket_(QSKETCH_MIN), 1);
	qsketch_reset(&q);
	qsketch_add(&q, QSKETCH_MAX);
	CHECK_INT(q.count[QSKETCH_NB - 2], 1);
	qsketch_reset(&q);
	qsketch_add(&q, QSKETCH_MIN);
	CHECK_INT(q.count[1], 1);
	qsketch_fini(&q);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void test_quantiles_vs_exact(void)
{
	enum { N = 100000 };
	double *v = malloc(N * sizeof *v);
	static const double ps[] = { 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999 };
	struct qsketch q, a, b;
	uint64_t x = 777;

	qsketch_init(&q);
	qsketch_init(&a);
	qsketch_init(&b);
	for (int i = 0; i < N; i++) {
		/* lognormal-ish latencies: exp of a sum of uniforms, spanning decades */
		v[i] = 0.05 * exp(4 * (unif(&x) + unif(&x) + unif(&x) - 1.5));
		qsketch_add(&q, v[i]);
		qsketch_add(i % 3 ? &a : &b, v[i]);
	}
	qsort(v, N, sizeof *v, cmp_double);
	qsketch_merge(&a, &b);
	for (size_t k = 0; k < sizeof ps / sizeof *ps; k++) {
		double exact = v[(size_t)floor(ps[k] * (N - 1))];
		CHECK_NEAR(qsketch_quantile(&q, ps[k]), exact, QSKETCH_ALPHA * (1 + 1e-9), 0);
		CHECK(qsketch_quantile(&a, ps[k]) == qsketch_quantile(&q, ps[k]));
		/* cdf at the exact quantile is within a bucket's count of p */
		CHECK_NEAR(qsketch_cdf(&q, exact), ps[k], 0, 0.01);
	}
	CHECK(qsketch_quantile(&q, 0) == v[0]);
	CHECK(qsketch_quantile(&q, 1) == v[N - 1]);
	CHECK_INT(qsketch_n(&a), N);
	qsketch_fini(&q);
	qsketch_fini(&a);
	qsketch_fini(&b);
	free(v);
}

static void test_out_of_range(void)
{
	struct qsketch q;

	qsketch_init(&q);
	CHECK(isnan(qsketch_quantile(&q, 0.5)));
	qsketch_add(&q, 0.0);
	qsketch_add(&q, 1e-9);
	qsketch_add(&q, 1e9);
	qsketch_add(&q, 2e9);
	CHECK_INT(q.under, 2);
	CHECK_INT(q.over, 2);
	CHECK(qsketch_quantile(&q, 0.4) == 0.0);  /* underflow reports the observed min */
	CHECK(qsketch_quantile(&q, 0.99) == 2e9); /* overflow reports the observed max */
	qsketch_fini(&q);
}

int main(void)
{
	RUN(test_relative_bound_everywhere);
	RUN(test_quantiles_vs_exact);
	RUN(test_out_of_range);
	return CHECK_DONE();
}
