/* caltable.c — reading the calibration table, and the GPU roofline mapping (see caltable.h). */
#include "io/caltable.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"

#define CALTABLE_MAX_BYTES (16u << 20)

const char *caltable_default_path(void)
{
	const char *env = getenv("MAASIM_CALIBRATION");
	return env && *env ? env : "models/calibration.json";
}

static char *slurp(const char *path, struct err *e)
{
	FILE *f = fopen(path, "rb");
	long sz;
	char *buf;
	if (!f)
		return err_set(e, "%s: cannot open calibration table: %s", path, strerror(errno)), NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (size_t)sz > CALTABLE_MAX_BYTES) {
		fclose(f);
		return err_set(e, "%s: not a readable calibration table (at most %u bytes)", path,
			       CALTABLE_MAX_BYTES), NULL;
	}
	buf = xmalloc((size_t)sz + 1);
	if (fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		fclose(f);
		free(buf);
		return err_set(e, "%s: cannot read calibration table", path), NULL;
	}
	buf[sz] = '\0';
	fclose(f);
	return buf;
}

/* number member: absent or null -> NAN (or an error when required); lo: exclusive bound */
static int get_num(const char *file, const char *where, const cJSON *obj, const char *key,
		   int required, double lo, double *out, struct err *e)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	*out = NAN;
	if (!it || cJSON_IsNull(it)) {
		if (required)
			return err_set(e, "%s: %s.%s: expected a number, missing", file, where, key);
		return 0;
	}
	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || !(it->valuedouble > lo)) {
		char *txt = cJSON_PrintUnformatted(it);
		err_set(e, "%s: %s.%s: expected a number > %g, got %.60s", file, where, key, lo,
			txt ? txt : "?");
		cJSON_free(txt);
		return -1;
	}
	*out = it->valuedouble;
	return 0;
}

static void get_str(const cJSON *obj, const char *key, char *buf, size_t len)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	snprintf(buf, len, "%s", cJSON_IsString(it) ? it->valuestring : "");
}

static int load_variant(const char *file, const cJSON *jv, size_t i,
			const struct caltable *t, struct caltable_variant *v, struct err *e)
{
	char where[64];
	const cJSON *it;
	snprintf(where, sizeof where, "$.variants[%zu]", i);
	if (!cJSON_IsObject(jv))
		return err_set(e, "%s: %s: expected an object", file, where);
	it = cJSON_GetObjectItemCaseSensitive(jv, "name");
	if (!cJSON_IsString(it) || !*it->valuestring ||
	    strlen(it->valuestring) >= CALTABLE_NAME_MAX)
		return err_set(e, "%s: %s.name: expected a variant name (1..%d characters)", file,
			       where, CALTABLE_NAME_MAX - 1);
	snprintf(v->name, sizeof v->name, "%s", it->valuestring);
	it = cJSON_GetObjectItemCaseSensitive(jv, "supported");
	if (!cJSON_IsBool(it))
		return err_set(e, "%s: %s.supported: expected true or false", file, where);
	v->supported = cJSON_IsTrue(it);
	get_str(jv, "provenance", v->provenance, sizeof v->provenance);
	if (!v->provenance[0])
		snprintf(v->provenance, sizeof v->provenance, "%s", t->provenance);
	if (!v->supported) {
		char reason[160];
		get_str(jv, "reason", reason, sizeof reason);
		snprintf(v->provenance, sizeof v->provenance, "%.90s; %.150s",
			 t->provenance, reason);
		v->time_factor = v->time_factor_decode = v->time_factor_prefill = NAN;
		v->memory_factor = v->power_factor = v->accuracy = v->agreement = NAN;
		v->accuracy_finetuned = v->agreement_finetuned = v->flop_factor = NAN;
		v->gpu_bits_per_weight = v->efficiency_ratio = v->bandwidth_ratio = NAN;
		return 0;
	}
	if (get_num(file, where, jv, "time_factor_decode", 1, 0, &v->time_factor_decode, e) ||
	    get_num(file, where, jv, "time_factor_prefill", 1, 0, &v->time_factor_prefill, e) ||
	    get_num(file, where, jv, "memory_factor", 1, 0, &v->memory_factor, e) ||
	    get_num(file, where, jv, "power_factor", 1, 0, &v->power_factor, e) ||
	    get_num(file, where, jv, "accuracy", 1, -1e-300, &v->accuracy, e) ||
	    get_num(file, where, jv, "agreement", 1, -1e-300, &v->agreement, e) ||
	    get_num(file, where, jv, "accuracy_finetuned", 0, -1e-300, &v->accuracy_finetuned, e) ||
	    get_num(file, where, jv, "agreement_finetuned", 0, -1e-300, &v->agreement_finetuned, e) ||
	    get_num(file, where, jv, "flop_factor", 0, 0, &v->flop_factor, e) ||
	    get_num(file, where, jv, "gpu_bits_per_weight", 0, 0, &v->gpu_bits_per_weight, e) ||
	    get_num(file, where, jv, "efficiency_ratio_prefill", 0, 0, &v->efficiency_ratio, e) ||
	    get_num(file, where, jv, "bandwidth_ratio_decode", 0, 0, &v->bandwidth_ratio, e))
		return -1;
	if (v->accuracy > 1 || v->agreement > 1)
		return err_set(e, "%s: %s: expected accuracy and agreement in [0, 1]", file, where);
	v->time_factor = v->time_factor_decode;
	it = cJSON_GetObjectItemCaseSensitive(jv, "timings");
	if (it && !cJSON_IsArray(it))
		return err_set(e, "%s: %s.timings: expected an array", file, where);
	int nt = it ? cJSON_GetArraySize(it) : 0;
	if (nt > 0) {
		v->timings = xcalloc((size_t)nt, sizeof *v->timings);
		const cJSON *tj;
		cJSON_ArrayForEach(tj, it) {
			struct caltable_timing *ti = &v->timings[v->n_timings];
			double n, k, b;
			char w2[96];
			snprintf(w2, sizeof w2, "%s.timings[%zu]", where, v->n_timings);
			if (get_num(file, w2, tj, "n", 1, 0, &n, e) ||
			    get_num(file, w2, tj, "k", 1, 0, &k, e) ||
			    get_num(file, w2, tj, "batch", 1, 0, &b, e) ||
			    get_num(file, w2, tj, "median_s", 1, 0, &ti->median_s, e))
				return -1;
			ti->n = (int)n;
			ti->k = (int)k;
			ti->batch = (int)b;
			get_str(tj, "shape", ti->shape, sizeof ti->shape);
			v->n_timings++;
		}
	}
	return 0;
}

