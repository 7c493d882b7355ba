/* test_llm.c — LLM replicas inside the datacenter and the engine: the power-policy verbs
 * (sleep, wake on arrival, power-cap state) and exact energy, on a one-replica scenario driven
 * by the real event loop; and consecutive replica steps, with the arrivals between them, taken
 * in one handler (llm_set_chain) giving bit-identical results to one event per step and per
 * arrival, on busy multi-replica scenarios; and the order at an exact tie between a replica
 * step and an arrival (the step first), in place and through the event list; and dc's request
 * pool growing line-aligned under a burst. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check.h"
#include "dc/batch.h"
#include "dc/dc.h"
#include "dc/llm.h"
#include "dc/profile.h"
#include "engine/sim.h"
#include "io/scenario.h"
#include "policy/dispatch.h"

struct ctx {
	struct dc dc;
	int sleep_rc;
	int phase_after_sleep;
};

static void do_sleep(struct sim *s, void *obj, uint64_t arg)
{
	struct ctx *c = obj;
	(void)s;
	(void)arg;
	c->sleep_rc = llm_sleep(&c->dc, 0, PROFILE_SLEEP);
	c->phase_after_sleep = llm_phase(&c->dc, 0);
}

static void do_cap(struct sim *s, void *obj, uint64_t arg)
{
	struct ctx *c = obj;
	(void)s;
	llm_set_pstate(&c->dc, 0, (int)arg);
}

/* Puts every idle replica to sleep (busy ones refuse). */
static void do_sleep_idle(struct sim *s, void *obj, uint64_t arg)
{
	struct ctx *c = obj;
	(void)s;
	(void)arg;
	for (uint32_t n = 0; n < c->dc.n_nodes; n++)
		if (llm_node(&c->dc, n))
			llm_sleep(&c->dc, n, PROFILE_SLEEP);
}

/* A scenario and its trace in a fresh temporary directory (fixture_open; 0 on success), removed
 * by fixture_close. */
struct fixture {
	char dir[32], scn[256], tr[256];
};

