/* ftrace.c — facility trace readers (see ftrace.h).
 *
 * All readers go through csv.h, so every message carries "<file>:<line>". Series are grown
 * with xgrow; on error everything read so far is freed and the output left empty.
 */
#include "ftrace.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"
#include "io/csv.h"

#define FTRACE_MAX_BYTES (64u << 20) /* 64 MiB: far above any shipped trace */
#define TYPICAL_YEAR 2001            /* a non-leap year for typical-year files */

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int ftrace_parse_time(const char *s, double utc_offset_h, double *epoch_s)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	double frac = 0, off_h = utc_offset_h;
	const char *p;

	while (*s == ' ')
		s++;
	if (strlen(s) >= 13 && s[8] == ':' && digits(s, 4, &y) == 0 && digits(s + 4, 2, &mo) == 0 &&
	    digits(s + 6, 2, &d) == 0 && digits(s + 9, 2, &h) == 0 && digits(s + 11, 2, &mi) == 0) {
		p = s + 13; /* PVGIS YYYYMMDD:HHMM */
	} else {
		if (strlen(s) < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
		    s[7] != '-' || digits(s + 8, 2, &d))
			return -1;
		p = s + 10;
		if (*p == 'T' || *p == ' ') {
			p++;
			if (digits(p, 2, &h) || p[2] != ':' || digits(p + 3, 2, &mi))
				return -1;
			p += 5;
			if (*p == ':') {
				if (digits(p + 1, 2, &sec))
					return -1;
				p += 3;
				if (*p == '.') {
					char *end;
					frac = strtod(p, &end);
					p = end;
				}
			}
		}
	}
	if (*p == 'Z') {
		off_h = 0;
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om = 0;
		int sign = *p == '-' ? -1 : 1;
		p++;
		if (digits(p, 2, &oh))
			return -1;
		p += 2;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)*p)) {
			if (digits(p, 2, &om))
				return -1;
			p += 2;
		}
		off_h = sign * (oh + om / 60.0);
	}
	while (*p == ' ')
		p++;
	if (*p || mo < 1 || mo > 12 || d < 1 || h > 24 || mi > 59 || sec > 60)
		return -1;
	{
		static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
		int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		if (d > mdays[mo - 1] + (mo == 2 && leap))
			return -1; /* 2023-02-30 is no date */
	}
	*epoch_s = series_civil_to_epoch(y, mo, d, h, mi, sec + frac) - off_h * 3600.0;
	return 0;
}

/* A series being filled row by row with a regular-step check. */
struct grow {
	struct series *s;
	size_t cap;
};

static void grow_push(struct grow *g, double v)
{
	xgrow((void **)&g->s->v, &g->cap, g->s->n + 1, sizeof(double));
	g->s->v[g->s->n++] = v;
}

/* Checks row k's time t against the step set by the first two rows. */
static int check_step(const struct csv *c, size_t k, double t, double *t0, double *step,
		      struct err *e)
{
	if (k == 0) {
		*t0 = t;
		return 0;
	}
	if (k == 1) {
		if (!(t > *t0))
			return err_set(e, "%s:%ld: expected times to increase, got a step of %g s",
				       csv_path(c), csv_line(c), t - *t0);
		*step = t - *t0;
		return 0;
	}
	double want = *t0 + (double)k * *step;
	if (fabs(t - want) > 1.0)
		return err_set(e, "%s:%ld: expected a regular step of %g s (time %+.0f s from the "
			       "first row), got %+.0f s: a gap or a duplicate", csv_path(c),
			       csv_line(c), *step, want - *t0, t - *t0);
	return 0;
}

/* Parses field col of a record of n fields as the number in column name; a record too short
 * to hold the column is an error naming the field count it needs. */
static int field_num(const struct csv *c, char **f, int n, int col, const char *name, double *v,
		     struct err *e)
{
	if (col >= n)
		return err_set(e, "%s:%ld: expected %d fields, got %d", csv_path(c), csv_line(c),
			       col + 1, n);
	return csv_num(c, f[col], name, v, e);
}

