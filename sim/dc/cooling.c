/* cooling.c — the cooling plant model of cooling.h.
 *
 * Physical constants used here (SI):
 *   cp of water 4186 J/(kg K) and of air 1006 J/(kg K), air density 1.2 kg/m3 (20 degC, sea
 *   level), g = 9.81 m/s2, latent heat of evaporation 2.43e6 J/kg near 30 degC (IAPWS steam
 *   tables); 1 kg of water taken as 1 L.
 */
#include "cooling.h"

#include <math.h>

#include "dc/weather.h"
#include "engine/err.h"

#define CP_WATER 4186.0   /* J/(kg K) */
#define CP_AIR 1006.0     /* J/(kg K) */
#define RHO_AIR 1.2       /* kg/m3 */
#define G_ACC 9.81        /* m/s2 */
#define H_FG 2.43e6       /* J/kg, IAPWS, ~30 degC */
#define EVAP_MAX_KG_PER_J (1.5 / H_FG) /* bound of the saturated-exit balance (assumed) */
#define KELVIN 273.15

void cooling_cfg_default(struct cooling_cfg *c)
{
	*c = (struct cooling_cfg){ 0 };
	c->model = COOLING_PHYSICS;
	c->pue = 1.58;                /* Uptime Institute Global Data Center Survey 2023 average */
	c->wue_l_per_kwh = 1.8;       /* US average on-site WUE, Shehabi et al., LBNL-1005775 (2016) */
	c->economizer = ECON_WATERSIDE;
	c->heat_rejection = REJECT_TOWER;
	c->supply_air_c = 24.0;       /* inside ASHRAE TC 9.9 A1 recommended inlet 18-27 degC */
	c->air_dt_k = 12.0;           /* assumed server air temperature rise (typical 10-15 K) */
	c->max_dewpoint_c = 15.0;     /* ASHRAE TC 9.9 (2015) recommended upper dew point */
	c->chw_supply_c = 12.0;       /* assumed; between classic 7 degC and warm-water 18 degC */
	c->chw_dt_k = 6.0;            /* assumed chilled-water range */
	c->cw_range_k = 5.6;          /* 10 degF, CTI STD-201 rating range 95/85 degF */
	c->tower_approach_k = 3.9;    /* 7 degF, CTI STD-201 rating point 85 degF out at 78 degF WB */
	c->dry_approach_k = 8.0;      /* assumed dry-cooler approach to dry bulb */
	c->hx_approach_k = 1.5;       /* assumed plate heat exchanger approach (typ. 1-2 K) */
	c->chiller_cop_rated = 6.1;   /* assumed 0.58 kW/ton water-cooled centrifugal; ASHRAE 90.1
				       * Path A minimums are 0.56-0.61 kW/ton (COP 5.8-6.3) */
	c->chiller_cop_max = 15.0;    /* assumed cap at small lift */
	c->refrig_approach_k = 1.5;   /* assumed evaporator/condenser refrigerant approach */
	c->chiller_cap_frac = 1.0;    /* assumed: sized to the design heat load, no redundancy */
	c->chiller_plr_min = 0.1;     /* EnergyPlus Chiller:Electric:EIR "DOE-2 Centrifugal/5.50COP"
				       * minimum part-load ratio */
	/* EIR-fPLR quadratic of the same EnergyPlus dataset chiller (also the Modelica Buildings
	 * library record DOE_2_Centrifugal_5_50COP): 0.222903 + 0.313387 PLR + 0.463710 PLR^2 */
	c->chiller_eir_plr[0] = 0.222903;
	c->chiller_eir_plr[1] = 0.313387;
	c->chiller_eir_plr[2] = 0.463710;
	c->crah_pressure_pa = 400.0;  /* assumed CRAH fan total pressure at design flow */
	c->crah_fan_eff = 0.6;        /* assumed fan+motor+VFD efficiency */
	c->crah_min_speed = 0.3;      /* assumed VFD minimum speed */
	c->chw_pump_head_m = 30.0;    /* assumed chilled-water loop head */
	c->cw_pump_head_m = 20.0;     /* assumed condenser-water loop head */
	c->pump_eff = 0.7;            /* assumed pump+motor efficiency */
	c->tower_fan_w_per_w = 0.0133;/* ASHRAE 90.1 minimum 38.2 gpm/hp: 1 hp per 56 kW rejected */
	c->dry_fan_w_per_w = 0.02;    /* assumed dry-cooler fan power per W rejected */
	c->ups_eff = 0.95;            /* assumed double-conversion UPS + PDU (Lei & Masanet 0.9-0.99) */
	c->misc_frac = 0.01;          /* assumed lighting/security/office load, share of design IT */
	c->latent_frac = 0.85;        /* CTI rule E = 0.00085 * flow(gpm) * range(degF) */
	c->cycles_conc = 5.0;         /* assumed cycles of concentration (typical 3-6) */
	/* Saturated exit air, as EnergyPlus's cooling towers' "SaturatedExit" evaporation loss
	 * mode (EnergyPlus Engineering Reference, "Cooling Towers": air leaves saturated,
	 * evaporation = air flow x humidity-ratio rise). */
	c->tower_evap = EVAP_SATURATED_EXIT;
	/* assumed 5 degC: fill ices when the entering air is below 0 degC and tower water below
	 * ~4 degC (tower winter-operation guidance, e.g. Delta Cooling Towers in Process Cooling,
	 * "How to operate a cooling tower in freezing weather": fans slowed or cycled off to keep
	 * the cold water warm) */
	c->tower_min_leaving_c = 5.0;
	/* Server power vs inlet temperature. Knee 23 degC: assumed; servers' fan tables hold
	 * minimum speed through the lower ASHRAE TC 9.9 recommended range, and Coroama (2025,
	 * "Temperature optimisation in data centres", arXiv:2509.26163) measured server power
	 * correlating with inlet temperature from 23 degC up. Fan share 5 % of server power at
	 * minimum speed: assumed. Speed slope 0.024 per K: calibrated so the mean sensitivity from
	 * 23 to 30 degC is 0.42 %/K of server power, inside Coroama's measured 0.35-0.5 %/K (two
	 * Swiss colocation data centres, room-wide, fans and leakage together). Power on the cube
	 * of speed: the fan affinity laws. */
	c->inlet_knee_c = 23.0;
	c->inlet_fan_share = 0.05;
	c->inlet_fan_speed_per_k = 0.024;
	c->n_fan_pts = 0;
}

