/* scenario_signals.c — the policies.signals section: the grid and on-site signals a policy study
 * reads (policy/signal.h) when the build has no facility model.
 *
 *   "signals": {
 *     "carbon_g_per_kwh": 250 | TRACE,          grid carbon intensity
 *     "price_usd_per_mwh": 80 | TRACE,          grid energy price
 *     "renewable_w": 0 | TRACE                  on-site renewable power
 *   }
 *   TRACE = { "path": P, "column": NAME, "scale": 1 }: a CSV whose first column is a UTC
 *   date-time ("2023-01-01 00:00:00", as Electricity Maps files) at a regular step; the named
 *   column (default: the second) times scale. Values hold over their step; the trace repeats
 *   outside its span; simulated t = 0 is datacenter.start (the facility's clock), so every
 *   trace of a scenario shares one calendar. Errors name the file and line.
 * It also checks the "forecast" parameter of any chosen policy against the forecasters, and
 * that every chosen policy that reads a signal has it.
 */
#include "io/scenario_sections.h"

#include <math.h>
#include <string.h>

#include "io/csv.h"
#include "io/trace.h"
#include "policy/forecast.h"

/* Reads a dated column CSV into src->series (values in the arena); *first_epoch gets the
 * first row's time. */
static int read_series(struct jv *v, const char *path, const char *column, double scale,
		       struct signal_src *src, double *first_epoch)
{
	struct csv *c = csv_open(path, ',', 0, v->e);
	char **f;
	int n, col = 1, rc = -1;
	size_t cap = 0, len = 0;
	double *vals = NULL, t_prev = 0, step = 0;

	if (!c)
		return -1;
	if ((n = csv_next(c, &f, v->e)) <= 0) {
		if (n == 0)
			err_set(v->e, "%s: empty file", path);
		goto out;
	}
	if (column && (col = csv_find(f, n, column)) < 0) {
		err_set(v->e, "%s:%ld: no column \"%s\" in the header", path, csv_line(c), column);
		goto out;
	}
	if (n < 2) {
		err_set(v->e, "%s:%ld: expected a header with a time column and a value column", path,
			csv_line(c));
		goto out;
	}
	while ((n = csv_next(c, &f, v->e)) > 0) {
		double t, x;
		if (trace_parse_datetime(f[0], &t) != 0) {
			err_set(v->e, "%s:%ld: column 1: expected a date-time like 2023-01-01 00:00:00, got \"%s\"",
				path, csv_line(c), f[0]);
			goto out;
		}
		if (col >= n) {
			err_set(v->e, "%s:%ld: expected %d columns, got %d", path, csv_line(c), col + 1, n);
			goto out;
		}
		if (csv_num(c, f[col], column ? column : "2", &x, v->e))
			goto out;
		if (len == 1)
			step = t - t_prev;
		if (len >= 1 && (!(step > 0) || fabs(t - t_prev - step) > 1e-6)) {
			err_set(v->e, "%s:%ld: expected a regular step of %g s after the previous row, got %g s",
				path, csv_line(c), step > 0 ? step : 0.0, t - t_prev);
			goto out;
		}
		if (len == 0)
			*first_epoch = t;
		if (len == cap) {
			double *nv;
			cap = cap ? 2 * cap : 1024;
			nv = arena_alloc(v->a, cap * sizeof *nv);
			if (len)
				memcpy(nv, vals, len * sizeof *nv);
			vals = nv;
		}
		vals[len++] = x * scale;
		t_prev = t;
	}
	if (n < 0)
		goto out;
	if (len < 2) {
		err_set(v->e, "%s: expected at least two rows of data", path);
		goto out;
	}
	src->kind = SIGNAL_SRC_SERIES;
	src->series.step_s = step;
	src->series.n = len;
	src->series.v = vals;
	src->path = path;
	rc = 0;
out:
	csv_free(c);
	return rc;
}

static int load_src(struct jv *v, struct scenario *s, const cJSON *obj, const char *key,
		    double lo, struct signal_src *src, double *first_epoch)
{
	const cJSON *n = jv_get(obj, key);
	const char *keys[] = { "path", "column", "scale", NULL };
	const char *path, *column;
	double scale;
	size_t m;

	if (!n)
		return 0;
	if (cJSON_IsNumber(n)) {
		if (jv_num(v, obj, key, 1, 0, lo, 0, 1e15, &src->value))
			return -1;
		src->kind = SIGNAL_SRC_CONST;
		return 0;
	}
	m = jv_enter_key(v, key);
	if (!cJSON_IsObject(n))
		return jv_fail(v, NULL, n, "expected a number or {\"path\": ..., \"column\": ...}");
	if (jv_keys(v, n, keys) || jv_str(v, n, "path", 1, NULL, &path) ||
	    jv_str(v, n, "column", 0, NULL, &column) ||
	    jv_num(v, n, "scale", 0, 1, 0, 1, 1e15, &scale))
		return -1;
	path = jv_path_in(v->a, s->dir, path);
	if (read_series(v, path, column, scale, src, first_epoch))
		return err_prefix(v->e, "%s: %s", v->file, v->path);
	jv_leave(v, m);
	return 0;
}

/* A policy parameter called "forecast" names a forecaster (policy/forecast.h): checked here,
 * with the loader's message shape, so a misspelt name is bad input (exit 2), not a failed run. */
