/* test_sweep_spec.c — sweep files: expansion order, overrides, baselines, oat, and errors. */
#include <stdlib.h>
#include <unistd.h>

#include "io/sweep_spec.h"
#include "tests/check.h"

static char dir[64];

static const char *write_spec(const char *name, const char *text)
{
	static char path[128];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

/* Loads text; returns the spec or NULL with the message in e. */
static struct sweep_spec *load(const char *text, struct err *e)
{
	struct sweep_spec *s = NULL;
	err_clear(e);
	if (sweep_spec_load(write_spec("s.json", text), &s, e))
		return NULL;
	return s;
}

static void grid_zip_baseline(void)
{
	struct err e;
	struct sweep_spec *s = load(
		"{\"name\": \"g\", \"scenarios\": \"base.json\", \"replications\": 3,"
		" \"set\": {\"duration_s\": 100},"
		" \"grid\": {\"policies.dispatch\": [\"fifo\", \"least_loaded\"],"
		"            \"workload[0].arrival.rate_per_s\": [1, 2.5, 4.0]},"
		" \"zip\": [{\"datacenter.nodes[0].count\": [2, 4], \"datacenter.node_types.s.slots\": [1, 2]}],"
		" \"baseline\": {\"name\": \"fifo\", \"at\": {\"policies.dispatch\": \"fifo\"}}}", &e);
	CHECK(s != NULL);
	if (!s) {
		fprintf(stderr, "%s\n", e.msg);
		return;
	}
	CHECK_INT(s->n_points, 12);
	CHECK_INT(s->n_axes, 3);
	CHECK_INT(s->replications, 3);
	CHECK_HAS(s->scenarios[0], "/base.json");
	/* row-major: the zip group (last axis) varies fastest */
	CHECK_INT(s->points[0].n_sets, 5);
	CHECK_STR(s->points[0].sets[0], "duration_s=100");
	CHECK_STR(s->points[0].sets[1], "policies.dispatch=\"fifo\"");
	CHECK_STR(s->points[0].sets[2], "workload[0].arrival.rate_per_s=1");
	CHECK_STR(s->points[0].sets[3], "datacenter.nodes[0].count=2");
	CHECK_STR(s->points[0].sets[4], "datacenter.node_types.s.slots=1");
	CHECK_STR(s->points[1].sets[3], "datacenter.nodes[0].count=4");
	CHECK_STR(s->points[1].sets[4], "datacenter.node_types.s.slots=2");
	CHECK_STR(s->points[2].sets[2], "workload[0].arrival.rate_per_s=2.5");
	CHECK_STR(s->points[6].sets[1], "policies.dispatch=\"least_loaded\"");
	CHECK_STR(s->points[11].label, "dispatch=least_loaded rate_per_s=4 count=4,slots=2");
	/* the baseline is fifo at the same rate and zip level */
	for (size_t p = 0; p < 6; p++)
		CHECK_INT(s->points[p].baseline, p);
	for (size_t p = 6; p < 12; p++)
		CHECK_INT(s->points[p].baseline, p - 6);
	CHECK_STR(s->baseline_name, "fifo");
	CHECK_INT(s->n_metrics, 5); /* the default headline metrics */
	sweep_spec_free(s);
}

static void global_baseline_and_default(void)
{
	struct err e;
	struct sweep_spec *s = load(
		"{\"scenarios\": [\"a.json\", \"b/c.json\"], \"replications\": 2,"
		" \"grid\": {\"x.y\": [1, 2]},"
		" \"baseline\": {\"name\": \"b1\", \"scenario\": \"a\", \"at\": {\"x.y\": 2.0}},"
		" \"metrics\": [\"energy_it_kwh\"]}", &e);
	CHECK(s != NULL);
	if (!s) {
		fprintf(stderr, "%s\n", e.msg);
		return;
	}
	CHECK_STR(s->name, "s"); /* from the file name */
	CHECK_INT(s->n_points, 4);
	for (size_t p = 0; p < 4; p++)
		CHECK_INT(s->points[p].baseline, 1); /* scenario a, x.y = 2 (4 and 4.0 compare equal) */
	CHECK_STR(s->points[3].label, "c y=2");
	CHECK_STR(s->scenario_labels[1], "c");
	sweep_spec_free(s);

	/* null is a value (a section left out: e.g. no battery) */
	s = load("{\"scenarios\": \"a.json\", \"replications\": 1, \"grid\": {\"d.b\": [null, {\"c\": 5}]}}", &e);
	CHECK(s != NULL);
	if (s) {
		CHECK_STR(s->points[0].sets[0], "d.b=null");
		CHECK_STR(s->points[1].sets[0], "d.b={\"c\":5}");
		CHECK_STR(s->points[1].label, "b={\"c\":5}");
		sweep_spec_free(s);
	}

	s = load("{\"scenarios\": \"a.json\", \"replications\": 1, \"grid\": {\"p\": [\"u\", \"v\"]}}", &e);
	CHECK(s != NULL);
	if (s) {
		CHECK_INT(s->points[1].baseline, 0); /* no baseline: the first point */
		sweep_spec_free(s);
	}
}

static void oat_points(void)
{
	struct err e;
	struct sweep_spec *s = load(
		"{\"scenarios\": \"a.json\", \"replications\": 4,"
		" \"oat\": [{\"path\": \"datacenter.node_types.server.power.idle_w\", \"low\": 80, \"high\": 120},"
		"           {\"name\": \"rate\", \"path\": \"workload[0].arrival.rate_per_s\", \"low\": 1, \"high\": 2}]}",
		&e);
	CHECK(s != NULL);
	if (!s) {
		fprintf(stderr, "%s\n", e.msg);
		return;
	}
	CHECK_INT(s->n_points, 5);
	CHECK_INT(s->oat_axis, 0);
	CHECK_STR(s->points[0].label, "centre");
	CHECK_INT(s->points[0].n_sets, 0);
	CHECK_STR(s->points[1].label, "idle_w=80(low)");
	CHECK_STR(s->points[1].sets[0], "datacenter.node_types.server.power.idle_w=80");
	CHECK_STR(s->points[4].label, "rate=2(high)");
	for (size_t p = 0; p < 5; p++)
		CHECK_INT(s->points[p].baseline, 0);
	CHECK_STR(s->baseline_name, "centre");
	sweep_spec_free(s);

	/* oat around each level of a grid: each centre is its own slice's baseline */
	s = load("{\"scenarios\": \"a.json\", \"replications\": 1, \"grid\": {\"g\": [1, 2]},"
		 " \"oat\": [{\"path\": \"o\", \"low\": 0, \"high\": 1}]}", &e);
	CHECK(s != NULL);
	if (s) {
		CHECK_INT(s->n_points, 6);
		CHECK_INT(s->points[4].baseline, 0); /* default baseline: first grid level, centre */
		sweep_spec_free(s);
	}
}

static void errors(void)
{
	struct err e;
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "{\"scenarios\": \"a.json\", \"replications\": 1, \"gird\": {}}", "did you mean \"grid\"" },
		{ "{\"scenarios\": \"a.json\"}", "$.replications: required integer is missing" },
		{ "{\"replications\": 1}", "$.scenarios: required list" },
		{ "{\"scenarios\": \"a.json\", \"replications\": 0}", "expected an integer in [1, 100000]" },
		{ "{\"scenarios\": \"a.json\", \"replications\": 1, \"grid\": {\"x\": []}}", "$.grid.x: expected a non-empty array" },
		{ "{\"scenarios\": \"a.json\", \"replications\": 1, \"grid\": {\"x\": [1, 1.0]}}", "distinct values; 1 appears twice" },
		{ "{\"scenarios\": \"a.json\", \"replications\": 1, \"zip\": [{\"a\": [1, 2], \"b\": [1]}]}", "$.zip[0].b: expected a list of 2 values" },
		{ "{\"scenarios\": \"a.json\", \"replications\": 1, \"set\": {\"x\": 1}, \"grid\": {\"x\": [1, 2]}}", "also fixed in $.set" },
		{ "{\"scenarios\": \"a.json\", \"replications\": 1, \"grid\": {\"x\": [1, 2]}, \"zip\": [{\"x\": [3, 4]}]}", "already varies on another axis" },
		{ "{\"scenarios\": \"a.json\", \"replications\": 1, \"grid\": {\"x\": [1, 2]}, \"baseline\": {\"name\": \"b\", \"at\": {\"x\": 3}}}", "occur together on the grid" },
		{ "{\"scenarios\": \"a.json\", \"replications\": 1, \"grid\": {\"x\": [1, 2]}, \"baseline\": {\"name\": \"b\", \"at\": {\"y\": 1}}}", "$.baseline.at.y: expected a path that varies" },
		{ "{\"scenarios\": \"a.json\", \"replications\": 1, \"grid\": {\"x\": [1, 2]}, \"baseline\": {\"name\": \"b\"}}", "$.baseline.at: expected the baseline's grid values" },
		{ "{\"scenarios\": \"a.json\", \"replications\": 1, \"grid\": {\"a=b\": [1, 2]}}", "expected a scenario path" },
		{ "{\"scenarios\": \"a.json\", \"replications\": 1, \"oat\": [{\"path\": \"p\", \"low\": 1, \"high\": 1}]}", "$.oat[0].high: expected a value different from low" },
		{ "{\"scenarios\": \"a.json\",\n \"replications\": 1,, }", "s.json:2:21: invalid JSON near \" }\"" },
		{ "[1]", "expected a JSON object at the top level" },
		{ "{\"scenarios\": \"a.json\", \"replications\": 1, \"metrics\": [\"pue\", \"latncy_p99_s\"]}", "$.metrics[1]: unknown metric \"latncy_p99_s\" (did you mean \"latency_p99_s\"?)" },
		{ "{\"scenarios\": \"a.json\", \"replications\": 1, \"metrics\": [\"class.chat.pue\"]}", "$.metrics[0]: unknown per-class metric \"pue\"" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct sweep_spec *s = load(cases[i].text, &e);
		CHECK(s == NULL);
		sweep_spec_free(s);
		CHECK_HAS(e.msg, cases[i].want);
	}
	{
		struct sweep_spec *s = NULL;
		err_clear(&e);
		CHECK_INT(sweep_spec_load("/nonexistent/sweep.json", &s, &e), -1);
		CHECK_HAS(e.msg, "cannot open sweep file");
	}
}

