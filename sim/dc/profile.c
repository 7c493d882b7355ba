/* profile.c — LLM serving profiles: built-ins from Splitwise and ML.ENERGY, checks, queries.
 *
 * Built-in profiles are assembled here from three things: the measured knots generated into
 * profile_table.c, a small table of model architectures (layers, KV heads, head dimension,
 * parameters: from each model's published config), and a small table of GPU facts (memory,
 * Splitwise per-GPU phase power, dense BF16 peak). Provenance of every figure is in the comment
 * next to it and in the profile's `source` string: measured, modelled or assumed.
 *
 * Invariant of a struct profile: its config passed profile_config_check, so every curve is
 * sorted with positive x and y >= 0, and the KV capacity is positive. Queries never fail; out
 * of range they clamp and count (see profile.h).
 */
#include "dc/profile.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "dc/profile_table.h"
#include "engine/xalloc.h"

/* Decode batches 0..max_batch per power state: the step time and the node power
 * (struct profile_decode_row, profile.h), tabulated at profile_new because the batcher asks for
 * them on every admission and completion. An entry whose batch lies outside the measured range
 * is marked, and its lookup takes the evaluating path, which counts the extrapolation and warns
 * as before: the numbers are the same, bit for bit, with or without the table. */

struct profile {
	struct profile_config c;
	double kv_tokens;
	long extrapolations;
	int warned;
	FILE *warn;
	struct profile_decode_row *tab;   /* [ps * tab_n + batch] */
	int tab_n;                /* batches 0..tab_n-1: max_batch + 1, at most TAB_MAX */
	/* one prompt's prefill time by integer token count (pf_build), filled as asked: 0 = not
	 * yet; entries below pf.lo (the curve's first point) and from pf.n on are never used;
	 * pf.bf1 = 1 x prefill_batch_factor(1), unclamped */
	struct profile_prefill_tab pf;
};

/* The table covers batches up to this many (24 bytes an entry and power state); a profile
 * with a larger max_batch (the loader accepts up to 1e9) evaluates the larger batches. */
#define TAB_MAX 4096

static void tab_build(struct profile *p);
static void pf_build(struct profile *p);

/* --- facts ---------------------------------------------------------------------------------- */

/* Model architectures. KV bytes per token = 2 (K and V) * layers * kv_heads * head_dim * 2 bytes
 * (bf16/fp16 cache, vLLM's default kv-cache dtype "auto" even for fp8 weights). Parameter
 * counts in billions from the model cards. */
struct model_meta {
	const char *key;        /* Splitwise model name or Hugging Face id */
	const char *short_name;
	double params_b;        /* total parameters, 1e9 */
	double active_b;        /* parameters active per token (MoE), 1e9 */
	int layers, kv_heads, head_dim;
};

static const struct model_meta models[] = {
	/* Llama-2-70B config.json: 80 layers, 8 KV heads (GQA), head dim 8192/64 = 128; 69.0e9 */
	{ "llama2-70b", "llama2-70b", 68.98, 68.98, 80, 8, 128 },
	/* BLOOM-176B config.json: 70 layers, 112 heads (multi-head, no GQA), hidden 14336 -> 128 */
	{ "bloom-176b", "bloom-176b", 176.25, 176.25, 70, 112, 128 },
	/* Llama-3.1 config.json: 8B 32 layers; 70B 80; 405B 126; all 8 KV heads, head dim 128 */
	{ "meta-llama/Llama-3.1-8B-Instruct", "llama3.1-8b", 8.03, 8.03, 32, 8, 128 },
	{ "meta-llama/Llama-3.1-70B-Instruct", "llama3.1-70b", 70.55, 70.55, 80, 8, 128 },
	{ "meta-llama/Llama-3.3-70B-Instruct", "llama3.3-70b", 70.55, 70.55, 80, 8, 128 },
	{ "meta-llama/Llama-3.1-405B-Instruct", "llama3.1-405b", 405.85, 405.85, 126, 8, 128 },
	{ "meta-llama/Llama-3.1-405B-Instruct-FP8", "llama3.1-405b-fp8", 405.85, 405.85, 126, 8, 128 },
	/* Qwen3 config.json: 8B 36 layers, 14B 40, 32B 64 (8 KV heads); 30B-A3B 48, 235B-A22B 94
	 * (4 KV heads); head dim 128 throughout. Parameters from the model cards. */
	{ "Qwen/Qwen3-8B", "qwen3-8b", 8.19, 8.19, 36, 8, 128 },
	{ "Qwen/Qwen3-14B", "qwen3-14b", 14.77, 14.77, 40, 8, 128 },
	{ "Qwen/Qwen3-32B", "qwen3-32b", 32.76, 32.76, 64, 8, 128 },
	{ "Qwen/Qwen3-30B-A3B-Instruct-2507", "qwen3-30b-a3b", 30.53, 3.35, 48, 4, 128 },
	{ "Qwen/Qwen3-235B-A22B-Instruct-2507", "qwen3-235b-a22b", 235.09, 22.0, 94, 4, 128 },
	{ "Qwen/Qwen3-235B-A22B-Instruct-2507-FP8", "qwen3-235b-a22b-fp8", 235.09, 22.0, 94, 4, 128 },
};

struct gpu_meta {
	const char *key;        /* Splitwise hardware name or ML.ENERGY gpu_model */
	const char *short_name;
	double mem_bytes;       /* per GPU */
	double idle_w, prefill_w, decode_w; /* per GPU */
	double cap_w;           /* per-GPU cap of a power-capped SKU, 0 = none */
	double bf16_tflops;     /* dense BF16 peak */
};

