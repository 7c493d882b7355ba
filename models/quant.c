/* quant.c — int8, int4 and bf16 quantized products (see quant.h). */
#include "models/quant.h"

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"
#include "models/hw.h"
#include "models/kern.h"

/* 64-byte aligned block carved out of an xmalloc'd one (raw kept for free). */
struct abuf {
	void *raw;
	void *p;
	size_t cap;
};

static void *abuf_get(struct abuf *a, size_t bytes)
{
	if (bytes > a->cap) {
		free(a->raw);
		a->raw = xmalloc(bytes + 64);
		a->p = (void *)(((uintptr_t)a->raw + 63) & ~(uintptr_t)63);
		a->cap = bytes;
	}
	return a->p;
}

static void abuf_fini(struct abuf *a)
{
	free(a->raw);
	memset(a, 0, sizeof *a);
}

static int round_up(int v, int m)
{
	return (v + m - 1) / m * m;
}

const char *quant_path_name(int path)
{
	switch (path) {
	case QUANT_PORTABLE: return "portable";
	case QUANT_AVX2: return "avx2";
	case QUANT_VNNI: return "avx512-vnni";
	default: return "auto";
	}
}

static int path_supported(int path)
{
	struct hw_features f;
	hw_detect(&f);
	switch (path) {
	case QUANT_PORTABLE: return 1;
	case QUANT_AVX2: return f.avx2 && f.fma;
	case QUANT_VNNI: return f.avx512f && f.avx512bw && f.avx512vnni;
	default: return 0;
	}
}

int quant_i8_best_path(void)
{
	if (path_supported(QUANT_VNNI))
		return QUANT_VNNI;
	if (path_supported(QUANT_AVX2))
		return QUANT_AVX2;
	return QUANT_PORTABLE;
}

/* ---------------------------------------------------------------- int8 */

struct quant_i8 {
	int n, k, kp;        /* kp: k padded to a multiple of 64 */
	signed char *w;      /* n x kp codes, zero padded */
	float *scale;        /* n */
	int32_t *wsum;       /* n: sum of codes (removes the VNNI u8 offset) */
	struct abuf wbuf, xq, xa, xs;
};

struct quant_i8 *quant_i8_new(const float *w, int n, int k)
{
	struct quant_i8 *q;

	if (k < 1 || k > QUANT_I8_MAX_K)
		abort(); /* int32 sums would not be exact (quant.h) */
	q = xcalloc(1, sizeof *q);

	q->n = n;
	q->k = k;
	q->kp = round_up(k, 64);
	q->w = abuf_get(&q->wbuf, (size_t)n * (size_t)q->kp);
	memset(q->w, 0, (size_t)n * (size_t)q->kp);
	q->scale = xmalloc((size_t)n * sizeof *q->scale);
	q->wsum = xmalloc((size_t)n * sizeof *q->wsum);
	for (int i = 0; i < n; i++) {
		const float *row = w + (size_t)i * (size_t)k;
		float amax = 0;
		for (int j = 0; j < k; j++)
			amax = fmaxf(amax, fabsf(row[j]));
		float s = amax > 0 ? amax / 127.0f : 1.0f;
		int32_t sum = 0;
		for (int j = 0; j < k; j++) {
			long v = lrintf(row[j] / s);
			v = v > 127 ? 127 : v < -127 ? -127 : v;
			q->w[(size_t)i * (size_t)q->kp + (size_t)j] = (signed char)v;
			sum += (int32_t)v;
		}
		q->scale[i] = s;
		q->wsum[i] = sum;
	}
	return q;
}

void quant_i8_free(struct quant_i8 *q)
{
	if (!q)
		return;
	abuf_fini(&q->wbuf);
	abuf_fini(&q->xq);
	abuf_fini(&q->xa);
	abuf_fini(&q->xs);
	free(q->scale);
	free(q->wsum);
	free(q);
}

size_t quant_i8_bytes(const struct quant_i8 *q)
{
	return (size_t)q->n * (size_t)q->kp + (size_t)q->n * (sizeof(float) + sizeof(int32_t));
}

void quant_i8_dequant(const struct quant_i8 *q, float *w)
{
	for (int i = 0; i < q->n; i++)
		for (int j = 0; j < q->k; j++)
			w[(size_t)i * (size_t)q->k + (size_t)j] =
				(float)q->w[(size_t)i * (size_t)q->kp + (size_t)j] * q->scale[i];
}

/* Per-row symmetric quantization; the AVX2 and scalar versions give identical codes (both
 * round half to even: lrintf in the default rounding mode, vcvtps2dq) and identical scales. */
static void quantize_row_scalar(const float *row, int k, int ld, signed char *out, float *xs)
{
	float amax = 0;
	for (int j = 0; j < k; j++) {
		float a = row[j] < 0 ? -row[j] : row[j];
		amax = a > amax ? a : amax;
	}
	float s = amax > 0 ? amax / 127.0f : 1.0f, inv = 1.0f / s;
	for (int j = 0; j < k; j++) {
		long v = lrintf(row[j] * inv);
		out[j] = (signed char)(v > 127 ? 127 : v < -127 ? -127 : v);
	}
	memset(out + k, 0, (size_t)(ld - k));
	*xs = s;
}

