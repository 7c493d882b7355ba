/* ledger.c — the energy books of ledger.h. */
#include "ledger.h"

#include <math.h>
#include <string.h>

#include "engine/err.h"

static const char *const src_names[LEDGER_NSRC] = { "grid", "solar", "wind", "battery_discharge" };
static const char *const snk_names[LEDGER_NSNK] = { "it", "server_fans", "cooling", "other",
						    "battery_charge", "curtailed", "losses" };

void ledger_init(struct ledger *l)
{
	memset(l, 0, sizeof *l);
}

static void kahan_add(double *sum, double *comp, double x)
{
	double y = x - *comp;
	double t = *sum + y;
	*comp = (t - *sum) - y;
	*sum = t;
}

static double sum_exact(const double *v, int n)
{
	double s = 0, c = 0;
	for (int i = 0; i < n; i++)
		kahan_add(&s, &c, v[i]);
	return s;
}

int ledger_post(struct ledger *l, const struct ledger_step *step, double t_s, struct err *e)
{
	struct ledger_step s = *step;

	if (l->corrupt_j != 0) {
		s.snk_j[SNK_IT] += l->corrupt_j;
		l->corrupt_j = 0;
	}
	for (int i = 0; i < LEDGER_NSRC; i++)
		if (!(s.src_j[i] >= 0) || !isfinite(s.src_j[i]))
			return err_set(e, "energy ledger at t=%.0f s: source %s is %g J, expected a "
				       "finite number >= 0", t_s, src_names[i], s.src_j[i]);
	for (int i = 0; i < LEDGER_NSNK; i++)
		if (!(s.snk_j[i] >= 0) || !isfinite(s.snk_j[i]))
			return err_set(e, "energy ledger at t=%.0f s: sink %s is %g J, expected a "
				       "finite number >= 0", t_s, snk_names[i], s.snk_j[i]);
	double in = sum_exact(s.src_j, LEDGER_NSRC), out = sum_exact(s.snk_j, LEDGER_NSNK);
	double scale = fmax(fmax(in, out), 1e-300);
	double rel = fabs(in - out) / scale;
	if (in == 0 && out == 0)
		rel = 0;
	if (rel > LEDGER_TOL_REL)
		return err_set(e, "energy balance broken at t=%.0f s: sources %.17g J, sinks %.17g J, "
			       "relative error %.3g > %g", t_s, in, out, rel, LEDGER_TOL_REL);
	for (int i = 0; i < LEDGER_NSRC; i++)
		kahan_add(&l->src_j[i], &l->src_c[i], s.src_j[i]);
	for (int i = 0; i < LEDGER_NSNK; i++)
		kahan_add(&l->snk_j[i], &l->snk_c[i], s.snk_j[i]);
	l->steps++;
	if (rel > l->worst_rel)
		l->worst_rel = rel;
	return 0;
}

double ledger_sources_j(const struct ledger *l) { return sum_exact(l->src_j, LEDGER_NSRC); }
double ledger_sinks_j(const struct ledger *l) { return sum_exact(l->snk_j, LEDGER_NSNK); }

double ledger_error_rel(const struct ledger *l)
{
	double in = ledger_sources_j(l), out = ledger_sinks_j(l);
	double scale = fmax(in, out);
	return scale > 0 ? fabs(in - out) / scale : 0.0;
}

const char *ledger_src_name(int i) { return i >= 0 && i < LEDGER_NSRC ? src_names[i] : "?"; }
const char *ledger_snk_name(int i) { return i >= 0 && i < LEDGER_NSNK ? snk_names[i] : "?"; }

void ledger_test_corrupt(struct ledger *l, double delta_j) { l->corrupt_j = delta_j; }
