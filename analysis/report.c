/* report.c — `maasim report`: HTML and Markdown reports of a results database (report.h).
 *
 * Both pages are built side by side by the small doc_* writer below, so they always carry the
 * same sections and numbers; each doc_* call escapes its text for both formats. Statistics come
 * from stats.c on the points of study.c; figures from plot.c. Pages are written to temporary
 * files and renamed into place at the end, so a failed report never leaves a half-written page.
 */
#include "analysis/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/plot.h"
#include "analysis/repstats.h"
#include "analysis/study.h"
#include "engine/xalloc.h"
#include "io/store.h"

/* --- escaping --- */

void report_html_escape(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': sbuf_add(b, "&amp;"); break;
		case '<': sbuf_add(b, "&lt;"); break;
		case '>': sbuf_add(b, "&gt;"); break;
		case '"': sbuf_add(b, "&quot;"); break;
		case '\'': sbuf_add(b, "&#39;"); break;
		default: sbuf_addc(b, *s);
		}
	}
}

void report_md_escape(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		if (strchr("|\\`*_[]#", *s))
			sbuf_addc(b, '\\'), sbuf_addc(b, *s);
		else if (*s == '<')
			sbuf_add(b, "&lt;");
		else if (*s == '>')
			sbuf_add(b, "&gt;");
		else if (*s == '&')
			sbuf_add(b, "&amp;");
		else if (*s == '\n' || *s == '\r' || *s == '\t')
			sbuf_addc(b, ' ');
		else
			sbuf_addc(b, *s);
	}
}

void report_base64(struct sbuf *b, const unsigned char *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		char q[4] = { tab[v >> 18], tab[v >> 12 & 63], tab[v >> 6 & 63], tab[v & 63] };
		sbuf_addn(b, q, 4);
	}
	if (n - i == 1) {
		unsigned v = (unsigned)p[i] << 16;
		char q[4] = { tab[v >> 18], tab[v >> 12 & 63], '=', '=' };
		sbuf_addn(b, q, 4);
	} else if (n - i == 2) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		char q[4] = { tab[v >> 18], tab[v >> 12 & 63], tab[v >> 6 & 63], '=' };
		sbuf_addn(b, q, 4);
	}
}

/* --- the two-format document writer --- */

struct doc {
	struct sbuf html, md;
	int in_list;
};

static void doc_text(struct doc *d, const char *s)
{
	report_html_escape(&d->html, s);
	report_md_escape(&d->md, s);
}

static void doc_strong(struct doc *d, const char *s)
{
	sbuf_add(&d->html, "<strong>");
	sbuf_add(&d->md, "**");
	doc_text(d, s);
	sbuf_add(&d->html, "</strong>");
	sbuf_add(&d->md, "**");
}

static void doc_heading(struct doc *d, int level, const char *id, const char *s)
{
	sbuf_addf(&d->html, "<h%d id=\"%s\">", level, id);
	report_html_escape(&d->html, s);
	sbuf_addf(&d->html, "</h%d>\n", level);
	for (int i = 0; i < level; i++)
		sbuf_addc(&d->md, '#');
	sbuf_addc(&d->md, ' ');
	report_md_escape(&d->md, s);
	sbuf_add(&d->md, "\n\n");
}

static void doc_p_begin(struct doc *d)
{
	sbuf_add(&d->html, "<p>");
}

static void doc_p_end(struct doc *d)
{
	sbuf_add(&d->html, "</p>\n");
	sbuf_add(&d->md, "\n\n");
}

static void doc_para(struct doc *d, const char *s)
{
	doc_p_begin(d);
	doc_text(d, s);
	doc_p_end(d);
}

static void doc_li_begin(struct doc *d)
{
	if (!d->in_list)
		sbuf_add(&d->html, "<ul>\n");
	d->in_list = 1;
	sbuf_add(&d->html, "<li>");
	sbuf_add(&d->md, "- ");
}

static void doc_li_end(struct doc *d)
{
	sbuf_add(&d->html, "</li>\n");
	sbuf_addc(&d->md, '\n');
}

static void doc_list_end(struct doc *d)
{
	if (d->in_list)
		sbuf_add(&d->html, "</ul>\n");
	d->in_list = 0;
	sbuf_addc(&d->md, '\n');
}

static void doc_table_begin(struct doc *d, const char *const *head, size_t n)
{
	sbuf_add(&d->html, "<table>\n<thead><tr>");
	sbuf_add(&d->md, "|");
	for (size_t i = 0; i < n; i++) {
		sbuf_add(&d->html, "<th>");
		report_html_escape(&d->html, head[i]);
		sbuf_add(&d->html, "</th>");
		sbuf_addc(&d->md, ' ');
		report_md_escape(&d->md, head[i]);
		sbuf_add(&d->md, " |");
	}
	sbuf_add(&d->html, "</tr></thead>\n<tbody>\n");
	sbuf_add(&d->md, "\n|");
	for (size_t i = 0; i < n; i++)
		sbuf_add(&d->md, i ? " ---: |" : " --- |");
	sbuf_addc(&d->md, '\n');
}

static void doc_table_row(struct doc *d, const char *const *cell, size_t n)
{
	sbuf_add(&d->html, "<tr>");
	sbuf_add(&d->md, "|");
	for (size_t i = 0; i < n; i++) {
		sbuf_add(&d->html, i ? "<td class=\"num\">" : "<td>");
		report_html_escape(&d->html, cell[i] ? cell[i] : "");
		sbuf_add(&d->html, "</td>");
		sbuf_addc(&d->md, ' ');
		report_md_escape(&d->md, cell[i] ? cell[i] : "");
		sbuf_add(&d->md, " |");
	}
	sbuf_add(&d->html, "</tr>\n");
	sbuf_addc(&d->md, '\n');
}

