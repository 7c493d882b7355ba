/* signal.h — time series that policies read: grid carbon intensity, price, renewable power.
 *
 * A struct signal is a value at any simulated time t_s (seconds from the run's start, past or
 * future): a function pointer and an opaque context, so whoever owns the data provides it (the
 * facility's getters, a trace loaded for a policy study, a constant, a test's synthetic curve)
 * and policies depend on nothing but this header. Signals are the truth; policies never read
 * them directly but through a forecaster (policy/forecast.h).
 * struct signal_series is the trace-backed provider: n values, step-hold over
 * [t0 + i*step, t0 + (i+1)*step), cyclic outside its span (a year trace repeats), like the
 * facility's series. The context must outlive every signal made from it.
 */
#ifndef MAASIM_SIGNAL_H
#define MAASIM_SIGNAL_H

#include <stddef.h>

struct signal {
	double (*at)(const void *ctx, double t_s); /* NULL: no such signal in this run */
	const void *ctx;
	double step_s;  /* resolution of step-hold data (s), 0 = continuous/unknown */
	double phase_s; /* a time at which a step begins (pieces are [phase + k step, ...)) */
};

/* The signal's value at t_s; NaN when the signal is absent (s->at == NULL). */
static inline double signal_at(const struct signal *s, double t_s)
{
	return s->at ? s->at(s->ctx, t_s) : __builtin_nan("");
}
static inline int signal_present(const struct signal *s) { return s->at != 0; }

/* A constant signal: value stored in *v (which must outlive the signal). */
struct signal signal_const(const double *v);

/* Step-hold samples; t0_s is the simulated time of v[0] (may be negative: the run starts
 * inside the trace). */
struct signal_series {
	double t0_s, step_s;  /* step_s > 0 */
	size_t n;
	double *v;            /* owned by whoever filled it */
};

/* Value at t_s (step-hold, cyclic outside the span); NaN when n == 0. */
double signal_series_at(const struct signal_series *s, double t_s);
/* A signal backed by s (step_s copied from it). */
struct signal signal_from_series(const struct signal_series *s);

/* Mean of the signal over [t0_s, t1_s) (t1 > t0), exact for step-hold signals whose step_s is
 * known (integrates piece by piece); for step_s == 0 it averages 16 evenly spaced points. */
double signal_mean(const struct signal *s, double t0_s, double t1_s);


/* ---- configuration (filled by the scenario loader, sim/io/scenario_signals.c) ---- */

enum signal_src_kind { SIGNAL_SRC_NONE, SIGNAL_SRC_CONST, SIGNAL_SRC_SERIES };

/* Where one signal comes from: absent, a constant, or a step-hold trace (values in the
 * scenario's arena; series.t0_s is already on the simulated clock). */
struct signal_src {
	enum signal_src_kind kind;
	double value;                 /* SIGNAL_SRC_CONST */
	struct signal_series series;  /* SIGNAL_SRC_SERIES */
	const char *path;             /* the trace, for messages */
};

/* policies.signals: the signals a policy study reads when the build has no facility. */
struct signals_cfg {
	struct signal_src carbon_g_per_kwh, price_usd_per_mwh, renewable_w;
	double start_epoch_s;  /* UTC epoch s of simulated t = 0 (datacenter.start) */
};

/* The signal of a source (src must outlive it); at == NULL when absent. */
struct signal signal_from_src(const struct signal_src *src);

#endif
