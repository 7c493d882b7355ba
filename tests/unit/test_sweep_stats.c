/* test_sweep_stats.c — known answers for sweep intervals and paired comparisons. */
#include <math.h>

#include "tests/check.h"
#include "cli/sweep_stats.h"
#include "engine/stats.h"

/* t_{0.975, 3} = 3.182446305 (standard Student-t table) */
static void ci_known_answer(void)
{
	const double x[] = { 1, 2, 3, 4 };
	struct sweep_ci c;
	sweep_stats_ci(x, 4, NULL, &c);
	CHECK_INT(c.n, 4);
	CHECK_NEAR(c.mean, 2.5, 1e-15, 0);
	CHECK_NEAR(c.sd, sqrt(5.0 / 3.0), 1e-14, 0);
	CHECK_NEAR(c.hw, 3.182446305 * sqrt(5.0 / 3.0) / 2.0, 1e-9, 0);
}

static void ci_skips_missing(void)
{
	const double x[] = { NAN, 10, 12, NAN };
	const double one[] = { 5 };
	struct sweep_ci c;
	sweep_stats_ci(x, 4, NULL, &c);
	CHECK_INT(c.n, 2);
	CHECK_NEAR(c.mean, 11, 1e-15, 0);
	/* t_{0.975, 1} = 12.70620474 */
	CHECK_NEAR(c.hw, 12.70620474 * sqrt(2.0) / sqrt(2.0), 1e-8, 0);
	sweep_stats_ci(one, 1, NULL, &c);
	CHECK_INT(c.n, 1);
	CHECK_NEAR(c.mean, 5, 0, 0);
	CHECK(isnan(c.sd) && isnan(c.hw));
}

/* x = 2 b exactly: the difference varies, the ratio does not (interval of width 0). */
static void paired_exact_ratio(void)
{
	const double x[] = { 2, 4, 6, 8 }, b[] = { 1, 2, 3, 4 };
	struct sweep_paired d;
	sweep_stats_paired(x, b, 4, NULL, &d);
	CHECK_INT(d.n, 4);
	CHECK_NEAR(d.diff, 2.5, 1e-15, 0);
	CHECK_NEAR(d.diff_hw, 3.182446305 * sqrt(5.0 / 3.0) / 2.0, 1e-9, 0);
	CHECK_NEAR(d.rel, 1.0, 1e-15, 0);
	CHECK_NEAR(d.rel_hw, 0, 0, 1e-15);
}

/* The delta-method half-width equals the textbook covariance form
 * t * sqrt((s_x^2 - 2 R s_xb + R^2 s_b^2) / n) / mean(b). */
static void paired_delta_method(void)
{
	const double x[] = { 10.5, 12.1, 9.8, 11.7, 10.9 }, b[] = { 10.0, 11.0, 10.1, 10.8, 10.2 };
	double mx = 0, mb = 0, sxx = 0, sbb = 0, sxb = 0, r, want;
	struct sweep_paired d;
	for (int i = 0; i < 5; i++)
		mx += x[i] / 5, mb += b[i] / 5;
	for (int i = 0; i < 5; i++) {
		sxx += (x[i] - mx) * (x[i] - mx) / 4;
		sbb += (b[i] - mb) * (b[i] - mb) / 4;
		sxb += (x[i] - mx) * (b[i] - mb) / 4;
	}
	r = mx / mb;
	/* t_{0.975, 4} = 2.776445105 */
	want = 2.776445105 * sqrt((sxx - 2 * r * sxb + r * r * sbb) / 5) / mb;
	sweep_stats_paired(x, b, 5, NULL, &d);
	CHECK_NEAR(d.rel, r - 1, 1e-14, 0);
	CHECK_NEAR(d.rel_hw, want, 1e-8, 0);
	CHECK_NEAR(d.mean, mx, 1e-14, 0);
	CHECK_NEAR(d.base_mean, mb, 1e-14, 0);
}

static void paired_missing_and_zero(void)
{
	const double x[] = { 1, NAN, 3 }, b[] = { 0, 0, NAN };
	struct sweep_paired d;
	sweep_stats_paired(x, b, 3, NULL, &d);
	CHECK_INT(d.n, 1); /* only replication 0 has both */
	CHECK_NEAR(d.diff, 1, 0, 0);
	CHECK(isnan(d.rel));     /* baseline mean 0 */
	CHECK(isnan(d.diff_hw)); /* one pair: no interval */
}

/* A caller's table of t quantiles gives the same half-widths as computing them, to the bit,
 * also with a missing value (k < n picks another entry of the table). */
static void t_table_same_bits(void)
{
	const double x[] = { 3.1, 2.7, NAN, 3.9, 3.3, 2.2 }, b[] = { 2.9, 2.8, 3.0, 3.1, 3.6, 2.0 };
	double t95[7];
	struct sweep_ci c0, c1;
	struct sweep_paired d0, d1;

	for (int k = 0; k <= 6; k++)
		t95[k] = stats_t95_quantile((uint64_t)k);
	CHECK(t95[0] == 0 && t95[1] == 0);
	CHECK_NEAR(t95[4], 3.182446305, 1e-9, 0); /* t_{0.975, 3}, as above */
	sweep_stats_ci(x, 6, NULL, &c0);
	sweep_stats_ci(x, 6, t95, &c1);
	CHECK_INT((int)c1.n, 5);
	CHECK(c0.hw == c1.hw && c0.hw > 0);
	sweep_stats_paired(x, b, 6, NULL, &d0);
	sweep_stats_paired(x, b, 6, t95, &d1);
	CHECK(d0.diff_hw == d1.diff_hw && d0.rel_hw == d1.rel_hw && d0.rel_hw > 0);
	CHECK(stats_t95_halfwidth(2.0, 5) == t95[5] * 2.0 / sqrt(5.0));
}

int main(void)
{
	RUN(t_table_same_bits);
	RUN(ci_known_answer);
	RUN(ci_skips_missing);
	RUN(paired_exact_ratio);
	RUN(paired_delta_method);
	RUN(paired_missing_and_zero);
	return CHECK_DONE();
}
