/* test_facility.c — hand-calculated facility cases, the battery, free cooling, conservation on
 * random inputs, a deliberately broken ledger, and the trace readers on the shipped files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "dc/battery.h"
#include "dc/cooling.h"
#include "dc/facility.h"
#include "dc/series.h"
#include "dc/weather.h"
#include "engine/metrics.h"
#include "io/ftrace.h"
#include "run_fixture.h"

#define TR "scenarios/traces/"

/* 100 kW of IT for 24 h at a constant 400 g/kWh and 50 USD/MWh, no cooling: 2400 kWh from the
 * grid, 960 kg CO2e, 120 USD. With a constant PUE of 1.5: 3600 kWh, 1440 kg, 180 USD. */
static void test_constant_load_constant_intensity(void)
{
	for (int pass = 0; pass < 2; pass++) {
		struct facility_cfg c;
		struct err e = { 0 };
		struct metrics ms;
		facility_cfg_default(&c);
		c.cooling.model = pass == 0 ? COOLING_NONE : COOLING_CONSTANT_PUE;
		c.cooling.pue = 1.5;
		c.cooling.wue_l_per_kwh = 2.0;
		c.grid.carbon_g_per_kwh = 400;
		c.grid.price_usd_per_mwh = 50;
		c.grid.demand_usd_per_kw_month = 10;
		c.n_nodes = 10;
		c.embodied.kg_per_node = 8760; /* 1 kg per node-hour over a 1-year life */
		c.embodied.lifetime_years = 1;
		struct facility *f = facility_new(&c, &e);
		CHECK(f != NULL);
		if (!f) {
			fprintf(stderr, "%s\n", e.msg);
			return;
		}
		for (int i = 0; i < 288; i++)
			CHECK_INT(facility_step(f, i * 300.0, (i + 1) * 300.0, 100e3 * 300, 0, &e), 0);
		metrics_init(&ms);
		facility_report(f, &ms);
		double k = pass == 0 ? 1.0 : 1.5;
		CHECK_NEAR(fx_metric(&ms, "energy_grid_kwh"), 2400 * k, 1e-12, 0);
		CHECK_NEAR(fx_metric(&ms, "energy_facility_kwh"), 2400 * k, 1e-12, 0);
		CHECK_NEAR(fx_metric(&ms, "energy_cooling_kwh"), 2400 * (k - 1), 1e-12, 1e-9);
		CHECK_NEAR(fx_metric(&ms, "pue"), k, 1e-12, 0);
		CHECK_NEAR(fx_metric(&ms, "carbon_operational_kg"), 960 * k, 1e-12, 0);
		CHECK_NEAR(fx_metric(&ms, "carbon_operational_market_kg"), 960 * k, 1e-12, 0);
		/* demand charge: one month, peak 100 kW * k at 10 USD/kW */
		CHECK_NEAR(fx_metric(&ms, "cost_usd"), 120 * k + 1000 * k, 1e-12, 0);
		CHECK_NEAR(fx_metric(&ms, "carbon_embodied_kg"), 10 * 24, 1e-12, 0);
		CHECK_NEAR(fx_metric(&ms, "water_l"), pass == 0 ? 0 : 2.0 * 2400, 1e-12, 0);
		CHECK_NEAR(fx_metric(&ms, "renewable_fraction"), 0, 0, 0);
		CHECK(fx_metric(&ms, "balance_error_rel") <= 1e-15);
		metrics_fini(&ms);
		facility_free(f);
	}
}

/* A 100 kWh battery, SoC 10-90 %, 50 kW, round trip 0.81 (0.9 each way), no wear:
 * charge from the grid at 50 kW for 2 h under a 10 kW load, then serve a 40 kW load for 3 h.
 * Hour 1: accepts 50 kWh, stores 45 (SoC 0.55), grid 60. Hour 2: room 35 kWh -> accepts
 * 38.889, grid 48.889. Then 80 kWh usable deliver 72: 40, 32, 0 -> grid 0, 8, 40. */
