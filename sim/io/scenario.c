/* scenario.c — the scenario loader: JSON -> overrides -> validated config (scenario.h).
 *
 * Order of work: read the file (size-capped), parse it (a syntax error names line and column),
 * apply --set overrides to the tree, print the resolved tree (its hash identifies the scenario),
 * then walk it section by section with the jv toolkit, which rejects unknown and duplicate keys
 * and checks every value. Cross-references (node types named by nodes; node types able to serve
 * the classes) are checked after the sections. Trace files are loaded here, so `validate`
 * catches a bad trace before any run starts.
 */
#include "scenario.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "dc/profile.h"
#include "engine/xalloc.h"
#include "engine/rng.h"
#include "io/jv.h"
#include "io/scenario_sections.h"
#include "io/scenario_arrival.h"
#include "io/scenario_models.h" /* models section */
#include "io/scenario_profile.h"
#include "io/scenario_facility.h"
#include "io/trace.h"
#include "policy/kinds.h" /* cool_check */

#define SCENARIO_MAX_BYTES ((size_t)16 << 20) /* 16 MiB: a hand-written scenario is far smaller */
#define MAX_NODES 10000000L
#define MAX_EMPIRICAL 1000000

uint64_t scenario_hash64(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* ---- reading and parsing ---- */

/* ---- --set overrides ---- */

struct step {
	char key[128]; /* "" for an index step */
	long idx;
};

/* Splits "a.b[2].c" into steps; returns the count or -1. */
static int split_path(const char *p, size_t len, struct step *st, int max)
{
	int n = 0;
	size_t i = 0;

	while (i < len) {
		if (n == max)
			return -1;
		if (p[i] == '[') {
			char *end;
			long x = strtol(p + i + 1, &end, 10);
			if (end == p + i + 1 || *end != ']' || x < 0)
				return -1;
			st[n].key[0] = '\0';
			st[n++].idx = x;
			i = (size_t)(end - p) + 1;
		} else {
			size_t k = 0;
			if (p[i] == '.' && n > 0)
				i++;
			while (i < len && p[i] != '.' && p[i] != '[' && k + 1 < sizeof st->key)
				st[n].key[k++] = p[i++];
			if (k == 0 || (i < len && p[i] != '.' && p[i] != '['))
				return -1;
			st[n].key[k] = '\0';
			st[n++].idx = -1;
		}
	}
	return n;
}

static int apply_set(cJSON *root, cJSON *params, const char *file, const char *set, struct err *e)
{
	const char *eq = strchr(set, '=');
	struct step st[32];
	cJSON *node = root, *val;
	int n, plen;
	char key[512];

	if (!eq || eq == set)
		return err_set(e, "--set %s: expected PATH=VALUE, e.g. --set policies.dispatch=least_loaded", set);
	plen = (int)(eq - set);
	n = split_path(set, (size_t)plen, st, 32);
	if (n <= 0)
		return err_set(e, "--set %.*s: expected a path like a.b[0].c", plen, set);
	for (int i = 0; i < n - 1; i++) {
		cJSON *next = st[i].idx >= 0 ? (cJSON_IsArray(node) ? cJSON_GetArrayItem(node, (int)st[i].idx) : NULL)
					     : (cJSON_IsObject(node) ? cJSON_GetObjectItemCaseSensitive(node, st[i].key) : NULL);
		if (!next && st[i].idx < 0 && cJSON_IsObject(node)) {
			/* a missing section is created, so a default can be overridden; what is set
			 * there is validated like the rest of the file */
			next = cJSON_AddObjectToObject(node, st[i].key);
		}
		if (!next) {
			if (st[i].idx >= 0)
				return err_set(e, "--set %.*s: %s has no element [%ld] to descend into", plen, set, file, st[i].idx);
			return err_set(e, "--set %.*s: \"%s\" is not an object in %s", plen, set, st[i].key, file);
		}
		node = next;
	}
	/* the whole value must be JSON (5, true, {"a":1}); anything else, even text that starts
	 * like JSON ("5fast", "2023-run", "nullx"), is taken as a string */
	val = cJSON_ParseWithOpts(eq + 1, NULL, 1);
	if (!val)
		val = cJSON_CreateString(eq + 1);
	if (st[n - 1].idx >= 0) {
		if (!cJSON_IsArray(node) || st[n - 1].idx >= cJSON_GetArraySize(node)) {
			cJSON_Delete(val);
			return err_set(e, "--set %.*s: %s has no element [%ld] to set", plen, set, file, st[n - 1].idx);
		}
		cJSON_ReplaceItemInArray(node, (int)st[n - 1].idx, val);
	} else {
		if (!cJSON_IsObject(node)) {
			cJSON_Delete(val);
			return err_set(e, "--set %.*s: the parent of \"%s\" is not an object in %s", plen, set, st[n - 1].key, file);
		}
		if (cJSON_GetObjectItemCaseSensitive(node, st[n - 1].key))
			cJSON_ReplaceItemInObjectCaseSensitive(node, st[n - 1].key, val);
		else
			cJSON_AddItemToObject(node, st[n - 1].key, val);
	}
	snprintf(key, sizeof key, "%.*s", plen, set);
	cJSON_DeleteItemFromObjectCaseSensitive(params, key);
	cJSON_AddItemToObject(params, key, cJSON_Duplicate(val, 1));
	return 0;
}

/* ---- sections ---- */

static const char *resolve_path(struct jv *v, const char *dir, const char *p)
{
	const char *out = jv_path_in(v->a, dir, p);

	jv_note_file(v, out);
	return out;
}

static const char *const dist_names[] = { "deterministic", "exponential", "lognormal", "gamma",
					  "empirical", NULL };

/* A distribution object; mean_key is "mean_s" (service) or "mean" (tokens). */
static int load_dist(struct jv *v, const cJSON *o, const char *mean_key, const char *unit,
		     struct dist_cfg *d)
{
	const char *keys[] = { "dist", mean_key, "cv", "values", NULL };
	int kind;

	if (jv_keys(v, o, keys) || jv_enum(v, o, "dist", 1, 0, dist_names, &kind))
		return -1;
	d->kind = (enum dist_kind)kind;
	if (d->kind == DIST_EMPIRICAL) {
		const cJSON *vals = jv_get(o, "values"), *it;
		double *arr;
		size_t n = 0;
		if (jv_get(o, mean_key) || jv_get(o, "cv"))
			return jv_fail(v, NULL, NULL, "an empirical distribution takes only \"values\" (not %s or cv)", mean_key);
		if (!cJSON_IsArray(vals) || cJSON_GetArraySize(vals) < 1 ||
		    cJSON_GetArraySize(vals) > MAX_EMPIRICAL)
			return jv_fail(v, "values", vals, "expected an array of 1 to %d numbers > 0 (%s)",
				       MAX_EMPIRICAL, unit);
		arr = arena_alloc(v->a, (size_t)cJSON_GetArraySize(vals) * sizeof *arr);
		cJSON_ArrayForEach(it, vals) {
			if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || !(it->valuedouble > 0)) {
				size_t m = jv_enter_key(v, "values");
				jv_enter_idx(v, n);
				jv_fail(v, NULL, it, "expected a number > 0 (%s)", unit);
				jv_leave(v, m);
				return -1;
			}
			arr[n++] = it->valuedouble;
		}
		d->values = arr;
		d->n_values = n;
		d->mean = dist_mean(d);
		return 0;
	}
	if (jv_get(o, "values"))
		return jv_fail(v, "values", jv_get(o, "values"), "\"values\" belongs to the empirical distribution only");
	if (jv_num(v, o, mean_key, 1, 0, 0, 1, 1e12, &d->mean))
		return -1;
	if (d->kind == DIST_LOGNORMAL || d->kind == DIST_GAMMA) {
		if (jv_num(v, o, "cv", 1, 0, 1e-3, 0, 100, &d->cv))
			return -1;
		dist_prepare(d);
	} else if (jv_get(o, "cv")) {
		return jv_fail(v, "cv", jv_get(o, "cv"), "cv is only for lognormal and gamma distributions");
	}
	return 0;
}

