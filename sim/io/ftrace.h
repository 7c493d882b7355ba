/* ftrace.h — readers for the facility's input traces: weather, grid signals, PV, wind, fans.
 *
 * Each reader turns one file format into UTC time series (dc/series.h) or model tables, with
 * every error naming "<file>:<line>: <what was expected>, got ...". Time zones are explicit:
 * a file whose timestamps are local wall-clock labels without an offset is read with the
 * caller's utc_offset_h (local = UTC + offset); timestamps carrying "Z" or "+HH:MM" use their
 * own. Every dated reader requires a regular step (no gaps, no duplicates). Typical-year files
 * (EPW, PVGIS TMY, PVWatts) carry no usable year; they are read as starting on Jan 1 00:00
 * local standard time of 2001 and the caller re-anchors them to the run's year
 * (weather_anchor_year / series t0_s).
 * Formats (all from ../shared/data, see scenarios/traces/LICENSES.md):
 *   Open-Meteo CSV  time_local,temperature_2m_C,relative_humidity_2m_pct,cloudcover_pct,
 *                   windspeed_10m_kmh (km/h, converted to m/s)
 *   EnergyPlus EPW  LOCATION line (lat, lon, time zone), 8760 hour-ending rows (temperature,
 *                   RH, GHI/DNI/DHI, wind speed, total sky cover)
 *   PVGIS TMY CSV   "Latitude (decimal degrees): ..." header, time(UTC),T2m,RH,G(h),Gb(n),Gd(h),...
 *   column CSV      first column a timestamp, a named value column (Electricity Maps carbon,
 *                   market prices, WattTime MOER, any such file)
 *   PVWatts hourly  metadata lines ("DC System Size (kW):"), Month,Day,Hour,...,AC System Output (W)
 *   windpowerlib    two header rows (variable_name, height), wind_speed columns at several heights
 *   OEDB curves     turbine_type,<speed>,<speed>,... one row per turbine, W
 *   GreenSKU fans   server power,fan power,fan/server
 */
#ifndef MAASIM_FTRACE_H
#define MAASIM_FTRACE_H

#include "dc/cooling.h"
#include "dc/series.h"
#include "dc/weather.h"
#include "dc/wind.h"
#include "engine/err.h"

/* Parses "YYYY-MM-DD", "YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|+HH:MM|-HH:MM|+HHMM]" or PVGIS's
 * "YYYYMMDD:HHMM" into UTC epoch seconds. Without an explicit zone the label is local time at
 * utc_offset_h. Returns -1 (e not touched: the caller names the place) on a malformed text. */
int ftrace_parse_time(const char *s, double utc_offset_h, double *epoch_s);

/* A CSV whose first column is a timestamp: reads the column named column (NULL or "" = the
 * second column), multiplied by scale, into out (which must be empty; caller frees with
 * series_fini). */
int ftrace_read_column(const char *path, const char *column, double utc_offset_h, double scale,
		       struct series *out, struct err *e);

/* Weather readers fill an initialised struct weather (caller weather_fini's it). */
int ftrace_read_openmeteo(const char *path, double utc_offset_h, struct weather *w,
			  struct err *e);
int ftrace_read_epw(const char *path, struct weather *w, struct err *e);
int ftrace_read_pvgis(const char *path, struct weather *w, struct err *e);

/* PVWatts hourly output: AC power (W) of the file's array of *dc_kw kW DC, plus the plane-of-
 * array irradiance (W/m2), beam normal irradiance (W/m2) and cell temperature (degC) columns
 * (any output pointer may be NULL). Series start on Jan 1 00:00 of 2001 at utc_offset_h. */
int ftrace_read_pvwatts(const char *path, double utc_offset_h, struct series *ac_w,
			double *dc_kw, struct series *poa, struct series *dni,
			struct series *cell_c, struct err *e);

/* windpowerlib weather file: the wind_speed column whose height is nearest hub_height_m goes
 * into w->wind_m_s (w->wind_height_m set; w->typical_year set, the 2010 file is used as a
 * typical year). */
int ftrace_read_windpowerlib(const char *path, double hub_height_m, struct weather *w,
			     struct err *e);

/* OEDB power curves: fills c->speed_m_s / power_w / n_pts for turbine_type c->turbine. */
int ftrace_read_power_curve(const char *path, struct wind_cfg *c, struct err *e);

/* GreenSKU server fan curve: fills c->fan_server_w / fan_ratio / n_fan_pts. */
int ftrace_read_fan_curve(const char *path, struct cooling_cfg *c, struct err *e);

#endif
