/* facility.c — the facility of facility.h: traces, cooling, supply, battery dispatch, books.
 *
 * Per step: IT power -> cooling plant (dc/cooling.h) -> site demand; PV + wind -> dispatch
 * (battery, curtailment, grid) -> ledger_post (the balance check) -> accumulators for carbon,
 * water, cost and the sampled series. All energies are joules inside, kWh in reports.
 */
#include "facility.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dc/ledger.h"
#include "dc/series.h"
#include "dc/weather.h"
#include "engine/metrics.h"
#include "engine/xalloc.h"
#include "io/ftrace.h"

#define J_PER_KWH 3.6e6

enum { SER_IT, SER_COOL, SER_OTHER, SER_GRID, SER_SOLAR, SER_WIND, SER_BATT, SER_CURT, SER_PUE,
       SER_TEMP, SER_CI, SER_PRICE, SER_SOC, SER_RENEW, SER_WATER, NSER };
static const char *const ser_names[NSER] = {
	"power_it_kw", "power_cooling_kw", "power_other_kw", "power_grid_kw", "power_solar_kw",
	"power_wind_kw", "power_battery_kw", "power_curtailed_kw", "pue", "temp_out_c",
	"carbon_intensity_g_per_kwh", "price_usd_per_mwh", "battery_soc", "renewable_share",
	"water_l_per_h"
};

struct sample {
	double t_s;
	double v[NSER];
};

struct facility {
	struct facility_cfg cfg;
	struct weather wx, wind_wx;
	struct series carbon, marginal, price, pv_profile;
	double pv_profile_scale; /* capacity_kw / profile dc_kw */
	struct battery batt;
	struct ledger led;
	enum fac_dispatch dispatch;
	double dispatch_w;

	double t_first, t_last;
	int started;
	long steps, wrapped_steps, free_steps, partial_steps;
	double step_time_s;
	/* accumulators beyond the ledger */
	double e_chiller_j, e_crah_j, e_tower_j, e_pumps_j, e_solar_j, e_wind_j;
	double carbon_loc_g, carbon_mkt_g, carbon_marg_g, water_l, cost_energy_usd;
	double temp_sum_s, ci_sum_s;
	double demand_usd;           /* closed months */
	int month_key;               /* year * 12 + month of the open month */
	double month_peak_kw;
	/* cooling policy support: the last step's operating point and the setpoint record */
	double last_it_w, last_design_w;
	int have_last;
	double coil_offset_k;        /* configured supply air - chilled-water supply, K */
	double supply_sum_s, supply_min_c, supply_max_c, econ_time_s, free_time_s, e_inlet_j;

	/* sampling window */
	double win_t0, win_len;
	double win_e[NSER];          /* J for powers; value * s for averages */
	struct sample *samples;
	size_t n_samples, cap_samples;
};

void facility_cfg_default(struct facility_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->start_epoch_s = series_civil_to_epoch(2023, 1, 1, 0, 0, 0);
	c->control_step_s = 300;
	c->sample_interval_s = 3600;
	c->n_nodes = 0;
	c->weather.source = FAC_WX_NONE;
	c->weather.lat_deg = NAN;
	c->weather.lon_deg = NAN;
	c->weather.temp_c = 20;
	c->weather.rh_pct = 50;
	cooling_cfg_default(&c->cooling);
	c->cooling.model = COOLING_CONSTANT_PUE; /* without weather, the cited-PUE baseline */
	c->grid.carbon.scale = 1;
	c->grid.carbon_marginal.scale = 1;
	c->grid.price.scale = 1;
	c->grid.carbon_g_per_kwh = 480;     /* world average 2023, Ember Global Electricity Review 2024 */
	c->grid.market_g_per_kwh = -1;      /* = location-based intensity */
	c->grid.contract_frac = 0;
	c->grid.price_usd_per_mwh = 80;     /* assumed; ~US industrial average 2023 (EIA EPM) */
	c->grid.demand_usd_per_kw_month = 0;
	solar_cfg_default(&c->solar.pv);
	wind_cfg_default(&c->wind.wt);
	c->wind.source = FAC_WIND_FROM_WEATHER;
	battery_cfg_default(&c->battery);
	c->dispatch = FAC_DISPATCH_SELF;
	c->embodied.kg_per_node = 4144;     /* 3000 kg 8-GPU server w/o GPUs + 8 x 143 kg A100
					     * (Boavizta via EcoLogits, REFERENCES.md) */
	c->embodied.kg_per_gpu = 143 + 3000.0 / 8; /* kg per GPU: 143 kg A100 + 1/8 of the 3000 kg
						    * 8-GPU server without GPUs (same source); 8 GPUs
						    * give kg_per_node. Assumed for H100/B200 too */
	c->embodied.lifetime_years = 5;     /* same source */
	c->embodied.kg_per_hour = -1;
}

static int trace_check(const struct fac_trace *t, const char *path, const char *scale_key,
		       struct err *e)
{
	if (!*t->path)
		return 0;
	if (!(fabs(t->utc_offset_h) <= 14))
		return err_set(e, "%s.utc_offset_h: expected a number in [-14, 14], got %g", path,
			       t->utc_offset_h);
	if (!isfinite(t->scale) || t->scale == 0)
		return err_set(e, "%s.%s: expected a finite non-zero number, got %g", path, scale_key,
			       t->scale);
	return 0;
}