static int load_sub_dist(struct jv *v, const cJSON *parent, const char *key, const char *mean_key,
			 const char *unit, struct dist_cfg *d)
{
	size_t m = jv_enter_key(v, key);
	int rc = load_dist(v, jv_get(parent, key), mean_key, unit, d);
	jv_leave(v, m);
	return rc;
}

static const char *const arrival_names[] = { "poisson", "trace", "diurnal", "mmpp", NULL };

static int load_arrival(struct jv *v, const struct scenario *s, const cJSON *o, struct arrival_cfg *a)
{
	const char *keys[] = { "process", "rate_per_s", "path", "time_scale", "loop", "start_s",
			       "shape", "step_s", "offset_s", "column", "rates_per_s", "mean_sojourn_s", NULL };
	const char *mkeys[] = { "process", "rate_per_s", "path", "shape", "step_s", "offset_s", "column", NULL };
	const char *pkeys[] = { "process", "rates_per_s", "mean_sojourn_s", NULL };
	int kind;

	if (jv_keys(v, o, keys) || jv_enum(v, o, "process", 1, 0, arrival_names, &kind))
		return -1;
	a->kind = (enum arrival_kind)kind;
	if (a->kind == ARRIVAL_DIURNAL || a->kind == ARRIVAL_MMPP) { /* scenario_arrival.c */
		const char *p = NULL;
		if (jv_keys(v, o, a->kind == ARRIVAL_DIURNAL ? mkeys : pkeys) ||
		    jv_str(v, o, "path", 0, NULL, &p))
			return -1;
		return scenario_load_modulated(v, o, p ? resolve_path(v, s->dir, p) : NULL, a);
	}
	for (size_t i = 6; keys[i]; i++)
		if (jv_get(o, keys[i]))
			return jv_fail(v, keys[i], jv_get(o, keys[i]), "a key of the diurnal and mmpp processes only");
	if (a->kind == ARRIVAL_POISSON) {
		for (size_t i = 2; keys[i]; i++)
			if (jv_get(o, keys[i]))
				return jv_fail(v, keys[i], jv_get(o, keys[i]), "not a key of a poisson process (it takes rate_per_s)");
		return jv_num(v, o, "rate_per_s", 1, 0, 0, 1, 1e9, &a->rate_per_s);
	}
	if (jv_get(o, "rate_per_s"))
		return jv_fail(v, "rate_per_s", jv_get(o, "rate_per_s"), "a trace takes its rate from its timestamps (use time_scale to speed it up or slow it down)");
	{
		const char *p;
		struct trace_data *td;
		int loop;
		if (jv_str(v, o, "path", 1, NULL, &p) ||
		    jv_num(v, o, "time_scale", 0, 1.0, 0, 1, 1e6, &a->time_scale) ||
		    jv_bool(v, o, "loop", 0, &loop) ||
		    jv_num(v, o, "start_s", 0, 0.0, 0, 0, 1e12, &a->start_s))
			return -1;
		a->loop = loop;
		a->path = resolve_path(v, s->dir, p);
		if (trace_load(a->path, v->a, &td, v->e)) {
			char keep[ERR_MSG_MAX];
			memcpy(keep, v->e->msg, sizeof keep);
			err_clear(v->e);
			return err_set(v->e, "%s: %s.path: %s", v->file, v->path, keep);
		}
		if (a->start_s > td->span_s)
			return jv_fail(v, "start_s", jv_get(o, "start_s"), "expected a time within the trace's %.6g s", td->span_s);
		a->trace = td;
	}
	return 0;
}

