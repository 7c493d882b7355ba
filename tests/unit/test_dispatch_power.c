/* test_dispatch_power.c — power_aware and kv_aware against stand-in node models.
 *
 * The serving model that provides sleep states and KV accounting is not in this build, so the
 * policies run here on the generic slot datacenter with a stand-in: a node put to sleep draws
 * SLEEP_W and wakes instantly to its idle power (no wake latency: the real one comes from the
 * serving profile), and a node's free KV cache is its capacity minus KV_NEED per busy slot.
 * What is tested is the policies' logic, with the same arrivals as the baseline.
 */
#include <math.h>
#include <string.h>

#include "../check.h"
#include "dc/dc.h"
#include "engine/sim.h"
#include "io/scenario.h"
#include "policy/dispatch.h"
#include "policy/power.h"

#define SLEEP_W 50.0   /* stand-in sleep power, W (assumed) */
#define KV_NEED 1500.0 /* stand-in KV tokens per request (assumed) */

struct mock {
	struct dc *dc;
	int asleep[64];
	long wakes, sleeps, pstate_changes;
	int pstate[64];
	double kv_cap[64];
};

static int m_sleep(void *ctx, uint32_t n)
{
	struct mock *m = ctx;
	if (m->dc->nodes[n].busy)
		return -1;
	m->asleep[n] = 1;
	m->sleeps++;
	dc_set_node_power(m->dc, n, SLEEP_W);
	return 0;
}

static int m_wake(void *ctx, uint32_t n)
{
	struct mock *m = ctx;
	m->asleep[n] = 0;
	m->wakes++;
	dc_set_node_power(m->dc, n, m->dc->cfg->types[m->dc->nodes[n].type].idle_w);
	return 0;
}

/* Asleep while it draws the sleep power: a request started on a sleeping node (dc_start sets
 * its busy power) wakes it at once, as the serving model does (there with a latency). */
static int m_asleep(void *ctx, uint32_t n)
{
	const struct mock *m = ctx;
	return m->dc->nodes[n].power_w == SLEEP_W;
}

static void m_set_pstate(void *ctx, uint32_t n, int ps)
{
	struct mock *m = ctx;
	m->pstate[n] = ps;
	m->pstate_changes++;
}

static double m_kv_free(const void *ctx, uint32_t n)
{
	const struct mock *m = ctx;
	return m->kv_cap[n] - KV_NEED * m->dc->nodes[n].busy;
}

static double m_kv_need(const void *ctx, uint32_t r)
{
	(void)ctx, (void)r;
	return KV_NEED;
}

struct result {
	int rc;
	double energy_kwh, wait_s;
	uint64_t completed, arrived, starts[4];
	long long books;
	int awake_end;
};

/* One replication of path with dispatch name (a registered one) or desc (an unregistered one),
 * the stand-in models in the policies' env. */
static struct result run_p(const char *path, const char *name, const struct policy_desc *desc,
			   const struct policy_desc *power, struct mock *m, int with_env)
{
	struct scenario *s;
	struct err e = { 0 };
	struct result res;
	struct sim sim;
	struct dc dc;
	struct policy_env env;
	struct power_verbs pv = { m, 4, m_sleep, m_wake, m_asleep, m_set_pstate, NULL, NULL };
	struct power_rt prt;
	struct node_capacity cap = { m, m_kv_free, m_kv_need };
	char set[64];
	const char *sets[] = { set };

	memset(&res, 0, sizeof res);
	snprintf(set, sizeof set, "policies.dispatch=%s", desc ? "fifo" : name);
	if (scenario_load(path, sets, 1, &s, &e)) {
		fprintf(stderr, "  %s\n", e.msg);
		res.rc = -1;
		return res;
	}
	if (desc) { /* not in the registry: choose it by hand, parameters at their defaults */
		struct policy_choice *pc = &s->policies[POLICY_DISPATCH];
		pc->desc = desc;
		for (int i = 0; desc->params[i].name; i++)
			pc->num[i] = desc->params[i].def;
	}
	if (power) {
		struct policy_choice *pc = &s->policies[POLICY_POWER];
		pc->desc = power;
		for (int i = 0; power->params[i].name; i++)
			pc->num[i] = power->params[i].def;
	}
	sim_init(&sim);
	dc_init(&dc, &sim, &s->cluster, s->classes, s->n_classes, s->seed, 0);
	m->dc = &dc;
	memset(&env, 0, sizeof env);
	if (with_env) {
		env.power = &pv;
		env.capacity = &cap;
	}
	res.rc = dispatch_attach_env(&dc, &s->policies[POLICY_DISPATCH], &env, &e);
	if (res.rc == 0)
		res.rc = power_attach(&prt, &dc, &s->policies[POLICY_POWER], &env, &e);
	if (res.rc == 0) {
		sim.horizon_s = s->duration_s;
		dc_start_arrivals(&dc);
		sim_run(&sim, s->duration_s, 0);
		res.energy_kwh = dc_it_energy_j(&dc) / 3.6e6;
		res.books = dc_books_error(&dc);
		for (size_t c = 0; c < dc.n_classes; c++) {
			res.completed += dc.classes[c].st.completed;
			res.arrived += dc.classes[c].st.arrived;
			res.wait_s += mtally_mean(&dc.classes[c].st.wait_s);
		}
		for (uint32_t n = 0; n < dc.n_nodes && n < 4; n++) {
			res.starts[n] = dc.nodes[n].starts;
			/* awake by the node's power, as the policies see it (m_asleep): a node put to
			 * sleep is woken by work started on it without m_wake, so m->asleep[n] can
			 * stay set on an awake node (under sleep_idle, which never calls m_wake) */
			res.awake_end += !m_asleep(m, n);
		}
	} else {
		CHECK_HAS(e.msg, "not in this build");
	}
	dc_fini(&dc);
	if (power)
		power_fini(&prt);
	sim_fini(&sim);
	scenario_free(s);
	return res;
}