__attribute__((target("avx2"))) static void quantize_row_avx2(const float *row, int k, int ld,
							       signed char *out, float *xs)
{
	const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
	__m256 m = _mm256_setzero_ps();
	int j = 0;
	for (; j + 8 <= k; j += 8)
		m = _mm256_max_ps(m, _mm256_and_ps(absmask, _mm256_loadu_ps(row + j)));
	float lanes[8], amax = 0;
	_mm256_storeu_ps(lanes, m);
	for (int u = 0; u < 8; u++)
		amax = lanes[u] > amax ? lanes[u] : amax;
	for (; j < k; j++) {
		float a = row[j] < 0 ? -row[j] : row[j];
		amax = a > amax ? a : amax;
	}
	float s = amax > 0 ? amax / 127.0f : 1.0f, inv = 1.0f / s;
	const __m256 vinv = _mm256_set1_ps(inv);
	const __m256i lo = _mm256_set1_epi32(-127), hi = _mm256_set1_epi32(127);
	const __m256i perm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
	for (j = 0; j + 32 <= k; j += 32) {
		__m256i q[4];
		for (int u = 0; u < 4; u++) {
			__m256i v = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(row + j + 8 * u), vinv));
			q[u] = _mm256_min_epi32(_mm256_max_epi32(v, lo), hi);
		}
		__m256i p01 = _mm256_packs_epi32(q[0], q[1]), p23 = _mm256_packs_epi32(q[2], q[3]);
		__m256i p = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(p01, p23), perm);
		_mm256_storeu_si256((__m256i *)(out + j), p);
	}
	for (; j < k; j++) {
		long v = lrintf(row[j] * inv);
		out[j] = (signed char)(v > 127 ? 127 : v < -127 ? -127 : v);
	}
	memset(out + k, 0, (size_t)(ld - k));
	*xs = s;
}

static void quantize_rows_ld(const float *x, int b, int k, int ld, signed char *xq, float *xs)
{
	const int avx2 = path_supported(QUANT_AVX2);
	for (int t = 0; t < b; t++) {
		const float *row = x + (size_t)t * (size_t)k;
		signed char *out = xq + (size_t)t * (size_t)ld;
		if (avx2)
			quantize_row_avx2(row, k, ld, out, xs + t);
		else
			quantize_row_scalar(row, k, ld, out, xs + t);
	}
}

void quant_i8_quantize_rows(const float *x, int b, int k, signed char *xq, float *xs)
{
	quantize_rows_ld(x, b, k, k, xq, xs);
}

static void i8_portable(const struct quant_i8 *q, const signed char *xq, const float *xs, int b,
			float *y)
{
	for (int t = 0; t < b; t++) {
		const signed char *xr = xq + (size_t)t * (size_t)q->kp;
		for (int i = 0; i < q->n; i++) {
			const signed char *wr = q->w + (size_t)i * (size_t)q->kp;
			int32_t acc = 0;
			for (int j = 0; j < q->kp; j++)
				acc += (int32_t)xr[j] * (int32_t)wr[j];
			y[(size_t)t * (size_t)q->n + (size_t)i] = (float)acc * xs[t] * q->scale[i];
		}
	}
}

__attribute__((target("avx2"))) static inline int32_t hsum_epi32(__m256i v)
{
	__m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
	return _mm_cvtsi128_si32(s);
}

/* x.w for 32 int8 pairs as 8 int32 partial sums: |x| * (w with x's sign), never saturating */
#define I8_STEP(acc, ax, x, w) \
	acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(ax, \
				_mm256_sign_epi8(w, x)), ones))

/* 3 tokens x 2 channels over the whole padded row: 6 accumulators, the two weight vectors and
 * one token's codes stay in registers (16 ymm), so each 32-byte load feeds 2-3 products */
__attribute__((target("avx2"))) static void i8_avx2_3x2(const signed char *const *xr,
							 const unsigned char *const *ar,
							 const signed char *w0, const signed char *w1,
							 int kp, int32_t out[3][2])
{
	const __m256i ones = _mm256_set1_epi16(1);
	__m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00,
		c21 = c00;

	for (int j = 0; j < kp; j += 32) {
		const __m256i a = _mm256_load_si256((const __m256i *)(w0 + j));
		const __m256i bw = _mm256_load_si256((const __m256i *)(w1 + j));
		__m256i x, ax;
		x = _mm256_load_si256((const __m256i *)(xr[0] + j));
		ax = _mm256_load_si256((const __m256i *)(ar[0] + j));
		I8_STEP(c00, ax, x, a); I8_STEP(c01, ax, x, bw);
		x = _mm256_load_si256((const __m256i *)(xr[1] + j));
		ax = _mm256_load_si256((const __m256i *)(ar[1] + j));
		I8_STEP(c10, ax, x, a); I8_STEP(c11, ax, x, bw);
		x = _mm256_load_si256((const __m256i *)(xr[2] + j));
		ax = _mm256_load_si256((const __m256i *)(ar[2] + j));
		I8_STEP(c20, ax, x, a); I8_STEP(c21, ax, x, bw);
	}
	out[0][0] = hsum_epi32(c00); out[0][1] = hsum_epi32(c01);
	out[1][0] = hsum_epi32(c10); out[1][1] = hsum_epi32(c11);
	out[2][0] = hsum_epi32(c20); out[2][1] = hsum_epi32(c21);
}

