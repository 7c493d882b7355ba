/* test_queueing.c — the simulator against queueing theory (REFERENCES.md):
 *   M/M/c mean wait (Erlang C) for c = 1, 4, 16 at utilisation 0.5 and 0.9;
 *   M/D/1 and M/G/1 (gamma service, cv 2) mean wait (Pollaczek-Khinchine);
 *   Little's law L = lambda W on the time-average queue length;
 *   M/M/1 energy: a linear power curve at utilisation rho draws idle + (peak - idle) rho.
 * Each figure is the mean over 20 independent replications, printed with its Student-t 95%
 * confidence interval and relative half-width (bounded, so a useless interval cannot pass);
 * see within() for the assertion. Runs are shortened 4x
 * under the sanitizers, which widens the intervals but keeps the check meaningful.
 */
#include <math.h>
#include <stdio.h>

#include <gsl/gsl_cdf.h>

#include "../check.h"
#include "cli/run.h"
#include "engine/stats.h"
#include "io/scenario.h"

#if defined(__SANITIZE_ADDRESS__)
#define SCALE 0.25
#else
#define SCALE 1.0
#endif

static const char *base = "scenarios/test/mmc.json";
static int case_no;

/* Erlang C probability of waiting for c servers at offered load a = lambda / mu. */
static double erlang_c(int c, double a)
{
	double term = 1, sum = 1, top;

	for (int k = 1; k < c; k++) {
		term *= a / k;
		sum += term;
	}
	top = term * a / c * (c / (c - a));
	return top / (sum + top);
}

struct est {
	struct tally wait, lq_ratio, power;
};

/* Runs base with the given overrides; collects the mean wait per replication. */
static int run_case(const char *const *sets, size_t n, struct est *out)
{
	struct scenario *sc;
	struct err e;
	const char *all[8];
	char seed[32];

	/* each case draws its own independent streams: sharing one seed across cases (common
	 * random numbers) would make their errors move together */
	snprintf(seed, sizeof seed, "seed=%d", ++case_no);
	for (size_t i = 0; i < n && i < 7; i++)
		all[i] = sets[i];
	all[n] = seed;
	sets = all;
	n++;

	err_clear(&e);
	tally_init(&out->wait), tally_init(&out->lq_ratio), tally_init(&out->power);
	if (scenario_load(base, sets, n, &sc, &e)) {
		fprintf(stderr, "  %s\n", e.msg);
		return -1;
	}
	for (long r = 0; r < sc->replications; r++) {
		struct metrics ms;
		metrics_init(&ms);
		if (run_replication(sc, r, &ms, NULL, &e)) {
			fprintf(stderr, "  run failed: %s\n", e.msg);
			metrics_fini(&ms);
			scenario_free(sc);
			return -1;
		}
		tally_add(&out->wait, *metrics_get(&ms, "wait_mean_s"));
		tally_add(&out->lq_ratio, *metrics_get(&ms, "queue_length_mean") /
					  (*metrics_get(&ms, "throughput_per_s") * *metrics_get(&ms, "wait_mean_s")));
		tally_add(&out->power, *metrics_get(&ms, "power_it_mean_w"));
		metrics_fini(&ms);
	}
	scenario_free(sc);
	return 0;
}

/* Prints whether theory lies inside the 95% CI of est; asserts it lies inside the 99.9% CI
 * (t quantile 0.9995) and that the 95% relative half-width is below max_rel_hw. Independent
 * cases each miss a 95% interval 1 time in 20 by construction; asserting the 99.9% interval
 * keeps a deterministic suite from failing on that expected chance miss while a real bias of
 * the size of the interval still fails it. */
static int within(const char *what, double theory, const struct tally *t, double max_rel_hw)
{
	double hw = stats_t95_halfwidth(tally_sd(t), t->n);
	double hw999 = gsl_cdf_tdist_Pinv(0.9995, (double)(t->n - 1)) * tally_sd(t) / sqrt((double)t->n);
	int in95 = fabs(t->mean - theory) <= hw, in999 = fabs(t->mean - theory) <= hw999;
	printf("  %-34s theory %9.5f  sim %9.5f +/- %8.5f (rel. half-width %5.2f%%) %s\n", what, theory,
	       t->mean, hw, 100 * hw / theory,
	       in95 ? "inside 95% CI" : in999 ? "outside 95% CI, inside 99.9% CI" : "OUTSIDE 99.9% CI");
	return in999 && hw / theory <= max_rel_hw / sqrt(SCALE); /* shorter runs, wider intervals */
}

