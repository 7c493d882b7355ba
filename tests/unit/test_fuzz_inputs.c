/* test_fuzz_inputs.c — replays every fuzzing seed (tests/fuzz/<target>/) and every regression
 * input (tests/fuzz/regressions/<target>-*) through its reader under the reader contract of
 * tests/fuzz/feed.h: a result, or -1 with a message that names the file. Run from the top of
 * the tree (tests/run.sh does), in every build, so make test SAN=1 replays them under ASan and
 * UBSan too.
 */
#define FEED_NO_ABORT
#include "../fuzz/feed.h"

#include <dirent.h>

#include "../check.h"

struct target {
	const char *name;
	int (*feed)(const uint8_t *, size_t);
	int fed, ok;
};

static int feed_trace_csv(const uint8_t *d, size_t n) { return feed_trace(d, n, 0); }
static int feed_trace_jsonl(const uint8_t *d, size_t n) { return feed_trace(d, n, 1); }

static struct target targets[] = {
	{ "scenario", feed_scenario, 0, 0 },   { "scenario_set", feed_scenario_set, 0, 0 },
	{ "trace", feed_trace_csv, 0, 0 },     { "trace_jsonl", feed_trace_jsonl, 0, 0 },
	{ "csv", feed_csv, 0, 0 },             { "sweep", feed_sweep, 0, 0 },
	{ "sweep_wire", feed_sweep_wire, 0, 0 },       { "ftrace", feed_ftrace, 0, 0 },
};
#define N_TARGETS (sizeof targets / sizeof *targets)

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0, got;

	if (!f)
		return NULL;
	do {
		if (len == cap)
			buf = realloc(buf, cap = cap ? 2 * cap : 4096);
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	fclose(f);
	*n = len;
	return buf;
}

/* Feeds one file to t; returns 1 when the contract held. */
static int feed_file(struct target *t, const char *path)
{
	size_t n = 0;
	uint8_t *d = slurp(path, &n);
	int before = feed_broken, rc;

	if (!d) {
		fprintf(stderr, "  cannot read %s\n", path);
		return 0;
	}
	rc = t->feed(d, n);
	free(d);
	t->fed++;
	if (feed_broken != before) {
		fprintf(stderr, "  FAIL contract broken by %s\n", path);
		return 0;
	}
	if (rc == 0)
		t->ok++;
	return 1;
}

static int feed_dir_files(const char *dir, const char *prefix, struct target *t)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[1024];
	int bad = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "README.md") == 0)
			continue;
		if (prefix && (strncmp(de->d_name, prefix, strlen(prefix)) != 0 ||
			       de->d_name[strlen(prefix)] != '-'))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		bad += !feed_file(t, path);
	}
	closedir(d);
	return bad;
}

static void test_seeds(void)
{
	char dir[256];
	int total = 0;

	for (size_t i = 0; i < N_TARGETS; i++) {
		snprintf(dir, sizeof dir, "tests/fuzz/%s", targets[i].name);
		CHECK_INT(feed_dir_files(dir, NULL, &targets[i]), 0);
		CHECK(targets[i].fed > 0); /* every target has seeds */
		total += targets[i].fed;
	}
	/* the seeds include valid inputs: each reader accepted at least one */
	for (size_t i = 0; i < N_TARGETS; i++)
		if (!targets[i].ok)
			fprintf(stderr, "  FAIL no seed of %s was accepted\n", targets[i].name);
	for (size_t i = 0; i < N_TARGETS; i++)
		CHECK(targets[i].ok > 0);
	printf("fed %d seed inputs\n", total);
}

static void test_regressions(void)
{
	int before[N_TARGETS], n = 0;

	for (size_t i = 0; i < N_TARGETS; i++) {
		before[i] = targets[i].fed;
		CHECK_INT(feed_dir_files("tests/fuzz/regressions", targets[i].name, &targets[i]), 0);
		n += targets[i].fed - before[i];
	}
	printf("fed %d regression inputs\n", n);
}

/* The contract checker itself must catch a reader that fails without saying why. */
static void test_checker_catches(void)
{
	struct err e;
	int before = feed_broken;

	err_clear(&e);
	feed_verdict("self-test", -1, 0, &e, "x");
	CHECK_INT(feed_broken, before + 1);
	err_set(&e, "y: wrong file named");
	feed_verdict("self-test", -1, 0, &e, "x");
	CHECK_INT(feed_broken, before + 2);
	feed_broken = before;
}

int main(void)
{
	RUN(test_checker_catches);
	RUN(test_seeds);
	RUN(test_regressions);
	feed_cleanup();
	return CHECK_DONE();
}
