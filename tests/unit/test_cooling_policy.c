/* test_cooling_policy.c — server power vs inlet temperature, tower evaporation in warm and
 * freezing air, the facility's what-if, and the three cooling policies on a made-up plant.
 *
 * Known answers are hand calculations from the formulas in dc/cooling.c; the inlet curve is
 * also checked against the measured sensitivity it was calibrated to (Coroama 2025:
 * 0.35-0.5 %/K of server power between 23 and 30 degC).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../check.h"
#include "dc/cooling.h"
#include "dc/facility.h"
#include "dc/weather.h"
#include "engine/err.h"
#include "engine/metrics.h"
#include "policy/kinds.h"

static void test_inlet_curve(void)
{
	struct cooling_cfg c;
	cooling_cfg_default(&c);
	/* fans at minimum speed up to the knee: nothing extra */
	CHECK_NEAR(cooling_inlet_frac(&c, 15), 0, 0, 0);
	CHECK_NEAR(cooling_inlet_frac(&c, 23), 0, 0, 0);
	/* 27 degC: speed 1 + 0.024 * 4 = 1.096, power 0.05 (1.096^3 - 1) */
	CHECK_NEAR(cooling_inlet_frac(&c, 27), 0.05 * (1.096 * 1.096 * 1.096 - 1), 1e-12, 0);
	/* the calibration: mean sensitivity 23..30 degC inside Coroama's measured 0.35-0.5 %/K */
	double pct_per_k = 100 * (cooling_inlet_frac(&c, 30) - cooling_inlet_frac(&c, 23)) / 7;
	CHECK(pct_per_k >= 0.35 && pct_per_k <= 0.5);
	/* steeper as it gets warmer (cube law), and monotone over the A1 allowable envelope */
	CHECK(cooling_inlet_frac(&c, 32) - cooling_inlet_frac(&c, 31) >
	      cooling_inlet_frac(&c, 25) - cooling_inlet_frac(&c, 24));
	for (double t = 15; t < 32; t += 0.5)
		CHECK(cooling_inlet_frac(&c, t + 0.5) >= cooling_inlet_frac(&c, t));
	c.inlet_fan_share = 0; /* off */
	CHECK_NEAR(cooling_inlet_frac(&c, 32), 0, 0, 0);

	/* in the plant: counted as server fans (IT), heat the plant removes */
	struct cooling_in in = { 1e6, 1.25e6, 100, 10, 50 };
	struct cooling_out o24, o27;
	cooling_cfg_default(&c);
	cooling_eval(&c, &in, &o24);
	c.supply_air_c = 27;
	cooling_eval(&c, &in, &o27);
	CHECK_NEAR(o27.server_inlet_w, 1e6 * cooling_inlet_frac(&c, 27), 1e-12, 0);
	CHECK_NEAR(o27.server_fans_w, o27.server_inlet_w, 1e-12, 0); /* no GreenSKU curve */
	CHECK(o27.server_fans_w > o24.server_fans_w && o24.server_fans_w > 0);
	CHECK(o27.heat_w > o24.heat_w);
}

/* water per kWh of IT at one outdoor state with the water-side economizer and tower */
static double water_l_per_kwh(enum cooling_evap mode, double temp_c, double rh_pct)
{
	struct cooling_cfg c;
	struct cooling_in in = { 1e6, 1.25e6, 0, temp_c, rh_pct };
	struct cooling_out o;
	cooling_cfg_default(&c);
	c.tower_evap = mode;
	cooling_eval(&c, &in, &o);
	return o.water_l_per_s * 3600.0 / 1e3;
}

