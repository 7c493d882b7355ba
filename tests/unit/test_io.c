/* test_io.c — CSV reader, trace readers, scenario loader (values, overrides, errors), store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "io/csv.h"
#include "io/scenario.h"
#include "io/store.h"
#include "io/trace.h"

static char tmpdir[] = "/tmp/maasim-test-io.XXXXXX";

static const char *write_tmp(const char *name, const char *text)
{
	static char path[8][256];
	static int k;
	char *p = path[k++ % 8];
	FILE *f;

	snprintf(p, 256, "%s/%s", tmpdir, name);
	f = fopen(p, "wb");
	fputs(text, f);
	fclose(f);
	return p;
}

static void test_csv(void)
{
	const char *p = write_tmp("a.csv", "\xEF\xBB\xBFx,\"y, z\",w\r\n\n1,\"say \"\"hi\"\"\",3\r\n4,5,6");
	struct err e;
	struct csv *c;
	char **f;
	double v;

	err_clear(&e);
	c = csv_open(p, ',', 0, &e);
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_INT(csv_next(c, &f, &e), 3);
	CHECK_STR(f[0], "x");
	CHECK_STR(f[1], "y, z");
	CHECK_INT(csv_next(c, &f, &e), 3);
	CHECK_INT(csv_line(c), 3);
	CHECK_STR(f[1], "say \"hi\"");
	CHECK_INT(csv_next(c, &f, &e), 3);
	CHECK_STR(f[2], "6");
	CHECK_INT(csv_next(c, &f, &e), 0);
	CHECK_INT(csv_num(c, "nan", "x", &v, &e), -1);
	CHECK_HAS(e.msg, "expected a finite number");
	err_clear(&e);
	CHECK_INT(csv_num(c, " 2.5 ", "x", &v, &e), 0);
	CHECK_NEAR(v, 2.5, 0, 0);
	csv_free(c);
	CHECK(csv_open("/nonexistent/x.csv", ',', 0, &e) == NULL);
	CHECK_HAS(e.msg, "cannot open");
}

static void test_traces(void)
{
	struct arena a;
	struct trace_data *td;
	struct err e;
	double t;

	arena_init(&a);
	err_clear(&e);
	CHECK_INT(trace_load(write_tmp("az.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n"
						 "2023-11-16 18:15:46.0537769,374,44\n"
						 "2023-11-16 18:15:47.5537769,0,8"), &a, &td, &e), 0);
	if (!e.set) {
		CHECK_INT(td->n, 2);
		CHECK_NEAR(td->t_s[1], 1.5, 1e-9, 0);
		CHECK_INT(td->in_tokens[0], 374);
		CHECK_INT(td->in_tokens[1], 1); /* 0 tokens costs one token of work */
		CHECK_STR(td->format, "azure-llm-2023");
	}
	CHECK_INT(trace_load(write_tmp("mc.jsonl", "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": 5, \"hash_ids\": [1]}\n"
						   "{\"timestamp\": 2500, \"input_length\": 20, \"output_length\": 6}\n"), &a, &td, &e), 0);
	if (!e.set) {
		CHECK_INT(td->n, 2);
		CHECK_NEAR(td->span_s, 2.5, 1e-12, 0);
		CHECK_INT(td->out_tokens[1], 6);
	}
	CHECK_INT(trace_load(write_tmp("back.csv", "t_s,service_s\n0,1\n5,1\n4,1\n"), &a, &td, &e), -1);
	CHECK_HAS(e.msg, "back.csv:4: timestamps go backwards");
	err_clear(&e);
	CHECK_INT(trace_load(write_tmp("neg.csv", "t_s,service_s\n0,-1\n"), &a, &td, &e), -1);
	CHECK_HAS(e.msg, "neg.csv:2: column service_s: expected a time > 0 s");
	err_clear(&e);
	CHECK_INT(trace_load(write_tmp("nocol.csv", "time,x\n0,1\n"), &a, &td, &e), -1);
	CHECK_HAS(e.msg, "needs a t_s column");
	CHECK_INT(trace_parse_datetime("2023-01-01T00:00:00Z", &t), 0);
	CHECK_NEAR(t, 1672531200.0, 0, 0);
	CHECK_INT(trace_parse_datetime("2023-13-01 00:00", &t), -1);
	arena_fini(&a);
}

