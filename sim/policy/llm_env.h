/* llm_env.h — the serving model's capabilities as policies see them (policy/view.h).
 *
 * Fills struct power_verbs and struct node_capacity from the LLM serving model (dc/llm.h) when
 * the datacenter has nodes with a serving profile: sleep = llm_sleep to PROFILE_SLEEP, asleep =
 * phase SLEEP or OFF (a waking replica reports IDLE), wake = nothing to do (the replica wakes
 * when a request is handed to it, paying its profile's wake latency at idle power), power-cap
 * states = llm_set_pstate, free KV = llm_kv_free_tokens, and the KV a request will reserve =
 * its input + output tokens (what the batcher reserves at admission; the output length stands
 * for the request's max_tokens, which a serving front end knows).
 */
#ifndef MAASIM_LLM_ENV_H
#define MAASIM_LLM_ENV_H

#include "dc/dc.h"
#include "policy/view.h"

struct llm_env {
	struct dc *dc;
	struct power_verbs pv;
	struct node_capacity cap;
};

/* Returns 1 and fills le when dc has serving-profile nodes, else 0 (le unusable). le must
 * outlive the policies given &le->pv and &le->cap. */
int llm_env_init(struct llm_env *le, struct dc *dc);

#endif
