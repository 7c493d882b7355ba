/* study.c — the results database as points and replications (study.h).
 *
 * Three queries: runs (ordered by run_id), metric names with units, then every metric row. A run
 * is found from its run_id through a sorted index, so loading is O(rows log runs). The params
 * label parser reads only a flat JSON object of scalars (what `--set` and sweeps store); anything
 * else is shown verbatim, which is always honest if not always pretty. analysis/ does not include
 * cJSON.h (only the scenario loader does), hence this small reader.
 */
#include "analysis/study.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/sbuf.h"
#include "engine/xalloc.h"

struct run_ref {
	long long run_id;
	size_t p, k;
};

struct loader {
	struct study *st;
	size_t cap_pts, cap_mets;
	struct sbuf versions;
	/* runs in run_id order before grouping */
	struct run_ref *refs;
	size_t n_refs, cap_refs;
};

static const char *nz(const char *s)
{
	return s ? s : "";
}

static void point_add_run(struct study_point *pt, long rep, long long id, const char *seed)
{
	size_t i = pt->n;

	/* a replication run again (the same study re-run into one database): the later run wins,
	 * so replication numbers stay unique and pairing stays one to one */
	for (size_t k = 0; k < pt->n; k++)
		if (pt->reps[k] == rep) {
			pt->run_ids[k] = id;
			free(pt->seeds[k]);
			pt->seeds[k] = xstrdup(seed);
			pt->n_superseded++;
			return;
		}

	pt->reps = xrealloc(pt->reps, (pt->n + 1) * sizeof *pt->reps);
	pt->run_ids = xrealloc(pt->run_ids, (pt->n + 1) * sizeof *pt->run_ids);
	pt->seeds = xrealloc(pt->seeds, (pt->n + 1) * sizeof *pt->seeds);
	/* keep replications ascending (insertion sort: a point has few) */
	while (i > 0 && pt->reps[i - 1] > rep) {
		pt->reps[i] = pt->reps[i - 1];
		pt->run_ids[i] = pt->run_ids[i - 1];
		pt->seeds[i] = pt->seeds[i - 1];
		i--;
	}
	pt->reps[i] = rep;
	pt->run_ids[i] = id;
	pt->seeds[i] = xstrdup(seed);
	pt->n++;
}

/* runs: run_id, scenario, scenario_hash, params, replication, seed, status, version,
 * started_at, wall_s, message */
static int run_row(void *ctx, int ncol, const char *const *v, const char *const *names)
{
	struct loader *ld = ctx;
	struct study *st = ld->st;
	size_t p;

	(void)names;
	if (ncol < 11)
		return -1;
	const char *hash = nz(v[2]), *params = v[3] ? v[3] : "{}";
	for (p = 0; p < st->n_pts; p++)
		if (!strcmp(st->pts[p].scenario_hash, hash) && !strcmp(st->pts[p].params, params))
			break;
	if (p == st->n_pts) {
		xgrow((void **)&st->pts, &ld->cap_pts, st->n_pts + 1, sizeof *st->pts);
		struct study_point *pt = &st->pts[st->n_pts++];
		memset(pt, 0, sizeof *pt);
		pt->scenario = xstrdup(nz(v[1]));
		pt->scenario_hash = xstrdup(hash);
		pt->params = xstrdup(params);
	}
	struct study_point *pt = &st->pts[p];
	st->n_runs++;
	if (v[9])
		st->wall_s += strtod(v[9], NULL);
	if (v[8]) {
		if (!st->started_first || strcmp(v[8], st->started_first) < 0) {
			free(st->started_first);
			st->started_first = xstrdup(v[8]);
		}
		if (!st->started_last || strcmp(v[8], st->started_last) > 0) {
			free(st->started_last);
			st->started_last = xstrdup(v[8]);
		}
	}
	if (v[7] && *v[7]) {
		/* distinct versions, in order of appearance */
		const char *found = strstr(ld->versions.s, v[7]);
		size_t len = strlen(v[7]);
		if (!found || (found[len] != '\0' && found[len] != ','))
			sbuf_addf(&ld->versions, "%s%s", ld->versions.len ? ", " : "", v[7]);
	}
	if (!v[6] || strcmp(v[6], "ok") != 0) {
		pt->n_failed++;
		if (!pt->fail_msg)
			pt->fail_msg = xstrdup(v[10] ? v[10] : "(no message)");
		return 0;
	}
	point_add_run(pt, v[4] ? strtol(v[4], NULL, 10) : 0, strtoll(nz(v[0]), NULL, 10), nz(v[5]));
	return 0;
}

