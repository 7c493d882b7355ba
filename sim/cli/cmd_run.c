/* cmd_run.c — `maasim run`, `maasim validate` and `maasim list`.
 *
 * run: the scenario is loaded and validated completely (traces included) before the results
 * database is opened, so bad input leaves nothing behind. Each replication is one transaction in
 * the database; a replication whose books do not close is stored with status "failed" and its
 * reason, and the command exits 1 after the others have run.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/run.h"
#include "dc/profile.h"
#include "engine/stats.h"
#include "engine/xalloc.h"
#include "io/scenario.h"
#include "io/store.h"

#ifndef MAASIM_VERSION
#define MAASIM_VERSION "0.1.0"
#endif
#ifndef MAASIM_COMMIT
#define MAASIM_COMMIT "unknown"
#endif

const char *cli_version(void) { return MAASIM_VERSION " (commit " MAASIM_COMMIT ")"; }

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void iso_now(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int bad_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "maasim %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(maasim %s --help for usage)\n", cmd);
	return 2;
}

/* Scenario arguments shared by run and validate: SCENARIO, --set, --seed, --replications. */
struct scn_args {
	const char *scenario, *db;
	const char **sets;
	size_t n_sets;
	int quiet;
	char **owned;
	size_t n_owned;
};

static void scn_args_fini(struct scn_args *a)
{
	for (size_t i = 0; i < a->n_owned; i++)
		free(a->owned[i]);
	free(a->owned);
	free(a->sets);
}

static int is_uint(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static void add_set(struct scn_args *a, const char *key, const char *val)
{
	size_t n = strlen(key) + strlen(val) + 2;
	char *s = xmalloc(n);
	snprintf(s, n, "%s=%s", key, val);
	a->owned = xrealloc(a->owned, (a->n_owned + 1) * sizeof *a->owned);
	a->owned[a->n_owned++] = s;
	a->sets = xrealloc(a->sets, (a->n_sets + 1) * sizeof *a->sets);
	a->sets[a->n_sets++] = s;
}

static int parse_scn_args(const char *cmd, int argc, char **argv, struct scn_args *a, int with_db)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		int has_val = i + 1 < argc;
		if (strcmp(o, "--set") == 0) {
			if (!has_val)
				return bad_usage(cmd, "%s needs PATH=VALUE", o);
			a->sets = xrealloc(a->sets, (a->n_sets + 1) * sizeof *a->sets);
			a->sets[a->n_sets++] = argv[++i];
		} else if (strncmp(o, "--set=", 6) == 0) {
			a->sets = xrealloc(a->sets, (a->n_sets + 1) * sizeof *a->sets);
			a->sets[a->n_sets++] = o + 6;
		} else if (strcmp(o, "--seed") == 0) {
			if (!has_val || !is_uint(argv[i + 1]) || strlen(argv[i + 1]) > 15)
				return bad_usage(cmd, "%s needs a whole number (at most 15 digits)", o);
			add_set(a, "seed", argv[++i]);
		} else if (strcmp(o, "--replications") == 0) {
			if (!has_val || !is_uint(argv[i + 1]) || atol(argv[i + 1]) < 1 || strlen(argv[i + 1]) > 6)
				return bad_usage(cmd, "%s needs a whole number >= 1", o);
			add_set(a, "replications", argv[++i]);
		} else if (with_db && strcmp(o, "--db") == 0) {
			if (!has_val || !*argv[i + 1])
				return bad_usage(cmd, "%s needs a file name", o);
			a->db = argv[++i];
		} else if (with_db && (strcmp(o, "-q") == 0 || strcmp(o, "--quiet") == 0)) {
			a->quiet = 1;
		} else if (o[0] == '-' && o[1]) {
			return bad_usage(cmd, "unknown option \"%s\"", o);
		} else if (!a->scenario) {
			a->scenario = o;
		} else {
			return bad_usage(cmd, "unexpected argument \"%s\" (one scenario at a time)", o);
		}
	}
	if (!a->scenario)
		return bad_usage(cmd, "%s", "missing SCENARIO.json");
	return 0;
}

