/* test_kernels.c — every models/ kernel against a float64 reference on fresh random inputs.
 *
 * Inputs are drawn from a seed printed at the start (MAASIM_TEST_SEED=N repeats a run).
 * Two kinds of bound:
 *  - kernel exactness: against the float64 product of the weights the kernel really holds
 *    (pruned, dequantized, factored), every element within the classic dot-product bound
 *    |y - y_ref| <= 2 K u (|x| |w|^T) with u = 2^-24 (Higham, Accuracy and Stability of
 *    Numerical Algorithms, 2nd ed., eq. 3.5 with gamma_K ~ K u, doubled for blocked sums);
 *  - compression error: against the original weights, a normwise relative error
 *    ||Y - Y_ref||_F / ||Y_ref||_F below a stated bound for uniform random data at these
 *    shapes (bf16 2^-8, int8 0.015, int4 g32 0.12: measured typical values 0.0015, 0.0055 and 0.07), and for low rank Eckart-Young's exact error.
 * Shapes are small and odd (N = 37, K = 96, batches 1..37) so padding and tails are exercised.
 * The int8 paths (portable, AVX2, AVX-512 VNNI: each one this CPU has, and VNNI is never
 * skipped where the CPU has it) are also compared bit for bit with exact integer sums over a
 * grid of shapes around their kernels' steps, with codes at the extremes (test_int8_exact).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tests/check.h"
#include "engine/xalloc.h"
#include "models/hw.h"
#include "models/kern.h"
#include "models/lowrank.h"
#include "models/quant.h"
#include "models/sparse.h"
#include "models/variant.h"

#define N 37
#define K 96

static uint64_t rng_state;

static double urand(void) /* splitmix64 -> [0, 1) */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) * 0x1.0p-53;
}

static void fill(float *a, size_t len)
{
	for (size_t i = 0; i < len; i++)
		a[i] = (float)(2 * urand() - 1);
}

/* y_ref = x w^T in float64, and the element bound 2 K u |x| |w|^T */
static void ref(const float *x, const float *w, int b, int n, int k, double *y, double *bound)
{
	for (int t = 0; t < b; t++)
		for (int i = 0; i < n; i++) {
			double s = 0, a = 0;
			for (int j = 0; j < k; j++) {
				double p = (double)x[t * k + j] * (double)w[i * k + j];
				s += p;
				a += p < 0 ? -p : p;
			}
			y[t * n + i] = s;
			if (bound)
				bound[t * n + i] = 2.0 * k * 0x1.0p-24 * a + 1e-30;
		}
}

static int within_bound(const float *y, const double *yr, const double *bound, size_t len)
{
	int bad = 0;
	for (size_t i = 0; i < len; i++)
		if (fabs((double)y[i] - yr[i]) > bound[i]) {
			if (!bad)
				fprintf(stderr, "  element %zu: %.9g vs %.9g (bound %.3g)\n", i,
					(double)y[i], yr[i], bound[i]);
			bad++;
		}
	return bad;
}

static double rel_fro(const float *y, const double *yr, size_t len)
{
	double num = 0, den = 0;
	for (size_t i = 0; i < len; i++) {
		num += ((double)y[i] - yr[i]) * ((double)y[i] - yr[i]);
		den += yr[i] * yr[i];
	}
	return sqrt(num / den);
}

static const int batches[] = { 1, 3, 5, 8, 9, 13, 37 };
#define NB ((int)(sizeof batches / sizeof batches[0]))

/* checks variant `name` at every batch: exact against its effective weights, and its
 * compression error against the original within rel_bound (< 0: not checked) */
