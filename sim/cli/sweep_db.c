/* sweep_db.c — the sweep tables, and statistics computed from the stored runs (sweep_db.h).
 *
 * Statistics are always recomputed from the database, never from the results of this process
 * alone: a resumed sweep (or one whose trials were all stored earlier, possibly by another
 * sweep sharing trials) reports over every stored replication. Values are read as %.17g text so
 * they round-trip exactly through store_query's text interface.
 */
#include "sweep_db.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/sweep_stats.h"
#include "engine/xalloc.h"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS sweeps(sweep TEXT PRIMARY KEY, file TEXT, description TEXT,"
	" replications INTEGER, n_points INTEGER, baseline TEXT, version TEXT, updated_at TEXT);"
	"CREATE TABLE IF NOT EXISTS sweep_points(sweep TEXT, point INTEGER, label TEXT,"
	" scenario TEXT, scenario_hash TEXT, params TEXT, baseline_point INTEGER,"
	" is_baseline INTEGER, oat_input TEXT, oat_side TEXT, PRIMARY KEY(sweep, point));"
	"CREATE TABLE IF NOT EXISTS sweep_trials(sweep TEXT, point INTEGER, replication INTEGER,"
	" trial_key TEXT, PRIMARY KEY(sweep, point, replication));"
	"CREATE INDEX IF NOT EXISTS sweep_trials_key ON sweep_trials(trial_key);"
	"CREATE TABLE IF NOT EXISTS sweep_stats(sweep TEXT, point INTEGER, label TEXT, metric TEXT,"
	" unit TEXT, n INTEGER, mean REAL, sd REAL, ci_lo REAL, ci_hi REAL,"
	" PRIMARY KEY(sweep, point, metric));"
	"CREATE TABLE IF NOT EXISTS sweep_diffs(sweep TEXT, point INTEGER, label TEXT,"
	" baseline_point INTEGER, baseline_label TEXT, metric TEXT, unit TEXT, n INTEGER,"
	" mean REAL, baseline_mean REAL, diff REAL, diff_sd REAL, diff_ci_lo REAL,"
	" diff_ci_hi REAL, rel_change REAL, rel_ci_lo REAL, rel_ci_hi REAL,"
	" PRIMARY KEY(sweep, point, metric));"
	"CREATE TABLE IF NOT EXISTS sweep_tornado(sweep TEXT, centre_point INTEGER,"
	" centre_label TEXT, input TEXT, path TEXT, low TEXT, high TEXT, metric TEXT, unit TEXT,"
	" centre_mean REAL, low_mean REAL, high_mean REAL, low_diff REAL, low_ci_lo REAL,"
	" low_ci_hi REAL, high_diff REAL, high_ci_lo REAL, high_ci_hi REAL, swing REAL,"
	" rank INTEGER);"
	"CREATE VIEW IF NOT EXISTS sweep_results AS SELECT t.sweep AS sweep, t.point AS point,"
	" p.label AS label, t.replication AS replication, t.trial_key AS trial_key,"
	" r.run_id AS run_id, r.status AS status, m.name AS metric, m.value AS value,"
	" m.unit AS unit FROM sweep_trials t JOIN sweep_points p ON p.sweep = t.sweep AND"
	" p.point = t.point JOIN runs r ON r.trial_key = t.trial_key JOIN metrics m ON"
	" m.run_id = r.run_id;";

int sweep_db_schema(struct store *st, struct err *e) { return store_exec(st, schema_sql, e); }

static int q(struct store *st, const char *sql, const char *const *p, int n, struct err *e)
{
	return store_query(st, sql, p, n, NULL, NULL, e);
}

/* Number as exact text, or NULL (SQL NULL) when not finite. */
static const char *num(double x, char *buf)
{
	if (!isfinite(x))
		return NULL;
	snprintf(buf, 32, "%.17g", x);
	return buf;
}