static const char base_json[] =
	"{ \"name\": \"t\", \"duration_s\": 100, \"datacenter\": {"
	"  \"node_types\": { \"server\": { \"slots\": 2, \"power\": { \"idle_w\": 100, \"peak_w\": 300 } } },"
	"  \"nodes\": [ { \"type\": \"server\", \"count\": 3 } ] },"
	" \"workload\": [ { \"name\": \"jobs\", \"kind\": \"job\","
	"   \"arrival\": { \"process\": \"poisson\", \"rate_per_s\": 2 },"
	"   \"service\": { \"dist\": \"lognormal\", \"mean_s\": 0.5, \"cv\": 1.5 } } ] }";

static void test_scenario_ok(void)
{
	const char *p = write_tmp("ok.json", base_json);
	const char *sets[] = { "policies.dispatch=least_loaded", "workload[0].arrival.rate_per_s=7",
			       "seed=9", "replications=3" };
	struct scenario *s;
	struct err e;

	err_clear(&e);
	CHECK_INT(scenario_load(p, NULL, 0, &s, &e), 0);
	if (!s) {
		fprintf(stderr, "%s\n", e.msg);
		return;
	}
	CHECK_STR(s->policies[POLICY_DISPATCH].desc->name, "fifo");
	CHECK_STR(s->policies[POLICY_POWER].desc->name, "always_on");
	CHECK_INT(s->replications, 1);
	CHECK_INT(s->cluster.groups[0].count, 3);
	CHECK_NEAR(s->classes[0].service.cv, 1.5, 0, 0);
	CHECK_STR(s->params, "{}");
	{
		char h[17];
		memcpy(h, s->hash, sizeof h);
		scenario_free(s);
		CHECK_INT(scenario_load(p, sets, 4, &s, &e), 0);
		if (!s)
			return;
		CHECK(strcmp(h, s->hash) != 0);
	}
	CHECK_STR(s->policies[POLICY_DISPATCH].desc->name, "least_loaded");
	CHECK_NEAR(s->classes[0].arrival.rate_per_s, 7, 0, 0);
	CHECK_INT(s->seed, 9);
	CHECK_INT(s->replications, 3);
	CHECK_HAS(s->params, "\"policies.dispatch\":\"least_loaded\"");
	scenario_free(s);
}

/* Each malformed variant is rejected with the JSON path and the expectation. */
static void test_scenario_errors(void)
{
	static const struct {
		const char *set, *want;
	} cases[] = {
		{ "duration_s=-5", "$.duration_s: expected a number in (0, 1e+10], got -5" },
		{ "workload[0].arrival.rate_per_s=\"fast\"", "$.workload[0].arrival.rate_per_s: expected a number, got \"fast\"" },
		{ "workload[0].arival={}", "unknown key \"arival\" (did you mean \"arrival\"?)" },
		{ "policies.dispatch=least_loded", "did you mean \"least_loaded\"?" },
		{ "datacenter.nodes[0].type=sever", "$.datacenter.nodes[0].type: expected a node type defined in datacenter.node_types (did you mean \"server\"?)" },
		{ "datacenter.node_types.server.power.peak_w=50", "expected peak_w >= idle_w" },
		{ "workload[0].service.dist=weibull", "$.workload[0].service.dist: expected one of" },
		{ "warmup_s=100", "expected warmup_s < duration_s" },
		{ "nope[3]=1", "has no element [3]" },
	};
	const char *p = write_tmp("err.json", base_json);

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct scenario *s;
		struct err e;
		err_clear(&e);
		CHECK_INT(scenario_load(p, &cases[i].set, 1, &s, &e), -1);
		CHECK(s == NULL);
		CHECK_HAS(e.msg, cases[i].want);
		scenario_free(s);
	}
	{
		struct scenario *s;
		struct err e;
		err_clear(&e);
		CHECK_INT(scenario_load(write_tmp("syntax.json", "{\n \"name\": \"x\",\n \"seed\": 1,,\n}"), NULL, 0, &s, &e), -1);
		CHECK_HAS(e.msg, "syntax.json:3:");
		err_clear(&e);
		CHECK_INT(scenario_load(write_tmp("dup.json", "{\"name\": \"a\", \"name\": \"b\"}"), NULL, 0, &s, &e), -1);
		CHECK_HAS(e.msg, "duplicate key \"name\"");
	}
}

/* Profile overrides: the JSON path down to the key, what was expected and the value once
 * (the message is compared whole after the file name). */
