/* test_policy.c — signals, forecasters and the dispatch policies' claimed effects.
 *
 * Policy tests run a shipped example scenario (scenarios/policies/) twice, with the policy and
 * with the baseline, same seed and replication: the datacenter draws arrivals and sizes from
 * per-class streams, so both runs see the same requests (checked: requests_arrived equal).
 * Carbon, cost and renewable energy are the facility's books (carbon_operational_kg, cost_usd,
 * energy_renewable_used_kwh), the policies reading the facility's signals; one test checks the
 * policy-side meter used with policies.signals against them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "cli/run.h"
#include "engine/rng.h"
#include "io/scenario.h"
#include "policy/forecast.h"
#include "policy/signal.h"
#include "run_fixture.h"

/* ---- signals ---- */

static void test_series(void)
{
	double v[] = { 10, 20, 30 };
	struct signal_series ss = { -3600, 3600, 3, v };
	struct signal s = signal_from_series(&ss);

	CHECK_NEAR(signal_at(&s, -3600), 10, 0, 0);
	CHECK_NEAR(signal_at(&s, 0), 20, 0, 0);
	CHECK_NEAR(signal_at(&s, 3599), 20, 0, 0);
	CHECK_NEAR(signal_at(&s, 7200), 10, 0, 0);     /* cyclic: past the end wraps */
	CHECK_NEAR(signal_at(&s, -7200), 30, 0, 0);    /* and before the start */
	/* mean over half of step 0 and all of step 1: (20*1800 + 30*3600) / 5400 */
	CHECK_NEAR(signal_mean(&s, 1800, 7200), (20.0 * 1800 + 30.0 * 3600) / 5400, 1e-12, 0);
	double c = 7;
	struct signal k = signal_const(&c);
	CHECK_NEAR(signal_at(&k, 1e9), 7, 0, 0);
	struct signal none = { 0 };
	CHECK(isnan(signal_at(&none, 0)) && !signal_present(&none));
}

/* ---- forecasters ---- */

/* A day-periodic truth with a trend, so persistence differs from the oracle: v = hour + day*100. */
static double truth_at(const void *ctx, double t)
{
	(void)ctx;
	double h = floor(t / 3600);
	return fmod(h, 24) + 100 * floor(h / 24) + 1;
}

static void test_forecasters(void)
{
	struct signal tr = { truth_at, NULL, 3600, 0 };
	struct forecast_cfg oc = { "oracle", 0, 0, 0 }, pc = { "persistence", 0, 0, 0 };
	struct err e = { 0 };
	struct forecast *o = forecast_new(&oc, tr, 1, 0, 500, &e);
	struct forecast *p = forecast_new(&pc, tr, 1, 0, 500, &e);

	CHECK(o && p);
	/* now = day 2, 05:30; target day 2 10:00 -> persistence gives day 1 10:00 */
	double now = 2 * 86400 + 5.5 * 3600, t = 2 * 86400 + 10 * 3600;
	CHECK_NEAR(forecast_value(o, now, t), truth_at(NULL, t), 0, 0);
	CHECK_NEAR(forecast_value(p, now, t), truth_at(NULL, t - 86400), 0, 0);
	/* 30 h ahead -> two days back */
	CHECK_NEAR(forecast_value(p, now, now + 30 * 3600), truth_at(NULL, now + 30 * 3600 - 2 * 86400), 0, 0);
	/* the current hour is observed, not forecast */
	CHECK_NEAR(forecast_value(p, now, now + 1000), truth_at(NULL, now), 0, 0);
	forecast_free(o);
	forecast_free(p);

	struct forecast_cfg bad = { "crystal_ball", 0, 0, 0 };
	CHECK(forecast_new(&bad, tr, 1, 0, 500, &e) == NULL);
	CHECK_HAS(e.msg, "oracle, persistence, noisy");
	err_clear(&e);
	struct forecast_cfg badr = { "noisy", 0.1, 1.0, 0 };
	CHECK(forecast_new(&badr, tr, 1, 0, 500, &e) == NULL);
	err_clear(&e);
}

static double one_at(const void *ctx, double t)
{
	(void)ctx, (void)t;
	return 100;
}

/* noisy: relative errors have sd sigma and lag-one correlation rho (3-sigma bounds on n
 * samples), do not depend on the order of the questions, and sigma = 0 is the oracle. */
