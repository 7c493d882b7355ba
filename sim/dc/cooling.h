/* cooling.h — the cooling plant: from IT power and outdoor air to cooling power and water.
 *
 * A pure steady-state model evaluated once per control step (no state, no I/O). Three models:
 *   COOLING_CONSTANT_PUE  the baseline: cooling = (pue - 1) * IT, water = wue * IT energy.
 *   COOLING_PHYSICS       a chilled-water plant after Lei & Masanet (Energy 201 (2020) 117556):
 *       CRAH fans on the cube law of airflow; a chiller whose full-load COP is a fixed fraction of
 *       the Carnot COP between its refrigerant evaporating and condensing temperatures (the
 *       fraction calibrated so the chiller gives its rated COP at AHRI 550/590 conditions) and
 *       whose part-load power follows EnergyPlus's DOE-2 centrifugal EIR(PLR) curve; a water-side
 *       economizer (plate heat exchanger on tower water, full or partial free cooling) or an
 *       air-side one (outside air, full or partial, inside a dew-point limit); heat rejected by an
 *       evaporative cooling tower (water = evaporation + blowdown) or a dry cooler (no water);
 *       chilled- and condenser-water pumps from head and flow; UPS losses and a fixed
 *       miscellaneous load; optional server fans from Azure's GreenSKU fan-power curve; server
 *       power rising with the supply (inlet) air temperature above a knee (fans speeding up,
 *       power on the cube of speed; calibrated to measured data-centre sensitivity); tower
 *       evaporation from a saturated-exit-air balance, so a tower in cold air evaporates less.
 *   COOLING_NONE          nothing but IT (PUE 1), for tests and IT-only studies.
 * Every default constant is in cooling_cfg_default with its source; the README lists them.
 * Heat balance: all electrical power drawn in the white space (IT, server fans, CRAH fans,
 * UPS losses, miscellaneous) becomes heat the plant removes.
 */
#ifndef MAASIM_COOLING_H
#define MAASIM_COOLING_H

enum cooling_model { COOLING_CONSTANT_PUE, COOLING_PHYSICS, COOLING_NONE };
enum cooling_econ { ECON_WATERSIDE, ECON_AIRSIDE, ECON_NONE };
enum cooling_reject { REJECT_TOWER, REJECT_DRY };
/* Tower evaporation: SATURATED_EXIT (default) from the air's humidity and enthalpy rise with
 * exit air saturated; CONSTANT_LATENT the fixed latent share latent_frac of rejected heat. */
enum cooling_evap { EVAP_SATURATED_EXIT, EVAP_CONSTANT_LATENT };

#define COOLING_FAN_PTS 32

struct cooling_cfg {
	enum cooling_model model;
	double pue;                  /* constant model: facility / IT, >= 1 */
	double wue_l_per_kwh;        /* constant model: on-site water per IT kWh, L/kWh */

	enum cooling_econ economizer;
	enum cooling_reject heat_rejection;
	double supply_air_c;         /* CRAH supply (server inlet) air, degC */
	double air_dt_k;             /* server air temperature rise, K */
	double max_dewpoint_c;       /* air-side economizer: outside air dew point limit, degC */
	double chw_supply_c;         /* chilled-water supply, degC */
	double chw_dt_k;             /* chilled-water range (return - supply), K */
	double cw_range_k;           /* condenser-water range through the tower, K */
	double tower_approach_k;     /* tower leaving water - wet bulb, K */
	double dry_approach_k;       /* dry cooler leaving water - dry bulb, K */
	double hx_approach_k;        /* economizer plate heat exchanger approach, K */
	double chiller_cop_rated;    /* COP at AHRI 550/590: 6.7 degC CHW out, 29.4 degC CW in */
	double chiller_cop_max;      /* cap on COP at small lift */
	double refrig_approach_k;    /* refrigerant vs water approach in evaporator and condenser, K */
	double chiller_cap_frac;     /* chiller capacity as a share of the design heat load */
	double chiller_plr_min;      /* below this part-load ratio the chiller false-loads */
	double chiller_eir_plr[3];   /* EIR(PLR) = a + b PLR + c PLR^2, 1 at PLR = 1 */
	double crah_pressure_pa;     /* CRAH fan total pressure at design airflow, Pa */
	double crah_fan_eff;         /* fan + motor + drive efficiency */
	double crah_min_speed;       /* VFD floor, fraction of design airflow */
	double chw_pump_head_m;      /* chilled-water loop head, m */
	double cw_pump_head_m;       /* condenser-water loop head, m */
	double pump_eff;             /* pump + motor efficiency */
	double tower_fan_w_per_w;    /* tower fan power per W of heat rejected */
	double dry_fan_w_per_w;      /* dry cooler fan power per W of heat rejected */
	double ups_eff;              /* UPS + distribution efficiency feeding IT */
	double misc_frac;            /* lighting, security, offices: fraction of design IT power */
	double latent_frac;          /* EVAP_CONSTANT_LATENT: share of tower heat rejected by evaporation */
	enum cooling_evap tower_evap;
	double tower_min_leaving_c;  /* freeze control: tower water never leaves colder, degC */