static void test_profile_errors(void)
{
	static const char llm_json[] =
		"{\"name\": \"p\", \"seed\": 1, \"duration_s\": 10, \"datacenter\": {\"node_types\":"
		" {\"r\": {\"profile\": {\"base\": \"h100-llama2-70b-tp4\"}}}, \"nodes\": [{\"type\": \"r\","
		" \"count\": 1}]}, \"workload\": [{\"name\": \"c\", \"kind\": \"llm\", \"arrival\":"
		" {\"process\": \"poisson\", \"rate_per_s\": 1}, \"input_tokens\": {\"dist\": \"deterministic\","
		" \"mean\": 100}, \"output_tokens\": {\"dist\": \"deterministic\", \"mean\": 10}}],"
		" \"policies\": {\"dispatch\": \"fifo\"}}";
	static const struct {
		const char *set, *want;
	} cases[] = {
		{ "datacenter.node_types.r.profile.max_batch=0",
		  "$.datacenter.node_types.r.profile.max_batch: expected an integer >= 1, got 0" },
		{ "datacenter.node_types.r.profile.tp=8",
		  "$.datacenter.node_types.r.profile.tp: expected an integer in 1..n_gpus (4), got 8" },
		{ "datacenter.node_types.r.profile.mem_util=2",
		  "$.datacenter.node_types.r.profile.mem_util: expected a fraction in (0, 1], got 2" },
		{ "datacenter.node_types.r.profile.kv_admission=\"lazy\"",
		  "$.datacenter.node_types.r.profile.kv_admission: expected \"reserve\" or \"paged\", got \"lazy\"" },
		{ "datacenter.node_types.r.profile.decode_step_s=[[1,0]]",
		  "$.datacenter.node_types.r.profile.decode_step_s[0]: expected a time (y) > 0, got 0" },
		{ "datacenter.node_types.r.profile.base=\"h100-llama2-70b-tp3\"",
		  "$.datacenter.node_types.r.profile.base: unknown serving profile \"h100-llama2-70b-tp3\"; did you mean \"h100-llama2-70b-tp2\"? (`maasim list` shows all)" },
	};
	const char *p = write_tmp("prof.json", llm_json);
	char want[600];

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct scenario *s;
		struct err e;
		err_clear(&e);
		CHECK_INT(scenario_load(p, &cases[i].set, 1, &s, &e), -1);
		snprintf(want, sizeof want, "%s: %s", p, cases[i].want);
		CHECK_STR(e.msg, want);
		scenario_free(s);
	}
}

/* Embodied carbon per node type: an LLM replica is its GPUs (143 kg each, A100, Boavizta via
 * EcoLogits) plus each GPU's 1/8 share of a 3000 kg 8-GPU server; a server without a profile
 * keeps 4144 kg; a type's own embodied_kg wins. All over 5 years (REFERENCES.md). */
static void test_embodied_per_gpu(void)
{
	static const char json[] =
		"{\"name\": \"emb\", \"seed\": 1, \"duration_s\": 10, \"datacenter\": {\"node_types\": {"
		" \"one\": {\"profile\": \"h100-qwen3-14b-tp1\"},"
		" \"eight\": {\"profile\": \"h100-llama2-70b-tp8\"},"
		" \"own\": {\"profile\": \"h100-qwen3-14b-tp1\", \"embodied_kg\": 1000},"
		" \"plain\": {\"slots\": 1, \"power\": {\"idle_w\": 100, \"peak_w\": 300}, \"llm\": {\"prefill_tokens_per_s\": 4000, \"decode_tokens_per_s\": 30}}},"
		" \"nodes\": [{\"type\": \"one\", \"count\": 4}, {\"type\": \"eight\", \"count\": 2},"
		" {\"type\": \"own\", \"count\": 1}, {\"type\": \"plain\", \"count\": 3}]},"
		" \"workload\": [{\"name\": \"c\", \"kind\": \"llm\", \"arrival\": {\"process\": \"poisson\","
		" \"rate_per_s\": 1}, \"input_tokens\": {\"dist\": \"deterministic\", \"mean\": 100},"
		" \"output_tokens\": {\"dist\": \"deterministic\", \"mean\": 10}}],"
		" \"policies\": {\"dispatch\": \"fifo\"}}";
	struct scenario *s = NULL;
	struct err e;
	const double per_gpu_kg = 143 + 3000.0 / 8; /* 518 kg */
	double want_kg = 4 * 1 * per_gpu_kg + 2 * 8 * per_gpu_kg + 1 * 1000 + 3 * 4144;

	err_clear(&e);
	CHECK_INT(scenario_load(write_tmp("emb.json", json), NULL, 0, &s, &e), 0);
	if (!s) {
		fprintf(stderr, "  %s\n", e.msg);
		return;
	}
	/* an 8-GPU replica equals the 8-GPU server default; a 1-GPU one is an eighth of it */
	CHECK_NEAR(8 * per_gpu_kg, 4144, 1e-12, 0);
	CHECK_NEAR(s->facility.embodied.kg_per_hour, want_kg / (5 * 8760.0), 1e-12, 0);
	scenario_free(s);
}

