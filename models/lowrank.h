/* lowrank.h — low-rank factorization W ~ U V by truncated SVD, and its product.
 *
 * W (N x K) is factored by LAPACKE_sgesdd (OpenBLAS's LAPACK); keeping the r largest singular
 * values gives the best rank-r approximation in the Frobenius norm (Eckart-Young), with error
 * sqrt(sum of the dropped singular values squared). U (N x r) carries the singular values,
 * V (r x K). The product Y = X W^T becomes two sgemms: T = X V^T (B x r), Y = T U^T; weights
 * take r (N + K) floats instead of N K. The object keeps the scratch T: one thread at a time.
 */
#ifndef MAASIM_LOWRANK_H
#define MAASIM_LOWRANK_H

#include <stddef.h>

#include "engine/err.h"

struct lowrank;

/* Truncated SVD of w (n x k, not retained) at rank r (1 <= r <= min(n, k)). NULL with e when
 * LAPACK fails to converge or r is out of range. */
struct lowrank *lowrank_new_svd(const float *w, int n, int k, int r, struct err *e);

/* Wraps given factors u (n x r) and v (r x k), copied: used to time shapes whose SVD would
 * take longer than the measurement itself. */
struct lowrank *lowrank_new_factors(const float *u, const float *v, int n, int k, int r);
void lowrank_free(struct lowrank *l);

int lowrank_rank(const struct lowrank *l);
size_t lowrank_bytes(const struct lowrank *l);

/* The singular values from the SVD (min(n, k) of them, descending), or NULL for
 * lowrank_new_factors. Owned by l. */
const float *lowrank_singular_values(const struct lowrank *l);

/* Writes U V (n x k) to w. */
void lowrank_dense(const struct lowrank *l, float *w);

/* Y (b x n) = X (b x k) (U V)^T. */
void lowrank_gemm(struct lowrank *l, const float *x, int b, float *y);

#endif
