/* invariants.h — the end-of-run checks that decide whether a replication's numbers are results.
 *
 * After every replication run_replication calls invariants_check. A violation is a bug in a
 * model, not bad input: the replication is stored with status "failed" and the reason, its
 * numbers are discarded, the command exits 1, and the other replications (and sweep trials) go
 * on. Checked, in order (the first violation is reported):
 *  - time monotonicity: no event fired before the clock (sim_run records it), the clock ended
 *    finite and within the horizon, and every sampled series is in time order;
 *  - request conservation: arrived + in system at warm-up = completed + dropped + in system;
 *  - energy balance (IT): 0 <= IT energy <= sum of the nodes' peak power x the measured span,
 *    and finite; the upper bound applies when every node is a slot server (peak_w): nodes with
 *    an LLM serving profile draw power from its curves, so there only 0 <= energy < inf holds
 *    (the facility ledger adds its own balance with its module);
 *  - non-negative quantities: every metric named energy_*, carbon_*, water_*, cost_*, requests_*
 *    is >= 0; utilization_mean, slo_attainment and renewable_fraction lie in [0, 1];
 *  - battery state of charge (with an enabled battery): every "battery_soc" sample and the
 *    final state lie in the configured window [soc_min, soc_max];
 *  - no NaN or infinity in any metric or sample (metrics_check).
 * The facility's energy balance is the facility's own ledger (sim/dc/ledger.h): a step that does
 * not balance fails facility_step, and run_replication stores that as the failure reason.
 */
#ifndef MAASIM_INVARIANTS_H
#define MAASIM_INVARIANTS_H

#include "dc/battery.h"
#include "dc/dc.h"
#include "dc/facility.h"
#include "engine/err.h"
#include "engine/metrics.h"
#include "engine/sim.h"

/* Returns 0 when every invariant holds after the run (dc and ms as left by the run and
 * dc_report/facility_report), else -1 with e naming the invariant and the numbers that break
 * it. fac and batt may be NULL (no facility / no battery checks). */
int invariants_check(const struct sim *s, struct dc *dc, const struct facility *fac,
		     const struct battery_cfg *batt, const struct metrics *ms, struct err *e);

/* The clock alone (no event before now, clock within the horizon): called right after sim_run,
 * before anything that would report a symptom of a broken clock as its own error. */
int invariants_check_clock(const struct sim *s, struct err *e);

#endif