static void check_variant(const char *name, double rel_bound)
{
	struct err e = { 0 };
	const struct variant_spec *sp = variant_find(name, &e);
	CHECK(sp != NULL);
	if (!sp)
		return;
	float *w = xmalloc(N * K * sizeof *w), *we = xmalloc(N * K * sizeof *we);
	float *x = xmalloc(37 * K * sizeof *x), *y = xmalloc(37 * N * sizeof *y);
	double *yr = xmalloc(37 * N * sizeof *yr), *yo = xmalloc(37 * N * sizeof *yo);
	double *bd = xmalloc(37 * N * sizeof *bd);
	fill(w, N * K);
	struct variant *v = variant_new(sp, w, N, K, VARIANT_SVD, &e);
	CHECK(v != NULL);
	if (!v) {
		fprintf(stderr, "  %s: %s\n", name, e.msg);
		goto out;
	}
	variant_effective_weights(v, we);
	for (int bi = 0; bi < NB; bi++) {
		int b = batches[bi];
		fill(x, (size_t)b * K);
		CHECK_INT(variant_gemm(v, x, b, y), 0);
		if (sp->kind == VARIANT_INT8) {
			/* the exact operands: quantized activations times dequantized weights */
			signed char *xq = xmalloc((size_t)b * K);
			float *xs = xmalloc((size_t)b * sizeof *xs), *xd = xmalloc((size_t)b * K * sizeof *xd);
			quant_i8_quantize_rows(x, b, K, xq, xs);
			for (int t = 0; t < b; t++)
				for (int j = 0; j < K; j++)
					xd[t * K + j] = (float)xq[t * K + j] * xs[t];
			ref(xd, we, b, N, K, yr, bd);
			free(xq);
			free(xs);
			free(xd);
		} else {
			ref(x, we, b, N, K, yr, bd);
		}
		int bad = within_bound(y, yr, bd, (size_t)b * N);
		if (bad)
			fprintf(stderr, "  %s b=%d: %d elements outside the dot-product bound\n", name,
				b, bad);
		CHECK_INT(bad, 0);
		if (rel_bound >= 0) {
			ref(x, w, b, N, K, yo, NULL);
			double r = rel_fro(y, yo, (size_t)b * N);
			if (!(r <= rel_bound))
				fprintf(stderr, "  %s b=%d: compression error %.4g > %.4g\n", name, b,
					r, rel_bound);
			CHECK(r <= rel_bound);
		}
	}
out:
	variant_free(v);
	free(w);
	free(we);
	free(x);
	free(y);
	free(yr);
	free(yo);
	free(bd);
}

static void test_dense(void) { check_variant("dense_fp32", 1e-6); }
static void test_bf16w(void) { check_variant("bf16_weights", 1.0 / 256); }
static void test_int8(void) { check_variant("int8", 0.015); }
static void test_int4(void) { check_variant("int4_weights", 0.12); }
static void test_csr(void)
{
	check_variant("prune50", -1);
	check_variant("prune75", -1);
	check_variant("prune90", -1);
	check_variant("prune95", -1);
}
static void test_sp24(void) { check_variant("sparse24", -1); }
static void test_lowrank_products(void)
{
	check_variant("lowrank_d2", -1);
	check_variant("lowrank_d4", -1);
	check_variant("lowrank_d8", -1);
}

/* Eckart-Young: the rank-r truncation error equals the dropped singular values' norm */
static void test_lowrank_eckart_young(void)
{
	struct err e = { 0 };
	float *w = xmalloc(N * K * sizeof *w), *a = xmalloc(N * K * sizeof *a);
	fill(w, N * K);
	for (int r = 1; r <= N; r += 9) {
		struct lowrank *l = lowrank_new_svd(w, N, K, r, &e);
		CHECK(l != NULL);
		if (!l)
			break;
		const float *s = lowrank_singular_values(l);
		double tail = 0, err2 = 0;
		for (int i = 0; i < N; i++) {
			if (i + 1 < N)
				CHECK(s[i] >= s[i + 1]);
			if (i >= r)
				tail += (double)s[i] * s[i];
		}
		lowrank_dense(l, a);
		for (int i = 0; i < N * K; i++)
			err2 += ((double)w[i] - a[i]) * ((double)w[i] - a[i]);
		CHECK_NEAR(sqrt(err2), sqrt(tail), 1e-3, 1e-4);
		CHECK_INT(lowrank_bytes(l), (size_t)r * (N + K) * sizeof(float));
		lowrank_free(l);
	}
	CHECK(lowrank_new_svd(w, N, K, N + 1, &e) == NULL);
	CHECK_HAS(e.msg, "rank");
	free(w);
	free(a);
}