/* 1 token x 4 channels (the decode shape: each weight row is read once) */
__attribute__((target("avx2"))) static void i8_avx2_1x4(const signed char *xr,
							 const unsigned char *ar,
							 const signed char *const *w, int kp,
							 int32_t out[4])
{
	const __m256i ones = _mm256_set1_epi16(1);
	__m256i c0 = _mm256_setzero_si256(), c1 = c0, c2 = c0, c3 = c0;

	for (int j = 0; j < kp; j += 32) {
		__m256i x = _mm256_load_si256((const __m256i *)(xr + j));
		__m256i ax = _mm256_load_si256((const __m256i *)(ar + j));
		I8_STEP(c0, ax, x, _mm256_load_si256((const __m256i *)(w[0] + j)));
		I8_STEP(c1, ax, x, _mm256_load_si256((const __m256i *)(w[1] + j)));
		I8_STEP(c2, ax, x, _mm256_load_si256((const __m256i *)(w[2] + j)));
		I8_STEP(c3, ax, x, _mm256_load_si256((const __m256i *)(w[3] + j)));
	}
	out[0] = hsum_epi32(c0); out[1] = hsum_epi32(c1);
	out[2] = hsum_epi32(c2); out[3] = hsum_epi32(c3);
}

/* Channels are taken in tiles of I8_NB rows (I8_NB x kp bytes stay in L2 while every token tile
 * streams past); a tile edge that is not a multiple of the micro-kernel repeats the last valid
 * row and discards the extra result. */
#define I8_NB 32

/* acc - offset is taken modulo 2^32, as the vector paths do: VNNI's sums carry a +128 offset
 * that wraps int32 past K of about 66,000 (255 * 127 * K), while the exact result, |sum| <=
 * 127 * 127 * K, fits for any K up to QUANT_I8_MAX_K. */
static void i8_store(const struct quant_i8 *q, float *y, const float *xs, int t, int i,
		     int32_t acc, int32_t offset)
{
	const int32_t exact = (int32_t)((uint32_t)acc - (uint32_t)offset);
	y[(size_t)t * (size_t)q->n + (size_t)i] = (float)exact * xs[t] * q->scale[i];
}

__attribute__((target("avx2"))) static void i8_avx2(const struct quant_i8 *q,
						     const signed char *xq,
						     const unsigned char *xa, const float *xs,
						     int b, float *y)
{
	const size_t kp = (size_t)q->kp;
	const int n = q->n, b3 = b / 3 * 3;

	for (int n0 = 0; n0 < n; n0 += I8_NB) {
		int n1 = n0 + I8_NB < n ? n0 + I8_NB : n;
		for (int t = 0; t < b3; t += 3) {
			const signed char *xr[3];
			const unsigned char *ar[3];
			for (int u = 0; u < 3; u++) {
				xr[u] = xq + (size_t)(t + u) * kp;
				ar[u] = xa + (size_t)(t + u) * kp;
			}
			for (int i = n0; i < n1; i += 2) {
				int i1 = i + 1 < n1 ? i + 1 : i;
				int32_t o[3][2];
				i8_avx2_3x2(xr, ar, q->w + (size_t)i * kp, q->w + (size_t)i1 * kp,
					    q->kp, o);
				for (int u = 0; u < 3; u++) {
					i8_store(q, y, xs, t + u, i, o[u][0], 0);
					if (i1 != i)
						i8_store(q, y, xs, t + u, i1, o[u][1], 0);
				}
			}
		}
		for (int t = b3; t < b; t++) {
			for (int i = n0; i < n1; i += 4) {
				const signed char *wr[4];
				int32_t o[4];
				for (int u = 0; u < 4; u++)
					wr[u] = q->w + (size_t)(i + u < n1 ? i + u : n1 - 1) * kp;
				i8_avx2_1x4(xq + (size_t)t * kp, xa + (size_t)t * kp, wr, q->kp, o);
				for (int u = 0; u < 4 && i + u < n1; u++)
					i8_store(q, y, xs, t, i + u, o[u], 0);
			}
		}
	}
}

/* AVX-512 VNNI: vpdpbusd multiplies u8 by s8, so activations are offset by +128 into u8 and
 * 128 * sum(w) is taken back out of each channel's sum (exact in int32). */
#define VNNI_TARGET "avx512f,avx512bw,avx512vnni"

/* acc += x (u8) . w (s8) as vpdpbusd, all three in registers. Written as an instruction because
 * GCC 12 compiles _mm512_dpbusd_epi32 in a loop with several accumulators so that every
 * accumulator is copied to another register and back around each vpdpbusd and the weights are
 * re-read from memory as its operand (objdump of i8_vnni_4x4: 20 loads and 32 moves per 16
 * vpdpbusd, against 8 loads here); the register-only form keeps the kernel at 8 loads. The
 * {AT&T|Intel} alternatives keep it valid under -masm=intel. */
#define VNNI_DPBUSD(acc, x, w) \
	__asm__("vpdpbusd {%2, %1, %0|%0, %1, %2}" : "+v"(acc) : "v"(x), "v"(w))