#define RANGE(field, lo, hi) do { \
	if (!(c->field >= (lo) && c->field <= (hi))) \
		return err_set(e, "%s.%s: expected a number in [%g, %g], got %g", path, #field, \
			       (double)(lo), (double)(hi), c->field); \
	} while (0)

int cooling_cfg_check(const struct cooling_cfg *c, const char *path, struct err *e)
{
	RANGE(pue, 1.0, 5.0);
	RANGE(wue_l_per_kwh, 0.0, 50.0);
	if (c->model != COOLING_PHYSICS)
		return 0;
	RANGE(supply_air_c, 5.0, 45.0);
	RANGE(air_dt_k, 1.0, 40.0);
	RANGE(max_dewpoint_c, -20.0, 40.0);
	RANGE(chw_supply_c, 2.0, 40.0);
	RANGE(chw_dt_k, 0.5, 30.0);
	RANGE(cw_range_k, 0.5, 30.0);
	RANGE(tower_approach_k, 0.0, 20.0);
	RANGE(dry_approach_k, 0.0, 30.0);
	RANGE(hx_approach_k, 0.0, 10.0);
	RANGE(chiller_cop_rated, 1.0, 15.0);
	RANGE(chiller_cop_max, 1.0, 50.0);
	RANGE(refrig_approach_k, 0.0, 10.0);
	RANGE(chiller_cap_frac, 0.1, 10.0);
	RANGE(chiller_plr_min, 0.0, 1.0);
	{
		const double *k = c->chiller_eir_plr;
		if (!(fabs(k[0] + k[1] + k[2] - 1.0) < 0.01) || !(k[0] >= 0))
			return err_set(e, "%s: chiller EIR(PLR) curve: expected a + b + c = 1 and a >= 0, "
				       "got %g, %g, %g", path, k[0], k[1], k[2]);
	}
	RANGE(crah_pressure_pa, 0.0, 5000.0);
	RANGE(crah_fan_eff, 0.05, 1.0);
	RANGE(crah_min_speed, 0.0, 1.0);
	RANGE(chw_pump_head_m, 0.0, 200.0);
	RANGE(cw_pump_head_m, 0.0, 200.0);
	RANGE(pump_eff, 0.05, 1.0);
	RANGE(tower_fan_w_per_w, 0.0, 0.5);
	RANGE(dry_fan_w_per_w, 0.0, 0.5);
	RANGE(ups_eff, 0.5, 1.0);
	RANGE(misc_frac, 0.0, 1.0);
	RANGE(latent_frac, 0.0, 1.0);
	RANGE(cycles_conc, 1.1, 100.0);
	RANGE(tower_min_leaving_c, 0.0, 30.0);
	RANGE(inlet_knee_c, 5.0, 45.0);
	RANGE(inlet_fan_share, 0.0, 0.5);
	RANGE(inlet_fan_speed_per_k, 0.0, 1.0);
	if (c->tower_evap != EVAP_SATURATED_EXIT && c->tower_evap != EVAP_CONSTANT_LATENT)
		return err_set(e, "%s.tower_evaporation: expected \"saturated_exit\" or "
			       "\"constant_latent\"", path);
	if (c->n_fan_pts < 0 || c->n_fan_pts > COOLING_FAN_PTS)
		return err_set(e, "%s: server fan curve: expected 0..%d points, got %d", path,
			       COOLING_FAN_PTS, c->n_fan_pts);
	for (int i = 0; i < c->n_fan_pts; i++) {
		if (!(c->fan_server_w[i] > 0) || !(c->fan_ratio[i] >= 0 && c->fan_ratio[i] < 1))
			return err_set(e, "%s: server fan curve point %d: expected power > 0 W and "
				       "ratio in [0, 1), got %g W, %g", path, i + 1,
				       c->fan_server_w[i], c->fan_ratio[i]);
		if (i > 0 && !(c->fan_server_w[i] > c->fan_server_w[i - 1]))
			return err_set(e, "%s: server fan curve point %d: server power must "
				       "increase, got %g after %g", path, i + 1, c->fan_server_w[i],
				       c->fan_server_w[i - 1]);
	}
	return 0;
}

