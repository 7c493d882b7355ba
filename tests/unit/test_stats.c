/* test_stats.c — tallies, time-weighted tallies, the quantile sketch and its error bound. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../check.h"
#include "engine/rng.h"
#include "engine/stats.h"

static void test_tally_merge(void)
{
	struct tally a, b, all;
	double xs[] = { 1, 4, 9, 16, 25, 2.5, -3 };

	tally_init(&a), tally_init(&b), tally_init(&all);
	for (int i = 0; i < 7; i++) {
		tally_add(i < 3 ? &a : &b, xs[i]);
		tally_add(&all, xs[i]);
	}
	tally_merge(&a, &b);
	CHECK_INT(a.n, 7);
	CHECK_NEAR(a.mean, all.mean, 1e-12, 0);
	CHECK_NEAR(tally_var(&a), tally_var(&all), 1e-12, 0);
	/* sample variance of 1,2,3,4: 5/3 */
	tally_init(&a);
	for (int i = 1; i <= 4; i++)
		tally_add(&a, i);
	CHECK_NEAR(tally_var(&a), 5.0 / 3.0, 1e-14, 0);
}

/* The running mean finished at report time: exact on small integers, merged as one, and close
 * to the exact mean (long double accumulation) over many values of one sign, across many
 * blocks; Welford's running mean of the same values agrees with it to rounding. */
static void test_mtally(void)
{
	struct mtally a, b, all;
	struct tally w;
	struct rng r;
	long double exact = 0;
	const int n = 3000000;

	mtally_init(&a), mtally_init(&b), mtally_init(&all);
	CHECK(mtally_mean(&a) == 0);
	for (int i = 1; i <= 3000; i++) { /* crosses two block boundaries in a, one in b */
		mtally_add(i % 3 ? &a : &b, i);
		mtally_add(&all, i);
	}
	CHECK(mtally_mean(&all) == 1500.5); /* sums of integers are exact */
	mtally_merge(&a, &b);
	CHECK_INT(mtally_n(&a), 3000);
	CHECK(mtally_mean(&a) == 1500.5);
	/* the merged count keeps the block boundaries of one tally: 72 more values close the
	 * third block (3,072 values) */
	CHECK_INT(a.blocks, 2);
	for (int i = 3001; i <= 3072; i++)
		mtally_add(&a, i);
	CHECK_INT(a.blocks, 3);
	CHECK_INT(a.left, MTALLY_BLOCK);
	CHECK(a.block == 0);
	CHECK(mtally_mean(&a) == 1536.5);
	mtally_init(&a);
	tally_init(&w);
	rng_init(&r, 5, 0, 0);
	for (int i = 0; i < n; i++) {
		double x = rng_exponential(&r, 10.0) + 0.1 * (i % 7); /* waits and latencies: >= 0 */
		mtally_add(&a, x);
		tally_add(&w, x);
		exact += x;
	}
	rng_fini(&r);
	exact /= n;
	CHECK_NEAR(mtally_mean(&a), (double)exact, 1e-14, 0);
	CHECK_NEAR(w.mean, (double)exact, 1e-12, 0);
	printf("  3e6 values: blocked sum %.3g, Welford %.3g relative from the exact mean\n",
	       fabs(mtally_mean(&a) - (double)exact) / (double)exact,
	       fabs(w.mean - (double)exact) / (double)exact);
}

static void test_wtally(void)
{
	struct wtally w;

	wtally_init(&w, 0, 2);       /* 2 on [0,1) */
	wtally_set(&w, 1, 4);        /* 4 on [1,3) */
	wtally_set(&w, 3, 0);        /* 0 on [3,4] */
	CHECK_NEAR(wtally_mean(&w, 4), (2 + 8) / 4.0, 1e-14, 0);
	wtally_reset(&w, 4);
	CHECK_NEAR(wtally_mean(&w, 6), 0, 0, 0);
}

static int cmp_double(const void *a, const void *b)
{
	double u = *(const double *)a, v = *(const double *)b;
	return u < v ? -1 : u > v;
}

/* Every quantile of a sample spread over 1 us .. 1 day is within 1% of the exact order
 * statistic (the sketch's bound is 0.5%). */
static void test_qsketch_bound(void)
{
	struct qsketch q;
	struct rng r;
	enum { N = 100000 };
	double *x = malloc(N * sizeof *x), worst = 0;
	double ps[] = { 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999 };

	qsketch_init(&q);
	rng_init(&r, 11, 0, 0);
	for (int i = 0; i < N; i++) {
		/* log-uniform over [1e-6, 86400] s */
		x[i] = 1e-6 * exp(rng_uniform_pos(&r) * log(86400 / 1e-6));
		qsketch_add(&q, x[i]);
	}
	qsort(x, N, sizeof *x, cmp_double);
	for (size_t k = 0; k < sizeof ps / sizeof *ps; k++) {
		double exact = x[(size_t)floor(ps[k] * (N - 1))], est = qsketch_quantile(&q, ps[k]);
		double rel = fabs(est - exact) / exact;
		if (rel > worst)
			worst = rel;
	}
	CHECK(worst <= 0.01);
	CHECK(worst <= QSKETCH_ALPHA * 1.0001);
	CHECK_NEAR(qsketch_quantile(&q, 0), x[0], 0, 0);
	CHECK_NEAR(qsketch_quantile(&q, 1), x[N - 1], 0, 0);
	CHECK_NEAR(qsketch_cdf(&q, x[N / 2]), 0.5, 0.01, 0.001);
	rng_fini(&r);
	qsketch_fini(&q);
	free(x);
}

/* Merging two sketches equals one sketch of all values. */
static void test_qsketch_merge(void)
{
	struct qsketch a, b, all;
	struct rng r;

	qsketch_init(&a), qsketch_init(&b), qsketch_init(&all);
	rng_init(&r, 5, 0, 0);
	for (int i = 0; i < 5000; i++) {
		double v = rng_exponential(&r, 0.3);
		qsketch_add(i % 2 ? &a : &b, v);
		qsketch_add(&all, v);
	}
	qsketch_add(&a, 0.0); /* below the range: counted, reported as the min */
	qsketch_add(&all, 0.0);
	qsketch_merge(&a, &b);
	CHECK_INT(qsketch_n(&a), qsketch_n(&all));
	for (double p = 0.05; p < 1; p += 0.05)
		CHECK_NEAR(qsketch_quantile(&a, p), qsketch_quantile(&all, p), 0, 0);
	CHECK_NEAR(qsketch_quantile(&a, 0), 0.0, 0, 0);
	qsketch_reset(&a);
	CHECK(isnan(qsketch_quantile(&a, 0.5)));
	rng_fini(&r);
	qsketch_fini(&a), qsketch_fini(&b), qsketch_fini(&all);
}

static void test_t95(void)
{
	/* t(0.975, 9) = 2.262157 (standard tables) */
	CHECK_NEAR(stats_t95_halfwidth(1.0, 10), 2.262157 / sqrt(10), 1e-6, 0);
	CHECK_NEAR(stats_t95_halfwidth(1.0, 1), 0, 0, 0);
}

int main(void)
{
	RUN(test_tally_merge);
	RUN(test_mtally);
	RUN(test_wtally);
	RUN(test_qsketch_bound);
	RUN(test_qsketch_merge);
	RUN(test_t95);
	return CHECK_DONE();
}