static void doc_table_end(struct doc *d)
{
	sbuf_add(&d->html, "</tbody></table>\n");
	sbuf_addc(&d->md, '\n');
}

static void doc_pre(struct doc *d, const char *summary, const char *s)
{
	const char *fence = strstr(s, "```") ? "~~~~" : "```";

	sbuf_add(&d->html, "<details><summary>");
	report_html_escape(&d->html, summary);
	sbuf_add(&d->html, "</summary><pre>");
	report_html_escape(&d->html, s);
	sbuf_add(&d->html, "</pre></details>\n");
	report_md_escape(&d->md, summary);
	sbuf_addf(&d->md, ":\n\n%s\n%s\n%s\n\n", fence, s, fence);
}

/* --- small helpers --- */

static int read_all(const char *path, struct sbuf *out)
{
	FILE *f = fopen(path, "rb");
	char buf[8192];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sbuf_addn(out, buf, n);
	int bad = ferror(f);
	fclose(f);
	return bad ? -1 : 0;
}

static int write_atomic(const char *dir, const char *name, const char *text, struct err *e)
{
	struct sbuf tmp, fin;
	FILE *f;
	int rc = 0;

	sbuf_init(&tmp);
	sbuf_init(&fin);
	sbuf_addf(&fin, "%s/%s", dir, name);
	sbuf_addf(&tmp, "%s.tmp", fin.s);
	f = fopen(tmp.s, "w");
	if (!f || fputs(text, f) == EOF || fclose(f) || rename(tmp.s, fin.s)) {
		rc = err_set(e, "%s: cannot write: %s", fin.s, strerror(errno));
		if (f)
			remove(tmp.s);
	}
	sbuf_fini(&tmp);
	sbuf_fini(&fin);
	return rc;
}

static int mkdir_p(const char *dir, struct err *e)
{
	char *p = xstrdup(dir);
	int rc = 0;

	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			rc = -1;
		*q = '/';
	}
	if (mkdir(p, 0755) && errno != EEXIST)
		rc = -1;
	struct stat sb;
	if (stat(p, &sb) || !S_ISDIR(sb.st_mode))
		rc = -1;
	if (rc)
		err_set(e, "%s: cannot create directory: %s", dir, strerror(errno));
	free(p);
	return rc;
}

/* %.4g, but whole numbers from 1000 up are written out (18285 rather than 1.828e+04). */
static void fmt_val(char *buf, size_t n, double v)
{
	if (fabs(v) >= 1000 && fabs(v) < 1e12)
		snprintf(buf, n, "%.0f", v);
	else
		snprintf(buf, n, "%.4g", v);
}

static void fmt_ci(char *buf, size_t n, const struct repstats_summary *s)
{
	char m[48];

	fmt_val(m, sizeof m, s->mean);
	if (s->n == 0)
		snprintf(buf, n, "—");
	else if (isnan(s->half))
		snprintf(buf, n, "%s (n=1)", m);
	else if (s->half <= 1e-12 * fabs(s->mean)) /* rounding noise of equal values */
		snprintf(buf, n, "%s ± 0", m);
	else
		snprintf(buf, n, "%s ± %.2g", m, s->half);
}

/* "+4.2% ± 0.9%" or, without a relative change (baseline mean 0), the absolute difference. */
static void fmt_change(char *buf, size_t n, const struct repstats_paired *c, const char *unit,
		       int with_sign)
{
	if (!isnan(c->rel)) {
		double r = with_sign ? 100 * c->rel : fabs(100 * c->rel);
		if (isnan(c->rel_half))
			snprintf(buf, n, with_sign ? "%+.1f%%" : "%.1f%%", r);
		else
			snprintf(buf, n, with_sign ? "%+.1f%% ± %.1f%%" : "%.1f%% ± %.1f%%", r,
				 100 * c->rel_half);
	} else if (isnan(c->diff.half)) {
		snprintf(buf, n, "%+.4g %s", c->diff.mean, unit);
	} else {
		snprintf(buf, n, "%+.4g ± %.2g %s", c->diff.mean, c->diff.half, unit);
	}
}

/* Metric display order: the contract's order, then the others, then per-class metrics. */
static const char *const contract_order[] = {
	"carbon_operational_kg", "carbon_embodied_kg", "carbon_per_request_g", "energy_facility_kwh",
	"energy_it_kwh", "energy_cooling_kwh", "pue", "energy_grid_kwh", "energy_renewable_used_kwh",
	"energy_curtailed_kwh", "renewable_fraction", "energy_per_request_wh", "water_l", "cost_usd",
	"latency_mean_s", "latency_p50_s", "latency_p95_s", "latency_p99_s", "ttft_p50_s",
	"ttft_p99_s", "tpot_p50_s", "wait_mean_s", "slo_attainment", "accuracy_mean",
	"utilization_mean", "requests_arrived", "requests_completed", "requests_dropped",
	"balance_error_rel", NULL
};

static size_t metric_order(const struct study *st, size_t *order)
{
	size_t n = 0;
	char *used = xcalloc(st->n_mets + 1, 1);

	for (const char *const *c = contract_order; *c; c++) {
		long m = study_metric_index(st, *c);
		if (m >= 0 && !used[m]) {
			used[m] = 1;
			order[n++] = (size_t)m;
		}
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t m = 0; m < st->n_mets; m++) {
			int cls = !strncmp(st->mets[m].name, "class.", 6);
			if (!used[m] && cls == pass) {
				used[m] = 1;
				order[n++] = m;
			}
		}
	free(used);
	return n;
}

static struct repstats_summary summarize(const struct study *st, size_t p, size_t m, double level)
{
	double *buf = xmalloc((st->pts[p].n + 1) * sizeof *buf);
	struct repstats_summary s = repstats_summarize(buf, study_values(st, p, m, buf), level);
	free(buf);
	return s;
}

