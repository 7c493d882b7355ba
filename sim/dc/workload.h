/* workload.h — request classes, their arrival processes and size distributions.
 *
 * Configuration is plain typed structs filled by the scenario loader (never JSON here). At run
 * time each class has two RNG streams: one for arrivals and one for sizes (service time or token
 * counts), both drawn at arrival time, so two policies compared on one scenario and replication
 * see exactly the same requests (common random numbers).
 */
#ifndef MAASIM_WORKLOAD_H
#define MAASIM_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "engine/rng.h"

enum dist_kind { DIST_DETERMINISTIC, DIST_EXPONENTIAL, DIST_LOGNORMAL, DIST_GAMMA, DIST_EMPIRICAL };

/* A positive random quantity: mean and coefficient of variation (lognormal, gamma), or an
 * empirical list of values drawn uniformly. */
struct dist_cfg {
	enum dist_kind kind;
	double mean;       /* seconds for service times, tokens for token counts */
	double cv;         /* sd / mean, lognormal and gamma */
	const double *values; /* empirical */
	size_t n_values;
	/* lognormal: the log-space parameters, computed by dist_prepare for (ln_mean, ln_cv);
	 * dist_sample uses them while mean and cv are still those values, and computes them per
	 * draw otherwise (a configuration built without dist_prepare, or changed after it). */
	double ln_mu, ln_sigma, ln_mean, ln_cv;
};

/* Precomputes what sampling needs (lognormal: log1p, log and sqrt once instead of per draw).
 * Optional: dist_sample gives the same numbers without it, more slowly. */
void dist_prepare(struct dist_cfg *d);
/* The lognormal's log-space parameters are dist_prepare's for its current mean and cv. */
static inline int dist_prepared(const struct dist_cfg *d)
{
	return d->ln_mean == d->mean && d->ln_cv == d->cv;
}
/* Any kind (out of line); dist_sample below is the same draw with the exponential inline. */
double dist_sample_any(const struct dist_cfg *d, struct rng *r);
static inline double dist_sample(const struct dist_cfg *d, struct rng *r)
{
	if (d->kind == DIST_EXPONENTIAL) /* the common case, on every request's path */
		return rng_exponential(r, d->mean);
	/* LLM token counts (twice per request): straight to the draw with the prepared parameters */
	if (d->kind == DIST_LOGNORMAL && dist_prepared(d))
		return rng_lognormal(r, d->ln_mu, d->ln_sigma);
	return dist_sample_any(d, r);
}
/* Mean of the distribution (exact). */
double dist_mean(const struct dist_cfg *d);
/* E[X^2] (exact), for Pollaczek-Khinchine checks. */
double dist_second_moment(const struct dist_cfg *d);

/* A replayed trace: arrival times from the first record (s), and per-record sizes where the
 * trace has them (NULL otherwise). */
struct trace_data {
	size_t n;
	const double *t_s;
	const uint32_t *in_tokens, *out_tokens;
	const double *service_s;
	double span_s;  /* t_s[n-1] - t_s[0] */
	const char *format; /* "azure-llm-2023", "mooncake-jsonl", "csv" */
};

enum arrival_kind { ARRIVAL_POISSON, ARRIVAL_TRACE, ARRIVAL_DIURNAL, ARRIVAL_MMPP };

struct arrival_cfg {
	enum arrival_kind kind;
	double rate_per_s;      /* poisson */
	const char *path;       /* trace, resolved */
	double time_scale;      /* trace: inter-arrival times are multiplied by this (default 1) */
	int loop;               /* trace: replay again from the start when it ends */
	double start_s;         /* trace: skip records before this trace time (default 0) */
	const struct trace_data *trace;
	/* diurnal (arrival.h): rate_per_s is the mean; shape values >= 0, one per step_s */
	const double *shape;
	size_t n_shape;
	double shape_step_s;
	double shape_offset_steps;  /* shape position at t = 0, in steps */
	/* mmpp (arrival.h): n states, Poisson rate and mean sojourn of each */
	const double *mmpp_rates_per_s, *mmpp_sojourn_s;
	size_t mmpp_n;
};

enum class_kind { CLASS_JOB, CLASS_LLM };

struct class_cfg {
	const char *name;
	enum class_kind kind;
	struct arrival_cfg arrival;
	struct dist_cfg service;            /* job */
	struct dist_cfg in_tokens, out_tokens; /* llm, when not taken from the trace */
	int tokens_from_trace;              /* llm: the trace gives token counts */
	int service_from_trace;             /* job: the trace gives service times */
	double slo_s;                       /* 0: no SLO */
	int deferrable;
	double deadline_s;                  /* 0: none */
};

/* Mean arrival rate of a class (poisson: rate; trace: records / span scaled). */
double class_mean_rate(const struct class_cfg *c);

#endif
