/* plot.c — the report's gnuplot figures (plot.h).
 *
 * Each figure writes plot-data/<id>.dat (tab-separated, blocks separated by two blank lines for
 * gnuplot's `index`) and plot-data/<id>.gp, then runs gnuplot in DIR; the data and scripts stay
 * there so a reader can redraw or restyle any figure. Time series come from the first ok
 * replication of a point (replications differ only in random numbers; the summary statistics,
 * not the pictures, carry the intervals). Series are found by name from short candidate lists
 * (README.md, "Reports", lists them), so a model that samples one of those names gets its plot.
 */
#include "analysis/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/repstats.h"
#include "engine/xalloc.h"

#define MAX_LINES 6 /* points drawn as separate lines in one time-series figure */

void plot_list_init(struct plot_list *l)
{
	memset(l, 0, sizeof *l);
}

void plot_list_fini(struct plot_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->figs[i].file);
		free(l->figs[i].title);
		free(l->figs[i].caption);
	}
	for (size_t i = 0; i < l->n_skips; i++) {
		free(l->skips[i].title);
		free(l->skips[i].reason);
	}
	free(l->figs);
	free(l->skips);
	memset(l, 0, sizeof *l);
}

static void skip(struct plot_list *l, const char *title, const char *reason)
{
	xgrow((void **)&l->skips, &l->cap_skips, l->n_skips + 1, sizeof *l->skips);
	l->skips[l->n_skips].title = xstrdup(title);
	l->skips[l->n_skips].reason = xstrdup(reason);
	l->n_skips++;
}

void plot_gp_quote(struct sbuf *b, const char *s)
{
	sbuf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sbuf_add(b, "''");
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			sbuf_addc(b, ' ');
		else
			sbuf_addc(b, *s);
	}
	sbuf_addc(b, '\'');
}

/* A label for a data file: no tabs, newlines or double quotes (gnuplot's data reader treats
 * double quotes as string delimiters). */
static void data_label(struct sbuf *b, const char *s)
{
	if (!*s)
		sbuf_add(b, "-");
	for (; *s; s++)
		sbuf_addc(b, *s == '"' ? '\'' : (unsigned char)*s < 0x20 ? ' ' : *s);
}

int plot_run(const char *gnuplot, const char *dir, const char *script, const char *log,
	     struct err *e)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return err_set(e, "cannot start gnuplot: %s", strerror(errno));
	if (pid == 0) {
		/* child: only async-signal-safe calls until exec */
		if (chdir(dir) == 0) {
			int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd >= 0) {
				dup2(fd, 1);
				dup2(fd, 2);
				close(fd);
			}
			int nul = open("/dev/null", O_RDONLY);
			if (nul >= 0) {
				dup2(nul, 0);
				close(nul);
			}
			char *const argv[] = { (char *)gnuplot, (char *)script, NULL };
			execvp(gnuplot, argv);
		}
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set(e, "gnuplot: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return err_set(e, "%s not found (install gnuplot-nox: make deps)", gnuplot);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_set(e, "gnuplot failed on %s/%s (see %s/%s)", dir, script, dir, log);
	return 0;
}

/* --- context shared by the figure builders --- */

struct ctx {
	struct store *s;
	const struct study *st;
	size_t base;
	double level;
	const char *dir;
	const char *gnuplot;
	struct plot_list *out;
	struct store_strings series; /* distinct series names in the database */
	int gnuplot_missing;
	int truncated; /* the figure being built shows only the first MAX_LINES points */
	struct err *e;
};

static int has_series(const struct ctx *c, const char *name)
{
	for (size_t i = 0; i < c->series.n; i++)
		if (!strcmp(c->series.v[i], name))
			return 1;
	return 0;
}

/* The first candidate present, or NULL. */
static const char *pick_series(const struct ctx *c, const char *const *cand)
{
	for (; *cand; cand++)
		if (has_series(c, *cand))
			return *cand;
	return NULL;
}

static int write_file(const char *dir, const char *rel, const char *text, struct err *e)
{
	struct sbuf path;
	FILE *f;
	int rc = 0;

	sbuf_init(&path);
	sbuf_addf(&path, "%s/%s", dir, rel);
	f = fopen(path.s, "w");
	if (!f || fputs(text, f) == EOF)
		rc = err_set(e, "%s: cannot write: %s", path.s, strerror(errno));
	if (f && fclose(f) && !rc)
		rc = err_set(e, "%s: cannot write: %s", path.s, strerror(errno));
	sbuf_fini(&path);
	return rc;
}

/* Writes plot-data/<id>.dat and .gp and runs gnuplot; on success records the figure, on a
 * gnuplot failure records a skip. Returns -1 only on a write error. The script gets the
 * terminal and output lines prepended. */
