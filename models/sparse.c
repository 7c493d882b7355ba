/* sparse.c — pruning, CSR and 2:4 products (see sparse.h). */
#include "models/sparse.h"

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"
#include "models/hw.h"

enum { P_AUTO = 0, P_PORTABLE = 1, P_AVX2 = 2 };

static int have_avx2(void)
{
	struct hw_features f;
	hw_detect(&f);
	return f.avx2 && f.fma;
}

static int pick_path(int path)
{
	if (path == P_AUTO)
		return have_avx2() ? P_AVX2 : P_PORTABLE;
	if (path == P_PORTABLE)
		return P_PORTABLE;
	if (path == P_AVX2 && have_avx2())
		return P_AVX2;
	return -1;
}

/* k-th smallest of a[0..n) (0-based), Hoare quickselect; a is reordered. */
static float select_kth(float *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		float pivot = a[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				float t = a[i];
				a[i] = a[j];
				a[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return a[k];
}

size_t sparse_prune(float *w, size_t len, double sparsity)
{
	size_t zeros = 0;
	if (len == 0)
		return 0;
	size_t drop = (size_t)floor(sparsity * (double)len + 0.5);
	if (drop > 0) {
		float *a = xmalloc(len * sizeof *a);
		for (size_t i = 0; i < len; i++)
			a[i] = fabsf(w[i]);
		float thr = select_kth(a, len, drop - 1);
		free(a);
		for (size_t i = 0; i < len; i++)
			if (fabsf(w[i]) <= thr)
				w[i] = 0;
	}
	for (size_t i = 0; i < len; i++)
		zeros += w[i] == 0;
	return zeros;
}

void sparse_prune24(float *w, int n, int k)
{
	for (int i = 0; i < n; i++) {
		for (int g = 0; g + 4 <= k; g += 4) {
			float *p = w + (size_t)i * (size_t)k + (size_t)g;
			/* keep the two largest magnitudes (first wins ties) */
			int a = 0, b = -1;
			for (int j = 1; j < 4; j++)
				if (fabsf(p[j]) > fabsf(p[a]))
					a = j;
			for (int j = 0; j < 4; j++)
				if (j != a && (b < 0 || fabsf(p[j]) > fabsf(p[b])))
					b = j;
			for (int j = 0; j < 4; j++)
				if (j != a && j != b)
					p[j] = 0;
		}
	}
}

/* ---------------------------------------------------------------- shared batched kernel */

/* X (b x k) -> panels of 8 tokens: xt[panel][k][8], zero padded past b. */
static float *transpose_panels(const float *x, int b, int k, void **buf, size_t *cap)
{
	const int np = (b + 7) / 8;
	const size_t need = (size_t)np * (size_t)k * 8;
	xgrow(buf, cap, need, sizeof(float));
	float *xt = *buf;
	for (int p = 0; p < np; p++) {
		float *dst = xt + (size_t)p * (size_t)k * 8;
		for (int j = 0; j < k; j++)
			for (int u = 0; u < 8; u++) {
				int t = p * 8 + u;
				dst[(size_t)j * 8 + (size_t)u] = t < b ? x[(size_t)t * (size_t)k + (size_t)j] : 0.0f;
			}
	}
	return xt;
}

/* Row i's kept weights as (value, column): CSR gives them directly, 2:4 decodes positions. */
struct rowview {
	const float *val;
	const uint16_t *col;  /* CSR: column of each value; NULL for 2:4 */
	const uint8_t *meta;  /* 2:4: one byte per group of 4 */
	int nnz;
};

static inline int rv_col(const struct rowview *r, int p)
{
	if (r->col)
		return r->col[p];
	return (p >> 1) * 4 + ((r->meta[p >> 1] >> ((p & 1) * 2)) & 3);
}

/* one row against 4 panels (32 tokens) or 1 panel (8 tokens), AVX2 */
__attribute__((target("avx2,fma"))) static void row_panels4(const struct rowview *r,
							     const float *xt, size_t pstride,
							     float out[32])
{
	__m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
	for (int p = 0; p < r->nnz; p++) {
		__m256 v = _mm256_set1_ps(r->val[p]);
		const float *xr = xt + (size_t)rv_col(r, p) * 8;
		a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(xr), a0);
		a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(xr + pstride), a1);
		a2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(xr + 2 * pstride), a2);
		a3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(xr + 3 * pstride), a3);
	}
	_mm256_storeu_ps(out, a0);
	_mm256_storeu_ps(out + 8, a1);
	_mm256_storeu_ps(out + 16, a2);
	_mm256_storeu_ps(out + 24, a3);
}