static void test_tower_water(void)
{
	struct cooling_cfg c;
	cooling_cfg_default(&c);
	/* CTI STD-201 rating air, 78 degF (25.6 degC) wet bulb at 35 degC dry bulb (RH 45 %):
	 * the saturated-exit balance evaporates water worth 80-105 % of the heat (the rule of thumb
	 * E = 0.00085 gpm degF says 85 %; above 100 % the warm dry air is cooled too) */
	double wb = weather_wetbulb_c(35, 45);
	CHECK(fabs(wb - 25.6) < 1.0);
	double lw = wb + c.tower_approach_k;
	double latent = cooling_tower_evap_kg_per_j(&c, 35, 45, lw) * 2.43e6;
	CHECK(latent > 0.8 && latent < 1.05);
	/* hand calculation at 20 degC / 50 %, water leaving at 20 degC: exit air saturated at
	 * 22.8 degC; dw / dh from the ASHRAE psychrometric formulas */
	double pw = 0.5 * 610.94 * exp(17.625 * 20 / (243.04 + 20));
	double w_in = 0.621945 * pw / (101325 - pw);
	double ps = 610.94 * exp(17.625 * 22.8 / (243.04 + 22.8));
	double w_ex = 0.621945 * ps / (101325 - ps);
	double dh = 1006 * 2.8 + w_ex * (2.501e6 + 1860 * 22.8) - w_in * (2.501e6 + 1860 * 20);
	CHECK_NEAR(cooling_tower_evap_kg_per_j(&c, 20, 50, 20), (w_ex - w_in) / dh, 1e-12, 0);
	/* hot dry air with the tightest tower the loader accepts (approach 0, range 0.5 K): the
	 * exit air's enthalpy is barely above the inlet's, and the balance alone gave about 20x the
	 * heat in water; it is bounded at 1.5x */
	{
		struct cooling_cfg t = c;
		t.tower_approach_k = 0;
		t.cw_range_k = 0.5;
		double k = cooling_tower_evap_kg_per_j(&t, 40, 20, weather_wetbulb_c(40, 20));
		CHECK(isfinite(k) && k > 0 && k * 2.43e6 <= 1.5 + 1e-9);
	}

	/* a water-side economizer at -30 degC: the tower's water is held at 5 degC (freeze
	 * control), the air leaves at 7.8 degC carrying little water: use falls several-fold from
	 * a mild day, and well below the fixed-latent rule that evaporated 1.7 L/kWh here */
	double cold = water_l_per_kwh(EVAP_SATURATED_EXIT, -30, 70);
	double old_rule = water_l_per_kwh(EVAP_CONSTANT_LATENT, -30, 70);
	double mild = water_l_per_kwh(EVAP_SATURATED_EXIT, 25, 60);
	CHECK(old_rule > 1.6 && old_rule < 1.9);
	CHECK(cold < 0.4 * old_rule);
	CHECK(cold < 0.4 * mild);
	CHECK(cold > 0); /* an open tower in freezing air still evaporates some */
	/* monotone: colder air, less water (same heat, economizer full below ~5 degC) */
	CHECK(water_l_per_kwh(EVAP_SATURATED_EXIT, -10, 70) < water_l_per_kwh(EVAP_SATURATED_EXIT, 0, 70));
	CHECK(water_l_per_kwh(EVAP_SATURATED_EXIT, -30, 70) < water_l_per_kwh(EVAP_SATURATED_EXIT, -10, 70));
	/* freeze control: full free cooling at -30 degC with the tower water held at 5 degC */
	struct cooling_in in = { 1e6, 1.25e6, 0, -30, 70 };
	struct cooling_out o;
	cooling_eval(&c, &in, &o);
	CHECK(o.mode == MODE_FULL_FREE && o.water_l_per_s > 0);
}

/* ---- policies on a made-up plant ---- */

struct fake { int kind; double best_c; };

static double fake_what_if(const void *ctx, double sp, double *chf)
{
	const struct fake *f = ctx;
	if (f->kind == 0)
		return NAN;
	if (f->kind == 1) { /* power least at best_c; economizer alone from best_c up */
		*chf = sp >= f->best_c ? 0 : (f->best_c - sp) / 10;
		return 1e6 + 1e3 * (sp - f->best_c) * (sp - f->best_c);
	}
	*chf = f->kind == 2 ? 0.5 + (27 - sp) / 100 : 1.0; /* never full free / never economizer */
	return 1e6 - sp;
}