static int draw(struct ctx *c, const char *id, const char *title, const char *caption,
		const char *data, const char *script, int tall)
{
	struct sbuf rel, gp, full;
	struct err ge = { 0 };
	int rc = 0;

	sbuf_init(&rel);
	sbuf_init(&gp);
	sbuf_init(&full);
	sbuf_addf(&rel, "plot-data/%s.dat", id);
	if (write_file(c->dir, rel.s, data, c->e)) {
		rc = -1;
		goto out;
	}
	sbuf_addf(&full, "# %s — drawn by maasim report; data in plot-data/%s.dat\n"
			 "set terminal pngcairo size 900,%d noenhanced font 'sans,10'\n"
			 "set output '%s.png'\n"
			 "set datafile separator '\\t'\n"
			 "set datafile missing 'NaN'\n"
			 "set grid\nset key below\n"
			 /* Okabe-Ito colours: distinct for colour-blind readers, dark enough on white */
			 "set linetype 1 lc rgb '#0072B2'\nset linetype 2 lc rgb '#D55E00'\n"
			 "set linetype 3 lc rgb '#009E73'\nset linetype 4 lc rgb '#CC79A7'\n"
			 "set linetype 5 lc rgb '#E69F00'\nset linetype 6 lc rgb '#56B4E9'\n"
			 "set linetype 7 lc rgb '#000000'\nset linetype 8 lc rgb '#999999'\n"
			 "set linetype cycle 8\n",
		  id, id, tall ? 760 : 460, id);
	sbuf_add(&full, "set title ");
	plot_gp_quote(&full, title);
	sbuf_addf(&full, "\n%s\nunset output\n", script);
	sbuf_addf(&gp, "plot-data/%s.gp", id);
	if (write_file(c->dir, gp.s, full.s, c->e)) {
		rc = -1;
		goto out;
	}
	if (c->gnuplot_missing) {
		skip(c->out, title, "gnuplot is not installed (make deps installs gnuplot-nox)");
		goto out;
	}
	sbuf_fini(&rel);
	sbuf_init(&rel);
	sbuf_addf(&rel, "plot-data/%s.log", id);
	if (plot_run(c->gnuplot, c->dir, gp.s, rel.s, &ge)) {
		if (strstr(ge.msg, "not found"))
			c->gnuplot_missing = 1;
		skip(c->out, title, ge.msg);
		goto out;
	}
	xgrow((void **)&c->out->figs, &c->out->cap, c->out->n + 1, sizeof *c->out->figs);
	struct plot_fig *f = &c->out->figs[c->out->n++];
	sbuf_fini(&rel);
	sbuf_init(&rel);
	sbuf_addf(&rel, "%s.png", id);
	f->file = rel.s;
	rel.s = NULL;
	f->title = xstrdup(title);
	sbuf_fini(&gp);
	sbuf_init(&gp);
	sbuf_add(&gp, caption);
	if (c->truncated)
		sbuf_addf(&gp, " Only the first %d configurations are drawn; the tables list them "
			       "all.", MAX_LINES);
	f->caption = gp.s;
	gp.s = NULL;
out:
	c->truncated = 0;
	sbuf_fini(&rel);
	sbuf_fini(&gp);
	sbuf_fini(&full);
	return rc;
}

/* --- reading series --- */

struct rows {
	struct sbuf *b;
	size_t n;
	double scale0; /* first column is multiplied by this (seconds -> hours) */
};

static int row_to_data(void *ctx, int n, const char *const *v, const char *const *names)
{
	struct rows *r = ctx;
	(void)names;
	for (int i = 0; i < n; i++) {
		if (!v[i])
			return 0;
	}
	for (int i = 0; i < n; i++) {
		if (i == 0 && r->scale0 != 1)
			sbuf_addf(r->b, "%.9g", strtod(v[0], NULL) * r->scale0);
		else
			sbuf_add(r->b, v[i]);
		sbuf_addc(r->b, i + 1 < n ? '\t' : '\n');
	}
	r->n++;
	return 0;
}

/* Appends one block "t_h<TAB>value" of series name in run run_id, followed by two blank lines
 * (nothing when the series has no sample there). Returns the number of rows, or -1 on a query
 * error. */
static long add_series_block(struct ctx *c, struct sbuf *data, long long run_id, const char *name)
{
	char id[32];
	const char *p[2] = { id, name };
	struct rows r = { data, 0, 1 / 3600.0 };

	snprintf(id, sizeof id, "%lld", run_id);
	if (store_query(c->s, "SELECT t_s, value FROM timeseries WHERE run_id = ? AND name = ?"
			      " ORDER BY t_s", p, 2, row_to_data, &r, c->e))
		return -1;
	if (r.n) /* an empty block would not count as one: gnuplot merges runs of blank lines */
		sbuf_add(data, "\n\n");
	return (long)r.n;
}

/* Points to draw as lines: the baseline first, then the others, at most MAX_LINES, each with
 * at least one ok run. */
static size_t line_points(struct ctx *c, size_t *pts)
{
	size_t n = 0, all = 0;

	if (c->st->pts[c->base].n)
		pts[n++] = c->base;
	for (size_t p = 0; p < c->st->n_pts; p++)
		if (p != c->base && c->st->pts[p].n && all++ < MAX_LINES - 1 && n < MAX_LINES)
			pts[n++] = p;
	c->truncated = all > MAX_LINES - 1;
	return n;
}

static void plot_cmd_block(struct sbuf *sc, int first, int index, const char *using,
			   const char *style, const char *title)
{
	sbuf_addf(sc, "%s'plot-data/%s' index %d using %s %s title ", first ? "plot " : ", \\\n     ",
		  "", index, using, style);
	plot_gp_quote(sc, title);
}

/* A line style of point ordinal i, so a configuration keeps its colour across panels. */
static const char *point_style(char *buf, size_t n, const char *base, size_t i)
{
	snprintf(buf, n, "%s lc %zu", base, i + 1);
	return buf;
}

