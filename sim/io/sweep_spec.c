/* sweep_spec.c — the sweep file reader and grid expander (sweep_spec.h).
 *
 * Order of work: read and parse the file (syntax errors name line and column), check the keys
 * of every section with the jv toolkit, turn each grid key, zip group and the oat block into an
 * axis whose levels hold compact-JSON override values, resolve the baseline to one fixed level
 * per named axis, then enumerate the points row-major. Values are kept as compact JSON text so
 * "PATH=JSON" strings reach scenario_load unchanged in meaning ("fifo" stays a string even when
 * it reads like a number: it is passed quoted).
 */
#include "sweep_spec.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "engine/xalloc.h"
#include "io/jv.h"
#include "io/metric_names.h"

#define SPEC_MAX_BYTES ((size_t)4 << 20) /* 4 MiB: a hand-written sweep is far smaller */
#define LABEL_VALUE_MAX 64              /* characters of a value shown in a point label */

/* Compact JSON of node, copied into the arena. */
static const char *json_text(struct arena *a, const cJSON *node)
{
	char *s = cJSON_PrintUnformatted(node);
	const char *out;

	if (!s)
		xalloc_oom(0); /* cJSON fails only when out of memory */
	out = arena_strdup(a, s);
	cJSON_free(s);
	return out;
}

/* A scenario path must look like a.b[0].c: no '=', no spaces, not empty. */
static int check_path(struct jv *v, const char *key, const char *p)
{
	if (!*p || strpbrk(p, "= \t\n\"") || p[0] == '.' || p[0] == '[' || p[strlen(p) - 1] == '.')
		return err_set(v->e, "%s: %s: \"%.80s\": expected a scenario path like workload[0].arrival.rate_per_s",
			       v->file, v->path, key ? key : p);
	return 0;
}

/* The last component of a path without indices: "workload[0].arrival.rate_per_s" -> "rate_per_s". */
static void short_name(const char *path, char *out, size_t n)
{
	const char *dot = strrchr(path, '.');
	const char *s = dot ? dot + 1 : path;
	size_t k = strcspn(s, "[");

	if (k == 0) { /* the path ends in an index: keep it whole */
		snprintf(out, n, "%s", path);
		return;
	}
	snprintf(out, n, "%.*s", (int)k, s);
}

/* Value for a label: strings unquoted, a policy object {"name": N, k: v...} as N(k=v,...),
 * long values cut. */
static void show_value(const char *json, char *out, size_t n)
{
	size_t len = strlen(json);
	cJSON *o = cJSON_Parse(json);
	const cJSON *nm = cJSON_GetObjectItemCaseSensitive(o, "name");

	if (cJSON_IsObject(o) && cJSON_IsString(nm)) {
		char buf[512];
		size_t used = (size_t)snprintf(buf, sizeof buf, "%s", nm->valuestring);
		int first = 1;
		for (const cJSON *it = o->child; it && used < sizeof buf; it = it->next) {
			char *v;
			if (strcmp(it->string, "name") == 0)
				continue;
			v = cJSON_IsString(it) ? NULL : cJSON_PrintUnformatted(it);
			if (!v && !cJSON_IsString(it))
				xalloc_oom(0); /* cJSON fails only when out of memory */
			used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s=%s", first ? "(" : ",",
						 it->string, v ? v : it->valuestring);
			cJSON_free(v);
			first = 0;
		}
		if (!first && used < sizeof buf)
			snprintf(buf + used, sizeof buf - used, ")");
		cJSON_Delete(o);
		json = buf;
		len = strlen(buf);
		if (len > LABEL_VALUE_MAX)
			snprintf(out, n, "%.*s...", LABEL_VALUE_MAX - 3, json);
		else
			snprintf(out, n, "%s", json);
		return;
	}
	cJSON_Delete(o);

	if (len >= 2 && json[0] == '"' && json[len - 1] == '"') {
		json++;
		len -= 2;
	}
	if (len > LABEL_VALUE_MAX)
		snprintf(out, n, "%.*s...", LABEL_VALUE_MAX - 3, json);
	else
		snprintf(out, n, "%.*s", (int)len, json);
}

static struct sweep_axis *add_axis(struct sweep_spec *s, enum sweep_axis_kind kind, size_t n_levels)
{
	struct sweep_axis *ax;
	size_t cap = s->n_axes;

