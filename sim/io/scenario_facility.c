/* scenario_facility.c — loader of the facility sections (see scenario_facility.h and the
 * "Facility" section of scenarios/README.md for every key, unit and default). */
#include "scenario_facility.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dc/profile.h"
#include "io/ftrace.h"

static int copy_path(struct jv *v, const char *dir, const cJSON *o, const char *key, int required,
		     char *dst, size_t n)
{
	const char *p;
	int len;

	if (jv_str(v, o, key, required, NULL, &p))
		return -1;
	if (!p)
		return 0;
	if (p[0] == '/')
		len = snprintf(dst, n, "%s", p);
	else
		len = snprintf(dst, n, "%s/%s", dir, p);
	if (len < 0 || (size_t)len >= n)
		return jv_fail(v, key, jv_get(o, key), "expected a path shorter than %zu bytes", n);
	jv_note_file(v, dst);
	return 0;
}

static int enter(struct jv *v, const cJSON *parent, const char *key, const cJSON **o, size_t *m)
{
	*o = jv_get(parent, key);
	*m = jv_enter_key(v, key);
	if (*o && !cJSON_IsObject(*o))
		return jv_fail(v, NULL, *o, "expected an object");
	return 0;
}

static int load_weather(struct jv *v, const char *dir, const cJSON *d, struct facility_cfg *c)
{
	static const char *const keys[] = { "source", "path", "utc_offset_h", "lat_deg", "lon_deg",
					    "temp_c", "rh_pct", NULL };
	static const char *const srcs[] = { "none", "constant", "openmeteo", "epw", "pvgis", NULL };
	const cJSON *o;
	size_t m;
	int src;

	if (enter(v, d, "weather", &o, &m))
		return -1;
	if (!o) {
		jv_leave(v, m);
		return 0;
	}
	if (jv_keys(v, o, keys) || jv_enum(v, o, "source", 1, 0, srcs, &src) ||
	    jv_num(v, o, "utc_offset_h", 0, 0, -14, 0, 14, &c->weather.utc_offset_h) ||
	    jv_num(v, o, "lat_deg", 0, NAN, -90, 0, 90, &c->weather.lat_deg) ||
	    jv_num(v, o, "lon_deg", 0, NAN, -180, 0, 180, &c->weather.lon_deg) ||
	    jv_num(v, o, "temp_c", 0, 20, -60, 0, 60, &c->weather.temp_c) ||
	    jv_num(v, o, "rh_pct", 0, 50, 0, 0, 100, &c->weather.rh_pct))
		return -1;
	c->weather.source = (enum fac_weather_src)src;
	if (src >= FAC_WX_OPENMETEO &&
	    copy_path(v, dir, o, "path", 1, c->weather.path, sizeof c->weather.path))
		return -1;
	if (src < FAC_WX_OPENMETEO && jv_get(o, "path"))
		return jv_fail(v, "path", jv_get(o, "path"), "source \"%s\" reads no file", srcs[src]);
	if (jv_get(o, "lat_deg") && !jv_get(o, "lon_deg"))
		return jv_fail(v, "lon_deg", NULL, "required with lat_deg");
	jv_leave(v, m);
	return 0;
}