static const char *inum(long long x, char *buf)
{
	snprintf(buf, 32, "%lld", x);
	return buf;
}

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
	char b1[32], b2[32], b3[32], now[32];
	time_t t = time(NULL);
	struct tm tm;
	int rc;

	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (begin(st, e))
		return -1;
	rc = delete_sweep(st, s->name, 1, e);
	if (!rc) {
		const char *p[8] = { s->name, s->file, s->description, inum(s->replications, b1),
				     inum((long long)s->n_points, b2), s->baseline_name, version, now };
		rc = q(st, "INSERT INTO sweeps VALUES(?,?,?,?,?,?,?,?)", p, 8, e);
	}
	for (size_t i = 0; !rc && i < s->n_points; i++) {
		const struct sweep_point *pt = &s->points[i];
		const struct sweep_pinfo *sc = &job->pinfo[i];
		const char *oat_in = NULL, *oat_side = NULL;
		char b4[32];
		if (s->oat_axis >= 0) {
			const struct sweep_level *lv = &s->axes[s->oat_axis].levels[pt->level[s->oat_axis]];
			oat_in = lv->oat_input >= 0 ? s->oat[lv->oat_input].name : NULL;
			oat_side = lv->oat_side < 0 ? "low" : lv->oat_side > 0 ? "high" : "centre";
		}
		{
			const char *p[10] = { s->name, inum((long long)i, b1), pt->label,
					      s->scenarios[pt->scenario], sc->hash, sc->params,
					      inum((long long)pt->baseline, b2),
					      inum(pt->baseline == i, b3), oat_in, oat_side };
			rc = q(st, "INSERT INTO sweep_points VALUES(?,?,?,?,?,?,?,?,?,?)", p, 10, e) ||
			     store_put_scenario(st, sc->hash, sc->name, sc->json, e);
		}
		(void)b4;
	}
	for (size_t k = 0; !rc && k < job->n_trials; k++) {
		const struct sweep_trial *tr = &job->trials[k];
		const char *p[4] = { s->name, inum((long long)tr->point, b1), inum(tr->rep, b2), tr->key };
		rc = q(st, "INSERT INTO sweep_trials VALUES(?,?,?,?)", p, 4, e);
	}
	return finish(st, rc, e);
}

/* ---- statistics ---- */

struct mat {
	size_t n_points, n_metrics, reps;
	char **names, **units;
	double *v; /* [(point * n_metrics + metric) * reps + rep], NAN when missing */
};

static int name_row(void *ctx, int n, const char *const *v, const char *const *c)
{
	struct mat *m = ctx;
	static const size_t cap_step = 64;
	(void)c;
	if (n < 2 || !v[0])
		return 0;
	if (m->n_metrics % cap_step == 0) {
		m->names = xrealloc(m->names, (m->n_metrics + cap_step) * sizeof *m->names);
		m->units = xrealloc(m->units, (m->n_metrics + cap_step) * sizeof *m->units);
	}
	m->names[m->n_metrics] = xstrdup(v[0]);
	m->units[m->n_metrics] = xstrdup(v[1] ? v[1] : "");
	m->n_metrics++;
	return 0;
}

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

static int value_row(void *ctx, int n, const char *const *v, const char *const *c)
{
	struct mat *m = ctx;
	long p, r, k;
	(void)c;
	if (n < 4 || !v[0] || !v[1] || !v[2] || !v[3])
		return 0;
	p = atol(v[0]);
	r = atol(v[1]);
	k = metric_index(m, v[2]);
	if (p < 0 || (size_t)p >= m->n_points || r < 0 || (size_t)r >= m->reps || k < 0)
		return 0;
	m->v[((size_t)p * m->n_metrics + (size_t)k) * m->reps + (size_t)r] = strtod(v[3], NULL);
	return 0;
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
		sweep_stats_paired(cell(m, c + 1 + 2 * i, k), cell(m, c, k), m->reps, &r->lo);
		sweep_stats_paired(cell(m, c + 2 + 2 * i, k), cell(m, c, k), m->reps, &r->hi);
		r->swing = fabs(r->hi.diff - r->lo.diff);
		if (!isfinite(r->swing))
			r->swing = -1;
	}
	qsort(rows, s->n_oat, sizeof *rows, cmp_swing);
}

static int write_stats(struct store *st, const struct sweep_job *job, const struct mat *m,
		       struct err *e)
{
	const struct sweep_spec *s = job->spec;
	struct tornado_row *rows = xcalloc(s->n_oat + 1, sizeof *rows);
	char b[16][32];
	int rc = 0;

