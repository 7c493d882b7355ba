/* store.c — the SQLite results database of store.h.
 *
 * Design: WAL journal, synchronous=NORMAL (a committed run survives a process kill; a power cut
 * may lose the last transaction but never corrupts the file), one transaction per run. A busy
 * timeout (STORE_BUSY_MS) lets a reader and the one writer coexist; a store given a stop flag
 * (store_set_stop) waits the same time in short steps and gives up as soon as the flag is set.
 * Prepared statements are cached per connection, keyed by their SQL text (STORE_CACHE of them,
 * the least recently used one replaced): a sweep's writer stores hundreds of runs and its
 * statistics thousands of rows through the same few statements, and preparing them (SQLite's
 * parser and code generator) cost more than binding and stepping them (callgrind, 200-trial
 * sweep: prepares were 17% of the writer's instructions, and a prepare per row 5 of every 6 of
 * the statistics' inserts). A statement is taken for one use (busy), and reset with its bindings
 * cleared when it is given back, so no cached statement holds a read transaction open; a query
 * run from another's row callback with the same SQL gets a fresh statement. store_close
 * finalizes the cache before it closes the connection.
 * Checkpoints in the background (store_checkpoint_in_background, for a sweep's writer): SQLite
 * checkpoints the write-ahead log in the committing thread every ~1,000 pages, copying them into
 * the database and waiting for the disk twice (about 20 times over the 200-trial bench sweep,
 * 0.32-0.44 s of the writer blocked). Instead a WAL hook on the writer's connection counts the
 * pages committed and wakes a thread of the store's, which checkpoints (PASSIVE: it never
 * blocks the writer) on a connection of its own. While commits keep coming a passive
 * checkpoint never catches up, and SQLite starts the log file over only after a checkpoint of
 * all of it, so at STORE_WAL_RESTART_FRAMES the thread follows its passive checkpoint with a
 * RESTART (which holds the writer for the few pages committed meanwhile); should that keep
 * failing, the writer checkpoints itself at STORE_WAL_MAX_FRAMES. Durability is SQLite's with
 * synchronous=NORMAL either way: a commit is atomic when it returns; which thread later copies
 * it into the database file does not change that.
 * The log's bound: a round that completes its checkpoint (a RESTART always does, unless the
 * writer or a reader keeps it waiting past its 100 ms busy time-out) lets the next commit write
 * the log from its start again, so the file holds about STORE_WAL_RESTART_FRAMES plus what is
 * committed during one round; the writer's own checkpoint at STORE_WAL_MAX_FRAMES bounds it
 * should the thread not get to run. A reader that keeps one snapshot open holds back every
 * checkpoint (SQLite's "checkpoint starvation"): then the log grows until it ends.
 * Tests hold the thread at points of its round and wait for its states through
 * store_checkpoint_hold/_stats/_wait, and lower the two limits (store_checkpoint_limits: a log
 * of 32,768 frames is 134 MB) (store.h; tests/unit/test_store.c); outside tests they cost a
 * counter or two per round and the limits a load each.
 */
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "engine/xalloc.h"

#define STORE_CACHE 16

/* How long a connection waits for another's lock before it gives up with SQLITE_BUSY ("database
 * is locked"): a commit of the writer or a reader's snapshot take milliseconds, so 10 s only
 * runs out when another process keeps the database (a second writer, an open sqlite3 shell).
 * With a stop flag (store_set_stop) the wait is cut in steps of at most STORE_BUSY_STEP_MS, the
 * longest a stop can go unseen when its signal lands between a look at the flag and a sleep, or
 * on another thread, so the sleep is not woken. */
#define STORE_BUSY_MS 10000
#define STORE_BUSY_STEP_MS 50

struct store_cached {
	char *sql;          /* NULL: unused */
	sqlite3_stmt *st;
	int busy;           /* taken by stmt_take, not yet given back */
	unsigned long used; /* when last taken (the store's clock) */
};

/* Background checkpoints: SQLite's default threshold for one (frames of 4 kB pages); the log
 * size at which the thread also restarts the log (RESTART: it waits for the writer's current
 * transaction and holds the next one while it copies the rest, 10-20 ms here); and the size
 * at which the writer checkpoints itself, should the thread not get the log restarted. A long
 * log costs at close, which copies the rest and deletes the file (ext4 with discard: 91 ms for
 * the 63 MB log of the 200-trial bench sweep never restarted, strace); restarts cost the
 * writer. Measured on that sweep at -j 2 (three runs each, busy machine, 2026-11-29): restart
 * at 2,048 frames: close 16-40 ms, writer blocked 0.15-0.27 s; 4,096: 32-69 ms, 0.18-0.25 s;
 * 8,192: 44-78 ms, 0.08-0.14 s; at every one the writer still waited less than the workers. */
#define STORE_CKPT_FRAMES 1000
#define STORE_WAL_RESTART_FRAMES 4096
#define STORE_WAL_MAX_FRAMES 32768

struct store_bg {
	pthread_t thread;
	pthread_mutex_t mu; /* guards the fields below */
	pthread_cond_t cv;
	sqlite3 *db;        /* the thread's own connection */
	int log;            /* frames in the log after the writer's last commit */
	int done;           /* frames of it checkpointed */
	int tried;          /* log when the last round began copying: no new one until it changes;
			     * -1 when the log starts over (bg_hook), so a new log reaching the old
			     * count is not taken for the one tried */
	int now, stop;      /* requests: checkpoint whatever is there; end */
	int busy;           /* the thread is starting or inside SQLite (mu not held) */
	pthread_cond_t idle; /* broadcast when busy drops to 0, and at every change tests wait for */
	/* for tests (store_checkpoint_hold, store_checkpoint_stats, store_checkpoint_wait) */
	int hold, held;     /* hold at this point of the next round (STORE_HOLD_*); held there */
	long rounds, restarts, restarts_done, forks_waited;
	int max_log;        /* the most frames the log has had (WAL hook) */
	int restart_frames, max_frames; /* STORE_WAL_RESTART_FRAMES and STORE_WAL_MAX_FRAMES, or
					 * what a test set (store_checkpoint_limits) */
};