static int load_cooling(struct jv *v, const char *dir, const cJSON *d, struct facility_cfg *c)
{
	static const char *const models[] = { "constant_pue", "physics", "none", NULL };
	static const char *const econs[] = { "waterside", "airside", "none", NULL };
	static const char *const rejs[] = { "tower", "dry", NULL };
	struct num { const char *key; double *dst; double lo, hi; };
	struct cooling_cfg *cc = &c->cooling;
	const struct num nums[] = {
		{ "pue", &cc->pue, 1, 5 },
		{ "wue_l_per_kwh", &cc->wue_l_per_kwh, 0, 50 },
		{ "supply_air_c", &cc->supply_air_c, 5, 45 },
		{ "air_dt_k", &cc->air_dt_k, 1, 40 },
		{ "max_dewpoint_c", &cc->max_dewpoint_c, -20, 40 },
		{ "chw_supply_c", &cc->chw_supply_c, 2, 40 },
		{ "chw_dt_k", &cc->chw_dt_k, 0.5, 30 },
		{ "cw_range_k", &cc->cw_range_k, 0.5, 30 },
		{ "tower_approach_k", &cc->tower_approach_k, 0, 20 },
		{ "dry_approach_k", &cc->dry_approach_k, 0, 30 },
		{ "hx_approach_k", &cc->hx_approach_k, 0, 10 },
		{ "chiller_cop_rated", &cc->chiller_cop_rated, 1, 15 },
		{ "chiller_cop_max", &cc->chiller_cop_max, 1, 50 },
		{ "refrig_approach_k", &cc->refrig_approach_k, 0, 10 },
		{ "chiller_capacity_frac", &cc->chiller_cap_frac, 0.1, 10 },
		{ "chiller_plr_min", &cc->chiller_plr_min, 0, 1 },
		{ "crah_pressure_pa", &cc->crah_pressure_pa, 0, 5000 },
		{ "crah_fan_eff", &cc->crah_fan_eff, 0.05, 1 },
		{ "crah_min_speed", &cc->crah_min_speed, 0, 1 },
		{ "chw_pump_head_m", &cc->chw_pump_head_m, 0, 200 },
		{ "cw_pump_head_m", &cc->cw_pump_head_m, 0, 200 },
		{ "pump_eff", &cc->pump_eff, 0.05, 1 },
		{ "tower_fan_w_per_w", &cc->tower_fan_w_per_w, 0, 0.5 },
		{ "dry_fan_w_per_w", &cc->dry_fan_w_per_w, 0, 0.5 },
		{ "ups_eff", &cc->ups_eff, 0.5, 1 },
		{ "misc_frac", &cc->misc_frac, 0, 1 },
		{ "latent_frac", &cc->latent_frac, 0, 1 },
		{ "cycles_conc", &cc->cycles_conc, 1.1, 100 },
		/* cooling branch: tower freeze control, server power vs inlet temperature */
		{ "tower_min_leaving_c", &cc->tower_min_leaving_c, 0, 30 },
		{ "inlet_knee_c", &cc->inlet_knee_c, 5, 45 },
		{ "inlet_fan_share", &cc->inlet_fan_share, 0, 0.5 },
		{ "inlet_fan_speed_per_k", &cc->inlet_fan_speed_per_k, 0, 1 },
	};
	const size_t nn = sizeof nums / sizeof nums[0];
	static const char *const evaps[] = { "saturated_exit", "constant_latent", NULL };
	const char *keys[sizeof nums / sizeof nums[0] + 6];
	const cJSON *o;
	size_t m;
	int model, econ, rej, evap;

	for (size_t i = 0; i < nn; i++)
		keys[i] = nums[i].key;
	keys[nn] = "model";
	keys[nn + 1] = "economizer";
	keys[nn + 2] = "heat_rejection";
	keys[nn + 3] = "server_fan_curve";
	keys[nn + 4] = "tower_evaporation";
	keys[nn + 5] = NULL;
	if (enter(v, d, "cooling", &o, &m))
		return -1;
	if (!o) { /* no cooling section: the cited constant-PUE baseline (facility_cfg_default) */
		jv_leave(v, m);
		return 0;
	}
	/* a cooling section without a model means the physical plant */
	if (jv_keys(v, o, keys) || jv_enum(v, o, "model", 0, COOLING_PHYSICS, models, &model) ||
	    jv_enum(v, o, "economizer", 0, ECON_WATERSIDE, econs, &econ) ||
	    jv_enum(v, o, "heat_rejection", 0, REJECT_TOWER, rejs, &rej) ||
	    jv_enum(v, o, "tower_evaporation", 0, EVAP_SATURATED_EXIT, evaps, &evap))
		return -1;
	cc->tower_evap = (enum cooling_evap)evap;
	cc->model = (enum cooling_model)model;
	cc->economizer = (enum cooling_econ)econ;
	cc->heat_rejection = (enum cooling_reject)rej;
	for (size_t i = 0; i < nn; i++)
		if (jv_num(v, o, nums[i].key, 0, *nums[i].dst, nums[i].lo, 0, nums[i].hi, nums[i].dst))
			return -1;
	if (copy_path(v, dir, o, "server_fan_curve", 0, c->fan_curve_path, sizeof c->fan_curve_path))
		return -1;
	jv_leave(v, m);
	return 0;
}