double cooling_dewpoint_c(double temp_c, double rh_pct)
{
	/* Magnus form, Alduchov & Eskridge (1996): a = 17.625, b = 243.04 degC */
	double rh = fmax(rh_pct, 0.1);
	double g = log(rh / 100.0) + 17.625 * temp_c / (243.04 + temp_c);
	return 243.04 * g / (17.625 - g);
}

double cooling_inlet_frac(const struct cooling_cfg *c, double inlet_c)
{
	double s = 1.0 + c->inlet_fan_speed_per_k * fmax(inlet_c - c->inlet_knee_c, 0.0);
	return c->inlet_fan_share * (s * s * s - 1.0);
}

/* Saturation vapour pressure over water, Pa: Magnus form with Alduchov & Eskridge (1996)
 * coefficients (also used below freezing: supercooled water, a slight overestimate there). */
static double psat_pa(double t_c)
{
	return 610.94 * exp(17.625 * t_c / (243.04 + t_c));
}

#define P_ATM 101325.0 /* Pa, sea level (assumed, as Stull's wet bulb) */

/* humidity ratio, kg water per kg dry air (ASHRAE Fundamentals ch. 1: W = 0.621945 pw/(p - pw)) */
static double humratio(double t_c, double rh_pct)
{
	double pw = fmin(fmax(rh_pct, 0.0), 100.0) / 100.0 * psat_pa(t_c);
	return 0.621945 * pw / (P_ATM - pw);
}

/* moist-air enthalpy, J/kg dry air (ASHRAE Fundamentals ch. 1: h = 1.006 t + W (2501 + 1.86 t) kJ/kg) */
static double enthalpy_j_kg(double t_c, double w)
{
	return 1006.0 * t_c + w * (2.501e6 + 1860.0 * t_c);
}

