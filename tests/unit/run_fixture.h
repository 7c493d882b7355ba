/* run_fixture.h — running a scenario file in a unit test and reading its metrics.
 *
 * The policy, compression, facility and SLO tests all load a scenario (with --set style
 * overrides), run one replication in process and read metrics by name; these two helpers are
 * that, once. A missing metric is reported on stderr and read as NaN, so any CHECK on it fails.
 */
#ifndef MAASIM_RUN_FIXTURE_H
#define MAASIM_RUN_FIXTURE_H

#include <math.h>
#include <stdio.h>

#include "cli/run.h"
#include "engine/metrics.h"
#include "io/scenario.h"

/* Replication rep of the scenario at path with the overrides sets[0..n) ("path=value");
 * returns 0 and the metrics in ms (initialised here, caller frees), or -1 with a message. */
static inline int fx_run(const char *path, const char *const *sets, size_t n, long rep,
			 struct metrics *ms)
{
	struct scenario *s;
	struct err e = { 0 };
	int rc;

	metrics_init(ms);
	if (scenario_load(path, sets, n, &s, &e)) {
		fprintf(stderr, "  %s\n", e.msg);
		return -1;
	}
	rc = run_replication(s, rep, ms, NULL, &e);
	if (rc)
		fprintf(stderr, "  %s\n", e.msg);
	scenario_free(s);
	return rc;
}

/* The metric's value, or NaN (and a message) when the run did not write it. */
static inline double fx_metric(const struct metrics *ms, const char *name)
{
	const double *v = metrics_get(ms, name);
	if (!v)
		fprintf(stderr, "  metric %s missing\n", name);
	return v ? *v : NAN;
}

#endif
