/* series.c — regularly sampled UTC time series and civil-time conversions (see series.h).
 *
 * The day count uses the closed-form days-from-civil algorithm for the proleptic Gregorian
 * calendar (years shifted to start in March so the leap day is last), which is exact for any
 * year and needs no tables.
 */
#include "series.h"

#include <math.h>
#include <stdlib.h>

void series_init(struct series *s)
{
	s->t0_s = 0;
	s->step_s = 3600;
	s->n = 0;
	s->v = NULL;
}

void series_fini(struct series *s)
{
	free(s->v);
	series_init(s);
}

size_t series_index(const struct series *s, double t_s)
{
	double k, span;

	if (s->n == 0)
		return 0;
	span = (double)s->n * s->step_s;
	k = fmod(t_s - s->t0_s, span);
	if (k < 0)
		k += span;
	size_t i = (size_t)floor(k / s->step_s);
	return i < s->n ? i : s->n - 1; /* k/step may round up to n at the very end */
}

double series_at(const struct series *s, double t_s)
{
	if (s->n == 0)
		return NAN;
	return s->v[series_index(s, t_s)];
}

double series_mean(const struct series *s)
{
	double sum = 0;

	if (s->n == 0)
		return NAN;
	for (size_t i = 0; i < s->n; i++)
		sum += s->v[i];
	return sum / (double)s->n;
}

int series_covers(const struct series *s, double t_s, double len_s)
{
	return s->n > 0 && t_s >= s->t0_s &&
	       t_s + len_s <= s->t0_s + (double)s->n * s->step_s + 1e-6;
}

static long days_from_civil(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;                                     /* [0, 399] */
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;   /* [0, 365] */
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;             /* [0, 146096] */
	return era * 146097 + doe - 719468;
}

double series_civil_to_epoch(int year, int month, int day, int hour, int min, double sec)
{
	return (double)days_from_civil(year, month, day) * 86400.0 + hour * 3600.0 + min * 60.0 + sec;
}

void series_epoch_to_civil(double t_s, int *year, int *month, int *day, int *hour, int *min,
			   double *sec, int *yday)
{
	double days_f = floor(t_s / 86400.0);
	double rem = t_s - days_f * 86400.0;
	long z = (long)days_f + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = yoe + era * 400;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	y += m <= 2;
	if (year)
		*year = (int)y;
	if (month)
		*month = m;
	if (day)
		*day = d;
	if (hour)
		*hour = (int)(rem / 3600.0);
	if (min)
		*min = (int)(fmod(rem, 3600.0) / 60.0);
	if (sec)
		*sec = fmod(rem, 60.0);
	if (yday)
		*yday = (int)(days_f - (double)days_from_civil(y, 1, 1));
}
