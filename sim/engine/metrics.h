/* metrics.h — a run's results as named values: the bridge from models to the store.
 *
 * Models never see SQLite: at the end of a run each module appends its metrics (name, value,
 * unit) to a struct metrics, and sampled series (t_s, name, value) during the run; the command
 * line hands the whole struct to the store, which writes it in one transaction. Names follow
 * CONTRACT.md (e.g. "energy_it_kwh", per class "class.<name>.<metric>"). Adding a name twice
 * replaces the earlier value, so a module may refine a figure. Values must be finite: a NaN is a
 * broken invariant, caught by metrics_check before anything is stored.
 */
#ifndef MAASIM_METRICS_H
#define MAASIM_METRICS_H

#include <stddef.h>

#include "engine/err.h"

struct metric {
	char name[96];
	char unit[24];
	double value;
};

struct series_point {
	double t_s;
	double value;
	unsigned name_id; /* index into metrics.series_names */
};

struct metrics {
	struct metric *m;
	size_t n, cap;
	char (*series_names)[64];
	size_t n_names, cap_names;
	struct series_point *pts;
	size_t n_pts, cap_pts;
};

void metrics_init(struct metrics *ms);
void metrics_fini(struct metrics *ms);
/* Empties ms, keeping its storage. */
void metrics_reset(struct metrics *ms);

/* Sets metric name (copied; at most 95 bytes) to value with unit (e.g. "kWh", "s", "1"). */
void metrics_set(struct metrics *ms, const char *name, double value, const char *unit);
/* printf-style name: metrics_setf(ms, v, "s", "class.%s.latency_p99_s", cls). */
void metrics_setf(struct metrics *ms, double value, const char *unit, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The metric's value, or NULL when absent. */
const double *metrics_get(const struct metrics *ms, const char *name);

/* Appends one sample of the series name at time t_s. */
void metrics_sample(struct metrics *ms, double t_s, const char *name, double value);

/* -1 with e naming the first non-finite metric or sample, else 0. */
int metrics_check(const struct metrics *ms, struct err *e);

#endif