	/* axes are few: grow the arena array by copying */
	struct sweep_axis *na = arena_alloc(&s->arena, (cap + 1) * sizeof *na);
	if (cap)
		memcpy(na, s->axes, cap * sizeof *na);
	s->axes = na;
	ax = &s->axes[s->n_axes++];
	ax->kind = kind;
	ax->n_levels = n_levels;
	ax->levels = arena_alloc(&s->arena, n_levels * sizeof *ax->levels);
	return ax;
}

static void level_alloc(struct arena *a, struct sweep_level *l, size_t n)
{
	l->n = n;
	l->paths = n ? arena_alloc(a, n * sizeof *l->paths) : NULL;
	l->values = n ? arena_alloc(a, n * sizeof *l->values) : NULL;
	l->oat_input = -1;
	l->oat_side = 0;
}

/* Checks that path is used nowhere else (set, earlier axes). */
static int check_unique_path(struct jv *v, const struct sweep_spec *s, const char *path)
{
	for (size_t i = 0; i < s->n_fixed; i++) {
		size_t k = strcspn(s->fixed[i], "=");
		if (strlen(path) == k && strncmp(s->fixed[i], path, k) == 0)
			return err_set(v->e, "%s: %s: \"%s\" is also fixed in $.set; a path may vary in one place only",
				       v->file, v->path, path);
	}
	for (size_t a = 0; a < s->n_axes; a++) {
		const struct sweep_axis *ax = &s->axes[a];
		for (size_t l = 0; l < ax->n_levels; l++)
			for (size_t i = 0; i < ax->levels[l].n; i++)
				if (strcmp(ax->levels[l].paths[i], path) == 0)
					return err_set(v->e, "%s: %s: \"%s\" already varies on another axis; a path may vary in one place only",
						       v->file, v->path, path);
	}
	return 0;
}

/* Member it of obj (the grid, a zip group, the set object) is a key obj holds once and a path
 * as check_path wants it. */
static int check_member_path(struct jv *v, const cJSON *obj, const cJSON *it)
{
	for (const cJSON *jt = obj->child; jt != it; jt = jt->next)
		if (strcmp(jt->string, it->string) == 0)
			return err_set(v->e, "%s: %s: duplicate key \"%.80s\"", v->file, v->path,
				       it->string);
	return check_path(v, it->string, it->string);
}

/* A list of values for path: non-empty array, no duplicate (as canonical JSON). null is a value:
 * the scenario loader treats a null section as absent (e.g. no battery). */
static int value_list(struct jv *v, struct sweep_spec *s, const cJSON *arr, const char *path,
		      size_t *n_out)
{
	size_t n;
	const char **seen;

	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1)
		return jv_fail(v, path, arr, "expected a non-empty array of values");
	n = (size_t)cJSON_GetArraySize(arr);
	seen = xcalloc(n, sizeof *seen);
	for (size_t i = 0; i < n; i++) {
		const cJSON *it = cJSON_GetArrayItem(arr, (int)i);
		seen[i] = json_text(&s->arena, it);
		for (size_t j = 0; j < i; j++)
			if (strcmp(seen[i], seen[j]) == 0) {
				int rc = jv_fail(v, path, it, "expected distinct values; %s appears twice", seen[i]);
				free(seen);
				return rc;
			}
	}
	free(seen);
	*n_out = n;
	return 0;
}

static int load_grid(struct jv *v, struct sweep_spec *s, const cJSON *grid)
{
	size_t m = jv_enter_key(v, "grid");

	if (jv_is_object(v, grid))
		return -1;
	for (const cJSON *it = grid->child; it; it = it->next) {
		struct sweep_axis *ax;
		size_t n;

		if (check_member_path(v, grid, it) || check_unique_path(v, s, it->string) ||
		    value_list(v, s, it, it->string, &n))
			return -1;
		ax = add_axis(s, SWEEP_AXIS_GRID, n);
		for (size_t l = 0; l < n; l++) {
			level_alloc(&s->arena, &ax->levels[l], 1);
			ax->levels[l].paths[0] = arena_strdup(&s->arena, it->string);
			ax->levels[l].values[0] = json_text(&s->arena, cJSON_GetArrayItem(it, (int)l));
		}
	}
	jv_leave(v, m);
	return 0;
}

