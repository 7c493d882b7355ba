/* sweep_db.c — the sweep tables, and statistics computed from the stored runs (sweep_db.h).
 *
 * Statistics are always recomputed from the database, never from the results of this process
 * alone: a resumed sweep (or one whose trials were all stored earlier, possibly by another
 * sweep sharing trials) reports over every stored replication. Values come through
 * store_query_vals, which hands a REAL on as the stored double.
 */
#include "sweep_db.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/sweep_stats.h"
#include "engine/stats.h"
#include "engine/xalloc.h"

/* The comments are part of the schema: SQLite keeps them, so `.schema sweep_stats` documents
 * the columns for whoever opens the database. */
static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS sweeps( -- one row per sweep (maasim sweep SWEEP.json)\n"
	"  sweep TEXT PRIMARY KEY, -- the sweep's name (its \"name\" key or file name)\n"
	"  file TEXT,              -- the sweep file as given\n"
	"  description TEXT,\n"
	"  replications INTEGER,   -- replications per point\n"
	"  n_points INTEGER,\n"
	"  baseline TEXT,          -- the baseline's name\n"
	"  version TEXT,           -- simulator version of the last run\n"
	"  updated_at TEXT);       -- ISO 8601 UTC\n"
	"CREATE TABLE IF NOT EXISTS sweep_points( -- one row per grid point\n"
	"  sweep TEXT, point INTEGER, -- point: 0.. in grid order\n"
	"  label TEXT,                -- e.g. 'dispatch=fifo rate_per_s=2.24'\n"
	"  scenario TEXT,             -- base scenario file\n"
	"  scenario_hash TEXT,        -- resolved scenario (scenarios.scenario_hash)\n"
	"  params TEXT,               -- the point's overrides as JSON (= runs.params)\n"
	"  baseline_point INTEGER,    -- the point it is compared with\n"
	"  is_baseline INTEGER,       -- 1 when baseline_point = point\n"
	"  oat_input TEXT,            -- one-at-a-time input varied here, or NULL\n"
	"  oat_side TEXT,             -- 'low', 'high', 'centre', or NULL without oat\n"
	"  PRIMARY KEY(sweep, point));\n"
	"CREATE TABLE IF NOT EXISTS sweep_trials( -- one row per point and replication\n"
	"  sweep TEXT, point INTEGER, replication INTEGER,\n"
	"  trial_key TEXT, -- runs.trial_key: scenario hash . replication . version hash\n"
	"  PRIMARY KEY(sweep, point, replication));\n"
	"CREATE INDEX IF NOT EXISTS sweep_trials_key ON sweep_trials(trial_key);\n"
	"CREATE TABLE IF NOT EXISTS sweep_stats( -- per point and metric, over replications\n"
	"  sweep TEXT, point INTEGER, label TEXT, metric TEXT, unit TEXT,\n"
	"  n INTEGER,            -- replications with a value (runs with status 'ok')\n"
	"  mean REAL, sd REAL,   -- sample mean and standard deviation\n"
	"  ci_lo REAL, ci_hi REAL, -- Student-t 95% interval of the mean (NULL when n < 2)\n"
	"  PRIMARY KEY(sweep, point, metric));\n"
	"CREATE TABLE IF NOT EXISTS sweep_diffs( -- per point and metric, paired with the baseline by replication\n"
	"  sweep TEXT, point INTEGER, label TEXT, baseline_point INTEGER, baseline_label TEXT,\n"
	"  metric TEXT, unit TEXT,\n"
	"  n INTEGER,                 -- replications where both have a value\n"
	"  mean REAL, baseline_mean REAL, -- means over those replications\n"
	"  diff REAL, diff_sd REAL,   -- mean and sd of (point - baseline) per replication\n"
	"  diff_ci_lo REAL, diff_ci_hi REAL, -- Student-t 95% interval of diff\n"
	"  rel_change REAL,           -- mean / baseline_mean - 1 (0.1 = +10%); NULL if baseline_mean = 0\n"
	"  rel_ci_lo REAL, rel_ci_hi REAL, -- 95% interval (delta method for a ratio of paired means)\n"
	"  PRIMARY KEY(sweep, point, metric));\n"
	"CREATE TABLE IF NOT EXISTS sweep_tornado( -- one-at-a-time sensitivity (sweeps with \"oat\")\n"
	"  sweep TEXT, centre_point INTEGER, centre_label TEXT,\n"
	"  input TEXT, path TEXT,     -- the uncertain input and its scenario path\n"
	"  low TEXT, high TEXT,       -- its values (JSON)\n"
	"  metric TEXT, unit TEXT,\n"
	"  centre_mean REAL, low_mean REAL, high_mean REAL,\n"
	"  low_diff REAL, low_ci_lo REAL, low_ci_hi REAL,    -- paired change low - centre, 95% CI\n"
	"  high_diff REAL, high_ci_lo REAL, high_ci_hi REAL, -- paired change high - centre, 95% CI\n"
	"  swing REAL,                -- |high_diff - low_diff|\n"
	"  rank INTEGER);             -- 1 = largest swing for this centre and metric\n"
	"CREATE VIEW IF NOT EXISTS sweep_results AS -- one row per metric per trial of a sweep\n"
	"  SELECT t.sweep AS sweep, t.point AS point, p.label AS label, t.replication AS replication,\n"
	"    t.trial_key AS trial_key, r.run_id AS run_id, r.status AS status, m.name AS metric,\n"
	"    m.value AS value, m.unit AS unit\n"
	"  FROM sweep_trials t JOIN sweep_points p ON p.sweep = t.sweep AND p.point = t.point\n"
	"  JOIN runs r ON r.trial_key = t.trial_key JOIN metrics m ON m.run_id = r.run_id;\n";

int sweep_db_schema(struct store *st, struct err *e) { return store_exec(st, schema_sql, e); }

static int q(struct store *st, const char *sql, const char *const *p, int n, struct err *e)
{
	return store_query(st, sql, p, n, NULL, NULL, e);
}

/* Typed values for store_insert: integers bound as integers and reals as reals (formatting
 * ~1,300 rows of statistics as text and parsing them back was 40% of writing them, callgrind;
 * an integer bound as text was only stored as one by the column's INTEGER affinity). A real that
 * is not finite is stored as NULL. */
static struct store_val vt(const char *x) { return (struct store_val){ STORE_TEXT, x, 0, 0 }; }
static struct store_val vi(long long x) { return (struct store_val){ STORE_INT, NULL, x, 0 }; }
static struct store_val vr(double x) { return (struct store_val){ STORE_REAL, NULL, 0, x }; }

static int begin(struct store *st, struct err *e) { return store_exec(st, "BEGIN IMMEDIATE;", e); }

static int finish(struct store *st, int rc, struct err *e)
{
	if (rc == 0)
		return store_exec(st, "COMMIT;", e);
	store_exec(st, "ROLLBACK;", NULL);
	return -1;
}

static int delete_sweep(struct store *st, const char *name, int defs, struct err *e)
{
	static const char *const all[] = { "sweeps", "sweep_points", "sweep_trials", "sweep_stats",
					   "sweep_diffs", "sweep_tornado", NULL };
	for (int i = defs ? 0 : 3; all[i]; i++) {
		char sql[96];
		snprintf(sql, sizeof sql, "DELETE FROM %s WHERE sweep = ?", all[i]);
		if (q(st, sql, &name, 1, e))
			return -1;
	}
	return 0;
}

int sweep_db_register(struct store *st, const struct sweep_job *job, const char *version,
		      struct err *e)
{
	const struct sweep_spec *s = job->spec;
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	int rc;

	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (begin(st, e))
		return -1;
	rc = delete_sweep(st, s->name, 1, e);
	if (!rc) {
		const struct store_val v[8] = { vt(s->name), vt(s->file), vt(s->description),
						vi(s->replications), vi((long long)s->n_points),
						vt(s->baseline_name), vt(version), vt(now) };
		rc = store_insert(st, "INSERT INTO sweeps VALUES(?,?,?,?,?,?,?,?)", v, 8, e);
	}
	for (size_t i = 0; !rc && i < s->n_points; i++) {
		const struct sweep_point *pt = &s->points[i];
		const struct sweep_pinfo *sc = &job->pinfo[i];
		const char *oat_in = NULL, *oat_side = NULL;
		if (s->oat_axis >= 0) {
			const struct sweep_level *lv = &s->axes[s->oat_axis].levels[pt->level[s->oat_axis]];
			oat_in = lv->oat_input >= 0 ? s->oat[lv->oat_input].name : NULL;
			oat_side = lv->oat_side < 0 ? "low" : lv->oat_side > 0 ? "high" : "centre";
		}
		{
			const struct store_val v[10] = { vt(s->name), vi((long long)i), vt(pt->label),
							 vt(s->scenarios[pt->scenario]), vt(sc->hash),
							 vt(sc->params), vi((long long)pt->baseline),
							 vi(pt->baseline == i), vt(oat_in), vt(oat_side) };
			rc = store_insert(st, "INSERT INTO sweep_points VALUES(?,?,?,?,?,?,?,?,?,?)", v, 10, e) ||
			     store_put_scenario(st, sc->hash, sc->name, sc->json, e);
		}
	}
	for (size_t k = 0; !rc && k < job->n_trials; k++) {
		const struct sweep_trial *tr = &job->trials[k];
		const struct store_val v[4] = { vt(s->name), vi((long long)tr->point), vi(tr->rep),
						vt(tr->key) };
		rc = store_insert(st, "INSERT INTO sweep_trials VALUES(?,?,?,?)", v, 4, e);
	}
	return finish(st, rc, e);
}

/* ---- statistics ---- */

struct mat {
	size_t n_points, n_metrics, reps;
	char **names, **units;
	double *v; /* [(point * n_metrics + metric) * reps + rep], NAN when missing */
	double *t95; /* [k] = stats_t95_quantile(k), k = 0..reps (sweep_stats.h) */
};

static int cmp_name(const void *key, const void *elem)
{
	return strcmp(key, *(char *const *)elem);
}

static long metric_index(const struct mat *m, const char *name)
{
	char *const *f;

	if (!m->n_metrics) /* bsearch must not see a NULL array, even of length 0 */
		return -1;
	f = bsearch(name, m->names, m->n_metrics, sizeof *m->names, cmp_name);
	return f ? (long)(f - m->names) : -1;
}

/* The values as read in one pass (point, replication, metric in order of first appearance),
 * before the metric names are sorted: one read of the stored rows instead of two (a query for
 * the names, then one for the values: each joins all of the sweep's metric rows). */
struct raw_val {
	size_t p, r, k;
	double v;
};

struct reader {
	struct mat *m; /* names and units, in order of first appearance while reading */
	struct raw_val *vals;
	size_t n, cap, last;
	const volatile sig_atomic_t *stop; /* ends the read when set (NULL: never) */
};

static int stopped(const volatile sig_atomic_t *stop) { return stop && *stop; }

/* The index of metric name in the reader's names, added (with its unit) when new. A run's
 * metrics come in the same order run after run, so the one after the last found is tried first. */
static size_t name_slot(struct reader *rd, const char *name, const char *unit)
{
	struct mat *m = rd->m;
	size_t k = rd->last + 1 < m->n_metrics ? rd->last + 1 : 0;
	static const size_t cap_step = 64;

	if (k >= m->n_metrics || strcmp(m->names[k], name) != 0)
		for (k = 0; k < m->n_metrics && strcmp(m->names[k], name) != 0; k++)
			;
	if (k == m->n_metrics) {
		if (m->n_metrics % cap_step == 0) {
			m->names = xrealloc(m->names, (m->n_metrics + cap_step) * sizeof *m->names);
			m->units = xrealloc(m->units, (m->n_metrics + cap_step) * sizeof *m->units);
		}
		m->names[k] = xstrdup(name);
		m->units[k] = NULL;
		m->n_metrics++;
	}
	/* the unit of the last row read (what the GROUP BY this replaced gave) */
	if (!m->units[k] || strcmp(m->units[k], unit) != 0) {
		free(m->units[k]);
		m->units[k] = xstrdup(unit);
	}
	return rd->last = k;
}

/* An integer column read as store_query's text would have been by atol (a REAL by its text's
 * integer part, which is its truncation; text as atol reads it); a REAL out of long's range
 * (a database edited by hand) reads as -1, which no point or replication is. */
static long val_long(const struct store_val *v)
{
	if (v->type == STORE_REAL)
		return v->real > -1e18 && v->real < 1e18 ? (long)v->real : -1;
	return v->type == STORE_INT ? (long)v->i : atol(v->text);
}

static int value_row(void *ctx, int n, const struct store_val *v)
{
	struct reader *rd = ctx;
	long p, r;
	size_t k;
	double x;
	if (stopped(rd->stop)) /* a big sweep's read takes seconds: a signal ends it */
		return 1;
	/* text columns: name and unit (NULL: SQL NULL); the value a REAL as stored, exactly */
	if (n < 5 || v[2].type != STORE_TEXT || !v[2].text)
		return 0;
	/* a metric of any row counts, like before */
	k = name_slot(rd, v[2].text, v[3].type == STORE_TEXT && v[3].text ? v[3].text : "");
	if ((v[0].type == STORE_TEXT && !v[0].text) || (v[1].type == STORE_TEXT && !v[1].text) ||
	    (v[4].type == STORE_TEXT && !v[4].text))
		return 0;
	p = val_long(&v[0]);
	r = val_long(&v[1]);
	x = v[4].type == STORE_REAL ? v[4].real : v[4].type == STORE_INT ? (double)v[4].i
									   : strtod(v[4].text, NULL);
	if (p < 0 || (size_t)p >= rd->m->n_points || r < 0 || (size_t)r >= rd->m->reps)
		return 0;
	xgrow((void **)&rd->vals, &rd->cap, rd->n + 1, sizeof *rd->vals);
	rd->vals[rd->n++] = (struct raw_val){ (size_t)p, (size_t)r, k, x };
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every stored value of the sweep's ok runs into m (names sorted, as metric_index needs);
 * 1 when *stop ended the read. */
static int read_values(struct store *st, const char *name, struct mat *m,
		       const volatile sig_atomic_t *stop, struct err *e)
{
	struct reader rd = { m, NULL, 0, 0, 0, stop };
	size_t nk, cells, *to;
	char **sorted_units;
	int rc;

	rc = store_query_vals(st,
			 "SELECT t.point, t.replication, m.name, m.unit, m.value"
			 " FROM sweep_trials t JOIN runs r ON r.trial_key = t.trial_key"
			 " JOIN metrics m ON m.run_id = r.run_id"
			 " WHERE t.sweep = ? AND r.status = 'ok'",
			 &name, 1, value_row, &rd, e);
	nk = m->n_metrics;
	/* sort the names; to[k]: where name k (order of appearance) went */
	{
		char **by = xmalloc((nk ? nk : 1) * sizeof *by);
		to = xmalloc((nk ? nk : 1) * sizeof *to);
		sorted_units = xmalloc((nk ? nk : 1) * sizeof *sorted_units);
		if (nk) { /* (no NULL array to memcpy or qsort, even of length 0) */
			memcpy(by, m->names, nk * sizeof *by);
			qsort(by, nk, sizeof *by, cmp_str);
		}
		for (size_t k = 0; k < nk; k++) {
			char **f = bsearch(&m->names[k], by, nk, sizeof *by, cmp_str);
			to[k] = (size_t)(f - by);
			sorted_units[to[k]] = m->units[k];
		}
		free(m->names);
		free(m->units);
		m->names = by;
		m->units = sorted_units;
	}
	cells = m->n_points * (nk ? nk : 1) * m->reps;
	m->v = xmalloc(cells * sizeof *m->v);
	for (size_t i = 0; i < cells; i++)
		m->v[i] = NAN;
	for (size_t i = 0; i < rd.n; i++) {
		const struct raw_val *x = &rd.vals[i];
		m->v[(x->p * nk + to[x->k]) * m->reps + x->r] = x->v;
	}
	free(to);
	free(rd.vals);
	return rc;
}

static void mat_fini(struct mat *m)
{
	for (size_t i = 0; i < m->n_metrics; i++) {
		free(m->names[i]);
		free(m->units[i]);
	}
	free(m->names);
	free(m->units);
	free(m->v);
	free(m->t95);
}

static const double *cell(const struct mat *m, size_t p, size_t k)
{
	return m->v + (p * m->n_metrics + k) * m->reps;
}

struct tornado_row {
	size_t input;
	struct sweep_paired lo, hi;
	double swing;
};

static int cmp_swing(const void *a, const void *b)
{
	const struct tornado_row *x = a, *y = b;
	if (x->swing != y->swing)
		return x->swing < y->swing ? 1 : -1;
	return x->input < y->input ? -1 : x->input > y->input;
}

/* Tornado rows of centre point c and metric k, sorted by swing (largest first). */
static void tornado(const struct sweep_spec *s, const struct mat *m, size_t c, size_t k,
		    struct tornado_row *rows)
{
	/* the oat axis is the last axis, so its levels are consecutive points after the centre */
	for (size_t i = 0; i < s->n_oat; i++) {
		struct tornado_row *r = &rows[i];
		r->input = i;
		sweep_stats_paired(cell(m, c + 1 + 2 * i, k), cell(m, c, k), m->reps, m->t95, &r->lo);
		sweep_stats_paired(cell(m, c + 2 + 2 * i, k), cell(m, c, k), m->reps, m->t95, &r->hi);
		r->swing = fabs(r->hi.diff - r->lo.diff);
		if (!isfinite(r->swing))
			r->swing = -1;
	}
	qsort(rows, s->n_oat, sizeof *rows, cmp_swing);
}

/* Inserts the statistics rows; 1 when *stop ended it (point by point: a big sweep's rows take
 * seconds). */
static int write_stats(struct store *st, const struct sweep_job *job, const struct mat *m,
		       const volatile sig_atomic_t *stop, struct err *e)
{
	const struct sweep_spec *s = job->spec;
	struct tornado_row *rows = xcalloc(s->n_oat + 1, sizeof *rows);
	int rc = 0;

	for (size_t p = 0; !rc && p < s->n_points; p++) {
		const struct sweep_point *pt = &s->points[p];
		if (stopped(stop)) {
			rc = 1;
			break;
		}
		for (size_t k = 0; !rc && k < m->n_metrics; k++) {
			struct sweep_ci ci;
			struct sweep_paired d;
			sweep_stats_ci(cell(m, p, k), m->reps, m->t95, &ci);
			if (ci.n) {
				const struct store_val v[10] = {
					vt(s->name), vi((long long)p), vt(pt->label), vt(m->names[k]),
					vt(m->units[k]), vi((long long)ci.n), vr(ci.mean), vr(ci.sd),
					vr(ci.mean - ci.hw), vr(ci.mean + ci.hw)
				};
				rc = store_insert(st, "INSERT INTO sweep_stats VALUES(?,?,?,?,?,?,?,?,?,?)", v, 10, e);
			}
			sweep_stats_paired(cell(m, p, k), cell(m, pt->baseline, k), m->reps, m->t95, &d);
			if (!rc && d.n) {
				const struct store_val v[17] = {
					vt(s->name), vi((long long)p), vt(pt->label),
					vi((long long)pt->baseline), vt(s->points[pt->baseline].label),
					vt(m->names[k]), vt(m->units[k]), vi((long long)d.n),
					vr(d.mean), vr(d.base_mean), vr(d.diff), vr(d.diff_sd),
					vr(d.diff - d.diff_hw), vr(d.diff + d.diff_hw), vr(d.rel),
					vr(d.rel - d.rel_hw), vr(d.rel + d.rel_hw)
				};
				rc = store_insert(st, "INSERT INTO sweep_diffs VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
						  v, 17, e);
			}
			if (!rc && s->oat_axis >= 0 && pt->level[s->oat_axis] == 0) {
				tornado(s, m, p, k, rows);
				for (size_t i = 0; !rc && i < s->n_oat; i++) {
					const struct tornado_row *r = &rows[i];
					const struct sweep_oat_input *in = &s->oat[r->input];
					const struct store_val v[20] = {
						vt(s->name), vi((long long)p), vt(pt->label),
						vt(in->name), vt(in->path), vt(in->low), vt(in->high),
						vt(m->names[k]), vt(m->units[k]), vr(ci.mean),
						vr(r->lo.mean), vr(r->hi.mean), vr(r->lo.diff),
						vr(r->lo.diff - r->lo.diff_hw), vr(r->lo.diff + r->lo.diff_hw),
						vr(r->hi.diff), vr(r->hi.diff - r->hi.diff_hw),
						vr(r->hi.diff + r->hi.diff_hw),
						r->swing >= 0 ? vr(r->swing) : vt(NULL), vi((long long)i + 1)
					};
					rc = store_insert(st, "INSERT INTO sweep_tornado VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
							  v, 20, e);
				}
			}
		}
	}
	free(rows);
	return rc;
}

/* ---- printed tables ---- */

static int label_width(const struct sweep_spec *s)
{
	size_t w = 5;
	for (size_t p = 0; p < s->n_points; p++)
		if (strlen(s->points[p].label) > w)
			w = strlen(s->points[p].label);
	return (int)(w > 80 ? 80 : w);
}

static void print_tables(FILE *out, const struct sweep_job *job, const struct mat *m)
{
	const struct sweep_spec *s = job->spec;
	long *ks = xcalloc(s->n_metrics + 1, sizeof *ks);
	size_t nk = 0;
	int lw = label_width(s);
	char cellbuf[64];

	for (size_t i = 0; i < s->n_metrics; i++) {
		long k = metric_index(m, s->metrics[i]);
		if (k >= 0)
			ks[nk++] = k;
		else
			fprintf(out, "(metric %s: not reported by these runs)\n", s->metrics[i]);
	}
	fprintf(out, "\nsweep \"%s\": mean +/- 95%% CI half-width over %ld replication(s) (Student-t; measured by simulation)\n",
		s->name, s->replications);
	fprintf(out, "%-*s %4s", lw, "point", "n");
	for (size_t j = 0; j < nk; j++)
		fprintf(out, " %22.22s", m->names[ks[j]]);
	fputc('\n', out);
	for (size_t p = 0; p < s->n_points; p++) {
		struct sweep_ci c0;
		sweep_stats_ci(cell(m, p, (size_t)(nk ? ks[0] : 0)), m->reps, m->t95, &c0);
		fprintf(out, "%-*.*s %4zu", lw, lw, s->points[p].label, nk ? c0.n : 0);
		for (size_t j = 0; j < nk; j++) {
			struct sweep_ci c;
			sweep_stats_ci(cell(m, p, (size_t)ks[j]), m->reps, m->t95, &c);
			if (!c.n)
				snprintf(cellbuf, sizeof cellbuf, "-");
			else if (!isfinite(c.hw))
				snprintf(cellbuf, sizeof cellbuf, "%.5g", c.mean);
			else
				snprintf(cellbuf, sizeof cellbuf, "%.5g +/- %.2g", c.mean, c.hw);
			fprintf(out, " %22s", cellbuf);
		}
		fputc('\n', out);
	}
	fprintf(out, "\nchange vs baseline \"%s\": relative change %% [95%% CI] from paired replications (common random numbers)\n",
		s->baseline_name);
	fprintf(out, "%-*s", lw, "point");
	for (size_t j = 0; j < nk; j++)
		fprintf(out, " %22.22s", m->names[ks[j]]);
	fputc('\n', out);
	for (size_t p = 0; p < s->n_points; p++) {
		const struct sweep_point *pt = &s->points[p];
		if (pt->baseline == p)
			continue;
		fprintf(out, "%-*.*s", lw, lw, pt->label);
		for (size_t j = 0; j < nk; j++) {
			struct sweep_paired d;
			sweep_stats_paired(cell(m, p, (size_t)ks[j]), cell(m, pt->baseline, (size_t)ks[j]),
					   m->reps, m->t95, &d);
			if (!isfinite(d.rel))
				snprintf(cellbuf, sizeof cellbuf, "-");
			else if (!isfinite(d.rel_hw))
				snprintf(cellbuf, sizeof cellbuf, "%+.1f%%", 100 * d.rel);
			else
				snprintf(cellbuf, sizeof cellbuf, "%+.1f%% [%+.1f, %+.1f]", 100 * d.rel,
					 100 * (d.rel - d.rel_hw), 100 * (d.rel + d.rel_hw));
			fprintf(out, " %22s", cellbuf);
		}
		fputc('\n', out);
	}
	if (s->oat_axis >= 0) {
		struct tornado_row *rows = xcalloc(s->n_oat + 1, sizeof *rows);
		for (size_t p = 0; p < s->n_points; p++) {
			if (s->points[p].level[s->oat_axis] != 0)
				continue;
			fprintf(out, "\nsensitivity (one at a time) around \"%s\": change of the mean when an input is at its low / high value\n",
				s->points[p].label);
			for (size_t j = 0; j < nk; j++) {
				size_t k = (size_t)ks[j];
				struct sweep_ci c;
				sweep_stats_ci(cell(m, p, k), m->reps, m->t95, &c);
				fprintf(out, "  %s (centre %.5g %s):\n", m->names[k], c.mean, m->units[k]);
				tornado(s, m, p, k, rows);
				for (size_t i = 0; i < s->n_oat; i++) {
					const struct tornado_row *r = &rows[i];
					const struct sweep_oat_input *in = &s->oat[r->input];
					char lo[64], hi[64];
					snprintf(lo, sizeof lo, "%+.4g +/- %.2g", r->lo.diff, r->lo.diff_hw);
					snprintf(hi, sizeof hi, "%+.4g +/- %.2g", r->hi.diff, r->hi.diff_hw);
					fprintf(out, "    %-20.20s low %-10.10s %-22s high %-10.10s %-22s swing %.4g\n",
						in->name, in->low, lo, in->high, hi, r->swing < 0 ? NAN : r->swing);
				}
			}
		}
		free(rows);
	}
	free(ks);
}

int sweep_db_stats(struct store *st, const struct sweep_job *job, FILE *out,
		   const volatile sig_atomic_t *stop, struct err *e)
{
	const struct sweep_spec *s = job->spec;
	struct mat m;
	const char *name = s->name;
	int rc;

	memset(&m, 0, sizeof m);
	m.n_points = s->n_points;
	m.reps = (size_t)s->replications;
	rc = stopped(stop) ? 1 : read_values(st, name, &m, stop, e);
	m.t95 = xmalloc((m.reps + 1) * sizeof *m.t95);
	for (size_t k = 0; k <= m.reps; k++)
		m.t95[k] = stats_t95_quantile(k);
	if (!rc) {
		rc = begin(st, e);
		if (!rc) {
			rc = delete_sweep(st, name, 0, e) ? -1 : write_stats(st, job, &m, stop, e);
			/* the last look before the commit: after a stop nothing is committed */
			rc = finish(st, rc || stopped(stop), e);
		}
	}
	if (!rc && out)
		print_tables(out, job, &m);
	mat_fini(&m);
	/* a stop also makes the wait for the database's lock give up (store_set_stop): whatever
	 * failed after it, the statistics were not written because of it */
	return rc && stopped(stop) ? 1 : rc;
}
