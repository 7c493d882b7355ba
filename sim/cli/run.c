/* run.c — one replication: assemble, run, check the books, report (run.h). */
#include "run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/invariants.h"
#include "dc/dc.h"
#include "dc/facility.h"
#include "engine/sim.h"
#include "policy/dispatch.h"
#include "engine/xalloc.h"
#include "policy/kinds.h"
#include "policy/llm_env.h"
#include "policy/meter.h"
#include "policy/power.h"

struct run_ctx {
	struct dc dc;
	struct metrics *ms;
	double series_dt_s;
	double e_prev_j, t_prev_s;
	struct policy_env env;  /* what policies read: policies.signals, else the facility's */
	struct policy_env study_env; /* policies.signals alone, for the meter */
	struct meter meter;     /* IT carbon/cost from policies.signals (policy/meter.h) */
	struct power_rt power;  /* the power policy's control steps (policy/power.h) */
	struct llm_env llm_env; /* serving-model verbs and KV view for policies */
	const struct storage_ops *batt_ops; /* policies.battery, when the supply has a battery */
	void *batt_state;
	const struct battery_cfg *batt_cfg;
	const struct cooling_ops *cool_ops; /* policies.cooling, when the plant is physical */
	void *cool_state;
	double cool_t_s;        /* midpoint of the coming control step (the what-if's weather) */
	double cool_config_c;   /* datacenter.cooling.supply_air_c */
	/* facility control steps (dc/facility.h): from warm-up to the horizon */
	struct facility *fac;
	double fac_step_s, fac_t_prev_s, fac_e_prev_j, fac_peak_w;
	int fac_failed, fac_steady;
	struct err fac_err;
};

/* The facility's signals as policies read them (policy/signal.h): the facility's traces hold
 * over hours (5-minute traces are read exactly by value; forecast means take hourly pieces). */
static double fac_carbon(const void *f, double t_s) { return facility_carbon_avg(f, t_s); }
static double fac_price(const void *f, double t_s) { return facility_price(f, t_s); }
static double fac_renewable(const void *f, double t_s) { return facility_renewable_w(f, t_s); }

/* The signal of src when policies.signals gives it, else the facility's. */
static struct signal pick_signal(const struct signal_src *src, double (*fac_at)(const void *, double),
				 const struct facility *fac, double start_epoch_s)
{
	if (src->kind != SIGNAL_SRC_NONE)
		return signal_from_src(src);
	/* pieces start on whole UTC hours, as the traces' rows do */
	return (struct signal){ fac_at, fac, 3600, -fmod(start_epoch_s, 3600) };
}

/* One facility control step: hands the exact IT energy since the last step to the facility. */
static int facility_advance(struct run_ctx *r, double now)
{
	double e = dc_it_energy_j(&r->dc);

	if (r->fac_failed || !(now > r->fac_t_prev_s))
		return 0;
	if (facility_step(r->fac, r->fac_t_prev_s, now, e - r->fac_e_prev_j, r->fac_peak_w,
			  &r->fac_err)) {
		r->fac_failed = 1;
		return -1;
	}
	r->fac_t_prev_s = now;
	r->fac_e_prev_j = e;
	return 0;
}

/* The battery policy's command for the next control step, handed to the facility. */
static void battery_decide(struct run_ctx *r, double now)
{
	const struct battery_cfg *b = r->batt_cfg;
	struct storage_view v = { now, facility_battery_soc(r->fac), b->soc_min, b->soc_max, b->rt_eff, 0 };

	switch (r->batt_ops->decide(r->batt_state, &v)) {
	case CONTROL_STORAGE_CHARGE:
		facility_set_dispatch(r->fac, FAC_DISPATCH_CHARGE, b->max_charge_kw * 1000);
		break;
	case CONTROL_STORAGE_DISCHARGE:
		facility_set_dispatch(r->fac, FAC_DISPATCH_DISCHARGE, b->max_discharge_kw * 1000);
		break;
	case CONTROL_STORAGE_IDLE:
		facility_set_dispatch(r->fac, FAC_DISPATCH_IDLE, 0);
		break;
	case CONTROL_STORAGE_SELF:
		facility_set_dispatch(r->fac, FAC_DISPATCH_SELF, 0);
		break;
	}
}