static int fixture_open(struct fixture *fx)
{
	snprintf(fx->dir, sizeof fx->dir, "/tmp/maasim-llm-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->scn, sizeof fx->scn, "%s/s.json", fx->dir);
	snprintf(fx->tr, sizeof fx->tr, "%s/tr.csv", fx->dir);
	return 0;
}

static void fixture_close(const struct fixture *fx)
{
	unlink(fx->tr);
	unlink(fx->scn);
	rmdir(fx->dir);
}

/* What run_fixture does around the run: schedule controls before it (before) and look at the
 * datacenter and the simulation after it, before they are torn down (after); either may be
 * NULL. */
struct run_hooks {
	void (*before)(struct sim *sim, struct ctx *c, void *arg);
	void (*after)(const struct sim *sim, struct ctx *c, void *arg);
	void *arg;
};

/* Loads the fixture's scenario and runs it through dc and the event loop, with chained steps on
 * or off (chain): the report into ms, the books checked. Returns 0, or -1 if it did not load
 * (the message printed). */
static int run_fixture(const struct fixture *fx, int chain, struct ctx *c, struct metrics *ms,
		       const struct run_hooks *h)
{
	struct scenario *sc;
	struct err e = { 0 };
	struct sim sim;

	if (scenario_load(fx->scn, NULL, 0, &sc, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	sim_init(&sim);
	sim.horizon_s = sc->duration_s;
	dc_init(&c->dc, &sim, &sc->cluster, sc->classes, sc->n_classes, sc->seed, 0);
	llm_set_chain(&c->dc, chain);
	dispatch_attach(&c->dc, &sc->policies[POLICY_DISPATCH]);
	dc_start_arrivals(&c->dc);
	if (h && h->before)
		h->before(&sim, c, h->arg);
	sim_run(&sim, sc->duration_s, 0);
	dc_report(&c->dc, ms);
	CHECK_INT(dc_books_error(&c->dc), 0);
	if (h && h->after)
		h->after(&sim, c, h->arg);
	dc_fini(&c->dc);
	sim_fini(&sim);
	scenario_free(sc);
	return 0;
}

struct sleep_run {
	int cap;
	double energy_j;
};

static void sleep_before(struct sim *sim, struct ctx *c, void *arg)
{
	const struct sleep_run *r = arg;
	sim_at(sim, 10, SIM_PRIO_CONTROL, do_sleep, c, 0);
	if (r->cap)
		sim_at(sim, 500, SIM_PRIO_CONTROL, do_cap, c, 1); /* pstates[1] = cap-w2w */
}

static void sleep_after(const struct sim *sim, struct ctx *c, void *arg)
{
	struct sleep_run *r = arg;
	(void)sim;
	r->energy_j = dc_it_energy_j(&c->dc);
}

/* One replica of h100-llama2-70b-tp4; trace records at 100 s and 1000 s (512 in, 101 out),
 * i.e. arrivals at 0 and 900 s (a trace starts at its first record). The replica is put to
 * sleep at 10 s (after the first request); optionally capped with "cap-w2w" at 500 s. */
static int run(int cap, struct metrics *ms, double *energy_j, struct ctx *c)
{
	struct fixture fx;
	struct sleep_run r = { .cap = cap, .energy_j = NAN };
	const struct run_hooks h = { sleep_before, sleep_after, &r };
	FILE *f;
	int rc;

	if (fixture_open(&fx))
		return -1;
	f = fopen(fx.tr, "w");
	fprintf(f, "t_s,input_tokens,output_tokens\n100,512,101\n1000,512,101\n");
	fclose(f);
	f = fopen(fx.scn, "w");
	fprintf(f, "{ \"name\": \"t\", \"seed\": 1, \"duration_s\": 2000, \"warmup_s\": 0, "
		"\"replications\": 1, \"datacenter\": { \"node_types\": { \"r\": { \"profile\": "
		"\"h100-llama2-70b-tp4\" } }, \"nodes\": [ { \"type\": \"r\", \"count\": 1 } ] }, "
		"\"workload\": [ { \"name\": \"c\", \"kind\": \"llm\", \"arrival\": { \"process\": "
		"\"trace\", \"path\": \"tr.csv\", \"start_s\": 0 } } ], \"policies\": { \"dispatch\": "
		"\"fifo\" }, \"outputs\": { \"series_interval_s\": 0 } }\n");
	fclose(f);
	rc = run_fixture(&fx, 1, c, ms, &h);
	*energy_j = r.energy_j;
	fixture_close(&fx);
	return rc;
}

static void test_sleep_wake_cap_in_engine(void)
{
	struct profile_config pc;
	struct err e = { 0 };
	struct metrics m0, m1;
	struct ctx c0 = { 0 }, c1 = { 0 };
	double e0, e1;

	CHECK_INT(profile_builtin("h100-llama2-70b-tp4", &pc, &e), 0);
	struct profile *p = profile_new(&pc, &e);
	if (!p)
		return;
	profile_set_warn_stream(p, NULL);
	metrics_init(&m0);
	metrics_init(&m1);
	if (run(0, &m0, &e0, &c0) || run(1, &m1, &e1, &c1)) {
		CHECK(0);
		return;
	}
	CHECK_INT(c0.sleep_rc, 0);
	CHECK_INT(c0.phase_after_sleep, PROFILE_SLEEP);
	double pre = profile_prefill_s(p, 512, 1, 0), s1 = profile_decode_step_s(p, 1, 0);
	double wake = profile_wake_s(p, PROFILE_SLEEP);
	double idle = profile_node_power_w(p, PROFILE_IDLE, 0, 0);
	double sleep = profile_node_power_w(p, PROFILE_SLEEP, 0, 0);
	double busy = profile_node_power_w(p, PROFILE_PREFILL, 1, 0) * pre +
		profile_node_power_w(p, PROFILE_DECODE, 1, 0) * 100 * s1;
	/* request 1 found the replica idle; request 2 waited for the wake-up */
	CHECK_NEAR(*metrics_get(&m0, "ttft_mean_s"), (pre + wake + pre) / 2, 1e-9, 0);
	CHECK_NEAR(*metrics_get(&m0, "latency_mean_s"), (wake + pre + 100 * s1 + pre + 100 * s1) / 2,
		1e-9, 0);
	/* energy, exact: request 1, idle to 10 s, asleep 10-900 s, idle while waking, request 2,
	 * idle to the end */
	double busy_t = 2 * (pre + 100 * s1);
	CHECK_NEAR(e0, busy + idle * (10 - busy_t / 2) + sleep * 890 + idle * wake + busy +
		idle * (2000 - 900 - wake - busy_t / 2), 1e-9, 0);
	/* with the W2W cap from 500 s on, the second request decodes 1.065 x slower at 0.723 x
	 * power: 23% less decode energy */
	double tp0 = *metrics_get(&m0, "tpot_mean_s"), tp1 = *metrics_get(&m1, "tpot_mean_s");
	CHECK_NEAR(tp1, tp0 * (1 + 1.065) / 2, 1e-9, 0);
	double dec = profile_node_power_w(p, PROFILE_DECODE, 1, 0) * 100 * s1;
	double pre_e = profile_node_power_w(p, PROFILE_PREFILL, 1, 0) * pre;
	/* second request under the cap: prefill and decode energy x 0.77, 6.5% longer busy */
	CHECK_NEAR(e1, e0 - 0.23 * (dec + pre_e) - idle * 0.065 * (pre + 100 * s1), 1e-9, 0);
	metrics_fini(&m0);
	metrics_fini(&m1);
	profile_free(p);
}

struct busy_run {
	int trace;
	uint64_t events, chained;
	double energy_j;
};

static void busy_before(struct sim *sim, struct ctx *c, void *arg)
{
	const struct busy_run *r = arg;
	for (int k = 1; 7 * k < 300; k++) {
		sim_at(sim, 7.0 * k, SIM_PRIO_CONTROL, do_cap, c, (uint64_t)(k % 2));
		if (r->trace)
			sim_at(sim, 7.0 * k, SIM_PRIO_CONTROL, do_sleep_idle, c, 0);
	}
}

static void busy_after(const struct sim *sim, struct ctx *c, void *arg)
{
	struct busy_run *r = arg;
	r->energy_j = dc_it_energy_j(&c->dc);
	r->events = sim->events;
	r->chained = c->dc.chained;
}

/* A busy multi-replica scenario (profile JSON, nodes JSON) run with chained steps on or off;
 * fills ms with the report, *chained with the arrivals and completions fired in place, and
 * returns the event count (0 on a setup failure). A control event every 7 s switches replica
 * 0's power-cap state, so replica steps interleave with other events, some at equal times with
 * the chain's candidates. trace: arrivals from a trace at multiples of 0.25 s (12 a second on
 * average, token counts varying), so arrivals tie with the control events, and every 7 s the
 * idle replicas are put to sleep: with a wake latency of a multiple of 0.25 s, a woken
 * replica's step ties with a later arrival; else Poisson arrivals. */
static uint64_t run_busy(int chain, const char *profile, const char *nodes, int trace,
			 struct metrics *ms, double *energy_j, uint64_t *chained)
{
	struct fixture fx;
	char arrival[320];
	struct ctx c = { 0 };
	struct busy_run r = { .trace = trace, .energy_j = NAN };
	const struct run_hooks h = { busy_before, busy_after, &r };
	FILE *f;

	if (fixture_open(&fx))
		return 0;
	snprintf(arrival, sizeof arrival, "%s", trace ?
		 "\"arrival\": { \"process\": \"trace\", \"path\": \"tr.csv\", \"start_s\": 0 }" :
		 "\"arrival\": { \"process\": \"poisson\", \"rate_per_s\": 12 }, "
		 "\"input_tokens\": { \"dist\": \"lognormal\", \"mean\": 900, \"cv\": 1 }, "
		 "\"output_tokens\": { \"dist\": \"lognormal\", \"mean\": 150, \"cv\": 1 }");
	if (trace) {
		f = fopen(fx.tr, "w");
		fprintf(f, "t_s,input_tokens,output_tokens\n");
		/* 3 of every 12 quarter-seconds empty, the others 1-2 requests: 12 a second */
		for (int q = 0, k = 0; q < 4 * 310; q++)
			for (int j = 0; j < (q % 4 == 3 ? 0 : 1 + (q % 3 == 0)); j++, k++)
				fprintf(f, "%g,%d,%d\n", 0.25 * q, 200 + (k * 397) % 1800,
					20 + (k * 61) % 300);
		fclose(f);
	}
	f = fopen(fx.scn, "w");
	fprintf(f, "{ \"name\": \"t\", \"seed\": 7, \"duration_s\": 300, \"warmup_s\": 40, "
		"\"replications\": 1, \"datacenter\": { \"node_types\": { \"r\": { \"profile\": "
		"%s }, \"cpu\": { \"slots\": 2, \"power\": { \"idle_w\": 100, \"peak_w\": 300 }, "
		"\"llm\": { \"prefill_tokens_per_s\": 4000, \"decode_tokens_per_s\": 40 } } }, "
		"\"nodes\": %s }, \"workload\": [ { \"name\": \"c\", \"kind\": \"llm\", %s } ], "
		"\"policies\": { \"dispatch\": \"least_loaded\" }, "
		"\"outputs\": { \"series_interval_s\": 0 } }\n", profile, nodes, arrival);
	fclose(f);
	if (run_fixture(&fx, chain, &c, ms, &h))
		r.events = 0;
	*energy_j = r.energy_j;
	*chained = r.chained;
	fixture_close(&fx);
	return r.events;
}

static void check_chain_same(const char *profile, const char *nodes, int trace, int held)
{
	struct metrics a, b;
	double ea, eb;
	uint64_t na, nb, ca, cb;
	int differ = 0;

	metrics_init(&a);
	metrics_init(&b);
	na = run_busy(1, profile, nodes, trace, &a, &ea, &ca);
	nb = run_busy(0, profile, nodes, trace, &b, &eb, &cb);
	CHECK(na > 0);
	CHECK(na == nb);
	/* held: dc.c's held arrivals between replica steps taken by the run of steps too
	 * (sim_take_held_before: replicas only); else only dc.c's own takes, chained or not */
	CHECK(held ? ca > cb : ca == cb);
	CHECK(ea == eb);
	CHECK(a.n == b.n && a.n > 20);
	for (size_t i = 0; i < a.n && a.n == b.n; i++) {
		/* bit for bit (NaN-free metrics: a NaN would fail this too) */
		if (strcmp(a.m[i].name, b.m[i].name) != 0 || a.m[i].value != b.m[i].value) {
			if (!differ)
				fprintf(stderr, "  chained and unchained runs differ at %s: %.17g vs %.17g\n",
					a.m[i].name, a.m[i].value, b.m[i].value);
			differ++;
		}
	}
	CHECK_INT(differ, 0);
	metrics_fini(&a);
	metrics_fini(&b);
}

static void test_chained_steps_change_nothing(void)
{
	/* stall prefill, reserved KV; 16 replicas */
	check_chain_same("\"h100-llama2-70b-tp4\"", "[ { \"type\": \"r\", \"count\": 16 } ]", 0, 1);
	/* trace arrivals at multiples of 0.25 s, tying with the control events, and sleeping
	 * replicas woken in 0.5 s, whose wake-up steps tie with arrivals */
	check_chain_same("{ \"base\": \"h100-llama2-70b-tp4\", \"wake_sleep_s\": 0.5 }",
			 "[ { \"type\": \"r\", \"count\": 48 } ]", 1, 1);
	/* folded prefill, paged KV in a small cache (preemptions); slot servers alongside */
	check_chain_same("{ \"base\": \"h100-llama2-70b-tp8\", \"prefill_mode\": \"folded\", "
			 "\"kv_admission\": \"paged\", \"mem_util\": 0.22 }",
			 "[ { \"type\": \"r\", \"count\": 6 }, { \"type\": \"cpu\", \"count\": 3 } ]", 0, 0);
}


/* Two replicas of a profile with constant times (prefill 0.5 s, decode step 0.25 s: every time
 * below is exact in binary), least_loaded dispatch, a trace of two requests (100 in, 3 out) at
 * 0 and 1 s. The first goes to replica 0 and completes there at exactly 1 s (prefill to 0.5 s,
 * two decode steps), when the second arrives. At that tie the replica step goes first
 * (SIM_PRIO_DEPART before SIM_PRIO_ARRIVE; in place, next_in_place fires a held arrival only
 * when it is strictly earlier): replica 0 is then empty again, and the second request goes to
 * it too (the lower id of two equal loads), so every request started on one node. Had the
 * arrival gone first, replica 0 would still count the first request and the second would go to
 * replica 1. chain: steps and arrivals fired in place (the held arrival) or one event each
 * (the event list's order). Returns the run's node_share_max (NAN on a setup failure). */
struct tie_run {
	double share, ttft;
	uint64_t chained;
};

static void tie_after(const struct sim *sim, struct ctx *c, void *arg)
{
	struct tie_run *r = arg;
	(void)sim;
	r->chained = c->dc.chained;
}

static double run_tie(int chain, double *ttft, uint64_t *chained)
{
	struct fixture fx;
	struct ctx c = { 0 };
	struct metrics ms;
	struct tie_run r = { .share = NAN };
	const struct run_hooks h = { NULL, tie_after, &r };
	FILE *f;

	if (fixture_open(&fx))
		return NAN;
	f = fopen(fx.tr, "w");
	fprintf(f, "t_s,input_tokens,output_tokens\n100,100,3\n101,100,3\n");
	fclose(f);
	f = fopen(fx.scn, "w");
	fprintf(f, "{ \"name\": \"t\", \"seed\": 1, \"duration_s\": 10, \"warmup_s\": 0, "
		"\"replications\": 1, \"datacenter\": { \"node_types\": { \"r\": { \"profile\": "
		"{ \"base\": \"h100-llama2-70b-tp8\", \"prefill_s\": [[1, 0.5], [100000, 0.5]], "
		"\"prefill_batch_factor\": [[1, 1], [64, 1]], "
		"\"decode_step_s\": [[1, 0.25], [512, 0.25]] } } }, "
		"\"nodes\": [ { \"type\": \"r\", \"count\": 2 } ] }, \"workload\": [ { \"name\": \"c\", "
		"\"kind\": \"llm\", \"arrival\": { \"process\": \"trace\", \"path\": \"tr.csv\", "
		"\"start_s\": 0 } } ], \"policies\": { \"dispatch\": \"least_loaded\" }, "
		"\"outputs\": { \"series_interval_s\": 0 } }\n");
	fclose(f);
	metrics_init(&ms);
	if (run_fixture(&fx, chain, &c, &ms, &h) == 0) {
		*chained = r.chained;
		if (metrics_get(&ms, "node_share_max") && metrics_get(&ms, "requests_completed") &&
		    metrics_get(&ms, "ttft_p99_s")) {
			CHECK(*metrics_get(&ms, "requests_completed") == 2);
			r.share = *metrics_get(&ms, "node_share_max");
			*ttft = *metrics_get(&ms, "ttft_mean_s");
		}
	}
	metrics_fini(&ms);
	fixture_close(&fx);
	return r.share;
}

/* dc's request pool grows by a copy into a line-aligned block (dc.c, struct request): 3,000
 * requests arriving within 3 s on two replicas, most of them waiting in the central queue (fifo)
 * while the pool doubles from 1,024 to 4,096 records, linked through the copied records. All
 * complete, the books balance and the pool stays line-aligned. */
struct pool_run {
	uint32_t req_cap;
	int aligned;
};

static void pool_after(const struct sim *sim, struct ctx *c, void *arg)
{
	struct pool_run *r = arg;
	(void)sim;
	r->req_cap = c->dc.req_cap;
	r->aligned = (uintptr_t)c->dc.req % 64 == 0;
}

static void test_request_pool_grows(void)
{
	struct fixture fx;
	struct ctx c = { 0 };
	struct metrics ms;
	struct pool_run r = { 0 };
	const struct run_hooks h = { NULL, pool_after, &r };
	FILE *f;

	if (fixture_open(&fx))
		return;
	f = fopen(fx.tr, "w");
	fprintf(f, "t_s,input_tokens,output_tokens\n");
	for (int i = 0; i < 3000; i++)
		fprintf(f, "%.3f,%d,%d\n", i * 0.001, 100 + i % 7, 2 + i % 5);
	fclose(f);
	f = fopen(fx.scn, "w");
	fprintf(f, "{ \"name\": \"t\", \"seed\": 1, \"duration_s\": 5000, \"warmup_s\": 0, "
		"\"replications\": 1, \"datacenter\": { \"node_types\": { \"r\": "
		"\"h100-llama2-70b-tp8\" }, \"nodes\": [ { \"type\": \"r\", \"count\": 2 } ] }, "
		"\"workload\": [ { \"name\": \"c\", \"kind\": \"llm\", \"arrival\": { \"process\": "
		"\"trace\", \"path\": \"tr.csv\", \"start_s\": 0 } } ], \"policies\": { "
		"\"dispatch\": \"fifo\" }, \"outputs\": { \"series_interval_s\": 0 } }\n");
	fclose(f);
	metrics_init(&ms);
	CHECK_INT(run_fixture(&fx, 1, &c, &ms, &h), 0);
	CHECK(r.req_cap >= 4096);
	CHECK(r.aligned);
	CHECK(metrics_get(&ms, "requests_completed") &&
	      *metrics_get(&ms, "requests_completed") == 3000);
	CHECK(metrics_get(&ms, "output_tokens") &&
	      *metrics_get(&ms, "output_tokens") == 600 * (2 + 3 + 4 + 5 + 6));
	metrics_fini(&ms);
	fixture_close(&fx);
}

static void test_step_before_arrival_at_a_tie(void)
{
	double ttft = 0;
	uint64_t chained = 0;

	/* in place: the second arrival was held and fired inside the replicas' run of steps */
	CHECK(run_tie(1, &ttft, &chained) == 2);
	CHECK(chained >= 1);
	CHECK(ttft == 0.5); /* both found their replica empty: prefill only */
	/* one event per step and per arrival: the event list's order at the tie */
	CHECK(run_tie(0, &ttft, &chained) == 2);
	CHECK_INT((int)chained, 0);
	CHECK(ttft == 0.5);
}

int main(void)
{
	RUN(test_sleep_wake_cap_in_engine);
	RUN(test_chained_steps_change_nothing);
	RUN(test_step_before_arrival_at_a_tie);
	RUN(test_request_pool_grows);
	return CHECK_DONE();
}