/* The plot command refers to the .dat by name: fix the placeholder written above. */
static void set_data_name(struct sbuf *sc, const char *id)
{
	struct sbuf o;
	const char *p = sc->s, *q;

	sbuf_init(&o);
	while ((q = strstr(p, "'plot-data/'"))) {
		sbuf_addn(&o, p, (size_t)(q - p));
		sbuf_addf(&o, "'plot-data/%s.dat'", id);
		p = q + strlen("'plot-data/'");
	}
	sbuf_add(&o, p);
	sbuf_fini(sc);
	*sc = o;
}

/* One figure of lines: series name of each line point, over time. */
static int fig_series_by_point(struct ctx *c, const char *id, const char *title,
			       const char *const *cand, const char *ylabel, const char *what)
{
	const char *name = pick_series(c, cand);
	size_t pts[MAX_LINES], np;
	struct sbuf data, sc, cap;
	int idx = 0, rc = 0;

	if (!name) {
		struct sbuf r;
		sbuf_init(&r);
		sbuf_add(&r, "no time series named");
		for (; *cand; cand++)
			sbuf_addf(&r, " %s%s", *cand, cand[1] ? " or" : "");
		sbuf_add(&r, " in the database");
		skip(c->out, title, r.s);
		sbuf_fini(&r);
		return 0;
	}
	np = line_points(c, pts);
	sbuf_init(&data);
	sbuf_init(&sc);
	sbuf_init(&cap);
	sbuf_add(&sc, "set xlabel 'time (h)'\nset ylabel ");
	plot_gp_quote(&sc, ylabel);
	sbuf_addc(&sc, '\n');
	for (size_t i = 0; i < np; i++) {
		long n = add_series_block(c, &data, c->st->pts[pts[i]].run_ids[0], name);
		if (n < 0) {
			rc = -1;
			goto out;
		}
		if (n == 0)
			continue;
		char st[64];
		plot_cmd_block(&sc, idx == 0, idx, "1:2", point_style(st, sizeof st, "with lines lw 2", i),
			       c->st->pts[pts[i]].label);
		idx++;
	}
	if (!idx) {
		skip(c->out, title, "the series exists but has no samples in the runs shown");
		goto out;
	}
	sbuf_addc(&sc, '\n');
	set_data_name(&sc, id);
	sbuf_addf(&cap, "%s: time series '%s' sampled during the first replication of each "
			"configuration. Modelled (maasim simulation output).", what, name);
	rc = draw(c, id, title, cap.s, data.s, sc.s, 0);
out:
	sbuf_fini(&data);
	sbuf_fini(&sc);
	sbuf_fini(&cap);
	return rc;
}

/* Power by component: every series power_*_w of the baseline's first run. */
/* A power series: power_<component>_w or power_<component>_kw. Sets the component name and the
 * factor to kW; 0 when name is not one. */
static int power_series(const char *name, struct sbuf *comp, double *to_kw)
{
	size_t len = strlen(name);

	if (strncmp(name, "power_", 6))
		return 0;
	if (len > 9 && !strcmp(name + len - 3, "_kw")) {
		sbuf_addn(comp, name + 6, len - 9);
		*to_kw = 1;
		return 1;
	}
	if (len > 8 && !strcmp(name + len - 2, "_w")) {
		sbuf_addn(comp, name + 6, len - 8);
		*to_kw = 1e-3;
		return 1;
	}
	return 0;
}

static int is_supply(const char *comp)
{
	static const char *const supply[] = { "grid", "solar", "wind", "battery", "curtailed", NULL };
	for (const char *const *p = supply; *p; p++)
		if (!strcmp(*p, comp))
			return 1;
	return 0;
}

/* Power by component, the baseline's first run: what the facility draws (IT, cooling, other...)
 * on top, where it comes from (grid, solar, wind, battery, curtailed) below when sampled. A
 * component sampled both in W and in kW is drawn once, from the kW series. */
