/* check.h — `maasim check DB --baseline FILE [--write-baseline]`: the regression check for CI.
 *
 * A baseline file is tab-separated text, one expectation a line, '#' starts a comment line:
 *     scenario <TAB> params <TAB> metric <TAB> expected <TAB> kind <TAB> tolerance
 * e.g.  default	{}	carbon_operational_kg	101.25	rel	0.02
 * scenario and params pick the configuration (runs with that scenario name and that params text,
 * e.g. {"policies.dispatch":"least_loaded"}); the observed value is the metric's mean over the
 * configuration's ok replications. kind is
 *     rel  |observed - expected| <= tolerance * |expected|
 *     abs  |observed - expected| <= tolerance
 *     ci   |observed - expected| <= tolerance * (half-width of the observed mean's 95% Student-t
 *          interval): the expectation is inside the (scaled) interval; needs 2+ replications.
 * A configuration or metric of the baseline that is missing from the database counts as moved.
 * Exit status of check_main: 0 nothing moved, 1 something moved (a regression), 2 bad usage or
 * bad input (messages "file:line: what was expected, got ...").
 */
#ifndef MAASIM_ANALYSIS_CHECK_H
#define MAASIM_ANALYSIS_CHECK_H

#include <stddef.h>
#include <stdio.h>

#include "analysis/study.h"
#include "engine/err.h"

enum check_kind { CHECK_TOL_REL, CHECK_TOL_ABS, CHECK_TOL_CI };

struct check_entry {
	char *scenario, *params, *metric;
	double expected;
	enum check_kind kind;
	double tol;
	long line; /* in the baseline file */
};

struct check_baseline {
	char *path;
	struct check_entry *v;
	size_t n, cap;
};

enum check_status { CHECK_OK, CHECK_MOVED, CHECK_MISSING };

struct check_result {
	enum check_status status;
	size_t n;        /* replications behind the observed mean */
	double observed; /* NaN when missing */
	double half;     /* 95% half-width of the observed mean; NaN with fewer than 2 */
};

/* Parses baseline text (path names it in messages). Returns -1 with e "path:line: ..." on the
 * first bad line; b is then empty. Free with check_baseline_fini. */
int check_baseline_parse(const char *path, const char *text, struct check_baseline *b,
			 struct err *e);
/* Reads and parses the file at path. */
int check_baseline_read(const char *path, struct check_baseline *b, struct err *e);
void check_baseline_fini(struct check_baseline *b);

/* Compares the study with the baseline: res[i] for b->v[i] (res has room for b->n); *moved
 * receives the number of entries moved or missing. Returns -1 with e on a baseline the database
 * cannot judge (kind ci with fewer than 2 replications): "path:line: ...". */
int check_evaluate(const struct study *st, const struct check_baseline *b, struct check_result *res,
		   size_t *moved, struct err *e);

/* Prints the table of what moved (every row when all_rows) and a one-line verdict to out. */
void check_print(FILE *out, const struct check_baseline *b, const struct check_result *res,
		 int all_rows);

/* Writes a baseline of every metric of every configuration of the study to path (atomically):
 * kind ci with tolerance ci_tol where the replications differ (an interval of positive width),
 * else rel with rel_tol (abs rel_tol for an expected 0). */
int check_baseline_write(const struct study *st, const char *path, double ci_tol, double rel_tol,
			 struct err *e);

/* The sub-command; argv[0] is "check". Returns the exit status (0, 1 or 2). */
int check_main(int argc, char **argv);

#endif