static double ask(const struct policy_desc *d, const char *const *keys, const double *vals,
		  size_t n, const struct fake *fk, double config_c)
{
	struct policy_choice pc;
	double state[32]; /* aligned storage for the policy's state */
	const struct cooling_ops *ops = d->ops;
	struct cooling_view v = { 0, config_c, fake_what_if, fk };

	memset(&pc, 0, sizeof pc);
	pc.desc = d;
	for (int i = 0; d->params[i].name; i++)
		pc.num[i] = d->params[i].def;
	for (size_t k = 0; k < n; k++)
		for (int i = 0; d->params[i].name; i++)
			if (strcmp(d->params[i].name, keys[k]) == 0)
				pc.num[i] = vals[k];
	CHECK(ops->state_size <= sizeof state);
	CHECK_INT(ops->init(state, &pc), 0);
	return ops->setpoint_c(state, &v);
}

static void test_policies(void)
{
	const char *sp_key[] = { "setpoint_c" }, *mm[] = { "min_c", "max_c", "step_c" };
	struct fake f1 = { 1, 25.2 }, f2 = { 2, 0 }, f3 = { 3, 0 }, f0 = { 0, 0 };
	double v22 = 22, rng[] = { 20, 30, 1 };

	/* fixed: its own setpoint, else the configured one; never asks the plant */
	CHECK_NEAR(ask(&cool_fixed_setpoint, sp_key, &v22, 1, &f1, 24), 22, 0, 0);
	CHECK_NEAR(ask(&cool_fixed_setpoint, NULL, NULL, 0, &f1, 24), 24, 0, 0);
	/* dynamic: the grid point of least power (25.0 is 0.2 K from the optimum, 25.5 0.3 K) */
	CHECK_NEAR(ask(&cool_dynamic_setpoint, NULL, NULL, 0, &f1, 24), 25.0, 0, 1e-12);
	f1.best_c = 40; /* the optimum outside: the warmest allowed */
	CHECK_NEAR(ask(&cool_dynamic_setpoint, NULL, NULL, 0, &f1, 24), 27, 0, 1e-12);
	f1.best_c = 25.2;
	CHECK_NEAR(ask(&cool_dynamic_setpoint, mm, rng, 3, &f1, 24), 25, 0, 1e-12);
	/* nothing known yet: the configured setpoint, inside the bounds */
	CHECK_NEAR(ask(&cool_dynamic_setpoint, NULL, NULL, 0, &f0, 24), 24, 0, 0);
	CHECK_NEAR(ask(&cool_dynamic_setpoint, NULL, NULL, 0, &f0, 30), 27, 0, 0);
	/* economizer_first: the coolest setpoint the economizer holds alone */
	CHECK_NEAR(ask(&cool_economizer_first, NULL, NULL, 0, &f1, 24), 25.5, 0, 1e-12);
	/* never full: the least chiller share (the warmest); no economizer at all: the warmest */
	CHECK_NEAR(ask(&cool_economizer_first, NULL, NULL, 0, &f2, 24), 27, 0, 1e-12);
	CHECK_NEAR(ask(&cool_economizer_first, NULL, NULL, 0, &f3, 24), 27, 0, 1e-12);
	/* a grid that does not land on max_c still tries it */
	double odd[] = { 18, 26.8, 2 };
	f1.best_c = 40;
	CHECK_NEAR(ask(&cool_dynamic_setpoint, mm, odd, 3, &f1, 24), 26.8, 0, 1e-12);

	/* loader checks */
	struct policy_choice pc;
	char msg[256];
	memset(&pc, 0, sizeof pc);
	pc.desc = &cool_dynamic_setpoint;
	pc.num[0] = 27, pc.num[1] = 20, pc.num[2] = 0.5;
	CHECK_INT(cool_check(&pc, 1, msg, sizeof msg), -1);
	CHECK_HAS(msg, "min_c <= max_c");
	pc.num[0] = 18, pc.num[1] = 27;
	CHECK_INT(cool_check(&pc, 1, msg, sizeof msg), 0);
	CHECK_INT(cool_check(&pc, 0, msg, sizeof msg), -1);
	CHECK_HAS(msg, "physics");
	pc.desc = &cool_fixed_setpoint;
	pc.num[0] = 10;
	CHECK_INT(cool_check(&pc, 1, msg, sizeof msg), -1);
	pc.num[0] = 0; /* the default on any plant, the constant-PUE one too */
	CHECK_INT(cool_check(&pc, 0, msg, sizeof msg), 0);
}

