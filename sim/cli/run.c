/* run.c — one replication: assemble, run, check the books, report (run.h). */
#include "run.h"

#include <math.h>
#include <string.h>

#include "dc/dc.h"
#include "engine/sim.h"
#include "policy/dispatch.h"

struct run_ctx {
	struct dc dc;
	struct metrics *ms;
	double series_dt_s;
	double e_prev_j, t_prev_s;
};

static void on_warmup(struct sim *s, void *p)
{
	struct run_ctx *r = p;
	dc_reset_stats(&r->dc);
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
	dispatch_attach(&r.dc, &sc->policies[POLICY_DISPATCH]);
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
	metrics_set(ms, "sim_events", (double)sim.events, "1");
	if (sc->model.variant) /* models: the served variant's measured (or published) accuracy */
		metrics_set(ms, "accuracy_mean", sc->model.accuracy, "1");
	if (!rc && metrics_check(ms, e))
		rc = -1;
	if (info) {
		info->events = sim.events;
		info->seed = sc->seed;
	}
	dc_fini(&r.dc);
	sim_fini(&sim);
	return rc;
}