static int metric_name_row(void *ctx, int ncol, const char *const *v, const char *const *names)
{
	struct loader *ld = ctx;
	struct study *st = ld->st;

	(void)names;
	if (ncol < 2 || !v[0])
		return 0;
	xgrow((void **)&st->mets, &ld->cap_mets, st->n_mets + 1, sizeof *st->mets);
	st->mets[st->n_mets].name = xstrdup(v[0]);
	st->mets[st->n_mets].unit = xstrdup(nz(v[1]));
	st->n_mets++;
	return 0;
}

static int cmp_ref(const void *a, const void *b)
{
	const struct run_ref *x = a, *y = b;
	return (x->run_id > y->run_id) - (x->run_id < y->run_id);
}

/* One metrics row (run_id, name, value), read as stored: no real goes through text. A NULL
 * value (not finite when stored) stays NaN. */
static int metric_row(void *ctx, int ncol, const struct store_val *v)
{
	struct loader *ld = ctx;
	struct study *st = ld->st;
	struct run_ref key = { 0 }, *r;
	long m;

	if (ncol < 3 || v[0].type != STORE_INT || !v[1].text ||
	    (v[2].type != STORE_REAL && v[2].type != STORE_INT))
		return 0;
	key.run_id = v[0].i;
	r = bsearch(&key, ld->refs, ld->n_refs, sizeof *ld->refs, cmp_ref);
	if (!r)
		return 0; /* a failed run's metrics, or an orphan row */
	m = study_metric_index(st, v[1].text);
	if (m < 0)
		return 0;
	st->val[r->p * st->n_mets + (size_t)m][r->k] = v[2].type == STORE_REAL ? v[2].real : (double)v[2].i;
	return 0;
}

static int params_pairs(const char *params, char ***pairs, size_t *n);

/* Labels: the overrides that set a point apart. Overrides shared by every point (say
 * --replications or a shortened duration_s given to each run) go to st->common instead; a point
 * with nothing of its own is "plain" and takes its scenario's name. */
static void label_points(struct study *st)
{
	char ***pairs = xcalloc(st->n_pts + 1, sizeof *pairs);
	size_t *np = xcalloc(st->n_pts + 1, sizeof *np);
	int *flat = xcalloc(st->n_pts + 1, sizeof *flat);
	int many_scenarios = 0, all_flat = 1;
	struct sbuf common;

	for (size_t p = 0; p < st->n_pts; p++) {
		flat[p] = params_pairs(st->pts[p].params, &pairs[p], &np[p]) == 0;
		all_flat &= flat[p];
		if (strcmp(st->pts[p].scenario, st->pts[0].scenario))
			many_scenarios = 1;
	}
	sbuf_init(&common);
	for (size_t p = 0; p < st->n_pts; p++) {
		struct study_point *pt = &st->pts[p];
		struct sbuf lb, own;
		sbuf_init(&lb);
		sbuf_init(&own);
		if (!flat[p])
			sbuf_add(&own, pt->params);
		for (size_t i = 0; i < np[p]; i++) {
			int shared = all_flat && st->n_pts > 1;
			for (size_t q = 0; q < st->n_pts && shared; q++) {
				size_t j;
				for (j = 0; j < np[q] && strcmp(pairs[q][j], pairs[p][i]); j++)
					;
				shared = j < np[q];
			}
			if (!shared)
				sbuf_addf(&own, "%s%s", own.len ? ", " : "", pairs[p][i]);
			else if (p == 0)
				sbuf_addf(&common, "%s%s", common.len ? ", " : "", pairs[p][i]);
		}
		pt->plain = own.len == 0;
		if (!own.len)
			sbuf_add(&lb, pt->scenario);
		else if (many_scenarios)
			sbuf_addf(&lb, "%s: %s", pt->scenario, own.s);
		else
			sbuf_add(&lb, own.s);
		pt->label = lb.s;
		sbuf_fini(&own);
	}
	st->common = common.s;
	for (size_t p = 0; p < st->n_pts; p++) {
		for (size_t i = 0; i < np[p]; i++)
			free(pairs[p][i]);
		free(pairs[p]);
	}
	free(pairs);
	free(np);
	free(flat);
}