/* A trace object {path, column, utc_offset_h, <scale_key>} or a constant {<const_key>}. */
static int load_signal(struct jv *v, const char *dir, const cJSON *sup, const char *key,
		       const char *const_key, double *konst, const char *scale_key,
		       struct fac_trace *t)
{
	const char *keys[] = { "path", "column", "utc_offset_h", scale_key, const_key, NULL };
	const cJSON *o;
	const char *col;
	size_t m;

	if (enter(v, sup, key, &o, &m))
		return -1;
	if (!o) {
		jv_leave(v, m);
		return 0;
	}
	if (!const_key)
		keys[4] = NULL;
	if (jv_keys(v, o, keys) || copy_path(v, dir, o, "path", 0, t->path, sizeof t->path) ||
	    jv_str(v, o, "column", 0, "", &col) ||
	    jv_num(v, o, "utc_offset_h", 0, 0, -14, 0, 14, &t->utc_offset_h) ||
	    jv_num(v, o, scale_key, 0, 1, -1e9, 0, 1e9, &t->scale))
		return -1;
	if (const_key && jv_num(v, o, const_key, 0, *konst, -1e6, 0, 1e6, konst))
		return -1;
	if (!*t->path && !(const_key && jv_get(o, const_key)))
		return jv_fail(v, NULL, o, "expected \"path\" (a trace)%s%s%s",
			       const_key ? " or \"" : "", const_key ? const_key : "",
			       const_key ? "\" (a constant)" : "");
	if (*t->path && const_key && jv_get(o, const_key))
		return jv_fail(v, const_key, jv_get(o, const_key), "give a trace \"path\" or a "
			       "constant, not both");
	snprintf(t->column, sizeof t->column, "%s", col);
	jv_leave(v, m);
	return 0;
}

static int load_solar(struct jv *v, const char *dir, const cJSON *sup, struct facility_cfg *c)
{
	static const char *const keys[] = { "model", "capacity_kw", "profile", "utc_offset_h",
					    "tilt_deg", "azimuth_deg", "gamma_per_k", "losses_frac",
					    "inverter_eff", "dc_ac_ratio", "noct_c", "albedo", NULL };
	static const char *const models[] = { "none", "profile", "irradiance", NULL };
	struct solar_cfg *pv = &c->solar.pv;
	const cJSON *o;
	size_t m;
	int model;

	if (enter(v, sup, "solar", &o, &m))
		return -1;
	if (!o) {
		jv_leave(v, m);
		return 0;
	}
	if (jv_keys(v, o, keys) ||
	    jv_enum(v, o, "model", 0, jv_get(o, "profile") ? SOLAR_PROFILE : SOLAR_IRRADIANCE,
		    models, &model) ||
	    jv_num(v, o, "capacity_kw", model != SOLAR_NONE, 0, 0, 1, 1e7, &pv->capacity_kw) ||
	    jv_num(v, o, "utc_offset_h", 0, c->weather.utc_offset_h, -14, 0, 14,
		   &c->solar.profile_utc_offset_h) ||
	    jv_num(v, o, "tilt_deg", 0, pv->tilt_deg, 0, 0, 90, &pv->tilt_deg) ||
	    jv_num(v, o, "azimuth_deg", 0, pv->azimuth_deg, 0, 0, 360, &pv->azimuth_deg) ||
	    jv_num(v, o, "gamma_per_k", 0, pv->gamma_per_k, -0.02, 0, 0, &pv->gamma_per_k) ||
	    jv_num(v, o, "losses_frac", 0, pv->losses_frac, 0, 0, 0.99, &pv->losses_frac) ||
	    jv_num(v, o, "inverter_eff", 0, pv->inv_eff_nom, 0.5, 1, 1, &pv->inv_eff_nom) ||
	    jv_num(v, o, "dc_ac_ratio", 0, pv->dc_ac_ratio, 0.5, 0, 3, &pv->dc_ac_ratio) ||
	    jv_num(v, o, "noct_c", 0, pv->noct_c, 20, 0, 80, &pv->noct_c) ||
	    jv_num(v, o, "albedo", 0, pv->albedo, 0, 0, 1, &pv->albedo))
		return -1;
	pv->model = (enum solar_model)model;
	if (copy_path(v, dir, o, "profile", model == SOLAR_PROFILE, c->solar.profile_path,
		      sizeof c->solar.profile_path))
		return -1;
	jv_leave(v, m);
	return 0;
}

