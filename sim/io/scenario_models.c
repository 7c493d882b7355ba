/* scenario_models.c — the `models` section of a scenario (see scenario_models.h). */
#include "io/scenario_models.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dc/profile.h"
#include "engine/xalloc.h"
#include "io/caltable.h"
#include "io/scenario.h"

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

static int load_gpu(struct jv *v, const cJSON *g, const struct caltable_variant *cv,
		    struct model_choice *mc)
{
	const char *keys[] = { "peak_tflops", "int8_peak_tops", "bandwidth_tb_per_s",
			       "sparse24_speedup", "decode_batch", "prefill_tokens",
			       "cpu_efficiency_all", NULL };
	struct caltable_gpu_node node;
	struct caltable_gpu_factors f;
	double tf, it, bw, dec, pre;
	size_t m = jv_enter_key(v, "gpu");
	if (jv_is_object(v, g) || jv_keys(v, g, keys) ||
	    jv_num(v, g, "peak_tflops", 1, 0, 0, 1, 1e6, &tf) ||
	    jv_num(v, g, "int8_peak_tops", 0, 0, 0, 0, 1e6, &it) ||
	    jv_num(v, g, "bandwidth_tb_per_s", 1, 0, 0, 1, 1e4, &bw) ||
	    jv_num(v, g, "sparse24_speedup", 0, 1, 1, 0, 16, &node.sparse24_speedup) ||
	    jv_num(v, g, "decode_batch", 0, 16, 0, 1, 1e6, &dec) ||
	    jv_num(v, g, "prefill_tokens", 0, 2048, 0, 1, 1e9, &pre) ||
	    jv_bool(v, g, "cpu_efficiency_all", 0, &node.cpu_efficiency_all))
		return -1;
	node.peak_flops = tf * 1e12;
	node.peak_int8_ops = it * 1e12;
	node.bandwidth_bytes_per_s = bw * 1e12;
	if (caltable_gpu_factors(cv, &node, dec, &f, v->e))
		return -1;
	mc->time_factor_decode = f.time_factor;
	if (caltable_gpu_factors(cv, &node, pre, &f, v->e))
		return -1;
	mc->time_factor_prefill = f.time_factor;
	mc->memory_factor = f.memory_factor;
	mc->mapping = "gpu";
	jv_leave(v, m);
	return 0;
}

int scenario_models_load(struct jv *v, struct scenario *s, const cJSON *models)
{
	const char *keys[] = { "variant", "table", "finetuned", "gpu", "published", NULL };
	struct model_choice *mc = &s->model;
	const char *table = NULL;
	int finetuned = 0;
	size_t m;

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
	if (jv_keys(v, models, keys) || jv_str(v, models, "variant", 1, NULL, &mc->variant) ||
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
		struct err e2 = { 0 };
		char path[4096];
		if (table && table[0] != '/')
			snprintf(path, sizeof path, "%s/%s", s->dir, table);
		else
			snprintf(path, sizeof path, "%s", table ? table : caltable_default_path());
		if (caltable_load(path, &t, &e2))
			return jv_fail(v, "table", jv_get(models, "table"), "expected a readable calibration table (maasim calibrate --out FILE): %s", e2.msg);
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
