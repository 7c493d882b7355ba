/* check.c — the regression check against a baseline file (check.h).
 *
 * The baseline is plain TSV so a reviewer can read its diff in a pull request and edit a
 * tolerance by hand. Numbers are parsed strictly (the whole field, finite). The observed values
 * come from study.c, so `check` and `report` always agree on what a configuration's mean is.
 */
#include "analysis/check.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/sbuf.h"
#include "analysis/repstats.h"
#include "engine/xalloc.h"
#include "io/store.h"

static const char *const kind_names[] = { "rel", "abs", "ci" };

void check_baseline_fini(struct check_baseline *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].scenario);
		free(b->v[i].params);
		free(b->v[i].metric);
	}
	free(b->v);
	free(b->path);
	memset(b, 0, sizeof *b);
}

static int parse_number(const char *s, double *out)
{
	char *end;

	if (!*s)
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	return *end || errno == ERANGE || !isfinite(*out) ? -1 : 0;
}

int check_baseline_parse(const char *path, const char *text, struct check_baseline *b,
			 struct err *e)
{
	const char *p = text;
	long line = 0;

	memset(b, 0, sizeof *b);
	b->path = xstrdup(path);
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *ln = xmalloc(len + 1), *f[7];
		int nf = 0;

		memcpy(ln, p, len);
		ln[len] = '\0';
		if (len && ln[len - 1] == '\r')
			ln[--len] = '\0';
		p = eol ? eol + 1 : p + len;
		line++;
		if (!len || ln[0] == '#') {
			free(ln);
			continue;
		}
		for (char *q = ln; nf < 7; nf++) {
			f[nf] = q;
			q = strchr(q, '\t');
			if (!q) {
				nf++;
				break;
			}
			*q++ = '\0';
		}
		struct check_entry en = { 0 };
		int bad = 0;
		if (nf != 6) {
			bad = err_set(e, "%s:%ld: expected 6 tab-separated fields (scenario, params, metric,"
					 " expected, kind, tolerance), got %d", path, line, nf > 6 ? 7 : nf);
		} else if (!*f[0] || !*f[1] || !*f[2]) {
			bad = err_set(e, "%s:%ld: expected a scenario, params and metric name, got an empty"
					 " field", path, line);
		} else if (parse_number(f[3], &en.expected)) {
			bad = err_set(e, "%s:%ld: expected value: expected a finite number, got '%s'", path,
				      line, f[3]);
		} else if (parse_number(f[5], &en.tol) || en.tol < 0) {
			bad = err_set(e, "%s:%ld: tolerance: expected a number >= 0, got '%s'", path, line,
				      f[5]);
		} else {
			int k;
			for (k = 0; k < 3 && strcmp(f[4], kind_names[k]); k++)
				;
			if (k == 3)
				bad = err_set(e, "%s:%ld: tolerance kind: expected rel, abs or ci, got '%s'",
					      path, line, f[4]);
			en.kind = (enum check_kind)k;
		}
		if (bad) {
			free(ln);
			check_baseline_fini(b);
			return -1;
		}
		en.scenario = xstrdup(f[0]);
		en.params = xstrdup(f[1]);
		en.metric = xstrdup(f[2]);
		en.line = line;
		xgrow((void **)&b->v, &b->cap, b->n + 1, sizeof *b->v);
		b->v[b->n++] = en;
		free(ln);
	}
	return 0;
}

int check_baseline_read(const char *path, struct check_baseline *b, struct err *e)
{
	FILE *f = fopen(path, "rb");
	struct sbuf t;
	char buf[8192];
	size_t n;
	int rc;

	memset(b, 0, sizeof *b);
	if (!f)
		return err_set(e, "%s: cannot read the baseline: %s", path, strerror(errno));
	sbuf_init(&t);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sbuf_addn(&t, buf, n);
	if (ferror(f)) {
		fclose(f);
		sbuf_fini(&t);
		return err_set(e, "%s: cannot read the baseline", path);
	}
	fclose(f);
	if (strlen(t.s) != t.len) {
		sbuf_fini(&t);
		return err_set(e, "%s: expected a text file, got a NUL byte", path);
	}
	rc = check_baseline_parse(path, t.s, b, e);
	sbuf_fini(&t);
	return rc;
}

/* The configuration with this scenario name and params; the latest when several scenario
 * versions (hashes) share them. -1 when none. */
static long find_point(const struct study *st, const char *scenario, const char *params)
{
	long found = -1;

	for (size_t p = 0; p < st->n_pts; p++)
		if (!strcmp(st->pts[p].scenario, scenario) && !strcmp(st->pts[p].params, params))
			found = (long)p;
	return found;
}

