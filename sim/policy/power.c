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

/* ---- sleep_idle ---- */

struct sleep_state {
	double timeout_s, period_s;
	long min_awake;
	double *idle_since;   /* per node: when it was last seen going idle (INFINITY: busy) */
	uint32_t n;
};

static int sleep_init(struct dc *dc, void *p, const struct policy_choice *c,
		      const struct policy_env *env, struct err *e)
{
	struct sleep_state *st = p;

	if (!env || !env->power || !env->power->sleep || !env->power->asleep)
		return err_set(e, "power sleep_idle needs node sleep states (the serving model's power verbs), not in this build");
	st->timeout_s = policy_num(c, "timeout_s");
	st->period_s = policy_num(c, "period_s");
	st->min_awake = (long)policy_num(c, "min_awake");
	st->n = dc->n_nodes;
	st->idle_since = xmalloc((dc->n_nodes ? dc->n_nodes : 1) * sizeof *st->idle_since);
	for (uint32_t n = 0; n < dc->n_nodes; n++)
		st->idle_since[n] = dc->sim->now;
	return 0;
}

/* Idle times are observed at step resolution (period_s): a node asleep longer than timeout_s
 * by up to one period. A node is woken by the serving model when work is started on it. */
static double sleep_step(struct dc *dc, void *p, const struct policy_env *env)
{
	struct sleep_state *st = p;
	const struct power_verbs *pv = env->power;
	double now = dc->sim->now;
	long awake = 0;

	for (uint32_t n = 0; n < st->n; n++) {
		if (dc->nodes[n].busy)
			st->idle_since[n] = INFINITY;
		else if (isinf(st->idle_since[n]))
			st->idle_since[n] = now;
		awake += !pv->asleep(pv->ctx, n);
	}
	for (uint32_t n = 0; n < st->n && awake > st->min_awake; n++)
		if (!dc->nodes[n].busy && !pv->asleep(pv->ctx, n) &&
		    now - st->idle_since[n] >= st->timeout_s && pv->sleep(pv->ctx, n) == 0)
			awake--;
	return st->period_s;
}

static void sleep_fini(void *p)
{
	free(((struct sleep_state *)p)->idle_since);
}

static const struct power_ops sleep_ops = { sizeof(struct sleep_state), sleep_init, sleep_step,
					    sleep_fini };

const struct policy_desc power_sleep_idle = {
	POLICY_POWER, "sleep_idle",
	"put a node to sleep after timeout_s idle (needs sleep states); work started on it wakes it",
	power_sleep_idle_params, &sleep_ops,
};

/* ---- dvfs ---- */

struct dvfs_state {
	double up, down, period_s;
	int *ps;
	uint32_t n;
};

static int dvfs_init(struct dc *dc, void *p, const struct policy_choice *c,
		     const struct policy_env *env, struct err *e)
{
	struct dvfs_state *st = p;

	if (!env || !env->power || !env->power->set_pstate || env->power->n_pstates < 2)
		return err_set(e, "power dvfs needs power-cap states (the serving model's power verbs), not in this build");
	st->up = policy_num(c, "up_util");
	st->down = policy_num(c, "down_util");
	st->period_s = policy_num(c, "period_s");
	if (!(st->down < st->up))
		return err_set(e, "power dvfs: expected down_util < up_util, got %g and %g", st->down, st->up);
	st->n = dc->n_nodes;
	st->ps = xcalloc(dc->n_nodes ? dc->n_nodes : 1, sizeof *st->ps);
	return 0;
}

/* Utilisation is the node's busy share at the step (its slots in service). */
static double dvfs_step(struct dc *dc, void *p, const struct policy_env *env)
{
	struct dvfs_state *st = p;
	const struct power_verbs *pv = env->power;

	for (uint32_t n = 0; n < st->n; n++) {
		double util = (double)dc->nodes[n].busy / (double)dc->nodes[n].slots;
		int next = control_dvfs_next(util, st->ps[n], pv->n_pstates, st->up, st->down);
		if (next != st->ps[n]) {
			pv->set_pstate(pv->ctx, n, next);
			st->ps[n] = next;
		}
	}
	return st->period_s;
}

static void dvfs_fini(void *p)
{
	free(((struct dvfs_state *)p)->ps);
}

static const struct power_ops dvfs_ops = { sizeof(struct dvfs_state), dvfs_init, dvfs_step,
					   dvfs_fini };

const struct policy_desc power_dvfs = {
	POLICY_POWER, "dvfs",
	"per-node governor: nominal clocks above up_util, one power-cap state lower below down_util",
	power_dvfs_params, &dvfs_ops,
};