	for (size_t p = 0; !rc && p < s->n_points; p++) {
		const struct sweep_point *pt = &s->points[p];
		for (size_t k = 0; !rc && k < m->n_metrics; k++) {
			struct sweep_ci ci;
			struct sweep_paired d;
			sweep_stats_ci(cell(m, p, k), m->reps, &ci);
			if (ci.n) {
				const char *v[10] = { s->name, inum((long long)p, b[0]), pt->label,
						      m->names[k], m->units[k], inum((long long)ci.n, b[1]),
						      num(ci.mean, b[2]), num(ci.sd, b[3]),
						      num(ci.mean - ci.hw, b[4]), num(ci.mean + ci.hw, b[5]) };
				rc = q(st, "INSERT INTO sweep_stats VALUES(?,?,?,?,?,?,?,?,?,?)", v, 10, e);
			}
			sweep_stats_paired(cell(m, p, k), cell(m, pt->baseline, k), m->reps, &d);
			if (!rc && d.n) {
				const char *v[17] = {
					s->name, inum((long long)p, b[0]), pt->label,
					inum((long long)pt->baseline, b[1]), s->points[pt->baseline].label,
					m->names[k], m->units[k], inum((long long)d.n, b[2]),
					num(d.mean, b[3]), num(d.base_mean, b[4]), num(d.diff, b[5]),
					num(d.diff_sd, b[6]), num(d.diff - d.diff_hw, b[7]),
					num(d.diff + d.diff_hw, b[8]), num(d.rel, b[9]),
					num(d.rel - d.rel_hw, b[10]), num(d.rel + d.rel_hw, b[11])
				};
				rc = q(st, "INSERT INTO sweep_diffs VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
				       v, 17, e);
			}
			if (!rc && s->oat_axis >= 0 && pt->level[s->oat_axis] == 0) {
				tornado(s, m, p, k, rows);
				for (size_t i = 0; !rc && i < s->n_oat; i++) {
					const struct tornado_row *r = &rows[i];
					const struct sweep_oat_input *in = &s->oat[r->input];
					struct sweep_ci cc;
					const char *v[20];
					sweep_stats_ci(cell(m, p, k), m->reps, &cc);
					v[0] = s->name, v[1] = inum((long long)p, b[0]), v[2] = pt->label;
					v[3] = in->name, v[4] = in->path, v[5] = in->low, v[6] = in->high;
					v[7] = m->names[k], v[8] = m->units[k], v[9] = num(cc.mean, b[1]);
					v[10] = num(r->lo.mean, b[2]), v[11] = num(r->hi.mean, b[3]);
					v[12] = num(r->lo.diff, b[4]);
					v[13] = num(r->lo.diff - r->lo.diff_hw, b[5]);
					v[14] = num(r->lo.diff + r->lo.diff_hw, b[6]);
					v[15] = num(r->hi.diff, b[7]);
					v[16] = num(r->hi.diff - r->hi.diff_hw, b[8]);
					v[17] = num(r->hi.diff + r->hi.diff_hw, b[9]);
					v[18] = r->swing >= 0 ? num(r->swing, b[10]) : NULL;
					v[19] = inum((long long)i + 1, b[11]);
					rc = q(st, "INSERT INTO sweep_tornado VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
		sweep_stats_ci(cell(m, p, (size_t)(nk ? ks[0] : 0)), m->reps, &c0);
		fprintf(out, "%-*.*s %4zu", lw, lw, s->points[p].label, nk ? c0.n : 0);
		for (size_t j = 0; j < nk; j++) {
			struct sweep_ci c;
			sweep_stats_ci(cell(m, p, (size_t)ks[j]), m->reps, &c);
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
					   m->reps, &d);
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
				sweep_stats_ci(cell(m, p, k), m->reps, &c);
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

int sweep_db_stats(struct store *st, const struct sweep_job *job, FILE *out, struct err *e)
{
	const struct sweep_spec *s = job->spec;
	struct mat m;
	const char *name = s->name;
	int rc;

	memset(&m, 0, sizeof m);
	m.n_points = s->n_points;
	m.reps = (size_t)s->replications;
	rc = store_query(st,
			 "SELECT m.name, m.unit FROM sweep_trials t JOIN runs r ON"
			 " r.trial_key = t.trial_key JOIN metrics m ON m.run_id = r.run_id"
			 " WHERE t.sweep = ? AND r.status = 'ok' GROUP BY m.name ORDER BY m.name",
			 &name, 1, name_row, &m, e);
	if (!rc) {
		size_t cells = m.n_points * (m.n_metrics ? m.n_metrics : 1) * m.reps;
		m.v = xmalloc(cells * sizeof *m.v);
		for (size_t i = 0; i < cells; i++)
			m.v[i] = NAN;
		rc = store_query(st,
				 "SELECT t.point, t.replication, m.name, printf('%.17g', m.value)"
				 " FROM sweep_trials t JOIN runs r ON r.trial_key = t.trial_key"
				 " JOIN metrics m ON m.run_id = r.run_id"
				 " WHERE t.sweep = ? AND r.status = 'ok'",
				 &name, 1, value_row, &m, e);
	}
	if (!rc) {
		rc = begin(st, e);
		if (!rc)
			rc = finish(st, delete_sweep(st, name, 0, e) || write_stats(st, job, &m, e), e);
	}
	if (!rc && out)
		print_tables(out, job, &m);
	mat_fini(&m);
	return rc;
}