__attribute__((target("avx2,fma"))) static void row_panel1(const struct rowview *r,
							    const float *xt, float out[8])
{
	__m256 a0 = _mm256_setzero_ps(), a1 = a0;
	int p = 0;
	for (; p + 1 < r->nnz; p += 2) {
		a0 = _mm256_fmadd_ps(_mm256_set1_ps(r->val[p]),
				     _mm256_loadu_ps(xt + (size_t)rv_col(r, p) * 8), a0);
		a1 = _mm256_fmadd_ps(_mm256_set1_ps(r->val[p + 1]),
				     _mm256_loadu_ps(xt + (size_t)rv_col(r, p + 1) * 8), a1);
	}
	if (p < r->nnz)
		a0 = _mm256_fmadd_ps(_mm256_set1_ps(r->val[p]),
				     _mm256_loadu_ps(xt + (size_t)rv_col(r, p) * 8), a0);
	_mm256_storeu_ps(out, _mm256_add_ps(a0, a1));
}

static float row_dot1(const struct rowview *r, const float *x)
{
	float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	int p = 0;
	for (; p + 3 < r->nnz; p += 4) {
		s0 += r->val[p] * x[rv_col(r, p)];
		s1 += r->val[p + 1] * x[rv_col(r, p + 1)];
		s2 += r->val[p + 2] * x[rv_col(r, p + 2)];
		s3 += r->val[p + 3] * x[rv_col(r, p + 3)];
	}
	for (; p < r->nnz; p++)
		s0 += r->val[p] * x[rv_col(r, p)];
	return (s0 + s1) + (s2 + s3);
}

typedef void (*row_fn)(const void *s, int i, struct rowview *r);

struct sparse_csr;
static void csr_row(const void *sv, int i, struct rowview *r);
static float csr_dot1(const struct sparse_csr *s, int i, const float *x);
static const row_fn csr_row_fn = csr_row;
struct sparse_24;
static void s24_row(const void *sv, int i, struct rowview *r);
static float s24_dot1(const struct sparse_24 *s, int i, const float *x);
static const row_fn s24_row_fn = s24_row;

static void spmm(const void *s, row_fn rowof, int n, int k, const float *x, int b, float *y,
		 int path, void **buf, size_t *cap)
{
	struct rowview r;
	if (b == 1 && rowof == csr_row_fn) {
		/* one token, CSR: no position decoding, four independent sums */
		const struct sparse_csr *c = s;
		for (int i = 0; i < n; i++)
			y[i] = csr_dot1(c, i, x);
		return;
	}
	if (b == 1 && rowof == s24_row_fn) {
		/* one token, 2:4: positions decoded from the metadata byte, two sums */
		const struct sparse_24 *c = s;
		for (int i = 0; i < n; i++)
			y[i] = s24_dot1(c, i, x);
		return;
	}
	if (b == 1 || path == P_PORTABLE) {
		for (int t = 0; t < b; t++)
			for (int i = 0; i < n; i++) {
				rowof(s, i, &r);
				y[(size_t)t * (size_t)n + (size_t)i] =
					row_dot1(&r, x + (size_t)t * (size_t)k);
			}
		return;
	}
	const float *xt = transpose_panels(x, b, k, buf, cap);
	const size_t pstride = (size_t)k * 8;
	const int np = (b + 7) / 8;
	float out[32];
	int p0 = 0;
	for (; p0 + 4 <= np; p0 += 4)
		for (int i = 0; i < n; i++) {
			rowof(s, i, &r);
			row_panels4(&r, xt + (size_t)p0 * pstride, pstride, out);
			for (int u = 0; u < 32; u++)
				y[(size_t)(p0 * 8 + u) * (size_t)n + (size_t)i] = out[u];
		}
	for (; p0 < np; p0++)
		for (int i = 0; i < n; i++) {
			rowof(s, i, &r);
			row_panel1(&r, xt + (size_t)p0 * pstride, out);
			for (int u = 0; u < 8 && p0 * 8 + u < b; u++)
				y[(size_t)(p0 * 8 + u) * (size_t)n + (size_t)i] = out[u];
		}
}

