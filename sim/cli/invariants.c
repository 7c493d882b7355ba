/* invariants.c — end-of-run invariant checks (invariants.h). Pure reads of the run's state. */
#include "invariants.h"

#include <math.h>
#include <string.h>

/* relative slack for floating-point sums (energy is integrated over millions of events) */
#define REL_TOL 1e-9

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* The metric's own name, without a "class.<name>." prefix. */
static const char *base_name(const char *name)
{
	const char *dot;

	if (has_prefix(name, "class.") && (dot = strchr(name + 6, '.')) != NULL)
		return dot + 1;
	return name;
}

int invariants_check_clock(const struct sim *s, struct err *e)
{
	if (s->time_errors)
		return err_set(e, "invariant broken: simulated time went backwards (an event at t=%.17g s fired after t=%.17g s)",
			       s->time_error_t_s, s->time_error_now_s);
	if (!isfinite(s->now) || s->now < 0 || s->now > s->horizon_s * (1 + REL_TOL))
		return err_set(e, "invariant broken: the clock ended at t=%g s, outside [0, horizon %g s]",
			       s->now, s->horizon_s);
	return 0;
}

static int check_time(const struct sim *s, const struct metrics *ms, struct err *e)
{
	if (invariants_check_clock(s, e))
		return -1;
	/* each series in time order (samples of different series interleave) */
	for (size_t i = 0; i < ms->n_pts; i++)
		for (size_t j = i + 1; j < ms->n_pts; j++)
			if (ms->pts[j].name_id == ms->pts[i].name_id) {
				if (ms->pts[j].t_s < ms->pts[i].t_s)
					return err_set(e, "invariant broken: series %s goes back in time (t=%g s after t=%g s)",
						       ms->series_names[ms->pts[i].name_id],
						       ms->pts[j].t_s, ms->pts[i].t_s);
				break;
			}
	return 0;
}

static int check_energy(const struct sim *s, struct dc *dc, struct err *e)
{
	double e_j = dc_it_energy_j(dc), peak_w = 0, span_s = s->now - dc->t_stats0;
	const struct cluster_cfg *c = dc->cfg;

	int bounded = 1;

	for (size_t g = 0; g < c->n_groups; g++) {
		const struct node_type_cfg *t = &c->types[c->groups[g].type];
		peak_w += t->peak_w * c->groups[g].count;
		if (t->profile)
			bounded = 0; /* serving-profile power comes from curves, not peak_w */
	}
	if (!isfinite(e_j) || e_j < 0)
		return err_set(e, "invariant broken: IT energy is %g J; expected a finite value >= 0", e_j);
	if (bounded && e_j > peak_w * span_s * (1 + REL_TOL) + 1e-6)
		return err_set(e, "invariant broken: IT energy %.9g J exceeds every node at peak power for the whole run (%.9g W x %.9g s = %.9g J)",
			       e_j, peak_w, span_s, peak_w * span_s);
	return 0;
}

static int check_signs(const struct metrics *ms, struct err *e)
{
	/* (not cost_*: electricity prices can be negative, and so can a cost) */
	static const char *const nonneg[] = { "energy_", "carbon_", "water_", "requests_", NULL };
	static const char *const unit_interval[] = { "utilization_mean", "slo_attainment",
						     "renewable_fraction", NULL };

	for (size_t i = 0; i < ms->n; i++) {
		const char *b = base_name(ms->m[i].name);
		double v = ms->m[i].value;
		for (int k = 0; nonneg[k]; k++)
			if (has_prefix(b, nonneg[k]) && v < 0)
				return err_set(e, "invariant broken: %s = %g %s; expected >= 0",
					       ms->m[i].name, v, ms->m[i].unit);
		for (int k = 0; unit_interval[k]; k++)
			if (strcmp(b, unit_interval[k]) == 0 && !(v >= 0 && v <= 1 + REL_TOL))
				return err_set(e, "invariant broken: %s = %g; expected a fraction in [0, 1]",
					       ms->m[i].name, v);
	}
	return 0;
}

static int check_battery(const struct facility *fac, const struct battery_cfg *b,
			 const struct metrics *ms, struct err *e)
{
	const double tol = 1e-9;
	double lo, hi, soc;

	if (!fac || !b || !b->enabled)
		return 0;
	lo = b->soc_min - tol;
	hi = b->soc_max + tol;
	for (size_t i = 0; i < ms->n_pts; i++)
		if (strcmp(ms->series_names[ms->pts[i].name_id], "battery_soc") == 0 &&
		    !(ms->pts[i].value >= lo && ms->pts[i].value <= hi))
			return err_set(e, "invariant broken: battery state of charge %.9g at t=%g s; expected within [%g, %g]",
				       ms->pts[i].value, ms->pts[i].t_s, b->soc_min, b->soc_max);
	soc = facility_battery_soc(fac);
	if (!(soc >= lo && soc <= hi))
		return err_set(e, "invariant broken: battery state of charge %.9g at the end; expected within [%g, %g]",
			       soc, b->soc_min, b->soc_max);
	return 0;
}

int invariants_check(const struct sim *s, struct dc *dc, const struct facility *fac,
		     const struct battery_cfg *batt, const struct metrics *ms, struct err *e)
{
	long long books;

	if (check_time(s, ms, e))
		return -1;
	if ((books = dc_books_error(dc)) != 0)
		return err_set(e, "invariant broken: request books do not close: %lld request(s) %s",
			       books < 0 ? -books : books,
			       books > 0 ? "arrived but were neither completed, dropped nor in the system"
					 : "counted out more than came in");
	if (check_energy(s, dc, e) || check_signs(ms, e) || check_battery(fac, batt, ms, e) ||
	    metrics_check(ms, e))
		return -1;
	return 0;
}
