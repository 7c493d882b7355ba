/* cmd_sweep.c — `maasim sweep SWEEP.json [--db FILE] [-j N]`: a parameter grid with
 * replications, resumable, on local worker processes or Open MPI ranks.
 *
 * Order of work: read the sweep file, expand its points, load and validate the scenario of every
 * point (scenario_load with the point's overrides), so bad input stops the sweep before the
 * database is touched. Each trial (point, replication) gets its key from the resolved scenario,
 * the replication and the simulator version; trials whose key is already in runs are skipped,
 * so a rerun after a crash or an interrupt runs only what is missing, and two points that
 * resolve to the same scenario share their trials. Every stored trial is one transaction
 * (store_write_run). The statistics tables are rebuilt from the database at the end.
 *
 * Signals: the first SIGINT or SIGTERM stops the hand-out (see sweep_exec.h for what happens to
 * trials in flight), or the statistics before their commit, also while the writer waits for
 * another process's lock on the database (store_set_stop); the command exits 130 with a message
 * saying how to resume. A second one kills the process at once (the handler restores the
 * default action); on MPI rank 0, which drains the trials in flight on a stop, the second one
 * abandons the drain (exit 130 through MPI_Abort) and a third kills it. The database stays
 * consistent either way.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/sweep_db.h"
#include "cli/sweep_exec.h"
#include "engine/xalloc.h"
#include "io/metric_names.h"
#include "io/store.h"

/* The one piece of process state a signal handler may touch (command line only): the number
 * of SIGINT/SIGTERM received, up to 2. */
static volatile sig_atomic_t sweep_stop;
/* How many of them the handler takes before the signals' default action (the end of the
 * process) is back: 1, or 2 on MPI rank 0, whose second signal abandons the drain of the trials
 * in flight (sweep_exec.h). Set before the handler is installed. */
static int sweep_signals_kept = 1;

static void on_signal(int sig)
{
	(void)sig;
	if (sweep_stop < 2)
		sweep_stop++;
	if (sweep_stop >= sweep_signals_kept) { /* signal() is async-signal-safe (POSIX) */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
	}
}

static const char sweep_help[] =
	"usage: maasim sweep SWEEP.json [--db FILE] [-j N] [-q] [--dry-run]\n"
	"\nRuns every point of a sweep (scenarios x grid x replications; scenarios/README.md, \"Sweeps\")\n"
	"and writes each trial as one transaction to the results database, then the tables\n"
	"sweep_points, sweep_trials, sweep_stats (mean, sd, 95%% CI), sweep_diffs (paired differences\n"
	"and relative changes against the baseline) and, with an \"oat\" block, sweep_tornado.\n"
	"Trials already in the database (same resolved scenario, replication and simulator version)\n"
	"are skipped: rerun the same command after a crash or Ctrl-C to finish the rest.\n"
	"  --db FILE      results database (SQLite; created if missing; default maasim.db)\n"
	"  -j N           worker processes (default: the number of cores; 1 runs in this process)\n"
	"  -q, --quiet    no progress output, only the tables\n"
	"  --dry-run      list the points and their overrides, run nothing\n"
	"Under mpirun (e.g. mpirun -np 9 maasim sweep S.json) rank 0 hands out trials and writes the\n"
	"database; ranks 1..N-1 run them (-j is ignored). This build: Open MPI %s.\n"
	"exit: 0 all trials ok, 1 a trial failed or the run broke off, 2 bad usage or input,\n"
	"      130 interrupted (rerun to resume)\n";

struct sweep_args {
	const char *file, *db;
	int jobs, quiet, dry_run;
};

static int usage_err(const char *msg, const char *arg)
{
	fprintf(stderr, "maasim sweep: %s%s%s%s\n(maasim sweep --help for usage)\n", msg,
		arg ? " \"" : "", arg ? arg : "", arg ? "\"" : "");
	return 2;
}