static int check_forecasters(struct jv *v, const struct scenario *s)
{
	for (int k = 0; k < POLICY_KINDS; k++) {
		const struct policy_choice *pc = &s->policies[k];
		const char *name = pc->desc ? policy_str(pc, "forecast") : NULL;
		const char *hint;
		char list[128];
		size_t i;

		if (!name)
			continue;
		for (i = 0; forecast_name_list[i] && strcmp(forecast_name_list[i], name) != 0; i++)
			;
		if (forecast_name_list[i])
			continue;
		forecast_names(list, sizeof list);
		hint = jv_closest(name, forecast_name_list);
		return err_set(v->e, "%s: $.policies.%s.forecast: expected a forecaster: one of %s%s%s%s, got \"%s\"",
			       v->file, policy_kind_names[k], list, hint ? " (did you mean \"" : "",
			       hint ? hint : "", hint ? "\"?)" : "", name);
	}
	return 0;
}

/* Policies that read a signal need it in the scenario: checked at load, so a missing signal
 * is bad input (exit 2) rather than a failed run. (When the facility provides signals, its
 * supply section counts too.) */
static int check_needs(struct jv *v, const struct scenario *s)
{
	static const struct {
		int kind;
		const char *policy, *what, *key;
	} needs[] = {
		{ POLICY_DISPATCH, "renewable_following", "an on-site renewable signal", "renewable_w" },
		{ POLICY_POWER, "power_cap", "an on-site renewable signal (cap_w 0 follows it)", "renewable_w" },
	};
	static const struct {
		int kind;
		const char *policy;
	} serving[] = {
		{ POLICY_DISPATCH, "power_aware" }, { POLICY_DISPATCH, "kv_aware" },
		{ POLICY_POWER, "sleep_idle" }, { POLICY_POWER, "dvfs" },
	};
	const struct signals_cfg *g = &s->signals;
	int has_profile = 0;

	for (size_t t = 0; t < s->cluster.n_types; t++)
		has_profile |= s->cluster.types[t].profile != NULL;
	for (size_t i = 0; i < sizeof serving / sizeof serving[0] && !has_profile; i++) {
		const struct policy_choice *pc = &s->policies[serving[i].kind];
		if (pc->desc && strcmp(pc->desc->name, serving[i].policy) == 0)
			return err_set(v->e, "%s: $.policies.%s: %s needs nodes with a serving profile (node type \"profile\"): generic slot servers have no sleep states, power-cap states or KV cache",
				       v->file, policy_kind_names[serving[i].kind], serving[i].policy);
	}

	{
		const struct policy_choice *pc = &s->policies[POLICY_BATTERY];
		if (pc->desc && strcmp(pc->desc->name, "self_consumption") != 0 && !s->facility.battery.enabled)
			return err_set(v->e, "%s: $.policies.battery: %s needs a battery: give datacenter.supply.battery",
				       v->file, pc->desc->name);
	}

	/* carbon and price always exist: the facility's (datacenter.supply, or its documented
	 * constants); on-site renewable power only with solar or wind in the supply */
	int has_renewable = g->renewable_w.kind != SIGNAL_SRC_NONE ||
			    (s->facility.solar.pv.model != SOLAR_NONE && s->facility.solar.pv.capacity_kw > 0) ||
			    (s->facility.wind.wt.enabled && s->facility.wind.wt.count > 0);

	for (size_t i = 0; i < sizeof needs / sizeof needs[0]; i++) {
		const struct policy_choice *pc = &s->policies[needs[i].kind];
		if (!pc->desc || strcmp(pc->desc->name, needs[i].policy) != 0 || has_renewable)
			continue;
		if (strcmp(needs[i].policy, "power_cap") == 0 && policy_num(pc, "cap_w") > 0)
			continue;
		return err_set(v->e, "%s: $.policies.%s: %s needs %s: give datacenter.supply.solar or .wind, or policies.signals.%s",
			       v->file, policy_kind_names[needs[i].kind], needs[i].policy, needs[i].what,
			       needs[i].key);
	}
	return 0;
}

int scenario_load_signals(struct jv *v, struct scenario *s, const cJSON *obj)
{
	const char *keys[] = { "carbon_g_per_kwh", "price_usd_per_mwh", "renewable_w", NULL };
	struct signals_cfg *g = &s->signals;
	struct signal_src *srcs[] = { &g->carbon_g_per_kwh, &g->price_usd_per_mwh, &g->renewable_w };
	double first[3] = { NAN, NAN, NAN };
	size_t m;

	memset(g, 0, sizeof *g);
	if (check_forecasters(v, s))
		return -1;
	if (!obj)
		return check_needs(v, s);
	m = jv_enter_key(v, "signals");
	if (jv_keys(v, obj, keys) ||
	    load_src(v, s, obj, "carbon_g_per_kwh", 0, &g->carbon_g_per_kwh, &first[0]) ||
	    load_src(v, s, obj, "price_usd_per_mwh", -1e6, &g->price_usd_per_mwh, &first[1]) ||
	    load_src(v, s, obj, "renewable_w", 0, &g->renewable_w, &first[2]))
		return -1;
	g->start_epoch_s = s->facility.start_epoch_s; /* datacenter.start */
	for (int i = 0; i < 3; i++)
		if (srcs[i]->kind == SIGNAL_SRC_SERIES)
			srcs[i]->series.t0_s = first[i] - g->start_epoch_s;
	jv_leave(v, m);
	return check_needs(v, s);
}
