/* weather.h — outdoor conditions as UTC time series, and derived psychrometrics.
 *
 * A struct weather is filled by a reader (io/ftrace.h: Open-Meteo CSV, EnergyPlus EPW, PVGIS
 * TMY) or by the caller (constant conditions, tests). Series a source does not provide stay
 * empty (n == 0); callers check with weather_has. Wet-bulb temperature, which drives cooling
 * towers and water-side economizers, is derived from dry-bulb and relative humidity with
 * Stull's empirical formula (Stull, "Wet-bulb temperature from relative humidity and air
 * temperature", J. Appl. Meteor. Climatol. 50 (2011) 2267-2269), valid at sea-level pressure
 * for RH 5-99 % and T -20..50 degC with error -1..+0.65 K.
 */
#ifndef MAASIM_WEATHER_H
#define MAASIM_WEATHER_H

#include "dc/series.h"

struct weather {
	struct series temp_c;     /* dry-bulb air temperature at 2 m, degC */
	struct series rh_pct;     /* relative humidity, % */
	struct series wind_m_s;   /* wind speed at wind_height_m, m/s */
	struct series ghi_w_m2;   /* global horizontal irradiance (hour mean), W/m2 */
	struct series dni_w_m2;   /* direct normal irradiance, W/m2 */
	struct series dhi_w_m2;   /* diffuse horizontal irradiance, W/m2 */
	struct series cloud_pct;  /* total cloud cover, % */
	double wind_height_m;     /* height of wind_m_s, m (10 for all shipped sources) */
	double lat_deg, lon_deg;  /* site, degrees north / east; NaN when unknown */
	double utc_offset_h;      /* the source's local standard time offset, hours */
	int typical_year;         /* 1: a typical-year file, re-anchored to the run's year */
};

/* Empties every series and sets lat/lon to NaN. weather_fini frees them. */
void weather_init(struct weather *w);
void weather_fini(struct weather *w);

/* Shifts every series so that a typical-year file's first sample (Jan 1 00:00 local standard
 * time) falls on Jan 1 00:00 local of the given year. */
void weather_anchor_year(struct weather *w, int year);

/* Wet-bulb temperature (degC) from dry-bulb temp_c and relative humidity rh_pct by Stull
 * (2011); inputs are clamped to the formula's validity range (T -20..50 degC, RH 5..99 %) and
 * the result never exceeds temp_c. */
double weather_wetbulb_c(double temp_c, double rh_pct);

#endif