int check_evaluate(const struct study *st, const struct check_baseline *b, struct check_result *res,
		   size_t *moved, struct err *e)
{
	*moved = 0;
	for (size_t i = 0; i < b->n; i++) {
		const struct check_entry *en = &b->v[i];
		struct check_result *r = &res[i];
		long p = find_point(st, en->scenario, en->params);
		long m = study_metric_index(st, en->metric);

		*r = (struct check_result){ CHECK_MISSING, 0, NAN, NAN };
		if (p >= 0 && m >= 0) {
			double *buf = xmalloc((st->pts[p].n + 1) * sizeof *buf);
			struct repstats_summary s =
				repstats_summarize(buf, study_values(st, (size_t)p, (size_t)m, buf), 0.95);
			free(buf);
			r->n = s.n;
			r->observed = s.mean;
			r->half = s.half;
		}
		if (r->n == 0) {
			(*moved)++;
			continue;
		}
		double d = fabs(r->observed - en->expected), lim;
		switch (en->kind) {
		case CHECK_TOL_REL: lim = en->tol * fabs(en->expected); break;
		case CHECK_TOL_ABS: lim = en->tol; break;
		default:
			if (r->n < 2)
				return err_set(e, "%s:%ld: tolerance 'ci' needs 2 or more replications; "
						  "the database has %zu for %s %s %s",
					       b->path, en->line, r->n, en->scenario, en->params,
					       en->metric);
			lim = en->tol * r->half;
		}
		/* the comparison tolerates the last bits of rounding in the stored text */
		r->status = d <= lim + 1e-12 * fabs(en->expected) ? CHECK_OK : CHECK_MOVED;
		if (r->status != CHECK_OK)
			(*moved)++;
	}
	return 0;
}

static void tol_text(char *buf, size_t n, const struct check_entry *en)
{
	switch (en->kind) {
	case CHECK_TOL_REL: snprintf(buf, n, "±%.3g%%", 100 * en->tol); break;
	case CHECK_TOL_ABS: snprintf(buf, n, "±%.3g", en->tol); break;
	default: snprintf(buf, n, "%.3g×CI", en->tol);
	}
}

void check_print(FILE *out, const struct check_baseline *b, const struct check_result *res,
		 int all_rows)
{
	size_t moved = 0, wc = 13, wm = 6;

	for (size_t i = 0; i < b->n; i++) {
		size_t lc = strlen(b->v[i].scenario) + 1 + strlen(b->v[i].params);
		wc = lc > wc ? lc : wc;
		wm = strlen(b->v[i].metric) > wm ? strlen(b->v[i].metric) : wm;
		moved += res[i].status != CHECK_OK;
	}
	wc = wc > 48 ? 48 : wc;
	if (moved || all_rows) {
		fprintf(out, "%-*s  %-*s  %12s  %-22s  %9s  %-9s  %s\n", (int)wc, "configuration",
			(int)wm, "metric", "expected", "observed (95% CI)", "change", "tolerance",
			"status");
		for (size_t i = 0; i < b->n; i++) {
			const struct check_entry *en = &b->v[i];
			const struct check_result *r = &res[i];
			char cfg[256], obs[64], ch[32], tol[32];
			if (r->status == CHECK_OK && !all_rows)
				continue;
			snprintf(cfg, sizeof cfg, "%s %s", en->scenario, en->params);
			if (r->n == 0)
				snprintf(obs, sizeof obs, "(missing)");
			else if (isnan(r->half))
				snprintf(obs, sizeof obs, "%.6g", r->observed);
			else
				snprintf(obs, sizeof obs, "%.6g ± %.2g", r->observed, r->half);
			if (r->n == 0)
				snprintf(ch, sizeof ch, "-");
			else if (en->expected != 0)
				snprintf(ch, sizeof ch, "%+.2f%%",
					 100 * (r->observed - en->expected) / fabs(en->expected));
			else
				snprintf(ch, sizeof ch, "%+.3g", r->observed);
			tol_text(tol, sizeof tol, en);
			fprintf(out, "%-*.*s  %-*s  %12.6g  %-22s  %9s  %-9s  %s\n", (int)wc, (int)wc, cfg,
				(int)wm, en->metric, en->expected, obs, ch, tol,
				r->status == CHECK_OK ? "ok" : r->status == CHECK_MOVED ? "MOVED" : "MISSING");
		}
	}
	if (moved)
		fprintf(out, "regression: %zu of %zu baseline metrics moved beyond their tolerance "
			     "(%s)\n", moved, b->n, b->path);
	else
		fprintf(out, "ok: all %zu baseline metrics within tolerance (%s)\n", b->n, b->path);
}

int check_baseline_write(const struct study *st, const char *path, double ci_tol, double rel_tol,
			 struct err *e)
{
	struct sbuf t, tmp;
	FILE *f;
	int rc = 0;