static void test_noisy(void)
{
	struct signal tr = { one_at, NULL, 3600, 0 };
	struct forecast_cfg nc = { "noisy", 0.2, 0.7, 0 }, zc = { "noisy", 0, 0.7, 0 };
	struct err e = { 0 };
	struct forecast *a = forecast_new(&nc, tr, 42, 3, 500, &e);
	struct forecast *b = forecast_new(&nc, tr, 42, 3, 500, &e);
	struct forecast *z = forecast_new(&zc, tr, 42, 3, 500, &e);
	enum { N = 20000 };
	double *x = malloc(N * sizeof *x), s1 = 0, s2 = 0, s12 = 0;

	for (int k = 0; k < N; k++)
		x[k] = forecast_value(a, -1, k * 3600.0 + 10) / 100 - 1;
	for (int k = 0; k < N; k++) {
		s1 += x[k];
		s2 += x[k] * x[k];
		if (k)
			s12 += x[k] * x[k - 1];
	}
	double mean = s1 / N, sd = sqrt(s2 / N - mean * mean), r1 = s12 / (N - 1) / (s2 / N);
	/* the mean of an AR(1) has variance sigma^2 (1+rho)/(1-rho)/N: 3 sd = 0.0151 */
	CHECK(fabs(mean) < 0.0151);
	CHECK_NEAR(sd, 0.2, 0.05, 0);
	CHECK_NEAR(r1, 0.7, 0, 0.03);
	/* b asked in reverse order gives the same forecasts */
	for (int k = 50; k >= 0; k--)
		CHECK_NEAR(forecast_value(b, -1, k * 3600.0 + 10), (1 + x[k]) * 100, 1e-12, 0);
	CHECK_NEAR(forecast_value(z, -1, 5 * 3600.0), 100, 0, 0);
	/* the past is observed */
	CHECK_NEAR(forecast_value(a, 1e6, 3600), 100, 0, 0);
	free(x);
	forecast_free(a);
	forecast_free(b);
	forecast_free(z);
}

/* ---- policies on scenarios ---- */

/* carbon_aware against fifo on the CAISO June 2023 week: less carbon, no deadline missed, with
 * every forecaster; the oracle saves at least as much as persistence here (measured). */
static void test_carbon_aware(void)
{
	const char *path = "scenarios/policies/carbon_aware.json";
	const char *fifo[] = { "policies.dispatch=fifo" };
	const char *fcs[] = { "policies.dispatch.forecast=oracle", "policies.dispatch.forecast=persistence",
			      "policies.dispatch.forecast=noisy" };
	for (long rep = 0; rep < 2; rep++) {
		struct metrics base, m[3];
		CHECK_INT(fx_run(path, fifo, 1, rep, &base), 0);
		for (int f = 0; f < 3; f++) {
			CHECK_INT(fx_run(path, &fcs[f], 1, rep, &m[f]), 0);
			CHECK_NEAR(fx_metric(&m[f], "requests_arrived"), fx_metric(&base, "requests_arrived"), 0, 0);
			CHECK(fx_metric(&m[f], "requests_deferred") > 100);
			/* at least 10 % less carbon than fifo (measured about 14 %) */
			CHECK(fx_metric(&m[f], "carbon_operational_kg") < 0.9 * fx_metric(&base, "carbon_operational_kg"));
			CHECK_NEAR(fx_metric(&m[f], "deadline_missed"), 0, 0, 0);
		}
		CHECK_NEAR(fx_metric(&base, "deadline_missed"), 0, 0, 0);
		CHECK(fx_metric(&m[0], "carbon_operational_kg") <= fx_metric(&m[1], "carbon_operational_kg"));
		metrics_fini(&base);
		for (int f = 0; f < 3; f++)
			metrics_fini(&m[f]);
	}
}

static void test_price_aware(void)
{
	const char *path = "scenarios/policies/price_aware.json", *fifo[] = { "policies.dispatch=fifo" };
	struct metrics base, m;
	CHECK_INT(fx_run(path, fifo, 1, 0, &base), 0);
	CHECK_INT(fx_run(path, NULL, 0, 0, &m), 0);
	CHECK_NEAR(fx_metric(&m, "requests_arrived"), fx_metric(&base, "requests_arrived"), 0, 0);
	CHECK(fx_metric(&m, "cost_usd") < 0.92 * fx_metric(&base, "cost_usd"));
	CHECK(fx_metric(&m, "deadline_attainment") > 0.99);
	metrics_fini(&base);
	metrics_fini(&m);
}

