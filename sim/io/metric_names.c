/* metric_names.c — the metric catalogue of metric_names.h.
 *
 * The lists are sorted as the README's metric tables are: requests and latency, LLM serving,
 * the IT side, then the facility. Adding a metric to a report function without adding it here
 * fails test_metric_names.
 */
#include "metric_names.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "io/jv.h"

const char *const metric_names_run[] = {
	/* requests and latency (sim/dc/dc.c) */
	"requests_arrived", "requests_completed", "requests_dropped", "requests_deferred",
	"requests_in_system_end", "wait_mean_s", "wait_p99_s", "latency_mean_s", "latency_p50_s",
	"latency_p95_s", "latency_p99_s", "slo_attainment", "slo_missed_in_system_end",
	"deadline_attainment", "deadline_missed", "defer_mean_s", "node_share_max", "utilization_mean",
	"queue_length_mean", "throughput_per_s",
	/* LLM serving (sim/dc/llm.c) */
	"ttft_mean_s", "ttft_p50_s", "ttft_p99_s", "admit_wait_mean_s", "admit_wait_p99_s",
	"tpot_mean_s", "tpot_p50_s", "tpot_p99_s", "output_tokens", "energy_active_per_request_wh",
	"j_active_per_output_token", "j_per_output_token", "kv_preemptions", "requests_dropped_kv",
	"profile_extrapolations",
	/* IT energy (sim/dc/dc.c) and the policies' meter (sim/policy/meter.c) */
	"energy_it_kwh", "power_it_mean_w", "energy_per_request_wh", "carbon_it_kg",
	"carbon_it_net_kg", "cost_it_usd", "energy_it_renewable_kwh",
	/* the facility (sim/dc/facility.c) */
	"energy_cooling_kwh", "energy_facility_kwh", "pue", "energy_grid_kwh",
	"energy_renewable_used_kwh", "energy_curtailed_kwh", "renewable_fraction",
	"carbon_operational_kg", "carbon_operational_market_kg", "carbon_marginal_kg",
	"carbon_embodied_kg", "water_l", "wue_l_per_kwh", "cost_usd", "cost_energy_usd",
	"cost_demand_usd", "balance_error_rel", "energy_server_fans_kwh", "energy_other_kwh",
	"energy_chiller_kwh", "energy_crah_kwh", "energy_tower_kwh", "energy_pumps_kwh",
	"energy_solar_kwh", "energy_wind_kwh", "energy_battery_charge_kwh",
	"energy_battery_discharge_kwh", "energy_losses_kwh", "battery_cycles",
	"battery_capacity_frac", "free_cooling_frac", "partial_free_cooling_frac",
	"temp_out_mean_c", "carbon_intensity_mean_g_per_kwh", "trace_wrapped_frac",
	"carbon_per_request_g", "energy_facility_per_request_wh",
	/* the physical plant and its setpoint (sim/dc/facility.c; cooling policies) */
	"economizer_hours", "economizer_full_hours", "energy_server_inlet_kwh", "supply_air_mean_c",
	"supply_air_min_c", "supply_air_max_c",
	/* the run itself (sim/cli/run.c) */
	"accuracy_mean", "sim_events",
	NULL
};

const char *const metric_names_class[] = {
	/* sim/dc/dc.c report_class */
	"requests_arrived", "requests_completed", "requests_dropped", "wait_mean_s", "wait_p99_s",
	"latency_mean_s", "latency_p50_s", "latency_p95_s", "latency_p99_s", "slo_attainment",
	"slo_missed_in_system_end", "deadline_attainment", "deadline_missed",
	/* sim/dc/llm.c report_cls */
	"ttft_mean_s", "ttft_p50_s", "ttft_p99_s", "admit_wait_mean_s", "admit_wait_p99_s",
	"tpot_mean_s", "tpot_p50_s", "tpot_p99_s", "output_tokens", "energy_active_per_request_wh",
	"j_active_per_output_token",
	/* sim/dc/dc.c, compression policies */
	"accuracy_mean",
	NULL
};

/* Is word one of list: its first n entries, or (n = SIZE_MAX) all up to NULL? */
static int in_list(const char *word, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n && list[i] != NULL; i++)
		if (!strcmp(word, list[i]))
			return 1;
	return 0;
}

int metric_names_check(const char *name, const char *const *classes, size_t n_classes, char *why,
		       size_t n)
{
	const char *hint, *dot;
	char cls[128];

	/* variant_share.<variant> (compression policies): the variants come from the calibration
	 * table, known only once a scenario is loaded */
	if (!strncmp(name, "variant_share.", 14) && name[14])
		return 0;
	if (strncmp(name, "class.", 6) != 0) {
		if (in_list(name, metric_names_run, SIZE_MAX))
			return 0;
		hint = jv_closest(name, metric_names_run);
		snprintf(why, n, "unknown metric \"%.96s\"%s%s%s", name, hint ? " (did you mean \"" : "",
			 hint ? hint : "", hint ? "\"?)" : " (the metric names are in README.md)");
		return -1;
	}
	/* class.<name>.<metric>: class names have no dots, so the first one after "class." ends it */
	dot = strchr(name + 6, '.');
	if (!dot || dot == name + 6 || (size_t)(dot - (name + 6)) >= sizeof cls) {
		snprintf(why, n, "expected class.<class name>.<metric>, got \"%.96s\"", name);
		return -1;
	}
	memcpy(cls, name + 6, (size_t)(dot - (name + 6)));
	cls[dot - (name + 6)] = '\0';
	if (!in_list(dot + 1, metric_names_class, SIZE_MAX)) {
		hint = jv_closest(dot + 1, metric_names_class);
		snprintf(why, n, "unknown per-class metric \"%.96s\"%s%.64s%s%s%s", dot + 1,
			 hint ? " (did you mean \"class." : "", hint ? cls : "", hint ? "." : "",
			 hint ? hint : "", hint ? "\"?)" : " (the metric names are in README.md)");
		return -1;
	}
	if (classes && !in_list(cls, classes, n_classes)) {
		char list[256];
		size_t used = 0;

		list[0] = '\0';
		for (size_t i = 0; i < n_classes && used < sizeof list; i++)
			used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
						 classes[i]);
		snprintf(why, n, "no class \"%.64s\" in the sweep's scenarios (classes: %s)", cls, list);
		return -1;
	}
	return 0;
}
