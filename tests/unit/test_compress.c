/* test_compress.c — compression and battery policies (policy/compress.c, policy/storage.c) on
 * a hand-made view: a variant table, a queue length, a carbon or price signal. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "dc/dc.h"
#include "engine/sim.h"
#include "policy/kinds.h"

/* dense, int8, int4: time, memory, power factors and accuracy (illustrative, not calibrated) */
static const struct variant_factors vt[] = {
	{ "dense", 1.0, 1.0, 1.0, 0.98 },
	{ "int8", 0.6, 0.5, 1.0, 0.97 },
	{ "int4", 0.5, 0.3, 0.8, 0.90 },
};

static struct policy_choice choose(const struct policy_desc *d)
{
	struct policy_choice c;
	memset(&c, 0, sizeof c);
	c.desc = d;
	for (int i = 0; d->params[i].name; i++) {
		c.num[i] = d->params[i].def;
		c.str[i] = d->params[i].def_s;
	}
	return c;
}

static void set(struct policy_choice *c, const char *name, double v, const char *s)
{
	for (int i = 0; c->desc->params[i].name; i++)
		if (strcmp(c->desc->params[i].name, name) == 0) {
			c->num[i] = v;
			c->str[i] = s;
		}
}

static double hourly_at(const void *ctx, double t)
{
	const double *v = ctx;
	return v[(size_t)(t / 3600) % 4];
}

static void test_static_and_load(void)
{
	struct sim sim;
	struct dc dc;
	struct err e = { 0 };
	struct policy_choice c = choose(&compress_static);
	const struct compression_ops *ops = c.desc->ops;
	void *st = calloc(1, ops->state_size);

	sim_init(&sim);
	memset(&dc, 0, sizeof dc);
	dc.sim = &sim;
	dc.total_slots = 10;
	set(&c, "variant", 0, "int8");
	CHECK_INT(ops->init(&dc, st, &c, NULL, vt, 3, &e), 0);
	CHECK_INT(ops->pick(&dc, st, 0), 1);
	set(&c, "variant", 0, "int3");
	CHECK_INT(ops->init(&dc, st, &c, NULL, vt, 3, &e), -1);
	CHECK_HAS(e.msg, "no variant \"int3\"");
	free(st);

	c = choose(&compress_load_adaptive);
	ops = c.desc->ops;
	st = calloc(1, ops->state_size);
	set(&c, "variant", 0, "int4");
	CHECK_INT(ops->init(&dc, st, &c, NULL, vt, 3, &e), 0);
	/* on at 1 waiting per slot, off at 0.25 */
	const long q[] = { 0, 15, 5, 3, 2, 9, 10 };
	const size_t want[] = { 0, 2, 2, 2, 0, 0, 2 };
	for (int i = 0; i < 7; i++) {
		dc.queued = q[i];
		CHECK_INT(ops->pick(&dc, st, 0), want[i]);
	}
	ops->fini(st);
	free(st);
	sim_fini(&sim);
}

static void test_carbon_adaptive(void)
{
	static const double v[] = { 200, 320, 280, 240 };
	struct sim sim;
	struct dc dc;
	struct err e = { 0 };
	struct policy_env env;
	struct policy_choice c = choose(&compress_carbon_adaptive);
	const struct compression_ops *ops = c.desc->ops;
	void *st = calloc(1, ops->state_size);

	sim_init(&sim);
	memset(&dc, 0, sizeof dc);
	dc.sim = &sim;
	memset(&env, 0, sizeof env);
	set(&c, "variant", 0, "int8");
	CHECK_INT(ops->init(&dc, st, &c, &env, vt, 3, &e), -1); /* no carbon signal */
	err_clear(&e);
	ops->fini(st);
	memset(st, 0, ops->state_size);
	env.carbon_g_per_kwh = (struct signal){ hourly_at, v, 3600, 0 };
	CHECK_INT(ops->init(&dc, st, &c, &env, vt, 3, &e), 0);
	/* on at 300, off at 250: 200 dense, 320 int8, 280 still int8, 240 dense */
	const size_t want[] = { 0, 1, 1, 0 };
	for (int h = 0; h < 4; h++) {
		sim.now = h * 3600.0 + 60;
		CHECK_INT(ops->pick(&dc, st, 0), want[h]);
	}
	ops->fini(st);
	free(st);
	sim_fini(&sim);
}