static void test_battery_cycle(void)
{
	struct facility_cfg c;
	struct err e = { 0 };
	struct metrics ms;
	facility_cfg_default(&c);
	c.cooling.model = COOLING_NONE;
	c.battery.enabled = 1;
	c.battery.capacity_kwh = 100;
	c.battery.soc_init = 0.10;
	c.battery.max_charge_kw = 50;
	c.battery.max_discharge_kw = 50;
	c.battery.rt_eff = 0.81;
	c.battery.cycle_life = 1e12;
	struct facility *f = facility_new(&c, &e);
	CHECK(f != NULL);
	if (!f)
		return;
	double grid[5], want[5] = { 60, 10 + 35 / 0.9, 0, 8, 40 };
	double prev = 0;
	facility_set_dispatch(f, FAC_DISPATCH_CHARGE, 50e3);
	for (int h = 0; h < 5; h++) {
		if (h == 2)
			facility_set_dispatch(f, FAC_DISPATCH_SELF, 0);
		double load = h < 2 ? 10e3 : 40e3;
		CHECK_INT(facility_step(f, h * 3600.0, (h + 1) * 3600.0, load * 3600, 0, &e), 0);
		double g = facility_energy_j(f, "grid");
		grid[h] = (g - prev) / 3.6e6;
		prev = g;
		CHECK_NEAR(grid[h], want[h], 1e-12, 1e-9);
		if (h == 0)
			CHECK_NEAR(facility_battery_soc(f), 0.55, 1e-12, 0);
		if (h == 1)
			CHECK_NEAR(facility_battery_soc(f), 0.90, 1e-12, 0);
	}
	CHECK_NEAR(facility_battery_soc(f), 0.10, 1e-12, 1e-12);
	metrics_init(&ms);
	facility_report(f, &ms);
	CHECK_NEAR(fx_metric(&ms, "energy_battery_charge_kwh"), 80, 1e-12, 0);   /* stored */
	CHECK_NEAR(fx_metric(&ms, "energy_battery_discharge_kwh"), 80, 1e-12, 0);/* taken */
	CHECK_NEAR(fx_metric(&ms, "energy_losses_kwh"), 50 - 45 + 35 / 0.9 - 35 + 80 - 72, 1e-12, 0);
	CHECK_NEAR(fx_metric(&ms, "battery_cycles"), 1.0, 1e-12, 0);
	metrics_fini(&ms);
	facility_free(f);

	/* wear: one full equivalent cycle with a 10-cycle life fades 2 % (to 80 % at 10) */
	struct battery b;
	struct battery_cfg bc;
	double st, tk;
	battery_cfg_default(&bc);
	bc.enabled = 1;
	bc.capacity_kwh = 1;
	bc.soc_init = 0.9;
	bc.max_discharge_kw = 100;
	bc.cycle_life = 10;
	battery_init(&b, &bc);
	battery_discharge(&b, 1e9, 3600, &tk);
	CHECK_NEAR(tk, 0.8 * 3.6e6, 1e-12, 0);
	CHECK_NEAR(battery_capacity_j(&b), 0.98 * 3.6e6, 1e-12, 0);
	CHECK_NEAR(b.efc, 1.0, 1e-12, 0);
	/* the power limit binds: 0.5 kW for 1 h when asking for more */
	bc.max_charge_kw = 0.5;
	battery_init(&b, &bc);
	b.store_j = 0.1 * 3.6e6;
	CHECK_NEAR(battery_charge(&b, 1e9, 3600, &st), 0.5 * 3.6e6, 1e-12, 0);
}

/* Stull (2011) worked example: 20 degC, 50 % RH -> wet bulb 13.7 degC. */
static void test_wetbulb(void)
{
	CHECK_NEAR(weather_wetbulb_c(20, 50), 13.7, 0, 0.05);
	CHECK(weather_wetbulb_c(30, 100) <= 30);
	CHECK(weather_wetbulb_c(-30, 50) < -30 + 1e-9);
	CHECK_NEAR(cooling_dewpoint_c(20, 100), 20, 0, 1e-9);
}

/* A day at 5 degC / 50 % RH with a water-side economizer: full free cooling, chiller off.
 * Hand calculation for 1 MW IT at design load with the default coefficients:
 *   airflow 1e6 / (1.2 * 1006 * 12) m3/s, CRAH 400 Pa / 0.6 -> 46.02 kW; UPS 1e6 (1/0.95 - 1);
 *   misc 10 kW; heat Q = IT + CRAH + UPS + misc; tower 0.0133 Q; pumps 9.81 * 30 Q /
 *   (4186 * 6 * 0.7) + 9.81 * 20 Q / (4186 * 5.6 * 0.7); water 0.85 Q / 2.43e6 * (1 + 1/4).
 * The hand calculation takes the plant without its inlet-temperature term and with the fixed
 * latent share (both are checked in test_cooling_policy.c). */
