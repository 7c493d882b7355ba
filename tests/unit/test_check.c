/* test_check.c — baseline parsing (file:line errors), comparison, write/read round trip and the
 * exit codes of `maasim check`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/check.h"
#include "tests/check.h"
#include "tests/unit/study_fixture.h"

static char tmpdir[] = "/tmp/maasim-check-XXXXXX";
static char db[600];

static void path_in(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", tmpdir, name);
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void parse_good(void)
{
	struct check_baseline b;
	struct err e = { 0 };
	const char *text = "# comment\n\n"
			   "demo\t{}\tcarbon_operational_kg\t101\trel\t0.02\r\n"
			   "demo\t{}\tlatency_p99_s\t2.1\tci\t1\n"
			   "demo\t{\"a\":1}\tpue\t1.2e0\tabs\t0.05";
	CHECK_INT(check_baseline_parse("b.tsv", text, &b, &e), 0);
	CHECK_INT(b.n, 3);
	CHECK_STR(b.v[0].metric, "carbon_operational_kg");
	CHECK_INT(b.v[0].kind, CHECK_TOL_REL);
	CHECK_INT(b.v[0].line, 3);
	CHECK_INT(b.v[1].kind, CHECK_TOL_CI);
	CHECK_STR(b.v[2].params, "{\"a\":1}");
	CHECK_NEAR(b.v[2].expected, 1.2, 0, 0);
	CHECK_INT(b.v[2].kind, CHECK_TOL_ABS);
	CHECK_INT(b.v[2].line, 5);
	check_baseline_fini(&b);
}

/* Found by fuzz_baseline: a last line of a lone CR (no newline after it) looped forever. */
static void parse_trailing_cr(void)
{
	struct check_baseline b;
	struct err e = { 0 };
	CHECK_INT(check_baseline_parse("b.tsv", "\r", &b, &e), 0);
	CHECK_INT(b.n, 0);
	check_baseline_fini(&b);
	CHECK_INT(check_baseline_parse("b.tsv", "demo\t{}\tpue\t1\trel\t0.1\r", &b, &e), 0);
	CHECK_INT(b.n, 1);
	check_baseline_fini(&b);
}

static void parse_bad(void)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ "# x\ndemo\t{}\tpue\t1.2\trel\n", "b.tsv:2: expected 6 tab-separated fields" },
		{ "demo\t{}\tpue\tabc\trel\t0.1\n", "b.tsv:1: expected value: expected a finite number, got 'abc'" },
		{ "demo\t{}\tpue\t1.2x\trel\t0.1\n", "got '1.2x'" },
		{ "demo\t{}\tpue\tnan\trel\t0.1\n", "got 'nan'" },
		{ "\n\ndemo\t{}\tpue\t1\twithin\t0.1\n", "b.tsv:3: tolerance kind: expected rel, abs or ci, got 'within'" },
		{ "demo\t{}\tpue\t1\trel\t-1\n", "tolerance: expected a number >= 0, got '-1'" },
		{ "demo\t\tpue\t1\trel\t1\n", "b.tsv:1: expected a scenario, params and metric name" },
		{ "demo\t{}\tpue\t1\trel\t1\textra\n", "b.tsv:1: expected 6 tab-separated fields" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct check_baseline b;
		struct err e = { 0 };
		CHECK_INT(check_baseline_parse("b.tsv", cases[i].text, &b, &e), -1);
		CHECK_HAS(e.msg, cases[i].msg);
		CHECK_INT(b.n, 0);
	}
}

/* Mutated baselines (bytes flipped, deleted, tabs and newlines inserted): the parser returns 0
 * or -1 with a message naming the file and a line, never anything else (run under SAN=1 this
 * also checks memory safety). A deterministic LCG keeps the test repeatable. */