static int count_row(void *ctx, int n, const char *const *v, const char *const *names)
{
	(void)names;
	if (n > 0 && v[0])
		*(long *)ctx = strtol(v[0], NULL, 10);
	return 0;
}

struct sweep_row {
	char *sweep;
	long point, base;
	long p; /* study point, or -1 */
	char *label;
};

struct sweep_rows {
	const struct study *st;
	struct sweep_row *v;
	size_t n, cap;
};

static int sweep_row(void *ctx, int n, const char *const *v, const char *const *names)
{
	struct sweep_rows *r = ctx;
	long p = -1;

	(void)names;
	if (n < 6 || !v[0] || !v[1] || !v[2] || !v[3] || !v[5])
		return 0;
	for (size_t i = 0; i < r->st->n_pts; i++)
		if (!strcmp(r->st->pts[i].scenario_hash, v[2]) && !strcmp(r->st->pts[i].params, v[3]))
			p = (long)i;
	xgrow((void **)&r->v, &r->cap, r->n + 1, sizeof *r->v);
	r->v[r->n++] = (struct sweep_row){ xstrdup(v[0]), strtol(v[1], NULL, 10),
					   strtol(v[5], NULL, 10), p, v[4] ? xstrdup(v[4]) : NULL };
	return 0;
}

/* Comparators and labels from sweep_points, when the table exists. A point in several sweeps
 * keeps the first sweep's comparator and its own label. */
static int sweep_baselines(struct store *s, struct study *st, struct err *e)
{
	struct sweep_rows r = { st, NULL, 0, 0 };
	long has = 0;
	int *seen = NULL;

	for (size_t p = 0; p < st->n_pts; p++)
		st->pts[p].base = -1;
	if (store_query(s, "SELECT count(*) FROM sqlite_master WHERE name = 'sweep_points'", NULL,
			0, count_row, &has, e))
		return -1;
	if (!has)
		return 0;
	if (store_query(s, "SELECT sweep, point, scenario_hash, params, label, baseline_point"
			   " FROM sweep_points ORDER BY sweep, point", NULL, 0, sweep_row, &r, e))
		goto out;
	/* points in sweep order (their runs may have finished in any order on parallel workers) */
	{
		size_t *key = xcalloc(st->n_pts + 1, sizeof *key), *perm, *inv;
		for (size_t p = 0; p < st->n_pts; p++)
			key[p] = r.n + p;
		for (size_t i = r.n; i-- > 0;)
			if (r.v[i].p >= 0)
				key[r.v[i].p] = i;
		perm = xcalloc(st->n_pts + 1, sizeof *perm);
		inv = xcalloc(st->n_pts + 1, sizeof *inv);
		for (size_t p = 0; p < st->n_pts; p++)
			perm[p] = p;
		for (size_t a = 1; a < st->n_pts; a++) /* insertion sort by key: few points */
			for (size_t b = a; b > 0 && key[perm[b]] < key[perm[b - 1]]; b--) {
				size_t t = perm[b];
				perm[b] = perm[b - 1];
				perm[b - 1] = t;
			}
		struct study_point *np = xcalloc(st->n_pts + 1, sizeof *np);
		for (size_t p = 0; p < st->n_pts; p++) {
			np[p] = st->pts[perm[p]];
			inv[perm[p]] = p;
		}
		memcpy(st->pts, np, st->n_pts * sizeof *np);
		free(np);
		for (size_t i = 0; i < r.n; i++)
			if (r.v[i].p >= 0)
				r.v[i].p = (long)inv[r.v[i].p];
		free(key);
		free(perm);
		free(inv);
	}
	seen = xcalloc(st->n_pts + 1, sizeof *seen);
	for (size_t i = 0; i < r.n; i++) {
		long p = r.v[i].p, b = -1;
		if (p < 0)
			continue;
		for (size_t j = 0; j < r.n; j++)
			if (!strcmp(r.v[j].sweep, r.v[i].sweep) && r.v[j].point == r.v[i].base)
				b = r.v[j].p;
		if (b < 0)
			continue;
		if (seen[p]++ == 0) {
			st->pts[p].base = b;
			st->matched = 1;
			if (r.v[i].label && *r.v[i].label) {
				free(st->pts[p].label);
				st->pts[p].label = xstrdup(r.v[i].label);
			}
		}
	}
out:
	for (size_t i = 0; i < r.n; i++) {
		free(r.v[i].sweep);
		free(r.v[i].label);
	}
	free(r.v);
	free(seen);
	return e->set ? -1 : 0;
}