static void test_prune(void)
{
	const size_t len = N * K;
	float *w = xmalloc(len * sizeof *w), *p = xmalloc(len * sizeof *p);
	const double levels[] = { 0.5, 0.75, 0.9, 0.95 };
	fill(w, len);
	for (int l = 0; l < 4; l++) {
		memcpy(p, w, len * sizeof *p);
		size_t z = sparse_prune(p, len, levels[l]);
		size_t want = (size_t)floor(levels[l] * (double)len + 0.5);
		CHECK_INT(z, want); /* continuous random weights: no ties */
		float kept_min = 1e30f, pruned_max = 0;
		for (size_t i = 0; i < len; i++) {
			if (p[i] != 0) {
				CHECK(p[i] == w[i]);
				kept_min = fminf(kept_min, fabsf(w[i]));
			} else {
				pruned_max = fmaxf(pruned_max, fabsf(w[i]));
			}
		}
		CHECK(kept_min > pruned_max);
	}
	memcpy(p, w, len * sizeof *p);
	sparse_prune24(p, N, K);
	for (int i = 0; i < N; i++)
		for (int g = 0; g < K; g += 4) {
			int nz = 0;
			float kmin = 1e30f, pmax = 0;
			for (int j = 0; j < 4; j++) {
				float v = p[i * K + g + j], o = fabsf(w[i * K + g + j]);
				if (v != 0) {
					nz++;
					kmin = fminf(kmin, o);
				} else {
					pmax = fmaxf(pmax, o);
				}
			}
			CHECK_INT(nz, 2);
			CHECK(kmin >= pmax);
		}
	struct err e = { 0 };
	CHECK(sparse_24_new(w, N, K, &e) == NULL); /* dense rows are not 2:4 */
	CHECK_HAS(e.msg, "more than 2");
	free(w);
	free(p);
}

/* the int8 paths must agree bit for bit (int32 sums are exact); int4/bf16 fused vs tiled */
static void test_paths_agree(void)
{
	float *w = xmalloc(N * K * sizeof *w), *x = xmalloc(13 * K * sizeof *x);
	float *y1 = xmalloc(13 * N * sizeof *y1), *y2 = xmalloc(13 * N * sizeof *y2);
	fill(w, N * K);
	fill(x, 13 * K);
	struct quant_i8 *q = quant_i8_new(w, N, K);
	CHECK_INT(quant_i8_gemm(q, x, 13, y1, QUANT_PORTABLE), 0);
	for (int path = QUANT_AVX2; path <= QUANT_VNNI; path++) {
		for (int i = 0; i < 13 * N; i++)
			y2[i] = NAN; /* not the previous path's output: each path must write all */
		int rc = quant_i8_gemm(q, x, 13, y2, path);
		if (rc != 0) {
			printf("     (int8 %s path not available on this CPU: skipped)\n",
			       quant_path_name(path));
			continue;
		}
		CHECK(memcmp(y1, y2, 13 * N * sizeof *y1) == 0);
	}
	for (int b = 1; b <= 13; b += 12) {
		CHECK_INT(quant_i8_gemm(q, x, b, y1, QUANT_PORTABLE), 0);
		if (quant_i8_gemm(q, x, b, y2, QUANT_AUTO) == 0)
			CHECK(memcmp(y1, y2, (size_t)b * N * sizeof *y1) == 0);
	}
	quant_i8_free(q);
	struct quant_i4 *q4 = quant_i4_new(w, N, K);
	struct quant_bf16 *qb = quant_bf16_new(w, N, K);
	for (int b = 1; b <= QUANT_FUSED_MAX_B; b++) {
		CHECK_INT(quant_i4_gemm(q4, x, b, y1, QUANT_PORTABLE), 0);
		if (quant_i4_gemm(q4, x, b, y2, QUANT_AVX2) == 0)
			for (int i = 0; i < b * N; i++)
				CHECK_NEAR(y1[i], y2[i], 1e-5, 1e-5);
		CHECK_INT(quant_bf16_gemm(qb, x, b, y1, QUANT_PORTABLE), 0);
		if (quant_bf16_gemm(qb, x, b, y2, QUANT_AVX2) == 0)
			for (int i = 0; i < b * N; i++)
				CHECK_NEAR(y1[i], y2[i], 1e-5, 1e-5);
	}
	quant_i4_free(q4);
	quant_bf16_free(qb);
	free(w);
	free(x);
	free(y1);
	free(y2);
}