static struct repstats_paired compare(const struct study *st, size_t p, size_t b, size_t m,
				   double level)
{
	size_t cap = st->pts[p].n + 1;
	double *x = xmalloc(cap * sizeof *x), *y = xmalloc(cap * sizeof *y);
	struct repstats_paired c = repstats_compare(x, y, study_pairs(st, p, b, m, x, y), level);
	free(x);
	free(y);
	return c;
}

/* --- sections --- */

static const char *const primary_metrics[] = { "carbon_operational_kg", "carbon_per_request_g",
					       "energy_facility_kwh", "energy_it_kwh", NULL };
static const char *const secondary_metrics[] = {
	"latency_p99_s", "ttft_p99_s", "slo_attainment", "accuracy_mean", "energy_facility_kwh",
	"cost_usd", "water_l", "renewable_fraction", NULL
};

static void summary_point(struct doc *d, const struct study *st, size_t p, size_t b, double level)
{
	long prim = -1;
	char buf[128];
	int pct = (int)lround(level * 100);

	for (const char *const *c = primary_metrics; *c && prim < 0; c++)
		prim = study_metric_index(st, *c);
	doc_li_begin(d);
	doc_strong(d, st->pts[p].label);
	if (prim >= 0) {
		struct repstats_paired c = compare(st, p, b, (size_t)prim, level);
		const char *phrase = study_metric_phrase(st->mets[prim].name);
		struct sbuf s;
		sbuf_init(&s);
		if (c.n == 0) {
			sbuf_addf(&s, " has no replication in common with ");
		} else if (c.n < 2) {
			fmt_change(buf, sizeof buf, &c, st->mets[prim].unit, 1);
			sbuf_addf(&s, " changes %s by %s (one paired replication: no confidence "
				      "interval) against ", phrase, buf);
		} else if (c.diff.mean == 0 && c.diff.sd == 0) {
			sbuf_addf(&s, " gives exactly the same %s, replication by replication, as ", phrase);
		} else if (c.significant) {
			fmt_change(buf, sizeof buf, &c, st->mets[prim].unit, 0);
			sbuf_addf(&s, " %s %s by %s (%d%% CI) against ",
				  c.diff.mean < 0 ? "cuts" : "raises", phrase, buf, pct);
		} else {
			fmt_change(buf, sizeof buf, &c, st->mets[prim].unit, 1);
			sbuf_addf(&s, " does not change %s significantly (%s, %d%% CI) against ",
				  phrase, buf, pct);
		}
		doc_text(d, s.s);
		sbuf_fini(&s);
	} else {
		doc_text(d, " against ");
	}
	doc_strong(d, st->pts[b].label);

	struct sbuf sig, nsig, same;
	sbuf_init(&sig);
	sbuf_init(&nsig);
	sbuf_init(&same);
	for (const char *const *c = secondary_metrics; *c; c++) {
		long m = study_metric_index(st, *c);
		if (m < 0 || m == prim)
			continue;
		struct repstats_paired cp = compare(st, p, b, (size_t)m, level);
		if (cp.n == 0)
			continue;
		if (cp.n >= 2 && cp.diff.mean == 0 && cp.diff.sd == 0) {
			sbuf_addf(&same, "%s%s", same.len ? ", " : "", study_metric_phrase(*c));
			continue;
		}
		fmt_change(buf, sizeof buf, &cp, st->mets[m].unit, 1);
		struct sbuf *t = cp.n < 2 || cp.significant ? &sig : &nsig;
		if (t == &sig)
			sbuf_addf(t, "%s%s %s", t->len ? ", " : "", study_metric_phrase(*c), buf);
		else
			sbuf_addf(t, "%s%s (%s)", t->len ? ", " : "", study_metric_phrase(*c), buf);
	}
	if (sig.len) {
		doc_text(d, ", with ");
		doc_text(d, sig.s);
	}
	if (nsig.len) {
		doc_text(d, "; no significant change in ");
		doc_text(d, nsig.s);
	}
	if (same.len) {
		doc_text(d, "; exactly the same ");
		doc_text(d, same.s);
	}
	doc_text(d, ".");
	sbuf_fini(&sig);
	sbuf_fini(&nsig);
	sbuf_fini(&same);
	doc_li_end(d);
}

/* With three or more configurations: which is best on each headline metric (lowest, or highest
 * for the metrics where more is better), by mean. */
static void summary_best(struct doc *d, const struct study *st, double level)
{
	static const char *const best_metrics[] = { "carbon_operational_kg", "energy_facility_kwh",
						    "energy_it_kwh", "latency_p99_s", "ttft_p99_s",
						    "slo_attainment", "accuracy_mean", "cost_usd",
						    "water_l", NULL };
	struct sbuf t;
	int any = 0;

	sbuf_init(&t);
	for (const char *const *c = best_metrics; *c; c++) {
		long m = study_metric_index(st, *c);
		int higher = !strcmp(*c, "slo_attainment") || !strcmp(*c, "accuracy_mean");
		long best = -1;
		struct repstats_summary bs = { 0, NAN, NAN, NAN };
		char buf[96];
		if (m < 0)
			continue;
		for (size_t p = 0; p < st->n_pts; p++) {
			struct repstats_summary s = summarize(st, p, (size_t)m, level);
			if (s.n && (best < 0 || (higher ? s.mean > bs.mean : s.mean < bs.mean))) {
				best = (long)p;
				bs = s;
			}
		}
		if (best < 0)
			continue;
		fmt_ci(buf, sizeof buf, &bs);
		sbuf_addf(&t, "%s%s %s: %s (%s %s)", any++ ? "; " : "", higher ? "highest" : "lowest",
			  study_metric_phrase(*c), st->pts[best].label, buf, st->mets[m].unit);
	}
	if (any) {
		doc_p_begin(d);
		doc_strong(d, "Best by mean:");
		doc_text(d, " ");
		doc_text(d, t.s);
		doc_text(d, ". Ties go to the configuration listed first; the comparisons below say "
			    "which differences are significant.");
		doc_p_end(d);
	}
	sbuf_fini(&t);
}