static void parse_mutations(void)
{
	const char *good = "# c\ndemo\t{}\tcarbon_operational_kg\t101\trel\t0.02\n"
			   "demo\t{\"a\":1}\tpue\t1.2e0\tci\t1\n";
	const char alphabet[] = "\t\n\r#-+.eE0123456789abcrlsi{}\"\\ \x01\xff";
	unsigned long long x = 12345;
	size_t len = strlen(good);
	int bad_msgs = 0;
	for (int it = 0; it < 3000; it++) {
		char buf[256];
		memcpy(buf, good, len + 1);
		size_t n = len;
		for (int k = 0; k < 4; k++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			size_t pos = (size_t)(x >> 33) % (n ? n : 1);
			char ch = alphabet[(x >> 20) % (sizeof alphabet - 1)];
			switch ((x >> 12) % 3) {
			case 0: buf[pos] = ch; break;
			case 1: memmove(buf + pos, buf + pos + 1, n - pos); n--; break;
			default:
				if (n + 1 < sizeof buf) {
					memmove(buf + pos + 1, buf + pos, n - pos + 1);
					buf[pos] = ch;
					n++;
				}
			}
			buf[n] = '\0';
		}
		struct check_baseline b;
		struct err e = { 0 };
		int rc = check_baseline_parse("m.tsv", buf, &b, &e);
		if (rc != 0 && (rc != -1 || strncmp(e.msg, "m.tsv:", 6) != 0))
			bad_msgs++;
		if (rc == 0)
			for (size_t i = 0; i < b.n; i++)
				if (!isfinite(b.v[i].expected) || !(b.v[i].tol >= 0))
					bad_msgs++;
		check_baseline_fini(&b);
	}
	CHECK_INT(bad_msgs, 0);
}

static struct study *load(struct store **s)
{
	struct err e = { 0 };
	*s = store_open(db, STORE_READONLY, &e);
	return *s ? study_load(*s, &e) : NULL;
}

static void compare(void)
{
	struct store *s;
	struct study *st = load(&s);
	struct check_baseline b;
	struct check_result res[8];
	struct err e = { 0 };
	size_t moved = 99;
	/* carbon of the baseline: 100, 101, 102 -> mean 101, 95% half-width t(0.975,2) = 4.302653 times 1/sqrt(3) */
	const char *text =
		"demo\t{}\tcarbon_operational_kg\t101.5\trel\t0.01\n"              /* ok: 0.5% */
		"demo\t{}\tcarbon_operational_kg\t103\trel\t0.01\n"                /* moved: 1.9% */
		"demo\t{}\tcarbon_operational_kg\t103\tci\t1\n"                    /* ok: inside CI */
		"demo\t{}\tcarbon_operational_kg\t104\tci\t1\n"                    /* moved: outside */
		"demo\t{\"policies.dispatch\":\"least_loaded\"}\tlatency_p99_s\t2.184\tabs\t0.001\n"
		"demo\t{}\twater_l\t5\trel\t0.1\n"                                 /* missing metric */
		"other\t{}\tpue\t1.2\trel\t0.1\n";                                 /* missing config */
	CHECK(st != NULL);
	if (!st)
		return;
	CHECK_INT(check_baseline_parse("b.tsv", text, &b, &e), 0);
	CHECK_INT(check_evaluate(st, &b, res, &moved, &e), 0);
	CHECK_INT(moved, 4);
	CHECK_INT(res[0].status, CHECK_OK);
	CHECK_INT(res[1].status, CHECK_MOVED);
	CHECK_INT(res[2].status, CHECK_OK);
	CHECK_NEAR(res[2].half, 4.302653 / sqrt(3.0), 1e-6, 0);
	CHECK_INT(res[3].status, CHECK_MOVED);
	CHECK_INT(res[4].status, CHECK_OK);
	CHECK_INT(res[5].status, CHECK_MISSING);
	CHECK_INT(res[6].status, CHECK_MISSING);

	/* the printed table names what moved */
	char out[600];
	path_in(out, sizeof out, "table.txt");
	FILE *f = fopen(out, "w+");
	check_print(f, &b, res, 0);
	rewind(f);
	char *t = fixture_read_stream(f);
	CHECK_HAS(t, "observed (95% CI)");
	CHECK_HAS(t, "-1.94%");
	CHECK_HAS(t, "MOVED");
	CHECK_HAS(t, "MISSING");
	CHECK_HAS(t, "regression: 4 of 7 baseline metrics moved");
	CHECK(!strstr(t, "0.01\tok"));
	free(t);
	check_baseline_fini(&b);
	study_free(st);
	store_close(s);
}

