/* sweep_db.h — a sweep's tables in the results database, and its statistics.
 *
 * Next to runs/metrics/timeseries (store.h) a sweep keeps (all keyed by the sweep's name, so
 * one database holds many sweeps; rerunning a sweep replaces its rows, never its runs):
 *   sweeps(sweep, file, description, replications, n_points, baseline, version, updated_at)
 *   sweep_points(sweep, point, label, scenario, scenario_hash, params, baseline_point,
 *                is_baseline, oat_input, oat_side)
 *   sweep_trials(sweep, point, replication, trial_key)      -- join runs ON trial_key
 *   sweep_stats(sweep, point, label, metric, unit, n, mean, sd, ci_lo, ci_hi)
 *   sweep_diffs(sweep, point, label, baseline_point, baseline_label, metric, unit, n, mean,
 *               baseline_mean, diff, diff_sd, diff_ci_lo, diff_ci_hi, rel_change, rel_ci_lo,
 *               rel_ci_hi)
 *   sweep_tornado(sweep, centre_point, centre_label, input, path, low, high, metric, unit,
 *                 centre_mean, low_mean, high_mean, low_diff, low_ci_lo, low_ci_hi, high_diff,
 *                 high_ci_lo, high_ci_hi, swing, rank)
 *   view sweep_results(sweep, point, label, replication, trial_key, run_id, status, metric,
 *                      value, unit)                       -- one row per metric per trial
 * Intervals are Student-t 95% (sweep_stats.h); NULL where undefined (n < 2, zero baseline).
 * All of it is written through store.h only.
 */
#ifndef MAASIM_SWEEP_DB_H
#define MAASIM_SWEEP_DB_H

#include <signal.h>
#include <stdio.h>

#include "cli/sweep_exec.h"
#include "io/store.h"

/* Creates the sweep tables and view when missing. */
int sweep_db_schema(struct store *st, struct err *e);

/* Replaces the sweep's definition rows (sweeps, sweep_points, sweep_trials) in one transaction
 * and records each point's resolved scenario. */
int sweep_db_register(struct store *st, const struct sweep_job *job, const char *version,
		      struct err *e);

/* Computes per-point statistics, paired differences with the baseline and (with an oat block)
 * the tornado table from the stored runs of the sweep; replaces sweep_stats, sweep_diffs and
 * sweep_tornado in one transaction; prints the tables of the headline metrics to out (when
 * out != NULL). Returns 0; 1 when *stop (a signal handler's flag, or NULL) was set before the
 * commit: nothing of the statistics written (the tables keep their rows from before), nothing
 * printed; or -1 with e. */
int sweep_db_stats(struct store *st, const struct sweep_job *job, FILE *out,
		   const volatile sig_atomic_t *stop, struct err *e);

#endif