static void section_summary(struct doc *d, const struct study *st, size_t b, double level)
{
	char buf[160];
	size_t reps = 0, failed = 0;

	for (size_t p = 0; p < st->n_pts; p++) {
		reps = st->pts[p].n > reps ? st->pts[p].n : reps;
		failed += st->pts[p].n_failed;
	}
	doc_heading(d, 2, "summary", "Summary");
	doc_p_begin(d);
	snprintf(buf, sizeof buf, "%zu configuration%s, up to %zu replication%s each, %zu run%s in all. ",
		 st->n_pts, st->n_pts == 1 ? "" : "s", reps, reps == 1 ? "" : "s", st->n_runs,
		 st->n_runs == 1 ? "" : "s");
	doc_text(d, buf);
	if (st->n_pts > 1) {
		doc_text(d, "Every configuration is compared with the baseline ");
		doc_strong(d, st->pts[b].label);
		snprintf(buf, sizeof buf, ", replication by replication (each replication uses the same "
					  "random numbers in every configuration); intervals are %d%% "
					  "Student-t confidence intervals.",
			 (int)lround(level * 100));
		doc_text(d, buf);
	}
	doc_p_end(d);
	if (st->n_pts > 2)
		summary_best(d, st, level);
	if (st->n_pts > 1) {
		for (size_t p = 0; p < st->n_pts; p++)
			if (p != b)
				summary_point(d, st, p, b, level);
		doc_list_end(d);
	} else {
		doc_li_begin(d);
		doc_strong(d, st->pts[0].label);
		doc_text(d, ":");
		int first = 1;
		for (const char *const *c = contract_order; *c; c++) {
			long m = study_metric_index(st, *c);
			int head = 0;
			for (const char *const *h = primary_metrics; *h; h++)
				head |= !strcmp(*h, *c);
			for (const char *const *h = secondary_metrics; *h; h++)
				head |= !strcmp(*h, *c);
			if (m < 0 || !head)
				continue;
			struct repstats_summary s = summarize(st, 0, (size_t)m, level);
			fmt_ci(buf, sizeof buf, &s);
			struct sbuf t;
			sbuf_init(&t);
			sbuf_addf(&t, "%s %s %s %s", first ? "" : ",", study_metric_phrase(*c), buf,
				  st->mets[m].unit);
			doc_text(d, t.s);
			sbuf_fini(&t);
			first = 0;
		}
		doc_text(d, st->pts[0].n < 2
				    ? " (a single replication: no confidence intervals)."
				    : " (mean ± 95% CI half-width).");
		doc_li_end(d);
		doc_list_end(d);
	}
	int spread = 0, multi = 0;
	for (size_t p = 0; p < st->n_pts; p++)
		for (size_t m = 0; m < st->n_mets && st->pts[p].n >= 2; m++) {
			struct repstats_summary s = summarize(st, p, m, level);
			multi = 1;
			spread |= s.n >= 2 && s.half > 1e-12 * fabs(s.mean);
		}
	if (multi && !spread)
		doc_para(d, "Every replication of a configuration gave the same values, so the "
			    "intervals have width 0: nothing random in this scenario varies between "
			    "replications (a replayed trace with fixed sizes does this). The intervals "
			    "then say nothing about uncertainty in the inputs.");
	if (failed) {
		doc_p_begin(d);
		snprintf(buf, sizeof buf, "%zu run%s failed and %s left out of every statistic:",
			 failed, failed == 1 ? "" : "s", failed == 1 ? "is" : "are");
		doc_strong(d, buf);
		doc_text(d, " ");
		int first = 1;
		for (size_t p = 0; p < st->n_pts; p++) {
			if (!st->pts[p].n_failed)
				continue;
			struct sbuf t;
			sbuf_init(&t);
			sbuf_addf(&t, "%s%s: %zu (first: %s)", first ? "" : "; ", st->pts[p].label,
				  st->pts[p].n_failed, st->pts[p].fail_msg ? st->pts[p].fail_msg : "");
			doc_text(d, t.s);
			sbuf_fini(&t);
			first = 0;
		}
		doc_text(d, ".");
		doc_p_end(d);
	}
}

typedef void (*cell_fn)(const struct study *st, size_t p, size_t b, size_t m, double level,
			char *buf, size_t n);

static void cell_value(const struct study *st, size_t p, size_t b, size_t m, double level,
		       char *buf, size_t n)
{
	struct repstats_summary s = summarize(st, p, m, level);
	(void)b;
	fmt_ci(buf, n, &s);
}

static void cell_change(const struct study *st, size_t p, size_t b, size_t m, double level,
			char *buf, size_t n)
{
	struct repstats_paired c = compare(st, p, b, m, level);
	char ch[64];

	if (c.n == 0) {
		snprintf(buf, n, "—");
		return;
	}
	if (c.n >= 2 && c.diff.mean == 0 && c.diff.sd == 0) {
		snprintf(buf, n, "identical in every replication");
		return;
	}
	fmt_change(ch, sizeof ch, &c, st->mets[m].unit, 1);
	if (c.n < 2)
		snprintf(buf, n, "%s (n=1)", ch);
	else if (!c.significant)
		snprintf(buf, n, "%s not significant (p=%.2g)", ch, c.p_value);
	else if (c.p_value < 1e-4)
		snprintf(buf, n, "%s (p<0.0001)", ch);
	else
		snprintf(buf, n, "%s (p=%.2g)", ch, c.p_value);
}

#define WIDE_POINTS 6 /* more configurations than this: one row per configuration */