static void test_free_cooling_day(void)
{
	struct facility_cfg c;
	struct err e = { 0 };
	struct metrics ms;
	facility_cfg_default(&c);
	cooling_cfg_default(&c.cooling);
	c.cooling.inlet_fan_share = 0;
	c.cooling.tower_evap = EVAP_CONSTANT_LATENT;
	c.weather.source = FAC_WX_CONSTANT;
	c.weather.temp_c = 5;
	c.weather.rh_pct = 50;
	struct facility *f = facility_new(&c, &e);
	CHECK(f != NULL);
	if (!f) {
		fprintf(stderr, "%s\n", e.msg);
		return;
	}
	for (int i = 0; i < 288; i++)
		CHECK_INT(facility_step(f, i * 300.0, (i + 1) * 300.0, 1e6 * 300, 1e6, &e), 0);
	metrics_init(&ms);
	facility_report(f, &ms);
	double crah = 1e6 / (1.2 * 1006 * 12) * 400 / 0.6;
	double ups = 1e6 * (1 / 0.95 - 1);
	double q = 1e6 + crah + ups + 10e3;
	double tower = 0.0133 * q;
	double pumps = 9.81 * 30 * q / (4186 * 6 * 0.7) + 9.81 * 20 * q / (4186 * 5.6 * 0.7);
	double water_l_s = 0.85 * q / 2.43e6 * 1.25;
	CHECK_NEAR(fx_metric(&ms, "energy_chiller_kwh"), 0, 0, 0);
	CHECK_NEAR(fx_metric(&ms, "free_cooling_frac"), 1, 0, 0);
	CHECK_NEAR(fx_metric(&ms, "energy_cooling_kwh"), (crah + tower + pumps) * 24 / 1e3, 1e-12, 0);
	CHECK_NEAR(fx_metric(&ms, "pue"), (q + tower + pumps) / 1e6, 1e-12, 0);
	CHECK_NEAR(fx_metric(&ms, "water_l"), water_l_s * 86400, 1e-12, 0);
	CHECK(fx_metric(&ms, "pue") > 1.10 && fx_metric(&ms, "pue") < 1.20);
	metrics_fini(&ms);
	facility_free(f);

	/* the same plant at 30 degC / 70 % RH runs its chiller at the Carnot-fraction COP */
	struct cooling_cfg cc;
	struct cooling_in in = { 1e6, 1e6, 0, 30, 70 };
	struct cooling_out o;
	cooling_cfg_default(&cc);
	cc.inlet_fan_share = 0;
	cooling_eval(&cc, &in, &o);
	CHECK(o.mode == MODE_CHILLER);
	CHECK_NEAR(o.chiller_w, o.heat_w / o.cop, 1e-12, 0);
	CHECK_NEAR(o.plr, 1.0, 1e-12, 0); /* at design load the chiller is fully loaded */
	/* part load: P = Cap / COP * EIR(PLR), the DOE-2 centrifugal curve; false loading below
	 * PLR 0.1 */
	struct cooling_in lo = { 0.3e6, 1e6, 0, 30, 70 };
	struct cooling_out ol;
	cooling_eval(&cc, &lo, &ol);
	double cap = 1e6 / 0.95 + 0.01 * 1e6 + 1e6 / (1.2 * 1006 * 12) * 400 / 0.6;
	CHECK_NEAR(ol.plr, ol.heat_w / cap, 1e-12, 0);
	CHECK_NEAR(ol.chiller_w, cap / ol.cop * (0.222903 + 0.313387 * ol.plr +
						 0.463710 * ol.plr * ol.plr), 1e-12, 0);
	CHECK(ol.chiller_w > ol.heat_w / ol.cop); /* part load costs efficiency */
	lo.it_w = 0.02e6;
	cooling_eval(&cc, &lo, &ol);
	CHECK(ol.plr < 0.1);
	CHECK_NEAR(ol.chiller_w, cap / ol.cop * (0.222903 + 0.0313387 + 0.0046371), 1e-12, 0);
	/* rated COP at the AHRI point, by construction */
	CHECK_NEAR(cooling_chiller_cop(&cc, 6.7, 29.4), 6.1, 1e-12, 0);
	/* partial free cooling in between */
	in.temp_c = 14;
	in.rh_pct = 60;
	cooling_eval(&cc, &in, &o);
	CHECK(o.mode == MODE_PARTIAL_FREE && o.chiller_frac > 0 && o.chiller_frac < 1);
	/* air-side: full free below the supply temperature when dry enough; none when too humid */
	cc.economizer = ECON_AIRSIDE;
	in.temp_c = 15;
	in.rh_pct = 40;
	cooling_eval(&cc, &in, &o);
	CHECK(o.mode == MODE_FULL_FREE && o.water_l_per_s == 0);
	in.temp_c = 22;
	in.rh_pct = 95;
	cooling_eval(&cc, &in, &o);
	CHECK(o.mode == MODE_CHILLER);
	/* server fans from the GreenSKU curve: 8.93 % at 320 W, 15.36 % at 911 W, held beyond */
	struct err e2 = { 0 };
	cooling_cfg_default(&cc);
	CHECK_INT(ftrace_read_fan_curve(TR "greensku_server_fan_power.csv", &cc, &e2), 0);
	CHECK_INT(cc.n_fan_pts, 8);
	CHECK_NEAR(cooling_server_fan_w(&cc, 320), 28.57142857, 1e-8, 0);
	CHECK_NEAR(cooling_server_fan_w(&cc, 2000), 2000 * 0.153605016, 1e-9, 0);
}