/* fork() and the thread. A worker process forked while the thread is inside SQLite would inherit
 * a copy of every lock the thread held at that instant (the allocator's: seen as a worker hung
 * in free() under AddressSanitizer, whose allocator has no fork handler), held forever. So a fork
 * waits until the thread is outside SQLite and keeps it out until the fork is done
 * (pthread_atfork: the forking thread takes mu in prepare and gives it back in both processes).
 * The handlers take no argument: the running thread's state is bg_forkable, one at a time
 * (store_checkpoint_in_background refuses a second store), under bg_fork_mu. */
static pthread_mutex_t bg_fork_mu = PTHREAD_MUTEX_INITIALIZER;
static struct store_bg *bg_forkable;
static pthread_once_t bg_fork_once = PTHREAD_ONCE_INIT;

static void bg_fork_prepare(void)
{
	pthread_mutex_lock(&bg_fork_mu);
	if (bg_forkable) {
		pthread_mutex_lock(&bg_forkable->mu);
		if (bg_forkable->busy) {
			bg_forkable->forks_waited++;
			pthread_cond_broadcast(&bg_forkable->idle); /* (for store_checkpoint_wait) */
		}
		while (bg_forkable->busy)
			pthread_cond_wait(&bg_forkable->idle, &bg_forkable->mu);
	}
}

static void bg_fork_parent(void)
{
	if (bg_forkable)
		pthread_mutex_unlock(&bg_forkable->mu);
	pthread_mutex_unlock(&bg_fork_mu);
}

/* In the child the thread does not exist: its state is forgotten, so that the child may turn
 * background checkpoints on for a store of its own. (The parent's store, copied, must not be
 * closed by the child: a worker leaves with _exit.) */
static void bg_fork_child(void)
{
	if (bg_forkable)
		pthread_mutex_unlock(&bg_forkable->mu);
	bg_forkable = NULL;
	pthread_mutex_unlock(&bg_fork_mu);
}

static void bg_fork_register(void) { pthread_atfork(bg_fork_prepare, bg_fork_parent, bg_fork_child); }