/* A table of fn(point, metric) for the points pts[0..np) and metrics order[0..nm): metrics as
 * rows and points as columns when the points are few, else points as rows and metrics as
 * columns, WIDE_POINTS metrics per table, so a sweep of many configurations stays readable. */
static void matrix_table(struct doc *d, const struct study *st, size_t b, double level,
			 const size_t *order, size_t nm, const size_t *pts, size_t np, cell_fn fn)
{
	size_t width = (np > nm ? np : nm) + 3;
	const char **cell = xcalloc(width, sizeof *cell);
	char (*buf)[96] = xcalloc(width, sizeof *buf);

	if (np <= WIDE_POINTS) {
		cell[0] = "metric";
		cell[1] = "unit";
		for (size_t j = 0; j < np; j++)
			cell[2 + j] = st->pts[pts[j]].label;
		doc_table_begin(d, cell, 2 + np);
		for (size_t i = 0; i < nm; i++) {
			cell[0] = st->mets[order[i]].name;
			cell[1] = st->mets[order[i]].unit;
			for (size_t j = 0; j < np; j++) {
				fn(st, pts[j], b, order[i], level, buf[j], sizeof buf[j]);
				cell[2 + j] = buf[j];
			}
			doc_table_row(d, cell, 2 + np);
		}
		doc_table_end(d);
	} else {
		for (size_t i0 = 0; i0 < nm; i0 += WIDE_POINTS) {
			size_t k = nm - i0 < WIDE_POINTS ? nm - i0 : WIDE_POINTS;
			cell[0] = "configuration";
			for (size_t i = 0; i < k; i++) {
				snprintf(buf[i], sizeof buf[i], "%s (%s)", st->mets[order[i0 + i]].name,
					 st->mets[order[i0 + i]].unit);
				cell[1 + i] = buf[i];
			}
			doc_table_begin(d, cell, 1 + k);
			for (size_t j = 0; j < np; j++) {
				cell[0] = st->pts[pts[j]].label;
				for (size_t i = 0; i < k; i++) {
					fn(st, pts[j], b, order[i0 + i], level, buf[i], sizeof buf[i]);
					cell[1 + i] = buf[i];
				}
				doc_table_row(d, cell, 1 + k);
			}
			doc_table_end(d);
		}
	}
	free(cell);
	free(buf);
}

static void section_tables(struct doc *d, const struct study *st, size_t b, double level)
{
	size_t *order = xcalloc(st->n_mets + 1, sizeof *order), nm = metric_order(st, order);
	size_t *pts = xcalloc(st->n_pts + 1, sizeof *pts), np = 0;

	doc_heading(d, 2, "metrics", "Every metric");
	doc_para(d, "Mean over replications ± the half-width of its 95% confidence interval "
		    "(Student t); n=1 means a single replication, where no interval exists. All "
		    "values are modelled: outputs of the maasim simulation of the scenario below.");
	for (size_t p = 0; p < st->n_pts; p++)
		pts[np++] = p;
	matrix_table(d, st, b, level, order, nm, pts, np, cell_value);

	if (st->n_pts > 1) {
		struct sbuf t;
		sbuf_init(&t);
		sbuf_addf(&t, "Against %s", st->pts[b].label);
		doc_heading(d, 3, "changes", t.s);
		sbuf_fini(&t);
		doc_para(d, "Relative change of the mean, paired by replication, ± the half-width of "
			    "its 95% confidence interval (delta method); p is the two-sided paired "
			    "t-test. \"not significant\" marks intervals that contain zero. Where the "
			    "baseline mean is 0 the absolute difference is shown.");
		np = 0;
		for (size_t p = 0; p < st->n_pts; p++)
			if (p != b)
				pts[np++] = p;
		matrix_table(d, st, b, level, order, nm, pts, np, cell_change);
	}
	free(order);
	free(pts);
}

static int section_figures(struct doc *d, const struct plot_list *pl, const char *dir,
			   struct err *e)
{
	doc_heading(d, 2, "figures", "Figures");
	if (!pl->n)
		doc_para(d, "No figure could be drawn (see below).");
	for (size_t i = 0; i < pl->n; i++) {
		const struct plot_fig *f = &pl->figs[i];
		struct sbuf path, png;
		sbuf_init(&path);
		sbuf_init(&png);
		sbuf_addf(&path, "%s/%s", dir, f->file);
		if (read_all(path.s, &png)) {
			err_set(e, "%s: cannot read the figure: %s", path.s, strerror(errno));
			sbuf_fini(&path);
			sbuf_fini(&png);
			return -1;
		}
		doc_heading(d, 3, f->file, f->title);
		sbuf_add(&d->html, "<figure><img alt=\"");
		report_html_escape(&d->html, f->title);
		sbuf_add(&d->html, "\" src=\"data:image/png;base64,");
		report_base64(&d->html, (const unsigned char *)png.s, png.len);
		sbuf_add(&d->html, "\"><figcaption>");
		report_html_escape(&d->html, f->caption);
		sbuf_add(&d->html, "</figcaption></figure>\n");
		sbuf_add(&d->md, "![");
		report_md_escape(&d->md, f->title);
		sbuf_addf(&d->md, "](%s)\n\n", f->file);
		report_md_escape(&d->md, f->caption); /* the HTML has it as the figcaption */
		sbuf_add(&d->md, "\n\n");
		sbuf_fini(&path);
		sbuf_fini(&png);
	}
	if (pl->n_skips) {
		doc_heading(d, 3, "skipped", "Figures not drawn");
		doc_para(d, "These figures need data that this database does not hold; nothing is "
			    "drawn in their place.");
		for (size_t i = 0; i < pl->n_skips; i++) {
			doc_li_begin(d);
			doc_strong(d, pl->skips[i].title);
			doc_text(d, ": ");
			doc_text(d, pl->skips[i].reason);
			doc_li_end(d);
		}
		doc_list_end(d);
	}
	return 0;
}