static unsigned long long lcg = 0x9E3779B97F4A7C15ULL;
static double urand(void)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(lcg >> 11) / 9007199254740992.0;
}

/* Random configurations and random steps: every step must close and the battery's store must
 * reconcile with the booked charge and discharge. */
static void test_conservation_random(void)
{
	for (int trial = 0; trial < 40; trial++) {
		struct facility_cfg c;
		struct err e = { 0 };
		facility_cfg_default(&c);
		c.weather.source = FAC_WX_CONSTANT;
		c.weather.temp_c = -10 + 45 * urand();
		c.weather.rh_pct = 100 * urand();
		int cm = (int)(urand() * 3);
		c.cooling.model = cm == 0 ? COOLING_PHYSICS : cm == 1 ? COOLING_CONSTANT_PUE : COOLING_NONE;
		c.cooling.economizer = urand() < 0.5 ? ECON_WATERSIDE : ECON_AIRSIDE;
		c.cooling.heat_rejection = urand() < 0.5 ? REJECT_TOWER : REJECT_DRY;
		c.n_nodes = 1 + (int)(urand() * 100);
		if (urand() < 0.5)
			snprintf(c.fan_curve_path, sizeof c.fan_curve_path, "%s",
				 TR "greensku_server_fan_power.csv");
		if (urand() < 0.7) {
			c.solar.pv.model = SOLAR_PROFILE;
			c.solar.pv.capacity_kw = 10 + 500 * urand();
			snprintf(c.solar.profile_path, sizeof c.solar.profile_path, "%s",
				 TR "pvwatts_8760_golden_co_4kw_rackmount.csv");
		}
		if (urand() < 0.7) {
			c.battery.enabled = 1;
			c.battery.capacity_kwh = 10 + 1000 * urand();
			c.battery.rt_eff = 0.7 + 0.3 * urand();
			c.battery.cycle_life = 5 + 5000 * urand();
		}
		struct facility *f = facility_new(&c, &e);
		CHECK(f != NULL);
		if (!f) {
			fprintf(stderr, "%s\n", e.msg);
			continue;
		}
		double store0 = facility_battery_energy_j(f);
		double t = 3600 * 24 * 365 * urand();
		double design = 1e4 + 3e5 * urand();
		int ok = 1;
		for (int i = 0; i < 500 && ok; i++) {
			double dt = 1 + 7200 * urand();
			double u = urand();
			if (u < 0.1)
				facility_set_dispatch(f, FAC_DISPATCH_CHARGE, 1e5 * urand());
			else if (u < 0.2)
				facility_set_dispatch(f, FAC_DISPATCH_DISCHARGE, 1e5 * urand());
			else if (u < 0.25)
				facility_set_dispatch(f, FAC_DISPATCH_IDLE, 0);
			else if (u < 0.4)
				facility_set_dispatch(f, FAC_DISPATCH_SELF, 0);
			double it = (urand() < 0.05 ? 0 : design * urand()) * dt;
			if (facility_step(f, t, t + dt, it, design, &e) != 0) {
				fprintf(stderr, "trial %d step %d: %s\n", trial, i, e.msg);
				ok = 0;
			}
			t += dt;
		}
		CHECK(ok);
		struct metrics ms;
		metrics_init(&ms);
		facility_report(f, &ms);
		CHECK(fx_metric(&ms, "balance_error_rel") < 1e-12);
		CHECK(fx_metric(&ms, "pue") >= 1.0);
		/* battery: charged into the store - taken out == change of stored energy */
		double dstore = facility_energy_j(f, "battery_charge") -
				facility_energy_j(f, "battery_discharge");
		double thru = facility_energy_j(f, "battery_charge") +
			      facility_energy_j(f, "battery_discharge");
		CHECK_NEAR(dstore, facility_battery_energy_j(f) - store0, 1e-9, 1e-9 * thru + 1e-6);
		if (c.battery.enabled && c.solar.pv.model == SOLAR_PROFILE)
			CHECK(thru > 0); /* the battery took part */
		CHECK_INT(metrics_check(&ms, &e), 0);
		metrics_fini(&ms);
		facility_free(f);
	}
}

