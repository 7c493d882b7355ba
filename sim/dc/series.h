/* series.h — a regularly sampled time series on the UTC clock, and civil-time helpers.
 *
 * Every facility trace (weather, carbon, price, solar, wind) is turned into a struct series:
 * n values, the first one valid from t0_s (seconds since 1970-01-01T00:00:00Z), one every step_s.
 * A value holds over [t0 + i*step, t0 + (i+1)*step) (step-hold, the trace's own resolution: no
 * interpolation is invented). Lookups outside the sampled span wrap around cyclically (a year
 * trace repeats), so series_at never fails; facility_new checks that a dated trace covers the
 * run's start. Time zones are explicit: readers convert local labels with a UTC offset, so a
 * series knows only UTC.
 */
#ifndef MAASIM_SERIES_H
#define MAASIM_SERIES_H

#include <stddef.h>

struct series {
	double t0_s;   /* UTC epoch seconds of the first sample */
	double step_s; /* sampling interval, > 0 */
	size_t n;      /* number of samples; 0 = empty (series_at returns NaN) */
	double *v;     /* owned */
};

/* Zeroes s (empty series). series_fini frees the values; both accept an empty series. */
void series_init(struct series *s);
void series_fini(struct series *s);

/* Value at UTC epoch time t_s (step-hold, cyclic outside [t0, t0 + n*step)); NaN when empty. */
double series_at(const struct series *s, double t_s);
/* Index of the sample that holds at t_s (same wrapping rule); 0 when empty. */
size_t series_index(const struct series *s, double t_s);
/* Arithmetic mean of the samples (NaN when empty). */
double series_mean(const struct series *s);
/* 1 when [t_s, t_s + len_s) lies inside the sampled span without wrapping. */
int series_covers(const struct series *s, double t_s, double len_s);

/* Seconds since 1970-01-01T00:00:00 of the proleptic-Gregorian civil time given (no zone:
 * the caller subtracts its UTC offset). month 1..12, day 1..31. */
double series_civil_to_epoch(int year, int month, int day, int hour, int min, double sec);
/* The civil date and time of an epoch time (UTC); any output pointer may be NULL.
 * yday is the 0-based day of the year. */
void series_epoch_to_civil(double t_s, int *year, int *month, int *day, int *hour, int *min,
			   double *sec, int *yday);

#endif