/* The cooling policy's what-if: the plant at the coming step's weather (policy/kinds.h). */
static double cool_what_if(const void *ctx, double supply_c, double *chiller_frac)
{
	const struct run_ctx *r = ctx;
	struct cooling_out o;
	double p = facility_cooling_what_if(r->fac, r->cool_t_s, supply_c, &o);
	*chiller_frac = isnan(p) ? 1.0 : o.chiller_frac;
	return p;
}

/* The cooling policy's setpoint for the next control step, handed to the facility. */
static int cooling_decide(struct run_ctx *r, double now)
{
	struct cooling_view v = { now, r->cool_config_c, cool_what_if, r };
	double sp;

	r->cool_t_s = now + 0.5 * r->fac_step_s;
	sp = r->cool_ops->setpoint_c(r->cool_state, &v);
	if (!(fabs(sp - facility_supply_air_c(r->fac)) > 0))
		return 0;
	return facility_set_supply_air(r->fac, sp, &r->fac_err);
}

static void facility_fire(struct sim *s, void *obj, uint64_t start)
{
	struct run_ctx *r = obj;

	s->where = "facility control step";
	if (start) { /* at warm-up (after the reset) or t = 0: the books start here */
		r->fac_t_prev_s = s->now;
		r->fac_e_prev_j = dc_it_energy_j(&r->dc);
	} else if (facility_advance(r, s->now)) {
		s->stop = 1;
		return;
	}
	if (r->batt_ops)
		battery_decide(r, s->now);
	if (r->cool_ops && cooling_decide(r, s->now)) { /* out of the plant's ranges: a bug */
		r->fac_failed = 1;
		s->stop = 1;
		return;
	}
	/* a steady facility needs no periodic steps: one step at the horizon books it exactly */
	if (!r->fac_steady && s->now + r->fac_step_s <= s->horizon_s)
		sim_after(s, r->fac_step_s, SIM_PRIO_CONTROL, facility_fire, r, 0);
}