static int parse_row_time(const struct csv *c, const char *txt, double off_h, double *t,
			  struct err *e)
{
	if (ftrace_parse_time(txt, off_h, t) != 0)
		return err_set(e, "%s:%ld: column 1: expected a date-time like "
			       "2023-01-01T00:00[:00][Z|+HH:MM], got \"%.40s\"", csv_path(c),
			       csv_line(c), txt);
	return 0;
}

int ftrace_read_column(const char *path, const char *column, double utc_offset_h, double scale,
		       struct series *out, struct err *e)
{
	struct csv *c = csv_open(path, ',', FTRACE_MAX_BYTES, e);
	struct grow g = { out, 0 };
	char **f;
	int n, col;
	double t0 = 0, step = 0, t, v;

	if (!c)
		return -1;
	n = csv_next(c, &f, e);
	if (n < 2) {
		csv_free(c);
		return n < 0 ? -1 : err_set(e, "%s:1: expected a header with a time column and a "
					    "value column", path);
	}
	col = column && *column ? csv_find(f, n, column) : 1;
	if (col < 1) {
		err_set(e, "%s:1: expected a column named \"%s\" (columns: %s%s%s%s)", path, column,
			f[1], n > 2 ? ", " : "", n > 2 ? f[2] : "", n > 3 ? ", ..." : "");
		csv_free(c);
		return -1;
	}
	char colname[96];
	snprintf(colname, sizeof colname, "%s", f[col]);
	while ((n = csv_next(c, &f, e)) > 0) {
		if (n <= col) {
			err_set(e, "%s:%ld: expected at least %d fields, got %d", path, csv_line(c),
				col + 1, n);
			goto fail;
		}
		if (parse_row_time(c, f[0], utc_offset_h, &t, e) ||
		    check_step(c, out->n, t, &t0, &step, e) || csv_num(c, f[col], colname, &v, e))
			goto fail;
		grow_push(&g, v * scale);
	}
	if (n < 0)
		goto fail;
	if (out->n < 2) {
		err_set(e, "%s: expected at least 2 data rows, got %zu", path, out->n);
		goto fail;
	}
	out->t0_s = t0;
	out->step_s = step;
	csv_free(c);
	return 0;
fail:
	csv_free(c);
	series_fini(out);
	return -1;
}

int ftrace_read_openmeteo(const char *path, double utc_offset_h, struct weather *w,
			  struct err *e)
{
	static const char *const names[] = { "temperature_2m_C", "relative_humidity_2m_pct",
					     "cloudcover_pct", "windspeed_10m_kmh" };
	struct series *dst[] = { &w->temp_c, &w->rh_pct, &w->cloud_pct, &w->wind_m_s };
	const double scale[] = { 1, 1, 1, 1.0 / 3.6 }; /* km/h -> m/s */
	struct grow g[4];
	int idx[4];
	struct csv *c = csv_open(path, ',', FTRACE_MAX_BYTES, e);
	char **f;
	int n;
	size_t rows = 0;
	double t0 = 0, step = 0, t, v;

	if (!c)
		return -1;
	n = csv_next(c, &f, e);
	if (n < 1 || strcmp(f[0], "time_local") != 0) {
		err_set(e, "%s:1: expected an Open-Meteo header starting with time_local, got \"%s\"",
			path, n > 0 ? f[0] : "");
		csv_free(c);
		return -1;
	}
	for (int k = 0; k < 4; k++) {
		idx[k] = csv_find(f, n, names[k]);
		g[k] = (struct grow){ dst[k], 0 };
		if (idx[k] < 0 && k < 2) { /* temperature and humidity are required */
			err_set(e, "%s:1: expected a column named %s", path, names[k]);
			csv_free(c);
			return -1;
		}
	}
	while ((n = csv_next(c, &f, e)) > 0) {
		if (parse_row_time(c, f[0], utc_offset_h, &t, e) ||
		    check_step(c, rows, t, &t0, &step, e))
			goto fail;
		for (int k = 0; k < 4; k++) {
			if (idx[k] < 0)
				continue;
			if (field_num(c, f, n, idx[k], names[k], &v, e))
				goto fail;
			grow_push(&g[k], v * scale[k]);
		}
		rows++;
	}
	if (n < 0)
		goto fail;
	if (rows < 2) {
		err_set(e, "%s: expected at least 2 data rows, got %zu", path, rows);
		goto fail;
	}
	for (int k = 0; k < 4; k++) {
		dst[k]->t0_s = t0;
		dst[k]->step_s = step;
	}
	w->utc_offset_h = utc_offset_h;
	w->wind_height_m = 10;
	w->typical_year = 0;
	csv_free(c);
	return 0;
fail:
	csv_free(c);
	weather_fini(w);
	return -1;
}