static const char *const class_kinds[] = { "job", "llm", NULL };

static int load_class(struct jv *v, struct scenario *s, const cJSON *o, struct class_cfg *c)
{
	const char *keys[] = { "name", "kind", "arrival", "service", "input_tokens", "output_tokens",
			       "slo_s", "deferrable", "deadline_s", "model", NULL };
	int kind, deferrable;
	size_t m;
	const char *model;

	if (jv_keys(v, o, keys) || jv_str(v, o, "name", 1, NULL, &c->name) ||
	    jv_enum(v, o, "kind", 1, 0, class_kinds, &kind) ||
	    jv_num(v, o, "slo_s", 0, 0, 0, 1, 1e9, &c->slo_s) ||
	    jv_bool(v, o, "deferrable", 0, &deferrable) ||
	    jv_num(v, o, "deadline_s", 0, 0, 0, 1, 1e12, &c->deadline_s) ||
	    jv_str(v, o, "model", 0, NULL, &model))
		return -1;
	/* metric names are class.<name>.<metric> (and reports and CSV headers carry them): a dot,
	 * quote or space in a name would make them ambiguous */
	{
		size_t len = strlen(c->name), ok = strspn(c->name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
							  "abcdefghijklmnopqrstuvwxyz0123456789_-");
		if (len < 1 || len > 64 || ok != len)
			return jv_fail(v, "name", jv_get(o, "name"), "expected a class name of 1 to 64"
				       " letters, digits, '_' or '-' (it becomes part of metric names,"
				       " class.<name>.<metric>)");
	}
	if (jv_get(o, "slo_s") == NULL)
		c->slo_s = 0;
	if (jv_get(o, "deadline_s") == NULL)
		c->deadline_s = 0;
	c->kind = (enum class_kind)kind;
	c->deferrable = deferrable;
	if (!jv_get(o, "arrival"))
		return jv_fail(v, "arrival", NULL, "required arrival process is missing");
	m = jv_enter_key(v, "arrival");
	if (load_arrival(v, s, jv_get(o, "arrival"), &c->arrival))
		return -1;
	jv_leave(v, m);
	if (c->kind == CLASS_JOB) {
		const struct trace_data *tr = c->arrival.trace;
		if (jv_get(o, "input_tokens") || jv_get(o, "output_tokens"))
			return jv_fail(v, jv_get(o, "input_tokens") ? "input_tokens" : "output_tokens", NULL,
				       "token counts belong to kind \"llm\"; a job takes a service distribution");
		if (jv_get(o, "service"))
			return load_sub_dist(v, o, "service", "mean_s", "seconds", &c->service);
		if (tr && tr->service_s) {
			c->service_from_trace = 1;
			return 0;
		}
		return jv_fail(v, "service", NULL, "required service distribution is missing (e.g. {\"dist\": \"exponential\", \"mean_s\": 1})");
	}
	if (jv_get(o, "service"))
		return jv_fail(v, "service", NULL, "an llm class takes input_tokens and output_tokens, not a service distribution");
	if (!jv_get(o, "input_tokens") && !jv_get(o, "output_tokens") && c->arrival.trace &&
	    c->arrival.trace->in_tokens) {
		c->tokens_from_trace = 1;
		return 0;
	}
	if (!jv_get(o, "input_tokens") || !jv_get(o, "output_tokens"))
		return jv_fail(v, jv_get(o, "input_tokens") ? "output_tokens" : "input_tokens", NULL,
			       "required token distribution is missing (or replay a trace that has token counts)");
	return load_sub_dist(v, o, "input_tokens", "mean", "tokens", &c->in_tokens) ||
	       load_sub_dist(v, o, "output_tokens", "mean", "tokens", &c->out_tokens);
}