static int fig_power(struct ctx *c)
{
	const char *title = "Power by component over time";
	struct sbuf data, sc, cap;
	int idx = 0, rc = 0, panel_n[2] = { 0, 0 };
	const struct study_point *bp = &c->st->pts[c->base];
	struct sbuf panel[2];

	c->truncated = 0;
	if (!bp->n) {
		skip(c->out, title, "the baseline configuration has no successful run");
		return 0;
	}
	sbuf_init(&data);
	sbuf_init(&sc);
	sbuf_init(&cap);
	sbuf_init(&panel[0]);
	sbuf_init(&panel[1]);
	sbuf_add(&cap, "Power by component (series");
	for (size_t i = 0; i < c->series.n; i++) {
		const char *nm = c->series.v[i];
		struct sbuf comp;
		double to_kw;
		sbuf_init(&comp);
		if (!power_series(nm, &comp, &to_kw)) {
			sbuf_fini(&comp);
			continue;
		}
		if (to_kw != 1) { /* a W series: skip when the same component exists in kW */
			struct sbuf kw;
			sbuf_init(&kw);
			sbuf_addf(&kw, "power_%s_kw", comp.s);
			int dup = has_series(c, kw.s);
			sbuf_fini(&kw);
			if (dup) {
				sbuf_fini(&comp);
				continue;
			}
		}
		long n = add_series_block(c, &data, bp->run_ids[0], nm);
		if (n < 0) {
			sbuf_fini(&comp);
			rc = -1;
			goto out;
		}
		if (n > 0) {
			int k = is_supply(comp.s);
			char using[48];
			snprintf(using, sizeof using, "1:($2*%g)", to_kw);
			char style[48];
			snprintf(style, sizeof style, "with lines lw 2 lc %d", idx + 1);
			plot_cmd_block(&panel[k], panel_n[k] == 0, idx, using, style, comp.s);
			panel_n[k]++;
			sbuf_addf(&cap, "%s %s", idx ? "," : "", nm);
			idx++;
		}
		sbuf_fini(&comp);
	}
	if (!idx) {
		skip(c->out, title, "no time series named power_<component>_w or power_<component>_kw "
				    "in the database");
		goto out;
	}
	int two = panel_n[0] && panel_n[1];
	if (two)
		sbuf_add(&sc, "set multiplot layout 2,1\n");
	sbuf_add(&sc, "set xlabel 'time (h)'\nset ylabel 'power (kW)'\n");
	for (int k = 0; k < 2; k++) {
		if (!panel_n[k])
			continue;
		if (two)
			sbuf_addf(&sc, "set title '%s'\n", k ? "Supply: where the power comes from"
							 : "Demand: what the facility draws");
		sbuf_add(&sc, panel[k].s);
		sbuf_addc(&sc, '\n');
	}
	if (two)
		sbuf_add(&sc, "unset multiplot\n");
	set_data_name(&sc, "fig_power");
	sbuf_addf(&cap, ") in the first replication of %s. Modelled (maasim simulation output).",
		  bp->label);
	rc = draw(c, "fig_power", title, cap.s, data.s, sc.s, two);
out:
	sbuf_fini(&data);
	sbuf_fini(&sc);
	sbuf_fini(&cap);
	sbuf_fini(&panel[0]);
	sbuf_fini(&panel[1]);
	return rc;
}

static const char *const cand_pue[] = { "pue", NULL };
static const char *const cand_temp[] = { "temp_out_c", "outdoor_temp_c", "temp_outdoor_c",
					 "weather_temp_c", "temp_c", NULL };
static const char *const cand_ci[] = { "carbon_intensity_g_per_kwh", "grid_carbon_g_per_kwh",
				       "carbon_intensity", NULL };
static const char *const cand_load[] = { "utilization", "load", "it_load", "busy_slots", NULL };
static const char *const cand_defer[] = { "deferred_jobs", "deferred_requests", "deferred",
					  "queue_deferred", NULL };
static const char *const cand_soc[] = { "battery_soc", "soc", NULL };
static const char *const cand_ren[] = { "renewable_fraction", "renewable_share", NULL };

/* PUE against outdoor temperature: sample pairs at equal times, per point. */
static int fig_pue_temp(struct ctx *c)
{
	const char *title = "PUE against outdoor temperature";
	const char *pue = pick_series(c, cand_pue), *temp = pick_series(c, cand_temp);
	size_t pts[MAX_LINES], np;
	struct sbuf data, sc, cap;
	int idx = 0, rc = 0;

	if (!pue || !temp) {
		skip(c->out, title, !pue ? "no time series named pue in the database"
					 : "no outdoor temperature series (outdoor_temp_c) in the database");
		return 0;
	}
	np = line_points(c, pts);
	sbuf_init(&data);
	sbuf_init(&sc);
	sbuf_init(&cap);
	sbuf_add(&sc, "set xlabel 'outdoor temperature (°C)'\nset ylabel 'PUE'\n");
	for (size_t i = 0; i < np; i++) {
		char id[32];
		const char *p[3] = { id, temp, pue };
		struct rows r = { &data, 0, 1 };
		snprintf(id, sizeof id, "%lld", c->st->pts[pts[i]].run_ids[0]);
		if (store_query(c->s, "SELECT a.value, b.value FROM timeseries a JOIN timeseries b"
				      " ON a.run_id = b.run_id AND a.t_s = b.t_s WHERE a.run_id = ?"
				      " AND a.name = ? AND b.name = ? ORDER BY a.t_s", p, 3,
				row_to_data, &r, c->e)) {
			rc = -1;
			goto out;
		}
		if (!r.n)
			continue;
		sbuf_add(&data, "\n\n");
		char st[64];
		plot_cmd_block(&sc, idx == 0, idx, "1:2",
			       point_style(st, sizeof st, "with points pt 7 ps 0.6", i),
			       c->st->pts[pts[i]].label);
		idx++;
	}
	if (!idx) {
		skip(c->out, title, "pue and temperature are never sampled at the same times");
		goto out;
	}
	sbuf_addc(&sc, '\n');
	set_data_name(&sc, "fig_pue_temp");
	sbuf_addf(&cap, "Each dot is one sample time: series '%s' against '%s', first replication "
			"of each configuration. PUE is modelled (maasim cooling model); the "
			"temperature is the scenario's weather input.", pue, temp);
	rc = draw(c, "fig_pue_temp", title, cap.s, data.s, sc.s, 0);
out:
	sbuf_fini(&data);
	sbuf_fini(&sc);
	sbuf_fini(&cap);
	return rc;
}

