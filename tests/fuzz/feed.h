/* feed.h — feeds arbitrary bytes to maasim's input readers; shared by the libFuzzer targets
 * (tests/fuzz/fuzz_*.c) and the regression test (tests/unit/test_fuzz_inputs.c).
 *
 * Each feed_* writes the bytes to a file in a private temporary folder (the readers take paths,
 * as the command line does, so the code under test is exactly the code users run), calls the
 * reader and releases everything. The contract every reader must keep, checked here for every
 * input: it returns 0 with a result, or -1 with a non-empty message that starts with the file
 * name (or "--set" for an override) — never a crash, a hang, a leak or a result without
 * an error. A broken contract aborts, which libFuzzer reports as a crash (with FEED_NO_ABORT
 * defined, as in the unit test, it is counted in feed_broken and the reader's result returned).
 * Test code only: the temporary folder is process-wide static state.
 */
#ifndef MAASIM_FEED_H
#define MAASIM_FEED_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/arena.h"
#include "engine/err.h"
#include "io/csv.h"
#include "io/ftrace.h"
#include "cli/sweep_wire.h"
#include "io/scenario.h"
#include "io/sweep_spec.h"
#include "io/trace.h"

static char feed_dir[256];
static int feed_broken;

#ifdef FEED_NO_ABORT
#define FEED_BREAK() (feed_broken++)
#else
#define FEED_BREAK() abort()
#endif

static void feed_cleanup(void);

/* Writes data to <tmp>/name and returns the path (static buffer). */
static const char *feed_write(const char *name, const uint8_t *data, size_t size)
{
	static char path[512];
	FILE *f;

	if (!feed_dir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(feed_dir, sizeof feed_dir, "%s/maasim-feed.XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(feed_dir)) {
			perror("feed: mkdtemp");
			abort();
		}
		atexit(feed_cleanup);
	}
	snprintf(path, sizeof path, "%s/%s", feed_dir, name);
	if (!(f = fopen(path, "wb")) || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		perror("feed: writing the input");
		abort();
	}
	return path;
}

/* Removes the temporary folder and what feed_write left in it. */
static void feed_cleanup(void)
{
	static const char *const names[] = { "scenario.json", "trace.csv", "trace.jsonl", "data.csv",
					     "sweep.json", "facility.csv" };
	char path[512];

	if (!feed_dir[0])
		return;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		snprintf(path, sizeof path, "%s/%s", feed_dir, names[i]);
		unlink(path);
	}
	rmdir(feed_dir);
	feed_dir[0] = '\0';
}

/* The reader's contract (see the top of this file); aborts when it is broken. */
static int feed_verdict(const char *what, int rc, int have_result, const struct err *e,
			const char *prefix)
{
	if (rc == 0 && have_result && !e->set)
		return 0;
	if (rc == -1 && !have_result && e->set && e->msg[0] &&
	    strncmp(e->msg, prefix, strlen(prefix)) == 0)
		return -1;
	fprintf(stderr, "feed %s: broken contract: rc=%d result=%d error=%d \"%s\" (want prefix \"%s\")\n",
		what, rc, have_result, e->set, e->msg, prefix);
	FEED_BREAK();
	return rc;
}

/* A scenario file; the input is the file's bytes. */
static int feed_scenario(const uint8_t *data, size_t size)
{
	const char *path = feed_write("scenario.json", data, size);
	struct scenario *s = NULL;
	struct err e;
	int rc;

	err_clear(&e);
	rc = scenario_load(path, NULL, 0, &s, &e);
	rc = feed_verdict("scenario", rc, s != NULL, &e, path);
	scenario_free(s);
	return rc;
}

