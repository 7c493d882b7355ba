/* test_caltable.c — the calibration-table reader, its errors, and the GPU roofline mapping.
 *
 * Known answers for the roofline (caltable.h): with H100 SXM figures (989 TFLOP/s dense bf16,
 * 1979 TOP/s int8, 3.35 TB/s; NVIDIA datasheet) a one-token decode step is memory-bound, so a
 * variant's factor is its bits per weight / 16 (int4 g32: 4.5 / 16 = 0.28125); a 4096-token
 * prefill is compute-bound, so the factor is flop_factor / (rate multiplier x efficiency).
 * The shipped table (models/calibration.json) must hold every registered variant.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests/check.h"
#include "io/caltable.h"
#include "models/variant.h"

static const char *tmp_path = "/tmp/maasim-caltable-test.json";

static void write_file(const char *text)
{
	FILE *f = fopen(tmp_path, "w");
	fputs(text, f);
	fclose(f);
}

#define HEAD "{\"schema\": \"maasim-calibration/1\", \"provenance\": {\"cpu_model\": \"Test CPU\", " \
	"\"openblas_core\": \"Zen\", \"date\": \"2026-01-01T00:00:00Z\", \"mode\": \"full\"}, " \
	"\"peaks\": {\"fp32_fma_gflops\": 100, \"int8_gops\": 200, \"read_bandwidth_gbs\": 10}, "

static const char *good =
	HEAD "\"accuracy\": {\"dense_accuracy\": 0.98}, \"variants\": ["
	"{\"name\": \"dense_fp32\", \"supported\": true, \"time_factor_decode\": 1, "
	"\"time_factor_prefill\": 1, \"memory_factor\": 1, \"power_factor\": 1, \"accuracy\": 0.98, "
	"\"agreement\": 1, \"flop_factor\": 1, \"gpu_bits_per_weight\": 16, "
	"\"efficiency_ratio_prefill\": 1, \"bandwidth_ratio_decode\": 1, "
	"\"timings\": [{\"shape\": \"s\", \"n\": 64, \"k\": 32, \"batch\": 1, \"median_s\": 0.001}]},"
	"{\"name\": \"int4_weights\", \"supported\": true, \"time_factor_decode\": 0.4, "
	"\"time_factor_prefill\": 1.2, \"memory_factor\": 0.156, \"power_factor\": 1, "
	"\"accuracy\": 0.97, \"agreement\": 0.99, \"flop_factor\": 1, \"gpu_bits_per_weight\": 4.5, "
	"\"efficiency_ratio_prefill\": 0.5, \"bandwidth_ratio_decode\": 2.0},"
	"{\"name\": \"int8\", \"supported\": true, \"time_factor_decode\": 0.3, "
	"\"time_factor_prefill\": 0.9, \"memory_factor\": 0.25, \"power_factor\": 1, "
	"\"accuracy\": 0.98, \"agreement\": 1, \"flop_factor\": 1, \"gpu_bits_per_weight\": 8, "
	"\"efficiency_ratio_prefill\": 1.4, \"bandwidth_ratio_decode\": 0.8, "
	"\"provenance\": \"published: test source\"},"
	"{\"name\": \"bf16_sbgemm\", \"supported\": false, \"reason\": \"unsupported: no sbgemm\"}]}";

static void test_load(void)
{
	struct caltable t;
	struct err e = { 0 };
	write_file(good);
	CHECK_INT(caltable_load(tmp_path, &t, &e), 0);
	if (e.set) {
		fprintf(stderr, "  %s\n", e.msg);
		return;
	}
	CHECK_INT(t.n_variants, 4);
	CHECK_HAS(t.provenance, "calibrated: Test CPU, OpenBLAS core Zen, 2026-01-01");
	CHECK_NEAR(t.fp32_peak_flops, 100e9, 1e-12, 0);
	const struct caltable_variant *d = caltable_find(&t, "dense_fp32");
	const struct caltable_variant *q = caltable_find(&t, "int8");
	const struct caltable_variant *u = caltable_find(&t, "bf16_sbgemm");
	CHECK(d && q && u && !caltable_find(&t, "int3"));
	if (!(d && q && u))
		goto out;
	CHECK_NEAR(d->time_factor, 1, 0, 0);
	CHECK_INT(d->n_timings, 1);
	CHECK_NEAR(d->timings[0].median_s, 0.001, 1e-12, 0);
	CHECK(isnan(d->accuracy_finetuned)); /* absent: NAN, never a silent zero */
	CHECK_STR(q->provenance, "published: test source");
	CHECK_HAS(d->provenance, "calibrated: Test CPU");
	CHECK_NEAR(q->time_factor, 0.3, 1e-12, 0);
	CHECK(!u->supported);
	CHECK_HAS(u->provenance, "unsupported: no sbgemm");
	CHECK(isnan(u->time_factor));