/* max_rel_hw bounds the 95% relative half-width (within): 8% where the mean wait is a common
 * event's. At M/M/16 rho 0.5 only 0.9% of arrivals wait (Erlang C), so the mean wait is far
 * noisier: 40 seeds of this case gave relative half-widths of mean 0.066 (max 0.100) with the
 * inversion exponential and 0.071 (max 0.108) with the ziggurat, so its bound is 0.15 (an 8%
 * bound failed about one seed in four with either sampler). */
static void mmc_case(int c, double rho, double max_rel_hw)
{
	char count[64], rate[64], dur[64], warm[64], what[64];
	const char *sets[4] = { count, rate, dur, warm };
	double lambda = rho * c, d = SCALE * 150000.0 / lambda;
	struct est est;

	snprintf(count, sizeof count, "datacenter.nodes[0].count=%d", c);
	snprintf(rate, sizeof rate, "workload[0].arrival.rate_per_s=%.17g", lambda);
	snprintf(dur, sizeof dur, "duration_s=%.17g", d);
	snprintf(warm, sizeof warm, "warmup_s=%.17g", d / 10);
	if (run_case(sets, 4, &est)) {
		CHECK(0);
		return;
	}
	snprintf(what, sizeof what, "M/M/%d rho=%.1f Wq (Erlang C)", c, rho);
	CHECK(within(what, erlang_c(c, lambda) / (c - lambda), &est.wait, max_rel_hw));
}

static void test_mm1_rho05(void) { mmc_case(1, 0.5, 0.08); }
static void test_mm1_rho09(void) { mmc_case(1, 0.9, 0.08); }
static void test_mm4_rho05(void) { mmc_case(4, 0.5, 0.08); }
static void test_mm4_rho09(void) { mmc_case(4, 0.9, 0.08); }
static void test_mm16_rho05(void) { mmc_case(16, 0.5, 0.15); }
static void test_mm16_rho09(void) { mmc_case(16, 0.9, 0.08); }

static void mg1_case(const char *dist, double cv, double rho)
{
	char rate[64], svc[128], dur[64], warm[64], what[64];
	const char *sets[4] = { rate, svc, dur, warm };
	double d = SCALE * 150000.0 / rho, es2 = 1 + cv * cv; /* mean service 1 s */
	struct est est;

	snprintf(rate, sizeof rate, "workload[0].arrival.rate_per_s=%.17g", rho);
	if (cv > 0)
		snprintf(svc, sizeof svc, "workload[0].service={\"dist\":\"%s\",\"mean_s\":1,\"cv\":%g}", dist, cv);
	else
		snprintf(svc, sizeof svc, "workload[0].service={\"dist\":\"%s\",\"mean_s\":1}", dist);
	snprintf(dur, sizeof dur, "duration_s=%.17g", d);
	snprintf(warm, sizeof warm, "warmup_s=%.17g", d / 10);
	if (run_case(sets, 4, &est)) {
		CHECK(0);
		return;
	}
	snprintf(what, sizeof what, "M/%s/1 rho=%.1f Wq (P-K)", cv > 0 ? "G(gamma)" : "D", rho);
	CHECK(within(what, rho * es2 / (2 * (1 - rho)), &est.wait, 0.10));
}

static void test_md1_rho05(void) { mg1_case("deterministic", 0, 0.5); }
static void test_md1_rho09(void) { mg1_case("deterministic", 0, 0.9); }
static void test_mg1_gamma(void) { mg1_case("gamma", 2.0, 0.7); }

/* Little's law on the waiting line, and the linear power curve: idle 100 W, peak 300 W. */
static void test_little_and_power(void)
{
	const char *sets[] = { "datacenter.nodes[0].count=4", "workload[0].arrival.rate_per_s=3.6",
			       "duration_s=80000", "warmup_s=8000" };
	struct est est;

	if (run_case(sets, 4, &est)) {
		CHECK(0);
		return;
	}
	printf("  Little's law Lq / (lambda Wq) = %.5f (per-replication mean)\n", est.lq_ratio.mean);
	CHECK_NEAR(est.lq_ratio.mean, 1.0, 0.02, 0);
	CHECK(within("M/M/4 rho=0.9 mean IT power (W)", 4 * (100 + 200 * 0.9), &est.power, 0.01));
}

int main(void)
{
	RUN(test_mm1_rho05);
	RUN(test_mm1_rho09);
	RUN(test_mm4_rho05);
	RUN(test_mm4_rho09);
	RUN(test_mm16_rho05);
	RUN(test_mm16_rho09);
	RUN(test_md1_rho05);
	RUN(test_md1_rho09);
	RUN(test_mg1_gamma);
	RUN(test_little_and_power);
	return CHECK_DONE();
}
