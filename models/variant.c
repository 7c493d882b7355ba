/* variant.c — the variant registry and dispatch (see variant.h). */
#include "models/variant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"
#include "models/kern.h"
#include "models/lowrank.h"
#include "models/quant.h"
#include "models/sparse.h"

static const struct variant_spec specs[] = {
	{ "dense_fp32", VARIANT_DENSE, 0, "fp32 weights and activations, OpenBLAS sgemm" },
	{ "bf16_sbgemm", VARIANT_BF16_SBGEMM, 0,
	  "bf16 weights and activations, OpenBLAS sbgemm (AVX-512 BF16 builds only)" },
	{ "bf16_weights", VARIANT_BF16W, 0, "bf16 weights, fp32 activations and accumulation" },
	{ "int8", VARIANT_INT8, 0,
	  "int8 weights (per channel) and activations (per token), int32 accumulation" },
	{ "int4_weights", VARIANT_INT4W, 0, "int4 weights in groups of 32, fp32 activations" },
	{ "prune50", VARIANT_CSR, 0.50, "50% unstructured magnitude pruning, CSR" },
	{ "prune75", VARIANT_CSR, 0.75, "75% unstructured magnitude pruning, CSR" },
	{ "prune90", VARIANT_CSR, 0.90, "90% unstructured magnitude pruning, CSR" },
	{ "prune95", VARIANT_CSR, 0.95, "95% unstructured magnitude pruning, CSR" },
	{ "sparse24", VARIANT_SP24, 0.5, "2:4 structured sparsity (2 of every 4 along K)" },
	{ "lowrank_d2", VARIANT_LOWRANK, 0.5, "truncated SVD, rank min(N,K)/2" },
	{ "lowrank_d4", VARIANT_LOWRANK, 0.25, "truncated SVD, rank min(N,K)/4" },
	{ "lowrank_d8", VARIANT_LOWRANK, 0.125, "truncated SVD, rank min(N,K)/8" },
};

const struct variant_spec *variant_specs(int *count)
{
	*count = (int)(sizeof specs / sizeof specs[0]);
	return specs;
}

const struct variant_spec *variant_find(const char *name, struct err *e)
{
	char list[512] = "";
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		if (strcmp(specs[i].name, name) == 0)
			return &specs[i];
		size_t len = strlen(list);
		snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", specs[i].name);
	}
	err_set(e, "unknown model variant \"%s\"; valid variants are: %s", name, list);
	return NULL;
}

struct variant {
	const struct variant_spec *sp;
	int n, k;
	float *dense;               /* DENSE */
	unsigned short *bw, *bx;    /* BF16_SBGEMM: weights, activation scratch */
	size_t bxcap;
	struct quant_i8 *i8;
	struct quant_i4 *i4;
	struct quant_bf16 *bf;
	struct sparse_csr *csr;
	struct sparse_24 *s24;
	struct lowrank *lr;
};

static int lowrank_rank_of(const struct variant_spec *sp, int n, int k)
{
	int m = n < k ? n : k;
	int r = (int)((double)m * sp->param + 0.5);
	return r < 1 ? 1 : r;
}

struct variant *variant_new(const struct variant_spec *sp, const float *w, int n, int k,
			    int flags, struct err *e)
{
	const size_t len = (size_t)n * (size_t)k;
	struct variant *v = xcalloc(1, sizeof *v);
	const char *why;

	v->sp = sp;
	v->n = n;
	v->k = k;
	switch (sp->kind) {
	case VARIANT_DENSE:
		v->dense = xmalloc(len * sizeof *v->dense);
		memcpy(v->dense, w, len * sizeof *v->dense);
		break;
	case VARIANT_BF16_SBGEMM:
		if (!kern_sbgemm_available(&why)) {
			err_set(e, "unsupported: %s", why);
			free(v);
			return NULL;
		}
		v->bw = xmalloc(len * sizeof *v->bw);
		for (size_t j = 0; j < len; j++)
			v->bw[j] = quant_to_bf16(w[j]);
		break;
	case VARIANT_BF16W:
		v->bf = quant_bf16_new(w, n, k);
		break;
	case VARIANT_INT8:
		v->i8 = quant_i8_new(w, n, k);
		break;
	case VARIANT_INT4W:
		v->i4 = quant_i4_new(w, n, k);
		break;
	case VARIANT_CSR:
	case VARIANT_SP24: {
		float *p = xmalloc(len * sizeof *p);
		memcpy(p, w, len * sizeof *p);
		if (sp->kind == VARIANT_CSR) {
			sparse_prune(p, len, sp->param);
			v->csr = sparse_csr_new(p, n, k, e);
		} else if (k % 4 == 0) {
			sparse_prune24(p, n, k);
			v->s24 = sparse_24_new(p, n, k, e);
		} else {
			err_set(e, "2:4 needs K divisible by 4, got %d", k);
		}
		free(p);
		if (!v->csr && !v->s24) {
			free(v);
			return NULL;
		}
		break;
	}
	case VARIANT_LOWRANK: {
		int r = lowrank_rank_of(sp, n, k);
		if (flags & VARIANT_TIMING_FACTORS) {
			/* placeholder factors: rows of w, scaled so products stay O(1) */
			float *u = xmalloc((size_t)n * (size_t)r * sizeof *u);
			float *vv = xmalloc((size_t)r * (size_t)k * sizeof *vv);
			for (size_t j = 0; j < (size_t)n * (size_t)r; j++)
				u[j] = w[j % len];
			for (size_t j = 0; j < (size_t)r * (size_t)k; j++)
				vv[j] = w[(j * 7) % len];
			v->lr = lowrank_new_factors(u, vv, n, k, r);
			free(u);
			free(vv);
		} else {
			v->lr = lowrank_new_svd(w, n, k, r, e);
			if (!v->lr) {
				free(v);
				return NULL;
			}
		}
		break;
	}
	}
	return v;
}