size_t study_comparator(const struct study *st, size_t p, size_t global)
{
	return st->matched && st->pts[p].base >= 0 ? (size_t)st->pts[p].base : global;
}

void study_single_baseline(struct study *st)
{
	st->matched = 0;
	for (size_t p = 0; p < st->n_pts; p++)
		st->pts[p].base = -1;
}

struct study *study_load(struct store *s, struct err *e)
{
	struct loader ld = { 0 };
	struct study *st = xcalloc(1, sizeof *st);

	ld.st = st;
	sbuf_init(&ld.versions);
	if (store_query(s,
			"SELECT run_id, scenario, scenario_hash, params, replication, seed, status,"
			" version, started_at, wall_s, message FROM runs ORDER BY run_id",
			NULL, 0, run_row, &ld, e) ||
	    store_query(s, "SELECT name, min(unit) FROM metrics GROUP BY name ORDER BY name", NULL, 0,
			metric_name_row, &ld, e))
		goto fail;
	st->versions = ld.versions.s;
	ld.versions.s = NULL;

	label_points(st);
	if (sweep_baselines(s, st, e))
		goto fail;
	for (size_t p = 0; p < st->n_pts; p++) {
		struct study_point *pt = &st->pts[p];
		for (size_t k = 0; k < pt->n; k++) {
			xgrow((void **)&ld.refs, &ld.cap_refs, ld.n_refs + 1, sizeof *ld.refs);
			ld.refs[ld.n_refs++] = (struct run_ref){ pt->run_ids[k], p, k };
		}
	}
	if (ld.n_refs)
		qsort(ld.refs, ld.n_refs, sizeof *ld.refs, cmp_ref);
	st->val = xcalloc(st->n_pts * st->n_mets + 1, sizeof *st->val);
	for (size_t p = 0; p < st->n_pts; p++)
		for (size_t m = 0; m < st->n_mets; m++) {
			double *a = xmalloc((st->pts[p].n + 1) * sizeof *a);
			for (size_t k = 0; k < st->pts[p].n; k++)
				a[k] = NAN;
			st->val[p * st->n_mets + m] = a;
		}
	if (store_query_vals(s, "SELECT run_id, name, value FROM metrics", NULL, 0, metric_row, &ld, e))
		goto fail;
	free(ld.refs);
	return st;
fail:
	if (!e->set)
		err_set(e, "results database: unexpected shape of the runs table");
	sbuf_fini(&ld.versions);
	free(ld.refs);
	study_free(st);
	return NULL;
}