static void test_renewable_following(void)
{
	const char *path = "scenarios/policies/renewable_following.json", *fifo[] = { "policies.dispatch=fifo" };
	struct metrics base, m;
	CHECK_INT(fx_run(path, fifo, 1, 0, &base), 0);
	CHECK_INT(fx_run(path, NULL, 0, 0, &m), 0);
	CHECK_NEAR(fx_metric(&m, "requests_arrived"), fx_metric(&base, "requests_arrived"), 0, 0);
	/* measured +24 %, and less curtailed */
	CHECK(fx_metric(&m, "energy_renewable_used_kwh") > 1.1 * fx_metric(&base, "energy_renewable_used_kwh"));
	CHECK(fx_metric(&m, "energy_curtailed_kwh") < fx_metric(&base, "energy_curtailed_kwh"));
	CHECK_NEAR(fx_metric(&m, "deadline_missed"), 0, 0, 0);
	metrics_fini(&base);
	metrics_fini(&m);
}

/* edf under overload meets far more deadlines than fifo (whose queue grows without bound). */
static void test_edf(void)
{
	const char *path = "scenarios/policies/edf.json", *fifo[] = { "policies.dispatch=fifo" };
	const char *nodrop[] = { "policies.dispatch.drop_expired=0" };
	struct metrics base, m, nd;
	CHECK_INT(fx_run(path, fifo, 1, 0, &base), 0);
	CHECK_INT(fx_run(path, NULL, 0, 0, &m), 0);
	CHECK_INT(fx_run(path, nodrop, 1, 0, &nd), 0);
	CHECK_NEAR(fx_metric(&m, "requests_arrived"), fx_metric(&base, "requests_arrived"), 0, 0);
	CHECK(fx_metric(&m, "deadline_attainment") > fx_metric(&base, "deadline_attainment") + 0.3);
	CHECK(fx_metric(&m, "requests_dropped") > 0);
	CHECK_NEAR(fx_metric(&nd, "requests_dropped"), 0, 0, 0);
	metrics_fini(&base);
	metrics_fini(&m);
	metrics_fini(&nd);
}

/* round_robin spreads starts evenly; fifo piles them on the first server at light load. */
static void test_round_robin(void)
{
	const char *path = "scenarios/policies/round_robin.json", *fifo[] = { "policies.dispatch=fifo" };
	struct metrics base, m;
	CHECK_INT(fx_run(path, fifo, 1, 0, &base), 0);
	CHECK_INT(fx_run(path, NULL, 0, 0, &m), 0);
	CHECK(fx_metric(&m, "node_share_max") < 1.05);
	CHECK(fx_metric(&base, "node_share_max") > 2);
	CHECK_NEAR(fx_metric(&m, "energy_it_kwh"), fx_metric(&base, "energy_it_kwh"), 0.05, 0);
	metrics_fini(&base);
	metrics_fini(&m);
}

static double series_max(const struct metrics *ms, const char *name)
{
	double mx = -INFINITY;
	for (size_t i = 0; i < ms->n_pts; i++)
		if (strcmp(ms->series_names[ms->pts[i].name_id], name) == 0 && ms->pts[i].value > mx)
			mx = ms->pts[i].value;
	return mx;
}

/* power_cap: IT power (mean of every 60 s interval) never above the 12 kW cap, which the
 * uncapped run exceeds; the same work is done, later. */
static void test_power_cap(void)
{
	const char *path = "scenarios/policies/power_cap.json", *off[] = { "policies.power=always_on" };
	const char *follow[] = { "policies.power={\"name\":\"power_cap\",\"cap_w\":0}" };
	struct metrics base, m, f;
	CHECK_INT(fx_run(path, off, 1, 0, &base), 0);
	CHECK_INT(fx_run(path, NULL, 0, 0, &m), 0);
	CHECK_NEAR(fx_metric(&m, "requests_arrived"), fx_metric(&base, "requests_arrived"), 0, 0);
	CHECK(series_max(&base, "power_it_w") > 12000);
	CHECK(series_max(&m, "power_it_w") <= 12000 * (1 + 1e-9));
	CHECK(fx_metric(&m, "wait_mean_s") > fx_metric(&base, "wait_mean_s") + 1);
	CHECK_NEAR(fx_metric(&m, "requests_completed"), fx_metric(&base, "requests_completed"), 0.01, 0);
	/* following renewables needs a renewable signal: bad input at load */
	CHECK_INT(fx_run(path, follow, 1, 0, &f), -1);
	{
		struct scenario *sc;
		struct err e = { 0 };
		CHECK_INT(scenario_load(path, follow, 1, &sc, &e), -1);
		CHECK_HAS(e.msg, "power_cap needs an on-site renewable signal");
	}
	metrics_fini(&base);
	metrics_fini(&m);
	metrics_fini(&f);
}