static int load_zip(struct jv *v, struct sweep_spec *s, const cJSON *zip)
{
	size_t m = jv_enter_key(v, "zip"), g = 0;

	if (!cJSON_IsArray(zip))
		return jv_fail(v, NULL, zip, "expected an array of objects {path: [values], ...} whose lists vary together");
	for (const cJSON *grp = zip->child; grp; grp = grp->next, g++) {
		size_t mg = jv_enter_idx(v, g), n_paths = 0, n_levels = 0, p = 0;
		struct sweep_axis *ax;

		if (jv_is_object(v, grp))
			return -1;
		for (const cJSON *it = grp->child; it; it = it->next) {
			size_t n;
			if (check_member_path(v, grp, it) || check_unique_path(v, s, it->string) ||
			    value_list(v, s, it, it->string, &n))
				return -1;
			if (n_paths && n != n_levels)
				return jv_fail(v, it->string, it, "expected a list of %zu values like the group's first list (zipped lists vary together)", n_levels);
			n_levels = n;
			n_paths++;
		}
		if (n_paths == 0)
			return jv_fail(v, NULL, grp, "expected at least one path with a list of values");
		ax = add_axis(s, SWEEP_AXIS_ZIP, n_levels);
		for (size_t l = 0; l < n_levels; l++)
			level_alloc(&s->arena, &ax->levels[l], n_paths);
		for (const cJSON *it = grp->child; it; it = it->next, p++)
			for (size_t l = 0; l < n_levels; l++) {
				ax->levels[l].paths[p] = arena_strdup(&s->arena, it->string);
				ax->levels[l].values[p] = json_text(&s->arena, cJSON_GetArrayItem(it, (int)l));
			}
		jv_leave(v, mg);
	}
	jv_leave(v, m);
	return 0;
}

static int load_oat(struct jv *v, struct sweep_spec *s, const cJSON *oat)
{
	static const char *const keys[] = { "name", "path", "low", "high", NULL };
	size_t m = jv_enter_key(v, "oat"), n;
	struct sweep_axis *ax;

	if (!cJSON_IsArray(oat) || cJSON_GetArraySize(oat) < 1)
		return jv_fail(v, NULL, oat, "expected a non-empty array of {\"path\": P, \"low\": X, \"high\": Y}");
	n = (size_t)cJSON_GetArraySize(oat);
	s->n_oat = n;
	s->oat = arena_alloc(&s->arena, n * sizeof *s->oat);
	for (size_t i = 0; i < n; i++) {
		const cJSON *in = cJSON_GetArrayItem(oat, (int)i), *lo, *hi;
		struct sweep_oat_input *o = &s->oat[i];
		size_t mi = jv_enter_idx(v, i);
		char nm[64];

		if (jv_keys(v, in, keys) || jv_str(v, in, "path", 1, NULL, &o->path) ||
		    check_path(v, NULL, o->path) || check_unique_path(v, s, o->path))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->oat[j].path, o->path) == 0)
				return jv_fail(v, "path", jv_get(in, "path"), "expected each input once");
		lo = jv_get(in, "low");
		hi = jv_get(in, "high");
		if (!lo)
			return jv_fail(v, "low", NULL, "required value is missing");
		if (!hi)
			return jv_fail(v, "high", NULL, "required value is missing");
		o->low = json_text(&s->arena, lo);
		o->high = json_text(&s->arena, hi);
		if (strcmp(o->low, o->high) == 0)
			return jv_fail(v, "high", hi, "expected a value different from low");
		short_name(o->path, nm, sizeof nm);
		if (jv_str(v, in, "name", 0, nm, &o->name))
			return -1;
		jv_leave(v, mi);
	}
	s->oat_axis = (long)s->n_axes;
	ax = add_axis(s, SWEEP_AXIS_OAT, 1 + 2 * n);
	level_alloc(&s->arena, &ax->levels[0], 0);
	ax->levels[0].label = "centre";
	for (size_t i = 0; i < n; i++)
		for (int side = 0; side < 2; side++) {
			struct sweep_level *l = &ax->levels[1 + 2 * i + (size_t)side];
			char buf[160], val[LABEL_VALUE_MAX + 4];
			level_alloc(&s->arena, l, 1);
			l->paths[0] = s->oat[i].path;
			l->values[0] = side ? s->oat[i].high : s->oat[i].low;
			l->oat_input = (long)i;
			l->oat_side = side ? 1 : -1;
			show_value(l->values[0], val, sizeof val);
			snprintf(buf, sizeof buf, "%s=%s(%s)", s->oat[i].name, val, side ? "high" : "low");
			l->label = arena_strdup(&s->arena, buf);
		}
	jv_leave(v, m);
	return 0;
}

