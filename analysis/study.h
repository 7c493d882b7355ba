/* study.h — a results database read into memory as "points" with replications, for reports.
 *
 * A point is one configuration: runs with the same scenario_hash and params (the JSON object of
 * overrides that made the run). Its replications are its runs with status "ok"; replication r of
 * every point used the same seed (common random numbers), so comparisons pair runs by
 * replication number. Failed runs are counted per point and their messages kept, never averaged.
 * When a replication was run more than once (a study re-run into the same database), the latest
 * run stands for it. Points are ordered by their first run_id, metrics by name. Everything is read through
 * store_query; nothing here knows SQLite.
 */
#ifndef MAASIM_STUDY_H
#define MAASIM_STUDY_H

#include <stddef.h>

#include "engine/err.h"
#include "io/store.h"

struct study_point {
	char *scenario;      /* scenario name */
	char *scenario_hash;
	char *params;        /* as stored, e.g. {"policies.dispatch":"least_loaded"} */
	char *label;         /* human label: the overrides of its own, "policies.dispatch=fifo", or
			      * the scenario name when it has none ("plain") */
	int plain;           /* no override beyond those common to every point */
	size_t n;            /* ok runs (replications) */
	long *reps;          /* [n] replication numbers, ascending */
	long long *run_ids;  /* [n] */
	char **seeds;        /* [n] seed as stored (text) */
	size_t n_superseded; /* ok runs replaced by a later run of the same replication */
	size_t n_failed;     /* failed runs */
	char *fail_msg;      /* the first failed run's message, or NULL */
};

struct study_metric {
	char *name;
	char *unit;
};

struct study {
	struct study_point *pts;
	size_t n_pts;
	struct study_metric *mets;
	size_t n_mets;
	double **val;        /* val[p * n_mets + m][k]: metric m of the k-th run of point p; NaN = absent */
	char *versions;      /* distinct versions, ", "-joined ("" when none) */
	char *common;        /* overrides shared by every point, "k=v, k=v" ("" when none) */
	char *started_first, *started_last; /* ISO 8601, or NULL */
	double wall_s;       /* sum of wall_s over all runs */
	size_t n_runs;       /* all runs, ok and failed */
};

/* Reads the whole database. Returns NULL with e on a query error. Free with study_free. */
struct study *study_load(struct store *s, struct err *e);
void study_free(struct study *st);

/* Index of metric name, or -1. */
long study_metric_index(const struct study *st, const char *name);

/* Index of the point whose label or params text equals key, or -1. */
long study_point_index(const struct study *st, const char *key);

/* The default baseline: the first plain point (the scenario as written, give or take the
 * overrides every point shares), else 0.
 * Precondition: st->n_pts > 0. */
size_t study_baseline(const struct study *st);

/* Copies the present values of metric m of point p into out (room for st->pts[p].n) and returns
 * their count. */
size_t study_values(const struct study *st, size_t p, size_t m, double *out);

/* Pairs metric m of point p (into x) with the baseline point b (into y) by replication number,
 * keeping pairs where both are present; out arrays need room for st->pts[p].n. Returns pairs. */
size_t study_pairs(const struct study *st, size_t p, size_t b, size_t m, double *x, double *y);

/* A plain-language name for a metric ("carbon_operational_kg" -> "operational carbon"); the
 * name itself when it has none. Static storage or name. */
const char *study_metric_phrase(const char *name);

/* A readable label for a params JSON object: {"a.b":"x","n":5} -> "a.b=x, n=5"; "{}" -> "".
 * Returns a new string (caller frees). Text that is not a flat JSON object comes back as is. */
char *study_params_label(const char *params);

#endif