/* ---- int8: every path against exact integer sums
 *
 * Weights are built from chosen integer codes c (every non-zero row holds a code of magnitude
 * 127, so the row's scale is exactly 1/127 and its codes are exactly c: checked through
 * quant_i8_dequant); activations are quantized by quant_i8_quantize_rows (its codes checked
 * against the definition in test_quantize_rows). The reference is then the int64 sum of code
 * products, scaled as the kernels scale it, and every path must give it bit for bit. Rows of
 * both operands take the extremes the SIMD paths treat specially: codes all +127 (u8 255 after
 * VNNI's +128 offset), all -127 (u8 1), alternating, all zero (u8 128: only the channel-sum
 * correction cancels it), and random codes. */

enum { I8_ROW_RANDOM, I8_ROW_PLUS, I8_ROW_MINUS, I8_ROW_ALTERNATE, I8_ROW_ZERO, I8_ROW_KINDS };

static int rand_code(void)
{
	return (int)(urand() * 255.0) - 127; /* [-127, 127] */
}

/* codes of one row of kind `kind`; a non-zero row holds at least one code of magnitude 127 */
static void i8_codes_row(int kind, int k, int *c)
{
	for (int j = 0; j < k; j++) {
		switch (kind) {
		case I8_ROW_PLUS: c[j] = 127; break;
		case I8_ROW_MINUS: c[j] = -127; break;
		case I8_ROW_ALTERNATE: c[j] = j % 2 ? -127 : 127; break;
		case I8_ROW_ZERO: c[j] = 0; break;
		default: c[j] = rand_code(); break;
		}
	}
	if (kind == I8_ROW_RANDOM)
		c[(int)(urand() * k)] = urand() < 0.5 ? -127 : 127;
}

/* float activations whose per-token codes take the row kind (the quantizer maps the row's
 * largest magnitude to 127; random rows are ordinary floats) */
static void i8_act_row(int kind, int k, float *x)
{
	for (int j = 0; j < k; j++) {
		switch (kind) {
		case I8_ROW_PLUS: x[j] = 0.75f; break;
		case I8_ROW_MINUS: x[j] = -3.0f; break;
		case I8_ROW_ALTERNATE: x[j] = j % 2 ? -1.5f : 1.5f; break;
		case I8_ROW_ZERO: x[j] = 0.0f; break;
		default: x[j] = (float)(2 * urand() - 1); break;
		}
	}
}

/* the paths this CPU has, each compared with the exact sums; counts what ran per path */
static int i8_runs[QUANT_VNNI + 1];

/* n channels, k inputs, b tokens; row kinds rotate with the row index from `kind0` */
static void check_i8_exact(int n, int k, int b, int kind0)
{
	const size_t nk = (size_t)n * (size_t)k, bk = (size_t)b * (size_t)k;
	const size_t bn = (size_t)b * (size_t)n;
	int *c = xmalloc(nk * sizeof *c);
	float *w = xmalloc(nk * sizeof *w), *wd = xmalloc(nk * sizeof *wd);
	float *x = xmalloc(bk * sizeof *x), *xs = xmalloc((size_t)b * sizeof *xs);
	float *yr = xmalloc(bn * sizeof *yr), *y = xmalloc(bn * sizeof *y);
	signed char *xq = xmalloc(bk);
	const float ws = 1.0f / 127.0f; /* the scale of a row whose largest magnitude is 1 */

	for (int i = 0; i < n; i++) {
		i8_codes_row((kind0 + i) % I8_ROW_KINDS, k, c + (size_t)i * k);
		for (int j = 0; j < k; j++)
			w[(size_t)i * k + j] = (float)c[(size_t)i * k + j] / 127.0f;
	}
	for (int t = 0; t < b; t++)
		i8_act_row((kind0 + 2 * t + 1) % I8_ROW_KINDS, k, x + (size_t)t * k);
	struct quant_i8 *q = quant_i8_new(w, n, k);
	quant_i8_dequant(q, wd);
	int bad = 0;
	for (size_t j = 0; j < nk; j++)
		bad += wd[j] != (float)c[j] * ws;
	CHECK_INT(bad, 0); /* the kernels hold exactly the chosen codes */
	quant_i8_quantize_rows(x, b, k, xq, xs);
	for (int t = 0; t < b; t++)
		for (int i = 0; i < n; i++) {
			int64_t acc = 0;
			int zero_row = 1;
			for (int j = 0; j < k; j++) {
				acc += (int64_t)xq[(size_t)t * k + j] * c[(size_t)i * k + j];
				zero_row &= c[(size_t)i * k + j] == 0;
			}
			CHECK(acc >= INT32_MIN && acc <= INT32_MAX);
			/* as the kernels scale: (float)acc * xs * ws, left to right; a zero
			 * row's scale is 1 */
			const float sw = zero_row ? 1.0f : ws;
			yr[(size_t)t * n + i] = (float)(int32_t)acc * xs[t] * sw;
		}
	for (int path = QUANT_PORTABLE; path <= QUANT_VNNI; path++) {
		for (size_t j = 0; j < bn; j++)
			y[j] = NAN; /* an output a path leaves unwritten cannot match */
		if (quant_i8_gemm(q, x, b, y, path) != 0)
			continue;
		i8_runs[path]++;
		if (memcmp(y, yr, bn * sizeof *y) != 0) {
			for (size_t j = 0; j < bn; j++)
				if (memcmp(&y[j], &yr[j], sizeof *y) != 0) {
					fprintf(stderr, "  int8 %s n=%d k=%d b=%d: token %zu "
						"channel %zu: %.9g, exact %.9g\n",
						quant_path_name(path), n, k, b, j / (size_t)n,
						j % (size_t)n, (double)y[j], (double)yr[j]);
					break;
				}
			CHECK(0);
		}
	}
	quant_i8_free(q);
	free(c);
	free(w);
	free(wd);
	free(x);
	free(xs);
	free(xq);
	free(y);
	free(yr);
}