/* In every 128-bit lane L: the sums of lane L's four int32 in a, b, c and d. */
__attribute__((target(VNNI_TARGET), always_inline)) static inline __m512i
vnni_sum4(__m512i a, __m512i b, __m512i c, __m512i d)
{
	__m512i ab = _mm512_add_epi32(_mm512_unpacklo_epi32(a, b), _mm512_unpackhi_epi32(a, b));
	__m512i cd = _mm512_add_epi32(_mm512_unpacklo_epi32(c, d), _mm512_unpackhi_epi32(c, d));
	return _mm512_add_epi32(_mm512_unpacklo_epi64(ab, cd), _mm512_unpackhi_epi64(ab, cd));
}

/* one token's 64 codes at row + j times the 4 channels' (wa..wd) into its 4 accumulators */
#define VNNI_TOKEN(row, c0, c1, c2, c3)                                          \
	do {                                                                     \
		const __m512i x_ = _mm512_load_si512((const void *)((row) + j)); \
		VNNI_DPBUSD(c0, x_, wa);                                         \
		VNNI_DPBUSD(c1, x_, wb);                                         \
		VNNI_DPBUSD(c2, x_, wc);                                         \
		VNNI_DPBUSD(c3, x_, wd);                                         \
	} while (0)

/* 4 tokens x 4 channels over the whole padded row: 16 accumulators, 4 weight vectors and one
 * token's codes in registers (21 of the 32 zmm), so each 64-byte load feeds 4 products (8 loads
 * per 16 vpdpbusd). The accumulators are named variables: kept in an array indexed by a loop
 * variable, GCC 12 at -O2 held them on the stack, a load and a store around every vpdpbusd.
 * The 16 sums are reduced together (vnni_sum4 per token, then across the 128-bit lanes) rather
 * than by 16 separate horizontal reductions. */
__attribute__((target(VNNI_TARGET))) static __m512i
i8_vnni_4x4(const unsigned char *const *ur, const signed char *const *w, int kp)
{
	const unsigned char *x0 = ur[0], *x1 = ur[1], *x2 = ur[2], *x3 = ur[3];
	__m512i c00 = _mm512_setzero_si512(), c01 = c00, c02 = c00, c03 = c00, c10 = c00,
		c11 = c00, c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00, c23 = c00,
		c30 = c00, c31 = c00, c32 = c00, c33 = c00;

	for (int j = 0; j < kp; j += 64) {
		const __m512i wa = _mm512_load_si512((const void *)(w[0] + j));
		const __m512i wb = _mm512_load_si512((const void *)(w[1] + j));
		const __m512i wc = _mm512_load_si512((const void *)(w[2] + j));
		const __m512i wd = _mm512_load_si512((const void *)(w[3] + j));
		VNNI_TOKEN(x0, c00, c01, c02, c03);
		VNNI_TOKEN(x1, c10, c11, c12, c13);
		VNNI_TOKEN(x2, c20, c21, c22, c23);
		VNNI_TOKEN(x3, c30, c31, c32, c33);
	}
	/* tu: per 128-bit lane, token u's 4 channel sums; the lanes are then added across, giving
	 * token u's sum for channel v in int32 lane 4u + v */
	const __m512i t0 = vnni_sum4(c00, c01, c02, c03), t1 = vnni_sum4(c10, c11, c12, c13);
	const __m512i t2 = vnni_sum4(c20, c21, c22, c23), t3 = vnni_sum4(c30, c31, c32, c33);
	const __m512i t01 = _mm512_add_epi32(_mm512_shuffle_i32x4(t0, t1, _MM_SHUFFLE(1, 0, 1, 0)),
					     _mm512_shuffle_i32x4(t0, t1, _MM_SHUFFLE(3, 2, 3, 2)));
	const __m512i t23 = _mm512_add_epi32(_mm512_shuffle_i32x4(t2, t3, _MM_SHUFFLE(1, 0, 1, 0)),
					     _mm512_shuffle_i32x4(t2, t3, _MM_SHUFFLE(3, 2, 3, 2)));
	return _mm512_add_epi32(_mm512_shuffle_i32x4(t01, t23, _MM_SHUFFLE(2, 0, 2, 0)),
				_mm512_shuffle_i32x4(t01, t23, _MM_SHUFFLE(3, 1, 3, 1)));
}

/* Writes i8_vnni_4x4's block (tokens t..t+3, channels i..i+3, sum in lane 4u + v) as i8_store
 * does: per element the same int32 offset removal and the same three roundings (to float,
 * times xs[t + u], times scale[i + v]), hence the same bits, 16 at a time (the 16 scalar
 * stores, about 19 instructions each in the objdump, were more than half of the instructions
 * per 4x4 call at K = 512). */