static void set_typical(struct weather *w, double t0, struct series **all, int n)
{
	for (int k = 0; k < n; k++) {
		all[k]->t0_s = t0;
		all[k]->step_s = 3600;
	}
	w->typical_year = 1;
}

int ftrace_read_epw(const char *path, struct weather *w, struct err *e)
{
	/* EPW data fields (0-based): 6 dry bulb degC, 8 RH %, 13 GHI, 14 DNI, 15 DHI Wh/m2,
	 * 21 wind speed m/s, 22 total sky cover (tenths); missing-value codes 99.9, 999, 9999,
	 * 99 (EnergyPlus Auxiliary Programs, "Weather Converter Program") */
	static const int fld[] = { 6, 8, 13, 14, 15, 21, 22 };
	static const char *const nm[] = { "dry bulb", "relative humidity", "GHI", "DNI", "DHI",
					   "wind speed", "total sky cover" };
	static const double missing[] = { 99.9, 999, 9999, 9999, 9999, 999, 99 };
	static const double scale[] = { 1, 1, 1, 1, 1, 1, 10 }; /* tenths -> % */
	struct series *dst[] = { &w->temp_c, &w->rh_pct, &w->ghi_w_m2, &w->dni_w_m2,
				 &w->dhi_w_m2, &w->wind_m_s, &w->cloud_pct };
	struct grow g[7];
	struct csv *c = csv_open(path, ',', FTRACE_MAX_BYTES, e);
	char **f;
	int n, have_loc = 0, in_data = 0;
	double v;

	if (!c)
		return -1;
	for (int k = 0; k < 7; k++)
		g[k] = (struct grow){ dst[k], 0 };
	while ((n = csv_next(c, &f, e)) > 0) {
		if (!in_data) {
			if (strcmp(f[0], "LOCATION") == 0) {
				if (n < 10 || csv_num(c, f[6], "latitude", &w->lat_deg, e) ||
				    csv_num(c, f[7], "longitude", &w->lon_deg, e) ||
				    csv_num(c, f[8], "time zone", &w->utc_offset_h, e)) {
					err_set(e, "%s:%ld: expected LOCATION,city,state,country,"
						"source,WMO,lat,lon,tz,elevation", path, csv_line(c));
					goto fail;
				}
				have_loc = 1;
			} else if (strcmp(f[0], "DATA PERIODS") == 0) {
				in_data = 1;
			}
			continue;
		}
		if (n < 23) {
			err_set(e, "%s:%ld: expected an EPW data row of at least 23 fields, got %d",
				path, csv_line(c), n);
			goto fail;
		}
		for (int k = 0; k < 7; k++) {
			if (csv_num(c, f[fld[k]], nm[k], &v, e))
				goto fail;
			if (v >= missing[k]) {
				err_set(e, "%s:%ld: %s is the EPW missing-value code %g; fill the "
					"gap before use", path, csv_line(c), nm[k], v);
				goto fail;
			}
			grow_push(&g[k], v * scale[k]);
		}
	}
	if (n < 0)
		goto fail;
	if (!have_loc || w->temp_c.n != 8760) {
		err_set(e, "%s: expected a LOCATION line and 8760 hourly rows after DATA PERIODS, got "
			"%s and %zu rows", path, have_loc ? "a LOCATION line" : "no LOCATION line",
			w->temp_c.n);
		goto fail;
	}
	/* hour-ending rows: row 1 covers 00:00-01:00 local standard time */
	set_typical(w, series_civil_to_epoch(TYPICAL_YEAR, 1, 1, 0, 0, 0) - w->utc_offset_h * 3600,
		    dst, 7);
	w->wind_height_m = 10;
	csv_free(c);
	return 0;
fail:
	csv_free(c);
	weather_fini(w);
	return -1;
}