/* Shapes around the kernels' steps: K around the 64-byte step (and VNNI's 4-byte groups),
 * channel counts around the 4-row kernels and the 32-row channel tiles, token counts around the
 * 4-token (VNNI) and 3-token (AVX2) kernels, batch 1 included. A CPU with AVX-512 VNNI must
 * run that path here (it is never skipped where it can run). */
static void test_int8_exact(void)
{
	static const int ns[] = { 1, 2, 3, 4, 5, 31, 33, 66 };
	static const int ks[] = { 1, 3, 4, 63, 64, 65, 130 };
	static const int bs[] = { 1, 2, 3, 4, 5, 7, 9, 13 };
	struct hw_features f;
	int cases = 0;

	memset(i8_runs, 0, sizeof i8_runs);
	for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++)
		for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++)
			for (size_t bi = 0; bi < sizeof bs / sizeof bs[0]; bi++)
				check_i8_exact(ns[ni], ks[ki], bs[bi], cases++ % I8_ROW_KINDS);
	hw_detect(&f);
	CHECK_INT(i8_runs[QUANT_PORTABLE], cases);
	if (f.avx2 && f.fma)
		CHECK_INT(i8_runs[QUANT_AVX2], cases);
	if (f.avx512f && f.avx512bw && f.avx512vnni)
		CHECK_INT(i8_runs[QUANT_VNNI], cases);
	for (int path = QUANT_AVX2; path <= QUANT_VNNI; path++)
		printf("     (int8 %s path: %s)\n", quant_path_name(path),
		       i8_runs[path] ? "compared with exact sums"
				     : "not available on this CPU: skipped");
}

/* The largest K the calibration uses (the Llama-3-70B MLP down projection, 28672) with every
 * code at its extreme: the VNNI sums carry the +128 offset (up to 255 * 127 * K = 9.3e8 before
 * the correction), still exact in int32 */
static void test_int8_large_k_extremes(void)
{
	for (int kind0 = 0; kind0 < I8_ROW_KINDS; kind0++)
		check_i8_exact(5, 28672, 5, kind0);
}

/* K = QUANT_I8_MAX_K, extreme codes: VNNI's offset sums (255 * 127 * K = 4.2e9) wrap int32, and
 * only modular arithmetic (vector adds, the correction taken modulo 2^32) gives the exact sums,
 * which still fit. Under UBSan a C-int reduction or subtraction of them stops the test. Batches
 * 1 (the 1x4 kernel) and 5 (4x4 and the 1x4 tail). */
static void test_int8_max_k_wraps(void)
{
	for (int kind0 = 0; kind0 < I8_ROW_KINDS; kind0++) {
		check_i8_exact(5, QUANT_I8_MAX_K, 1, kind0);
		check_i8_exact(5, QUANT_I8_MAX_K, 5, kind0);
	}
}

