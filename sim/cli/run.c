/* run.c — one replication: assemble, run, check the books, report (run.h). */
#include "run.h"

#include <math.h>
#include <string.h>

#include "dc/dc.h"
#include "engine/sim.h"
#include "policy/dispatch.h"
#include "policy/llm_env.h"
#include "policy/meter.h"
#include "policy/power.h"

struct run_ctx {
	struct dc dc;
	struct metrics *ms;
	double series_dt_s;
	double e_prev_j, t_prev_s;
	struct policy_env env;  /* signals policies read (policies.signals) */
	struct meter meter;     /* IT carbon/cost from those signals (policy/meter.h) */
	struct power_rt power;  /* the power policy's control steps (policy/power.h) */
	struct llm_env llm_env; /* serving-model verbs and KV view for policies */
};

static void on_warmup(struct sim *s, void *p)
{
	struct run_ctx *r = p;
	dc_reset_stats(&r->dc);
	meter_reset(&r->meter);
	r->e_prev_j = 0;
	r->t_prev_s = s->now;
}

/* Samples the time series: mean IT power over the last interval, and the state now. */
static void sample_fire(struct sim *s, void *obj, uint64_t arg)
{
	struct run_ctx *r = obj;
	double e = dc_it_energy_j(&r->dc), dt = s->now - r->t_prev_s;
	(void)arg;

	s->where = "series sample";
	if (dt > 0)
		metrics_sample(r->ms, s->now, "power_it_w", (e - r->e_prev_j) / dt);
	metrics_sample(r->ms, s->now, "queue_length", (double)r->dc.queued);
	metrics_sample(r->ms, s->now, "busy_slots", r->dc.busy_slots.value);
	r->e_prev_j = e;
	r->t_prev_s = s->now;
	if (s->now + r->series_dt_s <= s->horizon_s)
		sim_after(s, r->series_dt_s, SIM_PRIO_CONTROL, sample_fire, r, 0);
}

int run_replication(const struct scenario *sc, long rep, struct metrics *ms, struct run_info *info,
		    struct err *e)
{
	struct sim sim;
	struct run_ctx r;
	long long books;
	int rc = 0;

	sim_init(&sim);
	memset(&r, 0, sizeof r);
	r.ms = ms;
	r.series_dt_s = sc->series_interval_s;
	dc_init(&r.dc, &sim, &sc->cluster, sc->classes, sc->n_classes, sc->seed, (uint64_t)rep);
	r.env.carbon_g_per_kwh = signal_from_src(&sc->signals.carbon_g_per_kwh);
	r.env.price_usd_per_mwh = signal_from_src(&sc->signals.price_usd_per_mwh);
	r.env.renewable_w = signal_from_src(&sc->signals.renewable_w);
	if (llm_env_init(&r.llm_env, &r.dc)) {
		r.env.power = &r.llm_env.pv;
		r.env.capacity = &r.llm_env.cap;
	}
	r.env.seed = sc->seed;
	r.env.rep = (uint64_t)rep;
	if (dispatch_attach_env(&r.dc, &sc->policies[POLICY_DISPATCH], &r.env, e)) {
		dc_fini(&r.dc);
		sim_fini(&sim);
		return -1;
	}
	if (power_attach(&r.power, &r.dc, &sc->policies[POLICY_POWER], &r.env, e)) {
		power_fini(&r.power);
		dc_fini(&r.dc);
		sim_fini(&sim);
		return -1;
	}
	/* 300 s divides hourly and 5-minute traces: the meter is exact for them */
	meter_start(&r.meter, &r.dc, &r.env, 300);
	sim.on_warmup = on_warmup;
	sim.warmup_ctx = &r;
	sim.horizon_s = sc->duration_s;
	if (r.series_dt_s > 0)
		sim_after(&sim, r.series_dt_s, SIM_PRIO_CONTROL, sample_fire, &r, 0);
	dc_start_arrivals(&r.dc);
	sim_run(&sim, sc->duration_s, sc->warmup_s);

	books = dc_books_error(&r.dc);
	if (books != 0)
		rc = err_set(e, "request books do not close: %lld request(s) unaccounted for", books);
	dc_report(&r.dc, ms);
	meter_report(&r.meter, ms);
	metrics_set(ms, "sim_events", (double)sim.events, "1");
	if (!rc && metrics_check(ms, e))
		rc = -1;
	if (info) {
		info->events = sim.events;
		info->seed = sc->seed;
	}
	dc_fini(&r.dc);
	power_fini(&r.power);
	sim_fini(&sim);
	return rc;
}