static int parse_jobs(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 1 || v > 4096)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct sweep_args *a)
{
	memset(a, 0, sizeof *a);
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		if (strcmp(o, "--db") == 0) {
			if (i + 1 >= argc || !*argv[i + 1])
				return usage_err("--db needs a file name", NULL);
			a->db = argv[++i];
		} else if (strcmp(o, "-j") == 0 || strcmp(o, "--jobs") == 0) {
			if (i + 1 >= argc || parse_jobs(argv[i + 1], &a->jobs))
				return usage_err("-j needs a number of workers >= 1, got", i + 1 < argc ? argv[i + 1] : "nothing");
			i++;
		} else if (strncmp(o, "-j", 2) == 0 && o[2]) {
			if (parse_jobs(o + 2, &a->jobs))
				return usage_err("-j needs a number of workers >= 1, got", o + 2);
		} else if (strcmp(o, "-q") == 0 || strcmp(o, "--quiet") == 0) {
			a->quiet = 1;
		} else if (strcmp(o, "--dry-run") == 0) {
			a->dry_run = 1;
		} else if (o[0] == '-' && o[1]) {
			return usage_err("unknown option", o);
		} else if (!a->file) {
			a->file = o;
		} else {
			return usage_err("unexpected argument (one sweep file at a time)", o);
		}
	}
	if (!a->file)
		return usage_err("missing SWEEP.json", NULL);
	if (!a->db)
		a->db = "maasim.db";
	if (!a->jobs) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		a->jobs = n >= 1 && n <= 4096 ? (int)n : 1;
	}
	return 0;
}

/* ---- the sweep's in-memory form ---- */

/* Sweeps with at most this many points keep every point's scenario loaded (forked workers share
 * them copy-on-write); bigger ones load a point's scenario in the process that runs its trial.
 * MAASIM_SWEEP_PRELOAD=N overrides it (0: always on demand). */
#define SWEEP_PRELOAD_MAX 256

struct sweep_run {
	struct sweep_spec *spec;
	struct sweep_pinfo *pinfo;
	struct scenario **sc; /* NULL when loading on demand */
	struct sweep_trial *trials;
	struct sweep_cache cache;
	struct sweep_job job;
	const char *version;
};

static void sweep_run_fini(struct sweep_run *r)
{
	if (r->spec)
		for (size_t p = 0; p < r->spec->n_points; p++) {
			if (r->sc)
				scenario_free(r->sc[p]);
			if (r->pinfo) {
				free(r->pinfo[p].name);
				free(r->pinfo[p].params);
				free(r->pinfo[p].json);
			}
		}
	sweep_cache_fini(&r->cache);
	free(r->pinfo);
	free(r->sc);
	free(r->trials);
	sweep_spec_free(r->spec);
}

static size_t preload_max(void)
{
	const char *v = getenv("MAASIM_SWEEP_PRELOAD");
	char *end;
	long n;
	if (!v || !*v)
		return SWEEP_PRELOAD_MAX;
	n = strtol(v, &end, 10);
	return *end || n < 0 ? SWEEP_PRELOAD_MAX : (size_t)n;
}

/* The class names of every point's scenario, each once (for checking class.<name>.<metric>). */
struct class_names {
	char **names;
	size_t n;
};

static void class_names_add(struct class_names *cn, const struct scenario *sc)
{
	for (size_t c = 0; c < sc->n_classes; c++) {
		size_t k = 0;
		while (k < cn->n && strcmp(cn->names[k], sc->classes[c].name) != 0)
			k++;
		if (k == cn->n) {
			cn->names = xrealloc(cn->names, (cn->n + 1) * sizeof *cn->names);
			cn->names[cn->n++] = xstrdup(sc->classes[c].name);
		}
	}
}

static void class_names_free(struct class_names *cn)
{
	for (size_t k = 0; k < cn->n; k++)
		free(cn->names[k]);
	free(cn->names);
}

/* Loads the spec and validates every point's scenario (keeping it when the sweep is small);
 * builds the trials: replication-major when preloaded (an interrupted sweep then has whole
 * replications across the grid), point-major otherwise (consecutive trials of one point reuse a
 * worker's cached scenario). */