static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

/* Shared start of run and validate: --help, the arguments, the scenario. Returns -1 when the
 * scenario is loaded (*sc set; the caller frees it and a), else the exit code to return now. */
static int scn_start(const char *cmd, const char *help, int argc, char **argv, int with_db,
		     struct scn_args *a, struct scenario **sc)
{
	struct err e;
	int rc;

	memset(a, 0, sizeof *a);
	*sc = NULL;
	if (wants_help(argc, argv)) {
		fputs(help, stdout);
		return 0;
	}
	if ((rc = parse_scn_args(cmd, argc, argv, a, with_db)) != 0) {
		scn_args_fini(a);
		return rc;
	}
	err_clear(&e);
	if (scenario_load(a->scenario, a->sets, a->n_sets, sc, &e)) {
		fprintf(stderr, "maasim: %s\n", e.msg);
		scn_args_fini(a);
		return 2;
	}
	return -1;
}

/* ---- summary across replications ---- */

struct agg {
	char name[96], unit[24];
	struct tally t;
};

struct summary {
	struct agg *a;
	size_t n, cap;
};

static void summary_add(struct summary *s, const struct metrics *ms)
{
	for (size_t i = 0; i < ms->n; i++) {
		size_t k;
		for (k = 0; k < s->n; k++)
			if (strcmp(s->a[k].name, ms->m[i].name) == 0)
				break;
		if (k == s->n) {
			xgrow((void **)&s->a, &s->cap, s->n + 1, sizeof *s->a);
			memcpy(s->a[k].name, ms->m[i].name, sizeof s->a[k].name);
			memcpy(s->a[k].unit, ms->m[i].unit, sizeof s->a[k].unit);
			tally_init(&s->a[k].t);
			s->n++;
		}
		tally_add(&s->a[k].t, ms->m[i].value);
	}
}

static void summary_print(const struct summary *s, long reps)
{
	printf("\n%-40s %14s %12s  %s\n", "metric", "mean", "95% CI +/-", "unit");
	for (size_t k = 0; k < s->n; k++) {
		const struct agg *a = &s->a[k];
		if (a->t.n >= 2)
			printf("%-40s %14.6g %12.3g  %s\n", a->name, a->t.mean,
			       stats_t95_halfwidth(tally_sd(&a->t), a->t.n), a->unit);
		else
			printf("%-40s %14.6g %12s  %s\n", a->name, a->t.mean, "-", a->unit);
	}
	printf("(%ld replication%s; interval: Student-t 95%% over replications)\n", reps,
	       reps == 1 ? "" : "s");
}

static const char run_help[] =
	"usage: maasim run SCENARIO.json [--db FILE] [--seed N] [--replications N] [--set PATH=VALUE]... [-q]\n"
	"\nRuns every replication of the scenario, writes each as one transaction to the results\n"
	"database (default maasim.db) and prints each metric's mean and 95% confidence interval.\n"
	"  --db FILE          results database (SQLite; created if missing)\n"
	"  --seed N           override the scenario's seed\n"
	"  --replications N   override the number of replications\n"
	"  --set PATH=VALUE   override any scenario value by its JSON path, e.g.\n"
	"                     --set policies.dispatch=least_loaded --set workload[0].arrival.rate_per_s=5\n"
	"  -q, --quiet        print only the summary table\n"
	"exit: 0 all runs ok, 1 a run failed its checks, 2 bad usage or input\n";

