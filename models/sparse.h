/* sparse.h — magnitude pruning and sparse x dense products: CSR (unstructured) and 2:4.
 *
 * Convention of kern.h: Y (B x N) = X (B x K) * W^T, W: N x K. Pruning zeroes weights in place;
 * the sparse formats are then built from the zeros. Unstructured pruning keeps the largest
 * magnitudes of the whole matrix (one threshold per layer); 2:4 keeps the two largest of every
 * group of four consecutive weights along K (NVIDIA Ampere's structured sparsity pattern).
 * CSR stores fp32 values, 16-bit column indices (so K <= 65536) and 32-bit row offsets; 2:4
 * stores K/2 values per row and one metadata byte per group (two 2-bit positions). Their byte
 * counts include all of that, so memory ratios are honest. Products: one token reads each kept
 * weight once (a gather from x); several tokens first transpose X so that each kept weight
 * multiplies a contiguous run of tokens with AVX2 FMAs (chosen at run time; portable C
 * otherwise). Objects keep a scratch buffer: one thread at a time.
 */
#ifndef MAASIM_SPARSE_H
#define MAASIM_SPARSE_H

#include <stddef.h>

#include "engine/err.h"

/* Zeroes the smallest-magnitude fraction `sparsity` (0..1) of w[0..len) in place (ties at
 * the threshold are pruned too, so the achieved sparsity can exceed the target slightly).
 * Returns the number of zeros afterwards. */
size_t sparse_prune(float *w, size_t len, double sparsity);

/* Zeroes the two smallest-magnitude weights of every group of 4 along each row (n x k,
 * k a multiple of 4). */
void sparse_prune24(float *w, int n, int k);

struct sparse_csr;

/* Builds CSR from w (n x k, its zeros dropped; w not retained). NULL with e when k > 65536. */
struct sparse_csr *sparse_csr_new(const float *w, int n, int k, struct err *e);
void sparse_csr_free(struct sparse_csr *s);
size_t sparse_csr_bytes(const struct sparse_csr *s);
size_t sparse_csr_nnz(const struct sparse_csr *s);

/* Y = X W^T. path: 0 auto, 1 portable, 2 AVX2 (values of enum quant_path). -1 when the forced
 * path is not supported. */
int sparse_csr_gemm(struct sparse_csr *s, const float *x, int b, float *y, int path);

struct sparse_24;

/* Builds the 2:4 form of w (n x k): NULL with e unless k % 4 == 0 and every group of 4 has at
 * most 2 non-zeros (call sparse_prune24 first). */
struct sparse_24 *sparse_24_new(const float *w, int n, int k, struct err *e);
void sparse_24_free(struct sparse_24 *s);
size_t sparse_24_bytes(const struct sparse_24 *s);
int sparse_24_gemm(struct sparse_24 *s, const float *x, int b, float *y, int path);

#endif