double cooling_tower_evap_kg_per_j(const struct cooling_cfg *c, double temp_c, double rh_pct,
				   double leaving_c)
{
	if (c->tower_evap == EVAP_CONSTANT_LATENT)
		return c->latent_frac / H_FG;
	/* exit air saturated at the mean water temperature in the tower (assumed; counterflow
	 * air leaves against the warmest water) */
	double t_ex = leaving_c + 0.5 * c->cw_range_k;
	double w_in = humratio(temp_c, rh_pct), w_ex = humratio(t_ex, 100.0);
	double dh = enthalpy_j_kg(t_ex, w_ex) - enthalpy_j_kg(temp_c, w_in);
	if (!(dh > 1.0)) /* air as warm as the water: no heat leaves by this balance */
		return c->latent_frac / H_FG;
	/* Warm dry air is cooled as it passes, so evaporation can exceed the heat rejected (about
	 * 1.02 H_FG^-1 in hot dry air at the default approach and range); as the exit air's
	 * enthalpy nears the inlet's (approach and range near 0 in such air) the balance
	 * diverges: the tower would need unbounded airflow. Capped at 1.5 H_FG^-1 (assumed). */
	return fmin(fmax(w_ex - w_in, 0.0) / dh, EVAP_MAX_KG_PER_J);
}

double cooling_server_fan_w(const struct cooling_cfg *c, double server_w)
{
	int n = c->n_fan_pts;
	double r;

	if (n == 0 || server_w <= 0)
		return 0;
	if (server_w <= c->fan_server_w[0]) {
		r = c->fan_ratio[0];
	} else if (server_w >= c->fan_server_w[n - 1]) {
		r = c->fan_ratio[n - 1];
	} else {
		int i = 1;
		while (c->fan_server_w[i] < server_w)
			i++;
		double x0 = c->fan_server_w[i - 1], x1 = c->fan_server_w[i];
		r = c->fan_ratio[i - 1] + (c->fan_ratio[i] - c->fan_ratio[i - 1]) *
						  (server_w - x0) / (x1 - x0);
	}
	return r * server_w;
}

double cooling_chiller_cop(const struct cooling_cfg *c, double chws_c, double cw_c)
{
	/* Carnot fraction calibrated at AHRI 550/590: 6.7 degC leaving CHW, 29.4 degC entering CW */
	double ev_r = 6.7 - c->refrig_approach_k + KELVIN;
	double cd_r = 29.4 + c->cw_range_k + c->refrig_approach_k + KELVIN;
	double frac = c->chiller_cop_rated * (cd_r - ev_r) / ev_r;
	double ev = chws_c - c->refrig_approach_k + KELVIN;
	double cd = cw_c + c->cw_range_k + c->refrig_approach_k + KELVIN;
	double lift = fmax(cd - ev, 1.0);

	return fmin(frac * ev / lift, c->chiller_cop_max);
}