	sbuf_init(&t);
	sbuf_add(&t, "# maasim baseline: expected metric values and tolerances for `maasim check`.\n"
		     "# Written by `maasim check DB --baseline FILE --write-baseline`; edit tolerances "
		     "by hand as needed.\n"
		     "# kinds: rel = fraction of expected, abs = absolute, ci = multiple of the observed"
		     " 95% CI half-width\n"
		     "# scenario\tparams\tmetric\texpected\tkind\ttolerance\n");
	for (size_t p = 0; p < st->n_pts; p++) {
		const struct study_point *pt = &st->pts[p];
		double *buf = xmalloc((pt->n + 1) * sizeof *buf);
		if (strchr(pt->scenario, '\t') || strchr(pt->scenario, '\n') ||
		    strchr(pt->params, '\t') || strchr(pt->params, '\n')) {
			free(buf);
			sbuf_fini(&t);
			return err_set(e, "%s: configuration '%s' has a tab or newline in its name or "
					  "params and cannot be written to a baseline", path, pt->label);
		}
		for (size_t m = 0; m < st->n_mets; m++) {
			struct repstats_summary s = repstats_summarize(buf, study_values(st, p, m, buf), 0.95);
			if (!s.n)
				continue;
			/* an interval of width 0 (identical replications) cannot judge anything */
			int ci = s.n >= 2 && s.half > 1e-9 * fabs(s.mean);
			const char *kind = ci ? "ci" : s.mean != 0 ? "rel" : "abs";
			sbuf_addf(&t, "%s\t%s\t%s\t%.17g\t%s\t%g\n", pt->scenario, pt->params,
				  st->mets[m].name, s.mean, kind, ci ? ci_tol : rel_tol);
		}
		free(buf);
	}
	sbuf_init(&tmp);
	sbuf_addf(&tmp, "%s.tmp", path);
	f = fopen(tmp.s, "w");
	if (!f || fputs(t.s, f) == EOF || fclose(f) || rename(tmp.s, path)) {
		rc = err_set(e, "%s: cannot write the baseline: %s", path, strerror(errno));
		if (f)
			remove(tmp.s);
	}
	sbuf_fini(&tmp);
	sbuf_fini(&t);
	return rc;
}

static const char check_usage[] =
	"usage: maasim check DB --baseline FILE [--write-baseline [--tolerance X]] [--all]\n"
	"  Compares the metrics in the results database DB with the expectations in FILE and\n"
	"  prints what moved. Exit 0: nothing moved; 1: a regression; 2: bad usage or input.\n"
	"  --write-baseline  write FILE from DB instead: kind ci (x1) where replications differ,\n"
	"                    else rel (abs for a 0) with the --tolerance below\n"
	"  --tolerance X     relative tolerance written by --write-baseline (default 0.01)\n"
	"  --all             print every row, not only those that moved\n"
	"  Baseline format (TSV): scenario, params, metric, expected, kind (rel|abs|ci), tolerance\n";

int check_main(int argc, char **argv)
{
	const char *db = NULL, *base = NULL;
	int write = 0, all = 0, code = 2;
	double rel_tol = 0.01;
	struct err e = { 0 };
	struct store *s = NULL;
	struct study *st = NULL;
	struct check_baseline b = { 0 };
	struct check_result *res = NULL;
	size_t moved;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(check_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--baseline") && i + 1 < argc) {
			base = argv[++i];
		} else if (!strcmp(a, "--write-baseline")) {
			write = 1;
		} else if (!strcmp(a, "--tolerance") && i + 1 < argc) {
			char *end;
			rel_tol = strtod(argv[++i], &end);
			if (*end || !(rel_tol >= 0) || !isfinite(rel_tol)) {
				fprintf(stderr, "maasim check: --tolerance: expected a number >= 0, got "
						"'%s'\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(a, "--all")) {
			all = 1;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "maasim check: unknown or incomplete option '%s'\n%s", a,
				check_usage);
			return 2;
		} else if (!db) {
			db = a;
		} else {
			fprintf(stderr, "maasim check: one database only, got '%s' too\n%s", a,
				check_usage);
			return 2;
		}
	}
	if (!db || !base) {
		fprintf(stderr, "maasim check: %s\n%s",
			!db ? "which database?" : "--baseline FILE is required", check_usage);
		return 2;
	}
	if (!(s = store_open(db, STORE_READONLY, &e)) || !(st = study_load(s, &e)))
		goto out;
	if (!st->n_pts) {
		err_set(&e, "%s: no runs to check", db);
		goto out;
	}
	if (write) {
		if (check_baseline_write(st, base, 1.0, rel_tol, &e)) {
			code = 1;
			goto out;
		}
		printf("baseline: %s written from %s\n", base, db);
		code = 0;
		goto out;
	}
	if (check_baseline_read(base, &b, &e))
		goto out;
	if (!b.n) {
		err_set(&e, "%s: expected at least one baseline line, got none", base);
		goto out;
	}
	res = xcalloc(b.n, sizeof *res);
	if (check_evaluate(st, &b, res, &moved, &e))
		goto out;
	check_print(stdout, &b, res, all);
	code = moved ? 1 : 0;
out:
	if (e.set)
		fprintf(stderr, "maasim check: %s\n", e.msg);
	free(res);
	check_baseline_fini(&b);
	study_free(st);
	store_close(s);
	return code;
}