static int sweep_load(const char *file, struct sweep_run *r, struct err *e)
{
	struct sweep_spec *s;
	size_t np, k = 0;
	int keep;
	struct class_names cn = { NULL, 0 };

	memset(r, 0, sizeof *r);
	r->version = cli_version();
	if (sweep_spec_load(file, &r->spec, e))
		return -1;
	s = r->spec;
	np = s->n_points;
	/* trial indices travel as 32-bit integers (pipes, MPI) */
	if ((double)np * (double)s->replications > 2147483647.0)
		return err_set(e, "%s: %zu points x %ld replications is more trials than one sweep can hold (2^31 - 1)",
			       file, np, s->replications);
	keep = np <= preload_max();
	r->pinfo = xcalloc(np, sizeof *r->pinfo);
	if (keep)
		r->sc = xcalloc(np, sizeof *r->sc);
	for (size_t p = 0; p < np; p++) {
		const struct sweep_point *pt = &s->points[p];
		struct scenario *sc;
		if (scenario_load(s->scenarios[pt->scenario], pt->sets, pt->n_sets, &sc, e)) {
			class_names_free(&cn);
			return err_prefix(e, "%s: point \"%s\"", file, pt->label);
		}
		class_names_add(&cn, sc);
		memcpy(r->pinfo[p].hash, sc->hash, sizeof sc->hash);
		r->pinfo[p].name = xstrdup(sc->name);
		r->pinfo[p].params = xstrdup(sc->params);
		r->pinfo[p].json = xstrdup(sc->json);
		r->pinfo[p].seed = sc->seed;
		if (keep)
			r->sc[p] = sc;
		else
			scenario_free(sc);
	}
	/* the spec checked each metric's name; class.<name>.<metric> also needs the class */
	for (size_t i = 0; i < s->n_metrics; i++) {
		char why[512];
		if (!strncmp(s->metrics[i], "class.", 6) &&
		    metric_names_check(s->metrics[i], (const char *const *)cn.names, cn.n, why, sizeof why)) {
			class_names_free(&cn);
			return err_set(e, "%s: $.metrics[%zu]: %s", file, i, why);
		}
	}
	class_names_free(&cn);
	r->trials = xcalloc(np * (size_t)s->replications, sizeof *r->trials);
	for (size_t i = 0; i < np * (size_t)s->replications; i++, k++) {
		size_t p = keep ? i % np : i / (size_t)s->replications;
		long rep = keep ? (long)(i / np) : (long)(i % (size_t)s->replications);
		r->trials[k].point = p;
		r->trials[k].rep = rep;
		sweep_trial_key(r->pinfo[p].hash, rep, r->version, r->trials[k].key, sizeof r->trials[k].key);
	}
	r->job = (struct sweep_job){ s, r->pinfo, r->sc, r->trials, k, &r->cache };
	return 0;
}

static void dry_run(const struct sweep_run *r)
{
	const struct sweep_spec *s = r->spec;
	printf("sweep \"%s\": %zu point(s) x %ld replication(s) = %zu trial(s); baseline \"%s\"\n",
	       s->name, s->n_points, s->replications, r->job.n_trials, s->baseline_name);
	for (size_t p = 0; p < s->n_points; p++) {
		const struct sweep_point *pt = &s->points[p];
		printf("  %4zu  %-40s scenario %s (hash %s)%s\n", p, pt->label,
		       s->scenario_labels[pt->scenario], r->pinfo[p].hash,
		       pt->baseline == p ? "  [baseline]" : "");
		for (size_t i = 0; i < pt->n_sets; i++)
			printf("          --set %s\n", pt->sets[i]);
		if (pt->baseline != p)
			printf("          compared with point %zu\n", pt->baseline);
	}
}

/* ---- the writer ---- */

struct sink_ctx {
	struct store *st;
	const struct sweep_run *r;
	int tty;
};