static void ci_needs_replications(void)
{
	char one[600];
	struct err e = { 0 };
	path_in(one, sizeof one, "one.db");
	struct store *s = store_open(one, STORE_CREATE, &e);
	struct metrics ms;
	metrics_init(&ms);
	metrics_set(&ms, "pue", 1.3, "1");
	struct store_run r = { .scenario = "solo", .scenario_hash = "h", .params = "{}", .status = "ok" };
	CHECK_INT(store_write_run(s, &r, &ms, NULL, &e), 0);
	metrics_fini(&ms);
	struct study *st = study_load(s, &e);
	struct check_baseline b;
	struct check_result res[1];
	size_t moved;
	CHECK_INT(check_baseline_parse("b.tsv", "\nsolo\t{}\tpue\t1.3\tci\t1\n", &b, &e), 0);
	CHECK_INT(check_evaluate(st, &b, res, &moved, &e), -1);
	CHECK_HAS(e.msg, "b.tsv:2: tolerance 'ci' needs 2 or more replications");
	check_baseline_fini(&b);
	study_free(st);
	store_close(s);
}

static void main_exit_codes(void)
{
	char base[600], bad[600], moved[600];
	path_in(base, sizeof base, "base.tsv");
	path_in(bad, sizeof bad, "bad.tsv");
	path_in(moved, sizeof moved, "moved.tsv");

	char *w[] = { "check", db, "--baseline", base, "--write-baseline", NULL };
	CHECK_INT(check_main(5, w), 0);
	/* the baseline just written matches its own database */
	char *c[] = { "check", db, "--baseline", base, NULL };
	CHECK_INT(check_main(4, c), 0);
	struct check_baseline b;
	struct err e = { 0 };
	CHECK_INT(check_baseline_read(base, &b, &e), 0);
	CHECK(b.n >= 14); /* 7 metrics x 2 configurations */
	int found = 0;
	for (size_t i = 0; i < b.n; i++)
		if (!strcmp(b.v[i].metric, "carbon_operational_kg") && !strcmp(b.v[i].params, "{}")) {
			found = 1;
			CHECK_NEAR(b.v[i].expected, 101, 1e-12, 0);
			CHECK_INT(b.v[i].kind, CHECK_TOL_CI);
		}
	CHECK(found);
	check_baseline_fini(&b);

	/* --exclude leaves a metric out, and says so in the file */
	char *wx[] = { "check", db, "--baseline", base, "--write-baseline", "--exclude",
		       "carbon_operational_kg", NULL };
	CHECK_INT(check_main(7, wx), 0);
	CHECK_INT(check_baseline_read(base, &b, &e), 0);
	CHECK_INT(b.n, 12);
	for (size_t i = 0; i < b.n; i++)
		CHECK(strcmp(b.v[i].metric, "carbon_operational_kg") != 0);
	check_baseline_fini(&b);

	/* a regression: exit 1 */
	CHECK_INT(write_text(moved, "demo\t{}\tcarbon_operational_kg\t90\trel\t0.05\n"), 0);
	char *m[] = { "check", db, "--baseline", moved, NULL };
	CHECK_INT(check_main(4, m), 1);
	/* bad input: exit 2 */
	CHECK_INT(write_text(bad, "demo\t{}\tcarbon_operational_kg\tlots\trel\t0.05\n"), 0);
	char *x[] = { "check", db, "--baseline", bad, NULL };
	CHECK_INT(check_main(4, x), 2);
	char *nofile[] = { "check", db, "--baseline", "/nonexistent/b.tsv", NULL };
	CHECK_INT(check_main(4, nofile), 2);
	char *nodb[] = { "check", "/nonexistent/x.db", "--baseline", base, NULL };
	CHECK_INT(check_main(4, nodb), 2);
	char *usage[] = { "check", db, NULL };
	CHECK_INT(check_main(2, usage), 2);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	path_in(db, sizeof db, "study.db");
	if (fixture_study(db, 0))
		return 1;
	RUN(parse_good);
	RUN(parse_trailing_cr);
	RUN(parse_bad);
	RUN(parse_mutations);
	RUN(compare);
	RUN(ci_needs_replications);
	RUN(main_exit_codes);
	int rc = CHECK_DONE();
	fixture_remove_dir(tmpdir);
	return rc;
}
