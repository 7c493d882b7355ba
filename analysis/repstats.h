/* repstats.h — replication statistics for reports and checks: means, Student-t intervals, paired
 * differences and relative changes under common random numbers.
 *
 * Pure numerics on arrays of doubles: no database, no I/O. A summary of fewer than two values has
 * no standard deviation or interval; those fields are NaN and callers print "n/a" rather than a
 * made-up zero. Intervals are two-sided at the given level (0.95 for the reports).
 */
#ifndef MAASIM_REPSTATS_H
#define MAASIM_REPSTATS_H

#include <stddef.h>

struct repstats_summary {
	size_t n;    /* number of values */
	double mean; /* NaN when n == 0 */
	double sd;   /* sample standard deviation (n - 1 denominator); NaN when n < 2 */
	double half; /* half-width of the two-sided t interval of the mean; NaN when n < 2 */
};

/* The p-quantile of Student's t distribution with dof degrees of freedom (dof >= 1),
 * e.g. repstats_tquantile(0.975, 4) = 2.776. */
double repstats_tquantile(double p, double dof);

/* Mean, sd and the level (e.g. 0.95) t interval half-width of x[0..n). */
struct repstats_summary repstats_summarize(const double *x, size_t n, double level);

struct repstats_paired {
	size_t n;          /* pairs */
	struct repstats_summary diff; /* of x_i - y_i */
	double p_value;    /* two-sided paired t-test of mean difference = 0; NaN when n < 2 */
	double rel;        /* mean(x) / mean(y) - 1; NaN when mean(y) == 0 */
	double rel_half;   /* interval half-width of rel (delta method); NaN when n < 2 or no rel */
	int significant;   /* 1 when the difference interval excludes 0 (needs n >= 2) */
};

/* Compares x (a configuration) with y (the baseline), paired by index: x[i] and y[i] come from
 * the same replication, hence the same random numbers. The relative change's interval uses the
 * delta method for a ratio of paired means: the half-width is t * sd(x_i - r*y_i) / sqrt(n) /
 * |mean(y)| with r = mean(x)/mean(y). */
struct repstats_paired repstats_compare(const double *x, const double *y, size_t n, double level);

#endif