static int load_wind(struct jv *v, const char *dir, const cJSON *sup, struct facility_cfg *c)
{
	static const char *const keys[] = { "power_curves", "turbine", "count", "hub_height_m",
					    "shear_exp", "weather", NULL };
	struct wind_cfg *w = &c->wind.wt;
	const cJSON *o;
	const char *turb;
	long count;
	size_t m;

	if (enter(v, sup, "wind", &o, &m))
		return -1;
	if (!o) {
		jv_leave(v, m);
		return 0;
	}
	if (jv_keys(v, o, keys) ||
	    copy_path(v, dir, o, "power_curves", 1, c->wind.curve_path, sizeof c->wind.curve_path) ||
	    jv_str(v, o, "turbine", 1, NULL, &turb) ||
	    jv_int(v, o, "count", 0, 1, 1, 100000, &count) ||
	    jv_num(v, o, "hub_height_m", 0, w->hub_height_m, 1, 1, 300, &w->hub_height_m) ||
	    jv_num(v, o, "shear_exp", 0, w->shear_exp, 0, 0, 1, &w->shear_exp) ||
	    copy_path(v, dir, o, "weather", 0, c->wind.weather_path, sizeof c->wind.weather_path))
		return -1;
	w->enabled = 1;
	w->count = (int)count;
	snprintf(w->turbine, sizeof w->turbine, "%s", turb);
	c->wind.source = *c->wind.weather_path ? FAC_WIND_WINDPOWERLIB : FAC_WIND_FROM_WEATHER;
	jv_leave(v, m);
	return 0;
}

static int load_battery(struct jv *v, const cJSON *sup, struct facility_cfg *c)
{
	static const char *const keys[] = { "capacity_kwh", "soc_min", "soc_max", "soc_init",
					    "max_charge_kw", "max_discharge_kw", "round_trip_eff",
					    "cycle_life", "eol_capacity_frac", "dispatch", NULL };
	static const char *const disp[] = { "self_consumption", "idle", NULL };
	struct battery_cfg *b = &c->battery;
	const cJSON *o;
	size_t m;
	int d;

	if (enter(v, sup, "battery", &o, &m))
		return -1;
	if (!o) {
		jv_leave(v, m);
		return 0;
	}
	if (jv_keys(v, o, keys) || jv_num(v, o, "capacity_kwh", 1, 0, 0, 1, 1e9, &b->capacity_kwh) ||
	    jv_num(v, o, "soc_min", 0, b->soc_min, 0, 0, 1, &b->soc_min) ||
	    jv_num(v, o, "soc_max", 0, b->soc_max, 0, 0, 1, &b->soc_max) ||
	    jv_num(v, o, "soc_init", 0, b->soc_init, 0, 0, 1, &b->soc_init) ||
	    jv_num(v, o, "max_charge_kw", 0, 0.5 * b->capacity_kwh, 0, 0, 1e9, &b->max_charge_kw) ||
	    jv_num(v, o, "max_discharge_kw", 0, 0.5 * b->capacity_kwh, 0, 0, 1e9,
		   &b->max_discharge_kw) ||
	    jv_num(v, o, "round_trip_eff", 0, b->rt_eff, 0, 1, 1, &b->rt_eff) ||
	    jv_num(v, o, "cycle_life", 0, b->cycle_life, 1, 0, 1e7, &b->cycle_life) ||
	    jv_num(v, o, "eol_capacity_frac", 0, b->eol_capacity_frac, 0, 1, 1,
		   &b->eol_capacity_frac) ||
	    jv_enum(v, o, "dispatch", 0, 0, disp, &d))
		return -1;
	b->enabled = 1;
	c->dispatch = d == 0 ? FAC_DISPATCH_SELF : FAC_DISPATCH_IDLE;
	jv_leave(v, m);
	return 0;
}

