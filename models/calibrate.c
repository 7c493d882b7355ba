/* calibrate.c — `maasim calibrate`: measure every variant, write the calibration table.
 *
 * Design: one core (OpenBLAS held to 1 thread; our kernels are single-threaded), so figures are
 * per-core and comparable across variants. For every shape, one random weight matrix is built
 * and each variant is derived from it (low-rank uses placeholder factors of the right shape:
 * the time of a product does not depend on the factors' values, and an SVD of a 8192 x 28672
 * matrix would take longer than the whole calibration). Each product is run once to warm up,
 * then repeated until both a minimum count and a minimum time are reached; the median is kept,
 * with the minimum and the spread, because the machine may be shared. Peaks come from
 * hw.h microbenchmarks. The accuracy figures come from models/accuracy.h on real data.
 * Speed-ups (dense time / variant time) are CPU measurements and are labelled so; the GPU
 * mapping lives in sim/io/caltable.h and uses only ratios and efficiencies from here.
 */
#include "models/calibrate.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/xalloc.h"
#include "io/caltable.h"
#include "io/jsonw.h"
#include "io/store.h"
#include "models/accuracy.h"
#include "models/hw.h"
#include "models/kern.h"
#include "models/mrand.h"
#include "models/quant.h"
#include "models/variant.h"

struct shape {
	const char *name;
	int n, k; /* weight rows (output features) x columns (input features) */
};

/* Llama-3-8B: hidden 4096, MLP 14336; Llama-3-70B: hidden 8192, MLP 28672 (Meta model cards) */
static const struct shape full_shapes[] = {
	{ "8B-mlp-up", 14336, 4096 },
	{ "70B-mlp-up", 28672, 8192 },
};
static const int full_batches[] = { 1, 8, 64, 512 };
/* --quick: the 8B attention projection (4096 x 4096), three batches */
static const struct shape quick_shapes[] = { { "8B-attn-proj", 4096, 4096 } };
static const int quick_batches[] = { 1, 16, 128 };
/* --tiny: a smoke test of the whole pipeline (the test suite runs it); its timings mean little */
static const struct shape tiny_shapes[] = { { "tiny", 256, 256 } };
static const int tiny_batches[] = { 1, 8 };

#define MAX_SHAPES 2
#define MAX_BATCHES 4
#define MAX_VARIANTS 16

struct timing {
	double median_s, min_s, spread; /* spread: (max - min) / median */
	int reps;
};

struct vres {
	const struct variant_spec *sp;
	int supported;
	char reason[256];
	double bytes[MAX_SHAPES], ops1[MAX_SHAPES]; /* weight bytes; useful ops per token */
	struct timing t[MAX_SHAPES][MAX_BATCHES];
};