static void on_warmup(struct sim *s, void *p)
{
	struct run_ctx *r = p;
	dc_reset_stats(&r->dc);
	meter_reset(&r->meter);
	r->e_prev_j = 0;
	r->t_prev_s = s->now;
	facility_fire(s, r, 1); /* the facility's books start with the measured period */
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

#ifdef MAASIM_FAULT
/* Test builds only (-DMAASIM_FAULT): MAASIM_TEST_CORRUPT=books|energy|time|nan|ledger breaks the model
 * on purpose half-way through the measured period of replication MAASIM_TEST_CORRUPT_REP
 * (default 0), so the suite can check that invariants_check catches it and the run is stored as
 * failed (tests/sh/t_invariants.sh). */
static void corrupt_fire(struct sim *s, void *obj, uint64_t arg)
{
	struct run_ctx *r = obj;
	const char *how = getenv("MAASIM_TEST_CORRUPT");
	(void)arg;

	if (strcmp(how, "books") == 0)
		r->dc.classes[0].st.completed++; /* a completion counted twice: a request too many */
	else if (strcmp(how, "energy") == 0)
		r->dc.it_energy_j += 1e30; /* energy from nowhere */
	else if (strcmp(how, "time") == 0)
		evq_push(&s->q, s->now - 1.0, SIM_PRIO_DEFAULT, corrupt_fire, r, 1); /* into the past */
	else if (strcmp(how, "nan") == 0)
		r->dc.it_power_w = NAN;
	else if (strcmp(how, "ledger") == 0)
		facility_test_corrupt_ledger(r->fac, 1e6); /* 1 MJ booked nowhere */
}

static void corrupt_arm(struct sim *s, struct run_ctx *r, const struct scenario *sc, long rep)
{
	const char *how = getenv("MAASIM_TEST_CORRUPT"), *at = getenv("MAASIM_TEST_CORRUPT_REP");

	if (how && *how && rep == (at ? atol(at) : 0))
		sim_at(s, sc->warmup_s + 0.5 * (sc->duration_s - sc->warmup_s), SIM_PRIO_DEFAULT,
		       corrupt_fire, r, 0);
}
#else
static void corrupt_arm(struct sim *s, struct run_ctx *r, const struct scenario *sc, long rep)
{
	(void)s, (void)r, (void)sc, (void)rep;
}
#endif

int run_replication(const struct scenario *sc, long rep, struct metrics *ms, struct run_info *info,
		    struct err *e)
{
	return run_replication_interruptible(sc, rep, ms, info, NULL, e);
}

int run_replication_interruptible(const struct scenario *sc, long rep, struct metrics *ms,
				  struct run_info *info, const volatile sig_atomic_t *interrupt,
				  struct err *e)
{
	struct sim sim;
	struct run_ctx r;
	int rc = 0;

	sim_init(&sim);
	sim.interrupt = interrupt;
	memset(&r, 0, sizeof r);
	r.ms = ms;
	r.series_dt_s = sc->series_interval_s;
	r.fac = facility_new(&sc->facility, e);
	if (!r.fac) {
		sim_fini(&sim);
		return -1;
	}
	r.fac_step_s = sc->facility.control_step_s;
	r.fac_peak_w = sc->facility.design_it_w;
	r.fac_steady = facility_is_steady(r.fac);
	/* before dc_init, whose dc_set_chain holds events due by the horizon: the first arrival
	 * too */
	sim.horizon_s = sc->duration_s;
	dc_init(&r.dc, &sim, &sc->cluster, sc->classes, sc->n_classes, sc->seed, (uint64_t)rep);
	r.study_env.carbon_g_per_kwh = signal_from_src(&sc->signals.carbon_g_per_kwh);
	r.study_env.price_usd_per_mwh = signal_from_src(&sc->signals.price_usd_per_mwh);
	r.study_env.renewable_w = signal_from_src(&sc->signals.renewable_w);
	r.env.carbon_g_per_kwh = pick_signal(&sc->signals.carbon_g_per_kwh, fac_carbon, r.fac,
					     sc->facility.start_epoch_s);
	r.env.price_usd_per_mwh = pick_signal(&sc->signals.price_usd_per_mwh, fac_price, r.fac,
					      sc->facility.start_epoch_s);
	r.env.renewable_w = pick_signal(&sc->signals.renewable_w, fac_renewable, r.fac,
					sc->facility.start_epoch_s);
	if (llm_env_init(&r.llm_env, &r.dc)) {
		r.env.power = &r.llm_env.pv;
		r.env.capacity = &r.llm_env.cap;
	}
	r.env.seed = sc->seed;
	r.env.rep = (uint64_t)rep;
	/* self_consumption leaves the battery to the facility's own datacenter.supply.battery.dispatch */
	if (sc->facility.battery.enabled && sc->policies[POLICY_BATTERY].desc &&
	    sc->policies[POLICY_BATTERY].desc != &storage_self_consumption) {
		r.batt_ops = sc->policies[POLICY_BATTERY].desc->ops;
		r.batt_cfg = &sc->facility.battery;
		r.batt_state = xcalloc(1, r.batt_ops->state_size);
	}
	/* cooling branch: a setpoint policy drives the physical plant (the loader checked it has one) */
	if (facility_has_plant(r.fac) && sc->policies[POLICY_COOLING].desc &&
	    sc->policies[POLICY_COOLING].desc->ops) {
		r.cool_ops = sc->policies[POLICY_COOLING].desc->ops;
		r.cool_state = xcalloc(1, r.cool_ops->state_size);
		r.cool_config_c = sc->facility.cooling.supply_air_c;
	}
	if ((r.cool_ops && r.cool_ops->init(r.cool_state, &sc->policies[POLICY_COOLING]) &&
	     err_set(e, "cooling policy %s: bad parameters", sc->policies[POLICY_COOLING].desc->name)) ||
	    dispatch_attach_env(&r.dc, &sc->policies[POLICY_DISPATCH], &r.env, e) ||
	    compress_attach(&r.dc, &sc->policies[POLICY_COMPRESSION], &r.env, e) ||
	    power_attach(&r.power, &r.dc, &sc->policies[POLICY_POWER], &r.env, e) ||
	    (r.batt_ops && r.batt_ops->init(r.batt_state, &sc->policies[POLICY_BATTERY], &r.env, e))) {
		if (r.batt_ops)
			r.batt_ops->fini(r.batt_state);
		free(r.batt_state);
		free(r.cool_state);
		power_fini(&r.power);
		dc_fini(&r.dc);
		facility_free(r.fac);
		sim_fini(&sim);
		return -1;
	}
	/* 300 s divides hourly and 5-minute traces: the meter is exact for them */
	meter_start(&r.meter, &r.dc, &r.study_env, 300);
	sim.on_warmup = on_warmup;
	sim.warmup_ctx = &r;
	if (r.series_dt_s > 0)
		sim_after(&sim, r.series_dt_s, SIM_PRIO_CONTROL, sample_fire, &r, 0);
	if (!(sc->warmup_s > 0))
		facility_fire(&sim, &r, 1); /* at t = 0; else from on_warmup */
	dc_start_arrivals(&r.dc);
	corrupt_arm(&sim, &r, sc, rep);
	sim_run(&sim, sc->duration_s, sc->warmup_s);
	if (sim.interrupted) { /* no books, no checks: nothing of a partial run is reported */
		metrics_reset(ms);
		rc = 1;
		goto done;
	}
	if (invariants_check_clock(&sim, e)) /* a broken clock first: the rest are its symptoms */
		rc = -1;
	if (!sim.stop)
		facility_advance(&r, sim.now); /* the last, partial control step */
	if (r.fac_failed && !rc) {
		err_clear(e);
		rc = err_set(e, "facility: %s", r.fac_err.msg);
	}

	dc_report(&r.dc, ms);
	meter_report(&r.meter, ms);
	facility_report(r.fac, ms);
	{ /* per request at the facility level (CONTRACT.md carbon_per_request_g) */
		const double *done = metrics_get(ms, "requests_completed");
		const double *op = metrics_get(ms, "carbon_operational_kg");
		const double *emb = metrics_get(ms, "carbon_embodied_kg");
		const double *fac = metrics_get(ms, "energy_facility_kwh");
		if (done && *done > 0 && op && emb && fac) {
			metrics_set(ms, "carbon_per_request_g", (*op + *emb) * 1000.0 / *done, "g");
			metrics_set(ms, "energy_facility_per_request_wh", *fac * 1000.0 / *done, "Wh");
		}
	}
	if (!rc) { /* both books see the same IT energy, or the wiring is broken */
		double it_dc = dc_it_energy_j(&r.dc), it_fac = facility_energy_j(r.fac, "it");
		if (fabs(it_dc - it_fac) > 1e-9 * fmax(it_dc, 1.0))
			rc = err_set(e, "facility books %.17g J of IT energy, the cluster %.17g J",
				     it_fac, it_dc);
	}
	metrics_set(ms, "sim_events", (double)sim.events, "1");
	/* models: the served variant's measured (or published) accuracy; with a compression
	 * policy the datacenter books each request's own (dc_report) */
	if (sc->model.variant && !sc->cluster.n_variants)
		metrics_set(ms, "accuracy_mean", sc->model.accuracy, "1");
	if (invariants_check(&sim, &r.dc, r.fac, &sc->facility.battery, ms, e)) /* e keeps the first error */
		rc = -1;
done:
	if (info) {
		info->events = sim.events;
		info->seed = sc->seed;
	}
	dc_fini(&r.dc);
	power_fini(&r.power);
	if (r.batt_ops)
		r.batt_ops->fini(r.batt_state);
	free(r.batt_state);
	free(r.cool_state);
	facility_free(r.fac);
	sim_fini(&sim);
	return rc;
}