/* Carbon intensity with load (top) and deferred work (bottom). */
static int fig_carbon_load(struct ctx *c)
{
	const char *title = "Grid carbon intensity, load and deferred work";
	const char *ci = pick_series(c, cand_ci), *load = pick_series(c, cand_load);
	const char *defer = pick_series(c, cand_defer);
	size_t pts[MAX_LINES], np = line_points(c, pts);
	struct sbuf data, sc, cap;
	int idx = 0, rc = 0, nload = 0, ndefer = 0;
	long n;

	if (!ci || (!load && !defer) || !np) {
		skip(c->out, title, !ci ? "no carbon intensity series (carbon_intensity_g_per_kwh) "
					  "in the database"
					: "no load (utilization) or deferred work (deferred_jobs) "
					  "series in the database");
		return 0;
	}
	sbuf_init(&data);
	sbuf_init(&sc);
	sbuf_init(&cap);
	if ((n = add_series_block(c, &data, c->st->pts[pts[0]].run_ids[0], ci)) < 0) {
		rc = -1;
		goto out;
	}
	if (n == 0) {
		skip(c->out, title, "the carbon intensity series has no samples");
		goto out;
	}
	struct sbuf bot;
	sbuf_init(&bot);
	sbuf_add(&sc, "set xlabel 'time (h)'\nset ylabel 'carbon intensity (gCO2/kWh)'\n");
	if (load) {
		sbuf_add(&sc, "set ytics nomirror\nset y2tics\nset y2label ");
		plot_gp_quote(&sc, load);
		sbuf_addc(&sc, '\n');
	}
	plot_cmd_block(&sc, 1, idx++, "1:2", "with lines lw 3 lc rgb '#555555'",
		       "grid carbon intensity");
	for (size_t i = 0; load && i < np; i++) {
		if ((n = add_series_block(c, &data, c->st->pts[pts[i]].run_ids[0], load)) < 0) {
			sbuf_fini(&bot);
			rc = -1;
			goto out;
		}
		if (!n)
			continue;
		struct sbuf t;
		sbuf_init(&t);
		sbuf_addf(&t, "load: %s", c->st->pts[pts[i]].label);
		char st[64];
		plot_cmd_block(&sc, 0, idx++, "1:2",
			       point_style(st, sizeof st, "axes x1y2 with lines lw 1.5", i), t.s);
		sbuf_fini(&t);
		nload++;
	}
	sbuf_add(&sc, "\n");
	/* the bottom panel only when some configuration deferred work was sampled */
	sbuf_add(&bot, "unset title\nunset y2label\nunset y2tics\nset ytics mirror\n"
		       "set ylabel 'deferred work (jobs)'\nset yrange [0:*]\n");
	for (size_t i = 0; defer && i < np; i++) {
		if ((n = add_series_block(c, &data, c->st->pts[pts[i]].run_ids[0], defer)) < 0) {
			sbuf_fini(&bot);
			rc = -1;
			goto out;
		}
		if (!n)
			continue;
		char st[64];
		plot_cmd_block(&bot, ndefer == 0, idx++, "1:2",
			       point_style(st, sizeof st, "with steps lw 1.5", i),
			       c->st->pts[pts[i]].label);
		ndefer++;
	}
	if (ndefer) {
		struct sbuf all;
		sbuf_init(&all);
		sbuf_add(&all, "set multiplot layout 2,1\n");
		sbuf_add(&all, sc.s);
		sbuf_add(&all, bot.s);
		sbuf_add(&all, "\nunset multiplot\n");
		sbuf_fini(&sc);
		sc = all;
	}
	sbuf_fini(&bot);
	set_data_name(&sc, "fig_carbon_load");
	if (ndefer)
		sbuf_addf(&cap, "Top: the grid's carbon intensity ('%s', an input trace) with the load "
				"('%s') of each configuration; bottom: work held back by the policy "
				"('%s'). First replication of each configuration; load and deferred work "
				"are modelled (maasim simulation output).",
			  ci, nload ? load : "none", defer);
	else
		sbuf_addf(&cap, "The grid's carbon intensity ('%s', an input trace) with the load "
				"('%s') of each configuration, first replication. No deferred-work series "
				"(deferred_jobs) is in the database, so no policy held work back here. "
				"Load is modelled (maasim simulation output).",
			  ci, nload ? load : "none");
	rc = draw(c, "fig_carbon_load", title, cap.s, data.s, sc.s, ndefer > 0);
out:
	sbuf_fini(&data);
	sbuf_fini(&sc);
	sbuf_fini(&cap);
	return rc;
}

/* --- bar charts from the metrics --- */

struct bar_col {
	const char *title;
	double *val, *err; /* [rows] */
};