static const struct gpu_meta gpus[] = {
	/* 80 GiB: splitwise-sim configs/hardware_repo/processors/h100-80gb.yaml etc. (memory_size 85899345920).
	 * Idle/prefill/decode W: splitwise-sim configs/power_model/constant.yaml (Patel et al.,
	 * ISCA 2024). Dense BF16 peak: NVIDIA A100 (312 TFLOPS) and H100 SXM (989) datasheets. */
	{ "a100-80gb", "a100", 85899345920.0, 63, 400, 250, 0, 312 },
	{ "h100-80gb", "h100", 85899345920.0, 75, 700, 380, 0, 989 },
	/* Power-capped H100: the DGX-H100 SKU drops from 10.2 kW to 7.14 kW (splitwise-sim
	 * skus/dgx-h100.yaml, dgx-h100-pcap.yaml), i.e. 70%; modelled as a 0.7 * 700 = 490 W per-GPU cap, which binds
	 * in prefill only (decode draws 380 W). */
	{ "h100-80gb-pcap", "h100pcap", 85899345920.0, 75, 490, 380, 490, 989 },
	{ "H100", "h100", 85899345920.0, 75, 700, 380, 0, 989 },
	/* B200: 180 GB per GPU (NVIDIA DGX B200: 1,440 GB for 8 GPUs); dense BF16 2,250 TFLOPS
	 * (NVIDIA B200 datasheet, 4.5 PFLOPS with sparsity). Idle 107 W is ASSUMED: the H100's
	 * measured 75 W scaled by TDP, 1000/700 W. Prefill/decode W unused (ML.ENERGY measures
	 * power). */
	{ "B200", "b200", 180e9, 107, 1000, 1000, 0, 2250 },
};

/* Host CPU + DRAM power as a fraction of accelerator power: Google, "Measuring the
 * environmental impact of AI inference" (2025): of a median Gemini prompt's energy, 58% is
 * accelerators and 25% host CPU and DRAM (measured fleet shares; using the ratio of energies as
 * a ratio of powers is our modelling step). */
#define HOST_FRAC (25.0 / 58.0)
/* vLLM's default gpu_memory_utilization (vLLM engine arguments documentation). */
#define MEM_UTIL 0.9
/* ASSUMED sleep: GPUs release the model and idle bare; host in a low-power state. "Model
 * Parking Tax" (arXiv 2605.23918, secondary) puts a held CUDA context at +26..50 W over bare
 * idle per H100/A100, 35-65% of the 75 W idle; we take half the idle replica power. */
#define SLEEP_FRAC_OF_IDLE 0.5
/* ASSUMED sleep -> idle: weights back from host DRAM over PCIe Gen5 (~25 GB/s per GPU, 35 GB
 * per GPU for 70B/4 GPUs: under 2 s) plus engine re-initialisation (CUDA graphs, ~15 s). */
#define WAKE_SLEEP_S 20.0
/* ASSUMED off: BMC/standby power of a server, 20 W. Off -> idle: POST and OS boot ~150 s,
 * weights from NVMe (~140 GB at 2-3 GB/s, ~60 s), engine warm-up ~30 s, rounded to 300 s. */
#define OFF_W 20.0
#define WAKE_OFF_S 300.0
/* "From Words to Watts" (Samsi et al., HPEC 2023, secondary summary): capping GPU power from
 * 250 to 175 W (70%) cut energy ~23% for ~6-7% more latency: time x1.065, power x0.77/1.065. */
#define W2W_TIME 1.065
#define W2W_POWER (0.77 / 1.065)

static const struct model_meta *model_find(const char *key)
{
	for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
		if (strcmp(models[i].key, key) == 0)
			return &models[i];
	return NULL;
}

static const struct gpu_meta *gpu_find(const char *key)
{
	for (size_t i = 0; i < sizeof gpus / sizeof gpus[0]; i++)
		if (strcmp(gpus[i].key, key) == 0)
			return &gpus[i];
	return NULL;
}

static double kv_bytes(const struct model_meta *m)
{
	return 2.0 * m->layers * m->kv_heads * m->head_dim * 2.0;
}

/* --- built-in enumeration ------------------------------------------------------------------- */

/* Index space: Splitwise tables first, then ML.ENERGY tables whose model is in models[]. */
static int builtin_locate(size_t i, const struct profile_sw_table **sw,
	const struct profile_mle_table **mle)
{
	*sw = NULL;
	*mle = NULL;
	if (i < profile_sw_count) {
		*sw = &profile_sw_tables[i];
		return 0;
	}
	i -= profile_sw_count;
	for (size_t k = 0; k < profile_mle_count; k++) {
		if (!model_find(profile_mle_tables[k].model_id))
			continue;
		if (i == 0) {
			*mle = &profile_mle_tables[k];
			return 0;
		}
		i--;
	}
	return -1;
}

size_t profile_builtin_count(void)
{
	size_t n = profile_sw_count;
	for (size_t k = 0; k < profile_mle_count; k++)
		if (model_find(profile_mle_tables[k].model_id))
			n++;
	return n;
}

static void sw_name(const struct profile_sw_table *t, char *buf, size_t n)
{
	const struct gpu_meta *g = gpu_find(t->hw);
	snprintf(buf, n, "%s-%s-tp%d", g ? g->short_name : t->hw, t->model, t->tp);
}

static void mle_name(const struct profile_mle_table *t, char *buf, size_t n)
{
	const struct gpu_meta *g = gpu_find(t->gpu);
	const struct model_meta *m = model_find(t->model_id);
	if (t->ep > 1)
		snprintf(buf, n, "%s-%s-ep%d", g ? g->short_name : t->gpu, m->short_name, t->ep);
	else
		snprintf(buf, n, "%s-%s-tp%d", g ? g->short_name : t->gpu, m->short_name, t->tp);
}