int facility_cfg_check(const struct facility_cfg *c, struct err *e)
{
	if (!isfinite(c->start_epoch_s))
		return err_set(e, "$.datacenter.start: expected a date-time, got %g", c->start_epoch_s);
	if (!(c->control_step_s > 0 && c->control_step_s <= 86400))
		return err_set(e, "$.datacenter.control_step_s: expected a number in (0, 86400], got %g",
			       c->control_step_s);
	if (!(c->sample_interval_s >= 0))
		return err_set(e, "$.outputs.series_interval_s: expected a number >= 0, got %g",
			       c->sample_interval_s);
	if (c->n_nodes < 0)
		return err_set(e, "$.datacenter.nodes: expected a node count >= 0, got %d", c->n_nodes);
	if (c->weather.source != FAC_WX_NONE && c->weather.source != FAC_WX_CONSTANT &&
	    !*c->weather.path)
		return err_set(e, "$.datacenter.weather.path: expected a file name");
	if (!(fabs(c->weather.utc_offset_h) <= 14))
		return err_set(e, "$.datacenter.weather.utc_offset_h: expected a number in [-14, 14], "
			       "got %g", c->weather.utc_offset_h);
	if (c->weather.source == FAC_WX_CONSTANT &&
	    (!(c->weather.temp_c > -60 && c->weather.temp_c < 60) ||
	     !(c->weather.rh_pct >= 0 && c->weather.rh_pct <= 100)))
		return err_set(e, "$.datacenter.weather: expected temp_c in (-60, 60) and rh_pct in "
			       "[0, 100], got %g and %g", c->weather.temp_c, c->weather.rh_pct);
	if (cooling_cfg_check(&c->cooling, "$.datacenter.cooling", e))
		return -1;
	if (c->cooling.model == COOLING_PHYSICS && c->weather.source == FAC_WX_NONE)
		return err_set(e, "$.datacenter.cooling.model: \"physics\" needs outdoor conditions: "
			       "add $.datacenter.weather (a trace, or {\"source\": \"constant\"})");
	if (trace_check(&c->grid.carbon, "$.datacenter.supply.carbon", "scale", e) ||
	    trace_check(&c->grid.carbon_marginal, "$.datacenter.supply.carbon_marginal", "scale", e) ||
	    trace_check(&c->grid.price, "$.datacenter.supply.price", "usd_per_unit", e))
		return -1;
	if (!(c->grid.carbon_g_per_kwh >= 0 && c->grid.carbon_g_per_kwh < 5000))
		return err_set(e, "$.datacenter.supply.carbon.g_per_kwh: expected a number in "
			       "[0, 5000), got %g", c->grid.carbon_g_per_kwh);
	if (!(c->grid.market_g_per_kwh < 5000) || isnan(c->grid.market_g_per_kwh))
		return err_set(e, "$.datacenter.supply.market_g_per_kwh: expected a number < 5000, "
			       "got %g", c->grid.market_g_per_kwh);
	if (!(c->grid.contract_frac >= 0 && c->grid.contract_frac <= 1))
		return err_set(e, "$.datacenter.supply.contract_frac: expected a number in [0, 1], "
			       "got %g", c->grid.contract_frac);
	if (!isfinite(c->grid.price_usd_per_mwh))
		return err_set(e, "$.datacenter.supply.price.usd_per_mwh: expected a number");
	if (!(c->grid.demand_usd_per_kw_month >= 0))
		return err_set(e, "$.datacenter.supply.demand_usd_per_kw_month: expected a number >= 0, "
			       "got %g", c->grid.demand_usd_per_kw_month);
	if (solar_cfg_check(&c->solar.pv, "$.datacenter.supply.solar", e))
		return -1;
	if (c->solar.pv.model == SOLAR_PROFILE && !*c->solar.profile_path)
		return err_set(e, "$.datacenter.supply.solar.profile: expected a PVWatts hourly CSV");
	if (c->solar.pv.model == SOLAR_IRRADIANCE && c->weather.source != FAC_WX_OPENMETEO &&
	    c->weather.source != FAC_WX_EPW && c->weather.source != FAC_WX_PVGIS)
		return err_set(e, "$.datacenter.supply.solar.model: \"irradiance\" needs a weather "
			       "trace (openmeteo, epw or pvgis) in $.datacenter.weather");
	if (c->solar.pv.model == SOLAR_IRRADIANCE && c->weather.source == FAC_WX_OPENMETEO &&
	    (isnan(c->weather.lat_deg) || isnan(c->weather.lon_deg)))
		return err_set(e, "$.datacenter.weather: solar from Open-Meteo cloud cover needs the "
			       "site: set lat_deg and lon_deg");
	if (!isnan(c->weather.lat_deg) && !(fabs(c->weather.lat_deg) <= 90 &&
					    fabs(c->weather.lon_deg) <= 180))
		return err_set(e, "$.datacenter.weather: expected lat_deg in [-90, 90] and lon_deg in "
			       "[-180, 180], got %g, %g", c->weather.lat_deg, c->weather.lon_deg);
	if (c->wind.wt.enabled) {
		if (!*c->wind.curve_path || !*c->wind.wt.turbine)
			return err_set(e, "$.datacenter.supply.wind: expected power_curves (a CSV) and "
				       "turbine (a turbine_type)");
		if (c->wind.source == FAC_WIND_FROM_WEATHER && c->weather.source != FAC_WX_OPENMETEO &&
		    c->weather.source != FAC_WX_EPW && c->weather.source != FAC_WX_PVGIS)
			return err_set(e, "$.datacenter.supply.wind: wind speed from the weather needs a "
				       "weather trace, or set weather (a windpowerlib CSV)");
		if (c->wind.source == FAC_WIND_WINDPOWERLIB && !*c->wind.weather_path)
			return err_set(e, "$.datacenter.supply.wind.weather: expected a file name");
		struct wind_cfg tmp = c->wind.wt;
		tmp.enabled = 0; /* the curve is read later; check the rest */
		if (!(tmp.count >= 1) || !(tmp.hub_height_m > 1 && tmp.hub_height_m < 300) ||
		    !(tmp.shear_exp >= 0 && tmp.shear_exp <= 1))
			return err_set(e, "$.datacenter.supply.wind: expected count >= 1, hub_height_m "
				       "in (1, 300), shear_exp in [0, 1], got %d, %g, %g", tmp.count,
				       tmp.hub_height_m, tmp.shear_exp);
	}
	if (battery_cfg_check(&c->battery, "$.datacenter.supply.battery", e))
		return -1;
	if (!(c->embodied.kg_per_node >= 0) || !(c->embodied.lifetime_years > 0) ||
	    isnan(c->embodied.kg_per_hour) || !(c->design_it_w < 1e12))
		return err_set(e, "$.datacenter.embodied: expected kg_per_node >= 0 and lifetime_years "
			       "> 0, got %g and %g", c->embodied.kg_per_node, c->embodied.lifetime_years);
	return 0;
}