struct store {
	sqlite3 *db;
	char *path;
	struct store_cached cache[STORE_CACHE];
	unsigned long clock;
	struct store_bg *bg; /* NULL: SQLite checkpoints in the writer (its default) */
	const volatile sig_atomic_t *stop; /* store_set_stop, or NULL */
	struct timespec busy_t0;           /* when the current wait for a lock began (busy_wait) */
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS runs(run_id INTEGER PRIMARY KEY, scenario TEXT,"
	" scenario_hash TEXT, params TEXT, replication INTEGER, seed INTEGER, status TEXT,"
	" version TEXT, started_at TEXT, wall_s REAL, message TEXT, trial_key TEXT UNIQUE);"
	"CREATE TABLE IF NOT EXISTS metrics(run_id INTEGER, name TEXT, value REAL, unit TEXT);"
	"CREATE INDEX IF NOT EXISTS metrics_run ON metrics(run_id);"
	"CREATE INDEX IF NOT EXISTS metrics_name ON metrics(name);"
	"CREATE TABLE IF NOT EXISTS timeseries(run_id INTEGER, t_s REAL, name TEXT, value REAL);"
	"CREATE INDEX IF NOT EXISTS timeseries_run ON timeseries(run_id, name);"
	"CREATE TABLE IF NOT EXISTS scenarios(scenario_hash TEXT PRIMARY KEY, name TEXT,"
	" json TEXT);";

/* Every results database carries maasim's mark in its header: PRAGMA application_id (the bytes
 * "MaaS") and PRAGMA user_version (the schema version below; raise it when a table changes in a
 * way older readers cannot handle). A file without the mark is maasim's only when it is empty or
 * when its runs and metrics tables have maasim's columns (databases written before the mark). */
#define STORE_APP_ID 0x4d616153 /* "MaaS" */
#define STORE_SCHEMA_VERSION 1

#ifdef MAASIM_FAULT
/* Fault-injection builds route SQLite's allocations through the xalloc failure counter (each
 * block carries its size in a 16-byte header, as SQLite needs xSize); a failed one returns NULL
 * and SQLite reports SQLITE_NOMEM, which the store turns into an error message. */
static void *fm_malloc(int n)
{
	size_t *p = xalloc_fail_now() ? NULL : malloc((size_t)n + 16);
	if (!p)
		return NULL;
	p[0] = (size_t)n;
	return (char *)p + 16;
}

static void fm_free(void *p)
{
	if (p)
		free((char *)p - 16);
}

static void *fm_realloc(void *p, int n)
{
	size_t *q;

	if (xalloc_fail_now())
		return NULL;
	if (!(q = realloc(p ? (char *)p - 16 : NULL, (size_t)n + 16)))
		return NULL;
	q[0] = (size_t)n;
	return (char *)q + 16;
}

static int fm_size(void *p) { return p ? (int)*(size_t *)((char *)p - 16) : 0; }
static int fm_roundup(int n) { return (n + 7) & ~7; }
static int fm_init(void *x) { (void)x; return SQLITE_OK; }
static void fm_shutdown(void *x) { (void)x; }

static void fault_hooks(void)
{
	static const sqlite3_mem_methods mm = { fm_malloc, fm_free, fm_realloc, fm_size,
						fm_roundup, fm_init, fm_shutdown, NULL };
	static int done; /* test builds only: process-wide, like the xalloc counter */

	if (!done && getenv("MAASIM_FAIL_ALLOC"))
		sqlite3_config(SQLITE_CONFIG_MALLOC, &mm); /* fails harmlessly if SQLite is running */
	done = 1;
}
#else
static void fault_hooks(void) {}
#endif

static int db_err(struct store *s, struct err *e, const char *what)
{
	int sys = s->db ? sqlite3_system_errno(s->db) : 0; /* the system's reason, when there is one */

	if (sys)
		return err_set(e, "%s: %s: %s (%s)", s->path, what, sqlite3_errmsg(s->db), strerror(sys));
	return err_set(e, "%s: %s: %s", s->path, what, s->db ? sqlite3_errmsg(s->db) : "no database");
}

/* Before SQLite tries (its own message would be "unable to open database file"): the database
 * and its folder must be writable, the folder because WAL mode keeps -wal and -shm files next to
 * the database. Names the system's reason (read-only file system, permission denied...). */
static int check_writable(const char *path, struct err *e)
{
	char *dir = xstrdup(path);
	const char *d = dirname(dir);
	int rc = 0;

	if (access(path, F_OK) == 0 && access(path, W_OK) != 0)
		rc = err_set(e, "%s: cannot open results database for writing: %s", path, strerror(errno));
	else if (access(d, W_OK | X_OK) != 0)
		rc = err_set(e, "%s: cannot open results database: its folder %s is not writable: %s",
			     path, d, strerror(errno));
	free(dir);
	return rc;
}

static int int_row(void *ctx, int n, const char *const *v, const char *const *c)
{
	(void)c;
	*(long long *)ctx = n > 0 && v[0] ? strtoll(v[0], NULL, 10) : 0;
	return 0;
}

static long long query_int(struct store *s, const char *sql, int *bad, struct err *e)
{
	long long v = 0;

	if (!*bad && store_query(s, sql, NULL, 0, int_row, &v, e))
		*bad = 1;
	return v;
}

/* Appends the names of the file's own tables (up to a few) to the text in ctx. */
struct names_buf {
	char text[160];
	int n;
};

static int name_row(void *ctx, int n, const char *const *v, const char *const *c)
{
	struct names_buf *b = ctx;
	size_t len = strlen(b->text);

	(void)c;
	if (n > 0 && v[0] && b->n++ < 4)
		snprintf(b->text + len, sizeof b->text - len, "%s%s", len ? ", " : "", v[0]);
	else if (n > 0 && b->n == 5 && len + 6 < sizeof b->text)
		snprintf(b->text + len, sizeof b->text - len, ", ...");
	return 0;
}

/* A file that does not exist or is empty is a new database; any other must open with SQLite's
 * 16-byte header string (sqlite.org/fileformat.html, section 1.3.1). */
static int is_sqlite_file(const char *path)
{
	static const char magic[16] = "SQLite format 3"; /* with its terminating NUL */
	char head[16];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return 1; /* not there (yet): SQLite creates it, or says why it cannot */
	n = fread(head, 1, sizeof head, f);
	fclose(f);
	return n == 0 || (n == sizeof head && memcmp(head, magic, sizeof magic) == 0);
}

/* Is this file maasim's (or empty)? Reads only: a file that is not maasim's is left as it was.
 * An empty file, or one without tables, is a new database. */
static int check_schema(struct store *s, int mode, struct err *e)
{
	/* only a database being written to can start afresh in a new file */
	const char *alt = mode == STORE_CREATE ? ", or a new file name" : "";
	int bad = 0;
	long long app, ver, tables, legacy;

	if (!is_sqlite_file(s->path))
		return err_set(e, "%s: not a SQLite database: expected a maasim results database%s"
			       " (the file was left untouched)", s->path, alt);
	app = query_int(s, "PRAGMA application_id;", &bad, e);
	ver = query_int(s, "PRAGMA user_version;", &bad, e);
	tables = query_int(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
			      " AND name NOT LIKE 'sqlite_%';", &bad, e);
	/* written before the mark: runs and metrics with all of maasim's columns */
	legacy = query_int(s, "SELECT (SELECT count(*) FROM pragma_table_info('runs') WHERE name IN"
			      " ('run_id','scenario','scenario_hash','params','replication','seed','status',"
			      "'version','started_at','wall_s','message','trial_key')) = 12 AND"
			      " (SELECT count(*) FROM pragma_table_info('metrics') WHERE name IN"
			      " ('run_id','name','value','unit')) = 4;", &bad, e);
	if (bad)
		return -1;
	if (app == STORE_APP_ID) {
		if (ver > STORE_SCHEMA_VERSION)
			return err_set(e, "%s: written by a newer maasim (results schema version %lld;"
				       " this maasim knows versions up to %d): use that maasim%s (the file"
				       " was left untouched)", s->path, ver, STORE_SCHEMA_VERSION, alt);
		return 0;
	}
	if (app == 0 && (tables == 0 || legacy))
		return 0;
	{
		struct names_buf b = { "", 0 };

		if (store_query(s, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT"
				   " LIKE 'sqlite_%' ORDER BY name;", NULL, 0, name_row, &b, e))
			return -1;
		if (app != 0)
			return err_set(e, "%s: a SQLite database of another application (application_id"
				       " 0x%08llx), not a maasim results database (expected 0x%08x%s); the"
				       " file was left untouched", s->path,
				       (unsigned long long)app & 0xffffffffULL, STORE_APP_ID, alt);
		return err_set(e, "%s: a SQLite database that is not a maasim results database (its"
			       " tables: %s; expected runs and metrics with maasim's columns%s); the"
			       " file was left untouched", s->path, b.text, alt);
	}
}

struct store *store_open(const char *path, int mode, struct err *e)
{
	struct store *s = xcalloc(1, sizeof *s);
	/* NOMUTEX: a connection is only ever used by the one thread that opened it */
	int rc, flags = (mode == STORE_CREATE ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
					      : SQLITE_OPEN_READONLY) | SQLITE_OPEN_NOMUTEX;

	fault_hooks();
	s->path = xstrdup(path);
	if (mode == STORE_CREATE && check_writable(path, e)) {
		store_close(s);
		return NULL;
	}
	if ((rc = sqlite3_open_v2(path, &s->db, flags, NULL)) != SQLITE_OK) {
		/* without a handle (out of memory) only the result code can tell why */
		if (!s->db)
			err_set(e, "%s: cannot open results database: %s", path, sqlite3_errstr(rc));
		db_err(s, e, "cannot open results database");
		store_close(s);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	/* before anything is written: a file that is not maasim's stays as it was */
	if (check_schema(s, mode, e)) {
		store_close(s);
		return NULL;
	}
	if (mode == STORE_CREATE) {
		char mark[96];

		snprintf(mark, sizeof mark, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
			 STORE_APP_ID, STORE_SCHEMA_VERSION);
		if (store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", e) ||
		    store_exec(s, "BEGIN;", e) || store_exec(s, schema_sql, e) ||
		    store_exec(s, mark, e) || store_exec(s, "COMMIT;", e)) {
			store_close(s);
			return NULL;
		}
	}
	return s;
}

/* The busy handler of a store with a stop flag: waits for another connection's lock as
 * sqlite3_busy_timeout(STORE_BUSY_MS) does, but gives up (SQLITE_BUSY) as soon as *s->stop is
 * set. SQLite's own wait sleeps through signals: a sweep's SIGTERM during a wait for the lock
 * went unseen for up to 10 s, and was then lost. count is the number of calls before this one
 * for the same lock (0: a new wait begins); the steps grow 1, 2, 4... ms up to
 * STORE_BUSY_STEP_MS, so that a lock held for a moment is taken at once. A signal wakes the
 * sleep (nanosleep returns early) and the next call sees the flag. */
static int busy_wait(void *ctx, int count)
{
	struct store *s = ctx;
	struct timespec now, step;
	long waited_ms, step_ms = count < 6 ? 1L << count : STORE_BUSY_STEP_MS;

	if (*s->stop)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (count == 0)
		s->busy_t0 = now;
	waited_ms = (now.tv_sec - s->busy_t0.tv_sec) * 1000 + (now.tv_nsec - s->busy_t0.tv_nsec) / 1000000;
	if (waited_ms >= STORE_BUSY_MS)
		return 0;
	if (step_ms > STORE_BUSY_STEP_MS)
		step_ms = STORE_BUSY_STEP_MS;
	if (step_ms > STORE_BUSY_MS - waited_ms)
		step_ms = STORE_BUSY_MS - waited_ms;
	step.tv_sec = 0;
	step.tv_nsec = step_ms * 1000000;
	nanosleep(&step, NULL);
	return 1;
}

void store_set_stop(struct store *s, const volatile sig_atomic_t *stop)
{
	s->stop = stop;
	if (stop)
		sqlite3_busy_handler(s->db, busy_wait, s);
	else
		sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
}

/* Tests only (store_checkpoint_hold): with mu held, waits here, busy (so forks wait too), while
 * a test holds the thread at this point of its round. */
static void bg_hold_point(struct store_bg *bg, int point)
{
	if (bg->hold != point)
		return;
	bg->held = point;
	pthread_cond_broadcast(&bg->idle);
	while (bg->hold == point && !bg->stop)
		pthread_cond_wait(&bg->cv, &bg->mu);
	bg->held = 0;
}

/* The checkpointing thread: waits until STORE_CKPT_FRAMES frames are waiting (or it is asked),
 * then checkpoints without blocking the writer. A failed checkpoint (disk, memory) is not an
 * error of any run: the next one, or the writer's own at STORE_WAL_MAX_FRAMES, or the one at
 * close, copies those pages. */
static void *bg_main(void *arg)
{
	struct store_bg *bg = arg;

	pthread_mutex_lock(&bg->mu);
	bg->busy = 0; /* started: the thread's set-up (allocations included) is done */
	pthread_cond_broadcast(&bg->idle);
	for (;;) {
		int n_log = -1, n_done = -1, restart_at;
		/* a round that could not copy the log (a reader's snapshot holds it back) is not
		 * repeated before another commit: it would copy nothing again, in a loop */
		while (!bg->stop && !bg->now &&
		       (bg->log - bg->done < STORE_CKPT_FRAMES || bg->log == bg->tried))
			pthread_cond_wait(&bg->cv, &bg->mu);
		if (bg->stop)
			break;
		bg->now = 0;
		bg->busy = 1;
		bg->rounds++;
		bg_hold_point(bg, STORE_HOLD_START);
		bg->tried = bg->log;
		pthread_mutex_unlock(&bg->mu);
		sqlite3_wal_checkpoint_v2(bg->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &n_log, &n_done);
		pthread_mutex_lock(&bg->mu);
		bg_hold_point(bg, STORE_HOLD_AFTER_PASSIVE);
		restart_at = bg->restart_frames;
		pthread_mutex_unlock(&bg->mu);
		/* a log this long is started over: the writer waits for the frames committed
		 * since the passive checkpoint (a few ms), not for all of them */
		if (n_log >= restart_at) {
			int rc = sqlite3_wal_checkpoint_v2(bg->db, NULL, SQLITE_CHECKPOINT_RESTART,
							   &n_log, &n_done);
			pthread_mutex_lock(&bg->mu);
			bg->restarts++;
			bg->restarts_done += rc == SQLITE_OK;
			pthread_mutex_unlock(&bg->mu);
		}
		pthread_mutex_lock(&bg->mu);
		bg->busy = 0;
		pthread_cond_broadcast(&bg->idle); /* a fork may be waiting */
		/* a log shorter than what was checkpointed has started over (all of it was copied);
		 * when nothing is known, wait for another STORE_CKPT_FRAMES before trying again */
		bg->done = n_done < 0 ? bg->log : bg->log < n_done ? 0 : n_done;
	}
	pthread_mutex_unlock(&bg->mu);
	return NULL;
}

/* The writer's WAL hook, called after each commit with the log's size in frames. */
static int bg_hook(void *ctx, sqlite3 *db, const char *name, int n_frames)
{
	struct store_bg *bg = ctx;
	int max_frames;

	pthread_mutex_lock(&bg->mu);
	max_frames = bg->max_frames;
	if (n_frames < bg->done) /* the log started over */
		bg->done = 0;
	/* a shorter log is a new one: not the one tried. (tried <= log always: a new log whose
	 * first commit is longer than the old log is already past tried, and grows from there) */
	if (n_frames < bg->log)
		bg->tried = -1;
	bg->log = n_frames;
	if (n_frames > bg->max_log)
		bg->max_log = n_frames;
	if (n_frames - bg->done >= STORE_CKPT_FRAMES)
		pthread_cond_signal(&bg->cv);
	pthread_mutex_unlock(&bg->mu);
	/* SQLITE_BUSY while the thread checkpoints: tried again at the next commit */
	if (n_frames >= max_frames)
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

static void bg_stop(struct store *s)
{
	struct store_bg *bg = s->bg;

	if (!bg)
		return;
	pthread_mutex_lock(&bg_fork_mu);
	if (bg_forkable == bg)
		bg_forkable = NULL;
	pthread_mutex_unlock(&bg_fork_mu);
	pthread_mutex_lock(&bg->mu);
	bg->stop = 1;
	pthread_cond_signal(&bg->cv);
	pthread_mutex_unlock(&bg->mu);
	pthread_join(bg->thread, NULL);
	sqlite3_wal_hook(s->db, NULL, NULL);
	sqlite3_close(bg->db);
	pthread_cond_destroy(&bg->idle);
	pthread_cond_destroy(&bg->cv);
	pthread_mutex_destroy(&bg->mu);
	free(bg);
	s->bg = NULL;
}

int store_checkpoint_in_background(struct store *s, struct err *e)
{
	struct store_bg *bg;
	int rc;

	if (s->bg)
		return 0;
	if (!sqlite3_threadsafe())
		return err_set(e, "%s: background checkpoints: SQLite was built without threads", s->path);
	pthread_mutex_lock(&bg_fork_mu);
	bg = bg_forkable;
	pthread_mutex_unlock(&bg_fork_mu);
	if (bg) /* the fork handlers protect one thread (bg_forkable): one store at a time */
		return err_set(e, "%s: background checkpoints: another store has them on", s->path);
	bg = xcalloc(1, sizeof *bg);
	bg->restart_frames = STORE_WAL_RESTART_FRAMES;
	bg->max_frames = STORE_WAL_MAX_FRAMES;
	/* a connection finds the database in WAL mode when it first reads it: until then its
	 * checkpoints do nothing */
	if ((rc = sqlite3_open_v2(s->path, &bg->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
				  NULL)) != SQLITE_OK ||
	    (rc = sqlite3_exec(bg->db, "SELECT count(*) FROM sqlite_master;", NULL, NULL, NULL)) != SQLITE_OK) {
		err_set(e, "%s: background checkpoints: %s", s->path,
			bg->db ? sqlite3_errmsg(bg->db) : sqlite3_errstr(rc));
		sqlite3_close(bg->db);
		free(bg);
		return -1;
	}
	/* how long a RESTART waits for the writer's transaction (ms) and for readers of the log
	 * (another process's query), holding the writer meanwhile; on time-out it is retried later */
	sqlite3_busy_timeout(bg->db, 100);
	pthread_mutex_init(&bg->mu, NULL);
	pthread_cond_init(&bg->cv, NULL);
	pthread_cond_init(&bg->idle, NULL);
	pthread_once(&bg_fork_once, bg_fork_register);
	bg->busy = 1; /* until the thread is in its loop: a fork waits for its start-up too */
	/* the thread starts with every signal blocked, so that SIGINT and SIGTERM always reach the
	 * thread that watches for them (sweep_exec.c's writer; POSIX lets the kernel deliver a
	 * process's signal to any thread that does not block it) */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&bg->thread, NULL, bg_main, bg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		err_set(e, "%s: background checkpoints: cannot start a thread: %s", s->path, strerror(rc));
		pthread_cond_destroy(&bg->idle);
		pthread_cond_destroy(&bg->cv);
		pthread_mutex_destroy(&bg->mu);
		sqlite3_close(bg->db);
		free(bg);
		return -1;
	}
	s->bg = bg;
	pthread_mutex_lock(&bg_fork_mu);
	bg_forkable = bg;
	pthread_mutex_unlock(&bg_fork_mu);
	sqlite3_wal_hook(s->db, bg_hook, bg); /* in place of SQLite's own checkpoints */
	return 0;
}

void store_checkpoint_soon(struct store *s)
{
	if (!s->bg)
		return;
	pthread_mutex_lock(&s->bg->mu);
	s->bg->now = 1;
	pthread_cond_signal(&s->bg->cv);
	pthread_mutex_unlock(&s->bg->mu);
}

void store_checkpoint_hold(struct store *s, int hold)
{
	if (!s->bg)
		return;
	pthread_mutex_lock(&s->bg->mu);
	s->bg->hold = hold;
	pthread_cond_broadcast(&s->bg->cv);
	pthread_mutex_unlock(&s->bg->mu);
}

void store_checkpoint_limits(struct store *s, int restart_frames, int max_frames)
{
	if (!s->bg)
		return;
	pthread_mutex_lock(&s->bg->mu);
	if (restart_frames > 0)
		s->bg->restart_frames = restart_frames;
	if (max_frames > 0)
		s->bg->max_frames = max_frames;
	pthread_mutex_unlock(&s->bg->mu);
}

static void bg_stats(const struct store_bg *bg, struct store_ckpt_stats *out)
{
	out->rounds = bg->rounds;
	out->restarts = bg->restarts;
	out->restarts_done = bg->restarts_done;
	out->forks_waited = bg->forks_waited;
	out->log_frames = bg->log;
	out->max_log_frames = bg->max_log;
	out->restart_frames = bg->restart_frames;
	out->max_frames = bg->max_frames;
	out->held = bg->held;
	out->idle = !bg->busy && !bg->now &&
		    (bg->log - bg->done < STORE_CKPT_FRAMES || bg->log == bg->tried);
}

int store_checkpoint_stats(struct store *s, struct store_ckpt_stats *out)
{
	memset(out, 0, sizeof *out);
	if (!s->bg)
		return -1;
	pthread_mutex_lock(&s->bg->mu);
	bg_stats(s->bg, out);
	pthread_mutex_unlock(&s->bg->mu);
	return 0;
}

int store_checkpoint_wait(struct store *s, store_ckpt_pred until, void *ctx)
{
	struct store_ckpt_stats st;

	if (!s->bg)
		return -1;
	pthread_mutex_lock(&s->bg->mu);
	for (bg_stats(s->bg, &st); !until(&st, ctx); bg_stats(s->bg, &st))
		pthread_cond_wait(&s->bg->idle, &s->bg->mu);
	pthread_mutex_unlock(&s->bg->mu);
	return 0;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	bg_stop(s); /* first: the writer's close then checkpoints the rest as the last connection */
	for (int i = 0; i < STORE_CACHE; i++) { /* a connection with live statements stays open */
		sqlite3_finalize(s->cache[i].st);
		free(s->cache[i].sql);
	}
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

int store_exec(struct store *s, const char *sql, struct err *e)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int sys = sqlite3_system_errno(s->db);
		err_set(e, "%s: %s%s%s%s", s->path, msg ? msg : sqlite3_errmsg(s->db), sys ? " (" : "",
			sys ? strerror(sys) : "", sys ? ")" : "");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* A statement for sql, ready to bind (NULL on failure: the connection's error says why): the
 * cached one when it is free, else a new one, kept in the cache in place of the least recently
 * used free entry when there is one. Give it back with stmt_give. */
static sqlite3_stmt *stmt_take(struct store *s, const char *sql)
{
	struct store_cached *c, *victim = NULL;
	sqlite3_stmt *st = NULL;

	for (int i = 0; i < STORE_CACHE; i++) {
		c = &s->cache[i];
		if (c->sql && !c->busy && strcmp(c->sql, sql) == 0) {
			c->busy = 1;
			c->used = ++s->clock;
			return c->st;
		}
		if (!c->busy && (!victim || !c->sql || (victim->sql && c->used < victim->used)))
			victim = c;
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, victim ? SQLITE_PREPARE_PERSISTENT : 0, &st,
			       NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return NULL;
	}
	if (victim) {
		sqlite3_finalize(victim->st);
		free(victim->sql);
		*victim = (struct store_cached){ xstrdup(sql), st, 1, ++s->clock };
	}
	return st;
}

/* Gives back a statement from stmt_take (NULL is ignored): reset with its bindings cleared, or
 * finalized when it is not in the cache. */
static void stmt_give(struct store *s, sqlite3_stmt *st)
{
	if (!st)
		return;
	for (int i = 0; i < STORE_CACHE; i++)
		if (s->cache[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			s->cache[i].busy = 0;
			return;
		}
	sqlite3_finalize(st);
}

/* A failed bind does not set the connection's error message: name the result code. */
static int bind_err(struct store *s, struct err *e, const char *what, int rc)
{
	return err_set(e, "%s: %s: %s", s->path, what, sqlite3_errstr(rc));
}

/* Binds without a copy: every string bound here outlives the statement's use, which ends with
 * stmt_give (it clears the bindings) before the binding function returns. */
static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
	return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

/* The order in which the series points are written: by name, then time (a stable counting
 * sort), so that each row's entry in the (run_id, name) index lands at the end of the index
 * (run_id is the newest, names ascend, rowids ascend), the cheapest B-tree insertion. Returns
 * the point indices in that order (caller frees). */
static size_t *series_order(const struct metrics *ms)
{
	size_t nn = ms->n_names, *ord = xmalloc((ms->n_pts ? ms->n_pts : 1) * sizeof *ord);
	unsigned *by_name = xmalloc((nn ? nn : 1) * sizeof *by_name);
	size_t *start = xcalloc(nn + 1, sizeof *start);

	for (unsigned i = 0; i < nn; i++) { /* names in ascending order (insertion sort: few) */
		unsigned j = i;
		for (; j > 0 && strcmp(ms->series_names[by_name[j - 1]], ms->series_names[i]) > 0; j--)
			by_name[j] = by_name[j - 1];
		by_name[j] = i;
	}
	for (size_t i = 0; i < ms->n_pts; i++)
		start[ms->pts[i].name_id + 1]++;
	{ /* start[id]: where name id's points begin, the names laid out in ascending order */
		size_t *cnt = xmalloc((nn ? nn : 1) * sizeof *cnt), at = 0;
		for (size_t k = 0; k < nn; k++)
			cnt[k] = start[k + 1];
		for (size_t k = 0; k < nn; k++) {
			start[by_name[k]] = at;
			at += cnt[by_name[k]];
		}
		free(cnt);
	}
	for (size_t i = 0; i < ms->n_pts; i++)
		ord[start[ms->pts[i].name_id]++] = i;
	free(start);
	free(by_name);
	return ord;
}

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Rows go in by multi-row INSERT statements of up to INS_ROWS rows: the per-statement work
 * (cursor set-up, halt, allocations) is then paid once for many rows, which is most of what an
 * insert costs here. ins_stmt takes the statement for n rows of table(cols) (ncols columns). */
#define INS_ROWS 64
#define MET_COLS "metrics(run_id, name, value, unit)"
#define SER_COLS "timeseries(run_id, t_s, name, value)"

static sqlite3_stmt *ins_stmt(struct store *s, const char *table_cols, int ncols, int n)
{
	char *sql = xmalloc(64 + strlen(table_cols) + (size_t)n * (size_t)(2 * ncols + 4));
	size_t at = (size_t)sprintf(sql, "INSERT INTO %s VALUES", table_cols);
	sqlite3_stmt *st = NULL;

	for (int r = 0; r < n; r++) {
		sql[at++] = r ? ',' : ' ';
		sql[at++] = '(';
		for (int c = 0; c < ncols; c++) {
			if (c)
				sql[at++] = ',';
			sql[at++] = '?';
		}
		sql[at++] = ')';
	}
	sql[at] = 0;
	st = stmt_take(s, sql);
	free(sql);
	return st;
}

/* What the row binders of store_write_run read: the run's metrics, its id and the order of
 * its series points (series_order). */
struct rows_ctx {
	const struct metrics *ms;
	long long id;
	const size_t *ord;
};

/* Binds row i of a table's rows at parameter c + 1 on; returns the first failure or SQLITE_OK. */
typedef int (*bind_row_fn)(sqlite3_stmt *st, int c, size_t i, const struct rows_ctx *x);

static int bind_metric(sqlite3_stmt *st, int c, size_t i, const struct rows_ctx *x)
{
	const struct metric *m = &x->ms->m[i];
	int b = sqlite3_bind_int64(st, c + 1, x->id);
	if (b == SQLITE_OK)
		b = bind_text(st, c + 2, m->name);
	if (b == SQLITE_OK)
		b = sqlite3_bind_double(st, c + 3, m->value);
	return b == SQLITE_OK ? bind_text(st, c + 4, m->unit) : b;
}

static int bind_point(sqlite3_stmt *st, int c, size_t i, const struct rows_ctx *x)
{
	const struct series_point *pt = &x->ms->pts[x->ord[i]];
	int b = sqlite3_bind_int64(st, c + 1, x->id);
	if (b == SQLITE_OK)
		b = sqlite3_bind_double(st, c + 2, pt->t_s);
	if (b == SQLITE_OK)
		b = bind_text(st, c + 3, x->ms->series_names[pt->name_id]);
	return b == SQLITE_OK ? sqlite3_bind_double(st, c + 4, pt->value) : b;
}

/* Inserts rows 0..n-1 (4 columns each) by statements of INS_ROWS rows (full, prepared for
 * table_cols) and one shorter statement for the rest. Returns 0, or -1 with e ("what": ...). */
static int insert_rows(struct store *s, sqlite3_stmt *full, const char *table_cols, size_t n,
		       bind_row_fn bind, const struct rows_ctx *x, const char *what, struct err *e)
{
	for (size_t i0 = 0; i0 < n; i0 += INS_ROWS) {
		size_t k = n - i0 < INS_ROWS ? n - i0 : INS_ROWS;
		sqlite3_stmt *st = k < INS_ROWS ? ins_stmt(s, table_cols, 4, (int)k) : full;
		int b = SQLITE_OK;
		if (!st)
			return db_err(s, e, "cannot prepare statements");
		for (size_t j = 0; j < k && b == SQLITE_OK; j++)
			b = bind(st, 4 * (int)j, i0 + j, x);
		if (b != SQLITE_OK || step_done(st)) {
			if (b != SQLITE_OK)
				bind_err(s, e, what, b);
			else
				db_err(s, e, what);
			if (st != full)
				stmt_give(s, st);
			return -1;
		}
		if (st != full)
			stmt_give(s, st);
	}
	return 0;
}

int store_write_run(struct store *s, const struct store_run *r, const struct metrics *ms,
		    long long *run_id, struct err *e)
{
	sqlite3_stmt *run = NULL, *met = NULL, *ser = NULL;
	size_t *ord = NULL;
	long long id;
	int rc = -1, b;

	if (store_exec(s, "BEGIN IMMEDIATE;", e))
		return -1;
	if (!(run = stmt_take(s, "INSERT INTO runs(scenario, scenario_hash, params, replication,"
			      " seed, status, version, started_at, wall_s, message, trial_key)"
			      " VALUES(?,?,?,?,?,?,?,?,?,?,?)")) ||
	    !(met = ins_stmt(s, MET_COLS, 4, INS_ROWS)) || !(ser = ins_stmt(s, SER_COLS, 4, INS_ROWS))) {
		db_err(s, e, "cannot prepare statements");
		goto out;
	}
	/* a bind can fail (out of memory, a string too long): a failed bind must not become a
	 * NULL column, so every bind's result is kept (BIND: the first failure) */
#define BIND(x) (b = b != SQLITE_OK ? b : (x))
	b = SQLITE_OK;
	BIND(bind_text(run, 1, r->scenario));
	BIND(bind_text(run, 2, r->scenario_hash));
	BIND(bind_text(run, 3, r->params ? r->params : "{}"));
	BIND(sqlite3_bind_int64(run, 4, r->replication));
	/* SQLite integers are signed 64-bit; seeds above 2^63 are stored as their bit pattern */
	BIND(sqlite3_bind_int64(run, 5, (sqlite3_int64)r->seed));
	BIND(bind_text(run, 6, r->status));
	BIND(bind_text(run, 7, r->version));
	BIND(bind_text(run, 8, r->started_at));
	BIND(sqlite3_bind_double(run, 9, r->wall_s));
	BIND(bind_text(run, 10, r->message));
	BIND(bind_text(run, 11, r->trial_key));
	if (b != SQLITE_OK) {
		bind_err(s, e, "cannot write run", b);
		goto out;
	}
	if (step_done(run)) {
		db_err(s, e, "cannot write run");
		goto out;
	}
	id = sqlite3_last_insert_rowid(s->db);
#undef BIND
	if (ms) {
		struct rows_ctx rows = { ms, id, NULL };
		if (insert_rows(s, met, MET_COLS, ms->n, bind_metric, &rows, "cannot write metric", e))
			goto out;
		rows.ord = ord = series_order(ms);
		if (insert_rows(s, ser, SER_COLS, ms->n_pts, bind_point, &rows, "cannot write time series", e))
			goto out;
	}
	if (store_exec(s, "COMMIT;", e))
		goto out;
	if (run_id)
		*run_id = id;
	rc = 0;
out:
	free(ord);
	stmt_give(s, run);
	stmt_give(s, met);
	stmt_give(s, ser);
	if (rc)
		sqlite3_exec(s->db, "ROLLBACK;", NULL, NULL, NULL);
	return rc;
}

int store_put_scenario(struct store *s, const char *hash, const char *name, const char *json,
		       struct err *e)
{
	const char *p[3] = { hash, name, json };
	return store_query(s, "INSERT OR IGNORE INTO scenarios(scenario_hash, name, json) VALUES(?,?,?)",
			   p, 3, NULL, NULL, e);
}

static int found_row(void *ctx, int n, const char *const *v, const char *const *c)
{
	(void)n, (void)v, (void)c;
	*(int *)ctx = 1;
	return 0;
}

int store_has_trial(struct store *s, const char *trial_key, int *found, struct err *e)
{
	*found = 0;
	return store_query(s, "SELECT 1 FROM runs WHERE trial_key = ?", &trial_key, 1, found_row,
			   found, e);
}

int store_insert(struct store *s, const char *sql, const struct store_val *v, int n, struct err *e)
{
	sqlite3_stmt *st;
	int b = SQLITE_OK;

	if (!(st = stmt_take(s, sql)))
		return db_err(s, e, "bad statement");
	for (int i = 0; i < n && b == SQLITE_OK; i++)
		if (v[i].type == STORE_TEXT)
			b = bind_text(st, i + 1, v[i].text);
		else if (v[i].type == STORE_INT)
			b = sqlite3_bind_int64(st, i + 1, v[i].i);
		else
			b = isfinite(v[i].real) ? sqlite3_bind_double(st, i + 1, v[i].real)
						: sqlite3_bind_null(st, i + 1);
	if (b != SQLITE_OK) {
		bind_err(s, e, "cannot bind a value", b);
		stmt_give(s, st);
		return -1;
	}
	if (step_done(st)) {
		db_err(s, e, "cannot write");
		stmt_give(s, st);
		return -1;
	}
	stmt_give(s, st);
	return 0;
}

/* Binds the text parameters of a query; 0, or -1 with e (the statement given back). */
static int bind_params(struct store *s, sqlite3_stmt *st, const char *const *params, int nparams,
		       struct err *e)
{
	for (int i = 0; i < nparams; i++) {
		int rc = bind_text(st, i + 1, params[i]);
		if (rc != SQLITE_OK) {
			bind_err(s, e, "cannot bind a query parameter", rc);
			stmt_give(s, st);
			return -1;
		}
	}
	return 0;
}


/* A finite REAL as the shortest decimal (15, 16 or 17 significant digits) that reads back as
 * the same double; NULL for one that is not finite (SQLite's own text then, "Inf"). SQLite's
 * text for a REAL has 15 significant digits and loses the last bits of most values (1/3 reads
 * back 1.7e-16 off): every number store_query hands on would be slightly off, in CSV exports
 * and in the statistics reports compute. */
static const char *real_text(double v, char buf[32])
{
	if (!isfinite(v))
		return NULL;
	for (int digits = 15; digits < 17; digits++) {
		snprintf(buf, 32, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			return buf;
	}
	snprintf(buf, 32, "%.17g", v);
	return buf;
}

/* Runs sql with its text parameters bound and hands each row (at most 64 columns) to conv,
 * which converts the columns and calls the caller's row function: 0 to go on, anything else
 * stops the query and is returned. The one step loop of store_query and store_query_vals. */
typedef int (*row_conv_fn)(struct store *s, sqlite3_stmt *st, int n, void *q, struct err *e);

static int query_each(struct store *s, const char *sql, const char *const *params, int nparams,
		      row_conv_fn conv, void *q, struct err *e)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (!(st = stmt_take(s, sql)))
		return db_err(s, e, "bad query");
	if (bind_params(s, st, params, nparams, e))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int n = sqlite3_column_count(st);
		if ((ret = conv(s, st, n > 64 ? 64 : n, q, e)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_err(s, e, "query failed");
		ret = -1;
	}
	stmt_give(s, st);
	return ret;
}

struct text_query {
	store_row_fn row;
	void *ctx;
};

/* store_query's row: every value as text (a REAL exactly: real_text), with column names. */
static int text_row(struct store *s, sqlite3_stmt *st, int n, void *q, struct err *e)
{
	const struct text_query *tq = q;
	const char *vals[64], *names[64];
	char real[64][32];

	for (int i = 0; i < n; i++) {
		vals[i] = NULL;
		if (sqlite3_column_type(st, i) == SQLITE_FLOAT)
			vals[i] = real_text(sqlite3_column_double(st, i), real[i]);
		if (!vals[i])
			vals[i] = (const char *)sqlite3_column_text(st, i);
		names[i] = sqlite3_column_name(st, i);
		/* NULL text for a non-NULL value: SQLite could not convert it (out of memory);
		 * handing the row on would silently drop the value */
		if ((!vals[i] && sqlite3_column_type(st, i) != SQLITE_NULL) || !names[i])
			return err_set(e, "%s: query failed: out of memory reading a result", s->path);
	}
	return tq->row ? tq->row(tq->ctx, n, vals, names) : 0;
}

int store_query(struct store *s, const char *sql, const char *const *params, int nparams,
		store_row_fn row, void *ctx, struct err *e)
{
	struct text_query tq = { row, ctx };

	return query_each(s, sql, params, nparams, text_row, &tq, e);
}

/* store_query_column's row: the first value, copied. */
static int column_row(void *ctx, int n, const char *const *v, const char *const *names)
{
	struct store_strings *l = ctx;

	(void)names;
	if (n < 1 || !v[0])
		return 0;
	xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
	l->v[l->n++] = xstrdup(v[0]);
	return 0;
}

int store_query_column(struct store *s, const char *sql, const char *const *params, int nparams,
		       struct store_strings *out, struct err *e)
{
	return store_query(s, sql, params, nparams, column_row, out, e);
}

void store_strings_fini(struct store_strings *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

struct val_query {
	store_val_row_fn row;
	void *ctx;
};

/* store_query_vals's row: INTEGER and REAL as stored, anything else as text. */
static int val_row(struct store *s, sqlite3_stmt *st, int n, void *q, struct err *e)
{
	const struct val_query *vq = q;
	struct store_val v[64];

	for (int i = 0; i < n; i++) {
		int type = sqlite3_column_type(st, i);
		v[i] = (struct store_val){ STORE_TEXT, NULL, 0, 0 };
		if (type == SQLITE_INTEGER) {
			v[i].type = STORE_INT;
			v[i].i = sqlite3_column_int64(st, i);
		} else if (type == SQLITE_FLOAT) {
			v[i].type = STORE_REAL;
			v[i].real = sqlite3_column_double(st, i);
		} else if (type != SQLITE_NULL &&
			   !(v[i].text = (const char *)sqlite3_column_text(st, i))) {
			/* as in store_query: a value SQLite could not convert is not dropped */
			return err_set(e, "%s: query failed: out of memory reading a result", s->path);
		}
	}
	return vq->row ? vq->row(vq->ctx, n, v) : 0;
}

int store_query_vals(struct store *s, const char *sql, const char *const *params, int nparams,
		     store_val_row_fn row, void *ctx, struct err *e)
{
	struct val_query vq = { row, ctx };

	return query_each(s, sql, params, nparams, val_row, &vq, e);
}
