/* scenario_arrival.c — diurnal and mmpp arrival processes in a scenario (scenario_arrival.h).
 *
 * diurnal: { "process": "diurnal", "rate_per_s": MEAN, "shape": [v0, v1, ...] | "path": CSV,
 *            "column": NAME, "step_s": 3600, "offset_s": 0 }
 *   The shape is relative (only ratios matter); a CSV shape takes the named column (default:
 *   the last one) of every data row, e.g. scenarios/traces/google_cluster_cpu_hourly.csv.
 * mmpp: { "process": "mmpp", "rates_per_s": [r0, r1, ...], "mean_sojourn_s": [s0, s1, ...] }
 */
#include "io/scenario_arrival.h"

#include <math.h>
#include <string.h>

#include "dc/arrival.h"
#include "engine/arena.h"
#include "io/csv.h"

#define SHAPE_MAX 1000000

static int num_array(struct jv *v, const cJSON *o, const char *key, int min_n, double lo,
		     int lo_open, double **out, size_t *n)
{
	const cJSON *arr = jv_get(o, key), *it;
	size_t i = 0;

	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < min_n ||
	    cJSON_GetArraySize(arr) > SHAPE_MAX)
		return jv_fail(v, key, arr, "expected an array of at least %d numbers", min_n);
	*n = (size_t)cJSON_GetArraySize(arr);
	*out = arena_alloc(v->a, *n * sizeof **out);
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) ||
		    (lo_open ? !(it->valuedouble > lo) : !(it->valuedouble >= lo)))
			return jv_fail(v, key, it, "expected numbers %s %g", lo_open ? ">" : ">=", lo);
		(*out)[i++] = it->valuedouble;
	}
	return 0;
}

static int shape_file(struct jv *v, const char *path, const char *column, struct arrival_cfg *a)
{
	struct err ce = { 0 };
	struct csv *f = csv_open(path, ',', (size_t)64 << 20, &ce);
	char **h;
	int nf, col;
	size_t cap = 1024, n = 0;
	double *vals;

	if (!f)
		return err_set(v->e, "%s: %s.path: %s", v->file, v->path, ce.msg);
	nf = csv_next(f, &h, &ce);
	if (nf <= 0) {
		csv_free(f);
		return err_set(v->e, "%s: %s.path: %s: expected a header line", v->file, v->path, path);
	}
	col = column ? csv_find(h, nf, column) : nf - 1;
	if (col < 0) {
		csv_free(f);
		return jv_fail(v, "column", NULL, "expected a column of %s", path);
	}
	vals = arena_alloc(v->a, cap * sizeof *vals);
	while ((nf = csv_next(f, &h, &ce)) > 0) {
		double x;
		if (nf <= col || csv_num(f, h[col], column ? column : "shape", &x, &ce) < 0 || x < 0) {
			if (!ce.set)
				err_set(&ce, "%s:%ld: expected a value >= 0", path, csv_line(f));
			break;
		}
		if (n == cap) {
			double *nv = arena_alloc(v->a, 2 * cap * sizeof *nv);
			memcpy(nv, vals, cap * sizeof *vals);
			vals = nv;
			cap *= 2;
		}
		if (n == SHAPE_MAX)
			break;
		vals[n++] = x;
	}
	csv_free(f);
	if (ce.set)
		return err_set(v->e, "%s: %s.path: %s", v->file, v->path, ce.msg);
	if (n == 0)
		return err_set(v->e, "%s: %s.path: %s: expected at least one value", v->file, v->path, path);
	a->shape = vals;
	a->n_shape = n;
	return 0;
}

int scenario_load_modulated(struct jv *v, const cJSON *o, const char *path,
			    struct arrival_cfg *a)
{
	if (a->kind == ARRIVAL_DIURNAL) {
		const char *column;
		double offset_s, mean = 0;
		if (jv_num(v, o, "rate_per_s", 1, 0, 0, 1, 1e9, &a->rate_per_s) ||
		    jv_num(v, o, "step_s", 0, 3600, 0, 1, 1e9, &a->shape_step_s) ||
		    jv_num(v, o, "offset_s", 0, 0, 0, 0, 1e12, &offset_s) ||
		    jv_str(v, o, "column", 0, NULL, &column))
			return -1;
		if (!!jv_get(o, "shape") == !!path)
			return jv_fail(v, NULL, NULL, "expected exactly one of \"shape\" (an array) or \"path\" (a CSV file)");
		if (path) {
			if (shape_file(v, path, column, a))
				return -1;
		} else {
			double *s;
			if (column)
				return jv_fail(v, "column", NULL, "only a \"path\" shape has columns");
			if (num_array(v, o, "shape", 1, 0, 0, &s, &a->n_shape))
				return -1;
			a->shape = s;
		}
		for (size_t i = 0; i < a->n_shape; i++)
			mean += a->shape[i];
		if (!(mean > 0))
			return jv_fail(v, path ? "path" : "shape", NULL, "expected a shape with a positive value");
		a->shape_offset_steps = offset_s / a->shape_step_s;
		return 0;
	}
	{
		double *r, *s;
		size_t nr, ns;
		if (num_array(v, o, "rates_per_s", 2, 0, 0, &r, &nr) ||
		    num_array(v, o, "mean_sojourn_s", 2, 0, 1, &s, &ns))
			return -1;
		if (nr != ns)
			return jv_fail(v, "mean_sojourn_s", NULL, "expected one mean sojourn per rate (%zu)", nr);
		a->mmpp_rates_per_s = r;
		a->mmpp_sojourn_s = s;
		a->mmpp_n = nr;
		if (!(arrival_mean_rate(a) > 0))
			return jv_fail(v, "rates_per_s", NULL, "expected a positive rate in some state");
		return 0;
	}
}