/* Serving-model policies on the Azure conversation trace with 4 DGX-H100 Llama-2-70B replicas
 * (scenarios/llm_azure_conv_h100.json), at a third of the trace's rate (time_scale 3). */
static void test_power_aware_llm(void)
{
	const char *path = "scenarios/llm_azure_conv_h100.json";
	const char *ll[] = { "workload[0].arrival.time_scale=3", "duration_s=10800", "policies.dispatch=least_loaded" };
	const char *ff[] = { "workload[0].arrival.time_scale=3", "duration_s=10800", "policies.dispatch=fifo" };
	const char *pa[] = { "workload[0].arrival.time_scale=3", "duration_s=10800", "policies.dispatch=power_aware" };
	const char *sl[] = { "workload[0].arrival.time_scale=3", "duration_s=10800", "policies.dispatch=fifo",
			     "policies.power=sleep_idle" };
	struct metrics m_ll, m_ff, m_pa, m_sl;
	CHECK_INT(fx_run(path, ll, 3, 0, &m_ll), 0);
	CHECK_INT(fx_run(path, ff, 3, 0, &m_ff), 0);
	CHECK_INT(fx_run(path, pa, 3, 0, &m_pa), 0);
	CHECK_INT(fx_run(path, sl, 4, 0, &m_sl), 0);
	CHECK_NEAR(fx_metric(&m_pa, "requests_arrived"), fx_metric(&m_ll, "requests_arrived"), 0, 0);
	/* consolidation plus sleep: far below spreading, below packing alone (measured 18.2 vs
	 * 51.3 and 21.9 kWh), with the tail of time to first token no worse than packing */
	CHECK(fx_metric(&m_pa, "energy_it_kwh") < 0.5 * fx_metric(&m_ll, "energy_it_kwh"));
	CHECK(fx_metric(&m_pa, "energy_it_kwh") < 0.9 * fx_metric(&m_ff, "energy_it_kwh"));
	CHECK(fx_metric(&m_pa, "ttft_p99_s") <= 1.1 * fx_metric(&m_ff, "ttft_p99_s"));
	CHECK_NEAR(fx_metric(&m_pa, "requests_completed"), fx_metric(&m_ff, "requests_completed"), 0.001, 0);
	/* sleep_idle under fifo: idle replicas sleep after 300 s */
	CHECK(fx_metric(&m_sl, "energy_it_kwh") < 0.9 * fx_metric(&m_ff, "energy_it_kwh"));
	metrics_fini(&m_ll);
	metrics_fini(&m_ff);
	metrics_fini(&m_pa);
	metrics_fini(&m_sl);
}

/* dvfs trades latency for energy; kv_aware under twice the trace's rate admits faster than the
 * load-blind round_robin. */
static void test_dvfs_kv_llm(void)
{
	const char *path = "scenarios/llm_azure_conv_h100.json";
	const char *dv[] = { "policies.power=dvfs" };
	const char *rr[] = { "workload[0].arrival.time_scale=0.5", "policies.dispatch=round_robin" };
	const char *kv[] = { "workload[0].arrival.time_scale=0.5", "policies.dispatch=kv_aware" };
	struct metrics base, m_dv, m_rr, m_kv;
	CHECK_INT(fx_run(path, NULL, 0, 0, &base), 0);
	CHECK_INT(fx_run(path, dv, 1, 0, &m_dv), 0);
	CHECK(fx_metric(&m_dv, "energy_it_kwh") < 0.97 * fx_metric(&base, "energy_it_kwh"));
	CHECK(fx_metric(&m_dv, "latency_mean_s") > fx_metric(&base, "latency_mean_s"));
	CHECK_INT(fx_run(path, rr, 2, 0, &m_rr), 0);
	CHECK_INT(fx_run(path, kv, 2, 0, &m_kv), 0);
	CHECK(fx_metric(&m_kv, "admit_wait_p99_s") < 0.5 * fx_metric(&m_rr, "admit_wait_p99_s"));
	CHECK(fx_metric(&m_kv, "latency_p99_s") < fx_metric(&m_rr, "latency_p99_s"));
	metrics_fini(&base);
	metrics_fini(&m_dv);
	metrics_fini(&m_rr);
	metrics_fini(&m_kv);
}

