/* test_store.c — the results store's typed inserts, exact reals from queries (as text and as
 * typed values), its background checkpoints and its wait for a lock that a stop flag ends.
 *
 * Background checkpoints are seen from outside: the database file grows only when a checkpoint
 * copies the log into it, and with the thread on the writer no longer checkpoints itself, so a
 * file that grows after store_checkpoint_soon (below SQLite's own 1,000-page threshold) was
 * copied by the thread; after store_close no log is left and every run is there.
 * The thread's RESTART path, the log's bounds (the writer's own checkpoint at the hard limit,
 * lowered by store_checkpoint_limits to a log of 8 MB) and its fork handlers are tested through
 * the store's test hooks (store.h: store_checkpoint_hold, _stats, _wait), never through sleeps or
 * time-outs of this test: each step waits for a state of the thread, so the outcome does not
 * depend on how a loaded machine schedules it (the one time involved is SQLite's own 100 ms
 * busy time-out of a RESTART that must fail, and it fails however long it waits). A wait that
 * never ends (a regression) would hang make test: main's alarm ends the binary after 120 s
 * with a message and exit 1 instead, a bound on a hang, not a time the outcome depends on.
 */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/check.h"
#include "io/store.h"

static char dir[64], path[96], wal[100];

static void tmp_db(void)
{
	snprintf(dir, sizeof dir, "/tmp/maasim-test-store.XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/r.db", dir);
	snprintf(wal, sizeof wal, "%s-wal", path);
}

static void rm_db(void)
{
	char p[128];
	unlink(path);
	unlink(wal);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
	rmdir(dir);
}

/* A new store in a fresh temporary directory, or NULL (a failed check; nothing left behind). */
static struct store *tmp_store(struct err *e)
{
	struct store *s;

	tmp_db();
	err_clear(e);
	CHECK((s = store_open(path, STORE_CREATE, e)) != NULL);
	if (!s)
		rm_db();
	return s;
}

static long long file_size(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 ? (long long)sb.st_size : -1;
}

static int text_row(void *ctx, int n, const char *const *v, const char *const *c)
{
	char *out = ctx;
	size_t len = strlen(out);
	(void)c;
	for (int i = 0; i < n; i++)
		snprintf(out + len, 256 - len, "%s%s", i ? "|" : "", v[i] ? v[i] : "NULL"), len = strlen(out);
	return 0;
}

static void insert_typed(void)
{
	struct err e;
	struct store *s;
	char got[256] = "";
	const struct store_val v[7] = {
		{ STORE_TEXT, "a'b", 0, 0 }, { STORE_INT, NULL, -9007199254740993LL, 0 },
		{ STORE_REAL, NULL, 0, 1.0 / 3.0 }, { STORE_REAL, NULL, 0, NAN }, { STORE_TEXT, NULL, 0, 0 },
		{ STORE_REAL, NULL, 0, INFINITY }, { STORE_REAL, NULL, 0, -INFINITY }
	};

	if (!(s = tmp_store(&e)))
		return;
	CHECK_INT(store_exec(s, "CREATE TABLE t(a TEXT, b INTEGER, c REAL, d REAL, f TEXT, g REAL, h REAL);", &e), 0);
	CHECK_INT(store_insert(s, "INSERT INTO t VALUES(?,?,?,?,?,?,?)", v, 7, &e), 0);
	CHECK_INT(store_query(s, "SELECT a, typeof(b), b, typeof(c), c = 1.0 / 3.0, typeof(d), typeof(f), "
			      "typeof(g), typeof(h) FROM t", NULL, 0, text_row, got, &e), 0);
	/* integers beyond 2^53 stay exact, reals are bound as reals, NaN and NULL text are NULL,
	 * and so are infinities (a calibration's ratio over a zero time: models/calibrate.c binds
	 * its numbers through store_insert). SQLite itself stores a NaN bound as a double as NULL,
	 * not an infinity: the g and h columns are what store_insert's test of finiteness does. */
	CHECK_STR(got, "a'b|integer|-9007199254740993|real|1|null|null|null|null");
	/* a bad statement is an error naming the database, not a crash */
	CHECK_INT(store_insert(s, "INSERT INTO nowhere VALUES(?)", v, 1, &e), -1);
	CHECK_HAS(e.msg, path);
	store_close(s);
	rm_db();
}

/* store_query hands a REAL on as the shortest text that reads back as the same double (SQLite's
 * own text has 15 digits: 1/3 and 0.1 + 0.2 would come back off in the last bits). */