static int load_workload(struct jv *v, struct scenario *s, const cJSON *w)
{
	const cJSON *it;
	size_t i = 0, m;

	m = jv_enter_key(v, "workload");
	if (!cJSON_IsArray(w) || cJSON_GetArraySize(w) < 1)
		return jv_fail(v, NULL, w, "expected a non-empty array of request classes");
	if (cJSON_GetArraySize(w) > 1000)
		return jv_fail(v, NULL, NULL, "expected at most 1000 classes");
	s->n_classes = (size_t)cJSON_GetArraySize(w);
	s->classes = arena_alloc(&s->arena, s->n_classes * sizeof *s->classes);
	cJSON_ArrayForEach(it, w) {
		size_t mi = jv_enter_idx(v, i);
		if (load_class(v, s, it, &s->classes[i]))
			return -1;
		for (size_t k = 0; k < i; k++)
			if (strcmp(s->classes[k].name, s->classes[i].name) == 0)
				return jv_fail(v, "name", jv_get(it, "name"), "expected a class name not used by workload[%zu]", k);
		jv_leave(v, mi);
		i++;
	}
	jv_leave(v, m);
	return 0;
}

/* A node type: an object of the keys below, or a string naming a built-in serving profile
 * (CONTRACT: "or names a built-in profile"), which reads as {"profile": NAME}: the string is
 * the profile and every other key takes its default (from an empty object, so that the
 * defaults are the object form's, written once). */