static int start_year(const struct facility *f, double offset_h)
{
	int y;
	series_epoch_to_civil(f->cfg.start_epoch_s + offset_h * 3600, &y, NULL, NULL, NULL, NULL,
			      NULL, NULL);
	return y;
}

static int load_trace(const struct fac_trace *t, struct series *s, struct err *e)
{
	if (!*t->path)
		return 0;
	return ftrace_read_column(t->path, t->column, t->utc_offset_h, t->scale, s, e);
}

/* Carbon intensities are physical quantities >= 0 (prices may be negative). */
static int check_nonneg(const struct series *s, const char *path, struct err *e)
{
	for (size_t i = 0; i < s->n; i++)
		if (!(s->v[i] >= 0))
			return err_set(e, "%s: expected carbon intensity >= 0 g/kWh, got %g in data "
				       "row %zu", path, s->v[i], i + 1);
	return 0;
}

struct facility *facility_new(const struct facility_cfg *cfg, struct err *e)
{
	struct facility *f;

	if (facility_cfg_check(cfg, e))
		return NULL;
	f = xcalloc(1, sizeof *f);
	f->cfg = *cfg;
	weather_init(&f->wx);
	weather_init(&f->wind_wx);
	series_init(&f->carbon);
	series_init(&f->marginal);
	series_init(&f->price);
	series_init(&f->pv_profile);
	f->dispatch = cfg->dispatch;
	f->dispatch_w = 0;
	f->coil_offset_k = cfg->cooling.supply_air_c - cfg->cooling.chw_supply_c;
	f->supply_min_c = INFINITY;
	f->supply_max_c = -INFINITY;
	ledger_init(&f->led);

