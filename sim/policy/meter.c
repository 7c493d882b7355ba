/* meter.c — IT energy weighed by carbon, price and renewable signals (meter.h). */
#include "meter.h"

#include <math.h>

static int any_signal(const struct policy_env *env)
{
	return env && (signal_present(&env->carbon_g_per_kwh) ||
		       signal_present(&env->price_usd_per_mwh) || signal_present(&env->renewable_w));
}

/* Books the IT energy of [t_prev, now). */
static void book(struct meter *m)
{
	double now = m->dc->sim->now, e = dc_it_energy_j(m->dc), de = e - m->e_prev_j;
	double dt = now - m->t_prev_s, mid = 0.5 * (now + m->t_prev_s), kwh = de / 3.6e6;
	const struct policy_env *env = m->env;

	if (!(dt > 0))
		return;
	if (signal_present(&env->carbon_g_per_kwh))
		m->carbon_g += kwh * signal_at(&env->carbon_g_per_kwh, mid);
	if (signal_present(&env->price_usd_per_mwh))
		m->cost_usd += kwh / 1000 * signal_at(&env->price_usd_per_mwh, mid);
	if (signal_present(&env->renewable_w)) {
		double r_j = signal_at(&env->renewable_w, mid) * dt, used = de < r_j ? de : r_j;
		m->renew_j += used > 0 ? used : 0;
		if (signal_present(&env->carbon_g_per_kwh))
			m->carbon_net_g += (de - (used > 0 ? used : 0)) / 3.6e6 *
					   signal_at(&env->carbon_g_per_kwh, mid);
	}
	m->e_prev_j = e;
	m->t_prev_s = now;
}

static void tick(struct sim *s, void *obj, uint64_t arg)
{
	struct meter *m = obj;
	(void)arg;
	s->where = "policy meter";
	book(m);
	if (s->now + m->step_s <= s->horizon_s)
		sim_after(s, m->step_s, SIM_PRIO_CONTROL, tick, m, 0);
}

void meter_start(struct meter *m, struct dc *dc, const struct policy_env *env, double step_s)
{
	m->dc = dc;
	m->env = env;
	m->step_s = step_s;
	m->carbon_g = m->cost_usd = m->renew_j = m->carbon_net_g = 0;
	m->t_prev_s = dc->sim->now;
	m->e_prev_j = dc_it_energy_j(dc);
	if (any_signal(env) && step_s > 0)
		sim_after(dc->sim, step_s, SIM_PRIO_CONTROL, tick, m, 0);
}

void meter_reset(struct meter *m)
{
	if (!m->dc)
		return;
	m->carbon_g = m->cost_usd = m->renew_j = m->carbon_net_g = 0;
	m->t_prev_s = m->dc->sim->now;
	m->e_prev_j = dc_it_energy_j(m->dc); /* 0 right after dc_reset_stats */
}

void meter_report(struct meter *m, struct metrics *ms)
{
	const struct policy_env *env = m->env;

	if (!m->dc || !any_signal(env))
		return;
	book(m);
	if (signal_present(&env->carbon_g_per_kwh))
		metrics_set(ms, "carbon_it_kg", m->carbon_g / 1000, "kg");
	if (signal_present(&env->price_usd_per_mwh))
		metrics_set(ms, "cost_it_usd", m->cost_usd, "USD");
	if (signal_present(&env->renewable_w)) {
		metrics_set(ms, "energy_it_renewable_kwh", m->renew_j / 3.6e6, "kWh");
		if (signal_present(&env->carbon_g_per_kwh))
			metrics_set(ms, "carbon_it_net_kg", m->carbon_net_g / 1000, "kg");
	}
}