static void test_quality_budget(void)
{
	struct sim sim;
	struct dc dc;
	struct err e = { 0 };
	struct policy_choice c = choose(&compress_quality_budget);
	const struct compression_ops *ops = c.desc->ops;
	void *st = calloc(1, ops->state_size);
	double acc = 0, en = 0;
	int n4 = 0, below = 0;

	sim_init(&sim);
	memset(&dc, 0, sizeof dc);
	dc.sim = &sim;
	set(&c, "target_accuracy", 0.95, NULL);
	CHECK_INT(ops->init(&dc, st, &c, NULL, vt, 3, &e), 0);
	/* energy per request: dense 1, int8 0.6, int4 0.4; the optimum mixes int8 and int4 with
	 * 2/7 on int4 (0.97 - 0.07 x 2/7 = 0.95) */
	for (int i = 0; i < 700; i++) {
		size_t k = ops->pick(&dc, st, 0);
		acc += vt[k].accuracy;
		en += vt[k].time * vt[k].power;
		n4 += k == 2;
		if (acc / (i + 1) < 0.95 - 1e-12)
			below++;
	}
	CHECK_INT(below, 0); /* the running mean never dips under the target */
	CHECK_INT(n4, 200);
	CHECK_NEAR(acc / 700, 0.95, 1e-12, 0);
	CHECK_NEAR(en / 700, 0.6 - 0.2 * 2.0 / 7, 1e-12, 0);
	set(&c, "target_accuracy", 0.99, NULL);
	CHECK_INT(ops->init(&dc, st, &c, NULL, vt, 3, &e), -1);
	free(st);
	sim_fini(&sim);
}

static double price_at(const void *ctx, double t)
{
	(void)ctx;
	/* a daily price curve: trough at 03:00 (20 USD/MWh), peak at 15:00 (100 USD/MWh) */
	return 60 - 40 * cos(2 * M_PI * (floor(t / 3600) - 3) / 24);
}

static void test_storage(void)
{
	struct err e = { 0 };
	struct policy_env env;
	struct policy_choice c = choose(&storage_price_arbitrage);
	const struct storage_ops *ops = c.desc->ops;
	void *st = calloc(1, ops->state_size);
	struct storage_view v = { 0, 0.5, 0.1, 0.9, 0.85, 0 };

	memset(&env, 0, sizeof env);
	env.price_usd_per_mwh = (struct signal){ price_at, NULL, 3600, 0 };
	CHECK_INT(ops->init(st, &c, &env, &e), 0);
	v.t_s = 3 * 3600 + 10;
	CHECK_INT(ops->decide(st, &v), CONTROL_STORAGE_CHARGE);
	v.t_s = 15 * 3600 + 10;
	CHECK_INT(ops->decide(st, &v), CONTROL_STORAGE_DISCHARGE);
	v.t_s = 9 * 3600 + 10; /* mid-price: self-consumption */
	CHECK_INT(ops->decide(st, &v), CONTROL_STORAGE_SELF);
	v.t_s = 3 * 3600 + 10;
	v.soc = 0.95; /* full */
	CHECK_INT(ops->decide(st, &v), CONTROL_STORAGE_SELF);
	ops->fini(st);
	free(st);

	c = choose(&storage_self_consumption);
	ops = c.desc->ops;
	st = calloc(1, ops->state_size);
	CHECK_INT(ops->init(st, &c, NULL, &e), 0);
	CHECK_INT(ops->decide(st, &v), CONTROL_STORAGE_SELF);
	ops->fini(st);
	free(st);

	c = choose(&storage_carbon_arbitrage);
	ops = c.desc->ops;
	st = calloc(1, ops->state_size);
	CHECK_INT(ops->init(st, &c, &env, &e), -1); /* no carbon signal */
	CHECK_HAS(e.msg, "carbon intensity");
	ops->fini(st);
	free(st);
}

int main(void)
{
	RUN(test_static_and_load);
	RUN(test_carbon_adaptive);
	RUN(test_quality_budget);
	RUN(test_storage);
	return CHECK_DONE();
}