static void query_reals_exact(void)
{
	static const double x[] = { 0.1, 1.0 / 3.0, 0.1 + 0.2, 2.0 / 3.0 * 1e300, 5e-324,
				    -123456.78901234567, 100, INFINITY };
	static const char *const want_text[] = { "0.1", NULL, "0.30000000000000004", NULL, NULL,
						 NULL, "100", "Inf" };
	struct err e;
	struct store *s;

	if (!(s = tmp_store(&e)))
		return;
	CHECK_INT(store_exec(s, "CREATE TABLE t(i INTEGER, x REAL);", &e), 0);
	/* (store_insert stores a non-finite real as NULL: infinity comes from SQL, 9e999) */
	CHECK_INT(store_exec(s, "INSERT INTO t VALUES(7, 9e999);", &e), 0);
	for (int i = 0; i < (int)(sizeof x / sizeof *x) - 1; i++) {
		const struct store_val v[2] = { { STORE_INT, NULL, i, 0 }, { STORE_REAL, NULL, 0, x[i] } };
		CHECK_INT(store_insert(s, "INSERT INTO t VALUES(?,?)", v, 2, &e), 0);
	}
	for (int i = 0; i < (int)(sizeof x / sizeof *x); i++) {
		char got[256] = "", sql[64];
		snprintf(sql, sizeof sql, "SELECT x FROM t WHERE i = %d", i);
		CHECK_INT(store_query(s, sql, NULL, 0, text_row, got, &e), 0);
		CHECK(strtod(got, NULL) == x[i]); /* reads back exactly */
		CHECK(strlen(got) <= 24);         /* at most 17 digits, sign, point, exponent */
		if (want_text[i])
			CHECK_STR(got, want_text[i]); /* and the shortest such text */
	}
	store_close(s);
	rm_db();
}

/* store_query_vals hands each column on with its stored type: integers and reals exactly (no
 * text in between), text as text, NULL as a NULL text; a callback's non-zero return stops it. */
struct vals_seen {
	int rows;
	struct store_val v[4];
	char text[32];
};

static int vals_row(void *ctx, int n, const struct store_val *v)
{
	struct vals_seen *w = ctx;
	if (n != 4)
		return -7;
	memcpy(w->v, v, sizeof w->v);
	snprintf(w->text, sizeof w->text, "%s", v[2].text ? v[2].text : "(null)");
	return ++w->rows == 2 ? 5 : 0;
}

static void query_vals_typed(void)
{
	struct err e;
	struct store *s;
	struct vals_seen w = { 0 };
	const char *p = "b";

	if (!(s = tmp_store(&e)))
		return;
	CHECK_INT(store_exec(s, "CREATE TABLE t(i INTEGER, x REAL, s TEXT, n REAL);"
			     "INSERT INTO t VALUES(-9007199254740993, 0.1 + 0.2, 'a', NULL), (2, 1e300, 'b', 4),"
			     " (3, 0, 'c', 0);", &e), 0);
	CHECK_INT(store_query_vals(s, "SELECT i, x, s, n FROM t WHERE s = ?", &p, 1, vals_row, &w, &e), 0);
	CHECK_INT(w.rows, 1);
	CHECK(w.v[0].type == STORE_INT && w.v[0].i == 2);
	CHECK(w.v[1].type == STORE_REAL && w.v[1].real == 1e300);
	CHECK_STR(w.text, "b");
	CHECK(w.v[3].type == STORE_REAL && w.v[3].real == 4); /* REAL affinity: 4 reads as a real */
	w.rows = 0;
	CHECK_INT(store_query_vals(s, "SELECT i, x, s, n FROM t ORDER BY i", NULL, 0, vals_row, &w, &e), 5);
	CHECK_INT(w.rows, 2); /* stopped by the callback after the second row */
	w.rows = 0;
	CHECK_INT(store_query_vals(s, "SELECT i, x, s, n FROM t ORDER BY i LIMIT 1", NULL, 0, vals_row, &w, &e), 0);
	CHECK(w.v[0].type == STORE_INT && w.v[0].i == -9007199254740993LL);
	CHECK(w.v[1].type == STORE_REAL && w.v[1].real == 0.1 + 0.2); /* exact, not 15 digits */
	CHECK(w.v[3].type == STORE_TEXT && w.v[3].text == NULL);      /* SQL NULL */
	CHECK_INT(store_query_vals(s, "SELECT nothing FROM nowhere", NULL, 0, vals_row, &w, &e), -1);
	CHECK_HAS(e.msg, path);
	store_close(s);
	rm_db();
}