static int load_node_type(struct jv *v, const cJSON *o, struct node_type_cfg *t)
{
	const char *keys[] = { "slots", "power", "llm", "memory_gb", "embodied_kg", "lifetime_years", "profile", NULL };
	const char *pkeys[] = { "idle_w", "peak_w", NULL };
	const char *lkeys[] = { "prefill_tokens_per_s", "decode_tokens_per_s", NULL };
	const cJSON empty = { .type = cJSON_Object };
	const int named = cJSON_IsString(o); /* "gpu": "h100-llama2-70b-tp8" */
	const cJSON *p, *l, *prof = named ? o : jv_get(o, "profile");
	long slots;
	size_t m;

	if (named)
		o = &empty;
	if (jv_keys(v, o, keys) || jv_int(v, o, "slots", !prof, 1, 1, 1000000, &slots) ||
	    jv_num(v, o, "memory_gb", 0, 0, 0, 0, 1e6, &t->memory_gb) ||
	    jv_num(v, o, "embodied_kg", 0, 0, 0, 0, 1e9, &t->embodied_kg) ||
	    jv_num(v, o, "lifetime_years", 0, 5, 0, 1, 100, &t->lifetime_years))
		return -1;
	t->slots = (int)slots;
	if (prof) { /* LLM serving profile: batching, KV cache, power (llm.c) */
		if (jv_get(o, "power") || jv_get(o, "llm"))
			return jv_fail(v, jv_get(o, "power") ? "power" : "llm", NULL,
				       "a node type with a serving profile takes its speed and power from the profile");
		if (scenario_load_profile(v, prof, named ? NULL : "profile", t))
			return -1;
		if (!jv_get(o, "slots") || t->slots > t->profile->max_batch)
			t->slots = t->profile->max_batch;
		{
			/* nameplate of the replica for facility sizing (cooling design load): the
			 * highest GPU power of the profile plus the host share; idle likewise */
			const struct profile_config *pc = t->profile;
			double gpu_peak = pc->prefill_gpu_power_w;
			for (int i = 0; i < pc->decode_gpu_power_w.n; i++)
				if (pc->decode_gpu_power_w.y[i] > gpu_peak)
					gpu_peak = pc->decode_gpu_power_w.y[i];
			t->idle_w = pc->idle_gpu_power_w * (1 + pc->host_frac);
			t->peak_w = gpu_peak * (1 + pc->host_frac);
		}
		return 0;
	}
	p = jv_get(o, "power");
	if (!p)
		return jv_fail(v, "power", NULL, "required power profile is missing (e.g. {\"idle_w\": 100, \"peak_w\": 300})");
	m = jv_enter_key(v, "power");
	if (jv_keys(v, p, pkeys) || jv_num(v, p, "idle_w", 1, 0, 0, 0, 1e7, &t->idle_w) ||
	    jv_num(v, p, "peak_w", 1, 0, 0, 0, 1e7, &t->peak_w))
		return -1;
	if (t->peak_w < t->idle_w)
		return jv_fail(v, "peak_w", jv_get(p, "peak_w"), "expected peak_w >= idle_w (%g W)", t->idle_w);
	jv_leave(v, m);
	if ((l = jv_get(o, "llm")) != NULL) {
		m = jv_enter_key(v, "llm");
		if (jv_keys(v, l, lkeys) ||
		    jv_num(v, l, "prefill_tokens_per_s", 1, 0, 0, 1, 1e12, &t->prefill_tokens_per_s) ||
		    jv_num(v, l, "decode_tokens_per_s", 1, 0, 0, 1, 1e12, &t->decode_tokens_per_s))
			return -1;
		jv_leave(v, m);
	}
	return 0;
}