__attribute__((target(VNNI_TARGET))) static void
i8_vnni_store4x4(const struct quant_i8 *q, float *y, const float *xs, int t, int i, __m512i acc)
{
	const __m512i lane_token = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
	const __m128i wsum4 = _mm_loadu_si128((const __m128i *)(q->wsum + i));
	const __m512i wsum = _mm512_broadcast_i32x4(wsum4);
	const __m512 sx = _mm512_permutexvar_ps(lane_token,
						_mm512_castps128_ps512(_mm_loadu_ps(xs + t)));
	const __m512 sw = _mm512_broadcast_f32x4(_mm_loadu_ps(q->scale + i));
	const __m512i exact = _mm512_sub_epi32(acc, _mm512_slli_epi32(wsum, 7)); /* - 128 sum(w) */
	const __m512 r = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(exact), sx), sw);
	const size_t n = (size_t)q->n;
	float *row = y + (size_t)t * n + (size_t)i;

	_mm_storeu_ps(row, _mm512_castps512_ps128(r));
	_mm_storeu_ps(row + n, _mm512_extractf32x4_ps(r, 1));
	_mm_storeu_ps(row + 2 * n, _mm512_extractf32x4_ps(r, 2));
	_mm_storeu_ps(row + 3 * n, _mm512_extractf32x4_ps(r, 3));
}

__attribute__((target(VNNI_TARGET))) static void
i8_vnni_1x4(const unsigned char *ur, const signed char *const *w, int kp, int32_t out[4])
{
	__m512i c0 = _mm512_setzero_si512(), c1 = c0, c2 = c0, c3 = c0;
	for (int j = 0; j < kp; j += 64) {
		__m512i x = _mm512_load_si512((const void *)(ur + j));
		c0 = _mm512_dpbusd_epi32(c0, x, _mm512_load_si512((const void *)(w[0] + j)));
		c1 = _mm512_dpbusd_epi32(c1, x, _mm512_load_si512((const void *)(w[1] + j)));
		c2 = _mm512_dpbusd_epi32(c2, x, _mm512_load_si512((const void *)(w[2] + j)));
		c3 = _mm512_dpbusd_epi32(c3, x, _mm512_load_si512((const void *)(w[3] + j)));
	}
	/* reduced by vector adds, which wrap as vpdpbusd does (_mm512_reduce_add_epi32 adds in C
	 * int, undefined once the offset sums pass INT32_MAX) */
	const __m512i s = vnni_sum4(c0, c1, c2, c3);
	const __m256i h = _mm256_add_epi32(_mm512_castsi512_si256(s), _mm512_extracti64x4_epi64(s, 1));
	_mm_storeu_si128((__m128i *)out, _mm_add_epi32(_mm256_castsi256_si128(h),
						       _mm256_extracti128_si256(h, 1)));
}

__attribute__((target(VNNI_TARGET))) static void i8_vnni(const struct quant_i8 *q,
							  const unsigned char *xu, const float *xs,
							  int b, float *y)
{
	const size_t kp = (size_t)q->kp;
	const int n = q->n, b4 = b / 4 * 4;

	for (int n0 = 0; n0 < n; n0 += I8_NB) {
		int n1 = n0 + I8_NB < n ? n0 + I8_NB : n;
		for (int i = n0; i < n1; i += 4) {
			const signed char *wr[4];
			int iu[4];
			for (int v = 0; v < 4; v++) {
				iu[v] = i + v < n1 ? i + v : n1 - 1;
				wr[v] = q->w + (size_t)iu[v] * kp;
			}
			for (int t = 0; t < b4; t += 4) {
				const unsigned char *ur[4];
				for (int u = 0; u < 4; u++)
					ur[u] = xu + (size_t)(t + u) * kp;
				const __m512i acc = i8_vnni_4x4(ur, wr, q->kp);
				if (i + 3 < n1) {
					i8_vnni_store4x4(q, y, xs, t, i, acc);
					continue;
				}
				int32_t o[16]; /* a tile edge: the valid channels one by one */
				_mm512_storeu_si512((void *)o, acc);
				for (int u = 0; u < 4; u++)
					for (int v = 0; v < 4 && i + v < n1; v++)
						i8_store(q, y, xs, t + u, iu[v], o[4 * u + v],
							 128 * q->wsum[iu[v]]);
			}
			for (int t = b4; t < b; t++) {
				int32_t o[4];
				i8_vnni_1x4(xu + (size_t)t * kp, wr, q->kp, o);
				for (int v = 0; v < 4 && i + v < n1; v++)
					i8_store(q, y, xs, t, iu[v], o[v], 128 * q->wsum[iu[v]]);
			}
		}
	}
}

/* |code| as u8 (len a multiple of 64: rows are padded) */
__attribute__((target("avx2"))) static void abs_codes(const signed char *xq, unsigned char *xa,
						       size_t len)
{
	for (size_t j = 0; j < len; j += 32)
		_mm256_store_si256((__m256i *)(xa + j),
				   _mm256_abs_epi8(_mm256_load_si256((const __m256i *)(xq + j))));
}

int quant_i8_gemm(struct quant_i8 *q, const float *x, int b, float *y, int path)
{
	if (path == QUANT_AUTO)
		path = quant_i8_best_path();
	if (!path_supported(path))
		return -1;
	const size_t kp = (size_t)q->kp, rows = (size_t)b;
	signed char *xq = abuf_get(&q->xq, rows * kp);
	float *xs = abuf_get(&q->xs, rows * sizeof(float));

	quantize_rows_ld(x, b, q->k, q->kp, xq, xs);
	if (path == QUANT_PORTABLE) {
		i8_portable(q, xq, xs, b, y);
		return 0;
	}
	unsigned char *xa = abuf_get(&q->xa, rows * kp);
	if (path == QUANT_AVX2) {
		abs_codes(xq, xa, rows * kp);
		i8_avx2(q, xq, xa, xs, b, y);
	} else {
		for (size_t j = 0; j < rows * kp; j++)
			xa[j] = (unsigned char)(xq[j] + 128);
		i8_vnni(q, xa, xs, b, y);
	}
	return 0;
}