static int count_rows(void *ctx, int n, const char *const *v, const char *const *c)
{
	(void)n, (void)c;
	*(long *)ctx = atol(v[0]);
	return 0;
}

static void test_store(void)
{
	char path[300];
	struct store *st;
	struct metrics ms;
	struct err e;
	struct store_run r = { "s", "h", "{}", 0, 1, "ok", NULL, "v", "t", 0.5, "key1" };
	long long id = 0;
	long n = -1;
	int found;

	snprintf(path, sizeof path, "%s/r.db", tmpdir);
	err_clear(&e);
	st = store_open(path, STORE_CREATE, &e);
	CHECK(st != NULL);
	if (!st)
		return;
	metrics_init(&ms);
	metrics_set(&ms, "energy_it_kwh", 1.5, "kWh");
	metrics_set(&ms, "energy_it_kwh", 2.5, "kWh"); /* replaces */
	metrics_sample(&ms, 10, "power_it_w", 300);
	CHECK_INT(store_write_run(st, &r, &ms, &id, &e), 0);
	CHECK_INT(id, 1);
	CHECK_INT(store_query(st, "SELECT count(*) FROM metrics WHERE value = 2.5", NULL, 0, count_rows, &n, &e), 0);
	CHECK_INT(n, 1);
	CHECK_INT(store_has_trial(st, "key1", &found, &e), 0);
	CHECK_INT(found, 1);
	/* a second run with the same trial key fails as a whole: no metric row of it remains */
	CHECK_INT(store_write_run(st, &r, &ms, &id, &e), -1);
	CHECK_HAS(e.msg, "UNIQUE");
	err_clear(&e);
	CHECK_INT(store_query(st, "SELECT count(*) FROM metrics", NULL, 0, count_rows, &n, &e), 0);
	CHECK_INT(n, 1);
	metrics_fini(&ms);
	store_close(st);
	CHECK(store_open("/nonexistent-dir/x.db", STORE_CREATE, &e) == NULL);
	CHECK_HAS(e.msg, "cannot open results database");
}

/* Rows of one column into a list (ctx: struct got). */
struct got {
	long v[64];
	int n;
	struct store *st;  /* nested: each row runs the same query again, into inner */
	struct got *inner;
};

static int got_row(void *ctx, int n, const char *const *v, const char *const *c)
{
	struct got *g = ctx;
	struct err e;

	(void)n, (void)c;
	if (g->n < 64)
		g->v[g->n++] = atol(v[0]);
	if (g->st) { /* the outer statement is still stepping: the same SQL needs another one */
		const char *p = "2";
		err_clear(&e);
		if (store_query(g->st, "SELECT value FROM t WHERE k >= ? ORDER BY value", &p, 1,
				got_row, g->inner, &e))
			return -7;
	}
	return 0;
}

/* The store's prepared-statement cache: runs whose series need full and partial multi-row
 * statements, more distinct queries than it holds, a query re-entered from its own row
 * callback, a failed query; and every cached statement finalized by store_close, which is what
 * lets the connection close and remove its write-ahead log. */