int profile_builtin_name(size_t i, char *buf, size_t n, char *doc, size_t doc_n)
{
	const struct profile_sw_table *sw;
	const struct profile_mle_table *mle;
	if (builtin_locate(i, &sw, &mle) < 0)
		return -1;
	if (sw) {
		sw_name(sw, buf, n);
		if (doc)
			snprintf(doc, doc_n, "%s on %d x %s, Splitwise profiling (ISCA 2024): "
				"prefill/decode %s, power Splitwise constants", sw->model, sw->tp,
				sw->hw, strstr(sw->hw, "pcap") ? "derived in the data (prefill 1.30 x "
				"H100, decode equal)" : "measured");
	} else {
		mle_name(mle, buf, n);
		if (doc)
			snprintf(doc, doc_n, "%s (%s) on %d x %s, ML.ENERGY v3 chat: throughput and "
				"GPU power measured at %d batch sizes", mle->model_id, mle->precision,
				mle->n_gpus, mle->gpu, mle->n);
	}
	return 0;
}

/* --- building configs ------------------------------------------------------------------------ */

static void curve_set(struct profile_curve *c, int n, const double *x, const double *y,
	double yscale)
{
	c->n = n < PROFILE_KNOTS_MAX ? n : PROFILE_KNOTS_MAX;
	for (int i = 0; i < c->n; i++) {
		c->x[i] = x[i];
		c->y[i] = y[i] * yscale;
	}
}

static void pstate_set(struct profile_pstate *s, const char *name, double pre, double dec,
	double pow, double cap, const char *source)
{
	snprintf(s->name, sizeof s->name, "%s", name);
	s->prefill_time_scale = pre;
	s->decode_time_scale = dec;
	s->power_scale = pow;
	s->gpu_cap_w = cap;
	snprintf(s->source, sizeof s->source, "%s", source);
}

static void common_tail(struct profile_config *c, const struct model_meta *m,
	const struct gpu_meta *g, double bytes_per_param)
{
	snprintf(c->model, sizeof c->model, "%s", m->short_name);
	snprintf(c->gpu, sizeof c->gpu, "%s", g->short_name);
	c->idle_gpu_power_w = g->idle_w * c->n_gpus;
	c->gpu_mem_bytes = g->mem_bytes;
	c->mem_util = MEM_UTIL;
	c->weight_bytes = m->params_b * 1e9 * bytes_per_param;
	c->kv_bytes_per_token = kv_bytes(m);
	c->host_frac = HOST_FRAC;
	c->sleep_power_w = SLEEP_FRAC_OF_IDLE * c->idle_gpu_power_w * (1.0 + HOST_FRAC);
	c->off_power_w = OFF_W;
	c->wake_sleep_s = WAKE_SLEEP_S;
	c->wake_off_s = WAKE_OFF_S;
	c->n_pstates = 2;
	pstate_set(&c->pstates[0], "nominal", 1, 1, 1, 0, "no cap");
	pstate_set(&c->pstates[1], "cap-w2w", W2W_TIME, W2W_TIME, W2W_POWER, 0,
		"From Words to Watts (Samsi et al., HPEC 2023; secondary): 70% cap, "
		"-23% energy, +6.5% latency");
}

static const struct profile_sw_table *sw_find(const char *model, const char *hw, int tp)
{
	for (size_t i = 0; i < profile_sw_count; i++) {
		const struct profile_sw_table *t = &profile_sw_tables[i];
		if (strcmp(t->model, model) == 0 && strcmp(t->hw, hw) == 0 && t->tp == tp)
			return t;
	}
	return NULL;
}

/* Mean ratio of the y values of a to b at the x values both have. */
static double knot_ratio(int na, const double *ax, const double *ay, int nb, const double *bx,
	const double *by)
{
	double s = 0;
	int k = 0;
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nb; j++)
			if (ax[i] == bx[j] && by[j] > 0) {
				s += ay[i] / by[j];
				k++;
			}
	return k ? s / k : 1.0;
}

static void build_sw(const struct profile_sw_table *t, struct profile_config *c)
{
	const struct model_meta *m = model_find(t->model);
	const struct gpu_meta *g = gpu_find(t->hw);
	memset(c, 0, sizeof *c);
	sw_name(t, c->name, sizeof c->name);
	/* The h100-80gb-pcap rows of the source are not an independent measurement: every
	 * prompt_time is exactly 1.30 x the h100-80gb row's and token_time is identical (checked
	 * over all 420 rows): the Splitwise authors' model of a power-capped H100. */
	snprintf(c->source, sizeof c->source, "%s: Splitwise perf_model.csv (Patel et al., "
		"ISCA 2024) %s %s TP%d prompt_time/token_time; power: splitwise-sim "
		"constant.yaml per-GPU idle/prefill/decode", strstr(t->hw, "pcap") ?
		"derived in the source (prefill 1.30 x H100)" : "measured", t->model, t->hw, t->tp);
	c->n_gpus = t->tp;
	c->tp = t->tp;
	c->prefill_mode = PROFILE_PREFILL_STALL;
	curve_set(&c->prefill_s, t->n_prefill, t->prefill_tokens, t->prefill_s, 1.0);
	curve_set(&c->prefill_batch_factor, t->n_decode, t->decode_batch, t->prefill_batch_s, 1.0);
	for (int i = 0; i < c->prefill_batch_factor.n; i++) /* decode_batch[0] is batch 1 */
		c->prefill_batch_factor.y[i] /= c->prefill_batch_factor.x[i] * t->prefill_batch_s[0];
	curve_set(&c->decode_step_s, t->n_decode, t->decode_batch, t->decode_step_s, 1.0);
	c->decode_gpu_power_w.n = 1;
	c->decode_gpu_power_w.x[0] = 1;
	c->decode_gpu_power_w.y[0] = g->decode_w * t->tp;
	c->prefill_gpu_power_w = g->prefill_w * t->tp;
	c->max_batch = (int)t->decode_batch[t->n_decode - 1];
	common_tail(c, m, g, 2.0); /* fp16 weights: splitwise-sim model_repo sizes, fp16 */
	if (strcmp(t->hw, "h100-80gb") == 0) {
		const struct profile_sw_table *cap = sw_find(t->model, "h100-80gb-pcap", t->tp);
		if (cap) {
			double pre = knot_ratio(cap->n_prefill, cap->prefill_tokens, cap->prefill_s,
				t->n_prefill, t->prefill_tokens, t->prefill_s);
			double dec = knot_ratio(cap->n_decode, cap->decode_batch, cap->decode_step_s,
				t->n_decode, t->decode_batch, t->decode_step_s);
			pstate_set(&c->pstates[2], "pcap", pre, dec, 1.0, 490.0,
				"measured time ratios, Splitwise h100-80gb-pcap vs h100-80gb; 490 W/GPU "
				"cap modelled from the 7.14/10.2 kW DGX-H100 SKUs");
			c->n_pstates = 3;
		}
	}
}

