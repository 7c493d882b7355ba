/* study_fixture.h — builds a small synthetic study database through the store API, for the
 * analysis tests (they stay independent of the simulator).
 *
 * Two points of scenario "demo" (the scenario as written, params "{}", and
 * {"policies.dispatch":"least_loaded"}), 3 replications each with seeds 101..103 shared across
 * points (common random numbers), plus one failed run in the second point. The numbers are made
 * up for the test and say so nowhere else: least_loaded cuts operational carbon by about 22.6%
 * (exactly: mean 78.1 against 101) and raises p99 latency by 4% with a deterministic pattern,
 * energy is unchanged within noise. When series is set, every run also gets 24 hourly samples of
 * the series the report plots. fixture_read_stream and fixture_read_file read back what the
 * analysis wrote; fixture_remove_dir clears the test's temporary folder.
 */
#ifndef MAASIM_STUDY_FIXTURE_H
#define MAASIM_STUDY_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "analysis/sbuf.h"
#include "engine/metrics.h"
#include "io/store.h"

static int fixture_study(const char *path, int series)
{
	struct err e = { 0 };
	struct store *s = store_open(path, STORE_CREATE, &e);
	const char *params[2] = { "{}", "{\"policies.dispatch\":\"least_loaded\"}" };
	struct metrics ms;

	if (!s) {
		fprintf(stderr, "fixture: %s\n", e.msg);
		return -1;
	}
	metrics_init(&ms);
	store_put_scenario(s, "h1", "demo",
			   "{\"name\":\"demo <b>&</b>\",\"datacenter\":{\"weather\":{\"path\":"
			   "\"traces/weather.csv\"}},\"policies\":{\"dispatch\":\"fifo\"}}",
			   &e);
	store_put_scenario(s, "h2", "demo", "{\"name\":\"demo\",\"policies\":{\"dispatch\":"
			   "\"least_loaded\"}}", &e);
	for (int p = 0; p < 2; p++)
		for (int r = 0; r < 3; r++) {
			char seed_str[16];
			struct store_run run = { .scenario = "demo", .scenario_hash = p ? "h2" : "h1",
						 .params = params[p], .replication = r,
						 .seed = (unsigned long long)(101 + r), .status = "ok",
						 .version = "0.1-test", .started_at = "2026-11-28T12:00:00Z",
						 .wall_s = 1.5 };
			snprintf(seed_str, sizeof seed_str, "%d", 101 + r);
			metrics_reset(&ms);
			metrics_set(&ms, "carbon_operational_kg", p ? 77 + 1.1 * r : 100 + r, "kg");
			metrics_set(&ms, "latency_p99_s", (p ? 1.04 : 1.0) * (2 + 0.1 * r), "s");
			metrics_set(&ms, "latency_p50_s", 0.5 + 0.01 * r, "s");
			metrics_set(&ms, "ttft_p99_s", 0.2 + 0.01 * r + 0.001 * p, "s");
			metrics_set(&ms, "energy_facility_kwh", 500 + (r == 1 ? 3 : -1.5) * (p ? 1 : -1), "kWh");
			metrics_set(&ms, "accuracy_mean", p ? 0.80 : 0.82, "1");
			metrics_set(&ms, "renewable_fraction", 0.3 + 0.02 * r, "1");
			if (series)
				for (int h = 0; h < 24; h++) {
					double t = 3600.0 * h, temp = 10 + 8 * sin(h / 24.0 * 6.283);
					metrics_sample(&ms, t, "power_it_w", 8000 + 100 * h + 50 * p);
					/* IT power in both units: the report draws the kW one */
					metrics_sample(&ms, t, "power_it_kw", 8 + 0.1 * h + 0.05 * p);
					metrics_sample(&ms, t, "power_cooling_kw", 1 + 0.04 * temp);
					metrics_sample(&ms, t, "power_solar_kw", h > 6 && h < 18 ? 3 : 0);
					metrics_sample(&ms, t, "power_grid_kw", 9 + 0.04 * temp + 0.1 * h
										- (h > 6 && h < 18 ? 3 : 0));
					metrics_sample(&ms, t, "temp_out_c", temp);
					metrics_sample(&ms, t, "pue", 1.05 + 0.01 * temp);
					metrics_sample(&ms, t, "carbon_intensity_g_per_kwh", 300 + 100 * cos(h / 4.0));
					metrics_sample(&ms, t, "utilization", 0.5 + 0.3 * sin(h / 5.0));
					metrics_sample(&ms, t, "deferred_jobs", p ? (h % 6) : 0);
					metrics_sample(&ms, t, "battery_soc", 0.5 + 0.4 * sin(h / 7.0));
				}
			if (store_write_run(s, &run, &ms, NULL, &e)) {
				fprintf(stderr, "fixture: %s\n", e.msg);
				return -1;
			}
		}
	struct store_run bad = { .scenario = "demo", .scenario_hash = "h2", .params = params[1],
				 .replication = 3, .seed = 104, .status = "failed",
				 .message = "energy balance did not close", .version = "0.1-test",
				 .started_at = "2026-11-28T12:01:00Z", .wall_s = 0.5 };
	metrics_reset(&ms);
	store_write_run(s, &bad, &ms, NULL, &e);
	metrics_fini(&ms);
	store_close(s);
	return e.set ? -1 : 0;
}

/* The rest of the open stream f as a malloc'd string; closes f. */
static inline char *fixture_read_stream(FILE *f)
{
	struct sbuf b;
	char buf[4096];
	size_t n;

	sbuf_init(&b);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sbuf_addn(&b, buf, n);
	fclose(f);
	return b.s;
}

/* The whole file at path as a malloc'd string, or NULL when it cannot be opened. */
static inline char *fixture_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	return f ? fixture_read_stream(f) : NULL;
}

/* Removes the folder dir and everything in it (rm -rf); a failure is ignored (it is in /tmp). */
static inline void fixture_remove_dir(const char *dir)
{
	char cmd[700];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd)) {
	}
}

#endif
