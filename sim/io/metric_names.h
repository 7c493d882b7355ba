/* metric_names.h — the catalogue of every metric name a run can write (CONTRACT.md's names and
 * the project's own), for checking names that users write (a sweep's "metrics").
 *
 * A run writes a subset: LLM metrics only with LLM classes, battery metrics only with a battery,
 * and so on. test_metric_names runs scenarios that together write every name and fails when a
 * run writes one that is missing here, so the catalogue cannot fall behind the code.
 */
#ifndef MAASIM_METRIC_NAMES_H
#define MAASIM_METRIC_NAMES_H

#include <stddef.h>

/* NULL-terminated lists: run-level names, and the <metric> part of class.<name>.<metric>.
 * Besides them a run may write variant_share.<variant> (compression policies). */
extern const char *const metric_names_run[];
extern const char *const metric_names_class[];

/* Checks name against the catalogue. classes (n_classes names; NULL = any) are the class names
 * class.<name>.<metric> may use. Returns 0 when known; otherwise -1 and writes into why (n
 * bytes) what is wrong, with a did-you-mean hint when a known name is close. */
int metric_names_check(const char *name, const char *const *classes, size_t n_classes, char *why,
		       size_t n);

#endif