/* A run with n_pts series points over a few names (a few dozen log pages). */
static int write_run(struct store *s, int i, int n_pts, struct err *e)
{
	struct metrics ms;
	char key[32];
	struct store_run r = { "bg", "h", "{}", i, 1, "ok", NULL, "test", "2026-11-29T00:00:00Z", 0.0, key };
	int rc;

	snprintf(key, sizeof key, "k%d", i);
	metrics_init(&ms);
	metrics_set(&ms, "latency_mean_s", i + 0.5, "s");
	for (int k = 0; k < n_pts; k++)
		metrics_sample(&ms, k, k % 2 ? "power_it_w" : "queue_length", i * 1000.0 + k);
	rc = store_write_run(s, &r, &ms, NULL, e);
	metrics_fini(&ms);
	return rc;
}

static int count_row(void *ctx, int n, const char *const *v, const char *const *c)
{
	(void)c;
	*(long *)ctx = n > 0 && v[0] ? atol(v[0]) : -1;
	return 0;
}

/* store_checkpoint_wait predicates */
static int round_over(const struct store_ckpt_stats *st, void *ctx) /* round *ctx has ended */
{
	return st->rounds >= *(long *)ctx && st->idle;
}

static int is_held(const struct store_ckpt_stats *st, void *ctx) /* at point *ctx */
{
	return st->held == *(int *)ctx;
}

static int fork_waiting(const struct store_ckpt_stats *st, void *ctx)
{
	(void)ctx;
	return st->forks_waited > 0;
}

/* Writes runs (from *i on, at least one: the log's size is known at a commit) until the log
 * holds at least min_frames; 0, or -1 (a failed check). */
static int fill_log(struct store *s, int *i, int min_frames)
{
	struct store_ckpt_stats st;
	struct err e;

	do {
		if (write_run(s, (*i)++, 3000, &e)) {
			CHECK(!e.msg[0]);
			return -1;
		}
		CHECK_INT(store_checkpoint_stats(s, &st), 0);
	} while (st.log_frames < min_frames);
	return 0;
}

static void background_checkpoints(void)
{
	struct err e;
	struct store *s;
	long long before, after = -1;
	long runs = 0;
	int ok = 1;

	if (!(s = tmp_store(&e)))
		return;
	CHECK_INT(store_checkpoint_in_background(s, &e), 0);
	CHECK_INT(store_checkpoint_in_background(s, &e), 0); /* a second call changes nothing */
	before = file_size(path);
	/* 20 runs of 300 points: about 200 log pages, below both the thread's threshold and
	 * SQLite's own (1,000), so nothing is copied until asked (this does not tell the thread's
	 * hook from SQLite's default: store_checkpoint_soon below shows the thread at work) */
	for (int i = 0; i < 20 && ok; i++)
		ok = write_run(s, i, 300, &e) == 0;
	CHECK(ok);
	CHECK(file_size(wal) > 100 * 4096);
	CHECK_INT(file_size(path), before); /* nothing copied yet */
	store_checkpoint_soon(s);
	{
		long rounds = 1;
		CHECK_INT(store_checkpoint_wait(s, round_over, &rounds), 0);
	}
	after = file_size(path);
	CHECK(after > before + 50 * 4096); /* the thread copied the log into the database */
	/* writing goes on while and after it checkpoints */
	for (int i = 20; i < 40 && ok; i++)
		ok = write_run(s, i, 300, &e) == 0;
	CHECK(ok);
	{ /* a second store's thread would fork unprotected: refused */
		struct err e2 = { 0 };
		struct store *s2 = store_open(path, STORE_READONLY, &e2);
		CHECK(s2 != NULL);
		if (s2) {
			CHECK_INT(store_checkpoint_in_background(s2, &e2), -1);
			CHECK_HAS(e2.msg, "another store has them on");
			store_close(s2);
		}
	}
	store_close(s);
	CHECK_INT(file_size(wal), -1); /* the last connection's close checkpointed and removed it */
	CHECK((s = store_open(path, STORE_READONLY, &e)) != NULL);
	if (s) {
		char ic[256] = "";
		CHECK_INT(store_query(s, "SELECT count(*) FROM runs r WHERE (SELECT count(*) FROM timeseries t"
				      " WHERE t.run_id = r.run_id) = 300", NULL, 0, count_row, &runs, &e), 0);
		CHECK_INT(runs, 40);
		CHECK_INT(store_query(s, "PRAGMA integrity_check", NULL, 0, text_row, ic, &e), 0);
		CHECK_STR(ic, "ok");
		store_close(s);
	}
	rm_db();
}

