/* lowrank.c — truncated-SVD factorization and its product (see lowrank.h). */
#include "models/lowrank.h"

#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"
#include "models/kern.h"

struct lowrank {
	int n, k, r;
	float *u, *v, *sv; /* u: n x r (scaled by the singular values), v: r x k, sv: min(n,k) */
	void *tmp;
	size_t tcap;
};

struct lowrank *lowrank_new_svd(const float *w, int n, int k, int r, struct err *e)
{
	const int m = n < k ? n : k;
	if (r < 1 || r > m) {
		err_set(e, "low-rank: rank %d outside 1..%d", r, m);
		return NULL;
	}
	float *a = xmalloc((size_t)n * (size_t)k * sizeof *a);
	float *s = xmalloc((size_t)m * sizeof *s);
	float *uf = xmalloc((size_t)n * (size_t)m * sizeof *uf);
	float *vt = xmalloc((size_t)m * (size_t)k * sizeof *vt);
	memcpy(a, w, (size_t)n * (size_t)k * sizeof *a);
	int info = kern_sgesdd(n, k, a, s, uf, m, vt, k);
	free(a);
	if (info != 0) {
		free(s);
		free(uf);
		free(vt);
		err_set(e, "low-rank: LAPACKE_sgesdd failed (info %d)", info);
		return NULL;
	}
	struct lowrank *l = xcalloc(1, sizeof *l);
	l->n = n;
	l->k = k;
	l->r = r;
	l->sv = s;
	l->u = xmalloc((size_t)n * (size_t)r * sizeof *l->u);
	l->v = xmalloc((size_t)r * (size_t)k * sizeof *l->v);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < r; j++)
			l->u[(size_t)i * (size_t)r + (size_t)j] = uf[(size_t)i * (size_t)m + (size_t)j] * s[j];
	memcpy(l->v, vt, (size_t)r * (size_t)k * sizeof *l->v);
	free(uf);
	free(vt);
	return l;
}

struct lowrank *lowrank_new_factors(const float *u, const float *v, int n, int k, int r)
{
	struct lowrank *l = xcalloc(1, sizeof *l);
	l->n = n;
	l->k = k;
	l->r = r;
	l->u = xmalloc((size_t)n * (size_t)r * sizeof *l->u);
	l->v = xmalloc((size_t)r * (size_t)k * sizeof *l->v);
	memcpy(l->u, u, (size_t)n * (size_t)r * sizeof *l->u);
	memcpy(l->v, v, (size_t)r * (size_t)k * sizeof *l->v);
	return l;
}

void lowrank_free(struct lowrank *l)
{
	if (!l)
		return;
	free(l->u);
	free(l->v);
	free(l->sv);
	free(l->tmp);
	free(l);
}

int lowrank_rank(const struct lowrank *l)
{
	return l->r;
}

size_t lowrank_bytes(const struct lowrank *l)
{
	return (size_t)l->r * ((size_t)l->n + (size_t)l->k) * sizeof(float);
}

const float *lowrank_singular_values(const struct lowrank *l)
{
	return l->sv;
}

void lowrank_dense(const struct lowrank *l, float *w)
{
	kern_sgemm(0, 0, l->n, l->k, l->r, 1.0f, l->u, l->r, l->v, l->k, 0.0f, w, l->k);
}

void lowrank_gemm(struct lowrank *l, const float *x, int b, float *y)
{
	xgrow(&l->tmp, &l->tcap, (size_t)b * (size_t)l->r, sizeof(float));
	float *t = l->tmp;
	kern_sgemm_nt(b, l->r, l->k, 1.0f, x, l->k, l->v, l->k, 0.0f, t, l->r);
	kern_sgemm_nt(b, l->n, l->r, 1.0f, t, l->r, l->u, l->r, 0.0f, y, l->n);
}
