/* test_store.c — the results store's typed inserts, exact reals from queries (as text and as
 * typed values) and its background checkpoints.
 *
 * Background checkpoints are seen from outside: the database file grows only when a checkpoint
 * copies the log into it, and with the thread on the writer no longer checkpoints itself, so a
 * file that grows after store_checkpoint_soon (below SQLite's own 1,000-page threshold) was
 * copied by the thread; after store_close no log is left and every run is there.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	const struct store_val v[5] = {
		{ STORE_TEXT, "a'b", 0, 0 }, { STORE_INT, NULL, -9007199254740993LL, 0 },
		{ STORE_REAL, NULL, 0, 1.0 / 3.0 }, { STORE_REAL, NULL, 0, NAN }, { STORE_TEXT, NULL, 0, 0 }
	};

	if (!(s = tmp_store(&e)))
		return;
	CHECK_INT(store_exec(s, "CREATE TABLE t(a TEXT, b INTEGER, c REAL, d REAL, f TEXT);", &e), 0);
	CHECK_INT(store_insert(s, "INSERT INTO t VALUES(?,?,?,?,?)", v, 5, &e), 0);
	CHECK_INT(store_query(s, "SELECT a, typeof(b), b, typeof(c), c = 1.0 / 3.0, typeof(d), typeof(f) FROM t",
			      NULL, 0, text_row, got, &e), 0);
	/* integers beyond 2^53 stay exact, reals are bound as reals, NaN and NULL text are NULL */
	CHECK_STR(got, "a'b|integer|-9007199254740993|real|1|null|null");
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
	for (int t = 0; t < 500 && (after = file_size(path)) <= before; t++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
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

int main(void)
{
	RUN(insert_typed);
	RUN(query_reals_exact);
	RUN(query_vals_typed);
	RUN(background_checkpoints);
	return CHECK_DONE();
}