/* The books refuse a step whose entries do not add up. */
static void test_broken_ledger_caught(void)
{
	struct facility_cfg c;
	struct err e = { 0 };
	facility_cfg_default(&c);
	struct facility *f = facility_new(&c, &e);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_INT(facility_step(f, 0, 300, 3e7, 0, &e), 0);
	facility_test_corrupt_ledger(f, 1.0); /* 1 J in 4.7e7 J: 2e-8 relative */
	CHECK_INT(facility_step(f, 300, 600, 3e7, 0, &e), -1);
	CHECK_HAS(e.msg, "energy balance broken at t=600 s");
	/* a gap between steps is refused too: energy would escape the books */
	struct err e2 = { 0 };
	CHECK_INT(facility_step(f, 900, 1200, 3e7, 0, &e2), -1);
	CHECK_HAS(e2.msg, "contiguous");
	struct err e3 = { 0 };
	CHECK_INT(facility_step(f, 300, 600, -5, 0, &e3), -1);
	facility_free(f);
}

static void test_parse_time(void)
{
	double t;
	CHECK_INT(ftrace_parse_time("2023-01-01T00:00:00Z", 5, &t), 0);
	CHECK_NEAR(t, 1672531200, 0, 0);
	CHECK_INT(ftrace_parse_time("2023-01-01 00:00:00", -5, &t), 0);
	CHECK_NEAR(t, 1672531200 + 5 * 3600, 0, 0);
	CHECK_INT(ftrace_parse_time("2010-01-01 00:00:00+01:00", 0, &t), 0);
	CHECK_NEAR(t, 1262304000 - 3600, 0, 0);
	CHECK_INT(ftrace_parse_time("20180101:0100", 0, &t), 0);
	CHECK_NEAR(t, 1514768400, 0, 0);
	CHECK_INT(ftrace_parse_time("2024-02-29T12:30", 0, &t), 0);
	int y, m, d, h, mi, yd;
	series_epoch_to_civil(t, &y, &m, &d, &h, &mi, NULL, &yd);
	CHECK(y == 2024 && m == 2 && d == 29 && h == 12 && mi == 30 && yd == 59);
	CHECK_INT(ftrace_parse_time("2023-13-01", 0, &t), -1);
	CHECK_INT(ftrace_parse_time("yesterday", 0, &t), -1);
}