/* The RESTART path and the log's bound. The thread is held while the writer fills the log past
 * the store's restart_frames (STORE_WAL_RESTART_FRAMES, 4,096: the figure the store reports)
 * (as when commits outpace it), then let go: its round checkpoints and restarts
 * the log, so the next commits write it from its start again and the file does not grow: two
 * such cycles keep the log file at one cycle's length (appended, it would hold both).
 * Then a RESTART while the writer holds a transaction: it cannot finish (SQLite waits for the
 * writer for the thread's busy time-out, 100 ms, then gives up); the next round does. */
static void checkpoint_restart(void)
{
	int at_start = STORE_HOLD_START, after_passive = STORE_HOLD_AFTER_PASSIVE; /* is_held's */
	struct err e;
	struct store *s;
	struct store_ckpt_stats st;
	long rounds = 0;
	long long wal_1 = -1;
	int i = 0, restart, fill;

	if (!(s = tmp_store(&e)))
		return;
	CHECK_INT(store_checkpoint_in_background(s, &e), 0);
	CHECK_INT(store_checkpoint_stats(s, &st), 0);
	restart = st.restart_frames;
	CHECK(restart >= 1000 && restart < st.max_frames); /* past a round's threshold, below the cap */
	fill = restart + 200;
	for (int cycle = 0; cycle < 2; cycle++) {
		store_checkpoint_hold(s, STORE_HOLD_START);
		if (fill_log(s, &i, fill))
			break;
		CHECK_INT(store_checkpoint_wait(s, is_held, &at_start), 0); /* woken at 1,000 frames */
		store_checkpoint_hold(s, 0);
		rounds++;
		CHECK_INT(store_checkpoint_wait(s, round_over, &rounds), 0);
		CHECK_INT(store_checkpoint_stats(s, &st), 0);
		CHECK_INT(st.rounds, rounds); /* one round per cycle: the held one */
		CHECK_INT(st.restarts, cycle + 1);
		CHECK_INT(st.restarts_done, cycle + 1);
		if (cycle == 0)
			wal_1 = file_size(wal);
	}
	CHECK(wal_1 > (long long)restart * 4096);
	/* the log started over in each cycle: the file holds one cycle (the frames of the runs
	 * that crossed the threshold aside), not two */
	CHECK_INT(store_checkpoint_stats(s, &st), 0);
	CHECK(st.max_log_frames >= fill && st.max_log_frames < fill + 400);
	CHECK(file_size(wal) <= 32 + (long long)st.max_log_frames * (4096 + 24));
	CHECK(file_size(wal) < 2LL * restart * 4096);

	/* commits during a PASSIVE checkpoint leave it incomplete (here: a reader's snapshot keeps
	 * it from copying the last run), and the writer then appends to the log instead of
	 * starting it over: the RESTART that follows completes it, so the next commit does */
	store_checkpoint_hold(s, STORE_HOLD_START);
	if (!fill_log(s, &i, fill)) {
		struct store *r = store_open(path, STORE_READONLY, &e);
		CHECK(r != NULL);
		CHECK_INT(store_checkpoint_wait(s, is_held, &at_start), 0);
		if (r)
			CHECK_INT(store_exec(r, "BEGIN; SELECT count(*) FROM runs;", &e), 0);
		CHECK(write_run(s, i++, 3000, &e) == 0); /* after the reader's snapshot */
		store_checkpoint_hold(s, STORE_HOLD_AFTER_PASSIVE);
		CHECK_INT(store_checkpoint_wait(s, is_held, &after_passive), 0);
		store_close(r); /* (its transaction ends with it) */
		store_checkpoint_hold(s, 0);
		rounds++;
		CHECK_INT(store_checkpoint_wait(s, round_over, &rounds), 0);
		CHECK_INT(store_checkpoint_stats(s, &st), 0);
		CHECK_INT(st.restarts, 3);
		CHECK_INT(st.restarts_done, 3);
		CHECK(write_run(s, i++, 300, &e) == 0);
		CHECK_INT(store_checkpoint_stats(s, &st), 0);
		CHECK(st.log_frames < 100); /* started over (without the RESTART: appended, > fill) */
	}

	/* a RESTART against an open write transaction gives up; the next round restarts the log */
	store_checkpoint_hold(s, STORE_HOLD_START);
	if (!fill_log(s, &i, fill)) {
		CHECK_INT(store_checkpoint_wait(s, is_held, &at_start), 0);
		CHECK_INT(store_exec(s, "BEGIN IMMEDIATE; INSERT INTO scenarios VALUES('h', 'n', '{}');", &e), 0);
		store_checkpoint_hold(s, 0);
		rounds++;
		CHECK_INT(store_checkpoint_wait(s, round_over, &rounds), 0);
		CHECK_INT(store_checkpoint_stats(s, &st), 0);
		CHECK_INT(st.restarts, 4);
		CHECK_INT(st.restarts_done, 3); /* it waited for the writer and gave up */
		CHECK_INT(store_exec(s, "COMMIT;", &e), 0);
		store_checkpoint_soon(s);
		rounds++;
		CHECK_INT(store_checkpoint_wait(s, round_over, &rounds), 0);
		CHECK_INT(store_checkpoint_stats(s, &st), 0);
		CHECK_INT(st.restarts, 5);
		CHECK_INT(st.restarts_done, 4);
		CHECK(write_run(s, i++, 300, &e) == 0);
		CHECK_INT(store_checkpoint_stats(s, &st), 0);
		CHECK(st.log_frames < 100); /* the log started over */
	}
	store_close(s);
	CHECK((s = store_open(path, STORE_READONLY, &e)) != NULL);
	if (s) {
		long runs = 0;
		char ic[256] = "";
		CHECK_INT(store_query(s, "SELECT count(*) FROM runs", NULL, 0, count_row, &runs, &e), 0);
		CHECK_INT(runs, i);
		CHECK_INT(store_query(s, "PRAGMA integrity_check", NULL, 0, text_row, ic, &e), 0);
		CHECK_STR(ic, "ok");
		store_close(s);
	}
	rm_db();
}

