/* power.c — the power-policy driver and power_cap (power.h). */
#include "power.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"
#include "policy/forecast.h"

static void step_fire(struct sim *s, void *obj, uint64_t arg)
{
	struct power_rt *rt = obj;
	double dt;
	(void)arg;

	s->where = "power policy step";
	dt = rt->ops->step(rt->dc, rt->state, rt->env);
	sim_assert(s, dt > 0);
	if (s->now + dt <= s->horizon_s)
		sim_after(s, dt, SIM_PRIO_CONTROL, step_fire, rt, 0);
}

int power_attach(struct power_rt *rt, struct dc *dc, const struct policy_choice *c,
		 const struct policy_env *env, struct err *e)
{
	memset(rt, 0, sizeof *rt);
	if (!c->desc || !c->desc->ops)
		return 0;
	rt->ops = c->desc->ops;
	rt->dc = dc;
	rt->env = env;
	rt->state = xcalloc(1, rt->ops->state_size ? rt->ops->state_size : 1);
	if (rt->ops->init && rt->ops->init(dc, rt->state, c, env, e))
		return -1;
	sim_after(dc->sim, 0, SIM_PRIO_CONTROL, step_fire, rt, 0);
	return 0;
}

void power_fini(struct power_rt *rt)
{
	if (rt->ops && rt->ops->fini)
		rt->ops->fini(rt->state);
	free(rt->state);
	memset(rt, 0, sizeof *rt);
}

/* ---- power_cap ---- */

struct cap_state {
	double cap_w, floor_w, period_s;
	double idle_w, slot_w;   /* all nodes idle; the largest busy-slot power */
	long total_slots;
	struct forecast *fc;     /* follow renewables: the observed renewable power */
};

static int cap_init(struct dc *dc, void *p, const struct policy_choice *c,
		    const struct policy_env *env, struct err *e)
{
	struct cap_state *st = p;

	st->cap_w = policy_num(c, "cap_w");
	st->floor_w = policy_num(c, "floor_w");
	st->period_s = policy_num(c, "period_s");
	st->total_slots = dc->total_slots;
	for (uint32_t n = 0; n < dc->n_nodes; n++) {
		const struct node_type_cfg *t = &dc->cfg->types[dc->nodes[n].type];
		double w = (t->peak_w - t->idle_w) / t->slots;
		st->idle_w += t->idle_w;
		st->slot_w = w > st->slot_w ? w : st->slot_w;
	}
	if (st->cap_w <= 0) {
		struct forecast_cfg fcfg = { "oracle", 0, 0, 0 };
		if (!env || !signal_present(&env->renewable_w))
			return err_set(e, "power power_cap with cap_w 0 follows on-site renewables: give policies.signals.renewable_w (or a facility supply), or set cap_w");
		/* only the value now is read, which every forecaster reports as observed */
		st->fc = forecast_new(&fcfg, env->renewable_w, env->seed, env->rep,
				      POLICY_STREAM_FORECAST_RENEWABLE, e);
		if (!st->fc)
			return -1;
	}
	return 0;
}

static double cap_step(struct dc *dc, void *p, const struct policy_env *env)
{
	struct cap_state *st = p;
	double now = dc->sim->now, cap = st->cap_w, slots;
	(void)env;

	if (cap <= 0)
		cap = forecast_value(st->fc, now, now);
	if (cap < st->floor_w)
		cap = st->floor_w;
	slots = st->slot_w > 0 ? floor((cap - st->idle_w) / st->slot_w + 1e-9) : (double)st->total_slots;
	if (slots >= (double)st->total_slots)
		dc_set_busy_cap(dc, -1);
	else
		dc_set_busy_cap(dc, slots > 0 ? (long)slots : 0);
	return st->period_s;
}

static void cap_fini(void *p)
{
	forecast_free(((struct cap_state *)p)->fc);
}

static const struct power_ops cap_ops = { sizeof(struct cap_state), cap_init, cap_step, cap_fini };

const struct policy_desc power_cap = {
	POLICY_POWER, "power_cap",
	"cap IT power at cap_w, or follow on-site renewable power (cap_w 0), by limiting requests in service",
	power_cap_params, &cap_ops,
};
