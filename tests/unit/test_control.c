/* test_control.c — the pure decision rules of policy/control.h, on hand-computed cases. */
#include <math.h>

#include "../check.h"
#include "policy/control.h"
#include "policy/kinds.h"

static void test_hysteresis(void)
{
	struct control_hyst h = { 10, 5, 0 };
	const double x[] = { 4, 9.9, 10, 7, 5.1, 5, 9, 12 };
	const int want[] = { 0, 0, 1, 1, 1, 0, 0, 1 };
	for (int i = 0; i < 8; i++)
		CHECK_INT(control_hyst_update(&h, x[i]), want[i]);
}

static void test_dvfs(void)
{
	CHECK_INT(control_dvfs_next(0.9, 3, 4, 0.8, 0.3), 0);  /* busy: straight to nominal */
	CHECK_INT(control_dvfs_next(0.1, 0, 4, 0.8, 0.3), 1);  /* idle: one step down */
	CHECK_INT(control_dvfs_next(0.1, 3, 4, 0.8, 0.3), 3);  /* already the lowest */
	CHECK_INT(control_dvfs_next(0.5, 2, 4, 0.8, 0.3), 2);  /* in the band: hold */
}

static void test_battery(void)
{
	/* a day of prices: now cheap, now dear, flat */
	double cheap[] = { 10, 50, 60, 80, 90, 100 }, dear[] = { 100, 10, 20, 30, 50, 60 };
	double flat[] = { 50, 50, 51, 50, 50, 51 };
	CHECK_INT(control_arbitrage(cheap, 6, 0.5, 0.1, 0.9, 0.25, 0.75, 0.85), CONTROL_STORAGE_CHARGE);
	CHECK_INT(control_arbitrage(cheap, 6, 0.95, 0.1, 0.9, 0.25, 0.75, 0.85), CONTROL_STORAGE_IDLE);
	CHECK_INT(control_arbitrage(dear, 6, 0.5, 0.1, 0.9, 0.25, 0.75, 0.85), CONTROL_STORAGE_DISCHARGE);
	CHECK_INT(control_arbitrage(dear, 6, 0.05, 0.1, 0.9, 0.25, 0.75, 0.85), CONTROL_STORAGE_IDLE);
	/* spread 51 x 0.85 < 50: not worth a round trip */
	CHECK_INT(control_arbitrage(flat, 6, 0.5, 0.1, 0.9, 0.25, 0.75, 0.85), CONTROL_STORAGE_IDLE);
	CHECK_NEAR(control_quantile(cheap, 6, 0.5), 70, 1e-12, 0);
	CHECK_NEAR(control_quantile(cheap, 6, 1), 100, 0, 0);
}

static void test_quality_budget(void)
{
	/* dense, int8, int4, pruned: energy factor and accuracy */
	const double en[] = { 1.0, 0.6, 0.4, 0.7 }, acc[] = { 0.98, 0.97, 0.90, 0.93 };
	size_t i = 9, j = 9;
	double f = -1;

	/* 0.97 is met by int8 alone */
	CHECK_INT(control_quality_mix(en, acc, 4, 0.97, &i, &j, &f), 0);
	CHECK_NEAR((1 - f) * en[i] + f * en[j], 0.6, 1e-12, 0);
	/* 0.95: mix int8 (0.97) and int4 (0.90): f on int4 = 2/7, energy 0.6 - 0.2 * 2/7 */
	CHECK_INT(control_quality_mix(en, acc, 4, 0.95, &i, &j, &f), 0);
	CHECK_NEAR((1 - f) * acc[i] + f * acc[j], 0.95, 1e-12, 0);
	CHECK_NEAR((1 - f) * en[i] + f * en[j], 0.6 - 0.2 * 2.0 / 7, 1e-12, 0);
	CHECK_INT(control_quality_mix(en, acc, 4, 0.99, &i, &j, &f), -1);
}

static void test_descriptors(void)
{
	/* every parameter has a doc line and a default inside its range */
	const struct param_desc *all[] = { compression_static_params, compression_load_adaptive_params,
		compression_carbon_adaptive_params, compression_quality_budget_params,
		cool_fixed_params, cool_dynamic_params, cool_economizer_first_params, power_sleep_idle_params,
		power_dvfs_params, power_cap_params, storage_arbitrage_params };
	for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
		for (const struct param_desc *p = all[k]; p->name; p++) {
			CHECK(p->doc && p->doc[0]);
			if (p->type == PARAM_NUM)
				CHECK(p->def >= p->min && p->def <= p->max);
		}
}

int main(void)
{
	RUN(test_hysteresis);
	RUN(test_dvfs);
	RUN(test_battery);
	RUN(test_quality_budget);
	RUN(test_descriptors);
	return CHECK_DONE();
}
