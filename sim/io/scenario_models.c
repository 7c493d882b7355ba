/* scenario_models.c — the `models` section of a scenario (see scenario_models.h). */
#include "io/scenario_models.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dc/profile.h"
#include "engine/xalloc.h"
#include "io/caltable.h"
#include "io/scenario.h"
#include "policy/kinds.h"

static int load_published(struct jv *v, struct model_choice *mc, const cJSON *p)
{
	const char *keys[] = { "time_factor_prefill", "time_factor_decode", "memory_factor",
			       "power_factor", "accuracy", "source", NULL };
	const char *src;
	size_t m = jv_enter_key(v, "published");
	if (jv_is_object(v, p) || jv_keys(v, p, keys) ||
	    jv_num(v, p, "time_factor_prefill", 1, 1, 0, 1, 1e6, &mc->time_factor_prefill) ||
	    jv_num(v, p, "time_factor_decode", 1, 1, 0, 1, 1e6, &mc->time_factor_decode) ||
	    jv_num(v, p, "memory_factor", 0, 1, 0, 1, 1e6, &mc->memory_factor) ||
	    jv_num(v, p, "power_factor", 0, 1, 0, 1, 1e6, &mc->power_factor) ||
	    jv_num(v, p, "accuracy", 1, 0, 0, 0, 1, &mc->accuracy) ||
	    jv_str(v, p, "source", 1, NULL, &src))
		return -1;
	char buf[512];
	snprintf(buf, sizeof buf, "published: %s", src);
	mc->provenance = arena_strdup(v->a, buf);
	mc->mapping = "published";
	mc->weight_factor_16bit = mc->memory_factor;
	jv_leave(v, m);
	return 0;
}

/* The models.gpu object: the node the roofline maps the table onto. */
struct gpu_map {
	struct caltable_gpu_node node;
	double decode_tokens, prefill_tokens;
};

static int parse_gpu(struct jv *v, const cJSON *g, struct gpu_map *gm)
{
	const char *keys[] = { "peak_tflops", "int8_peak_tops", "bandwidth_tb_per_s",
			       "sparse24_speedup", "decode_batch", "prefill_tokens",
			       "cpu_efficiency_all", NULL };
	double tf, it, bw;
	size_t m = jv_enter_key(v, "gpu");
	if (jv_is_object(v, g) || jv_keys(v, g, keys) ||
	    jv_num(v, g, "peak_tflops", 1, 0, 0, 1, 1e6, &tf) ||
	    jv_num(v, g, "int8_peak_tops", 0, 0, 0, 0, 1e6, &it) ||
	    jv_num(v, g, "bandwidth_tb_per_s", 1, 0, 0, 1, 1e4, &bw) ||
	    jv_num(v, g, "sparse24_speedup", 0, 1, 1, 0, 16, &gm->node.sparse24_speedup) ||
	    jv_num(v, g, "decode_batch", 0, 16, 0, 1, 1e6, &gm->decode_tokens) ||
	    jv_num(v, g, "prefill_tokens", 0, 2048, 0, 1, 1e9, &gm->prefill_tokens) ||
	    jv_bool(v, g, "cpu_efficiency_all", 0, &gm->node.cpu_efficiency_all))
		return -1;
	gm->node.peak_flops = tf * 1e12;
	gm->node.peak_int8_ops = it * 1e12;
	gm->node.bandwidth_bytes_per_s = bw * 1e12;
	jv_leave(v, m);
	return 0;
}

/* cv's decode and prefill time factors and 16-bit-relative weight factor on the gpu node. */
static int map_gpu(const struct gpu_map *gm, const struct caltable_variant *cv, double *decode,
		   double *prefill, double *weights, struct err *e)
{
	struct caltable_gpu_factors f;
	if (caltable_gpu_factors(cv, &gm->node, gm->decode_tokens, &f, e))
		return -1;
	*decode = f.time_factor;
	if (caltable_gpu_factors(cv, &gm->node, gm->prefill_tokens, &f, e))
		return -1;
	*prefill = f.time_factor;
	*weights = f.memory_factor;
	return 0;
}

static int load_gpu(struct jv *v, const cJSON *g, const struct caltable_variant *cv,
		    struct model_choice *mc)
{
	struct gpu_map gm;
	size_t m;
	if (parse_gpu(v, g, &gm))
		return -1;
	m = jv_enter_key(v, "gpu");
	if (map_gpu(&gm, cv, &mc->time_factor_decode, &mc->time_factor_prefill, &mc->memory_factor,
		    v->e))
		return -1;
	mc->mapping = "gpu";
	jv_leave(v, m);
	return 0;
}

