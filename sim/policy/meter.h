/* meter.h — the policy-side environmental meter: IT energy weighed by the signals.
 *
 * Until the facility (cooling, supply, ledger) is in the build, the carbon and cost of a run
 * are computed here, on IT energy only: every step_s the meter takes the exact IT energy of the
 * interval (dc_it_energy_j differences; power is integrated exactly by the datacenter) and
 * weighs it by the signal's value at the interval's midpoint. With step_s dividing the signal's
 * step and aligned to it, this is exact for step-hold traces. Renewable energy used is
 * min(IT energy, renewable energy) per interval: exact when IT power is constant within an
 * interval, an upper bound otherwise (state this when reporting it).
 * Metrics (modelled, IT only, no cooling or losses):
 *   carbon_it_kg             sum of IT kWh x grid carbon g/kWh / 1000, all IT energy from the grid
 *   cost_it_usd              sum of IT MWh x price USD/MWh
 *   energy_it_renewable_kwh  IT energy coverable by on-site renewables
 *   carbon_it_net_kg         carbon of the IT energy not covered by on-site renewables
 * Facility metrics (carbon_operational_kg, cost_usd) supersede these when present.
 */
#ifndef MAASIM_METER_H
#define MAASIM_METER_H

#include "dc/dc.h"
#include "engine/metrics.h"
#include "policy/view.h"

struct meter {
	struct dc *dc;
	const struct policy_env *env;
	double step_s;
	double e_prev_j, t_prev_s;
	double carbon_g, cost_usd, renew_j, carbon_net_g;
};

/* Starts metering dc with env's signals (env and dc must outlive the run): schedules a
 * control event every step_s (> 0) from now. Does nothing when env has no signal. */
void meter_start(struct meter *m, struct dc *dc, const struct policy_env *env, double step_s);
/* Warm-up: zero the totals (call after dc_reset_stats). */
void meter_reset(struct meter *m);
/* Closes the last partial interval and appends the metrics present. */
void meter_report(struct meter *m, struct metrics *ms);

#endif