/* Labels of grid and zip levels: short names unless two axes share one. */
static void label_levels(struct sweep_spec *s)
{
	for (size_t a = 0; a < s->n_axes; a++) {
		struct sweep_axis *ax = &s->axes[a];
		if (ax->kind == SWEEP_AXIS_OAT)
			continue;
		for (size_t l = 0; l < ax->n_levels; l++) {
			struct sweep_level *lv = &ax->levels[l];
			char buf[512];
			size_t used = 0;
			for (size_t i = 0; i < lv->n && used < sizeof buf; i++) {
				char nm[128], val[LABEL_VALUE_MAX + 4];
				int clash = 0;
				short_name(lv->paths[i], nm, sizeof nm);
				for (size_t b = 0; b < s->n_axes && !clash; b++)
					for (size_t j = 0; j < s->axes[b].levels[0].n; j++) {
						char other[128];
						if (strcmp(s->axes[b].levels[0].paths[j], lv->paths[i]) == 0)
							continue;
						short_name(s->axes[b].levels[0].paths[j], other, sizeof other);
						if (strcmp(other, nm) == 0)
							clash = 1;
					}
				show_value(lv->values[i], val, sizeof val);
				used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s=%s", i ? "," : "",
							 clash ? lv->paths[i] : nm, val);
			}
			lv->label = arena_strdup(&s->arena, buf);
		}
	}
}

/* Resolves $.baseline into a level per axis (-1: same as the point) and a scenario (-1: same). */
static int load_baseline(struct jv *v, struct sweep_spec *s, const cJSON *b, long *fix_level,
			 long *fix_scn)
{
	static const char *const keys[] = { "name", "at", "scenario", NULL };
	const cJSON *at;
	size_t m = jv_enter_key(v, "baseline");

	for (size_t a = 0; a < s->n_axes; a++)
		fix_level[a] = s->axes[a].kind == SWEEP_AXIS_OAT ? 0 : -1;
	*fix_scn = -1;
	if (!b) { /* default: the first level of every axis, in the same scenario */
		for (size_t a = 0; a < s->n_axes; a++)
			fix_level[a] = 0;
		s->baseline_name = s->oat_axis >= 0 && s->n_axes == 1 ? "centre" : "first point";
		jv_leave(v, m);
		return 0;
	}
	if (jv_keys(v, b, keys) || jv_str(v, b, "name", 1, NULL, &s->baseline_name))
		return -1;
	if (jv_get(b, "scenario")) {
		const char *sc;
		if (jv_str(v, b, "scenario", 0, NULL, &sc))
			return -1;
		for (size_t i = 0; i < s->n_scenarios; i++)
			if (strcmp(sc, s->scenario_labels[i]) == 0 || strcmp(sc, s->scenarios[i]) == 0)
				*fix_scn = (long)i;
		if (*fix_scn < 0)
			return jv_fail(v, "scenario", jv_get(b, "scenario"), "expected one of the sweep's scenarios (its file name without .json)");
	}
	if (!jv_get(b, "at") && *fix_scn < 0 && s->n_axes > (s->oat_axis >= 0 ? 1u : 0u))
		return jv_fail(v, "at", NULL, "expected the baseline's grid values, e.g. \"at\": {\"policies.dispatch\": \"fifo\"}");
	if ((at = jv_get(b, "at")) != NULL) {
		size_t ma = jv_enter_key(v, "at");
		if (jv_is_object(v, at))
			return -1;
		for (size_t a = 0; a < s->n_axes; a++) {
			struct sweep_axis *ax = &s->axes[a];
			long found = -1;
			int named = 0;
			for (size_t l = 0; l < ax->n_levels; l++) {
				int match = 1, any = 0;
				for (size_t i = 0; i < ax->levels[l].n; i++) {
					const cJSON *want = cJSON_GetObjectItemCaseSensitive(at, ax->levels[l].paths[i]);
					const char *w;
					if (!want)
						continue;
					if (ax->kind == SWEEP_AXIS_OAT)
						return jv_fail(v, ax->levels[l].paths[i], want, "expected no oat input here (oat points always compare with the centre)");
					any = 1;
					w = json_text(&s->arena, want);
					if (strcmp(w, ax->levels[l].values[i]) != 0)
						match = 0;
				}
				if (!any)
					continue;
				named = 1;
				if (match) {
					if (found >= 0)
						return err_set(v->e, "%s: %s: matches two levels of one axis (%s and %s)", v->file, v->path, ax->levels[found].label, ax->levels[l].label);
					found = (long)l;
				}
			}
			if (named && found < 0)
				return err_set(v->e, "%s: %s: expected values that occur together on the grid (axis %s ...)", v->file, v->path, ax->levels[0].label);
			if (named)
				fix_level[a] = found;
		}
		for (const cJSON *it = at->child; it; it = it->next) {
			int known = 0;
			for (size_t a = 0; a < s->n_axes && !known; a++)
				for (size_t i = 0; i < s->axes[a].levels[0].n; i++)
					if (strcmp(s->axes[a].levels[0].paths[i], it->string) == 0)
						known = 1;
			if (!known)
				return jv_fail(v, it->string, it, "expected a path that varies in $.grid or $.zip");
		}
		jv_leave(v, ma);
	}
	jv_leave(v, m);
	return 0;
}

