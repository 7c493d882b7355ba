/* test_chain.c — chaining of slot arrivals and completions (dc.c, sim_chain in engine/sim.h):
 * an arrival or a completion whose successor is due strictly before every other event fires
 * that successor in place instead of pushing and popping it. The runs must be bit-identical to
 * one event per arrival and completion (dc_set_chain(dc, 0)): every metric, the IT energy and
 * the event count, on scenarios built to tie: a Poisson M/M/1, and trace arrivals at multiples
 * of 0.25 s (two classes replaying one trace, the second 1.5 times slower, so arrivals of both
 * classes coincide at times) with deterministic service of 0.75 and 0.5 s on multi-slot nodes,
 * under fifo and least_loaded, with a control event every 3 s that caps and uncaps the busy
 * slots (control events at the same instants as arrivals and completions), and with a test
 * policy that starts several requests in one completion (equal completion times, kept in the
 * order started). The dispatch policy's calls (arrivals and freed slots, with their times) must
 * come in the same order too. Each chained run must also have chained something, and each
 * unchained run nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check.h"
#include "dc/dc.h"
#include "engine/metrics.h"
#include "engine/sim.h"
#include "io/scenario.h"
#include "policy/dispatch.h"

/* every 3 s: cap the datacenter at 2 busy slots, then lift the cap, in turn; and offer node 0
 * to the dispatch (which starts the batch policy below) */
static void cap_fire(struct sim *s, void *obj, uint64_t arg)
{
	struct dc *dc = obj;

	dc_set_busy_cap(dc, arg % 2 ? 2 : -1);
	dc->dispatch.freed(dc, dc->dispatch.state, 0);
	if (s->now + 3 <= s->horizon_s)
		sim_after(s, 3, SIM_PRIO_CONTROL, cap_fire, dc, arg + 1);
}

/* A dispatch policy for this test only: arrivals always wait in the central queue, and a freed
 * slot starts waiting requests on every free slot, highest node first. So one completion starts
 * several requests, whose completions (deterministic service) are due at the same instant:
 * their order must be the order they were started in. */
static void batch_arrive(struct dc *dc, void *st, uint32_t r)
{
	(void)st;
	dc_central_enqueue(dc, r);
}

static void batch_freed(struct dc *dc, void *st, uint32_t n)
{
	(void)st, (void)n;
	for (uint32_t m = dc->n_nodes; m-- > 0;)
		while (dc_node_has_slot(dc, m) && dc->c_len > 0)
			dc_start(dc, m, dc_central_pop(dc));
}

/* The dispatch's view of the run, in order: every arrival (time, request) and every freed slot
 * (time, node), hashed (FNV-1a). Equal metrics can hide a different order of equal-time
 * completions (identical nodes refilled either way); this sequence cannot. */
struct order_log {
	struct dc_dispatch inner; /* the policy under test */
	uint64_t hash, n;
};

static void log_add(struct order_log *L, double t, uint32_t kind, uint32_t v)
{
	unsigned char b[sizeof t + 2 * sizeof v];

	memcpy(b, &t, sizeof t);
	memcpy(b + sizeof t, &kind, sizeof kind);
	memcpy(b + sizeof t + sizeof kind, &v, sizeof v);
	for (size_t i = 0; i < sizeof b; i++)
		L->hash = (L->hash ^ b[i]) * 1099511628211ULL;
	L->n++;
}

static void log_arrive(struct dc *dc, void *st, uint32_t r)
{
	struct order_log *L = st;

	log_add(L, dc->sim->now, 1, r);
	L->inner.arrive(dc, L->inner.state, r);
}

static void log_freed(struct dc *dc, void *st, uint32_t n)
{
	struct order_log *L = st;

	log_add(L, dc->sim->now, 2, n);
	L->inner.freed(dc, L->inner.state, n);
}

struct outcome {
	struct metrics ms;
	double energy_j;
	uint64_t events, chained, order_hash, order_n;
};

/* Runs the scenario text json (TRACE in it replaced by a trace file's path) with chaining on or
 * off; returns 0, or -1 when the scenario does not load. */
static int run(const char *json, int chain, int capped, int batch, struct outcome *o)
{
	char dir[] = "/tmp/maasim-chain-XXXXXX", scn[256], trace[256], text[4096];
	const char *mark = strstr(json, "TRACE");
	struct scenario *sc;
	struct err e = { 0 };
	struct sim sim;
	struct dc dc;
	struct order_log log = { .hash = 14695981039346656037ULL };
	FILE *f;

	if (!mkdtemp(dir))
		return -1;
	snprintf(trace, sizeof trace, "%s/t.csv", dir);
	f = fopen(trace, "w");
	fprintf(f, "t_s\n");
	for (int k = 0; k < 400; k++) /* 0, 0.5, 1, 1.5, 1.5, 2, ...: every 4th a second arrival */
		fprintf(f, "%g\n", 0.5 * (k - k / 4));
	fclose(f);
	text[0] = 0;
	for (; mark; json = mark + 5, mark = strstr(json, "TRACE")) /* every TRACE: the file */
		snprintf(text + strlen(text), sizeof text - strlen(text), "%.*s%s",
			 (int)(mark - json), json, trace);
	snprintf(text + strlen(text), sizeof text - strlen(text), "%s", json);
	snprintf(scn, sizeof scn, "%s/s.json", dir);
	f = fopen(scn, "w");
	fputs(text, f);
	fclose(f);
	if (scenario_load(scn, NULL, 0, &sc, &e)) {
		fprintf(stderr, "  %s\n", e.msg);
		unlink(trace);
		unlink(scn);
		rmdir(dir);
		return -1;
	}
	metrics_init(&o->ms);
	sim_init(&sim);
	sim.horizon_s = sc->duration_s;
	dc_init(&dc, &sim, &sc->cluster, sc->classes, sc->n_classes, sc->seed, 0);
	dc_set_chain(&dc, chain);
	if (batch)
		dc.dispatch = (struct dc_dispatch){ NULL, batch_arrive, batch_freed, NULL, NULL };
	else
		dispatch_attach(&dc, &sc->policies[POLICY_DISPATCH]);
	log.inner = dc.dispatch; /* the policy under test, seen through the order log */
	dc.dispatch.state = &log;
	dc.dispatch.arrive = log_arrive;
	dc.dispatch.freed = log_freed;
	dc_start_arrivals(&dc);
	if (capped)
		sim_at(&sim, 0, SIM_PRIO_CONTROL, cap_fire, &dc, 1);
	sim_run(&sim, sc->duration_s, 0);
	dc_report(&dc, &o->ms);
	o->energy_j = dc_it_energy_j(&dc);
	o->events = sim.events;
	o->chained = dc.chained;
	o->order_hash = log.hash;
	o->order_n = log.n;
	dc_fini(&dc);
	sim_fini(&sim);
	scenario_free(sc);
	unlink(trace);
	unlink(scn);
	rmdir(dir);
	return 0;
}

