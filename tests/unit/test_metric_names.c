/* test_metric_names.c — the metric catalogue (io/metric_names.h) against what runs write, and
 * the checks a sweep's "metrics" go through.
 *
 * Four shipped scenarios together write every metric a run can write in practice (LLM serving
 * with a model variant and KV-cache pressure; the policy study with facility, battery, meter,
 * deadlines and deferral; per-request compression; the physical cooling plant): every name they write must pass metric_names_check, so a metric
 * added to a report function without the catalogue fails here. CONTRACT.md's names must all be
 * in it.
 */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "cli/run.h"
#include "io/metric_names.h"
#include "io/scenario.h"

static int in(const char *w, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(w, list[i]))
			return 1;
	return 0;
}

/* Runs 30 minutes of path; checks every written name; returns how many were written. */
static size_t run_and_check(const char *path)
{
	const char *sets[] = { "duration_s=1800", "warmup_s=0", "replications=1" };
	const char *classes[16];
	struct scenario *sc = NULL;
	struct metrics ms;
	struct run_info info;
	struct err e;
	size_t n = 0, nc = 0;

	err_clear(&e);
	metrics_init(&ms);
	if (scenario_load(path, sets, 3, &sc, &e) || run_replication(sc, 0, &ms, &info, &e)) {
		fprintf(stderr, "  %s: %s\n", path, e.msg);
		CHECK(0);
	}
	for (size_t c = 0; sc && c < sc->n_classes && nc < 16; c++)
		classes[nc++] = sc->classes[c].name;
	for (size_t i = 0; i < ms.n; i++) {
		char why[256] = "";
		int rc = metric_names_check(ms.m[i].name, classes, nc, why, sizeof why);
		if (rc)
			fprintf(stderr, "  %s writes %s: %s\n", path, ms.m[i].name, why);
		CHECK_INT(rc, 0);
		n++;
	}
	metrics_fini(&ms);
	scenario_free(sc);
	return n;
}

static void test_runs_write_only_catalogued_names(void)
{
	/* 92 and 79 names in 30 minutes (counted when this test was written): a run that wrote
	 * almost nothing would make the check above pass for nothing */
	CHECK(run_and_check("scenarios/models_study.json") >= 80);
	CHECK(run_and_check("scenarios/policies/study.json") >= 60);
	/* per-request compression: accuracy_mean per class, variant_share.<variant> */
	CHECK(run_and_check("scenarios/policies/compression.json") >= 40);
	/* the physical cooling plant under a setpoint policy: economizer hours, supply air */
	CHECK(run_and_check("scenarios/policies/cooling.json") >= 60);
}

static void test_contract_names_are_catalogued(void)
{
	/* CONTRACT.md, "Metric names" */
	static const char *const contract[] = {
		"requests_arrived", "requests_completed", "requests_dropped", "wait_mean_s",
		"latency_mean_s", "latency_p50_s", "latency_p95_s", "latency_p99_s", "ttft_p50_s",
		"ttft_p99_s", "tpot_p50_s", "slo_attainment", "utilization_mean", "energy_it_kwh",
		"energy_cooling_kwh", "energy_facility_kwh", "pue", "energy_grid_kwh",
		"energy_renewable_used_kwh", "energy_curtailed_kwh", "renewable_fraction",
		"carbon_operational_kg", "carbon_embodied_kg", "water_l", "cost_usd",
		"energy_per_request_wh", "carbon_per_request_g", "accuracy_mean", "balance_error_rel",
		NULL
	};
	for (size_t i = 0; contract[i]; i++) {
		if (!in(contract[i], metric_names_run))
			fprintf(stderr, "  %s missing\n", contract[i]);
		CHECK(in(contract[i], metric_names_run));
	}
}

static void test_check_messages(void)
{
	const char *classes[] = { "chat", "code" };
	char why[256];

	CHECK_INT(metric_names_check("pue", NULL, 0, why, sizeof why), 0);
	CHECK_INT(metric_names_check("class.chat.ttft_p99_s", classes, 2, why, sizeof why), 0);
	CHECK_INT(metric_names_check("class.anything.ttft_p99_s", NULL, 0, why, sizeof why), 0);

	CHECK_INT(metric_names_check("latncy_p99_s", NULL, 0, why, sizeof why), -1);
	CHECK_STR(why, "unknown metric \"latncy_p99_s\" (did you mean \"latency_p99_s\"?)");
	CHECK_INT(metric_names_check("frobnication_index", NULL, 0, why, sizeof why), -1);
	CHECK_HAS(why, "unknown metric \"frobnication_index\" (the metric names are in README.md)");
	/* a run-level-only metric per class */
	CHECK_INT(metric_names_check("class.chat.pue", classes, 2, why, sizeof why), -1);
	CHECK_HAS(why, "unknown per-class metric \"pue\"");
	CHECK_INT(metric_names_check("class.chat.ttft_p9_s", classes, 2, why, sizeof why), -1);
	CHECK_HAS(why, "did you mean \"class.chat.ttft_p99_s\"?");
	CHECK_INT(metric_names_check("class.chta.ttft_p99_s", classes, 2, why, sizeof why), -1);
	CHECK_STR(why, "no class \"chta\" in the sweep's scenarios (classes: chat, code)");
	CHECK_INT(metric_names_check("class.chat", classes, 2, why, sizeof why), -1);
	CHECK_HAS(why, "expected class.<class name>.<metric>");
	CHECK_INT(metric_names_check("class..pue", classes, 2, why, sizeof why), -1);
	CHECK_INT(metric_names_check("variant_share.int8", NULL, 0, why, sizeof why), 0);
	CHECK_INT(metric_names_check("variant_share.", NULL, 0, why, sizeof why), -1);
}

int main(void)
{
	RUN(test_runs_write_only_catalogued_names);
	RUN(test_contract_names_are_catalogued);
	RUN(test_check_messages);
	return CHECK_DONE();
}