int ftrace_read_pvgis(const char *path, struct weather *w, struct err *e)
{
	static const char *const names[] = { "T2m", "RH", "G(h)", "Gb(n)", "Gd(h)", "WS10m" };
	struct series *dst[] = { &w->temp_c, &w->rh_pct, &w->ghi_w_m2, &w->dni_w_m2,
				 &w->dhi_w_m2, &w->wind_m_s };
	struct grow g[6];
	int idx[6];
	struct csv *c = csv_open(path, ',', FTRACE_MAX_BYTES, e);
	char **f;
	int n, in_data = 0;
	double v;

	if (!c)
		return -1;
	for (int k = 0; k < 6; k++)
		g[k] = (struct grow){ dst[k], 0 };
	while ((n = csv_next(c, &f, e)) > 0) {
		if (!in_data) {
			if (strncmp(f[0], "Latitude (decimal degrees):", 27) == 0)
				w->lat_deg = atof(f[0] + 27);
			else if (strncmp(f[0], "Longitude (decimal degrees):", 28) == 0)
				w->lon_deg = atof(f[0] + 28);
			else if (strcmp(f[0], "time(UTC)") == 0) {
				for (int k = 0; k < 6; k++) {
					idx[k] = csv_find(f, n, names[k]);
					if (idx[k] < 0) {
						err_set(e, "%s:%ld: expected a PVGIS column %s", path,
							csv_line(c), names[k]);
						goto fail;
					}
				}
				in_data = 1;
			}
			continue;
		}
		double t;
		if (n == 1 || ftrace_parse_time(f[0], 0, &t) != 0)
			break; /* the footer notes after the data */
		for (int k = 0; k < 6; k++) {
			if (idx[k] >= n || csv_num(c, f[idx[k]], names[k], &v, e)) {
				err_set(e, "%s:%ld: expected a number in column %s", path, csv_line(c),
					names[k]);
				goto fail;
			}
			grow_push(&g[k], k == 0 ? v : fmax(v, 0.0)); /* PVGIS writes -0.0 at night */
		}
	}
	if (n < 0)
		goto fail;
	if (!in_data || w->temp_c.n != 8760 || isnan(w->lat_deg) || isnan(w->lon_deg)) {
		err_set(e, "%s: expected Latitude/Longitude lines, a time(UTC) header and 8760 rows, "
			"got %zu rows", path, w->temp_c.n);
		goto fail;
	}
	w->utc_offset_h = 0; /* PVGIS times are UTC */
	set_typical(w, series_civil_to_epoch(TYPICAL_YEAR, 1, 1, 0, 0, 0), dst, 6);
	w->wind_height_m = 10;
	csv_free(c);
	return 0;
fail:
	csv_free(c);
	weather_fini(w);
	return -1;
}

int ftrace_read_pvwatts(const char *path, double utc_offset_h, struct series *ac_w,
			double *dc_kw, struct series *poa, struct series *dni,
			struct series *cell_c, struct err *e)
{
	static const char *const names[] = { "AC System Output (W)",
					     "Plane of Array Irradiance (W/m^2)",
					     "Beam Irradiance (W/m^2)", "Cell Temperature (C)" };
	struct series tmp[4];
	struct series *dst[4] = { ac_w, poa, dni, cell_c };
	struct grow g[4];
	int idx[4], in_data = 0, n;
	double kw = NAN, v;
	struct csv *c = csv_open(path, ',', FTRACE_MAX_BYTES, e);
	char **f;