static void test_readers(void)
{
	struct weather w;
	struct err e = { 0 };
	struct series s;

	weather_init(&w);
	CHECK_INT(ftrace_read_epw(TR "USA_VA_Leesburg.Exec.AP.724055_TMYx.epw", &w, &e), 0);
	CHECK_INT((long)w.temp_c.n, 8760);
	CHECK_NEAR(series_mean(&w.temp_c), 13.8, 0, 0.05);          /* data/README.md */
	CHECK_NEAR(series_mean(&w.ghi_w_m2) * 8.76, 1535, 0.005, 0); /* kWh/m2/yr */
	CHECK_NEAR(w.utc_offset_h, -5, 0, 0);
	weather_fini(&w);
	CHECK_INT(ftrace_read_pvgis(TR "pvgis_tmy_45.000N_8.000E_2005_2023.csv", &w, &e), 0);
	CHECK_NEAR(series_mean(&w.temp_c), 13.6, 0, 0.05);
	CHECK_NEAR(series_mean(&w.ghi_w_m2) * 8.76, 1436, 0.005, 0);
	CHECK_NEAR(w.lat_deg, 45, 0, 0);
	weather_fini(&w);
	CHECK_INT(ftrace_read_openmeteo(TR "openmeteo_SG_2023_hourly.csv", 8, &w, &e), 0);
	CHECK_NEAR(series_mean(&w.temp_c), 27.3, 0, 0.05);
	CHECK_NEAR(w.temp_c.t0_s, 1672531200 - 8 * 3600, 0, 0);
	weather_fini(&w);
	CHECK_INT(ftrace_read_windpowerlib(TR "windpowerlib_weather_2010_hourly.csv", 100, &w, &e), 0);
	CHECK_NEAR(w.wind_height_m, 80, 0, 0);
	CHECK_NEAR(series_mean(&w.wind_m_s), 6.38, 0, 0.01);
	weather_fini(&w);

	series_init(&s);
	CHECK_INT(ftrace_read_column(TR "electricitymaps_CA-ON_2023_hourly.csv",
				     "Carbon Intensity gCO\xe2\x82\x82" "eq/kWh (direct)", 0, 1, &s, &e), 0);
	CHECK_NEAR(series_mean(&s), 47, 0, 0.5);
	series_fini(&s);
	CHECK_INT(ftrace_read_column(TR "price_DE-LU_2023_raw.csv", "", 1, 1.07764, &s, &e), 0);
	CHECK_NEAR(series_mean(&s), 95.2 * 1.07764, 0.002, 0);
	series_fini(&s);
	if (e.set)
		fprintf(stderr, "%s\n", e.msg);

	/* bad inputs name file and line */
	const char *bad = "/tmp/maasim_test_facility_bad.csv";
	FILE *fp = fopen(bad, "w");
	fputs("Datetime,v\n2023-01-01 00:00:00,1\n2023-01-01 01:00:00,2\n2023-01-01 03:00:00,3\n", fp);
	fclose(fp);
	struct err e2 = { 0 };
	CHECK_INT(ftrace_read_column(bad, NULL, 0, 1, &s, &e2), -1);
	CHECK_HAS(e2.msg, "maasim_test_facility_bad.csv:4: expected a regular step of 3600 s");
	fp = fopen(bad, "w");
	fputs("Datetime,v\n2023-01-01 00:00:00,1\n2023-01-01 01:00:00,abc\n", fp);
	fclose(fp);
	struct err e3 = { 0 };
	CHECK_INT(ftrace_read_column(bad, "v", 0, 1, &s, &e3), -1);
	CHECK_HAS(e3.msg, ":3: column v: expected a finite number");
	struct err e4 = { 0 };
	CHECK_INT(ftrace_read_column(bad, "price", 0, 1, &s, &e4), -1);
	CHECK_HAS(e4.msg, "expected a column named \"price\"");
	remove(bad);
	struct wind_cfg wc;
	wind_cfg_default(&wc);
	snprintf(wc.turbine, sizeof wc.turbine, "E-101/3050");
	CHECK_INT(ftrace_read_power_curve(TR "oedb_wind_turbine_power_curves.csv", &wc, &e), 0);
	CHECK_NEAR(wind_turbine_w(&wc, 10.0), 2580000, 1e-12, 0);
	CHECK_NEAR(wind_turbine_w(&wc, 10.25), (2580000 + 2775000) / 2.0, 1e-12, 0);
	CHECK_NEAR(wind_turbine_w(&wc, 40), 0, 0, 0);
	snprintf(wc.turbine, sizeof wc.turbine, "E-999/1");
	struct err e5 = { 0 };
	CHECK_INT(ftrace_read_power_curve(TR "oedb_wind_turbine_power_curves.csv", &wc, &e5), -1);
	CHECK_HAS(e5.msg, "E-999/1");
}

/* Sampled series are window means stamped at the window's end: 100 kW IT at constant PUE 1.5
 * in 300 s steps, sampled hourly, give power_it_kw 100 and pue 1.5 at t = 3600 and 7200 (the
 * means over (0, 3600] and (3600, 7200]); a warmer chilled-water
 * setpoint lowers the physics plant's chiller power. */