	int rc = 0;
	switch (cfg->weather.source) {
	case FAC_WX_OPENMETEO:
		rc = ftrace_read_openmeteo(cfg->weather.path, cfg->weather.utc_offset_h, &f->wx, e);
		break;
	case FAC_WX_EPW:
		rc = ftrace_read_epw(cfg->weather.path, &f->wx, e);
		break;
	case FAC_WX_PVGIS:
		rc = ftrace_read_pvgis(cfg->weather.path, &f->wx, e);
		break;
	default:
		break;
	}
	if (rc)
		goto fail;
	if (f->wx.typical_year)
		weather_anchor_year(&f->wx, start_year(f, f->wx.utc_offset_h));
	if (!isnan(cfg->weather.lat_deg)) {
		f->wx.lat_deg = cfg->weather.lat_deg;
		f->wx.lon_deg = cfg->weather.lon_deg;
	}
	if (cfg->solar.pv.model == SOLAR_IRRADIANCE && (isnan(f->wx.lat_deg) || isnan(f->wx.lon_deg))) {
		err_set(e, "$.datacenter.weather: solar needs the site: set lat_deg and lon_deg");
		goto fail;
	}
	if (*cfg->fan_curve_path && ftrace_read_fan_curve(cfg->fan_curve_path, &f->cfg.cooling, e))
		goto fail;
	if (load_trace(&cfg->grid.carbon, &f->carbon, e) ||
	    load_trace(&cfg->grid.carbon_marginal, &f->marginal, e) ||
	    load_trace(&cfg->grid.price, &f->price, e) ||
	    check_nonneg(&f->carbon, cfg->grid.carbon.path, e) ||
	    check_nonneg(&f->marginal, cfg->grid.carbon_marginal.path, e))
		goto fail;
	if (cfg->solar.pv.model == SOLAR_PROFILE) {
		double dc_kw;
		if (ftrace_read_pvwatts(cfg->solar.profile_path, cfg->solar.profile_utc_offset_h,
					&f->pv_profile, &dc_kw, NULL, NULL, NULL, e))
			goto fail;
		f->pv_profile.t0_s = series_civil_to_epoch(start_year(f, cfg->solar.profile_utc_offset_h),
							   1, 1, 0, 0, 0) -
				     cfg->solar.profile_utc_offset_h * 3600;
		f->pv_profile_scale = cfg->solar.pv.capacity_kw / dc_kw;
	}
	if (cfg->wind.wt.enabled) {
		if (ftrace_read_power_curve(cfg->wind.curve_path, &f->cfg.wind.wt, e) ||
		    wind_cfg_check(&f->cfg.wind.wt, "$.datacenter.supply.wind", e))
			goto fail;
		if (cfg->wind.source == FAC_WIND_WINDPOWERLIB) {
			if (ftrace_read_windpowerlib(cfg->wind.weather_path, cfg->wind.wt.hub_height_m,
						     &f->wind_wx, e))
				goto fail;
			weather_anchor_year(&f->wind_wx, start_year(f, f->wind_wx.utc_offset_h));
		} else if (f->wx.wind_m_s.n == 0) {
			err_set(e, "%s: has no wind speed for $.datacenter.supply.wind", cfg->weather.path);
			goto fail;
		}
	}
	if ((cfg->cooling.model == COOLING_PHYSICS && cfg->weather.source != FAC_WX_CONSTANT &&
	     (f->wx.temp_c.n == 0 || f->wx.rh_pct.n == 0))) {
		err_set(e, "%s: expected temperature and humidity for the cooling model",
			cfg->weather.path);
		goto fail;
	}
	battery_init(&f->batt, &cfg->battery);
	return f;
fail:
	facility_free(f);
	return NULL;
}

void facility_free(struct facility *f)
{
	if (!f)
		return;
	weather_fini(&f->wx);
	weather_fini(&f->wind_wx);
	series_fini(&f->carbon);
	series_fini(&f->marginal);
	series_fini(&f->price);
	series_fini(&f->pv_profile);
	free(f->samples);
	free(f);
}

/* ---- signals ---- */

double facility_carbon_avg(const struct facility *f, double t_s)
{
	return f->carbon.n ? series_at(&f->carbon, f->cfg.start_epoch_s + t_s)
			   : f->cfg.grid.carbon_g_per_kwh;
}

double facility_carbon_marginal(const struct facility *f, double t_s)
{
	return f->marginal.n ? series_at(&f->marginal, f->cfg.start_epoch_s + t_s)
			     : facility_carbon_avg(f, t_s);
}

int facility_has_marginal(const struct facility *f) { return f->marginal.n > 0; }

double facility_price(const struct facility *f, double t_s)
{
	return f->price.n ? series_at(&f->price, f->cfg.start_epoch_s + t_s)
			  : f->cfg.grid.price_usd_per_mwh;
}

static double wx_at(const struct facility *f, const struct series *s, double konst, double t_s)
{
	if (f->cfg.weather.source == FAC_WX_CONSTANT)
		return konst;
	return s->n ? series_at(s, f->cfg.start_epoch_s + t_s) : NAN;
}

double facility_outdoor_temp_c(const struct facility *f, double t_s)
{
	return wx_at(f, &f->wx.temp_c, f->cfg.weather.temp_c, t_s);
}

static double outdoor_rh(const struct facility *f, double t_s)
{
	return wx_at(f, &f->wx.rh_pct, f->cfg.weather.rh_pct, t_s);
}

double facility_solar_w(const struct facility *f, double t_s)
{
	const struct solar_cfg *pv = &f->cfg.solar.pv;
	double ep = f->cfg.start_epoch_s + t_s;

	if (pv->model == SOLAR_PROFILE)
		return fmax(series_at(&f->pv_profile, ep), 0.0) * f->pv_profile_scale;
	if (pv->model != SOLAR_IRRADIANCE)
		return 0.0;
	/* irradiance is an hour mean: evaluate the sun at the middle of its sample */
	const struct series *ref = f->wx.ghi_w_m2.n ? &f->wx.ghi_w_m2 : &f->wx.cloud_pct;
	double mid = ep;
	if (ref->n) {
		size_t i = series_index(ref, ep);
		double span = (double)ref->n * ref->step_s;
		double k = floor((ep - ref->t0_s) / span);
		mid = ref->t0_s + k * span + ((double)i + 0.5) * ref->step_s;
	}
	double ghi = f->wx.ghi_w_m2.n ? series_at(&f->wx.ghi_w_m2, ep) : NAN;
	double dni = f->wx.dni_w_m2.n ? series_at(&f->wx.dni_w_m2, ep) : NAN;
	double dhi = f->wx.dhi_w_m2.n ? series_at(&f->wx.dhi_w_m2, ep) : NAN;
	double cloud = f->wx.cloud_pct.n ? series_at(&f->wx.cloud_pct, ep) : NAN;
	return solar_ac_from_weather(pv, mid, f->wx.lat_deg, f->wx.lon_deg, ghi, dni, dhi, cloud,
				     facility_outdoor_temp_c(f, t_s));
}