/* The writer's own checkpoint, the log's hard bound should the thread not get to run
 * (STORE_WAL_MAX_FRAMES: 32,768 frames, a 134 MB log), here lowered to MAX frames
 * (store_checkpoint_limits). The thread is held at the start of a round, before it checkpoints
 * anything, while the writer commits runs worth five times MAX frames: each commit that leaves
 * the log at MAX frames or more checkpoints it (PASSIVE, from the writer: nothing else reads
 * the log, so all of it is copied) and the next commit starts it over, so the log never holds
 * more than MAX frames and one commit's (without that checkpoint it would hold them all), and
 * the thread did not restart it. Let go, the thread's round restarts a log of the lowered
 * restart_frames; every run is there after close. */
static void checkpoint_hard_limit(void)
{
	enum { MAX = 2000, RESTART = 500 };
	int at_start = STORE_HOLD_START; /* is_held's */
	struct err e;
	struct store *s;
	struct store_ckpt_stats st;
	long rounds = 1;
	int i = 0, prev = 0, step = 0, wraps = 0;
	long written = 0;

	if (!(s = tmp_store(&e)))
		return;
	CHECK_INT(store_checkpoint_in_background(s, &e), 0);
	CHECK_INT(store_checkpoint_stats(s, &st), 0);
	CHECK(st.max_frames > 4 * MAX && st.restart_frames > RESTART); /* the store's own: larger */
	store_checkpoint_limits(s, RESTART, MAX);
	CHECK_INT(store_checkpoint_stats(s, &st), 0);
	CHECK_INT(st.max_frames, MAX);
	CHECK_INT(st.restart_frames, RESTART);
	store_checkpoint_hold(s, STORE_HOLD_START);
	store_checkpoint_soon(s); /* a round starts now and is held before its checkpoint */
	CHECK_INT(store_checkpoint_wait(s, is_held, &at_start), 0);
	while (written < 5 * MAX) {
		if (write_run(s, i++, 3000, &e)) {
			CHECK(!e.msg[0]);
			break;
		}
		CHECK_INT(store_checkpoint_stats(s, &st), 0);
		if (st.log_frames < prev) { /* started over: this commit's frames only */
			wraps++;
			written += st.log_frames;
		} else {
			written += st.log_frames - prev;
			step = st.log_frames - prev > step ? st.log_frames - prev : step;
		}
		prev = st.log_frames;
	}
	CHECK_INT(store_checkpoint_stats(s, &st), 0);
	CHECK_INT(st.held, STORE_HOLD_START); /* the thread copied nothing meanwhile */
	CHECK_INT(st.rounds, 1);
	CHECK_INT(st.restarts, 0);
	CHECK(step > 0 && step < MAX / 4);
	CHECK(wraps >= 3);
	CHECK(st.max_log_frames >= MAX && st.max_log_frames < MAX + step);
	CHECK(file_size(wal) <= 32 + (long long)(MAX + step) * (4096 + 24));
	/* let go: the round's PASSIVE copies the log, and a log of RESTART frames or more is
	 * restarted (the writer is idle: the round sees the log as st reports it) */
	store_checkpoint_hold(s, 0);
	CHECK_INT(store_checkpoint_wait(s, round_over, &rounds), 0);
	{
		int log = st.log_frames;
		CHECK_INT(store_checkpoint_stats(s, &st), 0);
		CHECK_INT(st.restarts, log >= RESTART);
		CHECK_INT(st.restarts_done, log >= RESTART);
	}
	store_close(s);
	CHECK_INT(file_size(wal), -1);
	CHECK((s = store_open(path, STORE_READONLY, &e)) != NULL);
	if (s) {
		long runs = 0, points = 0;
		char ic[256] = "";
		CHECK_INT(store_query(s, "SELECT count(*) FROM runs", NULL, 0, count_row, &runs, &e), 0);
		CHECK_INT(runs, i);
		CHECK_INT(store_query(s, "SELECT count(*) FROM timeseries", NULL, 0, count_row, &points,
				      &e), 0);
		CHECK_INT(points, 3000L * i);
		CHECK_INT(store_query(s, "PRAGMA integrity_check", NULL, 0, text_row, ic, &e), 0);
		CHECK_STR(ic, "ok");
		store_close(s);
	}
	rm_db();
}