/* Clustered bars: rows are categories (x labels), columns are series with error bars. */
static int fig_bars(struct ctx *c, const char *id, const char *title, const char *ylabel,
		    const char *caption, const char *const *rows, size_t nrows,
		    const struct bar_col *cols, size_t ncols)
{
	struct sbuf data, sc;
	int rc;

	double lo = 0, hi = 0; /* the bars start at zero, so the range must include it */

	sbuf_init(&data);
	sbuf_init(&sc);
	for (size_t r = 0; r < nrows; r++) {
		data_label(&data, rows[r]);
		for (size_t k = 0; k < ncols; k++) {
			double v = cols[k].val[r], er = isnan(cols[k].err[r]) ? 0.0 : cols[k].err[r];
			sbuf_addf(&data, "\t%.9g\t%.9g", v, er);
			if (isfinite(v)) {
				lo = v - er < lo ? v - er : lo;
				hi = v + er > hi ? v + er : hi;
			}
		}
		sbuf_addc(&data, '\n');
	}
	if (hi - lo <= 0) {
		lo = -1;
		hi = 1;
	}
	sbuf_addf(&sc, "set yrange [%.9g:%.9g]\n", lo < 0 ? lo - 0.08 * (hi - lo) : 0,
		  hi > 0 ? hi + 0.08 * (hi - lo) : 0);
	sbuf_add(&sc, "set style data histograms\nset style histogram errorbars gap 1 lw 1\n"
		      "set style fill solid 0.7 border -1\nset boxwidth 0.9\nset xtics rotate by -20\n"
		      "set xzeroaxis lt -1\nset ylabel ");
	plot_gp_quote(&sc, ylabel);
	sbuf_addc(&sc, '\n');
	for (size_t k = 0; k < ncols; k++) {
		sbuf_addf(&sc, "%s'plot-data/%s.dat' using %zu:%zu%s title ", k ? ", \\\n     " : "plot ",
			  id, 2 + 2 * k, 3 + 2 * k, k ? "" : ":xtic(1)");
		plot_gp_quote(&sc, cols[k].title);
	}
	sbuf_addc(&sc, '\n');
	rc = draw(c, id, title, caption, data.s, sc.s, 0);
	sbuf_fini(&data);
	sbuf_fini(&sc);
	return rc;
}

static const char *const quantile_metrics[] = { "latency_p50_s", "latency_p95_s", "latency_p99_s",
						"ttft_p50_s", "ttft_p99_s", "tpot_p50_s", NULL };

static int fig_latency(struct ctx *c)
{
	const char *title = "Latency and time-to-first-token distributions (quantiles)";
	const char *rows[8];
	long mi[8];
	size_t nrows = 0, ncols = 0;
	struct bar_col cols[MAX_LINES];
	size_t pts[MAX_LINES], np = line_points(c, pts);
	int rc;

	for (const char *const *q = quantile_metrics; *q; q++) {
		long m = study_metric_index(c->st, *q);
		if (m >= 0) {
			mi[nrows] = m;
			rows[nrows++] = study_metric_phrase(*q);
		}
	}
	if (!nrows || !np) {
		skip(c->out, title, "no latency or TTFT quantile metrics (latency_p50_s ...) in the database");
		return 0;
	}
	for (size_t i = 0; i < np; i++) {
		const struct study_point *pt = &c->st->pts[pts[i]];
		double *buf = xmalloc((pt->n + 1) * sizeof *buf);
		cols[ncols].title = pt->label;
		cols[ncols].val = xmalloc(nrows * sizeof(double));
		cols[ncols].err = xmalloc(nrows * sizeof(double));
		for (size_t r = 0; r < nrows; r++) {
			size_t n = study_values(c->st, pts[i], (size_t)mi[r], buf);
			struct repstats_summary s = repstats_summarize(buf, n, c->level);
			cols[ncols].val[r] = s.mean;
			cols[ncols].err[r] = s.half;
		}
		free(buf);
		ncols++;
	}
	rc = fig_bars(c, "fig_latency", title, "seconds",
		      "Quantiles of the latency and time-to-first-token distributions, mean over "
		      "replications with 95% confidence intervals (error bars; none with one "
		      "replication). The simulator stores quantiles, not every request, so the "
		      "distribution is shown through them. Modelled (maasim simulation output).",
		      rows, nrows, cols, ncols);
	for (size_t k = 0; k < ncols; k++) {
		free(cols[k].val);
		free(cols[k].err);
	}
	return rc;
}

/* Headline metrics of the comparison bars, in order. */
static const char *const compare_metrics[] = {
	"carbon_operational_kg", "energy_facility_kwh", "energy_it_kwh", "latency_p99_s",
	"ttft_p99_s", "slo_attainment", "accuracy_mean", "cost_usd", "water_l",
	"renewable_fraction", NULL
};