static int sink(void *ctx, const struct sweep_outcome *o, const struct metrics *ms, struct err *e)
{
	struct sink_ctx *c = ctx;
	const struct sweep_trial *tr = &c->r->trials[o->trial];
	const struct sweep_pinfo *pi = &c->r->pinfo[tr->point];
	struct store_run row = { pi->name, pi->hash, pi->params, tr->rep, pi->seed,
				 o->ok == 1 ? "ok" : "failed", o->ok == 1 ? NULL : o->message,
				 c->r->version, o->started_at, o->wall_s, tr->key };
	struct err we;
	int found = 0;

	if (o->ok != 1)
		fprintf(stderr, "%smaasim sweep: trial %s (point \"%s\", replication %ld) %s: %s\n",
			c->tty ? "\n" : "", tr->key, c->r->spec->points[tr->point].label, tr->rep,
			o->ok == 0 ? "FAILED its checks" : "NOT RUN (not stored)", o->message);
	if (o->ok == SWEEP_NOT_RUN)
		return 0;
	err_clear(&we);
	if (store_write_run(c->st, &row, ms, NULL, &we) == 0)
		return 0;
	/* another writer stored the same trial meanwhile: the UNIQUE key kept one row */
	if (store_has_trial(c->st, tr->key, &found, e) == 0 && found)
		return 0;
	return err_set(e, "%s", we.msg);
}

static int cmp_trial_key(const void *a, const void *b)
{
	const struct sweep_trial *const *x = a, *const *y = b;
	int c = strcmp((*x)->key, (*y)->key);
	return c ? c : (*x < *y ? -1 : *x > *y); /* equal keys: the earlier trial first */
}

/* Indices of the trials still to run: not stored, and each key once (points resolving to the
 * same scenario share their trials). */
static int pending(struct store *st, const struct sweep_run *r, size_t **todo, size_t *n,
		   size_t *stored, size_t *shared, struct err *e)
{
	size_t nt = r->job.n_trials;
	const struct sweep_trial **by_key = xmalloc((nt ? nt : 1) * sizeof *by_key);
	unsigned char *dup = xcalloc(nt ? nt : 1, 1);
	int rc = 0;

	for (size_t t = 0; t < nt; t++)
		by_key[t] = &r->trials[t];
	qsort(by_key, nt, sizeof *by_key, cmp_trial_key);
	for (size_t i = 1; i < nt; i++)
		if (strcmp(by_key[i]->key, by_key[i - 1]->key) == 0)
			dup[by_key[i] - r->trials] = 1;
	*todo = xmalloc((nt ? nt : 1) * sizeof **todo);
	*n = *stored = *shared = 0;
	for (size_t t = 0; t < nt && !rc; t++) {
		int found = 0;
		if (dup[t]) {
			(*shared)++;
			continue;
		}
		if (store_has_trial(st, r->trials[t].key, &found, e))
			rc = -1;
		else if (found)
			(*stored)++;
		else
			(*todo)[(*n)++] = t;
	}
	free(by_key);
	free(dup);
	return rc;
}

/* kept: sweep_signals_kept. */
static void install_signals(int kept)
{
	struct sigaction sa;
	sweep_signals_kept = kept;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = 0; /* no SA_RESTART: poll and sleeps wake up */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT); /* the handler counts: one at a time */
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_s(const struct timeval *tv) { return (double)tv->tv_sec + 1e-6 * (double)tv->tv_usec; }

/* The line of an interrupted sweep (what stays in the database and how to go on); what adds
 * what was left undone besides trials. */
static void interrupted(const struct sweep_args *a, const struct sweep_run *r, size_t n_stored,
			const char *what)
{
	fprintf(stderr, "maasim sweep: interrupted: %zu of %zu trial(s) stored in %s, nothing partial%s; rerun the same command to resume\n",
		n_stored, r->job.n_trials, a->db, what);
}

#ifdef MAASIM_FAULT
/* Test builds: MAASIM_TEST_STATS_LOCKED=1 has a second connection take the database's write lock
 * before the statistics and keep it until they end, so that they wait for it (tests/sh/t_sweep.sh:
 * SIGTERM must end that wait with 130, not after the 10 s busy time-out). Returns that connection
 * (NULL without the variable). */
static struct store *stats_lock_hook(const char *db)
{
	struct store *lock;
	struct err e;

