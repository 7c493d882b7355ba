/* store.h — the results database (SQLite): the only module that includes sqlite3.h.
 *
 * Tables (CONTRACT.md, binding):
 *   runs(run_id INTEGER PRIMARY KEY, scenario, scenario_hash, params, replication, seed, status,
 *        version, started_at, wall_s, message, trial_key)   -- message: why a run failed;
 *                                                            -- trial_key: unique trial identity
 *   metrics(run_id, name, value, unit)
 *   timeseries(run_id, t_s, name, value)
 *   scenarios(scenario_hash PRIMARY KEY, name, json)        -- the fully resolved scenario
 * The database is in WAL mode and every run (its runs row, metrics and series) is written in one
 * transaction, so a run interrupted at any moment leaves no partial rows. Readers (analysis/,
 * sweeps) go through store_query, never through SQLite directly.
 */
#ifndef MAASIM_STORE_H
#define MAASIM_STORE_H

#include <signal.h>

#include "engine/err.h"
#include "engine/metrics.h"

struct store;

enum { STORE_READONLY = 0, STORE_CREATE = 1 };

/* Opens (mode STORE_CREATE: creates if needed and sets up the schema) the database at path.
 * Returns NULL and fills e on failure (unreadable, not a database, read-only directory...). */
struct store *store_open(const char *path, int mode, struct err *e);
void store_close(struct store *s);

/* A connection waits up to 10 s for another's lock (a second writer, an open sqlite3 shell)
 * before a statement fails with "database is locked". With stop (a signal handler's flag) the
 * wait ends at once when *stop is set, the statement failing the same way; the caller, which
 * set the flag, knows why. NULL: the plain wait again. Only this store's own connection: its
 * background checkpoints (below) wait at most 100 ms. */
void store_set_stop(struct store *s, const volatile sig_atomic_t *stop);

/* Moves the write-ahead log's checkpoints (copying committed pages into the database file and
 * waiting for the disk) off the calling thread, to a thread of the store's own with its own
 * connection, for a writer that commits many transactions in a row (a sweep). Commits stay as
 * atomic and durable as before; only who waits for the disk changes. One store in a process at a
 * time (forks wait for its thread to be outside SQLite: store.c): another store's request fails.
 * Returns 0, or -1 with e (the store then checkpoints as before). */
int store_checkpoint_in_background(struct store *s, struct err *e);
/* Asks the background thread (when there is one) to checkpoint what is committed now, e.g.
 * before a long read, so that store_close has little left to copy. */
void store_checkpoint_soon(struct store *s);

/* For tests of the background thread (tests/unit/test_store.c), which must not depend on how the
 * thread is scheduled: what it has done, a way to wait for a state of it, and a way to hold it.
 * Counters since store_checkpoint_in_background; frames are the log's, 4 kB pages. */
struct store_ckpt_stats {
	long rounds;         /* checkpoint rounds started (each: PASSIVE, then RESTART if long) */
	long restarts;       /* RESTARTs tried (the log had restart_frames) */
	long restarts_done;  /* of them, those that succeeded: the next commit starts the log over */
	long forks_waited;   /* fork()s that found the thread busy and waited for it */
	int log_frames;      /* the log after the writer's last commit (its WAL hook) */
	int max_log_frames;  /* the longest the log has been */
	int held;            /* where the thread is held (store_checkpoint_hold), or 0 */
	int idle;            /* not busy, nothing asked, and fewer than a round's frames waiting
			      * or this log (its frame count) already tried by a round */
	int restart_frames;  /* the log's limits: a round restarts a log this long (store.c's
			      * STORE_WAL_RESTART_FRAMES, 4,096) ... */
	int max_frames;      /* ... and a commit that leaves it this long checkpoints it in the
			      * writer (STORE_WAL_MAX_FRAMES, 32,768), unless store_checkpoint_limits
			      * lowered them */
};
/* Fills out; -1 (out zeroed) when the store has no background thread. */
int store_checkpoint_stats(struct store *s, struct store_ckpt_stats *out);
/* Blocks until until(stats, ctx) holds, tested at every change of the thread's state (a round
 * ending, the thread held, a fork waiting: not the writer's commits, which are the caller's);
 * -1 at once without a background thread. */