/* --set overrides on a small valid scenario; the input is one override per line. */
static int feed_scenario_set(const uint8_t *data, size_t size)
{
	static const char base[] =
		"{\"name\":\"fz\",\"seed\":1,\"duration_s\":10,\"warmup_s\":0,\"replications\":1,"
		"\"datacenter\":{\"node_types\":{\"s\":{\"slots\":2,\"power\":{\"idle_w\":1,\"peak_w\":2}}},"
		"\"nodes\":[{\"type\":\"s\",\"count\":1}]},"
		"\"workload\":[{\"name\":\"j\",\"kind\":\"job\",\"arrival\":{\"process\":\"poisson\",\"rate_per_s\":1},"
		"\"service\":{\"dist\":\"exponential\",\"mean_s\":1}}],\"policies\":{\"dispatch\":\"fifo\"}}";
	const char *path = feed_write("scenario.json", (const uint8_t *)base, sizeof base - 1);
	char *text = malloc(size + 1), *sets[16], *p;
	size_t n = 0;
	struct scenario *s = NULL;
	struct err e;
	int rc;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	for (p = text; n < 16;) {
		char *nl = strchr(p, '\n');
		sets[n++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	err_clear(&e);
	rc = scenario_load(path, (const char *const *)sets, n, &s, &e);
	/* an override's error names the override ("--set ...") or the scenario file */
	if (rc == -1 && e.set && strncmp(e.msg, "--set ", 6) == 0)
		rc = feed_verdict("scenario --set", rc, s != NULL, &e, "--set ");
	else
		rc = feed_verdict("scenario --set", rc, s != NULL, &e, path);
	scenario_free(s);
	free(text);
	return rc;
}

/* An arrival trace; jsonl chooses the file name ending (which selects the Mooncake reader). */
static int feed_trace(const uint8_t *data, size_t size, int jsonl)
{
	const char *path = feed_write(jsonl ? "trace.jsonl" : "trace.csv", data, size);
	struct arena a;
	struct trace_data *td = NULL;
	struct err e;
	int rc;

	arena_init(&a);
	err_clear(&e);
	rc = trace_load(path, &a, &td, &e);
	if (rc == 0 && td) {
		/* the promises of trace.h: at least one record, non-decreasing finite times */
		for (size_t i = 0; i < td->n; i++)
			if (!isfinite(td->t_s[i]) || (i && td->t_s[i] < td->t_s[i - 1])) {
				fprintf(stderr, "feed trace: record %zu out of order or not finite\n", i);
				FEED_BREAK();
				break;
			}
		if (td->n == 0 || !(td->span_s >= 0)) {
			fprintf(stderr, "feed trace: %zu records spanning %g s\n", td->n, td->span_s);
			FEED_BREAK();
		}
	}
	rc = feed_verdict("trace", rc, td != NULL, &e, path);
	arena_fini(&a);
	return rc;
}

/* The CSV reader alone: every record, every field through csv_num. */
static int feed_csv(const uint8_t *data, size_t size)
{
	const char *path = feed_write("data.csv", data, size);
	struct csv *c;
	char **f;
	int n, rc = 0;
	struct err e;

	err_clear(&e);
	if (!(c = csv_open(path, ',', (size_t)1 << 24, &e)))
		return feed_verdict("csv open", -1, 0, &e, path);
	while ((n = csv_next(c, &f, &e)) > 0) {
		if (csv_line(c) < 1)
			FEED_BREAK();
		for (int i = 0; i < n; i++) {
			struct err ne;
			double v;
			err_clear(&ne);
			if (csv_num(c, f[i], "x", &v, &ne) == 0 ? !isfinite(v) || ne.set
							     : feed_verdict("csv_num", -1, 0, &ne, path) != -1)
				FEED_BREAK();
		}
		(void)csv_find(f, n, "t_s");
	}
	if (n < 0)
		rc = feed_verdict("csv_next", -1, 0, &e, path);
	csv_free(c);
	return rc;
}

/* A sweep file (its base scenarios are named, not loaded, by the spec reader). */
static int feed_sweep(const uint8_t *data, size_t size)
{
	const char *path = feed_write("sweep.json", data, size);
	struct sweep_spec *sp = NULL;
	struct err e;
	int rc;

	err_clear(&e);
	rc = sweep_spec_load(path, &sp, &e);
	if (rc == 0 && sp) {
		/* the expansion's promises: points within bounds, baselines are points */
		if (sp->n_points == 0 || sp->n_points > SWEEP_MAX_POINTS)
			FEED_BREAK();
		for (size_t i = 0; i < sp->n_points; i++)
			if (sp->points[i].baseline >= sp->n_points ||
			    sp->points[i].scenario >= sp->n_scenarios) {
				fprintf(stderr, "feed sweep: point %zu refers outside the spec\n", i);
				FEED_BREAK();
				break;
			}
	}
	rc = feed_verdict("sweep", rc, sp != NULL, &e, path);
	sweep_spec_free(sp);
	return rc;
}

/* A worker's result message (sweep_wire.h): bytes from another process or MPI rank. */
static int feed_sweep_wire(const uint8_t *data, size_t size)
{
	struct sweep_outcome o;
	struct metrics ms;
	struct err e;
	int rc;

	metrics_init(&ms);
	err_clear(&e);
	rc = sweep_wire_decode(data, size, &o, &ms, &e);
	/* a decoded message is usable: every series sample names a known series */
	if (rc == 0)
		for (size_t i = 0; i < ms.n_pts; i++)
			if (ms.pts[i].name_id >= ms.n_names) {
				fprintf(stderr, "feed sweep_wire: sample %zu names series %u of %zu\n", i,
					ms.pts[i].name_id, ms.n_names);
				FEED_BREAK();
				break;
			}
	rc = feed_verdict("sweep_wire", rc, rc == 0, &e, "");
	metrics_fini(&ms);
	return rc;
}

/* The facility trace readers (ftrace.h). The first byte chooses the reader (mod 8), the rest is
 * the file: 0 column CSV (second column), 1 Open-Meteo, 2 EPW, 3 PVGIS, 4 PVWatts,
 * 5 windpowerlib, 6 OEDB power curves (turbine "E-101/3050"), 7 GreenSKU fan curve. */
static int feed_ftrace(const uint8_t *data, size_t size)
{
	const char *path;
	struct weather w;
	struct series a, b, c, d;
	struct wind_cfg wc;
	struct cooling_cfg cc;
	struct err e;
	double dc_kw = 0;
	int rc = -1, which;

	if (size == 0)
		return 0;
	which = data[0] % 8;
	path = feed_write("facility.csv", data + 1, size - 1);
	weather_init(&w);
	series_init(&a);
	series_init(&b);
	series_init(&c);
	series_init(&d);
	err_clear(&e);
	switch (which) {
	case 0: rc = ftrace_read_column(path, NULL, -5.0, 1.0, &a, &e); break;
	case 1: rc = ftrace_read_openmeteo(path, 1.0, &w, &e); break;
	case 2: rc = ftrace_read_epw(path, &w, &e); break;
	case 3: rc = ftrace_read_pvgis(path, &w, &e); break;
	case 4: rc = ftrace_read_pvwatts(path, -7.0, &a, &dc_kw, &b, &c, &d, &e); break;
	case 5: rc = ftrace_read_windpowerlib(path, 100.0, &w, &e); break;
	case 6:
		wind_cfg_default(&wc);
		snprintf(wc.turbine, sizeof wc.turbine, "%s", "E-101/3050");
		rc = ftrace_read_power_curve(path, &wc, &e);
		if (rc == 0 && (wc.n_pts < 1 || wc.n_pts > WIND_CURVE_PTS))
			FEED_BREAK();
		break;
	default:
		cooling_cfg_default(&cc);
		rc = ftrace_read_fan_curve(path, &cc, &e);
		if (rc == 0 && (cc.n_fan_pts < 0 || cc.n_fan_pts > COOLING_FAN_PTS))
			FEED_BREAK();
		break;
	}
	/* a series read is a usable series: a positive step, finite values */
	if (rc == 0) {
		const struct series *all[] = { &a, &b, &c, &d, &w.temp_c, &w.rh_pct, &w.wind_m_s,
					       &w.ghi_w_m2, &w.dni_w_m2, &w.dhi_w_m2, &w.cloud_pct };
		for (size_t k = 0; k < sizeof all / sizeof *all; k++) {
			if (all[k]->n && !(all[k]->step_s > 0 && isfinite(all[k]->t0_s))) {
				fprintf(stderr, "feed ftrace %d: series %zu with step %g, t0 %g\n", which, k,
					all[k]->step_s, all[k]->t0_s);
				FEED_BREAK();
			}
			for (size_t i = 0; i < all[k]->n; i++)
				if (!isfinite(all[k]->v[i])) {
					fprintf(stderr, "feed ftrace %d: series %zu value %zu is %g\n", which,
						k, i, all[k]->v[i]);
					FEED_BREAK();
					break;
				}
		}
	}
	rc = feed_verdict("ftrace", rc, rc == 0, &e, path);
	weather_fini(&w);
	series_fini(&a);
	series_fini(&b);
	series_fini(&c);
	series_fini(&d);
	return rc;
}

#endif