/* The facility's what-if and setpoint verb on a plant in 14 degC air (partial free cooling). */
static void test_facility_what_if(void)
{
	struct facility_cfg c;
	struct err e = { 0 };
	struct cooling_out o18, o27;
	facility_cfg_default(&c);
	cooling_cfg_default(&c.cooling);
	c.weather.source = FAC_WX_CONSTANT;
	c.weather.temp_c = 14;
	c.weather.rh_pct = 60;
	c.n_nodes = 100;
	struct facility *f = facility_new(&c, &e);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(isnan(facility_cooling_what_if(f, 0, 24, NULL))); /* no step yet */
	CHECK_INT(facility_step(f, 0, 300, 1e6 * 300, 1.25e6, &e), 0);
	double p18 = facility_cooling_what_if(f, 300, 18, &o18);
	double p27 = facility_cooling_what_if(f, 300, 27, &o27);
	/* warmer chilled water: less chiller; warmer inlet: more server fan power */
	CHECK(o27.chiller_w < o18.chiller_w && o27.chiller_frac < o18.chiller_frac);
	CHECK(o27.server_inlet_w > 0 && o18.server_inlet_w == 0);
	CHECK_NEAR(p27, 1e6 + o27.server_fans_w + o27.cooling_w + o27.other_w, 1e-12, 0);
	CHECK_NEAR(p18, 1e6 + o18.server_fans_w + o18.cooling_w + o18.other_w, 1e-12, 0);
	/* the verb: the chilled water follows the supply air by the configured 12 K */
	CHECK_INT(facility_set_supply_air(f, 27, &e), 0);
	CHECK_NEAR(facility_supply_air_c(f), 27, 0, 0);
	CHECK_INT(facility_step(f, 300, 600, 1e6 * 300, 1.25e6, &e), 0);
	struct metrics ms;
	metrics_init(&ms);
	facility_report(f, &ms);
	CHECK_NEAR(*metrics_get(&ms, "supply_air_min_c"), 24, 0, 0);
	CHECK_NEAR(*metrics_get(&ms, "supply_air_max_c"), 27, 0, 0);
	CHECK_NEAR(*metrics_get(&ms, "supply_air_mean_c"), 25.5, 1e-12, 0);
	CHECK_NEAR(*metrics_get(&ms, "energy_server_inlet_kwh"),
		   (cooling_inlet_frac(&c.cooling, 24) + o27.server_inlet_w / 1e6) * 1e6 * 300 / 3.6e6,
		   1e-9, 0);
	metrics_fini(&ms);
	CHECK_INT(facility_set_supply_air(f, 60, &e), -1); /* outside the model's range */
	CHECK_NEAR(facility_supply_air_c(f), 27, 0, 0);
	facility_free(f);
}

int main(void)
{
	RUN(test_inlet_curve);
	RUN(test_tower_water);
	RUN(test_policies);
	RUN(test_facility_what_if);
	return CHECK_DONE();
}
