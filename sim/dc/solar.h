/* solar.h — on-site photovoltaics: sun position, irradiance on the array, PVWatts v5 chain.
 *
 * Two ways to get PV output, both pure functions here:
 *  - a measured or modelled AC profile (e.g. NREL PVWatts hourly output) scaled linearly to
 *    the array's DC capacity (the caller reads the profile; see io/ftrace.h);
 *  - from irradiance: sun position (Spencer 1971 declination and equation of time, as in
 *    NOAA's and PVWatts' solar position), beam/diffuse on the tilted plane (isotropic sky, Liu
 *    & Jordan 1963; ground albedo), glass-cover angle-of-incidence loss (De Soto et al. 2006
 *    physical model, n = 1.526, K = 4 /m, L = 2 mm, as PVWatts v5), DC power with a linear
 *    temperature coefficient and system losses, and the PVWatts v5 inverter efficiency curve
 *    with clipping (Dobos, "PVWatts Version 5 Manual", NREL/TP-6A20-62641, 2014).
 *    When only global horizontal irradiance is known it is split with the Erbs et al. (1982)
 *    diffuse-fraction correlation; when only cloud cover is known (Open-Meteo), a clear-sky
 *    GHI (Haurwitz 1945) is reduced by Kasten & Czeplak (1980): GHI = GHI_clear (1 - 0.75 c^3.4).
 * With the PVWatts file's own irradiance and cell temperature this chain reproduces its annual
 * AC total (6,024 kWh for the 4 kW Golden, CO array) to 0.01 % (tests/unit/test_facility_pv.c).
 */
#ifndef MAASIM_SOLAR_H
#define MAASIM_SOLAR_H

enum solar_model { SOLAR_NONE, SOLAR_PROFILE, SOLAR_IRRADIANCE };

struct solar_cfg {
	enum solar_model model;
	double capacity_kw;   /* DC nameplate, kW */
	double tilt_deg;      /* array tilt from horizontal */
	double azimuth_deg;   /* array azimuth, degrees clockwise from north (180 = south) */
	double gamma_per_k;   /* DC power temperature coefficient, 1/K */
	double losses_frac;   /* DC system losses (soiling, wiring, mismatch...) */
	double inv_eff_nom;   /* nominal inverter efficiency */
	double dc_ac_ratio;   /* DC nameplate / inverter AC rating */
	double noct_c;        /* nominal operating cell temperature (800 W/m2, 20 degC air) */
	double albedo;        /* ground reflectance */
};

/* PVWatts v5 defaults: standard module gamma -0.47 %/K, losses 14.08 %, inverter 96 %,
 * DC/AC 1.2, tilt 20 deg facing south; NOCT 45 degC and albedo 0.2 assumed. model NONE. */
void solar_cfg_default(struct solar_cfg *c);

struct err;
int solar_cfg_check(const struct solar_cfg *c, const char *path, struct err *e);

/* Sun zenith and azimuth (degrees; azimuth clockwise from north) at UTC epoch t_s for a site
 * at lat_deg north, lon_deg east. */
void solar_position(double t_s, double lat_deg, double lon_deg, double *zenith_deg,
		    double *azimuth_deg);

/* Extraterrestrial normal irradiance (W/m2) on day-of-year doy (0-based). */
double solar_extra_w_m2(int doy);

/* Clear-sky GHI, Haurwitz (1945), W/m2; 0 with the sun below the horizon. */
double solar_clearsky_ghi(double zenith_deg);

/* All-sky GHI from clear-sky GHI and total cloud cover (%), Kasten & Czeplak (1980). */
double solar_cloudy_ghi(double ghi_clear, double cloud_pct);

/* Diffuse fraction of GHI from the clearness index kt (Erbs, Klein & Duffie 1982). */
double solar_erbs_diffuse_frac(double kt);

/* Transmitted plane-of-array irradiance (W/m2) from DNI, DHI, GHI and the sun position. */
double solar_poa_tr(const struct solar_cfg *c, double dni, double dhi, double ghi,
		    double zenith_deg, double azimuth_deg);

/* Angle-of-incidence transmittance of the module glass, normalised to normal incidence. */
double solar_iam(double aoi_deg);

/* PVWatts v5 AC output (W) of the array from transmitted POA irradiance (W/m2) and cell
 * temperature (degC). */
double solar_ac_w(const struct solar_cfg *c, double poa_tr_w_m2, double cell_c);

/* Cell temperature by the NOCT model (Ross 1976): T_air + (NOCT - 20) * POA / 800. */
double solar_cell_c(const struct solar_cfg *c, double air_c, double poa_w_m2);

/* AC output (W) at step midpoint t_mid_s at (lat, lon) from whatever irradiance is known:
 * pass NaN for dni/dhi when unknown (Erbs split), NaN for ghi when unknown (cloud model from
 * cloud_pct; cloud_pct NaN = clear sky). */
double solar_ac_from_weather(const struct solar_cfg *c, double t_mid_s, double lat_deg,
			     double lon_deg, double ghi, double dni, double dhi, double cloud_pct,
			     double air_c);

#endif