static void build_mle(const struct profile_mle_table *t, struct profile_config *c)
{
	const struct model_meta *m = model_find(t->model_id);
	const struct gpu_meta *g = gpu_find(t->gpu);
	memset(c, 0, sizeof *c);
	mle_name(t, c->name, sizeof c->name);
	c->n_gpus = t->n_gpus;
	c->tp = t->tp;
	c->prefill_mode = PROFILE_PREFILL_FOLDED;
	curve_set(&c->decode_step_s, t->n, t->batch, t->step_s, 1.0);
	curve_set(&c->decode_gpu_power_w, t->n, t->batch, t->power_w, 1.0);
	/* Prefill (for time to first token only; FOLDED mode) is MODELLED: the measured Splitwise
	 * llama2-70b H100 prefill curve at the same GPU count (TP2 scaled by 2/n for one GPU),
	 * scaled by active parameters (FLOPs per token) and by dense BF16 peak. */
	int ref_tp = (t->n_gpus == 4 || t->n_gpus == 8) ? t->n_gpus : 2;
	const struct profile_sw_table *ref = sw_find("llama2-70b", "h100-80gb", ref_tp);
	double f = (m->active_b / 68.98) * ((double)ref_tp / t->n_gpus) * (989.0 / g->bf16_tflops);
	if (ref)
		curve_set(&c->prefill_s, ref->n_prefill, ref->prefill_tokens, ref->prefill_s, f);
	/* FOLDED: prefill is chunked into the decode steps; no separate batch effect. */
	c->prefill_batch_factor.n = 1;
	c->prefill_batch_factor.x[0] = 1;
	c->prefill_batch_factor.y[0] = 1;
	double pmax = 0;
	for (int i = 0; i < t->n; i++)
		if (t->power_w[i] > pmax)
			pmax = t->power_w[i];
	/* ASSUMED: a replica prefilling alone draws the highest power measured while serving. */
	c->prefill_gpu_power_w = pmax;
	c->max_batch = (int)ceil(t->batch[t->n - 1] - 1e-9);
	common_tail(c, m, g, strcmp(t->precision, "fp8") == 0 ? 1.0 : 2.0);
	snprintf(c->source, sizeof c->source, "measured: ML.ENERGY v3 lm-arena-chat (Chung et al., "
		"NeurIPS D&B 2025) %s %dx%s: step = batch/throughput, GPU power; prefill modelled "
		"(Splitwise llama2-70b H100 x %.3g)", t->model_id, t->n_gpus, t->gpu, f);
}

/* Edit distance of a and b (both shorter than PROFILE_NAME_MAX), for the did-you-mean hint. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[PROFILE_NAME_MAX + 1];
	if (la > PROFILE_NAME_MAX || lb > PROFILE_NAME_MAX)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

int profile_builtin(const char *name, struct profile_config *out, struct err *e)
{
	size_t n = profile_builtin_count();
	char buf[PROFILE_NAME_MAX];
	for (size_t i = 0; i < n; i++) {
		profile_builtin_name(i, buf, sizeof buf, NULL, 0);
		if (strcmp(buf, name) != 0)
			continue;
		const struct profile_sw_table *sw;
		const struct profile_mle_table *mle;
		builtin_locate(i, &sw, &mle);
		if (sw)
			build_sw(sw, out);
		else
			build_mle(mle, out);
		return 0;
	}
	char list[300]; /* short enough for the loader to add the JSON path and a hint */
	char best[PROFILE_NAME_MAX] = "";
	size_t used = 0, best_d = 4; /* suggest only names within 3 edits */
	list[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		profile_builtin_name(i, buf, sizeof buf, NULL, 0);
		size_t d = edit_distance(name, buf);
		if (d < best_d) {
			best_d = d;
			snprintf(best, sizeof best, "%s", buf);
		}
	}
	if (best[0])
		return err_set(e, "unknown serving profile \"%s\"; did you mean \"%s\"? "
			"(`maasim list` shows all)", name, best);
	for (size_t i = 0; i < n; i++) {
		profile_builtin_name(i, buf, sizeof buf, NULL, 0);
		if (used + strlen(buf) + 8 >= sizeof list) {
			snprintf(list + used, sizeof list - used, ", ...");
			break;
		}
		used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", buf);
	}
	return err_set(e, "unknown serving profile \"%s\"; built-in profiles are: %s "
		"(`maasim list` shows all)", name, list);
}

/* --- scenario overrides --------------------------------------------------------------------- */

#define NUM_KEYS "n_gpus, tp, max_batch, gpu_mem_gb, mem_util, weights_gb, kv_bytes_per_token, " \
	"prefill_power_w, idle_power_w, host_frac, sleep_power_w, off_power_w, wake_sleep_s, " \
	"wake_off_s"
#define CURVE_KEYS "prefill_s, prefill_batch_factor, decode_step_s, decode_power_w"