static int fig_compare(struct ctx *c)
{
	const char *title = "Configurations against the baseline (relative change, 95% CI)";
	const char *rows[16];
	long mi[16];
	size_t nrows = 0, ncols = 0, all = 0;
	struct bar_col cols[MAX_LINES];
	char *titles[MAX_LINES];
	struct sbuf cap;
	int rc;

	c->truncated = 0;
	for (const char *const *q = compare_metrics; *q; q++) {
		long m = study_metric_index(c->st, *q);
		if (m >= 0) {
			mi[nrows] = m;
			rows[nrows++] = study_metric_phrase(*q);
		}
	}
	for (size_t p = 0; p < c->st->n_pts; p++) {
		size_t b = study_comparator(c->st, p, c->base);
		const struct study_point *pt = &c->st->pts[p];
		if (b == p || !pt->n || !c->st->pts[b].n)
			continue;
		if (all++ >= MAX_LINES || !nrows)
			continue;
		double *x = xmalloc((pt->n + 1) * sizeof *x), *y = xmalloc((pt->n + 1) * sizeof *y);
		struct sbuf t;
		sbuf_init(&t);
		if (c->st->matched)
			sbuf_addf(&t, "%s vs %s", pt->label, c->st->pts[b].label);
		else
			sbuf_add(&t, pt->label);
		titles[ncols] = t.s;
		cols[ncols].title = t.s;
		cols[ncols].val = xmalloc(nrows * sizeof(double));
		cols[ncols].err = xmalloc(nrows * sizeof(double));
		for (size_t r = 0; r < nrows; r++) {
			size_t n = study_pairs(c->st, p, b, (size_t)mi[r], x, y);
			struct repstats_paired cp = repstats_compare(x, y, n, c->level);
			cols[ncols].val[r] = 100 * cp.rel;
			cols[ncols].err[r] = 100 * cp.rel_half;
		}
		free(x);
		free(y);
		ncols++;
	}
	if (!all) {
		skip(c->out, title, "only one configuration (or only baselines) in the database: "
				    "nothing to compare");
		return 0;
	}
	if (!nrows) {
		skip(c->out, title, "none of the headline metrics (carbon_operational_kg, "
				    "latency_p99_s, ...) is in the database");
		return 0;
	}
	c->truncated = all > MAX_LINES;
	sbuf_init(&cap);
	if (c->st->matched)
		sbuf_add(&cap, "Change of each headline metric against each configuration's sweep "
			       "baseline (same other settings)");
	else
		sbuf_addf(&cap, "Change of each headline metric against %s", c->st->pts[c->base].label);
	sbuf_add(&cap, ", in percent, paired by replication (common random numbers); error bars are "
		       "95% confidence intervals (delta method). Bars whose interval crosses zero are "
		       "not significant. Modelled (maasim simulation output).");
	rc = fig_bars(c, "fig_compare", title, "change against baseline (%)", cap.s, rows, nrows,
		      cols, ncols);
	sbuf_fini(&cap);
	for (size_t k = 0; k < ncols; k++) {
		free(cols[k].val);
		free(cols[k].err);
		free(titles[k]);
	}
	return rc;
}

static int fig_renewable(struct ctx *c)
{
	const char *title = "Renewable share";

	if (pick_series(c, cand_ren))
		return fig_series_by_point(c, "fig_renewable", title, cand_ren,
					   "renewable share of energy", "Renewable share of the energy used");
	long m = study_metric_index(c->st, "renewable_fraction");
	size_t pts[MAX_LINES], np = line_points(c, pts);
	if (m < 0 || !np) {
		skip(c->out, title, "no renewable_fraction series or metric in the database");
		return 0;
	}
	const char *rows[1] = { "renewable share" };
	struct bar_col cols[MAX_LINES];
	for (size_t i = 0; i < np; i++) {
		const struct study_point *pt = &c->st->pts[pts[i]];
		double *buf = xmalloc((pt->n + 1) * sizeof *buf);
		struct repstats_summary s = repstats_summarize(buf, study_values(c->st, pts[i], (size_t)m, buf),
							 c->level);
		cols[i].title = pt->label;
		cols[i].val = xmalloc(sizeof(double));
		cols[i].err = xmalloc(sizeof(double));
		cols[i].val[0] = 100 * s.mean;
		cols[i].err[0] = 100 * s.half;
		free(buf);
	}
	int rc = fig_bars(c, "fig_renewable", title, "renewable share (%)",
			  "Share of the energy used that came from on-site or contracted renewables "
			  "(metric renewable_fraction), mean over replications with 95% confidence "
			  "intervals. No time series of it is in the database. Modelled (maasim "
			  "simulation output).",
			  rows, 1, cols, np);
	for (size_t i = 0; i < np; i++) {
		free(cols[i].val);
		free(cols[i].err);
	}
	return rc;
}

/* Pareto front of operational carbon against p99 latency (both lower is better), accuracy
 * (higher is better) as the colour when present. */