	if (!getenv("MAASIM_TEST_STATS_LOCKED"))
		return NULL;
	err_clear(&e);
	if (!(lock = store_open(db, STORE_CREATE, &e)) || store_exec(lock, "BEGIN IMMEDIATE;", &e)) {
		fprintf(stderr, "maasim sweep: MAASIM_TEST_STATS_LOCKED: %s\n", e.msg);
		store_close(lock);
		return NULL;
	}
	fprintf(stderr, "maasim sweep: (test) the statistics wait for a lock\n");
	return lock;
}
#else
static struct store *stats_lock_hook(const char *db)
{
	(void)db;
	return NULL;
}
#endif

/* The writer: local workers, or rank 0 of an MPI job (mpi_size > 1). */
static int run_writer(const struct sweep_args *a, struct sweep_run *r, int mpi_size)
{
	struct store *st = NULL;
	struct sink_ctx ctx;
	struct sweep_progress pg;
	struct sweep_tally tl = { 0, 0, 0, 0 };
	size_t *todo = NULL, n = 0, stored = 0, shared = 0;
	struct err e;
	int rc, ret = 0;
	double t0 = mono_s();

	err_clear(&e);
	if (!(st = store_open(a->db, STORE_CREATE, &e)) || sweep_db_schema(st, &e) ||
	    sweep_db_register(st, &r->job, r->version, &e) || pending(st, r, &todo, &n, &stored, &shared, &e)) {
		fprintf(stderr, "maasim: %s\n", e.msg);
		if (mpi_size > 1) /* release the worker ranks */
			sweep_mpi_serve(&r->job, todo, 0, &sweep_stop, sink, NULL, &pg, &tl, &e);
		store_close(st);
		free(todo);
		return 2;
	}
	if (!a->quiet) {
		printf("maasim %s: sweep \"%s\": %zu point(s) x %ld replication(s) = %zu trial(s); ",
		       r->version, r->spec->name, r->spec->n_points, r->spec->replications,
		       r->job.n_trials);
		if (shared)
			printf("%zu the same as another point's, ", shared);
		printf("%zu already stored, %zu to run", stored, n);
		if (mpi_size > 1)
			printf(" on %d MPI rank(s) + rank 0 writing\n", mpi_size - 1);
		else
			printf(" on %d worker%s\n", a->jobs, a->jobs == 1 ? " (this process)" : " processes");
		fflush(stdout);
	}
	/* Checkpoints in a thread of the store's (without it SQLite checkpoints in this thread, as
	 * before: slower, as safe). Not under MPI: MPI_Init asks for a single-threaded process
	 * (MPI_THREAD_SINGLE), and rank 0's writer is not what limits a sweep across machines. */
	if (mpi_size <= 1)
		store_checkpoint_in_background(st, NULL); /* on failure, as before */
	/* a wait for another process's lock on the database ends at the signal too */
	store_set_stop(st, &sweep_stop);
	install_signals(mpi_size > 1 ? 2 : 1);
	ctx = (struct sink_ctx){ st, r, isatty(STDERR_FILENO) };
	sweep_progress_start(&pg, n, a->quiet);
	if (mpi_size > 1)
		rc = sweep_mpi_serve(&r->job, todo, n, &sweep_stop, sink, &ctx, &pg, &tl, &e);
	else
		rc = sweep_exec_local(&r->job, todo, n, a->jobs, &sweep_stop, sink, &ctx, &pg, &tl, &e);
	sweep_progress_end(&pg);
	store_checkpoint_soon(st); /* the trials' pages, while the statistics are computed */
	if (rc < 0 && !sweep_stop) {
		fprintf(stderr, "maasim: %s\n", e.msg);
		ret = 1;
	} else if (rc != 0) { /* also a store that failed after the stop: it gave up waiting */
		interrupted(a, r, stored + tl.stored + tl.failed, "");
		ret = 130;
	} else {
		int src;
		struct store *lock = stats_lock_hook(a->db);
		err_clear(&e);
		src = sweep_db_stats(st, &r->job, stdout, &sweep_stop, &e);
		store_close(lock);
		if (src == 1) {
			interrupted(a, r, stored + tl.stored + tl.failed, "; its statistics were not computed");
			ret = 130;
		} else if (src) {
			fprintf(stderr, "maasim: %s\n", e.msg);
			ret = 1;
		} else if (tl.failed || tl.crashed || tl.not_run) {
			fprintf(stderr, "maasim sweep: %zu trial(s) failed their checks (stored as failed); %zu crashed and %zu could not start (not stored: a rerun retries them)\n",
				tl.failed, tl.crashed, tl.not_run);
			ret = 1;
		}
		if (!a->quiet && src != 1) {
			struct rusage self, kids;
			getrusage(RUSAGE_SELF, &self);
			getrusage(RUSAGE_CHILDREN, &kids);
			printf("results: %s (tables sweep_stats, sweep_diffs%s; sweep \"%s\")\n", a->db,
			       r->spec->oat_axis >= 0 ? ", sweep_tornado" : "", r->spec->name);
			/* where the time went: a writer near 100%% of wall time would be the bottleneck */
			if (mpi_size > 1)
				printf("time: %.2f s wall for %zu trial(s); CPU %.2f s on rank 0 (loading, writing); trials ran on %d other rank(s)\n",
				       mono_s() - t0, n, cpu_s(&self.ru_utime) + cpu_s(&self.ru_stime),
				       mpi_size - 1);
			else
				printf("time: %.2f s wall for %zu trial(s); CPU %.2f s in this process (loading, writing%s), %.2f s in worker processes\n",
				       mono_s() - t0, n, cpu_s(&self.ru_utime) + cpu_s(&self.ru_stime),
				       a->jobs == 1 ? ", running" : "",
				       cpu_s(&kids.ru_utime) + cpu_s(&kids.ru_stime));
		}
	}
	store_close(st);
	free(todo);
	return ret;
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_args a;
	struct sweep_run r;
	struct err e;
	int rc, rank = 0, size = 1, mpi = 0, loaded;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf(sweep_help, sweep_mpi_built() ? "yes" : "no");
			return 0;
		}
	if ((rc = parse_args(argc, argv, &a)) != 0)
		return rc;
	err_clear(&e);
	if (!a.dry_run && !sweep_mpi_built() && sweep_mpi_launched()) {
		fprintf(stderr, "maasim sweep: started by an MPI launcher, but this maasim was built without Open MPI: every rank would run the whole sweep. Install libopenmpi-dev and openmpi-bin, then make clean && make\n");
		return 2;
	}
	if (!a.dry_run && sweep_mpi_built() && sweep_mpi_launched()) {
		if (sweep_mpi_init(&rank, &size, &e)) {
			fprintf(stderr, "maasim: %s\n", e.msg);
			return 2;
		}
		mpi = 1;
	}
	loaded = sweep_load(a.file, &r, &e) == 0;
	if (mpi && !sweep_mpi_all_ok(loaded)) {
		if (!loaded)
			fprintf(stderr, "maasim (rank %d): %s\n", rank, e.msg);
		else if (rank == 0)
			fprintf(stderr, "maasim: another MPI rank could not load the sweep (see its message)\n");
		sweep_run_fini(&r);
		sweep_mpi_finalize(2);
		return 2;
	}
	if (!loaded) {
		fprintf(stderr, "maasim: %s\n", e.msg);
		sweep_run_fini(&r);
		return 2;
	}
	if (a.dry_run) {
		dry_run(&r);
		sweep_run_fini(&r);
		return 0;
	}
	if (mpi && rank > 0) { /* workers keep the default signals: the launcher ends them */
		rc = sweep_mpi_work(&r.job, &e) ? 1 : 0;
		if (rc)
			fprintf(stderr, "maasim (rank %d): %s\n", rank, e.msg);
	} else {
		rc = run_writer(&a, &r, size);
	}
	sweep_run_fini(&r);
	if (mpi) /* after an abandoned drain, ends the job with rc (the database is closed) */
		sweep_mpi_finalize(rc);
	return rc;
}