static void check_same(const char *what, const char *json, int capped, int batch)
{
	struct outcome a, b;
	int differ = 0;

	if (run(json, 1, capped, batch, &a) || run(json, 0, capped, batch, &b)) {
		CHECK(0);
		return;
	}
	CHECK(a.events > 100);
	CHECK(a.events == b.events);
	CHECK(a.energy_j == b.energy_j);
	CHECK(a.chained > 0);
	CHECK(b.chained == 0);
	CHECK(a.ms.n == b.ms.n && a.ms.n > 10);
	CHECK(a.order_n > 100);
	CHECK(a.order_n == b.order_n && a.order_hash == b.order_hash); /* same calls, same order */
	for (size_t i = 0; i < a.ms.n && a.ms.n == b.ms.n; i++) {
		/* bit for bit; NaN-free metrics (a NaN would fail this too) */
		if (strcmp(a.ms.m[i].name, b.ms.m[i].name) != 0 || a.ms.m[i].value != b.ms.m[i].value) {
			if (!differ)
				fprintf(stderr, "  %s: chained and unchained differ at %s: %.17g vs %.17g\n",
					what, a.ms.m[i].name, a.ms.m[i].value, b.ms.m[i].value);
			differ++;
		}
	}
	CHECK_INT(differ, 0);
	printf("  %s: %llu events, %llu chained\n", what, (unsigned long long)a.events,
	       (unsigned long long)a.chained);
	metrics_fini(&a.ms);
	metrics_fini(&b.ms);
}

static const char *mm1 =
	"{ \"name\": \"t\", \"seed\": 3, \"duration_s\": 3000, \"replications\": 1, "
	"\"datacenter\": { \"node_types\": { \"s\": { \"slots\": 1, \"power\": { \"idle_w\": 100, "
	"\"peak_w\": 300 } } }, \"nodes\": [ { \"type\": \"s\", \"count\": 1 } ] }, "
	"\"workload\": [ { \"name\": \"j\", \"kind\": \"job\", \"arrival\": { \"process\": "
	"\"poisson\", \"rate_per_s\": 0.9 }, \"service\": { \"dist\": \"exponential\", "
	"\"mean_s\": 1.0 } } ], \"policies\": { \"dispatch\": \"fifo\" } }";

/* two classes on one trace, the second 1.5 times slower: arrivals at multiples of 0.25 s,
 * some of both classes at once, and deterministic service of 0.75 and 0.5 s: completions tie
 * with arrivals and with each other */
#define TIED(dispatch)                                                                        \
	"{ \"name\": \"t\", \"seed\": 5, \"duration_s\": 160, \"replications\": 1, "          \
	"\"datacenter\": { \"node_types\": { \"s\": { \"slots\": 2, \"power\": { \"idle_w\": " \
	"100, \"peak_w\": 300 } } }, \"nodes\": [ { \"type\": \"s\", \"count\": 3 } ] }, "    \
	"\"workload\": [ { \"name\": \"a\", \"kind\": \"job\", \"arrival\": { \"process\": "   \
	"\"trace\", \"path\": \"TRACE\" }, \"service\": { \"dist\": \"deterministic\", "      \
	"\"mean_s\": 0.75 } }, { \"name\": \"b\", \"kind\": \"job\", \"arrival\": { "         \
	"\"process\": \"trace\", \"path\": \"TRACE\", \"time_scale\": 1.5 }, \"service\": { "  \
	"\"dist\": \"deterministic\", \"mean_s\": 0.5 } } ], \"policies\": { \"dispatch\": \"" \
	dispatch "\" } }"

static void test_mm1(void) { check_same("M/M/1", mm1, 0, 0); }
static void test_mm1_capped(void) { check_same("M/M/1, cap events", mm1, 1, 0); }
static void test_ties_fifo(void) { check_same("tied trace, fifo", TIED("fifo"), 0, 0); }
static void test_ties_fifo_capped(void) { check_same("tied trace, fifo, cap", TIED("fifo"), 1, 0); }
static void test_ties_ll_capped(void)
{
	check_same("tied trace, least_loaded, cap", TIED("least_loaded"), 1, 0);
}
static void test_ties_batch(void) { check_same("tied trace, batch starts", TIED("fifo"), 1, 1); }

int main(void)
{
	RUN(test_mm1);
	RUN(test_mm1_capped);
	RUN(test_ties_fifo);
	RUN(test_ties_fifo_capped);
	RUN(test_ties_ll_capped);
	RUN(test_ties_batch);
	return CHECK_DONE();
}
