/* wind.c — wind turbine model of wind.h. */
#include "wind.h"

#include <math.h>
#include <string.h>

#include "engine/err.h"

void wind_cfg_default(struct wind_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->count = 1;
	c->hub_height_m = 100;   /* assumed; typical onshore multi-MW hub height */
	c->shear_exp = 1.0 / 7.0;/* Hellman 1/7 power law, neutral atmosphere */
}

int wind_cfg_check(const struct wind_cfg *c, const char *path, struct err *e)
{
	if (!c->enabled)
		return 0;
	if (c->count < 1 || c->count > 100000)
		return err_set(e, "%s.count: expected an integer in [1, 100000], got %d", path, c->count);
	if (!(c->hub_height_m > 1 && c->hub_height_m < 300))
		return err_set(e, "%s.hub_height_m: expected a number in (1, 300), got %g", path,
			       c->hub_height_m);
	if (!(c->shear_exp >= 0 && c->shear_exp <= 1))
		return err_set(e, "%s.shear_exp: expected a number in [0, 1], got %g", path,
			       c->shear_exp);
	if (c->n_pts < 2)
		return err_set(e, "%s: power curve of turbine \"%s\": expected at least 2 points, got %d",
			       path, c->turbine, c->n_pts);
	for (int i = 0; i < c->n_pts; i++) {
		if (!(c->power_w[i] >= 0) || (i > 0 && !(c->speed_m_s[i] > c->speed_m_s[i - 1])))
			return err_set(e, "%s: power curve of turbine \"%s\" point %d: expected "
				       "ascending speeds and power >= 0", path, c->turbine, i + 1);
	}
	return 0;
}

double wind_hub_speed(const struct wind_cfg *c, double v_ref, double h_ref_m)
{
	if (!(v_ref > 0))
		return 0.0;
	return v_ref * pow(c->hub_height_m / h_ref_m, c->shear_exp);
}

double wind_turbine_w(const struct wind_cfg *c, double v)
{
	int n = c->n_pts;

	if (n < 2 || v < c->speed_m_s[0] || v > c->speed_m_s[n - 1])
		return 0.0;
	int i = 1;
	while (i < n - 1 && c->speed_m_s[i] < v)
		i++;
	double x0 = c->speed_m_s[i - 1], x1 = c->speed_m_s[i];
	return c->power_w[i - 1] + (c->power_w[i] - c->power_w[i - 1]) * (v - x0) / (x1 - x0);
}

double wind_farm_w(const struct wind_cfg *c, double v_ref, double h_ref_m)
{
	if (!c->enabled)
		return 0.0;
	return c->count * wind_turbine_w(c, wind_hub_speed(c, v_ref, h_ref_m));
}