/* policies.signals in place of the facility's carbon trace: the policy and the meter read it,
 * and with the facility's constant PUE (1.58) and no on-site supply, IT carbon x PUE equals the
 * facility's operational carbon (it books the same trace, default constant intensity aside). */
static void test_signals_meter(void)
{
	const char *sets[] = {
		"datacenter.supply=null",
		"policies.signals={\"carbon_g_per_kwh\":{\"path\":\"../traces/electricitymaps_US-CAL-CISO_2023_hourly.csv\",\"column\":\"Carbon Intensity gCO₂eq/kWh (direct)\"}}",
	};
	const char *fac[] = { "policies.dispatch.forecast=oracle" };
	struct metrics m, f;
	CHECK_INT(fx_run("scenarios/policies/carbon_aware.json", sets, 2, 0, &m), 0);
	CHECK_INT(fx_run("scenarios/policies/carbon_aware.json", fac, 1, 0, &f), 0);
	/* the policy saw the same intensities either way: the same decisions */
	CHECK_NEAR(fx_metric(&m, "requests_deferred"), fx_metric(&f, "requests_deferred"), 0, 0);
	CHECK_NEAR(fx_metric(&m, "carbon_it_kg") * 1.58, fx_metric(&f, "carbon_operational_kg"), 0.005, 0);
	CHECK(metrics_get(&f, "carbon_it_kg") == NULL);
	metrics_fini(&m);
	metrics_fini(&f);
}

/* Battery arbitrage on the CAISO week (100 kWh, 90 % round trip): against self-consumption on
 * the same arrivals, carbon_arbitrage lowers operational carbon and price_arbitrage the cost
 * (measured about 2 % and 3 %); arbitrage policies need a battery. */
static void test_battery(void)
{
	const char *path = "scenarios/policies/battery_arbitrage.json";
	const char *self[] = { "policies.battery=self_consumption" };
	const char *price[] = { "policies.battery=price_arbitrage" };
	const char *none[] = { "datacenter.supply.battery=null" };
	struct metrics b, c, p;
	struct scenario *sc;
	struct err e = { 0 };
	CHECK_INT(fx_run(path, self, 1, 0, &b), 0);
	CHECK_INT(fx_run(path, NULL, 0, 0, &c), 0);
	CHECK_INT(fx_run(path, price, 1, 0, &p), 0);
	CHECK(fx_metric(&c, "carbon_operational_kg") < 0.99 * fx_metric(&b, "carbon_operational_kg"));
	CHECK(fx_metric(&p, "cost_usd") < 0.99 * fx_metric(&b, "cost_usd"));
	CHECK(fx_metric(&c, "energy_battery_charge_kwh") > 100);
	CHECK_INT(scenario_load(path, none, 1, &sc, &e), -1);
	CHECK_HAS(e.msg, "carbon_arbitrage needs a battery");
	metrics_fini(&b);
	metrics_fini(&c);
	metrics_fini(&p);
}

/* renewable_following without on-site renewables (no solar or wind in the supply, no
 * policies.signals.renewable_w) is bad input; carbon_aware without a carbon trace runs on the
 * facility's constant intensity, where nothing is worth deferring. */
static void test_missing_signal(void)
{
	const char *sets[] = { "policies.dispatch=renewable_following" };
	const char *flat[] = { "policies.dispatch=carbon_aware", "policies.signals=null" };
	struct metrics m, c;
	struct scenario *sc;
	struct err e = { 0 };
	CHECK_INT(scenario_load("scenarios/policies/edf.json", sets, 1, &sc, &e), -1);
	CHECK_HAS(e.msg, "renewable_following needs an on-site renewable signal");
	CHECK_INT(fx_run("scenarios/policies/edf.json", sets, 1, 0, &m), -1);
	CHECK_INT(fx_run("scenarios/policies/round_robin.json", flat, 2, 0, &c), 0);
	CHECK_NEAR(fx_metric(&c, "requests_deferred"), 0, 0, 0);
	metrics_fini(&m);
	metrics_fini(&c);
}

int main(void)
{
	RUN(test_series);
	RUN(test_forecasters);
	RUN(test_noisy);
	RUN(test_carbon_aware);
	RUN(test_price_aware);
	RUN(test_renewable_following);
	RUN(test_edf);
	RUN(test_round_robin);
	RUN(test_power_cap);
	RUN(test_power_aware_llm);
	RUN(test_dvfs_kv_llm);
	RUN(test_signals_meter);
	RUN(test_battery);
	RUN(test_missing_signal);
	return CHECK_DONE();
}
