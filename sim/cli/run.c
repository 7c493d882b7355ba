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

struct run_ctx {
	struct dc dc;
	struct metrics *ms;
	double series_dt_s;
	double e_prev_j, t_prev_s;
	/* facility control steps (dc/facility.h): from warm-up to the horizon */
	struct facility *fac;
	double fac_step_s, fac_t_prev_s, fac_e_prev_j, fac_peak_w;
	int fac_failed, fac_steady;
	struct err fac_err;
};

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
	/* a steady facility needs no periodic steps: one step at the horizon books it exactly */
	if (!r->fac_steady && s->now + r->fac_step_s <= s->horizon_s)
		sim_after(s, r->fac_step_s, SIM_PRIO_CONTROL, facility_fire, r, 0);
}

static void on_warmup(struct sim *s, void *p)
{
	struct run_ctx *r = p;
	dc_reset_stats(&r->dc);
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
	struct sim sim;
	struct run_ctx r;
	int rc = 0;

	sim_init(&sim);
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
	dc_init(&r.dc, &sim, &sc->cluster, sc->classes, sc->n_classes, sc->seed, (uint64_t)rep);
	dispatch_attach(&r.dc, &sc->policies[POLICY_DISPATCH]);
	sim.on_warmup = on_warmup;
	sim.warmup_ctx = &r;
	sim.horizon_s = sc->duration_s;
	if (r.series_dt_s > 0)
		sim_after(&sim, r.series_dt_s, SIM_PRIO_CONTROL, sample_fire, &r, 0);
	if (!(sc->warmup_s > 0))
		facility_fire(&sim, &r, 1); /* at t = 0; else from on_warmup */
	dc_start_arrivals(&r.dc);
	corrupt_arm(&sim, &r, sc, rep);
	sim_run(&sim, sc->duration_s, sc->warmup_s);
	if (invariants_check_clock(&sim, e)) /* a broken clock first: the rest are its symptoms */
		rc = -1;
	if (!sim.stop)
		facility_advance(&r, sim.now); /* the last, partial control step */
	if (r.fac_failed && !rc) {
		err_clear(e);
		rc = err_set(e, "facility: %s", r.fac_err.msg);
	}

	dc_report(&r.dc, ms);
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
	if (sc->model.variant) /* models: the served variant's measured (or published) accuracy */
		metrics_set(ms, "accuracy_mean", sc->model.accuracy, "1");
	if (invariants_check(&sim, &r.dc, r.fac, &sc->facility.battery, ms, e)) /* e keeps the first error */
		rc = -1;
	if (info) {
		info->events = sim.events;
		info->seed = sc->seed;
	}
	dc_fini(&r.dc);
	facility_free(r.fac);
	sim_fini(&sim);
	return rc;
}