	if (!c)
		return -1;
	for (int k = 0; k < 4; k++) {
		series_init(&tmp[k]);
		if (!dst[k])
			dst[k] = &tmp[k];
		g[k] = (struct grow){ dst[k], 0 };
	}
	while ((n = csv_next(c, &f, e)) > 0) {
		if (!in_data) {
			if (strcmp(f[0], "DC System Size (kW):") == 0 && n > 1) {
				if (csv_num(c, f[1], "DC System Size", &kw, e))
					goto fail;
			} else if (strcmp(f[0], "Month") == 0) {
				for (int k = 0; k < 4; k++) {
					if ((idx[k] = csv_find(f, n, names[k])) < 0) {
						err_set(e, "%s:%ld: expected a PVWatts column \"%s\"",
							path, csv_line(c), names[k]);
						goto fail;
					}
				}
				in_data = 1;
			}
			continue;
		}
		if (strcmp(f[0], "Totals") == 0)
			break;
		for (int k = 0; k < 4; k++) {
			if (field_num(c, f, n, idx[k], names[k], &v, e))
				goto fail;
			grow_push(&g[k], v);
		}
	}
	if (n < 0)
		goto fail;
	if (!(kw > 0) || dst[0]->n != 8760) {
		err_set(e, "%s: expected \"DC System Size (kW):\" > 0 and 8760 hourly rows, got %g kW "
			"and %zu rows", path, kw, dst[0]->n);
		goto fail;
	}
	for (int k = 0; k < 4; k++) {
		dst[k]->t0_s = series_civil_to_epoch(TYPICAL_YEAR, 1, 1, 0, 0, 0) - utc_offset_h * 3600;
		dst[k]->step_s = 3600;
		series_fini(&tmp[k]);
	}
	if (dc_kw)
		*dc_kw = kw;
	csv_free(c);
	return 0;
fail:
	csv_free(c);
	for (int k = 0; k < 4; k++)
		series_fini(dst[k]);
	return -1;
}

int ftrace_read_windpowerlib(const char *path, double hub_height_m, struct weather *w,
			     struct err *e)
{
	struct csv *c = csv_open(path, ',', FTRACE_MAX_BYTES, e);
	struct grow g = { &w->wind_m_s, 0 };
	char **f;
	int n, ncol, col = -1;
	char is_wind[64] = { 0 };
	double best = INFINITY, h, v, t, t0 = 0, step = 0;

	if (!c)
		return -1;
	n = csv_next(c, &f, e);
	if (n < 2 || strcmp(f[0], "variable_name") != 0) {
		err_set(e, "%s:1: expected a windpowerlib header starting with variable_name", path);
		goto fail;
	}
	ncol = n < 64 ? n : 64;
	for (int k = 1; k < ncol; k++)
		is_wind[k] = strcmp(f[k], "wind_speed") == 0;
	n = csv_next(c, &f, e);
	if (n < ncol || strcmp(f[0], "height") != 0) {
		err_set(e, "%s:2: expected the second header row to start with height", path);
		goto fail;
	}
	for (int k = 1; k < ncol; k++) {
		if (!is_wind[k])
			continue;
		if (csv_num(c, f[k], "height", &h, e))
			goto fail;
		if (fabs(h - hub_height_m) < best) {
			best = fabs(h - hub_height_m);
			col = k;
			w->wind_height_m = h;
		}
	}
	if (col < 0 || !(w->wind_height_m > 0)) {
		err_set(e, "%s:1: expected a wind_speed column at a height > 0", path);
		goto fail;
	}
	while ((n = csv_next(c, &f, e)) > 0) {
		if (n <= col) {
			err_set(e, "%s:%ld: expected %d fields, got %d", path, csv_line(c), col + 1, n);
			goto fail;
		}
		if (parse_row_time(c, f[0], 0, &t, e) || check_step(c, w->wind_m_s.n, t, &t0, &step, e) ||
		    csv_num(c, f[col], "wind_speed", &v, e))
			goto fail;
		grow_push(&g, v);
	}
	if (n < 0 || w->wind_m_s.n < 2) {
		err_set(e, "%s: expected at least 2 data rows", path);
		goto fail;
	}
	{
		/* used as a typical year: anchor on Jan 1 of its own first timestamp's local year */
		int y;
		series_epoch_to_civil(t0, &y, NULL, NULL, NULL, NULL, NULL, NULL);
		w->wind_m_s.t0_s = t0;
		w->wind_m_s.step_s = step;
		w->utc_offset_h = (series_civil_to_epoch(y, 1, 1, 0, 0, 0) - t0) / 3600.0;
		w->typical_year = 1;
	}
	csv_free(c);
	return 0;
fail:
	csv_free(c);
	series_fini(&w->wind_m_s);
	return -1;
}