static void test_store_statements(void)
{
	char path[300], wal[310], sql[96];
	struct store *st;
	struct err e;
	struct got g, inner;
	const int npts[] = { 1, 64, 65, 130, 1, 200 };
	long n = -1;

	snprintf(path, sizeof path, "%s/cache.db", tmpdir);
	snprintf(wal, sizeof wal, "%s-wal", path);
	err_clear(&e);
	st = store_open(path, STORE_CREATE, &e);
	CHECK(st != NULL);
	if (!st)
		return;
	for (int r = 0; r < 6; r++) {
		struct metrics ms;
		struct store_run run = { "s", "h", "{}", r, 1, "ok", NULL, "v", "t", 0.5, NULL };
		long long id = 0;
		char q[128];

		metrics_init(&ms);
		for (int m = 0; m < 70 + r; m++) { /* 64 rows a statement: one full, then the rest */
			char name[32];
			snprintf(name, sizeof name, "m%03d", m);
			metrics_set(&ms, name, m + 0.25 * r, "1");
		}
		for (int i = 0; i < npts[r]; i++)
			metrics_sample(&ms, i, i % 2 ? "a" : "b", 10.0 * r + i);
		CHECK_INT(store_write_run(st, &run, &ms, &id, &e), 0);
		CHECK_INT(id, r + 1);
		snprintf(q, sizeof q, "SELECT count(*) FROM timeseries WHERE run_id = %lld", id);
		CHECK_INT(store_query(st, q, NULL, 0, count_rows, &n, &e), 0);
		CHECK_INT(n, npts[r]);
		snprintf(q, sizeof q, "SELECT count(*) FROM metrics WHERE run_id = %lld", id);
		CHECK_INT(store_query(st, q, NULL, 0, count_rows, &n, &e), 0);
		CHECK_INT(n, 70 + r);
		CHECK_INT(store_query(st, "SELECT sum(value) FROM timeseries WHERE run_id = (SELECT max(run_id) FROM runs)",
				      NULL, 0, count_rows, &n, &e), 0);
		CHECK_INT(n, (long)(10 * r * npts[r] + npts[r] * (npts[r] - 1) / 2));
		metrics_fini(&ms);
	}
	/* more distinct statements than the cache holds, each twice: evicted ones come back */
	for (int pass = 0; pass < 2; pass++)
		for (int k = 0; k < 40; k++) {
			snprintf(sql, sizeof sql, "SELECT %d + count(*) FROM runs", k);
			n = -1;
			CHECK_INT(store_query(st, sql, NULL, 0, count_rows, &n, &e), 0);
			CHECK_INT(n, k + 6);
		}
	/* the same statement re-entered from its row callback, with another parameter */
	CHECK_INT(store_exec(st, "CREATE TABLE t(k INTEGER, value INTEGER);"
			     "INSERT INTO t VALUES (1, 10), (2, 20), (3, 30);", &e), 0);
	memset(&g, 0, sizeof g);
	memset(&inner, 0, sizeof inner);
	g.st = st;
	g.inner = &inner;
	{
		const char *p = "1";
		CHECK_INT(store_query(st, "SELECT value FROM t WHERE k >= ? ORDER BY value", &p, 1,
				      got_row, &g, &e), 0);
	}
	CHECK_INT(g.n, 3);
	CHECK_INT(g.v[0] + g.v[1] + g.v[2], 60);
	CHECK_INT(inner.n, 6); /* 20 and 30, once per outer row */
	CHECK_INT(inner.v[0] + inner.v[5], 50);
	/* the cached statement is reset after use: the same query again sees a new row */
	CHECK_INT(store_exec(st, "INSERT INTO t VALUES (4, 40);", &e), 0);
	memset(&g, 0, sizeof g);
	{
		const char *p = "1";
		CHECK_INT(store_query(st, "SELECT value FROM t WHERE k >= ? ORDER BY value", &p, 1,
				      got_row, &g, &e), 0);
	}
	CHECK_INT(g.n, 4);
	CHECK_INT(g.v[3], 40);
	/* a bad query fails with a message and leaves the store usable */
	CHECK_INT(store_query(st, "SELECT nonsense FROM nowhere", NULL, 0, NULL, NULL, &e), -1);
	CHECK_HAS(e.msg, "bad query");
	err_clear(&e);
	CHECK_INT(store_query(st, "SELECT count(*) FROM runs", NULL, 0, count_rows, &n, &e), 0);
	CHECK_INT(n, 6);
	CHECK(access(wal, F_OK) == 0); /* open in WAL mode */
	store_close(st);
	/* closed for real: the last connection checkpoints and removes its log, which it cannot
	 * while any statement is left unfinalized */
	CHECK(access(wal, F_OK) != 0);
}

static void test_metrics_check(void)
{
	struct metrics ms;
	struct err e;

	metrics_init(&ms);
	err_clear(&e);
	metrics_set(&ms, "a", 1, "1");
	CHECK_INT(metrics_check(&ms, &e), 0);
	metrics_setf(&ms, 0.0 / 0.0, "1", "class.%s.x", "c");
	CHECK_INT(metrics_check(&ms, &e), -1);
	CHECK_HAS(e.msg, "class.c.x is not finite");
	metrics_fini(&ms);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	RUN(test_csv);
	RUN(test_traces);
	RUN(test_scenario_ok);
	RUN(test_scenario_errors);
	RUN(test_profile_errors);
	RUN(test_embodied_per_gpu);
	RUN(test_store);
	RUN(test_store_statements);
	RUN(test_metrics_check);
	{
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return CHECK_DONE();
}