void study_free(struct study *st)
{
	if (!st)
		return;
	for (size_t p = 0; p < st->n_pts; p++) {
		struct study_point *pt = &st->pts[p];
		for (size_t k = 0; k < pt->n; k++)
			free(pt->seeds[k]);
		free(pt->scenario);
		free(pt->scenario_hash);
		free(pt->params);
		free(pt->label);
		free(pt->reps);
		free(pt->run_ids);
		free(pt->seeds);
		free(pt->fail_msg);
	}
	if (st->val)
		for (size_t i = 0; i < st->n_pts * st->n_mets; i++)
			free(st->val[i]);
	for (size_t m = 0; m < st->n_mets; m++) {
		free(st->mets[m].name);
		free(st->mets[m].unit);
	}
	free(st->val);
	free(st->pts);
	free(st->mets);
	free(st->versions);
	free(st->common);
	free(st->started_first);
	free(st->started_last);
	free(st);
}

long study_metric_index(const struct study *st, const char *name)
{
	size_t lo = 0, hi = st->n_mets; /* names are sorted by the query's ORDER BY */

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(st->mets[mid].name, name);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* SQLite's ORDER BY uses memcmp order, as strcmp does; fall back to a scan all the same */
	for (size_t m = 0; m < st->n_mets; m++)
		if (!strcmp(st->mets[m].name, name))
			return (long)m;
	return -1;
}

long study_point_index(const struct study *st, const char *key)
{
	for (size_t p = 0; p < st->n_pts; p++)
		if (!strcmp(st->pts[p].label, key) || !strcmp(st->pts[p].params, key))
			return (long)p;
	return -1;
}

size_t study_baseline(const struct study *st)
{
	for (size_t p = 0; p < st->n_pts; p++)
		if (st->pts[p].plain)
			return p;
	return 0;
}

size_t study_values(const struct study *st, size_t p, size_t m, double *out)
{
	const double *a = st->val[p * st->n_mets + m];
	size_t n = 0;

	for (size_t k = 0; k < st->pts[p].n; k++)
		if (!isnan(a[k]))
			out[n++] = a[k];
	return n;
}

size_t study_pairs(const struct study *st, size_t p, size_t b, size_t m, double *x, double *y)
{
	const struct study_point *pp = &st->pts[p], *pb = &st->pts[b];
	const double *a = st->val[p * st->n_mets + m], *c = st->val[b * st->n_mets + m];
	size_t n = 0, j = 0;

	for (size_t k = 0; k < pp->n; k++) {
		while (j < pb->n && pb->reps[j] < pp->reps[k])
			j++;
		if (j < pb->n && pb->reps[j] == pp->reps[k] && !isnan(a[k]) && !isnan(c[j])) {
			x[n] = a[k];
			y[n] = c[j];
			n++;
		}
	}
	return n;
}

/* --- the flat-object params reader --- */

static const char *ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/* Reads a JSON string at s (at its opening quote) into b, unescaping the simple escapes (\uXXXX
 * is kept as written). Returns the position after the closing quote, or NULL. */
static const char *json_string(const char *s, struct sbuf *b)
{
	if (*s != '"')
		return NULL;
	for (s++; *s && *s != '"'; s++) {
		if (*s != '\\') {
			sbuf_addc(b, *s);
			continue;
		}
		s++;
		switch (*s) {
		case 'n': sbuf_addc(b, ' '); break;
		case 't': sbuf_addc(b, ' '); break;
		case 'r': break;
		case 'b': case 'f': break;
		case 'u': sbuf_add(b, "\\u"); break;
		case '\0': return NULL;
		default: sbuf_addc(b, *s); break;
		}
	}
	return *s == '"' ? s + 1 : NULL;
}