struct table_ctx {
	struct doc *d;
	size_t rows;
};

static int prov_row(void *ctx, int n, const char *const *v, const char *const *names)
{
	struct table_ctx *t = ctx;
	if (t->rows++ == 0)
		doc_table_begin(t->d, names, (size_t)n);
	doc_table_row(t->d, v, (size_t)n);
	return 0;
}

static int count_row(void *ctx, int n, const char *const *v, const char *const *names)
{
	(void)names;
	if (n > 0 && v[0])
		*(long *)ctx = strtol(v[0], NULL, 10);
	return 0;
}

/* Trace files named by "path" keys in the resolved scenario JSON, each once, ", "-joined. */
static void scenario_paths(const char *json, struct sbuf *out)
{
	const char *p = json;

	while ((p = strstr(p, "\"path\""))) {
		p += 6;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p != ':')
			continue;
		p++;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p != '"')
			continue;
		const char *q = ++p;
		while (*q && *q != '"')
			q += q[0] == '\\' && q[1] ? 2 : 1;
		struct sbuf one;
		sbuf_init(&one);
		sbuf_addn(&one, p, (size_t)(q - p));
		/* already listed? (entries are separated by ", ") */
		const char *f = out->s;
		int dup = 0;
		while (!dup && (f = strstr(f, one.s))) {
			dup = (f == out->s || f[-1] == ' ') && (f[one.len] == '\0' || f[one.len] == ',');
			f++;
		}
		if (!dup)
			sbuf_addf(out, "%s%s", out->len ? ", " : "", one.s);
		sbuf_fini(&one);
		p = q;
	}
}

/* JSON indented two spaces a level, for reading: a re-layout of the text, not a parse (strings
 * are copied as they are, whitespace outside them is replaced). */
static void json_pretty(struct sbuf *b, const char *s)
{
	int depth = 0;

	for (; *s; s++) {
		char c = *s;
		if (c == '"') {
			const char *q = s + 1;
			while (*q && *q != '"')
				q += q[0] == '\\' && q[1] ? 2 : 1;
			sbuf_addn(b, s, (size_t)(q - s) + (*q ? 1 : 0));
			s = *q ? q : q - 1;
		} else if (c == '{' || c == '[') {
			const char *n = s + 1;
			while (*n == ' ' || *n == '\n' || *n == '\t' || *n == '\r')
				n++;
			sbuf_addc(b, c);
			if (*n == (c == '{' ? '}' : ']')) { /* empty: {} or [] */
				sbuf_addc(b, *n);
				s = n;
				continue;
			}
			depth++;
			sbuf_addf(b, "\n%*s", 2 * depth, "");
		} else if (c == '}' || c == ']') {
			depth = depth > 0 ? depth - 1 : 0;
			sbuf_addf(b, "\n%*s%c", 2 * depth, "", c);
		} else if (c == ',') {
			sbuf_addf(b, ",\n%*s", 2 * depth, "");
		} else if (c == ':') {
			sbuf_add(b, ": ");
		} else if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
			sbuf_addc(b, c);
		}
	}
}

struct scen_ctx {
	struct doc *d;
	const struct study *st;
	struct sbuf paths;
	size_t n;
};

static int scen_row(void *ctx, int n, const char *const *v, const char *const *names)
{
	struct scen_ctx *c = ctx;
	struct sbuf t, pretty;
	int used = 0;

	(void)names;
	if (n < 3)
		return 0;
	c->n++;
	sbuf_init(&t);
	sbuf_init(&pretty);
	sbuf_addf(&t, "Scenario %s (hash %s), fully resolved", v[1] ? v[1] : "?", v[0] ? v[0] : "?");
	for (size_t p = 0; p < c->st->n_pts; p++)
		if (v[0] && !strcmp(c->st->pts[p].scenario_hash, v[0]))
			sbuf_addf(&t, "%s%s", used++ ? ", " : "; run as: ", c->st->pts[p].label);
	if (!used)
		sbuf_add(&t, "; no run in this database uses it");
	json_pretty(&pretty, v[2] ? v[2] : "");
	doc_pre(c->d, t.s, pretty.s);
	sbuf_fini(&t);
	sbuf_fini(&pretty);
	if (v[2])
		scenario_paths(v[2], &c->paths);
	return 0;
}

static int section_provenance(struct doc *d, struct store *s, const struct study *st,
			      struct err *e)
{
	long has = 0;
	struct table_ctx t = { d, 0 };

	doc_heading(d, 2, "provenance", "Provenance");
	doc_para(d, "Every figure and every metric in this report is modelled: an output of the "
		    "maasim discrete-event simulation of the scenario under Methods, not a "
		    "measurement of a real facility.");
	if (store_query(s, "SELECT count(*) FROM sqlite_master WHERE type IN ('table','view')"
			   " AND name = 'provenance'", NULL, 0, count_row, &has, e))
		return -1;
	if (has) {
		doc_para(d, "Inputs and parameters, as recorded by the simulator (measured, "
			    "calibrated, modelled or assumed, with their sources):");
		if (store_query(s, "SELECT * FROM provenance", NULL, 0, prov_row, &t, e))
			return -1;
		if (t.rows)
			doc_table_end(d);
		else
			doc_para(d, "(The provenance table is empty.)");
	} else {
		doc_para(d, "This database has no provenance table, so the origin of each input "
			    "cannot be listed from it. What the scenario shows: trace files (listed "
			    "under Methods) are measured data, with their sources and licences in "
			    "scenarios/traces/LICENSES.md; every other parameter is as set in the "
			    "scenario file and is assumed unless the scenario documentation cites a "
			    "source for it.");
	}
	(void)st;
	return 0;
}

