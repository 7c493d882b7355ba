/* test_report.c — report generation on a synthetic study: files, sections, numbers, escaping,
 * skipped figures, bad input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/plot.h"
#include "analysis/report.h"
#include "analysis/sbuf.h"
#include "analysis/study.h"
#include "tests/check.h"
#include "tests/unit/study_fixture.h"

static char tmpdir[] = "/tmp/maasim-report-XXXXXX";

static char *slurp(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return fixture_read_file(path);
}

static int exists(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void escaping(void)
{
	struct sbuf b;
	sbuf_init(&b);
	report_html_escape(&b, "<script>alert(\"x&y\")</script>'");
	CHECK_STR(b.s, "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;&#39;");
	sbuf_fini(&b);
	sbuf_init(&b);
	report_md_escape(&b, "a|b*c_<d>\nx");
	CHECK_STR(b.s, "a\\|b\\*c\\_&lt;d&gt; x");
	sbuf_fini(&b);
	sbuf_init(&b);
	plot_gp_quote(&b, "it's `rm -rf /`\n@x");
	CHECK_STR(b.s, "'it''s `rm -rf /` @x'");
	sbuf_fini(&b);
}

/* RFC 4648 section 10 test vectors */
static void base64(void)
{
	const char *in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	const char *out[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	for (int i = 0; i < 7; i++) {
		struct sbuf b;
		sbuf_init(&b);
		report_base64(&b, (const unsigned char *)in[i], strlen(in[i]));
		CHECK_STR(b.s, out[i]);
		sbuf_fini(&b);
	}
}

static void study_points(void)
{
	char db[600];
	struct err e = { 0 };
	snprintf(db, sizeof db, "%s/points.db", tmpdir);
	CHECK_INT(fixture_study(db, 0), 0);
	struct store *s = store_open(db, STORE_READONLY, &e);
	CHECK(s != NULL);
	if (!s)
		return;
	struct study *st = study_load(s, &e);
	CHECK(st != NULL);
	if (st) {
		CHECK_INT(st->n_pts, 2);
		CHECK_INT(st->n_runs, 7);
		CHECK_STR(st->pts[0].label, "demo");
		CHECK_STR(st->pts[1].label, "policies.dispatch=least_loaded");
		CHECK_INT(st->pts[1].n, 3);
		CHECK_INT(st->pts[1].n_failed, 1);
		CHECK_STR(st->pts[1].fail_msg, "energy balance did not close");
		CHECK_INT(study_baseline(st), 0);
		CHECK_INT(study_point_index(st, "policies.dispatch=least_loaded"), 1);
		long m = study_metric_index(st, "carbon_operational_kg");
		CHECK(m >= 0);
		double x[4], y[4];
		CHECK_INT(study_pairs(st, 1, 0, (size_t)m, x, y), 3);
		CHECK_NEAR(x[2], 79.2, 1e-12, 0);
		CHECK_NEAR(y[2], 102, 1e-12, 0);
		CHECK_STR(st->versions, "0.1-test");
	}
	study_free(st);
	store_close(s);
}

static void full_report(void)
{
	char db[600], out[600];
	int code = -1;
	struct err e = { 0 };
	snprintf(db, sizeof db, "%s/study.db", tmpdir);
	snprintf(out, sizeof out, "%s/out/nested", tmpdir);
	CHECK_INT(fixture_study(db, 1), 0);
	struct report_opts o = { .db = db, .out_dir = out };
	CHECK_INT(report_write(&o, &code, &e), 0);
	if (e.set)
		fprintf(stderr, "  %s\n", e.msg);
	CHECK_INT(code, 0);
	char *html = slurp(out, "report.html"), *md = slurp(out, "report.md");
	CHECK(html && md);
	if (!html || !md)
		goto done;
	/* the summary sentence: (78.1 / 101 - 1) = -22.67%; p99 latency +4.0% exactly */
	CHECK_HAS(md, "**policies.dispatch=least\\_loaded** cuts operational carbon by 22.7% ±");
	CHECK_HAS(md, "(95% CI) against **demo**");
	CHECK_HAS(md, "p99 latency +4.0%");
	CHECK_HAS(md, "no significant change in facility energy");
	CHECK_HAS(md, "1 run failed");
	CHECK_HAS(html, "<h2 id=\"summary\">Summary</h2>");
	CHECK_HAS(html, "<h2 id=\"metrics\">Every metric</h2>");
	CHECK_HAS(html, "<h2 id=\"figures\">Figures</h2>");
	CHECK_HAS(html, "<h2 id=\"provenance\">Provenance</h2>");
	CHECK_HAS(html, "<h2 id=\"methods\">Methods</h2>");
	CHECK_HAS(html, "no provenance table");
	CHECK_HAS(html, "seeds 101, 102, 103");
	CHECK_HAS(html, "Common random numbers");
	CHECK_HAS(html, "traces/weather.csv");
	/* scenario text escaped: the fixture's name holds <b>&</b> */
	CHECK_HAS(html, "demo &lt;b&gt;&amp;&lt;/b&gt;");
	CHECK(!strstr(html, "<b>&</b>"));
	/* self-contained: images inline, nothing fetched */
	CHECK_HAS(html, "src=\"data:image/png;base64,iVBORw0KGgo");
	CHECK(!strstr(html, "http://") && !strstr(html, "https://") && !strstr(html, "<script"));
	CHECK_HAS(md, "![Power by component over time](fig_power.png)");
	CHECK(exists(out, "fig_power.png"));
	CHECK(exists(out, "fig_pue_temp.png"));
	CHECK(exists(out, "fig_carbon_load.png"));
	CHECK(exists(out, "fig_soc.png"));
	CHECK(exists(out, "fig_renewable.png"));
	CHECK(exists(out, "fig_latency.png"));
	CHECK(exists(out, "fig_compare.png"));
	CHECK(exists(out, "fig_pareto.png"));
	CHECK(exists(out, "plot-data/fig_pareto.gp"));
	char *gp = slurp(out, "plot-data/fig_power.gp");
	CHECK_HAS(gp, "title 'it'");
	CHECK(gp && !strstr(strstr(gp, "title 'it'") + 1, "title 'it'")); /* W and kW drawn once */
	CHECK_HAS(gp, "Supply: where the power comes from");
	CHECK_HAS(gp, "title 'solar'");
	free(gp);
	CHECK(!exists(out, "report.html.tmp"));
	/* the resolved scenario, indented for reading, tagged with the configuration using it */
	CHECK_HAS(md, "fully resolved; run as: demo:");
	CHECK_HAS(md, "  \"policies\": {\n    \"dispatch\": \"fifo\"\n  }\n}");
done:
	free(html);
	free(md);
}

/* Without series, time-series figures are listed as skipped, with their reason. */
static void skipped_figures(void)
{
	char db[600], out[600];
	int code = -1;
	struct err e = { 0 };
	snprintf(db, sizeof db, "%s/points.db", tmpdir);
	snprintf(out, sizeof out, "%s/out2", tmpdir);
	struct report_opts o = { .db = db, .out_dir = out,
				 .baseline = "policies.dispatch=least_loaded" };
	CHECK_INT(report_write(&o, &code, &e), 0);
	char *md = slurp(out, "report.md");
	CHECK_HAS(md, "Figures not drawn");
	CHECK_HAS(md, "**Power by component over time**: no time series named power\\_&lt;component&gt;\\_w");
	CHECK_HAS(md, "**Battery state of charge**: no time series named battery\\_soc");
	CHECK(!exists(out, "fig_power.png"));
	CHECK(exists(out, "fig_pareto.png"));
	/* baseline chosen by label: the other point is now the one compared */
	CHECK_HAS(md, "**demo** raises operational carbon by");
	free(md);
}

/* A provenance table is shown as it is, escaped; hostile labels reach gnuplot harmlessly. */
static void provenance_and_hostile_labels(void)
{
	char db[600], out[600], flag[600];
	int code = -1;
	struct err e = { 0 };
	struct metrics ms;
	snprintf(db, sizeof db, "%s/hostile.db", tmpdir);
	snprintf(out, sizeof out, "%s/out4", tmpdir);
	snprintf(flag, sizeof flag, "%s/pwned", tmpdir);
	struct store *s = store_open(db, STORE_CREATE, &e);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT(store_exec(s, "CREATE TABLE provenance(item TEXT, kind TEXT, source TEXT);"
			       "INSERT INTO provenance VALUES('gpu idle power','measured',"
			       "'Splitwise <ISCA 2024>');", &e), 0);
	/* a params label built to break out of a gnuplot string and run a shell command */
	char params[2][1400];
	snprintf(params[0], sizeof params[0], "{}");
	snprintf(params[1], sizeof params[1],
		 "{\"x\":\"it's `touch %s` \\\" @x\\n'; system('touch %s')\"}", flag, flag);
	metrics_init(&ms);
	for (int p = 0; p < 2; p++)
		for (int r = 0; r < 2; r++) {
			struct store_run run = { .scenario = "h", .scenario_hash = "x", .params = params[p],
						 .replication = r, .status = "ok", .version = "t" };
			metrics_reset(&ms);
			metrics_set(&ms, "carbon_operational_kg", 10 + p + r, "kg");
			metrics_set(&ms, "latency_p99_s", 1 + 0.1 * p + 0.01 * r, "s");
			metrics_sample(&ms, 0, "battery_soc", 0.5);
			metrics_sample(&ms, 60, "battery_soc", 0.6);
			/* carbon intensity and load without deferred work: a one-panel figure */
			metrics_sample(&ms, 0, "carbon_intensity_g_per_kwh", 480);
			metrics_sample(&ms, 60, "carbon_intensity_g_per_kwh", 480);
			metrics_sample(&ms, 0, "busy_slots", 3);
			metrics_sample(&ms, 60, "busy_slots", 4 + p);
			CHECK_INT(store_write_run(s, &run, &ms, NULL, &e), 0);
		}
	metrics_fini(&ms);
	store_close(s);
	struct report_opts o = { .db = db, .out_dir = out };
	CHECK_INT(report_write(&o, &code, &e), 0);
	if (e.set)
		fprintf(stderr, "  %s\n", e.msg);
	char *html = slurp(out, "report.html");
	CHECK_HAS(html, "<td>gpu idle power</td><td class=\"num\">measured</td>"
			"<td class=\"num\">Splitwise &lt;ISCA 2024&gt;</td>");
	CHECK(!strstr(html, "no provenance table"));
	CHECK(exists(out, "fig_soc.png"));
	CHECK(exists(out, "fig_pareto.png"));
	CHECK(exists(out, "fig_compare.png"));
	CHECK(exists(out, "fig_carbon_load.png"));
	CHECK_HAS(html, "No deferred-work series (deferred_jobs) is in the database");
	CHECK(!exists(out, "../pwned") && access(flag, F_OK) != 0);
	free(html);

	/* --no-plots: no figure, and the report says so */
	snprintf(out, sizeof out, "%s/out5", tmpdir);
	o.out_dir = out;
	o.gnuplot = "";
	CHECK_INT(report_write(&o, &code, &e), 0);
	char *md = slurp(out, "report.md");
	CHECK_HAS(md, "Figures were not drawn (disabled for this report).");
	CHECK(!exists(out, "fig_soc.png"));
	free(md);

	/* gnuplot missing: figures skipped with the reason, report still written */
	snprintf(out, sizeof out, "%s/out6", tmpdir);
	o.out_dir = out;
	o.gnuplot = "/nonexistent/gnuplot";
	CHECK_INT(report_write(&o, &code, &e), 0);
	md = slurp(out, "report.md");
	CHECK_HAS(md, "/nonexistent/gnuplot not found (install gnuplot-nox: make deps)");
	free(md);
}

/* A sweep of 8 configurations: tables turn to one row per configuration, line figures say
 * they show only some. */
static void many_configurations(void)
{
	char db[600], out[600];
	int code = -1;
	struct err e = { 0 };
	struct metrics ms;
	snprintf(db, sizeof db, "%s/sweep.db", tmpdir);
	snprintf(out, sizeof out, "%s/out7", tmpdir);
	struct store *s = store_open(db, STORE_CREATE, &e);
	CHECK(s != NULL);
	if (!s)
		return;
	metrics_init(&ms);
	for (int p = 0; p < 8; p++)
		for (int r = 0; r < 2; r++) {
			char params[64];
			snprintf(params, sizeof params, "{\"solar_kw\":%d,\"reps\":2}", 100 * p);
			struct store_run run = { .scenario = "sw", .scenario_hash = "x", .params = params,
						 .replication = r, .status = "ok", .version = "t" };
			metrics_reset(&ms);
			metrics_set(&ms, "carbon_operational_kg", 100 - 5 * p + r, "kg");
			metrics_set(&ms, "latency_p99_s", 1 + 0.01 * p + 0.01 * r, "s");
			metrics_sample(&ms, 0, "battery_soc", 0.5);
			metrics_sample(&ms, 60, "battery_soc", 0.5 + 0.01 * p);
			CHECK_INT(store_write_run(s, &run, &ms, NULL, &e), 0);
		}
	metrics_fini(&ms);
	store_close(s);
	struct report_opts o = { .db = db, .out_dir = out };
	CHECK_INT(report_write(&o, &code, &e), 0);
	char *md = slurp(out, "report.md");
	/* reps=2 is common to all: left out of labels, named under Methods */
	CHECK_HAS(md, "| configuration | carbon\\_operational\\_kg (kg) | latency\\_p99\\_s (s) |");
	CHECK_HAS(md, "| solar\\_kw=700 | 65.5 ± 6.4 |");
	CHECK_HAS(md, "Overrides given to every configuration (left out of the labels): reps=2.");
	CHECK_HAS(md, "Only the first 6 configurations are drawn");
	CHECK_HAS(md, "**Best by mean:** lowest operational carbon: solar\\_kw=700 (65.5 ± 6.4 kg); "
		      "lowest p99 latency: solar\\_kw=0 (1.005 ± 0.064 s).");
	CHECK(exists(out, "fig_pareto.png"));
	free(md);
}

/* A database with a sweep: each configuration is compared with its own sweep baseline (policy
 * a at the same load), labels come from sweep_points, baselines are not compared. */
static void sweep_comparators(void)
{
	char db[600], out[600];
	int code = -1;
	struct err e = { 0 };
	struct metrics ms;
	snprintf(db, sizeof db, "%s/sw.db", tmpdir);
	snprintf(out, sizeof out, "%s/out8", tmpdir);
	struct store *s = store_open(db, STORE_CREATE, &e);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_INT(store_exec(s, "CREATE TABLE sweep_points(sweep TEXT, point INTEGER, label TEXT,"
			       " scenario TEXT, scenario_hash TEXT, params TEXT, baseline_point INTEGER,"
			       " is_baseline INTEGER);", &e), 0);
	metrics_init(&ms);
	for (int pt = 3; pt >= 0; pt--) { /* runs in reverse: the report follows the sweep order */
		int pol = pt % 2, load = pt / 2;
		char params[128], hash[16], sql[512];
		snprintf(params, sizeof params, "{\"policy\":\"%c\",\"load\":%d}", "ab"[pol], load + 1);
		snprintf(hash, sizeof hash, "h%d", pt);
		snprintf(sql, sizeof sql, "INSERT INTO sweep_points VALUES('s', %d, '%c at %d', 'x.json',"
			 " '%s', '%s', %d, %d)", pt, "ab"[pol], load + 1, hash, params, load * 2, !pol);
		CHECK_INT(store_exec(s, sql, &e), 0);
		for (int r = 0; r < 3; r++) {
			struct store_run run = { .scenario = "x", .scenario_hash = hash, .params = params,
						 .replication = r, .status = "ok", .version = "t" };
			metrics_reset(&ms);
			/* b saves 10% at load 1 and 20% at load 2; load doubles the carbon */
			metrics_set(&ms, "carbon_operational_kg",
				    (100 + r) * (load + 1) * (pol ? (load ? 0.8 : 0.9) : 1), "kg");
			CHECK_INT(store_write_run(s, &run, &ms, NULL, &e), 0);
		}
	}
	metrics_fini(&ms);
	store_close(s);
	struct report_opts o = { .db = db, .out_dir = out, .gnuplot = "" };
	CHECK_INT(report_write(&o, &code, &e), 0);
	char *md = slurp(out, "report.md");
	CHECK_HAS(md, "compared with its sweep's baseline at the same other settings");
	CHECK_HAS(md, "- **b at 1** cuts operational carbon by 10.0% ± 0.0% (95% CI) against **a at 1**");
	CHECK_HAS(md, "- **b at 2** cuts operational carbon by 20.0% ± 0.0% (95% CI) against **a at 2**");
	CHECK(!strstr(md, "**a at 2** raises"));
	CHECK(md && strstr(md, "**b at 1** cuts") < strstr(md, "**b at 2** cuts"));
	CHECK_HAS(md, "| metric | unit | b at 1 vs a at 1 | b at 2 vs a at 2 |");
	free(md);
	/* --baseline overrides the sweep's comparators: everything against one configuration */
	o.baseline = "a at 1";
	CHECK_INT(report_write(&o, &code, &e), 0);
	md = slurp(out, "report.md");
	CHECK_HAS(md, "- **a at 2** raises operational carbon by 100.0% ± 0.0% (95% CI) against **a at 1**");
	free(md);
}

static void bad_input(void)
{
	char db[600], out[600];
	int code = -1;
	struct err e = { 0 };
	snprintf(db, sizeof db, "%s/missing.db", tmpdir);
	snprintf(out, sizeof out, "%s/out3", tmpdir);
	struct report_opts o = { .db = db, .out_dir = out };
	CHECK_INT(report_write(&o, &code, &e), -1);
	CHECK_INT(code, 2);
	CHECK_HAS(e.msg, "missing.db");
	CHECK(!exists(out, "report.html"));

	err_clear(&e);
	snprintf(db, sizeof db, "%s/points.db", tmpdir);
	o.db = db;
	o.baseline = "nope";
	CHECK_INT(report_write(&o, &code, &e), -1);
	CHECK_INT(code, 2);
	CHECK_HAS(e.msg, "no configuration 'nope'");

	/* an empty database: no runs */
	err_clear(&e);
	snprintf(db, sizeof db, "%s/empty.db", tmpdir);
	store_close(store_open(db, STORE_CREATE, &e));
	o.db = db;
	o.baseline = NULL;
	CHECK_INT(report_write(&o, &code, &e), -1);
	CHECK_INT(code, 2);
	CHECK_HAS(e.msg, "no runs");

	char *argv[] = { "report", NULL };
	CHECK_INT(report_main(1, argv), 2);
	char *argv2[] = { "report", "x.db", "--frobnicate", NULL };
	CHECK_INT(report_main(3, argv2), 2);
}

int main(void)
{
	/* fixture mode for the browser test: write the study database (with series) and quit */
	const char *fixture = getenv("MAASIM_FIXTURE_DB");
	if (fixture) {
		/* and, before the command line has `report`, the report itself */
		const char *dir = getenv("MAASIM_FIXTURE_REPORT");
		struct report_opts o = { .db = fixture, .out_dir = dir };
		struct err e = { 0 };
		int code;
		if (fixture_study(fixture, 1))
			return 1;
		if (dir && report_write(&o, &code, &e)) {
			fprintf(stderr, "%s\n", e.msg);
			return code;
		}
		return 0;
	}
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(escaping);
	RUN(base64);
	RUN(study_points);
	RUN(full_report);
	RUN(skipped_figures);
	RUN(provenance_and_hostile_labels);
	RUN(many_configurations);
	RUN(sweep_comparators);
	RUN(bad_input);
	int rc = CHECK_DONE();
	if (!getenv("KEEP_TMP"))
		fixture_remove_dir(tmpdir);
	return rc;
}