typedef int (*store_ckpt_pred)(const struct store_ckpt_stats *st, void *ctx);
int store_checkpoint_wait(struct store *s, store_ckpt_pred until, void *ctx);
/* Holds the thread, busy (forks wait for it), at a point of its next round until
 * store_checkpoint_hold(s, 0) or another point: STORE_HOLD_START, before its PASSIVE
 * checkpoint, or STORE_HOLD_AFTER_PASSIVE, between it and the RESTART of a long log. The
 * writer goes on committing meanwhile. */
enum { STORE_HOLD_START = 1, STORE_HOLD_AFTER_PASSIVE = 2 };
void store_checkpoint_hold(struct store *s, int hold);
/* Sets the log's two limits (store_ckpt_stats: restart_frames, max_frames) to these numbers of
 * frames (0: unchanged), so that a test reaches them with a log of a few MB; nothing without a
 * background thread. */
void store_checkpoint_limits(struct store *s, int restart_frames, int max_frames);

struct store_run {
	const char *scenario;      /* scenario name */
	const char *scenario_hash; /* hash of the resolved scenario JSON */
	const char *params;        /* JSON object of the overrides that made this run, or "{}" */
	long replication;
	unsigned long long seed;
	const char *status;     /* "ok" or "failed" */
	const char *message;    /* why it failed, or NULL */
	const char *version;
	const char *started_at; /* ISO 8601 UTC */
	double wall_s;
	const char *trial_key;  /* unique identity of the trial (sweeps), or NULL */
};

/* Writes one run with its metrics and series in one transaction; *run_id receives its id
 * (may be NULL). On failure nothing of the run is kept. */
int store_write_run(struct store *s, const struct store_run *r, const struct metrics *ms,
		    long long *run_id, struct err *e);

/* Records the resolved scenario JSON under its hash (kept once). */
int store_put_scenario(struct store *s, const char *hash, const char *name, const char *json,
		       struct err *e);

/* Sets *found to 1 when a run with this trial_key exists. */
int store_has_trial(struct store *s, const char *trial_key, int *found, struct err *e);

/* Runs sql (one statement; '?' parameters bound in order from params, NULL = none) and calls
 * row(ctx, ncol, values, names) for each result row; values are text (NULL for SQL NULL; a
 * finite REAL as the shortest decimal that reads back as the same double: 15 to 17 digits).
 * A non-zero return from row stops the query and is returned. Returns -1 with e on error. */
typedef int (*store_row_fn)(void *ctx, int ncol, const char *const *values,
			    const char *const *names);
int store_query(struct store *s, const char *sql, const char *const *params, int nparams,
		store_row_fn row, void *ctx, struct err *e);

/* Strings read by store_query_column; free with store_strings_fini. */
struct store_strings {
	char **v;
	size_t n, cap;
};
/* Runs sql like store_query and appends the first value of every row (a row whose first value
 * is NULL is skipped) to out as a malloc'd copy: table, column and series names for the
 * analysis. Returns 0, or -1 with e (what was read before stays in out). */
int store_query_column(struct store *s, const char *sql, const char *const *params, int nparams,
		       struct store_strings *out, struct err *e);
/* Frees the strings and leaves l empty. */
void store_strings_fini(struct store_strings *l);

/* One value for store_insert, bound with its type: text (NULL: SQL NULL), a 64-bit integer, or
 * a real (one that is not finite is stored as NULL). */
enum store_type { STORE_TEXT, STORE_INT, STORE_REAL };
struct store_val {
	enum store_type type;
	const char *text;
	long long i;
	double real;
};
/* Runs sql (one statement without result rows, e.g. an INSERT) with v[0..n-1] bound to its
 * parameters in order: for many rows, cheaper than store_query (no number formatted as text
 * and parsed back). Returns 0, or -1 with e. */
int store_insert(struct store *s, const char *sql, const struct store_val *v, int n, struct err *e);

/* Runs sql like store_query, but hands each row on as typed values: STORE_INT or STORE_REAL as
 * stored (a REAL exactly), anything else as STORE_TEXT (text NULL for SQL NULL). For many rows,
 * cheaper than store_query: no number is formatted as text and parsed back (200-trial sweep:
 * that was two thirds of the instructions of reading its 12,800 values, callgrind). */
typedef int (*store_val_row_fn)(void *ctx, int ncol, const struct store_val *values);
int store_query_vals(struct store *s, const char *sql, const char *const *params, int nparams,
		     store_val_row_fn row, void *ctx, struct err *e);

/* Executes one or more statements with no result (DDL, views). */
int store_exec(struct store *s, const char *sql, struct err *e);

#endif
