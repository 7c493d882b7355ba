/* sweep_exec.h — running the trials of a sweep: in this process, in forked workers, or on MPI
 * ranks, always with one writer.
 *
 * A trial is (point, replication). Every process that runs trials holds the same expanded
 * sweep (and either every point's scenario preloaded, or loads a point's scenario when it first
 * runs one of its trials, checking its hash), so a trial travels as its index alone and its
 * result comes back as one sweep_wire message. The writer (this process, or MPI rank 0) passes each
 * result to a sink that stores it in one transaction; nothing else writes the database.
 *
 * Scheduling is dynamic: a forked worker runs one trial and has at most one more queued (only
 * while more than one trial per worker is left), an MPI rank holds one; each gets more as it
 * returns results, so uneven trials balance themselves. A stop flag (set by SIGINT/SIGTERM)
 * ends the hand-out: forked workers are killed and their in-flight trials abandoned (they are
 * re-run on resume); in-process (-j 1) the running trial stops and is not stored; on MPI the
 * trials in flight finish and are stored, unless the flag reaches 2 (a second signal): then they
 * are abandoned too (sweep_mpi.c).
 */
#ifndef MAASIM_SWEEP_EXEC_H
#define MAASIM_SWEEP_EXEC_H

#include <signal.h>
#include <stddef.h>

#include "cli/sweep_wire.h"
#include "engine/err.h"
#include "engine/metrics.h"
#include "io/scenario.h"
#include "io/sweep_spec.h"

struct sweep_trial {
	size_t point;
	long rep;
	char key[64]; /* runs.trial_key */
};

/* What the writer needs of each point's resolved scenario, kept for every point. */
struct sweep_pinfo {
	char hash[17];            /* scenario hash (of the resolved JSON) */
	char *name, *params, *json;
	unsigned long long seed;
};

/* Scenarios loaded on demand by the process that runs a trial (small sweeps preload every
 * point instead; big ones would hold thousands of scenarios, traces included, in memory). */
#define SWEEP_CACHE_N 4
struct sweep_cache {
	struct scenario *sc[SWEEP_CACHE_N];
	size_t point[SWEEP_CACHE_N];
	unsigned next; /* round-robin victim */
};

struct sweep_job {
	const struct sweep_spec *spec;
	const struct sweep_pinfo *pinfo;  /* every point */
	struct scenario *const *sc;       /* preloaded scenario of each point, or NULL: load on demand */
	const struct sweep_trial *trials; /* every trial of the sweep */
	size_t n_trials;
	struct sweep_cache *cache;        /* per process (a forked worker has its own copy) */
};

/* Writer side: stores one result. Returns 0, or -1 with e (the sweep stops). */
typedef int (*sweep_sink_fn)(void *ctx, const struct sweep_outcome *o, const struct metrics *ms,
			     struct err *e);

/* Progress on stderr: a bar with ETA on a terminal, a plain line every 10% (or 30 s) otherwise. */
struct sweep_progress {
	size_t total, done, failed;
	double t0_s, last_s;
	int tty, quiet, last_decile;
};
void sweep_progress_start(struct sweep_progress *pg, size_t total, int quiet);
void sweep_progress_step(struct sweep_progress *pg, int ok);
void sweep_progress_end(struct sweep_progress *pg);

/* The trial key: "<scenario hash>.r<replication>.<version hash>" (scenario hash of the fully
 * resolved JSON after overrides, version = cli_version()). Writes at most n bytes to out. */
void sweep_trial_key(const char *scenario_hash, long rep, const char *version, char *out, size_t n);

/* Frees the scenarios of a cache (the cache itself is the caller's). */
void sweep_cache_fini(struct sweep_cache *c);

/* Runs trial t of job in this process: fills o (o->trial = t) and ms (reset first). o->ok is 1
 * (ran, books closed), 0 (ran, failed: stored as "failed") or SWEEP_NOT_RUN (its scenario could
 * not be loaded as the sweep saw it, or *interrupt (NULL: none; a signal handler's flag) stopped
 * it before its horizon: not stored, a rerun retries it). */
#define SWEEP_NOT_RUN 2
void sweep_exec_trial(const struct sweep_job *job, size_t t, struct sweep_outcome *o,
		      struct metrics *ms, const volatile sig_atomic_t *interrupt);

/* Counts of what happened to the trials handed to an executor. */
struct sweep_tally {
	size_t stored, failed;  /* stored as "ok" / as "failed" */
	size_t crashed, not_run; /* worker died / scenario could not be loaded: not stored */
};
void sweep_tally_add(struct sweep_tally *tl, int ok);

/* Runs the trials todo[0..n) on nworkers local processes (1: in this process) and hands each
 * result to sink. Returns 0 when every trial was run, 1 when *stop ended it early, -1 with e
 * when the sink or the process machinery failed (workers are reaped in every case). */
int sweep_exec_local(const struct sweep_job *job, const size_t *todo, size_t n, int nworkers,
		     volatile sig_atomic_t *stop, sweep_sink_fn sink, void *ctx,
		     struct sweep_progress *pg, struct sweep_tally *tl, struct err *e);

/* ---- Open MPI (sweep_mpi.c; without MAASIM_MPI these report "not built with MPI") ---- */

/* 1 when built with MPI. */
int sweep_mpi_built(void);
/* 1 when this process was started by an MPI launcher (mpirun, srun with PMI/PMIx). */
int sweep_mpi_launched(void);
/* MPI_Init; *rank and *size of MPI_COMM_WORLD. */
int sweep_mpi_init(int *rank, int *size, struct err *e);
/* 1 when every rank passes ok = 1 (collective). */
int sweep_mpi_all_ok(int ok);
/* Rank 0: hands out todo[0..n) to ranks 1..size-1 dynamically, sinks results. Returns as
 * sweep_exec_local. Every worker rank is told to stop before this returns, also on error,
 * unless *stop reaches 2 (or 1 after an error) while ranks are still in their trials: then it
 * returns at once and leaves them to sweep_mpi_finalize. */
int sweep_mpi_serve(const struct sweep_job *job, const size_t *todo, size_t n,
		    volatile sig_atomic_t *stop, sweep_sink_fn sink, void *ctx,
		    struct sweep_progress *pg, struct sweep_tally *tl, struct err *e);
/* Ranks > 0: run the trials rank 0 sends until it says stop. */
int sweep_mpi_work(const struct sweep_job *job, struct err *e);
/* MPI_Finalize; or, when sweep_mpi_serve left ranks inside their trials, MPI_Abort with
 * exit_code (the launcher ends every rank), which does not return. */
void sweep_mpi_finalize(int exit_code);

#endif