static int cmp_label(const void *a, const void *b)
{
	const struct sweep_point *const *x = a, *const *y = b;
	return strcmp((*x)->label, (*y)->label);
}

static void expand(struct sweep_spec *s, const long *fix_level, long fix_scn)
{
	size_t per_scn = 1, np;
	struct sweep_point **sorted;

	for (size_t a = 0; a < s->n_axes; a++)
		per_scn *= s->axes[a].n_levels;
	np = per_scn * s->n_scenarios;
	s->n_points = np;
	s->points = arena_alloc(&s->arena, np * sizeof *s->points);
	for (size_t p = 0; p < np; p++) {
		struct sweep_point *pt = &s->points[p];
		size_t rest = p % per_scn, n_sets = s->n_fixed, k = 0, base, bscn;
		char label[1024];
		size_t used = 0;

		pt->scenario = p / per_scn;
		pt->level = arena_alloc(&s->arena, (s->n_axes ? s->n_axes : 1) * sizeof *pt->level);
		for (size_t a = s->n_axes; a-- > 0;) {
			pt->level[a] = rest % s->axes[a].n_levels;
			rest /= s->axes[a].n_levels;
		}
		for (size_t a = 0; a < s->n_axes; a++)
			n_sets += s->axes[a].levels[pt->level[a]].n;
		pt->n_sets = n_sets;
		pt->sets = arena_alloc(&s->arena, (n_sets ? n_sets : 1) * sizeof *pt->sets);
		for (size_t i = 0; i < s->n_fixed; i++)
			pt->sets[k++] = s->fixed[i];
		label[0] = '\0';
		if (s->n_scenarios > 1)
			used += (size_t)snprintf(label, sizeof label, "%s", s->scenario_labels[pt->scenario]);
		for (size_t a = 0; a < s->n_axes; a++) {
			const struct sweep_level *lv = &s->axes[a].levels[pt->level[a]];
			for (size_t i = 0; i < lv->n; i++) {
				size_t len = strlen(lv->paths[i]) + strlen(lv->values[i]) + 2;
				char *set = arena_alloc(&s->arena, len);
				snprintf(set, len, "%s=%s", lv->paths[i], lv->values[i]);
				pt->sets[k++] = set;
			}
			if (used < sizeof label)
				used += (size_t)snprintf(label + used, sizeof label - used, "%s%s",
							 used ? " " : "", lv->label);
		}
		if (!label[0])
			snprintf(label, sizeof label, "%s", s->scenario_labels[pt->scenario]);
		pt->label = arena_strdup(&s->arena, label);
		/* baseline: the mixed-radix index with the fixed levels substituted */
		bscn = fix_scn >= 0 ? (size_t)fix_scn : pt->scenario;
		base = 0;
		for (size_t a = 0; a < s->n_axes; a++)
			base = base * s->axes[a].n_levels +
			       (fix_level[a] >= 0 ? (size_t)fix_level[a] : pt->level[a]);
		pt->baseline = bscn * per_scn + base;
	}
	/* labels must identify points: make duplicates (values cut short) unique */
	sorted = xmalloc(np * sizeof *sorted);
	for (size_t p = 0; p < np; p++)
		sorted[p] = &s->points[p];
	qsort(sorted, np, sizeof *sorted, cmp_label);
	for (size_t i = 1; i < np; i++)
		if (strcmp(sorted[i]->label, sorted[i - 1]->label) == 0) {
			char buf[1100];
			snprintf(buf, sizeof buf, "%s #%zu", sorted[i]->label, (size_t)(sorted[i] - s->points));
			sorted[i]->label = arena_strdup(&s->arena, buf);
		}
	free(sorted);
}

