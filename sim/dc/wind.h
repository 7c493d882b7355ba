/* wind.h — on-site wind turbines: hub-height wind speed and a tabulated power curve.
 *
 * Wind speed measured at a reference height (10 m for the weather sources shipped, or the
 * height nearest the hub in a windpowerlib weather file) is moved to hub height with the
 * Hellman power law v_hub = v_ref (h_hub / h_ref)^alpha (alpha = 1/7, the classic neutral-
 * stability value). Turbine output is the manufacturer's power curve (OEDB turbine library,
 * via windpowerlib) interpolated linearly, zero outside the tabulated speeds (below cut-in and
 * above cut-out), as windpowerlib's power_curve model does; no air-density correction.
 */
#ifndef MAASIM_WIND_H
#define MAASIM_WIND_H

#define WIND_CURVE_PTS 128

struct wind_cfg {
	int enabled;
	char turbine[64];        /* OEDB turbine_type, e.g. "E-101/3050" (informational) */
	int count;               /* number of turbines */
	double hub_height_m;
	double shear_exp;        /* Hellman exponent */
	int n_pts;               /* power curve: speed_m_s ascending, power_w */
	double speed_m_s[WIND_CURVE_PTS];
	double power_w[WIND_CURVE_PTS];
};

/* Disabled, 1 turbine, hub 100 m (assumed), alpha = 1/7. */
void wind_cfg_default(struct wind_cfg *c);

struct err;
int wind_cfg_check(const struct wind_cfg *c, const char *path, struct err *e);

/* Wind speed at hub height from speed v_ref at height h_ref_m. */
double wind_hub_speed(const struct wind_cfg *c, double v_ref, double h_ref_m);

/* Output of one turbine (W) at hub-height speed v_m_s. */
double wind_turbine_w(const struct wind_cfg *c, double v_m_s);

/* Farm output (W) from wind speed v_ref measured at h_ref_m. */
double wind_farm_w(const struct wind_cfg *c, double v_ref, double h_ref_m);

#endif
