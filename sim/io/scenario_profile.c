/* scenario_profile.c — the "profile" key of a node type (scenario_profile.h).
 *
 * "profile": "h100-llama3.1-70b-tp4"                       a built-in, as measured
 * "profile": { "base": "h100-llama3.1-70b-tp4", "max_batch": 256, "pstate": "cap-w2w" }
 * "profile": { "n_gpus": 1, "tp": 1, "gpu_mem_gb": 80, ... every table ... }   no base
 * Numbers and strings go through profile_config_set_*, tables are arrays of [x, y] pairs; the
 * result is checked by profile_config_check. The profile module's messages start with the
 * offending key ("max_batch: expected ...", "decode_step_s[2]: ..."), so the loader joins them
 * to the profile's JSON path with a dot: "$.datacenter.node_types.gpu.profile.max_batch:
 * expected an integer >= 1, got 0", the form every other scenario message has.
 */
#include "io/scenario_profile.h"

#include <string.h>

#include "dc/profile.h"
#include "engine/arena.h"

static const char *const profile_keys[] = {
	"base", "pstate", "prefill_mode", "kv_admission", "source", "n_gpus", "tp", "max_batch", "gpu_mem_gb",
	"mem_util", "weights_gb", "kv_bytes_per_token", "prefill_power_w", "idle_power_w",
	"host_frac", "sleep_power_w", "off_power_w", "wake_sleep_s", "wake_off_s", "prefill_s",
	"prefill_batch_factor", "decode_step_s", "decode_power_w", NULL
};

/* Defaults of a profile given without a base: the same cited defaults as the built-ins. */
static void blank(struct profile_config *c, const char *name)
{
	memset(c, 0, sizeof *c);
	snprintf(c->name, sizeof c->name, "%s", name);
	snprintf(c->source, sizeof c->source, "scenario");
	c->mem_util = 0.9;          /* vLLM gpu_memory_utilization default */
	c->host_frac = 25.0 / 58.0; /* Google 2025: host 25% vs accelerators 58% of energy */
	c->prefill_batch_factor.n = 1;
	c->prefill_batch_factor.x[0] = 1;
	c->prefill_batch_factor.y[0] = 1;
	c->n_pstates = 1;
	snprintf(c->pstates[0].name, sizeof c->pstates[0].name, "nominal");
	c->pstates[0].prefill_time_scale = c->pstates[0].decode_time_scale = 1;
	c->pstates[0].power_scale = 1;
}

/* msg starts with a key under the profile ("max_batch: expected ..."): path.key: ... */
static int key_fail(struct jv *v, const char *msg)
{
	return err_set(v->e, "%s: %s.%s", v->file, v->path, msg);
}

static int load_table(struct jv *v, const cJSON *arr, const char *key, struct profile_config *c)
{
	double x[PROFILE_KNOTS_MAX], y[PROFILE_KNOTS_MAX];
	int n = 0;
	const cJSON *it;

	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
	    cJSON_GetArraySize(arr) > PROFILE_KNOTS_MAX)
		return jv_fail(v, key, arr, "expected an array of 1..%d [x, y] pairs", PROFILE_KNOTS_MAX);
	cJSON_ArrayForEach(it, arr) {
		const cJSON *a = cJSON_GetArrayItem(it, 0), *b = cJSON_GetArrayItem(it, 1);
		if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) != 2 || !cJSON_IsNumber(a) ||
		    !cJSON_IsNumber(b))
			return jv_fail(v, key, it, "expected [x, y] pairs of numbers");
		x[n] = a->valuedouble;
		y[n] = b->valuedouble;
		n++;
	}
	if (profile_config_set_curve(c, key, n, x, y, v->e) < 0) {
		char keep[ERR_MSG_MAX];
		memcpy(keep, v->e->msg, sizeof keep);
		err_clear(v->e);
		return key_fail(v, keep);
	}
	return 0;
}

int scenario_load_profile(struct jv *v, const cJSON *node, const char *key, struct node_type_cfg *t)
{
	struct profile_config *c = arena_alloc(v->a, sizeof *c);
	struct err pe = { 0 };
	const char *pstate = NULL;
	size_t m = key ? jv_enter_key(v, key) : v->len;
	const cJSON *it;

	if (cJSON_IsString(node)) {
		if (profile_builtin(node->valuestring, c, &pe) < 0) /* the message names it */
			return jv_fail(v, NULL, NULL, "%s", pe.msg);
	} else if (cJSON_IsObject(node)) {
		const char *base;
		if (jv_keys(v, node, profile_keys) || jv_str(v, node, "base", 0, NULL, &base) ||
		    jv_str(v, node, "pstate", 0, NULL, &pstate))
			return -1;
		if (base) {
			if (profile_builtin(base, c, &pe) < 0)
				return jv_fail(v, "base", NULL, "%s", pe.msg);
		} else {
			blank(c, t->name);
		}
		cJSON_ArrayForEach(it, node) {
			const char *k = it->string;
			int rc = 0;
			if (!strcmp(k, "base") || !strcmp(k, "pstate"))
				continue;
			if (cJSON_IsArray(it))
				rc = load_table(v, it, k, c);
			else if (cJSON_IsNumber(it))
				rc = profile_config_set_num(c, k, it->valuedouble, &pe);
			else if (cJSON_IsString(it))
				rc = profile_config_set_str(c, k, it->valuestring, &pe);
			else
				return jv_fail(v, k, it, "expected a number, a string or a table");
			if (rc < 0)
				return pe.set ? key_fail(v, pe.msg) : -1;
		}
		if (base)
			snprintf(c->name, sizeof c->name, "%s", t->name);
	} else {
		return jv_fail(v, NULL, node, "expected a built-in profile name (see `maasim list`) or "
			       "an object {\"base\": NAME, ...overrides}");
	}
	if (profile_config_check(c, &pe) < 0)
		return key_fail(v, pe.msg);
	t->pstate = 0;
	if (pstate) {
		int i;
		for (i = 0; i < c->n_pstates && strcmp(c->pstates[i].name, pstate) != 0; i++)
			;
		if (i == c->n_pstates)
			return jv_fail(v, "pstate", jv_get(node, "pstate"),
				       "expected a power-cap state of this profile (%s%s%s%s%s)",
				       c->pstates[0].name, c->n_pstates > 1 ? ", " : "",
				       c->n_pstates > 1 ? c->pstates[1].name : "",
				       c->n_pstates > 2 ? ", " : "",
				       c->n_pstates > 2 ? c->pstates[2].name : "");
		t->pstate = i;
	}
	t->profile = c;
	jv_leave(v, m);
	return 0;
}