static int set_int(int *dst, const char *key, double v, struct err *e)
{
	if (!(v >= 1 && v <= 1e9 && v == floor(v)))
		return err_set(e, "%s: expected an integer >= 1, got %g", key, v);
	*dst = (int)v;
	return 0;
}

int profile_config_set_num(struct profile_config *c, const char *key, double v, struct err *e)
{
	struct { const char *k; double *dst; double scale; } nums[] = {
		{ "gpu_mem_gb", &c->gpu_mem_bytes, 1e9 },
		{ "mem_util", &c->mem_util, 1 },
		{ "weights_gb", &c->weight_bytes, 1e9 },
		{ "kv_bytes_per_token", &c->kv_bytes_per_token, 1 },
		{ "prefill_power_w", &c->prefill_gpu_power_w, 1 },
		{ "idle_power_w", &c->idle_gpu_power_w, 1 },
		{ "host_frac", &c->host_frac, 1 },
		{ "sleep_power_w", &c->sleep_power_w, 1 },
		{ "off_power_w", &c->off_power_w, 1 },
		{ "wake_sleep_s", &c->wake_sleep_s, 1 },
		{ "wake_off_s", &c->wake_off_s, 1 },
	};
	if (!isfinite(v))
		return err_set(e, "%s: expected a finite number", key);
	if (strcmp(key, "n_gpus") == 0)
		return set_int(&c->n_gpus, key, v, e);
	if (strcmp(key, "tp") == 0)
		return set_int(&c->tp, key, v, e);
	if (strcmp(key, "max_batch") == 0)
		return set_int(&c->max_batch, key, v, e);
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
		if (strcmp(key, nums[i].k) == 0) {
			if (!(v >= 0))
				return err_set(e, "%s: expected a number >= 0, got %g", key, v);
			*nums[i].dst = v * nums[i].scale;
			return 0;
		}
	return err_set(e, "%s: unknown profile key; expected one of: " NUM_KEYS ", " CURVE_KEYS
		", prefill_mode, kv_admission, source", key);
}

int profile_config_set_curve(struct profile_config *c, const char *key, int n, const double *x,
	const double *y, struct err *e)
{
	struct profile_curve *dst = NULL;
	if (strcmp(key, "prefill_s") == 0)
		dst = &c->prefill_s;
	else if (strcmp(key, "prefill_batch_factor") == 0)
		dst = &c->prefill_batch_factor;
	else if (strcmp(key, "decode_step_s") == 0)
		dst = &c->decode_step_s;
	else if (strcmp(key, "decode_power_w") == 0)
		dst = &c->decode_gpu_power_w;
	else
		return err_set(e, "%s: unknown profile table; expected one of: " CURVE_KEYS, key);
	if (n < 1 || n > PROFILE_KNOTS_MAX)
		return err_set(e, "%s: expected 1..%d [x, y] pairs, got %d", key, PROFILE_KNOTS_MAX,
			n);
	for (int i = 0; i < n; i++) {
		if (!(x[i] > 0) || !isfinite(x[i]) || !(y[i] >= 0) || !isfinite(y[i]))
			return err_set(e, "%s[%d]: expected [x > 0, y >= 0], got [%g, %g]", key, i,
				x[i], y[i]);
		if (i > 0 && !(x[i] > x[i - 1]))
			return err_set(e, "%s[%d]: expected x increasing, got %g after %g", key, i,
				x[i], x[i - 1]);
	}
	curve_set(dst, n, x, y, 1.0);
	return 0;
}

int profile_config_set_str(struct profile_config *c, const char *key, const char *v,
	struct err *e)
{
	if (strcmp(key, "prefill_mode") == 0) {
		if (strcmp(v, "stall") == 0)
			c->prefill_mode = PROFILE_PREFILL_STALL;
		else if (strcmp(v, "folded") == 0)
			c->prefill_mode = PROFILE_PREFILL_FOLDED;
		else
			return err_set(e, "prefill_mode: expected \"stall\" or \"folded\", got "
				"\"%s\"", v);
		return 0;
	}
	if (strcmp(key, "kv_admission") == 0) {
		if (strcmp(v, "reserve") == 0)
			c->kv_admission = PROFILE_KV_RESERVE;
		else if (strcmp(v, "paged") == 0)
			c->kv_admission = PROFILE_KV_PAGED;
		else
			return err_set(e, "kv_admission: expected \"reserve\" or \"paged\", got \"%s\"",
				v);
		return 0;
	}
	if (strcmp(key, "source") == 0) {
		snprintf(c->source, sizeof c->source, "%s", v);
		return 0;
	}
	return err_set(e, "%s: expected a number or a table (strings only for prefill_mode, "
		"kv_admission, source), got \"%s\"", key, v);
}

/* --- checking -------------------------------------------------------------------------------- */

/* Every message starts with the offending key as a JSON-path fragment under the profile
 * ("max_batch", "decode_step_s[2]", "pstates[1]"), so the scenario loader joins it to the
 * profile's path ("$.datacenter.node_types.gpu.profile" + "." + message); then what was
 * expected and what it got, once. */

static int curve_check(const struct profile_curve *k, const char *field, struct err *e)
{
	if (k->n < 1 || k->n > PROFILE_KNOTS_MAX)
		return err_set(e, "%s: expected 1..%d [x, y] pairs, got %d", field, PROFILE_KNOTS_MAX,
			k->n);
	for (int i = 0; i < k->n; i++) {
		if (!(k->x[i] > 0) || !isfinite(k->x[i]) || !(k->y[i] >= 0) || !isfinite(k->y[i]))
			return err_set(e, "%s[%d]: expected [x > 0, y >= 0], got [%g, %g]", field, i,
				k->x[i], k->y[i]);
		if (i > 0 && !(k->x[i] > k->x[i - 1]))
			return err_set(e, "%s[%d]: expected x increasing, got %g after %g", field, i,
				k->x[i], k->x[i - 1]);
	}
	return 0;
}

