/* sweep_stats.c — intervals and paired comparisons of sweep results (sweep_stats.h). Two-pass
 * formulas over at most a few thousand replications: exactness matters more than speed here. */
#include "sweep_stats.h"

#include <math.h>

#include "engine/stats.h"

/* stats_t95_halfwidth(sd, k), k >= 2, from the table when there is one (same operations) */
static double half_width(const double *t95, double sd, size_t k)
{
	return t95 ? t95[k] * sd / sqrt((double)k) : stats_t95_halfwidth(sd, k);
}

void sweep_stats_ci(const double *x, size_t n, const double *t95, struct sweep_ci *out)
{
	double sum = 0, ss = 0;
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i])) {
			sum += x[i];
			k++;
		}
	out->n = k;
	out->mean = k ? sum / (double)k : NAN;
	out->sd = out->hw = NAN;
	if (k < 2)
		return;
	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i]))
			ss += (x[i] - out->mean) * (x[i] - out->mean);
	out->sd = sqrt(ss / (double)(k - 1));
	out->hw = half_width(t95, out->sd, k);
}

void sweep_stats_paired(const double *x, const double *b, size_t n, const double *t95,
			struct sweep_paired *out)
{
	double sx = 0, sb = 0, sd2 = 0, su2 = 0, r;
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i]) && isfinite(b[i])) {
			sx += x[i];
			sb += b[i];
			k++;
		}
	out->n = k;
	out->mean = out->base_mean = out->diff = NAN;
	out->diff_sd = out->diff_hw = out->rel = out->rel_hw = NAN;
	if (!k)
		return;
	out->mean = sx / (double)k;
	out->base_mean = sb / (double)k;
	out->diff = out->mean - out->base_mean;
	r = out->base_mean != 0 ? out->mean / out->base_mean : NAN;
	if (isfinite(r))
		out->rel = r - 1;
	if (k < 2)
		return;
	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i]) && isfinite(b[i])) {
			double d = (x[i] - b[i]) - out->diff;
			sd2 += d * d;
			if (isfinite(r)) {
				double u = x[i] - r * b[i]; /* mean of u is exactly 0 */
				su2 += u * u;
			}
		}
	out->diff_sd = sqrt(sd2 / (double)(k - 1));
	out->diff_hw = half_width(t95, out->diff_sd, k);
	if (isfinite(r))
		out->rel_hw = half_width(t95, sqrt(su2 / (double)(k - 1)), k) / fabs(out->base_mean);
}