	/* Server power vs inlet (supply-air) temperature, counted as IT (cooling_inlet_frac):
	 * extra = share * P * ((1 + speed_per_k * max(T - knee, 0))^3 - 1). share 0 = off. */
	double inlet_knee_c;          /* fans at minimum speed up to this inlet temperature, degC */
	double inlet_fan_share;       /* server fan power at minimum speed, share of server power */
	double inlet_fan_speed_per_k; /* fan speed rise per K above the knee, share of minimum */
	double cycles_conc;          /* cycles of concentration (blowdown = evap / (cc - 1)) */

	/* Server fans (counted as IT in PUE, as ISO/IEC 30134-2 does): fan power = ratio(p) * p
	 * at per-node power p, the ratio interpolated linearly in p and held at the end values.
	 * n_fan_pts = 0: node power profiles already include their fans. */
	int n_fan_pts;
	double fan_server_w[COOLING_FAN_PTS];
	double fan_ratio[COOLING_FAN_PTS];
};

/* Operating point for one control step. */
struct cooling_in {
	double it_w;          /* mean IT power over the step, W (>= 0) */
	double design_it_w;   /* design (nameplate) IT power sizing fans and pumps, W (> 0) */
	double n_nodes;       /* server count, for per-server fan power (>= 1 when fans used) */
	double temp_c;        /* outdoor dry bulb, degC */
	double rh_pct;        /* outdoor relative humidity, % */
};

enum cooling_mode { MODE_FULL_FREE, MODE_PARTIAL_FREE, MODE_CHILLER, MODE_BASELINE };

struct cooling_out {
	double server_fans_w; /* IT-side fan power added to it_w (curve + inlet term) */
	double server_inlet_w;/* the part of server_fans_w due to inlet temperature above the knee */
	double crah_w, chiller_w, tower_w, pumps_w;
	double cooling_w;     /* crah + chiller + tower + pumps */
	double other_w;       /* UPS losses + miscellaneous */
	double heat_w;        /* heat removed from the white space */
	double rejected_w;    /* heat rejected outdoors by tower or dry cooler */
	double water_l_per_s; /* tower evaporation + blowdown */
	double chiller_frac;  /* share of heat the chiller removes (0 = full free cooling) */
	double cop;           /* chiller full-load COP at these temperatures (0 when off) */
	double plr;           /* chiller part-load ratio (0 when off) */
	double wetbulb_c;
	enum cooling_mode mode;
};

/* Fills c with the documented defaults (physics model, water-side economizer, tower). */
void cooling_cfg_default(struct cooling_cfg *c);

/* Checks ranges; -1 with e ("<path>.<field>: expected ..., got ...") on a bad value.
 * path names the config in messages (e.g. "$.datacenter.cooling"). */
struct err;
int cooling_cfg_check(const struct cooling_cfg *c, const char *path, struct err *e);

/* Evaluates the plant at one operating point (cfg checked). Pure. */
void cooling_eval(const struct cooling_cfg *c, const struct cooling_in *in, struct cooling_out *out);

/* Chiller COP at chilled-water supply chws_c with condenser water entering at cw_c. */
double cooling_chiller_cop(const struct cooling_cfg *c, double chws_c, double cw_c);

/* Server fan power (W) of one server drawing server_w, from the curve; 0 with no curve. */
double cooling_server_fan_w(const struct cooling_cfg *c, double server_w);

/* Extra server power (fans and leakage together, as measured at the wall) at inlet air
 * temperature inlet_c, as a share of server power (>= 0; 0 at or below the knee). */
double cooling_inlet_frac(const struct cooling_cfg *c, double inlet_c);

/* Tower evaporation per joule rejected (kg/J) with outdoor air temp_c / rh_pct and tower water
 * leaving at leaving_c: EVAP_CONSTANT_LATENT gives latent_frac / h_fg; EVAP_SATURATED_EXIT
 * (dw / dh) of the air, which leaves saturated at the mean water temperature. */
double cooling_tower_evap_kg_per_j(const struct cooling_cfg *c, double temp_c, double rh_pct,
				   double leaving_c);

/* Dew point (degC) from dry bulb and RH by the Magnus formula with Alduchov & Eskridge
 * (1996) coefficients. */
double cooling_dewpoint_c(double temp_c, double rh_pct);

#endif