/* ---------------------------------------------------------------- shared: tile decode + sgemm */

typedef void (*decode_rows_fn)(const void *q, int i0, int i1, float *out);

/* Y = X W^T by decoding NB rows at a time into an fp32 tile and calling sgemm on it; the tile
 * is large enough (up to 2 Mi floats) that sgemm's packing of X is amortised over many
 * columns. x has leading dimension k. */
static void tiled_gemm(const void *q, decode_rows_fn decode, int n, int k, const float *x, int b,
		       float *y, struct abuf *tile)
{
	int nb = (int)(2097152 / (k > 0 ? k : 1));
	nb = nb < 16 ? 16 : nb > 512 ? 512 : nb;
	float *wt = abuf_get(tile, (size_t)nb * (size_t)k * sizeof(float));
	for (int i0 = 0; i0 < n; i0 += nb) {
		int i1 = i0 + nb < n ? i0 + nb : n;
		decode(q, i0, i1, wt);
		kern_sgemm_nt(b, i1 - i0, k, 1.0f, x, k, wt, k, 0.0f, y + i0, n);
	}
}

__attribute__((target("avx2"))) static inline float hsum_ps(__m256 v)
{
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_movehdup_ps(s));
	return _mm_cvtss_f32(s);
}

/* ---------------------------------------------------------------- int4 weight-only */

struct quant_i4 {
	int n, k, kp;            /* kp: k padded to a multiple of the group */
	unsigned char *w;        /* n x kp/2: per group of 32, byte j = q[j] | q[j+16] << 4 */
	float *scale;            /* n x kp/QUANT_I4_GROUP */
	struct abuf wbuf, tile, xpad;
};

struct quant_i4 *quant_i4_new(const float *w, int n, int k)
{
	struct quant_i4 *q = xcalloc(1, sizeof *q);
	const int g = QUANT_I4_GROUP, ng = round_up(k, g) / g;

	q->n = n;
	q->k = k;
	q->kp = ng * g;
	q->w = abuf_get(&q->wbuf, (size_t)n * (size_t)q->kp / 2);
	q->scale = xmalloc((size_t)n * (size_t)ng * sizeof *q->scale);
	for (int i = 0; i < n; i++) {
		const float *row = w + (size_t)i * (size_t)k;
		unsigned char *out = q->w + (size_t)i * (size_t)q->kp / 2;
		for (int gi = 0; gi < ng; gi++) {
			float amax = 0;
			int c[QUANT_I4_GROUP];
			for (int j = 0; j < g; j++) {
				int kk = gi * g + j;
				if (kk < k)
					amax = fmaxf(amax, fabsf(row[kk]));
			}
			float s = amax > 0 ? amax / 7.0f : 1.0f;
			for (int j = 0; j < g; j++) {
				int kk = gi * g + j;
				long v = kk < k ? lrintf(row[kk] / s) : 0;
				c[j] = (int)(v > 7 ? 7 : v < -7 ? -7 : v) + 8;
			}
			for (int j = 0; j < g / 2; j++)
				out[gi * g / 2 + j] = (unsigned char)(c[j] | (c[j + g / 2] << 4));
			q->scale[(size_t)i * (size_t)ng + (size_t)gi] = s;
		}
	}
	return q;
}

void quant_i4_free(struct quant_i4 *q)
{
	if (!q)
		return;
	abuf_fini(&q->wbuf);
	abuf_fini(&q->tile);
	abuf_fini(&q->xpad);
	free(q->scale);
	free(q);
}

size_t quant_i4_bytes(const struct quant_i4 *q)
{
	return (size_t)q->n * (size_t)q->kp / 2 +
	       (size_t)q->n * (size_t)(q->kp / QUANT_I4_GROUP) * sizeof(float);
}

/* decodes rows [i0, i1) to fp32 with row length kp */
static void i4_decode_kp(const struct quant_i4 *q, int i0, int i1, float *out)
{
	const int g = QUANT_I4_GROUP, ng = q->kp / g;
	for (int i = i0; i < i1; i++) {
		const unsigned char *src = q->w + (size_t)i * (size_t)q->kp / 2;
		const float *sc = q->scale + (size_t)i * (size_t)ng;
		float *dst = out + (size_t)(i - i0) * (size_t)q->kp;
		for (int gi = 0; gi < ng; gi++) {
			for (int j = 0; j < g / 2; j++) {
				unsigned char byte = src[gi * g / 2 + j];
				dst[gi * g + j] = (float)((int)(byte & 15) - 8) * sc[gi];
				dst[gi * g + j + g / 2] = (float)((int)(byte >> 4) - 8) * sc[gi];
			}
		}
	}
}

static void i4_decode(const void *qv, int i0, int i1, float *out)
{
	i4_decode_kp(qv, i0, i1, out);
}