out:
	caltable_fini(&t);
}

static void test_gpu_roofline(void)
{
	struct caltable t;
	struct err e = { 0 };
	struct caltable_gpu_factors g;
	/* H100 SXM datasheet: 989 TFLOP/s dense bf16, 1979 TOP/s dense int8, 3.35 TB/s HBM3 */
	const struct caltable_gpu_node h100 = { 989e12, 1979e12, 3.35e12, 2.0, 1 };
	struct caltable_gpu_node vendor = h100;
	vendor.cpu_efficiency_all = 0;
	write_file(good);
	CHECK_INT(caltable_load(tmp_path, &t, &e), 0);
	if (e.set)
		return;
	const struct caltable_variant *d = caltable_find(&t, "dense_fp32");
	const struct caltable_variant *i4 = caltable_find(&t, "int4_weights");
	const struct caltable_variant *i8 = caltable_find(&t, "int8");
	/* dense maps to itself */
	CHECK_INT(caltable_gpu_factors(d, &h100, 1, &g, &e), 0);
	CHECK_NEAR(g.time_factor, 1, 1e-12, 0);
	CHECK_INT(caltable_gpu_factors(d, &h100, 4096, &g, &e), 0);
	CHECK_NEAR(g.time_factor, 1, 1e-12, 0);
	/* decode, 1 token: memory-bound; the bandwidth ratio 2.0 is clamped to 1 */
	CHECK_INT(caltable_gpu_factors(i4, &h100, 1, &g, &e), 0);
	CHECK_NEAR(g.time_factor, 4.5 / 16, 1e-12, 0);
	CHECK_NEAR(g.memory_factor, 4.5 / 16, 1e-12, 0);
	CHECK_INT(g.bound, 0);
	/* prefill, 4096 tokens: compute-bound at half the dense efficiency */
	CHECK_INT(caltable_gpu_factors(i4, &h100, 4096, &g, &e), 0);
	CHECK_NEAR(g.time_factor, 2.0, 1e-12, 0);
	CHECK_INT(g.bound, 1);
	/* int8 prefill: twice the rate, efficiency 1.4 clamped to 1 */
	CHECK_INT(caltable_gpu_factors(i8, &h100, 4096, &g, &e), 0);
	CHECK_NEAR(g.time_factor, 989.0 / 1979.0, 1e-12, 0);
	/* int8 decode at 1 token: 8/16 of the bytes at 0.8 of dense's bandwidth */
	CHECK_INT(caltable_gpu_factors(i8, &h100, 1, &g, &e), 0);
	CHECK_NEAR(g.time_factor, 0.5 / 0.8, 1e-12, 0);
	/* by default only unstructured sparsity takes the CPU-measured efficiency */
	CHECK_INT(caltable_gpu_factors(i4, &vendor, 4096, &g, &e), 0);
	CHECK_NEAR(g.time_factor, 1.0, 1e-12, 0);
	CHECK_INT(caltable_gpu_factors(i8, &vendor, 1, &g, &e), 0);
	CHECK_NEAR(g.time_factor, 0.5, 1e-12, 0);
	const struct caltable_gpu_node bad = { 0, 0, 3e12, 1, 0 };
	CHECK_INT(caltable_gpu_factors(i8, &bad, 1, &g, &e), -1);
	CHECK_HAS(e.msg, "peak_flops");
	err_clear(&e);
	CHECK_INT(caltable_gpu_factors(caltable_find(&t, "bf16_sbgemm"), &h100, 1, &g, &e), -1);
	CHECK_HAS(e.msg, "not supported");
	caltable_fini(&t);
}