static int section_methods(struct doc *d, struct store *s, const struct study *st, size_t b,
			   double level, struct err *e)
{
	char buf[256];
	struct scen_ctx sc = { d, st, { 0 }, 0 };
	int crn = 1;

	doc_heading(d, 2, "methods", "Methods");
	doc_li_begin(d);
	snprintf(buf, sizeof buf, "Runs: %zu in %zu configuration%s (same scenario and overrides = "
				  "one configuration); total simulation wall time %.1f s.",
		 st->n_runs, st->n_pts, st->n_pts == 1 ? "" : "s", st->wall_s);
	doc_text(d, buf);
	doc_li_end(d);
	if (*st->common) {
		doc_li_begin(d);
		doc_text(d, "Overrides given to every configuration (left out of the labels): ");
		doc_text(d, st->common);
		doc_text(d, ".");
		doc_li_end(d);
	}
	for (size_t p = 0; p < st->n_pts; p++) {
		const struct study_point *pt = &st->pts[p];
		struct sbuf t;
		sbuf_init(&t);
		sbuf_addf(&t, ": scenario %s, overrides %s, %zu replication%s", pt->scenario,
			  pt->params, pt->n, pt->n == 1 ? "" : "s");
		int one_seed = 1;
		for (size_t k = 1; k < pt->n; k++)
			one_seed &= !strcmp(pt->seeds[k], pt->seeds[0]);
		if (pt->n && one_seed && pt->n > 1) {
			/* the scenario seed; each replication's streams derive from (seed, replication) */
			sbuf_addf(&t, " (seed %s, replications %ld to %ld)", pt->seeds[0], pt->reps[0],
				  pt->reps[pt->n - 1]);
		} else if (pt->n) {
			sbuf_add(&t, " (seeds ");
			for (size_t k = 0; k < pt->n; k++)
				sbuf_addf(&t, "%s%s", k ? ", " : "", pt->seeds[k]);
			sbuf_add(&t, ")");
		}
		sbuf_add(&t, pt->n_failed ? "" : ".");
		if (pt->n_superseded)
			sbuf_addf(&t, " %zu earlier run%s of the same replications %s superseded by "
				      "later ones.", pt->n_superseded, pt->n_superseded == 1 ? "" : "s",
				  pt->n_superseded == 1 ? "is" : "are");
		if (pt->n_failed)
			sbuf_addf(&t, ", %zu failed.", pt->n_failed);
		doc_li_begin(d);
		doc_strong(d, pt->label);
		doc_text(d, t.s);
		doc_li_end(d);
		sbuf_fini(&t);
		/* common random numbers: replication r has one seed in every configuration */
		for (size_t k = 0, j = 0; k < pt->n && p != b; k++) {
			const struct study_point *bp = &st->pts[b];
			while (j < bp->n && bp->reps[j] < pt->reps[k])
				j++;
			if (j < bp->n && bp->reps[j] == pt->reps[k] && strcmp(bp->seeds[j], pt->seeds[k]))
				crn = 0;
		}
	}
	if (st->n_pts > 1) {
		doc_li_begin(d);
		doc_text(d, crn ? "Common random numbers: replication r used the same seed in every "
				  "configuration, so comparisons are paired by replication."
				: "Warning: the same replication used different seeds in different "
				  "configurations; the paired comparisons then carry more noise than "
				  "they would with common random numbers.");
		doc_li_end(d);
	}
	doc_li_begin(d);
	snprintf(buf, sizeof buf, "Statistics: mean over replications; %d%% Student-t confidence "
				  "intervals (t quantiles from GSL); paired differences and the "
				  "delta-method interval of the relative change against the baseline.",
		 (int)lround(level * 100));
	doc_text(d, buf);
	doc_li_end(d);
	doc_li_begin(d);
	snprintf(buf, sizeof buf, "Simulator version: %s; runs started %s to %s (UTC).",
		 *st->versions ? st->versions : "not recorded",
		 st->started_first ? st->started_first : "?", st->started_last ? st->started_last : "?");
	doc_text(d, buf);
	doc_li_end(d);
	doc_list_end(d);

	sbuf_init(&sc.paths);
	if (store_query(s, "SELECT scenario_hash, name, json FROM scenarios ORDER BY rowid", NULL, 0,
			scen_row, &sc, e)) {
		sbuf_fini(&sc.paths);
		return -1;
	}
	if (!sc.n)
		doc_para(d, "The database holds no scenario text (table scenarios is empty).");
	if (sc.paths.len) {
		doc_p_begin(d);
		doc_text(d, "Input trace files named by the scenarios (measured data; sources in "
			    "scenarios/traces/LICENSES.md): ");
		doc_text(d, sc.paths.s);
		doc_text(d, ".");
		doc_p_end(d);
	}
	sbuf_fini(&sc.paths);
	return 0;
}

static const char html_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<meta name=\"generator\" content=\"maasim report\">\n<style>\n"
	"body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1000px;"
	"margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\n"
	"h1{border-bottom:2px solid #2a6;padding-bottom:.2em}h2{margin-top:1.6em;color:#164}\n"
	"table{border-collapse:collapse;margin:1em 0;font-size:.9em}"
	"th,td{border:1px solid #ccc;padding:.3em .6em;vertical-align:top}"
	"th{background:#eef5ef}td.num{text-align:right;white-space:nowrap}\n"
	"figure{margin:1em 0}img{max-width:100%;border:1px solid #ddd}"
	"figcaption{font-size:.9em;color:#444}\n"
	"pre{background:#f6f6f6;padding:.8em;overflow-x:auto;font-size:.85em}"
	"li{margin:.3em 0}.meta{color:#666;font-size:.9em}\n"
	"</style>\n";