void quant_i4_dequant(const struct quant_i4 *q, float *w)
{
	float *row = xmalloc((size_t)q->kp * sizeof *row);
	for (int i = 0; i < q->n; i++) {
		i4_decode_kp(q, i, i + 1, row);
		memcpy(w + (size_t)i * (size_t)q->k, row, (size_t)q->k * sizeof *row);
	}
	free(row);
}

/* Fused decode + dot for B tokens (B a compile-time constant after inlining, so the
 * accumulators live in registers). Few tokens give few independent FMA chains, so each token
 * gets NA accumulators (4 for one or two tokens, 2 up to four, 1 beyond): without them one
 * token's products would wait on the FMA latency. x has leading dimension kp. */
#define ACCS(B) ((B) <= 2 ? 4 : (B) <= 4 ? 2 : 1)

/* Zeroes the first na accumulators of each of B tokens. */
__attribute__((target("avx2"), always_inline)) static inline void
acc_zero(__m256 acc[][4], const int B, const int na)
{
	for (int t = 0; t < B; t++)
		for (int a = 0; a < na; a++)
			acc[t][a] = _mm256_setzero_ps();
}

/* Sums each token's na accumulators into y[t][i] (y has leading dimension n). */
__attribute__((target("avx2"), always_inline)) static inline void
acc_store(__m256 acc[][4], const int B, const int na, float *y, int n, int i)
{
	for (int t = 0; t < B; t++) {
		__m256 sum = acc[t][0];
		for (int a = 1; a < na; a++)
			sum = _mm256_add_ps(sum, acc[t][a]);
		y[(size_t)t * (size_t)n + (size_t)i] = hsum_ps(sum);
	}
}

/* Calls FN(q, x, y, B) with B the compile-time constant equal to b (1..8; more: 8). */
#define FUSED_DISPATCH(FN, q, x, b, y)                  \
	do {                                            \
		switch (b) {                            \
		case 1: FN(q, x, y, 1); break;          \
		case 2: FN(q, x, y, 2); break;          \
		case 3: FN(q, x, y, 3); break;          \
		case 4: FN(q, x, y, 4); break;          \
		case 5: FN(q, x, y, 5); break;          \
		case 6: FN(q, x, y, 6); break;          \
		case 7: FN(q, x, y, 7); break;          \
		default: FN(q, x, y, 8); break;         \
		}                                       \
	} while (0)

__attribute__((target("avx2,fma"), always_inline)) static inline void
i4_fused_b(const struct quant_i4 *q, const float *x, float *y, const int B)
{
	const int g = QUANT_I4_GROUP, ng = q->kp / g, na = ACCS(B);
	const __m128i lo4 = _mm_set1_epi8(15), eight = _mm_set1_epi8(8);
	const size_t kp = (size_t)q->kp;

	for (int i = 0; i < q->n; i++) {
		const unsigned char *src = q->w + (size_t)i * kp / 2;
		const float *sc = q->scale + (size_t)i * (size_t)ng;
		__m256 acc[QUANT_FUSED_MAX_B][4];
		acc_zero(acc, B, na);
		for (int gi = 0; gi < ng; gi++) {
			__m128i v = _mm_loadu_si128((const __m128i *)(src + gi * g / 2));
			__m128i lo = _mm_sub_epi8(_mm_and_si128(v, lo4), eight);
			__m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(v, 4), lo4), eight);
			__m256 s = _mm256_set1_ps(sc[gi]);
			__m256 w[4];
			w[0] = _mm256_mul_ps(s, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(lo)));
			w[1] = _mm256_mul_ps(s, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(lo, 8))));
			w[2] = _mm256_mul_ps(s, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(hi)));
			w[3] = _mm256_mul_ps(s, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(hi, 8))));
			for (int t = 0; t < B; t++) {
				const float *xr = x + (size_t)t * kp + (size_t)gi * (size_t)g;
				for (int u = 0; u < 4; u++)
					acc[t][u % na] = _mm256_fmadd_ps(w[u], _mm256_loadu_ps(xr + 8 * u),
									 acc[t][u % na]);
			}
		}
		acc_store(acc, B, na, y, q->n, i);
	}
}

__attribute__((target("avx2,fma"))) static void i4_fused_avx2(const struct quant_i4 *q,
							       const float *x, int b, float *y)
{
	FUSED_DISPATCH(i4_fused_b, q, x, b, y);
}

/* x copied to a zero-padded kp-stride buffer when k is not a multiple of the group */
static const float *pad_rows(struct abuf *buf, const float *x, int b, int k, int kp)
{
	if (k == kp)
		return x;
	float *p = abuf_get(buf, (size_t)b * (size_t)kp * sizeof(float));
	for (int t = 0; t < b; t++) {
		memcpy(p + (size_t)t * (size_t)kp, x + (size_t)t * (size_t)k,
		       (size_t)k * sizeof(float));
		memset(p + (size_t)t * (size_t)kp + k, 0, (size_t)(kp - k) * sizeof(float));
	}
	return p;
}

/* The path a weight-only (int4, bf16) GEMM takes for the one asked: AUTO resolves to AVX2 where
 * the CPU has it; VNNI has no weight-only kernel. -1 when unavailable. */
