/* scenario_facility.h — the facility sections of a scenario: datacenter.start,
 * datacenter.control_step_s, datacenter.weather, datacenter.cooling, datacenter.supply.
 *
 * Part of the scenario loader (sim/io only; it sees cJSON through the jv toolkit). Fills a
 * struct facility_cfg from the defaults (facility_cfg_default) and whatever the scenario
 * gives, resolving relative trace paths against the scenario's folder, then checks it and
 * reads every trace once (facility_new), so `maasim validate` catches a bad trace.
 */
#ifndef MAASIM_SCENARIO_FACILITY_H
#define MAASIM_SCENARIO_FACILITY_H

#include "dc/cluster.h"
#include "dc/facility.h"
#include "io/jv.h"

/* d is the datacenter object (the current jv path is "$.datacenter"); cl the loaded nodes
 * (node count, embodied carbon per type). Returns 0 or -1 with the error in v->e. */
int scenario_facility_load(struct jv *v, const char *dir, const cJSON *d,
			   const struct cluster_cfg *cl, struct facility_cfg *out);

#endif
