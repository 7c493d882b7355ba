/* scenario_models.h — the scenario's `models` section: which variant is served, with what factors.
 *
 * Part of the loader (sim/io; it sees cJSON through jv). The section names one variant; its
 * factors come from a calibration table (io/caltable.h) or from published figures the scenario
 * cites, and are recorded with their provenance in struct model_choice (scenario.h). They are
 * applied at load time: a node type with a serving profile gets its prefill and decode step
 * times multiplied by the time factors and its weight bytes by the 16-bit-relative weight
 * factor (an arena copy of the profile; the result is re-checked); a token-rate node type gets
 *   prefill_tokens_per_s /= time_factor_prefill,  decode_tokens_per_s /= time_factor_decode.
 * Without a "gpu" object the factors are the CPU-measured ones; with one they are mapped onto
 * that GPU by caltable_gpu_factors (roofline). Keys and units: scenarios/README.md.
 * With a compression policy other than none (policies.compression), nothing is applied at load
 * time: the section names the table, its mapping and the base variant (default dense_fp32), and
 * the loader builds the per-request variant table (cluster_cfg.variants) and checks the policy
 * against it; each request's variant then scales its own cost (dc.c, batch.c).
 */
#ifndef MAASIM_SCENARIO_MODELS_H
#define MAASIM_SCENARIO_MODELS_H

#include "io/jv.h"

struct scenario;

/* Reads models (NULL or {}: dense, no change) into s->model and applies the time factors to
 * s->cluster's node types, or, with a compression policy, builds the variant table; call after
 * the datacenter and the policies are loaded (policies: the scenario's policies object, for
 * error paths). -1 with v->e on bad input. */
int scenario_models_load(struct jv *v, struct scenario *s, const cJSON *models,
			 const cJSON *policies);

#endif
