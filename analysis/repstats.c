/* repstats.c — replication statistics (repstats.h).
 *
 * Two-pass mean and variance (the values are few, accuracy beats speed); t quantiles from GSL's
 * gsl_cdf_tdist_Pinv, so the intervals match any statistics package.
 */
#include "analysis/repstats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

double repstats_tquantile(double p, double dof)
{
	return gsl_cdf_tdist_Pinv(p, dof);
}

struct repstats_summary repstats_summarize(const double *x, size_t n, double level)
{
	struct repstats_summary s = { n, NAN, NAN, NAN };
	double sum = 0, ss = 0;

	if (n == 0)
		return s;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	s.mean = sum / (double)n;
	if (n < 2)
		return s;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - s.mean) * (x[i] - s.mean);
	s.sd = sqrt(ss / (double)(n - 1));
	s.half = repstats_tquantile(1 - (1 - level) / 2, (double)(n - 1)) * s.sd / sqrt((double)n);
	return s;
}

struct repstats_paired repstats_compare(const double *x, const double *y, size_t n, double level)
{
	struct repstats_paired c = { .n = n, .p_value = NAN, .rel = NAN, .rel_half = NAN };
	double mx = 0, my = 0, ss = 0;

	c.diff = repstats_summarize(NULL, 0, level);
	if (n == 0)
		return c;
	for (size_t i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	c.diff.n = n;
	c.diff.mean = mx - my;
	if (my != 0)
		c.rel = mx / my - 1;
	if (n < 2)
		return c;
	for (size_t i = 0; i < n; i++) {
		double d = x[i] - y[i] - c.diff.mean;
		ss += d * d;
	}
	c.diff.sd = sqrt(ss / (double)(n - 1));
	double tq = repstats_tquantile(1 - (1 - level) / 2, (double)(n - 1));
	double se = c.diff.sd / sqrt((double)n);
	c.diff.half = tq * se;
	if (se > 0)
		c.p_value = 2 * gsl_cdf_tdist_Q(fabs(c.diff.mean) / se, (double)(n - 1));
	else
		c.p_value = c.diff.mean == 0 ? 1.0 : 0.0;
	c.significant = c.diff.mean - c.diff.half > 0 || c.diff.mean + c.diff.half < 0;
	if (my != 0) {
		double r = mx / my, sr = 0;
		for (size_t i = 0; i < n; i++) {
			double d = x[i] - r * y[i]; /* mean of d is exactly 0 */
			sr += d * d;
		}
		c.rel_half = tq * sqrt(sr / (double)(n - 1)) / sqrt((double)n) / fabs(my);
	}
	return c;
}