/* Every y of a curve > 0 (times, factors): what names it in the message. */
static int curve_pos(const struct profile_curve *k, const char *field, const char *what,
	struct err *e)
{
	for (int i = 0; i < k->n; i++)
		if (!(k->y[i] > 0))
			return err_set(e, "%s[%d]: expected %s > 0, got %g", field, i, what, k->y[i]);
	return 0;
}

static int nonneg(double v, const char *field, struct err *e)
{
	if (!(v >= 0) || !isfinite(v))
		return err_set(e, "%s: expected a number >= 0, got %g", field, v);
	return 0;
}

int profile_config_check(const struct profile_config *c, struct err *e)
{
	if (c->name[0] == '\0')
		return err_set(e, "name: expected a non-empty name");
	if (c->n_gpus < 1)
		return err_set(e, "n_gpus: expected an integer >= 1, got %d", c->n_gpus);
	if (c->tp < 1 || c->tp > c->n_gpus)
		return err_set(e, "tp: expected an integer in 1..n_gpus (%d), got %d", c->n_gpus,
			c->tp);
	if (c->prefill_mode != PROFILE_PREFILL_STALL && c->prefill_mode != PROFILE_PREFILL_FOLDED)
		return err_set(e, "prefill_mode: expected \"stall\" or \"folded\"");
	if (c->kv_admission != PROFILE_KV_RESERVE && c->kv_admission != PROFILE_KV_PAGED)
		return err_set(e, "kv_admission: expected \"reserve\" or \"paged\"");
	if (curve_check(&c->prefill_s, "prefill_s", e) ||
	    curve_check(&c->prefill_batch_factor, "prefill_batch_factor", e) ||
	    curve_check(&c->decode_step_s, "decode_step_s", e) ||
	    curve_check(&c->decode_gpu_power_w, "decode_power_w", e) ||
	    curve_pos(&c->prefill_s, "prefill_s", "a time (y)", e) ||
	    curve_pos(&c->decode_step_s, "decode_step_s", "a time (y)", e))
		return -1;
	if (c->max_batch < 1)
		return err_set(e, "max_batch: expected an integer >= 1, got %d", c->max_batch);
	if (nonneg(c->prefill_gpu_power_w, "prefill_power_w", e) ||
	    nonneg(c->idle_gpu_power_w, "idle_power_w", e) ||
	    nonneg(c->weight_bytes / 1e9, "weights_gb", e) ||
	    nonneg(c->host_frac, "host_frac", e) ||
	    nonneg(c->sleep_power_w, "sleep_power_w", e) ||
	    nonneg(c->off_power_w, "off_power_w", e) ||
	    nonneg(c->wake_sleep_s, "wake_sleep_s", e) ||
	    nonneg(c->wake_off_s, "wake_off_s", e))
		return -1;
	if (!(c->gpu_mem_bytes > 0) || !isfinite(c->gpu_mem_bytes))
		return err_set(e, "gpu_mem_gb: expected a number > 0, got %g", c->gpu_mem_bytes / 1e9);
	if (!(c->kv_bytes_per_token > 0) || !isfinite(c->kv_bytes_per_token))
		return err_set(e, "kv_bytes_per_token: expected a number > 0, got %g",
			c->kv_bytes_per_token);
	/* physical ranges: the host share of Google's fleet is 25/58 = 0.43 of the accelerators'
	 * (REFERENCES.md), so 2 is far beyond any real host; no replica draws a megawatt */
	if (!(c->host_frac <= 2))
		return err_set(e, "host_frac: expected a fraction of GPU power in [0, 2], got %g",
			c->host_frac);
	{
		const struct { const char *k; double w; } pw[] = {
			{ "prefill_power_w", c->prefill_gpu_power_w },
			{ "idle_power_w", c->idle_gpu_power_w },
			{ "sleep_power_w", c->sleep_power_w },
			{ "off_power_w", c->off_power_w },
		};
		for (size_t i = 0; i < sizeof pw / sizeof pw[0]; i++)
			if (!(pw[i].w <= 1e6))
				return err_set(e, "%s: expected at most 1e6 W per replica, got %g",
					pw[i].k, pw[i].w);
	}
	for (int i = 0; i < c->decode_gpu_power_w.n; i++)
		if (!(c->decode_gpu_power_w.y[i] <= 1e6))
			return err_set(e, "decode_power_w[%d]: expected at most 1e6 W per replica, got %g",
				i, c->decode_gpu_power_w.y[i]);
	if (curve_pos(&c->prefill_batch_factor, "prefill_batch_factor", "a factor (y)", e))
		return -1;
	for (int i = 0; i < c->prefill_batch_factor.n; i++)
		if (c->prefill_batch_factor.x[i] != floor(c->prefill_batch_factor.x[i]) ||
		    c->prefill_batch_factor.x[i] < 1)
			return err_set(e, "prefill_batch_factor[%d]: expected a whole batch size >= 1 (x), got %g",
				i, c->prefill_batch_factor.x[i]);
	if (!(c->mem_util > 0 && c->mem_util <= 1))
		return err_set(e, "mem_util: expected a fraction in (0, 1], got %g", c->mem_util);
	double free_b = c->n_gpus * c->gpu_mem_bytes * c->mem_util - c->weight_bytes;
	if (!(free_b >= c->kv_bytes_per_token))
		return err_set(e, "weights_gb: expected weights that leave room for a KV cache in "
			"%d x %.1f GB at mem_util %g, got %.1f GB (they do not leave room for a KV cache)",
			c->n_gpus, c->gpu_mem_bytes / 1e9, c->mem_util, c->weight_bytes / 1e9);
	if (c->n_pstates < 1 || c->n_pstates > PROFILE_PSTATES_MAX)
		return err_set(e, "pstates: expected 1..%d states, got %d", PROFILE_PSTATES_MAX,
			c->n_pstates);
	const struct profile_pstate *s0 = &c->pstates[0];
	if (s0->prefill_time_scale != 1 || s0->decode_time_scale != 1 || s0->power_scale != 1 ||
	    s0->gpu_cap_w != 0)
		return err_set(e, "pstates[0]: expected the nominal state (factors 1, no cap)");
	for (int i = 0; i < c->n_pstates; i++) {
		const struct profile_pstate *s = &c->pstates[i];
		if (s->name[0] == '\0' || !(s->prefill_time_scale > 0) ||
		    !(s->decode_time_scale > 0) || !(s->power_scale > 0) || !(s->gpu_cap_w >= 0) ||
		    !isfinite(s->prefill_time_scale) || !isfinite(s->decode_time_scale) ||
		    !isfinite(s->power_scale) || !isfinite(s->gpu_cap_w))
			return err_set(e, "pstates[%d]: expected a name and finite factors > 0 (cap >= 0)",
				i);
	}
	return 0;
}