static void test_series_and_setpoints(void)
{
	struct facility_cfg c;
	struct err e = { 0 };
	struct metrics ms;
	facility_cfg_default(&c);
	c.cooling.pue = 1.5;
	c.sample_interval_s = 3600;
	struct facility *f = facility_new(&c, &e);
	CHECK(f != NULL);
	if (!f)
		return;
	for (int i = 0; i < 24; i++)
		CHECK_INT(facility_step(f, i * 300.0, (i + 1) * 300.0, 100e3 * 300, 0, &e), 0);
	metrics_init(&ms);
	facility_report(f, &ms);
	int n_it = 0, n_pue = 0;
	for (size_t i = 0; i < ms.n_pts; i++) {
		const char *nm = ms.series_names[ms.pts[i].name_id];
		if (strcmp(nm, "power_it_kw") == 0) {
			CHECK_NEAR(ms.pts[i].value, 100, 1e-12, 0);
			CHECK_NEAR(ms.pts[i].t_s, 3600.0 * (n_it + 1), 0, 0);
			n_it++;
		} else if (strcmp(nm, "pue") == 0) {
			CHECK_NEAR(ms.pts[i].value, 1.5, 1e-12, 0);
			n_pue++;
		} else if (strcmp(nm, "power_grid_kw") == 0) {
			CHECK_NEAR(ms.pts[i].value, 150, 1e-12, 0);
		}
	}
	CHECK_INT(n_it, 2);
	CHECK_INT(n_pue, 2);
	metrics_fini(&ms);
	facility_free(f);

	facility_cfg_default(&c);
	cooling_cfg_default(&c.cooling);
	c.weather.source = FAC_WX_CONSTANT;
	c.weather.temp_c = 30;
	c.weather.rh_pct = 60;
	f = facility_new(&c, &e);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_INT(facility_step(f, 0, 3600, 1e6 * 3600, 1e6, &e), 0);
	double cool1 = facility_energy_j(f, "cooling");
	CHECK_INT(facility_set_setpoints(f, 27, 18, &e), 0);
	CHECK_INT(facility_step(f, 3600, 7200, 1e6 * 3600, 1e6, &e), 0);
	double cool2 = facility_energy_j(f, "cooling") - cool1;
	CHECK(cool2 < cool1);
	struct err e2 = { 0 };
	CHECK_INT(facility_set_setpoints(f, 80, 18, &e2), -1);
	CHECK_HAS(e2.msg, "supply_air_c");
	facility_free(f);
}

/* Dispatch semantics with the Golden PVWatts profile (4 kW, used 1:1, anchored at UTC) and a
 * lossless 10 kWh battery against a 1 kW load: at noon IDLE curtails the whole surplus and
 * SELF_CONSUMPTION charges up to the 2 kW limit; at midnight DISCHARGE capped at 500 W leaves
 * the other 500 W to the grid. Also the next-change query on an hourly trace. */
static void test_dispatch_modes_and_next_change(void)
{
	struct facility_cfg c;
	struct err e = { 0 };
	facility_cfg_default(&c);
	c.cooling.model = COOLING_NONE;
	c.solar.pv.model = SOLAR_PROFILE;
	c.solar.pv.capacity_kw = 4; /* the Golden file itself, 1:1 */
	c.solar.profile_utc_offset_h = 0;
	snprintf(c.solar.profile_path, sizeof c.solar.profile_path, "%s",
		 TR "pvwatts_8760_golden_co_4kw_rackmount.csv");
	c.battery.enabled = 1;
	c.battery.capacity_kwh = 10;
	c.battery.soc_init = 0.5;
	c.battery.max_charge_kw = 2;
	c.battery.max_discharge_kw = 2;
	c.battery.rt_eff = 1.0;
	struct facility *f = facility_new(&c, &e);
	CHECK(f != NULL);
	if (!f)
		return;
	/* 2023-07-01 12:00 UTC (hour 4380 of the typical year): PV well above 1 kW */
	double t = 4380 * 3600.0, pv = facility_solar_w(f, t + 1800);
	CHECK(pv > 2000);
	CHECK_NEAR(facility_next_change_s(f, t + 10), t + 3600, 0, 1e-6);
	facility_set_dispatch(f, FAC_DISPATCH_IDLE, 0);
	CHECK_INT(facility_step(f, t, t + 3600, 1000.0 * 3600, 0, &e), 0);
	CHECK_NEAR(facility_energy_j(f, "curtailed"), (pv - 1000) * 3600, 1e-12, 0);
	CHECK_NEAR(facility_energy_j(f, "battery_charge"), 0, 0, 0);
	facility_set_dispatch(f, FAC_DISPATCH_SELF, 0);
	double pv2 = facility_solar_w(f, t + 3600 + 1800);
	CHECK_INT(facility_step(f, t + 3600, t + 7200, 1000.0 * 3600, 0, &e), 0);
	/* surplus above the 2 kW charge limit is curtailed */
	CHECK_NEAR(facility_energy_j(f, "battery_charge"), fmin(pv2 - 1000, 2000) * 3600, 1e-12, 0);
	/* night: DISCHARGE capped at 500 W against a 1 kW load, the rest from the grid */
	double night = 4380 * 3600.0 + 12 * 3600; /* 00:00 of the profile's clock: PV 0 */
	facility_free(f);
	f = facility_new(&c, &e);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_NEAR(facility_solar_w(f, night + 1800), 0, 0, 0);
	facility_set_dispatch(f, FAC_DISPATCH_DISCHARGE, 500);
	CHECK_INT(facility_step(f, night, night + 3600, 1000.0 * 3600, 0, &e), 0);
	CHECK_NEAR(facility_energy_j(f, "battery_discharge"), 500.0 * 3600, 1e-12, 0);
	CHECK_NEAR(facility_energy_j(f, "grid"), 500.0 * 3600, 1e-12, 0);
	facility_free(f);
	/* constant inputs never change */
	facility_cfg_default(&c);
	f = facility_new(&c, &e);
	CHECK(f != NULL);
	if (f)
		CHECK(isinf(facility_next_change_s(f, 0)));
	facility_free(f);
}