static int weight_only_path(int path)
{
	if (path == QUANT_AUTO)
		path = path_supported(QUANT_AVX2) ? QUANT_AVX2 : QUANT_PORTABLE;
	return path == QUANT_VNNI || !path_supported(path) ? -1 : path;
}

int quant_i4_gemm(struct quant_i4 *q, const float *x, int b, float *y, int path)
{
	if ((path = weight_only_path(path)) < 0)
		return -1;
	const float *xp = pad_rows(&q->xpad, x, b, q->k, q->kp);
	if (path == QUANT_AVX2 && b <= QUANT_FUSED_MAX_B)
		i4_fused_avx2(q, xp, b, y);
	else
		tiled_gemm(q, i4_decode, q->n, q->kp, xp, b, y, &q->tile);
	return 0;
}

/* ---------------------------------------------------------------- bf16 weight-only */

unsigned short quant_to_bf16(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	if ((u & 0x7fffffffu) > 0x7f800000u)
		return (unsigned short)((u >> 16) | 0x40u); /* quiet NaN */
	u += 0x7fffu + ((u >> 16) & 1u);
	return (unsigned short)(u >> 16);
}

float quant_from_bf16(unsigned short h)
{
	uint32_t u = (uint32_t)h << 16;
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

struct quant_bf16 {
	int n, k, kp; /* kp: k padded to a multiple of 32 */
	unsigned short *w;
	struct abuf wbuf, tile, xpad;
};

struct quant_bf16 *quant_bf16_new(const float *w, int n, int k)
{
	struct quant_bf16 *q = xcalloc(1, sizeof *q);
	q->n = n;
	q->k = k;
	q->kp = round_up(k, 32);
	q->w = abuf_get(&q->wbuf, (size_t)n * (size_t)q->kp * sizeof *q->w);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < q->kp; j++)
			q->w[(size_t)i * (size_t)q->kp + (size_t)j] =
				j < k ? quant_to_bf16(w[(size_t)i * (size_t)k + (size_t)j]) : 0;
	return q;
}

void quant_bf16_free(struct quant_bf16 *q)
{
	if (!q)
		return;
	abuf_fini(&q->wbuf);
	abuf_fini(&q->tile);
	abuf_fini(&q->xpad);
	free(q);
}

size_t quant_bf16_bytes(const struct quant_bf16 *q)
{
	return (size_t)q->n * (size_t)q->kp * sizeof(unsigned short);
}

static void bf16_decode(const void *qv, int i0, int i1, float *out)
{
	const struct quant_bf16 *q = qv;
	const size_t len = (size_t)(i1 - i0) * (size_t)q->kp;
	const unsigned short *src = q->w + (size_t)i0 * (size_t)q->kp;
	for (size_t j = 0; j < len; j++)
		out[j] = quant_from_bf16(src[j]);
}

void quant_bf16_dequant(const struct quant_bf16 *q, float *w)
{
	for (int i = 0; i < q->n; i++)
		for (int j = 0; j < q->k; j++)
			w[(size_t)i * (size_t)q->k + (size_t)j] =
				quant_from_bf16(q->w[(size_t)i * (size_t)q->kp + (size_t)j]);
}

/* Fused bf16 decode + dot for B tokens, 32 weights per step (rows padded to 32), with the
 * accumulator scheme of i4_fused_b. */
__attribute__((target("avx2,fma"), always_inline)) static inline void
bf16_fused_b(const struct quant_bf16 *q, const float *x, float *y, const int B)
{
	const size_t kp = (size_t)q->kp;
	const int na = ACCS(B);
	for (int i = 0; i < q->n; i++) {
		const unsigned short *src = q->w + (size_t)i * kp;
		__m256 acc[QUANT_FUSED_MAX_B][4];
		acc_zero(acc, B, na);
		for (size_t j = 0; j < kp; j += 32) {
			__m256 w[4];
			for (int u = 0; u < 4; u++) {
				__m128i h = _mm_loadu_si128((const __m128i *)(src + j + 8 * (size_t)u));
				w[u] = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
			}
			for (int t = 0; t < B; t++)
				for (int u = 0; u < 4; u++)
					acc[t][u % na] = _mm256_fmadd_ps(
						w[u], _mm256_loadu_ps(x + (size_t)t * kp + j + 8 * (size_t)u),
						acc[t][u % na]);
		}
		acc_store(acc, B, na, y, q->n, i);
	}
}

__attribute__((target("avx2,fma"))) static void bf16_fused_avx2(const struct quant_bf16 *q,
								 const float *x, int b, float *y)
{
	FUSED_DISPATCH(bf16_fused_b, q, x, b, y);
}

int quant_bf16_gemm(struct quant_bf16 *q, const float *x, int b, float *y, int path)
{
	if ((path = weight_only_path(path)) < 0)
		return -1;
	const float *xp = pad_rows(&q->xpad, x, b, q->k, q->kp);
	if (path == QUANT_AVX2 && b <= QUANT_FUSED_MAX_B)
		bf16_fused_avx2(q, xp, b, y);
	else
		tiled_gemm(q, bf16_decode, q->n, q->kp, xp, b, y, &q->tile);
	return 0;
}