static int fig_pareto(struct ctx *c)
{
	const char *title = "Pareto front: operational carbon, p99 latency, accuracy";
	long mc = study_metric_index(c->st, "carbon_operational_kg");
	long ml = study_metric_index(c->st, "latency_p99_s");
	long ma = study_metric_index(c->st, "accuracy_mean");
	size_t np = c->st->n_pts, nv = 0;
	double *cx = xcalloc(np + 1, sizeof *cx), *ly = xcalloc(np + 1, sizeof *ly);
	double *ac = xcalloc(np + 1, sizeof *ac);
	size_t *idx = xcalloc(np + 1, sizeof *idx);
	int rc = 0;

	c->truncated = 0;
	if (mc < 0 || ml < 0) {
		skip(c->out, title, "needs the metrics carbon_operational_kg and latency_p99_s");
		goto done;
	}
	for (size_t p = 0; p < np; p++) {
		const struct study_point *pt = &c->st->pts[p];
		double *buf = xmalloc((pt->n + 1) * sizeof *buf);
		struct repstats_summary a = repstats_summarize(buf, study_values(c->st, p, (size_t)mc, buf), 1);
		struct repstats_summary b = repstats_summarize(buf, study_values(c->st, p, (size_t)ml, buf), 1);
		struct repstats_summary d = { 0, NAN, NAN, NAN };
		if (ma >= 0)
			d = repstats_summarize(buf, study_values(c->st, p, (size_t)ma, buf), 1);
		free(buf);
		if (isnan(a.mean) || isnan(b.mean))
			continue;
		cx[nv] = a.mean;
		ly[nv] = b.mean;
		ac[nv] = d.mean;
		idx[nv++] = p;
	}
	if (nv < 2) {
		skip(c->out, title, "fewer than two configurations have both operational carbon and "
				    "p99 latency");
		goto done;
	}
	struct sbuf data, front, sc, cap;
	sbuf_init(&data);
	sbuf_init(&front);
	sbuf_init(&sc);
	sbuf_init(&cap);
	/* block 0: every configuration; block 1: the non-dominated ones sorted by carbon */
	int use_acc = ma >= 0;
	for (size_t i = 0; i < nv; i++)
		if (isnan(ac[i]))
			use_acc = 0;
	size_t *fr = xcalloc(nv, sizeof *fr), nf = 0;
	for (size_t i = 0; i < nv; i++) {
		int dominated = 0;
		for (size_t j = 0; j < nv && !dominated; j++) {
			if (j == i)
				continue;
			int no_worse = cx[j] <= cx[i] && ly[j] <= ly[i] && (!use_acc || ac[j] >= ac[i]);
			int better = cx[j] < cx[i] || ly[j] < ly[i] || (use_acc && ac[j] > ac[i]);
			dominated = no_worse && better;
		}
		sbuf_addf(&data, "%.9g\t%.9g\t%.9g\t", cx[i], ly[i], use_acc ? ac[i] : 0.0);
		data_label(&data, c->st->pts[idx[i]].label);
		sbuf_addc(&data, '\n');
		if (!dominated)
			fr[nf++] = i;
	}
	for (size_t a = 1; a < nf; a++) /* sort the front by carbon */
		for (size_t b = a; b > 0 && cx[fr[b]] < cx[fr[b - 1]]; b--) {
			size_t t = fr[b];
			fr[b] = fr[b - 1];
			fr[b - 1] = t;
		}
	sbuf_add(&data, "\n\n");
	for (size_t a = 0; a < nf; a++)
		sbuf_addf(&data, "%.9g\t%.9g\n", cx[fr[a]], ly[fr[a]]);
	free(fr);
	sbuf_add(&sc, "set xlabel 'operational carbon (kg CO2e)'\nset ylabel 'p99 latency (s)'\n"
		      "set offsets graph 0.1, graph 0.1, graph 0.15, graph 0.1\n"
		      "set cblabel 'mean accuracy'\n"
		      "set palette defined (0 '#440154', 0.5 '#21918c', 1 '#e8c21a')\n");
	sbuf_add(&sc, "plot 'plot-data/fig_pareto.dat' index 1 using 1:2 with linespoints lw 2 pt 6"
		      " ps 3.2 lc rgb '#cc3311' title 'Pareto front (non-dominated)', \\\n");
	if (use_acc)
		sbuf_add(&sc, "     '' index 0 using 1:2:3 with points pt 7 ps 2.2 lc palette"
			      " title 'configuration (colour: mean accuracy)', \\\n");
	else
		sbuf_add(&sc, "     '' index 0 using 1:2 with points pt 7 ps 2.2 lc rgb '#2166ac'"
			      " title 'configuration', \\\n");
	sbuf_add(&sc, "     '' index 0 using 1:2:4 with labels offset 0,1.6 notitle\n");
	sbuf_addf(&cap, "Each configuration's mean operational carbon against its mean p99 "
			"latency%s; configurations on the red line are non-dominated (no other is at "
			"least as good on every objective%s and better on one). Means over "
			"replications; modelled (maasim simulation output).",
		  use_acc ? ", coloured by mean accuracy" : "",
		  use_acc ? " — carbon, latency, accuracy —" : "");
	rc = draw(c, "fig_pareto",
		  use_acc ? title : "Pareto front: operational carbon against p99 latency", cap.s,
		  data.s, sc.s, 0);
	sbuf_fini(&data);
	sbuf_fini(&front);
	sbuf_fini(&sc);
	sbuf_fini(&cap);
done:
	free(cx);
	free(ly);
	free(ac);
	free(idx);
	return rc;
}

int plot_all(struct store *s, const struct study *st, size_t base, double level, const char *dir,
	     const char *gnuplot, struct plot_list *out, struct err *e)
{
	struct ctx c = { .s = s, .st = st, .base = base, .level = level, .dir = dir,
			 .gnuplot = gnuplot ? gnuplot : "gnuplot", .out = out, .e = e };
	struct sbuf pd;
	int rc = -1;

	sbuf_init(&pd);
	sbuf_addf(&pd, "%s/plot-data", dir);
	if (mkdir(pd.s, 0755) && errno != EEXIST) {
		err_set(e, "%s: cannot create: %s", pd.s, strerror(errno));
		goto out;
	}
	if (store_query_column(s, "SELECT DISTINCT name FROM timeseries ORDER BY name", NULL, 0,
			       &c.series, e))
		goto out;
	if (!st->n_pts) {
		rc = 0;
		goto out;
	}
	if (fig_power(&c) || fig_pue_temp(&c) || fig_carbon_load(&c) ||
	    fig_series_by_point(&c, "fig_soc", "Battery state of charge", cand_soc,
				"state of charge (fraction)", "Battery state of charge") ||
	    fig_renewable(&c) || fig_latency(&c) || fig_compare(&c) || fig_pareto(&c))
		goto out;
	rc = 0;
out:
	store_strings_fini(&c.series);
	sbuf_fini(&pd);
	return rc;
}