/* ---------------------------------------------------------------- CSR */

struct sparse_csr {
	int n, k;
	uint32_t *rowptr; /* n + 1 */
	uint16_t *col;
	float *val;
	void *buf;
	size_t cap;
};

struct sparse_csr *sparse_csr_new(const float *w, int n, int k, struct err *e)
{
	if (k > 65536) {
		err_set(e, "CSR: K = %d exceeds the 16-bit column index limit 65536", k);
		return NULL;
	}
	size_t nnz = 0, len = (size_t)n * (size_t)k;
	for (size_t j = 0; j < len; j++)
		nnz += w[j] != 0;
	struct sparse_csr *s = xcalloc(1, sizeof *s);
	s->n = n;
	s->k = k;
	s->rowptr = xmalloc(((size_t)n + 1) * sizeof *s->rowptr);
	s->col = xmalloc((nnz ? nnz : 1) * sizeof *s->col);
	s->val = xmalloc((nnz ? nnz : 1) * sizeof *s->val);
	size_t p = 0;
	for (int i = 0; i < n; i++) {
		s->rowptr[i] = (uint32_t)p;
		for (int j = 0; j < k; j++) {
			float v = w[(size_t)i * (size_t)k + (size_t)j];
			if (v != 0) {
				s->col[p] = (uint16_t)j;
				s->val[p] = v;
				p++;
			}
		}
	}
	s->rowptr[n] = (uint32_t)p;
	return s;
}

void sparse_csr_free(struct sparse_csr *s)
{
	if (!s)
		return;
	free(s->rowptr);
	free(s->col);
	free(s->val);
	free(s->buf);
	free(s);
}

size_t sparse_csr_nnz(const struct sparse_csr *s)
{
	return s->rowptr[s->n];
}

size_t sparse_csr_bytes(const struct sparse_csr *s)
{
	return ((size_t)s->n + 1) * sizeof(uint32_t) +
	       sparse_csr_nnz(s) * (sizeof(uint16_t) + sizeof(float));
}

static void csr_row(const void *sv, int i, struct rowview *r)
{
	const struct sparse_csr *s = sv;
	r->val = s->val + s->rowptr[i];
	r->col = s->col + s->rowptr[i];
	r->meta = NULL;
	r->nnz = (int)(s->rowptr[i + 1] - s->rowptr[i]);
}

static float csr_dot1(const struct sparse_csr *s, int i, const float *x)
{
	const uint32_t p0 = s->rowptr[i], p1 = s->rowptr[i + 1];
	const float *v = s->val;
	const uint16_t *c = s->col;
	float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	uint32_t p = p0;
	for (; p + 3 < p1; p += 4) {
		s0 += v[p] * x[c[p]];
		s1 += v[p + 1] * x[c[p + 1]];
		s2 += v[p + 2] * x[c[p + 2]];
		s3 += v[p + 3] * x[c[p + 3]];
	}
	for (; p < p1; p++)
		s0 += v[p] * x[c[p]];
	return (s0 + s1) + (s2 + s3);
}