double facility_wind_w(const struct facility *f, double t_s)
{
	const struct weather *w = f->cfg.wind.source == FAC_WIND_WINDPOWERLIB ? &f->wind_wx : &f->wx;
	if (!f->cfg.wind.wt.enabled || w->wind_m_s.n == 0)
		return 0.0;
	return wind_farm_w(&f->cfg.wind.wt, series_at(&w->wind_m_s, f->cfg.start_epoch_s + t_s),
			   w->wind_height_m);
}

double facility_renewable_w(const struct facility *f, double t_s)
{
	return facility_solar_w(f, t_s) + facility_wind_w(f, t_s);
}

double facility_battery_soc(const struct facility *f)
{
	return f->cfg.battery.enabled ? battery_soc(&f->batt) : 0.0;
}

static double next_boundary(const struct series *s, double ep)
{
	if (s->n == 0)
		return INFINITY;
	double k = floor((ep - s->t0_s) / s->step_s + 1e-9);
	return s->t0_s + (k + 1.0) * s->step_s;
}

double facility_next_change_s(const struct facility *f, double t_s)
{
	const struct series *all[] = { &f->wx.temp_c, &f->wx.ghi_w_m2, &f->wx.cloud_pct,
				       &f->wind_wx.wind_m_s, &f->carbon, &f->marginal, &f->price,
				       &f->pv_profile };
	double ep = f->cfg.start_epoch_s + t_s, next = INFINITY;

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		next = fmin(next, next_boundary(all[i], ep));
	return isinf(next) ? next : next - f->cfg.start_epoch_s;
}

int facility_is_steady(const struct facility *f)
{
	const struct facility_cfg *c = &f->cfg;
	return c->cooling.model != COOLING_PHYSICS && c->solar.pv.model == SOLAR_NONE &&
	       !c->wind.wt.enabled && !c->battery.enabled && c->grid.demand_usd_per_kw_month == 0 &&
	       c->sample_interval_s == 0 && isinf(facility_next_change_s(f, 0));
}

double facility_battery_energy_j(const struct facility *f) { return f->batt.store_j; }

void facility_set_dispatch(struct facility *f, enum fac_dispatch mode, double power_w)
{
	f->dispatch = mode;
	f->dispatch_w = fmax(power_w, 0.0);
}

int facility_set_setpoints(struct facility *f, double supply_air_c, double chw_supply_c,
			   struct err *e)
{
	struct cooling_cfg c = f->cfg.cooling;

	c.supply_air_c = supply_air_c;
	c.chw_supply_c = chw_supply_c;
	if (cooling_cfg_check(&c, "cooling setpoints", e))
		return -1;
	f->cfg.cooling = c;
	return 0;
}

int facility_set_supply_air(struct facility *f, double supply_air_c, struct err *e)
{
	/* chilled water cannot follow below 2 degC or above 40 degC (the model's range) */
	double chw = fmin(fmax(supply_air_c - f->coil_offset_k, 2.0), 40.0);
	return facility_set_setpoints(f, supply_air_c, chw, e);
}

double facility_supply_air_c(const struct facility *f) { return f->cfg.cooling.supply_air_c; }

int facility_has_plant(const struct facility *f) { return f->cfg.cooling.model == COOLING_PHYSICS; }

double facility_cooling_what_if(const struct facility *f, double t_s, double supply_air_c,
				struct cooling_out *out)
{
	struct cooling_cfg c = f->cfg.cooling;
	struct cooling_out tmp;
	struct cooling_in in = {
		.it_w = f->last_it_w,
		.design_it_w = f->last_design_w,
		.n_nodes = f->cfg.n_nodes,
		.temp_c = facility_outdoor_temp_c(f, t_s),
		.rh_pct = outdoor_rh(f, t_s),
	};

	if (!f->have_last || isnan(in.temp_c))
		return NAN;
	c.supply_air_c = supply_air_c;
	c.chw_supply_c = fmin(fmax(supply_air_c - f->coil_offset_k, 2.0), 40.0);
	if (!out)
		out = &tmp;
	cooling_eval(&c, &in, out);
	return in.it_w + out->server_fans_w + out->cooling_w + out->other_w;
}

void facility_test_corrupt_ledger(struct facility *f, double delta_j)
{
	ledger_test_corrupt(&f->led, delta_j);
}

double facility_energy_j(const struct facility *f, const char *what)
{
	for (int i = 0; i < LEDGER_NSRC; i++)
		if (strcmp(what, ledger_src_name(i)) == 0)
			return f->led.src_j[i];
	for (int i = 0; i < LEDGER_NSNK; i++)
		if (strcmp(what, ledger_snk_name(i)) == 0)
			return f->led.snk_j[i];
	return NAN;
}

/* ---- the step ---- */

static int dated_covered(const struct facility *f, double ep)
{
	const struct series *d[] = { &f->carbon, &f->marginal, &f->price };
	for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
		if (d[i]->n && !series_covers(d[i], ep, 0))
			return 0;
	if (!f->wx.typical_year && f->wx.temp_c.n && !series_covers(&f->wx.temp_c, ep, 0))
		return 0;
	return 1;
}

