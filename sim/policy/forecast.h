/* forecast.h — forecasters: what a policy is told about a signal's future.
 *
 * Policies never read a signal (policy/signal.h) directly: they ask a forecaster, which sees
 * the truth and returns its forecast of the value at a target time t_s issued at time now_s.
 * The past and the current step of the signal (t_s in a step that has begun by now_s) are known
 * exactly: they have been observed. Forecasters are named
 * entries of a static const registry (like policies), so a study can swap them:
 *   oracle       the truth (perfect foresight: the upper bound of what shifting can save)
 *   persistence  the value observed one period (default 24 h) before the target, stepping back
 *                whole periods until it is in the past ("same hour yesterday")
 *   noisy        truth x (1 + sigma z_k), z an AR(1) sequence over the signal's steps k with
 *                lag-one correlation rho and unit variance, drawn from its own RNG stream; the
 *                error of a step does not depend on when it is asked (one forecast issue),
 *                clamped so a forecast is never negative.
 * Each forecaster's noise comes from a stable RNG stream id given by its user, so a run is
 * reproducible and adding a forecaster elsewhere never shifts the arrivals.
 */
#ifndef MAASIM_FORECAST_H
#define MAASIM_FORECAST_H

#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"
#include "policy/signal.h"

struct forecast_cfg {
	const char *name;     /* "oracle", "persistence", "noisy" */
	double sigma;         /* noisy: relative error sd (0.1 = 10 %), >= 0 */
	double rho;           /* noisy: lag-one correlation of the error over steps, [0, 1) */
	double period_s;      /* persistence: period looked back (s), > 0; 86400 by default */
};

struct forecast_desc {
	const char *name;
	const char *doc;
};

/* The registry: the i-th forecaster, NULL past the end. */
const struct forecast_desc *forecast_at_index(size_t i);
/* The names, NULL-terminated (for parameter validation: param_desc.choices). */
extern const char *const forecast_name_list[];
/* "oracle, persistence, noisy" into buf. */
void forecast_names(char *buf, size_t n);

struct forecast;

/* Builds a forecaster of truth (truth.ctx must outlive it). The noise stream is
 * (seed, rep, stream_id). NULL with e when the name is unknown (listing the valid ones) or a
 * parameter is out of range. Free with forecast_free (NULL is a no-op). */
struct forecast *forecast_new(const struct forecast_cfg *c, struct signal truth, uint64_t seed,
			      uint64_t rep, uint64_t stream_id, struct err *e);
void forecast_free(struct forecast *f);

/* Forecast issued at now_s of the value at t_s. */
double forecast_value(struct forecast *f, double now_s, double t_s);
/* Forecast issued at now_s of the mean over [t0_s, t1_s) (piecewise over the truth's steps). */
double forecast_mean(struct forecast *f, double now_s, double t0_s, double t1_s);
/* Resolution of the underlying signal (s; 0 when continuous). */
double forecast_step_s(const struct forecast *f);

#endif