static int load_datacenter(struct jv *v, struct scenario *s, const cJSON *d)
{
	const char *keys[] = { "nodes", "node_types", "queue_capacity", "cooling", "supply", "weather",
			       "start", "control_step_s", NULL };
	const cJSON *types, *nodes, *it;
	struct cluster_cfg *c = &s->cluster;
	const char **type_names;
	size_t i = 0, m = jv_enter_key(v, "datacenter"), mt;
	long total = 0;

	if (!d)
		return jv_fail(v, NULL, NULL, "required section is missing");
	if (jv_keys(v, d, keys) || jv_int(v, d, "queue_capacity", 0, -1, -1, 1000000000L, &c->queue_capacity))
		return -1;
	types = jv_get(d, "node_types");
	mt = jv_enter_key(v, "node_types");
	if (!cJSON_IsObject(types) || !types->child)
		return jv_fail(v, NULL, types, "expected an object of node types, e.g. {\"server\": {\"slots\": 1, \"power\": {\"idle_w\": 100, \"peak_w\": 300}}}");
	c->n_types = (size_t)cJSON_GetArraySize(types);
	c->types = arena_alloc(&s->arena, c->n_types * sizeof *c->types);
	type_names = arena_alloc(&s->arena, (c->n_types + 1) * sizeof *type_names);
	cJSON_ArrayForEach(it, types) {
		size_t mk = jv_enter_key(v, it->string);
		for (size_t k = 0; k < i; k++)
			if (strcmp(type_names[k], it->string) == 0)
				return jv_fail(v, NULL, NULL, "duplicate node type name");
		c->types[i].name = type_names[i] = arena_strdup(&s->arena, it->string);
		if (load_node_type(v, it, &c->types[i]))
			return -1;
		jv_leave(v, mk);
		i++;
	}
	jv_leave(v, mt);
	nodes = jv_get(d, "nodes");
	mt = jv_enter_key(v, "nodes");
	if (!cJSON_IsArray(nodes) || cJSON_GetArraySize(nodes) < 1)
		return jv_fail(v, NULL, nodes, "expected a non-empty array of {\"type\": NAME, \"count\": N}");
	c->n_groups = (size_t)cJSON_GetArraySize(nodes);
	c->groups = arena_alloc(&s->arena, c->n_groups * sizeof *c->groups);
	i = 0;
	cJSON_ArrayForEach(it, nodes) {
		const char *gkeys[] = { "type", "count", NULL };
		const char *tn;
		long count;
		size_t k, mi = jv_enter_idx(v, i);
		if (jv_keys(v, it, gkeys) || jv_str(v, it, "type", 1, NULL, &tn) ||
		    jv_int(v, it, "count", 1, 1, 1, MAX_NODES, &count))
			return -1;
		for (k = 0; k < c->n_types; k++)
			if (strcmp(type_names[k], tn) == 0)
				break;
		if (k == c->n_types) {
			const char *hint = jv_closest(tn, type_names);
			return jv_fail(v, "type", jv_get(it, "type"), "expected a node type defined in datacenter.node_types%s%s%s",
				       hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "");
		}
		total += count;
		if (total > MAX_NODES)
			return jv_fail(v, "count", jv_get(it, "count"), "expected at most %ld nodes in all", MAX_NODES);
		c->groups[i].type = k;
		c->groups[i].count = (int)count;
		jv_leave(v, mi);
		i++;
	}
	jv_leave(v, mt);
	/* facility: start, control step, weather, cooling, supply (io/scenario_facility.c) */
	if (scenario_facility_load(v, s->dir, d, c, &s->facility))
		return -1;
	jv_leave(v, m);
	return 0;
}

static int load_policy(struct jv *v, struct scenario *s, const cJSON *o, enum policy_kind kind)
{
	const char *kname = policy_kind_names[kind];
	const cJSON *n = jv_get(o, kname), *it;
	struct policy_choice *pc = &s->policies[kind];
	const struct policy_desc *d;
	const char *name;
	char list[512];
	size_t m = jv_enter_key(v, kname);

	if (!n)
		name = policy_default_names[kind];
	else if (cJSON_IsString(n))
		name = n->valuestring;
	else if (cJSON_IsObject(n) && cJSON_IsString(jv_get(n, "name")))
		name = jv_get(n, "name")->valuestring;
	else
		return jv_fail(v, NULL, n, "expected a policy name or {\"name\": NAME, ...parameters}");
	d = policy_find(kind, name);
	policy_names(kind, list, sizeof list);
	if (!d) {
		const char *cands[64];
		size_t k = 0;
		const struct policy_desc *x;
		for (; k < 63 && (x = policy_at(kind, k)) != NULL; k++)
			cands[k] = x->name;
		cands[k] = NULL;
		const char *hint = jv_closest(name, cands);
		if (!n)
			return jv_fail(v, NULL, NULL, "no default %s policy \"%s\" in this build (valid: %s)", kname, name, list);
		return jv_fail(v, NULL, cJSON_IsString(n) ? n : jv_get(n, "name"), "expected a %s policy: one of %s%s%s%s",
			       kname, list, hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "");
	}
	pc->desc = d;
	for (int i = 0; d->params[i].name; i++) {
		const struct param_desc *pd = &d->params[i];
		if (i >= POLICY_MAX_PARAMS)
			break;
		pc->num[i] = pd->def;
		pc->str[i] = pd->def_s;
	}
	if (cJSON_IsObject(n)) {
		cJSON_ArrayForEach(it, n) {
			int i;
			if (strcmp(it->string, "name") == 0)
				continue;
			for (i = 0; d->params[i].name; i++)
				if (strcmp(d->params[i].name, it->string) == 0)
					break;
			if (!d->params[i].name) {
				const char *cands[POLICY_MAX_PARAMS + 1];
				int k;
				for (k = 0; d->params[k].name && k < POLICY_MAX_PARAMS; k++)
					cands[k] = d->params[k].name;
				cands[k] = NULL;
				const char *hint = jv_closest(it->string, cands);
				return jv_fail(v, it->string, NULL, "policy %s has no parameter \"%s\"%s%s%s", name, it->string,
					       hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "");
			}
			if (d->params[i].type == PARAM_NUM) {
				if (jv_num(v, n, it->string, 1, 0, d->params[i].min, 0, d->params[i].max, &pc->num[i]))
					return -1;
			} else if (jv_str(v, n, it->string, 1, NULL, &pc->str[i])) {
				return -1;
			}
		}
		for (const cJSON *a = n->child; a; a = a->next)
			for (const cJSON *b = n->child; b != a; b = b->next)
				if (strcmp(a->string, b->string) == 0)
					return jv_fail(v, NULL, NULL, "duplicate key \"%s\"", a->string);
	}
	for (int i = 0; d->params[i].name && i < POLICY_MAX_PARAMS; i++)
		if (d->params[i].type == PARAM_STR && !pc->str[i])
			return jv_fail(v, d->params[i].name, NULL, "policy %s needs parameter %s (%s)", name,
				       d->params[i].name, d->params[i].doc);
	if (!pc->desc->ops && kind == POLICY_DISPATCH)
		return jv_fail(v, NULL, NULL, "dispatch policy %s has no implementation", name);
	/* cooling branch: parameters across each other and the plant a setpoint needs (policy/cool.c) */
	if (kind == POLICY_COOLING &&
	    cool_check(pc, s->facility.cooling.model == COOLING_PHYSICS, list, sizeof list))
		return jv_fail(v, NULL, NULL, "%s", list);
	jv_leave(v, m);
	return 0;
}

