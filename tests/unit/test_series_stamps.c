/* test_series_stamps.c — every time series of a run follows one convention: a sample at t_s
 * is the mean over (t_s - series_interval_s, t_s] (power, PUE, temperature...) or the state
 * at t_s (queue_length, busy_slots, battery_soc). The cluster's power_it_w and the facility's
 * power_it_kw measure the same IT power over the same windows, so at every common stamp they
 * must agree (no server fans with the default constant-PUE cooling), and the facility's first
 * window after a 600 s warm-up ends, and is stamped, at 1200 s.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "cli/run.h"
#include "io/scenario.h"
#include "run_fixture.h"

static char dir[] = "/tmp/maasim-test-stamps.XXXXXX";

static void test_cluster_and_facility_agree(void)
{
	char scn[300];
	struct metrics ms;
	FILE *f;
	double first_fac = INFINITY;
	int n_fac = 0, matched = 0;

	snprintf(scn, sizeof scn, "%s/s.json", dir);
	f = fopen(scn, "w");
	/* load that changes over the day's first two hours: windows differ from one another */
	fputs("{\"name\": \"stamps\", \"seed\": 3, \"duration_s\": 7200, \"warmup_s\": 600,"
	      " \"datacenter\": {\"node_types\": {\"s\": {\"slots\": 4, \"power\": {\"idle_w\": 100,"
	      " \"peak_w\": 400}}}, \"nodes\": [{\"type\": \"s\", \"count\": 4}]},"
	      " \"workload\": [{\"name\": \"j\", \"kind\": \"job\", \"arrival\": {\"process\": \"poisson\","
	      " \"rate_per_s\": 0.02}, \"service\": {\"dist\": \"exponential\", \"mean_s\": 200}}],"
	      " \"policies\": {\"dispatch\": \"fifo\"}, \"outputs\": {\"series_interval_s\": 600}}", f);
	fclose(f);
	CHECK_INT(fx_run(scn, NULL, 0, 0, &ms), 0);
	for (size_t i = 0; i < ms.n_pts; i++) {
		const char *nm = ms.series_names[ms.pts[i].name_id];
		double t = ms.pts[i].t_s, kw = ms.pts[i].value;
		if (strcmp(nm, "power_it_kw") != 0)
			continue;
		n_fac++;
		first_fac = t < first_fac ? t : first_fac;
		/* every window ends on the run's 600 s grid */
		CHECK_NEAR(fmod(t, 600.0), 0, 0, 1e-9);
		for (size_t j = 0; j < ms.n_pts; j++)
			if (!strcmp(ms.series_names[ms.pts[j].name_id], "power_it_w") &&
			    ms.pts[j].t_s == t) {
				CHECK_NEAR(ms.pts[j].value / 1000, kw, 1e-9, 1e-12);
				matched++;
			}
	}
	CHECK_NEAR(first_fac, 1200, 0, 0);
	CHECK_INT(n_fac, 11);       /* (7200 - 600) / 600 windows */
	CHECK_INT(matched, n_fac);  /* each has the cluster's sample at the same stamp */
	metrics_fini(&ms);
	unlink(scn);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_cluster_and_facility_agree);
	rmdir(dir);
	return CHECK_DONE();
}