int report_write(const struct report_opts *o, int *exit_code, struct err *e)
{
	struct store *s = NULL;
	struct study *st = NULL;
	struct plot_list pl;
	struct doc d = { 0 };
	double level = o->level > 0 ? o->level : 0.95;
	size_t b;
	int rc = -1;

	*exit_code = 2;
	plot_list_init(&pl);
	sbuf_init(&d.html);
	sbuf_init(&d.md);
	if (!(s = store_open(o->db, STORE_READONLY, e)))
		goto out;
	if (!(st = study_load(s, e)))
		goto out;
	if (!st->n_pts) {
		err_set(e, "%s: no runs to report (run a scenario first: maasim run SCENARIO --db %s)",
			o->db, o->db);
		goto out;
	}
	b = study_baseline(st);
	if (o->baseline) {
		long p = study_point_index(st, o->baseline);
		if (p < 0) {
			struct sbuf t;
			sbuf_init(&t);
			for (size_t i = 0; i < st->n_pts; i++)
				sbuf_addf(&t, "%s'%s'", i ? ", " : "", st->pts[i].label);
			err_set(e, "%s: no configuration '%s'; configurations are: %s", o->db,
				o->baseline, t.s);
			sbuf_fini(&t);
			goto out;
		}
		b = (size_t)p;
	}
	*exit_code = 1;
	if (mkdir_p(o->out_dir, e))
		goto out;
	if (o->gnuplot && !*o->gnuplot) {
		/* figures disabled by the caller: say so rather than pretend there is no data */
	} else if (plot_all(s, st, b, level, o->out_dir, o->gnuplot, &pl, e)) {
		goto out;
	}

	sbuf_add(&d.html, html_head);
	sbuf_add(&d.html, "<title>maasim report: ");
	for (size_t p = 0; p < st->n_pts; p++) /* the scenario names, each once */
		if (p == 0 || strcmp(st->pts[p].scenario, st->pts[p - 1].scenario)) {
			if (p)
				sbuf_add(&d.html, ", ");
			report_html_escape(&d.html, st->pts[p].scenario);
		}
	sbuf_add(&d.html, "</title>\n</head>\n<body>\n");
	sbuf_add(&d.html, "<h1>maasim report</h1>\n<p class=\"meta\">");
	sbuf_add(&d.md, "# maasim report\n\n");
	{
		struct sbuf t;
		sbuf_init(&t);
		sbuf_addf(&t, "Results database: %s. Simulator version: %s.", o->db,
			  *st->versions ? st->versions : "not recorded");
		report_html_escape(&d.html, t.s);
		sbuf_add(&d.html, "</p>\n");
		report_md_escape(&d.md, t.s);
		sbuf_add(&d.md, "\n\n");
		sbuf_fini(&t);
	}
	sbuf_add(&d.html, "<nav class=\"meta\">Contents: <a href=\"#summary\">Summary</a> · "
			  "<a href=\"#figures\">Figures</a> · <a href=\"#metrics\">Every metric</a> · "
			  "<a href=\"#provenance\">Provenance</a> · <a href=\"#methods\">Methods</a>"
			  "</nav>\n");
	sbuf_add(&d.md, "Contents: [Summary](#summary) · [Figures](#figures) · "
			"[Every metric](#every-metric) · [Provenance](#provenance) · "
			"[Methods](#methods)\n\n");
	section_summary(&d, st, b, level);
	if (o->gnuplot && !*o->gnuplot) {
		doc_heading(&d, 2, "figures", "Figures");
		doc_para(&d, "Figures were not drawn (disabled for this report).");
	} else if (section_figures(&d, &pl, o->out_dir, e)) {
		goto out;
	}
	section_tables(&d, st, b, level);
	if (section_provenance(&d, s, st, e) || section_methods(&d, s, st, b, level, e))
		goto out;
	sbuf_add(&d.html, "</body>\n</html>\n");
	if (write_atomic(o->out_dir, "report.md", d.md.s, e) ||
	    write_atomic(o->out_dir, "report.html", d.html.s, e))
		goto out;
	*exit_code = 0;
	rc = 0;
out:
	sbuf_fini(&d.html);
	sbuf_fini(&d.md);
	plot_list_fini(&pl);
	study_free(st);
	store_close(s);
	return rc;
}

static const char report_usage[] =
	"usage: maasim report DB [-o DIR] [--baseline LABEL] [--no-plots]\n"
	"  Writes DIR/report.html (self-contained) and DIR/report.md with its figures (PNG) from the\n"
	"  results database DB. DIR defaults to results/report.\n"
	"  --baseline LABEL  the configuration others are compared with (its label as printed in\n"
	"                    the report, e.g. 'policies.dispatch=fifo', or its params JSON);\n"
	"                    default: the scenario as written (no overrides), else the first one\n"
	"  --no-plots        skip the figures (no gnuplot needed)\n";

int report_main(int argc, char **argv)
{
	struct report_opts o = { .out_dir = "results/report" };
	struct err e = { 0 };
	int code;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(report_usage, stdout);
			return 0;
		} else if ((!strcmp(a, "-o") || !strcmp(a, "--out")) && i + 1 < argc) {
			o.out_dir = argv[++i];
		} else if (!strcmp(a, "--baseline") && i + 1 < argc) {
			o.baseline = argv[++i];
		} else if (!strcmp(a, "--no-plots")) {
			o.gnuplot = "";
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "maasim report: unknown or incomplete option '%s'\n%s", a,
				report_usage);
			return 2;
		} else if (!o.db) {
			o.db = a;
		} else {
			fprintf(stderr, "maasim report: one database only, got '%s' too\n%s", a,
				report_usage);
			return 2;
		}
	}
	if (!o.db) {
		fprintf(stderr, "maasim report: which database?\n%s", report_usage);
		return 2;
	}
	if (report_write(&o, &code, &e)) {
		fprintf(stderr, "maasim report: %s\n", e.msg);
		return code;
	}
	printf("report: %s/report.html (and report.md)\n", o.out_dir);
	return 0;
}