/* Mutation fuzzing with a fixed seed: every mutant either loads or fails with a message (the
 * sanitizer build catches any read out of bounds on the way). */
static void mutants_never_crash(void)
{
	static const char good[] =
		"{\"name\": \"m\", \"scenarios\": [\"a.json\"], \"replications\": 2,"
		" \"set\": {\"duration_s\": 10}, \"grid\": {\"p.q\": [1, 2], \"r[0].s\": [\"x\", \"y\"]},"
		" \"zip\": [{\"t\": [1, 2], \"u\": [3, 4]}],"
		" \"oat\": [{\"path\": \"v.w\", \"low\": 1, \"high\": 2}],"
		" \"baseline\": {\"name\": \"b\", \"at\": {\"p.q\": 1}}, \"metrics\": [\"pue\"]}";
	static const char alphabet[] = "{}[]\":,.0123456789-eE tfnul\\ax=";
	unsigned long long st = 12345;
	char buf[sizeof good + 8];
	int loaded = 0, failed_without_message = 0;

	for (int it = 0; it < 1000; it++) {
		size_t n = sizeof good - 1;
		struct sweep_spec *s = NULL;
		struct err e;
		memcpy(buf, good, n + 1);
		for (int k = 0; k < 1 + it % 3; k++) {
			size_t at;
			st = st * 6364136223846793005ULL + 1442695040888963407ULL;
			at = (size_t)(st >> 33) % n;
			buf[at] = alphabet[(st >> 20) % (sizeof alphabet - 1)];
		}
		err_clear(&e);
		if (sweep_spec_load(write_spec("m.json", buf), &s, &e) == 0)
			loaded++;
		else if (!e.set || !e.msg[0])
			failed_without_message++;
		sweep_spec_free(s);
	}
	CHECK_INT(failed_without_message, 0);
	CHECK(loaded > 0); /* some mutants stay valid (e.g. a digit changed) */
	unlink(write_spec("m.json", ""));
}

int main(void)
{
	int rc;
	snprintf(dir, sizeof dir, "/tmp/maasim-spec.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	RUN(grid_zip_baseline);
	RUN(global_baseline_and_default);
	RUN(oat_points);
	RUN(errors);
	RUN(mutants_never_crash);
	rc = CHECK_DONE();
	unlink(write_spec("s.json", ""));
	rmdir(dir);
	return rc;
}