static void expect_error(const char *text, const char *want)
{
	struct caltable t;
	struct err e = { 0 };
	write_file(text);
	CHECK_INT(caltable_load(tmp_path, &t, &e), -1);
	CHECK_HAS(e.msg, want);
}

static void test_errors(void)
{
	struct caltable t;
	struct err e = { 0 };
	CHECK_INT(caltable_load("/nonexistent/cal.json", &t, &e), -1);
	CHECK_HAS(e.msg, "cannot open calibration table");
	expect_error("{\"schema\": ", "expected JSON");
	expect_error("{\"schema\": \"other\"}", "$.schema: expected \"maasim-calibration/1\"");
	expect_error(HEAD "\"variants\": []}", "$.variants: expected a non-empty array");
	expect_error(HEAD "\"variants\": [{\"name\": \"x\", \"supported\": true, "
		     "\"time_factor_decode\": -1}]}",
		     "$.variants[0].time_factor_decode: expected a number > 0, got -1");
	expect_error(HEAD "\"variants\": [{\"name\": \"x\", \"supported\": true, "
		     "\"time_factor_decode\": 1, \"time_factor_prefill\": 1, \"memory_factor\": 1, "
		     "\"power_factor\": 1, \"accuracy\": 1.5, \"agreement\": 1}]}",
		     "expected accuracy and agreement in [0, 1]");
	expect_error(HEAD "\"variants\": [{\"name\": \"x\", \"supported\": false}, "
		     "{\"name\": \"x\", \"supported\": false}]}", "\"x\" appears twice");
	expect_error(HEAD "\"variants\": [{\"name\": \"x\"}]}",
		     "$.variants[0].supported: expected true or false");
	remove(tmp_path);
}

static void test_shipped_table(void)
{
	struct caltable t;
	struct err e = { 0 };
	int nspec;
	const struct variant_spec *sp = variant_specs(&nspec);
	CHECK_INT(caltable_load("models/calibration.json", &t, &e), 0);
	if (e.set) {
		fprintf(stderr, "  %s\n", e.msg);
		return;
	}
	CHECK_INT(t.n_variants, nspec);
	for (int i = 0; i < nspec; i++) {
		const struct caltable_variant *v = caltable_find(&t, sp[i].name);
		CHECK(v != NULL);
		if (!v || !v->supported)
			continue;
		CHECK(v->time_factor_decode > 0 && v->time_factor_prefill > 0);
		CHECK(v->accuracy >= 0 && v->accuracy <= 1);
		CHECK(v->n_timings > 0);
		CHECK_HAS(v->provenance, "calibrated: ");
	}
	const struct caltable_variant *d = caltable_find(&t, "dense_fp32");
	const struct caltable_variant *q = caltable_find(&t, "int8");
	if (d && q) {
		CHECK_NEAR(d->time_factor, 1, 1e-9, 0);
		CHECK_NEAR(d->memory_factor, 1, 1e-9, 0);
		CHECK(t.dense_accuracy >= 0.95);
		/* int8 codes, padding and scales: a quarter of fp32 plus a little */
		CHECK_NEAR(q->memory_factor, 0.25, 0.01, 0);
	}
	caltable_fini(&t);
}

int main(void)
{
	RUN(test_load);
	RUN(test_gpu_roofline);
	RUN(test_errors);
	RUN(test_shipped_table);
	return CHECK_DONE();
}
