/* variant.h — the served-model variants: one registry and one interface over every kernel.
 *
 * A variant is a way to store and multiply one weight matrix: dense fp32, bf16 (OpenBLAS
 * sbgemm, or weight-only), int8, int4 weight-only, unstructured-pruned CSR at a sparsity, 2:4,
 * or low-rank at a rank fraction. The registry is a static const table (name, kind, parameter,
 * one-line doc); variant_new builds a variant from dense weights, applying its compression
 * (pruning, quantization, SVD). Products follow kern.h: Y (B x N) = X (B x K) W^T.
 * The calibration times variants through this interface and the MLP evaluates its compressed
 * copies through it, so the accuracy measured is that of the very kernels that are timed.
 */
#ifndef MAASIM_VARIANT_H
#define MAASIM_VARIANT_H

#include <stddef.h>

#include "engine/err.h"

enum variant_kind {
	VARIANT_DENSE,        /* fp32, cblas_sgemm */
	VARIANT_BF16_SBGEMM,  /* bf16 x bf16 -> fp32, cblas_sbgemm (needs library + CPU support) */
	VARIANT_BF16W,        /* bf16 weights, fp32 activations */
	VARIANT_INT8,         /* int8 weights and activations, int32 accumulation */
	VARIANT_INT4W,        /* int4 weights (groups of 32), fp32 activations */
	VARIANT_CSR,          /* unstructured magnitude pruning, CSR; param = sparsity */
	VARIANT_SP24,         /* 2:4 structured sparsity */
	VARIANT_LOWRANK       /* truncated SVD; param = rank as a fraction of min(N, K) */
};

struct variant_spec {
	const char *name;
	enum variant_kind kind;
	double param;
	const char *doc;
};

/* The registry, in report order; *count receives its length. */
const struct variant_spec *variant_specs(int *count);

/* Looks a spec up by name; NULL with e listing the valid names when unknown. */
const struct variant_spec *variant_find(const char *name, struct err *e);

enum { VARIANT_SVD = 0, VARIANT_TIMING_FACTORS = 1 };

struct variant;

/* Builds the variant of w (n x k, not retained). flags VARIANT_TIMING_FACTORS makes low-rank
 * skip the SVD and use placeholder factors of the right shape (timing only: the cost of a
 * product does not depend on the factors' values). NULL with e when the variant is not
 * supported here (e.g. sbgemm) or the shape does not fit it. */
struct variant *variant_new(const struct variant_spec *sp, const float *w, int n, int k,
			    int flags, struct err *e);
void variant_free(struct variant *v);

const struct variant_spec *variant_spec_of(const struct variant *v);

/* Bytes of weight storage, including indices, scales and padding. */
size_t variant_weight_bytes(const struct variant *v);

/* Useful floating-point (or integer) operations of one product with b tokens: 2 per
 * multiply-add actually performed (kept weights for sparse, r (N + K) for low-rank). */
double variant_ops(const struct variant *v, int b);

/* Y (b x n) = X (b x k) W^T. Returns -1 only if the kernel path is unavailable. */
int variant_gemm(struct variant *v, const float *x, int b, float *y);

/* Writes the variant's effective dense weights (n x k) to w: what the product multiplies by,
 * up to the activation quantization of int8. */
void variant_effective_weights(const struct variant *v, float *w);

#endif