static void sample_flush(struct facility *f)
{
	if (f->win_len <= 0)
		return;
	struct sample s;
	double L = f->win_len;
	/* stamped at the window's end, as every series of a run (sim/cli/run.c): a mean over
	 * (t - interval, t], a state (battery_soc) at t */
	s.t_s = f->win_t0 + L;
	for (int k = 0; k < NSER; k++)
		s.v[k] = f->win_e[k] / L;
	for (int k = SER_IT; k <= SER_CURT; k++)
		s.v[k] /= 1e3; /* W -> kW */
	double itf = f->win_e[SER_PUE];  /* holds IT + server fans energy */
	double fac = f->win_e[SER_IT] + f->win_e[SER_COOL] + f->win_e[SER_OTHER];
	s.v[SER_PUE] = itf > 0 ? fac / itf : 1.0;
	double ren_in = f->win_e[SER_RENEW]; /* holds renewable energy used */
	s.v[SER_RENEW] = ren_in + f->win_e[SER_GRID] > 0 ? ren_in / (ren_in + f->win_e[SER_GRID]) : 0;
	s.v[SER_SOC] = facility_battery_soc(f);
	s.v[SER_WATER] = f->win_e[SER_WATER] / L * 3600.0;
	xgrow((void **)&f->samples, &f->cap_samples, f->n_samples + 1, sizeof *f->samples);
	f->samples[f->n_samples++] = s;
	memset(f->win_e, 0, sizeof f->win_e);
	f->win_len = 0;
}