/* "a, b, c" (the supported variants of t) into list; names[] for jv_closest (NULL-ended). */
static void variant_list(const struct caltable *t, char *list, size_t n, const char **names)
{
	size_t k = 0, used = 0;
	list[0] = '\0';
	for (size_t i = 0; i < t->n_variants && k < VARIANTS_MAX; i++) {
		if (!t->variants[i].supported)
			continue;
		names[k++] = t->variants[i].name;
		if (used < n)
			used += (size_t)snprintf(list + used, n - used, "%s%s", used ? ", " : "",
						 t->variants[i].name);
	}
	names[k] = NULL;
}

/* The calibration table models.table names (read from the scenario's folder; the default
 * table when absent) into t, its file name in *path. Its contents are part of the trial's
 * identity, so the file is noted for the scenario's hash. */
static int load_table(struct jv *v, const struct scenario *s, const cJSON *models,
		      const char *table, struct caltable *t, const char **path)
{
	struct err e2 = { 0 };

	*path = table ? jv_path_in(v->a, s->dir, table) : caltable_default_path();
	if (caltable_load(*path, t, &e2))
		return jv_fail(v, "table", models ? jv_get(models, "table") : NULL,
			       "expected a readable calibration table (maasim calibrate --out FILE): %s", e2.msg);
	jv_note_file(v, *path);
	return 0;
}

/* The variant a compression policy names (policies.compression.variant), checked against the
 * table with the JSON path of the parameter. */
static int check_named(struct jv *v, const cJSON *pol, const struct caltable *t, const char *path,
		       const char *name)
{
	const struct caltable_variant *cv = caltable_find(t, name);
	const char *names[VARIANTS_MAX + 1], *near;
	char list[1024];
	const cJSON *node = cJSON_IsObject(pol) ? jv_get(pol, "variant") : NULL;

	if (cv && cv->supported)
		return 0;
	if (cv)
		return jv_fail(v, "variant", node, "expected a variant the table measured; %s",
			       cv->provenance);
	variant_list(t, list, sizeof list, names);
	near = jv_closest(name, names);
	return jv_fail(v, "variant", node, "expected a variant of %s%s%s%s (%s)", path,
		       near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "", list);
}

/* With a compression policy other than none: the run's variant table (cluster.variants), row 0
 * the base model (models.variant, default dense_fp32), then every other variant the table
 * measured, in its order, each with its factors mapped as the models section says (CPU, or the
 * gpu roofline). Nothing is baked into the node types' times: each request's variant scales its
 * own. A serving profile's weight bytes become the sum over the variants the policy can serve
 * (compress_plan), since a replica switching per request holds them all at once. */