static int load_supply(struct jv *v, const char *dir, const cJSON *d, struct facility_cfg *c)
{
	static const char *const keys[] = { "carbon", "carbon_marginal", "market_g_per_kwh",
					    "contract_frac", "price", "demand_usd_per_kw_month",
					    "solar", "wind", "battery", NULL };
	const cJSON *o;
	size_t m;

	if (enter(v, d, "supply", &o, &m))
		return -1;
	if (!o) {
		jv_leave(v, m);
		return 0;
	}
	if (jv_keys(v, o, keys) ||
	    load_signal(v, dir, o, "carbon", "g_per_kwh", &c->grid.carbon_g_per_kwh, "scale",
			&c->grid.carbon) ||
	    load_signal(v, dir, o, "carbon_marginal", NULL, NULL, "scale", &c->grid.carbon_marginal) ||
	    load_signal(v, dir, o, "price", "usd_per_mwh", &c->grid.price_usd_per_mwh,
			"usd_per_unit", &c->grid.price) ||
	    jv_num(v, o, "market_g_per_kwh", 0, -1, 0, 0, 5000, &c->grid.market_g_per_kwh) ||
	    jv_num(v, o, "contract_frac", 0, 0, 0, 0, 1, &c->grid.contract_frac) ||
	    jv_num(v, o, "demand_usd_per_kw_month", 0, 0, 0, 0, 1e4, &c->grid.demand_usd_per_kw_month) ||
	    load_solar(v, dir, o, c) || load_wind(v, dir, o, c) || load_battery(v, o, c))
		return -1;
	if (!jv_get(o, "market_g_per_kwh"))
		c->grid.market_g_per_kwh = -1;
	jv_leave(v, m);
	return 0;
}

int scenario_facility_load(struct jv *v, const char *dir, const cJSON *d,
			   const struct cluster_cfg *cl, struct facility_cfg *c)
{
	const char *start;
	double kg_per_h = 0, peak_w = 0;
	long n = 0;

	facility_cfg_default(c);
	if (jv_str(v, d, "start", 0, NULL, &start) ||
	    jv_num(v, d, "control_step_s", 0, c->control_step_s, 1, 0, 86400, &c->control_step_s))
		return -1;
	if (start && ftrace_parse_time(start, 0, &c->start_epoch_s) != 0)
		return jv_fail(v, "start", jv_get(d, "start"), "expected a date-time like "
			       "\"2023-01-01T00:00:00Z\" (no zone = UTC)");
	/* nodes: count, and embodied carbon per node-hour from each type (default per server
	 * from facility_cfg_default when a type gives none; an LLM replica, a node with a serving
	 * profile, is its n_gpus GPUs with their share of a server) */
	for (size_t g = 0; g < cl->n_groups; g++) {
		const struct node_type_cfg *t = &cl->types[cl->groups[g].type];
		double kg = t->embodied_kg > 0 ? t->embodied_kg
			    : t->profile   ? t->profile->n_gpus * c->embodied.kg_per_gpu
					   : c->embodied.kg_per_node;
		double life = t->lifetime_years > 0 ? t->lifetime_years : c->embodied.lifetime_years;
		n += cl->groups[g].count;
		kg_per_h += cl->groups[g].count * kg / (life * 8760.0);
		peak_w += cl->groups[g].count * t->peak_w;
	}
	c->n_nodes = (int)n;
	c->embodied.kg_per_hour = kg_per_h;
	c->design_it_w = peak_w;
	if (load_weather(v, dir, d, c) || load_cooling(v, dir, d, c) || load_supply(v, dir, d, c))
		return -1;
	if (facility_cfg_check(c, v->e)) {
		char keep[ERR_MSG_MAX];
		memcpy(keep, v->e->msg, sizeof keep);
		err_clear(v->e);
		return err_set(v->e, "%s: %s", v->file, keep);
	}
	/* read every trace now so validate catches a bad one */
	struct facility *f = facility_new(c, v->e);
	if (!f) {
		char keep[ERR_MSG_MAX];
		memcpy(keep, v->e->msg, sizeof keep);
		err_clear(v->e);
		return err_set(v->e, "%s: $.datacenter: %s", v->file, keep);
	}
	facility_free(f);
	return 0;
}