int ftrace_read_power_curve(const char *path, struct wind_cfg *wc, struct err *e)
{
	struct csv *c = csv_open(path, ',', FTRACE_MAX_BYTES, e);
	char **f;
	int n, ncol;
	double speeds[512];
	char some[160] = "";

	if (!c)
		return -1;
	n = csv_next(c, &f, e);
	if (n < 3 || strcmp(f[0], "turbine_type") != 0 || n > 512) {
		err_set(e, "%s:1: expected an OEDB header turbine_type,<wind speeds in m/s>", path);
		goto fail;
	}
	ncol = n;
	for (int k = 1; k < ncol; k++)
		if (csv_num(c, f[k], "speed", &speeds[k], e))
			goto fail;
	while ((n = csv_next(c, &f, e)) > 0) {
		if (strcmp(f[0], wc->turbine) != 0) {
			if (strlen(some) + strlen(f[0]) + 3 < sizeof some && strlen(some) < 100)
				snprintf(some + strlen(some), sizeof some - strlen(some), "%s%s",
					 *some ? ", " : "", f[0]);
			continue;
		}
		wc->n_pts = 0;
		for (int k = 1; k < n && k < ncol; k++) {
			double p;
			if (!*f[k])
				continue; /* blank: no point at this speed */
			if (csv_num(c, f[k], "power", &p, e))
				goto fail;
			if (wc->n_pts >= WIND_CURVE_PTS) {
				err_set(e, "%s:%ld: more than %d power-curve points", path, csv_line(c),
					WIND_CURVE_PTS);
				goto fail;
			}
			wc->speed_m_s[wc->n_pts] = speeds[k];
			wc->power_w[wc->n_pts] = p;
			wc->n_pts++;
		}
		if (wc->n_pts == 0) { /* the turbine's row has no power values */
			err_set(e, "%s:%ld: turbine \"%s\": expected at least one power-curve value, got none",
				path, csv_line(c), wc->turbine);
			csv_free(c);
			return -1;
		}
		csv_free(c);
		return 0;
	}
	if (n == 0)
		err_set(e, "%s: expected a turbine_type named \"%s\"; the file has e.g. %s, ...", path,
			wc->turbine, some);
fail:
	csv_free(c);
	return -1;
}

int ftrace_read_fan_curve(const char *path, struct cooling_cfg *cc, struct err *e)
{
	struct csv *c = csv_open(path, ',', FTRACE_MAX_BYTES, e);
	char **f;
	int n, ip, ir;

	if (!c)
		return -1;
	n = csv_next(c, &f, e);
	ip = n > 0 ? csv_find(f, n, "server power") : -1;
	ir = n > 0 ? csv_find(f, n, "fan/server") : -1;
	if (ip < 0 || ir < 0) {
		err_set(e, "%s:1: expected columns \"server power\" and \"fan/server\"", path);
		goto fail;
	}
	cc->n_fan_pts = 0;
	while ((n = csv_next(c, &f, e)) > 0) {
		if (cc->n_fan_pts >= COOLING_FAN_PTS) {
			err_set(e, "%s:%ld: more than %d fan-curve points", path, csv_line(c),
				COOLING_FAN_PTS);
			goto fail;
		}
		if (n <= ip || n <= ir) {
			err_set(e, "%s:%ld: expected %d fields, got %d", path, csv_line(c),
				(ip > ir ? ip : ir) + 1, n);
			goto fail;
		}
		if (csv_num(c, f[ip], "server power", &cc->fan_server_w[cc->n_fan_pts], e) ||
		    csv_num(c, f[ir], "fan/server", &cc->fan_ratio[cc->n_fan_pts], e))
			goto fail;
		cc->n_fan_pts++;
	}
	if (n < 0)
		goto fail;
	if (cc->n_fan_pts < 1) {
		err_set(e, "%s: expected at least one fan-curve row", path);
		goto fail;
	}
	csv_free(c);
	return cooling_cfg_check(cc, path, e);
fail:
	csv_free(c);
	cc->n_fan_pts = 0;
	return -1;
}
