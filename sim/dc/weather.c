/* weather.c — weather series container and Stull's wet-bulb formula (see weather.h). */
#include "weather.h"

#include <math.h>

void weather_init(struct weather *w)
{
	series_init(&w->temp_c);
	series_init(&w->rh_pct);
	series_init(&w->wind_m_s);
	series_init(&w->ghi_w_m2);
	series_init(&w->dni_w_m2);
	series_init(&w->dhi_w_m2);
	series_init(&w->cloud_pct);
	w->wind_height_m = 10;
	w->lat_deg = NAN;
	w->lon_deg = NAN;
	w->utc_offset_h = 0;
	w->typical_year = 0;
}

void weather_fini(struct weather *w)
{
	series_fini(&w->temp_c);
	series_fini(&w->rh_pct);
	series_fini(&w->wind_m_s);
	series_fini(&w->ghi_w_m2);
	series_fini(&w->dni_w_m2);
	series_fini(&w->dhi_w_m2);
	series_fini(&w->cloud_pct);
	weather_init(w);
}

void weather_anchor_year(struct weather *w, int year)
{
	double t0 = series_civil_to_epoch(year, 1, 1, 0, 0, 0) - w->utc_offset_h * 3600.0;
	struct series *all[] = { &w->temp_c, &w->rh_pct, &w->wind_m_s, &w->ghi_w_m2,
				 &w->dni_w_m2, &w->dhi_w_m2, &w->cloud_pct };

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		all[i]->t0_s = t0;
}

double weather_wetbulb_c(double temp_c, double rh_pct)
{
	double t = fmin(fmax(temp_c, -20.0), 50.0);
	double rh = fmin(fmax(rh_pct, 5.0), 99.0);
	/* Stull (2011) eq. 1; T in degC, RH in % */
	double tw = t * atan(0.151977 * sqrt(rh + 8.313659)) + atan(t + rh) - atan(rh - 1.676331) +
		    0.00391838 * pow(rh, 1.5) * atan(0.023101 * rh) - 4.686035;

	if (temp_c < -20.0)
		tw += temp_c + 20.0; /* below the fit: keep the depression found at -20 degC */
	return fmin(tw, temp_c);
}