/* activation codes: the (vectorized) quantizer against the definition, bit for bit */
static void test_quantize_rows(void)
{
	const int b = 5, k = 77;
	float x[5 * 77], xs[5];
	signed char xq[5 * 77];
	fill(x, (size_t)b * k);
	x[3] = 0.5f * 127.0f / 127.0f; /* values landing on .5 code boundaries are rare; add one */
	quant_i8_quantize_rows(x, b, k, xq, xs);
	int bad = 0;
	for (int t = 0; t < b; t++) {
		float amax = 0;
		for (int j = 0; j < k; j++)
			amax = fmaxf(amax, fabsf(x[t * k + j]));
		CHECK(xs[t] == amax / 127.0f);
		float inv = 1.0f / (amax / 127.0f);
		for (int j = 0; j < k; j++) {
			long v = lrintf(x[t * k + j] * inv);
			v = v > 127 ? 127 : v < -127 ? -127 : v;
			bad += xq[t * k + j] != (signed char)v;
		}
	}
	CHECK_INT(bad, 0);
}

static void test_bf16_rounding(void)
{
	CHECK_INT(quant_to_bf16(1.0f), 0x3f80);
	CHECK_INT(quant_to_bf16(-2.0f), 0xc000);
	/* 1 + 2^-8 is halfway between bf16 1.0 and 1.0078125: ties to even -> 1.0 */
	CHECK_INT(quant_to_bf16(1.0f + 0x1.0p-8f), 0x3f80);
	CHECK_INT(quant_to_bf16(1.0f + 0x1.8p-8f), 0x3f81);
	CHECK(quant_from_bf16(0x3f81) == 1.0078125f);
}

static void test_sbgemm_probe(void)
{
	const char *why = NULL;
	int ok = kern_sbgemm_available(&why);
	CHECK(why != NULL);
	struct err e = { 0 };
	const struct variant_spec *sp = variant_find("bf16_sbgemm", &e);
	float w[8 * 8] = { 0 };
	struct variant *v = variant_new(sp, w, 8, 8, 0, &e);
	if (ok) {
		CHECK(v != NULL);
	} else {
		struct hw_features f;
		hw_detect(&f);
		CHECK(v == NULL);
		CHECK_HAS(e.msg, "unsupported");
		/* the library is asked first: a CPU with AVX-512 BF16 is turned down only for it */
		if (f.avx512bf16)
			CHECK_HAS(why, "cblas_sbgemm");
		printf("     (bf16 sbgemm: %s)\n", why);
	}
	variant_free(v);
}

static void test_unknown_variant(void)
{
	struct err e = { 0 };
	CHECK(variant_find("int3", &e) == NULL);
	CHECK_HAS(e.msg, "valid variants are: dense_fp32");
}

static void test_peaks(void)
{
	struct hw_features f;
	hw_detect(&f);
	double p = hw_peak_fp32_flops(0.02);
	if (f.avx2 && f.fma)
		CHECK(p > 1e9); /* any AVX2 core does well over 1 GFLOP/s */
	else
		CHECK(p == 0);
	double q = hw_peak_int8_avx2_ops(0.02);
	CHECK(f.avx2 ? q > 1e9 : q == 0);
	if (!f.avx512vnni)
		CHECK(hw_peak_int8_vnni_ops(0.02) == 0);
}

int main(void)
{
	const char *env = getenv("MAASIM_TEST_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL);
	rng_state = seed;
	printf("seed %llu (MAASIM_TEST_SEED to repeat)\n", (unsigned long long)seed);
	kern_set_threads(1);
	RUN(test_dense);
	RUN(test_bf16w);
	RUN(test_int8);
	RUN(test_int4);
	RUN(test_csr);
	RUN(test_sp24);
	RUN(test_lowrank_products);
	RUN(test_lowrank_eckart_young);
	RUN(test_prune);
	RUN(test_paths_agree);
	RUN(test_int8_exact);
	RUN(test_int8_large_k_extremes);
	RUN(test_int8_max_k_wraps);
	RUN(test_quantize_rows);
	RUN(test_bf16_rounding);
	RUN(test_sbgemm_probe);
	RUN(test_unknown_variant);
	RUN(test_peaks);
	return CHECK_DONE();
}
