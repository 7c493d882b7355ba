/* llm_env.c — power verbs and KV view from the LLM serving model (llm_env.h). */
#include "llm_env.h"

#include <string.h>

#include "dc/llm.h"
#include "dc/profile.h"

static int le_sleep(void *ctx, uint32_t n)
{
	struct llm_env *le = ctx;
	return llm_sleep(le->dc, n, PROFILE_SLEEP);
}

static int le_wake(void *ctx, uint32_t n)
{
	(void)ctx, (void)n;
	return 0; /* the replica wakes when a request is handed to it */
}

static int le_asleep(void *ctx, uint32_t n)
{
	struct llm_env *le = ctx;
	int ph = llm_phase(le->dc, n);
	return ph == PROFILE_SLEEP || ph == PROFILE_OFF;
}

static void le_set_pstate(void *ctx, uint32_t n, int ps)
{
	struct llm_env *le = ctx;
	if (ps < llm_n_pstates(le->dc, n))
		llm_set_pstate(le->dc, n, ps);
}

static double le_kv_free(const void *ctx, uint32_t n)
{
	const struct llm_env *le = ctx;
	return llm_kv_free_tokens(le->dc, n);
}

static double le_kv_need(const void *ctx, uint32_t r)
{
	const struct llm_env *le = ctx;
	return (double)le->dc->req[r].in_tokens + (double)le->dc->req[r].out_tokens;
}

int llm_env_init(struct llm_env *le, struct dc *dc)
{
	int nps = 0;

	memset(le, 0, sizeof *le);
	le->dc = dc;
	for (uint32_t n = 0; n < dc->n_nodes; n++)
		if (llm_node(dc, n)) {
			int k = llm_n_pstates(dc, n);
			nps = nps == 0 || k < nps ? k : nps;
		}
	if (!nps)
		return 0;
	le->pv = (struct power_verbs){ le, nps, le_sleep, le_wake, le_asleep, le_set_pstate, NULL, NULL };
	le->cap = (struct node_capacity){ le, le_kv_free, le_kv_need };
	return 1;
}