void cooling_eval(const struct cooling_cfg *c, const struct cooling_in *in, struct cooling_out *o)
{
	double it = fmax(in->it_w, 0.0);

	*o = (struct cooling_out){ 0 };
	o->wetbulb_c = weather_wetbulb_c(in->temp_c, in->rh_pct);
	if (c->model == COOLING_NONE) {
		o->mode = MODE_BASELINE;
		return;
	}
	if (c->model == COOLING_CONSTANT_PUE) {
		o->mode = MODE_BASELINE;
		o->cooling_w = (c->pue - 1.0) * it;
		o->heat_w = it;
		o->water_l_per_s = c->wue_l_per_kwh * it / 3.6e6;
		return;
	}

	double design = in->design_it_w > 0 ? in->design_it_w : it;
	if (c->n_fan_pts > 0 && in->n_nodes >= 1)
		o->server_fans_w = in->n_nodes * cooling_server_fan_w(c, it / in->n_nodes);
	/* servers at the supply-air temperature (no recirculation): fans speed up above the knee */
	o->server_inlet_w = cooling_inlet_frac(c, c->supply_air_c) * (it + o->server_fans_w);
	o->server_fans_w += o->server_inlet_w;

	/* CRAH fans: design airflow carries design IT heat at air_dt; power on the cube law */
	double flow_design_m3_s = design / (RHO_AIR * CP_AIR * c->air_dt_k);
	double fan_design_w = flow_design_m3_s * c->crah_pressure_pa / c->crah_fan_eff;
	double speed = design > 0 ? fmax((it + o->server_fans_w) / design, c->crah_min_speed) : 0;
	o->crah_w = design > 0 ? fan_design_w * speed * speed * speed : 0;

	double ups_loss = (it + o->server_fans_w) * (1.0 / c->ups_eff - 1.0);
	double misc = c->misc_frac * design;
	o->other_w = ups_loss + misc;
	double q = it + o->server_fans_w + o->crah_w + o->other_w;
	o->heat_w = q;

	/* water temperature the heat-rejection side can deliver */
	int tower = c->heat_rejection == REJECT_TOWER;
	double cw_c = tower ? fmax(o->wetbulb_c + c->tower_approach_k, c->tower_min_leaving_c)
			    : in->temp_c + c->dry_approach_k;
	double f; /* share of heat through the chiller */
	double q_chw; /* heat carried by the chilled-water loop */

	switch (c->economizer) {
	case ECON_WATERSIDE:
		f = (cw_c + c->hx_approach_k - c->chw_supply_c) / c->chw_dt_k;
		q_chw = q;
		break;
	case ECON_AIRSIDE: {
		double ra = c->supply_air_c + c->air_dt_k;
		if (cooling_dewpoint_c(in->temp_c, in->rh_pct) > c->max_dewpoint_c)
			f = 1.0;
		else
			f = (in->temp_c - c->supply_air_c) / (ra - c->supply_air_c);
		f = fmin(fmax(f, 0.0), 1.0);
		q_chw = f * q;
		break;
	}
	default:
		f = 1.0;
		q_chw = q;
		break;
	}
	f = fmin(fmax(f, 0.0), 1.0);
	o->chiller_frac = f;
	o->mode = f <= 0 ? MODE_FULL_FREE : f >= 1 ? MODE_CHILLER : MODE_PARTIAL_FREE;

	double q_ch = f * q;
	if (q_ch > 0) {
		/* EnergyPlus Chiller:Electric:EIR form: P = Cap / COP(T) * EIR(PLR); below the
		 * minimum PLR the machine false-loads at PLR_min */
		double q_design = design / c->ups_eff + c->misc_frac * design + fan_design_w;
		double cap = c->chiller_cap_frac * q_design;
		const double *k = c->chiller_eir_plr;
		o->cop = cooling_chiller_cop(c, c->chw_supply_c, cw_c);
		o->plr = cap > 0 ? q_ch / cap : 1.0;
		double p = fmax(o->plr, c->chiller_plr_min);
		o->chiller_w = cap > 0 ? cap / o->cop * (k[0] + k[1] * p + k[2] * p * p) : q_ch / o->cop;
	}
	/* the tower/dry cooler rejects the chiller's condenser heat, plus the economizer heat on
	 * the water side; air-side free cooling leaves with the exhaust air */
	double q_rej = q_ch + o->chiller_w + (c->economizer == ECON_WATERSIDE ? q - q_ch : 0.0);
	o->rejected_w = q_rej;
	o->tower_w = q_rej * (tower ? c->tower_fan_w_per_w : c->dry_fan_w_per_w);
	/* pump power = g * head * mass flow / efficiency, mass flow = heat / (cp * range) */
	double chw_pump = q_chw > 0 ? G_ACC * c->chw_pump_head_m * q_chw /
					      (CP_WATER * c->chw_dt_k * c->pump_eff) : 0;
	double cw_pump = q_rej > 0 ? G_ACC * c->cw_pump_head_m * q_rej /
					     (CP_WATER * c->cw_range_k * c->pump_eff) : 0;
	o->pumps_w = chw_pump + cw_pump;
	o->cooling_w = o->crah_w + o->chiller_w + o->tower_w + o->pumps_w;
	if (tower) {
		double evap_kg_s = q_rej * cooling_tower_evap_kg_per_j(c, in->temp_c, in->rh_pct, cw_c);
		o->water_l_per_s = evap_kg_s * (1.0 + 1.0 / (c->cycles_conc - 1.0));
	}
}