static int load_root(struct jv *v, struct sweep_spec *s, const cJSON *root)
{
	static const char *const keys[] = { "name", "description", "scenarios", "replications", "set",
					    "grid", "zip", "oat", "baseline", "metrics", NULL };
	const cJSON *scn, *set, *grid, *zip, *oat, *met;
	long *fix_level;
	long fix_scn;
	size_t total = 1;
	char *base, why[256];

	if (jv_keys(v, root, keys))
		return -1;
	base = xstrdup(s->file);
	{
		char *b = basename(base), *dot = strrchr(b, '.');
		if (dot && strcmp(dot, ".json") == 0)
			*dot = '\0';
		if (jv_str(v, root, "name", 0, b, &s->name)) {
			free(base);
			return -1;
		}
	}
	free(base);
	if (jv_str(v, root, "description", 0, "", &s->description) ||
	    jv_int(v, root, "replications", 1, 0, 1, 100000, &s->replications))
		return -1;

	scn = jv_get(root, "scenarios");
	if (!scn)
		return jv_fail(v, "scenarios", NULL, "required list of scenario files is missing");
	if (!cJSON_IsString(scn) && (!cJSON_IsArray(scn) || cJSON_GetArraySize(scn) < 1))
		return jv_fail(v, "scenarios", scn, "expected a scenario file or a non-empty list of them");
	s->n_scenarios = cJSON_IsString(scn) ? 1 : (size_t)cJSON_GetArraySize(scn);
	s->scenarios = arena_alloc(&s->arena, s->n_scenarios * sizeof *s->scenarios);
	s->scenario_labels = arena_alloc(&s->arena, s->n_scenarios * sizeof *s->scenario_labels);
	for (size_t i = 0; i < s->n_scenarios; i++) {
		const cJSON *it = cJSON_IsString(scn) ? scn : cJSON_GetArrayItem(scn, (int)i);
		const char *p;
		char *copy, *b, *dot;
		if (!cJSON_IsString(it) || !it->valuestring[0])
			return jv_fail(v, "scenarios", it, "expected file names (strings)");
		p = it->valuestring;
		s->scenarios[i] = jv_path_in(&s->arena, s->dir, p);
		copy = xstrdup(p);
		b = basename(copy);
		if ((dot = strrchr(b, '.')) && strcmp(dot, ".json") == 0)
			*dot = '\0';
		s->scenario_labels[i] = arena_strdup(&s->arena, b);
		free(copy);
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->scenarios[j], s->scenarios[i]) == 0)
				return jv_fail(v, "scenarios", it, "expected each scenario once");
	}

	if ((set = jv_get(root, "set")) != NULL) {
		size_t m = jv_enter_key(v, "set"), k = 0;
		if (jv_is_object(v, set))
			return -1;
		s->n_fixed = (size_t)cJSON_GetArraySize(set);
		s->fixed = arena_alloc(&s->arena, (s->n_fixed ? s->n_fixed : 1) * sizeof *s->fixed);
		for (const cJSON *it = set->child; it; it = it->next) {
			const char *val;
			char *str;
			size_t len;
			if (check_member_path(v, set, it))
				return -1;
			val = json_text(&s->arena, it);
			len = strlen(it->string) + strlen(val) + 2;
			str = arena_alloc(&s->arena, len);
			snprintf(str, len, "%s=%s", it->string, val);
			s->fixed[k++] = str;
		}
		jv_leave(v, m);
	}
	s->oat_axis = -1;
	if ((grid = jv_get(root, "grid")) != NULL && load_grid(v, s, grid))
		return -1;
	if ((zip = jv_get(root, "zip")) != NULL && load_zip(v, s, zip))
		return -1;
	if ((oat = jv_get(root, "oat")) != NULL && load_oat(v, s, oat))
		return -1;
	label_levels(s);

	if ((met = jv_get(root, "metrics")) != NULL) {
		size_t m = jv_enter_key(v, "metrics");
		if (!cJSON_IsArray(met) || cJSON_GetArraySize(met) < 1)
			return jv_fail(v, NULL, met, "expected a non-empty list of metric names");
		s->n_metrics = (size_t)cJSON_GetArraySize(met);
		s->metrics = arena_alloc(&s->arena, s->n_metrics * sizeof *s->metrics);
		for (size_t i = 0; i < s->n_metrics; i++) {
			const cJSON *it = cJSON_GetArrayItem(met, (int)i);
			if (!cJSON_IsString(it) || !it->valuestring[0] || strlen(it->valuestring) > 95) {
				jv_enter_idx(v, i); /* the message names $.metrics[i] */
				return jv_fail(v, NULL, it, "expected a metric name (string, e.g. \"latency_mean_s\")");
			}
			s->metrics[i] = arena_strdup(&s->arena, it->valuestring);
			/* an unknown name would print an empty column: refuse it here (class names
			 * are checked against the scenarios once they are loaded: cmd_sweep.c) */
			if (metric_names_check(it->valuestring, NULL, 0, why, sizeof why)) {
				jv_enter_idx(v, i);
				return jv_fail(v, NULL, NULL, "%s", why);
			}
		}
		jv_leave(v, m);
	} else {
		static const char *const def[] = { "latency_mean_s", "latency_p99_s", "utilization_mean",
						   "energy_it_kwh", "energy_per_request_wh" };
		s->n_metrics = sizeof def / sizeof def[0];
		s->metrics = arena_alloc(&s->arena, sizeof def);
		memcpy(s->metrics, def, sizeof def);
	}

	for (size_t a = 0; a < s->n_axes; a++) {
		if (total > SWEEP_MAX_POINTS / s->axes[a].n_levels)
			return err_set(v->e, "%s: $: the grid has more than %d points; expected fewer", v->file, SWEEP_MAX_POINTS);
		total *= s->axes[a].n_levels;
	}
	if (total > SWEEP_MAX_POINTS / s->n_scenarios)
		return err_set(v->e, "%s: $: the grid has more than %d points; expected fewer", v->file, SWEEP_MAX_POINTS);
	fix_level = xcalloc(s->n_axes + 1, sizeof *fix_level);
	if (load_baseline(v, s, jv_get(root, "baseline"), fix_level, &fix_scn)) {
		free(fix_level);
		return -1;
	}
	expand(s, fix_level, fix_scn);
	free(fix_level);
	return 0;
}

int sweep_spec_load(const char *path, struct sweep_spec **out, struct err *e)
{
	struct sweep_spec *s;
	struct jv v;
	cJSON *root;

	*out = NULL;
	if (!(root = jv_load_object(path, "sweep file", SPEC_MAX_BYTES, e)))
		return -1;
	s = xcalloc(1, sizeof *s);
	arena_init(&s->arena);
	s->file = arena_strdup(&s->arena, path);
	s->dir = jv_dir_of(&s->arena, path);
	memset(&v, 0, sizeof v);
	v.file = path;
	v.e = e;
	v.a = &s->arena;
	snprintf(v.path, sizeof v.path, "$");
	v.len = 1;
	if (load_root(&v, s, root))
		goto fail;
	cJSON_Delete(root);
	*out = s;
	return 0;
fail:
	cJSON_Delete(root);
	sweep_spec_free(s);
	return -1;
}

void sweep_spec_free(struct sweep_spec *s)
{
	if (!s)
		return;
	arena_fini(&s->arena);
	free(s);
}