int caltable_load(const char *path, struct caltable *t, struct err *e)
{
	char *text;
	cJSON *root;
	const cJSON *prov, *peaks, *vars, *acc, *jv;
	int rc = -1;

	memset(t, 0, sizeof *t);
	if (!(text = slurp(path, e)))
		return -1;
	root = cJSON_Parse(text);
	if (!root) {
		/* cJSON's error pointer is global: copy the position at once */
		const char *ep = cJSON_GetErrorPtr();
		size_t off = ep && ep >= text && ep <= text + strlen(text) ? (size_t)(ep - text) : 0;
		free(text);
		return err_set(e, "%s: byte %zu: expected JSON", path, off);
	}
	free(text);
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
	if (!cJSON_IsString(schema) || strcmp(schema->valuestring, "maasim-calibration/1") != 0) {
		err_set(e, "%s: $.schema: expected \"maasim-calibration/1\"", path);
		goto out;
	}
	prov = cJSON_GetObjectItemCaseSensitive(root, "provenance");
	if (!cJSON_IsObject(prov)) {
		err_set(e, "%s: $.provenance: expected an object", path);
		goto out;
	}
	get_str(prov, "cpu_model", t->cpu_model, sizeof t->cpu_model);
	get_str(prov, "openblas_core", t->openblas_core, sizeof t->openblas_core);
	get_str(prov, "date", t->date, sizeof t->date);
	get_str(prov, "mode", t->mode, sizeof t->mode);
	snprintf(t->provenance, sizeof t->provenance, "calibrated: %.100s, OpenBLAS core %.40s, %.32s (%.16s)",
		 t->cpu_model, t->openblas_core, t->date, t->mode);
	peaks = cJSON_GetObjectItemCaseSensitive(root, "peaks");
	if (!cJSON_IsObject(peaks)) {
		err_set(e, "%s: $.peaks: expected an object", path);
		goto out;
	}
	double g = NAN;
	if (get_num(path, "$.peaks", peaks, "fp32_fma_gflops", 1, 0, &g, e))
		goto out;
	t->fp32_peak_flops = g * 1e9;
	if (get_num(path, "$.peaks", peaks, "int8_gops", 0, 0, &g, e))
		goto out;
	t->int8_peak_ops = g * 1e9;
	if (get_num(path, "$.peaks", peaks, "read_bandwidth_gbs", 0, 0, &g, e))
		goto out;
	t->read_bw_bytes_per_s = g * 1e9;
	acc = cJSON_GetObjectItemCaseSensitive(root, "accuracy");
	t->dense_accuracy = NAN;
	if (acc && get_num(path, "$.accuracy", acc, "dense_accuracy", 0, -1e-300, &t->dense_accuracy, e))
		goto out;
	vars = cJSON_GetObjectItemCaseSensitive(root, "variants");
	if (!cJSON_IsArray(vars) || cJSON_GetArraySize(vars) < 1) {
		err_set(e, "%s: $.variants: expected a non-empty array", path);
		goto out;
	}
	t->variants = xcalloc((size_t)cJSON_GetArraySize(vars), sizeof *t->variants);
	cJSON_ArrayForEach(jv, vars) {
		if (load_variant(path, jv, t->n_variants, t, &t->variants[t->n_variants], e)) {
			t->n_variants++; /* so fini frees its timings */
			goto out;
		}
		for (size_t j = 0; j < t->n_variants; j++)
			if (strcmp(t->variants[j].name, t->variants[t->n_variants].name) == 0) {
				err_set(e, "%s: $.variants[%zu].name: \"%s\" appears twice", path,
					t->n_variants, t->variants[j].name);
				t->n_variants++;
				goto out;
			}
		t->n_variants++;
	}
	rc = 0;
out:
	cJSON_Delete(root);
	if (rc)
		caltable_fini(t);
	return rc;
}