static int load_policies(struct jv *v, struct scenario *s, const cJSON *p)
{
	const char *keys[] = { "dispatch", "compression", "cooling", "power", "battery", "signals", NULL };
	size_t m = jv_enter_key(v, "policies");
	static const cJSON empty = { 0 };
	const cJSON *obj = p ? p : &empty;

	if (p && jv_keys(v, p, keys))
		return -1;
	jv_leave(v, m);
	m = jv_enter_key(v, "policies");
	for (int k = 0; k < POLICY_KINDS; k++)
		if (load_policy(v, s, obj, (enum policy_kind)k))
			return -1;
	if (scenario_load_signals(v, s, p ? jv_get(p, "signals") : NULL)) /* scenario_signals.c */
		return -1;
	jv_leave(v, m);
	return 0;
}

static int check_llm_capable(struct jv *v, struct scenario *s)
{
	for (size_t c = 0; c < s->n_classes; c++) {
		if (s->classes[c].kind != CLASS_LLM)
			continue;
		for (size_t t = 0; t < s->cluster.n_types; t++)
			if (!(s->cluster.types[t].prefill_tokens_per_s > 0) && !s->cluster.types[t].profile)
				return err_set(v->e, "%s: $.datacenter.node_types.%s: cannot serve llm class \"%s\": expected \"llm\": {\"prefill_tokens_per_s\": ..., \"decode_tokens_per_s\": ...}",
					       v->file, s->cluster.types[t].name, s->classes[c].name);
	}
	/* an LLM replica (a node type with a serving profile) batches tokens; a job has none, and
	 * any dispatch may send any request to any node */
	for (size_t c = 0; c < s->n_classes; c++) {
		if (s->classes[c].kind != CLASS_JOB)
			continue;
		for (size_t t = 0; t < s->cluster.n_types; t++)
			if (s->cluster.types[t].profile)
				return err_set(v->e, "%s: $.workload[%zu]: a job class (\"%s\") cannot run on LLM replicas: node type \"%s\" has a serving profile; use kind \"llm\" or generic slot nodes",
					       v->file, c, s->classes[c].name, s->cluster.types[t].name);
	}
	return 0;
}