int sparse_csr_gemm(struct sparse_csr *s, const float *x, int b, float *y, int path)
{
	path = pick_path(path);
	if (path < 0)
		return -1;
	spmm(s, csr_row, s->n, s->k, x, b, y, path, &s->buf, &s->cap);
	return 0;
}

/* ---------------------------------------------------------------- 2:4 */

struct sparse_24 {
	int n, k;
	float *val;    /* n x k/2 */
	uint8_t *meta; /* n x k/4: positions of the two kept weights, 2 bits each */
	void *buf;
	size_t cap;
};

struct sparse_24 *sparse_24_new(const float *w, int n, int k, struct err *e)
{
	if (k % 4) {
		err_set(e, "2:4: K = %d is not a multiple of 4", k);
		return NULL;
	}
	struct sparse_24 *s = xcalloc(1, sizeof *s);
	s->n = n;
	s->k = k;
	s->val = xmalloc((size_t)n * (size_t)(k / 2) * sizeof *s->val + 1);
	s->meta = xmalloc((size_t)n * (size_t)(k / 4) + 1);
	for (int i = 0; i < n; i++)
		for (int g = 0; g < k / 4; g++) {
			const float *p = w + (size_t)i * (size_t)k + (size_t)g * 4;
			int pos[2] = { -1, -1 }, c = 0;
			for (int j = 0; j < 4; j++)
				if (p[j] != 0) {
					if (c == 2) {
						sparse_24_free(s);
						err_set(e, "2:4: row %d group %d has more than 2 non-zeros",
							i, g);
						return NULL;
					}
					pos[c++] = j;
				}
			/* fewer than two non-zeros: fill with unused positions (their weight is 0) */
			for (int j = 0; c < 2 && j < 4; j++)
				if (j != pos[0])
					pos[c++] = j;
			if (pos[1] < pos[0]) {
				int t = pos[0];
				pos[0] = pos[1];
				pos[1] = t;
			}
			size_t o = (size_t)i * (size_t)(k / 2) + (size_t)g * 2;
			s->val[o] = p[pos[0]];
			s->val[o + 1] = p[pos[1]];
			s->meta[(size_t)i * (size_t)(k / 4) + (size_t)g] =
				(uint8_t)(pos[0] | (pos[1] << 2));
		}
	return s;
}

void sparse_24_free(struct sparse_24 *s)
{
	if (!s)
		return;
	free(s->val);
	free(s->meta);
	free(s->buf);
	free(s);
}

size_t sparse_24_bytes(const struct sparse_24 *s)
{
	return (size_t)s->n * (size_t)(s->k / 2) * sizeof(float) + (size_t)s->n * (size_t)(s->k / 4);
}

static void s24_row(const void *sv, int i, struct rowview *r)
{
	const struct sparse_24 *s = sv;
	r->val = s->val + (size_t)i * (size_t)(s->k / 2);
	r->col = NULL;
	r->meta = s->meta + (size_t)i * (size_t)(s->k / 4);
	r->nnz = s->k / 2;
}

static float s24_dot1(const struct sparse_24 *s, int i, const float *x)
{
	const int ng = s->k / 4;
	const float *v = s->val + (size_t)i * (size_t)(s->k / 2);
	const uint8_t *m = s->meta + (size_t)i * (size_t)ng;
	float s0 = 0, s1 = 0;
	for (int g = 0; g < ng; g++) {
		const float *xg = x + 4 * g;
		s0 += v[2 * g] * xg[m[g] & 3];
		s1 += v[2 * g + 1] * xg[(m[g] >> 2) & 3];
	}
	return s0 + s1;
}

int sparse_24_gemm(struct sparse_24 *s, const float *x, int b, float *y, int path)
{
	path = pick_path(path);
	if (path < 0)
		return -1;
	spmm(s, s24_row, s->n, s->k, x, b, y, path, &s->buf, &s->cap);
	return 0;
}