int facility_step(struct facility *f, double t0_s, double t1_s, double it_energy_j,
		  double it_peak_hint_w, struct err *e)
{
	double dt = t1_s - t0_s;

	if (!(dt > 0) || !isfinite(dt))
		return err_set(e, "facility_step: expected t1 > t0, got [%g, %g] s", t0_s, t1_s);
	if (!(it_energy_j >= 0) || !isfinite(it_energy_j))
		return err_set(e, "facility_step at t=%g s: expected IT energy >= 0 J, got %g", t1_s,
			       it_energy_j);
	if (f->started && fabs(t0_s - f->t_last) > 1e-6 * fmax(1.0, fabs(t0_s)))
		return err_set(e, "facility_step: expected contiguous steps, got t0 = %.6f s after "
			       "t1 = %.6f s", t0_s, f->t_last);
	if (!f->started) {
		f->started = 1;
		f->t_first = t0_s;
		f->win_t0 = t0_s;
	}

	double tm = 0.5 * (t0_s + t1_s), ep = f->cfg.start_epoch_s + tm;
	struct cooling_in in = {
		.it_w = it_energy_j / dt,
		.design_it_w = it_peak_hint_w > 0 ? it_peak_hint_w
			       : f->cfg.design_it_w > 0 ? f->cfg.design_it_w : it_energy_j / dt,
		.n_nodes = f->cfg.n_nodes,
		.temp_c = facility_outdoor_temp_c(f, tm),
		.rh_pct = outdoor_rh(f, tm),
	};
	struct cooling_out co;
	if (isnan(in.temp_c)) { /* no weather: only baseline models are allowed (cfg check) */
		in.temp_c = 20;
		in.rh_pct = 50;
	}
	cooling_eval(&f->cfg.cooling, &in, &co);
	f->last_it_w = in.it_w;
	f->last_design_w = in.design_it_w;
	f->have_last = 1;

	struct ledger_step ls = { { 0 }, { 0 } };
	ls.snk_j[SNK_IT] = it_energy_j;
	ls.snk_j[SNK_SERVER_FANS] = co.server_fans_w * dt;
	ls.snk_j[SNK_COOLING] = co.cooling_w * dt;
	ls.snk_j[SNK_OTHER] = co.other_w * dt;
	double load = ls.snk_j[SNK_IT] + ls.snk_j[SNK_SERVER_FANS] + ls.snk_j[SNK_COOLING] +
		      ls.snk_j[SNK_OTHER];
	double solar = facility_solar_w(f, tm) * dt, wind = facility_wind_w(f, tm) * dt;
	double ren = solar + wind;
	double surplus = fmax(ren - load, 0.0), deficit = fmax(load - ren, 0.0);
	double acc = 0, stored = 0, del = 0, taken = 0, grid_chg = 0;

	switch (f->dispatch) {
	case FAC_DISPATCH_IDLE:
		break;
	case FAC_DISPATCH_CHARGE:
		acc = battery_charge(&f->batt, f->dispatch_w * dt, dt, &stored);
		grid_chg = fmax(acc - surplus, 0.0);
		break;
	case FAC_DISPATCH_DISCHARGE:
		acc = battery_charge(&f->batt, surplus, dt, &stored);
		del = battery_discharge(&f->batt, fmin(deficit, f->dispatch_w * dt), dt, &taken);
		break;
	default:
		acc = battery_charge(&f->batt, surplus, dt, &stored);
		del = battery_discharge(&f->batt, deficit, dt, &taken);
		break;
	}
	ls.src_j[SRC_GRID] = deficit - del + grid_chg;
	ls.src_j[SRC_SOLAR] = solar;
	ls.src_j[SRC_WIND] = wind;
	ls.src_j[SRC_BATTERY] = taken;
	ls.snk_j[SNK_BATTERY] = stored;
	ls.snk_j[SNK_CURTAILED] = fmax(surplus - acc, 0.0);
	ls.snk_j[SNK_LOSSES] = (acc - stored) + (taken - del);
	if (ledger_post(&f->led, &ls, t1_s, e))
		return -1;

	/* carbon, water, cost */
	double grid_kwh = ls.src_j[SRC_GRID] / J_PER_KWH;
	double ci = facility_carbon_avg(f, tm);
	double mf = f->cfg.grid.market_g_per_kwh >= 0 ? f->cfg.grid.market_g_per_kwh : ci;
	f->carbon_loc_g += grid_kwh * ci;
	f->carbon_mkt_g += grid_kwh * (1.0 - f->cfg.grid.contract_frac) * mf;
	f->carbon_marg_g += grid_kwh * facility_carbon_marginal(f, tm);
	f->water_l += co.water_l_per_s * dt;
	f->cost_energy_usd += grid_kwh * facility_price(f, tm) / 1000.0;
	int y, m;
	series_epoch_to_civil(ep, &y, &m, NULL, NULL, NULL, NULL, NULL);
	double grid_kw = ls.src_j[SRC_GRID] / dt / 1e3;
	if (f->steps == 0 || y * 12 + m != f->month_key) {
		f->demand_usd += f->month_peak_kw * f->cfg.grid.demand_usd_per_kw_month;
		f->month_key = y * 12 + m;
		f->month_peak_kw = 0;
	}
	f->month_peak_kw = fmax(f->month_peak_kw, grid_kw);
	f->e_chiller_j += co.chiller_w * dt;
	f->e_crah_j += co.crah_w * dt;
	f->e_tower_j += co.tower_w * dt;
	f->e_pumps_j += co.pumps_w * dt;
	f->e_inlet_j += co.server_inlet_w * dt;
	f->supply_sum_s += f->cfg.cooling.supply_air_c * dt;
	f->supply_min_c = fmin(f->supply_min_c, f->cfg.cooling.supply_air_c);
	f->supply_max_c = fmax(f->supply_max_c, f->cfg.cooling.supply_air_c);
	if (co.mode == MODE_FULL_FREE || co.mode == MODE_PARTIAL_FREE)
		f->econ_time_s += dt;
	if (co.mode == MODE_FULL_FREE)
		f->free_time_s += dt;
	f->e_solar_j += solar;
	f->e_wind_j += wind;
	f->temp_sum_s += in.temp_c * dt;
	f->ci_sum_s += ci * dt;
	f->step_time_s += dt;
	f->steps++;
	if (co.mode == MODE_FULL_FREE)
		f->free_steps++;
	else if (co.mode == MODE_PARTIAL_FREE)
		f->partial_steps++;
	if (!dated_covered(f, ep))
		f->wrapped_steps++;
	f->t_last = t1_s;

	/* sampling window */
	if (f->cfg.sample_interval_s > 0) {
		f->win_e[SER_IT] += it_energy_j + ls.snk_j[SNK_SERVER_FANS];
		f->win_e[SER_COOL] += ls.snk_j[SNK_COOLING];
		f->win_e[SER_OTHER] += ls.snk_j[SNK_OTHER];
		f->win_e[SER_GRID] += ls.src_j[SRC_GRID];
		f->win_e[SER_SOLAR] += solar;
		f->win_e[SER_WIND] += wind;
		f->win_e[SER_BATT] += taken - stored;
		f->win_e[SER_CURT] += ls.snk_j[SNK_CURTAILED];
		f->win_e[SER_PUE] += it_energy_j + ls.snk_j[SNK_SERVER_FANS];
		f->win_e[SER_TEMP] += in.temp_c * dt;
		f->win_e[SER_CI] += ci * dt;
		f->win_e[SER_PRICE] += facility_price(f, tm) * dt;
		f->win_e[SER_RENEW] += ren - ls.snk_j[SNK_CURTAILED];
		f->win_e[SER_WATER] += co.water_l_per_s * dt;
		f->win_len += dt;
		if (t1_s - f->win_t0 >= f->cfg.sample_interval_s - 1e-9) {
			sample_flush(f);
			f->win_t0 = t1_s;
		}
	}
	return 0;
}

/* ---- the report ---- */