/* A scalar, or a nested array/object copied verbatim (balanced, strings respected). */
static const char *json_value(const char *s, struct sbuf *b)
{
	if (*s == '"')
		return json_string(s, b);
	if (*s == '{' || *s == '[') {
		const char *start = s;
		int depth = 0;
		for (; *s; s++) {
			if (*s == '"') {
				struct sbuf skip;
				sbuf_init(&skip);
				s = json_string(s, &skip);
				sbuf_fini(&skip);
				if (!s)
					return NULL;
				s--;
			} else if (*s == '{' || *s == '[') {
				depth++;
			} else if (*s == '}' || *s == ']') {
				if (--depth == 0) {
					sbuf_addn(b, start, (size_t)(s + 1 - start));
					return s + 1;
				}
			}
		}
		return NULL;
	}
	const char *start = s;
	while (*s && *s != ',' && *s != '}' && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
		s++;
	if (s == start)
		return NULL;
	sbuf_addn(b, start, (size_t)(s - start));
	return s;
}

/* Splits a flat JSON object into "key=value" strings (*pairs, caller frees each and the array).
 * Returns -1 (and no pairs) when params is not such an object. */
static int params_pairs(const char *params, char ***pairs, size_t *n)
{
	const char *s = ws(params ? params : "");
	struct sbuf b;

	*pairs = NULL;
	*n = 0;
	if (*s != '{')
		return -1;
	s = ws(s + 1);
	if (*s == '}')
		return *ws(s + 1) ? -1 : 0;
	for (;;) {
		sbuf_init(&b);
		s = json_string(ws(s), &b);
		if (s && *(s = ws(s)) == ':') {
			sbuf_addc(&b, '=');
			s = json_value(ws(s + 1), &b);
		} else {
			s = NULL;
		}
		if (!s) {
			sbuf_fini(&b);
			break;
		}
		*pairs = xrealloc(*pairs, (*n + 1) * sizeof **pairs);
		(*pairs)[(*n)++] = b.s;
		s = ws(s);
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '}' && !*ws(s + 1))
			return 0;
		break;
	}
	for (size_t i = 0; i < *n; i++)
		free((*pairs)[i]);
	free(*pairs);
	*pairs = NULL;
	*n = 0;
	return -1;
}

char *study_params_label(const char *params)
{
	char **pairs;
	size_t n;
	struct sbuf b;

	if (params_pairs(params, &pairs, &n))
		return xstrdup(params ? params : "");
	sbuf_init(&b);
	for (size_t i = 0; i < n; i++) {
		sbuf_addf(&b, "%s%s", i ? ", " : "", pairs[i]);
		free(pairs[i]);
	}
	free(pairs);
	return b.s;
}

static const char *const phrases[][2] = {
	{ "carbon_operational_kg", "operational carbon" },
	{ "carbon_embodied_kg", "embodied carbon" },
	{ "carbon_per_request_g", "carbon per request" },
	{ "energy_facility_kwh", "facility energy" },
	{ "energy_it_kwh", "IT energy" },
	{ "energy_cooling_kwh", "cooling energy" },
	{ "energy_grid_kwh", "grid energy" },
	{ "energy_renewable_used_kwh", "renewable energy used" },
	{ "energy_curtailed_kwh", "curtailed energy" },
	{ "energy_per_request_wh", "energy per request" },
	{ "renewable_fraction", "renewable share" },
	{ "water_l", "water use" },
	{ "cost_usd", "cost" },
	{ "pue", "PUE" },
	{ "latency_mean_s", "mean latency" },
	{ "latency_p50_s", "median latency" },
	{ "latency_p95_s", "p95 latency" },
	{ "latency_p99_s", "p99 latency" },
	{ "ttft_p50_s", "median time to first token" },
	{ "ttft_p99_s", "p99 time to first token" },
	{ "tpot_p50_s", "median time per output token" },
	{ "wait_mean_s", "mean wait" },
	{ "slo_attainment", "SLO attainment" },
	{ "utilization_mean", "mean utilization" },
	{ "accuracy_mean", "mean accuracy" },
	{ "requests_completed", "completed requests" },
	{ "requests_dropped", "dropped requests" },
};

const char *study_metric_phrase(const char *name)
{
	for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
		if (!strcmp(phrases[i][0], name))
			return phrases[i][1];
	return name;
}
