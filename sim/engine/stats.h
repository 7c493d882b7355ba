/* stats.h — streaming statistics: tallies, time-weighted tallies, quantile sketches.
 *
 * All are plain, mergeable accumulators with O(1) memory in the number of observations
 * (Cimba's cmb_datasummary/cmb_wtdsummary are the model). The quantile sketch is a log-bucket
 * histogram with relative accuracy alpha = 0.5%: a value x > 0 goes to bucket
 * ceil(log(x) / log(gamma)), gamma = (1 + alpha) / (1 - alpha), and a quantile is reported as
 * the bucket's midpoint 2 gamma^i / (gamma + 1), within alpha of every value in the bucket
 * (the DDSketch bound, Masson et al., VLDB 2019). Buckets span 1e-7 s .. 1e7 s (so 1 us .. 1 day
 * is well inside); values outside are counted in an underflow or overflow bucket and reported
 * as the observed min or max. Sketches merge by adding counts, so replications pool exactly.
 */
#ifndef MAASIM_STATS_H
#define MAASIM_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Running tally (Welford; merge by Chan et al.). */
struct tally {
	uint64_t n;
	double mean, m2, min, max;
};

void tally_init(struct tally *t);
void tally_add(struct tally *t, double x);
void tally_merge(struct tally *into, const struct tally *from);
double tally_var(const struct tally *t);   /* sample variance, 0 when n < 2 */
double tally_sd(const struct tally *t);

/* Time-weighted tally of a piecewise-constant signal. */
struct wtally {
	double t0, t_last, value, area, min, max;
};

void wtally_init(struct wtally *w, double t0_s, double value);
/* The signal changes to value at time t_s (>= last change). */
void wtally_set(struct wtally *w, double t_s, double value);
/* Mean over [t0, t_s]. */
double wtally_mean(const struct wtally *w, double t_s);
/* Restarts the average at t_s keeping the current value (warm-up). */
void wtally_reset(struct wtally *w, double t_s);

#define QSKETCH_ALPHA 0.005
#define QSKETCH_MIN 1e-7
#define QSKETCH_MAX 1e7
#define QSKETCH_NB 3226 /* ceil(log(QSKETCH_MAX / QSKETCH_MIN) / log(gamma)) + 2 */

struct qsketch {
	uint64_t n, under, over;
	double min, max;
	uint32_t lo, hi;     /* range of buckets used, for fast scans */
	uint64_t *count;     /* QSKETCH_NB buckets */
};

void qsketch_init(struct qsketch *q);
void qsketch_fini(struct qsketch *q);
void qsketch_reset(struct qsketch *q);
void qsketch_add(struct qsketch *q, double x);
void qsketch_merge(struct qsketch *into, const struct qsketch *from);
/* The p-quantile (0 <= p <= 1), NAN when empty. */
double qsketch_quantile(const struct qsketch *q, double p);
/* Fraction of values <= x. */
double qsketch_cdf(const struct qsketch *q, double x);

/* Student-t 95% half-width of the mean of n values with sample sd (0 when n < 2). */
double stats_t95_halfwidth(double sd, uint64_t n);

#endif