static int load_root(struct jv *v, struct scenario *s, const cJSON *root)
{
	const char *keys[] = { "name", "description", "seed", "duration_s", "warmup_s", "replications",
			       "datacenter", "models", "workload", "policies", "outputs", NULL };
	const cJSON *outputs;
	double seed;

	strcpy(v->path, "$");
	v->len = 1;
	if (jv_keys(v, root, keys) || jv_str(v, root, "name", 1, NULL, &s->name) ||
	    jv_num(v, root, "seed", 0, 1, 0, 0, 9007199254740992.0, &seed) ||
	    jv_num(v, root, "duration_s", 1, 0, 0, 1, 1e10, &s->duration_s) ||
	    jv_num(v, root, "warmup_s", 0, 0, 0, 0, 1e10, &s->warmup_s) ||
	    jv_int(v, root, "replications", 0, 1, 1, 100000, &s->replications))
		return -1;
	if (jv_get(root, "description") && !cJSON_IsString(jv_get(root, "description")))
		return jv_fail(v, "description", jv_get(root, "description"), "expected a string");
	if (seed != floor(seed))
		return jv_fail(v, "seed", jv_get(root, "seed"), "expected a whole number");
	s->seed = (uint64_t)seed;
	if (s->warmup_s >= s->duration_s)
		return jv_fail(v, "warmup_s", jv_get(root, "warmup_s"), "expected warmup_s < duration_s (%g s)", s->duration_s);
	if (load_datacenter(v, s, jv_get(root, "datacenter")) ||
	    load_workload(v, s, jv_get(root, "workload")) ||
	    load_policies(v, s, jv_get(root, "policies")) || check_llm_capable(v, s) ||
	    scenario_models_load(v, s, jv_get(root, "models"), jv_get(root, "policies"))) /* models: io/scenario_models.c */
		return -1;
	s->series_interval_s = s->duration_s / 240;
	if ((outputs = jv_get(root, "outputs")) != NULL) {
		const char *okeys[] = { "series_interval_s", NULL };
		size_t m = jv_enter_key(v, "outputs");
		if (jv_keys(v, outputs, okeys) ||
		    jv_num(v, outputs, "series_interval_s", 0, s->series_interval_s, 0, 0, 1e10, &s->series_interval_s))
			return -1;
		/* every sample is kept until the run is stored: bound their number */
		if (s->series_interval_s > 0 && s->duration_s / s->series_interval_s > 1e6)
			return jv_fail(v, "series_interval_s", jv_get(outputs, "series_interval_s"),
				       "expected 0 (no series) or an interval >= duration_s / 1e6 = %g s", s->duration_s / 1e6);
		jv_leave(v, m);
	}
	s->facility.sample_interval_s = s->series_interval_s; /* facility series on the same grid */
	return 0;
}

int scenario_load(const char *path, const char *const *sets, size_t n_sets,
		  struct scenario **out, struct err *e)
{
	struct scenario *s;
	char *json;
	cJSON *root, *params;
	struct jv v;
	uint64_t h;
	int rc = -1;

	*out = NULL;
	if (!(root = jv_load_object(path, "scenario", SCENARIO_MAX_BYTES, e)))
		return -1;
	params = cJSON_CreateObject();
	for (size_t i = 0; i < n_sets; i++)
		if (apply_set(root, params, path, sets[i], e))
			goto done;
	s = xcalloc(1, sizeof *s);
	arena_init(&s->arena);
	s->file = arena_strdup(&s->arena, path);
	s->dir = jv_dir_of(&s->arena, path);
	json = cJSON_PrintUnformatted(root);
	if (!json)
		xalloc_oom(0);
	s->json = arena_strdup(&s->arena, json);
	h = scenario_hash64(json, strlen(json));
	cJSON_free(json);
	snprintf(s->hash, sizeof s->hash, "%016llx", (unsigned long long)h);
	json = cJSON_PrintUnformatted(params);
	if (!json)
		xalloc_oom(0); /* cJSON fails only when out of memory: no "{}" recorded instead */
	s->params = arena_strdup(&s->arena, json);
	cJSON_free(json);
	memset(&v, 0, sizeof v);
	v.file = path;
	v.e = e;
	v.a = &s->arena;
	if (load_root(&v, s, root)) {
		scenario_free(s);
		goto done;
	}
	if (v.files_hash) {
		/* the identity covers the data files too: an edited trace is a new scenario */
		h ^= rng_mix64(v.files_hash);
		snprintf(s->hash, sizeof s->hash, "%016llx", (unsigned long long)h);
	}
	*out = s;
	rc = 0;
done:
	cJSON_Delete(params);
	cJSON_Delete(root);
	return rc;
}

void scenario_free(struct scenario *s)
{
	if (!s)
		return;
	arena_fini(&s->arena);
	free(s);
}