struct cal {
	int quick, tiny;
	const struct shape *shapes;
	int nshapes;
	const int *batches;
	int nbatches;
	int min_reps, max_reps;
	double min_time_s;
	struct vres v[MAX_VARIANTS];
	int nv;
	double peak_fp32, peak_i8avx2, peak_vnni, bw;
	double head_sgemm_s, head_i8_s;
	int i8path;
	struct acc_result acc;
	int acc_ok;
	char acc_err[256];
	/* provenance */
	char cpu[128], flags[128], core[64], coretype_env[64], config[256], date[32], commit[48];
	char loadavg[64];
	int threads, cores_online;
	/* progress */
	int step, nsteps, tty;
	double t_start;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* times variant v on b tokens: warm-up, then repeats until reps >= min_reps and the total time
 * >= min_time_s (at most max_reps); the median is the figure */
static int time_it(struct variant *v, const float *x, int b, float *y, const struct cal *c,
		   struct timing *out)
{
	double ts[64], total = 0;
	int reps = 0;
	if (variant_gemm(v, x, b, y))
		return -1;
	while (reps < c->max_reps && reps < 64 && (reps < c->min_reps || total < c->min_time_s)) {
		double t0 = hw_now_s();
		variant_gemm(v, x, b, y);
		ts[reps] = hw_now_s() - t0;
		total += ts[reps++];
	}
	qsort(ts, (size_t)reps, sizeof ts[0], cmp_double);
	out->median_s = reps % 2 ? ts[reps / 2] : 0.5 * (ts[reps / 2 - 1] + ts[reps / 2]);
	out->min_s = ts[0];
	out->spread = (ts[reps - 1] - ts[0]) / out->median_s;
	out->reps = reps;
	return 0;
}

static void progress(struct cal *c, const char *what)
{
	c->step++;
	double el = hw_now_s() - c->t_start;
	if (c->tty) {
		int w = 30, fill = c->nsteps ? c->step * w / c->nsteps : w;
		fprintf(stderr, "\r[%.*s%*s] %3d%% %6.1f s  %-40.40s", fill,
			"##############################", w - fill, "",
			c->nsteps ? 100 * c->step / c->nsteps : 100, el, what);
		fflush(stderr);
	} else {
		fprintf(stderr, "calibrate: %d/%d %.1f s %s\n", c->step, c->nsteps, el, what);
	}
}

static void progress_done(const struct cal *c)
{
	if (c->tty)
		fprintf(stderr, "\n");
}

static void fill_random(float *a, size_t len, uint64_t seed, float scale)
{
	uint64_t s = seed;
	for (size_t i = 0; i < len; i++)
		a[i] = (float)(2 * mrand_uniform(&s) - 1) * scale;
}

static double peak_for(const struct cal *c, const struct variant_spec *sp)
{
	if (sp->kind == VARIANT_INT8)
		return c->i8path == QUANT_VNNI ? c->peak_vnni : c->peak_i8avx2;
	return c->peak_fp32;
}

static void measure_shapes(struct cal *c)
{
	int nspec;
	const struct variant_spec *specs = variant_specs(&nspec);
	c->nv = nspec < MAX_VARIANTS ? nspec : MAX_VARIANTS;
	for (int i = 0; i < c->nv; i++) {
		c->v[i].sp = &specs[i];
		c->v[i].supported = 1;
	}
	for (int s = 0; s < c->nshapes; s++) {
		const struct shape *sh = &c->shapes[s];
		const int bmax = c->batches[c->nbatches - 1];
		const size_t wl = (size_t)sh->n * (size_t)sh->k;
		float *w = xmalloc(wl * sizeof *w);
		float *x = xmalloc((size_t)bmax * (size_t)sh->k * sizeof *x);
		float *y = xmalloc((size_t)bmax * (size_t)sh->n * sizeof *y);
		/* weights ~ U(-1/sqrt(K), 1/sqrt(K)), a typical trained-layer scale */
		fill_random(w, wl, 1000 + (uint64_t)s, (float)(1.0 / sqrt((double)sh->k)));
		fill_random(x, (size_t)bmax * (size_t)sh->k, 2000 + (uint64_t)s, 1.0f);
		for (int i = 0; i < c->nv; i++) {
			struct vres *r = &c->v[i];
			char what[128];
			if (!r->supported) {
				for (int b = 0; b < c->nbatches; b++)
					progress(c, "skipped (unsupported)");
				continue;
			}
			struct err e = { 0 };
			snprintf(what, sizeof what, "%s %s: building", r->sp->name, sh->name);
			if (c->tty)
				progress(c, what), c->step--;
			struct variant *v = variant_new(r->sp, w, sh->n, sh->k, VARIANT_TIMING_FACTORS, &e);
			if (!v) {
				r->supported = 0;
				snprintf(r->reason, sizeof r->reason, "%.255s", e.msg);
				for (int b = 0; b < c->nbatches; b++)
					progress(c, "unsupported");
				continue;
			}
			r->bytes[s] = (double)variant_weight_bytes(v);
			r->ops1[s] = variant_ops(v, 1);
			for (int b = 0; b < c->nbatches; b++) {
				if (time_it(v, x, c->batches[b], y, c, &r->t[s][b])) {
					r->supported = 0;
					snprintf(r->reason, sizeof r->reason, "kernel path unavailable");
					break;
				}
				snprintf(what, sizeof what, "%s %s b=%d %.4g s", r->sp->name, sh->name,
					 c->batches[b], r->t[s][b].median_s);
				progress(c, what);
			}
			variant_free(v);
		}
		free(w);
		free(x);
		free(y);
	}
	progress_done(c);
}

static void measure_headline(struct cal *c)
{
	struct err e = { 0 };
	float *w = xmalloc(512 * 512 * sizeof *w), *x = xmalloc(512 * 512 * sizeof *x);
	float *y = xmalloc(512 * 512 * sizeof *y);
	struct timing t;
	fill_random(w, 512 * 512, 3, 0.05f);
	fill_random(x, 512 * 512, 4, 1.0f);
	struct variant *d = variant_new(variant_find("dense_fp32", &e), w, 512, 512, 0, &e);
	struct variant *q = variant_new(variant_find("int8", &e), w, 512, 512, 0, &e);
	c->head_sgemm_s = c->head_i8_s = NAN;
	if (d && time_it(d, x, 512, y, c, &t) == 0)
		c->head_sgemm_s = t.median_s;
	if (q && time_it(q, x, 512, y, c, &t) == 0)
		c->head_i8_s = t.median_s;
	variant_free(d);
	variant_free(q);
	free(w);
	free(x);
	free(y);
}

static void provenance(struct cal *c)
{
	struct hw_features f;
	hw_detect(&f);
	hw_cpu_model(c->cpu, sizeof c->cpu);
	hw_flags_string(&f, c->flags, sizeof c->flags);
	snprintf(c->core, sizeof c->core, "%s", kern_blas_core());
	snprintf(c->config, sizeof c->config, "%s", kern_blas_config());
	const char *ct = getenv("OPENBLAS_CORETYPE");
	snprintf(c->coretype_env, sizeof c->coretype_env, "%s", ct ? ct : "");
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(c->date, sizeof c->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
	c->commit[0] = '\0';
	FILE *p = popen("git rev-parse --short=12 HEAD 2>/dev/null", "r");
	if (p) {
		if (fgets(c->commit, sizeof c->commit, p))
			c->commit[strcspn(c->commit, "\n")] = '\0';
		pclose(p);
	}
	c->loadavg[0] = '\0';
	FILE *la = fopen("/proc/loadavg", "r");
	if (la) {
		if (fgets(c->loadavg, sizeof c->loadavg, la))
			c->loadavg[strcspn(c->loadavg, "\n")] = '\0';
		fclose(la);
	}
	c->cores_online = (int)sysconf(_SC_NPROCESSORS_ONLN);
	c->i8path = quant_i8_best_path();
}

/* ---------------------------------------------------------------- summaries */

static int vidx(const struct cal *c, const char *name)
{
	for (int i = 0; i < c->nv; i++)
		if (strcmp(c->v[i].sp->name, name) == 0)
			return i;
	return -1;
}

/* geometric mean over shapes of variant time / dense time at batch index b */
static double time_factor(const struct cal *c, int i, int b)
{
	const struct vres *d = &c->v[vidx(c, "dense_fp32")], *r = &c->v[i];
	double lg = 0;
	for (int s = 0; s < c->nshapes; s++)
		lg += log(r->t[s][b].median_s / d->t[s][b].median_s);
	return exp(lg / c->nshapes);
}

static double mean_ratio(const struct cal *c, int i, int what)
{
	const struct vres *d = &c->v[vidx(c, "dense_fp32")], *r = &c->v[i];
	double sum = 0;
	for (int s = 0; s < c->nshapes; s++)
		sum += what == 0 ? r->bytes[s] / d->bytes[s] : r->ops1[s] / d->ops1[s];
	return sum / c->nshapes;
}

/* modelled storage per dense parameter when served on a GPU whose dense baseline is 16-bit:
 * values in 16 bits (fp32 CPU values would be bf16 there), 32-bit CSR column indices
 * (cuSPARSE), 2-bit 2:4 metadata per kept value (NVIDIA Ampere sparse tensor cores), fp16
 * scales (per channel for int8, per 32 weights for int4) */
static double gpu_bits(const struct cal *c, int i)
{
	const struct variant_spec *sp = c->v[i].sp;
	const double ff = mean_ratio(c, i, 1);
	const double k = c->shapes[0].k;
	switch (sp->kind) {
	case VARIANT_INT8: return 8.0 + 16.0 / k;
	case VARIANT_INT4W: return 4.0 + 16.0 / 32.0;
	case VARIANT_CSR: return ff * (16.0 + 32.0);
	case VARIANT_SP24: return 0.5 * (16.0 + 2.0);
	case VARIANT_LOWRANK: return 16.0 * ff;
	default: return 16.0;
	}
}

/* ---------------------------------------------------------------- JSON */

static void write_variant(FILE *f, const struct cal *c, int i)
{
	const struct vres *r = &c->v[i];
	const int last = c->nbatches - 1;
	const struct acc_row *a = c->acc_ok ? acc_find(&c->acc, r->sp->name) : NULL;
	fprintf(f, "    {\"name\": ");
	jsonw_str(f, r->sp->name);
	fprintf(f, ", \"doc\": ");
	jsonw_str(f, r->sp->doc);
	fprintf(f, ", \"supported\": %s", r->supported ? "true" : "false");
	if (!r->supported) {
		fprintf(f, ", \"reason\": ");
		jsonw_str(f, r->reason);
		fprintf(f, "}");
		return;
	}
	const double tfd = time_factor(c, i, 0), tfp = time_factor(c, i, last);
	const double mf = mean_ratio(c, i, 0), ff = mean_ratio(c, i, 1);
	const double pr = c->peak_fp32 / peak_for(c, r->sp);
	fprintf(f, ",\n     \"time_factor_decode\": ");
	jsonw_num(f, tfd);
	fprintf(f, ", \"time_factor_prefill\": ");
	jsonw_num(f, tfp);
	fprintf(f, ", \"speedup_decode\": ");
	jsonw_num(f, 1 / tfd);
	fprintf(f, ", \"speedup_prefill\": ");
	jsonw_num(f, 1 / tfp);
	fprintf(f, ",\n     \"memory_factor\": ");
	jsonw_num(f, mf);
	fprintf(f, ", \"flop_factor\": ");
	jsonw_num(f, ff);
	fprintf(f, ", \"gpu_bits_per_weight\": ");
	jsonw_num(f, gpu_bits(c, i));
	fprintf(f, ", \"efficiency_ratio_prefill\": ");
	jsonw_num(f, ff / tfp * pr);
	fprintf(f, ", \"bandwidth_ratio_decode\": ");
	jsonw_num(f, mf / tfd);
	fprintf(f, ",\n     \"power_factor\": 1, \"power_provenance\": \"assumed: node power "
		   "unchanged, energy scales with time (no power meter on the calibration "
		   "machine)\"");
	fprintf(f, ",\n     \"accuracy\": ");
	jsonw_num(f, a && a->supported ? a->accuracy : NAN);
	fprintf(f, ", \"agreement\": ");
	jsonw_num(f, a && a->supported ? a->agreement : NAN);
	fprintf(f, ", \"accuracy_finetuned\": ");
	jsonw_num(f, a && a->has_ft ? a->accuracy_ft : NAN);
	fprintf(f, ", \"agreement_finetuned\": ");
	jsonw_num(f, a && a->has_ft ? a->agreement_ft : NAN);
	fprintf(f, ",\n     \"timings\": [");
	const struct vres *d = &c->v[vidx(c, "dense_fp32")];
	for (int s = 0; s < c->nshapes; s++)
		for (int b = 0; b < c->nbatches; b++) {
			const struct timing *t = &r->t[s][b];
			const double ops = r->ops1[s] * c->batches[b];
			fprintf(f, "%s\n       {\"shape\": \"%s\", \"n\": %d, \"k\": %d, \"batch\": %d, "
				   "\"median_s\": %.6g, \"min_s\": %.6g, \"reps\": %d, \"spread\": %.3g, "
				   "\"speedup\": %.4g, \"gops\": %.4g, \"peak_share\": %.4g, "
				   "\"weight_gbs\": %.4g}",
				s || b ? "," : "", c->shapes[s].name, c->shapes[s].n, c->shapes[s].k,
				c->batches[b], t->median_s, t->min_s, t->reps, t->spread,
				d->t[s][b].median_s / t->median_s, ops / t->median_s / 1e9,
				ops / t->median_s / peak_for(c, r->sp), r->bytes[s] / t->median_s / 1e9);
		}
	fprintf(f, "]}");
}

static int write_json(const struct cal *c, const char *path, struct err *e)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return err_set(e, "%s: cannot write: %s", tmp, strerror(errno));
	fprintf(f, "{\n  \"schema\": \"maasim-calibration/1\",\n  \"provenance\": {\n");
	fprintf(f, "    \"source\": \"calibrated\", \"mode\": \"%s\", \"date\": \"%s\",\n",
		c->tiny ? "tiny" : c->quick ? "quick" : "full", c->date);
	fprintf(f, "    \"git_commit\": ");
	jsonw_str(f, c->commit);
	fprintf(f, ",\n    \"cpu_model\": ");
	jsonw_str(f, c->cpu);
	fprintf(f, ", \"cpu_flags\": ");
	jsonw_str(f, c->flags);
	fprintf(f, ", \"cores_online\": %d, \"threads_used\": 1,\n", c->cores_online);
	fprintf(f, "    \"openblas_config\": ");
	jsonw_str(f, c->config);
	fprintf(f, ", \"openblas_core\": ");
	jsonw_str(f, c->core);
	fprintf(f, ", \"openblas_coretype_env\": ");
	if (c->coretype_env[0])
		jsonw_str(f, c->coretype_env);
	else
		fputs("null", f);
	fprintf(f, ",\n    \"int8_path\": \"%s\", \"loadavg_at_start\": ", quant_path_name(c->i8path));
	jsonw_str(f, c->loadavg);
	fprintf(f, ",\n    \"note\": \"CPU speed-ups are measured on one core of this machine; "
		   "medians of repeated runs; the machine may have been shared with other jobs "
		   "(see loadavg and each timing's spread)\"\n  },\n");
	fprintf(f, "  \"peaks\": {\"fp32_fma_gflops\": ");
	jsonw_num(f, c->peak_fp32 / 1e9);
	fprintf(f, ", \"int8_avx2_gops\": ");
	jsonw_num(f, c->peak_i8avx2 > 0 ? c->peak_i8avx2 / 1e9 : NAN);
	fprintf(f, ", \"int8_vnni_gops\": ");
	jsonw_num(f, c->peak_vnni > 0 ? c->peak_vnni / 1e9 : NAN);
	fprintf(f, ", \"int8_gops\": ");
	jsonw_num(f, (c->i8path == QUANT_VNNI ? c->peak_vnni : c->peak_i8avx2) / 1e9);
	fprintf(f, ", \"read_bandwidth_gbs\": ");
	jsonw_num(f, c->bw / 1e9);
	fprintf(f, ",\n            \"how\": \"best of repeated runs of independent FMA / "
		   "vpmaddubsw+vpmaddwd / vpdpbusd chains and a streaming read, one core\"},\n");
	const double hs = 2.0 * 512 * 512 * 512 / c->head_sgemm_s / 1e9;
	const double hi = 2.0 * 512 * 512 * 512 / c->head_i8_s / 1e9;
	fprintf(f, "  \"headline_512\": {\"sgemm_gflops\": ");
	jsonw_num(f, hs);
	fprintf(f, ", \"sgemm_peak_share\": ");
	jsonw_num(f, hs * 1e9 / c->peak_fp32);
	fprintf(f, ", \"int8_gops\": ");
	jsonw_num(f, hi);
	fprintf(f, ", \"int8_over_sgemm\": ");
	jsonw_num(f, hi / hs);
	fprintf(f, ", \"int8_path\": \"%s\"},\n", quant_path_name(c->i8path));
	fprintf(f, "  \"accuracy\": {\"dataset\": \"UCI optical handwritten digits (Alpaydin & "
		   "Kaynak 1998, CC-BY-4.0), models/data/digits.csv\", \"network\": \"MLP "
		   "64-128-128-10, hidden layers compressed, fp32 head\"");
	if (c->acc_ok)
		fprintf(f, ", \"n_train\": %d, \"n_test\": %d, \"dense_accuracy\": %.6g",
			c->acc.n_train, c->acc.n_test, c->acc.dense_accuracy);
	else {
		fprintf(f, ", \"error\": ");
		jsonw_str(f, c->acc_err);
	}
	fprintf(f, "},\n  \"shapes\": [");
	for (int s = 0; s < c->nshapes; s++)
		fprintf(f, "%s{\"name\": \"%s\", \"n\": %d, \"k\": %d}", s ? ", " : "",
			c->shapes[s].name, c->shapes[s].n, c->shapes[s].k);
	fprintf(f, "],\n  \"batches\": [");
	for (int b = 0; b < c->nbatches; b++)
		fprintf(f, "%s%d", b ? ", " : "", c->batches[b]);
	fprintf(f, "],\n  \"variants\": [\n");
	for (int i = 0; i < c->nv; i++) {
		write_variant(f, c, i);
		fprintf(f, "%s\n", i + 1 < c->nv ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		remove(tmp);
		return err_set(e, "%s: cannot write: %s", path, strerror(errno));
	}
	return 0;
}

/* ---------------------------------------------------------------- database */

/* One calibration row's values for store_insert: numbers bound as numbers (INTEGER and REAL as
 * the table declares them, at full precision; the JSON table rounds for reading), a value that
 * is not finite (a zero time or peak) stored as NULL, not as the text "inf". */
static struct store_val cv_text(const char *x) { return (struct store_val){ STORE_TEXT, x, 0, 0 }; }
static struct store_val cv_int(long long x) { return (struct store_val){ STORE_INT, NULL, x, 0 }; }
static struct store_val cv_real(double x) { return (struct store_val){ STORE_REAL, NULL, 0, x }; }

static int write_db(const struct cal *c, const char *path, struct err *e)
{
	struct store *st = store_open(path, STORE_CREATE, e);
	char id[96];
	struct store_val v[17];
	int rc = -1;
	if (!st)
		return -1;
	snprintf(id, sizeof id, "%s%s%s", c->date, c->commit[0] ? "@" : "", c->commit);
	char prov[512];
	snprintf(prov, sizeof prov, "calibrated: %s, OpenBLAS core %s%s%s, %s, %s mode", c->cpu,
		 c->core, c->coretype_env[0] ? ", OPENBLAS_CORETYPE=" : "", c->coretype_env,
		 c->date, c->quick ? "quick" : "full");
	if (store_exec(st,
		       "CREATE TABLE IF NOT EXISTS calibration(table_id TEXT, variant TEXT, "
		       "status TEXT, shape TEXT, n INTEGER, k INTEGER, batch INTEGER, median_s REAL, "
		       "min_s REAL, reps INTEGER, speedup REAL, gops REAL, peak_share REAL, "
		       "memory_factor REAL, accuracy REAL, agreement REAL, provenance TEXT);",
		       e) ||
	    store_exec(st, "BEGIN IMMEDIATE;", e))
		goto out;
	const char *sql = "INSERT INTO calibration VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
	const struct vres *d = &c->v[vidx(c, "dense_fp32")];
	for (int i = 0; i < c->nv; i++) {
		const struct vres *r = &c->v[i];
		const struct acc_row *a = c->acc_ok ? acc_find(&c->acc, r->sp->name) : NULL;
		for (int j = 0; j < 17; j++)
			v[j] = cv_text(NULL);
		v[0] = cv_text(id);
		v[1] = cv_text(r->sp->name);
		v[16] = cv_text(prov);
		if (!r->supported) {
			v[2] = cv_text(r->reason); /* "unsupported: why" */
			if (store_insert(st, sql, v, 17, e))
				goto rollback;
			continue;
		}
		v[2] = cv_text("ok");
		for (int s = 0; s < c->nshapes; s++)
			for (int b = 0; b < c->nbatches; b++) {
				const struct timing *t = &r->t[s][b];
				const double ops = r->ops1[s] * c->batches[b];
				v[3] = cv_text(c->shapes[s].name);
				v[4] = cv_int(c->shapes[s].n);
				v[5] = cv_int(c->shapes[s].k);
				v[6] = cv_int(c->batches[b]);
				v[7] = cv_real(t->median_s);
				v[8] = cv_real(t->min_s);
				v[9] = cv_int(t->reps);
				v[10] = cv_real(d->t[s][b].median_s / t->median_s);
				v[11] = cv_real(ops / t->median_s / 1e9);
				v[12] = cv_real(ops / t->median_s / peak_for(c, r->sp));
				v[13] = cv_real(r->bytes[s] / d->bytes[s]);
				v[14] = v[15] = cv_text(NULL);
				if (a && a->supported) {
					v[14] = cv_real(a->accuracy);
					v[15] = cv_real(a->agreement);
				}
				if (store_insert(st, sql, v, 17, e))
					goto rollback;
			}
	}
	if (store_exec(st, "COMMIT;", e))
		goto rollback;
	rc = 0;
	goto out;
rollback:
	store_exec(st, "ROLLBACK;", NULL);
out:
	store_close(st);
	return rc;
}

/* ---------------------------------------------------------------- report */

static void print_summary(const struct cal *c, FILE *f)
{
	const int last = c->nbatches - 1;
	fprintf(f, "\nmaasim calibrate (%s): %s, OpenBLAS core %s%s%s, 1 thread, int8 path %s\n",
		c->quick ? "quick" : "full", c->cpu, c->core,
		c->coretype_env[0] ? ", OPENBLAS_CORETYPE=" : "", c->coretype_env,
		quant_path_name(c->i8path));
	fprintf(f, "measured peaks: fp32 FMA %.1f GFLOP/s, int8 (%s) %.1f GOP/s, read %.1f GB/s\n",
		c->peak_fp32 / 1e9, quant_path_name(c->i8path),
		(c->i8path == QUANT_VNNI ? c->peak_vnni : c->peak_i8avx2) / 1e9, c->bw / 1e9);
	const double hs = 2.0 * 512 * 512 * 512 / c->head_sgemm_s / 1e9;
	const double hi = 2.0 * 512 * 512 * 512 / c->head_i8_s / 1e9;
	fprintf(f, "512^3: SGEMM %.1f GFLOP/s (%.0f%% of FMA peak), int8 %.1f GOP/s = %.2fx SGEMM "
		   "(target >= 2x: %s)\n",
		hs, 100 * hs * 1e9 / c->peak_fp32, hi, hi / hs, hi / hs >= 2 ? "met" : "NOT met");
	if (strcmp(c->core, "Haswell") == 0 && c->flags[0] && strstr(c->flags, "avx512f"))
		fprintf(f, "note: OpenBLAS runs its Haswell (AVX2) core on an AVX-512 CPU%s: half "
			   "of the vector width is unused\n",
			c->coretype_env[0] ? " (forced by OPENBLAS_CORETYPE)" : "");
	if (c->acc_ok)
		fprintf(f, "accuracy: digits MLP, dense %.4f on %d test rows\n", c->acc.dense_accuracy,
			c->acc.n_test);
	else
		fprintf(f, "accuracy: not measured: %s\n", c->acc_err);
	fprintf(f, "\n%-13s %7s %9s %9s %8s %8s %8s %8s\n", "variant", "memory", "spd b=1",
		"spd b=max", "acc", "agree", "acc+ft", "agr+ft");
	for (int i = 0; i < c->nv; i++) {
		const struct vres *r = &c->v[i];
		if (!r->supported) {
			fprintf(f, "%-13s %s\n", r->sp->name, r->reason);
			continue;
		}
		const struct acc_row *a = c->acc_ok ? acc_find(&c->acc, r->sp->name) : NULL;
		fprintf(f, "%-13s %7.3f %9.2f %9.2f", r->sp->name, mean_ratio(c, i, 0),
			1 / time_factor(c, i, 0), 1 / time_factor(c, i, last));
		if (a && a->supported)
			fprintf(f, " %8.4f %8.4f", a->accuracy, a->agreement);
		if (a && a->has_ft)
			fprintf(f, " %8.4f %8.4f", a->accuracy_ft, a->agreement_ft);
		fprintf(f, "\n");
	}
	fprintf(f, "(memory: weight bytes / dense fp32; spd: CPU speed-up over dense fp32, "
		   "geometric mean over shapes; b=max is batch %d)\n", c->batches[last]);
}

/* ---------------------------------------------------------------- --check */

static int run_check(struct cal *c, const char *path)
{
	struct caltable t;
	struct err e = { 0 };
	if (caltable_load(path, &t, &e)) {
		fprintf(stderr, "maasim calibrate: %s\n", e.msg);
		return 2;
	}
	printf("checking this machine against %s\n  table: %s\n", path, t.provenance);
	printf("  here:  %s, OpenBLAS core %s%s%s\n", c->cpu, c->core,
	       c->coretype_env[0] ? ", OPENBLAS_CORETYPE=" : "", c->coretype_env);
	if (strcmp(t.cpu_model, c->cpu) != 0)
		printf("  note: different CPU model\n");
	if (strcmp(t.openblas_core, c->core) != 0)
		printf("  note: OpenBLAS runs a different core here (%s vs %s)\n", c->core,
		       t.openblas_core);
	c->peak_fp32 = hw_peak_fp32_flops(0.2);
	printf("\n%-28s %12s %12s %8s\n", "figure", "table", "here", "here/table");
	printf("%-28s %12.1f %12.1f %8.3f\n", "fp32 FMA peak GFLOP/s", t.fp32_peak_flops / 1e9,
	       c->peak_fp32 / 1e9, c->peak_fp32 / t.fp32_peak_flops);
	/* a sample of the table's timings: these variants, smallest shape, first and last batch */
	const char *sample[] = { "dense_fp32", "int8", "prune90", "lowrank_d4" };
	double lg = 0, worst = 1;
	int cnt = 0;
	for (size_t si = 0; si < sizeof sample / sizeof sample[0]; si++) {
		const struct caltable_variant *tv = caltable_find(&t, sample[si]);
		if (!tv || !tv->supported || tv->n_timings == 0)
			continue;
		const struct caltable_timing *first = &tv->timings[0], *last = first;
		for (size_t j = 0; j < tv->n_timings; j++)
			if (tv->timings[j].n == first->n && tv->timings[j].k == first->k)
				last = &tv->timings[j];
		const struct variant_spec *sp = variant_find(sample[si], &e);
		if (!sp)
			continue;
		const size_t wl = (size_t)first->n * (size_t)first->k;
		float *w = xmalloc(wl * sizeof *w);
		float *x = xmalloc((size_t)last->batch * (size_t)first->k * sizeof *x);
		float *y = xmalloc((size_t)last->batch * (size_t)first->n * sizeof *y);
		fill_random(w, wl, 1000, (float)(1.0 / sqrt((double)first->k)));
		fill_random(x, (size_t)last->batch * (size_t)first->k, 2000, 1.0f);
		struct variant *v = variant_new(sp, w, first->n, first->k, VARIANT_TIMING_FACTORS, &e);
		for (int pass = 0; v && pass < 2; pass++) {
			const struct caltable_timing *tt = pass ? last : first;
			struct timing tm;
			if (pass && last == first)
				break;
			if (time_it(v, x, tt->batch, y, c, &tm))
				break;
			double r = tm.median_s / tt->median_s;
			char label[64];
			snprintf(label, sizeof label, "%s %dx%d b=%d (ms)", sample[si], first->k, first->n,
				 tt->batch);
			printf("%-28s %12.3f %12.3f %8.3f\n", label, 1e3 * tt->median_s,
			       1e3 * tm.median_s, r);
			lg += log(r);
			cnt++;
			if (fabs(log(r)) > fabs(log(worst)))
				worst = r;
		}
		variant_free(v);
		free(w);
		free(x);
		free(y);
	}
	if (cnt)
		printf("\ndrift: time here/table geometric mean %.3f over %d timings, worst %.3f\n"
		       "(>1: slower here; on a shared machine a few tens of percent is noise)\n",
		       exp(lg / cnt), cnt, worst);
	else
		printf("\ndrift: the table has no comparable timings\n");
	caltable_fini(&t);
	return 0;
}

/* ---------------------------------------------------------------- main */

static void usage(FILE *f)
{
	fprintf(f, "usage: maasim calibrate [--quick | --tiny] [--out FILE] [--db FILE] [--check FILE]\n\n"
		   "Runs the real model kernels (dense, bf16, int8, int4, pruned CSR, 2:4, low-rank) on\n"
		   "one core at transformer-layer shapes, measures this core's peaks and each variant's\n"
		   "accuracy on real data, and writes the calibration table.\n\n"
		   "  --quick       one 4096x4096 shape, batches 1/16/128 (under a minute)\n"
		   "  --tiny        a 256x256 smoke test of the whole pipeline (seconds; for tests)\n"
		   "  --out FILE    JSON table (default results/calibration.json; the shipped default\n"
		   "                table is models/calibration.json)\n"
		   "  --db FILE     also write rows to the calibration table of this results database\n"
		   "  --check FILE  re-measure a sample and report how far this machine drifts from FILE\n");
}

int calibrate_main(int argc, char **argv)
{
	const char *out = "results/calibration.json", *db = NULL, *check = NULL;
	struct cal *c = xcalloc(1, sizeof *c);
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			free(c);
			return 0;
		} else if (strcmp(argv[i], "--quick") == 0) {
			c->quick = 1;
		} else if (strcmp(argv[i], "--tiny") == 0) {
			c->quick = c->tiny = 1;
		} else if ((strcmp(argv[i], "--out") == 0 || strcmp(argv[i], "--db") == 0 ||
			    strcmp(argv[i], "--check") == 0) && i + 1 < argc) {
			const char *v = argv[++i];
			if (argv[i - 1][2] == 'o')
				out = v;
			else if (argv[i - 1][2] == 'd')
				db = v;
			else
				check = v;
		} else {
			fprintf(stderr, "maasim calibrate: unexpected argument \"%s\"\n", argv[i]);
			usage(stderr);
			free(c);
			return 2;
		}
	}
	{
		const char *why;
		if (kern_load(&why) != 0) {
			fprintf(stderr, "maasim calibrate: %s (install libopenblas0 and liblapacke)\n", why);
			free(c);
			return 2;
		}
	}
	kern_set_threads(1);
	c->threads = 1;
	c->tty = isatty(2);
	provenance(c);
	c->shapes = c->tiny ? tiny_shapes : c->quick ? quick_shapes : full_shapes;
	c->nshapes = c->quick ? 1 : MAX_SHAPES;
	c->batches = c->tiny ? tiny_batches : c->quick ? quick_batches : full_batches;
	c->nbatches = c->tiny ? 2 : c->quick ? 3 : MAX_BATCHES;
	c->min_reps = c->tiny ? 1 : 3;
	c->max_reps = c->tiny ? 3 : c->quick ? 15 : 25;
	c->min_time_s = c->tiny ? 0 : c->quick ? 0.1 : 0.5;
	if (check) {
		rc = run_check(c, check);
		free(c);
		return rc;
	}
	{
		/* fail before minutes of measurement, not after */
		char tmp[4096];
		snprintf(tmp, sizeof tmp, "%s.tmp", out);
		FILE *probe = fopen(tmp, "w");
		if (!probe) {
			fprintf(stderr, "maasim calibrate: %s: cannot write: %s\n", tmp, strerror(errno));
			free(c);
			return 1;
		}
		fclose(probe);
		remove(tmp);
		struct err pe = { 0 };
		struct store *st = db ? store_open(db, STORE_CREATE, &pe) : NULL;
		if (db && !st) {
			fprintf(stderr, "maasim calibrate: %s\n", pe.msg);
			free(c);
			return 1;
		}
		store_close(st);
	}
	c->t_start = hw_now_s();
	int nspec;
	variant_specs(&nspec);
	c->nsteps = c->nshapes * (nspec < MAX_VARIANTS ? nspec : MAX_VARIANTS) * c->nbatches;
	fprintf(stderr, "calibrate: measuring peaks\n");
	const double pb = c->tiny ? 0.02 : c->quick ? 0.15 : 0.5;
	c->peak_fp32 = hw_peak_fp32_flops(pb);
	c->peak_i8avx2 = hw_peak_int8_avx2_ops(pb);
	c->peak_vnni = hw_peak_int8_vnni_ops(pb);
	c->bw = hw_read_bandwidth(c->tiny ? (16u << 20) : c->quick ? (128u << 20) : (512u << 20),
				  c->tiny ? 0.02 : c->quick ? 0.3 : 1.0);
	measure_headline(c);
	fprintf(stderr, "calibrate: accuracy study on the digits data\n");
	struct acc_config ac;
	struct err e = { 0 };
	acc_config_default(&ac);
	c->acc_ok = acc_run(&ac, &c->acc, &e) == 0;
	if (!c->acc_ok)
		snprintf(c->acc_err, sizeof c->acc_err, "%.255s", e.msg);
	measure_shapes(c);
	if (vidx(c, "dense_fp32") < 0 || !c->v[vidx(c, "dense_fp32")].supported) {
		fprintf(stderr, "maasim calibrate: the dense baseline could not be measured\n");
		free(c);
		return 1;
	}
	err_clear(&e);
	if (write_json(c, out, &e)) {
		fprintf(stderr, "maasim calibrate: %s\n", e.msg);
		free(c);
		return 1;
	}
	if (db && write_db(c, db, &e)) {
		fprintf(stderr, "maasim calibrate: %s\n", e.msg);
		free(c);
		return 1;
	}
	print_summary(c, stdout);
	printf("\nwrote %s%s%s (%.0f s)\n", out, db ? " and rows in " : "", db ? db : "",
	       hw_now_s() - c->t_start);
	free(c);
	return 0;
}