static int held_at_start_or_idle(const struct store_ckpt_stats *st, void *ctx)
{
	(void)ctx;
	return st->held == STORE_HOLD_START || st->idle;
}

/* A reader whose snapshot predates most of the log keeps a checkpoint from copying it. The
 * round that finds nothing to copy must then wait for the log to grow (a commit), not start
 * again at once: it did, in a loop, as long as the reader stayed (a core spent on
 * checkpoints that copy nothing). The thread is held again at the start of a next round:
 * reached only if it loops. */
static void checkpoint_no_spin(void)
{
	int at_start = STORE_HOLD_START, after_passive = STORE_HOLD_AFTER_PASSIVE; /* is_held's */
	struct err e;
	struct store *s, *r;
	struct store_ckpt_stats st;
	int i = 0;

	if (!(s = tmp_store(&e)))
		return;
	CHECK_INT(store_checkpoint_in_background(s, &e), 0);
	CHECK(write_run(s, i++, 300, &e) == 0);
	r = store_open(path, STORE_READONLY, &e);
	CHECK(r != NULL);
	if (r)
		CHECK_INT(store_exec(r, "BEGIN; SELECT count(*) FROM runs;", &e), 0);
	store_checkpoint_hold(s, STORE_HOLD_START);
	if (!fill_log(s, &i, 2000)) {
		CHECK_INT(store_checkpoint_wait(s, is_held, &at_start), 0);
		store_checkpoint_hold(s, STORE_HOLD_AFTER_PASSIVE); /* let go from the start... */
		CHECK_INT(store_checkpoint_wait(s, is_held, &after_passive), 0);
		store_checkpoint_hold(s, STORE_HOLD_START); /* ...and catch a next round */
		CHECK_INT(store_checkpoint_wait(s, held_at_start_or_idle, NULL), 0);
		CHECK_INT(store_checkpoint_stats(s, &st), 0);
		CHECK_INT(st.held, 0);
		CHECK_INT(st.rounds, 1);
		CHECK(st.log_frames >= 2000);
		store_checkpoint_hold(s, 0);
	}
	store_close(r); /* the reader goes: the next commit's round copies the log */
	CHECK(write_run(s, i++, 300, &e) == 0);
	store_checkpoint_soon(s);
	{
		long rounds = 2;
		CHECK_INT(store_checkpoint_wait(s, round_over, &rounds), 0);
	}
	store_close(s);
	rm_db();
}