void facility_report(const struct facility *f, struct metrics *ms)
{
	const struct ledger *l = &f->led;
	double kwh = 1.0 / J_PER_KWH;
	double it = l->snk_j[SNK_IT], fans = l->snk_j[SNK_SERVER_FANS];
	double cool = l->snk_j[SNK_COOLING], other = l->snk_j[SNK_OTHER];
	double fac = it + fans + cool + other;
	double grid = l->src_j[SRC_GRID];
	double ren_used = f->e_solar_j + f->e_wind_j - l->snk_j[SNK_CURTAILED];
	double hours = f->step_time_s / 3600.0;
	double demand = f->demand_usd + f->month_peak_kw * f->cfg.grid.demand_usd_per_kw_month;

	metrics_set(ms, "energy_cooling_kwh", cool * kwh, "kWh");
	metrics_set(ms, "energy_facility_kwh", fac * kwh, "kWh");
	metrics_set(ms, "pue", it + fans > 0 ? fac / (it + fans) : 1.0, "1");
	metrics_set(ms, "energy_grid_kwh", grid * kwh, "kWh");
	metrics_set(ms, "energy_renewable_used_kwh", ren_used * kwh, "kWh");
	metrics_set(ms, "energy_curtailed_kwh", l->snk_j[SNK_CURTAILED] * kwh, "kWh");
	metrics_set(ms, "renewable_fraction", ren_used + grid > 0 ? ren_used / (ren_used + grid) : 0,
		    "1");
	metrics_set(ms, "carbon_operational_kg", f->carbon_loc_g / 1000.0, "kg");
	metrics_set(ms, "carbon_operational_market_kg", f->carbon_mkt_g / 1000.0, "kg");
	double emb_kg_h = f->cfg.embodied.kg_per_hour >= 0
				  ? f->cfg.embodied.kg_per_hour
				  : f->cfg.n_nodes * f->cfg.embodied.kg_per_node /
					    (f->cfg.embodied.lifetime_years * 8760.0);
	metrics_set(ms, "carbon_embodied_kg", emb_kg_h * hours, "kg");
	if (f->marginal.n) /* grid energy at the marginal rate: a consequential view, not Scope 2 */
		metrics_set(ms, "carbon_marginal_kg", f->carbon_marg_g / 1000.0, "kg");
	metrics_set(ms, "water_l", f->water_l, "L");
	metrics_set(ms, "wue_l_per_kwh", it > 0 ? f->water_l / (it * kwh) : 0, "L/kWh");
	metrics_set(ms, "cost_usd", f->cost_energy_usd + demand, "USD");
	metrics_set(ms, "cost_energy_usd", f->cost_energy_usd, "USD");
	metrics_set(ms, "cost_demand_usd", demand, "USD");
	metrics_set(ms, "balance_error_rel", ledger_error_rel(l), "1");
	metrics_set(ms, "energy_server_fans_kwh", fans * kwh, "kWh");
	metrics_set(ms, "energy_other_kwh", other * kwh, "kWh");
	metrics_set(ms, "energy_chiller_kwh", f->e_chiller_j * kwh, "kWh");
	metrics_set(ms, "energy_crah_kwh", f->e_crah_j * kwh, "kWh");
	metrics_set(ms, "energy_tower_kwh", f->e_tower_j * kwh, "kWh");
	metrics_set(ms, "energy_pumps_kwh", f->e_pumps_j * kwh, "kWh");
	metrics_set(ms, "energy_solar_kwh", f->e_solar_j * kwh, "kWh");
	metrics_set(ms, "energy_wind_kwh", f->e_wind_j * kwh, "kWh");
	metrics_set(ms, "energy_battery_charge_kwh", l->snk_j[SNK_BATTERY] * kwh, "kWh");
	metrics_set(ms, "energy_battery_discharge_kwh", l->src_j[SRC_BATTERY] * kwh, "kWh");
	metrics_set(ms, "energy_losses_kwh", l->snk_j[SNK_LOSSES] * kwh, "kWh");
	metrics_set(ms, "battery_cycles", f->batt.efc, "1");
	metrics_set(ms, "battery_capacity_frac",
		    f->batt.cap_nom_j > 0 ? battery_capacity_j(&f->batt) / f->batt.cap_nom_j : 0, "1");
	metrics_set(ms, "free_cooling_frac", f->steps ? (double)f->free_steps / (double)f->steps : 0,
		    "1");
	metrics_set(ms, "partial_free_cooling_frac",
		    f->steps ? (double)f->partial_steps / (double)f->steps : 0, "1");
	if (f->cfg.cooling.model == COOLING_PHYSICS) { /* the plant and its setpoint (cooling policies) */
		metrics_set(ms, "economizer_hours", f->econ_time_s / 3600.0, "h");
		metrics_set(ms, "economizer_full_hours", f->free_time_s / 3600.0, "h");
		metrics_set(ms, "energy_server_inlet_kwh", f->e_inlet_j * kwh, "kWh");
		if (f->step_time_s > 0) {
			metrics_set(ms, "supply_air_mean_c", f->supply_sum_s / f->step_time_s, "degC");
			metrics_set(ms, "supply_air_min_c", f->supply_min_c, "degC");
			metrics_set(ms, "supply_air_max_c", f->supply_max_c, "degC");
		}
	}
	metrics_set(ms, "temp_out_mean_c", f->step_time_s > 0 ? f->temp_sum_s / f->step_time_s : 0,
		    "degC");
	metrics_set(ms, "carbon_intensity_mean_g_per_kwh",
		    f->step_time_s > 0 ? f->ci_sum_s / f->step_time_s : 0, "g/kWh");
	metrics_set(ms, "trace_wrapped_frac",
		    f->steps ? (double)f->wrapped_steps / (double)f->steps : 0, "1");

	/* the last, partial window too: copy so the report stays const */
	for (size_t i = 0; i < f->n_samples; i++)
		for (int k = 0; k < NSER; k++)
			metrics_sample(ms, f->samples[i].t_s, ser_names[k], f->samples[i].v[k]);
	if (f->win_len > 0 && f->cfg.sample_interval_s > 0) {
		struct facility tmp = *f;
		tmp.samples = NULL;
		tmp.n_samples = tmp.cap_samples = 0;
		sample_flush(&tmp);
		for (int k = 0; k < NSER; k++)
			metrics_sample(ms, tmp.samples[0].t_s, ser_names[k], tmp.samples[0].v[k]);
		free(tmp.samples);
	}
}
