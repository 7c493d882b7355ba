/* test_arrival.c — diurnal (thinning) and MMPP arrivals: rates per phase of the profile, long-run
 * means, and the burstiness of the MMPP against its closed-form index of dispersion. Counts are
 * checked at 4 standard deviations. */
#include <math.h>

#include "tests/check.h"
#include "dc/arrival.h"

static void test_diurnal_rates_follow_shape(void)
{
	const double shape[] = { 1, 3 }; /* rates 0.5/s and 1.5/s around a mean of 1/s */
	struct arrival_cfg a = { .kind = ARRIVAL_DIURNAL, .rate_per_s = 1.0, .shape = shape,
				 .n_shape = 2, .shape_step_s = 100, .shape_offset_steps = 0 };
	struct arrival_state st = { 0 };
	struct rng r;
	double t = 0, T = 200000;
	long n[2] = { 0, 0 };

	rng_init(&r, 7, 0, 1);
	CHECK_NEAR(arrival_diurnal_rate(&a, 50), 0.5, 1e-12, 0);
	CHECK_NEAR(arrival_diurnal_rate(&a, 150), 1.5, 1e-12, 0);
	CHECK_NEAR(arrival_diurnal_rate(&a, 250), 0.5, 1e-12, 0); /* periodic */
	CHECK_NEAR(arrival_mean_rate(&a), 1.0, 0, 0);
	for (;;) {
		t = arrival_next(&a, &st, &r, t);
		if (t > T)
			break;
		n[(long)floor(t / 100) % 2]++;
	}
	/* each phase lasts T/2 = 1e5 s: Poisson counts 5e4 and 1.5e5 */
	CHECK(fabs((double)n[0] - 5e4) < 4 * sqrt(5e4));
	CHECK(fabs((double)n[1] - 1.5e5) < 4 * sqrt(1.5e5));
	/* an offset of one step swaps the phases */
	a.shape_offset_steps = 1;
	CHECK_NEAR(arrival_diurnal_rate(&a, 50), 1.5, 1e-12, 0);
	rng_fini(&r);
}

static void test_mmpp_mean_and_burstiness(void)
{
	const double rates[] = { 0.1, 2.0 }, soj[] = { 100, 50 };
	struct arrival_cfg a = { .kind = ARRIVAL_MMPP, .mmpp_rates_per_s = rates,
				 .mmpp_sojourn_s = soj, .mmpp_n = 2 };
	struct arrival_state st = { 0 };
	struct rng r;
	double t = 0, W = 10000, T = 1e6;
	double lam = (100 * 0.1 + 50 * 2.0) / 150, q1 = 0.01, q2 = 0.02;
	/* asymptotic index of dispersion of a 2-state MMPP:
	 * 1 + 2 (r1 - r2)^2 q1 q2 / ((q1 + q2)^3 lambda) (Fischer and Meier-Hellstern 1993) */
	double idc = 1 + 2 * 1.9 * 1.9 * q1 * q2 / (pow(q1 + q2, 3) * lam);
	static long win[100];
	long total = 0;

	rng_init(&r, 11, 0, 1);
	CHECK_NEAR(arrival_mean_rate(&a), lam, 1e-12, 0);
	for (;;) {
		t = arrival_next(&a, &st, &r, t);
		if (t > T)
			break;
		win[(long)(t / W)]++;
		total++;
	}
	CHECK(fabs((double)total - lam * T) < 4 * sqrt(idc * lam * T));
	double m = 0, v = 0;
	for (int i = 0; i < 100; i++)
		m += (double)win[i] / 100;
	for (int i = 0; i < 100; i++)
		v += ((double)win[i] - m) * ((double)win[i] - m) / 99;
	printf("mmpp: %ld arrivals (expected %.0f), window index of dispersion %.1f (theory %.1f)\n",
	       total, lam * T, v / m, idc);
	/* sample variance of 100 windows: relative sd about sqrt(2/99) = 14%; allow 50% */
	CHECK(v / m > 0.5 * idc && v / m < 1.5 * idc);
	rng_fini(&r);
}

static void test_zero_rates(void)
{
	const double rates[] = { 0, 0 }, soj[] = { 1, 1 };
	struct arrival_cfg a = { .kind = ARRIVAL_MMPP, .mmpp_rates_per_s = rates,
				 .mmpp_sojourn_s = soj, .mmpp_n = 2 };
	struct arrival_state st = { 0 };
	struct rng r;
	rng_init(&r, 1, 0, 1);
	CHECK(isinf(arrival_next(&a, &st, &r, 0)));
	rng_fini(&r);
}

int main(void)
{
	RUN(test_diurnal_rates_follow_shape);
	RUN(test_mmpp_mean_and_burstiness);
	RUN(test_zero_rates);
	return CHECK_DONE();
}
