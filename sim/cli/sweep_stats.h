/* sweep_stats.h — the statistics of a sweep: per-point intervals and paired comparisons.
 *
 * Replications are independent; within one replication every point shares its random streams
 * (common random numbers), so a point and its baseline are compared pair by pair: the difference
 * d_r = x_r - b_r of replication r, its mean, sd and Student-t 95% interval (n - 1 degrees of
 * freedom). The relative change is the ratio of means minus one, R - 1 with R = mean(x)/mean(b)
 * over the paired replications; its interval is the delta-method (linearisation) interval of a
 * ratio of paired means: u_r = x_r - R b_r, se(R) = sd(u) / (sqrt(n) |mean(b)|), half-width
 * t_{0.975, n-1} se(R) (e.g. Cochran, Sampling Techniques, 3rd ed., 1977, ch. 6 "ratio
 * estimators"). It accounts for the baseline's own noise, unlike dividing the difference's
 * interval by the baseline mean. Missing values (NaN: a failed or absent replication) are
 * skipped; a pair needs both values.
 */
#ifndef MAASIM_SWEEP_STATS_H
#define MAASIM_SWEEP_STATS_H

#include <stddef.h>

/* Both functions take t95: NULL, or a table of stats_t95_quantile(k) for k = 0..n computed once
 * by the caller (GSL's inverse t distribution is about 8,000 instructions, and a sweep's
 * statistics ask it for the same few k a few thousand times: half of their writing's
 * instructions, callgrind). The half-widths are the same to the bit either way. */

/* Mean, sample sd and 95% half-width of the finite values among x[0..n). With fewer than two
 * values sd and hw are NAN (no interval); with none the mean is NAN too. */
struct sweep_ci {
	size_t n;
	double mean, sd, hw;
};
void sweep_stats_ci(const double *x, size_t n, const double *t95, struct sweep_ci *out);

/* Paired comparison of x with baseline b (both indexed by replication, length n). rel and
 * rel_hw are NAN when the baseline mean is 0 or fewer than two pairs exist (rel alone needs
 * one pair and a non-zero baseline mean). */
struct sweep_paired {
	size_t n;                 /* replications with both values */
	double mean, base_mean;   /* means over those replications */
	double diff, diff_sd, diff_hw;
	double rel, rel_hw;       /* relative change (fraction: 0.1 = +10%) and its half-width */
};
void sweep_stats_paired(const double *x, const double *b, size_t n, const double *t95,
			struct sweep_paired *out);

#endif