/* checkpoint_fork's helper thread: lets the held checkpoint thread go once a fork waits for it
 * (the fork handlers' wait, store.c), then stays blocked in read() until the parent, its fork
 * returned, writes a byte to go_fd: it does not exit during the fork (a thread's exit frees its
 * memory: under AddressSanitizer, whose allocator has no fork handler, the child could inherit
 * an allocator lock taken then). */
struct fork_helper {
	struct store *s;
	int go_fd; /* read end of a pipe */
};

static void *release_on_fork(void *arg)
{
	struct fork_helper *h = arg;
	char c;

	store_checkpoint_wait(h->s, fork_waiting, NULL);
	store_checkpoint_hold(h->s, 0);
	while (read(h->go_fd, &c, 1) < 0)
		; /* (EINTR) */
	return NULL;
}

/* The child of checkpoint_fork: a store of its own, with background checkpoints of its own.
 * Returns the exit status: 0 when all went well. */
static int child_store(void)
{
	char p2[128], ic[256] = "";
	struct err e;
	struct store *s;
	long runs = 0, rounds = 1;
	int bad = 0;

	alarm(60); /* a hang fails the parent's check instead of the whole run */
	snprintf(p2, sizeof p2, "%s/child.db", dir);
	if (!(s = store_open(p2, STORE_CREATE, &e)) || store_checkpoint_in_background(s, &e))
		return 2;
	for (int i = 0; i < 20 && !bad; i++)
		bad = write_run(s, i, 300, &e) != 0;
	store_checkpoint_soon(s);
	bad |= store_checkpoint_wait(s, round_over, &rounds) != 0;
	store_close(s);
	if (bad || !(s = store_open(p2, STORE_READONLY, &e)))
		return 3;
	bad = store_query(s, "SELECT count(*) FROM runs", NULL, 0, count_row, &runs, &e) ||
	      store_query(s, "PRAGMA integrity_check", NULL, 0, text_row, ic, &e);
	store_close(s);
	unlink(p2);
	return bad ? 4 : runs != 20 ? 5 : strcmp(ic, "ok") != 0 ? 6 : 0;
}

/* A fork while the thread is busy (held at the start of a round, as if inside SQLite) waits for
 * it to leave, then completes (no deadlock): a helper thread lets the thread go only once the
 * fork is seen waiting, so the fork certainly found it busy. The child then uses a store of its
 * own, background checkpoints included (the parent's thread is not in the child); the parent's
 * store goes on as before. */
static void checkpoint_fork(void)
{
	int at_start = STORE_HOLD_START; /* is_held's */
	struct err e;
	struct store *s;
	struct store_ckpt_stats st;
	pthread_t helper;
	struct fork_helper h;
	long rounds = 1;
	int i = 0, ok = 1, status = -1, go[2];
	pid_t pid;

	CHECK_INT(pipe(go), 0);
	if (!(s = tmp_store(&e)))
		return;
	h.s = s;
	h.go_fd = go[0];
	CHECK_INT(store_checkpoint_in_background(s, &e), 0);
	for (; i < 5 && ok; i++)
		ok = write_run(s, i, 300, &e) == 0;
	CHECK(ok);
	store_checkpoint_hold(s, STORE_HOLD_START);
	store_checkpoint_soon(s);
	CHECK_INT(store_checkpoint_wait(s, is_held, &at_start), 0);
	CHECK_INT(pthread_create(&helper, NULL, release_on_fork, &h), 0);
	fflush(NULL); /* the child leaves with _exit: nothing buffered twice */
	pid = fork(); /* (a hang here: main's alarm) */
	if (pid == 0)
		_exit(child_store());
	CHECK(pid > 0);
	CHECK_INT(write(go[1], "g", 1), 1); /* the fork is over: the helper may leave */
	pthread_join(helper, NULL);
	close(go[0]);
	close(go[1]);
	if (pid > 0) {
		CHECK_INT(waitpid(pid, &status, 0), pid);
		CHECK(WIFEXITED(status));
		CHECK_INT(WEXITSTATUS(status), 0);
	}
	CHECK_INT(store_checkpoint_wait(s, round_over, &rounds), 0);
	CHECK_INT(store_checkpoint_stats(s, &st), 0);
	CHECK_INT(st.forks_waited, 1); /* the fork found the thread busy */
	for (int k = 0; k < 5 && ok; k++, i++)
		ok = write_run(s, i, 300, &e) == 0;
	CHECK(ok);
	store_close(s);
	CHECK((s = store_open(path, STORE_READONLY, &e)) != NULL);
	if (s) {
		long runs = 0;
		CHECK_INT(store_query(s, "SELECT count(*) FROM runs", NULL, 0, count_row, &runs, &e), 0);
		CHECK_INT(runs, 10);
		store_close(s);
	}
	rm_db();
}