/* A steady facility (constant inputs, constant PUE) books the same in one step as in 288;
 * anything time-varying is not steady. */
static void test_steady(void)
{
	struct facility_cfg c;
	struct err e = { 0 };
	struct metrics m1, m2;
	facility_cfg_default(&c);
	c.sample_interval_s = 0;
	c.n_nodes = 3;
	struct facility *a = facility_new(&c, &e), *b = facility_new(&c, &e);
	CHECK(a && b);
	if (!a || !b)
		return;
	CHECK_INT(facility_is_steady(a), 1);
	CHECK_INT(facility_step(a, 0, 86400, 7e3 * 86400, 0, &e), 0);
	for (int i = 0; i < 288; i++)
		CHECK_INT(facility_step(b, i * 300.0, (i + 1) * 300.0, 7e3 * 300, 0, &e), 0);
	metrics_init(&m1);
	metrics_init(&m2);
	facility_report(a, &m1);
	facility_report(b, &m2);
	const char *names[] = { "energy_facility_kwh", "energy_grid_kwh", "carbon_operational_kg",
				"carbon_embodied_kg", "water_l", "cost_usd", "pue" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		CHECK_NEAR(fx_metric(&m1, names[i]), fx_metric(&m2, names[i]), 1e-12, 1e-12);
	metrics_fini(&m1);
	metrics_fini(&m2);
	facility_free(a);
	facility_free(b);
	c.grid.demand_usd_per_kw_month = 5; /* peaks depend on the step partition */
	a = facility_new(&c, &e);
	CHECK(a && !facility_is_steady(a));
	facility_free(a);
	facility_cfg_default(&c);
	c.sample_interval_s = 0;
	cooling_cfg_default(&c.cooling);
	c.weather.source = FAC_WX_CONSTANT; /* physics: the cube law is not linear in IT power */
	a = facility_new(&c, &e);
	CHECK(a && !facility_is_steady(a));
	facility_free(a);
}

/* Config errors carry JSON paths. */
static void test_cfg_errors(void)
{
	struct facility_cfg c;
	struct err e = { 0 };
	facility_cfg_default(&c);
	c.cooling.model = COOLING_PHYSICS;
	CHECK_INT(facility_cfg_check(&c, &e), -1);
	CHECK_HAS(e.msg, "$.datacenter.cooling.model");
	facility_cfg_default(&c);
	c.battery.enabled = 1;
	c.battery.capacity_kwh = -1;
	struct err e2 = { 0 };
	CHECK_INT(facility_cfg_check(&c, &e2), -1);
	CHECK_HAS(e2.msg, "$.datacenter.supply.battery.capacity_kwh");
}

int main(void)
{
	RUN(test_constant_load_constant_intensity);
	RUN(test_battery_cycle);
	RUN(test_wetbulb);
	RUN(test_free_cooling_day);
	RUN(test_conservation_random);
	RUN(test_broken_ledger_caught);
	RUN(test_parse_time);
	RUN(test_readers);
	RUN(test_series_and_setpoints);
	RUN(test_dispatch_modes_and_next_change);
	RUN(test_steady);
	RUN(test_cfg_errors);
	return CHECK_DONE();
}