void variant_free(struct variant *v)
{
	if (!v)
		return;
	free(v->dense);
	free(v->bw);
	free(v->bx);
	quant_i8_free(v->i8);
	quant_i4_free(v->i4);
	quant_bf16_free(v->bf);
	sparse_csr_free(v->csr);
	sparse_24_free(v->s24);
	lowrank_free(v->lr);
	free(v);
}

const struct variant_spec *variant_spec_of(const struct variant *v)
{
	return v->sp;
}

size_t variant_weight_bytes(const struct variant *v)
{
	const size_t len = (size_t)v->n * (size_t)v->k;
	switch (v->sp->kind) {
	case VARIANT_DENSE: return len * sizeof(float);
	case VARIANT_BF16_SBGEMM: return len * sizeof(unsigned short);
	case VARIANT_BF16W: return quant_bf16_bytes(v->bf);
	case VARIANT_INT8: return quant_i8_bytes(v->i8);
	case VARIANT_INT4W: return quant_i4_bytes(v->i4);
	case VARIANT_CSR: return sparse_csr_bytes(v->csr);
	case VARIANT_SP24: return sparse_24_bytes(v->s24);
	case VARIANT_LOWRANK: return lowrank_bytes(v->lr);
	}
	return 0;
}

double variant_ops(const struct variant *v, int b)
{
	const double nk = (double)v->n * (double)v->k, bb = (double)b;
	switch (v->sp->kind) {
	case VARIANT_CSR: return 2.0 * bb * (double)sparse_csr_nnz(v->csr);
	case VARIANT_SP24: return 2.0 * bb * nk / 2;
	case VARIANT_LOWRANK:
		return 2.0 * bb * (double)lowrank_rank(v->lr) * ((double)v->n + (double)v->k);
	default: return 2.0 * bb * nk;
	}
}

int variant_gemm(struct variant *v, const float *x, int b, float *y)
{
	switch (v->sp->kind) {
	case VARIANT_DENSE:
		kern_sgemm_nt(b, v->n, v->k, 1.0f, x, v->k, v->dense, v->k, 0.0f, y, v->n);
		return 0;
	case VARIANT_BF16_SBGEMM: {
		size_t len = (size_t)b * (size_t)v->k;
		xgrow((void **)&v->bx, &v->bxcap, len, sizeof *v->bx);
		for (size_t j = 0; j < len; j++)
			v->bx[j] = quant_to_bf16(x[j]);
		return kern_sbgemm_nt(b, v->n, v->k, v->bx, v->bw, y);
	}
	case VARIANT_BF16W: return quant_bf16_gemm(v->bf, x, b, y, QUANT_AUTO);
	case VARIANT_INT8: return quant_i8_gemm(v->i8, x, b, y, QUANT_AUTO);
	case VARIANT_INT4W: return quant_i4_gemm(v->i4, x, b, y, QUANT_AUTO);
	case VARIANT_CSR: return sparse_csr_gemm(v->csr, x, b, y, 0);
	case VARIANT_SP24: return sparse_24_gemm(v->s24, x, b, y, 0);
	case VARIANT_LOWRANK: lowrank_gemm(v->lr, x, b, y); return 0;
	}
	return -1;
}

void variant_effective_weights(const struct variant *v, float *w)
{
	const size_t len = (size_t)v->n * (size_t)v->k;
	switch (v->sp->kind) {
	case VARIANT_DENSE: memcpy(w, v->dense, len * sizeof *w); break;
	case VARIANT_BF16_SBGEMM:
		for (size_t j = 0; j < len; j++)
			w[j] = quant_from_bf16(v->bw[j]);
		break;
	case VARIANT_BF16W: quant_bf16_dequant(v->bf, w); break;
	case VARIANT_INT8: quant_i8_dequant(v->i8, w); break;
	case VARIANT_INT4W: quant_i4_dequant(v->i4, w); break;
	case VARIANT_CSR:
	case VARIANT_SP24: {
		/* multiply the identity through the kernel: exact, and checks the format too */
		float *eye = xcalloc((size_t)v->k * (size_t)v->k, sizeof *eye);
		float *yt = xmalloc((size_t)v->k * (size_t)v->n * sizeof *yt);
		for (int j = 0; j < v->k; j++)
			eye[(size_t)j * (size_t)v->k + (size_t)j] = 1.0f;
		if (v->csr)
			sparse_csr_gemm(v->csr, eye, v->k, yt, 1);
		else
			sparse_24_gemm(v->s24, eye, v->k, yt, 1);
		for (int i = 0; i < v->n; i++)
			for (int j = 0; j < v->k; j++)
				w[(size_t)i * (size_t)v->k + (size_t)j] = yt[(size_t)j * (size_t)v->n + (size_t)i];
		free(eye);
		free(yt);
		break;
	}
	case VARIANT_LOWRANK: lowrank_dense(v->lr, w); break;
	}
}