/* ---- the wait for another connection's lock with a stop flag (store_set_stop) ---- */

struct after_ms {
	long ms;
	struct store *lock;                 /* COMMITs its transaction, or */
	volatile sig_atomic_t *flag;        /* sets the flag */
};

static void *act_later(void *arg)
{
	struct after_ms *a = arg;
	struct timespec ts = { a->ms / 1000, (a->ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
	if (a->lock)
		store_exec(a->lock, "COMMIT;", NULL);
	else
		*a->flag = 1;
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A writer with a stop flag still waits for a lock that is let go (the flag clear), and gives
 * up long before the 10 s time-out when the flag is set: before the wait, and during it (set
 * from another thread here, as a signal delivered to another thread sets it: the sleep is not
 * woken, the next step sees it). The times compared are far from the outcomes' bounds: 100 ms
 * against 10 s. */
static void busy_wait_stops(void)
{
	static volatile sig_atomic_t flag;
	struct store *s, *lock = NULL;
	struct err e;
	pthread_t th;
	double t0, waited;

	if (!(s = tmp_store(&e)))
		return;
	CHECK((lock = store_open(path, STORE_CREATE, &e)) != NULL);
	if (!lock) {
		store_close(s);
		rm_db();
		return;
	}
	flag = 0;
	store_set_stop(s, &flag);
	/* the flag clear: waits until the other connection commits */
	{
		struct after_ms a = { 100, lock, NULL };
		CHECK(store_exec(lock, "BEGIN IMMEDIATE;", &e) == 0);
		CHECK(pthread_create(&th, NULL, act_later, &a) == 0);
		t0 = now_s();
		CHECK(store_exec(s, "BEGIN IMMEDIATE;", &e) == 0);
		waited = now_s() - t0;
		pthread_join(th, NULL);
		CHECK(waited >= 0.05);
		CHECK(store_exec(s, "ROLLBACK;", &e) == 0);
	}
	/* the flag set before: gives up at once, with SQLite's message */
	CHECK(store_exec(lock, "BEGIN IMMEDIATE;", &e) == 0);
	flag = 1;
	err_clear(&e);
	t0 = now_s();
	CHECK(store_exec(s, "BEGIN IMMEDIATE;", &e) != 0);
	CHECK(now_s() - t0 < 1.0);
	CHECK(strstr(e.msg, "locked") != NULL);
	/* the flag set during the wait */
	flag = 0;
	{
		struct after_ms a = { 100, NULL, &flag };
		CHECK(pthread_create(&th, NULL, act_later, &a) == 0);
		t0 = now_s();
		CHECK(store_exec(s, "BEGIN IMMEDIATE;", &e) != 0);
		waited = now_s() - t0;
		pthread_join(th, NULL);
		CHECK(waited >= 0.05 && waited < 5.0);
	}
	store_exec(lock, "ROLLBACK;", NULL);
	store_close(lock);
	store_close(s);
	rm_db();
}

/* A test that hangs (a wait for a state of the checkpoint thread that never comes) fails,
 * with this message, instead of hanging make test. */
static void on_alarm(int sig)
{
	static const char msg[] = "test_store: SIGALRM: still running after its time limit (a wait "
				  "for the checkpoint thread that never ended?): failed\n";
	ssize_t w = write(2, msg, sizeof msg - 1);

	(void)sig;
	(void)w;
	_exit(1);
}

int main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	/* the whole file runs in about 3 s (2.7 s measured, a non-SAN build, busy machine); 120 s: a hang. The forked
	 * child sets its own 60 s (alarms are not inherited), this handler with it: its exit
	 * status 1 fails checkpoint_fork's check. */
	alarm(120);
	RUN(insert_typed);
	RUN(query_reals_exact);
	RUN(query_vals_typed);
	RUN(background_checkpoints);
	RUN(checkpoint_restart);
	RUN(checkpoint_hard_limit);
	RUN(checkpoint_no_spin);
	RUN(checkpoint_fork);
	RUN(busy_wait_stops);
	return CHECK_DONE();
}