static struct result run(const char *path, const char *name, const struct policy_desc *desc,
			 struct mock *m, int with_env)
{
	return run_p(path, name, desc, NULL, m, with_env);
}

/* At light load (7.5 % of 16 slots) power_aware sleeps most servers: less IT energy than
 * fifo on the same arrivals, every request served, waits unchanged, no flapping. */
static void test_power_aware_low_load(void)
{
	const char *path = "scenarios/policies/round_robin.json";
	struct mock m0, m1;
	memset(&m0, 0, sizeof m0);
	memset(&m1, 0, sizeof m1);
	struct result base = run(path, "fifo", NULL, &m0, 1);
	struct result pa = run(path, NULL, &dispatch_power_aware, &m1, 1);

	CHECK_INT(base.rc, 0);
	CHECK_INT(pa.rc, 0);
	CHECK_INT(pa.books, 0);
	CHECK_INT(pa.arrived, base.arrived);
	CHECK(pa.completed + 16 >= base.completed);
	/* 4 idle servers draw 4.8 kW; packing onto one or two saves most of that */
	CHECK(pa.energy_kwh < 0.7 * base.energy_kwh);
	CHECK(pa.wait_s < 1.0);
	CHECK(pa.awake_end >= 1);
	/* hysteresis: far fewer wake-ups than requests */
	CHECK(m1.wakes * 10 < (long)pa.arrived);
	CHECK(pa.starts[0] > pa.starts[3]);
}

/* Without the serving model's verbs the policies refuse to attach. */
static void test_needs_serving(void)
{
	struct mock m;
	memset(&m, 0, sizeof m);
	struct result r = run("scenarios/policies/round_robin.json", NULL, &dispatch_power_aware, &m, 0);
	CHECK_INT(r.rc, -1);
	r = run("scenarios/policies/round_robin.json", NULL, &dispatch_kv_aware, &m, 0);
	CHECK_INT(r.rc, -1);
}

/* kv_aware: nodes whose KV cache cannot hold a request never get one; the node with the most
 * free KV gets the most. Capacities 1000, 6000, 3000, 1400 tokens; a request needs 1500. */
static void test_kv_aware(void)
{
	struct mock m;
	memset(&m, 0, sizeof m);
	m.kv_cap[0] = 1000, m.kv_cap[1] = 6000, m.kv_cap[2] = 3000, m.kv_cap[3] = 1400;
	struct result r = run("scenarios/policies/round_robin.json", NULL, &dispatch_kv_aware, &m, 1);
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.books, 0);
	CHECK_INT(r.starts[0], 0);
	CHECK_INT(r.starts[3], 0);
	CHECK(r.starts[1] > r.starts[2]);
	CHECK(r.starts[2] > 0);
}

/* sleep_idle with any dispatch policy (fifo here): idle servers sleep after the timeout, so
 * less IT energy than always_on on the same arrivals; dvfs steps idle nodes' clocks down. */
static void test_sleep_idle_and_dvfs(void)
{
	const char *path = "scenarios/policies/round_robin.json";
	struct mock m0, m1, m2;
	memset(&m0, 0, sizeof m0);
	memset(&m1, 0, sizeof m1);
	memset(&m2, 0, sizeof m2);
	struct result base = run(path, "fifo", NULL, &m0, 1);
	struct result sl = run_p(path, "fifo", NULL, &power_sleep_idle, &m1, 1);
	CHECK_INT(sl.rc, 0);
	CHECK_INT(sl.books, 0);
	CHECK_INT(sl.arrived, base.arrived);
	CHECK(sl.energy_kwh < 0.8 * base.energy_kwh);
	CHECK(m1.sleeps > 0);
	CHECK(sl.awake_end >= 1);
	struct result dv = run_p(path, "fifo", NULL, &power_dvfs, &m2, 1);
	CHECK_INT(dv.rc, 0);
	CHECK(m2.pstate_changes > 0);
	CHECK(m2.pstate[3] == 3); /* the last node, never needed at this load, at the lowest clock */
	struct result no = run_p(path, "fifo", NULL, &power_sleep_idle, &m0, 0);
	CHECK_INT(no.rc, -1);
}

int main(void)
{
	RUN(test_sleep_idle_and_dvfs);
	RUN(test_power_aware_low_load);
	RUN(test_needs_serving);
	RUN(test_kv_aware);
	return CHECK_DONE();
}
