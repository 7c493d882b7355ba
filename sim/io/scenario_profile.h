/* scenario_profile.h — the "profile" key of a node type: a built-in serving profile by name, or
 * an object of overrides on a base profile (or a complete profile). Part of the scenario loader
 * (sim/io only; includes cJSON). Keys, units and sources: scenarios/README.md, section
 * "Serving profiles". */
#ifndef MAASIM_SCENARIO_PROFILE_H
#define MAASIM_SCENARIO_PROFILE_H

#include <cjson/cJSON.h>

#include "dc/cluster.h"
#include "io/jv.h"

/* Reads node (the current jv path names its node type; node is the value of its key "key",
 * "profile", or, key NULL, the node type itself: a built-in's name given as the type) into an
 * arena copy of a checked struct profile_config stored in t->profile, and the initial power-cap
 * state into t->pstate. Returns 0, or -1 with v's error naming the JSON path. */
int scenario_load_profile(struct jv *v, const cJSON *node, const char *key, struct node_type_cfg *t);

#endif
