/* control.c — hysteresis, DVFS governor, battery arbitrage and quality-budget
 * rules (control.h). */
#include "control.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"

int control_hyst_update(struct control_hyst *h, double x)
{
	if (!h->on && x >= h->on_at)
		h->on = 1;
	else if (h->on && x <= h->off_at)
		h->on = 0;
	return h->on;
}

int control_dvfs_next(double util, int state, int n_states, double up_util, double down_util)
{
	if (util > up_util)
		return 0;
	if (util < down_util && state + 1 < n_states)
		return state + 1;
	return state;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double control_quantile(const double *x, size_t n, double q)
{
	double *s = xmalloc(n * sizeof *s), pos, r;
	size_t k;

	memcpy(s, x, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	pos = q * (double)(n - 1);
	k = (size_t)floor(pos);
	r = k + 1 < n ? s[k] + (pos - (double)k) * (s[k + 1] - s[k]) : s[n - 1];
	free(s);
	return r;
}

enum control_storage_cmd control_arbitrage(const double *fc, size_t n, double soc, double soc_min,
				   double soc_max, double q_lo, double q_hi, double round_trip_eff)
{
	double lo, hi;

	if (n < 2)
		return CONTROL_STORAGE_IDLE;
	lo = control_quantile(fc, n, q_lo);
	hi = control_quantile(fc, n, q_hi);
	if (hi * round_trip_eff <= lo)
		return CONTROL_STORAGE_IDLE;
	if (fc[0] <= lo && soc < soc_max)
		return CONTROL_STORAGE_CHARGE;
	if (fc[0] >= hi && soc > soc_min)
		return CONTROL_STORAGE_DISCHARGE;
	return CONTROL_STORAGE_IDLE;
}

int control_quality_mix(const double *energy, const double *accuracy, size_t n, double target,
		       size_t *bi, size_t *bj, double *bfrac)
{
	double best = INFINITY;

	for (size_t i = 0; i < n; i++) {
		for (size_t j = i; j < n; j++) {
			double f, e;
			/* fraction f on j, 1 - f on i, with accuracy exactly target when mixing */
			if (accuracy[i] >= target && (j == i || accuracy[j] >= target)) {
				f = energy[j] < energy[i] ? 1 : 0;
			} else if (accuracy[i] >= target || accuracy[j] >= target) {
				f = (target - accuracy[i]) / (accuracy[j] - accuracy[i]);
			} else {
				continue;
			}
			e = (1 - f) * energy[i] + f * energy[j];
			if (e < best - 1e-15) {
				best = e;
				*bi = i;
				*bj = j;
				*bfrac = f;
			}
		}
	}
	return isinf(best) ? -1 : 0;
}
