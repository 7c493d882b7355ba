/* solar.c — photovoltaic model of solar.h. Angles are degrees at the interface, radians
 * inside. */
#include "solar.h"

#include <math.h>

#include "dc/series.h"
#include "engine/err.h"

#define DEG (M_PI / 180.0)

void solar_cfg_default(struct solar_cfg *c)
{
	c->model = SOLAR_NONE;
	c->capacity_kw = 0;
	c->tilt_deg = 20;        /* PVWatts v5 default */
	c->azimuth_deg = 180;    /* PVWatts v5 default (south) */
	c->gamma_per_k = -0.0047;/* PVWatts v5 "standard" module */
	c->losses_frac = 0.1408; /* PVWatts v5 default system losses */
	c->inv_eff_nom = 0.96;   /* PVWatts v5 default */
	c->dc_ac_ratio = 1.2;    /* PVWatts v5 default */
	c->noct_c = 45;          /* assumed, typical c-Si datasheet NOCT */
	c->albedo = 0.2;         /* assumed, grass/concrete */
}

int solar_cfg_check(const struct solar_cfg *c, const char *path, struct err *e)
{
	if (c->model == SOLAR_NONE)
		return 0;
	if (!(c->capacity_kw > 0 && c->capacity_kw < 1e7))
		return err_set(e, "%s.capacity_kw: expected a number > 0, got %g", path, c->capacity_kw);
	if (!(c->tilt_deg >= 0 && c->tilt_deg <= 90))
		return err_set(e, "%s.tilt_deg: expected a number in [0, 90], got %g", path, c->tilt_deg);
	if (!(c->azimuth_deg >= 0 && c->azimuth_deg <= 360))
		return err_set(e, "%s.azimuth_deg: expected a number in [0, 360], got %g", path,
			       c->azimuth_deg);
	if (!(c->gamma_per_k > -0.02 && c->gamma_per_k <= 0))
		return err_set(e, "%s.gamma_per_k: expected a number in (-0.02, 0], got %g", path,
			       c->gamma_per_k);
	if (!(c->losses_frac >= 0 && c->losses_frac < 1))
		return err_set(e, "%s.losses_frac: expected a number in [0, 1), got %g", path,
			       c->losses_frac);
	if (!(c->inv_eff_nom > 0.5 && c->inv_eff_nom <= 1))
		return err_set(e, "%s.inverter_eff: expected a number in (0.5, 1], got %g", path,
			       c->inv_eff_nom);
	if (!(c->dc_ac_ratio >= 0.5 && c->dc_ac_ratio <= 3))
		return err_set(e, "%s.dc_ac_ratio: expected a number in [0.5, 3], got %g", path,
			       c->dc_ac_ratio);
	if (!(c->noct_c >= 20 && c->noct_c <= 80))
		return err_set(e, "%s.noct_c: expected a number in [20, 80], got %g", path, c->noct_c);
	if (!(c->albedo >= 0 && c->albedo <= 1))
		return err_set(e, "%s.albedo: expected a number in [0, 1], got %g", path, c->albedo);
	return 0;
}

void solar_position(double t_s, double lat_deg, double lon_deg, double *zenith_deg,
		    double *azimuth_deg)
{
	int yday, year;
	series_epoch_to_civil(t_s, &year, NULL, NULL, NULL, NULL, NULL, &yday);
	double day_start = series_civil_to_epoch(year, 1, 1, 0, 0, 0) + yday * 86400.0;
	double hour_utc = (t_s - day_start) / 3600.0;
	/* fractional year (Spencer 1971), radians */
	double g = 2.0 * M_PI * (yday + (hour_utc - 12.0) / 24.0) / 365.0;
	double decl = 0.006918 - 0.399912 * cos(g) + 0.070257 * sin(g) - 0.006758 * cos(2 * g) +
		      0.000907 * sin(2 * g) - 0.002697 * cos(3 * g) + 0.00148 * sin(3 * g);
	double eot_min = 229.18 * (0.000075 + 0.001868 * cos(g) - 0.032077 * sin(g) -
				   0.014615 * cos(2 * g) - 0.040849 * sin(2 * g));
	double solar_min = hour_utc * 60.0 + eot_min + 4.0 * lon_deg;
	double h = (solar_min / 4.0 - 180.0) * DEG;
	double p = lat_deg * DEG;
	double cz = sin(p) * sin(decl) + cos(p) * cos(decl) * cos(h);

	*zenith_deg = acos(fmin(fmax(cz, -1.0), 1.0)) / DEG;
	*azimuth_deg = atan2(sin(h), cos(h) * sin(p) - tan(decl) * cos(p)) / DEG + 180.0;
}

double solar_extra_w_m2(int doy)
{
	/* 1367 W/m2 solar constant and orbit eccentricity (Duffie & Beckman, eq. 1.4.1a) */
	return 1367.0 * (1.0 + 0.033 * cos(2.0 * M_PI * (doy + 1) / 365.0));
}