static int load_variants(struct jv *v, struct scenario *s, const cJSON *models, const cJSON *policies)
{
	const char *keys[] = { "variant", "table", "finetuned", "gpu", "published", NULL };
	const struct policy_choice *pc = &s->policies[POLICY_COMPRESSION];
	const cJSON *pol = policies ? jv_get(policies, "compression") : NULL;
	struct model_choice *mc = &s->model;
	const char *table = NULL, *base = "dense_fp32", *key = NULL, *path;
	int finetuned = 0, has_gpu = 0, rc = 0;
	struct gpu_map gm;
	struct caltable t;
	struct err e2 = { 0 };
	struct variant_cfg *rows;
	struct variant_factors vf[VARIANTS_MAX];
	uint64_t resident = 0;
	size_t n = 0;
	size_t m = jv_enter_key(v, "models");

	memset(mc, 0, sizeof *mc);
	memset(&gm, 0, sizeof gm);
	if (models && (jv_is_object(v, models) || jv_keys(v, models, keys) ||
		       jv_str(v, models, "variant", 0, base, &base) ||
		       jv_str(v, models, "table", 0, NULL, &table) ||
		       jv_bool(v, models, "finetuned", 0, &finetuned)))
		return -1;
	if (models && jv_get(models, "published"))
		return jv_fail(v, "published", NULL, "expected a calibration table (table, gpu) with compression policy %s: published figures describe one variant only", pc->desc->name);
	if (models && jv_get(models, "gpu")) {
		if (parse_gpu(v, jv_get(models, "gpu"), &gm))
			return -1;
		has_gpu = 1;
	}
	if (load_table(v, s, models, table, &t, &path))
		return -1;
	if (!caltable_find(&t, base) || !caltable_find(&t, base)->supported) {
		const char *names[VARIANTS_MAX + 1], *near;
		char list[1024];
		variant_list(&t, list, sizeof list, names);
		near = jv_closest(base, names);
		rc = jv_fail(v, "variant", models ? jv_get(models, "variant") : NULL, "expected a variant the table %s measured%s%s%s (%s)", path,
			     near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "", list);
		goto out;
	}
	rows = arena_alloc(v->a, VARIANTS_MAX * sizeof *rows);
	for (size_t pass = 0; pass < 2; pass++) /* the base first, then the others in table order */
		for (size_t i = 0; i < t.n_variants && n < VARIANTS_MAX; i++) {
			const struct caltable_variant *cv = &t.variants[i];
			struct variant_cfg *r = &rows[n];
			int is_base = strcmp(cv->name, base) == 0;
			if (!cv->supported || is_base != (pass == 0))
				continue;
			r->name = arena_strdup(v->a, cv->name);
			r->f.power = cv->power_factor;
			r->accuracy = finetuned && isfinite(cv->accuracy_finetuned) ? cv->accuracy_finetuned
										     : cv->accuracy;
			if (has_gpu) {
				size_t mg = jv_enter_key(v, "gpu");
				if (map_gpu(&gm, cv, &r->f.time_decode, &r->f.time_prefill,
					    &r->weight_factor_16bit, v->e)) {
					rc = -1;
					goto out;
				}
				jv_leave(v, mg);
			} else {
				r->f.time_decode = cv->time_factor_decode;
				r->f.time_prefill = cv->time_factor_prefill;
				r->weight_factor_16bit = cv->gpu_bits_per_weight / 16.0;
				if (!isfinite(r->weight_factor_16bit))
					r->weight_factor_16bit = 1;
			}
			if (!(r->f.time_decode > 0) || !(r->f.time_prefill > 0) || !(r->f.power > 0) ||
			    !(r->accuracy >= 0 && r->accuracy <= 1)) {
				rc = jv_fail(v, "table", NULL, "expected positive time and power factors and an accuracy in [0, 1] for variant %s of %s", cv->name, path);
				goto out;
			}
			vf[n] = (struct variant_factors){ r->name, r->f.time_decode, r->weight_factor_16bit,
							  r->f.power, r->accuracy };
			n++;
		}
	mc->variant = rows[0].name;
	mc->provenance = arena_strdup(v->a, caltable_find(&t, base)->provenance);
	mc->mapping = has_gpu ? "gpu" : "cpu";
	mc->time_factor_prefill = rows[0].f.time_prefill;
	mc->time_factor_decode = rows[0].f.time_decode;
	mc->power_factor = rows[0].f.power;
	mc->memory_factor = mc->weight_factor_16bit = rows[0].weight_factor_16bit;
	mc->accuracy = rows[0].accuracy;
	jv_leave(v, m);
	/* the policy against the table: $.policies.compression.<parameter> */
	m = jv_enter_key(v, "policies");
	jv_enter_key(v, "compression");
	if (policy_str(pc, "variant") && check_named(v, pol, &t, path, policy_str(pc, "variant"))) {
		rc = -1;
		goto out;
	}
	if (compress_plan(pc, vf, n, &resident, &key, &e2)) {
		rc = jv_fail(v, key, key && cJSON_IsObject(pol) ? jv_get(pol, key) : NULL, "%s", e2.msg);
		goto out;
	}
	for (size_t i = 0; i < s->cluster.n_types; i++) {
		struct node_type_cfg *nt = &s->cluster.types[i];
		struct profile_config *prof;
		double w = 0;
		if (!nt->profile)
			continue;
		if (nt->profile->kv_admission == PROFILE_KV_PAGED) {
			rc = jv_fail(v, NULL, NULL, "expected none with the paged KV rule of node type %s: a variant's decode factor would change how fast its KV cache fills, which is not modelled (use kv_admission \"reserve\")", nt->name);
			goto out;
		}
		for (size_t k = 0; k < n; k++)
			if (resident >> k & 1)
				w += rows[k].weight_factor_16bit;
		prof = arena_alloc(v->a, sizeof *prof);
		*prof = *nt->profile;
		prof->weight_bytes *= w;
		if (profile_config_check(prof, &e2)) {
			rc = jv_fail(v, NULL, NULL, "the weights of the variants it can serve (%.3g x the 16-bit model) do not fit node type %s: %s", w, nt->name, e2.msg);
			goto out;
		}
		nt->profile = prof;
	}
	s->cluster.variants = rows;
	s->cluster.n_variants = n;
	s->cluster.variants_reported = resident | 1; /* the base and what the policy can serve */
	jv_leave(v, m);
out:
	caltable_fini(&t);
	return rc;
}

