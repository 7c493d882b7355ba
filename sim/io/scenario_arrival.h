/* scenario_arrival.h — the "diurnal" and "mmpp" arrival processes of a workload class: part of
 * the scenario loader (sim/io only; includes cJSON). Keys: scenarios/README.md. */
#ifndef MAASIM_SCENARIO_ARRIVAL_H
#define MAASIM_SCENARIO_ARRIVAL_H

#include <cjson/cJSON.h>

#include "dc/workload.h"
#include "io/jv.h"

/* Reads a diurnal or mmpp arrival object o (its kind already in a->kind; the jv path names the
 * arrival) into a; path is the already resolved "path" key of a diurnal shape file, or NULL.
 * Returns 0 or -1 with v's error. */
int scenario_load_modulated(struct jv *v, const cJSON *o, const char *path,
			    struct arrival_cfg *a);

#endif