/* --- the object ------------------------------------------------------------------------------ */

struct profile *profile_new(const struct profile_config *c, struct err *e)
{
	if (profile_config_check(c, e) < 0) {
		err_prefix(e, "profile %s", c->name);
		return NULL;
	}
	struct profile *p = xcalloc(1, sizeof *p);
	p->c = *c;
	p->kv_tokens = floor((c->n_gpus * c->gpu_mem_bytes * c->mem_util - c->weight_bytes) /
		c->kv_bytes_per_token);
	p->warn = stderr;
	tab_build(p);
	pf_build(p);
	return p;
}

void profile_free(struct profile *p)
{
	if (p) {
		free(p->tab);
		free(p->pf.t);
	}
	free(p);
}

const struct profile_config *profile_config_of(const struct profile *p)
{
	return &p->c;
}

void profile_set_warn_stream(struct profile *p, FILE *f)
{
	p->warn = f;
}

long profile_extrapolations(const struct profile *p)
{
	return p->extrapolations;
}

void profile_reset_extrapolations(struct profile *p)
{
	p->extrapolations = 0;
}

/* profile_curve_eval's body, inlined into the evaluating paths (prefill time on every admission). */
static inline double curve_at(const struct profile_curve *c, double x, int log_x, int *clamped)
{
	*clamped = 0;
	if (c->n == 1)
		return c->y[0];
	if (x <= c->x[0]) {
		*clamped = x < c->x[0];
		return c->y[0];
	}
	if (x >= c->x[c->n - 1]) {
		*clamped = x > c->x[c->n - 1];
		return c->y[c->n - 1];
	}
	int lo = 0, hi = c->n - 1; /* x[lo] < x < x[hi] */
	while (hi - lo > 1) {
		int mid = (lo + hi) / 2;
		if (c->x[mid] <= x)
			lo = mid;
		else
			hi = mid;
	}
	double x0 = c->x[lo], x1 = c->x[hi], u = x;
	if (log_x) {
		x0 = log(x0);
		x1 = log(x1);
		u = log(x);
	}
	double t = (u - x0) / (x1 - x0);
	return c->y[lo] + t * (c->y[hi] - c->y[lo]);
}

double profile_curve_eval(const struct profile_curve *c, double x, int log_x, int *clamped)
{
	return curve_at(c, x, log_x, clamped);
}

/* Counts an extrapolation and warns about the first one. */
static __attribute__((noinline, cold)) void note_clamp(struct profile *p,
	const struct profile_curve *c, double x, const char *what)
{
	p->extrapolations++;
	if (!p->warned && p->warn) {
		fprintf(p->warn, "maasim: warning: profile %s: %s %g outside the measured range "
			"[%g, %g]: clamped to the nearest measurement (counted in "
			"profile_extrapolations; further cases are not printed)\n", p->c.name,
			what, x, c->x[0], c->x[c->n - 1]);
	}
	p->warned = 1;
}

static inline double eval(struct profile *p, const struct profile_curve *c, double x, int log_x,
	const char *what)
{
	int clamped;
	double y = curve_at(c, x, log_x, &clamped);
	if (clamped)
		note_clamp(p, c, x, what);
	return y;
}

static const struct profile_pstate *pstate(const struct profile *p, int ps)
{
	if (ps < 0 || ps >= p->c.n_pstates)
		ps = 0;
	return &p->c.pstates[ps];
}

/* The prefill-time table (profile_prefill_s on every admission, usually of one prompt): one
 * prompt of an integer token count inside the measured range, [x[0], x[n-1]], where neither the
 * curve nor the batch factor at 1 is clamped (so nothing is counted as an extrapolation), and
 * at most PF_MAX tokens. An entry is the interpolation curve_at returns, computed on first use,
 * so the time is bit for bit the evaluating path's. No table when the batch factor at 1 is
 * itself an extrapolation or the curve has one point. */
#define PF_MAX 65536

static void pf_build(struct profile *p)
{
	const struct profile_curve *c = &p->c.prefill_s, *bf = &p->c.prefill_batch_factor;
	int clamped;
	double y = curve_at(bf, 1, 0, &clamped), hi = floor(c->x[c->n - 1]);

	if (c->n < 2 || clamped || !(c->x[0] >= 0) || !(hi >= 0))
		return;
	if (hi > PF_MAX - 1)
		hi = PF_MAX - 1;
	p->pf.lo = c->x[0];
	p->pf.n = hi + 1;
	p->pf.bf1 = 1.0 * y; /* batch * eval(batch factor, batch) at batch 1 */
	p->pf.t = xcalloc((size_t)p->pf.n, sizeof *p->pf.t);
}

const struct profile_prefill_tab *profile_prefill_table(const struct profile *p)
{
	return &p->pf;
}

