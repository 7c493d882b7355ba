/* scenario.h — a scenario file in, typed and validated configuration out.
 *
 * scenario_load reads the JSON file, applies --set overrides (PATH=VALUE, PATH in dotted form
 * with [i] indices: "policies.dispatch", "workload[0].arrival.rate_per_s"), validates every
 * value (type, range, references between sections, trace files exist and parse) and fills a
 * struct scenario whose memory lives in its own arena. The cJSON tree never leaves the loader.
 * Relative paths resolve against the scenario file's folder. Errors name the file, the JSON
 * path and what was expected, and leave *out NULL. The resolved JSON (after overrides) and its
 * hash identify the scenario in the results database.
 */
#ifndef MAASIM_SCENARIO_H
#define MAASIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "dc/cluster.h"
#include "dc/facility.h"
#include "dc/workload.h"
#include "engine/arena.h"
#include "engine/err.h"
#include "policy/policy.h"
#include "policy/signal.h"

/* models section (io/scenario_models.h): the served variant and the provenance of its factors.
 * variant NULL: dense, nothing scaled. Time factors have already been applied to the node types'
 * token rates; accuracy is the variant's measured (or published) test accuracy. */
struct model_choice {
	const char *variant;
	const char *provenance;  /* "calibrated: ..." or "published: ..." */
	const char *mapping;     /* "cpu" (measured), "gpu" (roofline from the table), "published" */
	double time_factor_prefill, time_factor_decode, memory_factor, power_factor, accuracy;
	double weight_factor_16bit; /* weight bytes vs a 16-bit model (scales serving profiles) */
};

struct scenario {
	struct arena arena;
	const char *file;      /* as given */
	const char *dir;       /* folder of the file, for relative paths */
	const char *name;
	uint64_t seed;
	double duration_s, warmup_s;
	long replications;

	struct cluster_cfg cluster;
	struct class_cfg *classes;
	size_t n_classes;
	struct policy_choice policies[POLICY_KINDS];
	struct signals_cfg signals; /* policies.signals (policy/signal.h) */

	struct model_choice model; /* models section */
	double series_interval_s; /* outputs.series_interval_s: sampling of time series (0: off) */

	struct facility_cfg facility; /* datacenter.start/control_step_s/weather/cooling/supply */

	const char *json;      /* resolved scenario, compact JSON */
	const char *params;    /* the --set overrides as a JSON object ("{}" when none) */
	char hash[17];         /* 64-bit hash of json, hex */
};

/* Loads and validates path with the given overrides ("PATH=VALUE" strings). Returns 0 and
 * *out (free with scenario_free), or -1 with e. */
int scenario_load(const char *path, const char *const *sets, size_t n_sets,
		  struct scenario **out, struct err *e);
void scenario_free(struct scenario *s);

/* 64-bit FNV-1a of data, finished with a 64-bit mix. */
uint64_t scenario_hash64(const void *data, size_t n);

#endif
