/* run.h — one replication of a scenario, from config to metrics.
 *
 * run_replication builds the datacenter of a validated scenario in a fresh simulation, runs it
 * to the horizon (statistics reset at warm-up), checks the invariants (cli/invariants.h: time,
 * request books, energy, signs, finite metrics) and appends the metrics and sampled series to ms. A broken invariant of the books is
 * not a crash: it returns -1 with the reason in e, and the caller records the run as failed.
 */
#ifndef MAASIM_RUN_H
#define MAASIM_RUN_H

#include <signal.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/metrics.h"
#include "io/scenario.h"

struct run_info {
	uint64_t events;
	uint64_t seed;   /* the replication's seed as stored (scenario seed) */
};

int run_replication(const struct scenario *s, long rep, struct metrics *ms, struct run_info *info,
		    struct err *e);

/* run_replication that stops early when *interrupt (a signal handler's flag) becomes non-zero:
 * returns 1 then, with ms left empty (a partial run is not a result) and info->events the
 * events fired so far; otherwise as run_replication. */
int run_replication_interruptible(const struct scenario *s, long rep, struct metrics *ms,
				  struct run_info *info, const volatile sig_atomic_t *interrupt,
				  struct err *e);

#endif