int scenario_models_load(struct jv *v, struct scenario *s, const cJSON *models,
			 const cJSON *policies)
{
	const char *keys[] = { "variant", "table", "finetuned", "gpu", "published", NULL };
	struct model_choice *mc = &s->model;
	const char *table = NULL;
	int finetuned = 0;
	size_t m;

	if (s->policies[POLICY_COMPRESSION].desc && s->policies[POLICY_COMPRESSION].desc->ops)
		return load_variants(v, s, models, policies);
	memset(mc, 0, sizeof *mc);
	if (!models)
		return 0;
	m = jv_enter_key(v, "models");
	if (jv_is_object(v, models))
		return -1;
	if (!models->child) {
		jv_leave(v, m);
		return 0;
	}
	/* the variant defaults to the table's dense model; published figures name their own */
	if (jv_keys(v, models, keys) ||
	    jv_str(v, models, "variant", jv_get(models, "published") != NULL, "dense_fp32", &mc->variant) ||
	    jv_str(v, models, "table", 0, NULL, &table) ||
	    jv_bool(v, models, "finetuned", 0, &finetuned))
		return -1;
	mc->power_factor = mc->memory_factor = 1;
	if (jv_get(models, "published")) {
		if (table || jv_get(models, "gpu") || finetuned)
			return jv_fail(v, "published", NULL, "expected either published figures or a calibration table (table, gpu, finetuned), not both");
		if (load_published(v, mc, jv_get(models, "published")))
			return -1;
	} else {
		struct caltable t;
		const char *path;
		if (load_table(v, s, models, table, &t, &path))
			return -1;
		const struct caltable_variant *cv = caltable_find(&t, mc->variant);
		int rc = 0;
		if (!cv) {
			const char *names[64];
			char list[1024] = "";
			size_t n = t.n_variants < 63 ? t.n_variants : 63;
			for (size_t i = 0; i < n; i++) {
				names[i] = t.variants[i].name;
				size_t len = strlen(list);
				snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", names[i]);
			}
			names[n] = NULL;
			const char *near = jv_closest(mc->variant, names);
			rc = jv_fail(v, "variant", jv_get(models, "variant"), "expected a variant of %s%s%s%s (%s)", path,
				     near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "", list);
		} else if (!cv->supported) {
			rc = jv_fail(v, "variant", jv_get(models, "variant"), "expected a variant the table measured; %s", cv->provenance);
		} else {
			mc->time_factor_prefill = cv->time_factor_prefill;
			mc->time_factor_decode = cv->time_factor_decode;
			mc->memory_factor = cv->memory_factor;
			mc->power_factor = cv->power_factor;
			mc->accuracy = finetuned ? cv->accuracy_finetuned : cv->accuracy;
			mc->provenance = arena_strdup(v->a, cv->provenance);
			mc->mapping = "cpu";
			mc->weight_factor_16bit = cv->gpu_bits_per_weight / 16.0;
			if (!isfinite(mc->weight_factor_16bit))
				mc->weight_factor_16bit = 1;
			if (finetuned && !isfinite(mc->accuracy))
				rc = jv_fail(v, "finetuned", jv_get(models, "finetuned"), "expected false: the table has no fine-tuned accuracy for %s", mc->variant);
			else if (jv_get(models, "gpu"))
				rc = load_gpu(v, jv_get(models, "gpu"), cv, mc);
		}
		caltable_fini(&t);
		if (rc)
			return -1;
	}
	for (size_t i = 0; i < s->cluster.n_types; i++) {
		struct node_type_cfg *nt = &s->cluster.types[i];
		if (nt->profile) {
			/* a serving profile (16-bit weights): scale its measured step times, and its
			 * weight bytes by the 16-bit-relative factor, which frees KV-cache space */
			struct profile_config *pc = arena_alloc(v->a, sizeof *pc);
			struct err pe = { 0 };
			*pc = *nt->profile;
			for (int j = 0; j < pc->prefill_s.n; j++)
				pc->prefill_s.y[j] *= mc->time_factor_prefill;
			for (int j = 0; j < pc->decode_step_s.n; j++)
				pc->decode_step_s.y[j] *= mc->time_factor_decode;
			pc->weight_bytes *= mc->weight_factor_16bit;
			if (profile_config_check(pc, &pe))
				return err_set(v->e, "%s: $.datacenter.node_types.%s.profile.%s (with the"
					       " variant of $.models applied)", v->file, nt->name, pe.msg);
			nt->profile = pc;
		} else if (nt->prefill_tokens_per_s > 0) {
			nt->prefill_tokens_per_s /= mc->time_factor_prefill;
			nt->decode_tokens_per_s /= mc->time_factor_decode;
		}
	}
	jv_leave(v, m);
	return 0;
}