double profile_prefill_fill(struct profile *p, size_t i)
{
	int clamped;
	return p->pf.t[i] = curve_at(&p->c.prefill_s, (double)i, 0, &clamped);
}

double profile_prefill_s(struct profile *p, double tokens, double batch, int ps)
{
	if (batch == 1 && tokens >= p->pf.lo && tokens < p->pf.n) {
		size_t i = (size_t)tokens;
		if ((double)i == tokens) {
			double t = p->pf.t[i];
			if (t == 0) /* not yet (or a zero time, recomputed each time) */
				t = profile_prefill_fill(p, i);
			t *= p->pf.bf1;
			return t * pstate(p, ps)->prefill_time_scale;
		}
	}
	const struct profile_curve *c = &p->c.prefill_s;
	double xmax = c->x[c->n - 1], t;
	if (batch < 1)
		batch = 1;
	double each = tokens / batch;
	if (c->n > 1 && each > xmax)
		t = each / xmax * c->y[c->n - 1]; /* chunks of the largest measured size */
	else
		t = eval(p, c, each, 0, "prefill tokens");
	t *= batch * eval(p, &p->c.prefill_batch_factor, batch, 0, "prefill batch");
	return t * pstate(p, ps)->prefill_time_scale;
}

/* The table entry of an integer decode batch, or NULL (not integer, out of the table). */
static inline const struct profile_decode_row *tab_at(const struct profile *p, double batch,
							      int ps)
{
	if (!(batch >= 0 && batch < p->tab_n) || ps < 0 || ps >= p->c.n_pstates)
		return NULL;
	int n = (int)batch;
	return n == batch ? &p->tab[(size_t)ps * (size_t)p->tab_n + (size_t)n] : NULL;
}

const struct profile_decode_row *profile_decode_rows(const struct profile *p, int ps, int *n)
{
	if (ps < 0 || ps >= p->c.n_pstates) {
		*n = 0;
		return NULL;
	}
	*n = p->tab_n;
	return &p->tab[(size_t)ps * (size_t)p->tab_n];
}

double profile_decode_step_s(struct profile *p, double batch, int ps)
{
	const struct profile_decode_row *d = tab_at(p, batch, ps);

	if (d && !d->step_clamped)
		return d->step_s;
	return eval(p, &p->c.decode_step_s, batch, 0, "decode batch") *
		pstate(p, ps)->decode_time_scale;
}

static double active_power(const struct profile *p, double w, int ps)
{
	const struct profile_pstate *s = pstate(p, ps);
	w *= s->power_scale;
	if (s->gpu_cap_w > 0 && w > s->gpu_cap_w * p->c.n_gpus)
		w = s->gpu_cap_w * p->c.n_gpus;
	return w;
}

double profile_gpu_power_w(struct profile *p, enum profile_phase ph, double batch, int ps)
{
	switch (ph) {
	case PROFILE_OFF:
	case PROFILE_SLEEP:
		return 0;
	case PROFILE_IDLE:
		return p->c.idle_gpu_power_w;
	case PROFILE_PREFILL:
		return active_power(p, p->c.prefill_gpu_power_w, ps);
	case PROFILE_DECODE:
		return active_power(p, eval(p, &p->c.decode_gpu_power_w, batch, 1, "decode batch"),
			ps);
	}
	return 0;
}

double profile_node_power_w(struct profile *p, enum profile_phase ph, double batch, int ps)
{
	if (ph == PROFILE_DECODE) {
		const struct profile_decode_row *d = tab_at(p, batch, ps);
		if (d && !d->power_clamped)
			return d->node_w;
	}
	if (ph == PROFILE_OFF)
		return p->c.off_power_w;
	if (ph == PROFILE_SLEEP)
		return p->c.sleep_power_w;
	return profile_gpu_power_w(p, ph, batch, ps) * (1.0 + p->c.host_frac);
}

double profile_kv_capacity_tokens(const struct profile *p)
{
	return p->kv_tokens;
}

double profile_wake_s(const struct profile *p, enum profile_phase from)
{
	if (from == PROFILE_OFF)
		return p->c.wake_off_s;
	if (from == PROFILE_SLEEP)
		return p->c.wake_sleep_s;
	return 0;
}

double profile_wake_energy_j(struct profile *p, enum profile_phase from)
{
	return profile_wake_s(p, from) * profile_node_power_w(p, PROFILE_IDLE, 0, 0);
}

int profile_pstate_find(const struct profile *p, const char *name)
{
	for (int i = 0; i < p->c.n_pstates; i++)
		if (strcmp(p->c.pstates[i].name, name) == 0)
			return i;
	return -1;
}

/* Fills p->tab through the evaluating functions themselves (so the values are theirs), then
 * undoes the extrapolation counts and the warning that filling caused. */
static void tab_build(struct profile *p)
{
	FILE *warn = p->warn;

	p->tab_n = p->c.max_batch < TAB_MAX ? p->c.max_batch + 1 : TAB_MAX;
	p->tab = xcalloc((size_t)p->c.n_pstates * (size_t)p->tab_n, sizeof *p->tab);
	p->warn = NULL;
	for (int ps = 0; ps < p->c.n_pstates; ps++)
		for (int n = 0; n < p->tab_n; n++) {
			struct profile_decode_row *d = &p->tab[(size_t)ps * (size_t)p->tab_n + (size_t)n];
			long before = p->extrapolations;
			d->step_s = eval(p, &p->c.decode_step_s, n, 0, "decode batch") *
				    pstate(p, ps)->decode_time_scale;
			d->step_clamped = p->extrapolations != before;
			before = p->extrapolations;
			d->node_w = active_power(p, eval(p, &p->c.decode_gpu_power_w, n, 1,
							 "decode batch"), ps) * (1.0 + p->c.host_frac);
			d->power_clamped = p->extrapolations != before;
		}
	p->extrapolations = 0;
	p->warned = 0;
	p->warn = warn;
}