double solar_clearsky_ghi(double zenith_deg)
{
	double cz = cos(zenith_deg * DEG);
	return cz > 0.01 ? 1098.0 * cz * exp(-0.057 / cz) : 0.0;
}

double solar_cloudy_ghi(double ghi_clear, double cloud_pct)
{
	double c = fmin(fmax(cloud_pct / 100.0, 0.0), 1.0);
	return ghi_clear * (1.0 - 0.75 * pow(c, 3.4));
}

double solar_erbs_diffuse_frac(double kt)
{
	if (kt <= 0.22)
		return 1.0 - 0.09 * kt;
	if (kt <= 0.80)
		return 0.9511 - 0.1604 * kt + 4.388 * kt * kt - 16.638 * pow(kt, 3) +
		       12.336 * pow(kt, 4);
	return 0.165;
}

static double glass_tau(double th)
{
	const double n = 1.526, kl = 4.0 * 0.002; /* PVWatts v5 glass: n, K [1/m] * L [m] */
	if (th < 1e-6)
		return exp(-kl) * (1.0 - pow((n - 1.0) / (n + 1.0), 2));
	double thr = asin(sin(th) / n);
	double s = pow(sin(thr - th), 2) / pow(sin(thr + th), 2);
	double t = pow(tan(thr - th), 2) / pow(tan(thr + th), 2);
	return exp(-kl / cos(thr)) * (1.0 - 0.5 * (s + t));
}

double solar_iam(double aoi_deg)
{
	if (aoi_deg >= 90.0)
		return 0.0;
	return glass_tau(aoi_deg * DEG) / glass_tau(0.0);
}

double solar_poa_tr(const struct solar_cfg *c, double dni, double dhi, double ghi,
		    double zenith_deg, double azimuth_deg)
{
	double b = c->tilt_deg * DEG, z = zenith_deg * DEG;
	double cth = cos(z) * cos(b) + sin(z) * sin(b) * cos((azimuth_deg - c->azimuth_deg) * DEG);
	double beam = zenith_deg < 90.0 && cth > 0 ? dni * cth : 0.0;
	double aoi = acos(fmin(fmax(cth, -1.0), 1.0)) / DEG;
	double sky = dhi * (1.0 + cos(b)) / 2.0;
	double ground = ghi * c->albedo * (1.0 - cos(b)) / 2.0;

	return beam * solar_iam(aoi) + sky + ground;
}

double solar_cell_c(const struct solar_cfg *c, double air_c, double poa_w_m2)
{
	return air_c + (c->noct_c - 20.0) * poa_w_m2 / 800.0;
}

double solar_ac_w(const struct solar_cfg *c, double poa_tr_w_m2, double cell_c)
{
	double pdc0 = c->capacity_kw * 1000.0;
	double dc = pdc0 * poa_tr_w_m2 / 1000.0 * (1.0 + c->gamma_per_k * (cell_c - 25.0)) *
		    (1.0 - c->losses_frac);
	if (!(dc > 0))
		return 0.0;
	/* PVWatts v5 inverter: eta = eta_nom / eta_ref * (-0.0162 z - 0.0059 / z + 0.9858),
	 * z = P_dc / P_dc0_inv, eta_ref = 0.9637; output clipped at the AC rating */
	double pac0 = pdc0 / c->dc_ac_ratio;
	double pdc0_inv = pac0 / c->inv_eff_nom;
	double zr = dc / pdc0_inv;
	double eta = c->inv_eff_nom / 0.9637 * (-0.0162 * zr - 0.0059 / zr + 0.9858);
	double ac = eta * dc;
	return fmin(fmax(ac, 0.0), pac0);
}

double solar_ac_from_weather(const struct solar_cfg *c, double t_mid_s, double lat_deg,
			     double lon_deg, double ghi, double dni, double dhi, double cloud_pct,
			     double air_c)
{
	double zen, az;
	int yday;

	solar_position(t_mid_s, lat_deg, lon_deg, &zen, &az);
	if (zen >= 90.0)
		return 0.0;
	series_epoch_to_civil(t_mid_s, NULL, NULL, NULL, NULL, NULL, NULL, &yday);
	double cz = cos(zen * DEG);
	if (isnan(ghi)) {
		double clear = solar_clearsky_ghi(zen);
		ghi = isnan(cloud_pct) ? clear : solar_cloudy_ghi(clear, cloud_pct);
	}
	if (!(ghi > 0))
		return 0.0;
	if (isnan(dni) || isnan(dhi)) {
		double e0h = solar_extra_w_m2(yday) * cz;
		double kt = e0h > 1.0 ? fmin(ghi / e0h, 1.0) : 0.0;
		dhi = ghi * solar_erbs_diffuse_frac(kt);
		dni = cz > 0.05 ? (ghi - dhi) / cz : 0.0;
	}
	double poa = solar_poa_tr(c, dni, dhi, ghi, zen, az);
	return solar_ac_w(c, poa, solar_cell_c(c, air_c, poa));
}