void caltable_fini(struct caltable *t)
{
	for (size_t i = 0; i < t->n_variants; i++)
		free(t->variants[i].timings);
	free(t->variants);
	t->variants = NULL;
	t->n_variants = 0;
}

const struct caltable_variant *caltable_find(const struct caltable *t, const char *name)
{
	for (size_t i = 0; i < t->n_variants; i++)
		if (strcmp(t->variants[i].name, name) == 0)
			return &t->variants[i];
	return NULL;
}

static double clamp_ratio(double r)
{
	return isfinite(r) && r > 0 ? (r < 1 ? r : 1) : 1;
}

int caltable_gpu_factors(const struct caltable_variant *v, const struct caltable_gpu_node *node,
			 double tokens, struct caltable_gpu_factors *out, struct err *e)
{
	if (!v->supported)
		return err_set(e, "variant %s: not supported by the calibration table", v->name);
	if (!(node->peak_flops > 0) || !(node->bandwidth_bytes_per_s > 0) || !(tokens > 0))
		return err_set(e, "variant %s: GPU roofline needs peak_flops, bandwidth and tokens > 0",
			       v->name);
	if (!isfinite(v->flop_factor) || !isfinite(v->gpu_bits_per_weight))
		return err_set(e, "variant %s: the table has no flop_factor/gpu_bits_per_weight",
			       v->name);
	const double bw = node->bandwidth_bytes_per_s, f = node->peak_flops;
	double rate = f;
	if (strcmp(v->name, "int8") == 0 && node->peak_int8_ops > 0)
		rate = node->peak_int8_ops;
	else if (strcmp(v->name, "sparse24") == 0 && node->sparse24_speedup > 1)
		rate = f * node->sparse24_speedup;
	/* per dense parameter: bytes moved and FLOPs done in one step */
	const double t_dense = fmax(2.0 / bw, 2.0 * tokens / f);
	const int measured = node->cpu_efficiency_all || strncmp(v->name, "prune", 5) == 0;
	const double bwr = measured ? clamp_ratio(v->bandwidth_ratio) : 1;
	const double effr = measured ? clamp_ratio(v->efficiency_ratio) : 1;
	const double t_mem = v->gpu_bits_per_weight / 8.0 / (bw * bwr);
	const double t_cmp = 2.0 * tokens * v->flop_factor / (rate * effr);
	out->time_factor = fmax(t_mem, t_cmp) / t_dense;
	out->memory_factor = v->gpu_bits_per_weight / 16.0;
	out->bound = t_cmp > t_mem;
	return 0;
}