int cmd_run(int argc, char **argv)
{
	struct scn_args a;
	struct scenario *sc = NULL;
	struct store *st = NULL;
	struct summary sum = { 0 };
	struct err e;
	int failed = 0, rc;

	if ((rc = scn_start("run", run_help, argc, argv, 1, &a, &sc)) >= 0)
		return rc;
	err_clear(&e);
	if (!a.db)
		a.db = "maasim.db";
	if (!(st = store_open(a.db, STORE_CREATE, &e)) ||
	    store_put_scenario(st, sc->hash, sc->name, sc->json, &e)) {
		fprintf(stderr, "maasim: %s\n", e.msg);
		store_close(st);
		scenario_free(sc);
		scn_args_fini(&a);
		return 2;
	}
	if (!a.quiet)
		printf("maasim %s: scenario \"%s\" (%s), %ld replication(s) of %g s\n", cli_version(),
		       sc->name, sc->hash, sc->replications, sc->duration_s);
	for (long rep = 0; rep < sc->replications; rep++) {
		struct metrics ms;
		struct run_info info;
		struct store_run row;
		char started[32], why[ERR_MSG_MAX];
		double t0 = wall_now(), wall;
		long long id;
		int ok;

		metrics_init(&ms);
		iso_now(started, sizeof started);
		err_clear(&e);
		ok = run_replication(sc, rep, &ms, &info, &e) == 0;
		wall = wall_now() - t0;
		/* the reason is copied: e is cleared before the store reuses it */
		snprintf(why, sizeof why, "%s", e.msg);
		row = (struct store_run){ sc->name, sc->hash, sc->params, rep, sc->seed,
					  ok ? "ok" : "failed", ok ? NULL : why, cli_version(), started,
					  wall, NULL };
		if (!ok) {
			fprintf(stderr, "maasim: replication %ld FAILED: %s\n", rep, e.msg);
			failed++;
			metrics_reset(&ms); /* a failed run's numbers are not results */
		}
		err_clear(&e);
		if (store_write_run(st, &row, &ms, &id, &e)) {
			fprintf(stderr, "maasim: %s\nmaasim: replication %ld not stored; the %ld stored before it are kept; stopping\n",
				e.msg, rep, rep);
			metrics_fini(&ms);
			failed++;
			break;
		}
		if (ok)
			summary_add(&sum, &ms);
		if (!a.quiet)
			printf("replication %ld: run %lld, %llu events in %.3f s (%.3g events/s)%s\n", rep, id,
			       (unsigned long long)info.events, wall,
			       wall > 0 ? (double)info.events / wall : 0.0, ok ? "" : " FAILED");
		metrics_fini(&ms);
	}
	summary_print(&sum, sc->replications);
	if (!a.quiet)
		printf("results: %s\n", a.db);
	free(sum.a);
	store_close(st);
	scenario_free(sc);
	scn_args_fini(&a);
	return failed ? 1 : 0;
}

static const char validate_help[] =
	"usage: maasim validate SCENARIO.json [--seed N] [--replications N] [--set PATH=VALUE]...\n"
	"\nChecks the scenario and every trace it names without running it. Exit 0 when valid,\n"
	"2 with a message naming the file, the JSON path and what was expected otherwise.\n";

int cmd_validate(int argc, char **argv)
{
	struct scn_args a;
	struct scenario *sc = NULL;
	int rc;
	long nodes = 0;

	if ((rc = scn_start("validate", validate_help, argc, argv, 0, &a, &sc)) >= 0)
		return rc;
	for (size_t g = 0; g < sc->cluster.n_groups; g++)
		nodes += sc->cluster.groups[g].count;
	printf("%s: valid: scenario \"%s\" (hash %s): %zu node type(s), %ld node(s), %zu class(es), %g s x %ld replication(s)\n",
	       a.scenario, sc->name, sc->hash, sc->cluster.n_types, nodes, sc->n_classes,
	       sc->duration_s, sc->replications);
	for (size_t c = 0; c < sc->n_classes; c++) {
		const struct class_cfg *cc = &sc->classes[c];
		if (cc->arrival.trace)
			printf("  class %s: trace %s (%s, %zu records over %.1f s)\n", cc->name,
			       cc->arrival.path, cc->arrival.trace->format, cc->arrival.trace->n,
			       cc->arrival.trace->span_s);
	}
	if (sc->model.variant) /* models section (io/scenario_models.c) */
		printf("  model %s (%s factors): prefill time x%.3g, decode time x%.3g, weights x%.3g, "
		       "accuracy %.4f; %s\n", sc->model.variant, sc->model.mapping,
		       sc->model.time_factor_prefill, sc->model.time_factor_decode,
		       sc->model.memory_factor, sc->model.accuracy, sc->model.provenance);
	scenario_free(sc);
	scn_args_fini(&a);
	return 0;
}

int cmd_list(int argc, char **argv)
{
	(void)argv;
	if (argc > 1 && !wants_help(argc, argv)) {
		fprintf(stderr, "maasim list: takes no arguments\n");
		return 2;
	}
	printf("policies (scenario key policies.KIND: NAME or {\"name\": NAME, ...parameters}):\n");
	for (int k = 0; k < POLICY_KINDS; k++) {
		const struct policy_desc *d;
		printf("  %s (default %s):\n", policy_kind_names[k], policy_default_names[k]);
		for (size_t i = 0; (d = policy_at((enum policy_kind)k, i)) != NULL; i++) {
			printf("    %-22s %s\n", d->name, d->doc);
			for (int p = 0; d->params[p].name; p++) {
				const struct param_desc *pd = &d->params[p];
				if (pd->type == PARAM_NUM)
					printf("      %-20s %s [%s] (default %g, range %g..%g)\n", pd->name,
					       pd->doc, pd->unit ? pd->unit : "", pd->def, pd->min, pd->max);
				else
					printf("      %-20s %s (default %s)\n", pd->name, pd->doc,
					       pd->def_s ? pd->def_s : "required");
			}
		}
	}
	printf("arrival processes (workload[i].arrival.process):\n"
	       "    %-22s %s\n    %-22s %s\n",
	       "poisson", "exponential inter-arrival times at rate_per_s",
	       "trace", "replay a trace file (Azure LLM 2023 CSV, Mooncake JSONL, or CSV with t_s): path, time_scale, loop, start_s");
	printf("    %-22s %s\n    %-22s %s\n", /* sim/dc/arrival.c */
	       "diurnal", "Poisson with a periodic rate profile, by thinning: rate_per_s (mean), shape [..] or path (CSV) + column, step_s, offset_s",
	       "mmpp", "Markov-modulated Poisson (bursty): rates_per_s [..], mean_sojourn_s [..] per state");
	printf("service and token distributions (dist):\n"
	       "    %-22s %s\n    %-22s %s\n    %-22s %s\n    %-22s %s\n    %-22s %s\n",
	       "deterministic", "always the mean", "exponential", "exponential with the mean",
	       "lognormal", "lognormal with the mean and cv (sd/mean)", "gamma",
	       "gamma with the mean and cv", "empirical", "uniform draw from a list of values");
	printf("node types (datacenter.node_types.NAME):\n"
	       "    %-22s %s\n", "generic server",
	       "{\"slots\": N, \"power\": {\"idle_w\": W, \"peak_w\": W}, \"llm\": {\"prefill_tokens_per_s\": R, \"decode_tokens_per_s\": R}}");
	/* serving profiles (sim/dc/profile.c) */
	printf("    %-22s %s\n", "LLM replica",
	       "{\"profile\": NAME} or {\"profile\": {\"base\": NAME, ...overrides}}; NAME one of:");
	for (size_t i = 0; i < profile_builtin_count(); i++) {
		char name[PROFILE_NAME_MAX], doc[256];
		profile_builtin_name(i, name, sizeof name, doc, sizeof doc);
		printf("      %-30s %s\n", name, doc);
	}
	return 0;
}
